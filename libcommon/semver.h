/* semver.h: semantic versions (a leading v allowed) and ranges. */
#ifndef LC_SEMVER_H
#define LC_SEMVER_H

struct lc_semver {
	long v[3];
	char pre[128];
	int has_pre;
};

/*
 * Parse s (MAJOR.MINOR.PATCH[-PRE]); 0, or -1 when it is not one, or when
 * a number is LONG_MAX or more or PRE is over 127 bytes (no version is cut).
 */
int lc_semver_parse(const char *s, struct lc_semver *out);
/* <0, 0, >0; a pre-release sorts before its release. */
int lc_semver_cmp(const struct lc_semver *a, const struct lc_semver *b);
/*
 * Whether v satisfies range: comparators separated by blanks, all must
 * hold: >=1.2.0 <2.0.0, =1.2.3, 1.2.3, ^1.2.3, ~1.2.3, 1.x, 1.2.x, *.
 * Pre-releases match only when the range names one. 1 yes, 0 no, -1 when
 * range is malformed (a comparator over 127 bytes or a number of LONG_MAX
 * or more is: nothing is cut).
 */
int lc_semver_in(const struct lc_semver *v, const char *range);

#endif
