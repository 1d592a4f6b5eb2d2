/* registry_test.c: the registry client and its oci plugin over a fake transport: auth, tags, manifests. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "log.h"
#include "plugin.h"
#include "sha256.h"
#include "tap.h"

#include "fake_http.h"

#define D(c) "sha256:" c c c c c c c c c c c c c c c c \
    c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c \
    c c c c c c c c c c c c c c c c

#define OCI_M "application/vnd.oci.image.manifest.v1+json"
#define OCI_I "application/vnd.oci.image.index.v1+json"
#define DOCKER_M "application/vnd.docker.distribution.manifest.v2+json"
#define DOCKER_L "application/vnd.docker.distribution.manifest.list.v2+json"

#define MANIFEST "{\"schemaVersion\":2,\"mediaType\":\"" OCI_M "\"," \
    "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\"," \
    "\"digest\":\"" D("c") "\",\"size\":2},\"layers\":[{\"mediaType\":" \
    "\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"" D("1") \
    "\",\"size\":3}]}"

static const struct {
	const char *mt;
	int index;
} index_types[] = {
	{ OCI_I, 1 },
	{ DOCKER_L, 1 },
	{ OCI_M, 0 },
	{ DOCKER_M, 0 },
	{ "", 0 },
	{ OCI_I "; charset=utf-8", 0 },	/* callers strip parameters first */
	{ "application/vnd.oci.image.index.v1+jsonx", 0 },
	{ "application/vnd.docker.distribution.manifest.v1+prettyjws", 0 },
};

#define TAGS "https://reg.example.com/v2/app/tags/list"
#define NEXT_B "Link: </v2/app/tags/list?last=b&n=1000>; rel=\"next\"\n"

