/* yaml_func_re.c: yq's test, match, capture and sub: Go RE2 syntax on PCRE2. */
#include <ctype.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "buf.h"
#include "error.h"
#include "yaml_edit.h"
#include "yaml_func.h"
#include "yaml_func_int.h"

/*
 * Why PCRE2: yq uses Go's regexp (RE2 syntax: \d \s \w, non-greedy
 * quantifiers, (?P<name>...) groups, (?i) flags). POSIX regcomp has none
 * of those. Oniguruma (jq's) would need libonig-dev and a syntax table
 * tuned to RE2. PCRE2 has all of RE2's syntax with the same leftmost-first
 * meaning, is already on every Debian system and in our link (libgit2 1.5
 * depends on it, and libgit2-dev brings libpcre2-dev), and bounds its
 * backtracking with match, depth and heap limits. What PCRE2 adds beyond
 * RE2 (look-around, back-references, possessive quantifiers, verbs) is
 * refused before compiling, with Go's message, so a pattern means here
 * what it means in yq or is an error in both. Go's \s has no \v and Go's
 * $ is the end of the text (not before a final newline): rewritten.
 */

/* Backtracking steps, nested depth and heap for one match. */
#define MATCH_LIMIT	2000000
#define DEPTH_LIMIT	100000
#define HEAP_LIMIT_KIB	65536
/* Patterns longer than this are refused (a pattern is not data). */
#define MAXPATTERN	65536
/* Compiled patterns kept between calls: an update over every string of a
 * large file compiles its pattern once. */
#define NCACHE		8

typedef struct lc_ylit lit;

struct re {
	char *src;		/* the pattern as given */
	size_t n;
	pcre2_code *code;
	pcre2_match_data *md;
	uint32_t ncap;
	const char **names;	/* by group number; NULL: unnamed */
};

static struct re cache[NCACHE];
static unsigned cache_next;
static pcre2_match_context *mctx;

static int
bad(const char *what, const char *p, size_t n)
{
	return lc_error_set(LC_EUSAGE, "error parsing regexp: %s: `%.*s`",
	    what, (int)(n > 80 ? 80 : n), p);
}

/* Digits at p[*i..n) as a number (capped past 100000), or -1 for none. */
static long
digits(const char *p, size_t n, size_t *i)
{
	long v = -1;

	for (; *i < n && isdigit((unsigned char)p[*i]); (*i)++)
		v = v < 0 ? p[*i] - '0' : v > 100000 ? v : v * 10 + p[*i] - '0';
	return v;
}

/*
 * A repetition {n}, {n,} or {n,m} at p (len n): its length, or 0 when it
 * is none (then '{' is a literal, as in Go). The pattern has no NUL, so
 * no strtol.
 */
static size_t
repeat_len(const char *p, size_t n, long *lo, long *hi)
{
	size_t i = 1;

	if ((*lo = *hi = digits(p, n, &i)) < 0)
		return 0;
	if (i < n && p[i] == ',') {
		i++;
		*hi = digits(p, n, &i);
	}
	return i < n && p[i] == '}' ? i + 1 : 0;
}

/*
 * Check p (n bytes) against Go's RE2 syntax and write the PCRE2 pattern
 * with Go's meaning to b. Returns 0 or LC_EUSAGE with Go's message.
 */
