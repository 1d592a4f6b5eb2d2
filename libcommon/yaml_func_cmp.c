/* yaml_func_cmp.c: equality and order of values; sort, group, unique. */
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

int
lc_yaml_func_equal(const lit *a, const lit *b)
{
	if (!isscalar(a) || !isscalar(b))
		return 0;
	if (a->kind == LC_YL_NULL || b->kind == LC_YL_NULL)
		return a->kind == b->kind;
	return texteq(a, b);
}

int
lc_yaml_func_cmp_deq(const lit *a, const lit *b, int depth)
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
			if (!lc_yaml_func_cmp_deq(&a->kids[i], &b->kids[i],
			    depth + 1))
				return 0;
		return 1;
	}
	for (i = 0; i + 1 < a->nkids; i += 2) {
		for (j = 0; j + 1 < b->nkids; j += 2)
			if (texteq(&a->kids[i], &b->kids[j]))
				break;
		if (j + 1 >= b->nkids ||
		    !lc_yaml_func_cmp_deq(&a->kids[i + 1], &b->kids[j + 1],
		    depth + 1))
			return 0;
	}
	return 1;
}

int
lc_yaml_func_deep_equal(const lit *a, const lit *b)
{
	return lc_yaml_func_cmp_deq(a, b, 0);
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
	if (lc_yaml_func_num_getnum(a, &x) && lc_yaml_func_num_getnum(b, &y)) {
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
	if (lc_yaml_func_num_getnum(a, &x) && lc_yaml_func_num_getnum(b, &y)) {
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
		tmp[k++] = lc_yaml_func_sort_cmp(&keys[idx[j]],
		    &keys[idx[i]]) < 0 ?
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

	if ((rc = lc_yaml_func_check_deep(keys, n)) != 0)
		return rc;
	while (cap < n * 2) {
		if (cap > SIZE_MAX / 4 / sizeof(uint64_t))
			return lc_yaml_func_nomem();
		cap *= 2;
	}
	if ((slot = lc_yaml_func_alloc(m, cap * sizeof(size_t))) == NULL ||
	    (hs = lc_yaml_func_alloc(m,
	    (n ? n : 1) * sizeof(uint64_t))) == NULL ||
	    (first = lc_yaml_func_alloc(m,
	    (n ? n : 1) * sizeof(size_t))) == NULL)
		return lc_yaml_func_nomem();
	memset(slot, 0, cap * sizeof(size_t));
	for (i = 0; i < n; i++) {
		hs[i] = khash(&keys[i], 0, flat);
		for (j = hs[i] & (cap - 1); slot[j]; j = (j + 1) & (cap - 1)) {
			size_t k = first[slot[j] - 1];

			if (hs[k] == hs[i] && (flat ? flateq(&keys[k], &keys[i])
			    : lc_yaml_func_cmp_deq(&keys[k], &keys[i], 0)))
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
lc_yaml_func_group(struct lc_yfn_mem *m, const lit *keys, size_t n,
    size_t *group,
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
