/* yaml_func.c: yq v4's value functions and operators on lc_ylit values. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

#include "buf.h"
#include "error.h"
#include "yaml_edit.h"
#include "yaml_func.h"
#include "yaml_func_int.h"

/* Values made here: the same struct, owned by the caller's arena. */
typedef struct lc_ylit lit;

void *
lc_yaml_func_alloc(struct lc_yfn_mem *m, size_t n)
{
	return m->alloc(m->arg, n ? n : 1);
}

int
lc_yaml_func_nomem(void)
{
	return lc_error_set(LC_ENOMEM, "out of memory");
}

lit *
lc_yaml_func_mklit(struct lc_yfn_mem *m, enum lc_ylit_kind kind, const char *s,
    size_t n)
{
	lit *l = lc_yaml_func_alloc(m, sizeof(*l));
	char *p = lc_yaml_func_alloc(m, n + 1);

	if (l == NULL || p == NULL)
		return NULL;
	if (n && s)
		memcpy(p, s, n);
	p[n] = '\0';
	memset(l, 0, sizeof(*l));
	l->kind = kind;
	l->s = p;
	l->n = n;
	return l;
}

lit *
lc_yaml_func_mkcoll(struct lc_yfn_mem *m, enum lc_ylit_kind kind, size_t nkids,
    lit **kids)
{
	lit *l = lc_yaml_func_alloc(m, sizeof(*l));

	*kids = NULL;
	if (l == NULL)
		return NULL;
	memset(l, 0, sizeof(*l));
	l->kind = kind;
	l->s = "";
	if (nkids > SIZE_MAX / sizeof(lit) / 2 ||
	    (*kids = lc_yaml_func_alloc(m, nkids * sizeof(lit))) == NULL)
		return NULL;
	memset(*kids, 0, nkids * sizeof(lit));
	l->kids = *kids;
	l->nkids = nkids;
	return l;
}

static int
isscalar(const lit *l)
{
	return l->kind != LC_YL_SEQ && l->kind != LC_YL_MAP;
}

/* The text yq reads for a scalar: null is "null" when it has none. */
static const char *
text(const lit *l, size_t *n)
{
	if (l->kind == LC_YL_NULL && (l->s == NULL || l->n == 0)) {
		*n = 4;
		return "null";
	}
	*n = l->s ? l->n : 0;
	return l->s ? l->s : "";
}

static int
texteq(const lit *a, const lit *b)
{
	size_t an, bn;
	const char *as = text(a, &an), *bs = text(b, &bn);

	return an == bn && memcmp(as, bs, an) == 0;
}

/* Whether v nests no deeper than LC_YFN_MAXDEPTH (the walks recurse). */
static int
shallow(const lit *v, int depth)
{
	size_t i;

	if (depth > LC_YFN_MAXDEPTH)
		return 0;
	for (i = 0; !isscalar(v) && i < v->nkids; i++)
		if (!shallow(&v->kids[i], depth + 1))
			return 0;
	return 1;
}

/* 0 when every value of v[0..n) is shallow, else LC_ERROR. */
static int
refuse_deep(const lit *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!shallow(&v[i], 0))
			return lc_error_set(LC_ERROR, "a value nested deeper "
			    "than %d levels is refused", LC_YFN_MAXDEPTH);
	return 0;
}

/* Copy n kids; an empty collection may have no kids array at all. */
static void
copykids(lit *dst, const lit *src, size_t n)
{
	if (n)
		memcpy(dst, src, n * sizeof(lit));
}

/* Numbers. */

/*
 * yq's int: [-+] then 0x hex, 0o octal or decimal digits, in int64 range.
 * *base gets 16, 8 or 10, the form results keep.
 */
static int
parse_int(const char *s, size_t n, long long *v, int *base)
{
	size_t i = 0;
	unsigned long long u = 0, lim;
	int neg = 0, b = 10, d;

	if (i < n && (s[i] == '-' || s[i] == '+'))
		neg = s[i++] == '-';
	if (n - i > 2 && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X'))
		b = 16, i += 2;
	else if (n - i > 2 && s[i] == '0' && s[i + 1] == 'o')
		b = 8, i += 2;
	if (i == n)
		return 0;
	lim = neg ? (unsigned long long)LLONG_MAX + 1 : LLONG_MAX;
	for (; i < n; i++) {
		if (isdigit((unsigned char)s[i]))
			d = s[i] - '0';
		else if (b == 16 && isxdigit((unsigned char)s[i]))
			d = tolower((unsigned char)s[i]) - 'a' + 10;
		else
			return 0;
		if (d >= b || u > (lim - d) / b)
			return 0;
		u = u * b + d;
	}
	*v = neg ? (long long)(0 - u) : (long long)u;
	if (base)
		*base = b;
	return 1;
}

/*
 * Go's strconv.ParseFloat syntax (decimal; inf, infinity, nan in any
 * case; '_' between digits), or YAML's .inf/.nan when yaml is set. An
 * overflow is no number, as in Go.
 */
static int
parse_float(const char *s, size_t n, int yaml, double *v)
{
	char tmp[512], *end;
	size_t i = 0, j = 0, k;
	int digits = 0, neg = 0;
	const char *words[] = { "inf", "infinity", "nan" };

	if (i < n && (s[i] == '-' || s[i] == '+'))
		neg = s[i++] == '-';
	for (k = 0; k < 3; k++) {
		size_t wl = strlen(words[k]);
		const char *w = s + i;

		if (yaml && n - i == wl + 1 && w[0] == '.')
			w++;
		else if (yaml || n - i != wl)
			continue;
		if (strncasecmp(w, words[k], wl) == 0 &&
		    (!yaml || strncmp(w, words[k], wl) == 0 ||
		    strncmp(w, k == 2 ? "NaN" : "Inf", 3) == 0 ||
		    strncmp(w, k == 2 ? "NAN" : "INF", 3) == 0)) {
			*v = k == 2 ? NAN : neg ? -INFINITY : INFINITY;
			return 1;
		}
	}
	if (n >= sizeof(tmp))
		return 0;
	if (neg)
		tmp[j++] = '-';
	for (; i < n && (isdigit((unsigned char)s[i]) || s[i] == '_'); i++) {
		if (s[i] == '_') {
			if (i == 0 || !isdigit((unsigned char)s[i - 1]) ||
			    i + 1 == n || !isdigit((unsigned char)s[i + 1]))
				return 0;
			continue;
		}
		tmp[j++] = s[i], digits++;
	}
	if (i < n && s[i] == '.') {
		tmp[j++] = s[i++];
		for (; i < n && isdigit((unsigned char)s[i]); i++)
			tmp[j++] = s[i], digits++;
	}
	if (digits == 0)
		return 0;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		tmp[j++] = s[i++];
		if (i < n && (s[i] == '-' || s[i] == '+'))
			tmp[j++] = s[i++];
		if (i == n || !isdigit((unsigned char)s[i]))
			return 0;
		for (; i < n && isdigit((unsigned char)s[i]); i++)
			tmp[j++] = s[i];
	}
	if (i != n)
		return 0;
	tmp[j] = '\0';
	errno = 0;
	*v = strtod(tmp, &end);
	if (errno == ERANGE && isinf(*v))
		return 0;
	return 1;
}

/* A number operand: an int (isint, i, base) or a float f. */
struct num {
	int isint, base;
	long long i;
	double f;
};

static int
getnum(const lit *l, struct num *x)
{
	size_t n;
	const char *s = text(l, &n);

	memset(x, 0, sizeof(*x));
	if (l->kind != LC_YL_NUM)
		return 0;
	if (parse_int(s, n, &x->i, &x->base)) {
		x->isint = 1;
		x->f = (double)x->i;
		return 1;
	}
	return parse_float(s, n, 1, &x->f);
}

const char *
lc_yaml_func_tag(const lit *v)
{
	struct num x;

	switch (v->kind) {
	case LC_YL_NULL:
		return "!!null";
	case LC_YL_BOOL:
		return "!!bool";
	case LC_YL_NUM:
		return getnum(v, &x) && !x.isint ? "!!float" : "!!int";
	case LC_YL_STR:
		return "!!str";
	case LC_YL_SEQ:
		return "!!seq";
	default:
		return "!!map";
	}
}

