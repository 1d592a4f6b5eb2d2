/* prom_test.c: the Prometheus client: requests sent, answers read, errors mapped, over a fake transport. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "error.h"
#include "log.h"
#include "prom.h"
#include "tap.h"

#include "fake_http.h"

#define AT	1700000000.25
#define URL	"http://prom.example:9090"
#define QUERY	"POST " URL "/api/v1/query\n"
#define HDRS	"  Content-Type: application/x-www-form-urlencoded\n" \
		"  Accept: application/json\n"
#define OK(type, result) \
	"{\"status\":\"success\",\"data\":{\"resultType\":\"" type "\"," \
	"\"result\":" result "}}"
/* A 200 with one series without labels, and its point. */
#define ONE(point) \
	{ 200, NULL, OK("vector", "[{\"metric\":{},\"value\":" point "}]"), 0 }
#define S0	URL "/api/v1/query: series 0: "

/* The result as text: type, then "labels t=v ..." a line, then warnings. */
static void
render(const struct lc_prom_result *r, struct lc_buf *b)
{
	static const char *const types[] = { "vector", "matrix", "scalar" };
	size_t i, k;
	double v;

	lc_buf_printf(b, "%s\n", types[r->type]);
	for (i = 0; i < r->nseries; i++) {
		lc_buf_adds(b, r->series[i].labels);
		for (k = 0; k < r->series[i].n; k++) {
			v = r->series[i].v[k];
			lc_buf_printf(b, " %.3f=", r->series[i].t[k]);
			if (isnan(v))
				lc_buf_adds(b, "NaN");
			else if (isinf(v))
				lc_buf_adds(b, v > 0 ? "+Inf" : "-Inf");
			else
				lc_buf_printf(b, "%.17g", v);
		}
		lc_buf_addc(b, '\n');
	}
	for (i = 0; i < r->nwarnings; i++)
		lc_buf_printf(b, "warning: %s\n", r->warnings[i]);
}

static struct lc_prom *
client(const char *url, const char *token, const char *user,
    const char *pass)
{
	struct lc_prom_conf c;
	struct lc_prom *p = NULL;

	memset(&c, 0, sizeof(c));
	c.url = url;
	c.token = token;
	c.username = user;
	c.password = pass;
	if (lc_prom_new(&p, &c) != 0)
		printf("# lc_prom_new: %s\n", lc_error_msg());
	return p;
}

/*
 * Answers to an instant query of "up" at AT: the result as rendered, or
 * the code and the whole message.
 */
