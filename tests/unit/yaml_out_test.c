/* yaml_out_test.c: unit tests of the renderers: JSON, props and block YAML as yq writes them. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "tap.h"
#include "yaml_edit.h"
#include "yaml_out.h"

enum { YAML = LC_YOUT_YAML, JSON = LC_YOUT_JSON, PROPS = LC_YOUT_PROPS };

/*
 * The whole first document of in, rendered; want is what yq v4.53.6
 * printed for the same input and flags (merge keys with
 * --yaml-fix-merge-anchor-to-spec), unless a comment says otherwise.
 */
static const struct {
	const char *in;
	int format, indent, unwrap, pretty;
	const char *want;
} cases[] = {
	/* yq -o json -I0 */
	{ "a: [x, \"y<>&\", 1.0, 0x10, 1e3, true, ~, \"\xc3\xa9\\t\\x01\"]\n",
	    JSON, 0, 0, 0,
	    "{\"a\":[\"x\",\"y<>&\",1.0,16,1e3,true,null,\"\xc3\xa9\\t\\u0001\"]}\n" },
	{ "[0o17, 017, +1, -0, 1.5e+3, 1E3, .5, 5., 1_000, -0x10, 0.0, -.5, "
	    "+.5]", JSON, 0, 0, 0,
	    "[15,17,1,-0.0,1.5e+3,1E3,0.5,5.0,1000,-16,0.0,-0.5,0.5]\n" },
	{ "[!!int \"12\", !!str 12, !!float 1, !!bool yes, !!null x, "
	    "!!binary aGk=, yes, NULL, True]", JSON, 0, 0, 0,
	    "[12,\"12\",1.0,true,null,\"aGk=\",\"yes\",null,true]\n" },
	{ "\"\\u2028 / \\x7f \\U0001F600 \\b\\f\\r\\\"\\\\\"", JSON, 0, 0, 0,
	    "\"\\u2028 / \x7f \xf0\x9f\x98\x80 \\u0008\\u000c\\r\\\"\\\\\"\n" },
	{ "1: a\ntrue: b\n~: c\n", JSON, 0, 0, 0,
	    "{\"1\":\"a\",\"true\":\"b\",\"~\":\"c\"}\n" },
	/* yq -o json (indent 2); merge keys, an alias */
	{ "x: &x {k: v, n: 2}\ny: &y {n: 9, z: 1}\n"
	    "m: {<<: [*x, *y], n: 3, a: 0}\nr: *x\n", JSON, 2, 0, 0,
	    "{\n  \"x\": {\n    \"k\": \"v\",\n    \"n\": 2\n  },\n"
	    "  \"y\": {\n    \"n\": 9,\n    \"z\": 1\n  },\n"
	    "  \"m\": {\n    \"k\": \"v\",\n    \"z\": 1,\n    \"n\": 3,\n"
	    "    \"a\": 0\n  },\n  \"r\": {\n    \"k\": \"v\",\n"
	    "    \"n\": 2\n  }\n}\n" },
	{ "x: &x {k: v, n: 2}\nm1: {n: 3, <<: *x}\n", JSON, 0, 0, 0,
	    "{\"x\":{\"k\":\"v\",\"n\":2},\"m1\":{\"n\":3,\"k\":\"v\"}}\n" },
	/* yq -o json -I4 */
	{ "{a: {}, b: [], c: [{d: null}]}", JSON, 4, 0, 0,
	    "{\n    \"a\": {},\n    \"b\": [],\n    \"c\": [\n        {\n"
	    "            \"d\": null\n        }\n    ]\n}\n" },
	{ "[]", JSON, 2, 0, 0, "[]\n" },
	{ "", JSON, 2, 0, 0, "null\n" },
	{ "x: &k key\nm: {*k : v}\n", JSON, 0, 0, 0,
	    "{\"x\":\"key\",\"m\":{\"key\":\"v\"}}\n" },
	{ "s", JSON, 2, 0, 0, "\"s\"\n" },
	{ "s", JSON, 2, 1, 0, "s\n" },
	/* yq -o props */
	{ "a: {b: [x, {c: \"m\\nn\"}], e: {}}\n\"k y\": \"v w\"\n"
	    "\"a\\\\t:\": \"\\f=\"\nemp: \"\"\n", PROPS, 2, 1, 0,
	    "a.b.0 = x\na.b.1.c = m\\nn\nk\\ y = v w\na\\\\t\\: = \\f=\n"
	    "emp = \n" },
	{ "7", PROPS, 2, 1, 0, "7\n" },
	{ "a: &a {b: 1}\nc: *a\n", PROPS, 2, 1, 0, "a.b = 1\nc.b = 1\n" },
	{ "[{}, []]", PROPS, 2, 1, 0, "" },
	/* yq -P */
	{ "a: [{x: 1, y: [1, [2, 3], {}], z: {}}, [], \"q\", [a, b]]\n"
	    "b: {c: {d: e}}\nm: \"line1\\nline2\\n\"\nt: !!binary aGk=\n",
	    YAML, 2, 1, 1,
	    "a:\n  - x: 1\n    \"y\":\n      - 1\n      - - 2\n        - 3\n"
	    "      - {}\n    z: {}\n  - []\n  - q\n  - - a\n    - b\n"
	    "b:\n  c:\n    d: e\nm: |\n  line1\n  line2\nt: !!binary aGk=\n" },
	/* (yq writes the key y plain: YAML 1.1 reads it as true) */
	{ "a: [{x: 1}, [p, q]]\nb: {c: {d: \"needs: quote\"}}\n", YAML, 4, 1,
	    1, "a:\n    - x: 1\n    - - p\n      - q\nb:\n    c:\n"
	    "        d: 'needs: quote'\n" },
	/* ymlset's: a collection as a key, explicit and in flow (yq: block) */
	{ "? [a, b]\n: {c: 1}\n", YAML, 2, 1, 1,
	    "? [\"a\",\"b\"]\n:\n  c: 1\n" },
	{ "\"a\\nb\"", YAML, 2, 1, 1, "a\nb\n" },
	{ "\"a\\nb\"", YAML, 2, 0, 1, "|-\n  a\n  b\n" },
	/* yq -r=false */
	{ "\"a b\"", YAML, 2, 0, 0, "\"a b\"\n" },
	{ "'a b'", YAML, 2, 0, 0, "'a b'\n" },
	/* the defaults: a collection as written (yq re-spaces it: [1, 2]) */
	{ "a: [1,  2]\n", YAML, 2, 1, 0, "a: [1,  2]\n" },
};