static int
isint(const lit *l)
{
	struct num x;

	return getnum(l, &x) && x.isint;
}

/* Go's strconv.FormatFloat(f, 'g', -1, 64). */
static void
fmt_float(double f, struct lc_buf *b)
{
	char tmp[64], dig[32];
	int p, nd = 0, exp, dp, i;
	char *e;

	if (isnan(f)) {
		lc_buf_adds(b, "NaN");
		return;
	}
	if (isinf(f)) {
		lc_buf_adds(b, f > 0 ? "+Inf" : "-Inf");
		return;
	}
	if (signbit(f))
		lc_buf_addc(b, '-'), f = -f;
	if (f == 0) {
		lc_buf_addc(b, '0');
		return;
	}
	for (p = 1; p <= 17; p++) {
		snprintf(tmp, sizeof(tmp), "%.*e", p - 1, f);
		if (strtod(tmp, NULL) == f)
			break;
	}
	for (i = 0; tmp[i] && tmp[i] != 'e'; i++)
		if (isdigit((unsigned char)tmp[i]))
			dig[nd++] = tmp[i];
	while (nd > 1 && dig[nd - 1] == '0')
		nd--;
	e = strchr(tmp, 'e');
	exp = atoi(e + 1);
	/* Go's shortest %g switches to an exponent outside [-4, 6). */
	if (exp < -4 || exp >= 6) {
		lc_buf_addc(b, dig[0]);
		if (nd > 1) {
			lc_buf_addc(b, '.');
			lc_buf_add(b, dig + 1, nd - 1);
		}
		lc_buf_printf(b, "e%c%02d", exp < 0 ? '-' : '+',
		    exp < 0 ? -exp : exp);
		return;
	}
	dp = exp + 1;
	if (dp <= 0) {
		lc_buf_adds(b, "0.");
		for (i = dp; i < 0; i++)
			lc_buf_addc(b, '0');
		lc_buf_add(b, dig, nd);
		return;
	}
	for (i = 0; i < dp; i++)
		lc_buf_addc(b, i < nd ? dig[i] : '0');
	if (nd > dp) {
		lc_buf_addc(b, '.');
		lc_buf_add(b, dig + dp, nd - dp);
	}
}

static int
numlit(struct lc_yfn_mem *m, const struct num *x, const lit **out)
{
	struct lc_buf b = LC_BUF_INIT;
	unsigned long long u;
	lit *l;

	if (x->isint) {
		u = x->i < 0 ? 0 - (unsigned long long)x->i :
		    (unsigned long long)x->i;
		if (x->base == 16)
			lc_buf_printf(&b, "0x%s%llX", x->i < 0 ? "-" : "", u);
		else if (x->base == 8)
			lc_buf_printf(&b, "0o%s%llo", x->i < 0 ? "-" : "", u);
		else
			lc_buf_printf(&b, "%lld", x->i);
	} else
		fmt_float(x->f, &b);
	l = lc_yaml_func_mklit(m, LC_YL_NUM, b.data, b.len);
	lc_buf_release(&b);
	if (l == NULL)
		return lc_yaml_func_nomem();
	*out = l;
	return 0;
}

/* a op b on numbers, op one of + - *: Go's int64 or float64. */
static int
arith(struct lc_yfn_mem *m, const lit *a, const lit *b, int op,
    const lit **out)
{
	struct num x, y, r;

	if (!getnum(a, &x) || !getnum(b, &y))
		return lc_error_set(LC_EDATA, "cannot compute with %s '%.*s'",
		    lc_yaml_func_tag(a), (int)(a->n > 40 ? 40 : a->n), a->s);
	memset(&r, 0, sizeof(r));
	if (x.isint && y.isint) {
		unsigned long long ux = x.i, uy = y.i;

		r.isint = 1;
		r.base = x.base;
		r.i = (long long)(op == '+' ? ux + uy : op == '-' ? ux - uy :
		    ux * uy);
	} else
		r.f = op == '+' ? x.f + y.f : op == '-' ? x.f - y.f : x.f * y.f;
	return numlit(m, &r, out);
}

/* Equality and order. */

int
lc_yaml_func_equal(const lit *a, const lit *b)
{
	if (!isscalar(a) || !isscalar(b))
		return 0;
	if (a->kind == LC_YL_NULL || b->kind == LC_YL_NULL)
		return a->kind == b->kind;
	return texteq(a, b);
}

static int
deq(const lit *a, const lit *b, int depth)
{
	size_t i, j;

	if (depth > LC_YFN_MAXDEPTH)
		return 0;
	if (isscalar(a) && isscalar(b))
		return texteq(a, b);
	if (a->kind != b->kind || a->nkids != b->nkids)
		return 0;
	if (a->kind == LC_YL_SEQ) {
		for (i = 0; i < a->nkids; i++)
			if (!deq(&a->kids[i], &b->kids[i], depth + 1))
				return 0;
		return 1;
	}
	for (i = 0; i + 1 < a->nkids; i += 2) {
		for (j = 0; j + 1 < b->nkids; j += 2)
			if (texteq(&a->kids[i], &b->kids[j]))
				break;
		if (j + 1 >= b->nkids ||
		    !deq(&a->kids[i + 1], &b->kids[j + 1], depth + 1))
			return 0;
	}
	return 1;
}

int
lc_yaml_func_deep_equal(const lit *a, const lit *b)
{
	return deq(a, b, 0);
}

static int
memcmp3(const char *a, size_t an, const char *b, size_t bn)
{
	int c = memcmp(a, b, an < bn ? an : bn);

	return c ? c : an < bn ? -1 : an > bn;
}

int
lc_yaml_func_sort_cmp(const lit *a, const lit *b)
{
	struct num x, y;
	size_t an, bn;
	const char *as, *bs;
	int ab = a->kind == LC_YL_BOOL, bb = b->kind == LC_YL_BOOL;

	if (a->kind == LC_YL_NULL || b->kind == LC_YL_NULL)
		return (b->kind == LC_YL_NULL) - (a->kind == LC_YL_NULL);
	if (ab || bb) {
		if (!ab || !bb)
			return ab ? -1 : 1;
		ab = a->n == 4 || (a->s && tolower((unsigned char)a->s[0]) ==
		    't');
		bb = b->n == 4 || (b->s && tolower((unsigned char)b->s[0]) ==
		    't');
		return ab - bb;
	}
	if (getnum(a, &x) && getnum(b, &y)) {
		if (x.isint && y.isint)
			return (x.i > y.i) - (x.i < y.i);
		return (x.f > y.f) - (x.f < y.f);
	}
	as = isscalar(a) ? text(a, &an) : (an = 0, "");
	bs = isscalar(b) ? text(b, &bn) : (bn = 0, "");
	return memcmp3(as, an, bs, bn);
}

int
lc_yaml_func_compare(const lit *a, const lit *b, const char *op, int *res)
{
	int eq = op[1] == '=', gt = op[0] == '>', c;
	struct num x, y;

	if (a->kind == LC_YL_MAP)
		return lc_error_set(LC_EDATA,
		    "maps not yet supported for comparison");
	if (a->kind == LC_YL_SEQ)
		return lc_error_set(LC_EDATA,
		    "arrays not yet supported for comparison");
	if (!isscalar(b))
		return lc_error_set(LC_EDATA, "%s cannot be compared with %s",
		    lc_yaml_func_tag(b), lc_yaml_func_tag(a));
	if (getnum(a, &x) && getnum(b, &y)) {
		if (x.isint && y.isint)
			c = (x.i > y.i) - (x.i < y.i);
		else
			c = (x.f > y.f) - (x.f < y.f);
	} else if (a->kind == LC_YL_STR && b->kind == LC_YL_STR) {
		c = memcmp3(a->s, a->n, b->s, b->n);
	} else if (a->kind == LC_YL_NULL || b->kind == LC_YL_NULL) {
		*res = eq && a->kind == b->kind;
		return 0;
	} else
		return lc_error_set(LC_EDATA,
		    "%s not yet supported for comparison", lc_yaml_func_tag(a));
	*res = (eq && c == 0) || (gt ? c > 0 : c < 0);
	return 0;
}

