/* yaml_expr.c: the yq expressions CD pipelines use, evaluated on yaml_edit trees. */
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

/*
 * The language is the part of yq v4 (itself jq-like) that pipelines use:
 *
 *	union   = or { "," or }
 *	or      = pipe [ ("and" | "or") or ]
 *	pipe    = assign { "|" assign } | assign "as" "$" name "|" pipe
 *	assign  = cmp [ ("=" | "|=" | "+=" | "-=" | "*=" flags) assign ]
 *	cmp     = arith [ ("==" | "!=" | "<" | "<=" | ">" | ">=") arith ]
 *	arith   = postfix [ ("+" | "-" | "//" | "*" flags) arith ]
 *	flags   = { "+" | "d" | "?" | "n" | "c" }
 *	postfix = primary { "." key | "[" [index] "]" | ".[" [index] "]" | "?" }
 *	index   = number | string | [number] ":" [number]
 *	primary = "." [key | "[" [index] "]"] | ".." | "..." | literal
 *	        | "$" name | "(" union ")" | "[" [union] "]"
 *	        | "{" [k ":" or ...] "}" | name [ "(" union { ";" union } ")" ]
 *
 * The precedences are yq's (its operation.go), not jq's: "," is the
 * loosest, then "or" and "and" (alike), then "|"; "and", "or", "+", "-",
 * "//" and "*" group to the right, as "=" does: "*" binds no tighter than
 * "+" (yq gives them one precedence), so 2 * 3 + 4 is 2 * 7. The named
 * functions are those of funcs[] and select, del, not, strenv, env,
 * envsubst, documentIndex and di.
 *
 * Every expression maps one input to a stream of outputs, as in jq. An
 * output is a node of the document, a missing path below a node (which an
 * assignment creates), or a constant.
 */

enum xop {
	X_IDENT, X_RECURSE, X_FIELD, X_INDEX, X_ITER, X_PIPE, X_ASSIGN,
	X_UPDATE, X_APPEND, X_OR, X_AND, X_EQ, X_NE, X_NOT, X_SELECT, X_DEL,
	X_DOCINDEX, X_STRENV, X_ENV, X_VAR, X_LIT, X_ARRAY, X_OBJECT,
	X_UNION, X_ALT, X_ADD, X_SUB, X_LT, X_LE, X_GT, X_GE, X_SUBASSIGN,
	X_TRY, X_SLICE, X_RECURSE_ALL, X_AS, X_INTERP, X_FUNC,
	X_MUL, X_MULASSIGN,	/* x->idx: the LC_YFN_M* merge flags */
	X_ENVSUBST,	/* x->idx: LC_YENV_* flags */
	X_DIV, X_MOD
};

/*
 * The functions of yq evaluated natively, by name and number of
 * arguments (X_FUNC: x->s the name, x->kids the arguments).
 */
enum xfunc {
	F_HAS, F_KEYS, F_LENGTH, F_KEY, F_KIND, F_TAG, F_LINE, F_COLUMN,
	F_PATH, F_PARENT, F_WITH, F_MAP, F_MAPVALUES, F_WITHENTRIES,
	F_SORTBY, F_GROUPBY, F_UNIQUEBY, F_ANY, F_ALL, F_ANYC, F_ALLC,
	F_FIRSTC, F_SORTKEYS, F_SPLIT_DOC,
	F_YFN		/* a value function of yaml_func.c */
};

static const struct {
	const char *name;
	int nargs;
	enum xfunc f;
} funcs[] = {
	{ "all", 0, F_ALL }, { "all_c", 1, F_ALLC }, { "any", 0, F_ANY },
	{ "any_c", 1, F_ANYC }, { "column", 0, F_COLUMN },
	{ "first", 1, F_FIRSTC }, { "group_by", 1, F_GROUPBY },
	{ "has", 1, F_HAS }, { "key", 0, F_KEY }, { "keys", 0, F_KEYS },
	{ "kind", 0, F_KIND }, { "length", 0, F_LENGTH }, { "line", 0, F_LINE },
	{ "map", 1, F_MAP }, { "map_values", 1, F_MAPVALUES },
	{ "parent", 0, F_PARENT }, { "path", 0, F_PATH },
	{ "sort_by", 1, F_SORTBY }, { "sort_keys", 1, F_SORTKEYS },
	{ "tag", 0, F_TAG }, { "unique_by", 1, F_UNIQUEBY },
	{ "split_doc", 0, F_SPLIT_DOC }, { "with", 2, F_WITH },
	{ "with_entries", 1, F_WITHENTRIES },
};

struct xnode {
	enum xop op;
	int col;
	struct xnode *a, *b;
	char *s;		/* key, name or string literal (heap) */
	size_t n;
	long idx;
	long end;		/* X_SLICE: [idx:end] */
	int given;		/* X_SLICE: 1 idx given, 2 end given */
	struct lc_ylit lit;	/* X_LIT */
	struct xnode **kids;	/* X_ARRAY items; X_OBJECT key, value, ... */
	size_t nkids;
	int h;			/* height of the tree below, this node included */
};

/*
 * Parsing, evaluation and freeing recurse on the tree: its height and
 * the nesting of brackets and assignments are bounded (a command line of
 * 100,000 "(" would otherwise overflow the stack).
 */
#define MAX_HEIGHT	200
#define MAX_NEST	256

/* The top-level pipe, cut into stages: edits are committed between them. */
struct stage {
	struct xnode *x;
};

struct lc_yexpr {
	struct stage *st;
	size_t nst;
	int edits;
};

/* Parsing. */

struct parser {
	const char *src, *p;
	int err;
	int nest;		/* open brackets and assignments */
};

static int
perr(struct parser *ps, const char *at, const char *fmt, const char *tok)
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

static struct xnode *
xnew(struct parser *ps, enum xop op, const char *at)
{
	struct xnode *x = lc_xmalloc(sizeof(*x));

	memset(x, 0, sizeof(*x));
	x->op = op;
	x->col = (int)(at - ps->src) + 1;
	return x;
}

static void
xfree(struct xnode *x)
{
	size_t i;

	if (x == NULL)
		return;
	xfree(x->a);
	xfree(x->b);
	for (i = 0; i < x->nkids; i++)
		xfree(x->kids[i]);
	free(x->kids);
	free(x->s);
	free(x);
}

/* Record x's height; refuse a tree higher than MAX_HEIGHT. */
static struct xnode *
height(struct parser *ps, struct xnode *x)
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
		perr(ps, ps->src + x->col - 1, "nested more than %s steps deep; "
		    "split the expression", "200");
		xfree(x);
		return NULL;
	}
	return x;
}

static void
skip_ws(struct parser *ps)
{
	while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' ||
	    *ps->p == '\r')
		ps->p++;
}

static int
is_ident_start(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	    (c & 0x80);
}

static int
is_ident(int c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9');
}

/* A word such as "and" at p, not followed by more identifier. */
static int
word(struct parser *ps, const char *w)
{
	size_t n = strlen(w);

	skip_ws(ps);
	if (strncmp(ps->p, w, n) == 0 && !is_ident((unsigned char)ps->p[n])) {
		ps->p += n;
		return 1;
	}
	return 0;
}

