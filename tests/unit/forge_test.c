/* forge_test.c: forge detection, the requests we send and how answers read, over a fake transport. */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "forge.h"
#include "log.h"
#include "tap.h"

#include "fake_http.h"

#define NREPLY 6

static const char *const env_vars[] = {
	"GITHUB_SERVER_URL", "GITHUB_API_URL", "GITHUB_GRAPHQL_URL",
	"CI_SERVER_URL", "CI_API_V4_URL", "PROMOTE_TOKEN", "GH_TOKEN",
	"GITHUB_TOKEN", "GITLAB_TOKEN", "GITEA_TOKEN", "FORGEJO_TOKEN", NULL
};

/* A clean environment with PROMOTE_TOKEN=tok, then env ("NAME=value"). */
static void
set_env(const char *const *env)
{
	const char *const *v;
	char name[64];
	const char *eq;

	for (v = env_vars; *v; v++)
		unsetenv(*v);
	setenv("PROMOTE_TOKEN", "tok", 1);
	for (v = env; *v; v++) {
		eq = strchr(*v, '=');
		snprintf(name, sizeof(name), "%.*s", (int)(eq - *v), *v);
		if (eq[1] == '\0')
			unsetenv(name);
		else
			setenv(name, eq + 1, 1);
	}
}

/*
 * Which forge and API a remote leads to: the first lookup shows the API
 * base. Headers are left out of the log here (the auth table has them).
 */
