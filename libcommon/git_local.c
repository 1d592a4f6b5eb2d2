/* git_local.c: file:// and path remotes spoken to through git's own upload-pack and receive-pack; later commits. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <git2/sys/transport.h>

#include "buf.h"
#include "clock.h"
#include "error.h"
#include "git.h"
#include "git_int.h"

/*
 * Why not libgit2's local transport: it writes into the remote's object
 * store and moves its refs itself, so the remote's pre-receive, update,
 * post-receive and reference-transaction hooks never run and its
 * receive.* settings (denyCurrentBranch, fsckObjects, denyNonFastForwards)
 * are ignored: a policy that git push obeys was bypassed. Like git, we run
 * "git upload-pack DIR" or "git receive-pack DIR" and speak the smart
 * protocol to it over a socket pair, so fetch and push follow the same code
 * as git:// (libgit2's smart transport) and receive-pack checks each
 * command's old value under the ref's lock: the compare-and-swap that keeps
 * concurrent pushers from losing commits is git's own.
 *
 * git is therefore required for local remotes. A repository with hooks is
 * only made by git, and a fallback that writes the object store when git is
 * missing would be a second path with none of receive-pack's checks; so
 * without git a local fetch or push fails, saying so.
 *
 * A socket pair rather than two pipes: writing to a child that has exited
 * is then EPIPE with MSG_NOSIGNAL instead of a SIGPIPE that kills us.
 */

/*
 * What git clears for the git it runs on a local repository
 * (local_repo_env).
 */
static const char *const repo_env[] = {
	"GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_CONFIG", "GIT_CONFIG_PARAMETERS",
	"GIT_CONFIG_COUNT", "GIT_OBJECT_DIRECTORY", "GIT_DIR", "GIT_WORK_TREE",
	"GIT_IMPLICIT_WORK_TREE", "GIT_GRAFT_FILE", "GIT_INDEX_FILE",
	"GIT_NO_REPLACE_OBJECTS", "GIT_REPLACE_REF_BASE", "GIT_PREFIX",
	"GIT_INTERNAL_SUPER_PREFIX", "GIT_SHALLOW_FILE", "GIT_COMMON_DIR",
	/* libgit2 speaks protocol v0: no v2 from a caller's environment. */
	"GIT_PROTOCOL", NULL
};

extern char **environ;

/*
 * The operation's deadline (an lc_clock_ms() time, 0: none). A hook that
 * hangs would otherwise hold a fetch or push for ever: every wait on the
 * child is bounded by it, and when it passes the child's process group
 * (git and the hooks it runs, with their children) is stopped and reaped.
 */
static long long deadline;
/* Whether the last operation stopped at the deadline. */
static int timed_out;
/* The running child, its own process group leader (for lc_git_local_kill). */
static volatile pid_t running;

/* How much of the child's stderr is kept for messages. */
#define ERR_KEEP 4096

struct lt_stream {
	git_smart_subtransport_stream parent;
	char *what;		/* "git receive-pack '/dir'", for messages */
	pid_t pid;		/* -1 once reaped */
	int status;
	int fd;			/* our end of the child's stdin and stdout */
	int err;		/* the child's stderr, -1 at its end */
	struct lc_buf errtext;	/* the start of what it said there */
	int errcut;		/* and there was more */
};

struct lt_sub {
	git_smart_subtransport parent;
	struct lt_stream *cur;
};

static int
hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ?
	    c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* The %XX escapes of a file:// URL's path decoded; NULL for a %00. */
static char *
url_decode(const char *s)
{
	struct lc_buf b = LC_BUF_INIT;
	int hi, lo;

	for (; *s; s++) {
		if (*s != '%') {
			lc_buf_addc(&b, *s);
			continue;
		}
		hi = s[1] ? hexval(s[1]) : -1;
		lo = hi >= 0 && s[2] ? hexval(s[2]) : -1;
		if (lo < 0) {		/* not an escape: as written, as git */
			lc_buf_addc(&b, *s);
			continue;
		}
		if (hi == 0 && lo == 0) {
			lc_buf_release(&b);
			return NULL;
		}
		lc_buf_addc(&b, (char)(hi << 4 | lo));
		s += 2;
	}
	return b.data ? lc_buf_detach(&b) : lc_buf_xstrndup("", 0);
}