static int
punct(struct parser *ps, const char *w)
{
	size_t n = strlen(w);

	skip_ws(ps);
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

static struct xnode *xnew(struct parser *, enum xop, const char *);
static void add_kid(struct xnode *, struct xnode *);
static struct xnode *parse_union(struct parser *);

/* The text in b so far as a string literal kid of interpolation x. */
static void
interp_text(struct parser *ps, struct xnode *x, struct lc_buf *b,
    const char *at)
{
	struct xnode *k = xnew(ps, X_LIT, at);

	k->n = b->len;
	k->s = lc_buf_detach(b);
	if (k->s == NULL)
		k->s = lc_xstrndup("", 0);
	k->lit.kind = LC_YL_STR;
	k->lit.s = k->s;
	k->lit.n = k->n;
	add_kid(x, k);
}

/*
 * A JSON string literal at ps->p (on the '"'); the value goes to out.
 * With interp, "\(expr)" adds the text before it and expr to interp's
 * kids (and the text after it once the string ends).
 */
static int
string_lit_(struct parser *ps, char **s, size_t *n, struct xnode *interp)
{
	struct lc_buf b = LC_BUF_INIT;
	const char *start = ps->p;
	struct xnode *k;
	unsigned long c, lo;

	for (ps->p++; *ps->p != '"'; ps->p++) {
		if (*ps->p == '\0') {
			lc_buf_release(&b);
			return perr(ps, start, "unterminated string%s", "");
		}
		if (*ps->p != '\\') {
			lc_buf_addc(&b, *ps->p);
			continue;
		}
		if (interp != NULL && ps->p[1] == '(') {
			interp_text(ps, interp, &b, start);
			ps->p += 2;
			if ((k = parse_union(ps)) == NULL)
				return ps->err ? ps->err : LC_EUSAGE;
			add_kid(interp, k);
			if (!punct(ps, ")"))
				return perr(ps, ps->p, "expected ')'%s", "");
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
		*s = lc_xstrndup("", 0);
	return 0;
bad:
	lc_buf_release(&b);
	return perr(ps, ps->p - 1, "bad escape in string%s", "");
}

static int
string_lit(struct parser *ps, char **s, size_t *n)
{
	return string_lit_(ps, s, n, NULL);
}

static char *
ident(struct parser *ps, size_t *n, int dashes)
{
	const char *s = ps->p;

	while (is_ident((unsigned char)*ps->p) || (dashes && *ps->p == '-'))
		ps->p++;
	*n = (size_t)(ps->p - s);
	return lc_xstrndup(s, *n);
}

static struct xnode *parse_pipe(struct parser *);
static struct xnode *parse_or(struct parser *);
static struct xnode *parse_assign(struct parser *);

static int
number_at(const char *p)
{
	return (*p >= '0' && *p <= '9') ||
	    (*p == '-' && p[1] >= '0' && p[1] <= '9');
}

static struct xnode *
number_lit(struct parser *ps)
{
	const char *s = ps->p;
	char *end;
	struct xnode *x = xnew(ps, X_LIT, s);

	(void)strtod(s, &end);
	ps->p = end;
	x->s = lc_xstrndup(s, (size_t)(end - s));
	x->n = (size_t)(end - s);
	x->lit.kind = LC_YL_NUM;
	x->lit.s = x->s;
	x->lit.n = x->n;
	return x;
}

/* After "[": "]" (iterate), a number or a string, then "]". */
static struct xnode *
subscript(struct parser *ps, struct xnode *lhs, const char *at)
{
	struct xnode *x;
	char *end;
	size_t n;

	skip_ws(ps);
	if (punct(ps, "]")) {
		x = xnew(ps, X_ITER, at);
		x->a = lhs;
		return x;
	}
	if (*ps->p == '"') {
		x = xnew(ps, X_FIELD, at);
		x->a = lhs;
		if (string_lit(ps, &x->s, &n) != 0) {
			xfree(x);
			return NULL;
		}
		x->n = n;
	} else if (number_at(ps->p) || *ps->p == ':') {
		x = xnew(ps, X_INDEX, at);
		x->a = lhs;
		if (*ps->p != ':') {
			x->idx = strtol(ps->p, &end, 10);
			ps->p = end;
			x->given = 1;
		}
		if (punct(ps, ":")) {
			x->op = X_SLICE;
			skip_ws(ps);
			if (number_at(ps->p)) {
				x->end = strtol(ps->p, &end, 10);
				ps->p = end;
				x->given |= 2;
			}
		}
	} else {
		xfree(lhs);
		perr(ps, ps->p, "expected a number, a string, a slice or ']' "
		    "after '['%s", "");
		return NULL;
	}
	if (!punct(ps, "]")) {
		xfree(x);
		perr(ps, ps->p, "expected ']'%s", "");
		return NULL;
	}
	return x;
}

/* After ".": a key, a string, "[...]", or nothing (identity). */
static struct xnode *
dot_suffix(struct parser *ps, struct xnode *lhs, const char *at)
{
	struct xnode *x;
	size_t n;

	if (is_ident_start((unsigned char)*ps->p)) {
		x = xnew(ps, X_FIELD, at);
		x->a = lhs;
		x->s = ident(ps, &n, 1);
		x->n = n;
		return x;
	}
	if (*ps->p == '"') {
		x = xnew(ps, X_FIELD, at);
		x->a = lhs;
		if (string_lit(ps, &x->s, &n) != 0) {
			xfree(x);
			return NULL;
		}
		x->n = n;
		return x;
	}
	if (*ps->p == '[') {
		ps->p++;
		return subscript(ps, lhs, at);
	}
	if (lhs != NULL)
		return lhs;
	return xnew(ps, X_IDENT, at);
}

static struct xnode *
func_arg(struct parser *ps, struct xnode *x, int name_only)
{
	size_t n;

	if (!punct(ps, "(")) {
		perr(ps, ps->p, "expected '(' after the function name%s", "");
		goto fail;
	}
	skip_ws(ps);
	if (name_only) {
		/* yq would look up the name with its quotes, and fail. */
		if (*ps->p == '"') {
			perr(ps, ps->p, "env() and strenv() take the variable's "
			    "name without quotes: env(NAME)%s", "");
			goto fail;
		} else if (is_ident_start((unsigned char)*ps->p))
			x->s = ident(ps, &n, 0);
		else {
			perr(ps, ps->p, "expected a variable name%s", "");
			goto fail;
		}
		x->n = n;
	} else if ((x->a = parse_union(ps)) == NULL)
		goto fail;
	if (!punct(ps, ")")) {
		perr(ps, ps->p, "expected ')'%s", "");
		goto fail;
	}
	return x;
fail:
	xfree(x);
	return NULL;
}

static void
add_kid(struct xnode *x, struct xnode *k)
{
	x->kids = lc_xrealloc(x->kids, (x->nkids + 1) * sizeof(*x->kids));
	x->kids[x->nkids++] = k;
}

static struct xnode *parse_postfix(struct parser *);

static struct xnode *
collection_lit(struct parser *ps, int obj, const char *at)
{
	struct xnode *x = xnew(ps, obj ? X_OBJECT : X_ARRAY, at), *k;
	const char *close = obj ? "}" : "]";
	size_t n;

	if (punct(ps, close))
		return x;
	do {
		if (obj) {
			skip_ws(ps);
			if (*ps->p == '.' || *ps->p == '$' || *ps->p == '(') {
				/* A computed key: {.name: .tag}, {$k: 1}. */
				if ((k = parse_postfix(ps)) == NULL)
					goto fail;
				add_kid(x, k);
				goto colon;
			}
			k = xnew(ps, X_LIT, ps->p);
			k->lit.kind = LC_YL_STR;
			if (*ps->p == '"') {
				if (string_lit(ps, &k->s, &n) != 0)
					goto fail_k;
			} else if (is_ident_start((unsigned char)*ps->p))
				k->s = ident(ps, &n, 1);
			else {
				perr(ps, ps->p, "expected a key%s", "");
				goto fail_k;
			}
			k->n = n;
			k->lit.s = k->s;
			k->lit.n = n;
			add_kid(x, k);
colon:
			if (!punct(ps, ":")) {
				perr(ps, ps->p, "expected ':' after the key%s",
				    "");
				goto fail;
			}
		}
		if ((k = parse_or(ps)) == NULL)
			goto fail;
		add_kid(x, k);
	} while (punct(ps, ","));
	if (!punct(ps, close)) {
		perr(ps, ps->p, "expected '%s'", close);
		goto fail;
	}
	return x;
fail_k:
	xfree(k);
fail:
	xfree(x);
	return NULL;
}

/* envsubst or envsubst(nu, ne, ff): flags, not expressions, as in yq. */
static struct xnode *
envsubst_flags(struct parser *ps, struct xnode *x)
{
	const char *close;
	unsigned flags;

	if (*ps->p != '(')
		return x;
	if ((close = strchr(ps->p, ')')) == NULL) {
		perr(ps, ps->p, "expected ')'%s", "");
		goto fail;
	}
	if (lc_yaml_env_flags(ps->p + 1, (size_t)(close - ps->p - 1), &flags) !=
	    0) {
		perr(ps, ps->p + 1, "%s", lc_error_msg());
		goto fail;
	}
	x->idx = (long)flags;
	ps->p = close + 1;
	return x;
fail:
	xfree(x);
	return NULL;
}

static struct xnode *primary_(struct parser *);

/*
 * name or name(arg; ...): a function of funcs[] by its name and number of
 * arguments, else one of yaml_func.c's (F_YFN).
 */
static struct xnode *
func_call(struct parser *ps, const char *name, const char *at)
{
	struct xnode *x, *k;
	size_t i, nfuncs = sizeof(funcs) / sizeof(funcs[0]);
	int known, named = 0;

	x = xnew(ps, X_FUNC, at);
	x->s = lc_xstrndup(name, strlen(name));
	x->n = strlen(name);
	skip_ws(ps);
	if (punct(ps, "(")) {
		do {
			if ((k = parse_union(ps)) == NULL)
				goto fail;
			add_kid(x, k);
		} while (punct(ps, ";"));
		if (!punct(ps, ")")) {
			perr(ps, ps->p, "expected ')'%s", "");
			goto fail;
		}
	}
	for (i = 0; i < nfuncs; i++) {
		if (strcmp(funcs[i].name, name) != 0)
			continue;
		named = 1;
		if ((size_t)funcs[i].nargs == x->nkids) {
			x->idx = (long)funcs[i].f;
			return x;
		}
	}
	x->idx = F_YFN;
	if ((known = lc_yaml_func_known(name, x->n, x->nkids)) == 1)
		return x;
	lc_error_clear();
	if (known == 0 && !named)
		perr(ps, at, "unknown function '%s' (ymlset(1) lists yq's "
		    "operators it knows)", name);
	else
		perr(ps, at, "wrong number of arguments to '%s'", name);
fail:
	xfree(x);
	return NULL;
}

/* Brackets, function arguments and "not" nest through here. */
static struct xnode *
primary(struct parser *ps)
{
	struct xnode *x;

	if (++ps->nest > MAX_NEST) {
		ps->nest--;
		skip_ws(ps);
		perr(ps, ps->p, "brackets and assignments nested more than "
		    "%s deep", "256");
		return NULL;
	}
	x = height(ps, primary_(ps));
	ps->nest--;
	return x;
}

static struct xnode *
primary_(struct parser *ps)
{
	struct xnode *x;
	const char *at;
	size_t n;
	char *name;

	skip_ws(ps);
	at = ps->p;
	if (strncmp(ps->p, "...", 3) == 0) {
		ps->p += 3;
		return xnew(ps, X_RECURSE_ALL, at);
	}
	if (ps->p[0] == '.' && ps->p[1] == '.') {
		ps->p += 2;
		return xnew(ps, X_RECURSE, at);
	}
	if (*ps->p == '.') {
		ps->p++;
		return dot_suffix(ps, NULL, at);
	}
	if (*ps->p == '"') {
		x = xnew(ps, X_INTERP, at);
		if (string_lit_(ps, &x->s, &n, x) != 0) {
			xfree(x);
			return NULL;
		}
		if (x->nkids > 0)
			return x;
		x->op = X_LIT;
		x->n = n;
		x->lit.kind = LC_YL_STR;
		x->lit.s = x->s;
		x->lit.n = n;
		return x;
	}
	if (number_at(ps->p))
		return number_lit(ps);
	if (*ps->p == '(') {
		ps->p++;
		if ((x = parse_union(ps)) == NULL)
			return NULL;
		if (!punct(ps, ")")) {
			xfree(x);
			perr(ps, ps->p, "expected ')'%s", "");
			return NULL;
		}
		return x;
	}
	if (*ps->p == '[' || *ps->p == '{') {
		ps->p++;
		return collection_lit(ps, at[0] == '{', at);
	}
	if (*ps->p == '$') {
		ps->p++;
		if (!is_ident_start((unsigned char)*ps->p)) {
			perr(ps, ps->p, "expected a variable name after '$'%s",
			    "");
			return NULL;
		}
		x = xnew(ps, X_VAR, at);
		x->s = ident(ps, &x->n, 0);
		return x;
	}
	if (!is_ident_start((unsigned char)*ps->p)) {
		if (*ps->p == '\0')
			perr(ps, ps->p, "unexpected end of expression%s", "");
		else
			perr(ps, ps->p, "unexpected '%.1s'", ps->p);
		return NULL;
	}
	name = ident(ps, &n, 0);
	x = NULL;
	if (strcmp(name, "true") == 0 || strcmp(name, "false") == 0 ||
	    strcmp(name, "null") == 0) {
		x = xnew(ps, X_LIT, at);
		x->s = name;
		x->n = n;
		x->lit.kind = name[0] == 'n' ? LC_YL_NULL : LC_YL_BOOL;
		x->lit.s = x->s;
		x->lit.n = n;
		return x;
	}
	if (strcmp(name, "select") == 0)
		x = func_arg(ps, xnew(ps, X_SELECT, at), 0);
	else if (strcmp(name, "del") == 0)
		x = func_arg(ps, xnew(ps, X_DEL, at), 0);
	else if (strcmp(name, "strenv") == 0)
		x = func_arg(ps, xnew(ps, X_STRENV, at), 1);
	else if (strcmp(name, "env") == 0)
		x = func_arg(ps, xnew(ps, X_ENV, at), 1);
	else if (strcmp(name, "envsubst") == 0)
		x = envsubst_flags(ps, xnew(ps, X_ENVSUBST, at));
	else if (strcmp(name, "documentIndex") == 0 || strcmp(name, "di") == 0 ||
	    strcmp(name, "document_index") == 0)
		x = xnew(ps, X_DOCINDEX, at);
	else if (strcmp(name, "fileIndex") == 0 || strcmp(name, "fi") == 0) {
		/* X_DOCINDEX with idx 1: the file's index, not the document's. */
		x = xnew(ps, X_DOCINDEX, at);
		x->idx = 1;
	}
	else if (strcmp(name, "not") == 0) {
		skip_ws(ps);
		x = *ps->p == '(' ? func_arg(ps, xnew(ps, X_NOT, at), 0) :
		    xnew(ps, X_NOT, at);
	} else
		x = func_call(ps, name, at);
	free(name);
	return x;
}

static struct xnode *
parse_postfix(struct parser *ps)
{
	struct xnode *x = primary(ps), *w;
	const char *at;

	while (x != NULL) {
		/* No blanks: ".a .b" is not a path. */
		at = ps->p;
		if (ps->p[0] == '.' && ps->p[1] != '.' &&
		    (is_ident_start((unsigned char)ps->p[1]) ||
		    ps->p[1] == '"' || ps->p[1] == '[')) {
			ps->p++;
			x = height(ps, dot_suffix(ps, x, at));
		} else if (*ps->p == '[') {
			ps->p++;
			x = height(ps, subscript(ps, x, at));
		} else if (*ps->p == '?') {
			ps->p++;
			w = xnew(ps, X_TRY, at);
			w->a = x;
			x = height(ps, w);
		} else
			break;
	}
	return x;
}

static struct xnode *
binary(struct parser *ps, enum xop op, struct xnode *a, struct xnode *b,
    const char *at)
{
	struct xnode *x;

	if (b == NULL) {
		xfree(a);
		return NULL;
	}
	x = xnew(ps, op, at);
	x->a = a;
	x->b = b;
	return height(ps, x);
}

static struct xnode *parse_arith(struct parser *);

/* The merge flags yq takes after "*" and "*=" (lc_yaml_func_merge_flags). */
#define MUL_FLAGS	"+d?nc"

/* fn, one level deeper: right-nested operators count as brackets do. */
static struct xnode *
nested(struct parser *ps, struct xnode *(*fn)(struct parser *))
{
	struct xnode *x;

	if (++ps->nest > MAX_NEST) {
		ps->nest--;
		skip_ws(ps);
		perr(ps, ps->p, "brackets and assignments nested more than "
		    "%s deep", "256");
		return NULL;
	}
	x = fn(ps);
	ps->nest--;
	return x;
}

/* An arithmetic operator at ps->p that is not an assignment. */
static int
arith_op(struct parser *ps, enum xop *op)
{
	skip_ws(ps);
	if (ps->p[0] == '/' && ps->p[1] == '/' && ps->p[2] != '=') {
		*op = X_ALT;
		ps->p += 2;
		return 1;
	}
	if ((ps->p[0] == '+' || ps->p[0] == '-') && ps->p[1] != '=') {
		*op = ps->p[0] == '+' ? X_ADD : X_SUB;
		ps->p++;
		return 1;
	}
	/* yq has no "/=" or "%=". */
	if ((ps->p[0] == '/' || ps->p[0] == '%') && ps->p[1] != '=') {
		*op = ps->p[0] == '/' ? X_DIV : X_MOD;
		ps->p++;
		return 1;
	}
	return 0;
}

/*
 * yq's "*" at ps->p, with its merge flags in *flags ("*+?" is "*?+"),
 * and not "*=" (an assignment).
 */
static int
mul_op(struct parser *ps, unsigned *flags)
{
	size_t n;

	skip_ws(ps);
	if (ps->p[0] != '*')
		return 0;
	n = strspn(ps->p + 1, MUL_FLAGS);
	if (ps->p[1 + n] == '=')
		return 0;
	(void)lc_yaml_func_merge_flags(ps->p + 1, n, flags);
	ps->p += 1 + n;
	return 1;
}

/* Right to left, as yq groups them: 2 - .a + 5 is 2 - (.a + 5). */
static struct xnode *
parse_arith_(struct parser *ps)
{
	struct xnode *x = parse_postfix(ps);
	const char *at;
	enum xop op;
	unsigned flags;

	if (x == NULL)
		return NULL;
	skip_ws(ps);
	at = ps->p;
	if (arith_op(ps, &op))
		return binary(ps, op, x, nested(ps, parse_arith), at);
	if (mul_op(ps, &flags)) {
		if ((x = binary(ps, X_MUL, x, nested(ps, parse_arith), at)))
			x->idx = (long)flags;
		return x;
	}
	return x;
}

static struct xnode *
parse_arith(struct parser *ps)
{
	return parse_arith_(ps);
}

static struct xnode *
parse_cmp(struct parser *ps)
{
	static const struct {
		const char *s;
		enum xop op;
	} ops[] = {
		{ "==", X_EQ }, { "!=", X_NE }, { "<=", X_LE }, { ">=", X_GE },
		{ "<", X_LT }, { ">", X_GT },
	};
	struct xnode *x = parse_arith(ps);
	const char *at;
	size_t i;

	if (x == NULL)
		return NULL;
	skip_ws(ps);
	at = ps->p;
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (punct(ps, ops[i].s))
			return binary(ps, ops[i].op, x, parse_arith(ps), at);
	return x;
}

/*
 * "and" and "or" bind alike and group to the right, as in yq: "false and
 * true or true" is false.
 */
static struct xnode *
parse_or(struct parser *ps)
{
	struct xnode *x = parse_pipe(ps);
	const char *at;

	if (x == NULL)
		return NULL;
	skip_ws(ps);
	at = ps->p;
	if (word(ps, "and"))
		return binary(ps, X_AND, x, nested(ps, parse_or), at);
	if (word(ps, "or"))
		return binary(ps, X_OR, x, nested(ps, parse_or), at);
	return x;
}

static struct xnode *
parse_assign_(struct parser *ps)
{
	struct xnode *x = parse_cmp(ps);
	const char *at;
	unsigned flags;
	size_t n;

	if (x == NULL)
		return NULL;
	skip_ws(ps);
	at = ps->p;
	if (punct(ps, "|="))
		return binary(ps, X_UPDATE, x, parse_assign(ps), at);
	if (punct(ps, "+="))
		return binary(ps, X_APPEND, x, parse_assign(ps), at);
	if (punct(ps, "-="))
		return binary(ps, X_SUBASSIGN, x, parse_assign(ps), at);
	if (punct(ps, "*=")) {
		n = strspn(ps->p, MUL_FLAGS);
		(void)lc_yaml_func_merge_flags(ps->p, n, &flags);
		ps->p += n;
		if ((x = binary(ps, X_MULASSIGN, x, parse_assign(ps), at)))
			x->idx = (long)flags;
		return x;
	}
	if (ps->p[0] == '*' && (n = strspn(ps->p + 1, MUL_FLAGS)) > 0 &&
	    ps->p[1 + n] == '=') {
		char op[16];

		snprintf(op, sizeof(op), "%.*s=", n > 8 ? 8 : (int)n + 1,
		    ps->p);
		xfree(x);
		perr(ps, at, "'%s' is not a yq operator: the flags of '*=' "
		    "come after the '=' ('.a *=+ .b')", op);
		return NULL;
	}
	if (ps->p[0] == '/' && ps->p[1] == '/' && ps->p[2] == '=') {
		xfree(x);
		perr(ps, at, "'%s' is not a yq operator: write "
		    "'PATH |= (. // VALUE)'", "//=");
		return NULL;
	}
	if (ps->p[0] == '=' && ps->p[1] != '=') {
		ps->p++;
		return binary(ps, X_ASSIGN, x, parse_assign(ps), at);
	}
	return x;
}

/* Assignments nest to the right: a |= b = c is a |= (b = c), as in yq. */
static struct xnode *
parse_assign(struct parser *ps)
{
	return nested(ps, parse_assign_);
}

/*
 * yq's "E as $x ireduce (INIT; UPDATE)": X_AS with idx 1, kids INIT and
 * UPDATE (b unused); the pipe goes on after it.
 */
static struct xnode *
reduce_args(struct parser *ps, struct xnode *b)
{
	struct xnode *k;

	b->idx = 1;
	if (!punct(ps, "(")) {
		perr(ps, ps->p, "expected '(' after 'ireduce'%s", "");
		goto fail;
	}
	if ((k = nested(ps, parse_union)) == NULL)
		goto fail;
	add_kid(b, k);
	if (!punct(ps, ";")) {
		perr(ps, ps->p, "expected ';' between the start value and the "
		    "update of 'ireduce'%s", "");
		goto fail;
	}
	if ((k = nested(ps, parse_union)) == NULL)
		goto fail;
	add_kid(b, k);
	if (!punct(ps, ")")) {
		perr(ps, ps->p, "expected ')'%s", "");
		goto fail;
	}
	return height(ps, b);
fail:
	xfree(b);
	return NULL;
}

/* "as $name |" after x: the rest of the pipe sees $name. */
static struct xnode *
binding(struct parser *ps, struct xnode *x, const char *at)
{
	struct xnode *b = xnew(ps, X_AS, at);

	b->a = x;
	skip_ws(ps);
	if (*ps->p != '$' || !is_ident_start((unsigned char)ps->p[1])) {
		xfree(b);
		perr(ps, ps->p, "expected '$name' after 'as'%s", "");
		return NULL;
	}
	ps->p++;
	b->s = ident(ps, &b->n, 0);
	if (word(ps, "ireduce"))
		return reduce_args(ps, b);
	if (!punct(ps, "|") || *ps->p == '=') {
		perr(ps, ps->p, "expected '|' after 'as $%s'", b->s);
		xfree(b);
		return NULL;
	}
	if ((b->b = nested(ps, parse_pipe)) == NULL) {
		xfree(b);
		return NULL;
	}
	return height(ps, b);
}

static struct xnode *
parse_pipe(struct parser *ps)
{
	struct xnode *x = parse_assign(ps);
	const char *at;

	for (;;) {
		skip_ws(ps);
		at = ps->p;
		if (x != NULL && word(ps, "as")) {
			x = binding(ps, x, at);
			if (x == NULL || x->idx == 0)
				return x;
			continue;
		}
		if (x == NULL || ps->p[0] != '|' || ps->p[1] == '=')
			return x;
		ps->p++;
		x = binary(ps, X_PIPE, x, parse_assign(ps), at);
	}
}

static struct xnode *
parse_union(struct parser *ps)
{
	struct xnode *x = parse_or(ps);
	const char *at;

	for (;;) {
		skip_ws(ps);
		at = ps->p;
		if (x == NULL || !punct(ps, ","))
			return x;
		x = binary(ps, X_UNION, x, parse_or(ps), at);
	}
}

static int
has_edit(const struct xnode *x)
{
	size_t i;

	if (x == NULL)
		return 0;
	if (x->op == X_MULASSIGN)
		return 1;
	if (x->op == X_ASSIGN || x->op == X_UPDATE || x->op == X_APPEND ||
	    x->op == X_SUBASSIGN || x->op == X_DEL ||
	    (x->op == X_FUNC && x->idx == F_SORTKEYS))
		return 1;
	for (i = 0; i < x->nkids; i++)
		if (has_edit(x->kids[i]))
			return 1;
	return has_edit(x->a) || has_edit(x->b);
}

static void
add_stage(struct lc_yexpr *e, struct xnode *x)
{
	e->st = lc_xrealloc(e->st, (e->nst + 1) * sizeof(*e->st));
	e->st[e->nst++].x = x;
}

/* Cut the top-level pipe of x into stages (the PIPE shells are freed). */
static void
flatten(struct lc_yexpr *e, struct xnode *x)
{
	if (x->op != X_PIPE) {
		add_stage(e, x);
		return;
	}
	flatten(e, x->a);
	flatten(e, x->b);
	x->a = x->b = NULL;
	xfree(x);
}

static int
parse_native(struct xnode **out, const char *src)
{
	struct parser ps = { src, src, 0, 0 };
	struct xnode *x;

	*out = NULL;
	skip_ws(&ps);
	if (*ps.p == '\0')
		return lc_error_set(LC_EUSAGE, "empty expression (use '.' for "
		    "the whole document)");
	x = parse_union(&ps);
	if (x == NULL)
		return ps.err ? ps.err : LC_EUSAGE;
	skip_ws(&ps);
	if (*ps.p != '\0') {
		xfree(x);
		return perr(&ps, ps.p, "unexpected '%.1s'", ps.p);
	}
	*out = x;
	return 0;
}

int
lc_yaml_expr_parse_native(struct lc_yexpr **out, const char *src)
{
	struct xnode *x;
	int rc;

	*out = NULL;
	if ((rc = parse_native(&x, src)) != 0)
		return rc;
	*out = lc_xmalloc(sizeof(**out));
	memset(*out, 0, sizeof(**out));
	(*out)->edits = has_edit(x);
	flatten(*out, x);
	return 0;
}

int
lc_yaml_expr_parse(struct lc_yexpr **out, const char *src,
    const struct lc_yexpr_var *vars, size_t nvars)
{
	(void)vars;
	(void)nvars;
	return lc_yaml_expr_parse_native(out, src);
}

void
lc_yaml_expr_free(struct lc_yexpr *e)
{
	size_t i;

	if (e == NULL)
		return;
	for (i = 0; i < e->nst; i++)
		xfree(e->st[i].x);
	free(e->st);
	free(e);
}

int
lc_yaml_expr_edits(const struct lc_yexpr *e)
{
	return e->edits;
}

/* Evaluation. */

enum vkind { V_NODE, V_MISS, V_LIT, V_DUP };

/* How a node was reached. */
#define VIA_ALIAS	1	/* through an alias: do not edit */
#define VIA_MERGE	2	/* its last step came from a <<: merge */

struct val {
	enum vkind kind;
	int via;
	uint32_t node;		/* V_NODE; V_MISS: the deepest existing node */
	uint32_t mergemap;	/* VIA_MERGE: the mapping that merges it */
	/*
	 * V_MISS: the steps still to create below node: a STR is a key, a
	 * NUM an index (past the end of a sequence, or in a new one).
	 */
	const struct lc_ylit *keys;
	size_t nkeys;
	const struct lc_ylit *lit;	/* V_LIT */
};

struct vals {
	struct val *v;
	size_t n, cap;
};

struct bind {
	const char *name;
	struct val v;
};

/* A bump allocator for everything one document's evaluation makes. */
struct chunk {
	struct chunk *next;
	size_t used, cap;
	max_align_t data[];
};

/* Copying nodes into values ('.a = .', map, sort_keys) is bounded: it can
 * double a document per '|' stage. The bound grows with the document. */
#define MAX_COPIED	50000
#define COPIES_PER_NODE	8

/*
 * Aliases are bounded the way go-yaml v3 bounds them ("excessive
 * aliasing"): it lets up to 99% of what it decodes come from alias
 * expansion in documents of up to 400,000 decoded nodes, and scales down
 * to 10% at 4,000,000. Here the nodes one copy of a value takes through
 * aliases may number 99 per node of
 * the document, at least
 * ALIAS_MIN (no real file comes near: a 10-line "billion laughs" does)
 * and at most ALIAS_MAX (~100 MB of copies at worst).
 */
#define ALIAS_MIN	10000
#define ALIAS_MAX	400000
#define ALIAS_RATIO	99

/* Values deeper than this are refused (a document nests at most 256). */
#define MAX_COPY_DEPTH	512

/*
 * Work per document: eval() calls and the values ".." and "[]" make.
 * Nested "|=" and ".." multiply (".. | .. | .." is cubic on a deep
 * document), so a short expression could otherwise run for hours and take
 * all memory (each step can hold a value of ~50 bytes). Real pipelines
 * use a few steps per node of the document.
 */
#define MAX_STEPS	1000000
#define STEPS_PER_NODE	16

struct ctx {
	struct lc_ydoc *doc;
	struct lc_yexpr_env *env;
	struct chunk *mem;
	int depth;
	size_t copied;
	size_t maxcopied;	/* the bound of copied */
	size_t aliased;		/* nodes the current copy took through aliases */
	size_t steps, maxsteps;	/* work done, and the bound */
	uint32_t outer;		/* the outermost alias being copied */
	int rc;			/* why to_lit() returned NULL */
	int lhs;		/* evaluating the paths an edit changes */
	int lenient;		/* inside select(): a key of a sequence is
				 * nothing rather than an error */
	struct bind *binds;	/* "as $x" variables, innermost last */
	size_t nbinds, capbinds;
	const struct lc_ylit *envmap;	/* $ENV, made when first used */
};

static void *
alloc(struct ctx *c, size_t n)
{
	struct chunk *ch = c->mem;
	size_t cap;

	n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) *
	    sizeof(max_align_t);
	if (ch == NULL || ch->cap - ch->used < n) {
		cap = n > 65536 ? n : 65536;
		ch = lc_xmalloc(sizeof(*ch) + cap);
		ch->next = c->mem;
		ch->used = 0;
		ch->cap = cap;
		c->mem = ch;
	}
	ch->used += n;
	return (char *)ch->data + ch->used - n;
}

static void
push(struct vals *vs, const struct val *v)
{
	if (vs->n == vs->cap) {
		vs->cap = vs->cap ? vs->cap * 2 : 8;
		vs->v = lc_xrealloc(vs->v, vs->cap * sizeof(*vs->v));
	}
	vs->v[vs->n++] = *v;
}

static struct val
vnode(uint32_t n, int via)
{
	struct val v;

	memset(&v, 0, sizeof(v));
	v.kind = V_NODE;
	v.node = n;
	v.via = via;
	return v;
}

static struct lc_ylit *
mklit(struct ctx *c, enum lc_ylit_kind kind, const char *s, size_t n)
{
	struct lc_ylit *l = alloc(c, sizeof(*l));
	char *p = alloc(c, n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	memset(l, 0, sizeof(*l));
	l->kind = kind;
	l->s = p;
	l->n = n;
	return l;
}

static struct val
vlit(const struct lc_ylit *l)
{
	struct val v;

	memset(&v, 0, sizeof(v));
	v.kind = V_LIT;
	v.lit = l;
	return v;
}

static struct val
vbool(struct ctx *c, int b)
{
	return vlit(mklit(c, LC_YL_BOOL, b ? "true" : "false", b ? 4 : 5));
}

static uint32_t
deref(struct lc_ydoc *doc, uint32_t n, int *via)
{
	if (n && doc->nodes[n].type == LC_YALIAS) {
		*via |= VIA_ALIAS;
		return doc->nodes[n].target;
	}
	return n;
}

/* The path of node n (".a.b[0]") into b, for messages. */
static void
node_path(struct lc_ydoc *doc, uint32_t n, struct lc_buf *b)
{
	uint32_t p = doc->nodes[n].parent, k, i;
	const char *v;
	size_t len;

	if (p == 0)
		return;
	node_path(doc, p, b);
	if (doc->nodes[p].type == LC_YMAP && (k = lc_yaml_edit_node_key(doc, n))) {
		v = lc_yaml_edit_node_value(doc, k, &len);
		lc_buf_printf(b, ".%.*s", (int)len, v);
	} else {
		for (i = 0, k = doc->nodes[p].first; k && k != n;
		    k = doc->nodes[k].next)
			i++;
		lc_buf_printf(b, "[%u]", i);
	}
}

static void
val_path(struct lc_ydoc *doc, const struct val *v, struct lc_buf *b)
{
	size_t i;

	if (v->kind == V_LIT)
		return;
	node_path(doc, v->node, b);
	if (v->kind == V_MISS)
		for (i = 0; i < v->nkeys; i++)
			lc_buf_printf(b, v->keys[i].kind == LC_YL_NUM ?
			    "[%.*s]" : ".%.*s", (int)v->keys[i].n,
			    v->keys[i].s);
	if (b->len == 0)
		lc_buf_addc(b, '.');
}

static int eval(struct ctx *, const struct xnode *, const struct val *,
    struct vals *);

/* The item idx of literal sequence l, or NULL (idx < 0 counts from the end). */
static const struct lc_ylit *
lit_item(const struct lc_ylit *l, long idx)
{
	if (idx < 0)
		idx += (long)l->nkids;
	return idx >= 0 && idx < (long)l->nkids ? &l->kids[idx] : NULL;
}

/* The value of key in literal mapping l, or NULL. */
static const struct lc_ylit *
lit_get(const struct lc_ylit *l, const char *key, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < l->nkids; i += 2)
		if (l->kids[i].n == n && memcmp(l->kids[i].s, key, n) == 0)
			return &l->kids[i + 1];
	return NULL;
}

/* yq refuses a key on a sequence ("cannot index array"); so do we. */
static int
key_on_seq(struct ctx *c, const struct val *in, const char *key, size_t n)
{
	struct lc_buf b = LC_BUF_INIT;
	int rc;

	val_path(c->doc, in, &b);
	rc = lc_error_set(LC_EUSAGE, "'%s': '%s' is a sequence: it has no "
	    "key '%.*s' (use '%s[].%.*s' for each item, or '?' to skip it)",
	    c->doc->name, in->kind == V_LIT ? "the value" : b.data, (int)n,
	    key, in->kind == V_LIT ? "" : b.data, (int)n, key);
	lc_buf_release(&b);
	return rc;
}

/* A missing path: the steps of in (if missing too) and one more. */
static void
miss_step(struct ctx *c, const struct val *in, uint32_t node, int via,
    const struct lc_ylit *step, struct vals *out)
{
	struct lc_ylit *keys;
	struct val v;
	size_t nk = in->kind == V_MISS ? in->nkeys : 0;

	memset(&v, 0, sizeof(v));
	keys = alloc(c, (nk + 1) * sizeof(*keys));
	if (nk > 0)
		memcpy(keys, in->keys, nk * sizeof(*keys));
	keys[nk] = *step;
	v.kind = V_MISS;
	v.via = via;
	v.node = node;
	v.keys = keys;
	v.nkeys = nk + 1;
	push(out, &v);
}

/*
 * .key on in. As in yq: a missing key reads as null (and can be created),
 * a scalar or a sequence has no keys (nothing to read; an assignment
 * fails).
 */
static int
field(struct ctx *c, const struct val *in, const char *key, size_t n,
    struct vals *out)
{
	struct lc_ydoc *doc = c->doc;
	const struct lc_ylit *l;
	struct val v = *in;
	uint32_t node, r;
	int merged, via = in->via;

	if (via & VIA_MERGE)
		via = (via & ~VIA_MERGE) | VIA_ALIAS;
	if (in->kind == V_LIT) {
		if (in->lit->kind == LC_YL_MAP &&
		    (l = lit_get(in->lit, key, n)) != NULL)
			v = vlit(l);
		else if (in->lit->kind == LC_YL_MAP ||
		    in->lit->kind == LC_YL_NULL)
			v = vlit(mklit(c, LC_YL_NULL, "null", 4));
		else
			return 0;
		push(out, &v);
		return 0;
	}
	if (in->kind == V_MISS) {
		miss_step(c, in, in->node, via, mklit(c, LC_YL_STR, key, n),
		    out);
		return 0;
	}
	node = deref(doc, in->node, &via);
	if (node && doc->nodes[node].type == LC_YMAP &&
	    (r = lc_yaml_edit_map_get(doc, node, key, n, &merged)) != 0) {
		v = vnode(r, via | (merged ? VIA_MERGE : 0));
		v.mergemap = node;
		push(out, &v);
		return 0;
	}
	/*
	 * A key of a sequence fails as in yq 4.53, but inside select() it
	 * is nothing, so ".. | select(.image == ...)" works (yq fails).
	 */
	if (node && doc->nodes[node].type == LC_YSEQ && (c->lhs ||
	    !c->lenient))
		return key_on_seq(c, in, key, n);
	if (node && doc->nodes[node].type != LC_YMAP && !c->lhs &&
	    !lc_yaml_edit_node_is_null(doc, node))
		return 0;
	miss_step(c, in, node, via, mklit(c, LC_YL_STR, key, n), out);
	return 0;
}

static int
index_range(struct ctx *c, const struct val *in, long idx, long len)
{
	struct lc_buf b = LC_BUF_INIT;
	int rc;

	val_path(c->doc, in, &b);
	rc = lc_error_set(LC_EUSAGE, "'%s': index %ld is out of range: '%s' "
	    "has %ld item%s", c->doc->name, idx, in->kind == V_LIT ?
	    "the value" : b.data, len, len == 1 ? "" : "s");
	lc_buf_release(&b);
	return rc;
}

/*
 * [idx] on in. As in yq: an index past the end reads as null (and an
 * assignment pads with nulls up to it), a negative one counts from the
 * end and may not go past the start, and a mapping takes the number as
 * a key.
 */
static int
index_(struct ctx *c, const struct val *in, long idx, struct vals *out)
{
	struct lc_ydoc *doc = c->doc;
	const struct lc_ylit *l;
	struct val v;
	uint32_t node, k;
	int via = in->via & ~VIA_MERGE;
	char num[32];
	long i, len;
	int merged;

	if (in->via & VIA_MERGE)
		via |= VIA_ALIAS;
	snprintf(num, sizeof(num), "%ld", idx);
	if (in->kind == V_LIT) {
		if (in->lit->kind == LC_YL_MAP)
			return field(c, in, num, strlen(num), out);
		if (in->lit->kind == LC_YL_SEQ) {
			if (idx < -(long)in->lit->nkids)
				return index_range(c, in, idx,
				    (long)in->lit->nkids);
			l = lit_item(in->lit, idx);
			v = vlit(l ? l : mklit(c, LC_YL_NULL, "null", 4));
		} else if (in->lit->kind == LC_YL_NULL)
			v = vlit(mklit(c, LC_YL_NULL, "null", 4));
		else
			return 0;
		push(out, &v);
		return 0;
	}
	if (in->kind == V_MISS) {
		if (idx < 0)
			return index_range(c, in, idx, 0);
		miss_step(c, in, in->node, via,
		    mklit(c, LC_YL_NUM, num, strlen(num)), out);
		return 0;
	}
	node = deref(doc, in->node, &via);
	if (node && doc->nodes[node].type == LC_YMAP) {
		/* "0" found as a key, or created as the number 0. */
		if (lc_yaml_edit_map_get(doc, node, num, strlen(num), &merged) != 0)
			return field(c, in, num, strlen(num), out);
		miss_step(c, in, node, via,
		    mklit(c, LC_YL_NUM, num, strlen(num)), out);
		return 0;
	}
	if (node && doc->nodes[node].type == LC_YSEQ) {
		len = (long)doc->nodes[node].nkids;
		if (idx < -len)
			return index_range(c, in, idx, len);
		if (idx < 0)
			idx += len;
		if (idx < len) {
			for (i = 0, k = doc->nodes[node].first; i < idx; i++)
				k = doc->nodes[k].next;
			v = vnode(k, via);
			push(out, &v);
			return 0;
		}
		snprintf(num, sizeof(num), "%ld", idx);
	} else if (node && doc->nodes[node].type == LC_YSCALAR && !c->lhs &&
	    !lc_yaml_edit_node_is_null(doc, node))
		return 0;
	else if (idx < 0)
		return index_range(c, in, idx, 0);
	miss_step(c, in, node, via, mklit(c, LC_YL_NUM, num, strlen(num)),
	    out);
	return 0;
}

static int is_coll(const struct lc_ylit *);

static void
iterate(struct ctx *c, const struct val *in, struct vals *out)
{
	struct lc_ydoc *doc = c->doc;
	struct val v;
	uint32_t node, k;
	size_t i;
	int via = in->via & ~VIA_MERGE;

	if (in->via & VIA_MERGE)
		via |= VIA_ALIAS;
	if (in->kind == V_LIT && is_coll(in->lit)) {
		/* A mapping's values, a sequence's items. */
		for (i = in->lit->kind == LC_YL_MAP; i < in->lit->nkids;
		    i += 1 + (in->lit->kind == LC_YL_MAP)) {
			v = vlit(&in->lit->kids[i]);
			push(out, &v);
			c->steps++;
		}
		return;
	}
	if (in->kind != V_NODE)
		return;
	node = deref(doc, in->node, &via);
	for (k = doc->nodes[node].first; k; k = doc->nodes[k].next) {
		if (doc->nodes[node].type == LC_YMAP)
			k = doc->nodes[k].next;
		if (k == 0)
			break;
		v = vnode(k, via);
		push(out, &v);
		c->steps++;
	}
}

static int
too_much(struct ctx *c)
{
	return lc_error_set(LC_EUSAGE, "the expression takes more than %zu "
	    "steps on '%s' (nested '..' or '|=' multiply); simplify it",
	    c->maxsteps, c->doc->name);
}

/* "..", or with keys "...": each node, and a mapping's keys before their values. */
static void
recurse(struct ctx *c, uint32_t n, int via, int keys, struct vals *out)
{
	struct lc_ydoc *doc = c->doc;
	struct val v = vnode(n, via);
	uint32_t k;

	/* Counted, and checked by the eval() that follows. */
	c->steps++;
	push(out, &v);
	if (doc->nodes[n].type != LC_YMAP && doc->nodes[n].type != LC_YSEQ)
		return;
	for (k = doc->nodes[n].first; k; k = doc->nodes[k].next) {
		if (doc->nodes[n].type == LC_YMAP) {
			if (keys) {
				v = vnode(k, via | VIA_ALIAS);
				push(out, &v);
				c->steps++;
			}
			if ((k = doc->nodes[k].next) == 0)
				break;
		}
		recurse(c, k, via, keys, out);
	}
}

/* ".." (and "..." with keys) of a value an expression made. */
static void
recurse_lit(struct ctx *c, const struct lc_ylit *l, int keys, struct vals *out)
{
	struct val v = vlit(l);
	size_t i;

	c->steps++;
	push(out, &v);
	for (i = 0; i < l->nkids; i++) {
		if (l->kind == LC_YL_MAP && i % 2 == 0) {
			if (keys) {
				v = vlit(&l->kids[i]);
				push(out, &v);
				c->steps++;
			}
			continue;
		}
		recurse_lit(c, &l->kids[i], keys, out);
	}
}

static int
truthy(struct ctx *c, const struct val *v)
{
	enum lc_ylit_kind k;
	const char *s;
	size_t n;

	if (v->kind == V_MISS)
		return 0;
	if (v->kind == V_LIT) {
		if (v->lit->kind == LC_YL_NULL)
			return 0;
		return !(v->lit->kind == LC_YL_BOOL && v->lit->s[0] == 'f');
	}
	k = lc_yaml_edit_node_kind(c->doc, v->node);
	if (k == LC_YL_NULL)
		return 0;
	if (k == LC_YL_BOOL) {
		s = lc_yaml_edit_node_value(c->doc, v->node, &n);
		return !(s[0] == 'f' || s[0] == 'F' || s[0] == 'n' ||
		    s[0] == 'N' || (s[0] == 'o' && s[1] == 'f') ||
		    (s[0] == 'O' && (s[1] == 'f' || s[1] == 'F')));
	}
	return 1;
}

/* A scalar view of a value: its kind and text; 0 for a collection. */
static int
scalar_of(struct ctx *c, const struct val *v, enum lc_ylit_kind *k,
    const char **s, size_t *n)
{
	uint32_t node;
	int via = 0;

	if (v->kind == V_MISS) {
		*k = LC_YL_NULL;
		*s = "null";
		*n = 4;
		return 1;
	}
	if (v->kind == V_LIT) {
		if (v->lit->kind == LC_YL_SEQ || v->lit->kind == LC_YL_MAP)
			return 0;
		*k = v->lit->kind;
		*s = v->lit->s;
		*n = v->lit->n;
		return 1;
	}
	node = deref(c->doc, v->node, &via);
	if (c->doc->nodes[node].type != LC_YSCALAR)
		return 0;
	*k = lc_yaml_edit_node_kind(c->doc, node);
	*s = lc_yaml_edit_node_value(c->doc, node, n);
	return 1;
}

static int
equal(struct ctx *c, const struct val *a, const struct val *b)
{
	enum lc_ylit_kind ka, kb;
	const char *sa, *sb;
	size_t na, nb;
	char *ea, *eb;
	double da, db;
	int via = 0;

	if (!scalar_of(c, a, &ka, &sa, &na) || !scalar_of(c, b, &kb, &sb, &nb))
		return a->kind == V_NODE && b->kind == V_NODE &&
		    deref(c->doc, a->node, &via) == deref(c->doc, b->node, &via);
	if (ka == LC_YL_NULL || kb == LC_YL_NULL)
		return ka == kb;
	if (na == nb && memcmp(sa, sb, na) == 0)
		return 1;
	if (ka == LC_YL_NUM && kb == LC_YL_NUM) {
		da = strtod(sa, &ea);
		db = strtod(sb, &eb);
		return ea == sa + na && eb == sb + nb && da == db;
	}
	if (ka == LC_YL_BOOL && kb == LC_YL_BOOL)
		return truthy(c, a) == truthy(c, b);
	return 0;
}

/* Whether s matches the pattern p, where '*' is any run and '?' any byte. */
static int
glob_match(const char *p, size_t pn, const char *s, size_t sn)
{
	size_t i = 0, j = 0, star = (size_t)-1, mark = 0;

	while (j < sn) {
		if (i < pn && (p[i] == '?' || p[i] == s[j])) {
			i++;
			j++;
		} else if (i < pn && p[i] == '*') {
			star = i++;
			mark = j;
		} else if (star != (size_t)-1) {
			i = star + 1;
			j = ++mark;
		} else
			return 0;
	}
	while (i < pn && p[i] == '*')
		i++;
	return i == pn;
}

/*
 * yq's ==: scalars by their text (1 == 1.0 is false, "1" == 1 true), a
 * string with '*' or '?' on the right as a pattern ("go*"), null only
 * equal to null, collections only to themselves.
 */
static int
yq_equal(struct ctx *c, const struct val *a, const struct val *b)
{
	enum lc_ylit_kind ka, kb;
	const char *sa, *sb;
	size_t na, nb;
	int via = 0;

	if (!scalar_of(c, a, &ka, &sa, &na) || !scalar_of(c, b, &kb, &sb, &nb))
		return a->kind == V_NODE && b->kind == V_NODE &&
		    deref(c->doc, a->node, &via) == deref(c->doc, b->node, &via);
	if (ka == LC_YL_NULL || kb == LC_YL_NULL)
		return ka == kb;
	if (na == nb && memcmp(sa, sb, na) == 0)
		return 1;
	if (ka == LC_YL_BOOL && kb == LC_YL_BOOL)
		return truthy(c, a) == truthy(c, b);
	if (kb == LC_YL_STR && (memchr(sb, '*', nb) || memchr(sb, '?', nb)))
		return glob_match(sb, nb, sa, na);
	return 0;
}

/*
 * The first (or, with last, the last) output of x on in in *v, or a null
 * when it has none; *n gets the number of outputs.
 */
static int
eval_pick(struct ctx *c, const struct xnode *x, const struct val *in,
    int last, struct val *v, size_t *n)
{
	struct vals vs = { NULL, 0, 0 };
	int rc;

	if ((rc = eval(c, x, in, &vs)) == 0) {
		if (vs.n > 0)
			*v = vs.v[last ? vs.n - 1 : 0];
		else
			*v = vlit(mklit(c, LC_YL_NULL, "null", 4));
	}
	*n = vs.n;
	free(vs.v);
	return rc;
}

/* The first output of x on in, or a null when it has none. */
static int
eval1(struct ctx *c, const struct xnode *x, const struct val *in,
    struct val *v)
{
	size_t n;

	return eval_pick(c, x, in, 0, v, &n);
}

static int
truth(struct ctx *c, const struct xnode *x, const struct val *in, int *t)
{
	struct vals vs = { NULL, 0, 0 };
	int rc;

	if ((rc = eval(c, x, in, &vs)) == 0)
		*t = vs.n > 0 && truthy(c, &vs.v[0]);
	free(vs.v);
	return rc;
}

/* A value as a literal to write: constants as they are, nodes copied. */
static size_t
alias_budget(const struct lc_ydoc *doc)
{
	size_t b = (size_t)doc->nnodes * ALIAS_RATIO;

	return b < ALIAS_MIN ? ALIAS_MIN : b > ALIAS_MAX ? ALIAS_MAX : b;
}

/* Refuse a copy at node n (an alias, or the node too deep). */
static const struct lc_ylit *
copy_refused(struct ctx *c, uint32_t n, size_t limit)
{
	struct lc_ydoc *doc = c->doc;
	const struct lc_ynode *nd = &doc->nodes[n];
	const struct lc_ynode *t = &doc->nodes[nd->target];
	long line, col;

	lc_yaml_edit_where(doc, nd->start, &line, &col);
	if (nd->type == LC_YALIAS)
		c->rc = lc_error_set(LC_EDATA, "'%s': %ld:%ld: alias *%.*s "
		    "takes the expansion of aliases past %zu nodes "
		    "(excessive aliasing); write the values out or nest "
		    "fewer aliases", doc->name, line, col, (int)t->alen,
		    doc->arena.data + t->anchor, limit);
	else
		c->rc = lc_error_set(LC_EDATA, "'%s': %ld:%ld: the value is "
		    "nested more than %zu deep; it cannot be copied",
		    doc->name, line, col, limit);
	lc_error_where(doc->name, line, col);
	return NULL;
}

/* A key of merged_lit's: where it came from, to choose the one that wins. */
struct mkey {
	const struct lc_ylit *k, *v;
	size_t pos;		/* in the mapping's order */
	int merged;		/* from a <<: source, not the mapping's own */
	int wins;
};

static int
mkey_cmp(const void *a, const void *b)
{
	const struct mkey *x = a, *y = b;
	int r;

	if (x->k->n != y->k->n)
		return x->k->n < y->k->n ? -1 : 1;
	if ((r = memcmp(x->k->s, y->k->s, x->k->n)) != 0)
		return r;
	if (x->merged != y->merged)
		return x->merged - y->merged;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static int
mkey_pos(const void *a, const void *b)
{
	const struct mkey *x = a, *y = b;

	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/*
 * The mapping l with its merge keys (to_lit marks a plain "<<" key with
 * kind NULL) resolved as the YAML spec says: the mapping's own keys win,
 * then the first source that has the key; merged keys stand where the
 * "<<" stood. A copy such as ".b = .a" then holds the data, not a key
 * named "<<". Sorting keeps it n log n.
 */
static const struct lc_ylit *
merged_lit(struct ctx *c, struct lc_ylit *l)
{
	struct mkey *m;
	struct lc_ylit *kids;
	const struct lc_ylit *src, *srcs;
	size_t i, j, s, n = 0, cap = 0, nsrc;

	for (i = 0; i + 1 < l->nkids; i += 2)
		if (l->kids[i].kind == LC_YL_NULL)
			break;
	if (i + 1 >= l->nkids)
		return l;
	for (i = 0; i + 1 < l->nkids; i += 2) {
		src = &l->kids[i + 1];
		if (l->kids[i].kind != LC_YL_NULL)
			cap++;
		else if (src->kind == LC_YL_MAP)
			cap += src->nkids / 2;
		else
			for (s = 0; s < src->nkids; s++)
				cap += src->kids[s].nkids / 2;
	}
	m = alloc(c, (cap + 1) * sizeof(*m));
	for (i = 0; i + 1 < l->nkids; i += 2) {
		if (l->kids[i].kind != LC_YL_NULL) {
			m[n].k = &l->kids[i];
			m[n].v = &l->kids[i + 1];
			m[n].merged = 0;
			m[n].pos = n;
			n++;
			continue;
		}
		/* <<: {map} or <<: [{map}, ...]; anything else merges nothing. */
		src = &l->kids[i + 1];
		srcs = src->kind == LC_YL_MAP ? src : src->kids;
		nsrc = src->kind == LC_YL_MAP ? 1 : src->kind == LC_YL_SEQ ?
		    src->nkids : 0;
		for (s = 0; s < nsrc; s++) {
			if (srcs[s].kind != LC_YL_MAP)
				continue;
			for (j = 0; j + 1 < srcs[s].nkids; j += 2) {
				m[n].k = &srcs[s].kids[j];
				m[n].v = &srcs[s].kids[j + 1];
				m[n].merged = 1;
				m[n].pos = n;
				n++;
			}
		}
	}
	qsort(m, n, sizeof(*m), mkey_cmp);
	for (i = 0; i < n; i++)
		m[i].wins = i == 0 || m[i].k->n != m[i - 1].k->n ||
		    memcmp(m[i].k->s, m[i - 1].k->s, m[i].k->n) != 0;
	qsort(m, n, sizeof(*m), mkey_pos);
	kids = alloc(c, (2 * n + 1) * sizeof(*kids));
	for (i = j = 0; i < n; i++)
		if (m[i].wins) {
			kids[j++] = *m[i].k;
			kids[j++] = *m[i].v;
		}
	l->kids = kids;
	l->nkids = j;
	return l;
}

/*
 * Node n as a literal. Returns NULL with c->rc and the message set when
 * the copy is too large, too deep or expands aliases past the budget.
 */
static const struct lc_ylit *
to_lit(struct ctx *c, uint32_t n, int depth)
{
	struct lc_ydoc *doc = c->doc;
	struct lc_ylit *l, *kids;
	const struct lc_ylit *r;
	const char *s;
	size_t len, i;
	uint32_t k, alias = 0;
	int via = 0;

	if (n && doc->nodes[n].type == LC_YALIAS) {
		alias = n;
		if (c->outer == 0)
			c->outer = n;
	}
	n = deref(doc, n, &via);
	if (c->outer != 0 && ++c->aliased > alias_budget(doc))
		return copy_refused(c, c->outer, alias_budget(doc));
	if (++c->copied > c->maxcopied) {
		c->rc = lc_error_set(LC_EUSAGE, "the values to copy are too "
		    "large (over %zu nodes)", c->maxcopied);
		return NULL;
	}
	if (depth > MAX_COPY_DEPTH)
		return copy_refused(c, alias ? alias : n, MAX_COPY_DEPTH);
	if (doc->nodes[n].type == LC_YSCALAR || n == 0) {
		s = lc_yaml_edit_node_value(doc, n, &len);
		r = mklit(c, lc_yaml_edit_node_kind(doc, n), s, len);
		goto out;
	}
	kids = alloc(c, (doc->nodes[n].nkids + 1) * sizeof(*kids));
	for (i = 0, k = doc->nodes[n].first; k; k = doc->nodes[k].next, i++) {
		if ((r = to_lit(c, k, depth + 1)) == NULL)
			return NULL;
		kids[i] = *r;
		if (doc->nodes[n].type == LC_YMAP && i % 2 == 0 &&
		    doc->nodes[k].style == LC_YPLAIN && r->kind == LC_YL_STR &&
		    r->n == 2 && memcmp(r->s, "<<", 2) == 0)
			kids[i].kind = LC_YL_NULL;	/* a merge key */
	}
	l = mklit(c, doc->nodes[n].type == LC_YMAP ? LC_YL_MAP : LC_YL_SEQ,
	    "", 0);
	l->kids = kids;
	l->nkids = doc->nodes[n].nkids;
	r = l->kind == LC_YL_MAP ? merged_lit(c, l) : l;
out:
	if (alias != 0 && c->outer == alias)
		c->outer = 0;
	return r;
}

/*
 * v as a literal into *out. Returns 0, or to_lit's code with the message
 * set for a value too large to copy.
 */
static int
val_lit(struct ctx *c, const struct val *v, const struct lc_ylit **out)
{
	if (v->kind == V_LIT)
		*out = v->lit;
	else if (v->kind == V_MISS)
		*out = mklit(c, LC_YL_NULL, "null", 4);
	else {
		/* Each copy has the whole alias budget. */
		c->aliased = 0;
		c->outer = 0;
		if ((*out = to_lit(c, v->node, 0)) == NULL)
			return c->rc;
	}
	return 0;
}

/* Where node n starts, for messages. */
static void
where(struct ctx *c, uint32_t n, long *line, long *col)
{
	lc_yaml_edit_where(c->doc, c->doc->nodes[n].start, line, col);
}

static int
refuse_alias(struct ctx *c, const struct val *t)
{
	struct lc_buf b = LC_BUF_INIT;
	long line, col;
	int rc;

	val_path(c->doc, t, &b);
	where(c, t->node, &line, &col);
	rc = lc_error_set(LC_EUSAGE, "'%s': %ld:%ld: '%s' is reached through "
	    "an alias (*name); edit the anchored node (&name) instead",
	    c->doc->name, line, col, b.data);
	lc_error_where(c->doc->name, line, col);
	lc_buf_release(&b);
	return rc;
}

static int
missing(struct ctx *c, const struct val *t)
{
	struct lc_buf b = LC_BUF_INIT;
	int rc;

	val_path(c->doc, t, &b);
	rc = lc_error_set(LC_ENOTFOUND, "no '%s' in '%s' (and --no-create "
	    "was given)", b.data, c->doc->name);
	lc_buf_release(&b);
	return rc;
}

/* A sequence of n nulls then l (l NULL: n nulls). */
static struct lc_ylit *
padded(struct ctx *c, size_t n, const struct lc_ylit *l)
{
	struct lc_ylit *seq = mklit(c, LC_YL_SEQ, "", 0), *kids;
	size_t i;

	kids = alloc(c, (n + 1) * sizeof(*kids));
	for (i = 0; i < n; i++)
		kids[i] = *mklit(c, LC_YL_NULL, "null", 4);
	if (l != NULL)
		kids[n] = *l;
	seq->kids = kids;
	seq->nkids = n + (l != NULL);
	return seq;
}

/* Padding up to an index is bounded: ".a[99999999] = 1" is a typo. */
#define MAX_PAD	10000

static int
too_far(struct ctx *c, const struct val *t, unsigned long idx)
{
	struct lc_buf b = LC_BUF_INIT;
	int rc;

	val_path(c->doc, t, &b);
	rc = lc_error_set(LC_EUSAGE, "'%s': creating '%s' would add %lu null "
	    "items (more than %d); check the index", c->doc->name, b.data,
	    idx, MAX_PAD);
	lc_buf_release(&b);
	return rc;
}

/*
 * The value that missing path t needs below its first step to hold l:
 * a mapping for each key, a sequence padded with nulls for each index.
 */
static int
chain(struct ctx *c, const struct val *t, const struct lc_ylit *l,
    const struct lc_ylit **out)
{
	struct lc_ylit *m;
	unsigned long idx;
	size_t i;

	for (i = t->nkeys; i-- > 1;) {
		if (t->keys[i].kind == LC_YL_NUM) {
			idx = strtoul(t->keys[i].s, NULL, 10);
			if (idx > MAX_PAD)
				return too_far(c, t, idx);
			l = padded(c, idx, l);
		} else {
			m = mklit(c, LC_YL_MAP, "", 0);
			m->kids = alloc(c, 2 * sizeof(*m->kids));
			((struct lc_ylit *)m->kids)[0] = t->keys[i];
			((struct lc_ylit *)m->kids)[1] = *l;
			m->nkids = 2;
			l = m;
		}
	}
	*out = l;
	return 0;
}

/* Create missing path t holding l, in the style of the file around it. */
static int
create(struct ctx *c, const struct val *t, const struct lc_ylit *l)
{
	struct lc_ydoc *doc = c->doc;
	const struct lc_ynode *nd = &doc->nodes[t->node];
	unsigned long idx;
	int rc;

	if ((rc = chain(c, t, l, &l)) != 0)
		return rc;
	if (t->keys[0].kind != LC_YL_NUM || nd->type == LC_YMAP)
		return lc_yaml_edit_create(doc, t->node, t->keys, 1, l);
	idx = strtoul(t->keys[0].s, NULL, 10);
	if (nd->type == LC_YSEQ) {
		if (idx - nd->nkids > MAX_PAD)
			return too_far(c, t, idx - nd->nkids);
		return lc_yaml_edit_append(doc, t->node,
		    padded(c, idx - nd->nkids, l));
	}
	if (idx > MAX_PAD)
		return too_far(c, t, idx);
	if (nd->type == LC_YSCALAR && lc_yaml_edit_node_is_null(doc, t->node))
		return lc_yaml_edit_set(doc, t->node, padded(c, idx, l));
	/* A scalar: let lc_yaml_edit_append say it cannot. */
	return lc_yaml_edit_append(doc, t->node, l);
}

static int merge_into(struct ctx *, uint32_t, const struct lc_ylit *, int);

/* Set target t to l: replace a node, or create the missing path. */
static int
set_target(struct ctx *c, const struct val *t, const struct lc_ylit *l)
{
	struct lc_ylit key;
	const char *s;
	size_t n;
	uint32_t k;

	if (t->kind == V_LIT)
		return lc_error_set(LC_EUSAGE, "cannot assign to a constant");
	if (t->via & VIA_ALIAS)
		return refuse_alias(c, t);
	c->env->matched++;
	if (t->kind == V_NODE && (t->via & VIA_MERGE)) {
		/* Override the merged key in the merging mapping. */
		if (c->env->no_create)
			return missing(c, t);
		k = lc_yaml_edit_node_key(c->doc, t->node);
		s = lc_yaml_edit_node_value(c->doc, k, &n);
		key = *mklit(c, LC_YL_STR, s, n);
		return lc_yaml_edit_create(c->doc, t->mergemap, &key, 1, l);
	}
	if (t->kind == V_NODE && is_coll(l))
		return merge_into(c, t->node, l, 0);
	if (t->kind == V_NODE)
		return lc_yaml_edit_set(c->doc, t->node, l);
	if (c->env->no_create)
		return missing(c, t);
	return create(c, t, l);
}

static int arith(struct ctx *, enum xop, const struct lc_ylit *,
    const struct lc_ylit *, const struct lc_ylit **);

static int
append_target(struct ctx *c, const struct val *t, const struct lc_ylit *l)
{
	struct lc_ydoc *doc = c->doc;
	const struct lc_ylit *sum, *cur;
	enum lc_ylit_kind k;
	const char *s;
	size_t n;
	uint32_t node;
	long line, col;
	int via = 0, rc;

	/* null + x is x in yq: ".b += 1" on a missing b sets 1, not [1]. */
	if (t->kind == V_MISS || (t->kind == V_NODE &&
	    lc_yaml_edit_node_is_null(doc, deref(doc, t->node, &via))))
		return set_target(c, t, l);
	if (t->kind != V_NODE)
		return lc_error_set(LC_EUSAGE, "cannot append to a constant");
	if (t->via & VIA_ALIAS)
		return refuse_alias(c, t);
	node = deref(doc, t->node, &via);
	if (via)
		return refuse_alias(c, t);
	if (doc->nodes[node].type == LC_YSEQ) {
		c->env->matched++;
		return lc_yaml_edit_append(doc, node, l);
	}
	if (doc->nodes[node].type != LC_YSCALAR || l->kind == LC_YL_SEQ ||
	    l->kind == LC_YL_MAP) {
		where(c, node, &line, &col);
		lc_error_set(LC_EUSAGE, "'%s': %ld:%ld: '+=' needs a "
		    "sequence, a string or a number on its left", doc->name,
		    line, col);
		lc_error_where(doc->name, line, col);
		return LC_EUSAGE;
	}
	/* A number plus a number, else the two texts joined. */
	s = lc_yaml_edit_node_value(doc, node, &n);
	k = lc_yaml_edit_node_kind(doc, node);
	if (k != LC_YL_NUM || l->kind != LC_YL_NUM) {
		k = LC_YL_STR;
		l = mklit(c, LC_YL_STR, l->s, l->n);
	}
	cur = mklit(c, k, s, n);
	if ((rc = arith(c, X_ADD, cur, l, &sum)) != 0)
		return rc;
	return set_target(c, t, sum);
}

static void *yfn_alloc(void *, size_t);
static int merge_into(struct ctx *, uint32_t, const struct lc_ylit *, int);

/*
 * t *= l with the merge flags: t's value times l (lc_yaml_func_mul), merged
 * into an existing node (merge_into) so what the product leaves as it
 * was keeps its bytes, comments and layout. A constant, an alias, a key
 * from a <<: merge or a missing path go to set_target, which refuses or
 * creates.
 */
static int
mul_target(struct ctx *c, const struct val *t, const struct lc_ylit *l,
    unsigned flags)
{
	struct lc_yfn_mem mem = { yfn_alloc, c };
	const struct lc_ylit *cur, *r;
	int rc;

	if (t->kind == V_LIT)
		return lc_error_set(LC_EUSAGE, "cannot assign to a constant");
	if ((rc = val_lit(c, t, &cur)) != 0 ||
	    (rc = lc_yaml_func_mul(&mem, cur, l, flags, &r)) != 0)
		return rc;
	if (t->kind != V_NODE || (t->via & (VIA_ALIAS | VIA_MERGE)))
		return set_target(c, t, r);
	c->env->matched++;
	return merge_into(c, t->node, r, 0);
}


/* t -= l: the value of t less l, set in t's place. */
static int
sub_target(struct ctx *c, const struct val *t, const struct lc_ylit *l)
{
	const struct lc_ylit *cur, *r;
	int rc;

	if ((rc = val_lit(c, t, &cur)) != 0)
		return rc;
	/* yq 4.53.6: null - x is x (".b -= 1" on a missing b sets 1). */
	if (cur->kind == LC_YL_NULL)
		return set_target(c, t, l);
	if ((rc = arith(c, X_SUB, cur, l, &r)) != 0)
		return rc;
	return set_target(c, t, r);
}

/* Objects made from one input beyond this many are refused. */
#define MAX_OBJECTS	100000

/*
 * {k: v, ...}: one mapping for each combination of the outputs of the
 * keys and values, the first varying slowest ({"a": (1, 2)} is two).
 */
static int
object(struct ctx *c, const struct xnode *x, const struct val *in,
    struct vals *out)
{
	struct vals *o = alloc(c, (x->nkids + 1) * sizeof(*o));
	struct lc_ylit *l, *kids;
	const struct lc_ylit *cl;
	size_t i, *at, total = 1;
	struct val v;
	int rc = 0;

	memset(o, 0, (x->nkids + 1) * sizeof(*o));
	for (i = 0; i < x->nkids && rc == 0; i++) {
		if ((rc = eval(c, x->kids[i], in, &o[i])) != 0)
			break;
		if (o[i].n == 0 || total > MAX_OBJECTS / o[i].n)
			total = o[i].n == 0 ? 0 : MAX_OBJECTS + 1;
		else
			total *= o[i].n;
	}
	if (rc == 0 && total > MAX_OBJECTS)
		rc = lc_error_set(LC_EUSAGE, "{...} makes more than %d "
		    "mappings from one input", MAX_OBJECTS);
	at = alloc(c, (x->nkids + 1) * sizeof(*at));
	memset(at, 0, (x->nkids + 1) * sizeof(*at));
	while (rc == 0 && total > 0) {
		kids = alloc(c, (x->nkids + 1) * sizeof(*kids));
		for (i = 0; i < x->nkids && rc == 0; i++) {
			if ((rc = val_lit(c, &o[i].v[at[i]], &cl)) != 0)
				break;
			kids[i] = *cl;
			if (i % 2 == 0 && is_coll(cl))
				rc = lc_error_set(LC_EUSAGE, "a key of {...} is "
				    "a %s; keys are scalars", cl->kind ==
				    LC_YL_MAP ? "mapping" : "sequence");
		}
		if (rc != 0)
			break;
		l = mklit(c, LC_YL_MAP, "", 0);
		l->kids = kids;
		l->nkids = x->nkids;
		v = vlit(l);
		push(out, &v);
		/* The next combination: the last place turns fastest. */
		for (i = x->nkids; i-- > 0;) {
			if (++at[i] < o[i].n)
				break;
			at[i] = 0;
		}
		if (i == (size_t)-1)
			break;
	}
	for (i = 0; i < x->nkids; i++)
		free(o[i].v);
	return rc;
}

static int
collection(struct ctx *c, const struct xnode *x, const struct val *in,
    struct vals *out)
{
	struct vals all = { NULL, 0, 0 };
	struct lc_ylit *l, *kids;
	const struct lc_ylit *cl;
	struct val v;
	size_t i, j;
	int rc = 0;

	if (x->op == X_ARRAY) {
		/* [...] collects every output: [.a[]], [.a, .b], [..]. */
		for (i = 0; i < x->nkids && rc == 0; i++)
			rc = eval(c, x->kids[i], in, &all);
		kids = alloc(c, (all.n + 1) * sizeof(*kids));
		for (j = 0; j < all.n && rc == 0; j++)
			if ((rc = val_lit(c, &all.v[j], &cl)) == 0)
				kids[j] = *cl;
		l = mklit(c, LC_YL_SEQ, "", 0);
		l->kids = kids;
		l->nkids = all.n;
		free(all.v);
		if (rc != 0)
			return rc;
		v = vlit(l);
		push(out, &v);
		return 0;
	}
	return object(c, x, in, out);
}

/* env(NAME): the first document of the value, as yq reads it. */
struct env_doc {
	struct ctx *c;
	const struct lc_ylit *v;
};

static int
env_doc(struct lc_ydoc *doc, void *arg)
{
	struct env_doc *e = arg;
	struct lc_ydoc *saved = e->c->doc;
	struct val root = vnode(doc->root, 0);
	int rc;

	if (e->v != NULL)
		return 0;
	e->c->doc = doc;
	rc = val_lit(e->c, &root, &e->v);
	e->c->doc = saved;
	return rc;
}

static int
env_lit(struct ctx *c, const struct xnode *x, struct vals *out)
{
	const char *v = getenv(x->s);
	const struct lc_ylit *l;
	struct env_doc e = { c, NULL };
	struct lc_buf name = LC_BUF_INIT;
	struct val r;
	size_t at;
	int rc;

	/* A silently empty tag would deploy nothing; say so instead. */
	if (v == NULL)
		return lc_error_set(LC_EUSAGE, "environment variable '%s' is "
		    "not set", x->s);
	if ((at = lc_yaml_edit_utf8_check(v, strlen(v))) != strlen(v))
		return lc_error_set(LC_EUSAGE, "environment variable '%s' is "
		    "not UTF-8 (byte 0x%02x at offset %zu); YAML files hold "
		    "UTF-8 text", x->s, (unsigned char)v[at], at);
	if (x->op == X_STRENV)
		l = mklit(c, LC_YL_STR, v, strlen(v));
	else if (*v == '\0')
		return lc_error_set(LC_EUSAGE, "environment variable '%s' is "
		    "empty; env() reads a YAML value (give it one, or use "
		    "strenv(%s) for a string)", x->s, x->s);
	else {
		lc_buf_printf(&name, "env(%s)", x->s);
		rc = lc_yaml_edit_stream(name.data, v, strlen(v), env_doc, &e, NULL);
		lc_buf_release(&name);
		if (rc != 0)
			return rc;
		l = e.v;
	}
	r = vlit(l);
	push(out, &r);
	return 0;
}

static int
cmp_at(const void *a, const void *b)
{
	const uint64_t *x = a, *y = b;

	return *x < *y ? -1 : *x > *y;
}

/* Mark the later of two values naming the same node V_DUP (n log n). */
static void
mark_dups(struct vals *vs)
{
	uint64_t *at;
	size_t i, n = 0;

	if (vs->n < 2)
		return;
	at = lc_xmalloc(vs->n * sizeof(*at));
	for (i = 0; i < vs->n; i++)
		if (vs->v[i].kind == V_NODE)
			at[n++] = (uint64_t)vs->v[i].node << 32 | i;
	qsort(at, n, sizeof(*at), cmp_at);
	for (i = 1; i < n; i++)
		if (at[i] >> 32 == at[i - 1] >> 32)
			vs->v[at[i] & 0xffffffffu].kind = V_DUP;
	free(at);
}

static int assign(struct ctx *, const struct xnode *, const struct val *,
    struct vals *);
static int delete(struct ctx *, const struct xnode *, const struct val *,
    struct vals *);

/* An edit of a constant, made on a scratch document (see edit_constant). */
struct scratch {
	struct ctx *c;
	const struct xnode *x;
	const struct lc_ylit *res;
};

static int
scratch_doc(struct lc_ydoc *doc, void *arg)
{
	struct scratch *sc = arg;
	struct ctx *c = sc->c;
	struct lc_ydoc *saved = c->doc;
	struct vals o = { NULL, 0, 0 };
	struct val root = vnode(doc->root, 0);
	int rc, lhs = c->lhs;

	/* c evaluates on the scratch document, then on its own again. */
	c->doc = doc;
	c->lhs = 0;
	rc = sc->x->op == X_DEL ? delete(c, sc->x, &root, &o) :
	    assign(c, sc->x, &root, &o);
	free(o.v);
	if (rc == 0 && doc->nedits > 0)
		rc = lc_yaml_edit_commit(doc);
	if (rc == 0) {
		root = vnode(doc->root, 0);
		rc = val_lit(c, &root, &sc->res);
	}
	c->doc = saved;
	c->lhs = lhs;
	return rc;
}

/*
 * An assignment or del on a constant ('{"a": 1} | .a = 2', an entry in
 * with_entries, an item in map): yq edits values as it edits documents,
 * so the constant is written out as YAML, edited as a document and read
 * back.
 */
static int
edit_constant(struct ctx *c, const struct xnode *x, const struct val *in,
    struct vals *out)
{
	struct lc_buf b = LC_BUF_INIT;
	struct scratch sc = { c, x, NULL };
	struct val v;
	int rc;

	lc_yaml_edit_emit(&b, in->lit);
	rc = lc_yaml_edit_stream("(a value)", b.data ? b.data : "", b.len,
	    scratch_doc, &sc, NULL);
	lc_buf_release(&b);
	if (rc == 0 && sc.res != NULL) {
		v = vlit(sc.res);
		push(out, &v);
	}
	return rc;
}

static int
assign(struct ctx *c, const struct xnode *x, const struct val *in,
    struct vals *out)
{
	struct vals lhs = { NULL, 0, 0 };
	const struct lc_ylit *l;
	struct val r;
	size_t i;
	int rc, lhs_mode;

	if (in->kind == V_LIT)
		return edit_constant(c, x, in, out);
	lhs_mode = c->lhs;
	c->lhs = 1;
	rc = eval(c, x->a, in, &lhs);
	c->lhs = lhs_mode;
	if (rc != 0)
		goto done;
	if (x->op == X_ASSIGN && (rc = eval1(c, x->b, in, &r)) != 0)
		goto done;
	if (x->op != X_ASSIGN && x->op != X_UPDATE) {
		/*
		 * "+=", "-=", "*=" as yq: the last output of the right side;
		 * none, or a missing path, leaves the targets as they are.
		 */
		size_t n;

		if ((rc = eval_pick(c, x->b, in, 1, &r, &n)) != 0)
			goto done;
		if (n == 0 || r.kind == V_MISS) {
			push(out, in);
			goto done;
		}
	}
	/* ".." and friends can name a node twice; edit it once. */
	mark_dups(&lhs);
	for (i = 0; i < lhs.n && rc == 0; i++) {
		if (lhs.v[i].kind == V_DUP)
			continue;
		if (x->op == X_UPDATE) {
			size_t n;

			/* No output leaves the target as it is (yq). */
			if ((rc = eval_pick(c, x->b, &lhs.v[i], 0, &r,
			    &n)) != 0)
				break;
			if (n == 0)
				continue;
			/* An inner assignment returns its input: done. */
			if (r.kind == V_NODE && lhs.v[i].kind == V_NODE &&
			    r.node == lhs.v[i].node)
				continue;
		}
		if ((rc = val_lit(c, &r, &l)) != 0)
			break;
		if (x->op == X_APPEND)
			rc = append_target(c, &lhs.v[i], l);
		else if (x->op == X_SUBASSIGN)
			rc = sub_target(c, &lhs.v[i], l);
		else if (x->op == X_MULASSIGN)
			rc = mul_target(c, &lhs.v[i], l, (unsigned)x->idx);
		else
			rc = set_target(c, &lhs.v[i], l);
	}
	if (rc == 0)
		push(out, in);
done:
	free(lhs.v);
	return rc;
}

/*
 * Delete the nodes of ts (values of mappings, items of sequences). When
 * they are every entry of a collection, the collection becomes empty
 * ("a: []", as yq) in one edit instead of a key with nothing after it.
 */
static int
delete_nodes(struct ctx *c, const struct vals *ts)
{
	static const struct lc_ylit empty_seq = { LC_YL_SEQ, "", 0, NULL, 0 };
	static const struct lc_ylit empty_map = { LC_YL_MAP, "", 0, NULL, 0 };
	struct lc_ydoc *doc = c->doc;
	uint32_t *left, p;
	size_t i;
	int rc = 0;

	for (i = 0; i < ts->n; i++)
		if (ts->v[i].kind == V_NODE &&
		    (ts->v[i].via & (VIA_ALIAS | VIA_MERGE)))
			return refuse_alias(c, &ts->v[i]);
	/* left[p]: the entries of p no target deletes. */
	left = lc_xmalloc(((size_t)doc->nnodes + 1) * sizeof(*left));
	for (i = 0; i < ts->n; i++)
		if (ts->v[i].kind == V_NODE &&
		    (p = doc->nodes[ts->v[i].node].parent) != 0)
			left[p] = doc->nodes[p].type == LC_YMAP ?
			    doc->nodes[p].nkids / 2 : doc->nodes[p].nkids;
	for (i = 0; i < ts->n; i++)
		if (ts->v[i].kind == V_NODE &&
		    (p = doc->nodes[ts->v[i].node].parent) != 0)
			left[p]--;
	for (i = 0; i < ts->n && rc == 0; i++) {
		if (ts->v[i].kind != V_NODE)
			continue;
		c->env->matched++;
		p = doc->nodes[ts->v[i].node].parent;
		if (p != 0 && left[p] == UINT32_MAX)
			continue;
		if (p == 0 || left[p] != 0)
			rc = lc_yaml_edit_delete(doc, ts->v[i].node);
		else {
			left[p] = UINT32_MAX;	/* emptied once */
			rc = lc_yaml_edit_set(doc, p, doc->nodes[p].type ==
			    LC_YMAP ? &empty_map : &empty_seq);
		}
	}
	free(left);
	return rc;
}

static int
delete(struct ctx *c, const struct xnode *x, const struct val *in,
    struct vals *out)
{
	struct vals ts = { NULL, 0, 0 };
	int rc, lhs_mode;

	if (in->kind == V_LIT)
		return edit_constant(c, x, in, out);
	lhs_mode = c->lhs;
	c->lhs = 1;
	rc = eval(c, x->a, in, &ts);
	c->lhs = lhs_mode;
	if (rc == 0) {
		mark_dups(&ts);
		rc = delete_nodes(c, &ts);
	}
	if (rc == 0)
		push(out, in);
	free(ts.v);
	return rc;
}

static int is_coll(const struct lc_ylit *);
static int print_val(struct ctx *, const struct val *, struct lc_buf *);

/* A number as short a text as reads back the same (Go's, so yq's). */
static struct lc_ylit *
num_lit(struct ctx *c, double d)
{
	char num[64];
	int prec;

	if (d == (double)(long long)d && d > -1e15 && d < 1e15)
		snprintf(num, sizeof(num), "%lld", (long long)d);
	else
		for (prec = 1; prec <= 17; prec++) {
			snprintf(num, sizeof(num), "%.*g", prec, d);
			if (strtod(num, NULL) == d)
				break;
		}
	return mklit(c, LC_YL_NUM, num, strlen(num));
}

/* Whether scalars a and b are equal, as equal() does for values. */
static int
lit_equal(const struct lc_ylit *a, const struct lc_ylit *b)
{
	size_t i;

	if (a->kind == LC_YL_NUM && b->kind == LC_YL_NUM)
		return strtod(a->s, NULL) == strtod(b->s, NULL);
	if (a->kind != b->kind || a->nkids != b->nkids)
		return 0;
	if (a->kind == LC_YL_SEQ || a->kind == LC_YL_MAP) {
		for (i = 0; i < a->nkids; i++)
			if (!lit_equal(&a->kids[i], &b->kids[i]))
				return 0;
		return 1;
	}
	if (a->kind == LC_YL_BOOL)
		return (a->s[0] == 't' || a->s[0] == 'T') ==
		    (b->s[0] == 't' || b->s[0] == 'T');
	return a->kind == LC_YL_NULL || (a->n == b->n &&
	    memcmp(a->s, b->s, a->n) == 0);
}

static const char *
kind_name(enum lc_ylit_kind k)
{
	static const char *const names[] = { "!!null", "!!bool", "number",
	    "!!str", "!!seq", "!!map" };

	return names[k];
}

/*
 * a + b and a - b as yq computes them: numbers, strings joined, sequences
 * concatenated (or their items removed), mappings merged one level deep
 * (the keys of b win); null + x is x.
 */
static int
arith(struct ctx *c, enum xop op, const struct lc_ylit *a,
    const struct lc_ylit *b, const struct lc_ylit **out)
{
	struct lc_yfn_mem mem = { yfn_alloc, c };

	if (op == X_ADD && (a->kind == LC_YL_NULL || b->kind == LC_YL_NULL)) {
		*out = a->kind == LC_YL_NULL ? b : a;
		return 0;
	}
	/* What yq adds or subtracts: the arithmetic is yaml_func.c's. */
	if ((a->kind == LC_YL_NUM && b->kind == LC_YL_NUM) ||
	    (op == X_ADD && (a->kind == LC_YL_STR || b->kind == LC_YL_STR) &&
	    !is_coll(a) && !is_coll(b)) || a->kind == LC_YL_SEQ ||
	    (op == X_ADD && a->kind == LC_YL_MAP && b->kind == LC_YL_MAP))
		return op == X_ADD ? lc_yaml_func_add(&mem, a, b, out) :
		    lc_yaml_func_sub(&mem, a, b, out);
	return lc_error_set(LC_EUSAGE, "cannot %s %s %s %s",
	    op == X_ADD ? "add" : "subtract", kind_name(b->kind),
	    op == X_ADD ? "to" : "from", kind_name(a->kind));
}

/* a < b (and the others) as yq: numbers, strings; null is never less. */
static int
compare(struct ctx *c, enum xop op, const struct val *a, const struct val *b,
    int *t)
{
	static const char *const ops[] = { "<", "<=", ">", ">=" };
	enum lc_ylit_kind ka, kb;
	const char *sa, *sb;
	size_t na, nb;

	if (!scalar_of(c, a, &ka, &sa, &na) || !scalar_of(c, b, &kb, &sb, &nb))
		return lc_error_set(LC_EUSAGE, "cannot compare collections "
		    "with '<', '<=', '>' or '>='");
	/* Two numbers, two strings, or a null and anything. */
	if (ka != LC_YL_NULL && kb != LC_YL_NULL && (ka != kb ||
	    (ka != LC_YL_NUM && ka != LC_YL_STR)))
		return lc_error_set(LC_EUSAGE, "cannot compare %s with %s",
		    kind_name(ka), kind_name(kb));
	/* The comparison itself is yaml_func.c's (ints as ints). */
	return lc_yaml_func_compare(mklit(c, ka, sa, na), mklit(c, kb, sb, nb),
	    ops[op - X_LT], t);
}

/*
 * yq's a / b and a % b: numbers divide (always a float), a string divided
 * by a string is split by it, ints take the remainder (its sign a's),
 * anything with a float the float remainder. By 0 is an error.
 */
static int
div_mod(struct ctx *c, enum xop op, const struct lc_ylit *a,
    const struct lc_ylit *b, const struct lc_ylit **out)
{
	struct lc_yfn_mem mem = { yfn_alloc, c };
	long long ia, ib;
	double da, db;
	char *ea, *eb, num[32];
	size_t n;

	if (op == X_DIV && a->kind == LC_YL_STR && b->kind == LC_YL_STR)
		return lc_yaml_func_call("split", 5, a, b, 1, &mem, out, &n);
	if (a->kind != LC_YL_NUM || b->kind != LC_YL_NUM)
		return lc_error_set(LC_EUSAGE, "cannot %s %s by %s",
		    op == X_DIV ? "divide" : "take the remainder of",
		    lc_yaml_func_tag(a), lc_yaml_func_tag(b));
	da = strtod(a->s, &ea);
	db = strtod(b->s, &eb);
	if (db == 0)
		return lc_error_set(LC_EUSAGE, "cannot %s by 0",
		    op == X_DIV ? "divide" : "take the remainder");
	if (op == X_DIV) {
		*out = num_lit(c, da / db);
		return 0;
	}
	errno = 0;
	ia = strtoll(a->s, &ea, 0);
	ib = strtoll(b->s, &eb, 0);
	if (errno == 0 && *ea == '\0' && *eb == '\0' && ib != 0 &&
	    !(ib == -1 && ia == LLONG_MIN)) {
		snprintf(num, sizeof(num), "%lld", ia % ib);
		*out = mklit(c, LC_YL_NUM, num, strlen(num));
	} else if (da / db > -9e18 && da / db < 9e18)
		*out = num_lit(c, da - db * (double)(long long)(da / db));
	else
		return lc_error_set(LC_EUSAGE, "cannot take the remainder of "
		    "%.*s by %.*s: too large", (int)a->n, a->s, (int)b->n,
		    b->s);
	return 0;
}

/*
 * yq's "*" (with x->idx's merge flags), "/" and "%" on every pair of
 * outputs, the left side's outer: (1, 2) * (3, 4) is 3, 4, 6, 8. A missing path gives
 * nothing on either side, as in yq (".a * .missing" has no output).
 */
static int
multiply(struct ctx *c, const struct xnode *x, const struct val *in,
    struct vals *out)
{
	struct lc_yfn_mem mem = { yfn_alloc, c };
	struct vals as = { NULL, 0, 0 }, bs = { NULL, 0, 0 };
	const struct lc_ylit *la, *lb, *r;
	struct val v;
	size_t i, j;
	int rc;

	if ((rc = eval(c, x->a, in, &as)) != 0 ||
	    (rc = eval(c, x->b, in, &bs)) != 0)
		goto done;
	for (i = 0; i < as.n && rc == 0; i++) {
		if (as.v[i].kind == V_MISS ||
		    (rc = val_lit(c, &as.v[i], &la)) != 0)
			continue;
		for (j = 0; j < bs.n && rc == 0; j++) {
			if (bs.v[j].kind == V_MISS ||
			    (rc = val_lit(c, &bs.v[j], &lb)) != 0 ||
			    (rc = x->op == X_MUL ? lc_yaml_func_mul(&mem, la, lb,
			    (unsigned)x->idx, &r) : div_mod(c, x->op, la, lb,
			    &r)) != 0)
				continue;
			v = vlit(r);
			push(out, &v);
		}
	}
done:
	free(as.v);
	free(bs.v);
	return rc;
}

/* Number of UTF-8 characters in s. */
static size_t
utf8_len(const char *s, size_t n)
{
	size_t i, r = 0;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			r++;
	return r;
}

/* Byte offset of character k of s (n when past the end). */
static size_t
utf8_at(const char *s, size_t n, size_t k)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80 && k-- == 0)
			return i;
	return n;
}

/* [from:to] of a sequence or a string (counts from the end when < 0). */
static int
slice(struct ctx *c, const struct xnode *x, const struct val *in,
    struct vals *out)
{
	const struct lc_ylit *l;
	struct lc_ylit *r;
	long len, from, to;
	size_t a, b;
	struct val v;
	int rc;

	if (in->kind == V_MISS)
		return 0;
	if ((rc = val_lit(c, in, &l)) != 0)
		return rc;
	if (l->kind == LC_YL_SEQ)
		len = (long)l->nkids;
	else if (l->kind == LC_YL_STR)
		len = (long)utf8_len(l->s, l->n);
	else if (l->kind == LC_YL_NULL)
		return 0;
	else
		return lc_error_set(LC_EUSAGE, "cannot slice %s: only "
		    "sequences and strings", kind_name(l->kind));
	from = x->given & 1 ? x->idx : 0;
	to = x->given & 2 ? x->end : len;
	if (from < 0)
		from += len;
	if (to < 0)
		to += len;
	from = from < 0 ? 0 : from > len ? len : from;
	to = to < from ? from : to > len ? len : to;
	if (l->kind == LC_YL_SEQ) {
		r = mklit(c, LC_YL_SEQ, "", 0);
		r->kids = l->kids + from;
		r->nkids = (size_t)(to - from);
	} else {
		a = utf8_at(l->s, l->n, (size_t)from);
		b = utf8_at(l->s, l->n, (size_t)to);
		r = mklit(c, LC_YL_STR, l->s + a, b - a);
	}
	v = vlit(r);
	push(out, &v);
	return 0;
}

/* $ENV: the environment as a mapping (values that are not UTF-8 left out). */
static const struct lc_ylit *
env_map(struct ctx *c)
{
	extern char **environ;
	struct lc_ylit *m, *kids;
	const char *eq;
	size_t n, i;

	if (c->envmap != NULL)
		return c->envmap;
	for (n = 0; environ[n] != NULL; n++)
		;
	kids = alloc(c, (2 * n + 1) * sizeof(*kids));
	m = mklit(c, LC_YL_MAP, "", 0);
	for (i = 0; i < n; i++) {
		if ((eq = strchr(environ[i], '=')) == NULL ||
		    lc_yaml_edit_utf8_check(environ[i], strlen(environ[i])) !=
		    strlen(environ[i]))
			continue;
		kids[m->nkids++] = *mklit(c, LC_YL_STR, environ[i],
		    (size_t)(eq - environ[i]));
		kids[m->nkids++] = *mklit(c, LC_YL_STR, eq + 1, strlen(eq + 1));
	}
	m->kids = kids;
	c->envmap = m;
	return m;
}

static void
bind_push(struct ctx *c, const char *name, const struct val *v)
{
	if (c->nbinds == c->capbinds) {
		c->capbinds = c->capbinds ? c->capbinds * 2 : 8;
		c->binds = lc_xrealloc(c->binds, c->capbinds *
		    sizeof(*c->binds));
	}
	c->binds[c->nbinds].name = name;
	c->binds[c->nbinds++].v = *v;
}

static int
variable(struct ctx *c, const struct xnode *x, struct vals *out)
{
	const char *s;
	struct val v;
	size_t i, n;

	for (i = c->nbinds; i-- > 0;)
		if (strcmp(c->binds[i].name, x->s) == 0) {
			push(out, &c->binds[i].v);
			return 0;
		}
	for (i = 0; i < c->env->nvars; i++)
		if (strcmp(c->env->vars[i].name, x->s) == 0)
			break;
	if (i == c->env->nvars && strcmp(x->s, "ENV") == 0) {
		v = vlit(env_map(c));
		push(out, &v);
		return 0;
	}
	if (i == c->env->nvars)
		return lc_error_set(LC_EUSAGE, "variable '$%s' is not "
		    "defined (use --arg %s VALUE)", x->s, x->s);
	s = c->env->vars[i].value;
	if ((n = lc_yaml_edit_utf8_check(s, strlen(s))) != strlen(s))
		return lc_error_set(LC_EUSAGE, "--arg %s: the value is "
		    "not UTF-8 (byte 0x%02x at offset %zu); YAML files "
		    "hold UTF-8 text", x->s, (unsigned char)s[n], n);
	v = vlit(mklit(c, LC_YL_STR, s, strlen(s)));
	push(out, &v);
	return 0;
}

/* "a \(expr) b": scalars as their text, collections as YAML. */
static int
interpolate(struct ctx *c, const struct xnode *x, const struct val *in,
    struct vals *out)
{
	struct lc_buf b = LC_BUF_INIT, t = LC_BUF_INIT;
	const struct lc_yaml_fmt *fmt;
	enum lc_ylit_kind k;
	const char *s;
	struct val v;
	size_t i, n;
	int rc = 0;

	for (i = 0; i < x->nkids && rc == 0; i++) {
		if (x->kids[i]->op == X_LIT) {
			lc_buf_add(&b, x->kids[i]->lit.s, x->kids[i]->lit.n);
			continue;
		}
		if ((rc = eval1(c, x->kids[i], in, &v)) != 0)
			break;
		if (scalar_of(c, &v, &k, &s, &n))
			lc_buf_add(&b, s, n);
		else {
			/* A collection in a string: as YAML, whatever -o. */
			fmt = c->env->fmt;
			c->env->fmt = NULL;
			t.len = 0;
			(void)print_val(c, &v, &t);
			c->env->fmt = fmt;
			while (t.len > 0 && t.data[t.len - 1] == '\n')
				t.len--;
			lc_buf_add(&b, t.data, t.len);
		}
	}
	if (rc == 0) {
		v = vlit(mklit(c, LC_YL_STR, b.data ? b.data : "", b.len));
		push(out, &v);
	}
	lc_buf_release(&b);
	lc_buf_release(&t);
	return rc;
}

/* The explicit tag of node n ("!foo", "!!str"), or NULL. */
static const char *
explicit_tag(struct ctx *c, uint32_t n, size_t *len)
{
	const struct lc_ynode *nd = &c->doc->nodes[n];
	const char *t = c->doc->text;
	uint32_t p, e;

	for (p = nd->start; p < nd->vstart; p++) {
		if (t[p] == '&') {
			while (p < nd->vstart && t[p] != ' ' && t[p] != '\t' &&
			    t[p] != '\n' && t[p] != '\r')
				p++;
			continue;
		}
		if (t[p] != '!')
			continue;
		for (e = p; e < nd->vstart && t[e] != ' ' && t[e] != '\t' &&
		    t[e] != '\n' && t[e] != '\r'; e++)
			;
		*len = e - p;
		return t + p;
	}
	return NULL;
}

/* A scalar's tag by its resolved kind: !!int and !!float for numbers. */
static const char *
scalar_tag(enum lc_ylit_kind k, const char *s, size_t n)
{
	size_t i;

	if (k == LC_YL_NUM) {
		for (i = 0; i < n; i++)
			if (s[i] == '.' || ((s[i] == 'e' || s[i] == 'E') &&
			    !(n > 1 && s[0] == '0' && (s[1] == 'x' ||
			    s[1] == 'X'))))
				return "!!float";
		return "!!int";
	}
	return k == LC_YL_NULL ? "!!null" : k == LC_YL_BOOL ? "!!bool" :
	    k == LC_YL_SEQ ? "!!seq" : k == LC_YL_MAP ? "!!map" : "!!str";
}

/*
 * Node v's kind without copying it: a scalar as a value, a collection as
 * an empty value of its kind whose nkids is its count of items or keys.
 */
static const struct lc_ylit *
node_shape(struct ctx *c, const struct val *v)
{
	struct lc_ydoc *doc = c->doc;
	struct lc_ylit *l;
	const char *s;
	size_t len, k;
	int via = v->via;
	uint32_t n = deref(doc, v->node, &via), i;

	if (n == 0)
		return NULL;
	if (doc->nodes[n].type == LC_YSCALAR) {
		s = lc_yaml_edit_node_value(doc, n, &len);
		return mklit(c, lc_yaml_edit_node_kind(doc, n), s, len);
	}
	if (doc->nodes[n].type != LC_YMAP && doc->nodes[n].type != LC_YSEQ)
		return NULL;
	l = mklit(c, doc->nodes[n].type == LC_YMAP ? LC_YL_MAP : LC_YL_SEQ,
	    "", 0);
	for (k = 0, i = doc->nodes[n].first; i; i = doc->nodes[i].next)
		k++;
	/* A mapping's kids are its keys and values; merge keys aside. */
	l->nkids = doc->nodes[n].type == LC_YMAP ? k / 2 : k;
	return l;
}

/* Whether node v is a plain scalar that yq reads as a !!timestamp. */
static int
is_timestamp(struct ctx *c, const struct val *v)
{
	int via = v->via;
	uint32_t n = deref(c->doc, v->node, &via);
	const char *s;
	size_t len, i;

	if (c->doc->nodes[n].style != LC_YPLAIN)
		return 0;
	s = lc_yaml_edit_node_value(c->doc, n, &len);
	if (len < 10)
		return 0;
	for (i = 0; i < 10; i++)
		if (i == 4 || i == 7 ? s[i] != '-' : !isdigit((unsigned char)s[i]))
			return 0;
	return len == 10 || s[10] == 'T' || s[10] == 't' || s[10] == ' ';
}

/* The kind, tag, length, keys, ... of value v (yq's value functions). */
static int
node_info(struct ctx *c, enum xfunc f, const struct val *in, struct vals *out)
{
	struct lc_ydoc *doc = c->doc;
	struct lc_ylit *r, *kids;
	const struct lc_ylit *l;
	const char *s;
	struct val v;
	size_t n, i;
	long line, col;
	int rc;

	if (in->kind == V_NODE && (f == F_LINE || f == F_COLUMN)) {
		lc_yaml_edit_where(doc, doc->nodes[in->node].vstart, &line, &col);
		v = vlit(num_lit(c, (double)(f == F_LINE ? line : col)));
		push(out, &v);
		return 0;
	}
	if (in->kind == V_NODE && f == F_TAG &&
	    (s = explicit_tag(c, in->node, &n)) != NULL) {
		v = vlit(mklit(c, LC_YL_STR, s, n));
		push(out, &v);
		return 0;
	}
	if (f == F_LINE || f == F_COLUMN) {
		v = vlit(mklit(c, LC_YL_NUM, "0", 1));
		push(out, &v);
		return 0;
	}
	/* Collections need no copy to say their kind, tag or length. */
	if (in->kind == V_NODE && (f == F_KIND || f == F_TAG ||
	    f == F_LENGTH) && (l = node_shape(c, in)) != NULL) {
		if (f == F_TAG && l->kind == LC_YL_STR &&
		    is_timestamp(c, in))
			s = "!!timestamp";
		else if (f == F_KIND || f == F_TAG)
			s = f == F_TAG ? scalar_tag(l->kind, l->s, l->n) :
			    l->kind == LC_YL_MAP ? "map" :
			    l->kind == LC_YL_SEQ ? "seq" : "scalar";
		else
			s = NULL;
		v = vlit(s ? mklit(c, LC_YL_STR, s, strlen(s)) :
		    num_lit(c, (double)(l->kind == LC_YL_STR ||
		    l->kind == LC_YL_NUM || l->kind == LC_YL_BOOL ?
		    l->n : l->nkids)));
		push(out, &v);
		return 0;
	}
	if ((rc = val_lit(c, in, &l)) != 0)
		return rc;
	switch (f) {
	case F_KIND:
		s = l->kind == LC_YL_MAP ? "map" : l->kind == LC_YL_SEQ ?
		    "seq" : "scalar";
		r = mklit(c, LC_YL_STR, s, strlen(s));
		break;
	case F_TAG:
		s = scalar_tag(l->kind, l->s, l->n);
		r = mklit(c, LC_YL_STR, s, strlen(s));
		break;
	case F_LENGTH:
		n = l->kind == LC_YL_MAP ? l->nkids / 2 : l->kind == LC_YL_SEQ ?
		    l->nkids : l->kind == LC_YL_NULL ? 0 : l->n;
		r = num_lit(c, (double)n);
		break;
	case F_KEYS:
		if (l->kind != LC_YL_MAP && l->kind != LC_YL_SEQ)
			return lc_error_set(LC_EUSAGE, "cannot get the keys "
			    "of %s: only of mappings and sequences",
			    kind_name(l->kind));
		n = l->kind == LC_YL_MAP ? l->nkids / 2 : l->nkids;
		kids = alloc(c, (n + 1) * sizeof(*kids));
		for (i = 0; i < n; i++)
			kids[i] = l->kind == LC_YL_MAP ? l->kids[2 * i] :
			    *num_lit(c, (double)i);
		r = mklit(c, LC_YL_SEQ, "", 0);
		r->kids = kids;
		r->nkids = n;
		break;
	default:
		abort();
	}
	v = vlit(r);
	push(out, &v);
	return 0;
}

/* The path of v from the root, as a sequence of keys and indexes. */
static const struct lc_ylit *
path_of(struct ctx *c, const struct val *v)
{
	struct lc_ydoc *doc = c->doc;
	struct lc_ylit *r = mklit(c, LC_YL_SEQ, "", 0), *kids;
	const char *s;
	uint32_t n, p, k, i;
	size_t depth = 0, j, len;

	if (v->kind == V_LIT)
		return r;
	for (n = v->node; doc->nodes[n].parent; n = doc->nodes[n].parent)
		depth++;
	kids = alloc(c, (depth + (v->kind == V_MISS ? v->nkeys : 0) + 1) *
	    sizeof(*kids));
	j = depth;
	for (n = v->node; (p = doc->nodes[n].parent) != 0; n = p) {
		if (doc->nodes[p].type == LC_YMAP &&
		    (k = lc_yaml_edit_node_key(doc, n)) != 0) {
			s = lc_yaml_edit_node_value(doc, k, &len);
			kids[--j] = *mklit(c, lc_yaml_edit_node_kind(doc, k) ==
			    LC_YL_NUM ? LC_YL_NUM : LC_YL_STR, s, len);
		} else {
			for (i = 0, k = doc->nodes[p].first; k && k != n;
			    k = doc->nodes[k].next)
				i++;
			kids[--j] = *num_lit(c, (double)i);
		}
	}
	r->kids = kids;
	r->nkids = depth;
	if (v->kind == V_MISS)
		for (j = 0; j < v->nkeys; j++)
			kids[r->nkids++] = v->keys[j];
	return r;
}

/* has(key): a mapping's key, or a sequence's index, exists. */
static int
has_key(struct ctx *c, const struct val *in, enum lc_ylit_kind kk,
    const char *s, size_t n)
{
	struct lc_ydoc *doc = c->doc;
	uint32_t node;
	long idx = strtol(s, NULL, 10), len;
	int via = 0, merged;

	if (in->kind == V_LIT && in->lit->kind == LC_YL_MAP)
		return lit_get(in->lit, s, n) != NULL;
	if (in->kind == V_LIT && in->lit->kind == LC_YL_SEQ)
		return kk == LC_YL_NUM && idx >= 0 &&
		    idx < (long)in->lit->nkids;
	if (in->kind != V_NODE)
		return 0;
	node = deref(doc, in->node, &via);
	if (doc->nodes[node].type == LC_YMAP)
		return lc_yaml_edit_map_get(doc, node, s, n, &merged) != 0;
	len = (long)doc->nodes[node].nkids;
	return doc->nodes[node].type == LC_YSEQ && kk == LC_YL_NUM &&
	    idx >= 0 && idx < len;
}

static const char *
env_get(void *arg, const char *name, size_t n, size_t *len)
{
	struct lc_buf *b = arg;
	const char *v;

	b->len = 0;
	lc_buf_add(b, name, n);
	if ((v = getenv(b->data)) != NULL)
		*len = strlen(v);
	return v;
}

/* envsubst: the variables in a string from the environment (yaml_env.c). */
static int
envsubst(struct ctx *c, const struct xnode *x, const struct val *in,
    struct vals *out)
{
	struct lc_buf name = LC_BUF_INIT, res = LC_BUF_INIT;
	const struct lc_ylit *l;
	const char *tag = NULL;
	struct val v;
	size_t n = 0;
	int rc, str;

	if ((rc = val_lit(c, in, &l)) != 0)
		return rc;
	/* The tag decides, as in yq: "!!str 5" is a string, "!x a" not. */
	if (in->kind == V_NODE &&
	    (tag = explicit_tag(c, in->node, &n)) != NULL)
		str = n == 5 && memcmp(tag, "!!str", 5) == 0;
	else
		str = l->kind == LC_YL_STR;
	if (!str)
		return lc_error_set(LC_EDATA, "envsubst: cannot substitute "
		    "%.*s, only strings; for every string of a document write "
		    "(.. | select(tag == \"!!str\")) |= envsubst",
		    tag ? (int)(n > 64 ? 64 : n) : (int)strlen(lc_yaml_func_tag(l)),
		    tag ? tag : lc_yaml_func_tag(l));
	lc_buf_adds(&res, "");
	rc = lc_yaml_env_subst(&res, l->s, l->n, (unsigned)x->idx, LC_YFN_MAXSTR,
	    env_get, &name);
	if (rc == 0 && lc_yaml_edit_utf8_check(res.data, res.len) != res.len)
		rc = lc_error_set(LC_EUSAGE, "envsubst: the value of a "
		    "variable is not UTF-8; YAML files hold UTF-8 text");
	if (rc == 0) {
		v = vlit(mklit(c, LC_YL_STR, res.data, res.len));
		push(out, &v);
	}
	lc_buf_release(&name);
	lc_buf_release(&res);
	return rc;
}

static void *
yfn_alloc(void *arg, size_t n)
{
	return alloc(arg, n);
}

/* A value function: the input and each argument's first output as values. */
static int
yfn_eval(struct ctx *c, const struct xnode *x, const struct val *in,
    struct vals *out)
{
	struct lc_yfn_mem mem = { yfn_alloc, c };
	const struct lc_ylit *input, *res;
	struct lc_ylit *args = NULL;
	struct val v;
	size_t i, n;
	int rc, via = in->via;

	if (in->kind == V_NODE && x->nkids == 0 && (strcmp(x->s, "to_string")
	    == 0 || strcmp(x->s, "tostring") == 0) &&
	    c->doc->nodes[deref(c->doc, in->node, &via)].type != LC_YSCALAR) {
		/* A collection's text as the file writes it (yq). */
		struct lc_buf b = LC_BUF_INIT;

		lc_yaml_edit_print(c->doc, deref(c->doc, in->node, &via), &b);
		while (b.len > 0 && b.data[b.len - 1] == '\n')
			b.len--;
		v = vlit(mklit(c, LC_YL_STR, b.data ? b.data : "", b.len));
		lc_buf_release(&b);
		push(out, &v);
		return 0;
	}
	if ((rc = val_lit(c, in, &input)) != 0)
		return rc;
	if (x->nkids > 0)
		args = alloc(c, x->nkids * sizeof(*args));
	for (i = 0; i < x->nkids; i++) {
		const struct lc_ylit *a;

		if ((rc = eval1(c, x->kids[i], in, &v)) != 0 ||
		    (rc = val_lit(c, &v, &a)) != 0)
			return rc;
		args[i] = *a;
	}
	if ((rc = lc_yaml_func_call(x->s, x->n, input, args, x->nkids, &mem, &res,
	    &n)) != 0)
		return rc;
	for (i = 0; i < n; i++) {
		v = vlit(&res[i]);
		push(out, &v);
	}
	return 0;
}

/* A new sequence or mapping value of n kids (filled by the caller). */
static struct lc_ylit *
mkcoll(struct ctx *c, enum lc_ylit_kind kind, size_t n, struct lc_ylit **kids)
{
	struct lc_ylit *l = mklit(c, kind, "", 0);

	*kids = alloc(c, (n + 1) * sizeof(**kids));
	l->kids = *kids;
	l->nkids = 0;
	return l;
}

/* Every output of f on each of items, as values, appended to seq. */
static int
collect_each(struct ctx *c, const struct xnode *f, const struct vals *items,
    struct vals *outs)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < items->n && rc == 0; i++)
		rc = eval(c, f, &items->v[i], outs);
	return rc;
}

