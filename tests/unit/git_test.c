/* git_test.c: unit tests of push-refusal classification and backoff bounds. */
#include "git.h"
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

int
main(void)
{
	size_t i;
	long long ms;
	int k, inrange = 1;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ok(lc_git_classify(cases[i].status, cases[i].sideband) ==
		    cases[i].want, "classify case %zu ('%s')", i,
		    cases[i].status);
	for (k = 0; k < 12; k++)
		for (i = 0; i < 200; i++) {
			ms = lc_git_backoff(k, 250, 2000);
			if (ms < 0 || ms >= (k >= 2 ? 2000 : 250LL << 2 * k))
				inrange = 0;
		}
	ok(inrange, "backoff stays in [0, min(cap, base * 4^k))");
	ok(lc_git_backoff(0, 0, 3000) == 0, "a zero base means no pause");
	return done_testing();
}
