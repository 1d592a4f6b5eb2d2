/* gate_test.c: metric-gate's judging over hand-made query results: pairing, no data, limits, mannwhitney, verdicts. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis.h"
#include "buf.h"
#include "clock.h"
#include "error.h"
#include "fake_http.h"
#include "gate.h"
#include "prom.h"
#include "tap.h"

/*
 * A result of n series: labels[i] with one point each (a vector, at t =
 * 1000) or, for a matrix, the points of pts[i] (npts each, t = 0, 15, ...;
 * NaN in pts means no point there).
 */
static struct lc_prom_result
result(enum lc_prom_type type, size_t n, const char *const *labels,
    const double *const *pts, size_t npts)
{
	struct lc_prom_result r = LC_PROM_RESULT_INIT;
	size_t i, k, m;

	r.type = type;
	r.nseries = n;
	r.series = calloc(n ? n : 1, sizeof(*r.series));
	for (i = 0; i < n; i++) {
		r.series[i].labels = strdup(labels[i]);
		r.series[i].t = calloc(npts ? npts : 1, sizeof(double));
		r.series[i].v = calloc(npts ? npts : 1, sizeof(double));
		for (k = m = 0; k < npts; k++) {
			if (type == LC_PROM_MATRIX && isnan(pts[i][k]))
				continue;
			r.series[i].t[m] = type == LC_PROM_MATRIX ?
			    (double)k * 15 : 1000;
			r.series[i].v[m++] = pts[i][k];
		}
		r.series[i].n = m;
	}
	return r;
}

/* A vector of n series, labels and values alternating. */
static struct lc_prom_result
vec(size_t n, ...)
{
	const char *labels[8];
	double vals[8];
	const double *pts[8];
	va_list ap;
	size_t i;

	va_start(ap, n);
	for (i = 0; i < n; i++) {
		labels[i] = va_arg(ap, const char *);
		vals[i] = va_arg(ap, double);
		pts[i] = &vals[i];
	}
	va_end(ap);
	return result(LC_PROM_VECTOR, n, labels, pts, 1);
}

static struct lc_gate_opts
opts(const struct lc_gate_check *c, size_t n)
{
	struct lc_gate_opts o;

	memset(&o, 0, sizeof(o));
	o.checks = c;
	o.nchecks = n;
	o.confidence = 0.95;
	o.step_ms = 15000;
	return o;
}

static struct lc_gate_check
check(const char *name, enum lc_gate_cond cond, double limit, int baseline)
{
	struct lc_gate_check c;

	memset(&c, 0, sizeof(c));
	c.name = name;
	c.query = "canary";
	c.baseline_query = baseline ? "baseline" : NULL;
	c.cond = cond;
	c.limit = limit;
	return c;
}

/* "series canary baseline verdict note" of a row, for comparing. */
static const char *
row_text(const struct lc_gate_row *row)
{
	static struct lc_buf b;

	b.len = 0;
	lc_buf_printf(&b, "%s ", row->series);
	if (row->has_canary)
		lc_gate_num(&b, row->canary);
	else
		lc_buf_adds(&b, "-");
	lc_buf_addc(&b, ' ');
	if (row->has_baseline)
		lc_gate_num(&b, row->baseline);
	else
		lc_buf_adds(&b, "-");
	lc_buf_printf(&b, " %s %s", lc_gate_verdict_name(row->verdict),
	    row->note);
	return b.data;
}

/* One instant evaluation of a check; the result to inspect and release. */
static void
instant(struct lc_gate_result *r, struct lc_gate_opts *o,
    struct lc_prom_result c, struct lc_prom_result b, int has_b)
{
	lc_gate_result_init(r, o);
	lc_gate_eval(r, o, 0, 1000, &c, has_b ? &b : NULL, NULL, NULL);
	lc_gate_finish(r, o);
	lc_prom_result_release(&c);
	if (has_b)
		lc_prom_result_release(&b);
}

static void
test_pairing(void)
{
	struct lc_gate_check c = check("err", LC_GATE_MAX_INCREASE, 0.01, 1);
	struct lc_gate_opts o = opts(&c, 1);
	struct lc_gate_result r;

	instant(&r, &o, vec(2, "{pod=\"a\"}", 0.05, "{pod=\"b\"}", 0.02),
	    vec(2, "{pod=\"b\"}", 0.015, "{pod=\"a\"}", 0.01), 1);
	ok(r.checks[0].nrows == 2, "pairing: one row per canary series");
	is_str(row_text(&r.checks[0].rows[0]), "{pod=\"a\"} 0.05 0.01 fail "
	    "+0.04", "pairing: a with a, whatever the order");
	is_str(row_text(&r.checks[0].rows[1]), "{pod=\"b\"} 0.02 0.015 pass "
	    "+0.005", "pairing: b with b");
	ok(r.verdict == LC_GATE_FAIL && r.checks[0].verdict == LC_GATE_FAIL,
	    "pairing: one failed row fails the check and the verdict");
	lc_gate_result_release(&r);

	instant(&r, &o, vec(2, "{pod=\"a\"}", 0.05, "{pod=\"b\"}", 0.02),
	    vec(1, "{}", 0.01), 1);
	is_str(row_text(&r.checks[0].rows[0]), "{pod=\"a\"} 0.05 0.01 fail "
	    "+0.04", "only baseline: every series against it (a)");
	is_str(row_text(&r.checks[0].rows[1]), "{pod=\"b\"} 0.02 0.01 pass "
	    "+0.01", "only baseline: every series against it (b, +0.01 is allowed)");
	lc_gate_result_release(&r);

	instant(&r, &o, vec(2, "{pod=\"a\"}", 0.05, "{pod=\"b\"}", 0.02),
	    vec(2, "{pod=\"c\"}", 0.01, "{pod=\"d\"}", 0.01), 1);
	is_str(row_text(&r.checks[0].rows[0]), "{pod=\"a\"} 0.05 - "
	    "inconclusive no baseline series", "no baseline series: "
	    "inconclusive");
	ok(r.verdict == LC_GATE_INCONCLUSIVE, "no baseline: the verdict is "
	    "inconclusive");
	lc_gate_result_release(&r);

	instant(&r, &o, vec(0), vec(1, "{}", 0.01), 1);
	ok(r.checks[0].nrows == 1, "empty result: one row");
	is_str(row_text(&r.checks[0].rows[0]), "{} - 0.01 inconclusive no "
	    "data", "empty result: series {} with no data");
	lc_gate_result_release(&r);
}

