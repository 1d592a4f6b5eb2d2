/* gate_run.c: metric-gate's evaluations: the clients, the schedule, the queries. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "clock.h"
#include "error.h"
#include "gate.h"
#include "log.h"
#include "prom.h"

/* The wall clock, in Unix seconds. */
static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Sleep until the wall-clock instant t, or LC_ETIMEOUT at the deadline. */
static int
sleep_until(double t, long long deadline, const char *name, long k)
{
	double ms = (t - now()) * 1000;
	long long left;

	if (ms <= 0)
		return 0;
	if (deadline) {
		left = deadline - lc_clock_ms();
		if (left < ms) {
			lc_clock_sleep_ms(left);
			return lc_error_set(LC_ETIMEOUT, "the deadline came "
			    "before evaluation %ld of check '%s'", k + 1, name);
		}
	}
	lc_clock_sleep_ms((long long)ceil(ms));
	return 0;
}

/* The clients: one for the command line's Prometheus, one per metric. */
struct clients {
	struct lc_prom *base;
	struct lc_prom **own;		/* per check; NULL: base */
	void **hdrs;			/* per check, the headers own's conf holds */
	size_t n;
	const struct lc_prom_conf *conf;	/* the command line's */
};

static void
clients_free(struct clients *cl)
{
	size_t i;

	lc_prom_free(cl->base);
	for (i = 0; cl->own && i < cl->n; i++) {
		lc_prom_free(cl->own[i]);
		free(cl->hdrs[i]);
	}
	free(cl->own);
	free(cl->hdrs);
}

static int
clients_open(struct clients *cl, const struct lc_gate_opts *o,
    const struct lc_prom_conf *conf)
{
	const struct lc_analysis_metric *m;
	struct lc_prom_conf mc;
	const char **h;
	size_t i, k, nh;
	int rc;

	memset(cl, 0, sizeof(*cl));
	cl->conf = conf;
	cl->n = o->nchecks;
	cl->own = lc_buf_xmalloc((o->nchecks + 1) * sizeof(*cl->own));
	cl->hdrs = lc_buf_xmalloc((o->nchecks + 1) * sizeof(*cl->hdrs));
	memset(cl->own, 0, (o->nchecks + 1) * sizeof(*cl->own));
	memset(cl->hdrs, 0, (o->nchecks + 1) * sizeof(*cl->hdrs));
	if (conf->url && (rc = lc_prom_new(&cl->base, conf)) != 0)
		return rc;
	for (i = 0; i < o->nchecks; i++) {
		if ((m = o->checks[i].metric) == NULL)
			continue;
		/* TLS is verified unless the command line says otherwise. */
		if (m->insecure && !conf->http.insecure)
			return lc_error_set(LC_EUSAGE, "metric %s sets "
			    "insecure: true: TLS is verified unless you pass "
			    "--insecure", m->name);
		if (m->nheaders == 0 && !m->insecure && m->timeout_ms == 0 &&
		    (conf->url || m->address == NULL))
			continue;
		mc = *conf;
		if (mc.url == NULL)
			mc.url = m->address;
		if (m->insecure)
			mc.http.insecure = 1;
		if (m->timeout_ms > 0)
			mc.http.io_timeout_ms = m->timeout_ms;
		nh = conf->http.nheaders;
		if (m->nheaders > SIZE_MAX / sizeof(*h) - nh - 1)
			lc_buf_xmalloc(SIZE_MAX);
		h = lc_buf_xmalloc((nh + m->nheaders + 1) * sizeof(*h));
		for (k = 0; k < nh; k++)
			h[k] = conf->http.headers[k];
		for (k = 0; k < m->nheaders; k++)
			h[nh + k] = m->headers[k];
		h[nh + m->nheaders] = NULL;
		cl->hdrs[i] = (void *)h;
		mc.http.headers = h;
		mc.http.nheaders = nh + m->nheaders;
		if ((rc = lc_prom_new(&cl->own[i], &mc)) != 0)
			return rc;
	}
	for (i = 0; i < o->nchecks; i++)
		if (cl->own[i] == NULL && cl->base == NULL)
			return lc_error_set(LC_EUSAGE, "no Prometheus for check "
			    "'%s': give --prometheus URL or set PROMETHEUS_URL",
			    o->checks[i].name);
	return 0;
}

static struct lc_prom *
client(const struct clients *cl, size_t i)
{
	return cl->own[i] ? cl->own[i] : cl->base;
}

