/* random.h: random bytes for jitter and delimiters (not for keys). */
#ifndef LC_RANDOM_H
#define LC_RANDOM_H

#include <stddef.h>

/* Fill p with n random bytes (getrandom, else rand). */
void lc_random(void *p, size_t n);

#endif
