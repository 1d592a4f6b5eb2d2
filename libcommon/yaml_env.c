/* yaml_env.c: yq's envsubst on one string, the environment given by a lookup. */
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "yaml_env.h"

/* Names in messages are cut here (a hostile string can hold a long one). */
#define NAME_SHOWN	64

struct st {
	const char *s, *p, *end;
	unsigned flags;
	size_t max, base;	/* out->len may grow by max from base */
	lc_yenv_get get;
	void *arg;
	struct lc_buf *out;
	struct lc_buf first;	/* the first nu/ne problem */
	size_t nbad;
};

static int
namechar(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_';
}

static const char *
cut(size_t n)
{
	return n > NAME_SHOWN ? "..." : "";
}

static int
shown(size_t n)
{
	return n > NAME_SHOWN ? NAME_SHOWN : (int)n;
}

static int
emit(struct st *st, const char *p, size_t n, int on)
{
	if (!on)
		return 0;
	if (n > st->max - (st->out->len - st->base))
		return lc_error_set(LC_ERROR, "envsubst: the result would be "
		    "longer than %zu bytes", st->max);
	lc_buf_add(st->out, p, n);
	return 0;
}

/*
 * A variable unset under nu, or empty under ne: the first is remembered,
 * and with ff it stops the substitution.
 */
static int
problem(struct st *st, const char *name, size_t n, int empty)
{
	if (st->nbad++ == 0)
		lc_buf_printf(&st->first, "envsubst(%s): variable '%.*s%s' is "
		    "%s (%s: ${%.*s%s:-value})", empty ? "ne" : "nu", shown(n),
		    name, cut(n), empty ? "set but empty" : "not set",
		    empty ? "give it a value or a default" :
		    "set it or give a default", shown(n), name, cut(n));
	if (st->flags & LC_YENV_FAILFAST)
		return LC_EUSAGE;
	return 0;
}

/* A variable's value, held to nu and ne. */
static int
value(struct st *st, const char *name, size_t n, int on)
{
	const char *v;
	size_t len = 0;

	if (!on)
		return 0;
	v = st->get(st->arg, name, n, &len);
	if (v == NULL && (st->flags & LC_YENV_NOUNSET))
		return problem(st, name, n, 0);
	if (v != NULL && len == 0 && (st->flags & LC_YENV_NOEMPTY))
		return problem(st, name, n, 1);
	return v == NULL ? 0 : emit(st, v, len, on);
}

static int
unclosed(struct st *st, const char *open, const char *name, size_t n)
{
	return lc_error_set(LC_EDATA, "envsubst: '${%.*s%s' at byte %zu has "
	    "no closing '}' on its line; close it, or write '$$' for a "
	    "literal '$'", shown(n), name, cut(n), (size_t)(open - st->s));
}

static int word(struct st *, int, int);

/*
 * ${NAME...} at st->p. A '$' or "${" that starts no variable is text, as
 * yq reads it ("${}", "${{ github.sha }}").
 */
static int
braced(struct st *st, int depth, int on)
{
	const char *open = st->p, *name = st->p + 2, *q, *v;
	size_t n, len = 0;
	int op, colon = 0, use, rc;
	char what[32];

	for (q = name; q < st->end && namechar((unsigned char)*q); q++)
		;
	n = (size_t)(q - name);
	if (n == 0 && (q == st->end || *q == '\n' || *q == '\r'))
		return unclosed(st, open, name, n);
	if (n == 0 || (n == 1 && *name == '_')) {
		st->p += 2;
		return emit(st, "${", 2, on);
	}
	st->p = q;
	if (q == st->end || *q == '\n' || *q == '\r')
		return unclosed(st, open, name, n);
	if (*q == '}') {
		st->p++;
		return value(st, name, n, on);
	}
	if (*q == ':' && q + 1 < st->end &&
	    (q[1] == '-' || q[1] == '=' || q[1] == '+')) {
		colon = 1;
		q++;
	}
	if (*q != '-' && *q != '=' && *q != '+') {
		if (*q == ':' && q + 1 < st->end && q[1] >= '!' && q[1] <= '~')
			snprintf(what, sizeof(what), "':%c'", q[1]);
		else if (*q >= '!' && *q <= '~')
			snprintf(what, sizeof(what), "'%c'", *q);
		else
			snprintf(what, sizeof(what), "a control or non-ASCII "
			    "byte");
		return lc_error_set(LC_EDATA, "envsubst: '${%.*s%s' at byte "
		    "%zu is followed by %s; only ${NAME}, ${NAME-default}, "
		    "${NAME:-default}, ${NAME=default}, ${NAME:=default}, "
		    "${NAME+word} and ${NAME:+word} are supported", shown(n),
		    name, cut(n), (size_t)(open - st->s), what);
	}
	op = *q;
	st->p = q + 1;
	if (st->p < st->end && *st->p == '}') {
		/* An empty word: yq reads ${NAME:-} as ${NAME}. */
		st->p++;
		return value(st, name, n, on);
	}
	if (depth + 1 > LC_YENV_MAXNEST)
		return lc_error_set(LC_ERROR, "envsubst: defaults nested more "
		    "than %d deep at byte %zu", LC_YENV_MAXNEST,
		    (size_t)(open - st->s));
	v = on ? st->get(st->arg, name, n, &len) : NULL;
	if (op == '+')
		use = v != NULL;
	else
		use = v == NULL || (colon && len == 0);
	if ((rc = word(st, depth + 1, on && use)) != 0)
		return rc;
	if (st->p == st->end || *st->p != '}')
		return unclosed(st, open, name, n);
	st->p++;
	if (op != '+' && !use)
		return value(st, name, n, on);
	return 0;
}

