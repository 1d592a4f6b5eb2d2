/* gate.c: canary analysis: checks evaluated against Prometheus, judged into a verdict. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "buf.h"
#include "error.h"
#include "gate.h"
#include "prom.h"
#include "stat.h"

/* Two instants closer than this are one (Prometheus keeps milliseconds). */
#define SAME_T		0.0005

/* ---- small helpers --------------------------------------------------- */

const char *
lc_gate_verdict_name(enum lc_gate_verdict v)
{
	return v == LC_GATE_FAIL ? "fail" : v == LC_GATE_INCONCLUSIVE ?
	    "inconclusive" : "pass";
}

double
lc_gate_alpha(double confidence)
{
	return round((1 - confidence) * 1e12) / 1e12;
}

void
lc_gate_num(struct lc_buf *out, double v)
{
	if (isnan(v))
		lc_buf_adds(out, "NaN");
	else if (isinf(v))
		lc_buf_adds(out, v > 0 ? "+Inf" : "-Inf");
	else
		lc_buf_printf(out, "%.6g", v);
}

void
lc_gate_limit_text(struct lc_buf *out, const struct lc_gate_check *c)
{
	static const char *const pre[] = { "<=", ">=", "diff<=", "ratio<=" };

	if (c->cond == LC_GATE_TEMPLATE) {
		lc_buf_adds(out, c->metric->failure ? c->metric->failure :
		    c->metric->success ? c->metric->success : "-");
		return;
	}
	lc_buf_adds(out, pre[c->cond]);
	lc_gate_num(out, c->limit);
}

static const char *
labels_of(const struct lc_prom_series *s)
{
	return s->labels && *s->labels ? s->labels : "{}";
}

static char *
xstrdup(const char *s)
{
	return lc_buf_xstrndup(s, strlen(s));
}

static void
set_note(struct lc_gate_row *row, const char *note)
{
	free(row->note);
	row->note = xstrdup(note);
}

/* The check's own limits: a template metric's, else the options'. */
static long
failure_limit(const struct lc_gate_check *c, const struct lc_gate_opts *o)
{
	return c->metric ? c->metric->failure_limit : o->failure_limit;
}

static long
inconclusive_limit(const struct lc_gate_check *c,
    const struct lc_gate_opts *o)
{
	return c->metric ? c->metric->inconclusive_limit :
	    o->inconclusive_limit;
}

/* Whether the check makes one evaluation (its note is that one's). */
static int
single(const struct lc_gate_check *c, const struct lc_gate_opts *o)
{
	if (o->window_ms > 0)
		return 0;
	if (c->metric)
		return c->metric->count <= 1;
	return o->count <= 1;
}

/* ---- rows ------------------------------------------------------------ */

void
lc_gate_result_init(struct lc_gate_result *r, const struct lc_gate_opts *o)
{
	size_t i;

	memset(r, 0, sizeof(*r));
	r->at = NAN;
	if (o->nchecks == 0)
		return;
	if (o->nchecks > SIZE_MAX / sizeof(*r->checks))
		lc_buf_xmalloc(SIZE_MAX);	/* "out of memory" */
	r->checks = lc_buf_xmalloc(o->nchecks * sizeof(*r->checks));
	memset(r->checks, 0, o->nchecks * sizeof(*r->checks));
	r->nchecks = o->nchecks;
	for (i = 0; i < o->nchecks; i++)
		r->checks[i].check = &o->checks[i];
}

static void
row_release(struct lc_gate_row *row)
{
	free(row->series);
	free(row->note);
	free(row->error);
	free(row->reason);
	free(row->points);
}

void
lc_gate_result_release(struct lc_gate_result *r)
{
	size_t i, j;

	for (i = 0; r->checks && i < r->nchecks; i++) {
		for (j = 0; j < r->checks[i].nrows; j++)
			row_release(&r->checks[i].rows[j]);
		free(r->checks[i].rows);
	}
	free(r->checks);
	memset(r, 0, sizeof(*r));
}

/*
 * A new row for the series labels; it missed the check's evaluations so
 * far, which count as no data. The "{}" row an empty result left goes
 * once a real series comes.
 */
