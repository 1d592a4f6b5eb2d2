/* yaml_func.c: yq v4's value functions on lc_ylit values: helpers, the table. */
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
int
lc_yaml_func_check_deep(const lit *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!shallow(&v[i], 0))
			return lc_error_set(LC_ERROR, "a value nested deeper "
			    "than %d levels is refused", LC_YFN_MAXDEPTH);
	return 0;
}

/* Copy n kids; an empty collection may have no kids array at all. */
void
lc_yaml_func_copykids(lit *dst, const lit *src, size_t n)
{
	if (n)
		memcpy(dst, src, n * sizeof(lit));
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
		return lc_yaml_func_re_call(f->name, in, args, nargs, m, out,
		    nout);
	switch (f->id) {
	case F_UPCASE: case F_DOWNCASE: case F_AUPCASE: case F_ADOWNCASE:
		rc = lc_yaml_func_str_changecase(m, in,
		    f->id == F_UPCASE || f->id == F_AUPCASE,
		    f->id == F_AUPCASE || f->id == F_ADOWNCASE, res);
		break;
	case F_TRIM: case F_LTRIM: case F_RTRIM:
		rc = lc_yaml_func_str_trim(m, in, f->id != F_RTRIM,
		    f->id != F_LTRIM, res);
		break;
	case F_TOSTRING:
		rc = lc_yaml_func_str_to_string(m, in, res);
		break;
	case F_TONUMBER:
		rc = lc_yaml_func_str_to_number(m, in, res);
		break;
	case F_SPLIT:
		rc = lc_yaml_func_str_split(m, in, &args[0], res);
		break;
	case F_JOIN:
		rc = lc_yaml_func_str_join(m, in, &args[0], res);
		break;
	case F_LENGTH:
		rc = lc_yaml_func_coll_length(m, in, res);
		break;
	case F_KEYS:
		rc = lc_yaml_func_coll_keys(m, in, res);
		break;
	case F_HAS:
		rc = lc_yaml_func_coll_has(m, in, &args[0], res);
		break;
	case F_SORT:
		rc = lc_yaml_func_coll_sort(m, in, res);
		break;
	case F_UNIQUE:
		rc = lc_yaml_func_coll_unique(m, in, res);
		break;
	case F_REVERSE:
		rc = lc_yaml_func_coll_reverse(m, in, res);
		break;
	case F_FLATTEN:
		rc = lc_yaml_func_coll_flatten(m, in, nargs ? &args[0] : NULL,
		    res);
		break;
	case F_TOENTRIES:
		rc = lc_yaml_func_coll_to_entries(m, in, res);
		break;
	case F_FROMENTRIES:
		rc = lc_yaml_func_coll_from_entries(m, in, res);
		break;
	case F_CONTAINS:
		if ((rc = lc_yaml_func_check_deep(in, 1)) == 0 &&
		    (rc = lc_yaml_func_check_deep(&args[0], 1)) == 0)
			rc = lc_yaml_func_coll_boolval(m,
			    lc_yaml_func_coll_contains(in, &args[0], 0), res);
		break;
	case F_ADD:
		rc = lc_yaml_func_coll_add(m, in, res);
		break;
	case F_FIRST:
		if (in->kind != LC_YL_SEQ)
			return lc_yaml_func_coll_notseq(in);
		if (in->nkids == 0)
			return 0;
		res[0] = &in->kids[0];
		rc = 0;
		break;
	default:
		if ((rc = lc_yaml_func_coll_minmax(in, f->id == F_MAX, res,
		    nout)) != 0 ||
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
