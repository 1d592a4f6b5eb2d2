/* yaml_func_test.c: yq's value functions against yq v4.53.6's own answers. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "tap.h"
#include "yaml_edit.h"
#include "yaml_func.h"

/*
 * The expected values were recorded by running yq-go v4.53.6 on each case
 * (`yq -n -o json -I0 'INPUT | FN(ARGS)'`; a number at the top as yq's
 * YAML prints it, since JSON loses 0x11 and 1001 vs 1001.0). "ERR " is an
 * error: yq's message without yq's path, except where a comment says
 * why ours differs. Results of a stream are joined by a space; none is "".
 */

/* An arena: everything a case allocates, freed after it. */
struct arena {
	void **p;
	size_t n, cap;
};

static void *
arena_alloc(void *arg, size_t n)
{
	struct arena *a = arg;

	if (a->n == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 64;
		a->p = realloc(a->p, a->cap * sizeof(*a->p));
	}
	return a->p[a->n++] = malloc(n);
}

static void
arena_free(struct arena *a)
{
	while (a->n)
		free(a->p[--a->n]);
}

static struct arena A;
static struct lc_yfn_mem M = { arena_alloc, &A };

/* Values from JSON-like text: "..." strings, bare words (true, false,
 * null, numbers as written: 0x10, 1e3, 1.50), [...] and {...}. */
static const char *
parse(const char *s, struct lc_ylit *v)
{
	struct lc_ylit kids[64];
	size_t n = 0;
	char close;

	while (*s == ' ')
		s++;
	memset(v, 0, sizeof(*v));
	if (*s == '[' || *s == '{') {
		close = *s == '[' ? ']' : '}';
		v->kind = *s == '[' ? LC_YL_SEQ : LC_YL_MAP;
		v->s = "";
		s++;
		while (*s == ' ')
			s++;
		while (*s != close) {
			s = parse(s, &kids[n++]);
			while (*s == ' ' || *s == ',' || *s == ':')
				s++;
		}
		v->kids = arena_alloc(&A, (n + 1) * sizeof(*kids));
		memcpy((void *)v->kids, kids, n * sizeof(*kids));
		v->nkids = n;
		return s + 1;
	}
	if (*s == '"') {
		char *p = arena_alloc(&A, strlen(s)), *q = p;

		for (s++; *s != '"'; s++) {
			if (*s == '\\') {
				s++;
				*q++ = *s == 'n' ? '\n' : *s == 't' ? '\t' :
				    *s == 'v' ? '\v' : *s;
			} else
				*q++ = *s;
		}
		v->kind = LC_YL_STR;
		v->s = p;
		v->n = q - p;
		return s + 1;
	}
	v->s = s;
	while (*s && !strchr(" ,:]}", *s))
		s++;
	v->n = s - v->s;
	v->kind = v->n == 4 && !memcmp(v->s, "null", 4) ? LC_YL_NULL :
	    (v->n == 4 && !memcmp(v->s, "true", 4)) ||
	    (v->n == 5 && !memcmp(v->s, "false", 5)) ? LC_YL_BOOL : LC_YL_NUM;
	return s;
}

static void
print(struct lc_buf *b, const struct lc_ylit *v)
{
	size_t i;

	switch (v->kind) {
	case LC_YL_STR:
		lc_buf_addc(b, '"');
		for (i = 0; i < v->n; i++) {
			if (v->s[i] == '\n')
				lc_buf_adds(b, "\\n");
			else if (v->s[i] == '"' || v->s[i] == '\\')
				lc_buf_printf(b, "\\%c", v->s[i]);
			else
				lc_buf_addc(b, v->s[i]);
		}
		lc_buf_addc(b, '"');
		break;
	case LC_YL_SEQ:
	case LC_YL_MAP:
		lc_buf_addc(b, v->kind == LC_YL_SEQ ? '[' : '{');
		for (i = 0; i < v->nkids; i++) {
			if (i)
				lc_buf_addc(b, v->kind == LC_YL_MAP && i % 2 ?
				    ':' : ',');
			if (v->kind == LC_YL_MAP && i % 2 == 0 &&
			    v->kids[i].kind != LC_YL_STR) {
				lc_buf_addc(b, '"');
				lc_buf_add(b, v->kids[i].s, v->kids[i].n);
				lc_buf_addc(b, '"');
			} else
				print(b, &v->kids[i]);
		}
		lc_buf_addc(b, v->kind == LC_YL_SEQ ? ']' : '}');
		break;
	default:
		lc_buf_add(b, v->s, v->n);
	}
}

/* Results and errors as the table writes them. */
static void
show(struct lc_buf *b, int rc, const struct lc_ylit *out, size_t nout)
{
	size_t i;

	b->len = 0;
	lc_buf_adds(b, "");
	if (rc != 0) {
		lc_buf_printf(b, "ERR %s", lc_error_msg());
		return;
	}
	for (i = 0; i < nout; i++) {
		if (i)
			lc_buf_addc(b, ' ');
		print(b, &out[i]);
	}
}

