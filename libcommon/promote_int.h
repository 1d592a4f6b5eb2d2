/* promote_int.h: what the promote*.c files share; not for commands. */
#ifndef LC_PROMOTE_INT_H
#define LC_PROMOTE_INT_H

#include <git2.h>

#include "error.h"
#include "git.h"
#include "promote.h"
#include "yaml_edit.h"
#include "yaml_expr.h"

/*
 * Field sizes. A value longer than its field is refused (fit()), never cut:
 * an app is a directory name (255 bytes on Linux), an image name as long as
 * a registry host and repository may be, a tag 128 bytes (OCI), a digest
 * what imgref.h holds (sha256), a path PATH_MAX.
 */
#define APP_MAX		256
#define NAME_MAX_	520
#define TAG_MAX		129	/* 128 and the NUL */
#define DIGEST_MAX	80
#define REF_MAX		(NAME_MAX_ + TAG_MAX + DIGEST_MAX + 2)
#define PATH_MAX_	4096

_Static_assert(sizeof(((struct lc_promote_change *)0)->prev) == REF_MAX &&
    sizeof(((struct lc_promote_change *)0)->app) == APP_MAX &&
    sizeof(((struct lc_promote_change *)0)->name) == NAME_MAX_ &&
    sizeof(((struct lc_promote_change *)0)->tag) == TAG_MAX &&
    sizeof(((struct lc_promote_change *)0)->digest) == DIGEST_MAX &&
    sizeof(((struct lc_promote_change *)0)->file) == PATH_MAX_,
    "promote.h's field sizes");

/* One target file and its new bytes. */
struct lc_promote_target {
	char src[PATH_MAX_], dst[PATH_MAX_];
	char app[APP_MAX];
	struct lc_buf before, after;
	int changed;
};

/* An image version given on the command line or read back from history. */
struct lc_promote_given {
	char app[APP_MAX];
	char name[NAME_MAX_], tag[TAG_MAX], digest[DIGEST_MAX];
	int seq;		/* the order given in: the later one wins */
};

/* A --pin-digest result. */
struct lc_promote_pin {
	char name[NAME_MAX_], digest[DIGEST_MAX];
};

/*
 * The arrays below grow (GROW): 1,000 apps of 3 images, or one overlay with
 * 500 images, are promoted whole; none is ever cut at a fixed count.
 */
struct lc_promote {
	struct lc_promote_opts opts;	/* a copy, the defaults filled in */
	const struct lc_promote_opts *o;	/* &opts */
	lc_promote_out_fn out;
	void *out_arg;
	/* --key: compiled queries, and "(PATH) = $v" edits (nkeys each) */
	struct lc_yexpr **q_key, **q_digest, **q_repo, **s_key, **s_digest;
	struct lc_promote_given *g;
	int ng, cg;
	char undone[16][GIT_OID_HEXSZ + 1];	/* --rollback: newest first */
	int nundone;		/* at most --steps, which is 1 to 16 */
	struct lc_promote_pin *pin;
	int npin, cpin;
	git_repository *repo;
	git_remote *remote;
	char *branch;
	struct lc_git_auth auth;
	git_signature *author, *committer;
	struct lc_promote_target *t;
	int nt, ct;
	struct lc_promote_change *c;
	int nc, cc;
	git_oid source_commit;
	int have_source;
	char source_hex[GIT_OID_HEXSZ + 1];
	/* --pr: the work branch and the pull request */
	char head[256], pr_commit[GIT_OID_HEXSZ + 1];
	struct lc_forge *forge;
	struct lc_forge_pr pr;
	int have_pr;
	long long t0;		/* when the promotion started (--deadline) */
};

/* Room for one more element in array a of n, capacity cap (doubling). */
#define GROW(a, n, cap) do {						\
	if ((n) >= (cap)) {						\
		(cap) = (cap) ? 2 * (cap) : 16;				\
		(a) = lc_buf_xrealloc((a), (size_t)(cap) * sizeof(*(a)));	\
	}								\
} while (0)

/*
 * snprintf into out (n bytes) that refuses rather than cuts: a name, tag or
 * path longer than its field is an error (exit 3) found while planning,
 * before anything is written.
 */
#define fit(out, n, what, ...) lc_error_fit(LC_EDATA, \
    "; nothing was promoted", out, n, what, __VA_ARGS__)

/* A list of names (apps, files), each its own heap string. */
struct lc_promote_names {
	char **v;
	int n, cap;
};

/* An image entry of a kustomization (or a --key of Helm values). */
struct lc_promote_img {
	char name[NAME_MAX_], new_name[NAME_MAX_], tag[TAG_MAX];
	char digest[DIGEST_MAX];
	uint32_t node, tag_node, digest_node, name_node;
};

/* A growing list of images (an overlay may have hundreds). */
struct lc_promote_imgs {
	struct lc_promote_img *im;
	int n, cap;
};

