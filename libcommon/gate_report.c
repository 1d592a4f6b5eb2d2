/* gate_report.c: metric-gate's result as text: the table, JSON, the lines that explain it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jv.h>

#include "buf.h"
#include "gate.h"
#include "log.h"
#include "stat.h"

/* What the engine's rows look like on the table: the cells of a row. */
enum { C_CHECK, C_SERIES, C_CANARY, C_BASELINE, C_LIMIT, C_VERDICT, C_NOTE,
	NCOLS };

static const char *const heads[NCOLS] = { "CHECK", "SERIES", "CANARY",
	"BASELINE", "LIMIT", "VERDICT", "NOTE" };

static void
cells(struct lc_buf *cell, const struct lc_gate_check_result *cr,
    const struct lc_gate_row *row)
{
	const struct lc_gate_check *c = cr->check;
	int i;

	for (i = 0; i < NCOLS; i++)
		cell[i].len = 0;
	lc_log_clean(&cell[C_CHECK], c->name);
	if (strcmp(row->series, "{}") == 0)
		lc_buf_adds(&cell[C_SERIES], "-");
	else
		lc_log_clean(&cell[C_SERIES], row->series);
	if (row->has_canary)
		lc_gate_num(&cell[C_CANARY], row->canary);
	else
		lc_buf_adds(&cell[C_CANARY], "-");
	if (row->has_baseline && c->baseline_query)
		lc_gate_num(&cell[C_BASELINE], row->baseline);
	else
		lc_buf_adds(&cell[C_BASELINE], "-");
	{
		struct lc_buf lim = LC_BUF_INIT;

		lc_gate_limit_text(&lim, c);
		lc_log_clean(&cell[C_LIMIT], lim.data);
		lc_buf_release(&lim);
	}
	lc_buf_adds(&cell[C_VERDICT], lc_gate_verdict_name(row->verdict));
	if (row->note && *row->note)
		lc_log_clean(&cell[C_NOTE], row->note);
	else
		lc_buf_adds(&cell[C_NOTE], "-");
}

/*
 * Text from outside (labels, names, notes, conditions) for Markdown:
 * & < > as entities, \ ` * _ [ ] | behind a backslash, so that nothing
 * renders as HTML, a link, an image or emphasis, nor ends a table cell.
 */
static void
md_escape(struct lc_buf *out, const char *s, size_t n)
{
	size_t k;

	for (k = 0; k < n; k++)
		switch (s[k]) {
		case '&':
			lc_buf_adds(out, "&amp;");
			break;
		case '<':
			lc_buf_adds(out, "&lt;");
			break;
		case '>':
			lc_buf_adds(out, "&gt;");
			break;
		case '\\':
		case '`':
		case '*':
		case '_':
		case '[':
		case ']':
		case '|':
			lc_buf_addc(out, '\\');
			/* FALLTHROUGH */
		default:
			lc_buf_addc(out, s[k]);
		}
}

/* Characters, not bytes: labels may hold UTF-8. */
static size_t
width(const struct lc_buf *b)
{
	size_t i, n = 0;

	for (i = 0; i < b->len; i++)
		if (((unsigned char)b->data[i] & 0xc0) != 0x80)
			n++;
	return n;
}

void
lc_gate_report_table(struct lc_buf *out, const struct lc_gate_result *r,
    int md)
{
	struct lc_buf cell[NCOLS];
	size_t w[NCOLS], i, j, k, p;
	int c, pass;

	for (c = 0; c < NCOLS; c++) {
		lc_buf_init(&cell[c]);
		w[c] = strlen(heads[c]);
	}
	if (md)
		lc_buf_adds(out, "| check | series | canary | baseline | limit "
		    "| verdict | note |\n|---|---|---|---|---|---|---|\n");
	/* Pass 0 measures, pass 1 writes. */
	for (pass = md; pass < 2; pass++) {
		if (pass == 1 && !md)
			for (c = 0; c < NCOLS; c++) {
				lc_buf_adds(out, heads[c]);
				if (c < NCOLS - 1)
					for (p = strlen(heads[c]); p < w[c] +
					    2; p++)
						lc_buf_addc(out, ' ');
				else
					lc_buf_addc(out, '\n');
			}
		for (i = 0; i < r->nchecks; i++)
			for (j = 0; j < r->checks[i].nrows; j++) {
				cells(cell, &r->checks[i],
				    &r->checks[i].rows[j]);
				for (c = 0; c < NCOLS; c++) {
					if (pass == 0) {
						if (width(&cell[c]) > w[c])
							w[c] = width(&cell[c]);
						continue;
					}
					if (md) {
						lc_buf_adds(out, c ? " " : "| ");
						md_escape(out, cell[c].data,
						    cell[c].len);
						lc_buf_adds(out, " |");
						if (c == NCOLS - 1)
							lc_buf_addc(out, '\n');
						continue;
					}
					lc_buf_add(out, cell[c].data,
					    cell[c].len);
					if (c == NCOLS - 1) {
						lc_buf_addc(out, '\n');
						continue;
					}
					for (p = width(&cell[c]); p < w[c] + 2;
					    p++)
						lc_buf_addc(out, ' ');
				}
			}
	}
	for (c = 0; c < NCOLS; c++)
		lc_buf_release(&cell[c]);
}

