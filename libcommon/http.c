/* http.c: libcurl wrapper: HTTP/1.1, TLS settings, retries, deadlines, streams. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "ca.h"
#include "clock.h"
#include "error.h"
#include "http.h"
#include "log.h"

#define MAX_BODY	(256u << 20)	/* a 500-app list is a few MB */

struct lc_http {
	CURL *easy;			/* reused: keeps the connection alive */
	struct lc_http_conf conf;
	char *bearer;			/* "Authorization: Bearer ..." */
	struct curl_slist *connect_to;	/* GITOPS_CONNECT_TO */
	struct lc_ca ca;		/* --ca-file, or from the environment */
	int ca_checked;			/* lc_ca_check passed */
	unsigned long sent;		/* requests sent, retries included */
};

struct reply {
	struct lc_http_resp *r;
	long long retry_after_ms;
	long long reset_at;	/* x-ratelimit-reset, with remaining 0 */
	int exhausted;		/* x-ratelimit-remaining: 0 */
	int too_big;
	size_t max;			/* the largest body taken */
	struct lc_buf *hdrs;		/* header lines, when asked for */
	const char *url;		/* the request's */
	int to_https;			/* redirected to url with https */
	int nheaders;			/* header lines of the answer */
};

int
lc_http_new(struct lc_http **out, const struct lc_http_conf *conf)
{
	static int inited;
	struct lc_http *h;
	const char *v;

	*out = NULL;
	if (!inited) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
			return lc_error_set(LC_ERROR, "libcurl failed to start");
		inited = 1;
	}
	h = lc_buf_xmalloc(sizeof(*h));
	memset(h, 0, sizeof(*h));
	h->conf = *conf;
	if (h->conf.retries == 0)
		h->conf.retries = 5;
	if (h->conf.io_timeout_ms == 0)
		h->conf.io_timeout_ms = 30000;
	/*
	 * No --ca-file: the CAs the environment names, as curl, git, Go and
	 * Python take them (a TLS-intercepting proxy's CA, say). A bundle
	 * replaces libcurl's; a directory replaces its CA path.
	 */
	if (h->conf.ca_file == NULL) {
		lc_ca_env(0, &h->ca);
		h->conf.ca_file = h->ca.file;
	} else {
		h->ca.file = h->conf.ca_file;
		h->ca.file_from = h->conf.ca_flag ? h->conf.ca_flag : "--ca-file";
	}
	if ((h->easy = curl_easy_init()) == NULL) {
		free(h);
		return lc_error_set(LC_ERROR, "libcurl failed to start");
	}
	/*
	 * GITOPS_CONNECT_TO: "HOST:PORT:ADDR:PORT[,...]", as curl's
	 * --connect-to: reach a name at another address (TLS still checks the
	 * name). For private DNS setups, and for tests of cloud registries.
	 */
	if ((v = getenv("GITOPS_CONNECT_TO")) != NULL && *v) {
		char *copy = lc_buf_xstrndup(v, strlen(v)), *tok, *save = NULL;

		for (tok = strtok_r(copy, ",", &save); tok;
		    tok = strtok_r(NULL, ",", &save))
			h->connect_to = curl_slist_append(h->connect_to, tok);
		free(copy);
	}
	*out = h;
	return 0;
}

void
lc_http_free(struct lc_http *h)
{
	if (h == NULL)
		return;
	curl_easy_cleanup(h->easy);
	curl_slist_free_all(h->connect_to);
	free(h->bearer);
	free(h);
}

void
lc_http_set_bearer(struct lc_http *h, const char *token)
{
	struct lc_buf b = LC_BUF_INIT;

	free(h->bearer);
	h->bearer = NULL;
	if (token == NULL)
		return;
	lc_log_add_secret(token);
	lc_buf_printf(&b, "Authorization: Bearer %s", token);
	h->bearer = lc_buf_detach(&b);
}

unsigned long
lc_http_sent(const struct lc_http *h)
{
	return h->sent;
}

