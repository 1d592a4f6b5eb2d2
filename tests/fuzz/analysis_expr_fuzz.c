/* analysis_expr_fuzz.c: libFuzzer target for conditions (analysis_expr.c). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "buf.h"
#include "error.h"

/*
 * The first byte picks the result: bits 0-1 how many values (a vector),
 * bit 2 a scalar instead; the next bytes pick the values from vals[]; the
 * rest is the condition. Besides the sanitizers, it checks the contract
 * (codes, a message with every error) and one law: when a condition
 * evaluates, !(condition) evaluates to the opposite.
 */
static const double vals[] = {
	0, 1, -1, 0.5, 0.014, 0.95, 1.2, 1e308, -1e308, NAN, INFINITY,
	-INFINITY, 3, 9.2e18, -0.0, 2
};

static int
run(const char *src, const double *v, size_t n, int scalar, int *truth)
{
	struct lc_analysis_expr *e;
	int rc;

	if ((rc = lc_analysis_expr_parse(&e, src)) != 0) {
		if (rc != LC_EUSAGE || lc_error_msg() == NULL)
			abort();
		return 1;
	}
	rc = lc_analysis_expr_eval(e, v, n, scalar, truth);
	lc_analysis_expr_free(e);
	if (rc != 0 && (rc != LC_ERROR || lc_error_msg() == NULL))
		abort();
	if (rc == 0 && *truth != 0 && *truth != 1)
		abort();
	return rc == 0 ? 0 : 2;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lc_buf neg = LC_BUF_INIT;
	double v[3];
	size_t n, i, k = 1;
	int scalar, t = -1, u = -1;
	char *src;

	if (size < 1)
		return 0;
	scalar = (data[0] & 4) != 0;
	n = scalar ? 1 : (size_t)(data[0] & 3);
	if (n > 3)
		n = 3;
	for (i = 0; i < n; i++)
		v[i] = k < size ? vals[data[k++] % 16] : 0;
	if (k > size)
		k = size;
	src = lc_buf_xstrndup((const char *)data + k, size - k);
	if (run(src, v, n, scalar, &t) == 0) {
		lc_buf_printf(&neg, "!(%s)", src);
		if (run(neg.data, v, n, scalar, &u) == 0 && u != !t) {
			fprintf(stderr, "%s is %d but its negation %d\n", src,
			    t, u);
			abort();
		}
	}
	lc_error_clear();
	lc_buf_release(&neg);
	free(src);
	return 0;
}
