/* git_int.h: what git.c shares with git_local.c and git_tls.c; not for commands. */
#ifndef LC_GIT_INT_H
#define LC_GIT_INT_H

#include <git2.h>

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

#endif
