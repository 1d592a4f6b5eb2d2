/* http_test.c: URL origins, the event-stream parser, and requests to a canned loopback server. */
#define _GNU_SOURCE		/* memmem, strcasestr */
#include <sys/socket.h>
#include <sys/wait.h>

#include <netinet/in.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "error.h"
#include "http.h"
#include "log.h"
#include "tap.h"

static const struct {
	const char *url, *origin;
} origins[] = {
	{ "https://argocd.example.com:8443/api/v1/applications?x=1",
	    "https://argocd.example.com:8443" },
	{ "http://127.0.0.1:5000?x", "http://127.0.0.1:5000" },
	{ "https://h#frag", "https://h" },
	{ "https://user@h/p", "https://user@h" },
	{ "h.example/x", "h.example" },
	{ "https://", "https://" },
	{ "", "" },
};

/* An event stream, and the events it gives, each followed by '|'. */
static const struct {
	const char *name, *in, *events;
	size_t max;
	int rc;
} sse[] = {
	{ "one event", "data: a\n\n", "a|", 0, 0 },
	{ "data lines joined by newlines", "data:a\ndata:  b\ndata:\n\n",
	    "a\n b\n|", 0, 0 },
	{ "CRLF lines", "data: x\r\n\r\ndata: y\r\n\r\n", "x|y|", 0, 0 },
	{ "comments, other fields and empty events are skipped",
	    ": keep-alive\nevent: msg\nid: 7\nretry: 10\n\n\ndata: z\n\n",
	    "z|", 0, 0 },
	{ "no blank line yet: nothing", "data: pending\n", "", 0, 0 },
	{ "NDJSON lines, without Accept: text/event-stream",
	    "{\"a\":1}\n{\"b\":2}\r\n", "{\"a\":1}|{\"b\":2}|", 0, 0 },
	{ "a data line is not NDJSON until its event ends",
	    "data: {\"a\":1}\n\n", "{\"a\":1}|", 0, 0 },
	{ "a line of exactly max bytes fits", "data: 123456\n\n", "123456|",
	    12, 0 },
	{ "a line one byte over max", "data: 1234567\n\n", "", 12, LC_EDATA },
	{ "an event of exactly max bytes fits",
	    "data:12\ndata:34\ndata:56\n\n", "12\n34\n56|", 8, 0 },
	{ "an event over max, its lines fitting",
	    "data:12\ndata:34\ndata:56\ndata:78\n\n", "", 8, LC_EDATA },
	{ "events before a refused one come through",
	    "data: a\n\ndata: 1234567\n\n", "a|", 12, LC_EDATA },
};

static struct lc_buf events = LC_BUF_INIT;

static void
on_event(void *arg, const char *p, size_t n)
{
	(void)arg;
	lc_buf_add(&events, p, n);
	lc_buf_addc(&events, '|');
}

/* Feed in in pieces of len bytes at a time (0: split once, at cut). */
static int
feed(const char *in, size_t max, size_t piece, size_t cut)
{
	struct lc_http_sse s;
	size_t n = strlen(in), k;
	int rc = 0;

	events.len = 0;
	lc_buf_adds(&events, "");
	lc_http_sse_init(&s, max, on_event, NULL);
	if (piece == 0) {
		if ((rc = lc_http_sse_feed(&s, in, cut)) == 0)
			rc = lc_http_sse_feed(&s, in + cut, n - cut);
	} else
		for (k = 0; k < n && rc == 0; k += piece)
			rc = lc_http_sse_feed(&s, in + k, n - k < piece ? n - k :
			    piece);
	lc_http_sse_release(&s);
	return rc;
}

/* ---- a loopback server with canned answers --------------------------- */

#define HANG "(hang)"

struct served {
	pid_t pid;
	int port, sock, logfd;
	char log[64];
};

/* Read one request head (and a Content-Length body) into log; 0 at EOF. */
static int
read_request(int fd, FILE *log)
{
	char buf[8192], *end, *cl;
	size_t n = 0, want, head;
	ssize_t k;

	while ((end = n ? memmem(buf, n, "\r\n\r\n", 4) : NULL) == NULL) {
		if (n == sizeof(buf) || (k = read(fd, buf + n, sizeof(buf) - n))
		    <= 0)
			return 0;
		n += (size_t)k;
	}
	head = (size_t)(end + 4 - buf);
	buf[head - 1] = '\0';
	want = head;
	if ((cl = strcasestr(buf, "\r\nContent-Length:")) != NULL)
		want += strtoul(cl + 17, NULL, 10);
	buf[head - 1] = '\n';
	while (n < want && n < sizeof(buf) && (k = read(fd, buf + n,
	    sizeof(buf) - n)) > 0)
		n += (size_t)k;
	fwrite(buf, 1, n < want ? n : want, log);
	fputs("\n--\n", log);
	fflush(log);
	return 1;
}

