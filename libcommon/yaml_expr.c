/* yaml_expr.c: compiling an expression into stages, the public entry points. */
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

static int
has_edit(const struct xnode *x)
{
	size_t i;

	if (x == NULL)
		return 0;
	if (x->op == X_MULASSIGN)
		return 1;
	if (x->op == X_ASSIGN || x->op == X_UPDATE || x->op == X_APPEND ||
	    x->op == X_SUBASSIGN || x->op == X_DEL ||
	    (x->op == X_FUNC && x->idx == F_SORTKEYS))
		return 1;
	for (i = 0; i < x->nkids; i++)
		if (has_edit(x->kids[i]))
			return 1;
	return has_edit(x->a) || has_edit(x->b);
}

static void
add_stage(struct lc_yexpr *e, struct xnode *x)
{
	e->st = lc_buf_xrealloc(e->st, (e->nst + 1) * sizeof(*e->st));
	e->st[e->nst++].x = x;
}

/* Cut the top-level pipe of x into stages (the PIPE shells are freed). */
static void
flatten(struct lc_yexpr *e, struct xnode *x)
{
	if (x->op != X_PIPE) {
		add_stage(e, x);
		return;
	}
	flatten(e, x->a);
	flatten(e, x->b);
	x->a = x->b = NULL;
	lc_yaml_expr_lex_xfree(x);
}

static int
parse_native(struct xnode **out, const char *src)
{
	struct parser ps = { src, src, 0, 0 };
	struct xnode *x;

	*out = NULL;
	lc_yaml_expr_lex_skip_ws(&ps);
	if (*ps.p == '\0')
		return lc_error_set(LC_EUSAGE, "empty expression (use '.' for "
		    "the whole document)");
	x = lc_yaml_expr_grammar_union(&ps);
	if (x == NULL)
		return ps.err ? ps.err : LC_EUSAGE;
	lc_yaml_expr_lex_skip_ws(&ps);
	if (*ps.p != '\0') {
		lc_yaml_expr_lex_xfree(x);
		return lc_yaml_expr_lex_perr(&ps, ps.p, "unexpected '%.1s'",
		    ps.p);
	}
	*out = x;
	return 0;
}

int
lc_yaml_expr_parse_native(struct lc_yexpr **out, const char *src)
{
	struct xnode *x;
	int rc;

	*out = NULL;
	if ((rc = parse_native(&x, src)) != 0)
		return rc;
	*out = lc_buf_xmalloc(sizeof(**out));
	memset(*out, 0, sizeof(**out));
	(*out)->edits = has_edit(x);
	flatten(*out, x);
	return 0;
}

int
lc_yaml_expr_parse(struct lc_yexpr **out, const char *src,
    const struct lc_yexpr_var *vars, size_t nvars)
{
	(void)vars;
	(void)nvars;
	return lc_yaml_expr_parse_native(out, src);
}

void
lc_yaml_expr_free(struct lc_yexpr *e)
{
	size_t i;

	if (e == NULL)
		return;
	for (i = 0; i < e->nst; i++)
		lc_yaml_expr_lex_xfree(e->st[i].x);
	free(e->st);
	free(e);
}

int
lc_yaml_expr_edits(const struct lc_yexpr *e)
{
	return e->edits;
}
