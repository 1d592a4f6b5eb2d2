/* gate.h: canary analysis: checks evaluated against Prometheus, judged into a verdict. */
#ifndef LC_GATE_H
#define LC_GATE_H

#include <stddef.h>

#include <jv.h>

#include "analysis.h"
#include "buf.h"
#include "prom.h"

/* What a check asks of its values. */
enum lc_gate_cond {
	LC_GATE_MAX,			/* every canary value <= limit */
	LC_GATE_MIN,			/* every canary value >= limit */
	LC_GATE_MAX_INCREASE,		/* canary - baseline <= limit */
	LC_GATE_MAX_RATIO,		/* canary / baseline <= limit */
	LC_GATE_TEMPLATE		/* an AnalysisTemplate metric's conditions */
};

enum lc_gate_method {
	LC_GATE_THRESHOLD,		/* each evaluation against the limit */
	LC_GATE_MANNWHITNEY		/* window: significance and medians */
};

/* What an evaluation without data counts as. */
enum lc_gate_nodata {
	LC_GATE_NODATA_INCONCLUSIVE,
	LC_GATE_NODATA_PASS,
	LC_GATE_NODATA_FAIL
};

enum lc_gate_verdict {
	LC_GATE_PASS,
	LC_GATE_FAIL,
	LC_GATE_INCONCLUSIVE
};

/* One check, as the command line or a template metric gives it. */
struct lc_gate_check {
	const char *name;
	const char *query;		/* the canary's (or the only) query */
	const char *baseline_query;	/* NULL: none */
	enum lc_gate_cond cond;
	double limit;
	const struct lc_analysis_metric *metric;	/* LC_GATE_TEMPLATE */
};

struct lc_gate_opts {
	const struct lc_gate_check *checks;
	size_t nchecks;
	int has_at;			/* evaluate at (or end the window at) at */
	double at;			/* Unix seconds */
	long count;			/* evaluations; 0 or 1: one */
	long long interval_ms, initial_delay_ms;
	long failure_limit, inconclusive_limit;
	long long window_ms, step_ms;	/* window_ms 0: no window */
	enum lc_gate_method method;
	double confidence;		/* mannwhitney: 0.5 < c < 1 */
	enum lc_gate_nodata nodata;
	long long deadline;		/* an lc_clock_ms() time; 0: none */
};

/* One row of a check: one canary series (labels "{}" for none). */
struct lc_gate_row {
	char *series;			/* labels as prom.h writes them */
	double canary, baseline;	/* last evaluation's, or window medians */
	int has_canary, has_baseline;	/* 0: "-" (no such value) */
	long evaluations, breached, nodata, errors;
	double p;			/* mannwhitney's p-value, else NaN */
	char *note;			/* what the table's NOTE says */
	char *error;			/* template: the last error's message */
	char *reason;			/* mannwhitney: why it is not judged */
	enum lc_gate_verdict verdict;
	double *points;			/* window: the canary's value per step */
	size_t npoints;
	/* for the judging */
	long consecutive_errors;
	int error_out;			/* template: consecutive errors over limit */
	int placeholder;		/* the "{}" row of an empty result */
};

struct lc_gate_check_result {
	const struct lc_gate_check *check;
	struct lc_gate_row *rows;
	size_t nrows;
	enum lc_gate_verdict verdict;
	long evaluations;		/* done so far */
	/*
	 * The check's evaluations: those where a row breached, and those
	 * where none did and a row had no data; the limits count these too.
	 */
	long ev_breached, ev_nodata;
	int by_evaluations;		/* the verdict is theirs, not a row's */
};

struct lc_gate_result {
	struct lc_gate_check_result *checks;
	size_t nchecks;
	enum lc_gate_verdict verdict;
	double at;			/* the last evaluation's (or window's end) instant */
};

/* One evaluation of one row, for a -v line. */
struct lc_gate_event {
	const struct lc_gate_check *check;
	const struct lc_gate_row *row;
	double t;			/* the evaluation's instant */
	double canary, baseline;	/* NaN: none */
	const char *outcome;		/* "pass", "breach", "no data", ... */
};

typedef void (*lc_gate_fn)(const struct lc_gate_event *ev, void *arg);

/*
 * Evaluate o's checks through Prometheus as conf says (template metrics
 * with an address or headers of their own get a client of their own; a
 * NULL conf->url takes the metric's address), on o's schedule: one
 * instant, count evaluations interval apart (sleeping until each instant,
 * with lc_clock_sleep_ms, never past o->deadline), or one range query per
 * query over the window. fn (may be NULL) is told of each row's each
 * evaluation. Fills out (release it with lc_gate_result_release) and
 * returns 0 when every evaluation was made, or when it stopped early: once
 * a check (not a dryRun metric) has failed beyond its limit, after the
 * evaluations due at that instant (the other checks' rows, judged over
 * what was measured, say "stopped early"); else lc_prom_query's error
 * (LC_EDATA, LC_EAUTH, LC_EUNAVAIL), LC_ETIMEOUT at the deadline, or
 * LC_EUSAGE when there is no Prometheus to ask; each with a message set.
 */
