/* plugin.c: load registry plugins (dlopen) and open a registry through one. */
#define _GNU_SOURCE		/* O_PATH */
#include <dirent.h>
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jv.h>

#include "base64.h"
#include "ci.h"
#include "jvutil.h"
#include "buf.h"
#include "error.h"
#include "fileio.h"
#include "http.h"
#include "log.h"
#include "plugin.h"
#include "registry.h"
#include "run.h"

#define PLUGIN_MAX_BODY	(16u << 20)

static struct lc_http *http;		/* one client: registries are per run */
static struct lc_reg_host host;
static char *cache_dir;		/* NULL without HOME and XDG_CACHE_HOME */

/* ---- host services ---------------------------------------------------- */

static void
h_log(enum lc_reg_log level, const char *msg)
{
	lc_log_line(level == LC_REG_LOG_ERROR ? LC_LOG_ERROR : level ==
	    LC_REG_LOG_WARN ? LC_LOG_WARN : level == LC_REG_LOG_INFO ?
	    LC_LOG_INFO : LC_LOG_DEBUG, msg);
}

/* The last request failed on the user's settings (LC_EUSAGE). */

static int
h_http(const struct lc_reg_http_req *q, struct lc_reg_http_resp *out,
    char *err, size_t errlen)
{
	struct lc_http_req req;
	struct lc_http_resp r = LC_HTTP_RESP_INIT;
	struct lc_buf hdrs = LC_BUF_INIT;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&req, 0, sizeof(req));
	req.method = q->method;
	req.url = q->url;
	req.headers = q->headers;
	req.body = q->body;
	req.body_len = q->body_len;
	req.aws_sigv4 = q->aws_sigv4;
	req.userpwd = q->userpwd;
	/*
	 * What a plugin asks for is small: a manifest (4 MiB at most), a
	 * config blob, a page of tags, a token. A hostile registry's endless
	 * or huge answer stops here, not after 256 MB in memory.
	 */
	req.max_body = PLUGIN_MAX_BODY;
	if ((rc = lc_http_request(http, &req, &r, &hdrs)) != 0) {
		snprintf(err, errlen, "%s", lc_error_msg() ? lc_error_msg() :
		    "HTTP failed");
		lc_error_clear();
		lc_http_resp_release(&r);
		lc_buf_release(&hdrs);
		/* The ABI has no "usage": the host remembers it (map()). */
		if (rc == LC_EUSAGE)
			lc_registry_usage_failure();
		return rc == LC_EAUTH ? LC_REG_AUTH : rc == LC_EUNAVAIL ||
		    rc == LC_ETIMEOUT ? LC_REG_UNAVAIL : LC_REG_ERROR;
	}
	out->status = r.status;
	out->body_len = r.body.len;
	out->body = r.body.data ? lc_buf_detach(&r.body) : lc_buf_xstrndup("",
	    0);
	out->headers = hdrs.data ? lc_buf_detach(&hdrs) : lc_buf_xstrndup("",
	    0);
	return LC_REG_OK;
}

static void
h_http_free(struct lc_reg_http_resp *r)
{
	free(r->body);
	free(r->headers);
	memset(r, 0, sizeof(*r));
}

/* Run argv without a shell, input on stdin, stdout into *out (10 s). */
static int
h_run(const char *const argv[], const char *input, char **out)
{
	struct lc_buf b = LC_BUF_INIT;
	int rc;

	rc = lc_run((char *const *)argv, input, input ? strlen(input) : 0, &b,
	    NULL, 10000);
	*out = b.data ? lc_buf_detach(&b) : lc_buf_xstrndup("", 0);
	/* The plugin says what a helper's failure means, not us. */
	if (rc != 0)
		lc_error_clear();
	return rc == 0 ? 0 : -1;
}

static void *
h_alloc(size_t n)
{
	return malloc(n);
}

static void
h_free(void *p)
{
	free(p);
}

static const char *
h_env(const char *name)
{
	return getenv(name);
}

/*
 * Whether an auths key names host: "https://host/v1/" -> "host" (docker's
 * ConvertToHostname).
 */
static int
key_is(const char *key, const char *host)
{
	const char *p = strstr(key, "://");
	size_t n;

	p = p ? p + 3 : key;
	n = strcspn(p, "/");
	return strlen(host) == n && strncmp(p, host, n) == 0;
}

static int
from_helper(const char *helper, const char *server, char **user,
    char **secret)
{
	struct lc_buf prog = LC_BUF_INIT;
	const char *argv[3];
	char *out = NULL;
	jv v;
	int rc = -1;

	lc_buf_printf(&prog, "docker-credential-%s", helper);
	argv[0] = prog.data;
	argv[1] = "get";
	argv[2] = NULL;
	if (h_run(argv, server, &out) != 0) {
		if (out && strstr(out, "credentials not found") == NULL)
			lc_log_warn("%s get %s failed: %.200s", prog.data, server,
			    out);
		free(out);
		lc_buf_release(&prog);
		return -1;
	}
	lc_buf_release(&prog);
	v = jv_parse(out);
	if (jv_get_kind(v) == JV_KIND_OBJECT && *lc_jvutil_str(v, "Secret")) {
		*user = lc_buf_xstrndup(lc_jvutil_str(v, "Username"),
		    strlen(lc_jvutil_str(v, "Username")));
		*secret = lc_buf_xstrndup(lc_jvutil_str(v, "Secret"),
		    strlen(lc_jvutil_str(v, "Secret")));
		rc = 0;
	}
	jv_free(v);
	free(out);
	return rc;
}

