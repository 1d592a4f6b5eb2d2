/* acd_diff.c: what a sync would change, from an app's managed resources. */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jv.h>

#include "acd_diff.h"
#include "buf.h"
#include "diff.h"
#include "error.h"
#include "jvutil.h"
#include "log.h"

#define MAX_DEPTH 512

static int node(struct lc_buf *o, jv v, int ind, int depth, int after_key);

static void
spaces(struct lc_buf *o, int n)
{
	while (n-- > 0)
		lc_buf_addc(o, ' ');
}

/* The code point at s (valid UTF-8, as libjq keeps strings); *len bytes. */
static uint32_t
utf8(const char *s, size_t n, size_t *len)
{
	const unsigned char *u = (const unsigned char *)s;
	uint32_t c = u[0];
	size_t k = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4, i;

	if (k > n)
		k = 1;
	if (k > 1)
		c &= 0x3f >> (k - 1);
	for (i = 1; i < k; i++)
		c = (c << 6) | (u[i] & 0x3f);
	*len = k;
	return c;
}

/*
 * Whether YAML takes code point c as it is: printable, and not a line
 * break of YAML 1.1 (NEL, LS, PS) or a byte order mark. Others are
 * escaped in double quotes (libyaml refuses them raw).
 */
static int
safe(uint32_t c)
{
	return (c >= 0x20 && c <= 0x7e) || (c >= 0xa0 && c <= 0xd7ff &&
	    c != 0x2028 && c != 0x2029) || (c >= 0xe000 && c <= 0xfffd &&
	    c != 0xfeff) || (c >= 0x10000 && c <= 0x10ffff);
}

/* Whether every code point of s (n bytes) is safe, or one of also. */
static int
all_safe(const char *s, size_t n, const char *also)
{
	size_t i, k;
	uint32_t c;

	for (i = 0; i < n; i += k) {
		c = utf8(s + i, n - i, &k);
		if (!safe(c) && (c >= 0x80 || strchr(also, (int)c) == NULL ||
		    c == 0))
			return 0;
	}
	return 1;
}

/* Whether s (n bytes) would read back as this string in YAML 1.1. */
static int
plain_ok(const char *s, size_t n)
{
	static const char *const words[] = { "null", "~", "true", "false",
	    "yes", "no", "on", "off", "y", "n", ".inf", "-.inf", "+.inf",
	    ".nan", "<<", "=" };	/* "<<": a merge key in YAML 1.1 */
	char low[8];
	size_t i;

	if (n == 0 || s[0] == ' ' || s[n - 1] == ' ' || s[n - 1] == ':' ||
	    strchr("?:,[]{}#&*!|>'\"%@`", s[0]) != NULL ||
	    (s[0] == '-' && (n == 1 || s[1] == ' ')))
		return 0;
	if (!all_safe(s, n, ""))
		return 0;
	for (i = 0; i < n; i++) {
		if (i + 1 < n && ((s[i] == ':' && s[i + 1] == ' ') ||
		    (s[i] == ' ' && s[i + 1] == '#')))
			return 0;
	}
	if (n < sizeof(low)) {
		for (i = 0; i < n; i++)
			low[i] = (char)tolower((unsigned char)s[i]);
		low[n] = '\0';
		for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
			if (strcmp(low, words[i]) == 0)
				return 0;
	}
	/* Anything that may be a number (1.5, 0x1F, 1e3, 1:30, -4). */
	if (isdigit((unsigned char)s[0]) || ((s[0] == '-' || s[0] == '+' ||
	    s[0] == '.') && n > 1 && (isdigit((unsigned char)s[1]) ||
	    s[1] == '.'))) {
		for (i = 0; i < n; i++)
			if (strchr("0123456789+-._:eExXoObBaAcCdDfF", s[i]) ==
			    NULL)
				break;
		if (i == n)
			return 0;
	}
	return 1;
}

/* Whether s suits a literal block: lines, no other control characters. */
static int
block_ok(const char *s, size_t n)
{
	size_t i;

	/* A line starting with a tab or, the first, a blank is not taken
	 * as content by libyaml. */
	if (memchr(s, '\n', n) == NULL || s[0] == ' ' || s[0] == '\n' ||
	    s[0] == '\t')
		return 0;
	for (i = 0; i + 1 < n; i++)
		if (s[i] == '\n' && s[i + 1] == '\t')
			return 0;
	return all_safe(s, n, "\n\t");
}

