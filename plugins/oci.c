/* oci.c: the generic OCI Distribution registry plugin (anonymous, basic, bearer). */
/* The cloud plugins build on it: they add a credential source and a name. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base64.h"
#include "registry.h"
#include "sha256.h"

#define EXPORT __attribute__((visibility("default")))
#define MAXTOK 16

static const char ACCEPT[] = "Accept: "
    "application/vnd.oci.image.manifest.v1+json, "
    "application/vnd.oci.image.index.v1+json, "
    "application/vnd.docker.distribution.manifest.v2+json, "
    "application/vnd.docker.distribution.manifest.list.v2+json";

struct token {
	char scope[600];
	char *value;
	time_t expires;
};

struct inst {
	const struct lc_reg_host *h;
	char registry[256];
	char base[300];			/* scheme://api-host */
	/* A cloud plugin's own credential source, tried before the files. */
	int (*cloud_creds)(struct inst *in);
	char *user, *pass;
	int creds_looked, no_cache;
	int basic;			/* the registry asked for Basic */
	char realm[512], service[256];
	struct token tok[MAXTOK];
	int ntok;
	char err[1024];
};

static int
fail(struct inst *in, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(in->err, sizeof(in->err), fmt, ap);
	va_end(ap);
	return rc;
}

static char *
xstrdup(struct inst *in, const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = in->h->alloc(n);

	if (p)
		memcpy(p, s, n);
	return p;
}

/* ---- a small JSON walker (answers are small and trusted to be JSON) --- */

static const char *
ws(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

static const char *
skip_str(const char *p, const char *e)
{
	for (p++; p < e; p++) {
		if (*p == '\\')
			p++;
		else if (*p == '"')
			return p + 1;
	}
	return NULL;
}

static const char *
skip_val(const char *p, const char *e)
{
	int depth = 0;

	p = ws(p, e);
	if (p < e && *p == '"')
		return skip_str(p, e);
	for (; p < e; p++) {
		if (*p == '"') {
			if ((p = skip_str(p, e)) == NULL)
				return NULL;
			p--;
		} else if (*p == '{' || *p == '[')
			depth++;
		else if (*p == '}' || *p == ']') {
			if (depth == 0)
				return p;
			if (--depth == 0)
				return p + 1;
		} else if (depth == 0 && *p == ',')
			return p;
	}
	return depth ? NULL : p;
}

/* Decode the JSON string at p (its opening quote) into out. */
static int
str_val(const char *p, const char *e, char *out, size_t n)
{
	size_t k = 0;
	unsigned u;

	if (p >= e || *p != '"')
		return -1;
	for (p++; p < e && *p != '"'; p++) {
		char c = *p;

		if (c == '\\' && p + 1 < e) {
			c = *++p;
			if (c == 'n')
				c = '\n';
			else if (c == 't')
				c = '\t';
			else if (c == 'r')
				c = '\r';
			else if (c == 'b' || c == 'f')
				c = ' ';
			else if (c == 'u' && p + 4 < e &&
			    sscanf(p + 1, "%4x", &u) == 1) {
				p += 4;
				c = u < 0x80 ? (char)u : '?';
			}
		}
		if (k + 1 < n)
			out[k++] = c;
	}
	if (n)
		out[k] = '\0';
	return p < e ? 0 : -1;
}

typedef int (*member_fn)(void *arg, int depth, const char *key,
    const char *v, const char *e);

/* Call fn for every member of every object in [p, e) (p at '{' or '['). */
static int
walk(const char *p, const char *e, int depth, member_fn fn, void *arg)
{
	char key[128];
	const char *q;
	int r;

	p = ws(p, e);
	if (p >= e)
		return 0;
	if (*p == '[') {
		for (p = ws(p + 1, e); p < e && *p != ']';) {
			if (*p == '{' || *p == '[')
				if ((r = walk(p, e, depth + 1, fn, arg)) != 0)
					return r;
			if ((q = skip_val(p, e)) == NULL)
				return 0;
			p = ws(q, e);
			if (p < e && *p == ',')
				p = ws(p + 1, e);
		}
		return 0;
	}
	if (*p != '{')
		return 0;
	for (p = ws(p + 1, e); p < e && *p == '"';) {
		if (str_val(p, e, key, sizeof(key)) != 0 ||
		    (q = skip_str(p, e)) == NULL)
			return 0;
		p = ws(q, e);
		if (p >= e || *p != ':')
			return 0;
		p = ws(p + 1, e);
		if ((r = fn(arg, depth, key, p, e)) != 0)
			return r;
		if (*p == '{' || *p == '[')
			if ((r = walk(p, e, depth + 1, fn, arg)) != 0)
				return r;
		if ((q = skip_val(p, e)) == NULL)
			return 0;
		p = ws(q, e);
		if (p < e && *p == ',')
			p = ws(p + 1, e);
	}
	return 0;
}

struct find {
	const char *key;
	int depth;		/* -1: any */
	char *out;
	size_t n;
	const char *at;
};

static int
find_cb(void *arg, int depth, const char *key, const char *v, const char *e)
{
	struct find *f = arg;

	if ((f->depth >= 0 && depth != f->depth) || strcmp(key, f->key) != 0)
		return 0;
	f->at = v;
	if (f->out && str_val(v, e, f->out, f->n) != 0) {
		/* A number: copy its text. */
		const char *q = skip_val(v, e);
		size_t k = q ? (size_t)(q - v) : 0;

		if (k >= f->n)
			k = f->n - 1;
		memcpy(f->out, v, k);
		f->out[k] = '\0';
	}
	return 1;
}

/* The value of key at depth (0: top level; -1: anywhere), as text. */
static int
jget(const char *body, size_t len, const char *key, int depth, char *out,
    size_t n)
{
	struct find f = { key, depth, out, n, NULL };

	out[0] = '\0';
	walk(body, body + len, 0, find_cb, &f);
	return f.at ? 0 : -1;
}

/* ---- HTTP helpers ---------------------------------------------------- */

/* The value of header name (lower case) in the answer, into out. */
static int
header(const struct lc_reg_http_resp *r, const char *name, char *out,
    size_t n)
{
	const char *p = r->headers;
	size_t k = strlen(name), v;

	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		if (len > k && strncmp(p, name, k) == 0 && p[k] == ':') {
			const char *s = p + k + 1;

			while (*s == ' ')
				s++;
			v = len - (size_t)(s - p);
			if (v >= n)
				v = n - 1;
			memcpy(out, s, v);
			out[v] = '\0';
			return 0;
		}
		p = nl ? nl + 1 : NULL;
	}
	out[0] = '\0';
	return -1;
}

