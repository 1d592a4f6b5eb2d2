/* analysis.c: Argo Rollouts AnalysisTemplates read with libyaml, args in. */
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "analysis.h"
#include "buf.h"
#include "error.h"
#include "fileio.h"
#include "parse.h"

/*
 * The template as the controller reads it, from Argo Rollouts' sources
 * and documentation (Apache-2.0; read, not copied):
 *
 * - pkg/apis/rollouts/v1alpha1/analysis_types.go: spec.args[] (name,
 *   value, valueFrom: secretKeyRef, fieldRef, podTemplateHashValue),
 *   spec.metrics[] (name, interval, initialDelay: Go duration strings;
 *   count, failureLimit, inconclusiveLimit, consecutiveErrorLimit: int or
 *   string; successCondition, failureCondition; provider with exactly one
 *   of prometheus, web, job, datadog...), spec.dryRun[].metricName,
 *   spec.measurementRetention[]. Defaults: failureLimit 0,
 *   inconclusiveLimit 0, consecutiveErrorLimit 4. EffectiveCount: no count
 *   and no interval is one measurement; an interval without a count runs
 *   until the rollout stops it.
 * - provider.prometheus: address, query, timeout (seconds), headers[]
 *   (key, value), insecure, authentication (sigv4, oauth2, basicAuth),
 *   caCert, rangeQuery (docs/analysis/prometheus.md).
 * - utils/analysis/factory.go ValidateMetric: count >= failureLimit and
 *   >= inconclusiveLimit when count > 0; an interval when count > 1;
 *   limits >= 0; exactly one provider; metric names unique.
 *   ResolveMetricArgs substitutes args in every string of the metric.
 * - utils/template/template.go: {{ ... }} tags (fasttemplate), trimmed of
 *   blanks, so {{args.x}} and {{ args.x }} are alike; a tag that is not a
 *   supplied arg is an error ("failed to resolve"), and so is a declared
 *   arg without a value ("argument was not supplied").
 */

/*
 * Templates are a few KiB; the limits keep a hostile one from costing
 * much memory (libyaml's nodes) or time (names are compared pairwise).
 */
#define MAXFILE		(256 << 10)	/* bytes of template */
#define MAXFIELD	(1 << 20)	/* bytes of a field once args are in */
#define MAXITEMS	1000		/* metrics, args, headers, dryRun */
/*
 * Levels of nesting a template may have (it needs 6). libyaml's scanner
 * and loader take quadratic time on deep nesting ([[[[..., {a: {a: ...)
 * and ignore any deadline: a 50 KB file took 7 s, 1 MB over 300 s. The
 * events are read first and the file refused at this depth, after a few
 * hundred bytes; a 256 KiB file is then read in milliseconds.
 */
#define MAXDEPTH	64

struct arg {
	const char *name;		/* in the document */
	const char *value;		/* in the document or argv; NULL: none */
	const yaml_node_t *node, *from;
	int given;
};

struct ctx {
	const char *file;
	yaml_document_t *doc;
	struct arg *args;
	size_t nargs;
	const char *metric;		/* the metric being read, for messages */
};

/* Every message names file:line:col of node (or just the file). */
static int
fail(struct ctx *c, int code, const yaml_node_t *n, const char *fmt, ...)
{
	struct lc_buf b = LC_BUF_INIT;
	long line = 0, col = 0;
	va_list ap;

	if (n != NULL) {
		line = (long)n->start_mark.line + 1;
		col = (long)n->start_mark.column + 1;
		lc_buf_printf(&b, "%s:%ld:%ld: ", c->file, line, col);
	} else
		lc_buf_printf(&b, "%s: ", c->file);
	if (c->metric != NULL)
		lc_buf_printf(&b, "metric %.128s: ", c->metric);
	va_start(ap, fmt);
	lc_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	lc_error_set(code, "%s", b.data);
	lc_error_where(c->file, line, col);
	lc_buf_release(&b);
	return code;
}

static yaml_node_t *
node(struct ctx *c, int id)
{
	return yaml_document_get_node(c->doc, id);
}

static int
is_null(const yaml_node_t *n)
{
	const char *s;

	if (n == NULL)
		return 1;
	if (n->type != YAML_SCALAR_NODE)
		return 0;
	if (n->tag != NULL && strcmp((char *)n->tag, YAML_NULL_TAG) == 0)
		return 1;
	if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	s = (const char *)n->data.scalar.value;
	return *s == '\0' || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
	    strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0;
}

/* The text of a scalar node; NULL and a message for anything else. */
static const char *
scalar(struct ctx *c, const yaml_node_t *n, const char *what)
{
	const char *s;

	if (n == NULL) {
		fail(c, LC_EUSAGE, NULL, "%s is missing", what);
		return NULL;
	}
	if (n->type != YAML_SCALAR_NODE) {
		fail(c, LC_EUSAGE, n, "%s must be a string or number, not a %s",
		    what, n->type == YAML_SEQUENCE_NODE ? "list" : "mapping");
		return NULL;
	}
	s = (const char *)n->data.scalar.value;
	if (strlen(s) != n->data.scalar.length) {
		fail(c, LC_EUSAGE, n, "%s contains a NUL byte", what);
		return NULL;
	}
	return s;
}

