/* metric-gate: the canary's verdict from Prometheus, as an exit code. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jv.h>

#include "analysis.h"
#include "buf.h"
#include "ci.h"
#include "cli.h"
#include "clock.h"
#include "error.h"
#include "fileio.h"
#include "gate.h"
#include "log.h"
#include "parse.h"
#include "prom.h"

enum { OPT_ARG = 256, OPT_AT, OPT_BASELINE, OPT_CA_FILE, OPT_CHECK,
	OPT_CONFIDENCE, OPT_COUNT, OPT_DOTENV, OPT_FAILURE_LIMIT,
	OPT_INCONCLUSIVE_LIMIT, OPT_INITIAL_DELAY, OPT_INSECURE, OPT_INTERVAL,
	OPT_MAX, OPT_MAX_INCREASE, OPT_MAX_RATIO, OPT_METHOD, OPT_MIN,
	OPT_NO_DATA, OPT_PASSWORD_FILE, OPT_PROMETHEUS, OPT_QUERY, OPT_STEP,
	OPT_TEMPLATE, OPT_TIMEOUT, OPT_TOKEN_FILE, OPT_USERNAME, OPT_WINDOW };

static const struct option longopts[] = {
	{ "arg", required_argument, NULL, OPT_ARG },
	{ "at", required_argument, NULL, OPT_AT },
	{ "baseline-query", required_argument, NULL, OPT_BASELINE },
	{ "ca-file", required_argument, NULL, OPT_CA_FILE },
	{ "check", required_argument, NULL, OPT_CHECK },
	{ "confidence", required_argument, NULL, OPT_CONFIDENCE },
	{ "count", required_argument, NULL, OPT_COUNT },
	{ "dotenv", required_argument, NULL, OPT_DOTENV },
	{ "failure-limit", required_argument, NULL, OPT_FAILURE_LIMIT },
	{ "header", required_argument, NULL, 'H' },
	{ "help", no_argument, NULL, 'h' },
	{ "inconclusive-limit", required_argument, NULL,
	    OPT_INCONCLUSIVE_LIMIT },
	{ "initial-delay", required_argument, NULL, OPT_INITIAL_DELAY },
	{ "insecure", no_argument, NULL, OPT_INSECURE },
	{ "interval", required_argument, NULL, OPT_INTERVAL },
	{ "max", required_argument, NULL, OPT_MAX },
	{ "max-increase", required_argument, NULL, OPT_MAX_INCREASE },
	{ "max-ratio", required_argument, NULL, OPT_MAX_RATIO },
	{ "method", required_argument, NULL, OPT_METHOD },
	{ "min", required_argument, NULL, OPT_MIN },
	{ "no-data", required_argument, NULL, OPT_NO_DATA },
	{ "output", required_argument, NULL, 'o' },
	{ "password-file", required_argument, NULL, OPT_PASSWORD_FILE },
	{ "prometheus", required_argument, NULL, OPT_PROMETHEUS },
	{ "query", required_argument, NULL, OPT_QUERY },
	{ "quiet", no_argument, NULL, 'q' },
	{ "step", required_argument, NULL, OPT_STEP },
	{ "template", required_argument, NULL, OPT_TEMPLATE },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "token-file", required_argument, NULL, OPT_TOKEN_FILE },
	{ "username", required_argument, NULL, OPT_USERNAME },
	{ "verbose", no_argument, NULL, 'v' },
	{ "version", no_argument, NULL, 'V' },
	{ "window", required_argument, NULL, OPT_WINDOW },
	{ NULL, 0, NULL, 0 }
};

/* The most points a series of a window may have (--window / --step). */
#define MAX_POINTS	11000
/* How far --at may be ahead of the clock (another machine's clock). */
#define AT_SKEW		60

