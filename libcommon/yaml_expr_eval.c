/* yaml_expr_eval.c: the evaluator of one document, and its results. */
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
 * "E as $x ireduce (INIT; UPDATE)": UPDATE runs on INIT with each output
 * of E as $x in turn, on what the one before gave (its last output; none
 * gives null).
 */
static int
reduce(struct ctx *c, const struct xnode *x, const struct val *in,
    struct vals *out)
{
	struct vals xs = { NULL, 0, 0 };
	struct val acc;
	size_t i, n;
	int rc;

	if ((rc = lc_yaml_expr_eval_node(c, x->a, in, &xs)) == 0)
		rc = lc_yaml_expr_value_eval1(c, x->kids[0], in, &acc);
	for (i = 0; i < xs.n && rc == 0; i++) {
		lc_yaml_expr_op_bind_push(c, x->s, &xs.v[i]);
		rc = lc_yaml_expr_value_eval_pick(c, x->kids[1], &acc, 1, &acc,
		    &n);
		c->nbinds--;
	}
	if (rc == 0)
		push(out, &acc);
	free(xs.v);
	return rc;
}

/*
 * "and", "or": every output of the left side in turn, and when it does not
 * decide, every output of the right side (yq: "(true, false) or false" is
 * true, false).
 */
static int
bool_op(struct ctx *c, const struct xnode *x, const struct val *in,
    struct vals *out)
{
	struct vals as = { NULL, 0, 0 }, bs = { NULL, 0, 0 };
	struct val v;
	size_t i, j;
	int rc, t;

	if ((rc = lc_yaml_expr_eval_node(c, x->a, in, &as)) != 0)
		goto done;
	for (i = 0; i < as.n && rc == 0; i++) {
		t = lc_yaml_expr_value_truthy(c, &as.v[i]);
		if ((x->op == X_OR) == t) {
			v = vbool(c, t);
			push(out, &v);
			continue;
		}
		bs.n = 0;
		if ((rc = lc_yaml_expr_eval_node(c, x->b, in, &bs)) != 0)
			break;
		for (j = 0; j < bs.n; j++) {
			v = vbool(c, lc_yaml_expr_value_truthy(c, &bs.v[j]));
			push(out, &v);
		}
	}
done:
	free(as.v);
	free(bs.v);
	return rc;
}

int
lc_yaml_expr_eval_node(struct ctx *c, const struct xnode *x,
    const struct val *in,
    struct vals *out)
{
	struct vals tmp = { NULL, 0, 0 };
	struct val v, w;
	size_t i, n;
	int rc = 0, t = 0, lhs;
	uint32_t node;

