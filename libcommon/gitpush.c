/* gitpush.c: commit a change and push it to a shared branch, surviving concurrent pushers. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <git2.h>

#include "buf.h"
#include "ci.h"
#include "clock.h"
#include "error.h"
#include "git.h"
#include "gitpush.h"
#include "log.h"

struct lc_gitpush {
	struct lc_gitpush_opts o;
	git_repository *repo;
	git_remote *remote;
	git_signature *author, *committer;
	struct lc_git_auth auth;
	char *branch;
	struct lc_buf message;	/* with trailers */
	lc_gitpush_out_fn fn;
	void *arg;
};

/* The command being run, for lc_gitpush_stop. */
static volatile pid_t child;

void
lc_gitpush_opts_init(struct lc_gitpush_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->start_ms = lc_clock_ms();
	o->remote = "origin";
	o->deadline_ms = 120000;
	o->backoff_base_ms = 250;
	o->backoff_cap_ms = 2000;
	o->provenance = 1;
}

void
lc_gitpush_signals(void)
{
	lc_git_local_signals();
}

void
lc_gitpush_stop(void)
{
	if (child > 0)
		kill(child, SIGTERM);
	/* git receive-pack or upload-pack and the remote's hooks. */
	lc_git_local_kill();
}

/*
 * Arm the watchdog for ms milliseconds, at least 1 (0: disarm).
 * libgit2 1.5 has no network timeouts: a server that accepts and then
 * says nothing blocks a fetch or push for ever. Network steps run under a
 * timer set to what is left of the deadline; when it fires the caller's
 * SIGALRM handler stops the process there. Nothing local is half-written
 * at that point: the branch moves only after a push landed.
 */
static void
watchdog(long long ms)
{
	struct itimerval it;

	memset(&it, 0, sizeof(it));
	if (ms != 0) {
		/* A deadline already past fires at once, never disarms. */
		if (ms < 1)
			ms = 1;
		it.it_value.tv_sec = (time_t)(ms / 1000);
		it.it_value.tv_usec = (suseconds_t)(ms % 1000) * 1000 + 1;
	}
	setitimer(ITIMER_REAL, &it, NULL);
}

/* Arm the watchdog for what is left of the deadline, if there is one. */
static void
network(const struct lc_gitpush *g)
{
	if (g->o.deadline_ms)
		watchdog(g->o.start_ms + g->o.deadline_ms - lc_clock_ms());
}

static void
add_provenance(struct lc_buf *m)
{
	struct lc_buf url = LC_BUF_INIT;
	const char *v;

	if (lc_ci_kind() == LC_CI_GITHUB) {
		if (getenv("GITHUB_SERVER_URL") && (v = getenv("GITHUB_REPOSITORY")))
			lc_buf_printf(m, "Source-Repository: %s/%s\n",
			    getenv("GITHUB_SERVER_URL"), v);
		if ((v = getenv("GITHUB_SHA")) != NULL)
			lc_buf_printf(m, "Source-Commit: %s\n", v);
	} else if (lc_ci_kind() == LC_CI_GITLAB) {
		if ((v = getenv("CI_PROJECT_URL")) != NULL)
			lc_buf_printf(m, "Source-Repository: %s\n", v);
		if ((v = getenv("CI_COMMIT_SHA")) != NULL)
			lc_buf_printf(m, "Source-Commit: %s\n", v);
	}
	if (lc_ci_run_url(&url))
		lc_buf_printf(m, "Source-Run: %s\n", url.data);
	lc_buf_release(&url);
}

static int
build_message(const struct lc_gitpush_opts *o, struct lc_buf *m)
{
	size_t i, before;
	char *eq;

	lc_buf_adds(m, o->message);
	while (m->len > 0 && m->data[m->len - 1] == '\n')
		m->len--;
	lc_buf_adds(m, "\n\n");
	before = m->len;
	if (o->provenance)
		add_provenance(m);
	for (i = 0; i < o->ntrailers; i++) {
		if ((eq = strchr(o->trailers[i], '=')) == NULL ||
		    eq == o->trailers[i])
			return lc_error_set(LC_EUSAGE, "invalid trailer '%s' (use "
			    "KEY=VALUE)", o->trailers[i]);
		lc_buf_printf(m, "%.*s: %s\n", (int)(eq - o->trailers[i]),
		    o->trailers[i], eq + 1);
	}
	if (m->len == before) {
		m->len -= 1;
		m->data[m->len] = '\0';
	}
	return 0;
}

