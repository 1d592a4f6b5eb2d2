/* yaml_expr_call.c: the named functions (tag, keys, map, sort_by, env, ...). */
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

/* env(NAME): the first document of the value, as yq reads it. */
struct env_doc {
	struct ctx *c;
	const struct lc_ylit *v;
};

static int
env_doc(struct lc_ydoc *doc, void *arg)
{
	struct env_doc *e = arg;
	struct lc_ydoc *saved = e->c->doc;
	struct val root = vnode(doc->root, 0);
	int rc;

	if (e->v != NULL)
		return 0;
	e->c->doc = doc;
	rc = lc_yaml_expr_value_val_lit(e->c, &root, &e->v);
	e->c->doc = saved;
	return rc;
}

int
lc_yaml_expr_call_env_lit(struct ctx *c, const struct xnode *x,
    struct vals *out)
{
	const char *v = getenv(x->s);
	const struct lc_ylit *l;
	struct env_doc e = { c, NULL };
	struct lc_buf name = LC_BUF_INIT;
	struct val r;
	size_t at;
	int rc;

	/* A silently empty tag would deploy nothing; say so instead. */
	if (v == NULL)
		return lc_error_set(LC_EUSAGE, "environment variable '%s' is "
		    "not set", x->s);
	if ((at = lc_yaml_edit_utf8_check(v, strlen(v))) != strlen(v))
		return lc_error_set(LC_EUSAGE, "environment variable '%s' is "
		    "not UTF-8 (byte 0x%02x at offset %zu); YAML files hold "
		    "UTF-8 text", x->s, (unsigned char)v[at], at);
	if (x->op == X_STRENV)
		l = mklit(c, LC_YL_STR, v, strlen(v));
	else if (*v == '\0')
		return lc_error_set(LC_EUSAGE, "environment variable '%s' is "
		    "empty; env() reads a YAML value (give it one, or use "
		    "strenv(%s) for a string)", x->s, x->s);
	else {
		lc_buf_printf(&name, "env(%s)", x->s);
		rc = lc_yaml_edit_stream(name.data, v, strlen(v), env_doc, &e,
		    NULL);
		lc_buf_release(&name);
		if (rc != 0)
			return rc;
		l = e.v;
	}
	r = vlit(l);
	push(out, &r);
	return 0;
}

/* The explicit tag of node n ("!foo", "!!str"), or NULL. */
static const char *
explicit_tag(struct ctx *c, uint32_t n, size_t *len)
{
	const struct lc_ynode *nd = &c->doc->nodes[n];
	const char *t = c->doc->text;
	uint32_t p, e;

	for (p = nd->start; p < nd->vstart; p++) {
		if (t[p] == '&') {
			while (p < nd->vstart && t[p] != ' ' && t[p] != '\t' &&
			    t[p] != '\n' && t[p] != '\r')
				p++;
			continue;
		}
		if (t[p] != '!')
			continue;
		for (e = p; e < nd->vstart && t[e] != ' ' && t[e] != '\t' &&
		    t[e] != '\n' && t[e] != '\r'; e++)
			;
		*len = e - p;
		return t + p;
	}
	return NULL;
}

/* A scalar's tag by its resolved kind: !!int and !!float for numbers. */
static const char *
scalar_tag(enum lc_ylit_kind k, const char *s, size_t n)
{
	size_t i;

	if (k == LC_YL_NUM) {
		for (i = 0; i < n; i++)
			if (s[i] == '.' || ((s[i] == 'e' || s[i] == 'E') &&
			    !(n > 1 && s[0] == '0' && (s[1] == 'x' ||
			    s[1] == 'X'))))
				return "!!float";
		return "!!int";
	}
	return k == LC_YL_NULL ? "!!null" : k == LC_YL_BOOL ? "!!bool" :
	    k == LC_YL_SEQ ? "!!seq" : k == LC_YL_MAP ? "!!map" : "!!str";
}

/*
 * Node v's kind without copying it: a scalar as a value, a collection as
 * an empty value of its kind whose nkids is its count of items or keys.
 */
