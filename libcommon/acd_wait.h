/* acd_wait.h: wait for Argo CD applications to reach a wanted state. */
#ifndef LC_ACD_WAIT_H
#define LC_ACD_WAIT_H

#include <stddef.h>

#include <jv.h>

#include "acd.h"

/* What to do when an operation is already running. */
enum lc_acd_busy { LC_ACD_BUSY_WAIT, LC_ACD_BUSY_FAIL, LC_ACD_BUSY_TERMINATE };

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
	 * sync and health. Borrowed; lc_acd_wait_want_resource() grows it.
	 */
	const char **resources;
	size_t nresources;
	const char *repo_dir;		/* --repo-dir: later commits of revision */
};

/*
 * Add a --resource pattern to w (borrowed: it must outlive w). LC_EUSAGE
 * (message set) when it is not GROUP:KIND:[NS/]NAME.
 */
int lc_acd_wait_want_resource(struct lc_acd_want *w, const char *pattern);
/* Free what lc_acd_wait_want_resource() allocated. */
void lc_acd_wait_want_release(struct lc_acd_want *w);
/*
 * Set w->repo_dir to dir (borrowed), a git repository (dir or above it)
 * with full history, which tells a later commit of w->revision. Returns
 * 0, or LC_EUSAGE (message set) for no repository or a shallow clone.
 */
int lc_acd_wait_want_repo_dir(struct lc_acd_want *w, const char *dir);
/*
 * The heartbeat interval of waits whose want has none (progress_ms 0),
 * such as lc_acd_wait_when_idle's: the command's --progress-interval.
 */
void lc_acd_wait_set_progress(long long ms);

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
int lc_acd_wait_when_idle(struct lc_acd *acd, struct lc_acd_target *t, size_t n,
    enum lc_acd_busy policy, long long deadline);

/* A fresh operation tag: a random UUID in out[37]. */
void lc_acd_wait_op_id(char out[37]);

/* Milliseconds as a duration ("90s", "10m", "250ms"), for messages. */
void lc_acd_wait_fmt_ms(char *out, size_t n, long long ms);

/*
 * The targets: the apps named in argv ([NAMESPACE/]NAME), or, with the
 * conf's selector, every app one List returns (LC_ENOTFOUND for none),
 * with that List's snapshot. Free each with lc_acd_wait_target_free, then *out.
 */
int lc_acd_wait_targets(struct lc_acd *acd, const struct lc_acd_conf *c,
    char **argv, int argc, long long deadline, struct lc_acd_target **out,
    size_t *n);
void lc_acd_wait_target_init(struct lc_acd_target *t);
void lc_acd_wait_target_free(struct lc_acd_target *t);

#endif
