/* git_replay.c: fetch one branch and replay commits onto its tip. */
#include "error.h"
#include "git.h"
#include "git_int.h"

int
lc_git_fetch(git_repository *repo, git_remote *remote, const char *branch,
    git_oid *tip, int *exists, struct lc_git_auth *auth)
{
	git_fetch_options opts;
	git_reference *ref = NULL;
	struct lc_buf hdr = LC_BUF_INIT, spec = LC_BUF_INIT, name = LC_BUF_INIT;
	char *headers[1];
	char *specs[1];
	git_strarray refspecs = { specs, 1 };
	int rc;

	lc_buf_printf(&name, "refs/remotes/%s/%s", git_remote_name(remote),
	    branch);
	lc_buf_printf(&spec, "+refs/heads/%s:%s", branch, name.data);
	specs[0] = spec.data;
	git_fetch_options_init(&opts, GIT_FETCH_OPTIONS_VERSION);
	opts.prune = GIT_FETCH_NO_PRUNE;
	opts.update_fetchhead = 0;
	opts.callbacks.payload = &auth;
	lc_git_prepare(&opts.callbacks, &opts.custom_headers,
	    &opts.follow_redirects, auth, &hdr, headers, git_remote_url(remote));
	rc = git_remote_fetch(remote, &refspecs, &opts, NULL);
	lc_git_wipe(&hdr);
	lc_buf_release(&spec);
	if (rc != 0) {
		lc_buf_release(&name);
		return auth && auth->refused ? lc_git_auth_error(auth, "fetch") :
		    lc_git_error(rc, "fetch");
	}
	/* A branch that is not there yet is created by the push. */
	*exists = 0;
	if (git_reference_lookup(&ref, repo, name.data) == 0) {
		git_oid_cpy(tip, git_reference_target(ref));
		git_reference_free(ref);
		*exists = 1;
	}
	lc_buf_release(&name);
	return 0;
}

static void
add_conflicts(git_index *index, struct lc_buf *out)
{
	git_index_conflict_iterator *it;
	const git_index_entry *a, *o, *t;

	if (git_index_conflict_iterator_new(&it, index) != 0)
		return;
	while (git_index_conflict_next(&a, &o, &t, it) == 0)
		lc_buf_printf(out, "%s\n", o ? o->path : t ? t->path : a->path);
	git_index_conflict_iterator_free(it);
}

int
lc_git_replay(git_repository *repo, const git_oid *ours, size_t n,
    const git_oid *onto, const git_signature *committer, git_oid *out,
    struct lc_buf *conflicts)
{
	git_commit *c = NULL, *base = NULL;
	git_index *index = NULL;
	git_tree *tree = NULL;
	git_oid cur, tid;
	size_t i;
	int rc = 0;

	git_oid_cpy(&cur, onto);
	for (i = 0; i < n && rc == 0; i++) {
		if ((rc = git_commit_lookup(&c, repo, &ours[i])) != 0 ||
		    (rc = git_commit_lookup(&base, repo, &cur)) != 0) {
			rc = lc_git_error(rc, "replay");
			break;
		}
		if (git_commit_parentcount(c) > 1) {
			rc = lc_error_set(LC_ECONFLICT, "commit %.12s is a merge; "
			    "gitpush-retry replays only plain commits",
			    git_oid_tostr_s(&ours[i]));
			break;
		}
		if ((rc = git_cherrypick_commit(&index, repo, c, base, 0,
		    NULL)) != 0) {
			rc = lc_git_error(rc, "replay");
			break;
		}
		if (git_index_has_conflicts(index)) {
			add_conflicts(index, conflicts);
			rc = lc_error_set(LC_ECONFLICT, "commit %.12s conflicts "
			    "with the remote branch", git_oid_tostr_s(&ours[i]));
			break;
		}
		if ((rc = git_index_write_tree_to(&tid, index, repo)) != 0 ||
		    (rc = git_tree_lookup(&tree, repo, &tid)) != 0) {
			rc = lc_git_error(rc, "replay");
			break;
		}
		/* Already there (a push whose reply was lost): drop it. */
		if (!git_oid_equal(&tid, git_commit_tree_id(base)) &&
		    (rc = git_commit_create(&cur, repo, NULL,
		    git_commit_author(c), committer,
		    git_commit_message_encoding(c), git_commit_message(c),
		    tree, 1, (const git_commit **)&base)) != 0)
			rc = lc_git_error(rc, "replay");
		git_tree_free(tree);
		tree = NULL;
		git_index_free(index);
		index = NULL;
		git_commit_free(c);
		git_commit_free(base);
		c = base = NULL;
	}
	git_index_free(index);
	git_commit_free(c);
	git_commit_free(base);
	if (rc == 0)
		git_oid_cpy(out, &cur);
	return rc;
}

enum lc_git_outcome
lc_git_fetch_outcome(int rc)
{
	switch (rc) {
	case LC_EAUTH:
		return LC_GIT_AUTH;
	case LC_EUNAVAIL:
		return LC_GIT_NETWORK;
	case LC_ETIMEOUT:
		return LC_GIT_TIMEOUT;
	default:
		return LC_GIT_FAILED;
	}
}
