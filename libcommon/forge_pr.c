/* forge_pr.c: pull requests: find, open, update, label and merge them. */
#include <string.h>

#include <curl/curl.h>
#include <jv.h>

#include "buf.h"
#include "error.h"
#include "forge.h"
#include "forge_int.h"
#include "http.h"
#include "jvutil.h"
#include "log.h"

static char *
esc(const char *s)
{
	char *e = curl_easy_escape(NULL, s, 0);

	if (e == NULL)
		lc_buf_oom();
	return e;
}

/*
 * Copy number and URL of a pull request object (GitLab: iid, web_url); a
 * URL or node id longer than its field is refused, not cut.
 */
static int
take(struct lc_forge *f, jv pr, struct lc_forge_pr *out, char *node,
    size_t nn)
{
	jv n = lc_jvutil_get(pr, f->kind == LC_FORGE_GITLAB ? "iid" : "number");
	const char *url = lc_jvutil_str(pr, f->kind == LC_FORGE_GITLAB ?
	    "web_url" : "html_url");
	const char *id = lc_jvutil_str(pr, "node_id");

	out->number = jv_get_kind(n) == JV_KIND_NUMBER ?
	    (long)jv_number_value(n) : 0;
	jv_free(n);
	if (strlen(url) >= sizeof(out->url) || (node && strlen(id) >= nn))
		return lc_error_set(LC_EDATA, "%s: the pull request's %s is "
		    "longer than %zu bytes", lc_forge_name(f), strlen(url) >=
		    sizeof(out->url) ? "URL" : "node id", strlen(url) >=
		    sizeof(out->url) ? sizeof(out->url) - 1 : nn - 1);
	memcpy(out->url, url, strlen(url) + 1);
	if (node)
		memcpy(node, id, strlen(id) + 1);
	return 0;
}

/* The open pull request head -> base: 1 found, 0 none, or an LC_E* code. */
static int
find(struct lc_forge *f, const struct lc_forge_pr_req *rq,
    struct lc_forge_pr *pr, char *node, size_t nn)
{
	struct lc_buf p = LC_BUF_INIT;
	char *h = esc(rq->head), *b = esc(rq->base);
	long st = 0;
	jv j = jv_null(), x;
	int rc, i, n, page, found = 0;

	if (f->kind == LC_FORGE_GITHUB) {
		char *o = esc(f->owner);

		lc_buf_printf(&p, "/repos/%s/%s/pulls?state=open&head=%s%%3A%s&"
		    "base=%s", f->owner, f->repo, o, h, b);
		curl_free(o);
	} else if (f->kind == LC_FORGE_GITLAB)
		lc_buf_printf(&p, "/projects/%s/merge_requests?state=opened&"
		    "source_branch=%s&target_branch=%s", f->project, h, b);
	else {
		/* Gitea 1.17+: GET pulls/{base}/{head}; a 404 there is also
		 * what older servers answer, so the list decides then. */
		lc_buf_printf(&p, "/repos/%s/%s/pulls/%s/%s", f->owner, f->repo,
		    b, h);
		if ((rc = lc_forge_call(f, "GET", p.data, jv_invalid(), &st,
		    &j)) != 0)
			goto out;
		if (st == 200 && jv_get_kind(j) == JV_KIND_OBJECT &&
		    strcmp(lc_jvutil_str(j, "state"), "open") == 0) {
			rc = take(f, j, pr, node, nn);
			found = 1;
			goto out;
		}
		if (st != 404 && st != 200) {
			rc = lc_forge_refused(f, "find the pull request", st,
			    j);
			goto out;
		}
		for (page = 1; page <= 20 && !found; page++) {
			jv_free(j);
			p.len = 0;
			lc_buf_printf(&p, "/repos/%s/%s/pulls?state=open&limit=50&"
			    "page=%d", f->owner, f->repo, page);
			if ((rc = lc_forge_call(f, "GET", p.data, jv_invalid(),
			    &st, &j)) != 0)
				goto out;
			if (st != 200 || jv_get_kind(j) != JV_KIND_ARRAY) {
				rc = lc_forge_refused(f,
				    "list the pull requests", st, j);
				goto out;
			}
			n = jv_array_length(jv_copy(j));
			for (i = 0; i < n && !found; i++) {
				x = jv_array_get(jv_copy(j), i);
				if (strcmp(lc_jvutil_str(x, "head.ref"), rq->head) ==
				    0 && strcmp(lc_jvutil_str(x, "base.ref"),
				    rq->base) == 0) {
					rc = take(f, x, pr, node, nn);
					found = 1;
				}
				jv_free(x);
			}
			if (rc != 0 || n < 50)
				break;
		}
		goto out;
	}
	if ((rc = lc_forge_call(f, "GET", p.data, jv_invalid(), &st, &j)) != 0)
		goto out;
	if (st != 200 || jv_get_kind(j) != JV_KIND_ARRAY) {
		rc = lc_forge_refused(f, "find the pull request", st, j);
		goto out;
	}
	if (jv_array_length(jv_copy(j)) > 0) {
		x = jv_array_get(jv_copy(j), 0);
		rc = take(f, x, pr, node, nn);
		jv_free(x);
		found = 1;
	}
out:
	jv_free(j);
	curl_free(h);
	curl_free(b);
	lc_buf_release(&p);
	return rc != 0 ? rc : found;
}

