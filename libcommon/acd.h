/* acd.h: Argo CD REST client over http + libjq: discovery, calls, waiting. */
#ifndef LC_ACD_H
#define LC_ACD_H

#include <getopt.h>

#include <jv.h>

#include "buf.h"
#include "jvutil.h"

/* Where the server and credentials come from (spec section 7). */
struct lc_acd_conf {
	const char *server;		/* host[:port], or a URL */
	const char *token;
	const char *token_file;
	int plaintext, insecure;
	const char *root_path;		/* --grpc-web-root-path: URL prefix */
	const char *ca_file, *client_crt, *client_key;
	const char *headers[32];
	size_t nheaders;
	const char *config;		/* --config FILE */
	const char *context;		/* --argocd-context NAME */
	const char *username, *password_file;
	const char *app_namespace;	/* -N */
	const char *projects[16];	/* --project, repeatable */
	size_t nprojects;
	const char *selector;		/* -l */
	long long timeout_ms;		/* --timeout; 0: none */
	int json;			/* -o json */
	const char *dotenv;		/* --dotenv FILE: ACD_* lines */
};

/* Option codes shared by the acd-* commands (above any char). */
enum {
	LC_ACD_OPT_SERVER = 256, LC_ACD_OPT_TOKEN, LC_ACD_OPT_TOKEN_FILE,
	LC_ACD_OPT_PLAINTEXT, LC_ACD_OPT_INSECURE, LC_ACD_OPT_GRPC_WEB,
	LC_ACD_OPT_ROOT, LC_ACD_OPT_CLIENT_CRT, LC_ACD_OPT_CLIENT_KEY,
	LC_ACD_OPT_CA_FILE, LC_ACD_OPT_CONFIG, LC_ACD_OPT_CONTEXT,
	LC_ACD_OPT_USERNAME, LC_ACD_OPT_PASSWORD_FILE, LC_ACD_OPT_PROJECT,
	LC_ACD_OPT_TIMEOUT,
	/* How a command waits: lc_acd_wait_option(). */
	LC_ACD_OPT_HEALTH, LC_ACD_OPT_GRACE, LC_ACD_OPT_POLL, LC_ACD_OPT_IF_BUSY,
	LC_ACD_OPT_PROGRESS,
	LC_ACD_OPT_REPO_DIR,
	LC_ACD_OPT_DOTENV,
	LC_ACD_OPT_LAST
};

/* The shared entries of a command's longopts[]. */
#define LC_ACD_LONGOPTS \
	{ "app-namespace", required_argument, NULL, 'N' }, \
	{ "argocd-context", required_argument, NULL, LC_ACD_OPT_CONTEXT }, \
	{ "auth-token", required_argument, NULL, LC_ACD_OPT_TOKEN }, \
	{ "auth-token-file", required_argument, NULL, LC_ACD_OPT_TOKEN_FILE }, \
	{ "ca-file", required_argument, NULL, LC_ACD_OPT_CA_FILE }, \
	{ "client-crt", required_argument, NULL, LC_ACD_OPT_CLIENT_CRT }, \
	{ "client-crt-key", required_argument, NULL, LC_ACD_OPT_CLIENT_KEY }, \
	{ "config", required_argument, NULL, LC_ACD_OPT_CONFIG }, \
	{ "dotenv", required_argument, NULL, LC_ACD_OPT_DOTENV }, \
	{ "grpc-web", no_argument, NULL, LC_ACD_OPT_GRPC_WEB }, \
	{ "grpc-web-root-path", required_argument, NULL, LC_ACD_OPT_ROOT }, \
	{ "header", required_argument, NULL, 'H' }, \
	{ "help", no_argument, NULL, 'h' }, \
	{ "insecure", no_argument, NULL, LC_ACD_OPT_INSECURE }, \
	{ "output", required_argument, NULL, 'o' }, \
	{ "password-file", required_argument, NULL, LC_ACD_OPT_PASSWORD_FILE }, \
	{ "plaintext", no_argument, NULL, LC_ACD_OPT_PLAINTEXT }, \
	{ "project", required_argument, NULL, LC_ACD_OPT_PROJECT }, \
	{ "quiet", no_argument, NULL, 'q' }, \
	{ "selector", required_argument, NULL, 'l' }, \
	{ "server", required_argument, NULL, LC_ACD_OPT_SERVER }, \
	{ "server-crt", required_argument, NULL, LC_ACD_OPT_CA_FILE }, \
	{ "timeout", required_argument, NULL, LC_ACD_OPT_TIMEOUT }, \
	{ "username", required_argument, NULL, LC_ACD_OPT_USERNAME }, \
	{ "verbose", no_argument, NULL, 'v' }, \
	{ "version", no_argument, NULL, 'V' }

