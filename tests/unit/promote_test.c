/* promote_test.c: promote's engine: paths, work branches, the trailers written and read back, the plan of each input. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <git2.h>

#include "buf.h"
#include "error.h"
#include "promote_int.h"
#include "tap.h"

#define DG "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

/* --path templates: {env} and {app} put in. */
static const struct {
	const char *tmpl, *env, *app, *want;
} paths[] = {
	{ "overlays/{env}", "staging", NULL, "overlays/staging" },
	{ "apps/{app}/overlays/{env}", "prod", "web", "apps/web/overlays/prod" },
	{ "apps/{app}/{env}/{env}", "qa", "api", "apps/api/qa/qa" },
	{ "{app}", "qa", NULL, "" },
	{ "envs/{ENV}/x", "qa", NULL, "envs/{ENV}/x" },
	{ "deploy/{env", "qa", NULL, "deploy/{env" },
};

/* --head-branch templates: {to}/{env}, {from}, {app}. */
static const struct {
	const char *tmpl, *from, *to;
	int rollback;
	const char *apps[2];
	int napps;
	const char *want;
} heads[] = {
	{ NULL, "dev", "staging", 0, { NULL, NULL }, 0, "promote/staging/all" },
	{ NULL, "dev", "staging", 0, { "web", NULL }, 1, "promote/staging/web" },
	{ "p/{from}-{env}/{app}", "dev", "prod", 0, { "api", NULL }, 1,
	    "p/dev-prod/api" },
	{ "p/{from}/{to}", NULL, "prod", 1, { NULL, NULL }, 0,
	    "p/rollback/prod" },
	{ "p/{from}/{to}", NULL, "prod", 0, { NULL, NULL }, 0, "p/set/prod" },
	{ "{app}", "dev", "qa", 0, { "w*", NULL }, 1, "apps-" },
	{ "{app}", "dev", "qa", 0, { "a", "b" }, 2, "apps-" },
};

static git_repository *repo;
static char dir[] = "/tmp/promote-test.XXXXXX";

/* A commit of files (path, text pairs, NULL-terminated) with message. */
static int
commit(git_oid *out, const char *const *files, const char *msg)
{
	git_index *idx = NULL;
	git_index_entry e;
	git_tree *tree = NULL;
	git_signature *sig = NULL;
	git_oid tid;
	int rc = 0;

	git_index_new(&idx);
	for (; rc == 0 && files[0]; files += 2) {
		memset(&e, 0, sizeof(e));
		e.mode = GIT_FILEMODE_BLOB;
		e.path = files[0];
		if ((rc = git_blob_create_from_buffer(&e.id, repo, files[1],
		    strlen(files[1]))) == 0)
			rc = git_index_add(idx, &e);
	}
	if (rc == 0 && (rc = git_index_write_tree_to(&tid, idx, repo)) == 0 &&
	    (rc = git_tree_lookup(&tree, repo, &tid)) == 0 &&
	    (rc = git_signature_new(&sig, "t", "t@example.com", 1, 0)) == 0)
		rc = git_commit_create_v(out, repo, NULL, sig, sig, NULL, msg,
		    tree, 0);
	git_signature_free(sig);
	git_tree_free(tree);
	git_index_free(idx);
	return rc;
}

static struct lc_promote *
state(const struct lc_promote_opts *o)
{
	struct lc_promote *p;

	if (lc_promote_new(&p, o, NULL, NULL) != 0)
		printf("# lc_promote_new: %s\n", lc_error_msg());
	p->repo = repo;
	return p;
}

static void
done(struct lc_promote *p)
{
	p->repo = NULL;
	lc_promote_free(p);
}

static void
test_paths(void)
{
	char out[PATH_MAX_];
	size_t i;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		out[0] = '\0';
		ok(lc_promote_expand(paths[i].tmpl, paths[i].env, paths[i].app,
		    out, sizeof(out)) == 0, "expand '%s'", paths[i].tmpl);
		is_str(out, paths[i].want, "'%s' is '%s'", paths[i].tmpl,
		    paths[i].want);
	}
	ok(lc_promote_expand("overlays/{env}", "staging", NULL, out, 10) ==
	    LC_EDATA, "a path longer than its field is refused, not cut");
	lc_error_clear();
}

static void
test_heads(void)
{
	struct lc_promote_opts o;
	char out[256];
	size_t i, n;

	for (i = 0; i < sizeof(heads) / sizeof(heads[0]); i++) {
		lc_promote_opts_init(&o);
		o.head_tmpl = heads[i].tmpl;
		o.from = heads[i].from;
		o.to = heads[i].to;
		o.rollback = heads[i].rollback;
		o.apps = heads[i].apps;
		o.napps = heads[i].napps;
		out[0] = '\0';
		ok(lc_promote_head_name(&o, out, sizeof(out)) == 0,
		    "work branch %zu", i);
		n = strlen(heads[i].want);
		if (strcmp(heads[i].want, "apps-") == 0)
			ok(strncmp(out, "apps-", 5) == 0 && strlen(out) == 13 &&
			    strspn(out + 5, "0123456789abcdef") == 8,
			    "several apps or a glob: apps- and a hash ('%s')",
			    out);
		else
			is_str(out, heads[i].want, "work branch '%s'",
			    heads[i].want);
		(void)n;
	}
	/* A rerun of the same promotion finds the same branch. */
	{
		char again[256];

		lc_promote_opts_init(&o);
		o.to = "qa";
		o.head_tmpl = "{app}";
		o.apps = heads[6].apps;
		o.napps = 2;
		lc_promote_head_name(&o, out, sizeof(out));
		lc_promote_head_name(&o, again, sizeof(again));
		is_str(again, out, "the same apps, the same work branch");
	}
}