/* Many series pair by labels in n log n (not n * m). */
static void
test_many(void)
{
	enum { N = 20000 };
	struct lc_gate_check c = check("rps", LC_GATE_MAX_RATIO, 1, 1);
	struct lc_gate_opts o = opts(&c, 1);
	struct lc_gate_result r;
	struct lc_prom_result a = LC_PROM_RESULT_INIT, b = LC_PROM_RESULT_INIT;
	char l[32];
	size_t i, bad = 0;

	a.series = calloc(N, sizeof(*a.series));
	b.series = calloc(N, sizeof(*b.series));
	a.nseries = b.nseries = N;
	for (i = 0; i < N; i++) {
		snprintf(l, sizeof(l), "{i=\"%05zu\"}", i);
		a.series[i].labels = strdup(l);
		a.series[i].t = calloc(1, sizeof(double));
		a.series[i].v = calloc(1, sizeof(double));
		a.series[i].v[0] = (double)i + 1;
		a.series[i].n = 1;
		snprintf(l, sizeof(l), "{i=\"%05zu\"}", N - 1 - i);
		b.series[i].labels = strdup(l);
		b.series[i].t = calloc(1, sizeof(double));
		b.series[i].v = calloc(1, sizeof(double));
		b.series[i].v[0] = (double)(N - 1 - i) + 1;
		b.series[i].n = 1;
	}
	instant(&r, &o, a, b, 1);
	for (i = 0; i < r.checks[0].nrows; i++)
		if (r.checks[0].rows[i].verdict != LC_GATE_PASS ||
		    strcmp(r.checks[0].rows[i].note, "x1") != 0)
			bad++;
	ok(r.checks[0].nrows == N && bad == 0, "20,000 series, each with "
	    "its baseline (%zu rows, %zu wrong)", r.checks[0].nrows, bad);
	lc_gate_result_release(&r);
}

static void
test_ratio_and_nodata(void)
{
	struct lc_gate_check c = check("lat", LC_GATE_MAX_RATIO, 1.2, 1);
	struct lc_gate_opts o = opts(&c, 1);
	struct lc_gate_result r;
	const struct {
		double canary, baseline;
		enum lc_gate_nodata policy;
		const char *want;
	} t[] = {
		{ 0.27, 0.2, 0, "{} 0.27 0.2 fail x1.35" },
		{ 0.22, 0.2, 0, "{} 0.22 0.2 pass x1.1" },
		{ 1, 0, 0, "{} 1 0 inconclusive baseline is 0" },
		{ 0, 0, 0, "{} 0 0 pass x1" },
		{ NAN, 0.2, 0, "{} NaN 0.2 inconclusive no data" },
		{ INFINITY, 0.2, 0, "{} +Inf 0.2 inconclusive no data" },
		{ 0.2, -INFINITY, 0, "{} 0.2 -Inf inconclusive no data" },
		{ NAN, 0.2, LC_GATE_NODATA_PASS, "{} NaN 0.2 pass no data" },
		{ NAN, 0.2, LC_GATE_NODATA_FAIL, "{} NaN 0.2 fail no data" },
		{ 1, 0, LC_GATE_NODATA_FAIL, "{} 1 0 fail baseline is 0" },
		{ 5, -1, 0, "{} 5 -1 inconclusive negative value" },
		{ -5, -1, 0, "{} -5 -1 inconclusive negative value" },
		{ -0.1, 0.2, 0, "{} -0.1 0.2 inconclusive negative value" },
		{ 5, -1, LC_GATE_NODATA_FAIL, "{} 5 -1 fail negative value" },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		o.nodata = t[i].policy;
		instant(&r, &o, vec(1, "{}", t[i].canary), vec(1, "{}",
		    t[i].baseline), 1);
		is_str(row_text(&r.checks[0].rows[0]), t[i].want,
		    "ratio %g / %g, --no-data %d", t[i].canary, t[i].baseline,
		    (int)t[i].policy);
		ok(r.checks[0].rows[0].evaluations == 1, "... one evaluation");
		lc_gate_result_release(&r);
	}
}

static void
test_max_min(void)
{
	struct lc_gate_check c[2];
	struct lc_gate_opts o;
	struct lc_gate_result r;
	struct lc_prom_result a, b;

	c[0] = check("up", LC_GATE_MIN, 1, 0);
	c[1] = check("p99", LC_GATE_MAX, 0.5, 0);
	o = opts(c, 2);
	lc_gate_result_init(&r, &o);
	a = vec(2, "{i=\"1\"}", 1.0, "{i=\"2\"}", 0.0);
	b = vec(1, "{}", 0.5);
	lc_gate_eval(&r, &o, 0, 1000, &a, NULL, NULL, NULL);
	lc_gate_eval(&r, &o, 1, 1000, &b, NULL, NULL, NULL);
	lc_gate_finish(&r, &o);
	is_str(row_text(&r.checks[0].rows[0]), "{i=\"1\"} 1 - pass ",
	    "--min 1: 1 passes");
	is_str(row_text(&r.checks[0].rows[1]), "{i=\"2\"} 0 - fail ",
	    "--min 1: 0 fails");
	is_str(row_text(&r.checks[1].rows[0]), "{} 0.5 - pass ",
	    "--max 0.5: 0.5 passes (the limit is allowed)");
	ok(r.verdict == LC_GATE_FAIL, "max/min: the verdict fails");
	lc_prom_result_release(&a);
	lc_prom_result_release(&b);
	lc_gate_result_release(&r);
}

/* count evaluations of check c from the canary values v (baseline 0.01). */
static void
series_of(struct lc_gate_result *r, struct lc_gate_opts *o,
    const double *v, size_t n)
{
	struct lc_prom_result a, b;
	size_t i;

	lc_gate_result_init(r, o);
	for (i = 0; i < n; i++) {
		a = isnan(v[i]) ? vec(0) : vec(1, "{}", v[i]);
		b = vec(1, "{}", 0.01);
		lc_gate_eval(r, o, 0, 1000 + (double)i * 60, &a, &b, NULL,
		    NULL);
		lc_prom_result_release(&a);
		lc_prom_result_release(&b);
	}
	lc_gate_finish(r, o);
}

static void
test_limits(void)
{
	struct lc_gate_check c = check("err", LC_GATE_MAX_INCREASE, 0.01, 1);
	struct lc_gate_opts o = opts(&c, 1);
	struct lc_gate_result r;
	const double breach2[] = { 0.01, 0.05, 0.01, 0.05, 0.01 };
	const double nodata2[] = { 0.01, NAN, 0.01, NAN, 0.01 };
	const double late[] = { NAN, 0.01, 0.01 };

	o.count = 5;
	o.interval_ms = 60000;
	o.failure_limit = 1;
	series_of(&r, &o, breach2, 5);
	is_str(row_text(&r.checks[0].rows[0]), "{} 0.01 0.01 fail 2/5 "
	    "breached", "--failure-limit 1: two breaches fail");
	lc_gate_result_release(&r);
	o.failure_limit = 2;
	series_of(&r, &o, breach2, 5);
	is_str(row_text(&r.checks[0].rows[0]), "{} 0.01 0.01 pass 2/5 "
	    "breached", "--failure-limit 2: two breaches pass");
	lc_gate_result_release(&r);

	o.failure_limit = 0;
	o.inconclusive_limit = 1;
	series_of(&r, &o, nodata2, 5);
	is_str(row_text(&r.checks[0].rows[0]), "{} 0.01 0.01 inconclusive "
	    "0/5 breached, 2 no data", "--inconclusive-limit 1: two without data are "
	    "inconclusive");
	ok(r.checks[0].rows[0].nodata == 2, "... counted as no data");
	lc_gate_result_release(&r);
	o.inconclusive_limit = 2;
	series_of(&r, &o, nodata2, 5);
	ok(r.checks[0].rows[0].verdict == LC_GATE_PASS,
	    "--inconclusive-limit 2: two without data pass");
	lc_gate_result_release(&r);
	o.nodata = LC_GATE_NODATA_FAIL;
	o.failure_limit = 1;
	series_of(&r, &o, nodata2, 5);
	ok(r.checks[0].rows[0].verdict == LC_GATE_FAIL,
	    "--no-data fail: no data counts toward --failure-limit");
	lc_gate_result_release(&r);

	/* An empty first answer, then a series: one row, not two. */
	o.nodata = LC_GATE_NODATA_INCONCLUSIVE;
	o.inconclusive_limit = 0;
	o.count = 3;
	series_of(&r, &o, late, 3);
	ok(r.checks[0].nrows == 1 && r.checks[0].rows[0].evaluations == 3 &&
	    r.checks[0].rows[0].nodata == 1, "a series that comes late: its "
	    "earlier evaluations are no data");
	lc_gate_result_release(&r);
}

