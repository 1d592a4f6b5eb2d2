/* analysis_expr.c: AnalysisTemplate conditions (expr subset) and phases. */
#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "buf.h"
#include "error.h"
#include "log.h"

/*
 * What the controller does, read (not copied) from Argo Rollouts
 * (Apache-2.0) and expr-lang/expr, formerly antonmedv/expr (MIT):
 *
 * - utils/evaluate/evaluate.go: a condition sees `result` and the
 *   functions asInt, asFloat, isNaN (math.IsNaN), isInf (math.IsInf(x, 0)),
 *   isNil and default. default(_, d) ignores its first argument: it gives
 *   d only when the measurement itself is nil, else the measurement. A
 *   condition whose value is not a boolean is an error ("expected bool").
 * - metricproviders/prometheus/prometheus.go: a vector becomes a
 *   []float64 of the samples' values in the answer's order (never nil:
 *   empty when no series matched), a scalar a float64. NaN and +Inf pass
 *   through, so default() never replaces a Prometheus result.
 * - expr's parser/operator/operator.go: or/|| 10, and/&& 15, comparisons
 *   20, + - 30, * / % 60, ** ^ 100; unary not/! 50 and - + 90. A unary
 *   operator takes the expression at its own precedence, so `!a * b` is
 *   !(a * b) but `!a + b` is (!a) + b, and `-a * b` is (-a) * b.
 * - expr's checker types the whole expression before it runs: && || !
 *   need booleans, ordering and arithmetic need numbers, % needs integers,
 *   an index must be an integer, == needs comparable types; a type error
 *   in a branch that && would skip is still an error. Integer literals
 *   and len() are integers, result's values floats, / always gives a
 *   float (1/0 is +Inf). Recent vm/runtime counts a negative index from
 *   the end; out of range is an error.
 *
 * Everything else (strings, in, matches, member access, closures, all(),
 * ?:, ??, **, nil, asInt...) is refused at parse time by name.
 */

#define MAXLEN		65536
#define MAXDEPTH	1000

enum kind {
	K_NUM, K_BOOL, K_RESULT, K_INDEX, K_LEN, K_ISNAN, K_ISINF,
	K_DEFAULT, K_NOT, K_NEG, K_PLUS, K_BIN
};

enum op {
	OP_OR, OP_AND, OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE,
	OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MOD
};

static const struct {
	const char *text;
	int prec;
} ops[] = {
	[OP_OR] = { "||", 10 }, [OP_AND] = { "&&", 15 },
	[OP_EQ] = { "==", 20 }, [OP_NE] = { "!=", 20 },
	[OP_LT] = { "<", 20 }, [OP_LE] = { "<=", 20 },
	[OP_GT] = { ">", 20 }, [OP_GE] = { ">=", 20 },
	[OP_ADD] = { "+", 30 }, [OP_SUB] = { "-", 30 },
	[OP_MUL] = { "*", 60 }, [OP_DIV] = { "/", 60 },
	[OP_MOD] = { "%", 60 },
};

/* Types, static (the check) and dynamic (a value). */
enum type { TY_INT, TY_FLOAT, TY_BOOL, TY_ARR, TY_ANY };

struct node {
	unsigned char kind, op, isint;
	double num;			/* K_NUM; K_BOOL: 0 or 1 */
	int a, b;			/* children, or -1 */
	int depth;
	size_t pos, end;		/* the source span */
	size_t opos;			/* the operator or function name */
	const char *optext;		/* how the source spelt the operator */
};

struct lc_analysis_expr {
	char *src;
	struct node *nodes;
	size_t n, cap;
	int root;
};

enum tok {
	T_END, T_NUM, T_IDENT, T_OP, T_LP, T_RP, T_LB, T_RB, T_COMMA, T_BAD
};

struct parser {
	struct lc_analysis_expr *e;
	const char *s;
	size_t len;
	enum tok tok;
	size_t tpos, tend;		/* the current token */
	int depth;
};

static int
is_ident(int c, int first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	    c == '$' || (!first && c >= '0' && c <= '9');
}

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
tok_is(const struct parser *p, const char *text)
{
	size_t n = strlen(text);

	return p->tend - p->tpos == n && memcmp(p->s + p->tpos, text, n) == 0;
}