/* The registry's own error text (errors[0].code/message), or the body. */
static void
reg_error(const struct lc_reg_http_resp *r, char *out, size_t n)
{
	char code[64], msg[256];

	if (r->body_len && jget(r->body, r->body_len, "code", -1, code,
	    sizeof(code)) == 0) {
		jget(r->body, r->body_len, "message", -1, msg, sizeof(msg));
		snprintf(out, n, "%s: %s", code, msg);
	} else if (r->body_len)
		snprintf(out, n, "%.*s", (int)strcspn(r->body, "\r\n"), r->body);
	else
		snprintf(out, n, "no details");
}

static void
urlenc(const char *s, char *out, size_t n)
{
	size_t k = 0;

	for (; *s && k + 4 < n; s++) {
		if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || strchr("-._~", *s))
			out[k++] = *s;
		else
			k += (size_t)snprintf(out + k, n - k, "%%%02X",
			    (unsigned char)*s);
	}
	out[k] = '\0';
}

static void
load_creds(struct inst *in)
{
	char *u = NULL, *s = NULL;

	if (in->creds_looked)
		return;
	in->creds_looked = 1;
	if (in->user)
		return;
	if (in->cloud_creds && in->cloud_creds(in) == 0 && in->user) {
		if (in->pass)
			in->h->add_secret(in->pass);
		return;
	}
	if (in->h->credentials && in->h->credentials(in->registry, &u, &s) ==
	    0) {
		in->user = u;
		in->pass = s;
		if (s)
			in->h->add_secret(s);
	}
}

/* Basic "user:pass" header into out. */
static void
basic_header(struct inst *in, char *out, size_t n)
{
	char up[1024], b[1400];

	snprintf(up, sizeof(up), "%s:%s", in->user, in->pass ? in->pass : "");
	lc_base64(up, strlen(up), b);
	snprintf(out, n, "Authorization: Basic %s", b);
	memset(up, 0, sizeof(up));
}