static const struct lc_ylit *
node_shape(struct ctx *c, const struct val *v)
{
	struct lc_ydoc *doc = c->doc;
	struct lc_ylit *l;
	const char *s;
	size_t len, k;
	int via = v->via;
	uint32_t n = deref(doc, v->node, &via), i;

	if (n == 0)
		return NULL;
	if (doc->nodes[n].type == LC_YSCALAR) {
		s = lc_yaml_edit_node_value(doc, n, &len);
		return mklit(c, lc_yaml_edit_node_kind(doc, n), s, len);
	}
	if (doc->nodes[n].type != LC_YMAP && doc->nodes[n].type != LC_YSEQ)
		return NULL;
	l = mklit(c, doc->nodes[n].type == LC_YMAP ? LC_YL_MAP : LC_YL_SEQ,
	    "", 0);
	for (k = 0, i = doc->nodes[n].first; i; i = doc->nodes[i].next)
		k++;
	/* A mapping's kids are its keys and values; merge keys aside. */
	l->nkids = doc->nodes[n].type == LC_YMAP ? k / 2 : k;
	return l;
}

/* Whether node v is a plain scalar that yq reads as a !!timestamp. */
static int
is_timestamp(struct ctx *c, const struct val *v)
{
	int via = v->via;
	uint32_t n = deref(c->doc, v->node, &via);
	const char *s;
	size_t len, i;

	if (c->doc->nodes[n].style != LC_YPLAIN)
		return 0;
	s = lc_yaml_edit_node_value(c->doc, n, &len);
	if (len < 10)
		return 0;
	for (i = 0; i < 10; i++)
		if (i == 4 || i == 7 ? s[i] != '-' : !isdigit((unsigned char)s[i]))
			return 0;
	return len == 10 || s[10] == 'T' || s[10] == 't' || s[10] == ' ';
}

/* The kind, tag, length, keys, ... of value v (yq's value functions). */
static int
node_info(struct ctx *c, enum xfunc f, const struct val *in, struct vals *out)
{
	struct lc_ydoc *doc = c->doc;
	struct lc_ylit *r, *kids;
	const struct lc_ylit *l;
	const char *s;
	struct val v;
	size_t n, i;
	long line, col;
	int rc;

	if (in->kind == V_NODE && (f == F_LINE || f == F_COLUMN)) {
		lc_yaml_edit_where(doc, doc->nodes[in->node].vstart, &line,
		    &col);
		v = vlit(lc_yaml_expr_op_num_lit(c,
		    (double)(f == F_LINE ? line : col)));
		push(out, &v);
		return 0;
	}
	if (in->kind == V_NODE && f == F_TAG &&
	    (s = explicit_tag(c, in->node, &n)) != NULL) {
		v = vlit(mklit(c, LC_YL_STR, s, n));
		push(out, &v);
		return 0;
	}
	if (f == F_LINE || f == F_COLUMN) {
		v = vlit(mklit(c, LC_YL_NUM, "0", 1));
		push(out, &v);
		return 0;
	}
	/* Collections need no copy to say their kind, tag or length. */
	if (in->kind == V_NODE && (f == F_KIND || f == F_TAG ||
	    f == F_LENGTH) && (l = node_shape(c, in)) != NULL) {
		if (f == F_TAG && l->kind == LC_YL_STR &&
		    is_timestamp(c, in))
			s = "!!timestamp";
		else if (f == F_KIND || f == F_TAG)
			s = f == F_TAG ? scalar_tag(l->kind, l->s, l->n) :
			    l->kind == LC_YL_MAP ? "map" :
			    l->kind == LC_YL_SEQ ? "seq" : "scalar";
		else
			s = NULL;
		v = vlit(s ? mklit(c, LC_YL_STR, s, strlen(s)) :
		    lc_yaml_expr_op_num_lit(c, (double)(l->kind == LC_YL_STR ||
		    l->kind == LC_YL_NUM || l->kind == LC_YL_BOOL ?
		    l->n : l->nkids)));
		push(out, &v);
		return 0;
	}
	if ((rc = lc_yaml_expr_value_val_lit(c, in, &l)) != 0)
		return rc;
	switch (f) {
	case F_KIND:
		s = l->kind == LC_YL_MAP ? "map" : l->kind == LC_YL_SEQ ?
		    "seq" : "scalar";
		r = mklit(c, LC_YL_STR, s, strlen(s));
		break;
	case F_TAG:
		s = scalar_tag(l->kind, l->s, l->n);
		r = mklit(c, LC_YL_STR, s, strlen(s));
		break;
	case F_LENGTH:
		n = l->kind == LC_YL_MAP ? l->nkids / 2 : l->kind == LC_YL_SEQ ?
		    l->nkids : l->kind == LC_YL_NULL ? 0 : l->n;
		r = lc_yaml_expr_op_num_lit(c, (double)n);
		break;
	case F_KEYS:
		if (l->kind != LC_YL_MAP && l->kind != LC_YL_SEQ)
			return lc_error_set(LC_EUSAGE, "cannot get the keys "
			    "of %s: only of mappings and sequences",
			    lc_yaml_expr_op_kind_name(l->kind));
		n = l->kind == LC_YL_MAP ? l->nkids / 2 : l->nkids;
		kids = alloc(c, (n + 1) * sizeof(*kids));
		for (i = 0; i < n; i++)
			kids[i] = l->kind == LC_YL_MAP ? l->kids[2 * i] :
			    *lc_yaml_expr_op_num_lit(c, (double)i);
		r = mklit(c, LC_YL_SEQ, "", 0);
		r->kids = kids;
		r->nkids = n;
		break;
	default:
		abort();
	}
	v = vlit(r);
	push(out, &v);
	return 0;
}