	if (++c->depth > 200) {
		c->depth--;
		return lc_error_set(LC_EUSAGE, "expression nested too deeply");
	}
	if (++c->steps > c->maxsteps) {
		c->depth--;
		return lc_yaml_expr_value_too_much(c);
	}
	/* Only path steps pass an edit's "these are paths" on. */
	lhs = c->lhs;
	if (x->op != X_FIELD && x->op != X_INDEX && x->op != X_ITER &&
	    x->op != X_PIPE && x->op != X_RECURSE && x->op != X_IDENT)
		c->lhs = 0;
	switch (x->op) {
	case X_IDENT:
		push(out, in);
		break;
	case X_RECURSE:
		if (in->kind == V_NODE) {
			t = in->via;
			node = deref(c->doc, in->node, &t);
			lc_yaml_expr_value_recurse(c, node, t, 0, out);
		} else if (in->kind == V_LIT)
			lc_yaml_expr_value_recurse_lit(c, in->lit, 0, out);
		break;
	case X_FIELD:
	case X_INDEX:
	case X_ITER:
		if (x->a && (rc = lc_yaml_expr_eval_node(c, x->a, in,
		    &tmp)) != 0)
			break;
		if (x->a == NULL)
			push(&tmp, in);
		for (i = 0; i < tmp.n && rc == 0; i++) {
			if (x->op == X_FIELD)
				rc = lc_yaml_expr_value_field(c, &tmp.v[i],
				    x->s, x->n, out);
			else if (x->op == X_INDEX)
				rc = lc_yaml_expr_value_index(c, &tmp.v[i],
				    x->idx, out);
			else
				lc_yaml_expr_value_iterate(c, &tmp.v[i], out);
		}
		break;
	case X_PIPE:
		if ((rc = lc_yaml_expr_eval_node(c, x->a, in, &tmp)) != 0)
			break;
		for (i = 0; i < tmp.n && rc == 0; i++)
			rc = lc_yaml_expr_eval_node(c, x->b, &tmp.v[i], out);
		break;
	case X_ASSIGN:
	case X_UPDATE:
	case X_APPEND:
		rc = lc_yaml_expr_assign(c, x, in, out);
		break;
	case X_DEL:
		rc = lc_yaml_expr_assign_delete(c, x, in, out);
		break;
	case X_SELECT:
		c->lhs = 0;
		c->lenient++;
		rc = lc_yaml_expr_eval_node(c, x->a, in, &tmp);
		c->lenient--;
		if (rc != 0)
			break;
		for (i = 0; i < tmp.n; i++)
			if (lc_yaml_expr_value_truthy(c, &tmp.v[i])) {
				push(out, in);
				break;
			}
		break;
	case X_OR:
	case X_AND:
		rc = bool_op(c, x, in, out);
		break;
	case X_NOT:
		if (x->a) {
			if ((rc = lc_yaml_expr_value_truth(c, x->a, in,
			    &t)) != 0)
				break;
		} else
			t = lc_yaml_expr_value_truthy(c, in);
		v = vbool(c, !t);
		push(out, &v);
		break;
	case X_EQ:
	case X_NE: {
		/* Every pair of outputs, the right side's varying fastest. */
		struct vals l2 = { NULL, 0, 0 }, r2 = { NULL, 0, 0 };
		size_t j;

		if ((rc = lc_yaml_expr_eval_node(c, x->a, in, &l2)) == 0)
			rc = lc_yaml_expr_eval_node(c, x->b, in, &r2);
		for (i = 0; i < l2.n && rc == 0; i++)
			for (j = 0; j < r2.n; j++) {
				t = lc_yaml_expr_value_yq_equal(c, &l2.v[i],
				    &r2.v[j]);
				v = vbool(c, x->op == X_EQ ? t : !t);
				push(out, &v);
			}
		free(l2.v);
		free(r2.v);
		break;
	}
	case X_DOCINDEX: {
		char num[32];

		snprintf(num, sizeof(num), "%d", x->idx ? c->env->file_index :
		    c->doc->index);
		v = vlit(mklit(c, LC_YL_NUM, num, strlen(num)));
		push(out, &v);
		break;
	}
	case X_STRENV:
	case X_ENV:
		rc = lc_yaml_expr_call_env_lit(c, x, out);
		break;
	case X_ENVSUBST:
		rc = lc_yaml_expr_call_envsubst(c, x, in, out);
		break;
	case X_VAR:
		rc = lc_yaml_expr_op_variable(c, x, out);
		break;
	case X_LIT:
		v = vlit(&x->lit);
		push(out, &v);
		break;
	case X_ARRAY:
	case X_OBJECT:
		rc = lc_yaml_expr_op_collection(c, x, in, out);
		break;
	case X_UNION:
		if ((rc = lc_yaml_expr_eval_node(c, x->a, in, out)) == 0)
			rc = lc_yaml_expr_eval_node(c, x->b, in, out);
		break;
	case X_ALT:
		/* The truthy outputs of the left, else those of the right. */
		if ((rc = lc_yaml_expr_eval_node(c, x->a, in, &tmp)) != 0)
			break;
		for (i = n = 0; i < tmp.n; i++)
			if (lc_yaml_expr_value_truthy(c, &tmp.v[i])) {
				push(out, &tmp.v[i]);
				n++;
			}
		if (n == 0)
			rc = lc_yaml_expr_eval_node(c, x->b, in, out);
		break;
	case X_ADD:
	case X_SUB: {
		const struct lc_ylit *la, *lb, *r;

		if ((rc = lc_yaml_expr_value_eval1(c, x->a, in, &v)) != 0 ||
		    (rc = lc_yaml_expr_value_eval1(c, x->b, in, &w)) != 0 ||
		    (rc = lc_yaml_expr_value_val_lit(c, &v, &la)) != 0 ||
		    (rc = lc_yaml_expr_value_val_lit(c, &w, &lb)) != 0 ||
		    (rc = lc_yaml_expr_op_arith(c, x->op, la, lb, &r)) != 0)
			break;
		v = vlit(r);
		push(out, &v);
		break;
	}
	case X_LT:
	case X_LE:
	case X_GT:
	case X_GE:
		if ((rc = lc_yaml_expr_value_eval1(c, x->a, in, &v)) != 0 ||
		    (rc = lc_yaml_expr_value_eval1(c, x->b, in, &w)) != 0 ||
		    (rc = lc_yaml_expr_op_compare(c, x->op, &v, &w, &t)) != 0)
			break;
		v = vbool(c, t);
		push(out, &v);
		break;
	case X_SUBASSIGN:
	case X_MULASSIGN:
		rc = lc_yaml_expr_assign(c, x, in, out);
		break;
	case X_MUL:
		rc = lc_yaml_expr_op_multiply(c, x, in, out);
		break;
	case X_DIV:
	case X_MOD:
		rc = lc_yaml_expr_op_multiply(c, x, in, out);
		break;
	case X_TRY:
		/* "?": an error drops the outputs and is forgotten. */
		n = out->n;
		if ((rc = lc_yaml_expr_eval_node(c, x->a, in, out)) != 0) {
			out->n = n;
			lc_error_clear();
			rc = 0;
		}
		break;
	case X_SLICE:
		if (x->a && (rc = lc_yaml_expr_eval_node(c, x->a, in,
		    &tmp)) != 0)
			break;
		if (x->a == NULL)
			push(&tmp, in);
		for (i = 0; i < tmp.n && rc == 0; i++)
			rc = lc_yaml_expr_op_slice(c, x, &tmp.v[i], out);
		break;
	case X_RECURSE_ALL:
		if (in->kind == V_NODE) {
			t = in->via;
			node = deref(c->doc, in->node, &t);
			lc_yaml_expr_value_recurse(c, node, t, 1, out);
		} else if (in->kind == V_LIT)
			lc_yaml_expr_value_recurse_lit(c, in->lit, 1, out);
		break;
	case X_AS:
		if (x->idx) {
			rc = reduce(c, x, in, out);
			break;
		}
		if ((rc = lc_yaml_expr_eval_node(c, x->a, in, &tmp)) != 0)
			break;
		for (i = 0; i < tmp.n && rc == 0; i++) {
			lc_yaml_expr_op_bind_push(c, x->s, &tmp.v[i]);
			rc = lc_yaml_expr_eval_node(c, x->b, in, out);
			c->nbinds--;
		}
		break;
	case X_INTERP:
		rc = lc_yaml_expr_op_interpolate(c, x, in, out);
		break;
	case X_FUNC:
		rc = lc_yaml_expr_call(c, x, in, out);
		break;
	}
	free(tmp.v);
	c->lhs = lhs;
	c->depth--;
	return rc;
}

