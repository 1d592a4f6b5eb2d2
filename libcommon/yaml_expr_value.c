/* yaml_expr_value.c: values: navigating, comparing and copying nodes. */
#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "yaml_env.h"
#include "yaml_expr.h"
#include "yaml_func.h"
#include "yaml_expr_int.h"

/* The path of node n (".a.b[0]") into b, for messages. */
static void
node_path(struct lc_ydoc *doc, uint32_t n, struct lc_buf *b)
{
	uint32_t p = doc->nodes[n].parent, k, i;
	const char *v;
	size_t len;

	if (p == 0)
		return;
	node_path(doc, p, b);
	if (doc->nodes[p].type == LC_YMAP && (k = lc_yaml_edit_node_key(doc,
	    n))) {
		v = lc_yaml_edit_node_value(doc, k, &len);
		lc_buf_printf(b, ".%.*s", (int)len, v);
	} else {
		for (i = 0, k = doc->nodes[p].first; k && k != n;
		    k = doc->nodes[k].next)
			i++;
		lc_buf_printf(b, "[%u]", i);
	}
}

void
lc_yaml_expr_value_val_path(struct lc_ydoc *doc, const struct val *v,
    struct lc_buf *b)
{
	size_t i;

	if (v->kind == V_LIT)
		return;
	node_path(doc, v->node, b);
	if (v->kind == V_MISS)
		for (i = 0; i < v->nkeys; i++)
			lc_buf_printf(b, v->keys[i].kind == LC_YL_NUM ?
			    "[%.*s]" : ".%.*s", (int)v->keys[i].n,
			    v->keys[i].s);
	if (b->len == 0)
		lc_buf_addc(b, '.');
}

/* The item idx of literal sequence l, or NULL (idx < 0 counts from the end). */
static const struct lc_ylit *
lit_item(const struct lc_ylit *l, long idx)
{
	if (idx < 0)
		idx += (long)l->nkids;
	return idx >= 0 && idx < (long)l->nkids ? &l->kids[idx] : NULL;
}

/* The value of key in literal mapping l, or NULL. */
const struct lc_ylit *
lc_yaml_expr_value_lit_get(const struct lc_ylit *l, const char *key, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < l->nkids; i += 2)
		if (l->kids[i].n == n && memcmp(l->kids[i].s, key, n) == 0)
			return &l->kids[i + 1];
	return NULL;
}

/* yq refuses a key on a sequence ("cannot index array"); so do we. */
static int
key_on_seq(struct ctx *c, const struct val *in, const char *key, size_t n)
{
	struct lc_buf b = LC_BUF_INIT;
	int rc;

	lc_yaml_expr_value_val_path(c->doc, in, &b);
	rc = lc_error_set(LC_EUSAGE, "'%s': '%s' is a sequence: it has no "
	    "key '%.*s' (use '%s[].%.*s' for each item, or '?' to skip it)",
	    c->doc->name, in->kind == V_LIT ? "the value" : b.data, (int)n,
	    key, in->kind == V_LIT ? "" : b.data, (int)n, key);
	lc_buf_release(&b);
	return rc;
}

/* A missing path: the steps of in (if missing too) and one more. */
static void
miss_step(struct ctx *c, const struct val *in, uint32_t node, int via,
    const struct lc_ylit *step, struct vals *out)
{
	struct lc_ylit *keys;
	struct val v;
	size_t nk = in->kind == V_MISS ? in->nkeys : 0;

	memset(&v, 0, sizeof(v));
	keys = alloc(c, (nk + 1) * sizeof(*keys));
	if (nk > 0)
		memcpy(keys, in->keys, nk * sizeof(*keys));
	keys[nk] = *step;
	v.kind = V_MISS;
	v.via = via;
	v.node = node;
	v.keys = keys;
	v.nkeys = nk + 1;
	push(out, &v);
}

/*
 * .key on in. As in yq: a missing key reads as null (and can be created),
 * a scalar or a sequence has no keys (nothing to read; an assignment
 * fails).
 */
