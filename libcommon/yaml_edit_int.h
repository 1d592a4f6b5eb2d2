/* yaml_edit_int.h: what the parts of yaml_edit share, private. */
#ifndef LC_YAML_EDIT_INT_H
#define LC_YAML_EDIT_INT_H

#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

#include "buf.h"
#include "yaml_edit.h"

/*
 * libyaml's yaml_mark_t.index counts characters, not bytes, and does not
 * count a leading BOM. Marks arrive almost in order, so a cursor moves
 * between them; it jumps over runs of ASCII (where a character is a
 * byte) and walks only the multi-byte characters.
 */
struct conv {
	const unsigned char *p;
	size_t len;
	size_t ci, bi;		/* cursor: character index, byte offset */
	size_t nx;		/* the first byte >= 0x80 at or after bi */
	size_t bom;
};

struct parse {
	struct lc_ydoc *doc;
	yaml_parser_t *parser;
	struct conv *conv;
	const char *buf;	/* what the parser reads */
	size_t base;		/* offset of the document in buf */
	uint32_t stack[256];
	size_t depth;
	uint32_t lastend;	/* end of the last token seen, doc-relative */
	uint32_t *anchored;
	size_t nanchored, capanchored;
};

/*
 * Small helpers every part uses, static in each as they were in one file:
 * the compiler inlines them where it did before ("inline" would make it
 * inline every call, 30% more code for no speed). unused: a part that
 * needs none of them.
 */

static __attribute__((unused)) int
blank_or_break(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static __attribute__((unused)) size_t
line_start(const char *t, size_t p)
{
	while (p > 0 && t[p - 1] != '\n')
		p--;
	return p;
}

/* yaml_edit.c */
void lc_yaml_edit_conv_init(struct conv *c, const char *p, size_t len);
uint32_t lc_yaml_edit_prop_end(const char *t, uint32_t p, uint32_t end);
int lc_yaml_edit_parse_nodes(struct parse *ps, yaml_event_t *docend,
    const char *name);
void lc_yaml_edit_doc_reset_tree(struct lc_ydoc *doc);
size_t lc_yaml_edit_count_lines(const char *p, size_t n);

/* yaml_edit_node.c */
uint32_t lc_yaml_edit_node_deref(const struct lc_ydoc *doc, uint32_t n);

/* yaml_edit_scalar.c */
void lc_yaml_edit_scalar_add_spaces(struct lc_buf *out, int n);

#endif
