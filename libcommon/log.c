/* log.c: diagnostics on stderr with levels and secret redaction. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "log.h"

const char *lc_log_progname = "gitops-utils";

static enum lc_log_level maxlevel = LC_LOG_WARN;
static struct secret {
	char *value;
	int announced;		/* ::add-mask:: printed */
} *secrets;
static size_t nsecrets;

static const char *const headers[] = {
	"authorization:", "proxy-authorization:", "private-token:",
	"job-token:",
};

void
lc_log_set_level(enum lc_log_level level)
{
	maxlevel = level;
}

int
lc_log_enabled(enum lc_log_level level)
{
	return level <= maxlevel;
}

/* Register secret once; 1 when it is to be announced now (once a value). */
static int
add_secret(const char *secret, int announce)
{
	size_t i, n = strlen(secret);

	if (n < 4)
		return 0;
	for (i = 0; i < nsecrets; i++)
		if (strcmp(secrets[i].value, secret) == 0)
			break;
	if (i == nsecrets) {
		secrets = lc_buf_xrealloc(secrets, (nsecrets + 1) *
		    sizeof(*secrets));
		secrets[i].value = lc_buf_xstrndup(secret, n);
		secrets[i].announced = 0;
		nsecrets++;
	}
	/*
	 * Only what we obtained ourselves: the runner masks its secret
	 * variables already, and an ::add-mask:: line holds the raw value,
	 * which a log read by anything but the runner would show.
	 */
	if (announce && !secrets[i].announced) {
		secrets[i].announced = 1;
		return 1;
	}
	return 0;
}

void
lc_log_add_secret(const char *secret)
{
	add_secret(secret, 0);
}

int
lc_log_add_announced_secret(const char *secret)
{
	return add_secret(secret, 1);
}

static int
nonempty(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0';
}

int
lc_log_color(int fd)
{
	const char *term = getenv("TERM");
	const char *v;

	if (nonempty("NO_COLOR"))
		return 0;
	if (((v = getenv("CLICOLOR_FORCE")) != NULL && *v && strcmp(v, "0")) ||
	    ((v = getenv("FORCE_COLOR")) != NULL && *v && strcmp(v, "0")))
		return 1;
	if (term != NULL && strcmp(term, "dumb") == 0)
		return 0;
	return isatty(fd);
}

/* Length of a registered secret starting at s, or 0. */
static size_t
secret_at(const char *s)
{
	size_t i, n;

	for (i = 0; i < nsecrets; i++) {
		n = strlen(secrets[i].value);
		if (strncmp(s, secrets[i].value, n) == 0)
			return n;
	}
	return 0;
}

/* Length of a sensitive header name (with colon) at s, or 0. */
static size_t
header_at(const char *s)
{
	size_t i, n;

	for (i = 0; i < sizeof(headers) / sizeof(headers[0]); i++) {
		n = strlen(headers[i]);
		if (strncasecmp(s, headers[i], n) == 0)
			return n;
	}
	return 0;
}

/* At "://", the length of "user:" when a password follows before '@'. */
static size_t
userinfo_at(const char *s, size_t *passlen)
{
	const char *p = s + 3, *colon = NULL;

	for (; *p && *p != '/' && *p != '@' && *p != ' '; p++)
		if (*p == ':' && colon == NULL)
			colon = p;
	if (*p != '@' || colon == NULL)
		return 0;
	*passlen = (size_t)(p - colon - 1);
	return (size_t)(colon - s) + 1;
}

