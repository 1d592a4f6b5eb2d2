/* yaml_expr_assign.c: =, |=, +=, *= and del(): edits as yaml_edit splices. */
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

/* Where node n starts, for messages. */
static void
where(struct ctx *c, uint32_t n, long *line, long *col)
{
	lc_yaml_edit_where(c->doc, c->doc->nodes[n].start, line, col);
}

int
lc_yaml_expr_assign_refuse_alias(struct ctx *c, const struct val *t)
{
	struct lc_buf b = LC_BUF_INIT;
	long line, col;
	int rc;

	lc_yaml_expr_value_val_path(c->doc, t, &b);
	where(c, t->node, &line, &col);
	rc = lc_error_set(LC_EUSAGE, "'%s': %ld:%ld: '%s' is reached through "
	    "an alias (*name); edit the anchored node (&name) instead",
	    c->doc->name, line, col, b.data);
	lc_error_where(c->doc->name, line, col);
	lc_buf_release(&b);
	return rc;
}

static int
missing(struct ctx *c, const struct val *t)
{
	struct lc_buf b = LC_BUF_INIT;
	int rc;

	lc_yaml_expr_value_val_path(c->doc, t, &b);
	rc = lc_error_set(LC_ENOTFOUND, "no '%s' in '%s' (and --no-create "
	    "was given)", b.data, c->doc->name);
	lc_buf_release(&b);
	return rc;
}

/* A sequence of n nulls then l (l NULL: n nulls). */
static struct lc_ylit *
padded(struct ctx *c, size_t n, const struct lc_ylit *l)
{
	struct lc_ylit *seq = mklit(c, LC_YL_SEQ, "", 0), *kids;
	size_t i;

	kids = alloc(c, (n + 1) * sizeof(*kids));
	for (i = 0; i < n; i++)
		kids[i] = *mklit(c, LC_YL_NULL, "null", 4);
	if (l != NULL)
		kids[n] = *l;
	seq->kids = kids;
	seq->nkids = n + (l != NULL);
	return seq;
}

/* Padding up to an index is bounded: ".a[99999999] = 1" is a typo. */
#define MAX_PAD	10000

static int
too_far(struct ctx *c, const struct val *t, unsigned long idx)
{
	struct lc_buf b = LC_BUF_INIT;
	int rc;

	lc_yaml_expr_value_val_path(c->doc, t, &b);
	rc = lc_error_set(LC_EUSAGE, "'%s': creating '%s' would add %lu null "
	    "items (more than %d); check the index", c->doc->name, b.data,
	    idx, MAX_PAD);
	lc_buf_release(&b);
	return rc;
}

/*
 * The value that missing path t needs below its first step to hold l:
 * a mapping for each key, a sequence padded with nulls for each index.
 */
static int
chain(struct ctx *c, const struct val *t, const struct lc_ylit *l,
    const struct lc_ylit **out)
{
	struct lc_ylit *m;
	unsigned long idx;
	size_t i;

	for (i = t->nkeys; i-- > 1;) {
		if (t->keys[i].kind == LC_YL_NUM) {
			idx = strtoul(t->keys[i].s, NULL, 10);
			if (idx > MAX_PAD)
				return too_far(c, t, idx);
			l = padded(c, idx, l);
		} else {
			m = mklit(c, LC_YL_MAP, "", 0);
			m->kids = alloc(c, 2 * sizeof(*m->kids));
			((struct lc_ylit *)m->kids)[0] = t->keys[i];
			((struct lc_ylit *)m->kids)[1] = *l;
			m->nkids = 2;
			l = m;
		}
	}
	*out = l;
	return 0;
}

