/*
 * gitpush_test.c: the gitpush engine on temporary repositories (a bare
 * one as the remote, by path): the message and its trailers, a change that
 * lands, a change replayed over a competitor's commit, nothing to push, a
 * malformed trailer refused before anything is committed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "gitenv.h"
#include "gitpush.h"
#include "tap.h"

static char dir[256];

/* Run the shell command fmt (with %s the temporary directory). */
static int
sh(const char *fmt)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd), fmt, dir, dir, dir, dir);
	return system(cmd);
}

/* The first line of what the shell command fmt prints, into out. */
static void
sh_out(const char *fmt, char *out, size_t n)
{
	char cmd[2048];
	FILE *fp;
	size_t k;

	snprintf(cmd, sizeof(cmd), fmt, dir, dir);
	out[0] = '\0';
	if ((fp = popen(cmd, "r")) == NULL)
		return;
	k = fread(out, 1, n - 1, fp);
	out[k] = '\0';
	pclose(fp);
	while (k > 0 && out[k - 1] == '\n')
		out[--k] = '\0';
}

/* A new file in the current directory. */
static int
put(const char *path)
{
	FILE *fp;

	if ((fp = fopen(path, "w")) == NULL)
		return -1;
	fputs("x\n", fp);
	return fclose(fp);
}

struct seen {
	char id[64];
	int pushed, calls;
	int on_main;		/* the result names the branch main */
};

static int
record(const char *id, int pushed, void *arg)
{
	struct seen *s = arg;

	snprintf(s->id, sizeof(s->id), "%s", id);
	s->pushed = pushed;
	s->calls++;
	return 0;
}

/* Each case adds file<i>, commits it with -m and --trailer, and pushes. */
static const struct {
	const char *message, *trailer;
	int rc;
	const char *want;	/* the pushed commit's message */
} cases[] = {
	{ "add f0\n\n", NULL, 0, "add f0" },
	{ "add f1", "Reviewed-by=a b", 0, "add f1\n\nReviewed-by: a b" },
	{ "add f2", "=x", LC_EUSAGE, NULL },
	{ "add f3", "no-equals", LC_EUSAGE, NULL },
};

/* One push from the clone a; 0 or the LC_E* code. */
static int
push(const char *message, const char *trailer, char *path, struct seen *s,
    struct lc_gitpush_result *res)
{
	struct lc_gitpush_opts o;
	struct lc_gitpush *g = NULL;
	char *trailers[1], *paths[1];
	int rc;

	lc_gitpush_opts_init(&o);
	o.message = message;
	o.provenance = 0;
	o.deadline_ms = 20000;
	if (trailer != NULL) {
		trailers[0] = (char *)trailer;
		o.trailers = trailers;
		o.ntrailers = 1;
	}
	if (path != NULL) {
		paths[0] = path;
		o.paths = paths;
		o.npaths = 1;
	}
	memset(s, 0, sizeof(*s));
	memset(res, 0, sizeof(*res));
	if ((rc = lc_gitpush_open(&g, &o)) == 0)
		rc = lc_gitpush_run(g, record, s, res);
	/* res->branch is g's. */
	s->on_main = res->branch && strcmp(res->branch, "main") == 0;
	lc_gitpush_free(g);
	lc_error_clear();
	return rc;
}

int
main(void)
{
	struct lc_gitpush_result res;
	struct seen s;
	char tip[128], msg[512], path[32], parent[128], theirs[128];
	size_t i;
	int rc;

	if (gitenv(dir, sizeof(dir), "gitpush-test") != 0)
		return 1;
	if (sh("git init -q --bare -b main %s/srv.git && "
	    "git clone -q %s/srv.git %s/a 2>/dev/null && "
	    "echo init >%s/a/README") != 0 ||
	    sh("cd %s/a && git add README && git commit -qm init && "
	    "git push -q origin main 2>/dev/null && "
	    "git clone -q %s/srv.git %s/b 2>/dev/null") != 0 ||
	    chdir(dir) != 0 || chdir("a") != 0) {
		printf("Bail out! cannot set up the repositories in %s\n", dir);
		return 1;
	}

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(path, sizeof(path), "file%zu", i);
		if (put(path) != 0) {
			ok(0, "case %zu: cannot write %s", i, path);
			continue;
		}
		rc = push(cases[i].message, cases[i].trailer, path, &s, &res);
		ok(rc == cases[i].rc, "case %zu: rc %d, want %d", i, rc,
		    cases[i].rc);
		if (cases[i].rc != 0) {
			ok(s.calls == 0 && !res.committed,
			    "case %zu: nothing committed or shown", i);
			continue;
		}
		sh_out("git --git-dir=%s/srv.git rev-parse main", tip,
		    sizeof(tip));
		ok(s.calls == 1 && s.pushed && strcmp(s.id, tip) == 0,
		    "case %zu: the pushed commit %s is the remote's tip", i,
		    s.id);
		sh_out("git --git-dir=%s/srv.git log -1 --format=%%B main", msg,
		    sizeof(msg));
		is_str(msg, cases[i].want, "case %zu: the message", i);
		ok(res.committed && s.on_main,
		    "case %zu: committed on main", i);
	}

	/* Nothing the remote lacks: the local tip, not pushed. */
	rc = push(NULL, NULL, NULL, &s, &res);
	sh_out("git --git-dir=%s/srv.git rev-parse main", tip, sizeof(tip));
	ok(rc == 0 && s.calls == 1 && !s.pushed && strcmp(s.id, tip) == 0,
	    "nothing to push: the tip %s, not pushed", s.id);

	/* A competitor lands first: ours is replayed on its commit. */
	sh("rm -f %s/a/file2 %s/a/file3; cd %s/b && git pull -q 2>/dev/null "
	    "&& echo b >theirs && git add theirs && git commit -qm theirs && "
	    "git push -q origin main 2>/dev/null");
	sh_out("git --git-dir=%s/srv.git rev-parse main", theirs,
	    sizeof(theirs));
	put("mine");
	rc = push("add mine", NULL, "mine", &s, &res);
	sh_out("git --git-dir=%s/srv.git rev-parse main", tip, sizeof(tip));
	sh_out("git --git-dir=%s/srv.git rev-parse main^", parent,
	    sizeof(parent));
	ok(rc == 0 && s.pushed && strcmp(s.id, tip) == 0 &&
	    strcmp(parent, theirs) == 0,
	    "a lost race: replayed on the competitor's commit");
	sh_out("git -C %s/a rev-parse HEAD", msg, sizeof(msg));
	is_str(msg, tip, "the local branch follows the remote");

	if (chdir("/") == 0)
		sh("rm -rf %s");
	return done_testing();
}