/* Values the expression makes. */
static const struct lc_ylit l_items[] = {
	{ LC_YL_NUM, "0x10", 4, NULL, 0 },
	{ LC_YL_STR, "yes", 3, NULL, 0 },
	{ LC_YL_NULL, "null", 4, NULL, 0 },
	{ LC_YL_BOOL, "false", 5, NULL, 0 },
	{ LC_YL_STR, "a\nb", 3, NULL, 0 },
};
static const struct lc_ylit l_kv[] = {
	{ LC_YL_STR, "k", 1, NULL, 0 },
	{ LC_YL_SEQ, NULL, 0, l_items, 5 },
	{ LC_YL_STR, "e", 1, NULL, 0 },
	{ LC_YL_MAP, NULL, 0, NULL, 0 },
};
static const struct lc_ylit l_map = { LC_YL_MAP, NULL, 0, l_kv, 4 };

static const struct {
	int format, indent;
	const char *want;
} lits[] = {
	/* yq -n -o json -I0 '{"k": [0x10, "yes", null, false, "a\nb"], "e": {}}' */
	{ JSON, 0, "{\"k\":[16,\"yes\",null,false,\"a\\nb\"],\"e\":{}}\n" },
	{ PROPS, 2, "k.0 = 0x10\nk.1 = yes\nk.2 = null\nk.3 = false\n"
	    "k.4 = a\\nb\n" },
	/* yq writes yes plain (YAML 1.2); Kubernetes reads YAML 1.1 */
	{ YAML, 2, "k:\n  - 0x10\n  - \"yes\"\n  - null\n  - false\n"
	    "  - |-\n    a\n    b\ne: {}\n" },
};

struct got {
	struct lc_yaml_fmt f;
	struct lc_buf out;
	int rc;
};

static int
on_doc(struct lc_ydoc *doc, void *arg)
{
	struct got *g = arg;

	if (doc->index == 0)
		g->rc = lc_yaml_out_node(&g->out, &g->f, doc, doc->root);
	return 0;
}

static int
render(const char *in, const struct lc_yaml_fmt *f, struct lc_buf *out)
{
	struct got g;
	int rc;

	memset(&g, 0, sizeof(g));
	g.f = *f;
	lc_buf_init(&g.out);
	rc = lc_yaml_edit_stream("t.yaml", in, strlen(in), on_doc, &g, NULL);
	lc_buf_addc(&g.out, '\0');
	*out = g.out;
	return rc != 0 ? rc : g.rc;
}

