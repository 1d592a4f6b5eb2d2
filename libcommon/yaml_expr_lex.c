/* yaml_expr_lex.c: tokens of the expression language and its tree nodes. */
#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "yaml_env.h"
#include "yaml_expr.h"
#include "yaml_func.h"
#include "yaml_expr_int.h"

int
lc_yaml_expr_lex_perr(struct parser *ps, const char *at, const char *fmt,
    const char *tok)
{
	struct lc_buf msg = LC_BUF_INIT;

	if (ps->err)
		return ps->err;
	lc_buf_printf(&msg, fmt, tok);
	ps->err = lc_error_set(LC_EUSAGE, "bad expression at column %d: %s",
	    (int)(at - ps->src) + 1, msg.data);
	lc_buf_release(&msg);
	return ps->err;
}

struct xnode *
lc_yaml_expr_lex_xnew(struct parser *ps, enum xop op, const char *at)
{
	struct xnode *x = lc_buf_xmalloc(sizeof(*x));

	memset(x, 0, sizeof(*x));
	x->op = op;
	x->col = (int)(at - ps->src) + 1;
	return x;
}

void
lc_yaml_expr_lex_xfree(struct xnode *x)
{
	size_t i;

	if (x == NULL)
		return;
	lc_yaml_expr_lex_xfree(x->a);
	lc_yaml_expr_lex_xfree(x->b);
	for (i = 0; i < x->nkids; i++)
		lc_yaml_expr_lex_xfree(x->kids[i]);
	free(x->kids);
	free(x->s);
	free(x);
}

/* Record x's height; refuse a tree higher than MAX_HEIGHT. */
struct xnode *
lc_yaml_expr_lex_height(struct parser *ps, struct xnode *x)
{
	size_t i;
	int h = 0;

	if (x == NULL)
		return NULL;
	if (x->a && x->a->h > h)
		h = x->a->h;
	if (x->b && x->b->h > h)
		h = x->b->h;
	for (i = 0; i < x->nkids; i++)
		if (x->kids[i]->h > h)
			h = x->kids[i]->h;
	x->h = h + 1;
	if (x->h > MAX_HEIGHT) {
		lc_yaml_expr_lex_perr(ps, ps->src + x->col - 1,
		    "nested more than %s steps deep; "
		    "split the expression", "200");
		lc_yaml_expr_lex_xfree(x);
		return NULL;
	}
	return x;
}

void
lc_yaml_expr_lex_skip_ws(struct parser *ps)
{
	while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' ||
	    *ps->p == '\r')
		ps->p++;
}

int
lc_yaml_expr_lex_is_ident_start(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	    (c & 0x80);
}

static int
is_ident(int c)
{
	return lc_yaml_expr_lex_is_ident_start(c) || (c >= '0' && c <= '9');
}

/* A word such as "and" at p, not followed by more identifier. */
int
lc_yaml_expr_lex_word(struct parser *ps, const char *w)
{
	size_t n = strlen(w);

	lc_yaml_expr_lex_skip_ws(ps);
	if (strncmp(ps->p, w, n) == 0 && !is_ident((unsigned char)ps->p[n])) {
		ps->p += n;
		return 1;
	}
	return 0;
}

int
lc_yaml_expr_lex_punct(struct parser *ps, const char *w)
{
	size_t n = strlen(w);

	lc_yaml_expr_lex_skip_ws(ps);
	if (strncmp(ps->p, w, n) == 0) {
		ps->p += n;
		return 1;
	}
	return 0;
}

static void
put_utf8(struct lc_buf *b, unsigned long c)
{
	if (c < 0x80)
		lc_buf_addc(b, (int)c);
	else if (c < 0x800) {
		lc_buf_addc(b, (int)(0xc0 | (c >> 6)));
		lc_buf_addc(b, (int)(0x80 | (c & 0x3f)));
	} else if (c < 0x10000) {
		lc_buf_addc(b, (int)(0xe0 | (c >> 12)));
		lc_buf_addc(b, (int)(0x80 | ((c >> 6) & 0x3f)));
		lc_buf_addc(b, (int)(0x80 | (c & 0x3f)));
	} else {
		lc_buf_addc(b, (int)(0xf0 | (c >> 18)));
		lc_buf_addc(b, (int)(0x80 | ((c >> 12) & 0x3f)));
		lc_buf_addc(b, (int)(0x80 | ((c >> 6) & 0x3f)));
		lc_buf_addc(b, (int)(0x80 | (c & 0x3f)));
	}
}

