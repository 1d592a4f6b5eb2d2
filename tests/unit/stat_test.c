/* stat_test.c: medians, the Mann-Whitney U test against tables and a reference computation, sparklines. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "stat.h"
#include "tap.h"

#define NBIG 11000

/* Relative closeness, for p-values computed two ways. */
static int
close_to(double got, double want, double rel)
{
	if (got == want)
		return 1;
	return fabs(got - want) <= rel * fabs(want);
}

/*
 * Samples of nx and ny values without ties whose U of x is u: the y's are
 * 0..ny-1 and each x sits just below the y it does not beat (x beats
 * b_i y's when it is b_i - 0.5, offset by i/1000 to stay distinct).
 */
static void
samples_with_u(double *x, size_t nx, double *y, size_t ny, size_t u)
{
	size_t i, b;

	for (i = 0; i < ny; i++)
		y[i] = (double)i;
	for (i = 0; i < nx; i++) {
		b = u > ny ? ny : u;
		u -= b;
		x[i] = (double)b - 0.5 + (double)i / 1000;
	}
}

/*
 * Critical values of U (reject "no difference" when the smaller U is at
 * most the value): at one-sided alpha = 0.05 from the usual table "critical
 * values of the Mann-Whitney U, one-tailed, alpha = .05" (S. Siegel and
 * N. J. Castellan, Nonparametric Statistics for the Behavioral Sciences,
 * 2nd ed., 1988, and textbooks after it); at one-sided alpha = 0.025 from
 * the two-tailed alpha = .05 table as printed at
 * http://numeracy-bank.net/?q=t/stt/mwu/3 (also real-statistics.com's
 * Mann-Whitney table). The small ones are cross-checked by enumeration:
 * tests/lib/mannwhitney-ref.py critical NX NY.
 */
static const struct {
	size_t nx, ny, crit;
	double alpha;
} critical[] = {
	{ 4, 4, 1, 0.05 },
	{ 4, 7, 4, 0.05 },
	{ 5, 5, 4, 0.05 },
	{ 5, 8, 8, 0.05 },
	{ 6, 6, 7, 0.05 },
	{ 8, 8, 15, 0.05 },
	{ 10, 10, 27, 0.05 },
	{ 20, 20, 138, 0.05 },
	{ 4, 4, 0, 0.025 },
	{ 5, 5, 2, 0.025 },
	{ 5, 7, 5, 0.025 },
	{ 8, 8, 13, 0.025 },
	{ 10, 10, 23, 0.025 },
	{ 11, 12, 33, 0.025 },
	{ 13, 16, 59, 0.025 },
	{ 20, 20, 127, 0.025 },
};

static void
test_critical(void)
{
	double x[20], y[20], u, p;
	size_t i, nx, ny, hi;

	for (i = 0; i < sizeof(critical) / sizeof(critical[0]); i++) {
		nx = critical[i].nx;
		ny = critical[i].ny;
		/* x greater: U of x = nx*ny - (the smaller U) */
		hi = nx * ny - critical[i].crit;
		samples_with_u(x, nx, y, ny, hi);
		p = lc_stat_mannwhitney(x, nx, y, ny, &u);
		ok(u == (double)hi && p <= critical[i].alpha,
		    "critical %zu,%zu: U=%zu p=%g <= %g", nx, ny, hi, p,
		    critical[i].alpha);
		samples_with_u(x, nx, y, ny, hi - 1);
		p = lc_stat_mannwhitney(x, nx, y, ny, &u);
		ok(u == (double)(hi - 1) && p > critical[i].alpha,
		    "critical %zu,%zu: U=%zu p=%g > %g", nx, ny, hi - 1, p,
		    critical[i].alpha);
	}
}

