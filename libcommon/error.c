/* error.c: the pending error of a command and the mapping to exit statuses. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "error.h"

static char errmsg[1024];
static int errset;
static struct {
	char file[512];
	long line, col;
} where;

static void
vset(const char *fmt, va_list ap, int with_errno, int saved)
{
	size_t n;

	vsnprintf(errmsg, sizeof(errmsg), fmt, ap);
	if (with_errno) {
		n = strlen(errmsg);
		snprintf(errmsg + n, sizeof(errmsg) - n, ": %s", strerror(saved));
	}
	errset = 1;
	where.line = 0;
}

int
lc_error_set(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vset(fmt, ap, 0, 0);
	va_end(ap);
	return code;
}

int
lc_error_errno(int code, const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	vset(fmt, ap, 1, saved);
	va_end(ap);
	return code;
}

int
lc_error_fit(int code, const char *tail, char *out, size_t n,
    const char *what, const char *fmt, ...)
{
	va_list ap;
	int k;

	va_start(ap, fmt);
	k = vsnprintf(out, n, fmt, ap);
	va_end(ap);
	if (k >= 0 && (size_t)k < n)
		return 0;
	return lc_error_set(code, "%s '%.40s...' is longer than %zu bytes%s",
	    what, out, n - 1, tail);
}

void
lc_error_where(const char *file, long line, long col)
{
	snprintf(where.file, sizeof(where.file), "%s", file ? file : "");
	where.line = line;
	where.col = col;
}

const char *
lc_error_msg(void)
{
	return errset ? errmsg : NULL;
}

void
lc_error_clear(void)
{
	errset = 0;
	where.line = 0;
}

const char *
lc_error_file(long *line, long *col)
{
	*line = errset && where.line ? where.line : 0;
	*col = *line ? where.col : 0;
	return *line ? where.file : NULL;
}

int
lc_error_exit_status(int code)
{
	switch (code) {
	case 0:
		return LC_EXIT_OK;
	case LC_ENO:
		return LC_EXIT_NO;
	case LC_EUSAGE:
		return LC_EXIT_USAGE;
	case LC_ENOTFOUND:
		return LC_EXIT_NOTFOUND;
	case LC_ECONFLICT:
		return LC_EXIT_CONFLICT;
	case LC_EAUTH:
		return LC_EXIT_AUTH;
	case LC_EUNAVAIL:
		return LC_EXIT_UNAVAIL;
	case LC_ETIMEOUT:
		return LC_EXIT_TIMEOUT;
	default:
		return LC_EXIT_ERROR;
	}
}
