/* oci.c: the generic OCI Distribution registry plugin (anonymous, basic, bearer). */
/* The cloud plugins build on it: they add a credential source and a name. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
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
/* Tokens kept in memory; past that they are fetched again (a cache). */
#define MAXTOK 16
/* A cached token file past this is not ours: ignored. */
#define TOKEN_FILE_MAX	(1 << 20)

static const char ACCEPT[] = "Accept: "
    "application/vnd.oci.image.manifest.v1+json, "
    "application/vnd.oci.image.index.v1+json, "
    "application/vnd.docker.distribution.manifest.v2+json, "
    "application/vnd.docker.distribution.manifest.list.v2+json";

struct token {
	char *scope;
	char *value;
	time_t expires;
};

struct inst {
	const struct lc_reg_host *h;
	char registry[256];		/* host[:port]: at most 255 (imgref) */
	char base[300];			/* scheme://api-host */
	/* A cloud plugin's own credential source, tried before the files. */
	int (*cloud_creds)(struct inst *in);
	char *user, *pass;
	int creds_looked, no_cache;
	int basic;			/* the registry asked for Basic */
	char *realm, *service;		/* of the last Bearer challenge */
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

/*
 * A token we obtained (from a token server, an exchange, our cache): on a
 * host of ABI 1.2 on, the CI runner is also asked to mask it.
 */
static void
own_secret(struct inst *in, const char *s)
{
	const struct lc_reg_host *h = in->h;

	if (LC_REG_HAS(h, struct lc_reg_host, add_own_secret) &&
	    h->add_own_secret)
		h->add_own_secret(s);
	else
		h->add_secret(s);
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

/* printf into a new string (host->alloc), or NULL when out of memory. */
static char *
xprintf(struct inst *in, const char *fmt, ...)
{
	va_list ap;
	char *p;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || (p = in->h->alloc((size_t)n + 1)) == NULL)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

/* Free p (a secret: wiped first); NULL is fine. */
static void
xfree(struct inst *in, char *p, int secret)
{
	if (p && secret)
		memset(p, 0, strlen(p));
	in->h->free(p);
}

static int
oom(struct inst *in)
{
	return fail(in, LC_REG_ERROR, "%s: out of memory", in->registry);
}

#include "ocijson.c"

/* The string value of key (see jfind) in a new string, or NULL. */
static char *
jdup(struct inst *in, const char *body, size_t len, const char *key,
    int depth)
{
	const char *v = jfind(body, len, key, depth), *e = body + len;
	size_t n;
	char *p;

	if (v == NULL || *v != '"')
		return NULL;
	n = str_size(v, e);
	if ((p = in->h->alloc(n)) == NULL)
		return NULL;
	if (str_val(v, e, p, n) != 0) {
		in->h->free(p);
		return NULL;
	}
	return p;
}

/* ---- HTTP helpers ---------------------------------------------------- */

/* Where the value of header name (lower case) is in the answer, or NULL. */
static const char *
hval(const struct lc_reg_http_resp *r, const char *name, size_t *vlen)
{
	const char *p = r->headers;
	size_t k = strlen(name);

	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		if (len > k && strncasecmp(p, name, k) == 0 && p[k] == ':') {
			const char *s = p + k + 1;

			while (*s == ' ' || *s == '\t')
				s++;
			*vlen = len - (size_t)(s - p);
			while (*vlen && (s[*vlen - 1] == '\r' ||
			    s[*vlen - 1] == ' '))
				(*vlen)--;
			return s;
		}
		p = nl ? nl + 1 : NULL;
	}
	*vlen = 0;
	return NULL;
}

/*
 * The value of header name into out[n]: 0; -1 when absent; -2 when it does
 * not fit (out is then ""): callers that cannot use a part refuse it.
 */
static int
header(const struct lc_reg_http_resp *r, const char *name, char *out,
    size_t n)
{
	size_t v;
	const char *s = hval(r, name, &v);

	out[0] = '\0';
	if (s == NULL)
		return -1;
	if (v >= n)
		return -2;
	memcpy(out, s, v);
	out[v] = '\0';
	return 0;
}

/* The value of header name in a new string, or NULL (absent or no memory). */
static char *
hdup(struct inst *in, const struct lc_reg_http_resp *r, const char *name)
{
	size_t v;
	const char *s = hval(r, name, &v);

	return s ? xprintf(in, "%.*s", (int)v, s) : NULL;
}

/* The registry's own error text (errors[0].code/message), or the body. */
static void
reg_error(const struct lc_reg_http_resp *r, char *out, size_t n)
{
	char code[64], msg[200];

	/* A message, not data: the registry's text may be cut short. */
	if (r->body_len && jget(r->body, r->body_len, "code", -1, code,
	    sizeof(code)) == 0) {
		jget(r->body, r->body_len, "message", -1, msg, sizeof(msg));
		snprintf(out, n, "%s: %s", code, msg);
	} else if (r->body_len)
		snprintf(out, n, "%.*s", (int)strcspn(r->body, "\r\n"), r->body);
	else
		snprintf(out, n, "no details");
}

/* s percent-encoded (RFC 3986 unreserved kept) in a new string, or NULL. */
static char *
urlenc(struct inst *in, const char *s, size_t len)
{
	char *out = in->h->alloc(3 * len + 1), *o = out;
	size_t i;

	if (out == NULL)
		return NULL;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || (c && strchr("-._~", c)))
			*o++ = (char)c;
		else
			o += snprintf(o, 4, "%%%02X", c);
	}
	*o = '\0';
	return out;
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

