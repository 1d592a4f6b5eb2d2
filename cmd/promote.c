/* promote: move the image versions of one environment to the next. */
#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jv.h>

#include "buf.h"
#include "ci.h"
#include "cli.h"
#include "error.h"
#include "forge.h"
#include "log.h"
#include "parse.h"
#include "promote.h"
#include "semver.h"

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

static _Noreturn void
usage(int status)
{
	FILE *fp = status == LC_EXIT_OK ? stdout : stderr;

	fprintf(fp, "usage: %s [-hnqSVv] [-m message] [-o format] [--allow-tags "
	    "regex] [--app glob] [--author author] [--branch branch] [--chain "
	    "envs [--allow-skip]] [--check] [--cherry-pick rev] [--deadline "
	    "duration] [--diff] [--dotenv file] [--env-branch template] [--key "
	    "path [--digest-key path] [--repo-key path]] [--gate command] "
	    "[--no-push] [--no-verify-image] [--path template] [--pin-digest] "
	    "[--platform os/arch] [--raw] [--registry-ca-file file] "
	    "[--registry-https] [--registry-insecure] [--remote remote] "
	    "[--require-status[=context]] [--semver range] [--split] "
	    "[--token-file file] [--trailer key=value] [--with-name] -f env -t "
	    "env [image ...]\n"
	    "       %s [options] --pr [--api-url url] [--auto-merge[=method]] "
	    "[--base branch] [--body-file file] [--draft] [--head-branch "
	    "template] [--label label] [--provider forge] [--title title] -f "
	    "env -t env [image ...]\n"
	    "       %s [options] -t env --set image=ref ...\n"
	    "       %s [options] -t env --rollback [--steps n]\n"
	    "       %s [options] --strategy tag -f env -t env repo[=repo] ...\n",
	    lc_log_progname, lc_log_progname, lc_log_progname, lc_log_progname,
	    lc_log_progname);
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

/* ---- output: everything on stdout, $GITHUB_OUTPUT, dotenv, step summary */

/* How the results are printed (-o, --diff); --dotenv is lc_ci_dotenv's. */
struct out {
	int json, env, diff;
};

static const char *
from_word(const struct lc_promote_opts *o)
{
	return o->from ? o->from : o->rollback ? "rollback" : "set";
}

/* The diffs of the targets that change, on stdout. */
static int
print_diffs(const struct lc_promote *p, int report_errors)
{
	struct lc_buf b = LC_BUF_INIT;
	int i, rc = 0;

	for (i = 0; i < lc_promote_ntargets(p); i++) {
		b.len = 0;
		if ((rc = lc_promote_diff(p, i, &b)) != 0) {
			if (!report_errors)
				break;
			lc_cli_report_error();
			rc = 0;
		} else if (b.len)
			fwrite(b.data, 1, b.len, stdout);
	}
	lc_buf_release(&b);
	return rc;
}

/*
 * On GitHub Actions: the run's summary page gets a Markdown table of the
 * images, or with --strategy branch the branch moved.
 */
static int
summary(const struct lc_promote *p, const struct lc_promote_event *ev)
{
	const struct lc_promote_opts *o = lc_promote_opts(p);
	const struct lc_forge_pr *pr = lc_promote_pull_request(p);
	const struct lc_promote_change *c;
	const char *commit = ev->commit;
	struct lc_buf m = LC_BUF_INIT;
	int i, rc;

	lc_buf_printf(&m, "### promote %s -> %s\n\n", from_word(o), o->to);
	if (!ev->changed)
		lc_buf_adds(&m, "Already promoted: nothing changed.\n\n");
	else {
		if (ev->dst_branch)
			lc_buf_printf(&m, "`%s` `%s` -> `%.7s` (%s `%s` `%s`)"
			    "\n", ev->dst_branch, ev->dst7, commit ? commit :
			    o->pick ? "pick" : "merge", o->pick ? "picked from" :
			    "from", ev->src_branch, ev->src7);
		else {
			lc_buf_adds(&m, "| app | image | from | to |\n"
			    "|---|---|---|---|\n");
			for (i = 0; i < lc_promote_nchanges(p); i++)
				if ((c = lc_promote_change(p, i))->differs)
					lc_buf_printf(&m, "| %s | %s | `%s` | "
					    "`%s` |\n", c->app[0] ? c->app :
					    "-", c->name, c->prev, c->next);
		}
		lc_buf_printf(&m, "\n%s%s%s\n\n", commit ? "Commit `" : "",
		    commit ? commit : o->dry_run ? "Dry run: nothing written." :
		    "", commit ? "`" : "");
		if (pr)
			lc_buf_printf(&m, "Pull request [#%ld](%s) %s.\n\n",
			    pr->number, pr->url, pr->created ? "opened" :
			    "updated");
	}
	rc = lc_ci_summary(m.data);
	lc_buf_release(&m);
	return rc;
}

/*
 * A result: stdout (text, json or env), $GITHUB_OUTPUT, dotenv, summary.
 * An output that cannot be written is an error (exit 3), as in acd-*.
 */
static int
report(const struct lc_promote *p, const struct out *w,
    const struct lc_promote_event *ev)
{
	const struct lc_promote_opts *o = lc_promote_opts(p);
	const struct lc_forge_pr *pr = lc_promote_pull_request(p);
	const struct lc_promote_change *c;
	const char *commit = ev->commit;
	struct lc_buf env = LC_BUF_INIT;
	char num[24];
	jv j, imgs;
	int i, n, changed = ev->changed, rc;

	imgs = lc_promote_images_json(p);
	n = jv_array_length(jv_copy(imgs));
	lc_buf_printf(&env, "PROMOTE_CHANGED=%s\nPROMOTE_COMMIT=%s\n"
	    "PROMOTE_IMAGES_COUNT=%d\n", changed ? "true" : "false",
	    commit ? commit : "", n);
	if (pr)
		lc_buf_printf(&env, "PROMOTE_PR_URL=%s\n"
		    "PROMOTE_PR_NUMBER=%ld\n", pr->url, pr->number);
	if (w->env)
		fputs(env.data, stdout);
	else if (!w->json) {
		/* --diff: what a dry run shows, on a real run too. */
		if (w->diff && commit)
			print_diffs(p, 1);
		for (i = 0; i < lc_promote_nchanges(p); i++)
			if ((c = lc_promote_change(p, i))->differs)
				printf("%s%s%s %s -> %s %s -> %s\n", c->app,
				    c->app[0] ? " " : "", c->name, c->prev,
				    c->next, from_word(o), o->to);
		if (ev->dst_branch && changed && commit)
			printf("%s %s -> %.7s (%s %s) %s -> %s\n",
			    ev->dst_branch, ev->dst7, commit, ev->src_branch,
			    ev->src7, o->from, o->to);
		else if (ev->dst_branch && changed)
			printf("%s %s -> %s (%s %s) %s -> %s\n", ev->dst_branch,
			    ev->dst7, o->pick ? "pick" : "merge",
			    ev->src_branch, ev->src7, o->from, o->to);
		if (pr)
			printf("%s\n", pr->url);
	} else {
		j = jv_dump_string(lc_promote_json(p, commit, changed), 0);
		printf("%s\n", jv_string_value(j));
		jv_free(j);
	}
	rc = lc_ci_output("changed", changed ? "true" : "false");
	if (rc == 0 && commit)
		rc = lc_ci_output("commit", commit);
	imgs = jv_dump_string(imgs, 0);
	if (rc == 0)
		rc = lc_ci_output("images", jv_string_value(imgs));
	jv_free(imgs);
	if (rc == 0 && pr) {
		snprintf(num, sizeof(num), "%ld", pr->number);
		if ((rc = lc_ci_output("pr-url", pr->url)) == 0)
			rc = lc_ci_output("pr-number", num);
	}
	if (rc == 0)
		rc = lc_ci_dotenv(env.data);
	if (rc == 0)
		rc = summary(p, ev);
	lc_buf_release(&env);
	return rc;
}

/*
 * What the promotion tells: a result, or on a dry run (text) the diffs and
 * the commit message.
 */
static int
print_event(const struct lc_promote *p, const struct lc_promote_event *ev,
    void *arg)
{
	const struct lc_promote_opts *o = lc_promote_opts(p);
	const struct out *w = arg;
	int rc;

	if (ev->what == LC_PROMOTE_DRY_RUN && !w->json) {
		if (o->strategy == LC_PROMOTE_BRANCH) {
			printf("%s", ev->message);
			return 0;
		}
		if ((rc = print_diffs(p, 0)) != 0)
			return rc;
		printf("\n%s", ev->message);
		if (o->pr)
			lc_log_info("dry run: would push %s and open or update "
			    "its pull request into %s", ev->head, ev->dst_branch);
		return 0;
	}
	return report(p, w, ev);
}

/* ---- options ----------------------------------------------------------- */

/* A usage error with its message: exit 2. */
static _Noreturn void
misuse(const char *fmt, const char *a, const char *b)
{
	if (fmt)
		lc_error_set(LC_EUSAGE, fmt, a, b);
	lc_cli_report_error();
	usage(LC_EXIT_USAGE);
}

/*
 * The repeatable options' lists. One given more often than its list holds
 * is refused (exit 2), never cut: "--gate: at most 16 of them".
 */
static const char *apps[32], *trailers[16], *sets[32], *gates[16];
static const char *labels[16], *platform_list[8], *keys[16], *digest_keys[16];
static const char *repo_keys[16];

/* The lists of o are the ones above. */
static void
lists(struct lc_promote_opts *o)
{
	o->apps = apps;
	o->trailers = trailers;
	o->sets = sets;
	o->gates = gates;
	o->labels = labels;
	o->platforms = platform_list;
	o->keys = keys;
	o->digest_keys = digest_keys;
	o->repo_keys = repo_keys;
}

/* Options that keep their value, set a flag or add to a list. */
enum { STR, ON, OFF, LIST };
#define O(field) offsetof(struct lc_promote_opts, field)
#define STR_(ch, field) { ch, STR, O(field), NULL, 0, NULL }
#define ON_(ch, field) { ch, ON, O(field), NULL, 0, NULL }
#define OFF_(ch, field) { ch, OFF, O(field), NULL, 0, NULL }
#define NELEM(a) (int)(sizeof(a) / sizeof((a)[0]))
#define LIST_(ch, n, list, opt) { ch, LIST, O(n), list, NELEM(list), opt }
static const struct simple {
	int ch, kind;
	size_t off;		/* the field; LIST: its count */
	const char **list;	/* LIST: the list, its size, its option */
	int max;
	const char *name;
} simple[] = {
	STR_('f', from),
	STR_('m', message),
	ON_('n', dry_run),
	ON_('S', sign),
	STR_('t', to),
	ON_(OPT_ALLOW_SKIP, allow_skip),
	STR_(OPT_ALLOW_TAGS, allow_tags),
	STR_(OPT_API_URL, api_url),
	LIST_(OPT_APP, napps, apps,
	    "--app (a glob matches any number)"),
	STR_(OPT_AUTHOR, author),
	STR_(OPT_BASE, branch),
	STR_(OPT_BODY_FILE, body_file),
	STR_(OPT_BRANCH, branch),
	STR_(OPT_CHAIN, chain),
	ON_(OPT_CHECK, check),
	LIST_(OPT_DIGEST_KEY, ndigest_keys, digest_keys, "--digest-key"),
	ON_(OPT_DRAFT, draft),
	LIST_(OPT_GATE, ngates, gates, "--gate"),
	STR_(OPT_HEAD_BRANCH, head_tmpl),
	LIST_(OPT_KEY, nkeys, keys, "--key"),
	LIST_(OPT_LABEL, nlabels, labels, "--label"),
	ON_(OPT_NO_PUSH, no_push),
	OFF_(OPT_NO_VERIFY, verify),
	STR_(OPT_PATH, path),
	STR_(OPT_PICK, pick),
	ON_(OPT_PIN, pin),
	LIST_(OPT_PLATFORM, nplatforms, platform_list, "--platform"),
	ON_(OPT_PR, pr),
	ON_(OPT_RAW, raw),
	STR_(OPT_REG_CA, ro.ca_file),
	ON_(OPT_REG_HTTPS, reg_https),
	ON_(OPT_REG_INSECURE, ro.insecure),
	STR_(OPT_REMOTE, remote),
	LIST_(OPT_REPO_KEY, nrepo_keys, repo_keys, "--repo-key"),
	ON_(OPT_ROLLBACK, rollback),
	LIST_(OPT_SET, nsets, sets, "--set"),
	ON_(OPT_SPLIT, split),
	STR_(OPT_TITLE, title),
	STR_(OPT_TOKEN_FILE, token_file),
	LIST_(OPT_TRAILER, ntrailers, trailers, "--trailer"),
	ON_(OPT_WITH_NAME, with_name),
};

/* The field of o a simple option sets. */
static void
set(const struct simple *s, struct lc_promote_opts *o)
{
	char *f = (char *)o + s->off;
	char m[64];

	if (s->kind == STR)
		*(const char **)(void *)f = optarg;
	else if (s->kind != LIST)
		*(int *)(void *)f = s->kind == ON;
	else if (*(int *)(void *)f == s->max) {
		snprintf(m, sizeof(m), "%s: at most %d of them", s->name,
		    s->max);
		misuse("%s", m, NULL);
	} else
		s->list[(*(int *)(void *)f)++] = optarg;
}

/*
 * One option of ch: the simple ones from the table, the others here (a bad
 * value is a usage error).
 */
static void
option(int ch, struct lc_promote_opts *o, struct out *w)
{
	const size_t n = sizeof(simple) / sizeof(simple[0]);
	const char *sl;
	size_t i;
	char *end;
	long v;

	for (i = 0; i < n && simple[i].ch != ch; i++)
		;
	switch (ch) {
	case 'h':
		usage(LC_EXIT_OK);
	case 'o':
		if (strcmp(optarg, "json") == 0)
			w->json = 1;
		else if (strcmp(optarg, "env") == 0)
			w->env = 1;
		else if (strcmp(optarg, "text") != 0)
			usage(LC_EXIT_USAGE);
		break;
	case 'q':
		lc_log_set_level(LC_LOG_ERROR);
		break;
	case 'V':
		lc_cli_version();
		exit(lc_cli_exit(0));
	case 'v':
		lc_log_set_level(LC_LOG_DEBUG);
		break;
	case OPT_AUTO_MERGE:
		o->merge = optarg ? optarg : "merge";
		if (strcmp(o->merge, "merge") != 0 &&
		    strcmp(o->merge, "squash") != 0 &&
		    strcmp(o->merge, "rebase") != 0)
			misuse("--auto-merge=%s: merge, squash or rebase",
			    optarg, NULL);
		break;
	case OPT_DEADLINE:
		if (lc_parse_duration_opt("--deadline", optarg,
		    &o->deadline_ms) != 0)
			misuse(NULL, NULL, NULL);
		break;
	case OPT_DIFF:
		w->diff = 1;
		break;
	case OPT_DOTENV:
		lc_ci_set_dotenv(optarg);
		break;
	case OPT_ENV_BRANCH:
		if (strstr(optarg, "{env}") == NULL)
			misuse("--env-branch '%s': it must contain {env}",
			    optarg, NULL);
		o->branch_tmpl = optarg;
		break;
	case OPT_PLATFORM:
		if (o->nplatforms < NELEM(platform_list) && ((sl =
		    strchr(optarg, '/')) == NULL || sl == optarg ||
		    sl[1] == '\0' || sl[1] == '/' || strlen(optarg) > 127))
			misuse("--platform %s: write OS/ARCH[/VARIANT], as "
			    "linux/arm64", optarg, NULL);
		break;
	case OPT_PROVIDER:
		if (lc_forge_kind_parse(optarg, &o->provider) != 0)
			misuse("--provider %s: github, gitlab, gitea (or "
			    "forgejo) or auto", optarg, NULL);
		break;
	case OPT_REQUIRE_STATUS:
		o->require_status = 1;
		o->status_context = optarg;
		break;
	case OPT_SEMVER: {
		struct lc_semver sv;

		memset(&sv, 0, sizeof(sv));
		if (lc_semver_in(&sv, optarg) < 0)
			misuse("--semver '%s': not a range (>=1.2.0 <2, ^1.2, "
			    "~1.2.3, 1.x)", optarg, NULL);
		o->semver = optarg;
		break;
	}
	case OPT_STEPS:
		v = strtol(optarg, &end, 10);
		if (*end || v < 1 || v > 16)
			misuse("--steps %s: 1 to 16", optarg, NULL);
		o->steps = (int)v;
		break;
	case OPT_STRATEGY:
		if (strcmp(optarg, "tag") == 0)
			o->strategy = LC_PROMOTE_TAG;
		else if (strcmp(optarg, "branch") == 0)
			o->strategy = LC_PROMOTE_BRANCH;
		else if (strcmp(optarg, "dir") != 0)
			misuse("--strategy %s: dir, branch or tag (a pull "
			    "request: --pr)", optarg, NULL);
		break;
	case OPT_TRAILER:
		if (o->ntrailers < NELEM(trailers) && (strchr(optarg, '=') == NULL ||
		    *optarg == '='))
			misuse("--trailer '%s': write KEY=VALUE", optarg, NULL);
		break;
	default:
		if (i == n)
			usage(LC_EXIT_USAGE);
	}
	if (i < n)
		set(&simple[i], o);
}

/*
 * The rules between options, in the order they are checked (the order
 * decides which of two mistakes is named): the first broken one is the
 * usage error (exit 2); fmt takes a and b. A row with a check is one of
 * the engine's (--set, --chain, --key, the images), made at that point.
 */
#define RULE(broken, fmt) { broken, -1, fmt, NULL, NULL }
#define CHECK(what) { 0, what, NULL, NULL, NULL }
static void
validate(const struct lc_promote_opts *o)
{
	const int tag = o->strategy == LC_PROMOTE_TAG;
	const int branch = o->strategy == LC_PROMOTE_BRANCH;
	int rc = 0;
	const struct {
		int broken, check;
		const char *fmt, *a, *b;
	} rules[] = {
	RULE(o->to == NULL || (o->from != NULL) + (o->nsets > 0) +
	    o->rollback != 1,
	    "give -f SRC -t DST, or -t DST with --set or --rollback"),
	CHECK(LC_PROMOTE_CHECK_SET), CHECK(LC_PROMOTE_CHECK_CHAIN),
	{ o->from && o->to && (strcmp(o->from, o->to) == 0 ||
	    strchr(o->from, '/') || strchr(o->to, '/')), -1,
	    "-f %s -t %s: two different environment names", o->from, o->to },
	CHECK(LC_PROMOTE_CHECK_KEY), CHECK(LC_PROMOTE_CHECK_IMAGES),
	RULE(branch && (!o->from || o->nimages || o->nkeys || o->raw),
	    "--strategy branch: give -f and -t; the whole branch deploy/<env> "
	    "is promoted"),
	RULE(!o->pr && (o->head_tmpl || o->title || o->body_file ||
	    o->nlabels || o->draft || o->merge || ((o->api_url ||
	    o->provider) && !o->require_status)),
	    "--head-branch, --title, --body-file, --label, --draft, "
	    "--auto-merge, --provider and --api-url go with --pr (the last "
	    "two also with --require-status)"),
	RULE(o->split && (o->napps == 0 || branch || tag || o->rollback),
	    "--split: one promotion per app of --app (dir strategy)"),
	RULE(o->nplatforms && (!o->verify || tag || branch),
	    "--platform asks the registry about the images written: not with "
	    "--no-verify-image or the branch and tag strategies"),
	RULE(o->steps > 1 && !o->rollback, "--steps goes with --rollback"),
	RULE(o->no_push && (o->pr || branch || tag),
	    "--no-push: a commit on the local branch (dir strategy, without "
	    "--pr)"),
	RULE(o->pick && !branch, "--cherry-pick goes with --strategy branch"),
	RULE(o->with_name && (o->nkeys || o->raw || o->from == NULL || tag ||
	    branch), "--with-name: it copies newName between kustomize "
	    "overlays (-f and -t)"),
	RULE(o->require_status && (o->from == NULL || tag),
	    "--require-status: it checks the source commit of -f with dir or "
	    "branch"),
	{ o->pr && (tag || o->check), -1,
	    "--pr goes with --strategy dir or branch, not with %s",
	    o->check ? "--check" : "--strategy tag", NULL },
	RULE(tag && (o->from == NULL || o->nimages == 0 || o->nkeys ||
	    o->napps), "--strategy tag: give -f, -t and the repositories "
	    "whose tags move"),
	};
	size_t i;

	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if (rules[i].check >= 0 && (rc = lc_promote_check(o,
		    rules[i].check)) != 0 && rc != LC_EUSAGE)
			exit(lc_cli_exit(rc));	/* --chain: policy, exit 1 */
		else if (rules[i].broken || (rules[i].check >= 0 && rc != 0))
			misuse(rules[i].fmt, rules[i].a, rules[i].b);
}

int
main(int argc, char *argv[])
{
	struct lc_promote_opts o;
	struct lc_promote *p = NULL;
	struct out w = { 0, 0, 0 };
	int ch, rc;

	lc_cli_init(argv[0]);
	lc_promote_signals();
	lc_promote_opts_init(&o);
	lists(&o);
	while ((ch = getopt_long(argc, argv, "f:hm:no:qSt:Vv", longopts,
	    NULL)) != -1)
		option(ch, &o, &w);
	o.images = (const char *const *)argv + optind;
	o.nimages = argc - optind;
	validate(&o);
	if ((rc = lc_promote_new(&p, &o, print_event, &w)) == LC_EUSAGE)
		misuse(NULL, NULL, NULL);
	if (rc == 0 && (rc = lc_promote_open(p)) == 0)
		rc = lc_promote_run(p);
	lc_promote_free(p);
	return lc_cli_exit(rc);
}
