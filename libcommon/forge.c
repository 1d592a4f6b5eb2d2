/* forge.c: which forge serves a remote, its API and token; the requests. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <jv.h>

#include "buf.h"
#include "error.h"
#include "fileio.h"
#include "forge.h"
#include "forge_int.h"
#include "http.h"
#include "jvutil.h"
#include "log.h"

/*
 * snprintf into a field of n bytes, refused (LC_EUSAGE) rather than cut
 * when longer: an API URL or repository path that does not fit.
 */
#define fit(out, n, what, ...) lc_error_fit(LC_EUSAGE, "", out, n, what, \
    __VA_ARGS__)

/* Whether s contains w, ignoring ASCII case. */
int
lc_forge_icontains(const char *s, const char *w)
{
	size_t n = strlen(w);

	for (; *s; s++)
		if (strncasecmp(s, w, n) == 0)
			return 1;
	return 0;
}

int
lc_forge_kind_parse(const char *s, enum lc_forge_kind *k)
{
	if (strcmp(s, "github") == 0)
		*k = LC_FORGE_GITHUB;
	else if (strcmp(s, "gitlab") == 0)
		*k = LC_FORGE_GITLAB;
	else if (strcmp(s, "gitea") == 0 || strcmp(s, "forgejo") == 0)
		*k = LC_FORGE_GITEA;
	else if (strcmp(s, "auto") == 0)
		*k = LC_FORGE_AUTO;
	else
		return -1;
	return 0;
}

const char *
lc_forge_name(const struct lc_forge *f)
{
	return f->kind == LC_FORGE_GITHUB ? "GitHub" : f->kind ==
	    LC_FORGE_GITLAB ? "GitLab" : "Gitea";
}

/*
 * The remote's scheme ("https" for scp-like and ssh URLs), host[:port] and
 * repository path (no leading slash, no .git). A local remote has no host;
 * its path is its last two components (owner/repo).
 */
static int
split_remote(const char *url, char *scheme, size_t sn, char *host, size_t hn,
    char *path, size_t pn)
{
	const char *p, *h, *at, *slash, *colon;
	size_t len;

	*scheme = *host = *path = '\0';
	if ((p = strstr(url, "://")) != NULL) {
		snprintf(scheme, sn, "%.*s", (int)(p - url), url);
		if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0)
			snprintf(scheme, sn, "%s", strcmp(scheme, "file") == 0 ?
			    "" : "https");
		h = p + 3;
		slash = strchr(h, '/');
		if (slash == NULL)
			slash = h + strlen(h);
		at = memchr(h, '@', (size_t)(slash - h));
		if (at)
			h = at + 1;
		if (*scheme) {
			if ((size_t)(slash - h) >= hn)
				return -1;
			snprintf(host, hn, "%.*s", (int)(slash - h), h);
			/* ssh://git@host:22/...: the web host has no ssh port */
			if (strncmp(url, "ssh", 3) == 0 &&
			    (colon = strchr(host, ':')) != NULL)
				*(char *)colon = '\0';
		}
		p = slash;
	} else if ((colon = strchr(url, ':')) != NULL &&
	    (slash = strchr(url, '/')) != NULL && colon < slash) {
		/* user@host:owner/repo */
		at = memchr(url, '@', (size_t)(colon - url));
		h = at ? at + 1 : url;
		snprintf(scheme, sn, "https");
		if ((size_t)(colon - h) >= hn)
			return -1;
		snprintf(host, hn, "%.*s", (int)(colon - h), h);
		p = colon + 1;
	} else
		p = url;
	while (*p == '/')
		p++;
	len = strlen(p);
	while (len > 0 && p[len - 1] == '/')
		len--;
	if (len > 4 && strncmp(p + len - 4, ".git", 4) == 0)
		len -= 4;
	if (*host == '\0') {
		/* A path on this machine: its last two components. */
		const char *q = p + len, *k = NULL;
		int n = 0;

		while (q > p && n < 2) {
			q--;
			if (*q == '/' && ++n == 2)
				k = q + 1;
		}
		if (k) {
			len -= (size_t)(k - p);
			p = k;
		}
	}
	if (len >= pn)
		return -1;
	snprintf(path, pn, "%.*s", (int)len, p);
	return 0;
}

