/* yaml_expr_grammar.c: the grammar, recursive descent into xnode trees. */
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
	struct xnode *x = lc_yaml_expr_lex_xnew(ps, X_LIT, s);

	(void)strtod(s, &end);
	ps->p = end;
	x->s = lc_buf_xstrndup(s, (size_t)(end - s));
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

	lc_yaml_expr_lex_skip_ws(ps);
	if (lc_yaml_expr_lex_punct(ps, "]")) {
		x = lc_yaml_expr_lex_xnew(ps, X_ITER, at);
		x->a = lhs;
		return x;
	}
	if (*ps->p == '"') {
		x = lc_yaml_expr_lex_xnew(ps, X_FIELD, at);
		x->a = lhs;
		if (lc_yaml_expr_lex_string_lit(ps, &x->s, &n) != 0) {
			lc_yaml_expr_lex_xfree(x);
			return NULL;
		}
		x->n = n;
	} else if (number_at(ps->p) || *ps->p == ':') {
		x = lc_yaml_expr_lex_xnew(ps, X_INDEX, at);
		x->a = lhs;
		if (*ps->p != ':') {
			x->idx = strtol(ps->p, &end, 10);
			ps->p = end;
			x->given = 1;
		}
		if (lc_yaml_expr_lex_punct(ps, ":")) {
			x->op = X_SLICE;
			lc_yaml_expr_lex_skip_ws(ps);
			if (number_at(ps->p)) {
				x->end = strtol(ps->p, &end, 10);
				ps->p = end;
				x->given |= 2;
			}
		}
	} else {
		lc_yaml_expr_lex_xfree(lhs);
		lc_yaml_expr_lex_perr(ps, ps->p,
		    "expected a number, a string, a slice or ']' "
		    "after '['%s", "");
		return NULL;
	}
	if (!lc_yaml_expr_lex_punct(ps, "]")) {
		lc_yaml_expr_lex_xfree(x);
		lc_yaml_expr_lex_perr(ps, ps->p, "expected ']'%s", "");
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

	if (lc_yaml_expr_lex_is_ident_start((unsigned char)*ps->p)) {
		x = lc_yaml_expr_lex_xnew(ps, X_FIELD, at);
		x->a = lhs;
		x->s = lc_yaml_expr_lex_ident(ps, &n, 1);
		x->n = n;
		return x;
	}
	if (*ps->p == '"') {
		x = lc_yaml_expr_lex_xnew(ps, X_FIELD, at);
		x->a = lhs;
		if (lc_yaml_expr_lex_string_lit(ps, &x->s, &n) != 0) {
			lc_yaml_expr_lex_xfree(x);
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
	return lc_yaml_expr_lex_xnew(ps, X_IDENT, at);
}

static struct xnode *
func_arg(struct parser *ps, struct xnode *x, int name_only)
{
	size_t n;

	if (!lc_yaml_expr_lex_punct(ps, "(")) {
		lc_yaml_expr_lex_perr(ps, ps->p,
		    "expected '(' after the function name%s", "");
		goto fail;
	}
	lc_yaml_expr_lex_skip_ws(ps);
	if (name_only) {
		/* yq would look up the name with its quotes, and fail. */
		if (*ps->p == '"') {
			lc_yaml_expr_lex_perr(ps, ps->p,
			    "env() and strenv() take the variable's "
			    "name without quotes: env(NAME)%s", "");
			goto fail;
		} else if (lc_yaml_expr_lex_is_ident_start((unsigned char)*ps->p))
			x->s = lc_yaml_expr_lex_ident(ps, &n, 0);
		else {
			lc_yaml_expr_lex_perr(ps, ps->p,
			    "expected a variable name%s", "");
			goto fail;
		}
		x->n = n;
	} else if ((x->a = lc_yaml_expr_grammar_union(ps)) == NULL)
		goto fail;
	if (!lc_yaml_expr_lex_punct(ps, ")")) {
		lc_yaml_expr_lex_perr(ps, ps->p, "expected ')'%s", "");
		goto fail;
	}
	return x;
fail:
	lc_yaml_expr_lex_xfree(x);
	return NULL;
}

void
lc_yaml_expr_grammar_add_kid(struct xnode *x, struct xnode *k)
{
	x->kids = lc_buf_xrealloc(x->kids, (x->nkids + 1) * sizeof(*x->kids));
	x->kids[x->nkids++] = k;
}

static struct xnode *parse_postfix(struct parser *);

static struct xnode *
collection_lit(struct parser *ps, int obj, const char *at)
{
	struct xnode *x = lc_yaml_expr_lex_xnew(ps, obj ? X_OBJECT : X_ARRAY,
	    at), *k;
	const char *close = obj ? "}" : "]";
	size_t n;

	if (lc_yaml_expr_lex_punct(ps, close))
		return x;
	do {
		if (obj) {
			lc_yaml_expr_lex_skip_ws(ps);
			if (*ps->p == '.' || *ps->p == '$' || *ps->p == '(') {
				/* A computed key: {.name: .tag}, {$k: 1}. */
				if ((k = parse_postfix(ps)) == NULL)
					goto fail;
				lc_yaml_expr_grammar_add_kid(x, k);
				goto colon;
			}
			k = lc_yaml_expr_lex_xnew(ps, X_LIT, ps->p);
			k->lit.kind = LC_YL_STR;
			if (*ps->p == '"') {
				if (lc_yaml_expr_lex_string_lit(ps, &k->s,
				    &n) != 0)
					goto fail_k;
			} else if (lc_yaml_expr_lex_is_ident_start((unsigned char)*ps->p))
				k->s = lc_yaml_expr_lex_ident(ps, &n, 1);
			else {
				lc_yaml_expr_lex_perr(ps, ps->p,
				    "expected a key%s", "");
				goto fail_k;
			}
			k->n = n;
			k->lit.s = k->s;
			k->lit.n = n;
			lc_yaml_expr_grammar_add_kid(x, k);
colon:
			if (!lc_yaml_expr_lex_punct(ps, ":")) {
				lc_yaml_expr_lex_perr(ps, ps->p,
				    "expected ':' after the key%s",
				    "");
				goto fail;
			}
		}
		if ((k = parse_or(ps)) == NULL)
			goto fail;
		lc_yaml_expr_grammar_add_kid(x, k);
	} while (lc_yaml_expr_lex_punct(ps, ","));
	if (!lc_yaml_expr_lex_punct(ps, close)) {
		lc_yaml_expr_lex_perr(ps, ps->p, "expected '%s'", close);
		goto fail;
	}
	return x;
fail_k:
	lc_yaml_expr_lex_xfree(k);
fail:
	lc_yaml_expr_lex_xfree(x);
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
		lc_yaml_expr_lex_perr(ps, ps->p, "expected ')'%s", "");
		goto fail;
	}
	if (lc_yaml_env_flags(ps->p + 1, (size_t)(close - ps->p - 1), &flags) !=
	    0) {
		lc_yaml_expr_lex_perr(ps, ps->p + 1, "%s", lc_error_msg());
		goto fail;
	}
	x->idx = (long)flags;
	ps->p = close + 1;
	return x;
fail:
	lc_yaml_expr_lex_xfree(x);
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

	x = lc_yaml_expr_lex_xnew(ps, X_FUNC, at);
	x->s = lc_buf_xstrndup(name, strlen(name));
	x->n = strlen(name);
	lc_yaml_expr_lex_skip_ws(ps);
	if (lc_yaml_expr_lex_punct(ps, "(")) {
		do {
			if ((k = lc_yaml_expr_grammar_union(ps)) == NULL)
				goto fail;
			lc_yaml_expr_grammar_add_kid(x, k);
		} while (lc_yaml_expr_lex_punct(ps, ";"));
		if (!lc_yaml_expr_lex_punct(ps, ")")) {
			lc_yaml_expr_lex_perr(ps, ps->p, "expected ')'%s", "");
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
		lc_yaml_expr_lex_perr(ps, at,
		    "unknown function '%s' (ymlset(1) lists yq's "
		    "operators it knows)", name);
	else
		lc_yaml_expr_lex_perr(ps, at,
		    "wrong number of arguments to '%s'", name);
fail:
	lc_yaml_expr_lex_xfree(x);
	return NULL;
}

/* Brackets, function arguments and "not" nest through here. */
static struct xnode *
primary(struct parser *ps)
{
	struct xnode *x;

	if (++ps->nest > MAX_NEST) {
		ps->nest--;
		lc_yaml_expr_lex_skip_ws(ps);
		lc_yaml_expr_lex_perr(ps, ps->p,
		    "brackets and assignments nested more than "
		    "%s deep", "256");
		return NULL;
	}
	x = lc_yaml_expr_lex_height(ps, primary_(ps));
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

	lc_yaml_expr_lex_skip_ws(ps);
	at = ps->p;
	if (strncmp(ps->p, "...", 3) == 0) {
		ps->p += 3;
		return lc_yaml_expr_lex_xnew(ps, X_RECURSE_ALL, at);
	}
	if (ps->p[0] == '.' && ps->p[1] == '.') {
		ps->p += 2;
		return lc_yaml_expr_lex_xnew(ps, X_RECURSE, at);
	}
	if (*ps->p == '.') {
		ps->p++;
		return dot_suffix(ps, NULL, at);
	}
	if (*ps->p == '"') {
		x = lc_yaml_expr_lex_xnew(ps, X_INTERP, at);
		if (lc_yaml_expr_lex_string_interp(ps, &x->s, &n, x) != 0) {
			lc_yaml_expr_lex_xfree(x);
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
		if ((x = lc_yaml_expr_grammar_union(ps)) == NULL)
			return NULL;
		if (!lc_yaml_expr_lex_punct(ps, ")")) {
			lc_yaml_expr_lex_xfree(x);
			lc_yaml_expr_lex_perr(ps, ps->p, "expected ')'%s", "");
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
		if (!lc_yaml_expr_lex_is_ident_start((unsigned char)*ps->p)) {
			lc_yaml_expr_lex_perr(ps, ps->p,
			    "expected a variable name after '$'%s",
			    "");
			return NULL;
		}
		x = lc_yaml_expr_lex_xnew(ps, X_VAR, at);
		x->s = lc_yaml_expr_lex_ident(ps, &x->n, 0);
		return x;
	}
	if (!lc_yaml_expr_lex_is_ident_start((unsigned char)*ps->p)) {
		if (*ps->p == '\0')
			lc_yaml_expr_lex_perr(ps, ps->p,
			    "unexpected end of expression%s", "");
		else
			lc_yaml_expr_lex_perr(ps, ps->p, "unexpected '%.1s'",
			    ps->p);
		return NULL;
	}
	name = lc_yaml_expr_lex_ident(ps, &n, 0);
	x = NULL;
	if (strcmp(name, "true") == 0 || strcmp(name, "false") == 0 ||
	    strcmp(name, "null") == 0) {
		x = lc_yaml_expr_lex_xnew(ps, X_LIT, at);
		x->s = name;
		x->n = n;
		x->lit.kind = name[0] == 'n' ? LC_YL_NULL : LC_YL_BOOL;
		x->lit.s = x->s;
		x->lit.n = n;
		return x;
	}
	if (strcmp(name, "select") == 0)
		x = func_arg(ps, lc_yaml_expr_lex_xnew(ps, X_SELECT, at), 0);
	else if (strcmp(name, "del") == 0)
		x = func_arg(ps, lc_yaml_expr_lex_xnew(ps, X_DEL, at), 0);
	else if (strcmp(name, "strenv") == 0)
		x = func_arg(ps, lc_yaml_expr_lex_xnew(ps, X_STRENV, at), 1);
	else if (strcmp(name, "env") == 0)
		x = func_arg(ps, lc_yaml_expr_lex_xnew(ps, X_ENV, at), 1);
	else if (strcmp(name, "envsubst") == 0)
		x = envsubst_flags(ps, lc_yaml_expr_lex_xnew(ps, X_ENVSUBST,
		    at));
	else if (strcmp(name, "documentIndex") == 0 || strcmp(name,
	    "di") == 0 ||
	    strcmp(name, "document_index") == 0)
		x = lc_yaml_expr_lex_xnew(ps, X_DOCINDEX, at);
	else if (strcmp(name, "fileIndex") == 0 || strcmp(name, "fi") == 0) {
		/* X_DOCINDEX with idx 1: the file's index, not the document's. */
		x = lc_yaml_expr_lex_xnew(ps, X_DOCINDEX, at);
		x->idx = 1;
	}
	else if (strcmp(name, "not") == 0) {
		lc_yaml_expr_lex_skip_ws(ps);
		x = *ps->p == '(' ? func_arg(ps, lc_yaml_expr_lex_xnew(ps,
		    X_NOT, at), 0) :
		    lc_yaml_expr_lex_xnew(ps, X_NOT, at);
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
		    (lc_yaml_expr_lex_is_ident_start((unsigned char)ps->p[1]) ||
		    ps->p[1] == '"' || ps->p[1] == '[')) {
			ps->p++;
			x = lc_yaml_expr_lex_height(ps, dot_suffix(ps, x, at));
		} else if (*ps->p == '[') {
			ps->p++;
			x = lc_yaml_expr_lex_height(ps, subscript(ps, x, at));
		} else if (*ps->p == '?') {
			ps->p++;
			w = lc_yaml_expr_lex_xnew(ps, X_TRY, at);
			w->a = x;
			x = lc_yaml_expr_lex_height(ps, w);
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
		lc_yaml_expr_lex_xfree(a);
		return NULL;
	}
	x = lc_yaml_expr_lex_xnew(ps, op, at);
	x->a = a;
	x->b = b;
	return lc_yaml_expr_lex_height(ps, x);
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
		lc_yaml_expr_lex_skip_ws(ps);
		lc_yaml_expr_lex_perr(ps, ps->p,
		    "brackets and assignments nested more than "
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
	lc_yaml_expr_lex_skip_ws(ps);
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

	lc_yaml_expr_lex_skip_ws(ps);
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
	lc_yaml_expr_lex_skip_ws(ps);
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
	lc_yaml_expr_lex_skip_ws(ps);
	at = ps->p;
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (lc_yaml_expr_lex_punct(ps, ops[i].s))
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
	lc_yaml_expr_lex_skip_ws(ps);
	at = ps->p;
	if (lc_yaml_expr_lex_word(ps, "and"))
		return binary(ps, X_AND, x, nested(ps, parse_or), at);
	if (lc_yaml_expr_lex_word(ps, "or"))
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
	lc_yaml_expr_lex_skip_ws(ps);
	at = ps->p;
	if (lc_yaml_expr_lex_punct(ps, "|="))
		return binary(ps, X_UPDATE, x, parse_assign(ps), at);
	if (lc_yaml_expr_lex_punct(ps, "+="))
		return binary(ps, X_APPEND, x, parse_assign(ps), at);
	if (lc_yaml_expr_lex_punct(ps, "-="))
		return binary(ps, X_SUBASSIGN, x, parse_assign(ps), at);
	if (lc_yaml_expr_lex_punct(ps, "*=")) {
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
		lc_yaml_expr_lex_xfree(x);
		lc_yaml_expr_lex_perr(ps, at,
		    "'%s' is not a yq operator: the flags of '*=' "
		    "come after the '=' ('.a *=+ .b')", op);
		return NULL;
	}
	if (ps->p[0] == '/' && ps->p[1] == '/' && ps->p[2] == '=') {
		lc_yaml_expr_lex_xfree(x);
		lc_yaml_expr_lex_perr(ps, at,
		    "'%s' is not a yq operator: write "
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
	if (!lc_yaml_expr_lex_punct(ps, "(")) {
		lc_yaml_expr_lex_perr(ps, ps->p,
		    "expected '(' after 'ireduce'%s", "");
		goto fail;
	}
	if ((k = nested(ps, lc_yaml_expr_grammar_union)) == NULL)
		goto fail;
	lc_yaml_expr_grammar_add_kid(b, k);
	if (!lc_yaml_expr_lex_punct(ps, ";")) {
		lc_yaml_expr_lex_perr(ps, ps->p,
		    "expected ';' between the start value and the "
		    "update of 'ireduce'%s", "");
		goto fail;
	}
	if ((k = nested(ps, lc_yaml_expr_grammar_union)) == NULL)
		goto fail;
	lc_yaml_expr_grammar_add_kid(b, k);
	if (!lc_yaml_expr_lex_punct(ps, ")")) {
		lc_yaml_expr_lex_perr(ps, ps->p, "expected ')'%s", "");
		goto fail;
	}
	return lc_yaml_expr_lex_height(ps, b);
fail:
	lc_yaml_expr_lex_xfree(b);
	return NULL;
}

/* "as $name |" after x: the rest of the pipe sees $name. */
static struct xnode *
binding(struct parser *ps, struct xnode *x, const char *at)
{
	struct xnode *b = lc_yaml_expr_lex_xnew(ps, X_AS, at);

	b->a = x;
	lc_yaml_expr_lex_skip_ws(ps);
	if (*ps->p != '$' ||
	    !lc_yaml_expr_lex_is_ident_start((unsigned char)ps->p[1])) {
		lc_yaml_expr_lex_xfree(b);
		lc_yaml_expr_lex_perr(ps, ps->p,
		    "expected '$name' after 'as'%s", "");
		return NULL;
	}
	ps->p++;
	b->s = lc_yaml_expr_lex_ident(ps, &b->n, 0);
	if (lc_yaml_expr_lex_word(ps, "ireduce"))
		return reduce_args(ps, b);
	if (!lc_yaml_expr_lex_punct(ps, "|") || *ps->p == '=') {
		lc_yaml_expr_lex_perr(ps, ps->p, "expected '|' after 'as $%s'",
		    b->s);
		lc_yaml_expr_lex_xfree(b);
		return NULL;
	}
	if ((b->b = nested(ps, parse_pipe)) == NULL) {
		lc_yaml_expr_lex_xfree(b);
		return NULL;
	}
	return lc_yaml_expr_lex_height(ps, b);
}

static struct xnode *
parse_pipe(struct parser *ps)
{
	struct xnode *x = parse_assign(ps);
	const char *at;

	for (;;) {
		lc_yaml_expr_lex_skip_ws(ps);
		at = ps->p;
		if (x != NULL && lc_yaml_expr_lex_word(ps, "as")) {
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

struct xnode *
lc_yaml_expr_grammar_union(struct parser *ps)
{
	struct xnode *x = parse_or(ps);
	const char *at;

	for (;;) {
		lc_yaml_expr_lex_skip_ws(ps);
		at = ps->p;
		if (x == NULL || !lc_yaml_expr_lex_punct(ps, ","))
			return x;
		x = binary(ps, X_UNION, x, parse_or(ps), at);
	}
}
