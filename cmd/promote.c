/* promote: move the image versions of one environment to the next. */
#include <errno.h>
#include <fnmatch.h>
#include <regex.h>
#include <sys/wait.h>
#include <getopt.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <git2.h>
#include <jv.h>

#include "buf.h"
#include "ci.h"
#include "cli.h"
#include "error.h"
#include "fileio.h"
#include "forge.h"
#include "git.h"
#include "imgref.h"
#include "jvutil.h"
#include "log.h"
#include "plugin.h"
#include "semver.h"
#include "sha256.h"
#include "yaml_edit.h"
#include "yaml_expr.h"

enum { OPT_PATH = 256, OPT_APP, OPT_BRANCH, OPT_REMOTE, OPT_NO_VERIFY,
	OPT_CHECK, OPT_TRAILER, OPT_AUTHOR, OPT_DEADLINE, OPT_TOKEN_FILE,
	OPT_REG_CA, OPT_REG_INSECURE, OPT_REG_HTTPS, OPT_SET, OPT_ROLLBACK,
	OPT_SEMVER, OPT_ALLOW_TAGS, OPT_GATE, OPT_CHAIN, OPT_PIN, OPT_DOTENV,
	OPT_KEY, OPT_DIGEST_KEY, OPT_REPO_KEY, OPT_STRATEGY, OPT_RAW,
	OPT_ENV_BRANCH, OPT_PR, OPT_BASE, OPT_HEAD_BRANCH, OPT_TITLE,
	OPT_BODY_FILE, OPT_LABEL, OPT_DRAFT, OPT_AUTO_MERGE, OPT_PROVIDER,
	OPT_API_URL, OPT_REQUIRE_STATUS, OPT_WITH_NAME, OPT_PICK, OPT_SPLIT,
	OPT_ALLOW_SKIP, OPT_NO_PUSH, OPT_STEPS, OPT_DIFF, OPT_PLATFORM };

static const struct option longopts[] = {
	{ "allow-skip", no_argument, NULL, OPT_ALLOW_SKIP },
	{ "allow-tags", required_argument, NULL, OPT_ALLOW_TAGS },
	{ "app", required_argument, NULL, OPT_APP },
	{ "api-url", required_argument, NULL, OPT_API_URL },
	{ "author", required_argument, NULL, OPT_AUTHOR },
	{ "auto-merge", optional_argument, NULL, OPT_AUTO_MERGE },
	{ "base", required_argument, NULL, OPT_BASE },
	{ "body-file", required_argument, NULL, OPT_BODY_FILE },
	{ "branch", required_argument, NULL, OPT_BRANCH },
	{ "chain", required_argument, NULL, OPT_CHAIN },
	{ "cherry-pick", required_argument, NULL, OPT_PICK },
	{ "check", no_argument, NULL, OPT_CHECK },
	{ "deadline", required_argument, NULL, OPT_DEADLINE },
	{ "diff", no_argument, NULL, OPT_DIFF },
	{ "digest-key", required_argument, NULL, OPT_DIGEST_KEY },
	{ "dotenv", required_argument, NULL, OPT_DOTENV },
	{ "draft", no_argument, NULL, OPT_DRAFT },
	{ "env-branch", required_argument, NULL, OPT_ENV_BRANCH },
	{ "dry-run", no_argument, NULL, 'n' },
	{ "from", required_argument, NULL, 'f' },
	{ "gate", required_argument, NULL, OPT_GATE },
	{ "head-branch", required_argument, NULL, OPT_HEAD_BRANCH },
	{ "help", no_argument, NULL, 'h' },
	{ "key", required_argument, NULL, OPT_KEY },
	{ "label", required_argument, NULL, OPT_LABEL },
	{ "message", required_argument, NULL, 'm' },
	{ "no-push", no_argument, NULL, OPT_NO_PUSH },
	{ "no-verify-image", no_argument, NULL, OPT_NO_VERIFY },
	{ "output", required_argument, NULL, 'o' },
	{ "path", required_argument, NULL, OPT_PATH },
	{ "pin-digest", no_argument, NULL, OPT_PIN },
	{ "platform", required_argument, NULL, OPT_PLATFORM },
	{ "pr", no_argument, NULL, OPT_PR },
	{ "provider", required_argument, NULL, OPT_PROVIDER },
	{ "quiet", no_argument, NULL, 'q' },
	{ "raw", no_argument, NULL, OPT_RAW },
	{ "registry-ca-file", required_argument, NULL, OPT_REG_CA },
	{ "registry-https", no_argument, NULL, OPT_REG_HTTPS },
	{ "registry-insecure", no_argument, NULL, OPT_REG_INSECURE },
	{ "remote", required_argument, NULL, OPT_REMOTE },
	{ "repo-key", required_argument, NULL, OPT_REPO_KEY },
	{ "require-status", optional_argument, NULL, OPT_REQUIRE_STATUS },
	{ "rollback", no_argument, NULL, OPT_ROLLBACK },
	{ "semver", required_argument, NULL, OPT_SEMVER },
	{ "set", required_argument, NULL, OPT_SET },
	{ "sign", no_argument, NULL, 'S' },
	{ "split", no_argument, NULL, OPT_SPLIT },
	{ "steps", required_argument, NULL, OPT_STEPS },
	{ "strategy", required_argument, NULL, OPT_STRATEGY },
	{ "title", required_argument, NULL, OPT_TITLE },
	{ "to", required_argument, NULL, 't' },
	{ "token-file", required_argument, NULL, OPT_TOKEN_FILE },
	{ "trailer", required_argument, NULL, OPT_TRAILER },
	{ "verbose", no_argument, NULL, 'v' },
	{ "version", no_argument, NULL, 'V' },
	{ "with-name", no_argument, NULL, OPT_WITH_NAME },
	{ NULL, 0, NULL, 0 }
};

struct opts {
	const char *from, *to, *path, *branch, *remote, *message, *author;
	const char *token_file;
	const char *apps[32];
	int napps;
	const char *trailers[16];
	int ntrailers;
	char **images;
	int nimages;
	int dry_run, check, json, env, verify, rollback, pin, tag_strategy, raw;
	int branch_strategy;
	const char *branch_tmpl;
	const char *dotenv;
	/* Helm values: the tag (and digest, repository) of each image. */
	const char *keys[16], *digest_keys[16], *repo_keys[16];
	int nkeys, ndigest_keys, nrepo_keys;
	struct lc_yexpr *q_key[16], *q_digest[16], *q_repo[16];
	struct lc_yexpr *s_key[16], *s_digest[16];
	const char *sets[32];
	int nsets;
	const char *semver, *allow_tags, *chain;
	const char *gates[16];
	int ngates;
	long long deadline_ms;
	/* --pr */
	int pr, draft, require_status, with_name, split, sign, allow_skip;
	int no_push, steps, diff;
	const char *platforms[8];
	int nplatforms;
	const char *status_context, *pick;
	const char *head_tmpl, *title, *body_file, *merge, *api_url;
	const char *labels[16];
	int nlabels;
	enum lc_forge_kind provider;
	struct lc_registry_opts ro;
	int reg_https;
};

/*
 * Field sizes. A value longer than its field is refused (fit()), never cut:
 * an app is a directory name (255 bytes on Linux), an image name as long as
 * a registry host and repository may be, a tag 128 bytes (OCI), a digest
 * what imgref.h holds (sha256), a path PATH_MAX.
 */
#define APP_MAX		256
#define NAME_MAX_	520
#define TAG_MAX		129	/* 128 and the NUL */
#define DIGEST_MAX	80
#define REF_MAX		(NAME_MAX_ + TAG_MAX + DIGEST_MAX + 2)
#define PATH_MAX_	4096

/* One image entry promoted in one app. */
struct change {
	char app[APP_MAX], name[NAME_MAX_], file[PATH_MAX_];
	char prev[REF_MAX], next[REF_MAX];	/* name-or-newName:tag@digest */
	char tag[TAG_MAX], digest[DIGEST_MAX];
	int differs;
};

/* One target file and its new bytes. */
struct target {
	char src[PATH_MAX_], dst[PATH_MAX_];
	char app[APP_MAX];
	struct lc_buf before, after;
	int changed;
};

/* An image version given on the command line or read back from history. */
struct given {
	char app[APP_MAX];
	char name[NAME_MAX_], tag[TAG_MAX], digest[DIGEST_MAX];
	int seq;		/* the order given in: the later one wins */
};

/* A --pin-digest result. */
struct pin {
	char name[NAME_MAX_], digest[DIGEST_MAX];
};

/*
 * The arrays below grow (GROW): 1,000 apps of 3 images, or one overlay with
 * 500 images, are promoted whole; none is ever cut at a fixed count.
 */
struct state {
	struct given *g;
	int ng, cg;
	char undone[16][GIT_OID_HEXSZ + 1];	/* --rollback: newest first */
	int nundone;		/* at most --steps, which is 1 to 16 */
	struct pin *pin;
	int npin, cpin;
	git_repository *repo;
	git_remote *remote;
	char *branch;
	struct lc_git_auth auth;
	git_signature *author, *committer;
	struct target *t;
	int nt, ct;
	struct change *c;
	int nc, cc;
	git_oid source_commit;
	int have_source;
	/* --pr: the work branch and the pull request */
	char head[256], pr_commit[GIT_OID_HEXSZ + 1];
	struct lc_forge *forge;
	struct lc_forge_pr pr;
	int have_pr;
};

/* Room for one more element in array a of n, capacity cap (doubling). */
#define GROW(a, n, cap) do {						\
	if ((n) >= (cap)) {						\
		(cap) = (cap) ? 2 * (cap) : 16;				\
		(a) = lc_xrealloc((a), (size_t)(cap) * sizeof(*(a)));	\
	}								\
} while (0)

/*
 * snprintf into out (n bytes) that refuses rather than cuts: a name, tag or
 * path longer than its field is an error (exit 3) found while planning,
 * before anything is written.
 */
#define fit(out, n, what, ...) lc_error_fit(LC_EDATA, \
    "; nothing was promoted", out, n, what, __VA_ARGS__)

/* A new change, zeroed, at the end of st->c. */
static struct change *
new_change(struct state *st)
{
	GROW(st->c, st->nc, st->cc);
	memset(&st->c[st->nc], 0, sizeof(st->c[0]));
	return &st->c[st->nc++];
}

static _Noreturn void
usage(int status)
{
	FILE *fp = status == LC_EXIT_OK ? stdout : stderr;

	fprintf(fp, "usage: %s [-hnqSVv] [-m message] [-o format] "
	    "[--allow-tags regex] [--app glob] [--author author] "
	    "[--branch branch] [--chain envs [--allow-skip]] [--check] "
	    "[--cherry-pick rev] "
	    "[--deadline duration] [--diff] "
	    "[--dotenv file] [--env-branch template] "
	    "[--key path [--digest-key path] [--repo-key path]] "
	    "[--gate command] [--no-push] [--no-verify-image] "
	    "[--path template] "
	    "[--pin-digest] [--platform os/arch] [--raw] "
	    "[--registry-ca-file file] [--registry-https] "
	    "[--registry-insecure] [--remote remote] "
	    "[--require-status[=context]] [--semver range] [--split] "
	    "[--token-file file] [--trailer key=value] [--with-name] "
	    "-f env -t env "
	    "[image ...]\n"
	    "       %s [options] --pr [--api-url url] [--auto-merge[=method]] "
	    "[--base branch] [--body-file file] [--draft] "
	    "[--head-branch template] [--label label] [--provider forge] "
	    "[--title title] -f env -t env [image ...]\n"
	    "       %s [options] -t env --set image=ref ...\n"
	    "       %s [options] -t env --rollback [--steps n]\n"
	    "       %s [options] --strategy tag -f env -t env repo[=repo] ...\n",
	    lc_progname, lc_progname, lc_progname, lc_progname, lc_progname);
	if (status == LC_EXIT_OK)
		fputs("\n"
		    "Copy the image versions (newTag, digest) of environment -f "
		    "into -t, in one\ncommit with provenance trailers, pushed "
		    "with retries that re-apply the edit.\n"
		    "\n"
		    "  -f, --from ENV           source environment\n"
		    "  -t, --to ENV             target environment\n"
		    "      --path TEMPLATE      overlay directory (default "
		    "overlays/{env};\n"
		    "                           {app} is expanded by --app)\n"
		    "      --app GLOB           apps to promote (repeatable)\n"
		    "      --split              one commit (or pull request) per "
		    "app\n"
		    "      --key PATH           Helm values: the tag's path (ymlset "
		    "syntax, repeatable;\n"
		    "                           --path then names the file, "
		    "default envs/{env}/values.yaml)\n"
		    "      --digest-key PATH, --repo-key PATH  the same image's "
		    "digest, repository\n"
		    "      --raw                plain manifests: every image: field "
		    "under --path\n"
		    "      --with-name          also copy newName (default: the "
		    "target keeps its own)\n"
		    "  IMAGE ...                only these images (as in name:)\n"
		    "  -n, --dry-run            print the diff and the message, "
		    "write nothing\n"
		    "      --diff               print the diff on a real run too\n"
		    "      --check              exit 1 when a promotion is "
		    "pending, 0 when not\n"
		    "      --no-verify-image    do not check the registry\n"
		    "      --platform OS/ARCH   refuse images that do not run there "
		    "(exit 1)\n"
		    "      --pin-digest         also write the digest the registry "
		    "has\n"
		    "      --semver RANGE       refuse tags outside RANGE (exit 1)\n"
		    "      --allow-tags REGEX   refuse tags REGEX does not match "
		    "(exit 1)\n"
		    "      --gate CMD           run CMD first; refuse when it fails "
		    "(repeatable)\n"
		    "      --chain A,B,C        refuse skipping an environment "
		    "(--allow-skip: allow)\n"
		    "      --require-status[=C] the source commit must be green "
		    "on the forge (exit 1)\n"
		    "      --set IMAGE=REF      pin a version by hand (no -f)\n"
		    "      --rollback           undo the last promotion into -t\n"
		    "      --steps N            with --rollback: the last N\n"
		    "      --strategy branch    merge branch deploy/SRC into "
		    "deploy/DST\n"
		    "      --env-branch TMPL    the env branches (default "
		    "deploy/{env})\n"
		    "      --cherry-pick REV    branch: only this commit of the "
		    "source branch\n"
		    "      --strategy tag       no git: move each REPO's tag -t to "
		    "the image its\n"
		    "                           tag -f has, in the registry\n"
		    "      --pr                 push to a work branch and open or "
		    "update a pull request\n"
		    "                           (GitHub, GitLab, Gitea/Forgejo; "
		    "with dir or branch)\n"
		    "      --base BRANCH        the pull request's base (dir: "
		    "same as --branch)\n"
		    "      --head-branch TMPL   work branch (default "
		    "promote/{to}/{app})\n"
		    "      --title T, --body-file F, --label L, --draft\n"
		    "      --auto-merge[=M]     merge, squash or rebase once checks "
		    "pass\n"
		    "      --provider FORGE     github, gitlab, gitea, forgejo "
		    "(default: detect)\n"
		    "      --api-url URL        the forge's API (default: from CI "
		    "or the remote)\n"
		    "  -o, --output FMT         text, json or env\n"
		    "      --dotenv FILE        append PROMOTE_* lines (GitLab "
		    "dotenv)\n"
		    "  -m, --message MSG        commit subject\n"
		    "      --trailer K=V        extra trailer (repeatable)\n"
		    "  -S, --sign               sign the commit as git commit -S "
		    "does\n"
		    "      --no-push            commit on the local branch only\n"
		    "      --branch, --remote, --author, --token-file, "
		    "--deadline (2m)\n"
		    "      --registry-ca-file, --registry-insecure, "
		    "--registry-https\n"
		    "  -q, --quiet, -v, --verbose, -h, --help, -V, --version\n",
		    fp);
	exit(status);
}

