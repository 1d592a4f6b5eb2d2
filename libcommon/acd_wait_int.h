/* acd_wait_int.h: what the acd_wait*.c files share; not for users of acd_wait.h. */
#ifndef LC_ACD_WAIT_INT_H
#define LC_ACD_WAIT_INT_H

#include <stdlib.h>
#include <string.h>

#include <jq.h>

#include "acd.h"
#include "acd_wait.h"
#include "buf.h"
#include "http.h"
#include "jvutil.h"

struct revs;

/* One wait: the targets, what is wanted, the watch, the progress shown. */
struct waiter {
	struct lc_acd *acd;
	struct lc_acd_target *t;
	size_t n;
	const struct lc_acd_want *w;
	jq_state *jq;
	struct lc_http_sse sse;		/* the watch's parser */
	int pending;
	int stream_err;			/* an in-band error: reconnect */
	int too_long;			/* ... a line past LC_HTTP_SSE_MAX */
	int stream_fatal;		/* ... that retrying cannot fix */
	int want_refresh;		/* a target asks for a refresh GET */
	int live;			/* draw a table (stderr is a terminal) */
	int drawn;			/* lines of it on the screen */
	int changed;
	long long deadline;		/* 0: none */
	long long beat_ms;		/* heartbeat interval; 0: none */
	long long next_beat;		/* ... when the next is due */
	long long shown_s;		/* the second the live table shows */
	struct revs *revs;		/* --revision's later commits */
};

static inline const char *
or_dash(const char *s)
{
	return *s ? s : "-";
}

static inline char *
xdup(const char *s)
{
	return lc_buf_xstrndup(s, strlen(s));
}

static inline int
has(jv v, const char *path)
{
	jv x = lc_jvutil_get(v, path);
	int r = jv_get_kind(x) != JV_KIND_NULL;

	jv_free(x);
	return r;
}

static inline int
is_true(jv v, const char *path)
{
	jv x = lc_jvutil_get(v, path);
	int r = jv_get_kind(x) == JV_KIND_TRUE;

	jv_free(x);
	return r;
}


static inline long long
rv_of(jv app)
{
	return strtoll(lc_jvutil_str(app, "metadata.resourceVersion"), NULL,
	    10);
}

static inline int
completed(const char *phase)
{
	return strcmp(phase, "Succeeded") == 0 || strcmp(phase, "Failed") ==
	    0 || strcmp(phase, "Error") == 0;
}

/*
 * Who started v's "operation" (an Application's, or an operationState's
 * copy of it): "auto-sync" or the user, borrowed from v.
 */
/*
 * Who started v's "operation" (an Application's, or an operationState's
 * copy of it): "auto-sync" or the user, borrowed from v.
 */
static inline const char *
initiator(jv v)
{
	if (is_true(v, "operation.initiatedBy.automated"))
		return "auto-sync";
	return or_dash(lc_jvutil_str(v, "operation.initiatedBy.username"));
}

/*
 * When the command began waiting (set on the first call): the
 * heartbeat's and the live table's clock. Kept once per process, because
 * a command may wait more than once (for another operation to end, then
 * for its own) under one deadline.
 */
long long lc_acd_wait_origin(void);
/* The --progress-interval of the command, or 0 (lc_acd_wait_set_progress). */
long long lc_acd_wait_progress_default(void);

/* acd_wait_judge.c: the done-rule. */
/* Judge a target on its newest snapshot; finish it when it is over. */
void lc_acd_wait_judge(struct waiter *wt, struct lc_acd_target *t,
    long long now);
/* Finish t (once) with rc and why (copied; NULL: none). */
void lc_acd_wait_finish(struct waiter *wt, struct lc_acd_target *t, int rc,
    const char *why);
/* Whether resource r is one the wait looks at (all, without --resource). */
int lc_acd_wait_selected(const struct lc_acd_want *w, jv r);

/* acd_wait_rev.c: --revision. */
/*
 * Whether the app is at the wanted revision (or a later commit, in the
 * GitOps repository); t->rev_why says why not.
 */
int lc_acd_wait_revision(struct waiter *wt, struct lc_acd_target *t, jv app);
void lc_acd_wait_revs_free(struct revs *r);

/* acd_wait_show.c: progress on stderr. */
/* "sync=S health=H operation=P" of t's snapshot, or "-", into out. */
void lc_acd_wait_state_line(const struct lc_acd_target *t, struct lc_buf *out);
/* A line per app still waited for, when the heartbeat is due. */
void lc_acd_wait_heartbeat(struct waiter *wt);
/* A line per change, or the live table on a terminal. */
void lc_acd_wait_progress(struct waiter *wt);

#endif
