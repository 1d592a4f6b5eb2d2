/* git.c: libgit2 set up, its errors, the TCP_NODELAY stream, open and land. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <git2/sys/stream.h>

#include "clock.h"
#include "error.h"
#include "git.h"
#include "git_int.h"

/* Whether lc_git_init set libgit2 up (and lc_git_shutdown has not ended it). */
static int inited;

void
lc_git_init(void)
{
	if (!inited) {
		git_libgit2_init();
		inited = 1;
	}
}

void
lc_git_shutdown(void)
{
	if (inited) {
		git_libgit2_shutdown();
		inited = 0;
	}
}

/* A plain TCP stream for libgit2, with TCP_NODELAY. */
struct nd_stream {
	git_stream parent;
	char *host, *port;
	int fd;
};

static int
nd_fail(const char *what, const char *host, const char *why)
{
	struct lc_buf msg = LC_BUF_INIT;

	lc_buf_printf(&msg, "%s %s: %s", what, host, why);
	git_error_set_str(GIT_ERROR_NET, msg.data);
	lc_buf_release(&msg);
	return -1;
}

/*
 * Wait until fd is ready for ev, or the deadline of lc_git_deadline
 * (none: block, as a socket does). Returns 0, or -1 with errno ETIMEDOUT.
 */
static int
nd_ready(int fd, short ev)
{
	long long at = lc_git_deadline_at(), left;
	struct pollfd p = { fd, ev, 0 };
	int n;

	if (at == 0)
		return 0;
	for (;;) {
		left = at - lc_clock_ms();
		if (left <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		n = poll(&p, 1, left > 60000 ? 60000 : (int)left);
		if (n > 0)
			return 0;
		if (n == -1 && errno != EINTR)
			return -1;
	}
}

/* connect(), bounded by the deadline when there is one. */
static int
nd_connect_fd(int fd, const struct sockaddr *sa, socklen_t len)
{
	int fl, err = 0;
	socklen_t el = sizeof(err);

	if (lc_git_deadline_at() == 0)
		return connect(fd, sa, len);
	fl = fcntl(fd, F_GETFL);
	(void)fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	if (connect(fd, sa, len) == -1) {
		if (errno != EINPROGRESS || nd_ready(fd, POLLOUT) == -1)
			return -1;
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) == -1)
			return -1;
		if (err != 0) {
			errno = err;
			return -1;
		}
	}
	(void)fcntl(fd, F_SETFL, fl);
	return 0;
}

static int
nd_connect(git_stream *gs)
{
	struct nd_stream *st = (struct nd_stream *)gs;
	struct addrinfo hints, *res, *ai;
	int fd = -1, rc, one = 1, err = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(st->host, st->port, &hints, &res)) != 0)
		return nd_fail("failed to resolve address for", st->host,
		    gai_strerror(rc));
	for (ai = res; ai != NULL && fd == -1; ai = ai->ai_next) {
		if ((fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
		    ai->ai_protocol)) == -1)
			continue;
		if (nd_connect_fd(fd, ai->ai_addr, ai->ai_addrlen) == -1) {
			err = errno;
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(res);
	if (fd == -1)
		return nd_fail("failed to connect to", st->host, strerror(err));
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	st->fd = fd;
	return 0;
}

static ssize_t
nd_read(git_stream *gs, void *buf, size_t len)
{
	struct nd_stream *st = (struct nd_stream *)gs;
	ssize_t n;

	do
		n = nd_ready(st->fd, POLLIN) == -1 ? -1 : recv(st->fd, buf, len,
		    0);
	while (n == -1 && errno == EINTR);
	if (n == -1)
		nd_fail("could not read from", st->host, strerror(errno));
	return n;
}

static ssize_t
nd_write(git_stream *gs, const char *buf, size_t len, int flags)
{
	struct nd_stream *st = (struct nd_stream *)gs;
	size_t off = 0;
	ssize_t n;

	(void)flags;
	while (off < len) {
		if ((n = nd_ready(st->fd, POLLOUT) == -1 ? -1 : send(st->fd,
		    buf + off, len - off, MSG_NOSIGNAL)) == -1) {
			if (errno == EINTR)
				continue;
			return nd_fail("could not write to", st->host,
			    strerror(errno));
		}
		off += (size_t)n;
	}
	return (ssize_t)len;
}

static int
nd_close(git_stream *gs)
{
	struct nd_stream *st = (struct nd_stream *)gs;

	if (st->fd != -1)
		close(st->fd);
	st->fd = -1;
	return 0;
}

static void
nd_free(git_stream *gs)
{
	struct nd_stream *st = (struct nd_stream *)gs;

	free(st->host);
	free(st->port);
	free(st);
}

static int
nd_new(git_stream **out, const char *host, const char *port)
{
	struct nd_stream *st = lc_buf_xmalloc(sizeof(*st));

	memset(st, 0, sizeof(*st));
	st->parent.version = GIT_STREAM_VERSION;
	st->parent.connect = nd_connect;
	st->parent.read = nd_read;
	st->parent.write = nd_write;
	st->parent.close = nd_close;
	st->parent.free = nd_free;
	st->host = lc_buf_xstrndup(host, strlen(host));
	st->port = lc_buf_xstrndup(port, strlen(port));
	st->fd = -1;
	*out = &st->parent;
	return 0;
}

void
lc_git_nodelay(const char *url)
{
	git_stream_registration reg;

	if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0 &&
	    strncmp(url, "git://", 6) != 0)
		return;
	memset(&reg, 0, sizeof(reg));
	reg.version = GIT_STREAM_VERSION;
	reg.init = nd_new;
	(void)git_stream_register(GIT_STREAM_STANDARD, &reg);
}