/* Parse one parameter of a challenge: key="value" or key=value. */
static int
chal_param(const char *c, const char *key, char *out, size_t n)
{
	size_t k = strlen(key), i = 0;
	const char *p = c;

	out[0] = '\0';
	while ((p = strstr(p, key)) != NULL) {
		if ((p == c || p[-1] == ' ' || p[-1] == ',') && p[k] == '=') {
			p += k + 1;
			if (*p == '"') {
				for (p++; *p && *p != '"' && i + 1 < n; p++) {
					if (*p == '\\' && p[1])
						p++;
					out[i++] = *p;
				}
			} else
				while (*p && *p != ',' && *p != ' ' && i + 1 < n)
					out[i++] = *p++;
			out[i] = '\0';
			return 0;
		}
		p += k;
	}
	return -1;
}

static char *
cache_path(struct inst *in, const char *scope, char *out, size_t n)
{
	char key[2048], d[72];

	if (in->no_cache || in->h->cache_dir == NULL)
		return NULL;
	load_creds(in);
	/* Not the service: it is known only after a challenge. */
	snprintf(key, sizeof(key), "%s\n%s\n%s", in->registry, scope,
	    in->user ? in->user : "");
	lc_sha256_digest(key, strlen(key), d);
	snprintf(out, n, "%s/token-%.32s", in->h->cache_dir, d + 7);
	return out;
}

/* A cached token for scope: kept in memory, and in the cache directory. */
static const char *
token_for(struct inst *in, const char *scope)
{
	char path[1024], buf[8192], *nl;
	struct stat st;
	long long exp;
	ssize_t got;
	int i, fd;

	for (i = 0; i < in->ntok; i++)
		if (strcmp(in->tok[i].scope, scope) == 0 &&
		    in->tok[i].expires > time(NULL))
			return in->tok[i].value;
	if (in->ntok == MAXTOK || cache_path(in, scope, path, sizeof(path)) ==
	    NULL || (fd = open(path, O_RDONLY | O_NOFOLLOW)) < 0)
		return NULL;
	got = fstat(fd, &st) == 0 && st.st_uid == geteuid() &&
	    (st.st_mode & 077) == 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	close(fd);
	if (got <= 0)
		return NULL;
	buf[got] = '\0';
	if (sscanf(buf, "%lld", &exp) != 1 || exp <= (long long)time(NULL) ||
	    (nl = strchr(buf, '\n')) == NULL)
		return NULL;
	nl++;
	nl[strcspn(nl, "\n")] = '\0';
	snprintf(in->tok[in->ntok].scope, sizeof(in->tok[0].scope), "%s", scope);
	in->tok[in->ntok].value = xstrdup(in, nl);
	in->tok[in->ntok].expires = (time_t)exp;
	in->h->add_secret(nl);
	return in->tok[in->ntok++].value;
}

static void
token_keep(struct inst *in, const char *scope, const char *value,
    long expires_in)
{
	char path[1024], tmp[1100], line[64];
	time_t exp;
	int fd, i;

	if (expires_in < 60)
		expires_in = 60;
	/* Renew a little early: a token must outlive the request it is on. */
	exp = time(NULL) + expires_in - 10;
	for (i = 0; i < in->ntok; i++)
		if (strcmp(in->tok[i].scope, scope) == 0)
			break;
	if (i == MAXTOK)
		i = 0;
	if (i < in->ntok)
		in->h->free(in->tok[i].value);
	else
		in->ntok++;
	snprintf(in->tok[i].scope, sizeof(in->tok[i].scope), "%s", scope);
	in->tok[i].value = xstrdup(in, value);
	in->tok[i].expires = exp;
	if (cache_path(in, scope, path, sizeof(path)) == NULL)
		return;
	mkdir(in->h->cache_dir, 0700);
	snprintf(tmp, sizeof(tmp), "%s.%ld", path, (long)getpid());
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0600)) < 0)
		return;
	snprintf(line, sizeof(line), "%lld\n", (long long)exp);
	if (write(fd, line, strlen(line)) < 0 ||
	    write(fd, value, strlen(value)) < 0 || close(fd) != 0 ||
	    rename(tmp, path) != 0)
		unlink(tmp);
}

static void
token_drop(struct inst *in, const char *scope)
{
	char path[1024];
	int i;

	for (i = 0; i < in->ntok; i++)
		if (strcmp(in->tok[i].scope, scope) == 0)
			in->tok[i].expires = 0;
	if (cache_path(in, scope, path, sizeof(path)) != NULL)
		unlink(path);
}

