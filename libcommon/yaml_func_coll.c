/* yaml_func_coll.c: collection functions: keys, sort, flatten, entries. */
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

static int
numval(struct lc_yfn_mem *m, long long v, const lit **out)
{
	struct num x;

	memset(&x, 0, sizeof(x));
	x.isint = 1;
	x.base = 10;
	x.i = v;
	return lc_yaml_func_num_numlit(m, &x, out);
}

int
lc_yaml_func_coll_length(struct lc_yfn_mem *m, const lit *in, const lit **out)
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

int
lc_yaml_func_coll_keys(struct lc_yfn_mem *m, const lit *in, const lit **out)
{
	size_t i, n;
	lit *l, *k;
	const lit *v;
	int rc;

	if (in->kind != LC_YL_SEQ && in->kind != LC_YL_MAP)
		return lc_yaml_func_str_wrongkind("cannot get keys of %s, keys "
		    "only works for maps and arrays", in);
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

int
lc_yaml_func_coll_boolval(struct lc_yfn_mem *m, int b, const lit **out)
{
	lit *l = lc_yaml_func_mklit(m, LC_YL_BOOL, b ? "true" : "false",
	    b ? 4 : 5);

	if (l == NULL)
		return lc_yaml_func_nomem();
	*out = l;
	return 0;
}

int
lc_yaml_func_coll_has(struct lc_yfn_mem *m, const lit *in, const lit *k,
    const lit **out)
{
	struct num x;
	size_t i;
	int found = 0;

	if (in->kind == LC_YL_MAP) {
		for (i = 0; i + 1 < in->nkids && !found; i += 2)
			found = isscalar(k) && texteq(&in->kids[i], k);
	} else if (in->kind == LC_YL_SEQ && lc_yaml_func_num_getnum(k,
	    &x) && x.isint)
		found = x.i >= 0 && (unsigned long long)x.i < in->nkids;
	return lc_yaml_func_coll_boolval(m, found, out);
}

int
lc_yaml_func_coll_notseq(const lit *in)
{
	return lc_yaml_func_str_wrongkind("node is not an array (it's a %s)",
	    in);
}

int
lc_yaml_func_coll_sort(struct lc_yfn_mem *m, const lit *in, const lit **out)
{
	size_t i, *order;
	lit *l, *k;
	int rc;

	if (in->kind == LC_YL_MAP) {
		*out = in;	/* yq 4.53.6 gives a map back as it is */
		return 0;
	}
	if (in->kind != LC_YL_SEQ)
		return lc_yaml_func_str_wrongkind("node is not an array or map "
		    "(it's a %s)", in);
	if ((order = lc_yaml_func_alloc(m, (in->nkids + 1) * sizeof(size_t))) ==
	    NULL || (l = lc_yaml_func_mkcoll(m, LC_YL_SEQ, in->nkids,
	    &k)) == NULL)
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

int
lc_yaml_func_coll_unique(struct lc_yfn_mem *m, const lit *in, const lit **out)
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
	if ((rc = lc_yaml_func_unique_keep(m, in->kids, in->nkids, keep,
	    &n)) != 0)
		return rc;
	if ((l = lc_yaml_func_mkcoll(m, LC_YL_SEQ, n, &k)) == NULL)
		return lc_yaml_func_nomem();
	for (i = 0; i < n; i++)
		k[i] = in->kids[keep[i]];
	*out = l;
	return 0;
}

int
lc_yaml_func_coll_reverse(struct lc_yfn_mem *m, const lit *in, const lit **out)
{
	size_t i, n = in->nkids;
	lit *l, *k;

	if (in->kind != LC_YL_SEQ)
		return lc_yaml_func_coll_notseq(in);
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

int
lc_yaml_func_coll_flatten(struct lc_yfn_mem *m, const lit *in, const lit *depth,
    const lit **out)
{
	struct num x;
	lit *l, *k;
	size_t n;

	int rc;

	if (in->kind != LC_YL_SEQ)
		return lc_error_set(LC_EDATA,
		    "only arrays are supported for flatten");
	if ((rc = lc_yaml_func_check_deep(in, 1)) != 0)
		return rc;
	x.i = LLONG_MAX;
	if (depth && (!lc_yaml_func_num_getnum(depth,
	    &x) || !x.isint || x.i < 0))
		return lc_error_set(LC_EUSAGE, "flatten depth must be a "
		    "number from 0 up");
	n = flat(in, x.i, 0, NULL);
	if ((l = lc_yaml_func_mkcoll(m, LC_YL_SEQ, n, &k)) == NULL)
		return lc_yaml_func_nomem();
	flat(in, x.i, 0, k);
	*out = l;
	return 0;
}

int
lc_yaml_func_coll_to_entries(struct lc_yfn_mem *m, const lit *in,
    const lit **out)
{
	static const lit key = { LC_YL_STR, "key", 3, NULL, 0 };
	static const lit value = { LC_YL_STR, "value", 5, NULL, 0 };
	size_t i, n;
	lit *l, *k, *e, *ek;
	const lit *idx;
	int rc;

	if (in->kind != LC_YL_SEQ && in->kind != LC_YL_MAP)
		return lc_yaml_func_str_wrongkind("%s has no keys", in);
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

int
lc_yaml_func_coll_from_entries(struct lc_yfn_mem *m, const lit *in,
    const lit **out)
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

int
lc_yaml_func_coll_contains(const lit *a, const lit *b, int depth)
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
				if (lc_yaml_func_coll_contains(&a->kids[i],
				    &b->kids[j],
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
		    !lc_yaml_func_coll_contains(&a->kids[i + 1],
		    &b->kids[j + 1], depth + 1))
			return 0;
	}
	return 1;
}

int
lc_yaml_func_coll_add(struct lc_yfn_mem *m, const lit *in, const lit **out)
{
	static const lit null = { LC_YL_NULL, "null", 4, NULL, 0 };
	const lit *acc = &null;
	size_t i;
	int rc;

	if (in->kind != LC_YL_SEQ)
		return lc_yaml_func_coll_notseq(in);
	/* jq's add skips nulls (yq's 1 + null is an error). */
	for (i = 0; i < in->nkids; i++)
		if (in->kids[i].kind != LC_YL_NULL &&
		    (rc = lc_yaml_func_add(m, acc, &in->kids[i], &acc)) != 0)
			return rc;
	*out = acc;
	return 0;
}

/* min and max: yq keeps the first of equals. */
int
lc_yaml_func_coll_minmax(const lit *in, int max, const lit **out, size_t *nout)
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
		if ((rc = lc_yaml_func_compare(&in->kids[i], best,
		    max ? ">" : "<",
		    &better)) != 0)
			return rc;
		if (better)
			best = &in->kids[i];
	}
	out[0] = best;
	*nout = 1;
	return 0;
}
