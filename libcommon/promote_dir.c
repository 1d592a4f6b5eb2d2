/* promote_dir.c: --strategy dir: edit the files of -t, commit, push with retries (and --split). */
#include <stdio.h>
#include <string.h>

#include <git2.h>

#include "buf.h"
#include "clock.h"
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

/* What the attempts of one promotion share. */
struct dir_try {
	struct lc_promote *st;
	const struct lc_promote_opts *o;
	char tmpref[PATH_MAX_];
	struct lc_buf msg, detail;
};

/*
 * One attempt (an lc_git_attempt_fn): plan on the remote's tip, commit,
 * push (or deliver the pull request).
 */
static int
dir_attempt(void *arg, int attempt, enum lc_git_outcome *oc)
{
	struct dir_try *d = arg;
	struct lc_promote *st = d->st;
	const struct lc_promote_opts *o = d->o;
	char hex[GIT_OID_HEXSZ + 1];
	git_oid tip, tree, commit;
	git_tree *t = NULL;
	int rc, changed, i;

	if ((rc = base_tip(st, o, &tip)) != 0) {
		if (rc != LC_ENOTFOUND && lc_git_fetch_outcome(rc) ==
		    LC_GIT_NETWORK) {
			*oc = LC_GIT_NETWORK;
			return 1;
		}
		return rc;
	}
	if (o->rollback && attempt == 0 &&
	    (rc = lc_promote_find_rollback(st, o, &tip)) != 0)
		return rc;
	/* Re-derive the edit on this tip: never replay text. */
	if ((rc = lc_promote_plan(st, o, &tip)) != 0)
		return rc;
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
		return rc;
	}
	if (o->check) {
		if ((rc = lc_promote_result(st, NULL, 1)) == 0)
			rc = LC_ENO;
		return rc;
	}
	if (attempt == 0 && st->have_source &&
	    (rc = lc_promote_require_status(st, o, &st->source_commit)) != 0)
		return rc;
	if (attempt == 0 && (rc = lc_promote_guards(st, o)) != 0)
		return rc;
	if (attempt == 0 && (o->verify || o->pin) &&
	    (rc = lc_promote_verify(st, o)) != 0)
		return rc;
	/* The digests --pin-digest found go in too. */
	if (attempt == 0 && st->npin > 0 &&
	    (rc = lc_promote_plan(st, o, &tip)) != 0)
		return rc;
	d->msg.len = 0;
	lc_promote_message(st, o, &d->msg);
	if (o->dry_run) {
		struct lc_promote_event ev;

		memset(&ev, 0, sizeof(ev));
		ev.what = LC_PROMOTE_DRY_RUN;
		ev.changed = 1;
		ev.message = d->msg.data;
		ev.dst_branch = st->branch;
		ev.head = st->head;
		rc = lc_promote_emit(st, &ev);
		return rc;
	}
	if ((rc = lc_promote_new_tree(st, &tip, &tree)) != 0)
		return rc;
	{
		git_commit *parent = NULL;

		if ((rc = git_tree_lookup(&t, st->repo, &tree)) != 0 ||
		    (rc = git_commit_lookup(&parent, st->repo, &tip)) !=
		    0)
			rc = lc_git_error(rc, "commit");
		else
			rc = lc_git_commit(st->repo, &commit, st->author,
			    st->committer, d->msg.data, t, 1,
			    (const git_commit **)&parent, o->sign);
		git_commit_free(parent);
		git_tree_free(t);
		t = NULL;
		if (rc != 0)
			return rc;
	}
	d->detail.len = 0;
	if (o->no_push) {
		/* Built on the local branch: it moves forward. */
		git_oid_tostr(hex, sizeof(hex), &commit);
		if ((rc = lc_git_land(st->repo, st->branch, &commit, 0))
		    == 0)
			rc = lc_promote_result(st, hex, 1);
		return rc;
	}
	/* With --pr the base branch stays; the change goes to review. */
	rc = lc_promote_deliver(st, o, st->branch, d->tmpref, &commit,
	    d->msg.data, &d->detail, oc, "ref");
	if (o->pr && st->have_pr)
		(void)lc_promote_result(st, st->pr_commit, 1);
	if (rc != 0 || (o->pr && *oc == LC_GIT_LANDED))
		return rc;
	if (*oc == LC_GIT_LANDED) {
		git_oid_tostr(hex, sizeof(hex), &commit);
		follow(st, &commit, hex);
		rc = lc_promote_result(st, hex, 1);
		return rc;
	}
	return 1;
}

int
lc_promote_dir_run(struct lc_promote *st, const struct lc_promote_opts *o)
{
	struct dir_try d;
	int rc;

	memset(&d, 0, sizeof(d));
	d.st = st;
	d.o = o;
	if ((rc = fit(d.tmpref, sizeof(d.tmpref), "the branch",
	    "refs/promote/%s", st->branch)) != 0)
		return rc;
	rc = lc_promote_retry(o, dir_attempt, &d, &d.detail);
	git_reference_remove(st->repo, d.tmpref);
	lc_buf_release(&d.msg);
	lc_buf_release(&d.detail);
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
		if ((rc = lc_promote_head_name(&one, st->head,
		    sizeof(st->head))) != 0 ||
		    (rc = lc_promote_dir_run(st, &one)) != 0) {
			if (rc != LC_ENO || lc_error_msg()[0])
				lc_log_error("%s: %s", apps.v[i],
				    lc_error_msg());
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
