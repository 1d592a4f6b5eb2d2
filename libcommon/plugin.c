/* plugin.c: load registry plugins (dlopen) and reach a registry through one. */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jv.h>

#include "base64.h"
#include "jvutil.h"
#include "buf.h"
#include "cli.h"
#include "error.h"
#include "fileio.h"
#include "http.h"
#include "log.h"
#include "plugin.h"

#define MAXPLUGINS 32

struct lc_registry {
	const struct lc_reg_plugin *p;
	void *inst;
	char name[256];
};

static struct lc_http *http;		/* one client: registries are per run */
static struct lc_reg_host host;
static char cache_dir[1024];

/* ---- host services ---------------------------------------------------- */

static void
h_log(enum lc_reg_log level, const char *msg)
{
	lc_log_line(level == LC_REG_LOG_ERROR ? LC_LOG_ERROR : level ==
	    LC_REG_LOG_WARN ? LC_LOG_WARN : level == LC_REG_LOG_INFO ?
	    LC_LOG_INFO : LC_LOG_DEBUG, msg);
}

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
	if ((rc = lc_http_request(http, &req, &r, &hdrs)) != 0) {
		snprintf(err, errlen, "%s", lc_error_msg() ? lc_error_msg() :
		    "HTTP failed");
		lc_error_clear();
		lc_http_resp_release(&r);
		lc_buf_release(&hdrs);
		return rc == LC_EAUTH ? LC_REG_AUTH : rc == LC_EUNAVAIL ||
		    rc == LC_ETIMEOUT ? LC_REG_UNAVAIL : LC_REG_ERROR;
	}
	out->status = r.status;
	out->body_len = r.body.len;
	out->body = r.body.data ? lc_buf_detach(&r.body) : lc_xstrndup("", 0);
	out->headers = hdrs.data ? lc_buf_detach(&hdrs) : lc_xstrndup("", 0);
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
	*out = b.data ? lc_buf_detach(&b) : lc_xstrndup("", 0);
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

/* "https://host/v1/" -> "host" (docker's ConvertToHostname). */
static void
hostname_of(const char *key, char *out, size_t n)
{
	const char *p = strstr(key, "://");

	p = p ? p + 3 : key;
	snprintf(out, n, "%.*s", (int)strcspn(p, "/"), p);
}

