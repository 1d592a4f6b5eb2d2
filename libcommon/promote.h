/* promote.h: move image versions from one environment to the next. */
#ifndef LC_PROMOTE_H
#define LC_PROMOTE_H

#include <jv.h>

#include "buf.h"
#include "forge.h"
#include "registry.h"

enum lc_promote_strategy {
	LC_PROMOTE_DIR,		/* edit the files of -t in one branch */
	LC_PROMOTE_BRANCH,	/* merge the branch of -f into that of -t */
	LC_PROMOTE_TAG		/* no git: move registry tags */
};

/*
 * What to promote and how; what the command prints is its own business.
 * The lists are the caller's (argv) and must outlive the promotion.
 */
struct lc_promote_opts {
	const char *from, *to;	/* from NULL: --set or --rollback */
	const char *path, *branch, *remote, *message, *author, *token_file;
	const char *const *apps;	/* --app globs */
	int napps;
	const char *const *trailers;	/* KEY=VALUE */
	int ntrailers;
	const char *const *sets;	/* [APP/]IMAGE=REF */
	int nsets;
	const char *const *images;	/* only these (all when none) */
	int nimages;
	/* Helm values: the tag (and digest, repository) path of each image. */
	const char *const *keys, *const *digest_keys, *const *repo_keys;
	int nkeys, ndigest_keys, nrepo_keys;
	const char *const *gates;	/* shell commands run first */
	int ngates;
	const char *const *platforms;	/* OS/ARCH[/VARIANT] */
	int nplatforms;
	const char *const *labels;	/* --pr */
	int nlabels;
	enum lc_promote_strategy strategy;
	int dry_run, check, verify, rollback, pin, raw, with_name, split;
	int sign, no_push, steps;
	const char *branch_tmpl;	/* --env-branch, with {env} */
	const char *semver, *allow_tags, *chain;
	int allow_skip;
	long long deadline_ms;
	/* --pr and --require-status */
	int pr, draft, require_status;
	const char *status_context, *pick;
	const char *head_tmpl, *title, *body_file, *merge, *api_url;
	enum lc_forge_kind provider;
	struct lc_registry_opts ro;
	int reg_https;
};

/* One image entry promoted in one app (or one repository's tag). */
struct lc_promote_change {
	char app[256], name[520], file[4096];
	char prev[731], next[731];	/* name-or-newName:tag@digest */
	char tag[129], digest[80];
	int differs;
};

enum lc_promote_what {
	LC_PROMOTE_RESULT,	/* the outcome: a commit, a check, nothing */
	LC_PROMOTE_DRY_RUN	/* the change (diffs, message) not written */
};

/* What the promotion tells the command to print, when it happens. */
struct lc_promote_event {
	enum lc_promote_what what;
	const char *commit;	/* RESULT: the commit made (hex), or NULL */
	int changed;		/* RESULT: the target changes (or changed) */
	const char *message;	/* DRY_RUN: the commit message */
	/* --strategy branch: the branches and their tips' short ids */
	const char *src_branch, *dst_branch, *src7, *dst7;
	const char *head;	/* DRY_RUN with --pr: the work branch */
};

struct lc_promote;

/*
 * The defaults: --remote origin, --deadline 2m, --env-branch deploy/{env},
 * the registry checked; path NULL is overlays/{env} (envs/{env}/values.yaml
 * with --key).
 */
void lc_promote_opts_init(struct lc_promote_opts *o);

/*
 * Called for each event, in order; a non-zero return (an LC_E* code) ends
 * the promotion with that code.
 */
typedef int (*lc_promote_out_fn)(const struct lc_promote *p,
    const struct lc_promote_event *ev, void *arg);

/*
 * A promotion of o (copied; its lists are kept by pointer): the --set
 * versions read, the --key paths compiled, the work branch named, after
 * the checks of lc_promote_check, in their order. *out is heap even on
 * failure.
 */
int lc_promote_new(struct lc_promote **out, const struct lc_promote_opts *o,
    lc_promote_out_fn fn, void *arg);
/*
 * The checks lc_promote_new makes, one at a time, for a command that
 * orders them among its own rules (the order decides which of two
 * mistakes is named): LC_EUSAGE with the message, or for --chain LC_ENO,
 * a policy refusal (exit 1), when -f -> -t skips an environment or goes
 * backwards.
 */
enum lc_promote_check {
	LC_PROMOTE_CHECK_SET,	/* each --set is [APP/]IMAGE=REF */
	LC_PROMOTE_CHECK_CHAIN,	/* --chain names -f and -t, neighbours */
	LC_PROMOTE_CHECK_KEY,	/* each --key expression parses */
	LC_PROMOTE_CHECK_IMAGES,	/* no image argument is empty */
	LC_PROMOTE_CHECK_HEAD	/* the --pr work branch's name fits */
};
int lc_promote_check(const struct lc_promote_opts *o,
    enum lc_promote_check what);
/* The repository, the remote, the credentials (not with the tag strategy). */
int lc_promote_open(struct lc_promote *p);
/*
 * Promote: plan on the remote's tip, check the guards, commit and push
 * (retrying on a moved tip until the deadline), or open a pull request.
 * Returns 0, LC_ENO (--check: pending; a guard refused) or an LC_E* code;
 * a timeout is LC_ETIMEOUT only when the --deadline passed.
 */
int lc_promote_run(struct lc_promote *p);
void lc_promote_free(struct lc_promote *p);
/*
 * On SIGINT, SIGTERM and SIGHUP stop the git a local remote runs (its
 * process group: the remote's hooks too), then die of the signal.
 */
void lc_promote_signals(void);

/* What an event's printer reads. */
const struct lc_promote_opts *lc_promote_opts(const struct lc_promote *p);
int lc_promote_nchanges(const struct lc_promote *p);
const struct lc_promote_change *lc_promote_change(const struct lc_promote *p,
    int i);
int lc_promote_ntargets(const struct lc_promote *p);
/* The unified diff of target i into out ("" when it does not change). */
int lc_promote_diff(const struct lc_promote *p, int i, struct lc_buf *out);
/* The pull request opened or updated, or NULL. */
const struct lc_forge_pr *lc_promote_pull_request(const struct lc_promote *p);
/* The images changed: [{app, name, file, previous, new}]. */
jv lc_promote_images_json(const struct lc_promote *p);
/* The result object of -o json (commit NULL: none made). */
jv lc_promote_json(const struct lc_promote *p, const char *commit,
    int changed);

#endif