int
lc_yaml_expr_value_field(struct ctx *c, const struct val *in, const char *key,
    size_t n,
    struct vals *out)
{
	struct lc_ydoc *doc = c->doc;
	const struct lc_ylit *l;
	struct val v = *in;
	uint32_t node, r;
	int merged, via = in->via;

	if (via & VIA_MERGE)
		via = (via & ~VIA_MERGE) | VIA_ALIAS;
	if (in->kind == V_LIT) {
		if (in->lit->kind == LC_YL_MAP &&
		    (l = lc_yaml_expr_value_lit_get(in->lit, key, n)) != NULL)
			v = vlit(l);
		else if (in->lit->kind == LC_YL_MAP ||
		    in->lit->kind == LC_YL_NULL)
			v = vlit(mklit(c, LC_YL_NULL, "null", 4));
		else
			return 0;
		push(out, &v);
		return 0;
	}
	if (in->kind == V_MISS) {
		miss_step(c, in, in->node, via, mklit(c, LC_YL_STR, key, n),
		    out);
		return 0;
	}
	node = deref(doc, in->node, &via);
	if (node && doc->nodes[node].type == LC_YMAP &&
	    (r = lc_yaml_edit_map_get(doc, node, key, n, &merged)) != 0) {
		v = vnode(r, via | (merged ? VIA_MERGE : 0));
		v.mergemap = node;
		push(out, &v);
		return 0;
	}
	/*
	 * A key of a sequence fails as in yq 4.53, but inside select() it
	 * is nothing, so ".. | select(.image == ...)" works (yq fails).
	 */
	if (node && doc->nodes[node].type == LC_YSEQ && (c->lhs ||
	    !c->lenient))
		return key_on_seq(c, in, key, n);
	if (node && doc->nodes[node].type != LC_YMAP && !c->lhs &&
	    !lc_yaml_edit_node_is_null(doc, node))
		return 0;
	miss_step(c, in, node, via, mklit(c, LC_YL_STR, key, n), out);
	return 0;
}

static int
index_range(struct ctx *c, const struct val *in, long idx, long len)
{
	struct lc_buf b = LC_BUF_INIT;
	int rc;

	lc_yaml_expr_value_val_path(c->doc, in, &b);
	rc = lc_error_set(LC_EUSAGE, "'%s': index %ld is out of range: '%s' "
	    "has %ld item%s", c->doc->name, idx, in->kind == V_LIT ?
	    "the value" : b.data, len, len == 1 ? "" : "s");
	lc_buf_release(&b);
	return rc;
}

/*
 * [idx] on in. As in yq: an index past the end reads as null (and an
 * assignment pads with nulls up to it), a negative one counts from the
 * end and may not go past the start, and a mapping takes the number as
 * a key.
 */
int
lc_yaml_expr_value_index(struct ctx *c, const struct val *in, long idx,
    struct vals *out)
{
	struct lc_ydoc *doc = c->doc;
	const struct lc_ylit *l;
	struct val v;
	uint32_t node, k;
	int via = in->via & ~VIA_MERGE;
	char num[32];
	long i, len;
	int merged;