static int
from_helper(const char *helper, const char *server, char **user,
    char **secret)
{
	char prog[300], *out = NULL;
	const char *argv[3];
	jv v;
	int rc = -1;

	snprintf(prog, sizeof(prog), "docker-credential-%s", helper);
	argv[0] = prog;
	argv[1] = "get";
	argv[2] = NULL;
	if (h_run(argv, server, &out) != 0) {
		if (out && strstr(out, "credentials not found") == NULL)
			lc_log_warn("%s get %s failed: %.200s", prog, server, out);
		free(out);
		return -1;
	}
	v = jv_parse(out);
	if (jv_get_kind(v) == JV_KIND_OBJECT && *lc_jv_str(v, "Secret")) {
		*user = lc_xstrndup(lc_jv_str(v, "Username"),
		    strlen(lc_jv_str(v, "Username")));
		*secret = lc_xstrndup(lc_jv_str(v, "Secret"),
		    strlen(lc_jv_str(v, "Secret")));
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
	char key[300], up[2048], *colon, server[300];
	const char *helper;
	jv cfg, auths, e;
	int it, rc = -1, hub = strcmp(registry, "docker.io") == 0;

	if (lc_file_read(&b, path) != 0) {
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
	snprintf(server, sizeof(server), "%s", hub ?
	    "https://index.docker.io/v1/" : registry);
	e = lc_jv_get(cfg, "credHelpers");
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
	if (rc != 0 && *lc_jv_str(cfg, "credsStore"))
		rc = from_helper(lc_jv_str(cfg, "credsStore"), server, user,
		    secret);
	auths = lc_jv_get(cfg, "auths");
	if (rc != 0 && jv_get_kind(auths) == JV_KIND_OBJECT) {
		for (it = jv_object_iter(auths); rc != 0 &&
		    jv_object_iter_valid(auths, it);
		    it = jv_object_iter_next(auths, it)) {
			jv k = jv_object_iter_key(auths, it);

			hostname_of(jv_string_value(k), key, sizeof(key));
			jv_free(k);
			if (strcmp(key, registry) != 0 && !(hub &&
			    (strcmp(key, "index.docker.io") == 0 ||
			    strcmp(key, "registry-1.docker.io") == 0)))
				continue;
			e = jv_object_iter_value(auths, it);
			if (*lc_jv_str(e, "auth")) {
				lc_unbase64(lc_jv_str(e, "auth"), up, sizeof(up));
				if ((colon = strchr(up, ':')) != NULL) {
					*colon = '\0';
					*user = lc_xstrndup(up, strlen(up));
					*secret = lc_xstrndup(colon + 1,
					    strlen(colon + 1));
					rc = 0;
				}
				memset(up, 0, sizeof(up));
			} else if (*lc_jv_str(e, "username")) {
				*user = lc_xstrndup(lc_jv_str(e, "username"),
				    strlen(lc_jv_str(e, "username")));
				*secret = lc_xstrndup(lc_jv_str(e, "password"),
				    strlen(lc_jv_str(e, "password")));
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
	char path[1024];
	const char *v, *home = getenv("HOME");

	*user = *secret = NULL;
	if ((v = getenv("DOCKER_CONFIG")) != NULL && *v)
		snprintf(path, sizeof(path), "%s/config.json", v);
	else
		snprintf(path, sizeof(path), "%s/.docker/config.json",
		    home ? home : "");
	if (from_file(path, registry, user, secret) == 0)
		return 0;
	if ((v = getenv("REGISTRY_AUTH_FILE")) != NULL && *v &&
	    from_file(v, registry, user, secret) == 0)
		return 0;
	if ((v = getenv("XDG_RUNTIME_DIR")) != NULL && *v) {
		snprintf(path, sizeof(path), "%s/containers/auth.json", v);
		if (from_file(path, registry, user, secret) == 0)
			return 0;
	}
	if ((v = getenv("XDG_CONFIG_HOME")) != NULL && *v)
		snprintf(path, sizeof(path), "%s/containers/auth.json", v);
	else
		snprintf(path, sizeof(path), "%s/.config/containers/auth.json",
		    home ? home : "");
	return from_file(path, registry, user, secret);
}

/* ---- loading ---------------------------------------------------------- */

struct loaded {
	const struct lc_reg_plugin *p;
	char path[2048];
};

/* Whether path is a file we may load: ours or root's, not writable by others. */
static int
safe_file(const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return 0;
	if (st.st_uid != geteuid() && st.st_uid != 0) {
		lc_log_warn("%s: not loaded: owned by another user (uid %u)",
		    path, (unsigned)st.st_uid);
		return 0;
	}
	if (st.st_mode & 022) {
		lc_log_warn("%s: not loaded: writable by %s (mode %04o); "
		    "chmod go-w it", path, st.st_mode & 020 ? "its group" :
		    "others", (unsigned)(st.st_mode & 07777));
		return 0;
	}
	return 1;
}

static void
load_one(const char *path, struct loaded *l, int *n)
{
	const struct lc_reg_plugin *p;
	lc_reg_entry_fn entry;
	void *dl;

	if (*n == MAXPLUGINS || !safe_file(path))
		return;
	if ((dl = dlopen(path, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		lc_log_warn("%s: not loaded: %s", path, dlerror());
		return;
	}
	/* Plugins stay loaded until exit: unloading TLS libraries crashes. */
	*(void **)&entry = dlsym(dl, LC_REG_ENTRY);
	if (entry == NULL) {
		lc_log_warn("%s: not loaded: no %s symbol (not a registry "
		    "plugin, or built for another ABI major)", path,
		    LC_REG_ENTRY);
		return;
	}
	if ((p = entry(LC_REG_ABI_MAJOR, LC_REG_ABI_MINOR)) == NULL) {
		lc_log_warn("%s: not loaded: it refuses this host's ABI %d.%d",
		    path, LC_REG_ABI_MAJOR, LC_REG_ABI_MINOR);
		return;
	}
	if (p->abi_major != LC_REG_ABI_MAJOR) {
		lc_log_warn("%s: not loaded: plugin ABI %u.%u, this build "
		    "needs %d.x", path, p->abi_major, p->abi_minor,
		    LC_REG_ABI_MAJOR);
		return;
	}
	if (!LC_REG_HAS(p, struct lc_reg_plugin, list_tags) || p->name == NULL ||
	    p->match == NULL || p->open == NULL) {
		lc_log_warn("%s: not loaded: its plugin struct is incomplete "
		    "(size %zu)", path, p->size);
		return;
	}
	l[*n].p = p;
	snprintf(l[*n].path, sizeof(l[*n].path), "%s", path);
	(*n)++;
	lc_log_debug("plugin %s from %s", p->name, path);
}

static int
load_all(struct loaded *l, struct lc_buf *dirs)
{
	const char *env = getenv("GITOPS_PLUGIN_PATH"), *p;
	struct dirent **names;
	char dir[1024], path[2048];
	int n = 0, k, i;
	size_t len;

	lc_buf_adds(dirs, env && *env ? env : PLUGINDIR);
	for (p = dirs->data; *p;) {
		len = strcspn(p, ":");
		snprintf(dir, sizeof(dir), "%.*s", (int)len, p);
		p += len;
		if (*p == ':')
			p++;
		if (dir[0] == '\0')
			continue;
		if ((k = scandir(dir, &names, NULL, alphasort)) < 0)
			continue;
		for (i = 0; i < k; i++) {
			len = strlen(names[i]->d_name);
			if (len > 3 && strcmp(names[i]->d_name + len - 3, ".so") ==
			    0) {
				snprintf(path, sizeof(path), "%s/%s", dir,
				    names[i]->d_name);
				load_one(path, l, &n);
			}
			free(names[i]);
		}
		free(names);
	}
	return n;
}

int
lc_registry_open(struct lc_registry **out, const char *registry,
    const struct lc_registry_opts *o)
{
	static struct loaded l[MAXPLUGINS];
	static int n = -1;
	struct lc_http_conf hc;
	struct lc_reg_conf c;
	struct lc_buf dirs = LC_BUF_INIT;
	struct lc_registry *r;
	const struct lc_reg_plugin *best = NULL;
	const char *v;
	char err[512] = "";
	int i, rc;

	*out = NULL;
	if (n < 0)
		n = load_all(l, &dirs);
	for (i = 0; i < n; i++)
		if (l[i].p->match(registry) && strcmp(l[i].p->name, "oci") != 0 &&
		    (best == NULL || l[i].p->priority > best->priority))
			best = l[i].p;
	for (i = 0; best == NULL && i < n; i++)
		if (strcmp(l[i].p->name, "oci") == 0)
			best = l[i].p;
	if (best == NULL) {
		rc = lc_error_set(LC_ERROR, "no registry plugin for %s: the "
		    "'oci' plugin is not in %s (install gitops-utils, or set "
		    "GITOPS_PLUGIN_PATH)", registry, dirs.data ? dirs.data :
		    "the plugin path");
		lc_buf_release(&dirs);
		return rc;
	}
	lc_buf_release(&dirs);
	if (http == NULL) {
		memset(&hc, 0, sizeof(hc));
		hc.ca_file = o->ca_file;
		hc.insecure = o->insecure;
		if ((rc = lc_http_new(&http, &hc)) != 0)
			return rc;
		host.abi_major = LC_REG_ABI_MAJOR;
		host.abi_minor = LC_REG_ABI_MINOR;
		host.size = sizeof(host);
		host.log = h_log;
		host.add_secret = lc_log_add_secret;
		host.get_env = h_env;
		host.http = h_http;
		host.http_free = h_http_free;
		host.run = h_run;
		host.alloc = h_alloc;
		host.free = h_free;
		host.credentials = h_credentials;
		if ((v = getenv("XDG_CACHE_HOME")) != NULL && *v)
			snprintf(cache_dir, sizeof(cache_dir),
			    "%s/gitops-utils", v);
		else if ((v = getenv("HOME")) != NULL && *v)
			snprintf(cache_dir, sizeof(cache_dir),
			    "%s/.cache/gitops-utils", v);
		if (cache_dir[0]) {
			char parent[1100];

			snprintf(parent, sizeof(parent), "%s", cache_dir);
			*strrchr(parent, '/') = '\0';
			mkdir(parent, 0700);
			host.cache_dir = cache_dir;
		}
		if (o->insecure)
			lc_log_warn("TLS certificates are not verified "
			    "(--insecure)");
	}
	memset(&c, 0, sizeof(c));
	c.size = sizeof(c);
	c.registry = registry;
	c.plain_http = o->plain_http;
	c.username = o->username;
	c.password = o->password;
	c.no_token_cache = o->no_token_cache;
	r = lc_xmalloc(sizeof(*r));
	memset(r, 0, sizeof(*r));
	r->p = best;
	snprintf(r->name, sizeof(r->name), "%s", registry);
	if ((r->inst = best->open(&host, &c, err, sizeof(err))) == NULL) {
		free(r);
		return lc_error_set(LC_ERROR, "%s: the %s plugin cannot open "
		    "it: %s", registry, best->name, err);
	}
	lc_log_debug("%s: through the %s plugin", registry, best->name);
	*out = r;
	return 0;
}

void
lc_registry_close(struct lc_registry *r)
{
	if (r == NULL)
		return;
	r->p->close(r->inst);
	free(r);
}

const char *
lc_registry_plugin(const struct lc_registry *r)
{
	return r->p->name;
}

static int
unsupported(struct lc_registry *r, const char *what)
{
	return lc_error_set(LC_ERROR, "%s: the %s plugin cannot %s", r->name,
	    r->p->name, what);
}

static int
map(struct lc_registry *r, int st)
{
	int code;

	switch (st) {
	case LC_REG_OK:
		return 0;
	case LC_REG_NOTFOUND:
		code = LC_ENOTFOUND;
		break;
	case LC_REG_AUTH:
		code = LC_EAUTH;
		break;
	case LC_REG_UNAVAIL:
		code = LC_EUNAVAIL;
		break;
	default:
		code = LC_ERROR;
	}
	return lc_error_set(code, "%s", r->p->error(r->inst));
}

int
lc_registry_repository(struct lc_registry *r, const char *path, char *out,
    size_t n)
{
	if (r->p->repository == NULL) {
		snprintf(out, n, "%s", path);
		return 0;
	}
	return map(r, r->p->repository(r->inst, path, out, n));
}

int
lc_registry_resolve(struct lc_registry *r, const char *repo, const char *ref,
    struct lc_reg_desc *out)
{
	if (r->p->resolve == NULL)
		return unsupported(r, "resolve references");
	return map(r, r->p->resolve(r->inst, repo, ref, out));
}

int
lc_registry_get(struct lc_registry *r, const char *repo, const char *ref,
    char **bytes, size_t *len, struct lc_reg_desc *out)
{
	if (r->p->get_manifest == NULL)
		return unsupported(r, "read manifests");
	return map(r, r->p->get_manifest(r->inst, repo, ref, bytes, len, out));
}

int
lc_registry_get_blob(struct lc_registry *r, const char *repo,
    const char *digest, char **bytes, size_t *len)
{
	/* ABI 1.1: a 1.0 plugin's struct ends before get_blob. */
	if (!LC_REG_HAS(r->p, struct lc_reg_plugin, get_blob) ||
	    r->p->get_blob == NULL)
		return unsupported(r, "read blobs");
	return map(r, r->p->get_blob(r->inst, repo, digest, bytes, len));
}

int
lc_registry_put(struct lc_registry *r, const char *repo, const char *ref,
    const void *bytes, size_t len, const char *media_type,
    struct lc_reg_desc *out)
{
	if (r->p->put_manifest == NULL)
		return unsupported(r, "write manifests");
	return map(r, r->p->put_manifest(r->inst, repo, ref, bytes, len,
	    media_type, out));
}

int
lc_registry_mount(struct lc_registry *r, const char *dst, const char *src,
    const char *digest)
{
	if (r->p->mount_blob == NULL)
		return unsupported(r, "mount blobs");
	return map(r, r->p->mount_blob(r->inst, dst, src, digest));
}

int
lc_registry_tags(struct lc_registry *r, const char *repo,
    int (*fn)(void *arg, const char *tag), void *arg)
{
	if (r->p->list_tags == NULL)
		return unsupported(r, "list tags");
	return map(r, r->p->list_tags(r->inst, repo, fn, arg));
}

int
lc_registry_is_index(const char *mt)
{
	return strcmp(mt, "application/vnd.oci.image.index.v1+json") == 0 ||
	    strcmp(mt, "application/vnd.docker.distribution.manifest.list.v2"
	    "+json") == 0;
}

/* Mount every blob a (non-index) manifest names from src into dst. */
static int
mount_blobs(struct lc_registry *r, const char *dst, const char *src,
    const char *bytes, size_t len)
{
	jv m = jv_parse_sized(bytes, (int)len), l, e;
	int i, n, rc = 0;

	if (jv_get_kind(m) != JV_KIND_OBJECT) {
		jv_free(m);
		return lc_error_set(LC_ERROR, "the manifest is not JSON");
	}
	if (*lc_jv_str(m, "config.digest"))
		rc = lc_registry_mount(r, dst, src, lc_jv_str(m, "config.digest"));
	l = lc_jv_get(m, "layers");
	n = jv_get_kind(l) == JV_KIND_ARRAY ? jv_array_length(jv_copy(l)) : 0;
	for (i = 0; rc == 0 && i < n; i++) {
		e = jv_array_get(jv_copy(l), i);
		rc = lc_registry_mount(r, dst, src, lc_jv_str(e, "digest"));
		jv_free(e);
	}
	jv_free(l);
	jv_free(m);
	return rc;
}

int
lc_registry_copy(struct lc_registry *r, const char *src, const char *ref,
    const char *dst, const char *dst_tag, struct lc_reg_desc *out)
{
	struct lc_reg_desc sd, cd, pd;
	char *bytes = NULL, *cb;
	size_t len, clen;
	int rc, same = strcmp(src, dst) == 0, i, n;
	jv m, l, e;

	if ((rc = lc_registry_get(r, src, ref, &bytes, &len, &sd)) != 0)
		return rc;
	if (!same && lc_registry_is_index(sd.media_type)) {
		/* Every platform's manifest first, by digest, then the index. */
		m = jv_parse_sized(bytes, (int)len);
		l = lc_jv_get(m, "manifests");
		n = jv_get_kind(l) == JV_KIND_ARRAY ? jv_array_length(jv_copy(l))
		    : 0;
		for (i = 0; rc == 0 && i < n; i++) {
			e = jv_array_get(jv_copy(l), i);
			if ((rc = lc_registry_get(r, src, lc_jv_str(e, "digest"),
			    &cb, &clen, &cd)) == 0) {
				if ((rc = mount_blobs(r, dst, src, cb, clen)) == 0)
					rc = lc_registry_put(r, dst, cd.digest, cb,
					    clen, cd.media_type, &pd);
				free(cb);
			}
			jv_free(e);
		}
		jv_free(l);
		jv_free(m);
	} else if (!same)
		rc = mount_blobs(r, dst, src, bytes, len);
	if (rc == 0)
		rc = lc_registry_put(r, dst, dst_tag, bytes, len, sd.media_type,
		    out);
	free(bytes);
	if (rc == 0 && strcmp(out->digest, sd.digest) != 0)
		rc = lc_error_set(LC_ERROR, "%s:%s: the registry stored %s, not "
		    "the source's %s", dst, dst_tag, out->digest, sd.digest);
	return rc;
}
