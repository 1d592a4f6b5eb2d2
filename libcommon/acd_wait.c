/* acd_wait.c: wait for Argo CD apps: GET, one shared SSE watch, polls. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jq.h>

#include "acd.h"
#include "acd_wait_int.h"
#include "acd_wait.h"
#include "ci.h"
#include "clock.h"
#include "error.h"
#include "git.h"
#include "http.h"
#include "log.h"
#include "random.h"

/*
 * When the command began waiting (lc_acd_wait_origin), and its
 * --progress-interval, for the waits a command does not set up itself.
 */
static long long origin_ms;
static long long progress_opt;

long long
lc_acd_wait_origin(void)
{
	if (origin_ms == 0)
		origin_ms = lc_clock_ms();
	return origin_ms;
}

void
lc_acd_wait_set_progress(long long ms)
{
	progress_opt = ms;
}

long long
lc_acd_wait_progress_default(void)
{
	return progress_opt;
}

static struct lc_acd_target *
find(struct waiter *wt, jv app)
{
	const char *name = lc_jvutil_str(app, "metadata.name");
	const char *ns = lc_jvutil_str(app, "metadata.namespace");
	size_t i;

	for (i = 0; i < wt->n; i++)
		if (strcmp(wt->t[i].app.name, name) == 0 &&
		    (wt->t[i].app.ns == NULL || strcmp(wt->t[i].app.ns, ns) ==
		    0))
			return &wt->t[i];
	return NULL;
}

/* Take a snapshot (consumed) unless an equal or newer one is there. */
static void
update(struct waiter *wt, struct lc_acd_target *t, jv app)
{
	if (jv_is_valid(t->last) && rv_of(app) < rv_of(t->last)) {
		jv_free(app);
		return;
	}
	jv_free(t->last);
	t->last = app;
	wt->changed = 1;
	lc_acd_wait_judge(wt, t, lc_clock_ms());
}

static void
dispatch(void *arg, const char *p, size_t n)
{
	struct waiter *wt = arg;
	jv ev = jv_parse_sized(p, (int)n), app;
	const char *type;
	struct lc_acd_target *t;

	if (!jv_is_valid(ev) || jv_get_kind(ev) != JV_KIND_OBJECT) {
		lc_log_debug("watch: an event that is not JSON, skipped");
		jv_free(ev);
		return;
	}
	if (has(ev, "error")) {
		jv code = lc_jvutil_get(ev, "error.http_code");

		lc_log_info("watch: the server reports: %s",
		    lc_jvutil_str(ev, "error.message"));
		wt->stream_err = 1;
		if (jv_get_kind(code) == JV_KIND_NUMBER && (jv_number_value(code)
		    == 401 || jv_number_value(code) == 403)) {
			lc_error_set(LC_EAUTH, "watch: %s",
			    lc_jvutil_str(ev, "error.message"));
			wt->stream_fatal = 1;
		}
		jv_free(code);
		jv_free(ev);
		return;
	}
	type = lc_jvutil_str(ev, "result.type");
	app = lc_jvutil_get(ev, "result.application");
	if (jv_get_kind(app) == JV_KIND_OBJECT && (t = find(wt, app)) != NULL) {
		if (strcmp(type, "DELETED") == 0) {
			jv_free(app);
			lc_acd_wait_finish(wt, t, LC_ENOTFOUND,
			    "the application was deleted");
		} else
			update(wt, t, app);
	} else
		jv_free(app);
	jv_free(ev);
}

/* The watch's bytes, as they come. */
static int
on_stream(void *arg, const char *p, size_t n)
{
	struct waiter *wt = arg;

	/* After a line too long, the rest of this stream is not read. */
	if (!wt->too_long && lc_http_sse_feed(&wt->sse, p, n) != 0) {
		lc_log_info("watch: %s", lc_error_msg());
		wt->too_long = 1;
		wt->stream_err = 1;
	}
	lc_acd_wait_progress(wt);
	return wt->pending == 0 || wt->stream_err || wt->want_refresh;
}