/* outs as one sequence value. */
static int
seq_of(struct ctx *c, const struct vals *outs, struct val *res)
{
	struct lc_ylit *k, *seq = mkcoll(c, LC_YL_SEQ, outs->n, &k);
	const struct lc_ylit *l;
	size_t i;
	int rc;

	for (i = 0; i < outs->n; i++) {
		if ((rc = val_lit(c, &outs->v[i], &l)) != 0)
			return rc;
		k[seq->nkids++] = *l;
	}
	*res = vlit(seq);
	return 0;
}

/*
 * map_values(f) and with_entries' map: each value of the collection in
 * replaced by f's first output, kept when f gives none (yq's ".[] |= f").
 */
static int
map_values(struct ctx *c, const struct xnode *f, const struct lc_ylit *l,
    struct val *res)
{
	struct lc_ylit *r, *k;
	struct vals o = { NULL, 0, 0 };
	const struct lc_ylit *v;
	struct val item;
	size_t i, step = l->kind == LC_YL_MAP ? 2 : 1;
	int rc = 0;

	if (!is_coll(l)) {
		*res = vlit(l);
		return 0;
	}
	r = mkcoll(c, l->kind, l->nkids, &k);
	for (i = 0; i < l->nkids && rc == 0; i++) {
		if (step == 2 && i % 2 == 0) {
			k[r->nkids++] = l->kids[i];
			continue;
		}
		o.n = 0;
		item = vlit(&l->kids[i]);
		if ((rc = eval(c, f, &item, &o)) != 0 ||
		    (o.n > 0 && (rc = val_lit(c, &o.v[0], &v)) != 0))
			break;
		k[r->nkids++] = o.n > 0 ? *v : l->kids[i];
	}
	free(o.v);
	*res = vlit(r);
	return rc;
}

