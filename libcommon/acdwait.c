/* acdwait.c: wait for Argo CD applications: GET, one shared SSE watch, polls. */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <jq.h>

#include "argocd.h"
#include "ci.h"
#include "cli.h"
#include "clock.h"
#include "error.h"
#include "git.h"
#include "http.h"
#include "log.h"
#include "parse.h"
#include "random.h"

#define MAX_ROWS	20	/* the live table shows at most this many apps */

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

/*
 * When the command began waiting: the heartbeat's and the live table's
 * clock. Kept once per process, because a command may wait more than once
 * (for another operation to end, then for its own) under one deadline.
 */
static long long origin_ms;
/* --progress-interval, for the waits a command does not set up itself. */
static long long progress_opt;

static void
note_origin(void)
{
	if (origin_ms == 0)
		origin_ms = lc_clock_ms();
}

static const char *
or_dash(const char *s)
{
	return *s ? s : "-";
}

static char *
xdup(const char *s)
{
	return lc_buf_xstrndup(s, strlen(s));
}

static int
has(jv v, const char *path)
{
	jv x = lc_jvutil_get(v, path);
	int r = jv_get_kind(x) != JV_KIND_NULL;

	jv_free(x);
	return r;
}

static int
is_true(jv v, const char *path)
{
	jv x = lc_jvutil_get(v, path);
	int r = jv_get_kind(x) == JV_KIND_TRUE;

	jv_free(x);
	return r;
}

/* Whether the info list at path has {"name":"acd-op-id","value":id}. */
static int
has_info(jv v, const char *path, const char *id)
{
	jv l = lc_jvutil_get(v, path), e;
	int i, n, r = 0;

	if (jv_get_kind(l) == JV_KIND_ARRAY) {
		n = jv_array_length(jv_copy(l));
		for (i = 0; i < n && !r; i++) {
			e = jv_array_get(jv_copy(l), i);
			r = strcmp(lc_jvutil_str(e, "name"),
			    "acd-op-id") == 0 &&
			    strcmp(lc_jvutil_str(e, "value"), id) == 0;
			jv_free(e);
		}
	}
	jv_free(l);
	return r;
}

/* Whether the operation at path of v is ours (tag, or revision by hand). */
static int
ours(const struct lc_acd_target *t, jv v, const char *path)
{
	struct lc_buf p = LC_BUF_INIT;
	jv op = lc_jvutil_get(v, path);
	int r = 0;

	if (jv_get_kind(op) == JV_KIND_OBJECT) {
		if (t->op_id)
			r = has_info(op, "info", t->op_id);
		else
			r = strcmp(lc_jvutil_str(op, "sync.revision"),
			    t->op_rev) ==
			    0 && !is_true(op, "initiatedBy.automated");
	}
	jv_free(op);
	lc_buf_release(&p);
	return r;
}

static long long
rv_of(jv app)
{
	return strtoll(lc_jvutil_str(app, "metadata.resourceVersion"), NULL,
	    10);
}

static int
completed(const char *phase)
{
	return strcmp(phase, "Succeeded") == 0 || strcmp(phase, "Failed") ==
	    0 || strcmp(phase, "Error") == 0;
}

/*
 * --revision's "or a later commit": whether the app's revision descends
 * from the wanted commit, in the GitOps repository (--repo-dir, else the
 * one around the current directory when it has that commit). One
 * repository per wait, opened when first needed; one answer per revision,
 * so that a long wait walks the graph (and fetches) once per revision
 * the app shows, not once per event.
 */
struct revs {
	int opened;
	git_repository *repo;	/* NULL: exact or prefix matches only */
	char *dir;		/* the repository, for messages */
	char *none;		/* why there is no repository, or NULL */
	struct rev_answer {
		char *rev;
		int later;
		char *why;	/* when not later */
		long long retry_at;	/* a failed fetch: ask again then */
	} *v;
	size_t n, cap;
	int fetch_fails;	/* fetches that failed: warned once, backoff */
};

/* Whether s is a commit id or a prefix of one (hex, 4 to 40 digits). */
static int
is_hex_id(const char *s)
{
	size_t n = strspn(s, "0123456789abcdefABCDEF");

	return s[n] == '\0' && n >= 4 && n <= 40;
}

/* A long commit id cut to 7 digits for messages; anything else whole. */
static void
short_rev(struct lc_buf *out, const char *s)
{
	size_t n = strlen(s);

	lc_buf_add(out, s, is_hex_id(s) && n == 40 ? 7 : n);
	lc_buf_addc(out, '\0');
	out->len--;
}

static void
revs_free(struct revs *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++) {
		free(r->v[i].rev);
		free(r->v[i].why);
	}
	free(r->v);
	git_repository_free(r->repo);
	free(r->dir);
	free(r->none);
	free(r);
}

static char *
repo_dir_of(git_repository *repo)
{
	const char *d = git_repository_workdir(repo) ?
	    git_repository_workdir(repo) : git_repository_path(repo);
	size_t n = strlen(d);

	while (n > 1 && d[n - 1] == '/')
		n--;
	return lc_buf_xstrndup(d, n);
}

/* The repository, when first needed; r->none says why there is none. */
static void
revs_open(struct revs *r, const struct lc_acd_want *w)
{
	struct lc_buf m = LC_BUF_INIT;
	int later;

	r->opened = 1;
	lc_git_init();
	if (!is_hex_id(w->revision)) {
		/* A chart version, a digest: only exact or prefix matches. */
		return;
	}
	if (w->repo_dir) {
		/* Checked while parsing: a repository with full history. */
		if (git_repository_open_ext(&r->repo, w->repo_dir, 0,
		    NULL) != 0) {
			lc_buf_printf(&m, "--repo-dir '%s' cannot be opened",
			    w->repo_dir);
			r->none = lc_buf_detach(&m);
			return;
		}
		r->dir = repo_dir_of(r->repo);
		return;
	}
	if (git_repository_open_ext(&r->repo, ".", 0, NULL) != 0) {
		r->none = xdup("no git repository here to tell a later commit "
		    "by: give --repo-dir");
		return;
	}
	r->dir = repo_dir_of(r->repo);
	if (git_repository_is_shallow(r->repo) == 1)
		lc_buf_printf(&m, "%s is a shallow clone, where a later commit "
		    "cannot be told: fetch with full history (git fetch "
		    "--unshallow) or give --repo-dir", r->dir);
	else if (lc_git_later(r->repo, w->revision, w->revision, &later) != 0)
		lc_buf_printf(&m, "%s does not have %s: give --repo-dir",
		    r->dir, w->revision);
	if (m.len > 0) {
		/* Said now, not only at the deadline: only SHA itself counts. */
		lc_log_warn("--revision: %s; only %.12s itself counts",
		    m.data, w->revision);
		git_repository_free(r->repo);
		r->repo = NULL;
		r->none = lc_buf_detach(&m);
	}
	lc_error_clear();
	lc_buf_release(&m);
}

/*
 * Whether rev (the app's, from the source at url) is the wanted commit or
 * a later one; each revision is decided once, fetching once when the
 * repository does not know it.
 */
static int
rev_later(struct revs *r, const struct lc_acd_want *w, const char *rev,
    const char *url, const char **why)
{
	struct rev_answer *a;
	struct lc_buf m = LC_BUF_INIT, s = LC_BUF_INIT, b = LC_BUF_INIT;
	char *remote = NULL;
	long long retry_at = 0;
	size_t i;
	int rc, later = 0;

	for (i = 0; i < r->n; i++)
		if (strcmp(r->v[i].rev, rev) == 0) {
			if (r->v[i].retry_at == 0 ||
			    lc_clock_ms() < r->v[i].retry_at) {
				*why = r->v[i].why;
				return r->v[i].later;
			}
			/* The fetch failed a while ago: try it again. */
			free(r->v[i].rev);
			free(r->v[i].why);
			r->v[i] = r->v[--r->n];
			break;
		}
	short_rev(&s, rev);
	short_rev(&b, w->revision);
	if (r->repo == NULL || !is_hex_id(rev)) {
		lc_buf_printf(&m, "revision %s is not %s%s%s%s", s.data, b.data,
		    r->none && is_hex_id(rev) ? " (" : "", r->none &&
		    is_hex_id(rev) ? r->none : "", r->none && is_hex_id(rev) ?
		    ")" : "");
		goto out;
	}
	rc = lc_git_later(r->repo, rev, w->revision, &later);
	if (rc == LC_ENOTFOUND) {
		/* Newer than our clone, or on a branch we lack: fetch, once. */
		lc_buf_adds(&m, lc_error_msg());
		if ((rc = lc_git_fetch_for(r->repo, url, &remote)) == 0) {
			lc_log_info("%s: fetched %s", r->dir, remote);
			rc = lc_git_later(r->repo, rev, w->revision, &later);
		} else {
			/*
			 * Said at once, and once: the wait goes on, and the
			 * fetch is tried again after a backoff (the remote
			 * may be back), while the deadline allows.
			 */
			lc_buf_printf(&m, " in %s (fetching %s failed: %s)",
			    r->dir, remote ? remote : "", lc_error_msg());
			if (r->fetch_fails++ == 0)
				lc_log_warn("%s", m.data);
			else
				lc_log_info("%s", m.data);
			retry_at = lc_clock_ms() + lc_clock_backoff_ms(
			    r->fetch_fails - 1, 2000, 30000, 2);
			rc = 0;
			goto out;
		}
		if (rc == LC_ENOTFOUND) {
			m.len = 0;
			lc_buf_printf(&m, "%s in %s (fetched %s)",
			    lc_error_msg(), r->dir, remote);
		}
	}
	if (rc != 0 && m.len == 0)
		lc_buf_printf(&m, "revision %s: %s", s.data, lc_error_msg());
	else if (rc == 0 && m.len == 0 && !later)
		lc_buf_printf(&m, "revision %s is not %s or a later commit in %s",
		    s.data, b.data, r->dir);
	else if (rc == 0 && later)
		lc_log_info("revision %s is a later commit than %s in %s",
		    s.data, b.data, r->dir);
	if (m.len > 0)
		lc_log_info("%s", m.data);
out:
	lc_error_clear();
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 4;
		r->v = lc_buf_xrealloc(r->v, r->cap * sizeof(*r->v));
	}
	a = &r->v[r->n++];
	a->rev = xdup(rev);
	a->later = later;
	a->why = m.len > 0 ? lc_buf_detach(&m) : NULL;
	a->retry_at = retry_at;
	*why = a->why;
	free(remote);
	lc_buf_release(&m);
	lc_buf_release(&s);
	lc_buf_release(&b);
	return later;
}

