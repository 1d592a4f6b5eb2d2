/* cli_acd.c: what the acd-* commands share: options, reports, the exit. */
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acd.h"
#include "acd_wait.h"
#include "buf.h"
#include "ci.h"
#include "cli.h"
#include "cli_acd.h"
#include "clock.h"
#include "error.h"
#include "exitcode.h"
#include "jvutil.h"
#include "log.h"
#include "parse.h"

static const char *
or_dash(const char *s)
{
	return *s ? s : "-";
}

/* ---- options -------------------------------------------------------- */

static int
conf_option(struct lc_acd_conf *c, int ch, const char *arg)
{
	switch (ch) {
	case LC_CLI_ACD_SERVER:
		c->server = arg;
		break;
	case LC_CLI_ACD_TOKEN:
		c->token = arg;
		lc_log_add_secret(arg);
		break;
	case LC_CLI_ACD_TOKEN_FILE:
		c->token_file = arg;
		break;
	case LC_CLI_ACD_PLAINTEXT:
		c->plaintext = 1;
		break;
	case LC_CLI_ACD_INSECURE:
		c->insecure = 1;
		break;
	case LC_CLI_ACD_GRPC_WEB:
		break;		/* we always speak REST */
	case LC_CLI_ACD_ROOT:
		c->root_path = arg;
		break;
	case LC_CLI_ACD_CLIENT_CRT:
		c->client_crt = arg;
		break;
	case LC_CLI_ACD_CLIENT_KEY:
		c->client_key = arg;
		break;
	case LC_CLI_ACD_CA_FILE:
		c->ca_file = arg;
		break;
	case LC_CLI_ACD_CONFIG:
		c->config = arg;
		break;
	case LC_CLI_ACD_CONTEXT:
		c->context = arg;
		break;
	case LC_CLI_ACD_USERNAME:
		c->username = arg;
		break;
	case LC_CLI_ACD_PASSWORD_FILE:
		c->password_file = arg;
		break;
	case LC_CLI_ACD_PROJECT:
		if (c->nprojects == sizeof(c->projects) / sizeof(c->projects[0]))
			return lc_error_set(LC_EUSAGE, "at most %zu --project",
			    c->nprojects);
		c->projects[c->nprojects++] = arg;
		break;
	case LC_CLI_ACD_TIMEOUT:
		return lc_parse_duration_opt("--timeout", arg, &c->timeout_ms) == 0 ? 1 :
		    LC_EUSAGE;
	case LC_CLI_ACD_DOTENV:
		c->dotenv = arg;
		lc_ci_set_dotenv(arg);
		break;
	case 'H':
		if (strchr(arg, ':') == NULL)
			return lc_error_set(LC_EUSAGE, "--header '%s': write it "
			    "as 'Name: value'", arg);
		if (c->nheaders == sizeof(c->headers) / sizeof(c->headers[0]))
			return lc_error_set(LC_EUSAGE, "at most %zu --header",
			    c->nheaders);
		c->headers[c->nheaders++] = arg;
		break;
	case 'l':
		c->selector = arg;
		break;
	case 'N':
		c->app_namespace = arg;
		break;
	case 'o':
		if (strcmp(arg, "json") == 0)
			c->json = 1;
		else if (strcmp(arg, "text") == 0 || strcmp(arg, "wide") == 0)
			c->json = 0;
		else
			return lc_error_set(LC_EUSAGE, "-o %s: the formats are "
			    "text and json", arg);
		break;
	case 'q':
		lc_log_set_level(LC_LOG_ERROR);
		break;
	case 'v':
		lc_log_set_level(LC_LOG_DEBUG);
		break;
	default:
		return 0;
	}
	return 1;
}

/* Split s like a shell: blanks separate, quotes and backslashes group. */
static char **
shell_split(const char *s, int *argc)
{
	char **v = NULL;
	struct lc_buf w = LC_BUF_INIT;
	int n = 0, inword = 0;
	char q = 0;

	for (;; s++) {
		if (*s == '\0' || (!q && isspace((unsigned char)*s))) {
			if (inword) {
				v = lc_buf_xrealloc(v, sizeof(*v) * (size_t)(n + 2));
				v[n++] = lc_buf_detach(&w);
				if (v[n - 1] == NULL)
					v[n - 1] = lc_buf_xstrndup("", 0);
				inword = 0;
			}
			if (*s == '\0')
				break;
			continue;
		}
		inword = 1;
		if (q && *s == q)
			q = 0;
		else if (!q && (*s == '\'' || *s == '"'))
			q = *s;
		else if (*s == '\\' && q != '\'' && s[1])
			lc_buf_addc(&w, *++s);
		else
			lc_buf_addc(&w, *s);
	}
	if (v == NULL)
		v = lc_buf_xmalloc(sizeof(*v) * 2);
	v[n] = NULL;
	*argc = n;
	return v;
}