static int
network_class(int klass)
{
	return klass == GIT_ERROR_NET || klass == GIT_ERROR_HTTP ||
	    klass == GIT_ERROR_SSH || klass == GIT_ERROR_SSL ||
	    klass == GIT_ERROR_OS;
}

int
lc_git_error(int rc, const char *what)
{
	const git_error *e = git_error_last();
	const char *hint = "", *p;
	struct lc_buf msg = LC_BUF_INIT, h = LC_BUF_INIT, ca = LC_BUF_INIT;
	int code;

	/* One line: mbedTLS lists each problem of a certificate on its own. */
	for (p = e && e->message ? e->message : "unknown error"; *p; p++)
		if (*p != '\n')
			lc_buf_addc(&msg, *p);
		else if (p[1] != '\0')
			lc_buf_adds(&msg, "; ");
	if (msg.data == NULL)
		lc_buf_adds(&msg, "");
	switch (lc_git_local_timed_out() ? GIT_EUSER : rc) {
	case GIT_EUSER:
		/* The local transport stopped git at the deadline. */
		code = LC_ETIMEOUT;
		break;
	case GIT_ECERTIFICATE:
		code = LC_EAUTH;
		if (strstr(msg.data, "hostkey") != NULL)
			hint = " (check it and add it to ~/.ssh/known_hosts, e.g. "
			    "with ssh-keyscan)";
		else if (lc_git_ip_refused)
			hint = " (at an IP address the certificate must name it "
			    "in subjectAltName and be signed by a CA you trust, "
			    "without intermediates; else use a host name the "
			    "certificate names, and %s for a private CA)";
		else
			hint = " (for a private CA use %s)";
		break;
	case GIT_EAUTH:
		code = LC_EAUTH;
		break;
	case GIT_ENONFASTFORWARD:
	case GIT_ECONFLICT:
	case GIT_ELOCKED:
		code = LC_ECONFLICT;
		break;
	case GIT_ENOTFOUND:
		code = LC_ENOTFOUND;
		break;
	default:
		code = e && network_class(e->klass) ? LC_EUNAVAIL : LC_ERROR;
	}
	/* Every command reads GIT_SSL_CAINFO; some have a flag too. */
	lc_buf_printf(&ca, "%s%sGIT_SSL_CAINFO",
	    lc_git_ca_flag ? lc_git_ca_flag : "", lc_git_ca_flag ? " or " : "");
	lc_buf_printf(&h, hint, ca.data);
	lc_buf_release(&ca);
	code = lc_error_set(code, "%s: %s%s", what, msg.data, h.data ? h.data :
	    "");
	lc_buf_release(&msg);
	lc_buf_release(&h);
	return code;
}

int
lc_git_open(git_repository **repo, const char *branch, char **branch_out,
    const char *remote, git_remote **remote_out)
{
	git_reference *head = NULL;
	int rc;

	lc_git_init();
	if ((rc = git_repository_open_ext(repo, ".", 0, NULL)) != 0)
		return lc_git_error(rc, "not in a git repository");
	/*
	 * libgit2 1.5 cannot walk past a shallow clone's edge: its revwalk
	 * stops at the first missing parent and its fetch then fails, so a
	 * push from one would go wrong or not happen at all. CI checkouts
	 * are shallow by default: say how to get the history.
	 */
	if (git_repository_is_shallow(*repo) == 1)
		return lc_error_set(LC_ERROR, "%s is a shallow clone, which "
		    "libgit2 cannot push from: clone with full history "
		    "(actions/checkout: fetch-depth: 0; GitLab: GIT_DEPTH: 0) "
		    "or run 'git fetch --unshallow'",
		    git_repository_workdir(*repo) ? git_repository_workdir(*repo)
		    : git_repository_path(*repo));
	if (branch)
		*branch_out = lc_buf_xstrndup(branch, strlen(branch));
	else if (git_repository_head(&head, *repo) == 0 &&
	    git_reference_is_branch(head)) {
		*branch_out = lc_buf_xstrndup(git_reference_shorthand(head),
		    strlen(git_reference_shorthand(head)));
		git_reference_free(head);
	} else {
		git_reference_free(head);
		return lc_error_set(LC_EUSAGE, "HEAD is not on a branch: name "
		    "one with --branch");
	}
	if ((rc = git_remote_lookup(remote_out, *repo, remote)) != 0)
		return lc_git_error(rc, "remote");
	lc_git_nodelay(git_remote_url(*remote_out));
	return 0;
}

/*
 * Bring the work tree to commit id (from the tree the branch has now, so
 * other writers' files appear and ours stay), then move the branch.
 */
int
lc_git_land(git_repository *repo, const char *branch, const git_oid *id,
    int force)
{
	git_checkout_options co;
	git_reference *ref = NULL, *head = NULL;
	git_object *obj = NULL;
	struct lc_buf name = LC_BUF_INIT;
	int rc, on_branch;

	git_checkout_options_init(&co, GIT_CHECKOUT_OPTIONS_VERSION);
	co.checkout_strategy = force ? GIT_CHECKOUT_FORCE : GIT_CHECKOUT_SAFE;
	lc_buf_printf(&name, "refs/heads/%s", branch);
	on_branch = git_repository_head(&head, repo) == 0 &&
	    strcmp(git_reference_name(head), name.data) == 0;
	git_reference_free(head);
	if ((rc = git_object_lookup(&obj, repo, id, GIT_OBJECT_COMMIT)) == 0 &&
	    (!on_branch || (rc = git_checkout_tree(repo, obj, &co)) == 0))
		rc = git_reference_create(&ref, repo, name.data, id, 1,
		    "pushed");
	git_object_free(obj);
	git_reference_free(ref);
	lc_buf_release(&name);
	return rc == 0 ? 0 : lc_git_error(rc, "update the local branch");
}
