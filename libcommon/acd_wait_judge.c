/* acd_wait_judge.c: when a waited-for app is done (spec section 10). */
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include <jq.h>

#include "acd_wait_int.h"
#include "acd_wait.h"
#include "buf.h"
#include "error.h"
#include "jvutil.h"

/* Whether the info list at path has {"name":"acd-op-id","value":id}. */
static int
has_info(jv v, const char *path, const char *id)
{
	jv l = lc_jvutil_get(v, path), e;
	int i, n, r = 0;

	if (jv_get_kind(l) == JV_KIND_ARRAY) {
		n = jv_array_length(jv_copy(l));
		for (i = 0; i < n && !r; i++) {
			e = jv_array_get(jv_copy(l), i);
			r = strcmp(lc_jvutil_str(e, "name"),
			    "acd-op-id") == 0 &&
			    strcmp(lc_jvutil_str(e, "value"), id) == 0;
			jv_free(e);
		}
	}
	jv_free(l);
	return r;
}

/* Whether the operation at path of v is ours (tag, or revision by hand). */
static int
ours(const struct lc_acd_target *t, jv v, const char *path)
{
	struct lc_buf p = LC_BUF_INIT;
	jv op = lc_jvutil_get(v, path);
	int r = 0;

	if (jv_get_kind(op) == JV_KIND_OBJECT) {
		if (t->op_id)
			r = has_info(op, "info", t->op_id);
		else
			r = strcmp(lc_jvutil_str(op, "sync.revision"),
			    t->op_rev) ==
			    0 && !is_true(op, "initiatedBy.automated");
	}
	jv_free(op);
	lc_buf_release(&p);
	return r;
}

static int
until_holds(struct waiter *wt, jv app)
{
	jv r;
	int ok;

	jq_start(wt->jq, jv_copy(app), 0);
	r = jq_next(wt->jq);
	ok = jv_is_valid(r) && jv_get_kind(r) != JV_KIND_FALSE &&
	    jv_get_kind(r) != JV_KIND_NULL;
	jv_free(r);
	return ok;
}

void
lc_acd_wait_finish(struct waiter *wt, struct lc_acd_target *t, int rc,
    const char *why)
{
	if (t->done)
		return;
	t->done = 1;
	t->rc = rc;
	free(t->why);
	t->why = why ? xdup(why) : NULL;
	wt->pending--;
	wt->changed = 1;
}

/* How many results the sync left unpruned ("requires pruning"). */
static int
prune_skipped(jv os)
{
	jv l = lc_jvutil_get(os, "syncResult.resources"), e;
	int i, n, c = 0;

	if (jv_get_kind(l) == JV_KIND_ARRAY) {
		n = jv_array_length(jv_copy(l));
		for (i = 0; i < n; i++) {
			e = jv_array_get(jv_copy(l), i);
			if (strcmp(lc_jvutil_str(e, "status"), "PruneSkipped") == 0 &&
			    strstr(lc_jvutil_str(e, "message"),
			    "no prune") == NULL)
				c++;
			jv_free(e);
		}
	}
	jv_free(l);
	return c;
}


/*
 * After our operation has ended: whether the application has settled
 * (spec section 10). Another operation may have replaced ours at once (an
 * auto-sync, self-heal): while one is pending nothing is settled, and once
 * the newest has ended, only a reconcile after its end counts. When that
 * one did not succeed, t->other_why says so: our sync still succeeded, and
 * the settled sync and health decide, but an explanation names it.
 */
static int
settled_after_ours(struct waiter *wt, struct lc_acd_target *t, jv a, jv os)
{
	const char *fin, *rec, *phase;
	struct lc_buf why = LC_BUF_INIT;

	if (has(a, "operation"))
		return 0;
	if (jv_get_kind(os) != JV_KIND_OBJECT || ours(t, os, "operation"))
		return 1;		/* ours is the newest: judged above */
	fin = lc_jvutil_str(os, "finishedAt");
	rec = lc_jvutil_str(a, "status.reconciledAt");
	phase = lc_jvutil_str(os, "phase");
	if (*fin == '\0' || !completed(phase))
		return 0;
	if (t->other_fin == NULL || strcmp(t->other_fin, fin) != 0) {
		/* It has just ended (as far as we can tell). */
		free(t->other_fin);
		free(t->other_rec);
		free(t->other_why);
		t->other_fin = xdup(fin);
		t->other_rec = xdup(rec);
		t->other_why = NULL;
		t->other_refresh = 0;
		if (strcmp(phase, "Succeeded") != 0) {
			lc_buf_printf(&why, "a later operation (initiated by %s) "
			    "ended %s: %s", initiator(os), phase,
			    lc_jvutil_str(os, "message"));
			t->other_why = xdup(why.data);
			lc_buf_release(&why);
		}
	}
	if (is_true(os, "operation.sync.dryRun"))
		return 1;
	if (*rec == '\0' || strcmp(rec, fin) < 0)
		return 0;
	/* Whole seconds, as for ours: a refresh tells a tie apart. */
	if (strcmp(rec, fin) == 0 && strcmp(t->other_rec, fin) == 0 &&
	    t->other_refresh < 2) {
		t->other_refresh = 1;
		t->refresh_asked = 1;
		wt->want_refresh = 1;
		return 0;
	}
	return 1;
}

