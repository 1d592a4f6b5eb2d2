/* buf.c: growable byte buffer that owns heap text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "exitcode.h"

_Noreturn void
lc_buf_oom(void)
{
	static const char msg[] = "out of memory\n";

	/* stdio may need the memory we lack. */
	(void)!write(2, msg, sizeof(msg) - 1);
	_exit(LC_EXIT_ERROR);
}

void *
lc_buf_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		lc_buf_oom();
	return p;
}

void *
lc_buf_xrealloc(void *p, size_t n)
{
	if ((p = realloc(p, n ? n : 1)) == NULL)
		lc_buf_oom();
	return p;
}

char *
lc_buf_xstrndup(const char *s, size_t n)
{
	char *p = lc_buf_xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void
lc_buf_init(struct lc_buf *b)
{
	b->data = NULL;
	b->len = b->cap = 0;
}

void
lc_buf_release(struct lc_buf *b)
{
	free(b->data);
	lc_buf_init(b);
}

void
lc_buf_grow(struct lc_buf *b, size_t n)
{
	size_t want;

	if (n >= (size_t)-1 / 2 - b->len)
		lc_buf_oom();
	want = b->len + n + 1;
	if (want <= b->cap)
		return;
	if (want < b->cap + b->cap / 2)
		want = b->cap + b->cap / 2;
	if (want < 64)
		want = 64;
	b->data = lc_buf_xrealloc(b->data, want);
	b->cap = want;
}

void
lc_buf_add(struct lc_buf *b, const void *p, size_t n)
{
	lc_buf_grow(b, n);
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
lc_buf_adds(struct lc_buf *b, const char *s)
{
	lc_buf_add(b, s, strlen(s));
}

void
lc_buf_addc(struct lc_buf *b, int c)
{
	char ch = (char)c;

	lc_buf_add(b, &ch, 1);
}

void
lc_buf_vprintf(struct lc_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return;
	lc_buf_grow(b, (size_t)n);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void
lc_buf_printf(struct lc_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	lc_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

char *
lc_buf_detach(struct lc_buf *b)
{
	char *p;

	if (b->data == NULL)
		lc_buf_add(b, "", 0);
	p = b->data;
	lc_buf_init(b);
	return p;
}
