/* acd-sync: trigger an Argo CD sync, then wait for that sync to finish. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acd.h"
#include "acd_sync.h"
#include "acd_wait.h"
#include "cli.h"
#include "cli_acd.h"
#include "error.h"
#include "log.h"
#include "parse.h"

enum {
	OPT_REVISION = LC_CLI_ACD_LAST, OPT_PRUNE, OPT_DRY_RUN, OPT_FORCE,
	OPT_STRATEGY, OPT_RESOURCE, OPT_OUT_OF_SYNC, OPT_SERVER_SIDE,
	OPT_REPLACE, OPT_RETRY_LIMIT, OPT_RETRY_DURATION, OPT_RETRY_FACTOR,
	OPT_RETRY_MAX, OPT_HARD_REFRESH, OPT_ASYNC, OPT_INFO, OPT_SYNC_OPTION,
	OPT_LABEL
};

static const struct option longopts[] = {
	LC_CLI_ACD_LONGOPTS,
	{ "apply-out-of-sync-only", no_argument, NULL, OPT_OUT_OF_SYNC },
	{ "async", no_argument, NULL, OPT_ASYNC },
	{ "degraded-grace", required_argument, NULL, LC_CLI_ACD_GRACE },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "hard-refresh", no_argument, NULL, OPT_HARD_REFRESH },
	{ "health", no_argument, NULL, LC_CLI_ACD_HEALTH },
	{ "if-busy", required_argument, NULL, LC_CLI_ACD_IF_BUSY },
	{ "info", required_argument, NULL, OPT_INFO },
	{ "label", required_argument, NULL, OPT_LABEL },
	{ "poll-interval", required_argument, NULL, LC_CLI_ACD_POLL },
	{ "progress-interval", required_argument, NULL, LC_CLI_ACD_PROGRESS },
	{ "prune", no_argument, NULL, OPT_PRUNE },
	{ "replace", no_argument, NULL, OPT_REPLACE },
	{ "resource", required_argument, NULL, OPT_RESOURCE },
	{ "retry-backoff-duration", required_argument, NULL, OPT_RETRY_DURATION },
	{ "retry-backoff-factor", required_argument, NULL, OPT_RETRY_FACTOR },
	{ "retry-backoff-max-duration", required_argument, NULL, OPT_RETRY_MAX },
	{ "retry-limit", required_argument, NULL, OPT_RETRY_LIMIT },
	{ "revision", required_argument, NULL, OPT_REVISION },
	{ "server-side", no_argument, NULL, OPT_SERVER_SIDE },
	{ "strategy", required_argument, NULL, OPT_STRATEGY },
	{ "sync-option", required_argument, NULL, OPT_SYNC_OPTION },
	{ NULL, 0, NULL, 0 }
};

/* acd-sync's own options besides the sync's. */
struct ctx {
	struct lc_acd_sync s;
	int async;
};

