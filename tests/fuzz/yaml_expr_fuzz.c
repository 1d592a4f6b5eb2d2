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

	(void)lc_yaml_expr_eval(a->e, d, &a->env, &out, &whole);
	lc_buf_release(&out);
	return 0;
}

/* eval-all over two files, the document above and a second stream. */
static void
eval_all(struct arg *a)
{
	static const char two[] = "x: 2\n---\n- a\n- b\n";
	struct lc_ystream s1, s2;
	struct lc_ydoc *docs[3];
	struct lc_yexpr_res *res = NULL;
	struct lc_buf out = LC_BUF_INIT;
	const int files[3] = { 0, 1, 1 };
	size_t nres = 0;

	memset(&s1, 0, sizeof(s1));
	memset(&s2, 0, sizeof(s2));
	if (lc_yaml_edit_stream_load(&s1, "f1", doc, sizeof(doc) - 1) == 0 &&
	    lc_yaml_edit_stream_load(&s2, "f2", two, sizeof(two) - 1) == 0 &&
	    s1.ndocs == 1 && s2.ndocs == 2) {
		docs[0] = &s1.docs[0];
		docs[1] = &s2.docs[0];
		docs[2] = &s2.docs[1];
		(void)lc_yaml_expr_eval_all(a->e, docs, files, 3, &a->env, &out,
		    &res, &nres);
	}
	free(res);
	lc_buf_release(&out);
	lc_yaml_edit_stream_release(&s1);
	lc_yaml_edit_stream_release(&s2);
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
	if (lc_yaml_expr_parse_native(&a.e, src) == 0) {
		(void)lc_yaml_edit_stream("fuzz", doc, sizeof(doc) - 1, on_doc,
		    &a, &out);
		eval_all(&a);
		lc_yaml_expr_free(a.e);
	}
	lc_error_clear();
	lc_yaml_edit_out_release(&out);
	free(src);
	return 0;
}
