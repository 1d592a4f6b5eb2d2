/*
 * dockerhub.c: Docker Hub: docker.io names (library/ for one-component
 * names, done by the reference parser), the API at registry-1.docker.io,
 * credentials under Hub's historical key, and DOCKERHUB_USERNAME with
 * DOCKERHUB_TOKEN.
 */
#define OCI_EMBED
#include "oci.c"

static int
hub_creds(struct inst *in)
{
	const char *u = in->h->get_env("DOCKERHUB_USERNAME");
	const char *t = in->h->get_env("DOCKERHUB_TOKEN");

	if (u == NULL || *u == '\0' || t == NULL || *t == '\0')
		return -1;
	in->user = xstrdup(in, u);
	in->pass = xstrdup(in, t);
	return 0;
}

static int
hub_match(const char *registry)
{
	return strcmp(registry, "docker.io") == 0 ||
	    strcmp(registry, "index.docker.io") == 0 ||
	    strcmp(registry, "registry-1.docker.io") == 0;
}

static int
hub_repository(void *vi, const char *path, char *out, size_t n)
{
	if ((size_t)snprintf(out, n, "%s%s", strchr(path, '/') ? "" :
	    "library/", path) >= n)
		return fail(vi, LC_REG_ERROR, "'%.100s...': the repository "
		    "name is longer than %zu characters", path, n - 1);
	return LC_REG_OK;
}

static void *
hub_open(const struct lc_reg_host *h, const struct lc_reg_conf *c, char *err,
    size_t errlen)
{
	struct lc_reg_conf hc = *c;
	struct inst *in;

	/* Credentials are stored under "docker.io"; the API is elsewhere. */
	hc.registry = "docker.io";
	if ((in = oci_new(h, &hc, "registry-1.docker.io", err, errlen)) != NULL)
		in->cloud_creds = hub_creds;
	return in;
}

static const struct lc_reg_plugin hub = {
	LC_REG_ABI_MAJOR, LC_REG_ABI_MINOR, sizeof(struct lc_reg_plugin),
	"dockerhub", 10, hub_match, hub_open, oci_close, oci_error,
	hub_repository, oci_resolve, oci_get_manifest, oci_put_manifest,
	oci_mount_blob, oci_list_tags, oci_get_blob
};

EXPORT const struct lc_reg_plugin *
gitops_registry_plugin_v1(unsigned host_major, unsigned host_minor)
{
	(void)host_minor;
	return host_major == LC_REG_ABI_MAJOR ? &hub : NULL;
}
