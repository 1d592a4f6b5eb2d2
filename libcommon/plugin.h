/* plugin.h: load registry plugins (dlopen) and reach a registry through one. */
#ifndef LC_PLUGIN_H
#define LC_PLUGIN_H

#include <stddef.h>

#include "registry.h"

struct lc_registry_opts {
	int plain_http;			/* force http:// (loopback is by default) */
	int insecure;			/* do not verify TLS */
	const char *ca_file;
	const char *ca_flag;		/* its option (--ca-file), for messages */
	const char *username, *password;
	int no_token_cache;
	/* The fix when the registry speaks the other scheme (http.h). */
	const char *plain_hint, *tls_hint;
};

struct lc_registry;

/*
 * Load the plugins (from GITOPS_PLUGIN_PATH, a colon list of directories,
 * else the install's plugin directory), pick the one whose match() takes
 * registry with the highest priority (else "oci"), and open it. Plugins are
 * loaded only from directories that, with every parent, are owned by root
 * or the effective user and not writable by group or others (a sticky
 * parent such as /tmp may be), through a descriptor opened without
 * following links and checked (regular file, owner, mode, the entry symbol
 * in its ELF dynamic symbols) before any of its code runs; gitops-registry(7)
 * has the rules. Each refusal is a warning naming the directory or file,
 * the check that failed and the fix. Returns 0 or LC_E* with a message.
 */
int lc_registry_open(struct lc_registry **out, const char *registry,
    const struct lc_registry_opts *o);
void lc_registry_close(struct lc_registry *r);
const char *lc_registry_plugin(const struct lc_registry *r);

/* The plugin's operations, with LC_E* codes and the plugin's message. */
int lc_registry_repository(struct lc_registry *r, const char *path, char *out,
    size_t n);
int lc_registry_resolve(struct lc_registry *r, const char *repo,
    const char *ref, struct lc_reg_desc *out);
int lc_registry_get(struct lc_registry *r, const char *repo, const char *ref,
    char **bytes, size_t *len, struct lc_reg_desc *out);
int lc_registry_put(struct lc_registry *r, const char *repo, const char *ref,
    const void *bytes, size_t len, const char *media_type,
    struct lc_reg_desc *out);
int lc_registry_mount(struct lc_registry *r, const char *dst, const char *src,
    const char *digest);
int lc_registry_tags(struct lc_registry *r, const char *repo,
    int (*fn)(void *arg, const char *tag), void *arg);

/* A blob's bytes (an image config); LC_E* when the plugin has no get_blob. */
int lc_registry_get_blob(struct lc_registry *r, const char *repo,
    const char *digest, char **bytes, size_t *len);

/* Whether a manifest media type is an index (OCI or Docker list). */
int lc_registry_is_index(const char *media_type);

/*
 * Tag the manifest ref of src as dst_tag in dst (same registry), byte for
 * byte: for another repository its blobs are mounted first (and, for an
 * index, each platform's manifest copied by digest). *out describes what
 * the registry stored; its digest is checked against the source's.
 */
int lc_registry_copy(struct lc_registry *r, const char *src, const char *ref,
    const char *dst, const char *dst_tag, struct lc_reg_desc *out);

#endif
