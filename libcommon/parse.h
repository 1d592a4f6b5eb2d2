/* parse.h: numbers and durations from options and settings. */
#ifndef LC_PARSE_H
#define LC_PARSE_H

/*
 * Parse a duration: a bare number is seconds; units ms, s, m, h may be
 * combined ("1m30s"). Returns 0, or LC_EUSAGE with a message set.
 */
int lc_parse_duration(const char *s, long long *ms);
/* The same, its message naming the option: "--timeout: invalid ...". */
int lc_parse_duration_opt(const char *opt, const char *s, long long *ms);

/* Parse a whole decimal number in [min, max]; LC_EUSAGE otherwise. */
int lc_parse_long(const char *s, long min, long max, long *out);

#endif
