/* forge.c: pull requests on GitHub, GitLab and Gitea/Forgejo. */
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

/* ---- the three APIs ----------------------------------------------------- */

static char *
esc(const char *s)
{
	char *e = curl_easy_escape(NULL, s, 0);

	if (e == NULL)
		lc_buf_oom();
	return e;
}

/*
 * Copy number and URL of a pull request object (GitLab: iid, web_url); a
 * URL or node id longer than its field is refused, not cut.
 */
static int
take(struct lc_forge *f, jv pr, struct lc_forge_pr *out, char *node,
    size_t nn)
{
	jv n = lc_jvutil_get(pr, f->kind == LC_FORGE_GITLAB ? "iid" : "number");
	const char *url = lc_jvutil_str(pr, f->kind == LC_FORGE_GITLAB ?
	    "web_url" : "html_url");
	const char *id = lc_jvutil_str(pr, "node_id");

	out->number = jv_get_kind(n) == JV_KIND_NUMBER ?
	    (long)jv_number_value(n) : 0;
	jv_free(n);
	if (strlen(url) >= sizeof(out->url) || (node && strlen(id) >= nn))
		return lc_error_set(LC_EDATA, "%s: the pull request's %s is "
		    "longer than %zu bytes", lc_forge_name(f), strlen(url) >=
		    sizeof(out->url) ? "URL" : "node id", strlen(url) >=
		    sizeof(out->url) ? sizeof(out->url) - 1 : nn - 1);
	memcpy(out->url, url, strlen(url) + 1);
	if (node)
		memcpy(node, id, strlen(id) + 1);
	return 0;
}

/* The open pull request head -> base: 1 found, 0 none, or an LC_E* code. */
static int
find(struct lc_forge *f, const struct lc_forge_pr_req *rq,
    struct lc_forge_pr *pr, char *node, size_t nn)
{
	struct lc_buf p = LC_BUF_INIT;
	char *h = esc(rq->head), *b = esc(rq->base);
	long st = 0;
	jv j = jv_null(), x;
	int rc, i, n, page, found = 0;

	if (f->kind == LC_FORGE_GITHUB) {
		char *o = esc(f->owner);

		lc_buf_printf(&p, "/repos/%s/%s/pulls?state=open&head=%s%%3A%s&"
		    "base=%s", f->owner, f->repo, o, h, b);
		curl_free(o);
	} else if (f->kind == LC_FORGE_GITLAB)
		lc_buf_printf(&p, "/projects/%s/merge_requests?state=opened&"
		    "source_branch=%s&target_branch=%s", f->project, h, b);
	else {
		/* Gitea 1.17+: GET pulls/{base}/{head}; a 404 there is also
		 * what older servers answer, so the list decides then. */
		lc_buf_printf(&p, "/repos/%s/%s/pulls/%s/%s", f->owner, f->repo,
		    b, h);
		if ((rc = lc_forge_call(f, "GET", p.data, jv_invalid(), &st,
		    &j)) != 0)
			goto out;
		if (st == 200 && jv_get_kind(j) == JV_KIND_OBJECT &&
		    strcmp(lc_jvutil_str(j, "state"), "open") == 0) {
			rc = take(f, j, pr, node, nn);
			found = 1;
			goto out;
		}
		if (st != 404 && st != 200) {
			rc = lc_forge_refused(f, "find the pull request", st,
			    j);
			goto out;
		}
		for (page = 1; page <= 20 && !found; page++) {
			jv_free(j);
			p.len = 0;
			lc_buf_printf(&p, "/repos/%s/%s/pulls?state=open&limit=50&"
			    "page=%d", f->owner, f->repo, page);
			if ((rc = lc_forge_call(f, "GET", p.data, jv_invalid(),
			    &st, &j)) != 0)
				goto out;
			if (st != 200 || jv_get_kind(j) != JV_KIND_ARRAY) {
				rc = lc_forge_refused(f,
				    "list the pull requests", st, j);
				goto out;
			}
			n = jv_array_length(jv_copy(j));
			for (i = 0; i < n && !found; i++) {
				x = jv_array_get(jv_copy(j), i);
				if (strcmp(lc_jvutil_str(x, "head.ref"), rq->head) ==
				    0 && strcmp(lc_jvutil_str(x, "base.ref"),
				    rq->base) == 0) {
					rc = take(f, x, pr, node, nn);
					found = 1;
				}
				jv_free(x);
			}
			if (rc != 0 || n < 50)
				break;
		}
		goto out;
	}
	if ((rc = lc_forge_call(f, "GET", p.data, jv_invalid(), &st, &j)) != 0)
		goto out;
	if (st != 200 || jv_get_kind(j) != JV_KIND_ARRAY) {
		rc = lc_forge_refused(f, "find the pull request", st, j);
		goto out;
	}
	if (jv_array_length(jv_copy(j)) > 0) {
		x = jv_array_get(jv_copy(j), 0);
		rc = take(f, x, pr, node, nn);
		jv_free(x);
		found = 1;
	}
out:
	jv_free(j);
	curl_free(h);
	curl_free(b);
	lc_buf_release(&p);
	return rc != 0 ? rc : found;
}

