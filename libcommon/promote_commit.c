/* promote_commit.c: the promotion commit: its message and trailers, its tree, the diff. */
#include <stdio.h>
#include <string.h>

#include <git2.h>

#include "buf.h"
#include "ci.h"
#include "error.h"
#include "git.h"
#include "promote_int.h"

/*
 * The trailers every promotion commit ends with: the run, the tool,
 * --trailer.
 */
void
lc_promote_trailers(const struct lc_promote_opts *o, struct lc_buf *m)
{
	struct lc_buf url = LC_BUF_INIT;
	const char *eq;
	int i;

	if (lc_ci_run_url(&url))
		lc_buf_printf(m, "Promote-Run: %s\n", url.data);
	lc_buf_printf(m, "Promote-Tool: promote/%s\n", VERSION);
	for (i = 0; i < o->ntrailers; i++) {
		eq = strchr(o->trailers[i], '=');
		lc_buf_printf(m, "%.*s: %s\n", (int)(eq - o->trailers[i]),
		    o->trailers[i], eq + 1);
	}
	lc_buf_release(&url);
}

void
lc_promote_message(const struct lc_promote *st, const struct lc_promote_opts *o,
    struct lc_buf *m)
{
	char src[GIT_OID_HEXSZ + 1] = "", short_src[8];
	int i, n = 0, first = -1, k, last;

	for (i = 0; i < st->nc; i++)
		if (st->c[i].differs) {
			n++;
			if (first < 0)
				first = i;
		}
	if (st->have_source)
		git_oid_tostr(src, sizeof(src), &st->source_commit);
	snprintf(short_src, sizeof(short_src), "%.7s", src);
	if (o->message)
		lc_buf_printf(m, "%s\n\n", o->message);
	else if (o->rollback && st->nundone > 1)
		lc_buf_printf(m, "promote(%s): rollback of %d promotions, to "
		    "before %.7s\n\n", o->to, st->nundone, lc_promote_oldest_undone(st));
	else if (o->rollback)
		lc_buf_printf(m, "promote(%s): rollback of %.7s\n\n", o->to,
		    lc_promote_oldest_undone(st));
	else if (!o->from && n == 1)
		lc_buf_printf(m, "promote(%s): set %s%s%s %s\n\n", o->to,
		    st->c[first].app, st->c[first].app[0] ? " " : "",
		    st->c[first].name, st->c[first].tag[0] ? st->c[first].tag :
		    st->c[first].digest);
	else if (!o->from)
		lc_buf_printf(m, "promote(%s): set %d images\n\n", o->to, n);
	else if (n == 1)
		lc_buf_printf(m, "promote(%s): %s%s%s %s from %s\n\n", o->to,
		    st->c[first].app, st->c[first].app[0] ? " " : "",
		    st->c[first].name, st->c[first].tag[0] ? st->c[first].tag :
		    st->c[first].digest, o->from);
	else
		lc_buf_printf(m, "promote(%s): %d images from %s\n\n", o->to, n,
		    o->from);
	if (o->rollback)
		lc_buf_printf(m, "Rolled %s back to before %.7s:\n", o->to,
		    lc_promote_oldest_undone(st));
	else if (!o->from)
		lc_buf_printf(m, "Set by hand in %s:\n", o->to);
	else
		lc_buf_printf(m, "Promoted from %s (%s) to %s:\n", o->from,
		    short_src[0] ? short_src : "?", o->to);
	/* Each file once, its images under it (changes come file by file). */
	for (last = -1, i = 0; i < st->nc; i++) {
		if (!st->c[i].differs)
			continue;
		if (last < 0 || strcmp(st->c[last].file, st->c[i].file) != 0)
			lc_buf_printf(m, "- %s\n", st->c[i].file);
		last = i;
		lc_buf_printf(m, "  %s: %s -> %s\n", st->c[i].name,
		    st->c[i].prev, st->c[i].next);
	}
	lc_buf_adds(m, "\n");
	if (o->from)
		lc_buf_printf(m, "Promote-From: %s\n", o->from);
	lc_buf_printf(m, "Promote-To: %s\n", o->to);
	if (o->from && src[0])
		lc_buf_printf(m, "Promote-Source-Commit: %s\n", src);
	for (k = 0; k < 2; k++)
		for (i = 0; i < st->nc; i++) {
			if (!st->c[i].differs)
				continue;
			lc_buf_printf(m, "Promote-%sImage: %s%s%s=%s\n", k ?
			    "Previous-" : "", st->c[i].app, st->c[i].app[0] ?
			    "/" : "", st->c[i].name, k ? st->c[i].prev :
			    st->c[i].next);
		}
	for (i = 0; o->rollback && i < st->nundone; i++)
		lc_buf_printf(m, "Promote-Rollback-Of: %s\n", st->undone[i]);
	if (!o->rollback && !o->from)
		lc_buf_adds(m, "Promote-Reason: manual\n");
	lc_promote_trailers(o, m);
}