static _Noreturn void
usage(int status)
{
	FILE *fp = status == LC_EXIT_OK ? stdout : stderr;

	fprintf(fp, "usage: %s [-hqVv] [-l selector] [-N namespace] "
	    "[-o format] [--apply-out-of-sync-only] [--async] "
	    "[--degraded-grace duration] [--dotenv file] [--dry-run] "
	    "[--force] "
	    "[--hard-refresh] [--health] [--if-busy policy] "
	    "[--info key=value] [--label key=value] "
	    "[--poll-interval duration] [--progress-interval duration] "
	    "[--prune] "
	    "[--replace] [--resource group:kind:name] "
	    "[--retry-backoff-duration duration] [--retry-backoff-factor n] "
	    "[--retry-backoff-max-duration duration] [--retry-limit n] "
	    "[--revision revision] [--server-side] [--strategy name] "
	    "[--sync-option key=value] "
	    "[--timeout duration] [connection-options] [app ...]\n",
	    lc_log_progname);
	if (status == LC_EXIT_OK)
		fputs("\n"
		    "Sync every APP ([NAMESPACE/]NAME), or the apps -l selects, "
		    "and wait until\n"
		    "that sync has ended and the app was reconciled after it.\n"
		    "\n"
		    "      --revision REV        sync to REV (default: the app's "
		    "target)\n"
		    "      --prune, --dry-run, --force, --strategy apply|hook\n"
		    "      --resource G:K:[NS/]NAME  only these (repeatable; * "
		    "and !)\n"
		    "      --label K=V           only resources with this label "
		    "(repeatable)\n"
		    "      --sync-option K=V     add to the app's sync options "
		    "(repeatable)\n"
		    "      --apply-out-of-sync-only, --server-side, --replace\n"
		    "      --retry-limit N, --retry-backoff-duration D,\n"
		    "      --retry-backoff-factor N, --retry-backoff-max-duration "
		    "D\n"
		    "      --info K=V            tag the operation (repeatable)\n"
		    "      --hard-refresh        refresh (hard) before syncing\n"
		    "      --if-busy POLICY      another operation runs: wait "
		    "(default),\n"
		    "                            fail (exit 5) or terminate it\n"
		    "      --async               do not wait after the sync is "
		    "accepted\n"
		    "      --health              ... and wait until Healthy\n"
		    "      --degraded-grace D    fail after Degraded for D "
		    "(default 0)\n"
		    "      --timeout D           one deadline for all (default "
		    "10m; 0: none)\n"
		    "      --progress-interval D  a line per app still waited "
		    "for, every D\n"
		    "                            (default 30s; 0: none)\n"
		    "      --dotenv FILE         append ACD_* lines (GitLab "
		    "dotenv)\n"
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
	long long ms;

	switch (ch) {
	case OPT_REVISION:
		x->s.revision = arg;
		break;
	case OPT_PRUNE:
		x->s.prune = 1;
		break;
	case OPT_DRY_RUN:
		x->s.dry_run = 1;
		break;
	case OPT_FORCE:
		x->s.force = 1;
		break;
	case OPT_STRATEGY:
		if (strcmp(arg, "apply") != 0 && strcmp(arg, "hook") != 0)
			return lc_error_set(LC_EUSAGE, "--strategy %s: apply or "
			    "hook", arg);
		x->s.strategy = arg;
		break;
	case OPT_RESOURCE:
		return lc_acd_sync_add_resource(&x->s, arg);
	case OPT_OUT_OF_SYNC:
		x->s.out_of_sync = 1;
		break;
	case OPT_SERVER_SIDE:
		x->s.server_side = 1;
		break;
	case OPT_REPLACE:
		x->s.replace = 1;
		break;
	case OPT_RETRY_LIMIT:
		x->s.retry_set = 1;
		return lc_parse_long(arg, -1, 1000000, &x->s.retry_limit);
	case OPT_RETRY_FACTOR:
		x->s.retry_set = 1;
		return lc_parse_long(arg, 1, 1000, &x->s.retry_factor);
	case OPT_RETRY_DURATION:
	case OPT_RETRY_MAX:
		if (lc_parse_duration_opt(ch == OPT_RETRY_DURATION ?
		    "--retry-backoff-duration" : "--retry-backoff-max-duration",
		    arg, &ms) != 0)
			return LC_EUSAGE;
		x->s.retry_set = 1;
		if (ch == OPT_RETRY_DURATION)
			x->s.retry_duration = arg;
		else
			x->s.retry_max = arg;
		break;
	case OPT_HARD_REFRESH:
		x->s.hard_refresh = 1;
		break;
	case OPT_ASYNC:
		x->async = 1;
		break;
	case OPT_SYNC_OPTION:
		return lc_acd_sync_add_option(&x->s, arg);
	case OPT_LABEL:
		return lc_acd_sync_add_label(&x->s, arg);
	case OPT_INFO:
		return lc_acd_sync_add_info(&x->s, arg);
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
	const struct lc_cli_acd_cmd cmd = { longopts, option, &x, usage,
	    "sync", NULL };
	size_t i;
	int rc;

	memset(&x, 0, sizeof(x));
	lc_cli_acd_parse(&a, argc, argv, &cmd);
	for (i = 0; i < x.s.nsync_opts; i++)
		if (!lc_acd_sync_known(x.s.sync_opts[i]))
			lc_log_warn("--sync-option '%s': not an option this "
			    "acd-sync knows; sent as given", x.s.sync_opts[i]);
	a.w.flags |= LC_ACD_W_OPERATION;
	a.w.selector = a.c.selector;
	/* The apps, as they are now: existence, access, a running operation. */
	if ((rc = lc_cli_acd_open(&a, 1)) != 0 ||
	    (rc = lc_acd_sync_refresh(a.acd, &x.s, a.t, a.n, a.deadline)) != 0)
		goto out;
	/* Sync; when another operation is in the way, apply --if-busy. */
	if ((rc = lc_acd_sync_start(a.acd, &x.s, a.t, a.n, a.busy,
	    a.deadline)) != 0)
		goto report;
	if (x.async) {
		for (i = 0; i < a.n; i++)
			if (a.t[i].rc != 0 && rc == 0)
				rc = a.t[i].rc;
	} else
		rc = lc_acd_wait(a.acd, a.t, a.n, &a.w, a.deadline);
report:
	rc = lc_cli_acd_finish(a.t, a.n, rc, a.c.json, a.c.timeout_ms,
	    "not every sync succeeded");
out:
	rc = lc_cli_acd_exit(&a, rc);
	lc_acd_sync_release(&x.s);
	return rc;
}
