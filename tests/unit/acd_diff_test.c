/* acd_diff_test.c: manifests as YAML, and which resources a sync changes. */
#include <stdlib.h>

#include <jv.h>

#include "acd_diff.h"
#include "buf.h"
#include "error.h"
#include "tap.h"

static const char *const yaml[][2] = {
	{ "null", "null\n" },
	{ "\"x\"", "x\n" },
	{ "{}", "{}\n" },
	{ "[]", "[]\n" },
	{ "{\"b\":1,\"a\":{\"d\":[1,\"2\"],\"c\":{}}}",
	    "a:\n  c: {}\n  d:\n  - 1\n  - \"2\"\nb: 1\n" },
	{ "[{\"b\":1,\"a\":[[true,null]]},[]]",
	    "- a:\n  - - true\n    - null\n  b: 1\n- []\n" },
	{ "{\"s\":\"two\\nlines\\n\",\"t\":\"no\\nend\",\"u\":\"x\\n\\n\"}",
	    "s: |\n  two\n  lines\nt: |-\n  no\n  end\nu: |+\n  x\n\n" },
	{ "[\"a\\n\\nb\"]", "- |-\n  a\n\n  b\n" },
	{ "{\"yes\":\"on\",\"k: v\":\"#c\",\"n\":\"1.10\",\"e\":\"\"}",
	    "e: \"\"\n\"k: v\": \"#c\"\n\"n\": \"1.10\"\n\"yes\": \"on\"\n" },
	{ "{\"a\":\"--x=:1\",\"b\":\"v1.4.0\",\"c\":\" x\\ny\"}",
	    "a: --x=:1\nb: v1.4.0\nc: \" x\\ny\"\n" },
	/* Found by tests/fuzz/acd_yaml: what libyaml refuses or reads
	 * otherwise (a C1 control, a merge key, a tab starting a line of a
	 * block, a scalar alone). */
	{ "{\"<<\":{\"a\":\"\\u0099\\u2028\"},\"t\":\"a\\n\\tb\"}",
	    "\"<<\":\n  a: \"\\x99\\u2028\"\nt: \"a\\n\\tb\"\n" },
	{ "\"x\\ny\"", "|-\n  x\n  y\n" },
};

static jv
item(const char *group, const char *kind, const char *name,
    const char *live, const char *target, const char *pred, int hook)
{
	jv o = jv_object();

	o = jv_object_set(o, jv_string("group"), jv_string(group));
	o = jv_object_set(o, jv_string("kind"), jv_string(kind));
	o = jv_object_set(o, jv_string("namespace"), jv_string("ns"));
	o = jv_object_set(o, jv_string("name"), jv_string(name));
	if (live)
		o = jv_object_set(o, jv_string("normalizedLiveState"),
		    jv_string(live));
	if (target)
		o = jv_object_set(o, jv_string("targetState"),
		    jv_string(target));
	if (pred)
		o = jv_object_set(o, jv_string("predictedLiveState"),
		    jv_string(pred));
	if (hook)
		o = jv_object_set(o, jv_string("hook"), jv_true());
	return o;
}

int
main(void)
{
	struct lc_buf out = LC_BUF_INIT;
	struct lc_acd_change *c;
	size_t i, n;
	jv items, deep;
	int rc;

	for (i = 0; i < sizeof(yaml) / sizeof(yaml[0]); i++) {
		lc_buf_release(&out);
		lc_buf_adds(&out, "");
		rc = lc_acd_diff_yaml(&out, jv_parse(yaml[i][0]));
		ok(rc == 0, "yaml %zu: rc", i);
		is_str(out.data, yaml[i][1], "yaml of %s", yaml[i][0]);
	}
	/* A key past 1,000 bytes: YAML's explicit form. */
	lc_buf_release(&out);
	lc_buf_adds(&out, "");
	deep = jv_object_set(jv_object(), jv_string_fmt("%01100d", 0),
	    jv_number(1));
	ok(lc_acd_diff_yaml(&out, deep) == 0 &&
	    strncmp(out.data, "? \"000", 6) == 0 &&
	    strcmp(out.data + out.len - 6, "\"\n: 1\n") == 0,
	    "a 1,100-byte key: \"? key\" then \": value\"");
	deep = jv_null();
	for (i = 0; i < 600; i++)
		deep = jv_array_append(jv_array(), deep);
	lc_buf_release(&out);
	ok(lc_acd_diff_yaml(&out, deep) == LC_EDATA, "600 levels: refused");
	lc_error_clear();

	items = jv_array();
	/* Equal: not a change. */
	items = jv_array_append(items, item("", "ConfigMap", "same",
	    "{\"a\":1}", "{\"a\":1}", "{\"a\":1}", 0));
	/* A hook: left out. */
	items = jv_array_append(items, item("batch", "Job", "hook", "null",
	    "{\"a\":1}", NULL, 1));
	/* Predicted, not target: what the cluster keeps (s) stays. */
	items = jv_array_append(items, item("apps", "Deployment", "web",
	    "{\"a\":1,\"s\":2}", "{\"a\":2}", "{\"a\":2,\"s\":2}", 0));
	/* Only in git; only live. */
	items = jv_array_append(items, item("", "Service", "new", "null",
	    "{\"a\":1}", "null", 0));
	items = jv_array_append(items, item("", "ConfigMap", "old",
	    "{\"a\":1}", "null", "null", 0));
	rc = lc_acd_diff(items, "app", &c, &n);
	ok(rc == 0 && n == 3, "3 changes (rc %d, %zu)", rc, n);
	if (rc == 0 && n == 3) {
		is_str(c[0].diff, "--- live/app/ConfigMap/ns/old\n+++ /dev/null\n"
		    "@@ -1 +0,0 @@\n-a: 1\n", "only live: all minus");
		is_str(c[0].action, "delete", "only live: delete");
		is_str(c[1].diff, "--- /dev/null\n+++ target/app/Service/ns/new\n"
		    "@@ -0,0 +1 @@\n+a: 1\n", "only in git: all plus");
		is_str(c[1].action, "create", "only in git: create");
		is_str(c[2].diff, "--- live/app/apps/Deployment/ns/web\n"
		    "+++ target/app/apps/Deployment/ns/web\n"
		    "@@ -1,2 +1,2 @@\n-a: 1\n+a: 2\n s: 2\n",
		    "both: live against predicted");
		is_str(c[2].action, "update", "both: update");
	}
	lc_acd_diff_changes_free(c, n);
	jv_free(items);

	items = jv_array_append(jv_array(), item("", "ConfigMap", "bad",
	    "{", "{}", NULL, 0));
	rc = lc_acd_diff(items, "app", &c, &n);
	ok(rc == LC_ERROR && n == 0, "a state that is not JSON: LC_ERROR");
	lc_error_clear();
	lc_acd_diff_changes_free(c, n);
	jv_free(items);
	lc_buf_release(&out);
	return done_testing();
}
