/* git_int.h: what the git*.c files share; not for commands. */
#ifndef LC_GIT_INT_H
#define LC_GIT_INT_H

#include <git2.h>

#include "buf.h"
#include "git.h"

/*
 * The directory a local remote names (heap): a file:///path URL, or a
 * path as git reads one (no "scheme://", no "host:" before the first
 * slash). NULL for any other URL.
 */
char *lc_git_local_path(const char *url);

/*
 * A git_transport_cb for local remotes: the smart protocol spoken to
 * git upload-pack and git receive-pack run on the repository over a
 * socket pair, as git itself does, so the remote's hooks and receive.*
 * settings apply. payload is unused.
 */
int lc_git_local_transport(git_transport **out, git_remote *owner,
    void *payload);

/*
 * Before a fetch or push: forget that the last one stopped at the
 * deadline (lc_git_deadline).
 */
void lc_git_local_start(void);
/* Whether the local transport stopped the operation at the deadline. */
int lc_git_local_timed_out(void);
/* The deadline of lc_git_deadline (lc_clock_ms time), 0 for none. */
long long lc_git_deadline_at(void);

/*
 * Whether the X.509 certificate cert (DER, len bytes) that libgit2 found
 * invalid for host is valid after all because host is an IP address:
 * the certificate names host in an iPAddress subjectAltName and verifies
 * against the trusted CAs (ca_file, NULL for none, and /etc/ssl/certs)
 * with nothing else wrong. Always 0 when libgit2 does TLS with a library
 * that matches IP addresses itself.
 */
int lc_git_cert_ip_ok(const void *cert, size_t len, const char *host,
    const char *ca_file, const char *ca_dir);

/* Whether host is an IPv4 or IPv6 address (brackets allowed). */
int lc_git_host_is_ip(const char *host);
/* Whether lc_git_cert_ip_ok decides at IP addresses (libgit2 on mbedTLS). */
int lc_git_ip_checked_here(void);

/*
 * What fetch and push both set up: the callbacks, the auth header, and
 * for a local remote (url) git's own upload-pack and receive-pack.
 */
void lc_git_prepare(git_remote_callbacks *cb, git_strarray *custom,
    git_remote_redirect_t *follow, struct lc_git_auth *auth,
    struct lc_buf *hdr, char **headers, const char *url);
/* Zero and release the auth header of lc_git_prepare. */
void lc_git_wipe(struct lc_buf *hdr);
/* The error for credentials the server refused (auth->refused). */
int lc_git_auth_error(struct lc_git_auth *a, const char *what);
/* The command's option for a CA file, for messages (NULL: none). */
extern const char *lc_git_ca_flag;
/* The last certificate refused was for an IP address (for the message). */
extern int lc_git_ip_refused;

#endif
