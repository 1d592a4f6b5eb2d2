/* git.h: libgit2 helpers: fetch one branch, replay commits onto a tip, push and classify. */
#ifndef LC_GIT_H
#define LC_GIT_H

#include <git2.h>

#include "buf.h"

/* Initialise libgit2 once. */
void lc_git_init(void);
/* Free libgit2's global state, if lc_git_init set it up; it may again. */
void lc_git_shutdown(void);

/*
 * For a remote at url, let libgit2's plain sockets (http, https under its
 * TLS, git) be ours with TCP_NODELAY: libgit2 writes a push as many small
 * chunks, and Nagle held the last one back for the server's delayed ACK,
 * ~40 ms a request. Not for ssh://, whose transport reads libgit2's own
 * socket struct. Call before the first network operation.
 */
void lc_git_nodelay(const char *url);

/*
 * The deadline (an lc_clock_ms() time, 0: none) of the fetches and pushes
 * to local remotes that follow: git upload-pack or receive-pack and the
 * remote's hooks are stopped when it passes (their whole process group),
 * and the fetch or push fails with LC_ETIMEOUT (LC_GIT_TIMEOUT).
 */
void lc_git_deadline(long long at);
/*
 * For a signal handler about to exit: stop the process group of the local
 * transport's running git (and so the remote's hooks), if any.
 * Async-signal-safe; waits at most a second.
 */
void lc_git_local_kill(void);
/*
 * On SIGINT, SIGTERM and SIGHUP stop the local transport's running git
 * (lc_git_local_kill), then die of the signal.
 */
void lc_git_local_signals(void);

/*
 * HTTP credentials for one remote. libgit2 asks again after every 401;
 * the callback answers once and then gives up, so a wrong password is one
 * refusal, not fifteen.
 */
struct lc_git_auth {
	const char *user;	/* for the token */
	char *secret;		/* the token (heap), or NULL */
	const char *source;	/* where the token came from, for messages */
	int url_creds;		/* the remote URL carries user:password */
	int insecure;		/* accept any TLS certificate (--insecure) */
	const char *ssh_key;	/* private key file for ssh://, or NULL */
	char *ssh_used;		/* the key offered (heap), for messages */
	int calls, refused;
};

/*
 * For an https remote url (nothing to do for another, or with insecure):
 * trust the CAs in file (given with the command's option flag, which
 * messages then name; NULL if it has none) as well as the system's in
 * /etc/ssl/certs; file NULL: those the environment names (lc_ca_env: a
 * bundle beside the system's, a directory instead of /etc/ssl/certs),
 * nothing to do when it names none. On libgit2's mbedTLS backend the call
 * replaces the chain, hence the directory with the file. The IP address
 * check of git_tls.c trusts the same. Returns 0 or LC_EUSAGE naming the
 * setting.
 */
int lc_git_ca(const char *file, const char *flag, const char *url,
    int insecure);

/*
 * Find credentials for an http(s) remote: file (--token-file) if given,
 * else the variable env names (a command's own, when not NULL), else
 * GITOPS_TOKEN (user "x-access-token" unless user is set),
 * GITHUB_TOKEN or GH_TOKEN ("x-access-token"), GITLAB_TOKEN ("oauth2"),
 * else the URL's own user:password. The token is registered for
 * redaction. Returns 0 or an LC_E* code.
 */
int lc_git_auth_init(struct lc_git_auth *a, const char *url, const char *file,
    const char *user, const char *env);
void lc_git_auth_release(struct lc_git_auth *a);

/*
 * Translate the libgit2 failure rc of what into an LC_E* code with the
 * message "what: libgit2's message" (URLs are redacted when printed):
 * GIT_EAUTH and GIT_ECERTIFICATE are LC_EAUTH, GIT_ENONFASTFORWARD,
 * GIT_ECONFLICT and GIT_ELOCKED LC_ECONFLICT, GIT_ENOTFOUND LC_ENOTFOUND,
 * network, HTTP, SSH and TLS errors LC_EUNAVAIL, the rest LC_ERROR.
 */
int lc_git_error(int rc, const char *what);

