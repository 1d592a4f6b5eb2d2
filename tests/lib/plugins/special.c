/*
 * special.c: a test plugin that claims "special.test" registries and fails
 * every call with a fixed message, to show which plugin the loader picked.
 */
#include <stdio.h>
#include <string.h>

#include "registry.h"

static int
match(const char *registry)
{
	return strncmp(registry, "special.test", 12) == 0;
}

static void *
open_(const struct lc_reg_host *h, const struct lc_reg_conf *c, char *err,
    size_t n)
{
	(void)h;
	(void)c;
	(void)err;
	(void)n;
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
	return "the special plugin answered";
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
	"special", 10, match, open_, close_, error, NULL, resolve, NULL, NULL,
	NULL, NULL, NULL
};

__attribute__((visibility("default"))) const struct lc_reg_plugin *
gitops_registry_plugin_v1(unsigned major, unsigned minor)
{
	(void)minor;
	return major == LC_REG_ABI_MAJOR ? &plugin : NULL;
}