/* Stable merge sort of idx[0..n) by keys, with tmp as scratch. */
static void
msort(const lit *keys, size_t *idx, size_t *tmp, size_t n)
{
	size_t h = n / 2, i = 0, j = h, k = 0;

	if (n < 2)
		return;
	msort(keys, idx, tmp, h);
	msort(keys, idx + h, tmp, n - h);
	while (i < h && j < n)
		tmp[k++] = lc_yaml_func_sort_cmp(&keys[idx[j]], &keys[idx[i]]) < 0 ?
		    idx[j++] : idx[i++];
	while (i < h)
		tmp[k++] = idx[i++];
	while (j < n)
		tmp[k++] = idx[j++];
	memcpy(idx, tmp, n * sizeof(*idx));
}

int
lc_yaml_func_sort_order(struct lc_yfn_mem *m, const lit *keys, size_t n,
    size_t *order)
{
	size_t i, *tmp;

	if (n > SIZE_MAX / sizeof(size_t) ||
	    (tmp = lc_yaml_func_alloc(m, n * sizeof(size_t))) == NULL)
		return lc_yaml_func_nomem();
	for (i = 0; i < n; i++)
		order[i] = i;
	msort(keys, order, tmp, n);
	return 0;
}

/* A hash consistent with deq: equal values hash alike. */
static uint64_t
khash(const lit *l, int depth, int flat)
{
	uint64_t h = 1469598103934665603ULL, s = 0;
	const char *t;
	size_t i, n;

	if (depth > LC_YFN_MAXDEPTH)
		return 0;
	if (isscalar(l) || flat) {
		t = isscalar(l) ? text(l, &n) : (n = 0, "");
		for (i = 0; i < n; i++)
			h = (h ^ (unsigned char)t[i]) * 1099511628211ULL;
		return h;
	}
	if (l->kind == LC_YL_SEQ) {
		for (i = 0; i < l->nkids; i++)
			h = (h ^ khash(&l->kids[i], depth + 1, 0)) *
			    1099511628211ULL;
		return h ^ 0x5e9;
	}
	/* Maps are equal in any key order: add the pairs' hashes. */
	for (i = 0; i + 1 < l->nkids; i += 2)
		s += (khash(&l->kids[i], depth + 1, 0) * 31) ^
		    khash(&l->kids[i + 1], depth + 1, 0);
	return s ^ 0xa9;
}

/* group_by's key equality: yq compares the nodes' text, which is empty
 * for every collection. */
static int
flateq(const lit *a, const lit *b)
{
	size_t an = 0, bn = 0;
	const char *as = isscalar(a) ? text(a, &an) : "";
	const char *bs = isscalar(b) ? text(b, &bn) : "";

	return an == bn && memcmp(as, bs, an) == 0;
}

/*
 * Number the distinct keys by first appearance: id[i] for key i, *nid
 * their count, rep[g] (optional) the first item of group g. flat: keys
 * compare as group_by's, else as unique_by's (deep equality).
 */
static int
classify(struct lc_yfn_mem *m, const lit *keys, size_t n, size_t *id,
    size_t *nid, size_t *rep, int flat)
{
	size_t cap = 16, i, j, g = 0, *slot, *first;
	uint64_t *hs;
	int rc;

	if ((rc = refuse_deep(keys, n)) != 0)
		return rc;
	while (cap < n * 2) {
		if (cap > SIZE_MAX / 4 / sizeof(uint64_t))
			return lc_yaml_func_nomem();
		cap *= 2;
	}
	if ((slot = lc_yaml_func_alloc(m, cap * sizeof(size_t))) == NULL ||
	    (hs = lc_yaml_func_alloc(m, (n ? n : 1) * sizeof(uint64_t))) == NULL ||
	    (first = lc_yaml_func_alloc(m, (n ? n : 1) * sizeof(size_t))) == NULL)
		return lc_yaml_func_nomem();
	memset(slot, 0, cap * sizeof(size_t));
	for (i = 0; i < n; i++) {
		hs[i] = khash(&keys[i], 0, flat);
		for (j = hs[i] & (cap - 1); slot[j]; j = (j + 1) & (cap - 1)) {
			size_t k = first[slot[j] - 1];

			if (hs[k] == hs[i] && (flat ? flateq(&keys[k], &keys[i])
			    : deq(&keys[k], &keys[i], 0)))
				break;
		}
		if (slot[j] == 0) {
			first[g] = i;
			if (rep)
				rep[g] = i;
			slot[j] = ++g;
		}
		id[i] = slot[j] - 1;
	}
	*nid = g;
	return 0;
}

int
lc_yaml_func_group(struct lc_yfn_mem *m, const lit *keys, size_t n, size_t *group,
    size_t *ngroups)
{
	return classify(m, keys, n, group, ngroups, NULL, 1);
}

int
lc_yaml_func_unique_keep(struct lc_yfn_mem *m, const lit *keys, size_t n,
    size_t *keep, size_t *nkeep)
{
	size_t *id;

	if ((id = lc_yaml_func_alloc(m, (n ? n : 1) * sizeof(size_t))) == NULL)
		return lc_yaml_func_nomem();
	return classify(m, keys, n, id, nkeep, keep, 0);
}

/* + - * */

static int
tooraw(const char *what, size_t n)
{
	return lc_error_set(LC_ERROR, "%s of %zu bytes is longer than the "
	    "%zu bytes allowed", what, n, LC_YFN_MAXSTR);
}

static int
concat(struct lc_yfn_mem *m, const lit *a, const lit *b, const lit **out)
{
	size_t an, bn;
	const char *as = text(a, &an), *bs = text(b, &bn);
	lit *l;
	char *p;

	if (an + bn > LC_YFN_MAXSTR)
		return tooraw("a string", an + bn);
	if ((l = lc_yaml_func_mklit(m, LC_YL_STR, NULL, an + bn)) == NULL)
		return lc_yaml_func_nomem();
	p = (char *)l->s;
	memcpy(p, as, an);
	memcpy(p + an, bs, bn);
	*out = l;
	return 0;
}

int
lc_yaml_func_add(struct lc_yfn_mem *m, const lit *a, const lit *b, const lit **out)
{
	lit *l, *k;
	size_t i, j, n;

	if (a->kind == LC_YL_NULL) {
		*out = b;
		return 0;
	}
	if (a->kind == LC_YL_SEQ) {
		if (b->kind == LC_YL_NULL) {
			*out = a;
			return 0;
		}
		n = b->kind == LC_YL_SEQ ? b->nkids : 1;
		if ((l = lc_yaml_func_mkcoll(m, LC_YL_SEQ, a->nkids + n, &k)) == NULL)
			return lc_yaml_func_nomem();
		copykids(k, a->kids, a->nkids);
		if (b->kind == LC_YL_SEQ)
			copykids(k + a->nkids, b->kids, n);
		else
			k[a->nkids] = *b;
		*out = l;
		return 0;
	}
	if (a->kind == LC_YL_MAP || !isscalar(b)) {
		if (a->kind != LC_YL_MAP || b->kind != LC_YL_MAP)
			return lc_error_set(LC_EDATA, "%s () cannot be added "
			    "to a %s ()", lc_yaml_func_tag(b), lc_yaml_func_tag(a));
		if ((l = lc_yaml_func_mkcoll(m, LC_YL_MAP, a->nkids + b->nkids, &k)) ==
		    NULL)
			return lc_yaml_func_nomem();
		copykids(k, a->kids, a->nkids);
		n = a->nkids;
		for (j = 0; j + 1 < b->nkids; j += 2) {
			for (i = 0; i + 1 < a->nkids; i += 2)
				if (texteq(&k[i], &b->kids[j]))
					break;
			if (i + 1 >= a->nkids) {
				i = n;
				n += 2;
				k[i] = b->kids[j];
			}
			k[i + 1] = b->kids[j + 1];
		}
		l->nkids = n;
		*out = l;
		return 0;
	}
	if (b->kind == LC_YL_NULL && a->kind == LC_YL_STR) {
		*out = a;
		return 0;
	}
	if ((a->kind == LC_YL_STR || b->kind == LC_YL_STR) &&
	    b->kind != LC_YL_NULL)
		return concat(m, a, b, out);
	if (a->kind == LC_YL_NUM && b->kind == LC_YL_NUM)
		return arith(m, a, b, '+', out);
	return lc_error_set(LC_EDATA, "%s cannot be added to %s",
	    lc_yaml_func_tag(a), lc_yaml_func_tag(b));
}

