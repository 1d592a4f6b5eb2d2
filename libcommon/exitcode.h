/* exitcode.h: the exit status table and error codes shared by every command. */
#ifndef LC_EXITCODE_H
#define LC_EXITCODE_H

/*
 * Exit statuses (STYLE.md section 4). Changing this table means changing
 * every man page's EXIT STATUS section too; tests/cli/docs.sh checks it.
 */
#define LC_EXIT_OK		0	/* done; the condition holds */
#define LC_EXIT_NO		1	/* ran correctly, the answer is no */
#define LC_EXIT_USAGE		2	/* bad flag, argument or value */
#define LC_EXIT_ERROR		3	/* I/O, malformed input, anything else */
#define LC_EXIT_NOTFOUND	4	/* named thing absent */
#define LC_EXIT_CONFLICT	5	/* someone else changed it first */
#define LC_EXIT_AUTH		6	/* credentials missing or refused */
#define LC_EXIT_UNAVAIL		7	/* transient: retry later */
#define LC_EXIT_TIMEOUT		124	/* the deadline passed first */

/*
 * Error codes returned by libcommon functions: 0 is success, these are
 * negative. Each maps onto one exit status in lc_cli_exit().
 */
#define LC_ERROR	(-1)	/* anything without a more specific code */
#define LC_EUSAGE	(-2)	/* the caller's input is malformed */
#define LC_EDATA	(-3)	/* malformed document (YAML, JSON) */
#define LC_ENOTFOUND	(-4)
#define LC_ECONFLICT	(-5)
#define LC_EAUTH	(-6)
#define LC_EUNAVAIL	(-7)
#define LC_ETIMEOUT	(-8)
#define LC_ENO		(-9)	/* a check answered no */
#define LC_ENOMEM	(-10)

#endif
