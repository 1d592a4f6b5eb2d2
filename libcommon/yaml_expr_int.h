/* yaml_expr_int.h: what the parts of yaml_expr share, private. */
#ifndef LC_YAML_EXPR_INT_H
#define LC_YAML_EXPR_INT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "yaml_edit.h"
#include "yaml_expr.h"

enum xop {
	X_IDENT, X_RECURSE, X_FIELD, X_INDEX, X_ITER, X_PIPE, X_ASSIGN,
	X_UPDATE, X_APPEND, X_OR, X_AND, X_EQ, X_NE, X_NOT, X_SELECT, X_DEL,
	X_DOCINDEX, X_STRENV, X_ENV, X_VAR, X_LIT, X_ARRAY, X_OBJECT,
	X_UNION, X_ALT, X_ADD, X_SUB, X_LT, X_LE, X_GT, X_GE, X_SUBASSIGN,
	X_TRY, X_SLICE, X_RECURSE_ALL, X_AS, X_INTERP, X_FUNC,
	X_MUL, X_MULASSIGN,	/* x->idx: the LC_YFN_M* merge flags */
	X_ENVSUBST,	/* x->idx: LC_YENV_* flags */
	X_DIV, X_MOD
};

/*
 * The functions of yq evaluated natively, by name and number of
 * arguments (X_FUNC: x->s the name, x->kids the arguments).
 */
enum xfunc {
	F_HAS, F_KEYS, F_LENGTH, F_KEY, F_KIND, F_TAG, F_LINE, F_COLUMN,
	F_PATH, F_PARENT, F_WITH, F_MAP, F_MAPVALUES, F_WITHENTRIES,
	F_SORTBY, F_GROUPBY, F_UNIQUEBY, F_ANY, F_ALL, F_ANYC, F_ALLC,
	F_FIRSTC, F_SORTKEYS, F_SPLIT_DOC,
	F_YFN		/* a value function of yaml_func.c */
};

struct xnode {
	enum xop op;
	int col;
	struct xnode *a, *b;
	char *s;		/* key, name or string literal (heap) */
	size_t n;
	long idx;
	long end;		/* X_SLICE: [idx:end] */
	int given;		/* X_SLICE: 1 idx given, 2 end given */
	struct lc_ylit lit;	/* X_LIT */
	struct xnode **kids;	/* X_ARRAY items; X_OBJECT key, value, ... */
	size_t nkids;
	int h;			/* height of the tree below, this node included */
};

/*
 * Parsing, evaluation and freeing recurse on the tree: its height and
 * the nesting of brackets and assignments are bounded (a command line of
 * 100,000 "(" would otherwise overflow the stack).
 */
#define MAX_HEIGHT	200
#define MAX_NEST	256

/* The top-level pipe, cut into stages: edits are committed between them. */
struct stage {
	struct xnode *x;
};

struct lc_yexpr {
	struct stage *st;
	size_t nst;
	int edits;
};

struct parser {
	const char *src, *p;
	int err;
	int nest;		/* open brackets and assignments */
};

enum vkind { V_NODE, V_MISS, V_LIT, V_DUP };

/* How a node was reached. */
#define VIA_ALIAS	1	/* through an alias: do not edit */
#define VIA_MERGE	2	/* its last step came from a <<: merge */

struct val {
	enum vkind kind;
	int via;
	uint32_t node;		/* V_NODE; V_MISS: the deepest existing node */
	uint32_t mergemap;	/* VIA_MERGE: the mapping that merges it */
	/*
	 * V_MISS: the steps still to create below node: a STR is a key, a
	 * NUM an index (past the end of a sequence, or in a new one).
	 */
	const struct lc_ylit *keys;
	size_t nkeys;
	const struct lc_ylit *lit;	/* V_LIT */
};

struct vals {
	struct val *v;
	size_t n, cap;
};

struct bind {
	const char *name;
	struct val v;
};

/* A bump allocator for everything one document's evaluation makes. */
struct chunk {
	struct chunk *next;
	size_t used, cap;
	max_align_t data[];
};

/* Copying nodes into values ('.a = .', map, sort_keys) is bounded: it can
 * double a document per '|' stage. The bound grows with the document. */
#define MAX_COPIED	50000
#define COPIES_PER_NODE	8

/*
 * Aliases are bounded the way go-yaml v3 bounds them ("excessive
 * aliasing"): it lets up to 99% of what it decodes come from alias
 * expansion in documents of up to 400,000 decoded nodes, and scales down
 * to 10% at 4,000,000. Here the nodes one copy of a value takes through
 * aliases may number 99 per node of
 * the document, at least
 * ALIAS_MIN (no real file comes near: a 10-line "billion laughs" does)
 * and at most ALIAS_MAX (~100 MB of copies at worst).
 */
#define ALIAS_MIN	10000
#define ALIAS_MAX	400000
#define ALIAS_RATIO	99

