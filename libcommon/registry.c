/* registry.c: reach an image registry through the plugin that serves it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jv.h>

#include "buf.h"
#include "error.h"
#include "jvutil.h"
#include "log.h"
#include "registry.h"
#include "sha256.h"

struct lc_registry {
	const struct lc_reg_plugin *p;
	void *inst;
	char *name;
};

/* The ABI has no "usage": the host remembers it for map(). */
static int usage_failure;

int
lc_registry_new(struct lc_registry **out, const struct lc_reg_plugin *p,
    const struct lc_reg_host *host, const struct lc_reg_conf *c)
{
	struct lc_registry *r;
	char err[512] = "";

	*out = NULL;
	r = lc_buf_xmalloc(sizeof(*r));
	memset(r, 0, sizeof(*r));
	r->p = p;
	r->name = lc_buf_xstrndup(c->registry, strlen(c->registry));
	if ((r->inst = p->open(host, c, err, sizeof(err))) == NULL) {
		free(r->name);
		free(r);
		return lc_error_set(LC_ERROR, "%s: the %s plugin cannot open "
		    "it: %s", c->registry, p->name, err);
	}
	lc_log_debug("%s: through the %s plugin", c->registry, p->name);
	*out = r;
	return 0;
}

void
lc_registry_usage_failure(void)
{
	usage_failure = 1;
}

void
lc_registry_close(struct lc_registry *r)
{
	if (r == NULL)
		return;
	r->p->close(r->inst);
	free(r->name);
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
	int code, usage;

	if (st == LC_REG_OK)
		return 0;
	/* Taken on every failure, so it never outlives the request. */
	usage = usage_failure;
	usage_failure = 0;
	switch (st) {
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
		/* A request the user's settings made impossible (a CA). */
		code = usage ? LC_EUSAGE : LC_ERROR;
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

/*
 * What a plugin hands back is checked here too, so that a plugin that
 * skips the checks (a third party's, an old one) cannot make a command
 * exit 0 on an answer that is no manifest: a known media type, a
 * well-formed sha256 digest, the digest asked for, and for the bytes,
 * their own digest within the 4 MiB a registry must accept.
 */
#define MANIFEST_MAX	(4u << 20)

static int
is_manifest_type(const char *mt)
{
	return lc_registry_is_index(mt) ||
	    strcmp(mt, "application/vnd.oci.image.manifest.v1+json") == 0 ||
	    strcmp(mt, "application/vnd.docker.distribution.manifest.v2+json")
	    == 0;
}

static int
is_sha256(const char *d)
{
	size_t i;

	if (strncmp(d, "sha256:", 7) != 0 || strlen(d) != 71)
		return 0;
	for (i = 7; i < 71; i++)
		if (!((d[i] >= '0' && d[i] <= '9') || (d[i] >= 'a' &&
		    d[i] <= 'f')))
			return 0;
	return 1;
}

static int
check_desc(struct lc_registry *r, const char *repo, const char *ref,
    const struct lc_reg_desc *d)
{
	if (!is_sha256(d->digest))
		return lc_error_set(LC_ERROR, "%s/%s:%s: the %s plugin gave no "
		    "sha256 digest (\"%.80s\"); it or the registry is broken",
		    r->name, repo, ref, r->p->name, d->digest);
	if (strncmp(ref, "sha256:", 7) == 0 && strcmp(ref, d->digest) != 0)
		return lc_error_set(LC_ERROR, "%s/%s@%s: the registry answered "
		    "with %s", r->name, repo, ref, d->digest);
	if (!is_manifest_type(d->media_type))
		return lc_error_set(LC_ERROR, "%s/%s:%s: not a manifest "
		    "(media type \"%.100s\")", r->name, repo, ref,
		    d->media_type);
	return 0;
}

int
lc_registry_resolve(struct lc_registry *r, const char *repo, const char *ref,
    struct lc_reg_desc *out)
{
	int rc;

	if (r->p->resolve == NULL)
		return unsupported(r, "resolve references");
	if ((rc = map(r, r->p->resolve(r->inst, repo, ref, out))) != 0)
		return rc;
	return check_desc(r, repo, ref, out);
}

int
lc_registry_get(struct lc_registry *r, const char *repo, const char *ref,
    char **bytes, size_t *len, struct lc_reg_desc *out)
{
	char d[72];
	int rc;

	if (r->p->get_manifest == NULL)
		return unsupported(r, "read manifests");
	if ((rc = map(r, r->p->get_manifest(r->inst, repo, ref, bytes, len,
	    out))) != 0)
		return rc;
	if (*len > MANIFEST_MAX)
		rc = lc_error_set(LC_ERROR, "%s/%s:%s: the manifest is %zu "
		    "bytes, more than the %u MiB a manifest may be", r->name,
		    repo, ref, *len, MANIFEST_MAX >> 20);
	else if ((rc = check_desc(r, repo, ref, out)) == 0) {
		lc_sha256_digest(*bytes, *len, d);
		if (strcmp(d, out->digest) != 0)
			rc = lc_error_set(LC_ERROR, "%s/%s:%s: the manifest's "
			    "bytes are %s, not the %s given for them", r->name,
			    repo, ref, d, out->digest);
	}
	if (rc != 0) {
		free(*bytes);
		*bytes = NULL;
		*len = 0;
	}
	return rc;
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
	if (*lc_jvutil_str(m, "config.digest"))
		rc = lc_registry_mount(r, dst, src, lc_jvutil_str(m, "config.digest"));
	l = lc_jvutil_get(m, "layers");
	n = jv_get_kind(l) == JV_KIND_ARRAY ? jv_array_length(jv_copy(l)) : 0;
	for (i = 0; rc == 0 && i < n; i++) {
		e = jv_array_get(jv_copy(l), i);
		rc = lc_registry_mount(r, dst, src, lc_jvutil_str(e, "digest"));
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
		l = lc_jvutil_get(m, "manifests");
		n = jv_get_kind(l) == JV_KIND_ARRAY ? jv_array_length(jv_copy(l))
		    : 0;
		for (i = 0; rc == 0 && i < n; i++) {
			e = jv_array_get(jv_copy(l), i);
			if ((rc = lc_registry_get(r, src, lc_jvutil_str(e, "digest"),
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