/* The namespace all targets share, or NULL. */
static const char *
shared_ns(struct waiter *wt)
{
	size_t i;

	for (i = 1; i < wt->n; i++)
		if ((wt->t[i].app.ns == NULL) != (wt->t[0].app.ns == NULL) ||
		    (wt->t[i].app.ns && strcmp(wt->t[i].app.ns,
		    wt->t[0].app.ns) != 0))
			return NULL;
	return wt->n ? wt->t[0].app.ns : NULL;
}

static void
stream_url(struct waiter *wt, const char *selector, struct lc_buf *u)
{
	long long rv = 0, r;
	char num[32];
	size_t i;

	lc_buf_printf(u, "%s/api/v1/stream/applications",
	    lc_acd_base(wt->acd));
	if (wt->n == 1)
		lc_acd_query(u, "name", wt->t[0].app.name);
	lc_acd_query(u, "appNamespace", shared_ns(wt));
	lc_acd_query(u, "selector", selector);
	/*
	 * Several apps: no resourceVersion, so that the server opens with the
	 * current state of every matching app (ADDED events). The server keeps
	 * no history: a watch from a resourceVersion would miss what changed
	 * between our snapshots and its opening.
	 */
	if (wt->n > 1)
		return;
	/* From the oldest snapshot on: nothing newer is dropped. */
	for (i = 0; i < wt->n; i++)
		if (!wt->t[i].done && jv_is_valid(wt->t[i].last) &&
		    ((r = rv_of(wt->t[i].last)) < rv || rv == 0))
			rv = r;
	if (rv > 0) {
		snprintf(num, sizeof(num), "%lld", rv);
		lc_acd_query(u, "resourceVersion", num);
	}
}

/* GET every pending target (List when there are many): the safety net. */
static int
poll_all(struct waiter *wt, int missing, long long deadline)
{
	struct lc_acd_target *t;
	jv items, app;
	size_t i;
	int k, n, rc;

	if (wt->n > 3) {
		if ((rc = lc_acd_list(wt->acd, wt->w->selector, shared_ns(wt),
		    deadline, &items)) != 0)
			return rc;
		n = jv_array_length(jv_copy(items));
		for (k = 0; k < n; k++) {
			app = jv_array_get(jv_copy(items), k);
			if ((t = find(wt, app)) != NULL && !t->done)
				update(wt, t, app);
			else
				jv_free(app);
		}
		jv_free(items);
		return 0;
	}
	for (i = 0; i < wt->n; i++) {
		if (wt->t[i].done || (missing && jv_is_valid(wt->t[i].last)))
			continue;
		if ((rc = lc_acd_get(wt->acd, &wt->t[i].app, NULL, deadline,
		    &app)) != 0) {
			if (rc == LC_ENOTFOUND || rc == LC_EAUTH) {
				lc_acd_wait_finish(wt, &wt->t[i], rc,
				    lc_error_msg());
				continue;
			}
			return rc;
		}
		update(wt, &wt->t[i], app);
	}
	return 0;
}

/* GET ?refresh=normal for targets whose reconcile time is ambiguous. */
static int
refresh_some(struct waiter *wt, long long deadline)
{
	jv app;
	size_t i;
	long long until;
	int rc;

	wt->want_refresh = 0;
	for (i = 0; i < wt->n; i++) {
		if (wt->t[i].done || wt->t[i].refresh_asked != 1)
			continue;
		wt->t[i].refresh_asked = 2;
		if (wt->t[i].other_refresh == 1)
			wt->t[i].other_refresh = 2;
		until = lc_clock_ms() + 30000;
		if (deadline && deadline < until)
			until = deadline;
		lc_log_info("%s: reconciled in the second the sync ended; "
		    "asking for a refresh", wt->t[i].app.name);
		if ((rc = lc_acd_get(wt->acd, &wt->t[i].app, "normal", until,
		    &app)) != 0) {
			if (rc == LC_ETIMEOUT && (deadline == 0 ||
			    lc_clock_ms() < deadline))
				continue;	/* judged on later events */
			return rc;
		}
		/* The refresh's answer is after a reconcile: judge it. */
		jv_free(wt->t[i].last);
		wt->t[i].last = app;
		free(wt->t[i].rec_at_done);
		wt->t[i].rec_at_done = xdup("");
		if (wt->t[i].other_rec) {
			free(wt->t[i].other_rec);
			wt->t[i].other_rec = xdup("");
		}
		lc_acd_wait_judge(wt, &wt->t[i], lc_clock_ms());
	}
	return 0;
}