/* The host[:port] of an http(s) URL into out ("" when it does not fit). */
static void
url_host(const char *url, char *out, size_t n)
{
	char s[16], p[600];

	if (split_remote(url, s, sizeof(s), out, n, p, sizeof(p)) != 0)
		*out = '\0';
}

/* A request; *j gets the parsed JSON answer (jv_null() when none). */
int
lc_forge_call(struct lc_forge *f, const char *method, const char *path,
    jv body, long *status, jv *j)
{
	struct lc_http_resp r = LC_HTTP_RESP_INIT;
	struct lc_http_req q;
	struct lc_buf url = LC_BUF_INIT;
	const char *hdrs[6];
	jv s = jv_invalid();
	int rc, n = 0;

	*j = jv_null();
	lc_buf_printf(&url, "%s%s", f->api, path);
	hdrs[n++] = f->auth;
	if (f->kind == LC_FORGE_GITHUB) {
		hdrs[n++] = "Accept: application/vnd.github+json";
		hdrs[n++] = "X-GitHub-Api-Version: 2022-11-28";
	} else
		hdrs[n++] = "Accept: application/json";
	memset(&q, 0, sizeof(q));
	q.method = method;
	q.url = url.data;
	q.deadline = f->deadline;
	if (jv_is_valid(body)) {
		hdrs[n++] = "Content-Type: application/json";
		s = jv_dump_string(body, 0);
		q.body = jv_string_value(s);
		q.body_len = strlen(jv_string_value(s));
	} else
		jv_free(body);
	hdrs[n] = NULL;
	q.headers = hdrs;
	rc = lc_http_request(f->http, &q, &r, NULL);
	jv_free(s);
	if (rc == 0) {
		*status = r.status;
		if (r.body.len > 0) {
			*j = jv_parse_sized(r.body.data, (int)r.body.len);
			if (!jv_is_valid(*j)) {
				jv_free(*j);
				*j = jv_null();
			}
		}
	}
	lc_http_resp_release(&r);
	lc_buf_release(&url);
	return rc;
}

/* The forge's own words in an error answer. */
void
lc_forge_reason(jv j, char *out, size_t n)
{
	jv m = lc_jvutil_get(j, "message"), e;
	const char *s = "";

	*out = '\0';
	if (jv_get_kind(m) == JV_KIND_ARRAY && jv_array_length(jv_copy(m)) > 0)
		m = jv_array_get(m, 0);
	if (jv_get_kind(m) == JV_KIND_STRING)
		s = jv_string_value(m);
	else if (jv_get_kind(j) == JV_KIND_OBJECT)
		s = lc_jvutil_str(j, "error");
	snprintf(out, n, "%s", s);
	/* GitHub: {"message":"Validation Failed","errors":[{"message":..}]} */
	e = lc_jvutil_get(j, "errors");
	if (jv_get_kind(e) == JV_KIND_ARRAY && jv_array_length(jv_copy(e)) > 0) {
		jv x = jv_array_get(jv_copy(e), 0);
		const char *em = jv_get_kind(x) == JV_KIND_OBJECT ?
		    lc_jvutil_str(x, "message") : "";

		if (*em)
			snprintf(out, n, "%s", em);
		else if (jv_get_kind(x) == JV_KIND_OBJECT && *lc_jvutil_str(x,
		    "code"))
			snprintf(out, n, "%s: %s %s", s, lc_jvutil_str(x,
			    "field"),
			    lc_jvutil_str(x, "code"));
		jv_free(x);
	}
	jv_free(e);
	jv_free(m);
}