/* The path of v from the root, as a sequence of keys and indexes. */
static const struct lc_ylit *
path_of(struct ctx *c, const struct val *v)
{
	struct lc_ydoc *doc = c->doc;
	struct lc_ylit *r = mklit(c, LC_YL_SEQ, "", 0), *kids;
	const char *s;
	uint32_t n, p, k, i;
	size_t depth = 0, j, len;

	if (v->kind == V_LIT)
		return r;
	for (n = v->node; doc->nodes[n].parent; n = doc->nodes[n].parent)
		depth++;
	kids = alloc(c, (depth + (v->kind == V_MISS ? v->nkeys : 0) + 1) *
	    sizeof(*kids));
	j = depth;
	for (n = v->node; (p = doc->nodes[n].parent) != 0; n = p) {
		if (doc->nodes[p].type == LC_YMAP &&
		    (k = lc_yaml_edit_node_key(doc, n)) != 0) {
			s = lc_yaml_edit_node_value(doc, k, &len);
			kids[--j] = *mklit(c, lc_yaml_edit_node_kind(doc, k) ==
			    LC_YL_NUM ? LC_YL_NUM : LC_YL_STR, s, len);
		} else {
			for (i = 0, k = doc->nodes[p].first; k && k != n;
			    k = doc->nodes[k].next)
				i++;
			kids[--j] = *lc_yaml_expr_op_num_lit(c, (double)i);
		}
	}
	r->kids = kids;
	r->nkids = depth;
	if (v->kind == V_MISS)
		for (j = 0; j < v->nkeys; j++)
			kids[r->nkids++] = v->keys[j];
	return r;
}

/* has(key): a mapping's key, or a sequence's index, exists. */
static int
has_key(struct ctx *c, const struct val *in, enum lc_ylit_kind kk,
    const char *s, size_t n)
{
	struct lc_ydoc *doc = c->doc;
	uint32_t node;
	long idx = strtol(s, NULL, 10), len;
	int via = 0, merged;

	if (in->kind == V_LIT && in->lit->kind == LC_YL_MAP)
		return lc_yaml_expr_value_lit_get(in->lit, s, n) != NULL;
	if (in->kind == V_LIT && in->lit->kind == LC_YL_SEQ)
		return kk == LC_YL_NUM && idx >= 0 &&
		    idx < (long)in->lit->nkids;
	if (in->kind != V_NODE)
		return 0;
	node = deref(doc, in->node, &via);
	if (doc->nodes[node].type == LC_YMAP)
		return lc_yaml_edit_map_get(doc, node, s, n, &merged) != 0;
	len = (long)doc->nodes[node].nkids;
	return doc->nodes[node].type == LC_YSEQ && kk == LC_YL_NUM &&
	    idx >= 0 && idx < len;
}

static const char *
env_get(void *arg, const char *name, size_t n, size_t *len)
{
	struct lc_buf *b = arg;
	const char *v;

	b->len = 0;
	lc_buf_add(b, name, n);
	if ((v = getenv(b->data)) != NULL)
		*len = strlen(v);
	return v;
}

