/* yaml_expr_test.c: unit tests of the expression parser's errors and edits. */
#include <stdlib.h>

#include "buf.h"
#include "error.h"
#include "tap.h"
#include "yaml_expr.h"

static const struct {
	const char *expr;
	int edits;
} good[] = {
	{ ".", 0 }, { "..", 0 }, { ".a.b", 0 }, { ".a[\"x/y.z\"]", 0 },
	{ ".a[0]", 0 }, { ".a[-1]", 0 }, { ".a[]", 0 }, { ".[0]", 0 },
	{ ".a.[0]", 0 }, { "select(.a == \"b\" and .c != 1 or .d)", 0 },
	{ "select(.a | not)", 0 }, { "select(not(.a))", 0 },
	{ "select(documentIndex == 1)", 0 }, { "select(di == 0) | .a", 0 },
	{ ".a = 1", 1 }, { ".a |= 1", 1 }, { ".a += [1]", 1 },
	{ "del(.a)", 1 }, { ".a = 1 | .b = \"x\"", 1 },
	{ "(.images[] | select(.name == \"myapp\") | .newTag) = \"v1.2.3\"", 1 },
	{ ".images[] |= select(.name == \"myapp\").newTag = \"v1.2.3\"", 1 },
	{ ".a = strenv(X) | .b = env(Y) | .c = $v", 1 },
	{ ".a = {\"k\": [1, true, null, \"s\"], b: {}}", 1 },
	{ ".a-b.c_d = \"\\u00fc\\ud83d\\uded1\"", 1 },
	{ " .a\n|\t.b ", 0 },
};

/* yq's operators that the native parser takes. */
static const char *const native[] = {
	"1, 2 | . + 10", ".a // \"x\"", ".a - 1 - 1", ".a < 1 or .b >= \"x\"",
	".a as $x | .b = $x", "\"v\\(.a)-\\(.b + 1)\"", ".a[1:], .a[:-1], .a[:]",
	".a?", ".a[]?", "...", "has(\"a\")", "keys | length", "key, path, parent",
	"kind, tag, line, column", "with(.a; .b = 1)", ".a -= 1", "$ENV.HOME",
	"del(.a, .b)", "[.a[]]",
};

static const struct {
	const char *expr, *msg;
} bad[] = {
	{ "", "empty expression (use '.' for the whole document)" },
	{ ".a[0", "bad expression at column 5: expected ']'" },
	{ ".a[x]", "bad expression at column 4: expected a number, a string, "
	    "a slice or ']' after '['" },
	{ ".a = ", "bad expression at column 6: unexpected end of expression" },
	{ "foo(.a)", "bad expression at column 1: unknown function 'foo' "
	    "(ymlset(1) lists yq's operators it knows)" },
	{ "map(.a; .b)", "bad expression at column 1: wrong number of "
	    "arguments to 'map'" },
	{ "startswith(\"a\")", "bad expression at column 1: unknown function "
	    "'startswith' (ymlset(1) lists yq's operators it knows)" },
	{ ".a |= ", "bad expression at column 7: unexpected end of "
	    "expression" },
	{ ".a ]", "bad expression at column 4: unexpected ']'" },
	{ "select(.a", "bad expression at column 10: expected ')'" },
	{ ".a = \"x", "bad expression at column 6: unterminated string" },
	{ "{a 1}", "bad expression at column 4: expected ':' after the key" },
	{ "$", "bad expression at column 2: expected a variable name after "
	    "'$'" },
	/* The fuzzer found the message read after the node was freed. */
	{ ".a as $x .b", "bad expression at column 10: expected '|' after "
	    "'as $x'" },
	{ ".a as x | .", "bad expression at column 7: expected '$name' after "
	    "'as'" },
	{ "\"a\\(.b\"", "bad expression at column 7: expected ')'" },
};