/* An answer that is not what we asked for, as an LC_E* code. */
int
lc_forge_refused(struct lc_forge *f, const char *what, long status,
    jv j)
{
	char why[400];

	lc_forge_reason(j, why, sizeof(why));
	if (status == 401)
		return lc_error_set(LC_EAUTH, "%s: %s refused the token (401%s%s):"
		    " it is wrong or expired", what, lc_forge_name(f), *why ?
		    ": " : "", why);
	if (status == 403 && (lc_forge_icontains(why, "rate limit") ||
	    lc_forge_icontains(why, "secondary")))
		return lc_error_set(LC_EUNAVAIL, "%s: %s rate limit (403): %s",
		    what, lc_forge_name(f), why);
	if (status == 403)
		return lc_error_set(LC_EAUTH, "%s: %s denied it (403): %s%s", what,
		    lc_forge_name(f), why, lc_forge_icontains(why,
		    "GitHub Actions") ? " (allow it in the repository's "
		    "Actions settings, or use an App or personal token)" : "");
	if (status == 404)
		return lc_error_set(LC_ENOTFOUND, "%s: %s has no %s, or the token "
		    "cannot see it (404)", what, lc_forge_name(f), f->slug);
	if (status == 409)
		return lc_error_set(LC_ECONFLICT, "%s: %s: %s (409)", what,
		    lc_forge_name(f), *why ? why : "conflict");
	if (status >= 500 || status == 429)
		return lc_error_set(LC_EUNAVAIL, "%s: %s answered %ld", what,
		    lc_forge_name(f), status);
	return lc_error_set(LC_ERROR, "%s: %s answered %ld%s%s", what,
	    lc_forge_name(f), status, *why ? ": " : "", why);
}

