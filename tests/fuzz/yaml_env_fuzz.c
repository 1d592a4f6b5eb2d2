/* yaml_env_fuzz.c: libFuzzer target for envsubst (yaml_env.c). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "yaml_env.h"

/*
 * The first byte picks the flags (nu, ne, ff), the rest is the string.
 * Variables: A=a, E= (empty), D='${A}' (a value is never substituted
 * again) and L, 1000 bytes, so that a few $L pass the small limit.
 */
static char big[1000];

static const char *
get(void *arg, const char *name, size_t n, size_t *len)
{
	(void)arg;
	if (n == 1 && *name == 'A') {
		*len = 1;
		return "a";
	}
	if (n == 1 && *name == 'E') {
		*len = 0;
		return "";
	}
	if (n == 1 && *name == 'D') {
		*len = 4;
		return "${A}";
	}
	if (n == 1 && *name == 'L') {
		memset(big, 'l', sizeof(big));
		*len = sizeof(big);
		return big;
	}
	return NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lc_buf out = LC_BUF_INIT;
	unsigned flags;
	int rc;

	if (size == 0)
		return 0;
	flags = data[0] & (LC_YENV_NOUNSET | LC_YENV_NOEMPTY |
	    LC_YENV_FAILFAST);
	lc_buf_adds(&out, "");
	rc = lc_yaml_env_subst(&out, (const char *)data + 1, size - 1, flags,
	    4096, get, NULL);
	if (rc == 0 && out.len > 4096)
		abort();
	/* Text without '$' comes out as it went in. */
	if (rc == 0 && memchr(data + 1, '$', size - 1) == NULL &&
	    (out.len != size - 1 || memcmp(out.data, data + 1, out.len) != 0))
		abort();
	if (rc != 0 && lc_error_msg() == NULL)
		abort();
	lc_error_clear();
	lc_buf_release(&out);
	return 0;
}
