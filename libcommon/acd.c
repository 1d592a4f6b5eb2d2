/* acd.c: Argo CD REST client over http + libjq: discovery and calls. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <curl/curl.h>
#include <yaml.h>

#include "acd.h"
#include "ci.h"
#include "clock.h"
#include "error.h"
#include "fileio.h"
#include "http.h"
#include "log.h"

struct lc_acd {
	struct lc_http *http;
	char *base;		/* scheme://host[:port][/root] */
	const struct lc_acd_conf *conf;
	char *token;
};

void
lc_acd_app_parse(struct lc_acd_app *a, const char *arg,
    const char *default_ns)
{
	const char *slash = strchr(arg, '/');

	if (slash) {
		a->ns = lc_buf_xstrndup(arg, (size_t)(slash - arg));
		a->name = lc_buf_xstrndup(slash + 1, strlen(slash + 1));
	} else {
		a->ns = default_ns ? lc_buf_xstrndup(default_ns,
		    strlen(default_ns)) : NULL;
		a->name = lc_buf_xstrndup(arg, strlen(arg));
	}
}

void
lc_acd_app_free(struct lc_acd_app *a)
{
	free(a->name);
	free(a->ns);
	a->name = a->ns = NULL;
}

/* ---- the argocd CLI's config file ----------------------------------- */