	if (in->via & VIA_MERGE)
		via |= VIA_ALIAS;
	snprintf(num, sizeof(num), "%ld", idx);
	if (in->kind == V_LIT) {
		if (in->lit->kind == LC_YL_MAP)
			return lc_yaml_expr_value_field(c, in, num, strlen(num),
			    out);
		if (in->lit->kind == LC_YL_SEQ) {
			if (idx < -(long)in->lit->nkids)
				return index_range(c, in, idx,
				    (long)in->lit->nkids);
			l = lit_item(in->lit, idx);
			v = vlit(l ? l : mklit(c, LC_YL_NULL, "null", 4));
		} else if (in->lit->kind == LC_YL_NULL)
			v = vlit(mklit(c, LC_YL_NULL, "null", 4));
		else
			return 0;
		push(out, &v);
		return 0;
	}
	if (in->kind == V_MISS) {
		if (idx < 0)
			return index_range(c, in, idx, 0);
		miss_step(c, in, in->node, via,
		    mklit(c, LC_YL_NUM, num, strlen(num)), out);
		return 0;
	}
	node = deref(doc, in->node, &via);
	if (node && doc->nodes[node].type == LC_YMAP) {
		/* "0" found as a key, or created as the number 0. */
		if (lc_yaml_edit_map_get(doc, node, num, strlen(num),
		    &merged) != 0)
			return lc_yaml_expr_value_field(c, in, num, strlen(num),
			    out);
		miss_step(c, in, node, via,
		    mklit(c, LC_YL_NUM, num, strlen(num)), out);
		return 0;
	}
	if (node && doc->nodes[node].type == LC_YSEQ) {
		len = (long)doc->nodes[node].nkids;
		if (idx < -len)
			return index_range(c, in, idx, len);
		if (idx < 0)
			idx += len;
		if (idx < len) {
			for (i = 0, k = doc->nodes[node].first; i < idx; i++)
				k = doc->nodes[k].next;
			v = vnode(k, via);
			push(out, &v);
			return 0;
		}
		snprintf(num, sizeof(num), "%ld", idx);
	} else if (node && doc->nodes[node].type == LC_YSCALAR && !c->lhs &&
	    !lc_yaml_edit_node_is_null(doc, node))
		return 0;
	else if (idx < 0)
		return index_range(c, in, idx, 0);
	miss_step(c, in, node, via, mklit(c, LC_YL_NUM, num, strlen(num)),
	    out);
	return 0;
}

void
lc_yaml_expr_value_iterate(struct ctx *c, const struct val *in,
    struct vals *out)
{
	struct lc_ydoc *doc = c->doc;
	struct val v;
	uint32_t node, k;
	size_t i;
	int via = in->via & ~VIA_MERGE;

	if (in->via & VIA_MERGE)
		via |= VIA_ALIAS;
	if (in->kind == V_LIT && is_coll(in->lit)) {
		/* A mapping's values, a sequence's items. */
		for (i = in->lit->kind == LC_YL_MAP; i < in->lit->nkids;
		    i += 1 + (in->lit->kind == LC_YL_MAP)) {
			v = vlit(&in->lit->kids[i]);
			push(out, &v);
			c->steps++;
		}
		return;
	}
	if (in->kind != V_NODE)
		return;
	node = deref(doc, in->node, &via);
	for (k = doc->nodes[node].first; k; k = doc->nodes[k].next) {
		if (doc->nodes[node].type == LC_YMAP)
			k = doc->nodes[k].next;
		if (k == 0)
			break;
		v = vnode(k, via);
		push(out, &v);
		c->steps++;
	}
}

int
lc_yaml_expr_value_too_much(struct ctx *c)
{
	return lc_error_set(LC_EUSAGE, "the expression takes more than %zu "
	    "steps on '%s' (nested '..' or '|=' multiply); simplify it",
	    c->maxsteps, c->doc->name);
}

/*
 * "..", or with keys "...": each node, and a mapping's keys before their
 * values.
 */
void
lc_yaml_expr_value_recurse(struct ctx *c, uint32_t n, int via, int keys,
    struct vals *out)
{
	struct lc_ydoc *doc = c->doc;
	struct val v = vnode(n, via);
	uint32_t k;

	/* Counted, and checked by the lc_yaml_expr_eval_node() that follows. */
	c->steps++;
	push(out, &v);
	if (doc->nodes[n].type != LC_YMAP && doc->nodes[n].type != LC_YSEQ)
		return;
	for (k = doc->nodes[n].first; k; k = doc->nodes[k].next) {
		if (doc->nodes[n].type == LC_YMAP) {
			if (keys) {
				v = vnode(k, via | VIA_ALIAS);
				push(out, &v);
				c->steps++;
			}
			if ((k = doc->nodes[k].next) == 0)
				break;
		}
		lc_yaml_expr_value_recurse(c, k, via, keys, out);
	}
}