/* "overlays/{env}" with env and app put in, into out (refused if longer). */
static int
expand(const char *tmpl, const char *env, const char *app, char *out,
    size_t n)
{
	struct lc_buf b = LC_BUF_INIT;
	const char *p = tmpl;
	int rc;

	while (*p) {
		if (strncmp(p, "{env}", 5) == 0 || strncmp(p, "{app}", 5) == 0) {
			lc_buf_adds(&b, p[1] == 'e' ? env : app ? app : "");
			p += 5;
		} else
			lc_buf_addc(&b, *p++);
	}
	rc = fit(out, n, "the path", "%s", b.data ? b.data : "");
	lc_buf_release(&b);
	return rc;
}

/* The blob at path in tree into b; LC_ENOTFOUND when there is none. */
static int
read_path(git_repository *repo, git_tree *tree, const char *path,
    struct lc_buf *b)
{
	git_tree_entry *e = NULL;
	git_blob *blob = NULL;
	int rc;

	if ((rc = git_tree_entry_bypath(&e, tree, path)) != 0)
		return LC_ENOTFOUND;
	rc = git_blob_lookup(&blob, repo, git_tree_entry_id(e));
	git_tree_entry_free(e);
	if (rc != 0)
		return lc_git_error(rc, path);
	lc_buf_add(b, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob));
	git_blob_free(blob);
	return 0;
}

/* The kustomization file of dir in tree (kustomize's three names). */
static int
find_kustomization(git_repository *repo, git_tree *tree, const char *dir,
    char *path, size_t n, struct lc_buf *b)
{
	static const char *const names[] = { "kustomization.yaml",
	    "kustomization.yml", "Kustomization" };
	size_t i;

	for (i = 0; i < 3; i++) {
		if (fit(path, n, "the path", "%s/%s", dir, names[i]) != 0)
			return LC_EDATA;
		b->len = 0;
		if (read_path(repo, tree, path, b) == 0)
			return 0;
	}
	return lc_error_set(LC_ENOTFOUND, "%s: no kustomization.yaml there "
	    "(check --path and the environment names)", dir);
}

/* A list of names (apps), each its own heap string. */
struct names {
	char **v;
	int n, cap;
};

static void
names_add(struct names *l, const char *s, size_t len)
{
	GROW(l->v, l->n, l->cap);
	l->v[l->n++] = lc_xstrndup(s, len);
}