int
lc_yaml_func_sub(struct lc_yfn_mem *m, const lit *a, const lit *b, const lit **out)
{
	lit *l, *k;
	size_t i, j, n = 0;
	int rc;

	if (a->kind == LC_YL_NULL) {
		*out = b;
		return 0;
	}
	if (a->kind == LC_YL_SEQ) {
		if (b->kind != LC_YL_SEQ)
			return lc_error_set(LC_EDATA, "%s () cannot be "
			    "subtracted from !!seq", lc_yaml_func_tag(b));
		if ((rc = refuse_deep(a, 1)) != 0 ||
		    (rc = refuse_deep(b, 1)) != 0)
			return rc;
		if ((l = lc_yaml_func_mkcoll(m, LC_YL_SEQ, a->nkids, &k)) == NULL)
			return lc_yaml_func_nomem();
		for (i = 0; i < a->nkids; i++) {
			for (j = 0; j < b->nkids; j++)
				if (deq(&a->kids[i], &b->kids[j], 0))
					break;
			if (j == b->nkids)
				k[n++] = a->kids[i];
		}
		l->nkids = n;
		*out = l;
		return 0;
	}
	if (a->kind == LC_YL_MAP)
		return lc_error_set(LC_EDATA,
		    "maps not yet supported for subtraction");
	if (a->kind == LC_YL_STR)
		return lc_error_set(LC_EDATA, "strings cannot be subtracted");
	if (!isscalar(b))
		return lc_error_set(LC_EDATA, "%s () cannot be subtracted "
		    "from %s", lc_yaml_func_tag(b), lc_yaml_func_tag(a));
	if (a->kind == LC_YL_NUM && b->kind == LC_YL_NUM)
		return arith(m, a, b, '-', out);
	/* yq's own words for these. */
	return lc_error_set(LC_EDATA, "%s cannot be added to %s",
	    lc_yaml_func_tag(a), lc_yaml_func_tag(b));
}

int
lc_yaml_func_merge_flags(const char *s, size_t n, unsigned *flags)
{
	size_t i;
	const char *p;

	*flags = 0;
	for (i = 0; i < n; i++) {
		if ((p = strchr("+d?nc", s[i])) == NULL || s[i] == '\0')
			return lc_error_set(LC_EUSAGE, "unknown merge flag "
			    "'%c' after '*' (known: + d ? n c)", s[i]);
		*flags |= 1u << (p - "+d?nc");
	}
	return 0;
}

static int merge(struct lc_yfn_mem *, const lit *, const lit *, unsigned,
    int, const lit **);

/* What a missing key or index is to merge(). */
static const lit null_lit = { LC_YL_NULL, "null", 4, NULL, 0 };

static int
mergeable(const lit *a, const lit *b)
{
	return !isscalar(a) && a->kind == b->kind;
}

/*
 * The children of b applied to cur, as yq's traversal reaches them: keys
 * into a map, items by index into a sequence (created past its end, even
 * with '?'), indexes as keys ("0") into a map, nothing into a scalar; a
 * key into a sequence is yq's error.
 */
static int
merge_kids(struct lc_yfn_mem *m, const lit *cur, const lit *b, unsigned fl,
    int depth, const lit **out)
{
	const lit *bk, *bv, *r;
	lit *l, *k, *key;
	size_t i, j, n, nb;
	char num[32];
	int rc;

	nb = b->kind == LC_YL_MAP ? b->nkids / 2 : b->nkids;
	if (isscalar(cur) || nb == 0) {
		*out = cur;
		return 0;
	}
	if (cur->kind == LC_YL_SEQ && b->kind == LC_YL_MAP)
		return lc_error_set(LC_EDATA, "cannot index array with '%.*s'",
		    (int)(b->kids[0].n > 64 ? 64 : b->kids[0].n),
		    b->kids[0].s ? b->kids[0].s : "");
	if ((l = lc_yaml_func_mkcoll(m, cur->kind, cur->nkids + (cur->kind ==
	    LC_YL_MAP ? 2 : 1) * nb, &k)) == NULL)
		return lc_yaml_func_nomem();
	copykids(k, cur->kids, cur->nkids);
	n = cur->nkids;
	for (j = 0; j < nb; j++) {
		bv = b->kind == LC_YL_MAP ? &b->kids[2 * j + 1] : &b->kids[j];
		if (cur->kind == LC_YL_SEQ) {
			if ((rc = merge(m, j < n ? &k[j] : &null_lit, bv, fl,
			    depth + 1, &r)) != 0)
				return rc;
			k[j < n ? j : n++] = *r;
			continue;
		}
		if (b->kind == LC_YL_MAP)
			bk = &b->kids[2 * j];
		else {
			snprintf(num, sizeof(num), "%zu", j);
			if ((key = lc_yaml_func_mklit(m, LC_YL_STR, num,
			    strlen(num))) == NULL)
				return lc_yaml_func_nomem();
			bk = key;
		}
		for (i = 0; i + 1 < n; i += 2)
			if (texteq(&k[i], bk))
				break;
		if (i + 1 >= n && (fl & LC_YFN_MEXIST))
			continue;
		if ((rc = merge(m, i + 1 < n ? &k[i + 1] : &null_lit, bv, fl,
		    depth + 1, &r)) != 0)
			return rc;
		if (i + 1 >= n) {
			k[n] = *bk;
			n += 2;
		}
		k[i + 1] = *r;
	}
	l->nkids = n;
	*out = l;
	return 0;
}

/*
 * b applied to a as yq's mergeObjects does: it walks b, parents first,
 * and applies each node at the same path of a. A sequence with '+' is
 * appended to a's value (and then, with 'd', its items are applied again
 * by index, to the old items: [1, 2] *+d [3] is [3, 2, 3]); a scalar, or
 * a sequence without 'd', replaces a's value; a map, or a sequence with
 * 'd', makes a's value a collection of its kind when the kinds differ,
 * then its children are applied (merge_kids). With 'n' only a null or
 * missing value (a is null_lit) is written; with '?' missing keys are
 * not created.
 */
static int
merge(struct lc_yfn_mem *m, const lit *a, const lit *b, unsigned fl,
    int depth, const lit **out)
{
	int writable = !(fl & LC_YFN_MNEW) || a->kind == LC_YL_NULL;
	const lit *cur = a;
	lit *k;
	int rc;

	if (depth > LC_YFN_MAXDEPTH)
		return lc_error_set(LC_ERROR, "values nested deeper than %d "
		    "levels cannot be merged", LC_YFN_MAXDEPTH);
	if (b->kind == LC_YL_SEQ && (fl & LC_YFN_MAPPEND)) {
		if (writable && (rc = lc_yaml_func_add(m, a, b, &cur)) != 0)
			return rc;
		if (!(fl & LC_YFN_MDEEP)) {
			*out = cur;
			return 0;
		}
		return merge_kids(m, cur, b, fl, depth, out);
	}
	if (isscalar(b) || (b->kind == LC_YL_SEQ && !(fl & LC_YFN_MDEEP))) {
		*out = writable ? b : a;
		return 0;
	}
	if (writable && a->kind != b->kind &&
	    (cur = lc_yaml_func_mkcoll(m, b->kind, 0, &k)) == NULL)
		return lc_yaml_func_nomem();
	return merge_kids(m, cur, b, fl, depth, out);
}