void
lc_http_resp_release(struct lc_http_resp *r)
{
	lc_buf_release(&r->body);
	r->status = 0;
	r->ctype[0] = '\0';
}

void
lc_http_origin(struct lc_buf *out, const char *url)
{
	const char *p = strstr(url, "://");
	size_t n;

	p = p ? p + 3 : url;
	n = strcspn(p, "/?#");
	lc_buf_add(out, url, (size_t)(p - url) + n);
}

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct reply *rp = arg;

	n *= size;
	if (rp->r->body.len + n > rp->max) {
		rp->too_big = 1;
		return 0;
	}
	lc_buf_add(&rp->r->body, p, n);
	return n;
}

static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	struct reply *rp = arg;
	size_t len = size * n, k;
	long v;

	if (len > 13 && strncasecmp(p, "Content-Type:", 13) == 0) {
		for (k = 13; k < len && p[k] == ' '; k++)
			;
		snprintf(rp->r->ctype, sizeof(rp->r->ctype), "%.*s",
		    (int)(len - k), p + k);
		rp->r->ctype[strcspn(rp->r->ctype, "\r\n")] = '\0';
	} else if (len > 12 && strncasecmp(p, "Retry-After:", 12) == 0) {
		v = strtol(p + 12, NULL, 10);
		if (v > 0 && v < 3600)
			rp->retry_after_ms = v * 1000;
	} else if (len > 22 && strncasecmp(p, "X-RateLimit-Remaining:", 22) ==
	    0) {
		rp->exhausted = strtol(p + 22, NULL, 10) == 0;
	} else if (len > 18 && strncasecmp(p, "X-RateLimit-Reset:", 18) == 0) {
		rp->reset_at = strtoll(p + 18, NULL, 10);
	} else if (len > 9 && strncasecmp(p, "Location:", 9) == 0 && rp->url &&
	    strncmp(rp->url, "http://", 7) == 0) {
		/* Argo CD's answer to plain HTTP on its TLS port. */
		size_t u = strlen(rp->url + 7);

		for (k = 9; k < len && p[k] == ' '; k++)
			;
		rp->to_https = len - k >= 8 + u &&
		    strncmp(p + k, "https://", 8) == 0 &&
		    strncmp(p + k + 8, rp->url + 7, u) == 0 &&
		    (len - k == 8 + u || p[k + 8 + u] == '\r' ||
		    p[k + 8 + u] == '\n');
	} else if (len >= 5 && strncmp(p, "HTTP/", 5) == 0) {
		/* A new response (after 100 Continue): start over. */
		rp->nheaders = 0;
		rp->r->body.len = 0;
		rp->r->ctype[0] = '\0';
		if (rp->hdrs)
			rp->hdrs->len = 0;
		return len;
	}
	if (strcspn(p, ":") < len)
		rp->nheaders++;
	if (rp->hdrs && (k = strcspn(p, ":")) < len) {
		size_t i, end = len;

		while (end > 0 && (p[end - 1] == '\r' || p[end - 1] == '\n'))
			end--;
		for (i = 0; i < k; i++)
			lc_buf_addc(rp->hdrs, tolower((unsigned char)p[i]));
		lc_buf_add(rp->hdrs, p + k, end - k);
		lc_buf_addc(rp->hdrs, '\n');
	}
	return len;
}