/* Create missing path t holding l, in the style of the file around it. */
static int
create(struct ctx *c, const struct val *t, const struct lc_ylit *l)
{
	struct lc_ydoc *doc = c->doc;
	const struct lc_ynode *nd = &doc->nodes[t->node];
	unsigned long idx;
	int rc;

	if ((rc = chain(c, t, l, &l)) != 0)
		return rc;
	if (t->keys[0].kind != LC_YL_NUM || nd->type == LC_YMAP)
		return lc_yaml_edit_create(doc, t->node, t->keys, 1, l);
	idx = strtoul(t->keys[0].s, NULL, 10);
	if (nd->type == LC_YSEQ) {
		if (idx - nd->nkids > MAX_PAD)
			return too_far(c, t, idx - nd->nkids);
		return lc_yaml_edit_append(doc, t->node,
		    padded(c, idx - nd->nkids, l));
	}
	if (idx > MAX_PAD)
		return too_far(c, t, idx);
	if (nd->type == LC_YSCALAR && lc_yaml_edit_node_is_null(doc, t->node))
		return lc_yaml_edit_set(doc, t->node, padded(c, idx, l));
	/* A scalar: let lc_yaml_edit_append say it cannot. */
	return lc_yaml_edit_append(doc, t->node, l);
}

static int merge_into(struct ctx *, uint32_t, const struct lc_ylit *, int);

/* Set target t to l: replace a node, or create the missing path. */
static int
set_target(struct ctx *c, const struct val *t, const struct lc_ylit *l)
{
	struct lc_ylit key;
	const char *s;
	size_t n;
	uint32_t k;

	if (t->kind == V_LIT)
		return lc_error_set(LC_EUSAGE, "cannot assign to a constant");
	if (t->via & VIA_ALIAS)
		return lc_yaml_expr_assign_refuse_alias(c, t);
	c->env->matched++;
	if (t->kind == V_NODE && (t->via & VIA_MERGE)) {
		/* Override the merged key in the merging mapping. */
		if (c->env->no_create)
			return missing(c, t);
		k = lc_yaml_edit_node_key(c->doc, t->node);
		s = lc_yaml_edit_node_value(c->doc, k, &n);
		key = *mklit(c, LC_YL_STR, s, n);
		return lc_yaml_edit_create(c->doc, t->mergemap, &key, 1, l);
	}
	if (t->kind == V_NODE && is_coll(l))
		return merge_into(c, t->node, l, 0);
	if (t->kind == V_NODE)
		return lc_yaml_edit_set(c->doc, t->node, l);
	if (c->env->no_create)
		return missing(c, t);
	return create(c, t, l);
}

static int
append_target(struct ctx *c, const struct val *t, const struct lc_ylit *l)
{
	struct lc_ydoc *doc = c->doc;
	const struct lc_ylit *sum, *cur;
	enum lc_ylit_kind k;
	const char *s;
	size_t n;
	uint32_t node;
	long line, col;
	int via = 0, rc;

	/* null + x is x in yq: ".b += 1" on a missing b sets 1, not [1]. */
	if (t->kind == V_MISS || (t->kind == V_NODE &&
	    lc_yaml_edit_node_is_null(doc, deref(doc, t->node, &via))))
		return set_target(c, t, l);
	if (t->kind != V_NODE)
		return lc_error_set(LC_EUSAGE, "cannot append to a constant");
	if (t->via & VIA_ALIAS)
		return lc_yaml_expr_assign_refuse_alias(c, t);
	node = deref(doc, t->node, &via);
	if (via)
		return lc_yaml_expr_assign_refuse_alias(c, t);
	if (doc->nodes[node].type == LC_YSEQ) {
		c->env->matched++;
		return lc_yaml_edit_append(doc, node, l);
	}
	if (doc->nodes[node].type != LC_YSCALAR || l->kind == LC_YL_SEQ ||
	    l->kind == LC_YL_MAP) {
		where(c, node, &line, &col);
		lc_error_set(LC_EUSAGE, "'%s': %ld:%ld: '+=' needs a "
		    "sequence, a string or a number on its left", doc->name,
		    line, col);
		lc_error_where(doc->name, line, col);
		return LC_EUSAGE;
	}
	/* A number plus a number, else the two texts joined. */
	s = lc_yaml_edit_node_value(doc, node, &n);
	k = lc_yaml_edit_node_kind(doc, node);
	if (k != LC_YL_NUM || l->kind != LC_YL_NUM) {
		k = LC_YL_STR;
		l = mklit(c, LC_YL_STR, l->s, l->n);
	}
	cur = mklit(c, k, s, n);
	if ((rc = lc_yaml_expr_op_arith(c, X_ADD, cur, l, &sum)) != 0)
		return rc;
	return set_target(c, t, sum);
}