static int
repeat(struct lc_yfn_mem *m, const lit *s, const lit *num, const lit **out)
{
	struct num x;
	size_t i, len;
	lit *l;
	char *p;

	getnum(num, &x);
	if (x.i < 0)
		return lc_error_set(LC_EUSAGE, "cannot repeat string by a "
		    "negative number (%lld)", x.i);
	if (s->n && (unsigned long long)x.i > LC_YFN_MAXSTR / s->n)
		return lc_error_set(LC_ERROR, "a string of %zu bytes repeated "
		    "%lld times is longer than the %zu bytes allowed", s->n,
		    x.i, LC_YFN_MAXSTR);
	if ((l = lc_yaml_func_mklit(m, LC_YL_STR, NULL, s->n * x.i)) == NULL)
		return lc_yaml_func_nomem();
	p = (char *)l->s;
	/* Doubling: a log of copies, not one per repeat. */
	if ((len = s->n * x.i) != 0)
		memcpy(p, s->s, s->n);
	for (i = s->n; i && i < len; i *= 2)
		memcpy(p + i, p, i < len - i ? i : len - i);
	*out = l;
	return 0;
}

int
lc_yaml_func_mul(struct lc_yfn_mem *m, const lit *a, const lit *b, unsigned flags,
    const lit **out)
{
	if (!isscalar(a) || !isscalar(b) || a->kind == LC_YL_NULL) {
		if (mergeable(a, b))
			return merge(m, a, b, flags, 0, out);
		if (a->kind == LC_YL_NULL && (!isscalar(b) ||
		    b->kind == LC_YL_NULL)) {
			*out = b;
			return 0;
		}
		if (b->kind == LC_YL_NULL) {
			*out = a;
			return 0;
		}
		goto bad;
	}
	if (b->kind == LC_YL_NULL) {
		*out = a;
		return 0;
	}
	if (a->kind == LC_YL_NUM && b->kind == LC_YL_NUM)
		return arith(m, a, b, '*', out);
	if (a->kind == LC_YL_STR && isint(b))
		return repeat(m, a, b, out);
	if (b->kind == LC_YL_STR && isint(a))
		return repeat(m, b, a, out);
bad:
	return lc_error_set(LC_EDATA, "cannot multiply %s with %s",
	    lc_yaml_func_tag(a), lc_yaml_func_tag(b));
}

/* Strings. */

static int
wrongkind(const char *fmt, const lit *v)
{
	return lc_error_set(LC_EDATA, fmt, lc_yaml_func_tag(v));
}

/* One UTF-8 sequence at s (n > 0 bytes left): its code point, or -1 for
 * a byte that starts none (taken alone). *len gets its length. */
long
lc_yaml_func_utf8_get(const unsigned char *s, size_t n, size_t *len)
{
	size_t ok = lc_yaml_edit_utf8_check((const char *)s, n < 4 ? n : 4);
	long c;

	*len = 1;
	if (s[0] < 0x80)
		return s[0];
	if (ok == 0)
		return -1;
	if (s[0] >= 0xf0 && ok >= 4)
		*len = 4, c = s[0] & 7;
	else if (s[0] >= 0xe0 && s[0] < 0xf0 && ok >= 3)
		*len = 3, c = s[0] & 15;
	else if (s[0] >= 0xc0 && s[0] < 0xe0 && ok >= 2)
		*len = 2, c = s[0] & 31;
	else
		return -1;
	for (size_t i = 1; i < *len; i++)
		c = c << 6 | (s[i] & 63);
	return c;
}

static void
utf8_put(struct lc_buf *b, long c)
{
	if (c < 0x80) {
		lc_buf_addc(b, (int)c);
	} else if (c < 0x800) {
		lc_buf_addc(b, 0xc0 | (int)(c >> 6));
		lc_buf_addc(b, 0x80 | (int)(c & 63));
	} else if (c < 0x10000) {
		lc_buf_addc(b, 0xe0 | (int)(c >> 12));
		lc_buf_addc(b, 0x80 | (int)(c >> 6 & 63));
		lc_buf_addc(b, 0x80 | (int)(c & 63));
	} else {
		lc_buf_addc(b, 0xf0 | (int)(c >> 18));
		lc_buf_addc(b, 0x80 | (int)(c >> 12 & 63));
		lc_buf_addc(b, 0x80 | (int)(c >> 6 & 63));
		lc_buf_addc(b, 0x80 | (int)(c & 63));
	}
}

static int
buflit(struct lc_yfn_mem *m, enum lc_ylit_kind kind, struct lc_buf *b,
    const lit **out)
{
	lit *l = lc_yaml_func_mklit(m, kind, b->data ? b->data : "", b->len);

	lc_buf_release(b);
	if (l == NULL)
		return lc_yaml_func_nomem();
	*out = l;
	return 0;
}

/*
 * Go's unicode.ToUpper/ToLower are Unicode's simple case mappings, which
 * glibc's C.UTF-8 towupper/towlower implement whatever the user's locale;
 * without that locale only ASCII changes.
 */
static int
changecase(struct lc_yfn_mem *m, const lit *in, int up, int ascii,
    const lit **out)
{
	static locale_t loc;
	static int tried;
	struct lc_buf b = LC_BUF_INIT;
	const unsigned char *s = (const unsigned char *)in->s;
	size_t i, len;
	long c;

	if (in->kind != LC_YL_STR)
		return wrongkind("cannot change case with %s, can only "
		    "operate on strings.", in);
	if (!tried && !ascii) {
		tried = 1;
		loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	}
	lc_buf_grow(&b, in->n);
	for (i = 0; i < in->n; i += len) {
		c = lc_yaml_func_utf8_get(s + i, in->n - i, &len);
		if (c < 0) {
			lc_buf_addc(&b, s[i]);
			continue;
		}
		if (c < 0x80)
			c = up ? toupper((int)c) : tolower((int)c);
		else if (!ascii && loc)
			c = up ? (long)towupper_l((wint_t)c, loc) :
			    (long)towlower_l((wint_t)c, loc);
		utf8_put(&b, c);
	}
	return buflit(m, LC_YL_STR, &b, out);
}

static int
isspace_go(long c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') || c == 0x85 ||
	    c == 0xa0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200a) ||
	    c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f ||
	    c == 0x3000;
}

/* Go's strings.TrimSpace (left and right), TrimLeft..., TrimRight.... */
static int
trim(struct lc_yfn_mem *m, const lit *in, int left, int right,
    const lit **out)
{
	const unsigned char *s = (const unsigned char *)in->s;
	size_t a = 0, z, len, i, last;
	lit *l;

	if (in->kind != LC_YL_STR)
		return wrongkind("cannot trim %s, can only operate on "
		    "strings.", in);
	z = in->n;
	while (left && a < z && isspace_go(lc_yaml_func_utf8_get(s + a, z - a, &len)))
		a += len;
	if (right) {
		/* Walk forward: UTF-8 is read left to right. */
		for (i = a, last = a; i < z; i += len)
			if (!isspace_go(lc_yaml_func_utf8_get(s + i, z - i, &len)))
				last = i + len;
		z = last;
	}
	if ((l = lc_yaml_func_mklit(m, LC_YL_STR, in->s + a, z - a)) == NULL)
		return lc_yaml_func_nomem();
	*out = l;
	return 0;
}

static int
to_string(struct lc_yfn_mem *m, const lit *in, const lit **out)
{
	struct lc_buf b = LC_BUF_INIT;
	size_t n;
	const char *s;
	lit *l;

	int rc;

	if ((rc = refuse_deep(in, 1)) != 0)
		return rc;
	if (isscalar(in)) {
		s = text(in, &n);
		if ((l = lc_yaml_func_mklit(m, LC_YL_STR, s, n)) == NULL)
			return lc_yaml_func_nomem();
		*out = l;
		return 0;
	}
	lc_yaml_edit_emit(&b, in);
	while (b.len && b.data[b.len - 1] == '\n')
		b.len--;
	return buflit(m, LC_YL_STR, &b, out);
}

