/* git.c: libgit2 helpers: fetch one branch, replay commits onto a tip, push and classify. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <git2/sys/stream.h>

#include "base64.h"
#include "ca.h"
#include "clock.h"
#include "error.h"
#include "fileio.h"
#include "git.h"
#include "git_int.h"
#include "log.h"
#include "run.h"

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

int
lc_git_auth_init(struct lc_git_auth *a, const char *url, const char *file,
    const char *user, const char *env)
{
	static const struct {
		const char *var, *user;
	} envs[] = {
		{ "GITOPS_TOKEN", "x-access-token" },
		{ "GITHUB_TOKEN", "x-access-token" },
		{ "GH_TOKEN", "x-access-token" },
		{ "GITLAB_TOKEN", "oauth2" },
	};
	const char *at, *scheme, *v;
	size_t i;
	int rc;

	memset(a, 0, sizeof(*a));
	scheme = strstr(url, "://");
	if (scheme && (at = strchr(scheme + 3, '@')) != NULL &&
	    memchr(scheme + 3, ':', (size_t)(at - scheme - 3)) != NULL &&
	    memchr(scheme + 3, '/', (size_t)(at - scheme - 3)) == NULL)
		a->url_creds = 1;
	if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
		return 0;
	if (file != NULL) {
		if ((rc = lc_fileio_token(file, &a->secret)) != 0)
			return rc;
		a->source = "--token-file";
		a->user = user ? user : "x-access-token";
	} else if (env && (v = getenv(env)) != NULL && *v) {
		a->secret = lc_buf_xstrndup(v, strlen(v));
		a->source = env;
		a->user = user ? user : "x-access-token";
	} else
		for (i = 0; i < sizeof(envs) / sizeof(envs[0]); i++)
			if ((v = getenv(envs[i].var)) != NULL && *v) {
				a->secret = lc_buf_xstrndup(v, strlen(v));
				a->source = envs[i].var;
				a->user = user ? user : envs[i].user;
				break;
			}
	if (a->secret)
		lc_log_add_secret(a->secret);
	return 0;
}

void
lc_git_auth_release(struct lc_git_auth *a)
{
	if (a->secret)
		memset(a->secret, 0, strlen(a->secret));
	free(a->secret);
	free(a->ssh_used);
	a->secret = a->ssh_used = NULL;
}

/* An SSH credential: --ssh-key, else the agent, else ~/.ssh/id_*. */
static int
ssh_credential(git_credential **out, struct lc_git_auth *a, const char *user)
{
	static const char *const names[] = { "id_ed25519", "id_ecdsa",
	    "id_rsa" };
	const char *home = getenv("HOME"), *sock = getenv("SSH_AUTH_SOCK");
	struct lc_buf path = LC_BUF_INIT;
	size_t i;
	int rc;

	free(a->ssh_used);
	a->ssh_used = NULL;
	if (a->ssh_key != NULL) {
		a->ssh_used = lc_buf_xstrndup(a->ssh_key, strlen(a->ssh_key));
		return git_credential_ssh_key_new(out, user, NULL, a->ssh_key,
		    NULL);
	}
	if (sock != NULL && *sock != '\0') {
		a->ssh_used = lc_buf_xstrndup("the ssh-agent's keys", 20);
		return git_credential_ssh_key_from_agent(out, user);
	}
	for (i = 0; home && i < sizeof(names) / sizeof(names[0]); i++) {
		path.len = 0;
		lc_buf_printf(&path, "%s/.ssh/%s", home, names[i]);
		if (access(path.data, R_OK) == 0) {
			rc = git_credential_ssh_key_new(out, user, NULL,
			    path.data, NULL);
			a->ssh_used = lc_buf_detach(&path);
			return rc;
		}
	}
	lc_buf_release(&path);
	a->refused = 4;
	return GIT_EUSER;
}

/*
 * Answer once. Called again means the server refused what we gave (or
 * what the URL carried): return GIT_EUSER and remember why, since
 * libgit2's last error is stale then.
 */