static int merge_into(struct ctx *, uint32_t, const struct lc_ylit *, int);

/*
 * t *= l with the merge flags: t's value times l (lc_yaml_func_mul), merged
 * into an existing node (merge_into) so what the product leaves as it
 * was keeps its bytes, comments and layout. A constant, an alias, a key
 * from a <<: merge or a missing path go to set_target, which refuses or
 * creates.
 */
static int
mul_target(struct ctx *c, const struct val *t, const struct lc_ylit *l,
    unsigned flags)
{
	struct lc_yfn_mem mem = { lc_yaml_expr_call_yfn_alloc, c };
	const struct lc_ylit *cur, *r;
	int rc;

	if (t->kind == V_LIT)
		return lc_error_set(LC_EUSAGE, "cannot assign to a constant");
	if ((rc = lc_yaml_expr_value_val_lit(c, t, &cur)) != 0 ||
	    (rc = lc_yaml_func_mul(&mem, cur, l, flags, &r)) != 0)
		return rc;
	if (t->kind != V_NODE || (t->via & (VIA_ALIAS | VIA_MERGE)))
		return set_target(c, t, r);
	c->env->matched++;
	return merge_into(c, t->node, r, 0);
}

/* t -= l: the value of t less l, set in t's place. */
static int
sub_target(struct ctx *c, const struct val *t, const struct lc_ylit *l)
{
	const struct lc_ylit *cur, *r;
	int rc;

	if ((rc = lc_yaml_expr_value_val_lit(c, t, &cur)) != 0)
		return rc;
	/* yq 4.53.6: null - x is x (".b -= 1" on a missing b sets 1). */
	if (cur->kind == LC_YL_NULL)
		return set_target(c, t, l);
	if ((rc = lc_yaml_expr_op_arith(c, X_SUB, cur, l, &r)) != 0)
		return rc;
	return set_target(c, t, r);
}

static int
cmp_at(const void *a, const void *b)
{
	const uint64_t *x = a, *y = b;

	return *x < *y ? -1 : *x > *y;
}

/* Mark the later of two values naming the same node V_DUP (n log n). */
static void
mark_dups(struct vals *vs)
{
	uint64_t *at;
	size_t i, n = 0;

	if (vs->n < 2)
		return;
	at = lc_buf_xmalloc(vs->n * sizeof(*at));
	for (i = 0; i < vs->n; i++)
		if (vs->v[i].kind == V_NODE)
			at[n++] = (uint64_t)vs->v[i].node << 32 | i;
	qsort(at, n, sizeof(*at), cmp_at);
	for (i = 1; i < n; i++)
		if (at[i] >> 32 == at[i - 1] >> 32)
			vs->v[at[i] & 0xffffffffu].kind = V_DUP;
	free(at);
}

/* An edit of a constant, made on a scratch document (see edit_constant). */
struct scratch {
	struct ctx *c;
	const struct xnode *x;
	const struct lc_ylit *res;
};

