/* yaml_expr_eval_all.c: eval-all, one evaluation over every document. */
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

/*
 * eval-all: one evaluation over the documents of every file, as yq's
 * eval-all. yq evaluates an expression on a context, the list of all
 * documents; most operators work on each item of it alone, which the
 * evaluator above does with c->doc switched to the item's document. The
 * operators that see the context as a whole are handled here, at the top
 * of the expression: "|" (the right side gets the left's results), ","
 * (all of the left, then all of the right), "[...]" over documents (one
 * array), "E as $x | BODY" (BODY on the whole context for each $x),
 * ireduce (over E's results in every document), and the binary operators
 * (every left result with every right result, as yq's crossFunction).
 * Below the top they keep their per-item meaning, as in yq, whose
 * results are no longer documents.
 */

struct item {
	size_t k;		/* the document the value belongs to */
	struct val v;
};

struct items {
	struct item *v;
	size_t n, cap;
};

/* A variable bound at the top: a node of document k, or its copy. */
struct abind {
	const char *name;
	struct item it;
	const struct lc_ylit *lit;	/* made when another document needs it */
};

struct actx {
	struct ctx c;		/* c.doc is the document being evaluated */
	struct lc_ydoc **docs;
	const int *files;
	size_t ndocs;
	struct abind *binds;
	size_t nbinds, capbinds;
};

static void
item_push(struct items *is, size_t k, const struct val *v)
{
	if (is->n == is->cap) {
		is->cap = is->cap ? is->cap * 2 : 8;
		is->v = lc_buf_xrealloc(is->v, is->cap * sizeof(*is->v));
	}
	is->v[is->n].k = k;
	is->v[is->n++].v = *v;
}

static void
use_doc(struct actx *a, size_t k)
{
	/* MAX_COPIED bounds the copies of each document's evaluation. */
	if (a->c.doc != a->docs[k])
		a->c.copied = 0;
	a->c.doc = a->docs[k];
	a->c.maxcopied = MAX_COPIED +
	    (size_t)a->docs[k]->nnodes * COPIES_PER_NODE;
	a->c.env->file_index = a->files[k];
}

/* The value of it, usable while document k is evaluated. */
static int
item_val(struct actx *a, const struct item *it, size_t k,
    const struct lc_ylit **cache, struct val *out)
{
	const struct lc_ylit *l;
	int rc;

	if (it->k == k || it->v.kind == V_LIT) {
		*out = it->v;
		return 0;
	}
	if (cache == NULL || *cache == NULL) {
		use_doc(a, it->k);
		rc = lc_yaml_expr_value_val_lit(&a->c, &it->v, &l);
		use_doc(a, k);
		if (rc != 0)
			return rc;
		if (cache != NULL)
			*cache = l;
	} else
		l = *cache;
	*out = vlit(l);
	return 0;
}

/* x on one item, in its document, with the top's variables bound. */
static int
item_eval(struct actx *a, const struct xnode *x, const struct item *it,
    struct items *out)
{
	struct vals tmp = { NULL, 0, 0 };
	struct val v;
	size_t i, nb = a->c.nbinds;
	int rc = 0;

	use_doc(a, it->k);
	for (i = 0; i < a->nbinds && rc == 0; i++)
		if ((rc = item_val(a, &a->binds[i].it, it->k,
		    &a->binds[i].lit, &v)) == 0)
			lc_yaml_expr_op_bind_push(&a->c, a->binds[i].name, &v);
	if (rc == 0)
		rc = lc_yaml_expr_eval_node(&a->c, x, &it->v, &tmp);
	a->c.nbinds = nb;
	for (i = 0; i < tmp.n; i++)
		item_push(out, it->k, &tmp.v[i]);
	free(tmp.v);
	return rc;
}

static int
is_root(const struct actx *a, const struct item *it)
{
	return it->v.kind == V_NODE && it->v.node == a->docs[it->k]->root;
}

