/* acd_wait_show.c: a wait's progress on stderr: lines, or a live table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acd_wait_int.h"
#include "acd_wait.h"
#include "buf.h"
#include "clock.h"
#include "jvutil.h"
#include "log.h"

/* The live table shows at most this many apps. */
#define MAX_ROWS	20

void
lc_acd_wait_state_line(const struct lc_acd_target *t, struct lc_buf *out)
{
	jv a = t->last;
	const char *op;

	out->len = 0;
	if (!jv_is_valid(a)) {
		lc_buf_adds(out, "-");
		return;
	}
	op = has(a, "operation") ? (*lc_jvutil_str(a, "status.operationState."
	    "phase") ? lc_jvutil_str(a, "status.operationState.phase") :
	    "Pending") : *lc_jvutil_str(a, "status.operationState.phase") ?
	    lc_jvutil_str(a, "status.operationState.phase") : "-";
	lc_buf_printf(out, "sync=%s health=%s operation=%s",
	    *lc_jvutil_str(a, "status.sync.status") ?
	    lc_jvutil_str(a, "status.sync.status") : "-",
	    *lc_jvutil_str(a, "status.health.status") ?
	    lc_jvutil_str(a, "status.health.status") : "-", op);
}

/* Whole seconds as "1h2m3s", "2m30s", "10m", "45s". */
static void
fmt_clock(struct lc_buf *out, long long s)
{
	if (s >= 3600)
		lc_buf_printf(out, "%lldh", s / 3600);
	if (s % 3600 >= 60)
		lc_buf_printf(out, "%lldm", s % 3600 / 60);
	if (s % 60 || s == 0)
		lc_buf_printf(out, "%llds", s % 60);
}

/* "elapsed/deadline" ("2m30s/10m"), or "elapsed" with no deadline. */
static void
clock_text(const struct waiter *wt, long long now, struct lc_buf *out)
{
	out->len = 0;
	fmt_clock(out, (now - lc_acd_wait_origin()) / 1000);
	if (wt->deadline) {
		lc_buf_adds(out, "/");
		fmt_clock(out, (wt->deadline - lc_acd_wait_origin() + 500) /
		    1000);
	}
}

/*
 * "Kind/name: message" (or its health status, without a message) of the
 * first resource the wait looks at that is not Healthy; "" when none.
 */
static void
first_unhealthy(const struct waiter *wt, jv a, struct lc_buf *out)
{
	jv l = lc_jvutil_get(a, "status.resources"), e;
	const char *h;
	int i, n;

	out->len = 0;
	lc_buf_adds(out, "");
	n = jv_get_kind(l) == JV_KIND_ARRAY ? jv_array_length(jv_copy(l)) : 0;
	for (i = 0; i < n && out->len == 0; i++) {
		e = jv_array_get(jv_copy(l), i);
		h = lc_jvutil_str(e, "health.status");
		if (*h && strcmp(h, "Healthy") != 0 &&
		    lc_acd_wait_selected(wt->w, e))
			lc_buf_printf(out, "%s/%s: %s", lc_jvutil_str(e,
			    "kind"),
			    lc_jvutil_str(e, "name"), *lc_jvutil_str(e,
			    "health.message") ? lc_jvutil_str(e,
			    "health.message") :
			    h);
		jv_free(e);
	}
	jv_free(l);
}

/*
 * The heartbeat, when it is due (not on a terminal, which has the table):
 * one line per app still waited for, so that a CI log shows a slow
 * rollout as one, and CI systems that kill silent jobs leave it alone.
 */
