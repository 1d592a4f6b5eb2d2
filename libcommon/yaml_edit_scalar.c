/* yaml_edit_scalar.c: scalars: what plain text resolves to, how to quote. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "error.h"
#include "yaml_edit.h"
#include "yaml_edit_int.h"

static int
all_of(const char *s, size_t n, const char *set)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strchr(set, s[i]) == NULL || s[i] == '\0')
			return 0;
	return n > 0;
}

static int
is_one_of(const char *s, size_t n, const char *const *words)
{
	for (; *words; words++)
		if (strlen(*words) == n && memcmp(*words, s, n) == 0)
			return 1;
	return 0;
}

/* [-+]? digits with '_' ... the body of YAML 1.1 and 1.2 numbers. */
static int
is_number(const char *s, size_t n)
{
	size_t i = 0, d;
	int dot = 0, digits = 0;

	if (n > 0 && (s[0] == '-' || s[0] == '+'))
		i++;
	if (i == n)
		return 0;
	if (n - i > 2 && s[i] == '0' && strchr("xXoObB", s[i + 1]) != NULL)
		return all_of(s + i + 2, n - i - 2,
		    "0123456789abcdefABCDEF_");
	if (n - i == 4 && (memcmp(s + i, ".inf", 4) == 0 ||
	    memcmp(s + i, ".Inf", 4) == 0 || memcmp(s + i, ".INF", 4) == 0))
		return 1;
	for (; i < n; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			digits++;
		else if (s[i] == '_' && digits)
			;
		else if (s[i] == '.' && !dot)
			dot = 1;
		else if (s[i] == ':' && digits && !dot) {
			/* YAML 1.1 base 60: 1:30, 190:20:30 */
			for (d = i + 1; d < n && s[d] >= '0' && s[d] <= '9'; d++)
				;
			if (d == i + 1 || d - i - 1 > 2)
				return 0;
			i = d - 1;
		} else if ((s[i] == 'e' || s[i] == 'E') && digits) {
			i++;
			if (i < n && (s[i] == '-' || s[i] == '+'))
				i++;
			return i < n && all_of(s + i, n - i, "0123456789");
		} else
			return 0;
	}
	return digits > 0;
}

static int
is_timestamp(const char *s, size_t n)
{
	size_t i = 0, d;

	for (d = 0; i < n && s[i] >= '0' && s[i] <= '9'; i++, d++)
		;
	if (d != 4 || i >= n || s[i] != '-')
		return 0;
	for (d = 0, i++; i < n && s[i] >= '0' && s[i] <= '9'; i++, d++)
		;
	if (d < 1 || d > 2 || i >= n || s[i] != '-')
		return 0;
	for (d = 0, i++; i < n && s[i] >= '0' && s[i] <= '9'; i++, d++)
		;
	return d >= 1 && d <= 2;
}

enum lc_ylit_kind
lc_yaml_edit_resolve(const char *s, size_t n)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL",
	    NULL };
	/* YAML 1.1 booleans too: Kubernetes reads with YAML 1.1 rules. */
	static const char *const bools[] = { "true", "True", "TRUE", "false",
	    "False", "FALSE", "yes", "Yes", "YES", "no", "No", "NO", "on",
	    "On", "ON", "off", "Off", "OFF", "y", "Y", "n", "N", NULL };
	static const char *const floats[] = { ".nan", ".NaN", ".NAN", NULL };

	if (is_one_of(s, n, nulls))
		return LC_YL_NULL;
	if (is_one_of(s, n, bools))
		return LC_YL_BOOL;
	if (is_one_of(s, n, floats) || is_number(s, n))
		return LC_YL_NUM;
	return LC_YL_STR;
}

/* Whether text would read back as something other than a string. */
static int
plain_is_typed(const char *s, size_t n)
{
	return lc_yaml_edit_resolve(s, n) != LC_YL_STR || is_timestamp(s, n) ||
	    (n == 1 && s[0] == '=') || (n == 2 && memcmp(s, "<<", 2) == 0);
}

/*
 * Length of a character at s that YAML cannot hold as it is (a line
 * break, a C1 control, a BOM, U+FFFE or U+FFFF: outside YAML's printable
 * set), which a double-quoted scalar escapes; its code point in *cp.
 */
