/*
 * acr.c: Azure Container Registry: an Azure AD access token (from
 * AZURE_ACCESS_TOKEN, or the client-credentials flow with AZURE_TENANT_ID,
 * AZURE_CLIENT_ID and AZURE_CLIENT_SECRET at AZURE_AUTHORITY_HOST) is
 * exchanged at the registry's /oauth2/exchange for a refresh token, which
 * is the password of the null-GUID user.
 */
#define OCI_EMBED
#include "oci.c"

#define ACR_USER "00000000-0000-0000-0000-000000000000"

/* POST a form to url; the value of key in the JSON answer into out. */
static int
post_form(struct inst *in, const char *url, const char *form, const char *key,
    char *out, size_t n)
{
	const char *hdrs[2] = { "Content-Type: application/x-www-form-urlencoded",
	    NULL };
	struct lc_reg_http_req q;
	struct lc_reg_http_resp r;
	int rc;

	memset(&q, 0, sizeof(q));
	q.method = "POST";
	q.url = url;
	q.headers = hdrs;
	q.body = form;
	q.body_len = strlen(form);
	if (in->h->http(&q, &r, in->err, sizeof(in->err)) != LC_REG_OK)
		return -1;
	rc = r.status == 200 && jget(r.body, r.body_len, key, 0, out, n) == 0 &&
	    *out ? 0 : -1;
	if (rc != 0)
		fail(in, LC_REG_AUTH, "%s answered %ld: %.200s", url, r.status,
		    r.body);
	in->h->http_free(&r);
	return rc;
}

static int
acr_creds(struct inst *in)
{
	const struct lc_reg_host *h = in->h;
	const char *aad = h->get_env("AZURE_ACCESS_TOKEN");
	const char *tenant = h->get_env("AZURE_TENANT_ID");
	const char *id = h->get_env("AZURE_CLIENT_ID");
	const char *secret = h->get_env("AZURE_CLIENT_SECRET");
	const char *auth = h->get_env("AZURE_AUTHORITY_HOST");
	char url[1024], form[12288], tok[8192], refresh[8192], e1[256], e2[1024],
	    e3[256];

	if (aad && *aad)
		snprintf(tok, sizeof(tok), "%s", aad);
	else if (tenant && *tenant && id && *id && secret && *secret) {
		urlenc(id, e1, sizeof(e1));
		urlenc(secret, e2, sizeof(e2));
		snprintf(url, sizeof(url), "%s/%s/oauth2/v2.0/token", auth &&
		    *auth ? auth : "https://login.microsoftonline.com", tenant);
		snprintf(form, sizeof(form), "grant_type=client_credentials&"
		    "client_id=%s&client_secret=%s&scope=https%%3A%%2F%%2F"
		    "management.azure.com%%2F.default", e1, e2);
		memset(e2, 0, sizeof(e2));
		if (post_form(in, url, form, "access_token", tok,
		    sizeof(tok)) != 0) {
			memset(form, 0, sizeof(form));
			h->log(LC_REG_LOG_WARN, in->err);
			return -1;
		}
		memset(form, 0, sizeof(form));
	} else
		return -1;
	h->add_secret(tok);
	urlenc(in->registry, e1, sizeof(e1));
	snprintf(url, sizeof(url), "%s/oauth2/exchange", in->base);
	e3[0] = '\0';
	if (tenant && *tenant)
		snprintf(e3, sizeof(e3), "&tenant=%s", tenant);
	snprintf(form, sizeof(form), "grant_type=access_token&service=%s%s&"
	    "access_token=%s", e1, e3, tok);
	memset(tok, 0, sizeof(tok));
	if (post_form(in, url, form, "refresh_token", refresh,
	    sizeof(refresh)) != 0) {
		memset(form, 0, sizeof(form));
		h->log(LC_REG_LOG_WARN, in->err);
		return -1;
	}
	memset(form, 0, sizeof(form));
	in->user = xstrdup(in, ACR_USER);
	in->pass = xstrdup(in, refresh);
	memset(refresh, 0, sizeof(refresh));
	return 0;
}

static int
acr_match(const char *registry)
{
	size_t n = strlen(registry);

	return n > 11 && strcmp(registry + n - 11, ".azurecr.io") == 0;
}

static void *
acr_open(const struct lc_reg_host *h, const struct lc_reg_conf *c, char *err,
    size_t errlen)
{
	struct inst *in = oci_new(h, c, NULL, err, errlen);

	if (in)
		in->cloud_creds = acr_creds;
	return in;
}

static const struct lc_reg_plugin acr = {
	LC_REG_ABI_MAJOR, LC_REG_ABI_MINOR, sizeof(struct lc_reg_plugin),
	"acr", 10, acr_match, acr_open, oci_close, oci_error,
	oci_repository, oci_resolve, oci_get_manifest, oci_put_manifest,
	oci_mount_blob, oci_list_tags, oci_get_blob
};

EXPORT const struct lc_reg_plugin *
gitops_registry_plugin_v1(unsigned host_major, unsigned host_minor)
{
	(void)host_minor;
	return host_major == LC_REG_ABI_MAJOR ? &acr : NULL;
}