static int
want(struct ctx *c, const yaml_node_t *n, yaml_node_type_t type,
    const char *what)
{
	if (n != NULL && n->type == type)
		return 0;
	return fail(c, LC_EUSAGE, n, "%s must be a %s", what,
	    type == YAML_MAPPING_NODE ? "mapping" : "list");
}

/* How many items the list seq has. */
static size_t
items(const yaml_node_t *seq)
{
	return (size_t)(seq->data.sequence.items.top -
	    seq->data.sequence.items.start);
}

/* Item i of the list seq, which must be a mapping (what names it). */
static int
entry(struct ctx *c, yaml_node_t *seq, size_t i, const char *what,
    yaml_node_t **out)
{
	if (i == 0 && items(seq) > MAXITEMS)
		return fail(c, LC_EUSAGE, seq, "more than %d items in a list",
		    MAXITEMS);
	*out = node(c, seq->data.sequence.items.start[i]);
	return want(c, *out, YAML_MAPPING_NODE, what);
}

/*
 * Walk a mapping's keys: each must be a scalar, given once. The caller
 * loops while this returns 1, with *key and *val set.
 */
struct walk {
	yaml_node_pair_t *p, *end;
	yaml_node_pair_t *start;
};

static void
walk_init(struct walk *w, yaml_node_t *map)
{
	w->start = w->p = map->data.mapping.pairs.start;
	w->end = map->data.mapping.pairs.top;
}

static int
walk_next(struct ctx *c, struct walk *w, const char **key, yaml_node_t **kn,
    yaml_node_t **val)
{
	yaml_node_pair_t *q;
	yaml_node_t *k;

	if (w->p >= w->end)
		return 0;
	k = node(c, w->p->key);
	if (k == NULL || k->type != YAML_SCALAR_NODE)
		return fail(c, LC_EUSAGE, k, "a key must be a string");
	for (q = w->start; q < w->p; q++) {
		yaml_node_t *o = node(c, q->key);

		if (o->type == YAML_SCALAR_NODE && strcmp((char *)
		    o->data.scalar.value, (char *)k->data.scalar.value) == 0)
			return fail(c, LC_EUSAGE, k, "'%s' is given twice",
			    (char *)k->data.scalar.value);
	}
	*key = (const char *)k->data.scalar.value;
	*kn = k;
	*val = node(c, w->p->value);
	w->p++;
	return 1;
}

static yaml_node_t *
lookup(struct ctx *c, yaml_node_t *map, const char *key)
{
	yaml_node_pair_t *p;
	yaml_node_t *k;

	if (map == NULL || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	    p++) {
		k = node(c, p->key);
		if (k->type == YAML_SCALAR_NODE &&
		    strcmp((char *)k->data.scalar.value, key) == 0)
			return node(c, p->value);
	}
	return NULL;
}

static const struct arg *
find_arg(const struct ctx *c, const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < c->nargs; i++)
		if (strlen(c->args[i].name) == n &&
		    memcmp(c->args[i].name, name, n) == 0)
			return &c->args[i];
	return NULL;
}

/*
 * A field's text with {{args.NAME}} filled in (heap, in *out), or NULL for
 * a null field. what names it in messages.
 */
static int
text(struct ctx *c, const yaml_node_t *n, const char *what, char **out)
{
	struct lc_buf b = LC_BUF_INIT;
	const char *s, *open, *close, *t, *e;
	const struct arg *a;

	*out = NULL;
	if (is_null(n))
		return 0;
	if ((s = scalar(c, n, what)) == NULL)
		return LC_EUSAGE;
	lc_buf_adds(&b, "");
	while ((open = strstr(s, "{{")) != NULL) {
		lc_buf_add(&b, s, (size_t)(open - s));
		if ((close = strstr(open + 2, "}}")) == NULL) {
			lc_buf_release(&b);
			return fail(c, LC_EUSAGE, n, "%s: '{{' without '}}'",
			    what);
		}
		for (t = open + 2; t < close && strchr(" \t\r\n", *t); t++)
			;
		for (e = close; e > t && strchr(" \t\r\n", e[-1]); e--)
			;
		if (e - t < 6 || memcmp(t, "args.", 5) != 0 ||
		    (a = find_arg(c, t + 5, (size_t)(e - t - 5))) == NULL) {
			int rc = fail(c, LC_EUSAGE, n, "%s: cannot fill in "
			    "{{%.*s}}: only {{args.NAME}} of the template's "
			    "args is", what, (int)(close - open - 2 > 64 ? 64 :
			    close - open - 2), open + 2);

			lc_buf_release(&b);
			return rc;
		}
		lc_buf_adds(&b, a->value);
		if (b.len > MAXFIELD)
			break;
		s = close + 2;
	}
	lc_buf_adds(&b, open == NULL ? s : "");
	if (b.len > MAXFIELD) {
		lc_buf_release(&b);
		return fail(c, LC_EUSAGE, n, "%s is longer than %d bytes once "
		    "args are filled in", what, MAXFIELD);
	}
	*out = lc_buf_detach(&b);
	return 0;
}

