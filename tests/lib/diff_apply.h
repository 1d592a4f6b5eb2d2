/*
 * diff_apply.h: apply a unified diff of lc_diff to its first text, for
 * the unit test and the fuzzer (a check of the diff, not a patch tool).
 */
#ifndef DIFF_APPLY_H
#define DIFF_APPLY_H

#include <stdio.h>
#include <string.h>

#include "buf.h"

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

#endif