/* One docker/podman auth file: credHelpers, credsStore, auths. */
static int
from_file(const char *path, const char *registry, char **user, char **secret)
{
	struct lc_buf b = LC_BUF_INIT;
	char *up, *colon;
	const char *helper, *server, *auth;
	size_t n;
	jv cfg, auths, e;
	int it, rc = -1, hub = strcmp(registry, "docker.io") == 0;

	if (lc_fileio_read(&b, path) != 0) {
		lc_error_clear();
		return -1;
	}
	cfg = jv_parse_sized(b.data ? b.data : "", (int)b.len);
	lc_buf_release(&b);
	if (jv_get_kind(cfg) != JV_KIND_OBJECT) {
		lc_log_warn("%s: not a JSON object; skipped", path);
		jv_free(cfg);
		return -1;
	}
	server = hub ? "https://index.docker.io/v1/" : registry;
	e = lc_jvutil_get(cfg, "credHelpers");
	helper = jv_get_kind(e) == JV_KIND_OBJECT ? "" : NULL;
	if (helper) {
		jv h = jv_object_get(jv_copy(e), jv_string(hub ? "docker.io" :
		    registry));

		if (jv_get_kind(h) == JV_KIND_STRING)
			rc = from_helper(jv_string_value(h), server, user,
			    secret);
		jv_free(h);
	}
	jv_free(e);
	if (rc != 0 && *lc_jvutil_str(cfg, "credsStore"))
		rc = from_helper(lc_jvutil_str(cfg, "credsStore"), server, user,
		    secret);
	auths = lc_jvutil_get(cfg, "auths");
	if (rc != 0 && jv_get_kind(auths) == JV_KIND_OBJECT) {
		for (it = jv_object_iter(auths); rc != 0 &&
		    jv_object_iter_valid(auths, it);
		    it = jv_object_iter_next(auths, it)) {
			jv k = jv_object_iter_key(auths, it);
			const char *key = jv_string_value(k);
			int match = key_is(key, registry) || (hub &&
			    (key_is(key, "index.docker.io") ||
			    key_is(key, "registry-1.docker.io")));

			jv_free(k);
			if (!match)
				continue;
			e = jv_object_iter_value(auths, it);
			if (*(auth = lc_jvutil_str(e, "auth"))) {
				/* Sized to the value: no secret is ever cut. */
				n = lc_base64_decode_len(auth) + 1;
				up = lc_buf_xmalloc(n);
				lc_base64_decode(auth, up, n);
				if ((colon = strchr(up, ':')) != NULL) {
					*colon = '\0';
					*user = lc_buf_xstrndup(up, strlen(up));
					*secret = lc_buf_xstrndup(colon + 1,
					    strlen(colon + 1));
					rc = 0;
				}
				memset(up, 0, n);
				free(up);
			} else if (*lc_jvutil_str(e, "username")) {
				*user = lc_buf_xstrndup(lc_jvutil_str(e,
				    "username"),
				    strlen(lc_jvutil_str(e, "username")));
				*secret = lc_buf_xstrndup(lc_jvutil_str(e,
				    "password"),
				    strlen(lc_jvutil_str(e, "password")));
				rc = 0;
			}
			jv_free(e);
		}
	}
	jv_free(auths);
	jv_free(cfg);
	if (rc == 0)
		lc_log_debug("credentials for %s from %s", registry, path);
	return rc;
}

static int
h_credentials(const char *registry, char **user, char **secret)
{
	struct lc_buf path = LC_BUF_INIT;
	const char *v, *home = getenv("HOME");
	int rc;

	*user = *secret = NULL;
	if ((v = getenv("DOCKER_CONFIG")) != NULL && *v)
		lc_buf_printf(&path, "%s/config.json", v);
	else
		lc_buf_printf(&path, "%s/.docker/config.json", home ? home : "");
	if ((rc = from_file(path.data, registry, user, secret)) == 0)
		goto done;
	if ((v = getenv("REGISTRY_AUTH_FILE")) != NULL && *v &&
	    (rc = from_file(v, registry, user, secret)) == 0)
		goto done;
	if ((v = getenv("XDG_RUNTIME_DIR")) != NULL && *v) {
		path.len = 0;
		lc_buf_printf(&path, "%s/containers/auth.json", v);
		if ((rc = from_file(path.data, registry, user, secret)) == 0)
			goto done;
	}
	path.len = 0;
	if ((v = getenv("XDG_CONFIG_HOME")) != NULL && *v)
		lc_buf_printf(&path, "%s/containers/auth.json", v);
	else
		lc_buf_printf(&path, "%s/.config/containers/auth.json",
		    home ? home : "");
	rc = from_file(path.data, registry, user, secret);
done:
	lc_buf_release(&path);
	return rc;
}