/* ---- --resource ------------------------------------------------------ */

int
lc_acd_wait_want_resource(struct lc_acd_want *w, const char *pattern)
{
	const char *p = pattern + (*pattern == '!'), *c1, *c2;

	c1 = strchr(p, ':');
	c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	if (c2 == NULL || strchr(c2 + 1, ':') || c2[1] == '\0' ||
	    (strchr(c2 + 1, '/') && strchr(c2 + 1, '/')[1] == '\0'))
		return lc_error_set(LC_EUSAGE, "--resource '%s': write "
		    "GROUP:KIND:NAME or GROUP:KIND:NAMESPACE/NAME (the core "
		    "group is empty: ':Service:web')", pattern);
	w->resources = lc_buf_xrealloc(w->resources, (w->nresources + 1) *
	    sizeof(*w->resources));
	w->resources[w->nresources++] = pattern;
	return 0;
}

void
lc_acd_wait_want_release(struct lc_acd_want *w)
{
	free(w->resources);
	w->resources = NULL;
	w->nresources = 0;
}

/* Whether a GROUP:KIND:[NS/]NAME pattern (no "!") matches resource r. */
static int
resource_match(const char *pat, jv r)
{
	static const char *const keys[4] = { "group", "kind", "namespace",
	    "name" };
	const char *c1 = strchr(pat, ':'), *c2 = strchr(c1 + 1, ':');
	const char *slash = strchr(c2 + 1, '/');
	char *f[4];
	int i, ok = 1;

	f[0] = lc_buf_xstrndup(pat, (size_t)(c1 - pat));
	f[1] = lc_buf_xstrndup(c1 + 1, (size_t)(c2 - c1 - 1));
	if (slash) {
		f[2] = lc_buf_xstrndup(c2 + 1, (size_t)(slash - c2 - 1));
		f[3] = xdup(slash + 1);
	} else {
		f[2] = xdup("*");
		f[3] = xdup(c2 + 1);
	}
	/* Globs, as the argocd CLI; a blank one matches only blank. */
	for (i = 0; i < 4; i++) {
		ok = ok && fnmatch(f[i], lc_jvutil_str(r, keys[i]), 0) == 0;
		free(f[i]);
	}
	return ok;
}

/* Whether resource r is one the wait looks at (all, without --resource). */
int
lc_acd_wait_selected(const struct lc_acd_want *w, jv r)
{
	size_t i;
	int sel = 1;

	for (i = 0; i < w->nresources; i++)
		if (w->resources[i][0] != '!')
			sel = 0;	/* some are named: only those */
	for (i = 0; i < w->nresources; i++)
		if (resource_match(w->resources[i] + (w->resources[i][0] ==
		    '!'), r))
			sel = w->resources[i][0] != '!';
	return sel;
}

/* The first pattern naming resources that match none of the app's. */
static const char *
resource_missing(const struct lc_acd_want *w, jv a)
{
	jv l = lc_jvutil_get(a, "status.resources"), e;
	size_t i;
	int k, n, found;
	const char *miss = NULL;

	n = jv_get_kind(l) == JV_KIND_ARRAY ? jv_array_length(jv_copy(l)) : 0;
	for (i = 0; i < w->nresources && miss == NULL; i++) {
		if (w->resources[i][0] == '!')
			continue;
		for (k = 0, found = 0; k < n && !found; k++) {
			e = jv_array_get(jv_copy(l), k);
			found = resource_match(w->resources[i], e);
			jv_free(e);
		}
		if (!found)
			miss = w->resources[i];
	}
	jv_free(l);
	return miss;
}

