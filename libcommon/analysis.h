/* analysis.h: Argo Rollouts AnalysisTemplates with Prometheus metrics. */
#ifndef LC_ANALYSIS_H
#define LC_ANALYSIS_H

#include <stddef.h>

/* A measurement's phase, as Argo Rollouts names them. */
enum lc_analysis_phase {
	LC_ANALYSIS_SUCCESSFUL,
	LC_ANALYSIS_FAILED,
	LC_ANALYSIS_INCONCLUSIVE,
	LC_ANALYSIS_ERROR		/* the condition could not be evaluated */
};

struct lc_analysis_expr;

/*
 * One metric of the template, its query with the args filled in.
 * Durations in milliseconds; limits as Argo Rollouts defaults them.
 */
struct lc_analysis_metric {
	char *name;
	char *query;
	char *address;			/* provider.prometheus.address, or NULL */
	char *success, *failure;	/* the conditions' text, or NULL */
	struct lc_analysis_expr *success_expr, *failure_expr;
	long long interval_ms;		/* 0: not set */
	long long initial_delay_ms;
	long count;			/* 0: not set (one measurement) */
	long failure_limit;		/* default 0 */
	long inconclusive_limit;	/* default 0 */
	long consecutive_error_limit;	/* default 4 */
	char **headers;			/* provider.prometheus.headers, "K: V" */
	size_t nheaders;
	long line, col;			/* where the metric starts in the file */
	long long timeout_ms;		/* provider.prometheus.timeout, 0: not set */
	int insecure;			/* provider.prometheus.insecure */
	int dry_run;			/* named by spec.dryRun: never decides */
};

struct lc_analysis {
	char *kind;			/* AnalysisTemplate, ClusterAnalysisTemplate */
	char *name;			/* metadata.name */
	struct lc_analysis_metric *metrics;
	size_t nmetrics;
};

/*
 * Read the template at path ("-": stdin) with libyaml: every document of
 * the file, one of them the template (documents of other kinds skipped; a
 * second template, or nesting past 64 levels, refused with LC_EUSAGE).
 * Fill its args from args ("NAME=VALUE", given on the command line; they
 * win over the template's own values) and parse every condition. Returns
 * 0, or with a message set that names file:line:col: LC_EUSAGE for every
 * refusal of the template itself: what the subset does not cover (another
 * provider, valueFrom, a merge key, an expression construct), a malformed
 * or missing field (a duplicate key, a bad duration, failureLimit: -1, no
 * provider), what the controller would refuse (count < failureLimit), a
 * file without a template, an arg without a value, an --arg the template
 * does not declare; LC_EDATA only for a file that is not YAML (libyaml's
 * error); lc_fileio_read's codes (LC_ENOTFOUND, LC_ERROR) when it cannot
 * be read. On failure out is left empty (releasing it is harmless).
 */
int lc_analysis_load(struct lc_analysis *out, const char *path,
    const char *const *args, size_t nargs);
/* The same from the len bytes of text, called name in messages. */
int lc_analysis_parse(struct lc_analysis *out, const char *name,
    const char *text, size_t len, const char *const *args, size_t nargs);
void lc_analysis_release(struct lc_analysis *a);

/*
 * The phase of one measurement whose query gave the n values v (a vector
 * result, in the answer's order; when scalar is set, v[0] is a scalar
 * result and n must be 1, else it is an error),
 * by the rules of Argo Rollouts' evaluate.go: both conditions are
 * evaluated (an error in either is LC_ANALYSIS_ERROR, with a message set:
 * an index out of range, a type error); a true failure condition fails,
 * whatever the success condition says; with only a success condition, not
 * true is a failure; with only a failure condition, not true is a
 * success; with both and neither true, inconclusive. A metric with
 * neither condition is LC_ANALYSIS_SUCCESSFUL whatever the values, even
 * none (n == 0), as Argo's evaluate.go has it: deciding that an empty
 * result is no data is the caller's.
 */
enum lc_analysis_phase lc_analysis_judge(const struct lc_analysis_metric *m,
    const double *v, size_t n, int scalar);

/*
 * The expression language on its own (for tests and fuzzing). Parse
 * returns 0 or LC_EUSAGE naming the construct and its column. Eval
 * returns 0 with *truth set, or LC_ERROR with a message set.
 */
int lc_analysis_expr_parse(struct lc_analysis_expr **out, const char *src);
int lc_analysis_expr_eval(const struct lc_analysis_expr *e, const double *v,
    size_t n, int scalar, int *truth);
void lc_analysis_expr_free(struct lc_analysis_expr *e);

#endif