/* "Authorization: Basic base64(user:pass)" in a new string, or NULL. */
static char *
basic_header(struct inst *in)
{
	char *up, *b, *out = NULL;
	size_t n;

	if ((up = xprintf(in, "%s:%s", in->user, in->pass ? in->pass : "")) ==
	    NULL)
		return NULL;
	n = strlen(up);
	if ((b = in->h->alloc(4 * ((n + 2) / 3) + 1)) != NULL) {
		lc_base64(up, n, b);
		out = xprintf(in, "Authorization: Basic %s", b);
		xfree(in, b, 1);
	}
	xfree(in, up, 1);
	return out;
}

/*
 * One parameter of a challenge (key="value" or key=value) in a new string;
 * NULL when it is absent (or no memory).
 */
static char *
chal_param(struct inst *in, const char *c, const char *key)
{
	size_t k = strlen(key), i;
	const char *p = c, *v;
	char *out;

	while ((p = strstr(p, key)) != NULL) {
		if ((p == c || p[-1] == ' ' || p[-1] == ',') && p[k] == '=') {
			v = p + k + 1;
			if (*v != '"')
				return xprintf(in, "%.*s", (int)strcspn(v, ", "),
				    v);
			/* Quoted: as long as it is, less its backslashes. */
			if ((out = in->h->alloc(strlen(v))) == NULL)
				return NULL;
			for (i = 0, v++; *v && *v != '"'; v++) {
				if (*v == '\\' && v[1])
					v++;
				out[i++] = *v;
			}
			out[i] = '\0';
			return out;
		}
		p += k;
	}
	return NULL;
}