static int
hex4(const char *p, unsigned long *v)
{
	int i;

	*v = 0;
	for (i = 0; i < 4; i++) {
		*v <<= 4;
		if (p[i] >= '0' && p[i] <= '9')
			*v |= (unsigned long)(p[i] - '0');
		else if (p[i] >= 'a' && p[i] <= 'f')
			*v |= (unsigned long)(p[i] - 'a' + 10);
		else if (p[i] >= 'A' && p[i] <= 'F')
			*v |= (unsigned long)(p[i] - 'A' + 10);
		else
			return -1;
	}
	return 0;
}

/* The text in b so far as a string literal kid of interpolation x. */
static void
interp_text(struct parser *ps, struct xnode *x, struct lc_buf *b,
    const char *at)
{
	struct xnode *k = lc_yaml_expr_lex_xnew(ps, X_LIT, at);

	k->n = b->len;
	k->s = lc_buf_detach(b);
	if (k->s == NULL)
		k->s = lc_buf_xstrndup("", 0);
	k->lit.kind = LC_YL_STR;
	k->lit.s = k->s;
	k->lit.n = k->n;
	lc_yaml_expr_grammar_add_kid(x, k);
}

/*
 * A JSON string literal at ps->p (on the '"'); the value goes to out.
 * With interp, "\(expr)" adds the text before it and expr to interp's
 * kids (and the text after it once the string ends).
 */
int
lc_yaml_expr_lex_string_interp(struct parser *ps, char **s, size_t *n,
    struct xnode *interp)
{
	struct lc_buf b = LC_BUF_INIT;
	const char *start = ps->p;
	struct xnode *k;
	unsigned long c, lo;

	for (ps->p++; *ps->p != '"'; ps->p++) {
		if (*ps->p == '\0') {
			lc_buf_release(&b);
			return lc_yaml_expr_lex_perr(ps, start,
			    "unterminated string%s", "");
		}
		if (*ps->p != '\\') {
			lc_buf_addc(&b, *ps->p);
			continue;
		}
		if (interp != NULL && ps->p[1] == '(') {
			interp_text(ps, interp, &b, start);
			ps->p += 2;
			if ((k = lc_yaml_expr_grammar_union(ps)) == NULL)
				return ps->err ? ps->err : LC_EUSAGE;
			lc_yaml_expr_grammar_add_kid(interp, k);
			if (!lc_yaml_expr_lex_punct(ps, ")"))
				return lc_yaml_expr_lex_perr(ps, ps->p,
				    "expected ')'%s", "");
			ps->p--;
			continue;
		}
		switch (*++ps->p) {
		case '"': case '\\':
			lc_buf_addc(&b, *ps->p);
			break;
		case 'b': lc_buf_addc(&b, '\b'); break;
		case 'f': lc_buf_addc(&b, '\f'); break;
		case 'n': lc_buf_addc(&b, '\n'); break;
		case 'r': lc_buf_addc(&b, '\r'); break;
		case 't': lc_buf_addc(&b, '\t'); break;
		case 'u':
			if (hex4(ps->p + 1, &c) != 0)
				goto bad;
			ps->p += 4;
			if (c >= 0xd800 && c < 0xdc00 && ps->p[1] == '\\' &&
			    ps->p[2] == 'u' && hex4(ps->p + 3, &lo) == 0 &&
			    lo >= 0xdc00 && lo < 0xe000) {
				c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
				ps->p += 6;
			}
			if (c == 0 || (c >= 0xd800 && c < 0xe000))
				goto bad;
			put_utf8(&b, c);
			break;
		case '\0':
			goto bad;
		default:
			/* yq keeps other escapes as written: "\d+" is a regex. */
			lc_buf_addc(&b, '\\');
			lc_buf_addc(&b, *ps->p);
			break;
		}
	}
	ps->p++;
	if (interp != NULL && interp->nkids > 0)
		interp_text(ps, interp, &b, start);
	*n = b.len;
	*s = lc_buf_detach(&b);
	if (*s == NULL)
		*s = lc_buf_xstrndup("", 0);
	return 0;
bad:
	lc_buf_release(&b);
	return lc_yaml_expr_lex_perr(ps, ps->p - 1, "bad escape in string%s",
	    "");
}

int
lc_yaml_expr_lex_string_lit(struct parser *ps, char **s, size_t *n)
{
	return lc_yaml_expr_lex_string_interp(ps, s, n, NULL);
}

char *
lc_yaml_expr_lex_ident(struct parser *ps, size_t *n, int dashes)
{
	const char *s = ps->p;

	while (is_ident((unsigned char)*ps->p) || (dashes && *ps->p == '-'))
		ps->p++;
	*n = (size_t)(ps->p - s);
	return lc_buf_xstrndup(s, *n);
}