/* Tag listing: pages, Link headers, refusals. */
static const struct {
	const char *name;
	struct fake_reply reply[4];
	int rc;
	const char *tags, *seen, *err;
} tag_cases[] = {
	{ "one page", { { 200, "Content-Type: application/json\n",
	    "{\"name\":\"app\",\"tags\":[\"v1\",\"v1.2.0-rc.1\",\"latest\"]}", 0 } },
	    0, "v1 v1.2.0-rc.1 latest", "GET " TAGS "?n=1000\n", NULL },
	{ "no tags at all (null)", { { 200, NULL, "{\"name\":\"app\",\"tags\":"
	    "null}", 0 } }, 0, "", "GET " TAGS "?n=1000\n", NULL },
	{ "a relative Link: the next page on the same base", {
	    { 200, NEXT_B, "{\"tags\":[\"a\",\"b\"]}", 0 },
	    { 200, NULL, "{\"tags\":[\"c\"]}", 0 } }, 0, "a b c",
	    "GET " TAGS "?n=1000\nGET " TAGS "?last=b&n=1000\n", NULL },
	{ "an absolute Link on the same base", {
	    { 200, "link: <https://reg.example.com/v2/app/tags/list?last=a>; "
	    "rel=\"next\"\n", "{\"tags\":[\"a\"]}", 0 },
	    { 200, NULL, "{\"tags\":[\"b\"]}", 0 } }, 0, "a b",
	    "GET " TAGS "?n=1000\nGET " TAGS "?last=a\n", NULL },
	{ "a Link without rel=\"next\" ends the list", {
	    { 200, "Link: </v2/app/tags/list?last=b>; rel=\"prev\"\n",
	    "{\"tags\":[\"a\"]}", 0 } }, 0, "a", "GET " TAGS "?n=1000\n", NULL },
	{ "a Link to another host is refused", {
	    { 200, "Link: <https://evil.example/v2/app/tags/list?last=a>; "
	    "rel=\"next\"\n", "{\"tags\":[\"a\"]}", 0 } }, LC_ERROR, "a",
	    "GET " TAGS "?n=1000\n", "tags of reg.example.com/app: the next page "
	    "is on another host (https://evil.example/v2/app/tags/list?last=a)" },
	{ "a Link to a longer host name is another host", {
	    { 200, "Link: <https://reg.example.com.evil/v2/x>; rel=\"next\"\n",
	    "{\"tags\":[\"a\"]}", 0 } }, LC_ERROR, "a", "GET " TAGS "?n=1000\n",
	    "tags of reg.example.com/app: the next page is on another host "
	    "(https://reg.example.com.evil/v2/x)" },
	{ "pagination that does not advance is refused", {
	    { 200, NEXT_B, "{\"tags\":[\"a\",\"b\"]}", 0 },
	    { 200, "Link: </v2/app/tags/list?n=1000&last=b>; rel=\"next\"\n",
	    "{\"tags\":[]}", 0 } }, LC_ERROR, "a b",
	    "GET " TAGS "?n=1000\nGET " TAGS "?last=b&n=1000\n",
	    "tags of reg.example.com/app: the registry's pagination does not "
	    "advance (its next page, https://reg.example.com/v2/app/tags/list?"
	    "n=1000&last=b, was read already)" },
	{ "a listed name that is no tag", { { 200, NULL, "{\"tags\":[\"ok\","
	    "\"-bad\"]}", 0 } }, LC_ERROR, "ok", "GET " TAGS "?n=1000\n",
	    "tags of reg.example.com/app: the registry lists '-bad', which is not "
	    "a tag" },
	{ "a control character in a listed name is shown escaped",
	    { { 200, NULL, "{\"tags\":[\"a\\u001bb\"]}", 0 } }, LC_ERROR, "",
	    "GET " TAGS "?n=1000\n", "tags of reg.example.com/app: the registry "
	    "lists 'a\\x1bb', which is not a tag" },
	{ "not JSON", { { 200, NULL, "{\"tags\":[\"a\"", 0 } }, LC_ERROR, "",
	    "GET " TAGS "?n=1000\n", "tags of reg.example.com/app: the answer is "
	    "not JSON (byte 12)" },
	{ "404: no such repository", { { 404, NULL, "{\"errors\":[{\"code\":"
	    "\"NAME_UNKNOWN\",\"message\":\"repository name not known\"}]}",
	    0 } }, LC_ENOTFOUND, "", "GET " TAGS "?n=1000\n",
	    "tags of reg.example.com/app: no such repository" },
	{ "503: the registry's own error words", { { 503, NULL, "{\"errors\":[{"
	    "\"code\":\"UNAVAILABLE\",\"message\":\"try later\"}]}", 0 } },
	    LC_EUNAVAIL, "", "GET " TAGS "?n=1000\n",
	    "tags of reg.example.com/app: UNAVAILABLE: try later (503)" },
	{ "500 without a body", { { 500, NULL, NULL, 0 } }, LC_EUNAVAIL, "",
	    "GET " TAGS "?n=1000\n",
	    "tags of reg.example.com/app: no details (500)" },
	{ "418: an error, not unavailable", { { 418, NULL, "teapot\nmore", 0 } },
	    LC_ERROR, "", "GET " TAGS "?n=1000\n",
	    "tags of reg.example.com/app: teapot (418)" },
	{ "the transport's failure", { { 0, NULL, NULL, LC_EUNAVAIL } },
	    LC_EUNAVAIL, "", "GET " TAGS "?n=1000\n", NULL },
};

/*
 * Auth: the challenge of a 401, the token request it leads to, and the
 * retry. Headers are logged here.
 */