/* The keys f gives for each of items (its first output, or null). */
static int
keys_of(struct ctx *c, const struct xnode *f, const struct vals *items,
    struct lc_ylit **keys)
{
	const struct lc_ylit *l;
	struct val v;
	size_t i;
	int rc;

	*keys = alloc(c, (items->n + 1) * sizeof(**keys));
	for (i = 0; i < items->n; i++) {
		if ((rc = eval1(c, f, &items->v[i], &v)) != 0 ||
		    (rc = val_lit(c, &v, &l)) != 0)
			return rc;
		(*keys)[i] = *l;
	}
	return 0;
}

/*
 * sort_by(f) with f giving several keys ("sort_by(.a, .b)"): stable sorts
 * from the last key to the first, so the first key decides.
 */
static int
sort_by_all(struct ctx *c, const struct xnode *f, const struct vals *items,
    size_t *order)
{
	struct lc_yfn_mem mem = { yfn_alloc, c };
	struct vals *outs;
	struct lc_ylit *keys;
	size_t i, k, most = 0, n = items->n, *o2, *tmp;
	int rc = 0;

	outs = alloc(c, (n + 1) * sizeof(*outs));
	memset(outs, 0, (n + 1) * sizeof(*outs));
	for (i = 0; i < n && rc == 0; i++) {
		rc = eval(c, f, &items->v[i], &outs[i]);
		if (outs[i].n > most)
			most = outs[i].n;
	}
	keys = alloc(c, (n + 1) * sizeof(*keys));
	o2 = alloc(c, (n + 1) * sizeof(*o2));
	tmp = alloc(c, (n + 1) * sizeof(*tmp));
	for (i = 0; i < n; i++)
		order[i] = i;
	for (k = most; k-- > 0 && rc == 0;) {
		for (i = 0; i < n && rc == 0; i++) {
			const struct lc_ylit *l;
			struct vals *o = &outs[order[i]];

			if (k < o->n && (rc = val_lit(c, &o->v[k], &l)) == 0)
				keys[i] = *l;
			else if (k >= o->n)
				keys[i] = *mklit(c, LC_YL_NULL, "null", 4);
		}
		if (rc == 0 && (rc = lc_yaml_func_sort_order(&mem, keys, n, o2)) == 0) {
			for (i = 0; i < n; i++)
				tmp[i] = order[o2[i]];
			memcpy(order, tmp, n * sizeof(*order));
		}
	}
	for (i = 0; i < n; i++)
		free(outs[i].v);
	return rc;
}