static const struct {
	const char *name;
	struct fake_reply reply;
	int rc;
	const char *want;
} answers[] = {
	{ "a vector of one series without labels",
	    { 200, NULL, OK("vector", "[{\"metric\":{},\"value\":[1700000000.25,"
	    "\"0.023\"]}]"), 0 }, 0,
	    "vector\n{} 1700000000.250=0.023\n" },
	{ "several series: labels sorted, __name__ in front, series sorted",
	    { 200, NULL, OK("vector", "["
	    "{\"metric\":{\"track\":\"canary\",\"code\":\"500\"},"
	    "\"value\":[1700000000,\"2.2\"]},"
	    "{\"metric\":{\"job\":\"x\",\"__name__\":\"up\",\"a\":\"1\"},"
	    "\"value\":[1700000000,\"1\"]},"
	    "{\"metric\":{\"code\":\"200\",\"track\":\"baseline\"},"
	    "\"value\":[1700000000,\"132\"]},"
	    "{\"metric\":{\"__name__\":\"up\"},\"value\":[1700000000,\"0\"]}]"),
	    0 }, 0,
	    "vector\n"
	    "up 1700000000.000=0\n"
	    "up{a=\"1\",job=\"x\"} 1700000000.000=1\n"
	    "{code=\"200\",track=\"baseline\"} 1700000000.000=132\n"
	    "{code=\"500\",track=\"canary\"} 1700000000.000=2.2000000000000002\n" },
	{ "label values escaped as PromQL strings, odd names quoted",
	    { 200, NULL, OK("vector", "[{\"metric\":{\"__name__\":\"a-b\","
	    "\"q\":\"say \\\"hi\\\"\\\\\\n\\u0001\",\"caf\\u00e9\":\"x\"},"
	    "\"value\":[1,\"1\"]}]"), 0 }, 0,
	    "vector\n{__name__=\"a-b\",\"caf\xc3\xa9\"=\"x\",q=\"say "
	    "\\\"hi\\\"\\\\\\n\\x01\"} 1.000=1\n" },
	{ "NaN, +Inf, -Inf and exponents",
	    { 200, NULL, OK("vector", "["
	    "{\"metric\":{\"s\":\"a\"},\"value\":[1,\"NaN\"]},"
	    "{\"metric\":{\"s\":\"b\"},\"value\":[1,\"+Inf\"]},"
	    "{\"metric\":{\"s\":\"c\"},\"value\":[1,\"-Inf\"]},"
	    "{\"metric\":{\"s\":\"d\"},\"value\":[1,\"-1.5e-7\"]}]"), 0 }, 0,
	    "vector\n{s=\"a\"} 1.000=NaN\n{s=\"b\"} 1.000=+Inf\n"
	    "{s=\"c\"} 1.000=-Inf\n{s=\"d\"} 1.000=-1.4999999999999999e-07\n" },
	{ "a series without \"metric\" has no labels", { 200, NULL,
	    OK("vector", "[{\"value\":[1,\"7\"]}]"), 0 }, 0,
	    "vector\n{} 1.000=7\n" },
	{ "a scalar", { 200, NULL, OK("scalar", "[1700000000.25,\"42\"]"), 0 },
	    0, "scalar\n{} 1700000000.250=42\n" },
	{ "an empty result", { 200, NULL, OK("vector", "[]"), 0 }, 0,
	    "vector\n" },
	{ "warnings are kept",
	    { 200, NULL, "{\"status\":\"success\",\"warnings\":[\"PromQL info: "
	    "metric might not be a counter\",\"second\"],\"data\":{"
	    "\"resultType\":\"vector\",\"result\":[]}}", 0 }, 0,
	    "vector\nwarning: PromQL info: metric might not be a counter\n"
	    "warning: second\n" },
	{ "400 bad_data: Prometheus's text",
	    { 400, "Content-Type: application/json\n", "{\"status\":\"error\","
	    "\"errorType\":\"bad_data\",\"error\":\"invalid parameter "
	    "\\\"query\\\": 1:10: parse error: unclosed left parenthesis\"}", 0 },
	    LC_EDATA, "Prometheus refused the query: bad_data: invalid parameter "
	    "\"query\": 1:10: parse error: unclosed left parenthesis" },
	{ "422 execution, its text cleaned to one line",
	    { 422, NULL, "{\"status\":\"error\",\"errorType\":\"execution\","
	    "\"error\":\"many-to-many matching not allowed\\n::error::x\"}", 0 },
	    LC_EDATA, "Prometheus refused the query: execution: many-to-many "
	    "matching not allowed\\n::error::x" },
	{ "401", { 401, NULL, "Unauthorized", 0 }, LC_EAUTH,
	    "Prometheus refused the credentials (HTTP 401); check "
	    "--token-file/PROMETHEUS_TOKEN or --username/--password-file" },
	{ "403", { 403, NULL, "{}", 0 }, LC_EAUTH,
	    "Prometheus refused the credentials (HTTP 403); check "
	    "--token-file/PROMETHEUS_TOKEN or --username/--password-file" },
	{ "503 (after http.c's retries)", { 503, NULL, "busy", 0 }, LC_EUNAVAIL,
	    URL "/api/v1/query: HTTP 503, not the Prometheus API's answer "
	    "('busy')" },
	{ "501: not the Prometheus API (not retried, not 'unavailable')",
	    { 501, NULL, "Unsupported method ('POST')", 0 }, LC_EDATA,
	    URL "/api/v1/query: HTTP 501, not the Prometheus API's answer "
	    "('Unsupported method ('POST')')" },
	{ "500 with the API's error", { 500, NULL, "{\"status\":\"error\","
	    "\"errorType\":\"internal\",\"error\":\"disk\"}", 0 }, LC_EUNAVAIL,
	    URL "/api/v1/query: HTTP 500: Prometheus refused the query: "
	    "internal: disk" },
	{ "unreachable", { 0, NULL, NULL, LC_EUNAVAIL }, LC_EUNAVAIL,
	    "fake_http: transport failure" },
	{ "404: a wrong path prefix", { 404, NULL, "404 page not found", 0 },
	    LC_EDATA, URL "/api/v1/query: HTTP 404: is the URL Prometheus's, "
	    "with its path prefix?" },
	{ "HTML from a login page", { 200, "Content-Type: text/html\n",
	    "<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body>"
	    "</body></html>", 0 }, LC_EDATA,
	    URL "/api/v1/query: the answer is not the Prometheus API's JSON "
	    "(it starts '<!DOCTYPE html>\\n<html><head><title>Sign in</title>"
	    "</head><bo...'): is the URL Prometheus's, with its path prefix?" },
	{ "HTML with a 400", { 400, NULL, "<html>bad</html>", 0 }, LC_EDATA,
	    URL "/api/v1/query: HTTP 400, not the Prometheus API's answer "
	    "('<html>bad</html>')" },
	{ "a wrong resultType", { 200, NULL, OK("streams", "[]"), 0 }, LC_EDATA,
	    URL "/api/v1/query: the answer's \"resultType\" 'streams' is none "
	    "of vector, matrix, scalar" },
	{ "a string result", { 200, NULL, OK("string", "[1,\"x\"]"), 0 },
	    LC_EDATA, URL "/api/v1/query: the query gives a string result, not "
	    "numbers" },
	{ "a matrix for an instant query",
	    { 200, NULL, OK("matrix", "[{\"metric\":{},\"values\":[[1,\"1\"]]}]"),
	    0 }, LC_EDATA, URL "/api/v1/query: the query gives a range vector: "
	    "drop its [range], or take rate() or another function of it" },
	{ "no data", { 200, NULL, "{\"status\":\"success\"}", 0 }, LC_EDATA,
	    URL "/api/v1/query: the answer has no \"data\" object" },
	{ "no status", { 200, NULL, "{\"data\":{}}", 0 }, LC_EDATA,
	    URL "/api/v1/query: the answer's \"status\" is neither \"success\" "
	    "nor \"error\"" },
	{ "result not an array", { 200, NULL, OK("vector", "{}"), 0 }, LC_EDATA,
	    URL "/api/v1/query: \"data.result\" of a vector is not an array" },
	{ "a value as a number", ONE("[1,0.5]"), LC_EDATA,
	    S0 "a point's value is not a string, as in [time, \"value\"]" },
	{ "a point of three", ONE("[1,\"1\",2]"), LC_EDATA,
	    S0 "a point is not [time, \"value\"]" },
	{ "a time as a string", ONE("[\"1\",\"1\"]"), LC_EDATA,
	    S0 "a point's time is not a number" },
	{ "the value 1e", ONE("[1,\"1e\"]"), LC_EDATA,
	    S0 "the value '1e' is not a number" },
	{ "the value inf", ONE("[1,\"inf\"]"), LC_EDATA,
	    S0 "the value 'inf' is not a number" },
	{ "the value 0x10", ONE("[1,\"0x10\"]"), LC_EDATA,
	    S0 "the value '0x10' is not a number" },
	{ "the value 1e999", ONE("[1,\"1e999\"]"), LC_EDATA,
	    S0 "the value '1e999' is not a number" },
	{ "an empty value", ONE("[1,\"\"]"), LC_EDATA,
	    S0 "the value '' is not a number" },
	{ "a label value that is not a string", { 200, NULL, OK("vector",
	    "[{\"metric\":{\"a\":1},\"value\":[1,\"1\"]}]"), 0 }, LC_EDATA,
	    URL "/api/v1/query: series 0: a label value is not a string" },
	{ "two series alike", { 200, NULL, OK("vector",
	    "[{\"metric\":{\"a\":\"x\"},\"value\":[1,\"1\"]},"
	    "{\"metric\":{\"a\":\"x\"},\"value\":[1,\"2\"]}]"), 0 }, LC_EDATA,
	    URL "/api/v1/query: two series with the labels {a=\"x\"}" },
	{ "a native histogram", { 200, NULL, OK("vector",
	    "[{\"metric\":{},\"histogram\":[1,{}]}]"), 0 }, LC_EDATA,
	    URL "/api/v1/query: series 0 has no \"value\" (a native histogram: "
	    "query a quantile or a counter of it)" },
	{ "warnings not strings", { 200, NULL, "{\"status\":\"success\","
	    "\"warnings\":[1],\"data\":{\"resultType\":\"vector\",\"result\":"
	    "[]}}", 0 }, LC_EDATA, URL "/api/v1/query: a warning is not a "
	    "string" },
};

