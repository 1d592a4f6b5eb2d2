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

/* POST a form to url: the string value of key in the JSON answer, or NULL. */
static char *
post_form(struct inst *in, const char *url, const char *form, const char *key)
{
	const char *hdrs[2] = {
	    "Content-Type: application/x-www-form-urlencoded", NULL };
	struct lc_reg_http_req q;
	struct lc_reg_http_resp r;
	char *v = NULL;

	memset(&q, 0, sizeof(q));
	q.method = "POST";
	q.url = url;
	q.headers = hdrs;
	q.body = form;
	q.body_len = strlen(form);
	if (in->h->http(&q, &r, in->err, sizeof(in->err)) != LC_REG_OK)
		return NULL;
	if (r.status != 200 || (v = jdup(in, r.body, r.body_len, key, 0)) ==
	    NULL || *v == '\0') {
		xfree(in, v, 1);
		v = NULL;
		fail(in, LC_REG_AUTH, "%.300s answered %ld: %.200s", url,
		    r.status, r.body);
	}
	in->h->http_free(&r);
	return v;
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
	char *url = NULL, *form = NULL, *tok = NULL, *refresh = NULL,
	    *e1 = NULL, *e2 = NULL, *e3 = NULL;
	int rc = -1;

	if (tenant && *tenant && (e3 = urlenc(in, tenant, strlen(tenant))) ==
	    NULL)
		goto oom;
	if (aad && *aad) {
		if ((tok = xstrdup(in, aad)) == NULL)
			goto oom;
		h->add_secret(tok);	/* the user's: the runner knows it */
	} else if (e3 && id && *id && secret && *secret) {
		e1 = urlenc(in, id, strlen(id));
		e2 = urlenc(in, secret, strlen(secret));
		url = xprintf(in, "%s/%s/oauth2/v2.0/token", auth && *auth ?
		    auth : "https://login.microsoftonline.com", e3);
		if (e1 == NULL || e2 == NULL || url == NULL || (form =
		    xprintf(in, "grant_type=client_credentials&client_id=%s&"
		    "client_secret=%s&scope=https%%3A%%2F%%2F"
		    "management.azure.com%%2F.default", e1, e2)) == NULL)
			goto oom;
		if ((tok = post_form(in, url, form, "access_token")) == NULL) {
			h->log(LC_REG_LOG_WARN, in->err);
			goto out;
		}
		own_secret(in, tok);
		xfree(in, e1, 0);
		xfree(in, url, 0);
		xfree(in, form, 1);
		e1 = url = form = NULL;
	} else
		goto out;
	e1 = urlenc(in, in->registry, strlen(in->registry));
	url = xprintf(in, "%s/oauth2/exchange", in->base);
	if (e1 == NULL || url == NULL || (form = xprintf(in,
	    "grant_type=access_token&service=%s%s%s&access_token=%s", e1,
	    e3 ? "&tenant=" : "", e3 ? e3 : "", tok)) == NULL)
		goto oom;
	if ((refresh = post_form(in, url, form, "refresh_token")) == NULL) {
		h->log(LC_REG_LOG_WARN, in->err);
		goto out;
	}
	own_secret(in, refresh);
	if ((in->user = xstrdup(in, ACR_USER)) == NULL)
		goto oom;
	in->pass = refresh;
	refresh = NULL;
	rc = 0;
	goto out;
oom:
	oom(in);
	h->log(LC_REG_LOG_WARN, in->err);
out:
	xfree(in, url, 0);
	xfree(in, form, 1);
	xfree(in, tok, 1);
	xfree(in, refresh, 1);
	xfree(in, e1, 0);
	xfree(in, e2, 1);
	xfree(in, e3, 0);
	return rc;
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