/* Gitea wants label ids: look the names up; unknown ones are left out. */
static int
gitea_labels(struct lc_forge *f, const struct lc_forge_pr_req *rq, jv *ids)
{
	struct lc_buf p = LC_BUF_INIT;
	long st = 0;
	jv j = jv_null(), x;
	int rc, i, k, n, hit;

	*ids = jv_array();
	if (rq->nlabels == 0)
		return 0;
	lc_buf_printf(&p, "/repos/%s/%s/labels?limit=50", f->owner, f->repo);
	rc = lc_forge_call(f, "GET", p.data, jv_invalid(), &st, &j);
	lc_buf_release(&p);
	if (rc != 0)
		return rc;
	if (st != 200 || jv_get_kind(j) != JV_KIND_ARRAY) {
		rc = lc_forge_refused(f, "list the labels", st, j);
		jv_free(j);
		return rc;
	}
	n = jv_array_length(jv_copy(j));
	for (k = 0; k < rq->nlabels; k++) {
		for (hit = 0, i = 0; i < n && !hit; i++) {
			x = jv_array_get(jv_copy(j), i);
			if (strcmp(lc_jvutil_str(x, "name"),
			    rq->labels[k]) == 0) {
				*ids = jv_array_append(*ids, lc_jvutil_get(x, "id"));
				hit = 1;
			}
			jv_free(x);
		}
		if (!hit)
			lc_log_warn("%s has no label '%s': not added (Gitea "
			    "labels must exist first)", f->slug, rq->labels[k]);
	}
	jv_free(j);
	return 0;
}

/* "a,b,c" for GitLab. */
static jv
label_list(const struct lc_forge_pr_req *rq)
{
	struct lc_buf b = LC_BUF_INIT;
	jv s;
	int i;

	for (i = 0; i < rq->nlabels; i++)
		lc_buf_printf(&b, "%s%s", i ? "," : "", rq->labels[i]);
	s = jv_string(b.data ? b.data : "");
	lc_buf_release(&b);
	return s;
}

/* Title with the forge's draft marker where drafts are a title prefix. */
static jv
title_of(struct lc_forge *f, const struct lc_forge_pr_req *rq)
{
	struct lc_buf b = LC_BUF_INIT;
	jv s;

	if (rq->draft && f->kind == LC_FORGE_GITLAB)
		lc_buf_adds(&b, "Draft: ");
	else if (rq->draft && f->kind == LC_FORGE_GITEA)
		lc_buf_adds(&b, "WIP: ");
	lc_buf_adds(&b, rq->title);
	s = jv_string(b.data);
	lc_buf_release(&b);
	return s;
}

static int
create(struct lc_forge *f, const struct lc_forge_pr_req *rq,
    struct lc_forge_pr *pr, char *node, size_t nn, jv label_ids)
{
	struct lc_buf p = LC_BUF_INIT;
	long st = 0;
	jv body = jv_object(), j;
	int rc;