/* The message of st into m: what promote commits. */
static void
add_change(struct lc_promote *p, const char *app, const char *name,
    const char *file, const char *prev, const char *next, const char *tag)
{
	struct lc_promote_change *c = lc_promote_new_change(p);

	snprintf(c->app, sizeof(c->app), "%s", app);
	snprintf(c->name, sizeof(c->name), "%s", name);
	snprintf(c->file, sizeof(c->file), "%s", file);
	snprintf(c->prev, sizeof(c->prev), "%s", prev);
	snprintf(c->next, sizeof(c->next), "%s", next);
	snprintf(c->tag, sizeof(c->tag), "%s", tag);
	c->differs = strcmp(prev, next) != 0;
}

static void
test_trailers(void)
{
	static const char *const extra[] = { "Change-Id=I123", "Ticket=OPS-7" };
	static const char *const files[] = { "README", "x\n", NULL };
	struct lc_promote_opts o;
	struct lc_promote *p;
	struct lc_buf m = LC_BUF_INIT, want = LC_BUF_INIT, got = LC_BUF_INIT;
	char path[64], line[1024], src[GIT_OID_HEXSZ + 1];
	git_oid id;
	FILE *f;
	int i;

	lc_promote_opts_init(&o);
	o.from = "dev";
	o.to = "staging";
	o.trailers = extra;
	o.ntrailers = 2;
	p = state(&o);
	memset(&p->source_commit, 0xab, sizeof(p->source_commit));
	p->have_source = 1;
	git_oid_tostr(src, sizeof(src), &p->source_commit);
	add_change(p, "web", "app", "apps/web/overlays/staging/kustomization"
	    ".yaml", "r.example/team/app:v1", "r.example/team/app:v2", "v2");
	add_change(p, "web", "same", "apps/web/overlays/staging/kustomization"
	    ".yaml", "r.example/same:v1", "r.example/same:v1", "v1");
	add_change(p, "api", "worker", "apps/api/overlays/staging/"
	    "kustomization.yaml", "r.example/team/worker:v3@" DG,
	    "r.example/team/worker:v4", "v4");
	lc_promote_message(p, &o, &m);
	lc_buf_printf(&want, "promote(staging): 2 images from dev\n\n"
	    "Promoted from dev (%.7s) to staging:\n"
	    "- apps/web/overlays/staging/kustomization.yaml\n"
	    "  app: r.example/team/app:v1 -> r.example/team/app:v2\n"
	    "- apps/api/overlays/staging/kustomization.yaml\n"
	    "  worker: r.example/team/worker:v3@" DG " -> "
	    "r.example/team/worker:v4\n\n"
	    "Promote-From: dev\nPromote-To: staging\n"
	    "Promote-Source-Commit: %s\n"
	    "Promote-Image: web/app=r.example/team/app:v2\n"
	    "Promote-Image: api/worker=r.example/team/worker:v4\n"
	    "Promote-Previous-Image: web/app=r.example/team/app:v1\n"
	    "Promote-Previous-Image: api/worker=r.example/team/worker:v3@"
	    DG "\n"
	    "Promote-Tool: promote/%s\nChange-Id: I123\nTicket: OPS-7\n",
	    src, src, VERSION);
	is_str(m.data, want.data, "the message and its trailers");

	/* git's own trailer parser reads the same trailers. */
	snprintf(path, sizeof(path), "%s/msg", dir);
	if ((f = fopen(path, "w")) != NULL) {
		fputs(m.data, f);
		fclose(f);
	}
	snprintf(line, sizeof(line), "git interpret-trailers --parse %s", path);
	if ((f = popen(line, "r")) != NULL) {
		while (fgets(line, sizeof(line), f))
			lc_buf_adds(&got, line);
		pclose(f);
	}
	is_str(got.data, strstr(want.data, "Promote-From:"),
	    "git interpret-trailers --parse reads every trailer");

	/* --rollback reads them back: the previous versions, per app. */
	if (commit(&id, files, m.data) != 0)
		printf("# commit: %s\n", git_error_last()->message);
	done(p);
	lc_promote_opts_init(&o);
	o.to = "staging";
	o.rollback = 1;
	p = state(&o);
	ok(lc_promote_find_rollback(p, &o, &id) == 0, "rollback finds the "
	    "promotion");
	ok(p->ng == 2, "two previous versions (%d)", p->ng);
	for (i = 0; i < p->ng; i++) {
		const struct lc_promote_given *g = &p->g[i];

		if (strcmp(g->app, "api") == 0)
			ok(strcmp(g->name, "worker") == 0 && strcmp(g->tag, "v3")
			    == 0 && strcmp(g->digest, DG) == 0,
			    "api/worker back to v3@sha256:... (%s %s %s)",
			    g->name, g->tag, g->digest);
		else
			ok(strcmp(g->app, "web") == 0 && strcmp(g->name, "app")
			    == 0 && strcmp(g->tag, "v1") == 0 && !g->digest[0],
			    "web/app back to v1 (%s/%s %s)", g->app, g->name,
			    g->tag);
	}
	git_oid_tostr(src, sizeof(src), &id);
	is_str(lc_promote_oldest_undone(p), src, "the commit undone");
	done(p);
	lc_buf_release(&m);
	lc_buf_release(&want);
	lc_buf_release(&got);
}