/*
 * A Go time.ParseDuration string ("30s", "1h30m", "1.5h", "500ms") in
 * milliseconds, truncated; negative ones are refused. As Go does, the
 * whole part is exact and a fraction is scaled in floating point.
 */
static int
go_duration(const char *s, long long *ms)
{
	static const struct {
		const char *unit;
		unsigned long long ns;
	} units[] = {
		{ "ns", 1 }, { "us", 1000 }, { "\xc2\xb5s", 1000 },
		{ "\xce\xbcs", 1000 }, { "ms", 1000000 }, { "s", 1000000000 },
		{ "m", 60000000000ULL }, { "h", 3600000000000ULL },
	};
	const unsigned long long max = 9223372036854775807ULL;
	unsigned long long total = 0, v, f, frac;
	double scale;
	size_t i, best, len;
	int digits;

	if (*s == '+')
		s++;
	if (strcmp(s, "0") == 0) {
		*ms = 0;
		return 0;
	}
	if (*s == '\0')
		return -1;
	while (*s) {
		v = f = 0;
		scale = 1;
		digits = 0;
		for (; *s >= '0' && *s <= '9'; s++, digits++) {
			if (v > (max - 9) / 10)
				return -1;
			v = v * 10 + (unsigned)(*s - '0');
		}
		if (*s == '.')
			for (s++; *s >= '0' && *s <= '9'; s++, digits++)
				if (f <= (max - 9) / 10) {
					f = f * 10 + (unsigned)(*s - '0');
					scale *= 10;
				}
		if (digits == 0)
			return -1;
		best = SIZE_MAX;
		len = 0;
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (strncmp(s, units[i].unit, strlen(units[i].unit)) ==
			    0 && strlen(units[i].unit) > len) {
				best = i;
				len = strlen(units[i].unit);
			}
		if (best == SIZE_MAX)
			return -1;
		s += len;
		/* Go's limit: an int64 of nanoseconds. */
		if (v > max / units[best].ns)
			return -1;
		v *= units[best].ns;
		frac = (unsigned long long)((double)f *
		    ((double)units[best].ns / scale));
		if (v > max - frac || v + frac > max - total)
			return -1;
		total += v + frac;
	}
	*ms = (long long)(total / 1000000);
	return 0;
}

static int
duration(struct ctx *c, const yaml_node_t *n, const char *what, long long *ms)
{
	char *s;
	int rc;

	if ((rc = text(c, n, what, &s)) != 0 || s == NULL)
		return rc;
	if (go_duration(s, ms) != 0)
		rc = fail(c, LC_EUSAGE, n, "%s '%.64s' is not a duration (like "
		    "30s, 5m, 1h30m)", what, s);
	free(s);
	return rc;
}

/* An int-or-string field of the API: a whole number >= 0. */
static int
intstr(struct ctx *c, const yaml_node_t *n, const char *what, long *v)
{
	char *s;
	int rc;

	if ((rc = text(c, n, what, &s)) != 0 || s == NULL)
		return rc;
	if (lc_parse_long(s, 0, INT32_MAX, v) != 0)
		rc = fail(c, LC_EUSAGE, n, "%s '%.64s' is not a whole number "
		    "from 0 to %d", what, s, INT32_MAX);
	free(s);
	return rc;
}

/* RFC 9110 token characters, for a header's name. */
static int
is_token(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || strchr("!#$%&'*+-.^_`|~", *s)))
			return 0;
	return 1;
}

static int
headers(struct ctx *c, yaml_node_t *seq, struct lc_analysis_metric *m)
{
	yaml_node_t *h, *v, *kn;
	struct walk w;
	const char *key;
	char *k = NULL, *val = NULL;
	struct lc_buf b = LC_BUF_INIT;
	size_t i;
	int rc;

	if ((rc = want(c, seq, YAML_SEQUENCE_NODE, "headers")) != 0)
		return rc;
	for (i = 0; i < items(seq); i++) {
		if ((rc = entry(c, seq, i, "a header", &h)) != 0)
			return rc;
		walk_init(&w, h);
		while ((rc = walk_next(c, &w, &key, &kn, &v)) == 1)
			if (strcmp(key, "key") != 0 &&
			    strcmp(key, "value") != 0)
				return fail(c, LC_EUSAGE, kn, "a header has "
				    "key and value, not '%.64s'", key);
		if (rc != 0)
			return rc;
		if ((rc = text(c, lookup(c, h, "key"), "a header's key",
		    &k)) != 0)
			return rc;
		if ((rc = text(c, lookup(c, h, "value"), "a header's value",
		    &val)) != 0)
			goto done;
		if (k == NULL || !is_token(k)) {
			rc = fail(c, LC_EUSAGE, h, "a header's key must be a "
			    "name of letters, digits and !#$%%&'*+-.^_`|~");
			goto done;
		}
		if (val != NULL && strpbrk(val, "\r\n") != NULL) {
			rc = fail(c, LC_EUSAGE, h, "the value of header %s "
			    "spans lines", k);
			goto done;
		}
		lc_buf_printf(&b, "%s: %s", k, val ? val : "");
		if (m->headers == NULL)
			m->headers = lc_buf_xmalloc(items(seq) *
			    sizeof(*m->headers));
		m->headers[m->nheaders++] = lc_buf_detach(&b);
		free(k);
		free(val);
		k = val = NULL;
	}
	return 0;
done:
	free(k);
	free(val);
	return rc;
}

