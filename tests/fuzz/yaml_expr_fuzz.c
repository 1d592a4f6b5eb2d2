/* yaml_expr_fuzz.c: libFuzzer target for the native expression parser and evaluator. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "yaml_edit.h"
#include "yaml_expr.h"

static const char doc[] =
    "a: 1\nb:\n  - x\n  - {c: \"d\", e: [1, 2]}\nm: &m\n  k: v\n"
    "n:\n  <<: *m\n  z: |\n    text\nal: *m\nnull_:\n";

struct arg {
	struct lc_yexpr *e;
	struct lc_yexpr_env env;
};

static int
on_doc(struct lc_ydoc *d, void *p)
{
	struct arg *a = p;
	struct lc_buf out = LC_BUF_INIT;
	int whole;

	(void)lc_yexpr_eval(a->e, d, &a->env, &out, &whole);
	lc_buf_release(&out);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lc_yexpr_var var = { "v", "1.10" };
	struct lc_yout out = LC_YOUT_INIT;
	struct arg a;
	char *src;

	if (size > 4096)
		return 0;
	src = malloc(size + 1);
	memcpy(src, data, size);
	src[size] = '\0';
	memset(&a, 0, sizeof(a));
	a.env.vars = &var;
	a.env.nvars = 1;
	if (lc_yexpr_parse_native(&a.e, src) == 0) {
		(void)lc_yaml_stream("fuzz", doc, sizeof(doc) - 1, on_doc, &a,
		    &out);
		lc_yexpr_free(a.e);
	}
	lc_error_clear();
	lc_yout_release(&out);
	free(src);
	return 0;
}