static int
translate(const char *p, size_t n, struct lc_buf *b)
{
	size_t i = 0, k;
	int inclass = 0, quant = 0, canrep = 0;
	long lo, hi;

	while (i < n) {
		char c = p[i];

		if (c == '\\') {
			char d;

			if (i + 1 == n)
				return bad("trailing backslash at end of "
				    "expression", "", 0);
			d = p[i + 1];
			quant = 0;
			canrep = 1;
			if (d == 'Q') {
				const char *e = NULL;

				for (k = i + 2; k + 1 < n; k++)
					if (p[k] == '\\' && p[k + 1] == 'E') {
						e = p + k;
						break;
					}
				k = e ? (size_t)(e - p) + 2 : n;
				lc_buf_add(b, p + i, k - i);
				if (!e)
					lc_buf_adds(b, "\\E");
				i = k;
				continue;
			}
			if (d >= '0' && d <= '7') {
				unsigned v = 0;

				/* \1..\7 alone would be back-references. */
				if (d != '0' && (i + 2 >= n || p[i + 2] < '0'
				    || p[i + 2] > '7'))
					return bad("invalid escape sequence",
					    p + i, 2);
				for (k = i + 1; k < n && k < i + 4 &&
				    p[k] >= '0' && p[k] <= '7'; k++)
					v = v * 8 + (p[k] - '0');
				lc_buf_printf(b, "\\x{%x}", v);
				i = k;
				continue;
			}
			if (d == 's' || (d == 'S' && !inclass)) {
				lc_buf_adds(b, inclass ? "\\t\\n\\f\\r " :
				    d == 's' ? "[\\t\\n\\f\\r ]" :
				    "[^\\t\\n\\f\\r ]");
				i += 2;
				continue;
			}
			if (d == 'v') {
				lc_buf_adds(b, "\\x0b");
				i += 2;
				continue;
			}
			if ((d == 'p' || d == 'P') && i + 2 < n &&
			    p[i + 2] == '{') {
				for (k = i + 3; k < n && p[k] != '}'; k++)
					;
				if (k == n)
					return bad("invalid character class "
					    "range", p + i, n - i);
				lc_buf_add(b, p + i, k + 1 - i);
				i = k + 1;
				continue;
			}
			/* strchr finds a NUL: Go takes "\\<NUL>" as a NUL. */
			if (!strchr("AbBzdDwWSpPaftnrx", d) &&
			    (!isascii((unsigned char)d) ||
			    isalnum((unsigned char)d)))
				return bad("invalid escape sequence", p + i,
				    2);
			lc_buf_add(b, p + i, 2);
			i += 2;
			continue;
		}
		if (inclass) {
			if (c == '[' && i + 1 < n && p[i + 1] == ':') {
				/* The pattern has no NUL: no strstr. */
				for (k = i + 2; k + 1 < n && (p[k] != ':' ||
				    p[k + 1] != ']'); k++)
					;
				if (k + 1 < n) {
					lc_buf_add(b, p + i, k + 2 - i);
					i = k + 2;
					continue;
				}
			}
			if (c == ']')
				inclass = 0, canrep = 1;
			lc_buf_addc(b, c);
			i++;
			continue;
		}
		if (c == '[') {
			inclass = 1;
			quant = 0;
			lc_buf_addc(b, c);
			i++;
			if (i < n && p[i] == '^')
				lc_buf_addc(b, p[i++]);
			if (i < n && p[i] == ']')
				lc_buf_adds(b, "\\]"), i++;
			continue;
		}
		if (c == '(' && i + 1 < n && p[i + 1] == '?') {
			quant = 0;
			if (i + 2 < n && (p[i + 2] == 'P' || p[i + 2] == '<')) {
				k = i + (p[i + 2] == 'P' ? 3 : 2);
				if (k < n && p[k] == '<' && k + 1 < n &&
				    (isalnum((unsigned char)p[k + 1]) ||
				    p[k + 1] == '_')) {
					lc_buf_add(b, p + i, k + 1 - i);
					i = k + 1;
					canrep = 0;
					continue;
				}
				if (p[i + 2] == 'P')
					return bad("invalid or unsupported "
					    "Perl syntax", p + i, 3);
				return bad("invalid named capture", p + i,
				    n - i);
			}
			for (k = i + 2; k < n && strchr("imsU-", p[k]) &&
			    p[k]; k++)
				;
			if (k == n || (p[k] != ')' && p[k] != ':'))
				return bad("invalid or unsupported Perl syntax",
				    p + i, k < n ? k + 1 - i : n - i);
			lc_buf_add(b, p + i, k + 1 - i);
			i = k + 1;
			canrep = p[k] == ')' && canrep;
			continue;
		}
		k = 0;
		if (c == '*' || c == '+' || c == '?' || (c == '{' &&
		    (k = repeat_len(p + i, n - i, &lo, &hi)) != 0)) {
			if (quant)
				return bad("invalid nested repetition "
				    "operator", p + i - quant, quant +
				    (k ? k : 1));
			/* Also keeps PCRE2's (*VERB)s out. */
			if (!canrep)
				return bad("missing argument to repetition "
				    "operator", p + i, k ? k : 1);
			if (k && (lo > 1000 || hi > 1000 || (hi >= 0 &&
			    hi < lo)))
				return bad("invalid repeat count", p + i, k);
			k = k ? k : 1;
			lc_buf_add(b, p + i, k);
			i += k;
			quant = (int)k;
			canrep = 1;
			/* A lazy '?' belongs to the quantifier. */
			if (i < n && p[i] == '?') {
				lc_buf_addc(b, '?');
				i++;
				quant++;
			}
			continue;
		}
		quant = 0;
		canrep = c != '(' && c != '|';
		lc_buf_addc(b, c);
		i++;
	}
	return 0;
}

