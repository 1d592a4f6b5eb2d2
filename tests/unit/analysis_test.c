/* analysis_test.c: AnalysisTemplates: conditions, verdicts, the loader. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis.h"
#include "buf.h"
#include "error.h"
#include "tap.h"

#define D "tests/data/analysis/"
#define NO (-1e300)		/* marks the end of a result's values */

/*
 * One condition against one result. The values (up to 4) end at the
 * first NO; scalar makes the single value a scalar result. An rc of
 * LC_EUSAGE is a refusal at parse, LC_ERROR one at evaluation; msg is
 * then the exact message.
 */
static const struct {
	const char *src;
	double v[5];
	int scalar, rc, truth;
	const char *msg;
} cases[] = {
	/* The documentation's examples, with the test bed's numbers. */
	{ "result[0] >= 0.95", { 0.986, NO }, 0, 0, 1, NULL },
	{ "result[0] >= 0.95", { 0.967, NO }, 0, 0, 1, NULL },
	{ "result[0] >= 0.95", { 0.94, NO }, 0, 0, 0, NULL },
	{ "result[0] <= 0.01", { 0.014, NO }, 0, 0, 0, NULL },
	{ "result[0] <= 0.01", { 0.010, NO }, 0, 0, 1, NULL },
	{ "result[0] > 1.2", { 1.35, NO }, 0, 0, 1, NULL },
	{ "result[0] > 1.2", { 1.10, NO }, 0, 0, 0, NULL },
	{ "len(result) == 0 || result[0] < 0.02", { 0.014, NO }, 0, 0, 1,
	    NULL },
	{ "len(result) == 0 || result[0] < 0.01", { 0.014, NO }, 0, 0, 0,
	    NULL },
	{ "len(result) == 0 || result[0] >= 0.95", { NO }, 0, 0, 1, NULL },
	{ "len(result) > 0 && result[0] >= 0.95", { NO }, 0, 0, 0, NULL },
	{ "isNaN(result) || result >= 0.95", { NAN, NO }, 1, 0, 1, NULL },
	{ "isNaN(result) || result >= 0.95", { 0.96, NO }, 1, 0, 1, NULL },
	{ "isNaN(result) || result >= 0.95", { 0.5, NO }, 1, 0, 0, NULL },
	{ "result >= 0.95", { NAN, NO }, 1, 0, 0, NULL },
	{ "result < 0.95", { NAN, NO }, 1, 0, 0, NULL },
	{ "result >= 0.95", { INFINITY, NO }, 1, 0, 1, NULL },
	{ "isInf(result)", { INFINITY, NO }, 1, 0, 1, NULL },
	{ "isInf(result)", { -INFINITY, NO }, 1, 0, 1, NULL },
	{ "isInf(result)", { 1e308, NO }, 1, 0, 0, NULL },
	{ "isNaN(result[0])", { NAN, NO }, 0, 0, 1, NULL },
	{ "default(result, 0) < 0.05", { 0.01, NO }, 1, 0, 1, NULL },
	/* Indexing. */
	{ "result[1] == 0.3", { 0.1, 0.3, NO }, 0, 0, 1, NULL },
	{ "result[-1] == 0.3", { 0.1, 0.3, NO }, 0, 0, 1, NULL },
	{ "result[-2] == 0.1", { 0.1, 0.3, NO }, 0, 0, 1, NULL },
	{ "result[len(result) - 1] == 0.3", { 0.1, 0.3, NO }, 0, 0, 1, NULL },
	{ "result[0] >= 0.95", { NO }, 0, LC_ERROR, 0,
	    "result[0]: the query returned no value" },
	{ "result[ 0 ] >= 0.95", { NO }, 0, LC_ERROR, 0,
	    "result[ 0 ]: the query returned no value" },
	{ "result[1] > 0", { 0.5, NO }, 0, LC_ERROR, 0,
	    "result[1]: index 1 is out of range: the query returned 1 value" },
	{ "result[-3] > 0", { 0.5, 1, NO }, 0, LC_ERROR, 0,
	    "result[-3]: index -3 is out of range: the query returned 2 "
	    "values" },
	{ "default(result[0], 0) >= 0", { NO }, 0, LC_ERROR, 0,
	    "result[0]: the query returned no value" },
	/* Precedence and associativity, as expr's operator table. */
	{ "1 + 2 * 3 == 7", { NO }, 0, 0, 1, NULL },
	{ "(1 + 2) * 3 == 9", { NO }, 0, 0, 1, NULL },
	{ "10 - 4 - 3 == 3", { NO }, 0, 0, 1, NULL },
	{ "12 / 3 / 2 == 2", { NO }, 0, 0, 1, NULL },
	{ "-2 * 3 == -6", { NO }, 0, 0, 1, NULL },
	{ "- 2 - -3 == 1", { NO }, 0, 0, 1, NULL },
	{ "+result[0] == 0.5", { 0.5, NO }, 0, 0, 1, NULL },
	{ "-result[0] < 0", { 0.5, NO }, 0, 0, 1, NULL },
	{ "!false && false", { NO }, 0, 0, 0, NULL },
	{ "!(false && false)", { NO }, 0, 0, 1, NULL },
	{ "!true == false", { NO }, 0, 0, 1, NULL },
	{ "1 < 2 == true", { NO }, 0, 0, 1, NULL },
	{ "true || false && false", { NO }, 0, 0, 1, NULL },
	{ "(true || false) && false", { NO }, 0, 0, 0, NULL },
	{ "false and true or true", { NO }, 0, 0, 1, NULL },
	{ "not (result[0] > 1) and len(result) == 1 or false", { 0.5, NO },
	    0, 0, 1, NULL },
	{ "not 1 > 2", { NO }, 0, LC_ERROR, 0,
	    "`not` at column 1 needs a boolean, not a number" },
	{ "!result[0] > 1", { 0.5, NO }, 0, LC_ERROR, 0,
	    "`!` at column 1 needs a boolean, not a number" },
	/* Arithmetic. */
	{ "10 % 3 == 1", { NO }, 0, 0, 1, NULL },
	{ "-7 % 3 == -1", { NO }, 0, 0, 1, NULL },
	{ "len(result) % 2 == 0", { 1, 2, NO }, 0, 0, 1, NULL },
	{ "7 / 2 == 3.5", { NO }, 0, 0, 1, NULL },
	{ "1 / 0 > 1e308", { NO }, 0, 0, 1, NULL },
	{ "0.1 + 0.2 > 0.3", { NO }, 0, 0, 1, NULL },
	{ "(result[0] - result[1]) / result[1] <= 0.2", { 0.22, 0.2, NO }, 0,
	    0, 1, NULL },
	{ "(result[0] - result[1]) / result[1] <= 0.2", { 0.27, 0.2, NO }, 0,
	    0, 0, NULL },
	{ "1_000 == 1000 && 0x10 == 16 && 1e3 == 1000 && .5 == 0.5", { NO },
	    0, 0, 1, NULL },
	{ "2.5e-1 == 0.25 && 1E+2 == 100", { NO }, 0, 0, 1, NULL },
	{ "1 % 0 == 0", { NO }, 0, LC_ERROR, 0,
	    "`%` at column 3: integer divide by zero" },
	{ "result[0] % 2 == 1", { 1, NO }, 0, LC_ERROR, 0,
	    "`%` at column 11 needs integers, not fractions (result's values "
	    "and quotients are fractions)" },
	/* Comparisons and NaN. */
	{ "result[0] != result[0]", { NAN, NO }, 0, 0, 1, NULL },
	{ "result[0] == result[0]", { NAN, NO }, 0, 0, 0, NULL },
	{ "result[0] <= 1 || result[0] > 1", { NAN, NO }, 0, 0, 0, NULL },
	{ "result == result", { 1, 2, NO }, 0, 0, 1, NULL },
	{ "true != false", { NO }, 0, 0, 1, NULL },
	{ "1 == 1.0", { NO }, 0, 0, 1, NULL },
	{ "result[0]\n\t>= 0.95", { 0.96, NO }, 0, 0, 1, NULL },
	/* Type errors, found before anything runs (as expr's checker). */
	{ "isNaN(result)", { 1, NO }, 0, LC_ERROR, 0,
	    "`isNaN()` at column 1 needs a number, not an array (result is "
	    "an array: write result[0] for its first value)" },
	{ "result >= 0.95", { 1, NO }, 0, LC_ERROR, 0,
	    "`>=` at column 8 compares an array with a number (result is an "
	    "array: write result[0] for its first value)" },
	{ "true || result > 1", { 1, NO }, 0, LC_ERROR, 0,
	    "`>` at column 16 compares an array with a number (result is an "
	    "array: write result[0] for its first value)" },
	{ "default(result, 0) < 0.05", { 0.01, NO }, 0, LC_ERROR, 0,
	    "`<` at column 20 compares an array with a number (result is an "
	    "array: write result[0] for its first value)" },
	{ "result[1 / 1] > 0", { 1, 2, NO }, 0, LC_ERROR, 0,
	    "`[` at column 7 needs an integer index, not a fraction" },
	{ "result[true] > 0", { 1, NO }, 0, LC_ERROR, 0,
	    "`[` at column 7 needs an integer index, not a boolean" },
	{ "1[0] > 0", { NO }, 0, LC_ERROR, 0,
	    "`[` at column 2 indexes a number" },
	{ "result[0] > 0", { 1, NO }, 1, LC_ERROR, 0,
	    "`[` at column 7 indexes a number" },
	{ "true + 1 > 0", { NO }, 0, LC_ERROR, 0,
	    "`+` at column 6 needs numbers, not a boolean and a number" },
	{ "true == 1", { NO }, 0, LC_ERROR, 0,
	    "`==` at column 6 compares a boolean with a number" },
	{ "1 && true", { NO }, 0, LC_ERROR, 0,
	    "`&&` at column 3 needs booleans, not a number and a boolean" },
	{ "-result[0] > 0 or -result", { 1, NO }, 0, LC_ERROR, 0,
	    "`-` at column 19 needs a number, not an array (result is an "
	    "array: write result[0] for its first value)" },
	{ "len(1) > 0", { NO }, 0, LC_ERROR, 0,
	    "`len()` at column 1 needs an array, not a number" },
	{ "isInf(true)", { NO }, 0, LC_ERROR, 0,
	    "`isInf()` at column 1 needs a number, not a boolean" },
	{ "1", { NO }, 0, LC_ERROR, 0,
	    "the condition gives a number, not true or false" },
	{ "result", { 1, NO }, 0, LC_ERROR, 0,
	    "the condition gives an array, not true or false" },
	{ "result[0]", { 1, NO }, 0, LC_ERROR, 0,
	    "the condition gives a number, not true or false" },
	{ "result > 0", { NO }, 1, LC_ERROR, 0,
	    "a scalar result has 0 values, not one" },
	{ "result > 0", { 1, 2, NO }, 1, LC_ERROR, 0,
	    "a scalar result has 2 values, not one" },
	/* Refused at parse, by name and column. */
	{ "all(result, # < 1000)", { NO }, 0, LC_EUSAGE, 0,
	    "expression: `all` at column 1 is not supported" },
	{ "result == 'true'", { NO }, 0, LC_EUSAGE, 0,
	    "expression: `'true'` at column 11 is not supported" },
	{ "result == \"a\\\"b\" || true", { NO }, 0, LC_EUSAGE, 0,
	    "expression: `\"a\\\"b\"` at column 11 is not supported" },
	{ "2 in result", { NO }, 0, LC_EUSAGE, 0,
	    "expression: `in` at column 3 is not supported" },
	{ "2 not in result", { NO }, 0, LC_EUSAGE, 0,
	    "expression: `not` at column 3 is not supported" },
	{ "result.x > 1", { NO }, 0, LC_EUSAGE, 0,
	    "expression: `.` at column 7 is not supported" },
	{ "result?.x > 1", { NO }, 0, LC_EUSAGE, 0,
	    "expression: `?.` at column 7 is not supported" },
	{ "result[0] > 1 ? true : false", { NO }, 0, LC_EUSAGE, 0,
	    "expression: `?` at column 15 is not supported" },
	{ "result[0] ?? 1", { NO }, 0, LC_EUSAGE, 0,
	    "expression: `??` at column 11 is not supported" },
	{ "result[0] ** 2 > 1", { NO }, 0, LC_EUSAGE, 0,
	    "expression: `**` at column 11 is not supported" },
	{ "result[0] ^ 2 > 1", { NO }, 0, LC_EUSAGE, 0,
	    "expression: `^` at column 11 is not supported" },
	{ "1..3", { NO }, 0, LC_EUSAGE, 0,
	    "expression: `..` at column 2 is not supported" },
	{ "map(result, # * 2)", { NO }, 0, LC_EUSAGE, 0,
	    "expression: `map` at column 1 is not supported" },
	{ "nil == result", { NO }, 0, LC_EUSAGE, 0,
	    "expression: `nil` at column 1 is not supported" },
	{ "result[0:1]", { NO }, 0, LC_EUSAGE, 0,
	    "expression: `:` at column 9 is not supported" },
	{ "asInt(result) == 1", { NO }, 0, LC_EUSAGE, 0,
	    "expression: `asInt` at column 1 is not supported" },
	{ "result matches 'x'", { NO }, 0, LC_EUSAGE, 0,
	    "expression: `matches` at column 8 is not supported" },
	{ "{a: 1}", { NO }, 0, LC_EUSAGE, 0,
	    "expression: `{` at column 1 is not supported" },
	{ "[1, 2]", { NO }, 0, LC_EUSAGE, 0,
	    "expression: `[` at column 1 (an array) is not supported" },
	{ "result[0] >= 0.95 & true", { NO }, 0, LC_EUSAGE, 0,
	    "expression: `&` at column 19 is not supported" },
	{ "result[0] = 1", { NO }, 0, LC_EUSAGE, 0,
	    "expression: `=` at column 11 is not supported" },
	{ "let x = 1; x", { NO }, 0, LC_EUSAGE, 0,
	    "expression: `let` at column 1 is not supported" },
	{ "1 +\n \"x\"", { NO }, 0, LC_EUSAGE, 0,
	    "expression: `\"x\"` at column 6 is not supported" },
	{ "\xe2\x80\x9cresult\xe2\x80\x9d", { NO }, 0, LC_EUSAGE, 0,
	    "expression: `\xe2\x80\x9c` at column 1 is not supported" },
	{ "foo(1)", { NO }, 0, LC_EUSAGE, 0,
	    "expression: `foo` at column 1 is not supported" },
	{ "99999999999999999999 > 1", { NO }, 0, LC_EUSAGE, 0,
	    "expression: `99999999999999999999` at column 1 is not a number "
	    "expr reads" },
	{ "0x > 1", { NO }, 0, LC_EUSAGE, 0,
	    "expression: `0x` at column 1 is not a number expr reads" },
	{ "", { NO }, 0, LC_EUSAGE, 0, "expression: it is empty" },
	{ " \n\t", { NO }, 0, LC_EUSAGE, 0, "expression: it is empty" },
	{ "(1 < 2", { NO }, 0, LC_EUSAGE, 0,
	    "expression: the ( at column 1 is not closed" },
	{ "1 <", { NO }, 0, LC_EUSAGE, 0,
	    "expression: it ends too soon at column 4" },
	{ "1 2", { NO }, 0, LC_EUSAGE, 0,
	    "expression: `2` at column 3 is unexpected here" },
	{ ") > 1", { NO }, 0, LC_EUSAGE, 0,
	    "expression: `)` at column 1 is unexpected here" },
	{ "result[0", { NO }, 0, LC_EUSAGE, 0,
	    "expression: it ends too soon at column 9" },
	{ "len", { NO }, 0, LC_EUSAGE, 0,
	    "expression: `len` at column 1 is a function: call it with (...)" },
	{ "len(result, 1)", { NO }, 0, LC_EUSAGE, 0,
	    "expression: len() at column 1 takes 1 argument" },
	{ "len()", { NO }, 0, LC_EUSAGE, 0,
	    "expression: len() at column 1 takes 1 argument, not 0" },
	{ "default(result)", { NO }, 0, LC_EUSAGE, 0,
	    "expression: default() at column 1 takes 2 arguments, not 1" },
	{ "isNaN(1,)", { NO }, 0, LC_EUSAGE, 0,
	    "expression: isNaN() at column 1 takes 1 argument" },
};

