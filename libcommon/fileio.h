/* fileio.h: whole-file reads and atomic file replacement. */
#ifndef LC_FILEIO_H
#define LC_FILEIO_H

#include <stddef.h>
#include <sys/uio.h>

#include "buf.h"

/*
 * Read all of path (standard input for NULL or "-") into out, which the
 * caller initialised. Returns 0, LC_ENOTFOUND for a missing file, or
 * LC_ERROR.
 */
int lc_fileio_read(struct lc_buf *out, const char *path);

/*
 * Replace path with the concatenation of iov[0..iovcnt) so that readers see
 * the old file or the new one, never a mix, even after kill -9 or a power
 * cut: the data goes to a temporary file in the same directory, is fsynced
 * and renamed over the target, and the directory is fsynced. The file
 * mode (and, as root, the owner) is kept; when path is a symbolic link the
 * file it points to is replaced and the link stays. Returns 0 or LC_ERROR.
 */
int lc_fileio_replace(const char *path, const struct iovec *iov, int iovcnt);

/*
 * A secret from a file (--token-file): its contents without trailing
 * newlines, into *out (heap). Returns 0, LC_EAUTH for an empty file, or
 * lc_fileio_read's code.
 */
int lc_fileio_token(const char *path, char **out);

#endif