/*
 * The limits count evaluations, not series: labels that change between
 * evaluations (a new pod each time) leave each row within its limit.
 */
static void
test_limits_per_evaluation(void)
{
	struct lc_gate_check c = check("err", LC_GATE_MAX, 5, 0);
	struct lc_gate_opts o = opts(&c, 1);
	struct lc_gate_result r;
	struct lc_prom_result a;
	struct lc_buf b = LC_BUF_INIT;
	const char *pods[4] = { "{pod=\"a\"}", "{pod=\"b\"}", "{pod=\"c\"}",
	    "{pod=\"d\"}" };
	const double v[4] = { 9, 9, 9, 1 };
	size_t i, j;
	int rows_pass;

	o.count = 4;
	o.interval_ms = 60000;
	o.failure_limit = 1;
	o.nodata = LC_GATE_NODATA_PASS;
	lc_gate_result_init(&r, &o);
	for (i = 0; i < 4; i++) {
		a = vec(1, pods[i], v[i]);
		lc_gate_eval(&r, &o, 0, 1000 + (double)i * 60, &a, NULL, NULL,
		    NULL);
		lc_prom_result_release(&a);
		ok(lc_gate_decided(&r.checks[0], &o) == (i >= 1),
		    "per evaluation: decided after %zu breaching evaluations",
		    i + 1);
	}
	lc_gate_finish(&r, &o);
	for (rows_pass = 1, j = 0; j < r.checks[0].nrows; j++)
		rows_pass &= r.checks[0].rows[j].verdict == LC_GATE_PASS;
	ok(r.checks[0].nrows == 4 && rows_pass, "per evaluation: each pod's "
	    "row has 1 breach, within --failure-limit 1");
	ok(r.checks[0].ev_breached == 3 && r.checks[0].verdict ==
	    LC_GATE_FAIL && r.verdict == LC_GATE_FAIL, "per evaluation: 3 of "
	    "4 evaluations breached, more than --failure-limit 1: fail");
	lc_gate_report_check_line(&b, &r.checks[0], &o);
	is_str(b.data, "check err failed: 3 of 4 evaluations breached <=5 on "
	    "some series, more than the failure limit 1", "per evaluation: "
	    "the check's line");
	lc_gate_result_release(&r);
	o.failure_limit = 3;
	o.inconclusive_limit = 3;
	o.nodata = LC_GATE_NODATA_INCONCLUSIVE;
	lc_gate_result_init(&r, &o);
	for (i = 0; i < 4; i++) {
		a = vec(1, pods[i], 1.0);
		lc_gate_eval(&r, &o, 0, 1000 + (double)i * 60, &a, NULL, NULL,
		    NULL);
		lc_prom_result_release(&a);
	}
	lc_gate_finish(&r, &o);
	ok(r.verdict == LC_GATE_PASS, "per evaluation: a series per "
	    "evaluation, all within the limit, pass (got %s)",
	    lc_gate_verdict_name(r.verdict));
	lc_gate_result_release(&r);

	/* Two series taking turns at having no data. */
	o.count = 3;
	o.inconclusive_limit = 2;
	lc_gate_result_init(&r, &o);
	for (i = 0; i < 3; i++) {
		a = vec(2, pods[0], i % 2 ? NAN : 1.0, pods[1], i % 2 ? 1.0 :
		    NAN);
		lc_gate_eval(&r, &o, 0, 1000 + (double)i * 60, &a, NULL, NULL,
		    NULL);
		lc_prom_result_release(&a);
	}
	lc_gate_finish(&r, &o);
	ok(r.checks[0].rows[0].verdict == LC_GATE_PASS &&
	    r.checks[0].rows[1].verdict == LC_GATE_PASS && r.verdict ==
	    LC_GATE_INCONCLUSIVE && r.checks[0].by_evaluations,
	    "per evaluation: 3 of 3 evaluations with a row without data, more "
	    "than --inconclusive-limit 2: inconclusive");
	b.len = 0;
	lc_gate_report_check_line(&b, &r.checks[0], &o);
	is_str(b.data, "check err inconclusive: 3 of 3 evaluations without "
	    "data on some series, more than the inconclusive limit 2",
	    "per evaluation: the inconclusive check's line");
	lc_gate_result_release(&r);
	lc_buf_release(&b);
}

/* The step summary renders nothing a label holds: no HTML, no link. */
static void
test_markdown_escape(void)
{
	struct lc_gate_check c = check("my_check", LC_GATE_MAX, 5, 0);
	struct lc_gate_opts o = opts(&c, 1);
	struct lc_gate_result r;
	struct lc_buf b = LC_BUF_INIT;
	const char *l[1] = { "{pod=\"<img src=x> [a](http://x) *b* `c` \\ |\"}" };
	const double pts[2] = { 1, 2 }, *pp[1] = { pts };
	struct lc_prom_result a = result(LC_PROM_MATRIX, 1, l, pp, 2);

	o.window_ms = 15000;
	lc_gate_result_init(&r, &o);
	lc_gate_window(&r, &o, 0, 0, 15, 15, &a, NULL);
	lc_gate_finish(&r, &o);
	lc_prom_result_release(&a);
	lc_gate_report_table(&b, &r, 1);
	is_str(b.data,
	    "| check | series | canary | baseline | limit | verdict | note |\n"
	    "|---|---|---|---|---|---|---|\n"
	    "| my\\_check | {pod=\"&lt;img src=x&gt; \\[a\\](http://x) "
	    "\\*b\\* \\`c\\` \\\\ \\|\"} | 1.5 | - | &lt;=5 | pass | "
	    "0/2 breached |\n", "markdown: labels and names escaped");
	b.len = 0;
	lc_gate_report_sparklines(&b, &r);
	is_str(b.data, "\nmy\\_check {pod=\"&lt;img src=x&gt; \\[a\\](http://x) "
	    "\\*b\\* \\`c\\` \\\\ \\|\"} \xe2\x96\x81\xe2\x96\x88\n",
	    "markdown: the sparkline's line escaped too");
	lc_gate_result_release(&r);
	lc_buf_release(&b);
}