static int
scratch_doc(struct lc_ydoc *doc, void *arg)
{
	struct scratch *sc = arg;
	struct ctx *c = sc->c;
	struct lc_ydoc *saved = c->doc;
	struct vals o = { NULL, 0, 0 };
	struct val root = vnode(doc->root, 0);
	int rc, lhs = c->lhs;

	/* c evaluates on the scratch document, then on its own again. */
	c->doc = doc;
	c->lhs = 0;
	rc = sc->x->op == X_DEL ? lc_yaml_expr_assign_delete(c, sc->x, &root,
	    &o) :
	    lc_yaml_expr_assign(c, sc->x, &root, &o);
	free(o.v);
	if (rc == 0 && doc->nedits > 0)
		rc = lc_yaml_edit_commit(doc);
	if (rc == 0) {
		root = vnode(doc->root, 0);
		rc = lc_yaml_expr_value_val_lit(c, &root, &sc->res);
	}
	c->doc = saved;
	c->lhs = lhs;
	return rc;
}

/*
 * An assignment or del on a constant ('{"a": 1} | .a = 2', an entry in
 * with_entries, an item in map): yq edits values as it edits documents,
 * so the constant is written out as YAML, edited as a document and read
 * back.
 */
static int
edit_constant(struct ctx *c, const struct xnode *x, const struct val *in,
    struct vals *out)
{
	struct lc_buf b = LC_BUF_INIT;
	struct scratch sc = { c, x, NULL };
	struct val v;
	int rc;

	lc_yaml_edit_emit(&b, in->lit);
	rc = lc_yaml_edit_stream("(a value)", b.data ? b.data : "", b.len,
	    scratch_doc, &sc, NULL);
	lc_buf_release(&b);
	if (rc == 0 && sc.res != NULL) {
		v = vlit(sc.res);
		push(out, &v);
	}
	return rc;
}

int
lc_yaml_expr_assign(struct ctx *c, const struct xnode *x, const struct val *in,
    struct vals *out)
{
	struct vals lhs = { NULL, 0, 0 };
	const struct lc_ylit *l;
	struct val r;
	size_t i;
	int rc, lhs_mode;

	if (in->kind == V_LIT)
		return edit_constant(c, x, in, out);
	lhs_mode = c->lhs;
	c->lhs = 1;
	rc = lc_yaml_expr_eval_node(c, x->a, in, &lhs);
	c->lhs = lhs_mode;
	if (rc != 0)
		goto done;
	if (x->op == X_ASSIGN && (rc = lc_yaml_expr_value_eval1(c, x->b, in,
	    &r)) != 0)
		goto done;
	if (x->op != X_ASSIGN && x->op != X_UPDATE) {
		/*
		 * "+=", "-=", "*=" as yq: the last output of the right side;
		 * none, or a missing path, leaves the targets as they are.
		 */
		size_t n;

		if ((rc = lc_yaml_expr_value_eval_pick(c, x->b, in, 1, &r,
		    &n)) != 0)
			goto done;
		if (n == 0 || r.kind == V_MISS) {
			push(out, in);
			goto done;
		}
	}
	/* ".." and friends can name a node twice; edit it once. */
	mark_dups(&lhs);
	for (i = 0; i < lhs.n && rc == 0; i++) {
		if (lhs.v[i].kind == V_DUP)
			continue;
		if (x->op == X_UPDATE) {
			size_t n;

			/* No output leaves the target as it is (yq). */
			if ((rc = lc_yaml_expr_value_eval_pick(c, x->b,
			    &lhs.v[i], 0, &r,
			    &n)) != 0)
				break;
			if (n == 0)
				continue;
			/* An inner assignment returns its input: done. */
			if (r.kind == V_NODE && lhs.v[i].kind == V_NODE &&
			    r.node == lhs.v[i].node)
				continue;
		}
		if ((rc = lc_yaml_expr_value_val_lit(c, &r, &l)) != 0)
			break;
		if (x->op == X_APPEND)
			rc = append_target(c, &lhs.v[i], l);
		else if (x->op == X_SUBASSIGN)
			rc = sub_target(c, &lhs.v[i], l);
		else if (x->op == X_MULASSIGN)
			rc = mul_target(c, &lhs.v[i], l, (unsigned)x->idx);
		else
			rc = set_target(c, &lhs.v[i], l);
	}
	if (rc == 0)
		push(out, in);
done:
	free(lhs.v);
	return rc;
}