static int
on_credentials(git_credential **out, const char *url, const char *url_user,
    unsigned int allowed, void *payload)
{
	struct lc_git_auth *a = *(struct lc_git_auth **)payload;

	(void)url;
	if (a != NULL && (allowed & GIT_CREDENTIAL_SSH_KEY)) {
		if (a->calls++ > 0) {
			a->refused = 3;
			return GIT_EUSER;
		}
		return ssh_credential(out, a, url_user && *url_user ? url_user :
		    "git");
	}
	if (a == NULL || !(allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT))
		return GIT_PASSTHROUGH;
	if (a->calls++ > 0 || (a->secret == NULL && a->url_creds)) {
		a->refused = 1;
		return GIT_EUSER;
	}
	if (a->secret == NULL) {
		a->refused = 2;
		return GIT_EUSER;
	}
	return git_credential_userpass_plaintext_new(out,
	    url_user && *url_user ? url_user : a->user, a->secret);
}

/* The CAs given to libgit2, for the IP address check of git_tls.c. */
static char *ca_file, *ca_dir;
/* The command's option for a CA file, for messages (NULL: none). */
static const char *ca_flag;
/* The last certificate refused was for an IP address (for the message). */
static int ip_refused;

int
lc_git_ca(const char *file, const char *flag, const char *url, int insecure)
{
	struct lc_ca ca;
	const git_error *e;
	int rc;

	ca_flag = flag;
	/* Only an https remote verifies certificates. */
	if (insecure || url == NULL || strncmp(url, "https://", 8) != 0)
		return 0;
	if (file) {
		memset(&ca, 0, sizeof(ca));
		ca.file = file;
		ca.file_from = flag ? flag : "--ca-file";
	} else {
		lc_ca_env(1, &ca);
		if (ca.file == NULL && ca.dir == NULL)
			return 0;
	}
	if ((rc = lc_ca_check(&ca)) != 0)
		return rc;
	if (ca.dir == NULL)
		ca.dir = "/etc/ssl/certs";
	if (git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS, ca.file,
	    ca.dir) != 0) {
		e = git_error_last();
		return lc_error_set(LC_EUSAGE, "cannot load the CA bundle '%s' "
		    "(from %s) or directory '%s'%s%s: %s", ca.file ? ca.file :
		    "(none)", ca.file_from ? ca.file_from : "-", ca.dir,
		    ca.dir_from ? " (from " : "", ca.dir_from ? ca.dir_from : "",
		    e && e->message ? e->message : "libgit2 refused them");
	}
	free(ca_file);
	free(ca_dir);
	ca_file = ca.file ? lc_buf_xstrndup(ca.file, strlen(ca.file)) : NULL;
	ca_dir = lc_buf_xstrndup(ca.dir, strlen(ca.dir));
	return 0;
}

/*
 * TLS: libgit2 decides, unless --insecure said to accept, or libgit2's
 * mbedTLS could not match an IP address that the certificate does name
 * (git_tls.c checks the whole certificate again then). SSH: never.
 */
static int
on_certificate(git_cert *cert, int valid, const char *host, void *payload)
{
	struct lc_git_auth *a = *(struct lc_git_auth **)payload;
	git_cert_x509 *x = (git_cert_x509 *)cert;

	ip_refused = 0;
	if (a && a->insecure && cert->cert_type == GIT_CERT_X509)
		return 0;
	/*
	 * At an IP address libgit2's mbedTLS check is not the right one,
	 * neither way: it refuses an iPAddress subjectAltName and accepts the
	 * address as a CN or a DNS name. Ours alone decides there.
	 */
	if (cert->cert_type == GIT_CERT_X509 && lc_git_host_is_ip(host) &&
	    lc_git_ip_checked_here()) {
		if (lc_git_cert_ip_ok(x->data, x->len, host, ca_file,
		    ca_dir))
			return 0;
		ip_refused = 1;
		if (!valid)
			return GIT_PASSTHROUGH;
		git_error_set_str(GIT_ERROR_SSL, "the certificate does not name "
		    "the address in an iPAddress subjectAltName");
		return GIT_ECERTIFICATE;
	}
	return valid ? 0 : GIT_PASSTHROUGH;
}