static void
re_release(struct re *r)
{
	free(r->src);
	free(r->names);
	pcre2_match_data_free(r->md);
	pcre2_code_free(r->code);
	memset(r, 0, sizeof(*r));
}

void
lc_yaml_func_re_cleanup(void)
{
	size_t i;

	for (i = 0; i < NCACHE; i++)
		re_release(&cache[i]);
	pcre2_match_context_free(mctx);
	mctx = NULL;
}

static int
compile(const lit *pat, struct re **out)
{
	struct lc_buf b = LC_BUF_INIT;
	struct re *r;
	PCRE2_UCHAR msg[256];
	PCRE2_SIZE off;
	PCRE2_SPTR tab;
	uint32_t count, size, i;
	int err, rc;

	if (pat->kind != LC_YL_STR && pat->kind != LC_YL_NUM)
		return lc_error_set(LC_EUSAGE, "a regular expression must be "
		    "a string, not %s", lc_yaml_func_tag(pat));
	for (i = 0; i < NCACHE; i++)
		if (cache[i].code && cache[i].n == pat->n &&
		    memcmp(cache[i].src, pat->s, pat->n) == 0) {
			*out = &cache[i];
			return 0;
		}
	/* The limits first: no pattern may ever run without them. */
	if (mctx == NULL) {
		if ((mctx = pcre2_match_context_create(NULL)) == NULL)
			return lc_yaml_func_nomem();
		pcre2_set_match_limit(mctx, MATCH_LIMIT);
		pcre2_set_depth_limit(mctx, DEPTH_LIMIT);
		pcre2_set_heap_limit(mctx, HEAP_LIMIT_KIB);
	}
	if (pat->n > MAXPATTERN)
		return lc_error_set(LC_EUSAGE, "a regular expression of %zu "
		    "bytes is longer than the %d allowed", pat->n, MAXPATTERN);
	if (lc_yaml_edit_utf8_check(pat->s, pat->n) != pat->n)
		return bad("invalid UTF-8", pat->s, pat->n);
	if ((rc = translate(pat->s, pat->n, &b)) != 0) {
		lc_buf_release(&b);
		return rc;
	}
	r = &cache[cache_next];
	cache_next = (cache_next + 1) % NCACHE;
	re_release(r);
	r->code = pcre2_compile((PCRE2_SPTR)(b.data ? b.data : ""), b.len,
	    PCRE2_UTF | PCRE2_DOLLAR_ENDONLY | PCRE2_NEVER_BACKSLASH_C |
	    PCRE2_MATCH_INVALID_UTF, &err, &off, NULL);
	lc_buf_release(&b);
	if (r->code == NULL) {
		pcre2_get_error_message(err, msg, sizeof(msg));
		return bad((const char *)msg, pat->s, pat->n);
	}
	(void)pcre2_jit_compile(r->code, PCRE2_JIT_COMPLETE);
	pcre2_pattern_info(r->code, PCRE2_INFO_CAPTURECOUNT, &r->ncap);
	r->md = pcre2_match_data_create_from_pattern(r->code, NULL);
	r->names = calloc(r->ncap + 1, sizeof(*r->names));
	r->src = malloc(pat->n + 1);
	if (r->md == NULL || r->names == NULL || r->src == NULL) {
		re_release(r);
		return lc_yaml_func_nomem();
	}
	memcpy(r->src, pat->s, pat->n);
	r->n = pat->n;
	pcre2_pattern_info(r->code, PCRE2_INFO_NAMECOUNT, &count);
	pcre2_pattern_info(r->code, PCRE2_INFO_NAMEENTRYSIZE, &size);
	pcre2_pattern_info(r->code, PCRE2_INFO_NAMETABLE, &tab);
	for (i = 0; i < count; i++) {
		const unsigned char *e = tab + (size_t)i * size;
		unsigned g = e[0] << 8 | e[1];

		if (g <= r->ncap)
			r->names[g] = (const char *)e + 2;
	}
	*out = r;
	return 0;
}