/* ".." (and "..." with keys) of a value an expression made. */
void
lc_yaml_expr_value_recurse_lit(struct ctx *c, const struct lc_ylit *l, int keys,
    struct vals *out)
{
	struct val v = vlit(l);
	size_t i;

	c->steps++;
	push(out, &v);
	for (i = 0; i < l->nkids; i++) {
		if (l->kind == LC_YL_MAP && i % 2 == 0) {
			if (keys) {
				v = vlit(&l->kids[i]);
				push(out, &v);
				c->steps++;
			}
			continue;
		}
		lc_yaml_expr_value_recurse_lit(c, &l->kids[i], keys, out);
	}
}

int
lc_yaml_expr_value_truthy(struct ctx *c, const struct val *v)
{
	enum lc_ylit_kind k;
	const char *s;
	size_t n;

	if (v->kind == V_MISS)
		return 0;
	if (v->kind == V_LIT) {
		if (v->lit->kind == LC_YL_NULL)
			return 0;
		return !(v->lit->kind == LC_YL_BOOL && v->lit->s[0] == 'f');
	}
	k = lc_yaml_edit_node_kind(c->doc, v->node);
	if (k == LC_YL_NULL)
		return 0;
	if (k == LC_YL_BOOL) {
		s = lc_yaml_edit_node_value(c->doc, v->node, &n);
		return !(s[0] == 'f' || s[0] == 'F' || s[0] == 'n' ||
		    s[0] == 'N' || (s[0] == 'o' && s[1] == 'f') ||
		    (s[0] == 'O' && (s[1] == 'f' || s[1] == 'F')));
	}
	return 1;
}

/* A scalar view of a value: its kind and text; 0 for a collection. */
int
lc_yaml_expr_value_scalar_of(struct ctx *c, const struct val *v,
    enum lc_ylit_kind *k,
    const char **s, size_t *n)
{
	uint32_t node;
	int via = 0;

	if (v->kind == V_MISS) {
		*k = LC_YL_NULL;
		*s = "null";
		*n = 4;
		return 1;
	}
	if (v->kind == V_LIT) {
		if (v->lit->kind == LC_YL_SEQ || v->lit->kind == LC_YL_MAP)
			return 0;
		*k = v->lit->kind;
		*s = v->lit->s;
		*n = v->lit->n;
		return 1;
	}
	node = deref(c->doc, v->node, &via);
	if (c->doc->nodes[node].type != LC_YSCALAR)
		return 0;
	*k = lc_yaml_edit_node_kind(c->doc, node);
	*s = lc_yaml_edit_node_value(c->doc, node, n);
	return 1;
}

int
lc_yaml_expr_value_equal(struct ctx *c, const struct val *a,
    const struct val *b)
{
	enum lc_ylit_kind ka, kb;
	const char *sa, *sb;
	size_t na, nb;
	char *ea, *eb;
	double da, db;
	int via = 0;

	if (!lc_yaml_expr_value_scalar_of(c, a, &ka, &sa,
	    &na) || !lc_yaml_expr_value_scalar_of(c, b, &kb, &sb, &nb))
		return a->kind == V_NODE && b->kind == V_NODE &&
		    deref(c->doc, a->node, &via) == deref(c->doc, b->node,
		    &via);
	if (ka == LC_YL_NULL || kb == LC_YL_NULL)
		return ka == kb;
	if (na == nb && memcmp(sa, sb, na) == 0)
		return 1;
	if (ka == LC_YL_NUM && kb == LC_YL_NUM) {
		da = strtod(sa, &ea);
		db = strtod(sb, &eb);
		return ea == sa + na && eb == sb + nb && da == db;
	}
	if (ka == LC_YL_BOOL && kb == LC_YL_BOOL)
		return lc_yaml_expr_value_truthy(c,
		    a) == lc_yaml_expr_value_truthy(c, b);
	return 0;
}

