/* prom.c: the Prometheus HTTP API: instant and range queries. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jv.h>

#include "base64.h"
#include "buf.h"
#include "error.h"
#include "http.h"
#include "jvutil.h"
#include "log.h"
#include "prom.h"

/*
 * What one answer may hold: Prometheus itself stops a range query at
 * 11,000 points per series, and a canary check reads a handful of
 * series. These bound what a wrong query or a hostile server can make
 * us hold. The body is capped before jv parses it, since the whole
 * answer is held as jv (some 40 bytes for each byte of JSON) before
 * the points are counted: 10 million points took 3.6 GB. Peak RSS
 * measured with /usr/bin/time -v, each answer refused for its points:
 * a 19.9 MB body of 1.5 million points [t,"1"], 522 MB; the densest,
 * a 20.0 MB body of 2.6 million [1,"1"], 891 MB (at 32 MB it was 1.4
 * GB); 1 million points accepted, 367 MB.
 */
#define MAX_BODY	(20u << 20)
#define MAX_SERIES	100000
#define MAX_POINTS	1000000

/* The longest error text of Prometheus shown (it quotes the query). */
#define MAX_ERRTEXT	1024

struct lc_prom {
	struct lc_http *http;
	char *base;			/* the URL without trailing '/' */
	char *auth;			/* "Authorization: ..." or NULL */
	const char *auth_hint;		/* how to fix refused credentials */
};

static int
valid_url(const char *u)
{
	const char *host;
	size_t i;

	if (strncmp(u, "http://", 7) == 0)
		host = u + 7;
	else if (strncmp(u, "https://", 8) == 0)
		host = u + 8;
	else
		return 0;
	if (*host == '\0' || *host == '/')
		return 0;
	for (i = 0; u[i]; i++)
		if ((unsigned char)u[i] <= 0x20 || u[i] == 0x7f ||
		    u[i] == '?' || u[i] == '#')
			return 0;
	return 1;
}

static int
has_ctl(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

/* Register base64 of "user:pass", the form Basic authentication sends. */
static void
add_basic_secret(const char *user, size_t un, const char *pass, size_t pn)
{
	struct lc_buf b64 = LC_BUF_INIT;

	lc_base64_basic(&b64, user, un, pass, pn);
	memset(b64.data, 0, b64.len);
	lc_buf_release(&b64);
}

/* s[0..n) with its %XX escapes decoded, as curl sends URL userinfo. */
static void
pct_decode(struct lc_buf *out, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const char *h, *l;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n &&
		    (h = strchr(hex, s[i + 1] | 0x20)) != NULL &&
		    (l = strchr(hex, s[i + 2] | 0x20)) != NULL) {
			lc_buf_addc(out, (char)((h - hex) << 4 | (l - hex)));
			i += 2;
		} else
			lc_buf_addc(out, s[i]);
	}
}

/*
 * Credentials in the URL (http://user:password@host), which curl sends as
 * Basic authentication: the password, as written and decoded, and the
 * base64 of user:password become secrets; a user alone (a token, as in
 * https://TOKEN@host) too.
 */
static void
url_secrets(const char *url)
{
	struct lc_buf user = LC_BUF_INIT, pass = LC_BUF_INIT;
	const char *a = strstr(url, "://") + 3, *at = NULL, *colon;
	size_t n = strcspn(a, "/"), i;

	for (i = 0; i < n; i++)
		if (a[i] == '@')
			at = a + i;
	if (at == NULL)
		return;
	colon = memchr(a, ':', (size_t)(at - a));
	pct_decode(&user, a, (size_t)((colon ? colon : at) - a));
	if (colon != NULL) {
		lc_buf_add(&pass, colon + 1, (size_t)(at - colon - 1));
		lc_log_add_secret(pass.data ? pass.data : "");
		pass.len = 0;
		pct_decode(&pass, colon + 1, (size_t)(at - colon - 1));
		lc_log_add_secret(pass.data ? pass.data : "");
	} else
		lc_log_add_secret(user.data ? user.data : "");
	add_basic_secret(user.data ? user.data : "", user.len,
	    pass.data ? pass.data : "", pass.len);
	if (pass.data)
		memset(pass.data, 0, pass.len);
	lc_buf_release(&user);
	lc_buf_release(&pass);
}

