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
	const char **argv;
	char *buf, *p, *save = NULL, *out = NULL;
	size_t n = 0;
	int rc;

	if (t && *t) {
		in->user = xstrdup(in, "oauth2accesstoken");
		in->pass = xstrdup(in, t);
		return in->user && in->pass ? 0 : -1;
	}
	if (cmd == NULL || *cmd == '\0')
		return -1;
	/* Words split at blanks; no shell; as many as there are. */
	if ((buf = xstrdup(in, cmd)) == NULL || (argv = in->h->alloc(
	    (strlen(cmd) / 2 + 2) * sizeof(*argv))) == NULL) {
		xfree(in, buf, 0);
		return -1;
	}
	for (p = strtok_r(buf, " \t", &save); p; p = strtok_r(NULL, " \t",
	    &save))
		argv[n++] = p;
	argv[n] = NULL;
	rc = n == 0 || in->h->run(argv, NULL, &out) != 0 || out == NULL ||
	    *out == '\0' ? -1 : 0;
	in->h->free(argv);
	in->h->free(buf);
	if (rc != 0) {
		if (out)
			xfree(in, out, 1);
		fail(in, LC_REG_AUTH, "GITOPS_GAR_TOKEN_COMMAND (%.200s) "
		    "failed", cmd);
		in->h->log(LC_REG_LOG_WARN, in->err);
		return -1;
	}
	out[strcspn(out, "\r\n")] = '\0';
	own_secret(in, out);	/* the command's: the runner cannot know it */
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
