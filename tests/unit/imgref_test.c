/* imgref_test.c: unit tests of image reference parsing and SHA-256. */
#include <string.h>

#include "error.h"
#include "imgref.h"
#include "sha256.h"
#include "tap.h"

static const struct {
	const char *in;
	int need_ref, rc;
	const char *registry, *repo, *tag, *digest;
} cases[] = {
	{ "alpine:3.19", 1, 0, "docker.io", "library/alpine", "3.19", "" },
	{ "team/app:v1", 1, 0, "docker.io", "team/app", "v1", "" },
	{ "index.docker.io/alpine:1", 1, 0, "docker.io", "library/alpine", "1",
	    "" },
	{ "ghcr.io/org/app:v1.2.3", 1, 0, "ghcr.io", "org/app", "v1.2.3", "" },
	{ "127.0.0.1:5000/demo/app:latest", 1, 0, "127.0.0.1:5000", "demo/app",
	    "latest", "" },
	{ "localhost/app:x", 1, 0, "localhost", "app", "x", "" },
	{ "localhost:5000/a/b/c:t", 1, 0, "localhost:5000", "a/b/c", "t", "" },
	{ "reg.example.com/app@sha256:"
	    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", 1,
	    0, "reg.example.com", "app", "",
	    "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" },
	{ "r.io/app:v1@sha256:"
	    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", 1,
	    0, "r.io", "app", "v1",
	    "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" },
	{ "r.io/my_app__x/a-b--c.d:t", 1, 0, "r.io", "my_app__x/a-b--c.d", "t",
	    "" },
	{ "r.io/app", 0, 0, "r.io", "app", "", "" },
	{ "r.io/app", 1, LC_EUSAGE, "", "", "", "" },
	{ "r.io/App:v1", 1, LC_EUSAGE, "", "", "", "" },
	{ "r.io/app:-v1", 1, LC_EUSAGE, "", "", "", "" },
	{ "r.io/app:v1@sha256:abc", 1, LC_EUSAGE, "", "", "", "" },
	{ "r.io/app@md5:0123", 1, LC_EUSAGE, "", "", "", "" },
	{ "r.io//app:v1", 1, LC_EUSAGE, "", "", "", "" },
	{ "r.io/app_:v1", 1, LC_EUSAGE, "", "", "", "" },
	{ ":v1", 1, LC_EUSAGE, "", "", "", "" },
};

int
main(void)
{
	struct lc_imgref r;
	char out[700];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rc = lc_imgref_parse(&r, cases[i].in, cases[i].need_ref);
		lc_error_clear();
		ok(rc == cases[i].rc && (rc != 0 ||
		    (strcmp(r.registry, cases[i].registry) == 0 &&
		    strcmp(r.repo, cases[i].repo) == 0 &&
		    strcmp(r.tag, cases[i].tag) == 0 &&
		    strcmp(r.digest, cases[i].digest) == 0)),
		    "parse '%s'", cases[i].in);
	}
	lc_imgref_parse(&r, "127.0.0.1:5000/demo/app:v1", 1);
	lc_imgref_format(&r, out, sizeof(out));
	ok(strcmp(out, "127.0.0.1:5000/demo/app:v1") == 0, "format");
	ok(lc_imgref_loopback("127.0.0.1:5000") && lc_imgref_loopback("localhost")
	    && lc_imgref_loopback("localhost:80") && !lc_imgref_loopback(
	    "localhost.example.com") && !lc_imgref_loopback("ghcr.io"),
	    "loopback registries");
	{
		static const char *const sums[][2] = {
			{ "", "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e"
			    "4649b934ca495991b7852b855" },
			{ "abc", "sha256:ba7816bf8f01cfea414140de5dae2223b00361a"
			    "396177a9cb410ff61f20015ad" },
			{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
			    "sha256:248d6a61d20638b8e5c026930c3e6039a33ce45964ff2"
			    "167f6ecedd419db06c1" },
		};
		char big[1000], d[72];
		size_t k;

		for (k = 0; k < 3; k++) {
			lc_sha256_digest(sums[k][0], strlen(sums[k][0]), d);
			ok(strcmp(d, sums[k][1]) == 0, "sha256 of '%s'",
			    sums[k][0]);
		}
		memset(big, 'a', sizeof(big));
		lc_sha256_digest(big, sizeof(big), d);
		ok(strcmp(d, "sha256:41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d13"
		    "4645adb5db1b9737ea3") == 0, "sha256 of 1000 a");
	}
	return done_testing();
}