/* first then 100,000 times op: refused with msg. */
static void
deep_chain(const char *op, const char *first, const char *msg)
{
	struct lc_buf b = LC_BUF_INIT;
	struct lc_yexpr *e;
	int i, rc;

	lc_buf_adds(&b, first);
	for (i = 0; i < 100000; i++)
		lc_buf_adds(&b, op);
	rc = lc_yaml_expr_parse_native(&e, b.data);
	ok(rc == LC_EUSAGE && e == NULL, "100000 '%s' are refused", op);
	is_str(lc_error_msg(), msg, "with the column");
	lc_buf_release(&b);
}

/* Deep expressions: the parser and evaluator recurse, so depth is bounded. */
static void
test_deep(void)
{
	struct lc_buf b = LC_BUF_INIT;
	struct lc_yexpr *e;
	int i, rc;

	for (i = 0; i < 100000; i++)
		lc_buf_addc(&b, '(');
	rc = lc_yaml_expr_parse_native(&e, b.data);
	ok(rc == LC_EUSAGE && e == NULL, "100000 '(' are refused");
	is_str(lc_error_msg(), "bad expression at column 129: brackets and "
	    "assignments nested more than 256 deep", "with the column");

	lc_buf_release(&b);
	for (i = 0; i < 201; i++)
		lc_buf_adds(&b, ".a");
	rc = lc_yaml_expr_parse_native(&e, b.data);
	ok(rc == LC_EUSAGE && e == NULL, "a path of 201 steps is refused");
	is_str(lc_error_msg(), "bad expression at column 401: nested more "
	    "than 200 steps deep; split the expression", "with the column");

	lc_buf_release(&b);
	for (i = 0; i < 200; i++)
		lc_buf_adds(&b, ".a");
	rc = lc_yaml_expr_parse_native(&e, b.data);
	ok(rc == 0, "a path of 200 steps is taken");
	lc_yaml_expr_free(e);

	lc_buf_release(&b);
	for (i = 0; i < 100000; i++)
		lc_buf_adds(&b, ".a = ");
	lc_buf_adds(&b, "1");
	rc = lc_yaml_expr_parse_native(&e, b.data);
	ok(rc == LC_EUSAGE && e == NULL, "100000 nested '=' are refused");
	is_str(lc_error_msg(), "bad expression at column 1276: brackets and "
	    "assignments nested more than 256 deep", "with the column");

	/* Operators that group to the right recurse as brackets do. */
	deep_chain(" + 1", "1", "bad expression at column 1021: brackets and "
	    "assignments nested more than 256 deep");
	deep_chain(" and true", "true", "bad expression at column 2296: "
	    "brackets and assignments nested more than 256 deep");
	deep_chain(" as $x | 1", "1", "bad expression at column 2551: "
	    "brackets and assignments nested more than 256 deep");
	lc_buf_release(&b);
}

int
main(void)
{
	struct lc_yexpr *e;
	size_t i;
	int rc;

	test_deep();

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		rc = lc_yaml_expr_parse(&e, good[i].expr, NULL, 0);
		ok(rc == 0 && lc_yaml_expr_edits(e) == good[i].edits,
		    "parse case %zu (edits: %d)", i, good[i].edits);
		if (rc != 0)
			printf("#   %s\n", lc_error_msg());
		lc_yaml_expr_free(e);
	}
	for (i = 0; i < sizeof(native) / sizeof(native[0]); i++) {
		rc = lc_yaml_expr_parse_native(&e, native[i]);
		ok(rc == 0, "native: %s", native[i]);
		if (rc != 0)
			printf("#   %s\n", lc_error_msg());
		lc_yaml_expr_free(e);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		rc = lc_yaml_expr_parse(&e, bad[i].expr, NULL, 0);
		ok(rc == LC_EUSAGE && e == NULL, "'%s' is refused", bad[i].expr);
		is_str(lc_error_msg(), bad[i].msg, "with the column");
	}
	return done_testing();
}
