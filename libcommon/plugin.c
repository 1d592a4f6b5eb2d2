/* plugin.c: load registry plugins (dlopen) and open a registry through one. */
#define _GNU_SOURCE		/* O_PATH */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "error.h"
#include "log.h"
#include "plugin.h"
#include "plugin_int.h"
#include "registry.h"

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
	if (!lc_plugin_elf_exports(fd, (uint64_t)st.st_size, LC_REG_ENTRY, why,
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

int
lc_plugin_open(struct lc_registry **out, const char *registry,
    const struct lc_registry_opts *o)
{
	const struct lc_reg_plugin *p;
	const struct lc_reg_host *h;
	struct lc_reg_conf c;
	int rc;

	*out = NULL;
	if ((rc = find(&p, registry)) != 0 || (rc = lc_plugin_host(&h, o)) != 0)
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