#define AUTH_TAGS "GET " TAGS "?n=1000\n  Accept: application/json\n"
static const struct {
	const char *name, *user, *pass;
	struct fake_reply reply[4];
	int rc;
	const char *seen, *err;
} auth_cases[] = {
	{ "anonymous bearer token", NULL, NULL, {
	    { 401, "WWW-Authenticate: Bearer realm=\"https://auth.example.com/"
	    "token\",service=\"reg.example.com\",scope=\"repository:app:pull\"\n",
	    "{}", 0 },
	    { 200, NULL, "{\"token\":\"T1\",\"expires_in\":300}", 0 },
	    { 200, NULL, "{\"tags\":[]}", 0 } }, 0,
	    AUTH_TAGS
	    "GET https://auth.example.com/token?service=reg.example.com&scope="
	    "repository%3Aapp%3Apull\n"
	    AUTH_TAGS
	    "  Authorization: Bearer T1\n", NULL },
	{ "bearer with credentials, access_token, unquoted params, extra "
	    "scope", "ci", "s3cret", {
	    { 401, "www-authenticate: bearer realm=https://auth.example.com/t?"
	    "x=1,service=reg,scope=\"repository:lib/base:pull\"\n", NULL, 0 },
	    { 200, NULL, "{\"access_token\":\"T2\"}", 0 },
	    { 200, NULL, "{\"tags\":[]}", 0 } }, 0,
	    AUTH_TAGS
	    "GET https://auth.example.com/t?x=1&service=reg&scope=repository%3A"
	    "app%3Apull&scope=repository%3Alib%2Fbase%3Apull\n"
	    "  Authorization: Basic Y2k6czNjcmV0\n"
	    AUTH_TAGS
	    "  Authorization: Bearer T2\n", NULL },
	{ "a quoted parameter with an escaped quote", NULL, NULL, {
	    { 401, "WWW-Authenticate: Bearer service=\"a\\\"b\",realm=\"https://"
	    "auth.example.com/token\"\n", NULL, 0 },
	    { 200, NULL, "{\"token\":\"T3\"}", 0 },
	    { 200, NULL, "{\"tags\":[]}", 0 } }, 0,
	    AUTH_TAGS
	    "GET https://auth.example.com/token?service=a%22b&scope=repository"
	    "%3Aapp%3Apull\n"
	    AUTH_TAGS
	    "  Authorization: Bearer T3\n", NULL },
	{ "an http realm for an https registry is refused", NULL, NULL, {
	    { 401, "WWW-Authenticate: Bearer realm=\"http://auth.example.com/"
	    "token\"\n", NULL, 0 } }, LC_EAUTH, AUTH_TAGS,
	    "reg.example.com: refusing the token realm 'http://auth.example.com/"
	    "token' (it must be https, and a loopback realm serves only a "
	    "loopback registry)" },
	{ "a loopback realm for a remote registry is refused", NULL, NULL, {
	    { 401, "WWW-Authenticate: Bearer realm=\"https://127.0.0.1:9/token\""
	    "\n", NULL, 0 } }, LC_EAUTH, AUTH_TAGS,
	    "reg.example.com: refusing the token realm 'https://127.0.0.1:9/"
	    "token' (it must be https, and a loopback realm serves only a "
	    "loopback registry)" },
	{ "a challenge without a realm is refused", NULL, NULL, {
	    { 401, "WWW-Authenticate: Bearer service=\"x\"\n", NULL, 0 } },
	    LC_EAUTH, AUTH_TAGS,
	    "reg.example.com: refusing the token realm '' (it must be https, "
	    "and a loopback realm serves only a loopback registry)" },
	{ "the token server refuses an anonymous token", NULL, NULL, {
	    { 401, "WWW-Authenticate: Bearer realm=\"https://auth.example.com/"
	    "token\"\n", NULL, 0 },
	    { 401, NULL, "{}", 0 } }, LC_EAUTH, NULL,
	    "reg.example.com: the token server refused an anonymous token; give "
	    "credentials (401)" },
	{ "the token server refuses the credentials", "ci", "bad", {
	    { 401, "WWW-Authenticate: Bearer realm=\"https://auth.example.com/"
	    "token\"\n", NULL, 0 },
	    { 403, NULL, "{}", 0 } }, LC_EAUTH, NULL,
	    "reg.example.com: the token server refused the credentials (403)" },
	{ "the token server answers without a token", NULL, NULL, {
	    { 401, "WWW-Authenticate: Bearer realm=\"https://auth.example.com/"
	    "token\"\n", NULL, 0 },
	    { 200, NULL, "{\"token\":\"\"}", 0 } }, LC_ERROR, NULL,
	    "reg.example.com: the token server answered 200 without a token" },
	{ "the new token is refused too: the registry's words", NULL, NULL, {
	    { 401, "WWW-Authenticate: Bearer realm=\"https://auth.example.com/"
	    "token\"\n", NULL, 0 },
	    { 200, NULL, "{\"token\":\"T4\"}", 0 },
	    { 401, NULL, "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":"
	    "\"authentication required\"}]}", 0 } }, LC_EAUTH, NULL,
	    "reg.example.com: UNAUTHORIZED: authentication required (401); no "
	    "credentials were found for it" },
	{ "basic auth with credentials", "ci", "s3cret", {
	    { 401, "WWW-Authenticate: Basic realm=\"Registry\"\n", NULL, 0 },
	    { 200, NULL, "{\"tags\":[]}", 0 } }, 0,
	    AUTH_TAGS
	    AUTH_TAGS
	    "  Authorization: Basic Y2k6czNjcmV0\n", NULL },
	{ "basic auth without credentials", NULL, NULL, {
	    { 401, "WWW-Authenticate: Basic realm=\"Registry\"\n", NULL, 0 } },
	    LC_EAUTH, AUTH_TAGS,
	    "reg.example.com wants a user name and password: give --username "
	    "and --password-stdin, or log in with docker login" },
	{ "a challenge we do not know", NULL, NULL, {
	    { 401, "WWW-Authenticate: Negotiate\n", NULL, 0 } }, LC_EAUTH,
	    AUTH_TAGS, "reg.example.com answers 401 without a challenge we know "
	    "('Negotiate')" },
	{ "403 with credentials: no hint about credentials", "ci", "s3cret", {
	    { 403, NULL, "{\"errors\":[{\"code\":\"DENIED\",\"message\":"
	    "\"requested access to the resource is denied\"}]}", 0 } }, LC_EAUTH,
	    NULL, "reg.example.com: DENIED: requested access to the resource is "
	    "denied (403)" },
};

