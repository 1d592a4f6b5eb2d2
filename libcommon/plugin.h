/* plugin.h: load registry plugins (dlopen) and give them the host services. */
#ifndef LC_PLUGIN_H
#define LC_PLUGIN_H

#include <stddef.h>

#include "registry.h"

/*
 * The plugin for registry: load the plugins once (from GITOPS_PLUGIN_PATH,
 * a colon list of directories, else the install's plugin directory) and
 * pick the one whose match() takes registry with the highest priority,
 * else "oci". Plugins are loaded only from directories that, with every
 * parent, are owned by root or the effective user and not writable by
 * group or others (a sticky parent such as /tmp may be), through a
 * descriptor opened without following links and checked (regular file,
 * owner, mode, the entry symbol in its ELF dynamic symbols) before any of
 * its code runs; gitops-registry(7) has the rules. Each refusal is a
 * warning naming the directory or file, the check that failed and the fix.
 * Returns 0, or LC_ERROR when no plugin (not even "oci") was found.
 */
int lc_plugin_find(const struct lc_reg_plugin **out, const char *registry);

/*
 * The host services every plugin gets (logging, HTTP, running a program,
 * credentials), set up on the first call from o (its CA and TLS settings;
 * later calls keep the first client), then the CA settings checked unless
 * o->plain_http. Returns 0, or LC_EUSAGE for a CA that cannot be read.
 */
int lc_plugin_host(const struct lc_reg_host **out,
    const struct lc_registry_opts *o);

/*
 * Whether a host HTTP request failed since the last call because of the
 * user's settings (a CA), so that the failure is a usage error; resets it.
 */
int lc_plugin_http_usage(void);

#endif