/* sort_by, group_by, unique_by: items ordered or grouped by f. */
static int
by_key(struct ctx *c, enum xfunc fn, const struct xnode *f,
    const struct vals *items, struct val *res)
{
	struct lc_yfn_mem mem = { yfn_alloc, c };
	struct lc_ylit *keys, *r, *g, *rk, **gks;
	size_t *size;
	const struct lc_ylit *l;
	size_t i, j, n = items->n, *ix, ngroups, nkeep;
	int rc;

	ix = alloc(c, (n + 1) * sizeof(*ix));
	if (fn != F_SORTBY && (rc = keys_of(c, f, items, &keys)) != 0)
		return rc;
	if (fn == F_SORTBY)
		rc = sort_by_all(c, f, items, ix);
	else if (fn == F_UNIQUEBY)
		rc = lc_yaml_func_unique_keep(&mem, keys, n, ix, &nkeep);
	else
		rc = lc_yaml_func_group(&mem, keys, n, ix, &ngroups);
	if (rc != 0)
		return rc;
	if (fn == F_SORTBY || fn == F_UNIQUEBY) {
		r = mkcoll(c, LC_YL_SEQ, n, &rk);
		for (i = 0; i < (fn == F_SORTBY ? n : nkeep); i++) {
			if ((rc = val_lit(c, &items->v[ix[i]], &l)) != 0)
				return rc;
			rk[r->nkids++] = *l;
		}
		*res = vlit(r);
		return 0;
	}
	/* Each group's size, then its items in place, in one pass each. */
	size = alloc(c, (ngroups + 1) * sizeof(*size));
	memset(size, 0, (ngroups + 1) * sizeof(*size));
	for (i = 0; i < n; i++)
		size[ix[i]]++;
	r = mkcoll(c, LC_YL_SEQ, ngroups, &rk);
	gks = alloc(c, (ngroups + 1) * sizeof(*gks));
	for (j = 0; j < ngroups; j++) {
		g = &rk[r->nkids++];
		*g = *mkcoll(c, LC_YL_SEQ, size[j], &gks[j]);
	}
	for (i = 0; i < n; i++) {
		if ((rc = val_lit(c, &items->v[i], &l)) != 0)
			return rc;
		g = &rk[ix[i]];
		gks[ix[i]][g->nkids++] = *l;
	}
	*res = vlit(r);
	return 0;
}

