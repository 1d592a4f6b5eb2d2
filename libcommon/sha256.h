/* sha256.h: SHA-256 (FIPS 180-4), for manifest digests; no library needed. */
#ifndef LC_SHA256_H
#define LC_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct lc_sha256 {
	uint32_t h[8];
	uint64_t len;
	unsigned char buf[64];
	size_t n;
};

void lc_sha256_init(struct lc_sha256 *c);
void lc_sha256_update(struct lc_sha256 *c, const void *p, size_t n);
void lc_sha256_final(struct lc_sha256 *c, unsigned char out[32]);
/* "sha256:" and 64 lower-case hex digits of p[0..n) into out[72]. */
void lc_sha256_digest(const void *p, size_t n, char out[72]);

#endif