static const struct {
	const char *name;
	enum lc_forge_kind kind;
	const char *api_url, *remote;
	const char *env[4];
	struct fake_reply reply[NREPLY];
	int rc;
	const char *forge, *seen, *err;
} opens[] = {
	{ "github.com, scp-like", LC_FORGE_AUTO, NULL, "git@github.com:o/r.git",
	    { NULL }, { { 200, NULL, "[]", 0 } }, 0, "GitHub",
	    "GET https://api.github.com/repos/o/r/pulls?state=open&head=o%3Afeat"
	    "&base=main\n", NULL },
	{ "github.com, https with a user and a trailing slash", LC_FORGE_AUTO,
	    NULL, "https://x-access-token@github.com/o/r/", { NULL },
	    { { 200, NULL, "[]", 0 } }, 0, "GitHub",
	    "GET https://api.github.com/repos/o/r/pulls?state=open&head=o%3Afeat"
	    "&base=main\n", NULL },
	{ "gitlab.com, ssh with a port, nested group", LC_FORGE_AUTO, NULL,
	    "ssh://git@gitlab.com:22/g/sub/p.git", { NULL },
	    { { 200, NULL, "[]", 0 } }, 0, "GitLab",
	    "GET https://gitlab.com/api/v4/projects/g%2Fsub%2Fp/merge_requests?"
	    "state=opened&source_branch=feat&target_branch=main\n", NULL },
	{ "codeberg.org: Gitea, pair lookup then the list", LC_FORGE_AUTO, NULL,
	    "https://codeberg.org/o/r.git", { NULL },
	    { { 404, NULL, "{}", 0 }, { 200, NULL, "[]", 0 } }, 0, "Gitea",
	    "GET https://codeberg.org/api/v1/repos/o/r/pulls/main/feat\n"
	    "GET https://codeberg.org/api/v1/repos/o/r/pulls?state=open&limit=50"
	    "&page=1\n", NULL },
	{ "--api-url /api/v4/ is GitLab, the slash dropped", LC_FORGE_AUTO,
	    "https://git.example.com/api/v4/", "https://git.example.com/g/p",
	    { NULL }, { { 200, NULL, "[]", 0 } }, 0, "GitLab",
	    "GET https://git.example.com/api/v4/projects/g%2Fp/merge_requests?"
	    "state=opened&source_branch=feat&target_branch=main\n", NULL },
	{ "--api-url /api/v1 is Gitea", LC_FORGE_AUTO,
	    "https://git.example.com/api/v1", "git@git.example.com:o/r.git",
	    { NULL }, { { 200, NULL, "{\"state\":\"open\",\"number\":4,"
	    "\"html_url\":\"https://git.example.com/o/r/pulls/4\"}", 0 } }, 0,
	    "Gitea", "GET https://git.example.com/api/v1/repos/o/r/pulls/main/"
	    "feat\n", NULL },
	{ "--api-url of another shape is GitHub (Enterprise)", LC_FORGE_AUTO,
	    "https://ghe.example.com/api/v3", "git@ghe.example.com:o/r.git",
	    { NULL }, { { 200, NULL, "[]", 0 } }, 0, "GitHub",
	    "GET https://ghe.example.com/api/v3/repos/o/r/pulls?state=open&"
	    "head=o%3Afeat&base=main\n", NULL },
	{ "--provider gitlab on an unknown host: its /api/v4, no probe",
	    LC_FORGE_GITLAB, NULL, "https://git.example.com/g/p.git", { NULL },
	    { { 200, NULL, "[]", 0 } }, 0, "GitLab",
	    "GET https://git.example.com/api/v4/projects/g%2Fp/merge_requests?"
	    "state=opened&source_branch=feat&target_branch=main\n", NULL },
	{ "--provider github on github.com: the public API", LC_FORGE_GITHUB,
	    NULL, "https://github.com/o/r", { NULL },
	    { { 200, NULL, "[]", 0 } }, 0, "GitHub",
	    "GET https://api.github.com/repos/o/r/pulls?state=open&head=o%3Afeat"
	    "&base=main\n", NULL },
	{ "GitHub Actions on the remote's host: GITHUB_API_URL", LC_FORGE_AUTO,
	    NULL, "git@ghe.corp:o/r.git", { "GITHUB_SERVER_URL=https://ghe.corp",
	    "GITHUB_API_URL=https://ghe.corp/api/v3", NULL },
	    { { 200, NULL, "[]", 0 } }, 0, "GitHub",
	    "GET https://ghe.corp/api/v3/repos/o/r/pulls?state=open&head=o%3Afeat"
	    "&base=main\n", NULL },
	{ "GitHub Actions on another host is not the remote's", LC_FORGE_AUTO,
	    NULL, "https://github.com/o/r", { "GITHUB_SERVER_URL=https://ghe.corp",
	    "GITHUB_API_URL=https://ghe.corp/api/v3", NULL },
	    { { 200, NULL, "[]", 0 } }, 0, "GitHub",
	    "GET https://api.github.com/repos/o/r/pulls?state=open&head=o%3Afeat"
	    "&base=main\n", NULL },
	{ "GitLab CI without CI_API_V4_URL: server + /api/v4", LC_FORGE_AUTO,
	    NULL, "https://gl.corp:8443/g/p", { "CI_SERVER_URL=https://gl.corp:8443",
	    NULL }, { { 200, NULL, "[]", 0 } }, 0, "GitLab",
	    "GET https://gl.corp:8443/api/v4/projects/g%2Fp/merge_requests?"
	    "state=opened&source_branch=feat&target_branch=main\n", NULL },
	{ "unknown host: the GitLab probe's 401 with JSON says GitLab",
	    LC_FORGE_AUTO, NULL, "https://git.example.com/g/p", { NULL },
	    { { 401, NULL, "{\"message\":\"401 Unauthorized\"}", 0 },
	    { 200, NULL, "[]", 0 } }, 0, "GitLab",
	    "GET https://git.example.com/api/v4/version\n"
	    "GET https://git.example.com/api/v4/projects/g%2Fp/merge_requests?"
	    "state=opened&source_branch=feat&target_branch=main\n", NULL },
	{ "unknown host: a 401 without JSON is not GitLab; Gitea's version is",
	    LC_FORGE_AUTO, NULL, "http://git.example.com:3000/o/r", { NULL },
	    { { 401, NULL, "<html>", 0 }, { 200, NULL, "{\"version\":\"1.21\"}",
	    0 }, { 200, NULL, "{\"state\":\"closed\"}", 0 },
	    { 200, NULL, "[]", 0 } }, 0, "Gitea",
	    "GET http://git.example.com:3000/api/v4/version\n"
	    "GET http://git.example.com:3000/api/v1/version\n"
	    "GET http://git.example.com:3000/api/v1/repos/o/r/pulls/main/feat\n"
	    "GET http://git.example.com:3000/api/v1/repos/o/r/pulls?state=open&"
	    "limit=50&page=1\n", NULL },
	{ "unknown host that answers neither probe", LC_FORGE_AUTO, NULL,
	    "https://git.example.com/o/r", { NULL },
	    { { 404, NULL, "{}", 0 }, { 0, NULL, NULL, LC_EUNAVAIL } },
	    LC_EUSAGE, NULL,
	    "GET https://git.example.com/api/v4/version\n"
	    "GET https://git.example.com/api/v1/version\n",
	    "cannot tell which forge serves git.example.com: give --provider "
	    "github|gitlab|gitea (and --api-url)" },
	{ "a local remote needs --provider and --api-url", LC_FORGE_AUTO, NULL,
	    "/srv/git/o/r.git", { NULL }, { { 0, NULL, NULL, 0 } }, LC_EUSAGE,
	    NULL, "", "the remote is on this machine: name the forge with "
	    "--provider and --api-url" },
	{ "a local remote with --api-url: its last two components",
	    LC_FORGE_GITEA, "http://127.0.0.1:3000/api/v1", "/srv/git/o/r.git",
	    { NULL }, { { 200, NULL, "{\"state\":\"open\",\"number\":9,"
	    "\"html_url\":\"u\"}", 0 } }, 0, "Gitea",
	    "GET http://127.0.0.1:3000/api/v1/repos/o/r/pulls/main/feat\n", NULL },
	{ "GitHub wants OWNER/REPO, not a nested path", LC_FORGE_AUTO, NULL,
	    "https://github.com/o/sub/r", { NULL }, { { 0, NULL, NULL, 0 } },
	    LC_EUSAGE, NULL, "", "remote https://github.com/o/sub/r: the path "
	    "'o/sub/r' is not OWNER/REPO" },
	{ "no token: the variables of that forge are named", LC_FORGE_AUTO, NULL,
	    "https://github.com/o/r", { "PROMOTE_TOKEN=", NULL },
	    { { 0, NULL, NULL, 0 } }, LC_EAUTH, NULL, "",
	    "no token for the GitHub API: set PROMOTE_TOKEN or GH_TOKEN or "
	    "GITHUB_TOKEN, or give --token-file" },
	{ "no token for GitLab", LC_FORGE_AUTO, NULL, "https://gitlab.com/g/p",
	    { "PROMOTE_TOKEN=", NULL }, { { 0, NULL, NULL, 0 } }, LC_EAUTH, NULL,
	    "", "no token for the GitLab API: set PROMOTE_TOKEN or GITLAB_TOKEN, "
	    "or give --token-file" },
	{ "FORGEJO_TOKEN is a Gitea token", LC_FORGE_AUTO, NULL,
	    "https://codeberg.org/o/r", { "PROMOTE_TOKEN=",
	    "FORGEJO_TOKEN=fj", NULL }, { { 200, NULL, "{\"state\":\"open\","
	    "\"number\":1,\"html_url\":\"u\"}", 0 } }, 0, "Gitea",
	    "GET https://codeberg.org/api/v1/repos/o/r/pulls/main/feat\n", NULL },
};

