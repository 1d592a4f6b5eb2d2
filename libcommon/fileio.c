/* fileio.c: whole-file reads and atomic file replacement. */
/* O_TMPFILE, AT_EMPTY_PATH (Linux). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "fileio.h"

int
lc_fileio_read(struct lc_buf *out, const char *path)
{
	struct stat st;
	int fd, stdin_ = path == NULL || strcmp(path, "-") == 0;
	ssize_t n;

	if (stdin_)
		fd = 0;
	else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return lc_error_errno(errno == ENOENT ? LC_ENOTFOUND : LC_ERROR,
		    "cannot open '%s'", path);
	if (fstat(fd, &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			close(fd);
			return lc_error_set(LC_ERROR, "'%s' is a directory",
			    path);
		}
		/* One allocation for regular files: read(2) stops at the size. */
		if (S_ISREG(st.st_mode) && st.st_size > 0)
			lc_buf_grow(out, (size_t)st.st_size);
	}
	for (;;) {
		lc_buf_grow(out, 65536);
		n = read(fd, out->data + out->len, out->cap - out->len - 1);
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			lc_error_errno(LC_ERROR, "cannot read '%s'",
			    stdin_ ? "<stdin>" : path);
			if (!stdin_)
				close(fd);
			return LC_ERROR;
		}
		out->len += (size_t)n;
	}
	out->data[out->len] = '\0';
	if (!stdin_)
		close(fd);
	return 0;
}

static int
write_all(int fd, const struct iovec *iov, int iovcnt)
{
	size_t i, off;
	ssize_t n;

	for (i = 0; i < (size_t)iovcnt; i++) {
		for (off = 0; off < iov[i].iov_len; off += (size_t)n) {
			n = write(fd, (const char *)iov[i].iov_base + off,
			    iov[i].iov_len - off);
			if (n < 0) {
				if (errno == EINTR) {
					n = 0;
					continue;
				}
				return -1;
			}
		}
	}
	return 0;
}

/*
 * Temporary files are ".NAME.tmp-PID-RANDOM" next to NAME: one that a
 * dead process left is recognised by its name and removed.
 */
static void
tmp_name(struct lc_buf *b, const char *dir, const char *base)
{
	static unsigned seq;
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	b->len = 0;
	lc_buf_printf(b, "%s/.%s.tmp-%ld-%08lx", dir, base, (long)getpid(),
	    ((unsigned long)ts.tv_nsec ^ (unsigned long)ts.tv_sec * 2654435761u ^
	    ++seq * 40503u) & 0xffffffffUL);
}

/*
 * Remove ".base.tmp-PID-*" files of processes that no longer exist (a
 * kill -9 or a power cut between link and rename). Only regular files
 * this user owns; a live PID's file is left alone.
 */
static void
remove_stale(const char *dir, const char *base)
{
	struct lc_buf prefix = LC_BUF_INIT, p = LC_BUF_INIT;
	struct dirent *de;
	struct stat st;
	DIR *d;
	char *end;
	long pid;

	if ((d = opendir(dir)) == NULL)
		return;
	lc_buf_printf(&prefix, ".%s.tmp-", base);
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, prefix.data, prefix.len) != 0)
			continue;
		pid = strtol(de->d_name + prefix.len, &end, 10);
		if (pid <= 0 || *end != '-' || strlen(end + 1) != 8 ||
		    kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		p.len = 0;
		lc_buf_printf(&p, "%s/%s", dir, de->d_name);
		if (lstat(p.data, &st) == 0 && S_ISREG(st.st_mode) &&
		    st.st_uid == geteuid())
			(void)unlink(p.data);
	}
	closedir(d);
	lc_buf_release(&prefix);
	lc_buf_release(&p);
}

/* Give the unnamed file fd the name tmp (retrying on a clash). */
static int
link_tmpfile(int fd, struct lc_buf *tmp, const char *dir, const char *base)
{
	char proc[64];
	int i;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	for (i = 0; i < 100; i++) {
		tmp_name(tmp, dir, base);
		/* AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH; /proc does not. */
		if (linkat(fd, "", AT_FDCWD, tmp->data, AT_EMPTY_PATH) == 0 ||
		    linkat(AT_FDCWD, proc, AT_FDCWD, tmp->data,
		    AT_SYMLINK_FOLLOW) == 0)
			return 0;
		if (errno != EEXIST)
			return -1;
	}
	return -1;
}