/* Whether health h is one the wait accepts. */
static int
health_ok(const struct lc_acd_want *w, const char *h)
{
	return strcmp(h, "Healthy") == 0 || ((w->flags & LC_ACD_W_SUSPENDED) &&
	    strcmp(h, "Suspended") == 0) || ((w->flags & LC_ACD_W_DEGRADED) &&
	    strcmp(h, "Degraded") == 0);
}

/*
 * The selected resources of a: whether all are Synced, all healthy (one
 * without a health check, such as a ConfigMap, counts as healthy, as for
 * Argo CD's app health), and the first Degraded one into *deg.
 */
static void
resources_state(const struct lc_acd_want *w, jv a, int *synced,
    int *healthy, struct lc_buf *deg)
{
	jv l = lc_jvutil_get(a, "status.resources"), e;
	const char *h;
	int i, n;

	*synced = *healthy = 1;
	deg->len = 0;
	n = jv_get_kind(l) == JV_KIND_ARRAY ? jv_array_length(jv_copy(l)) : 0;
	for (i = 0; i < n; i++) {
		e = jv_array_get(jv_copy(l), i);
		if (lc_acd_wait_selected(w, e)) {
			h = lc_jvutil_str(e, "health.status");
			if (strcmp(lc_jvutil_str(e, "status"), "Synced") != 0)
				*synced = 0;
			if (*h && !health_ok(w, h))
				*healthy = 0;
			if (strcmp(h, "Degraded") == 0 && deg->len == 0)
				lc_buf_printf(deg, "%s/%s is Degraded%s%s",
				    lc_jvutil_str(e, "kind"), lc_jvutil_str(e,
				    "name"),
				    *lc_jvutil_str(e,
				    "health.message") ? ": " : "",
				    lc_jvutil_str(e, "health.message"));
		}
		jv_free(e);
	}
	jv_free(l);
}