/* Whether b has a's keys in a's order, all the way down. */
static int
same_order(const struct lc_ylit *a, const struct lc_ylit *b)
{
	size_t i;

	if (a->kind != b->kind || a->nkids != b->nkids)
		return 0;
	for (i = 0; i < a->nkids; i++) {
		if (a->kind == LC_YL_MAP && i % 2 == 0 &&
		    (a->kids[i].n != b->kids[i].n ||
		    memcmp(a->kids[i].s, b->kids[i].s, a->kids[i].n) != 0))
			return 0;
		if (is_coll(&a->kids[i]) && !same_order(&a->kids[i],
		    &b->kids[i]))
			return 0;
	}
	return 1;
}

/* sort_keys(f): the mappings f names get their keys in order. */
static int
sort_keys(struct ctx *c, const struct xnode *f, const struct val *in,
    struct vals *out)
{
	struct lc_yfn_mem mem = { yfn_alloc, c };
	struct vals ts = { NULL, 0, 0 };
	const struct lc_ylit *l, *sorted;
	int rc, lhs_mode = c->lhs, all = f->op == X_RECURSE;
	struct val v;
	size_t i;

	/* sort_keys(..) sorts the whole input once, deeply. */
	c->lhs = 1;
	rc = all ? (push(&ts, in), 0) : eval(c, f, in, &ts);
	c->lhs = lhs_mode;
	for (i = 0; i < ts.n && rc == 0; i++) {
		if ((rc = val_lit(c, &ts.v[i], &l)) != 0 ||
		    (rc = lc_yaml_func_sort_keys(&mem, l, all, &sorted)) != 0)
			break;
		if (ts.v[i].kind == V_LIT && in->kind == V_LIT &&
		    ts.v[i].lit == in->lit) {
			v = vlit(sorted);
			push(out, &v);
			goto done;
		}
		if (ts.v[i].kind == V_NODE && l->kind == LC_YL_MAP &&
		    !same_order(l, sorted)) {
			if (ts.v[i].via & VIA_ALIAS)
				rc = refuse_alias(c, &ts.v[i]);
			else {
				c->env->matched++;
				rc = lc_yaml_edit_set(c->doc, ts.v[i].node, sorted);
			}
		}
	}
	if (rc == 0)
		push(out, in);
done:
	free(ts.v);
	return rc;
}