/* Whether a header's name says it carries a credential. */
static int
secret_header(const char *name, size_t n)
{
	static const char *const whole[] = { "authorization",
	    "proxy-authorization", "cookie" }, *const part[] = { "token",
	    "key", "secret", "auth" };
	size_t i, k, w;

	for (i = 0; i < sizeof(whole) / sizeof(whole[0]); i++)
		if (n == strlen(whole[i]) && strncasecmp(name, whole[i], n) == 0)
			return 1;
	for (i = 0; i < sizeof(part) / sizeof(part[0]); i++) {
		w = strlen(part[i]);
		for (k = 0; k + w <= n; k++)
			if (strncasecmp(name + k, part[i], w) == 0)
				return 1;
	}
	return 0;
}

/*
 * The values of extra headers that carry credentials become secrets:
 * the whole value, and, when it is "Scheme credential", the credential.
 */
static void
header_secrets(const char *const *hdrs, size_t n)
{
	const char *h, *colon, *v, *sp;
	size_t i;

	for (i = 0; i < n; i++) {
		if ((h = hdrs[i]) == NULL || (colon = strchr(h, ':')) == NULL ||
		    !secret_header(h, (size_t)(colon - h)))
			continue;
		for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
			;
		lc_log_add_secret(v);
		if ((sp = strchr(v, ' ')) != NULL) {
			while (*sp == ' ')
				sp++;
			lc_log_add_secret(sp);
		}
	}
}

int
lc_prom_new(struct lc_prom **out, const struct lc_prom_conf *conf)
{
	struct lc_prom *p;
	struct lc_buf b = LC_BUF_INIT;
	size_t n;
	int rc;

	*out = NULL;
	if (conf->url == NULL || !valid_url(conf->url)) {
		lc_log_clean(&b, conf->url ? conf->url : "");
		rc = lc_error_set(LC_EUSAGE, "the Prometheus URL '%s' is not "
		    "http(s)://HOST[:PORT][/PREFIX] (no spaces, query or "
		    "fragment)", b.data ? b.data : "");
		lc_buf_release(&b);
		return rc;
	}
	if (conf->token && conf->username)
		return lc_error_set(LC_EUSAGE, "give Prometheus a bearer token "
		    "or a username and password, not both");
	if (conf->token && (*conf->token == '\0' || has_ctl(conf->token)))
		return lc_error_set(LC_EUSAGE, "the Prometheus token is empty "
		    "or holds a control character (a line break?)");
	if (conf->username && strchr(conf->username, ':') != NULL)
		return lc_error_set(LC_EUSAGE, "the Prometheus username holds "
		    "':', which basic authentication cannot carry");
	url_secrets(conf->url);
	header_secrets(conf->http.headers, conf->http.nheaders);
	p = lc_buf_xmalloc(sizeof(*p));
	memset(p, 0, sizeof(*p));
	if ((rc = lc_http_new(&p->http, &conf->http)) != 0 ||
	    (strncmp(conf->url, "https:", 6) == 0 &&
	    (rc = lc_http_ca_check(p->http)) != 0)) {
		lc_prom_free(p);
		return rc;
	}
	n = strlen(conf->url);
	while (n > 0 && conf->url[n - 1] == '/')
		n--;
	p->base = lc_buf_xstrndup(conf->url, n);
	if (conf->token) {
		lc_log_add_secret(conf->token);
		lc_buf_printf(&b, "Authorization: Bearer %s", conf->token);
		p->auth = lc_buf_detach(&b);
		p->auth_hint = "--token-file/PROMETHEUS_TOKEN";
	} else if (conf->username) {
		const char *pw = conf->password ? conf->password : "";

		lc_log_add_secret(pw);
		lc_buf_adds(&b, "Authorization: Basic ");
		lc_base64_basic(&b, conf->username, strlen(conf->username),
		    pw, strlen(pw));
		p->auth = lc_buf_detach(&b);
		p->auth_hint = "--username/--password-file";
	} else
		p->auth_hint = "--token-file/PROMETHEUS_TOKEN or --username/"
		    "--password-file";
	*out = p;
	return 0;
}

void
lc_prom_free(struct lc_prom *p)
{
	if (p == NULL)
		return;
	lc_http_free(p->http);
	if (p->auth) {
		memset(p->auth, 0, strlen(p->auth));
		free(p->auth);
	}
	free(p->base);
	free(p);
}

unsigned long
lc_prom_requests(const struct lc_prom *p)
{
	return lc_http_sent(p->http);
}

void
lc_prom_result_release(struct lc_prom_result *r)
{
	size_t i;

	for (i = 0; i < r->nseries; i++) {
		free(r->series[i].labels);
		free(r->series[i].t);
		free(r->series[i].v);
	}
	free(r->series);
	for (i = 0; i < r->nwarnings; i++)
		free(r->warnings[i]);
	free(r->warnings);
	memset(r, 0, sizeof(*r));
	r->type = LC_PROM_VECTOR;
}