static char **env_words;

static void
free_env_words(void)
{
	char **w;

	for (w = env_words; w && *w; w++)
		free(*w);
	free(env_words);
}

static int
env_opts(const char *shortopts, const struct option *longopts,
    int (*fn)(int ch, const char *arg, void *ctx), void *ctx)
{
	const char *env = getenv("ARGOCD_OPTS");
	char **v, **argv;
	struct lc_buf so = LC_BUF_INIT;
	int argc, ch, rc = 0, i, saved = opterr;

	if (env == NULL || *env == '\0')
		return 0;
	v = shell_split(env, &argc);
	argv = lc_buf_xmalloc(sizeof(*argv) * (size_t)(argc + 2));
	argv[0] = (char *)lc_log_progname;
	for (i = 0; i < argc; i++)
		argv[i + 1] = v[i];
	argv[argc + 1] = NULL;
	/* Long options only; '-' in front: a stray word is reported as 1. */
	lc_buf_printf(&so, "-:%s", shortopts);
	opterr = 0;
	optind = 0;
	while ((ch = getopt_long(argc + 1, argv, so.data, longopts, NULL))
	    != -1) {
		if (ch == 1) {
			rc = lc_error_set(LC_EUSAGE, "ARGOCD_OPTS invalid at "
			    "'%s'", optarg);
			break;
		}
		if (ch == '?' || ch == ':') {
			lc_log_debug("ARGOCD_OPTS: skipping '%s' (not an "
			    "option of %s)", argv[optind - 1], lc_log_progname);
			/* "--key value": the value goes with it. */
			if (ch == '?' && strchr(argv[optind - 1], '=') == NULL &&
			    optind < argc + 1 && argv[optind][0] != '-')
				optind++;
			continue;
		}
		if (ch < 256 && ch != 'H' && ch != 'l' && ch != 'N' &&
		    ch != 'o') {
			/* -q, -v, -h, -V: the command line's business. */
			continue;
		}
		if ((rc = fn(ch, optarg, ctx)) < 0)
			break;
		rc = 0;
	}
	opterr = saved;
	optind = 0;
	lc_buf_release(&so);
	free(argv);
	/* The words stay for the whole run: options point into them. */
	env_words = v;
	atexit(free_env_words);
	return rc;
}

