/* jvutil.c: reading libjq values by dotted paths. */
#include <string.h>

#include "jvutil.h"

jv
lc_jvutil_get(jv v, const char *path)
{
	jv cur = jv_copy(v);
	const char *p = path;
	size_t n;

	while (*p) {
		n = strcspn(p, ".");
		if (jv_get_kind(cur) != JV_KIND_OBJECT) {
			jv_free(cur);
			return jv_null();
		}
		cur = jv_object_get(cur, jv_string_sized(p, (int)n));
		if (!jv_is_valid(cur)) {
			jv_free(cur);
			return jv_null();
		}
		p += n;
		if (*p == '.')
			p++;
	}
	return cur;
}

const char *
lc_jvutil_str(jv v, const char *path)
{
	jv s = lc_jvutil_get(v, path);
	const char *r = "";

	/* The string lives on in v, which holds a reference to it. */
	if (jv_get_kind(s) == JV_KIND_STRING)
		r = jv_string_value(s);
	jv_free(s);
	return r;
}