static struct lc_gate_row *
add_row(struct lc_gate_check_result *cr, const char *labels, int placeholder)
{
	struct lc_gate_row *row;

	if (cr->nrows == 1 && cr->rows[0].placeholder) {
		row_release(&cr->rows[0]);
		cr->nrows = 0;
	}
	if (cr->nrows >= SIZE_MAX / sizeof(*cr->rows) - 1)
		lc_buf_xmalloc(SIZE_MAX);
	cr->rows = lc_buf_xrealloc(cr->rows, (cr->nrows + 1) *
	    sizeof(*cr->rows));
	row = &cr->rows[cr->nrows++];
	memset(row, 0, sizeof(*row));
	row->series = xstrdup(labels);
	row->canary = row->baseline = row->p = NAN;
	row->evaluations = row->nodata = cr->evaluations;
	row->placeholder = placeholder;
	row->note = xstrdup(cr->evaluations ? "no data" : "");
	return row;
}

/* Sorting series by their labels, for pairing in n log n. */
static int
cmp_series(const void *a, const void *b)
{
	return strcmp(labels_of(*(const struct lc_prom_series *const *)a),
	    labels_of(*(const struct lc_prom_series *const *)b));
}

/* A result's series, sorted by their labels. */
struct index {
	const struct lc_prom_series **s;
	size_t n;
};

static void
index_series(struct index *ix, const struct lc_prom_result *res)
{
	size_t i;

	ix->s = NULL;
	ix->n = 0;
	if (res == NULL || res->nseries == 0)
		return;
	ix->s = lc_buf_xmalloc(res->nseries * sizeof(*ix->s));
	for (i = 0; i < res->nseries; i++)
		ix->s[i] = &res->series[i];
	ix->n = res->nseries;
	if (ix->n > 1)
		qsort(ix->s, ix->n, sizeof(*ix->s), cmp_series);
}

/* The series whose labels are labels (NULL: none). */
static const struct lc_prom_series *
index_find(const struct index *ix, const char *labels)
{
	struct lc_prom_series key;
	const struct lc_prom_series *kp = &key, **hit;

	if (ix->n == 0)
		return NULL;
	memset(&key, 0, sizeof(key));
	key.labels = (char *)labels;
	hit = bsearch(&kp, ix->s, ix->n, sizeof(*ix->s), cmp_series);
	return hit ? *hit : NULL;
}

/*
 * The baseline of a canary series: the baseline series with its labels,
 * else the only baseline series, else none.
 */
static const struct lc_prom_series *
pair(const struct index *ix, const struct lc_prom_result *b,
    const char *labels)
{
	const struct lc_prom_series *s;

	if (b == NULL)
		return NULL;
	if ((s = index_find(ix, labels)) != NULL)
		return s;
	return b->nseries == 1 ? &b->series[0] : NULL;
}

/* The rows of a check result, indexed by their series' labels. */
struct rowindex {
	size_t *at;			/* row numbers sorted by labels */
	size_t n;
	const struct lc_gate_check_result *cr;
};

static const struct lc_gate_check_result *sort_cr;

static int
cmp_rows(const void *a, const void *b)
{
	return strcmp(sort_cr->rows[*(const size_t *)a].series,
	    sort_cr->rows[*(const size_t *)b].series);
}

static void
index_rows(struct rowindex *ri, const struct lc_gate_check_result *cr)
{
	size_t i;

	ri->cr = cr;
	ri->n = cr->nrows;
	ri->at = cr->nrows ? lc_buf_xmalloc(cr->nrows * sizeof(*ri->at)) :
	    NULL;
	for (i = 0; i < cr->nrows; i++)
		ri->at[i] = i;
	sort_cr = cr;
	if (ri->n > 1)
		qsort(ri->at, ri->n, sizeof(*ri->at), cmp_rows);
}