/*
 * Delete the nodes of ts (values of mappings, items of sequences). When
 * they are every entry of a collection, the collection becomes empty
 * ("a: []", as yq) in one edit instead of a key with nothing after it.
 */
static int
delete_nodes(struct ctx *c, const struct vals *ts)
{
	static const struct lc_ylit empty_seq = { LC_YL_SEQ, "", 0, NULL, 0 };
	static const struct lc_ylit empty_map = { LC_YL_MAP, "", 0, NULL, 0 };
	struct lc_ydoc *doc = c->doc;
	uint32_t *left, p;
	size_t i;
	int rc = 0;

	for (i = 0; i < ts->n; i++)
		if (ts->v[i].kind == V_NODE &&
		    (ts->v[i].via & (VIA_ALIAS | VIA_MERGE)))
			return lc_yaml_expr_assign_refuse_alias(c, &ts->v[i]);
	/* left[p]: the entries of p no target deletes. */
	left = lc_buf_xmalloc(((size_t)doc->nnodes + 1) * sizeof(*left));
	for (i = 0; i < ts->n; i++)
		if (ts->v[i].kind == V_NODE &&
		    (p = doc->nodes[ts->v[i].node].parent) != 0)
			left[p] = doc->nodes[p].type == LC_YMAP ?
			    doc->nodes[p].nkids / 2 : doc->nodes[p].nkids;
	for (i = 0; i < ts->n; i++)
		if (ts->v[i].kind == V_NODE &&
		    (p = doc->nodes[ts->v[i].node].parent) != 0)
			left[p]--;
	for (i = 0; i < ts->n && rc == 0; i++) {
		if (ts->v[i].kind != V_NODE)
			continue;
		c->env->matched++;
		p = doc->nodes[ts->v[i].node].parent;
		if (p != 0 && left[p] == UINT32_MAX)
			continue;
		if (p == 0 || left[p] != 0)
			rc = lc_yaml_edit_delete(doc, ts->v[i].node);
		else {
			left[p] = UINT32_MAX;	/* emptied once */
			rc = lc_yaml_edit_set(doc, p, doc->nodes[p].type ==
			    LC_YMAP ? &empty_map : &empty_seq);
		}
	}
	free(left);
	return rc;
}

int
lc_yaml_expr_assign_delete(struct ctx *c, const struct xnode *x,
    const struct val *in,
    struct vals *out)
{
	struct vals ts = { NULL, 0, 0 };
	int rc, lhs_mode;

	if (in->kind == V_LIT)
		return edit_constant(c, x, in, out);
	lhs_mode = c->lhs;
	c->lhs = 1;
	rc = lc_yaml_expr_eval_node(c, x->a, in, &ts);
	c->lhs = lhs_mode;
	if (rc == 0) {
		mark_dups(&ts);
		rc = delete_nodes(c, &ts);
	}
	if (rc == 0)
		push(out, in);
	free(ts.v);
	return rc;
}

/* Whether scalar node n already holds l (numbers compared as numbers). */
static int
same_scalar(struct ctx *c, uint32_t n, const struct lc_ylit *l)
{
	struct val a = vnode(n, 0), b = vlit(l);

	return lc_yaml_expr_value_equal(c, &a,
	    &b) && (lc_yaml_edit_node_kind(c->doc, n) == l->kind ||
	    (l->kind == LC_YL_STR && lc_yaml_edit_node_kind(c->doc,
	    n) == LC_YL_STR));
}

/*
 * Make node n hold l with the fewest splices: l is a computed value (map,
 * *, sort_keys), and replacing a whole mapping with it would re-emit every
 * line and drop the comments inside. Only what differs is set, created or
 * deleted.
 */