int
lc_acd_wait_when_idle(struct lc_acd *acd, struct lc_acd_target *t, size_t n,
    enum lc_acd_busy policy, long long deadline)
{
	struct lc_acd_want w;
	struct lc_acd_target *idle;
	struct lc_buf why = LC_BUF_INIT;
	size_t i, k = 0, *map;
	int rc = 0;

	(void)lc_acd_wait_origin();
	idle = lc_buf_xmalloc((n ? n : 1) * sizeof(*idle));
	map = lc_buf_xmalloc((n ? n : 1) * sizeof(*map));
	for (i = 0; i < n; i++) {
		if (t[i].done || !jv_is_valid(t[i].last) ||
		    !has(t[i].last, "operation"))
			continue;
		why.len = 0;
		lc_buf_printf(&why, "another operation is already in progress "
		    "(%s, initiated by %s)", *lc_jvutil_str(t[i].last,
		    "status.operationState.phase") ? lc_jvutil_str(t[i].last,
		    "status.operationState.phase") : "not started yet",
		    is_true(t[i].last, "operation.initiatedBy.automated") ?
		    "auto-sync" : or_dash(lc_jvutil_str(t[i].last,
		    "operation.initiatedBy.username")));
		if (policy == LC_ACD_BUSY_FAIL) {
			t[i].done = 1;
			t[i].rc = LC_ECONFLICT;
			t[i].why = xdup(why.data);
			continue;
		}
		lc_log_warn("%s: %s; %s", t[i].app.name, why.data,
		    policy == LC_ACD_BUSY_WAIT ? "waiting for it to end" :
		    "terminating it");
		if (policy == LC_ACD_BUSY_TERMINATE && (rc = lc_acd_terminate(
		    acd, &t[i].app, deadline)) != 0) {
			/* Queued, not started: nothing to stop yet; wait. */
			if (rc != LC_ERROR)
				goto out;
			lc_log_info("%s", lc_error_msg());
			rc = 0;
		}
		lc_acd_wait_target_init(&idle[k]);
		idle[k].app = t[i].app;
		idle[k].last = jv_copy(t[i].last);
		map[k++] = i;
	}
	if (k == 0)
		goto out;
	memset(&w, 0, sizeof(w));
	w.flags = LC_ACD_W_IDLE;
	rc = lc_acd_wait(acd, idle, k, &w, deadline);
	for (i = 0; i < k; i++) {
		jv_free(t[map[i]].last);
		t[map[i]].last = idle[i].last;
		idle[i].last = jv_invalid();
		if (idle[i].rc == LC_ETIMEOUT && !t[map[i]].done) {
			/*
			 * Busy, not slow: nothing of ours ran, so the exit
			 * status must not read as "not healthy in time"
			 * (which a pipeline answers with a rollback).
			 */
			t[map[i]].done = 1;
			t[map[i]].rc = LC_ECONFLICT;
			t[map[i]].why = xdup("another operation was still "
			    "running when the time ran out; nothing was "
			    "started");
		} else if (idle[i].rc != 0 && !t[map[i]].done) {
			t[map[i]].done = 1;
			t[map[i]].rc = idle[i].rc;
			t[map[i]].why = idle[i].why ? xdup(idle[i].why) :
			    xdup("the other operation did not end in time");
		}
		idle[i].app.name = idle[i].app.ns = NULL;
		lc_acd_wait_target_free(&idle[i]);
	}
	rc = rc == LC_ETIMEOUT ? LC_ECONFLICT : rc == LC_EAUTH ? rc : 0;
out:
	free(idle);
	free(map);
	lc_buf_release(&why);
	return rc;
}

