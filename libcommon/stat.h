/* stat.h: the statistics canary analysis needs: medians, Mann-Whitney U. */
#ifndef LC_STAT_H
#define LC_STAT_H

#include <stddef.h>

#include "buf.h"

/*
 * The median of the n values of v that are not NaN (v is not changed);
 * NaN when there are none.
 */
double lc_stat_median(const double *v, size_t n);

/*
 * One-sided Mann-Whitney U test of whether the values of x tend to be
 * greater than those of y (NaN values are left out of both). Returns the
 * p-value: exact (from the distribution of U) when both samples are small
 * and have no ties, otherwise the normal approximation with the tie
 * correction and the continuity correction. *u, when not NULL, receives
 * U of x (the number of pairs with x > y, ties counting one half).
 * NaN (and *u NaN) when either sample is empty or all NaN.
 * "Small" is nx * ny <= 2500 (every pair up to 50 values each); ties are
 * any two equal values. When every value is the same (variance 0) the
 * answer is 1: no evidence that x is greater. O(N log N) in time and
 * O(N) in memory past the exact table; 11,000 values a side take a few ms.
 */
double lc_stat_mannwhitney(const double *x, size_t nx, const double *y,
    size_t ny, double *u);

/*
 * The smallest p-value lc_stat_mannwhitney can give for samples of nx and
 * ny values (every x above every y): 1 / C(nx + ny, nx) where the exact
 * distribution applies (nx * ny <= 2500), else the normal approximation's
 * at U = nx * ny (no ties). 1 when either sample is empty. A confidence
 * whose 1 - c is not above it can never be reached.
 */
double lc_stat_mannwhitney_floor(size_t nx, size_t ny);

/*
 * Append to out a sparkline of v: one of the eight block characters
 * U+2581..U+2588 per value, scaled between the smallest and the largest
 * (a flat series is all U+2584), a space for NaN; at most width
 * characters, a longer series being averaged down into width buckets.
 * Details: width 0 means no limit (one character per value); a bucket's
 * value is the mean of its values that are not NaN (a space when all
 * are NaN); buckets hold n / width values or one more, spread evenly;
 * +Inf is the top block and -Inf the bottom one, the scale being set by
 * the finite values; levels round to the nearest of the eight blocks.
 * Appends UTF-8 only (three bytes a block), nothing for n = 0.
 */
void lc_stat_sparkline(struct lc_buf *out, const double *v, size_t n,
    size_t width);

#endif