/* ---- the answer ------------------------------------------------------ */

/* n elements of size bytes, or NULL with the product over SIZE_MAX. */
static void *
alloc_array(size_t n, size_t size)
{
	if (n == 0)
		n = 1;
	if (n > SIZE_MAX / size)
		return NULL;
	return lc_buf_xmalloc(n * size);
}

/*
 * Append s[0..n) to out with the log's secrets masked (lc_log_redact), NUL
 * bytes kept: a server that echoes a credential in a label or a warning
 * must not get it onto stdout, where the log's redaction never looks.
 */
static void
add_redacted(struct lc_buf *out, const char *s, size_t n)
{
	struct lc_buf part = LC_BUF_INIT;
	size_t k;

	for (;;) {
		k = strnlen(s, n);
		part.len = 0;
		lc_buf_add(&part, s, k);
		lc_log_redact(out, part.data ? part.data : "");
		if (k == n)
			break;
		lc_buf_addc(out, '\0');
		s += k + 1;
		n -= k + 1;
	}
	lc_buf_release(&part);
}

/* Append the bytes of the jv string s (borrowed) to b, secrets masked. */
static void
add_jv_str(struct lc_buf *b, jv s)
{
	add_redacted(b, jv_string_value(s), (size_t)jv_string_length_bytes(
	    jv_copy(s)));
}

static int
is_name(const char *s, size_t n, int metric)
{
	size_t i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    c == '_' || (metric && c == ':') ||
		    (i > 0 && c >= '0' && c <= '9')))
			return 0;
	}
	return 1;
}

/* A PromQL string literal: "..." with \\ \" \n \r \t and \xHH escapes. */
static void
add_quoted(struct lc_buf *b, const char *s, size_t n)
{
	size_t i;

	lc_buf_addc(b, '"');
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\\' || c == '"') {
			lc_buf_addc(b, '\\');
			lc_buf_addc(b, c);
		} else if (c == '\n')
			lc_buf_adds(b, "\\n");
		else if (c == '\r')
			lc_buf_adds(b, "\\r");
		else if (c == '\t')
			lc_buf_adds(b, "\\t");
		else if (c < 0x20 || c == 0x7f)
			lc_buf_printf(b, "\\x%02x", c);
		else
			lc_buf_addc(b, c);
	}
	lc_buf_addc(b, '"');
}

/*
 * The labels of metric (borrowed) as PromQL writes them: name{a="x",b="y"},
 * names sorted bytewise, __name__ in front when it is a metric name (else
 * among the others); names that are not identifiers quoted, as Prometheus 3
 * writes UTF-8 names.
 */
static int
labels(jv metric, struct lc_buf *out, const char *where, size_t idx)
{
	struct lc_buf red = LC_BUF_INIT;
	jv keys, k, v, name = jv_invalid();
	int i, nk, first = 1;

	if (!jv_is_valid(metric) || jv_get_kind(metric) == JV_KIND_NULL) {
		lc_buf_adds(out, "{}");
		return 0;
	}
	if (jv_get_kind(metric) != JV_KIND_OBJECT)
		return lc_error_set(LC_EDATA, "%s: series %zu: \"metric\" is "
		    "not an object", where, idx);
	keys = jv_keys(jv_copy(metric));	/* sorted bytewise */
	nk = jv_array_length(jv_copy(keys));
	for (i = 0; i < nk; i++) {
		k = jv_array_get(jv_copy(keys), i);
		v = jv_object_get(jv_copy(metric), jv_copy(k));
		if (jv_get_kind(v) != JV_KIND_STRING) {
			jv_free(k);
			jv_free(v);
			jv_free(keys);
			jv_free(name);
			return lc_error_set(LC_EDATA, "%s: series %zu: a label "
			    "value is not a string", where, idx);
		}
		if (strcmp(jv_string_value(k), "__name__") == 0 &&
		    jv_string_length_bytes(jv_copy(k)) == 8 &&
		    is_name(jv_string_value(v), (size_t)jv_string_length_bytes(
		    jv_copy(v)), 1)) {
			jv_free(name);
			name = v;
		} else
			jv_free(v);
		jv_free(k);
	}
	if (jv_is_valid(name))
		add_jv_str(out, name);
	lc_buf_addc(out, '{');
	for (i = 0; i < nk; i++) {
		const char *ks;
		size_t kn;

		k = jv_array_get(jv_copy(keys), i);
		ks = jv_string_value(k);
		kn = (size_t)jv_string_length_bytes(jv_copy(k));
		if (jv_is_valid(name) && kn == 8 && memcmp(ks, "__name__", 8) ==
		    0) {
			jv_free(k);
			continue;
		}
		v = jv_object_get(jv_copy(metric), jv_copy(k));
		if (!first)
			lc_buf_addc(out, ',');
		first = 0;
		red.len = 0;
		add_redacted(&red, ks, kn);
		if (is_name(red.data, red.len, 0))
			lc_buf_add(out, red.data, red.len);
		else
			add_quoted(out, red.data, red.len);
		lc_buf_addc(out, '=');
		red.len = 0;
		add_jv_str(&red, v);
		add_quoted(out, red.data ? red.data : "", red.len);
		jv_free(v);
		jv_free(k);
	}
	lc_buf_addc(out, '}');
	if (jv_is_valid(name) && out->len >= 2 &&
	    memcmp(out->data + out->len - 2, "{}", 2) == 0) {
		out->len -= 2;			/* up, not up{} */
		out->data[out->len] = '\0';
	}
	jv_free(name);
	jv_free(keys);
	lc_buf_release(&red);
	return 0;
}

