/* yaml_func_op.c: the operators + - * (merge) on values. */
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
lc_yaml_func_op_tooraw(const char *what, size_t n)
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
		return lc_yaml_func_op_tooraw("a string", an + bn);
	if ((l = lc_yaml_func_mklit(m, LC_YL_STR, NULL, an + bn)) == NULL)
		return lc_yaml_func_nomem();
	p = (char *)l->s;
	memcpy(p, as, an);
	memcpy(p + an, bs, bn);
	*out = l;
	return 0;
}

int
lc_yaml_func_add(struct lc_yfn_mem *m, const lit *a, const lit *b,
    const lit **out)
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
		if ((l = lc_yaml_func_mkcoll(m, LC_YL_SEQ, a->nkids + n,
		    &k)) == NULL)
			return lc_yaml_func_nomem();
		lc_yaml_func_copykids(k, a->kids, a->nkids);
		if (b->kind == LC_YL_SEQ)
			lc_yaml_func_copykids(k + a->nkids, b->kids, n);
		else
			k[a->nkids] = *b;
		*out = l;
		return 0;
	}
	if (a->kind == LC_YL_MAP || !isscalar(b)) {
		if (a->kind != LC_YL_MAP || b->kind != LC_YL_MAP)
			return lc_error_set(LC_EDATA, "%s () cannot be added "
			    "to a %s ()", lc_yaml_func_tag(b),
			    lc_yaml_func_tag(a));
		if ((l = lc_yaml_func_mkcoll(m, LC_YL_MAP, a->nkids + b->nkids,
		    &k)) ==
		    NULL)
			return lc_yaml_func_nomem();
		lc_yaml_func_copykids(k, a->kids, a->nkids);
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
		return lc_yaml_func_num_arith(m, a, b, '+', out);
	return lc_error_set(LC_EDATA, "%s cannot be added to %s",
	    lc_yaml_func_tag(a), lc_yaml_func_tag(b));
}

int
lc_yaml_func_sub(struct lc_yfn_mem *m, const lit *a, const lit *b,
    const lit **out)
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
		if ((rc = lc_yaml_func_check_deep(a, 1)) != 0 ||
		    (rc = lc_yaml_func_check_deep(b, 1)) != 0)
			return rc;
		if ((l = lc_yaml_func_mkcoll(m, LC_YL_SEQ, a->nkids,
		    &k)) == NULL)
			return lc_yaml_func_nomem();
		for (i = 0; i < a->nkids; i++) {
			for (j = 0; j < b->nkids; j++)
				if (lc_yaml_func_cmp_deq(&a->kids[i],
				    &b->kids[j], 0))
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
		return lc_yaml_func_num_arith(m, a, b, '-', out);
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
	lc_yaml_func_copykids(k, cur->kids, cur->nkids);
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

	lc_yaml_func_num_getnum(num, &x);
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
lc_yaml_func_mul(struct lc_yfn_mem *m, const lit *a, const lit *b,
    unsigned flags,
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
		return lc_yaml_func_num_arith(m, a, b, '*', out);
	if (a->kind == LC_YL_STR && lc_yaml_func_num_isint(b))
		return repeat(m, a, b, out);
	if (b->kind == LC_YL_STR && lc_yaml_func_num_isint(a))
		return repeat(m, b, a, out);
bad:
	return lc_error_set(LC_EDATA, "cannot multiply %s with %s",
	    lc_yaml_func_tag(a), lc_yaml_func_tag(b));
}