/* A test's name on one line. */
static void
name(char *out, size_t size, const char *s)
{
	size_t i;

	for (i = 0; i + 1 < size && s[i]; i++)
		out[i] = s[i] == '\n' || s[i] == '\t' ? ' ' : s[i];
	out[i] = '\0';
}

static void
test_cases(void)
{
	struct lc_analysis_expr *e;
	char src[128];
	size_t i, n;
	int rc, t = -1;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (n = 0; n < 4 && cases[i].v[n] != NO; n++)
			;
		lc_error_clear();
		rc = lc_analysis_expr_parse(&e, cases[i].src);
		if (rc == 0) {
			rc = lc_analysis_expr_eval(e, cases[i].v, n,
			    cases[i].scalar, &t);
			lc_analysis_expr_free(e);
		}
		name(src, sizeof(src), cases[i].src);
		if (cases[i].rc == 0) {
			ok(rc == 0 && t == cases[i].truth, "%s [%zu value%s] "
			    "is %s", src, n, n == 1 ? "" : "s",
			    cases[i].truth ? "true" : "false");
			if (rc != 0)
				printf("#   %s\n", lc_error_msg());
		} else {
			ok(rc == cases[i].rc, "%s: refused with %d", src,
			    cases[i].rc);
			is_str(lc_error_msg(), cases[i].msg, "%s: the message",
			    src);
		}
	}
}