/* The operators that pair every left result with every right one. */
static int
cross_op(enum xop op)
{
	return op == X_ADD || op == X_SUB || op == X_MUL || op == X_DIV ||
	    op == X_MOD || op == X_EQ || op == X_NE || op == X_LT ||
	    op == X_LE || op == X_GT || op == X_GE;
}

static int ceval(struct actx *, const struct xnode *, const struct items *,
    struct items *);

static void
abind_push(struct actx *a, const char *name, const struct item *it)
{
	if (a->nbinds == a->capbinds) {
		a->capbinds = a->capbinds ? a->capbinds * 2 : 4;
		a->binds = lc_buf_xrealloc(a->binds, a->capbinds *
		    sizeof(*a->binds));
	}
	a->binds[a->nbinds].name = name;
	a->binds[a->nbinds].it = *it;
	a->binds[a->nbinds++].lit = NULL;
}

/* "[E]" over documents: E on each, every result in one array. */
static int
collect_all(struct actx *a, const struct xnode *x, const struct items *in,
    struct items *out)
{
	struct items all = { NULL, 0, 0 };
	struct lc_ylit *l, *kids;
	const struct lc_ylit *cl;
	struct val v;
	size_t i, j;
	int rc = 0;

	for (i = 0; i < in->n && rc == 0; i++)
		for (j = 0; j < x->nkids && rc == 0; j++)
			rc = item_eval(a, x->kids[j], &in->v[i], &all);
	kids = alloc(&a->c, (all.n + 1) * sizeof(*kids));
	for (j = 0; j < all.n && rc == 0; j++) {
		use_doc(a, all.v[j].k);
		if ((rc = lc_yaml_expr_value_val_lit(&a->c, &all.v[j].v,
		    &cl)) == 0)
			kids[j] = *cl;
	}
	if (rc == 0) {
		l = mklit(&a->c, LC_YL_SEQ, "", 0);
		l->kids = kids;
		l->nkids = all.n;
		v = vlit(l);
		item_push(out, in->v[0].k, &v);
	}
	free(all.v);
	return rc;
}

/* Left and right on the whole context, then x on every pair. */
static int
cross(struct actx *a, const struct xnode *x, const struct items *in,
    struct items *out)
{
	struct items ls = { NULL, 0, 0 }, rs = { NULL, 0, 0 };
	struct xnode y = *x, vl, vr;
	struct item it;
	struct val v;
	size_t i, j, nb = a->c.nbinds;
	int rc;

	memset(&vl, 0, sizeof(vl));
	memset(&vr, 0, sizeof(vr));
	vl.op = vr.op = X_VAR;
	vl.s = " l";	/* names no expression can spell */
	vr.s = " r";
	y.a = &vl;
	y.b = &vr;
	if ((rc = ceval(a, x->a, in, &ls)) == 0)
		rc = ceval(a, x->b, in, &rs);
	for (i = 0; i < ls.n && rc == 0; i++)
		for (j = 0; j < rs.n && rc == 0; j++) {
			use_doc(a, ls.v[i].k);
			if ((rc = item_val(a, &rs.v[j], ls.v[i].k, NULL,
			    &v)) != 0)
				break;
			lc_yaml_expr_op_bind_push(&a->c, vl.s, &ls.v[i].v);
			lc_yaml_expr_op_bind_push(&a->c, vr.s, &v);
			it = ls.v[i];
			rc = item_eval(a, &y, &it, out);
			a->c.nbinds = nb;
		}
	free(ls.v);
	free(rs.v);
	return rc;
}

/* ireduce over the whole context: each start value, folded over E's. */
static int
reduce_all(struct actx *a, const struct xnode *x, const struct items *in,
    struct items *out)
{
	struct items xs = { NULL, 0, 0 }, inits = { NULL, 0, 0 };
	struct items tmp = { NULL, 0, 0 };
	struct item acc;
	struct val v;
	size_t i, j, nb = a->c.nbinds;
	int rc;