int lc_gate_run(struct lc_gate_result *out, const struct lc_gate_opts *o,
    const struct lc_prom_conf *conf, lc_gate_fn fn, void *arg);

/*
 * The judging on its own (lc_gate_run calls it; tests call it with results
 * of their own). lc_gate_result_init makes one check result per check of
 * o. lc_gate_eval adds one evaluation at instant t of check number i from
 * its query results (baseline NULL without a baseline query; vectors or
 * scalars); lc_gate_window judges check i from range results (matrices)
 * over [start, end] every step; lc_gate_finish decides the rows', checks'
 * and the overall verdicts and writes the notes.
 */
void lc_gate_result_init(struct lc_gate_result *r,
    const struct lc_gate_opts *o);
void lc_gate_eval(struct lc_gate_result *r, const struct lc_gate_opts *o,
    size_t i, double t, const struct lc_prom_result *canary,
    const struct lc_prom_result *baseline, lc_gate_fn fn, void *arg);
void lc_gate_window(struct lc_gate_result *r, const struct lc_gate_opts *o,
    size_t i, double start, double end, double step,
    const struct lc_prom_result *canary,
    const struct lc_prom_result *baseline);
void lc_gate_finish(struct lc_gate_result *r, const struct lc_gate_opts *o);
/*
 * Whether check result cr is decided before its evaluations end: a row
 * has more breaches than the limit allows (or, for a template metric,
 * more consecutive errors), which later evaluations cannot undo.
 */
int lc_gate_decided(const struct lc_gate_check_result *cr,
    const struct lc_gate_opts *o);
void lc_gate_result_release(struct lc_gate_result *r);

/*
 * mannwhitney's significance level: 1 - confidence rounded to 12
 * decimals, so that 0.95 gives exactly 0.05.
 */
double lc_gate_alpha(double confidence);
/* "pass", "fail", "inconclusive". */
const char *lc_gate_verdict_name(enum lc_gate_verdict v);
/*
 * The limit as the table shows it: "<=V", ">=V", "diff<=V", "ratio<=R", or
 * a template metric's failure condition, else its success condition.
 */
void lc_gate_limit_text(struct lc_buf *out, const struct lc_gate_check *c);
/* A value as the table shows it: %.6g, "NaN", "+Inf", "-Inf". */
void lc_gate_num(struct lc_buf *out, double v);

/*
 * The result as text, for the command to print. The table: one line per
 * row, CHECK SERIES CANARY BASELINE LIMIT VERDICT NOTE, columns two spaces
 * apart and padded to the widest cell (markdown: a Markdown table, '|'
 * escaped); text from the server has its control characters escaped.
 */
void lc_gate_report_table(struct lc_buf *out, const struct lc_gate_result *r,
    int markdown);
/* The checks as a JSON array (the caller owns it): -o json's "checks". */
jv lc_gate_report_json(const struct lc_gate_result *r);
/*
 * The line of a row that did not pass: "check NAME [SERIES] failed:
 * canary 0.033 - baseline 0.01 = 0.023 > 0.01" (the condition in words),
 * or "... inconclusive: no data" (the reason).
 */
void lc_gate_report_line(struct lc_buf *out,
    const struct lc_gate_check_result *cr, const struct lc_gate_row *row,
    const struct lc_gate_opts *o);
/*
 * The line of a check whose verdict comes from its evaluations, not from
 * a row (cr->by_evaluations): "check NAME failed: 3 of 4 evaluations
 * breached <=5 (on some series), more than the failure limit 1".
 */
void lc_gate_report_check_line(struct lc_buf *out,
    const struct lc_gate_check_result *cr, const struct lc_gate_opts *o);
/* Windows: "`NAME [SERIES]` sparkline" a line for each row, after a blank. */
void lc_gate_report_sparklines(struct lc_buf *out,
    const struct lc_gate_result *r);
/* One evaluation: "check NAME at T: canary V baseline W: pass". */
void lc_gate_report_event(struct lc_buf *out, const struct lc_gate_event *ev);

/*
 * A time for --at: RFC 3339 with Z or an offset (fractions kept), or Unix
 * seconds with a fraction. Returns 0, or LC_EUSAGE naming opt.
 */
int lc_gate_time_parse(const char *opt, const char *s, double *out);
/* t (Unix seconds) as RFC 3339 in UTC, with milliseconds when it has some. */
void lc_gate_time_text(struct lc_buf *out, double t);

#endif