/* Scan the token at p->tend. */
static void
lex(struct parser *p)
{
	static const char *const two[] = {
		"==", "!=", "<=", ">=", "&&", "||", "**", "??", "?.", "..",
		NULL
	};
	const char *s = p->s;
	size_t i = p->tend;
	int q;

	while (i < p->len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' ||
	    s[i] == '\r'))
		i++;
	p->tpos = i;
	if (i >= p->len) {
		p->tok = T_END;
		p->tend = i;
		return;
	}
	if (is_digit(s[i]) || (s[i] == '.' && i + 1 < p->len &&
	    is_digit(s[i + 1]))) {
		p->tok = T_NUM;
		if (s[i] == '0' && i + 1 < p->len && (s[i + 1] == 'x' ||
		    s[i + 1] == 'X')) {
			for (i += 2; i < p->len && (is_digit(s[i]) ||
			    strchr("abcdefABCDEF_", s[i]) != NULL); i++)
				;
		} else {
			while (i < p->len && (is_digit(s[i]) || s[i] == '_'))
				i++;
			if (i + 1 < p->len && s[i] == '.' && is_digit(s[i + 1]))
				for (i++; i < p->len && (is_digit(s[i]) ||
				    s[i] == '_'); i++)
					;
			if (i < p->len && (s[i] == 'e' || s[i] == 'E')) {
				size_t j = i + 1;

				if (j < p->len && (s[j] == '+' || s[j] == '-'))
					j++;
				if (j < p->len && is_digit(s[j]))
					for (i = j; i < p->len &&
					    is_digit(s[i]); i++)
						;
			}
		}
		p->tend = i;
		return;
	}
	if (is_ident((unsigned char)s[i], 1)) {
		while (i < p->len && is_ident((unsigned char)s[i], 0))
			i++;
		p->tok = T_IDENT;
		p->tend = i;
		return;
	}
	if (s[i] == '"' || s[i] == '\'' || s[i] == '`') {
		/* A string: refused, but shown whole in the message. */
		q = s[i++];
		while (i < p->len && s[i] != q)
			i += s[i] == '\\' && i + 1 < p->len ? 2 : 1;
		p->tok = T_BAD;
		p->tend = i < p->len ? i + 1 : i;
		return;
	}
	for (q = 0; two[q] != NULL; q++)
		if (i + 1 < p->len && s[i] == two[q][0] &&
		    s[i + 1] == two[q][1]) {
			p->tend = i + 2;
			p->tok = strchr("=!<>&|", s[i]) != NULL ? T_OP : T_BAD;
			return;
		}
	p->tend = i + 1;
	/* A character outside ASCII is shown whole (its UTF-8 bytes). */
	if ((unsigned char)s[i] >= 0xc0)
		while (p->tend < p->len &&
		    ((unsigned char)s[p->tend] & 0xc0) == 0x80)
			p->tend++;
	switch (s[i]) {
	case '(':
		p->tok = T_LP;
		break;
	case ')':
		p->tok = T_RP;
		break;
	case '[':
		p->tok = T_LB;
		break;
	case ']':
		p->tok = T_RB;
		break;
	case ',':
		p->tok = T_COMMA;
		break;
	case '<': case '>': case '!': case '+': case '-': case '*': case '/':
	case '%':
		p->tok = T_OP;
		break;
	default:
		p->tok = T_BAD;
	}
}

/* The text of s[pos, end) for a message: cleaned, at most 40 bytes. */
static void
excerpt(struct lc_buf *out, const char *s, size_t pos, size_t end)
{
	char *t;
	int cut = end - pos > 40;

	t = lc_buf_xstrndup(s + pos, cut ? 40 : end - pos);
	lc_log_clean(out, t);
	if (cut)
		lc_buf_adds(out, "...");
	free(t);
}

static int
refuse(struct parser *p, size_t pos, size_t end, const char *what)
{
	struct lc_buf b = LC_BUF_INIT;
	int rc;

	excerpt(&b, p->s, pos, end);
	rc = lc_error_set(LC_EUSAGE, "expression: `%s` at column %zu %s",
	    b.data ? b.data : "", pos + 1, what);
	lc_buf_release(&b);
	return rc;
}