/* Gitea wants label ids: look the names up; unknown ones are left out. */
static int
gitea_labels(struct lc_forge *f, const struct lc_forge_pr_req *rq, jv *ids)
{
	struct lc_buf p = LC_BUF_INIT;
	long st = 0;
	jv j = jv_null(), x;
	int rc, i, k, n, hit;

	*ids = jv_array();
	if (rq->nlabels == 0)
		return 0;
	lc_buf_printf(&p, "/repos/%s/%s/labels?limit=50", f->owner, f->repo);
	rc = lc_forge_call(f, "GET", p.data, jv_invalid(), &st, &j);
	lc_buf_release(&p);
	if (rc != 0)
		return rc;
	if (st != 200 || jv_get_kind(j) != JV_KIND_ARRAY) {
		rc = lc_forge_refused(f, "list the labels", st, j);
		jv_free(j);
		return rc;
	}
	n = jv_array_length(jv_copy(j));
	for (k = 0; k < rq->nlabels; k++) {
		for (hit = 0, i = 0; i < n && !hit; i++) {
			x = jv_array_get(jv_copy(j), i);
			if (strcmp(lc_jvutil_str(x, "name"),
			    rq->labels[k]) == 0) {
				*ids = jv_array_append(*ids, lc_jvutil_get(x, "id"));
				hit = 1;
			}
			jv_free(x);
		}
		if (!hit)
			lc_log_warn("%s has no label '%s': not added (Gitea "
			    "labels must exist first)", f->slug, rq->labels[k]);
	}
	jv_free(j);
	return 0;
}

/* "a,b,c" for GitLab. */
static jv
label_list(const struct lc_forge_pr_req *rq)
{
	struct lc_buf b = LC_BUF_INIT;
	jv s;
	int i;

	for (i = 0; i < rq->nlabels; i++)
		lc_buf_printf(&b, "%s%s", i ? "," : "", rq->labels[i]);
	s = jv_string(b.data ? b.data : "");
	lc_buf_release(&b);
	return s;
}

/* Title with the forge's draft marker where drafts are a title prefix. */
static jv
title_of(struct lc_forge *f, const struct lc_forge_pr_req *rq)
{
	struct lc_buf b = LC_BUF_INIT;
	jv s;

	if (rq->draft && f->kind == LC_FORGE_GITLAB)
		lc_buf_adds(&b, "Draft: ");
	else if (rq->draft && f->kind == LC_FORGE_GITEA)
		lc_buf_adds(&b, "WIP: ");
	lc_buf_adds(&b, rq->title);
	s = jv_string(b.data);
	lc_buf_release(&b);
	return s;
}

static int
create(struct lc_forge *f, const struct lc_forge_pr_req *rq,
    struct lc_forge_pr *pr, char *node, size_t nn, jv label_ids)
{
	struct lc_buf p = LC_BUF_INIT;
	long st = 0;
	jv body = jv_object(), j;
	int rc;

