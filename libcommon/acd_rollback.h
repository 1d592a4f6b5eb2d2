/* acd_rollback.h: roll an Argo CD application back to a history entry. */
#ifndef LC_ACD_ROLLBACK_H
#define LC_ACD_ROLLBACK_H

#include "acd.h"
#include "acd_wait.h"

/* What a rollback asks for (acd-rollback's options). */
struct lc_acd_rollback {
	long id;		/* history id; <0: the one before the newest */
	int dry_run, prune;
	enum lc_acd_busy busy;	/* when another operation runs */
	char *rev;		/* set: the revision it deploys (owned) */
};

/*
 * Roll target t back: GET it (refused while auto-sync is on, which would
 * undo it), pick the history entry, wait for or end another operation by
 * r->busy (lc_acd_wait_when_idle), then POST the rollback. t becomes a
 * rollback's target (t->rollback_id and t->rollback_rev, which r->rev
 * holds; t->op_rev to wait for it). A failure of the app's own (missing,
 * auto-sync, no such entry, the POST refused) finishes t with it (rc and
 * why) and is returned; lc_acd_wait_when_idle()'s error is returned as it is.
 * Returns 0 when the rollback started, or t is done (busy: fail).
 * Release r with lc_acd_rollback_release() after t.
 */
int lc_acd_rollback_start(struct lc_acd *acd, struct lc_acd_rollback *r,
    struct lc_acd_target *t, long long deadline);
void lc_acd_rollback_release(struct lc_acd_rollback *r);

#endif
