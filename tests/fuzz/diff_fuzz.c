/* diff_fuzz.c: libFuzzer target for the unified diff (libcommon/diff.c). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "diff.h"

/*
 * Input: byte 0 is the context (0..7), the rest is two texts split at
 * the first NUL. The diff must apply to the first text and give the
 * second, and an empty diff must mean equal texts.
 */
/* Apply the unified diff d to a; the result, or NULL when it cannot. */
static char *
apply(const char *a, const char *d)
{
	struct lc_buf out = LC_BUF_INIT;
	const char *p = d, *q = a, *e;
	unsigned long s, l;
	size_t at = 1, n;
	int kept = 0;

	lc_buf_adds(&out, "");
	if (*p == '\0') {
		lc_buf_adds(&out, a);	/* no diff: equal */
		return lc_buf_detach(&out);
	}
	p = strstr(p, "+++ ");
	p = p ? strchr(p, '\n') + 1 : NULL;
	while (p && *p == '@') {
		if (sscanf(p, "@@ -%lu,%lu", &s, &l) < 1)
			return NULL;
		if (strchr(p, ',') > strchr(p, ' ') + 1 &&
		    strchr(p, ',') < strchr(p + 3, ' ') && l == 0)
			s++;	/* "-s,0": after line s */
		for (; at < s; at++) {
			e = strchr(q, '\n');
			n = e ? (size_t)(e - q + 1) : strlen(q);
			lc_buf_add(&out, q, n);
			q += n;
		}
		p = strchr(p, '\n') + 1;
		while (*p == ' ' || *p == '-' || *p == '+' || *p == '\\') {
			e = strchr(p, '\n');
			n = (size_t)(e - p);
			/* "\\ No newline" is of the line before it. */
			if (*p == '\\' && kept && out.len &&
			    out.data[out.len - 1] == '\n')
				out.data[--out.len] = '\0';
			else if (*p == '+' || *p == ' ')
				lc_buf_add(&out, p + 1, n);	/* with '\n' */
			kept = *p == '+' || *p == ' ';
			if (*p == ' ' || *p == '-') {
				e = strchr(q, '\n');
				q += e ? (size_t)(e - q + 1) : strlen(q);
				at++;
			}
			p += n + 1;
		}
	}
	lc_buf_adds(&out, q);
	return lc_buf_detach(&out);
}

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