	if (f->kind == LC_FORGE_GITLAB) {
		lc_buf_printf(&p, "/projects/%s/merge_requests", f->project);
		body = jv_object_set(body, jv_string("source_branch"),
		    jv_string(rq->head));
		body = jv_object_set(body, jv_string("target_branch"),
		    jv_string(rq->base));
		body = jv_object_set(body, jv_string("title"), title_of(f, rq));
		body = jv_object_set(body, jv_string("description"),
		    jv_string(rq->body));
		body = jv_object_set(body, jv_string("remove_source_branch"),
		    jv_true());
		if (rq->nlabels)
			body = jv_object_set(body, jv_string("labels"),
			    label_list(rq));
	} else {
		lc_buf_printf(&p, "/repos/%s/%s/pulls", f->owner, f->repo);
		body = jv_object_set(body, jv_string("title"), title_of(f, rq));
		body = jv_object_set(body, jv_string("head"),
		    jv_string(rq->head));
		body = jv_object_set(body, jv_string("base"),
		    jv_string(rq->base));
		body = jv_object_set(body, jv_string("body"),
		    jv_string(rq->body));
		if (f->kind == LC_FORGE_GITHUB)
			body = jv_object_set(body, jv_string("draft"), rq->draft ?
			    jv_true() : jv_false());
		else if (rq->nlabels)
			body = jv_object_set(body, jv_string("labels"),
			    jv_copy(label_ids));
	}
	rc = lc_forge_call(f, "POST", p.data, body, &st, &j);
	lc_buf_release(&p);
	if (rc != 0)
		return rc;
	if (st == 201) {
		rc = take(f, j, pr, node, nn);
		pr->created = 1;
		jv_free(j);
		return rc != 0 ? rc : 1;
	}
	/* Somebody opened it since our lookup: update it instead. */
	if ((f->kind == LC_FORGE_GITHUB && st == 422) || (f->kind !=
	    LC_FORGE_GITHUB && st == 409)) {
		char why[400];

		lc_forge_reason(j, why, sizeof(why));
		if (lc_forge_icontains(why, "already exist")) {
			lc_log_info("%s: %s; updating it", lc_forge_name(f), why);
			jv_free(j);
			return 0;
		}
	}
	rc = lc_forge_refused(f, "open the pull request", st, j);
	jv_free(j);
	return rc;
}

static int
update(struct lc_forge *f, const struct lc_forge_pr_req *rq,
    const struct lc_forge_pr *pr, jv label_ids)
{
	struct lc_buf p = LC_BUF_INIT;
	long st = 0;
	jv body = jv_object(), j;
	int rc;

	body = jv_object_set(body, jv_string("title"), title_of(f, rq));
	body = jv_object_set(body, jv_string(f->kind == LC_FORGE_GITLAB ?
	    "description" : "body"), jv_string(rq->body));
	if (f->kind == LC_FORGE_GITLAB) {
		lc_buf_printf(&p, "/projects/%s/merge_requests/%ld", f->project,
		    pr->number);
		if (rq->nlabels)
			body = jv_object_set(body, jv_string("add_labels"),
			    label_list(rq));
	} else {
		lc_buf_printf(&p, "/repos/%s/%s/pulls/%ld", f->owner, f->repo,
		    pr->number);
		if (f->kind == LC_FORGE_GITEA && rq->nlabels)
			body = jv_object_set(body, jv_string("labels"),
			    jv_copy(label_ids));
	}
	rc = lc_forge_call(f, f->kind == LC_FORGE_GITLAB ? "PUT" : "PATCH",
	    p.data, body, &st, &j);
	lc_buf_release(&p);
	if (rc == 0 && st != 200 && st != 201)
		rc = lc_forge_refused(f, "update the pull request", st, j);
	jv_free(j);
	return rc;
}

/* GitHub: labels are an issue's, added after create. */
static int
github_labels(struct lc_forge *f, const struct lc_forge_pr_req *rq,
    const struct lc_forge_pr *pr)
{
	struct lc_buf p = LC_BUF_INIT;
	long st = 0;
	jv l = jv_array(), j;
	int i, rc;

	if (rq->nlabels == 0)
		return 0;
	for (i = 0; i < rq->nlabels; i++)
		l = jv_array_append(l, jv_string(rq->labels[i]));
	lc_buf_printf(&p, "/repos/%s/%s/issues/%ld/labels", f->owner, f->repo,
	    pr->number);
	rc = lc_forge_call(f, "POST", p.data, jv_object_set(jv_object(),
	    jv_string("labels"), l), &st, &j);
	lc_buf_release(&p);
	if (rc == 0 && st != 200)
		rc = lc_forge_refused(f, "label the pull request", st, j);
	jv_free(j);
	return rc;
}