/* Argo's EvaluateResult: every combination of the two conditions. */
static const struct {
	const char *success, *failure;
	double v[5];
	int scalar;
	enum lc_analysis_phase want;
	const char *msg;
} verdicts[] = {
	{ "true", "false", { NO }, 0, LC_ANALYSIS_SUCCESSFUL, NULL },
	{ "true", "true", { NO }, 0, LC_ANALYSIS_FAILED, NULL },
	{ "false", "true", { NO }, 0, LC_ANALYSIS_FAILED, NULL },
	{ "false", "false", { NO }, 0, LC_ANALYSIS_INCONCLUSIVE, NULL },
	{ "true", NULL, { NO }, 0, LC_ANALYSIS_SUCCESSFUL, NULL },
	{ "false", NULL, { NO }, 0, LC_ANALYSIS_FAILED, NULL },
	{ NULL, "true", { NO }, 0, LC_ANALYSIS_FAILED, NULL },
	{ NULL, "false", { NO }, 0, LC_ANALYSIS_SUCCESSFUL, NULL },
	{ NULL, NULL, { NO }, 0, LC_ANALYSIS_SUCCESSFUL, NULL },
	{ NULL, NULL, { NAN, NO }, 1, LC_ANALYSIS_SUCCESSFUL, NULL },
	/* The documentation's NaN and Inf examples (a scalar result). */
	{ "isNaN(result) || result >= 0.95", NULL, { NAN, NO }, 1,
	    LC_ANALYSIS_SUCCESSFUL, NULL },
	{ "result >= 0.95", "result < 0.95", { NAN, NO }, 1,
	    LC_ANALYSIS_INCONCLUSIVE, NULL },
	{ "result >= 0.95", NULL, { NAN, NO }, 1, LC_ANALYSIS_FAILED, NULL },
	{ "result >= 0.95", NULL, { INFINITY, NO }, 1, LC_ANALYSIS_SUCCESSFUL,
	    NULL },
	{ NULL, "isInf(result)", { INFINITY, NO }, 1, LC_ANALYSIS_FAILED,
	    NULL },
	/* Empty vectors. */
	{ "len(result) == 0 || result[0] >= 0.95", NULL, { NO }, 0,
	    LC_ANALYSIS_SUCCESSFUL, NULL },
	{ "len(result) > 0 && result[0] >= 0.95", NULL, { NO }, 0,
	    LC_ANALYSIS_FAILED, NULL },
	{ "result[0] >= 0.95", NULL, { NO }, 0, LC_ANALYSIS_ERROR,
	    "metric m: successCondition: result[0]: the query returned no "
	    "value" },
	/* An error in either condition is an error, whatever the other. */
	{ "true", "result[0] > 1", { NO }, 0, LC_ANALYSIS_ERROR,
	    "metric m: failureCondition: result[0]: the query returned no "
	    "value" },
	{ "result > 1", "true", { 1, NO }, 0, LC_ANALYSIS_ERROR,
	    "metric m: successCondition: `>` at column 8 compares an array "
	    "with a number (result is an array: write result[0] for its "
	    "first value)" },
	/* The test bed's error rates against a 0.01 limit. */
	{ "result[0] <= 0.01", "result[0] > 0.01", { 0.004, NO }, 0,
	    LC_ANALYSIS_SUCCESSFUL, NULL },
	{ "result[0] <= 0.01", "result[0] > 0.01", { 0.023, NO }, 0,
	    LC_ANALYSIS_FAILED, NULL },
	{ "result[0] <= 0.01", "result[0] > 0.01", { NAN, NO }, 0,
	    LC_ANALYSIS_INCONCLUSIVE, NULL },
};

static void
test_verdicts(void)
{
	struct lc_analysis_metric m;
	enum lc_analysis_phase got;
	size_t i, n;

	for (i = 0; i < sizeof(verdicts) / sizeof(verdicts[0]); i++) {
		memset(&m, 0, sizeof(m));
		m.name = "m";
		if (verdicts[i].success != NULL)
			(void)lc_analysis_expr_parse(&m.success_expr,
			    verdicts[i].success);
		if (verdicts[i].failure != NULL)
			(void)lc_analysis_expr_parse(&m.failure_expr,
			    verdicts[i].failure);
		for (n = 0; n < 4 && verdicts[i].v[n] != NO; n++)
			;
		lc_error_clear();
		got = lc_analysis_judge(&m, verdicts[i].v, n,
		    verdicts[i].scalar);
		ok(got == verdicts[i].want, "success %s, failure %s, %zu "
		    "value%s: phase %d", verdicts[i].success ?
		    verdicts[i].success : "-", verdicts[i].failure ?
		    verdicts[i].failure : "-", n, n == 1 ? "" : "s",
		    (int)verdicts[i].want);
		if (verdicts[i].msg != NULL)
			is_str(lc_error_msg(), verdicts[i].msg, "  its message");
		lc_analysis_expr_free(m.success_expr);
		lc_analysis_expr_free(m.failure_expr);
	}
}