/* The API and kind from the environment and the remote. */
static int
locate(struct lc_forge *f, const struct lc_forge_conf *c, const char *scheme,
    const char *host)
{
	static const struct {
		const char *host, *api;
		enum lc_forge_kind kind;
	} known[] = {
		{ "github.com", "https://api.github.com", LC_FORGE_GITHUB },
		{ "gitlab.com", "https://gitlab.com/api/v4", LC_FORGE_GITLAB },
		{ "codeberg.org", "https://codeberg.org/api/v1", LC_FORGE_GITEA },
	};
	static const struct {
		const char *server, *api, *path;
		enum lc_forge_kind kind;
	} ci[] = {
		{ "GITHUB_SERVER_URL", "GITHUB_API_URL", "/api/v3",
		    LC_FORGE_GITHUB },
		{ "CI_SERVER_URL", "CI_API_V4_URL", "/api/v4", LC_FORGE_GITLAB },
	};
	const char *v, *a;
	char h[300];
	size_t i, n;

	if (c->api_url) {
		if (fit(f->api, sizeof(f->api), "--api-url", "%s", c->api_url))
			return LC_EUSAGE;
		n = strlen(f->api);
		while (n > 0 && f->api[n - 1] == '/')
			f->api[--n] = '\0';
		if (f->kind == LC_FORGE_AUTO)
			f->kind = n > 7 && strcmp(f->api + n - 7, "/api/v4") ==
			    0 ? LC_FORGE_GITLAB : n > 7 && strcmp(f->api + n - 7,
			    "/api/v1") == 0 ? LC_FORGE_GITEA : LC_FORGE_GITHUB;
		return 0;
	}
	if (*host == '\0')
		return lc_error_set(LC_EUSAGE, "the remote is on this machine: "
		    "name the forge with --provider and --api-url");
	/* In a CI job on the remote's own forge, the job says where. */
	for (i = 0; i < sizeof(ci) / sizeof(ci[0]); i++) {
		if ((f->kind != LC_FORGE_AUTO && f->kind != ci[i].kind) ||
		    (v = getenv(ci[i].server)) == NULL || *v == '\0')
			continue;
		url_host(v, h, sizeof(h));
		if (strcmp(h, host) != 0)
			continue;
		f->kind = ci[i].kind;
		if ((a = getenv(ci[i].api)) != NULL && *a) {
			if (fit(f->api, sizeof(f->api), ci[i].api, "%s", a))
				return LC_EUSAGE;
		} else if (fit(f->api, sizeof(f->api), ci[i].server, "%s%s", v,
		    ci[i].path))
			return LC_EUSAGE;
		if (f->kind == LC_FORGE_GITHUB &&
		    (a = getenv("GITHUB_GRAPHQL_URL")) != NULL && *a &&
		    fit(f->graphql, sizeof(f->graphql), "GITHUB_GRAPHQL_URL",
		    "%s", a))
			return LC_EUSAGE;
		return 0;
	}
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(host, known[i].host) == 0 && (f->kind ==
		    LC_FORGE_AUTO || f->kind == known[i].kind)) {
			f->kind = known[i].kind;
			snprintf(f->api, sizeof(f->api), "%s", known[i].api);
			return 0;
		}
	if (f->kind != LC_FORGE_AUTO)
		return fit(f->api, sizeof(f->api), "the API URL", "%s://%s%s",
		    scheme, host, f->kind == LC_FORGE_GITHUB ? "/api/v3" :
		    f->kind == LC_FORGE_GITLAB ? "/api/v4" : "/api/v1");
	/* Ask the host: GitLab answers /api/v4/version (401 without a
	 * token), Gitea and Forgejo /api/v1/version. */
	{
		static const struct {
			const char *path;
			enum lc_forge_kind kind;
		} probe[] = {
			{ "/api/v4/version", LC_FORGE_GITLAB },
			{ "/api/v1/version", LC_FORGE_GITEA },
		};
		struct lc_http_resp r = LC_HTTP_RESP_INIT;
		struct lc_buf u = LC_BUF_INIT;
		jv j;

		for (i = 0; i < 2; i++) {
			u.len = 0;
			lc_buf_printf(&u, "%s://%s%s", scheme, host, probe[i].path);
			if (lc_http_do(f->http, "GET", u.data, NULL, NULL,
			    f->deadline, &r) == 0 && (r.status == 200 ||
			    (r.status == 401 && probe[i].kind ==
			    LC_FORGE_GITLAB))) {
				j = jv_parse_sized(r.body.data ? r.body.data : "",
				    (int)r.body.len);
				if (jv_get_kind(j) == JV_KIND_OBJECT) {
					f->kind = probe[i].kind;
					u.len -= strlen("/version");
					u.data[u.len] = '\0';
					snprintf(f->api, sizeof(f->api), "%s",
					    u.data);
				}
				jv_free(j);
			}
			lc_http_resp_release(&r);
			lc_error_clear();
			if (f->kind != LC_FORGE_AUTO)
				break;
		}
		lc_buf_release(&u);
	}
	if (f->kind == LC_FORGE_AUTO)
		return lc_error_set(LC_EUSAGE, "cannot tell which forge serves "
		    "%s: give --provider github|gitlab|gitea (and --api-url)",
		    host);
	return 0;
}

static int
read_token(struct lc_forge *f, const struct lc_forge_conf *c)
{
	static const char *const gh[] = { "PROMOTE_TOKEN", "GH_TOKEN",
	    "GITHUB_TOKEN", NULL };
	static const char *const gl[] = { "PROMOTE_TOKEN", "GITLAB_TOKEN",
	    NULL };
	static const char *const gt[] = { "PROMOTE_TOKEN", "GITEA_TOKEN",
	    "FORGEJO_TOKEN", NULL };
	const char *const *vars = f->kind == LC_FORGE_GITHUB ? gh :
	    f->kind == LC_FORGE_GITLAB ? gl : gt;
	const char *v;
	int rc;

	if (c->token_file) {
		if ((rc = lc_fileio_token(c->token_file, &f->token)) != 0)
			return rc;
	} else
		for (; *vars; vars++)
			if ((v = getenv(*vars)) != NULL && *v) {
				f->token = strdup(v);
				break;
			}
	if (f->token == NULL) {
		vars = f->kind == LC_FORGE_GITHUB ? gh : f->kind ==
		    LC_FORGE_GITLAB ? gl : gt;
		return lc_error_set(LC_EAUTH, "no token for the %s API: set %s "
		    "or %s%s%s, or give --token-file", lc_forge_name(f), vars[0],
		    vars[1], vars[2] ? " or " : "", vars[2] ? vars[2] : "");
	}
	lc_log_add_secret(f->token);
	{
		struct lc_buf b = LC_BUF_INIT;

		lc_buf_printf(&b, "%s%s", f->kind == LC_FORGE_GITHUB ?
		    "Authorization: Bearer " : f->kind == LC_FORGE_GITLAB ?
		    "PRIVATE-TOKEN: " : "Authorization: token ", f->token);
		f->auth = lc_buf_detach(&b);
	}
	return 0;
}

