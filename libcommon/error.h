/* error.h: the pending error of a command and the mapping to exit statuses. */
#ifndef LC_ERROR_H
#define LC_ERROR_H

#include <stddef.h>

#include "exitcode.h"

/*
 * Record the message for the error being returned and return code, so that
 * callers write `return lc_error_set(LC_ENOTFOUND, "no key '%s'", k);`.
 * The detail is recorded once, where it is detected; callers pass the code
 * up without re-wrapping it. A later call replaces the message.
 */
int lc_error_set(int code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Like lc_error_set, with ": strerror(errno)" appended. */
int lc_error_errno(int code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * snprintf into a field of n bytes that refuses rather than cuts: 0 when
 * the text fits, else code, with "WHAT '<its start>...' is longer than N
 * bytes" and tail (e.g. "; nothing was written") as the message.
 */
int lc_error_fit(int code, const char *tail, char *out, size_t n,
    const char *what, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* Where the error is in a file, for CI annotations; line 0 means none. */
void lc_error_where(const char *file, long line, long col);

/* The pending message, or NULL when none is set. */
const char *lc_error_msg(void);

/* Forget the pending error (after reporting it). */
void lc_error_clear(void);

/*
 * The file, line and column lc_error_where recorded for the pending error,
 * or NULL (line and col 0) when it has none.
 */
const char *lc_error_file(long *line, long *col);

/* The exit status for a libcommon code (0 or LC_E*). */
int lc_error_exit_status(int code);

#endif
