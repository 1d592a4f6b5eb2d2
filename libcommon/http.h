/* http.h: libcurl wrapper: HTTP/1.1, TLS settings, retries, deadlines, streams. */
#ifndef LC_HTTP_H
#define LC_HTTP_H

#include <stddef.h>

#include "buf.h"

struct lc_http_conf {
	const char *ca_file;		/* NULL: the system's trust store */
	const char *ca_flag;		/* the option that gives it, for messages */
	const char *client_crt;		/* TLS client certificate and key */
	const char *client_key;
	int insecure;			/* skip TLS verification (an explicit flag) */
	const char *const *headers;	/* extra "Name: value" lines */
	size_t nheaders;
	int retries;			/* transient failures retried (default 5) */
	/* One request without a deadline: 0 is 30 s, negative no limit. */
	long long io_timeout_ms;
	/*
	 * How to fix the scheme, for the messages when an https:// server
	 * speaks plain HTTP ("use --plaintext") or an http:// one speaks
	 * TLS ("drop --plaintext"). NULL: "use an http:// URL", "use an
	 * https:// URL".
	 */
	const char *plain_hint, *tls_hint;
};

struct lc_http;

int lc_http_new(struct lc_http **out, const struct lc_http_conf *conf);
/*
 * Check now, rather than at the first https request, that the CA bundle
 * and directory in use (--ca-file or the environment) can be read: 0, or
 * LC_EUSAGE naming the setting. Nothing to check with insecure.
 */
int lc_http_ca_check(struct lc_http *h);
void lc_http_free(struct lc_http *h);
/*
 * Send "Authorization: Bearer token" from now on (NULL: none). The token
 * is registered as a secret with the log, and no trace ever shows headers.
 */
void lc_http_set_bearer(struct lc_http *h, const char *token);

/*
 * How many requests h has sent through lc_http_do and lc_http_request:
 * each attempt counts, retries included (streams do not).
 */
unsigned long lc_http_sent(const struct lc_http *h);

struct lc_http_resp {
	long status;
	struct lc_buf body;
	char ctype[96];
};

#define LC_HTTP_RESP_INIT { 0, LC_BUF_INIT, "" }

void lc_http_resp_release(struct lc_http_resp *r);

/*
 * One request; body (JSON) may be NULL. Non-GET requests carry exactly
 * "Content-Type: application/json". deadline is an lc_clock_ms() time
 * (0: none, then io_timeout_ms, if any, bounds the request); headers are extra
 * "Name: value" lines for this request only. Connection failures and
 * 429/502/503/504 are retried with jittered backoff (Retry-After is
 * honoured) while retries and time are left. Returns 0 with r filled for
 * any final HTTP status, LC_EUNAVAIL when the server stayed unreachable or
 * busy, LC_ETIMEOUT when the deadline cut the request, LC_EAUTH when TLS
 * verification failed, LC_ERROR otherwise; each with a message set. A
 * server that speaks the other scheme (plain HTTP at an https:// URL: a
 * TLS "wrong version number"; TLS at an http:// one: "Client sent an HTTP
 * request to an HTTPS server", or a redirect to the same URL with https)
 * is LC_EUNAVAIL at once, without retries, with the conf's hint.
 */
int lc_http_do(struct lc_http *h, const char *method, const char *url,
    const char *body, const char *const *headers, long long deadline,
    struct lc_http_resp *r);

/* Any request: binary body, exact headers, the answer's headers kept. */
struct lc_http_req {
	const char *method;		/* GET HEAD PUT POST DELETE PATCH */
	const char *url;
	const char *const *headers;	/* "Name: value", NULL-terminated */
	const void *body;
	size_t body_len;
	long long deadline;		/* lc_clock_ms() time, 0: io_timeout */
	int no_retry;			/* one attempt (the caller retries) */
	const char *aws_sigv4;		/* CURLOPT_AWS_SIGV4, with userpwd */
	const char *userpwd;
	size_t max_body;		/* refuse a longer answer; 0: 256 MB */
};

/*
 * Like lc_http_do, for protocols other than JSON APIs: no Accept or
 * Content-Type is added, and when hdrs is not NULL it receives the final
 * answer's header lines as "name: value\n" with lower-case names.
 */
int lc_http_request(struct lc_http *h, const struct lc_http_req *req,
    struct lc_http_resp *r, struct lc_buf *hdrs);

/*
 * A long-running GET whose body is handed to fn as it arrives (a Server-
 * Sent Events stream). fn returns nonzero to stop pumping.
 */
typedef int (*lc_http_data_fn)(void *arg, const char *p, size_t n);
struct lc_http_stream;

int lc_http_stream_open(struct lc_http *h, const char *url,
    const char *accept, lc_http_data_fn fn, void *arg,
    struct lc_http_stream **out);
/*
 * Move data until the lc_clock_ms() time until, until fn asks to stop, or
 * until the stream ends. Returns 1 when fn stopped it, 0 when until came,
 * LC_EUNAVAIL when the stream ended or broke (reconnect), or, when the
 * server answered other than 200, LC_ERROR with the answer in *err.
 */
int lc_http_stream_pump(struct lc_http_stream *s, long long until,
    struct lc_http_resp *err);
void lc_http_stream_close(struct lc_http_stream *s);
/*
 * Move data until the server has answered the request (its status line
 * came), or until the lc_clock_ms() time until. Returns 1 when it has
 * answered, 0 when not yet; data that came is handed to fn as usual.
 */
int lc_http_stream_started(struct lc_http_stream *s, long long until);

/*
 * A Server-Sent Events parser, apart from the transport so that it can be
 * fed (and fuzzed) without a server: lc_http_sse_feed takes the bytes of a
 * text/event-stream as they come, split anywhere, and calls fn with the
 * data of each event ("data:" lines joined by '\n', once a blank line ends
 * the event) and with each line that starts with '{' (NDJSON, what the
 * server sends without Accept: text/event-stream). Comments (":") and
 * other fields are skipped. Each byte is looked at once: a line is never
 * rescanned, however it is split.
 */
typedef void (*lc_http_event_fn)(void *arg, const char *p, size_t n);

/*
 * The longest line or event the parser keeps: 8 MB. An Application is a
 * Kubernetes object, stored whole in etcd, whose requests are capped at
 * 1.5 MB by default; its event is that JSON plus a few bytes. 8 MB leaves
 * five times that, and bounds what a server that never ends a line can
 * make us hold.
 */
#define LC_HTTP_SSE_MAX		(8u << 20)

struct lc_http_sse {
	struct lc_buf line;		/* the unfinished line */
	struct lc_buf data;		/* the data: lines of the event so far */
	size_t max;			/* longest line or event kept */
	lc_http_event_fn fn;
	void *arg;
};

/* max 0 means LC_HTTP_SSE_MAX. */
void lc_http_sse_init(struct lc_http_sse *s, size_t max, lc_http_event_fn fn,
    void *arg);
/*
 * Parse n more bytes. Returns 0, or LC_EDATA (message set) when a line or
 * an event grows past max: the stream is broken, and the parser is reset
 * for the next one (the bytes of this chunk after that point are dropped).
 */
int lc_http_sse_feed(struct lc_http_sse *s, const char *p, size_t n);
/* Forget any unfinished line and event (a new stream starts). */
void lc_http_sse_reset(struct lc_http_sse *s);
void lc_http_sse_release(struct lc_http_sse *s);

/* The scheme://host[:port] part of url, for messages. */
void lc_http_origin(struct lc_buf *out, const char *url);

#endif
