/* git_push.c: push a branch and classify the outcome. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "git.h"
#include "git_int.h"
#include "log.h"

struct pushstate {
	struct lc_git_auth *auth;	/* first: the credentials callback */
	const char *ref;
	int seen;
	char *status;		/* the server's for ref (heap), "" for ok */
	struct lc_buf *detail;
	const git_oid *lease;	/* forced push: the remote must still be here */
	int lease_set, lease_lost;
	struct lc_buf tail;	/* past DETAIL_HEAD: the latest text */
	size_t cut;		/* bytes left out between the two */
};

/*
 * How much of the remote's sideband text a push keeps: the start and the
 * end, since a hook says why it declined last, after whatever it printed.
 */
#define DETAIL_HEAD (32 * 1024)
#define DETAIL_TAIL (32 * 1024)

/* --force-with-lease: the advertised old value must be the one we saw. */
static int
on_negotiation(const git_push_update **u, size_t n, void *data)
{
	struct pushstate *ps = data;
	size_t i;

	for (i = 0; i < n; i++) {
		if (strcmp(u[i]->dst_refname, ps->ref) != 0)
			continue;
		if (ps->lease_set ? !git_oid_equal(&u[i]->src, ps->lease) :
		    !git_oid_is_zero(&u[i]->src)) {
			ps->lease_lost = 1;
			return GIT_EUSER;
		}
	}
	return 0;
}

static int
on_update(const char *refname, const char *status, void *data)
{
	struct pushstate *ps = data;

	if (strcmp(refname, ps->ref) == 0) {
		ps->seen = 1;
		free(ps->status);
		ps->status = lc_buf_xstrndup(status ? status : "",
		    status ? strlen(status) : 0);
	}
	return 0;
}

static int
on_sideband(const char *str, int len, void *data)
{
	struct pushstate *ps = data;

	struct lc_buf *t = &ps->tail;
	size_t n = (size_t)len, k;

	/*
	 * The remote's own words (a hook's message). A bounded amount, since
	 * a server may send any amount: the first DETAIL_HEAD bytes and the
	 * last DETAIL_TAIL, and the cut between them is said (keep_tail).
	 */
	if (ps->detail->len < DETAIL_HEAD) {
		k = DETAIL_HEAD - ps->detail->len;
		k = k < n ? k : n;
		lc_buf_add(ps->detail, str, k);
		str += k;
		n -= k;
	}
	if (n == 0)
		return 0;
	lc_buf_add(t, str, n);
	if (t->len >= 2 * DETAIL_TAIL) {
		ps->cut += t->len - DETAIL_TAIL;
		memmove(t->data, t->data + t->len - DETAIL_TAIL, DETAIL_TAIL);
		t->len = DETAIL_TAIL;
		t->data[t->len] = '\0';
	}
	return 0;
}

/* After the push: the kept end of the sideband text joins the start. */
static void
keep_tail(struct pushstate *ps)
{
	struct lc_buf *t = &ps->tail;
	size_t off = 0;
	const char *nl;

	if (t->len > DETAIL_TAIL) {
		off = t->len - DETAIL_TAIL;
		ps->cut += off;
	}
	/* From a line's start, when something was left out before it. */
	if (ps->cut > 0 && (nl = memchr(t->data + off, '\n', t->len - off))
	    != NULL) {
		ps->cut += (size_t)(nl + 1 - (t->data + off));
		off = (size_t)(nl + 1 - t->data);
	}
	if (ps->cut > 0)
		lc_buf_printf(ps->detail, "%s[%zu bytes left out]\n",
		    ps->detail->len > 0 && ps->detail->data[ps->detail->len -
		    1] != '\n' ? "\n" : "", ps->cut);
	if (t->len > off)
		lc_buf_add(ps->detail, t->data + off, t->len - off);
	lc_buf_release(t);
}

/* Whether s contains one of words, ignoring ASCII case. */
static int
has(const char *s, const char *const *words)
{
	const char *p;
	size_t i;

	for (; *words; words++)
		for (p = s; *p; p++) {
			for (i = 0; (*words)[i] && p[i] &&
			    tolower((unsigned char)p[i]) ==
			    tolower((unsigned char)(*words)[i]); i++)
				;
			if ((*words)[i] == '\0')
				return 1;
		}
	return 0;
}

enum lc_git_outcome
lc_git_classify(const char *status, const char *sideband)
{
	/* Every way servers say "someone else moved the branch first". */
	static const char *const race[] = { "failed to update ref",
	    "failed to lock", "cannot lock", "incorrect old value", "fetch first",
	    "non-fast-forward", "stale info", NULL };
	/* GitHub, GitLab and Gitea refusing the user rather than the content. */
	static const char *const denied[] = { "protected branch",
	    "protected ref", "permission", "not allowed to push", "denied to ",
	    "insufficient", NULL };

	if (sideband == NULL)
		sideband = "";
	if (has(status, race) || has(sideband, race))
		return LC_GIT_RACE;
	if (has(status, denied) || has(sideband, denied))
		return LC_GIT_DENIED;
	return LC_GIT_DECLINED;
}

static enum lc_git_outcome push_to(git_remote *remote, const char *src,
    const char *dst, struct lc_buf *detail, struct lc_git_auth *auth,
    int force, const git_oid *lease);

/*
 * A push, forced with a lease or not. Local remotes too go through
 * push_to: git receive-pack does the compare-and-swap there, as servers do.
 */