void
lc_log_redact(struct lc_buf *out, const char *s)
{
	size_t n, pass;

	while (*s) {
		if ((n = secret_at(s)) != 0) {
			lc_buf_adds(out, "***");
			s += n;
		} else if ((n = header_at(s)) != 0) {
			lc_buf_add(out, s, n);
			s += n;
			while (*s == ' ')
				lc_buf_addc(out, *s++);
			/* Keep the scheme word ("Bearer") to help debugging. */
			n = strcspn(s, " \r\n");
			if (n < 16 && s[n] == ' ') {
				lc_buf_add(out, s, n + 1);
				s += n + 1;
			}
			lc_buf_adds(out, "***");
			s += strcspn(s, "\r\n");
		} else if (strncmp(s, "://", 3) == 0 &&
		    (n = userinfo_at(s, &pass)) != 0) {
			lc_buf_add(out, s, n);
			lc_buf_adds(out, "***");
			s += n + pass;
		} else
			lc_buf_addc(out, *s++);
	}
}

void
lc_log_clean(struct lc_buf *out, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\n')
			lc_buf_adds(out, "\\n");
		else if (c == '\r')
			lc_buf_adds(out, "\\r");
		else if ((c < 0x20 && c != '\t') || c == 0x7f)
			lc_buf_printf(out, "\\x%02x", c);
		else
			lc_buf_addc(out, (char)c);
	}
}

static const char *
prefix(enum lc_log_level level)
{
	switch (level) {
	case LC_LOG_WARN:
		return "warning: ";
	case LC_LOG_DEBUG:
		return "debug: ";
	default:
		return "";
	}
}

/* Write "prog: <prefix><msg>" for level, whatever the -q/-v level. */
static void
emit(enum lc_log_level level, const char *msg)
{
	struct lc_buf b = LC_BUF_INIT, red = LC_BUF_INIT;
	int color = lc_log_color(2) && level <= LC_LOG_WARN;

	lc_buf_printf(&b, "%s: ", lc_log_progname);
	if (color)
		lc_buf_adds(&b, level == LC_LOG_ERROR ? "\033[31m" :
		    "\033[33m");
	lc_buf_adds(&b, prefix(level));
	/* One line, whatever a server put in the text it gave us. */
	lc_log_redact(&red, msg);
	lc_log_clean(&b, red.data ? red.data : "");
	lc_buf_release(&red);
	if (color)
		lc_buf_adds(&b, "\033[0m");
	lc_buf_addc(&b, '\n');
	/* One write per line, so lines from several processes never mix. */
	fflush(stderr);
	(void)!write(2, b.data, b.len);
	lc_buf_release(&b);
}

void
lc_log_line(enum lc_log_level level, const char *msg)
{
	if (level <= maxlevel)
		emit(level, msg);
}

static void
vlog(enum lc_log_level level, const char *fmt, va_list ap)
{
	struct lc_buf b = LC_BUF_INIT;

	if (level > maxlevel)
		return;
	lc_buf_vprintf(&b, fmt, ap);
	lc_log_line(level, b.data ? b.data : "");
	lc_buf_release(&b);
}

#define DEFINE_LOG(name, level)					\
void								\
name(const char *fmt, ...)					\
{								\
	va_list ap;						\
								\
	va_start(ap, fmt);					\
	vlog(level, fmt, ap);					\
	va_end(ap);						\
}

DEFINE_LOG(lc_log_error, LC_LOG_ERROR)
DEFINE_LOG(lc_log_warn, LC_LOG_WARN)
DEFINE_LOG(lc_log_info, LC_LOG_INFO)
DEFINE_LOG(lc_log_debug, LC_LOG_DEBUG)

void
lc_log_note(const char *fmt, ...)
{
	struct lc_buf b = LC_BUF_INIT;
	va_list ap;

	if (LC_LOG_WARN > maxlevel)
		return;
	va_start(ap, fmt);
	lc_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	/* Shown with warnings, without their prefix or colour. */
	emit(LC_LOG_INFO, b.data ? b.data : "");
	lc_buf_release(&b);
}

void
lc_log_lines(const char *prefix, const struct lc_buf *text)
{
	const char *p, *nl;

	for (p = text->data; p && *p; p = *nl ? nl + 1 : nl) {
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p);
		if (nl > p)
			lc_log_error("%s: %.*s", prefix, (int)(nl - p), p);
	}
}
