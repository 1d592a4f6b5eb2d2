/* acd-wait: wait until Argo CD applications reach the wanted state. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acd.h"
#include "acd_wait.h"
#include "cli.h"
#include "cli_acd.h"
#include "error.h"
#include "log.h"

enum {
	OPT_SYNC = LC_CLI_ACD_LAST, OPT_OPERATION, OPT_SUSPENDED,
	OPT_DEGRADED, OPT_REVISION, OPT_UNTIL, OPT_RESOURCE
};

static const struct option longopts[] = {
	LC_CLI_ACD_LONGOPTS,
	{ "degraded", no_argument, NULL, OPT_DEGRADED },
	{ "degraded-grace", required_argument, NULL, LC_CLI_ACD_GRACE },
	{ "health", no_argument, NULL, LC_CLI_ACD_HEALTH },
	{ "operation", no_argument, NULL, OPT_OPERATION },
	{ "poll-interval", required_argument, NULL, LC_CLI_ACD_POLL },
	{ "progress-interval", required_argument, NULL, LC_CLI_ACD_PROGRESS },
	{ "repo-dir", required_argument, NULL, LC_CLI_ACD_REPO_DIR },
	{ "resource", required_argument, NULL, OPT_RESOURCE },
	{ "revision", required_argument, NULL, OPT_REVISION },
	{ "suspended", no_argument, NULL, OPT_SUSPENDED },
	{ "sync", no_argument, NULL, OPT_SYNC },
	{ "until", required_argument, NULL, OPT_UNTIL },
	{ NULL, 0, NULL, 0 }
};

static _Noreturn void
usage(int status)
{
	FILE *fp = status == LC_EXIT_OK ? stdout : stderr;

	fprintf(fp, "usage: %s [-hqVv] [-l selector] [-N namespace] "
	    "[-o format] [--degraded] [--degraded-grace duration] "
	    "[--dotenv file] [--health] "
	    "[--operation] [--poll-interval duration] "
	    "[--progress-interval duration] [--repo-dir dir] "
	    "[--resource group:kind:name] "
	    "[--revision sha] [--suspended] [--sync] [--timeout duration] "
	    "[--until jq] "
	    "[connection-options] [app ...]\n", lc_log_progname);
	if (status == LC_EXIT_OK)
		fputs("\n"
		    "Wait for every APP ([NAMESPACE/]NAME) at once, or for the "
		    "apps -l selects.\n"
		    "Without --sync, --health or --operation, all three.\n"
		    "\n"
		    "      --sync              Synced\n"
		    "      --health            Healthy\n"
		    "      --operation         no operation pending, the last one "
		    "Succeeded\n"
		    "      --suspended         Suspended counts as healthy\n"
		    "      --degraded          Degraded counts as healthy\n"
		    "      --degraded-grace D  fail after Degraded for D (default "
		    "0: at once)\n"
		    "      --resource G:K:[NS/]NAME  judge these resources, not "
		    "the app\n"
		    "                          (repeatable; * and ! as argocd)\n"
		    "      --revision SHA      ... and reconciled at this "
		    "commit or a later one\n"
		    "      --repo-dir DIR      the GitOps repository that tells "
		    "a later commit\n"
		    "                          (default: the one here, if it "
		    "has SHA)\n"
		    "      --until JQ          ... and JQ on the Application is "
		    "true\n"
		    "      --timeout D         one deadline for all (default 10m; "
		    "0: none;\n"
		    "                          a bare number is seconds)\n"
		    "      --poll-interval D   safety-net GET interval (default "
		    "30s)\n"
		    "      --progress-interval D  a line per app still waited "
		    "for, every D\n"
		    "                          (default 30s; 0: none; not on a "
		    "terminal)\n"
		    "      --dotenv FILE       append ACD_* lines (GitLab dotenv)\n"
		    "  -l, --selector SEL      the apps matching a label "
		    "selector\n"
		    "  -N, --app-namespace NS  namespace of bare app names\n"
		    "  -o, --output FMT        text (APP SYNC HEALTH REVISION) or "
		    "json\n"
		    "  -q, --quiet             no progress\n"
		    "  -v, --verbose           log everything (debug too)\n"
		    "\n"
		    "Connection: --server HOST[:PORT], --auth-token-file FILE, "
		    "--plaintext,\n"
		    "--insecure, --ca-file FILE, --client-crt FILE "
		    "--client-crt-key FILE,\n"
		    "--grpc-web-root-path PATH, -H 'Name: value', --project P, "
		    "--config FILE,\n"
		    "--argocd-context NAME, --username NAME --password-file FILE; "
		    "also from\n"
		    "ARGOCD_OPTS, ARGOCD_SERVER, ARGOCD_AUTH_TOKEN and the argocd "
		    "CLI's config.\n", fp);
	exit(status);
}

/* acd-wait's own options, into the want. */
static int
option(int ch, const char *arg, void *ctx)
{
	struct lc_acd_want *w = ctx;

	switch (ch) {
	case OPT_SYNC:
		w->flags |= LC_ACD_W_SYNC;
		break;
	case OPT_OPERATION:
		w->flags |= LC_ACD_W_OPERATION;
		break;
	case OPT_SUSPENDED:
		w->flags |= LC_ACD_W_SUSPENDED;
		break;
	case OPT_DEGRADED:
		w->flags |= LC_ACD_W_DEGRADED;
		break;
	case OPT_REVISION:
		if (strlen(arg) < 4)
			return lc_error_set(LC_EUSAGE, "--revision '%s': give "
			    "at least 4 characters of the commit", arg);
		w->revision = arg;
		break;
	case OPT_UNTIL:
		w->until = arg;
		break;
	case OPT_RESOURCE:
		return lc_acd_wait_want_resource(w, arg);
	default:
		return LC_EUSAGE;
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	struct lc_cli_acd x;
	const struct lc_cli_acd_cmd cmd = { longopts, option, &x.w, usage,
	    "wait for", NULL };
	int rc;

	lc_cli_acd_parse(&x, argc, argv, &cmd);
	if ((x.w.flags & (LC_ACD_W_SYNC | LC_ACD_W_HEALTH |
	    LC_ACD_W_OPERATION)) == 0)
		x.w.flags |= LC_ACD_W_SYNC | LC_ACD_W_HEALTH |
		    LC_ACD_W_OPERATION;
	if (x.w.flags & (LC_ACD_W_SUSPENDED | LC_ACD_W_DEGRADED))
		x.w.flags |= LC_ACD_W_HEALTH;
	if (x.w.repo_dir && !x.w.revision) {
		lc_error_set(LC_EUSAGE, "--repo-dir is for --revision");
		lc_cli_report_error();
		usage(LC_EXIT_USAGE);
	}
	x.w.selector = x.c.selector;
	if ((rc = lc_cli_acd_open(&x, 1)) != 0)
		return lc_cli_acd_exit(&x, rc);
	rc = lc_acd_wait(x.acd, x.t, x.n, &x.w, x.deadline);
	if (rc != LC_EUSAGE)		/* else --until does not compile */
		rc = lc_cli_acd_finish(x.t, x.n, rc, x.c.json,
		    x.c.timeout_ms, "not every application got there");
	return lc_cli_acd_exit(&x, rc);
}