/* ---- loading ---------------------------------------------------------- */

/*
 * Nothing is loaded from a place someone else could change between our
 * check and the load, or whose choice they could steer: each directory of
 * the plugin path is first walked as given (check_given(): no link and no
 * ".." in it may be someone else's to change), then resolved and walked
 * from / one component at a time without following links, and
 * every component is checked on its open descriptor (owner root or us; no
 * group or other write bit, except on a sticky parent such as /tmp, where
 * no one else may rename or remove what we own). Each file is opened
 * relative to its checked directory without following links, checked on
 * the descriptor, its ELF dynamic symbols read from that descriptor (a
 * file without the entry symbol is refused before its constructors could
 * run), and that same descriptor is what dlopen() maps, as
 * /proc/self/fd/N: the path is never used again.
 */

struct loaded {
	const struct lc_reg_plugin *p;
	char *path;
};

/* "writable by its group", "by others" or "by its group and others". */
static const char *
writers(mode_t m)
{
	return (m & 022) == 022 ? "its group and others" : m & 020 ?
	    "its group" : "others";
}

static const char *
chmod_arg(mode_t m)
{
	return (m & 022) == 022 ? "go-w" : m & 020 ? "g-w" : "o-w";
}

/*
 * Check one component of a plugin directory from its stat; last is the
 * plugin directory itself. Warns (naming entry, the GITOPS_PLUGIN_PATH
 * element) and returns -1 when it is unsafe.
 */
static int
check_st(const struct stat *st, const char *entry, const char *dir,
    int dirlen, int last)
{
	if (st->st_uid != 0 && st->st_uid != geteuid()) {
		lc_log_warn("%s: not loaded: directory %.*s is owned by uid "
		    "%u, not root or you; use a directory of your own", entry,
		    dirlen, dir, (unsigned)st->st_uid);
		return -1;
	}
	if ((st->st_mode & 022) && (last || !(st->st_mode & S_ISVTX))) {
		lc_log_warn("%s: not loaded: directory %.*s is writable by %s "
		    "(mode %04o); chmod %s %.*s", entry, dirlen, dir,
		    writers(st->st_mode), (unsigned)(st->st_mode & 07777),
		    chmod_arg(st->st_mode), dirlen, dir);
		return -1;
	}
	return 0;
}

/* The same on a descriptor. */
static int
check_dir(int fd, const char *entry, const char *dir, int dirlen, int last)
{
	struct stat st;

	if (fstat(fd, &st) != 0) {
		lc_log_warn("%s: not loaded: cannot check directory %.*s: %s",
		    entry, dirlen, dir, strerror(errno));
		return -1;
	}
	return check_st(&st, entry, dir, dirlen, last);
}

/* Does path have a ".." component? */
static int
has_dotdot(const char *path)
{
	const char *p;
	size_t len;

	for (p = path; *p; p += len + (p[len] == '/')) {
		len = strcspn(p, "/");
		if (len == 2 && p[0] == '.' && p[1] == '.')
			return 1;
	}
	return 0;
}

/*
 * Check the entry as given, before realpath() decides where it leads: a
 * link or a ".." inside a directory someone else may change would let
 * them choose which safe directory is loaded. The path (a relative one
 * taken against the current directory, whose chain is checked too) is
 * walked from / without following anything: each directory passes
 * check_st(); each symbolic link must be owned by root or us (it sits in a
 * directory that passed) and its target is walked the same way from where
 * the link is, as the kernel would. The walked prefix never holds a link,
 * so a ".." in a link's target is its real parent, already checked; a ".."
 * in the entry itself is refused. Returns 0 when safe, 1 when the
 * directory does not exist (silently), -1 after a warning.
 */