static const char *const cond_name[] = { "max", "min", "max-increase",
	"max-ratio", "template" };

static jv
num_or_null(double v, int has)
{
	return has && isfinite(v) ? jv_number(v) : jv_null();
}

jv
lc_gate_report_json(const struct lc_gate_result *r)
{
	const struct lc_gate_check_result *cr;
	const struct lc_gate_row *row;
	struct lc_buf lim = LC_BUF_INIT;
	jv a = jv_array(), o, rows, ro;
	size_t i, j;

	for (i = 0; i < r->nchecks; i++) {
		cr = &r->checks[i];
		o = jv_object();
		o = jv_object_set(o, jv_string("name"),
		    jv_string(cr->check->name));
		o = jv_object_set(o, jv_string("verdict"),
		    jv_string(lc_gate_verdict_name(cr->verdict)));
		o = jv_object_set(o, jv_string("condition"),
		    jv_string(cond_name[cr->check->cond]));
		lim.len = 0;
		lc_gate_limit_text(&lim, cr->check);
		o = jv_object_set(o, jv_string("limit"),
		    cr->check->cond == LC_GATE_TEMPLATE ? jv_string(lim.data) :
		    jv_number(cr->check->limit));
		rows = jv_array();
		for (j = 0; j < cr->nrows; j++) {
			row = &cr->rows[j];
			ro = jv_object();
			ro = jv_object_set(ro, jv_string("series"),
			    jv_string(row->series));
			ro = jv_object_set(ro, jv_string("canary"),
			    num_or_null(row->canary, row->has_canary));
			ro = jv_object_set(ro, jv_string("baseline"),
			    num_or_null(row->baseline, row->has_baseline &&
			    cr->check->baseline_query != NULL));
			ro = jv_object_set(ro, jv_string("verdict"),
			    jv_string(lc_gate_verdict_name(row->verdict)));
			ro = jv_object_set(ro, jv_string("evaluations"),
			    jv_number((double)row->evaluations));
			ro = jv_object_set(ro, jv_string("breached"),
			    jv_number((double)row->breached));
			ro = jv_object_set(ro, jv_string("nodata"),
			    jv_number((double)row->nodata));
			ro = jv_object_set(ro, jv_string("p"),
			    num_or_null(row->p, 1));
			ro = jv_object_set(ro, jv_string("note"),
			    jv_string(row->note ? row->note : ""));
			rows = jv_array_append(rows, ro);
		}
		o = jv_object_set(o, jv_string("rows"), rows);
		a = jv_array_append(a, o);
	}
	lc_buf_release(&lim);
	return a;
}

/* A template metric's failure in words: which condition, on what result. */
static void
why_template(struct lc_buf *b, const struct lc_gate_row *row,
    const struct lc_analysis_metric *m)
{
	if (row->error_out) {
		lc_buf_printf(b, "more than %ld consecutive errors (",
		    m->consecutive_error_limit);
		lc_log_clean(b, row->error ? row->error : "-");
		lc_buf_addc(b, ')');
		return;
	}
	if (row->evaluations > 1)
		lc_buf_printf(b, "%ld of %ld measurements failed, more than "
		    "the failureLimit %ld", row->breached, row->evaluations,
		    m->failure_limit);
	else {
		lc_buf_adds(b, m->failure ? "the failure condition '" :
		    "the success condition '");
		lc_log_clean(b, m->failure ? m->failure : m->success);
		lc_buf_adds(b, m->failure ? "' holds" : "' does not hold");
	}
	if (!row->has_canary) {
		lc_buf_adds(b, " (an empty result)");
		return;
	}
	lc_buf_adds(b, row->evaluations > 1 ? " (last result[0] " :
	    " (result[0] ");
	lc_gate_num(b, row->canary);
	lc_buf_addc(b, ')');
}

