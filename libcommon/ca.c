/* ca.c: the certificate authorities the environment names, checked. */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ca.h"
#include "error.h"

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
