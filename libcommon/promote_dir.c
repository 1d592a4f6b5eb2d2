/* promote_dir.c: --strategy dir: edit the files of -t, commit, push with retries (and --split). */
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
 * After a push: bring the local branch (and, when it is checked out, the
 * work tree, safely) to the pushed commit, but only as a fast-forward:
 * commits of the user's that are not on the remote stay where they are.
 */
static void
follow(struct lc_promote *st, const git_oid *commit, const char *hex)
{
	struct lc_buf name = LC_BUF_INIT;
	git_oid local;
	int rc;

	lc_buf_printf(&name, "refs/heads/%s", st->branch);
	rc = git_reference_name_to_id(&local, st->repo, name.data);
	lc_buf_release(&name);
	if (rc == 0 &&
	    !git_oid_equal(&local, commit) &&
	    git_graph_descendant_of(st->repo, commit, &local) != 1) {
		lc_log_warn("pushed %.7s; the local branch '%s' has commits "
		    "that are not on the remote, so it stays where it is", hex,
		    st->branch);
		return;
	}
	if (lc_git_land(st->repo, st->branch, commit, 0) != 0)
		lc_log_warn("pushed %.7s, but the local branch could not "
		    "follow: %s", hex, lc_error_msg());
}

/*
 * The commit to build on: the remote branch's tip, fetched, or with
 * --no-push the local branch's.
 */
static int
base_tip(struct lc_promote *st, const struct lc_promote_opts *o, git_oid *tip)
{
	struct lc_buf name = LC_BUF_INIT;
	int rc, exists;

	if (o->no_push) {
		lc_buf_printf(&name, "refs/heads/%s", st->branch);
		rc = git_reference_name_to_id(tip, st->repo, name.data);
		lc_buf_release(&name);
		if (rc != 0)
			return lc_error_set(LC_ENOTFOUND, "there is no local "
			    "branch '%s'", st->branch);
		return 0;
	}
	if ((rc = lc_git_fetch(st->repo, st->remote, st->branch, tip, &exists,
	    &st->auth)) != 0)
		return rc;
	if (!exists)
		return lc_error_set(LC_ENOTFOUND, "the remote has no branch '%s'",
		    st->branch);
	return 0;
}

/*
 * Before attempt (> 0): 0 when the deadline has passed, else 1 after a
 * jittered pause.
 */
int
lc_promote_again(const struct lc_promote_opts *o, long long start, int attempt,
    enum lc_git_outcome oc)
{
	long long pause;

	if (o->deadline_ms && lc_clock_ms() - start >= o->deadline_ms)
		return 0;
	pause = lc_git_backoff(attempt - 1, 250, 2000);
	lc_log_info("attempt %d: %s; again on the new tip in %lld ms", attempt,
	    lc_git_outcome_name(oc), pause);
	lc_sleep_ms(pause);
	return 1;
}

