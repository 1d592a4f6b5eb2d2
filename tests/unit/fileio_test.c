/* fileio_test.c: unit tests of whole-file reads and atomic replacement. */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "fileio.h"
#include "tap.h"

int
main(void)
{
	char dir[] = "/tmp/fileio_test.XXXXXX", path[256], link[256];
	struct lc_buf b = LC_BUF_INIT;
	struct iovec iov[2];
	struct stat st;
	FILE *fp;

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/f.yaml", dir);
	snprintf(link, sizeof(link), "%s/l.yaml", dir);

	ok(lc_fileio_read(&b, path) == LC_ENOTFOUND, "a missing file is "
	    "LC_ENOTFOUND");
	fp = fopen(path, "w");
	fputs("old\n", fp);
	fclose(fp);
	chmod(path, 0604);
	iov[0].iov_base = "new ";
	iov[0].iov_len = 4;
	iov[1].iov_base = "text\n";
	iov[1].iov_len = 5;
	ok(lc_fileio_replace(path, iov, 2) == 0, "replace succeeds");
	b.len = 0;
	ok(lc_fileio_read(&b, path) == 0 && b.len == 9 &&
	    memcmp(b.data, "new text\n", 9) == 0, "the pieces are joined");
	ok(stat(path, &st) == 0 && (st.st_mode & 07777) == 0604,
	    "the mode is kept");
	ok(symlink("f.yaml", link) == 0, "make a symlink");
	iov[0].iov_base = "via link\n";
	iov[0].iov_len = 9;
	ok(lc_fileio_replace(link, iov, 1) == 0, "replace through the link");
	ok(lstat(link, &st) == 0 && S_ISLNK(st.st_mode), "the link stays");
	b.len = 0;
	ok(lc_fileio_read(&b, path) == 0 && b.len == 9 &&
	    memcmp(b.data, "via link\n", 9) == 0, "the target got the text");
	snprintf(link, sizeof(link), "%s/nodir/x", dir);
	ok(lc_fileio_replace(link, iov, 1) == LC_ERROR, "an unwritable place "
	    "is LC_ERROR");
	ok(lc_fileio_read(&b, dir) == LC_ERROR, "a directory is LC_ERROR");
	unlink(path);
	snprintf(link, sizeof(link), "%s/l.yaml", dir);
	unlink(link);
	rmdir(dir);
	lc_buf_release(&b);
	return done_testing();
}