static void
test_answers(void)
{
	struct lc_prom *p = client(URL, NULL, NULL, NULL);
	struct lc_prom_result r = LC_PROM_RESULT_INIT;
	struct lc_buf got = LC_BUF_INIT;
	size_t i;
	int rc;

	fake_headers = 0;
	for (i = 0; i < sizeof(answers) / sizeof(answers[0]); i++) {
		fake_script(&answers[i].reply, 1);
		lc_error_clear();
		rc = lc_prom_query(p, "up", AT, 0, &r);
		got.len = 0;
		if (rc == 0)
			render(&r, &got);
		else
			lc_buf_adds(&got, lc_error_msg() ? lc_error_msg() : "");
		ok(rc == answers[i].rc, "%s: code %d", answers[i].name, rc);
		is_str(got.data, answers[i].want, "%s: %s", answers[i].name,
		    rc ? "message" : "result");
		ok(rc == 0 || (r.nseries == 0 && r.series == NULL &&
		    r.nwarnings == 0), "%s: nothing left on failure",
		    answers[i].name);
		lc_prom_result_release(&r);
	}
	fake_headers = 1;
	lc_buf_release(&got);
	lc_prom_free(p);
}

/* The request as sent: URL, headers, form body, for queries and ranges. */
static void
test_requests(void)
{
	static const struct fake_reply vec = { 200, NULL, OK("vector", "[]"),
	    0 }, mat = { 200, NULL, OK("matrix",
	    "[{\"metric\":{\"t\":\"a\"},\"values\":[[1,\"1\"],[16,\"2\"]]}]"),
	    0 }, backwards = { 200, NULL, OK("matrix",
	    "[{\"metric\":{},\"values\":[[16,\"1\"],[1,\"2\"]]}]"), 0 };
	struct lc_prom *p = client(URL, NULL, NULL, NULL);
	struct lc_prom *q = client("https://mimir.example/prometheus//", NULL,
	    NULL, NULL);
	struct lc_prom_result r = LC_PROM_RESULT_INIT;
	struct lc_buf got = LC_BUF_INIT;
	int rc;

	fake_script(&vec, 1);
	rc = lc_prom_query(p, "sum(rate(x{a=\"b c\",d=~\"e+f&g\"}[5m]))\n/ "
	    "\xc3\xa9", AT, 0, &r);
	ok(rc == 0, "query with {}, \", =, +, &, space, newline, UTF-8: %d", rc);
	is_str(fake_seen(), QUERY HDRS "  > query=sum%28rate%28x%7Ba%3D%22b%20c"
	    "%22%2Cd%3D~%22e%2Bf%26g%22%7D%5B5m%5D%29%29%0A%2F%20%C3%A9"
	    "&time=1700000000.250\n", "the form body is url-encoded");
	lc_prom_result_release(&r);

	fake_script(&mat, 1);
	rc = lc_prom_query_range(p, "up", 1, 16, 15, 0, &r);
	got.len = 0;
	if (rc == 0)
		render(&r, &got);
	ok(rc == 0, "range query: %d", rc);
	is_str(fake_seen(), "POST " URL "/api/v1/query_range\n" HDRS
	    "  > query=up&start=1.000&end=16.000&step=15.000\n",
	    "range query: the request");
	is_str(got.data, "matrix\n{t=\"a\"} 1.000=1 16.000=2\n",
	    "range query: the points");
	lc_prom_result_release(&r);

	fake_script(&backwards, 1);
	rc = lc_prom_query_range(p, "up", 1, 16, 15, 0, &r);
	ok(rc == LC_EDATA, "range query: times going back: %d", rc);
	is_str(lc_error_msg(), URL "/api/v1/query_range: series 0: the times of "
	    "its points do not increase", "range query: the message");

	fake_script(&vec, 1);
	rc = lc_prom_query_range(p, "up", 1, 16, 15, 0, &r);
	ok(rc == LC_EDATA, "a vector for a range query: %d", rc);

	fake_script(&vec, 1);
	rc = lc_prom_query(q, "up", 0.5, 0, &r);
	ok(rc == 0, "a path prefix and trailing slashes: %d", rc);
	is_str(fake_seen(), "POST https://mimir.example/prometheus/api/v1/query\n"
	    HDRS "  > query=up&time=0.500\n", "the prefix is kept");

	fake_script(&vec, 1);
	ok(lc_prom_query(p, "up", NAN, 0, &r) == LC_EUSAGE, "time NaN refused");
	ok(lc_prom_query(p, "up", 1e15, 0, &r) == LC_EUSAGE,
	    "time past 9999 refused");
	ok(lc_prom_query_range(p, "up", 1, 16, 0, 0, &r) == LC_EUSAGE,
	    "step 0 refused");
	ok(lc_prom_query_range(p, "up", 16, 1, 15, 0, &r) == LC_EUSAGE,
	    "end before start refused");
	is_str(fake_seen(), "", "none of them sent a request");
	ok(lc_prom_requests(p) == 4 && lc_prom_requests(q) == 1,
	    "requests counted: %lu and %lu", lc_prom_requests(p),
	    lc_prom_requests(q));
	lc_buf_release(&got);
	lc_prom_free(p);
	lc_prom_free(q);
}