	if ((rc = ceval(a, x->a, in, &xs)) == 0)
		rc = ceval(a, x->kids[0], in, &inits);
	for (i = 0; i < inits.n && rc == 0; i++) {
		acc = inits.v[i];
		for (j = 0; j < xs.n && rc == 0; j++) {
			/* UPDATE runs in the document of $x. */
			if ((rc = item_val(a, &acc, xs.v[j].k, NULL, &v)) != 0)
				break;
			acc.k = xs.v[j].k;
			acc.v = v;
			use_doc(a, acc.k);
			lc_yaml_expr_op_bind_push(&a->c, x->s, &xs.v[j].v);
			tmp.n = 0;
			rc = item_eval(a, x->kids[1], &acc, &tmp);
			a->c.nbinds = nb;
			if (tmp.n > 0)
				acc = tmp.v[tmp.n - 1];
			else
				acc.v = vlit(mklit(&a->c, LC_YL_NULL, "null",
				    4));
		}
		if (rc == 0)
			item_push(out, acc.k, &acc.v);
	}
	free(xs.v);
	free(inits.v);
	free(tmp.v);
	return rc;
}

static int
ceval(struct actx *a, const struct xnode *x, const struct items *in,
    struct items *out)
{
	struct items tmp = { NULL, 0, 0 };
	size_t i, nb;
	int rc = 0, together = in->n > 0;

	for (i = 0; i < in->n && together; i++)
		together = is_root(a, &in->v[i]);
	switch (x->op) {
	case X_PIPE:
		if ((rc = ceval(a, x->a, in, &tmp)) == 0)
			rc = ceval(a, x->b, &tmp, out);
		break;
	case X_UNION:
		if ((rc = ceval(a, x->a, in, out)) == 0)
			rc = ceval(a, x->b, in, out);
		break;
	case X_ARRAY:
	case X_OBJECT:
		if (x->nkids == 0 && in->n > 0) {
			/* "[]" and "{}" are one value, whatever the context. */
			rc = item_eval(a, x, &in->v[0], out);
			break;
		}
		if (x->op == X_ARRAY && together) {
			rc = collect_all(a, x, in, out);
			break;
		}
		goto each;
	case X_AS:
		if (x->idx) {
			rc = reduce_all(a, x, in, out);
			break;
		}
		if ((rc = ceval(a, x->a, in, &tmp)) != 0)
			break;
		nb = a->nbinds;
		for (i = 0; i < tmp.n && rc == 0; i++) {
			abind_push(a, x->s, &tmp.v[i]);
			rc = ceval(a, x->b, in, out);
			a->nbinds = nb;
		}
		break;
	case X_VAR:
		/* A variable is its value once, not once per document. */
		for (i = a->nbinds; i-- > 0;)
			if (strcmp(a->binds[i].name, x->s) == 0) {
				item_push(out, a->binds[i].it.k,
				    &a->binds[i].it.v);
				break;
			}
		if (i == (size_t)-1 && in->n > 0)
			rc = item_eval(a, x, &in->v[0], out);
		break;
	case X_FIELD:
	case X_INDEX:
	case X_ITER:
	case X_SLICE:
		if (x->a != NULL) {
			/* "$x.a": the path from what its base gives. */
			struct xnode y = *x;

			y.a = NULL;
			if ((rc = ceval(a, x->a, in, &tmp)) != 0)
				break;
			for (i = 0; i < tmp.n && rc == 0; i++)
				rc = item_eval(a, &y, &tmp.v[i], out);
			break;
		}
		goto each;
	default:
		if (cross_op(x->op) && in->n > 1) {
			rc = cross(a, x, in, out);
			break;
		}
	each:
		for (i = 0; i < in->n && rc == 0; i++)
			rc = item_eval(a, x, &in->v[i], out);
		break;
	}
	free(tmp.v);
	return rc;
}

