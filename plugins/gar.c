/*
 * gar.c: Google Artifact Registry and Container Registry: an OAuth2 access
 * token as the password of "oauth2accesstoken", from
 * GOOGLE_OAUTH_ACCESS_TOKEN or printed by GITOPS_GAR_TOKEN_COMMAND (for
 * example "gcloud auth print-access-token").
 */
#define OCI_EMBED
#include "oci.c"

static int
gar_creds(struct inst *in)
{
	const char *t = in->h->get_env("GOOGLE_OAUTH_ACCESS_TOKEN");
	const char *cmd = in->h->get_env("GITOPS_GAR_TOKEN_COMMAND");
	const char *argv[16];
	char buf[1024], *p, *out = NULL;
	int n = 0;

	if (t && *t) {
		in->user = xstrdup(in, "oauth2accesstoken");
		in->pass = xstrdup(in, t);
		return 0;
	}
	if (cmd == NULL || *cmd == '\0')
		return -1;
	/* Words split at blanks; no shell. */
	snprintf(buf, sizeof(buf), "%s", cmd);
	for (p = strtok(buf, " \t"); p && n < 15; p = strtok(NULL, " \t"))
		argv[n++] = p;
	argv[n] = NULL;
	if (n == 0 || in->h->run(argv, NULL, &out) != 0 || out == NULL ||
	    *out == '\0') {
		if (out)
			in->h->free(out);
		fail(in, LC_REG_AUTH, "GITOPS_GAR_TOKEN_COMMAND (%s) failed", cmd);
		in->h->log(LC_REG_LOG_WARN, in->err);
		return -1;
	}
	out[strcspn(out, "\r\n")] = '\0';
	in->user = xstrdup(in, "oauth2accesstoken");
	in->pass = out;
	return 0;
}

static int
ends(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}

static int
gar_match(const char *registry)
{
	return ends(registry, "-docker.pkg.dev") || strcmp(registry, "gcr.io")
	    == 0 || ends(registry, ".gcr.io");
}

static void *
gar_open(const struct lc_reg_host *h, const struct lc_reg_conf *c, char *err,
    size_t errlen)
{
	struct inst *in = oci_new(h, c, NULL, err, errlen);

	if (in)
		in->cloud_creds = gar_creds;
	return in;
}

static const struct lc_reg_plugin gar = {
	LC_REG_ABI_MAJOR, LC_REG_ABI_MINOR, sizeof(struct lc_reg_plugin),
	"gar", 10, gar_match, gar_open, oci_close, oci_error,
	oci_repository, oci_resolve, oci_get_manifest, oci_put_manifest,
	oci_mount_blob, oci_list_tags, oci_get_blob
};

EXPORT const struct lc_reg_plugin *
gitops_registry_plugin_v1(unsigned host_major, unsigned host_minor)
{
	(void)host_minor;
	return host_major == LC_REG_ABI_MAJOR ? &gar : NULL;
}
