/* stat.c: medians, the one-sided Mann-Whitney U test and sparklines. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "stat.h"

/*
 * The exact distribution of U is tabulated only while the table stays
 * small: nx * ny <= 2500 (every pair of samples up to 50 each) costs at
 * most 2 * 51 * 2501 doubles, 2 MB.
 */
#define EXACT_MAX_PAIRS 2500

struct obs {
	double v;
	int from_x;
};

/* n elements of size bytes each, refusing a product that overflows. */
static void *
xmalloc_array(size_t n, size_t size)
{
	if (n == 0)
		n = 1;
	if (size != 0 && n > SIZE_MAX / size)
		lc_buf_oom();
	return lc_buf_xmalloc(n * size);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int
cmp_obs(const void *a, const void *b)
{
	return cmp_double(&((const struct obs *)a)->v,
	    &((const struct obs *)b)->v);
}

double
lc_stat_median(const double *v, size_t n)
{
	double *s, lo, hi, m;
	size_t i, k = 0;

	s = xmalloc_array(n, sizeof(*s));
	for (i = 0; i < n; i++)
		if (!isnan(v[i]))
			s[k++] = v[i];
	if (k == 0) {
		free(s);
		return NAN;
	}
	qsort(s, k, sizeof(*s), cmp_double);
	lo = s[(k - 1) / 2];
	hi = s[k / 2];
	/* Halves first: lo + hi may overflow where their mean does not. */
	m = lo == hi ? lo : lo / 2 + hi / 2;
	free(s);
	return m;
}

/*
 * P(U >= u) for samples of m and n values without ties, counting the
 * arrangements: f(m, n, k), the number with U = k, is f(m - 1, n, k - n)
 * (the largest value is an x, greater than all n y's) plus f(m, n - 1, k)
 * (it is a y). The distribution is the same for (m, n) and (n, m), so the
 * inner dimension is the smaller sample. Only sums of non-negative
 * counts: no cancellation, relative error of a few ulps.
 */
static double
exact_upper(size_t m, size_t n, double u)
{
	size_t big = m > n ? m : n, small = m > n ? n : m;
	size_t width = big * small + 1, i, j, k;
	double *prev, *cur, *tmp, above = 0, all = 0;

	prev = xmalloc_array((small + 1) * width, sizeof(*prev));
	cur = xmalloc_array((small + 1) * width, sizeof(*cur));
	/* i = 0: no x at all, U is 0 whatever j is. */
	memset(prev, 0, (small + 1) * width * sizeof(*prev));
	for (j = 0; j <= small; j++)
		prev[j * width] = 1;
	for (i = 1; i <= big; i++) {
		memset(cur, 0, (small + 1) * width * sizeof(*cur));
		cur[0] = 1;
		for (j = 1; j <= small; j++) {
			double *c = cur + j * width, *l = cur + (j - 1) * width;
			double *p = prev + j * width;

			for (k = 0; k <= i * j; k++)
				c[k] = l[k] + (k >= j ? p[k - j] : 0);
		}
		tmp = prev;
		prev = cur;
		cur = tmp;
	}
	for (k = 0; k < width; k++) {
		all += prev[small * width + k];
		if ((double)k >= u)
			above += prev[small * width + k];
	}
	free(prev);
	free(cur);
	return above / all;
}

double
lc_stat_mannwhitney(const double *x, size_t nx, const double *y,
    size_t ny, double *u)
{
	struct obs *o;
	size_t i, j, k = 0, mx = 0, my = 0, n;
	double ubelow = 0, uu = 0, ties = 0, mu, var, z, p;
	int tied = 0;

	if (u != NULL)
		*u = NAN;
	if (nx > SIZE_MAX - ny)
		lc_buf_oom();
	o = xmalloc_array(nx + ny, sizeof(*o));
	for (i = 0; i < nx; i++)
		if (!isnan(x[i])) {
			o[k].v = x[i];
			o[k++].from_x = 1;
			mx++;
		}
	for (i = 0; i < ny; i++)
		if (!isnan(y[i])) {
			o[k].v = y[i];
			o[k++].from_x = 0;
			my++;
		}
	if (mx == 0 || my == 0) {
		free(o);
		return NAN;
	}
	n = k;
	qsort(o, n, sizeof(*o), cmp_obs);

	/*
	 * U of x, group by group of equal values: each x beats the y's below
	 * its group and half of the y's in it. Every term is a multiple of
	 * one half below 2^53: exact in a double.
	 */
	for (i = 0; i < n; i = j) {
		double gx = 0, gy = 0, t;

		for (j = i; j < n && o[j].v == o[i].v; j++) {
			if (o[j].from_x)
				gx++;
			else
				gy++;
		}
		uu += gx * (ubelow + gy / 2);
		ubelow += gy;
		t = (double)(j - i);
		if (t > 1) {
			tied = 1;
			ties += t * t * t - t;
		}
	}
	free(o);
	if (u != NULL)
		*u = uu;

	if (!tied && (double)mx * (double)my <= EXACT_MAX_PAIRS)
		return exact_upper(mx, my, uu);

	/*
	 * The normal approximation, with the variance corrected for ties and
	 * the continuity correction towards the centre (as scipy's
	 * mannwhitneyu does). When every value is the same the variance is
	 * 0: no evidence that x is greater, p = 1.
	 */
	mu = (double)mx * (double)my / 2;
	var = (double)mx * (double)my / 12 *
	    ((double)(n + 1) - ties / ((double)n * (double)(n - 1)));
	if (!(var > 0))
		return 1;
	z = (uu - mu - 0.5) / sqrt(var);
	p = 0.5 * erfc(z / sqrt(2.0));
	return p > 1 ? 1 : p;
}

double
lc_stat_mannwhitney_floor(size_t nx, size_t ny)
{
	double c = 1, n, mu, var, z;
	size_t k = nx < ny ? nx : ny, i;

	if (nx == 0 || ny == 0)
		return 1;
	if ((double)nx * (double)ny <= EXACT_MAX_PAIRS) {
		/* C(nx + ny, k), k the smaller: a few dozen exact-ish steps. */
		for (i = 1; i <= k; i++)
			c = c * (double)(nx + ny - k + i) / (double)i;
		return 1 / c;
	}
	n = (double)nx + (double)ny;
	mu = (double)nx * (double)ny / 2;
	var = (double)nx * (double)ny / 12 * (n + 1);
	z = ((double)nx * (double)ny - mu - 0.5) / sqrt(var);
	return 0.5 * erfc(z / sqrt(2.0));
}

void
lc_stat_sparkline(struct lc_buf *out, const double *v, size_t n,
    size_t width)
{
	double *b, lo = INFINITY, hi = -INFINITY;
	size_t nb, i, start = 0, rem = 0, step, extra;

	if (n == 0)
		return;
	nb = width == 0 || n <= width ? n : width;
	b = xmalloc_array(nb, sizeof(*b));
	/*
	 * Bucket i holds n / nb values, one more whenever the remainders
	 * add up to another nb (the values spread evenly, no product that
	 * could overflow).
	 */
	step = n / nb;
	extra = n % nb;
	for (i = 0; i < nb; i++) {
		size_t end = start + step, k, cnt = 0;
		double sum = 0;

		rem += extra;
		if (rem >= nb) {
			rem -= nb;
			end++;
		}
		for (k = start; k < end; k++)
			if (!isnan(v[k])) {
				sum += v[k];
				cnt++;
			}
		b[i] = cnt == 0 ? NAN : sum / (double)cnt;
		start = end;
		if (isfinite(b[i])) {
			if (b[i] < lo)
				lo = b[i];
			if (b[i] > hi)
				hi = b[i];
		}
	}
	for (i = 0; i < nb; i++) {
		int level;

		if (isnan(b[i])) {
			lc_buf_addc(out, ' ');
			continue;
		}
		if (b[i] == INFINITY)
			level = 7;
		else if (b[i] == -INFINITY)
			level = 0;
		else if (!(hi > lo))
			level = 3;
		else if (isfinite(hi - lo))
			level = (int)((b[i] - lo) / (hi - lo) * 7 + 0.5);
		else	/* halves: hi - lo overflows where they do not */
			level = (int)((b[i] / 2 - lo / 2) /
			    (hi / 2 - lo / 2) * 7 + 0.5);
		lc_buf_add(out, "\xe2\x96", 2);
		lc_buf_addc(out, 0x81 + level);
	}
	free(b);
}
