/*
 * planted.c: a complete registry plugin (it claims "planted.test") whose
 * constructor creates the file $GITOPS_TEST_MARKER: the loader tests plant
 * it where it must not be loaded and check that the file never appears.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "registry.h"

__attribute__((constructor)) static void
planted(void)
{
	const char *m = getenv("GITOPS_TEST_MARKER");
	int fd;

	if (m != NULL && *m && (fd = open(m, O_WRONLY | O_CREAT | O_APPEND,
	    0644)) >= 0) {
		(void)write(fd, "planted ran\n", 12);
		close(fd);
	}
}

static int
match(const char *registry)
{
	return strncmp(registry, "planted.test", 12) == 0;
}

/* The answer names what the host handed over (for the credential tests). */
static char answer[256] = "the planted plugin answered";

static void *
open_(const struct lc_reg_host *h, const struct lc_reg_conf *c, char *err,
    size_t n)
{
	char *user = NULL, *secret = NULL;

	(void)err;
	(void)n;
	if (getenv("GITOPS_TEST_CREDS") != NULL) {
		if (h->credentials(c->registry, &user, &secret) == 0)
			snprintf(answer, sizeof(answer), "the planted plugin "
			    "answered: user %s, secret of %zu bytes ending %s",
			    user, strlen(secret), secret + (strlen(secret) > 4 ?
			    strlen(secret) - 4 : 0));
		else
			snprintf(answer, sizeof(answer), "the planted plugin "
			    "answered: no credentials");
		h->free(user);
		h->free(secret);
	}
	if (getenv("GITOPS_TEST_CACHE") != NULL && h->cache_dir != NULL)
		snprintf(answer, sizeof(answer), "the planted plugin answered: "
		    "cache directory of %zu bytes ending %s",
		    strlen(h->cache_dir), h->cache_dir +
		    (strlen(h->cache_dir) > 20 ? strlen(h->cache_dir) - 20 : 0));
	return (void *)&match;
}

static void
close_(void *i)
{
	(void)i;
}

static const char *
error(void *i)
{
	(void)i;
	return answer;
}

static int
resolve(void *i, const char *repo, const char *ref, struct lc_reg_desc *d)
{
	(void)i;
	(void)repo;
	(void)ref;
	(void)d;
	return LC_REG_UNSUPPORTED;
}

static const struct lc_reg_plugin plugin = {
	LC_REG_ABI_MAJOR, LC_REG_ABI_MINOR, sizeof(struct lc_reg_plugin),
	"planted", 10, match, open_, close_, error, NULL, resolve, NULL, NULL,
	NULL, NULL, NULL
};

__attribute__((visibility("default"))) const struct lc_reg_plugin *
gitops_registry_plugin_v1(unsigned major, unsigned minor)
{
	(void)minor;
	return major == LC_REG_ABI_MAJOR ? &plugin : NULL;
}
