/* acd_sync.h: start Argo CD syncs: the request, the resources, the retries. */
#ifndef LC_ACD_SYNC_H
#define LC_ACD_SYNC_H

#include <stddef.h>

#include <jv.h>

#include "acd.h"
#include "acd_wait.h"

/*
 * What a sync asks for (acd-sync's options). Strings are borrowed and
 * must outlive it; lc_acd_sync_release() frees what the adders grew.
 */
struct lc_acd_sync {
	const char *revision;
	const char *strategy;		/* NULL, "apply" or "hook" */
	int prune, dry_run, force, hard_refresh;
	int out_of_sync, server_side, replace;
	long retry_limit, retry_factor;
	int retry_set;
	const char *retry_duration, *retry_max;
	const char *resources[64];	/* GROUP:KIND:[NS/]NAME, "!" excludes */
	size_t nresources;
	const char *infos[16];		/* KEY=VALUE */
	size_t ninfos;
	const char **sync_opts;		/* --sync-option KEY=VALUE, grown */
	size_t nsync_opts;
	const char **labels;		/* --label KEY=VALUE, grown */
	size_t nlabels;
	char (*ids)[37];		/* the targets' operation tags */
};

/*
 * Add a --resource, --info, --sync-option or --label value to s. Each
 * returns 0, or LC_EUSAGE (message set, naming the option) for a value
 * that is malformed, a sync option value Argo CD would ignore, or one
 * too many.
 */
int lc_acd_sync_add_resource(struct lc_acd_sync *s, const char *spec);
int lc_acd_sync_add_info(struct lc_acd_sync *s, const char *kv);
int lc_acd_sync_add_option(struct lc_acd_sync *s, const char *kv);
int lc_acd_sync_add_label(struct lc_acd_sync *s, const char *kv);
/* Whether Argo CD knows the sync option KEY=VALUE's key. */
int lc_acd_sync_known(const char *kv);
void lc_acd_sync_release(struct lc_acd_sync *s);

/*
 * The body of a sync request for target t (its snapshot t->last), tagged
 * with op_id (an acd-op-id info): revision, prune, dry run, strategy,
 * the resources --resource and --label pick (--label reads the app's
 * managed resources through acd), the syncOptions (the app's own with
 * ours on top) and the retry strategy. *out gets it. Returns 0, or
 * LC_ENOTFOUND (message set) when no resource is picked, or an error of
 * lc_acd_managed.
 */
int lc_acd_sync_body(jv *out, struct lc_acd *acd, const struct lc_acd_sync *s,
    const struct lc_acd_target *t, long long deadline, const char *op_id);

/*
 * Snapshots for the targets that have none (or all, with hard_refresh: a
 * hard refresh). A target that is missing, refused or slow fails alone;
 * another error is returned and ends the command.
 */
int lc_acd_sync_refresh(struct lc_acd *acd, const struct lc_acd_sync *s,
    struct lc_acd_target *t, size_t n, long long deadline);
/*
 * Start a sync of every target not done yet: first lc_acd_wait_when_idle()
 * with busy, then a POST each (tagged: t[i].op_id), again while another
 * operation wins the race (up to 20 rounds, unless busy is FAIL). A
 * target whose request fails is finished with its error. Returns 0, or
 * lc_acd_wait_when_idle()'s error.
 */
int lc_acd_sync_start(struct lc_acd *acd, struct lc_acd_sync *s,
    struct lc_acd_target *t, size_t n, enum lc_acd_busy busy,
    long long deadline);

#endif