/*
 * "Authorization: Basic ..." for the token, sent with the first request:
 * libgit2 would otherwise send each request bare, take the 401 and send
 * it again (a round trip per request). Redirects are then not followed,
 * so the header cannot reach another host.
 */
static void
auth_header(struct lc_git_auth *a, struct lc_buf *hdr)
{
	struct lc_buf plain = LC_BUF_INIT;
	size_t n;

	lc_buf_printf(&plain, "%s:%s", a->user, a->secret);
	lc_buf_adds(hdr, "Authorization: Basic ");
	n = 4 * ((plain.len + 2) / 3);
	lc_buf_grow(hdr, n);
	lc_base64(plain.data, plain.len, hdr->data + hdr->len);
	hdr->len += n;
	memset(plain.data, 0, plain.len);
	lc_buf_release(&plain);
	lc_log_add_secret(hdr->data + strlen("Authorization: Basic "));
}

static int
is_rsa(const char *key)
{
	struct lc_buf pub = LC_BUF_INIT;
	char line[16] = "";
	FILE *fp;

	/* Only the first word of the public key is read. */
	lc_buf_printf(&pub, "%s.pub", key);
	if ((fp = fopen(pub.data, "r")) != NULL) {
		(void)!fgets(line, sizeof(line), fp);
		fclose(fp);
	}
	lc_buf_release(&pub);
	return strncmp(line, "ssh-rsa ", 8) == 0;
}

static int
auth_error(struct lc_git_auth *a, const char *what)
{
	if (a->refused == 3 && a->ssh_used && is_rsa(a->ssh_used))
		return lc_error_set(LC_EAUTH, "%s: the server refused the RSA "
		    "key '%s': libssh2 1.10 signs with SHA-1 (ssh-rsa), which "
		    "OpenSSH 8.8 and later refuse; use an ed25519 or ECDSA key",
		    what, a->ssh_used);
	if (a->refused == 3)
		return lc_error_set(LC_EAUTH, "%s: the server refused %s", what,
		    a->ssh_used ? a->ssh_used : "the SSH key");
	if (a->refused == 4)
		return lc_error_set(LC_EAUTH, "%s: no SSH key: give --ssh-key, "
		    "start ssh-agent, or create ~/.ssh/id_ed25519", what);
	if (a->refused == 2)
		return lc_error_set(LC_EAUTH, "%s: the server wants credentials:"
		    " set GITOPS_TOKEN (or GITHUB_TOKEN, GITLAB_TOKEN) or "
		    "--token-file", what);
	return lc_error_set(LC_EAUTH, "%s: the server refused the credentials "
	    "(%s)", what, a->secret ? a->source : "from the remote URL");
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
		else if (ip_refused)
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
	lc_buf_printf(&ca, "%s%sGIT_SSL_CAINFO", ca_flag ? ca_flag : "",
	    ca_flag ? " or " : "");
	lc_buf_printf(&h, hint, ca.data);
	lc_buf_release(&ca);
	code = lc_error_set(code, "%s: %s%s", what, msg.data, h.data ? h.data :
	    "");
	lc_buf_release(&msg);
	lc_buf_release(&h);
	return code;
}

/*
 * What fetch and push both set up: the callbacks, the auth header, and
 * for a local remote (url) git's own upload-pack and receive-pack
 * (git_local.c says why).
 */
static void
prepare(git_remote_callbacks *cb, git_strarray *custom,
    git_remote_redirect_t *follow, struct lc_git_auth *auth,
    struct lc_buf *hdr, char **headers, const char *url)
{
	char *local = url ? lc_git_local_path(url) : NULL;

	cb->credentials = on_credentials;
	cb->certificate_check = on_certificate;
	cb->transport = local ? lc_git_local_transport : NULL;
	free(local);
	lc_git_local_start();
	if (auth == NULL)
		return;
	auth->calls = auth->refused = 0;
	if (auth->secret) {
		auth_header(auth, hdr);
		headers[0] = hdr->data;
		custom->strings = headers;
		custom->count = 1;
		*follow = GIT_REMOTE_REDIRECT_NONE;
	}
}