static int
check_given(const char *entry)
{
	struct lc_buf cur = LC_BUF_INIT, next = LC_BUF_INIT;
	struct stat st;
	char *rest, *cwd, *t;
	const char *p, *end;
	size_t len, slash, tsize;
	ssize_t k;
	int links = 0, rc = -1;

	if (has_dotdot(entry)) {
		lc_log_warn("%s: not loaded: it has a '..' component; give the "
		    "real path", entry);
		return -1;
	}
	if (entry[0] == '/')
		rest = lc_buf_xstrndup(entry, strlen(entry));
	else if ((cwd = getcwd(NULL, 0)) == NULL) {
		lc_log_warn("%s: not loaded: a relative directory, and the "
		    "current directory is unknown: %s; give an absolute path",
		    entry, strerror(errno));
		return -1;
	} else {
		lc_buf_printf(&next, "%s/%s", cwd, entry);
		free(cwd);
		rest = lc_buf_detach(&next);
	}
	if (lstat("/", &st) != 0 || check_st(&st, entry, "/", 1,
	    rest[strspn(rest, "/")] == '\0') != 0)
		goto out;
	lc_buf_adds(&cur, "");
	for (p = rest;;) {
		p += strspn(p, "/");
		if (*p == '\0')
			break;
		end = p + (len = strcspn(p, "/"));
		if (len == 1 && p[0] == '.') {
			p = end;
			continue;
		}
		if (len == 2 && p[0] == '.' && p[1] == '.') {
			/* Only from a link's target: cur is real and checked. */
			while (cur.len > 0 && cur.data[--cur.len] != '/')
				;
			cur.data[cur.len] = '\0';
			p = end;
			continue;
		}
		slash = cur.len;
		lc_buf_addc(&cur, '/');
		lc_buf_add(&cur, p, len);
		if (lstat(cur.data, &st) != 0) {
			if (errno == ENOENT || errno == ENOTDIR) {
				lc_log_debug("%s: no such plugin directory",
				    entry);
				rc = 1;
			} else
				lc_log_warn("%s: not loaded: cannot check %s: "
				    "%s", entry, cur.data, strerror(errno));
			goto out;
		}
		if (S_ISLNK(st.st_mode)) {
			if (st.st_uid != 0 && st.st_uid != geteuid()) {
				lc_log_warn("%s: not loaded: symbolic link %s "
				    "is owned by uid %u, not root or you; give "
				    "the real path", entry, cur.data,
				    (unsigned)st.st_uid);
				goto out;
			}
			if (++links > 40) {
				lc_log_warn("%s: not loaded: %s", entry,
				    strerror(ELOOP));
				goto out;
			}
			/* st_size is 0 for some (/proc); grow until it fits. */
			for (tsize = (size_t)st.st_size + 1;; tsize *= 2) {
				t = lc_buf_xmalloc(tsize);
				if ((k = readlink(cur.data, t, tsize)) < 0 ||
				    (size_t)k < tsize)
					break;
				free(t);
			}
			if (k < 0) {
				lc_log_warn("%s: not loaded: cannot read "
				    "symbolic link %s: %s", entry, cur.data,
				    strerror(errno));
				free(t);
				goto out;
			}
			/* Its target, then what followed it. */
			lc_buf_add(&next, t, (size_t)k);
			lc_buf_addc(&next, '/');
			lc_buf_adds(&next, end);
			free(t);
			free(rest);
			rest = lc_buf_detach(&next);
			p = rest;
			cur.len = rest[0] == '/' ? 0 : slash;
			cur.data[cur.len] = '\0';
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			lc_log_debug("%s: no such plugin directory", entry);
			rc = 1;
			goto out;
		}
		if (check_st(&st, entry, cur.data, (int)cur.len,
		    end[strspn(end, "/")] == '\0') != 0)
			goto out;
		p = end;
	}
	rc = 0;
out:
	free(rest);
	lc_buf_release(&cur);
	return rc;
}

/*
 * Open the plugin directory entry (an element of the plugin path) for
 * reading after checking it and every parent up to /. Returns the
 * directory's descriptor, or -1: silently when it does not exist, else
 * after a warning.
 */