int
lc_forge_open(struct lc_forge **out, const struct lc_forge_conf *c)
{
	struct lc_http_conf hc;
	struct lc_forge *f;
	char scheme[16], host[300], path[600];
	char *esc;
	int rc;

	*out = NULL;
	if ((f = calloc(1, sizeof(*f))) == NULL)
		return lc_error_set(LC_ERROR, "out of memory");
	f->kind = c->kind;
	f->deadline = c->deadline;
	memset(&hc, 0, sizeof(hc));
	hc.ca_file = c->ca_file;
	hc.insecure = c->insecure;
	hc.retries = 3;
	if (split_remote(c->remote_url, scheme, sizeof(scheme), host,
	    sizeof(host), path, sizeof(path)) != 0) {
		rc = lc_error_set(LC_EUSAGE, "remote %.60s...: its host or path "
		    "is too long to be a forge's", c->remote_url);
		goto fail;
	}
	if ((rc = lc_http_new(&f->http, &hc)) != 0 ||
	    (rc = locate(f, c, scheme, host)) != 0)
		goto fail;
	memcpy(f->slug, path, sizeof(f->slug));
	if (f->kind != LC_FORGE_GITLAB) {
		const char *sl = strchr(path, '/');

		if (sl == NULL || strchr(sl + 1, '/') != NULL) {
			rc = lc_error_set(LC_EUSAGE, "remote %s: the path '%s' is "
			    "not OWNER/REPO", c->remote_url, path);
			goto fail;
		}
		if ((rc = fit(f->owner, sizeof(f->owner), "the owner", "%.*s",
		    (int)(sl - path), path)) != 0 ||
		    (rc = fit(f->repo, sizeof(f->repo), "the repository", "%s",
		    sl + 1)) != 0)
			goto fail;
	} else {
		if ((esc = curl_easy_escape(NULL, path, 0)) == NULL) {
			rc = lc_error_set(LC_ERROR, "out of memory");
			goto fail;
		}
		rc = fit(f->project, sizeof(f->project), "the project", "%s",
		    esc);
		curl_free(esc);
		if (rc != 0)
			goto fail;
	}
	if (f->kind == LC_FORGE_GITHUB && f->graphql[0] == '\0') {
		size_t n = strlen(f->api);

		/* GHES: /api/v3 -> /api/graphql; github.com: /graphql */
		/* api is at most 511 bytes: graphql holds either. */
		if (n > 7 && strcmp(f->api + n - 7, "/api/v3") == 0)
			snprintf(f->graphql, sizeof(f->graphql), "%.*s/api/graphql",
			    (int)(n - 7), f->api);
		else
			snprintf(f->graphql, sizeof(f->graphql), "%s/graphql",
			    f->api);
	}
	if ((rc = read_token(f, c)) != 0)
		goto fail;
	lc_log_debug("%s API at %s, repository %s", lc_forge_name(f), f->api,
	    f->slug);
	*out = f;
	return 0;
fail:
	lc_forge_close(f);
	return rc;
}

void
lc_forge_close(struct lc_forge *f)
{
	if (f == NULL)
		return;
	lc_http_free(f->http);
	if (f->token)
		memset(f->token, 0, strlen(f->token));
	if (f->auth)
		memset(f->auth, 0, strlen(f->auth));
	free(f->auth);
	free(f->token);
	free(f);
}