static void
wipe(struct lc_buf *hdr)
{
	if (hdr->data)
		memset(hdr->data, 0, hdr->len);
	lc_buf_release(hdr);
}

int
lc_git_fetch(git_repository *repo, git_remote *remote, const char *branch,
    git_oid *tip, int *exists, struct lc_git_auth *auth)
{
	git_fetch_options opts;
	git_reference *ref = NULL;
	struct lc_buf hdr = LC_BUF_INIT, spec = LC_BUF_INIT, name = LC_BUF_INIT;
	char *headers[1];
	char *specs[1];
	git_strarray refspecs = { specs, 1 };
	int rc;

	lc_buf_printf(&name, "refs/remotes/%s/%s", git_remote_name(remote),
	    branch);
	lc_buf_printf(&spec, "+refs/heads/%s:%s", branch, name.data);
	specs[0] = spec.data;
	git_fetch_options_init(&opts, GIT_FETCH_OPTIONS_VERSION);
	opts.prune = GIT_FETCH_NO_PRUNE;
	opts.update_fetchhead = 0;
	opts.callbacks.payload = &auth;
	prepare(&opts.callbacks, &opts.custom_headers, &opts.follow_redirects,
	    auth, &hdr, headers, git_remote_url(remote));
	rc = git_remote_fetch(remote, &refspecs, &opts, NULL);
	wipe(&hdr);
	lc_buf_release(&spec);
	if (rc != 0) {
		lc_buf_release(&name);
		return auth && auth->refused ? auth_error(auth, "fetch") :
		    lc_git_error(rc, "fetch");
	}
	/* A branch that is not there yet is created by the push. */
	*exists = 0;
	if (git_reference_lookup(&ref, repo, name.data) == 0) {
		git_oid_cpy(tip, git_reference_target(ref));
		git_reference_free(ref);
		*exists = 1;
	}
	lc_buf_release(&name);
	return 0;
}

static void
add_conflicts(git_index *index, struct lc_buf *out)
{
	git_index_conflict_iterator *it;
	const git_index_entry *a, *o, *t;

	if (git_index_conflict_iterator_new(&it, index) != 0)
		return;
	while (git_index_conflict_next(&a, &o, &t, it) == 0)
		lc_buf_printf(out, "%s\n", o ? o->path : t ? t->path : a->path);
	git_index_conflict_iterator_free(it);
}

int
lc_git_replay(git_repository *repo, const git_oid *ours, size_t n,
    const git_oid *onto, const git_signature *committer, git_oid *out,
    struct lc_buf *conflicts)
{
	git_commit *c = NULL, *base = NULL;
	git_index *index = NULL;
	git_tree *tree = NULL;
	git_oid cur, tid;
	size_t i;
	int rc = 0;

	git_oid_cpy(&cur, onto);
	for (i = 0; i < n && rc == 0; i++) {
		if ((rc = git_commit_lookup(&c, repo, &ours[i])) != 0 ||
		    (rc = git_commit_lookup(&base, repo, &cur)) != 0) {
			rc = lc_git_error(rc, "replay");
			break;
		}
		if (git_commit_parentcount(c) > 1) {
			rc = lc_error_set(LC_ECONFLICT, "commit %.12s is a merge; "
			    "gitpush-retry replays only plain commits",
			    git_oid_tostr_s(&ours[i]));
			break;
		}
		if ((rc = git_cherrypick_commit(&index, repo, c, base, 0,
		    NULL)) != 0) {
			rc = lc_git_error(rc, "replay");
			break;
		}
		if (git_index_has_conflicts(index)) {
			add_conflicts(index, conflicts);
			rc = lc_error_set(LC_ECONFLICT, "commit %.12s conflicts "
			    "with the remote branch", git_oid_tostr_s(&ours[i]));
			break;
		}
		if ((rc = git_index_write_tree_to(&tid, index, repo)) != 0 ||
		    (rc = git_tree_lookup(&tree, repo, &tid)) != 0) {
			rc = lc_git_error(rc, "replay");
			break;
		}
		/* Already there (a push whose reply was lost): drop it. */
		if (!git_oid_equal(&tid, git_commit_tree_id(base)) &&
		    (rc = git_commit_create(&cur, repo, NULL,
		    git_commit_author(c), committer,
		    git_commit_message_encoding(c), git_commit_message(c),
		    tree, 1, (const git_commit **)&base)) != 0)
			rc = lc_git_error(rc, "replay");
		git_tree_free(tree);
		tree = NULL;
		git_index_free(index);
		index = NULL;
		git_commit_free(c);
		git_commit_free(base);
		c = base = NULL;
	}
	git_index_free(index);
	git_commit_free(c);
	git_commit_free(base);
	if (rc == 0)
		git_oid_cpy(out, &cur);
	return rc;
}

