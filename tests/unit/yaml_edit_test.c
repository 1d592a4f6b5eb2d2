/* yaml_edit_test.c: unit tests of scalar typing, formatting and byte spans. */
#include <stdlib.h>

#include "error.h"
#include "tap.h"
#include "yaml_edit.h"

static const struct {
	const char *s;
	enum lc_ylit_kind kind;
} resolve[] = {
	{ "", LC_YL_NULL }, { "~", LC_YL_NULL }, { "null", LC_YL_NULL },
	{ "Null", LC_YL_NULL }, { "true", LC_YL_BOOL }, { "no", LC_YL_BOOL },
	{ "ON", LC_YL_BOOL }, { "y", LC_YL_BOOL }, { "1", LC_YL_NUM },
	{ "-12", LC_YL_NUM }, { "1.10", LC_YL_NUM }, { "0123", LC_YL_NUM },
	{ "1e3", LC_YL_NUM }, { "0x1F", LC_YL_NUM }, { "0o17", LC_YL_NUM },
	{ ".inf", LC_YL_NUM }, { "-.inf", LC_YL_NUM }, { ".nan", LC_YL_NUM },
	{ "1_000", LC_YL_NUM }, { "1:30", LC_YL_NUM }, { "v1.2.3", LC_YL_STR },
	{ "1.2.3", LC_YL_STR }, { "nginx", LC_YL_STR }, { "yes!", LC_YL_STR },
	{ "e3", LC_YL_STR }, { "-", LC_YL_STR }, { "1:", LC_YL_STR },
};

static const struct {
	const char *s;
	int style, flow;
	const char *want;
} fmt[] = {
	{ "v2", 0, 0, "v2" },
	{ "v2", LC_YDOUBLE, 0, "\"v2\"" },
	{ "v2", LC_YSINGLE, 0, "'v2'" },
	{ "1.10", LC_YPLAIN, 0, "\"1.10\"" },
	{ "2024-01-02", 0, 0, "\"2024-01-02\"" },
	{ "a: b", 0, 0, "\"a: b\"" },
	{ "a:b", 0, 0, "a:b" },
	{ "a #b", 0, 0, "\"a #b\"" },
	{ "a#b", 0, 0, "a#b" },
	{ "-a", 0, 0, "-a" },
	{ "- a", 0, 0, "\"- a\"" },
	{ ":a", 0, 0, ":a" },
	{ "*x", 0, 0, "\"*x\"" },
	{ "a,b", 0, 0, "a,b" },
	{ "a,b", 0, 1, "\"a,b\"" },
	{ " lead", 0, 0, "\" lead\"" },
	{ "trail ", 0, 0, "\"trail \"" },
	{ "---", 0, 0, "\"---\"" },
	{ "tab\there", 0, 0, "\"tab\\there\"" },
	{ "bell\a", 0, 0, "\"bell\\x07\"" },
	{ "quote\"back\\", LC_YDOUBLE, 0, "\"quote\\\"back\\\\\"" },
	{ "it's", LC_YSINGLE, 0, "'it''s'" },
	{ "a\nb", LC_YSINGLE, 0, "\"a\\nb\"" },
	{ "größe 🛑", 0, 0, "größe 🛑" },
	{ "a\nb\n", LC_YLITERAL, 0, "|\n  a\n  b\n" },
	{ "a\nb", LC_YLITERAL, 0, "|-\n  a\n  b\n" },
	{ "a\n\n", LC_YLITERAL, 0, "|+\n  a\n\n" },
	{ "a\nb\n", LC_YFOLDED, 0, ">\n  a\n\n  b\n" },
	{ " lead\n", LC_YLITERAL, 0, "\" lead\\n\"" },
	{ "", LC_YLITERAL, 0, "\"\"" },
};

/* Scalar values of a document with multi-byte text, read via byte spans. */
static int
check_values(struct lc_ydoc *doc, void *arg)
{
	const char **want = arg;
	const char *v;
	size_t len, i = 0;
	uint32_t n;

	for (n = 1; n < doc->nnodes; n++) {
		if (doc->nodes[n].type != LC_YSCALAR)
			continue;
		v = lc_yaml_edit_node_value(doc, n, &len);
		if (want[i] == NULL || strlen(want[i]) != len ||
		    memcmp(v, want[i], len) != 0)
			return LC_ERROR;
		i++;
	}
	return want[i] == NULL ? 0 : LC_ERROR;
}

int
main(void)
{
	static const char *want[] = { "k", "üü", "é", "ñ 🛑", "z", "1", NULL };
	static const char doc[] = "\xef\xbb\xbfk: üü\né: \"ñ 🛑\"\nz: 1\n";
	struct lc_buf b = LC_BUF_INIT;
	struct lc_ylit v;
	size_t i;

	for (i = 0; i < sizeof(resolve) / sizeof(resolve[0]); i++)
		ok(lc_yaml_edit_resolve(resolve[i].s, strlen(resolve[i].s)) ==
		    resolve[i].kind, "'%s' resolves to kind %d", resolve[i].s,
		    resolve[i].kind);
	memset(&v, 0, sizeof(v));
	v.kind = LC_YL_STR;
	for (i = 0; i < sizeof(fmt) / sizeof(fmt[0]); i++) {
		b.len = 0;
		v.s = fmt[i].s;
		v.n = strlen(fmt[i].s);
		lc_yaml_edit_format_scalar(&b, &v, fmt[i].style, fmt[i].flow, 2, "\n");
		lc_buf_addc(&b, '\0');
		is_str(b.data, fmt[i].want, "format case %zu (style %d, flow %d)",
		    i, fmt[i].style, fmt[i].flow);
	}
	ok(lc_yaml_edit_stream("t", doc, sizeof(doc) - 1, check_values, want,
	    NULL) == 0, "spans of multi-byte scalars after a BOM are bytes");
	ok(lc_yaml_edit_stream("t.yaml", "a: [\n", 5, check_values, want,
	    NULL) == LC_EDATA, "malformed YAML is LC_EDATA");
	is_str(lc_error_msg(), "'t.yaml': 2:1: while parsing a flow node: did "
	    "not find expected node content", "with file:line:col");
	lc_buf_release(&b);
	return done_testing();
}
