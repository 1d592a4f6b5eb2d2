/* plugin_host.c: the services every registry plugin gets from the host. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jv.h>

#include "base64.h"
#include "buf.h"
#include "ci.h"
#include "error.h"
#include "fileio.h"
#include "http.h"
#include "jvutil.h"
#include "log.h"
#include "plugin_int.h"
#include "registry.h"
#include "run.h"

#define PLUGIN_MAX_BODY	(16u << 20)

static struct lc_http *http;		/* one client: registries are per run */
static struct lc_reg_host host;
static char *cache_dir;		/* NULL without HOME and XDG_CACHE_HOME */

static void
h_log(enum lc_reg_log level, const char *msg)
{
	lc_log_line(level == LC_REG_LOG_ERROR ? LC_LOG_ERROR : level ==
	    LC_REG_LOG_WARN ? LC_LOG_WARN : level == LC_REG_LOG_INFO ?
	    LC_LOG_INFO : LC_LOG_DEBUG, msg);
}

/* The last request failed on the user's settings (LC_EUSAGE). */

static int
h_http(const struct lc_reg_http_req *q, struct lc_reg_http_resp *out,
    char *err, size_t errlen)
{
	struct lc_http_req req;
	struct lc_http_resp r = LC_HTTP_RESP_INIT;
	struct lc_buf hdrs = LC_BUF_INIT;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&req, 0, sizeof(req));
	req.method = q->method;
	req.url = q->url;
	req.headers = q->headers;
	req.body = q->body;
	req.body_len = q->body_len;
	req.aws_sigv4 = q->aws_sigv4;
	req.userpwd = q->userpwd;
	/*
	 * What a plugin asks for is small: a manifest (4 MiB at most), a
	 * config blob, a page of tags, a token. A hostile registry's endless
	 * or huge answer stops here, not after 256 MB in memory.
	 */
	req.max_body = PLUGIN_MAX_BODY;
	if ((rc = lc_http_request(http, &req, &r, &hdrs)) != 0) {
		snprintf(err, errlen, "%s", lc_error_msg() ? lc_error_msg() :
		    "HTTP failed");
		lc_error_clear();
		lc_http_resp_release(&r);
		lc_buf_release(&hdrs);
		/* The ABI has no "usage": the host remembers it (map()). */
		if (rc == LC_EUSAGE)
			lc_registry_usage_failure();
		return rc == LC_EAUTH ? LC_REG_AUTH : rc == LC_EUNAVAIL ||
		    rc == LC_ETIMEOUT ? LC_REG_UNAVAIL : LC_REG_ERROR;
	}
	out->status = r.status;
	out->body_len = r.body.len;
	out->body = r.body.data ? lc_buf_detach(&r.body) : lc_buf_xstrndup("",
	    0);
	out->headers = hdrs.data ? lc_buf_detach(&hdrs) : lc_buf_xstrndup("",
	    0);
	return LC_REG_OK;
}

static void
h_http_free(struct lc_reg_http_resp *r)
{
	free(r->body);
	free(r->headers);
	memset(r, 0, sizeof(*r));
}

/* Run argv without a shell, input on stdin, stdout into *out (10 s). */
static int
h_run(const char *const argv[], const char *input, char **out)
{
	struct lc_buf b = LC_BUF_INIT;
	int rc;

	rc = lc_run((char *const *)argv, input, input ? strlen(input) : 0, &b,
	    NULL, 10000);
	*out = b.data ? lc_buf_detach(&b) : lc_buf_xstrndup("", 0);
	/* The plugin says what a helper's failure means, not us. */
	if (rc != 0)
		lc_error_clear();
	return rc == 0 ? 0 : -1;
}

static void *
h_alloc(size_t n)
{
	return malloc(n);
}

static void
h_free(void *p)
{
	free(p);
}

static const char *
h_env(const char *name)
{
	return getenv(name);
}

/*
 * Whether an auths key names host: "https://host/v1/" -> "host" (docker's
 * ConvertToHostname).
 */
