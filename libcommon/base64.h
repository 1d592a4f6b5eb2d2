/* base64.h: RFC 4648 base64 (standard alphabet), for Basic auth and tokens; no library needed. */
#ifndef LC_BASE64_H
#define LC_BASE64_H

#include <stddef.h>

struct lc_buf;

/* Encode p[0..n) with padding into out, which holds 4 * ((n + 2) / 3) + 1. */
void lc_base64(const void *p, size_t n, char *out);

/*
 * Decode s (up to '=' or its end; characters outside the alphabet, such as
 * newlines, are skipped) into out, at most n - 1 bytes and a NUL (nothing
 * when n is 0). Returns the length written: less than lc_base64_decode_len(s)
 * means the value was cut, so size out with lc_base64_decode_len(s) + 1 when
 * the whole value matters (credentials, tokens).
 */
size_t lc_base64_decode(const char *s, char *out, size_t n);

/* How many bytes s decodes to (what lc_base64_decode writes given room). */
size_t lc_base64_decode_len(const char *s);

/*
 * Append to out the base64 of "user:pass" (user[0..un), pass[0..pn)), the
 * credentials of Basic authentication, and register them as a secret with
 * the log; the plain copy is wiped. In base64_basic.c: the plugins link
 * base64.c alone, without the buffer and log modules.
 */
void lc_base64_basic(struct lc_buf *out, const char *user, size_t un,
    const char *pass, size_t pn);

#endif