/*
 * A sample value as Prometheus writes it (Go's FormatFloat): "NaN",
 * "+Inf", "-Inf", or a decimal number, whole. Not strtod's words or hex.
 */
static int
parse_value(const char *s, size_t n, double *out)
{
	char *end;
	size_t i;

	if (n == 3 && memcmp(s, "NaN", 3) == 0) {
		*out = NAN;
		return 0;
	}
	if (n == 4 && (memcmp(s, "+Inf", 4) == 0 || memcmp(s, "-Inf", 4) ==
	    0)) {
		*out = s[0] == '-' ? -INFINITY : INFINITY;
		return 0;
	}
	if (n == 0 || n > 64 || strlen(s) != n)
		return -1;
	for (i = 0; i < n; i++)
		if (strchr("0123456789+-.eE", s[i]) == NULL)
			return -1;
	errno = 0;
	*out = strtod(s, &end);
	if (end != s + n || (errno == ERANGE && isinf(*out)))
		return -1;
	return 0;
}

/* Cut, cleaned text for a message: its first bytes, one line. */
static void
excerpt(struct lc_buf *out, const char *s, size_t n, size_t max)
{
	struct lc_buf raw = LC_BUF_INIT;

	lc_buf_add(&raw, s, n < max ? n : max);
	lc_log_clean(out, raw.data ? raw.data : "");
	if (n > max)
		lc_buf_adds(out, "...");
	lc_buf_release(&raw);
}

/* One point [t, "v"] (borrowed) into t[k], v[k]. */
static int
point(jv pt, double *t, double *v, const char *where, size_t idx)
{
	struct lc_buf e = LC_BUF_INIT;
	jv tj, vj;
	int rc = 0;

	if (jv_get_kind(pt) != JV_KIND_ARRAY ||
	    jv_array_length(jv_copy(pt)) != 2)
		return lc_error_set(LC_EDATA, "%s: series %zu: a point is not "
		    "[time, \"value\"]", where, idx);
	tj = jv_array_get(jv_copy(pt), 0);
	vj = jv_array_get(jv_copy(pt), 1);
	if (jv_get_kind(tj) != JV_KIND_NUMBER ||
	    !isfinite(*t = jv_number_value(tj)))
		rc = lc_error_set(LC_EDATA, "%s: series %zu: a point's time is "
		    "not a number", where, idx);
	else if (jv_get_kind(vj) != JV_KIND_STRING)
		rc = lc_error_set(LC_EDATA, "%s: series %zu: a point's value "
		    "is not a string, as in [time, \"value\"]", where, idx);
	else if (parse_value(jv_string_value(vj), (size_t)
	    jv_string_length_bytes(jv_copy(vj)), v) != 0) {
		excerpt(&e, jv_string_value(vj), (size_t)jv_string_length_bytes(
		    jv_copy(vj)), 40);
		rc = lc_error_set(LC_EDATA, "%s: series %zu: the value '%s' is "
		    "not a number", where, idx, e.data ? e.data : "");
		lc_buf_release(&e);
	}
	jv_free(tj);
	jv_free(vj);
	return rc;
}

static int
cmp_series(const void *a, const void *b)
{
	return strcmp(((const struct lc_prom_series *)a)->labels,
	    ((const struct lc_prom_series *)b)->labels);
}