/* What the provider may say that metric-gate leaves to its options. */
static const struct {
	const char *key, *instead;
} instead[] = {
	{ "sigv4", "sign the requests with a proxy (such as aws-sigv4-proxy) "
	    "and give its URL to --prometheus" },
	{ "oauth2", "fetch the token first and give it with --token-file" },
	{ "basicAuth", "pass --username and --password-file" },
	{ "caCert", "save the certificate in a file and pass --ca-file" },
	{ "rangeQuery", "use metric-gate --window for range queries" },
};

static int
refuse(struct ctx *c, const yaml_node_t *kn, const char *prefix,
    const char *key)
{
	size_t i;

	for (i = 0; i < sizeof(instead) / sizeof(instead[0]); i++)
		if (strcmp(key, instead[i].key) == 0)
			return fail(c, LC_EUSAGE, kn, "%s%s is not supported: "
			    "%s", prefix, key, instead[i].instead);
	return fail(c, LC_EUSAGE, kn, "%s%.64s is not supported", prefix,
	    key);
}

static int
authentication(struct ctx *c, yaml_node_t *map)
{
	struct walk w;
	const char *key;
	yaml_node_t *kn, *v;
	int rc;

	if (is_null(map))
		return 0;
	if ((rc = want(c, map, YAML_MAPPING_NODE, "authentication")) != 0)
		return rc;
	walk_init(&w, map);
	if ((rc = walk_next(c, &w, &key, &kn, &v)) == 1)
		return refuse(c, kn, "authentication.", key);
	return rc;
}

static int
prometheus(struct ctx *c, yaml_node_t *map, struct lc_analysis_metric *m)
{
	struct walk w;
	const char *key, *s;
	yaml_node_t *kn, *v;
	long secs;
	int rc;

	if ((rc = want(c, map, YAML_MAPPING_NODE, "provider.prometheus")) != 0)
		return rc;
	walk_init(&w, map);
	while ((rc = walk_next(c, &w, &key, &kn, &v)) == 1) {
		if (strcmp(key, "address") == 0)
			rc = text(c, v, "address", &m->address);
		else if (strcmp(key, "query") == 0)
			rc = text(c, v, "query", &m->query);
		else if (strcmp(key, "timeout") == 0) {
			secs = 0;
			rc = intstr(c, v, "timeout", &secs);
			m->timeout_ms = secs * 1000LL;
		} else if (strcmp(key, "headers") == 0)
			rc = is_null(v) ? 0 : headers(c, v, m);
		else if (strcmp(key, "insecure") == 0) {
			if (is_null(v))
				continue;
			if ((s = scalar(c, v, "insecure")) == NULL)
				return LC_EUSAGE;
			if (strcmp(s, "true") == 0 || strcmp(s, "True") == 0 ||
			    strcmp(s, "TRUE") == 0)
				m->insecure = 1;
			else if (strcmp(s, "false") != 0 &&
			    strcmp(s, "False") != 0 && strcmp(s, "FALSE") != 0)
				return fail(c, LC_EUSAGE, v, "insecure must be "
				    "true or false");
			rc = 0;
		} else if (strcmp(key, "authentication") == 0)
			rc = authentication(c, v);
		else
			return refuse(c, kn, strcmp(key, "caCert") == 0 ||
			    strcmp(key, "rangeQuery") == 0 ? "" :
			    "provider.prometheus.", key);
		if (rc != 0)
			return rc;
	}
	if (rc != 0)
		return rc;
	if (m->query == NULL || *m->query == '\0')
		return fail(c, LC_EUSAGE, map, "provider.prometheus has no "
		    "query");
	return 0;
}

