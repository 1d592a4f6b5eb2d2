/*
 * liar.c: a test plugin for "liar.test" registries that answers OK with
 * what is no manifest, to show the host checks what any plugin hands back.
 * The repository picks the lie: "bytes" (bytes whose digest is not the one
 * claimed), "type" (a media type that is no manifest), "digest" (no sha256
 * digest), anything else answers honestly.
 */
#include <stdio.h>
#include <string.h>

#include "registry.h"

static const struct lc_reg_host *host;

static const char body[] = "{\"schemaVersion\":2}";
/* sha256 of body, as the answers claim ("bytes" lies with another body). */
static const char body_digest[] =
    "sha256:bafebd36189ad3688b7b3915ea55d461e0bfcfbdde11e54b0a123999fb6be50f";

static int
match(const char *registry)
{
	return strncmp(registry, "liar.test", 9) == 0;
}

static void *
open_(const struct lc_reg_host *h, const struct lc_reg_conf *c, char *err,
    size_t n)
{
	(void)c;
	(void)err;
	(void)n;
	host = h;
	return (void *)&match;
}

static void
close_(void *i)
{
	(void)i;
}

static const char *
error(void *i)
{
	(void)i;
	return "the liar plugin failed";
}

static void
describe(const char *repo, struct lc_reg_desc *d)
{
	memset(d, 0, sizeof(*d));
	snprintf(d->digest, sizeof(d->digest), "%s", strcmp(repo, "digest") ==
	    0 ? "md5:0123" : body_digest);
	snprintf(d->media_type, sizeof(d->media_type), "%s",
	    strcmp(repo, "type") == 0 ? "text/html" :
	    "application/vnd.oci.image.manifest.v1+json");
	d->size = (long long)strlen(body);
}

static int
resolve(void *i, const char *repo, const char *ref, struct lc_reg_desc *d)
{
	(void)i;
	(void)ref;
	describe(repo, d);
	return LC_REG_OK;
}

static int
get_manifest(void *i, const char *repo, const char *ref, char **bytes,
    size_t *len, struct lc_reg_desc *d)
{
	(void)i;
	(void)ref;
	describe(repo, d);
	*len = strlen(body);
	if ((*bytes = host->alloc(*len + 1)) == NULL)
		return LC_REG_ERROR;
	memcpy(*bytes, body, *len + 1);
	if (strcmp(repo, "bytes") == 0)
		(*bytes)[*len - 2] = '3';	/* schemaVersion 3 */
	return LC_REG_OK;
}

static const struct lc_reg_plugin plugin = {
	LC_REG_ABI_MAJOR, LC_REG_ABI_MINOR, sizeof(struct lc_reg_plugin),
	"liar", 10, match, open_, close_, error, NULL, resolve, get_manifest,
	NULL, NULL, NULL, NULL
};

__attribute__((visibility("default"))) const struct lc_reg_plugin *
gitops_registry_plugin_v1(unsigned major, unsigned minor)
{
	(void)minor;
	return major == LC_REG_ABI_MAJOR ? &plugin : NULL;
}