/* Options every request shares; the header list is returned to free. */
static struct curl_slist *
setup(struct lc_http *h, CURL *c, const char *method, const char *url,
    const char *body, const char *accept, const char *const *extra)
{
	struct curl_slist *hl = NULL;
	size_t i;

	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "gitops-utils/" VERSION);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
	/* A request without a time limit still notices a dead peer. */
	curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
	if (h->connect_to)
		curl_easy_setopt(c, CURLOPT_CONNECT_TO, h->connect_to);
	if (h->conf.ca_file)
		curl_easy_setopt(c, CURLOPT_CAINFO, h->conf.ca_file);
	if (h->ca.dir)
		curl_easy_setopt(c, CURLOPT_CAPATH, h->ca.dir);
	if (h->conf.insecure) {
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (h->conf.client_crt)
		curl_easy_setopt(c, CURLOPT_SSLCERT, h->conf.client_crt);
	if (h->conf.client_key)
		curl_easy_setopt(c, CURLOPT_SSLKEY, h->conf.client_key);
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	else if (strcmp(method, "GET") != 0) {
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body ? body : "");
		if (accept)
			hl = curl_slist_append(hl,
			    "Content-Type: application/json");
	} else
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	if (accept)
		hl = curl_slist_append(hl, accept);
	hl = curl_slist_append(hl, "Expect:");
	if (h->bearer)
		hl = curl_slist_append(hl, h->bearer);
	for (i = 0; i < h->conf.nheaders; i++)
		hl = curl_slist_append(hl, h->conf.headers[i]);
	for (i = 0; extra && extra[i]; i++)
		hl = curl_slist_append(hl, extra[i]);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	return hl;
}

int
lc_http_ca_check(struct lc_http *h)
{
	int rc;

	if (h->ca_checked || h->conf.insecure)
		return 0;
	if ((rc = lc_ca_check(&h->ca)) == 0)
		h->ca_checked = 1;
	return rc;
}

/*
 * Before the first https request: the CA settings name files that exist
 * (a mistake there is the user's, exit 2, not a refused server).
 */
static int
ca_ready(struct lc_http *h, const char *url)
{
	if (strncmp(url, "https:", 6) != 0)
		return 0;
	return lc_http_ca_check(h);
}

/*
 * What a TLS client says when the server answers the handshake in plain
 * HTTP ("HTTP/1.1 400 ..." read as a TLS record): OpenSSL 3 and 1.1,
 * LibreSSL, GnuTLS.
 */
static const char *
plain_http_reply(const char *why)
{
	static const char *const says[] = { "wrong version number",
	    "record too long", "packet length too long", "unknown protocol",
	    "unexpected TLS packet", "TLS packet with unexpected length" };
	size_t i;

	for (i = 0; i < sizeof(says) / sizeof(says[0]); i++)
		if (strstr(why, says[i]) != NULL)
			return says[i];
	return NULL;
}

/*
 * Map a libcurl failure to our codes, with a message naming the server;
 * *final is set when retrying cannot help.
 */
static int
curl_fail(const struct lc_http *h, CURLcode cc, const char *url,
    const char *errbuf, int *final)
{
	struct lc_buf o = LC_BUF_INIT;
	const char *why = *errbuf ? errbuf : curl_easy_strerror(cc), *says;
	const struct lc_ca *ca = &h->ca;
	int rc;

	lc_http_origin(&o, url);
	*final = 0;
	if (cc == CURLE_SSL_CONNECT_ERROR && strncmp(url, "https:", 6) == 0 &&
	    (says = plain_http_reply(why)) != NULL) {
		*final = 1;
		rc = lc_error_set(LC_EUNAVAIL, "%s speaks plain HTTP, not TLS "
		    "(%s); %s", o.data, says, h->conf.plain_hint ?
		    h->conf.plain_hint : "use an http:// URL");
		lc_buf_release(&o);
		return rc;
	}
	switch (cc) {
	case CURLE_SSL_CACERT_BADFILE:
		if (ca->file || ca->dir)
			rc = lc_error_set(LC_EUSAGE, "%s: TLS: the CA %s '%s' "
			    "(from %s) holds no certificate it can use (%s)",
			    o.data, ca->file ? "bundle" : "directory",
			    ca->file ? ca->file : ca->dir, ca->file ?
			    ca->file_from : ca->dir_from, why);
		else
			rc = lc_error_set(LC_EUSAGE, "%s: TLS: %s", o.data,
			    why);
		break;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_ISSUER_ERROR:
		if (ca->file_from || ca->dir_from)
			rc = lc_error_set(LC_EAUTH, "%s: TLS: %s; the CAs of %s "
			    "'%s' do not sign its certificate: name one that "
			    "does (or, knowingly, use --insecure)", o.data, why,
			    ca->file_from ? ca->file_from : ca->dir_from,
			    ca->file_from ? ca->file : ca->dir);
		else
			rc = lc_error_set(LC_EAUTH, "%s: TLS: %s; trust its CA "
			    "with %s%sSSL_CERT_FILE (or, knowingly, --insecure)",
			    o.data, why, h->conf.ca_flag ? h->conf.ca_flag : "",
			    h->conf.ca_flag ? " or " : "");
		break;
	case CURLE_OPERATION_TIMEDOUT:
		rc = lc_error_set(LC_ETIMEOUT, "%s: no answer in time (%s)",
		    o.data, why);
		break;
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_GOT_NOTHING:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_PARTIAL_FILE:
	case CURLE_SSL_CONNECT_ERROR:
		rc = lc_error_set(LC_EUNAVAIL, "%s: %s", o.data, why);
		break;
	default:
		rc = lc_error_set(LC_ERROR, "%s: %s", o.data, why);
	}
	lc_buf_release(&o);
	return rc;
}