/* Whether s matches the pattern p, where '*' is any run and '?' any byte. */
static int
glob_match(const char *p, size_t pn, const char *s, size_t sn)
{
	size_t i = 0, j = 0, star = (size_t)-1, mark = 0;

	while (j < sn) {
		if (i < pn && (p[i] == '?' || p[i] == s[j])) {
			i++;
			j++;
		} else if (i < pn && p[i] == '*') {
			star = i++;
			mark = j;
		} else if (star != (size_t)-1) {
			i = star + 1;
			j = ++mark;
		} else
			return 0;
	}
	while (i < pn && p[i] == '*')
		i++;
	return i == pn;
}

/*
 * yq's ==: scalars by their text (1 == 1.0 is false, "1" == 1 true), a
 * string with '*' or '?' on the right as a pattern ("go*"), null only
 * equal to null, collections only to themselves.
 */
int
lc_yaml_expr_value_yq_equal(struct ctx *c, const struct val *a,
    const struct val *b)
{
	enum lc_ylit_kind ka, kb;
	const char *sa, *sb;
	size_t na, nb;
	int via = 0;

	if (!lc_yaml_expr_value_scalar_of(c, a, &ka, &sa,
	    &na) || !lc_yaml_expr_value_scalar_of(c, b, &kb, &sb, &nb))
		return a->kind == V_NODE && b->kind == V_NODE &&
		    deref(c->doc, a->node, &via) == deref(c->doc, b->node,
		    &via);
	if (ka == LC_YL_NULL || kb == LC_YL_NULL)
		return ka == kb;
	if (na == nb && memcmp(sa, sb, na) == 0)
		return 1;
	if (ka == LC_YL_BOOL && kb == LC_YL_BOOL)
		return lc_yaml_expr_value_truthy(c,
		    a) == lc_yaml_expr_value_truthy(c, b);
	if (kb == LC_YL_STR && (memchr(sb, '*', nb) || memchr(sb, '?', nb)))
		return glob_match(sb, nb, sa, na);
	return 0;
}

/*
 * The first (or, with last, the last) output of x on in in *v, or a null
 * when it has none; *n gets the number of outputs.
 */
int
lc_yaml_expr_value_eval_pick(struct ctx *c, const struct xnode *x,
    const struct val *in,
    int last, struct val *v, size_t *n)
{
	struct vals vs = { NULL, 0, 0 };
	int rc;

	if ((rc = lc_yaml_expr_eval_node(c, x, in, &vs)) == 0) {
		if (vs.n > 0)
			*v = vs.v[last ? vs.n - 1 : 0];
		else
			*v = vlit(mklit(c, LC_YL_NULL, "null", 4));
	}
	*n = vs.n;
	free(vs.v);
	return rc;
}

/* The first output of x on in, or a null when it has none. */
int
lc_yaml_expr_value_eval1(struct ctx *c, const struct xnode *x,
    const struct val *in,
    struct val *v)
{
	size_t n;

	return lc_yaml_expr_value_eval_pick(c, x, in, 0, v, &n);
}

int
lc_yaml_expr_value_truth(struct ctx *c, const struct xnode *x,
    const struct val *in, int *t)
{
	struct vals vs = { NULL, 0, 0 };
	int rc;

	if ((rc = lc_yaml_expr_eval_node(c, x, in, &vs)) == 0)
		*t = vs.n > 0 && lc_yaml_expr_value_truthy(c, &vs.v[0]);
	free(vs.v);
	return rc;
}

/* A value as a literal to write: constants as they are, nodes copied. */
static size_t
alias_budget(const struct lc_ydoc *doc)
{
	size_t b = (size_t)doc->nnodes * ALIAS_RATIO;

	return b < ALIAS_MIN ? ALIAS_MIN : b > ALIAS_MAX ? ALIAS_MAX : b;
}