/* Text and variables up to the end, or in a word up to its '}' or line end. */
static int
word(struct st *st, int depth, int on)
{
	const char *q, *name;
	int rc;

	while (st->p < st->end) {
		if (depth > 0 && (*st->p == '}' || *st->p == '\n' ||
		    *st->p == '\r'))
			return 0;
		if (*st->p != '$') {
			for (q = st->p; q < st->end && *q != '$' &&
			    !(depth > 0 && (*q == '}' || *q == '\n' ||
			    *q == '\r')); q++)
				;
			rc = emit(st, st->p, (size_t)(q - st->p), on);
			st->p = q;
		} else if (st->p + 1 < st->end && st->p[1] == '$') {
			rc = emit(st, "$", 1, on);
			st->p += 2;
		} else if (st->p + 1 < st->end && st->p[1] == '{') {
			rc = braced(st, depth, on);
		} else if (st->p + 1 < st->end &&
		    namechar((unsigned char)st->p[1]) &&
		    !(st->p[1] == '_' && (st->p + 2 == st->end ||
		    !namechar((unsigned char)st->p[2])))) {
			name = ++st->p;
			while (st->p < st->end &&
			    namechar((unsigned char)*st->p))
				st->p++;
			rc = value(st, name, (size_t)(st->p - name), on);
		} else {
			rc = emit(st, "$", 1, on);
			st->p++;
		}
		if (rc != 0)
			return rc;
	}
	return 0;
}

int
lc_yaml_env_subst(struct lc_buf *out, const char *s, size_t n, unsigned flags,
    size_t max, lc_yenv_get get, void *arg)
{
	struct st st;
	int rc;

	memset(&st, 0, sizeof(st));
	st.s = st.p = s;
	st.end = s + n;
	st.flags = flags;
	st.max = max;
	st.base = out->len;
	st.get = get;
	st.arg = arg;
	st.out = out;
	lc_buf_init(&st.first);
	rc = word(&st, 0, 1);
	if (rc == 0 && st.nbad > 1)
		lc_buf_printf(&st.first, "; and %zu more variable%s unset or "
		    "empty", st.nbad - 1, st.nbad > 2 ? "s" : "");
	if ((rc == 0 || rc == LC_EUSAGE) && st.nbad > 0)
		rc = lc_error_set(LC_EUSAGE, "%s", st.first.data);
	lc_buf_release(&st.first);
	return rc;
}

int
lc_yaml_env_flags(const char *s, size_t n, unsigned *flags)
{
	size_t i = 0, w;

	*flags = 0;
	while (i < n) {
		if (s[i] == ' ' || s[i] == ',' || s[i] == '\t') {
			i++;
			continue;
		}
		for (w = i; w < n && s[w] != ' ' && s[w] != ',' &&
		    s[w] != '\t'; w++)
			;
		if (w - i == 2 && memcmp(s + i, "nu", 2) == 0)
			*flags |= LC_YENV_NOUNSET;
		else if (w - i == 2 && memcmp(s + i, "ne", 2) == 0)
			*flags |= LC_YENV_NOEMPTY;
		else if (w - i == 2 && memcmp(s + i, "ff", 2) == 0)
			*flags |= LC_YENV_FAILFAST;
		else
			return lc_error_set(LC_EUSAGE, "envsubst: unknown flag "
			    "'%.*s%s'; the flags are nu (no unset), ne (no "
			    "empty) and ff (fail fast)", shown(w - i), s + i,
			    cut(w - i));
		i = w;
	}
	if (*flags == 0)
		return lc_error_set(LC_EUSAGE, "envsubst: no flags in "
		    "'envsubst()'; write envsubst, or envsubst(nu, ne, ff)");
	return 0;
}
