/* yaml_out.h: yq's output formats (YAML, JSON, properties) for query results. */
#ifndef LC_YAML_OUT_H
#define LC_YAML_OUT_H

#include "buf.h"
#include "yaml_edit.h"

enum lc_yaml_outfmt {
	LC_YOUT_YAML = 0,	/* yq -o yaml */
	LC_YOUT_JSON,		/* yq -o json */
	LC_YOUT_PROPS		/* yq -o props */
};

/* How results are written (yq's -o, -I, -r and -P). */
struct lc_yaml_fmt {
	int format;		/* enum lc_yaml_outfmt */
	int indent;		/* spaces a level; JSON 0: one line, YAML 0: 2 */
	int unwrap;		/* a scalar result raw, not as YAML/JSON text */
	int pretty;		/* YAML: re-emit collections in yq's block style */
	int nul;		/* end each result with NUL, not a newline */
};

/*
 * Append node n of doc (an alias is followed; 0 reads as null) to out as
 * f says, ending with a newline (props of an empty collection: nothing).
 * YAML collections keep their text unless f->pretty. Aliases and merge
 * keys (<<) are resolved for JSON, props and pretty YAML, merges as the
 * YAML spec says (yq's --yaml-fix-merge-anchor-to-spec): a key of the
 * mapping itself wins, then the first merged mapping that has it.
 * Returns 0, or LC_EDATA with the message set for what JSON cannot hold
 * (.inf, .nan, a tagged number that is not one, a hex integer past 64
 * bits), for aliases that add more than 99 nodes per node of the
 * document (at least 10,000, at most 400,000: "excessive aliasing"), for
 * nesting past 512 levels, and with f->nul for a result that holds a NUL
 * byte; out may then hold part of the result.
 */
int lc_yaml_out_node(struct lc_buf *out, const struct lc_yaml_fmt *f,
    const struct lc_ydoc *doc, uint32_t n);

/* The same for a value (numbers are written as JSON numbers). */
int lc_yaml_out_lit(struct lc_buf *out, const struct lc_yaml_fmt *f,
    const struct lc_ylit *v);

#endif