/* Read what fd 2 got into a file since redirect(). */
static int saved_fd = -1;
static FILE *errf;

static void
redirect(void)
{
	fflush(stderr);
	errf = tmpfile();
	saved_fd = dup(2);
	dup2(fileno(errf), 2);
}

static void
restore(struct lc_buf *out)
{
	char chunk[4096];
	size_t n;

	fflush(stderr);
	dup2(saved_fd, 2);
	close(saved_fd);
	rewind(errf);
	while ((n = fread(chunk, 1, sizeof(chunk), errf)) > 0)
		lc_buf_add(out, chunk, n);
	fclose(errf);
}

/* Credentials: in the headers, never in the debug log or a message. */
static void
test_auth(void)
{
	static const struct fake_reply replies[] = {
	    { 200, NULL, OK("vector", "[]"), 0 },
	    { 401, NULL, "no", 0 } };
	struct lc_prom *p;
	struct lc_prom_result r = LC_PROM_RESULT_INIT;
	struct lc_buf err = LC_BUF_INIT;
	int rc;

	lc_log_set_level(LC_LOG_DEBUG);
	redirect();
	p = client(URL, "s3cr3t-t0ken", NULL, NULL);
	fake_script(replies, fake_count(replies, 2));
	rc = lc_prom_query(p, "up", AT, 0, &r);
	rc |= lc_prom_query(p, "up", AT, 0, &r) != LC_EAUTH;
	lc_log_error("%s", lc_error_msg());
	lc_prom_free(p);
	restore(&err);
	ok(rc == 0, "bearer: 200, then 401 is LC_EAUTH");
	is_str(fake_seen(), QUERY HDRS "  Authorization: Bearer s3cr3t-t0ken\n"
	    "  > query=up&time=1700000000.250\n" QUERY HDRS
	    "  Authorization: Bearer s3cr3t-t0ken\n"
	    "  > query=up&time=1700000000.250\n", "bearer: the header is sent");
	is_str(err.data, "gitops-utils: debug: POST " URL "/api/v1/query "
	    "query=up time=1700000000.250\n"
	    "gitops-utils: debug: POST " URL "/api/v1/query query=up "
	    "time=1700000000.250\n"
	    "gitops-utils: Prometheus refused the credentials (HTTP 401); "
	    "check --token-file/PROMETHEUS_TOKEN\n",
	    "bearer: the debug log has the request lines, no token");

	err.len = 0;
	redirect();
	p = client(URL, NULL, "ci", "pa55-word");
	fake_script(replies, fake_count(replies, 2));
	rc = lc_prom_query(p, "up", AT, 0, &r);
	rc |= lc_prom_query(p, "up", AT, 0, &r) != LC_EAUTH;
	lc_log_error("%s", lc_error_msg());
	lc_log_debug("pa55-word Y2k6cGE1NS13b3Jk");
	lc_prom_free(p);
	restore(&err);
	ok(rc == 0, "basic: 200, then 401 is LC_EAUTH");
	is_str(fake_seen(), QUERY HDRS "  Authorization: Basic Y2k6cGE1NS13b3Jk\n"
	    "  > query=up&time=1700000000.250\n" QUERY HDRS
	    "  Authorization: Basic Y2k6cGE1NS13b3Jk\n"
	    "  > query=up&time=1700000000.250\n", "basic: the header is sent");
	is_str(err.data, "gitops-utils: debug: POST " URL "/api/v1/query "
	    "query=up time=1700000000.250\n"
	    "gitops-utils: debug: POST " URL "/api/v1/query query=up "
	    "time=1700000000.250\n"
	    "gitops-utils: Prometheus refused the credentials (HTTP 401); "
	    "check --username/--password-file\n"
	    "gitops-utils: debug: *** ***\n",
	    "basic: password and credentials are secrets");
	lc_log_set_level(LC_LOG_WARN);
	lc_buf_release(&err);
}

