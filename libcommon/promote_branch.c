/* promote_branch.c: --strategy branch: merge (or cherry-pick into) the environment branch. */
#include <stdio.h>
#include <string.h>

#include <git2.h>

#include "buf.h"
#include "error.h"
#include "git.h"
#include "log.h"
#include "promote_int.h"

/*
 * --cherry-pick REV: the commit REV names, which must be on the source
 * branch (whose tip is stip), into *out.
 */
static int
pick_commit(struct lc_promote *st, const struct lc_promote_opts *o,
    const char *sb, const git_oid *stip, git_commit **out)
{
	git_object *obj = NULL;
	const git_oid *id;
	int rc;

	if ((rc = git_revparse_single(&obj, st->repo, o->pick)) != 0 ||
	    (rc = git_object_peel((git_object **)out, obj, GIT_OBJECT_COMMIT))
	    != 0) {
		git_object_free(obj);
		return lc_error_set(LC_ENOTFOUND, "--cherry-pick %s: no such "
		    "commit (fetched %s)", o->pick, sb);
	}
	git_object_free(obj);
	id = git_commit_id(*out);
	if (!git_oid_equal(id, stip) &&
	    git_graph_descendant_of(st->repo, stip, id) != 1)
		return lc_error_set(LC_ENOTFOUND, "--cherry-pick %s: %.7s is not "
		    "on %s; nothing was promoted", o->pick, git_oid_tostr_s(id),
		    sb);
	return 0;
}

/* --strategy branch: a result, with the branches. */
static int
branch_result(struct lc_promote *st, const char *commit, int changed,
    const char *sb, const char *db, const char *s7, const char *d7)
{
	struct lc_promote_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.what = LC_PROMOTE_RESULT;
	ev.commit = commit;
	ev.changed = changed;
	ev.src_branch = sb;
	ev.dst_branch = db;
	ev.src7 = s7;
	ev.dst7 = d7;
	return lc_promote_emit(st, &ev);
}

/* What the attempts of one branch promotion share. */
struct branch_try {
	struct lc_promote *st;
	const struct lc_promote_opts *o;
	char sb[256], db[256], tmpref[300], s7[8], d7[8];
	struct lc_buf msg, detail;
	git_commit *sc, *dc;
	git_index *idx;
	git_tree *tree;
};

/*
 * One attempt (an lc_git_attempt_fn): merge (or cherry-pick) the source
 * branch's tip into the target's, commit, push.
 */