/* The current token, as something the subset does not cover. */
static int
unsupported(struct parser *p)
{
	if (p->tok == T_END)
		return lc_error_set(LC_EUSAGE, "expression: it ends too soon "
		    "at column %zu", p->tpos + 1);
	if (p->tok == T_BAD || p->tok == T_IDENT)
		return refuse(p, p->tpos, p->tend, "is not supported");
	return refuse(p, p->tpos, p->tend, "is unexpected here");
}

static int
add(struct parser *p, enum kind kind, int a, int b, size_t pos, size_t end,
    size_t opos)
{
	struct lc_analysis_expr *e = p->e;
	struct node *nd;
	int depth = 0;

	if (a >= 0 && e->nodes[a].depth > depth)
		depth = e->nodes[a].depth;
	if (b >= 0 && e->nodes[b].depth > depth)
		depth = e->nodes[b].depth;
	if (depth + 1 > MAXDEPTH)
		return lc_error_set(LC_EUSAGE, "expression: nested deeper than "
		    "%d levels at column %zu", MAXDEPTH, opos + 1);
	if (e->n == e->cap) {
		/* At most one node per byte of a text of at most MAXLEN. */
		e->cap = e->cap ? e->cap * 2 : 16;
		e->nodes = lc_buf_xrealloc(e->nodes, e->cap *
		    sizeof(*e->nodes));
	}
	nd = &e->nodes[e->n];
	memset(nd, 0, sizeof(*nd));
	nd->kind = (unsigned char)kind;
	nd->a = a;
	nd->b = b;
	nd->depth = depth + 1;
	nd->pos = pos;
	nd->end = end;
	nd->opos = opos;
	return (int)e->n++;
}

static int parse_expr(struct parser *p, int prec, int *out);

static int
number(struct parser *p, int *out)
{
	struct lc_buf b = LC_BUF_INIT;
	size_t i;
	int hex, isint, rc = 0;
	double v;
	char *end;

	for (i = p->tpos; i < p->tend; i++)
		if (p->s[i] != '_')
			lc_buf_addc(&b, p->s[i]);
	hex = b.len > 1 && (b.data[1] == 'x' || b.data[1] == 'X');
	isint = hex || strpbrk(b.data, ".eE") == NULL;
	v = hex ? (double)strtoull(b.data, &end, 16) : strtod(b.data, &end);
	if (hex && b.len == 2)
		end = b.data;
	/* expr's literals are int64 or float64. */
	if (*end != '\0' || (isint && v >= 9223372036854775808.0) ||
	    !isfinite(v))
		rc = refuse(p, p->tpos, p->tend, "is not a number expr reads");
	lc_buf_release(&b);
	if (rc != 0)
		return rc;
	if ((rc = add(p, K_NUM, -1, -1, p->tpos, p->tend, p->tpos)) < 0)
		return rc;
	p->e->nodes[rc].num = v;
	p->e->nodes[rc].isint = (unsigned char)isint;
	*out = rc;
	lex(p);
	return 0;
}

/* name(args): the functions of the subset and their arities. */
static int
call(struct parser *p, enum kind kind, int arity, int *out)
{
	size_t pos = p->tpos, fend = p->tend;
	int args[2] = { -1, -1 }, n = 0, rc;

	lex(p);
	if (p->tok != T_LP)
		return refuse(p, pos, fend, "is a function: call it with (...)");
	lex(p);
	while (p->tok != T_RP) {
		if (n > 0) {
			if (p->tok != T_COMMA)
				return unsupported(p);
			lex(p);
		}
		if (n == arity) {
			struct lc_buf b = LC_BUF_INIT;

			excerpt(&b, p->s, pos, fend);
			rc = lc_error_set(LC_EUSAGE, "expression: %s() at "
			    "column %zu takes %d argument%s", b.data, pos + 1,
			    arity, arity == 1 ? "" : "s");
			lc_buf_release(&b);
			return rc;
		}
		if ((rc = parse_expr(p, 0, &args[n])) != 0)
			return rc;
		n++;
	}
	if (n != arity) {
		struct lc_buf b = LC_BUF_INIT;

		excerpt(&b, p->s, pos, fend);
		rc = lc_error_set(LC_EUSAGE, "expression: %s() at column %zu "
		    "takes %d argument%s, not %d", b.data, pos + 1, arity,
		    arity == 1 ? "" : "s", n);
		lc_buf_release(&b);
		return rc;
	}
	if ((rc = add(p, kind, args[0], args[1], pos, p->tend, pos)) < 0)
		return rc;
	*out = rc;
	lex(p);
	return 0;
}