static char dir[] = "/tmp/analysis_test.XXXXXX";

/* Write text to a file of the temporary directory; its path. */
static const char *
file(const char *base, const char *text)
{
	static char path[4][256];
	static int k;
	char *p = path[k++ % 4];
	FILE *fp;

	snprintf(p, sizeof(path[0]), "%s/%s", dir, base);
	if ((fp = fopen(p, "w")) == NULL)
		return p;
	fputs(text, fp);
	fclose(fp);
	return p;
}

/* Load path with up to 4 args; the code, with the message checked. */
static int
load(struct lc_analysis *a, const char *path, const char *want,
    const char *arg0, const char *arg1, const char *arg2, const char *arg3)
{
	const char *args[4] = { arg0, arg1, arg2, arg3 };
	size_t n = 0;
	int rc;

	while (n < 4 && args[n] != NULL)
		n++;
	lc_error_clear();
	rc = lc_analysis_load(a, path, args, n);
	if (want != NULL)
		is_str(lc_error_msg(), want, "%s: the message", path);
	else if (rc != 0)
		printf("#   %s\n", lc_error_msg());
	return rc;
}

static const double good[] = { 0.004 }, errors[] = { 0.023 };
static const double fast[] = { 1.10 }, slow[] = { 1.35 };

static void
test_load_docs(void)
{
	struct lc_analysis a;
	struct lc_analysis_metric *m;
	double nan = NAN, inf = INFINITY, half = 0.5, ninety = 0.9;

	/* docs/analysis/prometheus.md, as written: a background analysis. */
	ok(load(&a, D "success-rate.yaml", "tests/data/analysis/"
	    "success-rate.yaml:9:5: metric success-rate runs forever: give it "
	    "a count", "service-name=checkout", NULL, NULL, NULL) ==
	    LC_EUSAGE, "an interval without a count is refused");
	ok(a.nmetrics == 0 && a.metrics == NULL && a.kind == NULL,
	    "  and out is left empty");

	ok(load(&a, D "success-rate-count.yaml", NULL, "service-name=checkout",
	    NULL, NULL, NULL) == 0, "success-rate-count.yaml loads");
	is_str(a.kind, "AnalysisTemplate", "  kind");
	is_str(a.name, "success-rate", "  metadata.name");
	ok(a.nmetrics == 1, "  one metric");
	m = &a.metrics[0];
	is_str(m->name, "success-rate", "  its name");
	ok(m->line == 11 && m->col == 5, "  it starts at 11:5");
	is_str(m->query, "sum(irate(\n  istio_requests_total{reporter="
	    "\"source\",destination_service=~\"checkout\",response_code!~"
	    "\"5.*\"}[5m]\n)) /\nsum(irate(\n  istio_requests_total{reporter="
	    "\"source\",destination_service=~\"checkout\"}[5m]\n))\n",
	    "  {{ args.service-name }} is filled in the query");
	is_str(m->address, "http://prometheus.example.com:9090", "  address");
	is_str(m->success, "result[0] >= 0.95", "  successCondition");
	ok(m->success_expr != NULL && m->failure == NULL &&
	    m->failure_expr == NULL, "  no failureCondition");
	ok(m->interval_ms == 60000 && m->initial_delay_ms == 90000,
	    "  interval 60s, initialDelay 1m30s");
	ok(m->count == 5 && m->failure_limit == 3 &&
	    m->inconclusive_limit == 1 && m->consecutive_error_limit == 2,
	    "  count 5, failureLimit \"{{args.limit}}\" 3, inconclusiveLimit "
	    "\"1\", consecutiveErrorLimit 2");
	ok(m->insecure == 1 && m->timeout_ms == 0 && m->nheaders == 0 &&
	    m->dry_run == 0, "  insecure, no timeout, no headers");
	ok(lc_analysis_judge(m, (const double[]){ 0.986 }, 1, 0) ==
	    LC_ANALYSIS_SUCCESSFUL, "  0.986 is successful");
	ok(lc_analysis_judge(m, (const double[]){ 0.94 }, 1, 0) ==
	    LC_ANALYSIS_FAILED, "  0.94 failed");
	ok(lc_analysis_judge(m, NULL, 0, 0) == LC_ANALYSIS_ERROR,
	    "  no value is an error");
	is_str(lc_error_msg(), "metric success-rate: successCondition: "
	    "result[0]: the query returned no value", "  its message");
	lc_analysis_release(&a);
	lc_analysis_release(&a);
	ok(a.metrics == NULL, "release twice is harmless");

	ok(load(&a, D "success-rate-count.yaml", NULL, "limit=5",
	    "service-name=x", NULL, NULL) == 0 && a.metrics[0].failure_limit ==
	    5, "--arg limit=5 wins over the template's value");
	lc_analysis_release(&a);
	ok(load(&a, D "success-rate-count.yaml", "tests/data/analysis/"
	    "success-rate-count.yaml:11:5: metric success-rate: count must be "
	    ">= failureLimit", "limit=6", "service-name=x", NULL, NULL) ==
	    LC_EUSAGE, "a failureLimit above the count is refused");
	ok(load(&a, D "success-rate-count.yaml", "tests/data/analysis/"
	    "success-rate-count.yaml:16:19: metric success-rate: failureLimit "
	    "'three' is not a whole number from 0 to 2147483647", "limit=three",
	    "service-name=x", NULL, NULL) == LC_EUSAGE,
	    "a limit that is not a number is refused where it is");
	ok(load(&a, D "success-rate-count.yaml", "tests/data/analysis/"
	    "success-rate-count.yaml:7:5: arg service-name has no value: pass "
	    "--arg service-name=VALUE", NULL, NULL, NULL, NULL) == LC_EUSAGE,
	    "an arg without a value is refused");
	ok(load(&a, D "success-rate-count.yaml", "--arg nope: tests/data/"
	    "analysis/success-rate-count.yaml declares no such arg",
	    "service-name=x", "nope=1", NULL, NULL) == LC_EUSAGE,
	    "an --arg the template does not declare is refused");
	ok(load(&a, D "success-rate-count.yaml", "--arg 'service-name': give "
	    "NAME=VALUE", "service-name", NULL, NULL, NULL) == LC_EUSAGE,
	    "an --arg without = is refused");
	ok(load(&a, D "success-rate-count.yaml", "--arg service-name is given "
	    "twice", "service-name=a", "service-name=b", NULL, NULL) ==
	    LC_EUSAGE, "an --arg given twice is refused");
	ok(load(&a, D "success-rate-count.yaml", NULL, "service-name=",
	    NULL, NULL, NULL) == 0 && strstr(a.metrics[0].query,
	    "destination_service=~\"\"") != NULL,
	    "an empty value is a value");
	lc_analysis_release(&a);

	ok(load(&a, D "analysis-step.yaml", NULL, "service-name=guestbook",
	    NULL, NULL, NULL) == 0 && a.nmetrics == 1 &&
	    a.metrics[0].count == 0 && a.metrics[0].interval_ms == 0,
	    "analysis-step.yaml: one measurement");
	ok(lc_analysis_judge(&a.metrics[0], &ninety, 1, 1) ==
	    LC_ANALYSIS_FAILED, "  result >= 0.95 on a scalar 0.9 fails");
	ok(lc_analysis_judge(&a.metrics[0], &ninety, 1, 0) ==
	    LC_ANALYSIS_ERROR, "  and on a vector is an error");
	is_str(lc_error_msg(), "metric success-rate: successCondition: `>=` "
	    "at column 8 compares an array with a number (result is an array: "
	    "write result[0] for its first value)", "  which says why");
	lc_analysis_release(&a);

	ok(load(&a, D "multiple-templates.yaml", NULL, "service-name=svc",
	    NULL, NULL, NULL) == 0, "multiple-templates.yaml: the first "
	    "template after a Rollout");
	is_str(a.kind, "ClusterAnalysisTemplate", "  kind");
	is_str(a.name, "error-rate", "  name");
	ok(a.nmetrics == 1 && a.metrics[0].count == 3 &&
	    a.metrics[0].interval_ms == 300000 &&
	    a.metrics[0].failure_limit == 1, "  count 3 every 5m, "
	    "failureLimit 1");
	is_str(a.metrics[0].failure, "len(result) > 0 && result[0] > 0.01",
	    "  failureCondition");
	ok(lc_analysis_judge(&a.metrics[0], (const double[]){ 0.014 }, 1, 0) ==
	    LC_ANALYSIS_FAILED, "  0.014 fails");
	ok(lc_analysis_judge(&a.metrics[0], (const double[]){ 0.010 }, 1, 0) ==
	    LC_ANALYSIS_SUCCESSFUL, "  0.010 passes");
	ok(lc_analysis_judge(&a.metrics[0], NULL, 0, 0) ==
	    LC_ANALYSIS_INCONCLUSIVE, "  no value is inconclusive");
	lc_analysis_release(&a);

	ok(load(&a, D "nan-and-empty.yaml", NULL, NULL, NULL, NULL, NULL) == 0 &&
	    a.nmetrics == 5, "nan-and-empty.yaml: five metrics");
	if (a.nmetrics == 5) {
		is_str(a.metrics[0].address, "http://prometheus.example.com:"
		    "9090", "  the address is filled from an arg's value");
		ok(lc_analysis_judge(&a.metrics[0], &nan, 1, 1) ==
		    LC_ANALYSIS_SUCCESSFUL, "  NaN is successful");
		ok(lc_analysis_judge(&a.metrics[1], &nan, 1, 1) ==
		    LC_ANALYSIS_INCONCLUSIVE, "  NaN is inconclusive");
		ok(lc_analysis_judge(&a.metrics[2], &inf, 1, 1) ==
		    LC_ANALYSIS_FAILED, "  +Inf fails");
		ok(lc_analysis_judge(&a.metrics[2], &half, 1, 1) ==
		    LC_ANALYSIS_SUCCESSFUL, "  0.5 is not infinite");
		ok(lc_analysis_judge(&a.metrics[3], NULL, 0, 0) ==
		    LC_ANALYSIS_SUCCESSFUL, "  [] is successful");
		ok(lc_analysis_judge(&a.metrics[3], &ninety, 1, 0) ==
		    LC_ANALYSIS_FAILED, "  [0.9] is not");
		ok(lc_analysis_judge(&a.metrics[4], NULL, 0, 0) ==
		    LC_ANALYSIS_FAILED, "  [] fails");
	}
	lc_analysis_release(&a);

	ok(load(&a, D "canary-rule.yaml", NULL, NULL, NULL, NULL, NULL) == 0 &&
	    a.nmetrics == 2 && a.metrics[0].address == NULL,
	    "canary-rule.yaml: two metrics, no address");
	if (a.nmetrics == 2) {
		is_str(a.metrics[0].name, "error-rate-increase", "  names");
		is_str(a.metrics[1].name, "latency-ratio", "  names");
		is_str(a.metrics[0].query, "sum(rate(http_requests_total{track="
		    "\"canary\",code=\"500\"}[5m]))\n  / sum(rate("
		    "http_requests_total{track=\"canary\"}[5m]))\n- sum(rate("
		    "http_requests_total{track=\"baseline\",code=\"500\"}[5m]))"
		    "\n  / sum(rate(http_requests_total{track=\"baseline\"}"
		    "[5m]))\n", "  the args' own values are filled in");
		is_str(a.metrics[1].success, "len(result) == 1 and not "
		    "isNaN(result[0]) and result[0] <= 1.2", "  successCondition");
		ok(a.metrics[1].count == 0 && a.metrics[1].interval_ms == 0 &&
		    a.metrics[1].failure_limit == 0 &&
		    a.metrics[1].consecutive_error_limit == 4,
		    "  one measurement, Argo's default limits");
		ok(lc_analysis_judge(&a.metrics[0], good, 1, 0) ==
		    LC_ANALYSIS_SUCCESSFUL, "  +0.004 errors pass");
		ok(lc_analysis_judge(&a.metrics[0], errors, 1, 0) ==
		    LC_ANALYSIS_FAILED, "  +0.023 errors fail");
		ok(lc_analysis_judge(&a.metrics[1], fast, 1, 0) ==
		    LC_ANALYSIS_SUCCESSFUL, "  p95 x1.10 passes");
		ok(lc_analysis_judge(&a.metrics[1], slow, 1, 0) ==
		    LC_ANALYSIS_FAILED, "  p95 x1.35 fails");
		ok(lc_analysis_judge(&a.metrics[1], &nan, 1, 0) ==
		    LC_ANALYSIS_INCONCLUSIVE, "  p95 NaN is inconclusive");
		ok(lc_analysis_judge(&a.metrics[0], NULL, 0, 0) ==
		    LC_ANALYSIS_INCONCLUSIVE, "  a missing series is "
		    "inconclusive");
	}
	lc_analysis_release(&a);

	ok(load(&a, D "args-example.yaml", "tests/data/analysis/"
	    "args-example.yaml:17:7: arg api-token: valueFrom.secretKeyRef is "
	    "not supported: pass --arg api-token=VALUE", "service-name=a",
	    "stable-hash=b", "latest-hash=c", NULL) == LC_EUSAGE,
	    "valueFrom.secretKeyRef is refused");
	ok(load(&a, D "args-example.yaml", "tests/data/analysis/"
	    "args-example.yaml:24:7: metric webmetric: provider web is not "
	    "supported: metric-gate runs Prometheus metrics only",
	    "service-name=a", "stable-hash=b", "latest-hash=c", "api-token=t") ==
	    LC_EUSAGE, "with --arg api-token, the web provider is refused");
	ok(load(&a, D "amp-sigv4.yaml", "tests/data/analysis/amp-sigv4.yaml:"
	    "25:11: metric success-rate: authentication.sigv4 is not supported: "
	    "sign the requests with a proxy (such as aws-sigv4-proxy) and give "
	    "its URL to --prometheus", "service-name=a", NULL, NULL, NULL) ==
	    LC_EUSAGE, "authentication.sigv4 is refused");
	ok(load(&a, D "range-query.yaml", "tests/data/analysis/"
	    "range-query.yaml:17:9: metric success-rate: rangeQuery is not "
	    "supported: use metric-gate --window for range queries",
	    "service-name=a", NULL, NULL, NULL) == LC_EUSAGE,
	    "rangeQuery is refused");
	ok(load(&a, D "nope.yaml", NULL, NULL, NULL, NULL, NULL) ==
	    LC_ENOTFOUND, "a missing file is LC_ENOTFOUND");
}

