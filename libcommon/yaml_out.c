/* yaml_out.c: write query results as yq does: JSON, properties, block YAML. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "yaml_edit.h"
#include "yaml_out.h"

/* Nesting past this is refused (a document nests at most 256). */
#define MAX_DEPTH	512

/*
 * Nodes one rendering may visit: aliases can make it exponential. Each
 * node of the document once, plus what aliases add, bounded as
 * yaml_expr_value.c bounds a copy ("excessive aliasing", as go-yaml): 99 per
 * node of the document, at least 10,000 and at most 400,000.
 */
#define ALIAS_MIN	10000
#define ALIAS_MAX	400000
#define ALIAS_RATIO	99

/* What a scalar is, as yq resolves it. */
enum kind { K_NULL, K_BOOL, K_INT, K_FLOAT, K_STR, K_SEQ, K_MAP };

/* A value to write: a node of doc, or a literal when doc is NULL. */
struct view {
	const struct lc_ydoc *doc;
	uint32_t n;
	const struct lc_ylit *l;
};

struct pair {
	struct view k, v;
};

struct pairs {
	struct pair *p;
	size_t n, cap;
};

struct ren {
	const struct lc_yaml_fmt *f;
	struct lc_buf *out;
	size_t budget, aliasmax;
	int depth;
	struct lc_buf path;	/* props: the escaped path so far */
};

static const char *const yq_nulls[] = { "", "~", "null", "Null", "NULL",
    NULL };
static const char *const yq_trues[] = { "true", "True", "TRUE", NULL };
static const char *const yq_falses[] = { "false", "False", "FALSE", NULL };

static int
word_in(const char *s, size_t n, const char *const *w)
{
	for (; *w; w++)
		if (strlen(*w) == n && memcmp(*w, s, n) == 0)
			return 1;
	return 0;
}

static int
all_in(const char *s, size_t n, const char *set)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] == '\0' || strchr(set, s[i]) == NULL)
			return 0;
	return 1;
}