static int
ident(struct parser *p, int *out)
{
	int rc;

	if (tok_is(p, "true") || tok_is(p, "false") || tok_is(p, "result")) {
		rc = add(p, tok_is(p, "result") ? K_RESULT : K_BOOL, -1, -1,
		    p->tpos, p->tend, p->tpos);
		if (rc < 0)
			return rc;
		p->e->nodes[rc].num = tok_is(p, "true");
		*out = rc;
		lex(p);
		return 0;
	}
	if (tok_is(p, "len"))
		return call(p, K_LEN, 1, out);
	if (tok_is(p, "isNaN"))
		return call(p, K_ISNAN, 1, out);
	if (tok_is(p, "isInf"))
		return call(p, K_ISINF, 1, out);
	if (tok_is(p, "default"))
		return call(p, K_DEFAULT, 2, out);
	return unsupported(p);
}

/* Indexing after a primary; member access and slices are refused. */
static int
postfix(struct parser *p, int *node)
{
	size_t bpos;
	int idx, rc;

	for (;;) {
		if (p->tok == T_BAD && (tok_is(p, ".") || tok_is(p, "?.")))
			return unsupported(p);
		if (p->tok != T_LB)
			return 0;
		bpos = p->tpos;
		lex(p);
		if ((rc = parse_expr(p, 0, &idx)) != 0)
			return rc;
		if (p->tok != T_RB)
			return unsupported(p);
		rc = add(p, K_INDEX, *node, idx, p->e->nodes[*node].pos,
		    p->tend, bpos);
		if (rc < 0)
			return rc;
		*node = rc;
		lex(p);
	}
}

static int
primary(struct parser *p, int *out)
{
	size_t pos = p->tpos;
	enum kind kind;
	int a, rc;

	if (++p->depth > MAXDEPTH)
		return lc_error_set(LC_EUSAGE, "expression: nested deeper "
		    "than %d levels at column %zu", MAXDEPTH, pos + 1);
	if ((p->tok == T_OP && (tok_is(p, "!") || tok_is(p, "-") ||
	    tok_is(p, "+"))) || (p->tok == T_IDENT && tok_is(p, "not"))) {
		kind = tok_is(p, "-") ? K_NEG : tok_is(p, "+") ? K_PLUS : K_NOT;
		lex(p);
		if ((rc = parse_expr(p, kind == K_NOT ? 50 : 90, &a)) != 0)
			return rc;
		if ((rc = add(p, kind, a, -1, pos, p->e->nodes[a].end,
		    pos)) < 0)
			return rc;
		p->e->nodes[rc].optext = kind == K_NOT ?
		    (p->s[pos] == '!' ? "!" : "not") : kind == K_NEG ? "-" :
		    "+";
		*out = rc;
	} else if (p->tok == T_LP) {
		lex(p);
		if ((rc = parse_expr(p, 0, out)) != 0)
			return rc;
		if (p->tok != T_RP)
			return p->tok == T_END ? lc_error_set(LC_EUSAGE,
			    "expression: the ( at column %zu is not closed",
			    pos + 1) : unsupported(p);
		/* The span takes the parentheses in, for messages. */
		p->e->nodes[*out].pos = pos;
		p->e->nodes[*out].end = p->tend;
		lex(p);
	} else if (p->tok == T_NUM) {
		if ((rc = number(p, out)) != 0)
			return rc;
	} else if (p->tok == T_IDENT) {
		if ((rc = ident(p, out)) != 0)
			return rc;
	} else
		return p->tok == T_LB ? refuse(p, p->tpos, p->tend,
		    "(an array) is not supported") : unsupported(p);
	if ((rc = postfix(p, out)) != 0)
		return rc;
	p->depth--;
	return 0;
}

static int
binop(const struct parser *p)
{
	size_t i;

	if (p->tok == T_IDENT)
		return tok_is(p, "or") ? OP_OR : tok_is(p, "and") ? OP_AND : -1;
	if (p->tok != T_OP)
		return -1;
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (tok_is(p, ops[i].text))
			return (int)i;
	return -1;
}