static const struct {
	const char *fn, *in, *args, *want;
} fns[] = {
	{ "upcase", "\"aBc é\"", "[]",
	    "\"ABC É\"" },
	{ "upcase", "\"ǆ ß ı\"", "[]",
	    "\"Ǆ ß I\"" },
	{ "downcase", "\"aBc ÉΣ\"", "[]",
	    "\"abc éσ\"" },
	{ "upcase", "1", "[]",
	    "ERR cannot change case with !!int, can only operate on strings." },
	{ "trim", "\"  a b \\t\\n\"", "[]",
	    "\"a b\"" },
	{ "trim", "\"\"", "[]",
	    "\"\"" },
	{ "trim", "1", "[]",
	    "ERR cannot trim !!int, can only operate on strings." },
	{ "to_string", "1", "[]",
	    "\"1\"" },
	{ "to_string", "[1]", "[]",
	    "\"- 1\"" },
	{ "to_string", "{\"a\":1,\"b\":[1,2]}", "[]",
	    "\"a: 1\\nb:\\n  - 1\\n  - 2\"" },
	{ "to_string", "null", "[]",
	    "\"null\"" },
	{ "to_string", "true", "[]",
	    "\"true\"" },
	{ "tostring", "\"x\"", "[]",
	    "\"x\"" },
	{ "to_number", "\"0x10\"", "[]",
	    "0x10" },
	{ "to_number", "\" 12 \"", "[]",
	    "ERR cannot convert node value [ 12 ] of tag !!str to number" },
	{ "to_number", "\"1e3\"", "[]",
	    "1e3" },
	{ "to_number", "\"abc\"", "[]",
	    "ERR cannot convert node value [abc] of tag !!str to number" },
	{ "to_number", "\"1.50\"", "[]",
	    "1.50" },
	{ "to_number", "\"010\"", "[]",
	    "010" },
	{ "to_number", "\"+5\"", "[]",
	    "+5" },
	{ "to_number", "\"1_000\"", "[]",
	    "1_000" },
	{ "to_number", "\".5\"", "[]",
	    ".5" },
	{ "to_number", "\"inf\"", "[]",
	    "inf" },
	{ "to_number", "\"NaN\"", "[]",
	    "NaN" },
	{ "to_number", "\".inf\"", "[]",
	    "ERR cannot convert node value [.inf] of tag !!str to number" },
	{ "to_number", "\"0b11\"", "[]",
	    "ERR cannot convert node value [0b11] of tag !!str to number" },
	{ "to_number", "\"1e400\"", "[]",
	    "ERR cannot convert node value [1e400] of tag !!str to number" },
	{ "to_number", "\"99999999999999999999\"", "[]",
	    "99999999999999999999" },
	{ "to_number", "\"-0x10\"", "[]",
	    "-0x10" },
	{ "to_number", "true", "[]",
	    "ERR cannot convert node value [true] of tag !!bool to number" },
	{ "to_number", "12", "[]",
	    "12" },
	{ "to_number", "\"\"", "[]",
	    "ERR cannot convert node value [] of tag !!str to number" },
	{ "split", "\"a,b,,c\"", "[\",\"]",
	    "[\"a\",\"b\",\"\",\"c\"]" },
	{ "split", "\"abc\"", "[\"\"]",
	    "[\"a\",\"b\",\"c\"]" },
	{ "split", "\"é1\"", "[\"\"]",
	    "[\"é\",\"1\"]" },
	{ "split", "\"\"", "[\",\"]",
	    "[]" },
	{ "split", "\"a,b\"", "[1]",
	    "[\"a,b\"]" },
	{ "split", "\"a::b::\"", "[\"::\"]",
	    "[\"a\",\"b\",\"\"]" },
	{ "split", "1", "[\",\"]",
	    "ERR cannot split !!int, can only split strings" },
	{ "split", "\"abc\"", "[\"abc\"]",
	    "[\"\",\"\"]" },
	{ "join", "[\"a\",1,null,true]", "[\",\"]",
	    "\"a,1,,true\"" },
	{ "join", "[[1],\"x\"]", "[\",\"]",
	    "\",x\"" },
	{ "join", "\"a\"", "[\",\"]",
	    "ERR cannot join with !!str, can only join arrays of scalars" },
	{ "join", "[\"a\",\"b\"]", "[1]",
	    "\"a1b\"" },
	{ "join", "[]", "[\",\"]",
	    "\"\"" },
	{ "test", "\"foo bar\"", "[\"o+\"]",
	    "true" },
	{ "test", "\"foo\"", "[\"(?i)O\"]",
	    "true" },
	{ "test", "\"foo\"", "[\"O\", \"i\"]",
	    "ERR 'i' is not a valid option for match. To ignore case, use an "
	    "expression like match(\"(?i)cat\")" },
	{ "test", "1", "[\"1\"]",
	    "ERR cannot match with !!int, can only match strings. Hint: Most "
	    "often you'll want to use '|=' over '=' for this operation" },
	{ "test", "\"foo\"", "[\"a(\"]",
	    "ERR error parsing regexp: missing closing parenthesis: `a(`" },
	{ "test", "\"foo\"", "[\"(?=o)\"]",
	    "ERR error parsing regexp: invalid or unsupported Perl syntax: `("
	    "?=`" },
	{ "test", "\"a\\nb\"", "[\"a$\"]",
	    "false" },
	{ "test", "\"a\\n\"", "[\"a$\"]",
	    "false" },
	{ "test", "\"a\\nb\"", "[\"(?m)a$\"]",
	    "true" },
	{ "test", "\"x1\"", "[\"\\\\d\"]",
	    "true" },
	{ "test", "\"a b\"", "[\"a\\\\sb\"]",
	    "true" },
	{ "test", "\"ab\"", "[\"a**\"]",
	    "ERR error parsing regexp: invalid nested repetition operator: `*"
	    "*`" },
	{ "test", "\"a\"", "[\"(?P<n>a)\"]",
	    "true" },
	{ "test", "\"A\"", "[\"(?i:a)\"]",
	    "true" },
	{ "test", "\"a\"", "[\"(?x)a\"]",
	    "ERR error parsing regexp: invalid or unsupported Perl syntax: `("
	    "?x`" },
	{ "test", "\"a\"", "[\"a{1001}\"]",
	    "ERR error parsing regexp: invalid repeat count: `{1001}`" },
	{ "test", "\"a\\nb\"", "[\"a.b\"]",
	    "false" },
	{ "test", "\"a\\nb\"", "[\"(?s)a.b\"]",
	    "true" },
	{ "test", "\"é\"", "[\"^.$\"]",
	    "true" },
	{ "match", "\"foo bar foo\"", "[\"fo(o)\"]",
	    "{\"string\":\"foo\",\"offset\":0,\"length\":3,\"captures\":[{\"s"
	    "tring\":\"o\",\"offset\":2,\"length\":1}]}" },
	{ "match", "\"foo bar foo\"", "[\"(?P<x>fo)o\", \"g\"]",
	    "{\"string\":\"foo\",\"offset\":0,\"length\":3,\"captures\":[{\"s"
	    "tring\":\"fo\",\"offset\":0,\"length\":2,\"name\":\"x\"}]} {\"st"
	    "ring\":\"foo\",\"offset\":8,\"length\":3,\"captures\":[{\"string"
	    "\":\"fo\",\"offset\":8,\"length\":2,\"name\":\"x\"}]}" },
	{ "match", "\"foo\"", "[\"(x)?f\"]",
	    "{\"string\":\"f\",\"offset\":0,\"length\":1,\"captures\":[{\"str"
	    "ing\":null,\"offset\":-1,\"length\":0}]}" },
	{ "match", "\"éa-x\"", "[\"(?P<n>é)|(x)\", \"g\"]",
	    "{\"string\":\"é\",\"offset\":0,\"length\":2,\"captures\":[{\"str"
	    "ing\":\"é\",\"offset\":0,\"length\":2,\"name\":\"n\"},{\"string"
	    "\":null,\"offset\":-1,\"length\":0}]} {\"string\":\"x\",\"offset"
	    "\":4,\"length\":1,\"captures\":[{\"string\":null,\"offset\":-1,"
	    "\"length\":0,\"name\":\"n\"},{\"string\":\"x\",\"offset\":4,\"le"
	    "ngth\":1}]}" },
	{ "match", "\"ab\"", "[\"\", \"g\"]",
	    "{\"string\":\"\",\"offset\":0,\"length\":0,\"captures\":[]} {\"s"
	    "tring\":\"\",\"offset\":1,\"length\":0,\"captures\":[]} {\"strin"
	    "g\":\"\",\"offset\":2,\"length\":0,\"captures\":[]}" },
	{ "match", "\"aaa\"", "[\"a*?\"]",
	    "{\"string\":\"\",\"offset\":0,\"length\":0,\"captures\":[]}" },
	{ "match", "\"abc\"", "[\"x\"]",
	    "" },
	{ "match", "\"abab\"", "[\"b*\", \"g\"]",
	    "{\"string\":\"\",\"offset\":0,\"length\":0,\"captures\":[]} {\"s"
	    "tring\":\"b\",\"offset\":1,\"length\":1,\"captures\":[]} {\"stri"
	    "ng\":\"b\",\"offset\":3,\"length\":1,\"captures\":[]}" },
	{ "capture", "\"xyzzy-14\"", "[\"(?P<a>[a-z]+)-(?P<n>[0-9]+)\"]",
	    "{\"a\":\"xyzzy\",\"n\":\"14\"}" },
	{ "capture", "\"abc\"", "[\"(?P<a>x)?(?P<b>a)\"]",
	    "{\"a\":null,\"b\":\"a\"}" },
	{ "capture", "\"a1b2\"", "[\"(?P<d>\\\\d)\", \"g\"]",
	    "{\"d\":\"1\"} {\"d\":\"2\"}" },
	{ "capture", "\"a\"", "[\"(a)\"]",
	    "{\"\":\"a\"}" },
	{ "sub", "\"abab\"", "[\"a\", \"x\"]",
	    "\"xbxb\"" },
	{ "sub", "\"abab\"", "[\"(?P<l>a)\", \"<${l}>\"]",
	    "\"<a>b<a>b\"" },
	{ "sub", "\"abab\"", "[\"(a)(b)\", \"$2$1\"]",
	    "\"baba\"" },
	{ "sub", "\"abc\"", "[\"(a)\", \"$$1\"]",
	    "\"$1bc\"" },
	{ "sub", "\"abab\"", "[\"b*\", \"-\"]",
	    "\"-a-a-\"" },
	{ "sub", "\"ab\"", "[\"(?P<x>a)\", \"[$x1][${x}1][$9][$]\"]",
	    "\"[][a1][][$]b\"" },
	{ "sub", "1", "[\"1\", \"2\"]",
	    "ERR cannot substitute with !!int, can only substitute strings. H"
	    "int: Most often you'll want to use '|=' over '=' for this operat"
	    "ion" },
	{ "sub", "\"héllo\"", "[\"l+\", \"L\"]",
	    "\"héLo\"" },
	{ "sub", "\"registry.old/app:1\"",
	    "[\"^registry.old/\", \"registry.new/\"]",
	    "\"registry.new/app:1\"" },
	{ "sub", "\"aaa\"", "[\"\", \"-\"]",
	    "\"-a-a-a-\"" },
	{ "length", "\"abc\"", "[]",
	    "3" },
	{ "length", "\"é\"", "[]",
	    "2" },
	{ "length", "[1,2]", "[]",
	    "2" },
	{ "length", "{\"a\":1}", "[]",
	    "1" },
	{ "length", "null", "[]",
	    "0" },
	{ "length", "1", "[]",
	    "1" },
	{ "length", "true", "[]",
	    "4" },
	{ "length", "12.50", "[]",
	    "5" },
	{ "keys", "{\"b\":1,\"a\":2}", "[]",
	    "[\"b\",\"a\"]" },
	{ "keys", "[5,6]", "[]",
	    "[0,1]" },
	{ "keys", "1", "[]",
	    "ERR cannot get keys of !!int, keys only works for maps and array"
	    "s" },
	{ "has", "{\"a\":1}", "[\"a\"]",
	    "true" },
	{ "has", "[1]", "[0]",
	    "true" },
	{ "has", "[1]", "[1]",
	    "false" },
	{ "has", "[1]", "[-1]",
	    "false" },
	{ "has", "\"a\"", "[\"a\"]",
	    "false" },
	{ "has", "{\"a\":null}", "[\"a\"]",
	    "true" },
	{ "has", "{\"a\":1}", "[1]",
	    "false" },
	{ "has", "[1]", "[\"0\"]",
	    "false" },
	{ "sort", "[3,1,null,\"b\",\"a\",true,false,{\"a\":1},[1],1.5,\"10\"]",
	    "[]",
	    "[null,false,true,{\"a\":1},[1],1,1.5,\"10\",3,\"a\",\"b\"]" },
	{ "sort", "[2,10,\"1\"]", "[]",
	    "[\"1\",2,10]" },
	{ "sort", "{\"a\":1}", "[]",
	    "{\"a\":1}" },
	{ "sort", "\"x\"", "[]",
	    "ERR node is not an array or map (it's a !!str)" },
	{ "sort", "[0x10,3,-1]", "[]",
	    "[-1,3,0x10]" },
	{ "sort", "[]", "[]",
	    "[]" },
	{ "unique", "[1,2,1,\"1\",{\"a\":1},{\"a\":1}]", "[]",
	    "[1,2,{\"a\":1}]" },
	{ "unique", "[{\"a\":1},{\"b\":2}]", "[]",
	    "[{\"a\":1},{\"b\":2}]" },
	{ "unique", "[[1],[2],[1]]", "[]",
	    "[[1],[2]]" },
	{ "unique", "[1,\"1\",1.0]", "[]",
	    "[1,1.0]" },
	{ "unique", "\"a\"", "[]",
	    "ERR only arrays are supported for unique" },
	{ "reverse", "[1,2,3]", "[]",
	    "[3,2,1]" },
	{ "reverse", "\"abc\"", "[]",
	    "ERR node is not an array (it's a !!str)" },
	{ "reverse", "[]", "[]",
	    "[]" },
	{ "flatten", "[1,[2,[3,[4]]]]", "[]",
	    "[1,2,3,4]" },
	{ "flatten", "[1,[2,[3,[4]]]]", "[1]",
	    "[1,2,[3,[4]]]" },
	{ "flatten", "[1,[2]]", "[0]",
	    "[1,[2]]" },
	{ "flatten", "\"abc\"", "[]",
	    "ERR only arrays are supported for flatten" },
	{ "flatten", "{\"a\":[1]}", "[]",
	    "ERR only arrays are supported for flatten" },
	{ "flatten", "[[],[[]]]", "[]",
	    "[]" },
	{ "to_entries", "{\"a\":1,\"b\":[2]}", "[]",
	    "[{\"key\":\"a\",\"value\":1},{\"key\":\"b\",\"value\":[2]}]" },
	{ "to_entries", "[5,6]", "[]",
	    "[{\"key\":0,\"value\":5},{\"key\":1,\"value\":6}]" },
	{ "to_entries", "1", "[]",
	    "ERR !!int has no keys" },
	{ "to_entries", "{}", "[]",
	    "[]" },
	{ "from_entries", "[{\"key\":\"a\",\"value\":1},{\"key\":\"b\",\"value\":{\"c\":2}}"
	    "]",
	    "[]",
	    "{\"a\":1,\"b\":{\"c\":2}}" },
	{ "from_entries", "[{\"k\":\"b\",\"v\":2}]", "[]",
	    "ERR expected to find one 'key' entry but found 0 in position 0" },
	{ "from_entries", "[{\"key\":\"a\"}]", "[]",
	    "ERR expected to find one 'value' entry but found 0 in position 0" },
	{ "from_entries", "[1]", "[]",
	    "ERR expected to find one 'key' entry but found 0 in position 0" },
	{ "from_entries", "{\"a\":1}", "[]",
	    "ERR from entries only runs against arrays" },
	{ "from_entries", "[{\"key\":1,\"value\":2}]", "[]",
	    "{\"1\":2}" },
	{ "contains", "{\"a\":{\"b\":\"xyz\",\"c\":[1,2]}}",
	    "[{\"a\":{\"b\":\"y\",\"c\":[2]}}]",
	    "true" },
	{ "contains", "\"foobar\"", "[\"bar\"]",
	    "true" },
	{ "contains", "[1,2]", "[[3]]",
	    "false" },
	{ "contains", "1", "[1]",
	    "true" },
	{ "contains", "1", "[\"1\"]",
	    "false" },
	{ "contains", "[{\"a\":1},{\"a\":[1]}]", "[[{\"a\":[]}]]",
	    "true" },
	{ "contains", "\"abc\"", "[\"\"]",
	    "true" },
	{ "contains", "{\"a\":1}", "[{\"a\":1,\"b\":2}]",
	    "false" },
	{ "contains", "[\"foobar\",\"baz\"]", "[[\"bar\"]]",
	    "true" },
	{ "contains", "null", "[null]",
	    "true" },
	{ "min", "[4,2,7]", "[]",
	    "2" },
	{ "max", "[4,2,7]", "[]",
	    "7" },
	{ "min", "[]", "[]",
	    "" },
	{ "min", "[\"b\",\"a\"]", "[]",
	    "\"a\"" },
	{ "min", "[\"a\",1]", "[]",
	    "ERR !!int not yet supported for comparison" },
	{ "min", "[{\"a\":1}]", "[]",
	    "{\"a\":1}" },
	{ "min", "[null,1]", "[]",
	    "null" },
	{ "min", "\"x\"", "[]",
	    "" },
	{ "max", "[1,1.5,0x10]", "[]",
	    "0x10" },
	{ "min", "[3,1,2]", "[]",
	    "1" },
	{ "max", "[[1],[2]]", "[]",
	    "ERR arrays not yet supported for comparison" },
	{ "min", "{\"a\":3,\"b\":1}", "[]",
	    "1" },
	/* not in yq 4.53.6: jq's meaning */
	{ "ascii_upcase", "\"aBc é\"", "[]",
	    "\"ABC é\"" },
	/* not in yq 4.53.6: jq's meaning */
	{ "ascii_downcase", "\"ABC É\"", "[]",
	    "\"abc É\"" },
	/* not in yq 4.53.6: jq's meaning */
	{ "ascii_upcase", "1", "[]",
	    "ERR cannot change case with !!int, can only operate on strings." },
	/* not in yq 4.53.6: jq's meaning */
	{ "ltrim", "\"  a  \"", "[]",
	    "\"a  \"" },
	/* not in yq 4.53.6: jq's meaning */
	{ "rtrim", "\"  a  \"", "[]",
	    "\"  a\"" },
	/* not in yq 4.53.6: jq's meaning */
	{ "rtrim", "\"x\302\240\"", "[]",
	    "\"x\"" },
	/* not in yq 4.53.6: jq's meaning */
	{ "trim", "\"\343\200\200x\302\240\302\205 \"", "[]",
	    "\"x\"" },
	/* not in yq 4.53.6: jq's meaning */
	{ "trim", "\"\342\200\213x\"", "[]",
	    "\"\342\200\213x\"" },
	/* not in yq 4.53.6: jq's meaning */
	{ "add", "[1,2,3]", "[]",
	    "6" },
	/* not in yq 4.53.6: jq's meaning */
	{ "add", "[1.5,1]", "[]",
	    "2.5" },
	/* not in yq 4.53.6: jq's meaning */
	{ "add", "[]", "[]",
	    "null" },
	/* not in yq 4.53.6: jq's meaning */
	{ "add", "[\"a\",\"b\"]", "[]",
	    "\"ab\"" },
	/* not in yq 4.53.6: jq's meaning */
	{ "add", "[[1],[2]]", "[]",
	    "[1,2]" },
	/* not in yq 4.53.6: jq's meaning */
	{ "add", "[{\"a\":1},{\"b\":2}]", "[]",
	    "{\"a\":1,\"b\":2}" },
	/* not in yq 4.53.6: jq's meaning */
	{ "add", "[1,null,2]", "[]",
	    "3" },
	/* not in yq 4.53.6: jq's meaning */
	{ "add", "1", "[]",
	    "ERR node is not an array (it's a !!int)" },
	/* not in yq 4.53.6: jq's meaning */
	{ "first", "[1,2]", "[]",
	    "1" },
	/* not in yq 4.53.6: jq's meaning */
	{ "first", "[]", "[]",
	    "" },
	/* not in yq 4.53.6: jq's meaning */
	{ "first", "1", "[]",
	    "ERR node is not an array (it's a !!int)" },
	{ "test", "\"a\\vb\"", "[\"a\\\\sb\"]",
	    "false" },
	{ "test", "\"a b\"", "[\"a[\\\\s]b\"]",
	    "true" },
	{ "test", "\"A\"", "[\"\\\\101\"]",
	    "true" },
	{ "test", "\"A\"", "[\"\\\\1\"]",
	    "ERR error parsing regexp: invalid escape sequence: `\\1`" },
	{ "test", "\"ab\"", "[\"(?<=a)b\"]",
	    "ERR error parsing regexp: invalid named capture: `(?<=a)b`" },
	{ "test", "\"ab\"", "[\"b\\\\Z\"]",
	    "ERR error parsing regexp: invalid escape sequence: `\\Z`" },
	{ "test", "\"aab\"", "[\"a++b\"]",
	    "ERR error parsing regexp: invalid nested repetition operator: `+"
	    "+`" },
	{ "test", "\"αβ\"", "[\"^\\\\pL\\\\p{Greek}$\"]",
	    "true" },
	{ "test", "\"x.*y\"", "[\"x\\\\Q.*\\\\Ey\"]",
	    "true" },
	{ "test", "\"x\"", "[\"(?<n>x)\"]",
	    "true" },
	{ "test", "\"x\"", "[\"\\\\8\"]",
	    "ERR error parsing regexp: invalid escape sequence: `\\8`" },
	{ "test", "\"aé\"", "[\"(?i)É\"]",
	    "true" },
	{ "test", "\"ab\\n\"", "[\"b$\"]",
	    "false" },
	{ "test", "\"x\"", "[\"\\\\x78\"]",
	    "true" },
	{ "test", "\"x\"", "[\"\\\\x{78}\"]",
	    "true" },
	{ "test", "\"é\"", "[\"^\\\\x{e9}$\"]",
	    "true" },
	{ "test", "\"a\"", "[\"[[:alpha:]]\"]",
	    "true" },
	{ "test", "\"a\"", "[\"(?U)a+\"]",
	    "true" },
	{ "test", "\"a\"", "[\"\\\\C\"]",
	    "ERR error parsing regexp: invalid escape sequence: `\\C`" },
	{ "test", "\"a\"", "[\"(?P=n)\"]",
	    "ERR error parsing regexp: invalid or unsupported Perl syntax: `("
	    "?P`" },
	{ "test", "\"a\"", "[\"(?#c)a\"]",
	    "ERR error parsing regexp: invalid or unsupported Perl syntax: `("
	    "?#`" },
	{ "test", "\"a]\"", "[\"[]a]+\"]",
	    "true" },
	{ "test", "\"_\"", "[\"\\\\w\"]",
	    "true" },
	{ "test", "\"é\"", "[\"\\\\w\"]",
	    "false" },
	{ "test", "\"a\"", "[\"(a)\\\\g1\"]",
	    "ERR error parsing regexp: invalid escape sequence: `\\g`" },
	{ "test", "\"a\"", "[\"a{2,1}\"]",
	    "ERR error parsing regexp: invalid repeat count: `{2,1}`" },
	{ "test", "\"a{\"", "[\"a{\"]",
	    "true" },
	{ "test", "\"a\"", "[\"(*ACCEPT)a\"]",
	    "ERR error parsing regexp: missing argument to repetition operato"
	    "r: `*`" },
};