/*
 * A merge the forge will not do: 405, 409 and 422 are the head having moved,
 * conflicts or a state that cannot merge (exit 5); the rest as
 * lc_forge_refused().
 */
static int
unmergeable(struct lc_forge *f, const char *what, long st, jv j)
{
	char why[400];

	if (st != 405 && st != 409 && st != 422)
		return lc_forge_refused(f, what, st, j);
	lc_forge_reason(j, why, sizeof(why));
	return lc_error_set(LC_ECONFLICT, "%s: %s will not merge it (%ld)%s%s",
	    what, lc_forge_name(f), st, *why ? ": " : "", why);
}

static int
merge_now_github(struct lc_forge *f, const struct lc_forge_pr_req *rq,
    struct lc_forge_pr *pr)
{
	struct lc_buf p = LC_BUF_INIT;
	long st = 0;
	jv body = jv_object(), j;
	int rc;

	lc_buf_printf(&p, "/repos/%s/%s/pulls/%ld/merge", f->owner, f->repo,
	    pr->number);
	body = jv_object_set(body, jv_string("merge_method"),
	    jv_string(rq->merge));
	body = jv_object_set(body, jv_string("sha"), jv_string(rq->head_sha));
	rc = lc_forge_call(f, "PUT", p.data, body, &st, &j);
	lc_buf_release(&p);
	if (rc == 0 && st == 200)
		pr->merged = 1;
	else if (rc == 0)
		rc = unmergeable(f, "merge the pull request", st, j);
	jv_free(j);
	return rc;
}

static int
auto_merge(struct lc_forge *f, const struct lc_forge_pr_req *rq,
    struct lc_forge_pr *pr, const char *node)
{
	struct lc_buf p = LC_BUF_INIT;
	char why[400], method[16];
	long st = 0;
	jv body = jv_object(), j, e;
	int rc, i;