/*
 * Whether url is a local repository, and its path. Every URL that
 * libgit2 would push to through its own local transport (which writes
 * the object store directly and runs no hook) must be one here:
 * file:// with an empty or "localhost" host, percent-decoded (RFC 8089,
 * libgit2's git_fs_path_fromurl; libgit2 refuses other hosts), and
 * anything without "://" that git takes for a path, or that names an
 * existing directory (libgit2 looks for one before it tries scp-like
 * "host:path").
 */
char *
lc_git_local_path(const char *url)
{
	const char *colon, *slash;
	struct stat st;

	if (strncmp(url, "file://", 7) == 0) {
		url += 7;
		if (strncmp(url, "localhost/", 10) == 0)
			url += 9;
		return url[0] == '/' ? url_decode(url) : NULL;
	}
	if (strstr(url, "://") != NULL || *url == '\0')
		return NULL;
	/* git's url_is_local_not_ssh: "host:path" is ssh. */
	colon = strchr(url, ':');
	slash = strchr(url, '/');
	if (colon != NULL && (slash == NULL || colon < slash) &&
	    !(stat(url, &st) == 0 && S_ISDIR(st.st_mode)))
		return NULL;
	return lc_buf_xstrndup(url, strlen(url));
}

static int set_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static int
set_error(const char *fmt, ...)
{
	struct lc_buf m = LC_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	lc_buf_vprintf(&m, fmt, ap);
	va_end(ap);
	/* Not a network class: nothing here gets better by retrying. */
	git_error_set_str(GIT_ERROR_INVALID, m.data);
	lc_buf_release(&m);
	return -1;
}

/* Keep (the start of) what the child wrote on stderr; -1 at its end. */
static void
read_err(struct lt_stream *st)
{
	char buf[1024];
	ssize_t n;

	while ((n = read(st->err, buf, sizeof(buf))) == -1 && errno == EINTR)
		;
	if (n <= 0) {
		close(st->err);
		st->err = -1;
		return;
	}
	if (st->errtext.len < ERR_KEEP)
		lc_buf_add(&st->errtext, buf, (size_t)n);
	else
		st->errcut = 1;
}

/*
 * Stop the child at the deadline: SIGTERM to its process group (git
 * removes its quarantined objects then), SIGKILL to what is left of the
 * group after a second, while the child is still unreaped so that its pid
 * names no other group, then reap it.
 */
static int
stop(struct lt_stream *st)
{
	siginfo_t si;
	long long until;

	if (st->pid > 0) {
		kill(-st->pid, SIGTERM);
		until = lc_clock_ms() + 1000;
		for (;;) {
			si.si_pid = 0;
			if (waitid(P_PID, (id_t)st->pid, &si, WEXITED |
			    WNOHANG | WNOWAIT) == -1 && errno != EINTR)
				break;
			if (si.si_pid != 0 || lc_clock_ms() >= until)
				break;
			lc_clock_sleep_ms(10);
		}
		kill(-st->pid, SIGKILL);
		while (waitpid(st->pid, &st->status, 0) == -1 &&
		    errno == EINTR)
			;
		st->pid = -1;
		running = 0;
	}
	timed_out = 1;
	return set_error("%s: still running at the deadline (a hook that "
	    "hangs?); stopped it and its hooks", st->what);
}

/* Milliseconds to the deadline for poll: -1 none, 0 passed. */
static int
left_ms(void)
{
	long long l;

	if (deadline == 0)
		return -1;
	l = deadline - lc_clock_ms();
	return l <= 0 ? 0 : l > 60000 ? 60000 : (int)l;
}

/*
 * Wait until the socket is ready for ev (POLLIN or POLLOUT), reading the
 * child's stderr meanwhile: a child blocked on a full stderr pipe would
 * never read or write the socket again. At the deadline the child is
 * stopped.
 */