/* The shared short options, for getopt's optstring. */
#define LC_ACD_SHORTOPTS "hH:l:N:o:qvV"

/*
 * Apply one shared option. Returns 1 when ch was one, 0 when it is the
 * command's own, LC_EUSAGE (message set) for a bad value. -h and -V are
 * left to the command.
 */
int lc_acd_option(struct lc_acd_conf *c, int ch, const char *arg);

/* What to do when an operation is already running. */
enum lc_acd_busy { LC_ACD_BUSY_WAIT, LC_ACD_BUSY_FAIL, LC_ACD_BUSY_TERMINATE };

struct lc_acd_want;

/*
 * Apply --health, --degraded-grace, --poll-interval, --if-busy (busy may
 * be NULL for commands without it), --progress-interval or --repo-dir
 * (which must be a git repository with full history). Returns 1 when ch
 * was one of them, 0 otherwise, LC_EUSAGE (message set) for a bad value.
 */
int lc_acd_wait_option(struct lc_acd_want *w, enum lc_acd_busy *busy, int ch,
    const char *arg);

/*
 * Run getopt_long over $ARGOCD_OPTS (split like a shell does) before the
 * command line, so that its values are defaults that flags override; fn
 * gets each option as for the command line. Options this command does not
 * know are skipped with a -v note: ARGOCD_OPTS is shared with the argocd
 * CLI. Returns 0 or the first error fn returns.
 */
int lc_acd_env_opts(const char *shortopts, const struct option *longopts,
    int (*fn)(int ch, const char *arg, void *ctx), void *ctx);

/*
 * A command's options: $ARGOCD_OPTS through env_fn (lc_acd_env_opts), then
 * argv through cli_fn. -h calls usage(0), -V prints the version and exits,
 * an unknown option or one cli_fn refuses reports its message and calls
 * usage(2). Returns optind, or -1 (reported) when ARGOCD_OPTS is wrong.
 */
int lc_acd_args(int argc, char *argv[], const char *shortopts,
    const struct option *longopts,
    int (*env_fn)(int ch, const char *arg, void *ctx),
    int (*cli_fn)(int ch, const char *arg, void *ctx), void *ctx,
    void (*usage)(int status));
/*
 * The apps are named (napps > 0) or selected with -l, one of the two:
 * otherwise report it ("name the apps to VERB, or select them with -l")
 * and call usage(2).
 */
void lc_acd_need_apps(int napps, const struct lc_acd_conf *c,
    const char *verb, void (*usage)(int status));

/* An application as the user named it: [NAMESPACE/]NAME. */
struct lc_acd_app {
	char *name;
	char *ns;		/* NULL: the server's own namespace */
};

void lc_acd_app_parse(struct lc_acd_app *a, const char *arg,
    const char *default_ns);
void lc_acd_app_free(struct lc_acd_app *a);

struct lc_acd;

/*
 * Resolve the server, TLS and token (flags, ARGOCD_OPTS, ARGOCD_SERVER /
 * ARGOCD_AUTH_TOKEN, then the argocd CLI's config file), log in when a
 * username and password are given instead of a token, and return a client.
 */
int lc_acd_open(struct lc_acd **out, const struct lc_acd_conf *c,
    long long deadline);
void lc_acd_close(struct lc_acd *acd);