/* Precedence climbing, as expr's parseExpression; every operator is left. */
static int
parse_expr(struct parser *p, int prec, int *out)
{
	int left, right, op, rc;
	size_t opos;
	const char *optext;

	if ((rc = primary(p, &left)) != 0)
		return rc;
	while ((op = binop(p)) >= 0 && ops[op].prec >= prec) {
		opos = p->tpos;
		optext = p->tok == T_IDENT ? (op == OP_OR ? "or" : "and") :
		    ops[op].text;
		lex(p);
		if ((rc = parse_expr(p, ops[op].prec + 1, &right)) != 0)
			return rc;
		rc = add(p, K_BIN, left, right, p->e->nodes[left].pos,
		    p->e->nodes[right].end, opos);
		if (rc < 0)
			return rc;
		p->e->nodes[rc].op = (unsigned char)op;
		p->e->nodes[rc].optext = optext;
		left = rc;
	}
	*out = left;
	return 0;
}

int
lc_analysis_expr_parse(struct lc_analysis_expr **out, const char *src)
{
	struct lc_analysis_expr *e;
	struct parser p;
	int rc;

	*out = NULL;
	p.len = strlen(src);
	if (p.len > MAXLEN)
		return lc_error_set(LC_EUSAGE, "expression: longer than %d "
		    "bytes", MAXLEN);
	e = lc_buf_xmalloc(sizeof(*e));
	memset(e, 0, sizeof(*e));
	e->src = lc_buf_xstrndup(src, p.len);
	p.e = e;
	p.s = e->src;
	p.tend = 0;
	p.depth = 0;
	lex(&p);
	if (p.tok == T_END)
		rc = lc_error_set(LC_EUSAGE, "expression: it is empty");
	else if ((rc = parse_expr(&p, 0, &e->root)) == 0 && p.tok != T_END)
		rc = unsupported(&p);
	if (rc != 0) {
		lc_analysis_expr_free(e);
		return rc;
	}
	*out = e;
	return 0;
}

void
lc_analysis_expr_free(struct lc_analysis_expr *e)
{
	if (e == NULL)
		return;
	free(e->nodes);
	free(e->src);
	free(e);
}

/* Evaluation. */

struct val {
	enum type ty;
	double num;			/* TY_INT, TY_FLOAT; TY_BOOL: 0 or 1 */
	const double *v;		/* TY_ARR */
	size_t n;
};

struct env {
	const struct lc_analysis_expr *e;
	const double *v;
	size_t n;
	int scalar;
};

static const char *
tyname(enum type t)
{
	switch (t) {
	case TY_INT:
	case TY_FLOAT:
		return "a number";
	case TY_BOOL:
		return "a boolean";
	case TY_ARR:
		return "an array";
	default:
		return "a value";
	}
}

static int
numeric(enum type t)
{
	return t == TY_INT || t == TY_FLOAT || t == TY_ANY;
}

/*
 * A type error naming the node's operator or function and its column;
 * arr adds the hint most such errors need.
 */
static int
type_error(const struct lc_analysis_expr *e, const struct node *nd, int arr,
    const char *fmt, ...)
{
	struct lc_buf what = LC_BUF_INIT, name = LC_BUF_INIT;
	va_list ap;
	int rc;

	switch (nd->kind) {
	case K_LEN: case K_ISNAN: case K_ISINF: case K_DEFAULT:
		excerpt(&name, e->src, nd->opos, nd->opos +
		    strcspn(e->src + nd->opos, "( \t\r\n"));
		lc_buf_adds(&name, "()");
		break;
	case K_INDEX:
		lc_buf_adds(&name, "[");
		break;
	default:
		lc_buf_adds(&name, nd->optext ? nd->optext : "?");
	}
	va_start(ap, fmt);
	lc_buf_vprintf(&what, fmt, ap);
	va_end(ap);
	rc = lc_error_set(LC_ERROR, "`%s` at column %zu %s%s", name.data,
	    nd->opos + 1, what.data, arr ? " (result is an array: write "
	    "result[0] for its first value)" : "");
	lc_buf_release(&what);
	lc_buf_release(&name);
	return rc;
}