/* The points of one series: one (vector), or pts (matrix), borrowed. */
static int
series_points(struct lc_prom_series *s, jv pts, int many, size_t *total,
    const char *where, size_t idx)
{
	size_t n, k;
	jv pt;
	int rc;

	if (!many)
		n = 1;
	else if (jv_get_kind(pts) != JV_KIND_ARRAY)
		return lc_error_set(LC_EDATA, "%s: series %zu: \"values\" is "
		    "not an array", where, idx);
	else
		n = (size_t)jv_array_length(jv_copy(pts));
	if (n > MAX_POINTS - *total)
		return lc_error_set(LC_EDATA, "%s: the answer holds more than "
		    "%d points: narrow the query (aggregate it with sum by or "
		    "topk, a shorter --window, a larger --step)", where,
		    MAX_POINTS);
	*total += n;
	if ((s->t = alloc_array(n, sizeof(double))) == NULL ||
	    (s->v = alloc_array(n, sizeof(double))) == NULL)
		return lc_error_set(LC_EDATA, "%s: too many points", where);
	for (k = 0; k < n; k++) {
		pt = many ? jv_array_get(jv_copy(pts), (int)k) : jv_copy(pts);
		rc = point(pt, &s->t[k], &s->v[k], where, idx);
		jv_free(pt);
		if (rc != 0)
			return rc;
		s->n = k + 1;
		if (k > 0 && !(s->t[k] > s->t[k - 1]))
			return lc_error_set(LC_EDATA, "%s: series %zu: the "
			    "times of its points do not increase", where, idx);
	}
	return 0;
}

/* data.result of a vector or matrix (borrowed) into out. */
static int
parse_series(jv result, int matrix, struct lc_prom_result *out,
    const char *where)
{
	struct lc_buf lb = LC_BUF_INIT;
	size_t n, i, total = 0;
	jv item, metric, pts;
	int rc = 0;

	if (jv_get_kind(result) != JV_KIND_ARRAY)
		return lc_error_set(LC_EDATA, "%s: \"data.result\" of a %s is "
		    "not an array", where, matrix ? "matrix" : "vector");
	n = (size_t)jv_array_length(jv_copy(result));
	if (n > MAX_SERIES)
		return lc_error_set(LC_EDATA, "%s: the answer holds %zu series, "
		    "more than %d: aggregate the query (sum by, topk)", where,
		    n, MAX_SERIES);
	if (n && (out->series = alloc_array(n, sizeof(*out->series))) ==
	    NULL)
		return lc_error_set(LC_EDATA, "%s: too many series", where);
	for (i = 0; i < n && rc == 0; i++) {
		memset(&out->series[i], 0, sizeof(out->series[i]));
		out->series[i].pos = i;
		out->nseries = i + 1;
		item = jv_array_get(jv_copy(result), (int)i);
		if (jv_get_kind(item) != JV_KIND_OBJECT) {
			jv_free(item);
			rc = lc_error_set(LC_EDATA, "%s: series %zu is not an "
			    "object", where, i);
			break;
		}
		metric = jv_object_get(jv_copy(item), jv_string("metric"));
		pts = jv_object_get(jv_copy(item), jv_string(matrix ?
		    "values" : "value"));
		lb.len = 0;
		if ((rc = labels(metric, &lb, where, i)) == 0) {
			out->series[i].labels = lc_buf_xstrndup(lb.data,
			    lb.len);
			if (!jv_is_valid(pts))
				rc = lc_error_set(LC_EDATA, "%s: series %zu has "
				    "no \"%s\"%s", where, i, matrix ? "values" :
				    "value", jv_object_has(jv_copy(item),
				    jv_string(matrix ? "histograms" :
				    "histogram")) ? " (a native histogram: "
				    "query a quantile or a counter of it)" : "");
			else
				rc = series_points(&out->series[i], pts, matrix,
				    &total, where, i);
		}
		jv_free(metric);
		jv_free(pts);
		jv_free(item);
	}
	lc_buf_release(&lb);
	if (rc != 0)
		return rc;
	if (out->nseries > 1)
		qsort(out->series, out->nseries, sizeof(*out->series),
		    cmp_series);
	for (i = 1; i < out->nseries; i++)
		if (strcmp(out->series[i].labels, out->series[i - 1].labels) ==
		    0) {
			excerpt(&lb, out->series[i].labels,
			    strlen(out->series[i].labels), 200);
			rc = lc_error_set(LC_EDATA, "%s: two series with the "
			    "labels %s", where, lb.data);
			lc_buf_release(&lb);
			return rc;
		}
	return 0;
}