	if (f->kind == LC_FORGE_GITLAB) {
		lc_buf_printf(&p, "/projects/%s/merge_requests", f->project);
		body = jv_object_set(body, jv_string("source_branch"),
		    jv_string(rq->head));
		body = jv_object_set(body, jv_string("target_branch"),
		    jv_string(rq->base));
		body = jv_object_set(body, jv_string("title"), title_of(f, rq));
		body = jv_object_set(body, jv_string("description"),
		    jv_string(rq->body));
		body = jv_object_set(body, jv_string("remove_source_branch"),
		    jv_true());
		if (rq->nlabels)
			body = jv_object_set(body, jv_string("labels"),
			    label_list(rq));
	} else {
		lc_buf_printf(&p, "/repos/%s/%s/pulls", f->owner, f->repo);
		body = jv_object_set(body, jv_string("title"), title_of(f, rq));
		body = jv_object_set(body, jv_string("head"),
		    jv_string(rq->head));
		body = jv_object_set(body, jv_string("base"),
		    jv_string(rq->base));
		body = jv_object_set(body, jv_string("body"),
		    jv_string(rq->body));
		if (f->kind == LC_FORGE_GITHUB)
			body = jv_object_set(body, jv_string("draft"), rq->draft ?
			    jv_true() : jv_false());
		else if (rq->nlabels)
			body = jv_object_set(body, jv_string("labels"),
			    jv_copy(label_ids));
	}
	rc = lc_forge_call(f, "POST", p.data, body, &st, &j);
	lc_buf_release(&p);
	if (rc != 0)
		return rc;
	if (st == 201) {
		rc = take(f, j, pr, node, nn);
		pr->created = 1;
		jv_free(j);
		return rc != 0 ? rc : 1;
	}
	/* Somebody opened it since our lookup: update it instead. */
	if ((f->kind == LC_FORGE_GITHUB && st == 422) || (f->kind !=
	    LC_FORGE_GITHUB && st == 409)) {
		char why[400];

		lc_forge_reason(j, why, sizeof(why));
		if (lc_forge_icontains(why, "already exist")) {
			lc_log_info("%s: %s; updating it", lc_forge_name(f), why);
			jv_free(j);
			return 0;
		}
	}
	rc = lc_forge_refused(f, "open the pull request", st, j);
	jv_free(j);
	return rc;
}

static int
update(struct lc_forge *f, const struct lc_forge_pr_req *rq,
    const struct lc_forge_pr *pr, jv label_ids)
{
	struct lc_buf p = LC_BUF_INIT;
	long st = 0;
	jv body = jv_object(), j;
	int rc;

	body = jv_object_set(body, jv_string("title"), title_of(f, rq));
	body = jv_object_set(body, jv_string(f->kind == LC_FORGE_GITLAB ?
	    "description" : "body"), jv_string(rq->body));
	if (f->kind == LC_FORGE_GITLAB) {
		lc_buf_printf(&p, "/projects/%s/merge_requests/%ld", f->project,
		    pr->number);
		if (rq->nlabels)
			body = jv_object_set(body, jv_string("add_labels"),
			    label_list(rq));
	} else {
		lc_buf_printf(&p, "/repos/%s/%s/pulls/%ld", f->owner, f->repo,
		    pr->number);
		if (f->kind == LC_FORGE_GITEA && rq->nlabels)
			body = jv_object_set(body, jv_string("labels"),
			    jv_copy(label_ids));
	}
	rc = lc_forge_call(f, f->kind == LC_FORGE_GITLAB ? "PUT" : "PATCH",
	    p.data, body, &st, &j);
	lc_buf_release(&p);
	if (rc == 0 && st != 200 && st != 201)
		rc = lc_forge_refused(f, "update the pull request", st, j);
	jv_free(j);
	return rc;
}

/* GitHub: labels are an issue's, added after create. */
static int
github_labels(struct lc_forge *f, const struct lc_forge_pr_req *rq,
    const struct lc_forge_pr *pr)
{
	struct lc_buf p = LC_BUF_INIT;
	long st = 0;
	jv l = jv_array(), j;
	int i, rc;

	if (rq->nlabels == 0)
		return 0;
	for (i = 0; i < rq->nlabels; i++)
		l = jv_array_append(l, jv_string(rq->labels[i]));
	lc_buf_printf(&p, "/repos/%s/%s/issues/%ld/labels", f->owner, f->repo,
	    pr->number);
	rc = lc_forge_call(f, "POST", p.data, jv_object_set(jv_object(),
	    jv_string("labels"), l), &st, &j);
	lc_buf_release(&p);
	if (rc == 0 && st != 200)
		rc = lc_forge_refused(f, "label the pull request", st, j);
	jv_free(j);
	return rc;
}

