/* semver.c: semantic versions (a leading v allowed) and ranges. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "semver.h"

int
lc_semver_parse(const char *s, struct lc_semver *out)
{
	char *end;
	int i;

	memset(out, 0, sizeof(*out));
	if (*s == 'v')
		s++;
	for (i = 0; i < 3; i++) {
		if (!isdigit((unsigned char)*s) || (s[0] == '0' &&
		    isdigit((unsigned char)s[1])))
			return -1;
		errno = 0;
		out->v[i] = strtol(s, &end, 10);
		/* Past LONG_MAX every number would compare equal: not ours. */
		if (errno == ERANGE || out->v[i] == LONG_MAX)
			return -1;
		s = end;
		if (i < 2 && *s++ != '.')
			return -1;
	}
	if (*s == '-') {
		/* A cut pre-release would compare equal to another. */
		if (strlen(s + 1) >= sizeof(out->pre))
			return -1;
		snprintf(out->pre, sizeof(out->pre), "%s", s + 1);
		out->has_pre = 1;
		s += strlen(s);
	}
	return *s == '\0' ? 0 : -1;
}

/* Pre-release identifiers compare numerically when both are numbers. */
static int
pre_cmp(const char *a, const char *b)
{
	char *ea, *eb;
	long x, y;
	size_t la, lb;
	int c;

	while (*a && *b) {
		la = strcspn(a, ".");
		lb = strcspn(b, ".");
		x = strtol(a, &ea, 10);
		y = strtol(b, &eb, 10);
		if ((size_t)(ea - a) == la && (size_t)(eb - b) == lb && la && lb)
			c = x < y ? -1 : x > y;
		else if ((size_t)(ea - a) == la && la)
			c = -1;
		else if ((size_t)(eb - b) == lb && lb)
			c = 1;
		else if ((c = strncmp(a, b, la < lb ? la : lb)) == 0)
			c = la < lb ? -1 : la > lb;
		if (c)
			return c;
		a += la + (a[la] == '.');
		b += lb + (b[lb] == '.');
	}
	return *a ? 1 : *b ? -1 : 0;
}

int
lc_semver_cmp(const struct lc_semver *a, const struct lc_semver *b)
{
	int i;

	for (i = 0; i < 3; i++)
		if (a->v[i] != b->v[i])
			return a->v[i] < b->v[i] ? -1 : 1;
	if (a->has_pre != b->has_pre)
		return a->has_pre ? -1 : 1;
	return a->has_pre ? pre_cmp(a->pre, b->pre) : 0;
}

/*
 * Whether v satisfies range: comparators separated by blanks, all must
 * hold: >=1.2.0 <2.0.0, =1.2.3, 1.2.3, ^1.2.3, ~1.2.3, 1.x, 1.2.x, *.
 * Pre-releases match only when the range names one.
 */
int
lc_semver_in(const struct lc_semver *v, const char *range)
{
	char tok[128], op[3];
	struct lc_semver lo, hi;
	const char *p = range;
	size_t n;
	int parts, i, c;

	if (v->has_pre && strchr(range, '-') == NULL)
		return 0;
	while (*p) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		n = strcspn(p, " ");
		if (n >= sizeof(tok))
			return -1;
		snprintf(tok, sizeof(tok), "%.*s", (int)n, p);
		p += n;
		op[0] = op[1] = op[2] = '\0';
		for (i = 0; i < 2 && strchr("<>=^~", tok[i]); i++)
			op[i] = tok[i];
		memmove(tok, tok + i, strlen(tok + i) + 1);
		if (strcmp(tok, "*") == 0 || strcmp(tok, "x") == 0)
			continue;
		/* Partial versions: 1, 1.2, 1.x, 1.2.x. */
		memset(&lo, 0, sizeof(lo));
		parts = 0;
		{
			char *s = tok + (*tok == 'v'), *end;

			while (parts < 3 && isdigit((unsigned char)*s)) {
				errno = 0;
				lo.v[parts++] = strtol(s, &end, 10);
				/* ^ and ~ add one to a part. */
				if (errno == ERANGE || lo.v[parts - 1] == LONG_MAX)
					return -1;
				s = end;
				if (*s == '.')
					s++;
				else
					break;
			}
			if (*s == '-' && parts == 3) {
				lo.has_pre = 1;
				snprintf(lo.pre, sizeof(lo.pre), "%s", s + 1);
			} else if (*s && strcmp(s, "x") != 0 && strcmp(s, "*") != 0)
				return -1;
		}
		if (parts == 0)
			return -1;
		hi = lo;
		hi.has_pre = 0;
		if (op[0] == '^') {
			/* ^1.2.3 <2.0.0; ^0.2.3 <0.3.0; ^0.0.3 <0.0.4 */
			i = lo.v[0] ? 0 : parts > 1 && lo.v[1] ? 1 : parts > 2 ?
			    2 : parts - 1;
			hi.v[i]++;
			for (i++; i < 3; i++)
				hi.v[i] = 0;
			if (lc_semver_cmp(v, &lo) < 0 || lc_semver_cmp(v, &hi) >= 0)
				return 0;
		} else if (op[0] == '~' || (op[0] == '\0' && parts < 3) ||
		    (op[0] == '=' && parts < 3)) {
			i = op[0] == '~' && parts > 1 ? 1 : parts - 1;
			hi.v[i]++;
			for (i++; i < 3; i++)
				hi.v[i] = 0;
			if (lc_semver_cmp(v, &lo) < 0 || lc_semver_cmp(v, &hi) >= 0)
				return 0;
		} else {
			c = lc_semver_cmp(v, &lo);
			if ((strcmp(op, ">=") == 0 && c < 0) ||
			    (strcmp(op, ">") == 0 && c <= 0) ||
			    (strcmp(op, "<=") == 0 && c > 0) ||
			    (strcmp(op, "<") == 0 && c >= 0) ||
			    ((op[0] == '=' || op[0] == '\0') && c != 0))
				return 0;
		}
	}
	return 1;
}