/* A window of n points a side: the canary's and the baseline's values. */
static void
window(struct lc_gate_result *r, struct lc_gate_opts *o, const double *cv,
    const double *bv, size_t n)
{
	const char *l[1] = { "{}" };
	const double *pc[1] = { cv }, *pb[1] = { bv };
	struct lc_prom_result a = result(LC_PROM_MATRIX, 1, l, pc, n);
	struct lc_prom_result b = result(LC_PROM_MATRIX, 1, l, pb, n);

	o->window_ms = (long long)(n - 1) * 15000;
	lc_gate_result_init(r, o);
	lc_gate_window(r, o, 0, 0, (double)(n - 1) * 15, 15, &a, &b);
	lc_gate_finish(r, o);
	lc_prom_result_release(&a);
	lc_prom_result_release(&b);
}

static void
test_mannwhitney(void)
{
	struct lc_gate_check c = check("lat", LC_GATE_MAX_RATIO, 1.2, 1);
	struct lc_gate_opts o = opts(&c, 1);
	struct lc_gate_result r;
	const double flat[10] = { 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2,
	    0.2, 0.2 };
	const double base[10] = { 0.20, 0.21, 0.19, 0.20, 0.22, 0.18, 0.20,
	    0.21, 0.19, 0.20 };
	const double bad[10] = { 0.30, 0.31, 0.29, 0.30, 0.32, 0.28, 0.30,
	    0.31, 0.29, 0.30 };
	const double slight[10] = { 0.21, 0.22, 0.20, 0.21, 0.23, 0.19, 0.21,
	    0.22, 0.20, 0.21 };
	/* A large but lonely blip: the medians do not breach. */
	const double blip[10] = { 0.20, 0.21, 0.19, 0.20, 5.0, 0.18, 0.20,
	    0.21, 0.19, 0.20 };
	const double sparse[10] = { 0.3, NAN, NAN, NAN, 0.3, NAN, NAN, NAN,
	    NAN, NAN };

	o.method = LC_GATE_MANNWHITNEY;
	window(&r, &o, flat, flat, 10);
	ok(r.checks[0].rows[0].verdict == LC_GATE_PASS &&
	    r.checks[0].rows[0].p == 1, "mannwhitney: equal constant "
	    "series pass (p = 1)");
	is_str(r.checks[0].rows[0].note, "0/10 breached p=1",
	    "mannwhitney: the note has the p-value");
	ok(r.checks[0].rows[0].npoints == 10, "window: the canary's points "
	    "are kept for the sparkline");
	lc_gate_result_release(&r);
	window(&r, &o, bad, base, 10);
	ok(r.checks[0].rows[0].verdict == LC_GATE_FAIL &&
	    r.checks[0].rows[0].p < 0.05, "mannwhitney: a noisy canary 50%% "
	    "slower fails (p %g)", r.checks[0].rows[0].p);
	is_str(row_text(&r.checks[0].rows[0]), "{} 0.3 0.2 fail 10/10 "
	    "breached p=7.97e-05", "mannwhitney: medians and p");
	lc_gate_result_release(&r);
	window(&r, &o, slight, base, 10);
	ok(r.checks[0].rows[0].verdict == LC_GATE_PASS,
	    "mannwhitney: significant but under the ratio passes (p %g)",
	    r.checks[0].rows[0].p);
	lc_gate_result_release(&r);
	window(&r, &o, blip, base, 10);
	ok(r.checks[0].rows[0].verdict == LC_GATE_PASS &&
	    r.checks[0].rows[0].breached == 1, "mannwhitney: one large blip "
	    "passes (1 point breached)");
	lc_gate_result_release(&r);
	window(&r, &o, sparse, base, 10);
	ok(r.checks[0].rows[0].verdict == LC_GATE_INCONCLUSIVE,
	    "mannwhitney: fewer than 3 points is inconclusive");
	ok(r.checks[0].rows[0].nodata == 8, "window: missing points are no "
	    "data");
	lc_gate_result_release(&r);

	/* Points at +Inf or NaN are no data, not left out (hostile review). */
	{
		const double inf9[10] = { 0.1, INFINITY, INFINITY, INFINITY,
		    INFINITY, INFINITY, INFINITY, INFINITY, INFINITY, NAN };
		const double inf7[10] = { 0.3, 0.3, 0.3, INFINITY, INFINITY,
		    INFINITY, INFINITY, INFINITY, INFINITY, INFINITY };
		struct lc_gate_check m = check("p95", LC_GATE_MAX, 0.5, 0);
		struct lc_gate_opts om = opts(&m, 1);

		om.method = LC_GATE_MANNWHITNEY;
		window(&r, &om, inf9, base, 10);
		is_str(row_text(&r.checks[0].rows[0]), "{} 0.1 0.2 inconclusive "
		    "9 of 10 points without data, more than the inconclusive "
		    "limit 0", "mannwhitney --max: 9 of 10 points at +Inf/NaN "
		    "are inconclusive, not a pass");
		lc_gate_result_release(&r);
		om.inconclusive_limit = 9;
		window(&r, &om, inf9, base, 10);
		is_str(row_text(&r.checks[0].rows[0]), "{} 0.1 0.2 inconclusive "
		    "fewer than 3 points with data (1)", "mannwhitney --max: "
		    "1 point with data is inconclusive");
		lc_gate_result_release(&r);
		om.nodata = LC_GATE_NODATA_PASS;
		window(&r, &om, inf9, base, 10);
		ok(r.checks[0].rows[0].verdict == LC_GATE_INCONCLUSIVE,
		    "mannwhitney --max --no-data pass: 1 point is still "
		    "inconclusive");
		lc_gate_result_release(&r);
		om.nodata = LC_GATE_NODATA_FAIL;
		om.inconclusive_limit = 0;
		window(&r, &om, inf9, base, 10);
		ok(r.checks[0].rows[0].verdict == LC_GATE_FAIL,
		    "mannwhitney --no-data fail: 9 points without data fail");
		lc_gate_result_release(&r);
		window(&r, &o, inf7, base, 10);
		is_str(row_text(&r.checks[0].rows[0]), "{} 0.3 0.2 inconclusive "
		    "7 of 10 points without data, more than the inconclusive "
		    "limit 0", "mannwhitney --max-ratio: 7 of 10 canary points "
		    "at +Inf are inconclusive");
		lc_gate_result_release(&r);
	}

	/* Samples too small for the confidence (hostile review). */
	{
		const double b4[4] = { 0.1, 0.11, 0.09, 0.1 };
		const double c4[4] = { 4, 4.1, 3.9, 4.2 };
		struct lc_buf lb = LC_BUF_INIT;

		o.confidence = 0.99;
		window(&r, &o, c4, b4, 4);
		is_str(row_text(&r.checks[0].rows[0]), "{} 4.05 0.1 "
		    "inconclusive too few points for --confidence 0.99: the "
		    "smallest p with 4 and 4 points is 0.0143", "mannwhitney: "
		    "4+4 points cannot reach --confidence 0.99: inconclusive");
		lc_gate_report_line(&lb, &r.checks[0], &r.checks[0].rows[0], &o);
		is_str(lb.data, "check lat inconclusive: too few points for "
		    "--confidence 0.99: the smallest p with 4 and 4 points is "
		    "0.0143", "... and the line says so");
		lc_gate_result_release(&r);
		o.confidence = 0.95;
		window(&r, &o, c4, b4, 3);
		ok(r.checks[0].rows[0].verdict == LC_GATE_INCONCLUSIVE,
		    "mannwhitney: 3+3 points (smallest p 0.05) cannot go below "
		    "1 - 0.95 = 0.05 exactly");
		lc_gate_result_release(&r);
		window(&r, &o, bad, base, 10);
		r.checks[0].rows[0].p = 0.049996;
		lb.len = 0;
		lc_gate_report_line(&lb, &r.checks[0], &r.checks[0].rows[0], &o);
		ok(strstr(lb.data, ", p=0.049996 < 0.05") != NULL, "the line's "
		    "p and alpha agree with the decision: %s", lb.data);
		lc_gate_result_release(&r);
		lc_buf_release(&lb);
		ok(lc_gate_alpha(0.95) == 0.05 && lc_gate_alpha(0.99) == 0.01,
		    "alpha: 1 - confidence rounded, 0.95 gives 0.05");
	}

	/* The threshold method over the same window: each point counts. */
	o.method = LC_GATE_THRESHOLD;
	o.failure_limit = 0;
	window(&r, &o, blip, base, 10);
	is_str(row_text(&r.checks[0].rows[0]), "{} 0.2 0.2 fail 1/10 "
	    "breached", "threshold window: the blip breaches once and fails");
	lc_gate_result_release(&r);
}

