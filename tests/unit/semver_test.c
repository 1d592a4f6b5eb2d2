/* semver_test.c: parsing, ordering and ranges of versions, and that nothing long is cut. */
#include <string.h>

#include "semver.h"
#include "tap.h"

static const struct {
	const char *v, *range;
	int want;
} ranges[] = {
	{ "1.2.3", ">=1.2.0 <2.0.0", 1 },
	{ "2.0.0", ">=1.2.0 <2.0.0", 0 },
	{ "1.2.3", "^1.2.0", 1 },
	{ "1.3.0", "~1.2.0", 0 },
	{ "1.2.9", "1.2.x", 1 },
	{ "1.2.3-rc.1", ">=1.2.3-rc.0", 1 },
	{ "1.2.3-rc.1", ">=1.2.0", 0 },
	{ "1.2.3", "*", 1 },
	{ "1.2.3", "^9223372036854775807.0.0", -1 },
	{ "1.2.3", "~1.9223372036854775807", -1 },
	{ "1.2.3", ">=1.2.99999999999999999999", -1 },
	/* ^: the leftmost non-zero part may not change. */
	{ "1.9.9", "^1.2.3", 1 },
	{ "1.2.2", "^1.2.3", 0 },
	{ "2.0.0", "^1.2.3", 0 },
	{ "0.2.9", "^0.2.3", 1 },
	{ "0.3.0", "^0.2.3", 0 },
	{ "0.0.3", "^0.0.3", 1 },
	{ "0.0.4", "^0.0.3", 0 },
	{ "1.9.0", "^1.2", 1 },
	{ "0.9.0", "^0", 1 },
	{ "1.0.0", "^0", 0 },
	/* ~: patch changes only (minor with one part). */
	{ "1.2.9", "~1.2.3", 1 },
	{ "1.2.2", "~1.2.3", 0 },
	{ "1.2.0", "~1.2", 1 },
	{ "1.3.0", "~1.2", 0 },
	{ "1.9.0", "~1", 1 },
	{ "2.0.0", "~1", 0 },
	/* Partial versions and wildcards. */
	{ "1.0.0", "1.x", 1 },
	{ "1.99.0", "1", 1 },
	{ "2.0.0", "1.x", 0 },
	{ "0.9.9", "1.x", 0 },
	{ "1.3.0", "1.2.x", 0 },
	{ "1.2.7", "=1.2", 1 },
	{ "9.9.9", "x", 1 },
	/* Exact and the inequalities, at their edges. */
	{ "1.2.3", "1.2.3", 1 },
	{ "1.2.4", "=1.2.3", 0 },
	{ "1.2.3", "v1.2.3", 1 },
	{ "1.2.3", ">1.2.3", 0 },
	{ "1.2.4", ">1.2.3", 1 },
	{ "1.2.3", "<=1.2.3", 1 },
	{ "1.2.4", "<=1.2.3", 0 },
	{ "1.2.3", "<1.2.3", 0 },
	{ "1.10.0", ">1.9.0", 1 },
	{ "1.2.3", "  >=1.0.0   <2.0.0  ", 1 },
	/* A pre-release needs a range that names one. */
	{ "1.2.3-rc.1", "<1.2.3", 0 },
	{ "1.2.3-rc.1", "<1.2.3-rc.2", 1 },
	{ "1.2.3-rc.2", "<1.2.3-rc.2", 0 },
	{ "1.2.3", ">=1.2.3-rc.0", 1 },
	/* Malformed ranges. */
	{ "1.2.3", "abc", -1 },
	{ "1.2.3", ">=", -1 },
	{ "1.2.3", "1.2.3.4", -1 },
	{ "1.2.3", ">=1.0.0 junk", -1 },
};

/* Versions that parse, and what they are. */
static const struct {
	const char *s;
	long v0, v1, v2;
	const char *pre;
} valid[] = {
	{ "0.0.0", 0, 0, 0, NULL },
	{ "v1.2.3", 1, 2, 3, NULL },
	{ "10.20.30", 10, 20, 30, NULL },
	{ "1.2.3-rc.1", 1, 2, 3, "rc.1" },
	{ "1.0.0-0.3.7", 1, 0, 0, "0.3.7" },
	{ "1.0.0-x-y-z.--", 1, 0, 0, "x-y-z.--" },
	{ "9223372036854775806.0.0", 9223372036854775806L, 0, 0, NULL },
};

/* And those that do not. */
static const char *const invalid[] = {
	"", "v", "1", "1.2", "1.2.", "1.2.3.4", "01.2.3", "1.02.3", "1.2.03",
	"V1.2.3", "vv1.2.3", " 1.2.3", "1.2.3 ", "-1.2.3", "+1.2.3", "1.-2.3",
	"a.b.c", "1.2.x", "1.2.3+build", "1..3", "1.2.3.",
	"9223372036854775807.0.0",
};