/*
 * One match of r in s at or after pos. Returns 1 with the offsets in the
 * match data, 0 for none, or an LC_E* code.
 */
static int
find(struct re *r, const lit *s, size_t pos)
{
	int rc;

	rc = pcre2_match(r->code, (PCRE2_SPTR)s->s, s->n, pos, 0, r->md, mctx);
	if (rc == PCRE2_ERROR_JIT_STACKLIMIT)
		rc = pcre2_match(r->code, (PCRE2_SPTR)s->s, s->n, pos,
		    PCRE2_NO_JIT, r->md, mctx);
	if (rc >= 0)
		return 1;
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
	    rc == PCRE2_ERROR_HEAPLIMIT || rc == PCRE2_ERROR_JIT_STACKLIMIT)
		return lc_error_set(LC_ERROR, "regular expression `%.*s` "
		    "backtracks too much on a string of %zu bytes: simplify "
		    "it", (int)(r->n > 60 ? 60 : r->n), r->src, s->n);
	return lc_error_set(LC_ERROR, "regular expression `%.*s` failed "
	    "(PCRE2 error %d)", (int)(r->n > 60 ? 60 : r->n), r->src, rc);
}

/* The matches Go's FindAll gives: call fn for each, max of them (0: all). */
typedef int (*match_fn)(struct re *r, const lit *s, PCRE2_SIZE *ov,
    void *arg);

static int
each_match(struct re *r, const lit *s, int all, match_fn fn, void *arg)
{
	size_t pos = 0, len, prev = SIZE_MAX;
	PCRE2_SIZE *ov;
	int rc, accept;

	while (pos <= s->n) {
		if ((rc = find(r, s, pos)) <= 0)
			return rc;
		ov = pcre2_get_ovector_pointer(r->md);
		accept = 1;
		if (ov[1] == ov[0] && ov[1] == pos) {
			/* Go skips an empty match right after a match. */
			if (ov[0] == prev)
				accept = 0;
			if (pos < s->n)
				lc_yaml_func_utf8_get((const unsigned char *)s->s +
				    pos, s->n - pos, &len);
			else
				len = 1;
			pos += len;
		} else
			pos = ov[1];
		prev = ov[1];
		if (accept) {
			if ((rc = fn(r, s, ov, arg)) != 0)
				return rc;
			if (!all)
				return 0;
		}
	}
	return 0;
}