static void
test_verdicts(void)
{
	struct lc_gate_check c[3];
	struct lc_gate_opts o;
	struct lc_gate_result r;
	struct lc_prom_result a;
	const struct {
		double v0, v1, v2;
		enum lc_gate_verdict want;
	} t[] = {
		{ 1, 1, 1, LC_GATE_PASS },
		{ 1, NAN, 1, LC_GATE_INCONCLUSIVE },
		{ 1, NAN, 9, LC_GATE_FAIL },
		{ 9, 1, 1, LC_GATE_FAIL },
	};
	size_t i, k;

	for (k = 0; k < 3; k++)
		c[k] = check(k == 0 ? "a" : k == 1 ? "b" : "c", LC_GATE_MAX, 5,
		    0);
	o = opts(c, 3);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		lc_gate_result_init(&r, &o);
		for (k = 0; k < 3; k++) {
			double v = k == 0 ? t[i].v0 : k == 1 ? t[i].v1 :
			    t[i].v2;

			a = vec(1, "{}", v);
			lc_gate_eval(&r, &o, k, 1000, &a, NULL, NULL, NULL);
			lc_prom_result_release(&a);
		}
		lc_gate_finish(&r, &o);
		ok(r.verdict == t[i].want, "verdict %zu: %s", i,
		    lc_gate_verdict_name(r.verdict));
		lc_gate_result_release(&r);
	}
}

static void
test_text(void)
{
	struct lc_buf b = LC_BUF_INIT;
	struct lc_gate_check c = check("x", LC_GATE_MAX_RATIO, 1.2, 1);
	double t;

	lc_gate_limit_text(&b, &c);
	is_str(b.data, "ratio<=1.2", "limit text: ratio");
	b.len = 0;
	c.cond = LC_GATE_MAX_INCREASE;
	c.limit = 0.01;
	lc_gate_limit_text(&b, &c);
	is_str(b.data, "diff<=0.01", "limit text: diff");
	b.len = 0;
	lc_gate_num(&b, NAN);
	lc_buf_addc(&b, ' ');
	lc_gate_num(&b, -INFINITY);
	lc_buf_addc(&b, ' ');
	lc_gate_num(&b, 0.0330000001);
	is_str(b.data, "NaN -Inf 0.033", "numbers: %%.6g, NaN, -Inf");
	ok(lc_gate_time_parse("--at", "2026-12-06T21:30:00Z", &t) == 0 &&
	    t == 1796592600, "--at RFC 3339 with Z");
	ok(lc_gate_time_parse("--at", "2026-12-06T23:30:00.5+02:00", &t) ==
	    0 && t == 1796592600.5, "--at RFC 3339 with an offset and a "
	    "fraction");
	ok(lc_gate_time_parse("--at", "1796592600.25", &t) == 0 &&
	    t == 1796592600.25, "--at Unix seconds");
	ok(lc_gate_time_parse("--at", "2026-02-30T00:00:00Z", &t) ==
	    LC_EUSAGE, "--at February 30 is refused");
	is_str(lc_error_msg(), "--at 2026-02-30T00:00:00Z: give an RFC 3339 "
	    "time (2026-12-06T21:30:00Z) or Unix seconds", "... with a "
	    "message");
	ok(lc_gate_time_parse("--at", "2026-12-06 21:30", &t) == LC_EUSAGE &&
	    lc_gate_time_parse("--at", "nan", &t) == LC_EUSAGE &&
	    lc_gate_time_parse("--at", "", &t) == LC_EUSAGE,
	    "--at: other forms are refused");
	b.len = 0;
	lc_gate_time_text(&b, 1796592600.25);
	is_str(b.data, "2026-12-06T21:30:00.250Z", "times: RFC 3339 in UTC");
	lc_buf_release(&b);
}

/* The checks of a loaded template, one per metric. */
static size_t
template_checks(struct lc_gate_check *c, const struct lc_analysis *a)
{
	size_t i;

	for (i = 0; i < a->nmetrics; i++) {
		memset(&c[i], 0, sizeof(c[i]));
		c[i].name = a->metrics[i].name;
		c[i].query = a->metrics[i].query;
		c[i].cond = LC_GATE_TEMPLATE;
		c[i].metric = &a->metrics[i];
	}
	return a->nmetrics;
}

static struct lc_prom_result
scalar(double v)
{
	struct lc_prom_result r = vec(1, "{}", v);

	r.type = LC_PROM_SCALAR;
	return r;
}

/*
 * An empty result, NaN or Inf passes a template metric only when its
 * success condition holds; otherwise no data, unless --no-data pass.
 */
