/* diff.h: line diffs (Myers' O(ND) algorithm, linear space) as unified text. */
#ifndef LC_DIFF_H
#define LC_DIFF_H

#include <stddef.h>

#include "buf.h"

/*
 * Append to out a unified diff of the texts a[0..alen) and b[0..blen),
 * split into lines at '\n', with context lines of context around each
 * change: "--- from" and "+++ to", then "@@ -s,l +s,l @@" hunks (",1"
 * left out, as diff -u and git do) of " ", "-" and "+" lines; a last line
 * without a newline is followed by "\ No newline at end of file". Equal
 * texts append nothing. Returns the number of lines deleted plus inserted
 * (0: equal). Time O((N+M)D), memory O(N+M), for N and M lines and D
 * changed lines: a few changes in a long text cost little. Past about
 * 2^(log2(N+M)/2+1) changes in one stretch (at least 256) the fewest
 * changes are no longer sought, as in GNU diff: the diff stays correct,
 * and texts with little in common cost O((N+M) log) instead of O(N^2).
 */
size_t lc_diff_unified(struct lc_buf *out, const char *a, size_t alen,
    const char *b, size_t blen, const char *from, const char *to,
    int context);

#endif