/* Whether a realm may receive our credentials (SSRF and downgrade guard). */
static int
realm_ok(struct inst *in, const char *realm)
{
	const char *host = strstr(realm, "://");

	if (strncmp(realm, "https://", 8) != 0 &&
	    strncmp(in->base, "http://", 7) != 0)
		return 0;
	if (host == NULL)
		return 0;
	host += 3;
	/* A loopback realm only for a loopback registry. */
	if ((strncmp(host, "127.", 4) == 0 || strncmp(host, "localhost", 9) ==
	    0 || strncmp(host, "[::1]", 5) == 0) &&
	    !(strncmp(in->registry, "127.", 4) == 0 ||
	    strncmp(in->registry, "localhost", 9) == 0 ||
	    strncmp(in->registry, "[::1]", 5) == 0))
		return 0;
	return 1;
}

/* GET realm?service=&scope=... (Basic credentials when we have them). */
static int
fetch_token(struct inst *in, const char *scope, const char *ask)
{
	struct lc_reg_http_req q;
	struct lc_reg_http_resp r;
	char url[4096], enc[1024], one[600], auth[1500], tok[8192], num[32];
	const char *hdrs[2] = { NULL, NULL }, *p;
	size_t k;
	int rc;

	if (!realm_ok(in, in->realm))
		return fail(in, LC_REG_AUTH, "%s: refusing the token realm '%s' "
		    "(it must be https, and a loopback realm serves only a "
		    "loopback registry)", in->registry, in->realm);
	urlenc(in->service, enc, sizeof(enc));
	k = (size_t)snprintf(url, sizeof(url), "%s%sservice=%s", in->realm,
	    strchr(in->realm, '?') ? "&" : "?", enc);
	for (p = ask; *p && k < sizeof(url);) {
		size_t n = strcspn(p, " ");

		snprintf(one, sizeof(one), "%.*s", (int)n, p);
		urlenc(one, enc, sizeof(enc));
		k += (size_t)snprintf(url + k, sizeof(url) - k, "&scope=%s", enc);
		p += n;
		while (*p == ' ')
			p++;
	}
	load_creds(in);
	if (in->user) {
		basic_header(in, auth, sizeof(auth));
		hdrs[0] = auth;
	}
	memset(&q, 0, sizeof(q));
	q.method = "GET";
	q.url = url;
	q.headers = hdrs;
	if ((rc = in->h->http(&q, &r, in->err, sizeof(in->err))) != LC_REG_OK)
		return rc;
	memset(auth, 0, sizeof(auth));
	if (r.status == 401 || r.status == 403) {
		in->h->http_free(&r);
		return fail(in, LC_REG_AUTH, "%s: the token server refused %s "
		    "(%ld)", in->registry, in->user ? "the credentials" :
		    "an anonymous token; give credentials", r.status);
	}
	if (r.status != 200 || (jget(r.body, r.body_len, "token", 0, tok,
	    sizeof(tok)) != 0 && jget(r.body, r.body_len, "access_token", 0,
	    tok, sizeof(tok)) != 0) || tok[0] == '\0') {
		rc = fail(in, LC_REG_ERROR, "%s: the token server answered %ld "
		    "without a token", in->registry, r.status);
		in->h->http_free(&r);
		return rc;
	}
	jget(r.body, r.body_len, "expires_in", 0, num, sizeof(num));
	in->h->http_free(&r);
	in->h->add_secret(tok);
	token_keep(in, scope, tok, strtol(num, NULL, 10));
	return LC_REG_OK;
}

/*
 * One request with auth: the cached token for scope (or Basic) goes along;
 * a 401 runs the challenge once. resp is the final answer.
 */
static int
call(struct inst *in, const char *method, const char *url, const char *scope,
    const char *extra, const void *body, size_t len,
    struct lc_reg_http_resp *r)
{
	struct lc_reg_http_req q;
	char auth[8300], chal[2048], cscope[600], merged[1300], msg[300];
	const char *hdrs[4], *t;
	int attempt, rc, n, sent_token;