static int
to_number(struct lc_yfn_mem *m, const lit *in, const lit **out)
{
	long long i;
	double f;
	lit *l;

	if (in->kind == LC_YL_NUM) {
		*out = in;
		return 0;
	}
	if (in->kind != LC_YL_STR || (!parse_int(in->s, in->n, &i, NULL) &&
	    !parse_float(in->s, in->n, 0, &f))) {
		size_t n;
		const char *s = isscalar(in) ? text(in, &n) : (n = 0, "");

		return lc_error_set(LC_EDATA, "cannot convert node value "
		    "[%.*s] of tag %s to number", (int)(n > 80 ? 80 : n), s,
		    lc_yaml_func_tag(in));
	}
	if ((l = lc_yaml_func_mklit(m, LC_YL_NUM, in->s, in->n)) == NULL)
		return lc_yaml_func_nomem();
	*out = l;
	return 0;
}

static int
split(struct lc_yfn_mem *m, const lit *in, const lit *sep, const lit **out)
{
	size_t sn, i, n = 0, len, start;
	const char *ss, *s = in->s;
	lit *l, *k;

	if (in->kind != LC_YL_STR)
		return wrongkind("cannot split %s, can only split strings", in);
	if (!isscalar(sep))
		return wrongkind("cannot split by %s, the separator must be "
		    "a string", sep);
	ss = text(sep, &sn);
	/* Count the pieces first, then fill. */
	for (int pass = 0; pass < 2; pass++) {
		n = 0;
		for (i = start = 0; in->n && i <= in->n; ) {
			if (sn == 0) {
				if (i == in->n)
					break;
				lc_yaml_func_utf8_get((const unsigned char *)s + i,
				    in->n - i, &len);
				if (pass)
					k[n] = (lit){ LC_YL_STR, s + i, len,
					    NULL, 0 };
				n++;
				i += len;
				continue;
			}
			if (i + sn <= in->n && memcmp(s + i, ss, sn) == 0) {
				if (pass)
					k[n] = (lit){ LC_YL_STR, s + start,
					    i - start, NULL, 0 };
				n++;
				i += sn;
				start = i;
			} else if (i == in->n) {
				if (pass)
					k[n] = (lit){ LC_YL_STR, s + start,
					    i - start, NULL, 0 };
				n++;
				break;
			} else
				i++;
		}
		if (pass == 0 && (l = lc_yaml_func_mkcoll(m, LC_YL_SEQ, n, &k)) == NULL)
			return lc_yaml_func_nomem();
	}
	*out = l;
	return 0;
}

static int
join(struct lc_yfn_mem *m, const lit *in, const lit *sep, const lit **out)
{
	struct lc_buf b = LC_BUF_INIT;
	size_t i, sn, n;
	const char *ss, *s;

	if (in->kind != LC_YL_SEQ)
		return wrongkind("cannot join with %s, can only join arrays "
		    "of scalars", in);
	ss = isscalar(sep) ? text(sep, &sn) : (sn = 0, "");
	for (i = 0; i < in->nkids; i++) {
		const lit *k = &in->kids[i];

		if (i)
			lc_buf_add(&b, ss, sn);
		if (isscalar(k) && k->kind != LC_YL_NULL) {
			s = text(k, &n);
			lc_buf_add(&b, s, n);
		}
		if (b.len > LC_YFN_MAXSTR) {
			n = b.len;
			lc_buf_release(&b);
			return tooraw("a joined string", n);
		}
	}
	return buflit(m, LC_YL_STR, &b, out);
}

/* Collections. */

static int
numval(struct lc_yfn_mem *m, long long v, const lit **out)
{
	struct num x;

	memset(&x, 0, sizeof(x));
	x.isint = 1;
	x.base = 10;
	x.i = v;
	return numlit(m, &x, out);
}

static int
length(struct lc_yfn_mem *m, const lit *in, const lit **out)
{
	size_t n;

	if (in->kind == LC_YL_SEQ)
		n = in->nkids;
	else if (in->kind == LC_YL_MAP)
		n = in->nkids / 2;
	else if (in->kind == LC_YL_NULL)
		n = 0;
	else
		text(in, &n);	/* yq counts bytes, as Go's len */
	return numval(m, (long long)n, out);
}

static int
keys(struct lc_yfn_mem *m, const lit *in, const lit **out)
{
	size_t i, n;
	lit *l, *k;
	const lit *v;
	int rc;

	if (in->kind != LC_YL_SEQ && in->kind != LC_YL_MAP)
		return wrongkind("cannot get keys of %s, keys only works for "
		    "maps and arrays", in);
	n = in->kind == LC_YL_SEQ ? in->nkids : in->nkids / 2;
	if ((l = lc_yaml_func_mkcoll(m, LC_YL_SEQ, n, &k)) == NULL)
		return lc_yaml_func_nomem();
	for (i = 0; i < n; i++) {
		if (in->kind == LC_YL_MAP) {
			k[i] = in->kids[2 * i];
			continue;
		}
		if ((rc = numval(m, (long long)i, &v)) != 0)
			return rc;
		k[i] = *v;
	}
	*out = l;
	return 0;
}

static int
boolval(struct lc_yfn_mem *m, int b, const lit **out)
{
	lit *l = lc_yaml_func_mklit(m, LC_YL_BOOL, b ? "true" : "false", b ? 4 : 5);

	if (l == NULL)
		return lc_yaml_func_nomem();
	*out = l;
	return 0;
}

static int
has(struct lc_yfn_mem *m, const lit *in, const lit *k, const lit **out)
{
	struct num x;
	size_t i;
	int found = 0;

	if (in->kind == LC_YL_MAP) {
		for (i = 0; i + 1 < in->nkids && !found; i += 2)
			found = isscalar(k) && texteq(&in->kids[i], k);
	} else if (in->kind == LC_YL_SEQ && getnum(k, &x) && x.isint)
		found = x.i >= 0 && (unsigned long long)x.i < in->nkids;
	return boolval(m, found, out);
}

static int
notseq(const lit *in)
{
	return wrongkind("node is not an array (it's a %s)", in);
}

static int
sort(struct lc_yfn_mem *m, const lit *in, const lit **out)
{
	size_t i, *order;
	lit *l, *k;
	int rc;

	if (in->kind == LC_YL_MAP) {
		*out = in;	/* yq 4.53.6 gives a map back as it is */
		return 0;
	}
	if (in->kind != LC_YL_SEQ)
		return wrongkind("node is not an array or map (it's a %s)", in);
	if ((order = lc_yaml_func_alloc(m, (in->nkids + 1) * sizeof(size_t))) ==
	    NULL || (l = lc_yaml_func_mkcoll(m, LC_YL_SEQ, in->nkids, &k)) == NULL)
		return lc_yaml_func_nomem();
	if ((rc = lc_yaml_func_sort_order(m, in->kids, in->nkids, order)) != 0)
		return rc;
	for (i = 0; i < in->nkids; i++)
		k[i] = in->kids[order[i]];
	*out = l;
	return 0;
}

static int
sortkeys(struct lc_yfn_mem *m, const lit *v, int rec, int depth,
    const lit **out)
{
	size_t i, n, *order;
	lit *l, *k, *keys;
	const lit *r;
	int rc;

	if (depth > LC_YFN_MAXDEPTH)
		return lc_error_set(LC_ERROR, "values nested deeper than %d "
		    "levels cannot be sorted", LC_YFN_MAXDEPTH);
	*out = v;
	if (isscalar(v) || (v->kind == LC_YL_SEQ && !rec))
		return 0;
	if ((l = lc_yaml_func_mkcoll(m, v->kind, v->nkids, &k)) == NULL)
		return lc_yaml_func_nomem();
	if (v->kind == LC_YL_SEQ) {
		for (i = 0; i < v->nkids; i++) {
			if ((rc = sortkeys(m, &v->kids[i], rec, depth + 1,
			    &r)) != 0)
				return rc;
			k[i] = *r;
		}
		*out = l;
		return 0;
	}
	n = v->nkids / 2;
	if ((order = lc_yaml_func_alloc(m, (n + 1) * sizeof(size_t))) == NULL ||
	    (keys = lc_yaml_func_alloc(m, (n + 1) * sizeof(lit))) == NULL)
		return lc_yaml_func_nomem();
	/* Keys sort as strings, whatever their kind ("10" < "9"). */
	for (i = 0; i < n; i++) {
		keys[i] = v->kids[2 * i];
		if (isscalar(&keys[i]))
			keys[i].kind = LC_YL_STR;
	}
	if ((rc = lc_yaml_func_sort_order(m, keys, n, order)) != 0)
		return rc;
	for (i = 0; i < n; i++) {
		k[2 * i] = v->kids[2 * order[i]];
		r = &v->kids[2 * order[i] + 1];
		if (rec && (rc = sortkeys(m, r, rec, depth + 1, &r)) != 0)
			return rc;
		k[2 * i + 1] = *r;
	}
	l->nkids = 2 * n;
	*out = l;
	return 0;
}

