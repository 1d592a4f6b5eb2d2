/* yaml_func_fuzz.c: libFuzzer target for yq's value functions and operators. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "yaml_edit.h"
#include "yaml_func.h"

/*
 * The input is values in a small syntax: [ ] a sequence, { } a map
 * (key, value, ...), "..." a string, a run of other bytes a number (or
 * null, true, false). The first value is the input, the next ones the
 * arguments, and every function and operator gets a try.
 */
struct arena {
	void **p;
	size_t n, cap;
};

static void *
arena_alloc(void *arg, size_t n)
{
	struct arena *a = arg;

	if (a->n == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 64;
		a->p = realloc(a->p, a->cap * sizeof(*a->p));
	}
	return a->p[a->n++] = malloc(n);
}

static void
arena_free(struct arena *a)
{
	while (a->n)
		free(a->p[--a->n]);
}

/* P holds the parsed values, A what each call makes (freed after it, so
 * that strings up to LC_YFN_MAXSTR do not pile up). */
static struct arena A, P;
static struct lc_yfn_mem M = { arena_alloc, &A };

static size_t
parse(const char *s, size_t n, size_t i, struct lc_ylit *v, int depth)
{
	struct lc_ylit *kids = NULL;
	size_t nk = 0, cap = 0, j;
	char close;

	memset(v, 0, sizeof(*v));
	v->s = "";
	if (i >= n) {
		v->kind = LC_YL_NULL;
		return i;
	}
	if ((s[i] == '[' || s[i] == '{') && depth < 2000) {
		close = s[i] == '[' ? ']' : '}';
		v->kind = s[i] == '[' ? LC_YL_SEQ : LC_YL_MAP;
		for (i++; i < n && s[i] != close; ) {
			if (nk == cap) {
				struct lc_ylit *k;

				cap = cap ? cap * 2 : 4;
				k = arena_alloc(&P, cap * sizeof(*k));
				if (nk)
					memcpy(k, kids, nk * sizeof(*k));
				kids = k;
			}
			i = parse(s, n, i, &kids[nk++], depth + 1);
		}
		if (v->kind == LC_YL_MAP && nk % 2)
			nk--;
		v->kids = kids;
		v->nkids = nk;
		return i + 1;
	}
	if (s[i] == '"') {
		for (j = i + 1; j < n && s[j] != '"'; j++)
			;
		v->kind = LC_YL_STR;
		v->s = s + i + 1;
		v->n = j - i - 1;
		return j + 1;
	}
	for (j = i; j < n && !strchr("[]{}\"", s[j]); j++)
		;
	if (j == i)
		j++;
	v->s = s + i;
	v->n = j - i;
	v->kind = v->n == 4 && !memcmp(v->s, "null", 4) ? LC_YL_NULL :
	    v->n == 4 && !memcmp(v->s, "true", 4) ? LC_YL_BOOL :
	    v->n == 1 && *v->s == 's' ? LC_YL_STR : LC_YL_NUM;
	return j;
}

static const struct {
	const char *name;
	size_t nargs;
} fns[] = {
	{ "upcase", 0 }, { "downcase", 0 }, { "ascii_upcase", 0 },
	{ "trim", 0 }, { "ltrim", 0 }, { "rtrim", 0 }, { "to_string", 0 },
	{ "to_number", 0 }, { "split", 1 }, { "join", 1 }, { "test", 1 },
	{ "match", 2 }, { "capture", 2 }, { "sub", 2 }, { "sub", 3 },
	{ "length", 0 }, { "keys", 0 }, { "has", 1 }, { "sort", 0 },
	{ "unique", 0 }, { "reverse", 0 }, { "flatten", 0 },
	{ "flatten", 1 }, { "to_entries", 0 }, { "from_entries", 0 },
	{ "contains", 1 }, { "add", 0 }, { "first", 0 }, { "min", 0 },
	{ "max", 0 },
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct lc_ylit v[4];
	const struct lc_ylit *out;
	size_t i, nout, k[4], g[4], ng;
	unsigned flags;
	int res;

	if (size > 4096)
		return 0;
	for (i = 0, k[0] = 0; i < 4; i++)
		k[0] = parse(s, size, k[0], &v[i], 0);
	for (i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
		(void)lc_yaml_func_call(fns[i].name, strlen(fns[i].name), &v[0],
		    &v[1], fns[i].nargs, &M, &out, &nout);
		arena_free(&A);
	}
	(void)lc_yaml_func_add(&M, &v[0], &v[1], &out);
	(void)lc_yaml_func_sub(&M, &v[0], &v[1], &out);
	arena_free(&A);
	/* Flags only change merges; a string repeat is slow under ASan. */
	for (flags = 0; flags < (v[0].nkids && v[1].nkids ? 32u : 1u);
	    flags += 3) {
		(void)lc_yaml_func_mul(&M, &v[0], &v[1], flags, &out);
		arena_free(&A);
	}
	(void)lc_yaml_func_equal(&v[0], &v[1]);
	(void)lc_yaml_func_compare(&v[0], &v[1], "<=", &res);
	(void)lc_yaml_func_sort_keys(&M, &v[0], 1, &out);
	(void)lc_yaml_func_sort_order(&M, v, 4, k);
	(void)lc_yaml_func_unique_keep(&M, v, 4, k, &ng);
	(void)lc_yaml_func_group(&M, v, 4, g, &ng);
	lc_error_clear();
	arena_free(&A);
	arena_free(&P);
	return 0;
}