	for (attempt = 0;; attempt++) {
		n = 0;
		if (extra)
			hdrs[n++] = extra;
		auth[0] = '\0';
		sent_token = 0;
		if (in->basic && in->user)
			basic_header(in, auth, sizeof(auth));
		else if (!in->basic && (t = token_for(in, scope)) != NULL) {
			/* A token cached by an earlier run: one round trip. */
			snprintf(auth, sizeof(auth), "Authorization: Bearer %s", t);
			sent_token = 1;
		}
		if (auth[0])
			hdrs[n++] = auth;
		hdrs[n] = NULL;
		memset(&q, 0, sizeof(q));
		q.method = method;
		q.url = url;
		q.headers = hdrs;
		q.body = body;
		q.body_len = len;
		rc = in->h->http(&q, r, in->err, sizeof(in->err));
		memset(auth, 0, sizeof(auth));
		if (rc != LC_REG_OK)
			return rc;
		if (r->status != 401 || attempt == 1)
			break;
		header(r, "www-authenticate", chal, sizeof(chal));
		if (strncasecmp(chal, "basic", 5) == 0) {
			load_creds(in);
			if (in->user == NULL) {
				in->h->http_free(r);
				return fail(in, LC_REG_AUTH, "%s wants a user name "
				    "and password: give --username and "
				    "--password-stdin, or log in with docker "
				    "login", in->registry);
			}
			in->basic = 1;
		} else if (strncasecmp(chal, "bearer", 6) == 0) {
			chal_param(chal, "realm", in->realm, sizeof(in->realm));
			chal_param(chal, "service", in->service,
			    sizeof(in->service));
			chal_param(chal, "scope", cscope, sizeof(cscope));
			snprintf(merged, sizeof(merged), "%s", scope);
			/* The challenge may ask for more (a mount's source). */
			if (cscope[0] && strstr(scope, cscope) == NULL &&
			    strlen(scope) + strlen(cscope) + 2 < sizeof(merged))
				snprintf(merged, sizeof(merged), "%.600s %.600s", scope,
				    cscope);
			if (sent_token)
				token_drop(in, scope);
			in->h->http_free(r);
			if ((rc = fetch_token(in, scope, merged)) != LC_REG_OK)
				return rc;
			continue;
		} else {
			in->h->http_free(r);
			return fail(in, LC_REG_AUTH, "%s answers 401 without a "
			    "challenge we know ('%.60s')", in->registry, chal);
		}
		in->h->http_free(r);
	}
	if (r->status == 401 || r->status == 403) {
		reg_error(r, msg, sizeof(msg));
		rc = fail(in, LC_REG_AUTH, "%s: %s (%ld)%s", in->registry, msg,
		    r->status, r->status == 401 && in->user == NULL ?
		    "; no credentials were found for it" : "");
		in->h->http_free(r);
		return rc;
	}
	return LC_REG_OK;
}

static int
status_fail(struct inst *in, struct lc_reg_http_resp *r, const char *what)
{
	char msg[300];
	int rc;

	reg_error(r, msg, sizeof(msg));
	rc = fail(in, r->status == 404 ? LC_REG_NOTFOUND : r->status >= 500 ?
	    LC_REG_UNAVAIL : LC_REG_ERROR, "%s: %s (%ld)", what, msg,
	    r->status);
	in->h->http_free(r);
	return rc;
}

/* ---- operations ------------------------------------------------------ */

static void
media_type(struct lc_reg_http_resp *r, char *out, size_t n)
{
	header(r, "content-type", out, n);
	out[strcspn(out, "; ")] = '\0';
}

/* Hand the answer's body to the caller (host->alloc) and free the answer. */
static int
take_body(struct inst *in, struct lc_reg_http_resp *r, char **bytes,
    size_t *len)
{
	if ((*bytes = in->h->alloc(r->body_len + 1)) == NULL) {
		in->h->http_free(r);
		return fail(in, LC_REG_ERROR, "out of memory");
	}
	memcpy(*bytes, r->body, r->body_len);
	(*bytes)[r->body_len] = '\0';
	*len = r->body_len;
	in->h->http_free(r);
	return LC_REG_OK;
}

/*
 * GET or HEAD manifest ref of repo with the full Accept list into r; what
 * names it for messages. A 404 is LC_REG_NOTFOUND (r freed).
 */
static int
read_manifest(struct inst *in, const char *method, const char *repo,
    const char *ref, char *what, size_t wn, struct lc_reg_http_resp *r)
{
	char url[1024], scope[400];
	int rc;

	snprintf(url, sizeof(url), "%s/v2/%s/manifests/%s", in->base, repo, ref);
	snprintf(scope, sizeof(scope), "repository:%s:pull", repo);
	snprintf(what, wn, "%s/%s:%s", in->registry, repo, ref);
	if ((rc = call(in, method, url, scope, ACCEPT, NULL, 0, r)) != 0)
		return rc;
	if (r->status == 404) {
		in->h->http_free(r);
		return fail(in, LC_REG_NOTFOUND, "%s: no such manifest (no such "
		    "tag or repository)", what);
	}
	return 0;
}