/* A value of node v's kind with nothing in it (a collection not copied). */
static const struct lc_ylit *
kind_only(struct ctx *c, const struct val *v)
{
	int via = v->via;
	uint32_t n = deref(c->doc, v->node, &via);
	struct lc_ydoc *doc = c->doc;

	if (doc->nodes[n].type == LC_YMAP)
		return mklit(c, LC_YL_MAP, "", 0);
	if (doc->nodes[n].type == LC_YSEQ)
		return mklit(c, LC_YL_SEQ, "", 0);
	return mklit(c, lc_yaml_edit_node_kind(doc, n), "", 0);
}

/* The higher-order functions: f is x->kids[0], run on items of the input. */
static int
higher(struct ctx *c, const struct xnode *x, const struct val *in,
    struct vals *out)
{
	enum xfunc fn = (enum xfunc)x->idx;
	struct vals items = { NULL, 0, 0 }, o = { NULL, 0, 0 };
	const struct lc_ylit *l, *e;
	struct lc_yfn_mem mem = { yfn_alloc, c };
	struct lc_ylit *rk;
	struct val res;
	size_t i, n;
	int rc = 0, t, acc;

	if (fn == F_SORTKEYS)
		return sort_keys(c, x->kids[0], in, out);
	if (fn == F_MAPVALUES || fn == F_WITHENTRIES || in->kind != V_NODE) {
		if ((rc = val_lit(c, in, &l)) != 0)
			return rc;
	} else
		l = kind_only(c, in);
	if (fn == F_MAPVALUES) {
		if ((rc = map_values(c, x->kids[0], l, &res)) == 0)
			push(out, &res);
		return rc;
	}
	if (fn == F_WITHENTRIES) {
		/* to_entries | map(f) | from_entries */
		if ((rc = lc_yaml_func_call("to_entries", 10, l, NULL, 0, &mem, &e,
		    &n)) != 0)
			return rc;
		for (i = 0; i < e->nkids; i++) {
			res = vlit(&e->kids[i]);
			push(&items, &res);
		}
		if ((rc = collect_each(c, x->kids[0], &items, &o)) == 0 &&
		    (rc = seq_of(c, &o, &res)) == 0 &&
		    (rc = lc_yaml_func_call("from_entries", 12, res.lit, NULL, 0,
		    &mem, &e, &n)) == 0) {
			res = vlit(e);
			push(out, &res);
		}
		goto done;
	}
	if (l->kind == LC_YL_NULL && fn == F_MAP) {
		res = vlit(mkcoll(c, LC_YL_SEQ, 0, &rk));
		push(out, &res);
		return 0;
	}
	if (!is_coll(l)) {
		if (fn == F_MAP) {
			push(out, in);
			return 0;
		}
		return lc_error_set(LC_EDATA, "%s: cannot iterate over %s",
		    x->s, lc_yaml_func_tag(l));
	}
	iterate(c, in, &items);
	switch (fn) {
	case F_MAP:
		if ((rc = collect_each(c, x->kids[0], &items, &o)) == 0 &&
		    (rc = seq_of(c, &o, &res)) == 0)
			push(out, &res);
		break;
	case F_SORTBY:
	case F_GROUPBY:
	case F_UNIQUEBY:
		if ((rc = by_key(c, fn, x->kids[0], &items, &res)) == 0)
			push(out, &res);
		break;
	case F_ANY:
	case F_ALL:
	case F_ANYC:
	case F_ALLC:
		acc = fn == F_ALL || fn == F_ALLC;
		for (i = 0; i < items.n && rc == 0; i++) {
			if (fn == F_ANY || fn == F_ALL)
				t = truthy(c, &items.v[i]);
			else if ((rc = truth(c, x->kids[0], &items.v[i],
			    &t)) != 0)
				break;
			if (t != acc) {
				acc = t;
				break;
			}
		}
		res = vbool(c, acc);
		if (rc == 0)
			push(out, &res);
		break;
	case F_FIRSTC:
		for (i = 0; i < items.n && rc == 0; i++)
			if ((rc = truth(c, x->kids[0], &items.v[i], &t)) == 0 &&
			    t) {
				push(out, &items.v[i]);
				break;
			}
		break;
	default:
		break;
	}
done:
	free(items.v);
	free(o.v);
	return rc;
}

static int
call_func(struct ctx *c, const struct xnode *x, const struct val *in,
    struct vals *out)
{
	struct lc_ydoc *doc = c->doc;
	struct vals ts = { NULL, 0, 0 };
	enum lc_ylit_kind kk;
	const char *s;
	struct val v, w;
	uint32_t p, k;
	size_t i, n;
	int rc = 0, lhs_mode;

	switch ((enum xfunc)x->idx) {
	case F_YFN:
		return yfn_eval(c, x, in, out);
	case F_MAP: case F_MAPVALUES: case F_WITHENTRIES: case F_SORTBY:
	case F_GROUPBY: case F_UNIQUEBY: case F_ANY: case F_ALL: case F_ANYC:
	case F_ALLC: case F_FIRSTC: case F_SORTKEYS:
		return higher(c, x, in, out);
	case F_HAS:
		if ((rc = eval1(c, x->kids[0], in, &w)) != 0)
			return rc;
		if (!scalar_of(c, &w, &kk, &s, &n))
			return lc_error_set(LC_EUSAGE, "has: the key must be "
			    "a scalar");
		v = vbool(c, has_key(c, in, kk, s, n));
		push(out, &v);
		break;
	case F_KEY:
	case F_PARENT:
		if (in->kind != V_NODE || (p = doc->nodes[in->node].parent) == 0)
			break;
		if ((enum xfunc)x->idx == F_PARENT) {
			v = vnode(p, in->via);
		} else if (doc->nodes[p].type == LC_YMAP &&
		    (k = lc_yaml_edit_node_key(doc, in->node)) != 0)
			v = vnode(k, in->via | VIA_ALIAS);
		else {
			for (i = 0, k = doc->nodes[p].first; k && k != in->node;
			    k = doc->nodes[k].next)
				i++;
			v = vlit(num_lit(c, (double)i));
		}
		push(out, &v);
		break;
	case F_PATH:
		v = vlit(path_of(c, in));
		push(out, &v);
		break;
	case F_SPLIT_DOC:
		/* The value itself; its results print as documents. */
		c->env->split_doc = 1;
		push(out, in);
		break;
	case F_WITH:
		lhs_mode = c->lhs;
		c->lhs = 1;
		rc = eval(c, x->kids[0], in, &ts);
		c->lhs = lhs_mode;
		for (i = 0; i < ts.n && rc == 0; i++) {
			struct vals tmp = { NULL, 0, 0 };

			rc = eval(c, x->kids[1], &ts.v[i], &tmp);
			free(tmp.v);
		}
		if (rc == 0)
			push(out, in);
		break;
	default:
		rc = node_info(c, (enum xfunc)x->idx, in, out);
		break;
	}
	free(ts.v);
	return rc;
}

/*
 * "E as $x ireduce (INIT; UPDATE)": UPDATE runs on INIT with each output
 * of E as $x in turn, on what the one before gave (its last output; none
 * gives null).
 */
static int
reduce(struct ctx *c, const struct xnode *x, const struct val *in,
    struct vals *out)
{
	struct vals xs = { NULL, 0, 0 };
	struct val acc;
	size_t i, n;
	int rc;

	if ((rc = eval(c, x->a, in, &xs)) == 0)
		rc = eval1(c, x->kids[0], in, &acc);
	for (i = 0; i < xs.n && rc == 0; i++) {
		bind_push(c, x->s, &xs.v[i]);
		rc = eval_pick(c, x->kids[1], &acc, 1, &acc, &n);
		c->nbinds--;
	}
	if (rc == 0)
		push(out, &acc);
	free(xs.v);
	return rc;
}

/*
 * "and", "or": every output of the left side in turn, and when it does not
 * decide, every output of the right side (yq: "(true, false) or false" is
 * true, false).
 */
static int
bool_op(struct ctx *c, const struct xnode *x, const struct val *in,
    struct vals *out)
{
	struct vals as = { NULL, 0, 0 }, bs = { NULL, 0, 0 };
	struct val v;
	size_t i, j;
	int rc, t;

	if ((rc = eval(c, x->a, in, &as)) != 0)
		goto done;
	for (i = 0; i < as.n && rc == 0; i++) {
		t = truthy(c, &as.v[i]);
		if ((x->op == X_OR) == t) {
			v = vbool(c, t);
			push(out, &v);
			continue;
		}
		bs.n = 0;
		if ((rc = eval(c, x->b, in, &bs)) != 0)
			break;
		for (j = 0; j < bs.n; j++) {
			v = vbool(c, truthy(c, &bs.v[j]));
			push(out, &v);
		}
	}
done:
	free(as.v);
	free(bs.v);
	return rc;
}

static int
eval(struct ctx *c, const struct xnode *x, const struct val *in,
    struct vals *out)
{
	struct vals tmp = { NULL, 0, 0 };
	struct val v, w;
	size_t i, n;
	int rc = 0, t = 0, lhs;
	uint32_t node;

	if (++c->depth > 200) {
		c->depth--;
		return lc_error_set(LC_EUSAGE, "expression nested too deeply");
	}
	if (++c->steps > c->maxsteps) {
		c->depth--;
		return too_much(c);
	}
	/* Only path steps pass an edit's "these are paths" on. */
	lhs = c->lhs;
	if (x->op != X_FIELD && x->op != X_INDEX && x->op != X_ITER &&
	    x->op != X_PIPE && x->op != X_RECURSE && x->op != X_IDENT)
		c->lhs = 0;
	switch (x->op) {
	case X_IDENT:
		push(out, in);
		break;
	case X_RECURSE:
		if (in->kind == V_NODE) {
			t = in->via;
			node = deref(c->doc, in->node, &t);
			recurse(c, node, t, 0, out);
		} else if (in->kind == V_LIT)
			recurse_lit(c, in->lit, 0, out);
		break;
	case X_FIELD:
	case X_INDEX:
	case X_ITER:
		if (x->a && (rc = eval(c, x->a, in, &tmp)) != 0)
			break;
		if (x->a == NULL)
			push(&tmp, in);
		for (i = 0; i < tmp.n && rc == 0; i++) {
			if (x->op == X_FIELD)
				rc = field(c, &tmp.v[i], x->s, x->n, out);
			else if (x->op == X_INDEX)
				rc = index_(c, &tmp.v[i], x->idx, out);
			else
				iterate(c, &tmp.v[i], out);
		}
		break;
	case X_PIPE:
		if ((rc = eval(c, x->a, in, &tmp)) != 0)
			break;
		for (i = 0; i < tmp.n && rc == 0; i++)
			rc = eval(c, x->b, &tmp.v[i], out);
		break;
	case X_ASSIGN:
	case X_UPDATE:
	case X_APPEND:
		rc = assign(c, x, in, out);
		break;
	case X_DEL:
		rc = delete(c, x, in, out);
		break;
	case X_SELECT:
		c->lhs = 0;
		c->lenient++;
		rc = eval(c, x->a, in, &tmp);
		c->lenient--;
		if (rc != 0)
			break;
		for (i = 0; i < tmp.n; i++)
			if (truthy(c, &tmp.v[i])) {
				push(out, in);
				break;
			}
		break;
	case X_OR:
	case X_AND:
		rc = bool_op(c, x, in, out);
		break;
	case X_NOT:
		if (x->a) {
			if ((rc = truth(c, x->a, in, &t)) != 0)
				break;
		} else
			t = truthy(c, in);
		v = vbool(c, !t);
		push(out, &v);
		break;
	case X_EQ:
	case X_NE: {
		/* Every pair of outputs, the right side's varying fastest. */
		struct vals l2 = { NULL, 0, 0 }, r2 = { NULL, 0, 0 };
		size_t j;

		if ((rc = eval(c, x->a, in, &l2)) == 0)
			rc = eval(c, x->b, in, &r2);
		for (i = 0; i < l2.n && rc == 0; i++)
			for (j = 0; j < r2.n; j++) {
				t = yq_equal(c, &l2.v[i], &r2.v[j]);
				v = vbool(c, x->op == X_EQ ? t : !t);
				push(out, &v);
			}
		free(l2.v);
		free(r2.v);
		break;
	}
	case X_DOCINDEX: {
		char num[32];

		snprintf(num, sizeof(num), "%d", x->idx ? c->env->file_index :
		    c->doc->index);
		v = vlit(mklit(c, LC_YL_NUM, num, strlen(num)));
		push(out, &v);
		break;
	}
	case X_STRENV:
	case X_ENV:
		rc = env_lit(c, x, out);
		break;
	case X_ENVSUBST:
		rc = envsubst(c, x, in, out);
		break;
	case X_VAR:
		rc = variable(c, x, out);
		break;
	case X_LIT:
		v = vlit(&x->lit);
		push(out, &v);
		break;
	case X_ARRAY:
	case X_OBJECT:
		rc = collection(c, x, in, out);
		break;
	case X_UNION:
		if ((rc = eval(c, x->a, in, out)) == 0)
			rc = eval(c, x->b, in, out);
		break;
	case X_ALT:
		/* The truthy outputs of the left, else those of the right. */
		if ((rc = eval(c, x->a, in, &tmp)) != 0)
			break;
		for (i = n = 0; i < tmp.n; i++)
			if (truthy(c, &tmp.v[i])) {
				push(out, &tmp.v[i]);
				n++;
			}
		if (n == 0)
			rc = eval(c, x->b, in, out);
		break;
	case X_ADD:
	case X_SUB: {
		const struct lc_ylit *la, *lb, *r;

		if ((rc = eval1(c, x->a, in, &v)) != 0 ||
		    (rc = eval1(c, x->b, in, &w)) != 0 ||
		    (rc = val_lit(c, &v, &la)) != 0 ||
		    (rc = val_lit(c, &w, &lb)) != 0 ||
		    (rc = arith(c, x->op, la, lb, &r)) != 0)
			break;
		v = vlit(r);
		push(out, &v);
		break;
	}
	case X_LT:
	case X_LE:
	case X_GT:
	case X_GE:
		if ((rc = eval1(c, x->a, in, &v)) != 0 ||
		    (rc = eval1(c, x->b, in, &w)) != 0 ||
		    (rc = compare(c, x->op, &v, &w, &t)) != 0)
			break;
		v = vbool(c, t);
		push(out, &v);
		break;
	case X_SUBASSIGN:
	case X_MULASSIGN:
		rc = assign(c, x, in, out);
		break;
	case X_MUL:
		rc = multiply(c, x, in, out);
		break;
	case X_DIV:
	case X_MOD:
		rc = multiply(c, x, in, out);
		break;
	case X_TRY:
		/* "?": an error drops the outputs and is forgotten. */
		n = out->n;
		if ((rc = eval(c, x->a, in, out)) != 0) {
			out->n = n;
			lc_error_clear();
			rc = 0;
		}
		break;
	case X_SLICE:
		if (x->a && (rc = eval(c, x->a, in, &tmp)) != 0)
			break;
		if (x->a == NULL)
			push(&tmp, in);
		for (i = 0; i < tmp.n && rc == 0; i++)
			rc = slice(c, x, &tmp.v[i], out);
		break;
	case X_RECURSE_ALL:
		if (in->kind == V_NODE) {
			t = in->via;
			node = deref(c->doc, in->node, &t);
			recurse(c, node, t, 1, out);
		} else if (in->kind == V_LIT)
			recurse_lit(c, in->lit, 1, out);
		break;
	case X_AS:
		if (x->idx) {
			rc = reduce(c, x, in, out);
			break;
		}
		if ((rc = eval(c, x->a, in, &tmp)) != 0)
			break;
		for (i = 0; i < tmp.n && rc == 0; i++) {
			bind_push(c, x->s, &tmp.v[i]);
			rc = eval(c, x->b, in, out);
			c->nbinds--;
		}
		break;
	case X_INTERP:
		rc = interpolate(c, x, in, out);
		break;
	case X_FUNC:
		rc = call_func(c, x, in, out);
		break;
	}
	free(tmp.v);
	c->lhs = lhs;
	c->depth--;
	return rc;
}

static int
is_coll(const struct lc_ylit *l)
{
	return l->kind == LC_YL_SEQ || l->kind == LC_YL_MAP;
}

/* Whether scalar node n already holds l (numbers compared as numbers). */
static int
same_scalar(struct ctx *c, uint32_t n, const struct lc_ylit *l)
{
	struct val a = vnode(n, 0), b = vlit(l);

	return equal(c, &a, &b) && (lc_yaml_edit_node_kind(c->doc, n) == l->kind ||
	    (l->kind == LC_YL_STR && lc_yaml_edit_node_kind(c->doc, n) == LC_YL_STR));
}

/*
 * Make node n hold l with the fewest splices: l is a computed value (map,
 * *, sort_keys), and replacing a whole mapping with it would re-emit every
 * line and drop the comments inside. Only what differs is set, created or
 * deleted.
 */
static int
merge_into(struct ctx *c, uint32_t n, const struct lc_ylit *l, int depth)
{
	struct lc_ydoc *doc = c->doc;
	const struct lc_ynode *nd;
	const char *s;
	size_t i, len;
	uint32_t k, v, r;
	int merged, rc = 0, found, via = 0;

	if (n && doc->nodes[n].type == LC_YALIAS) {
		/* Writing into the anchored node would change every alias of
		 * it: only an unchanged value may pass. */
		struct val a = vnode(n, VIA_ALIAS);
		const struct lc_ylit *cur;

		if ((rc = val_lit(c, &a, &cur)) != 0)
			return rc;
		return lit_equal(cur, l) ? 0 : refuse_alias(c, &a);
	}
	/* Items deleted from a flow sequence next to items set or deleted
	 * would be overlapping splices: write the shorter sequence whole. */
	if (doc->nodes[n].type == LC_YSEQ && doc->nodes[n].style == 2 &&
	    l->kind == LC_YL_SEQ && l->nkids < doc->nodes[n].nkids)
		return lc_yaml_edit_set(doc, n, l);
	nd = &doc->nodes[n];
	if (depth > 64 || !((nd->type == LC_YMAP && l->kind == LC_YL_MAP &&
	    l->nkids > 0) || (nd->type == LC_YSEQ && l->kind == LC_YL_SEQ &&
	    l->nkids > 0) || (nd->type == LC_YSCALAR && !is_coll(l)))) {
		return lc_yaml_edit_set(doc, n, l);
	}
	if (nd->type == LC_YSCALAR)
		return same_scalar(c, n, l) ? 0 : lc_yaml_edit_set(doc, n, l);
	if (nd->type == LC_YMAP) {
		/* Nothing to keep: write the new mapping whole. */
		for (found = 0, i = 0; i + 1 < l->nkids && !found; i += 2)
			found = lc_yaml_edit_map_get(doc, n, l->kids[i].s, l->kids[i].n,
			    &merged) != 0;
		if (!found)
			return lc_yaml_edit_set(doc, n, l);
	}
	if (nd->type == LC_YSEQ) {
		for (i = 0, k = nd->first; i < l->nkids && k && rc == 0;
		    i++, k = doc->nodes[k].next)
			rc = merge_into(c, k, &l->kids[i], depth + 1);
		for (; k && rc == 0; k = doc->nodes[k].next)
			rc = lc_yaml_edit_delete(doc, k);
		if (i < l->nkids && rc == 0) {
			struct lc_ylit rest = *l;

			rest.kids += i;
			rest.nkids -= i;
			rc = lc_yaml_edit_append(doc, n, &rest);
		}
		return rc;
	}
	for (i = 0; i + 1 < l->nkids && rc == 0; i += 2) {
		r = lc_yaml_edit_map_get(doc, n, l->kids[i].s, l->kids[i].n, &merged);
		if (r && !merged)
			rc = merge_into(c, r, &l->kids[i + 1], depth + 1);
		else if (r && !is_coll(&l->kids[i + 1]) &&
		    doc->nodes[deref(doc, r, &via)].type == LC_YSCALAR &&
		    same_scalar(c, deref(doc, r, &via), &l->kids[i + 1]))
			;	/* the merged value already says so */
		else
			rc = lc_yaml_edit_create(doc, n, &l->kids[i], 1,
			    &l->kids[i + 1]);
	}
	for (k = nd->first; k && rc == 0; k = doc->nodes[v].next) {
		if ((v = doc->nodes[k].next) == 0)
			break;
		s = lc_yaml_edit_node_value(doc, k, &len);
		if (len == 2 && memcmp(s, "<<", 2) == 0)
			continue;
		for (found = 0, i = 0; i + 1 < l->nkids && !found; i += 2)
			found = l->kids[i].n == len &&
			    memcmp(l->kids[i].s, s, len) == 0;
		if (!found)
			rc = lc_yaml_edit_delete(doc, v);
	}
	return rc;
}

