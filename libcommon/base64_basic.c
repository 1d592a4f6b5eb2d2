/* base64_basic.c: the credentials of HTTP Basic authentication. */
#include <string.h>

#include "base64.h"
#include "buf.h"
#include "log.h"

void
lc_base64_basic(struct lc_buf *out, const char *user, size_t un,
    const char *pass, size_t pn)
{
	struct lc_buf plain = LC_BUF_INIT;
	size_t start = out->len, n;

	lc_buf_add(&plain, user, un);
	lc_buf_addc(&plain, ':');
	lc_buf_add(&plain, pass, pn);
	n = 4 * ((plain.len + 2) / 3);
	lc_buf_grow(out, n + 1);
	lc_base64(plain.data, plain.len, out->data + out->len);
	out->len += n;
	memset(plain.data, 0, plain.len);
	lc_buf_release(&plain);
	lc_log_add_secret(out->data + start);
}
