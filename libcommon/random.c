/* random.c: random bytes for jitter and delimiters (not for keys). */
#include <stdlib.h>
#include <sys/random.h>

#include "random.h"

void
lc_random(void *p, size_t n)
{
	unsigned char *b = p;
	size_t i;

	if (getrandom(p, n, 0) == (ssize_t)n)
		return;
	for (i = 0; i < n; i++)
		b[i] = (unsigned char)rand();
}
