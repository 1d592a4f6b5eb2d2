/* fileio.c: whole-file reads and atomic file replacement. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "fileio.h"

int
lc_file_read(struct lc_buf *out, const char *path)
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

int
lc_file_replace(const char *path, const struct iovec *iov, int iovcnt)
{
	char target[PATH_MAX], tmp[PATH_MAX + 16], dirbuf[PATH_MAX];
	const char *dir, *base;
	struct stat st;
	mode_t mode, um;
	int fd, dfd, have_st;

	/* Write next to the file a symlink points to, not over the link. */
	if (realpath(path, target) == NULL) {
		if (errno != ENOENT)
			return lc_error_errno(LC_ERROR, "cannot resolve '%s'",
			    path);
		snprintf(target, sizeof(target), "%s", path);
	}
	have_st = stat(target, &st) == 0;
	if (have_st)
		mode = st.st_mode & 07777;
	else {
		um = umask(0);
		umask(um);
		mode = 0666 & ~um;
	}
	snprintf(dirbuf, sizeof(dirbuf), "%s", target);
	dir = dirname(dirbuf);
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, base) >=
	    (int)sizeof(tmp))
		return lc_error_set(LC_ERROR, "path too long: '%s'", path);
	if ((fd = mkstemp(tmp)) == -1)
		return lc_error_errno(LC_ERROR,
		    "cannot create a temporary file in '%s'", dir);
	if (fchmod(fd, mode) == -1)
		goto fail;
	if (have_st && geteuid() == 0)
		(void)!fchown(fd, st.st_uid, st.st_gid);
	if (write_all(fd, iov, iovcnt) == -1 || fsync(fd) == -1)
		goto fail;
	if (close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, target) == -1)
		goto fail;
	/* The rename itself must reach the disk for the new file to last. */
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		(void)fsync(dfd);
		close(dfd);
	}
	return 0;
fail:
	lc_error_errno(LC_ERROR, "cannot write '%s'", path);
	if (fd != -1)
		close(fd);
	unlink(tmp);
	return LC_ERROR;
}

int
lc_file_token(const char *path, char **out)
{
	struct lc_buf b = LC_BUF_INIT;
	int rc;

	*out = NULL;
	if ((rc = lc_file_read(&b, path)) != 0) {
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
