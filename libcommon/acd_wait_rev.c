/* acd_wait_rev.c: --revision: the wanted commit, or a later one in git. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <git2.h>

#include "acd_wait_int.h"
#include "acd_wait.h"
#include "buf.h"
#include "clock.h"
#include "error.h"
#include "git.h"
#include "jvutil.h"
#include "log.h"

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

void
lc_acd_wait_revs_free(struct revs *r)
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
int
lc_acd_wait_revision(struct waiter *wt, struct lc_acd_target *t, jv app)
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

int
lc_acd_wait_want_repo_dir(struct lc_acd_want *w, const char *dir)
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
	return 0;
}
