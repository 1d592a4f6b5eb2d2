/* cli_test.c: unit tests of duration and number parsing. */
#include "cli.h"
#include "error.h"
#include "parse.h"
#include "tap.h"

static const struct {
	const char *in;
	int rc;
	long long ms;
} durations[] = {
	{ "90", 0, 90000 },
	{ "90s", 0, 90000 },
	{ "5m", 0, 300000 },
	{ "1h30m", 0, 5400000 },
	{ "250ms", 0, 250 },
	{ "0", 0, 0 },
	{ "", LC_EUSAGE, 0 },
	{ "5x", LC_EUSAGE, 0 },
	{ "-5s", LC_EUSAGE, 0 },
	{ "m", LC_EUSAGE, 0 },
	{ "99999999999999999999h", LC_EUSAGE, 0 },
};

static const struct {
	const char *in;
	long min, max;
	int rc;
	long v;
} numbers[] = {
	{ "3", 0, 10, 0, 3 },
	{ "10", 0, 10, 0, 10 },
	{ "11", 0, 10, LC_EUSAGE, 0 },
	{ "-1", 0, 10, LC_EUSAGE, 0 },
	{ "3x", 0, 10, LC_EUSAGE, 0 },
	{ "", 0, 10, LC_EUSAGE, 0 },
};

int
main(void)
{
	static const struct {
		long long ms;
		const char *want;
	} texts[] = { { 0, "0s" }, { 250, "250ms" }, { 3000, "3s" },
	    { 90000, "1m30s" }, { 600000, "10m" }, { 3605000, "1h5s" },
	    { 1500, "1s500ms" }, { 720000, "12m" } };
	char buf[32];
	size_t i;
	long long ms;
	long v;
	int rc;

	for (i = 0; i < sizeof(durations) / sizeof(durations[0]); i++) {
		ms = -1;
		rc = lc_parse_duration(durations[i].in, &ms);
		ok(rc == durations[i].rc && (rc != 0 || ms == durations[i].ms),
		    "duration '%s' -> rc %d, %lld ms", durations[i].in, rc, ms);
	}
	for (i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++) {
		v = -99;
		rc = lc_parse_long(numbers[i].in, numbers[i].min, numbers[i].max,
		    &v);
		ok(rc == numbers[i].rc && (rc != 0 || v == numbers[i].v),
		    "number '%s' in [%ld, %ld] -> rc %d", numbers[i].in,
		    numbers[i].min, numbers[i].max, rc);
	}
	lc_parse_duration("5x", &ms);
	is_str(lc_error_msg(), "invalid duration '5x' (use e.g. 90, 90s, 5m, "
	    "1h30m)", "a bad duration says how to write one");
	lc_parse_duration_opt("--timeout", "0.5", &ms);
	is_str(lc_error_msg(), "--timeout: invalid duration '0.5' (use e.g. 90, "
	    "90s, 5m, 1h30m)", "a bad option's duration names the option");
	lc_parse_duration_opt("--timeout", "", &ms);
	is_str(lc_error_msg(), "--timeout: empty duration",
	    "an empty one too");
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		lc_parse_duration_text(buf, sizeof(buf), texts[i].ms);
		is_str(buf, texts[i].want, "%lld ms reads %s", texts[i].ms,
		    texts[i].want);
		if (texts[i].ms > 0) {
			ms = -1;
			lc_parse_duration(buf, &ms);
			ok(ms == texts[i].ms, "'%s' parses back", buf);
		}
	}
	lc_parse_duration_text(buf, 4, 5400000 + 7000);
	is_str(buf, "1h3", "cut short to the buffer, NUL-ended");
	return done_testing();
}