static void
names_release(struct names *l)
{
	int i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/*
 * Apps: the directory names at the {app} position that match a --app glob,
 * appended to apps (all of them: there is no cap). Returns how many.
 */
static int
list_apps(git_repository *repo, git_tree *tree, const struct opts *o,
    struct names *apps)
{
	char prefix[PATH_MAX_];
	const char *at = strstr(o->path, "{app}");
	git_tree_entry *e = NULL;
	git_tree *sub = NULL;
	size_t i, k;
	int n = 0, j;

	if (at == NULL)
		return lc_error_set(LC_EUSAGE, "--app needs {app} in --path "
		    "(for example apps/{app}/overlays/{env})");
	if (fit(prefix, sizeof(prefix), "--path", "%.*s", (int)(at - o->path),
	    o->path) != 0)
		return LC_EDATA;
	k = strlen(prefix);
	if (k && prefix[k - 1] == '/')
		prefix[--k] = '\0';
	if (k == 0)
		sub = tree;
	else if (git_tree_entry_bypath(&e, tree, prefix) != 0 ||
	    git_tree_lookup(&sub, repo, git_tree_entry_id(e)) != 0) {
		git_tree_entry_free(e);
		return lc_error_set(LC_ENOTFOUND, "%s: no such directory", prefix);
	}
	git_tree_entry_free(e);
	for (i = 0; i < git_tree_entrycount(sub); i++) {
		const git_tree_entry *te = git_tree_entry_byindex(sub, i);
		const char *name = git_tree_entry_name(te);

		if (git_tree_entry_type(te) != GIT_OBJECT_TREE)
			continue;
		for (j = 0; j < o->napps; j++)
			if (fnmatch(o->apps[j], name, 0) == 0) {
				if (strlen(name) >= APP_MAX) {
					n = lc_error_set(LC_EDATA, "app '%.40s...' "
					    "is longer than %d bytes", name,
					    APP_MAX - 1);
					goto out;
				}
				names_add(apps, name, strlen(name));
				n++;
				break;
			}
	}
out:
	if (sub != tree)
		git_tree_free(sub);
	if (n < 0)
		return n;
	if (n == 0)
		return lc_error_set(LC_ENOTFOUND, "no app under %s matches "
		    "--app", prefix[0] ? prefix : ".");
	return n;
}

/* ---- the kustomization edit -------------------------------------------- */

struct img {
	char name[NAME_MAX_], new_name[NAME_MAX_], tag[TAG_MAX];
	char digest[DIGEST_MAX];
	uint32_t node, tag_node, digest_node, name_node;
};

/* A growing list of images (an overlay may have hundreds). */
struct imgs {
	struct img *im;
	int n, cap;
};

static struct img *
imgs_new(struct imgs *l)
{
	GROW(l->im, l->n, l->cap);
	memset(&l->im[l->n], 0, sizeof(l->im[0]));
	return &l->im[l->n++];
}

static int
scalar(struct lc_ydoc *d, uint32_t map, const char *key, char *out, size_t n,
    uint32_t *node)
{
	const char *s;
	size_t len;
	int merged;
	uint32_t v = lc_yaml_edit_map_get(d, map, key, strlen(key), &merged);

	out[0] = '\0';
	if (node)
		*node = 0;
	if (v == 0 || LC_YN(d, v)->type != LC_YSCALAR || lc_yaml_edit_node_is_null(d, v))
		return 0;
	s = lc_yaml_edit_node_value(d, v, &len);
	if (node)
		*node = v;
	return fit(out, n, key, "%.*s", (int)len, s);
}

/* The images: entries of the document, every one, into l. */
static int
images_of(struct lc_ydoc *d, struct imgs *l)
{
	struct img *im;
	uint32_t seq, it;
	int merged, rc;

	l->n = 0;
	if (d->root == 0 || LC_YN(d, d->root)->type != LC_YMAP)
		return 0;
	seq = lc_yaml_edit_map_get(d, d->root, "images", 6, &merged);
	if (seq == 0 || LC_YN(d, seq)->type != LC_YSEQ)
		return 0;
	for (it = LC_YN(d, seq)->first; it; it = LC_YN(d, it)->next) {
		if (LC_YN(d, it)->type != LC_YMAP)
			continue;
		im = imgs_new(l);
		if ((rc = scalar(d, it, "name", im->name, sizeof(im->name),
		    NULL)) != 0)
			return rc;
		if (!im->name[0]) {
			l->n--;
			continue;
		}
		if ((rc = scalar(d, it, "newName", im->new_name,
		    sizeof(im->new_name), &im->name_node)) != 0 ||
		    (rc = scalar(d, it, "newTag", im->tag, sizeof(im->tag),
		    &im->tag_node)) != 0 ||
		    (rc = scalar(d, it, "digest", im->digest, sizeof(im->digest),
		    &im->digest_node)) != 0)
			return rc;
		im->node = it;
	}
	return 0;
}

struct src_ctx {
	struct imgs l;
};

static int
read_src(struct lc_ydoc *d, void *arg)
{
	struct src_ctx *c = arg;

	return d->index == 0 ? images_of(d, &c->l) : 0;
}

struct dst_ctx {
	const struct src_ctx *src;
	const struct opts *o;
	struct state *st;
	const char *app, *file;
	int missing;
};

static int
wanted(const struct opts *o, const char *name)
{
	int i;

	if (o->nimages == 0)
		return 1;
	for (i = 0; i < o->nimages; i++)
		if (strcmp(o->images[i], name) == 0)
			return 1;
	return 0;
}

static void
ref_text(const struct img *i, const char *tag, const char *digest, char *out,
    size_t n)
{
	snprintf(out, n, "%s%s%s%s%s", i->new_name[0] ? i->new_name : i->name,
	    tag[0] ? ":" : "", tag, digest[0] ? "@" : "", digest);
}

/* Set key of entry map to v (create it when absent), or delete it. */
static int
put(struct lc_ydoc *d, uint32_t map, uint32_t node, const char *key,
    const char *v)
{
	struct lc_ylit lit, k;

	memset(&lit, 0, sizeof(lit));
	lit.kind = LC_YL_STR;
	lit.s = v;
	lit.n = strlen(v);
	if (node && !*v)
		return lc_yaml_edit_delete(d, node);
	if (node)
		return lc_yaml_edit_set(d, node, &lit);
	if (!*v)
		return 0;
	memset(&k, 0, sizeof(k));
	k.kind = LC_YL_STR;
	k.s = key;
	k.n = strlen(key);
	return lc_yaml_edit_create(d, map, &k, 1, &lit);
}

/* The digest --pin-digest found for image name, or "". */
static const char *
pinned(const struct state *st, const char *name)
{
	int i;

	for (i = 0; i < st->npin; i++)	/* few: one per image verified */
		if (strcmp(st->pin[i].name, name) == 0)
			return st->pin[i].digest;
	return "";
}

/* Order of images by name, for bsearch. */
static int
by_name(const void *a, const void *b)
{
	return strcmp(((const struct img *)a)->name,
	    ((const struct img *)b)->name);
}

/* By name, then in the order of the document (the first one wins). */
static int
by_name_node(const void *a, const void *b)
{
	const struct img *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : x->node < y->node ? -1 : x->node > y->node;
}

static int
edit_dst(struct lc_ydoc *d, void *arg)
{
	struct dst_ctx *c = arg;
	struct imgs dl = { NULL, 0, 0 };
	struct img *dim, *hit;
	struct change *ch;
	int n, i, j, rc, edits = 0;

	if (d->index != 0)
		return 0;
	if ((rc = images_of(d, &dl)) != 0)
		goto out;
	dim = dl.im;
	n = dl.n;
	/* Sorted, so an overlay of many images is not searched per image. */
	if (n > 1)
		qsort(dim, (size_t)n, sizeof(dim[0]), by_name_node);
	for (i = 0; i < c->src->l.n; i++) {
		const struct img *s = &c->src->l.im[i];
		const char *dg = s->digest[0] ? s->digest : pinned(c->st,
		    s->name);

		if (!wanted(c->o, s->name) || (!s->tag[0] && !s->digest[0]))
			continue;
		/* The first entry of that name, as a linear search found. */
		hit = bsearch(s, dim, (size_t)n, sizeof(dim[0]), by_name);
		if (hit == NULL) {
			c->missing = 1;
			rc = lc_error_set(LC_ENOTFOUND, "%s: no images entry "
			    "named '%s' to promote into", c->file, s->name);
			goto out;
		}
		for (j = (int)(hit - dim); j > 0 && strcmp(dim[j - 1].name,
		    s->name) == 0; j--)
			;
		ch = new_change(c->st);
		memcpy(ch->app, c->app ? c->app : "", strlen(c->app ? c->app :
		    "") + 1);
		memcpy(ch->name, s->name, sizeof(ch->name));
		memcpy(ch->tag, s->tag, sizeof(ch->tag));
		memcpy(ch->digest, dg, strlen(dg) + 1);
		if ((rc = fit(ch->file, sizeof(ch->file), "the path", "%s",
		    c->file)) != 0)
			goto out;
		/* The target keeps its own newName (per-env registries),
		 * unless --with-name. */
		ref_text(&dim[j], dim[j].tag, dim[j].digest, ch->prev,
		    sizeof(ch->prev));
		ref_text(c->o->with_name ? s : &dim[j], s->tag, dg, ch->next,
		    sizeof(ch->next));
		ch->differs = strcmp(ch->prev, ch->next) != 0;
		if (!ch->differs)
			continue;
		if (c->o->with_name && strcmp(dim[j].new_name, s->new_name) != 0 &&
		    (rc = put(d, dim[j].node, dim[j].name_node, "newName",
		    s->new_name)) != 0)
			goto out;
		if (strcmp(dim[j].tag, s->tag) != 0 && (rc = put(d, dim[j].node,
		    dim[j].tag_node, "newTag", s->tag)) != 0)
			goto out;
		if (strcmp(dim[j].digest, dg) != 0 && (rc = put(d,
		    dim[j].node, dim[j].digest_node, "digest", dg)) != 0)
			goto out;
		edits++;
	}
	rc = edits ? lc_yaml_edit_commit(d) : 0;
out:
	free(dl.im);
	return rc;
}

/* ---- the Helm values edit ---------------------------------------------- */

/* Evaluate the query e on d into out (one line of text, "" for null). */
static int
query(const struct lc_yexpr *e, struct lc_ydoc *d, char *out, size_t n)
{
	struct lc_yexpr_env env;
	struct lc_buf b = LC_BUF_INIT;
	int whole = 0, rc;

	memset(&env, 0, sizeof(env));
	out[0] = '\0';
	if ((rc = lc_yaml_expr_eval(e, d, &env, &b, &whole)) == 0 && b.data &&
	    !env.last_falsy) {
		b.data[strcspn(b.data, "\n")] = '\0';
		rc = fit(out, n, "the value", "%s", b.data);
	}
	lc_buf_release(&b);
	return rc;
}

static int
assign(const struct lc_yexpr *e, struct lc_ydoc *d, const char *v)
{
	struct lc_yexpr_var var = { "v", v };
	struct lc_yexpr_env env;
	struct lc_buf b = LC_BUF_INIT;
	int whole = 0, rc;

	memset(&env, 0, sizeof(env));
	env.vars = &var;
	env.nvars = 1;
	env.no_create = 1;
	rc = lc_yaml_expr_eval(e, d, &env, &b, &whole);
	lc_buf_release(&b);
	return rc;
}

struct helm_src {
	const struct opts *o;
	struct src_ctx *sc;
	const char *file;
};

static int
helm_read(struct lc_ydoc *d, void *arg)
{
	struct helm_src *h = arg;
	const struct opts *o = h->o;
	struct img *im;
	int i, rc;

	if (d->index != 0)
		return 0;
	for (i = 0; i < o->nkeys; i++) {
		im = imgs_new(&h->sc->l);
		if ((rc = fit(im->name, sizeof(im->name), "--key", "%s",
		    o->keys[i])) != 0)
			return rc;
		if ((rc = query(o->q_key[i], d, im->tag, sizeof(im->tag))) != 0)
			return rc;
		if (i < o->ndigest_keys && (rc = query(o->q_digest[i], d,
		    im->digest, sizeof(im->digest))) != 0)
			return rc;
		if (!im->tag[0] && !im->digest[0])
			return lc_error_set(LC_ENOTFOUND, "%s: %s has no value",
			    h->file, o->keys[i]);
	}
	return 0;
}

static int
helm_edit(struct lc_ydoc *d, void *arg)
{
	struct dst_ctx *c = arg;
	const struct opts *o = c->o;
	char tag[TAG_MAX], digest[DIGEST_MAX], repo[NAME_MAX_];
	struct change *ch;
	struct img cur;
	int i, k, rc;

	if (d->index != 0)
		return 0;
	for (i = 0; i < c->src->l.n; i++) {
		const struct img *s = &c->src->l.im[i];
		const char *dg = s->digest[0] ? s->digest : pinned(c->st,
		    s->name);

		if (!wanted(o, s->name))
			continue;
		for (k = 0; k < o->nkeys && strcmp(o->keys[k], s->name); k++)
			;
		if (k == o->nkeys)
			return lc_error_set(LC_EUSAGE, "'%s' is not one of the "
			    "--key paths", s->name);
		if ((rc = query(o->q_key[k], d, tag, sizeof(tag))) != 0)
			return rc;
		digest[0] = repo[0] = '\0';
		if (k < o->ndigest_keys && (rc = query(o->q_digest[k], d, digest,
		    sizeof(digest))) != 0)
			return rc;
		if (k < o->nrepo_keys && (rc = query(o->q_repo[k], d, repo,
		    sizeof(repo))) != 0)
			return rc;
		ch = new_change(c->st);
		memcpy(ch->app, c->app ? c->app : "", strlen(c->app ? c->app :
		    "") + 1);
		memcpy(ch->name, s->name, sizeof(ch->name));
		memcpy(ch->tag, s->tag, sizeof(ch->tag));
		memcpy(ch->digest, dg, strlen(dg) + 1);
		if ((rc = fit(ch->file, sizeof(ch->file), "the path", "%s",
		    c->file)) != 0)
			return rc;
		memset(&cur, 0, sizeof(cur));
		memcpy(cur.name, repo[0] ? repo : s->name, sizeof(cur.name));
		ref_text(&cur, tag, digest, ch->prev, sizeof(ch->prev));
		ref_text(&cur, s->tag, k < o->ndigest_keys ? dg : "", ch->next,
		    sizeof(ch->next));
		ch->differs = strcmp(ch->prev, ch->next) != 0;
		if (!ch->differs)
			continue;
		if (strcmp(tag, s->tag) != 0 && s->tag[0] &&
		    (rc = assign(o->s_key[k], d, s->tag)) != 0)
			return rc;
		if (k < o->ndigest_keys && strcmp(digest, dg) != 0 && *dg &&
		    (rc = assign(o->s_digest[k], d, dg)) != 0)
			return rc;
	}
	return 0;
}

/* Compile the --key expressions: queries, and "(PATH) = $v" edits. */
static int
compile_keys(struct opts *o)
{
	struct lc_yexpr_var var = { "v", "" };
	struct lc_buf b = LC_BUF_INIT;
	int i, rc = 0;

	if (o->ndigest_keys > o->nkeys || o->nrepo_keys > o->nkeys)
		return lc_error_set(LC_EUSAGE, "give a --key for each "
		    "--digest-key and --repo-key");
	for (i = 0; rc == 0 && i < o->nkeys; i++) {
		rc = lc_yaml_expr_parse(&o->q_key[i], o->keys[i], NULL, 0);
		b.len = 0;
		lc_buf_printf(&b, "(%s) = $v", o->keys[i]);
		if (rc == 0)
			rc = lc_yaml_expr_parse(&o->s_key[i], b.data, &var, 1);
		if (rc == 0 && i < o->ndigest_keys) {
			rc = lc_yaml_expr_parse(&o->q_digest[i], o->digest_keys[i],
			    NULL, 0);
			b.len = 0;
			lc_buf_printf(&b, "(%s) = $v", o->digest_keys[i]);
			if (rc == 0)
				rc = lc_yaml_expr_parse(&o->s_digest[i], b.data, &var,
				    1);
		}
		if (rc == 0 && i < o->nrepo_keys)
			rc = lc_yaml_expr_parse(&o->q_repo[i], o->repo_keys[i], NULL,
			    0);
	}
	lc_buf_release(&b);
	return rc;
}

/* ---- raw manifests: image: fields ------------------------------------ */

struct raw_ctx {
	struct state *st;
	const struct opts *o;
	const char *file;
	int edit;		/* 0: collect into st->g; 1: rewrite */
	int edits;
};

/* The repository part of an image: field ("" when it is not one). */
static int
raw_ref(const char *v, size_t n, struct lc_imgref *r, char *repo, size_t rn)
{
	char buf[REF_MAX];

	/* Longer than any reference imgref takes: not an image. */
	if (n >= sizeof(buf))
		return -1;
	snprintf(buf, sizeof(buf), "%.*s", (int)n, v);
	if (lc_imgref_parse(r, buf, 1) != 0) {
		lc_error_clear();
		return -1;
	}
	snprintf(repo, rn, "%.*s", (int)(strcspn(buf, "@") -
	    (r->tag[0] ? strlen(r->tag) + 1 : 0)), buf);
	return 0;
}

static int
raw_doc(struct lc_ydoc *d, void *arg)
{
	struct raw_ctx *c = arg;
	struct state *st = c->st;
	struct lc_imgref r;
	char repo[REF_MAX], val[REF_MAX];
	const char *v, *k;
	size_t vn, kn;
	uint32_t i, key;
	int g, rc;

	for (i = 1; i < d->nnodes; i++) {
		if (LC_YN(d, i)->type != LC_YSCALAR || (key = lc_yaml_edit_node_key(d,
		    i)) == 0 || key == i)
			continue;
		k = lc_yaml_edit_node_value(d, key, &kn);
		if (kn != 5 || strncmp(k, "image", 5) != 0)
			continue;
		v = lc_yaml_edit_node_value(d, i, &vn);
		if (raw_ref(v, vn, &r, repo, sizeof(repo)) != 0)
			continue;
		if (!c->edit) {
			/* Few: the images of a set of manifests, not apps. */
			for (g = 0; g < st->ng && strcmp(st->g[g].name, repo); g++)
				;
			if (g < st->ng) {
				if (strcmp(st->g[g].tag, r.tag) ||
				    strcmp(st->g[g].digest, r.digest))
					return lc_error_set(LC_ERROR, "%s: %s has two "
					    "versions in the source (%s and %s)",
					    c->file, repo, st->g[g].tag, r.tag);
				continue;
			}
			if (!wanted(c->o, repo))
				continue;
			GROW(st->g, st->ng, st->cg);
			memset(&st->g[st->ng], 0, sizeof(st->g[0]));
			st->g[st->ng].seq = st->ng;
			if ((rc = fit(st->g[st->ng].name, sizeof(st->g[0].name),
			    "the image", "%s", repo)) != 0)
				return rc;
			memcpy(st->g[st->ng].tag, r.tag, strlen(r.tag) + 1);
			memcpy(st->g[st->ng].digest, r.digest, strlen(r.digest) +
			    1);
			st->ng++;
			continue;
		}
		for (g = 0; g < st->ng && strcmp(st->g[g].name, repo); g++)
			;
		if (g == st->ng)
			continue;
		{
			const char *dg = st->g[g].digest[0] ? st->g[g].digest :
			    pinned(st, repo);
			struct change *ch = new_change(st);
			struct lc_ylit lit;

			memcpy(ch->name, st->g[g].name, sizeof(ch->name));
			if ((rc = fit(ch->file, sizeof(ch->file), "the path",
			    "%s", c->file)) != 0)
				return rc;
			memcpy(ch->tag, st->g[g].tag, sizeof(ch->tag));
			memcpy(ch->digest, dg, strlen(dg) + 1);
			snprintf(ch->prev, sizeof(ch->prev), "%.*s", (int)vn, v);
			if ((rc = fit(val, sizeof(val), "the image", "%s%s%s%s%s",
			    repo, st->g[g].tag[0] ? ":" : "", st->g[g].tag, *dg ?
			    "@" : "", dg)) != 0)
				return rc;
			memcpy(ch->next, val, sizeof(ch->next));
			ch->differs = strcmp(ch->prev, ch->next) != 0;
			if (!ch->differs)
				continue;
			memset(&lit, 0, sizeof(lit));
			lit.kind = LC_YL_STR;
			lit.s = val;
			lit.n = strlen(val);
			if ((rc = lc_yaml_edit_set(d, i, &lit)) != 0)
				return rc;
			c->edits++;
		}
	}
	if (c->edit && c->edits) {
		c->edits = 0;
		return lc_yaml_edit_commit(d);
	}
	return 0;
}

struct walk_ctx {
	struct names files;
	const char *dir;
};

static int
collect_yaml(const char *root, const git_tree_entry *e, void *arg)
{
	struct walk_ctx *w = arg;
	struct lc_buf b = LC_BUF_INIT;
	const char *name = git_tree_entry_name(e);
	size_t n = strlen(name);

	if (git_tree_entry_type(e) != GIT_OBJECT_BLOB)
		return 0;
	if ((n > 5 && strcmp(name + n - 5, ".yaml") == 0) || (n > 4 &&
	    strcmp(name + n - 4, ".yml") == 0)) {
		lc_buf_printf(&b, "%s/%s%s", w->dir, root, name);
		names_add(&w->files, b.data, b.len);
		lc_buf_release(&b);
	}
	return 0;
}

/* Every YAML file under dir of tree (recursively, sorted). */
static int
yaml_files(git_repository *repo, git_tree *tree, const char *dir,
    struct walk_ctx *w)
{
	git_tree_entry *e = NULL;
	git_tree *sub = NULL;
	int rc;

	names_release(&w->files);
	w->dir = dir;
	if (git_tree_entry_bypath(&e, tree, dir) != 0 ||
	    git_tree_lookup(&sub, repo, git_tree_entry_id(e)) != 0) {
		git_tree_entry_free(e);
		return lc_error_set(LC_ENOTFOUND, "%s: no such directory", dir);
	}
	git_tree_entry_free(e);
	rc = git_tree_walk(sub, GIT_TREEWALK_PRE, collect_yaml, w);
	git_tree_free(sub);
	return rc == 0 ? 0 : lc_git_error(rc, dir);
}

/* --raw: image: fields of every YAML file under the env directories. */
static int
plan_raw(struct state *st, const struct opts *o, git_tree *tree)
{
	struct walk_ctx w;
	struct lc_buf b = LC_BUF_INIT;
	struct lc_yout out = LC_YOUT_INIT;
	struct raw_ctx c;
	char dir[PATH_MAX_];
	int i, rc;

	memset(&c, 0, sizeof(c));
	memset(&w, 0, sizeof(w));
	c.st = st;
	c.o = o;
	if (o->from) {
		st->ng = 0;
		if ((rc = expand(o->path, o->from, NULL, dir, sizeof(dir))) != 0 ||
		    (rc = yaml_files(st->repo, tree, dir, &w)) != 0)
			goto out;
		for (i = 0; i < w.files.n; i++) {
			b.len = 0;
			c.file = w.files.v[i];
			if ((rc = read_path(st->repo, tree, c.file, &b)) != 0 ||
			    (rc = lc_yaml_edit_stream(c.file, b.data ? b.data : "",
			    b.len, raw_doc, &c, NULL)) != 0)
				goto out;
		}
		if (st->ng == 0) {
			rc = lc_error_set(LC_ENOTFOUND, "%s: no image: fields%s",
			    dir, o->nimages ? " of the images named" : "");
			goto out;
		}
	}
	if ((rc = expand(o->path, o->to, NULL, dir, sizeof(dir))) != 0 ||
	    (rc = yaml_files(st->repo, tree, dir, &w)) != 0)
		goto out;
	c.edit = 1;
	for (i = 0; i < w.files.n; i++) {
		struct target *t;

		GROW(st->t, st->nt, st->ct);
		t = &st->t[st->nt];
		memset(t, 0, sizeof(*t));
		if ((rc = fit(t->dst, sizeof(t->dst), "the path", "%s",
		    w.files.v[i])) != 0)
			goto out;
		c.file = t->dst;
		if ((rc = read_path(st->repo, tree, t->dst, &t->before)) != 0)
			goto out;
		lc_yaml_edit_out_release(&out);
		if ((rc = lc_yaml_edit_stream(t->dst, t->before.data ? t->before.data :
		    "", t->before.len, raw_doc, &c, &out)) != 0)
			goto out;
		lc_yaml_edit_out_join(&out, &t->after);
		t->changed = out.changed;
		st->nt++;
	}
	rc = 0;
out:
	names_release(&w.files);
	lc_yaml_edit_out_release(&out);
	lc_buf_release(&b);
	return rc;
}

/* The first of st->g (sorted by app) for app, or st->ng. */
static int
first_given(const struct state *st, const char *app)
{
	int lo = 0, hi = st->ng, m;

	while (lo < hi) {
		m = lo + (hi - lo) / 2;
		if (strcmp(st->g[m].app, app) < 0)
			lo = m + 1;
		else
			hi = m;
	}
	return lo;
}

/* Compute every target's new bytes from the tree of commit tip. */
static int
plan(struct state *st, const struct opts *o, const git_oid *tip)
{
	git_commit *c = NULL;
	git_tree *tree = NULL;
	char dir[PATH_MAX_];
	struct names apps = { NULL, 0, 0 };
	int *run = NULL;	/* --set/--rollback: app a's st->g from run[a] */
	struct lc_buf src = LC_BUF_INIT;
	struct lc_yout out = LC_YOUT_INIT;
	struct src_ctx sc;
	struct dst_ctx dc;
	struct target *t = NULL;
	int napps = 1, a, rc;

	memset(&sc, 0, sizeof(sc));
	/* Planned again on every attempt: drop the last attempt's bytes. */
	for (a = 0; a < st->nt; a++) {
		lc_buf_release(&st->t[a].before);
		lc_buf_release(&st->t[a].after);
	}
	st->nt = st->nc = 0;
	if ((rc = git_commit_lookup(&c, st->repo, tip)) != 0 ||
	    (rc = git_commit_tree(&tree, c)) != 0) {
		git_commit_free(c);
		return lc_git_error(rc, "the branch tip");
	}
	if (o->raw) {
		rc = plan_raw(st, o, tree);
		goto out;
	}
	if (o->napps && (napps = list_apps(st->repo, tree, o, &apps)) < 0) {
		rc = napps;
		goto out;
	}
	if (!o->from && !o->napps) {
		/*
		 * --set/--rollback: the apps the given versions name. st->g is
		 * sorted by app (settle_given), so each app is one run of it.
		 */
		int g;

		run = lc_xmalloc(((size_t)st->ng + 1) * sizeof(*run));
		for (napps = 0, g = 0; g < st->ng; g++)
			if (g == 0 || strcmp(st->g[g - 1].app, st->g[g].app) != 0)
				run[napps++] = g;
		run[napps] = st->ng;
	}
	for (a = 0; a < napps; a++) {
		const char *app = o->napps ? apps.v[a] : run &&
		    st->g[run[a]].app[0] ? st->g[run[a]].app : NULL;

		GROW(st->t, st->nt, st->ct);
		t = &st->t[st->nt];
		memset(t, 0, sizeof(*t));
		memcpy(t->app, app ? app : "", strlen(app ? app : "") + 1);
		sc.l.n = 0;
		if (o->from && o->nkeys) {
			struct helm_src hs = { o, &sc, t->src };

			if ((rc = expand(o->path, o->from, app, t->src,
			    sizeof(t->src))) != 0)
				goto out;
			src.len = 0;
			if (read_path(st->repo, tree, t->src, &src) != 0) {
				rc = lc_error_set(LC_ENOTFOUND, "%s: no such file "
				    "(check --path)", t->src);
				goto out;
			}
			if ((rc = lc_yaml_edit_stream(t->src, src.data ? src.data : "",
			    src.len, helm_read, &hs, NULL)) != 0)
				goto out;
		} else if (o->from) {
			if ((rc = expand(o->path, o->from, app, dir,
			    sizeof(dir))) != 0)
				goto out;
			src.len = 0;
			if ((rc = find_kustomization(st->repo, tree, dir, t->src,
			    sizeof(t->src), &src)) != 0)
				goto out;
			if ((rc = lc_yaml_edit_stream(t->src, src.data ? src.data : "",
			    src.len, read_src, &sc, NULL)) != 0)
				goto out;
		} else {
			int g = run ? run[a] : first_given(st, app ? app : "");

			for (; g < st->ng && strcmp(st->g[g].app, app ? app : "")
			    == 0; g++) {
				struct img *im = imgs_new(&sc.l);

				memcpy(im->name, st->g[g].name, sizeof(im->name));
				memcpy(im->tag, st->g[g].tag, sizeof(im->tag));
				memcpy(im->digest, st->g[g].digest,
				    sizeof(im->digest));
			}
			if (sc.l.n == 0) {
				t = NULL;	/* --app matched one not given */
				continue;
			}
		}
		if (o->nkeys) {
			if ((rc = expand(o->path, o->to, app, t->dst,
			    sizeof(t->dst))) != 0)
				goto out;
			if (read_path(st->repo, tree, t->dst, &t->before) != 0) {
				rc = lc_error_set(LC_ENOTFOUND, "%s: no such file "
				    "(check --path)", t->dst);
				goto out;
			}
		} else {
			if ((rc = expand(o->path, o->to, app, dir,
			    sizeof(dir))) != 0)
				goto out;
			if ((rc = find_kustomization(st->repo, tree, dir, t->dst,
			    sizeof(t->dst), &t->before)) != 0)
				goto out;
		}
		if (sc.l.n == 0) {
			rc = lc_error_set(LC_ENOTFOUND, "%s: no images: entries "
			    "to promote (is the version set in base/?)", t->src);
			goto out;
		}
		memset(&dc, 0, sizeof(dc));
		dc.src = &sc;
		dc.o = o;
		dc.st = st;
		dc.app = app;
		dc.file = t->dst;
		lc_yaml_edit_out_release(&out);
		if ((rc = lc_yaml_edit_stream(t->dst, t->before.data ?
		    t->before.data : "", t->before.len, o->nkeys ? helm_edit :
		    edit_dst, &dc, &out)) != 0)
			goto out;
		lc_yaml_edit_out_join(&out, &t->after);
		t->changed = out.changed;
		st->nt++;
		t = NULL;
	}
	rc = 0;
out:
	if (t != NULL) {
		/* The one being planned when it failed: not counted in nt. */
		lc_buf_release(&t->before);
		lc_buf_release(&t->after);
	}
	free(sc.l.im);
	free(run);
	names_release(&apps);
	lc_yaml_edit_out_release(&out);
	lc_buf_release(&src);
	git_tree_free(tree);
	git_commit_free(c);
	return rc;
}

/* ---- guards -------------------------------------------------------------- */

static int platforms(struct lc_registry *r, const struct opts *o,
    const char *repo, const struct lc_reg_desc *d, const struct change *c);

static int
verify(const struct state *st, const struct opts *o)
{
	struct lc_registry *r = NULL;
	struct lc_reg_desc d;
	struct lc_imgref ref;
	struct lc_registry_opts ro;
	int i, rc;

	for (i = 0; i < st->nc; i++) {
		const struct change *c = &st->c[i];

		if (!c->differs)
			continue;
		if (lc_imgref_parse(&ref, c->next, 1) != 0) {
			if (o->nkeys) {
				/* Helm values without --repo-key: no repository. */
				lc_error_clear();
				lc_log_info("%s: %s: no --repo-key, not checked",
				    c->file, c->name);
				continue;
			}
			return lc_error_set(LC_ERROR, "%s: '%s' is not an image "
			    "reference", c->file, c->next);
		}
		if (strcmp(ref.registry, "docker.io") == 0 &&
		    strchr(c->next, '/') == NULL) {
			lc_log_info("%s: '%s' names no registry; not checked",
			    c->file, c->next);
			continue;
		}
		ro = o->ro;
		if (lc_imgref_loopback(ref.registry) && !o->reg_https)
			ro.plain_http = 1;
		if ((rc = lc_registry_open(&r, ref.registry, &ro)) != 0)
			return rc;
		rc = lc_registry_resolve(r, ref.repo, ref.digest[0] ? ref.digest :
		    ref.tag, &d);
		if (rc == 0 && o->nplatforms)
			rc = platforms(r, o, ref.repo, &d, c);
		lc_registry_close(r);
		if (rc == LC_ENOTFOUND)
			return lc_error_set(rc, "%s: %s is not in the registry; "
			    "nothing was promoted", c->file, c->next);
		if (rc != 0)
			return rc;
		if (ref.digest[0] && strcmp(d.digest, ref.digest) != 0)
			return lc_error_set(LC_ERROR, "%s: %s resolves to %s",
			    c->file, c->next, d.digest);
		lc_log_info("%s: %s is in the registry (%s)", c->file, c->next,
		    d.digest);
		if (o->pin && !c->digest[0]) {
			struct state *w = (struct state *)st;

			GROW(w->pin, w->npin, w->cpin);
			memcpy(w->pin[w->npin].name, c->name,
			    sizeof(w->pin[0].name));
			if ((rc = fit(w->pin[w->npin].digest,
			    sizeof(w->pin[0].digest), "the digest", "%s",
			    d.digest)) != 0)
				return rc;
			w->npin++;
		}
	}
	return 0;
}

/* Whether "os/arch[/variant]" want is os, arch (and variant) of have. */
static int
platform_is(const char *want, const char *os, const char *arch,
    const char *variant)
{
	char w[128], *a, *v;

	/* --platform is at most 127 bytes (checked in main). */
	snprintf(w, sizeof(w), "%s", want);
	if ((a = strchr(w, '/')) == NULL)
		return 0;
	*a++ = '\0';
	if ((v = strchr(a, '/')) != NULL)
		*v++ = '\0';
	return strcmp(w, os) == 0 && strcmp(a, arch) == 0 && (v == NULL ||
	    strcmp(v, variant) == 0);
}

/*
 * --platform: the image written must run there: an index lists it, or a
 * single image's config says it.
 */
static int
platforms(struct lc_registry *r, const struct opts *o, const char *repo,
    const struct lc_reg_desc *d, const struct change *c)
{
	struct lc_reg_desc md;
	struct lc_buf have = LC_BUF_INIT;
	char *bytes = NULL, *cfg = NULL;
	size_t len, clen;
	jv m = jv_null(), l, e, conf = jv_null();
	int rc, i, k, n, hit;
	const char *os, *arch, *var;

	if ((rc = lc_registry_get(r, repo, d->digest, &bytes, &len, &md)) != 0)
		return rc;
	m = jv_parse_sized(bytes, (int)len);
	if (lc_registry_is_index(md.media_type)) {
		l = lc_jv_get(m, "manifests");
		n = jv_get_kind(l) == JV_KIND_ARRAY ? jv_array_length(jv_copy(l))
		    : 0;
		for (i = 0; i < n; i++) {
			e = jv_array_get(jv_copy(l), i);
			os = lc_jv_str(e, "platform.os");
			arch = lc_jv_str(e, "platform.architecture");
			var = lc_jv_str(e, "platform.variant");
			/* Attestations list as unknown/unknown: not a platform. */
			if (*os && strcmp(os, "unknown") != 0)
				lc_buf_printf(&have, "%s%s/%s%s%s", have.len ? " " :
				    "", os, arch, *var ? "/" : "", var);
			jv_free(e);
		}
		jv_free(l);
	} else if ((rc = lc_registry_get_blob(r, repo, lc_jv_str(m,
	    "config.digest"), &cfg, &clen)) == 0) {
		conf = jv_parse_sized(cfg, (int)clen);
		var = lc_jv_str(conf, "variant");
		lc_buf_printf(&have, "%s/%s%s%s", lc_jv_str(conf, "os"),
		    lc_jv_str(conf, "architecture"), *var ? "/" : "", var);
	} else
		goto out;
	for (k = 0; rc == 0 && k < o->nplatforms; k++) {
		char *list, *tok, *save = NULL;

		/* A copy to cut up: an index may list many platforms. */
		list = lc_xstrndup(have.data ? have.data : "", have.len);
		for (hit = 0, tok = strtok_r(list, " ", &save); tok && !hit;
		    tok = strtok_r(NULL, " ", &save)) {
			char *t = tok, *a, *v;

			a = strchr(t, '/');
			if (a == NULL)
				continue;
			*a++ = '\0';
			v = strchr(a, '/');
			if (v)
				*v++ = '\0';
			hit = platform_is(o->platforms[k], t, a, v ? v : "");
		}
		free(list);
		if (!hit)
			rc = lc_error_set(LC_ENO, "%s: %s has no %s image (it has: "
			    "%s); nothing was promoted", c->file, c->next,
			    o->platforms[k], have.data && *have.data ? have.data :
			    "none named");
	}
out:
	jv_free(conf);
	jv_free(m);
	free(cfg);
	free(bytes);
	lc_buf_release(&have);
	return rc;
}

/* --semver, --allow-tags and --gate: any refusal exits 1 before writing. */
static int
guards(const struct state *st, const struct opts *o)
{
	struct lc_semver v;
	struct lc_buf list = LC_BUF_INIT, re = LC_BUF_INIT;
	regex_t rx;
	int i, rc = 0, st_;
	pid_t pid;
	char src[GIT_OID_HEXSZ + 1] = "";

	if (o->allow_tags) {
		lc_buf_printf(&re, "^(%s)$", o->allow_tags);
		if (regcomp(&rx, re.data, REG_EXTENDED | REG_NOSUB) != 0) {
			lc_buf_release(&re);
			return lc_error_set(LC_EUSAGE, "--allow-tags '%s': not an "
			    "extended regular expression", o->allow_tags);
		}
	}
	for (i = 0; rc == 0 && i < st->nc; i++) {
		const struct change *c = &st->c[i];

		if (!c->differs)
			continue;
		if (o->semver && (lc_semver_parse(c->tag, &v) != 0 ||
		    lc_semver_in(&v, o->semver) != 1))
			rc = lc_error_set(LC_ENO, "%s: tag '%s' is not a version "
			    "in %s; nothing was promoted", c->name, c->tag,
			    o->semver);
		else if (o->allow_tags && regexec(&rx, c->tag, 0, NULL, 0) != 0)
			rc = lc_error_set(LC_ENO, "%s: tag '%s' does not match "
			    "--allow-tags %s; nothing was promoted", c->name,
			    c->tag, o->allow_tags);
		lc_buf_printf(&list, "%s\n", c->next);
	}
	if (o->allow_tags)
		regfree(&rx);
	lc_buf_release(&re);
	if (st->have_source)
		git_oid_tostr(src, sizeof(src), &st->source_commit);
	for (i = 0; rc == 0 && i < o->ngates; i++) {
		fflush(stdout);
		if ((pid = fork()) == 0) {
			setenv("PROMOTE_FROM", o->from ? o->from : "", 1);
			setenv("PROMOTE_TO", o->to, 1);
			setenv("PROMOTE_IMAGES", list.data ? list.data : "", 1);
			setenv("PROMOTE_SOURCE_COMMIT", src, 1);
			/* The gate's output is a message, not our data. */
			dup2(2, 1);
			execl("/bin/sh", "sh", "-c", o->gates[i], (char *)NULL);
			_exit(127);
		}
		if (pid < 0 || waitpid(pid, &st_, 0) < 0)
			rc = lc_error_errno(LC_ERROR, "--gate");
		else if (!WIFEXITED(st_) || WEXITSTATUS(st_) != 0)
			rc = lc_error_set(LC_ENO, "gate '%s' failed (%s %d); "
			    "nothing was promoted", o->gates[i], WIFEXITED(st_) ?
			    "exit" : "signal", WIFEXITED(st_) ? WEXITSTATUS(st_) :
			    WTERMSIG(st_));
	}
	lc_buf_release(&list);
	return rc;
}

/* An image reference, or a bare tag, or @digest, into g's tag and digest. */
static int
given_ref(struct given *g, const char *ref)
{
	struct lc_imgref r;

	if (*ref == '@') {
		if (strlen(ref + 1) >= sizeof(g->digest))
			return -1;
		snprintf(g->digest, sizeof(g->digest), "%s", ref + 1);
		return strncmp(g->digest, "sha256:", 7) == 0 ? 0 : -1;
	}
	if (strpbrk(ref, "/:@") == NULL) {
		if (strlen(ref) >= sizeof(g->tag))
			return -1;
		snprintf(g->tag, sizeof(g->tag), "%s", ref);
		return lc_imgref_valid_tag(ref) ? 0 : -1;
	}
	if (lc_imgref_parse(&r, ref, 1) != 0) {
		lc_error_clear();
		return -1;
	}
	snprintf(g->tag, sizeof(g->tag), "%s", r.tag);
	snprintf(g->digest, sizeof(g->digest), "%s", r.digest);
	return 0;
}

/*
 * "[app/]name=ref" into a given version, appended; settle_given() then
 * keeps the later of two for one image. -1 when spec is not that (or a part
 * is longer than its field).
 */
static int
add_given(struct state *st, const char *spec, int raw)
{
	const char *eq = strchr(spec, '='), *slash;
	struct given *g;

	if (eq == NULL || eq == spec || strlen(eq + 1) >= REF_MAX)
		return -1;
	GROW(st->g, st->ng, st->cg);
	g = &st->g[st->ng];
	memset(g, 0, sizeof(*g));
	g->seq = st->ng;
	/* With --raw the name is the repository, slashes and all. */
	slash = raw ? NULL : memchr(spec, '/', (size_t)(eq - spec));
	if (slash) {
		if ((size_t)(slash - spec) >= sizeof(g->app))
			return -1;
		memcpy(g->app, spec, (size_t)(slash - spec));
		spec = slash + 1;
	}
	if ((size_t)(eq - spec) >= sizeof(g->name))
		return -1;
	memcpy(g->name, spec, (size_t)(eq - spec));
	if (given_ref(g, eq + 1) != 0)
		return -1;
	st->ng++;
	return 0;
}

/* By app, name, then the order given. */
static int
by_given(const void *a, const void *b)
{
	const struct given *x = a, *y = b;
	int c;

	if ((c = strcmp(x->app, y->app)) != 0 ||
	    (c = strcmp(x->name, y->name)) != 0)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* By app, then the order given. */
static int
by_app_seq(const void *a, const void *b)
{
	const struct given *x = a, *y = b;
	int c = strcmp(x->app, y->app);

	return c ? c : x->seq < y->seq ? -1 : x->seq > y->seq;
}

/*
 * Keep one version per image: given again (an older promotion, --steps),
 * the later word wins, in the place of the first. Then sort by app, so that
 * plan() takes each app's as one run. O(n log n): a rollback of 1,000 apps
 * reads 3,000 trailers.
 */
static void
settle_given(struct state *st)
{
	int i, k = 0, first = 0;

	if (st->ng > 1)
		qsort(st->g, (size_t)st->ng, sizeof(st->g[0]), by_given);
	for (i = 0; i < st->ng; i++) {
		if (i == 0 || strcmp(st->g[i].app, st->g[i - 1].app) != 0 ||
		    strcmp(st->g[i].name, st->g[i - 1].name) != 0)
			first = st->g[i].seq;
		if (i + 1 < st->ng && strcmp(st->g[i].app, st->g[i + 1].app) ==
		    0 && strcmp(st->g[i].name, st->g[i + 1].name) == 0)
			continue;
		st->g[k] = st->g[i];
		st->g[k++].seq = first;
	}
	st->ng = k;
	if (st->ng > 1)
		qsort(st->g, (size_t)st->ng, sizeof(st->g[0]), by_app_seq);
}

/* The oldest promotion --rollback undoes. */
static const char *
oldest_undone(const struct state *st)
{
	return st->nundone ? st->undone[st->nundone - 1] : "";
}

/* --rollback: the previous versions the last promotion into -t recorded. */
static int
find_rollback(struct state *st, const struct opts *o, const git_oid *tip)
{
	git_revwalk *w = NULL;
	git_commit *c = NULL;
	git_message_trailer_array tr;
	git_oid id;
	size_t i;
	int n = 0, found = 0, is_to;

	if (git_revwalk_new(&w, st->repo) != 0)
		return lc_error_set(LC_ERROR, "cannot walk the history");
	git_revwalk_sorting(w, GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME);
	git_revwalk_push(w, tip);
	st->ng = st->nundone = 0;
	while (!found && git_revwalk_next(&id, w) == 0 && n++ < 10000) {
		if (git_commit_lookup(&c, st->repo, &id) != 0)
			continue;
		memset(&tr, 0, sizeof(tr));
		if (git_message_trailers(&tr, git_commit_message(c)) == 0) {
			for (is_to = 0, i = 0; i < tr.count; i++)
				is_to |= strcmp(tr.trailers[i].key, "Promote-To") ==
				    0 && strcmp(tr.trailers[i].value, o->to) == 0;
			if (is_to) {
				/* Older promotions' previous versions win. */
				found = ++st->nundone == o->steps;
				git_oid_tostr(st->undone[st->nundone - 1],
				    sizeof(st->undone[0]), &id);
				for (i = 0; i < tr.count; i++)
					if (strcmp(tr.trailers[i].key,
					    "Promote-Previous-Image") == 0 &&
					    add_given(st, tr.trailers[i].value, o->raw) != 0)
						lc_log_warn("%s: cannot read the "
						    "trailer '%s'", git_oid_tostr_s(
						    &id), tr.trailers[i].value);
			}
			git_message_trailer_array_free(&tr);
		}
		git_commit_free(c);
		c = NULL;
	}
	git_revwalk_free(w);
	settle_given(st);
	if (!found && st->nundone == 0)
		return lc_error_set(LC_ENOTFOUND, "no promotion into %s in the "
		    "history of the branch: nothing to roll back", o->to);
	if (!found)
		return lc_error_set(LC_ENOTFOUND, "--steps %d: the history of the "
		    "branch has %d promotion%s into %s", o->steps, st->nundone,
		    st->nundone == 1 ? "" : "s", o->to);
	if (st->ng == 0)
		return lc_error_set(LC_ENOTFOUND, "commit %.7s promoted into %s "
		    "but recorded no Promote-Previous-Image", oldest_undone(st),
		    o->to);
	return 0;
}

/* The last commit (from tip back) that changed path: what SRC runs. */
static void
source_commit(struct state *st, const git_oid *tip, const char *path)
{
	git_revwalk *w = NULL;
	git_oid id, blob, prev;
	git_commit *c = NULL;
	git_tree *t = NULL;
	git_tree_entry *e = NULL;
	int have_prev = 0, n = 0;

	st->have_source = 0;
	if (git_revwalk_new(&w, st->repo) != 0)
		return;
	git_revwalk_sorting(w, GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME);
	git_revwalk_push(w, tip);
	while (git_revwalk_next(&id, w) == 0 && n++ < 5000) {
		memset(&blob, 0, sizeof(blob));
		if (git_commit_lookup(&c, st->repo, &id) == 0 &&
		    git_commit_tree(&t, c) == 0 &&
		    git_tree_entry_bypath(&e, t, path) == 0)
			git_oid_cpy(&blob, git_tree_entry_id(e));
		git_tree_entry_free(e);
		git_tree_free(t);
		git_commit_free(c);
		e = NULL;
		t = NULL;
		c = NULL;
		if (have_prev && !git_oid_equal(&blob, &prev))
			break;
		git_oid_cpy(&st->source_commit, &id);
		st->have_source = 1;
		git_oid_cpy(&prev, &blob);
		have_prev = 1;
	}
	git_revwalk_free(w);
}

/* ---- commit, diff, output ------------------------------------------------ */

/* The trailers every promotion commit ends with: the run, the tool, --trailer. */
static void
closing_trailers(const struct opts *o, struct lc_buf *m)
{
	struct lc_buf url = LC_BUF_INIT;
	const char *eq;
	int i;

	if (lc_ci_run_url(&url))
		lc_buf_printf(m, "Promote-Run: %s\n", url.data);
	lc_buf_printf(m, "Promote-Tool: promote/%s\n", VERSION);
	for (i = 0; i < o->ntrailers; i++) {
		eq = strchr(o->trailers[i], '=');
		lc_buf_printf(m, "%.*s: %s\n", (int)(eq - o->trailers[i]),
		    o->trailers[i], eq + 1);
	}
	lc_buf_release(&url);
}

static void
message(const struct state *st, const struct opts *o, struct lc_buf *m)
{
	char src[GIT_OID_HEXSZ + 1] = "", short_src[8];
	int i, n = 0, first = -1, k, last;

	for (i = 0; i < st->nc; i++)
		if (st->c[i].differs) {
			n++;
			if (first < 0)
				first = i;
		}
	if (st->have_source)
		git_oid_tostr(src, sizeof(src), &st->source_commit);
	snprintf(short_src, sizeof(short_src), "%.7s", src);
	if (o->message)
		lc_buf_printf(m, "%s\n\n", o->message);
	else if (o->rollback && st->nundone > 1)
		lc_buf_printf(m, "promote(%s): rollback of %d promotions, to "
		    "before %.7s\n\n", o->to, st->nundone, oldest_undone(st));
	else if (o->rollback)
		lc_buf_printf(m, "promote(%s): rollback of %.7s\n\n", o->to,
		    oldest_undone(st));
	else if (!o->from && n == 1)
		lc_buf_printf(m, "promote(%s): set %s%s%s %s\n\n", o->to,
		    st->c[first].app, st->c[first].app[0] ? " " : "",
		    st->c[first].name, st->c[first].tag[0] ? st->c[first].tag :
		    st->c[first].digest);
	else if (!o->from)
		lc_buf_printf(m, "promote(%s): set %d images\n\n", o->to, n);
	else if (n == 1)
		lc_buf_printf(m, "promote(%s): %s%s%s %s from %s\n\n", o->to,
		    st->c[first].app, st->c[first].app[0] ? " " : "",
		    st->c[first].name, st->c[first].tag[0] ? st->c[first].tag :
		    st->c[first].digest, o->from);
	else
		lc_buf_printf(m, "promote(%s): %d images from %s\n\n", o->to, n,
		    o->from);
	if (o->rollback)
		lc_buf_printf(m, "Rolled %s back to before %.7s:\n", o->to,
		    oldest_undone(st));
	else if (!o->from)
		lc_buf_printf(m, "Set by hand in %s:\n", o->to);
	else
		lc_buf_printf(m, "Promoted from %s (%s) to %s:\n", o->from,
		    short_src[0] ? short_src : "?", o->to);
	/* Each file once, its images under it (changes come file by file). */
	for (last = -1, i = 0; i < st->nc; i++) {
		if (!st->c[i].differs)
			continue;
		if (last < 0 || strcmp(st->c[last].file, st->c[i].file) != 0)
			lc_buf_printf(m, "- %s\n", st->c[i].file);
		last = i;
		lc_buf_printf(m, "  %s: %s -> %s\n", st->c[i].name,
		    st->c[i].prev, st->c[i].next);
	}
	lc_buf_adds(m, "\n");
	if (o->from)
		lc_buf_printf(m, "Promote-From: %s\n", o->from);
	lc_buf_printf(m, "Promote-To: %s\n", o->to);
	if (o->from && src[0])
		lc_buf_printf(m, "Promote-Source-Commit: %s\n", src);
	for (k = 0; k < 2; k++)
		for (i = 0; i < st->nc; i++) {
			if (!st->c[i].differs)
				continue;
			lc_buf_printf(m, "Promote-%sImage: %s%s%s=%s\n", k ?
			    "Previous-" : "", st->c[i].app, st->c[i].app[0] ?
			    "/" : "", st->c[i].name, k ? st->c[i].prev :
			    st->c[i].next);
		}
	for (i = 0; o->rollback && i < st->nundone; i++)
		lc_buf_printf(m, "Promote-Rollback-Of: %s\n", st->undone[i]);
	if (!o->rollback && !o->from)
		lc_buf_adds(m, "Promote-Reason: manual\n");
	closing_trailers(o, m);
}

static int
print_diff(const struct target *t)
{
	git_patch *p = NULL;
	git_buf b = { NULL, 0, 0 };
	git_diff_options opt;
	int rc;

	git_diff_options_init(&opt, GIT_DIFF_OPTIONS_VERSION);
	if ((rc = git_patch_from_buffers(&p, t->before.data, t->before.len,
	    t->dst, t->after.data, t->after.len, t->dst, &opt)) != 0 ||
	    (rc = git_patch_to_buf(&b, p)) != 0) {
		git_patch_free(p);
		return lc_git_error(rc, "diff");
	}
	fwrite(b.ptr, 1, b.size, stdout);
	git_buf_dispose(&b);
	git_patch_free(p);
	return 0;
}

/* The tree of tip with every changed target replaced. */
static int
new_tree(struct state *st, const git_oid *tip, git_oid *out)
{
	git_index *idx = NULL;
	git_commit *c = NULL;
	git_tree *tree = NULL;
	git_index_entry e;
	int i, rc;

	if ((rc = git_commit_lookup(&c, st->repo, tip)) == 0 &&
	    (rc = git_commit_tree(&tree, c)) == 0 &&
	    (rc = git_index_new(&idx)) == 0 &&
	    (rc = git_index_read_tree(idx, tree)) == 0) {
		for (i = 0; rc == 0 && i < st->nt; i++) {
			if (!st->t[i].changed)
				continue;
			memset(&e, 0, sizeof(e));
			e.mode = GIT_FILEMODE_BLOB;
			e.path = st->t[i].dst;
			e.file_size = (uint32_t)st->t[i].after.len;
			/* An in-memory index: the blob goes to the odb first. */
			if ((rc = git_blob_create_from_buffer(&e.id, st->repo,
			    st->t[i].after.data, st->t[i].after.len)) == 0)
				rc = git_index_add(idx, &e);
		}
		if (rc == 0)
			rc = git_index_write_tree_to(out, idx, st->repo);
	}
	git_index_free(idx);
	git_tree_free(tree);
	git_commit_free(c);
	return rc == 0 ? 0 : lc_git_error(rc, "build the tree");
}

/* $GITHUB_OUTPUT pr-url and pr-number, when there is a pull request. */
static void
pr_outputs(const struct state *st)
{
	char num[24];

	if (!st->have_pr)
		return;
	snprintf(num, sizeof(num), "%ld", st->pr.number);
	lc_ci_output("pr-url", st->pr.url);
	lc_ci_output("pr-number", num);
}

/* On GitHub Actions: a Markdown table on the run's summary page. */
static void
summary(const struct state *st, const struct opts *o, const char *commit,
    int changed)
{
	const char *path = getenv("GITHUB_STEP_SUMMARY");
	struct lc_buf m = LC_BUF_INIT;
	FILE *f;
	int i;

	if (lc_ci_kind() != LC_CI_GITHUB || path == NULL || *path == '\0')
		return;
	lc_buf_printf(&m, "### promote %s -> %s\n\n", o->from ? o->from :
	    o->rollback ? "rollback" : "set", o->to);
	if (!changed)
		lc_buf_adds(&m, "Already promoted: nothing changed.\n\n");
	else {
		lc_buf_adds(&m, "| app | image | from | to |\n|---|---|---|---|\n");
		for (i = 0; i < st->nc; i++)
			if (st->c[i].differs)
				lc_buf_printf(&m, "| %s | %s | `%s` | `%s` |\n",
				    st->c[i].app[0] ? st->c[i].app : "-",
				    st->c[i].name, st->c[i].prev, st->c[i].next);
		lc_buf_printf(&m, "\n%s%s%s\n\n", commit ? "Commit `" : "",
		    commit ? commit : o->dry_run ? "Dry run: nothing written." :
		    "", commit ? "`" : "");
		if (st->have_pr)
			lc_buf_printf(&m, "Pull request [#%ld](%s) %s.\n\n",
			    st->pr.number, st->pr.url, st->pr.created ?
			    "opened" : "updated");
	}
	if ((f = fopen(path, "a")) == NULL || fputs(m.data, f) < 0 ||
	    fclose(f) != 0)
		lc_log_error("GITHUB_STEP_SUMMARY: %s", strerror(errno));
	lc_buf_release(&m);
}

static void
report(const struct state *st, const struct opts *o, const char *commit,
    int changed)
{
	struct lc_buf env = LC_BUF_INIT;
	jv j, imgs;
	int i, n;

	imgs = jv_array();
	for (n = 0, i = 0; i < st->nc; i++) {
		if (!st->c[i].differs)
			continue;
		n++;
		imgs = jv_array_append(imgs, jv_object_set(jv_object_set(
		    jv_object_set(jv_object_set(jv_object_set(jv_object(),
		    jv_string("app"), jv_string(st->c[i].app)),
		    jv_string("name"), jv_string(st->c[i].name)),
		    jv_string("file"), jv_string(st->c[i].file)),
		    jv_string("previous"), jv_string(st->c[i].prev)),
		    jv_string("new"), jv_string(st->c[i].next)));
	}
	lc_buf_printf(&env, "PROMOTE_CHANGED=%s\nPROMOTE_COMMIT=%s\n"
	    "PROMOTE_IMAGES_COUNT=%d\n", changed ? "true" : "false",
	    commit ? commit : "", n);
	if (st->have_pr)
		lc_buf_printf(&env, "PROMOTE_PR_URL=%s\nPROMOTE_PR_NUMBER=%ld\n",
		    st->pr.url, st->pr.number);
	if (o->env)
		fputs(env.data, stdout);
	else if (!o->json) {
		/* --diff: what a dry run shows, on a real run too. */
		for (i = 0; o->diff && commit && i < st->nt; i++)
			if (st->t[i].changed && print_diff(&st->t[i]) != 0)
				lc_error_report();
		for (i = 0; i < st->nc; i++)
			if (st->c[i].differs)
				printf("%s%s%s %s -> %s %s -> %s\n", st->c[i].app,
				    st->c[i].app[0] ? " " : "", st->c[i].name,
				    st->c[i].prev, st->c[i].next, o->from ? o->from :
				    o->rollback ? "rollback" : "set", o->to);
		if (st->have_pr)
			printf("%s\n", st->pr.url);
	} else {
		j = jv_object();
		j = jv_object_set(j, jv_string("changed"), changed ? jv_true() :
		    jv_false());
		j = jv_object_set(j, jv_string("dry_run"), o->dry_run ?
		    jv_true() : jv_false());
		j = jv_object_set(j, jv_string("from"), o->from ?
		    jv_string(o->from) : jv_null());
		j = jv_object_set(j, jv_string("to"), jv_string(o->to));
		j = jv_object_set(j, jv_string("strategy"), jv_string(
		    o->tag_strategy ? "tag" : "dir"));
		if (st->have_source) {
			char s[GIT_OID_HEXSZ + 1];

			git_oid_tostr(s, sizeof(s), &st->source_commit);
			j = jv_object_set(j, jv_string("source_commit"),
			    jv_string(s));
		}
		j = jv_object_set(j, jv_string("commit"), commit ?
		    jv_string(commit) : jv_null());
		j = jv_object_set(j, jv_string("pr"), !st->have_pr ? jv_null() :
		    jv_object_set(jv_object_set(jv_object_set(jv_object(),
		    jv_string("number"), jv_number((double)st->pr.number)),
		    jv_string("url"), jv_string(st->pr.url)),
		    jv_string("created"), st->pr.created ? jv_true() :
		    jv_false()));
		j = jv_object_set(j, jv_string("images"), jv_copy(imgs));
		j = jv_dump_string(j, 0);
		printf("%s\n", jv_string_value(j));
		jv_free(j);
	}
	lc_ci_output("changed", changed ? "true" : "false");
	if (commit)
		lc_ci_output("commit", commit);
	imgs = jv_dump_string(imgs, 0);
	lc_ci_output("images", jv_string_value(imgs));
	jv_free(imgs);
	pr_outputs(st);
	if (o->dotenv) {
		FILE *f = fopen(o->dotenv, "a");

		if (f == NULL || fputs(env.data, f) < 0 || fclose(f) != 0)
			lc_log_error("--dotenv %s: %s", o->dotenv, strerror(errno));
	}
	summary(st, o, commit, changed);
	lc_buf_release(&env);
}

/* ---- --pr ----------------------------------------------------------------- */

/*
 * The work branch: --head-branch (default promote/{to}/{app}) with {to},
 * {from} and {app} put in. {app} is the one --app given, "all" without
 * --app, and for several (or a glob) "apps-" and a hash of the list, so
 * that a rerun of the same promotion finds the same branch and pull request.
 */
static int
head_name(const struct opts *o, char *out, size_t n)
{
	unsigned char h[32];
	struct lc_sha256 c;
	struct lc_buf b = LC_BUF_INIT;
	char app[APP_MAX];
	const char *p = o->head_tmpl, *v;
	int i, rc;

	if (o->napps == 0)
		snprintf(app, sizeof(app), "all");
	else if (o->napps == 1 && strpbrk(o->apps[0], "*?[") == NULL) {
		if ((rc = fit(app, sizeof(app), "--app", "%s", o->apps[0])) != 0)
			return rc;
	} else {
		lc_sha256_init(&c);
		for (i = 0; i < o->napps; i++)
			lc_sha256_update(&c, o->apps[i], strlen(o->apps[i]) + 1);
		lc_sha256_final(&c, h);
		snprintf(app, sizeof(app), "apps-%02x%02x%02x%02x", h[0], h[1],
		    h[2], h[3]);
	}
	while (*p) {
		v = NULL;
		if (strncmp(p, "{to}", 4) == 0 || strncmp(p, "{env}", 5) == 0)
			v = o->to;
		else if (strncmp(p, "{from}", 6) == 0)
			v = o->from ? o->from : o->rollback ? "rollback" : "set";
		else if (strncmp(p, "{app}", 5) == 0)
			v = app;
		if (v == NULL) {
			lc_buf_addc(&b, *p++);
			continue;
		}
		lc_buf_adds(&b, v);
		p = strchr(p, '}') + 1;
	}
	rc = fit(out, n, "the work branch", "%s", b.data ? b.data : "");
	lc_buf_release(&b);
	return rc;
}

/* Whether commits a and b are the same change: same tree, same parents. */
static int
same_change(git_repository *repo, const git_oid *a, const git_oid *b)
{
	git_commit *ca = NULL, *cb = NULL;
	unsigned int i;
	int same = 0;

	if (git_commit_lookup(&ca, repo, a) == 0 &&
	    git_commit_lookup(&cb, repo, b) == 0 &&
	    git_oid_equal(git_commit_tree_id(ca), git_commit_tree_id(cb)) &&
	    git_commit_parentcount(ca) == git_commit_parentcount(cb)) {
		same = 1;
		for (i = 0; i < git_commit_parentcount(ca); i++)
			same &= git_oid_equal(git_commit_parent_id(ca, i),
			    git_commit_parent_id(cb, i));
	}
	git_commit_free(ca);
	git_commit_free(cb);
	return same;
}

/* The forge of the remote, once (--pr, --require-status). */
static int
open_forge(struct state *st, const struct opts *o)
{
	struct lc_forge_conf fc;

	if (st->forge)
		return 0;
	memset(&fc, 0, sizeof(fc));
	fc.kind = o->provider;
	fc.api_url = o->api_url;
	fc.remote_url = git_remote_url(st->remote);
	fc.token_file = o->token_file;
	fc.deadline = o->deadline_ms ? lc_clock_ms() + o->deadline_ms : 0;
	return lc_forge_open(&st->forge, &fc);
}

/*
 * --require-status: the source commit (the last one that changed the
 * source, or the source branch's tip) must be green on the forge.
 */
static int
require_status(struct state *st, const struct opts *o, const git_oid *sha)
{
	char hex[GIT_OID_HEXSZ + 1];
	int rc;

	if (!o->require_status)
		return 0;
	if ((rc = open_forge(st, o)) != 0)
		return rc;
	git_oid_tostr(hex, sizeof(hex), sha);
	if ((rc = lc_forge_commit_green(st->forge, hex, o->status_context)) ==
	    LC_ENO) {
		char why[512];

		snprintf(why, sizeof(why), "%s", lc_error_msg());
		return lc_error_set(LC_ENO, "--require-status: %s; nothing was "
		    "promoted", why);
	}
	if (rc == 0)
		lc_log_info("%.7s is green on %s", hex, lc_forge_name(st->forge));
	return rc;
}

/*
 * Deliver commit (made on base's tip) as a pull request: it goes to the
 * work branch, forced with a lease on what the branch was (unless that is
 * already the same change: a rerun pushes nothing), and the pull request
 * from it into base is opened or updated. *oc says how the push went; a
 * lost lease is LC_GIT_RACE, for the caller's retry loop.
 */
static int
pr_deliver(struct state *st, const struct opts *o, const char *base,
    const git_oid *commit, const char *msg, struct lc_buf *detail,
    enum lc_git_outcome *oc)
{
	struct lc_forge_pr_req rq;
	struct lc_buf body = LC_BUF_INIT, title = LC_BUF_INIT;
	char tmpref[300], hex[GIT_OID_HEXSZ + 1];
	git_reference *ref = NULL;
	git_oid htip, sent;
	const char *nl;
	int rc, exists;

	*oc = LC_GIT_FAILED;
	/* Title: --title, else the commit's subject; body: --body-file,
	 * else the rest of the commit message (its trailers included). */
	nl = strchr(msg, '\n');
	if (o->title)
		lc_buf_adds(&title, o->title);
	else
		lc_buf_add(&title, msg, nl ? (size_t)(nl - msg) : strlen(msg));
	if (o->body_file) {
		if ((rc = lc_file_read(&body, o->body_file)) != 0)
			goto out;
	} else {
		lc_buf_adds(&body, nl ? nl + strspn(nl, "\n") : "");
		lc_buf_printf(&body, "\nOpened by promote %s.\n", VERSION);
	}
	memset(&rq, 0, sizeof(rq));
	rq.head = st->head;
	rq.base = base;
	rq.title = title.data;
	rq.body = body.data;
	rq.labels = o->labels;
	rq.nlabels = o->nlabels;
	rq.draft = o->draft;
	rq.merge = o->merge;
	/*
	 * Which forge, its token, and one authenticated read (the lookup of
	 * the open pull request) first: a token the forge refuses, a forge
	 * that is down or does not answer by the deadline stops us here,
	 * with nothing pushed.
	 */
	if ((rc = open_forge(st, o)) != 0 ||
	    (rc = lc_forge_pr_find(st->forge, &rq, &st->pr)) != 0)
		goto out;
	if ((rc = lc_git_fetch(st->repo, st->remote, st->head, &htip, &exists,
	    &st->auth)) != 0) {
		*oc = lc_git_fetch_outcome(rc);
		rc = *oc == LC_GIT_NETWORK ? 0 : rc;
		goto out;
	}
	git_oid_cpy(&sent, commit);
	if (exists && same_change(st->repo, &htip, commit)) {
		lc_log_info("%s already holds this change", st->head);
		git_oid_cpy(&sent, &htip);
		*oc = LC_GIT_LANDED;
	} else {
		snprintf(tmpref, sizeof(tmpref), "refs/promote/pr/%s", st->head);
		if ((rc = git_reference_create(&ref, st->repo, tmpref, commit, 1,
		    "promote: pull request")) != 0) {
			rc = lc_git_error(rc, "ref");
			goto out;
		}
		git_reference_free(ref);
		*oc = lc_git_push_lease(st->remote, tmpref, st->head, exists ?
		    &htip : NULL, detail, &st->auth);
		git_reference_remove(st->repo, tmpref);
		if (*oc != LC_GIT_LANDED) {
			rc = 0;
			goto out;
		}
	}
	git_oid_tostr(hex, sizeof(hex), &sent);
	memcpy(st->pr_commit, hex, sizeof(hex));
	rq.head_sha = hex;
	if ((rc = lc_forge_pr_open(st->forge, &rq, &st->pr)) == 0 ||
	    st->pr.url[0])
		st->have_pr = 1;
	if (rc == 0)
		lc_log_info("%s pull request #%ld %s: %s",
		    lc_forge_name(st->forge), st->pr.number, st->pr.created ?
		    "opened" : "updated", st->pr.url);
out:
	lc_buf_release(&body);
	lc_buf_release(&title);
	return rc;
}

/*
 * After a push: bring the local branch (and, when it is checked out, the
 * work tree, safely) to the pushed commit, but only as a fast-forward:
 * commits of the user's that are not on the remote stay where they are.
 */
static void
follow(struct state *st, const git_oid *commit, const char *hex)
{
	struct lc_buf name = LC_BUF_INIT;
	git_oid local;
	int rc;

	lc_buf_printf(&name, "refs/heads/%s", st->branch);
	rc = git_reference_name_to_id(&local, st->repo, name.data);
	lc_buf_release(&name);
	if (rc == 0 &&
	    !git_oid_equal(&local, commit) &&
	    git_graph_descendant_of(st->repo, commit, &local) != 1) {
		lc_log_warn("pushed %.7s; the local branch '%s' has commits "
		    "that are not on the remote, so it stays where it is", hex,
		    st->branch);
		return;
	}
	if (lc_git_land(st->repo, st->branch, commit, 0) != 0)
		lc_log_warn("pushed %.7s, but the local branch could not "
		    "follow: %s", hex, lc_error_msg());
}

/*
 * The commit to build on: the remote branch's tip, fetched, or with
 * --no-push the local branch's.
 */
static int
base_tip(struct state *st, const struct opts *o, git_oid *tip)
{
	struct lc_buf name = LC_BUF_INIT;
	int rc, exists;

	if (o->no_push) {
		lc_buf_printf(&name, "refs/heads/%s", st->branch);
		rc = git_reference_name_to_id(tip, st->repo, name.data);
		lc_buf_release(&name);
		if (rc != 0)
			return lc_error_set(LC_ENOTFOUND, "there is no local "
			    "branch '%s'", st->branch);
		return 0;
	}
	if ((rc = lc_git_fetch(st->repo, st->remote, st->branch, tip, &exists,
	    &st->auth)) != 0)
		return rc;
	if (!exists)
		return lc_error_set(LC_ENOTFOUND, "the remote has no branch '%s'",
		    st->branch);
	return 0;
}

/*
 * Before attempt (> 0): 0 when the deadline has passed, else 1 after a
 * jittered pause.
 */
static int
again(const struct opts *o, long long start, int attempt,
    enum lc_git_outcome oc)
{
	long long pause;

	if (o->deadline_ms && lc_clock_ms() - start >= o->deadline_ms)
		return 0;
	pause = lc_git_backoff(attempt - 1, 250, 2000);
	lc_log_info("attempt %d: %s; again on the new tip in %lld ms", attempt,
	    lc_git_outcome_name(oc), pause);
	lc_sleep_ms(pause);
	return 1;
}

/* ---- main ----------------------------------------------------------------- */

static int
run(struct state *st, const struct opts *o)
{
	char tmpref[PATH_MAX_], hex[GIT_OID_HEXSZ + 1];
	struct lc_buf msg = LC_BUF_INIT, detail = LC_BUF_INIT;
	enum lc_git_outcome oc = LC_GIT_FAILED;
	git_oid tip, tree, commit;
	git_tree *t = NULL;
	git_reference *ref = NULL;
	long long start = lc_clock_ms();
	int attempt, rc = 0, changed, i;

	if ((rc = fit(tmpref, sizeof(tmpref), "the branch", "refs/promote/%s",
	    st->branch)) != 0)
		return rc;
	for (attempt = 0;; attempt++) {
		if (attempt > 0 && !again(o, start, attempt, oc))
			break;
		if ((rc = base_tip(st, o, &tip)) != 0) {
			if (rc != LC_ENOTFOUND && lc_git_fetch_outcome(rc) ==
			    LC_GIT_NETWORK) {
				oc = LC_GIT_NETWORK;
				continue;
			}
			goto out;
		}
		if (o->rollback && attempt == 0 && (rc = find_rollback(st, o,
		    &tip)) != 0)
			goto out;
		/* Re-derive the edit on this tip: never replay text. */
		if ((rc = plan(st, o, &tip)) != 0)
			goto out;
		for (changed = 0, i = 0; i < st->nt; i++)
			changed |= st->t[i].changed;
		if (attempt == 0 && st->nt > 0 && o->from)
			source_commit(st, &tip, st->t[0].src);
		if (!changed) {
			if (o->check)
				lc_log_info("%s already has these versions",
				    o->to);
			else if (o->from)
				lc_log_note("already promoted: %s runs what %s "
				    "runs", o->to, o->from);
			else
				lc_log_note("already there: %s has these "
				    "versions", o->to);
			report(st, o, NULL, 0);
			rc = 0;
			goto out;
		}
		if (o->check) {
			report(st, o, NULL, 1);
			rc = LC_ENO;
			goto out;
		}
		if (attempt == 0 && st->have_source && (rc = require_status(st,
		    o, &st->source_commit)) != 0)
			goto out;
		if (attempt == 0 && (rc = guards(st, o)) != 0)
			goto out;
		if (attempt == 0 && (o->verify || o->pin) && (rc = verify(st, o))
		    != 0)
			goto out;
		/* The digests --pin-digest found go in too. */
		if (attempt == 0 && st->npin > 0 && (rc = plan(st, o, &tip)) != 0)
			goto out;
		msg.len = 0;
		message(st, o, &msg);
		if (o->dry_run && o->json) {
			report(st, o, NULL, 1);
			rc = 0;
			goto out;
		}
		if (o->dry_run) {
			for (i = 0; i < st->nt; i++)
				if (st->t[i].changed && (rc = print_diff(&st->t[i]))
				    != 0)
					goto out;
			printf("\n%s", msg.data);
			if (o->pr)
				lc_log_info("dry run: would push %s and open or "
				    "update its pull request into %s", st->head,
				    st->branch);
			rc = 0;
			goto out;
		}
		if ((rc = new_tree(st, &tip, &tree)) != 0)
			goto out;
		{
			git_commit *parent = NULL;

			if ((rc = git_tree_lookup(&t, st->repo, &tree)) != 0 ||
			    (rc = git_commit_lookup(&parent, st->repo, &tip)) !=
			    0)
				rc = lc_git_error(rc, "commit");
			else
				rc = lc_git_commit(st->repo, &commit, st->author,
				    st->committer, msg.data, t, 1,
				    (const git_commit **)&parent, o->sign);
			git_commit_free(parent);
			git_tree_free(t);
			t = NULL;
			if (rc != 0)
				goto out;
		}
		detail.len = 0;
		if (o->no_push) {
			/* Built on the local branch: it moves forward. */
			git_oid_tostr(hex, sizeof(hex), &commit);
			if ((rc = lc_git_land(st->repo, st->branch, &commit, 0))
			    == 0)
				report(st, o, hex, 1);
			goto out;
		}
		if (o->pr) {
			/* The base branch stays; the change goes to review. */
			rc = pr_deliver(st, o, st->branch, &commit, msg.data,
			    &detail, &oc);
			if (st->have_pr)
				report(st, o, st->pr_commit, 1);
			if (rc != 0 || oc == LC_GIT_LANDED)
				goto out;
		} else if ((rc = git_reference_create(&ref, st->repo, tmpref,
		    &commit, 1, "promote: attempt")) != 0) {
			rc = lc_git_error(rc, "ref");
			goto out;
		} else {
			git_reference_free(ref);
			oc = lc_git_push(st->remote, tmpref, st->branch, &detail,
			    &st->auth);
		}
		if (oc == LC_GIT_LANDED) {
			git_oid_tostr(hex, sizeof(hex), &commit);
			follow(st, &commit, hex);
			report(st, o, hex, 1);
			rc = 0;
			goto out;
		}
		if (!lc_git_retryable(oc))
			break;
	}
	rc = lc_git_outcome_rc(oc, &detail, "at the deadline; nothing was "
	    "promoted");
out:
	git_reference_remove(st->repo, tmpref);
	lc_buf_release(&msg);
	lc_buf_release(&detail);
	return rc;
}

/*
 * --cherry-pick REV: the commit REV names, which must be on the source
 * branch (whose tip is stip), into *out.
 */
static int
pick_commit(struct state *st, const struct opts *o, const char *sb,
    const git_oid *stip, git_commit **out)
{
	git_object *obj = NULL;
	const git_oid *id;
	int rc;

	if ((rc = git_revparse_single(&obj, st->repo, o->pick)) != 0 ||
	    (rc = git_object_peel((git_object **)out, obj, GIT_OBJECT_COMMIT))
	    != 0) {
		git_object_free(obj);
		return lc_error_set(LC_ENOTFOUND, "--cherry-pick %s: no such "
		    "commit (fetched %s)", o->pick, sb);
	}
	git_object_free(obj);
	id = git_commit_id(*out);
	if (!git_oid_equal(id, stip) &&
	    git_graph_descendant_of(st->repo, stip, id) != 1)
		return lc_error_set(LC_ENOTFOUND, "--cherry-pick %s: %.7s is not "
		    "on %s; nothing was promoted", o->pick, git_oid_tostr_s(id),
		    sb);
	return 0;
}

/* --strategy branch: $GITHUB_OUTPUT. */
static void
branch_outputs(const struct state *st, const char *commit)
{
	lc_ci_output("changed", "true");
	lc_ci_output("commit", commit);
	pr_outputs(st);
}

/*
 * --strategy branch: environment branches (deploy/{env}). The target branch
 * gets a merge commit (never a bare fast-forward, so the provenance
 * trailers have a home) of the source branch's tip, pushed with the same
 * re-derive-and-retry loop; a textual conflict exits 5 with the paths.
 */
static int
branch_run(struct state *st, const struct opts *o)
{
	char sb[256], db[256], tmpref[300], hex[GIT_OID_HEXSZ + 1];
	char s7[8], d7[8];
	struct lc_buf msg = LC_BUF_INIT, detail = LC_BUF_INIT;
	enum lc_git_outcome oc = LC_GIT_FAILED;
	git_commit *sc = NULL, *dc = NULL;
	git_index *idx = NULL;
	git_tree *tree = NULL;
	git_reference *ref = NULL;
	git_oid stip, dtip, treeid, commit;
	long long start = lc_clock_ms();
	const git_index_entry *ce;
	int attempt, rc = 0, exists, i;

	if ((rc = expand(o->branch_tmpl, o->from, NULL, sb, sizeof(sb))) != 0 ||
	    (rc = expand(o->branch_tmpl, o->to, NULL, db, sizeof(db))) != 0)
		return rc;
	snprintf(tmpref, sizeof(tmpref), "refs/promote/%s", db);
	for (attempt = 0;; attempt++) {
		if (attempt > 0 && !again(o, start, attempt, oc))
			break;
		if ((rc = lc_git_fetch(st->repo, st->remote, sb, &stip, &exists,
		    &st->auth)) != 0 || (!exists && (rc = lc_error_set(
		    LC_ENOTFOUND, "the remote has no branch '%s'", sb)) != 0) ||
		    (rc = lc_git_fetch(st->repo, st->remote, db, &dtip, &exists,
		    &st->auth)) != 0 || (!exists && (rc = lc_error_set(
		    LC_ENOTFOUND, "the remote has no branch '%s'", db)) != 0)) {
			if (rc != LC_ENOTFOUND && lc_git_fetch_outcome(rc) ==
			    LC_GIT_NETWORK) {
				oc = LC_GIT_NETWORK;
				continue;
			}
			goto out;
		}
		git_oid_tostr(d7, sizeof(d7), &dtip);
		git_commit_free(sc);
		git_commit_free(dc);
		git_index_free(idx);
		sc = dc = NULL;
		idx = NULL;
		if (o->pick) {
			/* One change: the source is that commit, not the tip. */
			if ((rc = pick_commit(st, o, sb, &stip, &sc)) != 0)
				goto out;
			git_oid_cpy(&stip, git_commit_id(sc));
		}
		git_oid_tostr(s7, sizeof(s7), &stip);
		if (git_oid_equal(&stip, &dtip) ||
		    git_graph_descendant_of(st->repo, &dtip, &stip) == 1) {
			if (o->pick)
				lc_log_note("already promoted: %s has %s", db,
				    s7);
			else
				lc_log_note("already promoted: %s has all of "
				    "%s", db, sb);
			rc = 0;
			goto out;
		}
		if ((!sc && (rc = git_commit_lookup(&sc, st->repo, &stip)) != 0) ||
		    (rc = git_commit_lookup(&dc, st->repo, &dtip)) != 0 ||
		    (rc = o->pick ? git_cherrypick_commit(&idx, st->repo, sc, dc,
		    git_commit_parentcount(sc) > 1 ? 1 : 0, NULL) :
		    git_merge_commits(&idx, st->repo, dc, sc, NULL)) != 0) {
			rc = lc_git_error(rc, o->pick ? "cherry-pick" : "merge");
			goto out;
		}
		if (git_index_has_conflicts(idx)) {
			lc_log_error("%s %s into %s: conflicts in:", o->pick ?
			    "cherry-picking" : "merging", o->pick ? s7 : sb, db);
			for (i = 0; (size_t)i < git_index_entrycount(idx); i++) {
				ce = git_index_get_byindex(idx, (size_t)i);
				if (GIT_INDEX_ENTRY_STAGE(ce) == 2)
					lc_log_error("  %s", ce->path);
			}
			rc = lc_error_set(LC_ECONFLICT, "nothing was promoted: "
			    "%s does not apply to %s cleanly", o->pick ? s7 : sb,
			    db);
			goto out;
		}
		if ((rc = git_index_write_tree_to(&treeid, idx, st->repo)) != 0 ||
		    (rc = git_tree_lookup(&tree, st->repo, &treeid)) != 0) {
			rc = lc_git_error(rc, "merge");
			goto out;
		}
		if (o->pick && git_oid_equal(&treeid, git_commit_tree_id(dc))) {
			lc_log_note("already promoted: %s has the change of %s",
			    db, s7);
			rc = 0;
			goto out;
		}
		if (o->check) {
			printf("%s %s -> %s (%s %s) %s -> %s\n", db, d7, o->pick ?
			    "pick" : "merge", sb, s7, o->from, o->to);
			rc = LC_ENO;
			goto out;
		}
		if (attempt == 0 && (rc = require_status(st, o, &stip)) != 0)
			goto out;
		msg.len = 0;
		if (o->message)
			lc_buf_printf(&msg, "%s\n\n", o->message);
		else if (o->pick)
			lc_buf_printf(&msg, "promote(%s): %s\n\n", o->to,
			    git_commit_summary(sc));
		else
			lc_buf_printf(&msg, "promote(%s): merge %s (%s)\n\n", o->to,
			    sb, s7);
		if (o->pick)
			lc_buf_printf(&msg, "Cherry-picked %s from %s into %s.\n"
			    "(cherry picked from commit %s)\n\n", s7, sb, db,
			    git_oid_tostr_s(&stip));
		else
			lc_buf_printf(&msg, "Promoted %s (%s) into %s.\n\n", sb, s7,
			    db);
		lc_buf_printf(&msg, "Promote-From: %s\nPromote-To: %s\n"
		    "Promote-Source-Commit: %s\n", o->from, o->to,
		    git_oid_tostr_s(&stip));
		closing_trailers(o, &msg);
		if (o->dry_run) {
			printf("%s", msg.data);
			rc = 0;
			goto out;
		}
		{
			const git_commit *parents[2] = { dc, sc };

			/* A cherry-pick keeps the change's author. */
			rc = lc_git_commit(st->repo, &commit, o->pick ?
			    git_commit_author(sc) : st->author, st->committer,
			    msg.data, tree, o->pick ? 1 : 2, parents, o->sign);
		}
		git_tree_free(tree);
		tree = NULL;
		if (rc != 0)
			goto out;
		detail.len = 0;
		if (o->pr) {
			rc = pr_deliver(st, o, db, &commit, msg.data, &detail, &oc);
			if (st->have_pr) {
				printf("%s %s -> %.7s (%s %s) %s -> %s\n%s\n", db,
				    d7, st->pr_commit, sb, s7, o->from, o->to,
				    st->pr.url);
				branch_outputs(st, st->pr_commit);
			}
			if (rc != 0 || oc == LC_GIT_LANDED)
				goto out;
		} else if ((rc = git_reference_create(&ref, st->repo, tmpref,
		    &commit, 1, "promote: attempt")) != 0) {
			rc = lc_git_error(rc, "commit");
			goto out;
		} else {
			git_reference_free(ref);
			oc = lc_git_push(st->remote, tmpref, db, &detail,
			    &st->auth);
		}
		if (oc == LC_GIT_LANDED) {
			git_oid_tostr(hex, sizeof(hex), &commit);
			printf("%s %s -> %.7s (%s %s) %s -> %s\n", db, d7, hex, sb,
			    s7, o->from, o->to);
			branch_outputs(st, hex);
			rc = 0;
			goto out;
		}
		if (!lc_git_retryable(oc))
			break;
	}
	rc = lc_git_outcome_rc(oc, &detail, "at the deadline; nothing was "
	    "promoted");
out:
	git_reference_remove(st->repo, tmpref);
	git_tree_free(tree);
	git_index_free(idx);
	git_commit_free(sc);
	git_commit_free(dc);
	lc_buf_release(&msg);
	lc_buf_release(&detail);
	return rc;
}

/*
 * --strategy tag: for each REPO, point tag -t at the manifest tag -f names
 * (resolved to its digest first, so a moving source cannot race us), by
 * writing the same bytes under the new tag. SRC=DST moves between two
 * repositories of one registry (the blobs are mounted). No git.
 */
static int
tag_run(struct state *st, const struct opts *o)
{
	struct lc_registry *r = NULL;
	struct lc_registry_opts ro;
	struct lc_reg_desc src, dst, put;
	struct lc_imgref ref, to;
	struct change *c;
	char nm[NAME_MAX_], dn[NAME_MAX_], arg[2 * NAME_MAX_], *eq;
	int i, rc = 0, changed = 0;

	for (i = 0; rc == 0 && i < o->nimages; i++) {
		if ((rc = fit(arg, sizeof(arg), "the repository", "%s",
		    o->images[i])) != 0)
			break;
		if ((eq = strchr(arg, '=')) != NULL)
			*eq++ = '\0';
		if ((rc = lc_imgref_parse(&ref, arg, 0)) != 0 ||
		    (rc = lc_imgref_parse(&to, eq ? eq : arg, 0)) != 0)
			break;
		if (ref.tag[0] || ref.digest[0] || to.tag[0] || to.digest[0]) {
			rc = lc_error_set(LC_EUSAGE, "'%s': give the repository; "
			    "the tags are the environments", o->images[i]);
			break;
		}
		if (strcmp(ref.registry, to.registry) != 0) {
			rc = lc_error_set(LC_EUSAGE, "'%s': both repositories must "
			    "be in one registry (moving layers between registries "
			    "is not done)", o->images[i]);
			break;
		}
		ro = o->ro;
		if (lc_imgref_loopback(ref.registry) && !o->reg_https)
			ro.plain_http = 1;
		if ((rc = lc_registry_open(&r, ref.registry, &ro)) != 0)
			break;
		c = new_change(st);
		/* imgref holds at most 255 + 255 bytes: these fit. */
		snprintf(nm, sizeof(nm), "%s/%s", ref.registry, ref.repo);
		snprintf(dn, sizeof(dn), "%s/%s", to.registry, to.repo);
		memcpy(c->name, nm, sizeof(c->name));
		memcpy(c->file, dn, sizeof(dn));
		if ((rc = lc_registry_resolve(r, ref.repo, o->from, &src)) != 0)
			goto next;
		snprintf(c->tag, sizeof(c->tag), "%s", o->from);
		snprintf(c->digest, sizeof(c->digest), "%s", src.digest);
		memset(&dst, 0, sizeof(dst));
		rc = lc_registry_resolve(r, to.repo, o->to, &dst);
		if (rc == LC_ENOTFOUND) {
			lc_error_clear();
			rc = 0;
		} else if (rc != 0)
			goto next;
		if ((rc = fit(c->prev, sizeof(c->prev), "the image", "%s:%s%s%s",
		    dn, o->to, dst.digest[0] ? "@" : "", dst.digest)) != 0 ||
		    (rc = fit(c->next, sizeof(c->next), "the image", "%s:%s@%s",
		    dn, o->to, src.digest)) != 0)
			goto next;
		c->differs = strcmp(dst.digest, src.digest) != 0;
		if (!c->differs || o->check || o->dry_run)
			goto next;
		rc = lc_registry_copy(r, ref.repo, src.digest, to.repo, o->to,
		    &put);
next:
		lc_registry_close(r);
		r = NULL;
	}
	for (i = 0; i < st->nc; i++)
		changed |= st->c[i].differs;
	if (rc != 0)
		return rc;
	if (!changed)
		lc_log_note("already promoted: every %s tag is where %s is",
		    o->to, o->from);
	if (o->dry_run || o->check || changed)
		report(st, o, NULL, changed && !o->check && !o->dry_run);
	return o->check && changed ? LC_ENO : 0;
}

/*
 * --split: the apps --app matches, one promotion (commit, or pull request)
 * each, in order; a failure is reported and the others go on. The exit
 * status is the first failure's.
 */
static int
split_run(struct state *st, const struct opts *o)
{
	struct names apps = { NULL, 0, 0 };
	struct opts one;
	git_commit *c = NULL;
	git_tree *tree = NULL;
	git_oid tip;
	int rc, n, i, k, first = 0;

	if ((rc = base_tip(st, o, &tip)) != 0)
		goto out;
	if ((rc = git_commit_lookup(&c, st->repo, &tip)) != 0 ||
	    (rc = git_commit_tree(&tree, c)) != 0) {
		rc = lc_git_error(rc, "read the tree");
		goto out;
	}
	if ((n = list_apps(st->repo, tree, o, &apps)) < 0) {
		rc = n;
		goto out;
	}
	for (i = 0; i < n; i++) {
		one = *o;
		one.apps[0] = apps.v[i];
		one.napps = 1;
		for (k = 0; k < st->nt; k++) {
			lc_buf_release(&st->t[k].before);
			lc_buf_release(&st->t[k].after);
		}
		st->nt = st->nc = st->npin = st->have_source = st->have_pr = 0;
		memset(&st->pr, 0, sizeof(st->pr));
		if ((rc = head_name(&one, st->head, sizeof(st->head))) != 0 ||
		    (rc = run(st, &one)) != 0) {
			if (rc != LC_ENO || lc_error_msg()[0])
				lc_log_error("%s: %s", apps.v[i], lc_error_msg());
			lc_error_clear();
			if (first == 0)
				first = rc;
		}
	}
	rc = first;
out:
	git_tree_free(tree);
	git_commit_free(c);
	names_release(&apps);
	return rc;
}

/* A repeatable option given more often than its list holds: exit 2. */
static _Noreturn void
too_many(const char *opt, int max)
{
	lc_error_set(LC_EUSAGE, "%s: at most %d of them", opt, max);
	lc_error_report();
	usage(LC_EXIT_USAGE);
}

static int
open_state(struct state *st, const struct opts *o)
{
	int rc;

	if ((rc = lc_git_open(&st->repo, o->branch, &st->branch, o->remote,
	    &st->remote)) != 0)
		return rc;
	/*
	 * Keep trees of any size in libgit2's object cache (by default only
	 * those under 4 KB): the directory that holds 1,000 apps (36 KB) is
	 * then inflated once, not again for each app's path lookup, which
	 * made planning quadratic in the apps.
	 */
	git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, GIT_OBJECT_TREE,
	    (size_t)64 << 20);
	/* The CAs the environment names (no --ca-file for git here). */
	if ((rc = lc_git_ca(NULL, NULL, git_remote_url(st->remote), 0)) != 0)
		return rc;
	/* PROMOTE_TOKEN serves the forge's API and git alike. */
	if ((rc = lc_git_auth_init(&st->auth, git_remote_url(st->remote),
	    o->token_file, NULL, "PROMOTE_TOKEN")) != 0)
		return rc;
	return lc_git_idents(st->repo, o->author, &st->author, &st->committer);
}

/*
 * Exit 124 means the --deadline passed (a forge that hangs past it, say).
 * A single request that got no answer in its own time (a registry's 30 s,
 * or any request with --deadline 0) is a server that is unavailable: 7.
 */
static int
timeout_rc(int rc, const struct opts *o, long long t0)
{
	struct lc_buf m = LC_BUF_INIT;

	if (rc != LC_ETIMEOUT)
		return rc;
	lc_buf_adds(&m, lc_error_msg());
	if (o->deadline_ms && lc_clock_ms() - t0 >= o->deadline_ms)
		rc = m.len == 0 ? LC_ETIMEOUT : lc_error_set(LC_ETIMEOUT,
		    "%s (the --deadline passed)", m.data);
	else	/* --split has reported the message already */
		rc = m.len == 0 ? LC_EUNAVAIL : lc_error_set(LC_EUNAVAIL, "%s",
		    m.data);
	lc_buf_release(&m);
	return rc;
}

/*
 * SIGINT, SIGTERM, SIGHUP: a local remote's git runs in a process group of
 * its own (so --deadline can stop its hooks too), which a terminal's ^C or
 * a CI runner's SIGTERM does not reach: stop it, then die of the signal.
 */
static void
on_signal(int sig)
{
	lc_git_local_kill();
	signal(sig, SIG_DFL);
	raise(sig);
}

int
main(int argc, char *argv[])
{
	struct opts o;
	struct state st;
	long long t0 = lc_clock_ms();
	int ch, rc, i, path_given = 0;

	lc_cli_init(argv[0]);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	memset(&o, 0, sizeof(o));
	o.ro.ca_flag = "--registry-ca-file";
	memset(&st, 0, sizeof(st));
	o.path = "overlays/{env}";
	o.remote = "origin";
	o.verify = 1;
	o.deadline_ms = 120000;
	o.branch_tmpl = "deploy/{env}";
	o.steps = 1;
	while ((ch = getopt_long(argc, argv, "f:hm:no:qSt:Vv", longopts, NULL))
	    != -1) {
		switch (ch) {
		case 'f':
			o.from = optarg;
			break;
		case 't':
			o.to = optarg;
			break;
		case 'h':
			usage(LC_EXIT_OK);
		case 'V':
			lc_cli_version();
			return lc_exit(0);
		case 'm':
			o.message = optarg;
			break;
		case 'n':
			o.dry_run = 1;
			break;
		case 'o':
			if (strcmp(optarg, "json") == 0)
				o.json = 1;
			else if (strcmp(optarg, "env") == 0)
				o.env = 1;
			else if (strcmp(optarg, "text") != 0)
				usage(LC_EXIT_USAGE);
			break;
		case 'q':
			lc_log_set_level(LC_LOG_ERROR);
			break;
		case 'v':
			lc_log_set_level(LC_LOG_DEBUG);
			break;
		case OPT_PATH:
			o.path = optarg;
			path_given = 1;
			break;
		case OPT_APP:
			if (o.napps == 32)
				too_many("--app (a glob matches any number)", 32);
			o.apps[o.napps++] = optarg;
			break;
		case OPT_BRANCH:
			o.branch = optarg;
			break;
		case OPT_REMOTE:
			o.remote = optarg;
			break;
		case OPT_NO_VERIFY:
			o.verify = 0;
			break;
		case OPT_CHECK:
			o.check = 1;
			break;
		case OPT_TRAILER:
			if (o.ntrailers == 16)
				too_many("--trailer", 16);
			if (strchr(optarg, '=') == NULL || *optarg == '=') {
				lc_error_set(LC_EUSAGE, "--trailer '%s': write "
				    "KEY=VALUE", optarg);
				lc_error_report();
				usage(LC_EXIT_USAGE);
			}
			o.trailers[o.ntrailers++] = optarg;
			break;
		case OPT_AUTHOR:
			o.author = optarg;
			break;
		case OPT_DEADLINE:
			if (lc_parse_duration_opt("--deadline", optarg,
			    &o.deadline_ms) != 0) {
				lc_error_report();
				usage(LC_EXIT_USAGE);
			}
			break;
		case OPT_TOKEN_FILE:
			o.token_file = optarg;
			break;
		case OPT_REG_CA:
			o.ro.ca_file = optarg;
			break;
		case OPT_REG_INSECURE:
			o.ro.insecure = 1;
			break;
		case OPT_REG_HTTPS:
			o.reg_https = 1;
			break;
		case OPT_SET:
			if (o.nsets == 32)
				too_many("--set", 32);
			o.sets[o.nsets++] = optarg;
			break;
		case OPT_ROLLBACK:
			o.rollback = 1;
			break;
		case OPT_SEMVER: {
			struct lc_semver v;

			memset(&v, 0, sizeof(v));
			if (lc_semver_in(&v, optarg) < 0) {
				lc_error_set(LC_EUSAGE, "--semver '%s': not a "
				    "range (>=1.2.0 <2, ^1.2, ~1.2.3, 1.x)",
				    optarg);
				lc_error_report();
				usage(LC_EXIT_USAGE);
			}
			o.semver = optarg;
			break;
		}
		case OPT_ALLOW_TAGS:
			o.allow_tags = optarg;
			break;
		case OPT_GATE:
			if (o.ngates == 16)
				too_many("--gate", 16);
			o.gates[o.ngates++] = optarg;
			break;
		case OPT_CHAIN:
			o.chain = optarg;
			break;
		case OPT_PIN:
			o.pin = 1;
			break;
		case OPT_DOTENV:
			o.dotenv = optarg;
			break;
		case OPT_RAW:
			o.raw = 1;
			break;
		case OPT_ENV_BRANCH:
			if (strstr(optarg, "{env}") == NULL) {
				lc_error_set(LC_EUSAGE, "--env-branch '%s': it must "
				    "contain {env}", optarg);
				lc_error_report();
				usage(LC_EXIT_USAGE);
			}
			o.branch_tmpl = optarg;
			break;
		case OPT_STRATEGY:
			if (strcmp(optarg, "tag") == 0)
				o.tag_strategy = 1;
			else if (strcmp(optarg, "branch") == 0)
				o.branch_strategy = 1;
			else if (strcmp(optarg, "dir") != 0) {
				lc_error_set(LC_EUSAGE, "--strategy %s: dir, branch or "
				    "tag (a pull request: --pr)", optarg);
				lc_error_report();
				usage(LC_EXIT_USAGE);
			}
			break;
		case OPT_PR:
			o.pr = 1;
			break;
		case OPT_BASE:
			o.branch = optarg;
			break;
		case OPT_HEAD_BRANCH:
			o.head_tmpl = optarg;
			break;
		case OPT_TITLE:
			o.title = optarg;
			break;
		case OPT_BODY_FILE:
			o.body_file = optarg;
			break;
		case OPT_LABEL:
			if (o.nlabels == 16)
				too_many("--label", 16);
			o.labels[o.nlabels++] = optarg;
			break;
		case OPT_DRAFT:
			o.draft = 1;
			break;
		case OPT_AUTO_MERGE:
			o.merge = optarg ? optarg : "merge";
			if (strcmp(o.merge, "merge") != 0 &&
			    strcmp(o.merge, "squash") != 0 &&
			    strcmp(o.merge, "rebase") != 0) {
				lc_error_set(LC_EUSAGE, "--auto-merge=%s: merge, "
				    "squash or rebase", optarg);
				lc_error_report();
				usage(LC_EXIT_USAGE);
			}
			break;
		case OPT_PROVIDER:
			if (lc_forge_kind_parse(optarg, &o.provider) != 0) {
				lc_error_set(LC_EUSAGE, "--provider %s: github, "
				    "gitlab, gitea (or forgejo) or auto", optarg);
				lc_error_report();
				usage(LC_EXIT_USAGE);
			}
			break;
		case OPT_API_URL:
			o.api_url = optarg;
			break;
		case OPT_PLATFORM: {
			const char *sl = strchr(optarg, '/');

			if (o.nplatforms == 8)
				too_many("--platform", 8);
			if (sl == NULL || sl == optarg || sl[1] == '\0' ||
			    sl[1] == '/' || strlen(optarg) > 127) {
				lc_error_set(LC_EUSAGE, "--platform %s: write "
				    "OS/ARCH[/VARIANT], as linux/arm64", optarg);
				lc_error_report();
				usage(LC_EXIT_USAGE);
			}
			o.platforms[o.nplatforms++] = optarg;
			break;
		}
		case OPT_DIFF:
			o.diff = 1;
			break;
		case OPT_STEPS: {
			char *end;
			long v = strtol(optarg, &end, 10);

			if (*end || v < 1 || v > 16) {
				lc_error_set(LC_EUSAGE, "--steps %s: 1 to 16",
				    optarg);
				lc_error_report();
				usage(LC_EXIT_USAGE);
			}
			o.steps = (int)v;
			break;
		}
		case OPT_NO_PUSH:
			o.no_push = 1;
			break;
		case OPT_ALLOW_SKIP:
			o.allow_skip = 1;
			break;
		case 'S':
			o.sign = 1;
			break;
		case OPT_SPLIT:
			o.split = 1;
			break;
		case OPT_PICK:
			o.pick = optarg;
			break;
		case OPT_WITH_NAME:
			o.with_name = 1;
			break;
		case OPT_REQUIRE_STATUS:
			o.require_status = 1;
			o.status_context = optarg;
			break;
		case OPT_KEY:
		case OPT_DIGEST_KEY:
		case OPT_REPO_KEY: {
			const char **v = ch == OPT_KEY ? o.keys : ch ==
			    OPT_DIGEST_KEY ? o.digest_keys : o.repo_keys;
			int *n = ch == OPT_KEY ? &o.nkeys : ch == OPT_DIGEST_KEY ?
			    &o.ndigest_keys : &o.nrepo_keys;

			if (*n == 16)
				too_many(ch == OPT_KEY ? "--key" : ch ==
				    OPT_DIGEST_KEY ? "--digest-key" : "--repo-key",
				    16);
			v[(*n)++] = optarg;
			break;
		}
		default:
			usage(LC_EXIT_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (o.to == NULL || (o.from != NULL) + (o.nsets > 0) + o.rollback != 1) {
		lc_error_set(LC_EUSAGE, "give -f SRC -t DST, or -t DST with --set "
		    "or --rollback");
		lc_error_report();
		usage(LC_EXIT_USAGE);
	}
	for (i = 0; i < o.nsets; i++)
		if (add_given(&st, o.sets[i], o.raw) != 0) {
			lc_error_set(LC_EUSAGE, "--set '%s': write [APP/]IMAGE=REF "
			    "(REF: a tag, @sha256:..., or an image reference)",
			    o.sets[i]);
			lc_error_report();
			usage(LC_EXIT_USAGE);
		}
	settle_given(&st);
	if (o.chain && o.from) {
		char *buf = lc_xstrndup(o.chain, strlen(o.chain)), *tok;
		char *save = NULL;
		int k = 0, fi = -1, ti = -1;

		for (tok = strtok_r(buf, ",", &save); tok;
		    tok = strtok_r(NULL, ",", &save), k++) {
			if (strcmp(tok, o.from) == 0)
				fi = k;
			if (strcmp(tok, o.to) == 0)
				ti = k;
		}
		free(buf);
		if (fi < 0 || ti < 0) {
			lc_error_set(LC_EUSAGE, "--chain %s does not name both %s "
			    "and %s", o.chain, o.from, o.to);
			lc_error_report();
			usage(LC_EXIT_USAGE);
		}
		if (ti != fi + 1 && !(o.allow_skip && ti > fi))
			return lc_exit(lc_error_set(LC_ENO, "--chain %s: %s -> %s "
			    "%s; nothing was promoted", o.chain, o.from, o.to,
			    ti > fi ? "skips an environment" : "goes backwards"));
	}
	if (o.from && (strcmp(o.from, o.to) == 0 || strchr(o.from, '/') ||
	    strchr(o.to, '/'))) {
		lc_error_set(LC_EUSAGE, "-f %s -t %s: two different environment "
		    "names", o.from, o.to);
		lc_error_report();
		usage(LC_EXIT_USAGE);
	}
	o.images = argv;
	o.nimages = argc;
	if (o.nkeys && !path_given)
		o.path = "envs/{env}/values.yaml";
	if (o.nkeys && compile_keys(&o) != 0) {
		lc_error_report();
		usage(LC_EXIT_USAGE);
	}
	for (i = 0; i < argc; i++)
		if (*argv[i] == '\0')
			usage(LC_EXIT_USAGE);
	if (o.branch_strategy && (!o.from || o.nimages || o.nkeys || o.raw)) {
		lc_error_set(LC_EUSAGE, "--strategy branch: give -f and -t; the "
		    "whole branch deploy/<env> is promoted");
		lc_error_report();
		usage(LC_EXIT_USAGE);
	}
	if (!o.pr && (o.head_tmpl || o.title || o.body_file || o.nlabels ||
	    o.draft || o.merge || ((o.api_url || o.provider) &&
	    !o.require_status))) {
		lc_error_set(LC_EUSAGE, "--head-branch, --title, --body-file, "
		    "--label, --draft, --auto-merge, --provider and --api-url "
		    "go with --pr (the last two also with --require-status)");
		lc_error_report();
		usage(LC_EXIT_USAGE);
	}
	if (o.split && (o.napps == 0 || o.branch_strategy || o.tag_strategy ||
	    o.rollback)) {
		lc_error_set(LC_EUSAGE, "--split: one promotion per app of --app "
		    "(dir strategy)");
		lc_error_report();
		usage(LC_EXIT_USAGE);
	}
	if (o.nplatforms && (!o.verify || o.tag_strategy ||
	    o.branch_strategy)) {
		lc_error_set(LC_EUSAGE, "--platform asks the registry about the "
		    "images written: not with --no-verify-image or the branch "
		    "and tag strategies");
		lc_error_report();
		usage(LC_EXIT_USAGE);
	}
	if (o.steps > 1 && !o.rollback) {
		lc_error_set(LC_EUSAGE, "--steps goes with --rollback");
		lc_error_report();
		usage(LC_EXIT_USAGE);
	}
	if (o.no_push && (o.pr || o.branch_strategy || o.tag_strategy)) {
		lc_error_set(LC_EUSAGE, "--no-push: a commit on the local branch "
		    "(dir strategy, without --pr)");
		lc_error_report();
		usage(LC_EXIT_USAGE);
	}
	if (o.pick && !o.branch_strategy) {
		lc_error_set(LC_EUSAGE, "--cherry-pick goes with --strategy "
		    "branch");
		lc_error_report();
		usage(LC_EXIT_USAGE);
	}
	if (o.with_name && (o.nkeys || o.raw || o.from == NULL ||
	    o.tag_strategy || o.branch_strategy)) {
		lc_error_set(LC_EUSAGE, "--with-name: it copies newName between "
		    "kustomize overlays (-f and -t)");
		lc_error_report();
		usage(LC_EXIT_USAGE);
	}
	if (o.require_status && (o.from == NULL || o.tag_strategy)) {
		lc_error_set(LC_EUSAGE, "--require-status: it checks the source "
		    "commit of -f with dir or branch");
		lc_error_report();
		usage(LC_EXIT_USAGE);
	}
	if (o.pr && (o.tag_strategy || o.check)) {
		lc_error_set(LC_EUSAGE, "--pr goes with --strategy dir or branch, "
		    "not with %s", o.check ? "--check" : "--strategy tag");
		lc_error_report();
		usage(LC_EXIT_USAGE);
	}
	if (o.head_tmpl == NULL)
		o.head_tmpl = "promote/{to}/{app}";
	if (head_name(&o, st.head, sizeof(st.head)) != 0) {
		lc_error_report();
		usage(LC_EXIT_USAGE);
	}
	if (o.tag_strategy) {
		if (o.from == NULL || o.nimages == 0 || o.nkeys || o.napps) {
			lc_error_set(LC_EUSAGE, "--strategy tag: give -f, -t and "
			    "the repositories whose tags move");
			lc_error_report();
			usage(LC_EXIT_USAGE);
		}
		rc = tag_run(&st, &o);
	} else if ((rc = open_state(&st, &o)) == 0) {
		/* A remote's hook that hangs is stopped at the deadline too. */
		lc_git_deadline(o.deadline_ms ? t0 + o.deadline_ms : 0);
		rc = o.branch_strategy ? branch_run(&st, &o) : o.split ?
		    split_run(&st, &o) : run(&st, &o);
	}
	for (i = 0; i < st.nt; i++) {
		lc_buf_release(&st.t[i].before);
		lc_buf_release(&st.t[i].after);
	}
	free(st.t);
	free(st.c);
	free(st.g);
	free(st.pin);
	rc = timeout_rc(rc, &o, t0);
	for (i = 0; i < o.nkeys; i++) {
		lc_yaml_expr_free(o.q_key[i]);
		lc_yaml_expr_free(o.s_key[i]);
		lc_yaml_expr_free(o.q_digest[i]);
		lc_yaml_expr_free(o.s_digest[i]);
		lc_yaml_expr_free(o.q_repo[i]);
	}
	lc_forge_close(st.forge);
	git_signature_free(st.author);
	git_signature_free(st.committer);
	git_remote_free(st.remote);
	lc_git_auth_release(&st.auth);
	git_repository_free(st.repo);
	free(st.branch);
	return lc_exit(rc);
}