#define HEAD "apiVersion: argoproj.io/v1alpha1\nkind: AnalysisTemplate\n" \
    "metadata:\n  name: t\nspec:\n"
#define M "  metrics:\n  - name: m\n"
#define PROM "    provider:\n      prometheus:\n        query: up\n"

/* Templates refused, each with its exact message (F: the file's path). */
static const struct {
	const char *text, *arg;
	int rc;
	const char *msg;
} refusals[] = {
	{ "", NULL, LC_EUSAGE,
	    "F: no AnalysisTemplate or ClusterAnalysisTemplate in it" },
	{ "apiVersion: v1\nkind: ConfigMap\n---\nkind: Rollout\n", NULL,
	    LC_EUSAGE, "F: no AnalysisTemplate or ClusterAnalysisTemplate in it" },
	{ "kind: AnalysisTemplate\nspec: [\n", NULL, LC_EDATA,
	    "F:3:1: while parsing a flow node: did not find expected node "
	    "content" },
	{ "kind: AnalysisTemplate\n\tspec: 1\n", NULL, LC_EDATA,
	    "F:2:1: while scanning a plain scalar: found a tab character that "
	    "violates indentation" },
	{ "kind: AnalysisTemplate\n", NULL, LC_EUSAGE,
	    "F:1:1: AnalysisTemplate has no spec" },
	{ HEAD "  metrics: []\n", NULL, LC_EUSAGE,
	    "F:6:12: spec.metrics is empty" },
	{ HEAD "  args: []\n", NULL, LC_EUSAGE, "F:6:3: spec has no metrics" },
	{ HEAD "  metrics: {}\n", NULL, LC_EUSAGE,
	    "F:6:12: spec.metrics must be a list" },
	{ HEAD "  foo: 1\n" M PROM, NULL, LC_EUSAGE,
	    "F:6:3: spec.foo is not supported" },
	{ HEAD M "    name: n\n" PROM, NULL, LC_EUSAGE,
	    "F:8:5: metric m: 'name' is given twice" },
	{ HEAD M "    consecutiveSuccessLimit: 3\n" PROM, NULL, LC_EUSAGE,
	    "F:8:5: metric m: consecutiveSuccessLimit is not supported" },
	{ HEAD M "    <<: {count: 1}\n" PROM, NULL, LC_EUSAGE,
	    "F:8:5: metric m: << is not supported (a YAML merge key): write "
	    "the fields out" },
	/* The hostile review's merge.yaml: a merge key brings the provider. */
	{ HEAD M PROM "  - <<: {provider: {prometheus: {query: up}}}\n"
	    "    name: n\n", NULL, LC_EUSAGE, "F:11:5: metric n: << is not "
	    "supported (a YAML merge key): write the fields out" },
	{ HEAD M "    failureLimit: -1\n" PROM, NULL, LC_EUSAGE,
	    "F:8:19: metric m: failureLimit '-1' is not a whole number from 0 "
	    "to 2147483647" },
	{ HEAD M "    interval: 5x\n    count: 2\n" PROM, NULL, LC_EUSAGE,
	    "F:8:15: metric m: interval '5x' is not a duration (like 30s, 5m, "
	    "1h30m)" },
	{ HEAD M "    interval: 5\n    count: 2\n" PROM, NULL, LC_EUSAGE,
	    "F:8:15: metric m: interval '5' is not a duration (like 30s, 5m, "
	    "1h30m)" },
	{ HEAD M "    interval: -5m\n    count: 2\n" PROM, NULL, LC_EUSAGE,
	    "F:8:15: metric m: interval '-5m' is not a duration (like 30s, 5m, "
	    "1h30m)" },
	{ HEAD M "    interval: 3000000h\n    count: 2\n" PROM, NULL, LC_EUSAGE,
	    "F:8:15: metric m: interval '3000000h' is not a duration (like "
	    "30s, 5m, 1h30m)" },
	{ HEAD M "    count: 2\n" PROM, NULL, LC_EUSAGE,
	    "F:7:5: metric m: interval must be specified when count > 1" },
	{ HEAD M "    count: 2\n    inconclusiveLimit: 3\n    interval: 1s\n"
	    PROM, NULL, LC_EUSAGE,
	    "F:7:5: metric m: count must be >= inconclusiveLimit" },
	{ HEAD M "    count: -1\n" PROM, NULL, LC_EUSAGE,
	    "F:8:12: metric m: count '-1' is not a whole number from 0 to "
	    "2147483647" },
	{ HEAD M "    count: 1.5\n" PROM, NULL, LC_EUSAGE,
	    "F:8:12: metric m: count '1.5' is not a whole number from 0 to "
	    "2147483647" },
	{ HEAD M "    count: [1]\n" PROM, NULL, LC_EUSAGE,
	    "F:8:12: metric m: count must be a string or number, not a list" },
	{ HEAD M "    successCondition: all(result, {# < 1})\n" PROM, NULL,
	    LC_EUSAGE, "F:8:23: metric m: successCondition: `all` at column 1 "
	    "is not supported" },
	{ HEAD M "    failureCondition: result[0] > 0.01 ||\n" PROM, NULL,
	    LC_EUSAGE, "F:8:23: metric m: failureCondition: it ends too soon "
	    "at column 20" },
	{ HEAD M "    provider:\n      prometheus:\n        query: a{{x\n",
	    NULL, LC_EUSAGE, "F:10:16: metric m: query: '{{' without '}}'" },
	{ HEAD M "    provider:\n      prometheus:\n        query: "
	    "\"{{args.nope}}\"\n", NULL, LC_EUSAGE, "F:10:16: metric m: query: "
	    "cannot fill in {{args.nope}}: only {{args.NAME}} of the "
	    "template's args is" },
	{ HEAD M "    provider:\n      prometheus:\n        query: "
	    "\"{{ experiment.availableAt }}\"\n", NULL, LC_EUSAGE, "F:10:16: "
	    "metric m: query: cannot fill in {{ experiment.availableAt }}: "
	    "only {{args.NAME}} of the template's args is" },
	{ HEAD M "    provider:\n      prometheus:\n        query: \"a\\0b\"\n",
	    NULL, LC_EUSAGE, "F:10:16: metric m: query contains a NUL byte" },
	{ HEAD M "    provider:\n      prometheus:\n        address: x\n",
	    NULL, LC_EUSAGE, "F:10:9: metric m: provider.prometheus has no "
	    "query" },
	{ HEAD M "    provider: {}\n", NULL, LC_EUSAGE,
	    "F:8:15: metric m: no provider" },
	{ HEAD M "    successCondition: \"true\"\n", NULL, LC_EUSAGE,
	    "F:7:5: metric m: no provider" },
	{ HEAD M "    provider:\n      prometheus: {query: up}\n      web: {}\n",
	    NULL, LC_EUSAGE, "F:10:7: metric m: more than one provider" },
	{ HEAD M "    provider:\n      job: {}\n", NULL, LC_EUSAGE,
	    "F:9:7: metric m: provider job is not supported: metric-gate runs "
	    "Prometheus metrics only" },
	{ HEAD M PROM "        caCert: x\n", NULL, LC_EUSAGE,
	    "F:11:9: metric m: caCert is not supported: save the certificate "
	    "in a file and pass --ca-file" },
	{ HEAD M PROM "        authentication:\n          oauth2: {}\n", NULL,
	    LC_EUSAGE, "F:12:11: metric m: authentication.oauth2 is not "
	    "supported: fetch the token first and give it with --token-file" },
	{ HEAD M PROM "        authentication:\n          basicAuth: {}\n",
	    NULL, LC_EUSAGE, "F:12:11: metric m: authentication.basicAuth is "
	    "not supported: pass --username and --password-file" },
	{ HEAD M PROM "        step: 1\n", NULL, LC_EUSAGE,
	    "F:11:9: metric m: provider.prometheus.step is not supported" },
	{ HEAD M PROM "        insecure: maybe\n", NULL, LC_EUSAGE,
	    "F:11:19: metric m: insecure must be true or false" },
	{ HEAD M PROM "        headers:\n        - key: a b\n          value: "
	    "c\n", NULL, LC_EUSAGE, "F:12:11: metric m: a header's key must be "
	    "a name of letters, digits and !#$%&'*+-.^_`|~" },
	{ HEAD M PROM "        headers:\n        - key: X-A\n          value: "
	    "\"a\\r\\nX-B: b\"\n", NULL, LC_EUSAGE, "F:12:11: metric m: the value "
	    "of header X-A spans lines" },
	{ HEAD M PROM "        headers:\n        - key: X-A\n          val: 1\n",
	    NULL, LC_EUSAGE, "F:13:11: metric m: a header has key and value, "
	    "not 'val'" },
	{ HEAD "  metrics:\n  - name: \"m\\n::error::x\"\n" PROM, NULL,
	    LC_EUSAGE, "F:7:11: a metric's name holds "
	    "a control character (byte 10): use letters, digits, '-', '_' "
	    "and '.'" },
	{ HEAD M PROM "  - name: m\n" PROM, NULL, LC_EUSAGE,
	    "F:11:5: metric name 'm' is used twice" },
	{ HEAD "  args:\n  - name: a\n  - name: a\n" M PROM, NULL, LC_EUSAGE,
	    "F:8:5: arg 'a' is declared twice" },
	{ HEAD "  args:\n  - value: a\n" M PROM, NULL, LC_EUSAGE,
	    "F:7:5: an arg has no name" },
	{ HEAD "  args:\n  - name: a\n    valueFrom:\n      fieldRef:\n"
	    "        fieldPath: metadata.name\n" M PROM, NULL, LC_EUSAGE,
	    "F:9:7: arg a: valueFrom.fieldRef is not supported: pass --arg "
	    "a=VALUE" },
	{ HEAD "  args:\n  - name: a\n    valueFrom:\n      "
	    "podTemplateHashValue: Latest\n" M PROM, NULL, LC_EUSAGE,
	    "F:9:7: arg a: valueFrom.podTemplateHashValue is not supported: "
	    "pass --arg a=VALUE" },
	{ HEAD "  args:\n  - name: a\n    default: x\n" M PROM, NULL,
	    LC_EUSAGE, "F:8:5: an arg has name, value and valueFrom, not "
	    "'default'" },
	{ HEAD M PROM "  dryRun:\n  - metricName: n\n", NULL, LC_EUSAGE,
	    "F:12:5: dryRun: 'n' names no metric (give a metric's exact name, "
	    "or .* for all)" },
	{ HEAD "  args: &a\n  - name: x\n    value: \"1\"\n  metrics: *a\n",
	    NULL, LC_EUSAGE, "F:7:5: metric x: no provider" },
	{ HEAD "  metrics: &s\n  - *s\n", NULL, LC_EUSAGE,
	    "F:6:12: a metric must be a mapping" },
	{ "kind: AnalysisTemplate\nspec: &s\n  metrics: *s\n", NULL, LC_EUSAGE,
	    "F:2:7: spec.metrics must be a list" },
	/* Every document is read: one template a run, YAML throughout. */
	{ HEAD M PROM "---\n" HEAD "  metrics: []\n", NULL, LC_EUSAGE,
	    "F:12:1: a second template (t): metric-gate runs one template a "
	    "run: split the file" },
	{ "kind: ConfigMap\n---\n" HEAD M PROM "---\nkind: Service\n---\n"
	    "kind: ClusterAnalysisTemplate\n", NULL, LC_EUSAGE,
	    "F:16:1: a second template (ClusterAnalysisTemplate): metric-gate "
	    "runs one template a run: split the file" },
	{ HEAD M PROM "---\n{{{ not yaml\n", NULL, LC_EDATA,
	    "F:13:1: while parsing a flow mapping: did not find expected ',' "
	    "or '}'" },
	/* Nesting: refused before libyaml's quadratic cost. */
	{ "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
	    "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
	    NULL, LC_EUSAGE, "F: no AnalysisTemplate or ClusterAnalysisTemplate "
	    "in it" },
	{ "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
	    "[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
	    NULL, LC_EUSAGE, "F:1:65: nesting deeper than 64 levels" },
	{ HEAD M PROM "---\n[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
	    "[[[[[[[[[[[[[[[[[[\n", NULL, LC_EUSAGE,
	    "F:12:65: nesting deeper than 64 levels" },
};