/*
 * Print a result the way yq does: scalars raw, collections as YAML, or
 * as env->fmt says (yaml_out.c).
 */
static int
print_val(struct ctx *c, const struct val *v, struct lc_buf *out)
{
	static const struct lc_ylit null = { LC_YL_NULL, "null", 4, NULL, 0 };
	const struct lc_yaml_fmt *f = c->env->fmt;

	if (f != NULL)
		return v->kind == V_NODE ? lc_yaml_out_node(out, f, c->doc,
		    v->node) : lc_yaml_out_lit(out, f, v->kind == V_MISS ?
		    &null : v->lit);
	if (v->kind == V_NODE)
		lc_yaml_edit_print(c->doc, v->node, out);
	else if (v->kind == V_MISS)
		lc_buf_adds(out, "null\n");
	else if (v->lit->kind == LC_YL_SEQ || v->lit->kind == LC_YL_MAP)
		lc_yaml_edit_emit(out, v->lit);
	else {
		lc_buf_add(out, v->lit->s, v->lit->n);
		lc_buf_addc(out, '\n');
	}
	return 0;
}

/* Record where a printed result ends (split_doc prints each apart). */
static void
add_end(struct lc_yexpr_env *env, size_t end)
{
	if (env->nends == env->capends) {
		env->capends = env->capends ? env->capends * 2 : 8;
		env->ends = lc_xrealloc(env->ends, env->capends *
		    sizeof(*env->ends));
	}
	env->ends[env->nends++] = end;
}

/*
 * An edit below a result that is not its document's root: only the root
 * survives the rebuilt tree. yq would print just the edited part for
 * ".a[] | .b = 1", which is never what a pipeline wants; say how to write
 * the edit instead.
 */
static int
not_whole(void)
{
	return lc_error_set(LC_EUSAGE, "an edit must apply to the whole "
	    "document: write '(PATH | ...) = VALUE' or 'PATH |= ...' rather "
	    "than 'PATH | ... = VALUE'");
}

/* Free what an evaluation allocated. */
static void
ctx_release(struct ctx *c)
{
	struct chunk *ch;

	free(c->binds);
	while ((ch = c->mem) != NULL) {
		c->mem = ch->next;
		free(ch);
	}
}

int
lc_yaml_expr_eval(const struct lc_yexpr *e, struct lc_ydoc *doc,
    struct lc_yexpr_env *env, struct lc_buf *out, int *whole)
{
	struct ctx c;
	struct vals in = { NULL, 0, 0 }, res = { NULL, 0, 0 };
	struct val root;
	size_t s, i;
	int rc = 0;

	memset(&c, 0, sizeof(c));
	c.doc = doc;
	c.env = env;
	c.maxsteps = MAX_STEPS + (size_t)doc->nnodes * STEPS_PER_NODE;
	c.maxcopied = MAX_COPIED + (size_t)doc->nnodes * COPIES_PER_NODE;
	*whole = 0;
	root = vnode(doc->root, 0);
	push(&in, &root);
	for (s = 0; s < e->nst && rc == 0; s++) {
		res.n = 0;
		for (i = 0; i < in.n && rc == 0; i++)
			rc = eval(&c, e->st[s].x, &in.v[i], &res);
		if (rc == 0 && doc->nedits > 0) {
			rc = lc_yaml_edit_commit(doc);
			/* Only the root survives a rebuilt tree. */
			for (i = 0; i < res.n && rc == 0; i++) {
				if (res.v[i].kind == V_NODE &&
				    res.v[i].node == root.node)
					res.v[i].node = doc->root;
				else if (res.v[i].kind != V_LIT)
					rc = not_whole();
			}
			root.node = doc->root;
		}
		in.n = 0;
		for (i = 0; i < res.n; i++)
			push(&in, &res.v[i]);
	}
	/* ".a = 1, .b = 2" is the document twice: print it once, as yq. */
	for (i = 0; rc == 0 && i < in.n; i++)
		if (in.v[i].kind != V_NODE || in.v[i].node != doc->root)
			break;
	if (rc == 0 && in.n > 1 && i == in.n)
		in.n = 1;
	if (rc == 0) {
		for (i = 0; i < in.n; i++) {
			if (in.v[i].kind == V_NODE && in.v[i].node == doc->root &&
			    in.n == 1) {
				*whole = 1;
				env->last_falsy = 0;
			} else {
				if ((rc = print_val(&c, &in.v[i], out)) != 0)
					break;
				if (env->want_ends)
					add_end(env, out->len);
				env->last_falsy = !truthy(&c, &in.v[i]);
			}
			env->nresults++;
		}
	}
	free(in.v);
	free(res.v);
	ctx_release(&c);
	return rc;
}

/*
 * eval-all: one evaluation over the documents of every file, as yq's
 * eval-all. yq evaluates an expression on a context, the list of all
 * documents; most operators work on each item of it alone, which the
 * evaluator above does with c->doc switched to the item's document. The
 * operators that see the context as a whole are handled here, at the top
 * of the expression: "|" (the right side gets the left's results), ","
 * (all of the left, then all of the right), "[...]" over documents (one
 * array), "E as $x | BODY" (BODY on the whole context for each $x),
 * ireduce (over E's results in every document), and the binary operators
 * (every left result with every right result, as yq's crossFunction).
 * Below the top they keep their per-item meaning, as in yq, whose
 * results are no longer documents.
 */

struct item {
	size_t k;		/* the document the value belongs to */
	struct val v;
};

struct items {
	struct item *v;
	size_t n, cap;
};

/* A variable bound at the top: a node of document k, or its copy. */
struct abind {
	const char *name;
	struct item it;
	const struct lc_ylit *lit;	/* made when another document needs it */
};

struct actx {
	struct ctx c;		/* c.doc is the document being evaluated */
	struct lc_ydoc **docs;
	const int *files;
	size_t ndocs;
	struct abind *binds;
	size_t nbinds, capbinds;
};

static void
item_push(struct items *is, size_t k, const struct val *v)
{
	if (is->n == is->cap) {
		is->cap = is->cap ? is->cap * 2 : 8;
		is->v = lc_xrealloc(is->v, is->cap * sizeof(*is->v));
	}
	is->v[is->n].k = k;
	is->v[is->n++].v = *v;
}

static void
use_doc(struct actx *a, size_t k)
{
	/* MAX_COPIED bounds the copies of each document's evaluation. */
	if (a->c.doc != a->docs[k])
		a->c.copied = 0;
	a->c.doc = a->docs[k];
	a->c.maxcopied = MAX_COPIED +
	    (size_t)a->docs[k]->nnodes * COPIES_PER_NODE;
	a->c.env->file_index = a->files[k];
}

/* The value of it, usable while document k is evaluated. */
static int
item_val(struct actx *a, const struct item *it, size_t k,
    const struct lc_ylit **cache, struct val *out)
{
	const struct lc_ylit *l;
	int rc;

	if (it->k == k || it->v.kind == V_LIT) {
		*out = it->v;
		return 0;
	}
	if (cache == NULL || *cache == NULL) {
		use_doc(a, it->k);
		rc = val_lit(&a->c, &it->v, &l);
		use_doc(a, k);
		if (rc != 0)
			return rc;
		if (cache != NULL)
			*cache = l;
	} else
		l = *cache;
	*out = vlit(l);
	return 0;
}

/* x on one item, in its document, with the top's variables bound. */
static int
item_eval(struct actx *a, const struct xnode *x, const struct item *it,
    struct items *out)
{
	struct vals tmp = { NULL, 0, 0 };
	struct val v;
	size_t i, nb = a->c.nbinds;
	int rc = 0;

	use_doc(a, it->k);
	for (i = 0; i < a->nbinds && rc == 0; i++)
		if ((rc = item_val(a, &a->binds[i].it, it->k,
		    &a->binds[i].lit, &v)) == 0)
			bind_push(&a->c, a->binds[i].name, &v);
	if (rc == 0)
		rc = eval(&a->c, x, &it->v, &tmp);
	a->c.nbinds = nb;
	for (i = 0; i < tmp.n; i++)
		item_push(out, it->k, &tmp.v[i]);
	free(tmp.v);
	return rc;
}

static int
is_root(const struct actx *a, const struct item *it)
{
	return it->v.kind == V_NODE && it->v.node == a->docs[it->k]->root;
}

/* The operators that pair every left result with every right one. */
static int
cross_op(enum xop op)
{
	return op == X_ADD || op == X_SUB || op == X_MUL || op == X_DIV ||
	    op == X_MOD || op == X_EQ || op == X_NE || op == X_LT ||
	    op == X_LE || op == X_GT || op == X_GE;
}

static int ceval(struct actx *, const struct xnode *, const struct items *,
    struct items *);

static void
abind_push(struct actx *a, const char *name, const struct item *it)
{
	if (a->nbinds == a->capbinds) {
		a->capbinds = a->capbinds ? a->capbinds * 2 : 4;
		a->binds = lc_xrealloc(a->binds, a->capbinds *
		    sizeof(*a->binds));
	}
	a->binds[a->nbinds].name = name;
	a->binds[a->nbinds].it = *it;
	a->binds[a->nbinds++].lit = NULL;
}

/* "[E]" over documents: E on each, every result in one array. */
static int
collect_all(struct actx *a, const struct xnode *x, const struct items *in,
    struct items *out)
{
	struct items all = { NULL, 0, 0 };
	struct lc_ylit *l, *kids;
	const struct lc_ylit *cl;
	struct val v;
	size_t i, j;
	int rc = 0;

	for (i = 0; i < in->n && rc == 0; i++)
		for (j = 0; j < x->nkids && rc == 0; j++)
			rc = item_eval(a, x->kids[j], &in->v[i], &all);
	kids = alloc(&a->c, (all.n + 1) * sizeof(*kids));
	for (j = 0; j < all.n && rc == 0; j++) {
		use_doc(a, all.v[j].k);
		if ((rc = val_lit(&a->c, &all.v[j].v, &cl)) == 0)
			kids[j] = *cl;
	}
	if (rc == 0) {
		l = mklit(&a->c, LC_YL_SEQ, "", 0);
		l->kids = kids;
		l->nkids = all.n;
		v = vlit(l);
		item_push(out, in->v[0].k, &v);
	}
	free(all.v);
	return rc;
}

/* Left and right on the whole context, then x on every pair. */
static int
cross(struct actx *a, const struct xnode *x, const struct items *in,
    struct items *out)
{
	struct items ls = { NULL, 0, 0 }, rs = { NULL, 0, 0 };
	struct xnode y = *x, vl, vr;
	struct item it;
	struct val v;
	size_t i, j, nb = a->c.nbinds;
	int rc;

	memset(&vl, 0, sizeof(vl));
	memset(&vr, 0, sizeof(vr));
	vl.op = vr.op = X_VAR;
	vl.s = " l";	/* names no expression can spell */
	vr.s = " r";
	y.a = &vl;
	y.b = &vr;
	if ((rc = ceval(a, x->a, in, &ls)) == 0)
		rc = ceval(a, x->b, in, &rs);
	for (i = 0; i < ls.n && rc == 0; i++)
		for (j = 0; j < rs.n && rc == 0; j++) {
			use_doc(a, ls.v[i].k);
			if ((rc = item_val(a, &rs.v[j], ls.v[i].k, NULL,
			    &v)) != 0)
				break;
			bind_push(&a->c, vl.s, &ls.v[i].v);
			bind_push(&a->c, vr.s, &v);
			it = ls.v[i];
			rc = item_eval(a, &y, &it, out);
			a->c.nbinds = nb;
		}
	free(ls.v);
	free(rs.v);
	return rc;
}

/* ireduce over the whole context: each start value, folded over E's. */
static int
reduce_all(struct actx *a, const struct xnode *x, const struct items *in,
    struct items *out)
{
	struct items xs = { NULL, 0, 0 }, inits = { NULL, 0, 0 };
	struct items tmp = { NULL, 0, 0 };
	struct item acc;
	struct val v;
	size_t i, j, nb = a->c.nbinds;
	int rc;

	if ((rc = ceval(a, x->a, in, &xs)) == 0)
		rc = ceval(a, x->kids[0], in, &inits);
	for (i = 0; i < inits.n && rc == 0; i++) {
		acc = inits.v[i];
		for (j = 0; j < xs.n && rc == 0; j++) {
			/* UPDATE runs in the document of $x. */
			if ((rc = item_val(a, &acc, xs.v[j].k, NULL, &v)) != 0)
				break;
			acc.k = xs.v[j].k;
			acc.v = v;
			use_doc(a, acc.k);
			bind_push(&a->c, x->s, &xs.v[j].v);
			tmp.n = 0;
			rc = item_eval(a, x->kids[1], &acc, &tmp);
			a->c.nbinds = nb;
			if (tmp.n > 0)
				acc = tmp.v[tmp.n - 1];
			else
				acc.v = vlit(mklit(&a->c, LC_YL_NULL, "null", 4));
		}
		if (rc == 0)
			item_push(out, acc.k, &acc.v);
	}
	free(xs.v);
	free(inits.v);
	free(tmp.v);
	return rc;
}

static int
ceval(struct actx *a, const struct xnode *x, const struct items *in,
    struct items *out)
{
	struct items tmp = { NULL, 0, 0 };
	size_t i, nb;
	int rc = 0, together = in->n > 0;

	for (i = 0; i < in->n && together; i++)
		together = is_root(a, &in->v[i]);
	switch (x->op) {
	case X_PIPE:
		if ((rc = ceval(a, x->a, in, &tmp)) == 0)
			rc = ceval(a, x->b, &tmp, out);
		break;
	case X_UNION:
		if ((rc = ceval(a, x->a, in, out)) == 0)
			rc = ceval(a, x->b, in, out);
		break;
	case X_ARRAY:
	case X_OBJECT:
		if (x->nkids == 0 && in->n > 0) {
			/* "[]" and "{}" are one value, whatever the context. */
			rc = item_eval(a, x, &in->v[0], out);
			break;
		}
		if (x->op == X_ARRAY && together) {
			rc = collect_all(a, x, in, out);
			break;
		}
		goto each;
	case X_AS:
		if (x->idx) {
			rc = reduce_all(a, x, in, out);
			break;
		}
		if ((rc = ceval(a, x->a, in, &tmp)) != 0)
			break;
		nb = a->nbinds;
		for (i = 0; i < tmp.n && rc == 0; i++) {
			abind_push(a, x->s, &tmp.v[i]);
			rc = ceval(a, x->b, in, out);
			a->nbinds = nb;
		}
		break;
	case X_VAR:
		/* A variable is its value once, not once per document. */
		for (i = a->nbinds; i-- > 0;)
			if (strcmp(a->binds[i].name, x->s) == 0) {
				item_push(out, a->binds[i].it.k,
				    &a->binds[i].it.v);
				break;
			}
		if (i == (size_t)-1 && in->n > 0)
			rc = item_eval(a, x, &in->v[0], out);
		break;
	case X_FIELD:
	case X_INDEX:
	case X_ITER:
	case X_SLICE:
		if (x->a != NULL) {
			/* "$x.a": the path from what its base gives. */
			struct xnode y = *x;

			y.a = NULL;
			if ((rc = ceval(a, x->a, in, &tmp)) != 0)
				break;
			for (i = 0; i < tmp.n && rc == 0; i++)
				rc = item_eval(a, &y, &tmp.v[i], out);
			break;
		}
		goto each;
	default:
		if (cross_op(x->op) && in->n > 1) {
			rc = cross(a, x, in, out);
			break;
		}
	each:
		for (i = 0; i < in->n && rc == 0; i++)
			rc = item_eval(a, x, &in->v[i], out);
		break;
	}
	free(tmp.v);
	return rc;
}

/* Commit the edits of every document; only their roots survive. */
static int
commit_all(struct actx *a, struct items *is)
{
	struct item *it;
	size_t i, k;
	int rc;

	for (i = 0; i < is->n; i++) {
		it = &is->v[i];
		if (a->docs[it->k]->nedits > 0 && it->v.kind != V_LIT &&
		    !is_root(a, it))
			return not_whole();
	}
	for (i = 0; i < is->n; i++) {
		it = &is->v[i];
		if (it->v.kind == V_NODE && a->docs[it->k]->nedits > 0)
			it->v.node = 0;		/* the root, once rebuilt */
	}
	for (k = 0; k < a->ndocs; k++)
		if (a->docs[k]->nedits > 0 &&
		    (rc = lc_yaml_edit_commit(a->docs[k])) != 0)
			return rc;
	for (i = 0; i < is->n; i++) {
		it = &is->v[i];
		if (it->v.kind == V_NODE && it->v.node == 0)
			it->v.node = a->docs[it->k]->root;
	}
	return 0;
}

int
lc_yaml_expr_eval_all(const struct lc_yexpr *e, struct lc_ydoc **docs,
    const int *files, size_t ndocs, struct lc_yexpr_env *env,
    struct lc_buf *out, struct lc_yexpr_res **res, size_t *nres)
{
	struct actx a;
	struct items in = { NULL, 0, 0 }, next = { NULL, 0, 0 }, swap;
	struct item *it;
	struct val root;
	size_t s, i, nodes = 0, capres = 0, before;
	int rc = 0, allwhole = 1;
	char *printed;

	memset(&a, 0, sizeof(a));
	a.c.env = env;
	a.docs = docs;
	a.files = files;
	a.ndocs = ndocs;
	*res = NULL;
	*nres = 0;
	for (i = 0; i < ndocs; i++) {
		nodes += docs[i]->nnodes;
		root = vnode(docs[i]->root, 0);
		item_push(&in, i, &root);
	}
	a.c.maxsteps = MAX_STEPS + nodes * STEPS_PER_NODE;
	for (s = 0; s < e->nst && rc == 0; s++) {
		next.n = 0;
		rc = ceval(&a, e->st[s].x, &in, &next);
		if (rc == 0)
			rc = commit_all(&a, &next);
		swap = in;
		in = next;
		next = swap;
	}
	/* ".a = 1, .b = 2": each document once, as in eval. */
	for (i = 0; rc == 0 && i < in.n && allwhole; i++)
		allwhole = is_root(&a, &in.v[i]);
	printed = lc_xmalloc(ndocs + 1);
	memset(printed, 0, ndocs + 1);
	for (i = 0; rc == 0 && i < in.n; i++) {
		it = &in.v[i];
		if (allwhole) {
			if (printed[it->k])
				continue;
			printed[it->k] = 1;
		}
		if (*nres == capres) {
			capres = capres ? capres * 2 : 8;
			*res = lc_xrealloc(*res, capres * sizeof(**res));
		}
		before = out->len;
		use_doc(&a, it->k);
		(*res)[*nres].doc = it->k;
		(*res)[*nres].whole = is_root(&a, it);
		if (!(*res)[*nres].whole &&
		    (rc = print_val(&a.c, &it->v, out)) != 0)
			break;
		(*res)[*nres].off = before;
		(*res)[*nres].len = out->len - before;
		(*nres)++;
		env->last_falsy = !is_root(&a, it) && !truthy(&a.c, &it->v);
		env->nresults++;
	}
	free(printed);
	free(in.v);
	free(next.v);
	free(a.binds);
	ctx_release(&a.c);
	return rc;
}
