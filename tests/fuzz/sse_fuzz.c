/* sse_fuzz.c: libFuzzer target for the SSE parser of acd-wait. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jv.h>

#include "buf.h"
#include "error.h"
#include "http.h"

/*
 * Byte 0 seeds the chunk sizes, byte 1 the limit (odd: a small one, to
 * reach the "too long" path; even: the real 8 MB); the rest is the stream.
 * The stream is parsed twice, whole and in chunks of 1 to 64 bytes: the
 * events (and whether it broke) must be the same however it is split, up
 * to the first "too long" error, after which the parser drops the rest
 * of the chunk. Each event is parsed as JSON, as acd-wait does.
 */
/*
 * libjq 1.6 leaks a few bytes inside jv_parse_sized on some malformed
 * JSON (found by this target; tests/lib/lsan.supp says the same of its
 * compile errors): not ours to fix, and not what this target is for.
 */
const char *__lsan_default_suppressions(void);

const char *
__lsan_default_suppressions(void)
{
	return "leak:libjq.so\n";
}

struct seen {
	struct lc_buf ev;		/* the events, each with its length */
	size_t count;
};

static void
on_event(void *arg, const char *p, size_t n)
{
	struct seen *s = arg;
	jv v;

	if (n > 0 && p == NULL)
		abort();
	lc_buf_printf(&s->ev, "%zu:", n);
	lc_buf_add(&s->ev, p, n);
	s->count++;
	v = jv_parse_sized(p, (int)n);
	jv_free(v);
}

static int
feed(const uint8_t *p, size_t n, size_t max, unsigned seed, struct seen *s)
{
	struct lc_http_sse sse;
	size_t k;
	int rc = 0;

	lc_http_sse_init(&sse, max, on_event, s);
	while (n > 0 && rc == 0) {
		if (seed == 0)
			k = n;
		else {
			seed = seed * 1103515245u + 12345u;
			k = 1 + (seed >> 16) % 64;
			if (k > n)
				k = n;
		}
		rc = lc_http_sse_feed(&sse, (const char *)p, k);
		p += k;
		n -= k;
	}
	lc_http_sse_release(&sse);
	lc_error_clear();
	return rc;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct seen whole = { LC_BUF_INIT, 0 }, split = { LC_BUF_INIT, 0 };
	size_t max;
	int r1, r2;

	if (size < 2)
		return 0;
	max = data[1] & 1 ? 8 + (size_t)data[1] * 4 : 0;
	r1 = feed(data + 2, size - 2, max, 0, &whole);
	r2 = feed(data + 2, size - 2, max, data[0] | 1u, &split);
	if (r1 != r2 || whole.count != split.count || whole.ev.len !=
	    split.ev.len || (whole.ev.len && memcmp(whole.ev.data,
	    split.ev.data, whole.ev.len) != 0)) {
		fprintf(stderr, "sse: whole and split differ: rc %d/%d, %zu/%zu "
		    "events\n", r1, r2, whole.count, split.count);
		abort();
	}
	lc_buf_release(&whole.ev);
	lc_buf_release(&split.ev);
	return 0;
}
