/* acd_diff_app.c: what a sync of an app would change, from the server. */
#include <stddef.h>

#include <jv.h>

#include "acd.h"
#include "acd_diff.h"
#include "log.h"

int
lc_acd_diff_app(struct lc_acd *acd, const struct lc_acd_app *a,
    const char *refresh, long long deadline, struct lc_acd_change **out,
    size_t *n)
{
	jv items, ans;
	int rc;

	*out = NULL;
	*n = 0;
	if (refresh) {
		if ((rc = lc_acd_get(acd, a, refresh, deadline, &ans)) != 0)
			return rc;
		jv_free(ans);
	}
	if ((rc = lc_acd_managed(acd, a, deadline, &items)) != 0)
		return rc;
	rc = lc_acd_diff(items, a->name, out, n);
	lc_log_info("%s: %d resources, %zu would change", a->name,
	    jv_array_length(jv_copy(items)), *n);
	jv_free(items);
	return rc;
}
