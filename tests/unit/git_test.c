/* git_test.c: unit tests of push-refusal classification, backoff bounds and local remote URLs. */
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "git.h"
#include "git_int.h"
#include "tap.h"

/* Wordings of git, GitHub, GitLab and Gitea. */
static const struct {
	const char *status, *sideband;
	enum lc_git_outcome want;
} cases[] = {
	{ "failed to update ref", "", LC_GIT_RACE },
	{ "failed to lock", NULL, LC_GIT_RACE },
	{ "failed to update ref", "error: cannot lock ref 'refs/heads/main': "
	    "is at 1 but expected 2", LC_GIT_RACE },
	{ "pre-receive hook declined", "GitLab: incorrect old value provided",
	    LC_GIT_RACE },
	{ "fetch first", "", LC_GIT_RACE },
	{ "non-fast-forward", "", LC_GIT_RACE },
	{ "stale info", "", LC_GIT_RACE },
	{ "protected branch hook declined", "error: GH006: Protected branch "
	    "update failed for refs/heads/main.", LC_GIT_DENIED },
	{ "pre-receive hook declined", "GitLab: You are not allowed to push "
	    "code to protected branches on this project.", LC_GIT_DENIED },
	{ "pre-receive hook declined", "Gitea: Not allowed to push to protected "
	    "branch main", LC_GIT_DENIED },
	{ "permission denied", "", LC_GIT_DENIED },
	{ "pre-receive hook declined", "policy: no pushes today", LC_GIT_DECLINED },
	{ "pre-receive hook declined", "files over 10 MB are not accepted",
	    LC_GIT_DECLINED },
	{ "funny refname", NULL, LC_GIT_DECLINED },
};

/* Which URLs are local remotes (git's url_is_local_not_ssh), and where. */
static const struct {
	const char *url, *path;
} locals[] = {
	{ "file:///srv/git/r.git", "/srv/git/r.git" },
	{ "/srv/git/r.git", "/srv/git/r.git" },
	{ "../r.git", "../r.git" },
	{ "r.git", "r.git" },
	{ "./host:r.git", "./host:r.git" },
	{ "host:r.git", NULL },
	{ "git@host:org/r.git", NULL },
	{ "ssh://host/r.git", NULL },
	{ "https://host/r.git", NULL },
	{ "git://127.0.0.1:9418/r.git", NULL },
	{ "file://host/r.git", NULL },
	{ "file://localhost/srv/git/r.git", "/srv/git/r.git" },
	{ "file:///srv/a%20b/r.git", "/srv/a b/r.git" },
	{ "file:///srv/a%2x/r.git", "/srv/a%2x/r.git" },
	{ "file:///srv/a%00/r.git", NULL },
	{ "file://localhostx/r.git", NULL },
	{ "", NULL },
};

int
main(void)
{
	size_t i;
	long long ms;
	int k, inrange = 1;
	char *p;

	for (i = 0; i < sizeof(locals) / sizeof(locals[0]); i++) {
		p = lc_git_local_path(locals[i].url);
		ok(locals[i].path ? p && strcmp(p, locals[i].path) == 0 : !p,
		    "local path of '%s' is %s", locals[i].url,
		    locals[i].path ? locals[i].path : "none");
		free(p);
	}
	ok(lc_git_host_is_ip("127.0.0.1") && lc_git_host_is_ip("::1") &&
	    lc_git_host_is_ip("[::1]") && !lc_git_host_is_ip("localhost") &&
	    !lc_git_host_is_ip("127.0.0.1.example") && !lc_git_host_is_ip(""),
	    "IP literals and host names");

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ok(lc_git_classify(cases[i].status, cases[i].sideband) ==
		    cases[i].want, "classify case %zu ('%s')", i,
		    cases[i].status);
	for (k = 0; k < 12; k++)
		for (i = 0; i < 200; i++) {
			ms = lc_clock_backoff_ms(k, 250, 2000, 4);
			if (ms < 0 || ms >= (k >= 2 ? 2000 : 250LL << 2 * k))
				inrange = 0;
		}
	ok(inrange, "backoff stays in [0, min(cap, base * 4^k))");
	ok(lc_clock_backoff_ms(0, 0, 3000, 4) == 0,
	    "a zero base means no pause");
	return done_testing();
}