/* lc_log_redact(s), for the checks below. */
static const char *
redacted(const char *s)
{
	static struct lc_buf b = LC_BUF_INIT;

	b.len = 0;
	lc_log_redact(&b, s);
	return b.data ? b.data : "";
}

/*
 * What reaches stdout is never redacted by the log: secrets a server
 * echoes in labels and warnings are masked as the answer is read; the
 * credentials of the URL and of extra headers are secrets.
 */
static void
test_secrets(void)
{
	static const struct fake_reply echo[] = {
	    { 200, NULL, "{\"status\":\"success\",\"warnings\":[\"saw "
	    "Bearer S3CRETtok\"],\"data\":{\"resultType\":\"vector\","
	    "\"result\":[{\"metric\":{\"__name__\":\"up\",\"auth\":"
	    "\"Bearer S3CRETtok\",\"q\":\"a\\\"qu0te\\\"b\",\"S3CRETtok\":"
	    "\"k\"},\"value\":[1,\"1\"]}]}}", 0 } };
	static const struct fake_reply basic[] = {
	    { 200, NULL, OK("vector", "[{\"metric\":{\"h\":\"Basic "
	    "YWRtaW46aHVudGVyMg==\"},\"value\":[1,\"1\"]}]"), 0 },
	    { 400, NULL, "{\"status\":\"error\",\"errorType\":\"bad_data\","
	    "\"error\":\"your header was Bearer hdr-t0ken\"}", 0 } };
	static const char *const hdrs[] = { "Authorization: Bearer hdr-t0ken",
	    "X-Api-Key:k3y-value", "cookie: session=c00kie", "X-Scope-OrgID: "
	    "tenant-1", "My-Secret-Thing: s3cret-thing" };
	struct lc_prom_conf c;
	struct lc_prom *p;
	struct lc_prom_result r = LC_PROM_RESULT_INIT;
	struct lc_buf got = LC_BUF_INIT;
	int rc;

	p = client(URL, "S3CRETtok", NULL, NULL);
	lc_log_add_secret("qu0te\"b");
	fake_script(echo, 1);
	rc = lc_prom_query(p, "up", AT, 0, &r);
	if (rc == 0)
		render(&r, &got);
	ok(rc == 0, "a token echoed in labels and warnings: %d", rc);
	is_str(got.data, "vector\nup{\"***\"=\"k\",auth=\"Bearer ***\","
	    "q=\"a\\\"***\"} 1.000=1\nwarning: saw Bearer ***\n",
	    "labels (names and values, masked before quoting) and warnings "
	    "show ***");
	lc_prom_result_release(&r);
	lc_prom_free(p);

	p = client("http://admin:hunter2@prom.example", NULL, NULL, NULL);
	fake_script(basic, 1);
	rc = lc_prom_query(p, "up", AT, 0, &r);
	got.len = 0;
	if (rc == 0)
		render(&r, &got);
	is_str(got.data, "vector\n{h=\"Basic ***\"} 1.000=1\n",
	    "URL credentials: their Basic form echoed in a label is masked");
	lc_prom_result_release(&r);
	is_str(redacted("hunter2 YWRtaW46aHVudGVyMg== admin"), "*** *** admin",
	    "URL credentials: the password and base64 of user:password");
	lc_prom_free(p);
	p = client("https://ci:p%40ss%3Aw0rd@prom.example/x", NULL, NULL, NULL);
	is_str(redacted("p%40ss%3Aw0rd p@ss:w0rd Y2k6cEBzczp3MHJk"),
	    "*** *** ***", "URL credentials: percent-escaped, as written and decoded");
	lc_prom_free(p);
	p = client("https://t0ken-in-user@prom.example", NULL, NULL, NULL);
	is_str(redacted("t0ken-in-user dDBrZW4taW4tdXNlcjo="), "*** ***",
	    "URL credentials: a user without a password is a token");
	lc_prom_free(p);

	memset(&c, 0, sizeof(c));
	c.url = URL;
	c.http.headers = hdrs;
	c.http.nheaders = sizeof(hdrs) / sizeof(hdrs[0]);
	rc = lc_prom_new(&p, &c);
	ok(rc == 0, "extra headers: %d", rc);
	is_str(redacted("hdr-t0ken k3y-value session=c00kie tenant-1 "
	    "s3cret-thing"), "*** *** *** tenant-1 ***", "extra headers: "
	    "Authorization, *key*, Cookie, *secret* are secrets, not "
	    "X-Scope-OrgID");
	fake_script(basic + 1, 1);
	rc = lc_prom_query(p, "up", AT, 0, &r);
	ok(rc == LC_EDATA, "an error text echoing a header: %d", rc);
	is_str(redacted(lc_error_msg()), "Prometheus refused the query: "
	    "bad_data: your header was ***", "an error text echoing a "
	    "header is masked in the log");
	lc_prom_free(p);
	lc_buf_release(&got);
}