/*
 * Whether the app is at the wanted revision: status.sync.revision, or one
 * of status.sync.revisions (multi-source), starts with it (the fast
 * path), or, for a commit id, is a later commit. t->rev_why says why not.
 */
static int
revision_matches(struct waiter *wt, struct lc_acd_target *t, jv app)
{
	const struct lc_acd_want *w = wt->w;
	const char *want = w->revision, *why = NULL;
	struct lc_buf whys = LC_BUF_INIT;
	jv l, e, srcs, src;
	size_t n = strlen(want);
	int i, k, r;

	if (strncasecmp(lc_jvutil_str(app, "status.sync.revision"), want,
	    n) == 0)
		return 1;
	l = lc_jvutil_get(app, "status.sync.revisions");
	k = jv_get_kind(l) == JV_KIND_ARRAY ? jv_array_length(jv_copy(l)) : 0;
	r = 0;
	for (i = 0; i < k && !r; i++) {
		e = jv_array_get(jv_copy(l), i);
		r = jv_get_kind(e) == JV_KIND_STRING &&
		    strncasecmp(jv_string_value(e), want, n) == 0;
		jv_free(e);
	}
	if (r)
		goto out;
	if (wt->revs == NULL) {
		wt->revs = lc_buf_xmalloc(sizeof(*wt->revs));
		memset(wt->revs, 0, sizeof(*wt->revs));
	}
	if (!wt->revs->opened)
		revs_open(wt->revs, w);
	/* Each revision with the URL of its source. */
	for (i = -1; i < k && !r; i++) {
		if (i < 0) {
			if (*lc_jvutil_str(app, "status.sync.revision") == '\0')
				continue;
			r = rev_later(wt->revs, w, lc_jvutil_str(app,
			    "status.sync.revision"), lc_jvutil_str(app,
			    "spec.source.repoURL"), &why);
		} else {
			e = jv_array_get(jv_copy(l), i);
			srcs = lc_jvutil_get(app, "spec.sources");
			src = jv_get_kind(srcs) == JV_KIND_ARRAY && i <
			    jv_array_length(jv_copy(srcs)) ?
			    jv_array_get(jv_copy(srcs), i) : jv_null();
			if (jv_get_kind(e) == JV_KIND_STRING)
				r = rev_later(wt->revs, w, jv_string_value(e),
				    lc_jvutil_str(src, "repoURL"), &why);
			jv_free(src);
			jv_free(srcs);
			jv_free(e);
		}
		if (!r && why) {
			if (whys.len)
				lc_buf_adds(&whys, "; ");
			lc_buf_adds(&whys, why);
		}
	}
	free(t->rev_why);
	t->rev_why = r || whys.len == 0 ? NULL : lc_buf_detach(&whys);
out:
	jv_free(l);
	lc_buf_release(&whys);
	return r;
}

static int
until_holds(struct waiter *wt, jv app)
{
	jv r;
	int ok;

	jq_start(wt->jq, jv_copy(app), 0);
	r = jq_next(wt->jq);
	ok = jv_is_valid(r) && jv_get_kind(r) != JV_KIND_FALSE &&
	    jv_get_kind(r) != JV_KIND_NULL;
	jv_free(r);
	return ok;
}

static void
finish(struct waiter *wt, struct lc_acd_target *t, int rc, const char *why)
{
	if (t->done)
		return;
	t->done = 1;
	t->rc = rc;
	free(t->why);
	t->why = why ? xdup(why) : NULL;
	wt->pending--;
	wt->changed = 1;
}

/* How many results the sync left unpruned ("requires pruning"). */
static int
prune_skipped(jv os)
{
	jv l = lc_jvutil_get(os, "syncResult.resources"), e;
	int i, n, c = 0;

	if (jv_get_kind(l) == JV_KIND_ARRAY) {
		n = jv_array_length(jv_copy(l));
		for (i = 0; i < n; i++) {
			e = jv_array_get(jv_copy(l), i);
			if (strcmp(lc_jvutil_str(e, "status"), "PruneSkipped") == 0 &&
			    strstr(lc_jvutil_str(e, "message"),
			    "no prune") == NULL)
				c++;
			jv_free(e);
		}
	}
	jv_free(l);
	return c;
}

/*
 * Who started v's "operation" (an Application's, or an operationState's
 * copy of it): "auto-sync" or the user, borrowed from v.
 */
static const char *
initiator(jv v)
{
	if (is_true(v, "operation.initiatedBy.automated"))
		return "auto-sync";
	return or_dash(lc_jvutil_str(v, "operation.initiatedBy.username"));
}

/*
 * After our operation has ended: whether the application has settled
 * (spec section 10). Another operation may have replaced ours at once (an
 * auto-sync, self-heal): while one is pending nothing is settled, and once
 * the newest has ended, only a reconcile after its end counts. When that
 * one did not succeed, t->other_why says so: our sync still succeeded, and
 * the settled sync and health decide, but an explanation names it.
 */
static int
settled_after_ours(struct waiter *wt, struct lc_acd_target *t, jv a, jv os)
{
	const char *fin, *rec, *phase;
	struct lc_buf why = LC_BUF_INIT;

	if (has(a, "operation"))
		return 0;
	if (jv_get_kind(os) != JV_KIND_OBJECT || ours(t, os, "operation"))
		return 1;		/* ours is the newest: judged above */
	fin = lc_jvutil_str(os, "finishedAt");
	rec = lc_jvutil_str(a, "status.reconciledAt");
	phase = lc_jvutil_str(os, "phase");
	if (*fin == '\0' || !completed(phase))
		return 0;
	if (t->other_fin == NULL || strcmp(t->other_fin, fin) != 0) {
		/* It has just ended (as far as we can tell). */
		free(t->other_fin);
		free(t->other_rec);
		free(t->other_why);
		t->other_fin = xdup(fin);
		t->other_rec = xdup(rec);
		t->other_why = NULL;
		t->other_refresh = 0;
		if (strcmp(phase, "Succeeded") != 0) {
			lc_buf_printf(&why, "a later operation (initiated by %s) "
			    "ended %s: %s", initiator(os), phase,
			    lc_jvutil_str(os, "message"));
			t->other_why = xdup(why.data);
			lc_buf_release(&why);
		}
	}
	if (is_true(os, "operation.sync.dryRun"))
		return 1;
	if (*rec == '\0' || strcmp(rec, fin) < 0)
		return 0;
	/* Whole seconds, as for ours: a refresh tells a tie apart. */
	if (strcmp(rec, fin) == 0 && strcmp(t->other_rec, fin) == 0 &&
	    t->other_refresh < 2) {
		t->other_refresh = 1;
		t->refresh_asked = 1;
		wt->want_refresh = 1;
		return 0;
	}
	return 1;
}

/* ---- --resource ------------------------------------------------------ */

int
lc_acd_want_resource(struct lc_acd_want *w, const char *pattern)
{
	const char *p = pattern + (*pattern == '!'), *c1, *c2;

	c1 = strchr(p, ':');
	c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	if (c2 == NULL || strchr(c2 + 1, ':') || c2[1] == '\0' ||
	    (strchr(c2 + 1, '/') && strchr(c2 + 1, '/')[1] == '\0'))
		return lc_error_set(LC_EUSAGE, "--resource '%s': write "
		    "GROUP:KIND:NAME or GROUP:KIND:NAMESPACE/NAME (the core "
		    "group is empty: ':Service:web')", pattern);
	w->resources = lc_buf_xrealloc(w->resources, (w->nresources + 1) *
	    sizeof(*w->resources));
	w->resources[w->nresources++] = pattern;
	return 0;
}

void
lc_acd_want_release(struct lc_acd_want *w)
{
	free(w->resources);
	w->resources = NULL;
	w->nresources = 0;
}

/* Whether a GROUP:KIND:[NS/]NAME pattern (no "!") matches resource r. */
static int
resource_match(const char *pat, jv r)
{
	static const char *const keys[4] = { "group", "kind", "namespace",
	    "name" };
	const char *c1 = strchr(pat, ':'), *c2 = strchr(c1 + 1, ':');
	const char *slash = strchr(c2 + 1, '/');
	char *f[4];
	int i, ok = 1;

	f[0] = lc_buf_xstrndup(pat, (size_t)(c1 - pat));
	f[1] = lc_buf_xstrndup(c1 + 1, (size_t)(c2 - c1 - 1));
	if (slash) {
		f[2] = lc_buf_xstrndup(c2 + 1, (size_t)(slash - c2 - 1));
		f[3] = xdup(slash + 1);
	} else {
		f[2] = xdup("*");
		f[3] = xdup(c2 + 1);
	}
	/* Globs, as the argocd CLI; a blank one matches only blank. */
	for (i = 0; i < 4; i++) {
		ok = ok && fnmatch(f[i], lc_jvutil_str(r, keys[i]), 0) == 0;
		free(f[i]);
	}
	return ok;
}

