/* gitpush-retry: commit a change and push it to a shared branch, surviving concurrent pushers. */
#include <errno.h>
#include <getopt.h>
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
#include "cli.h"
#include "clock.h"
#include "error.h"
#include "git.h"
#include "log.h"
#include "parse.h"

static const struct option longopts[] = {
	{ "all", no_argument, NULL, 'a' },
	{ "author", required_argument, NULL, 'A' },
	{ "backoff-base", required_argument, NULL, 'B' },
	{ "backoff-cap", required_argument, NULL, 'C' },
	{ "branch", required_argument, NULL, 'b' },
	{ "ca-file", required_argument, NULL, 'c' },
	{ "deadline", required_argument, NULL, 'd' },
	{ "exit-code", no_argument, NULL, 'E' },
	{ "help", no_argument, NULL, 'h' },
	{ "insecure", no_argument, NULL, 'k' },
	{ "max-attempts", required_argument, NULL, 'M' },
	{ "message", required_argument, NULL, 'm' },
	{ "no-provenance", no_argument, NULL, 'P' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "remote", required_argument, NULL, 'r' },
	{ "ssh-key", required_argument, NULL, 's' },
	{ "token-file", required_argument, NULL, 't' },
	{ "trailer", required_argument, NULL, 'T' },
	{ "username", required_argument, NULL, 'u' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

struct opts {
	const char *message, *author, *branch, *remote, *token_file, *username;
	const char *ca_file, *ssh_key;
	int insecure;
	long long deadline_ms, backoff_base, backoff_cap;
	long max_attempts;
	int all, exit_code, provenance;
	char **trailers;
	size_t ntrailers;
	char **paths;		/* to stage, relative to the current directory */
	int npaths;
	char **command;		/* after "--", or NULL */
};

struct state {
	git_repository *repo;
	git_remote *remote;
	git_signature *author, *committer;
	struct lc_git_auth auth;
	char *branch;
	struct lc_buf message;	/* with trailers */
	long long start_ms;
};

/* The command being run, for the watchdog to stop. */
static volatile pid_t child;

/*
 * libgit2 1.5 has no network timeouts: a server that accepts and then
 * says nothing blocks a fetch or push for ever. Network steps run under a
 * timer set to what is left of the deadline; when it fires the process
 * stops there. Nothing local is half-written at that point: the branch
 * moves only after a push landed.
 */
static void
on_deadline(int sig)
{
	static const char msg[] = "gitpush-retry: the deadline passed while "
	    "waiting (a push in flight may still land; a rerun will not "
	    "duplicate it)\n";

	(void)sig;
	if (child > 0)
		kill(child, SIGTERM);
	/* git receive-pack or upload-pack and the remote's hooks. */
	lc_git_local_kill();
	(void)!write(2, msg, sizeof(msg) - 1);
	_exit(LC_EXIT_TIMEOUT);
}

/* Arm the watchdog for ms milliseconds, at least 1 (0: disarm). */
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

static _Noreturn void
usage(int status)
{
	FILE *fp = status == LC_EXIT_OK ? stdout : stderr;

	fprintf(fp, "usage: %s [-aEhPqVv] [-m message] [--author author] "
	    "[--backoff-base duration] [--backoff-cap duration] "
	    "[--branch branch] [--ca-file file] [--deadline duration] "
	    "[--insecure] [--max-attempts n] "
	    "[--remote remote] [--ssh-key file] [--token-file file] "
	    "[--trailer key=value] "
	    "[--username name] [path ...] [-- command [arg ...]]\n",
	    lc_log_progname);
	if (status == LC_EXIT_OK)
		fputs("\n"
		    "  -m, --message MSG      commit message\n"
		    "  -a, --all              commit every change in the work "
		    "tree\n"
		    "      --author 'N <E>'   author (default: GIT_AUTHOR_*, "
		    "git config)\n"
		    "      --backoff-base DUR first pause bound (default 250ms)\n"
		    "      --backoff-cap DUR  largest pause bound (default 2s)\n"
		    "      --branch NAME      branch to push (default: the "
		    "current one)\n"
		    "      --remote NAME      remote (default: origin)\n"
		    "      --deadline DUR     give up after DUR (default 2m)\n"
		    "      --max-attempts N   give up after N pushes (default: "
		    "only the deadline)\n"
		    "      --ca-file FILE     also trust the CAs in FILE (default: "
		    "GIT_SSL_CAINFO, SSL_CERT_FILE...)\n"
		    "      --insecure         do not verify TLS certificates\n"
		    "      --ssh-key FILE     SSH private key (default: ssh-agent, "
		    "~/.ssh/id_*)\n"
		    "      --token-file FILE  HTTP token (default: GITOPS_TOKEN, "
		    "GITHUB_TOKEN,\n"
		    "                         GH_TOKEN, GITLAB_TOKEN)\n"
		    "      --username NAME    user for the token\n"
		    "      --trailer K=V      add a trailer (repeatable)\n"
		    "      --no-provenance    no CI provenance trailers\n"
		    "      --exit-code        exit 1 when there was nothing to "
		    "push\n"
		    "  -q, --quiet            only errors on stderr\n"
		    "  -v, --verbose          log everything (debug too)\n"
		    "  -h, --help             show this help\n"
		    "  -V, --version          show the version\n"
		    "\n"
		    "  -- COMMAND             run COMMAND to make the change; "
		    "on a race it runs\n"
		    "                         again on the new tip instead of "
		    "replaying text\n", fp);
	exit(status);
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
build_message(const struct opts *o, struct lc_buf *m)
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
stage(struct state *st, const struct opts *o, git_oid *tree)
{
	git_index *idx = NULL;
	char *cwd, *root;
	const char *wd = git_repository_workdir(st->repo);
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
	if ((rc = git_repository_index(&idx, st->repo)) == 0 &&
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
commit_tree(struct state *st, const git_oid *tree_id, const git_oid *parent,
    git_oid *out)
{
	git_tree *tree = NULL;
	git_commit *p = NULL;
	int rc;

	if ((rc = git_tree_lookup(&tree, st->repo, tree_id)) == 0 &&
	    (parent == NULL || (rc = git_commit_lookup(&p, st->repo,
	    parent)) == 0))
		rc = git_commit_create(out, st->repo, NULL, st->author,
		    st->committer, NULL, st->message.data, tree, p ? 1 : 0,
		    (const git_commit **)&p);
	git_tree_free(tree);
	git_commit_free(p);
	return rc == 0 ? 0 : lc_git_error(rc, "commit");
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
run_command(char **argv)
{
	pid_t pid;
	int status;

	fflush(stdout);
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
move_branch(struct state *st, const git_oid *id)
{
	git_reference *ref = NULL;
	struct lc_buf name = LC_BUF_INIT;
	int rc;

	lc_buf_printf(&name, "refs/heads/%s", st->branch);
	rc = git_reference_create(&ref, st->repo, name.data, id, 1,
	    "gitpush-retry: commit");
	git_reference_free(ref);
	lc_buf_release(&name);
	return rc == 0 ? 0 : lc_git_error(rc, "update the local branch");
}

static int
finish(const git_oid *id, int pushed)
{
	char hex[GIT_OID_HEXSZ + 1];

	git_oid_tostr(hex, sizeof(hex), id);
	if (pushed)
		printf("%s\n", hex);
	if (lc_ci_output("sha", hex) != 0 ||
	    lc_ci_output("pushed", pushed ? "true" : "false") != 0)
		return LC_ERROR;
	return 0;
}

/* A line that helps, shown unless -q: "prog: hint: msg". */
static void
hint(const char *msg)
{
	if (lc_log_enabled(LC_LOG_WARN))
		fprintf(stderr, "%s: hint: %s\n", lc_log_progname, msg);
}

/* The tip already holds the change: follow it, exit 0 (1 with -E). */
static int
already_there(struct state *st, const struct opts *o, const git_oid *tip,
    int force, const char *why)
{
	int rc;

	lc_log_warn("nothing to push: %s '%s/%s'", why,
	    git_remote_name(st->remote), st->branch);
	if ((rc = lc_git_land(st->repo, st->branch, tip, force)) == 0)
		rc = finish(tip, 0);
	return rc ? rc : o->exit_code ? LC_ENO : 0;
}

/* What the attempts of one push share. */
struct try {
	struct state *st;
	const struct opts *o;
	git_oid headid, newid, *ours;
	size_t nours;
	struct lc_buf conflicts, detail;
	const char *tmpref;
	int fetched, conflicted;
};

/*
 * One attempt (an lc_git_attempt_fn): fetch, replay our commits (or run
 * the command) on the tip, push.
 */
static int
attempt_push(void *arg, int attempt, enum lc_git_outcome *oc)
{
	struct try *t = arg;
	struct state *st = t->st;
	const struct opts *o = t->o;
	git_reference *head = NULL;
	git_oid tip, newtree, tiptree;
	int rc, exists = 0;

	t->detail.len = 0;
	t->conflicts.len = 0;
	if (o->deadline_ms)
		watchdog(st->start_ms + o->deadline_ms - lc_clock_ms());
	rc = lc_git_fetch(st->repo, st->remote, st->branch, &tip,
	    &exists, &st->auth);
	watchdog(0);
	if (rc != 0) {
		if ((*oc = lc_git_fetch_outcome(rc)) == LC_GIT_NETWORK)
			return 1;
		return rc;
	}
	if (!t->fetched) {
		t->fetched = 1;
		/* Ours: what the local branch has and the remote lacks. */
		if (o->command == NULL && (rc = ours_since(st->repo,
		    &t->headid, exists ? &tip : NULL, &t->ours, &t->nours)) != 0)
			return rc;
		if (o->command == NULL && t->nours == 0) {
			lc_log_warn("nothing to push: '%s' has no "
			    "commits that '%s/%s' lacks", st->branch,
			    git_remote_name(st->remote), st->branch);
			rc = finish(&t->headid, 0);
			rc = rc ? rc : o->exit_code ? LC_ENO : 0;
			return rc;
		}
	}
	if (o->command != NULL) {
		if (exists && (rc = reset_to(st->repo, &tip)) != 0)
			return rc;
		if ((rc = run_command(o->command)) != 0 ||
		    (rc = stage(st, o, &newtree)) != 0)
			return rc;
		if (exists && (rc = tree_of(st->repo, &tip,
		    &tiptree)) == 0 && git_oid_equal(&newtree,
		    &tiptree)) {
			rc = already_there(st, o, &tip, 1,
			    "the command changed nothing on");
			return rc;
		}
		if (o->message == NULL) {
			rc = lc_error_set(LC_EUSAGE, "give a commit "
			    "message with -m");
			return rc;
		}
		if ((rc = commit_tree(st, &newtree, exists ? &tip :
		    &t->headid, &t->newid)) != 0)
			return rc;
	} else if (!exists)
		git_oid_cpy(&t->newid, &t->headid);
	else {
		rc = lc_git_replay(st->repo, t->ours, t->nours, &tip,
		    st->committer, &t->newid, &t->conflicts);
		if (rc == LC_ECONFLICT && t->conflicts.len > 0) {
			lc_cli_report_error();
			lc_log_lines("conflict in", &t->conflicts);
			rc = lc_error_set(LC_ECONFLICT, "nothing was pushed;"
			    " '%s' still has the local commit%s",
			    st->branch, t->nours > 1 ? "s" : "");
			t->conflicted = 1;
			return rc;
		}
		if (rc != 0)
			return rc;
		if (git_oid_equal(&t->newid, &tip)) {
			/* An earlier push whose reply was lost landed. */
			rc = already_there(st, o, &tip, 0,
			    "the change is already on");
			return rc;
		}
	}
	if ((rc = git_reference_create(&head, st->repo, t->tmpref, &t->newid,
	    1, "gitpush-retry: attempt")) != 0) {
		rc = lc_git_error(rc, "ref");
		return rc;
	}
	git_reference_free(head);
	if (o->deadline_ms)
		watchdog(st->start_ms + o->deadline_ms - lc_clock_ms());
	*oc = lc_git_push(st->remote, t->tmpref, st->branch, &t->detail,
	    &st->auth);
	watchdog(0);
	if (*oc == LC_GIT_LANDED) {
		if ((rc = lc_git_land(st->repo, st->branch, &t->newid, o->command != NULL))
		    == 0)
			rc = finish(&t->newid, 1);
		if (rc == 0 && attempt > 0)
			lc_log_info("landed after %d attempts", attempt + 1);
		return rc;
	}
	return 1;
}

static int
run(struct state *st, const struct opts *o)
{
	git_reference *head = NULL;
	git_oid headid, newid, newtree, tiptree;
	struct lc_buf tmpbuf = LC_BUF_INIT;
	struct lc_git_retry r;
	struct try t;
	int rc, committed = 0, made;

	if ((rc = git_repository_head(&head, st->repo)) != 0)
		return lc_git_error(rc, "HEAD");
	git_oid_cpy(&headid, git_reference_target(head));
	git_reference_free(head);

	if (o->command == NULL && (o->all || o->npaths > 0)) {
		if ((rc = stage(st, o, &newtree)) != 0 ||
		    (rc = tree_of(st->repo, &headid, &tiptree)) != 0)
			return rc;
		if (!git_oid_equal(&newtree, &tiptree)) {
			if (o->message == NULL)
				return lc_error_set(LC_EUSAGE, "there are "
				    "changes to commit: give a message with -m");
			/* The work tree already holds it: move the branch. */
			if ((rc = commit_tree(st, &newtree, &headid,
			    &newid)) != 0 || (rc = move_branch(st, &newid)) != 0)
				return rc;
			git_oid_cpy(&headid, &newid);
			committed = 1;
		}
	}
	if (o->command != NULL && (rc = clean_worktree(st->repo)) != 0)
		return rc;

	lc_buf_printf(&tmpbuf, "refs/gitpush-retry/%s", st->branch);
	memset(&t, 0, sizeof(t));
	t.st = st;
	t.o = o;
	t.tmpref = tmpbuf.data;
	git_oid_cpy(&t.headid, &headid);
	memset(&r, 0, sizeof(r));
	r.start_ms = st->start_ms;
	r.deadline_ms = o->deadline_ms;
	r.max_attempts = o->max_attempts;
	r.base_ms = o->backoff_base;
	r.cap_ms = o->backoff_cap;
	r.again = "retrying";
	r.oc = LC_GIT_FAILED;
	if ((rc = lc_git_retry(&r, attempt_push, &t)) <= 0)
		goto done;
	/* Out of attempts or time, or a rejection retrying cannot fix. */
	{
		struct lc_buf cause = LC_BUF_INIT;
		char why[64];

		/* A retryable outcome came back round the loop's top. */
		made = lc_git_retryable(r.oc) ? r.attempt : r.attempt + 1;
		snprintf(why, sizeof(why), "after %d attempt%s; nothing was "
		    "pushed", made, made == 1 ? "" : "s");
		rc = lc_git_outcome_rc(r.oc, &t.detail, why);
		/* The cause, then how many tries it survived. */
		if (r.oc != LC_GIT_STALE && r.oc != LC_GIT_RACE &&
		    lc_error_msg()) {
			lc_buf_adds(&cause, lc_error_msg());
			lc_error_set(rc, "%s (%s)", cause.data, why);
		}
		lc_buf_release(&cause);
	}
	if (o->command != NULL && r.attempt > 0)
		lc_log_warn("the last attempt's commit is %s",
		    git_oid_tostr_s(&t.newid));
done:
	git_reference_remove(st->repo, t.tmpref);
	lc_buf_release(&tmpbuf);
	/* The cause first, then what is left behind and what helps. */
	if (rc != 0 && (committed || t.conflicted))
		lc_cli_report_error();
	if (rc != 0 && committed)
		lc_log_warn("the commit stays on the local branch '%s'",
		    st->branch);
	if (t.conflicted)
		hint("make the change with a command instead (gitpush-retry "
		    "-m MSG -- COMMAND [ARG ...]): it runs again on the new "
		    "tip after each lost race, so it does not conflict");
	free(t.ours);
	lc_buf_release(&t.conflicts);
	lc_buf_release(&t.detail);
	return rc;
}

static int
open_state(struct state *st, struct opts *o)
{
	int rc;

	if ((rc = lc_git_open(&st->repo, o->branch, &st->branch, o->remote,
	    &st->remote)) != 0)
		return rc;
	if ((rc = lc_git_auth_init(&st->auth, git_remote_url(st->remote),
	    o->token_file, o->username, NULL)) != 0)
		return rc;
	st->auth.insecure = o->insecure;
	st->auth.ssh_key = o->ssh_key;
	if (o->insecure)
		lc_log_warn("TLS certificates are not verified (--insecure)");
	if ((rc = lc_git_ca(o->ca_file, "--ca-file",
	    git_remote_url(st->remote), o->insecure)) != 0)
		return rc;
	rc = lc_git_idents(st->repo, o->author, &st->author, &st->committer);
	if (rc == 0 && o->message)
		rc = build_message(o, &st->message);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct opts o;
	struct state st;
	long n;
	int ch, rc = 0, dd, verbosity = 0;

	lc_cli_init(argv[0]);
	memset(&o, 0, sizeof(o));
	memset(&st, 0, sizeof(st));
	st.start_ms = lc_clock_ms();
	signal(SIGALRM, on_deadline);
	lc_git_local_signals();
	o.remote = "origin";
	o.deadline_ms = 120000;
	o.backoff_base = 250;
	o.backoff_cap = 2000;
	o.provenance = 1;
	/* What follows "--" is the command, not paths. */
	for (dd = 1; dd < argc && strcmp(argv[dd], "--") != 0; dd++)
		;
	if (dd < argc) {
		if (dd + 1 == argc) {
			lc_log_error("'--' needs a command after it");
			usage(LC_EXIT_USAGE);
		}
		o.command = argv + dd + 1;
		argv[dd] = NULL;
		argc = dd;
	}
	while ((ch = getopt_long(argc, argv, "aEhm:PqVv", longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'a':
			o.all = 1;
			break;
		case 'A':
			o.author = optarg;
			break;
		case 'B':
		case 'C':
			if (lc_parse_duration_opt(ch == 'B' ? "--backoff-base" :
			    "--backoff-cap", optarg, ch == 'B' ?
			    &o.backoff_base : &o.backoff_cap) != 0) {
				lc_cli_report_error();
				usage(LC_EXIT_USAGE);
			}
			break;
		case 'b':
			o.branch = optarg;
			break;
		case 'c':
			o.ca_file = optarg;
			break;
		case 'k':
			o.insecure = 1;
			break;
		case 'd':
			if (lc_parse_duration_opt("--deadline", optarg,
			    &o.deadline_ms) != 0) {
				lc_cli_report_error();
				usage(LC_EXIT_USAGE);
			}
			break;
		case 'E':
			o.exit_code = 1;
			break;
		case 'h':
			usage(LC_EXIT_OK);
		case 'M':
			if (lc_parse_long(optarg, 1, 100000, &n) != 0) {
				lc_cli_report_error();
				usage(LC_EXIT_USAGE);
			}
			o.max_attempts = n;
			break;
		case 'm':
			o.message = optarg;
			break;
		case 'P':
			o.provenance = 0;
			break;
		case 'q':
			verbosity = -1;
			break;
		case 'r':
			o.remote = optarg;
			break;
		case 's':
			o.ssh_key = optarg;
			break;
		case 't':
			o.token_file = optarg;
			break;
		case 'u':
			o.username = optarg;
			break;
		case 'T':
			o.trailers = lc_buf_xrealloc(o.trailers,
			    (o.ntrailers + 1) *
			    sizeof(*o.trailers));
			o.trailers[o.ntrailers++] = optarg;
			break;
		case 'V':
			lc_cli_version();
			return lc_cli_exit(0);
		case 'v':
			verbosity++;
			break;
		default:
			usage(LC_EXIT_USAGE);
		}
	}
	/* -v shows everything logged, in every command; -vv is the same. */
	if (verbosity < 0)
		lc_log_set_level(LC_LOG_ERROR);
	else if (verbosity > 0)
		lc_log_set_level(LC_LOG_DEBUG);
	o.paths = argv + optind;
	o.npaths = argc - optind;
	if (o.command != NULL && o.all)
		lc_log_warn("-a is implied with -- COMMAND");
	if ((rc = open_state(&st, &o)) == 0)
		rc = run(&st, &o);
	free(st.branch);
	lc_git_auth_release(&st.auth);
	lc_buf_release(&st.message);
	git_signature_free(st.author);
	git_signature_free(st.committer);
	git_remote_free(st.remote);
	git_repository_free(st.repo);
	free(o.trailers);
	git_libgit2_shutdown();
	return lc_cli_exit(rc);
}
