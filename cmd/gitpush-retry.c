/* gitpush-retry: commit a change and push it to a shared branch, surviving concurrent pushers. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "ci.h"
#include "cli.h"
#include "error.h"
#include "gitpush.h"
#include "log.h"
#include "parse.h"

static const struct option longopts[] = {
	{ "all", no_argument, NULL, 'a' },
	{ "author", required_argument, NULL, 'A' },
	{ "backoff-base", required_argument, NULL, 'B' },
	{ "backoff-cap", required_argument, NULL, 'C' },
	{ "branch", required_argument, NULL, 'b' },
	{ "ca-file", required_argument, NULL, 'c' },
	{ "deadline", required_argument, NULL, 'd' },
	{ "exit-code", no_argument, NULL, 'E' },
	{ "help", no_argument, NULL, 'h' },
	{ "insecure", no_argument, NULL, 'k' },
	{ "max-attempts", required_argument, NULL, 'M' },
	{ "message", required_argument, NULL, 'm' },
	{ "no-provenance", no_argument, NULL, 'P' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "remote", required_argument, NULL, 'r' },
	{ "ssh-key", required_argument, NULL, 's' },
	{ "token-file", required_argument, NULL, 't' },
	{ "trailer", required_argument, NULL, 'T' },
	{ "username", required_argument, NULL, 'u' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

/*
 * The deadline passed during a fetch or push (lc_gitpush_run's watchdog):
 * libgit2 cannot be interrupted there, so the process stops.
 */
static void
on_deadline(int sig)
{
	static const char msg[] = "gitpush-retry: the deadline passed while "
	    "waiting (a push in flight may still land; a rerun will not "
	    "duplicate it)\n";

	(void)sig;
	lc_gitpush_stop();
	(void)!write(2, msg, sizeof(msg) - 1);
	_exit(LC_EXIT_TIMEOUT);
}

static _Noreturn void
usage(int status)
{
	FILE *fp = status == LC_EXIT_OK ? stdout : stderr;

	fprintf(fp, "usage: %s [-aEhPqVv] [-m message] [--author author] "
	    "[--backoff-base duration] [--backoff-cap duration] "
	    "[--branch branch] [--ca-file file] [--deadline duration] "
	    "[--insecure] [--max-attempts n] "
	    "[--remote remote] [--ssh-key file] [--token-file file] "
	    "[--trailer key=value] "
	    "[--username name] [path ...] [-- command [arg ...]]\n",
	    lc_log_progname);
	if (status == LC_EXIT_OK)
		fputs("\n"
		    "  -m, --message MSG      commit message\n"
		    "  -a, --all              commit every change in the work "
		    "tree\n"
		    "      --author 'N <E>'   author (default: GIT_AUTHOR_*, "
		    "git config)\n"
		    "      --backoff-base DUR first pause bound (default 250ms)\n"
		    "      --backoff-cap DUR  largest pause bound (default 2s)\n"
		    "      --branch NAME      branch to push (default: the "
		    "current one)\n"
		    "      --remote NAME      remote (default: origin)\n"
		    "      --deadline DUR     give up after DUR (default 2m)\n"
		    "      --max-attempts N   give up after N pushes (default: "
		    "only the deadline)\n"
		    "      --ca-file FILE     also trust the CAs in FILE (default: "
		    "GIT_SSL_CAINFO, SSL_CERT_FILE...)\n"
		    "      --insecure         do not verify TLS certificates\n"
		    "      --ssh-key FILE     SSH private key (default: ssh-agent, "
		    "~/.ssh/id_*)\n"
		    "      --token-file FILE  HTTP token (default: GITOPS_TOKEN, "
		    "GITHUB_TOKEN,\n"
		    "                         GH_TOKEN, GITLAB_TOKEN)\n"
		    "      --username NAME    user for the token\n"
		    "      --trailer K=V      add a trailer (repeatable)\n"
		    "      --no-provenance    no CI provenance trailers\n"
		    "      --exit-code        exit 1 when there was nothing to "
		    "push\n"
		    "  -q, --quiet            only errors on stderr\n"
		    "  -v, --verbose          log everything (debug too)\n"
		    "  -h, --help             show this help\n"
		    "  -V, --version          show the version\n"
		    "\n"
		    "  -- COMMAND             run COMMAND to make the change; "
		    "on a race it runs\n"
		    "                         again on the new tip instead of "
		    "replaying text\n", fp);
	exit(status);
}

/* The commit the run ends with: stdout when pushed, and the CI outputs. */
static int
finish(const char *id, int pushed, void *arg)
{
	int *was_pushed = arg;

	*was_pushed = pushed;
	if (pushed)
		printf("%s\n", id);
	if (lc_ci_output("sha", id) != 0 ||
	    lc_ci_output("pushed", pushed ? "true" : "false") != 0)
		return LC_ERROR;
	return 0;
}