static yaml_node_t *
ymap_get(yaml_document_t *d, yaml_node_t *map, const char *key)
{
	yaml_node_pair_t *p;
	yaml_node_t *k;

	if (map == NULL || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (p = map->data.mapping.pairs.start;
	    p < map->data.mapping.pairs.top; p++) {
		k = yaml_document_get_node(d, p->key);
		if (k && k->type == YAML_SCALAR_NODE &&
		    strcmp((char *)k->data.scalar.value, key) == 0)
			return yaml_document_get_node(d, p->value);
	}
	return NULL;
}

static const char *
yscalar(yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ?
	    (const char *)n->data.scalar.value : NULL;
}

/* The entry of list seq whose "name" (or key) equals want. */
static yaml_node_t *
yfind(yaml_document_t *d, yaml_node_t *seq, const char *key,
    const char *want)
{
	yaml_node_item_t *i;
	yaml_node_t *e;
	const char *v;

	if (seq == NULL || seq->type != YAML_SEQUENCE_NODE || want == NULL)
		return NULL;
	for (i = seq->data.sequence.items.start;
	    i < seq->data.sequence.items.top; i++) {
		e = yaml_document_get_node(d, *i);
		if ((v = yscalar(ymap_get(d, e, key))) && strcmp(v, want) == 0)
			return e;
	}
	return NULL;
}

static int
ytrue(yaml_node_t *n)
{
	const char *v = yscalar(n);

	return v && (strcmp(v, "true") == 0 || strcmp(v, "True") == 0);
}

/* The config file's path, or NULL when there is none to read. */
static char *
config_path(const struct lc_acd_conf *c)
{
	struct lc_buf p = LC_BUF_INIT;
	struct stat st;
	const char *home = getenv("HOME"), *v;

	if (c->config)
		return lc_buf_xstrndup(c->config, strlen(c->config));
	if ((v = getenv("ARGOCD_CONFIG_DIR")) != NULL && *v)
		lc_buf_printf(&p, "%s/config", v);
	else {
		if (home) {
			lc_buf_printf(&p, "%s/.argocd", home);
			if (stat(p.data, &st) == 0 && S_ISDIR(st.st_mode)) {
				lc_buf_adds(&p, "/config");
				return lc_buf_detach(&p);
			}
			p.len = 0;
		}
		if ((v = getenv("XDG_CONFIG_HOME")) != NULL && *v)
			lc_buf_printf(&p, "%s/argocd/config", v);
		else if (home)
			lc_buf_printf(&p, "%s/.config/argocd/config", home);
		else
			return NULL;
	}
	return lc_buf_detach(&p);
}

struct fromfile {
	char *server, *token, *root;
	int plaintext, insecure;
};

static void
fromfile_free(struct fromfile *f)
{
	free(f->server);
	free(f->token);
	free(f->root);
}

static char *
xdup(const char *s)
{
	return s ? lc_buf_xstrndup(s, strlen(s)) : NULL;
}

static int
read_config(const struct lc_acd_conf *c, struct fromfile *f)
{
	yaml_parser_t ps;
	yaml_document_t d;
	yaml_node_t *root, *ctx, *srv, *usr;
	struct stat st;
	char *path = config_path(c);
	const char *name, *v;
	FILE *fp;
	int rc = 0;

	memset(f, 0, sizeof(*f));
	if (path == NULL)
		return 0;
	if ((fp = fopen(path, "r")) == NULL) {
		rc = errno == ENOENT && c->config == NULL ? 0 :
		    lc_error_errno(LC_ERROR, "%s", path);
		free(path);
		return rc;
	}
	if (fstat(fileno(fp), &st) == 0 && (st.st_mode & 0777) != 0600 &&
	    (st.st_mode & 0777) != 0400) {
		rc = lc_error_set(LC_ERROR, "%s: config file has incorrect "
		    "permission flags %04o, change the file permission either "
		    "to 0400 or 0600", path, (unsigned)(st.st_mode & 0777));
		goto out;
	}
	yaml_parser_initialize(&ps);
	yaml_parser_set_input_file(&ps, fp);
	if (!yaml_parser_load(&ps, &d)) {
		rc = lc_error_set(LC_EDATA, "%s:%zu:%zu: %s", path,
		    ps.problem_mark.line + 1, ps.problem_mark.column + 1,
		    ps.problem ? ps.problem : "bad YAML");
		yaml_parser_delete(&ps);
		goto out;
	}
	yaml_parser_delete(&ps);
	root = yaml_document_get_root_node(&d);
	name = c->context ? c->context :
	    yscalar(ymap_get(&d, root, "current-context"));
	if (name && *name) {
		ctx = yfind(&d, ymap_get(&d, root, "contexts"), "name", name);
		if (ctx == NULL) {
			rc = lc_error_set(LC_ERROR, "%s: local config invalid: "
			    "Context '%s' undefined", path, name);
			goto doc;
		}
		v = yscalar(ymap_get(&d, ctx, "server"));
		srv = yfind(&d, ymap_get(&d, root, "servers"), "server", v);
		if (srv == NULL) {
			rc = lc_error_set(LC_ERROR, "%s: local config invalid: "
			    "Server '%s' undefined", path, v ? v : "");
			goto doc;
		}
		v = yscalar(ymap_get(&d, ctx, "user"));
		usr = yfind(&d, ymap_get(&d, root, "users"), "name", v);
		if (usr == NULL) {
			rc = lc_error_set(LC_ERROR, "%s: local config invalid: "
			    "User '%s' undefined", path, v ? v : "");
			goto doc;
		}
		f->server = xdup(yscalar(ymap_get(&d, srv, "server")));
		f->root = xdup(yscalar(ymap_get(&d, srv,
		    "grpc-web-root-path")));
		f->plaintext = ytrue(ymap_get(&d, srv, "plain-text"));
		f->insecure = ytrue(ymap_get(&d, srv, "insecure"));
		f->token = xdup(yscalar(ymap_get(&d, usr, "auth-token")));
		if (f->token)
			lc_log_add_secret(f->token);
		lc_log_debug("server and token from %s, context '%s'", path,
		    name);
	}
doc:
	yaml_document_delete(&d);
out:
	fclose(fp);
	free(path);
	return rc;
}

/* ---- the client ----------------------------------------------------- */

static char *
read_secret_file(const char *path)
{
	struct lc_buf b = LC_BUF_INIT;
	char *s;

	if (lc_fileio_read(&b, path) != 0)
		return NULL;
	while (b.len && isspace((unsigned char)b.data[b.len - 1]))
		b.data[--b.len] = '\0';
	s = lc_buf_detach(&b);
	if (s == NULL)
		s = lc_buf_xstrndup("", 0);
	return s;
}

/* Map an API error answer to our codes, with the server's own message. */
int
lc_acd_api_error(const struct lc_http_resp *r, const char *what,
    int is_get_app)
{
	jv e = jv_invalid();
	const char *msg = "";
	char plain[256];
	int rc;

	if (r->body.len && strncmp(r->ctype, "application/json", 16) == 0) {
		e = jv_parse_sized(r->body.data, (int)r->body.len);
		if (jv_get_kind(e) == JV_KIND_OBJECT)
			msg = lc_jvutil_str(e, "message");
		if (*msg == '\0' && jv_get_kind(e) == JV_KIND_OBJECT)
			msg = lc_jvutil_str(e, "error");
	}
	if (*msg == '\0') {
		snprintf(plain, sizeof(plain), "%.*s", (int)(r->body.len < 200 ?
		    r->body.len : 200), r->body.data ? r->body.data : "");
		plain[strcspn(plain, "\r\n")] = '\0';
		msg = plain;
	}
	switch (r->status) {
	case 401:
		rc = lc_error_set(LC_EAUTH, "%s: %s (401): log in again, or "
		    "check the token (--auth-token-file, ARGOCD_AUTH_TOKEN)",
		    what, msg);
		break;
	case 403:
		if (is_get_app && strcmp(msg, "permission denied") == 0)
			rc = lc_error_set(LC_ENOTFOUND, "%s: permission denied "
			    "(403): the application does not exist, or the "
			    "token may not see it (Argo CD answers both alike; "
			    "--project tells them apart)", what);
		else
			rc = lc_error_set(LC_EAUTH, "%s: %s (403)", what, msg);
		break;
	case 404:
		rc = lc_error_set(LC_ENOTFOUND, "%s: %s (404)", what, msg);
		break;
	case 307:
	case 308:
		rc = lc_error_set(LC_ERROR, "%s: the server redirects to HTTPS: "
		    "drop --plaintext", what);
		break;
	case 400:
		if (strcmp(msg, "another operation is already in progress")
		    == 0) {
			rc = lc_error_set(LC_ECONFLICT, "%s: %s", what, msg);
			break;
		}
		/* FALLTHROUGH */
	default:
		rc = lc_error_set(r->status >= 500 ? LC_EUNAVAIL : LC_ERROR,
		    "%s: %s (%ld)", what, *msg ? msg : "unexpected answer",
		    r->status);
	}
	jv_free(e);
	return rc;
}

void
lc_acd_query(struct lc_buf *u, const char *key, const char *val)
{
	char *esc;

	if (val == NULL || *val == '\0')
		return;
	esc = curl_easy_escape(NULL, val, 0);
	lc_buf_printf(u, "%c%s=%s", strchr(u->data, '?') ? '&' : '?', key,
	    esc ? esc : "");
	curl_free(esc);
}

static int
login(struct lc_acd *acd, const char *user, const char *pass,
    long long deadline)
{
	struct lc_http_resp r = LC_HTTP_RESP_INIT;
	struct lc_buf url = LC_BUF_INIT;
	jv body, ans;
	char *s;
	int rc;

	body = jv_object_set(jv_object(), jv_string("username"),
	    jv_string(user));
	body = jv_object_set(body, jv_string("password"), jv_string(pass));
	s = jv_string_value(ans = jv_dump_string(body, 0)) ?
	    lc_buf_xstrndup(jv_string_value(ans),
	    strlen(jv_string_value(ans))) :
	    NULL;
	jv_free(ans);
	lc_buf_printf(&url, "%s/api/v1/session", acd->base);
	rc = lc_http_do(acd->http, "POST", url.data, s, NULL, deadline, &r);
	if (s) {
		memset(s, 0, strlen(s));
		free(s);
	}
	if (rc == 0 && r.status != 200)
		rc = lc_acd_api_error(&r, "login", 0);
	if (rc == 0) {
		ans = jv_parse_sized(r.body.data ? r.body.data : "",
		    (int)r.body.len);
		if (*lc_jvutil_str(ans, "token") == '\0')
			rc = lc_error_set(LC_ERROR, "login: the answer has no "
			    "token");
		else {
			acd->token = xdup(lc_jvutil_str(ans, "token"));
			/* Ours: the runner cannot know it (the only ::add-mask::). */
			lc_ci_add_secret(acd->token);
		}
		jv_free(ans);
	}
	lc_http_resp_release(&r);
	lc_buf_release(&url);
	return rc;
}

int
lc_acd_open(struct lc_acd **out, const struct lc_acd_conf *c,
    long long deadline)
{
	struct lc_http_conf hc;
	struct fromfile f;
	struct lc_acd *acd;
	struct lc_buf b = LC_BUF_INIT;
	const char *server, *root, *user, *v;
	char *token = NULL, *pass = NULL;
	int rc, plain;

	*out = NULL;
	if ((c->client_crt == NULL) != (c->client_key == NULL))
		return lc_error_set(LC_EUSAGE, "--client-crt and "
		    "--client-crt-key must always be specified together");
	server = c->server ? c->server : getenv("ARGOCD_SERVER");
	if (c->token_file) {
		if ((token = read_secret_file(c->token_file)) == NULL)
			return LC_ERROR;
		lc_log_add_secret(token);
	} else if (c->token)
		token = xdup(c->token);
	else if ((v = getenv("ARGOCD_AUTH_TOKEN")) != NULL && *v) {
		token = xdup(v);
		lc_log_add_secret(token);
	}
	if ((rc = read_config(c, &f)) != 0) {
		free(token);
		return rc;
	}
	if (server == NULL || *server == '\0')
		server = f.server;
	if (server == NULL || *server == '\0') {
		fromfile_free(&f);
		free(token);
		return lc_error_set(LC_EUSAGE, "Argo CD server address "
		    "unspecified: give --server, set ARGOCD_SERVER, or run "
		    "'argocd login'");
	}
	/* The file's token belongs to the file's server only. */
	if (token == NULL && f.token && f.server &&
	    strcmp(server, f.server) == 0)
		token = xdup(f.token);
	plain = c->plaintext || (f.plaintext && f.server &&
	    strcmp(server, f.server) == 0);
	root = c->root_path ? c->root_path : f.root;
	if (strstr(server, "://"))
		lc_buf_adds(&b, server);
	else
		lc_buf_printf(&b, "%s://%s", plain ? "http" : "https", server);
	while (b.len && b.data[b.len - 1] == '/')
		b.data[--b.len] = '\0';
	if (root && *root) {
		while (*root == '/')
			root++;
		lc_buf_printf(&b, "/%s", root);
		while (b.len && b.data[b.len - 1] == '/')
			b.data[--b.len] = '\0';
	}
	acd = lc_buf_xmalloc(sizeof(*acd));
	memset(acd, 0, sizeof(*acd));
	acd->conf = c;
	acd->base = lc_buf_detach(&b);
	memset(&hc, 0, sizeof(hc));
	hc.ca_file = c->ca_file;
	hc.ca_flag = "--ca-file";
	hc.client_crt = c->client_crt;
	hc.client_key = c->client_key;
	hc.insecure = c->insecure || (f.insecure && f.server &&
	    strcmp(server, f.server) == 0);
	hc.headers = c->headers;
	hc.nheaders = c->nheaders;
	/* The scheme came from the URL given, --plaintext, or the file. */
	hc.plain_hint = strstr(server, "://") ? "give the server as http://..."
	    : "use --plaintext";
	hc.tls_hint = strstr(server, "://") ? "give the server as https://..." :
	    c->plaintext ? "drop --plaintext (and from ARGOCD_OPTS)" :
	    "drop plain-text from the server's entry in the argocd config";
	/*
	 * --timeout 0 is no limit, for the requests too: else each would
	 * get http's 30 s, and a slow answer (a refresh waits for the
	 * controller) ended the run with 124 "timed out after 0s".
	 */
	if (c->timeout_ms == 0)
		hc.io_timeout_ms = -1;
	fromfile_free(&f);
	if (hc.insecure && strncmp(acd->base, "https:", 6) == 0)
		lc_log_warn("TLS certificates are not verified (--insecure)");
	if ((rc = lc_http_new(&acd->http, &hc)) != 0)
		goto fail;
	/* A CA setting that cannot be read: exit 2 now, for every app. */
	if (strncmp(acd->base, "https:", 6) == 0 &&
	    (rc = lc_http_ca_check(acd->http)) != 0)
		goto fail;
	user = c->username ? c->username : getenv("ARGOCD_USERNAME");
	if (c->password_file) {
		if ((pass = read_secret_file(c->password_file)) == NULL) {
			rc = LC_ERROR;
			goto fail;
		}
	} else if ((v = getenv("ARGOCD_PASSWORD")) != NULL)
		pass = xdup(v);
	if (pass)
		lc_log_add_secret(pass);
	if (user && *user && pass && (c->token == NULL && c->token_file ==
	    NULL)) {
		free(token);
		token = NULL;
		if ((rc = login(acd, user, pass, deadline)) != 0)
			goto fail;
	} else if (token) {
		acd->token = token;
		token = NULL;
	}
	if (acd->token == NULL)
		lc_log_warn("no token: give --auth-token-file, set "
		    "ARGOCD_AUTH_TOKEN, or ARGOCD_USERNAME and ARGOCD_PASSWORD");
	lc_http_set_bearer(acd->http, acd->token);
	free(pass);
	*out = acd;
	return 0;
fail:
	free(token);
	free(pass);
	lc_acd_close(acd);
	return rc;
}

void
lc_acd_close(struct lc_acd *acd)
{
	if (acd == NULL)
		return;
	lc_http_free(acd->http);
	free(acd->base);
	free(acd->token);
	free(acd);
}

const char *
lc_acd_base(const struct lc_acd *acd)
{
	return acd->base;
}

struct lc_http *
lc_acd_http(struct lc_acd *acd)
{
	return acd->http;
}

/* Parse a 200 answer's JSON into *out. */
static int
parse_answer(const struct lc_http_resp *r, const char *what, jv *out)
{
	jv v = jv_parse_sized(r->body.data ? r->body.data : "",
	    (int)r->body.len);

	if (!jv_is_valid(v) || jv_get_kind(v) != JV_KIND_OBJECT) {
		jv_free(v);
		return lc_error_set(LC_ERROR, "%s: the answer is not a JSON "
		    "object", what);
	}
	*out = v;
	return 0;
}

static const char *
first_project(const struct lc_acd *acd)
{
	return acd->conf->nprojects ? acd->conf->projects[0] : NULL;
}

void
lc_acd_app_url(struct lc_buf *u, const struct lc_acd *acd,
    const struct lc_acd_app *a, const char *suffix)
{
	char *esc = curl_easy_escape(NULL, a->name, 0);

	lc_buf_printf(u, "%s/api/v1/applications/%s%s%s", acd->base,
	    esc ? esc : "", suffix ? "/" : "", suffix ? suffix : "");
	curl_free(esc);
	lc_acd_query(u, "appNamespace", a->ns);
	lc_acd_query(u, "project", first_project(acd));
}

int
lc_acd_get(struct lc_acd *acd, const struct lc_acd_app *a,
    const char *refresh, long long deadline, jv *app)
{
	struct lc_http_resp r = LC_HTTP_RESP_INIT;
	struct lc_buf u = LC_BUF_INIT, what = LC_BUF_INIT, h = LC_BUF_INIT;
	const char *hdrs[2] = { NULL, NULL };
	long long left;
	int rc;

	lc_acd_app_url(&u, acd, a, NULL);
	lc_acd_query(&u, "refresh", refresh);
	if (refresh && deadline) {
		/* The server waits for the controller without a limit. */
		left = deadline - lc_clock_ms();
		lc_buf_printf(&h, "Grpc-Timeout: %lldm", left > 1 ? left : 1);
		hdrs[0] = h.data;
	}
	lc_buf_printf(&what, "application '%s'", a->name);
	rc = lc_http_do(acd->http, "GET", u.data, NULL, hdrs, deadline, &r);
	if (rc == 0 && r.status != 200)
		rc = lc_acd_api_error(&r, what.data, 1);
	if (rc == 0)
		rc = parse_answer(&r, what.data, app);
	lc_http_resp_release(&r);
	lc_buf_release(&u);
	lc_buf_release(&what);
	lc_buf_release(&h);
	return rc;
}

int
lc_acd_list(struct lc_acd *acd, const char *selector, const char *ns,
    long long deadline, jv *items)
{
	struct lc_http_resp r = LC_HTTP_RESP_INIT;
	struct lc_buf u = LC_BUF_INIT;
	jv all;
	size_t i;
	int rc;

	lc_buf_printf(&u, "%s/api/v1/applications", acd->base);
	lc_acd_query(&u, "selector", selector);
	lc_acd_query(&u, "appNamespace", ns);
	for (i = 0; i < acd->conf->nprojects; i++)
		lc_acd_query(&u, "projects", acd->conf->projects[i]);
	rc = lc_http_do(acd->http, "GET", u.data, NULL, NULL, deadline, &r);
	if (rc == 0 && r.status != 200)
		rc = lc_acd_api_error(&r, "list of applications", 0);
	if (rc == 0 && (rc = parse_answer(&r, "list of applications",
	    &all)) == 0) {
		*items = lc_jvutil_get(all, "items");
		if (jv_get_kind(*items) != JV_KIND_ARRAY) {
			jv_free(*items);
			*items = jv_array();
		}
		jv_free(all);
	}
	(void)i;
	lc_http_resp_release(&r);
	lc_buf_release(&u);
	return rc;
}

int
lc_acd_post(struct lc_acd *acd, const struct lc_acd_app *a,
    const char *action, jv body, long long deadline, jv *app)
{
	struct lc_http_resp r = LC_HTTP_RESP_INIT;
	struct lc_buf u = LC_BUF_INIT, what = LC_BUF_INIT;
	char *esc = curl_easy_escape(NULL, a->name, 0);
	jv s;
	int rc;

	if (a->ns)
		body = jv_object_set(body, jv_string("appNamespace"),
		    jv_string(a->ns));
	if (first_project(acd))
		body = jv_object_set(body, jv_string("project"),
		    jv_string(first_project(acd)));
	s = jv_dump_string(body, 0);
	lc_buf_printf(&u, "%s/api/v1/applications/%s/%s", acd->base, esc,
	    action);
	curl_free(esc);
	lc_buf_printf(&what, "%s of '%s'", action, a->name);
	lc_log_debug("POST %s %s", u.data, jv_string_value(s));
	rc = lc_http_do(acd->http, "POST", u.data, jv_string_value(s), NULL,
	    deadline, &r);
	jv_free(s);
	if (rc == 0 && r.status != 200)
		rc = lc_acd_api_error(&r, what.data, 0);
	if (rc == 0 && app)
		rc = parse_answer(&r, what.data, app);
	lc_http_resp_release(&r);
	lc_buf_release(&u);
	lc_buf_release(&what);
	return rc;
}

int
lc_acd_terminate(struct lc_acd *acd, const struct lc_acd_app *a,
    long long deadline)
{
	struct lc_http_resp r = LC_HTTP_RESP_INIT;
	struct lc_buf u = LC_BUF_INIT, what = LC_BUF_INIT;
	int rc;

	lc_acd_app_url(&u, acd, a, "operation");
	lc_buf_printf(&what, "terminating the operation of '%s'", a->name);
	rc = lc_http_do(acd->http, "DELETE", u.data, NULL, NULL, deadline, &r);
	if (rc == 0 && r.status != 200)
		rc = lc_acd_api_error(&r, what.data, 0);
	lc_http_resp_release(&r);
	lc_buf_release(&u);
	lc_buf_release(&what);
	return rc;
}

int
lc_acd_managed(struct lc_acd *acd, const struct lc_acd_app *a,
    long long deadline, jv *items)
{
	struct lc_http_resp r = LC_HTTP_RESP_INIT;
	struct lc_buf u = LC_BUF_INIT, what = LC_BUF_INIT;
	jv all;
	int rc;

	lc_acd_app_url(&u, acd, a, "managed-resources");
	lc_buf_printf(&what, "managed resources of '%s'", a->name);
	rc = lc_http_do(acd->http, "GET", u.data, NULL, NULL, deadline, &r);
	/* The same RBAC check (get) as a GET of the app: 403 may be 404. */
	if (rc == 0 && r.status != 200)
		rc = lc_acd_api_error(&r, what.data, 1);
	if (rc == 0 && (rc = parse_answer(&r, what.data, &all)) == 0) {
		*items = lc_jvutil_get(all, "items");
		if (jv_get_kind(*items) == JV_KIND_NULL) {
			jv_free(*items);
			*items = jv_array();	/* omitempty: no resources */
		} else if (jv_get_kind(*items) != JV_KIND_ARRAY) {
			jv_free(*items);
			rc = lc_error_set(LC_ERROR, "%s: 'items' is not a list",
			    what.data);
		}
		jv_free(all);
	}
	lc_http_resp_release(&r);
	lc_buf_release(&u);
	lc_buf_release(&what);
	return rc;
}