void
lc_acd_wait_op_id(char out[37])
{
	unsigned char r[16];
	size_t i;

	lc_random(r, sizeof(r));
	r[6] = (unsigned char)((r[6] & 0x0f) | 0x40);
	r[8] = (unsigned char)((r[8] & 0x3f) | 0x80);
	for (i = 0; i < 16; i++)
		sprintf(out + i * 2 + (i >= 4) + (i >= 6) + (i >= 8) +
		    (i >= 10), "%02x", r[i]);
	out[8] = out[13] = out[18] = out[23] = '-';
	out[36] = '\0';
}

void
lc_acd_wait_fmt_ms(char *out, size_t n, long long ms)
{
	if (ms % 60000 == 0 && ms)
		snprintf(out, n, "%lldm", ms / 60000);
	else if (ms % 1000 == 0)
		snprintf(out, n, "%llds", ms / 1000);
	else
		snprintf(out, n, "%lldms", ms);
}

static int
worst(const struct lc_acd_target *t, size_t n)
{
	static const int order[] = { LC_EAUTH, LC_ENOTFOUND, LC_ERROR,
	    LC_EUNAVAIL, LC_ENO, LC_ECONFLICT, LC_ETIMEOUT };
	size_t i, k;

	for (k = 0; k < sizeof(order) / sizeof(order[0]); k++)
		for (i = 0; i < n; i++)
			if (t[i].rc == order[k])
				return order[k];
	for (i = 0; i < n; i++)
		if (t[i].rc != 0)
			return t[i].rc;
	return 0;
}

static void
fail_pending(struct waiter *wt, int rc, const char *why)
{
	size_t i;

	for (i = 0; i < wt->n; i++)
		if (!wt->t[i].done)
			lc_acd_wait_finish(wt, &wt->t[i], rc, why);
}

/*
 * The safety-net poll, when it is due. Returns 0, or the error that ends
 * the wait (the targets are failed with it); an unavailable server or a
 * slow answer only waits for the next one.
 */
static int
poll_due(struct waiter *wt, long long *next_poll, long long deadline)
{
	int rc;

	if (lc_clock_ms() < *next_poll)
		return 0;
	if ((rc = poll_all(wt, 0, deadline)) != 0 && rc != LC_EUNAVAIL &&
	    rc != LC_ETIMEOUT) {
		fail_pending(wt, rc, lc_error_msg());
		return rc;
	}
	*next_poll = lc_clock_ms() + (wt->w->poll_ms > 0 ? wt->w->poll_ms :
	    30000);
	lc_acd_wait_progress(wt);
	return 0;
}