/* The answer's "warnings" (borrowed), kept as they came. */
static int
parse_warnings(jv w, struct lc_prom_result *out, const char *where)
{
	struct lc_buf b = LC_BUF_INIT;
	size_t n, i;
	jv s;

	if (!jv_is_valid(w) || jv_get_kind(w) == JV_KIND_NULL)
		return 0;
	if (jv_get_kind(w) != JV_KIND_ARRAY)
		return lc_error_set(LC_EDATA, "%s: \"warnings\" is not an array",
		    where);
	n = (size_t)jv_array_length(jv_copy(w));
	if (n && (out->warnings = alloc_array(n, sizeof(char *))) == NULL)
		return lc_error_set(LC_EDATA, "%s: too many warnings", where);
	for (i = 0; i < n; i++) {
		s = jv_array_get(jv_copy(w), (int)i);
		if (jv_get_kind(s) != JV_KIND_STRING) {
			jv_free(s);
			lc_buf_release(&b);
			return lc_error_set(LC_EDATA, "%s: a warning is not a "
			    "string", where);
		}
		b.len = 0;
		add_jv_str(&b, s);
		out->warnings[i] = lc_buf_xstrndup(b.data ? b.data : "", b.len);
		out->nwarnings = i + 1;
		jv_free(s);
	}
	lc_buf_release(&b);
	return 0;
}

/* "Prometheus refused the query: <errorType>: <error>", from an answer. */
static int
refused(jv ans)
{
	struct lc_buf t = LC_BUF_INIT, e = LC_BUF_INIT;
	const char *type = "", *err = "";
	jv tj = jv_object_get(jv_copy(ans), jv_string("errorType"));
	jv ej = jv_object_get(jv_copy(ans), jv_string("error"));
	int rc;

	if (jv_get_kind(tj) == JV_KIND_STRING)
		type = jv_string_value(tj);
	if (jv_get_kind(ej) == JV_KIND_STRING)
		err = jv_string_value(ej);
	excerpt(&t, type, strlen(type), 64);
	excerpt(&e, err, strlen(err), MAX_ERRTEXT);
	rc = lc_error_set(LC_EDATA, "Prometheus refused the query: %s: %s",
	    t.len ? t.data : "(no errorType)", e.len ? e.data :
	    "(no error text)");
	lc_buf_release(&t);
	lc_buf_release(&e);
	jv_free(tj);
	jv_free(ej);
	return rc;
}

/* Whether body is an answer {"status":"error",...}; its message if so. */
static int
api_error(const char *body, size_t len)
{
	jv ans;
	int rc = 0;

	if (len == 0 || len > INT_MAX)
		return 0;
	ans = jv_parse_sized(body, (int)len);
	if (jv_get_kind(ans) == JV_KIND_OBJECT &&
	    strcmp(lc_jvutil_str(ans, "status"), "error") == 0)
		rc = refused(ans);
	jv_free(ans);
	return rc;
}