/* The results being collected: values side by side, grown in mem. */
struct results {
	struct lc_yfn_mem *m;
	lit *v;
	size_t n, cap;
	int found;
};

static int
push(struct results *res, const lit *v)
{
	lit *nv;

	if (res->n == res->cap) {
		res->cap = res->cap ? res->cap * 2 : 4;
		if (res->cap > SIZE_MAX / 2 / sizeof(lit) ||
		    (nv = lc_yaml_func_alloc(res->m, res->cap * sizeof(lit))) ==
		    NULL)
			return lc_yaml_func_nomem();
		if (res->n)
			memcpy(nv, res->v, res->n * sizeof(lit));
		res->v = nv;
	}
	res->v[res->n++] = *v;
	return 0;
}

static int
on_test(struct re *r, const lit *s, PCRE2_SIZE *ov, void *arg)
{
	((struct results *)arg)->found = 1;
	return 0;
}

static int
numlit(struct lc_yfn_mem *m, long long v, lit *out)
{
	char tmp[32];
	int n = snprintf(tmp, sizeof(tmp), "%lld", v);
	lit *l = lc_yaml_func_mklit(m, LC_YL_NUM, tmp, (size_t)n);

	if (l == NULL)
		return lc_yaml_func_nomem();
	*out = *l;
	return 0;
}

static const lit k_string = { LC_YL_STR, "string", 6, NULL, 0 };
static const lit k_offset = { LC_YL_STR, "offset", 6, NULL, 0 };
static const lit k_length = { LC_YL_STR, "length", 6, NULL, 0 };
static const lit k_captures = { LC_YL_STR, "captures", 8, NULL, 0 };
static const lit k_name = { LC_YL_STR, "name", 4, NULL, 0 };
static const lit v_null = { LC_YL_NULL, "null", 4, NULL, 0 };

/* {string, offset, length[, name]} for group g (unset: null, -1, 0). */
static int
matchobj(struct results *res, const lit *s, PCRE2_SIZE *ov, uint32_t g,
    const char *name, int caps, struct re *r, lit *out)
{
	size_t a = ov[2 * g], z = ov[2 * g + 1], nk = 6, i;
	int set = a != PCRE2_UNSET;
	lit *l, *k, *c, *ck;
	int rc;

	nk += name ? 2 : 0;
	nk += caps ? 2 : 0;
	if ((l = lc_yaml_func_mkcoll(res->m, LC_YL_MAP, nk, &k)) == NULL)
		return lc_yaml_func_nomem();
	k[0] = k_string;
	k[1] = set ? (lit){ LC_YL_STR, s->s + a, z - a, NULL, 0 } : v_null;
	k[2] = k_offset;
	if ((rc = numlit(res->m, set ? (long long)a : -1, &k[3])) != 0)
		return rc;
	k[4] = k_length;
	if ((rc = numlit(res->m, set ? (long long)(z - a) : 0, &k[5])) != 0)
		return rc;
	if (caps) {
		k[6] = k_captures;
		if ((c = lc_yaml_func_mkcoll(res->m, LC_YL_SEQ, r->ncap, &ck)) ==
		    NULL)
			return lc_yaml_func_nomem();
		for (i = 1; i <= r->ncap; i++)
			if ((rc = matchobj(res, s, ov, i, r->names[i], 0, r,
			    &ck[i - 1])) != 0)
				return rc;
		k[7] = *c;
	}
	/* Names are copied: the compiled pattern may be dropped first. */
	if (name) {
		if ((c = lc_yaml_func_mklit(res->m, LC_YL_STR, name, strlen(name))) ==
		    NULL)
			return lc_yaml_func_nomem();
		k[nk - 2] = k_name;
		k[nk - 1] = *c;
	}
	*out = *l;
	return 0;
}

static int
on_match(struct re *r, const lit *s, PCRE2_SIZE *ov, void *arg)
{
	lit v;
	int rc;

	if ((rc = matchobj(arg, s, ov, 0, NULL, 1, r, &v)) != 0)
		return rc;
	return push(arg, &v);
}

