/* log.h: diagnostics on stderr with levels and secret redaction. */
#ifndef LC_LOG_H
#define LC_LOG_H

#include <stddef.h>

#include "buf.h"

/* The name every message starts with; lc_cli_init sets it from argv[0]. */
extern const char *lc_log_progname;

enum lc_log_level {
	LC_LOG_ERROR,	/* always shown */
	LC_LOG_WARN,	/* unless -q */
	LC_LOG_INFO,	/* -v: progress */
	LC_LOG_DEBUG	/* -vv: protocol detail */
};

/* Messages above level are dropped; the default is LC_LOG_WARN. */
void lc_log_set_level(enum lc_log_level level);
/* Whether messages of level are shown. */
int lc_log_enabled(enum lc_log_level level);

/*
 * Remember a secret (a token, a password): every later message shows
 * "***" in its place. The string is copied; a value given again is kept
 * once. Values shorter than 4 bytes are not registered, since masking them
 * would garble ordinary text. For secrets the user handed us (a flag, an
 * environment variable, a file): the CI runner is not told.
 */
void lc_log_add_secret(const char *secret);
/*
 * The same, returning 1 the first time it is called for a value, so that
 * lc_ci_add_secret announces each secret the tool obtained once; else 0.
 */
int lc_log_add_announced_secret(const char *secret);

/*
 * Whether to colour what goes to fd: NO_COLOR (non-empty) turns it off,
 * CLICOLOR_FORCE or FORCE_COLOR (non-empty, not "0") on, TERM=dumb off, and
 * otherwise only a terminal gets colour.
 */
int lc_log_color(int fd);

/*
 * Append s to out with secrets masked: registered secrets, the values of
 * Authorization, Proxy-Authorization, PRIVATE-TOKEN and JOB-TOKEN headers,
 * and the password in URL userinfo (https://user:***@host).
 */
void lc_log_redact(struct lc_buf *out, const char *s);
/*
 * Append s with its control characters escaped (\n, \r, \xHH; a tab
 * stays), so that text from a server stays on its line of a log and
 * cannot start a line a CI runner reads as a command. Every log line
 * goes through it.
 */
void lc_log_clean(struct lc_buf *out, const char *s);

/* "prog: message" (error), "prog: warning: message", and so on. */
void lc_log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void lc_log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "prog: message", shown unless -q: what the tool did, not a problem. */
void lc_log_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void lc_log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void lc_log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Each line of text as an error line "prog: prefix: line". */
void lc_log_lines(const char *prefix, const struct lc_buf *text);
/* Write one whole, redacted line "prog: <prefix><msg>" to stderr. */
void lc_log_line(enum lc_log_level level, const char *msg);

#endif