/* Check i's schedule: evaluations, their spacing, the first one's delay. */
static void
schedule(const struct lc_gate_opts *o, size_t i, long *n, long long *every,
    long long *delay)
{
	const struct lc_analysis_metric *m = o->checks[i].metric;

	*n = m ? m->count : o->count;
	*every = m ? m->interval_ms : o->interval_ms;
	*delay = m ? m->initial_delay_ms : o->initial_delay_ms;
	if (*n < 1)
		*n = 1;
}

/* Prometheus's warnings about an answer (partial data, say), for -v. */
static void
warnings(const struct lc_gate_check *c, const struct lc_prom_result *res)
{
	size_t k;

	for (k = 0; k < res->nwarnings; k++)
		lc_log_info("check %s: Prometheus warns: %s", c->name,
		    res->warnings[k]);
}

/*
 * A request that timed out before o's deadline (or without one) met the
 * I/O timeout, not --timeout: Prometheus is unavailable (LC_EUNAVAIL), and
 * only the deadline is LC_ETIMEOUT.
 */
static int
io_timeout(int rc, const struct lc_gate_opts *o,
    const struct lc_prom_conf *conf, size_t i)
{
	const struct lc_analysis_metric *m = o->checks[i].metric;
	long long ms = m && m->timeout_ms > 0 ? m->timeout_ms :
	    conf->http.io_timeout_ms > 0 ? conf->http.io_timeout_ms : 30000;

	if (rc != LC_ETIMEOUT || (o->deadline && lc_clock_ms() >= o->deadline))
		return rc;
	return lc_error_set(LC_EUNAVAIL, "Prometheus did not answer within "
	    "%lld s", (ms + 999) / 1000);
}

/* One evaluation of check i at t: its queries, then the judging. */
static int
evaluate(struct lc_gate_result *r, const struct lc_gate_opts *o,
    const struct clients *cl, size_t i, double t, lc_gate_fn fn, void *arg)
{
	const struct lc_gate_check *c = &o->checks[i];
	struct lc_prom_result cres = LC_PROM_RESULT_INIT;
	struct lc_prom_result bres = LC_PROM_RESULT_INIT;
	int rc;

	if ((rc = lc_prom_query(client(cl, i), c->query, t, o->deadline,
	    &cres)) == 0 && c->baseline_query)
		rc = lc_prom_query(client(cl, i), c->baseline_query, t,
		    o->deadline, &bres);
	if (rc == 0) {
		warnings(c, &cres);
		warnings(c, &bres);
		lc_gate_eval(r, o, i, t, &cres, c->baseline_query ? &bres :
		    NULL, fn, arg);
	}
	lc_prom_result_release(&cres);
	lc_prom_result_release(&bres);
	return io_timeout(rc, o, cl->conf, i);
}

static int
run_window(struct lc_gate_result *r, const struct lc_gate_opts *o,
    const struct clients *cl, double end)
{
	struct lc_prom_result cres, bres;
	const struct lc_gate_check *c;
	double step = (o->step_ms > 0 ? o->step_ms : 15000) / 1000.0;
	double start = end - o->window_ms / 1000.0;
	size_t i;
	int rc = 0;

	for (i = 0; i < o->nchecks && rc == 0; i++) {
		c = &o->checks[i];
		memset(&cres, 0, sizeof(cres));
		memset(&bres, 0, sizeof(bres));
		if ((rc = lc_prom_query_range(client(cl, i), c->query, start,
		    end, step, o->deadline, &cres)) == 0 && c->baseline_query)
			rc = lc_prom_query_range(client(cl, i),
			    c->baseline_query, start, end, step, o->deadline,
			    &bres);
		if (rc == 0) {
			warnings(c, &cres);
			warnings(c, &bres);
			lc_gate_window(r, o, i, start, end, step, &cres,
			    c->baseline_query ? &bres : NULL);
		}
		lc_prom_result_release(&cres);
		lc_prom_result_release(&bres);
		rc = io_timeout(rc, o, cl->conf, i);
	}
	return rc;
}

/* Whether check i decides the verdict (a template's dryRun metric does not). */
static int
counts(const struct lc_gate_opts *o, size_t i)
{
	return o->checks[i].metric == NULL || !o->checks[i].metric->dry_run;
}

/*
 * The schedule: evaluation k of check i at t0 + delay + k * interval; the
 * loop takes the earliest one due of all the checks still running, so
 * template metrics with intervals of their own interleave. Once a check
 * that counts has failed beyond its limit the verdict is fail whatever
 * comes: the schedule stops there (*stopped set), for the rollback not to
 * wait; only the evaluations due at that same instant are still made (no
 * waiting: the other checks get the same instant's measure). done[i]:
 * check i's evaluations made.
 */
