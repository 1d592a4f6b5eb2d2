/* buf.h: growable byte buffer that owns heap text. */
#ifndef LC_BUF_H
#define LC_BUF_H

#include <stdarg.h>
#include <stddef.h>

/*
 * A buffer always holds a NUL after its len bytes once anything was added,
 * so data can be used as a C string when the content has no NUL.
 * Allocation failure ends the process with "out of memory" (exit 3), like
 * git's xmalloc: no caller could do better, and no code path has to carry it.
 */
struct lc_buf {
	char *data;
	size_t len;
	size_t cap;
};

#define LC_BUF_INIT { NULL, 0, 0 }

void lc_buf_init(struct lc_buf *b);
/* Free the contents; the buffer is empty and reusable afterwards. */
void lc_buf_release(struct lc_buf *b);
/* Make room for n more bytes. */
void lc_buf_grow(struct lc_buf *b, size_t n);
void lc_buf_add(struct lc_buf *b, const void *p, size_t n);
void lc_buf_adds(struct lc_buf *b, const char *s);
void lc_buf_addc(struct lc_buf *b, int c);
void lc_buf_printf(struct lc_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void lc_buf_vprintf(struct lc_buf *b, const char *fmt, va_list ap);
/* Hand the heap text to the caller (who frees it) and empty the buffer. */
char *lc_buf_detach(struct lc_buf *b);

/* malloc/realloc/strdup that end the process on failure (see above). */
void *lc_buf_xmalloc(size_t n);
void *lc_buf_xrealloc(void *p, size_t n);
char *lc_buf_xstrndup(const char *s, size_t n);
/* For another library's allocation that failed: "out of memory", exit 3. */
_Noreturn void lc_buf_oom(void);

#endif