static int
wait_for(struct lt_stream *st, short ev)
{
	struct pollfd p[2];
	int n, ms;

	for (;;) {
		if ((ms = left_ms()) == 0)
			return stop(st);
		p[0].fd = st->fd;
		p[0].events = ev;
		p[1].fd = st->err;
		p[1].events = POLLIN;
		p[0].revents = p[1].revents = 0;
		if ((n = poll(p, st->err >= 0 ? 2 : 1, ms)) == -1) {
			if (errno == EINTR)
				continue;
			return set_error("%s: poll: %s", st->what,
			    strerror(errno));
		}
		if (p[1].revents)
			read_err(st);
		if (p[0].revents)
			return 0;
	}
}

/* Wait for the child to exit (once), until the deadline. */
static void
reap(struct lt_stream *st)
{
	pid_t r;

	while (st->pid > 0) {
		r = waitpid(st->pid, &st->status, deadline ? WNOHANG : 0);
		if (r == -1 && errno == EINTR)
			continue;
		if (r != 0) {
			st->pid = -1;
			running = 0;
			return;
		}
		if (left_ms() == 0) {
			stop(st);
			return;
		}
		lc_clock_sleep_ms(10);
	}
}

/*
 * The child ended the conversation early: say why in its own words. Once
 * it has exited, all it wrote on stderr is in the pipe; read that without
 * waiting for the pipe's end, which a process it left behind may hold.
 */
static int
ended(struct lt_stream *st)
{
	struct lc_buf why = LC_BUF_INIT;
	size_t i;

	reap(st);
	if (timed_out)
		return -1;	/* reap stopped it at the deadline and said so */
	if (st->err >= 0 && fcntl(st->err, F_SETFL, O_NONBLOCK) == 0)
		while (st->err >= 0)
			read_err(st);
	for (i = 0; i < st->errtext.len; i++)
		if (st->errtext.data[i] == '\n' && i + 1 < st->errtext.len)
			st->errtext.data[i] = ' ';
	while (st->errtext.len > 0 &&
	    st->errtext.data[st->errtext.len - 1] == '\n')
		st->errtext.data[--st->errtext.len] = '\0';
	if (st->errtext.len > 0)
		lc_buf_printf(&why, "%s%s", st->errtext.data, st->errcut ?
		    " [more not shown]" : "");
	else if (WIFEXITED(st->status))
		lc_buf_printf(&why, "it exited with status %d before answering",
		    WEXITSTATUS(st->status));
	else
		lc_buf_printf(&why, "it was killed by signal %d",
		    WIFSIGNALED(st->status) ? WTERMSIG(st->status) : 0);
	set_error("%s: %s", st->what, why.data);
	lc_buf_release(&why);
	return -1;
}

static int
lt_read(git_smart_subtransport_stream *s, char *buf, size_t size, size_t *got)
{
	struct lt_stream *st = (struct lt_stream *)s;
	ssize_t n;

	*got = 0;
	for (;;) {
		if (wait_for(st, POLLIN) != 0)
			return -1;
		if ((n = recv(st->fd, buf, size, 0)) > 0) {
			*got = (size_t)n;
			return 0;
		}
		if (n == 0 || errno == ECONNRESET)
			return ended(st);
		if (errno != EINTR && errno != EAGAIN)
			return set_error("%s: read: %s", st->what,
			    strerror(errno));
	}
}

static int
lt_write(git_smart_subtransport_stream *s, const char *buf, size_t len)
{
	struct lt_stream *st = (struct lt_stream *)s;
	size_t off = 0;
	ssize_t n;

	while (off < len) {
		if (wait_for(st, POLLOUT) != 0)
			return -1;
		if ((n = send(st->fd, buf + off, len - off, MSG_NOSIGNAL)) >= 0) {
			off += (size_t)n;
			continue;
		}
		if (errno == EPIPE || errno == ECONNRESET)
			return ended(st);
		if (errno != EINTR && errno != EAGAIN)
			return set_error("%s: write: %s", st->what,
			    strerror(errno));
	}
	return 0;
}

/*
 * Done with the child: say so (EOF on its stdin), read out what it still
 * sends (post-receive runs after the report and may talk; a full socket
 * would block it) and wait for it, so its hooks have finished when the
 * push returns, as with git push.
 */