static int
parse(const char *body, size_t len, struct lc_prom_result *out,
    const char *where)
{
	struct lc_buf e = LC_BUF_INIT;
	jv ans, data = jv_invalid(), type = jv_invalid(), result = jv_invalid();
	const char *st, *ts;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	out->type = LC_PROM_VECTOR;
	if (len > INT_MAX)
		return lc_error_set(LC_EDATA, "%s: the answer is larger than "
		    "2 GB", where);
	ans = jv_parse_sized(body ? body : "", (int)len);
	if (jv_get_kind(ans) != JV_KIND_OBJECT) {
		excerpt(&e, body ? body : "", len, 60);
		rc = lc_error_set(LC_EDATA, "%s: the answer is not the "
		    "Prometheus API's JSON (it starts '%s'): is the URL "
		    "Prometheus's, with its path prefix?", where, e.data ?
		    e.data : "");
		goto done;
	}
	st = lc_jvutil_str(ans, "status");
	if (strcmp(st, "error") == 0) {
		rc = refused(ans);
		goto done;
	}
	if (strcmp(st, "success") != 0) {
		rc = lc_error_set(LC_EDATA, "%s: the answer's \"status\" is "
		    "neither \"success\" nor \"error\"", where);
		goto done;
	}
	data = jv_object_get(jv_copy(ans), jv_string("data"));
	if (jv_get_kind(data) != JV_KIND_OBJECT) {
		rc = lc_error_set(LC_EDATA, "%s: the answer has no \"data\" "
		    "object", where);
		goto done;
	}
	type = jv_object_get(jv_copy(data), jv_string("resultType"));
	result = jv_object_get(jv_copy(data), jv_string("result"));
	ts = jv_get_kind(type) == JV_KIND_STRING ? jv_string_value(type) : "";
	if (strcmp(ts, "vector") == 0)
		rc = parse_series(result, 0, out, where);
	else if (strcmp(ts, "matrix") == 0) {
		out->type = LC_PROM_MATRIX;
		rc = parse_series(result, 1, out, where);
	} else if (strcmp(ts, "scalar") == 0) {
		size_t total = 0;

		out->type = LC_PROM_SCALAR;
		out->series = lc_buf_xmalloc(sizeof(*out->series));
		memset(out->series, 0, sizeof(*out->series));
		out->nseries = 1;
		out->series[0].labels = lc_buf_xstrndup("{}", 2);
		rc = series_points(&out->series[0], result, 0, &total, where,
		    0);
	} else if (strcmp(ts, "string") == 0)
		rc = lc_error_set(LC_EDATA, "%s: the query gives a string "
		    "result, not numbers", where);
	else {
		excerpt(&e, ts, strlen(ts), 40);
		rc = lc_error_set(LC_EDATA, "%s: the answer's \"resultType\" "
		    "'%s' is none of vector, matrix, scalar", where, e.data ?
		    e.data : "");
	}
	if (rc == 0) {
		jv w = jv_object_get(jv_copy(ans), jv_string("warnings"));

		rc = parse_warnings(w, out, where);
		jv_free(w);
	}
done:
	if (rc != 0)
		lc_prom_result_release(out);
	lc_buf_release(&e);
	jv_free(result);
	jv_free(type);
	jv_free(data);
	jv_free(ans);
	return rc;
}

int
lc_prom_parse(const char *body, size_t len, struct lc_prom_result *out)
{
	return parse(body, len, out, "Prometheus");
}

/* ---- the requests ---------------------------------------------------- */

/* "&key=" and val, form-encoded: RFC 3986's unreserved bytes kept. */
static void
form_add(struct lc_buf *f, const char *key, const char *val)
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned char c;

	if (f->len)
		lc_buf_addc(f, '&');
	lc_buf_adds(f, key);
	lc_buf_addc(f, '=');
	for (; *val; val++) {
		c = (unsigned char)*val;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~')
			lc_buf_addc(f, c);
		else {
			lc_buf_addc(f, '%');
			lc_buf_addc(f, hex[c >> 4]);
			lc_buf_addc(f, hex[c & 15]);
		}
	}
}

/*
 * A time as Unix seconds with milliseconds, so that a fractional --at
 * survives; Prometheus itself keeps milliseconds.
 */
static int
form_time(struct lc_buf *f, const char *key, double t)
{
	char s[64];

	/* Year 1 to 9999 is all Prometheus parses. */
	if (!isfinite(t) || t < -62135596800.0 || t > 253402300799.0)
		return lc_error_set(LC_EUSAGE, "the Prometheus query's %s is "
		    "not a time between years 1 and 9999", key);
	snprintf(s, sizeof(s), "%.3f", t);
	form_add(f, key, s);
	return 0;
}

/*
 * A server error that may pass (500, 502, 503, 504): Prometheus or the
 * proxy before it is failing or overloaded. Other 5xx answers (501 Not
 * Implemented, 505) say that this is not the Prometheus API: retrying
 * later will not help.
 */
static int
busy(long status)
{
	return status == 500 || status == 502 || status == 503 ||
	    status == 504;
}

/*
 * The answer r to a request to url, not 200 (a 5xx may have outlasted
 * the retries already): its error, with Prometheus's text when it sent one.
 */
static int
http_error(const struct lc_prom *p, const char *url,
    const struct lc_http_resp *r)
{
	struct lc_buf e = LC_BUF_INIT;
	int rc;

	if (r->status == 401 || r->status == 403)
		return lc_error_set(LC_EAUTH, "Prometheus refused the "
		    "credentials (HTTP %ld); check %s", r->status, p->auth_hint);
	if ((rc = api_error(r->body.data, r->body.len)) != 0) {
		if (!busy(r->status))
			return rc;
		lc_buf_adds(&e, lc_error_msg());
		rc = lc_error_set(LC_EUNAVAIL, "%s: HTTP %ld: %s", url,
		    r->status, e.data);
		lc_buf_release(&e);
		return rc;
	}
	excerpt(&e, r->body.data ? r->body.data : "", r->body.len, 60);
	if (r->status == 404)
		rc = lc_error_set(LC_EDATA, "%s: HTTP 404: is the URL "
		    "Prometheus's, with its path prefix?", url);
	else
		rc = lc_error_set(busy(r->status) ? LC_EUNAVAIL : LC_EDATA,
		    "%s: HTTP %ld, not the Prometheus API's answer%s%s%s", url,
		    r->status, e.len ? " ('" : "", e.len ? e.data : "",
		    e.len ? "')" : "");
	lc_buf_release(&e);
	return rc;
}