/* How each forge is shown the token, and the headers of a lookup. */
static const struct {
	const char *remote, *env, *body, *seen;
} auths[] = {
	{ "https://github.com/o/r", "GH_TOKEN=gh1", "[]",
	    "GET https://api.github.com/repos/o/r/pulls?state=open&head=o%3Afeat"
	    "&base=main\n"
	    "  Authorization: Bearer gh1\n"
	    "  Accept: application/vnd.github+json\n"
	    "  X-GitHub-Api-Version: 2022-11-28\n" },
	{ "https://gitlab.com/g/p", "GITLAB_TOKEN=gl1", "[]",
	    "GET https://gitlab.com/api/v4/projects/g%2Fp/merge_requests?"
	    "state=opened&source_branch=feat&target_branch=main\n"
	    "  PRIVATE-TOKEN: gl1\n"
	    "  Accept: application/json\n" },
	{ "https://codeberg.org/o/r", "GITEA_TOKEN=gt1",
	    "{\"state\":\"open\",\"number\":1,\"html_url\":\"u\"}",
	    "GET https://codeberg.org/api/v1/repos/o/r/pulls/main/feat\n"
	    "  Authorization: token gt1\n"
	    "  Accept: application/json\n" },
};

/* What an error answer to the first lookup becomes. */
static const struct {
	const char *remote;
	long status;
	const char *body;
	int rc;
	const char *err;
} errors[] = {
	{ "https://github.com/o/r", 401, "{\"message\":\"Bad credentials\"}",
	    LC_EAUTH, "find the pull request: GitHub refused the token (401: "
	    "Bad credentials): it is wrong or expired" },
	{ "https://github.com/o/r", 401, NULL, LC_EAUTH, "find the pull "
	    "request: GitHub refused the token (401): it is wrong or expired" },
	{ "https://github.com/o/r", 403, "{\"message\":\"API rate limit "
	    "exceeded for installation\"}", LC_EUNAVAIL, "find the pull request: "
	    "GitHub rate limit (403): API rate limit exceeded for installation" },
	{ "https://github.com/o/r", 403, "{\"message\":\"You have exceeded a "
	    "Secondary Rate Limit\"}", LC_EUNAVAIL, "find the pull request: "
	    "GitHub rate limit (403): You have exceeded a Secondary Rate Limit" },
	{ "https://github.com/o/r", 403, "{\"message\":\"GitHub Actions is not "
	    "permitted to create or approve pull requests.\"}", LC_EAUTH,
	    "find the pull request: GitHub denied it (403): GitHub Actions is "
	    "not permitted to create or approve pull requests. (allow it in the "
	    "repository's Actions settings, or use an App or personal token)" },
	{ "https://github.com/o/r", 403, "{\"message\":\"Resource not "
	    "accessible by integration\"}", LC_EAUTH, "find the pull request: "
	    "GitHub denied it (403): Resource not accessible by integration" },
	{ "https://github.com/o/r", 404, "{\"message\":\"Not Found\"}",
	    LC_ENOTFOUND, "find the pull request: GitHub has no o/r, or the "
	    "token cannot see it (404)" },
	{ "https://gitlab.com/g/sub/p", 404, "{\"message\":\"404 Project Not "
	    "Found\"}", LC_ENOTFOUND, "find the pull request: GitLab has no "
	    "g/sub/p, or the token cannot see it (404)" },
	{ "https://gitlab.com/g/p", 409, "{\"message\":[\"Another open merge "
	    "request already exists\",\"second\"]}", LC_ECONFLICT,
	    "find the pull request: GitLab: Another open merge request already "
	    "exists (409)" },
	{ "https://gitlab.com/g/p", 409, "{}", LC_ECONFLICT, "find the pull "
	    "request: GitLab: conflict (409)" },
	{ "https://github.com/o/r", 429, NULL, LC_EUNAVAIL, "find the pull "
	    "request: GitHub answered 429" },
	{ "https://github.com/o/r", 502, "<html>bad gateway</html>",
	    LC_EUNAVAIL, "find the pull request: GitHub answered 502" },
	{ "https://github.com/o/r", 422, "{\"message\":\"Validation Failed\","
	    "\"errors\":[{\"resource\":\"PullRequest\",\"field\":\"base\","
	    "\"code\":\"invalid\"}]}", LC_ERROR, "find the pull request: GitHub "
	    "answered 422: Validation Failed: base invalid" },
	{ "https://github.com/o/r", 422, "{\"message\":\"Validation Failed\","
	    "\"errors\":[{\"message\":\"No commits between main and feat\"}]}",
	    LC_ERROR, "find the pull request: GitHub answered 422: No commits "
	    "between main and feat" },
	{ "https://codeberg.org/o/r", 500, "{\"error\":\"db down\"}",
	    LC_EUNAVAIL, "find the pull request: Gitea answered 500" },
	{ "https://codeberg.org/o/r", 400, "{\"error\":\"bad ref\"}", LC_ERROR,
	    "find the pull request: Gitea answered 400: bad ref" },
	{ "https://github.com/o/r", 200, "{\"not\":\"a list\"}", LC_ERROR,
	    "find the pull request: GitHub answered 200" },
	{ "https://github.com/o/r", 200, "not json", LC_ERROR,
	    "find the pull request: GitHub answered 200" },
};

/* Open (or update) head feat -> base main, as promote --pr does. */
struct flow {
	const char *name, *remote;
	int draft, nlabels;
	const char *merge;
	struct fake_reply reply[NREPLY];
	int rc;
	long number;
	const char *url;
	int created, auto_merge, merged;
	const char *seen, *err;
};