static const struct {
	const char *url, *token, *user, *err;
} refusals[] = {
	{ NULL, NULL, NULL, "the Prometheus URL '' is not http(s)://HOST[:PORT]"
	    "[/PREFIX] (no spaces, query or fragment)" },
	{ "prom:9090", NULL, NULL, "the Prometheus URL 'prom:9090' is not "
	    "http(s)://HOST[:PORT][/PREFIX] (no spaces, query or fragment)" },
	{ "ftp://prom", NULL, NULL, "the Prometheus URL 'ftp://prom' is not "
	    "http(s)://HOST[:PORT][/PREFIX] (no spaces, query or fragment)" },
	{ "http://", NULL, NULL, "the Prometheus URL 'http://' is not "
	    "http(s)://HOST[:PORT][/PREFIX] (no spaces, query or fragment)" },
	{ "http://p/x?a=1", NULL, NULL, "the Prometheus URL 'http://p/x?a=1' "
	    "is not http(s)://HOST[:PORT][/PREFIX] (no spaces, query or "
	    "fragment)" },
	{ "http://p/a b\n", NULL, NULL, "the Prometheus URL 'http://p/a b\\n' "
	    "is not http(s)://HOST[:PORT][/PREFIX] (no spaces, query or "
	    "fragment)" },
	{ URL, "tok", "u", "give Prometheus a bearer token or a username and "
	    "password, not both" },
	{ URL, "tok\nX-Evil: 1", NULL, "the Prometheus token is empty or holds "
	    "a control character (a line break?)" },
	{ URL, "", NULL, "the Prometheus token is empty or holds a control "
	    "character (a line break?)" },
	{ URL, NULL, "a:b", "the Prometheus username holds ':', which basic "
	    "authentication cannot carry" },
};

