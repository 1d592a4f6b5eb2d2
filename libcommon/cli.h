/* cli.h: start-up, version and exit of a command; only cli*.c print or exit. */
#ifndef LC_CLI_H
#define LC_CLI_H

/*
 * Set lc_log_progname from argv[0], decide the CI kind once, and take the
 * verbosity from the CI's debug switches (RUNNER_DEBUG=1,
 * CI_DEBUG_TRACE=true): they turn on -v, which logs everything.
 */
void lc_cli_init(const char *argv0);

/* Print "prog (gitops-utils) VERSION" on stdout. */
void lc_cli_version(void);

/*
 * Report the pending error now, if any, as "prog: message" (and as a CI
 * annotation where the CI understands them), and forget it; used between
 * files.
 */
void lc_cli_report_error(void);

/*
 * Report the pending error, if any and code is not 0, as
 * lc_cli_report_error does, flush and close stdout, and return the exit
 * status for code; a failed close of stdout is an error. Only commands
 * call this: `return lc_cli_exit(rc);` in main(), `exit(lc_cli_exit(0))`
 * where an option (-V) ends the command early.
 */
int lc_cli_exit(int code);

#endif
