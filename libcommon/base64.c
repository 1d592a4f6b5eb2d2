/* base64.c: RFC 4648 base64. Also built into the registry plugins. */
#include <string.h>

#include "base64.h"

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void
lc_base64(const void *p, size_t n, char *out)
{
	const unsigned char *in = p;
	size_t i, k = 0;
	unsigned v;

	for (i = 0; i < n; i += 3) {
		v = (unsigned)in[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)in[i + 1] << 8;
		if (i + 2 < n)
			v |= in[i + 2];
		out[k++] = alphabet[v >> 18 & 63];
		out[k++] = alphabet[v >> 12 & 63];
		out[k++] = i + 1 < n ? alphabet[v >> 6 & 63] : '=';
		out[k++] = i + 2 < n ? alphabet[v & 63] : '=';
	}
	out[k] = '\0';
}

size_t
lc_base64_decode_len(const char *s)
{
	size_t bits = 0;

	for (; *s && *s != '='; s++)
		if (strchr(alphabet, *s) != NULL)
			bits += 6;
	return bits / 8;
}

size_t
lc_base64_decode(const char *s, char *out, size_t n)
{
	unsigned v = 0;
	size_t k = 0;
	int bits = 0;
	const char *c;

	for (; *s && *s != '='; s++) {
		if ((c = strchr(alphabet, *s)) == NULL)
			continue;
		v = v << 6 | (unsigned)(c - alphabet);
		if ((bits += 6) >= 8) {
			bits -= 8;
			if (k + 1 < n)
				out[k++] = (char)(v >> bits & 0xff);
		}
	}
	if (n > 0)
		out[k] = '\0';
	return k;
}