/* s in double quotes, what YAML does not take raw escaped. */
static void
quoted(struct lc_buf *o, jv s)
{
	const char *p = jv_string_value(s);
	size_t n = (size_t)jv_string_length_bytes(jv_copy(s)), i, k;
	uint32_t c;

	lc_buf_addc(o, '"');
	for (i = 0; i < n; i += k) {
		c = utf8(p + i, n - i, &k);
		if (c == '"' || c == '\\')
			lc_buf_printf(o, "\\%c", (int)c);
		else if (c == '\n')
			lc_buf_adds(o, "\\n");
		else if (c == '\t')
			lc_buf_adds(o, "\\t");
		else if (safe(c))
			lc_buf_add(o, p + i, k);
		else if (c < 0x100)
			lc_buf_printf(o, "\\x%02x", (unsigned)c);
		else if (c < 0x10000)
			lc_buf_printf(o, "\\u%04x", (unsigned)c);
		else
			lc_buf_printf(o, "\\U%08x", (unsigned)c);
	}
	lc_buf_addc(o, '"');
}

static void
scalar_string(struct lc_buf *o, jv s, int ind)
{
	const char *p = jv_string_value(s), *e;
	size_t n = (size_t)jv_string_length_bytes(jv_copy(s)), tail = 0, len;

	if (plain_ok(p, n)) {
		lc_buf_add(o, p, n);
		lc_buf_addc(o, '\n');
		return;
	}
	if (!block_ok(p, n)) {
		quoted(o, s);
		lc_buf_addc(o, '\n');
		return;
	}
	while (tail < n && p[n - 1 - tail] == '\n')
		tail++;
	lc_buf_adds(o, tail == 0 ? "|-\n" : tail == 1 ? "|\n" : "|+\n");
	/* Each line indented (empty ones left empty), the last newline
	 * being the block's own. */
	while (n > 0) {
		e = memchr(p, '\n', n);
		len = e ? (size_t)(e - p) : n;
		if (len > 0) {
			spaces(o, ind);
			lc_buf_add(o, p, len);
		}
		lc_buf_addc(o, '\n');
		if (e == NULL || len + 1 == n)
			break;
		p += len + 1;
		n -= len + 1;
	}
}

/* A mapping at column ind; the first key goes where the cursor is. */
static int
mapping(struct lc_buf *o, jv v, int ind, int depth, int inline_first)
{
	struct lc_buf kb = LC_BUF_INIT;
	jv keys = jv_keys(jv_copy(v)), k;	/* sorted */
	int i, n = jv_array_length(jv_copy(keys)), rc = 0;
	const char *s;

	for (i = 0; i < n && rc == 0; i++) {
		if (i > 0 || !inline_first)
			spaces(o, ind);
		k = jv_array_get(jv_copy(keys), i);
		s = jv_string_value(k);
		kb.len = 0;
		lc_buf_adds(&kb, "");
		if (plain_ok(s, (size_t)jv_string_length_bytes(jv_copy(k))))
			lc_buf_adds(&kb, s);
		else
			quoted(&kb, k);
		/* YAML's implicit keys end within 1024 characters. */
		if (kb.len > 1000) {
			lc_buf_adds(o, "? ");
			lc_buf_add(o, kb.data, kb.len);
			lc_buf_addc(o, '\n');
			spaces(o, ind);
		} else
			lc_buf_add(o, kb.data, kb.len);
		lc_buf_addc(o, ':');
		rc = node(o, jv_object_get(jv_copy(v), k), ind, depth + 1, 1);
	}
	jv_free(keys);
	lc_buf_release(&kb);
	return rc;
}

/* A sequence with its dashes at column ind. */
static int
sequence(struct lc_buf *o, jv v, int ind, int depth, int inline_first)
{
	int i, n = jv_array_length(jv_copy(v)), rc = 0;

	for (i = 0; i < n && rc == 0; i++) {
		if (i > 0 || !inline_first)
			spaces(o, ind);
		lc_buf_addc(o, '-');
		rc = node(o, jv_array_get(jv_copy(v), i), ind, depth + 1, 0);
	}
	return rc;
}

/*
 * v (consumed) after "key:" (after_key) or "-" at column ind: a nested
 * mapping below, indented; a sequence in a mapping at the key's column
 * (as kubectl writes it); in a sequence, on the dash's line.
 */
