/*
 * fake_http.h: a stand-in for libcommon/http.c, for unit tests of the modules
 * above it (forge, registry plugins): no network. Include it in one test
 * file only. It defines every lc_http_* function of http.h, so the linker
 * takes these and never pulls http.o out of libcommon.a (a function missing
 * here would pull it in, and the link fails on the duplicates: add it).
 *
 * Each request is written to fake_log as "METHOD URL\n", the request's
 * header lines (each "  Name: value\n"), and the body when there is one
 * ("  > body\n"), then answered with the next of fake_replies.
 */
#ifndef FAKE_HTTP_H
#define FAKE_HTTP_H

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "http.h"

struct fake_reply {
	long status;
	const char *headers;	/* "Name: value\n" lines, or NULL */
	const char *body;	/* or NULL */
	int rc;			/* nonzero: the transport fails with it */
};

static const struct fake_reply *fake_replies;
static size_t fake_nreplies, fake_next;
static struct lc_buf fake_log = LC_BUF_INIT;
static int fake_headers = 1;	/* 0: log only the request lines */

struct lc_http {
	char *bearer;
	unsigned long sent;
};

/* Answer the next requests with r[0..n-1]; forget what was logged. */
static void
fake_script(const struct fake_reply *r, size_t n)
{
	fake_replies = r;
	fake_nreplies = n;
	fake_next = 0;
	fake_log.len = 0;
	if (fake_log.data)
		fake_log.data[0] = '\0';
}

/* How many of r[0..max) are scripted: up to the first all-zero one. */
static size_t
fake_count(const struct fake_reply *r, size_t max)
{
	size_t n = 0;

	while (n < max && (r[n].status || r[n].rc))
		n++;
	return n;
}

static const char *
fake_seen(void)
{
	return fake_log.data ? fake_log.data : "";
}

static int
fake_answer(const char *method, const char *url, const char *const *headers,
    const void *body, size_t body_len, struct lc_http_resp *r,
    struct lc_buf *hdrs)
{
	const struct fake_reply *a;
	const char *p, *e;
	size_t i;

	lc_buf_printf(&fake_log, "%s %s\n", method, url);
	for (i = 0; fake_headers && headers && headers[i]; i++)
		lc_buf_printf(&fake_log, "  %s\n", headers[i]);
	if (body && body_len)
		lc_buf_printf(&fake_log, "  > %.*s\n", (int)body_len,
		    (const char *)body);
	if (fake_next >= fake_nreplies)
		return lc_error_set(LC_ERROR, "fake_http: no reply scripted "
		    "for %s %s", method, url);
	a = &fake_replies[fake_next++];
	if (a->rc)
		return lc_error_set(a->rc, "fake_http: transport failure");
	r->status = a->status;
	if (a->body)
		lc_buf_add(&r->body, a->body, strlen(a->body));
	for (p = a->headers; p && *p; p = *e ? e + 1 : e) {
		const char *colon;
		size_t k;

		e = strchr(p, '\n');
		if (e == NULL)
			e = p + strlen(p);
		colon = memchr(p, ':', (size_t)(e - p));
		if (colon == NULL)
			continue;
		if (hdrs) {
			for (k = 0; p + k < colon; k++)
				lc_buf_printf(hdrs, "%c",
				    tolower((unsigned char)p[k]));
			lc_buf_printf(hdrs, "%.*s\n", (int)(e - colon), colon);
		}
		if ((size_t)(colon - p) == 12 &&
		    strncasecmp(p, "content-type", 12) == 0) {
			colon++;
			while (*colon == ' ')
				colon++;
			snprintf(r->ctype, sizeof(r->ctype), "%.*s",
			    (int)(e - colon), colon);
		}
	}
	return 0;
}

int
lc_http_new(struct lc_http **out, const struct lc_http_conf *conf)
{
	(void)conf;
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : LC_ERROR;
}

int
lc_http_ca_check(struct lc_http *h)
{
	(void)h;
	return 0;
}

void
lc_http_free(struct lc_http *h)
{
	if (h == NULL)
		return;
	free(h->bearer);
	free(h);
}

void
lc_http_set_bearer(struct lc_http *h, const char *token)
{
	free(h->bearer);
	h->bearer = token ? strdup(token) : NULL;
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

int
lc_http_do(struct lc_http *h, const char *method, const char *url,
    const char *body, const char *const *headers, long long deadline,
    struct lc_http_resp *r)
{
	(void)deadline;
	h->sent++;
	return fake_answer(method, url, headers, body, body ? strlen(body) : 0,
	    r, NULL);
}

int
lc_http_request(struct lc_http *h, const struct lc_http_req *req,
    struct lc_http_resp *r, struct lc_buf *hdrs)
{
	h->sent++;
	return fake_answer(req->method, req->url, req->headers, req->body,
	    req->body_len, r, hdrs);
}

int
lc_http_stream_open(struct lc_http *h, const char *url, const char *accept,
    lc_http_data_fn fn, void *arg, struct lc_http_stream **out)
{
	(void)h;
	(void)accept;
	(void)fn;
	(void)arg;
	*out = NULL;
	return lc_error_set(LC_ERROR, "fake_http: no streams (%s)", url);
}

int
lc_http_stream_pump(struct lc_http_stream *s, long long until,
    struct lc_http_resp *err)
{
	(void)s;
	(void)until;
	(void)err;
	return LC_ERROR;
}

int
lc_http_stream_started(struct lc_http_stream *s, long long until)
{
	(void)s;
	(void)until;
	return 0;
}

void
lc_http_stream_close(struct lc_http_stream *s)
{
	(void)s;
}

void
lc_http_sse_init(struct lc_http_sse *s, size_t max, lc_http_event_fn fn,
    void *arg)
{
	memset(s, 0, sizeof(*s));
	s->max = max;
	s->fn = fn;
	s->arg = arg;
}

int
lc_http_sse_feed(struct lc_http_sse *s, const char *p, size_t n)
{
	(void)s;
	(void)p;
	(void)n;
	return 0;
}

void
lc_http_sse_reset(struct lc_http_sse *s)
{
	(void)s;
}

void
lc_http_sse_release(struct lc_http_sse *s)
{
	lc_buf_release(&s->line);
	lc_buf_release(&s->data);
}

void
lc_http_origin(struct lc_buf *out, const char *url)
{
	lc_buf_adds(out, url);
}

#endif
