/* forge_status.c: whether a commit is green on the forge (commit status). */
#include <string.h>

#include <jv.h>

#include "buf.h"
#include "error.h"
#include "forge.h"
#include "forge_int.h"
#include "jvutil.h"

/* Add "name state" to the list of what is not green. */
static void
not_green(struct lc_buf *b, const char *name, const char *state)
{
	lc_buf_printf(b, "%s%s %s", b->len ? ", " : "", *name ? name : "(unnamed)",
	    state);
}

/* GET path, expecting 200 and JSON of kind k. */
static int
get_json(struct lc_forge *f, const char *path, const char *what, jv_kind k,
    jv *j)
{
	long st = 0;
	int rc;

	if ((rc = lc_forge_call(f, "GET", path, jv_invalid(), &st, j)) != 0)
		return rc;
	if (st != 200 || jv_get_kind(*j) != k) {
		rc = lc_forge_refused(f, what, st, *j);
		jv_free(*j);
		*j = jv_null();
	}
	return rc;
}

int
lc_forge_commit_green(struct lc_forge *f, const char *sha,
    const char *context)
{
	struct lc_buf p = LC_BUF_INIT, bad = LC_BUF_INIT;
	jv j = jv_null(), l, x;
	int rc, i, n, seen = 0;
	const char *state, *name;

	if (f->kind == LC_FORGE_GITLAB) {
		/* A named job's status; else the newest pipeline. */
		if (context)
			lc_buf_printf(&p, "/projects/%s/repository/commits/%s/"
			    "statuses?all=true", f->project, sha);
		else
			lc_buf_printf(&p, "/projects/%s/pipelines?sha=%s&"
			    "order_by=id&sort=desc&per_page=1", f->project, sha);
		if ((rc = get_json(f, p.data, "commit status", JV_KIND_ARRAY,
		    &j)) != 0)
			goto out;
		n = jv_array_length(jv_copy(j));
		for (i = 0; i < n; i++) {
			x = jv_array_get(jv_copy(j), i);
			name = context ? lc_jvutil_str(x, "name") : "pipeline";
			state = lc_jvutil_str(x, "status");
			if (!context || strcmp(name, context) == 0) {
				seen = 1;
				if (strcmp(state, "success") != 0)
					not_green(&bad, name, state);
				if (!context)
					i = n;	/* the newest only */
			}
			jv_free(x);
		}
	} else {
		/* Statuses (GitHub and Gitea alike). */
		lc_buf_printf(&p, "/repos/%s/%s/commits/%s/status", f->owner,
		    f->repo, sha);
		if ((rc = get_json(f, p.data, "commit status", JV_KIND_OBJECT,
		    &j)) != 0)
			goto out;
		l = lc_jvutil_get(j, "statuses");
		n = jv_get_kind(l) == JV_KIND_ARRAY ? jv_array_length(jv_copy(l)) :
		    0;
		for (i = 0; i < n; i++) {
			x = jv_array_get(jv_copy(l), i);
			name = lc_jvutil_str(x, "context");
			state = lc_jvutil_str(x, f->kind == LC_FORGE_GITEA ? "status" :
			    "state");
			if (!*state)
				state = lc_jvutil_str(x, "state");
			if (!context || strcmp(name, context) == 0) {
				seen = 1;
				if (strcmp(state, "success") != 0)
					not_green(&bad, name, state);
			}
			jv_free(x);
		}
		jv_free(l);
		jv_free(j);
		j = jv_null();
		/* GitHub's check runs are a separate system: both count. */
		if (f->kind == LC_FORGE_GITHUB) {
			p.len = 0;
			lc_buf_printf(&p, "/repos/%s/%s/commits/%s/check-runs?"
			    "per_page=100", f->owner, f->repo, sha);
			if ((rc = get_json(f, p.data, "check runs",
			    JV_KIND_OBJECT, &j)) != 0)
				goto out;
			l = lc_jvutil_get(j, "check_runs");
			n = jv_get_kind(l) == JV_KIND_ARRAY ?
			    jv_array_length(jv_copy(l)) : 0;
			for (i = 0; i < n; i++) {
				x = jv_array_get(jv_copy(l), i);
				name = lc_jvutil_str(x, "name");
				if (!context || strcmp(name, context) == 0) {
					seen = 1;
					state = lc_jvutil_str(x, "status");
					if (strcmp(state, "completed") != 0)
						not_green(&bad, name, state);
					else if (state = lc_jvutil_str(x,
					    "conclusion"), strcmp(state,
					    "success") != 0 && strcmp(state,
					    "neutral") != 0 && strcmp(state,
					    "skipped") != 0)
						not_green(&bad, name, state);
				}
				jv_free(x);
			}
			jv_free(l);
		}
	}
	if (!seen)
		rc = lc_error_set(LC_ENO, "%.12s has no %s%s%s on %s", sha,
		    context ? "status or check named '" : "status, check or "
		    "pipeline", context ? context : "", context ? "'" : "",
		    lc_forge_name(f));
	else if (bad.len)
		rc = lc_error_set(LC_ENO, "%.12s is not green on %s: %s", sha,
		    lc_forge_name(f), bad.data);
	else
		rc = 0;
out:
	jv_free(j);
	lc_buf_release(&p);
	lc_buf_release(&bad);
	return rc;
}
