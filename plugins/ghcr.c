/* ghcr.c: GitHub Container Registry: the OCI plugin plus GITHUB_TOKEN. */
#define OCI_EMBED
#include "oci.c"

/* GITHUB_TOKEN (Actions), else GH_TOKEN; the user is GITHUB_ACTOR. */
static int
ghcr_creds(struct inst *in)
{
	const char *t = in->h->get_env("GITHUB_TOKEN"), *u;

	if (t == NULL || *t == '\0')
		t = in->h->get_env("GH_TOKEN");
	if (t == NULL || *t == '\0')
		return -1;
	u = in->h->get_env("GITHUB_ACTOR");
	in->user = xstrdup(in, u && *u ? u : "x-access-token");
	in->pass = xstrdup(in, t);
	return 0;
}

static int
ghcr_match(const char *registry)
{
	return strcmp(registry, "ghcr.io") == 0;
}

static void *
ghcr_open(const struct lc_reg_host *h, const struct lc_reg_conf *c, char *err,
    size_t errlen)
{
	struct inst *in = oci_new(h, c, NULL, err, errlen);

	if (in)
		in->cloud_creds = ghcr_creds;
	return in;
}

static const struct lc_reg_plugin ghcr = {
	LC_REG_ABI_MAJOR, LC_REG_ABI_MINOR, sizeof(struct lc_reg_plugin),
	"ghcr", 10, ghcr_match, ghcr_open, oci_close, oci_error,
	oci_repository, oci_resolve, oci_get_manifest, oci_put_manifest,
	oci_mount_blob, oci_list_tags, oci_get_blob
};

EXPORT const struct lc_reg_plugin *
gitops_registry_plugin_v1(unsigned host_major, unsigned host_minor)
{
	(void)host_minor;
	return host_major == LC_REG_ABI_MAJOR ? &ghcr : NULL;
}
