/* git_auth.c: credentials, CAs and certificates for a fetch or push. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base64.h"
#include "ca.h"
#include "error.h"
#include "fileio.h"
#include "git.h"
#include "git_int.h"
#include "log.h"

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
const char *lc_git_ca_flag;
/* The last certificate refused was for an IP address (for the message). */
int lc_git_ip_refused;

int
lc_git_ca(const char *file, const char *flag, const char *url, int insecure)
{
	struct lc_ca ca;
	const git_error *e;
	int rc;

	lc_git_ca_flag = flag;
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

	lc_git_ip_refused = 0;
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
		lc_git_ip_refused = 1;
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
	lc_buf_adds(hdr, "Authorization: Basic ");
	lc_base64_basic(hdr, a->user, strlen(a->user), a->secret,
	    strlen(a->secret));
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

int
lc_git_auth_error(struct lc_git_auth *a, const char *what)
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

/*
 * What fetch and push both set up: the callbacks, the auth header, and
 * for a local remote (url) git's own upload-pack and receive-pack
 * (git_local.c says why).
 */
void
lc_git_prepare(git_remote_callbacks *cb, git_strarray *custom,
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

void
lc_git_wipe(struct lc_buf *hdr)
{
	if (hdr->data)
		memset(hdr->data, 0, hdr->len);
	lc_buf_release(hdr);
}