/* A line that helps, shown unless -q: "prog: hint: msg". */
static void
hint(const char *msg)
{
	if (lc_log_enabled(LC_LOG_WARN))
		fprintf(stderr, "%s: hint: %s\n", lc_log_progname, msg);
}

/* The cause first, then what is left behind and what helps. */
static void
last_words(int rc, const struct lc_gitpush_result *res)
{
	if (rc != 0 && (res->committed || res->conflicted))
		lc_cli_report_error();
	if (rc != 0 && res->committed)
		lc_log_warn("the commit stays on the local branch '%s'",
		    res->branch);
	if (res->conflicted)
		hint("make the change with a command instead (gitpush-retry "
		    "-m MSG -- COMMAND [ARG ...]): it runs again on the new "
		    "tip after each lost race, so it does not conflict");
}

/* Read argv into o (its trailers heap) and the command's own switches. */
static void
parse(int argc, char *argv[], struct lc_gitpush_opts *o, int *exit_code)
{
	char **trailers = NULL;
	long n;
	int ch, dd;

	/* What follows "--" is the command, not paths. */
	for (dd = 1; dd < argc && strcmp(argv[dd], "--") != 0; dd++)
		;
	if (dd < argc) {
		if (dd + 1 == argc) {
			lc_log_error("'--' needs a command after it");
			usage(LC_EXIT_USAGE);
		}
		o->command = argv + dd + 1;
		argv[dd] = NULL;
		argc = dd;
	}
	while ((ch = getopt_long(argc, argv, "aEhm:PqVv", longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'a':
			o->all = 1;
			break;
		case 'A':
			o->author = optarg;
			break;
		case 'B':
		case 'C':
			if (lc_parse_duration_opt(ch == 'B' ? "--backoff-base" :
			    "--backoff-cap", optarg, ch == 'B' ?
			    &o->backoff_base_ms : &o->backoff_cap_ms) != 0) {
				lc_cli_report_error();
				usage(LC_EXIT_USAGE);
			}
			break;
		case 'b':
			o->branch = optarg;
			break;
		case 'c':
			o->ca_file = optarg;
			break;
		case 'k':
			o->insecure = 1;
			break;
		case 'd':
			if (lc_parse_duration_opt("--deadline", optarg,
			    &o->deadline_ms) != 0) {
				lc_cli_report_error();
				usage(LC_EXIT_USAGE);
			}
			break;
		case 'E':
			*exit_code = 1;
			break;
		case 'h':
			usage(LC_EXIT_OK);
		case 'M':
			if (lc_parse_long(optarg, 1, 100000, &n) != 0) {
				lc_cli_report_error();
				usage(LC_EXIT_USAGE);
			}
			o->max_attempts = n;
			break;
		case 'm':
			o->message = optarg;
			break;
		case 'P':
			o->provenance = 0;
			break;
		case 'q':
			lc_log_set_level(LC_LOG_ERROR);
			break;
		case 'r':
			o->remote = optarg;
			break;
		case 's':
			o->ssh_key = optarg;
			break;
		case 't':
			o->token_file = optarg;
			break;
		case 'u':
			o->username = optarg;
			break;
		case 'T':
			trailers = lc_buf_xrealloc(trailers,
			    (o->ntrailers + 1) * sizeof(*trailers));
			trailers[o->ntrailers++] = optarg;
			o->trailers = trailers;
			break;
		case 'V':
			lc_cli_version();
			exit(lc_cli_exit(0));
		case 'v':
			lc_log_set_level(LC_LOG_DEBUG);
			break;
		default:
			usage(LC_EXIT_USAGE);
		}
	}
	o->paths = argv + optind;
	o->npaths = argc - optind;
}

int
main(int argc, char *argv[])
{
	struct lc_gitpush_opts o;
	struct lc_gitpush_result res = { NULL, 0, 0 };
	struct lc_gitpush *g = NULL;
	int rc, exit_code = 0, pushed = 0;

	lc_cli_init(argv[0]);
	lc_gitpush_opts_init(&o);
	signal(SIGALRM, on_deadline);
	lc_gitpush_signals();
	parse(argc, argv, &o, &exit_code);
	if (o.command != NULL && o.all)
		lc_log_warn("-a is implied with -- COMMAND");
	if ((rc = lc_gitpush_open(&g, &o)) == 0)
		rc = lc_gitpush_run(g, finish, &pushed, &res);
	/* -E: nothing to push is "no". */
	if (rc == 0 && !pushed && exit_code)
		rc = LC_ENO;
	last_words(rc, &res);
	lc_gitpush_free(g);
	free((char **)o.trailers);
	return lc_cli_exit(rc);
}
