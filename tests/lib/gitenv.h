/* gitenv.h: a temporary directory as HOME, with fixed identities, for the unit tests that run git. */
#ifndef GITENV_H
#define GITENV_H

#include <stdio.h>
#include <stdlib.h>

/*
 * Make dir (n bytes) a new directory $TMPDIR/name.XXXXXX and HOME, with
 * no system git config and the identity "t <t@example.com>". Returns 0,
 * -1 when the directory cannot be made.
 */
static int
gitenv(char *dir, size_t n, const char *name)
{
	snprintf(dir, n, "%s/%s.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") :
	    "/tmp", name);
	if (mkdtemp(dir) == NULL)
		return -1;
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	setenv("HOME", dir, 1);
	setenv("GIT_AUTHOR_NAME", "t", 1);
	setenv("GIT_AUTHOR_EMAIL", "t@example.com", 1);
	setenv("GIT_COMMITTER_NAME", "t", 1);
	setenv("GIT_COMMITTER_EMAIL", "t@example.com", 1);
	return 0;
}

#endif