/*
 * Print a result the way yq does: scalars raw, collections as YAML, or
 * as env->fmt says (yaml_out.c).
 */
int
lc_yaml_expr_eval_print_val(struct ctx *c, const struct val *v,
    struct lc_buf *out)
{
	static const struct lc_ylit null = { LC_YL_NULL, "null", 4, NULL, 0 };
	const struct lc_yaml_fmt *f = c->env->fmt;

	if (f != NULL)
		return v->kind == V_NODE ? lc_yaml_out_node(out, f, c->doc,
		    v->node) : lc_yaml_out_lit(out, f, v->kind == V_MISS ?
		    &null : v->lit);
	if (v->kind == V_NODE)
		lc_yaml_edit_print(c->doc, v->node, out);
	else if (v->kind == V_MISS)
		lc_buf_adds(out, "null\n");
	else if (v->lit->kind == LC_YL_SEQ || v->lit->kind == LC_YL_MAP)
		lc_yaml_edit_emit(out, v->lit);
	else {
		lc_buf_add(out, v->lit->s, v->lit->n);
		lc_buf_addc(out, '\n');
	}
	return 0;
}

/* Record where a printed result ends (split_doc prints each apart). */
static void
add_end(struct lc_yexpr_env *env, size_t end)
{
	if (env->nends == env->capends) {
		env->capends = env->capends ? env->capends * 2 : 8;
		env->ends = lc_buf_xrealloc(env->ends, env->capends *
		    sizeof(*env->ends));
	}
	env->ends[env->nends++] = end;
}