/* The row number of labels, or -1 (ri was made before any row was added). */
static long
rowindex_find(const struct rowindex *ri, const char *labels)
{
	size_t lo = 0, hi = ri->n, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = strcmp(labels, ri->cr->rows[ri->at[mid]].series);
		if (c == 0)
			return (long)ri->at[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

/* ---- one evaluation -------------------------------------------------- */

/* What one evaluation of a check had, over its rows. */
#define EV_BREACH	1
#define EV_NODATA	2

/* An evaluation breaches when a row did, else has no data when a row had none. */
static void
count_evaluation(struct lc_gate_check_result *cr, int ev)
{
	if (ev & EV_BREACH)
		cr->ev_breached++;
	else if (ev & EV_NODATA)
		cr->ev_nodata++;
}

enum outcome { PASS, BREACH, NODATA, ERRORED };

/*
 * Judge a canary value cv (hc: present) against its baseline bv (hb) by
 * the check's condition: the compared quantity goes to *x, the reason for
 * no data to *why.
 */
static enum outcome
judge(const struct lc_gate_check *c, double cv, int hc, double bv, int hb,
    double *x, const char **why)
{
	*x = NAN;
	*why = "no data";
	if (!hc || !isfinite(cv))
		return NODATA;
	switch (c->cond) {
	case LC_GATE_MAX:
		*x = cv;
		return cv > c->limit ? BREACH : PASS;
	case LC_GATE_MIN:
		*x = cv;
		return cv < c->limit ? BREACH : PASS;
	default:
		break;
	}
	if (!hb) {
		*why = "no baseline series";
		return NODATA;
	}
	if (!isfinite(bv))
		return NODATA;
	if (c->cond == LC_GATE_MAX_INCREASE) {
		*x = cv - bv;
		return *x > c->limit ? BREACH : PASS;
	}
	/* Rates and latencies are never negative: a ratio of them is. */
	if (cv < 0 || bv < 0) {
		*why = "negative value";
		return NODATA;
	}
	if (bv == 0 && cv != 0) {
		*why = "baseline is 0";
		return NODATA;
	}
	*x = bv == 0 ? 1 : cv / bv;
	return *x > c->limit ? BREACH : PASS;
}

/* The note of an instant evaluation: the difference, ratio or reason. */
static void
instant_note(struct lc_gate_row *row, const struct lc_gate_check *c,
    enum outcome oc, double x, const char *why)
{
	struct lc_buf b = LC_BUF_INIT;

	if (oc == NODATA)
		lc_buf_adds(&b, why);
	else if (c->cond == LC_GATE_MAX_INCREASE) {
		if (isfinite(x))
			lc_buf_printf(&b, "%+.6g", x);
	} else if (c->cond == LC_GATE_MAX_RATIO) {
		lc_buf_adds(&b, "x");
		lc_gate_num(&b, x);
	}
	lc_buf_adds(&b, "");
	free(row->note);
	row->note = lc_buf_detach(&b);
}

/* Count one evaluation's outcome into row. */
static void
count(struct lc_gate_row *row, enum outcome oc, long error_limit)
{
	row->evaluations++;
	if (oc == BREACH)
		row->breached++;
	else if (oc == NODATA)
		row->nodata++;
	if (oc == ERRORED) {
		row->errors++;
		/* Argo Rollouts: more consecutive errors than the limit is Error. */
		if (++row->consecutive_errors > error_limit)
			row->error_out = 1;
	} else
		row->consecutive_errors = 0;
}

static const char *const outcome_name[] = { "pass", "breach", "no data",
	"error" };

static void
tell(lc_gate_fn fn, void *arg, const struct lc_gate_check *c,
    const struct lc_gate_row *row, double t, enum outcome oc)
{
	struct lc_gate_event ev;

	if (fn == NULL)
		return;
	ev.check = c;
	ev.row = row;
	ev.t = t;
	ev.canary = row->has_canary ? row->canary : NAN;
	ev.baseline = row->has_baseline ? row->baseline : NAN;
	ev.outcome = outcome_name[oc];
	fn(&ev, arg);
}

/* The last value of a series (an instant vector has one). */
static double
last_value(const struct lc_prom_series *s, int *has)
{
	*has = s != NULL && s->n > 0;
	return *has ? s->v[s->n - 1] : NAN;
}

/*
 * A template metric's measurement: the conditions over the whole result,
 * as Argo Rollouts evaluates them; one row, "{}".
 */
static void
eval_template(struct lc_gate_check_result *cr, const struct lc_gate_opts *o,
    double t, const struct lc_prom_result *res, lc_gate_fn fn, void *arg)
{
	const struct lc_gate_check *c = cr->check;
	struct lc_gate_row *row;
	enum lc_analysis_phase ph;
	enum outcome oc;
	const struct lc_prom_series **byplace;
	double *v = NULL;
	size_t i, n = 0;
	int has, nodata, argo_ok;

	row = cr->nrows ? &cr->rows[0] : add_row(cr, "{}", 0);
	if (res->nseries) {
		/* result[i] in Prometheus's order, not the sorted one. */
		byplace = lc_buf_xmalloc(res->nseries * sizeof(*byplace));
		for (i = 0; i < res->nseries; i++)
			byplace[i] = NULL;
		for (i = 0; i < res->nseries; i++) {
			const struct lc_prom_series *s = &res->series[i];

			if (s->pos >= res->nseries || byplace[s->pos]) {
				/* Not a permutation: keep the sorted order. */
				for (i = 0; i < res->nseries; i++)
					byplace[i] = &res->series[i];
				break;
			}
			byplace[s->pos] = s;
		}
		v = lc_buf_xmalloc(res->nseries * sizeof(*v));
		for (i = 0; i < res->nseries; i++) {
			if (byplace[i] == NULL)
				continue;
			v[n] = last_value(byplace[i], &has);
			if (has)
				n++;
		}
		free(byplace);
	}
	lc_error_clear();
	ph = lc_analysis_judge(c->metric, v, n, res->type == LC_PROM_SCALAR);
	row->has_canary = n > 0;
	row->canary = n > 0 ? v[0] : NAN;
	for (i = 0, nodata = n == 0; i < n; i++)
		if (!isfinite(v[i]))
			nodata = 1;
	free(v);
	oc = ph == LC_ANALYSIS_SUCCESSFUL ? PASS : ph == LC_ANALYSIS_FAILED ?
	    BREACH : ph == LC_ANALYSIS_INCONCLUSIVE ? NODATA : ERRORED;
	/*
	 * Unlike Argo Rollouts, an empty result, NaN or Inf passes only when
	 * a success condition holds (its author handled them); a failure
	 * condition that does not hold, or no condition, is no data, unless
	 * --no-data pass keeps Argo's phase.
	 */
	argo_ok = 0;
	if (oc == PASS && nodata && c->metric->success == NULL &&
	    o->nodata != LC_GATE_NODATA_PASS) {
		oc = NODATA;
		argo_ok = 1;
	}
	/*
	 * A condition that could not be evaluated on an empty result, NaN or
	 * Inf (result[0] of nothing) is no data too: errors within Argo's
	 * consecutiveErrorLimit would otherwise let a metric with no values
	 * pass.
	 */
	if (oc == ERRORED && nodata && o->nodata != LC_GATE_NODATA_PASS) {
		struct lc_buf b = LC_BUF_INIT;

		lc_buf_adds(&b, "no data: ");
		lc_buf_adds(&b, lc_error_msg() ? lc_error_msg() :
		    "the condition could not be evaluated");
		lc_error_clear();
		count(row, NODATA, c->metric->consecutive_error_limit);
		free(row->note);
		row->note = lc_buf_detach(&b);
		tell(fn, arg, c, row, t, NODATA);
		return;
	}
	count(row, oc, c->metric->consecutive_error_limit);
	if (oc == ERRORED) {
		struct lc_buf b = LC_BUF_INIT;

		lc_buf_adds(&b, lc_error_msg() ? lc_error_msg() :
		    "the condition could not be evaluated");
		free(row->error);
		row->error = lc_buf_detach(&b);
		lc_error_clear();
		lc_buf_printf(&b, "Error: %s", row->error);
		free(row->note);
		row->note = lc_buf_detach(&b);
	} else
		set_note(row, oc == PASS ? "Successful" : oc == BREACH ?
		    "Failed" : argo_ok ? (n == 0 ? "no data: an empty result" :
		    "no data: NaN or Inf") : "neither condition holds");
	tell(fn, arg, c, row, t, oc);
}

void
lc_gate_eval(struct lc_gate_result *r, const struct lc_gate_opts *o,
    size_t i, double t, const struct lc_prom_result *canary,
    const struct lc_prom_result *baseline, lc_gate_fn fn, void *arg)
{
	struct lc_gate_check_result *cr = &r->checks[i];
	const struct lc_gate_check *c = cr->check;
	struct index bix;
	struct rowindex ri;
	struct lc_gate_row *row;
	unsigned char *seen;
	const struct lc_prom_series *bs;
	enum outcome oc;
	const char *why;
	double x;
	size_t k, nold;
	long at;
	int ev = 0;

	(void)o;
	r->at = t;
	if (c->cond == LC_GATE_TEMPLATE) {
		eval_template(cr, o, t, canary, fn, arg);
		cr->evaluations++;
		return;
	}
	index_series(&bix, baseline);
	index_rows(&ri, cr);
	nold = cr->nrows;
	seen = nold ? lc_buf_xmalloc(nold) : NULL;
	if (nold)
		memset(seen, 0, nold);
	for (k = 0; k < canary->nseries; k++) {
		const struct lc_prom_series *s = &canary->series[k];

		if ((at = rowindex_find(&ri, labels_of(s))) >= 0 &&
		    seen[at] == 0) {
			seen[at] = 1;
			row = &cr->rows[at];
			row->placeholder = 0;
		} else {
			/* add_row may drop the placeholder (row 0). */
			if (nold == 1 && cr->rows[0].placeholder)
				nold = 0;
			row = add_row(cr, labels_of(s), 0);
		}
		bs = pair(&bix, baseline, labels_of(s));
		row->canary = last_value(s, &row->has_canary);
		row->baseline = last_value(bs, &row->has_baseline);
		oc = judge(c, row->canary, row->has_canary, row->baseline,
		    row->has_baseline, &x, &why);
		count(row, oc, 0);
		ev |= oc == BREACH ? EV_BREACH : oc == NODATA ? EV_NODATA : 0;
		instant_note(row, c, oc, x, why);
		tell(fn, arg, c, row, t, oc);
	}
	/* Rows whose series this answer lacks, or an empty answer. */
	for (k = 0; k < nold; k++)
		if (!seen[k]) {
			row = &cr->rows[k];
			row->has_canary = 0;
			row->canary = NAN;
			bs = pair(&bix, baseline, row->series);
			row->baseline = last_value(bs, &row->has_baseline);
			count(row, NODATA, 0);
			ev |= EV_NODATA;
			set_note(row, "no data");
			tell(fn, arg, c, row, t, NODATA);
		}
	if (cr->nrows == 0) {
		row = add_row(cr, "{}", 1);
		bs = pair(&bix, baseline, "{}");
		row->baseline = last_value(bs, &row->has_baseline);
		count(row, NODATA, 0);
		ev |= EV_NODATA;
		set_note(row, "no data");
		tell(fn, arg, c, row, t, NODATA);
	}
	count_evaluation(cr, ev);
	cr->evaluations++;
	free(seen);
	free(ri.at);
	free(bix.s);
}

/* ---- a window -------------------------------------------------------- */

/* The value of s at t (NaN when it has no point there); *j moves on. */
static double
value_at(const struct lc_prom_series *s, size_t *j, double t, int *has)
{
	*has = 0;
	if (s == NULL)
		return NAN;
	while (*j < s->n && s->t[*j] < t - SAME_T)
		(*j)++;
	if (*j < s->n && fabs(s->t[*j] - t) <= SAME_T) {
		*has = 1;
		return s->v[*j];
	}
	return NAN;
}

/* The median of the finite values of v (NaN: none); v keeps its order. */
static double
finite_median(const double *v, size_t n, size_t *nfinite)
{
	double *f, m;
	size_t i, k = 0;

	*nfinite = 0;
	if (n == 0)
		return NAN;
	f = lc_buf_xmalloc(n * sizeof(*f));
	for (i = 0; i < n; i++)
		if (isfinite(v[i]))
			f[k++] = v[i];
	m = k ? lc_stat_median(f, k) : NAN;
	*nfinite = k;
	free(f);
	return m;
}

/*
 * Only the values of v with data, packed in place; returns how many:
 * finite, and for --max-ratio not negative (as judge() has it).
 */
static size_t
pack_data(double *v, size_t n, const struct lc_gate_check *c)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		if (isfinite(v[i]) && !(c->cond == LC_GATE_MAX_RATIO &&
		    v[i] < 0))
			v[k++] = v[i];
	return k;
}

static void
set_reason(struct lc_gate_row *row, struct lc_buf *b)
{
	free(row->reason);
	row->reason = lc_buf_detach(b);
}

/*
 * Mann-Whitney over a window (Kayenta's way): the canary fails when its
 * points are significantly worse than the baseline's and the medians
 * breach the condition; --max/--min judge the canary's median alone.
 * Points without data count as they do for the threshold method: more
 * than the inconclusive limit make the row inconclusive (with --no-data
 * fail, more than the failure limit fail it; --no-data pass ignores
 * them); fewer than 3 points with data on a side (the canary's for
 * --max/--min) are inconclusive whatever the condition.
 */
static void
mannwhitney(struct lc_gate_row *row, const struct lc_gate_check *c,
    const struct lc_gate_opts *o, double *cv, size_t nc, double *bv,
    size_t nb)
{
	const int cmp = c->cond == LC_GATE_MAX_INCREASE ||
	    c->cond == LC_GATE_MAX_RATIO;
	struct lc_buf b = LC_BUF_INIT;
	enum outcome oc;
	const char *why;
	double x, fl;

	nc = pack_data(cv, nc, c);
	nb = pack_data(bv, nb, c);
	if (o->nodata == LC_GATE_NODATA_INCONCLUSIVE &&
	    row->nodata > inconclusive_limit(c, o)) {
		lc_buf_printf(&b, "%ld of %ld points without data, more than "
		    "the inconclusive limit %ld", row->nodata,
		    row->evaluations, inconclusive_limit(c, o));
		row->verdict = LC_GATE_INCONCLUSIVE;
	} else if (o->nodata == LC_GATE_NODATA_FAIL &&
	    row->nodata > failure_limit(c, o)) {
		lc_buf_printf(&b, "%ld of %ld points without data, more than "
		    "the failure limit %ld", row->nodata, row->evaluations,
		    failure_limit(c, o));
		row->verdict = LC_GATE_FAIL;
	} else if (nc < 3 || (cmp && nb < 3)) {
		if (cmp)
			lc_buf_printf(&b, "fewer than 3 points with data on a "
			    "side (canary %zu, baseline %zu)", nc, nb);
		else
			lc_buf_printf(&b, "fewer than 3 points with data "
			    "(%zu)", nc);
		row->verdict = o->nodata == LC_GATE_NODATA_FAIL ?
		    LC_GATE_FAIL : LC_GATE_INCONCLUSIVE;
	} else if (cmp && (fl = lc_stat_mannwhitney_floor(nc, nb)) >=
	    lc_gate_alpha(o->confidence)) {
		/* Not even every canary point above every baseline one. */
		lc_buf_printf(&b, "too few points for --confidence %g: the "
		    "smallest p with %zu and %zu points is %.3g", o->confidence,
		    nc, nb, fl);
		row->verdict = LC_GATE_INCONCLUSIVE;
	} else {
		if (!cmp)
			oc = judge(c, row->canary, 1, NAN, 0, &x, &why);
		else {
			if (c->cond == LC_GATE_MIN)
				row->p = lc_stat_mannwhitney(bv, nb, cv, nc,
				    NULL);
			else
				row->p = lc_stat_mannwhitney(cv, nc, bv, nb,
				    NULL);
			oc = judge(c, row->canary, 1, row->baseline, 1, &x,
			    &why);
			if (oc == BREACH && !(row->p <
			    lc_gate_alpha(o->confidence)))
				oc = PASS;
		}
		row->verdict = oc == BREACH ? LC_GATE_FAIL : oc == PASS ?
		    LC_GATE_PASS : o->nodata == LC_GATE_NODATA_PASS ?
		    LC_GATE_PASS : o->nodata == LC_GATE_NODATA_FAIL ?
		    LC_GATE_FAIL : LC_GATE_INCONCLUSIVE;
	}
	if (b.len)
		set_reason(row, &b);
	lc_buf_release(&b);
}

void
lc_gate_window(struct lc_gate_result *r, const struct lc_gate_opts *o,
    size_t i, double start, double end, double step,
    const struct lc_prom_result *canary,
    const struct lc_prom_result *baseline)
{
	struct lc_gate_check_result *cr = &r->checks[i];
	const struct lc_gate_check *c = cr->check;
	const struct lc_prom_series *s, *bs;
	struct lc_prom_series none;
	struct lc_gate_row *row;
	struct index bix;
	enum outcome oc;
	const char *why;
	double x, t, *bpts;
	size_t n, k, m, jc, jb, nf;
	int hc, hb;
	unsigned char *evs;

	r->at = end;
	n = step > 0 && end >= start ? (size_t)floor((end - start) / step +
	    1e-9) + 1 : 1;
	memset(&none, 0, sizeof(none));
	none.labels = "{}";
	evs = lc_buf_xmalloc(n);
	memset(evs, 0, n);
	index_series(&bix, baseline);
	for (m = 0; m < (canary->nseries ? canary->nseries : 1); m++) {
		s = canary->nseries ? &canary->series[m] : &none;
		row = add_row(cr, labels_of(s), canary->nseries == 0);
		bs = pair(&bix, baseline, labels_of(s));
		row->points = lc_buf_xmalloc(n * sizeof(*row->points));
		row->npoints = n;
		bpts = lc_buf_xmalloc(n * sizeof(*bpts));
		jc = jb = 0;
		for (k = 0; k < n; k++) {
			t = start + (double)k * step;
			row->points[k] = value_at(s, &jc, t, &hc);
			bpts[k] = value_at(bs, &jb, t, &hb);
			if (!hc)
				row->points[k] = NAN;
			oc = judge(c, row->points[k], hc, bpts[k], bs != NULL &&
			    hb, &x, &why);
			count(row, oc, 0);
			evs[k] |= oc == BREACH ? EV_BREACH : oc == NODATA ?
			    EV_NODATA : 0;
		}
		row->canary = finite_median(row->points, n, &nf);
		row->has_canary = nf > 0;
		row->baseline = finite_median(bpts, n, &nf);
		row->has_baseline = nf > 0;
		if (o->method == LC_GATE_MANNWHITNEY) {
			double *cv = lc_buf_xmalloc(n * sizeof(*cv));

			memcpy(cv, row->points, n * sizeof(*cv));
			mannwhitney(row, c, o, cv, n, bpts, n);
			free(cv);
		}
		free(bpts);
	}
	for (k = 0; k < n; k++)
		count_evaluation(cr, evs[k]);
	free(evs);
	cr->evaluations += (long)n;
	free(bix.s);
}

/* ---- verdicts -------------------------------------------------------- */

/*
 * Whether row has failed for good: more breaches than the limit, or (a
 * template metric) more consecutive errors than its consecutiveErrorLimit,
 * which is Argo Rollouts' Error phase: the rollout aborts as on Failed.
 * Errors within the limit are retried measurements there, and do not
 * count here, except that a row with nothing but errors cannot pass: it
 * is inconclusive.
 */
static int
row_failed(const struct lc_gate_row *row, const struct lc_gate_check *c,
    const struct lc_gate_opts *o)
{
	long breaches = row->breached;

	if (row->error_out)
		return 1;
	if (o->nodata == LC_GATE_NODATA_FAIL)
		breaches += row->nodata;
	return breaches > failure_limit(c, o);
}

/*
 * Whether the check's evaluations (not one row's) breached more often
 * than the failure limit allows: with series whose labels change between
 * evaluations, each row may stay within it while the check does not.
 * Threshold checks only: mannwhitney judges rows, a template one row.
 */
static int
evaluations_failed(const struct lc_gate_check_result *cr,
    const struct lc_gate_opts *o)
{
	long n = cr->ev_breached;

	if (cr->check->cond == LC_GATE_TEMPLATE || (o->window_ms > 0 &&
	    o->method == LC_GATE_MANNWHITNEY))
		return 0;
	if (o->nodata == LC_GATE_NODATA_FAIL)
		n += cr->ev_nodata;
	return n > failure_limit(cr->check, o);
}

int
lc_gate_decided(const struct lc_gate_check_result *cr,
    const struct lc_gate_opts *o)
{
	size_t j;

	if (evaluations_failed(cr, o))
		return 1;
	for (j = 0; j < cr->nrows; j++)
		if (row_failed(&cr->rows[j], cr->check, o))
			return 1;
	return 0;
}

static enum lc_gate_verdict
worst(enum lc_gate_verdict a, enum lc_gate_verdict b)
{
	if (a == LC_GATE_FAIL || b == LC_GATE_FAIL)
		return LC_GATE_FAIL;
	if (a == LC_GATE_INCONCLUSIVE || b == LC_GATE_INCONCLUSIVE)
		return LC_GATE_INCONCLUSIVE;
	return LC_GATE_PASS;
}

void
lc_gate_finish(struct lc_gate_result *r, const struct lc_gate_opts *o)
{
	const int mw = o->window_ms > 0 && o->method == LC_GATE_MANNWHITNEY;
	struct lc_gate_check_result *cr;
	const struct lc_gate_check *c;
	struct lc_gate_row *row;
	struct lc_buf b = LC_BUF_INIT;
	size_t i, j;
	long nodata;

	r->verdict = LC_GATE_PASS;
	for (i = 0; i < r->nchecks; i++) {
		cr = &r->checks[i];
		c = cr->check;
		cr->verdict = LC_GATE_PASS;
		for (j = 0; j < cr->nrows; j++) {
			row = &cr->rows[j];
			if (!single(c, o)) {
				b.len = 0;
				lc_buf_printf(&b, "%ld/%ld breached",
				    row->breached, row->evaluations);
				if (mw && !isnan(row->p))
					lc_buf_printf(&b, " p=%.3g", row->p);
				if (row->nodata)
					lc_buf_printf(&b, ", %ld no data",
					    row->nodata);
				if (row->errors)
					lc_buf_printf(&b, ", %ld errors",
					    row->errors);
				set_note(row, row->reason ? row->reason :
				    b.data);
			}
			nodata = c->cond == LC_GATE_TEMPLATE || o->nodata ==
			    LC_GATE_NODATA_INCONCLUSIVE ? row->nodata : 0;
			if (mw)
				;	/* mannwhitney() decided it */
			else if (row_failed(row, c, o))
				row->verdict = LC_GATE_FAIL;
			else if (nodata > inconclusive_limit(c, o) ||
			    (row->errors && row->errors == row->evaluations))
				row->verdict = LC_GATE_INCONCLUSIVE;
			else
				row->verdict = LC_GATE_PASS;
			cr->verdict = worst(cr->verdict, row->verdict);
			if (c->metric && c->metric->dry_run) {
				b.len = 0;
				lc_buf_printf(&b, "%s (dry run)", row->note ?
				    row->note : "");
				set_note(row, b.data);
			}
		}
		/* The limits count the check's evaluations too. */
		cr->by_evaluations = 0;
		if (cr->verdict != LC_GATE_FAIL && evaluations_failed(cr, o)) {
			cr->verdict = LC_GATE_FAIL;
			cr->by_evaluations = 1;
		} else if (cr->verdict == LC_GATE_PASS && !mw &&
		    c->cond != LC_GATE_TEMPLATE && o->nodata ==
		    LC_GATE_NODATA_INCONCLUSIVE && cr->ev_nodata >
		    inconclusive_limit(c, o)) {
			cr->verdict = LC_GATE_INCONCLUSIVE;
			cr->by_evaluations = 1;
		}
		/* spec.dryRun: shown, never deciding (as Argo Rollouts). */
		if (c->metric == NULL || !c->metric->dry_run)
			r->verdict = worst(r->verdict, cr->verdict);
	}
	lc_buf_release(&b);
}