static void
test_template_nodata(void)
{
	static const char yaml[] =
	    "apiVersion: argoproj.io/v1alpha1\n"
	    "kind: AnalysisTemplate\n"
	    "metadata:\n  name: t\n"
	    "spec:\n  metrics:\n"
	    "  - name: fonly\n    failureCondition: result[0] > 0.05\n"
	    "    provider:\n      prometheus:\n        query: q\n"
	    "  - name: none\n"
	    "    provider:\n      prometheus:\n        query: q\n"
	    "  - name: handled\n"
	    "    successCondition: isNaN(result[0]) || result[0] >= 0.95\n"
	    "    provider:\n      prometheus:\n        query: q\n";
	char path[] = "/tmp/gate_test.XXXXXX";
	struct lc_analysis a;
	struct lc_gate_check c[3];
	struct lc_gate_opts o;
	struct lc_gate_result r;
	struct lc_prom_result x[3];
	struct lc_buf b = LC_BUF_INIT;
	const char *want[] = {
	    "fonly=inconclusive none=inconclusive handled=pass ",
	    "fonly=inconclusive none=inconclusive handled=inconclusive ",
	    "fonly=fail none=pass handled=pass ",
	    "fonly=fail none=pass handled=pass ",
	};
	const char *what[] = { "NaN", "an empty result", "+Inf, --no-data pass",
	    "a value" };
	size_t i, k, n;
	int fd;

	fd = mkstemp(path);
	ok(fd >= 0 && write(fd, yaml, sizeof(yaml) - 1) ==
	    (ssize_t)(sizeof(yaml) - 1), "template no data: the file");
	close(fd);
	memset(&a, 0, sizeof(a));
	ok(lc_analysis_load(&a, path, NULL, 0) == 0, "template no data: "
	    "loads (%s)", lc_error_msg() ? lc_error_msg() : "");
	unlink(path);
	n = template_checks(c, &a);
	o = opts(c, n);
	for (k = 0; k < 4; k++) {
		o.nodata = k == 2 ? LC_GATE_NODATA_PASS :
		    LC_GATE_NODATA_INCONCLUSIVE;
		lc_gate_result_init(&r, &o);
		for (i = 0; i < n; i++) {
			x[i] = k == 0 ? vec(1, "{}", NAN) : k == 1 ? vec(0) :
			    k == 2 ? vec(1, "{}", INFINITY) : vec(1, "{}", 0.99);
			lc_gate_eval(&r, &o, i, 1000, &x[i], NULL, NULL, NULL);
			lc_prom_result_release(&x[i]);
		}
		lc_gate_finish(&r, &o);
		b.len = 0;
		for (i = 0; i < n; i++)
			lc_buf_printf(&b, "%s=%s ", c[i].name,
			    lc_gate_verdict_name(r.checks[i].verdict));
		is_str(b.data, want[k], "template, %s: only a success "
		    "condition that holds passes no data", what[k]);
		if (k == 0) {
			b.len = 0;
			lc_gate_report_line(&b, &r.checks[0],
			    &r.checks[0].rows[0], &o);
			is_str(b.data, "check fonly inconclusive: no data: NaN "
			    "or Inf", "template, NaN: the line");
		}
		lc_gate_result_release(&r);
	}
	lc_analysis_release(&a);
	lc_buf_release(&b);

	/*
	 * result[i] in Prometheus's order (pos), not the sorted labels':
	 * sort_desc() put {track="zz-baseline"} 133.3 first.
	 */
	{
		static const char y2[] =
		    "apiVersion: argoproj.io/v1alpha1\n"
		    "kind: AnalysisTemplate\n"
		    "metadata:\n  name: t\n"
		    "spec:\n  metrics:\n"
		    "  - name: busiest\n    successCondition: result[0] < 100\n"
		    "    provider:\n      prometheus:\n        query: q\n";
		char p2[] = "/tmp/gate_test.XXXXXX";
		struct lc_prom_result sd;

		fd = mkstemp(p2);
		ok(fd >= 0 && write(fd, y2, sizeof(y2) - 1) ==
		    (ssize_t)(sizeof(y2) - 1), "template order: the file");
		close(fd);
		memset(&a, 0, sizeof(a));
		ok(lc_analysis_load(&a, p2, NULL, 0) == 0, "template order: "
		    "loads");
		unlink(p2);
		n = template_checks(c, &a);
		o = opts(c, n);
		/* Sorted by labels (as prom.c keeps them), pos the answer's. */
		sd = vec(2, "{track=\"canary\"}", 66.7,
		    "{track=\"zz-baseline\"}", 133.3);
		sd.series[0].pos = 1;
		sd.series[1].pos = 0;
		lc_gate_result_init(&r, &o);
		lc_gate_eval(&r, &o, 0, 1000, &sd, NULL, NULL, NULL);
		lc_gate_finish(&r, &o);
		ok(r.checks[0].verdict == LC_GATE_FAIL &&
		    r.checks[0].rows[0].canary == 133.3, "template order: "
		    "result[0] is pos 0's 133.3, not the first label's 66.7: "
		    "fails (canary %g)", r.checks[0].rows[0].canary);
		lc_gate_result_release(&r);
		lc_prom_result_release(&sd);
		lc_analysis_release(&a);
	}
}

