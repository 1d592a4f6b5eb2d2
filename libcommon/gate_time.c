/* gate_time.c: the instants of metric-gate: --at as RFC 3339 or Unix seconds, and back. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "error.h"
#include "gate.h"

/* n digits of s as a number into *v; 0, or -1 when they are not digits. */
static int
digits(const char *s, int n, int *v)
{
	int i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

static int
rfc3339(const char *s, double *out)
{
	struct tm tm, chk;
	int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;
	double frac = 0, scale = 0.1;
	time_t t;

	if (strlen(s) < 20 || digits(s, 4, &y) || s[4] != '-' ||
	    digits(s + 5, 2, &mo) || s[7] != '-' || digits(s + 8, 2, &d) ||
	    (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
	    digits(s + 11, 2, &h) || s[13] != ':' || digits(s + 14, 2, &mi) ||
	    s[16] != ':' || digits(s + 17, 2, &sec))
		return -1;
	s += 19;
	if (*s == '.') {
		if (s[1] < '0' || s[1] > '9')
			return -1;
		for (s++; *s >= '0' && *s <= '9'; s++, scale /= 10)
			frac += (*s - '0') * scale;
	}
	if ((*s == 'Z' || *s == 'z') && s[1] == '\0')
		;
	else if ((*s == '+' || *s == '-') && strlen(s) == 6 &&
	    digits(s + 1, 2, &oh) == 0 && s[3] == ':' &&
	    digits(s + 4, 2, &om) == 0 && oh < 24 && om < 60)
		sign = *s == '+' ? 1 : -1;
	else
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    sec > 59)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	if ((t = timegm(&tm)) == (time_t)-1 && y != 1969)
		return -1;
	if (gmtime_r(&t, &chk) == NULL || chk.tm_mday != d)
		return -1;	/* February 30 */
	*out = (double)t + frac - sign * (oh * 3600.0 + om * 60.0);
	return 0;
}

int
lc_gate_time_parse(const char *opt, const char *s, double *out)
{
	char *end;
	double v;
	size_t i;

	for (i = 0; s[i] && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.');
	    i++)
		;
	if (i > 0 && s[i] == '\0' && s[0] != '.') {
		v = strtod(s, &end);
		if (*end == '\0' && isfinite(v) && v < 253402300800.0) {
			*out = v;
			return 0;
		}
	} else if (rfc3339(s, out) == 0 && *out >= 0)
		return 0;
	return lc_error_set(LC_EUSAGE, "%s %s: give an RFC 3339 time "
	    "(2026-12-06T21:30:00Z) or Unix seconds", opt, s);
}

void
lc_gate_time_text(struct lc_buf *out, double t)
{
	struct tm tm;
	time_t s;
	long ms;
	char b[32];

	if (!isfinite(t)) {
		lc_buf_adds(out, "-");
		return;
	}
	s = (time_t)floor(t);
	ms = lround((t - floor(t)) * 1000);
	if (ms >= 1000) {
		s++;
		ms -= 1000;
	}
	if (gmtime_r(&s, &tm) == NULL ||
	    strftime(b, sizeof(b), "%Y-%m-%dT%H:%M:%S", &tm) == 0) {
		lc_buf_adds(out, "-");
		return;
	}
	lc_buf_adds(out, b);
	if (ms)
		lc_buf_printf(out, ".%03ld", ms);
	lc_buf_addc(out, 'Z');
}
