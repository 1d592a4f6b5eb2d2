/*
 * ecr.c: Amazon ECR: GetAuthorizationToken, signed with AWS Signature V4
 * (libcurl's CURLOPT_AWS_SIGV4, through the host) from the standard AWS_*
 * environment, gives the Basic password of user AWS.
 */
#define OCI_EMBED
#include "oci.c"

/* ACCOUNT.dkr.ecr.REGION.amazonaws.com[.cn] -> REGION */
static int
ecr_region(const char *registry, char *out, size_t n)
{
	const char *p = strstr(registry, ".dkr.ecr."), *e;

	if (p == NULL)
		return -1;
	p += 9;
	if ((e = strstr(p, ".amazonaws.com")) == NULL || e == p)
		return -1;
	snprintf(out, n, "%.*s", (int)(e - p), p);
	return 0;
}

static int
ecr_creds(struct inst *in)
{
	const struct lc_reg_host *h = in->h;
	const char *key = h->get_env("AWS_ACCESS_KEY_ID");
	const char *secret = h->get_env("AWS_SECRET_ACCESS_KEY");
	const char *session = h->get_env("AWS_SESSION_TOKEN");
	const char *ep = h->get_env("AWS_ENDPOINT_URL_ECR"), *hdrs[4];
	char region[64], url[512], sig[128], up[512], st[2200], tok[8192],
	    dec[6144], *colon;
	struct lc_reg_http_req q;
	struct lc_reg_http_resp r;
	int n = 0;

	if (key == NULL || *key == '\0' || secret == NULL || *secret == '\0')
		return -1;
	if (ecr_region(in->registry, region, sizeof(region)) != 0)
		return -1;
	if (ep == NULL || *ep == '\0')
		ep = h->get_env("AWS_ENDPOINT_URL");
	if (ep && *ep)
		snprintf(url, sizeof(url), "%s/", ep);
	else
		snprintf(url, sizeof(url), "https://api.ecr.%s.amazonaws.com/",
		    region);
	snprintf(sig, sizeof(sig), "aws:amz:%s:ecr", region);
	snprintf(up, sizeof(up), "%s:%s", key, secret);
	hdrs[n++] = "Content-Type: application/x-amz-json-1.1";
	hdrs[n++] = "X-Amz-Target: AmazonEC2ContainerRegistry_V20150921."
	    "GetAuthorizationToken";
	if (session && *session) {
		snprintf(st, sizeof(st), "X-Amz-Security-Token: %s", session);
		hdrs[n++] = st;
	}
	hdrs[n] = NULL;
	memset(&q, 0, sizeof(q));
	q.method = "POST";
	q.url = url;
	q.headers = hdrs;
	q.body = "{}";
	q.body_len = 2;
	q.aws_sigv4 = sig;
	q.userpwd = up;
	if (h->http(&q, &r, in->err, sizeof(in->err)) != LC_REG_OK) {
		memset(up, 0, sizeof(up));
		h->log(LC_REG_LOG_WARN, in->err);
		return -1;
	}
	memset(up, 0, sizeof(up));
	if (r.status != 200 || jget(r.body, r.body_len, "authorizationToken",
	    -1, tok, sizeof(tok)) != 0) {
		fail(in, LC_REG_AUTH, "ECR GetAuthorizationToken answered %ld: "
		    "%.200s", r.status, r.body);
		h->log(LC_REG_LOG_WARN, in->err);
		h->http_free(&r);
		return -1;
	}
	h->http_free(&r);
	lc_unbase64(tok, dec, sizeof(dec));
	memset(tok, 0, sizeof(tok));
	if ((colon = strchr(dec, ':')) == NULL)
		return -1;
	*colon = '\0';
	in->user = xstrdup(in, dec);
	in->pass = xstrdup(in, colon + 1);
	memset(dec, 0, sizeof(dec));
	return 0;
}

static int
ecr_match(const char *registry)
{
	char r[64];

	return ecr_region(registry, r, sizeof(r)) == 0;
}

static void *
ecr_open(const struct lc_reg_host *h, const struct lc_reg_conf *c, char *err,
    size_t errlen)
{
	struct inst *in = oci_new(h, c, NULL, err, errlen);

	if (in)
		in->cloud_creds = ecr_creds;
	return in;
}

static const struct lc_reg_plugin ecr = {
	LC_REG_ABI_MAJOR, LC_REG_ABI_MINOR, sizeof(struct lc_reg_plugin),
	"ecr", 10, ecr_match, ecr_open, oci_close, oci_error,
	oci_repository, oci_resolve, oci_get_manifest, oci_put_manifest,
	oci_mount_blob, oci_list_tags, oci_get_blob
};

EXPORT const struct lc_reg_plugin *
gitops_registry_plugin_v1(unsigned host_major, unsigned host_minor)
{
	(void)host_minor;
	return host_major == LC_REG_ABI_MAJOR ? &ecr : NULL;
}
