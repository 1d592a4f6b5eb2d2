/* yaml_func_int.h: what yaml_func.c and yaml_func_re.c share, private. */
#ifndef LC_YAML_FUNC_INT_H
#define LC_YAML_FUNC_INT_H

#include "yaml_edit.h"
#include "yaml_func.h"

/* mem->alloc; NULL when it fails. */
void *lc_yaml_func_alloc(struct lc_yfn_mem *m, size_t n);
/* A scalar with a NUL-terminated copy of s (s NULL: n bytes to fill);
 * NULL when out of memory. */
struct lc_ylit *lc_yaml_func_mklit(struct lc_yfn_mem *m, enum lc_ylit_kind kind,
    const char *s, size_t n);
/* A SEQ or MAP with nkids zeroed kids in *kids to fill. */
struct lc_ylit *lc_yaml_func_mkcoll(struct lc_yfn_mem *m, enum lc_ylit_kind kind,
    size_t nkids, struct lc_ylit **kids);
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

#endif
