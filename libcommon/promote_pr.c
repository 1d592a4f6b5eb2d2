/* promote_pr.c: --pr and --require-status: the work branch, the forge, the pull request. */
#include <stdio.h>
#include <string.h>

#include <git2.h>

#include "buf.h"
#include "clock.h"
#include "error.h"
#include "fileio.h"
#include "forge.h"
#include "git.h"
#include "log.h"
#include "promote_int.h"
#include "sha256.h"

/*
 * The work branch: --head-branch (default promote/{to}/{app}) with {to},
 * {from} and {app} put in. {app} is the one --app given, "all" without
 * --app, and for several (or a glob) "apps-" and a hash of the list, so
 * that a rerun of the same promotion finds the same branch and pull request.
 */
int
lc_promote_head_name(const struct lc_promote_opts *o, char *out, size_t n)
{
	unsigned char h[32];
	struct lc_sha256 c;
	struct lc_buf b = LC_BUF_INIT;
	char app[APP_MAX];
	const char *p = o->head_tmpl ? o->head_tmpl : "promote/{to}/{app}";
	const char *v;
	int i, rc;

	if (o->napps == 0)
		snprintf(app, sizeof(app), "all");
	else if (o->napps == 1 && strpbrk(o->apps[0], "*?[") == NULL) {
		if ((rc = fit(app, sizeof(app), "--app", "%s", o->apps[0])) != 0)
			return rc;
	} else {
		lc_sha256_init(&c);
		for (i = 0; i < o->napps; i++)
			lc_sha256_update(&c, o->apps[i], strlen(o->apps[i]) + 1);
		lc_sha256_final(&c, h);
		snprintf(app, sizeof(app), "apps-%02x%02x%02x%02x", h[0], h[1],
		    h[2], h[3]);
	}
	while (*p) {
		v = NULL;
		if (strncmp(p, "{to}", 4) == 0 || strncmp(p, "{env}", 5) == 0)
			v = o->to;
		else if (strncmp(p, "{from}", 6) == 0)
			v = o->from ? o->from : o->rollback ? "rollback" : "set";
		else if (strncmp(p, "{app}", 5) == 0)
			v = app;
		if (v == NULL) {
			lc_buf_addc(&b, *p++);
			continue;
		}
		lc_buf_adds(&b, v);
		p = strchr(p, '}') + 1;
	}
	rc = fit(out, n, "the work branch", "%s", b.data ? b.data : "");
	lc_buf_release(&b);
	return rc;
}

/* Whether commits a and b are the same change: same tree, same parents. */
static int
same_change(git_repository *repo, const git_oid *a, const git_oid *b)
{
	git_commit *ca = NULL, *cb = NULL;
	unsigned int i;
	int same = 0;

	if (git_commit_lookup(&ca, repo, a) == 0 &&
	    git_commit_lookup(&cb, repo, b) == 0 &&
	    git_oid_equal(git_commit_tree_id(ca), git_commit_tree_id(cb)) &&
	    git_commit_parentcount(ca) == git_commit_parentcount(cb)) {
		same = 1;
		for (i = 0; i < git_commit_parentcount(ca); i++)
			same &= git_oid_equal(git_commit_parent_id(ca, i),
			    git_commit_parent_id(cb, i));
	}
	git_commit_free(ca);
	git_commit_free(cb);
	return same;
}

/* The forge of the remote, once (--pr, --require-status). */
static int
open_forge(struct lc_promote *st, const struct lc_promote_opts *o)
{
	struct lc_forge_conf fc;

	if (st->forge)
		return 0;
	memset(&fc, 0, sizeof(fc));
	fc.kind = o->provider;
	fc.api_url = o->api_url;
	fc.remote_url = git_remote_url(st->remote);
	fc.token_file = o->token_file;
	fc.deadline = o->deadline_ms ? lc_clock_ms() + o->deadline_ms : 0;
	return lc_forge_open(&st->forge, &fc);
}

/*
 * --require-status: the source commit (the last one that changed the
 * source, or the source branch's tip) must be green on the forge.
 */
int
lc_promote_require_status(struct lc_promote *st,
    const struct lc_promote_opts *o, const git_oid *sha)
{
	char hex[GIT_OID_HEXSZ + 1];
	int rc;

	if (!o->require_status)
		return 0;
	if ((rc = open_forge(st, o)) != 0)
		return rc;
	git_oid_tostr(hex, sizeof(hex), sha);
	if ((rc = lc_forge_commit_green(st->forge, hex, o->status_context)) ==
	    LC_ENO) {
		char why[512];

		snprintf(why, sizeof(why), "%s", lc_error_msg());
		return lc_error_set(LC_ENO, "--require-status: %s; nothing was "
		    "promoted", why);
	}
	if (rc == 0)
		lc_log_info("%.7s is green on %s", hex, lc_forge_name(st->forge));
	return rc;
}