static int
open_dir(const char *entry)
{
	char *r, *p, *end, *name;
	int fd, nfd, last, err;

	if (check_given(entry) != 0)
		return -1;
	if ((r = realpath(entry, NULL)) == NULL) {
		if (errno == ENOENT || errno == ENOTDIR)
			lc_log_debug("%s: no such plugin directory", entry);
		else
			lc_log_warn("%s: not loaded: %s", entry,
			    strerror(errno));
		return -1;
	}
	/* Parents need only be searched: O_PATH; the last one is read. */
	fd = open("/", (r[1] == '\0' ? O_RDONLY : O_PATH) | O_DIRECTORY |
	    O_CLOEXEC);
	if (fd < 0) {
		lc_log_warn("%s: not loaded: cannot open /: %s", entry,
		    strerror(errno));
		free(r);
		return -1;
	}
	if (check_dir(fd, entry, "/", 1, r[1] == '\0') != 0)
		goto fail;
	/* realpath() gives no empty components and no trailing slash. */
	for (p = r + 1; *p != '\0'; p = end + (*end == '/')) {
		end = p + strcspn(p, "/");
		last = *end == '\0';
		name = lc_buf_xstrndup(p, (size_t)(end - p));
		nfd = openat(fd, name, (last ? O_RDONLY : O_PATH) |
		    O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		err = errno;
		free(name);
		close(fd);
		if ((fd = nfd) < 0) {
			/* ELOOP: a component became a link since realpath(). */
			lc_log_warn("%s: not loaded: cannot open directory "
			    "%.*s: %s", entry, (int)(end - r), r, err == ELOOP ?
			    "it became a symbolic link while being checked" :
			    strerror(err));
			free(r);
			return -1;
		}
		if (check_dir(fd, entry, r, (int)(end - r), last) != 0)
			goto fail;
	}
	free(r);
	return fd;
fail:
	close(fd);
	free(r);
	return -1;
}

/* ---- the ELF check: does the file export the entry symbol? ----------- */

/*
 * The file is read as attacker input: every offset and size is checked
 * against the file's size before it is read, and nothing is trusted to be
 * aligned or consistent.
 */
struct elf {
	int fd;
	uint64_t size;
	int is64;
};

static int
elf_read(const struct elf *e, uint64_t off, void *p, uint64_t n)
{
	ssize_t k;

	if (off > e->size || n > e->size - off)
		return -1;
	while (n > 0) {
		if ((k = pread(e->fd, p, n, (off_t)off)) <= 0) {
			if (k < 0 && errno == EINTR)
				continue;
			return -1;
		}
		p = (char *)p + k;
		off += (uint64_t)k;
		n -= (uint64_t)k;
	}
	return 0;
}

/* A section header of either class, widened. */
struct shdr {
	uint32_t type, link;
	uint64_t off, size, entsize;
};

static int
elf_shdr(const struct elf *e, uint64_t shoff, uint64_t entsize, uint64_t i,
    struct shdr *out)
{
	Elf64_Shdr s64;
	Elf32_Shdr s32;
	uint64_t off;

	if (i > (UINT64_MAX - shoff) / entsize)
		return -1;
	off = shoff + i * entsize;
	if (e->is64) {
		if (elf_read(e, off, &s64, sizeof(s64)) != 0)
			return -1;
		out->type = s64.sh_type;
		out->link = s64.sh_link;
		out->off = s64.sh_offset;
		out->size = s64.sh_size;
		out->entsize = s64.sh_entsize;
	} else {
		if (elf_read(e, off, &s32, sizeof(s32)) != 0)
			return -1;
		out->type = s32.sh_type;
		out->link = s32.sh_link;
		out->off = s32.sh_offset;
		out->size = s32.sh_size;
		out->entsize = s32.sh_entsize;
	}
	return 0;
}

/* Whether dynamic symbol i is a defined, exported function named name. */
static int
elf_sym_is(const struct elf *e, const unsigned char *syms, uint64_t entsize,
    uint64_t i, const char *strs, uint64_t strsize, const char *name)
{
	Elf64_Sym s64;
	Elf32_Sym s32;
	uint32_t nm;
	unsigned info, other, shndx;
	size_t len = strlen(name);

	if (e->is64) {
		memcpy(&s64, syms + i * entsize, sizeof(s64));
		nm = s64.st_name;
		info = s64.st_info;
		other = s64.st_other;
		shndx = s64.st_shndx;
	} else {
		memcpy(&s32, syms + i * entsize, sizeof(s32));
		nm = s32.st_name;
		info = s32.st_info;
		other = s32.st_other;
		shndx = s32.st_shndx;
	}
	if (nm >= strsize || strsize - nm <= len ||
	    memcmp(strs + nm, name, len + 1) != 0)
		return 0;
	return shndx != SHN_UNDEF && ELF64_ST_TYPE(info) == STT_FUNC &&
	    (ELF64_ST_BIND(info) == STB_GLOBAL ||
	    ELF64_ST_BIND(info) == STB_WEAK) &&
	    (ELF64_ST_VISIBILITY(other) == STV_DEFAULT ||
	    ELF64_ST_VISIBILITY(other) == STV_PROTECTED);
}

/*
 * Whether the ELF file on fd (size bytes) exports the function name in its
 * dynamic symbol table (.dynsym, found through the section headers, which
 * every linker writes). 1 if so; 0, with why filled in, if not.
 */
static int
elf_exports(int fd, uint64_t size, const char *name, char *why, size_t n)
{
	static const char corrupt[] = "its ELF headers are truncated or "
	    "corrupt";
	unsigned char id[EI_NIDENT], *syms = NULL;
	char *strs = NULL;
	struct elf e = { fd, size, 0 };
	Elf64_Ehdr h64;
	Elf32_Ehdr h32;
	struct shdr sh, st, s0;
	uint64_t shoff, shentsize, shnum, i, symsz, nsyms;
	unsigned type;
	int found = 0;
	const union { uint16_t u; unsigned char c[2]; } endian = { 1 };

	if (elf_read(&e, 0, id, sizeof(id)) != 0 ||
	    memcmp(id, ELFMAG, SELFMAG) != 0) {
		snprintf(why, n, "not an ELF shared object");
		return 0;
	}
	if ((id[EI_CLASS] != ELFCLASS64 && id[EI_CLASS] != ELFCLASS32) ||
	    id[EI_DATA] != (endian.c[0] ? ELFDATA2LSB : ELFDATA2MSB)) {
		snprintf(why, n, "an ELF file of another class or byte order "
		    "than this machine's");
		return 0;
	}
	e.is64 = id[EI_CLASS] == ELFCLASS64;
	if (e.is64) {
		if (elf_read(&e, 0, &h64, sizeof(h64)) != 0)
			goto corrupt;
		type = h64.e_type;
		shoff = h64.e_shoff;
		shentsize = h64.e_shentsize;
		shnum = h64.e_shnum;
	} else {
		if (elf_read(&e, 0, &h32, sizeof(h32)) != 0)
			goto corrupt;
		type = h32.e_type;
		shoff = h32.e_shoff;
		shentsize = h32.e_shentsize;
		shnum = h32.e_shnum;
	}
	if (type != ET_DYN) {
		snprintf(why, n, "an ELF file but not a shared object");
		return 0;
	}
	if (shoff == 0 || shentsize < (e.is64 ? sizeof(Elf64_Shdr) :
	    sizeof(Elf32_Shdr)))
		goto corrupt;
	/* Past 0xff00 sections the count is in section 0's size. */
	if (shnum == 0) {
		if (elf_shdr(&e, shoff, shentsize, 0, &s0) != 0)
			goto corrupt;
		shnum = s0.size;
	}
	/* The whole table is in the file (which also bounds shnum). */
	if (shnum > size / shentsize || shoff > size ||
	    shnum * shentsize > size - shoff)
		goto corrupt;
	for (i = 0; i < shnum; i++) {
		if (elf_shdr(&e, shoff, shentsize, i, &sh) != 0)
			goto corrupt;
		if (sh.type == SHT_DYNSYM)
			break;
	}
	if (i == shnum) {
		snprintf(why, n, "no dynamic symbol table (not a registry "
		    "plugin)");
		return 0;
	}
	symsz = e.is64 ? sizeof(Elf64_Sym) : sizeof(Elf32_Sym);
	if (sh.entsize < symsz || sh.link >= shnum ||
	    elf_shdr(&e, shoff, shentsize, sh.link, &st) != 0 ||
	    st.type != SHT_STRTAB || sh.size > size || st.size > size ||
	    st.size == 0)
		goto corrupt;
	syms = lc_buf_xmalloc(sh.size ? sh.size : 1);
	strs = lc_buf_xmalloc(st.size);
	if (elf_read(&e, sh.off, syms, sh.size) != 0 ||
	    elf_read(&e, st.off, strs, st.size) != 0)
		goto corrupt;
	nsyms = sh.size / sh.entsize;
	for (i = 0; !found && i < nsyms; i++)
		found = elf_sym_is(&e, syms, sh.entsize, i, strs, st.size,
		    name);
	free(syms);
	free(strs);
	if (!found)
		snprintf(why, n, "no %s symbol (not a registry plugin, or "
		    "built for another ABI major)", name);
	return found;
corrupt:
	free(syms);
	free(strs);
	snprintf(why, n, "%s", corrupt);
	return 0;
}

/* ---- loading one file, then the path ---------------------------------- */

static void
register_plugin(struct loaded **l, size_t *n, size_t *cap,
    const struct lc_reg_plugin *p, const char *path)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		*l = lc_buf_xrealloc(*l, *cap * sizeof(**l));
	}
	(*l)[*n].p = p;
	(*l)[*n].path = lc_buf_xstrndup(path, strlen(path));
	(*n)++;
}

