/* prom.h: the Prometheus HTTP API: instant and range queries. */
#ifndef LC_PROM_H
#define LC_PROM_H

#include <stddef.h>

#include "http.h"

/*
 * Where Prometheus is and how to reach it. Anything that serves the
 * Prometheus HTTP API works (Thanos, Mimir, VictoriaMetrics): url is its
 * base, with any path prefix ("https://mimir.example/prometheus"); the
 * requests go to url + "/api/v1/query" and "/api/v1/query_range".
 */
struct lc_prom_conf {
	const char *url;
	struct lc_http_conf http;	/* TLS, extra headers, retries */
	const char *token;		/* bearer token, or NULL */
	const char *username;		/* basic auth, or NULL */
	const char *password;
};

enum lc_prom_type {
	LC_PROM_VECTOR,			/* instant query: one point per series */
	LC_PROM_MATRIX,			/* range query: points per series */
	LC_PROM_SCALAR			/* one series, no labels, one point */
};

struct lc_prom_series {
	/*
	 * The series' labels as PromQL writes them, sorted by name, with
	 * __name__ (if any) in front: up{job="x"}, {code="500",track="a"},
	 * or {} when there are none (and up alone when __name__ is the
	 * only one). Series are sorted by these strings; two alike are
	 * refused.
	 */
	char *labels;
	double *t;			/* Unix seconds */
	double *v;			/* NaN and +-Inf as Prometheus sent them */
	size_t n;
	/*
	 * The series' place in the answer: the series are sorted by their
	 * labels, pos keeps Prometheus's order (that of sort_desc, topk),
	 * which a template's result[i] follows. A permutation of 0..nseries-1.
	 */
	size_t pos;
};

struct lc_prom_result {
	enum lc_prom_type type;
	struct lc_prom_series *series;
	size_t nseries;
	char **warnings;		/* the answer's "warnings", if any */
	size_t nwarnings;
};

#define LC_PROM_RESULT_INIT { LC_PROM_VECTOR, NULL, 0, NULL, 0 }

struct lc_prom;

/* Returns 0, or LC_EUSAGE (bad URL or TLS settings), with a message set. */
int lc_prom_new(struct lc_prom **out, const struct lc_prom_conf *conf);
void lc_prom_free(struct lc_prom *p);

/*
 * Evaluate promql at the instant at (Unix seconds, fractions kept), or
 * over [start, end] every step seconds. deadline is an lc_clock_ms() time
 * (0: none). One HTTP request each (more only when a transient failure is
 * retried). Returns 0 with out filled (release it), or, with a message
 * set: LC_EDATA when Prometheus refused the query (its error text is in
 * the message) or answered something that is not its API's JSON;
 * LC_EAUTH when credentials were refused (401, 403) or TLS verification
 * failed; LC_EUNAVAIL when it stayed unreachable or busy through the
 * retries; LC_ETIMEOUT when the deadline came first.
 */
int lc_prom_query(struct lc_prom *p, const char *promql, double at,
    long long deadline, struct lc_prom_result *out);
int lc_prom_query_range(struct lc_prom *p, const char *promql, double start,
    double end, double step, long long deadline, struct lc_prom_result *out);
void lc_prom_result_release(struct lc_prom_result *r);

/*
 * Parse one answer of the API (the body of /api/v1/query or query_range)
 * into out, without a server: what lc_prom_query does with the body of a
 * 200. Returns 0 with out filled (release it), or LC_EDATA with a message
 * (out left empty): Prometheus's own error ("status":"error"), or what is
 * not the API's JSON.
 */
int lc_prom_parse(const char *body, size_t len, struct lc_prom_result *out);

/* How many HTTP requests p has sent so far (retries included). */
unsigned long lc_prom_requests(const struct lc_prom *p);

#endif