/* Whether resource r is one the wait looks at (all, without --resource). */
static int
resource_selected(const struct lc_acd_want *w, jv r)
{
	size_t i;
	int sel = 1;

	for (i = 0; i < w->nresources; i++)
		if (w->resources[i][0] != '!')
			sel = 0;	/* some are named: only those */
	for (i = 0; i < w->nresources; i++)
		if (resource_match(w->resources[i] + (w->resources[i][0] ==
		    '!'), r))
			sel = w->resources[i][0] != '!';
	return sel;
}

/* The first pattern naming resources that match none of the app's. */
static const char *
resource_missing(const struct lc_acd_want *w, jv a)
{
	jv l = lc_jvutil_get(a, "status.resources"), e;
	size_t i;
	int k, n, found;
	const char *miss = NULL;

	n = jv_get_kind(l) == JV_KIND_ARRAY ? jv_array_length(jv_copy(l)) : 0;
	for (i = 0; i < w->nresources && miss == NULL; i++) {
		if (w->resources[i][0] == '!')
			continue;
		for (k = 0, found = 0; k < n && !found; k++) {
			e = jv_array_get(jv_copy(l), k);
			found = resource_match(w->resources[i], e);
			jv_free(e);
		}
		if (!found)
			miss = w->resources[i];
	}
	jv_free(l);
	return miss;
}

/* Whether health h is one the wait accepts. */
static int
health_ok(const struct lc_acd_want *w, const char *h)
{
	return strcmp(h, "Healthy") == 0 || ((w->flags & LC_ACD_W_SUSPENDED) &&
	    strcmp(h, "Suspended") == 0) || ((w->flags & LC_ACD_W_DEGRADED) &&
	    strcmp(h, "Degraded") == 0);
}

/*
 * The selected resources of a: whether all are Synced, all healthy (one
 * without a health check, such as a ConfigMap, counts as healthy, as for
 * Argo CD's app health), and the first Degraded one into *deg.
 */
static void
resources_state(const struct lc_acd_want *w, jv a, int *synced,
    int *healthy, struct lc_buf *deg)
{
	jv l = lc_jvutil_get(a, "status.resources"), e;
	const char *h;
	int i, n;

	*synced = *healthy = 1;
	deg->len = 0;
	n = jv_get_kind(l) == JV_KIND_ARRAY ? jv_array_length(jv_copy(l)) : 0;
	for (i = 0; i < n; i++) {
		e = jv_array_get(jv_copy(l), i);
		if (resource_selected(w, e)) {
			h = lc_jvutil_str(e, "health.status");
			if (strcmp(lc_jvutil_str(e, "status"), "Synced") != 0)
				*synced = 0;
			if (*h && !health_ok(w, h))
				*healthy = 0;
			if (strcmp(h, "Degraded") == 0 && deg->len == 0)
				lc_buf_printf(deg, "%s/%s is Degraded%s%s",
				    lc_jvutil_str(e, "kind"), lc_jvutil_str(e,
				    "name"),
				    *lc_jvutil_str(e,
				    "health.message") ? ": " : "",
				    lc_jvutil_str(e, "health.message"));
		}
		jv_free(e);
	}
	jv_free(l);
}

/* Judge a target on its newest snapshot; finish it when it is over. */
static void
judge(struct waiter *wt, struct lc_acd_target *t, long long now)
{
	const struct lc_acd_want *w = wt->w;
	jv a = t->last, os;
	const char *phase, *fin, *rec, *health, *sync, *miss;
	struct lc_buf why = LC_BUF_INIT, deg = LC_BUF_INIT;
	int synced, healthy, degraded;

	if (t->done || !jv_is_valid(a))
		return;
	if (*lc_jvutil_str(a, "metadata.deletionTimestamp")) {
		finish(wt, t, LC_ENOTFOUND, "the application is being deleted");
		return;
	}
	os = lc_jvutil_get(a, "status.operationState");
	phase = lc_jvutil_str(os, "phase");
	fin = lc_jvutil_str(os, "finishedAt");
	rec = lc_jvutil_str(a, "status.reconciledAt");
	if (w->flags == LC_ACD_W_IDLE) {
		if (!has(a, "operation"))
			finish(wt, t, 0, NULL);
		goto out;
	}
	if (t->op_id || t->op_rev) {
		int in_op = ours(t, a, "operation");
		int in_state = ours(t, os, "operation");

		t->op_seen |= in_op || in_state;
		if (!t->op_over && in_state && !in_op && completed(phase) &&
		    *fin) {
			/* Our operation just ended: keep its verdict. */
			t->op_over = 1;
			t->op_phase = xdup(phase);
			t->op_message = xdup(lc_jvutil_str(os, "message"));
			jv_free(t->op_state);
			t->op_state = jv_copy(os);
			free(t->rec_at_done);
			t->rec_at_done = xdup(rec);
		}
		if (!t->op_over) {
			if (t->op_seen && !in_op && !in_state) {
				lc_buf_printf(&why, "our operation was replaced "
				    "by another (initiated by %s) before its "
				    "result could be read",
				    is_true(os, "operation.initiatedBy.automated")
				    ? "auto-sync" : lc_jvutil_str(os,
				    "operation.initiatedBy.username"));
				finish(wt, t, LC_ERROR, why.data);
			}
			goto out;
		}
		if (!t->dry_run) {
			const char *ofin = lc_jvutil_str(t->op_state,
			    "finishedAt");

			/* Not judged before a reconcile after the end. */
			if (*rec == '\0' || strcmp(rec, ofin) < 0)
				goto out;
			/*
			 * Whole seconds: a reconcile in the same second as
			 * the end looks like one before it. Ask for a
			 * refresh, which returns only after a reconcile.
			 */
			if (strcmp(rec, ofin) == 0 && strcmp(t->rec_at_done,
			    ofin) == 0 && t->refresh_asked < 2) {
				t->refresh_asked = 1;
				wt->want_refresh = 1;
				goto out;
			}
		}
		if (strcmp(t->op_phase, "Succeeded") != 0) {
			lc_buf_printf(&why, "the sync ended %s: %s", t->op_phase,
			    t->op_message);
			finish(wt, t, LC_ENO, why.data);
			goto out;
		}
		if (!settled_after_ours(wt, t, a, os))
			goto out;
		if (!t->dry_run && !t->partial && strcmp(lc_jvutil_str(a,
		    "status.sync.status"), "Synced") != 0 &&
		    prune_skipped(t->op_state) > 0) {
			lc_buf_printf(&why, "%d resources require pruning "
			    "(sync with --prune)", prune_skipped(t->op_state));
			finish(wt, t, LC_ENO, why.data);
			goto out;
		}
		/*
		 * A later operation failed and left the app OutOfSync: that
		 * is how it settled, and nothing will sync it now (auto-sync
		 * does not retry a revision that failed).
		 */
		if (t->other_why && !t->partial && strcmp(lc_jvutil_str(a,
		    "status.sync.status"), "Synced") != 0) {
			lc_buf_printf(&why, "the sync succeeded, but %s; the "
			    "application is %s", t->other_why, or_dash(
			    lc_jvutil_str(a, "status.sync.status")));
			finish(wt, t, LC_ENO, why.data);
			goto out;
		}
	} else {
		/* The done-rule (spec section 10). */
		if (has(a, "operation"))
			goto out;
		if (jv_get_kind(os) == JV_KIND_OBJECT) {
			if (*fin == '\0')
				goto out;
			if (!is_true(os, "operation.sync.dryRun") &&
			    (*rec == '\0' || strcmp(rec, fin) < 0))
				goto out;
			if ((w->flags & LC_ACD_W_OPERATION) &&
			    strcmp(phase, "Succeeded") != 0) {
				lc_buf_printf(&why, "the last operation ended "
				    "%s: %s", phase, lc_jvutil_str(os,
				    "message"));
				finish(wt, t, LC_ENO, why.data);
				goto out;
			}
		}
	}
	if (w->revision && !revision_matches(wt, t, a))
		goto out;
	sync = lc_jvutil_str(a, "status.sync.status");
	health = lc_jvutil_str(a, "status.health.status");
	if (w->nresources) {
		/* Settled and reconciled: what is not there is not coming. */
		if (*rec && (miss = resource_missing(w, a)) != NULL) {
			lc_buf_printf(&why, "no resource of the application "
			    "matches --resource %s", miss);
			finish(wt, t, LC_ENOTFOUND, why.data);
			goto out;
		}
		resources_state(w, a, &synced, &healthy, &deg);
		if (*rec == '\0')
			synced = healthy = 0;
		degraded = deg.len > 0;
	} else {
		synced = strcmp(sync, "Synced") == 0;
		healthy = health_ok(w, health);
		degraded = strcmp(health, "Degraded") == 0;
	}
	if ((!(w->flags & LC_ACD_W_SYNC) || synced) &&
	    (!(w->flags & LC_ACD_W_HEALTH) || healthy) &&
	    (w->until == NULL || until_holds(wt, a))) {
		finish(wt, t, 0, NULL);
		goto out;
	}
	if ((w->flags & LC_ACD_W_HEALTH) && !(w->flags & LC_ACD_W_DEGRADED) &&
	    degraded) {
		if (t->degraded_since == 0)
			t->degraded_since = now;
		if (now - t->degraded_since >= w->degraded_grace_ms) {
			if (w->nresources)
				lc_buf_adds(&why, deg.data);
			else
				lc_buf_printf(&why, "the application is "
				    "Degraded%s%s", *lc_jvutil_str(a,
				    "status.health.message") ? ": " : "",
				    lc_jvutil_str(a, "status.health.message"));
			if (t->other_why)
				lc_buf_printf(&why, " (our sync succeeded, but "
				    "%s)", t->other_why);
			finish(wt, t, LC_ENO, why.data);
		}
	} else
		t->degraded_since = 0;
out:
	jv_free(os);
	lc_buf_release(&why);
	lc_buf_release(&deg);
}

/* ---- progress ------------------------------------------------------- */