/*
 * ", p=P < A" with as many digits as it takes for the numbers shown to
 * be in the order the decision found (0.049996 is not "0.05 < 0.05").
 */
static void
p_below(struct lc_buf *b, double p, double alpha)
{
	char ps[40], as[40];
	int prec;

	for (prec = 3; prec < 17; prec++) {
		snprintf(ps, sizeof(ps), "%.*g", prec, p);
		snprintf(as, sizeof(as), "%.*g", prec, alpha);
		if (strtod(ps, NULL) < strtod(as, NULL))
			break;
	}
	lc_buf_printf(b, ", p=%s < %s", ps, as);
}

/*
 * The condition in words, for the line of a failed row: the values for
 * one evaluation and for mannwhitney's medians, the count otherwise.
 */
static void
why_failed(struct lc_buf *b, const struct lc_gate_check_result *cr,
    const struct lc_gate_row *row, const struct lc_gate_opts *g)
{
	const struct lc_gate_check *c = cr->check;
	const int mw = g->window_ms > 0 && g->method == LC_GATE_MANNWHITNEY;
	const int cmp = c->cond == LC_GATE_MAX_INCREASE ||
	    c->cond == LC_GATE_MAX_RATIO;

	if (c->cond == LC_GATE_TEMPLATE) {
		why_template(b, row, c->metric);
		return;
	}
	if (row->reason) {
		lc_log_clean(b, row->reason);
		lc_buf_adds(b, " (--no-data fail)");
		return;
	}
	if (!row->has_canary || (cmp && !row->has_baseline) ||
	    (row->breached == 0 && row->nodata > 0)) {
		lc_log_clean(b, row->evaluations > 1 ? "no data" : row->note);
		lc_buf_adds(b, " (--no-data fail)");
		return;
	}
	if (!mw && (g->window_ms > 0 || g->count > 1)) {
		lc_buf_printf(b, "%ld of %ld evaluations breached ",
		    row->breached, row->evaluations);
		lc_gate_limit_text(b, c);
		lc_buf_printf(b, ", more than the failure limit %ld",
		    g->failure_limit);
		return;
	}
	lc_buf_adds(b, mw ? "median canary " : "canary ");
	lc_gate_num(b, row->canary);
	switch (c->cond) {
	case LC_GATE_MAX:
		lc_buf_adds(b, " > ");
		break;
	case LC_GATE_MIN:
		lc_buf_adds(b, " < ");
		break;
	case LC_GATE_MAX_INCREASE:
		lc_buf_adds(b, mw ? " - median baseline " : " - baseline ");
		lc_gate_num(b, row->baseline);
		lc_buf_adds(b, " = ");
		lc_gate_num(b, row->canary - row->baseline);
		lc_buf_adds(b, " > ");
		break;
	default:
		lc_buf_adds(b, mw ? " / median baseline " : " / baseline ");
		lc_gate_num(b, row->baseline);
		lc_buf_adds(b, " = ");
		lc_gate_num(b, row->baseline != 0 ? row->canary / row->baseline :
		    1);
		lc_buf_adds(b, " > ");
		break;
	}
	lc_gate_num(b, c->limit);
	if (mw && !isnan(row->p))
		p_below(b, row->p, lc_gate_alpha(g->confidence));
}

/* Why a row is inconclusive: the reason, or the count of no data. */
static void
why_inconclusive(struct lc_buf *b, const struct lc_gate_check_result *cr,
    const struct lc_gate_row *row, const struct lc_gate_opts *g)
{
	const struct lc_analysis_metric *m = cr->check->metric;

	if (row->errors && row->errors == row->evaluations) {
		lc_buf_adds(b, "every measurement was an error (");
		lc_log_clean(b, row->error ? row->error : "-");
		lc_buf_addc(b, ')');
	} else if (row->reason)
		lc_log_clean(b, row->reason);
	else if (row->evaluations > 1)
		lc_buf_printf(b, "%ld of %ld %s, more than the %s %ld",
		    row->nodata, row->evaluations, m ? "measurements "
		    "inconclusive" : "evaluations without data", m ?
		    "inconclusiveLimit" : "inconclusive limit", m ?
		    m->inconclusive_limit : g->inconclusive_limit);
	else
		lc_log_clean(b, row->note && *row->note ? row->note :
		    "no data");
}