static void
lt_free(git_smart_subtransport_stream *s)
{
	struct lt_stream *st = (struct lt_stream *)s;
	struct lt_sub *sub = (struct lt_sub *)s->subtransport;
	char buf[4096];
	ssize_t n;

	if (sub->cur == st)
		sub->cur = NULL;
	shutdown(st->fd, SHUT_WR);
	while (wait_for(st, POLLIN) == 0 &&
	    ((n = recv(st->fd, buf, sizeof(buf), 0)) > 0 ||
	    (n == -1 && errno == EINTR)))
		;
	close(st->fd);
	reap(st);
	if (st->err >= 0)
		close(st->err);
	lc_buf_release(&st->errtext);
	free(st->what);
	free(st);
}

/* The environment for the child: ours without the repository variables. */
static char **
child_env(void)
{
	char **env;
	size_t n = 0, i, k;

	while (environ[n])
		n++;
	env = lc_buf_xmalloc((n + 1) * sizeof(*env));
	for (i = k = 0; i < n; i++) {
		const char *const *v;
		size_t l;

		for (v = repo_env; *v; v++) {
			l = strlen(*v);
			if (strncmp(environ[i], *v, l) == 0 &&
			    environ[i][l] == '=')
				break;
		}
		if (*v == NULL)
			env[k++] = environ[i];
	}
	env[k] = NULL;
	return env;
}

/* Run "git service dir" on a socket pair; *out is the stream to it. */
static int
spawn(struct lt_sub *sub, const char *service, const char *url,
    struct lt_stream **out)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t sa;
	struct lt_stream *st;
	struct lc_buf arg = LC_BUF_INIT;
	char *path, *argv[4], **env;
	int sv[2], ep[2], rc;

	if ((path = lc_git_local_path(url)) == NULL)
		return set_error("'%s' is not a local repository", url);
	/* An argument, never an option. */
	if (path[0] == '-')
		lc_buf_adds(&arg, "./");
	lc_buf_adds(&arg, path);
	free(path);
	st = lc_buf_xmalloc(sizeof(*st));
	memset(st, 0, sizeof(*st));
	st->parent.subtransport = &sub->parent;
	st->parent.read = lt_read;
	st->parent.write = lt_write;
	st->parent.free = lt_free;
	st->pid = -1;
	st->fd = st->err = -1;
	lc_buf_init(&st->errtext);
	{
		struct lc_buf w = LC_BUF_INIT;

		lc_buf_printf(&w, "git %s '%s'", service, arg.data);
		st->what = lc_buf_detach(&w);
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1) {
		rc = set_error("%s: socketpair: %s", st->what, strerror(errno));
		goto fail;
	}
	if (pipe(ep) == -1 || fcntl(ep[0], F_SETFD, FD_CLOEXEC) == -1 ||
	    fcntl(ep[1], F_SETFD, FD_CLOEXEC) == -1) {
		close(sv[0]);
		close(sv[1]);
		rc = set_error("%s: pipe: %s", st->what, strerror(errno));
		goto fail;
	}
	argv[0] = "git";
	argv[1] = (char *)service;
	argv[2] = arg.data;
	argv[3] = NULL;
	env = child_env();
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, sv[1], 0);
	posix_spawn_file_actions_adddup2(&fa, sv[1], 1);
	posix_spawn_file_actions_adddup2(&fa, ep[1], 2);
	/* Its own process group: at the deadline the hooks go with it. */
	posix_spawnattr_init(&sa);
	posix_spawnattr_setpgroup(&sa, 0);
	posix_spawnattr_setflags(&sa, POSIX_SPAWN_SETPGROUP);
	rc = posix_spawnp(&st->pid, "git", &fa, &sa, argv, env);
	posix_spawnattr_destroy(&sa);
	posix_spawn_file_actions_destroy(&fa);
	free(env);
	close(sv[1]);
	close(ep[1]);
	st->fd = sv[0];
	st->err = ep[0];
	if (rc != 0) {
		st->pid = -1;
		if (rc == ENOENT)
			rc = set_error("%s: git is not installed (not on PATH): local remotes "
			    "are served by git's own upload-pack and "
			    "receive-pack, which run the remote's hooks; install "
			    "git", st->what);
		else
			rc = set_error("%s: %s", st->what, strerror(rc));
		goto fail;
	}
	lc_buf_release(&arg);
	running = st->pid;
	sub->cur = st;
	*out = st;
	return 0;