/* Errors: what JSON cannot hold, alias bombs, deep nesting, -0 and NUL. */
static void
test_errors(void)
{
	struct lc_yaml_fmt f = { JSON, 2, 0, 0, 0 };
	struct lc_buf b = LC_BUF_INIT, out;
	int i, rc;

	rc = render("a: .inf\n", &f, &out);
	ok(rc == LC_EDATA && strstr(lc_error_msg(), "'.inf' has no JSON "
	    "form") != NULL, "-o json: .inf is refused (%s)", lc_error_msg());
	lc_buf_release(&out);
	rc = render("[0x1ffffffffffffffff]", &f, &out);
	ok(rc == LC_EDATA && strstr(lc_error_msg(), "does not fit in 64 "
	    "bits") != NULL, "-o json: a hex integer past 64 bits is refused");
	lc_buf_release(&out);
	rc = render("a: !!int x\n", &f, &out);
	ok(rc == LC_EDATA, "-o json: !!int on a word is refused");
	lc_buf_release(&out);

	/* A billion laughs: 9 levels of 10 aliases, 10^9 nodes. */
	lc_buf_adds(&b, "a: &a [x,x,x,x,x,x,x,x,x,x]\n");
	for (i = 1; i < 9; i++)
		lc_buf_printf(&b, "%c: &%c [*%c,*%c,*%c,*%c,*%c,*%c,*%c,*%c,"
		    "*%c,*%c]\n", 'a' + i, 'a' + i, 'a' + i - 1, 'a' + i - 1,
		    'a' + i - 1, 'a' + i - 1, 'a' + i - 1, 'a' + i - 1,
		    'a' + i - 1, 'a' + i - 1, 'a' + i - 1, 'a' + i - 1);
	for (f.format = JSON; f.format <= PROPS; f.format++) {
		rc = render(b.data, &f, &out);
		ok(rc == LC_EDATA && strstr(lc_error_msg(), "aliases expand") !=
		    NULL, "format %d: a billion laughs is refused (%s)",
		    f.format, lc_error_msg());
		lc_buf_release(&out);
	}
	f.format = YAML;
	f.pretty = 1;
	rc = render(b.data, &f, &out);
	ok(rc == LC_EDATA, "-P: a billion laughs is refused");
	lc_buf_release(&out);

	/* 600 levels of flow nesting: refused, not a stack overflow. */
	b.len = 0;
	for (i = 0; i < 600; i++)
		lc_buf_addc(&b, '[');
	for (i = 0; i < 600; i++)
		lc_buf_addc(&b, ']');
	lc_buf_addc(&b, '\0');
	f.format = JSON;
	f.pretty = 0;
	rc = render(b.data, &f, &out);
	ok(rc != 0, "600 levels of nesting are refused (%d)", rc);
	lc_buf_release(&out);

	f.nul = 1;
	rc = render("\"a\\0b\"", &f, &out);
	ok(rc == 0 && strcmp(out.data, "\"a\\u0000b\"") == 0,
	    "-0 -o json: a NUL is escaped, the newline becomes NUL");
	lc_buf_release(&out);
	f.format = YAML;
	f.unwrap = 1;
	rc = render("\"a\\0b\"", &f, &out);
	ok(rc == LC_EDATA && strstr(lc_error_msg(), "NUL byte") != NULL,
	    "-0: an unwrapped scalar with a NUL is refused, as yq does");
	lc_buf_release(&out);
	lc_buf_release(&b);
}

int
main(void)
{
	struct lc_yaml_fmt f;
	struct lc_buf out;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&f, 0, sizeof(f));
		f.format = cases[i].format;
		f.indent = cases[i].indent;
		f.unwrap = cases[i].unwrap;
		f.pretty = cases[i].pretty;
		rc = render(cases[i].in, &f, &out);
		ok(rc == 0, "case %zu renders (%s)", i, rc ? lc_error_msg() :
		    "");
		is_str(out.data, cases[i].want, "case %zu", i);
		lc_buf_release(&out);
	}
	for (i = 0; i < sizeof(lits) / sizeof(lits[0]); i++) {
		memset(&f, 0, sizeof(f));
		f.format = lits[i].format;
		f.indent = lits[i].indent;
		f.unwrap = 1;
		lc_buf_init(&out);
		rc = lc_yaml_out_lit(&out, &f, &l_map);
		lc_buf_addc(&out, '\0');
		ok(rc == 0, "value %zu renders", i);
		is_str(out.data, lits[i].want, "value %zu", i);
		lc_buf_release(&out);
	}
	test_errors();
	return done_testing();
}