/* Plan dev -> staging on a commit of files; the staging file's new text. */
static void
plan(const char *what, struct lc_promote_opts *o, const char *const *files,
    const char *dst, const char *want_prev, const char *want_next,
    const char *want_after)
{
	struct lc_promote *p;
	git_oid id;
	int i;

	if (commit(&id, files, "test") != 0)
		printf("# commit: %s\n", git_error_last()->message);
	o->from = "dev";
	o->to = "staging";
	p = state(o);
	ok(lc_promote_plan(p, p->o, &id) == 0, "%s: planned (%s)", what,
	    lc_error_msg());
	ok(p->nc == 1 && p->c[0].differs, "%s: one change", what);
	if (p->nc > 0) {
		is_str(p->c[0].prev, want_prev, "%s: previous", what);
		is_str(p->c[0].next, want_next, "%s: new", what);
	}
	for (i = 0; i < p->nt && strcmp(p->t[i].dst, dst) != 0; i++)
		;
	ok(i < p->nt && p->t[i].changed, "%s: %s changes", what, dst);
	if (i < p->nt)
		is_str(p->t[i].after.data, want_after, "%s: its new text", what);
	done(p);
	lc_error_clear();
}

static void
test_plans(void)
{
	static const char *const kustomize[] = {
		"overlays/dev/kustomization.yaml", "images:\n"
		"  - name: app\n    newName: r.example/dev/app\n"
		"    newTag: v2 # dev\n",
		"overlays/staging/kustomization.yaml", "# staging\nimages:\n"
		"  - name: app\n    newName: r.example/team/app\n"
		"    newTag: v1 # keep this comment\n",
		NULL };
	static const char *const helm[] = {
		"envs/dev/values.yaml", "image:\n  repository: r.example/app\n"
		"  tag: \"2.0\"\n",
		"envs/staging/values.yaml", "replicas: 2\nimage:\n"
		"  repository: r.example/app\n  tag: \"1.0\" # pinned\n",
		NULL };
	static const char *const raw[] = {
		"envs/dev/deploy.yaml", "kind: Deployment\nspec:\n  containers:\n"
		"    - image: r.example/team/app:v2\n",
		"envs/staging/deploy.yaml", "kind: Deployment\nspec:\n"
		"  containers:\n    - image: r.example/team/app:v1 # prod-like\n"
		"    - image: r.example/other/sidecar:v9\n",
		"envs/staging/svc.yaml", "kind: Service\n",
		NULL };
	static const char *const keys[] = { ".image.tag" };
	static const char *const repo_keys[] = { ".image.repository" };
	struct lc_promote_opts o;

	lc_promote_opts_init(&o);
	plan("kustomize", &o, kustomize, "overlays/staging/kustomization.yaml",
	    "r.example/team/app:v1", "r.example/team/app:v2",
	    "# staging\nimages:\n  - name: app\n    newName: r.example/team/app\n"
	    "    newTag: v2 # keep this comment\n");

	lc_promote_opts_init(&o);
	o.keys = keys;
	o.nkeys = 1;
	o.repo_keys = repo_keys;
	o.nrepo_keys = 1;
	plan("helm", &o, helm, "envs/staging/values.yaml",
	    "r.example/app:1.0", "r.example/app:2.0",
	    "replicas: 2\nimage:\n  repository: r.example/app\n"
	    "  tag: \"2.0\" # pinned\n");

	lc_promote_opts_init(&o);
	o.raw = 1;
	o.path = "envs/{env}";
	plan("raw", &o, raw, "envs/staging/deploy.yaml",
	    "r.example/team/app:v1", "r.example/team/app:v2",
	    "kind: Deployment\nspec:\n  containers:\n"
	    "    - image: r.example/team/app:v2 # prod-like\n"
	    "    - image: r.example/other/sidecar:v9\n");
}

int
main(void)
{
	char cmd[64];

	unsetenv("GITHUB_ACTIONS");
	unsetenv("GITLAB_CI");
	unsetenv("TOOLKIT_CI");
	git_libgit2_init();
	if (mkdtemp(dir) == NULL || git_repository_init(&repo, dir, 1) != 0) {
		printf("Bail out! no temporary repository\n");
		return 1;
	}
	test_paths();
	test_heads();
	test_trailers();
	test_plans();
	git_repository_free(repo);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	return done_testing();
}