static const char *const labels[] = { "promotion", "env/prod" };

static const struct flow flows[] = {
	{ "GitHub: create a draft, label it, auto-merge (squash)",
	    "https://github.com/o/r", 1, 2, "squash", {
		{ 200, NULL, "[]", 0 },
		{ 201, NULL, "{\"number\":7,\"html_url\":\"https://github.com/o/"
		    "r/pull/7\",\"node_id\":\"PR_kw7\"}", 0 },
		{ 200, NULL, "[]", 0 },
		{ 200, NULL, "{\"data\":{\"enablePullRequestAutoMerge\":{}}}", 0 },
	    }, 0, 7, "https://github.com/o/r/pull/7", 1, 1, 0,
	    "GET https://api.github.com/repos/o/r/pulls?state=open&head=o%3Afeat"
	    "&base=main\n"
	    "POST https://api.github.com/repos/o/r/pulls\n"
	    "  > {\"title\":\"Promote v2\",\"head\":\"feat\",\"base\":\"main\","
	    "\"body\":\"why\",\"draft\":true}\n"
	    "POST https://api.github.com/repos/o/r/issues/7/labels\n"
	    "  > {\"labels\":[\"promotion\",\"env/prod\"]}\n"
	    "POST https://api.github.com/graphql\n"
	    "  > {\"query\":\"mutation($id: ID!, $m: PullRequestMergeMethod!) {"
	    " enablePullRequestAutoMerge(input: {pullRequestId: $id, mergeMethod:"
	    " $m}) { pullRequest { number } } }\",\"variables\":{\"id\":"
	    "\"PR_kw7\",\"m\":\"SQUASH\"}}\n", NULL },
	{ "GitHub: found open: update title and body, no labels asked",
	    "https://github.com/o/r", 0, 0, NULL, {
		{ 200, NULL, "[{\"number\":5,\"html_url\":\"https://github.com/o/"
		    "r/pull/5\",\"node_id\":\"PR_5\"}]", 0 },
		{ 200, NULL, "{}", 0 },
	    }, 0, 5, "https://github.com/o/r/pull/5", 0, 0, 0,
	    "GET https://api.github.com/repos/o/r/pulls?state=open&head=o%3Afeat"
	    "&base=main\n"
	    "PATCH https://api.github.com/repos/o/r/pulls/5\n"
	    "  > {\"title\":\"Promote v2\",\"body\":\"why\"}\n", NULL },
	{ "GitHub: opened by someone else meanwhile (422): find it, update",
	    "https://github.com/o/r", 0, 0, NULL, {
		{ 200, NULL, "[]", 0 },
		{ 422, NULL, "{\"message\":\"Validation Failed\",\"errors\":[{"
		    "\"message\":\"A pull request already exists for o:feat.\"}]}",
		    0 },
		{ 200, NULL, "[{\"number\":8,\"html_url\":\"h8\"}]", 0 },
		{ 200, NULL, "{}", 0 },
	    }, 0, 8, "h8", 0, 0, 0,
	    "GET https://api.github.com/repos/o/r/pulls?state=open&head=o%3Afeat"
	    "&base=main\n"
	    "POST https://api.github.com/repos/o/r/pulls\n"
	    "  > {\"title\":\"Promote v2\",\"head\":\"feat\",\"base\":\"main\","
	    "\"body\":\"why\",\"draft\":false}\n"
	    "GET https://api.github.com/repos/o/r/pulls?state=open&head=o%3Afeat"
	    "&base=main\n"
	    "PATCH https://api.github.com/repos/o/r/pulls/8\n"
	    "  > {\"title\":\"Promote v2\",\"body\":\"why\"}\n", NULL },
	{ "GitHub: 'exists' but never listed is an error",
	    "https://github.com/o/r", 0, 0, NULL, {
		{ 200, NULL, "[]", 0 },
		{ 422, NULL, "{\"errors\":[{\"message\":\"A pull request already "
		    "exists\"}]}", 0 },
		{ 200, NULL, "[]", 0 },
		{ 422, NULL, "{\"errors\":[{\"message\":\"A pull request already "
		    "exists\"}]}", 0 },
	    }, LC_ERROR, 0, "", 0, 0, 0, NULL,
	    "GitHub said the pull request feat -> main exists, but does not list "
	    "it" },
	{ "GitHub: a 422 of another kind is refused",
	    "https://github.com/o/r", 0, 0, NULL, {
		{ 200, NULL, "[]", 0 },
		{ 422, NULL, "{\"message\":\"Validation Failed\",\"errors\":[{"
		    "\"message\":\"No commits between main and feat\"}]}", 0 },
	    }, LC_ERROR, 0, "", 0, 0, 0, NULL,
	    "open the pull request: GitHub answered 422: No commits between main "
	    "and feat" },
	{ "GitHub: auto-merge on a clean PR merges it now",
	    "https://github.com/o/r", 0, 0, "merge", {
		{ 200, NULL, "[]", 0 },
		{ 201, NULL, "{\"number\":3,\"html_url\":\"h3\",\"node_id\":"
		    "\"N3\"}", 0 },
		{ 200, NULL, "{\"errors\":[{\"message\":\"Pull request is in "
		    "clean status\"}]}", 0 },
		{ 200, NULL, "{\"merged\":true}", 0 },
	    }, 0, 3, "h3", 1, 1, 1,
	    "GET https://api.github.com/repos/o/r/pulls?state=open&head=o%3Afeat"
	    "&base=main\n"
	    "POST https://api.github.com/repos/o/r/pulls\n"
	    "  > {\"title\":\"Promote v2\",\"head\":\"feat\",\"base\":\"main\","
	    "\"body\":\"why\",\"draft\":false}\n"
	    "POST https://api.github.com/graphql\n"
	    "  > {\"query\":\"mutation($id: ID!, $m: PullRequestMergeMethod!) {"
	    " enablePullRequestAutoMerge(input: {pullRequestId: $id, mergeMethod:"
	    " $m}) { pullRequest { number } } }\",\"variables\":{\"id\":\"N3\","
	    "\"m\":\"MERGE\"}}\n"
	    "PUT https://api.github.com/repos/o/r/pulls/3/merge\n"
	    "  > {\"merge_method\":\"merge\",\"sha\":\"c0ffee\"}\n", NULL },
	{ "GitHub: the head moved before the merge (405): conflict",
	    "https://github.com/o/r", 0, 0, "rebase", {
		{ 200, NULL, "[{\"number\":3,\"html_url\":\"h3\",\"node_id\":"
		    "\"N3\"}]", 0 },
		{ 200, NULL, "{}", 0 },
		{ 200, NULL, "{\"errors\":[{\"message\":\"clean status\"}]}", 0 },
		{ 405, NULL, "{\"message\":\"Head branch was modified\"}", 0 },
	    }, LC_ECONFLICT, 3, "h3", 0, 0, 0, NULL,
	    "merge the pull request: GitHub will not merge it (405): Head branch "
	    "was modified" },
	{ "GitHub: a GraphQL error is reported", "https://github.com/o/r",
	    0, 0, "squash", {
		{ 200, NULL, "[{\"number\":3,\"html_url\":\"h3\",\"node_id\":"
		    "\"N3\"}]", 0 },
		{ 200, NULL, "{}", 0 },
		{ 200, NULL, "{\"errors\":[{\"message\":\"Auto merge is not "
		    "allowed for this repository\"}]}", 0 },
	    }, LC_ERROR, 3, "h3", 0, 0, 0, NULL,
	    "enable auto-merge: GitHub: Auto merge is not allowed for this "
	    "repository" },
	{ "GitLab: create a draft with labels, merge when the pipeline passes",
	    "https://gitlab.com/g/sub/p", 1, 2, "squash", {
		{ 200, NULL, "[]", 0 },
		{ 201, NULL, "{\"iid\":12,\"id\":999,\"web_url\":\"https://gitlab."
		    "com/g/sub/p/-/merge_requests/12\"}", 0 },
		{ 200, NULL, "{}", 0 },
	    }, 0, 12, "https://gitlab.com/g/sub/p/-/merge_requests/12", 1, 1, 0,
	    "GET https://gitlab.com/api/v4/projects/g%2Fsub%2Fp/merge_requests?"
	    "state=opened&source_branch=feat&target_branch=main\n"
	    "POST https://gitlab.com/api/v4/projects/g%2Fsub%2Fp/merge_requests\n"
	    "  > {\"source_branch\":\"feat\",\"target_branch\":\"main\",\"title\":"
	    "\"Draft: Promote v2\",\"description\":\"why\",\"remove_source_branch"
	    "\":true,\"labels\":\"promotion,env/prod\"}\n"
	    "PUT https://gitlab.com/api/v4/projects/g%2Fsub%2Fp/merge_requests/12/"
	    "merge\n"
	    "  > {\"sha\":\"c0ffee\",\"merge_when_pipeline_succeeds\":true,"
	    "\"squash\":true}\n", NULL },
	{ "GitLab: found open: update with add_labels; already scheduled is ok",
	    "https://gitlab.com/g/p", 0, 1, "merge", {
		{ 200, NULL, "[{\"iid\":4,\"web_url\":\"w4\"}]", 0 },
		{ 200, NULL, "{}", 0 },
		{ 409, NULL, "{\"message\":\"Merge is already scheduled\"}", 0 },
	    }, 0, 4, "w4", 0, 1, 0,
	    "GET https://gitlab.com/api/v4/projects/g%2Fp/merge_requests?"
	    "state=opened&source_branch=feat&target_branch=main\n"
	    "PUT https://gitlab.com/api/v4/projects/g%2Fp/merge_requests/4\n"
	    "  > {\"title\":\"Promote v2\",\"description\":\"why\",\"add_labels\":"
	    "\"promotion\"}\n"
	    "PUT https://gitlab.com/api/v4/projects/g%2Fp/merge_requests/4/merge\n"
	    "  > {\"sha\":\"c0ffee\",\"merge_when_pipeline_succeeds\":true}\n",
	    NULL },
	{ "GitLab: cannot merge (422): conflict", "https://gitlab.com/g/p", 0, 0,
	    "merge", {
		{ 200, NULL, "[{\"iid\":4,\"web_url\":\"w4\"}]", 0 },
		{ 200, NULL, "{}", 0 },
		{ 422, NULL, "{\"message\":\"Branch cannot be merged\"}", 0 },
	    }, LC_ECONFLICT, 4, "w4", 0, 0, 0, NULL,
	    "enable auto-merge: GitLab will not merge it (422): Branch cannot be "
	    "merged" },
	{ "Gitea: label ids (unknown names left out), WIP title, merge when "
	    "checks pass", "https://codeberg.org/o/r", 1, 2, "rebase", {
		{ 200, NULL, "[{\"id\":11,\"name\":\"other\"},{\"id\":12,\"name\":"
		    "\"promotion\"}]", 0 },
		{ 404, NULL, "{}", 0 },
		{ 200, NULL, "[{\"number\":1,\"html_url\":\"x\",\"head\":{\"ref\":"
		    "\"feat\"},\"base\":{\"ref\":\"dev\"}}]", 0 },
		{ 201, NULL, "{\"number\":21,\"html_url\":\"https://codeberg.org/"
		    "o/r/pulls/21\"}", 0 },
		{ 200, NULL, "{}", 0 },
	    }, 0, 21, "https://codeberg.org/o/r/pulls/21", 1, 1, 0,
	    "GET https://codeberg.org/api/v1/repos/o/r/labels?limit=50\n"
	    "GET https://codeberg.org/api/v1/repos/o/r/pulls/main/feat\n"
	    "GET https://codeberg.org/api/v1/repos/o/r/pulls?state=open&limit=50"
	    "&page=1\n"
	    "POST https://codeberg.org/api/v1/repos/o/r/pulls\n"
	    "  > {\"title\":\"WIP: Promote v2\",\"head\":\"feat\",\"base\":"
	    "\"main\",\"body\":\"why\",\"labels\":[12]}\n"
	    "POST https://codeberg.org/api/v1/repos/o/r/pulls/21/merge\n"
	    "  > {\"Do\":\"rebase\",\"head_commit_id\":\"c0ffee\","
	    "\"merge_when_checks_succeed\":true,\"delete_branch_after_merge\":"
	    "true}\n", NULL },
	{ "Gitea: found in the list (older server), updated with label ids",
	    "https://codeberg.org/o/r", 0, 1, NULL, {
		{ 200, NULL, "[{\"id\":12,\"name\":\"promotion\"}]", 0 },
		{ 404, NULL, "{}", 0 },
		{ 200, NULL, "[{\"number\":1,\"html_url\":\"x\",\"head\":{\"ref\":"
		    "\"feat\"},\"base\":{\"ref\":\"dev\"}},{\"number\":2,"
		    "\"html_url\":\"y\",\"head\":{\"ref\":\"feat\"},\"base\":{"
		    "\"ref\":\"main\"}}]", 0 },
		{ 201, NULL, "{}", 0 },
	    }, 0, 2, "y", 0, 0, 0,
	    "GET https://codeberg.org/api/v1/repos/o/r/labels?limit=50\n"
	    "GET https://codeberg.org/api/v1/repos/o/r/pulls/main/feat\n"
	    "GET https://codeberg.org/api/v1/repos/o/r/pulls?state=open&limit=50"
	    "&page=1\n"
	    "PATCH https://codeberg.org/api/v1/repos/o/r/pulls/2\n"
	    "  > {\"title\":\"Promote v2\",\"body\":\"why\",\"labels\":[12]}\n",
	    NULL },
	{ "Gitea: 409 'already exists' on create: look again",
	    "https://codeberg.org/o/r", 0, 0, NULL, {
		{ 404, NULL, "{}", 0 },
		{ 200, NULL, "[]", 0 },
		{ 409, NULL, "{\"message\":\"pull request already exists for "
		    "these targets\"}", 0 },
		{ 200, NULL, "{\"state\":\"open\",\"number\":6,\"html_url\":"
		    "\"z\"}", 0 },
		{ 200, NULL, "{}", 0 },
	    }, 0, 6, "z", 0, 0, 0, NULL, NULL },
	{ "a pull request URL longer than its field is refused, not cut",
	    "https://github.com/o/r", 0, 0, NULL, {
		{ 200, NULL, NULL, 0 },	/* body filled in by main() */
	    }, LC_EDATA, 1, "", 0, 0, 0, NULL,
	    "GitHub: the pull request's URL is longer than 2047 bytes" },
	{ "the transport's failure passes up unchanged",
	    "https://github.com/o/r", 0, 0, NULL, {
		{ 0, NULL, NULL, LC_ETIMEOUT },
	    }, LC_ETIMEOUT, 0, "", 0, 0, 0, NULL, NULL },
};