/* Replace F in want with the path. */
static void
expand(char *out, size_t size, const char *want, const char *path)
{
	size_t n = 0;

	for (; *want && n + 1 < size; want++)
		if (*want == 'F' && n == 0) {
			n += (size_t)snprintf(out + n, size - n, "%s", path);
			if (n >= size)
				n = size - 1;
		} else
			out[n++] = *want;
	out[n] = '\0';
}

static void
test_refusals(void)
{
	struct lc_analysis a;
	char want[512];
	const char *path;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
		path = file("t.yaml", refusals[i].text);
		expand(want, sizeof(want), refusals[i].msg, path);
		rc = load(&a, path, want, refusals[i].arg, NULL, NULL, NULL);
		ok(rc == refusals[i].rc, "refusal %zu: code %d", i,
		    refusals[i].rc);
		lc_analysis_release(&a);
	}
}

/*
 * 256 KiB of nesting, three ways: refused at level 65 at once, where
 * libyaml alone took seconds to minutes (quadratic).
 */
static void
test_nesting(void)
{
	static const struct {
		const char *open, *close, *where;
	} shapes[] = {
		{ "[", "]", "1:65" },
		{ "{a: ", "}", "1:257" },
		{ "- ", "", "1:129" },
	};
	struct lc_analysis a;
	struct lc_buf b = LC_BUF_INIT;
	char want[512], where[300];
	const char *path;
	size_t i, k, n;

	for (i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		b.len = 0;
		n = 250000 / (strlen(shapes[i].open) + strlen(shapes[i].close));
		for (k = 0; k < n; k++)
			lc_buf_adds(&b, shapes[i].open);
		lc_buf_adds(&b, "1");
		for (k = 0; k < n; k++)
			lc_buf_adds(&b, shapes[i].close);
		lc_buf_addc(&b, '\n');
		path = file("deep.yaml", b.data);
		snprintf(where, sizeof(where), "%s:%s", path, shapes[i].where);
		snprintf(want, sizeof(want), "%s: nesting deeper than 64 levels",
		    where);
		ok(load(&a, path, want, NULL, NULL, NULL, NULL) == LC_EUSAGE,
		    "%zu levels of %s1%s: refused", n, shapes[i].open,
		    shapes[i].close);
		lc_analysis_release(&a);
	}
	lc_buf_release(&b);
}