struct pushstate {
	struct lc_git_auth *auth;	/* first: the credentials callback */
	const char *ref;
	int seen;
	char *status;		/* the server's for ref (heap), "" for ok */
	struct lc_buf *detail;
	const git_oid *lease;	/* forced push: the remote must still be here */
	int lease_set, lease_lost;
	struct lc_buf tail;	/* past DETAIL_HEAD: the latest text */
	size_t cut;		/* bytes left out between the two */
};

/*
 * How much of the remote's sideband text a push keeps: the start and the
 * end, since a hook says why it declined last, after whatever it printed.
 */
#define DETAIL_HEAD (32 * 1024)
#define DETAIL_TAIL (32 * 1024)

/* --force-with-lease: the advertised old value must be the one we saw. */
static int
on_negotiation(const git_push_update **u, size_t n, void *data)
{
	struct pushstate *ps = data;
	size_t i;

	for (i = 0; i < n; i++) {
		if (strcmp(u[i]->dst_refname, ps->ref) != 0)
			continue;
		if (ps->lease_set ? !git_oid_equal(&u[i]->src, ps->lease) :
		    !git_oid_is_zero(&u[i]->src)) {
			ps->lease_lost = 1;
			return GIT_EUSER;
		}
	}
	return 0;
}

static int
on_update(const char *refname, const char *status, void *data)
{
	struct pushstate *ps = data;

	if (strcmp(refname, ps->ref) == 0) {
		ps->seen = 1;
		free(ps->status);
		ps->status = lc_buf_xstrndup(status ? status : "",
		    status ? strlen(status) : 0);
	}
	return 0;
}

static int
on_sideband(const char *str, int len, void *data)
{
	struct pushstate *ps = data;

	struct lc_buf *t = &ps->tail;
	size_t n = (size_t)len, k;

	/*
	 * The remote's own words (a hook's message). A bounded amount, since
	 * a server may send any amount: the first DETAIL_HEAD bytes and the
	 * last DETAIL_TAIL, and the cut between them is said (keep_tail).
	 */
	if (ps->detail->len < DETAIL_HEAD) {
		k = DETAIL_HEAD - ps->detail->len;
		k = k < n ? k : n;
		lc_buf_add(ps->detail, str, k);
		str += k;
		n -= k;
	}
	if (n == 0)
		return 0;
	lc_buf_add(t, str, n);
	if (t->len >= 2 * DETAIL_TAIL) {
		ps->cut += t->len - DETAIL_TAIL;
		memmove(t->data, t->data + t->len - DETAIL_TAIL, DETAIL_TAIL);
		t->len = DETAIL_TAIL;
		t->data[t->len] = '\0';
	}
	return 0;
}

