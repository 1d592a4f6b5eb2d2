/* acd-diff: show what an Argo CD sync would change, as a unified diff. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acd.h"
#include "acd_diff.h"
#include "acd_wait.h"
#include "buf.h"
#include "ci.h"
#include "cli.h"
#include "cli_acd.h"
#include "error.h"
#include "log.h"

enum {
	OPT_REFRESH = LC_CLI_ACD_LAST, OPT_HARD_REFRESH
};

static const struct option longopts[] = {
	LC_CLI_ACD_LONGOPTS,
	{ "hard-refresh", no_argument, NULL, OPT_HARD_REFRESH },
	{ "refresh", no_argument, NULL, OPT_REFRESH },
	{ NULL, 0, NULL, 0 }
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

/* --refresh and --hard-refresh, into *refresh (NULL, "normal" or "hard"). */
static int
option(int ch, const char *arg, void *ctx)
{
	const char **refresh = ctx;

	switch (ch) {
	case OPT_REFRESH:
		if (*refresh == NULL)
			*refresh = "normal";
		break;
	case OPT_HARD_REFRESH:
		*refresh = "hard";
		break;
	default:
		return LC_EUSAGE;
	}
	return 0;
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
diff_app(const struct lc_cli_acd *x, const struct lc_acd_app *app,
    const char *refresh, size_t *changed)
{
	struct lc_acd_change *c;
	struct lc_buf line = LC_BUF_INIT;
	size_t n, i;
	int rc;

	rc = lc_acd_diff_app(x->acd, app, refresh, x->deadline, &c, &n);
	/* -q: only the exit status, as git diff --quiet. */
	for (i = 0; rc == 0 && lc_log_enabled(LC_LOG_WARN) && i < n; i++) {
		if (x->c.json) {
			line.len = 0;
			lc_buf_adds(&line, "");
			lc_acd_diff_change_json(&line, app->name, &c[i]);
			puts(line.data);
		} else
			fputs(c[i].diff, stdout);
	}
	if (rc == 0)
		*changed += n;
	lc_acd_diff_changes_free(c, n);
	lc_buf_release(&line);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct lc_cli_acd x;
	const char *refresh = NULL;
	const struct lc_cli_acd_cmd cmd = { longopts, option, &refresh, usage,
	    "diff", NULL };
	size_t i, changed = 0;
	int rc, first = 0;

	lc_cli_acd_parse(&x, argc, argv, &cmd);
	if ((rc = lc_cli_acd_open(&x, 1)) != 0)
		return lc_cli_acd_exit(&x, rc);
	/*
	 * Each app on its own: one that fails is reported and the others
	 * are still shown; an error wins over "changes" in the exit status,
	 * as for diff(1).
	 */
	for (i = 0; i < x.n; i++) {
		if ((rc = diff_app(&x, &x.t[i].app, refresh, &changed)) == 0)
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
	return lc_cli_acd_exit(&x, rc);
}