/*
 * The type an operation gives its operands' types, or a type error; the
 * static check and the evaluation both ask, so their messages agree.
 */
static int
op_type(const struct lc_analysis_expr *e, const struct node *nd,
    enum type ta, enum type tb, enum type *tr)
{
	int arr = ta == TY_ARR || tb == TY_ARR;

	switch (nd->kind) {
	case K_INDEX:
		if (ta != TY_ARR && ta != TY_ANY)
			return type_error(e, nd, 0, "indexes %s", tyname(ta));
		if (tb == TY_FLOAT)
			return type_error(e, nd, 0, "needs an integer index, "
			    "not a fraction");
		if (tb != TY_INT && tb != TY_ANY)
			return type_error(e, nd, 0, "needs an integer index, "
			    "not %s", tyname(tb));
		*tr = ta == TY_ARR ? TY_FLOAT : TY_ANY;
		return 0;
	case K_LEN:
		if (ta != TY_ARR && ta != TY_ANY)
			return type_error(e, nd, 0, "needs an array, not %s",
			    tyname(ta));
		*tr = TY_INT;
		return 0;
	case K_ISNAN:
	case K_ISINF:
	case K_NEG:
	case K_PLUS:
		if (!numeric(ta))
			return type_error(e, nd, arr, "needs a number, not %s",
			    tyname(ta));
		*tr = nd->kind == K_NEG || nd->kind == K_PLUS ? ta : TY_BOOL;
		return 0;
	case K_NOT:
		if (ta != TY_BOOL && ta != TY_ANY)
			return type_error(e, nd, arr, "needs a boolean, not %s",
			    tyname(ta));
		*tr = TY_BOOL;
		return 0;
	default:
		break;
	}
	assert(nd->kind == K_BIN);
	switch (nd->op) {
	case OP_OR:
	case OP_AND:
		if ((ta != TY_BOOL && ta != TY_ANY) ||
		    (tb != TY_BOOL && tb != TY_ANY))
			return type_error(e, nd, arr, "needs booleans, not %s "
			    "and %s", tyname(ta), tyname(tb));
		*tr = TY_BOOL;
		return 0;
	case OP_EQ:
	case OP_NE:
		if (ta != TY_ANY && tb != TY_ANY && ta != tb &&
		    !(numeric(ta) && numeric(tb)))
			return type_error(e, nd, arr, "compares %s with %s",
			    tyname(ta), tyname(tb));
		*tr = TY_BOOL;
		return 0;
	case OP_LT: case OP_LE: case OP_GT: case OP_GE:
		if (!numeric(ta) || !numeric(tb))
			return type_error(e, nd, arr, "compares %s with %s",
			    tyname(ta), tyname(tb));
		*tr = TY_BOOL;
		return 0;
	case OP_MOD:
		if (ta == TY_FLOAT || tb == TY_FLOAT)
			return type_error(e, nd, 0, "needs integers, not "
			    "fractions (result's values and quotients are "
			    "fractions)");
		if ((ta != TY_INT && ta != TY_ANY) ||
		    (tb != TY_INT && tb != TY_ANY))
			return type_error(e, nd, arr, "needs integers, not %s "
			    "and %s", tyname(ta), tyname(tb));
		*tr = TY_INT;
		return 0;
	default:
		if (!numeric(ta) || !numeric(tb))
			return type_error(e, nd, arr, "needs numbers, not %s "
			    "and %s", tyname(ta), tyname(tb));
		if (nd->op == OP_DIV)
			*tr = TY_FLOAT;
		else if (ta == TY_ANY || tb == TY_ANY)
			*tr = TY_ANY;
		else
			*tr = ta == TY_INT && tb == TY_INT ? TY_INT : TY_FLOAT;
		return 0;
	}
}

