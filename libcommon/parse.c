/* parse.c: numbers and durations from options and settings. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "parse.h"

int
lc_parse_duration(const char *s, long long *ms)
{
	return lc_parse_duration_opt(NULL, s, ms);
}

int
lc_parse_duration_opt(const char *opt, const char *s, long long *ms)
{
	const char *p = s;
	long long total = 0, v, unit;
	char *end;

	if (*p == '\0')
		return lc_error_set(LC_EUSAGE, "%s%sempty duration",
		    opt ? opt : "", opt ? ": " : "");
	while (*p) {
		if (*p < '0' || *p > '9')
			goto bad;
		errno = 0;
		v = strtoll(p, &end, 10);
		if (errno != 0)
			goto bad;
		p = end;
		if (strncmp(p, "ms", 2) == 0) {
			unit = 1;
			p += 2;
		} else if (*p == 's' || *p == '\0') {
			unit = 1000;
			p += *p == 's';
		} else if (*p == 'm') {
			unit = 60000;
			p++;
		} else if (*p == 'h') {
			unit = 3600000;
			p++;
		} else
			goto bad;
		if (v > (LLONG_MAX - total) / unit)
			goto bad;
		total += v * unit;
	}
	*ms = total;
	return 0;
bad:
	return lc_error_set(LC_EUSAGE, "%s%sinvalid duration '%s' (use e.g. "
	    "90, 90s, 5m, 1h30m)", opt ? opt : "", opt ? ": " : "", s);
}

void
lc_parse_duration_text(char *out, size_t n, long long ms)
{
	static const struct {
		long long ms;
		const char *unit;
	} units[] = { { 3600000, "h" }, { 60000, "m" }, { 1000, "s" },
	    { 1, "ms" } };
	size_t i, len = 0;
	long long v;
	int w;

	if (n == 0)
		return;
	*out = '\0';
	if (ms <= 0) {
		snprintf(out, n, "0s");
		return;
	}
	for (i = 0; i < sizeof(units) / sizeof(units[0]) && len < n; i++) {
		v = ms / units[i].ms;
		ms %= units[i].ms;
		if (v == 0)
			continue;
		if ((w = snprintf(out + len, n - len, "%lld%s", v,
		    units[i].unit)) < 0)
			return;
		len += (size_t)w;
	}
}

int
lc_parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || v < min || v > max)
		return lc_error_set(LC_EUSAGE,
		    "invalid number '%s' (expected %ld to %ld)", s, min, max);
	*out = v;
	return 0;
}
