/* acd-rollback: roll an Argo CD application back to an earlier deployment. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "argocd.h"
#include "ci.h"
#include "cli.h"
#include "clock.h"
#include "error.h"
#include "log.h"
#include "parse.h"

enum {
	OPT_DRY_RUN = LC_ACD_OPT_LAST, OPT_PRUNE, OPT_ASYNC
};

static const struct option longopts[] = {
	LC_ACD_LONGOPTS,
	{ "async", no_argument, NULL, OPT_ASYNC },
	{ "degraded-grace", required_argument, NULL, LC_ACD_OPT_GRACE },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "health", no_argument, NULL, LC_ACD_OPT_HEALTH },
	{ "if-busy", required_argument, NULL, LC_ACD_OPT_IF_BUSY },
	{ "poll-interval", required_argument, NULL, LC_ACD_OPT_POLL },
	{ "progress-interval", required_argument, NULL, LC_ACD_OPT_PROGRESS },
	{ "prune", no_argument, NULL, OPT_PRUNE },
	{ NULL, 0, NULL, 0 }
};

struct ctx {
	struct lc_acd_conf c;
	struct lc_acd_want w;
	int dry_run, prune, async;
	enum lc_acd_busy busy;
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
	int rc;

	if ((rc = lc_acd_option(&x->c, ch, arg)) != 0 ||
	    (rc = lc_acd_wait_option(&x->w, &x->busy, ch, arg)) != 0)
		return rc < 0 ? rc : 0;
	switch (ch) {
	case OPT_DRY_RUN:
		x->dry_run = 1;
		break;
	case OPT_PRUNE:
		x->prune = 1;
		break;
	case OPT_ASYNC:
		x->async = 1;
		break;
	default:
		return LC_EUSAGE;
	}
	return 0;
}

/* On the command line, -l is refused: a rollback names one application. */
static int
cli_option(int ch, const char *arg, void *vctx)
{
	if (ch == 'l')
		return lc_error_set(LC_EUSAGE, "-l: a rollback names one "
		    "application");
	return option(ch, arg, vctx);
}

/* The history entry to go back to: id, or the one before the newest. */
static int
pick(jv app, long id, long *out, const char **rev)
{
	jv h = lc_jvutil_get(app, "status.history"), e;
	struct lc_buf ids = LC_BUF_INIT;
	int n, i, rc;

	n = jv_get_kind(h) == JV_KIND_ARRAY ? jv_array_length(jv_copy(h)) : 0;
	if (id < 0 && n < 2) {
		jv_free(h);
		return lc_error_set(LC_ENOTFOUND, "%d deployment%s in its "
		    "history: nothing earlier to roll back to", n,
		    n == 1 ? "" : "s");
	}
	for (i = 0; i < n; i++) {
		e = jv_array_get(jv_copy(h), i);
		jv idv = lc_jvutil_get(e, "id");
		long v = jv_get_kind(idv) == JV_KIND_NUMBER ?
		    (long)jv_number_value(idv) : -1;

		jv_free(idv);
		if (i < 20)
			lc_buf_printf(&ids, "%s%ld", i ? ", " : "", v);
		else if (i == 20)
			lc_buf_adds(&ids, ", ...");
		if ((id < 0 && i == n - 2) || (id >= 0 && v == id)) {
			*out = v;
			/* The string stays alive in app, which holds it. */
			*rev = lc_jvutil_str(e, "revision");
			jv_free(e);
			jv_free(h);
			lc_buf_release(&ids);
			return 0;
		}
		jv_free(e);
	}
	jv_free(h);
	rc = lc_error_set(LC_ENOTFOUND, "no deployment with id %ld in its "
	    "history (%s%s)", id, n ? "ids: " : "empty",
	    ids.data ? ids.data : "");
	lc_buf_release(&ids);
	return rc;
}

