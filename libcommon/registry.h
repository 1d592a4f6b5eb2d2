/* registry.h: the registry plugin ABI, and its host side (registry.c). */
#ifndef LC_REGISTRY_H
#define LC_REGISTRY_H

#include <stddef.h>

/*
 * Versioning: a plugin is loaded only when its abi_major equals the host's;
 * abi_minor counts members appended to the structs below, and each side
 * checks `size` before touching a member newer than it knows
 * (LC_REG_HAS). Members are only ever appended, never reordered.
 * The major is also in the entry symbol's name: a v2 plugin has no v1 entry.
 */
#define LC_REG_ABI_MAJOR	1
#define LC_REG_ABI_MINOR	2
#define LC_REG_ENTRY		"gitops_registry_plugin_v1"

/* Whether the struct at p (with a size member) has member m. */
#define LC_REG_HAS(p, type, m) \
	((p)->size >= offsetof(type, m) + sizeof(((type *)0)->m))

/* What every call returns; the instance's error() says more. */
enum lc_reg_status {
	LC_REG_OK = 0,
	LC_REG_ERROR,		/* anything else (bad answer, 400) */
	LC_REG_NOTFOUND,	/* 404: no such tag, digest or repository */
	LC_REG_AUTH,		/* 401/403 after the auth retry; TLS refused */
	LC_REG_UNAVAIL,		/* 429/5xx/connection after retries */
	LC_REG_UNSUPPORTED	/* this plugin or registry cannot do it */
};

enum lc_reg_log { LC_REG_LOG_ERROR, LC_REG_LOG_WARN, LC_REG_LOG_INFO,
	LC_REG_LOG_DEBUG };

/* One HTTP exchange through the host's client (TLS, CA, retries). */
struct lc_reg_http_req {
	const char *method;		/* GET HEAD PUT POST DELETE */
	const char *url;
	const char *const *headers;	/* "Name: value", NULL-terminated */
	const void *body;
	size_t body_len;
	/* AWS Signature V4 ("aws:amz:REGION:SERVICE") with userpwd KEY:SECRET. */
	const char *aws_sigv4;
	const char *userpwd;
};

struct lc_reg_http_resp {
	long status;
	char *body;			/* NUL-terminated too; owned by the host */
	size_t body_len;
	char *headers;			/* "Name: value\n" lines, lower-case names */
};

/* Services the host hands to every plugin instance (plugins link nothing). */
struct lc_reg_host {
	unsigned abi_major, abi_minor;
	size_t size;
	void (*log)(enum lc_reg_log level, const char *msg);
	/* Mask this value in every later message (tokens, passwords). */
	void (*add_secret)(const char *secret);
	const char *(*get_env)(const char *name);
	/*
	 * Returns LC_REG_OK with resp filled for any HTTP status, or
	 * LC_REG_UNAVAIL/LC_REG_AUTH/LC_REG_ERROR with err filled. Free the
	 * answer with http_free.
	 */
	int (*http)(const struct lc_reg_http_req *req,
	    struct lc_reg_http_resp *resp, char *err, size_t errlen);
	void (*http_free)(struct lc_reg_http_resp *resp);
	/*
	 * Run argv (a credential helper), feed it input on stdin and return
	 * its stdout in *out (free with host->free). 0 or -1.
	 */
	int (*run)(const char *const argv[], const char *input, char **out);
	void *(*alloc)(size_t n);
	void (*free)(void *p);
	/* Where bearer tokens may be cached (mode 0700), or NULL. */
	const char *cache_dir;
	/*
	 * Credentials the user keeps for registry: ~/.docker/config.json
	 * (auths, credHelpers, credsStore) or REGISTRY_AUTH_FILE. Returns 0
	 * with *user and *secret (free with host->free), -1 when there are
	 * none.
	 */
	int (*credentials)(const char *registry, char **user, char **secret);
	/*
	 * (ABI 1.2) add_secret for a secret the plugin obtained itself (a
	 * token server's token, an exchanged one): the host also asks the
	 * CI runner to mask it (GitHub's ::add-mask::), once. add_secret is
	 * for what the user handed over, which the runner knows already.
	 */
	void (*add_own_secret)(const char *secret);
};

/* How the command wants one registry reached. */
struct lc_reg_conf {
	size_t size;
	const char *registry;		/* host[:port] as written in the reference */
	int plain_http;			/* http://, not https:// */
	const char *username;		/* explicit credentials, or NULL */
	const char *password;
	int no_token_cache;
};

/* A manifest as the registry stores it. */
struct lc_reg_desc {
	char digest[80];		/* sha256:<64 hex> */
	char media_type[128];
	long long size;
};

/*
 * A plugin: one `const` instance in the plugin's read-only data, returned
 * by the entry function `gitops_registry_plugin_v1(host_major, host_minor)`
 * (which may return NULL to refuse the host). Instances are opaque.
 */
struct lc_reg_plugin {
	unsigned abi_major, abi_minor;
	size_t size;
	const char *name;
	/* Higher wins among plugins whose match() accepts a registry host. */
	int priority;
	int (*match)(const char *registry);
	void *(*open)(const struct lc_reg_host *host,
	    const struct lc_reg_conf *conf, char *err, size_t errlen);
	void (*close)(void *inst);
	/* The message of the last failed call (owned by the instance). */
	const char *(*error)(void *inst);
	/* The registry's name for a repository (docker.io: library/...). */
	int (*repository)(void *inst, const char *path, char *out,
	    size_t outlen);
	/* HEAD (GET when needed) a tag or digest: digest, type, size. */
	int (*resolve)(void *inst, const char *repo, const char *ref,
	    struct lc_reg_desc *out);
	/* The raw bytes (free with host->free), checked against the digest. */
	int (*get_manifest)(void *inst, const char *repo, const char *ref,
	    char **bytes, size_t *len, struct lc_reg_desc *out);
	int (*put_manifest)(void *inst, const char *repo, const char *ref,
	    const void *bytes, size_t len, const char *media_type,
	    struct lc_reg_desc *out);
	/* Link a blob of src into dst without uploading it. */
	int (*mount_blob)(void *inst, const char *dst, const char *src,
	    const char *digest);
	/* Every tag (following Link pagination); fn returns nonzero to stop. */
	int (*list_tags)(void *inst, const char *repo,
	    int (*fn)(void *arg, const char *tag), void *arg);
	/*
	 * ABI 1.1: a (small) blob's bytes, such as an image's config (free
	 * with host->free), checked against the digest. A redirect to
	 * storage elsewhere is followed without the registry's credentials.
	 */
	int (*get_blob)(void *inst, const char *repo, const char *digest,
	    char **bytes, size_t *len);
};

typedef const struct lc_reg_plugin *(*lc_reg_entry_fn)(unsigned host_major,
    unsigned host_minor);

/*
 * The host's side, for commands (libcommon/registry.c): a registry reached
 * through its plugin. Plugins do not use these.
 */
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
 * Open c->registry through plugin p with the host services host: for
 * lc_plugin_open (plugin.h), which commands call. Returns 0, or LC_ERROR
 * with the plugin's reason.
 */
int lc_registry_new(struct lc_registry **out, const struct lc_reg_plugin *p,
    const struct lc_reg_host *host, const struct lc_reg_conf *c);
/*
 * The host's HTTP refused a request because of the user's settings (a
 * CA): the failure the plugin reports next is a usage error (exit 2).
 */
void lc_registry_usage_failure(void);
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
