/* acd-rollback: roll an Argo CD application back to an earlier deployment. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acd.h"
#include "acd_rollback.h"
#include "acd_wait.h"
#include "cli.h"
#include "cli_acd.h"
#include "error.h"
#include "log.h"
#include "parse.h"

enum {
	OPT_DRY_RUN = LC_CLI_ACD_LAST, OPT_PRUNE, OPT_ASYNC
};

static const struct option longopts[] = {
	LC_CLI_ACD_LONGOPTS,
	{ "async", no_argument, NULL, OPT_ASYNC },
	{ "degraded-grace", required_argument, NULL, LC_CLI_ACD_GRACE },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "health", no_argument, NULL, LC_CLI_ACD_HEALTH },
	{ "if-busy", required_argument, NULL, LC_CLI_ACD_IF_BUSY },
	{ "poll-interval", required_argument, NULL, LC_CLI_ACD_POLL },
	{ "progress-interval", required_argument, NULL, LC_CLI_ACD_PROGRESS },
	{ "prune", no_argument, NULL, OPT_PRUNE },
	{ NULL, 0, NULL, 0 }
};

/* acd-rollback's own options besides the rollback's. */
struct ctx {
	struct lc_acd_rollback r;
	int async;
};

static _Noreturn void
usage(int status)
{
	FILE *fp = status == LC_EXIT_OK ? stdout : stderr;

	fprintf(fp, "usage: %s [-hqVv] [-N namespace] [-o format] [--async] "
	    "[--degraded-grace duration] [--dotenv file] [--dry-run] "
	    "[--health] "
	    "[--if-busy policy] [--poll-interval duration] "
	    "[--progress-interval duration] "
	    "[--prune] [--timeout duration] [connection-options] app [id]\n",
	    lc_log_progname);
	if (status == LC_EXIT_OK)
		fputs("\n"
		    "Roll APP back to the deployment with history ID (default: "
		    "the one before\nthe current one), then wait until that "
		    "sync has ended and was reconciled.\n"
		    "\n"
		    "      --dry-run, --prune\n"
		    "      --if-busy POLICY      another operation runs: wait "
		    "(default),\n"
		    "                            fail (exit 5) or terminate it\n"
		    "      --async               do not wait after the rollback "
		    "is accepted\n"
		    "      --health              ... and wait until Healthy\n"
		    "      --degraded-grace D    fail after Degraded for D "
		    "(default 0)\n"
		    "      --timeout D           deadline (default 10m; 0: "
		    "none)\n"
		    "      --progress-interval D  a line per app still waited "
		    "for, every D\n"
		    "                            (default 30s; 0: none)\n"
		    "      --dotenv FILE         append ACD_* lines (GitLab "
		    "dotenv)\n"
		    "  -N, --app-namespace NS, -o, --output text|json, -q, -v, "
		    "-h, -V\n"
		    "\n"
		    "Connection options: as for acd-wait (see acd-wait -h).\n",
		    fp);
	exit(status);
}

static int
option(int ch, const char *arg, void *vctx)
{
	struct ctx *x = vctx;

	switch (ch) {
	case OPT_DRY_RUN:
		x->r.dry_run = 1;
		break;
	case OPT_PRUNE:
		x->r.prune = 1;
		break;
	case OPT_ASYNC:
		x->async = 1;
		break;
	default:
		return LC_EUSAGE;
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	struct lc_cli_acd a;
	struct ctx x;
	const struct lc_cli_acd_cmd cmd = { longopts, option, &x, usage, NULL,
	    "-l: a rollback names one application" };
	struct lc_acd_target t;
	int rc;

	memset(&x, 0, sizeof(x));
	x.r.id = -1;
	lc_acd_wait_target_init(&t);
	lc_cli_acd_parse(&a, argc, argv, &cmd);
	if (a.argc < 1 || a.argc > 2)
		usage(LC_EXIT_USAGE);
	if (a.argc == 2 && lc_parse_long(a.argv[1], 0, 2147483647L,
	    &x.r.id) != 0) {
		lc_cli_report_error();
		usage(LC_EXIT_USAGE);
	}
	a.w.flags |= LC_ACD_W_OPERATION;
	x.r.busy = a.busy;
	lc_acd_app_parse(&t.app, a.argv[0], a.c.app_namespace);
	if ((rc = lc_cli_acd_open(&a, 0)) != 0)
		goto out;
	if ((rc = lc_acd_rollback_start(a.acd, &x.r, &t, a.deadline)) == 0 &&
	    !t.done && !x.async)
		rc = lc_acd_wait(a.acd, &t, 1, &a.w, a.deadline);
	rc = lc_cli_acd_finish(&t, 1, rc, a.c.json, a.c.timeout_ms, NULL);
out:
	lc_acd_wait_target_free(&t);
	lc_acd_rollback_release(&x.r);
	return lc_cli_acd_exit(&a, rc);
}
