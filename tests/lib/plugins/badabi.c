/* badabi.c: a test plugin built for another ABI major (the loader refuses it). */
#include "registry.h"

static const struct lc_reg_plugin plugin = {
	LC_REG_ABI_MAJOR + 1, 0, sizeof(struct lc_reg_plugin), "badabi", 100,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0
};

__attribute__((visibility("default"))) const struct lc_reg_plugin *
gitops_registry_plugin_v1(unsigned major, unsigned minor)
{
	(void)major;
	(void)minor;
	return &plugin;
}