static int
provider(struct ctx *c, yaml_node_t *map, struct lc_analysis_metric *m)
{
	struct walk w;
	const char *key;
	yaml_node_t *kn, *v;
	int rc, n = 0;

	if ((rc = want(c, map, YAML_MAPPING_NODE, "provider")) != 0)
		return rc;
	walk_init(&w, map);
	while ((rc = walk_next(c, &w, &key, &kn, &v)) == 1) {
		if (n++ > 0)
			return fail(c, LC_EUSAGE, kn, "more than one provider");
		if (strcmp(key, "prometheus") != 0)
			return fail(c, LC_EUSAGE, kn, "provider %.64s is not "
			    "supported: metric-gate runs Prometheus metrics "
			    "only", key);
		if ((rc = prometheus(c, v, m)) != 0)
			return rc;
	}
	if (rc == 0 && n == 0)
		return fail(c, LC_EUSAGE, map, "no provider");
	return rc;
}

static int
condition(struct ctx *c, yaml_node_t *n, const char *what, char **src,
    struct lc_analysis_expr **e)
{
	const char *msg;
	int rc;

	if ((rc = text(c, n, what, src)) != 0 || *src == NULL)
		return rc;
	if (**src == '\0') {
		/* Argo reads an empty condition as none. */
		free(*src);
		*src = NULL;
		return 0;
	}
	if ((rc = lc_analysis_expr_parse(e, *src)) != 0) {
		struct lc_buf b = LC_BUF_INIT;

		msg = lc_error_msg();
		if (msg != NULL && strncmp(msg, "expression: ", 12) == 0)
			msg += 12;
		lc_buf_adds(&b, msg ? msg : "cannot parse");
		rc = fail(c, rc, n, "%s: %s", what, b.data);
		lc_buf_release(&b);
	}
	return rc;
}

static int
metric(struct ctx *c, yaml_node_t *map, struct lc_analysis_metric *m)
{
	struct walk w;
	const char *key;
	yaml_node_pair_t *pair;
	yaml_node_t *kn, *v, *prov;
	int rc;

	m->consecutive_error_limit = 4;
	m->line = (long)map->start_mark.line + 1;
	m->col = (long)map->start_mark.column + 1;
	if ((rc = text(c, lookup(c, map, "name"), "name", &m->name)) != 0)
		return rc;
	/* The name goes on tables, lines and CI outputs: one line of text. */
	for (key = m->name; key != NULL && *key != '\0'; key++)
		if ((unsigned char)*key < 0x20 || *key == 0x7f)
			return fail(c, LC_EUSAGE, lookup(c, map, "name"),
			    "a metric's name holds a control character "
			    "(byte %d): use letters, digits, '-', '_' and '.'",
			    (unsigned char)*key);
	if (m->name != NULL && *m->name != '\0')
		c->metric = m->name;
	/* A merge key first: the fields it brings are not seen otherwise. */
	for (pair = map->data.mapping.pairs.start;
	    pair < map->data.mapping.pairs.top; pair++)
		if ((kn = node(c, pair->key))->type == YAML_SCALAR_NODE &&
		    strcmp((char *)kn->data.scalar.value, "<<") == 0)
			return fail(c, LC_EUSAGE, kn, "<< is not supported (a "
			    "YAML merge key): write the fields out");
	if (m->name == NULL || *m->name == '\0')
		return fail(c, LC_EUSAGE, map, "a metric has no name");
	/* The provider first: another one makes the rest moot. */
	if ((prov = lookup(c, map, "provider")) == NULL)
		return fail(c, LC_EUSAGE, map, "no provider");
	if ((rc = provider(c, prov, m)) != 0)
		return rc;
	walk_init(&w, map);
	while ((rc = walk_next(c, &w, &key, &kn, &v)) == 1) {
		if (strcmp(key, "name") == 0 || strcmp(key, "provider") == 0)
			continue;
		if (strcmp(key, "interval") == 0)
			rc = duration(c, v, key, &m->interval_ms);
		else if (strcmp(key, "initialDelay") == 0)
			rc = duration(c, v, key, &m->initial_delay_ms);
		else if (strcmp(key, "count") == 0)
			rc = intstr(c, v, key, &m->count);
		else if (strcmp(key, "failureLimit") == 0)
			rc = intstr(c, v, key, &m->failure_limit);
		else if (strcmp(key, "inconclusiveLimit") == 0)
			rc = intstr(c, v, key, &m->inconclusive_limit);
		else if (strcmp(key, "consecutiveErrorLimit") == 0)
			rc = intstr(c, v, key, &m->consecutive_error_limit);
		else if (strcmp(key, "successCondition") == 0)
			rc = condition(c, v, key, &m->success,
			    &m->success_expr);
		else if (strcmp(key, "failureCondition") == 0)
			rc = condition(c, v, key, &m->failure,
			    &m->failure_expr);
		else
			return fail(c, LC_EUSAGE, kn, "%.64s is not supported",
			    key);
		if (rc != 0)
			return rc;
	}
	if (rc != 0)
		return rc;
	if (m->count > 0 && m->count < m->failure_limit)
		return fail(c, LC_EUSAGE, map, "count must be >= failureLimit");
	if (m->count > 0 && m->count < m->inconclusive_limit)
		return fail(c, LC_EUSAGE, map, "count must be >= "
		    "inconclusiveLimit");
	if (m->count > 1 && m->interval_ms == 0)
		return fail(c, LC_EUSAGE, map, "interval must be specified when "
		    "count > 1");
	if (m->interval_ms > 0 && m->count == 0) {
		c->metric = NULL;
		return fail(c, LC_EUSAGE, map, "metric %.128s runs forever: "
		    "give it a count", m->name);
	}
	c->metric = NULL;
	return 0;
}