/* p-values recorded from tests/lib/mannwhitney-ref.py (exact|normal X Y). */
static const struct {
	const char *name;
	double x[12], y[12];
	size_t nx, ny;
	double u, p, pu;	/* pu: P(U = u), exact cases only */
} ref[] = {
	{ "exact 4 vs 3", { 1.1, 2.5, 3.7, 4.2 }, { 0.5, 0.9, 2.0 }, 4, 3,
	    11, 0.057142857142857141, 0.028571428571428571 },
	{ "exact 6 vs 6", { 3, 5, 7, 9, 11, 13 }, { 1, 2, 4, 6, 8, 10 }, 6, 6,
	    26, 0.12012987012987013, 0.030303030303030304 },
	{ "exact x all below", { 1, 2, 3 }, { 4, 5, 6 }, 3, 3,
	    0, 1, 0.050000000000000003 },
	{ "exact 5 vs 6", { 12.5, 3.25, 8, 9.5, 10 },
	    { 1, 7.5, 2, 4, 6.75, 11 }, 5, 6,
	    23, 0.088744588744588751, 0.025974025974025976 },
	{ "exact 10 vs 10",
	    { 0.3, 1.7, 2.9, 4.1, 5.3, 6.2, 7.7, 8.1, 9.9, 10.4 },
	    { 0.1, 0.8, 1.2, 2.2, 3.3, 3.9, 4.6, 5.1, 6.0, 7.0 }, 10, 10,
	    71, 0.06150273874732079, 0.0089415228734114182 },
	{ "exact 1 vs 8", { 7 }, { 1, 2, 3, 4, 5, 6, 8, 9 }, 1, 8,
	    6, 0.33333333333333331, 0.1111111111111111 },
	{ "normal, ties", { 1, 2, 2, 3, 3, 3, 4 }, { 2, 2, 3, 1, 1, 0 }, 7, 6,
	    32.5, 0.051980667039559697, -1 },
	{ "normal, two constants", { 0.014, 0.014, 0.014 },
	    { 0.01, 0.01, 0.01 }, 3, 3, 9, 0.02342708880193687, -1 },
};

static void
test_reference(void)
{
	double u, p, pr, ur;
	size_t i;

	for (i = 0; i < sizeof(ref) / sizeof(ref[0]); i++) {
		p = lc_stat_mannwhitney(ref[i].x, ref[i].nx, ref[i].y,
		    ref[i].ny, &u);
		ok(u == ref[i].u && close_to(p, ref[i].p, 1e-12),
		    "%s: U=%g (want %g) p=%.17g (want %.17g)", ref[i].name,
		    u, ref[i].u, p, ref[i].p);
		if (ref[i].pu < 0)
			continue;
		/*
		 * Exact, no ties: P(U >= u) + P(U' >= nx*ny - u) counts the
		 * point u twice, so the sum is 1 + P(U = u).
		 */
		pr = lc_stat_mannwhitney(ref[i].y, ref[i].ny, ref[i].x,
		    ref[i].nx, &ur);
		ok(ur == ref[i].nx * ref[i].ny - u &&
		    close_to(p + pr, 1 + ref[i].pu, 1e-12),
		    "%s: p(x>y) + p(y>x) = %.17g = 1 + P(U=u)", ref[i].name,
		    p + pr);
	}
}

/* 60 vs 55 values, no ties: past the exact table, the normal approximation. */
static void
test_normal_large(void)
{
	double x[60], y[55], u, p;
	size_t i;

	for (i = 0; i < 60; i++)
		x[i] = (double)i * 0.5 + 0.25;
	for (i = 0; i < 55; i++)
		y[i] = (double)i * 0.49 + 0.001;
	p = lc_stat_mannwhitney(x, 60, y, 55, &u);
	ok(u == 1844 && close_to(p, 0.13931723060691212, 1e-12),
	    "normal 60 vs 55: U=%g p=%.17g", u, p);
}

static void
test_edges(void)
{
	double x[] = { NAN, 3, NAN, 5, 7 }, y[] = { 1, NAN, 2, 4 };
	double clean_x[] = { 3, 5, 7 }, clean_y[] = { 1, 2, 4 };
	double same[] = { 2, 2, 2, 2 }, nan1[] = { NAN }, one = 1, two = 2;
	double u, p, pc;

	p = lc_stat_mannwhitney(x, 5, y, 4, &u);
	pc = lc_stat_mannwhitney(clean_x, 3, clean_y, 3, NULL);
	ok(p == pc && u == 8, "NaN values are left out (U=%g p=%g)", u, p);
	u = 0;
	ok(isnan(lc_stat_mannwhitney(x, 0, y, 4, &u)) && isnan(u),
	    "empty x: NaN");
	ok(isnan(lc_stat_mannwhitney(x, 5, y, 0, NULL)), "empty y: NaN");
	ok(isnan(lc_stat_mannwhitney(nan1, 1, y, 4, NULL)),
	    "only NaN in x: NaN");
	ok(isnan(lc_stat_mannwhitney(NULL, 0, NULL, 0, NULL)),
	    "both empty, NULL: NaN");
	p = lc_stat_mannwhitney(&two, 1, &one, 1, &u);
	ok(u == 1 && p == 0.5, "1 vs 1, x greater: U=1 p=%g", p);
	p = lc_stat_mannwhitney(same, 4, same, 4, &u);
	ok(u == 8 && p == 1, "all values equal (variance 0): p=1, U=%g", u);
	p = lc_stat_mannwhitney(same, 1, same, 1, &u);
	ok(u == 0.5 && p == 1, "1 vs 1 equal: p=1");
}

