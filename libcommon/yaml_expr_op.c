/* yaml_expr_op.c: operators: arithmetic, comparison, *, slices, $x, {...}. */
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
		if ((rc = lc_yaml_expr_eval_node(c, x->kids[i], in,
		    &o[i])) != 0)
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
			if ((rc = lc_yaml_expr_value_val_lit(c, &o[i].v[at[i]],
			    &cl)) != 0)
				break;
			kids[i] = *cl;
			if (i % 2 == 0 && is_coll(cl))
				rc = lc_error_set(LC_EUSAGE,
				    "a key of {...} is "
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

int
lc_yaml_expr_op_collection(struct ctx *c, const struct xnode *x,
    const struct val *in,
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
			rc = lc_yaml_expr_eval_node(c, x->kids[i], in, &all);
		kids = alloc(c, (all.n + 1) * sizeof(*kids));
		for (j = 0; j < all.n && rc == 0; j++)
			if ((rc = lc_yaml_expr_value_val_lit(c, &all.v[j],
			    &cl)) == 0)
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

/* A number as short a text as reads back the same (Go's, so yq's). */
struct lc_ylit *
lc_yaml_expr_op_num_lit(struct ctx *c, double d)
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

/*
 * Whether scalars a and b are equal, as lc_yaml_expr_value_equal() does
 * for values.
 */
int
lc_yaml_expr_op_lit_equal(const struct lc_ylit *a, const struct lc_ylit *b)
{
	size_t i;

	if (a->kind == LC_YL_NUM && b->kind == LC_YL_NUM)
		return strtod(a->s, NULL) == strtod(b->s, NULL);
	if (a->kind != b->kind || a->nkids != b->nkids)
		return 0;
	if (a->kind == LC_YL_SEQ || a->kind == LC_YL_MAP) {
		for (i = 0; i < a->nkids; i++)
			if (!lc_yaml_expr_op_lit_equal(&a->kids[i],
			    &b->kids[i]))
				return 0;
		return 1;
	}
	if (a->kind == LC_YL_BOOL)
		return (a->s[0] == 't' || a->s[0] == 'T') ==
		    (b->s[0] == 't' || b->s[0] == 'T');
	return a->kind == LC_YL_NULL || (a->n == b->n &&
	    memcmp(a->s, b->s, a->n) == 0);
}

const char *
lc_yaml_expr_op_kind_name(enum lc_ylit_kind k)
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
int
lc_yaml_expr_op_arith(struct ctx *c, enum xop op, const struct lc_ylit *a,
    const struct lc_ylit *b, const struct lc_ylit **out)
{
	struct lc_yfn_mem mem = { lc_yaml_expr_call_yfn_alloc, c };

	if (op == X_ADD && (a->kind == LC_YL_NULL || b->kind == LC_YL_NULL)) {
		*out = a->kind == LC_YL_NULL ? b : a;
		return 0;
	}
	/* What yq adds or subtracts: the arithmetic is yaml_func_op.c's. */
	if ((a->kind == LC_YL_NUM && b->kind == LC_YL_NUM) ||
	    (op == X_ADD && (a->kind == LC_YL_STR || b->kind == LC_YL_STR) &&
	    !is_coll(a) && !is_coll(b)) || a->kind == LC_YL_SEQ ||
	    (op == X_ADD && a->kind == LC_YL_MAP && b->kind == LC_YL_MAP))
		return op == X_ADD ? lc_yaml_func_add(&mem, a, b, out) :
		    lc_yaml_func_sub(&mem, a, b, out);
	return lc_error_set(LC_EUSAGE, "cannot %s %s %s %s",
	    op == X_ADD ? "add" : "subtract",
	    lc_yaml_expr_op_kind_name(b->kind),
	    op == X_ADD ? "to" : "from", lc_yaml_expr_op_kind_name(a->kind));
}

/* a < b (and the others) as yq: numbers, strings; null is never less. */
int
lc_yaml_expr_op_compare(struct ctx *c, enum xop op, const struct val *a,
    const struct val *b,
    int *t)
{
	static const char *const ops[] = { "<", "<=", ">", ">=" };
	enum lc_ylit_kind ka, kb;
	const char *sa, *sb;
	size_t na, nb;

	if (!lc_yaml_expr_value_scalar_of(c, a, &ka, &sa,
	    &na) || !lc_yaml_expr_value_scalar_of(c, b, &kb, &sb, &nb))
		return lc_error_set(LC_EUSAGE, "cannot compare collections "
		    "with '<', '<=', '>' or '>='");
	/* Two numbers, two strings, or a null and anything. */
	if (ka != LC_YL_NULL && kb != LC_YL_NULL && (ka != kb ||
	    (ka != LC_YL_NUM && ka != LC_YL_STR)))
		return lc_error_set(LC_EUSAGE, "cannot compare %s with %s",
		    lc_yaml_expr_op_kind_name(ka),
		    lc_yaml_expr_op_kind_name(kb));
	/* The comparison itself is yaml_func_cmp.c's (ints as ints). */
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
	struct lc_yfn_mem mem = { lc_yaml_expr_call_yfn_alloc, c };
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
		*out = lc_yaml_expr_op_num_lit(c, da / db);
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
		*out = lc_yaml_expr_op_num_lit(c,
		    da - db * (double)(long long)(da / db));
	else
		return lc_error_set(LC_EUSAGE, "cannot take the remainder of "
		    "%.*s by %.*s: too large", (int)a->n, a->s, (int)b->n,
		    b->s);
	return 0;
}

/*
 * yq's "*" (with x->idx's merge flags), "/" and "%" on every pair of
 * outputs, the left side's outer: (1, 2) * (3, 4) is 3, 4, 6, 8. A missing
 * path gives nothing on either side, as in yq (".a * .missing" has no
 * output).
 */
int
lc_yaml_expr_op_multiply(struct ctx *c, const struct xnode *x,
    const struct val *in,
    struct vals *out)
{
	struct lc_yfn_mem mem = { lc_yaml_expr_call_yfn_alloc, c };
	struct vals as = { NULL, 0, 0 }, bs = { NULL, 0, 0 };
	const struct lc_ylit *la, *lb, *r;
	struct val v;
	size_t i, j;
	int rc;

	if ((rc = lc_yaml_expr_eval_node(c, x->a, in, &as)) != 0 ||
	    (rc = lc_yaml_expr_eval_node(c, x->b, in, &bs)) != 0)
		goto done;
	for (i = 0; i < as.n && rc == 0; i++) {
		if (as.v[i].kind == V_MISS ||
		    (rc = lc_yaml_expr_value_val_lit(c, &as.v[i], &la)) != 0)
			continue;
		for (j = 0; j < bs.n && rc == 0; j++) {
			if (bs.v[j].kind == V_MISS ||
			    (rc = lc_yaml_expr_value_val_lit(c, &bs.v[j],
			    &lb)) != 0 ||
			    (rc = x->op == X_MUL ? lc_yaml_func_mul(&mem, la,
			    lb,
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
int
lc_yaml_expr_op_slice(struct ctx *c, const struct xnode *x,
    const struct val *in,
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
	if ((rc = lc_yaml_expr_value_val_lit(c, in, &l)) != 0)
		return rc;
	if (l->kind == LC_YL_SEQ)
		len = (long)l->nkids;
	else if (l->kind == LC_YL_STR)
		len = (long)utf8_len(l->s, l->n);
	else if (l->kind == LC_YL_NULL)
		return 0;
	else
		return lc_error_set(LC_EUSAGE, "cannot slice %s: only "
		    "sequences and strings",
		    lc_yaml_expr_op_kind_name(l->kind));
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

void
lc_yaml_expr_op_bind_push(struct ctx *c, const char *name, const struct val *v)
{
	if (c->nbinds == c->capbinds) {
		c->capbinds = c->capbinds ? c->capbinds * 2 : 8;
		c->binds = lc_buf_xrealloc(c->binds, c->capbinds *
		    sizeof(*c->binds));
	}
	c->binds[c->nbinds].name = name;
	c->binds[c->nbinds++].v = *v;
}

int
lc_yaml_expr_op_variable(struct ctx *c, const struct xnode *x, struct vals *out)
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
int
lc_yaml_expr_op_interpolate(struct ctx *c, const struct xnode *x,
    const struct val *in,
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
		if ((rc = lc_yaml_expr_value_eval1(c, x->kids[i], in, &v)) != 0)
			break;
		if (lc_yaml_expr_value_scalar_of(c, &v, &k, &s, &n))
			lc_buf_add(&b, s, n);
		else {
			/* A collection in a string: as YAML, whatever -o. */
			fmt = c->env->fmt;
			c->env->fmt = NULL;
			t.len = 0;
			(void)lc_yaml_expr_eval_print_val(c, &v, &t);
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