static int
merge_into(struct ctx *c, uint32_t n, const struct lc_ylit *l, int depth)
{
	struct lc_ydoc *doc = c->doc;
	const struct lc_ynode *nd;
	const char *s;
	size_t i, len;
	uint32_t k, v, r;
	int merged, rc = 0, found, via = 0;

	if (n && doc->nodes[n].type == LC_YALIAS) {
		/* Writing into the anchored node would change every alias of
		 * it: only an unchanged value may pass. */
		struct val a = vnode(n, VIA_ALIAS);
		const struct lc_ylit *cur;

		if ((rc = lc_yaml_expr_value_val_lit(c, &a, &cur)) != 0)
			return rc;
		return lc_yaml_expr_op_lit_equal(cur,
		    l) ? 0 : lc_yaml_expr_assign_refuse_alias(c, &a);
	}
	/* Items deleted from a flow sequence next to items set or deleted
	 * would be overlapping splices: write the shorter sequence whole. */
	if (doc->nodes[n].type == LC_YSEQ && doc->nodes[n].style == 2 &&
	    l->kind == LC_YL_SEQ && l->nkids < doc->nodes[n].nkids)
		return lc_yaml_edit_set(doc, n, l);
	nd = &doc->nodes[n];
	if (depth > 64 || !((nd->type == LC_YMAP && l->kind == LC_YL_MAP &&
	    l->nkids > 0) || (nd->type == LC_YSEQ && l->kind == LC_YL_SEQ &&
	    l->nkids > 0) || (nd->type == LC_YSCALAR && !is_coll(l)))) {
		return lc_yaml_edit_set(doc, n, l);
	}
	if (nd->type == LC_YSCALAR)
		return same_scalar(c, n, l) ? 0 : lc_yaml_edit_set(doc, n, l);
	if (nd->type == LC_YMAP) {
		/* Nothing to keep: write the new mapping whole. */
		for (found = 0, i = 0; i + 1 < l->nkids && !found; i += 2)
			found = lc_yaml_edit_map_get(doc, n, l->kids[i].s,
			    l->kids[i].n,
			    &merged) != 0;
		if (!found)
			return lc_yaml_edit_set(doc, n, l);
	}
	if (nd->type == LC_YSEQ) {
		for (i = 0, k = nd->first; i < l->nkids && k && rc == 0;
		    i++, k = doc->nodes[k].next)
			rc = merge_into(c, k, &l->kids[i], depth + 1);
		for (; k && rc == 0; k = doc->nodes[k].next)
			rc = lc_yaml_edit_delete(doc, k);
		if (i < l->nkids && rc == 0) {
			struct lc_ylit rest = *l;

			rest.kids += i;
			rest.nkids -= i;
			rc = lc_yaml_edit_append(doc, n, &rest);
		}
		return rc;
	}
	for (i = 0; i + 1 < l->nkids && rc == 0; i += 2) {
		r = lc_yaml_edit_map_get(doc, n, l->kids[i].s, l->kids[i].n,
		    &merged);
		if (r && !merged)
			rc = merge_into(c, r, &l->kids[i + 1], depth + 1);
		else if (r && !is_coll(&l->kids[i + 1]) &&
		    doc->nodes[deref(doc, r, &via)].type == LC_YSCALAR &&
		    same_scalar(c, deref(doc, r, &via), &l->kids[i + 1]))
			;	/* the merged value already says so */
		else
			rc = lc_yaml_edit_create(doc, n, &l->kids[i], 1,
			    &l->kids[i + 1]);
	}
	for (k = nd->first; k && rc == 0; k = doc->nodes[v].next) {
		if ((v = doc->nodes[k].next) == 0)
			break;
		s = lc_yaml_edit_node_value(doc, k, &len);
		if (len == 2 && memcmp(s, "<<", 2) == 0)
			continue;
		for (found = 0, i = 0; i + 1 < l->nkids && !found; i += 2)
			found = l->kids[i].n == len &&
			    memcmp(l->kids[i].s, s, len) == 0;
		if (!found)
			rc = lc_yaml_edit_delete(doc, v);
	}
	return rc;
}