static const struct {
	const char *op, *a, *b, *want;
} ops[] = {
	{ "+", "1", "1",
	    "2" },
	{ "+", "1.5", "1",
	    "2.5" },
	{ "+", "0x10", "1",
	    "0x11" },
	{ "+", "1e3", "1",
	    "1001" },
	{ "+", "9223372036854775807", "1",
	    "-9223372036854775808" },
	{ "+", "\"a\"", "\"b\"",
	    "\"ab\"" },
	{ "+", "\"a\"", "1",
	    "\"a1\"" },
	{ "+", "1", "\"a\"",
	    "\"1a\"" },
	{ "+", "null", "1",
	    "1" },
	{ "+", "1", "null",
	    "ERR !!int cannot be added to !!null" },
	{ "+", "[1]", "[2]",
	    "[1,2]" },
	{ "+", "[1]", "2",
	    "[1,2]" },
	{ "+", "{\"a\":1}", "{\"b\":2}",
	    "{\"a\":1,\"b\":2}" },
	{ "+", "{\"a\":1,\"b\":2}", "{\"a\":{\"c\":1}}",
	    "{\"a\":{\"c\":1},\"b\":2}" },
	{ "+", "true", "1",
	    "ERR !!bool cannot be added to !!int" },
	{ "+", "true", "\"a\"",
	    "\"truea\"" },
	{ "+", "\"a\"", "true",
	    "\"atrue\"" },
	{ "+", "true", "true",
	    "ERR !!bool cannot be added to !!bool" },
	{ "+", "\"a\"", "[1]",
	    "ERR !!seq () cannot be added to a !!str ()" },
	{ "+", "[1]", "{\"a\":1}",
	    "[1,{\"a\":1}]" },
	{ "+", "{}", "1",
	    "ERR !!int () cannot be added to a !!map ()" },
	{ "+", "1", "{}",
	    "ERR !!map () cannot be added to a !!int ()" },
	{ "+", "null", "null",
	    "null" },
	{ "+", "\"a\"", "null",
	    "\"a\"" },
	{ "+", "[1]", "null",
	    "[1]" },
	{ "+", "0.1", "0.2",
	    "0.30000000000000004" },
	{ "+", "1e300", "1",
	    "1e+300" },
	{ "+", "1e20", "1",
	    "1e+20" },
	{ "+", "1.0", "1",
	    "2" },
	{ "+", "2.50", "0",
	    "2.5" },
	{ "+", "1e-7", "0",
	    "1e-07" },
	{ "+", "0.000001", "0",
	    "1e-06" },
	{ "+", "0xab", "0",
	    "0xAB" },
	{ "+", "16", "0x1",
	    "17" },
	{ "-", "5", "2",
	    "3" },
	{ "-", "5.5", "2",
	    "3.5" },
	{ "-", "1", "1.5",
	    "-0.5" },
	{ "-", "[1,2,1,3]", "[1]",
	    "[2,3]" },
	{ "-", "[1]", "1",
	    "ERR !!int () cannot be subtracted from !!seq" },
	{ "-", "\"ab\"", "\"b\"",
	    "ERR strings cannot be subtracted" },
	{ "-", "{\"a\":1}", "{\"a\":1}",
	    "ERR maps not yet supported for subtraction" },
	{ "-", "null", "1",
	    "1" },
	{ "-", "1", "null",
	    "ERR !!int cannot be added to !!null" },
	{ "-", "null", "null",
	    "null" },
	{ "-", "[1,[2],{\"a\":1},{\"a\":1}]", "[{\"a\":1},[2]]",
	    "[1]" },
	{ "-", "2.5", "0.5",
	    "2" },
	{ "-", "1", "\"a\"",
	    "ERR !!int cannot be added to !!str" },
	{ "-", "\"a\"", "1",
	    "ERR strings cannot be subtracted" },
	{ "-", "true", "1",
	    "ERR !!bool cannot be added to !!int" },
	{ "-", "1", "[1]",
	    "ERR !!seq () cannot be subtracted from !!int" },
	{ "*", "2", "3",
	    "6" },
	{ "*", "2.5", "2",
	    "5" },
	{ "*", "\"ab\"", "3",
	    "\"ababab\"" },
	{ "*", "\"ab\"", "0",
	    "\"\"" },
	{ "*", "3", "\"ab\"",
	    "\"ababab\"" },
	{ "*", "\"ab\"", "-1",
	    "ERR cannot repeat string by a negative number (-1)" },
	{ "*", "\"ab\"", "1.5",
	    "ERR cannot multiply !!str with !!float" },
	{ "*", "\"x\"", "\"y\"",
	    "ERR cannot multiply !!str with !!str" },
	{ "*", "0x10", "2",
	    "0x20" },
	{ "*", "9223372036854775807", "2",
	    "-2" },
	{ "*", "1.5e300", "1e300",
	    "+Inf" },
	{ "*", "1.5", "3",
	    "4.5" },
	{ "*", "1", "1.0",
	    "1" },
	{ "*", "123456789.0", "10",
	    "1.23456789e+09" },
	{ "*", "{\"a\":[1]}", "{\"a\":[2]}",
	    "{\"a\":[2]}" },
	{ "*+", "{\"a\":[1]}", "{\"a\":[2]}",
	    "{\"a\":[1,2]}" },
	{ "*d", "{\"a\":[1,{\"x\":1}]}", "{\"a\":[5,{\"y\":2}]}",
	    "{\"a\":[5,{\"x\":1,\"y\":2}]}" },
	{ "*?", "{\"a\":1}", "{\"a\":2,\"b\":3}",
	    "{\"a\":2}" },
	{ "*n", "{\"a\":1}", "{\"a\":2,\"b\":3}",
	    "{\"a\":1,\"b\":3}" },
	{ "*", "{\"a\":{\"b\":1,\"c\":2}}", "{\"a\":{\"b\":5}}",
	    "{\"a\":{\"b\":5,\"c\":2}}" },
	{ "*", "{\"a\":1}", "5",
	    "ERR cannot multiply !!map with !!int" },
	{ "*", "5", "{\"a\":1}",
	    "ERR cannot multiply !!int with !!map" },
	{ "*", "true", "1",
	    "ERR cannot multiply !!bool with !!int" },
	{ "*", "[1,2]", "[3]",
	    "[3]" },
	{ "*+", "[1,2]", "[3]",
	    "[1,2,3]" },
	{ "*d", "[1,2]", "[3]",
	    "[3,2]" },
	{ "*d", "{\"a\":[1,2]}", "{\"a\":[3]}",
	    "{\"a\":[3,2]}" },
	{ "*", "{\"a\":null}", "{\"a\":1}",
	    "{\"a\":1}" },
	{ "*", "{\"a\":1}", "{\"a\":null}",
	    "{\"a\":null}" },
	{ "*", "{\"a\":{\"b\":1}}", "{\"a\":\"x\"}",
	    "{\"a\":\"x\"}" },
	{ "*", "{\"a\":\"x\"}", "{\"a\":{\"b\":1}}",
	    "{\"a\":{\"b\":1}}" },
	{ "*?", "{\"a\":[{\"b\":1}]}", "{\"a\":[{\"c\":1}]}",
	    "{\"a\":[{\"c\":1}]}" },
	{ "*n", "{\"a\":{\"b\":1}}", "{\"a\":{\"b\":2,\"c\":3}}",
	    "{\"a\":{\"b\":1,\"c\":3}}" },
	{ "*?n", "{\"a\":{\"b\":1}}", "{\"a\":{\"b\":2,\"c\":3}}",
	    "{\"a\":{\"b\":1}}" },
	{ "*+?", "{\"a\":[1]}", "{\"a\":[2],\"b\":[3]}",
	    "{\"a\":[1,2]}" },
	{ "*", "null", "{\"a\":1}",
	    "{\"a\":1}" },
	{ "*", "{\"a\":1}", "null",
	    "{\"a\":1}" },
	{ "*", "null", "[1]",
	    "[1]" },
	{ "*", "[1]", "null",
	    "[1]" },
	{ "*", "null", "null",
	    "null" },
	{ "*", "null", "2",
	    "ERR cannot multiply !!null with !!int" },
	{ "*", "2", "null",
	    "2" },
	{ "*", "\"a\"", "null",
	    "\"a\"" },
	{ "*", "null", "\"a\"",
	    "ERR cannot multiply !!null with !!str" },
	{ "*", "[1]", "{\"a\":1}",
	    "ERR cannot multiply !!seq with !!map" },
	{ "*", "\"ab\"", "0x2",
	    "\"abab\"" },
	{ "*+d", "{\"l\":[{\"n\":1}]}", "{\"l\":[{\"m\":2}]}",
	    "{\"l\":[{\"n\":1,\"m\":2},{\"m\":2}]}" },
	{ "*+d", "[1,2]", "[3]",
	    "[3,2,3]" },
	{ "*+d", "[[1,2]]", "[[3]]",
	    "[[3,2,3],[3]]" },
	{ "*+n", "{\"l\":[1]}", "{\"l\":[2],\"m\":[3]}",
	    "{\"l\":[1],\"m\":[3]}" },
	{ "*+n", "{\"l\":null}", "{\"l\":[2]}",
	    "{\"l\":[2]}" },
	{ "*n", "{\"x\":null}", "{\"x\":1}",
	    "{\"x\":1}" },
	{ "*n", "{\"x\":1}", "{\"x\":{\"p\":1}}",
	    "{\"x\":1}" },
	{ "*n", "{\"x\":[1]}", "{\"x\":{\"p\":1}}",
	    "ERR cannot index array with 'p'" },
	{ "*dn", "{\"x\":{\"p\":1}}", "{\"x\":[5]}",
	    "{\"x\":{\"p\":1,\"0\":5}}" },
	{ "*dn", "[{\"a\":1}]", "[{\"a\":2,\"b\":1},{\"z\":1}]",
	    "[{\"a\":1,\"b\":1},{\"z\":1}]" },
	{ "*?", "{\"x\":1}", "{\"x\":{\"p\":1}}",
	    "{\"x\":{}}" },
	{ "*d?", "[{\"a\":1}]", "[{\"a\":2,\"b\":1},{\"z\":1}]",
	    "[{\"a\":2},{}]" },
	{ "*+", "{\"a\":\"s\"}", "{\"a\":[1]}",
	    "ERR !!seq () cannot be added to a !!str ()" },
	{ "*+", "{\"a\":[1]}", "{\"a\":{\"x\":1}}",
	    "{\"a\":{\"x\":1}}" },
	{ "*d", "[{\"a\":1}]", "[[1]]",
	    "[[1]]" },
	{ "*", "{\"a\":{\"b\":1}}", "{\"a\":{}}",
	    "{\"a\":{\"b\":1}}" },
	{ "*", "{\"a\":1}", "{\"a\":{}}",
	    "{\"a\":{}}" },
	{ "<", "1", "1.5",
	    "true" },
	{ "<", "\"a\"", "\"b\"",
	    "true" },
	{ "<", "1", "\"2\"",
	    "ERR !!int not yet supported for comparison" },
	{ "<", "[1]", "[2]",
	    "ERR arrays not yet supported for comparison" },
	{ "<", "{\"a\":1}", "1",
	    "ERR maps not yet supported for comparison" },
	{ "<", "null", "1",
	    "false" },
	{ "<", "1", "null",
	    "false" },
	{ "<=", "null", "null",
	    "true" },
	{ "<", "null", "null",
	    "false" },
	{ "<", "true", "false",
	    "ERR !!bool not yet supported for comparison" },
	{ "<", "\"10\"", "\"9\"",
	    "true" },
	{ ">", "0x10", "15",
	    "true" },
	{ ">=", "2", "2",
	    "true" },
	{ "<=", "2", "1",
	    "false" },
	{ "<", "1", "[1]",
	    "ERR !!seq cannot be compared with !!int" },
	{ ">", "3", "2.5",
	    "true" },
	{ "==", "1", "1.0",
	    "false" },
	{ "==", "\"1\"", "1",
	    "true" },
	{ "==", "[1]", "[1]",
	    "false" },
	{ "==", "{\"a\":1}", "{\"a\":1}",
	    "false" },
	{ "==", "null", "null",
	    "true" },
	{ "==", "\"a\"", "\"a\"",
	    "true" },
	{ "==", "0x10", "16",
	    "false" },
	{ "==", "true", "\"true\"",
	    "true" },
	{ "==", "null", "\"null\"",
	    "false" },
};