int
lc_promote_dir_run(struct lc_promote *st, const struct lc_promote_opts *o)
{
	char tmpref[PATH_MAX_], hex[GIT_OID_HEXSZ + 1];
	struct lc_buf msg = LC_BUF_INIT, detail = LC_BUF_INIT;
	enum lc_git_outcome oc = LC_GIT_FAILED;
	git_oid tip, tree, commit;
	git_tree *t = NULL;
	git_reference *ref = NULL;
	long long start = lc_clock_ms();
	int attempt, rc = 0, changed, i;

	if ((rc = fit(tmpref, sizeof(tmpref), "the branch", "refs/promote/%s",
	    st->branch)) != 0)
		return rc;
	for (attempt = 0;; attempt++) {
		if (attempt > 0 && !lc_promote_again(o, start, attempt, oc))
			break;
		if ((rc = base_tip(st, o, &tip)) != 0) {
			if (rc != LC_ENOTFOUND && lc_git_fetch_outcome(rc) ==
			    LC_GIT_NETWORK) {
				oc = LC_GIT_NETWORK;
				continue;
			}
			goto out;
		}
		if (o->rollback && attempt == 0 && (rc = lc_promote_find_rollback(st, o,
		    &tip)) != 0)
			goto out;
		/* Re-derive the edit on this tip: never replay text. */
		if ((rc = lc_promote_plan(st, o, &tip)) != 0)
			goto out;
		for (changed = 0, i = 0; i < st->nt; i++)
			changed |= st->t[i].changed;
		if (attempt == 0 && st->nt > 0 && o->from)
			lc_promote_source_commit(st, &tip, st->t[0].src);
		if (!changed) {
			if (o->check)
				lc_log_info("%s already has these versions",
				    o->to);
			else if (o->from)
				lc_log_note("already promoted: %s runs what %s "
				    "runs", o->to, o->from);
			else
				lc_log_note("already there: %s has these "
				    "versions", o->to);
			rc = lc_promote_result(st, NULL, 0);
			goto out;
		}
		if (o->check) {
			if ((rc = lc_promote_result(st, NULL, 1)) == 0)
				rc = LC_ENO;
			goto out;
		}
		if (attempt == 0 && st->have_source && (rc = lc_promote_require_status(st,
		    o, &st->source_commit)) != 0)
			goto out;
		if (attempt == 0 && (rc = lc_promote_guards(st, o)) != 0)
			goto out;
		if (attempt == 0 && (o->verify || o->pin) && (rc = lc_promote_verify(st, o))
		    != 0)
			goto out;
		/* The digests --pin-digest found go in too. */
		if (attempt == 0 && st->npin > 0 && (rc = lc_promote_plan(st, o, &tip)) != 0)
			goto out;
		msg.len = 0;
		lc_promote_message(st, o, &msg);
		if (o->dry_run) {
			struct lc_promote_event ev;

			memset(&ev, 0, sizeof(ev));
			ev.what = LC_PROMOTE_DRY_RUN;
			ev.changed = 1;
			ev.message = msg.data;
			ev.dst_branch = st->branch;
			ev.head = st->head;
			rc = lc_promote_emit(st, &ev);
			goto out;
		}
		if ((rc = lc_promote_new_tree(st, &tip, &tree)) != 0)
			goto out;
		{
			git_commit *parent = NULL;

			if ((rc = git_tree_lookup(&t, st->repo, &tree)) != 0 ||
			    (rc = git_commit_lookup(&parent, st->repo, &tip)) !=
			    0)
				rc = lc_git_error(rc, "commit");
			else
				rc = lc_git_commit(st->repo, &commit, st->author,
				    st->committer, msg.data, t, 1,
				    (const git_commit **)&parent, o->sign);
			git_commit_free(parent);
			git_tree_free(t);
			t = NULL;
			if (rc != 0)
				goto out;
		}
		detail.len = 0;
		if (o->no_push) {
			/* Built on the local branch: it moves forward. */
			git_oid_tostr(hex, sizeof(hex), &commit);
			if ((rc = lc_git_land(st->repo, st->branch, &commit, 0))
			    == 0)
				rc = lc_promote_result(st, hex, 1);
			goto out;
		}
		if (o->pr) {
			/* The base branch stays; the change goes to review. */
			rc = lc_promote_pr_deliver(st, o, st->branch, &commit, msg.data,
			    &detail, &oc);
			if (st->have_pr)
				(void)lc_promote_result(st, st->pr_commit, 1);
			if (rc != 0 || oc == LC_GIT_LANDED)
				goto out;
		} else if ((rc = git_reference_create(&ref, st->repo, tmpref,
		    &commit, 1, "promote: attempt")) != 0) {
			rc = lc_git_error(rc, "ref");
			goto out;
		} else {
			git_reference_free(ref);
			oc = lc_git_push(st->remote, tmpref, st->branch, &detail,
			    &st->auth);
		}
		if (oc == LC_GIT_LANDED) {
			git_oid_tostr(hex, sizeof(hex), &commit);
			follow(st, &commit, hex);
			rc = lc_promote_result(st, hex, 1);
			goto out;
		}
		if (!lc_git_retryable(oc))
			break;
	}
	rc = lc_git_outcome_rc(oc, &detail, "at the deadline; nothing was "
	    "promoted");
out:
	git_reference_remove(st->repo, tmpref);
	lc_buf_release(&msg);
	lc_buf_release(&detail);
	return rc;
}

/*
 * --split: the apps --app matches, one promotion (commit, or pull request)
 * each, in order; a failure is reported and the others go on. The exit
 * status is the first failure's.
 */
int
lc_promote_split_run(struct lc_promote *st, const struct lc_promote_opts *o)
{
	struct lc_promote_names apps = { NULL, 0, 0 };
	struct lc_promote_opts one;
	git_commit *c = NULL;
	git_tree *tree = NULL;
	git_oid tip;
	int rc, n, i, k, first = 0;

	if ((rc = base_tip(st, o, &tip)) != 0)
		goto out;
	if ((rc = git_commit_lookup(&c, st->repo, &tip)) != 0 ||
	    (rc = git_commit_tree(&tree, c)) != 0) {
		rc = lc_git_error(rc, "read the tree");
		goto out;
	}
	if ((n = lc_promote_list_apps(st->repo, tree, o, &apps)) < 0) {
		rc = n;
		goto out;
	}
	for (i = 0; i < n; i++) {
		one = *o;
		one.apps = (const char *const *)&apps.v[i];
		one.napps = 1;
		for (k = 0; k < st->nt; k++) {
			lc_buf_release(&st->t[k].before);
			lc_buf_release(&st->t[k].after);
		}
		st->nt = st->nc = st->npin = st->have_source = st->have_pr = 0;
		memset(&st->pr, 0, sizeof(st->pr));
		if ((rc = lc_promote_head_name(&one, st->head, sizeof(st->head))) != 0 ||
		    (rc = lc_promote_dir_run(st, &one)) != 0) {
			if (rc != LC_ENO || lc_error_msg()[0])
				lc_log_error("%s: %s", apps.v[i], lc_error_msg());
			lc_error_clear();
			if (first == 0)
				first = rc;
		}
	}
	rc = first;
out:
	git_tree_free(tree);
	git_commit_free(c);
	lc_promote_names_release(&apps);
	return rc;
}