/* The cache file of scope's token into out[n], or NULL (no cache). */
static char *
cache_path(struct inst *in, const char *scope, char *out, size_t n)
{
	struct lc_sha256 c;
	unsigned char d[32];
	char hex[33];
	int i, k;

	if (in->no_cache || in->h->cache_dir == NULL)
		return NULL;
	load_creds(in);
	/* Not the service: it is known only after a challenge. */
	lc_sha256_init(&c);
	lc_sha256_update(&c, in->registry, strlen(in->registry));
	lc_sha256_update(&c, "\n", 1);
	lc_sha256_update(&c, scope, strlen(scope));
	lc_sha256_update(&c, "\n", 1);
	if (in->user)
		lc_sha256_update(&c, in->user, strlen(in->user));
	lc_sha256_final(&c, d);
	for (i = 0; i < 16; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	k = snprintf(out, n, "%s/token-%s", in->h->cache_dir, hex);
	return k > 0 && (size_t)k < n ? out : NULL;
}

/* Read a whole small file (the token cache) into a new string, or NULL. */
static char *
read_small(struct inst *in, int fd)
{
	struct stat st;
	char *buf;
	size_t got = 0;
	ssize_t k;

	if (fstat(fd, &st) != 0 || st.st_uid != geteuid() ||
	    (st.st_mode & 077) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_size <= 0 || st.st_size > TOKEN_FILE_MAX)
		return NULL;
	if ((buf = in->h->alloc((size_t)st.st_size + 1)) == NULL)
		return NULL;
	while (got < (size_t)st.st_size && (k = read(fd, buf + got,
	    (size_t)st.st_size - got)) > 0)
		got += (size_t)k;
	buf[got] = '\0';
	return buf;
}

/* A cached token for scope: kept in memory, and in the cache directory. */
static const char *
token_for(struct inst *in, const char *scope)
{
	char path[1200], *buf, *nl;
	long long exp;
	int i, fd;

	for (i = 0; i < in->ntok; i++)
		if (strcmp(in->tok[i].scope, scope) == 0 &&
		    in->tok[i].expires > time(NULL))
			return in->tok[i].value;
	if (in->ntok == MAXTOK || cache_path(in, scope, path, sizeof(path)) ==
	    NULL || (fd = open(path, O_RDONLY | O_NOFOLLOW)) < 0)
		return NULL;
	buf = read_small(in, fd);
	close(fd);
	if (buf == NULL)
		return NULL;
	if (sscanf(buf, "%lld", &exp) != 1 || exp <= (long long)time(NULL) ||
	    (nl = strchr(buf, '\n')) == NULL || nl[1] == '\0') {
		xfree(in, buf, 1);
		return NULL;
	}
	nl++;
	nl[strcspn(nl, "\n")] = '\0';
	in->tok[in->ntok].scope = xstrdup(in, scope);
	in->tok[in->ntok].value = xstrdup(in, nl);
	xfree(in, buf, 1);
	if (in->tok[in->ntok].scope == NULL ||
	    in->tok[in->ntok].value == NULL) {
		xfree(in, in->tok[in->ntok].scope, 0);
		xfree(in, in->tok[in->ntok].value, 1);
		return NULL;
	}
	in->tok[in->ntok].expires = (time_t)exp;
	own_secret(in, in->tok[in->ntok].value);
	return in->tok[in->ntok++].value;
}

static void
token_keep(struct inst *in, const char *scope, const char *value,
    long expires_in)
{
	char path[1200], tmp[1300], line[64];
	char *s, *v;
	time_t exp;
	int fd, i;

	if (expires_in < 60)
		expires_in = 60;
	/* Renew a little early: a token must outlive the request it is on. */
	exp = time(NULL) + expires_in - 10;
	s = xstrdup(in, scope);
	v = xstrdup(in, value);
	if (s == NULL || v == NULL) {
		xfree(in, s, 0);
		xfree(in, v, 1);
		return;
	}
	for (i = 0; i < in->ntok; i++)
		if (strcmp(in->tok[i].scope, scope) == 0)
			break;
	if (i == MAXTOK)
		i = 0;
	if (i < in->ntok) {
		xfree(in, in->tok[i].scope, 0);
		xfree(in, in->tok[i].value, 1);
	} else
		in->ntok++;
	in->tok[i].scope = s;
	in->tok[i].value = v;
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
	char path[1200];
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

/* Append "&scope=..." for each word of ask to *url (a new string). */
static int
add_scopes(struct inst *in, char **url, const char *ask)
{
	char *enc, *u;
	size_t n;

	while (*ask) {
		n = strcspn(ask, " ");
		if ((enc = urlenc(in, ask, n)) == NULL)
			return -1;
		u = xprintf(in, "%s&scope=%s", *url, enc);
		in->h->free(enc);
		if (u == NULL)
			return -1;
		in->h->free(*url);
		*url = u;
		ask += n;
		while (*ask == ' ')
			ask++;
	}
	return 0;
}

/* GET realm?service=&scope=... (Basic credentials when we have them). */
static int
fetch_token(struct inst *in, const char *scope, const char *ask)
{
	struct lc_reg_http_req q;
	struct lc_reg_http_resp r;
	char *url = NULL, *enc, *auth = NULL, *tok = NULL, num[32];
	const char *hdrs[2] = { NULL, NULL };
	int rc;

	if (in->realm == NULL || !realm_ok(in, in->realm))
		return fail(in, LC_REG_AUTH, "%s: refusing the token realm "
		    "'%.300s' (it must be https, and a loopback realm serves only a "
		    "loopback registry)", in->registry, in->realm ? in->realm :
		    "");
	if ((enc = urlenc(in, in->service ? in->service : "",
	    in->service ? strlen(in->service) : 0)) == NULL)
		return oom(in);
	url = xprintf(in, "%s%sservice=%s", in->realm, strchr(in->realm, '?') ?
	    "&" : "?", enc);
	in->h->free(enc);
	if (url == NULL || add_scopes(in, &url, ask) != 0) {
		xfree(in, url, 0);
		return oom(in);
	}
	load_creds(in);
	if (in->user && (hdrs[0] = auth = basic_header(in)) == NULL) {
		xfree(in, url, 0);
		return oom(in);
	}
	memset(&q, 0, sizeof(q));
	q.method = "GET";
	q.url = url;
	q.headers = hdrs;
	rc = in->h->http(&q, &r, in->err, sizeof(in->err));
	xfree(in, auth, 1);
	xfree(in, url, 0);
	if (rc != LC_REG_OK)
		return rc;
	if (r.status == 401 || r.status == 403) {
		rc = fail(in, LC_REG_AUTH, "%s: the token server refused %s "
		    "(%ld)", in->registry, in->user ? "the credentials" :
		    "an anonymous token; give credentials", r.status);
		in->h->http_free(&r);
		return rc;
	}
	if (r.status == 200 && ((tok = jdup(in, r.body, r.body_len, "token",
	    0)) == NULL || *tok == '\0')) {
		xfree(in, tok, 1);
		tok = jdup(in, r.body, r.body_len, "access_token", 0);
	}
	if (tok == NULL || *tok == '\0') {
		rc = fail(in, LC_REG_ERROR, "%s: the token server answered %ld "
		    "without a token", in->registry, r.status);
		xfree(in, tok, 1);
		in->h->http_free(&r);
		return rc;
	}
	if (jget(r.body, r.body_len, "expires_in", 0, num, sizeof(num)) != 0)
		num[0] = '\0';
	in->h->http_free(&r);
	own_secret(in, tok);
	token_keep(in, scope, tok, strtol(num, NULL, 10));
	xfree(in, tok, 1);
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
	char *auth, *chal, *cscope, *merged, msg[300];
	const char *hdrs[4], *t;
	int attempt, rc, n, sent_token;

	for (attempt = 0;; attempt++) {
		n = 0;
		if (extra)
			hdrs[n++] = extra;
		auth = NULL;
		sent_token = 0;
		if (in->basic && in->user) {
			if ((auth = basic_header(in)) == NULL)
				return oom(in);
		} else if (!in->basic && (t = token_for(in, scope)) != NULL) {
			/* A token cached by an earlier run: one round trip. */
			if ((auth = xprintf(in, "Authorization: Bearer %s",
			    t)) == NULL)
				return oom(in);
			sent_token = 1;
		}
		if (auth)
			hdrs[n++] = auth;
		hdrs[n] = NULL;
		memset(&q, 0, sizeof(q));
		q.method = method;
		q.url = url;
		q.headers = hdrs;
		q.body = body;
		q.body_len = len;
		rc = in->h->http(&q, r, in->err, sizeof(in->err));
		xfree(in, auth, 1);
		if (rc != LC_REG_OK)
			return rc;
		if (r->status != 401 || attempt == 1)
			break;
		if ((chal = hdup(in, r, "www-authenticate")) == NULL)
			chal = xstrdup(in, "");
		if (chal == NULL) {
			in->h->http_free(r);
			return oom(in);
		}
		if (strncasecmp(chal, "basic", 5) == 0) {
			in->h->free(chal);
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
			xfree(in, in->realm, 0);
			xfree(in, in->service, 0);
			in->realm = chal_param(in, chal, "realm");
			in->service = chal_param(in, chal, "service");
			cscope = chal_param(in, chal, "scope");
			in->h->free(chal);
			/* The challenge may ask for more (a mount's source). */
			merged = cscope && *cscope && strstr(scope, cscope) ==
			    NULL ? xprintf(in, "%s %s", scope, cscope) :
			    xstrdup(in, scope);
			xfree(in, cscope, 0);
			if (sent_token)
				token_drop(in, scope);
			in->h->http_free(r);
			if (merged == NULL)
				return oom(in);
			rc = fetch_token(in, scope, merged);
			in->h->free(merged);
			if (rc != LC_REG_OK)
				return rc;
			continue;
		} else {
			rc = fail(in, LC_REG_AUTH, "%s answers 401 without a "
			    "challenge we know ('%.60s')", in->registry, chal);
			in->h->free(chal);
			in->h->http_free(r);
			return rc;
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

/* The answer's Content-Type without parameters into out[n] ("": none). */
static void
content_type(const struct lc_reg_http_resp *r, char *out, size_t n)
{
	size_t v, k;
	const char *s = hval(r, "content-type", &v);

	out[0] = '\0';
	if (s == NULL)
		return;
	for (k = 0; k < v && s[k] != ';' && s[k] != ' '; k++)
		;
	/* Cut short, it is still longer than any type we take. */
	if (k >= n)
		k = n - 1;
	memcpy(out, s, k);
	out[k] = '\0';
}

/* Hand the answer's body to the caller (host->alloc) and free the answer. */
static int
take_body(struct inst *in, struct lc_reg_http_resp *r, char **bytes,
    size_t *len)
{
	if ((*bytes = in->h->alloc(r->body_len + 1)) == NULL) {
		in->h->http_free(r);
		return oom(in);
	}
	memcpy(*bytes, r->body, r->body_len);
	(*bytes)[r->body_len] = '\0';
	*len = r->body_len;
	in->h->http_free(r);
	return LC_REG_OK;
}

/* "registry/repo:tag" or "registry/repo@digest" into what[wn]. */
static void
ref_name(struct inst *in, const char *repo, const char *ref, char *what,
    size_t wn)
{
	snprintf(what, wn, "%s/%s%s%s", in->registry, repo,
	    ref_is_digest(ref) ? "@" : ":", ref);
}

/*
 * GET or HEAD manifest ref of repo with the full Accept list into r; what
 * names it for messages. A 404 is LC_REG_NOTFOUND (r freed).
 */
static int
read_manifest(struct inst *in, const char *method, const char *repo,
    const char *ref, char *what, size_t wn, struct lc_reg_http_resp *r)
{
	char *url, *scope;
	int rc;

	ref_name(in, repo, ref, what, wn);
	if (ref_is_digest(ref) && !sha256_form(ref))
		return fail(in, LC_REG_ERROR, "%s: not a sha256 digest, which "
		    "is the only kind that can be checked", what);
	url = xprintf(in, "%s/v2/%s/manifests/%s", in->base, repo, ref);
	scope = xprintf(in, "repository:%s:pull", repo);
	rc = url && scope ? call(in, method, url, scope, ACCEPT, NULL, 0, r) :
	    oom(in);
	xfree(in, url, 0);
	xfree(in, scope, 0);
	if (rc != 0)
		return rc;
	if (r->status == 404) {
		in->h->http_free(r);
		return fail(in, LC_REG_NOTFOUND, "%s: no such manifest (no such "
		    "tag or repository)", what);
	}
	return 0;
}

/*
 * GET: the bytes must be a manifest (manifest_check), hash to the digest
 * asked for and to the one the registry names (Docker-Content-Digest).
 */
static int
oci_get_manifest(void *vi, const char *repo, const char *ref, char **bytes,
    size_t *len, struct lc_reg_desc *out)
{
	struct inst *in = vi;
	struct lc_reg_http_resp r;
	char what[700], sent[80], ct[128], why[300];
	const char *mt;
	int rc;

	*bytes = NULL;
	*len = 0;
	if ((rc = read_manifest(in, "GET", repo, ref, what, sizeof(what), &r))
	    != 0)
		return rc;
	if (r.status != 200)
		return status_fail(in, &r, what);
	if (r.body_len > MANIFEST_MAX) {
		manifest_check(r.body, r.body_len, NULL, &mt, why, sizeof(why));
		goto bad;
	}
	/* The digest is that of the exact bytes: never re-serialise them. */
	lc_sha256_digest(r.body, r.body_len, out->digest);
	if (ref_is_digest(ref) && strcmp(ref, out->digest) != 0) {
		snprintf(why, sizeof(why), "the manifest's bytes hash to %s, "
		    "not to the digest asked for", out->digest);
		goto bad;
	}
	if ((rc = header(&r, "docker-content-digest", sent, sizeof(sent))) !=
	    -1 && (rc != 0 || strcmp(sent, out->digest) != 0)) {
		snprintf(why, sizeof(why), "the registry names digest %s but "
		    "the manifest's bytes hash to %s", rc == 0 ? sent :
		    "(too long)", out->digest);
		goto bad;
	}
	content_type(&r, ct, sizeof(ct));
	if (manifest_check(r.body, r.body_len, ct, &mt, why, sizeof(why)) != 0)
		goto bad;
	snprintf(out->media_type, sizeof(out->media_type), "%s", mt);
	out->size = (long long)r.body_len;
	return take_body(in, &r, bytes, len);
bad:
	in->h->http_free(&r);
	memset(out, 0, sizeof(*out));
	return fail(in, LC_REG_ERROR, "%s: %s", what, why);
}

static int
oci_get_blob(void *vi, const char *repo, const char *digest, char **bytes,
    size_t *len)
{
	struct inst *in = vi;
	struct lc_reg_http_resp r;
	struct lc_reg_http_req q;
	const char *hdrs[1] = { NULL };
	char *url, *scope, *loc, what[700], got[80];
	int rc, hops;

	*bytes = NULL;
	*len = 0;
	snprintf(what, sizeof(what), "%s/%s@%s", in->registry, repo, digest);
	if (!sha256_form(digest))
		return fail(in, LC_REG_ERROR, "%s: not a sha256 digest, which "
		    "is the only kind that can be checked", what);
	url = xprintf(in, "%s/v2/%s/blobs/%s", in->base, repo, digest);
	scope = xprintf(in, "repository:%s:pull", repo);
	rc = url && scope ? call(in, "GET", url, scope, NULL, NULL, 0, &r) :
	    oom(in);
	xfree(in, scope, 0);
	if (rc != 0) {
		xfree(in, url, 0);
		return rc;
	}
	/* Blobs often live in object storage: follow, without our
	 * credentials (a presigned URL carries its own). */
	for (hops = 0; hops < 3 && (r.status == 301 || r.status == 302 ||
	    r.status == 303 || r.status == 307 || r.status == 308); hops++) {
		loc = hdup(in, &r, "location");
		in->h->http_free(&r);
		xfree(in, url, 0);
		if (loc == NULL)
			return fail(in, LC_REG_ERROR, "%s: a redirect without "
			    "Location", what);
		url = loc[0] == '/' ? xprintf(in, "%s%s", in->base, loc) :
		    xstrdup(in, loc);
		in->h->free(loc);
		if (url == NULL)
			return oom(in);
		memset(&q, 0, sizeof(q));
		q.method = "GET";
		q.url = url;
		q.headers = hdrs;
		if ((rc = in->h->http(&q, &r, in->err, sizeof(in->err))) != 0) {
			xfree(in, url, 0);
			return rc;
		}
	}
	xfree(in, url, 0);
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

/*
 * HEAD: the digest is the registry's Docker-Content-Digest, which must be
 * a sha256 digest (the one asked for, for a digest), with a manifest
 * Content-Type and a Content-Length within MANIFEST_MAX. The bytes are not
 * read, so not hashed: whatever reads them (get_manifest) checks them.
 * Without those headers, or without HEAD, the bytes are read and checked.
 */
static int
oci_resolve(void *vi, const char *repo, const char *ref,
    struct lc_reg_desc *out)
{
	struct inst *in = vi;
	struct lc_reg_http_resp r;
	char what[700], dig[80], ct[128], len[32], *end, *b;
	long long size;
	size_t n;
	int rc, dr;

	if ((rc = read_manifest(in, "HEAD", repo, ref, what, sizeof(what),
	    &r)) != 0)
		return rc;
	content_type(&r, ct, sizeof(ct));
	if (r.status == 200 && (dr = header(&r, "docker-content-digest", dig,
	    sizeof(dig))) != -1 && ct[0] && header(&r, "content-length", len,
	    sizeof(len)) == 0 && (size = strtoll(len, &end, 10)) > 0 &&
	    *end == '\0') {
		in->h->http_free(&r);
		if (dr != 0 || !sha256_form(dig))
			return fail(in, LC_REG_ERROR, "%s: the registry names "
			    "digest '%.80s', which is not sha256: and 64 hex "
			    "digits", what, dr == 0 ? dig : "(too long)");
		if (ref_is_digest(ref) && strcmp(dig, ref) != 0)
			return fail(in, LC_REG_ERROR, "%s: the registry names "
			    "digest %s, not the one asked for", what, dig);
		if (manifest_type(ct) == NULL)
			return fail(in, LC_REG_ERROR, "%s: Content-Type "
			    "'%.100s' is not a manifest type (OCI or Docker "
			    "image manifest or index)", what, ct);
		if ((size_t)size > MANIFEST_MAX)
			return fail(in, LC_REG_ERROR, "%s: the manifest is "
			    "%lld bytes, more than the %zu MiB a registry has "
			    "to accept; refusing it", what, size,
			    MANIFEST_MAX >> 20);
		snprintf(out->digest, sizeof(out->digest), "%s", dig);
		snprintf(out->media_type, sizeof(out->media_type), "%s",
		    manifest_type(ct));
		out->size = size;
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
	char *url, *scope, *ct, what[700];
	int rc;

	snprintf(what, sizeof(what), "writing %s/%s:%s", in->registry, repo,
	    ref);
	url = xprintf(in, "%s/v2/%s/manifests/%s", in->base, repo, ref);
	scope = xprintf(in, "repository:%s:pull,push", repo);
	ct = xprintf(in, "Content-Type: %s", mt);
	rc = url && scope && ct ? call(in, "PUT", url, scope, ct, bytes, len,
	    &r) : oom(in);
	xfree(in, url, 0);
	xfree(in, scope, 0);
	xfree(in, ct, 0);
	if (rc != 0)
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
	char *url, *scope, *loc, *del, what[900];
	int rc;

	snprintf(what, sizeof(what), "mounting %.100s from %s into %s", digest,
	    src, dst);
	if (!digest_ok(digest))
		return fail(in, LC_REG_ERROR, "%s: not a digest", what);
	url = xprintf(in, "%s/v2/%s/blobs/uploads/?mount=%s&from=%s",
	    in->base, dst, digest, src);
	scope = xprintf(in, "repository:%s:pull,push repository:%s:pull", dst,
	    src);
	rc = url && scope ? call(in, "POST", url, scope, "Content-Length: 0",
	    "", 0, &r) : oom(in);
	xfree(in, url, 0);
	if (rc != 0) {
		xfree(in, scope, 0);
		return rc;
	}
	if (r.status == 201) {
		in->h->http_free(&r);
		xfree(in, scope, 0);
		return LC_REG_OK;
	}
	if (r.status != 202) {
		xfree(in, scope, 0);
		return status_fail(in, &r, what);
	}
	/* 202: not mounted, an upload session is open instead: close it. */
	loc = hdup(in, &r, "location");
	in->h->http_free(&r);
	if (loc && loc[0] && (del = xprintf(in, "%s%s", loc[0] == '/' ?
	    in->base : "", loc)) != NULL) {
		if (call(in, "DELETE", del, scope, NULL, NULL, 0, &r) == 0)
			in->h->http_free(&r);
		in->h->free(del);
	}
	xfree(in, loc, 0);
	xfree(in, scope, 0);
	return fail(in, LC_REG_UNSUPPORTED, "%s: the registry did not mount it "
	    "(the blob is missing from %s, or mounting is not supported)",
	    what, src);
}

/*
 * A listing is refused, not cut, beyond TAGS_MAX tags or PAGES_MAX pages:
 * far above any real repository, low enough that a registry cannot make
 * us page or grow without end.
 */
#define TAGS_MAX	1000000
#define PAGES_MAX	10000

struct tags {
	int (*fn)(void *, const char *);
	void *arg;
	int stop;
	size_t count;		/* tags seen, up to TAGS_MAX */
	int toomany;
	char bad[160];		/* a listed name that is not a tag */
};

/* s for a one-line message into out[n]: controls escaped, long cut. */
static void
shown(const char *s, char *out, size_t n)
{
	size_t k = 0;

	for (; *s && k + 8 < n; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f)
			k += (size_t)snprintf(out + k, n - k, "\\x%02x", c);
		else
			out[k++] = (char)c;
	}
	snprintf(out + k, n - k, "%s", *s ? "..." : "");
}

static int
tags_cb(void *arg, int depth, const char *key, const char *v, const char *e)
{
	struct tags *t = arg;
	char tag[130];
	const char *q;

	if (depth != 0 || strcmp(key, "tags") != 0 || *v != '[')
		return 0;
	for (v = js_ws(v + 1, e); v < e && *v == '"';) {
		/* A tag has at most 128 characters: a longer one is refused. */
		if (str_val(v, e, tag, sizeof(tag)) == -1 ||
		    (q = skip_str(v, e)) == NULL)
			break;
		if (!tag_ok(tag)) {
			shown(tag, t->bad, sizeof(t->bad));
			t->stop = 1;
			return 1;
		}
		if (++t->count > TAGS_MAX) {
			t->toomany = t->stop = 1;
			return 1;
		}
		if (t->fn(t->arg, tag) != 0) {
			t->stop = 1;
			return 1;
		}
		v = js_ws(q, e);
		if (v < e && *v == ',')
			v = js_ws(v + 1, e);
	}
	return 1;
}

/* The value of url's query parameter last, its length in *n; or NULL. */
static const char *
last_param(const char *url, size_t *n)
{
	const char *p = strchr(url, '?');

	while (p != NULL && *p != '\0' && *p != '#') {
		p++;
		if (strncmp(p, "last=", 5) == 0) {
			*n = strcspn(p + 5, "&#");
			return p + 5;
		}
		p += strcspn(p, "&#");
	}
	return NULL;
}

/*
 * Has the page url been read already (among seen[0..n))? The same URL, or
 * the same last parameter: a registry whose Link goes back (or nowhere)
 * would otherwise be followed up to PAGES_MAX pages.
 */
static int
page_seen(char *const *seen, size_t n, const char *url)
{
	const char *l, *m;
	size_t ln, mn, i;

	l = last_param(url, &ln);
	for (i = 0; i < n; i++) {
		if (strcmp(seen[i], url) == 0)
			return 1;
		if (l != NULL && (m = last_param(seen[i], &mn)) != NULL &&
		    ln == mn && memcmp(l, m, ln) == 0)
			return 1;
	}
	return 0;
}

static int
oci_list_tags(void *vi, const char *repo, int (*fn)(void *, const char *),
    void *arg)
{
	struct inst *in = vi;
	struct lc_reg_http_resp r;
	struct tags t;
	char *url, *scope, *link, what[700], **seen, again[240];
	size_t at, nseen = 0, i;
	int rc, pages;

	memset(&t, 0, sizeof(t));
	t.fn = fn;
	t.arg = arg;
	snprintf(what, sizeof(what), "tags of %s/%s", in->registry, repo);
	url = xprintf(in, "%s/v2/%s/tags/list?n=1000", in->base, repo);
	scope = xprintf(in, "repository:%s:pull", repo);
	seen = in->h->alloc(PAGES_MAX * sizeof(*seen));
	if (url == NULL || scope == NULL || seen == NULL) {
		rc = oom(in);
		goto out;
	}
	for (pages = 0; pages < PAGES_MAX; pages++) {
		/* url is read now: it joins the pages already read. */
		seen[nseen++] = url;
		url = NULL;
		if ((rc = call(in, "GET", seen[nseen - 1], scope,
		    "Accept: application/json", NULL, 0, &r)) != 0)
			goto out;
		if (r.status == 404) {
			in->h->http_free(&r);
			rc = fail(in, LC_REG_NOTFOUND, "%s: no such repository",
			    what);
			goto out;
		}
		if (r.status != 200) {
			rc = status_fail(in, &r, what);
			goto out;
		}
		if (json_valid(r.body, r.body_len, &at) != 0) {
			in->h->http_free(&r);
			rc = fail(in, LC_REG_ERROR, "%s: the answer is not "
			    "JSON (byte %zu)", what, at);
			goto out;
		}
		walk(r.body, r.body + r.body_len, 0, tags_cb, &t);
		if (t.bad[0]) {
			in->h->http_free(&r);
			rc = fail(in, LC_REG_ERROR, "%s: the registry lists "
			    "'%s', which is not a tag", what, t.bad);
			goto out;
		}
		if (t.toomany) {
			in->h->http_free(&r);
			rc = fail(in, LC_REG_ERROR, "%s: more than %d tags; "
			    "refused rather than listing a part", what,
			    TAGS_MAX);
			goto out;
		}
		/* Link: </v2/...?last=x&n=1000>; rel="next" (or absolute). */
		link = t.stop ? NULL : hdup(in, &r, "link");
		in->h->http_free(&r);
		if (link == NULL || strstr(link, "rel=\"next\"") == NULL ||
		    link[0] != '<') {
			xfree(in, link, 0);
			rc = LC_REG_OK;
			goto out;
		}
		link[strcspn(link, ">")] = '\0';
		if (link[1] == '/')
			url = xprintf(in, "%s%s", in->base, link + 1);
		else if (strncmp(link + 1, in->base, strlen(in->base)) == 0 &&
		    link[1 + strlen(in->base)] != '\0' &&
		    strchr("/?", link[1 + strlen(in->base)]))
			url = xstrdup(in, link + 1);
		else {
			rc = fail(in, LC_REG_ERROR, "%s: the next page is on "
			    "another host (%.200s)", what, link + 1);
			in->h->free(link);
			goto out;
		}
		in->h->free(link);
		if (url == NULL) {
			rc = oom(in);
			goto out;
		}
		if (page_seen(seen, nseen, url)) {
			shown(url, again, sizeof(again));
			rc = fail(in, LC_REG_ERROR, "%s: the registry's "
			    "pagination does not advance (its next page, %s, "
			    "was read already)", what, again);
			goto out;
		}
	}
	rc = fail(in, LC_REG_ERROR, "%s: more than %d pages; refused rather "
	    "than listing a part", what, PAGES_MAX);
out:
	for (i = 0; i < nseen; i++)
		xfree(in, seen[i], 0);
	if (seen != NULL)
		in->h->free(seen);
	xfree(in, url, 0);
	xfree(in, scope, 0);
	return rc;
}

__attribute__((unused)) static int
oci_repository(void *vi, const char *path, char *out, size_t n)
{
	struct inst *in = vi;

	if ((size_t)snprintf(out, n, "%s", path) >= n)
		return fail(in, LC_REG_ERROR, "'%.100s...': the repository "
		    "name is longer than %zu characters", path, n - 1);
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
	if (strlen(c->registry) >= sizeof(in->registry) || (api_host &&
	    strlen(api_host) >= sizeof(in->registry))) {
		snprintf(err, errlen, "'%.60s...': the registry name is "
		    "longer than %zu characters", c->registry,
		    sizeof(in->registry) - 1);
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
		if (in->user == NULL || in->pass == NULL) {
			xfree(in, in->user, 0);
			xfree(in, in->pass, 1);
			h->free(in);
			snprintf(err, errlen, "oci: out of memory");
			return NULL;
		}
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
	for (i = 0; i < in->ntok; i++) {
		xfree(in, in->tok[i].scope, 0);
		xfree(in, in->tok[i].value, 1);
	}
	xfree(in, in->realm, 0);
	xfree(in, in->service, 0);
	xfree(in, in->pass, 1);
	xfree(in, in->user, 0);
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