static void
test_fns(void)
{
	struct lc_buf b = LC_BUF_INIT;
	struct lc_ylit in, args;
	const struct lc_ylit *out;
	size_t i, nout;
	int rc;

	for (i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
		parse(fns[i].in, &in);
		parse(fns[i].args, &args);
		lc_error_clear();
		rc = lc_yaml_func_call(fns[i].fn, strlen(fns[i].fn), &in,
		    args.kids, args.nkids, &M, &out, &nout);
		show(&b, rc, out, nout);
		is_str(b.data, fns[i].want, "%s | %s%s", fns[i].in, fns[i].fn,
		    fns[i].args);
		arena_free(&A);
	}
	lc_buf_release(&b);
}

static void
test_ops(void)
{
	struct lc_buf b = LC_BUF_INIT;
	struct lc_ylit x, y;
	const struct lc_ylit *out = NULL;
	struct lc_ylit bv;
	unsigned flags;
	size_t i;
	int rc, res;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		const char *op = ops[i].op;

		parse(ops[i].a, &x);
		parse(ops[i].b, &y);
		lc_error_clear();
		if (strcmp(op, "+") == 0)
			rc = lc_yaml_func_add(&M, &x, &y, &out);
		else if (strcmp(op, "-") == 0)
			rc = lc_yaml_func_sub(&M, &x, &y, &out);
		else if (op[0] == '*') {
			rc = lc_yaml_func_merge_flags(op + 1, strlen(op + 1),
			    &flags);
			if (rc == 0)
				rc = lc_yaml_func_mul(&M, &x, &y, flags, &out);
		} else if (strcmp(op, "==") == 0) {
			res = lc_yaml_func_equal(&x, &y);
			rc = 0;
		} else
			rc = lc_yaml_func_compare(&x, &y, op, &res);
		if (strcmp(op, "==") == 0 || op[0] == '<' || op[0] == '>') {
			bv = (struct lc_ylit){ LC_YL_BOOL, res ? "true" :
			    "false", res ? 4 : 5, NULL, 0 };
			out = &bv;
		}
		show(&b, rc, out, 1);
		is_str(b.data, ops[i].want, "%s %s %s", ops[i].a, op,
		    ops[i].b);
		arena_free(&A);
	}
	lc_buf_release(&b);
}