/* Stage the paths (relative to the current directory) or everything. */
static int
stage(struct lc_gitpush *g, git_oid *tree)
{
	const struct lc_gitpush_opts *o = &g->o;
	git_index *idx = NULL;
	char *cwd, *root;
	const char *wd = git_repository_workdir(g->repo);
	char **specs = NULL;
	git_strarray ps = { NULL, 0 };
	size_t plen;
	int i, rc;

	if (wd == NULL)
		return lc_error_set(LC_EUSAGE, "the repository has no work tree");
	/* Allocated: no length limit on where the checkout lives. */
	cwd = realpath(".", NULL);
	if (cwd == NULL || (root = realpath(wd, NULL)) == NULL) {
		free(cwd);
		return lc_error_errno(LC_ERROR, "cannot find the work tree");
	}
	plen = strlen(root);
	if (o->npaths > 0) {
		specs = lc_buf_xmalloc((size_t)o->npaths * sizeof(*specs));
		for (i = 0; i < o->npaths; i++) {
			struct lc_buf b = LC_BUF_INIT;

			if (strncmp(cwd, root, plen) == 0 && cwd[plen] == '/')
				lc_buf_printf(&b, "%s/", cwd + plen + 1);
			lc_buf_adds(&b, o->paths[i]);
			specs[i] = lc_buf_detach(&b);
		}
		ps.strings = specs;
		ps.count = (size_t)o->npaths;
	}
	if ((rc = git_repository_index(&idx, g->repo)) == 0 &&
	    (rc = git_index_add_all(idx, o->npaths ? &ps : NULL,
	    GIT_INDEX_ADD_DEFAULT, NULL, NULL)) == 0 &&
	    (rc = git_index_update_all(idx, o->npaths ? &ps : NULL, NULL,
	    NULL)) == 0 && (rc = git_index_write(idx)) == 0)
		rc = git_index_write_tree(tree, idx);
	if (rc != 0)
		rc = lc_git_error(rc, "stage");
	for (i = 0; specs && i < o->npaths; i++)
		free(specs[i]);
	free(specs);
	free(cwd);
	free(root);
	git_index_free(idx);
	return rc;
}

static int
commit_tree(struct lc_gitpush *g, const git_oid *tree_id,
    const git_oid *parent, git_oid *out)
{
	git_tree *tree = NULL;
	git_commit *p = NULL;
	int rc;

	if ((rc = git_tree_lookup(&tree, g->repo, tree_id)) != 0 ||
	    (parent != NULL && (rc = git_commit_lookup(&p, g->repo,
	    parent)) != 0))
		rc = lc_git_error(rc, "commit");
	else
		rc = lc_git_commit(g->repo, out, g->author, g->committer,
		    g->message.data, tree, p ? 1 : 0, (const git_commit **)&p,
		    0);
	git_tree_free(tree);
	git_commit_free(p);
	return rc;
}

static int
tree_of(git_repository *repo, const git_oid *commit, git_oid *tree)
{
	git_commit *c = NULL;
	int rc;

	if ((rc = git_commit_lookup(&c, repo, commit)) != 0)
		return lc_git_error(rc, "lookup");
	git_oid_cpy(tree, git_commit_tree_id(c));
	git_commit_free(c);
	return 0;
}

/* Commits reachable from head and not from tip, oldest first. */
static int
ours_since(git_repository *repo, const git_oid *head, const git_oid *tip,
    git_oid **out, size_t *n)
{
	git_revwalk *w = NULL;
	git_oid id;
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = git_revwalk_new(&w, repo)) != 0 ||
	    (rc = git_revwalk_sorting(w, GIT_SORT_TOPOLOGICAL |
	    GIT_SORT_REVERSE)) != 0 || (rc = git_revwalk_push(w, head)) != 0 ||
	    (tip && (rc = git_revwalk_hide(w, tip)) != 0)) {
		git_revwalk_free(w);
		return lc_git_error(rc, "walk");
	}
	while ((rc = git_revwalk_next(&id, w)) == 0) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			*out = lc_buf_xrealloc(*out, cap * sizeof(**out));
		}
		git_oid_cpy(&(*out)[(*n)++], &id);
	}
	git_revwalk_free(w);
	/* A missing commit is an error, never "nothing to push". */
	if (rc != GIT_ITEROVER) {
		free(*out);
		*out = NULL;
		*n = 0;
		return lc_git_error(rc, "walk");
	}
	return 0;
}