/* Refuse a copy at node n (an alias, or the node too deep). */
static const struct lc_ylit *
copy_refused(struct ctx *c, uint32_t n, size_t limit)
{
	struct lc_ydoc *doc = c->doc;
	const struct lc_ynode *nd = &doc->nodes[n];
	const struct lc_ynode *t = &doc->nodes[nd->target];
	long line, col;

	lc_yaml_edit_where(doc, nd->start, &line, &col);
	if (nd->type == LC_YALIAS)
		c->rc = lc_error_set(LC_EDATA, "'%s': %ld:%ld: alias *%.*s "
		    "takes the expansion of aliases past %zu nodes "
		    "(excessive aliasing); write the values out or nest "
		    "fewer aliases", doc->name, line, col, (int)t->alen,
		    doc->arena.data + t->anchor, limit);
	else
		c->rc = lc_error_set(LC_EDATA, "'%s': %ld:%ld: the value is "
		    "nested more than %zu deep; it cannot be copied",
		    doc->name, line, col, limit);
	lc_error_where(doc->name, line, col);
	return NULL;
}

/* A key of merged_lit's: where it came from, to choose the one that wins. */
struct mkey {
	const struct lc_ylit *k, *v;
	size_t pos;		/* in the mapping's order */
	int merged;		/* from a <<: source, not the mapping's own */
	int wins;
};

