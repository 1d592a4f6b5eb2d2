/* cli_acd.h: the acd-* commands' shared options, reports and exit. */
#ifndef LC_CLI_ACD_H
#define LC_CLI_ACD_H

#include <getopt.h>
#include <stddef.h>

#include "acd.h"
#include "acd_wait.h"

/* Option codes shared by the acd-* commands (above any char). */
enum {
	LC_CLI_ACD_SERVER = 256, LC_CLI_ACD_TOKEN, LC_CLI_ACD_TOKEN_FILE,
	LC_CLI_ACD_PLAINTEXT, LC_CLI_ACD_INSECURE, LC_CLI_ACD_GRPC_WEB,
	LC_CLI_ACD_ROOT, LC_CLI_ACD_CLIENT_CRT, LC_CLI_ACD_CLIENT_KEY,
	LC_CLI_ACD_CA_FILE, LC_CLI_ACD_CONFIG, LC_CLI_ACD_CONTEXT,
	LC_CLI_ACD_USERNAME, LC_CLI_ACD_PASSWORD_FILE, LC_CLI_ACD_PROJECT,
	LC_CLI_ACD_TIMEOUT,
	/* How a command waits: lc_cli_acd_wait_option(). */
	LC_CLI_ACD_HEALTH, LC_CLI_ACD_GRACE, LC_CLI_ACD_POLL, LC_CLI_ACD_IF_BUSY,
	LC_CLI_ACD_PROGRESS,
	LC_CLI_ACD_REPO_DIR,
	LC_CLI_ACD_DOTENV,
	LC_CLI_ACD_LAST
};

/* The shared entries of a command's longopts[]. */
#define LC_CLI_ACD_LONGOPTS \
	{ "app-namespace", required_argument, NULL, 'N' }, \
	{ "argocd-context", required_argument, NULL, LC_CLI_ACD_CONTEXT }, \
	{ "auth-token", required_argument, NULL, LC_CLI_ACD_TOKEN }, \
	{ "auth-token-file", required_argument, NULL, LC_CLI_ACD_TOKEN_FILE }, \
	{ "ca-file", required_argument, NULL, LC_CLI_ACD_CA_FILE }, \
	{ "client-crt", required_argument, NULL, LC_CLI_ACD_CLIENT_CRT }, \
	{ "client-crt-key", required_argument, NULL, LC_CLI_ACD_CLIENT_KEY }, \
	{ "config", required_argument, NULL, LC_CLI_ACD_CONFIG }, \
	{ "dotenv", required_argument, NULL, LC_CLI_ACD_DOTENV }, \
	{ "grpc-web", no_argument, NULL, LC_CLI_ACD_GRPC_WEB }, \
	{ "grpc-web-root-path", required_argument, NULL, LC_CLI_ACD_ROOT }, \
	{ "header", required_argument, NULL, 'H' }, \
	{ "help", no_argument, NULL, 'h' }, \
	{ "insecure", no_argument, NULL, LC_CLI_ACD_INSECURE }, \
	{ "output", required_argument, NULL, 'o' }, \
	{ "password-file", required_argument, NULL, LC_CLI_ACD_PASSWORD_FILE }, \
	{ "plaintext", no_argument, NULL, LC_CLI_ACD_PLAINTEXT }, \
	{ "project", required_argument, NULL, LC_CLI_ACD_PROJECT }, \
	{ "quiet", no_argument, NULL, 'q' }, \
	{ "selector", required_argument, NULL, 'l' }, \
	{ "server", required_argument, NULL, LC_CLI_ACD_SERVER }, \
	{ "server-crt", required_argument, NULL, LC_CLI_ACD_CA_FILE }, \
	{ "timeout", required_argument, NULL, LC_CLI_ACD_TIMEOUT }, \
	{ "username", required_argument, NULL, LC_CLI_ACD_USERNAME }, \
	{ "verbose", no_argument, NULL, 'v' }, \
	{ "version", no_argument, NULL, 'V' }

/* The shared short options, for getopt's optstring. */
#define LC_CLI_ACD_SHORTOPTS "hH:l:N:o:qvV"

/*
 * Apply one shared option. Returns 1 when ch was one, 0 when it is the
 * command's own, LC_EUSAGE (message set) for a bad value. -h and -V are
 * left to the command.
 */
int lc_cli_acd_option(struct lc_acd_conf *c, int ch, const char *arg);

/*
 * Apply --health, --degraded-grace, --poll-interval, --if-busy (busy may
 * be NULL for commands without it), --progress-interval or --repo-dir
 * (which must be a git repository with full history). Returns 1 when ch
 * was one of them, 0 otherwise, LC_EUSAGE (message set) for a bad value.
 */
int lc_cli_acd_wait_option(struct lc_acd_want *w, enum lc_acd_busy *busy,
    int ch, const char *arg);

/*
 * Run getopt_long over $ARGOCD_OPTS (split like a shell does) before the
 * command line, so that its values are defaults that flags override; fn
 * gets each option as for the command line. Options this command does not
 * know are skipped with a -v note: ARGOCD_OPTS is shared with the argocd
 * CLI. Returns 0 or the first error fn returns.
 */
int lc_cli_acd_env_opts(const char *shortopts, const struct option *longopts,
    int (*fn)(int ch, const char *arg, void *ctx), void *ctx);

/*
 * A command's options: $ARGOCD_OPTS through env_fn (lc_cli_acd_env_opts), then
 * argv through cli_fn. -h calls usage(0), -V prints the version and exits,
 * an unknown option or one cli_fn refuses reports its message and calls
 * usage(2). Returns optind, or -1 (reported) when ARGOCD_OPTS is wrong.
 */
int lc_cli_acd_args(int argc, char *argv[], const char *shortopts,
    const struct option *longopts,
    int (*env_fn)(int ch, const char *arg, void *ctx),
    int (*cli_fn)(int ch, const char *arg, void *ctx), void *ctx,
    void (*usage)(int status));
/*
 * The apps are named (napps > 0) or selected with -l, one of the two:
 * otherwise report it ("name the apps to VERB, or select them with -l")
 * and call usage(2).
 */
void lc_cli_acd_need_apps(int napps, const struct lc_acd_conf *c,
    const char *verb, void (*usage)(int status));

/*
 * stdout: "APP SYNC HEALTH REVISION" lines, or one JSON object per app. A
 * rollback adds the revision it deployed ("-" when it has not: it failed,
 * or was a dry run or --async): "APP SYNC HEALTH REVISION DEPLOYED", and
 * history_id and deployed_revision (or null) in JSON.
 */
void lc_cli_acd_print(const struct lc_acd_target *t, size_t n, int json);
/*
 * stderr: why each failed target failed (phase, resources, conditions);
 * on GitHub Actions also one ::error annotation per target with it all.
 */
void lc_cli_acd_explain(const struct lc_acd_target *t, size_t n);
/*
 * The end of a command: print the targets (lc_cli_acd_print), and when rc, or
 * else the first target's own rc, is not 0, explain them and set the
 * closing message: the timeout, several (for n > 1), or none (the
 * explanation said it). On success and failure alike, the results go to
 * $GITHUB_OUTPUT, the step summary and the --dotenv file (lc_ci_*); a
 * file that cannot be written makes a success LC_ERROR. Returns that
 * status.
 */
int lc_cli_acd_finish(const struct lc_acd_target *t, size_t n, int rc, int json,
    long long timeout_ms, const char *several);

#endif