static int
key_is(const char *key, const char *host)
{
	const char *p = strstr(key, "://");
	size_t n;

	p = p ? p + 3 : key;
	n = strcspn(p, "/");
	return strlen(host) == n && strncmp(p, host, n) == 0;
}

static int
from_helper(const char *helper, const char *server, char **user,
    char **secret)
{
	struct lc_buf prog = LC_BUF_INIT;
	const char *argv[3];
	char *out = NULL;
	jv v;
	int rc = -1;

	lc_buf_printf(&prog, "docker-credential-%s", helper);
	argv[0] = prog.data;
	argv[1] = "get";
	argv[2] = NULL;
	if (h_run(argv, server, &out) != 0) {
		if (out && strstr(out, "credentials not found") == NULL)
			lc_log_warn("%s get %s failed: %.200s", prog.data, server,
			    out);
		free(out);
		lc_buf_release(&prog);
		return -1;
	}
	lc_buf_release(&prog);
	v = jv_parse(out);
	if (jv_get_kind(v) == JV_KIND_OBJECT && *lc_jvutil_str(v, "Secret")) {
		*user = lc_buf_xstrndup(lc_jvutil_str(v, "Username"),
		    strlen(lc_jvutil_str(v, "Username")));
		*secret = lc_buf_xstrndup(lc_jvutil_str(v, "Secret"),
		    strlen(lc_jvutil_str(v, "Secret")));
		rc = 0;
	}
	jv_free(v);
	free(out);
	return rc;
}

/* One docker/podman auth file: credHelpers, credsStore, auths. */
static int
from_file(const char *path, const char *registry, char **user, char **secret)
{
	struct lc_buf b = LC_BUF_INIT;
	char *up, *colon;
	const char *helper, *server, *auth;
	size_t n;
	jv cfg, auths, e;
	int it, rc = -1, hub = strcmp(registry, "docker.io") == 0;

	if (lc_fileio_read(&b, path) != 0) {
		lc_error_clear();
		return -1;
	}
	cfg = jv_parse_sized(b.data ? b.data : "", (int)b.len);
	lc_buf_release(&b);
	if (jv_get_kind(cfg) != JV_KIND_OBJECT) {
		lc_log_warn("%s: not a JSON object; skipped", path);
		jv_free(cfg);
		return -1;
	}
	server = hub ? "https://index.docker.io/v1/" : registry;
	e = lc_jvutil_get(cfg, "credHelpers");
	helper = jv_get_kind(e) == JV_KIND_OBJECT ? "" : NULL;
	if (helper) {
		jv h = jv_object_get(jv_copy(e), jv_string(hub ? "docker.io" :
		    registry));

		if (jv_get_kind(h) == JV_KIND_STRING)
			rc = from_helper(jv_string_value(h), server, user,
			    secret);
		jv_free(h);
	}
	jv_free(e);
	if (rc != 0 && *lc_jvutil_str(cfg, "credsStore"))
		rc = from_helper(lc_jvutil_str(cfg, "credsStore"), server, user,
		    secret);
	auths = lc_jvutil_get(cfg, "auths");
	if (rc != 0 && jv_get_kind(auths) == JV_KIND_OBJECT) {
		for (it = jv_object_iter(auths); rc != 0 &&
		    jv_object_iter_valid(auths, it);
		    it = jv_object_iter_next(auths, it)) {
			jv k = jv_object_iter_key(auths, it);
			const char *key = jv_string_value(k);
			int match = key_is(key, registry) || (hub &&
			    (key_is(key, "index.docker.io") ||
			    key_is(key, "registry-1.docker.io")));

			jv_free(k);
			if (!match)
				continue;
			e = jv_object_iter_value(auths, it);
			if (*(auth = lc_jvutil_str(e, "auth"))) {
				/* Sized to the value: no secret is ever cut. */
				n = lc_base64_decode_len(auth) + 1;
				up = lc_buf_xmalloc(n);
				lc_base64_decode(auth, up, n);
				if ((colon = strchr(up, ':')) != NULL) {
					*colon = '\0';
					*user = lc_buf_xstrndup(up, strlen(up));
					*secret = lc_buf_xstrndup(colon + 1,
					    strlen(colon + 1));
					rc = 0;
				}
				memset(up, 0, n);
				free(up);
			} else if (*lc_jvutil_str(e, "username")) {
				*user = lc_buf_xstrndup(lc_jvutil_str(e,
				    "username"),
				    strlen(lc_jvutil_str(e, "username")));
				*secret = lc_buf_xstrndup(lc_jvutil_str(e,
				    "password"),
				    strlen(lc_jvutil_str(e, "password")));
				rc = 0;
			}
			jv_free(e);
		}
	}
	jv_free(auths);
	jv_free(cfg);
	if (rc == 0)
		lc_log_debug("credentials for %s from %s", registry, path);
	return rc;
}