/* envsubst: the variables in a string from the environment (yaml_env.c). */
int
lc_yaml_expr_call_envsubst(struct ctx *c, const struct xnode *x,
    const struct val *in,
    struct vals *out)
{
	struct lc_buf name = LC_BUF_INIT, res = LC_BUF_INIT;
	const struct lc_ylit *l;
	const char *tag = NULL;
	struct val v;
	size_t n = 0;
	int rc, str;

	if ((rc = lc_yaml_expr_value_val_lit(c, in, &l)) != 0)
		return rc;
	/* The tag decides, as in yq: "!!str 5" is a string, "!x a" not. */
	if (in->kind == V_NODE &&
	    (tag = explicit_tag(c, in->node, &n)) != NULL)
		str = n == 5 && memcmp(tag, "!!str", 5) == 0;
	else
		str = l->kind == LC_YL_STR;
	if (!str)
		return lc_error_set(LC_EDATA, "envsubst: cannot substitute "
		    "%.*s, only strings; for every string of a document write "
		    "(.. | select(tag == \"!!str\")) |= envsubst",
		    tag ? (int)(n > 64 ? 64 : n) : (int)strlen(lc_yaml_func_tag(l)),
		    tag ? tag : lc_yaml_func_tag(l));
	lc_buf_adds(&res, "");
	rc = lc_yaml_env_subst(&res, l->s, l->n, (unsigned)x->idx,
	    LC_YFN_MAXSTR,
	    env_get, &name);
	if (rc == 0 && lc_yaml_edit_utf8_check(res.data, res.len) != res.len)
		rc = lc_error_set(LC_EUSAGE, "envsubst: the value of a "
		    "variable is not UTF-8; YAML files hold UTF-8 text");
	if (rc == 0) {
		v = vlit(mklit(c, LC_YL_STR, res.data, res.len));
		push(out, &v);
	}
	lc_buf_release(&name);
	lc_buf_release(&res);
	return rc;
}

void *
lc_yaml_expr_call_yfn_alloc(void *arg, size_t n)
{
	return alloc(arg, n);
}

/* A value function: the input and each argument's first output as values. */
static int
yfn_eval(struct ctx *c, const struct xnode *x, const struct val *in,
    struct vals *out)
{
	struct lc_yfn_mem mem = { lc_yaml_expr_call_yfn_alloc, c };
	const struct lc_ylit *input, *res;
	struct lc_ylit *args = NULL;
	struct val v;
	size_t i, n;
	int rc, via = in->via;

	if (in->kind == V_NODE && x->nkids == 0 && (strcmp(x->s, "to_string")
	    == 0 || strcmp(x->s, "tostring") == 0) &&
	    c->doc->nodes[deref(c->doc, in->node, &via)].type != LC_YSCALAR) {
		/* A collection's text as the file writes it (yq). */
		struct lc_buf b = LC_BUF_INIT;

		lc_yaml_edit_print(c->doc, deref(c->doc, in->node, &via), &b);
		while (b.len > 0 && b.data[b.len - 1] == '\n')
			b.len--;
		v = vlit(mklit(c, LC_YL_STR, b.data ? b.data : "", b.len));
		lc_buf_release(&b);
		push(out, &v);
		return 0;
	}
	if ((rc = lc_yaml_expr_value_val_lit(c, in, &input)) != 0)
		return rc;
	if (x->nkids > 0)
		args = alloc(c, x->nkids * sizeof(*args));
	for (i = 0; i < x->nkids; i++) {
		const struct lc_ylit *a;

		if ((rc = lc_yaml_expr_value_eval1(c, x->kids[i], in,
		    &v)) != 0 ||
		    (rc = lc_yaml_expr_value_val_lit(c, &v, &a)) != 0)
			return rc;
		args[i] = *a;
	}
	if ((rc = lc_yaml_func_call(x->s, x->n, input, args, x->nkids, &mem,
	    &res,
	    &n)) != 0)
		return rc;
	for (i = 0; i < n; i++) {
		v = vlit(&res[i]);
		push(out, &v);
	}
	return 0;
}

/* A new sequence or mapping value of n kids (filled by the caller). */
static struct lc_ylit *
mkcoll(struct ctx *c, enum lc_ylit_kind kind, size_t n, struct lc_ylit **kids)
{
	struct lc_ylit *l = mklit(c, kind, "", 0);

	*kids = alloc(c, (n + 1) * sizeof(**kids));
	l->kids = *kids;
	l->nkids = 0;
	return l;
}