static _Noreturn void
usage(int status)
{
	FILE *fp = status == LC_EXIT_OK ? stdout : stderr;

	fprintf(fp, "usage: %s [-hqVv] [-o format] [--at time] [--ca-file file] "
	    "[--dotenv file] [--header 'name: value'] [--insecure] "
	    "[--no-data policy] [--password-file file] [--prometheus url] "
	    "[--timeout duration] [--token-file file] [--username user] "
	    "[--interval duration --count n [--initial-delay duration] | "
	    "--window duration [--step duration] [--method method] "
	    "[--confidence c]] [--failure-limit k] [--inconclusive-limit k] "
	    "--check name --query promql [--baseline-query promql] "
	    "(--max v | --min v | --max-increase v | --max-ratio r) ...\n"
	    "       %s [options] --template file [--arg name=value ...]\n",
	    lc_log_progname, lc_log_progname);
	if (status == LC_EXIT_OK)
		fputs("\n"
		    "Judge the canary from Prometheus: exit 0 when every check "
		    "passes, 1 when one\nfails or has no data (inconclusive).\n"
		    "\n"
		    "      --check NAME         a check; the options below belong "
		    "to the latest one\n"
		    "      --query PROMQL       the canary's (or the only) query\n"
		    "      --baseline-query PROMQL  the baseline's\n"
		    "      --max V, --min V     every canary value <= V, >= V\n"
		    "      --max-increase V     canary - baseline <= V (0.01: one "
		    "point of a ratio)\n"
		    "      --max-ratio R        canary / baseline <= R (1.2: 20% "
		    "more)\n"
		    "      --at TIME            evaluate at TIME (RFC 3339 or Unix "
		    "seconds), not now\n"
		    "      --interval D --count N  N evaluations D apart\n"
		    "      --initial-delay D    wait D before the first\n"
		    "      --failure-limit K    fail when more than K breach "
		    "(default 0)\n"
		    "      --inconclusive-limit K  inconclusive when more than K "
		    "have no data\n"
		    "      --window D           one range query over the last D; "
		    "each point counts\n"
		    "      --step S             the window's step (default 15s)\n"
		    "      --method M           threshold (default) or "
		    "mannwhitney (with --window)\n"
		    "      --confidence C       mannwhitney's (default 0.95)\n"
		    "      --no-data P          inconclusive (default), pass or "
		    "fail\n"
		    "      --template FILE      an Argo Rollouts AnalysisTemplate\n"
		    "      --arg NAME=VALUE     its args (repeatable)\n"
		    "      --prometheus URL     (default $PROMETHEUS_URL)\n"
		    "      --token-file FILE    bearer token (default "
		    "$PROMETHEUS_TOKEN)\n"
		    "      --username U, --password-file FILE  basic auth\n"
		    "  -H, --header 'K: V'      an extra header (repeatable)\n"
		    "      --ca-file FILE, --insecure\n"
		    "      --timeout D          the whole command (default 10m; "
		    "0: none)\n"
		    "  -o, --output FMT         text or json\n"
		    "      --dotenv FILE        append METRIC_GATE_* lines "
		    "(GitLab dotenv)\n"
		    "  -q, --quiet, -v, --verbose, -h, --help, -V, --version\n",
		    fp);
	exit(status);
}

/* ---- options ----------------------------------------------------------- */

/* A check as given, with what its rules need to know. */
struct check {
	struct lc_gate_check c;
	int nconds, nqueries, nbaselines;
	const char *cond_opt;		/* the condition's option, for messages */
};

struct args {
	struct lc_gate_opts g;
	struct check *checks;
	size_t nchecks;
	struct lc_prom_conf conf;
	const char *token_file, *password_file;
	const char *window_text, *step_text;
	const char **headers, **targs;
	size_t nheaders, ntargs;
	long long timeout_ms;
	const char *template;
	int json;
	/* which options were given, for the rules between them */
	int interval, count, delay, flimit, ilimit, window, step, method,
	    confidence;
	char **operands;
	int noperands;
};