static int
metrics(struct ctx *c, yaml_node_t *seq, struct lc_analysis *a)
{
	yaml_node_t *m;
	size_t i, j, n;
	int rc;

	if ((rc = want(c, seq, YAML_SEQUENCE_NODE, "spec.metrics")) != 0)
		return rc;
	if ((n = items(seq)) == 0)
		return fail(c, LC_EUSAGE, seq, "spec.metrics is empty");
	a->metrics = lc_buf_xmalloc(n * sizeof(*a->metrics));
	memset(a->metrics, 0, n * sizeof(*a->metrics));
	for (j = 0; j < n; j++) {
		if ((rc = entry(c, seq, j, "a metric", &m)) != 0)
			return rc;
		rc = metric(c, m, &a->metrics[a->nmetrics++]);
		if (rc != 0)
			return rc;
		for (i = 0; i + 1 < a->nmetrics; i++)
			if (strcmp(a->metrics[i].name,
			    a->metrics[a->nmetrics - 1].name) == 0)
				return fail(c, LC_EUSAGE, m, "metric name '%s' "
				    "is used twice", a->metrics[i].name);
	}
	return 0;
}

/* spec.args, then the command line's NAME=VALUE over them. */
static int
args(struct ctx *c, yaml_node_t *seq, const char *const *argv, size_t argc,
    char **vals)
{
	yaml_node_t *e, *kn, *v;
	struct walk w;
	const char *key, *eq;
	struct arg *a;
	size_t i, j, n = 0;
	int rc;

	if (seq != NULL && !is_null(seq)) {
		if ((rc = want(c, seq, YAML_SEQUENCE_NODE, "spec.args")) != 0)
			return rc;
		n = items(seq);
	}
	c->args = lc_buf_xmalloc((n ? n : 1) * sizeof(*c->args));
	memset(c->args, 0, (n ? n : 1) * sizeof(*c->args));
	for (i = 0; i < n; i++) {
		if ((rc = entry(c, seq, i, "an arg", &e)) != 0)
			return rc;
		a = &c->args[c->nargs];
		a->node = e;
		walk_init(&w, e);
		while ((rc = walk_next(c, &w, &key, &kn, &v)) == 1) {
			if (strcmp(key, "name") == 0) {
				if ((a->name = scalar(c, v, "an arg's name")) ==
				    NULL)
					return LC_EUSAGE;
			} else if (strcmp(key, "value") == 0) {
				if (!is_null(v) && (a->value = scalar(c, v,
				    "an arg's value")) == NULL)
					return LC_EUSAGE;
			} else if (strcmp(key, "valueFrom") == 0) {
				if (!is_null(v))
					a->from = v;
			} else
				return fail(c, LC_EUSAGE, kn, "an arg has name, "
				    "value and valueFrom, not '%.64s'", key);
		}
		if (rc != 0)
			return rc;
		if (a->name == NULL || *a->name == '\0')
			return fail(c, LC_EUSAGE, e, "an arg has no name");
		if (find_arg(c, a->name, strlen(a->name)) != NULL)
			return fail(c, LC_EUSAGE, e, "arg '%s' is declared "
			    "twice", a->name);
		c->nargs++;
	}
	for (j = 0; j < argc; j++) {
		if ((eq = strchr(argv[j], '=')) == NULL || eq == argv[j])
			return lc_error_set(LC_EUSAGE, "--arg '%.64s': give "
			    "NAME=VALUE", argv[j]);
		a = (struct arg *)find_arg(c, argv[j], (size_t)(eq - argv[j]));
		if (a == NULL)
			return lc_error_set(LC_EUSAGE, "--arg %.*s: %s "
			    "declares no such arg", (int)(eq - argv[j] > 64 ?
			    64 : eq - argv[j]), argv[j], c->file);
		if (a->given)
			return lc_error_set(LC_EUSAGE, "--arg %s is given "
			    "twice", a->name);
		a->given = 1;
		a->value = vals[j] = lc_buf_xstrndup(eq + 1, strlen(eq + 1));
	}
	for (i = 0; i < c->nargs; i++) {
		a = &c->args[i];
		if (a->given)
			continue;
		if (a->from != NULL) {
			const char *how = "valueFrom";
			yaml_node_t *k;

			if (a->from->type == YAML_MAPPING_NODE &&
			    a->from->data.mapping.pairs.top >
			    a->from->data.mapping.pairs.start &&
			    (k = node(c, a->from->data.mapping.pairs.start->
			    key))->type == YAML_SCALAR_NODE)
				how = (const char *)k->data.scalar.value;
			return fail(c, LC_EUSAGE, a->from, "arg %s: valueFrom."
			    "%.64s is not supported: pass --arg %s=VALUE",
			    a->name, how, a->name);
		}
		if (a->value == NULL)
			return fail(c, LC_EUSAGE, a->node, "arg %s has no "
			    "value: pass --arg %s=VALUE", a->name, a->name);
	}
	return 0;
}