static void
state_line(const struct lc_acd_target *t, struct lc_buf *out)
{
	jv a = t->last;
	const char *op;

	out->len = 0;
	if (!jv_is_valid(a)) {
		lc_buf_adds(out, "-");
		return;
	}
	op = has(a, "operation") ? (*lc_jvutil_str(a, "status.operationState."
	    "phase") ? lc_jvutil_str(a, "status.operationState.phase") :
	    "Pending") : *lc_jvutil_str(a, "status.operationState.phase") ?
	    lc_jvutil_str(a, "status.operationState.phase") : "-";
	lc_buf_printf(out, "sync=%s health=%s operation=%s",
	    *lc_jvutil_str(a, "status.sync.status") ?
	    lc_jvutil_str(a, "status.sync.status") : "-",
	    *lc_jvutil_str(a, "status.health.status") ?
	    lc_jvutil_str(a, "status.health.status") : "-", op);
}

/* Whole seconds as "1h2m3s", "2m30s", "10m", "45s". */
static void
fmt_clock(struct lc_buf *out, long long s)
{
	if (s >= 3600)
		lc_buf_printf(out, "%lldh", s / 3600);
	if (s % 3600 >= 60)
		lc_buf_printf(out, "%lldm", s % 3600 / 60);
	if (s % 60 || s == 0)
		lc_buf_printf(out, "%llds", s % 60);
}

/* "elapsed/deadline" ("2m30s/10m"), or "elapsed" with no deadline. */
static void
clock_text(const struct waiter *wt, long long now, struct lc_buf *out)
{
	out->len = 0;
	fmt_clock(out, (now - origin_ms) / 1000);
	if (wt->deadline) {
		lc_buf_adds(out, "/");
		fmt_clock(out, (wt->deadline - origin_ms + 500) / 1000);
	}
}

/*
 * "Kind/name: message" (or its health status, without a message) of the
 * first resource the wait looks at that is not Healthy; "" when none.
 */
static void
first_unhealthy(const struct waiter *wt, jv a, struct lc_buf *out)
{
	jv l = lc_jvutil_get(a, "status.resources"), e;
	const char *h;
	int i, n;

	out->len = 0;
	lc_buf_adds(out, "");
	n = jv_get_kind(l) == JV_KIND_ARRAY ? jv_array_length(jv_copy(l)) : 0;
	for (i = 0; i < n && out->len == 0; i++) {
		e = jv_array_get(jv_copy(l), i);
		h = lc_jvutil_str(e, "health.status");
		if (*h && strcmp(h, "Healthy") != 0 &&
		    resource_selected(wt->w, e))
			lc_buf_printf(out, "%s/%s: %s", lc_jvutil_str(e,
			    "kind"),
			    lc_jvutil_str(e, "name"), *lc_jvutil_str(e,
			    "health.message") ? lc_jvutil_str(e,
			    "health.message") :
			    h);
		jv_free(e);
	}
	jv_free(l);
}

/*
 * The heartbeat, when it is due (not on a terminal, which has the table):
 * one line per app still waited for, so that a CI log shows a slow
 * rollout as one, and CI systems that kill silent jobs leave it alone.
 */
static void
heartbeat(struct waiter *wt)
{
	struct lc_buf clk = LC_BUF_INIT, line = LC_BUF_INIT, res = LC_BUF_INIT;
	long long now = lc_clock_ms();
	size_t i;

	if (wt->beat_ms <= 0 || wt->live || now < wt->next_beat)
		return;
	wt->next_beat = now + wt->beat_ms;
	if (!lc_log_enabled(LC_LOG_WARN))
		return;
	clock_text(wt, now, &clk);
	for (i = 0; i < wt->n; i++) {
		if (wt->t[i].done || !jv_is_valid(wt->t[i].last))
			continue;
		state_line(&wt->t[i], &line);
		first_unhealthy(wt, wt->t[i].last, &res);
		/* What it waits for, when the state does not say it. */
		if ((wt->t[i].op_over || (!wt->t[i].op_id &&
		    !wt->t[i].op_rev)) && has(wt->t[i].last, "operation")) {
			lc_buf_printf(&res, "%san operation initiated by %s "
			    "is pending", res.len ? "; " : "",
			    initiator(wt->t[i].last));
		} else if (wt->t[i].rev_why)
			lc_buf_printf(&res, "%s%s", res.len ? "; " : "",
			    wt->t[i].rev_why);
		lc_log_note("%s: waiting %s: %s%s%s", wt->t[i].app.name,
		    clk.data, line.data, res.len ? "; " : "", res.data);
	}
	lc_buf_release(&clk);
	lc_buf_release(&line);
	lc_buf_release(&res);
}

static void
progress(struct waiter *wt)
{
	struct lc_buf line = LC_BUF_INIT, clk = LC_BUF_INIT, row = LC_BUF_INIT;
	struct lc_buf name = LC_BUF_INIT;
	long long now;
	size_t i, rows;
	int shown = 0;

	if (!lc_log_enabled(LC_LOG_WARN))
		return;
	if (!wt->live) {
		/* One line per change, for CI logs. */
		for (i = 0; i < wt->n; i++) {
			if (!jv_is_valid(wt->t[i].last))
				continue;
			state_line(&wt->t[i], &line);
			if (wt->t[i].shown && strcmp(line.data,
			    wt->t[i].shown) == 0)
				continue;
			free(wt->t[i].shown);
			wt->t[i].shown = xdup(line.data);
			lc_log_note("%s: %s", wt->t[i].app.name, line.data);
		}
		lc_buf_release(&line);
		return;
	}
	/* The clock of the rows still waiting moves once a second. */
	now = lc_clock_ms();
	if ((now - origin_ms) / 1000 != wt->shown_s)
		wt->changed = 1;
	if (!wt->changed)
		return;
	wt->changed = 0;
	wt->shown_s = (now - origin_ms) / 1000;
	clk.len = 0;
	fmt_clock(&clk, wt->shown_s);
	if (wt->deadline) {
		lc_buf_adds(&clk, ", ");
		fmt_clock(&clk, now < wt->deadline ? (wt->deadline - now + 999) /
		    1000 : 0);
		lc_buf_adds(&clk, " left");
	}
	rows = wt->n < MAX_ROWS ? wt->n : MAX_ROWS;
	if (wt->drawn)
		fprintf(stderr, "\033[%dA", wt->drawn);
	for (i = 0; i < rows; i++) {
		state_line(&wt->t[i], &row);
		line.len = name.len = 0;
		lc_buf_adds(&line, "");
		lc_buf_adds(&name, "");
		lc_log_clean(&line, row.data);
		lc_log_clean(&name, wt->t[i].app.name);
		fprintf(stderr, "\033[2K%-30s %s  %s\n", name.data,
		    line.data, wt->t[i].done ? (wt->t[i].rc == 0 ? "done" :
		    "FAILED") : clk.data);
		shown++;
	}
	if (wt->n > rows) {
		fprintf(stderr, "\033[2K... and %zu more, %d still waiting\n",
		    wt->n - rows, wt->pending);
		shown++;
	}
	wt->drawn = shown;
	fflush(stderr);
	lc_buf_release(&line);
	lc_buf_release(&clk);
	lc_buf_release(&row);
	lc_buf_release(&name);
}

/* ---- snapshots and the stream ---------------------------------------- */

static struct lc_acd_target *
find(struct waiter *wt, jv app)
{
	const char *name = lc_jvutil_str(app, "metadata.name");
	const char *ns = lc_jvutil_str(app, "metadata.namespace");
	size_t i;

	for (i = 0; i < wt->n; i++)
		if (strcmp(wt->t[i].app.name, name) == 0 &&
		    (wt->t[i].app.ns == NULL || strcmp(wt->t[i].app.ns, ns) ==
		    0))
			return &wt->t[i];
	return NULL;
}

/* Take a snapshot (consumed) unless an equal or newer one is there. */
static void
update(struct waiter *wt, struct lc_acd_target *t, jv app)
{
	if (jv_is_valid(t->last) && rv_of(app) < rv_of(t->last)) {
		jv_free(app);
		return;
	}
	jv_free(t->last);
	t->last = app;
	wt->changed = 1;
	judge(wt, t, lc_clock_ms());
}

static void
dispatch(void *arg, const char *p, size_t n)
{
	struct waiter *wt = arg;
	jv ev = jv_parse_sized(p, (int)n), app;
	const char *type;
	struct lc_acd_target *t;

	if (!jv_is_valid(ev) || jv_get_kind(ev) != JV_KIND_OBJECT) {
		lc_log_debug("watch: an event that is not JSON, skipped");
		jv_free(ev);
		return;
	}
	if (has(ev, "error")) {
		jv code = lc_jvutil_get(ev, "error.http_code");

		lc_log_info("watch: the server reports: %s",
		    lc_jvutil_str(ev, "error.message"));
		wt->stream_err = 1;
		if (jv_get_kind(code) == JV_KIND_NUMBER && (jv_number_value(code)
		    == 401 || jv_number_value(code) == 403)) {
			lc_error_set(LC_EAUTH, "watch: %s",
			    lc_jvutil_str(ev, "error.message"));
			wt->stream_fatal = 1;
		}
		jv_free(code);
		jv_free(ev);
		return;
	}
	type = lc_jvutil_str(ev, "result.type");
	app = lc_jvutil_get(ev, "result.application");
	if (jv_get_kind(app) == JV_KIND_OBJECT && (t = find(wt, app)) != NULL) {
		if (strcmp(type, "DELETED") == 0) {
			jv_free(app);
			finish(wt, t, LC_ENOTFOUND, "the application was deleted");
		} else
			update(wt, t, app);
	} else
		jv_free(app);
	jv_free(ev);
}

/* The watch's bytes, as they come. */
static int
on_stream(void *arg, const char *p, size_t n)
{
	struct waiter *wt = arg;

	/* After a line too long, the rest of this stream is not read. */
	if (!wt->too_long && lc_http_sse_feed(&wt->sse, p, n) != 0) {
		lc_log_info("watch: %s", lc_error_msg());
		wt->too_long = 1;
		wt->stream_err = 1;
	}
	progress(wt);
	return wt->pending == 0 || wt->stream_err || wt->want_refresh;
}

