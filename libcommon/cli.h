/* cli.h: program name, version and usage helpers, number and duration parsing. */
#ifndef LC_CLI_H
#define LC_CLI_H

#include <stddef.h>

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
/* The same, its message naming the option: "--timeout: invalid ...". */
int lc_parse_duration_opt(const char *opt, const char *s, long long *ms);

/* Milliseconds on the monotonic clock (for deadlines, not dates). */
long long lc_clock_ms(void);
/* Sleep ms milliseconds (all of them, through signals); <= 0: none. */
void lc_sleep_ms(long long ms);

/*
 * Full-jitter backoff after the k-th failure (k from 0): milliseconds
 * uniform in [0, min(cap, base * factor^k)), from getrandom(), not from
 * the clock or pid (CI jobs start together).
 */
long long lc_backoff_ms(int k, long long base, long long cap, int factor);

/* Certificate authorities to trust, and where each setting came from. */
struct lc_ca {
	const char *file, *file_from;	/* a PEM bundle; "--ca-file" or a variable */
	const char *dir, *dir_from;	/* a hashed directory (openssl rehash) */
};

/*
 * The CAs the environment names, for a client given no --ca-file, as curl
 * and git read them: the bundle from CURL_CA_BUNDLE, else SSL_CERT_FILE
 * (for git, GIT_SSL_CAINFO before both); the directory from SSL_CERT_DIR
 * (for git, GIT_SSL_CAPATH before it). NULL where unset or empty.
 */
void lc_ca_env(int git, struct lc_ca *ca);

/*
 * Whether ca's bundle is a readable file and its directory a readable
 * directory: 0, or LC_EUSAGE with a message naming the setting.
 */
int lc_ca_check(const struct lc_ca *ca);

/* Fill p with n random bytes (getrandom, else rand). */
void lc_random(void *p, size_t n);

struct lc_buf;
/*
 * Run argv (no shell) with in[0..n) on its standard input and its standard
 * output into out; its standard error into err, or to ours when err is
 * NULL. timeout_ms > 0 kills it after that long. Returns 0 when it exited
 * 0, else LC_ERROR with "argv[0] failed (exit N)" or why it did not run.
 */
int lc_run(char *const argv[], const void *in, size_t n, struct lc_buf *out,
    struct lc_buf *err, long long timeout_ms);
/* Parse a whole decimal number in [min, max]; LC_EUSAGE otherwise. */
int lc_parse_long(const char *s, long min, long max, long *out);

#endif