/* Join the size_t list a[0..n) as "0 1 2". */
static void
showidx(struct lc_buf *b, const size_t *a, size_t n)
{
	size_t i;

	b->len = 0;
	lc_buf_adds(b, "");
	for (i = 0; i < n; i++)
		lc_buf_printf(b, "%s%zu", i ? " " : "", a[i]);
}

/*
 * The cores of sort_by, unique_by and group_by, and sort_keys: yq's
 * answers for `[{"a":2,"i":0},{"a":1,"i":1},{"a":"2","i":2},{"i":3},
 * {"a":2,"i":4},{"a":[1],"i":5},{"a":{"x":1},"i":6},{"a":[1],"i":7}] |
 * sort_by(.a) | map(.i)` and the like: the keys are .a (null if none).
 */
static void
test_cores(void)
{
	struct lc_buf b = LC_BUF_INIT;
	struct lc_ylit keys, v;
	const struct lc_ylit *out;
	size_t idx[8], grp[8], n;
	int rc;

	parse("[2, 1, \"2\", null, 2, [1], {\"x\":1}, [1]]", &keys);
	rc = lc_yaml_func_sort_order(&M, keys.kids, keys.nkids, idx);
	showidx(&b, idx, keys.nkids);
	ok(rc == 0, "sort_order returns 0");
	is_str(b.data, "3 5 6 7 1 0 2 4", "sort_by order");
	rc = lc_yaml_func_unique_keep(&M, keys.kids, keys.nkids, idx, &n);
	showidx(&b, idx, n);
	ok(rc == 0, "unique_keep returns 0");
	is_str(b.data, "0 1 3 5 6", "unique_by keeps the first of each key");
	rc = lc_yaml_func_group(&M, keys.kids, keys.nkids, grp, &n);
	showidx(&b, grp, keys.nkids);
	ok(rc == 0 && n == 4, "group_by: 4 groups (got %zu)", n);
	is_str(b.data, "0 1 0 2 0 3 3 3",
	    "group_by: [[0,2,4],[1],[3],[5,6,7]] by first appearance");

	rc = lc_yaml_func_group(&M, keys.kids, 0, grp, &n);
	ok(rc == 0 && n == 0, "group_by of nothing: no group");

	parse("{\"b\":1,\"a\":{\"d\":1,\"c\":2},\"10\":0,\"9\":0}", &v);
	rc = lc_yaml_func_sort_keys(&M, &v, 0, &out);
	show(&b, rc, out, 1);
	is_str(b.data, "{\"10\":0,\"9\":0,\"a\":{\"d\":1,\"c\":2},\"b\":1}",
	    "sort_keys(.) sorts one level, keys as strings");
	parse("{\"b\":{\"y\":1,\"x\":2},\"a\":[{\"z\":1,\"c\":2}]}", &v);
	rc = lc_yaml_func_sort_keys(&M, &v, 1, &out);
	show(&b, rc, out, 1);
	is_str(b.data, "{\"a\":[{\"c\":2,\"z\":1}],\"b\":{\"x\":2,\"y\":1}}",
	    "sort_keys(..) sorts every map, inside sequences too");
	parse("1", &v);
	rc = lc_yaml_func_sort_keys(&M, &v, 1, &out);
	ok(rc == 0 && out == &v, "sort_keys of a scalar is the scalar");
	arena_free(&A);
	lc_buf_release(&b);
}