/* Values deeper than this are refused (a document nests at most 256). */
#define MAX_COPY_DEPTH	512

/*
 * Work per document: lc_yaml_expr_eval_node() calls and the values ".."
 * and "[]" make.
 * Nested "|=" and ".." multiply (".. | .. | .." is cubic on a deep
 * document), so a short expression could otherwise run for hours and take
 * all memory (each step can hold a value of ~50 bytes). Real pipelines
 * use a few steps per node of the document.
 */
#define MAX_STEPS	1000000
#define STEPS_PER_NODE	16

struct ctx {
	struct lc_ydoc *doc;
	struct lc_yexpr_env *env;
	struct chunk *mem;
	int depth;
	size_t copied;
	size_t maxcopied;	/* the bound of copied */
	size_t aliased;		/* nodes the current copy took through aliases */
	size_t steps, maxsteps;	/* work done, and the bound */
	uint32_t outer;		/* the outermost alias being copied */
	int rc;			/* why lc_yaml_expr_value_to_lit() returned NULL */
	int lhs;		/* evaluating the paths an edit changes */
	int lenient;		/* inside select(): a key of a sequence is
				 * nothing rather than an error */
	struct bind *binds;	/* "as $x" variables, innermost last */
	size_t nbinds, capbinds;
	const struct lc_ylit *envmap;	/* $ENV, made when first used */
};

/*
 * Small helpers every part uses, static in each as they were in one file:
 * the compiler inlines them where it did before ("inline" would make it
 * inline every call, 30% more code for no speed). unused: a part that
 * needs none of them.
 */

static __attribute__((unused)) int
is_coll(const struct lc_ylit *l)
{
	return l->kind == LC_YL_SEQ || l->kind == LC_YL_MAP;
}

static __attribute__((unused)) void *
alloc(struct ctx *c, size_t n)
{
	struct chunk *ch = c->mem;
	size_t cap;

	n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) *
	    sizeof(max_align_t);
	if (ch == NULL || ch->cap - ch->used < n) {
		cap = n > 65536 ? n : 65536;
		ch = lc_buf_xmalloc(sizeof(*ch) + cap);
		ch->next = c->mem;
		ch->used = 0;
		ch->cap = cap;
		c->mem = ch;
	}
	ch->used += n;
	return (char *)ch->data + ch->used - n;
}

static __attribute__((unused)) void
push(struct vals *vs, const struct val *v)
{
	if (vs->n == vs->cap) {
		vs->cap = vs->cap ? vs->cap * 2 : 8;
		vs->v = lc_buf_xrealloc(vs->v, vs->cap * sizeof(*vs->v));
	}
	vs->v[vs->n++] = *v;
}

static __attribute__((unused)) struct val
vnode(uint32_t n, int via)
{
	struct val v;

	memset(&v, 0, sizeof(v));
	v.kind = V_NODE;
	v.node = n;
	v.via = via;
	return v;
}

