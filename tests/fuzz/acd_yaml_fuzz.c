/* acd_yaml_fuzz.c: libFuzzer target for the manifest YAML of acd-diff. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jv.h>

#include "acd_diff.h"
#include "buf.h"
#include "error.h"
#include "yaml_edit.h"
#include "yaml_out.h"

/*
 * The input is JSON (libjq); what lc_acd_diff_yaml writes of it must parse
 * as YAML (libyaml, through lc_yaml_edit_stream) into the same data: read
 * back as JSON (lc_yaml_out_node), it is equal to the input (its numbers
 * as libjq writes them).
 */
const char *__lsan_default_suppressions(void);

const char *
__lsan_default_suppressions(void)
{
	return "leak:libjq.so\n";	/* see sse_fuzz.c */
}

static int
on_doc(struct lc_ydoc *d, void *p)
{
	struct lc_yaml_fmt f;
	struct lc_buf out = LC_BUF_INIT;
	jv *want = p, got;

	memset(&f, 0, sizeof(f));
	f.format = LC_YOUT_JSON;
	if (lc_yaml_out_node(&out, &f, d, d->root) != 0) {
		fprintf(stderr, "cannot read back: %s\n", lc_error_msg());
		abort();
	}
	got = jv_parse_sized(out.data ? out.data : "", (int)out.len);
	if (!jv_equal(jv_copy(*want), jv_copy(got))) {
		fprintf(stderr, "read back as: %.*s\n", (int)out.len,
		    out.data);
		abort();
	}
	jv_free(got);
	lc_buf_release(&out);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lc_buf y = LC_BUF_INIT;
	jv v = jv_parse_sized((const char *)data, (int)size), d;

	if (!jv_is_valid(v)) {
		jv_free(v);
		return 0;
	}
	/* As libjq writes numbers (1e999 is infinite, written as the
	 * largest double): what the YAML holds. */
	d = jv_dump_string(v, 0);
	v = jv_parse(jv_string_value(d));
	jv_free(d);
	lc_buf_adds(&y, "");
	if (lc_acd_diff_yaml(&y, jv_copy(v)) == 0 &&
	    lc_yaml_edit_stream("out", y.data, y.len, on_doc, &v, NULL) != 0) {
		fprintf(stderr, "bad YAML (%s):\n%s", lc_error_msg(), y.data);
		abort();
	}
	lc_error_clear();
	jv_free(v);
	lc_buf_release(&y);
	return 0;
}