/*
 * A merge the forge will not do: 405, 409 and 422 are the head having moved,
 * conflicts or a state that cannot merge (exit 5); the rest as
 * lc_forge_refused().
 */
static int
unmergeable(struct lc_forge *f, const char *what, long st, jv j)
{
	char why[400];

	if (st != 405 && st != 409 && st != 422)
		return lc_forge_refused(f, what, st, j);
	lc_forge_reason(j, why, sizeof(why));
	return lc_error_set(LC_ECONFLICT, "%s: %s will not merge it (%ld)%s%s",
	    what, lc_forge_name(f), st, *why ? ": " : "", why);
}

static int
merge_now_github(struct lc_forge *f, const struct lc_forge_pr_req *rq,
    struct lc_forge_pr *pr)
{
	struct lc_buf p = LC_BUF_INIT;
	long st = 0;
	jv body = jv_object(), j;
	int rc;

	lc_buf_printf(&p, "/repos/%s/%s/pulls/%ld/merge", f->owner, f->repo,
	    pr->number);
	body = jv_object_set(body, jv_string("merge_method"),
	    jv_string(rq->merge));
	body = jv_object_set(body, jv_string("sha"), jv_string(rq->head_sha));
	rc = lc_forge_call(f, "PUT", p.data, body, &st, &j);
	lc_buf_release(&p);
	if (rc == 0 && st == 200)
		pr->merged = 1;
	else if (rc == 0)
		rc = unmergeable(f, "merge the pull request", st, j);
	jv_free(j);
	return rc;
}

static int
auto_merge(struct lc_forge *f, const struct lc_forge_pr_req *rq,
    struct lc_forge_pr *pr, const char *node)
{
	struct lc_buf p = LC_BUF_INIT;
	char why[400], method[16];
	long st = 0;
	jv body = jv_object(), j, e;
	int rc, i;

