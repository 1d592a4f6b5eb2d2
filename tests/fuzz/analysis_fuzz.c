/* analysis_fuzz.c: libFuzzer target for the template loader (analysis.c). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "error.h"

/*
 * The input is the template; two --args are given (a and service-name)
 * when the input declares them. Besides the sanitizers, it checks the
 * contract: the codes, a message with every error, and for a template
 * that loads, that each metric is whole (a name, a query, a parsed
 * expression for each condition, headers "K: V", count and interval as
 * Argo requires) and that judging it gives a phase, with a message for
 * an error.
 */
static const double v[] = { 0.014, NAN, INFINITY };

static void
check(const struct lc_analysis *a)
{
	const struct lc_analysis_metric *m;
	enum lc_analysis_phase p;
	size_t i, j, n;

	if (a->kind == NULL || a->nmetrics == 0)
		abort();
	for (i = 0; i < a->nmetrics; i++) {
		m = &a->metrics[i];
		if (m->name == NULL || *m->name == '\0' || m->query == NULL ||
		    (m->success == NULL) != (m->success_expr == NULL) ||
		    (m->failure == NULL) != (m->failure_expr == NULL) ||
		    (m->interval_ms > 0 && m->count == 0) ||
		    (m->count > 1 && m->interval_ms == 0) || m->count < 0 ||
		    m->failure_limit < 0 || m->inconclusive_limit < 0)
			abort();
		for (j = 0; j < m->nheaders; j++)
			if (strstr(m->headers[j], ": ") == NULL ||
			    strpbrk(m->headers[j], "\r\n") != NULL)
				abort();
		for (n = 0; n <= 3; n++) {
			lc_error_clear();
			p = lc_analysis_judge(m, v, n, 0);
			if (p == LC_ANALYSIS_ERROR && lc_error_msg() == NULL)
				abort();
		}
		p = lc_analysis_judge(m, v + 1, 1, 1);
		if (p > LC_ANALYSIS_ERROR)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const args[] = { "a=1", "service-name=svc" };
	struct lc_analysis a;
	int rc, with = size > 0 && (data[0] & 1);

	rc = lc_analysis_parse(&a, "fuzz.yaml", (const char *)data, size,
	    args, with ? 2 : 0);
	if (rc == 0)
		check(&a);
	else if ((rc != LC_EUSAGE && rc != LC_EDATA) || lc_error_msg() == NULL)
		abort();
	lc_analysis_release(&a);
	lc_error_clear();
	return 0;
}