/* The canary test bed's constant series, 11,000 points each. */
static void
test_big(void)
{
	double *c = malloc(NBIG * sizeof(*c)), *b = malloc(NBIG * sizeof(*b));
	double *r = malloc(NBIG * sizeof(*r)), u, p;
	size_t i;

	for (i = 0; i < NBIG; i++) {
		c[i] = 0.014;
		b[i] = 0.01;
		/* distinct, interleaved, x shifted up by a quarter step */
		r[i] = (double)i + 0.25;
	}
	p = lc_stat_mannwhitney(c, NBIG, b, NBIG, &u);
	ok(u == (double)NBIG * NBIG && p < 1e-100,
	    "11,000 points: 0.014 vs 0.01 highly significant (p=%g)", p);
	p = lc_stat_mannwhitney(b, NBIG, c, NBIG, &u);
	ok(u == 0 && p == 1, "11,000 points: 0.01 vs 0.014 not (p=%g)", p);
	p = lc_stat_mannwhitney(b, NBIG, b, NBIG, &u);
	ok(u == (double)NBIG * NBIG / 2 && p == 1,
	    "11,000 points: equal constants not significant (p=%g)", p);
	for (i = 0; i < NBIG; i++)
		b[i] = (double)i;
	p = lc_stat_mannwhitney(r, NBIG, b, NBIG, &u);
	/* each r[i] beats b[0..i]: U = n(n+1)/2, barely above the mean */
	ok(u == (double)NBIG * (NBIG + 1) / 2 && p > 0.4 && p < 0.5,
	    "11,000 distinct points, shifted a little: not significant "
	    "(p=%g)", p);
	ok(lc_stat_median(c, NBIG) == 0.014, "median of 11,000 constants");
	free(c);
	free(b);
	free(r);
}

static void
test_median(void)
{
	double odd[] = { 5, 1, 3 }, even[] = { 4, 1, 3, 2 };
	double withnan[] = { NAN, 9, 1, NAN, 5 }, allnan[] = { NAN, NAN };
	double big[] = { 1.5e308, 1.7e308 }, one[] = { -2.5 };

	ok(lc_stat_median(odd, 3) == 3, "median odd count");
	ok(lc_stat_median(even, 4) == 2.5, "median even count: mean of middle two");
	ok(lc_stat_median(withnan, 5) == 5, "median skips NaN");
	ok(odd[0] == 5 && odd[1] == 1, "median leaves v unchanged");
	ok(isnan(lc_stat_median(allnan, 2)), "median of only NaN: NaN");
	ok(isnan(lc_stat_median(NULL, 0)), "median of nothing: NaN");
	ok(lc_stat_median(one, 1) == -2.5, "median of one value");
	ok(lc_stat_median(big, 2) == 1.6e308, "median of huge values: no overflow");
}

static void
spark(const char *name, const double *v, size_t n, size_t width,
    const char *want)
{
	struct lc_buf b = LC_BUF_INIT;

	lc_buf_adds(&b, "");
	lc_stat_sparkline(&b, v, n, width);
	is_str(b.data, want, "sparkline %s", name);
	lc_buf_release(&b);
}