	if (f->kind == LC_FORGE_GITHUB) {
		struct lc_http_resp r = LC_HTTP_RESP_INIT;
		struct lc_http_req q;
		const char *hdrs[4] = { f->auth, "Content-Type: application/json",
		    "Accept: application/vnd.github+json", NULL };
		jv s;

		for (i = 0; rq->merge[i] && i < 15; i++)
			method[i] = (char)(rq->merge[i] & ~0x20);
		method[i] = '\0';
		body = jv_object_set(body, jv_string("query"), jv_string(
		    "mutation($id: ID!, $m: PullRequestMergeMethod!) {"
		    " enablePullRequestAutoMerge(input: {pullRequestId: $id,"
		    " mergeMethod: $m}) { pullRequest { number } } }"));
		body = jv_object_set(body, jv_string("variables"),
		    jv_object_set(jv_object_set(jv_object(), jv_string("id"),
		    jv_string(node)), jv_string("m"), jv_string(method)));
		s = jv_dump_string(body, 0);
		memset(&q, 0, sizeof(q));
		q.method = "POST";
		q.url = f->graphql;
		q.headers = hdrs;
		q.body = jv_string_value(s);
		q.body_len = strlen(jv_string_value(s));
		q.deadline = f->deadline;
		rc = lc_http_request(f->http, &q, &r, NULL);
		jv_free(s);
		j = rc == 0 && r.body.len ? jv_parse_sized(r.body.data,
		    (int)r.body.len) : jv_null();
		st = r.status;
		lc_http_resp_release(&r);
		if (rc != 0) {
			jv_free(j);
			return rc;
		}
		if (st != 200) {
			rc = lc_forge_refused(f, "enable auto-merge", st, j);
			jv_free(j);
			return rc;
		}
		e = lc_jvutil_get(j, "errors");
		jv_free(j);
		if (jv_get_kind(e) != JV_KIND_ARRAY ||
		    jv_array_length(jv_copy(e)) == 0) {
			jv_free(e);
			pr->auto_merge = 1;
			return 0;
		}
		j = jv_object_set(jv_object(), jv_string("errors"), e);
		lc_forge_reason(j, why, sizeof(why));
		jv_free(j);
		/* Nothing to wait for: GitHub wants a plain merge. */
		if (lc_forge_icontains(why, "clean status")) {
			lc_log_info("GitHub: %s; merging now", why);
			if ((rc = merge_now_github(f, rq, pr)) == 0)
				pr->auto_merge = 1;
			return rc;
		}
		return lc_error_set(LC_ERROR, "enable auto-merge: GitHub: %s",
		    why);
	}
	if (f->kind == LC_FORGE_GITLAB) {
		lc_buf_printf(&p, "/projects/%s/merge_requests/%ld/merge",
		    f->project, pr->number);
		body = jv_object_set(body, jv_string("sha"),
		    jv_string(rq->head_sha));
		body = jv_object_set(body, jv_string(
		    "merge_when_pipeline_succeeds"), jv_true());
		if (strcmp(rq->merge, "squash") == 0)
			body = jv_object_set(body, jv_string("squash"), jv_true());
		rc = lc_forge_call(f, "PUT", p.data, body, &st, &j);
	} else {
		lc_buf_printf(&p, "/repos/%s/%s/pulls/%ld/merge", f->owner,
		    f->repo, pr->number);
		body = jv_object_set(body, jv_string("Do"), jv_string(rq->merge));
		body = jv_object_set(body, jv_string("head_commit_id"),
		    jv_string(rq->head_sha));
		body = jv_object_set(body, jv_string("merge_when_checks_succeed"),
		    jv_true());
		body = jv_object_set(body, jv_string("delete_branch_after_merge"),
		    jv_true());
		rc = lc_forge_call(f, "POST", p.data, body, &st, &j);
	}
	lc_buf_release(&p);
	if (rc != 0)
		return rc;
	lc_forge_reason(j, why, sizeof(why));
	if (st == 200 || st == 201 || (st == 409 && lc_forge_icontains(why,
	    "already scheduled")))
		pr->auto_merge = 1;
	else
		rc = unmergeable(f, "enable auto-merge", st, j);
	jv_free(j);
	return rc;
}

int
lc_forge_pr_find(struct lc_forge *f, const struct lc_forge_pr_req *rq,
    struct lc_forge_pr *pr)
{
	int rc;

	memset(pr, 0, sizeof(*pr));
	if ((rc = find(f, rq, pr, pr->node, sizeof(pr->node))) < 0)
		return rc;
	pr->looked = 1;
	return 0;
}

int
lc_forge_pr_open(struct lc_forge *f, const struct lc_forge_pr_req *rq,
    struct lc_forge_pr *pr)
{
	char *node = pr->node;
	jv ids = jv_array();
	int rc, tries, looked = pr->looked, number = pr->number != 0;

	if (!looked)
		memset(pr, 0, sizeof(*pr));
	pr->looked = 0;
	if (f->kind == LC_FORGE_GITEA && (rc = gitea_labels(f, rq, &ids)) != 0)
		goto out;
	/* Find, else create; a create that finds one after all looks again.
	 * The first lookup may have been made already, before the push. */
	for (tries = 0; tries < 2; tries++) {
		if (tries == 0 && looked)
			rc = number;
		else
			rc = find(f, rq, pr, node, sizeof(pr->node));
		if (rc < 0 || rc > 0)
			break;
		if ((rc = create(f, rq, pr, node, sizeof(pr->node), ids)) != 0)
			break;
	}
	if (rc < 0)
		goto out;
	if (rc == 0) {
		rc = lc_error_set(LC_ERROR, "%s said the pull request %s -> %s "
		    "exists, but does not list it", lc_forge_name(f), rq->head,
		    rq->base);
		goto out;
	}
	rc = 0;
	if (!pr->created && (rc = update(f, rq, pr, ids)) != 0)
		goto out;
	if (f->kind == LC_FORGE_GITHUB && (rc = github_labels(f, rq, pr)) != 0)
		goto out;
	if (rq->merge)
		rc = auto_merge(f, rq, pr, node);
out:
	jv_free(ids);
	return rc;
}