/* Judge a target on its newest snapshot; finish it when it is over. */
void
lc_acd_wait_judge(struct waiter *wt, struct lc_acd_target *t, long long now)
{
	const struct lc_acd_want *w = wt->w;
	jv a = t->last, os;
	const char *phase, *fin, *rec, *health, *sync, *miss;
	struct lc_buf why = LC_BUF_INIT, deg = LC_BUF_INIT;
	int synced, healthy, degraded;

	if (t->done || !jv_is_valid(a))
		return;
	if (*lc_jvutil_str(a, "metadata.deletionTimestamp")) {
		lc_acd_wait_finish(wt, t, LC_ENOTFOUND,
		    "the application is being deleted");
		return;
	}
	os = lc_jvutil_get(a, "status.operationState");
	phase = lc_jvutil_str(os, "phase");
	fin = lc_jvutil_str(os, "finishedAt");
	rec = lc_jvutil_str(a, "status.reconciledAt");
	if (w->flags == LC_ACD_W_IDLE) {
		if (!has(a, "operation"))
			lc_acd_wait_finish(wt, t, 0, NULL);
		goto out;
	}
	if (t->op_id || t->op_rev) {
		int in_op = ours(t, a, "operation");
		int in_state = ours(t, os, "operation");

		t->op_seen |= in_op || in_state;
		if (!t->op_over && in_state && !in_op && completed(phase) &&
		    *fin) {
			/* Our operation just ended: keep its verdict. */
			t->op_over = 1;
			t->op_phase = xdup(phase);
			t->op_message = xdup(lc_jvutil_str(os, "message"));
			jv_free(t->op_state);
			t->op_state = jv_copy(os);
			free(t->rec_at_done);
			t->rec_at_done = xdup(rec);
		}
		if (!t->op_over) {
			if (t->op_seen && !in_op && !in_state) {
				lc_buf_printf(&why, "our operation was replaced "
				    "by another (initiated by %s) before its "
				    "result could be read",
				    is_true(os, "operation.initiatedBy.automated")
				    ? "auto-sync" : lc_jvutil_str(os,
				    "operation.initiatedBy.username"));
				lc_acd_wait_finish(wt, t, LC_ERROR, why.data);
			}
			goto out;
		}
		if (!t->dry_run) {
			const char *ofin = lc_jvutil_str(t->op_state,
			    "finishedAt");

			/* Not judged before a reconcile after the end. */
			if (*rec == '\0' || strcmp(rec, ofin) < 0)
				goto out;
			/*
			 * Whole seconds: a reconcile in the same second as
			 * the end looks like one before it. Ask for a
			 * refresh, which returns only after a reconcile.
			 */
			if (strcmp(rec, ofin) == 0 && strcmp(t->rec_at_done,
			    ofin) == 0 && t->refresh_asked < 2) {
				t->refresh_asked = 1;
				wt->want_refresh = 1;
				goto out;
			}
		}
		if (strcmp(t->op_phase, "Succeeded") != 0) {
			lc_buf_printf(&why, "the sync ended %s: %s", t->op_phase,
			    t->op_message);
			lc_acd_wait_finish(wt, t, LC_ENO, why.data);
			goto out;
		}
		if (!settled_after_ours(wt, t, a, os))
			goto out;
		if (!t->dry_run && !t->partial && strcmp(lc_jvutil_str(a,
		    "status.sync.status"), "Synced") != 0 &&
		    prune_skipped(t->op_state) > 0) {
			lc_buf_printf(&why, "%d resources require pruning "
			    "(sync with --prune)", prune_skipped(t->op_state));
			lc_acd_wait_finish(wt, t, LC_ENO, why.data);
			goto out;
		}
		/*
		 * A later operation failed and left the app OutOfSync: that
		 * is how it settled, and nothing will sync it now (auto-sync
		 * does not retry a revision that failed).
		 */
		if (t->other_why && !t->partial && strcmp(lc_jvutil_str(a,
		    "status.sync.status"), "Synced") != 0) {
			lc_buf_printf(&why, "the sync succeeded, but %s; the "
			    "application is %s", t->other_why, or_dash(
			    lc_jvutil_str(a, "status.sync.status")));
			lc_acd_wait_finish(wt, t, LC_ENO, why.data);
			goto out;
		}
	} else {
		/* The done-rule (spec section 10). */
		if (has(a, "operation"))
			goto out;
		if (jv_get_kind(os) == JV_KIND_OBJECT) {
			if (*fin == '\0')
				goto out;
			if (!is_true(os, "operation.sync.dryRun") &&
			    (*rec == '\0' || strcmp(rec, fin) < 0))
				goto out;
			if ((w->flags & LC_ACD_W_OPERATION) &&
			    strcmp(phase, "Succeeded") != 0) {
				lc_buf_printf(&why, "the last operation ended "
				    "%s: %s", phase, lc_jvutil_str(os,
				    "message"));
				lc_acd_wait_finish(wt, t, LC_ENO, why.data);
				goto out;
			}
		}
	}
	if (w->revision && !lc_acd_wait_revision(wt, t, a))
		goto out;
	sync = lc_jvutil_str(a, "status.sync.status");
	health = lc_jvutil_str(a, "status.health.status");
	if (w->nresources) {
		/* Settled and reconciled: what is not there is not coming. */
		if (*rec && (miss = resource_missing(w, a)) != NULL) {
			lc_buf_printf(&why, "no resource of the application "
			    "matches --resource %s", miss);
			lc_acd_wait_finish(wt, t, LC_ENOTFOUND, why.data);
			goto out;
		}
		resources_state(w, a, &synced, &healthy, &deg);
		if (*rec == '\0')
			synced = healthy = 0;
		degraded = deg.len > 0;
	} else {
		synced = strcmp(sync, "Synced") == 0;
		healthy = health_ok(w, health);
		degraded = strcmp(health, "Degraded") == 0;
	}
	if ((!(w->flags & LC_ACD_W_SYNC) || synced) &&
	    (!(w->flags & LC_ACD_W_HEALTH) || healthy) &&
	    (w->until == NULL || until_holds(wt, a))) {
		lc_acd_wait_finish(wt, t, 0, NULL);
		goto out;
	}
	if ((w->flags & LC_ACD_W_HEALTH) && !(w->flags & LC_ACD_W_DEGRADED) &&
	    degraded) {
		if (t->degraded_since == 0)
			t->degraded_since = now;
		if (now - t->degraded_since >= w->degraded_grace_ms) {
			if (w->nresources)
				lc_buf_adds(&why, deg.data);
			else
				lc_buf_printf(&why, "the application is "
				    "Degraded%s%s", *lc_jvutil_str(a,
				    "status.health.message") ? ": " : "",
				    lc_jvutil_str(a, "status.health.message"));
			if (t->other_why)
				lc_buf_printf(&why, " (our sync succeeded, but "
				    "%s)", t->other_why);
			lc_acd_wait_finish(wt, t, LC_ENO, why.data);
		}
	} else
		t->degraded_since = 0;
out:
	jv_free(os);
	lc_buf_release(&why);
	lc_buf_release(&deg);
}
