/* run.h: run a program (no shell) with input, collecting its output. */
#ifndef LC_RUN_H
#define LC_RUN_H

#include <stddef.h>

struct lc_buf;
/*
 * Run argv (no shell) with in[0..n) on its standard input and its standard
 * output into out; its standard error into err, or to ours when err is
 * NULL. timeout_ms > 0 kills it after that long. Returns 0 when it exited
 * 0, else LC_ERROR with "argv[0] failed (exit N)" or why it did not run.
 */
int lc_run(char *const argv[], const void *in, size_t n, struct lc_buf *out,
    struct lc_buf *err, long long timeout_ms);

#endif