/* "; ratelimit-limit: 100;w=21600, ratelimit-remaining: 0;w=21600" */
static void
rate_limits(const struct lc_buf *hdrs, struct lc_buf *out)
{
	const char *p, *nl;

	if (hdrs == NULL || hdrs->data == NULL)
		return;
	for (p = hdrs->data; *p; p = nl ? nl + 1 : p + strlen(p)) {
		nl = strchr(p, '\n');
		if (strncmp(p, "ratelimit-", 10) == 0 ||
		    strncmp(p, "docker-ratelimit-source:", 24) == 0)
			lc_buf_printf(out, "%s%.*s", out->len ? ", " : "; ",
			    (int)(nl ? nl - p : (long)strlen(p)), p);
	}
}

static int
transient_status(long st)
{
	return st == 429 || st == 502 || st == 503 || st == 504;
}

/*
 * An http:// request that a TLS server answered: Go's "Client sent an HTTP
 * request to an HTTPS server" (400), nginx's "The plain HTTP request was
 * sent to HTTPS port" (400), or Argo CD's redirect to the same URL with
 * https (307). LC_EUNAVAIL with the hint, else 0.
 */
static int
tls_reply(const struct lc_http *h, CURL *c, const char *url,
    const struct reply *rp)
{
	static const char *const says[] = {
	    "Client sent an HTTP request to an HTTPS server",
	    "The plain HTTP request was sent to HTTPS port" };
	const struct lc_http_resp *r = rp->r;
	struct lc_buf o = LC_BUF_INIT, body = LC_BUF_INIT, why = LC_BUF_INIT;
	const char *said = NULL;
	long version = 0;
	size_t i;
	int rc;

	if (strncmp(url, "http://", 7) != 0)
		return 0;
	if (r->status == 400 && r->body.len) {
		lc_buf_add(&body, r->body.data, r->body.len);
		for (i = 0; i < sizeof(says) / sizeof(says[0]) && !said; i++)
			if (strstr(body.data, says[i]) != NULL)
				said = says[i];
		lc_buf_release(&body);
	}
	/*
	 * To a HEAD, whose answer's body is not read, Go's TLS server says
	 * only "HTTP/1.0 400 Bad Request", with not one header: no server
	 * answers HTTP/1.1 requests like that.
	 */
	curl_easy_getinfo(c, CURLINFO_HTTP_VERSION, &version);
	if (said)
		lc_buf_printf(&why, "%ld \"%s\"", r->status, said);
	else if (r->status == 400 && rp->nheaders == 0 &&
	    version == CURL_HTTP_VERSION_1_0 && r->body.len == 0)
		lc_buf_adds(&why, "a bare HTTP/1.0 400, as Go's TLS servers do");
	else if (rp->to_https && r->status >= 300 && r->status < 400)
		lc_buf_printf(&why, "%ld, redirecting to https://", r->status);
	else
		return 0;
	lc_http_origin(&o, url);
	rc = lc_error_set(LC_EUNAVAIL, "%s speaks TLS, not plain HTTP (it "
	    "answers %s); %s", o.data, why.data, h->conf.tls_hint ?
	    h->conf.tls_hint : "use an https:// URL");
	lc_buf_release(&why);
	lc_buf_release(&o);
	return rc;
}