/* Commit the edits of every document; only their roots survive. */
static int
commit_all(struct actx *a, struct items *is)
{
	struct item *it;
	size_t i, k;
	int rc;

	for (i = 0; i < is->n; i++) {
		it = &is->v[i];
		if (a->docs[it->k]->nedits > 0 && it->v.kind != V_LIT &&
		    !is_root(a, it))
			return lc_yaml_expr_eval_not_whole();
	}
	for (i = 0; i < is->n; i++) {
		it = &is->v[i];
		if (it->v.kind == V_NODE && a->docs[it->k]->nedits > 0)
			it->v.node = 0;		/* the root, once rebuilt */
	}
	for (k = 0; k < a->ndocs; k++)
		if (a->docs[k]->nedits > 0 &&
		    (rc = lc_yaml_edit_commit(a->docs[k])) != 0)
			return rc;
	for (i = 0; i < is->n; i++) {
		it = &is->v[i];
		if (it->v.kind == V_NODE && it->v.node == 0)
			it->v.node = a->docs[it->k]->root;
	}
	return 0;
}

int
lc_yaml_expr_eval_all(const struct lc_yexpr *e, struct lc_ydoc **docs,
    const int *files, size_t ndocs, struct lc_yexpr_env *env,
    struct lc_buf *out, struct lc_yexpr_res **res, size_t *nres)
{
	struct actx a;
	struct items in = { NULL, 0, 0 }, next = { NULL, 0, 0 }, swap;
	struct item *it;
	struct val root;
	size_t s, i, nodes = 0, capres = 0, before;
	int rc = 0, allwhole = 1;
	char *printed;

	memset(&a, 0, sizeof(a));
	a.c.env = env;
	a.docs = docs;
	a.files = files;
	a.ndocs = ndocs;
	*res = NULL;
	*nres = 0;
	for (i = 0; i < ndocs; i++) {
		nodes += docs[i]->nnodes;
		root = vnode(docs[i]->root, 0);
		item_push(&in, i, &root);
	}
	a.c.maxsteps = MAX_STEPS + nodes * STEPS_PER_NODE;
	for (s = 0; s < e->nst && rc == 0; s++) {
		next.n = 0;
		rc = ceval(&a, e->st[s].x, &in, &next);
		if (rc == 0)
			rc = commit_all(&a, &next);
		swap = in;
		in = next;
		next = swap;
	}
	/* ".a = 1, .b = 2": each document once, as in eval. */
	for (i = 0; rc == 0 && i < in.n && allwhole; i++)
		allwhole = is_root(&a, &in.v[i]);
	printed = lc_buf_xmalloc(ndocs + 1);
	memset(printed, 0, ndocs + 1);
	for (i = 0; rc == 0 && i < in.n; i++) {
		it = &in.v[i];
		if (allwhole) {
			if (printed[it->k])
				continue;
			printed[it->k] = 1;
		}
		if (*nres == capres) {
			capres = capres ? capres * 2 : 8;
			*res = lc_buf_xrealloc(*res, capres * sizeof(**res));
		}
		before = out->len;
		use_doc(&a, it->k);
		(*res)[*nres].doc = it->k;
		(*res)[*nres].whole = is_root(&a, it);
		if (!(*res)[*nres].whole &&
		    (rc = lc_yaml_expr_eval_print_val(&a.c, &it->v, out)) != 0)
			break;
		(*res)[*nres].off = before;
		(*res)[*nres].len = out->len - before;
		(*nres)++;
		env->last_falsy = !is_root(&a,
		    it) && !lc_yaml_expr_value_truthy(&a.c, &it->v);
		env->nresults++;
	}
	free(printed);
	free(in.v);
	free(next.v);
	free(a.binds);
	lc_yaml_expr_eval_ctx_release(&a.c);
	return rc;
}