fail:
	lc_buf_release(&arg);
	if (st->fd >= 0)
		close(st->fd);
	if (st->err >= 0)
		close(st->err);
	st->fd = st->err = -1;
	free(st->what);
	free(st);
	return rc;
}

static int
lt_action(git_smart_subtransport_stream **out, git_smart_subtransport *t,
    const char *url, git_smart_service_t action)
{
	struct lt_sub *sub = (struct lt_sub *)t;
	struct lt_stream *st = NULL;
	int rc;

	switch (action) {
	case GIT_SERVICE_UPLOADPACK_LS:
	case GIT_SERVICE_RECEIVEPACK_LS:
		if (sub->cur != NULL)
			sub->cur->parent.free(&sub->cur->parent);
		if ((rc = spawn(sub, action == GIT_SERVICE_UPLOADPACK_LS ?
		    "upload-pack" : "receive-pack", url, &st)) != 0)
			return rc;
		*out = &st->parent;
		return 0;
	default:
		/* The same conversation goes on after the ref list. */
		if (sub->cur == NULL)
			return set_error("local remote '%s': no connection",
			    url);
		*out = &sub->cur->parent;
		return 0;
	}
}

static int
lt_close(git_smart_subtransport *t)
{
	struct lt_sub *sub = (struct lt_sub *)t;

	if (sub->cur != NULL)
		sub->cur->parent.free(&sub->cur->parent);
	return 0;
}

static void
lt_sub_free(git_smart_subtransport *t)
{
	lt_close(t);
	free(t);
}

static int
lt_sub_new(git_smart_subtransport **out, git_transport *owner, void *param)
{
	struct lt_sub *sub = lc_buf_xmalloc(sizeof(*sub));

	(void)owner;
	(void)param;
	memset(sub, 0, sizeof(*sub));
	sub->parent.action = lt_action;
	sub->parent.close = lt_close;
	sub->parent.free = lt_sub_free;
	*out = &sub->parent;
	return 0;
}

int
lc_git_local_transport(git_transport **out, git_remote *owner, void *payload)
{
	/* Stateful like git:// and ssh: one connection per operation. */
	static git_smart_subtransport_definition def = { lt_sub_new, 0, NULL };

	(void)payload;
	return git_transport_smart(out, owner, &def);
}

void
lc_git_deadline(long long at)
{
	deadline = at;
}

long long
lc_git_deadline_at(void)
{
	return deadline;
}

void
lc_git_local_start(void)
{
	timed_out = 0;
}

int
lc_git_local_timed_out(void)
{
	return timed_out;
}

void
lc_git_local_kill(void)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	siginfo_t si;
	pid_t pid = running;
	int i;

	/* Async-signal-safe, as stop() but leaving the child unreaped. */
	if (pid <= 0)
		return;
	kill(-pid, SIGTERM);
	for (i = 0; i < 100; i++) {
		si.si_pid = 0;
		if ((waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG |
		    WNOWAIT) == -1 && errno != EINTR) || si.si_pid != 0)
			break;
		nanosleep(&ts, NULL);
	}
	kill(-pid, SIGKILL);
}

/* The handler of lc_git_local_signals. */
static void
on_signal(int sig)
{
	lc_git_local_kill();
	signal(sig, SIG_DFL);
	raise(sig);
}

/*
 * A local remote's git runs in a process group of its own (so the
 * deadline can stop its hooks too), which a terminal's ^C or a CI
 * runner's SIGTERM does not reach.
 */
void
lc_git_local_signals(void)
{
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
}

/* ---- what a local repository knows: later commits --------------------- */

/* The commit hex (a prefix of at least 4 digits) names in repo. */
static int
resolve(git_repository *repo, const char *hex, const char *what,
    git_oid *out)
{
	git_object *o = NULL;
	git_oid id;
	size_t n = strlen(hex);
	int rc;

	if (n < 4 || n > GIT_OID_HEXSZ || git_oid_fromstrn(&id, hex, n) != 0)
		return lc_error_set(LC_EUSAGE, "%s %s is not a commit id", what,
		    hex);
	rc = git_object_lookup_prefix(&o, repo, &id, n, GIT_OBJECT_COMMIT);
	if (rc == GIT_ENOTFOUND)
		return lc_error_set(LC_ENOTFOUND, "%s %.12s is not known",
		    what, hex);
	if (rc == GIT_EAMBIGUOUS)
		return lc_error_set(LC_EUSAGE, "%s %s names several objects: "
		    "give more of it", what, hex);
	if (rc != 0)
		return lc_git_error(rc, what);
	git_oid_cpy(out, git_object_id(o));
	git_object_free(o);
	return 0;
}

