/* semver_test.c: versions and ranges, and that nothing long is cut. */
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
};

int
main(void)
{
	struct lc_semver a, b;
	char s[400], t[400], r[400];
	size_t i;

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