/* The row's name: the check, and its series unless it is {}. */
static void
row_name(struct lc_buf *b, const struct lc_gate_check *c,
    const struct lc_gate_row *row)
{
	lc_log_clean(b, c->name);
	if (strcmp(row->series, "{}") != 0) {
		lc_buf_addc(b, ' ');
		lc_log_clean(b, row->series);
	}
}

void
lc_gate_report_line(struct lc_buf *out, const struct lc_gate_check_result *cr,
    const struct lc_gate_row *row, const struct lc_gate_opts *o)
{
	const int dry = cr->check->metric && cr->check->metric->dry_run;

	lc_buf_adds(out, "check ");
	row_name(out, cr->check, row);
	if (row->verdict == LC_GATE_FAIL) {
		lc_buf_adds(out, dry ? " failed (dryRun: not counted): " :
		    " failed: ");
		why_failed(out, cr, row, o);
	} else if (row->verdict == LC_GATE_INCONCLUSIVE) {
		lc_buf_adds(out, dry ? " inconclusive (dryRun: not counted): " :
		    " inconclusive: ");
		why_inconclusive(out, cr, row, o);
	} else
		lc_buf_adds(out, " passed");
}

void
lc_gate_report_check_line(struct lc_buf *out,
    const struct lc_gate_check_result *cr, const struct lc_gate_opts *o)
{
	const struct lc_gate_check *c = cr->check;

	lc_buf_adds(out, "check ");
	lc_log_clean(out, c->name);
	if (cr->verdict == LC_GATE_FAIL) {
		lc_buf_printf(out, " failed: %ld of %ld evaluations breached ",
		    cr->ev_breached + (o->nodata == LC_GATE_NODATA_FAIL ?
		    cr->ev_nodata : 0), cr->evaluations);
		lc_gate_limit_text(out, c);
		lc_buf_printf(out, " on some series%s, more than the failure "
		    "limit %ld", o->nodata == LC_GATE_NODATA_FAIL ? " or had "
		    "no data" : "", o->failure_limit);
	} else
		lc_buf_printf(out, " inconclusive: %ld of %ld evaluations "
		    "without data on some series, more than the inconclusive "
		    "limit %ld", cr->ev_nodata, cr->evaluations,
		    o->inconclusive_limit);
}

void
lc_gate_report_sparklines(struct lc_buf *out, const struct lc_gate_result *r)
{
	const struct lc_gate_row *row;
	struct lc_buf name = LC_BUF_INIT;
	size_t i, j;
	int first = 1;

	for (i = 0; i < r->nchecks; i++)
		for (j = 0; j < r->checks[i].nrows; j++) {
			row = &r->checks[i].rows[j];
			if (row->npoints == 0)
				continue;
			if (first)
				lc_buf_addc(out, '\n');
			first = 0;
			name.len = 0;
			row_name(&name, r->checks[i].check, row);
			md_escape(out, name.data, name.len);
			lc_buf_addc(out, ' ');
			lc_stat_sparkline(out, row->points, row->npoints, 60);
			lc_buf_addc(out, '\n');
		}
	lc_buf_release(&name);
}

void
lc_gate_report_event(struct lc_buf *out, const struct lc_gate_event *ev)
{
	lc_buf_adds(out, "check ");
	row_name(out, ev->check, ev->row);
	lc_buf_adds(out, " at ");
	lc_gate_time_text(out, ev->t);
	lc_buf_adds(out, ": canary ");
	if (isnan(ev->canary) && !ev->row->has_canary)
		lc_buf_adds(out, "-");
	else
		lc_gate_num(out, ev->canary);
	if (ev->check->baseline_query) {
		lc_buf_adds(out, " baseline ");
		if (isnan(ev->baseline) && !ev->row->has_baseline)
			lc_buf_adds(out, "-");
		else
			lc_gate_num(out, ev->baseline);
	}
	lc_buf_printf(out, ": %s", ev->outcome);
}
