/* prom_fuzz.c: libFuzzer target for the reader of Prometheus API answers. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "prom.h"

/*
 * The input is one answer of /api/v1/query or query_range, as a server
 * could send it. Whatever it holds, lc_prom_parse either fills the result
 * as prom.h promises (series sorted and unique by labels, a vector's and a
 * scalar's one point each, a matrix's times increasing, within the
 * limits) or fails with LC_EDATA, a one-line message and nothing left.
 */
/* libjq 1.6 leaks inside jv_parse_sized on some malformed JSON (see sse). */
const char *__lsan_default_suppressions(void);

const char *
__lsan_default_suppressions(void)
{
	return "leak:libjq.so\n";
}

static void
check(int cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "prom: %s\n", what);
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lc_prom_result r = LC_PROM_RESULT_INIT;
	const struct lc_prom_series *s;
	const char *msg;
	size_t i, k, points = 0;
	int rc;

	rc = lc_prom_parse((const char *)data, size, &r);
	if (rc != 0) {
		msg = lc_error_msg();
		check(rc == LC_EDATA, "a failure other than LC_EDATA");
		check(msg != NULL && strchr(msg, '\n') == NULL &&
		    strchr(msg, '\r') == NULL, "a message not on one line");
		check(r.series == NULL && r.nseries == 0 && r.warnings == NULL &&
		    r.nwarnings == 0, "a result left after a failure");
		lc_error_clear();
		return 0;
	}
	check(r.nseries <= 100000, "more than 100,000 series");
	check(r.type != LC_PROM_SCALAR || r.nseries == 1, "a scalar of many");
	for (i = 0; i < r.nseries; i++) {
		s = &r.series[i];
		check(s->labels != NULL && *s->labels != '\0', "no labels");
		check(strchr(s->labels, '\n') == NULL, "a newline in labels");
		check(i == 0 || strcmp(r.series[i - 1].labels, s->labels) < 0,
		    "series not sorted and unique");
		check(r.type == LC_PROM_MATRIX || s->n == 1,
		    "an instant series without exactly one point");
		for (k = 0; k < s->n; k++)
			check(k == 0 || s->t[k] > s->t[k - 1],
			    "times not increasing");
		points += s->n;
	}
	check(points <= 10000000, "more than 10,000,000 points");
	for (i = 0; i < r.nwarnings; i++)
		check(r.warnings[i] != NULL, "a NULL warning");
	lc_prom_result_release(&r);
	check(r.series == NULL && r.nseries == 0, "release left a result");
	return 0;
}