static int
h_credentials(const char *registry, char **user, char **secret)
{
	struct lc_buf path = LC_BUF_INIT;
	const char *v, *home = getenv("HOME");
	int rc;

	*user = *secret = NULL;
	if ((v = getenv("DOCKER_CONFIG")) != NULL && *v)
		lc_buf_printf(&path, "%s/config.json", v);
	else
		lc_buf_printf(&path, "%s/.docker/config.json", home ? home : "");
	if ((rc = from_file(path.data, registry, user, secret)) == 0)
		goto done;
	if ((v = getenv("REGISTRY_AUTH_FILE")) != NULL && *v &&
	    (rc = from_file(v, registry, user, secret)) == 0)
		goto done;
	if ((v = getenv("XDG_RUNTIME_DIR")) != NULL && *v) {
		path.len = 0;
		lc_buf_printf(&path, "%s/containers/auth.json", v);
		if ((rc = from_file(path.data, registry, user, secret)) == 0)
			goto done;
	}
	path.len = 0;
	if ((v = getenv("XDG_CONFIG_HOME")) != NULL && *v)
		lc_buf_printf(&path, "%s/containers/auth.json", v);
	else
		lc_buf_printf(&path, "%s/.config/containers/auth.json",
		    home ? home : "");
	rc = from_file(path.data, registry, user, secret);
done:
	lc_buf_release(&path);
	return rc;
}

int
lc_plugin_host(const struct lc_reg_host **out,
    const struct lc_registry_opts *o)
{
	struct lc_http_conf hc;
	struct lc_buf cd = LC_BUF_INIT;
	const char *v;
	int rc;

	*out = NULL;
	if (http == NULL) {
		memset(&hc, 0, sizeof(hc));
		hc.ca_file = o->ca_file;
		hc.ca_flag = o->ca_flag;
		hc.insecure = o->insecure;
		hc.plain_hint = o->plain_hint;
		hc.tls_hint = o->tls_hint;
		if ((rc = lc_http_new(&http, &hc)) != 0)
			return rc;
		host.abi_major = LC_REG_ABI_MAJOR;
		host.abi_minor = LC_REG_ABI_MINOR;
		host.size = sizeof(host);
		host.log = h_log;
		host.add_secret = lc_log_add_secret;
		host.add_own_secret = lc_ci_add_secret;
		host.get_env = h_env;
		host.http = h_http;
		host.http_free = h_http_free;
		host.run = h_run;
		host.alloc = h_alloc;
		host.free = h_free;
		host.credentials = h_credentials;
		if ((v = getenv("XDG_CACHE_HOME")) != NULL && *v)
			lc_buf_printf(&cd, "%s/gitops-utils", v);
		else if ((v = getenv("HOME")) != NULL && *v)
			lc_buf_printf(&cd, "%s/.cache/gitops-utils", v);
		if (cd.data) {
			/* Lives, like the plugins that may use it, to exit. */
			cache_dir = lc_buf_detach(&cd);
			*strrchr(cache_dir, '/') = '\0';
			mkdir(cache_dir, 0700);
			cache_dir[strlen(cache_dir)] = '/';
			host.cache_dir = cache_dir;
		}
		if (o->insecure)
			lc_log_warn("TLS certificates are not verified "
			    "(--insecure)");
	}
	/* A CA setting that cannot be read is the user's to fix: exit 2. */
	if (!o->plain_http && (rc = lc_http_ca_check(http)) != 0)
		return rc;
	*out = &host;
	return 0;
}