/* POST form to path; the answer must be of type want (or a scalar). */
static int
post(struct lc_prom *p, const char *path, const struct lc_buf *form,
    enum lc_prom_type want, long long deadline, struct lc_prom_result *out)
{
	struct lc_http_req req;
	struct lc_http_resp r = LC_HTTP_RESP_INIT;
	struct lc_buf url = LC_BUF_INIT;
	const char *hdrs[4];
	int rc;

	lc_buf_printf(&url, "%s%s", p->base, path);
	hdrs[0] = "Content-Type: application/x-www-form-urlencoded";
	hdrs[1] = "Accept: application/json";
	hdrs[2] = p->auth;
	hdrs[3] = NULL;
	memset(&req, 0, sizeof(req));
	req.method = "POST";
	req.url = url.data;
	req.headers = hdrs;
	req.body = form->data;
	req.body_len = form->len;
	req.deadline = deadline;
	req.max_body = MAX_BODY;
	rc = lc_http_request(p->http, &req, &r, NULL);
	if (rc == LC_ERROR && strstr(lc_error_msg(), ": the answer is larger "
	    "than ") != NULL)		/* lc_http_request's words */
		rc = lc_error_set(LC_EDATA, "%s: the answer is larger than "
		    "%u MB: narrow the query (aggregate it with sum by or topk, "
		    "a shorter --window, a larger --step)", url.data,
		    MAX_BODY >> 20);
	if ((rc == 0 && r.status != 200) || (rc == LC_EUNAVAIL &&
	    r.status >= 500))
		rc = http_error(p, url.data, &r);
	else if (rc == 0 && (rc = parse(r.body.data, r.body.len, out,
	    url.data)) == 0 && out->type != want &&
	    !(want == LC_PROM_VECTOR && out->type == LC_PROM_SCALAR)) {
		lc_prom_result_release(out);
		rc = lc_error_set(LC_EDATA, want == LC_PROM_VECTOR ? "%s: the "
		    "query gives a range vector: drop its [range], or take "
		    "rate() or another function of it" : "%s: the answer to a "
		    "range query is not a matrix", url.data);
	}
	lc_http_resp_release(&r);
	lc_buf_release(&url);
	return rc;
}

int
lc_prom_query(struct lc_prom *p, const char *promql, double at,
    long long deadline, struct lc_prom_result *out)
{
	struct lc_buf f = LC_BUF_INIT;
	int rc;

	memset(out, 0, sizeof(*out));
	out->type = LC_PROM_VECTOR;
	form_add(&f, "query", promql);
	if ((rc = form_time(&f, "time", at)) == 0) {
		lc_log_debug("POST %s/api/v1/query query=%s time=%.3f", p->base,
		    promql, at);
		rc = post(p, "/api/v1/query", &f, LC_PROM_VECTOR, deadline,
		    out);
	}
	lc_buf_release(&f);
	return rc;
}

int
lc_prom_query_range(struct lc_prom *p, const char *promql, double start,
    double end, double step, long long deadline, struct lc_prom_result *out)
{
	struct lc_buf f = LC_BUF_INIT;
	char s[64];
	int rc;

	memset(out, 0, sizeof(*out));
	out->type = LC_PROM_MATRIX;
	if (!isfinite(step) || step < 0.001 || step > 1e9)
		return lc_error_set(LC_EUSAGE, "the Prometheus range query's "
		    "step is not between 1 ms and 1e9 s");
	if (!(end >= start))
		return lc_error_set(LC_EUSAGE, "the Prometheus range query "
		    "ends before it starts");
	form_add(&f, "query", promql);
	if ((rc = form_time(&f, "start", start)) == 0 &&
	    (rc = form_time(&f, "end", end)) == 0) {
		snprintf(s, sizeof(s), "%.3f", step);
		form_add(&f, "step", s);
		lc_log_debug("POST %s/api/v1/query_range query=%s start=%.3f "
		    "end=%.3f step=%s", p->base, promql, start, end, s);
		rc = post(p, "/api/v1/query_range", &f, LC_PROM_MATRIX,
		    deadline, out);
	}
	lc_buf_release(&f);
	return rc;
}