static void
test_known(void)
{
	unsigned flags;

	ok(lc_yaml_func_known("split", 5, 1) == 1, "split/1 is known");
	ok(lc_yaml_func_known("sub", 3, 3) == 1, "sub/3 is known");
	ok(lc_yaml_func_known("flatten", 7, 0) == 1, "flatten/0 is known");
	ok(lc_yaml_func_known("nosuch", 6, 0) == 0, "nosuch is not");
	ok(lc_yaml_func_known("sort_keys", 9, 1) == 0,
	    "sort_keys(f) is the evaluator's");
	ok(lc_yaml_func_known("split", 5, 0) == -1,
	    "split/0 has the wrong arity");
	is_str(lc_error_msg(), "split takes 1 argument, not 0",
	    "the arity message");
	ok(lc_yaml_func_known("match", 5, 3) == -1,
	    "match/3 has the wrong arity");
	is_str(lc_error_msg(), "match takes 1 or 2 arguments, not 3",
	    "the arity message for a range");
	ok(lc_yaml_func_merge_flags("+?", 2, &flags) == 0 &&
	    flags == (LC_YFN_MAPPEND | LC_YFN_MEXIST), "merge flags *+?");
	ok(lc_yaml_func_merge_flags("x", 1, &flags) == LC_EUSAGE,
	    "merge flag x is refused");
	is_str(lc_error_msg(), "unknown merge flag 'x' after '*' (known: + d "
	    "? n c)", "its message");
}