int
lc_yaml_func_sort_keys(struct lc_yfn_mem *m, const lit *v, int recursive,
    const lit **out)
{
	return sortkeys(m, v, recursive, 0, out);
}

static int
unique(struct lc_yfn_mem *m, const lit *in, const lit **out)
{
	size_t i, n, *keep;
	lit *l, *k;
	int rc;

	if (in->kind != LC_YL_SEQ)
		return lc_error_set(LC_EDATA,
		    "only arrays are supported for unique");
	if ((keep = lc_yaml_func_alloc(m, (in->nkids + 1) * sizeof(size_t))) ==
	    NULL)
		return lc_yaml_func_nomem();
	if ((rc = lc_yaml_func_unique_keep(m, in->kids, in->nkids, keep, &n)) != 0)
		return rc;
	if ((l = lc_yaml_func_mkcoll(m, LC_YL_SEQ, n, &k)) == NULL)
		return lc_yaml_func_nomem();
	for (i = 0; i < n; i++)
		k[i] = in->kids[keep[i]];
	*out = l;
	return 0;
}

static int
reverse(struct lc_yfn_mem *m, const lit *in, const lit **out)
{
	size_t i, n = in->nkids;
	lit *l, *k;

	if (in->kind != LC_YL_SEQ)
		return notseq(in);
	if ((l = lc_yaml_func_mkcoll(m, LC_YL_SEQ, n, &k)) == NULL)
		return lc_yaml_func_nomem();
	for (i = 0; i < n; i++)
		k[i] = in->kids[n - 1 - i];
	*out = l;
	return 0;
}

/* Count (k NULL) or copy the items of in flattened depth levels. */
static size_t
flat(const lit *in, long long depth, int level, lit *k)
{
	size_t i, n = 0;

	for (i = 0; i < in->nkids; i++) {
		const lit *v = &in->kids[i];

		if (v->kind == LC_YL_SEQ && depth > 0 &&
		    level < LC_YFN_MAXDEPTH)
			n += flat(v, depth - 1, level + 1, k ? k + n : NULL);
		else {
			if (k)
				k[n] = *v;
			n++;
		}
	}
	return n;
}

static int
flatten(struct lc_yfn_mem *m, const lit *in, const lit *depth,
    const lit **out)
{
	struct num x;
	lit *l, *k;
	size_t n;

	int rc;

	if (in->kind != LC_YL_SEQ)
		return lc_error_set(LC_EDATA,
		    "only arrays are supported for flatten");
	if ((rc = refuse_deep(in, 1)) != 0)
		return rc;
	x.i = LLONG_MAX;
	if (depth && (!getnum(depth, &x) || !x.isint || x.i < 0))
		return lc_error_set(LC_EUSAGE, "flatten depth must be a "
		    "number from 0 up");
	n = flat(in, x.i, 0, NULL);
	if ((l = lc_yaml_func_mkcoll(m, LC_YL_SEQ, n, &k)) == NULL)
		return lc_yaml_func_nomem();
	flat(in, x.i, 0, k);
	*out = l;
	return 0;
}

static int
to_entries(struct lc_yfn_mem *m, const lit *in, const lit **out)
{
	static const lit key = { LC_YL_STR, "key", 3, NULL, 0 };
	static const lit value = { LC_YL_STR, "value", 5, NULL, 0 };
	size_t i, n;
	lit *l, *k, *e, *ek;
	const lit *idx;
	int rc;

	if (in->kind != LC_YL_SEQ && in->kind != LC_YL_MAP)
		return wrongkind("%s has no keys", in);
	n = in->kind == LC_YL_SEQ ? in->nkids : in->nkids / 2;
	if ((l = lc_yaml_func_mkcoll(m, LC_YL_SEQ, n, &k)) == NULL)
		return lc_yaml_func_nomem();
	for (i = 0; i < n; i++) {
		if ((e = lc_yaml_func_mkcoll(m, LC_YL_MAP, 4, &ek)) == NULL)
			return lc_yaml_func_nomem();
		ek[0] = key;
		ek[2] = value;
		if (in->kind == LC_YL_MAP) {
			ek[1] = in->kids[2 * i];
			ek[3] = in->kids[2 * i + 1];
		} else {
			if ((rc = numval(m, (long long)i, &idx)) != 0)
				return rc;
			ek[1] = *idx;
			ek[3] = in->kids[i];
		}
		k[i] = *e;
	}
	*out = l;
	return 0;
}

/* The value of key name in map e, or NULL. */
static const lit *
mapget(const lit *e, const char *name)
{
	size_t i, n = strlen(name);

	for (i = 0; e->kind == LC_YL_MAP && i + 1 < e->nkids; i += 2)
		if (e->kids[i].kind == LC_YL_STR && e->kids[i].n == n &&
		    memcmp(e->kids[i].s, name, n) == 0)
			return &e->kids[i + 1];
	return NULL;
}

static int
from_entries(struct lc_yfn_mem *m, const lit *in, const lit **out)
{
	size_t i, j, n = 0;
	const lit *kv, *vv;
	lit *l, *k;

	if (in->kind != LC_YL_SEQ)
		return lc_error_set(LC_EDATA,
		    "from entries only runs against arrays");
	if ((l = lc_yaml_func_mkcoll(m, LC_YL_MAP, 2 * in->nkids, &k)) == NULL)
		return lc_yaml_func_nomem();
	for (i = 0; i < in->nkids; i++) {
		if ((kv = mapget(&in->kids[i], "key")) == NULL)
			return lc_error_set(LC_EDATA, "expected to find one "
			    "'key' entry but found 0 in position %zu", i);
		if ((vv = mapget(&in->kids[i], "value")) == NULL)
			return lc_error_set(LC_EDATA, "expected to find one "
			    "'value' entry but found 0 in position %zu", i);
		if (!isscalar(kv))
			return lc_error_set(LC_EDATA, "a key must be a scalar, "
			    "not %s, in position %zu", lc_yaml_func_tag(kv), i);
		for (j = 0; j < n; j += 2)
			if (texteq(&k[j], kv))
				break;
		k[j] = *kv;
		k[j + 1] = *vv;
		if (j == n)
			n += 2;
	}
	l->nkids = n;
	*out = l;
	return 0;
}

static int
hasbytes(const char *h, size_t hn, const char *s, size_t n)
{
	size_t i;

	for (i = 0; n <= hn && i <= hn - n; i++)
		if (h[i] == s[0] && memcmp(h + i, s, n) == 0)
			return 1;
	return 0;
}

static int
contains(const lit *a, const lit *b, int depth)
{
	size_t i, j;

	if (depth > LC_YFN_MAXDEPTH)
		return 0;
	if (a->kind == LC_YL_STR && b->kind == LC_YL_STR)
		return b->n == 0 || hasbytes(a->s, a->n, b->s, b->n);
	if (isscalar(a) && isscalar(b))
		return a->kind == b->kind && texteq(a, b);
	if (a->kind != b->kind)
		return 0;
	if (a->kind == LC_YL_SEQ) {
		for (j = 0; j < b->nkids; j++) {
			for (i = 0; i < a->nkids; i++)
				if (contains(&a->kids[i], &b->kids[j],
				    depth + 1))
					break;
			if (i == a->nkids)
				return 0;
		}
		return 1;
	}
	for (j = 0; j + 1 < b->nkids; j += 2) {
		for (i = 0; i + 1 < a->nkids; i += 2)
			if (texteq(&a->kids[i], &b->kids[j]))
				break;
		if (i + 1 >= a->nkids ||
		    !contains(&a->kids[i + 1], &b->kids[j + 1], depth + 1))
			return 0;
	}
	return 1;
}