/* spec.dryRun: the metrics named (or all, for .*) never decide. */
static int
dry_run(struct ctx *c, yaml_node_t *seq, struct lc_analysis *a)
{
	yaml_node_t *e;
	const char *name;
	size_t i, j;
	int rc, hit;

	if (is_null(seq))
		return 0;
	if ((rc = want(c, seq, YAML_SEQUENCE_NODE, "spec.dryRun")) != 0)
		return rc;
	for (j = 0; j < items(seq); j++) {
		if ((rc = entry(c, seq, j, "a dryRun entry", &e)) != 0)
			return rc;
		if ((name = scalar(c, lookup(c, e, "metricName"),
		    "metricName")) == NULL)
			return LC_EUSAGE;
		for (hit = 0, i = 0; i < a->nmetrics; i++)
			if (strcmp(name, ".*") == 0 ||
			    strcmp(name, a->metrics[i].name) == 0) {
				a->metrics[i].dry_run = 1;
				hit = 1;
			}
		if (!hit)
			return fail(c, LC_EUSAGE, e, "dryRun: '%.64s' names no "
			    "metric (give a metric's exact name, or .* for "
			    "all)", name);
	}
	return 0;
}

static int
spec(struct ctx *c, yaml_node_t *map, struct lc_analysis *a,
    const char *const *argv, size_t argc, char **vals)
{
	struct walk w;
	const char *key;
	yaml_node_t *kn, *v;
	int rc;

	if ((rc = want(c, map, YAML_MAPPING_NODE, "spec")) != 0)
		return rc;
	walk_init(&w, map);
	while ((rc = walk_next(c, &w, &key, &kn, &v)) == 1)
		if (strcmp(key, "args") != 0 && strcmp(key, "metrics") != 0 &&
		    strcmp(key, "dryRun") != 0 &&
		    strcmp(key, "measurementRetention") != 0)
			return fail(c, LC_EUSAGE, kn, "spec.%.64s is not "
			    "supported", key);
	if (rc != 0)
		return rc;
	/* measurementRetention only bounds what the controller stores. */
	if ((rc = args(c, lookup(c, map, "args"), argv, argc, vals)) != 0)
		return rc;
	if ((v = lookup(c, map, "metrics")) == NULL)
		return fail(c, LC_EUSAGE, map, "spec has no metrics");
	if ((rc = metrics(c, v, a)) != 0)
		return rc;
	return dry_run(c, lookup(c, map, "dryRun"), a);
}

static int
yaml_error(struct ctx *c, yaml_parser_t *p)
{
	long line = (long)p->problem_mark.line + 1;
	long col = (long)p->problem_mark.column + 1;

	if (p->error == YAML_MEMORY_ERROR)
		lc_buf_oom();
	if (p->context != NULL && p->problem_mark.line == 0 &&
	    p->problem_mark.column == 0 && p->context_mark.line != 0) {
		line = (long)p->context_mark.line + 1;
		col = (long)p->context_mark.column + 1;
	}
	if (p->error == YAML_READER_ERROR)
		lc_error_set(LC_EDATA, "%s: byte %zu: %s", c->file,
		    p->problem_offset, p->problem ? p->problem : "bad input");
	else
		lc_error_set(LC_EDATA, "%s:%ld:%ld: %s%s%s", c->file, line,
		    col, p->context ? p->context : "", p->context ? ": " : "",
		    p->problem ? p->problem : "not YAML");
	lc_error_where(c->file, line, col);
	return LC_EDATA;
}

/*
 * Read the events of the whole stream before loading any document: no
 * collection nested deeper than MAXDEPTH (LC_EUSAGE), and YAML throughout
 * (libyaml's error, LC_EDATA), whichever comes first.
 */