/* The static check, as expr's checker, before anything runs. */
static int
check(const struct env *env, int i, enum type *t)
{
	const struct node *nd = &env->e->nodes[i];
	enum type ta = TY_ANY, tb = TY_ANY;
	int rc;

	switch (nd->kind) {
	case K_NUM:
		*t = nd->isint ? TY_INT : TY_FLOAT;
		return 0;
	case K_BOOL:
		*t = TY_BOOL;
		return 0;
	case K_RESULT:
		*t = env->scalar ? TY_FLOAT : TY_ARR;
		return 0;
	default:
		break;
	}
	if (nd->a >= 0 && (rc = check(env, nd->a, &ta)) != 0)
		return rc;
	if (nd->b >= 0 && (rc = check(env, nd->b, &tb)) != 0)
		return rc;
	if (nd->kind == K_DEFAULT) {
		*t = TY_ANY;
		return 0;
	}
	return op_type(env->e, nd, ta, tb, t);
}

static void
setnum(struct val *out, enum type ty, double num)
{
	out->ty = ty;
	out->num = num;
}

static int
index_value(const struct env *env, const struct node *nd,
    const struct val *arr, double idx, struct val *out)
{
	struct lc_buf b = LC_BUF_INIT;
	double i = idx;
	int rc;

	if (i < 0)
		i += (double)arr->n;
	if (i >= 0 && i < (double)arr->n) {
		setnum(out, TY_FLOAT, arr->v[(size_t)i]);
		return 0;
	}
	excerpt(&b, env->e->src, nd->pos, nd->end);
	if (arr->n == 0)
		rc = lc_error_set(LC_ERROR, "%s: the query returned no value",
		    b.data);
	else
		rc = lc_error_set(LC_ERROR, "%s: index %.0f is out of range: "
		    "the query returned %zu value%s", b.data, idx, arr->n,
		    arr->n == 1 ? "" : "s");
	lc_buf_release(&b);
	return rc;
}

static int
eval(const struct env *env, int i, struct val *out)
{
	const struct node *nd = &env->e->nodes[i];
	struct val a, b;
	enum type t;
	int rc;

	memset(out, 0, sizeof(*out));
	switch (nd->kind) {
	case K_NUM:
		setnum(out, nd->isint ? TY_INT : TY_FLOAT, nd->num);
		return 0;
	case K_BOOL:
		setnum(out, TY_BOOL, nd->num);
		return 0;
	case K_RESULT:
		if (env->scalar) {
			setnum(out, TY_FLOAT, env->v[0]);
			return 0;
		}
		out->ty = TY_ARR;
		out->v = env->v;
		out->n = env->n;
		return 0;
	default:
		break;
	}
	if ((rc = eval(env, nd->a, &a)) != 0)
		return rc;
	if (nd->kind == K_BIN && (nd->op == OP_AND || nd->op == OP_OR)) {
		if ((rc = op_type(env->e, nd, a.ty, TY_BOOL, &t)) != 0)
			return rc;
		if ((a.num != 0) == (nd->op == OP_OR)) {
			*out = a;
			return 0;
		}
	}
	if (nd->b >= 0 && (rc = eval(env, nd->b, &b)) != 0)
		return rc;
	if (nd->kind == K_DEFAULT) {
		/* Argo's default() gives the measurement: see the top. */
		memset(&b, 0, sizeof(b));
		b.ty = env->scalar ? TY_FLOAT : TY_ARR;
		if (env->scalar)
			b.num = env->v[0];
		b.v = env->v;
		b.n = env->n;
		*out = b;
		return 0;
	}
	if ((rc = op_type(env->e, nd, a.ty, nd->b >= 0 ? b.ty : TY_ANY,
	    &t)) != 0)
		return rc;
	switch (nd->kind) {
	case K_INDEX:
		return index_value(env, nd, &a, b.num, out);
	case K_LEN:
		setnum(out, TY_INT, (double)a.n);
		return 0;
	case K_ISNAN:
		setnum(out, TY_BOOL, isnan(a.num));
		return 0;
	case K_ISINF:
		setnum(out, TY_BOOL, isinf(a.num));
		return 0;
	case K_NOT:
		setnum(out, TY_BOOL, a.num == 0);
		return 0;
	case K_NEG:
		setnum(out, a.ty, -a.num);
		return 0;
	case K_PLUS:
		*out = a;
		return 0;
	default:
		break;
	}
	switch (nd->op) {
	case OP_AND:
	case OP_OR:
		*out = b;
		return 0;
	case OP_EQ:
	case OP_NE:
		if (a.ty == TY_ARR) {
			size_t k;
			int same = a.n == b.n;

			for (k = 0; same && k < a.n; k++)
				same = a.v[k] == b.v[k];
			setnum(out, TY_BOOL, same == (nd->op == OP_EQ));
		} else
			setnum(out, TY_BOOL, (a.num == b.num) ==
			    (nd->op == OP_EQ));
		return 0;
	case OP_LT:
		setnum(out, TY_BOOL, a.num < b.num);
		return 0;
	case OP_LE:
		setnum(out, TY_BOOL, a.num <= b.num);
		return 0;
	case OP_GT:
		setnum(out, TY_BOOL, a.num > b.num);
		return 0;
	case OP_GE:
		setnum(out, TY_BOOL, a.num >= b.num);
		return 0;
	case OP_ADD:
		setnum(out, t, a.num + b.num);
		return 0;
	case OP_SUB:
		setnum(out, t, a.num - b.num);
		return 0;
	case OP_MUL:
		setnum(out, t, a.num * b.num);
		return 0;
	case OP_DIV:
		setnum(out, t, a.num / b.num);
		return 0;
	default:
		if (b.num == 0)
			return lc_error_set(LC_ERROR, "`%%` at column %zu: "
			    "integer divide by zero", nd->opos + 1);
		/* expr's ints are int64; ours stay exact up to 2^53. */
		if (!(a.num > -9.2e18 && a.num < 9.2e18 && b.num > -9.2e18 &&
		    b.num < 9.2e18))
			return lc_error_set(LC_ERROR, "`%%` at column %zu: an "
			    "operand is beyond 64-bit integers", nd->opos + 1);
		setnum(out, t, (double)((long long)a.num % (long long)b.num));
		return 0;
	}
}