/* The base URL (scheme://host[:port][/root]). */
const char *lc_acd_base(const struct lc_acd *acd);
/* The HTTP client (with the token) the calls go through. */
struct lc_http *lc_acd_http(struct lc_acd *acd);
/* Append "?key=value" or "&key=value" (escaped) to u; no-op for NULL/"". */
void lc_acd_query(struct lc_buf *u, const char *key, const char *val);

/*
 * GET the application into *app. refresh is NULL, "normal" or "hard"
 * (then the call blocks until the controller has reconciled, bounded by
 * deadline through Grpc-Timeout and our own timeout).
 */
int lc_acd_get(struct lc_acd *acd, const struct lc_acd_app *a,
    const char *refresh, long long deadline, jv *app);
/* List applications (by selector and the conf's projects) into *items. */
int lc_acd_list(struct lc_acd *acd, const char *selector, const char *ns,
    long long deadline, jv *items);
/*
 * POST /api/v1/applications/NAME/ACTION (sync, rollback) with body (a
 * JSON object, consumed; appNamespace and project are added). *app gets
 * the answer when app is not NULL.
 */
int lc_acd_post(struct lc_acd *acd, const struct lc_acd_app *a,
    const char *action, jv body, long long deadline, jv *app);
/* DELETE .../operation: terminate the running operation. */
int lc_acd_terminate(struct lc_acd *acd, const struct lc_acd_app *a,
    long long deadline);

/* --- waiting -------------------------------------------------------- */

enum {
	LC_ACD_W_SYNC = 1,		/* sync.status Synced */
	LC_ACD_W_HEALTH = 2,		/* health Healthy (or accepted below) */
	LC_ACD_W_OPERATION = 4,		/* no operation, the last one Succeeded */
	LC_ACD_W_SUSPENDED = 8,		/* Suspended counts as healthy */
	LC_ACD_W_DEGRADED = 16,		/* Degraded counts as healthy */
	LC_ACD_W_IDLE = 32		/* only: no operation pending */
};

struct lc_acd_want {
	unsigned flags;
	const char *revision;		/* sync.revision starts with it, or later */
	long long degraded_grace_ms;	/* Degraded this long after the op: fail */
	const char *until;		/* jq program; truthy output = done */
	long long poll_ms;		/* safety-net GET interval (default 30 s) */
	const char *selector;		/* the targets came from this selector */
	long long progress_ms;		/* heartbeat: 0 the default 30 s, <0 none */
	/*
	 * GROUP:KIND:[NS/]NAME patterns (globs; "!" excludes, the last that
	 * matches wins): judge these status.resources[], not the app's
	 * sync and health. Borrowed; lc_acd_want_resource() grows it.
	 */
	const char **resources;
	size_t nresources;
	const char *repo_dir;		/* --repo-dir: later commits of revision */
};

/*
 * Add a --resource pattern to w (borrowed: it must outlive w). LC_EUSAGE
 * (message set) when it is not GROUP:KIND:[NS/]NAME.
 */
int lc_acd_want_resource(struct lc_acd_want *w, const char *pattern);
/* Free what lc_acd_want_resource() allocated. */
void lc_acd_want_release(struct lc_acd_want *w);

/* One application being waited on, and how it ended. */
struct lc_acd_target {
	struct lc_acd_app app;
	const char *op_id;		/* our operation's acd-op-id, or NULL */
	const char *op_rev;		/* else: ours syncs this revision, by hand */
	int dry_run;			/* our operation is a dry run */
	int partial;			/* our sync named --resource(s) */
	/* filled in by lc_acd_wait */
	jv last;			/* the newest snapshot (or invalid) */
	int rc;				/* 0, or an LC_E* code */
	char *why;			/* what went wrong, when rc != 0 */
	int done;
	/* our operation, recorded when it completed */
	char *op_phase, *op_message;
	jv op_state;
	/* internal bookkeeping */
	int op_seen, op_over, refresh_asked;
	char *rec_at_done;
	long long degraded_since;
	char *shown;			/* the last progress line shown */
	/* the newest operation after ours, once it ended (not ours) */
	char *other_fin, *other_rec;	/* its finishedAt; reconciledAt then */
	char *other_why;		/* it did not succeed: what it said */
	int other_refresh;
	char *rev_why;			/* why the revision is not the wanted one */
	/*
	 * a rollback: the history entry it deploys (rollback_rev NULL: not
	 * a rollback; "" and id -1: none picked yet)
	 */
	long rollback_id;
	const char *rollback_rev;
};

