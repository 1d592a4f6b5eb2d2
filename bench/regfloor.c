/*
 * regfloor.c: the floor for bench/imgtag.sh: a minimal libcurl client that
 * sends exactly the requests an operation needs and nothing else.
 *   regfloor resolve URL/v2/REPO/manifests/TAG
 *   regfloor retag   BASE REPO SRCTAG DSTREPO DSTTAG    (mounts when repos differ)
 *   regfloor list    URL/v2/REPO/tags/list
 * A bearer token, when needed, comes in $TOKEN (fetched before timing, as
 * a cached one would be).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

struct buf {
	char *p;
	size_t n;
};

static size_t
keep(char *p, size_t s, size_t n, void *arg)
{
	struct buf *b = arg;

	b->p = realloc(b->p, b->n + s * n + 1);
	memcpy(b->p + b->n, p, s * n);
	b->n += s * n;
	b->p[b->n] = '\0';
	return s * n;
}

static long
req(CURL *c, const char *method, const char *url, const char *ctype,
    const char *body, size_t len, struct buf *out)
{
	struct curl_slist *h = NULL;
	char auth[8192];
	long code = 0;

	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, url);
	h = curl_slist_append(h, "Accept: application/vnd.oci.image.manifest.v1+json, "
	    "application/vnd.oci.image.index.v1+json, "
	    "application/vnd.docker.distribution.manifest.v2+json, "
	    "application/vnd.docker.distribution.manifest.list.v2+json");
	if (getenv("TOKEN")) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s",
		    getenv("TOKEN"));
		h = curl_slist_append(h, auth);
	}
	if (ctype)
		h = curl_slist_append(h, ctype);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	else if (strcmp(method, "GET") != 0) {
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body ? body : "");
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)len);
	}
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, keep);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_slist_free_all(h);
	return code;
}

/* The "digest" strings of a manifest's config and layers. */
static int
digests(const char *m, char out[][80], int max)
{
	const char *p = m;
	int n = 0;

	while (n < max && (p = strstr(p, "\"digest\":\"")) != NULL) {
		p += 10;
		snprintf(out[n++], 80, "%.71s", p);
	}
	return n;
}

int
main(int argc, char *argv[])
{
	struct buf b = { NULL, 0 }, m = { NULL, 0 };
	char url[2048], ct[256], d[16][80];
	CURL *c;
	int i, n;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	c = curl_easy_init();
	if (argc == 3 && strcmp(argv[1], "resolve") == 0)
		return req(c, "HEAD", argv[2], NULL, NULL, 0, &b) == 200 ? 0 : 1;
	if (argc == 3 && strcmp(argv[1], "list") == 0)
		return req(c, "GET", argv[2], NULL, NULL, 0, &b) == 200 ? 0 : 1;
	if (argc != 7 || strcmp(argv[1], "retag") != 0)
		return 2;
	snprintf(url, sizeof(url), "%s/v2/%s/manifests/%s", argv[2], argv[3],
	    argv[4]);
	if (req(c, "GET", url, NULL, NULL, 0, &m) != 200)
		return 1;
	if (strcmp(argv[3], argv[5]) != 0)
		for (n = digests(m.p, d, 16), i = 0; i < n; i++) {
			snprintf(url, sizeof(url), "%s/v2/%s/blobs/uploads/"
			    "?mount=%s&from=%s", argv[2], argv[5], d[i], argv[3]);
			if (req(c, "POST", url, NULL, "", 0, &b) != 201)
				return 1;
		}
	snprintf(url, sizeof(url), "%s/v2/%s/manifests/%s", argv[2], argv[5],
	    argv[6]);
	snprintf(ct, sizeof(ct), "Content-Type: %s",
	    "application/vnd.oci.image.manifest.v1+json");
	return req(c, "PUT", url, ct, m.p, m.n, &b) == 201 ? 0 : 1;
}