static int
on_capture(struct re *r, const lit *s, PCRE2_SIZE *ov, void *arg)
{
	struct results *res = arg;
	size_t i, n = 0;
	lit *l, *k;

	size_t j, unnamed = SIZE_MAX;

	/* yq puts unnamed groups under the key "" (one key: the last). */
	if ((l = lc_yaml_func_mkcoll(res->m, LC_YL_MAP, 2 * r->ncap, &k)) == NULL)
		return lc_yaml_func_nomem();
	for (i = 1, n = 0; i <= r->ncap; i++) {
		const char *name = r->names[i] ? r->names[i] : "";
		lit *nm;

		j = n;
		if (r->names[i] == NULL && unnamed != SIZE_MAX)
			j = unnamed;
		else if ((nm = lc_yaml_func_mklit(res->m, LC_YL_STR, name,
		    strlen(name))) == NULL)
			return lc_yaml_func_nomem();
		else {
			k[j] = *nm;
			n += 2;
			if (r->names[i] == NULL)
				unnamed = j;
		}
		k[j + 1] = ov[2 * i] == PCRE2_UNSET ? v_null : (lit){ LC_YL_STR,
		    s->s + ov[2 * i], ov[2 * i + 1] - ov[2 * i], NULL, 0 };
	}
	l->nkids = n;
	return push(res, l);
}

/*
 * Go's Regexp.Expand: $1 ${1} $name ${name}, $$ for '$'; a name is the
 * longest run of letters, digits and '_'; an unknown group is empty, a
 * '$' starting no reference is kept.
 */
static void
expand(struct lc_buf *b, struct re *r, const lit *s, PCRE2_SIZE *ov,
    const char *t, size_t n)
{
	size_t i = 0, k, nl;
	const char *name;
	uint32_t g;
	int brace;

	while (i < n) {
		if (t[i] != '$' || i + 1 == n) {
			lc_buf_addc(b, t[i++]);
			continue;
		}
		if (t[i + 1] == '$') {
			lc_buf_addc(b, '$');
			i += 2;
			continue;
		}
		brace = t[i + 1] == '{';
		k = i + 1 + brace;
		name = t + k;
		while (k < n && (isalnum((unsigned char)t[k]) || t[k] == '_'))
			k++;
		nl = t + k - name;
		if (nl == 0 || (brace && (k == n || t[k] != '}'))) {
			lc_buf_addc(b, t[i++]);
			continue;
		}
		i = k + brace;
		for (k = 0; k < nl && isdigit((unsigned char)name[k]); k++)
			;
		if (k == nl) {
			unsigned long v = 0;

			for (k = 0; k < nl && v <= r->ncap; k++)
				v = v * 10 + (name[k] - '0');
			if (v > r->ncap)
				continue;
			g = (uint32_t)v;
		} else {
			for (g = 1; g <= r->ncap; g++)
				if (r->names[g] && strlen(r->names[g]) == nl &&
				    memcmp(r->names[g], name, nl) == 0)
					break;
			if (g > r->ncap)
				continue;
		}
		if (ov[2 * g] != PCRE2_UNSET)
			lc_buf_add(b, s->s + ov[2 * g], ov[2 * g + 1] -
			    ov[2 * g]);
	}
}