static int
add(struct lc_yfn_mem *m, const lit *in, const lit **out)
{
	static const lit null = { LC_YL_NULL, "null", 4, NULL, 0 };
	const lit *acc = &null;
	size_t i;
	int rc;

	if (in->kind != LC_YL_SEQ)
		return notseq(in);
	/* jq's add skips nulls (yq's 1 + null is an error). */
	for (i = 0; i < in->nkids; i++)
		if (in->kids[i].kind != LC_YL_NULL &&
		    (rc = lc_yaml_func_add(m, acc, &in->kids[i], &acc)) != 0)
			return rc;
	*out = acc;
	return 0;
}

/* min and max: yq keeps the first of equals. */
static int
minmax(const lit *in, int max, const lit **out, size_t *nout)
{
	size_t i, step = 1, first = 0;
	const lit *best;
	int better, rc;

	*nout = 0;
	if (in->kind == LC_YL_MAP)
		step = 2, first = 1;
	else if (in->kind != LC_YL_SEQ)
		return 0;
	if (first >= in->nkids)
		return 0;
	best = &in->kids[first];
	for (i = first + step; i < in->nkids; i += step) {
		if ((rc = lc_yaml_func_compare(&in->kids[i], best, max ? ">" : "<",
		    &better)) != 0)
			return rc;
		if (better)
			best = &in->kids[i];
	}
	out[0] = best;
	*nout = 1;
	return 0;
}

/* The table lc_yaml_func_known and lc_yaml_func_call read. */
enum {
	F_UPCASE, F_DOWNCASE, F_AUPCASE, F_ADOWNCASE, F_TRIM, F_LTRIM,
	F_RTRIM, F_TOSTRING, F_TONUMBER, F_SPLIT, F_JOIN, F_RE, F_LENGTH,
	F_KEYS, F_HAS, F_SORT, F_UNIQUE, F_REVERSE, F_FLATTEN,
	F_TOENTRIES, F_FROMENTRIES, F_CONTAINS, F_ADD, F_FIRST, F_MIN, F_MAX
};

static const struct fn {
	const char *name;
	unsigned char min, max, id;
} fns[] = {
	{ "add", 0, 0, F_ADD },
	{ "ascii_downcase", 0, 0, F_ADOWNCASE },
	{ "ascii_upcase", 0, 0, F_AUPCASE },
	{ "capture", 1, 2, F_RE },
	{ "contains", 1, 1, F_CONTAINS },
	{ "downcase", 0, 0, F_DOWNCASE },
	{ "first", 0, 0, F_FIRST },
	{ "flatten", 0, 1, F_FLATTEN },
	{ "from_entries", 0, 0, F_FROMENTRIES },
	{ "has", 1, 1, F_HAS },
	{ "join", 1, 1, F_JOIN },
	{ "keys", 0, 0, F_KEYS },
	{ "length", 0, 0, F_LENGTH },
	{ "ltrim", 0, 0, F_LTRIM },
	{ "match", 1, 2, F_RE },
	{ "max", 0, 0, F_MAX },
	{ "min", 0, 0, F_MIN },
	{ "reverse", 0, 0, F_REVERSE },
	{ "rtrim", 0, 0, F_RTRIM },
	{ "sort", 0, 0, F_SORT },
	{ "split", 1, 1, F_SPLIT },
	{ "sub", 2, 3, F_RE },
	{ "test", 1, 2, F_RE },
	{ "to_entries", 0, 0, F_TOENTRIES },
	{ "to_number", 0, 0, F_TONUMBER },
	{ "to_string", 0, 0, F_TOSTRING },
	{ "tostring", 0, 0, F_TOSTRING },
	{ "trim", 0, 0, F_TRIM },
	{ "unique", 0, 0, F_UNIQUE },
	{ "upcase", 0, 0, F_UPCASE },
};

static const struct fn *
lookup(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(fns) / sizeof(fns[0]); i++)
		if (strlen(fns[i].name) == len &&
		    memcmp(fns[i].name, name, len) == 0)
			return &fns[i];
	return NULL;
}

int
lc_yaml_func_known(const char *name, size_t len, size_t nargs)
{
	const struct fn *f = lookup(name, len);

	if (f == NULL)
		return 0;
	if (nargs >= f->min && nargs <= f->max)
		return 1;
	if (f->min == f->max)
		lc_error_set(LC_EUSAGE, "%s takes %d argument%s, not %zu",
		    f->name, f->min, f->min == 1 ? "" : "s", nargs);
	else
		lc_error_set(LC_EUSAGE, "%s takes %d or %d arguments, not %zu",
		    f->name, f->min, f->max, nargs);
	return -1;
}

int
lc_yaml_func_call(const char *name, size_t len, const lit *in, const lit *args,
    size_t nargs, struct lc_yfn_mem *m, const lit **out, size_t *nout)
{
	const struct fn *f = lookup(name, len);
	const lit *r = NULL, **res = &r;
	lit fixed[4];
	size_t i;
	int rc;

	*nout = 0;
	if (f == NULL)
		return lc_error_set(LC_EUSAGE, "unknown function '%.*s'",
		    (int)(len > 64 ? 64 : len), name);
	if ((rc = lc_yaml_func_known(name, len, nargs)) != 1)
		return LC_EUSAGE;
	/* A scalar may come with no text: give it an empty one. */
	if (in->s == NULL) {
		fixed[0] = *in;
		fixed[0].s = "";
		in = &fixed[0];
	}
	for (i = 0; i < nargs && i < 3; i++) {
		fixed[i + 1] = args[i];
		if (args[i].s == NULL)
			fixed[i + 1].s = "";
	}
	args = &fixed[1];
	if (f->id == F_RE)
		return lc_yaml_func_re_call(f->name, in, args, nargs, m, out, nout);
	switch (f->id) {
	case F_UPCASE: case F_DOWNCASE: case F_AUPCASE: case F_ADOWNCASE:
		rc = changecase(m, in, f->id == F_UPCASE || f->id == F_AUPCASE,
		    f->id == F_AUPCASE || f->id == F_ADOWNCASE, res);
		break;
	case F_TRIM: case F_LTRIM: case F_RTRIM:
		rc = trim(m, in, f->id != F_RTRIM, f->id != F_LTRIM, res);
		break;
	case F_TOSTRING:
		rc = to_string(m, in, res);
		break;
	case F_TONUMBER:
		rc = to_number(m, in, res);
		break;
	case F_SPLIT:
		rc = split(m, in, &args[0], res);
		break;
	case F_JOIN:
		rc = join(m, in, &args[0], res);
		break;
	case F_LENGTH:
		rc = length(m, in, res);
		break;
	case F_KEYS:
		rc = keys(m, in, res);
		break;
	case F_HAS:
		rc = has(m, in, &args[0], res);
		break;
	case F_SORT:
		rc = sort(m, in, res);
		break;
	case F_UNIQUE:
		rc = unique(m, in, res);
		break;
	case F_REVERSE:
		rc = reverse(m, in, res);
		break;
	case F_FLATTEN:
		rc = flatten(m, in, nargs ? &args[0] : NULL, res);
		break;
	case F_TOENTRIES:
		rc = to_entries(m, in, res);
		break;
	case F_FROMENTRIES:
		rc = from_entries(m, in, res);
		break;
	case F_CONTAINS:
		if ((rc = refuse_deep(in, 1)) == 0 &&
		    (rc = refuse_deep(&args[0], 1)) == 0)
			rc = boolval(m, contains(in, &args[0], 0), res);
		break;
	case F_ADD:
		rc = add(m, in, res);
		break;
	case F_FIRST:
		if (in->kind != LC_YL_SEQ)
			return notseq(in);
		if (in->nkids == 0)
			return 0;
		res[0] = &in->kids[0];
		rc = 0;
		break;
	default:
		if ((rc = minmax(in, f->id == F_MAX, res, nout)) != 0 ||
		    *nout == 0)
			return rc;
	}
	if (rc != 0)
		return rc;
	*out = r;
	*nout = 1;
	return 0;
}

void
lc_yaml_func_cleanup(void)
{
	lc_yaml_func_re_cleanup();
}