/* What loads, field by field. */
static void
test_fields(void)
{
	struct lc_analysis a;
	const char *path;
	struct lc_buf big = LC_BUF_INIT;
	char want[256];
	long line, col;
	size_t i;

	path = file("alias.yaml", HEAD M
	    "    successCondition: &cond result[0] < 0.01\n"
	    "    provider: &prom\n      prometheus:\n        query: up\n"
	    "        timeout: 40\n        headers:\n        - key: X-Scope-OrgID\n"
	    "          value: \"{{args.tenant}}\"\n"
	    "  - name: n\n    successCondition: *cond\n    provider: *prom\n"
	    "    initialDelay: 2m30.5s\n    interval: 1.5h\n    count: \"2\"\n"
	    "  args:\n  - name: tenant\n"
	    "  dryRun:\n  - metricName: n\n"
	    "  measurementRetention:\n  - metricName: m\n    limit: 20\n");
	ok(load(&a, path, NULL, "tenant=a", NULL, NULL, NULL) == 0 &&
	    a.nmetrics == 2, "anchors and aliases are followed");
	if (a.nmetrics == 2) {
		is_str(a.metrics[1].success, "result[0] < 0.01",
		    "  the aliased condition");
		is_str(a.metrics[1].query, "up", "  the aliased provider");
		ok(a.metrics[0].timeout_ms == 40000, "  timeout 40 is 40s");
		ok(a.metrics[1].nheaders == 1, "  one header");
		if (a.metrics[1].nheaders == 1)
			is_str(a.metrics[1].headers[0], "X-Scope-OrgID: a",
			    "  its args are filled in");
		ok(a.metrics[1].initial_delay_ms == 150500 &&
		    a.metrics[1].interval_ms == 5400000 &&
		    a.metrics[1].count == 2, "  2m30.5s, 1.5h, \"2\"");
		ok(a.metrics[0].dry_run == 0 && a.metrics[1].dry_run == 1,
		    "  dryRun names n");
	}
	lc_analysis_release(&a);

	path = file("durations.yaml", HEAD M
	    "    interval: 1h30m\n    count: 1\n" PROM
	    "  - name: n\n    interval: 500ms\n    count: 1\n" PROM
	    "  - name: o\n    interval: \"+1m0.001s\"\n    count: 1\n" PROM
	    "  - name: p\n    interval: 1500us\n    count: 1\n" PROM
	    "  - name: q\n    interval: 0\n    count: 1\n"
	    "    failureCondition: ''\n    successCondition: ~\n" PROM
	    "  dryRun:\n  - metricName: .*\n");
	ok(load(&a, path, NULL, NULL, NULL, NULL, NULL) == 0 &&
	    a.nmetrics == 5, "Go durations");
	if (a.nmetrics == 5) {
		ok(a.metrics[0].interval_ms == 5400000, "  1h30m");
		ok(a.metrics[1].interval_ms == 500, "  500ms");
		ok(a.metrics[2].interval_ms == 60001, "  +1m0.001s");
		ok(a.metrics[3].interval_ms == 1, "  1500us is 1 ms");
		ok(a.metrics[4].interval_ms == 0, "  0");
		ok(a.metrics[4].success == NULL && a.metrics[4].failure ==
		    NULL, "  an empty or null condition is none");
		ok(a.metrics[4].consecutive_error_limit == 4,
		    "  consecutiveErrorLimit defaults to 4");
		for (i = 0; i < 5 && a.metrics[i].dry_run; i++)
			;
		ok(i == 5, "  dryRun .* names every metric");
	}
	lc_analysis_release(&a);

	lc_buf_adds(&big, "# ");
	for (i = 0; i < (256 << 10); i++)
		lc_buf_addc(&big, 'x');
	path = file("big.yaml", big.data);
	lc_buf_release(&big);
	snprintf(want, sizeof(want), "%s: larger than 262144 bytes: not a "
	    "template", path);
	ok(load(&a, path, want, NULL, NULL, NULL, NULL) == LC_EUSAGE,
	    "a file over 256 KiB is refused");
	lc_buf_adds(&big, HEAD "  args:\n");
	for (i = 0; i < 1001; i++)
		lc_buf_printf(&big, "  - {name: a%zu, value: x}\n", i);
	lc_buf_adds(&big, M PROM);
	path = file("many.yaml", big.data);
	lc_buf_release(&big);
	snprintf(want, sizeof(want), "%s:7:3: more than 1000 items in a list",
	    path);
	ok(load(&a, path, want, NULL, NULL, NULL, NULL) == LC_EUSAGE,
	    "more than 1,000 args are refused");

	lc_buf_adds(&big, "a=");
	for (i = 0; i < (1 << 19) + 1; i++)
		lc_buf_addc(&big, 'x');
	path = file("long.yaml", HEAD "  args:\n  - name: a\n" M
	    "    provider:\n      prometheus:\n"
	    "        query: \"{{args.a}} {{args.a}}\"\n");
	snprintf(want, sizeof(want), "%s:12:16: metric m: query is longer than "
	    "1048576 bytes once args are filled in", path);
	ok(load(&a, path, want, big.data, NULL, NULL, NULL) == LC_EUSAGE,
	    "a field over 1 MiB once args are in is refused");
	lc_buf_release(&big);

	path = file("where.yaml", HEAD M "    count: x\n" PROM);
	ok(load(&a, path, NULL, NULL, NULL, NULL, NULL) == LC_EUSAGE,
	    "a refusal records where it is");
	ok(lc_error_file(&line, &col) != NULL && strcmp(lc_error_file(&line,
	    &col), path) == 0 && line == 8 && col == 12, "  for annotations");
}

