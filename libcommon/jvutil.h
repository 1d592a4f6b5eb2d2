/* jvutil.h: reading libjq values by dotted paths. */
#ifndef LC_JVUTIL_H
#define LC_JVUTIL_H

#include <jv.h>

/* The value at a dotted path of v (a new reference, or jv_null()). */
jv lc_jvutil_get(jv v, const char *path);
/* A string at a dotted path of v ("" when absent); v is not consumed. */
const char *lc_jvutil_str(jv v, const char *path);

#endif