/* Every output of f on each of items, as values, appended to seq. */
static int
collect_each(struct ctx *c, const struct xnode *f, const struct vals *items,
    struct vals *outs)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < items->n && rc == 0; i++)
		rc = lc_yaml_expr_eval_node(c, f, &items->v[i], outs);
	return rc;
}

/* outs as one sequence value. */
static int
seq_of(struct ctx *c, const struct vals *outs, struct val *res)
{
	struct lc_ylit *k, *seq = mkcoll(c, LC_YL_SEQ, outs->n, &k);
	const struct lc_ylit *l;
	size_t i;
	int rc;

	for (i = 0; i < outs->n; i++) {
		if ((rc = lc_yaml_expr_value_val_lit(c, &outs->v[i], &l)) != 0)
			return rc;
		k[seq->nkids++] = *l;
	}
	*res = vlit(seq);
	return 0;
}

/*
 * map_values(f) and with_entries' map: each value of the collection in
 * replaced by f's first output, kept when f gives none (yq's ".[] |= f").
 */
static int
map_values(struct ctx *c, const struct xnode *f, const struct lc_ylit *l,
    struct val *res)
{
	struct lc_ylit *r, *k;
	struct vals o = { NULL, 0, 0 };
	const struct lc_ylit *v;
	struct val item;
	size_t i, step = l->kind == LC_YL_MAP ? 2 : 1;
	int rc = 0;

	if (!is_coll(l)) {
		*res = vlit(l);
		return 0;
	}
	r = mkcoll(c, l->kind, l->nkids, &k);
	for (i = 0; i < l->nkids && rc == 0; i++) {
		if (step == 2 && i % 2 == 0) {
			k[r->nkids++] = l->kids[i];
			continue;
		}
		o.n = 0;
		item = vlit(&l->kids[i]);
		if ((rc = lc_yaml_expr_eval_node(c, f, &item, &o)) != 0 ||
		    (o.n > 0 && (rc = lc_yaml_expr_value_val_lit(c, &o.v[0],
		    &v)) != 0))
			break;
		k[r->nkids++] = o.n > 0 ? *v : l->kids[i];
	}
	free(o.v);
	*res = vlit(r);
	return rc;
}

/* The keys f gives for each of items (its first output, or null). */
static int
keys_of(struct ctx *c, const struct xnode *f, const struct vals *items,
    struct lc_ylit **keys)
{
	const struct lc_ylit *l;
	struct val v;
	size_t i;
	int rc;

	*keys = alloc(c, (items->n + 1) * sizeof(**keys));
	for (i = 0; i < items->n; i++) {
		if ((rc = lc_yaml_expr_value_eval1(c, f, &items->v[i],
		    &v)) != 0 ||
		    (rc = lc_yaml_expr_value_val_lit(c, &v, &l)) != 0)
			return rc;
		(*keys)[i] = *l;
	}
	return 0;
}

/*
 * sort_by(f) with f giving several keys ("sort_by(.a, .b)"): stable sorts
 * from the last key to the first, so the first key decides.
 */
static int
sort_by_all(struct ctx *c, const struct xnode *f, const struct vals *items,
    size_t *order)
{
	struct lc_yfn_mem mem = { lc_yaml_expr_call_yfn_alloc, c };
	struct vals *outs;
	struct lc_ylit *keys;
	size_t i, k, most = 0, n = items->n, *o2, *tmp;
	int rc = 0;

	outs = alloc(c, (n + 1) * sizeof(*outs));
	memset(outs, 0, (n + 1) * sizeof(*outs));
	for (i = 0; i < n && rc == 0; i++) {
		rc = lc_yaml_expr_eval_node(c, f, &items->v[i], &outs[i]);
		if (outs[i].n > most)
			most = outs[i].n;
	}
	keys = alloc(c, (n + 1) * sizeof(*keys));
	o2 = alloc(c, (n + 1) * sizeof(*o2));
	tmp = alloc(c, (n + 1) * sizeof(*tmp));
	for (i = 0; i < n; i++)
		order[i] = i;
	for (k = most; k-- > 0 && rc == 0;) {
		for (i = 0; i < n && rc == 0; i++) {
			const struct lc_ylit *l;
			struct vals *o = &outs[order[i]];

			if (k < o->n && (rc = lc_yaml_expr_value_val_lit(c,
			    &o->v[k], &l)) == 0)
				keys[i] = *l;
			else if (k >= o->n)
				keys[i] = *mklit(c, LC_YL_NULL, "null", 4);
		}
		if (rc == 0 && (rc = lc_yaml_func_sort_order(&mem, keys, n,
		    o2)) == 0) {
			for (i = 0; i < n; i++)
				tmp[i] = order[o2[i]];
			memcpy(order, tmp, n * sizeof(*order));
		}
	}
	for (i = 0; i < n; i++)
		free(outs[i].v);
	return rc;
}

