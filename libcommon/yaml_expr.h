/* yaml_expr.h: the yq expressions CD pipelines use, evaluated on yaml_edit trees. */
#ifndef LC_YAML_EXPR_H
#define LC_YAML_EXPR_H

#include "buf.h"
#include "yaml_edit.h"
#include "yaml_out.h"

struct lc_yexpr;

/* A variable bound with --arg NAME VALUE: $NAME, always a string. */
struct lc_yexpr_var {
	const char *name;
	const char *value;
};

struct lc_yexpr_env {
	const struct lc_yexpr_var *vars;
	size_t nvars;
	int no_create;		/* a missing path is LC_ENOTFOUND */
	const struct lc_yaml_fmt *fmt;	/* how results print; NULL: YAML */
	int file_index;		/* fileIndex of the document (fileIndex, fi) */
	/* Out: */
	long matched;		/* nodes assigned, created or deleted */
	int last_falsy;		/* the last result printed was null or false */
	long nresults;		/* results printed */
	int split_doc;		/* split_doc ran: each result is a document */
	int want_ends;		/* in: fill ends (the caller frees it) */
	size_t *ends;		/* where each result printed ends in out */
	size_t nends, capends;	/* (the caller resets nends) */
};

/*
 * Compile src, with the --arg variables vars (also bound in jq stages).
 * Expressions outside the native subset are compiled with libjq, loaded
 * then. Returns 0, or LC_EUSAGE with "bad expression at column N: problem"
 * (or jq's message) as the message; LC_ERROR when libjq is needed but
 * cannot be loaded.
 */
int lc_yaml_expr_parse(struct lc_yexpr **out, const char *src,
    const struct lc_yexpr_var *vars, size_t nvars);
/* lc_yaml_expr_parse without the libjq fallback (for the fuzzer: jq compiles
 * take ~17 ms each). */
int lc_yaml_expr_parse_native(struct lc_yexpr **out, const char *src);

void lc_yaml_expr_free(struct lc_yexpr *e);

/* Whether e assigns or deletes anything (an edit, not a query). */
int lc_yaml_expr_edits(const struct lc_yexpr *e);

/*
 * Evaluate e on doc, applying its edits to doc. The results are appended
 * to out as text (scalars raw, collections as YAML; with env->fmt, as
 * lc_yaml_out_node/_lit write them); a result that is the whole document
 * sets *whole instead (the caller prints the document).
 * Returns 0 or an LC_E* code with the message set.
 */
int lc_yaml_expr_eval(const struct lc_yexpr *e, struct lc_ydoc *doc,
    struct lc_yexpr_env *env, struct lc_buf *out, int *whole);

/* One result of lc_yaml_expr_eval_all. */
struct lc_yexpr_res {
	size_t doc;		/* index into docs */
	int whole;		/* the whole document (the caller prints it) */
	size_t off, len;	/* else its text in out */
};

/*
 * Evaluate e once over docs[0..ndocs-1], the documents of all files in
 * order, as yq's eval-all: "[...]", ",", "as", ireduce and the binary
 * operators see every document at once; files[i] is docs[i]'s fileIndex.
 * Edits apply to the documents. The results go to *res (heap, the
 * caller frees it; *nres of them) with their text in out.
 * Returns 0 or an LC_E* code with the message set.
 */
int lc_yaml_expr_eval_all(const struct lc_yexpr *e, struct lc_ydoc **docs,
    const int *files, size_t ndocs, struct lc_yexpr_env *env,
    struct lc_buf *out, struct lc_yexpr_res **res, size_t *nres);

#endif
