/* diff.c: line diffs (Myers' O(ND) algorithm, linear space) as unified text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "diff.h"

struct line {
	const char *p;
	size_t n;		/* with its '\n', when it has one */
	uint64_t h;
};

struct text {
	struct line *l;
	size_t n;
	char *gone;		/* gone[i]: line i deleted (a) or inserted (b) */
};

struct ctx {
	struct text *a, *b;
	long *vf, *vb;		/* furthest x per diagonal, forward/backward */
	long off;		/* index of diagonal 0 in vf and vb */
	long limit;		/* past this d, split where we got (no longer
				 * fewest: bounded time for texts that have
				 * little in common, as GNU diff does) */
};

static void
split(struct text *t, const char *s, size_t len)
{
	size_t i, cap = 16, start;
	uint64_t h;

	t->l = lc_buf_xmalloc(cap * sizeof(*t->l));
	t->n = 0;
	for (start = 0; start < len; start = i) {
		h = 14695981039346656037ULL;	/* FNV-1a */
		for (i = start; i < len; i++) {
			h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
			if (s[i] == '\n') {
				i++;
				break;
			}
		}
		if (t->n == cap)
			t->l = lc_buf_xrealloc(t->l,
			    (cap *= 2) * sizeof(*t->l));
		t->l[t->n].p = s + start;
		t->l[t->n].n = i - start;
		t->l[t->n].h = h;
		t->n++;
	}
	t->gone = lc_buf_xmalloc(t->n + 1);
	memset(t->gone, 0, t->n + 1);
}

static int
eq(const struct ctx *c, long i, long j)
{
	const struct line *x = &c->a->l[i], *y = &c->b->l[j];

	return x->h == y->h && x->n == y->n && memcmp(x->p, y->p, x->n) == 0;
}

/*
 * The middle snake of a[a0,a1) against b[b0,b1) (Myers 1986, 4b): the
 * furthest-reaching paths from both ends meet on it. *xs,*ys to *xe,*ye
 * (relative to a0, b0) is the snake; both halves around it have fewer
 * changes than the whole.
 */
static void
middle(struct ctx *c, long a0, long a1, long b0, long b1, long *xs,
    long *ys, long *xe, long *ye)
{
	long n = a1 - a0, m = b1 - b0, delta = n - m, max = (n + m + 1) / 2;
	long *vf = c->vf + c->off, *vb = c->vb + c->off;
	long d, k, x, y, sx, sy;
	int odd = delta & 1;

	vf[1] = 0;
	vb[1] = 0;
	for (d = 0; d <= max; d++) {
		for (k = -d; k <= d; k += 2) {
			x = (k == -d || (k != d && vf[k - 1] < vf[k + 1])) ?
			    vf[k + 1] : vf[k - 1] + 1;
			y = x - k;
			sx = x;
			sy = y;
			while (x < n && y < m && eq(c, a0 + x, b0 + y))
				x++, y++;
			vf[k] = x;
			if (odd && delta - k >= -(d - 1) && delta - k <= d - 1 &&
			    vf[k] + vb[delta - k] >= n) {
				*xs = sx;
				*ys = sy;
				*xe = x;
				*ye = y;
				return;
			}
		}
		for (k = -d; k <= d; k += 2) {
			x = (k == -d || (k != d && vb[k - 1] < vb[k + 1])) ?
			    vb[k + 1] : vb[k - 1] + 1;
			y = x - k;
			sx = x;
			sy = y;
			while (x < n && y < m && eq(c, a1 - 1 - x, b1 - 1 - y))
				x++, y++;
			vb[k] = x;
			if (!odd && delta - k >= -d && delta - k <= d &&
			    vb[k] + vf[delta - k] >= n) {
				*xs = n - x;
				*ys = m - y;
				*xe = n - sx;
				*ye = m - sy;
				return;
			}
		}
		if (d >= c->limit) {
			/*
			 * Too expensive: split at the forward point that got
			 * furthest. Any point gives a correct script, and
			 * this one is neither end, so both halves shrink.
			 */
			long bx = -1, by = 0;

			for (k = -d; k <= d; k += 2) {
				x = vf[k] < n ? vf[k] : n;
				y = x - k;
				if (y < 0 || y > m)
					continue;
				if (bx < 0 || x + y > bx + by)
					bx = x, by = y;
			}
			if (bx < 0 || (bx == 0 && by == 0) ||
			    (bx == n && by == m))
				bx = n / 2, by = m / 2;
			*xs = *xe = bx;
			*ys = *ye = by;
			return;
		}
	}
	/* Not reached: the paths meet by d = max. */
	*xs = *xe = n;
	*ys = *ye = m;
}