/* sort_by, group_by, unique_by: items ordered or grouped by f. */
static int
by_key(struct ctx *c, enum xfunc fn, const struct xnode *f,
    const struct vals *items, struct val *res)
{
	struct lc_yfn_mem mem = { lc_yaml_expr_call_yfn_alloc, c };
	struct lc_ylit *keys, *r, *g, *rk, **gks;
	size_t *size;
	const struct lc_ylit *l;
	size_t i, j, n = items->n, *ix, ngroups, nkeep;
	int rc;

	ix = alloc(c, (n + 1) * sizeof(*ix));
	if (fn != F_SORTBY && (rc = keys_of(c, f, items, &keys)) != 0)
		return rc;
	if (fn == F_SORTBY)
		rc = sort_by_all(c, f, items, ix);
	else if (fn == F_UNIQUEBY)
		rc = lc_yaml_func_unique_keep(&mem, keys, n, ix, &nkeep);
	else
		rc = lc_yaml_func_group(&mem, keys, n, ix, &ngroups);
	if (rc != 0)
		return rc;
	if (fn == F_SORTBY || fn == F_UNIQUEBY) {
		r = mkcoll(c, LC_YL_SEQ, n, &rk);
		for (i = 0; i < (fn == F_SORTBY ? n : nkeep); i++) {
			if ((rc = lc_yaml_expr_value_val_lit(c,
			    &items->v[ix[i]], &l)) != 0)
				return rc;
			rk[r->nkids++] = *l;
		}
		*res = vlit(r);
		return 0;
	}
	/* Each group's size, then its items in place, in one pass each. */
	size = alloc(c, (ngroups + 1) * sizeof(*size));
	memset(size, 0, (ngroups + 1) * sizeof(*size));
	for (i = 0; i < n; i++)
		size[ix[i]]++;
	r = mkcoll(c, LC_YL_SEQ, ngroups, &rk);
	gks = alloc(c, (ngroups + 1) * sizeof(*gks));
	for (j = 0; j < ngroups; j++) {
		g = &rk[r->nkids++];
		*g = *mkcoll(c, LC_YL_SEQ, size[j], &gks[j]);
	}
	for (i = 0; i < n; i++) {
		if ((rc = lc_yaml_expr_value_val_lit(c, &items->v[i], &l)) != 0)
			return rc;
		g = &rk[ix[i]];
		gks[ix[i]][g->nkids++] = *l;
	}
	*res = vlit(r);
	return 0;
}

/* Whether b has a's keys in a's order, all the way down. */
static int
same_order(const struct lc_ylit *a, const struct lc_ylit *b)
{
	size_t i;

	if (a->kind != b->kind || a->nkids != b->nkids)
		return 0;
	for (i = 0; i < a->nkids; i++) {
		if (a->kind == LC_YL_MAP && i % 2 == 0 &&
		    (a->kids[i].n != b->kids[i].n ||
		    memcmp(a->kids[i].s, b->kids[i].s, a->kids[i].n) != 0))
			return 0;
		if (is_coll(&a->kids[i]) && !same_order(&a->kids[i],
		    &b->kids[i]))
			return 0;
	}
	return 1;
}

/* sort_keys(f): the mappings f names get their keys in order. */
static int
sort_keys(struct ctx *c, const struct xnode *f, const struct val *in,
    struct vals *out)
{
	struct lc_yfn_mem mem = { lc_yaml_expr_call_yfn_alloc, c };
	struct vals ts = { NULL, 0, 0 };
	const struct lc_ylit *l, *sorted;
	int rc, lhs_mode = c->lhs, all = f->op == X_RECURSE;
	struct val v;
	size_t i;

