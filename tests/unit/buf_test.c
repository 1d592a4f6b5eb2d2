/* buf_test.c: unit tests of the growable buffer. */
#include <stdlib.h>

#include "buf.h"
#include "tap.h"

int
main(void)
{
	struct lc_buf b = LC_BUF_INIT;
	char *p;
	int i;

	lc_buf_adds(&b, "abc");
	lc_buf_addc(&b, 'd');
	lc_buf_printf(&b, "-%d-%s", 42, "x");
	is_str(b.data, "abcd-42-x", "add, addc and printf append");
	ok(b.len == 9, "len counts the bytes");
	for (i = 0; i < 10000; i++)
		lc_buf_add(&b, "0123456789", 10);
	ok(b.len == 100009 && b.data[b.len] == '\0',
	    "growth keeps a NUL after the data");
	p = lc_buf_detach(&b);
	ok(b.data == NULL && b.len == 0, "detach empties the buffer");
	ok(strncmp(p, "abcd-42-x0123", 13) == 0, "detach hands over the text");
	free(p);
	p = lc_buf_detach(&b);
	is_str(p, "", "detaching an empty buffer gives an empty string");
	free(p);
	lc_buf_add(&b, "a\0b", 3);
	ok(b.len == 3 && b.data[1] == '\0' && b.data[2] == 'b',
	    "binary data with NUL bytes");
	lc_buf_release(&b);
	ok(b.data == NULL && b.cap == 0, "release frees and resets");
	return done_testing();
}
