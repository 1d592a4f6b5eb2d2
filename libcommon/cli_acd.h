/* cli_acd.h: the acd-* commands' shared options, reports and exit. */
#ifndef LC_CLI_ACD_H
#define LC_CLI_ACD_H

#include <getopt.h>
#include <stddef.h>

#include "acd.h"
#include "acd_wait.h"
#include "cli.h"

/* Option codes shared by the acd-* commands (above any char). */
enum {
	LC_CLI_ACD_SERVER = 256, LC_CLI_ACD_TOKEN, LC_CLI_ACD_TOKEN_FILE,
	LC_CLI_ACD_PLAINTEXT, LC_CLI_ACD_INSECURE, LC_CLI_ACD_GRPC_WEB,
	LC_CLI_ACD_ROOT, LC_CLI_ACD_CLIENT_CRT, LC_CLI_ACD_CLIENT_KEY,
	LC_CLI_ACD_CA_FILE, LC_CLI_ACD_CONFIG, LC_CLI_ACD_CONTEXT,
	LC_CLI_ACD_USERNAME, LC_CLI_ACD_PASSWORD_FILE, LC_CLI_ACD_PROJECT,
	LC_CLI_ACD_TIMEOUT,
	/* How a command waits (lc_cli_acd_parse reads them). */
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

/* What every acd-* command holds: its options, client and targets. */
struct lc_cli_acd {
	struct lc_acd_conf c;
	struct lc_acd_want w;
	enum lc_acd_busy busy;		/* --if-busy */
	int argc;			/* the operands, after the options */
	char **argv;
	long long deadline;		/* from --timeout; 0: none */
	struct lc_acd *acd;
	struct lc_acd_target *t;
	size_t n;
};

/* What a command tells lc_cli_acd_parse() about itself. */
struct lc_cli_acd_cmd {
	const struct option *longopts;	/* LC_CLI_ACD_LONGOPTS and its own */
	/*
	 * The command's own options (the shared and wait options are
	 * applied before): 0, or LC_EUSAGE (message set) for a bad value.
	 */
	int (*option)(int ch, const char *arg, void *ctx);
	void *ctx;
	void (*usage)(int status);	/* prints; exits with status */
	/* "name the apps to VERB, or select them with -l"; NULL: no check */
	const char *verb;
	/* Not NULL: -l on the command line is refused with this message. */
	const char *no_selector;
};

/*
 * The start of an acd-* command: lc_cli_init(argv[0]), the defaults
 * (--timeout 10m), then $ARGOCD_OPTS (split like a shell does; its values
 * are defaults that flags override, and options this command does not
 * know are skipped with a -v note, since the argocd CLI shares it), then
 * argv. -h calls usage(0), -V prints the version and exits 0; a bad
 * option or value is reported and calls usage(2), a bad ARGOCD_OPTS is
 * reported and exits 2. The operands go to x->argc and x->argv.
 */
void lc_cli_acd_parse(struct lc_cli_acd *x, int argc, char *argv[],
    const struct lc_cli_acd_cmd *cmd);
/*
 * The deadline (--timeout), the client (lc_acd_open), and with targets
 * the targets x->argv names or -l selects (lc_acd_wait_targets). Returns 0 or
 * their error.
 */
int lc_cli_acd_open(struct lc_cli_acd *x, int targets);
/*
 * The end: free the targets, the want and the client; return lc_cli_exit(rc)
 * (the pending message reported, stdout closed).
 */
int lc_cli_acd_exit(struct lc_cli_acd *x, int rc);

/*
 * The end of a command: print the targets (one line or object each), and when
 * rc, or else the first target's own rc, is not 0, explain them and set the
 * closing message: the timeout, several (for n > 1), or none (the
 * explanation said it). On success and failure alike, the results go to
 * $GITHUB_OUTPUT, the step summary and the --dotenv file (lc_ci_*); a
 * file that cannot be written makes a success LC_ERROR. Returns that
 * status.
 */
int lc_cli_acd_finish(const struct lc_acd_target *t, size_t n, int rc,
    int json, long long timeout_ms, const char *several);

#endif