static int
check_depth(struct ctx *c, const char *text, size_t len)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	long line, col;
	int depth = 0, rc = 0, done = 0;

	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text,
	    len);
	while (!done && rc == 0) {
		if (!yaml_parser_parse(&parser, &ev)) {
			rc = yaml_error(c, &parser);
			break;
		}
		switch (ev.type) {
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (++depth > MAXDEPTH) {
				line = (long)ev.start_mark.line + 1;
				col = (long)ev.start_mark.column + 1;
				rc = lc_error_set(LC_EUSAGE, "%s:%ld:%ld: nesting "
				    "deeper than %d levels", c->file, line, col,
				    MAXDEPTH);
				lc_error_where(c->file, line, col);
			}
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			depth--;
			break;
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	return rc;
}

/* The kind of a template document, or NULL for any other document. */
static const char *
template_kind(struct ctx *c, yaml_node_t *root)
{
	yaml_node_t *k = lookup(c, root, "kind");

	if (k == NULL || k->type != YAML_SCALAR_NODE)
		return NULL;
	if (strcmp((char *)k->data.scalar.value, "AnalysisTemplate") == 0 ||
	    strcmp((char *)k->data.scalar.value,
	    "ClusterAnalysisTemplate") == 0)
		return (const char *)k->data.scalar.value;
	return NULL;
}

int
lc_analysis_parse(struct lc_analysis *out, const char *name,
    const char *text, size_t len, const char *const *argv, size_t argc)
{
	struct ctx c;
	yaml_parser_t parser;
	yaml_document_t doc, other;
	yaml_node_t *root = NULL, *meta, *oroot;
	const char *kind = NULL, *okind;
	char **vals;
	size_t i;
	int rc = 0, have_doc = 0;

	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	c.file = name;
	if (len > MAXFILE)
		return lc_error_set(LC_EUSAGE, "%s: larger than %d bytes: not a "
		    "template", name, MAXFILE);
	if ((rc = check_depth(&c, text, len)) != 0)
		return rc;
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text,
	    len);
	/*
	 * Every document: the template, and others of other kinds skipped;
	 * a second template is refused (one template a run).
	 */
	for (;;) {
		if (!yaml_parser_load(&parser, &other)) {
			rc = yaml_error(&c, &parser);
			break;
		}
		c.doc = &other;
		if ((oroot = yaml_document_get_root_node(&other)) == NULL) {
			yaml_document_delete(&other);
			break;			/* the end of the stream */
		}
		if ((okind = template_kind(&c, oroot)) != NULL && kind != NULL) {
			meta = lookup(&c, lookup(&c, oroot, "metadata"), "name");
			rc = fail(&c, LC_EUSAGE, oroot, "a second template "
			    "(%.128s): metric-gate runs one template a run: "
			    "split the file", meta != NULL && meta->type ==
			    YAML_SCALAR_NODE ? (char *)meta->data.scalar.value :
			    okind);
			yaml_document_delete(&other);
			break;
		}
		if (okind != NULL) {
			doc = other;
			have_doc = 1;
			kind = okind;
		} else
			yaml_document_delete(&other);
	}
	yaml_parser_delete(&parser);
	if (rc == 0 && kind == NULL)
		rc = lc_error_set(LC_EUSAGE, "%s: no AnalysisTemplate or "
		    "ClusterAnalysisTemplate in it", name);
	if (rc != 0) {
		if (have_doc)
			yaml_document_delete(&doc);
		return rc;
	}
	c.doc = &doc;
	root = yaml_document_get_root_node(&doc);
	out->kind = lc_buf_xstrndup(kind, strlen(kind));
	meta = lookup(&c, lookup(&c, root, "metadata"), "name");
	if (meta != NULL && meta->type == YAML_SCALAR_NODE)
		out->name = lc_buf_xstrndup((char *)meta->data.scalar.value,
		    meta->data.scalar.length);
	/* The --arg values live until the fields are filled in. */
	vals = lc_buf_xmalloc((argc ? argc : 1) * sizeof(*vals));
	memset(vals, 0, (argc ? argc : 1) * sizeof(*vals));
	if ((meta = lookup(&c, root, "spec")) == NULL)
		rc = fail(&c, LC_EUSAGE, root, "%s has no spec", kind);
	else
		rc = spec(&c, meta, out, argv, argc, vals);
	yaml_document_delete(&doc);
	for (i = 0; i < argc; i++)
		free(vals[i]);
	free(vals);
	free(c.args);
	if (rc != 0)
		lc_analysis_release(out);
	return rc;
}

int
lc_analysis_load(struct lc_analysis *out, const char *path,
    const char *const *argv, size_t argc)
{
	struct lc_buf buf = LC_BUF_INIT;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = lc_fileio_read(&buf, path)) == 0)
		rc = lc_analysis_parse(out, path == NULL ||
		    strcmp(path, "-") == 0 ? "<stdin>" : path,
		    buf.data ? buf.data : "", buf.len, argv, argc);
	lc_buf_release(&buf);
	return rc;
}

void
lc_analysis_release(struct lc_analysis *a)
{
	struct lc_analysis_metric *m;
	size_t i, j;

	if (a == NULL)
		return;
	for (i = 0; i < a->nmetrics; i++) {
		m = &a->metrics[i];
		free(m->name);
		free(m->query);
		free(m->address);
		free(m->success);
		free(m->failure);
		lc_analysis_expr_free(m->success_expr);
		lc_analysis_expr_free(m->failure_expr);
		for (j = 0; j < m->nheaders; j++)
			free(m->headers[j]);
		free(m->headers);
	}
	free(a->metrics);
	free(a->kind);
	free(a->name);
	memset(a, 0, sizeof(*a));
}