static int
mkey_cmp(const void *a, const void *b)
{
	const struct mkey *x = a, *y = b;
	int r;

	if (x->k->n != y->k->n)
		return x->k->n < y->k->n ? -1 : 1;
	if ((r = memcmp(x->k->s, y->k->s, x->k->n)) != 0)
		return r;
	if (x->merged != y->merged)
		return x->merged - y->merged;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static int
mkey_pos(const void *a, const void *b)
{
	const struct mkey *x = a, *y = b;

	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/*
 * The mapping l with its merge keys (to_lit marks a plain "<<" key with
 * kind NULL) resolved as the YAML spec says: the mapping's own keys win,
 * then the first source that has the key; merged keys stand where the
 * "<<" stood. A copy such as ".b = .a" then holds the data, not a key
 * named "<<". Sorting keeps it n log n.
 */
static const struct lc_ylit *
merged_lit(struct ctx *c, struct lc_ylit *l)
{
	struct mkey *m;
	struct lc_ylit *kids;
	const struct lc_ylit *src, *srcs;
	size_t i, j, s, n = 0, cap = 0, nsrc;

	for (i = 0; i + 1 < l->nkids; i += 2)
		if (l->kids[i].kind == LC_YL_NULL)
			break;
	if (i + 1 >= l->nkids)
		return l;
	for (i = 0; i + 1 < l->nkids; i += 2) {
		src = &l->kids[i + 1];
		if (l->kids[i].kind != LC_YL_NULL)
			cap++;
		else if (src->kind == LC_YL_MAP)
			cap += src->nkids / 2;
		else
			for (s = 0; s < src->nkids; s++)
				cap += src->kids[s].nkids / 2;
	}
	m = alloc(c, (cap + 1) * sizeof(*m));
	for (i = 0; i + 1 < l->nkids; i += 2) {
		if (l->kids[i].kind != LC_YL_NULL) {
			m[n].k = &l->kids[i];
			m[n].v = &l->kids[i + 1];
			m[n].merged = 0;
			m[n].pos = n;
			n++;
			continue;
		}
		/* <<: {map} or <<: [{map}, ...]; anything else merges nothing. */
		src = &l->kids[i + 1];
		srcs = src->kind == LC_YL_MAP ? src : src->kids;
		nsrc = src->kind == LC_YL_MAP ? 1 : src->kind == LC_YL_SEQ ?
		    src->nkids : 0;
		for (s = 0; s < nsrc; s++) {
			if (srcs[s].kind != LC_YL_MAP)
				continue;
			for (j = 0; j + 1 < srcs[s].nkids; j += 2) {
				m[n].k = &srcs[s].kids[j];
				m[n].v = &srcs[s].kids[j + 1];
				m[n].merged = 1;
				m[n].pos = n;
				n++;
			}
		}
	}
	qsort(m, n, sizeof(*m), mkey_cmp);
	for (i = 0; i < n; i++)
		m[i].wins = i == 0 || m[i].k->n != m[i - 1].k->n ||
		    memcmp(m[i].k->s, m[i - 1].k->s, m[i].k->n) != 0;
	qsort(m, n, sizeof(*m), mkey_pos);
	kids = alloc(c, (2 * n + 1) * sizeof(*kids));
	for (i = j = 0; i < n; i++)
		if (m[i].wins) {
			kids[j++] = *m[i].k;
			kids[j++] = *m[i].v;
		}
	l->kids = kids;
	l->nkids = j;
	return l;
}

/*
 * Node n as a literal. Returns NULL with c->rc and the message set when
 * the copy is too large, too deep or expands aliases past the budget.
 */
const struct lc_ylit *
lc_yaml_expr_value_to_lit(struct ctx *c, uint32_t n, int depth)
{
	struct lc_ydoc *doc = c->doc;
	struct lc_ylit *l, *kids;
	const struct lc_ylit *r;
	const char *s;
	size_t len, i;
	uint32_t k, alias = 0;
	int via = 0;

	if (n && doc->nodes[n].type == LC_YALIAS) {
		alias = n;
		if (c->outer == 0)
			c->outer = n;
	}
	n = deref(doc, n, &via);
	if (c->outer != 0 && ++c->aliased > alias_budget(doc))
		return copy_refused(c, c->outer, alias_budget(doc));
	if (++c->copied > c->maxcopied) {
		c->rc = lc_error_set(LC_EUSAGE, "the values to copy are too "
		    "large (over %zu nodes)", c->maxcopied);
		return NULL;
	}
	if (depth > MAX_COPY_DEPTH)
		return copy_refused(c, alias ? alias : n, MAX_COPY_DEPTH);
	if (doc->nodes[n].type == LC_YSCALAR || n == 0) {
		s = lc_yaml_edit_node_value(doc, n, &len);
		r = mklit(c, lc_yaml_edit_node_kind(doc, n), s, len);
		goto out;
	}
	kids = alloc(c, (doc->nodes[n].nkids + 1) * sizeof(*kids));
	for (i = 0, k = doc->nodes[n].first; k; k = doc->nodes[k].next, i++) {
		if ((r = lc_yaml_expr_value_to_lit(c, k, depth + 1)) == NULL)
			return NULL;
		kids[i] = *r;
		if (doc->nodes[n].type == LC_YMAP && i % 2 == 0 &&
		    doc->nodes[k].style == LC_YPLAIN && r->kind == LC_YL_STR &&
		    r->n == 2 && memcmp(r->s, "<<", 2) == 0)
			kids[i].kind = LC_YL_NULL;	/* a merge key */
	}
	l = mklit(c, doc->nodes[n].type == LC_YMAP ? LC_YL_MAP : LC_YL_SEQ,
	    "", 0);
	l->kids = kids;
	l->nkids = doc->nodes[n].nkids;
	r = l->kind == LC_YL_MAP ? merged_lit(c, l) : l;
out:
	if (alias != 0 && c->outer == alias)
		c->outer = 0;
	return r;
}

/*
 * v as a literal into *out. Returns 0, or to_lit's code with the message
 * set for a value too large to copy.
 */
int
lc_yaml_expr_value_val_lit(struct ctx *c, const struct val *v,
    const struct lc_ylit **out)
{
	if (v->kind == V_LIT)
		*out = v->lit;
	else if (v->kind == V_MISS)
		*out = mklit(c, LC_YL_NULL, "null", 4);
	else {
		/* Each copy has the whole alias budget. */
		c->aliased = 0;
		c->outer = 0;
		if ((*out = lc_yaml_expr_value_to_lit(c, v->node, 0)) == NULL)
			return c->rc;
	}
	return 0;
}
