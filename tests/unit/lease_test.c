/*
 * lease_test.c: lc_git_push_lease (git push --force-with-lease) over
 * file:// and over git:// (a git daemon on loopback): a branch that moved
 * after our fetch is a lost lease, never overwritten; with the right lease
 * the forced update lands; a lease of "absent" refuses an existing branch.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "git.h"
#include "gitenv.h"
#include "tap.h"

static char dir[256];

static int
sh(const char *fmt, const char *arg)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd), fmt, dir, arg, dir, arg);
	return system(cmd);
}

/* The id of rev in the bare repository, as text. */
static void
rev(const char *r, char *out, size_t n)
{
	char cmd[600];
	FILE *p;

	snprintf(cmd, sizeof(cmd), "git --git-dir %s/srv/org/r.git rev-parse "
	    "%s", dir, r);
	out[0] = '\0';
	if ((p = popen(cmd, "r")) != NULL) {
		if (fgets(out, (int)n, p) != NULL)
			out[strcspn(out, "\n")] = '\0';
		pclose(p);
	}
}

static int
free_port(void)
{
	struct sockaddr_in a;
	socklen_t l = sizeof(a);
	int s = socket(AF_INET, SOCK_STREAM, 0), port;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bind(s, (struct sockaddr *)&a, sizeof(a));
	getsockname(s, (struct sockaddr *)&a, &l);
	port = ntohs(a.sin_port);
	close(s);
	return port;
}

/* Wait (bounded, ~10 s) until the daemon accepts connections. */
static int
wait_port(int port)
{
	struct sockaddr_in a;
	struct timespec ts = { 0, 20000000 };
	int i, s, ok_ = 0;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((unsigned short)port);
	for (i = 0; i < 500 && !ok_; i++) {
		s = socket(AF_INET, SOCK_STREAM, 0);
		ok_ = connect(s, (struct sockaddr *)&a, sizeof(a)) == 0;
		close(s);
		if (!ok_)
			nanosleep(&ts, NULL);
	}
	return ok_;
}

/* The four cases against the remote at url. */
static void
cases(const char *what, const char *url)
{
	git_repository *repo = NULL;
	git_remote *remote = NULL;
	git_reference *ref = NULL;
	git_signature *sig = NULL;
	git_tree *tree = NULL;
	git_commit *parent = NULL;
	struct lc_buf detail = LC_BUF_INIT;
	char path[512], want[64], got[64];
	git_oid tip, mine, stale;
	enum lc_git_outcome oc;
	int exists = 0;

	snprintf(path, sizeof(path), "%s/w", dir);
	if (git_repository_open(&repo, path) != 0 ||
	    git_remote_create_anonymous(&remote, repo, url) != 0) {
		ok(0, "%s: open", what);
		return;
	}
	/* Our fetch sees the work branch at its first commit. */
	ok(lc_git_fetch(repo, remote, "work", &tip, &exists, NULL) == 0 &&
	    exists, "%s: fetch", what);
	git_oid_cpy(&stale, &tip);
	/* Our commit: on the same parent, another tree (a forced update). */
	git_signature_now(&sig, "t", "t@example.com");
	git_commit_lookup(&parent, repo, &tip);
	git_commit_tree(&tree, parent);
	git_commit_create(&mine, repo, NULL, sig, sig, NULL, "mine\n", tree, 0,
	    NULL);
	git_reference_create(&ref, repo, "refs/lease-test", &mine, 1, NULL);
	git_reference_free(ref);
	/* Meanwhile somebody else pushes to the work branch. */
	sh("cd %s/w && git commit -q --allow-empty -m other && "
	    "git push -q origin HEAD:work%s", "");
	rev("work", want, sizeof(want));
	oc = lc_git_push_lease(remote, "refs/lease-test", "work", &stale,
	    &detail, NULL);
	rev("work", got, sizeof(got));
	ok(oc == LC_GIT_RACE && strcmp(got, want) == 0, "%s: a branch that "
	    "moved after our fetch is a lost lease and stays (%d)", what, oc);
	/* With what it holds now as the lease, the forced push lands. */
	git_oid_fromstr(&tip, want);
	detail.len = 0;
	oc = lc_git_push_lease(remote, "refs/lease-test", "work", &tip, &detail,
	    NULL);
	rev("work", got, sizeof(got));
	ok(oc == LC_GIT_LANDED && strcmp(got, git_oid_tostr_s(&mine)) == 0,
	    "%s: the right lease lands a forced update (%d)", what, oc);
	/* "Must not exist" refuses a branch that exists. */
	detail.len = 0;
	oc = lc_git_push_lease(remote, "refs/lease-test", "work", NULL, &detail,
	    NULL);
	ok(oc == LC_GIT_RACE, "%s: a lease of 'absent' refuses an existing "
	    "branch (%d)", what, oc);
	/* And creates one that does not. */
	detail.len = 0;
	oc = lc_git_push_lease(remote, "refs/lease-test", "fresh", NULL,
	    &detail, NULL);
	rev("fresh", got, sizeof(got));
	ok(oc == LC_GIT_LANDED && strcmp(got, git_oid_tostr_s(&mine)) == 0,
	    "%s: a lease of 'absent' creates a new branch (%d)", what, oc);
	sh("git --git-dir %s/srv/org/r.git branch -q -D fresh%s", "");
	lc_buf_release(&detail);
	git_tree_free(tree);
	git_commit_free(parent);
	git_signature_free(sig);
	git_remote_free(remote);
	git_repository_free(repo);
}

int
main(void)
{
	char url[600];
	pid_t pid;
	int port;

	if (gitenv(dir, sizeof(dir), "lease-test") != 0)
		return 1;
	lc_git_init();
	if (sh("git init -q --bare -b main %s/srv/org/r.git%s", "") != 0 ||
	    sh("git clone -q %s/srv/org/r.git %s/w 2>/dev/null", dir) != 0 ||
	    sh("cd %s/w && git commit -q --allow-empty -m base && "
	    "git push -q origin HEAD:main HEAD:work%s", "") != 0) {
		printf("Bail out! git set-up failed\n");
		return 1;
	}
	snprintf(url, sizeof(url), "file://%s/srv/org/r.git", dir);
	cases("file://", url);
	/* Reset the work branch to base for the network round. */
	sh("cd %s/w && git push -q -f origin main:work%s", "");
	port = free_port();
	if ((pid = fork()) == 0) {
		char p[32], base[300];

		snprintf(p, sizeof(p), "--port=%d", port);
		snprintf(base, sizeof(base), "--base-path=%s/srv", dir);
		/* Its complaints when we stop it are not ours to show. */
		if (freopen("/dev/null", "w", stderr) == NULL)
			_exit(127);
		execlp("git", "git", "daemon", "--reuseaddr",
		    "--listen=127.0.0.1", p, base, "--export-all",
		    "--enable=receive-pack", (char *)NULL);
		_exit(127);
	}
	if (!wait_port(port))
		ok(0, "git daemon did not start");
	else {
		snprintf(url, sizeof(url), "git://127.0.0.1:%d/org/r.git", port);
		/* The second clone's origin is the daemon now. */
		sh("cd %s/w && git remote set-url origin %s", url);
		cases("git://", url);
	}
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	sh("rm -rf %s%s", "");
	return done_testing();
}
