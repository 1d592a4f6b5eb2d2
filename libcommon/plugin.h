/* plugin.h: load registry plugins (dlopen) and open a registry through one. */
#ifndef LC_PLUGIN_H
#define LC_PLUGIN_H

#include <stddef.h>

#include "registry.h"

/*
 * Load the plugins (from GITOPS_PLUGIN_PATH, a colon list of directories,
 * else the install's plugin directory), pick the one whose match() takes
 * registry with the highest priority (else "oci"), and open registry
 * through it. Plugins are loaded only from directories that, with every
 * parent, are owned by root or the effective user and not writable by
 * group or others (a sticky parent such as /tmp may be), through a
 * descriptor opened without following links and checked (regular file,
 * owner, mode, the entry symbol in its ELF dynamic symbols) before any of
 * its code runs; gitops-registry(7) has the rules. Each refusal is a
 * warning naming the directory or file, the check that failed and the fix.
 * Returns 0 or LC_E* with a message; *out is closed with
 * lc_registry_close.
 */
int lc_plugin_open(struct lc_registry **out, const char *registry,
    const struct lc_registry_opts *o);

#endif