static int
oci_get_manifest(void *vi, const char *repo, const char *ref, char **bytes,
    size_t *len, struct lc_reg_desc *out)
{
	struct inst *in = vi;
	struct lc_reg_http_resp r;
	char what[700], sent[80], body_mt[128];
	int rc;

	*bytes = NULL;
	*len = 0;
	if ((rc = read_manifest(in, "GET", repo, ref, what, sizeof(what), &r))
	    != 0)
		return rc;
	if (r.status != 200)
		return status_fail(in, &r, what);
	/* The digest is that of the exact bytes: never re-serialise them. */
	lc_sha256_digest(r.body, r.body_len, out->digest);
	media_type(&r, out->media_type, sizeof(out->media_type));
	out->size = (long long)r.body_len;
	if ((strncmp(ref, "sha256:", 7) == 0 && strcmp(ref, out->digest) != 0) ||
	    (header(&r, "docker-content-digest", sent, sizeof(sent)) == 0 &&
	    strcmp(sent, out->digest) != 0)) {
		in->h->http_free(&r);
		return fail(in, LC_REG_ERROR, "%s: the manifest's bytes hash to "
		    "%s, not to the digest the registry names", what,
		    out->digest);
	}
	if (jget(r.body, r.body_len, "mediaType", 0, body_mt,
	    sizeof(body_mt)) == 0 && body_mt[0] && out->media_type[0] &&
	    strcmp(body_mt, out->media_type) != 0) {
		in->h->http_free(&r);
		return fail(in, LC_REG_ERROR, "%s: Content-Type %s but the "
		    "manifest says %s", what, out->media_type, body_mt);
	}
	if (out->media_type[0] == '\0')
		snprintf(out->media_type, sizeof(out->media_type), "%s", body_mt);
	return take_body(in, &r, bytes, len);
}

static int
oci_get_blob(void *vi, const char *repo, const char *digest, char **bytes,
    size_t *len)
{
	struct inst *in = vi;
	struct lc_reg_http_resp r;
	struct lc_reg_http_req q;
	const char *hdrs[1] = { NULL };
	char url[2048], scope[400], what[700], got[80], loc[1600];
	int rc, hops;

	*bytes = NULL;
	*len = 0;
	snprintf(url, sizeof(url), "%s/v2/%s/blobs/%s", in->base, repo, digest);
	snprintf(scope, sizeof(scope), "repository:%s:pull", repo);
	snprintf(what, sizeof(what), "%s/%s@%s", in->registry, repo, digest);
	if ((rc = call(in, "GET", url, scope, NULL, NULL, 0, &r)) != 0)
		return rc;
	/* Blobs often live in object storage: follow, without our
	 * credentials (a presigned URL carries its own). */
	for (hops = 0; hops < 3 && (r.status == 301 || r.status == 302 ||
	    r.status == 303 || r.status == 307 || r.status == 308); hops++) {
		if (header(&r, "location", loc, sizeof(loc)) != 0) {
			in->h->http_free(&r);
			return fail(in, LC_REG_ERROR, "%s: a redirect without "
			    "Location", what);
		}
		in->h->http_free(&r);
		if (loc[0] == '/')
			snprintf(url, sizeof(url), "%s%s", in->base, loc);
		else
			snprintf(url, sizeof(url), "%s", loc);
		memset(&q, 0, sizeof(q));
		q.method = "GET";
		q.url = url;
		q.headers = hdrs;
		if ((rc = in->h->http(&q, &r, in->err, sizeof(in->err))) != 0)
			return rc;
	}
	if (r.status == 404) {
		in->h->http_free(&r);
		return fail(in, LC_REG_NOTFOUND, "%s: no such blob", what);
	}
	if (r.status != 200)
		return status_fail(in, &r, what);
	lc_sha256_digest(r.body, r.body_len, got);
	if (strcmp(got, digest) != 0) {
		in->h->http_free(&r);
		return fail(in, LC_REG_ERROR, "%s: the bytes hash to %s", what,
		    got);
	}
	return take_body(in, &r, bytes, len);
}

static int
oci_resolve(void *vi, const char *repo, const char *ref,
    struct lc_reg_desc *out)
{
	struct inst *in = vi;
	struct lc_reg_http_resp r;
	char what[700], len[32], *b;
	size_t n;
	int rc;

