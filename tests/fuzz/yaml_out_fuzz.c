/* yaml_out_fuzz.c: libFuzzer target for the renderers: JSON, props, -P YAML. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jv.h>

#include "buf.h"
#include "error.h"
#include "yaml_edit.h"
#include "yaml_out.h"

/*
 * The first byte picks the format, indent, -r, -P and -0; the rest is the
 * YAML. Each document's root and one other node are rendered. Refusals
 * (LC_EDATA) are fine; what is written must hold: JSON parses (libjq),
 * -P YAML parses again (libyaml, through lc_yaml_edit_stream), and nothing
 * crashes, leaks or runs away (the alias and depth bounds).
 */
struct arg {
	struct lc_yaml_fmt f;
	unsigned pick;
};

static int
count_doc(struct lc_ydoc *d, void *p)
{
	(void)d;
	(void)p;
	return 0;
}

static void
check(const struct arg *a, const struct lc_buf *out)
{
	jv v;

	if (a->f.format == LC_YOUT_JSON && !a->f.unwrap && !a->f.nul) {
		v = jv_parse_sized(out->data ? out->data : "", (int)out->len);
		if (!jv_is_valid(v)) {
			fprintf(stderr, "bad JSON: %.*s\n", (int)out->len,
			    out->data);
			abort();
		}
		jv_free(v);
	}
	if (a->f.format == LC_YOUT_YAML && a->f.pretty && !a->f.nul &&
	    !a->f.unwrap && lc_yaml_edit_stream("out",
	    out->data ? out->data : "", out->len, count_doc, NULL, NULL) != 0) {
		fprintf(stderr, "bad YAML (%s): %.*s\n", lc_error_msg(),
		    (int)out->len, out->data);
		abort();
	}
}

static int
on_doc(struct lc_ydoc *d, void *p)
{
	const struct arg *a = p;
	struct lc_buf out = LC_BUF_INIT;
	uint32_t n;

	if (lc_yaml_out_node(&out, &a->f, d, d->root) == 0)
		check(a, &out);
	lc_error_clear();
	out.len = 0;
	if (d->nnodes > 1) {
		n = 1 + a->pick % (d->nnodes - 1);
		if (lc_yaml_out_node(&out, &a->f, d, n) == 0)
			check(a, &out);
		lc_error_clear();
	}
	lc_buf_release(&out);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arg a;

	if (size < 1)
		return 0;
	memset(&a, 0, sizeof(a));
	a.f.format = data[0] % 3;
	a.f.indent = (data[0] >> 2) & 3;
	a.f.unwrap = (data[0] >> 4) & 1;
	a.f.pretty = (data[0] >> 5) & 1;
	a.f.nul = (data[0] >> 6) & 1;
	a.pick = data[0] * 7919u + (unsigned)size;
	lc_yaml_edit_stream("fuzz.yaml", (const char *)data + 1, size - 1,
	    on_doc, &a, NULL);
	lc_error_clear();
	return 0;
}