static int request(struct lc_http *h, const struct lc_http_req *req,
    const char *accept, struct lc_http_resp *r, struct lc_buf *hdrs);

int
lc_http_do(struct lc_http *h, const char *method, const char *url,
    const char *body, const char *const *headers, long long deadline,
    struct lc_http_resp *r)
{
	struct lc_http_req q;

	memset(&q, 0, sizeof(q));
	q.method = method;
	q.url = url;
	q.headers = headers;
	q.body = body;
	q.body_len = body ? strlen(body) : 0;
	q.deadline = deadline;
	return request(h, &q, "Accept: application/json", r, NULL);
}

int
lc_http_request(struct lc_http *h, const struct lc_http_req *req,
    struct lc_http_resp *r, struct lc_buf *hdrs)
{
	return request(h, req, NULL, r, hdrs);
}

static int
request(struct lc_http *h, const struct lc_http_req *req, const char *accept,
    struct lc_http_resp *r, struct lc_buf *hdrs)
{
	const char *method = req->method, *url = req->url;
	const char *const *headers = req->headers;
	long long deadline = req->deadline;
	char errbuf[CURL_ERROR_SIZE];
	struct curl_slist *hl;
	struct reply rp;
	struct lc_buf o = LC_BUF_INIT, rl = LC_BUF_INIT;
	long long left, pause, t0;
	CURLcode cc;
	int attempt, final, rc = 0;