static void
test_sparkline(void)
{
	double flat[] = { 3, 3, 3 }, rise[] = { 0, 1, 2, 3, 4, 5, 6, 7 };
	double nan[] = { 1, NAN, 3 }, inf[] = { INFINITY, 0, 1, -INFINITY };
	double sixteen[16], fall[] = { 7, 0 }, big[NBIG];
	size_t i;

	spark("flat", flat, 3, 0, "\u2584\u2584\u2584");
	spark("rising", rise, 8, 0,
	    "\u2581\u2582\u2583\u2584\u2585\u2586\u2587\u2588");
	spark("rising, width 8", rise, 8, 8,
	    "\u2581\u2582\u2583\u2584\u2585\u2586\u2587\u2588");
	spark("NaN is a space", nan, 3, 10, "\u2581 \u2588");
	spark("infinities at the ends", inf, 4, 0, "\u2588\u2581\u2588\u2581");
	spark("falling, rounding", fall, 2, 0, "\u2588\u2581");
	spark("empty", NULL, 0, 5, "");
	{
		double tiny[] = { 0, 5e-324 }, huge[] = { -1e308, 0, 1e308 };

		spark("subnormal range", tiny, 2, 0, "\u2581\u2588");
		spark("range past DBL_MAX", huge, 3, 0,
		    "\u2581\u2585\u2588");
	}
	for (i = 0; i < 16; i++)
		sixteen[i] = (double)(i / 2);
	/* pairs averaged: 0,1,..,7 */
	spark("16 values into width 8", sixteen, 16, 8,
	    "\u2581\u2582\u2583\u2584\u2585\u2586\u2587\u2588");
	/* 8 rising values into 3 buckets of 2, 3, 3: means 0.5, 3, 6 */
	spark("8 values into width 3", rise, 8, 3, "\u2581\u2584\u2588");
	/* a NaN averaged away; a bucket of only NaN stays a space */
	{
		double v[] = { NAN, 2, NAN, NAN, 4, 4 };

		spark("NaN in buckets", v, 6, 3, "\u2581 \u2588");
	}
	for (i = 0; i < NBIG; i++)
		big[i] = i < NBIG / 2 ? 1 : 2;
	spark("11,000 values into width 4", big, NBIG, 4,
	    "\u2581\u2581\u2588\u2588");
}

/* The smallest p for the sizes: what --confidence can ask of them. */
static void
test_floor(void)
{
	const double x[4] = { 10, 11, 12, 13 }, y[4] = { 1, 2, 3, 4 };
	double big[60], small[60], z;
	size_t i;

	ok(close_to(lc_stat_mannwhitney_floor(4, 4), 1.0 / 70, 1e-12),
	    "floor 4+4: 1/C(8,4) = 0.0143 (got %g)",
	    lc_stat_mannwhitney_floor(4, 4));
	ok(lc_stat_mannwhitney_floor(4, 4) == lc_stat_mannwhitney(x, 4, y, 4,
	    NULL), "floor 4+4: the p of 4 x's above 4 y's");
	ok(close_to(lc_stat_mannwhitney_floor(3, 3), 0.05, 1e-12),
	    "floor 3+3: 1/20");
	ok(close_to(lc_stat_mannwhitney_floor(1, 1), 0.5, 1e-12),
	    "floor 1+1: 1/2");
	ok(lc_stat_mannwhitney_floor(3, 5) == lc_stat_mannwhitney_floor(5, 3),
	    "floor: symmetric");
	ok(close_to(lc_stat_mannwhitney_floor(50, 50), 9.911653e-30, 1e-6),
	    "floor 50+50: 1/C(100,50) (got %g)",
	    lc_stat_mannwhitney_floor(50, 50));
	/* Past the exact table: the normal approximation at U = nx * ny. */
	z = (3600 - 1800 - 0.5) / sqrt(3600.0 / 12 * 121);
	ok(close_to(lc_stat_mannwhitney_floor(60, 60), 0.5 * erfc(z /
	    sqrt(2.0)), 1e-12), "floor 60+60: the normal approximation's");
	for (i = 0; i < 60; i++) {
		big[i] = 100 + (double)i;
		small[i] = (double)i;
	}
	ok(close_to(lc_stat_mannwhitney_floor(60, 60),
	    lc_stat_mannwhitney(big, 60, small, 60, NULL), 1e-12),
	    "floor 60+60: the p of 60 x's above 60 y's");
	ok(lc_stat_mannwhitney_floor(0, 4) == 1 &&
	    lc_stat_mannwhitney_floor(4, 0) == 1, "floor: an empty side is 1");
}

int
main(void)
{
	test_median();
	test_critical();
	test_reference();
	test_normal_large();
	test_edges();
	test_big();
	test_sparkline();
	test_floor();
	return done_testing();
}
