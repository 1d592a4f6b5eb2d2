/* yaml_func_str.c: string functions: case, trim, split, join, to_string. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

#include "buf.h"
#include "error.h"
#include "yaml_edit.h"
#include "yaml_func.h"
#include "yaml_func_int.h"

int
lc_yaml_func_str_wrongkind(const char *fmt, const lit *v)
{
	return lc_error_set(LC_EDATA, fmt, lc_yaml_func_tag(v));
}

/* One UTF-8 sequence at s (n > 0 bytes left): its code point, or -1 for
 * a byte that starts none (taken alone). *len gets its length. */
long
lc_yaml_func_utf8_get(const unsigned char *s, size_t n, size_t *len)
{
	size_t ok = lc_yaml_edit_utf8_check((const char *)s, n < 4 ? n : 4);
	long c;

	*len = 1;
	if (s[0] < 0x80)
		return s[0];
	if (ok == 0)
		return -1;
	if (s[0] >= 0xf0 && ok >= 4)
		*len = 4, c = s[0] & 7;
	else if (s[0] >= 0xe0 && s[0] < 0xf0 && ok >= 3)
		*len = 3, c = s[0] & 15;
	else if (s[0] >= 0xc0 && s[0] < 0xe0 && ok >= 2)
		*len = 2, c = s[0] & 31;
	else
		return -1;
	for (size_t i = 1; i < *len; i++)
		c = c << 6 | (s[i] & 63);
	return c;
}

static void
utf8_put(struct lc_buf *b, long c)
{
	if (c < 0x80) {
		lc_buf_addc(b, (int)c);
	} else if (c < 0x800) {
		lc_buf_addc(b, 0xc0 | (int)(c >> 6));
		lc_buf_addc(b, 0x80 | (int)(c & 63));
	} else if (c < 0x10000) {
		lc_buf_addc(b, 0xe0 | (int)(c >> 12));
		lc_buf_addc(b, 0x80 | (int)(c >> 6 & 63));
		lc_buf_addc(b, 0x80 | (int)(c & 63));
	} else {
		lc_buf_addc(b, 0xf0 | (int)(c >> 18));
		lc_buf_addc(b, 0x80 | (int)(c >> 12 & 63));
		lc_buf_addc(b, 0x80 | (int)(c >> 6 & 63));
		lc_buf_addc(b, 0x80 | (int)(c & 63));
	}
}

static int
buflit(struct lc_yfn_mem *m, enum lc_ylit_kind kind, struct lc_buf *b,
    const lit **out)
{
	lit *l = lc_yaml_func_mklit(m, kind, b->data ? b->data : "", b->len);

	lc_buf_release(b);
	if (l == NULL)
		return lc_yaml_func_nomem();
	*out = l;
	return 0;
}

/*
 * Go's unicode.ToUpper/ToLower are Unicode's simple case mappings, which
 * glibc's C.UTF-8 towupper/towlower implement whatever the user's locale;
 * without that locale only ASCII changes.
 */
int
lc_yaml_func_str_changecase(struct lc_yfn_mem *m, const lit *in, int up,
    int ascii,
    const lit **out)
{
	static locale_t loc;
	static int tried;
	struct lc_buf b = LC_BUF_INIT;
	const unsigned char *s = (const unsigned char *)in->s;
	size_t i, len;
	long c;

	if (in->kind != LC_YL_STR)
		return lc_yaml_func_str_wrongkind("cannot change case with %s, can only "
		    "operate on strings.", in);
	if (!tried && !ascii) {
		tried = 1;
		loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	}
	lc_buf_grow(&b, in->n);
	for (i = 0; i < in->n; i += len) {
		c = lc_yaml_func_utf8_get(s + i, in->n - i, &len);
		if (c < 0) {
			lc_buf_addc(&b, s[i]);
			continue;
		}
		if (c < 0x80)
			c = up ? toupper((int)c) : tolower((int)c);
		else if (!ascii && loc)
			c = up ? (long)towupper_l((wint_t)c, loc) :
			    (long)towlower_l((wint_t)c, loc);
		utf8_put(&b, c);
	}
	return buflit(m, LC_YL_STR, &b, out);
}

static int
isspace_go(long c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') || c == 0x85 ||
	    c == 0xa0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200a) ||
	    c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f ||
	    c == 0x3000;
}

/* Go's strings.TrimSpace (left and right), TrimLeft..., TrimRight.... */
int
lc_yaml_func_str_trim(struct lc_yfn_mem *m, const lit *in, int left, int right,
    const lit **out)
{
	const unsigned char *s = (const unsigned char *)in->s;
	size_t a = 0, z, len, i, last;
	lit *l;

	if (in->kind != LC_YL_STR)
		return lc_yaml_func_str_wrongkind("cannot trim %s, can only operate on "
		    "strings.", in);
	z = in->n;
	while (left && a < z && isspace_go(lc_yaml_func_utf8_get(s + a, z - a,
	    &len)))
		a += len;
	if (right) {
		/* Walk forward: UTF-8 is read left to right. */
		for (i = a, last = a; i < z; i += len)
			if (!isspace_go(lc_yaml_func_utf8_get(s + i, z - i,
			    &len)))
				last = i + len;
		z = last;
	}
	if ((l = lc_yaml_func_mklit(m, LC_YL_STR, in->s + a, z - a)) == NULL)
		return lc_yaml_func_nomem();
	*out = l;
	return 0;
}

