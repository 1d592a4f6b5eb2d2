/* parse.h: numbers and durations from options and settings. */
#ifndef LC_PARSE_H
#define LC_PARSE_H

#include <stddef.h>

/*
 * Parse a duration: a bare number is seconds; units ms, s, m, h may be
 * combined ("1m30s"). Returns 0, or LC_EUSAGE with a message set.
 */
int lc_parse_duration(const char *s, long long *ms);
/* The same, its message naming the option: "--timeout: invalid ...". */
int lc_parse_duration_opt(const char *opt, const char *s, long long *ms);
/*
 * ms (>= 0) as a duration lc_parse_duration reads back, normalised, for
 * messages: "0s", "250ms", "3s", "1m30s", "10m", "1h5s", "1s500ms".
 * out has n bytes (32 hold any); it is cut short, NUL-ended, when fewer.
 */
void lc_parse_duration_text(char *out, size_t n, long long ms);

/* Parse a whole decimal number in [min, max]; LC_EUSAGE otherwise. */
int lc_parse_long(const char *s, long min, long max, long *out);

#endif
