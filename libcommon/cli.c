/* cli.c: start-up, version and exit of a command; only cli*.c print or exit. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ci.h"
#include "cli.h"
#include "error.h"
#include "log.h"

void
lc_cli_init(const char *argv0)
{
	const char *slash, *v;

	if (argv0 != NULL && *argv0 != '\0') {
		slash = strrchr(argv0, '/');
		lc_log_progname = slash ? slash + 1 : argv0;
	}
	lc_ci_init();
	if (((v = getenv("RUNNER_DEBUG")) != NULL && strcmp(v, "1") == 0) ||
	    ((v = getenv("CI_DEBUG_TRACE")) != NULL && strcmp(v, "true") == 0))
		lc_log_set_level(LC_LOG_DEBUG);
}

void
lc_cli_version(void)
{
	printf("%s (gitops-utils) %s\n", lc_log_progname, VERSION);
}

void
lc_cli_report_error(void)
{
	const char *msg = lc_error_msg(), *file;
	long line, col;

	if (msg == NULL)
		return;
	file = lc_error_file(&line, &col);
	lc_ci_error(file, line, col, msg);
	lc_error_clear();
}

int
lc_cli_exit(int code)
{
	int status = lc_error_exit_status(code);

	/* A message left over from a failure that was recovered from. */
	if (code == 0)
		lc_error_clear();
	lc_cli_report_error();
	if (fflush(stdout) != 0 || ferror(stdout) || fclose(stdout) != 0) {
		/* EPIPE is the reader's choice (| head), not our failure. */
		if (errno != EPIPE) {
			lc_log_error("cannot write standard output: %s",
			    strerror(errno));
			if (status == LC_EXIT_OK || status == LC_EXIT_NO)
				status = LC_EXIT_ERROR;
		}
	}
	return status;
}
