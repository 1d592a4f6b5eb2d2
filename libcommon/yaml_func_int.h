/* yaml_func_int.h: what the parts of yaml_func share, private. */
#ifndef LC_YAML_FUNC_INT_H
#define LC_YAML_FUNC_INT_H

#include <stddef.h>
#include <string.h>

#include "buf.h"
#include "yaml_edit.h"
#include "yaml_func.h"

/* Values made here: the same struct, owned by the caller's arena. */
typedef struct lc_ylit lit;

/* A number operand: an int (isint, i, base) or a float f. */
struct num {
	int isint, base;
	long long i;
	double f;
};

/*
 * Small helpers every part uses, static in each as they were in one file:
 * the compiler inlines them where it did before ("inline" would make it
 * inline every call, 30% more code for no speed). unused: a part that
 * needs none of them.
 */

static __attribute__((unused)) int
isscalar(const lit *l)
{
	return l->kind != LC_YL_SEQ && l->kind != LC_YL_MAP;
}

/* The text yq reads for a scalar: null is "null" when it has none. */
static __attribute__((unused)) const char *
text(const lit *l, size_t *n)
{
	if (l->kind == LC_YL_NULL && (l->s == NULL || l->n == 0)) {
		*n = 4;
		return "null";
	}
	*n = l->s ? l->n : 0;
	return l->s ? l->s : "";
}

static __attribute__((unused)) int
texteq(const lit *a, const lit *b)
{
	size_t an, bn;
	const char *as = text(a, &an), *bs = text(b, &bn);

	return an == bn && memcmp(as, bs, an) == 0;
}

/* mem->alloc; NULL when it fails. */
void *lc_yaml_func_alloc(struct lc_yfn_mem *m, size_t n);
/* A scalar with a NUL-terminated copy of s (s NULL: n bytes to fill);
 * NULL when out of memory. */
struct lc_ylit *lc_yaml_func_mklit(struct lc_yfn_mem *m, enum lc_ylit_kind kind,
    const char *s, size_t n);
/* A SEQ or MAP with nkids zeroed kids in *kids to fill. */
struct lc_ylit *lc_yaml_func_mkcoll(struct lc_yfn_mem *m,
    enum lc_ylit_kind kind, size_t nkids, struct lc_ylit **kids);
/* Set "out of memory" and return LC_ENOMEM. */
int lc_yaml_func_nomem(void);
/* The code point of the UTF-8 sequence at s (n > 0 bytes), -1 for a byte
 * that starts none; *len its length (1 for such a byte). */
long lc_yaml_func_utf8_get(const unsigned char *s, size_t n, size_t *len);

/* The regular expression functions: test match capture sub. */
int lc_yaml_func_re_call(const char *name, const struct lc_ylit *in,
    const struct lc_ylit *args, size_t nargs, struct lc_yfn_mem *m,
    const struct lc_ylit **out, size_t *nout);
void lc_yaml_func_re_cleanup(void);

/* yaml_func.c */
int lc_yaml_func_check_deep(const lit *v, size_t n);
void lc_yaml_func_copykids(lit *dst, const lit *src, size_t n);

/* yaml_func_num.c */
int lc_yaml_func_num_parse_int(const char *s, size_t n, long long *v,
    int *base);
int lc_yaml_func_num_parse_float(const char *s, size_t n, int yaml, double *v);
int lc_yaml_func_num_getnum(const lit *l, struct num *x);
int lc_yaml_func_num_isint(const lit *l);
int lc_yaml_func_num_numlit(struct lc_yfn_mem *m, const struct num *x,
    const lit **out);
int lc_yaml_func_num_arith(struct lc_yfn_mem *m, const lit *a, const lit *b,
    int op, const lit **out);

/* yaml_func_cmp.c */
int lc_yaml_func_cmp_deq(const lit *a, const lit *b, int depth);

/* yaml_func_op.c */
int lc_yaml_func_op_tooraw(const char *what, size_t n);

/* yaml_func_str.c */
int lc_yaml_func_str_wrongkind(const char *fmt, const lit *v);
int lc_yaml_func_str_changecase(struct lc_yfn_mem *m, const lit *in, int up,
    int ascii, const lit **out);
int lc_yaml_func_str_trim(struct lc_yfn_mem *m, const lit *in, int left,
    int right, const lit **out);
int lc_yaml_func_str_to_string(struct lc_yfn_mem *m, const lit *in,
    const lit **out);
int lc_yaml_func_str_to_number(struct lc_yfn_mem *m, const lit *in,
    const lit **out);
int lc_yaml_func_str_split(struct lc_yfn_mem *m, const lit *in, const lit *sep,
    const lit **out);
int lc_yaml_func_str_join(struct lc_yfn_mem *m, const lit *in, const lit *sep,
    const lit **out);

/* yaml_func_coll.c */
int lc_yaml_func_coll_length(struct lc_yfn_mem *m, const lit *in,
    const lit **out);
int lc_yaml_func_coll_keys(struct lc_yfn_mem *m, const lit *in,
    const lit **out);
int lc_yaml_func_coll_boolval(struct lc_yfn_mem *m, int b, const lit **out);
int lc_yaml_func_coll_has(struct lc_yfn_mem *m, const lit *in, const lit *k,
    const lit **out);
int lc_yaml_func_coll_notseq(const lit *in);
int lc_yaml_func_coll_sort(struct lc_yfn_mem *m, const lit *in,
    const lit **out);
int lc_yaml_func_coll_unique(struct lc_yfn_mem *m, const lit *in,
    const lit **out);
int lc_yaml_func_coll_reverse(struct lc_yfn_mem *m, const lit *in,
    const lit **out);
int lc_yaml_func_coll_flatten(struct lc_yfn_mem *m, const lit *in,
    const lit *depth, const lit **out);
int lc_yaml_func_coll_to_entries(struct lc_yfn_mem *m, const lit *in,
    const lit **out);
int lc_yaml_func_coll_from_entries(struct lc_yfn_mem *m, const lit *in,
    const lit **out);
int lc_yaml_func_coll_contains(const lit *a, const lit *b, int depth);
int lc_yaml_func_coll_add(struct lc_yfn_mem *m, const lit *in, const lit **out);
int lc_yaml_func_coll_minmax(const lit *in, int max, const lit **out,
    size_t *nout);

#endif
