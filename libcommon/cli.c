/* cli.c: program name, version and usage helpers, number and duration parsing. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "ci.h"
#include "cli.h"
#include "error.h"
#include "log.h"

const char *lc_progname = "gitops-utils";

void
lc_cli_init(const char *argv0)
{
	const char *slash, *v;

	if (argv0 != NULL && *argv0 != '\0') {
		slash = strrchr(argv0, '/');
		lc_progname = slash ? slash + 1 : argv0;
	}
	lc_ci_init();
	if (((v = getenv("RUNNER_DEBUG")) != NULL && strcmp(v, "1") == 0) ||
	    ((v = getenv("CI_DEBUG_TRACE")) != NULL && strcmp(v, "true") == 0))
		lc_log_set_level(LC_LOG_INFO);
}

void
lc_cli_version(void)
{
	printf("%s (gitops-utils) %s\n", lc_progname, VERSION);
}

int
lc_parse_duration(const char *s, long long *ms)
{
	return lc_parse_duration_opt(NULL, s, ms);
}

int
lc_parse_duration_opt(const char *opt, const char *s, long long *ms)
{
	const char *p = s;
	long long total = 0, v, unit;
	char *end;

	if (*p == '\0')
		return lc_error_set(LC_EUSAGE, "%s%sempty duration",
		    opt ? opt : "", opt ? ": " : "");
	while (*p) {
		if (*p < '0' || *p > '9')
			goto bad;
		errno = 0;
		v = strtoll(p, &end, 10);
		if (errno != 0)
			goto bad;
		p = end;
		if (strncmp(p, "ms", 2) == 0) {
			unit = 1;
			p += 2;
		} else if (*p == 's' || *p == '\0') {
			unit = 1000;
			p += *p == 's';
		} else if (*p == 'm') {
			unit = 60000;
			p++;
		} else if (*p == 'h') {
			unit = 3600000;
			p++;
		} else
			goto bad;
		if (v > (LLONG_MAX - total) / unit)
			goto bad;
		total += v * unit;
	}
	*ms = total;
	return 0;
bad:
	return lc_error_set(LC_EUSAGE, "%s%sinvalid duration '%s' (use e.g. "
	    "90, 90s, 5m, 1h30m)", opt ? opt : "", opt ? ": " : "", s);
}

int
lc_parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || v < min || v > max)
		return lc_error_set(LC_EUSAGE,
		    "invalid number '%s' (expected %ld to %ld)", s, min, max);
	*out = v;
	return 0;
}

long long
lc_clock_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *
env_first(const char *a, const char *b, const char *c, const char **from)
{
	const char *names[] = { a, b, c }, *v;
	size_t i;

	for (i = 0; i < 3; i++)
		if (names[i] && (v = getenv(names[i])) != NULL && *v) {
			*from = names[i];
			return v;
		}
	*from = NULL;
	return NULL;
}

void
lc_ca_env(int git, struct lc_ca *ca)
{
	ca->file = env_first(git ? "GIT_SSL_CAINFO" : NULL, "CURL_CA_BUNDLE",
	    "SSL_CERT_FILE", &ca->file_from);
	ca->dir = env_first(git ? "GIT_SSL_CAPATH" : NULL, "SSL_CERT_DIR",
	    NULL, &ca->dir_from);
}

static int
ca_path_ok(const char *path, const char *from, int dir)
{
	struct stat st;

	if (path == NULL)
		return 0;
	if (stat(path, &st) != 0)
		goto unreadable;
	if (dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode))
		return lc_error_set(LC_EUSAGE, "the CA %s '%s' (from %s) is "
		    "not a %s", dir ? "directory" : "bundle", path, from,
		    dir ? "directory" : "file of PEM certificates");
	if (access(path, dir ? R_OK | X_OK : R_OK) == 0)
		return 0;
unreadable:
	return lc_error_errno(LC_EUSAGE, "cannot read the CA %s '%s' (from %s)",
	    dir ? "directory" : "bundle", path, from);
}

int
lc_ca_check(const struct lc_ca *ca)
{
	int rc;

	if ((rc = ca_path_ok(ca->file, ca->file_from, 0)) != 0)
		return rc;
	return ca_path_ok(ca->dir, ca->dir_from, 1);
}

long long
lc_backoff_ms(int k, long long base, long long cap, int factor)
{
	unsigned long long r = 0;
	long long ceil = base;

	while (k-- > 0 && ceil < cap)
		ceil *= factor;
	if (ceil > cap)
		ceil = cap;
	if (ceil <= 0)
		return 0;
	lc_random(&r, sizeof(r));
	return (long long)(r % (unsigned long long)ceil);
}

void
lc_random(void *p, size_t n)
{
	unsigned char *b = p;
	size_t i;

	if (getrandom(p, n, 0) == (ssize_t)n)
		return;
	for (i = 0; i < n; i++)
		b[i] = (unsigned char)rand();
}

void
lc_sleep_ms(long long ms)
{
	struct timespec ts;

	if (ms <= 0)
		return;
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

int
lc_run(char *const argv[], const void *in, size_t n, struct lc_buf *out,
    struct lc_buf *err, long long timeout_ms)
{
	int pin[2], pout[2], perr[2] = { -1, -1 }, status, open_, i;
	long long end = timeout_ms > 0 ? lc_clock_ms() + timeout_ms : 0;
	struct pollfd fds[2];
	void (*old)(int);
	char buf[4096];
	size_t off = 0;
	ssize_t k;
	pid_t pid;

	if (pipe(pin) != 0)
		return lc_error_errno(LC_ERROR, "%s: pipe", argv[0]);
	if (pipe(pout) != 0 || (err && pipe(perr) != 0) ||
	    (pid = fork()) < 0) {
		k = errno;
		close(pin[0]);
		close(pin[1]);
		errno = (int)k;
		return lc_error_errno(LC_ERROR, "cannot run %s", argv[0]);
	}
	if (pid == 0) {
		dup2(pin[0], 0);
		dup2(pout[1], 1);
		if (err)
			dup2(perr[1], 2);
		close(pin[1]);
		close(pout[0]);
		if (err)
			close(perr[0]);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(pin[0]);
	close(pout[1]);
	if (err)
		close(perr[1]);
	/* What we send is small and read first (a commit, a registry name). */
	old = signal(SIGPIPE, SIG_IGN);
	while (off < n && (k = write(pin[1], (const char *)in + off, n - off)) >
	    0)
		off += (size_t)k;
	close(pin[1]);
	signal(SIGPIPE, old);
	fds[0].fd = pout[0];
	fds[1].fd = perr[0];
	fds[0].events = fds[1].events = POLLIN;
	for (open_ = err ? 2 : 1; open_ > 0 && (!end || lc_clock_ms() < end);) {
		if (poll(fds, 2, 200) < 0 && errno != EINTR)
			break;
		for (i = 0; i < 2; i++) {
			if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP)))
				continue;
			if ((k = read(fds[i].fd, buf, sizeof(buf))) > 0)
				lc_buf_add(i == 0 ? out : err, buf, (size_t)k);
			else {
				close(fds[i].fd);
				fds[i].fd = -1;
				open_--;
			}
		}
	}
	for (i = 0; i < 2; i++)
		if (fds[i].fd >= 0)
			close(fds[i].fd);
	if (open_ > 0)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return lc_error_errno(LC_ERROR, "%s: wait", argv[0]);
	if (open_ > 0)
		return lc_error_set(LC_ERROR, "%s did not finish in %lld s",
		    argv[0], timeout_ms / 1000);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return lc_error_set(LC_ERROR, "%s failed (%s %d)", argv[0],
		    WIFEXITED(status) ? "exit" : "signal", WIFEXITED(status) ?
		    WEXITSTATUS(status) : WTERMSIG(status));
	return 0;
}