	if ((rc = ca_ready(h, url)) != 0)
		return rc;
	for (attempt = 0;; attempt++) {
		lc_http_resp_release(r);
		memset(&rp, 0, sizeof(rp));
		rp.r = r;
		rp.hdrs = hdrs;
		rp.max = req->max_body ? req->max_body : MAX_BODY;
		rp.url = url;
		if (hdrs)
			hdrs->len = 0;
		errbuf[0] = '\0';
		curl_easy_reset(h->easy);
		hl = setup(h, h->easy, method, url, NULL, accept, headers);
		if (req->aws_sigv4) {
			curl_easy_setopt(h->easy, CURLOPT_AWS_SIGV4,
			    req->aws_sigv4);
			curl_easy_setopt(h->easy, CURLOPT_USERPWD, req->userpwd);
		}
		if (strcmp(method, "HEAD") != 0 && strcmp(method, "GET") != 0) {
			curl_easy_setopt(h->easy, CURLOPT_POSTFIELDS,
			    req->body ? req->body : "");
			curl_easy_setopt(h->easy, CURLOPT_POSTFIELDSIZE_LARGE,
			    (curl_off_t)req->body_len);
		}
		curl_easy_setopt(h->easy, CURLOPT_ERRORBUFFER, errbuf);
		curl_easy_setopt(h->easy, CURLOPT_WRITEFUNCTION, on_body);
		curl_easy_setopt(h->easy, CURLOPT_WRITEDATA, &rp);
		curl_easy_setopt(h->easy, CURLOPT_HEADERFUNCTION, on_header);
		curl_easy_setopt(h->easy, CURLOPT_HEADERDATA, &rp);
		left = deadline ? deadline - lc_clock_ms() : h->conf.io_timeout_ms;
		if (!deadline && left < 0)
			left = 0;		/* no limit: CURLOPT_TIMEOUT_MS 0 */
		else if (left <= 0) {
			curl_slist_free_all(hl);
			lc_http_origin(&o, url);
			rc = lc_error_set(LC_ETIMEOUT, "%s: the deadline passed",
			    o.data);
			break;
		}
		curl_easy_setopt(h->easy, CURLOPT_TIMEOUT_MS, (long)left);
		t0 = lc_clock_ms();
		h->sent++;
		cc = curl_easy_perform(h->easy);
		curl_slist_free_all(hl);
		curl_easy_getinfo(h->easy, CURLINFO_RESPONSE_CODE, &r->status);
		lc_log_debug("%s %s -> %ld (%lld ms)", method, url,
		    cc == CURLE_OK ? r->status : -1L, lc_clock_ms() - t0);
		if (rp.too_big) {
			lc_http_origin(&o, url);
			rc = lc_error_set(LC_ERROR, "%s: the answer is larger "
			    "than %zu MB", o.data, rp.max >> 20);
			break;
		}
		if (cc != CURLE_OK) {
			rc = curl_fail(h, cc, url, errbuf, &final);
			if (rc != LC_EUNAVAIL || final)
				break;
		} else if ((rc = tls_reply(h, h->easy, url, &rp)) != 0) {
			break;
		} else if (transient_status(r->status) || (r->status == 403 &&
		    (rp.retry_after_ms || rp.exhausted))) {
			/* GitHub's rate limits answer 403 with these headers. */
			lc_http_origin(&o, url);
			rate_limits(hdrs, &rl);
			rc = lc_error_set(LC_EUNAVAIL, "%s answers %ld%s%s", o.data,
			    r->status, r->status == 503 || r->status == 502 ||
			    r->status == 504 ? " (unavailable)" :
			    " (too many requests)", rl.len ? rl.data : "");
			o.len = 0;
			rl.len = 0;
		} else {
			rc = 0;
			break;
		}
		if (attempt >= h->conf.retries || req->no_retry)
			break;
		pause = rp.retry_after_ms ? rp.retry_after_ms :
		    rp.exhausted && rp.reset_at ? rp.reset_at * 1000 -
		    (long long)time(NULL) * 1000 + 1000 :
		    lc_clock_backoff_ms(attempt, 200, 4000, 2);
		if (deadline && lc_clock_ms() + pause >= deadline)
			break;
		/* Without a deadline, no wait for a rate limit's reset hour. */
		if (!deadline && pause > 60000)
			break;
		lc_log_info("%s; retrying in %lld ms", lc_error_msg(), pause);
		lc_clock_sleep_ms(pause);
	}
	lc_buf_release(&o);
	lc_buf_release(&rl);
	return rc;
}

struct lc_http_stream {
	CURLM *multi;
	CURL *easy;
	struct curl_slist *hl;
	lc_http_data_fn fn;
	void *arg;
	int stop;
	long status;
	struct lc_http_resp err;	/* a non-200 answer's body */
	struct reply rp;
	char errbuf[CURL_ERROR_SIZE];
	char *url;
	long long heard;		/* lc_clock_ms() of the last byte */
	const struct lc_http *h;
};

/*
 * Keep-alive comments come every 15 s: 60 s without a byte is a dead link.
 * (Not curl's LOW_SPEED_LIMIT: its 1 byte/s over 60 s is an average, which
 * a quiet stream of 2-byte keep-alives never reaches.)
 */
#define STREAM_SILENCE_MS	60000

static size_t
on_stream(char *p, size_t size, size_t n, void *arg)
{
	struct lc_http_stream *s = arg;

	n *= size;
	s->heard = lc_clock_ms();
	if (s->status == 0)
		curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &s->status);
	if (s->status != 200) {
		if (s->err.body.len < 65536)
			lc_buf_add(&s->err.body, p, n);
		return n;
	}
	/* Every byte goes to fn, also after it asked to stop: none is lost. */
	if (s->fn(s->arg, p, n) != 0)
		s->stop = 1;
	return n;
}