/* Listen on an ephemeral loopback port (sv->port). */
static void
listen_on(struct served *sv)
{
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	int one = 1;

	snprintf(sv->log, sizeof(sv->log), "/tmp/http_test.XXXXXX");
	sv->logfd = mkstemp(sv->log);
	sv->sock = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(sv->sock, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (sv->logfd < 0 || sv->sock < 0 || bind(sv->sock,
	    (struct sockaddr *)&a, sizeof(a)) != 0 || listen(sv->sock, 8) != 0 ||
	    getsockname(sv->sock, (struct sockaddr *)&a, &al) != 0)
		exit(99);
	sv->port = ntohs(a.sin_port);
}

/*
 * Serve replies[0..n), one connection each (they say Connection: close).
 * A reply that starts with '!' is sent as soon as anything comes, without
 * reading a request (a TLS handshake has no end of headers).
 */
static void
serve(struct served *sv, const char *const *replies, size_t n)
{
	char junk[4096];
	FILE *log;
	size_t i;
	int c;

	fflush(stdout);
	if ((sv->pid = fork()) != 0) {
		close(sv->sock);
		close(sv->logfd);
		return;
	}
	log = fdopen(sv->logfd, "w");
	for (i = 0; i < n; i++) {
		if ((c = accept(sv->sock, NULL, NULL)) < 0)
			_exit(98);
		if (replies[i][0] == '!') {
			if (read(c, junk, sizeof(junk)) < 0 || write(c,
			    replies[i] + 1, strlen(replies[i] + 1)) < 0)
				_exit(97);
		} else if (read_request(c, log)) {
			if (strcmp(replies[i], HANG) == 0) {
				pause();
				_exit(0);
			}
			if (write(c, replies[i], strlen(replies[i])) < 0)
				_exit(97);
		}
		shutdown(c, SHUT_WR);
		while (read(c, junk, sizeof(junk)) > 0)
			;
		close(c);
	}
	_exit(0);
}

/* Stop the server; the requests it read, in out (each ends "\n--\n"). */
static void
stop(struct served *sv, struct lc_buf *out)
{
	char buf[4096];
	FILE *f;
	size_t k;

	kill(sv->pid, SIGTERM);
	waitpid(sv->pid, NULL, 0);
	out->len = 0;
	lc_buf_adds(out, "");
	if ((f = fopen(sv->log, "r")) != NULL) {
		while ((k = fread(buf, 1, sizeof(buf), f)) > 0)
			lc_buf_add(out, buf, k);
		fclose(f);
	}
	unlink(sv->log);
}

/* The number of requests the server read. */
static int
nrequests(const struct lc_buf *log)
{
	const char *p = log->data;
	int n = 0;

	while ((p = strstr(p, "\n--\n")) != NULL) {
		n++;
		p += 4;
	}
	return n;
}

/*
 * One request (lc_http_request, no retry) against a canned answer: its
 * status line, header lines (a %s there is the server's host:port) and
 * body (Content-Length is added).
 */
static const struct {
	const char *name, *status, *headers, *body, *method;
	int rc;
	long want_status;
	const char *hdrs, *want_body, *err;
} one[] = {
	{ "200 with headers, names lower-cased, CRLF dropped", "200 OK",
	    "Content-Type: text/plain\r\nX-Thing:  two  words\r\n", "hi", "GET",
	    0, 200, "connection: close\ncontent-type: text/plain\nx-thing:  two  "
	    "words\ncontent-length: 2\n", "hi", NULL },
	{ "404 is an answer, not a failure", "404 Not Found", "", "", "GET", 0,
	    404, NULL, "", NULL },
	{ "500 is an answer: the caller decides", "500 Oops", "", "bad", "GET",
	    0, 500, NULL, "bad", NULL },
	{ "403 is an answer", "403 Forbidden", "", "", "GET", 0, 403, NULL, "",
	    NULL },
	{ "503 is unavailable", "503 Busy", "", "", "GET", LC_EUNAVAIL, 503,
	    NULL, NULL, "%s answers 503 (unavailable)" },
	{ "502 is unavailable", "502 Bad Gateway", "", "", "GET", LC_EUNAVAIL,
	    502, NULL, NULL, "%s answers 502 (unavailable)" },
	{ "504 is unavailable", "504 Gateway Timeout", "", "", "GET",
	    LC_EUNAVAIL, 504, NULL, NULL, "%s answers 504 (unavailable)" },
	{ "429 is too many requests, with the rate limit headers",
	    "429 Slow Down", "RateLimit-Limit: 100;w=21600\r\n"
	    "RateLimit-Remaining: 0;w=21600\r\nDocker-RateLimit-Source: 1.2.3.4"
	    "\r\n", "", "GET", LC_EUNAVAIL, 429, NULL, NULL,
	    "%s answers 429 (too many requests); ratelimit-limit: 100;w=21600, "
	    "ratelimit-remaining: 0;w=21600, docker-ratelimit-source: 1.2.3.4" },
	{ "GitHub's 403 with X-RateLimit-Remaining: 0 is a rate limit",
	    "403 Forbidden", "X-RateLimit-Remaining: 0\r\nX-RateLimit-Reset: 1"
	    "\r\n", "", "GET", LC_EUNAVAIL, 403, NULL, NULL,
	    "%s answers 403 (too many requests)" },
	{ "403 with X-RateLimit-Remaining: 5 is not", "403 Forbidden",
	    "X-RateLimit-Remaining: 5\r\n", "", "GET", 0, 403, NULL, "", NULL },
	{ "Go's answer to plain HTTP on its TLS port", "400 Bad Request", "",
	    "Client sent an HTTP request to an HTTPS server.\n", "GET",
	    LC_EUNAVAIL, 400, NULL, NULL, "%s speaks TLS, not plain HTTP (it "
	    "answers 400 \"Client sent an HTTP request to an HTTPS server\"); "
	    "drop --plaintext" },
	{ "nginx's answer to plain HTTP on its TLS port", "400 Bad Request", "",
	    "<html>The plain HTTP request was sent to HTTPS port</html>", "GET",
	    LC_EUNAVAIL, 400, NULL, NULL, "%s speaks TLS, not plain HTTP (it "
	    "answers 400 \"The plain HTTP request was sent to HTTPS port\"); "
	    "drop --plaintext" },
	{ "another 400 is an answer", "400 Bad Request", "", "bad", "GET", 0,
	    400, NULL, "bad", NULL },
	{ "a redirect to the same URL with https (Argo CD)",
	    "307 Temporary Redirect", "Location: https://%s/x\r\n", "", "GET",
	    LC_EUNAVAIL, 307, NULL, NULL, "%s speaks TLS, not plain HTTP (it "
	    "answers 307, redirecting to https://); drop --plaintext" },
	{ "a redirect to another path is an answer (not followed)", "302 Found",
	    "Location: https://%s/x/y\r\n", "", "GET", 0, 302, NULL, "", NULL },
	{ "HEAD reads no body", "200 OK", "", "", "HEAD", 0, 200, NULL, "",
	    NULL },
	{ "an answer over max_body is refused", "200 OK", "",
	    "01234567890123456789", "GET", LC_ERROR, 200, NULL, NULL, NULL },
	{ "no answer within io_timeout", NULL, NULL, NULL, "GET", LC_ETIMEOUT,
	    0, NULL, NULL, NULL },
};

#define R(status, rest) "HTTP/1.1 " status "\r\nConnection: close\r\n" rest

static struct lc_http *
new_http(int retries, long long io_ms, const char *const *headers)
{
	struct lc_http_conf c;
	struct lc_http *h;
	size_t n = 0;

	memset(&c, 0, sizeof(c));
	c.retries = retries;
	c.io_timeout_ms = io_ms;
	c.plain_hint = "drop --plaintext";
	c.tls_hint = "drop --plaintext";
	while (headers && headers[n])
		n++;
	c.headers = headers;
	c.nheaders = n;
	if (lc_http_new(&h, &c) != 0)
		return NULL;
	return h;
}

int
main(void)
{
	static const char *const conf_hdr[] = { "X-Conf: 1", NULL };
	static const char *const req_hdr[] = { "X-Req: 2", NULL };
	struct lc_buf got = LC_BUF_INIT, hdrs = LC_BUF_INIT, log = LC_BUF_INIT;
	struct lc_http_resp r = LC_HTTP_RESP_INIT;
	struct lc_http_req q;
	struct served sv;
	struct lc_http *h;
	char url[100], origin[64], want[600], reply[600];
	const char *replies[3];
	size_t i, k, n;
	long long t0;
	int rc;

	lc_log_set_level(LC_LOG_ERROR);
	unsetenv("GITOPS_CONNECT_TO");
	for (i = 0; i < sizeof(origins) / sizeof(origins[0]); i++) {
		got.len = 0;
		lc_buf_adds(&got, "");
		lc_http_origin(&got, origins[i].url);
		is_str(got.data, origins[i].origin, "origin of '%s'",
		    origins[i].url);
	}

	for (i = 0; i < sizeof(sse) / sizeof(sse[0]); i++) {
		int same = 1;

		lc_error_clear();
		rc = feed(sse[i].in, sse[i].max, strlen(sse[i].in), 0);
		ok(rc == sse[i].rc, "sse, %s: rc %d", sse[i].name, rc);
		is_str(events.data, sse[i].events, "sse, %s: events",
		    sse[i].name);
		/* However the bytes are split, the same events. */
		n = strlen(sse[i].in);
		for (k = 0; k <= n && same; k++)
			same = feed(sse[i].in, sse[i].max, 0, k) == sse[i].rc &&
			    strcmp(events.data, sse[i].events) == 0;
		same = same && feed(sse[i].in, sse[i].max, 1, 0) == sse[i].rc &&
		    strcmp(events.data, sse[i].events) == 0;
		ok(same, "sse, %s: split anywhere, byte by byte", sse[i].name);
	}
	lc_error_clear();
	feed("data: 1234567890\n\n", 8, 0, 3);
	is_str(lc_error_msg(), "the event stream sent a line longer than 8 "
	    "bytes", "sse: the message says the limit");
	feed("data: 0123\ndata: 4567\n\n", (1u << 20), 0, 3);
	{
		struct lc_http_sse s;
		static char big[(1u << 20) + 16];

		memset(big, 'x', sizeof(big) - 1);
		memcpy(big, "data: ", 6);
		big[sizeof(big) - 2] = '\n';
		lc_http_sse_init(&s, 1u << 20, on_event, NULL);
		lc_error_clear();
		rc = lc_http_sse_feed(&s, big, sizeof(big) - 1);
		ok(rc == LC_EDATA && strcmp(lc_error_msg(), "the event stream "
		    "sent a line longer than 1 MB") == 0, "sse: a limit of whole "
		    "MB is said in MB");
		/* After the refusal, the parser starts over on the next event. */
		events.len = 0;
		lc_buf_adds(&events, "");
		rc = lc_http_sse_feed(&s, "\ndata: ok\n\n", 11);
		ok(rc == 0 && strcmp(events.data, "ok|") == 0,
		    "sse: the next event after a refusal comes through");
		lc_http_sse_release(&s);
	}

	/* One request each, no retries: how answers are classified. */
	for (i = 0; i < sizeof(one) / sizeof(one[0]); i++) {
		int hang = one[i].status == NULL;
		char extra[300];

		listen_on(&sv);
		snprintf(origin, sizeof(origin), "http://127.0.0.1:%d", sv.port);
		snprintf(url, sizeof(url), "%s/x", origin);
		if (hang)
			snprintf(reply, sizeof(reply), "%s", HANG);
		else {
			snprintf(extra, sizeof(extra), one[i].headers, origin + 7);
			snprintf(reply, sizeof(reply), "HTTP/1.1 %s\r\nConnection: "
			    "close\r\n%sContent-Length: %zu\r\n\r\n%s",
			    one[i].status, extra, strlen(one[i].body),
			    one[i].body);
		}
		replies[0] = reply;
		serve(&sv, replies, 1);
		h = new_http(0, hang ? 300 : 0, NULL);
		memset(&q, 0, sizeof(q));
		q.method = one[i].method;
		q.url = url;
		q.no_retry = 1;
		q.max_body = strstr(one[i].name, "max_body") ? 10 : 0;
		lc_error_clear();
		t0 = lc_clock_ms();
		rc = lc_http_request(h, &q, &r, &hdrs);
		ok(rc == one[i].rc && r.status == one[i].want_status,
		    "%s: rc %d, status %ld", one[i].name, rc, r.status);
		if (one[i].hdrs)
			is_str(hdrs.data, one[i].hdrs, "%s: headers", one[i].name);
		if (one[i].want_body) {
			lc_buf_adds(&r.body, "");
			is_str(r.body.data, one[i].want_body, "%s: body",
			    one[i].name);
		}
		if (one[i].err) {
			snprintf(want, sizeof(want), one[i].err, origin);
			is_str(lc_error_msg(), want, "%s: message", one[i].name);
		}
		if (hang)
			ok(lc_clock_ms() - t0 < 3000, "%s: in time (%lld ms)",
			    one[i].name, lc_clock_ms() - t0);
		stop(&sv, &log);
		lc_http_resp_release(&r);
		lc_http_free(h);
	}

	/* What goes out: Accept and Content-Type, bearer, extra headers. */
	listen_on(&sv);
	replies[0] = R("200 OK", "Content-Length: 0\r\n\r\n");
	serve(&sv, replies, 1);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/api?q=1", sv.port);
	h = new_http(0, 0, conf_hdr);
	lc_http_set_bearer(h, "tok-123456");
	rc = lc_http_do(h, "POST", url, "{\"a\":1}", req_hdr, 0, &r);
	stop(&sv, &log);
	ok(rc == 0 && r.status == 200, "POST: rc %d", rc);
	ok(strncmp(log.data, "POST /api?q=1 HTTP/1.1\r\n", 24) == 0,
	    "POST: the request line");
	ok(strstr(log.data, "\r\nAccept: application/json\r\n") &&
	    strstr(log.data, "\r\nContent-Type: application/json\r\n") &&
	    strstr(log.data, "\r\nAuthorization: Bearer tok-123456\r\n") &&
	    strstr(log.data, "\r\nX-Conf: 1\r\n") &&
	    strstr(log.data, "\r\nX-Req: 2\r\n") &&
	    strstr(log.data, "\r\nUser-Agent: gitops-utils/") &&
	    strstr(log.data, "\r\nContent-Length: 7\r\n") &&
	    !strstr(log.data, "Expect:") && strstr(log.data, "\n{\"a\":1}\n--\n"),
	    "POST: Accept, Content-Type, bearer, conf and request headers, "
	    "body, no Expect");
	lc_http_resp_release(&r);
	listen_on(&sv);
	replies[0] = R("200 OK", "Content-Length: 0\r\n\r\n");
	serve(&sv, replies, 1);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/blob", sv.port);
	lc_http_set_bearer(h, NULL);
	memset(&q, 0, sizeof(q));
	q.method = "PUT";
	q.url = url;
	q.headers = req_hdr;
	q.body = "a\0b";
	q.body_len = 3;
	rc = lc_http_request(h, &q, &r, NULL);
	stop(&sv, &log);
	/*
	 * libcurl adds its own defaults (Accept: any, a form Content-Type);
	 * the caller's headers win over them.
	 */
	ok(rc == 0 && !strstr(log.data, "Accept: application/json") &&
	    !strstr(log.data, "Content-Type: application/json") &&
	    !strstr(log.data, "Authorization:") &&
	    strstr(log.data, "\r\nContent-Length: 3\r\n") &&
	    memcmp(strstr(log.data, "\r\n\r\n") + 4, "a\0b", 3) == 0,
	    "lc_http_request: no JSON Accept or Content-Type added, no bearer "
	    "once cleared, a binary body whole");
	lc_http_resp_release(&r);
	lc_http_free(h);

	/* Retries: a transient answer is asked again, within the count. */
	listen_on(&sv);
	replies[0] = R("503 Busy", "Content-Length: 0\r\n\r\n");
	replies[1] = R("200 OK", "Content-Length: 2\r\n\r\nok");
	serve(&sv, replies, 2);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", sv.port);
	h = new_http(1, 0, NULL);
	rc = lc_http_do(h, "GET", url, NULL, NULL, 0, &r);
	stop(&sv, &log);
	ok(rc == 0 && r.status == 200 && nrequests(&log) == 2 &&
	    lc_http_sent(h) == 2, "503 then 200: retried once, rc %d, %d "
	    "requests, %lu counted", rc, nrequests(&log), lc_http_sent(h));
	lc_http_resp_release(&r);
	lc_http_free(h);

	listen_on(&sv);
	replies[0] = R("500 Oops", "Content-Length: 0\r\n\r\n");
	serve(&sv, replies, 1);
	h = new_http(3, 0, NULL);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", sv.port);
	rc = lc_http_do(h, "GET", url, NULL, NULL, 0, &r);
	stop(&sv, &log);
	ok(rc == 0 && r.status == 500 && nrequests(&log) == 1,
	    "500 is not retried");
	lc_http_resp_release(&r);

	/* A Retry-After past the deadline: no wait, no second request. */
	listen_on(&sv);
	replies[0] = R("429 Slow Down", "Retry-After: 30\r\n"
	    "Content-Length: 0\r\n\r\n");
	serve(&sv, replies, 1);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", sv.port);
	t0 = lc_clock_ms();
	lc_error_clear();
	rc = lc_http_do(h, "GET", url, NULL, NULL, t0 + 2000, &r);
	stop(&sv, &log);
	ok(rc == LC_EUNAVAIL && nrequests(&log) == 1 && lc_clock_ms() - t0 <
	    1500, "Retry-After beyond the deadline: LC_EUNAVAIL at once");
	lc_http_resp_release(&r);

	/* A deadline already passed: no request at all. */
	lc_error_clear();
	rc = lc_http_do(h, "GET", "http://127.0.0.1:9/x", NULL, NULL,
	    lc_clock_ms() - 1, &r);
	ok(rc == LC_ETIMEOUT && strcmp(lc_error_msg(), "http://127.0.0.1:9: "
	    "the deadline passed") == 0, "a deadline passed: LC_ETIMEOUT");

	/* Nobody listening: unavailable, after the retries. */
	{
		struct sockaddr_in a;
		socklen_t al = sizeof(a);
		int s = socket(AF_INET, SOCK_STREAM, 0);

		memset(&a, 0, sizeof(a));
		a.sin_family = AF_INET;
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		bind(s, (struct sockaddr *)&a, sizeof(a));
		getsockname(s, (struct sockaddr *)&a, &al);
		close(s);
		snprintf(origin, sizeof(origin), "http://127.0.0.1:%d",
		    ntohs(a.sin_port));
		snprintf(url, sizeof(url), "%s/x", origin);
		memset(&q, 0, sizeof(q));
		q.method = "GET";
		q.url = url;
		q.no_retry = 1;
		lc_error_clear();
		rc = lc_http_request(h, &q, &r, NULL);
		snprintf(want, sizeof(want), "%s: ", origin);
		ok(rc == LC_EUNAVAIL && strncmp(lc_error_msg(), want,
		    strlen(want)) == 0, "connection refused: LC_EUNAVAIL, the "
		    "message names the server ('%s')", lc_error_msg());
	}
	/* Only http and https. */
	memset(&q, 0, sizeof(q));
	q.method = "GET";
	q.url = "file:///etc/hostname";
	q.no_retry = 1;
	rc = lc_http_request(h, &q, &r, NULL);
	ok(rc == LC_ERROR && strncmp(lc_error_msg(), "file://: ", 9) == 0,
	    "file:// is refused: rc %d ('%s')", rc, lc_error_msg());
	lc_http_resp_release(&r);
	lc_http_free(h);

	/* Plain HTTP at an https:// URL: said at once, with the hint. */
	{
		struct lc_http_conf c;

		listen_on(&sv);
		replies[0] = "!" R("400 Bad Request", "Content-Length: 0\r\n\r\n");
		serve(&sv, replies, 1);
		snprintf(origin, sizeof(origin), "https://127.0.0.1:%d", sv.port);
		snprintf(url, sizeof(url), "%s/x", origin);
		memset(&c, 0, sizeof(c));
		c.insecure = 1;
		c.retries = 3;
		c.plain_hint = "use --plaintext";
		lc_http_new(&h, &c);
		lc_error_clear();
		rc = lc_http_do(h, "GET", url, NULL, NULL, 0, &r);
		stop(&sv, &log);
		snprintf(want, sizeof(want), "%s speaks plain HTTP, not TLS (",
		    origin);
		ok(rc == LC_EUNAVAIL && nrequests(&log) <= 1 &&
		    strncmp(lc_error_msg(), want, strlen(want)) == 0 &&
		    strstr(lc_error_msg(), "); use --plaintext") != NULL,
		    "plain HTTP at https://: LC_EUNAVAIL, not retried, hint "
		    "('%s')", lc_error_msg());
		lc_http_resp_release(&r);
		lc_http_free(h);
	}

	lc_buf_release(&got);
	lc_buf_release(&hdrs);
	lc_buf_release(&log);
	lc_buf_release(&events);
	return done_testing();
}