int
lc_analysis_expr_eval(const struct lc_analysis_expr *e, const double *v,
    size_t n, int scalar, int *truth)
{
	struct env env = { e, v, n, scalar };
	struct val out;
	enum type t;
	int rc;

	if (scalar && n != 1)
		return lc_error_set(LC_ERROR, "a scalar result has %zu values, "
		    "not one", n);
	if ((rc = check(&env, e->root, &t)) != 0 ||
	    (rc = eval(&env, e->root, &out)) != 0)
		return rc;
	if (out.ty != TY_BOOL)
		return lc_error_set(LC_ERROR, "the condition gives %s, not "
		    "true or false", tyname(out.ty));
	*truth = out.num != 0;
	return 0;
}

/* One condition's truth, or its error under the condition's name. */
static int
truth(const struct lc_analysis_metric *m, const struct lc_analysis_expr *e,
    const char *what, const double *v, size_t n, int scalar, int *t)
{
	struct lc_buf b = LC_BUF_INIT;
	int rc;

	if ((rc = lc_analysis_expr_eval(e, v, n, scalar, t)) == 0)
		return 0;
	lc_buf_adds(&b, lc_error_msg() ? lc_error_msg() : "cannot evaluate");
	rc = lc_error_set(rc, "metric %s: %s: %s", m->name ? m->name : "-",
	    what, b.data);
	lc_buf_release(&b);
	return rc;
}

/*
 * evaluate.go's EvaluateResult. Its documentation (features/analysis.md)
 * says a metric without conditions is inconclusive; the code says
 * successful, and the code is what the controller runs.
 */
enum lc_analysis_phase
lc_analysis_judge(const struct lc_analysis_metric *m, const double *v,
    size_t n, int scalar)
{
	int ok = 0, bad = 0;

	if (m->success_expr != NULL && truth(m, m->success_expr,
	    "successCondition", v, n, scalar, &ok) != 0)
		return LC_ANALYSIS_ERROR;
	if (m->failure_expr != NULL && truth(m, m->failure_expr,
	    "failureCondition", v, n, scalar, &bad) != 0)
		return LC_ANALYSIS_ERROR;
	if (m->success_expr == NULL && m->failure_expr == NULL)
		return LC_ANALYSIS_SUCCESSFUL;
	if (m->failure_expr == NULL)
		bad = !ok;
	else if (m->success_expr == NULL)
		ok = !bad;
	if (bad)
		return LC_ANALYSIS_FAILED;
	return ok ? LC_ANALYSIS_SUCCESSFUL : LC_ANALYSIS_INCONCLUSIVE;
}
