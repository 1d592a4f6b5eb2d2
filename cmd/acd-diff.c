/* acd-diff: show what an Argo CD sync would change, as a unified diff. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "argocd.h"
#include "argocd_diff.h"
#include "buf.h"
#include "ci.h"
#include "cli.h"
#include "clock.h"
#include "error.h"
#include "log.h"

enum {
	OPT_REFRESH = LC_ACD_OPT_LAST, OPT_HARD_REFRESH
};

static const struct option longopts[] = {
	LC_ACD_LONGOPTS,
	{ "hard-refresh", no_argument, NULL, OPT_HARD_REFRESH },
	{ "refresh", no_argument, NULL, OPT_REFRESH },
	{ NULL, 0, NULL, 0 }
};

struct ctx {
	struct lc_acd_conf c;
	const char *refresh;		/* NULL, "normal" or "hard" */
};

static _Noreturn void
usage(int status)
{
	FILE *fp = status == LC_EXIT_OK ? stdout : stderr;

	fprintf(fp, "usage: %s [-hqVv] [-l selector] [-N namespace] "
	    "[-o format] [--dotenv file] [--hard-refresh] [--refresh] "
	    "[--timeout duration] "
	    "[connection-options] [app ...]\n", lc_log_progname);
	if (status == LC_EXIT_OK)
		fputs("\n"
		    "Show what a sync of every APP ([NAMESPACE/]NAME), or of "
		    "the apps -l selects,\n"
		    "would change: a unified diff per resource, live against "
		    "target, YAML with\n"
		    "sorted keys. Exit 0: nothing would change; 1: something "
		    "would.\n"
		    "\n"
		    "      --refresh             refresh (normal) first\n"
		    "      --hard-refresh        refresh (hard) first: "
		    "manifests generated again\n"
		    "      --timeout D           one deadline for all (default "
		    "10m; 0: none)\n"
		    "      --dotenv FILE         append ACD_DIFF_* lines "
		    "(GitLab dotenv)\n"
		    "  -l, --selector SEL, -N, --app-namespace NS, -o, --output "
		    "text|json,\n"
		    "  -q, --quiet, -v, --verbose, -h, --help, -V, --version\n"
		    "\n"
		    "Connection options: as for acd-wait (see acd-wait -h).\n",
		    fp);
	exit(status);
}

static int
option(int ch, const char *arg, void *vctx)
{
	struct ctx *x = vctx;
	int rc;

	if ((rc = lc_acd_option(&x->c, ch, arg)) != 0)
		return rc < 0 ? rc : 0;
	switch (ch) {
	case OPT_REFRESH:
		if (x->refresh == NULL)
			x->refresh = "normal";
		break;
	case OPT_HARD_REFRESH:
		x->refresh = "hard";
		break;
	default:
		return LC_EUSAGE;
	}
	return 0;
}

/* One JSON object per changed resource, on one line. */
static void
print_json(const char *app, const struct lc_acd_change *c)
{
	jv o = jv_object(), s;

	o = jv_object_set(o, jv_string("app"), jv_string(app));
	o = jv_object_set(o, jv_string("group"), jv_string(c->group));
	o = jv_object_set(o, jv_string("kind"), jv_string(c->kind));
	o = jv_object_set(o, jv_string("namespace"), jv_string(c->ns));
	o = jv_object_set(o, jv_string("name"), jv_string(c->name));
	o = jv_object_set(o, jv_string("action"), jv_string(c->action));
	o = jv_object_set(o, jv_string("live"), jv_copy(c->live));
	o = jv_object_set(o, jv_string("target"), jv_copy(c->target));
	o = jv_object_set(o, jv_string("diff"), jv_string(c->diff));
	s = jv_dump_string(o, 0);
	fputs(jv_string_value(s), stdout);
	putchar('\n');
	jv_free(s);
}

