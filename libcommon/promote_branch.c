/* promote_branch.c: --strategy branch: merge (or cherry-pick into) the environment branch. */
#include <stdio.h>
#include <string.h>

#include <git2.h>

#include "buf.h"
#include "cli.h"
#include "error.h"
#include "git.h"
#include "log.h"
#include "promote_int.h"

/*
 * --cherry-pick REV: the commit REV names, which must be on the source
 * branch (whose tip is stip), into *out.
 */
static int
pick_commit(struct lc_promote *st, const struct lc_promote_opts *o, const char *sb,
    const git_oid *stip, git_commit **out)
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

/*
 * --strategy branch: environment branches (deploy/{env}). The target branch
 * gets a merge commit (never a bare fast-forward, so the provenance
 * trailers have a home) of the source branch's tip, pushed with the same
 * re-derive-and-retry loop; a textual conflict exits 5 with the paths.
 */
int
lc_promote_branch_run(struct lc_promote *st, const struct lc_promote_opts *o)
{
	char sb[256], db[256], tmpref[300], hex[GIT_OID_HEXSZ + 1];
	char s7[8], d7[8];
	struct lc_buf msg = LC_BUF_INIT, detail = LC_BUF_INIT;
	enum lc_git_outcome oc = LC_GIT_FAILED;
	git_commit *sc = NULL, *dc = NULL;
	git_index *idx = NULL;
	git_tree *tree = NULL;
	git_reference *ref = NULL;
	git_oid stip, dtip, treeid, commit;
	long long start = lc_clock_ms();
	const git_index_entry *ce;
	int attempt, rc = 0, exists, i;

	if ((rc = lc_promote_expand(o->branch_tmpl, o->from, NULL, sb, sizeof(sb))) != 0 ||
	    (rc = lc_promote_expand(o->branch_tmpl, o->to, NULL, db, sizeof(db))) != 0)
		return rc;
	snprintf(tmpref, sizeof(tmpref), "refs/promote/%s", db);
	for (attempt = 0;; attempt++) {
		if (attempt > 0 && !lc_promote_again(o, start, attempt, oc))
			break;
		if ((rc = lc_git_fetch(st->repo, st->remote, sb, &stip, &exists,
		    &st->auth)) != 0 || (!exists && (rc = lc_error_set(
		    LC_ENOTFOUND, "the remote has no branch '%s'", sb)) != 0) ||
		    (rc = lc_git_fetch(st->repo, st->remote, db, &dtip, &exists,
		    &st->auth)) != 0 || (!exists && (rc = lc_error_set(
		    LC_ENOTFOUND, "the remote has no branch '%s'", db)) != 0)) {
			if (rc != LC_ENOTFOUND && lc_git_fetch_outcome(rc) ==
			    LC_GIT_NETWORK) {
				oc = LC_GIT_NETWORK;
				continue;
			}
			goto out;
		}
		git_oid_tostr(d7, sizeof(d7), &dtip);
		git_commit_free(sc);
		git_commit_free(dc);
		git_index_free(idx);
		sc = dc = NULL;
		idx = NULL;
		if (o->pick) {
			/* One change: the source is that commit, not the tip. */
			if ((rc = pick_commit(st, o, sb, &stip, &sc)) != 0)
				goto out;
			git_oid_cpy(&stip, git_commit_id(sc));
		}
		git_oid_tostr(s7, sizeof(s7), &stip);
		git_oid_cpy(&st->source_commit, &stip);
		git_oid_tostr(st->source_hex, sizeof(st->source_hex), &stip);
		st->have_source = 1;
		if (git_oid_equal(&stip, &dtip) ||
		    git_graph_descendant_of(st->repo, &dtip, &stip) == 1) {
			if (o->pick)
				lc_log_note("already promoted: %s has %s", db,
				    s7);
			else
				lc_log_note("already promoted: %s has all of "
				    "%s", db, sb);
			rc = branch_result(st, NULL, 0, sb, db, s7, d7);
			goto out;
		}
		if ((!sc && (rc = git_commit_lookup(&sc, st->repo, &stip)) != 0) ||
		    (rc = git_commit_lookup(&dc, st->repo, &dtip)) != 0 ||
		    (rc = o->pick ? git_cherrypick_commit(&idx, st->repo, sc, dc,
		    git_commit_parentcount(sc) > 1 ? 1 : 0, NULL) :
		    git_merge_commits(&idx, st->repo, dc, sc, NULL)) != 0) {
			rc = lc_git_error(rc, o->pick ? "cherry-pick" : "merge");
			goto out;
		}
		if (git_index_has_conflicts(idx)) {
			lc_log_error("%s %s into %s: conflicts in:", o->pick ?
			    "cherry-picking" : "merging", o->pick ? s7 : sb, db);
			for (i = 0; (size_t)i < git_index_entrycount(idx); i++) {
				ce = git_index_get_byindex(idx, (size_t)i);
				if (GIT_INDEX_ENTRY_STAGE(ce) == 2)
					lc_log_error("  %s", ce->path);
			}
			rc = lc_error_set(LC_ECONFLICT, "nothing was promoted: "
			    "%s does not apply to %s cleanly", o->pick ? s7 : sb,
			    db);
			goto out;
		}
		if ((rc = git_index_write_tree_to(&treeid, idx, st->repo)) != 0 ||
		    (rc = git_tree_lookup(&tree, st->repo, &treeid)) != 0) {
			rc = lc_git_error(rc, "merge");
			goto out;
		}
		if (o->pick && git_oid_equal(&treeid, git_commit_tree_id(dc))) {
			lc_log_note("already promoted: %s has the change of %s",
			    db, s7);
			rc = branch_result(st, NULL, 0, sb, db, s7, d7);
			goto out;
		}
		if (o->check) {
			if ((rc = branch_result(st, NULL, 1, sb, db, s7, d7)) == 0)
				rc = LC_ENO;
			goto out;
		}
		if (attempt == 0 && (rc = lc_promote_require_status(st, o, &stip)) != 0)
			goto out;
		msg.len = 0;
		if (o->message)
			lc_buf_printf(&msg, "%s\n\n", o->message);
		else if (o->pick)
			lc_buf_printf(&msg, "promote(%s): %s\n\n", o->to,
			    git_commit_summary(sc));
		else
			lc_buf_printf(&msg, "promote(%s): merge %s (%s)\n\n", o->to,
			    sb, s7);
		if (o->pick)
			lc_buf_printf(&msg, "Cherry-picked %s from %s into %s.\n"
			    "(cherry picked from commit %s)\n\n", s7, sb, db,
			    git_oid_tostr_s(&stip));
		else
			lc_buf_printf(&msg, "Promoted %s (%s) into %s.\n\n", sb, s7,
			    db);
		lc_buf_printf(&msg, "Promote-From: %s\nPromote-To: %s\n"
		    "Promote-Source-Commit: %s\n", o->from, o->to,
		    git_oid_tostr_s(&stip));
		lc_promote_trailers(o, &msg);
		if (o->dry_run) {
			struct lc_promote_event ev;

			memset(&ev, 0, sizeof(ev));
			ev.what = LC_PROMOTE_DRY_RUN;
			ev.changed = 1;
			ev.message = msg.data;
			ev.src_branch = sb;
			ev.dst_branch = db;
			ev.src7 = s7;
			ev.dst7 = d7;
			rc = lc_promote_emit(st, &ev);
			goto out;
		}
		{
			const git_commit *parents[2] = { dc, sc };

			/* A cherry-pick keeps the change's author. */
			rc = lc_git_commit(st->repo, &commit, o->pick ?
			    git_commit_author(sc) : st->author, st->committer,
			    msg.data, tree, o->pick ? 1 : 2, parents, o->sign);
		}
		git_tree_free(tree);
		tree = NULL;
		if (rc != 0)
			goto out;
		detail.len = 0;
		if (o->pr) {
			rc = lc_promote_pr_deliver(st, o, db, &commit, msg.data, &detail, &oc);
			if (st->have_pr)
				(void)branch_result(st, st->pr_commit, 1, sb, db,
				    s7, d7);
			if (rc != 0 || oc == LC_GIT_LANDED)
				goto out;
		} else if ((rc = git_reference_create(&ref, st->repo, tmpref,
		    &commit, 1, "promote: attempt")) != 0) {
			rc = lc_git_error(rc, "commit");
			goto out;
		} else {
			git_reference_free(ref);
			oc = lc_git_push(st->remote, tmpref, db, &detail,
			    &st->auth);
		}
		if (oc == LC_GIT_LANDED) {
			git_oid_tostr(hex, sizeof(hex), &commit);
			rc = branch_result(st, hex, 1, sb, db, s7, d7);
			goto out;
		}
		if (!lc_git_retryable(oc))
			break;
	}
	rc = lc_git_outcome_rc(oc, &detail, "at the deadline; nothing was "
	    "promoted");
out:
	git_reference_remove(st->repo, tmpref);
	git_tree_free(tree);
	git_index_free(idx);
	git_commit_free(sc);
	git_commit_free(dc);
	lc_buf_release(&msg);
	lc_buf_release(&detail);
	return rc;
}