/* Whether commit c0ffee is green. */
static const struct {
	const char *name, *remote, *context;
	struct fake_reply reply[2];
	int rc;
	const char *err;
} greens[] = {
	{ "GitHub: statuses and check runs all good", "https://github.com/o/r",
	    NULL, { { 200, NULL, "{\"statuses\":[{\"context\":\"ci\",\"state\":"
	    "\"success\"}]}", 0 }, { 200, NULL, "{\"check_runs\":[{\"name\":"
	    "\"build\",\"status\":\"completed\",\"conclusion\":\"success\"},"
	    "{\"name\":\"lint\",\"status\":\"completed\",\"conclusion\":"
	    "\"skipped\"},{\"name\":\"n\",\"status\":\"completed\","
	    "\"conclusion\":\"neutral\"}]}", 0 } }, 0, NULL },
	{ "GitHub: a failed status and a running check", "https://github.com/o/r",
	    NULL, { { 200, NULL, "{\"statuses\":[{\"context\":\"ci\",\"state\":"
	    "\"failure\"}]}", 0 }, { 200, NULL, "{\"check_runs\":[{\"name\":"
	    "\"build\",\"status\":\"in_progress\"},{\"name\":\"\",\"status\":"
	    "\"completed\",\"conclusion\":\"cancelled\"}]}", 0 } }, LC_ENO,
	    "c0ffee is not green on GitHub: ci failure, build in_progress, "
	    "(unnamed) cancelled" },
	{ "GitHub: nothing reported is not green", "https://github.com/o/r",
	    NULL, { { 200, NULL, "{\"statuses\":[]}", 0 }, { 200, NULL,
	    "{\"check_runs\":[]}", 0 } }, LC_ENO,
	    "c0ffee has no status, check or pipeline on GitHub" },
	{ "GitHub: one named check only", "https://github.com/o/r", "build",
	    { { 200, NULL, "{\"statuses\":[{\"context\":\"ci\",\"state\":"
	    "\"failure\"}]}", 0 }, { 200, NULL, "{\"check_runs\":[{\"name\":"
	    "\"build\",\"status\":\"completed\",\"conclusion\":\"success\"}]}",
	    0 } }, 0, NULL },
	{ "GitHub: the named check is missing", "https://github.com/o/r",
	    "deploy", { { 200, NULL, "{\"statuses\":[]}", 0 }, { 200, NULL,
	    "{\"check_runs\":[{\"name\":\"build\",\"status\":\"completed\","
	    "\"conclusion\":\"success\"}]}", 0 } }, LC_ENO,
	    "c0ffee has no status or check named 'deploy' on GitHub" },
	{ "GitLab: the newest pipeline only", "https://gitlab.com/g/p", NULL,
	    { { 200, NULL, "[{\"id\":2,\"status\":\"success\"},{\"id\":1,"
	    "\"status\":\"failed\"}]", 0 } }, 0, NULL },
	{ "GitLab: a running pipeline", "https://gitlab.com/g/p", NULL,
	    { { 200, NULL, "[{\"id\":2,\"status\":\"running\"}]", 0 } }, LC_ENO,
	    "c0ffee is not green on GitLab: pipeline running" },
	{ "GitLab: a named job", "https://gitlab.com/g/p", "test",
	    { { 200, NULL, "[{\"name\":\"build\",\"status\":\"success\"},"
	    "{\"name\":\"test\",\"status\":\"failed\"}]", 0 } }, LC_ENO,
	    "c0ffee is not green on GitLab: test failed" },
	{ "Gitea: status field, state as fallback", "https://codeberg.org/o/r",
	    NULL, { { 200, NULL, "{\"statuses\":[{\"context\":\"a\",\"status\":"
	    "\"success\"},{\"context\":\"b\",\"state\":\"pending\"}]}", 0 } },
	    LC_ENO, "c0ffee is not green on Gitea: b pending" },
	{ "Gitea: not visible", "https://codeberg.org/o/r", NULL,
	    { { 404, NULL, "{}", 0 } }, LC_ENOTFOUND,
	    "commit status: Gitea has no o/r, or the token cannot see it (404)" },
};

