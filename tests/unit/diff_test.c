/* diff_test.c: unified diffs of line texts, exact text, minimal, applicable. */
#include <stdlib.h>

#include "buf.h"
#include "diff.h"
#include "tap.h"

static const struct {
	const char *a, *b;
	int context;
	const char *want;
} vec[] = {
	{ "", "", 3, "" },
	{ "a\nb\n", "a\nb\n", 3, "" },
	{ "", "a\nb\n", 3, "--- A\n+++ B\n@@ -0,0 +1,2 @@\n+a\n+b\n" },
	{ "a\nb\n", "", 3, "--- A\n+++ B\n@@ -1,2 +0,0 @@\n-a\n-b\n" },
	{ "a\n", "b\n", 3, "--- A\n+++ B\n@@ -1 +1 @@\n-a\n+b\n" },
	{ "a\nb\nc\n", "a\nx\nc\n", 3,
	    "--- A\n+++ B\n@@ -1,3 +1,3 @@\n a\n-b\n+x\n c\n" },
	{ "a\nb\nc\n", "a\nx\nc\n", 0, "--- A\n+++ B\n@@ -2 +2 @@\n-b\n+x\n" },
	/* An insertion with no context names the line before it. */
	{ "a\nc\n", "a\nb\nc\n", 0, "--- A\n+++ B\n@@ -1,0 +2 @@\n+b\n" },
	{ "a\nb\n", "a\n", 3, "--- A\n+++ B\n@@ -1,2 +1 @@\n a\n-b\n" },
	/* The last line without a newline. */
	{ "a\nb", "a\nb\n", 3, "--- A\n+++ B\n@@ -1,2 +1,2 @@\n a\n-b\n"
	    "\\ No newline at end of file\n+b\n" },
	/* Changes 2 * context apart share a hunk, further apart they don't. */
	{ "1\n2\n3\n4\n5\n6\n", "x\n2\n3\n4\n5\ny\n", 2,
	    "--- A\n+++ B\n@@ -1,6 +1,6 @@\n-1\n+x\n 2\n 3\n 4\n 5\n-6\n+y\n" },
	{ "1\n2\n3\n4\n5\n6\n7\n", "x\n2\n3\n4\n5\n6\ny\n", 2,
	    "--- A\n+++ B\n@@ -1,3 +1,3 @@\n-1\n+x\n 2\n 3\n@@ -5,3 +5,3 @@\n"
	    " 5\n 6\n-7\n+y\n" },
	/* Deletions of a change come before its insertions. */
	{ "k\na\nb\nk\n", "k\nc\nd\nk\n", 1,
	    "--- A\n+++ B\n@@ -1,4 +1,4 @@\n k\n-a\n-b\n+c\n+d\n k\n" },
	/* A moved block: the fewest changes (2), not 6. */
	{ "a\nb\nc\nd\n", "b\nc\nd\na\n", 0,
	    "--- A\n+++ B\n@@ -1 +0,0 @@\n-a\n@@ -4,0 +4 @@\n+a\n" },
};

#include "diff_apply.h"

/* The fewest lines deleted plus inserted, by the textbook LCS table. */
static size_t
lcs_cost(const char **a, size_t n, const char **b, size_t m)
{
	size_t *t = calloc((n + 1) * (m + 1), sizeof(*t)), i, j, r;

	for (i = n; i-- > 0;)
		for (j = m; j-- > 0;)
			t[i * (m + 1) + j] = strcmp(a[i], b[j]) == 0 ?
			    t[(i + 1) * (m + 1) + j + 1] + 1 :
			    (t[(i + 1) * (m + 1) + j] > t[i * (m + 1) + j + 1] ?
			    t[(i + 1) * (m + 1) + j] : t[i * (m + 1) + j + 1]);
	r = n + m - 2 * t[0];
	free(t);
	return r;
}

int
main(void)
{
	static const char *words[] = { "a\n", "b\n", "c\n", "d\n" };
	struct lc_buf out = LC_BUF_INIT, a = LC_BUF_INIT, b = LC_BUF_INIT;
	const char *la[40], *lb[40];
	size_t i, j, n, m, got, bad_cost = 0, bad_apply = 0;
	char *back;

	for (i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
		lc_buf_release(&out);
		lc_buf_adds(&out, "");
		got = lc_diff_unified(&out, vec[i].a, strlen(vec[i].a),
		    vec[i].b, strlen(vec[i].b), "A", "B", vec[i].context);
		is_str(out.data, vec[i].want, "diff %zu", i);
		ok((got == 0) == (*vec[i].want == '\0'), "diff %zu: count", i);
		back = apply(vec[i].a, out.data);
		is_str(back, vec[i].b, "diff %zu: applies", i);
		free(back);
	}

	/* Random texts over 4 words: minimal (the LCS cost) and applicable. */
	srand(1);
	for (i = 0; i < 3000; i++) {
		n = (size_t)rand() % 40;
		m = (size_t)rand() % 40;
		lc_buf_release(&a);
		lc_buf_release(&b);
		lc_buf_adds(&a, "");
		lc_buf_adds(&b, "");
		for (j = 0; j < n; j++)
			lc_buf_adds(&a, la[j] = words[rand() % (i % 3 + 2)]);
		for (j = 0; j < m; j++)
			lc_buf_adds(&b, lb[j] = words[rand() % (i % 3 + 2)]);
		lc_buf_release(&out);
		lc_buf_adds(&out, "");
		got = lc_diff_unified(&out, a.data, a.len, b.data, b.len, "A",
		    "B", (int)(i % 4));
		bad_cost += got != lcs_cost(la, n, lb, m);
		back = apply(a.data, out.data);
		bad_apply += back == NULL || strcmp(back, b.data) != 0;
		free(back);
	}
	ok(bad_cost == 0, "3000 random pairs: the fewest changes (%zu not)",
	    bad_cost);
	ok(bad_apply == 0, "3000 random pairs: the diff applies (%zu not)",
	    bad_apply);

	/* 5,000 lines, two changed: two small hunks, 4 changed lines. */
	lc_buf_release(&a);
	lc_buf_release(&b);
	for (j = 0; j < 5000; j++) {
		lc_buf_printf(&a, "line %zu\n", j);
		lc_buf_printf(&b, j == 10 || j == 4000 ? "LINE %zu\n" :
		    "line %zu\n", j);
	}
	lc_buf_release(&out);
	lc_buf_adds(&out, "");
	got = lc_diff_unified(&out, a.data, a.len, b.data, b.len, "A", "B", 1);
	ok(got == 4, "5,000 lines, 2 changed: 4 lines (%zu)", got);
	is_str(out.data, "--- A\n+++ B\n@@ -10,3 +10,3 @@\n line 9\n-line 10\n"
	    "+LINE 10\n line 11\n@@ -4000,3 +4000,3 @@\n line 3999\n"
	    "-line 4000\n+LINE 4000\n line 4001\n", "5,000 lines: the hunks");

	/* Nothing in common: linear memory, every line changed. */
	lc_buf_release(&b);
	for (j = 0; j < 5000; j++)
		lc_buf_printf(&b, "other %zu\n", j);
	lc_buf_release(&out);
	got = lc_diff_unified(&out, a.data, a.len, b.data, b.len, "A", "B", 3);
	ok(got == 10000, "5,000 lines against 5,000 others: 10,000 (%zu)", got);

	lc_buf_release(&out);
	lc_buf_release(&a);
	lc_buf_release(&b);
	return done_testing();
}