static size_t
special_cp(const unsigned char *s, size_t n, unsigned long *cp)
{
	if (n >= 2 && s[0] == 0xc2 && s[1] >= 0x80 && s[1] <= 0x9f) {
		*cp = s[1];
		return 2;
	}
	if (n >= 3 && s[0] == 0xe2 && s[1] == 0x80 &&
	    (s[2] == 0xa8 || s[2] == 0xa9)) {
		*cp = 0x2000 | (s[2] & 0x3f);
		return 3;
	}
	if (n >= 3 && s[0] == 0xef && ((s[1] == 0xbb && s[2] == 0xbf) ||
	    (s[1] == 0xbf && (s[2] == 0xbe || s[2] == 0xbf)))) {
		*cp = s[1] == 0xbb ? 0xfeff : 0xfffeu + (s[2] == 0xbf);
		return 3;
	}
	return 0;
}

static size_t
special_at(const unsigned char *s, size_t n)
{
	unsigned long cp;

	return special_cp(s, n, &cp);
}

size_t
lc_yaml_edit_utf8_check(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned long c;
	size_t i = 0, k, j;

	while (i < n) {
		if (u[i] < 0x80) {
			i++;
			continue;
		}
		if (u[i] >= 0xc2 && u[i] <= 0xdf)
			k = 1, c = u[i] & 0x1f;
		else if (u[i] >= 0xe0 && u[i] <= 0xef)
			k = 2, c = u[i] & 0x0f;
		else if (u[i] >= 0xf0 && u[i] <= 0xf4)
			k = 3, c = u[i] & 0x07;
		else
			return i;
		if (n - i <= k)
			return i;
		for (j = 1; j <= k; j++) {
			if ((u[i + j] & 0xc0) != 0x80)
				return i;
			c = c << 6 | (u[i + j] & 0x3f);
		}
		/* Overlong forms, surrogates, past U+10FFFF. */
		if ((k == 2 && c < 0x800) || (k == 3 && c < 0x10000) ||
		    (c >= 0xd800 && c < 0xe000) || c > 0x10ffff)
			return i;
		i += k + 1;
	}
	return n;
}

static int
plain_ok(const char *s, size_t n, int flow)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i;

	if (n == 0 || plain_is_typed(s, n))
		return 0;
	if (strchr(",[]{}#&*!|>'\"%@`", s[0]) != NULL)
		return 0;
	if (strchr("-?:", s[0]) != NULL &&
	    (n == 1 || s[1] == ' ' || (flow && strchr(",[]{}", s[1]))))
		return 0;
	if (s[0] == ' ' || s[n - 1] == ' ' || s[n - 1] == ':')
		return 0;
	if (n >= 3 && (memcmp(s, "---", 3) == 0 || memcmp(s, "...", 3) == 0))
		return 0;
	for (i = 0; i < n; i++) {
		if (u[i] < 0x20 || u[i] == 0x7f || special_at(u + i, n - i))
			return 0;
		if (s[i] == ':' && i + 1 < n && (s[i + 1] == ' ' ||
		    (flow && strchr(",[]{}", s[i + 1]))))
			return 0;
		if (s[i] == '#' && s[i - 1] == ' ')
			return 0;
		if (flow && strchr(",[]{}", s[i]) != NULL)
			return 0;
	}
	return 1;
}

static int
single_ok(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i;

	for (i = 0; i < n; i++)
		if ((u[i] < 0x20 && u[i] != '\t') || u[i] == 0x7f ||
		    special_at(u + i, n - i))
			return 0;
	/* Leading or trailing blanks of a quoted line fold away. */
	return !(n > 0 && (s[0] == '\t' || s[n - 1] == '\t'));
}

/* Whether s can be a block scalar whose lines we indent ourselves. */
static int
block_ok(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i;
	int bol = 1;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		if ((u[i] < 0x20 && u[i] != '\n' && u[i] != '\t') ||
		    u[i] == 0x7f || special_at(u + i, n - i))
			return 0;
		/* Leading blanks would need an indentation indicator. */
		if (bol && (s[i] == ' ' || s[i] == '\t'))
			return 0;
		bol = s[i] == '\n';
	}
	return 1;
}