int
lc_http_stream_open(struct lc_http *h, const char *url, const char *accept,
    lc_http_data_fn fn, void *arg, struct lc_http_stream **out)
{
	struct lc_http_stream *s;
	struct lc_buf a = LC_BUF_INIT;
	int rc;

	*out = NULL;
	if ((rc = ca_ready(h, url)) != 0)
		return rc;
	s = lc_buf_xmalloc(sizeof(*s));
	memset(s, 0, sizeof(*s));
	s->h = h;
	s->fn = fn;
	s->arg = arg;
	s->url = lc_buf_xstrndup(url, strlen(url));
	s->rp.r = &s->err;
	s->rp.max = MAX_BODY;
	if ((s->multi = curl_multi_init()) == NULL ||
	    (s->easy = curl_easy_init()) == NULL) {
		lc_http_stream_close(s);
		*out = NULL;
		return lc_error_set(LC_ERROR, "libcurl failed to start");
	}
	lc_buf_printf(&a, "Accept: %s", accept);
	s->hl = setup(h, s->easy, "GET", url, NULL, a.data, NULL);
	lc_buf_release(&a);
	curl_easy_setopt(s->easy, CURLOPT_ERRORBUFFER, s->errbuf);
	curl_easy_setopt(s->easy, CURLOPT_WRITEFUNCTION, on_stream);
	curl_easy_setopt(s->easy, CURLOPT_WRITEDATA, s);
	curl_easy_setopt(s->easy, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(s->easy, CURLOPT_HEADERDATA, &s->rp);
	s->heard = lc_clock_ms();
	curl_multi_add_handle(s->multi, s->easy);
	*out = s;
	return 0;
}

int
lc_http_stream_pump(struct lc_http_stream *s, long long until,
    struct lc_http_resp *err)
{
	struct lc_buf o = LC_BUF_INIT;
	CURLMsg *msg;
	long long left;
	int running = 1, q, final, rc = 0;
	CURLcode cc = CURLE_OK;

	s->stop = 0;
	for (;;) {
		curl_multi_perform(s->multi, &running);
		while ((msg = curl_multi_info_read(s->multi, &q)) != NULL)
			if (msg->msg == CURLMSG_DONE)
				cc = msg->data.result;
		if (s->stop)
			return 1;
		if (s->status == 0)
			curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE,
			    &s->status);
		if (!running)
			break;
		if (lc_clock_ms() - s->heard >= STREAM_SILENCE_MS)
			return lc_error_set(LC_EUNAVAIL, "the watch went silent "
			    "for %d s", STREAM_SILENCE_MS / 1000);
		if ((left = until - lc_clock_ms()) <= 0)
			return 0;
		curl_multi_poll(s->multi, NULL, 0, left > 1000 ? 1000 :
		    (int)left, NULL);
	}
	if (s->status != 0 && s->status != 200) {
		if (err) {
			lc_http_resp_release(err);
			err->status = s->status;
			lc_buf_add(&err->body, s->err.body.data ?
			    s->err.body.data : "", s->err.body.len);
			memcpy(err->ctype, s->err.ctype, sizeof(err->ctype));
		}
		lc_http_origin(&o, s->url);
		rc = transient_status(s->status) ? lc_error_set(LC_EUNAVAIL,
		    "%s answers %ld to the watch", o.data, s->status) :
		    lc_error_set(LC_ERROR, "%s answers %ld to the watch",
		    o.data, s->status);
	} else if (cc != CURLE_OK) {
		rc = curl_fail(s->h, cc, s->url, s->errbuf, &final);
		if (rc == LC_ETIMEOUT)
			rc = lc_error_set(LC_EUNAVAIL, "the watch went silent "
			    "for %d s", STREAM_SILENCE_MS / 1000);
	} else {
		lc_http_origin(&o, s->url);
		rc = lc_error_set(LC_EUNAVAIL, "%s closed the watch", o.data);
	}
	lc_buf_release(&o);
	return rc;
}

