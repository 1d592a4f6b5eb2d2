/* forge.h: pull requests on GitHub, GitLab and Gitea/Forgejo over their REST APIs. */
#ifndef LC_FORGE_H
#define LC_FORGE_H

enum lc_forge_kind {
	LC_FORGE_AUTO,
	LC_FORGE_GITHUB,
	LC_FORGE_GITLAB,
	LC_FORGE_GITEA		/* and Forgejo */
};

struct lc_forge_conf {
	enum lc_forge_kind kind;	/* AUTO: detect */
	const char *api_url;	/* NULL: from CI variables or the remote */
	const char *remote_url;	/* the git remote: host and owner/repo */
	const char *token_file;	/* NULL: PROMOTE_TOKEN, then the forge's */
	const char *ca_file;
	int insecure;
	long long deadline;	/* lc_clock_ms() time, 0: none */
};

/*
 * Parse "github", "gitlab", "gitea", "forgejo" or "auto" into *k. Returns 0
 * or -1.
 */
int lc_forge_kind_parse(const char *s, enum lc_forge_kind *k);

struct lc_forge;

/*
 * Find which forge serves the remote and where its API is: --api-url (the
 * kind from its /api/v4 or /api/v1 suffix, else GitHub), then GitHub
 * Actions' and GitLab CI's server variables when their host is the
 * remote's, then github.com, gitlab.com and codeberg.org, then a probe of
 * /api/v4/version and /api/v1/version on the remote's host. The token is
 * read only then (its variables depend on the kind). Returns 0, LC_EUSAGE
 * (cannot tell), LC_EAUTH (no token) or another LC_E* code.
 */
int lc_forge_open(struct lc_forge **out, const struct lc_forge_conf *c);
void lc_forge_close(struct lc_forge *f);
/* "GitHub", "GitLab" or "Gitea". */
const char *lc_forge_name(const struct lc_forge *f);

struct lc_forge_pr_req {
	const char *head, *base;	/* branch names */
	const char *title, *body;
	const char *const *labels;
	int nlabels;
	int draft;
	const char *merge;	/* auto-merge: merge|squash|rebase, or NULL */
	const char *head_sha;	/* the commit the head must be at to merge */
};

struct lc_forge_pr {
	long number;		/* GitLab: the iid (!N) */
	char url[2048];		/* refused (LC_EDATA) when longer */
	int created;		/* 0: an open one was found and updated */
	int auto_merge;		/* auto-merge enabled, or merged at once */
	int merged;
	int looked;		/* lc_forge_pr_find ran: number is its answer */
	char node[128];		/* GitHub: the node id, for auto-merge */
};

/*
 * Look up the open pull request head -> base (pr->number 0: none) and
 * remember the answer in pr for lc_forge_pr_open. It is the first call
 * that shows the token to the forge: make it before anything is pushed,
 * so that a refused token (6), a forge that is down (7) or one that does
 * not answer by the deadline (LC_ETIMEOUT) stops the run with nothing
 * written. Returns 0 or an LC_E* code.
 */
int lc_forge_pr_find(struct lc_forge *f, const struct lc_forge_pr_req *rq,
    struct lc_forge_pr *pr);

/*
 * Open the pull request head -> base, or update the open one (title, body,
 * labels) rather than fail on "already exists" (GitHub 422, GitLab and
 * Gitea 409, which a concurrent run can cause between our lookup and our
 * create), then enable auto-merge when asked. When pr holds the answer of
 * lc_forge_pr_find, that lookup is not made again. Returns 0 or an LC_E*
 * code (6 token refused, 4 repository not visible, 5 merge conflict, 7 the
 * API stayed unavailable).
 */
int lc_forge_pr_open(struct lc_forge *f, const struct lc_forge_pr_req *rq,
    struct lc_forge_pr *pr);

/*
 * Whether commit sha is green: GitHub, its combined status and every check
 * run; GitLab, its newest pipeline; Gitea, its combined status. With
 * context, that one status or check (GitLab: job) alone. Returns 0 when
 * green, LC_ENO when not (failed, pending or nothing reported; the message
 * names what), or another LC_E* code.
 */
int lc_forge_commit_green(struct lc_forge *f, const char *sha,
    const char *context);

#endif