int
lc_fileio_replace(const char *path, const struct iovec *iov, int iovcnt)
{
	struct lc_buf target = LC_BUF_INIT, tmp = LC_BUF_INIT,
	    dirb = LC_BUF_INIT;
	const char *dir, *base;
	struct stat st;
	mode_t mode, um;
	char *real, *slash;
	int fd = -1, dfd, have_st, named = 0, linked = 0, i, rc = 0;

	/* Write next to the file a symlink points to, not over the link. */
	if ((real = realpath(path, NULL)) != NULL) {
		lc_buf_adds(&target, real);
		free(real);
	} else if (errno != ENOENT)
		return lc_error_errno(LC_ERROR, "cannot resolve '%s'", path);
	else
		lc_buf_adds(&target, path);
	have_st = stat(target.data, &st) == 0;
	if (have_st && !S_ISREG(st.st_mode)) {
		/* A rename would put a file where a device or FIFO was. */
		rc = lc_error_set(LC_EUSAGE, "cannot replace '%s': not a "
		    "regular file", path);
		lc_buf_release(&target);
		return rc;
	}
	if (have_st)
		mode = st.st_mode & 07777;
	else {
		um = umask(0);
		umask(um);
		mode = 0666 & ~um;
	}
	lc_buf_adds(&dirb, target.data);
	if ((slash = strrchr(dirb.data, '/')) == NULL) {
		dir = ".";
		base = target.data;
	} else {
		*slash = '\0';
		dir = slash == dirb.data ? "/" : dirb.data;
		base = target.data + (slash - dirb.data) + 1;
	}
	remove_stale(dir, base);

	/*
	 * An unnamed file (O_TMPFILE) gets a name only once it is complete,
	 * just before the rename: a kill -9 while writing leaves nothing.
	 * Filesystems without O_TMPFILE get a named file from the start.
	 */
	if ((fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600)) == -1) {
		named = 1;
		for (i = 0; i < 100 && fd == -1; i++) {
			tmp_name(&tmp, dir, base);
			fd = open(tmp.data, O_WRONLY | O_CREAT | O_EXCL |
			    O_CLOEXEC, 0600);
			if (fd == -1 && errno != EEXIST)
				break;
		}
		if (fd == -1) {
			rc = lc_error_errno(LC_ERROR, "cannot create a "
			    "temporary file in '%s'", dir);
			goto done;
		}
		linked = 1;
	}
	if (write_all(fd, iov, iovcnt) == -1)
		goto fail;
	/*
	 * Owner first: chown clears the set-user-ID and set-group-ID bits,
	 * and so does a write by a user without CAP_FSETID; the mode goes on
	 * last. As root another user's file stays theirs; others keep the
	 * group when they may.
	 */
	if (have_st && geteuid() == 0)
		(void)!fchown(fd, st.st_uid, st.st_gid);
	else if (have_st && st.st_gid != getegid())
		(void)!fchown(fd, (uid_t)-1, st.st_gid);
	if (fchmod(fd, mode) == -1 || fsync(fd) == -1)
		goto fail;
	if (!named) {
		if (link_tmpfile(fd, &tmp, dir, base) == -1)
			goto fail;
		linked = 1;
	}
	if (close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp.data, target.data) == -1)
		goto fail;
	linked = 0;
	/* The rename itself must reach the disk for the new file to last. */
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		(void)fsync(dfd);
		close(dfd);
	}
	goto done;
fail:
	rc = lc_error_errno(LC_ERROR, "cannot write '%s'", path);
	if (fd != -1)
		close(fd);
	if (linked)
		unlink(tmp.data);
done:
	lc_buf_release(&target);
	lc_buf_release(&tmp);
	lc_buf_release(&dirb);
	return rc;
}

int
lc_fileio_token(const char *path, char **out)
{
	struct lc_buf b = LC_BUF_INIT;
	int rc;

	*out = NULL;
	if ((rc = lc_fileio_read(&b, path)) != 0) {
		lc_buf_release(&b);
		return rc;
	}
	while (b.len > 0 && (b.data[b.len - 1] == '\n' ||
	    b.data[b.len - 1] == '\r'))
		b.data[--b.len] = '\0';
	if (b.len == 0) {
		lc_buf_release(&b);
		return lc_error_set(LC_EAUTH, "'%s' is empty", path);
	}
	*out = lc_buf_detach(&b);
	return 0;
}