int
lc_http_stream_started(struct lc_http_stream *s, long long until)
{
	long long left;
	int running = 1;

	for (;;) {
		curl_multi_perform(s->multi, &running);
		if (s->status == 0)
			curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE,
			    &s->status);
		if (s->status != 0)
			return 1;
		if (!running || (left = until - lc_clock_ms()) <= 0)
			return 0;
		curl_multi_poll(s->multi, NULL, 0, left > 100 ? 100 :
		    (int)left, NULL);
	}
}

void
lc_http_stream_close(struct lc_http_stream *s)
{
	if (s == NULL)
		return;
	if (s->multi && s->easy)
		curl_multi_remove_handle(s->multi, s->easy);
	if (s->easy)
		curl_easy_cleanup(s->easy);
	if (s->multi)
		curl_multi_cleanup(s->multi);
	curl_slist_free_all(s->hl);
	lc_http_resp_release(&s->err);
	free(s->url);
	free(s);
}

/* ---- Server-Sent Events ---------------------------------------------- */

void
lc_http_sse_init(struct lc_http_sse *s, size_t max, lc_http_event_fn fn,
    void *arg)
{
	lc_buf_init(&s->line);
	lc_buf_init(&s->data);
	s->max = max ? max : LC_HTTP_SSE_MAX;
	s->fn = fn;
	s->arg = arg;
}

void
lc_http_sse_reset(struct lc_http_sse *s)
{
	/* Released, not emptied: an 8 MB line's memory goes back at once. */
	lc_buf_release(&s->line);
	lc_buf_release(&s->data);
}

void
lc_http_sse_release(struct lc_http_sse *s)
{
	lc_http_sse_reset(s);
}

static int
sse_too_long(struct lc_http_sse *s, const char *what)
{
	size_t max = s->max;

	lc_http_sse_reset(s);
	if (max >= (1u << 20) && max % (1u << 20) == 0)
		return lc_error_set(LC_EDATA, "the event stream sent %s longer "
		    "than %zu MB", what, max >> 20);
	return lc_error_set(LC_EDATA, "the event stream sent %s longer than "
	    "%zu bytes", what, max);
}

/* One whole line, without its '\n'. */
static int
sse_line(struct lc_http_sse *s, const char *line, size_t len)
{
	if (len && line[len - 1] == '\r')
		len--;
	if (len == 0) {
		if (s->data.len)
			s->fn(s->arg, s->data.data, s->data.len);
		s->data.len = 0;
	} else if (len >= 5 && memcmp(line, "data:", 5) == 0) {
		line += 5;
		len -= 5;
		if (len && *line == ' ') {
			line++;
			len--;
		}
		if (s->data.len + len + 1 > s->max)
			return sse_too_long(s, "an event");
		if (s->data.len)
			lc_buf_addc(&s->data, '\n');
		lc_buf_add(&s->data, line, len);
	} else if (*line == '{')
		s->fn(s->arg, line, len);		/* NDJSON */
	/* ":" keep-alives and other fields are skipped. */
	return 0;
}

int
lc_http_sse_feed(struct lc_http_sse *s, const char *p, size_t n)
{
	const char *nl;
	size_t k;
	int rc;

	while (n > 0) {
		/* Only the new bytes are searched for the line's end. */
		nl = memchr(p, '\n', n);
		k = nl ? (size_t)(nl - p) : n;
		if (k > s->max - s->line.len)
			return sse_too_long(s, "a line");
		if (nl == NULL) {
			lc_buf_add(&s->line, p, n);
			return 0;
		}
		if (s->line.len) {
			lc_buf_add(&s->line, p, k);
			rc = sse_line(s, s->line.data, s->line.len);
			s->line.len = 0;
		} else
			rc = sse_line(s, p, k);	/* whole in this chunk: no copy */
		if (rc != 0)
			return rc;
		p += k + 1;
		n -= k + 1;
	}
	return 0;
}
