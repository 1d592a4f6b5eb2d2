/* cli.h: program name, version and usage helpers, number and duration parsing. */
#ifndef LC_CLI_H
#define LC_CLI_H

extern const char *lc_progname;

/*
 * Set lc_progname from argv[0], decide the CI kind once, and take the
 * verbosity from the CI's debug switches (RUNNER_DEBUG=1,
 * CI_DEBUG_TRACE=true).
 */
void lc_cli_init(const char *argv0);

/* Print "prog (gitops-utils) VERSION" on stdout. */
void lc_cli_version(void);

/*
 * Parse a duration: a bare number is seconds; units ms, s, m, h may be
 * combined ("1m30s"). Returns 0, or LC_EUSAGE with a message set.
 */
int lc_parse_duration(const char *s, long long *ms);

/* Parse a whole decimal number in [min, max]; LC_EUSAGE otherwise. */
int lc_parse_long(const char *s, long min, long max, long *out);

#endif
