/* jq.h: libjq, loaded only when an expression needs it, on lc_ylit values. */
#ifndef LC_JQ_H
#define LC_JQ_H

#include "yaml_edit.h"

struct lc_jq;

/*
 * Compile prog with libjq. libjq is loaded with dlopen on first use, so
 * commands that never get here pay nothing for it (its compiler alone takes
 * ~17 ms). Returns 0, LC_EUSAGE with jq's message for a bad program, or
 * LC_ERROR when libjq cannot be loaded.
 */
int lc_jq_compile(struct lc_jq **out, const char *prog);
void lc_jq_free(struct lc_jq *jq);

/* What lc_jq_run hands back: values, in one allocation list. */
struct lc_jq_out {
	const struct lc_ylit **v;
	size_t n, cap;
	void **mem;		/* everything allocated for v */
	size_t nmem, capmem;
};

#define LC_JQ_OUT_INIT { NULL, 0, 0, NULL, 0, 0 }

void lc_jq_out_release(struct lc_jq_out *out);

/*
 * Run jq on input and append each output to out. Returns 0, or LC_ERROR
 * with jq's message for a runtime error (outputs before it are kept).
 */
int lc_jq_run(struct lc_jq *jq, const struct lc_ylit *input,
    struct lc_jq_out *out);

#endif
