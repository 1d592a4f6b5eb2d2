/* log_test.c: unit tests of secret redaction. */
#include "log.h"
#include "tap.h"

static const struct {
	const char *in, *want;
} cases[] = {
	{ "plain text", "plain text" },
	{ "Authorization: Bearer abc.def", "Authorization: Bearer ***" },
	{ "authorization: s3cr3t-token", "authorization: ***" },
	{ "PRIVATE-TOKEN: glpat-xyz\r\nX: y", "PRIVATE-TOKEN: ***\r\nX: y" },
	{ "fetch https://bot:ghp_123@github.com/o/r.git failed",
	    "fetch https://bot:***@github.com/o/r.git failed" },
	{ "https://github.com/o/r.git", "https://github.com/o/r.git" },
	{ "token is hunter2-secret here", "token is *** here" },
	{ "twice hunter2-secrethunter2-secret", "twice ******" },
};

int
main(void)
{
	struct lc_buf b = LC_BUF_INIT;
	size_t i;

	lc_log_add_secret("hunter2-secret");
	lc_log_add_secret("ab");	/* too short to mask */
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		b.len = 0;
		lc_log_redact(&b, cases[i].in);
		is_str(b.data, cases[i].want, "redact case %zu", i);
	}
	lc_buf_release(&b);
	return done_testing();
}