int
lc_promote_diff(const struct lc_promote *p, int i, struct lc_buf *out)
{
	const struct lc_promote_target *t = &p->t[i];
	git_patch *pa = NULL;
	git_buf b = { NULL, 0, 0 };
	git_diff_options opt;
	int rc;

	if (!t->changed)
		return 0;
	git_diff_options_init(&opt, GIT_DIFF_OPTIONS_VERSION);
	if ((rc = git_patch_from_buffers(&pa, t->before.data, t->before.len,
	    t->dst, t->after.data, t->after.len, t->dst, &opt)) != 0 ||
	    (rc = git_patch_to_buf(&b, pa)) != 0) {
		git_patch_free(pa);
		return lc_git_error(rc, "diff");
	}
	lc_buf_add(out, b.ptr, b.size);
	git_buf_dispose(&b);
	git_patch_free(pa);
	return 0;
}

/* The tree of tip with every changed target replaced. */
int
lc_promote_new_tree(struct lc_promote *st, const git_oid *tip, git_oid *out)
{
	git_index *idx = NULL;
	git_commit *c = NULL;
	git_tree *tree = NULL;
	git_index_entry e;
	int i, rc;

	if ((rc = git_commit_lookup(&c, st->repo, tip)) == 0 &&
	    (rc = git_commit_tree(&tree, c)) == 0 &&
	    (rc = git_index_new(&idx)) == 0 &&
	    (rc = git_index_read_tree(idx, tree)) == 0) {
		for (i = 0; rc == 0 && i < st->nt; i++) {
			if (!st->t[i].changed)
				continue;
			memset(&e, 0, sizeof(e));
			e.mode = GIT_FILEMODE_BLOB;
			e.path = st->t[i].dst;
			e.file_size = (uint32_t)st->t[i].after.len;
			/* An in-memory index: the blob goes to the odb first. */
			if ((rc = git_blob_create_from_buffer(&e.id, st->repo,
			    st->t[i].after.data, st->t[i].after.len)) == 0)
				rc = git_index_add(idx, &e);
		}
		if (rc == 0)
			rc = git_index_write_tree_to(out, idx, st->repo);
	}
	git_index_free(idx);
	git_tree_free(tree);
	git_commit_free(c);
	return rc == 0 ? 0 : lc_git_error(rc, "build the tree");
}

/*
 * Deliver commit to branch: with --pr as a pull request (lc_promote_pr_
 * deliver), else pushed through the local ref tmpref. *oc says how the
 * push went; what names a failure to make the ref.
 */
int
lc_promote_deliver(struct lc_promote *st, const struct lc_promote_opts *o,
    const char *branch, const char *tmpref, const git_oid *commit,
    const char *msg, struct lc_buf *detail, enum lc_git_outcome *oc,
    const char *what)
{
	git_reference *ref = NULL;
	int rc;

	if (o->pr)
		return lc_promote_pr_deliver(st, o, branch, commit, msg, detail,
		    oc);
	if ((rc = git_reference_create(&ref, st->repo, tmpref, commit, 1,
	    "promote: attempt")) != 0)
		return lc_git_error(rc, what);
	git_reference_free(ref);
	*oc = lc_git_push(st->remote, tmpref, branch, detail, &st->auth);
	return 0;
}