static __attribute__((unused)) struct lc_ylit *
mklit(struct ctx *c, enum lc_ylit_kind kind, const char *s, size_t n)
{
	struct lc_ylit *l = alloc(c, sizeof(*l));
	char *p = alloc(c, n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	memset(l, 0, sizeof(*l));
	l->kind = kind;
	l->s = p;
	l->n = n;
	return l;
}

static __attribute__((unused)) struct val
vlit(const struct lc_ylit *l)
{
	struct val v;

	memset(&v, 0, sizeof(v));
	v.kind = V_LIT;
	v.lit = l;
	return v;
}

static __attribute__((unused)) struct val
vbool(struct ctx *c, int b)
{
	return vlit(mklit(c, LC_YL_BOOL, b ? "true" : "false", b ? 4 : 5));
}

static __attribute__((unused)) uint32_t
deref(struct lc_ydoc *doc, uint32_t n, int *via)
{
	if (n && doc->nodes[n].type == LC_YALIAS) {
		*via |= VIA_ALIAS;
		return doc->nodes[n].target;
	}
	return n;
}

/* yaml_expr_lex.c */
int lc_yaml_expr_lex_perr(struct parser *ps, const char *at, const char *fmt,
    const char *tok);
struct xnode *lc_yaml_expr_lex_xnew(struct parser *ps, enum xop op,
    const char *at);
void lc_yaml_expr_lex_xfree(struct xnode *x);
struct xnode *lc_yaml_expr_lex_height(struct parser *ps, struct xnode *x);
void lc_yaml_expr_lex_skip_ws(struct parser *ps);
int lc_yaml_expr_lex_is_ident_start(int c);
int lc_yaml_expr_lex_word(struct parser *ps, const char *w);
int lc_yaml_expr_lex_punct(struct parser *ps, const char *w);
int lc_yaml_expr_lex_string_interp(struct parser *ps, char **s, size_t *n,
    struct xnode *interp);
int lc_yaml_expr_lex_string_lit(struct parser *ps, char **s, size_t *n);
char *lc_yaml_expr_lex_ident(struct parser *ps, size_t *n, int dashes);

/* yaml_expr_grammar.c */
void lc_yaml_expr_grammar_add_kid(struct xnode *x, struct xnode *k);
struct xnode *lc_yaml_expr_grammar_union(struct parser *ps);

/* yaml_expr_value.c */
void lc_yaml_expr_value_val_path(struct lc_ydoc *doc, const struct val *v,
    struct lc_buf *b);
const struct lc_ylit *lc_yaml_expr_value_lit_get(const struct lc_ylit *l,
    const char *key, size_t n);
int lc_yaml_expr_value_field(struct ctx *c, const struct val *in,
    const char *key, size_t n, struct vals *out);
int lc_yaml_expr_value_index(struct ctx *c, const struct val *in, long idx,
    struct vals *out);
void lc_yaml_expr_value_iterate(struct ctx *c, const struct val *in,
    struct vals *out);
int lc_yaml_expr_value_too_much(struct ctx *c);
void lc_yaml_expr_value_recurse(struct ctx *c, uint32_t n, int via, int keys,
    struct vals *out);
void lc_yaml_expr_value_recurse_lit(struct ctx *c, const struct lc_ylit *l,
    int keys, struct vals *out);
int lc_yaml_expr_value_truthy(struct ctx *c, const struct val *v);
int lc_yaml_expr_value_scalar_of(struct ctx *c, const struct val *v,
    enum lc_ylit_kind *k, const char **s, size_t *n);
int lc_yaml_expr_value_equal(struct ctx *c, const struct val *a,
    const struct val *b);
int lc_yaml_expr_value_yq_equal(struct ctx *c, const struct val *a,
    const struct val *b);
int lc_yaml_expr_value_eval_pick(struct ctx *c, const struct xnode *x,
    const struct val *in, int last, struct val *v, size_t *n);
int lc_yaml_expr_value_eval1(struct ctx *c, const struct xnode *x,
    const struct val *in, struct val *v);
int lc_yaml_expr_value_truth(struct ctx *c, const struct xnode *x,
    const struct val *in, int *t);
const struct lc_ylit *lc_yaml_expr_value_to_lit(struct ctx *c, uint32_t n,
    int depth);
int lc_yaml_expr_value_val_lit(struct ctx *c, const struct val *v,
    const struct lc_ylit **out);

/* yaml_expr_assign.c */
int lc_yaml_expr_assign_refuse_alias(struct ctx *c, const struct val *t);
int lc_yaml_expr_assign(struct ctx *c, const struct xnode *x,
    const struct val *in, struct vals *out);
int lc_yaml_expr_assign_delete(struct ctx *c, const struct xnode *x,
    const struct val *in, struct vals *out);

/* yaml_expr_op.c */
int lc_yaml_expr_op_collection(struct ctx *c, const struct xnode *x,
    const struct val *in, struct vals *out);
struct lc_ylit *lc_yaml_expr_op_num_lit(struct ctx *c, double d);
int lc_yaml_expr_op_lit_equal(const struct lc_ylit *a, const struct lc_ylit *b);
const char *lc_yaml_expr_op_kind_name(enum lc_ylit_kind k);
int lc_yaml_expr_op_arith(struct ctx *c, enum xop op, const struct lc_ylit *a,
    const struct lc_ylit *b, const struct lc_ylit **out);
int lc_yaml_expr_op_compare(struct ctx *c, enum xop op, const struct val *a,
    const struct val *b, int *t);
int lc_yaml_expr_op_multiply(struct ctx *c, const struct xnode *x,
    const struct val *in, struct vals *out);
int lc_yaml_expr_op_slice(struct ctx *c, const struct xnode *x,
    const struct val *in, struct vals *out);
void lc_yaml_expr_op_bind_push(struct ctx *c, const char *name,
    const struct val *v);
int lc_yaml_expr_op_variable(struct ctx *c, const struct xnode *x,
    struct vals *out);
int lc_yaml_expr_op_interpolate(struct ctx *c, const struct xnode *x,
    const struct val *in, struct vals *out);

/* yaml_expr_call.c */
int lc_yaml_expr_call_env_lit(struct ctx *c, const struct xnode *x,
    struct vals *out);
int lc_yaml_expr_call_envsubst(struct ctx *c, const struct xnode *x,
    const struct val *in, struct vals *out);
void *lc_yaml_expr_call_yfn_alloc(void *arg, size_t n);
int lc_yaml_expr_call(struct ctx *c, const struct xnode *x,
    const struct val *in, struct vals *out);

/* yaml_expr_eval.c */
int lc_yaml_expr_eval_node(struct ctx *c, const struct xnode *x,
    const struct val *in, struct vals *out);
int lc_yaml_expr_eval_print_val(struct ctx *c, const struct val *v,
    struct lc_buf *out);
int lc_yaml_expr_eval_not_whole(void);
void lc_yaml_expr_eval_ctx_release(struct ctx *c);

#endif