/* The namespace all targets share, or NULL. */
static const char *
shared_ns(struct waiter *wt)
{
	size_t i;

	for (i = 1; i < wt->n; i++)
		if ((wt->t[i].app.ns == NULL) != (wt->t[0].app.ns == NULL) ||
		    (wt->t[i].app.ns && strcmp(wt->t[i].app.ns,
		    wt->t[0].app.ns) != 0))
			return NULL;
	return wt->n ? wt->t[0].app.ns : NULL;
}

static void
stream_url(struct waiter *wt, const char *selector, struct lc_buf *u)
{
	long long rv = 0, r;
	char num[32];
	size_t i;

	lc_buf_printf(u, "%s/api/v1/stream/applications",
	    lc_acd_base(wt->acd));
	if (wt->n == 1)
		lc_acd_query(u, "name", wt->t[0].app.name);
	lc_acd_query(u, "appNamespace", shared_ns(wt));
	lc_acd_query(u, "selector", selector);
	/*
	 * Several apps: no resourceVersion, so that the server opens with the
	 * current state of every matching app (ADDED events). The server keeps
	 * no history: a watch from a resourceVersion would miss what changed
	 * between our snapshots and its opening.
	 */
	if (wt->n > 1)
		return;
	/* From the oldest snapshot on: nothing newer is dropped. */
	for (i = 0; i < wt->n; i++)
		if (!wt->t[i].done && jv_is_valid(wt->t[i].last) &&
		    ((r = rv_of(wt->t[i].last)) < rv || rv == 0))
			rv = r;
	if (rv > 0) {
		snprintf(num, sizeof(num), "%lld", rv);
		lc_acd_query(u, "resourceVersion", num);
	}
}

/* GET every pending target (List when there are many): the safety net. */
static int
poll_all(struct waiter *wt, int missing, long long deadline)
{
	struct lc_acd_target *t;
	jv items, app;
	size_t i;
	int k, n, rc;

	if (wt->n > 3) {
		if ((rc = lc_acd_list(wt->acd, wt->w->selector, shared_ns(wt),
		    deadline, &items)) != 0)
			return rc;
		n = jv_array_length(jv_copy(items));
		for (k = 0; k < n; k++) {
			app = jv_array_get(jv_copy(items), k);
			if ((t = find(wt, app)) != NULL && !t->done)
				update(wt, t, app);
			else
				jv_free(app);
		}
		jv_free(items);
		return 0;
	}
	for (i = 0; i < wt->n; i++) {
		if (wt->t[i].done || (missing && jv_is_valid(wt->t[i].last)))
			continue;
		if ((rc = lc_acd_get(wt->acd, &wt->t[i].app, NULL, deadline,
		    &app)) != 0) {
			if (rc == LC_ENOTFOUND || rc == LC_EAUTH) {
				finish(wt, &wt->t[i], rc, lc_error_msg());
				continue;
			}
			return rc;
		}
		update(wt, &wt->t[i], app);
	}
	return 0;
}

/* GET ?refresh=normal for targets whose reconcile time is ambiguous. */
static int
refresh_some(struct waiter *wt, long long deadline)
{
	jv app;
	size_t i;
	long long until;
	int rc;

	wt->want_refresh = 0;
	for (i = 0; i < wt->n; i++) {
		if (wt->t[i].done || wt->t[i].refresh_asked != 1)
			continue;
		wt->t[i].refresh_asked = 2;
		if (wt->t[i].other_refresh == 1)
			wt->t[i].other_refresh = 2;
		until = lc_clock_ms() + 30000;
		if (deadline && deadline < until)
			until = deadline;
		lc_log_info("%s: reconciled in the second the sync ended; "
		    "asking for a refresh", wt->t[i].app.name);
		if ((rc = lc_acd_get(wt->acd, &wt->t[i].app, "normal", until,
		    &app)) != 0) {
			if (rc == LC_ETIMEOUT && (deadline == 0 ||
			    lc_clock_ms() < deadline))
				continue;	/* judged on later events */
			return rc;
		}
		/* The refresh's answer is after a reconcile: judge it. */
		jv_free(wt->t[i].last);
		wt->t[i].last = app;
		free(wt->t[i].rec_at_done);
		wt->t[i].rec_at_done = xdup("");
		if (wt->t[i].other_rec) {
			free(wt->t[i].other_rec);
			wt->t[i].other_rec = xdup("");
		}
		judge(wt, &wt->t[i], lc_clock_ms());
	}
	return 0;
}

int
lc_acd_when_idle(struct lc_acd *acd, struct lc_acd_target *t, size_t n,
    enum lc_acd_busy policy, long long deadline)
{
	struct lc_acd_want w;
	struct lc_acd_target *idle;
	struct lc_buf why = LC_BUF_INIT;
	size_t i, k = 0, *map;
	int rc = 0;

	note_origin();
	idle = lc_buf_xmalloc((n ? n : 1) * sizeof(*idle));
	map = lc_buf_xmalloc((n ? n : 1) * sizeof(*map));
	for (i = 0; i < n; i++) {
		if (t[i].done || !jv_is_valid(t[i].last) ||
		    !has(t[i].last, "operation"))
			continue;
		why.len = 0;
		lc_buf_printf(&why, "another operation is already in progress "
		    "(%s, initiated by %s)", *lc_jvutil_str(t[i].last,
		    "status.operationState.phase") ? lc_jvutil_str(t[i].last,
		    "status.operationState.phase") : "not started yet",
		    is_true(t[i].last, "operation.initiatedBy.automated") ?
		    "auto-sync" : or_dash(lc_jvutil_str(t[i].last,
		    "operation.initiatedBy.username")));
		if (policy == LC_ACD_BUSY_FAIL) {
			t[i].done = 1;
			t[i].rc = LC_ECONFLICT;
			t[i].why = xdup(why.data);
			continue;
		}
		lc_log_warn("%s: %s; %s", t[i].app.name, why.data,
		    policy == LC_ACD_BUSY_WAIT ? "waiting for it to end" :
		    "terminating it");
		if (policy == LC_ACD_BUSY_TERMINATE && (rc = lc_acd_terminate(
		    acd, &t[i].app, deadline)) != 0) {
			/* Queued, not started: nothing to stop yet; wait. */
			if (rc != LC_ERROR)
				goto out;
			lc_log_info("%s", lc_error_msg());
			rc = 0;
		}
		lc_acd_target_init(&idle[k]);
		idle[k].app = t[i].app;
		idle[k].last = jv_copy(t[i].last);
		map[k++] = i;
	}
	if (k == 0)
		goto out;
	memset(&w, 0, sizeof(w));
	w.flags = LC_ACD_W_IDLE;
	rc = lc_acd_wait(acd, idle, k, &w, deadline);
	for (i = 0; i < k; i++) {
		jv_free(t[map[i]].last);
		t[map[i]].last = idle[i].last;
		idle[i].last = jv_invalid();
		if (idle[i].rc == LC_ETIMEOUT && !t[map[i]].done) {
			/*
			 * Busy, not slow: nothing of ours ran, so the exit
			 * status must not read as "not healthy in time"
			 * (which a pipeline answers with a rollback).
			 */
			t[map[i]].done = 1;
			t[map[i]].rc = LC_ECONFLICT;
			t[map[i]].why = xdup("another operation was still "
			    "running when the time ran out; nothing was "
			    "started");
		} else if (idle[i].rc != 0 && !t[map[i]].done) {
			t[map[i]].done = 1;
			t[map[i]].rc = idle[i].rc;
			t[map[i]].why = idle[i].why ? xdup(idle[i].why) :
			    xdup("the other operation did not end in time");
		}
		idle[i].app.name = idle[i].app.ns = NULL;
		lc_acd_target_free(&idle[i]);
	}
	rc = rc == LC_ETIMEOUT ? LC_ECONFLICT : rc == LC_EAUTH ? rc : 0;
out:
	free(idle);
	free(map);
	lc_buf_release(&why);
	return rc;
}

void
lc_acd_op_id(char out[37])
{
	unsigned char r[16];
	size_t i;

	lc_random(r, sizeof(r));
	r[6] = (unsigned char)((r[6] & 0x0f) | 0x40);
	r[8] = (unsigned char)((r[8] & 0x3f) | 0x80);
	for (i = 0; i < 16; i++)
		sprintf(out + i * 2 + (i >= 4) + (i >= 6) + (i >= 8) +
		    (i >= 10), "%02x", r[i]);
	out[8] = out[13] = out[18] = out[23] = '-';
	out[36] = '\0';
}

void
lc_acd_fmt_ms(char *out, size_t n, long long ms)
{
	if (ms % 60000 == 0 && ms)
		snprintf(out, n, "%lldm", ms / 60000);
	else if (ms % 1000 == 0)
		snprintf(out, n, "%llds", ms / 1000);
	else
		snprintf(out, n, "%lldms", ms);
}

static int
worst(const struct lc_acd_target *t, size_t n)
{
	static const int order[] = { LC_EAUTH, LC_ENOTFOUND, LC_ERROR,
	    LC_EUNAVAIL, LC_ENO, LC_ECONFLICT, LC_ETIMEOUT };
	size_t i, k;

	for (k = 0; k < sizeof(order) / sizeof(order[0]); k++)
		for (i = 0; i < n; i++)
			if (t[i].rc == order[k])
				return order[k];
	for (i = 0; i < n; i++)
		if (t[i].rc != 0)
			return t[i].rc;
	return 0;
}

static void
fail_pending(struct waiter *wt, int rc, const char *why)
{
	size_t i;

	for (i = 0; i < wt->n; i++)
		if (!wt->t[i].done)
			finish(wt, &wt->t[i], rc, why);
}

