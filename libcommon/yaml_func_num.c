/* yaml_func_num.c: numbers as yq reads, writes and adds them; tags. */
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

/*
 * yq's int: [-+] then 0x hex, 0o octal or decimal digits, in int64 range.
 * *base gets 16, 8 or 10, the form results keep.
 */
int
lc_yaml_func_num_parse_int(const char *s, size_t n, long long *v, int *base)
{
	size_t i = 0;
	unsigned long long u = 0, lim;
	int neg = 0, b = 10, d;

	if (i < n && (s[i] == '-' || s[i] == '+'))
		neg = s[i++] == '-';
	if (n - i > 2 && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X'))
		b = 16, i += 2;
	else if (n - i > 2 && s[i] == '0' && s[i + 1] == 'o')
		b = 8, i += 2;
	if (i == n)
		return 0;
	lim = neg ? (unsigned long long)LLONG_MAX + 1 : LLONG_MAX;
	for (; i < n; i++) {
		if (isdigit((unsigned char)s[i]))
			d = s[i] - '0';
		else if (b == 16 && isxdigit((unsigned char)s[i]))
			d = tolower((unsigned char)s[i]) - 'a' + 10;
		else
			return 0;
		if (d >= b || u > (lim - d) / b)
			return 0;
		u = u * b + d;
	}
	*v = neg ? (long long)(0 - u) : (long long)u;
	if (base)
		*base = b;
	return 1;
}

/*
 * Go's strconv.ParseFloat syntax (decimal; inf, infinity, nan in any
 * case; '_' between digits), or YAML's .inf/.nan when yaml is set. An
 * overflow is no number, as in Go.
 */
int
lc_yaml_func_num_parse_float(const char *s, size_t n, int yaml, double *v)
{
	char tmp[512], *end;
	size_t i = 0, j = 0, k;
	int digits = 0, neg = 0;
	const char *words[] = { "inf", "infinity", "nan" };

	if (i < n && (s[i] == '-' || s[i] == '+'))
		neg = s[i++] == '-';
	for (k = 0; k < 3; k++) {
		size_t wl = strlen(words[k]);
		const char *w = s + i;

		if (yaml && n - i == wl + 1 && w[0] == '.')
			w++;
		else if (yaml || n - i != wl)
			continue;
		if (strncasecmp(w, words[k], wl) == 0 &&
		    (!yaml || strncmp(w, words[k], wl) == 0 ||
		    strncmp(w, k == 2 ? "NaN" : "Inf", 3) == 0 ||
		    strncmp(w, k == 2 ? "NAN" : "INF", 3) == 0)) {
			*v = k == 2 ? NAN : neg ? -INFINITY : INFINITY;
			return 1;
		}
	}
	if (n >= sizeof(tmp))
		return 0;
	if (neg)
		tmp[j++] = '-';
	for (; i < n && (isdigit((unsigned char)s[i]) || s[i] == '_'); i++) {
		if (s[i] == '_') {
			if (i == 0 || !isdigit((unsigned char)s[i - 1]) ||
			    i + 1 == n || !isdigit((unsigned char)s[i + 1]))
				return 0;
			continue;
		}
		tmp[j++] = s[i], digits++;
	}
	if (i < n && s[i] == '.') {
		tmp[j++] = s[i++];
		for (; i < n && isdigit((unsigned char)s[i]); i++)
			tmp[j++] = s[i], digits++;
	}
	if (digits == 0)
		return 0;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		tmp[j++] = s[i++];
		if (i < n && (s[i] == '-' || s[i] == '+'))
			tmp[j++] = s[i++];
		if (i == n || !isdigit((unsigned char)s[i]))
			return 0;
		for (; i < n && isdigit((unsigned char)s[i]); i++)
			tmp[j++] = s[i];
	}
	if (i != n)
		return 0;
	tmp[j] = '\0';
	errno = 0;
	*v = strtod(tmp, &end);
	if (errno == ERANGE && isinf(*v))
		return 0;
	return 1;
}

int
lc_yaml_func_num_getnum(const lit *l, struct num *x)
{
	size_t n;
	const char *s = text(l, &n);

	memset(x, 0, sizeof(*x));
	if (l->kind != LC_YL_NUM)
		return 0;
	if (lc_yaml_func_num_parse_int(s, n, &x->i, &x->base)) {
		x->isint = 1;
		x->f = (double)x->i;
		return 1;
	}
	return lc_yaml_func_num_parse_float(s, n, 1, &x->f);
}