/* Check out commit's tree over the work tree (the command's starting point). */
static int
reset_to(git_repository *repo, const git_oid *commit)
{
	git_checkout_options co;
	git_object *obj = NULL;
	int rc;

	git_checkout_options_init(&co, GIT_CHECKOUT_OPTIONS_VERSION);
	co.checkout_strategy = GIT_CHECKOUT_FORCE;
	if ((rc = git_object_lookup(&obj, repo, commit, GIT_OBJECT_COMMIT)) == 0)
		rc = git_checkout_tree(repo, obj, &co);
	git_object_free(obj);
	return rc == 0 ? 0 : lc_git_error(rc, "checkout");
}

static int
run_command(char *const *argv)
{
	pid_t pid;
	int status;

	fflush(NULL);	/* nothing buffered is written twice */
	if ((pid = fork()) == -1)
		return lc_error_errno(LC_ERROR, "cannot run '%s'", argv[0]);
	child = pid;
	if (pid == 0) {
		/* The command's output is not our data: send it to stderr. */
		dup2(2, 1);
		execvp(argv[0], argv);
		fprintf(stderr, "%s: cannot run '%s': %s\n", lc_log_progname,
		    argv[0], strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR) {
			child = 0;
			return lc_error_errno(LC_ERROR, "wait");
		}
	child = 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	return lc_error_set(LC_ERROR, "'%s' failed (%s %d); nothing was "
	    "pushed", argv[0], WIFEXITED(status) ? "exit status" : "signal",
	    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
}

static int
clean_worktree(git_repository *repo)
{
	git_status_options so;
	git_status_list *sl = NULL;
	size_t n;
	int rc;

	git_status_options_init(&so, GIT_STATUS_OPTIONS_VERSION);
	so.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED;
	if ((rc = git_status_list_new(&sl, repo, &so)) != 0)
		return lc_git_error(rc, "status");
	n = git_status_list_entrycount(sl);
	git_status_list_free(sl);
	if (n > 0)
		return lc_error_set(LC_EUSAGE, "the work tree has changes; with "
		    "'-- COMMAND' it must be clean (the command is run on the "
		    "branch tip, again after each lost race)");
	return 0;
}

static int
move_branch(struct lc_gitpush *g, const git_oid *id)
{
	git_reference *ref = NULL;
	struct lc_buf name = LC_BUF_INIT;
	int rc;

	lc_buf_printf(&name, "refs/heads/%s", g->branch);
	rc = git_reference_create(&ref, g->repo, name.data, id, 1,
	    "gitpush-retry: commit");
	git_reference_free(ref);
	lc_buf_release(&name);
	return rc == 0 ? 0 : lc_git_error(rc, "update the local branch");
}

/* Hand the commit the run ends with to the caller. */
static int
finish(struct lc_gitpush *g, const git_oid *id, int pushed)
{
	char hex[GIT_OID_HEXSZ + 1];

	git_oid_tostr(hex, sizeof(hex), id);
	return g->fn(hex, pushed, g->arg);
}

/* The tip already holds the change: follow it. */
static int
already_there(struct lc_gitpush *g, const git_oid *tip, int force,
    const char *why)
{
	int rc;

	lc_log_warn("nothing to push: %s '%s/%s'", why,
	    git_remote_name(g->remote), g->branch);
	if ((rc = lc_git_land(g->repo, g->branch, tip, force)) == 0)
		rc = finish(g, tip, 0);
	return rc;
}

/* What the attempts of one push share. */
struct try {
	struct lc_gitpush *g;
	git_oid headid, newid, *ours;
	size_t nours;
	struct lc_buf conflicts, detail;
	const char *tmpref;
	int fetched, conflicted;
};

/* Replay our commits on tip into t->newid; 1 when the tip holds them. */
static int
replay(struct try *t, const git_oid *tip)
{
	struct lc_gitpush *g = t->g;
	int rc;

	rc = lc_git_replay(g->repo, t->ours, t->nours, tip, g->committer,
	    &t->newid, &t->conflicts);
	if (rc == LC_ECONFLICT && t->conflicts.len > 0) {
		/* The replay's cause, the paths, then what is left. */
		if (lc_error_msg() != NULL)
			lc_ci_error(NULL, 0, 0, lc_error_msg());
		lc_log_lines("conflict in", &t->conflicts);
		t->conflicted = 1;
		return lc_error_set(LC_ECONFLICT, "nothing was pushed; '%s' "
		    "still has the local commit%s", g->branch,
		    t->nours > 1 ? "s" : "");
	}
	if (rc != 0)
		return rc;
	/* An earlier push whose reply was lost landed. */
	return git_oid_equal(&t->newid, tip);
}

/* Run the command on tip and commit what it made into t->newid; 1: nothing. */
static int
remake(struct try *t, const git_oid *tip, int exists)
{
	struct lc_gitpush *g = t->g;
	git_oid newtree, tiptree;
	int rc;

	if (exists && (rc = reset_to(g->repo, tip)) != 0)
		return rc;
	if ((rc = run_command(g->o.command)) != 0 ||
	    (rc = stage(g, &newtree)) != 0)
		return rc;
	if (exists && (rc = tree_of(g->repo, tip, &tiptree)) == 0 &&
	    git_oid_equal(&newtree, &tiptree))
		return 1;
	if (g->o.message == NULL)
		return lc_error_set(LC_EUSAGE, "give a commit message with -m");
	return commit_tree(g, &newtree, exists ? tip : &t->headid, &t->newid);
}

/*
 * One attempt (an lc_git_attempt_fn): fetch, replay our commits (or run
 * the command) on the tip, push.
 */
static int
attempt_push(void *arg, int attempt, enum lc_git_outcome *oc)
{
	struct try *t = arg;
	struct lc_gitpush *g = t->g;
	git_reference *head = NULL;
	git_oid tip;
	int rc, exists = 0;

	t->detail.len = 0;
	t->conflicts.len = 0;
	network(g);
	rc = lc_git_fetch(g->repo, g->remote, g->branch, &tip, &exists,
	    &g->auth);
	watchdog(0);
	if (rc != 0) {
		if ((*oc = lc_git_fetch_outcome(rc)) == LC_GIT_NETWORK)
			return 1;
		return rc;
	}
	if (!t->fetched) {
		t->fetched = 1;
		/* Ours: what the local branch has and the remote lacks. */
		if (g->o.command == NULL && (rc = ours_since(g->repo,
		    &t->headid, exists ? &tip : NULL, &t->ours, &t->nours)) != 0)
			return rc;
		if (g->o.command == NULL && t->nours == 0) {
			lc_log_warn("nothing to push: '%s' has no commits that "
			    "'%s/%s' lacks", g->branch, git_remote_name(g->remote),
			    g->branch);
			return finish(g, &t->headid, 0);
		}
	}
	if (g->o.command != NULL) {
		if ((rc = remake(t, &tip, exists)) == 1)
			return already_there(g, &tip, 1,
			    "the command changed nothing on");
		if (rc != 0)
			return rc;
	} else if (!exists)
		git_oid_cpy(&t->newid, &t->headid);
	else if ((rc = replay(t, &tip)) == 1)
		return already_there(g, &tip, 0, "the change is already on");
	else if (rc != 0)
		return rc;
	if ((rc = git_reference_create(&head, g->repo, t->tmpref, &t->newid,
	    1, "gitpush-retry: attempt")) != 0)
		return lc_git_error(rc, "ref");
	git_reference_free(head);
	network(g);
	*oc = lc_git_push(g->remote, t->tmpref, g->branch, &t->detail,
	    &g->auth);
	watchdog(0);
	if (*oc == LC_GIT_LANDED) {
		if ((rc = lc_git_land(g->repo, g->branch, &t->newid,
		    g->o.command != NULL)) == 0)
			rc = finish(g, &t->newid, 1);
		if (rc == 0 && attempt > 0)
			lc_log_info("landed after %d attempts", attempt + 1);
		return rc;
	}
	return 1;
}

/* Out of attempts or time, or a rejection retrying cannot fix. */
static int
gave_up(const struct lc_git_retry *r, const struct try *t)
{
	struct lc_buf cause = LC_BUF_INIT;
	char why[64];
	int rc, made;

	/* A retryable outcome came back round the loop's top. */
	made = lc_git_retryable(r->oc) ? r->attempt : r->attempt + 1;
	snprintf(why, sizeof(why), "after %d attempt%s; nothing was pushed",
	    made, made == 1 ? "" : "s");
	rc = lc_git_outcome_rc(r->oc, &t->detail, why);
	/* The cause, then how many tries it survived. */
	if (r->oc != LC_GIT_STALE && r->oc != LC_GIT_RACE && lc_error_msg()) {
		lc_buf_adds(&cause, lc_error_msg());
		lc_error_set(rc, "%s (%s)", cause.data, why);
	}
	lc_buf_release(&cause);
	if (t->g->o.command != NULL && r->attempt > 0)
		lc_log_warn("the last attempt's commit is %s",
		    git_oid_tostr_s(&t->newid));
	return rc;
}

/* Commit the staged paths (or -a) on the local branch, when they change it. */
static int
commit_staged(struct lc_gitpush *g, git_oid *headid, int *committed)
{
	git_oid newid, newtree, tiptree;
	int rc;

	if ((rc = stage(g, &newtree)) != 0 ||
	    (rc = tree_of(g->repo, headid, &tiptree)) != 0)
		return rc;
	if (git_oid_equal(&newtree, &tiptree))
		return 0;
	if (g->o.message == NULL)
		return lc_error_set(LC_EUSAGE, "there are changes to commit: "
		    "give a message with -m");
	/* The work tree already holds it: move the branch. */
	if ((rc = commit_tree(g, &newtree, headid, &newid)) != 0 ||
	    (rc = move_branch(g, &newid)) != 0)
		return rc;
	git_oid_cpy(headid, &newid);
	*committed = 1;
	return 0;
}

int
lc_gitpush_run(struct lc_gitpush *g, lc_gitpush_out_fn fn, void *arg,
    struct lc_gitpush_result *res)
{
	const struct lc_gitpush_opts *o = &g->o;
	git_reference *head = NULL;
	struct lc_buf tmpbuf = LC_BUF_INIT;
	struct lc_git_retry r;
	struct try t;
	int rc;

	memset(res, 0, sizeof(*res));
	res->branch = g->branch;
	g->fn = fn;
	g->arg = arg;
	memset(&t, 0, sizeof(t));
	t.g = g;
	if ((rc = git_repository_head(&head, g->repo)) != 0)
		return lc_git_error(rc, "HEAD");
	git_oid_cpy(&t.headid, git_reference_target(head));
	git_reference_free(head);

	if (o->command == NULL && (o->all || o->npaths > 0) &&
	    (rc = commit_staged(g, &t.headid, &res->committed)) != 0)
		return rc;
	if (o->command != NULL && (rc = clean_worktree(g->repo)) != 0)
		return rc;

	lc_buf_printf(&tmpbuf, "refs/gitpush-retry/%s", g->branch);
	t.tmpref = tmpbuf.data;
	memset(&r, 0, sizeof(r));
	r.start_ms = o->start_ms;
	r.deadline_ms = o->deadline_ms;
	r.max_attempts = o->max_attempts;
	r.base_ms = o->backoff_base_ms;
	r.cap_ms = o->backoff_cap_ms;
	r.again = "retrying";
	r.oc = LC_GIT_FAILED;
	if ((rc = lc_git_retry(&r, attempt_push, &t)) > 0)
		rc = gave_up(&r, &t);
	git_reference_remove(g->repo, t.tmpref);
	lc_buf_release(&tmpbuf);
	res->conflicted = t.conflicted;
	free(t.ours);
	lc_buf_release(&t.conflicts);
	lc_buf_release(&t.detail);
	return rc;
}

int
lc_gitpush_open(struct lc_gitpush **out, const struct lc_gitpush_opts *o)
{
	struct lc_gitpush *g;
	int rc;

	*out = g = lc_buf_xmalloc(sizeof(*g));
	memset(g, 0, sizeof(*g));
	g->o = *o;
	if ((rc = lc_git_open(&g->repo, o->branch, &g->branch, o->remote,
	    &g->remote)) != 0)
		return rc;
	if ((rc = lc_git_auth_init(&g->auth, git_remote_url(g->remote),
	    o->token_file, o->username, NULL)) != 0)
		return rc;
	g->auth.insecure = o->insecure;
	g->auth.ssh_key = o->ssh_key;
	if (o->insecure)
		lc_log_warn("TLS certificates are not verified (--insecure)");
	if ((rc = lc_git_ca(o->ca_file, "--ca-file",
	    git_remote_url(g->remote), o->insecure)) != 0)
		return rc;
	rc = lc_git_idents(g->repo, o->author, &g->author, &g->committer);
	if (rc == 0 && o->message)
		rc = build_message(o, &g->message);
	return rc;
}

void
lc_gitpush_free(struct lc_gitpush *g)
{
	if (g == NULL)
		return;
	free(g->branch);
	lc_git_auth_release(&g->auth);
	lc_buf_release(&g->message);
	git_signature_free(g->author);
	git_signature_free(g->committer);
	git_remote_free(g->remote);
	git_repository_free(g->repo);
	free(g);
	lc_git_shutdown();
}