static int
node(struct lc_buf *o, jv v, int ind, int depth, int after_key)
{
	jv_kind k = jv_get_kind(v);
	jv d;
	int rc = 0;

	if (depth > MAX_DEPTH) {
		jv_free(v);
		return lc_error_set(LC_EDATA, "a manifest nests deeper than %d "
		    "levels", MAX_DEPTH);
	}
	if (k == JV_KIND_OBJECT && jv_object_length(jv_copy(v)) > 0) {
		if (after_key) {
			lc_buf_addc(o, '\n');
			rc = mapping(o, v, ind + 2, depth, 0);
		} else {
			lc_buf_addc(o, ' ');
			rc = mapping(o, v, ind + 2, depth, 1);
		}
	} else if (k == JV_KIND_ARRAY && jv_array_length(jv_copy(v)) > 0) {
		if (after_key) {
			lc_buf_addc(o, '\n');
			rc = sequence(o, v, ind, depth, 0);
		} else {
			lc_buf_addc(o, ' ');
			rc = sequence(o, v, ind + 2, depth, 1);
		}
	} else if (k == JV_KIND_STRING) {
		lc_buf_addc(o, ' ');
		scalar_string(o, v, ind + 2);
	} else {
		lc_buf_addc(o, ' ');
		if (k == JV_KIND_OBJECT)
			lc_buf_adds(o, "{}");
		else if (k == JV_KIND_ARRAY)
			lc_buf_adds(o, "[]");
		else {
			d = jv_dump_string(jv_copy(v), 0);
			lc_buf_adds(o, jv_string_value(d));
			jv_free(d);
		}
		lc_buf_addc(o, '\n');
	}
	jv_free(v);
	return rc;
}

int
lc_acd_diff_yaml(struct lc_buf *out, jv v)
{
	struct lc_buf tmp = LC_BUF_INIT;
	int rc;

	lc_buf_adds(&tmp, "");
	if (jv_get_kind(v) == JV_KIND_OBJECT && jv_object_length(jv_copy(v)))
		rc = mapping(&tmp, v, 0, 0, 0);
	else if (jv_get_kind(v) == JV_KIND_ARRAY && jv_array_length(jv_copy(v)))
		rc = sequence(&tmp, v, 0, 0, 0);
	else {
		/* A scalar alone: as after a key, without the blank. */
		rc = node(&tmp, jv_copy(v), 0, 0, 1);
		memmove(tmp.data, tmp.data + 1, tmp.len--);
	}
	if (rc == 0)
		lc_buf_add(out, tmp.data, tmp.len);
	lc_buf_release(&tmp);
	return rc;
}

/* A state (JSON text) as a value: null for "", "null" or absent. */
static int
state(jv item, const char *key, jv *out)
{
	const char *s = lc_jvutil_str(item, key);

	*out = jv_null();
	if (*s == '\0')
		return 0;
	*out = jv_parse(s);
	if (!jv_is_valid(*out)) {
		jv_free(*out);
		*out = jv_null();
		return lc_error_set(LC_ERROR, "%s of %s/%s '%s' is not JSON", key,
		    lc_jvutil_str(item, "group"), lc_jvutil_str(item, "kind"),
		    lc_jvutil_str(item, "name"));
	}
	return 0;
}

static int
change_cmp(const void *x, const void *y)
{
	const struct lc_acd_change *a = x, *b = y;
	int c;

	if ((c = strcmp(a->group, b->group)) != 0 ||
	    (c = strcmp(a->kind, b->kind)) != 0 ||
	    (c = strcmp(a->ns, b->ns)) != 0)
		return c;
	return strcmp(a->name, b->name);
}

/*
 * The name of one side in the ---/+++ lines: one line whatever the
 * server's names hold (a newline there would forge a hunk).
 */
static void
path(struct lc_buf *p, const char *side, const char *app,
    const struct lc_acd_change *c)
{
	struct lc_buf raw = LC_BUF_INIT;

	lc_buf_printf(&raw, "%s/%s/", side, app);
	if (*c->group)
		lc_buf_printf(&raw, "%s/", c->group);
	lc_buf_printf(&raw, "%s/", c->kind);
	if (*c->ns)
		lc_buf_printf(&raw, "%s/", c->ns);
	lc_buf_adds(&raw, c->name);
	lc_log_clean(p, raw.data);
	lc_buf_release(&raw);
}