/* Go's ReplaceAllString, which has its own walk over the matches. */
static int
sub(struct re *r, const lit *s, const lit *repl, struct lc_yfn_mem *m,
    const lit **out)
{
	struct lc_buf b = LC_BUF_INIT;
	size_t pos = 0, last = 0, len;
	PCRE2_SIZE *ov;
	lit *l;
	int rc;

	while (pos <= s->n) {
		if ((rc = find(r, s, pos)) < 0) {
			lc_buf_release(&b);
			return rc;
		}
		if (rc == 0)
			break;
		ov = pcre2_get_ovector_pointer(r->md);
		lc_buf_add(&b, s->s + last, ov[0] - last);
		if (ov[1] > last || ov[0] == 0)
			expand(&b, r, s, ov, repl->s, repl->n);
		last = ov[1];
		if (pos < s->n)
			lc_yaml_func_utf8_get((const unsigned char *)s->s + pos,
			    s->n - pos, &len);
		else
			len = 1;
		if (pos + len > ov[1])
			pos += len;
		else if (pos + 1 > ov[1])
			pos++;
		else
			pos = ov[1];
		if (b.len > LC_YFN_MAXSTR) {
			lc_buf_release(&b);
			return lc_error_set(LC_ERROR, "the result of sub is "
			    "longer than the %zu bytes allowed",
			    LC_YFN_MAXSTR);
		}
	}
	lc_buf_add(&b, s->s + last, s->n - last);
	l = lc_yaml_func_mklit(m, LC_YL_STR, b.data ? b.data : "", b.len);
	lc_buf_release(&b);
	if (l == NULL)
		return lc_yaml_func_nomem();
	*out = l;
	return 0;
}

/* "g" is yq's one flag; yq's message for the others. */
static int
flags(const lit *f, int *all)
{
	size_t i;

	*all = 0;
	if (f->kind != LC_YL_STR)
		return lc_error_set(LC_EUSAGE, "regular expression flags must "
		    "be a string, not %s", lc_yaml_func_tag(f));
	for (i = 0; i < f->n; i++) {
		if (f->s[i] != 'g')
			return lc_error_set(LC_EUSAGE, "'%c' is not a valid "
			    "option for match. To ignore case, use an "
			    "expression like match(\"(?i)cat\")", f->s[i]);
		*all = 1;
	}
	return 0;
}

int
lc_yaml_func_re_call(const char *name, const lit *in, const lit *args,
    size_t nargs, struct lc_yfn_mem *m, const lit **out, size_t *nout)
{
	struct results res;
	struct re *r = NULL;
	const lit *v = NULL;
	lit *l;
	int rc, all = 0, issub = strcmp(name, "sub") == 0;

	*nout = 0;
	if (in->kind != LC_YL_STR)
		return lc_error_set(LC_EDATA, "cannot %s with %s, can only "
		    "%s strings. Hint: Most often you'll want to use '|=' "
		    "over '=' for this operation", issub ? "substitute" :
		    "match", lc_yaml_func_tag(in), issub ? "substitute" : "match");
	if (nargs > (size_t)1 + issub &&
	    (rc = flags(&args[1 + issub], &all)) != 0)
		return rc;
	if ((rc = compile(&args[0], &r)) != 0)
		return rc;
	memset(&res, 0, sizeof(res));
	res.m = m;
	if (issub) {
		if (args[1].kind != LC_YL_STR && args[1].kind != LC_YL_NUM)
			return lc_error_set(LC_EUSAGE, "the replacement of "
			    "sub must be a string, not %s",
			    lc_yaml_func_tag(&args[1]));
		if ((rc = sub(r, in, &args[1], m, &v)) != 0)
			return rc;
		*out = v;
		*nout = 1;
		return 0;
	}
	if (strcmp(name, "test") == 0) {
		if ((rc = each_match(r, in, 0, on_test, &res)) != 0)
			return rc;
		if ((l = lc_yaml_func_mklit(m, LC_YL_BOOL, res.found ? "true" :
		    "false", res.found ? 4 : 5)) == NULL)
			return lc_yaml_func_nomem();
		*out = l;
		*nout = 1;
		return 0;
	}
	if ((rc = each_match(r, in, all, strcmp(name, "match") == 0 ?
	    on_match : on_capture, &res)) != 0)
		return rc;
	*out = res.v;
	*nout = res.n;
	return 0;
}
