/* diff_fuzz.c: libFuzzer target for the unified diff (libcommon/diff.c). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "diff.h"
#include "../lib/diff_apply.h"

/*
 * Input: byte 0 is the context (0..7), the rest is two texts split at
 * the first NUL. The diff must apply to the first text and give the
 * second, and an empty diff must mean equal texts.
 */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lc_buf out = LC_BUF_INIT;
	const char *a, *b, *nul;
	char *ta, *tb, *back;
	size_t an, bn, got;

	if (size < 1)
		return 0;
	a = (const char *)data + 1;
	nul = memchr(a, '\0', size - 1);
	an = nul ? (size_t)(nul - a) : size - 1;
	b = nul ? nul + 1 : a + an;
	bn = size - 1 - an - (nul != NULL);
	/* apply() works on C strings: no NUL inside either text. */
	if (memchr(b, '\0', bn))
		return 0;
	ta = strndup(a, an);
	tb = strndup(b, bn);
	lc_buf_adds(&out, "");
	got = lc_diff_unified(&out, ta, an, tb, bn, "A", "B", data[0] % 8);
	if ((got == 0) != (an == bn && memcmp(ta, tb, an) == 0))
		abort();
	back = apply(ta, out.data);
	if (back == NULL || strcmp(back, tb) != 0)
		abort();
	free(back);
	free(ta);
	free(tb);
	lc_buf_release(&out);
	return 0;
}
