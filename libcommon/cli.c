/* cli.c: program name, version and usage helpers, number and duration parsing. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "ci.h"
#include "cli.h"
#include "error.h"
#include "log.h"

const char *lc_progname = "gitops-utils";

void
lc_cli_init(const char *argv0)
{
	const char *slash, *v;

	if (argv0 != NULL && *argv0 != '\0') {
		slash = strrchr(argv0, '/');
		lc_progname = slash ? slash + 1 : argv0;
	}
	lc_ci_init();
	if (((v = getenv("RUNNER_DEBUG")) != NULL && strcmp(v, "1") == 0) ||
	    ((v = getenv("CI_DEBUG_TRACE")) != NULL && strcmp(v, "true") == 0))
		lc_log_set_level(LC_LOG_INFO);
}

void
lc_cli_version(void)
{
	printf("%s (gitops-utils) %s\n", lc_progname, VERSION);
}

int
lc_parse_duration(const char *s, long long *ms)
{
	const char *p = s;
	long long total = 0, v, unit;
	char *end;

	if (*p == '\0')
		return lc_error_set(LC_EUSAGE, "empty duration");
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
	return lc_error_set(LC_EUSAGE,
	    "invalid duration '%s' (use e.g. 90, 90s, 5m, 1h30m)", s);
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

long long
lc_clock_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

long long
lc_backoff_ms(int k, long long base, long long cap, int factor)
{
	unsigned long long r = 0;
	long long ceil = base;

	while (k-- > 0 && ceil < cap)
		ceil *= factor;
	if (ceil > cap)
		ceil = cap;
	if (ceil <= 0)
		return 0;
	lc_random(&r, sizeof(r));
	return (long long)(r % (unsigned long long)ceil);
}

void
lc_random(void *p, size_t n)
{
	unsigned char *b = p;
	size_t i;

	if (getrandom(p, n, 0) == (ssize_t)n)
		return;
	for (i = 0; i < n; i++)
		b[i] = (unsigned char)rand();
}

void
lc_sleep_ms(long long ms)
{
	struct timespec ts;

	if (ms <= 0)
		return;
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}