const char *
lc_yaml_func_tag(const lit *v)
{
	struct num x;

	switch (v->kind) {
	case LC_YL_NULL:
		return "!!null";
	case LC_YL_BOOL:
		return "!!bool";
	case LC_YL_NUM:
		return lc_yaml_func_num_getnum(v,
		    &x) && !x.isint ? "!!float" : "!!int";
	case LC_YL_STR:
		return "!!str";
	case LC_YL_SEQ:
		return "!!seq";
	default:
		return "!!map";
	}
}

int
lc_yaml_func_num_isint(const lit *l)
{
	struct num x;

	return lc_yaml_func_num_getnum(l, &x) && x.isint;
}

/* Go's strconv.FormatFloat(f, 'g', -1, 64). */
static void
fmt_float(double f, struct lc_buf *b)
{
	char tmp[64], dig[32];
	int p, nd = 0, exp, dp, i;
	char *e;

	if (isnan(f)) {
		lc_buf_adds(b, "NaN");
		return;
	}
	if (isinf(f)) {
		lc_buf_adds(b, f > 0 ? "+Inf" : "-Inf");
		return;
	}
	if (signbit(f))
		lc_buf_addc(b, '-'), f = -f;
	if (f == 0) {
		lc_buf_addc(b, '0');
		return;
	}
	for (p = 1; p <= 17; p++) {
		snprintf(tmp, sizeof(tmp), "%.*e", p - 1, f);
		if (strtod(tmp, NULL) == f)
			break;
	}
	for (i = 0; tmp[i] && tmp[i] != 'e'; i++)
		if (isdigit((unsigned char)tmp[i]))
			dig[nd++] = tmp[i];
	while (nd > 1 && dig[nd - 1] == '0')
		nd--;
	e = strchr(tmp, 'e');
	exp = atoi(e + 1);
	/* Go's shortest %g switches to an exponent outside [-4, 6). */
	if (exp < -4 || exp >= 6) {
		lc_buf_addc(b, dig[0]);
		if (nd > 1) {
			lc_buf_addc(b, '.');
			lc_buf_add(b, dig + 1, nd - 1);
		}
		lc_buf_printf(b, "e%c%02d", exp < 0 ? '-' : '+',
		    exp < 0 ? -exp : exp);
		return;
	}
	dp = exp + 1;
	if (dp <= 0) {
		lc_buf_adds(b, "0.");
		for (i = dp; i < 0; i++)
			lc_buf_addc(b, '0');
		lc_buf_add(b, dig, nd);
		return;
	}
	for (i = 0; i < dp; i++)
		lc_buf_addc(b, i < nd ? dig[i] : '0');
	if (nd > dp) {
		lc_buf_addc(b, '.');
		lc_buf_add(b, dig + dp, nd - dp);
	}
}

int
lc_yaml_func_num_numlit(struct lc_yfn_mem *m, const struct num *x,
    const lit **out)
{
	struct lc_buf b = LC_BUF_INIT;
	unsigned long long u;
	lit *l;

	if (x->isint) {
		u = x->i < 0 ? 0 - (unsigned long long)x->i :
		    (unsigned long long)x->i;
		if (x->base == 16)
			lc_buf_printf(&b, "0x%s%llX", x->i < 0 ? "-" : "", u);
		else if (x->base == 8)
			lc_buf_printf(&b, "0o%s%llo", x->i < 0 ? "-" : "", u);
		else
			lc_buf_printf(&b, "%lld", x->i);
	} else
		fmt_float(x->f, &b);
	l = lc_yaml_func_mklit(m, LC_YL_NUM, b.data, b.len);
	lc_buf_release(&b);
	if (l == NULL)
		return lc_yaml_func_nomem();
	*out = l;
	return 0;
}

/* a op b on numbers, op one of + - *: Go's int64 or float64. */
int
lc_yaml_func_num_arith(struct lc_yfn_mem *m, const lit *a, const lit *b, int op,
    const lit **out)
{
	struct num x, y, r;

	if (!lc_yaml_func_num_getnum(a, &x) || !lc_yaml_func_num_getnum(b, &y))
		return lc_error_set(LC_EDATA, "cannot compute with %s '%.*s'",
		    lc_yaml_func_tag(a), (int)(a->n > 40 ? 40 : a->n), a->s);
	memset(&r, 0, sizeof(r));
	if (x.isint && y.isint) {
		unsigned long long ux = x.i, uy = y.i;

		r.isint = 1;
		r.base = x.base;
		r.i = (long long)(op == '+' ? ux + uy : op == '-' ? ux - uy :
		    ux * uy);
	} else
		r.f = op == '+' ? x.f + y.f : op == '-' ? x.f - y.f : x.f * y.f;
	return lc_yaml_func_num_numlit(m, &r, out);
}