	if ((rc = read_manifest(in, "HEAD", repo, ref, what, sizeof(what),
	    &r)) != 0)
		return rc;
	if (r.status == 200 && header(&r, "docker-content-digest", out->digest,
	    sizeof(out->digest)) == 0) {
		media_type(&r, out->media_type, sizeof(out->media_type));
		header(&r, "content-length", len, sizeof(len));
		out->size = strtoll(len, NULL, 10);
		in->h->http_free(&r);
		return LC_REG_OK;
	}
	if (r.status != 200 && r.status != 405 && r.status != 501)
		return status_fail(in, &r, what);
	in->h->http_free(&r);
	/* No digest header, or no HEAD: read the bytes and hash them. */
	if ((rc = oci_get_manifest(vi, repo, ref, &b, &n, out)) == LC_REG_OK)
		in->h->free(b);
	return rc;
}

static int
oci_put_manifest(void *vi, const char *repo, const char *ref,
    const void *bytes, size_t len, const char *mt, struct lc_reg_desc *out)
{
	struct inst *in = vi;
	struct lc_reg_http_resp r;
	char url[1024], scope[400], what[700], ct[200];
	int rc;

	snprintf(url, sizeof(url), "%s/v2/%s/manifests/%s", in->base, repo, ref);
	snprintf(scope, sizeof(scope), "repository:%s:pull,push", repo);
	snprintf(what, sizeof(what), "writing %s/%s:%s", in->registry, repo,
	    ref);
	snprintf(ct, sizeof(ct), "Content-Type: %s", mt);
	if ((rc = call(in, "PUT", url, scope, ct, bytes, len, &r)) != 0)
		return rc;
	if (r.status != 201 && r.status != 200)
		return status_fail(in, &r, what);
	lc_sha256_digest(bytes, len, out->digest);
	snprintf(out->media_type, sizeof(out->media_type), "%s", mt);
	out->size = (long long)len;
	in->h->http_free(&r);
	return LC_REG_OK;
}

static int
oci_mount_blob(void *vi, const char *dst, const char *src, const char *digest)
{
	struct inst *in = vi;
	struct lc_reg_http_resp r;
	char url[1200], scope[800], what[700], loc[1024], del[1400];
	int rc;

	snprintf(url, sizeof(url), "%s/v2/%s/blobs/uploads/?mount=%s&from=%s",
	    in->base, dst, digest, src);
	snprintf(scope, sizeof(scope), "repository:%s:pull,push "
	    "repository:%s:pull", dst, src);
	snprintf(what, sizeof(what), "mounting %s from %s into %s", digest, src,
	    dst);
	if ((rc = call(in, "POST", url, scope, "Content-Length: 0", "", 0,
	    &r)) != 0)
		return rc;
	if (r.status == 201) {
		in->h->http_free(&r);
		return LC_REG_OK;
	}
	if (r.status != 202)
		return status_fail(in, &r, what);
	/* 202: not mounted, an upload session is open instead: close it. */
	header(&r, "location", loc, sizeof(loc));
	in->h->http_free(&r);
	if (loc[0]) {
		snprintf(del, sizeof(del), "%s%s", loc[0] == '/' ? in->base : "",
		    loc);
		if (call(in, "DELETE", del, scope, NULL, NULL, 0, &r) == 0)
			in->h->http_free(&r);
	}
	return fail(in, LC_REG_UNSUPPORTED, "%s: the registry did not mount it "
	    "(the blob is missing from %s, or mounting is not supported)",
	    what, src);
}

struct tags {
	int (*fn)(void *, const char *);
	void *arg;
	int stop;
};

static int
tags_cb(void *arg, int depth, const char *key, const char *v, const char *e)
{
	struct tags *t = arg;
	char tag[256];
	const char *q;

	if (depth != 0 || strcmp(key, "tags") != 0 || *v != '[')
		return 0;
	for (v = ws(v + 1, e); v < e && *v == '"';) {
		if (str_val(v, e, tag, sizeof(tag)) != 0 ||
		    (q = skip_str(v, e)) == NULL)
			break;
		if (t->fn(t->arg, tag) != 0) {
			t->stop = 1;
			return 1;
		}
		v = ws(q, e);
		if (v < e && *v == ',')
			v = ws(v + 1, e);
	}
	return 1;
}