/*
 * Deliver commit (made on base's tip) as a pull request: it goes to the
 * work branch, forced with a lease on what the branch was (unless that is
 * already the same change: a rerun pushes nothing), and the pull request
 * from it into base is opened or updated. *oc says how the push went; a
 * lost lease is LC_GIT_RACE, for the caller's retry loop.
 */
int
lc_promote_pr_deliver(struct lc_promote *st, const struct lc_promote_opts *o,
    const char *base, const git_oid *commit, const char *msg,
    struct lc_buf *detail, enum lc_git_outcome *oc)
{
	struct lc_forge_pr_req rq;
	struct lc_buf body = LC_BUF_INIT, title = LC_BUF_INIT;
	char tmpref[300], hex[GIT_OID_HEXSZ + 1];
	git_reference *ref = NULL;
	git_oid htip, sent;
	const char *nl;
	int rc, exists;

	*oc = LC_GIT_FAILED;
	/* Title: --title, else the commit's subject; body: --body-file,
	 * else the rest of the commit message (its trailers included). */
	nl = strchr(msg, '\n');
	if (o->title)
		lc_buf_adds(&title, o->title);
	else
		lc_buf_add(&title, msg, nl ? (size_t)(nl - msg) : strlen(msg));
	if (o->body_file) {
		if ((rc = lc_fileio_read(&body, o->body_file)) != 0)
			goto out;
	} else {
		lc_buf_adds(&body, nl ? nl + strspn(nl, "\n") : "");
		lc_buf_printf(&body, "\nOpened by promote %s.\n", VERSION);
	}
	memset(&rq, 0, sizeof(rq));
	rq.head = st->head;
	rq.base = base;
	rq.title = title.data;
	rq.body = body.data;
	rq.labels = o->labels;
	rq.nlabels = o->nlabels;
	rq.draft = o->draft;
	rq.merge = o->merge;
	/*
	 * Which forge, its token, and one authenticated read (the lookup of
	 * the open pull request) first: a token the forge refuses, a forge
	 * that is down or does not answer by the deadline stops us here,
	 * with nothing pushed.
	 */
	if ((rc = open_forge(st, o)) != 0 ||
	    (rc = lc_forge_pr_find(st->forge, &rq, &st->pr)) != 0)
		goto out;
	if ((rc = lc_git_fetch(st->repo, st->remote, st->head, &htip, &exists,
	    &st->auth)) != 0) {
		*oc = lc_git_fetch_outcome(rc);
		rc = *oc == LC_GIT_NETWORK ? 0 : rc;
		goto out;
	}
	git_oid_cpy(&sent, commit);
	if (exists && same_change(st->repo, &htip, commit)) {
		lc_log_info("%s already holds this change", st->head);
		git_oid_cpy(&sent, &htip);
		*oc = LC_GIT_LANDED;
	} else {
		snprintf(tmpref, sizeof(tmpref), "refs/promote/pr/%s", st->head);
		if ((rc = git_reference_create(&ref, st->repo, tmpref, commit, 1,
		    "promote: pull request")) != 0) {
			rc = lc_git_error(rc, "ref");
			goto out;
		}
		git_reference_free(ref);
		*oc = lc_git_push_lease(st->remote, tmpref, st->head, exists ?
		    &htip : NULL, detail, &st->auth);
		git_reference_remove(st->repo, tmpref);
		if (*oc != LC_GIT_LANDED) {
			rc = 0;
			goto out;
		}
	}
	git_oid_tostr(hex, sizeof(hex), &sent);
	memcpy(st->pr_commit, hex, sizeof(hex));
	rq.head_sha = hex;
	if ((rc = lc_forge_pr_open(st->forge, &rq, &st->pr)) == 0 ||
	    st->pr.url[0])
		st->have_pr = 1;
	if (rc == 0)
		lc_log_info("%s pull request #%ld %s: %s",
		    lc_forge_name(st->forge), st->pr.number, st->pr.created ?
		    "opened" : "updated", st->pr.url);
out:
	lc_buf_release(&body);
	lc_buf_release(&title);
	return rc;
}