/* Load dir/name (dfd is dir, checked) if it is safe and a plugin. */
static void
load_one(int dfd, const char *dir, const char *name, struct loaded **l,
    size_t *n, size_t *cap)
{
	struct lc_buf path = LC_BUF_INIT;
	const struct lc_reg_plugin *p;
	lc_reg_entry_fn entry;
	struct stat st, pst;
	char why[256], proc[64];
	void *dl;
	int fd;

	lc_buf_printf(&path, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ?
	    "" : "/", name);
	/* O_NONBLOCK: a FIFO must not hang the open (fstat refuses it). */
	if ((fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC)) < 0) {
		if (errno == ELOOP)
			lc_log_warn("%s: not loaded: it is a symbolic link; "
			    "plugins are not loaded through links, copy the "
			    "file there instead", path.data);
		else
			lc_log_warn("%s: not loaded: %s", path.data,
			    strerror(errno));
		goto done;
	}
	if (fstat(fd, &st) != 0) {
		lc_log_warn("%s: not loaded: %s", path.data, strerror(errno));
		goto done;
	}
	if (!S_ISREG(st.st_mode)) {
		lc_log_warn("%s: not loaded: not a regular file", path.data);
		goto done;
	}
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		lc_log_warn("%s: not loaded: owned by uid %u, not root or you; "
		    "install plugins of your own", path.data,
		    (unsigned)st.st_uid);
		goto done;
	}
	if (st.st_mode & 022) {
		lc_log_warn("%s: not loaded: writable by %s (mode %04o); "
		    "chmod %s %s", path.data, writers(st.st_mode),
		    (unsigned)(st.st_mode & 07777), chmod_arg(st.st_mode),
		    path.data);
		goto done;
	}
	if (!elf_exports(fd, (uint64_t)st.st_size, LC_REG_ENTRY, why,
	    sizeof(why))) {
		lc_log_warn("%s: not loaded: %s", path.data, why);
		goto done;
	}
	/* The checked descriptor is what gets mapped, never the path. */
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	if (stat(proc, &pst) != 0 || pst.st_dev != st.st_dev ||
	    pst.st_ino != st.st_ino) {
		lc_log_warn("%s: not loaded: %s does not name the checked file "
		    "(is /proc mounted?); plugins are loaded only through "
		    "/proc/self/fd", path.data, proc);
		goto done;
	}
	if ((dl = dlopen(proc, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		lc_log_warn("%s: not loaded: %s", path.data, dlerror());
		goto done;
	}
	/*
	 * The loader knows the object by the name /proc/self/fd/N and would
	 * hand it out again for that name: N stays open (to exit, like the
	 * object) so that it never names another file.
	 */
	fd = -1;
	/* Plugins stay loaded until exit: unloading TLS libraries crashes. */
	*(void **)&entry = dlsym(dl, LC_REG_ENTRY);
	if (entry == NULL) {
		lc_log_warn("%s: not loaded: no %s symbol (not a registry "
		    "plugin, or built for another ABI major)", path.data,
		    LC_REG_ENTRY);
		goto done;
	}
	if ((p = entry(LC_REG_ABI_MAJOR, LC_REG_ABI_MINOR)) == NULL) {
		lc_log_warn("%s: not loaded: it refuses this host's ABI %d.%d",
		    path.data, LC_REG_ABI_MAJOR, LC_REG_ABI_MINOR);
		goto done;
	}
	if (p->abi_major != LC_REG_ABI_MAJOR) {
		lc_log_warn("%s: not loaded: plugin ABI %u.%u, this build "
		    "needs %d.x", path.data, p->abi_major, p->abi_minor,
		    LC_REG_ABI_MAJOR);
		goto done;
	}
	if (!LC_REG_HAS(p, struct lc_reg_plugin, list_tags) || p->name == NULL ||
	    p->match == NULL || p->open == NULL) {
		lc_log_warn("%s: not loaded: its plugin struct is incomplete "
		    "(size %zu)", path.data, p->size);
		goto done;
	}
	register_plugin(l, n, cap, p, path.data);
	lc_log_debug("plugin %s from %s", p->name, path.data);
done:
	if (fd >= 0)
		close(fd);
	lc_buf_release(&path);
}

static int
by_name(const void *a, const void *b)
{
	return strcoll(*(char *const *)a, *(char *const *)b);
}

/* Every .so of one checked directory, in name order. */
static void
load_dir(const char *entry, struct loaded **l, size_t *n, size_t *cap)
{
	struct dirent *d;
	char **names = NULL;
	size_t k = 0, kcap = 0, i, len;
	DIR *dp;
	int dfd, lfd;

	if ((dfd = open_dir(entry)) < 0)
		return;
	if ((lfd = dup(dfd)) < 0 || (dp = fdopendir(lfd)) == NULL) {
		lc_log_warn("%s: not loaded: cannot list it: %s", entry,
		    strerror(errno));
		if (lfd >= 0)
			close(lfd);
		close(dfd);
		return;
	}
	while ((d = readdir(dp)) != NULL) {
		len = strlen(d->d_name);
		if (len <= 3 || strcmp(d->d_name + len - 3, ".so") != 0)
			continue;
		if (k == kcap) {
			kcap = kcap ? kcap * 2 : 16;
			names = lc_buf_xrealloc(names, kcap * sizeof(*names));
		}
		names[k++] = lc_buf_xstrndup(d->d_name, len);
	}
	closedir(dp);
	if (k > 0)
		qsort(names, k, sizeof(*names), by_name);
	/* Warnings name the directory as the user wrote it. */
	for (i = 0; i < k; i++) {
		load_one(dfd, entry, names[i], l, n, cap);
		free(names[i]);
	}
	free(names);
	close(dfd);
}

/*
 * Where the plugins are, relative to the install prefix (PLUGINDIR less
 * PREFIX, from config.mk): lib/<multiarch>/gitops-utils/plugins in the
 * Debian package, lib/gitops-utils/plugins otherwise. Absolute when
 * PLUGINDIR is not under PREFIX: then only PLUGINDIR itself is tried.
 */
#ifndef PLUGINSUBDIR
#define PLUGINSUBDIR "lib/gitops-utils/plugins"
#endif

/*
 * Without GITOPS_PLUGIN_PATH: the plugin directory beside the bin/ the
 * executable is in, when there is one (an install moved elsewhere, a
 * DESTDIR staging, an unpacked package, a restored CI cache), tried as
 * PLUGINSUBDIR first, then as lib/gitops-utils/plugins; else the directory
 * compiled in. The loader's checks apply to any of them.
 */
static void
default_dir(struct lc_buf *dirs)
{
	static const char *const subs[] = { PLUGINSUBDIR,
	    "lib/gitops-utils/plugins" };
	struct lc_buf exe = LC_BUF_INIT;
	struct stat st;
	ssize_t k;
	char *slash;
	size_t cap = 256, prefix, i;

	for (;;) {
		lc_buf_grow(&exe, cap);
		k = readlink("/proc/self/exe", exe.data, cap);
		if (k < 0 || (size_t)k < cap)
			break;
		cap *= 2;
	}
	if (k > 0) {
		exe.len = (size_t)k;
		exe.data[k] = '\0';
		/* .../bin/cmd -> ... */
		if ((slash = strrchr(exe.data, '/')) != NULL) {
			*slash = '\0';
			if ((slash = strrchr(exe.data, '/')) != NULL) {
				*slash = '\0';
				prefix = strlen(exe.data);
				for (i = 0; i < sizeof(subs) / sizeof(subs[0]);
				    i++) {
					if (subs[i][0] == '/')
						continue;
					exe.len = prefix;
					lc_buf_addc(&exe, '/');
					lc_buf_adds(&exe, subs[i]);
					if (stat(exe.data, &st) == 0 &&
					    S_ISDIR(st.st_mode)) {
						lc_buf_adds(dirs, exe.data);
						lc_buf_release(&exe);
						return;
					}
				}
			}
		}
	}
	lc_buf_release(&exe);
	lc_buf_adds(dirs, PLUGINDIR);
}

static size_t
load_all(struct loaded **l, struct lc_buf *dirs)
{
	const char *env = getenv("GITOPS_PLUGIN_PATH"), *p;
	size_t n = 0, cap = 0, len;
	char *dir;

	if (env == NULL || *env == '\0') {
		/*
		 * One directory, never split: an install prefix with a ':'
		 * in it would otherwise name relative directories, found
		 * from wherever the command runs.
		 */
		default_dir(dirs);
		load_dir(dirs->data, l, &n, &cap);
		return n;
	}
	lc_buf_adds(dirs, env);
	for (p = dirs->data; *p; p += len + (p[len] == ':')) {
		len = strcspn(p, ":");
		if (len == 0)
			continue;
		dir = lc_buf_xstrndup(p, len);
		load_dir(dir, l, &n, &cap);
		free(dir);
	}
	return n;
}

/* The plugin for registry (plugin.h says how it is picked). */
static int
find(const struct lc_reg_plugin **out, const char *registry)
{
	static struct loaded *l;
	static size_t n;
	static int loaded;
	struct lc_buf dirs = LC_BUF_INIT;
	const struct lc_reg_plugin *best = NULL;
	size_t i;
	int rc;

	*out = NULL;
	if (!loaded) {
		n = load_all(&l, &dirs);
		loaded = 1;
	}
	for (i = 0; i < n; i++)
		if (l[i].p->match(registry) && strcmp(l[i].p->name, "oci") != 0 &&
		    (best == NULL || l[i].p->priority > best->priority))
			best = l[i].p;
	for (i = 0; best == NULL && i < n; i++)
		if (strcmp(l[i].p->name, "oci") == 0)
			best = l[i].p;
	if (best == NULL) {
		rc = lc_error_set(LC_ERROR, "no registry plugin for %s: the "
		    "'oci' plugin is not in %s (install gitops-utils, or set "
		    "GITOPS_PLUGIN_PATH)", registry, dirs.data ? dirs.data :
		    "the plugin path");
		lc_buf_release(&dirs);
		return rc;
	}
	lc_buf_release(&dirs);
	*out = best;
	return 0;
}

/*
 * The host services every plugin gets, set up on the first call from o
 * (later calls keep the first HTTP client), then the CA settings checked
 * unless o->plain_http.
 */
static int
host_for(const struct lc_reg_host **out, const struct lc_registry_opts *o)
{
	struct lc_http_conf hc;
	struct lc_buf cd = LC_BUF_INIT;
	const char *v;
	int rc;

	*out = NULL;
	if (http == NULL) {
		memset(&hc, 0, sizeof(hc));
		hc.ca_file = o->ca_file;
		hc.ca_flag = o->ca_flag;
		hc.insecure = o->insecure;
		hc.plain_hint = o->plain_hint;
		hc.tls_hint = o->tls_hint;
		if ((rc = lc_http_new(&http, &hc)) != 0)
			return rc;
		host.abi_major = LC_REG_ABI_MAJOR;
		host.abi_minor = LC_REG_ABI_MINOR;
		host.size = sizeof(host);
		host.log = h_log;
		host.add_secret = lc_log_add_secret;
		host.add_own_secret = lc_ci_add_secret;
		host.get_env = h_env;
		host.http = h_http;
		host.http_free = h_http_free;
		host.run = h_run;
		host.alloc = h_alloc;
		host.free = h_free;
		host.credentials = h_credentials;
		if ((v = getenv("XDG_CACHE_HOME")) != NULL && *v)
			lc_buf_printf(&cd, "%s/gitops-utils", v);
		else if ((v = getenv("HOME")) != NULL && *v)
			lc_buf_printf(&cd, "%s/.cache/gitops-utils", v);
		if (cd.data) {
			/* Lives, like the plugins that may use it, to exit. */
			cache_dir = lc_buf_detach(&cd);
			*strrchr(cache_dir, '/') = '\0';
			mkdir(cache_dir, 0700);
			cache_dir[strlen(cache_dir)] = '/';
			host.cache_dir = cache_dir;
		}
		if (o->insecure)
			lc_log_warn("TLS certificates are not verified "
			    "(--insecure)");
	}
	/* A CA setting that cannot be read is the user's to fix: exit 2. */
	if (!o->plain_http && (rc = lc_http_ca_check(http)) != 0)
		return rc;
	*out = &host;
	return 0;
}

int
lc_plugin_open(struct lc_registry **out, const char *registry,
    const struct lc_registry_opts *o)
{
	const struct lc_reg_plugin *p;
	const struct lc_reg_host *h;
	struct lc_reg_conf c;
	int rc;

	*out = NULL;
	if ((rc = find(&p, registry)) != 0 || (rc = host_for(&h, o)) != 0)
		return rc;
	memset(&c, 0, sizeof(c));
	c.size = sizeof(c);
	c.registry = registry;
	c.plain_http = o->plain_http;
	c.username = o->username;
	c.password = o->password;
	c.no_token_cache = o->no_token_cache;
	return lc_registry_new(out, p, h, &c);
}