static int
args(int argc, char *argv[], const char *shortopts,
    const struct option *longopts,
    int (*env_fn)(int ch, const char *arg, void *ctx),
    int (*cli_fn)(int ch, const char *arg, void *ctx), void *ctx,
    void (*usage)(int status))
{
	int ch;

	if (env_opts(shortopts, longopts, env_fn, ctx) != 0) {
		lc_cli_report_error();
		return -1;
	}
	while ((ch = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		if (ch == 'h')
			usage(LC_EXIT_OK);
		if (ch == 'V') {
			lc_cli_version();
			exit(lc_cli_exit(0));
		}
		if (ch == '?' || cli_fn(ch, optarg, ctx) != 0) {
			if (lc_error_msg())
				lc_cli_report_error();
			usage(LC_EXIT_USAGE);
		}
	}
	return optind;
}

static void
need_apps(int napps, const struct lc_acd_conf *c, const char *verb,
    void (*usage)(int status))
{
	if ((napps == 0) == (c->selector == NULL)) {
		if (napps)
			lc_error_set(LC_EUSAGE, "give apps or -l, not both");
		else
			lc_error_set(LC_EUSAGE, "name the apps to %s, or select "
			    "them with -l", verb);
		lc_cli_report_error();
		usage(LC_EXIT_USAGE);
	}
}


static int
wait_option(struct lc_acd_want *w, enum lc_acd_busy *busy, int ch,
    const char *arg)
{
	switch (ch) {
	case LC_CLI_ACD_HEALTH:
		w->flags |= LC_ACD_W_HEALTH;
		return 1;
	case LC_CLI_ACD_GRACE:
		return lc_parse_duration_opt("--degraded-grace", arg,
		    &w->degraded_grace_ms) == 0 ? 1 : LC_EUSAGE;
	case LC_CLI_ACD_POLL:
		if (lc_parse_duration_opt("--poll-interval", arg,
		    &w->poll_ms) != 0)
			return LC_EUSAGE;
		if (w->poll_ms < 100)
			return lc_error_set(LC_EUSAGE, "--poll-interval: at "
			    "least 100ms");
		return 1;
	case LC_CLI_ACD_PROGRESS:
		if (lc_parse_duration_opt("--progress-interval", arg,
		    &w->progress_ms) != 0)
			return LC_EUSAGE;
		if (w->progress_ms > 0 && w->progress_ms < 1000)
			return lc_error_set(LC_EUSAGE, "--progress-interval: 0 "
			    "(none) or at least 1s");
		if (w->progress_ms == 0)
			w->progress_ms = -1;
		lc_acd_wait_set_progress(w->progress_ms);
		return 1;
	case LC_CLI_ACD_REPO_DIR:
		return lc_acd_wait_want_repo_dir(w, arg) == 0 ? 1 : LC_EUSAGE;
	case LC_CLI_ACD_IF_BUSY:
		if (busy == NULL)
			return 0;
		if (strcmp(arg, "wait") == 0)
			*busy = LC_ACD_BUSY_WAIT;
		else if (strcmp(arg, "fail") == 0)
			*busy = LC_ACD_BUSY_FAIL;
		else if (strcmp(arg, "terminate") == 0)
			*busy = LC_ACD_BUSY_TERMINATE;
		else
			return lc_error_set(LC_EUSAGE, "--if-busy %s: wait, fail "
			    "or terminate", arg);
		return 1;
	}
	return 0;
}

/* ---- a command's start and end -------------------------------------- */

/* What the option callbacks get: the shared state and the command. */
struct route {
	struct lc_cli_acd *x;
	const struct lc_cli_acd_cmd *cmd;
};

/* An option from ARGOCD_OPTS: shared, wait, then the command's own. */
static int
env_option(int ch, const char *arg, void *ctx)
{
	struct route *r = ctx;
	int rc;

	if ((rc = conf_option(&r->x->c, ch, arg)) != 0 ||
	    (rc = wait_option(&r->x->w, &r->x->busy, ch, arg)) != 0)
		return rc < 0 ? rc : 0;
	return r->cmd->option(ch, arg, r->cmd->ctx);
}

/* An option from the command line: the same, but -l may be refused. */
static int
cli_option(int ch, const char *arg, void *ctx)
{
	struct route *r = ctx;

	if (ch == 'l' && r->cmd->no_selector)
		return lc_error_set(LC_EUSAGE, "%s", r->cmd->no_selector);
	return env_option(ch, arg, ctx);
}

void
lc_cli_acd_parse(struct lc_cli_acd *x, int argc, char *argv[],
    const struct lc_cli_acd_cmd *cmd)
{
	struct route r;

	lc_cli_init(argv[0]);
	memset(x, 0, sizeof(*x));
	x->c.timeout_ms = 600000;
	r.x = x;
	r.cmd = cmd;
	if (args(argc, argv, LC_CLI_ACD_SHORTOPTS, cmd->longopts, env_option,
	    cli_option, &r, cmd->usage) < 0) {
		lc_acd_wait_want_release(&x->w);
		exit(LC_EXIT_USAGE);
	}
	x->argc = argc - optind;
	x->argv = argv + optind;
	if (cmd->verb)
		need_apps(x->argc, &x->c, cmd->verb, cmd->usage);
}

int
lc_cli_acd_open(struct lc_cli_acd *x, int targets)
{
	int rc;

	x->deadline = x->c.timeout_ms ? lc_clock_ms() + x->c.timeout_ms : 0;
	if ((rc = lc_acd_open(&x->acd, &x->c, x->deadline)) != 0 || !targets)
		return rc;
	return lc_acd_wait_targets(x->acd, &x->c, x->argv, x->argc, x->deadline,
	    &x->t, &x->n);
}

int
lc_cli_acd_exit(struct lc_cli_acd *x, int rc)
{
	size_t i;

	for (i = 0; x->t && i < x->n; i++)
		lc_acd_wait_target_free(&x->t[i]);
	free(x->t);
	x->t = NULL;
	x->n = 0;
	lc_acd_wait_want_release(&x->w);
	lc_acd_close(x->acd);
	x->acd = NULL;
	return lc_cli_exit(rc);
}

/* ---- reports -------------------------------------------------------- */

static const char *
result_name(int rc)
{
	switch (rc) {
	case 0:
		return "ok";
	case LC_ENO:
		return "failed";
	case LC_ETIMEOUT:
		return "timeout";
	case LC_ENOTFOUND:
		return "not-found";
	case LC_EAUTH:
		return "auth";
	case LC_EUNAVAIL:
		return "unavailable";
	case LC_ECONFLICT:
		return "busy";
	default:
		return "error";
	}
}

/*
 * What a rollback deployed: its history entry's revision, once its
 * operation Succeeded (not a dry run); else NULL.
 */
static const char *
deployed(const struct lc_acd_target *t)
{
	if (t->rollback_rev == NULL || *t->rollback_rev == '\0' ||
	    t->dry_run || t->op_phase == NULL ||
	    strcmp(t->op_phase, "Succeeded") != 0)
		return NULL;
	return t->rollback_rev;
}

static void
print_targets(const struct lc_acd_target *t, size_t n, int json)
{
	size_t i;
	jv o, a, os;

	for (i = 0; i < n; i++) {
		a = t[i].last;
		if (!json) {
			struct lc_buf raw = LC_BUF_INIT, line = LC_BUF_INIT;

			lc_buf_printf(&raw, "%s %s %s %s", t[i].app.name,
			    jv_is_valid(a) ? or_dash(lc_jvutil_str(a,
			    "status.sync.status")) : "-",
			    jv_is_valid(a) ? or_dash(lc_jvutil_str(a,
			    "status.health.status")) : "-",
			    jv_is_valid(a) ? or_dash(lc_jvutil_str(a,
			    "status.sync.revision")) : "-");
			if (t[i].rollback_rev)
				lc_buf_printf(&raw, " %s", deployed(&t[i]) ?
				    deployed(&t[i]) : "-");
			/* One line, whatever the server's fields hold. */
			lc_buf_adds(&line, "");
			lc_log_clean(&line, raw.data);
			puts(line.data);
			lc_buf_release(&raw);
			lc_buf_release(&line);
			continue;
		}
		o = jv_object();
		o = jv_object_set(o, jv_string("app"), jv_string(t[i].app.name));
		if (jv_is_valid(a)) {
			o = jv_object_set(o, jv_string("namespace"), jv_string(
			    lc_jvutil_str(a, "metadata.namespace")));
			o = jv_object_set(o, jv_string("sync"), jv_string(
			    lc_jvutil_str(a, "status.sync.status")));
			o = jv_object_set(o, jv_string("health"), jv_string(
			    lc_jvutil_str(a, "status.health.status")));
			o = jv_object_set(o, jv_string("revision"), jv_string(
			    lc_jvutil_str(a, "status.sync.revision")));
			os = jv_is_valid(t[i].op_state) ? jv_copy(t[i].op_state)
			    : lc_jvutil_get(a, "status.operationState");
			if (jv_get_kind(os) == JV_KIND_OBJECT) {
				jv op = jv_object();
				static const char *const keys[] = { "phase",
				    "message", "startedAt", "finishedAt" };
				size_t k;

				for (k = 0; k < 4; k++)
					if (*lc_jvutil_str(os, keys[k]))
						op = jv_object_set(op, jv_string(
						    keys[k]), jv_string(lc_jvutil_str(
						    os, keys[k])));
				o = jv_object_set(o, jv_string("operation"), op);
			} else
				o = jv_object_set(o, jv_string("operation"),
				    jv_null());
			jv_free(os);
		}
		if (t[i].rollback_rev) {
			o = jv_object_set(o, jv_string("history_id"),
			    t[i].rollback_id < 0 ? jv_null() :
			    jv_number((double)t[i].rollback_id));
			o = jv_object_set(o, jv_string("deployed_revision"),
			    deployed(&t[i]) ? jv_string(deployed(&t[i])) :
			    jv_null());
		}
		o = jv_object_set(o, jv_string("result"), jv_string(
		    result_name(t[i].rc)));
		if (t[i].why)
			o = jv_object_set(o, jv_string("reason"),
			    jv_string(t[i].why));
		o = jv_dump_string(o, JV_PRINT_SORTED);
		printf("%s\n", jv_string_value(o));
		jv_free(o);
	}
}

/*
 * A line on stderr for each entry of the list at path of v that which
 * picks (0: failed sync results, 1: not Healthy, 2: conditions), each also
 * appended to ann (without the program's name) for the annotation.
 */
static void
explain_list(const char *app, jv v, const char *path, int which,
    struct lc_buf *ann)
{
	struct lc_buf line = LC_BUF_INIT;
	jv l = lc_jvutil_get(v, path), e;
	const char *h, *st, *hp, *msg;
	int i, n;

	if (jv_get_kind(l) != JV_KIND_ARRAY) {
		jv_free(l);
		return;
	}
	n = jv_array_length(jv_copy(l));
	for (i = 0; i < n; i++) {
		e = jv_array_get(jv_copy(l), i);
		st = lc_jvutil_str(e, "status");
		hp = lc_jvutil_str(e, "hookPhase");
		msg = lc_jvutil_str(e, "message");
		h = lc_jvutil_str(e, "health.status");
		line.len = 0;
		if (which == 0 && (strcmp(st, "SyncFailed") == 0 ||
		    strcmp(hp, "Failed") == 0 || strcmp(hp, "Error") == 0))
			lc_buf_printf(&line, "%s %s/%s: %s%s%s",
			    lc_jvutil_str(e, "kind"), or_dash(lc_jvutil_str(e,
			    "namespace")), lc_jvutil_str(e, "name"),
			    *hp ? hp : st, *msg ? ": " : "", msg);
		else if (which == 1 && *h && strcmp(h, "Healthy") != 0)
			lc_buf_printf(&line, "%s %s/%s: %s%s%s",
			    lc_jvutil_str(e, "kind"), or_dash(lc_jvutil_str(e,
			    "namespace")), lc_jvutil_str(e, "name"), h,
			    *lc_jvutil_str(e, "health.message") ? ": " : "",
			    lc_jvutil_str(e, "health.message"));
		else if (which == 2)
			lc_buf_printf(&line, "condition %s: %s",
			    lc_jvutil_str(e, "type"), msg);
		if (line.len) {
			lc_log_error("%s:   %s", app, line.data);
			lc_buf_printf(ann, "\n  %s", line.data);
		}
		jv_free(e);
	}
	lc_buf_release(&line);
	jv_free(l);
}

static void
explain(const struct lc_acd_target *t, size_t n)
{
	struct lc_buf line = LC_BUF_INIT, ann = LC_BUF_INIT;
	jv os;
	size_t i;

	for (i = 0; i < n; i++) {
		if (t[i].rc == 0)
			continue;
		line.len = 0;
		lc_buf_printf(&line, "%s: %s", t[i].app.name, t[i].why ?
		    t[i].why : result_name(t[i].rc));
		lc_log_line(LC_LOG_ERROR, line.data);
		/* One annotation per app, with the resources' messages. */
		ann.len = 0;
		lc_buf_adds(&ann, line.data);
		if (jv_is_valid(t[i].last)) {
			os = jv_is_valid(t[i].op_state) ?
			    jv_copy(t[i].op_state) : lc_jvutil_get(t[i].last,
			    "status.operationState");
			explain_list(t[i].app.name, os, "syncResult.resources",
			    0, &ann);
			jv_free(os);
			/* A later operation that failed: its resources too. */
			if (t[i].other_why && jv_is_valid(t[i].op_state)) {
				os = lc_jvutil_get(t[i].last,
				    "status.operationState");
				explain_list(t[i].app.name, os,
				    "syncResult.resources", 0, &ann);
				jv_free(os);
			}
			explain_list(t[i].app.name, t[i].last,
			    "status.resources", 1, &ann);
			explain_list(t[i].app.name, t[i].last,
			    "status.conditions", 2, &ann);
		}
		lc_ci_annotate(NULL, 0, 0, ann.data);
	}
	lc_buf_release(&line);
	lc_buf_release(&ann);
}

/* A string, or null for "". */
static jv
str_or_null(const char *s)
{
	return *s ? jv_string(s) : jv_null();
}

/* A Markdown table cell: '|' escaped, lines joined. */
static void
md_cell(struct lc_buf *b, const char *s)
{
	for (; *s; s++)
		if (*s == '|')
			lc_buf_adds(b, "\\|");
		else if (*s == '\n' || *s == '\r')
			lc_buf_addc(b, ' ');
		else
			lc_buf_addc(b, *s);
}

/*
 * A dotenv line KEY=value; the value on one line, and cut after max bytes
 * (at a character, with "..."): GitLab refuses a dotenv report of more
 * than 5 KiB, and with it every variable of the job.
 */
#define ENV_MAX 256		/* a value */
#define ENV_REASON_MAX 512	/* ACD_REASON */
#define ENV_APPS_MAX 2048	/* ACD_APPS (ACD_APPS_COUNT stays exact) */

static void
env_line(struct lc_buf *b, const char *key, const char *val, size_t max)
{
	size_t n = strlen(val);

	if (n > max) {
		n = max;
		while (n > 0 && ((unsigned char)val[n] & 0xc0) == 0x80)
			n--;	/* not inside a UTF-8 character */
	}
	lc_buf_printf(b, "%s=", key);
	for (size_t i = 0; i < n; i++)
		lc_buf_addc(b, val[i] == '\n' || val[i] == '\r' ? ' ' :
		    val[i]);
	if (n < strlen(val))
		lc_buf_adds(b, "...");
	lc_buf_addc(b, '\n');
}

/*
 * For the next job, on success and failure alike: $GITHUB_OUTPUT apps
 * (JSON), result and, for one app, revision (and deployed-revision); a
 * table on the step summary; ACD_* lines in the --dotenv file. Returns 0
 * or the first write's LC_ERROR.
 */
static int
ci_outputs(const struct lc_acd_target *t, size_t n, int rc)
{
	struct lc_buf md = LC_BUF_INIT, env = LC_BUF_INIT, names =
	    LC_BUF_INIT;
	const char *sync, *health, *rev, *phase;
	jv apps = jv_array(), o, os, dump;
	size_t i, failed = 0;
	int rb = n > 0 && t[0].rollback_rev != NULL, listed, wrc;

	lc_buf_printf(&md, "### %s\n\n| app | sync | health | revision | "
	    "operation | result |%s\n|---|---|---|---|---|---|%s\n",
	    lc_log_progname, rb ? " deployed |" : "", rb ? "---|" : "");
	for (i = 0; i < n; i++) {
		jv a = t[i].last;
		int ok = jv_is_valid(a);

		os = jv_is_valid(t[i].op_state) ? jv_copy(t[i].op_state) :
		    ok ? lc_jvutil_get(a, "status.operationState") : jv_null();
		sync = ok ? lc_jvutil_str(a, "status.sync.status") : "";
		health = ok ? lc_jvutil_str(a, "status.health.status") : "";
		rev = ok ? lc_jvutil_str(a, "status.sync.revision") : "";
		phase = jv_get_kind(os) == JV_KIND_OBJECT ? lc_jvutil_str(os,
		    "phase") : "";
		o = jv_object();
		o = jv_object_set(o, jv_string("name"), jv_string(
		    t[i].app.name));
		o = jv_object_set(o, jv_string("namespace"), str_or_null(ok ?
		    lc_jvutil_str(a, "metadata.namespace") : t[i].app.ns ?
		    t[i].app.ns : ""));
		o = jv_object_set(o, jv_string("sync"), str_or_null(sync));
		o = jv_object_set(o, jv_string("health"), str_or_null(health));
		o = jv_object_set(o, jv_string("revision"), str_or_null(rev));
		o = jv_object_set(o, jv_string("phase"), str_or_null(phase));
		o = jv_object_set(o, jv_string("result"), jv_string(
		    result_name(t[i].rc)));
		o = jv_object_set(o, jv_string("reason"), t[i].why ?
		    jv_string(t[i].why) : jv_null());
		if (t[i].rollback_rev)
			o = jv_object_set(o, jv_string("deployed_revision"),
			    deployed(&t[i]) ? jv_string(deployed(&t[i])) :
			    jv_null());
		apps = jv_array_append(apps, o);
		if (t[i].rc != 0)
			failed++;
		lc_buf_printf(&names, "%s%s", i ? "," : "", t[i].app.name);

		lc_buf_adds(&md, "| ");
		md_cell(&md, t[i].app.name);
		lc_buf_adds(&md, " | ");
		md_cell(&md, or_dash(sync));
		lc_buf_adds(&md, " | ");
		md_cell(&md, or_dash(health));
		lc_buf_adds(&md, *rev ? " | `" : " | -");
		md_cell(&md, rev);
		lc_buf_adds(&md, *rev ? "` | " : " | ");
		md_cell(&md, or_dash(phase));
		lc_buf_printf(&md, " | %s |", result_name(t[i].rc));
		if (rb)
			lc_buf_printf(&md, " %s%s%s |", deployed(&t[i]) ? "`" :
			    "", deployed(&t[i]) ? deployed(&t[i]) : "-",
			    deployed(&t[i]) ? "`" : "");
		lc_buf_addc(&md, '\n');
		if (n == 1) {
			env_line(&env, "ACD_SYNC", sync, ENV_MAX);
			env_line(&env, "ACD_HEALTH", health, ENV_MAX);
			env_line(&env, "ACD_REVISION", rev, ENV_MAX);
			env_line(&env, "ACD_PHASE", phase, ENV_MAX);
			if (rb)
				env_line(&env, "ACD_DEPLOYED_REVISION",
				    deployed(&t[i]) ? deployed(&t[i]) : "",
				    ENV_MAX);
			env_line(&env, "ACD_REASON", t[i].why ? t[i].why : "",
			    ENV_REASON_MAX);
		}
		jv_free(os);
	}
	for (i = 0, listed = 0; i < n; i++)
		if (t[i].why) {
			if (!listed++)
				lc_buf_addc(&md, '\n');
			lc_buf_adds(&md, "- **");
			md_cell(&md, t[i].app.name);
			lc_buf_adds(&md, "**: ");
			md_cell(&md, t[i].why);
			lc_buf_addc(&md, '\n');
		}
	lc_buf_addc(&md, '\n');
	lc_buf_printf(&env, "ACD_RESULT=%s\n", result_name(rc));
	env_line(&env, "ACD_APPS", names.data ? names.data : "",
	    ENV_APPS_MAX);
	lc_buf_printf(&env, "ACD_APPS_COUNT=%zu\nACD_FAILED_COUNT=%zu\n", n,
	    failed);

	dump = jv_dump_string(apps, JV_PRINT_SORTED);
	wrc = lc_ci_output("apps", jv_string_value(dump));
	jv_free(dump);
	if (wrc == 0)
		wrc = lc_ci_output("result", result_name(rc));
	if (wrc == 0 && n == 1 && jv_is_valid(t[0].last) &&
	    *lc_jvutil_str(t[0].last, "status.sync.revision"))
		wrc = lc_ci_output("revision", lc_jvutil_str(t[0].last,
		    "status.sync.revision"));
	if (wrc == 0 && n == 1 && deployed(&t[0]))
		wrc = lc_ci_output("deployed-revision", deployed(&t[0]));
	if (wrc == 0)
		wrc = lc_ci_summary(md.data);
	if (wrc == 0)
		wrc = lc_ci_dotenv(env.data);
	lc_buf_release(&md);
	lc_buf_release(&env);
	lc_buf_release(&names);
	return wrc;
}

int
lc_cli_acd_finish(const struct lc_acd_target *t, size_t n, int rc, int json,
    long long timeout_ms, const char *several)
{
	char tbuf[32];
	size_t i;

	print_targets(t, n, json);
	for (i = 0; i < n && rc == 0; i++)
		rc = t[i].rc;
	if (rc == 0)
		return ci_outputs(t, n, 0);
	explain(t, n);
	if (ci_outputs(t, n, rc) != 0)
		lc_cli_report_error();
	if (rc == LC_ETIMEOUT && timeout_ms > 0) {
		lc_acd_wait_fmt_ms(tbuf, sizeof(tbuf), timeout_ms);
		lc_error_set(rc, "timed out after %s", tbuf);
	} else if (n > 1 && several)
		lc_error_set(rc, "%s", several);
	else
		lc_error_clear();
	return rc;
}