	if (f->kind == LC_FORGE_GITHUB) {
		struct lc_http_resp r = LC_HTTP_RESP_INIT;
		struct lc_http_req q;
		const char *hdrs[4] = { f->auth, "Content-Type: application/json",
		    "Accept: application/vnd.github+json", NULL };
		jv s;

		for (i = 0; rq->merge[i] && i < 15; i++)
			method[i] = (char)(rq->merge[i] & ~0x20);
		method[i] = '\0';
		body = jv_object_set(body, jv_string("query"), jv_string(
		    "mutation($id: ID!, $m: PullRequestMergeMethod!) {"
		    " enablePullRequestAutoMerge(input: {pullRequestId: $id,"
		    " mergeMethod: $m}) { pullRequest { number } } }"));
		body = jv_object_set(body, jv_string("variables"),
		    jv_object_set(jv_object_set(jv_object(), jv_string("id"),
		    jv_string(node)), jv_string("m"), jv_string(method)));
		s = jv_dump_string(body, 0);
		memset(&q, 0, sizeof(q));
		q.method = "POST";
		q.url = f->graphql;
		q.headers = hdrs;
		q.body = jv_string_value(s);
		q.body_len = strlen(jv_string_value(s));
		q.deadline = f->deadline;
		rc = lc_http_request(f->http, &q, &r, NULL);
		jv_free(s);
		j = rc == 0 && r.body.len ? jv_parse_sized(r.body.data,
		    (int)r.body.len) : jv_null();
		st = r.status;
		lc_http_resp_release(&r);
		if (rc != 0) {
			jv_free(j);
			return rc;
		}
		if (st != 200) {
			rc = lc_forge_refused(f, "enable auto-merge", st, j);
			jv_free(j);
			return rc;
		}
		e = lc_jvutil_get(j, "errors");
		jv_free(j);
		if (jv_get_kind(e) != JV_KIND_ARRAY ||
		    jv_array_length(jv_copy(e)) == 0) {
			jv_free(e);
			pr->auto_merge = 1;
			return 0;
		}
		j = jv_object_set(jv_object(), jv_string("errors"), e);
		lc_forge_reason(j, why, sizeof(why));
		jv_free(j);
		/* Nothing to wait for: GitHub wants a plain merge. */
		if (lc_forge_icontains(why, "clean status")) {
			lc_log_info("GitHub: %s; merging now", why);
			if ((rc = merge_now_github(f, rq, pr)) == 0)
				pr->auto_merge = 1;
			return rc;
		}
		return lc_error_set(LC_ERROR, "enable auto-merge: GitHub: %s",
		    why);
	}
	if (f->kind == LC_FORGE_GITLAB) {
		lc_buf_printf(&p, "/projects/%s/merge_requests/%ld/merge",
		    f->project, pr->number);
		body = jv_object_set(body, jv_string("sha"),
		    jv_string(rq->head_sha));
		body = jv_object_set(body, jv_string(
		    "merge_when_pipeline_succeeds"), jv_true());
		if (strcmp(rq->merge, "squash") == 0)
			body = jv_object_set(body, jv_string("squash"), jv_true());
		rc = lc_forge_call(f, "PUT", p.data, body, &st, &j);
	} else {
		lc_buf_printf(&p, "/repos/%s/%s/pulls/%ld/merge", f->owner,
		    f->repo, pr->number);
		body = jv_object_set(body, jv_string("Do"), jv_string(rq->merge));
		body = jv_object_set(body, jv_string("head_commit_id"),
		    jv_string(rq->head_sha));
		body = jv_object_set(body, jv_string("merge_when_checks_succeed"),
		    jv_true());
		body = jv_object_set(body, jv_string("delete_branch_after_merge"),
		    jv_true());
		rc = lc_forge_call(f, "POST", p.data, body, &st, &j);
	}
	lc_buf_release(&p);
	if (rc != 0)
		return rc;
	lc_forge_reason(j, why, sizeof(why));
	if (st == 200 || st == 201 || (st == 409 && lc_forge_icontains(why,
	    "already scheduled")))
		pr->auto_merge = 1;
	else
		rc = unmergeable(f, "enable auto-merge", st, j);
	jv_free(j);
	return rc;
}

int
lc_forge_pr_find(struct lc_forge *f, const struct lc_forge_pr_req *rq,
    struct lc_forge_pr *pr)
{
	int rc;

	memset(pr, 0, sizeof(*pr));
	if ((rc = find(f, rq, pr, pr->node, sizeof(pr->node))) < 0)
		return rc;
	pr->looked = 1;
	return 0;
}

int
lc_forge_pr_open(struct lc_forge *f, const struct lc_forge_pr_req *rq,
    struct lc_forge_pr *pr)
{
	char *node = pr->node;
	jv ids = jv_array();
	int rc, tries, looked = pr->looked, number = pr->number != 0;

	if (!looked)
		memset(pr, 0, sizeof(*pr));
	pr->looked = 0;
	if (f->kind == LC_FORGE_GITEA && (rc = gitea_labels(f, rq, &ids)) != 0)
		goto out;
	/* Find, else create; a create that finds one after all looks again.
	 * The first lookup may have been made already, before the push. */
	for (tries = 0; tries < 2; tries++) {
		if (tries == 0 && looked)
			rc = number;
		else
			rc = find(f, rq, pr, node, sizeof(pr->node));
		if (rc < 0 || rc > 0)
			break;
		if ((rc = create(f, rq, pr, node, sizeof(pr->node), ids)) != 0)
			break;
	}
	if (rc < 0)
		goto out;
	if (rc == 0) {
		rc = lc_error_set(LC_ERROR, "%s said the pull request %s -> %s "
		    "exists, but does not list it", lc_forge_name(f), rq->head,
		    rq->base);
		goto out;
	}
	rc = 0;
	if (!pr->created && (rc = update(f, rq, pr, ids)) != 0)
		goto out;
	if (f->kind == LC_FORGE_GITHUB && (rc = github_labels(f, rq, pr)) != 0)
		goto out;
	if (rq->merge)
		rc = auto_merge(f, rq, pr, node);
out:
	jv_free(ids);
	return rc;
}