/* Manifests read with GET: what the checks take and refuse. */
enum { DG_NONE, DG_RIGHT, DG_WRONG };
static const struct {
	const char *name, *ref, *ctype, *body;
	int dgst;
	int rc;
	const char *mt, *err;
} manifests[] = {
	{ "an OCI manifest", "v1", OCI_M, MANIFEST, DG_RIGHT, 0, OCI_M, NULL },
	{ "Content-Type with parameters and in another case", "v1",
	    "Application/VND.OCI.Image.Manifest.v1+JSON; charset=utf-8",
	    MANIFEST, DG_NONE, 0, OCI_M, NULL },
	{ "no Content-Type: the body's mediaType", "v1", NULL, MANIFEST,
	    DG_NONE, 0, OCI_M, NULL },
	{ "a Docker manifest list", "v1", DOCKER_L, "{\"schemaVersion\":2,"
	    "\"manifests\":[{\"digest\":\"" D("a") "\",\"platform\":{"
	    "\"architecture\":\"amd64\",\"os\":\"linux\"}}]}", DG_RIGHT, 0,
	    DOCKER_L, NULL },
	{ "a Docker v2 manifest (no mediaType in the body)", "v1", DOCKER_M,
	    "{\"schemaVersion\":2,\"config\":{\"digest\":\"" D("c") "\"},"
	    "\"layers\":[]}", DG_NONE, 0, DOCKER_M, NULL },
	{ "the registry names another digest", "v1", OCI_M, MANIFEST, DG_WRONG,
	    LC_ERROR, NULL, "reg.example.com/app:v1: the registry names digest "
	    D("0") " but the manifest's bytes hash to %s" },
	{ "asked by digest, the bytes hash to another", D("e"), OCI_M,
	    MANIFEST, DG_NONE, LC_ERROR, NULL, "reg.example.com/app@" D("e")
	    ": the manifest's bytes hash to %s, not to the digest asked for" },
	{ "a digest of another algorithm cannot be checked", "sha512:00",
	    OCI_M, MANIFEST, DG_NONE, LC_ERROR, NULL, "reg.example.com/app@"
	    "sha512:00: not a sha256 digest, which is the only kind that can be "
	    "checked" },
	{ "Content-Type of no manifest", "v1", "application/json", MANIFEST,
	    DG_NONE, LC_ERROR, NULL, "reg.example.com/app:v1: Content-Type "
	    "'application/json' is not a manifest type (OCI or Docker image "
	    "manifest or index)" },
	{ "Content-Type and mediaType disagree", "v1", OCI_I, MANIFEST, DG_NONE,
	    LC_ERROR, NULL, "reg.example.com/app:v1: Content-Type " OCI_I " but "
	    "the manifest says " OCI_M },
	{ "schemaVersion 1", "v1", DOCKER_M, "{\"schemaVersion\":1,\"config\":"
	    "{\"digest\":\"" D("c") "\"},\"layers\":[]}", DG_NONE, LC_ERROR,
	    NULL, "reg.example.com/app:v1: the manifest's schemaVersion is "
	    "not 2" },
	{ "schemaVersion 20", "v1", DOCKER_M, "{\"schemaVersion\":20}",
	    DG_NONE, LC_ERROR, NULL, "reg.example.com/app:v1: the manifest's "
	    "schemaVersion is not 2" },
	{ "no media type anywhere", "v1", NULL, "{\"schemaVersion\":2}",
	    DG_NONE, LC_ERROR, NULL, "reg.example.com/app:v1: the manifest has "
	    "no media type (no Content-Type, no mediaType)" },
	{ "a key twice", "v1", OCI_M, "{\"schemaVersion\":2,\"layers\":[],"
	    "\"layers\":[]}", DG_NONE, LC_ERROR, NULL, "reg.example.com/app:v1: "
	    "the manifest has 'layers' twice" },
	{ "an index without manifests", "v1", OCI_I, "{\"schemaVersion\":2}",
	    DG_NONE, LC_ERROR, NULL, "reg.example.com/app:v1: the index has no "
	    "'manifests' array" },
	{ "an index entry without a valid digest", "v1", OCI_I,
	    "{\"schemaVersion\":2,\"manifests\":[{\"digest\":\"" D("a") "\"},"
	    "{\"digest\":\"sha256:\"}]}", DG_NONE, LC_ERROR, NULL,
	    "reg.example.com/app:v1: the index's manifests[1] has no valid "
	    "digest" },
	{ "a manifest without config", "v1", OCI_M, "{\"schemaVersion\":2,"
	    "\"layers\":[]}", DG_NONE, LC_ERROR, NULL, "reg.example.com/app:v1: "
	    "the manifest has no 'config' with a valid digest" },
	{ "not JSON", "v1", OCI_M, "{\"schemaVersion\":2,", DG_NONE, LC_ERROR,
	    NULL, "reg.example.com/app:v1: the manifest is not JSON (byte 19)" },
};