/* After the push: the kept end of the sideband text joins the start. */
static void
keep_tail(struct pushstate *ps)
{
	struct lc_buf *t = &ps->tail;
	size_t off = 0;
	const char *nl;

	if (t->len > DETAIL_TAIL) {
		off = t->len - DETAIL_TAIL;
		ps->cut += off;
	}
	/* From a line's start, when something was left out before it. */
	if (ps->cut > 0 && (nl = memchr(t->data + off, '\n', t->len - off))
	    != NULL) {
		ps->cut += (size_t)(nl + 1 - (t->data + off));
		off = (size_t)(nl + 1 - t->data);
	}
	if (ps->cut > 0)
		lc_buf_printf(ps->detail, "%s[%zu bytes left out]\n",
		    ps->detail->len > 0 && ps->detail->data[ps->detail->len -
		    1] != '\n' ? "\n" : "", ps->cut);
	if (t->len > off)
		lc_buf_add(ps->detail, t->data + off, t->len - off);
	lc_buf_release(t);
}

/* Whether s contains one of words, ignoring ASCII case. */
static int
has(const char *s, const char *const *words)
{
	const char *p;
	size_t i;

	for (; *words; words++)
		for (p = s; *p; p++) {
			for (i = 0; (*words)[i] && p[i] &&
			    tolower((unsigned char)p[i]) ==
			    tolower((unsigned char)(*words)[i]); i++)
				;
			if ((*words)[i] == '\0')
				return 1;
		}
	return 0;
}

enum lc_git_outcome
lc_git_classify(const char *status, const char *sideband)
{
	/* Every way servers say "someone else moved the branch first". */
	static const char *const race[] = { "failed to update ref",
	    "failed to lock", "cannot lock", "incorrect old value", "fetch first",
	    "non-fast-forward", "stale info", NULL };
	/* GitHub, GitLab and Gitea refusing the user rather than the content. */
	static const char *const denied[] = { "protected branch",
	    "protected ref", "permission", "not allowed to push", "denied to ",
	    "insufficient", NULL };

	if (sideband == NULL)
		sideband = "";
	if (has(status, race) || has(sideband, race))
		return LC_GIT_RACE;
	if (has(status, denied) || has(sideband, denied))
		return LC_GIT_DENIED;
	return LC_GIT_DECLINED;
}

enum lc_git_outcome
lc_git_fetch_outcome(int rc)
{
	switch (rc) {
	case LC_EAUTH:
		return LC_GIT_AUTH;
	case LC_EUNAVAIL:
		return LC_GIT_NETWORK;
	case LC_ETIMEOUT:
		return LC_GIT_TIMEOUT;
	default:
		return LC_GIT_FAILED;
	}
}

static enum lc_git_outcome push_to(git_remote *remote, const char *src,
    const char *dst, struct lc_buf *detail, struct lc_git_auth *auth,
    int force, const git_oid *lease);

/*
 * A push, forced with a lease or not. Local remotes too go through
 * push_to: git receive-pack does the compare-and-swap there, as servers do.
 */
static enum lc_git_outcome
push(git_remote *remote, const char *src, const char *branch, int force,
    const git_oid *lease, struct lc_buf *detail, struct lc_git_auth *auth)
{
	struct lc_buf dst = LC_BUF_INIT;
	enum lc_git_outcome oc;

	lc_buf_printf(&dst, "refs/heads/%s", branch);
	oc = push_to(remote, src, dst.data, detail, auth, force, lease);
	lc_buf_release(&dst);
	return oc;
}

enum lc_git_outcome
lc_git_push(git_remote *remote, const char *src, const char *branch,
    struct lc_buf *detail, struct lc_git_auth *auth)
{
	return push(remote, src, branch, 0, NULL, detail, auth);
}

enum lc_git_outcome
lc_git_push_lease(git_remote *remote, const char *src, const char *branch,
    const git_oid *lease, struct lc_buf *detail, struct lc_git_auth *auth)
{
	return push(remote, src, branch, 1, lease, detail, auth);
}