/*
 * The answer for the next job, when there is one: $GITHUB_OUTPUT changed
 * and resources, dotenv ACD_DIFF_CHANGED and ACD_DIFF_RESOURCES.
 */
static int
ci_outputs(size_t nchanged)
{
	struct lc_buf b = LC_BUF_INIT;
	char num[32];
	int rc;

	snprintf(num, sizeof(num), "%zu", nchanged);
	lc_buf_printf(&b, "ACD_DIFF_CHANGED=%s\nACD_DIFF_RESOURCES=%s\n",
	    nchanged ? "true" : "false", num);
	rc = lc_ci_output("changed", nchanged ? "true" : "false");
	if (rc == 0)
		rc = lc_ci_output("resources", num);
	if (rc == 0)
		rc = lc_ci_dotenv(b.data);
	lc_buf_release(&b);
	return rc;
}

/*
 * Diff one app onto stdout; *changed counts the resources that would
 * change.
 */
static int
diff_app(struct lc_acd *acd, const struct ctx *x, struct lc_acd_target *t,
    long long deadline, size_t *changed)
{
	struct lc_acd_change *c = NULL;
	size_t n = 0, i;
	jv items, ans;
	int rc;

	if (x->refresh) {
		if ((rc = lc_acd_get(acd, &t->app, x->refresh, deadline,
		    &ans)) != 0)
			return rc;
		jv_free(ans);
	}
	if ((rc = lc_acd_managed(acd, &t->app, deadline, &items)) != 0)
		return rc;
	rc = lc_acd_diff(items, t->app.name, &c, &n);
	lc_log_info("%s: %d resources, %zu would change", t->app.name,
	    jv_array_length(jv_copy(items)), n);
	jv_free(items);
	/* -q: only the exit status, as git diff --quiet. */
	for (i = 0; rc == 0 && lc_log_enabled(LC_LOG_WARN) && i < n; i++) {
		if (x->c.json)
			print_json(t->app.name, &c[i]);
		else
			fputs(c[i].diff, stdout);
	}
	if (rc == 0)
		*changed += n;
	lc_acd_changes_free(c, n);
	return rc;
}

int
main(int argc, char *argv[])
{
	static const char shortopts[] = LC_ACD_SHORTOPTS;
	struct ctx x;
	struct lc_acd *acd = NULL;
	struct lc_acd_target *t = NULL;
	long long deadline;
	size_t n = 0, i, changed = 0;
	int rc, first = 0;

	lc_cli_init(argv[0]);
	memset(&x, 0, sizeof(x));
	x.c.timeout_ms = 600000;
	if (lc_acd_args(argc, argv, shortopts, longopts, option, option, &x,
	    usage) < 0)
		return LC_EXIT_USAGE;
	argc -= optind;
	argv += optind;
	lc_acd_need_apps(argc, &x.c, "diff", usage);
	deadline = x.c.timeout_ms ? lc_clock_ms() + x.c.timeout_ms : 0;
	if ((rc = lc_acd_open(&acd, &x.c, deadline)) != 0 ||
	    (rc = lc_acd_targets(acd, &x.c, argv, argc, deadline, &t, &n))
	    != 0)
		goto out;
	/*
	 * Each app on its own: one that fails is reported and the others
	 * are still shown; an error wins over "changes" in the exit status,
	 * as for diff(1).
	 */
	for (i = 0; i < n; i++) {
		if ((rc = diff_app(acd, &x, &t[i], deadline, &changed)) == 0)
			continue;
		if (first == 0)
			first = rc;
		lc_cli_report_error();
		if (rc == LC_ETIMEOUT || rc == LC_EAUTH)
			break;		/* the same for the others */
	}
	rc = first ? first : changed ? LC_ENO : 0;
	if (first == 0 && ci_outputs(changed) != 0)
		rc = LC_ERROR;
out:
	for (i = 0; t && i < n; i++)
		lc_acd_target_free(&t[i]);
	free(t);
	lc_acd_close(acd);
	return lc_cli_exit(rc);
}