/* A usage error with its message: exit 2. */
static _Noreturn void
misuse(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static _Noreturn void
misuse(const char *fmt, ...)
{
	struct lc_buf b = LC_BUF_INIT;
	va_list ap;

	if (fmt) {
		va_start(ap, fmt);
		lc_buf_vprintf(&b, fmt, ap);
		va_end(ap);
		lc_error_set(LC_EUSAGE, "%s", b.data);
		lc_buf_release(&b);
	}
	lc_cli_report_error();
	usage(LC_EXIT_USAGE);
}

/* Append s to the growing list *v of *n. */
static void
push(const char ***v, size_t *n, const char *s)
{
	if (*n >= ((size_t)-1) / sizeof(**v) - 2)
		misuse("too many options");
	*v = lc_buf_xrealloc(*v, (*n + 2) * sizeof(**v));
	(*v)[(*n)++] = s;
	(*v)[*n] = NULL;
}

static double
number(const char *opt, const char *s)
{
	char *end;
	double v;

	/* Decimal only: strtod would also take hex, "inf" and blanks. */
	v = strtod(s, &end);
	if (end == s || *end || !isfinite(v) ||
	    strspn(s, "0123456789+-.eE") != strlen(s))
		misuse("%s %s: give a finite number", opt, s);
	return v;
}

static long
count_opt(const char *opt, const char *s, long min)
{
	long v;

	if (lc_parse_long(s, min, 1000000L, &v) != 0)
		misuse("%s %s: give a whole number from %ld to 1000000", opt,
		    s, min);
	return v;
}

static long long
duration(const char *opt, const char *s)
{
	long long ms;

	if (lc_parse_duration_opt(opt, s, &ms) != 0)
		misuse(NULL);
	return ms;
}

/* The latest --check, for an option that belongs to one. */
static struct check *
latest(struct args *a, const char *opt)
{
	if (a->nchecks == 0)
		misuse("%s: give --check NAME first", opt);
	return &a->checks[a->nchecks - 1];
}

static void
new_check(struct args *a, const char *name)
{
	struct check *k;
	size_t i, n = strlen(name);

	if (n == 0 || n > 63 || strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789_.-") != n)
		misuse("--check '%s': a name of 1 to 63 letters, digits, '_', "
		    "'.' and '-'", name);
	for (i = 0; i < a->nchecks; i++)
		if (strcmp(a->checks[i].c.name, name) == 0)
			misuse("--check %s: given twice (names are unique)",
			    name);
	if (a->nchecks >= ((size_t)-1) / sizeof(*a->checks) - 1)
		misuse("too many --check");
	a->checks = lc_buf_xrealloc(a->checks, (a->nchecks + 1) *
	    sizeof(*a->checks));
	k = &a->checks[a->nchecks++];
	memset(k, 0, sizeof(*k));
	k->c.name = name;
}

static void
condition(struct args *a, const char *opt, enum lc_gate_cond cond,
    const char *s)
{
	struct check *k = latest(a, opt);

	k->c.limit = number(opt, s);
	if (cond == LC_GATE_MAX_RATIO && k->c.limit <= 0)
		misuse("%s %s: give a ratio above 0", opt, s);
	k->c.cond = cond;
	k->cond_opt = opt;
	k->nconds++;
}

static void
option(struct args *a, int ch, const char *arg)
{
	switch (ch) {
	case 'H':
		if (strchr(arg, ':') == NULL || *arg == ':')
			misuse("--header '%s': write it as 'Name: value'", arg);
		if (strpbrk(arg, "\r\n") != NULL)
			misuse("--header: one line, 'Name: value'");
		push(&a->headers, &a->nheaders, arg);
		break;
	case 'h':
		usage(LC_EXIT_OK);
	case 'o':
		if (strcmp(arg, "json") == 0)
			a->json = 1;
		else if (strcmp(arg, "text") == 0)
			a->json = 0;
		else
			misuse("-o %s: the formats are text and json", arg);
		break;
	case 'q':
		lc_log_set_level(LC_LOG_ERROR);
		break;
	case 'V':
		lc_cli_version();
		exit(lc_cli_exit(0));
	case 'v':
		lc_log_set_level(LC_LOG_DEBUG);
		break;
	case OPT_ARG:
		if (strchr(arg, '=') == NULL || *arg == '=')
			misuse("--arg '%s': write NAME=VALUE", arg);
		push(&a->targs, &a->ntargs, arg);
		break;
	case OPT_AT:
		if (lc_gate_time_parse("--at", arg, &a->g.at) != 0)
			misuse(NULL);
		/* A future instant would only wait for the --timeout. */
		if (a->g.at > (double)time(NULL) + AT_SKEW)
			misuse("--at %s: that is in the future; give a past "
			    "instant or leave --at out", arg);
		a->g.has_at = 1;
		break;
	case OPT_BASELINE:
		latest(a, "--baseline-query")->c.baseline_query = arg;
		a->checks[a->nchecks - 1].nbaselines++;
		break;
	case OPT_CA_FILE:
		a->conf.http.ca_file = arg;
		a->conf.http.ca_flag = "--ca-file";
		break;
	case OPT_CHECK:
		new_check(a, arg);
		break;
	case OPT_CONFIDENCE:
		a->g.confidence = number("--confidence", arg);
		if (!(a->g.confidence > 0.5 && a->g.confidence < 1))
			misuse("--confidence %s: give a number above 0.5 and "
			    "below 1", arg);
		a->confidence = 1;
		break;
	case OPT_COUNT:
		a->g.count = count_opt("--count", arg, 1);
		a->count = 1;
		break;
	case OPT_DOTENV:
		lc_ci_set_dotenv(arg);
		break;
	case OPT_FAILURE_LIMIT:
		a->g.failure_limit = count_opt("--failure-limit", arg, 0);
		a->flimit = 1;
		break;
	case OPT_INCONCLUSIVE_LIMIT:
		a->g.inconclusive_limit = count_opt("--inconclusive-limit", arg,
		    0);
		a->ilimit = 1;
		break;
	case OPT_INITIAL_DELAY:
		a->g.initial_delay_ms = duration("--initial-delay", arg);
		a->delay = 1;
		break;
	case OPT_INSECURE:
		a->conf.http.insecure = 1;
		break;
	case OPT_INTERVAL:
		if ((a->g.interval_ms = duration("--interval", arg)) <= 0)
			misuse("--interval %s: give a duration above 0", arg);
		a->interval = 1;
		break;
	case OPT_MAX:
		condition(a, "--max", LC_GATE_MAX, arg);
		break;
	case OPT_MAX_INCREASE:
		condition(a, "--max-increase", LC_GATE_MAX_INCREASE, arg);
		break;
	case OPT_MAX_RATIO:
		condition(a, "--max-ratio", LC_GATE_MAX_RATIO, arg);
		break;
	case OPT_METHOD:
		if (strcmp(arg, "threshold") == 0)
			a->g.method = LC_GATE_THRESHOLD;
		else if (strcmp(arg, "mannwhitney") == 0)
			a->g.method = LC_GATE_MANNWHITNEY;
		else
			misuse("--method %s: threshold or mannwhitney", arg);
		a->method = 1;
		break;
	case OPT_MIN:
		condition(a, "--min", LC_GATE_MIN, arg);
		break;
	case OPT_NO_DATA:
		if (strcmp(arg, "inconclusive") == 0)
			a->g.nodata = LC_GATE_NODATA_INCONCLUSIVE;
		else if (strcmp(arg, "pass") == 0)
			a->g.nodata = LC_GATE_NODATA_PASS;
		else if (strcmp(arg, "fail") == 0)
			a->g.nodata = LC_GATE_NODATA_FAIL;
		else
			misuse("--no-data %s: inconclusive, pass or fail", arg);
		break;
	case OPT_PASSWORD_FILE:
		a->password_file = arg;
		break;
	case OPT_PROMETHEUS:
		a->conf.url = arg;
		break;
	case OPT_QUERY:
		latest(a, "--query")->c.query = arg;
		a->checks[a->nchecks - 1].nqueries++;
		break;
	case OPT_STEP:
		if ((a->g.step_ms = duration("--step", arg)) <= 0)
			misuse("--step %s: give a duration above 0", arg);
		a->step = 1;
		a->step_text = arg;
		break;
	case OPT_TEMPLATE:
		a->template = arg;
		break;
	case OPT_TIMEOUT:
		a->timeout_ms = duration("--timeout", arg);
		break;
	case OPT_TOKEN_FILE:
		a->token_file = arg;
		break;
	case OPT_USERNAME:
		a->conf.username = arg;
		break;
	case OPT_WINDOW:
		if ((a->g.window_ms = duration("--window", arg)) <= 0)
			misuse("--window %s: give a duration above 0", arg);
		a->window = 1;
		a->window_text = arg;
		break;
	default:
		usage(LC_EXIT_USAGE);
	}
}

/* Each check's own rules, in argv order. */
static void
validate_check(const struct check *k)
{
	const char *n = k->c.name;
	const int cmp = k->c.cond == LC_GATE_MAX_INCREASE ||
	    k->c.cond == LC_GATE_MAX_RATIO;

	if (k->nqueries == 0)
		misuse("--check %s: give --query PROMQL", n);
	if (k->nqueries > 1 || k->nbaselines > 1)
		misuse("--check %s: one --query and at most one "
		    "--baseline-query", n);
	if (k->nconds != 1)
		misuse("--check %s: give %sone condition: --max, --min, "
		    "--max-increase or --max-ratio", n, k->nconds ? "only " :
		    "");
	if (cmp && k->c.baseline_query == NULL)
		misuse("--check %s: %s compares with the baseline: give "
		    "--baseline-query", n, k->cond_opt);
	if (!cmp && k->c.baseline_query != NULL)
		misuse("--check %s: %s judges the canary alone: drop "
		    "--baseline-query", n, k->cond_opt);
}

/*
 * The rules between options, in the order they are checked (the order
 * decides which of two mistakes is named): the first broken one is the
 * usage error (exit 2).
 */
static void
validate(struct args *a)
{
	const int tmpl = a->template != NULL;
	const int sched = a->interval || a->count || a->delay || a->window ||
	    a->step || a->method || a->confidence || a->flimit || a->ilimit;
	const double points = a->window ? floor((double)a->g.window_ms /
	    (double)a->g.step_ms) + 1 : 0;
	const struct {
		int broken;
		const char *msg;
	} rules[] = {
	{ a->noperands > 0, "no operands: a check is --check NAME --query "
	    "PROMQL and a condition" },
	{ !tmpl && a->nchecks == 0, "give --check NAME --query PROMQL and a "
	    "condition, or --template FILE" },
	{ tmpl && a->nchecks > 0, "--template excludes --check: the "
	    "template's metrics are the checks" },
	{ tmpl && sched, "--template: its metrics have their own schedule "
	    "and limits (drop --interval, --count, --initial-delay, --window, "
	    "--step, --method, --confidence, --failure-limit and "
	    "--inconclusive-limit)" },
	{ !tmpl && a->ntargs > 0, "--arg goes with --template" },
	{ a->window && (a->interval || a->count || a->delay),
	    "--window excludes --interval, --count and --initial-delay" },
	{ a->interval && !a->count, "--interval needs --count N" },
	{ a->count && a->g.count > 1 && !a->interval,
	    "--count needs --interval D" },
	{ a->delay && !a->count, "--initial-delay goes with --interval and "
	    "--count" },
	{ a->step && !a->window, "--step goes with --window" },
	{ a->g.method == LC_GATE_MANNWHITNEY && !a->window,
	    "--method mannwhitney needs --window" },
	{ a->confidence && a->g.method != LC_GATE_MANNWHITNEY,
	    "--confidence goes with --method mannwhitney" },
	{ a->flimit && !a->window && a->g.count <= 1,
	    "--failure-limit needs --interval/--count or --window" },
	{ a->ilimit && !a->window && a->g.count <= 1,
	    "--inconclusive-limit needs --interval/--count or --window" },
	{ a->conf.username && !a->password_file,
	    "--username needs --password-file" },
	{ a->password_file && !a->conf.username,
	    "--password-file needs --username" },
	};
	size_t i;

	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if (rules[i].broken)
			misuse("%s", rules[i].msg);
	if (points > MAX_POINTS)
		misuse("--window %s --step %s: %.0f points a series, more than "
		    "%d: give a larger --step or a shorter --window",
		    a->window_text, a->step_text, points, MAX_POINTS);
	for (i = 0; i < a->nchecks; i++)
		validate_check(&a->checks[i]);
	if (!tmpl && a->conf.url == NULL)
		misuse("no Prometheus: give --prometheus URL or set "
		    "PROMETHEUS_URL");
}

static void
parse(struct args *a, int argc, char *argv[])
{
	const char *v;
	int ch;

	memset(a, 0, sizeof(*a));
	a->timeout_ms = 600000;
	a->g.confidence = 0.95;
	a->g.step_ms = 15000;
	a->step_text = "15s";
	while ((ch = getopt_long(argc, argv, "hH:o:qVv", longopts, NULL)) !=
	    -1)
		option(a, ch, optarg);
	a->operands = argv + optind;
	a->noperands = argc - optind;
	if (a->conf.url == NULL && (v = getenv("PROMETHEUS_URL")) != NULL &&
	    *v)
		a->conf.url = v;
	validate(a);
}

/* ---- output ------------------------------------------------------------ */

/*
 * stderr: a line for each failed or inconclusive row (not with -q), and
 * on GitHub an ::error annotation for each failed one.
 */
static void
explain(const struct lc_gate_result *r, const struct lc_gate_opts *g)
{
	const struct lc_gate_check_result *cr;
	struct lc_buf b = LC_BUF_INIT;
	size_t i, j;

	for (i = 0; i < r->nchecks; i++) {
		cr = &r->checks[i];
		if (cr->by_evaluations) {
			b.len = 0;
			lc_gate_report_check_line(&b, cr, g);
			if (cr->verdict == LC_GATE_FAIL)
				lc_ci_annotate(NULL, 0, 0, b.data);
			lc_log_note("%s", b.data);
		}
		for (j = 0; j < cr->nrows; j++) {
			if (cr->rows[j].verdict == LC_GATE_PASS)
				continue;
			b.len = 0;
			lc_gate_report_line(&b, cr, &cr->rows[j], g);
			/* dryRun: a warning, never an ::error annotation. */
			if (cr->check->metric && cr->check->metric->dry_run) {
				lc_log_warn("%s", b.data);
				continue;
			}
			if (cr->rows[j].verdict == LC_GATE_FAIL)
				lc_ci_annotate(NULL, 0, 0, b.data);
			lc_log_note("%s", b.data);
		}
	}
	lc_buf_release(&b);
}

/* A failed write reported on stderr now: 1 when rc is one, else 0. */
static int
failed(int rc)
{
	if (rc == 0)
		return 0;
	lc_cli_report_error();
	return 1;
}

/*
 * $GITHUB_OUTPUT, the --dotenv file and the step summary, each written
 * whatever became of the others (each failure said on stderr): the number
 * that failed.
 */
static int
ci_outputs(const struct lc_gate_result *r, jv checks)
{
	const char *verdict = lc_gate_verdict_name(r->verdict);
	struct lc_buf md = LC_BUF_INIT, env = LC_BUF_INIT;
	const char *p;
	size_t i, nfailed = 0;
	jv dump = jv_dump_string(checks, 0);
	int rc, nbad;

	/* One file: when the first line cannot go, the second cannot either. */
	rc = lc_ci_output("verdict", verdict);
	if (rc == 0)
		rc = lc_ci_output("checks", jv_string_value(dump));
	nbad = failed(rc);
	jv_free(dump);
	lc_buf_printf(&env, "METRIC_GATE_VERDICT=%s\nMETRIC_GATE_FAILED=",
	    verdict);
	for (i = 0; i < r->nchecks; i++)
		if (r->checks[i].verdict == LC_GATE_FAIL) {
			if (nfailed++)
				lc_buf_addc(&env, ',');
			/* A template's metric names are not checked: one line. */
			for (p = r->checks[i].check->name; *p; p++)
				lc_buf_addc(&env, strchr(",\r\n", *p) ? '_' : *p);
		}
	lc_buf_addc(&env, '\n');
	nbad += failed(lc_ci_dotenv(env.data));
	lc_buf_printf(&md, "### %s: %s\n\n", lc_log_progname, verdict);
	lc_gate_report_table(&md, r, 1);
	lc_gate_report_sparklines(&md, r);
	lc_buf_addc(&md, '\n');
	nbad += failed(lc_ci_summary(md.data));
	lc_buf_release(&md);
	lc_buf_release(&env);
	return nbad;
}

/*
 * The result: stdout, the CI's outputs, the explanations. Each output is
 * written even when another failed (said on stderr); then the verdict
 * decides: fail or inconclusive is LC_ENO (exit 1: a rollback must not
 * hang on a missing file), and only a pass with an output missing is an
 * error (exit 3: downstream could not trust it).
 */
static int
report(const struct lc_gate_result *r, const struct lc_gate_opts *g,
    int json)
{
	struct lc_buf out = LC_BUF_INIT;
	jv checks = lc_gate_report_json(r), o, dump;
	int nbad = 0;

	if (json) {
		lc_gate_time_text(&out, r->at);
		o = jv_object();
		o = jv_object_set(o, jv_string("verdict"),
		    jv_string(lc_gate_verdict_name(r->verdict)));
		o = jv_object_set(o, jv_string("at"), jv_string(out.data));
		o = jv_object_set(o, jv_string("checks"), jv_copy(checks));
		dump = jv_dump_string(o, 0);
		printf("%s\n", jv_string_value(dump));
		jv_free(dump);
	} else {
		lc_gate_report_table(&out, r, 0);
		fwrite(out.data, 1, out.len, stdout);
	}
	lc_buf_release(&out);
	/* EPIPE is the reader's choice (| head), as lc_cli_exit has it. */
	if ((fflush(stdout) != 0 || ferror(stdout)) && errno != EPIPE) {
		lc_log_error("cannot write standard output: %s",
		    strerror(errno));
		nbad++;
	}
	clearerr(stdout);	/* said; lc_cli_exit must not make it 3 */
	explain(r, g);
	nbad += ci_outputs(r, checks);
	lc_error_clear();	/* the lines above said why */
	if (r->verdict != LC_GATE_PASS)
		return LC_ENO;
	return nbad ? LC_ERROR : 0;
}

/* -v: a line for each evaluation. */
static void
progress(const struct lc_gate_event *ev, void *arg)
{
	struct lc_buf b = LC_BUF_INIT;

	(void)arg;
	if (!lc_log_enabled(LC_LOG_INFO))
		return;
	lc_gate_report_event(&b, ev);
	lc_log_info("%s", b.data);
	lc_buf_release(&b);
}

/* ---- the run ----------------------------------------------------------- */

/* The credentials: a token file or $PROMETHEUS_TOKEN, a password file. */
static int
credentials(struct args *a, char **token, char **password)
{
	const char *v;
	int rc;

	if (a->token_file) {
		if ((rc = lc_fileio_token(a->token_file, token)) != 0)
			return rc;
	} else if ((v = getenv("PROMETHEUS_TOKEN")) != NULL && *v)
		*token = lc_buf_xstrndup(v, strlen(v));
	if (*token) {
		lc_log_add_secret(*token);
		a->conf.token = *token;
	}
	if (a->password_file) {
		if ((rc = lc_fileio_token(a->password_file, password)) != 0)
			return rc;
		lc_log_add_secret(*password);
		a->conf.password = *password;
	}
	return 0;
}

/* The template's metrics as checks. */
static int
template_checks(struct args *a, struct lc_analysis *t,
    struct lc_gate_check **out)
{
	struct lc_gate_check *c;
	size_t i;
	int rc;

	*out = NULL;
	if ((rc = lc_analysis_load(t, a->template, a->targs, a->ntargs)) != 0)
		return rc;
	if (t->nmetrics == 0)
		return lc_error_set(LC_EDATA, "'%s': the template has no "
		    "metrics", a->template);
	c = lc_buf_xmalloc(t->nmetrics * sizeof(*c));
	memset(c, 0, t->nmetrics * sizeof(*c));
	for (i = 0; i < t->nmetrics; i++) {
		c[i].name = t->metrics[i].name;
		c[i].query = t->metrics[i].query;
		c[i].cond = LC_GATE_TEMPLATE;
		c[i].metric = &t->metrics[i];
	}
	a->g.checks = c;
	a->g.nchecks = t->nmetrics;
	*out = c;
	return 0;
}

/* The engine's checks: the template's metrics, or those of argv. */
static int
checks(struct args *a, struct lc_analysis *t, struct lc_gate_check **out)
{
	size_t i;

	if (a->template)
		return template_checks(a, t, out);
	*out = lc_buf_xmalloc((a->nchecks + 1) * sizeof(**out));
	for (i = 0; i < a->nchecks; i++)
		(*out)[i] = a->checks[i].c;
	a->g.checks = *out;
	a->g.nchecks = a->nchecks;
	return 0;
}

/* The wall clock, in Unix seconds (--at's scale). */
static double
wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * The schedule must end before --timeout: its last evaluation (--initial-
 * delay + (count - 1) * --interval from --at or now; a template's longest
 * metric's) at or past the deadline would wait it out only to time out
 * (124) with nothing judged. LC_EUSAGE, saying both, when it does not fit.
 */
static int
schedule_fits(const struct args *a)
{
	const struct lc_gate_opts *g = &a->g;
	const struct lc_analysis_metric *m = NULL;
	struct lc_buf b = LC_BUF_INIT;
	long long span = -1, s, left, delay, every;
	char text[32];
	long n = 1, k;
	size_t i, longest = 0;
	int rc;

	if (a->timeout_ms == 0 || g->window_ms > 0)
		return 0;
	for (i = 0; i < g->nchecks; i++) {
		m = g->checks[i].metric;
		k = m ? m->count : g->count;
		if (k < 1)
			k = 1;
		delay = m ? m->initial_delay_ms : g->initial_delay_ms;
		every = m ? m->interval_ms : g->interval_ms;
		/* Beyond any --timeout: no overflow, and refused all the same. */
		if (every > 0 && (k - 1) > (LLONG_MAX / 2 - delay) / every)
			s = LLONG_MAX / 2;
		else
			s = delay + (k - 1) * every;
		if (s > span) {
			span = s;
			n = k;
			longest = i;
		}
	}
	left = span;
	if (g->has_at)		/* what is past already costs no waiting */
		left = (long long)ceil(g->at + span / 1000.0 - wall_now()) *
		    1000;
	if (left < a->timeout_ms)
		return 0;
	m = g->checks[longest].metric;
	delay = m ? m->initial_delay_ms : g->initial_delay_ms;
	every = m ? m->interval_ms : g->interval_ms;
	if (m)
		lc_buf_printf(&b, "--template: metric %s's schedule (",
		    g->checks[longest].name);
	if (delay > 0) {
		lc_parse_duration_text(text, sizeof(text), delay);
		lc_buf_printf(&b, m ? "initialDelay %s, " : "--initial-delay "
		    "%s ", text);
	}
	if (n > 1) {
		lc_parse_duration_text(text, sizeof(text), every);
		lc_buf_printf(&b, m ? "interval %s, " : "--interval %s ",
		    text);
	}
	lc_buf_printf(&b, m ? "count %ld)" : "--count %ld", n);
	lc_parse_duration_text(text, sizeof(text), left);
	lc_buf_printf(&b, g->has_at ? " from --at ends %s from now" :
	    " takes %s", text);
	lc_parse_duration_text(text, sizeof(text), a->timeout_ms);
	lc_buf_printf(&b, ", not less than --timeout %s: raise --timeout or "
	    "shorten the schedule", text);
	rc = lc_error_set(LC_EUSAGE, "%s", b.data);
	lc_buf_release(&b);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct args a;
	struct lc_analysis t;
	struct lc_gate_result r;
	struct lc_gate_check *cs = NULL;
	char *token = NULL, *password = NULL;
	char text[32];
	int rc;

	lc_cli_init(argv[0]);
	parse(&a, argc, argv);
	memset(&t, 0, sizeof(t));
	memset(&r, 0, sizeof(r));
	a.conf.http.headers = a.headers;
	a.conf.http.nheaders = a.nheaders;
	a.g.deadline = a.timeout_ms ? lc_clock_ms() + a.timeout_ms : 0;
	if ((rc = checks(&a, &t, &cs)) == 0 && (rc = schedule_fits(&a)) == 0)
		rc = credentials(&a, &token, &password);
	if (rc == 0)
		rc = lc_gate_run(&r, &a.g, &a.conf, progress, NULL);
	if (rc == LC_ETIMEOUT) {
		lc_parse_duration_text(text, sizeof(text), a.timeout_ms);
		lc_error_set(rc, "timed out after %s (--timeout)", text);
	}
	else if (rc == 0)
		rc = report(&r, &a.g, a.json);
	lc_gate_result_release(&r);
	lc_analysis_release(&t);
	free(cs);
	free(a.checks);
	free(a.headers);
	free(a.targs);
	free(token);
	free(password);
	if (rc == LC_EUSAGE)
		misuse(NULL);
	return lc_cli_exit(rc);
}
