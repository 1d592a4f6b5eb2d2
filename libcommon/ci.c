/* ci.c: where we run (GitHub Actions, GitLab CI, a terminal) and how to fit in. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "ci.h"
#include "error.h"
#include "log.h"

static enum lc_ci_kind kind;

static int
envtrue(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && strcmp(v, "true") == 0;
}

void
lc_ci_init(void)
{
	const char *force = getenv("TOOLKIT_CI");

	if (force != NULL && *force != '\0') {
		if (strcmp(force, "github") == 0)
			kind = LC_CI_GITHUB;
		else if (strcmp(force, "gitlab") == 0)
			kind = LC_CI_GITLAB;
		else if (strcmp(force, "none") == 0)
			kind = LC_CI_NONE;
		else
			kind = LC_CI_GENERIC;
	} else if (envtrue("GITHUB_ACTIONS"))
		kind = LC_CI_GITHUB;
	else if (envtrue("GITLAB_CI"))
		kind = LC_CI_GITLAB;
	else if (envtrue("CI"))
		kind = LC_CI_GENERIC;
	else
		kind = LC_CI_NONE;
}

enum lc_ci_kind
lc_ci_kind(void)
{
	return kind;
}

/* Workflow-command escaping; property values also escape ':' and ','. */
static void
escape(struct lc_buf *b, const char *s, int property)
{
	for (; *s; s++) {
		switch (*s) {
		case '%':
			lc_buf_adds(b, "%25");
			break;
		case '\r':
			lc_buf_adds(b, "%0D");
			break;
		case '\n':
			lc_buf_adds(b, "%0A");
			break;
		case ':':
			lc_buf_adds(b, property ? "%3A" : ":");
			break;
		case ',':
			lc_buf_adds(b, property ? "%2C" : ",");
			break;
		default:
			lc_buf_addc(b, *s);
		}
	}
}

void
lc_ci_error(const char *file, long line, long col, const char *msg)
{
	lc_log_line(LC_LOG_ERROR, msg);
	lc_ci_annotate(file, line, col, msg);
}

void
lc_ci_annotate(const char *file, long line, long col, const char *msg)
{
	struct lc_buf b = LC_BUF_INIT, red = LC_BUF_INIT;

	if (kind != LC_CI_GITHUB)
		return;
	lc_log_redact(&red, msg);
	lc_buf_adds(&b, "::error ");
	if (file != NULL && line > 0) {
		lc_buf_adds(&b, "file=");
		escape(&b, file, 1);
		lc_buf_printf(&b, ",line=%ld,", line);
		if (col > 0)
			lc_buf_printf(&b, "col=%ld,", col);
	}
	lc_buf_adds(&b, "title=");
	escape(&b, lc_log_progname, 1);
	lc_buf_adds(&b, "::");
	escape(&b, red.data ? red.data : "", 0);
	lc_buf_addc(&b, '\n');
	fflush(stderr);
	(void)!write(2, b.data, b.len);
	lc_buf_release(&b);
	lc_buf_release(&red);
}

void
lc_ci_mask(const char *secret)
{
	struct lc_buf b = LC_BUF_INIT;

	/* Multi-line values cannot be masked whole; callers pass single lines. */
	if (kind != LC_CI_GITHUB || strchr(secret, '\n') != NULL)
		return;
	lc_buf_adds(&b, "::add-mask::");
	escape(&b, secret, 0);
	lc_buf_addc(&b, '\n');
	fflush(stderr);
	(void)!write(2, b.data, b.len);
	lc_buf_release(&b);
}

void
lc_ci_add_secret(const char *secret)
{
	if (lc_log_add_announced_secret(secret))
		lc_ci_mask(secret);
}

int
lc_ci_output(const char *key, const char *value)
{
	const char *path = getenv("GITHUB_OUTPUT");
	struct lc_buf b = LC_BUF_INIT, red = LC_BUF_INIT;
	unsigned char r[16];
	size_t i;
	int fd, rc = 0;

	if (path == NULL || *path == '\0')
		return 0;
	/* Registered secrets never reach a file the next job reads. */
	lc_log_redact(&red, value);
	value = red.data ? red.data : "";
	if (strchr(value, '\n') == NULL)
		lc_buf_printf(&b, "%s=%s\n", key, value);
	else {
		/* A delimiter the value cannot contain, as the toolkit does. */
		if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
			memset(r, 0x5a, sizeof(r));
		lc_buf_printf(&b, "%s<<ghadelimiter_", key);
		for (i = 0; i < sizeof(r); i++)
			lc_buf_printf(&b, "%02x", r[i]);
		lc_buf_printf(&b, "\n%s\nghadelimiter_", value);
		for (i = 0; i < sizeof(r); i++)
			lc_buf_printf(&b, "%02x", r[i]);
		lc_buf_addc(&b, '\n');
	}
	if ((fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
	    0666)) == -1 || write(fd, b.data, b.len) != (ssize_t)b.len)
		rc = lc_error_errno(LC_ERROR, "cannot write '%s' ($GITHUB_OUTPUT)",
		    path);
	if (fd != -1)
		close(fd);
	lc_buf_release(&b);
	lc_buf_release(&red);
	return rc;
}

/* Append text to path with one write(), so no half block is left. */
static int
append(const char *path, const char *what, const char *raw)
{
	struct lc_buf red = LC_BUF_INIT;
	const char *text;
	size_t n;
	int fd, rc = 0;

	/* Registered secrets never reach a file the next job reads. */
	lc_log_redact(&red, raw);
	text = red.data ? red.data : "";
	n = strlen(text);

	if ((fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
	    0666)) == -1 || write(fd, text, n) != (ssize_t)n)
		rc = lc_error_errno(LC_ERROR, "cannot write '%s' (%s)", path,
		    what);
	if (fd != -1 && close(fd) != 0 && rc == 0)
		rc = lc_error_errno(LC_ERROR, "cannot write '%s' (%s)", path,
		    what);
	lc_buf_release(&red);
	return rc;
}

int
lc_ci_summary(const char *markdown)
{
	const char *path = getenv("GITHUB_STEP_SUMMARY");

	if (kind != LC_CI_GITHUB || path == NULL || *path == '\0')
		return 0;
	return append(path, "$GITHUB_STEP_SUMMARY", markdown);
}

static const char *dotenv;

void
lc_ci_set_dotenv(const char *path)
{
	dotenv = path;
}

int
lc_ci_dotenv(const char *lines)
{
	if (dotenv == NULL || *dotenv == '\0')
		return 0;
	return append(dotenv, "--dotenv", lines);
}

int
lc_ci_run_url(struct lc_buf *out)
{
	const char *srv = getenv("GITHUB_SERVER_URL"), *repo =
	    getenv("GITHUB_REPOSITORY"), *id = getenv("GITHUB_RUN_ID"),
	    *att = getenv("GITHUB_RUN_ATTEMPT"), *job = getenv("CI_JOB_URL");

	if (kind == LC_CI_GITHUB && srv && repo && id) {
		lc_buf_printf(out, "%s/%s/actions/runs/%s", srv, repo, id);
		if (att && *att)
			lc_buf_printf(out, "/attempts/%s", att);
		return 1;
	}
	if (kind == LC_CI_GITLAB && job && *job) {
		lc_buf_adds(out, job);
		return 1;
	}
	return 0;
}
