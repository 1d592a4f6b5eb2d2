/* base64_test.c: the RFC 4648 section 10 vectors, both ways. */
#include "base64.h"
#include "tap.h"

static const char *const vec[][2] = {
	{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
	{ "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" },
	{ "foobar", "Zm9vYmFy" },
};

int
main(void)
{
	char out[64];
	size_t i;

	for (i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
		lc_base64(vec[i][0], strlen(vec[i][0]), out);
		is_str(out, vec[i][1], "encode '%s'", vec[i][0]);
		ok(lc_base64_decode(vec[i][1], out, sizeof(out)) ==
		    strlen(vec[i][0]), "decode '%s': length", vec[i][1]);
		is_str(out, vec[i][0], "decode '%s'", vec[i][1]);
	}
	/* A newline in the middle (as in an auth file) is skipped. */
	lc_base64_decode("Zm9v\nYmFy", out, sizeof(out));
	is_str(out, "foobar", "decode skips a newline");
	/* out too small: cut, NUL-terminated. */
	ok(lc_base64_decode("Zm9vYmFy", out, 4) == 3 && strcmp(out, "foo") == 0,
	    "decode cuts at n - 1");
	/* The whole length, to size out so nothing is cut. */
	for (i = 0; i < sizeof(vec) / sizeof(vec[0]); i++)
		ok(lc_base64_decode_len(vec[i][1]) == strlen(vec[i][0]),
		    "decoded length of '%s'", vec[i][1]);
	ok(lc_base64_decode_len("Zm9v\nYmFy") == 6, "decoded length skips a newline");
	ok(lc_base64_decode_len("Zm9vYmFy") > lc_base64_decode("Zm9vYmFy", out,
	    4),
	    "a cut value is seen: written < decoded length");
	/* n == 0: nothing written, not even a NUL. */
	out[0] = 'x';
	ok(lc_base64_decode("Zm9v", out, 0) == 0 && out[0] == 'x',
	    "decode into 0 bytes writes nothing");
	return done_testing();
}