static enum lc_git_outcome
push_to(git_remote *remote, const char *src, const char *dst,
    struct lc_buf *detail, struct lc_git_auth *auth, int force,
    const git_oid *lease)
{
	git_push_options opts;
	struct pushstate ps;
	struct lc_buf hdr = LC_BUF_INIT, spec = LC_BUF_INIT;
	enum lc_git_outcome oc;
	const char *url;
	char *headers[1];
	char *specs[1];
	git_strarray refspecs = { specs, 1 };
	int rc;

	memset(&ps, 0, sizeof(ps));
	lc_buf_init(&ps.tail);
	git_push_options_init(&opts, GIT_PUSH_OPTIONS_VERSION);
	ps.detail = detail;
	ps.auth = auth;
	ps.ref = dst;
	lc_buf_printf(&spec, "%s%s:%s", force ? "+" : "", src, dst);
	specs[0] = spec.data;
	if (force) {
		ps.lease = lease;
		ps.lease_set = lease != NULL;
		opts.callbacks.push_negotiation = on_negotiation;
	}
	opts.callbacks.push_update_reference = on_update;
	opts.callbacks.sideband_progress = on_sideband;
	opts.callbacks.payload = &ps;
	url = git_remote_pushurl(remote) ? git_remote_pushurl(remote) :
	    git_remote_url(remote);
	prepare(&opts.callbacks, &opts.custom_headers, &opts.follow_redirects,
	    auth, &hdr, headers, url);
	rc = git_remote_push(remote, &refspecs, &opts);
	keep_tail(&ps);
	wipe(&hdr);
	lc_buf_release(&spec);
	if (ps.lease_lost) {
		lc_error_set(LC_ERROR, "push: '%s' moved on the remote since "
		    "our fetch (lease lost)", dst);
		oc = LC_GIT_RACE;
	} else if (rc == GIT_ENONFASTFORWARD) {
		lc_git_error(rc, "push");
		oc = LC_GIT_STALE;
	} else if (rc != 0 && auth && auth->refused) {
		auth_error(auth, "push");
		oc = LC_GIT_AUTH;
	} else if (rc != 0) {
		rc = lc_git_error(rc, "push");
		if (detail->data && lc_git_classify("", detail->data) ==
		    LC_GIT_RACE)
			oc = LC_GIT_RACE;
		else
			oc = rc == LC_EAUTH ? LC_GIT_AUTH : rc == LC_EUNAVAIL ?
			    LC_GIT_NETWORK : rc == LC_ETIMEOUT ? LC_GIT_TIMEOUT :
			    LC_GIT_FAILED;
	} else if (!ps.seen) {
		lc_error_set(LC_ERROR, "push: the server did not report "
		    "'%s'", ps.ref);
		oc = LC_GIT_FAILED;
	} else if (ps.status[0] == '\0')
		oc = LC_GIT_LANDED;
	else {
		lc_error_set(LC_ERROR, "push rejected: %s", ps.status);
		oc = lc_git_classify(ps.status, detail->data);
	}
	free(ps.status);
	return oc;
}

int
lc_git_outcome_rc(enum lc_git_outcome oc, const struct lc_buf *detail,
    const char *why)
{
	switch (oc) {
	case LC_GIT_STALE:
	case LC_GIT_RACE:
		return lc_error_set(LC_ECONFLICT, "%s %s",
		    lc_git_outcome_name(oc), why);
	case LC_GIT_NETWORK:
		return LC_EUNAVAIL;
	case LC_GIT_TIMEOUT:
		lc_log_lines("remote", detail);
		return LC_ETIMEOUT;
	case LC_GIT_AUTH:
	case LC_GIT_DENIED:
		lc_log_lines("remote", detail);
		return LC_EAUTH;
	default:
		lc_log_lines("remote", detail);
		return LC_ERROR;
	}
}

int
lc_git_retryable(enum lc_git_outcome oc)
{
	return oc == LC_GIT_STALE || oc == LC_GIT_RACE || oc == LC_GIT_NETWORK;
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

const char *
lc_git_outcome_name(enum lc_git_outcome oc)
{
	switch (oc) {
	case LC_GIT_STALE:
		return "the branch moved (stale tip)";
	case LC_GIT_RACE:
		return "lost the race on the server";
	case LC_GIT_NETWORK:
		return "network error";
	case LC_GIT_TIMEOUT:
		return "the deadline passed";
	default:
		return "rejected";
	}
}