/*
 * The safety-net poll, when it is due. Returns 0, or the error that ends
 * the wait (the targets are failed with it); an unavailable server or a
 * slow answer only waits for the next one.
 */
static int
poll_due(struct waiter *wt, long long *next_poll, long long deadline)
{
	int rc;

	if (lc_clock_ms() < *next_poll)
		return 0;
	if ((rc = poll_all(wt, 0, deadline)) != 0 && rc != LC_EUNAVAIL &&
	    rc != LC_ETIMEOUT) {
		fail_pending(wt, rc, lc_error_msg());
		return rc;
	}
	*next_poll = lc_clock_ms() + (wt->w->poll_ms > 0 ? wt->w->poll_ms :
	    30000);
	progress(wt);
	return 0;
}

int
lc_acd_wait(struct lc_acd *acd, struct lc_acd_target *t, size_t n,
    const struct lc_acd_want *w, long long deadline)
{
	struct waiter wt;
	struct lc_http_stream *s = NULL;
	struct lc_http_resp err = LC_HTTP_RESP_INIT;
	struct lc_buf u = LC_BUF_INIT, why = LC_BUF_INIT, line = LC_BUF_INIT;
	long long poll_ms = w->poll_ms > 0 ? w->poll_ms : 30000;
	long long next_poll, until, now;
	size_t i;
	int rc = 0, drops = 0, too_long = 0, got;
	char every[32];

	memset(&wt, 0, sizeof(wt));
	wt.acd = acd;
	wt.t = t;
	wt.n = n;
	wt.w = w;
	wt.pending = (int)n;
	/* A fetch for --revision's later commits ends by the deadline too. */
	if (w->revision)
		lc_git_deadline(deadline);
	lc_http_sse_init(&wt.sse, 0, dispatch, &wt);
	wt.live = isatty(2) && getenv("TERM") && strcmp(getenv("TERM"),
	    "dumb") != 0 && lc_ci_kind() == LC_CI_NONE;
	note_origin();
	wt.deadline = deadline;
	wt.shown_s = -1;
	wt.beat_ms = w->progress_ms ? w->progress_ms : progress_opt ?
	    progress_opt : 30000;
	if (wt.beat_ms < 0)
		wt.beat_ms = 0;
	wt.next_beat = lc_clock_ms() + wt.beat_ms;
	if (w->until) {
		wt.jq = jq_init();
		if (wt.jq == NULL || !jq_compile(wt.jq, w->until)) {
			if (wt.jq)
				jq_teardown(&wt.jq);
			return lc_error_set(LC_EUSAGE, "--until '%s': jq cannot "
			    "compile it", w->until);
		}
	}
	/* What is there now: an app that is already done ends here. */
	for (i = 0; i < n; i++) {
		if (t[i].done)
			wt.pending--;
		else if (jv_is_valid(t[i].last))
			judge(&wt, &t[i], lc_clock_ms());
	}
	for (i = 0; i < n; i++)
		if (!t[i].done && !jv_is_valid(t[i].last))
			break;
	if (i < n && (rc = poll_all(&wt, 1, deadline)) != 0) {
		fail_pending(&wt, rc, lc_error_msg());
		goto out;
	}
	progress(&wt);
	next_poll = lc_clock_ms() + poll_ms;
	while (wt.pending > 0) {
		now = lc_clock_ms();
		if (deadline && now >= deadline)
			break;
		if ((rc = refresh_some(&wt, deadline)) != 0) {
			fail_pending(&wt, rc, lc_error_msg());
			break;
		}
		if (wt.pending == 0)
			break;
		heartbeat(&wt);
		until = next_poll;
		if (deadline && deadline < until)
			until = deadline;
		if (wt.beat_ms && !wt.live && wt.next_beat < until)
			until = wt.next_beat;
		/* The live table's clock: wake at each second to move it. */
		now = lc_clock_ms();
		if (wt.live && lc_log_enabled(LC_LOG_WARN) && now + 1000 -
		    (now - origin_ms) % 1000 < until)
			until = now + 1000 - (now - origin_ms) % 1000;
		for (i = 0; i < n; i++)
			if (!t[i].done && t[i].refresh_asked == 1)
				until = lc_clock_ms();
		if (too_long >= 2) {
			/* No watch: the polls alone, until the deadline. */
			if (until > lc_clock_ms())
				lc_clock_sleep_ms(until - lc_clock_ms());
			if ((rc = poll_due(&wt, &next_poll, deadline)) != 0)
				break;
			continue;
		}
		if (s == NULL) {
			u.len = 0;
			stream_url(&wt, w->selector, &u);
			lc_http_sse_reset(&wt.sse);
			wt.stream_err = wt.too_long = 0;
			if ((rc = lc_http_stream_open(lc_acd_http(acd), u.data,
			    "text/event-stream", on_stream, &wt, &s)) != 0) {
				fail_pending(&wt, rc, lc_error_msg());
				break;
			}
		}
		got = lc_http_stream_pump(s, until, &err);
		if (wt.stream_fatal) {
			fail_pending(&wt, LC_EAUTH, lc_error_msg());
			break;
		}
		if (got == 1 && !wt.stream_err)
			continue;		/* all done: the loop ends */
		if (got == 0) {
			if ((rc = poll_due(&wt, &next_poll, deadline)) != 0)
				break;
			progress(&wt);
			continue;
		}
		/* The stream ended or broke: reconnect. */
		lc_http_stream_close(s);
		s = NULL;
		if (got == LC_ERROR && (err.status == 401 || err.status == 403)) {
			lc_buf_printf(&why, "watch: %ld from the server",
			    err.status);
			fail_pending(&wt, LC_EAUTH, why.data);
			break;
		}
		if (wt.too_long && ++too_long >= 2) {
			/*
			 * The same server sends the same line again: no use
			 * in reading it a third time. The polls still see
			 * every app, only later.
			 */
			lc_acd_fmt_ms(every, sizeof(every), poll_ms);
			lc_log_warn("the watch sent a line longer than %u MB "
			    "again: no more watching, polling every %s "
			    "instead", LC_HTTP_SSE_MAX >> 20, every);
			continue;
		}
		lc_log_info("%s; reconnecting", wt.stream_err ? (wt.too_long ?
		    "the watch sent a line too long" : "the watch reported an "
		    "error") : lc_error_msg());
		/* A watch that keeps breaking must not starve the polls. */
		if ((rc = poll_due(&wt, &next_poll, deadline)) != 0)
			break;
		lc_clock_sleep_ms(lc_clock_backoff_ms(drops < 6 ? drops : 6,
		    100, 5000, 2));
		drops++;
		progress(&wt);
	}
	if (wt.pending > 0) {
		fail_pending(&wt, LC_ETIMEOUT, NULL);
		for (i = 0; i < n; i++)
			if (t[i].rc == LC_ETIMEOUT && t[i].why == NULL) {
				state_line(&t[i], &line);
				why.len = 0;
				lc_buf_printf(&why, "not there when the time ran "
				    "out (%s", line.data);
				if (t[i].op_over && jv_is_valid(t[i].last) &&
				    has(t[i].last, "operation"))
					lc_buf_printf(&why, "; another operation, "
					    "initiated by %s, is pending",
					    initiator(t[i].last));
				else if (t[i].other_why)
					lc_buf_printf(&why, "; our sync succeeded, "
					    "but %s", t[i].other_why);
				lc_buf_adds(&why, ")");
				if (t[i].rev_why)
					lc_buf_printf(&why, ": %s", t[i].rev_why);
				t[i].why = xdup(why.data);
			}
	}
out:
	wt.changed = 1;
	progress(&wt);
	lc_http_stream_close(s);
	lc_http_resp_release(&err);
	lc_buf_release(&u);
	lc_buf_release(&why);
	lc_buf_release(&line);
	lc_http_sse_release(&wt.sse);
	if (wt.jq)
		jq_teardown(&wt.jq);
	revs_free(wt.revs);
	lc_error_clear();
	return worst(t, n);
}

/* ---- reports -------------------------------------------------------- */

static const char *
result_name(int rc)
{
	switch (rc) {
	case 0:
		return "ok";
	case LC_ENO:
		return "failed";
	case LC_ETIMEOUT:
		return "timeout";
	case LC_ENOTFOUND:
		return "not-found";
	case LC_EAUTH:
		return "auth";
	case LC_EUNAVAIL:
		return "unavailable";
	case LC_ECONFLICT:
		return "busy";
	default:
		return "error";
	}
}

/*
 * What a rollback deployed: its history entry's revision, once its
 * operation Succeeded (not a dry run); else NULL.
 */
static const char *
deployed(const struct lc_acd_target *t)
{
	if (t->rollback_rev == NULL || *t->rollback_rev == '\0' ||
	    t->dry_run || t->op_phase == NULL ||
	    strcmp(t->op_phase, "Succeeded") != 0)
		return NULL;
	return t->rollback_rev;
}