/* HEAD (resolve): headers only, else the bytes. */
static const struct {
	const char *name;
	struct fake_reply reply[2];
	int rc;
	const char *digest, *mt, *seen, *err;
} resolves[] = {
	{ "HEAD with digest, type and length", { { 200,
	    "Docker-Content-Digest: " D("d") "\nContent-Type: " OCI_I
	    "\nContent-Length: 321\n", NULL, 0 } }, 0, D("d"), OCI_I,
	    "HEAD https://reg.example.com/v2/app/manifests/v1\n", NULL },
	{ "HEAD: a digest that is not sha256", { { 200,
	    "Docker-Content-Digest: sha256:abc\nContent-Type: " OCI_M
	    "\nContent-Length: 321\n", NULL, 0 } }, LC_ERROR, NULL, NULL, NULL,
	    "reg.example.com/app:v1: the registry names digest 'sha256:abc', "
	    "which is not sha256: and 64 hex digits" },
	{ "HEAD: a type that is no manifest", { { 200,
	    "Docker-Content-Digest: " D("d") "\nContent-Type: text/html\n"
	    "Content-Length: 321\n", NULL, 0 } }, LC_ERROR, NULL, NULL, NULL,
	    "reg.example.com/app:v1: Content-Type 'text/html' is not a manifest "
	    "type (OCI or Docker image manifest or index)" },
	{ "HEAD: more than 4 MiB", { { 200,
	    "Docker-Content-Digest: " D("d") "\nContent-Type: " OCI_M
	    "\nContent-Length: 4194305\n", NULL, 0 } }, LC_ERROR, NULL, NULL,
	    NULL, "reg.example.com/app:v1: the manifest is 4194305 bytes, more "
	    "than the 4 MiB a registry has to accept; refusing it" },
	{ "HEAD without the digest header: GET and hash", {
	    { 200, "Content-Type: " OCI_M "\nContent-Length: 10\n", NULL, 0 },
	    { 200, "Content-Type: " OCI_M "\n", MANIFEST, 0 } }, 0, NULL, OCI_M,
	    "HEAD https://reg.example.com/v2/app/manifests/v1\n"
	    "GET https://reg.example.com/v2/app/manifests/v1\n", NULL },
	{ "HEAD not allowed (405): GET", {
	    { 405, NULL, NULL, 0 },
	    { 200, "Content-Type: " OCI_M "\n", MANIFEST, 0 } }, 0, NULL, OCI_M,
	    "HEAD https://reg.example.com/v2/app/manifests/v1\n"
	    "GET https://reg.example.com/v2/app/manifests/v1\n", NULL },
	{ "HEAD 404", { { 404, NULL, NULL, 0 } }, LC_ENOTFOUND, NULL, NULL,
	    "HEAD https://reg.example.com/v2/app/manifests/v1\n",
	    "reg.example.com/app:v1: no such manifest (no such tag or "
	    "repository)" },
	{ "HEAD 502", { { 502, NULL, NULL, 0 } }, LC_EUNAVAIL, NULL, NULL,
	    "HEAD https://reg.example.com/v2/app/manifests/v1\n",
	    "reg.example.com/app:v1: no details (502)" },
};