/* [-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)? */
static int
is_float(const char *s, size_t n)
{
	size_t i = 0, d;

	if (i < n && (s[i] == '-' || s[i] == '+'))
		i++;
	if (i < n && s[i] == '.') {
		for (d = ++i; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			;
		if (i == d)
			return 0;
	} else {
		if (i >= n || s[i] < '0' || s[i] > '9')
			return 0;
		while (i < n && ((s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			i++;
		if (i < n && s[i] == '.')
			for (i++; i < n && ((s[i] >= '0' && s[i] <= '9') ||
			    s[i] == '_'); i++)
				;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '-' || s[i] == '+'))
			i++;
		for (d = i; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			;
		if (i == d)
			return 0;
	}
	return i == n;
}

static int
is_special_float(const char *s, size_t n)
{
	static const char *const w[] = { ".inf", ".Inf", ".INF", "+.inf",
	    "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", ".nan", ".NaN",
	    ".NAN", NULL };

	return word_in(s, n, w);
}

/* An integer as yq reads one: decimal (leading zeros too), 0x, 0o, 0b. */
static int
is_int(const char *s, size_t n)
{
	size_t i = 0;

	if (i < n && (s[i] == '-' || s[i] == '+'))
		i++;
	if (n - i > 2 && s[i] == '0') {
		switch (s[i + 1]) {
		case 'x': case 'X':
			return all_in(s + i + 2, n - i - 2,
			    "0123456789abcdefABCDEF_");
		case 'o': case 'O':
			return all_in(s + i + 2, n - i - 2, "01234567_");
		case 'b': case 'B':
			return all_in(s + i + 2, n - i - 2, "01_");
		}
	}
	return i < n && s[i] >= '0' && s[i] <= '9' &&
	    all_in(s + i, n - i, "0123456789_");
}

/* How a plain scalar resolves in yq (YAML 1.2 core: "yes" is a string). */
static enum kind
resolve_plain(const char *s, size_t n)
{
	if (word_in(s, n, yq_nulls))
		return K_NULL;
	if (word_in(s, n, yq_trues) || word_in(s, n, yq_falses))
		return K_BOOL;
	/* go-yaml reads "-0" as a float; yq prints it as -0.0. */
	if (n >= 2 && s[0] == '-' && all_in(s + 1, n - 1, "0"))
		return K_FLOAT;
	if (is_int(s, n))
		return K_INT;
	if (is_float(s, n) || is_special_float(s, n))
		return K_FLOAT;
	return K_STR;
}

static uint32_t
deref(const struct lc_ydoc *doc, uint32_t n)
{
	int hops = 0;

	while (n && doc->nodes[n].type == LC_YALIAS && hops++ < MAX_DEPTH)
		n = doc->nodes[n].target;
	return n && doc->nodes[n].type == LC_YALIAS ? 0 : n;
}

/*
 * The node's tag without "!!" or "!<tag:yaml.org,2002:": "str", "int",
 * ...; a local tag ("!foo") is returned with its "!".
 */
static const char *
node_tag(const struct lc_ydoc *doc, uint32_t n, size_t *len,
    const char **full, size_t *fulllen)
{
	const struct lc_ynode *nd = &doc->nodes[n];
	const char *t = doc->text;
	size_t i, e;

	*len = *fulllen = 0;
	for (i = nd->start; i < nd->vstart && i < doc->len; i++) {
		if (t[i] != '!' || (i > nd->start && t[i - 1] != ' ' &&
		    t[i - 1] != '\t' && t[i - 1] != '\n'))
			continue;
		for (e = i; e < nd->vstart && t[e] != ' ' && t[e] != '\t' &&
		    t[e] != '\n' && t[e] != '\r'; e++)
			;
		*full = t + i;
		*fulllen = e - i;
		if (e - i > 2 && t[i + 1] == '!') {
			*len = e - i - 2;
			return t + i + 2;
		}
		if (e - i > 22 && memcmp(t + i, "!<tag:yaml.org,2002:", 20) ==
		    0 && t[e - 1] == '>') {
			*len = e - i - 21;
			return t + i + 20;
		}
		*len = e - i;
		return t + i;
	}
	return NULL;
}

static int
tag_is(const char *tag, size_t len, const char *name)
{
	return tag != NULL && strlen(name) == len && memcmp(tag, name, len) ==
	    0;
}

/* Kind and text of v; for nodes also the style and the tag as written. */
static enum kind
view_kind(const struct view *v, const char **s, size_t *n, int *style,
    const char **tag, size_t *taglen)
{
	const struct lc_ynode *nd;
	const char *t, *full;
	size_t tl, fl;
	uint32_t n0;

	*s = "";
	*n = 0;
	*style = 0;
	*tag = NULL;
	*taglen = 0;
	if (v->doc == NULL) {
		*s = v->l->s;
		*n = v->l->n;
		switch (v->l->kind) {
		case LC_YL_NULL: return K_NULL;
		case LC_YL_BOOL: return K_BOOL;
		case LC_YL_NUM: return is_int(*s, *n) ? K_INT : K_FLOAT;
		case LC_YL_STR: return K_STR;
		case LC_YL_SEQ: return K_SEQ;
		case LC_YL_MAP: return K_MAP;
		}
		return K_STR;
	}
	n0 = deref(v->doc, v->n);
	if (n0 == 0)
		return K_NULL;
	nd = &v->doc->nodes[n0];
	if (nd->type == LC_YSEQ)
		return K_SEQ;
	if (nd->type == LC_YMAP)
		return K_MAP;
	*s = lc_yaml_edit_node_value(v->doc, n0, n);
	*style = nd->style;
	t = node_tag(v->doc, n0, &tl, &full, &fl);
	if (t != NULL) {
		*tag = full;
		*taglen = fl;
	}
	if (tag_is(t, tl, "str") || tag_is(t, tl, "binary") ||
	    tag_is(t, tl, "timestamp"))
		return K_STR;
	if (tag_is(t, tl, "int"))
		return K_INT;
	if (tag_is(t, tl, "float"))
		return K_FLOAT;
	if (tag_is(t, tl, "bool"))
		return K_BOOL;
	if (tag_is(t, tl, "null"))
		return K_NULL;
	if (nd->style != LC_YPLAIN)
		return K_STR;
	return resolve_plain(*s, *n);
}

static int
spend(struct ren *r)
{
	if (r->budget == 0)
		return lc_error_set(LC_EDATA, "aliases expand the result past "
		    "the document's nodes plus %zu (excessive aliasing)",
		    r->aliasmax);
	r->budget--;
	return 0;
}

static void
pairs_push(struct pairs *ps, const struct view *k, const struct view *v)
{
	if (ps->n == ps->cap) {
		ps->cap = ps->cap ? ps->cap * 2 : 16;
		ps->p = lc_buf_xrealloc(ps->p, ps->cap * sizeof(*ps->p));
	}
	ps->p[ps->n].k = *k;
	ps->p[ps->n].v = *v;
	ps->n++;
}

static int
is_merge_key(const struct lc_ydoc *doc, uint32_t k)
{
	const char *s;
	size_t n;

	k = deref(doc, k);
	if (k == 0 || doc->nodes[k].type != LC_YSCALAR ||
	    doc->nodes[k].style != LC_YPLAIN)
		return 0;
	s = lc_yaml_edit_node_value(doc, k, &n);
	return n == 2 && memcmp(s, "<<", 2) == 0;
}

/* Whether two keys (nodes) are the same scalar. */
static int
same_key(const struct lc_ydoc *doc, uint32_t a, uint32_t b)
{
	const char *sa, *sb;
	size_t na, nb;

	a = deref(doc, a);
	b = deref(doc, b);
	if (a == 0 || b == 0 || doc->nodes[a].type != LC_YSCALAR ||
	    doc->nodes[b].type != LC_YSCALAR)
		return 0;
	sa = lc_yaml_edit_node_value(doc, a, &na);
	sb = lc_yaml_edit_node_value(doc, b, &nb);
	return na == nb && memcmp(sa, sb, na) == 0;
}

static int map_entries(struct ren *, const struct lc_ydoc *, uint32_t,
    struct pairs *);

/* Add the entries of src that map (whose entries start at from) lacks. */
static int
merge_from(struct ren *r, const struct lc_ydoc *doc, uint32_t map,
    uint32_t src, struct pairs *ps, size_t from)
{
	struct pairs m = { NULL, 0, 0 };
	size_t i, j;
	uint32_t k;
	int rc, dup;

	src = deref(doc, src);
	if (src == 0 || doc->nodes[src].type != LC_YMAP)
		return 0;
	if (++r->depth > MAX_DEPTH) {
		r->depth--;
		return lc_error_set(LC_EDATA, "merge keys nest deeper than %d "
		    "levels", MAX_DEPTH);
	}
	rc = map_entries(r, doc, src, &m);
	r->depth--;
	for (i = 0; i < m.n && rc == 0; i++) {
		dup = 0;
		for (k = doc->nodes[map].first; k && !dup;
		    k = doc->nodes[doc->nodes[k].next].next)
			dup = !is_merge_key(doc, k) && same_key(doc, k,
			    m.p[i].k.n);
		for (j = from; j < ps->n && !dup; j++)
			dup = same_key(doc, ps->p[j].k.n, m.p[i].k.n);
		if (!dup && (rc = spend(r)) == 0)
			pairs_push(ps, &m.p[i].k, &m.p[i].v);
	}
	free(m.p);
	return rc;
}

/* The entries of a mapping node, merge keys resolved, in yq's order. */
static int
map_entries(struct ren *r, const struct lc_ydoc *doc, uint32_t map,
    struct pairs *ps)
{
	struct view kv, vv;
	uint32_t k, v, it;
	size_t from = ps->n;
	int rc = 0;

	memset(&kv, 0, sizeof(kv));
	memset(&vv, 0, sizeof(vv));
	kv.doc = vv.doc = doc;
	for (k = doc->nodes[map].first; k && rc == 0;
	    k = doc->nodes[v].next) {
		v = doc->nodes[k].next;
		if (v == 0)
			break;
		if (!is_merge_key(doc, k)) {
			kv.n = k;
			vv.n = v;
			pairs_push(ps, &kv, &vv);
			continue;
		}
		it = deref(doc, v);
		if (it && doc->nodes[it].type == LC_YSEQ) {
			for (it = doc->nodes[it].first; it && rc == 0;
			    it = doc->nodes[it].next)
				rc = merge_from(r, doc, map, it, ps, from);
		} else
			rc = merge_from(r, doc, map, v, ps, from);
	}
	return rc;
}

static int
entries(struct ren *r, const struct view *v, struct pairs *ps)
{
	struct view kv, vv;
	size_t i;

	if (v->doc != NULL)
		return map_entries(r, v->doc, v->n, ps);
	memset(&kv, 0, sizeof(kv));
	memset(&vv, 0, sizeof(vv));
	for (i = 0; i + 1 < v->l->nkids; i += 2) {
		kv.l = &v->l->kids[i];
		vv.l = &v->l->kids[i + 1];
		pairs_push(ps, &kv, &vv);
	}
	return 0;
}

/* The items of a sequence, as views. */
static void
items(const struct view *v, struct pairs *ps)
{
	struct view iv;
	uint32_t it;
	size_t i;

	memset(&iv, 0, sizeof(iv));
	iv.doc = v->doc;
	if (v->doc != NULL) {
		for (it = v->doc->nodes[v->n].first; it;
		    it = v->doc->nodes[it].next) {
			iv.n = it;
			pairs_push(ps, &iv, &iv);
		}
		return;
	}
	for (i = 0; i < v->l->nkids; i++) {
		iv.l = &v->l->kids[i];
		pairs_push(ps, &iv, &iv);
	}
}

static int
enter(struct ren *r, struct view *v)
{
	int rc;

	if (v->doc != NULL)
		v->n = deref(v->doc, v->n);
	if ((rc = spend(r)) != 0)
		return rc;
	if (++r->depth > MAX_DEPTH) {
		r->depth--;
		return lc_error_set(LC_EDATA, "the result nests deeper than %d "
		    "levels", MAX_DEPTH);
	}
	return 0;
}

/* JSON. */

/* A string as Go's encoder writes it with HTML escaping off. */
static void
json_str(struct lc_buf *out, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, ok;

	lc_buf_addc(out, '"');
	for (i = 0; i < n;) {
		if (u[i] == '"' || u[i] == '\\') {
			lc_buf_addc(out, '\\');
			lc_buf_addc(out, u[i++]);
		} else if (u[i] == '\n') {
			lc_buf_adds(out, "\\n");
			i++;
		} else if (u[i] == '\r') {
			lc_buf_adds(out, "\\r");
			i++;
		} else if (u[i] == '\t') {
			lc_buf_adds(out, "\\t");
			i++;
		} else if (u[i] < 0x20) {
			lc_buf_printf(out, "\\u%04x", u[i++]);
		} else if (u[i] < 0x80) {
			lc_buf_addc(out, u[i++]);
		} else if (n - i >= 3 && u[i] == 0xe2 && u[i + 1] == 0x80 &&
		    (u[i + 2] == 0xa8 || u[i + 2] == 0xa9)) {
			lc_buf_printf(out, "\\u202%c", u[i + 2] == 0xa8 ? '8' :
			    '9');
			i += 3;
		} else {
			/* A well-formed run goes as it is; a bad byte as U+FFFD. */
			ok = lc_yaml_edit_utf8_check(s + i, n - i);
			if (ok == 0) {
				lc_buf_adds(out, "\\ufffd");
				i++;
				continue;
			}
			for (; ok > 0 && u[i] >= 0x80; ok--)
				lc_buf_addc(out, u[i++]);
		}
	}
	lc_buf_addc(out, '"');
}

/* Digits of s without sign and underscores, leading zeros dropped. */
static void
add_digits(struct lc_buf *out, const char *s, size_t n)
{
	size_t i = 0;
	int any = 0;

	for (; i < n; i++) {
		if (s[i] == '_' || (!any && s[i] == '0' && i + 1 < n &&
		    s[i + 1] >= '0' && s[i + 1] <= '9'))
			continue;
		if (s[i] == '0' && !any && i + 1 < n && s[i + 1] == '_')
			continue;
		any = 1;
		lc_buf_addc(out, s[i]);
	}
	if (!any)
		lc_buf_addc(out, '0');
}

static int
json_int(struct lc_buf *out, const char *s, size_t n)
{
	char digits[80], *end;
	unsigned long long u;
	size_t i = 0, j = 0;
	int base = 0, neg = 0;

	if (!is_int(s, n))
		return lc_error_set(LC_EDATA, "'%.*s' is tagged !!int but is not "
		    "an integer", (int)(n > 40 ? 40 : n), s);
	if (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-';
		i++;
	}
	if (n - i > 2 && s[i] == '0' && strchr("xXoObB", s[i + 1]) != NULL)
		base = strchr("xX", s[i + 1]) ? 16 : strchr("oO", s[i + 1]) ?
		    8 : 2;
	if (base == 0) {
		if (neg)
			lc_buf_addc(out, '-');
		add_digits(out, s + i, n - i);
		return 0;
	}
	for (i += 2; i < n; i++)
		if (s[i] != '_' && j + 1 < sizeof(digits))
			digits[j++] = s[i];
	digits[j] = '\0';
	errno = 0;
	u = strtoull(digits, &end, base);
	if (j == 0 || j + 1 >= sizeof(digits) || errno != 0 || *end != '\0')
		return lc_error_set(LC_EDATA, "'%.*s' does not fit in 64 bits "
		    "for JSON output", (int)(n > 40 ? 40 : n), s);
	lc_buf_printf(out, "%s%llu", neg && u ? "-" : "", u);
	return 0;
}

static int
json_float(struct lc_buf *out, const char *s, size_t n)
{
	size_t i = 0, ip;
	int dot = 0;

	if (is_special_float(s, n))
		return lc_error_set(LC_EDATA, "'%.*s' has no JSON form (yq "
		    "refuses it too); select around it or quote it", (int)n,
		    s);
	if (is_int(s, n) && (n < 3 || strchr("xXoObB", s[n > 1 && (s[0] ==
	    '-' || s[0] == '+') ? 2 : 1]) == NULL)) {
		/* !!float 1: yq writes 1.0. */
		if (s[0] == '-')
			lc_buf_addc(out, '-');
		i = s[0] == '-' || s[0] == '+';
		add_digits(out, s + i, n - i);
		lc_buf_adds(out, ".0");
		return 0;
	}
	if (!is_float(s, n))
		return lc_error_set(LC_EDATA, "'%.*s' is tagged !!float but is "
		    "not a number", (int)(n > 40 ? 40 : n), s);
	if (s[0] == '-')
		lc_buf_addc(out, '-');
	if (s[0] == '-' || s[0] == '+')
		i++;
	for (ip = i; ip < n && s[ip] != '.' && s[ip] != 'e' && s[ip] != 'E';
	    ip++)
		;
	add_digits(out, s + i, ip - i);
	for (i = ip; i < n; i++) {
		if (s[i] == '_')
			continue;
		if (s[i] == '.')
			dot = 1;
		else if (s[i] == 'e' || s[i] == 'E') {
			if (dot && (s[i - 1] == '.'))
				lc_buf_addc(out, '0');
			dot = 0;
		}
		lc_buf_addc(out, s[i]);
	}
	if (dot && s[n - 1] == '.')
		lc_buf_addc(out, '0');
	return 0;
}

static int
json_scalar(struct ren *r, enum kind k, const char *s, size_t n, int top)
{
	switch (k) {
	case K_NULL:
		lc_buf_adds(r->out, "null");
		return 0;
	case K_BOOL:
		lc_buf_adds(r->out, word_in(s, n, yq_trues) || (n > 0 &&
		    strchr("yYoO", s[0]) != NULL && !(n == 3 &&
		    strchr("oO", s[0]) != NULL)) ? "true" : "false");
		return 0;
	case K_INT:
		return json_int(r->out, s, n);
	case K_FLOAT:
		return json_float(r->out, s, n);
	default:
		if (top && r->f->unwrap)
			lc_buf_add(r->out, s, n);
		else
			json_str(r->out, s, n);
		return 0;
	}
}

static void
json_nl(struct ren *r, int level)
{
	int i;

	if (r->f->indent <= 0)
		return;
	lc_buf_addc(r->out, '\n');
	for (i = 0; i < level * r->f->indent; i++)
		lc_buf_addc(r->out, ' ');
}

static int
json(struct ren *r, struct view v, int level)
{
	struct pairs ps = { NULL, 0, 0 };
	const char *s, *tag;
	size_t n, tl, i;
	enum kind k, kk;
	int style, rc;

	if ((rc = enter(r, &v)) != 0)
		return rc;
	k = view_kind(&v, &s, &n, &style, &tag, &tl);
	if (k == K_MAP)
		rc = entries(r, &v, &ps);
	else if (k == K_SEQ)
		items(&v, &ps);
	else {
		rc = json_scalar(r, k, s, n, level == 0);
		goto done;
	}
	lc_buf_addc(r->out, k == K_MAP ? '{' : '[');
	for (i = 0; i < ps.n && rc == 0; i++) {
		if (i > 0)
			lc_buf_addc(r->out, ',');
		json_nl(r, level + 1);
		if (k == K_MAP) {
			kk = view_kind(&ps.p[i].k, &s, &n, &style, &tag, &tl);
			if (kk == K_SEQ || kk == K_MAP)
				n = 0;
			json_str(r->out, s, n);
			lc_buf_adds(r->out, r->f->indent > 0 ? ": " : ":");
		}
		rc = json(r, ps.p[i].v, level + 1);
	}
	if (ps.n > 0)
		json_nl(r, level);
	lc_buf_addc(r->out, k == K_MAP ? '}' : ']');
done:
	free(ps.p);
	r->depth--;
	return rc;
}

/* Properties. */

/* Escape s for a properties file; keys also escape ' ' and ':'. */
static void
props_esc(struct lc_buf *out, const char *s, size_t n, int key)
{
	size_t i;

	for (i = 0; i < n; i++) {
		switch (s[i]) {
		case '\\': lc_buf_adds(out, "\\\\"); break;
		case '\n': lc_buf_adds(out, "\\n"); break;
		case '\r': lc_buf_adds(out, "\\r"); break;
		case '\t': lc_buf_adds(out, "\\t"); break;
		case '\f': lc_buf_adds(out, "\\f"); break;
		case ' ':
		case ':':
			if (key)
				lc_buf_addc(out, '\\');
			/* FALLTHROUGH */
		default:
			lc_buf_addc(out, s[i]);
		}
	}
}

static int
props(struct ren *r, struct view v)
{
	struct pairs ps = { NULL, 0, 0 };
	const char *s, *tag;
	size_t n, tl, i, len = r->path.len;
	enum kind k;
	int style, rc;

	if ((rc = enter(r, &v)) != 0)
		return rc;
	k = view_kind(&v, &s, &n, &style, &tag, &tl);
	if (k == K_MAP)
		rc = entries(r, &v, &ps);
	else if (k == K_SEQ)
		items(&v, &ps);
	else if (len == 0) {
		/* A scalar result on its own: its value, as yq prints it. */
		lc_buf_add(r->out, s, n);
		lc_buf_addc(r->out, '\n');
	} else {
		lc_buf_add(r->out, r->path.data, len);
		lc_buf_adds(r->out, " = ");
		props_esc(r->out, s, n, 0);
		lc_buf_addc(r->out, '\n');
	}
	for (i = 0; i < ps.n && rc == 0; i++) {
		r->path.len = len;
		if (len > 0)
			lc_buf_addc(&r->path, '.');
		if (k == K_SEQ)
			lc_buf_printf(&r->path, "%zu", i);
		else if (view_kind(&ps.p[i].k, &s, &n, &style, &tag, &tl) <
		    K_SEQ)
			props_esc(&r->path, s, n, 1);
		rc = props(r, ps.p[i].v);
	}
	r->path.len = len;
	free(ps.p);
	r->depth--;
	return rc;
}

/* Block YAML in yq's style. */

static void
spaces(struct lc_buf *out, int n)
{
	while (n-- > 0)
		lc_buf_addc(out, ' ');
}

/*
 * A scalar in a block (a value at column col, or a key): its tag as
 * written, then plain when it reads back the same, else its own quotes;
 * a string with a line break as a literal block, as yq -P does.
 * Returns whether the line was ended (a block scalar ends its lines).
 */
static int
yaml_scalar(struct ren *r, const struct view *v, int col, int key)
{
	struct lc_ylit l;
	const char *s, *tag;
	size_t n, tl;
	size_t start;
	enum kind k;
	int style, st;

	k = view_kind(v, &s, &n, &style, &tag, &tl);
	if (tag != NULL) {
		lc_buf_add(r->out, tag, tl);
		lc_buf_addc(r->out, ' ');
	}
	memset(&l, 0, sizeof(l));
	l.s = s;
	l.n = n;
	if (k != K_STR) {
		/* As written: "~" stays "~", "0x10" stays "0x10". */
		if (v->doc != NULL && style != LC_YPLAIN && style != 0)
			l.kind = LC_YL_STR;
		else {
			l.kind = LC_YL_NUM;
			if (n == 0 && k == K_NULL)
				l.s = "null", l.n = 4;
		}
		lc_yaml_edit_format_scalar(r->out, &l, style, 0, col, "\n");
		return 0;
	}
	/* yq -P quotes only what needs it: the file's quotes are not kept. */
	l.kind = LC_YL_STR;
	st = !r->f->pretty && (style == LC_YSINGLE || style == LC_YDOUBLE) ?
	    style : 0;
	if (memchr(s, '\n', n) != NULL)
		st = key ? LC_YDOUBLE : LC_YLITERAL;
	start = r->out->len;
	lc_yaml_edit_format_scalar(r->out, &l, st, 0, col, "\n");
	/*
	 * go-yaml double-quotes a string that plain would misread as
	 * another type, and single-quotes one that cannot be plain for
	 * its characters (": ", "#", a leading "-"), when it fits (not with
 * a tab).
	 */
	if (st == 0 && r->out->len > start && r->out->data[start] == '"' &&
	    lc_yaml_edit_resolve(s, n) == LC_YL_STR && resolve_plain(s, n) ==
	    K_STR && memchr(s, '\t', n) == NULL) {
		r->out->len = start;
		lc_yaml_edit_format_scalar(r->out, &l, LC_YSINGLE, 0, col, "\n");
	}
	return r->out->len > start && (r->out->data[start] == '|' ||
	    r->out->data[start] == '>');
}

static int yaml_coll(struct ren *, struct view, enum kind, int, int);

/* Whether v is a collection with something in it. */
static enum kind
nonempty(const struct view *v)
{
	const char *s, *tag;
	size_t n, tl;
	int style;
	enum kind k = view_kind(v, &s, &n, &style, &tag, &tl);

	if (k != K_SEQ && k != K_MAP)
		return K_STR;
	if (v->doc != NULL)
		return v->doc->nodes[deref(v->doc, v->n)].first ? k : K_STR;
	return v->l->nkids > 0 ? k : K_STR;
}

/* Write v after "key:" or "- " (at column col of the line so far). */
static int
yaml_after(struct ren *r, struct view v, int col, int dash)
{
	const char *s, *tag;
	size_t n, tl;
	enum kind k;
	int style, rc, step = r->f->indent > 0 ? r->f->indent : 2;

	if (v.doc != NULL)
		v.n = deref(v.doc, v.n);
	k = nonempty(&v);
	if (k == K_SEQ || k == K_MAP) {
		if (dash)
			return yaml_coll(r, v, k, col + 2, 1);
		lc_buf_addc(r->out, '\n');
		return yaml_coll(r, v, k, col + step, 0);
	}
	if (!dash)
		lc_buf_addc(r->out, ' ');
	if ((rc = enter(r, &v)) != 0)
		return rc;
	k = view_kind(&v, &s, &n, &style, &tag, &tl);
	if (k == K_SEQ || k == K_MAP)
		lc_buf_adds(r->out, k == K_SEQ ? "[]" : "{}");
	else if (yaml_scalar(r, &v, col + step, 0))
		goto ended;
	lc_buf_addc(r->out, '\n');
ended:
	r->depth--;
	return 0;
}

/* A non-empty collection at column col; inline: the line is started. */
static int
yaml_coll(struct ren *r, struct view v, enum kind k, int col, int inl)
{
	struct pairs ps = { NULL, 0, 0 };
	struct lc_buf key = LC_BUF_INIT;
	struct lc_yaml_fmt kf;
	struct ren kr;
	enum kind kk;
	size_t i;
	int rc;

	if ((rc = enter(r, &v)) != 0)
		return rc;
	if (k == K_MAP)
		rc = entries(r, &v, &ps);
	else
		items(&v, &ps);
	for (i = 0; i < ps.n && rc == 0; i++) {
		if (i > 0 || !inl)
			spaces(r->out, col);
		if (k == K_SEQ) {
			lc_buf_adds(r->out, "- ");
			rc = yaml_after(r, ps.p[i].v, col, 1);
			continue;
		}
		kk = nonempty(&ps.p[i].k);
		kr = *r;
		kr.out = &key;
		key.len = 0;
		if (kk == K_SEQ || kk == K_MAP) {
			/* A collection as a key: in flow (JSON) form. */
			kf = *r->f;
			kf.indent = 0;
			kr.f = &kf;
			rc = json(&kr, ps.p[i].k, 1);
			r->budget = kr.budget;
		} else
			yaml_scalar(&kr, &ps.p[i].k, col, 1);
		/* An implicit key is one line of at most 1024 characters. */
		if (kk == K_SEQ || kk == K_MAP || key.len > 1000) {
			lc_buf_adds(r->out, "? ");
			lc_buf_add(r->out, key.data, key.len);
			lc_buf_addc(r->out, '\n');
			spaces(r->out, col);
		} else
			lc_buf_add(r->out, key.data, key.len);
		lc_buf_addc(r->out, ':');
		if (rc == 0)
			rc = yaml_after(r, ps.p[i].v, col, 0);
	}
	lc_buf_release(&key);
	free(ps.p);
	r->depth--;
	return rc;
}

static int
yaml_top(struct ren *r, struct view v)
{
	const char *s, *tag;
	size_t n, tl;
	enum kind k;
	int style, rc;

	if (v.doc != NULL)
		v.n = deref(v.doc, v.n);
	k = nonempty(&v);
	if (k == K_SEQ || k == K_MAP)
		return yaml_coll(r, v, k, 0, 0);
	if ((rc = enter(r, &v)) != 0)
		return rc;
	k = view_kind(&v, &s, &n, &style, &tag, &tl);
	if (k == K_SEQ || k == K_MAP)
		lc_buf_adds(r->out, k == K_SEQ ? "[]" : "{}");
	else if (r->f->unwrap)
		lc_buf_add(r->out, k == K_NULL && v.doc == NULL ? "null" : s,
		    k == K_NULL && v.doc == NULL ? 4 : n);
	else if (yaml_scalar(r, &v, r->f->indent > 0 ? r->f->indent : 2, 0))
		goto ended;
	lc_buf_addc(r->out, '\n');
ended:
	r->depth--;
	return 0;
}

/* -0: the result's last newline becomes its NUL (yq's --nul-output). */
static int
nul_end(struct lc_buf *out, size_t start)
{
	if (out->len > start && memchr(out->data + start, '\0', out->len -
	    start) != NULL)
		return lc_error_set(LC_EDATA, "a result holds a NUL byte, which "
		    "-0 cannot tell from the separator");
	if (out->len > start && out->data[out->len - 1] == '\n')
		out->data[out->len - 1] = '\0';
	else if (out->len > start)
		lc_buf_addc(out, '\0');
	return 0;
}

static int
render(struct lc_buf *out, const struct lc_yaml_fmt *f, struct view v,
    size_t nodes)
{
	struct ren r;
	size_t start = out->len;
	int rc;

	memset(&r, 0, sizeof(r));
	r.f = f;
	r.out = out;
	r.aliasmax = nodes > ALIAS_MAX / ALIAS_RATIO ? ALIAS_MAX :
	    nodes * ALIAS_RATIO < ALIAS_MIN ? ALIAS_MIN : nodes * ALIAS_RATIO;
	r.budget = nodes > (size_t)-1 / 2 ? (size_t)-1 : nodes + r.aliasmax;
	lc_buf_init(&r.path);
	switch (f->format) {
	case LC_YOUT_JSON:
		if ((rc = json(&r, v, 0)) == 0)
			lc_buf_addc(out, '\n');
		break;
	case LC_YOUT_PROPS:
		rc = props(&r, v);
		break;
	default:
		rc = yaml_top(&r, v);
		break;
	}
	lc_buf_release(&r.path);
	if (rc == 0 && f->nul)
		rc = nul_end(out, start);
	return rc;
}

int
lc_yaml_out_node(struct lc_buf *out, const struct lc_yaml_fmt *f,
    const struct lc_ydoc *doc, uint32_t n)
{
	struct view v;
	size_t start = out->len;

	if (f->format == LC_YOUT_YAML && !f->pretty) {
		n = deref(doc, n);
		if (f->unwrap || (n && doc->nodes[n].type != LC_YSCALAR)) {
			lc_yaml_edit_print(doc, n, out);
			return f->nul ? nul_end(out, start) : 0;
		}
	}
	memset(&v, 0, sizeof(v));
	v.doc = doc;
	v.n = n;
	return render(out, f, v, doc->nnodes);
}

int
lc_yaml_out_lit(struct lc_buf *out, const struct lc_yaml_fmt *f,
    const struct lc_ylit *l)
{
	struct view v;

	memset(&v, 0, sizeof(v));
	v.l = l;
	/* Literals are built by yaml_expr_*.c, which bounds their size. */
	return render(out, f, v, (size_t)-1);
}