int
lc_git_later(git_repository *repo, const char *rev, const char *base,
    int *later)
{
	git_oid r, b;
	int rc;

	*later = 0;
	if ((rc = resolve(repo, rev, "revision", &r)) != 0 ||
	    (rc = resolve(repo, base, "commit", &b)) != 0)
		return rc;
	if (git_oid_equal(&r, &b)) {
		*later = 1;
		return 0;
	}
	/* Not a descendant of itself, unlike git merge-base --is-ancestor. */
	if ((rc = git_graph_descendant_of(repo, &r, &b)) < 0)
		return lc_git_error(rc, "ancestry");
	*later = rc == 1;
	return 0;
}

/* url as "host/path": no scheme, user, ".git" or final "/"; scp-like too. */
static void
url_key(const char *url, struct lc_buf *out)
{
	const char *p = strstr(url, "://"), *at, *slash, *colon;
	size_t n;

	out->len = 0;
	if (p != NULL)
		url = p + 3;
	slash = strchr(url, '/');
	if ((at = strchr(url, '@')) != NULL && (slash == NULL || at < slash))
		url = at + 1;
	colon = strchr(url, ':');
	slash = strchr(url, '/');
	if (p == NULL && colon != NULL && (slash == NULL || colon < slash)) {
		/* scp-like "host:path" */
		lc_buf_add(out, url, (size_t)(colon - url));
		lc_buf_addc(out, '/');
		url = colon + 1;
	}
	lc_buf_adds(out, url);
	n = out->len;
	while (n > 0 && out->data[n - 1] == '/')
		n--;
	if (n >= 4 && strncmp(out->data + n - 4, ".git", 4) == 0)
		n -= 4;
	while (n > 0 && out->data[n - 1] == '/')
		n--;
	lc_buf_grow(out, 1);
	out->data[n] = '\0';
	out->len = n;
}

int
lc_git_fetch_for(git_repository *repo, const char *url, char **name)
{
	git_strarray names = { NULL, 0 };
	git_remote *remote = NULL;
	struct lc_buf want = LC_BUF_INIT, have = LC_BUF_INIT;
	struct lc_git_auth auth;
	git_oid tip;
	size_t i;
	int rc, exists;

	*name = NULL;
	memset(&auth, 0, sizeof(auth));
	if (url && *url && git_remote_list(&names, repo) == 0) {
		url_key(url, &want);
		for (i = 0; i < names.count && remote == NULL; i++) {
			if (git_remote_lookup(&remote, repo,
			    names.strings[i]) != 0)
				continue;
			url_key(git_remote_url(remote) ? git_remote_url(remote) :
			    "", &have);
			if (strcasecmp(want.data, have.data) != 0) {
				git_remote_free(remote);
				remote = NULL;
			}
		}
	}
	if (remote == NULL && (rc = git_remote_lookup(&remote, repo,
	    "origin")) != 0) {
		rc = lc_error_set(LC_ENOTFOUND, "no remote for '%s' and no "
		    "'origin' to fetch from", url ? url : "");
		goto out;
	}
	*name = lc_buf_xstrndup(git_remote_name(remote),
	    strlen(git_remote_name(remote)));
	lc_git_nodelay(git_remote_url(remote));
	if ((rc = lc_git_ca(NULL, NULL, git_remote_url(remote), 0)) != 0 ||
	    (rc = lc_git_auth_init(&auth, git_remote_url(remote), NULL, NULL,
	    NULL)) != 0)
		goto out;
	/* "*": every branch, into refs/remotes/<remote>/ (a refspec glob). */
	rc = lc_git_fetch(repo, remote, "*", &tip, &exists, &auth);
out:
	lc_git_auth_release(&auth);
	git_remote_free(remote);
	git_strarray_dispose(&names);
	lc_buf_release(&want);
	lc_buf_release(&have);
	return rc;
}
