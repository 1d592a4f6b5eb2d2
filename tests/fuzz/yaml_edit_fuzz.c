/* yaml_edit_fuzz.c: libFuzzer target for the editor: parse, edit, commit. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "yaml_edit.h"

/*
 * The first byte picks an edit and a value; the rest is the YAML. Setting
 * a scalar must always give valid YAML (lc_yaml_edit_commit re-parses and
 * fails with "internal error" otherwise): that aborts, except in input
 * with tabs, which libyaml accepts in places where it then refuses the
 * same text with another value (the commit check still keeps such files
 * intact). The other edits may be refused, but must not crash or leak.
 */
static const char *const vals[] = {
	"v2", "1.10", "a: b", "x\ny\n", "", "ü 🛑", "it's", "- z",
};

struct arg {
	unsigned op;
	int tabs;
};

static int
on_doc(struct lc_ydoc *d, void *p)
{
	struct arg *a = p;
	struct lc_ylit v, key, seq;
	uint32_t n, pick = 0, count = 0;
	int rc = 0;

	memset(&v, 0, sizeof(v));
	v.kind = LC_YL_STR;
	v.s = vals[(a->op >> 3) % 8];
	v.n = strlen(v.s);
	key = v;
	key.s = "newkey";
	key.n = 6;
	for (n = 1; n < d->nnodes; n++)
		count++;
	if (count == 0)
		return 0;
	pick = 1 + (a->op * 7919u) % count;
	switch (a->op & 7) {
	case 0: case 1: case 2:
		for (n = pick; n < d->nnodes; n++)
			if (d->nodes[n].type == LC_YSCALAR &&
			    (d->nodes[n].parent == 0 ||
			    d->nodes[d->nodes[n].parent].type == LC_YSEQ ||
			    lc_yaml_edit_node_key(d, n) != 0))
				break;
		if (n == d->nnodes)
			return 0;
		rc = lc_yaml_edit_set(d, n, &v);
		if (rc == 0 && lc_yaml_edit_commit(d) != 0 && !a->tabs &&
		    strstr(lc_error_msg(), "internal error") != NULL) {
			fprintf(stderr, "%s\n", lc_error_msg());
			abort();
		}
		return 0;
	case 3:
		rc = lc_yaml_edit_create(d, pick, &key, 1, &v);
		break;
	case 4:
		memset(&seq, 0, sizeof(seq));
		seq.kind = LC_YL_SEQ;
		seq.kids = &v;
		seq.nkids = 1;
		rc = lc_yaml_edit_append(d, pick, &seq);
		break;
	default:
		rc = lc_yaml_edit_delete(d, pick);
		break;
	}
	if (rc == 0)
		(void)lc_yaml_edit_commit(d);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lc_yout out = LC_YOUT_INIT;
	struct arg a;

	if (size < 1 || size > 65536)
		return 0;
	a.op = data[0];
	a.tabs = memchr(data + 1, '\t', size - 1) != NULL;
	(void)lc_yaml_edit_stream("fuzz", (const char *)data + 1, size - 1,
	    on_doc, &a, &out);
	lc_error_clear();
	lc_yaml_edit_out_release(&out);
	return 0;
}