/*
 * Wait for every target at once under one deadline: a GET each (or one
 * List by selector), then one shared watch stream, reconnected with the
 * last resourceVersion when it drops, and a slow GET poll as a safety
 * net. A target is judged only when settled (no operation pending,
 * finishedAt set, reconciledAt >= finishedAt: spec section 10). Progress
 * goes to stderr: a live table on a terminal, a line per change elsewhere.
 * Returns 0 when every target reached the wanted state; otherwise the most
 * telling LC_E* of the targets (each target's rc and why say its own).
 */
int lc_acd_wait(struct lc_acd *acd, struct lc_acd_target *t, size_t n,
    const struct lc_acd_want *w, long long deadline);


/*
 * Make sure no operation runs on the targets whose snapshot has one:
 * wait for it to end, terminate it first, or finish the target with
 * LC_ECONFLICT, by policy. Snapshots are refreshed. Returns 0, or an
 * error that ends every target: auth, or LC_ECONFLICT when the deadline
 * passes while another operation still runs (nothing of ours started, so
 * it is not a timeout of ours).
 */
int lc_acd_when_idle(struct lc_acd *acd, struct lc_acd_target *t, size_t n,
    enum lc_acd_busy policy, long long deadline);

/* A fresh operation tag: a random UUID in out[37]. */
void lc_acd_op_id(char out[37]);

/* Milliseconds as a duration ("90s", "10m", "250ms"), for messages. */
void lc_acd_fmt_ms(char *out, size_t n, long long ms);

/*
 * The targets: the apps named in argv ([NAMESPACE/]NAME), or, with the
 * conf's selector, every app one List returns (LC_ENOTFOUND for none),
 * with that List's snapshot. Free each with lc_acd_target_free, then *out.
 */
int lc_acd_targets(struct lc_acd *acd, const struct lc_acd_conf *c,
    char **argv, int argc, long long deadline, struct lc_acd_target **out,
    size_t *n);

/*
 * stdout: "APP SYNC HEALTH REVISION" lines, or one JSON object per app. A
 * rollback adds the revision it deployed ("-" when it has not: it failed,
 * or was a dry run or --async): "APP SYNC HEALTH REVISION DEPLOYED", and
 * history_id and deployed_revision (or null) in JSON.
 */
void lc_acd_print(const struct lc_acd_target *t, size_t n, int json);
/*
 * stderr: why each failed target failed (phase, resources, conditions);
 * on GitHub Actions also one ::error annotation per target with it all.
 */
void lc_acd_explain(const struct lc_acd_target *t, size_t n);
/*
 * The end of a command: print the targets (lc_acd_print), and when rc, or
 * else the first target's own rc, is not 0, explain them and set the
 * closing message: the timeout, several (for n > 1), or none (the
 * explanation said it). On success and failure alike, the results go to
 * $GITHUB_OUTPUT, the step summary and the --dotenv file (lc_ci_*); a
 * file that cannot be written makes a success LC_ERROR. Returns that
 * status.
 */
int lc_acd_finish(const struct lc_acd_target *t, size_t n, int rc, int json,
    long long timeout_ms, const char *several);
void lc_acd_target_init(struct lc_acd_target *t);
void lc_acd_target_free(struct lc_acd_target *t);

/*
 * GET /api/v1/applications/NAME/managed-resources: the app's resources as
 * the controller last compared them, *items an array of ResourceDiff
 * ({group, kind, namespace, name, liveState, targetState,
 * normalizedLiveState, predictedLiveState, hook, modified}; the states
 * are JSON text). Errors as for lc_acd_get.
 */
int lc_acd_managed(struct lc_acd *acd, const struct lc_acd_app *a,
    long long deadline, jv *items);

#endif