static struct lc_buf tags_seen = LC_BUF_INIT;

static int
on_tag(void *arg, const char *tag)
{
	(void)arg;
	lc_buf_printf(&tags_seen, "%s%s", tags_seen.len ? " " : "", tag);
	return 0;
}

static int
open_reg(struct lc_registry **r, const char *name, const char *user,
    const char *pass)
{
	struct lc_registry_opts o;

	memset(&o, 0, sizeof(o));
	o.no_token_cache = 1;
	o.username = user;
	o.password = pass;
	return lc_plugin_open(r, name, &o);
}

int
main(void)
{
	char path[PATH_MAX], dir[] = "/tmp/registry_test.XXXXXX", want[1200];
	char hdrs[300], digest[72], *bytes;
	struct fake_reply rep[2];
	struct lc_reg_desc d;
	struct lc_registry *r;
	size_t i, len;
	int rc;

	lc_log_set_level(LC_LOG_ERROR);
	/* The built plugins; no credentials or token cache of the caller. */
	if (getenv("GITOPS_PLUGIN_PATH") == NULL) {
		if (realpath("lib/gitops-utils/plugins", path) == NULL) {
			printf("1..0 # SKIP no lib/gitops-utils/plugins: run from "
			    "the top of the tree after make\n");
			return 0;
		}
		setenv("GITOPS_PLUGIN_PATH", path, 1);
	}
	if (mkdtemp(dir) == NULL)
		return 1;
	setenv("HOME", dir, 1);
	setenv("DOCKER_CONFIG", dir, 1);
	setenv("XDG_CACHE_HOME", dir, 1);
	unsetenv("REGISTRY_AUTH_FILE");

	for (i = 0; i < sizeof(index_types) / sizeof(index_types[0]); i++)
		ok(lc_registry_is_index(index_types[i].mt) ==
		    index_types[i].index, "'%s' is %san index", index_types[i].mt,
		    index_types[i].index ? "" : "not ");

	rc = open_reg(&r, "reg.example.com", NULL, NULL);
	ok(rc == 0 && strcmp(lc_registry_plugin(r), "oci") == 0,
	    "reg.example.com goes through the oci plugin");
	lc_registry_close(r);

	fake_headers = 0;
	for (i = 0; i < sizeof(tag_cases) / sizeof(tag_cases[0]); i++) {
		fake_script(tag_cases[i].reply, fake_count(tag_cases[i].reply, 4));
		tags_seen.len = 0;
		lc_buf_adds(&tags_seen, "");
		lc_error_clear();
		if ((rc = open_reg(&r, "reg.example.com", NULL, NULL)) == 0)
			rc = lc_registry_tags(r, "app", on_tag, NULL);
		ok(rc == tag_cases[i].rc, "tags, %s: rc %d", tag_cases[i].name,
		    rc);
		is_str(tags_seen.data, tag_cases[i].tags, "tags, %s: tags",
		    tag_cases[i].name);
		is_str(fake_seen(), tag_cases[i].seen, "tags, %s: requests",
		    tag_cases[i].name);
		if (tag_cases[i].err)
			is_str(lc_error_msg(), tag_cases[i].err, "tags, %s: "
			    "message", tag_cases[i].name);
		lc_registry_close(r);
	}

	fake_headers = 1;
	for (i = 0; i < sizeof(auth_cases) / sizeof(auth_cases[0]); i++) {
		size_t n = fake_count(auth_cases[i].reply, 4);

		fake_script(auth_cases[i].reply, n);
		lc_error_clear();
		if ((rc = open_reg(&r, "reg.example.com", auth_cases[i].user,
		    auth_cases[i].pass)) == 0)
			rc = lc_registry_tags(r, "app", on_tag, NULL);
		ok(rc == auth_cases[i].rc && fake_next == n,
		    "auth, %s: rc %d, %zu of %zu replies", auth_cases[i].name, rc,
		    fake_next, n);
		if (auth_cases[i].seen)
			is_str(fake_seen(), auth_cases[i].seen, "auth, %s: "
			    "requests", auth_cases[i].name);
		if (auth_cases[i].err)
			is_str(lc_error_msg(), auth_cases[i].err, "auth, %s: "
			    "message", auth_cases[i].name);
		lc_registry_close(r);
	}

	fake_headers = 0;
	for (i = 0; i < sizeof(manifests) / sizeof(manifests[0]); i++) {
		lc_sha256_digest(manifests[i].body, strlen(manifests[i].body),
		    digest);
		snprintf(hdrs, sizeof(hdrs), "%s%s%s%s%s", manifests[i].ctype ?
		    "Content-Type: " : "", manifests[i].ctype ?
		    manifests[i].ctype : "", manifests[i].ctype ? "\n" : "",
		    manifests[i].dgst ? "Docker-Content-Digest: " : "",
		    manifests[i].dgst == DG_RIGHT ? digest :
		    manifests[i].dgst == DG_WRONG ? D("0") : "");
		if (manifests[i].dgst)
			strcat(hdrs, "\n");
		rep[0] = (struct fake_reply){ 200, hdrs, manifests[i].body, 0 };
		fake_script(rep, 1);
		lc_error_clear();
		bytes = NULL;
		memset(&d, 0, sizeof(d));
		if ((rc = open_reg(&r, "reg.example.com", NULL, NULL)) == 0)
			rc = lc_registry_get(r, "app", manifests[i].ref, &bytes,
			    &len, &d);
		ok(rc == manifests[i].rc, "manifest, %s: rc %d",
		    manifests[i].name, rc);
		if (rc == 0) {
			ok(strcmp(d.digest, digest) == 0 && strcmp(d.media_type,
			    manifests[i].mt) == 0 && len ==
			    strlen(manifests[i].body) && d.size == (long long)len &&
			    memcmp(bytes, manifests[i].body, len) == 0,
			    "manifest, %s: %s, %s, the bytes as sent",
			    manifests[i].name, d.media_type, d.digest);
		} else {
			snprintf(want, sizeof(want), manifests[i].err, digest);
			is_str(lc_error_msg(), want, "manifest, %s: message",
			    manifests[i].name);
			ok(bytes == NULL, "manifest, %s: no bytes handed back",
			    manifests[i].name);
		}
		free(bytes);
		lc_registry_close(r);
	}

	for (i = 0; i < sizeof(resolves) / sizeof(resolves[0]); i++) {
		size_t n = fake_count(resolves[i].reply, 2);

		fake_script(resolves[i].reply, n);
		lc_error_clear();
		memset(&d, 0, sizeof(d));
		if ((rc = open_reg(&r, "reg.example.com", NULL, NULL)) == 0)
			rc = lc_registry_resolve(r, "app", "v1", &d);
		ok(rc == resolves[i].rc && fake_next == n, "resolve, %s: rc %d",
		    resolves[i].name, rc);
		if (rc == 0) {
			lc_sha256_digest(MANIFEST, strlen(MANIFEST), digest);
			is_str(d.digest, resolves[i].digest ? resolves[i].digest :
			    digest, "resolve, %s: digest", resolves[i].name);
			is_str(d.media_type, resolves[i].mt, "resolve, %s: type",
			    resolves[i].name);
		}
		if (resolves[i].seen)
			is_str(fake_seen(), resolves[i].seen, "resolve, %s: "
			    "requests", resolves[i].name);
		if (resolves[i].err)
			is_str(lc_error_msg(), resolves[i].err, "resolve, %s: "
			    "message", resolves[i].name);
		lc_registry_close(r);
	}

	/* A loopback registry is plain HTTP. */
	{
		static const struct fake_reply t[] = {
			{ 200, NULL, "{\"tags\":[\"x\"]}", 0 },
		};
		struct lc_registry_opts o;

		memset(&o, 0, sizeof(o));
		o.plain_http = 1;
		o.no_token_cache = 1;
		fake_script(t, 1);
		if ((rc = lc_plugin_open(&r, "127.0.0.1:5000", &o)) == 0)
			rc = lc_registry_tags(r, "demo/app", on_tag, NULL);
		is_str(fake_seen(), "GET http://127.0.0.1:5000/v2/demo/app/tags/"
		    "list?n=1000\n", "plain HTTP for a loopback registry");
		lc_registry_close(r);
	}

	/*
	 * Copy a tag to another repository: mount the blobs, then write the
	 * same bytes under the new tag.
	 */
	{
		static char h0[200];
		struct fake_reply t[4];

		lc_sha256_digest(MANIFEST, strlen(MANIFEST), digest);
		snprintf(h0, sizeof(h0), "Content-Type: " OCI_M "\n"
		    "Docker-Content-Digest: %s\n", digest);
		t[0] = (struct fake_reply){ 200, h0, MANIFEST, 0 };
		t[1] = (struct fake_reply){ 201, NULL, NULL, 0 };
		t[2] = (struct fake_reply){ 201, NULL, NULL, 0 };
		t[3] = (struct fake_reply){ 201, NULL, NULL, 0 };
		fake_script(t, 4);
		memset(&d, 0, sizeof(d));
		if ((rc = open_reg(&r, "reg.example.com", NULL, NULL)) == 0)
			rc = lc_registry_copy(r, "dev/app", "v1", "prod/app",
			    "v1", &d);
		ok(rc == 0 && strcmp(d.digest, digest) == 0,
		    "copy to another repository: rc %d, same digest", rc);
		snprintf(want, sizeof(want),
		    "GET https://reg.example.com/v2/dev/app/manifests/v1\n"
		    "POST https://reg.example.com/v2/prod/app/blobs/uploads/?mount="
		    D("c") "&from=dev/app\n"
		    "POST https://reg.example.com/v2/prod/app/blobs/uploads/?mount="
		    D("1") "&from=dev/app\n"
		    "PUT https://reg.example.com/v2/prod/app/manifests/v1\n"
		    "  > %s\n", MANIFEST);
		is_str(fake_seen(), want, "copy: requests");
		lc_registry_close(r);

		/* A blob the registry would not mount (202) stops the copy. */
		t[1] = (struct fake_reply){ 202, "Location: /v2/prod/app/blobs/"
		    "uploads/u1\n", NULL, 0 };
		t[2] = (struct fake_reply){ 204, NULL, NULL, 0 };
		fake_script(t, 3);
		lc_error_clear();
		if ((rc = open_reg(&r, "reg.example.com", NULL, NULL)) == 0)
			rc = lc_registry_copy(r, "dev/app", "v1", "prod/app",
			    "v1", &d);
		ok(rc == LC_ERROR && fake_next == 3, "copy: a blob not mounted: "
		    "rc %d", rc);
		is_str(fake_seen(),
		    "GET https://reg.example.com/v2/dev/app/manifests/v1\n"
		    "POST https://reg.example.com/v2/prod/app/blobs/uploads/?mount="
		    D("c") "&from=dev/app\n"
		    "DELETE https://reg.example.com/v2/prod/app/blobs/uploads/u1\n",
		    "copy: the upload session opened instead is closed");
		is_str(lc_error_msg(), "mounting " D("c") " from dev/app into "
		    "prod/app: the registry did not mount it (the blob is missing "
		    "from dev/app, or mounting is not supported)",
		    "copy: a blob not mounted: message");
		lc_registry_close(r);
	}

	rmdir(dir);
	lc_buf_release(&tags_seen);
	lc_buf_release(&fake_log);
	return done_testing();
}