	/* sort_keys(..) sorts the whole input once, deeply. */
	c->lhs = 1;
	rc = all ? (push(&ts, in), 0) : lc_yaml_expr_eval_node(c, f, in, &ts);
	c->lhs = lhs_mode;
	for (i = 0; i < ts.n && rc == 0; i++) {
		if ((rc = lc_yaml_expr_value_val_lit(c, &ts.v[i], &l)) != 0 ||
		    (rc = lc_yaml_func_sort_keys(&mem, l, all, &sorted)) != 0)
			break;
		if (ts.v[i].kind == V_LIT && in->kind == V_LIT &&
		    ts.v[i].lit == in->lit) {
			v = vlit(sorted);
			push(out, &v);
			goto done;
		}
		if (ts.v[i].kind == V_NODE && l->kind == LC_YL_MAP &&
		    !same_order(l, sorted)) {
			if (ts.v[i].via & VIA_ALIAS)
				rc = lc_yaml_expr_assign_refuse_alias(c,
				    &ts.v[i]);
			else {
				c->env->matched++;
				rc = lc_yaml_edit_set(c->doc, ts.v[i].node,
				    sorted);
			}
		}
	}
	if (rc == 0)
		push(out, in);
done:
	free(ts.v);
	return rc;
}

/* A value of node v's kind with nothing in it (a collection not copied). */
static const struct lc_ylit *
kind_only(struct ctx *c, const struct val *v)
{
	int via = v->via;
	uint32_t n = deref(c->doc, v->node, &via);
	struct lc_ydoc *doc = c->doc;

	if (doc->nodes[n].type == LC_YMAP)
		return mklit(c, LC_YL_MAP, "", 0);
	if (doc->nodes[n].type == LC_YSEQ)
		return mklit(c, LC_YL_SEQ, "", 0);
	return mklit(c, lc_yaml_edit_node_kind(doc, n), "", 0);
}

/* The higher-order functions: f is x->kids[0], run on items of the input. */
static int
higher(struct ctx *c, const struct xnode *x, const struct val *in,
    struct vals *out)
{
	enum xfunc fn = (enum xfunc)x->idx;
	struct vals items = { NULL, 0, 0 }, o = { NULL, 0, 0 };
	const struct lc_ylit *l, *e;
	struct lc_yfn_mem mem = { lc_yaml_expr_call_yfn_alloc, c };
	struct lc_ylit *rk;
	struct val res;
	size_t i, n;
	int rc = 0, t, acc;

	if (fn == F_SORTKEYS)
		return sort_keys(c, x->kids[0], in, out);
	if (fn == F_MAPVALUES || fn == F_WITHENTRIES || in->kind != V_NODE) {
		if ((rc = lc_yaml_expr_value_val_lit(c, in, &l)) != 0)
			return rc;
	} else
		l = kind_only(c, in);
	if (fn == F_MAPVALUES) {
		if ((rc = map_values(c, x->kids[0], l, &res)) == 0)
			push(out, &res);
		return rc;
	}
	if (fn == F_WITHENTRIES) {
		/* to_entries | map(f) | from_entries */
		if ((rc = lc_yaml_func_call("to_entries", 10, l, NULL, 0, &mem,
		    &e,
		    &n)) != 0)
			return rc;
		for (i = 0; i < e->nkids; i++) {
			res = vlit(&e->kids[i]);
			push(&items, &res);
		}
		if ((rc = collect_each(c, x->kids[0], &items, &o)) == 0 &&
		    (rc = seq_of(c, &o, &res)) == 0 &&
		    (rc = lc_yaml_func_call("from_entries", 12, res.lit, NULL,
		    0,
		    &mem, &e, &n)) == 0) {
			res = vlit(e);
			push(out, &res);
		}
		goto done;
	}
	if (l->kind == LC_YL_NULL && fn == F_MAP) {
		res = vlit(mkcoll(c, LC_YL_SEQ, 0, &rk));
		push(out, &res);
		return 0;
	}
	if (!is_coll(l)) {
		if (fn == F_MAP) {
			push(out, in);
			return 0;
		}
		return lc_error_set(LC_EDATA, "%s: cannot iterate over %s",
		    x->s, lc_yaml_func_tag(l));
	}
	lc_yaml_expr_value_iterate(c, in, &items);
	switch (fn) {
	case F_MAP:
		if ((rc = collect_each(c, x->kids[0], &items, &o)) == 0 &&
		    (rc = seq_of(c, &o, &res)) == 0)
			push(out, &res);
		break;
	case F_SORTBY:
	case F_GROUPBY:
	case F_UNIQUEBY:
		if ((rc = by_key(c, fn, x->kids[0], &items, &res)) == 0)
			push(out, &res);
		break;
	case F_ANY:
	case F_ALL:
	case F_ANYC:
	case F_ALLC:
		acc = fn == F_ALL || fn == F_ALLC;
		for (i = 0; i < items.n && rc == 0; i++) {
			if (fn == F_ANY || fn == F_ALL)
				t = lc_yaml_expr_value_truthy(c, &items.v[i]);
			else if ((rc = lc_yaml_expr_value_truth(c, x->kids[0],
			    &items.v[i],
			    &t)) != 0)
				break;
			if (t != acc) {
				acc = t;
				break;
			}
		}
		res = vbool(c, acc);
		if (rc == 0)
			push(out, &res);
		break;
	case F_FIRSTC:
		for (i = 0; i < items.n && rc == 0; i++)
			if ((rc = lc_yaml_expr_value_truth(c, x->kids[0],
			    &items.v[i], &t)) == 0 &&
			    t) {
				push(out, &items.v[i]);
				break;
			}
		break;
	default:
		break;
	}
done:
	free(items.v);
	free(o.v);
	return rc;
}