static void
test_refusals(void)
{
	struct lc_prom_conf c;
	struct lc_prom *p;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
		memset(&c, 0, sizeof(c));
		c.url = refusals[i].url;
		c.token = refusals[i].token;
		c.username = refusals[i].user;
		p = (struct lc_prom *)&c;
		rc = lc_prom_new(&p, &c);
		ok(rc == LC_EUSAGE && p == NULL, "refused: %s", refusals[i].err);
		is_str(lc_error_msg(), refusals[i].err, "the message");
	}
}

/*
 * Series are sorted by their labels; pos keeps their place in the answer
 * (sort_desc, topk), which a template's result[i] follows.
 */
static void
test_order(void)
{
	static const char body[] = OK("vector", "[{\"metric\":{\"p\":\"c\"},"
	    "\"value\":[1,\"9\"]},{\"metric\":{\"p\":\"a\"},\"value\":[1,"
	    "\"5\"]},{\"metric\":{\"p\":\"d\"},\"value\":[1,\"3\"]},"
	    "{\"metric\":{\"p\":\"b\"},\"value\":[1,\"1\"]}]");
	struct lc_prom_result r = LC_PROM_RESULT_INIT;
	struct lc_buf got = LC_BUF_INIT;
	size_t i;
	int rc;

	rc = lc_prom_parse(body, strlen(body), &r);
	ok(rc == 0 && r.nseries == 4, "series out of label order: %d", rc);
	for (i = 0; i < r.nseries; i++)
		lc_buf_printf(&got, "%s pos=%zu v=%g\n", r.series[i].labels,
		    r.series[i].pos, r.series[i].v[0]);
	is_str(got.data, "{p=\"a\"} pos=1 v=5\n{p=\"b\"} pos=3 v=1\n"
	    "{p=\"c\"} pos=0 v=9\n{p=\"d\"} pos=2 v=3\n",
	    "sorted by labels, pos is the place in the answer");
	lc_prom_result_release(&r);
	lc_buf_release(&got);
}

