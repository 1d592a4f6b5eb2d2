/* acd_rollback.c: roll an Argo CD application back to a history entry. */
#include <stdlib.h>
#include <string.h>

#include <jv.h>

#include "acd.h"
#include "acd_rollback.h"
#include "acd_wait.h"
#include "buf.h"
#include "error.h"
#include "jvutil.h"
#include "log.h"

/* The history entry to go back to: id, or the one before the newest. */
static int
pick(jv app, long id, long *out, const char **rev)
{
	jv h = lc_jvutil_get(app, "status.history"), e;
	struct lc_buf ids = LC_BUF_INIT;
	int n, i, rc;

	n = jv_get_kind(h) == JV_KIND_ARRAY ? jv_array_length(jv_copy(h)) : 0;
	if (id < 0 && n < 2) {
		jv_free(h);
		return lc_error_set(LC_ENOTFOUND, "%d deployment%s in its "
		    "history: nothing earlier to roll back to", n,
		    n == 1 ? "" : "s");
	}
	for (i = 0; i < n; i++) {
		e = jv_array_get(jv_copy(h), i);
		jv idv = lc_jvutil_get(e, "id");
		long v = jv_get_kind(idv) == JV_KIND_NUMBER ?
		    (long)jv_number_value(idv) : -1;

		jv_free(idv);
		if (i < 20)
			lc_buf_printf(&ids, "%s%ld", i ? ", " : "", v);
		else if (i == 20)
			lc_buf_adds(&ids, ", ...");
		if ((id < 0 && i == n - 2) || (id >= 0 && v == id)) {
			*out = v;
			/* The string stays alive in app, which holds it. */
			*rev = lc_jvutil_str(e, "revision");
			jv_free(e);
			jv_free(h);
			lc_buf_release(&ids);
			return 0;
		}
		jv_free(e);
	}
	jv_free(h);
	rc = lc_error_set(LC_ENOTFOUND, "no deployment with id %ld in its "
	    "history (%s%s)", id, n ? "ids: " : "empty",
	    ids.data ? ids.data : "");
	lc_buf_release(&ids);
	return rc;
}

/* Whether auto-sync is on: Argo CD refuses to roll such an app back. */
static int
auto_sync(jv app)
{
	jv au = lc_jvutil_get(app, "spec.syncPolicy.automated");
	jv en = lc_jvutil_get(au, "enabled");
	int on = jv_get_kind(au) == JV_KIND_OBJECT &&
	    jv_get_kind(en) != JV_KIND_FALSE;

	jv_free(au);
	jv_free(en);
	return on;
}

int
lc_acd_rollback_start(struct lc_acd *acd, struct lc_acd_rollback *r,
    struct lc_acd_target *t, long long deadline)
{
	const char *rev = NULL;
	long hid = 0;
	jv body, ans;
	int rc;

	t->rollback_id = -1;		/* a rollback, to no entry yet */
	t->rollback_rev = "";
	if ((rc = lc_acd_get(acd, &t->app, NULL, deadline, &t->last)) != 0)
		goto fail;
	if (auto_sync(t->last)) {
		rc = lc_error_set(LC_ERROR, "auto-sync is on, and Argo CD "
		    "refuses to roll back such an app (auto-sync would undo "
		    "it): undo the commit in git instead (promote -t ENV "
		    "--rollback), or turn auto-sync off first");
		goto fail;
	}
	if ((rc = pick(t->last, r->id, &hid, &rev)) != 0)
		goto fail;
	free(r->rev);
	r->rev = lc_buf_xstrndup(rev, strlen(rev));
	lc_log_note("%s: rolling back to history id %ld (revision %s)",
	    t->app.name, hid, r->rev);
	t->rollback_id = hid;
	t->rollback_rev = r->rev;
	if ((rc = lc_acd_wait_when_idle(acd, t, 1, r->busy, deadline)) != 0 ||
	    t->done)
		return rc;
	body = jv_object_set(jv_object(), jv_string("id"),
	    jv_number((double)hid));
	if (r->dry_run)
		body = jv_object_set(body, jv_string("dryRun"), jv_true());
	if (r->prune)
		body = jv_object_set(body, jv_string("prune"), jv_true());
	if ((rc = lc_acd_post(acd, &t->app, "rollback", body, deadline,
	    &ans)) != 0)
		goto fail;
	jv_free(t->last);
	t->last = ans;
	/* The request has no infos: ours is the hand-made sync of rev. */
	t->op_rev = r->rev;
	t->dry_run = r->dry_run;
	return 0;
fail:
	/* The app's own failure: reported as such, and left for CI. */
	t->rc = rc;
	free(t->why);
	t->why = lc_buf_xstrndup(lc_error_msg(), strlen(lc_error_msg()));
	t->done = 1;
	return rc;
}

void
lc_acd_rollback_release(struct lc_acd_rollback *r)
{
	free(r->rev);
	r->rev = NULL;
}