static void
test_template(void)
{
	struct lc_analysis a;
	struct lc_gate_check c[8];
	struct lc_gate_opts o;
	struct lc_gate_result r;
	struct lc_prom_result x;
	struct lc_buf b = LC_BUF_INIT;
	const char *args[1] = { "prometheus-address=http://127.0.0.1:9" };
	size_t n, i;

	memset(&a, 0, sizeof(a));
	ok(lc_analysis_load(&a, "tests/data/analysis/canary-rule.yaml", NULL,
	    0) == 0, "template: the article's rule loads");
	n = template_checks(c, &a);
	o = opts(c, n);
	lc_gate_result_init(&r, &o);
	x = vec(1, "{}", 0.023);
	lc_gate_eval(&r, &o, 0, 1000, &x, NULL, NULL, NULL);
	lc_prom_result_release(&x);
	x = vec(1, "{}", 1.1);
	lc_gate_eval(&r, &o, 1, 1000, &x, NULL, NULL, NULL);
	lc_prom_result_release(&x);
	lc_gate_finish(&r, &o);
	lc_gate_report_table(&b, &r, 0);
	is_str(b.data,
	    "CHECK                SERIES  CANARY  BASELINE  LIMIT                 "
	    "                VERDICT  NOTE\n"
	    "error-rate-increase  -       0.023   -         len(result) == 1 && "
	    "result[0] > 0.01  fail     Failed\n"
	    "latency-ratio        -       1.1     -         len(result) == 1 and "
	    "result[0] > 1.2  pass     Successful\n",
	    "template: the failure condition is the limit, the phase the note");
	b.len = 0;
	lc_gate_report_line(&b, &r.checks[0], &r.checks[0].rows[0], &o);
	is_str(b.data, "check error-rate-increase failed: the failure "
	    "condition 'len(result) == 1 && result[0] > 0.01' holds (result[0] "
	    "0.023)", "template: the line says which condition held");
	ok(r.verdict == LC_GATE_FAIL, "template: a failed metric fails");
	lc_gate_result_release(&r);
	lc_analysis_release(&a);

	memset(&a, 0, sizeof(a));
	ok(lc_analysis_load(&a, "tests/data/analysis/nan-and-empty.yaml", args,
	    1) == 0, "template: NaN and empty results load");
	n = template_checks(c, &a);
	o = opts(c, n);
	lc_gate_result_init(&r, &o);
	for (i = 0; i < n; i++) {
		x = i < 2 ? scalar(NAN) : i == 2 ? scalar(INFINITY) : vec(0);
		lc_gate_eval(&r, &o, i, 1000, &x, NULL, NULL, NULL);
		lc_prom_result_release(&x);
	}
	lc_gate_finish(&r, &o);
	b.len = 0;
	for (i = 0; i < n; i++)
		lc_buf_printf(&b, "%s=%s ", c[i].name, lc_gate_verdict_name(
		    r.checks[i].verdict));
	is_str(b.data, "nan-passes=pass nan-inconclusive=inconclusive "
	    "inf-fails=fail empty-passes=pass empty-fails=fail ",
	    "template: NaN, Inf and empty results as Argo Rollouts judges "
	    "them");
	lc_gate_result_release(&r);

	/* Errors: result[1] of a result of one value (data, but an error). */
	a.metrics[1].count = 3;
	a.metrics[1].consecutive_error_limit = 1;
	free(a.metrics[1].failure);
	free(a.metrics[1].success);
	a.metrics[1].failure = NULL;
	a.metrics[1].success = strdup("result[1] >= 0.95");
	lc_analysis_expr_free(a.metrics[1].success_expr);
	lc_analysis_expr_free(a.metrics[1].failure_expr);
	a.metrics[1].failure_expr = NULL;
	ok(lc_analysis_expr_parse(&a.metrics[1].success_expr,
	    a.metrics[1].success) == 0, "template: a condition that can err");
	o = opts(&c[1], 1);
	lc_gate_result_init(&r, &o);
	x = vec(1, "{}", 0.99);
	lc_gate_eval(&r, &o, 0, 1000, &x, NULL, NULL, NULL);
	ok(!lc_gate_decided(&r.checks[0], &o), "template: one error is "
	    "within consecutiveErrorLimit 1");
	lc_gate_eval(&r, &o, 0, 1060, &x, NULL, NULL, NULL);
	ok(lc_gate_decided(&r.checks[0], &o), "template: two in a row are "
	    "not: decided");
	lc_gate_finish(&r, &o);
	ok(r.verdict == LC_GATE_FAIL && r.checks[0].rows[0].errors == 2,
	    "template: more consecutive errors than the limit fail");
	b.len = 0;
	lc_gate_report_line(&b, &r.checks[0], &r.checks[0].rows[0], &o);
	ok(strncmp(b.data, "check nan-inconclusive failed: more than 1 "
	    "consecutive errors (", 62) == 0 && strstr(b.data, "result") &&
	    r.checks[0].rows[0].error != NULL, "template: %s", b.data);
	lc_gate_result_release(&r);
	a.metrics[1].count = 1;
	a.metrics[1].consecutive_error_limit = 4;
	lc_gate_result_init(&r, &o);
	lc_gate_eval(&r, &o, 0, 1000, &x, NULL, NULL, NULL);
	lc_gate_finish(&r, &o);
	ok(r.verdict == LC_GATE_INCONCLUSIVE, "template: nothing but errors "
	    "is inconclusive, not a pass");
	lc_gate_result_release(&r);
	a.metrics[1].dry_run = 1;
	a.metrics[1].consecutive_error_limit = 0;
	lc_gate_result_init(&r, &o);
	lc_gate_eval(&r, &o, 0, 1000, &x, NULL, NULL, NULL);
	lc_gate_finish(&r, &o);
	ok(r.checks[0].verdict == LC_GATE_FAIL && r.verdict == LC_GATE_PASS,
	    "template: a dryRun metric fails on its row, not the verdict");
	ok(strstr(r.checks[0].rows[0].note, " (dry run)") != NULL,
	    "template: a dryRun row's note says so: %s", r.checks[0].rows[0].note);
	b.len = 0;
	lc_gate_report_line(&b, &r.checks[0], &r.checks[0].rows[0], &o);
	ok(strncmp(b.data, "check nan-inconclusive failed (dryRun: not "
	    "counted): ", 51) == 0, "template: a dryRun row's line: %s",
	    b.data);
	lc_gate_result_release(&r);
	lc_prom_result_release(&x);

	/*
	 * result[0] >= 0.95 over three measurements, two of them empty: the
	 * errors of result[0] are no data, not errors within
	 * consecutiveErrorLimit 4 that let the metric pass (review).
	 */
	a.metrics[1].dry_run = 0;
	a.metrics[1].count = 3;
	a.metrics[1].consecutive_error_limit = 4;
	free(a.metrics[1].success);
	a.metrics[1].success = strdup("result[0] >= 0.95");
	lc_analysis_expr_free(a.metrics[1].success_expr);
	ok(lc_analysis_expr_parse(&a.metrics[1].success_expr,
	    a.metrics[1].success) == 0, "template: result[0] >= 0.95");
	lc_gate_result_init(&r, &o);
	x = vec(0);
	lc_gate_eval(&r, &o, 0, 1000, &x, NULL, NULL, NULL);
	lc_gate_eval(&r, &o, 0, 1060, &x, NULL, NULL, NULL);
	lc_prom_result_release(&x);
	x = vec(1, "{}", 0.99);
	lc_gate_eval(&r, &o, 0, 1120, &x, NULL, NULL, NULL);
	lc_gate_finish(&r, &o);
	is_str(row_text(&r.checks[0].rows[0]), "{} 0.99 - inconclusive "
	    "0/3 breached, 2 no data", "template: two empty results of three "
	    "are inconclusive, not a pass");
	lc_gate_result_release(&r);
	lc_prom_result_release(&x);
	lc_analysis_release(&a);
	lc_buf_release(&b);
}