/* Each sorts before the next (the SemVer 2.0.0 example, and more). */
static const char *const order[] = {
	"0.0.1", "0.1.0", "0.9.0", "0.10.0", "1.0.0-0", "1.0.0-1", "1.0.0-2",
	"1.0.0-10", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.2",
	"1.0.0-alpha.10", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
	"1.0.0-beta.11", "1.0.0-rc.1", "1.0.0-rc.1.1", "1.0.0", "1.0.1",
	"1.1.0", "1.9.0", "1.10.0", "2.0.0", "10.0.0",
};

int
main(void)
{
	struct lc_semver a, b;
	char s[400], t[400], r[400];
	size_t i, j;
	int c;

	for (i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		c = lc_semver_parse(valid[i].s, &a);
		ok(c == 0 && a.v[0] == valid[i].v0 && a.v[1] == valid[i].v1 &&
		    a.v[2] == valid[i].v2 && a.has_pre == (valid[i].pre != NULL) &&
		    strcmp(a.pre, valid[i].pre ? valid[i].pre : "") == 0,
		    "'%s' is %ld.%ld.%ld%s%s", valid[i].s, valid[i].v0,
		    valid[i].v1, valid[i].v2, valid[i].pre ? "-" : "",
		    valid[i].pre ? valid[i].pre : "");
	}
	for (i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++)
		ok(lc_semver_parse(invalid[i], &a) == -1, "'%s' is no version",
		    invalid[i]);
	/* Every pair of the chain, both ways, and each equal to itself. */
	for (i = 0, c = 1; i < sizeof(order) / sizeof(order[0]); i++)
		for (j = 0; j < sizeof(order) / sizeof(order[0]); j++) {
			int want = i < j ? -1 : i > j, got;

			if (lc_semver_parse(order[i], &a) != 0 ||
			    lc_semver_parse(order[j], &b) != 0) {
				ok(0, "parse '%s' and '%s'", order[i], order[j]);
				continue;
			}
			got = lc_semver_cmp(&a, &b);
			got = got < 0 ? -1 : got > 0;
			if (got != want) {
				printf("# cmp('%s', '%s') is %d, want %d\n",
				    order[i], order[j], got, want);
				c = 0;
			}
		}
	ok(c, "the order of %zu versions holds between every pair",
	    sizeof(order) / sizeof(order[0]));
	ok(lc_semver_parse("v1.2.3", &a) == 0 && lc_semver_parse("1.2.3", &b) ==
	    0 && lc_semver_cmp(&a, &b) == 0, "a leading v changes nothing");

	for (i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
		ok(lc_semver_parse(ranges[i].v, &a) == 0, "parse '%s'",
		    ranges[i].v);
		ok(lc_semver_in(&a, ranges[i].range) == ranges[i].want,
		    "'%s' in '%s' is %d", ranges[i].v, ranges[i].range,
		    ranges[i].want);
	}
	ok(lc_semver_parse("v1.2.3-beta.2", &a) == 0 &&
	    lc_semver_parse("1.2.3-beta.10", &b) == 0 &&
	    lc_semver_cmp(&a, &b) < 0, "numeric pre-release parts compare "
	    "as numbers");
	ok(lc_semver_parse("1.2.99999999999999999999", &a) == -1,
	    "a number past LONG_MAX is not a version");
	/* 127 bytes of pre-release fit; 128 would be cut, so it is refused. */
	memset(s, 'a', sizeof(s));
	memcpy(s, "1.0.0-", 6);
	s[6 + 127] = '\0';
	ok(lc_semver_parse(s, &a) == 0 && strlen(a.pre) == 127,
	    "a 127-byte pre-release is kept whole");
	memcpy(t, s, sizeof(t));
	s[6 + 127] = 'a';
	s[6 + 150] = '\0';
	t[6 + 127] = 'a';
	t[6 + 149] = 'b';
	t[6 + 150] = '\0';
	ok(lc_semver_parse(s, &a) == -1 && lc_semver_parse(t, &b) == -1,
	    "longer pre-releases are refused, not cut to compare equal");
	/* A range comparator longer than 127 bytes is malformed, not cut. */
	lc_semver_parse("1.0.0-aaa", &a);
	memset(r, 'a', sizeof(r));
	memcpy(r, ">=1.0.0-", 8);
	r[200] = '\0';
	ok(lc_semver_in(&a, r) == -1, "a 200-byte comparator is malformed");
	return done_testing();
}