static int
run_schedule(struct lc_gate_result *r, const struct lc_gate_opts *o,
    const struct clients *cl, double t0, lc_gate_fn fn, void *arg,
    long *done, int *stopped)
{
	long n;
	long long every, delay;
	double t, best, fail_t = INFINITY;
	size_t i, pick, live;
	int rc = 0;

	for (;;) {
		best = INFINITY;
		pick = o->nchecks;
		live = 0;
		for (i = 0; i < o->nchecks; i++) {
			schedule(o, i, &n, &every, &delay);
			if (done[i] >= n || lc_gate_decided(&r->checks[i], o))
				continue;
			live++;
			t = t0 + (delay + (double)done[i] * every) / 1000.0;
			if (t < best) {
				best = t;
				pick = i;
			}
		}
		if (live == 0)
			break;
		if (best > fail_t) {
			*stopped = 1;
			break;
		}
		if ((rc = sleep_until(best, o->deadline, o->checks[pick].name,
		    done[pick])) != 0)
			break;
		if (o->deadline && lc_clock_ms() >= o->deadline) {
			rc = lc_error_set(LC_ETIMEOUT, "the deadline came "
			    "before evaluation %ld of check '%s'",
			    done[pick] + 1, o->checks[pick].name);
			break;
		}
		if ((rc = evaluate(r, o, cl, pick, best, fn, arg)) != 0)
			break;
		done[pick]++;
		if (counts(o, pick) && lc_gate_decided(&r->checks[pick], o) &&
		    best < fail_t)
			fail_t = best;
	}
	return rc;
}

/*
 * After a stop: the checks with evaluations still to make say so in their
 * rows' notes ("0/1 breached, stopped early"), judged over what was
 * measured; one never evaluated gets an inconclusive row that says so.
 */
static void
mark_stopped(struct lc_gate_result *r, const struct lc_gate_opts *o,
    const long *done)
{
	struct lc_gate_check_result *cr;
	struct lc_gate_row *row;
	struct lc_buf b = LC_BUF_INIT;
	long long every, delay;
	size_t i, j;
	long n;

	for (i = 0; i < r->nchecks; i++) {
		schedule(o, i, &n, &every, &delay);
		cr = &r->checks[i];
		if (done[i] >= n || lc_gate_decided(cr, o))
			continue;
		if (cr->nrows == 0) {
			cr->rows = lc_buf_xrealloc(cr->rows, sizeof(*cr->rows));
			row = &cr->rows[cr->nrows++];
			memset(row, 0, sizeof(*row));
			row->series = lc_buf_xstrndup("{}", 2);
			row->canary = row->baseline = row->p = NAN;
			row->placeholder = 1;
			row->note = lc_buf_xstrndup("not evaluated", 13);
			row->verdict = LC_GATE_INCONCLUSIVE;
			cr->verdict = LC_GATE_INCONCLUSIVE;
			if (counts(o, i) && r->verdict == LC_GATE_PASS)
				r->verdict = LC_GATE_INCONCLUSIVE;
		}
		for (j = 0; j < cr->nrows; j++) {
			row = &cr->rows[j];
			b.len = 0;
			lc_buf_printf(&b, "%s%sstopped early", row->note ?
			    row->note : "", row->note && *row->note ? ", " :
			    "");
			free(row->note);
			row->note = lc_buf_detach(&b);
		}
	}
	lc_buf_release(&b);
}

int
lc_gate_run(struct lc_gate_result *out, const struct lc_gate_opts *o,
    const struct lc_prom_conf *conf, lc_gate_fn fn, void *arg)
{
	struct clients cl;
	double t0 = o->has_at ? o->at : now();
	long *done;
	int rc, stopped = 0;

	lc_gate_result_init(out, o);
	done = lc_buf_xmalloc((o->nchecks + 1) * sizeof(*done));
	memset(done, 0, (o->nchecks + 1) * sizeof(*done));
	if ((rc = clients_open(&cl, o, conf)) == 0) {
		if (o->window_ms > 0)
			rc = run_window(out, o, &cl, t0);
		else
			rc = run_schedule(out, o, &cl, t0, fn, arg, done,
			    &stopped);
	}
	clients_free(&cl);
	if (rc == 0)
		lc_gate_finish(out, o);
	if (rc == 0 && stopped)
		mark_stopped(out, o, done);
	free(done);
	return rc;
}