int
lc_yaml_func_str_to_string(struct lc_yfn_mem *m, const lit *in, const lit **out)
{
	struct lc_buf b = LC_BUF_INIT;
	size_t n;
	const char *s;
	lit *l;

	int rc;

	if ((rc = lc_yaml_func_check_deep(in, 1)) != 0)
		return rc;
	if (isscalar(in)) {
		s = text(in, &n);
		if ((l = lc_yaml_func_mklit(m, LC_YL_STR, s, n)) == NULL)
			return lc_yaml_func_nomem();
		*out = l;
		return 0;
	}
	lc_yaml_edit_emit(&b, in);
	while (b.len && b.data[b.len - 1] == '\n')
		b.len--;
	return buflit(m, LC_YL_STR, &b, out);
}

int
lc_yaml_func_str_to_number(struct lc_yfn_mem *m, const lit *in, const lit **out)
{
	long long i;
	double f;
	lit *l;

	if (in->kind == LC_YL_NUM) {
		*out = in;
		return 0;
	}
	if (in->kind != LC_YL_STR || (!lc_yaml_func_num_parse_int(in->s, in->n,
	    &i, NULL) &&
	    !lc_yaml_func_num_parse_float(in->s, in->n, 0, &f))) {
		size_t n;
		const char *s = isscalar(in) ? text(in, &n) : (n = 0, "");

		return lc_error_set(LC_EDATA, "cannot convert node value "
		    "[%.*s] of tag %s to number", (int)(n > 80 ? 80 : n), s,
		    lc_yaml_func_tag(in));
	}
	if ((l = lc_yaml_func_mklit(m, LC_YL_NUM, in->s, in->n)) == NULL)
		return lc_yaml_func_nomem();
	*out = l;
	return 0;
}

int
lc_yaml_func_str_split(struct lc_yfn_mem *m, const lit *in, const lit *sep,
    const lit **out)
{
	size_t sn, i, n = 0, len, start;
	const char *ss, *s = in->s;
	lit *l, *k;

	if (in->kind != LC_YL_STR)
		return lc_yaml_func_str_wrongkind("cannot split %s, can only "
		    "split strings", in);
	if (!isscalar(sep))
		return lc_yaml_func_str_wrongkind("cannot split by %s, the separator must be "
		    "a string", sep);
	ss = text(sep, &sn);
	/* Count the pieces first, then fill. */
	for (int pass = 0; pass < 2; pass++) {
		n = 0;
		for (i = start = 0; in->n && i <= in->n; ) {
			if (sn == 0) {
				if (i == in->n)
					break;
				lc_yaml_func_utf8_get((const unsigned char *)s + i,
				    in->n - i, &len);
				if (pass)
					k[n] = (lit){ LC_YL_STR, s + i, len,
					    NULL, 0 };
				n++;
				i += len;
				continue;
			}
			if (i + sn <= in->n && memcmp(s + i, ss, sn) == 0) {
				if (pass)
					k[n] = (lit){ LC_YL_STR, s + start,
					    i - start, NULL, 0 };
				n++;
				i += sn;
				start = i;
			} else if (i == in->n) {
				if (pass)
					k[n] = (lit){ LC_YL_STR, s + start,
					    i - start, NULL, 0 };
				n++;
				break;
			} else
				i++;
		}
		if (pass == 0 && (l = lc_yaml_func_mkcoll(m, LC_YL_SEQ, n,
		    &k)) == NULL)
			return lc_yaml_func_nomem();
	}
	*out = l;
	return 0;
}

int
lc_yaml_func_str_join(struct lc_yfn_mem *m, const lit *in, const lit *sep,
    const lit **out)
{
	struct lc_buf b = LC_BUF_INIT;
	size_t i, sn, n;
	const char *ss, *s;

	if (in->kind != LC_YL_SEQ)
		return lc_yaml_func_str_wrongkind("cannot join with %s, can only join arrays "
		    "of scalars", in);
	ss = isscalar(sep) ? text(sep, &sn) : (sn = 0, "");
	for (i = 0; i < in->nkids; i++) {
		const lit *k = &in->kids[i];

		if (i)
			lc_buf_add(&b, ss, sn);
		if (isscalar(k) && k->kind != LC_YL_NULL) {
			s = text(k, &n);
			lc_buf_add(&b, s, n);
		}
		if (b.len > LC_YFN_MAXSTR) {
			n = b.len;
			lc_buf_release(&b);
			return lc_yaml_func_op_tooraw("a joined string", n);
		}
	}
	return buflit(m, LC_YL_STR, &b, out);
}