static int
branch_attempt(void *arg, int attempt, enum lc_git_outcome *oc)
{
	struct branch_try *b = arg;
	struct lc_promote *st = b->st;
	const struct lc_promote_opts *o = b->o;
	char hex[GIT_OID_HEXSZ + 1];
	git_oid stip, dtip, treeid, commit;
	const git_index_entry *ce;
	int rc, exists, i;

	if ((rc = lc_git_fetch(st->repo, st->remote, b->sb, &stip, &exists,
	    &st->auth)) != 0 || (!exists && (rc = lc_error_set(
	    LC_ENOTFOUND, "the remote has no branch '%s'", b->sb)) != 0) ||
	    (rc = lc_git_fetch(st->repo, st->remote, b->db, &dtip, &exists,
	    &st->auth)) != 0 || (!exists && (rc = lc_error_set(
	    LC_ENOTFOUND, "the remote has no branch '%s'", b->db)) != 0)) {
		if (rc != LC_ENOTFOUND && lc_git_fetch_outcome(rc) ==
		    LC_GIT_NETWORK) {
			*oc = LC_GIT_NETWORK;
			return 1;
		}
		return rc;
	}
	git_oid_tostr(b->d7, sizeof(b->d7), &dtip);
	git_commit_free(b->sc);
	git_commit_free(b->dc);
	git_index_free(b->idx);
	b->sc = b->dc = NULL;
	b->idx = NULL;
	if (o->pick) {
		/* One change: the source is that commit, not the tip. */
		if ((rc = pick_commit(st, o, b->sb, &stip, &b->sc)) != 0)
			return rc;
		git_oid_cpy(&stip, git_commit_id(b->sc));
	}
	git_oid_tostr(b->s7, sizeof(b->s7), &stip);
	git_oid_cpy(&st->source_commit, &stip);
	git_oid_tostr(st->source_hex, sizeof(st->source_hex), &stip);
	st->have_source = 1;
	if (git_oid_equal(&stip, &dtip) ||
	    git_graph_descendant_of(st->repo, &dtip, &stip) == 1) {
		if (o->pick)
			lc_log_note("already promoted: %s has %s", b->db,
			    b->s7);
		else
			lc_log_note("already promoted: %s has all of "
			    "%s", b->db, b->sb);
		rc = branch_result(st, NULL, 0, b->sb, b->db, b->s7, b->d7);
		return rc;
	}
	if ((!b->sc && (rc = git_commit_lookup(&b->sc, st->repo, &stip)) != 0) ||
	    (rc = git_commit_lookup(&b->dc, st->repo, &dtip)) != 0 ||
	    (rc = o->pick ? git_cherrypick_commit(&b->idx, st->repo, b->sc, b->dc,
	    git_commit_parentcount(b->sc) > 1 ? 1 : 0, NULL) :
	    git_merge_commits(&b->idx, st->repo, b->dc, b->sc, NULL)) != 0) {
		rc = lc_git_error(rc, o->pick ? "cherry-pick" : "merge");
		return rc;
	}
	if (git_index_has_conflicts(b->idx)) {
		lc_log_error("%s %s into %s: conflicts in:", o->pick ?
		    "cherry-picking" : "merging", o->pick ? b->s7 : b->sb, b->db);
		for (i = 0; (size_t)i < git_index_entrycount(b->idx); i++) {
			ce = git_index_get_byindex(b->idx, (size_t)i);
			if (GIT_INDEX_ENTRY_STAGE(ce) == 2)
				lc_log_error("  %s", ce->path);
		}
		rc = lc_error_set(LC_ECONFLICT, "nothing was promoted: "
		    "%s does not apply to %s cleanly", o->pick ? b->s7 : b->sb,
		    b->db);
		return rc;
	}
	if ((rc = git_index_write_tree_to(&treeid, b->idx, st->repo)) != 0 ||
	    (rc = git_tree_lookup(&b->tree, st->repo, &treeid)) != 0) {
		rc = lc_git_error(rc, "merge");
		return rc;
	}
	if (o->pick && git_oid_equal(&treeid, git_commit_tree_id(b->dc))) {
		lc_log_note("already promoted: %s has the change of %s",
		    b->db, b->s7);
		rc = branch_result(st, NULL, 0, b->sb, b->db, b->s7, b->d7);
		return rc;
	}
	if (o->check) {
		if ((rc = branch_result(st, NULL, 1, b->sb, b->db, b->s7,
		    b->d7)) == 0)
			rc = LC_ENO;
		return rc;
	}
	if (attempt == 0 && (rc = lc_promote_require_status(st, o, &stip)) != 0)
		return rc;
	b->msg.len = 0;
	if (o->message)
		lc_buf_printf(&b->msg, "%s\n\n", o->message);
	else if (o->pick)
		lc_buf_printf(&b->msg, "promote(%s): %s\n\n", o->to,
		    git_commit_summary(b->sc));
	else
		lc_buf_printf(&b->msg, "promote(%s): merge %s (%s)\n\n", o->to,
		    b->sb, b->s7);
	if (o->pick)
		lc_buf_printf(&b->msg, "Cherry-picked %s from %s into %s.\n"
		    "(cherry picked from commit %s)\n\n", b->s7, b->sb, b->db,
		    git_oid_tostr_s(&stip));
	else
		lc_buf_printf(&b->msg, "Promoted %s (%s) into %s.\n\n", b->sb, b->s7,
		    b->db);
	lc_buf_printf(&b->msg, "Promote-From: %s\nPromote-To: %s\n"
	    "Promote-Source-Commit: %s\n", o->from, o->to,
	    git_oid_tostr_s(&stip));
	lc_promote_trailers(o, &b->msg);
	if (o->dry_run) {
		struct lc_promote_event ev;

		memset(&ev, 0, sizeof(ev));
		ev.what = LC_PROMOTE_DRY_RUN;
		ev.changed = 1;
		ev.message = b->msg.data;
		ev.src_branch = b->sb;
		ev.dst_branch = b->db;
		ev.src7 = b->s7;
		ev.dst7 = b->d7;
		rc = lc_promote_emit(st, &ev);
		return rc;
	}
	{
		const git_commit *parents[2] = { b->dc, b->sc };

		/* A cherry-pick keeps the change's author. */
		rc = lc_git_commit(st->repo, &commit, o->pick ?
		    git_commit_author(b->sc) : st->author, st->committer,
		    b->msg.data, b->tree, o->pick ? 1 : 2, parents, o->sign);
	}
	git_tree_free(b->tree);
	b->tree = NULL;
	if (rc != 0)
		return rc;
	b->detail.len = 0;
	rc = lc_promote_deliver(st, o, b->db, b->tmpref, &commit, b->msg.data,
	    &b->detail, oc, "commit");
	if (o->pr && st->have_pr)
		(void)branch_result(st, st->pr_commit, 1, b->sb, b->db, b->s7,
		    b->d7);
	if (rc != 0 || (o->pr && *oc == LC_GIT_LANDED))
		return rc;
	if (*oc == LC_GIT_LANDED) {
		git_oid_tostr(hex, sizeof(hex), &commit);
		rc = branch_result(st, hex, 1, b->sb, b->db, b->s7, b->d7);
		return rc;
	}
	return 1;
}

/*
 * --strategy branch: environment branches (deploy/{env}). The target branch
 * gets a merge commit (never a bare fast-forward, so the provenance
 * trailers have a home) of the source branch's tip, pushed with the same
 * re-derive-and-retry loop; a textual conflict exits 5 with the paths.
 */
int
lc_promote_branch_run(struct lc_promote *st, const struct lc_promote_opts *o)
{
	struct branch_try b;
	int rc;

	memset(&b, 0, sizeof(b));
	b.st = st;
	b.o = o;
	if ((rc = lc_promote_expand(o->branch_tmpl, o->from, NULL, b.sb,
	    sizeof(b.sb))) != 0 || (rc = lc_promote_expand(o->branch_tmpl,
	    o->to, NULL, b.db, sizeof(b.db))) != 0)
		return rc;
	snprintf(b.tmpref, sizeof(b.tmpref), "refs/promote/%s", b.db);
	rc = lc_promote_retry(o, branch_attempt, &b, &b.detail);
	git_reference_remove(st->repo, b.tmpref);
	git_tree_free(b.tree);
	git_index_free(b.idx);
	git_commit_free(b.sc);
	git_commit_free(b.dc);
	lc_buf_release(&b.msg);
	lc_buf_release(&b.detail);
	return rc;
}