void
lc_acd_print(const struct lc_acd_target *t, size_t n, int json)
{
	size_t i;
	jv o, a, os;

	for (i = 0; i < n; i++) {
		a = t[i].last;
		if (!json) {
			struct lc_buf raw = LC_BUF_INIT, line = LC_BUF_INIT;

			lc_buf_printf(&raw, "%s %s %s %s", t[i].app.name,
			    jv_is_valid(a) ? or_dash(lc_jvutil_str(a,
			    "status.sync.status")) : "-",
			    jv_is_valid(a) ? or_dash(lc_jvutil_str(a,
			    "status.health.status")) : "-",
			    jv_is_valid(a) ? or_dash(lc_jvutil_str(a,
			    "status.sync.revision")) : "-");
			if (t[i].rollback_rev)
				lc_buf_printf(&raw, " %s", deployed(&t[i]) ?
				    deployed(&t[i]) : "-");
			/* One line, whatever the server's fields hold. */
			lc_buf_adds(&line, "");
			lc_log_clean(&line, raw.data);
			puts(line.data);
			lc_buf_release(&raw);
			lc_buf_release(&line);
			continue;
		}
		o = jv_object();
		o = jv_object_set(o, jv_string("app"), jv_string(t[i].app.name));
		if (jv_is_valid(a)) {
			o = jv_object_set(o, jv_string("namespace"), jv_string(
			    lc_jvutil_str(a, "metadata.namespace")));
			o = jv_object_set(o, jv_string("sync"), jv_string(
			    lc_jvutil_str(a, "status.sync.status")));
			o = jv_object_set(o, jv_string("health"), jv_string(
			    lc_jvutil_str(a, "status.health.status")));
			o = jv_object_set(o, jv_string("revision"), jv_string(
			    lc_jvutil_str(a, "status.sync.revision")));
			os = jv_is_valid(t[i].op_state) ? jv_copy(t[i].op_state)
			    : lc_jvutil_get(a, "status.operationState");
			if (jv_get_kind(os) == JV_KIND_OBJECT) {
				jv op = jv_object();
				static const char *const keys[] = { "phase",
				    "message", "startedAt", "finishedAt" };
				size_t k;

				for (k = 0; k < 4; k++)
					if (*lc_jvutil_str(os, keys[k]))
						op = jv_object_set(op, jv_string(
						    keys[k]), jv_string(lc_jvutil_str(
						    os, keys[k])));
				o = jv_object_set(o, jv_string("operation"), op);
			} else
				o = jv_object_set(o, jv_string("operation"),
				    jv_null());
			jv_free(os);
		}
		if (t[i].rollback_rev) {
			o = jv_object_set(o, jv_string("history_id"),
			    t[i].rollback_id < 0 ? jv_null() :
			    jv_number((double)t[i].rollback_id));
			o = jv_object_set(o, jv_string("deployed_revision"),
			    deployed(&t[i]) ? jv_string(deployed(&t[i])) :
			    jv_null());
		}
		o = jv_object_set(o, jv_string("result"), jv_string(
		    result_name(t[i].rc)));
		if (t[i].why)
			o = jv_object_set(o, jv_string("reason"),
			    jv_string(t[i].why));
		o = jv_dump_string(o, JV_PRINT_SORTED);
		printf("%s\n", jv_string_value(o));
		jv_free(o);
	}
}

/*
 * A line on stderr for each entry of the list at path of v that which
 * picks (0: failed sync results, 1: not Healthy, 2: conditions), each also
 * appended to ann (without the program's name) for the annotation.
 */
static void
explain_list(const char *app, jv v, const char *path, int which,
    struct lc_buf *ann)
{
	struct lc_buf line = LC_BUF_INIT;
	jv l = lc_jvutil_get(v, path), e;
	const char *h, *st, *hp, *msg;
	int i, n;

	if (jv_get_kind(l) != JV_KIND_ARRAY) {
		jv_free(l);
		return;
	}
	n = jv_array_length(jv_copy(l));
	for (i = 0; i < n; i++) {
		e = jv_array_get(jv_copy(l), i);
		st = lc_jvutil_str(e, "status");
		hp = lc_jvutil_str(e, "hookPhase");
		msg = lc_jvutil_str(e, "message");
		h = lc_jvutil_str(e, "health.status");
		line.len = 0;
		if (which == 0 && (strcmp(st, "SyncFailed") == 0 ||
		    strcmp(hp, "Failed") == 0 || strcmp(hp, "Error") == 0))
			lc_buf_printf(&line, "%s %s/%s: %s%s%s",
			    lc_jvutil_str(e, "kind"), or_dash(lc_jvutil_str(e,
			    "namespace")), lc_jvutil_str(e, "name"),
			    *hp ? hp : st, *msg ? ": " : "", msg);
		else if (which == 1 && *h && strcmp(h, "Healthy") != 0)
			lc_buf_printf(&line, "%s %s/%s: %s%s%s",
			    lc_jvutil_str(e, "kind"), or_dash(lc_jvutil_str(e,
			    "namespace")), lc_jvutil_str(e, "name"), h,
			    *lc_jvutil_str(e, "health.message") ? ": " : "",
			    lc_jvutil_str(e, "health.message"));
		else if (which == 2)
			lc_buf_printf(&line, "condition %s: %s",
			    lc_jvutil_str(e, "type"), msg);
		if (line.len) {
			lc_log_error("%s:   %s", app, line.data);
			lc_buf_printf(ann, "\n  %s", line.data);
		}
		jv_free(e);
	}
	lc_buf_release(&line);
	jv_free(l);
}

void
lc_acd_explain(const struct lc_acd_target *t, size_t n)
{
	struct lc_buf line = LC_BUF_INIT, ann = LC_BUF_INIT;
	jv os;
	size_t i;

	for (i = 0; i < n; i++) {
		if (t[i].rc == 0)
			continue;
		line.len = 0;
		lc_buf_printf(&line, "%s: %s", t[i].app.name, t[i].why ?
		    t[i].why : result_name(t[i].rc));
		lc_log_line(LC_LOG_ERROR, line.data);
		/* One annotation per app, with the resources' messages. */
		ann.len = 0;
		lc_buf_adds(&ann, line.data);
		if (jv_is_valid(t[i].last)) {
			os = jv_is_valid(t[i].op_state) ?
			    jv_copy(t[i].op_state) : lc_jvutil_get(t[i].last,
			    "status.operationState");
			explain_list(t[i].app.name, os, "syncResult.resources",
			    0, &ann);
			jv_free(os);
			/* A later operation that failed: its resources too. */
			if (t[i].other_why && jv_is_valid(t[i].op_state)) {
				os = lc_jvutil_get(t[i].last,
				    "status.operationState");
				explain_list(t[i].app.name, os,
				    "syncResult.resources", 0, &ann);
				jv_free(os);
			}
			explain_list(t[i].app.name, t[i].last,
			    "status.resources", 1, &ann);
			explain_list(t[i].app.name, t[i].last,
			    "status.conditions", 2, &ann);
		}
		lc_ci_annotate(NULL, 0, 0, ann.data);
	}
	lc_buf_release(&line);
	lc_buf_release(&ann);
}

/* A string, or null for "". */
static jv
str_or_null(const char *s)
{
	return *s ? jv_string(s) : jv_null();
}

/* A Markdown table cell: '|' escaped, lines joined. */
static void
md_cell(struct lc_buf *b, const char *s)
{
	for (; *s; s++)
		if (*s == '|')
			lc_buf_adds(b, "\\|");
		else if (*s == '\n' || *s == '\r')
			lc_buf_addc(b, ' ');
		else
			lc_buf_addc(b, *s);
}

/*
 * A dotenv line KEY=value; the value on one line, and cut after max bytes
 * (at a character, with "..."): GitLab refuses a dotenv report of more
 * than 5 KiB, and with it every variable of the job.
 */
#define ENV_MAX 256		/* a value */
#define ENV_REASON_MAX 512	/* ACD_REASON */
#define ENV_APPS_MAX 2048	/* ACD_APPS (ACD_APPS_COUNT stays exact) */

static void
env_line(struct lc_buf *b, const char *key, const char *val, size_t max)
{
	size_t n = strlen(val);

	if (n > max) {
		n = max;
		while (n > 0 && ((unsigned char)val[n] & 0xc0) == 0x80)
			n--;	/* not inside a UTF-8 character */
	}
	lc_buf_printf(b, "%s=", key);
	for (size_t i = 0; i < n; i++)
		lc_buf_addc(b, val[i] == '\n' || val[i] == '\r' ? ' ' :
		    val[i]);
	if (n < strlen(val))
		lc_buf_adds(b, "...");
	lc_buf_addc(b, '\n');
}

/*
 * For the next job, on success and failure alike: $GITHUB_OUTPUT apps
 * (JSON), result and, for one app, revision (and deployed-revision); a
 * table on the step summary; ACD_* lines in the --dotenv file. Returns 0
 * or the first write's LC_ERROR.
 */