static int
oci_list_tags(void *vi, const char *repo, int (*fn)(void *, const char *),
    void *arg)
{
	struct inst *in = vi;
	struct lc_reg_http_resp r;
	struct tags t = { fn, arg, 0 };
	char url[2048], scope[400], what[700], link[1024], next[2048];
	int rc, pages;

	snprintf(url, sizeof(url), "%s/v2/%s/tags/list?n=1000", in->base, repo);
	snprintf(scope, sizeof(scope), "repository:%s:pull", repo);
	snprintf(what, sizeof(what), "tags of %s/%s", in->registry, repo);
	for (pages = 0; pages < 10000; pages++) {
		if ((rc = call(in, "GET", url, scope, "Accept: application/json",
		    NULL, 0, &r)) != 0)
			return rc;
		if (r.status == 404) {
			in->h->http_free(&r);
			return fail(in, LC_REG_NOTFOUND, "%s: no such repository",
			    what);
		}
		if (r.status != 200)
			return status_fail(in, &r, what);
		walk(r.body, r.body + r.body_len, 0, tags_cb, &t);
		/* Link: </v2/...?last=x&n=1000>; rel="next" (or absolute). */
		if (t.stop || header(&r, "link", link, sizeof(link)) != 0 ||
		    strstr(link, "rel=\"next\"") == NULL || link[0] != '<') {
			in->h->http_free(&r);
			return LC_REG_OK;
		}
		in->h->http_free(&r);
		link[strcspn(link, ">")] = '\0';
		if (link[1] == '/')
			snprintf(next, sizeof(next), "%s%s", in->base, link + 1);
		else if (strncmp(link + 1, in->base, strlen(in->base)) == 0)
			snprintf(next, sizeof(next), "%s", link + 1);
		else
			return fail(in, LC_REG_ERROR, "%s: the next page is on "
			    "another host (%.200s)", what, link + 1);
		snprintf(url, sizeof(url), "%s", next);
	}
	return fail(in, LC_REG_ERROR, "%s: too many pages", what);
}

__attribute__((unused)) static int
oci_repository(void *vi, const char *path, char *out, size_t n)
{
	snprintf(out, n, "%s", path);
	return LC_REG_OK;
}

__attribute__((unused)) static int
oci_match(const char *registry)
{
	(void)registry;
	return 1;		/* the fallback for every registry */
}

/* An instance for registry, reached at api_host (NULL: the registry). */
static struct inst *
oci_new(const struct lc_reg_host *h, const struct lc_reg_conf *c,
    const char *api_host, char *err, size_t errlen)
{
	struct inst *in;

	if (h->abi_major != LC_REG_ABI_MAJOR || !LC_REG_HAS(h,
	    struct lc_reg_host, credentials)) {
		snprintf(err, errlen, "oci: the host's services are too old");
		return NULL;
	}
	if ((in = h->alloc(sizeof(*in))) == NULL) {
		snprintf(err, errlen, "oci: out of memory");
		return NULL;
	}
	memset(in, 0, sizeof(*in));
	in->h = h;
	snprintf(in->registry, sizeof(in->registry), "%s", c->registry);
	snprintf(in->base, sizeof(in->base), "%s://%s", c->plain_http ? "http" :
	    "https", api_host ? api_host : c->registry);
	if (c->username) {
		in->user = xstrdup(in, c->username);
		in->pass = xstrdup(in, c->password ? c->password : "");
		in->creds_looked = 1;
	}
	in->no_cache = c->no_token_cache;
	return in;
}

__attribute__((unused)) static void *
oci_open(const struct lc_reg_host *h, const struct lc_reg_conf *c, char *err,
    size_t errlen)
{
	return oci_new(h, c, NULL, err, errlen);
}

static void
oci_close(void *vi)
{
	struct inst *in = vi;
	int i;

	if (in == NULL)
		return;
	for (i = 0; i < in->ntok; i++)
		in->h->free(in->tok[i].value);
	if (in->pass) {
		memset(in->pass, 0, strlen(in->pass));
		in->h->free(in->pass);
	}
	in->h->free(in->user);
	in->h->free(in);
}

static const char *
oci_error(void *vi)
{
	return ((struct inst *)vi)->err;
}

/* The cloud plugins compile this file in (#define OCI_EMBED, #include). */
#ifndef OCI_EMBED
static const struct lc_reg_plugin plugin = {
	LC_REG_ABI_MAJOR, LC_REG_ABI_MINOR, sizeof(struct lc_reg_plugin),
	"oci", 0, oci_match, oci_open, oci_close, oci_error, oci_repository,
	oci_resolve, oci_get_manifest, oci_put_manifest, oci_mount_blob,
	oci_list_tags, oci_get_blob
};

EXPORT const struct lc_reg_plugin *
gitops_registry_plugin_v1(unsigned host_major, unsigned host_minor)
{
	(void)host_minor;
	return host_major == LC_REG_ABI_MAJOR ? &plugin : NULL;
}
#endif