/* Mark what a[a0,a1) -> b[b0,b1) deletes and inserts, fewest possible. */
static void
compare(struct ctx *c, long a0, long a1, long b0, long b1)
{
	long xs, ys, xe, ye;

	while (a0 < a1 && b0 < b1 && eq(c, a0, b0))
		a0++, b0++;
	while (a0 < a1 && b0 < b1 && eq(c, a1 - 1, b1 - 1))
		a1--, b1--;
	if (a0 == a1) {
		while (b0 < b1)
			c->b->gone[b0++] = 1;
		return;
	}
	if (b0 == b1) {
		while (a0 < a1)
			c->a->gone[a0++] = 1;
		return;
	}
	/* Both sides trimmed and not empty: at least 2 changes, so each
	 * half has fewer and the recursion ends (depth O(log D)). */
	middle(c, a0, a1, b0, b1, &xs, &ys, &xe, &ye);
	compare(c, a0, a0 + xs, b0, b0 + ys);
	compare(c, a0 + xe, a1, b0 + ye, b1);
}

/* One line of the edit script: ' ', '-' or '+', and the line. */
struct op {
	char kind;
	const struct line *l;
	size_t ai, bi;		/* lines of a and b before it */
};

static void
put_line(struct lc_buf *out, char kind, const struct line *l)
{
	lc_buf_addc(out, kind);
	lc_buf_add(out, l->p, l->n);
	if (l->n == 0 || l->p[l->n - 1] != '\n')
		lc_buf_adds(out, "\n\\ No newline at end of file\n");
}

static void
put_range(struct lc_buf *out, char sign, size_t start, size_t len)
{
	/* An empty range names the line before it, as diff -u does. */
	if (len == 1)
		lc_buf_printf(out, "%c%zu", sign, start + 1);
	else
		lc_buf_printf(out, "%c%zu,%zu", sign, len ? start + 1 : start,
		    len);
}

size_t
lc_diff_unified(struct lc_buf *out, const char *a, size_t alen,
    const char *b, size_t blen, const char *from, const char *to,
    int context)
{
	struct text ta, tb;
	struct ctx c;
	struct op *ops;
	size_t i, j, n = 0, changes = 0, h0, h1, k, last, an, bn;
	long max;

	split(&ta, a, alen);
	split(&tb, b, blen);
	max = (long)(ta.n + tb.n + 1) / 2 + 1;
	c.a = &ta;
	c.b = &tb;
	c.off = max + 1;
	/* 2^(bits/2+1), at least 256: about GNU diff's bound. */
	for (c.limit = 1, k = ta.n + tb.n; k > 1; k >>= 2)
		c.limit <<= 1;
	c.limit = c.limit * 2 < 256 ? 256 : c.limit * 2;
	c.vf = lc_buf_xmalloc((size_t)(2 * max + 3) * sizeof(long));
	c.vb = lc_buf_xmalloc((size_t)(2 * max + 3) * sizeof(long));
	compare(&c, 0, (long)ta.n, 0, (long)tb.n);
	free(c.vf);
	free(c.vb);

	/* The script: deletions of a change before its insertions. */
	ops = lc_buf_xmalloc((ta.n + tb.n + 1) * sizeof(*ops));
	for (i = j = 0; i < ta.n || j < tb.n; n++) {
		ops[n].ai = i;
		ops[n].bi = j;
		if (i < ta.n && ta.gone[i]) {
			ops[n].kind = '-';
			ops[n].l = &ta.l[i++];
			changes++;
		} else if (j < tb.n && tb.gone[j]) {
			ops[n].kind = '+';
			ops[n].l = &tb.l[j++];
			changes++;
		} else {
			ops[n].kind = ' ';
			ops[n].l = &ta.l[i++];
			j++;
		}
	}
	if (changes) {
		if (context < 0)
			context = 0;
		lc_buf_printf(out, "--- %s\n+++ %s\n", from, to);
	}
	for (k = 0; changes && k < n;) {
		while (k < n && ops[k].kind == ' ')
			k++;
		if (k == n)
			break;
		/* A hunk: from context before this change to context after
		 * the last change that is at most 2 * context away. */
		h0 = k > (size_t)context ? k - (size_t)context : 0;
		last = k;
		for (k++; k < n; k++) {
			if (ops[k].kind != ' ')
				last = k;
			else if (k - last > 2 * (size_t)context)
				break;
		}
		h1 = last + 1 + (size_t)context < n ? last + 1 +
		    (size_t)context : n;
		for (an = bn = 0, i = h0; i < h1; i++) {
			an += ops[i].kind != '+';
			bn += ops[i].kind != '-';
		}
		lc_buf_adds(out, "@@ ");
		put_range(out, '-', ops[h0].ai, an);
		lc_buf_addc(out, ' ');
		put_range(out, '+', ops[h0].bi, bn);
		lc_buf_adds(out, " @@\n");
		for (i = h0; i < h1; i++)
			put_line(out, ops[i].kind, ops[i].l);
		k = h1;
	}
	free(ops);
	free(ta.l);
	free(ta.gone);
	free(tb.l);
	free(tb.gone);
	return changes;
}