int
lc_yaml_expr_call(struct ctx *c, const struct xnode *x, const struct val *in,
    struct vals *out)
{
	struct lc_ydoc *doc = c->doc;
	struct vals ts = { NULL, 0, 0 };
	enum lc_ylit_kind kk;
	const char *s;
	struct val v, w;
	uint32_t p, k;
	size_t i, n;
	int rc = 0, lhs_mode;

	switch ((enum xfunc)x->idx) {
	case F_YFN:
		return yfn_eval(c, x, in, out);
	case F_MAP: case F_MAPVALUES: case F_WITHENTRIES: case F_SORTBY:
	case F_GROUPBY: case F_UNIQUEBY: case F_ANY: case F_ALL: case F_ANYC:
	case F_ALLC: case F_FIRSTC: case F_SORTKEYS:
		return higher(c, x, in, out);
	case F_HAS:
		if ((rc = lc_yaml_expr_value_eval1(c, x->kids[0], in, &w)) != 0)
			return rc;
		if (!lc_yaml_expr_value_scalar_of(c, &w, &kk, &s, &n))
			return lc_error_set(LC_EUSAGE, "has: the key must be "
			    "a scalar");
		v = vbool(c, has_key(c, in, kk, s, n));
		push(out, &v);
		break;
	case F_KEY:
	case F_PARENT:
		if (in->kind != V_NODE || (p = doc->nodes[in->node].parent) == 0)
			break;
		if ((enum xfunc)x->idx == F_PARENT) {
			v = vnode(p, in->via);
		} else if (doc->nodes[p].type == LC_YMAP &&
		    (k = lc_yaml_edit_node_key(doc, in->node)) != 0)
			v = vnode(k, in->via | VIA_ALIAS);
		else {
			for (i = 0, k = doc->nodes[p].first; k && k != in->node;
			    k = doc->nodes[k].next)
				i++;
			v = vlit(lc_yaml_expr_op_num_lit(c, (double)i));
		}
		push(out, &v);
		break;
	case F_PATH:
		v = vlit(path_of(c, in));
		push(out, &v);
		break;
	case F_SPLIT_DOC:
		/* The value itself; its results print as documents. */
		c->env->split_doc = 1;
		push(out, in);
		break;
	case F_WITH:
		lhs_mode = c->lhs;
		c->lhs = 1;
		rc = lc_yaml_expr_eval_node(c, x->kids[0], in, &ts);
		c->lhs = lhs_mode;
		for (i = 0; i < ts.n && rc == 0; i++) {
			struct vals tmp = { NULL, 0, 0 };

			rc = lc_yaml_expr_eval_node(c, x->kids[1], &ts.v[i],
			    &tmp);
			free(tmp.v);
		}
		if (rc == 0)
			push(out, in);
		break;
	default:
		rc = node_info(c, (enum xfunc)x->idx, in, out);
		break;
	}
	free(ts.v);
	return rc;
}