/*
 * Fetch refs/heads/branch of remote into refs/remotes/<remote>/branch
 * (forced) and return its id in *tip; *exists is 0 when the remote has no
 * such branch. Local remotes (file://, paths) are fetched from through git
 * upload-pack and pushed to through git receive-pack, as git does, so the
 * remote's hooks run; without git on PATH that is LC_ERROR, saying so.
 * Returns 0 or an LC_E* code.
 */
int lc_git_fetch(git_repository *repo, git_remote *remote, const char *branch,
    git_oid *tip, int *exists, struct lc_git_auth *auth);

/*
 * Replay the n commits ours (oldest first) onto onto in memory, keeping
 * their authors and messages, with committer. Commits that become empty
 * are dropped; *out is the last new commit (onto itself when all were
 * dropped). A conflict returns LC_ECONFLICT with the conflicting paths,
 * one a line, in conflicts.
 */
int lc_git_replay(git_repository *repo, const git_oid *ours, size_t n,
    const git_oid *onto, const git_signature *committer, git_oid *out,
    struct lc_buf *conflicts);

enum lc_git_outcome {
	LC_GIT_LANDED,		/* the server moved the branch to our commit */
	LC_GIT_STALE,		/* the branch moved before we sent anything */
	LC_GIT_RACE,		/* the server lost the compare-and-swap for us */
	LC_GIT_NETWORK,		/* connect, read or server errors: transient */
	LC_GIT_DECLINED,	/* a hook declined the content */
	LC_GIT_DENIED,		/* permission or protected branch */
	LC_GIT_AUTH,		/* credentials or trust refused */
	LC_GIT_FAILED,		/* anything else */
	LC_GIT_TIMEOUT		/* the deadline passed (lc_git_deadline) */
};

/*
 * Push local ref src to refs/heads/branch of remote, never forced, and
 * classify the answer: "landed" means git_remote_push returned 0 *and*
 * the server reported our ref with no error status (a lost race returns 0
 * too). The server's status and sideband text go to detail. Returns the
 * outcome; the message is set for every outcome but LANDED.
 */
enum lc_git_outcome lc_git_push(git_remote *remote, const char *src,
    const char *branch, struct lc_buf *detail, struct lc_git_auth *auth);

/*
 * Push src to refs/heads/branch forced, with a lease: the remote branch
 * must still be at *lease (NULL: must not exist), else LC_GIT_RACE
 * (git push --force-with-lease=branch:lease).
 */
enum lc_git_outcome lc_git_push_lease(git_remote *remote, const char *src,
    const char *branch, const git_oid *lease, struct lc_buf *detail,
    struct lc_git_auth *auth);
/*
 * Classify a refusal from the server's status for our ref and its
 * sideband text (NULL allowed): LC_GIT_RACE (retry), LC_GIT_DENIED
 * (permission, protected branch) or LC_GIT_DECLINED (a hook refused the
 * content).
 */
enum lc_git_outcome lc_git_classify(const char *status, const char *sideband);

/* The outcome of a failed fetch (rc from lc_git_fetch). */
enum lc_git_outcome lc_git_fetch_outcome(int rc);

/*
 * One attempt of a retry loop (n from 0): 0 or an LC_E* code when it is
 * over (landed, or a failure no retry helps), else 1 with *oc saying how
 * it went (LC_GIT_NETWORK for a fetch that failed on the way).
 */
typedef int (*lc_git_attempt_fn)(void *arg, int n, enum lc_git_outcome *oc);

struct lc_git_retry {
	long long start_ms, deadline_ms;	/* deadline 0: none */
	int max_attempts;			/* 0: no limit */
	long long base_ms, cap_ms;		/* the backoff's */
	const char *again;			/* "retrying", for the log */
	/* set by lc_git_retry */
	int attempt;				/* the last one made (from 0) */
	enum lc_git_outcome oc;			/* its outcome */
};

