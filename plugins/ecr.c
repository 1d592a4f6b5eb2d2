/*
 * ecr.c: Amazon ECR: GetAuthorizationToken, signed with AWS Signature V4
 * (libcurl's CURLOPT_AWS_SIGV4, through the host) from the standard AWS_*
 * environment, gives the Basic password of user AWS.
 */
#define OCI_EMBED
#include "oci.c"

/* ACCOUNT.dkr.ecr.REGION.amazonaws.com[.cn] -> REGION (in out[n]) */
static int
ecr_region(const char *registry, char *out, size_t n)
{
	const char *p = strstr(registry, ".dkr.ecr."), *e;

	if (p == NULL)
		return -1;
	p += 9;
	/* Region names are short: a longer one is no ECR host. */
	if ((e = strstr(p, ".amazonaws.com")) == NULL || e == p ||
	    (size_t)(e - p) >= n)
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
	char region[64], sig[128], *url = NULL, *up = NULL, *st = NULL,
	    *tok = NULL, *dec = NULL, *colon;
	struct lc_reg_http_req q;
	struct lc_reg_http_resp r;
	int n = 0, rc = -1;

	if (key == NULL || *key == '\0' || secret == NULL || *secret == '\0')
		return -1;
	if (ecr_region(in->registry, region, sizeof(region)) != 0)
		return -1;
	if (ep == NULL || *ep == '\0')
		ep = h->get_env("AWS_ENDPOINT_URL");
	url = ep && *ep ? xprintf(in, "%s/", ep) :
	    xprintf(in, "https://api.ecr.%s.amazonaws.com/", region);
	snprintf(sig, sizeof(sig), "aws:amz:%s:ecr", region);
	up = xprintf(in, "%s:%s", key, secret);
	hdrs[n++] = "Content-Type: application/x-amz-json-1.1";
	hdrs[n++] = "X-Amz-Target: AmazonEC2ContainerRegistry_V20150921."
	    "GetAuthorizationToken";
	/* STS says its tokens have no fixed size: as long as it is. */
	if (session && *session && (hdrs[n++] = st = xprintf(in,
	    "X-Amz-Security-Token: %s", session)) == NULL)
		goto oom;
	hdrs[n] = NULL;
	if (url == NULL || up == NULL)
		goto oom;
	memset(&q, 0, sizeof(q));
	q.method = "POST";
	q.url = url;
	q.headers = hdrs;
	q.body = "{}";
	q.body_len = 2;
	q.aws_sigv4 = sig;
	q.userpwd = up;
	if (h->http(&q, &r, in->err, sizeof(in->err)) != LC_REG_OK) {
		h->log(LC_REG_LOG_WARN, in->err);
		goto out;
	}
	if (r.status != 200 || (tok = jdup(in, r.body, r.body_len,
	    "authorizationToken", -1)) == NULL) {
		fail(in, LC_REG_AUTH, "ECR GetAuthorizationToken answered %ld: "
		    "%.200s", r.status, r.body);
		h->log(LC_REG_LOG_WARN, in->err);
		h->http_free(&r);
		goto out;
	}
	h->http_free(&r);
	if ((dec = h->alloc(strlen(tok) + 1)) == NULL)
		goto oom;
	lc_base64_decode(tok, dec, strlen(tok) + 1);
	if ((colon = strchr(dec, ':')) == NULL)
		goto out;
	*colon = '\0';
	in->user = xstrdup(in, dec);
	in->pass = xstrdup(in, colon + 1);
	if (in->user == NULL || in->pass == NULL) {
		xfree(in, in->user, 0);
		xfree(in, in->pass, 1);
		in->user = in->pass = NULL;
		goto oom;
	}
	own_secret(in, in->pass);	/* from STS: the runner cannot know it */
	rc = 0;
	goto out;
oom:
	oom(in);
	h->log(LC_REG_LOG_WARN, in->err);
out:
	xfree(in, url, 0);
	xfree(in, up, 1);
	xfree(in, st, 1);
	xfree(in, tok, 1);
	xfree(in, dec, 1);
	return rc;
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