/* More than 100,000 series, or 1,000,000 points: refused. */
static void
test_limits(void)
{
	struct lc_prom_result r = LC_PROM_RESULT_INIT;
	struct lc_buf b = LC_BUF_INIT;
	size_t i;
	int rc;

	lc_buf_adds(&b, "{\"status\":\"success\",\"data\":{\"resultType\":"
	    "\"vector\",\"result\":[");
	for (i = 0; i < 100001; i++)
		lc_buf_printf(&b, "%s{\"metric\":{\"i\":\"%zu\"},\"value\":[1,"
		    "\"1\"]}", i ? "," : "", i);
	lc_buf_adds(&b, "]}}");
	rc = lc_prom_parse(b.data, b.len, &r);
	ok(rc == LC_EDATA && r.nseries == 0, "100,001 series refused: %d", rc);
	is_str(lc_error_msg(), "Prometheus: the answer holds 100001 series, more "
	    "than 100000: aggregate the query (sum by, topk)", "the message");
	b.len = 0;
	lc_buf_adds(&b, "{\"status\":\"success\",\"data\":{\"resultType\":"
	    "\"matrix\",\"result\":[{\"metric\":{\"i\":\"0\"},\"values\":"
	    "[[1,\"1\"]]},{\"metric\":{},\"values\":[");
	for (i = 0; i < 1000000; i++)
		lc_buf_adds(&b, i ? ",[1,\"1\"]" : "[1,\"1\"]");
	lc_buf_adds(&b, "]}]}}");
	rc = lc_prom_parse(b.data, b.len, &r);
	ok(rc == LC_EDATA && r.nseries == 0, "1,000,001 points refused: %d", rc);
	is_str(lc_error_msg(), "Prometheus: the answer holds more than 1000000 "
	    "points: narrow the query (aggregate it with sum by or topk, a "
	    "shorter --window, a larger --step)", "the message");
	rc = lc_prom_parse(OK("vector", "[]"), strlen(OK("vector", "[]")), &r);
	ok(rc == 0 && r.nseries == 0, "lc_prom_parse without a server: %d", rc);
	rc = lc_prom_parse(NULL, 0, &r);
	ok(rc == LC_EDATA, "an empty answer: %d", rc);
	is_str(lc_error_msg(), "Prometheus: the answer is not the Prometheus "
	    "API's JSON (it starts ''): is the URL Prometheus's, with its path "
	    "prefix?", "the message");
	lc_prom_result_release(&r);
	lc_buf_release(&b);
}

int
main(void)
{
	test_answers();
	test_requests();
	test_auth();
	test_secrets();
	test_refusals();
	test_order();
	test_limits();
	return done_testing();
}