/* The article's rule as the table and the lines show it. */
static void
test_report(void)
{
	struct lc_gate_check c[2];
	struct lc_gate_opts o;
	struct lc_gate_result r;
	struct lc_prom_result x, y;
	struct lc_buf b = LC_BUF_INIT;
	jv j;

	c[0] = check("error-rate", LC_GATE_MAX_INCREASE, 0.01, 1);
	c[1] = check("latency", LC_GATE_MAX_RATIO, 1.2, 1);
	o = opts(c, 2);
	lc_gate_result_init(&r, &o);
	x = vec(1, "{}", 0.033);
	y = vec(1, "{}", 0.01);
	lc_gate_eval(&r, &o, 0, 1796592600, &x, &y, NULL, NULL);
	lc_prom_result_release(&x);
	lc_prom_result_release(&y);
	x = vec(1, "{}", 0.2);
	y = vec(1, "{}", 0.2);
	lc_gate_eval(&r, &o, 1, 1796592600, &x, &y, NULL, NULL);
	lc_prom_result_release(&x);
	lc_prom_result_release(&y);
	lc_gate_finish(&r, &o);
	lc_gate_report_table(&b, &r, 0);
	is_str(b.data,
	    "CHECK       SERIES  CANARY  BASELINE  LIMIT       VERDICT  NOTE\n"
	    "error-rate  -       0.033   0.01      diff<=0.01  fail     +0.023\n"
	    "latency     -       0.2     0.2       ratio<=1.2  pass     x1\n",
	    "report: the table");
	b.len = 0;
	lc_gate_report_table(&b, &r, 1);
	is_str(b.data,
	    "| check | series | canary | baseline | limit | verdict | note |\n"
	    "|---|---|---|---|---|---|---|\n"
	    "| error-rate | - | 0.033 | 0.01 | diff&lt;=0.01 | fail | +0.023 |\n"
	    "| latency | - | 0.2 | 0.2 | ratio&lt;=1.2 | pass | x1 |\n",
	    "report: the table in Markdown");
	b.len = 0;
	lc_gate_report_line(&b, &r.checks[0], &r.checks[0].rows[0], &o);
	is_str(b.data, "check error-rate failed: canary 0.033 - baseline 0.01 "
	    "= 0.023 > 0.01", "report: the line of a failed check");
	j = jv_dump_string(lc_gate_report_json(&r), 0);
	is_str(jv_string_value(j), "[{\"name\":\"error-rate\",\"verdict\":"
	    "\"fail\",\"condition\":\"max-increase\",\"limit\":0.01,"
	    "\"rows\":[{\"series\":\"{}\",\"canary\":0.033,\"baseline\":"
	    "0.01,\"verdict\":\"fail\",\"evaluations\":1,\"breached\":1,"
	    "\"nodata\":0,\"p\":null,\"note\":\"+0.023\"}]},{\"name\":"
	    "\"latency\",\"verdict\":\"pass\",\"condition\":\"max-ratio\","
	    "\"limit\":1.2,\"rows\":[{\"series\":\"{}\",\"canary\":0.2,"
	    "\"baseline\":0.2,\"verdict\":\"pass\",\"evaluations\":1,"
	    "\"breached\":0,\"nodata\":0,\"p\":null,\"note\":\"x1\"}]}]",
	    "report: the checks as JSON");
	jv_free(j);
	lc_gate_result_release(&r);

	/* A label with a control character stays on its line. */
	o = opts(c, 1);
	lc_gate_result_init(&r, &o);
	x = vec(1, "{pod=\"a\nb\"}", 0.05);
	y = vec(1, "{}", 0.01);
	lc_gate_eval(&r, &o, 0, 1000, &x, &y, NULL, NULL);
	lc_prom_result_release(&x);
	lc_prom_result_release(&y);
	lc_gate_finish(&r, &o);
	b.len = 0;
	lc_gate_report_line(&b, &r.checks[0], &r.checks[0].rows[0], &o);
	is_str(b.data, "check error-rate {pod=\"a\\nb\"} failed: canary "
	    "0.05 - baseline 0.01 = 0.04 > 0.01", "report: labels are "
	    "escaped");
	lc_gate_result_release(&r);
	lc_buf_release(&b);
}

/* An instant answer of one series {} with value v. */
#define ONE(v) { 200, NULL, "{\"status\":\"success\",\"data\":{" \
	"\"resultType\":\"vector\",\"result\":[{\"metric\":{}," \
	"\"value\":[1000,\"" v "\"]}]}}", 0 }

/* The queries of the log, "query=... time=..." a line (form bodies). */
static const char *
queries(void)
{
	static struct lc_buf b;
	const char *p = fake_seen(), *e;

	b.len = 0;
	lc_buf_adds(&b, "");
	while ((p = strstr(p, "  > ")) != NULL) {
		p += 4;
		e = strchr(p, '\n');
		lc_buf_add(&b, p, e ? (size_t)(e - p) : strlen(p));
		lc_buf_addc(&b, '\n');
		p = e ? e : p + strlen(p);
	}
	return b.data;
}

/* lc_gate_run over the fake transport: the schedule, early stop, errors. */
static void
test_run(void)
{
	static const struct fake_reply two_checks[] = {
		ONE("0.05"), ONE("0.01"),	/* err at 1000: breach */
		ONE("0.2"),			/* p95 at 1000, then stop */
	};
	static const struct fake_reply refused[] = {
		{ 400, NULL, "{\"status\":\"error\",\"errorType\":"
		    "\"bad_data\",\"error\":\"parse error\"}", 0 },
	};
	struct lc_gate_check c[2];
	struct lc_gate_opts o;
	struct lc_gate_result r;
	struct lc_prom_conf conf;
	long long t0;
	int rc;

	memset(&conf, 0, sizeof(conf));
	conf.url = "http://prom.test";
	c[0] = check("err", LC_GATE_MAX_INCREASE, 0.01, 1);
	c[1] = check("p95", LC_GATE_MAX, 0.5, 0);
	c[1].query = "p95";
	o = opts(c, 2);
	o.has_at = 1;
	o.at = 1000;
	o.count = 3;
	o.interval_ms = 60000;
	fake_headers = 0;
	fake_script(two_checks, fake_count(two_checks, 3));
	rc = lc_gate_run(&r, &o, &conf, NULL, NULL);
	ok(rc == 0 && r.verdict == LC_GATE_FAIL, "run: interval mode in the "
	    "past, no waiting (rc %d)", rc);
	is_str(queries(), "query=canary&time=1000.000\n"
	    "query=baseline&time=1000.000\n"
	    "query=p95&time=1000.000\n", "run: one request a query and "
	    "evaluation; a failed check stops the schedule after the "
	    "evaluations due at its instant");
	ok(r.checks[0].rows[0].evaluations == 1 &&
	    r.checks[1].rows[0].evaluations == 1, "run: the evaluations "
	    "counted");
	is_str(r.checks[1].rows[0].note, "0/1 breached, stopped early",
	    "run: the check left says it stopped early");
	ok(r.checks[1].verdict == LC_GATE_PASS, "run: judged over what was "
	    "measured");
	ok(r.at == 1000, "run: the result's instant is the last evaluation's");
	lc_gate_result_release(&r);

	o.count = 1;
	fake_script(refused, 1);
	rc = lc_gate_run(&r, &o, &conf, NULL, NULL);
	ok(rc == LC_EDATA && strstr(lc_error_msg(), "bad_data: parse error"),
	    "run: a refused query stops the run with its error");
	lc_gate_result_release(&r);
	lc_error_clear();

	/* A schedule in the future and a deadline before it: LC_ETIMEOUT. */
	o.at = 4000000000.0;
	o.count = 2;
	o.deadline = lc_clock_ms() + 50;
	fake_script(two_checks, 5);
	t0 = lc_clock_ms();
	rc = lc_gate_run(&r, &o, &conf, NULL, NULL);
	ok(rc == LC_ETIMEOUT && lc_clock_ms() >= o.deadline &&
	    lc_clock_ms() - t0 < 60000, "run: the deadline comes first: "
	    "LC_ETIMEOUT at the deadline, nothing asked");
	is_str(queries(), "", "run: ... no request was sent");
	lc_gate_result_release(&r);
	lc_error_clear();
	fake_headers = 1;
}

int
main(void)
{
	test_pairing();
	test_many();
	test_ratio_and_nodata();
	test_max_min();
	test_limits();
	test_mannwhitney();
	test_verdicts();
	test_text();
	test_template();
	test_report();
	test_run();
	test_limits_per_evaluation();
	test_markdown_escape();
	test_template_nodata();
	lc_buf_release(&fake_log);
	return done_testing();
}
