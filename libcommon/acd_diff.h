/* acd_diff.h: what a sync would change, from an app's managed resources. */
#ifndef LC_ACD_DIFF_H
#define LC_ACD_DIFF_H

#include <stddef.h>

#include <jv.h>

#include "acd.h"
#include "buf.h"

/*
 * Append v as YAML to out: block style, mapping keys sorted (as kubectl
 * and argocd print manifests), sequences in a mapping not indented,
 * strings plain when YAML reads them back as the same string, else
 * double-quoted, and multi-line ones as literal blocks (|, |- or |+).
 * Returns 0, or LC_EDATA (message set) past 512 levels of nesting.
 */
int lc_acd_diff_yaml(struct lc_buf *out, jv v);

/* One resource a sync would change. */
struct lc_acd_change {
	jv item;		/* the ResourceDiff it came from */
	const char *group, *kind, *ns, *name;	/* live as long as item */
	jv live, target;	/* the manifests compared (null: none) */
	const char *action;	/* "create", "delete" or "update" */
	char *diff;		/* the unified diff, "--- ..." on */
	size_t lines;		/* lines deleted plus inserted */
};

/*
 * The resources of items (lc_acd_managed's answer; not consumed) a sync
 * would change, sorted by group, kind, namespace and name, as argocd app
 * diff compares them: the normalized live state (the app's
 * ignoreDifferences already applied by the server) against the
 * predicted live state (the target merged into the live one), or the
 * target state when nothing is live; hooks are left out. Each diff is
 * of the two rendered as YAML (lc_acd_diff_yaml) with 3 lines of context,
 * headed "--- live/PATH" and "+++ target/PATH" (/dev/null for a side
 * that is absent), PATH being app/group/kind/namespace/name without the
 * empty parts. *out (free with lc_acd_diff_changes_free) gets *n entries.
 * Returns 0, or LC_ERROR (message set) for a state that is not JSON.
 */
int lc_acd_diff(jv items, const char *app, struct lc_acd_change **out,
    size_t *n);
void lc_acd_diff_changes_free(struct lc_acd_change *c, size_t n);
/*
 * Append c as one line of JSON (app, group, kind, namespace, name,
 * action, live, target, diff; no newline) to out.
 */
/*
 * What a sync of the app would change (lc_acd_diff of lc_acd_managed),
 * after a refresh (NULL, "normal" or "hard", as for lc_acd_get): *out
 * (free with lc_acd_diff_changes_free) gets *n entries. Errors as for
 * lc_acd_get and lc_acd_diff.
 */
int lc_acd_diff_app(struct lc_acd *acd, const struct lc_acd_app *a,
    const char *refresh, long long deadline, struct lc_acd_change **out,
    size_t *n);
void lc_acd_diff_change_json(struct lc_buf *out, const char *app,
    const struct lc_acd_change *c);

#endif