/*
 * Call attempt for n = 0, 1, ... while its outcome is retryable
 * (lc_git_retryable), the deadline has not passed and attempts are left.
 * Before each attempt after the first: a full-jitter pause,
 * lc_clock_backoff_ms(n - 1, base, cap, 4) (fourfold: when many writers start
 * together, the early rounds with small bounds are where attempts are
 * wasted), cut to the time left, logged as "attempt N: OUTCOME; AGAIN in
 * P ms". Returns the attempt's 0 or LC_E* code when it is over, or 1 when
 * the loop gave up: r->oc and r->attempt then say how it ended.
 */
int lc_git_retry(struct lc_git_retry *r, lc_git_attempt_fn attempt,
    void *arg);

/*
 * Create a commit object (no ref moves), like git_commit_create; with sign,
 * signed the way git commit -S signs: gpg.format openpgp (gpg.program,
 * default gpg), x509 (gpg.x509.program, gpgsm) or ssh (gpg.ssh.program,
 * ssh-keygen -Y sign) with the key user.signingkey names (the key file for
 * ssh). Returns 0 or an LC_E* code; a signer's failure is LC_ERROR with
 * its message.
 */
int lc_git_commit(git_repository *repo, git_oid *out,
    const git_signature *author, const git_signature *committer,
    const char *msg, const git_tree *tree, size_t n,
    const git_commit **parents, int sign);
/*
 * The repository around the current directory, the branch to work on
 * (branch, else the one HEAD is on; *branch_out is heap) and the remote
 * named remote (TCP_NODELAY set up for it). Returns 0 or an LC_E* code.
 */
int lc_git_open(git_repository **repo, const char *branch, char **branch_out,
    const char *remote, git_remote **remote_out);
/*
 * The author ("Name <email>" from --author, else lc_git_ident's AUTHOR)
 * and committer (COMMITTER, else the author) of new commits.
 */
int lc_git_idents(git_repository *repo, const char *author,
    git_signature **a, git_signature **c);
/* A signature from "Name <email>", now. */
int lc_git_parse_ident(const char *s, git_signature **out);
/* WHO is AUTHOR or COMMITTER: GIT_<WHO>_NAME/EMAIL, else git config. */
int lc_git_ident(git_repository *repo, const char *who, git_signature **out);
/*
 * Bring the work tree to commit id (when branch is checked out; from the
 * tree it has now, so other writers' files appear), then move the branch.
 */
int lc_git_land(git_repository *repo, const char *branch, const git_oid *id,
    int force);
/*
 * The LC_E* code for a push that did not land, when retrying is over:
 * STALE and RACE are LC_ECONFLICT with the message "<outcome> <why>",
 * NETWORK LC_EUNAVAIL, TIMEOUT LC_ETIMEOUT (its message kept), AUTH and
 * DENIED LC_EAUTH, the rest LC_ERROR (the
 * remote's own words in detail are logged for those).
 */
int lc_git_outcome_rc(enum lc_git_outcome oc, const struct lc_buf *detail,
    const char *why);
/* Whether a new attempt on a fresh tip may fix the outcome. */
int lc_git_retryable(enum lc_git_outcome oc);
/* What an outcome means, for messages. */
const char *lc_git_outcome_name(enum lc_git_outcome oc);

/*
 * Whether commit rev is commit base or a later one (a descendant,
 * git_graph_descendant_of) in repo: *later 1 or 0. Both are hex ids or
 * prefixes of at least 4 digits. Returns 0; LC_ENOTFOUND when one is not
 * in repo ("revision X is not known", "commit X is not known"), LC_EUSAGE
 * when one is no id or an ambiguous prefix, another LC_E* code else.
 */
int lc_git_later(git_repository *repo, const char *rev, const char *base,
    int *later);
/*
 * Fetch every branch (refs/heads/ into refs/remotes/<remote>/) of the
 * remote of repo whose URL is url (compared as host/path: no scheme,
 * user, ".git" or final "/"), else of "origin", with the credentials
 * lc_git_auth_init finds; *name (heap, NULL when none) names the remote.
 * Returns 0, LC_ENOTFOUND (no such remote) or the fetch's LC_E* code.
 */
int lc_git_fetch_for(git_repository *repo, const char *url, char **name);

#endif