static int
open_forge(struct lc_forge **f, enum lc_forge_kind kind, const char *api,
    const char *remote)
{
	struct lc_forge_conf c;

	memset(&c, 0, sizeof(c));
	c.kind = kind;
	c.api_url = api;
	c.remote_url = remote;
	return lc_forge_open(f, &c);
}

int
main(void)
{
	static const char *const none[] = { NULL };
	static char long_url[2200], long_body[2400];
	struct fake_reply long_reply;
	struct lc_forge_pr_req rq;
	struct lc_forge_pr pr;
	struct lc_forge *f;
	enum lc_forge_kind k;
	const char *err;
	size_t i;
	int rc;

	lc_log_set_level(LC_LOG_ERROR);	/* Gitea's unknown-label warning */
	/* --provider words */
	ok(lc_forge_kind_parse("github", &k) == 0 && k == LC_FORGE_GITHUB &&
	    lc_forge_kind_parse("gitlab", &k) == 0 && k == LC_FORGE_GITLAB &&
	    lc_forge_kind_parse("gitea", &k) == 0 && k == LC_FORGE_GITEA &&
	    lc_forge_kind_parse("forgejo", &k) == 0 && k == LC_FORGE_GITEA &&
	    lc_forge_kind_parse("auto", &k) == 0 && k == LC_FORGE_AUTO,
	    "provider words");
	ok(lc_forge_kind_parse("GitHub", &k) == -1 &&
	    lc_forge_kind_parse("", &k) == -1 &&
	    lc_forge_kind_parse("bitbucket", &k) == -1,
	    "other provider words are refused (case matters)");

	memset(&rq, 0, sizeof(rq));
	rq.head = "feat";
	rq.base = "main";
	rq.title = "Promote v2";
	rq.body = "why";
	rq.head_sha = "c0ffee";

	fake_headers = 0;
	for (i = 0; i < sizeof(opens) / sizeof(opens[0]); i++) {
		set_env(opens[i].env);
		fake_script(opens[i].reply, fake_count(opens[i].reply, NREPLY));
		lc_error_clear();
		f = NULL;
		rc = open_forge(&f, opens[i].kind, opens[i].api_url,
		    opens[i].remote);
		if (rc == 0) {
			is_str(lc_forge_name(f), opens[i].forge, "%s: forge",
			    opens[i].name);
			rc = lc_forge_pr_find(f, &rq, &pr);
		}
		ok(rc == opens[i].rc, "%s: rc %d", opens[i].name, rc);
		is_str(fake_seen(), opens[i].seen, "%s: requests", opens[i].name);
		if (opens[i].err)
			is_str(lc_error_msg(), opens[i].err, "%s: message",
			    opens[i].name);
		lc_forge_close(f);
	}

	fake_headers = 1;
	for (i = 0; i < sizeof(auths) / sizeof(auths[0]); i++) {
		struct fake_reply r = { 200, NULL, auths[i].body, 0 };
		const char *env[3] = { "PROMOTE_TOKEN=", auths[i].env, NULL };

		set_env(env);
		fake_script(&r, 1);
		rc = open_forge(&f, LC_FORGE_AUTO, NULL, auths[i].remote);
		if (rc == 0)
			rc = lc_forge_pr_find(f, &rq, &pr);
		ok(rc == 0, "%s: token header: rc %d", auths[i].remote, rc);
		is_str(fake_seen(), auths[i].seen, "%s: token header",
		    auths[i].remote);
		lc_forge_close(f);
	}

	fake_headers = 0;
	set_env(none);
	for (i = 0; i < sizeof(errors) / sizeof(errors[0]); i++) {
		struct fake_reply r = { errors[i].status, NULL, errors[i].body,
		    0 };

		fake_script(&r, 1);
		lc_error_clear();
		rc = open_forge(&f, LC_FORGE_AUTO, NULL, errors[i].remote);
		if (rc == 0)
			rc = lc_forge_pr_find(f, &rq, &pr);
		ok(rc == errors[i].rc, "%s %ld: rc %d", errors[i].remote,
		    errors[i].status, rc);
		is_str(lc_error_msg(), errors[i].err, "%s %ld: message",
		    errors[i].remote, errors[i].status);
		lc_forge_close(f);
	}

	/* A URL of 2047 bytes fits; one more is refused (below). */
	memset(long_url, 'u', sizeof(long_url));
	long_url[2047] = '\0';
	snprintf(long_body, sizeof(long_body), "[{\"number\":1,\"html_url\":"
	    "\"%s\"}]", long_url);
	long_reply = (struct fake_reply){ 200, NULL, long_body, 0 };
	fake_script(&long_reply, 1);
	rc = open_forge(&f, LC_FORGE_AUTO, NULL, "https://github.com/o/r");
	if (rc == 0)
		rc = lc_forge_pr_find(f, &rq, &pr);
	ok(rc == 0 && strlen(pr.url) == 2047 && pr.number == 1,
	    "a 2047-byte pull request URL is kept whole");
	lc_forge_close(f);
	long_url[2047] = 'u';
	long_url[2048] = '\0';
	snprintf(long_body, sizeof(long_body), "[{\"number\":1,\"html_url\":"
	    "\"%s\"}]", long_url);

	for (i = 0; i < sizeof(flows) / sizeof(flows[0]); i++) {
		const struct flow *t = &flows[i];
		size_t n = fake_count(t->reply, NREPLY);

		if (t->reply[0].status == 200 && t->reply[0].body == NULL)
			fake_script(&long_reply, 1);
		else
			fake_script(t->reply, n);
		lc_error_clear();
		rq.draft = t->draft;
		rq.labels = t->nlabels ? labels : NULL;
		rq.nlabels = t->nlabels;
		rq.merge = t->merge;
		memset(&pr, 0, sizeof(pr));
		rc = open_forge(&f, LC_FORGE_AUTO, NULL, t->remote);
		if (rc == 0)
			rc = lc_forge_pr_open(f, &rq, &pr);
		ok(rc == t->rc, "%s: rc %d", t->name, rc);
		ok(pr.number == t->number && strcmp(pr.url, t->url) == 0 &&
		    pr.created == t->created && pr.auto_merge == t->auto_merge &&
		    pr.merged == t->merged, "%s: number %ld, url '%.40s', created "
		    "%d, auto-merge %d, merged %d", t->name, pr.number, pr.url,
		    pr.created, pr.auto_merge, pr.merged);
		if (t->seen)
			is_str(fake_seen(), t->seen, "%s: requests", t->name);
		ok(fake_next == (t->reply[0].body ? n : 1),
		    "%s: every scripted reply used (%zu of %zu)", t->name,
		    fake_next, n);
		if (t->err)
			is_str(lc_error_msg(), t->err, "%s: message", t->name);
		lc_forge_close(f);
	}

	/* A lookup made before the push is not made again by pr_open. */
	{
		static const struct fake_reply r[] = {
			{ 200, NULL, "[]", 0 },
			{ 201, NULL, "{\"number\":2,\"html_url\":\"h2\"}", 0 },
		};

		fake_script(r, 2);
		memset(&rq.labels, 0, sizeof(rq.labels));
		rq.nlabels = 0;
		rq.merge = NULL;
		rq.draft = 0;
		rc = open_forge(&f, LC_FORGE_AUTO, NULL, "https://github.com/o/r");
		if (rc == 0 && (rc = lc_forge_pr_find(f, &rq, &pr)) == 0)
			rc = lc_forge_pr_open(f, &rq, &pr);
		ok(rc == 0 && pr.number == 2 && pr.created && fake_next == 2,
		    "pr_find then pr_open: one lookup, then create");
		lc_forge_close(f);
	}

	for (i = 0; i < sizeof(greens) / sizeof(greens[0]); i++) {
		fake_script(greens[i].reply, fake_count(greens[i].reply, 2));
		lc_error_clear();
		rc = open_forge(&f, LC_FORGE_AUTO, NULL, greens[i].remote);
		if (rc == 0)
			rc = lc_forge_commit_green(f, "c0ffee", greens[i].context);
		ok(rc == greens[i].rc, "%s: rc %d", greens[i].name, rc);
		err = lc_error_msg();
		if (greens[i].err)
			is_str(err, greens[i].err, "%s: message", greens[i].name);
		lc_forge_close(f);
	}
	fake_headers = 1;
	{
		static const struct fake_reply r[] = {
			{ 200, NULL, "[]", 0 },
		};

		fake_script(r, 1);
		rc = open_forge(&f, LC_FORGE_AUTO, NULL, "https://gitlab.com/g/p");
		if (rc == 0)
			rc = lc_forge_commit_green(f, "c0ffee", "test");
		is_str(fake_seen(), "GET https://gitlab.com/api/v4/projects/g%2Fp/"
		    "repository/commits/c0ffee/statuses?all=true\n"
		    "  PRIVATE-TOKEN: tok\n"
		    "  Accept: application/json\n",
		    "GitLab: a named job is read from the commit's statuses");
		lc_forge_close(f);
	}
	lc_buf_release(&fake_log);
	return done_testing();
}