int
lc_acd_wait(struct lc_acd *acd, struct lc_acd_target *t, size_t n,
    const struct lc_acd_want *w, long long deadline)
{
	struct waiter wt;
	struct lc_http_stream *s = NULL;
	struct lc_http_resp err = LC_HTTP_RESP_INIT;
	struct lc_buf u = LC_BUF_INIT, why = LC_BUF_INIT, line = LC_BUF_INIT;
	long long poll_ms = w->poll_ms > 0 ? w->poll_ms : 30000;
	long long next_poll, until, now, origin;
	size_t i;
	int rc = 0, drops = 0, too_long = 0, got;
	char every[32];

	memset(&wt, 0, sizeof(wt));
	wt.acd = acd;
	wt.t = t;
	wt.n = n;
	wt.w = w;
	wt.pending = (int)n;
	/* A fetch for --revision's later commits ends by the deadline too. */
	if (w->revision)
		lc_git_deadline(deadline);
	lc_http_sse_init(&wt.sse, 0, dispatch, &wt);
	wt.live = isatty(2) && getenv("TERM") && strcmp(getenv("TERM"),
	    "dumb") != 0 && lc_ci_kind() == LC_CI_NONE;
	(void)lc_acd_wait_origin();
	wt.deadline = deadline;
	wt.shown_s = -1;
	wt.beat_ms = w->progress_ms ? w->progress_ms :
	    lc_acd_wait_progress_default() ? lc_acd_wait_progress_default() :
	    30000;
	if (wt.beat_ms < 0)
		wt.beat_ms = 0;
	wt.next_beat = lc_clock_ms() + wt.beat_ms;
	if (w->until) {
		wt.jq = jq_init();
		if (wt.jq == NULL || !jq_compile(wt.jq, w->until)) {
			if (wt.jq)
				jq_teardown(&wt.jq);
			return lc_error_set(LC_EUSAGE, "--until '%s': jq cannot "
			    "compile it", w->until);
		}
	}
	/* What is there now: an app that is already done ends here. */
	for (i = 0; i < n; i++) {
		if (t[i].done)
			wt.pending--;
		else if (jv_is_valid(t[i].last))
			lc_acd_wait_judge(&wt, &t[i], lc_clock_ms());
	}
	for (i = 0; i < n; i++)
		if (!t[i].done && !jv_is_valid(t[i].last))
			break;
	if (i < n && (rc = poll_all(&wt, 1, deadline)) != 0) {
		fail_pending(&wt, rc, lc_error_msg());
		goto out;
	}
	lc_acd_wait_progress(&wt);
	next_poll = lc_clock_ms() + poll_ms;
	while (wt.pending > 0) {
		now = lc_clock_ms();
		if (deadline && now >= deadline)
			break;
		if ((rc = refresh_some(&wt, deadline)) != 0) {
			fail_pending(&wt, rc, lc_error_msg());
			break;
		}
		if (wt.pending == 0)
			break;
		lc_acd_wait_heartbeat(&wt);
		until = next_poll;
		if (deadline && deadline < until)
			until = deadline;
		if (wt.beat_ms && !wt.live && wt.next_beat < until)
			until = wt.next_beat;
		/* The live table's clock: wake at each second to move it. */
		now = lc_clock_ms();
		origin = lc_acd_wait_origin();
		if (wt.live && lc_log_enabled(LC_LOG_WARN) && now + 1000 -
		    (now - origin) % 1000 < until)
			until = now + 1000 - (now - origin) % 1000;
		for (i = 0; i < n; i++)
			if (!t[i].done && t[i].refresh_asked == 1)
				until = lc_clock_ms();
		if (too_long >= 2) {
			/* No watch: the polls alone, until the deadline. */
			if (until > lc_clock_ms())
				lc_clock_sleep_ms(until - lc_clock_ms());
			if ((rc = poll_due(&wt, &next_poll, deadline)) != 0)
				break;
			continue;
		}
		if (s == NULL) {
			u.len = 0;
			stream_url(&wt, w->selector, &u);
			lc_http_sse_reset(&wt.sse);
			wt.stream_err = wt.too_long = 0;
			if ((rc = lc_http_stream_open(lc_acd_http(acd), u.data,
			    "text/event-stream", on_stream, &wt, &s)) != 0) {
				fail_pending(&wt, rc, lc_error_msg());
				break;
			}
		}
		got = lc_http_stream_pump(s, until, &err);
		if (wt.stream_fatal) {
			fail_pending(&wt, LC_EAUTH, lc_error_msg());
			break;
		}
		if (got == 1 && !wt.stream_err)
			continue;		/* all done: the loop ends */
		if (got == 0) {
			if ((rc = poll_due(&wt, &next_poll, deadline)) != 0)
				break;
			lc_acd_wait_progress(&wt);
			continue;
		}
		/* The stream ended or broke: reconnect. */
		lc_http_stream_close(s);
		s = NULL;
		if (got == LC_ERROR && (err.status == 401 || err.status == 403)) {
			lc_buf_printf(&why, "watch: %ld from the server",
			    err.status);
			fail_pending(&wt, LC_EAUTH, why.data);
			break;
		}
		if (wt.too_long && ++too_long >= 2) {
			/*
			 * The same server sends the same line again: no use
			 * in reading it a third time. The polls still see
			 * every app, only later.
			 */
			lc_acd_wait_fmt_ms(every, sizeof(every), poll_ms);
			lc_log_warn("the watch sent a line longer than %u MB "
			    "again: no more watching, polling every %s "
			    "instead", LC_HTTP_SSE_MAX >> 20, every);
			continue;
		}
		lc_log_info("%s; reconnecting", wt.stream_err ? (wt.too_long ?
		    "the watch sent a line too long" : "the watch reported an "
		    "error") : lc_error_msg());
		/* A watch that keeps breaking must not starve the polls. */
		if ((rc = poll_due(&wt, &next_poll, deadline)) != 0)
			break;
		lc_clock_sleep_ms(lc_clock_backoff_ms(drops < 6 ? drops : 6,
		    100, 5000, 2));
		drops++;
		lc_acd_wait_progress(&wt);
	}
	if (wt.pending > 0) {
		fail_pending(&wt, LC_ETIMEOUT, NULL);
		for (i = 0; i < n; i++)
			if (t[i].rc == LC_ETIMEOUT && t[i].why == NULL) {
				lc_acd_wait_state_line(&t[i], &line);
				why.len = 0;
				lc_buf_printf(&why, "not there when the time ran "
				    "out (%s", line.data);
				if (t[i].op_over && jv_is_valid(t[i].last) &&
				    has(t[i].last, "operation"))
					lc_buf_printf(&why, "; another operation, "
					    "initiated by %s, is pending",
					    initiator(t[i].last));
				else if (t[i].other_why)
					lc_buf_printf(&why, "; our sync succeeded, "
					    "but %s", t[i].other_why);
				lc_buf_adds(&why, ")");
				if (t[i].rev_why)
					lc_buf_printf(&why, ": %s", t[i].rev_why);
				t[i].why = xdup(why.data);
			}
	}
out:
	wt.changed = 1;
	lc_acd_wait_progress(&wt);
	lc_http_stream_close(s);
	lc_http_resp_release(&err);
	lc_buf_release(&u);
	lc_buf_release(&why);
	lc_buf_release(&line);
	lc_http_sse_release(&wt.sse);
	if (wt.jq)
		jq_teardown(&wt.jq);
	lc_acd_wait_revs_free(wt.revs);
	lc_error_clear();
	return worst(t, n);
}

