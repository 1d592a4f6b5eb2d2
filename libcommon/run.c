/* run.c: run a program (no shell) with input, collecting its output. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "error.h"
#include "run.h"

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