/* The images of one source file. */
struct lc_promote_src {
	struct lc_promote_imgs l;
};

/* What one target's edit reads: the source's images, where they go. */
struct lc_promote_dst {
	const struct lc_promote_src *src;
	const struct lc_promote_opts *o;
	struct lc_promote *st;
	const char *app, *file;
	int missing;
};

/* promote.c */
struct lc_promote_change *lc_promote_new_change(struct lc_promote *st);
/* Tell the command (p->out): an event; a result (commit or NULL, changed). */
int lc_promote_emit(struct lc_promote *st, const struct lc_promote_event *ev);
int lc_promote_result(struct lc_promote *st, const char *commit, int changed);

/* promote_plan.c */
int lc_promote_expand(const char *tmpl, const char *env, const char *app,
    char *out, size_t n);
int lc_promote_read_path(git_repository *repo, git_tree *tree,
    const char *path, struct lc_buf *b);
void lc_promote_names_add(struct lc_promote_names *l, const char *s,
    size_t len);
void lc_promote_names_release(struct lc_promote_names *l);
int lc_promote_list_apps(git_repository *repo, git_tree *tree,
    const struct lc_promote_opts *o, struct lc_promote_names *apps);
struct lc_promote_img *lc_promote_imgs_new(struct lc_promote_imgs *l);
int lc_promote_wanted(const struct lc_promote_opts *o, const char *name);
void lc_promote_ref_text(const struct lc_promote_img *i, const char *tag,
    const char *digest, char *out, size_t n);
const char *lc_promote_pinned(const struct lc_promote *st, const char *name);
int lc_promote_dst_change(struct lc_promote_dst *c,
    const struct lc_promote_img *s, const char *dg,
    struct lc_promote_change **out);
int lc_promote_plan(struct lc_promote *st, const struct lc_promote_opts *o,
    const git_oid *tip);

/* promote_helm.c */
int lc_promote_compile_keys(struct lc_promote *st,
    const struct lc_promote_opts *o);
void lc_promote_free_keys(struct lc_promote *st);
/* What lc_promote_helm_read reads a values file's images with. */
struct lc_promote_helm_src {
	const struct lc_promote_opts *o;
	struct lc_promote *st;
	struct lc_promote_src *sc;
	const char *file;
};
int lc_promote_helm_read(struct lc_ydoc *d, void *arg);
int lc_promote_helm_edit(struct lc_ydoc *d, void *arg);

/* promote_raw.c */
int lc_promote_raw_plan(struct lc_promote *st,
    const struct lc_promote_opts *o, git_tree *tree);

/* promote_guard.c */
int lc_promote_verify(const struct lc_promote *st,
    const struct lc_promote_opts *o);
int lc_promote_guards(const struct lc_promote *st,
    const struct lc_promote_opts *o);

/* promote_history.c */
int lc_promote_add_given(struct lc_promote *st, const char *spec, int raw);
void lc_promote_settle_given(struct lc_promote *st);
const char *lc_promote_oldest_undone(const struct lc_promote *st);
int lc_promote_find_rollback(struct lc_promote *st,
    const struct lc_promote_opts *o, const git_oid *tip);
void lc_promote_source_commit(struct lc_promote *st, const git_oid *tip,
    const char *path);

/* promote_commit.c */
void lc_promote_trailers(const struct lc_promote_opts *o, struct lc_buf *m);
void lc_promote_message(const struct lc_promote *st,
    const struct lc_promote_opts *o, struct lc_buf *m);
int lc_promote_new_tree(struct lc_promote *st, const git_oid *tip,
    git_oid *out);
int lc_promote_deliver(struct lc_promote *st, const struct lc_promote_opts *o,
    const char *branch, const char *tmpref, const git_oid *commit,
    const char *msg, struct lc_buf *detail, enum lc_git_outcome *oc,
    const char *what);

/* promote_pr.c */
int lc_promote_head_name(const struct lc_promote_opts *o, char *out,
    size_t n);
int lc_promote_require_status(struct lc_promote *st,
    const struct lc_promote_opts *o, const git_oid *sha);
int lc_promote_pr_deliver(struct lc_promote *st,
    const struct lc_promote_opts *o, const char *base, const git_oid *commit,
    const char *msg, struct lc_buf *detail, enum lc_git_outcome *oc);

/* promote_dir.c */
int lc_promote_retry(const struct lc_promote_opts *o,
    lc_git_attempt_fn attempt, void *arg, const struct lc_buf *detail);
int lc_promote_dir_run(struct lc_promote *st, const struct lc_promote_opts *o);
int lc_promote_split_run(struct lc_promote *st,
    const struct lc_promote_opts *o);

/* promote_branch.c */
int lc_promote_branch_run(struct lc_promote *st,
    const struct lc_promote_opts *o);

/* promote_tag.c */
int lc_promote_tag_run(struct lc_promote *st, const struct lc_promote_opts *o);

#endif