void
lc_acd_wait_heartbeat(struct waiter *wt)
{
	struct lc_buf clk = LC_BUF_INIT, line = LC_BUF_INIT, res = LC_BUF_INIT;
	long long now = lc_clock_ms();
	size_t i;

	if (wt->beat_ms <= 0 || wt->live || now < wt->next_beat)
		return;
	wt->next_beat = now + wt->beat_ms;
	if (!lc_log_enabled(LC_LOG_WARN))
		return;
	clock_text(wt, now, &clk);
	for (i = 0; i < wt->n; i++) {
		if (wt->t[i].done || !jv_is_valid(wt->t[i].last))
			continue;
		lc_acd_wait_state_line(&wt->t[i], &line);
		first_unhealthy(wt, wt->t[i].last, &res);
		/* What it waits for, when the state does not say it. */
		if ((wt->t[i].op_over || (!wt->t[i].op_id &&
		    !wt->t[i].op_rev)) && has(wt->t[i].last, "operation")) {
			lc_buf_printf(&res, "%san operation initiated by %s "
			    "is pending", res.len ? "; " : "",
			    initiator(wt->t[i].last));
		} else if (wt->t[i].rev_why)
			lc_buf_printf(&res, "%s%s", res.len ? "; " : "",
			    wt->t[i].rev_why);
		lc_log_note("%s: waiting %s: %s%s%s", wt->t[i].app.name,
		    clk.data, line.data, res.len ? "; " : "", res.data);
	}
	lc_buf_release(&clk);
	lc_buf_release(&line);
	lc_buf_release(&res);
}

void
lc_acd_wait_progress(struct waiter *wt)
{
	struct lc_buf line = LC_BUF_INIT, clk = LC_BUF_INIT, row = LC_BUF_INIT;
	struct lc_buf name = LC_BUF_INIT, frame = LC_BUF_INIT;
	struct lc_buf out = LC_BUF_INIT;
	long long now;
	size_t i, rows;
	int shown = 0;

	if (!lc_log_enabled(LC_LOG_WARN))
		return;
	if (!wt->live) {
		/* One line per change, for CI logs. */
		for (i = 0; i < wt->n; i++) {
			if (!jv_is_valid(wt->t[i].last))
				continue;
			lc_acd_wait_state_line(&wt->t[i], &line);
			if (wt->t[i].shown && strcmp(line.data,
			    wt->t[i].shown) == 0)
				continue;
			free(wt->t[i].shown);
			wt->t[i].shown = xdup(line.data);
			lc_log_note("%s: %s", wt->t[i].app.name, line.data);
		}
		lc_buf_release(&line);
		return;
	}
	/* The clock of the rows still waiting moves once a second. */
	now = lc_clock_ms();
	if ((now - lc_acd_wait_origin()) / 1000 != wt->shown_s)
		wt->changed = 1;
	if (!wt->changed)
		return;
	wt->changed = 0;
	wt->shown_s = (now - lc_acd_wait_origin()) / 1000;
	clk.len = 0;
	fmt_clock(&clk, wt->shown_s);
	if (wt->deadline) {
		lc_buf_adds(&clk, ", ");
		fmt_clock(&clk, now < wt->deadline ? (wt->deadline - now + 999) /
		    1000 : 0);
		lc_buf_adds(&clk, " left");
	}
	rows = wt->n < MAX_ROWS ? wt->n : MAX_ROWS;
	lc_buf_adds(&frame, "");
	if (wt->drawn)
		lc_buf_printf(&frame, "\033[%dA", wt->drawn);
	for (i = 0; i < rows; i++) {
		lc_acd_wait_state_line(&wt->t[i], &row);
		line.len = name.len = 0;
		lc_buf_adds(&line, "");
		lc_buf_adds(&name, "");
		lc_log_clean(&line, row.data);
		lc_log_clean(&name, wt->t[i].app.name);
		lc_buf_printf(&frame, "\033[2K%-30s %s  %s\n", name.data,
		    line.data, wt->t[i].done ? (wt->t[i].rc == 0 ? "done" :
		    "FAILED") : clk.data);
		shown++;
	}
	if (wt->n > rows) {
		lc_buf_printf(&frame, "\033[2K... and %zu more, %d still "
		    "waiting\n", wt->n - rows, wt->pending);
		shown++;
	}
	wt->drawn = shown;
	/* What the server sent is masked here as in every log line. */
	lc_buf_adds(&out, "");
	lc_log_redact(&out, frame.data);
	fwrite(out.data, 1, out.len, stderr);
	fflush(stderr);
	lc_buf_release(&line);
	lc_buf_release(&clk);
	lc_buf_release(&row);
	lc_buf_release(&name);
	lc_buf_release(&frame);
	lc_buf_release(&out);
}
