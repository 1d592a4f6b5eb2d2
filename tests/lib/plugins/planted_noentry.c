/*
 * planted_noentry.c: a shared object without the entry symbol whose
 * constructor creates the file $GITOPS_TEST_MARKER: the loader must refuse
 * it from its symbol table, before any of its code runs.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

__attribute__((constructor)) static void
planted(void)
{
	const char *m = getenv("GITOPS_TEST_MARKER");
	int fd;

	if (m != NULL && *m && (fd = open(m, O_WRONLY | O_CREAT | O_APPEND,
	    0644)) >= 0) {
		(void)write(fd, "planted ran\n", 12);
		close(fd);
	}
}

/* Named like the entry, but of the previous ABI major. */
__attribute__((visibility("default"))) int
gitops_registry_plugin_v0(void)
{
	return 0;
}