static enum lc_git_outcome
push(git_remote *remote, const char *src, const char *branch, int force,
    const git_oid *lease, struct lc_buf *detail, struct lc_git_auth *auth)
{
	struct lc_buf dst = LC_BUF_INIT;
	enum lc_git_outcome oc;

	lc_buf_printf(&dst, "refs/heads/%s", branch);
	oc = push_to(remote, src, dst.data, detail, auth, force, lease);
	lc_buf_release(&dst);
	return oc;
}

enum lc_git_outcome
lc_git_push(git_remote *remote, const char *src, const char *branch,
    struct lc_buf *detail, struct lc_git_auth *auth)
{
	return push(remote, src, branch, 0, NULL, detail, auth);
}

enum lc_git_outcome
lc_git_push_lease(git_remote *remote, const char *src, const char *branch,
    const git_oid *lease, struct lc_buf *detail, struct lc_git_auth *auth)
{
	return push(remote, src, branch, 1, lease, detail, auth);
}

static enum lc_git_outcome
push_to(git_remote *remote, const char *src, const char *dst,
    struct lc_buf *detail, struct lc_git_auth *auth, int force,
    const git_oid *lease)
{
	git_push_options opts;
	struct pushstate ps;
	struct lc_buf hdr = LC_BUF_INIT, spec = LC_BUF_INIT;
	enum lc_git_outcome oc;
	const char *url;
	char *headers[1];
	char *specs[1];
	git_strarray refspecs = { specs, 1 };
	int rc;

	memset(&ps, 0, sizeof(ps));
	lc_buf_init(&ps.tail);
	git_push_options_init(&opts, GIT_PUSH_OPTIONS_VERSION);
	ps.detail = detail;
	ps.auth = auth;
	ps.ref = dst;
	lc_buf_printf(&spec, "%s%s:%s", force ? "+" : "", src, dst);
	specs[0] = spec.data;
	if (force) {
		ps.lease = lease;
		ps.lease_set = lease != NULL;
		opts.callbacks.push_negotiation = on_negotiation;
	}
	opts.callbacks.push_update_reference = on_update;
	opts.callbacks.sideband_progress = on_sideband;
	opts.callbacks.payload = &ps;
	url = git_remote_pushurl(remote) ? git_remote_pushurl(remote) :
	    git_remote_url(remote);
	lc_git_prepare(&opts.callbacks, &opts.custom_headers,
	    &opts.follow_redirects, auth, &hdr, headers, url);
	rc = git_remote_push(remote, &refspecs, &opts);
	keep_tail(&ps);
	lc_git_wipe(&hdr);
	lc_buf_release(&spec);
	if (ps.lease_lost) {
		lc_error_set(LC_ERROR, "push: '%s' moved on the remote since "
		    "our fetch (lease lost)", dst);
		oc = LC_GIT_RACE;
	} else if (rc == GIT_ENONFASTFORWARD) {
		lc_git_error(rc, "push");
		oc = LC_GIT_STALE;
	} else if (rc != 0 && auth && auth->refused) {
		lc_git_auth_error(auth, "push");
		oc = LC_GIT_AUTH;
	} else if (rc != 0) {
		rc = lc_git_error(rc, "push");
		if (detail->data && lc_git_classify("", detail->data) ==
		    LC_GIT_RACE)
			oc = LC_GIT_RACE;
		else
			oc = rc == LC_EAUTH ? LC_GIT_AUTH : rc == LC_EUNAVAIL ?
			    LC_GIT_NETWORK : rc == LC_ETIMEOUT ? LC_GIT_TIMEOUT :
			    LC_GIT_FAILED;
	} else if (!ps.seen) {
		lc_error_set(LC_ERROR, "push: the server did not report "
		    "'%s'", ps.ref);
		oc = LC_GIT_FAILED;
	} else if (ps.status[0] == '\0')
		oc = LC_GIT_LANDED;
	else {
		lc_error_set(LC_ERROR, "push rejected: %s", ps.status);
		oc = lc_git_classify(ps.status, detail->data);
	}
	free(ps.status);
	return oc;
}

int
lc_git_outcome_rc(enum lc_git_outcome oc, const struct lc_buf *detail,
    const char *why)
{
	switch (oc) {
	case LC_GIT_STALE:
	case LC_GIT_RACE:
		return lc_error_set(LC_ECONFLICT, "%s %s",
		    lc_git_outcome_name(oc), why);
	case LC_GIT_NETWORK:
		return LC_EUNAVAIL;
	case LC_GIT_TIMEOUT:
		lc_log_lines("remote", detail);
		return LC_ETIMEOUT;
	case LC_GIT_AUTH:
	case LC_GIT_DENIED:
		lc_log_lines("remote", detail);
		return LC_EAUTH;
	default:
		lc_log_lines("remote", detail);
		return LC_ERROR;
	}
}

int
lc_git_retryable(enum lc_git_outcome oc)
{
	return oc == LC_GIT_STALE || oc == LC_GIT_RACE || oc == LC_GIT_NETWORK;
}

const char *
lc_git_outcome_name(enum lc_git_outcome oc)
{
	switch (oc) {
	case LC_GIT_STALE:
		return "the branch moved (stale tip)";
	case LC_GIT_RACE:
		return "lost the race on the server";
	case LC_GIT_NETWORK:
		return "network error";
	case LC_GIT_TIMEOUT:
		return "the deadline passed";
	default:
		return "rejected";
	}
}