int
main(int argc, char *argv[])
{
	static const char shortopts[] = LC_ACD_SHORTOPTS;
	struct ctx x;
	struct lc_acd *acd = NULL;
	struct lc_acd_target t;
	char *rev = NULL;
	const char *r = NULL;
	long long deadline;
	long id = -1, hid = 0;
	jv body, ans, au, en;
	int rc, auto_on;

	lc_cli_init(argv[0]);
	memset(&x, 0, sizeof(x));
	lc_acd_target_init(&t);
	x.c.timeout_ms = 600000;
	if (lc_acd_args(argc, argv, shortopts, longopts, option, cli_option,
	    &x, usage) < 0)
		return LC_EXIT_USAGE;
	argc -= optind;
	argv += optind;
	if (argc < 1 || argc > 2)
		usage(LC_EXIT_USAGE);
	if (argc == 2 && lc_parse_long(argv[1], 0, 2147483647L, &id) != 0) {
		lc_cli_report_error();
		usage(LC_EXIT_USAGE);
	}
	x.w.flags |= LC_ACD_W_OPERATION;
	deadline = x.c.timeout_ms ? lc_clock_ms() + x.c.timeout_ms : 0;
	lc_acd_app_parse(&t.app, argv[0], x.c.app_namespace);
	t.rollback_id = -1;		/* a rollback, to no entry yet */
	t.rollback_rev = "";
	if ((rc = lc_acd_open(&acd, &x.c, deadline)) != 0)
		goto out;
	if ((rc = lc_acd_get(acd, &t.app, NULL, deadline, &t.last)) != 0)
		goto fail;
	au = lc_jvutil_get(t.last, "spec.syncPolicy.automated");
	en = lc_jvutil_get(au, "enabled");
	auto_on = jv_get_kind(au) == JV_KIND_OBJECT &&
	    jv_get_kind(en) != JV_KIND_FALSE;
	jv_free(au);
	jv_free(en);
	if (auto_on) {
		rc = lc_error_set(LC_ERROR, "auto-sync is on, and Argo CD "
		    "refuses to roll back such an app (auto-sync would undo "
		    "it): undo the commit in git instead (promote -t ENV "
		    "--rollback), or turn auto-sync off first");
		goto fail;
	}
	if ((rc = pick(t.last, id, &hid, &r)) != 0)
		goto fail;
	rev = lc_buf_xstrndup(r, strlen(r));
	lc_log_note("%s: rolling back to history id %ld (revision %s)",
	    t.app.name, hid, rev);
	t.rollback_id = hid;
	t.rollback_rev = rev;
	if ((rc = lc_acd_when_idle(acd, &t, 1, x.busy, deadline)) != 0 ||
	    t.done)
		goto report;
	body = jv_object_set(jv_object(), jv_string("id"),
	    jv_number((double)hid));
	if (x.dry_run)
		body = jv_object_set(body, jv_string("dryRun"), jv_true());
	if (x.prune)
		body = jv_object_set(body, jv_string("prune"), jv_true());
	if ((rc = lc_acd_post(acd, &t.app, "rollback", body, deadline,
	    &ans)) != 0)
		goto fail;
	jv_free(t.last);
	t.last = ans;
	/* The rollback request has no infos: ours is the hand-made sync of rev. */
	t.op_rev = rev;
	t.dry_run = x.dry_run;
	if (!x.async)
		rc = lc_acd_wait(acd, &t, 1, &x.w, deadline);
	goto report;
fail:
	/* The app's own failure: reported as such, and left for CI. */
	t.rc = rc;
	t.why = lc_buf_xstrndup(lc_error_msg(), strlen(lc_error_msg()));
	t.done = 1;
report:
	rc = lc_acd_finish(&t, 1, rc, x.c.json, x.c.timeout_ms, NULL);
out:
	lc_acd_target_free(&t);
	free(rev);
	lc_acd_close(acd);
	return lc_cli_exit(rc);
}
