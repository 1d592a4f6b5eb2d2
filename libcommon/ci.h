/* ci.h: where we run (GitHub Actions, GitLab CI, a terminal) and how to fit in. */
#ifndef LC_CI_H
#define LC_CI_H

#include "buf.h"

enum lc_ci_kind {
	LC_CI_NONE,
	LC_CI_GITHUB,
	LC_CI_GITLAB,
	LC_CI_GENERIC
};

/*
 * Decide once, at start-up, from TOOLKIT_CI (github|gitlab|none, for
 * tests), GITHUB_ACTIONS, GITLAB_CI and CI, in that order.
 */
void lc_ci_init(void);
enum lc_ci_kind lc_ci_kind(void);

/*
 * Report a fatal error: "prog: msg" on stderr, and on GitHub Actions also
 * an ::error annotation pointing at file:line:col when file is not NULL.
 */
void lc_ci_error(const char *file, long line, long col, const char *msg);

/*
 * On GitHub Actions only, the ::error annotation of lc_ci_error without
 * the stderr line: msg may have several lines (they stay one annotation).
 */
void lc_ci_annotate(const char *file, long line, long col, const char *msg);

/*
 * On GitHub Actions, ask the runner to hide secret in later log lines.
 * The line holds the raw value: call it only for what no runner can know
 * (lc_ci_add_secret does).
 */
void lc_ci_mask(const char *secret);

/*
 * lc_log_add_secret for a secret the tool obtained itself (a session token
 * from a login, a token it exchanged), which no CI runner can know: on
 * GitHub Actions, it is also announced with ::add-mask::, once per value.
 */
void lc_ci_add_secret(const char *secret);

/*
 * Append "key=value" to the file $GITHUB_OUTPUT names, when it is set,
 * with one write() (the heredoc form for a value with newlines). Returns 0
 * or LC_ERROR.
 */
int lc_ci_output(const char *key, const char *value);

/*
 * On GitHub Actions, append Markdown to the file $GITHUB_STEP_SUMMARY
 * names, when it is set, with one write(). Returns 0 or LC_ERROR.
 */
int lc_ci_summary(const char *markdown);

/*
 * The GitLab dotenv report file (--dotenv FILE) of this run, or NULL; and
 * appending "KEY=value" lines to it, with one write() (nothing without a
 * file). Values must be single lines. Returns 0 or LC_ERROR.
 */
void lc_ci_set_dotenv(const char *path);
int lc_ci_dotenv(const char *lines);

/*
 * The URL of this CI run into out (GitHub: .../actions/runs/ID/attempts/N,
 * GitLab: $CI_JOB_URL); returns 0 when there is none.
 */
int lc_ci_run_url(struct lc_buf *out);

#endif