/* The limits: 1,000 levels of nesting, 64 KiB of text. */
static void
test_limits(void)
{
	struct lc_analysis_expr *e;
	struct lc_buf b = LC_BUF_INIT;
	double one = 1;
	int i, t = 0;

	for (i = 0; i < 999; i++)
		lc_buf_addc(&b, '(');
	lc_buf_adds(&b, "true");
	for (i = 0; i < 999; i++)
		lc_buf_addc(&b, ')');
	ok(lc_analysis_expr_parse(&e, b.data) == 0 &&
	    lc_analysis_expr_eval(e, &one, 1, 0, &t) == 0 && t == 1,
	    "999 parentheses are read");
	lc_analysis_expr_free(e);
	lc_buf_release(&b);
	for (i = 0; i < 1001; i++)
		lc_buf_addc(&b, '(');
	lc_buf_adds(&b, "true");
	ok(lc_analysis_expr_parse(&e, b.data) == LC_EUSAGE && e == NULL,
	    "1,001 are refused");
	is_str(lc_error_msg(), "expression: nested deeper than 1000 levels at "
	    "column 1001", "  with where");
	lc_buf_release(&b);
	for (i = 0; i < 1001; i++)
		lc_buf_adds(&b, "!");
	lc_buf_adds(&b, "true");
	ok(lc_analysis_expr_parse(&e, b.data) == LC_EUSAGE,
	    "1,001 ! are refused");
	lc_buf_release(&b);
	lc_buf_adds(&b, "1");
	for (i = 0; i < 1000; i++)
		lc_buf_adds(&b, " + 1");
	lc_buf_adds(&b, " > 0");
	ok(lc_analysis_expr_parse(&e, b.data) == LC_EUSAGE,
	    "a chain of 1,000 + is refused");
	is_str(lc_error_msg(), "expression: nested deeper than 1000 levels at "
	    "column 3999", "  at the operator that goes too deep");
	lc_buf_release(&b);
	lc_buf_adds(&b, "true");
	while (b.len < 65536)
		lc_buf_addc(&b, ' ');
	ok(lc_analysis_expr_parse(&e, b.data) == 0, "64 KiB are read");
	lc_analysis_expr_free(e);
	lc_buf_addc(&b, ' ');
	ok(lc_analysis_expr_parse(&e, b.data) == LC_EUSAGE && e == NULL,
	    "a byte more is refused");
	is_str(lc_error_msg(), "expression: longer than 65536 bytes",
	    "  saying so");
	lc_buf_release(&b);
}

int
main(void)
{
	char cmd[64];

	test_cases();
	test_limits();
	test_verdicts();
	test_load_docs();
	if (mkdtemp(dir) == NULL)
		return 1;
	test_refusals();
	test_nesting();
	test_fields();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	(void)!system(cmd);
	return done_testing();
}