/* A sequence nested depth deep around "x", in the arena. */
static struct lc_ylit *
nest(int depth)
{
	struct lc_ylit *v = arena_alloc(&A, (depth + 1) * sizeof(*v));
	int i;

	v[depth] = (struct lc_ylit){ LC_YL_STR, "x", 1, NULL, 0 };
	for (i = depth - 1; i >= 0; i--)
		v[i] = (struct lc_ylit){ LC_YL_SEQ, "", 0, &v[i + 1], 1 };
	return v;
}

/* What hostile values and patterns get: a refusal, never a crash or hang. */
static void
test_hostile(void)
{
	struct lc_ylit *deep = nest(100000), *ok1 = nest(900), s, n, args[2];
	const struct lc_ylit *out;
	struct lc_buf b = LC_BUF_INIT;
	size_t nout, i, grp;
	char *pat;
	int rc;

	rc = lc_yaml_func_mul(&M, deep, deep, LC_YFN_MDEEP, &out);
	ok(rc == LC_ERROR, "a merge 100000 deep is refused");
	is_str(lc_error_msg(), "values nested deeper than 1000 levels cannot "
	    "be merged", "its message");
	rc = lc_yaml_func_sort_keys(&M, deep, 1, &out);
	ok(rc == LC_ERROR, "sort_keys(..) 100000 deep is refused");
	rc = lc_yaml_func_sub(&M, deep, deep, &out);
	ok(rc == LC_ERROR, "a subtraction 100000 deep is refused");
	is_str(lc_error_msg(), "a value nested deeper than 1000 levels is "
	    "refused", "its message");
	rc = lc_yaml_func_call("flatten", 7, deep, NULL, 0, &M, &out, &nout);
	ok(rc == LC_ERROR, "flatten 100000 deep is refused");
	rc = lc_yaml_func_call("unique", 6, deep, NULL, 0, &M, &out, &nout);
	ok(rc == LC_ERROR, "unique 100000 deep is refused");
	rc = lc_yaml_func_call("to_string", 9, deep, NULL, 0, &M, &out, &nout);
	ok(rc == LC_ERROR, "to_string 100000 deep is refused");
	rc = lc_yaml_func_call("contains", 8, deep, deep, 1, &M, &out, &nout);
	ok(rc == LC_ERROR, "contains 100000 deep is refused");
	rc = lc_yaml_func_group(&M, deep, 1, &grp, &nout);
	ok(rc == LC_ERROR, "group_by keys 100000 deep are refused");
	ok(!lc_yaml_func_deep_equal(deep, deep),
	    "deep_equal: unequal past 1000");
	rc = lc_yaml_func_call("flatten", 7, ok1, NULL, 0, &M, &out, &nout);
	show(&b, rc, out, nout);
	is_str(b.data, "[\"x\"]", "flatten 900 deep works");
	rc = lc_yaml_func_mul(&M, ok1, ok1, LC_YFN_MDEEP, &out);
	ok(rc == 0, "a merge 900 deep works");

	parse("\"ab\"", &s);
	parse("1000000000000", &n);
	rc = lc_yaml_func_mul(&M, &s, &n, 0, &out);
	ok(rc == LC_ERROR, "\"ab\" * 1e12 is refused before allocating");
	is_str(lc_error_msg(), "a string of 2 bytes repeated 1000000000000 "
	    "times is longer than the 67108864 bytes allowed", "its message");
	parse("9223372036854775807", &n);
	rc = lc_yaml_func_mul(&M, &s, &n, 0, &out);
	ok(rc == LC_ERROR, "\"ab\" * INT64_MAX does not overflow the size");

	/* Exponential backtracking: PCRE2's match limit stops it. */
	lc_buf_adds(&b, "");
	b.len = 0;
	for (i = 0; i < 40; i++)
		lc_buf_addc(&b, 'a');
	lc_buf_addc(&b, 'b');
	s = (struct lc_ylit){ LC_YL_STR, b.data, b.len, NULL, 0 };
	args[0] = (struct lc_ylit){ LC_YL_STR, "^(a|aa)+$", 9, NULL, 0 };
	rc = lc_yaml_func_call("test", 4, &s, args, 1, &M, &out, &nout);
	ok(rc == LC_ERROR, "a regex bomb is stopped (rc %d)", rc);
	is_str(lc_error_msg(), "regular expression `^(a|aa)+$` backtracks too "
	    "much on a string of 41 bytes: simplify it", "its message");
	args[0] = (struct lc_ylit){ LC_YL_STR, "^(a+)+$", 7, NULL, 0 };
	rc = lc_yaml_func_call("sub", 3, &s, args, 2, &M, &out, &nout);
	ok(rc == LC_EUSAGE || rc == LC_ERROR || rc == 0,
	    "sub with a nested quantifier ends (rc %d)", rc);

	/* A pattern longer than 64 KiB is refused before compiling. */
	b.len = 0;
	for (i = 0; i < 70000; i++)
		lc_buf_addc(&b, 'a');
	args[0] = (struct lc_ylit){ LC_YL_STR, b.data, b.len, NULL, 0 };
	s = (struct lc_ylit){ LC_YL_STR, "a", 1, NULL, 0 };
	rc = lc_yaml_func_call("test", 4, &s, args, 1, &M, &out, &nout);
	ok(rc == LC_EUSAGE, "a 70000-byte pattern is refused");
	is_str(lc_error_msg(), "a regular expression of 70000 bytes is longer "
	    "than the 65536 allowed", "its message");

	/* An empty collection may come with no kids array. */
	{
		struct lc_ylit empty = { LC_YL_SEQ, "", 0, NULL, 0 }, one;

		parse("[1]", &one);
		rc = lc_yaml_func_add(&M, &empty, &one, &out);
		show(&b, rc, out, 1);
		is_str(b.data, "[1]", "[] + [1] with no kids array");
		rc = lc_yaml_func_mul(&M, &empty, &one, LC_YFN_MDEEP, &out);
		show(&b, rc, out, 1);
		is_str(b.data, "[1]", "[] *d [1] with no kids array");
		empty.kind = LC_YL_MAP;
		parse("{\"a\": 1}", &one);
		rc = lc_yaml_func_add(&M, &empty, &one, &out);
		show(&b, rc, out, 1);
		is_str(b.data, "{\"a\":1}", "{} + {a: 1} with no kids array");
		rc = lc_yaml_func_mul(&M, &empty, &one, 0, &out);
		show(&b, rc, out, 1);
		is_str(b.data, "{\"a\":1}", "{} * {a: 1} with no kids array");
	}

	/* A scalar with no text at all reads as an empty one. */
	{
		struct lc_ylit nos = { LC_YL_STR, NULL, 0, NULL, 0 };

		rc = lc_yaml_func_call("trim", 4, &nos, NULL, 0, &M, &out,
		    &nout);
		show(&b, rc, out, nout);
		is_str(b.data, "\"\"", "trim of a string with no text");
		args[0] = nos;
		s = (struct lc_ylit){ LC_YL_STR, "ab", 2, NULL, 0 };
		rc = lc_yaml_func_call("split", 5, &s, args, 1, &M, &out,
		    &nout);
		show(&b, rc, out, nout);
		is_str(b.data, "[\"a\",\"b\"]", "split by no text");
	}

	/* Patterns are not NUL-terminated: nothing may read past them. */
	pat = arena_alloc(&A, 3);
	memcpy(pat, "[[:", 3);
	args[0] = (struct lc_ylit){ LC_YL_STR, pat, 3, NULL, 0 };
	rc = lc_yaml_func_call("test", 4, &s, args, 1, &M, &out, &nout);
	ok(rc == LC_EUSAGE, "an unterminated [[: is a syntax error");
	pat = arena_alloc(&A, 5);
	memcpy(pat, "a{2,0", 5);
	args[0] = (struct lc_ylit){ LC_YL_STR, pat, 5, NULL, 0 };
	s = (struct lc_ylit){ LC_YL_STR, "a{2,0", 5, NULL, 0 };
	rc = lc_yaml_func_call("test", 4, &s, args, 1, &M, &out, &nout);
	show(&b, rc, out, nout);
	is_str(b.data, "true", "an unterminated a{2,0 is a literal, as in Go");
	s = (struct lc_ylit){ LC_YL_STR, "a", 1, NULL, 0 };
	pat = arena_alloc(&A, 2);
	memcpy(pat, "\\", 2);
	pat[1] = '\0';
	args[0] = (struct lc_ylit){ LC_YL_STR, pat, 2, NULL, 0 };
	s = (struct lc_ylit){ LC_YL_STR, "a\0b", 3, NULL, 0 };
	rc = lc_yaml_func_call("test", 4, &s, args, 1, &M, &out, &nout);
	show(&b, rc, out, nout);
	is_str(b.data, "true", "a backslash and a NUL match a NUL, as in Go");

	/* Invalid UTF-8 in the subject: Go reads such bytes one by one. */
	s = (struct lc_ylit){ LC_YL_STR, "a\xff" "b", 3, NULL, 0 };
	args[0] = (struct lc_ylit){ LC_YL_STR, "b", 1, NULL, 0 };
	args[1] = (struct lc_ylit){ LC_YL_STR, "g", 1, NULL, 0 };
	rc = lc_yaml_func_call("match", 5, &s, args, 2, &M, &out, &nout);
	show(&b, rc, out, nout);
	is_str(b.data, "{\"string\":\"b\",\"offset\":2,\"length\":1,"
	    "\"captures\":[]}", "a match after an invalid byte");
	args[0] = (struct lc_ylit){ LC_YL_STR, "", 0, NULL, 0 };
	args[1] = (struct lc_ylit){ LC_YL_STR, "-", 1, NULL, 0 };
	rc = lc_yaml_func_call("sub", 3, &s, args, 2, &M, &out, &nout);
	show(&b, rc, out, nout);
	is_str(b.data, "\"-a-\xff-b-\"", "empty matches step over an "
	    "invalid byte");
	args[0] = (struct lc_ylit){ LC_YL_STR, "\xff", 1, NULL, 0 };
	rc = lc_yaml_func_call("test", 4, &s, args, 1, &M, &out, &nout);
	ok(rc == LC_EUSAGE, "a pattern of invalid UTF-8 is refused");

	/* A compiled pattern dropped from the cache leaves results intact. */
	s = (struct lc_ylit){ LC_YL_STR, "ab", 2, NULL, 0 };
	args[0] = (struct lc_ylit){ LC_YL_STR, "(?P<first>a)", 12, NULL, 0 };
	rc = lc_yaml_func_call("capture", 7, &s, args, 1, &M, &out, &nout);
	for (i = 0; i < 20; i++) {
		const struct lc_ylit *o2;
		size_t n2;
		char pat[8];

		snprintf(pat, sizeof(pat), "x%zu", i);
		args[0] = (struct lc_ylit){ LC_YL_STR, pat, strlen(pat), NULL,
		    0 };
		(void)lc_yaml_func_call("test", 4, &s, args, 1, &M, &o2, &n2);
	}
	show(&b, rc, out, nout);
	is_str(b.data, "{\"first\":\"a\"}", "capture names outlive the cache");
	arena_free(&A);
	lc_buf_release(&b);
}

int
main(void)
{
	test_fns();
	test_ops();
	test_cores();
	test_known();
	test_hostile();
	lc_yaml_func_cleanup();
	free(A.p);
	return done_testing();
}