/* Fill c from item: the two sides, their YAML, the diff. */
static int
one(struct lc_acd_change *c, jv item, const char *app)
{
	struct lc_buf ly = LC_BUF_INIT, ty = LC_BUF_INIT, text = LC_BUF_INIT;
	struct lc_buf from = LC_BUF_INIT, to = LC_BUF_INIT;
	jv pred = jv_null();
	int rc;

	memset(c, 0, sizeof(*c));
	c->item = item;
	c->group = lc_jvutil_str(item, "group");
	c->kind = lc_jvutil_str(item, "kind");
	c->ns = lc_jvutil_str(item, "namespace");
	c->name = lc_jvutil_str(item, "name");
	c->live = jv_null();
	c->target = jv_null();
	if ((rc = state(item, "normalizedLiveState", &c->live)) != 0 ||
	    (jv_get_kind(c->live) == JV_KIND_NULL &&
	    (rc = state(item, "liveState", &c->live)) != 0) ||
	    (rc = state(item, "targetState", &c->target)) != 0 ||
	    (rc = state(item, "predictedLiveState", &pred)) != 0)
		goto done;
	/* Both there: what the live object becomes, as argocd app diff. */
	if (jv_get_kind(c->live) != JV_KIND_NULL &&
	    jv_get_kind(c->target) != JV_KIND_NULL &&
	    jv_get_kind(pred) != JV_KIND_NULL) {
		jv_free(c->target);
		c->target = pred;
		pred = jv_null();
	}
	lc_buf_adds(&ly, "");
	lc_buf_adds(&ty, "");
	if ((jv_get_kind(c->live) != JV_KIND_NULL &&
	    (rc = lc_acd_diff_yaml(&ly, jv_copy(c->live))) != 0) ||
	    (jv_get_kind(c->target) != JV_KIND_NULL &&
	    (rc = lc_acd_diff_yaml(&ty, jv_copy(c->target))) != 0))
		goto done;
	c->action = jv_get_kind(c->live) == JV_KIND_NULL ? "create" :
	    jv_get_kind(c->target) == JV_KIND_NULL ? "delete" : "update";
	if (jv_get_kind(c->live) == JV_KIND_NULL)
		lc_buf_adds(&from, "/dev/null");
	else
		path(&from, "live", app, c);
	if (jv_get_kind(c->target) == JV_KIND_NULL)
		lc_buf_adds(&to, "/dev/null");
	else
		path(&to, "target", app, c);
	lc_buf_adds(&text, "");
	c->lines = lc_diff_unified(&text, ly.data, ly.len, ty.data, ty.len,
	    from.data, to.data, 3);
	c->diff = lc_buf_detach(&text);
done:
	jv_free(pred);
	lc_buf_release(&ly);
	lc_buf_release(&ty);
	lc_buf_release(&from);
	lc_buf_release(&to);
	lc_buf_release(&text);
	return rc;
}

static void
release(struct lc_acd_change *c)
{
	jv_free(c->item);
	jv_free(c->live);
	jv_free(c->target);
	free(c->diff);
}

int
lc_acd_diff(jv items, const char *app, struct lc_acd_change **out,
    size_t *n)
{
	struct lc_acd_change *c;
	jv item, hook;
	int i, len, rc = 0;

	*out = NULL;
	*n = 0;
	len = jv_get_kind(items) == JV_KIND_ARRAY ?
	    jv_array_length(jv_copy(items)) : 0;
	c = lc_buf_xmalloc(((size_t)len + 1) * sizeof(*c));
	for (i = 0; i < len; i++) {
		item = jv_array_get(jv_copy(items), i);
		hook = lc_jvutil_get(item, "hook");
		if (jv_get_kind(hook) == JV_KIND_TRUE) {
			jv_free(hook);
			jv_free(item);
			continue;
		}
		jv_free(hook);
		if ((rc = one(&c[*n], item, app)) != 0) {
			release(&c[*n]);
			break;
		}
		if (c[*n].lines == 0)
			release(&c[*n]);
		else
			(*n)++;
	}
	if (rc != 0) {
		lc_acd_diff_changes_free(c, *n);
		*n = 0;
		return rc;
	}
	qsort(c, *n, sizeof(*c), change_cmp);
	*out = c;
	return 0;
}

void
lc_acd_diff_changes_free(struct lc_acd_change *c, size_t n)
{
	size_t i;

	for (i = 0; c && i < n; i++)
		release(&c[i]);
	free(c);
}

void
lc_acd_diff_change_json(struct lc_buf *out, const char *app,
    const struct lc_acd_change *c)
{
	jv o = jv_object(), s;

	o = jv_object_set(o, jv_string("app"), jv_string(app));
	o = jv_object_set(o, jv_string("group"), jv_string(c->group));
	o = jv_object_set(o, jv_string("kind"), jv_string(c->kind));
	o = jv_object_set(o, jv_string("namespace"), jv_string(c->ns));
	o = jv_object_set(o, jv_string("name"), jv_string(c->name));
	o = jv_object_set(o, jv_string("action"), jv_string(c->action));
	o = jv_object_set(o, jv_string("live"), jv_copy(c->live));
	o = jv_object_set(o, jv_string("target"), jv_copy(c->target));
	o = jv_object_set(o, jv_string("diff"), jv_string(c->diff));
	s = jv_dump_string(o, 0);
	lc_buf_adds(out, jv_string_value(s));
	jv_free(s);
}
