/* gitpush.h: commit a change and push it to a shared branch, surviving concurrent pushers (the engine of gitpush-retry). */
#ifndef LC_GITPUSH_H
#define LC_GITPUSH_H

#include <stddef.h>

/*
 * What to commit and push, and how; what the command prints is its own
 * business. The lists are the caller's (argv) and must outlive the push.
 */
struct lc_gitpush_opts {
	const char *message;	/* NULL: push what is committed already */
	const char *author;	/* "Name <email>", NULL: GIT_AUTHOR_*, config */
	const char *branch;	/* NULL: the one HEAD is on */
	const char *remote;
	const char *token_file, *username, *ca_file, *ssh_key;
	int insecure;
	int all;		/* stage every change in the work tree */
	int provenance;		/* add the CI's Source-* trailers */
	char *const *trailers;	/* KEY=VALUE */
	size_t ntrailers;
	char *const *paths;	/* to stage, relative to the current directory */
	int npaths;
	char *const *command;	/* makes the change on each new tip, or NULL */
	long long start_ms;	/* lc_clock_ms() when the command started */
	long long deadline_ms;	/* from start_ms; 0: none */
	long long backoff_base_ms, backoff_cap_ms;
	int max_attempts;	/* 0: only the deadline */
};

/* What a run leaves behind, for what the command says last. */
struct lc_gitpush_result {
	const char *branch;	/* the local branch (the push's own text) */
	int committed;		/* the change was committed on it here */
	int conflicted;		/* its commits conflict with the remote's */
};

struct lc_gitpush;

/*
 * The defaults: --remote origin, --deadline 2m, backoff from 250 ms up to
 * 2 s, provenance trailers; start_ms is now.
 */
void lc_gitpush_opts_init(struct lc_gitpush_opts *o);

/*
 * A push of o (copied; its lists are kept by pointer): the repository
 * around the current directory, the branch, the remote and its
 * credentials and CA, the author and committer, the message with its
 * trailers. *out is heap even on failure. Returns 0 or an LC_E* code;
 * LC_EUSAGE for a malformed trailer.
 */
int lc_gitpush_open(struct lc_gitpush **out, const struct lc_gitpush_opts *o);

/*
 * Called once, when the run ends with a commit to show: id (hex) is the
 * commit pushed (pushed 1), or the remote's tip that already holds the
 * change, or the local branch when it has nothing the remote lacks
 * (pushed 0). A non-zero return (an LC_E* code) ends the run with it.
 */
typedef int (*lc_gitpush_out_fn)(const char *id, int pushed, void *arg);

/*
 * Commit the change (the paths, -a, or what the command makes on the tip),
 * then fetch, replay it on the remote's tip and push, retrying until it
 * lands, the deadline passes or the attempts run out; the local branch
 * follows the remote. Around each fetch and push a timer (ITIMER_REAL) is
 * set to what is left of the deadline, since libgit2 has no network
 * timeouts: the caller's SIGALRM handler calls lc_gitpush_stop and ends
 * the process. Returns 0 (landed, or nothing to push) or an LC_E* code;
 * *res says what is left behind.
 */
int lc_gitpush_run(struct lc_gitpush *g, lc_gitpush_out_fn fn, void *arg,
    struct lc_gitpush_result *res);

/* Free g (NULL allowed) and libgit2's global state (lc_git_shutdown). */
void lc_gitpush_free(struct lc_gitpush *g);

/*
 * On SIGINT, SIGTERM and SIGHUP stop the git a local remote runs (its
 * process group: the remote's hooks too), then die of the signal.
 */
void lc_gitpush_signals(void);

/*
 * For a signal handler about to end the process: stop the command being
 * run (SIGTERM) and the git a local remote runs, if any. Async-signal-safe.
 */
void lc_gitpush_stop(void);

#endif