/*
 * An edit below a result that is not its document's root: only the root
 * survives the rebuilt tree. yq would print just the edited part for
 * ".a[] | .b = 1", which is never what a pipeline wants; say how to write
 * the edit instead.
 */
int
lc_yaml_expr_eval_not_whole(void)
{
	return lc_error_set(LC_EUSAGE, "an edit must apply to the whole "
	    "document: write '(PATH | ...) = VALUE' or 'PATH |= ...' rather "
	    "than 'PATH | ... = VALUE'");
}

/* Free what an evaluation allocated. */
void
lc_yaml_expr_eval_ctx_release(struct ctx *c)
{
	struct chunk *ch;

	free(c->binds);
	while ((ch = c->mem) != NULL) {
		c->mem = ch->next;
		free(ch);
	}
}

int
lc_yaml_expr_eval(const struct lc_yexpr *e, struct lc_ydoc *doc,
    struct lc_yexpr_env *env, struct lc_buf *out, int *whole)
{
	struct ctx c;
	struct vals in = { NULL, 0, 0 }, res = { NULL, 0, 0 };
	struct val root;
	size_t s, i;
	int rc = 0;

	memset(&c, 0, sizeof(c));
	c.doc = doc;
	c.env = env;
	c.maxsteps = MAX_STEPS + (size_t)doc->nnodes * STEPS_PER_NODE;
	c.maxcopied = MAX_COPIED + (size_t)doc->nnodes * COPIES_PER_NODE;
	*whole = 0;
	root = vnode(doc->root, 0);
	push(&in, &root);
	for (s = 0; s < e->nst && rc == 0; s++) {
		res.n = 0;
		for (i = 0; i < in.n && rc == 0; i++)
			rc = lc_yaml_expr_eval_node(&c, e->st[s].x, &in.v[i],
			    &res);
		if (rc == 0 && doc->nedits > 0) {
			rc = lc_yaml_edit_commit(doc);
			/* Only the root survives a rebuilt tree. */
			for (i = 0; i < res.n && rc == 0; i++) {
				if (res.v[i].kind == V_NODE &&
				    res.v[i].node == root.node)
					res.v[i].node = doc->root;
				else if (res.v[i].kind != V_LIT)
					rc = lc_yaml_expr_eval_not_whole();
			}
			root.node = doc->root;
		}
		in.n = 0;
		for (i = 0; i < res.n; i++)
			push(&in, &res.v[i]);
	}
	/* ".a = 1, .b = 2" is the document twice: print it once, as yq. */
	for (i = 0; rc == 0 && i < in.n; i++)
		if (in.v[i].kind != V_NODE || in.v[i].node != doc->root)
			break;
	if (rc == 0 && in.n > 1 && i == in.n)
		in.n = 1;
	if (rc == 0) {
		for (i = 0; i < in.n; i++) {
			if (in.v[i].kind == V_NODE && in.v[i].node == doc->root &&
			    in.n == 1) {
				*whole = 1;
				env->last_falsy = 0;
			} else {
				if ((rc = lc_yaml_expr_eval_print_val(&c,
				    &in.v[i], out)) != 0)
					break;
				if (env->want_ends)
					add_end(env, out->len);
				env->last_falsy = !lc_yaml_expr_value_truthy(&c,
				    &in.v[i]);
			}
			env->nresults++;
		}
	}
	free(in.v);
	free(res.v);
	lc_yaml_expr_eval_ctx_release(&c);
	return rc;
}