void
lc_acd_wait_target_free(struct lc_acd_target *t)
{
	lc_acd_app_free(&t->app);
	jv_free(t->last);
	jv_free(t->op_state);
	free(t->why);
	free(t->op_phase);
	free(t->op_message);
	free(t->rec_at_done);
	free(t->shown);
	free(t->other_fin);
	free(t->other_rec);
	free(t->other_why);
	free(t->rev_why);
	lc_acd_wait_target_init(t);
}

void
lc_acd_wait_target_init(struct lc_acd_target *t)
{
	memset(t, 0, sizeof(*t));
	t->last = jv_invalid();
	t->op_state = jv_invalid();
}

int
lc_acd_wait_targets(struct lc_acd *acd, const struct lc_acd_conf *c,
    char **argv, int argc, long long deadline, struct lc_acd_target **out,
    size_t *n)
{
	struct lc_acd_target *t;
	jv items, a;
	size_t i;
	int rc;

	(void)lc_acd_wait_origin();
	*out = NULL;
	*n = 0;
	if (c->selector == NULL) {
		t = lc_buf_xmalloc((argc ? (size_t)argc : 1) * sizeof(*t));
		for (i = 0; i < (size_t)argc; i++) {
			lc_acd_wait_target_init(&t[i]);
			lc_acd_app_parse(&t[i].app, argv[i], c->app_namespace);
		}
		*out = t;
		*n = (size_t)argc;
		return 0;
	}
	if ((rc = lc_acd_list(acd, c->selector, c->app_namespace, deadline,
	    &items)) != 0)
		return rc;
	if ((*n = (size_t)jv_array_length(jv_copy(items))) == 0) {
		jv_free(items);
		return lc_error_set(LC_ENOTFOUND, "no application matches the "
		    "selector '%s'", c->selector);
	}
	t = lc_buf_xmalloc(*n * sizeof(*t));
	for (i = 0; i < *n; i++) {
		a = jv_array_get(jv_copy(items), (int)i);
		lc_acd_wait_target_init(&t[i]);
		t[i].app.name = xdup(lc_jvutil_str(a, "metadata.name"));
		t[i].app.ns = xdup(lc_jvutil_str(a, "metadata.namespace"));
		t[i].last = a;		/* the List's snapshot: no GET needed */
	}
	jv_free(items);
	*out = t;
	return 0;
}