void
lc_yaml_edit_scalar_add_spaces(struct lc_buf *out, int n)
{
	while (n-- > 0)
		lc_buf_addc(out, ' ');
}

static void
format_double(struct lc_buf *out, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned long cp;
	size_t i, k;

	lc_buf_addc(out, '"');
	for (i = 0; i < n; i++) {
		if ((k = special_cp(u + i, n - i, &cp)) != 0) {
			if (cp == 0x85 || cp == 0x2028 || cp == 0x2029)
				lc_buf_adds(out, cp == 0x85 ? "\\N" :
				    cp == 0x2028 ? "\\L" : "\\P");
			else if (cp < 0x100)
				lc_buf_printf(out, "\\x%02lx", cp);
			else
				lc_buf_printf(out, "\\u%04lX", cp);
			i += k - 1;
			continue;
		}
		switch (s[i]) {
		case '"':
			lc_buf_adds(out, "\\\"");
			break;
		case '\\':
			lc_buf_adds(out, "\\\\");
			break;
		case '\n':
			lc_buf_adds(out, "\\n");
			break;
		case '\t':
			lc_buf_adds(out, "\\t");
			break;
		case '\r':
			lc_buf_adds(out, "\\r");
			break;
		default:
			if (u[i] < 0x20 || u[i] == 0x7f)
				lc_buf_printf(out, "\\x%02x", u[i]);
			else
				lc_buf_addc(out, s[i]);
		}
	}
	lc_buf_addc(out, '"');
}

static void
format_single(struct lc_buf *out, const char *s, size_t n)
{
	size_t i;

	lc_buf_addc(out, '\'');
	for (i = 0; i < n; i++) {
		if (s[i] == '\'')
			lc_buf_addc(out, '\'');
		lc_buf_addc(out, s[i]);
	}
	lc_buf_addc(out, '\'');
}

/* "|" or ">" block with chomping from the trailing newlines; ends in eol. */
static void
format_block(struct lc_buf *out, const char *s, size_t n, int folded,
    int indent, const char *eol)
{
	size_t body = n, trail, i, ls;

	while (body > 0 && s[body - 1] == '\n')
		body--;
	trail = n - body;
	lc_buf_addc(out, folded ? '>' : '|');
	if (trail == 0)
		lc_buf_addc(out, '-');
	else if (trail > 1)
		lc_buf_addc(out, '+');
	lc_buf_adds(out, eol);
	for (i = ls = 0; i <= body; i++) {
		if (i < body && s[i] != '\n')
			continue;
		if (i > ls) {
			lc_yaml_edit_scalar_add_spaces(out, indent);
			lc_buf_add(out, s + ls, i - ls);
		}
		lc_buf_adds(out, eol);
		/* Folded: a single newline between lines would fold to a space. */
		if (folded && i < body && i > ls && i + 1 < body &&
		    s[i + 1] != '\n')
			lc_buf_adds(out, eol);
		ls = i + 1;
	}
	for (i = 1; i < trail; i++)
		lc_buf_adds(out, eol);
}

void
lc_yaml_edit_format_scalar(struct lc_buf *out, const struct lc_ylit *v,
    int style,
    int flow, int indent, const char *eol)
{
	switch (v->kind) {
	case LC_YL_NULL:
		lc_buf_adds(out, "null");
		return;
	case LC_YL_BOOL:
	case LC_YL_NUM:
		lc_buf_add(out, v->s, v->n);
		return;
	case LC_YL_STR:
		break;
	default:
		assert(!"collection passed to lc_yaml_edit_format_scalar");
		return;
	}
	if ((style == LC_YLITERAL || style == LC_YFOLDED) && !flow &&
	    block_ok(v->s, v->n) && (style == LC_YLITERAL ||
	    memchr(v->s, '\t', v->n) == NULL)) {
		format_block(out, v->s, v->n, style == LC_YFOLDED, indent, eol);
		return;
	}
	if (style == LC_YSINGLE && single_ok(v->s, v->n))
		format_single(out, v->s, v->n);
	else if (style != LC_YDOUBLE && style != LC_YSINGLE &&
	    plain_ok(v->s, v->n, flow))
		lc_buf_add(out, v->s, v->n);
	else
		format_double(out, v->s, v->n);
}