static int
ci_outputs(const struct lc_acd_target *t, size_t n, int rc)
{
	struct lc_buf md = LC_BUF_INIT, env = LC_BUF_INIT, names =
	    LC_BUF_INIT;
	const char *sync, *health, *rev, *phase;
	jv apps = jv_array(), o, os, dump;
	size_t i, failed = 0;
	int rb = n > 0 && t[0].rollback_rev != NULL, listed, wrc;

	lc_buf_printf(&md, "### %s\n\n| app | sync | health | revision | "
	    "operation | result |%s\n|---|---|---|---|---|---|%s\n",
	    lc_log_progname, rb ? " deployed |" : "", rb ? "---|" : "");
	for (i = 0; i < n; i++) {
		jv a = t[i].last;
		int ok = jv_is_valid(a);

		os = jv_is_valid(t[i].op_state) ? jv_copy(t[i].op_state) :
		    ok ? lc_jvutil_get(a, "status.operationState") : jv_null();
		sync = ok ? lc_jvutil_str(a, "status.sync.status") : "";
		health = ok ? lc_jvutil_str(a, "status.health.status") : "";
		rev = ok ? lc_jvutil_str(a, "status.sync.revision") : "";
		phase = jv_get_kind(os) == JV_KIND_OBJECT ? lc_jvutil_str(os,
		    "phase") : "";
		o = jv_object();
		o = jv_object_set(o, jv_string("name"), jv_string(
		    t[i].app.name));
		o = jv_object_set(o, jv_string("namespace"), str_or_null(ok ?
		    lc_jvutil_str(a, "metadata.namespace") : t[i].app.ns ?
		    t[i].app.ns : ""));
		o = jv_object_set(o, jv_string("sync"), str_or_null(sync));
		o = jv_object_set(o, jv_string("health"), str_or_null(health));
		o = jv_object_set(o, jv_string("revision"), str_or_null(rev));
		o = jv_object_set(o, jv_string("phase"), str_or_null(phase));
		o = jv_object_set(o, jv_string("result"), jv_string(
		    result_name(t[i].rc)));
		o = jv_object_set(o, jv_string("reason"), t[i].why ?
		    jv_string(t[i].why) : jv_null());
		if (t[i].rollback_rev)
			o = jv_object_set(o, jv_string("deployed_revision"),
			    deployed(&t[i]) ? jv_string(deployed(&t[i])) :
			    jv_null());
		apps = jv_array_append(apps, o);
		if (t[i].rc != 0)
			failed++;
		lc_buf_printf(&names, "%s%s", i ? "," : "", t[i].app.name);

		lc_buf_adds(&md, "| ");
		md_cell(&md, t[i].app.name);
		lc_buf_adds(&md, " | ");
		md_cell(&md, or_dash(sync));
		lc_buf_adds(&md, " | ");
		md_cell(&md, or_dash(health));
		lc_buf_adds(&md, *rev ? " | `" : " | -");
		md_cell(&md, rev);
		lc_buf_adds(&md, *rev ? "` | " : " | ");
		md_cell(&md, or_dash(phase));
		lc_buf_printf(&md, " | %s |", result_name(t[i].rc));
		if (rb)
			lc_buf_printf(&md, " %s%s%s |", deployed(&t[i]) ? "`" :
			    "", deployed(&t[i]) ? deployed(&t[i]) : "-",
			    deployed(&t[i]) ? "`" : "");
		lc_buf_addc(&md, '\n');
		if (n == 1) {
			env_line(&env, "ACD_SYNC", sync, ENV_MAX);
			env_line(&env, "ACD_HEALTH", health, ENV_MAX);
			env_line(&env, "ACD_REVISION", rev, ENV_MAX);
			env_line(&env, "ACD_PHASE", phase, ENV_MAX);
			if (rb)
				env_line(&env, "ACD_DEPLOYED_REVISION",
				    deployed(&t[i]) ? deployed(&t[i]) : "",
				    ENV_MAX);
			env_line(&env, "ACD_REASON", t[i].why ? t[i].why : "",
			    ENV_REASON_MAX);
		}
		jv_free(os);
	}
	for (i = 0, listed = 0; i < n; i++)
		if (t[i].why) {
			if (!listed++)
				lc_buf_addc(&md, '\n');
			lc_buf_adds(&md, "- **");
			md_cell(&md, t[i].app.name);
			lc_buf_adds(&md, "**: ");
			md_cell(&md, t[i].why);
			lc_buf_addc(&md, '\n');
		}
	lc_buf_addc(&md, '\n');
	lc_buf_printf(&env, "ACD_RESULT=%s\n", result_name(rc));
	env_line(&env, "ACD_APPS", names.data ? names.data : "",
	    ENV_APPS_MAX);
	lc_buf_printf(&env, "ACD_APPS_COUNT=%zu\nACD_FAILED_COUNT=%zu\n", n,
	    failed);

	dump = jv_dump_string(apps, JV_PRINT_SORTED);
	wrc = lc_ci_output("apps", jv_string_value(dump));
	jv_free(dump);
	if (wrc == 0)
		wrc = lc_ci_output("result", result_name(rc));
	if (wrc == 0 && n == 1 && jv_is_valid(t[0].last) &&
	    *lc_jvutil_str(t[0].last, "status.sync.revision"))
		wrc = lc_ci_output("revision", lc_jvutil_str(t[0].last,
		    "status.sync.revision"));
	if (wrc == 0 && n == 1 && deployed(&t[0]))
		wrc = lc_ci_output("deployed-revision", deployed(&t[0]));
	if (wrc == 0)
		wrc = lc_ci_summary(md.data);
	if (wrc == 0)
		wrc = lc_ci_dotenv(env.data);
	lc_buf_release(&md);
	lc_buf_release(&env);
	lc_buf_release(&names);
	return wrc;
}

void
lc_acd_target_free(struct lc_acd_target *t)
{
	lc_acd_app_free(&t->app);
	jv_free(t->last);
	jv_free(t->op_state);
	free(t->why);
	free(t->op_phase);
	free(t->op_message);
	free(t->rec_at_done);
	free(t->shown);
	free(t->other_fin);
	free(t->other_rec);
	free(t->other_why);
	free(t->rev_why);
	lc_acd_target_init(t);
}

void
lc_acd_target_init(struct lc_acd_target *t)
{
	memset(t, 0, sizeof(*t));
	t->last = jv_invalid();
	t->op_state = jv_invalid();
}

/* --repo-dir DIR: a repository (DIR or above it) with full history. */
static int
repo_dir_option(struct lc_acd_want *w, const char *dir)
{
	git_repository *repo = NULL;
	int shallow;

	lc_git_init();
	if (git_repository_open_ext(&repo, dir, 0, NULL) != 0)
		return lc_error_set(LC_EUSAGE, "--repo-dir '%s': not a git "
		    "repository (nor in one)", dir);
	shallow = git_repository_is_shallow(repo) == 1;
	git_repository_free(repo);
	if (shallow)
		return lc_error_set(LC_EUSAGE, "--repo-dir '%s' is a shallow "
		    "clone, where a later commit cannot be told: clone with "
		    "full history (actions/checkout: fetch-depth: 0; GitLab: "
		    "GIT_DEPTH: 0) or run 'git fetch --unshallow'", dir);
	w->repo_dir = dir;
	return 1;
}

int
lc_acd_wait_option(struct lc_acd_want *w, enum lc_acd_busy *busy, int ch,
    const char *arg)
{
	switch (ch) {
	case LC_ACD_OPT_HEALTH:
		w->flags |= LC_ACD_W_HEALTH;
		return 1;
	case LC_ACD_OPT_GRACE:
		return lc_parse_duration_opt("--degraded-grace", arg,
		    &w->degraded_grace_ms) == 0 ? 1 : LC_EUSAGE;
	case LC_ACD_OPT_POLL:
		if (lc_parse_duration_opt("--poll-interval", arg,
		    &w->poll_ms) != 0)
			return LC_EUSAGE;
		if (w->poll_ms < 100)
			return lc_error_set(LC_EUSAGE, "--poll-interval: at "
			    "least 100ms");
		return 1;
	case LC_ACD_OPT_PROGRESS:
		if (lc_parse_duration_opt("--progress-interval", arg,
		    &w->progress_ms) != 0)
			return LC_EUSAGE;
		if (w->progress_ms > 0 && w->progress_ms < 1000)
			return lc_error_set(LC_EUSAGE, "--progress-interval: 0 "
			    "(none) or at least 1s");
		if (w->progress_ms == 0)
			w->progress_ms = -1;
		progress_opt = w->progress_ms;
		return 1;
	case LC_ACD_OPT_REPO_DIR:
		return repo_dir_option(w, arg);
	case LC_ACD_OPT_IF_BUSY:
		if (busy == NULL)
			return 0;
		if (strcmp(arg, "wait") == 0)
			*busy = LC_ACD_BUSY_WAIT;
		else if (strcmp(arg, "fail") == 0)
			*busy = LC_ACD_BUSY_FAIL;
		else if (strcmp(arg, "terminate") == 0)
			*busy = LC_ACD_BUSY_TERMINATE;
		else
			return lc_error_set(LC_EUSAGE, "--if-busy %s: wait, fail "
			    "or terminate", arg);
		return 1;
	}
	return 0;
}

int
lc_acd_targets(struct lc_acd *acd, const struct lc_acd_conf *c, char **argv,
    int argc, long long deadline, struct lc_acd_target **out, size_t *n)
{
	struct lc_acd_target *t;
	jv items, a;
	size_t i;
	int rc;

	note_origin();
	*out = NULL;
	*n = 0;
	if (c->selector == NULL) {
		t = lc_buf_xmalloc((argc ? (size_t)argc : 1) * sizeof(*t));
		for (i = 0; i < (size_t)argc; i++) {
			lc_acd_target_init(&t[i]);
			lc_acd_app_parse(&t[i].app, argv[i], c->app_namespace);
		}
		*out = t;
		*n = (size_t)argc;
		return 0;
	}
	if ((rc = lc_acd_list(acd, c->selector, c->app_namespace, deadline,
	    &items)) != 0)
		return rc;
	if ((*n = (size_t)jv_array_length(jv_copy(items))) == 0) {
		jv_free(items);
		return lc_error_set(LC_ENOTFOUND, "no application matches the "
		    "selector '%s'", c->selector);
	}
	t = lc_buf_xmalloc(*n * sizeof(*t));
	for (i = 0; i < *n; i++) {
		a = jv_array_get(jv_copy(items), (int)i);
		lc_acd_target_init(&t[i]);
		t[i].app.name = xdup(lc_jvutil_str(a, "metadata.name"));
		t[i].app.ns = xdup(lc_jvutil_str(a, "metadata.namespace"));
		t[i].last = a;		/* the List's snapshot: no GET needed */
	}
	jv_free(items);
	*out = t;
	return 0;
}

int
lc_acd_finish(const struct lc_acd_target *t, size_t n, int rc, int json,
    long long timeout_ms, const char *several)
{
	char tbuf[32];
	size_t i;

	lc_acd_print(t, n, json);
	for (i = 0; i < n && rc == 0; i++)
		rc = t[i].rc;
	if (rc == 0)
		return ci_outputs(t, n, 0);
	lc_acd_explain(t, n);
	if (ci_outputs(t, n, rc) != 0)
		lc_cli_report_error();
	if (rc == LC_ETIMEOUT && timeout_ms > 0) {
		lc_acd_fmt_ms(tbuf, sizeof(tbuf), timeout_ms);
		lc_error_set(rc, "timed out after %s", tbuf);
	} else if (n > 1 && several)
		lc_error_set(rc, "%s", several);
	else
		lc_error_clear();
	return rc;
}
