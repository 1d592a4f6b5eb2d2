/* yaml_edit.h: YAML edits that change only the bytes of the edited values. */
#ifndef LC_YAML_EDIT_H
#define LC_YAML_EDIT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "buf.h"

/*
 * A file is edited one document at a time: libyaml parses the stream, and
 * for each document a node tree is built that records where every node
 * sits in the bytes (libyaml counts characters; the tree holds bytes).
 * Edits are splices of the document's text; everything outside them is
 * copied as it was, so comments, blank lines, indentation, quoting, line
 * endings and a BOM survive byte for byte.
 */

enum lc_ynode_type {
	LC_YSCALAR = 1,
	LC_YSEQ,
	LC_YMAP,
	LC_YALIAS
};

/* Scalar styles, as libyaml numbers them. */
enum {
	LC_YPLAIN = 1, LC_YSINGLE, LC_YDOUBLE, LC_YLITERAL, LC_YFOLDED
};

/* A node of one document; offsets are bytes into the document's text. */
struct lc_ynode {
	unsigned char type;	/* enum lc_ynode_type */
	unsigned char style;	/* scalar style, or 1 block / 2 flow */
	unsigned char isval;	/* a value in a mapping (prev is its key) */
	uint32_t start;		/* first byte, anchor and tag included */
	uint32_t vstart;	/* first byte of the value itself */
	uint32_t end;		/* past the last byte (scalars: trimmed) */
	uint32_t cend;		/* past the last token inside */
	uint32_t parent, next, first, last, nkids;	/* 0: none */
	uint32_t prev;		/* the sibling before, 0: none */
	uint32_t val, vlen;	/* scalar value in the arena, or NOVAL */
	uint32_t anchor, alen;	/* anchor name in the arena; alen 0: none */
	uint32_t target;	/* alias: the anchored node */
};

#define LC_YNOVAL UINT32_MAX

struct lc_yedit {
	uint32_t start, end;	/* bytes of the document text replaced */
	char *text;		/* heap */
	size_t len;
	unsigned seq;		/* order of inserts at one place */
};

/* One document of a stream, with its tree and pending edits. */
struct lc_ydoc {
	const char *name;	/* file name for messages */
	const char *text;	/* the document's bytes */
	size_t len;
	struct lc_buf own;	/* text, once the document was edited */
	size_t base;		/* offset of the original text in the file */
	size_t line0;		/* line of the document's first byte, 0-based */
	int index;		/* documentIndex, from 0 */
	struct lc_ynode *nodes;	/* nodes[0] is unused */
	uint32_t nnodes, cap;
	uint32_t root;
	struct lc_buf arena;	/* decoded scalars and anchor names */
	struct lc_yedit *edits;
	size_t nedits, capedits;
	const char *eol;	/* "\n" or "\r\n", the file's */
	int step;		/* indentation step of nested mappings */
	int indentless;		/* block sequences sit at their key's column */
	int learned;		/* step and indentless are known */
	int changed;		/* an edit was committed */
};

/* A value to write: from an expression literal or a document scalar. */
enum lc_ylit_kind {
	LC_YL_NULL, LC_YL_BOOL, LC_YL_NUM, LC_YL_STR, LC_YL_SEQ, LC_YL_MAP
};

struct lc_ylit {
	enum lc_ylit_kind kind;
	const char *s;			/* scalar text (not NUL-terminated) */
	size_t n;
	const struct lc_ylit *kids;	/* SEQ items; MAP key, value, ... */
	size_t nkids;
};

/*
 * Called for each document of a stream; doc is valid during the call.
 * Return 0 to go on, or an LC_E* code to stop.
 */
typedef int (*lc_ydoc_fn)(struct lc_ydoc *doc, void *arg);

/*
 * The edited stream, as pieces to write in order: unchanged runs point
 * into the input, edited documents into buffers this struct owns. Nothing
 * is copied, so a large file costs its own size once.
 */
struct lc_yout {
	struct iovec *iov;
	size_t n, cap;
	struct iovec *docs;	/* each document's final text, by index */
	size_t ndocs, capdocs;
	char **owned;
	size_t nowned;
	int changed;		/* a document changed */
};

#define LC_YOUT_INIT { NULL, 0, 0, NULL, 0, 0, NULL, 0, 0 }

void lc_yaml_edit_out_release(struct lc_yout *out);
/* Append the whole edited stream to b. */
void lc_yaml_edit_out_join(const struct lc_yout *out, struct lc_buf *b);

/*
 * Parse data (len bytes, the contents of file name) and call fn for each
 * document; a stream with no document gets one empty document. When out
 * is not NULL, it receives the stream with the edits of every document;
 * it must stay alive no longer than data. Returns 0, the code fn returned,
 * or LC_EDATA for malformed YAML with the message "'name': line:col:
 * problem" (and the place recorded for CI annotations).
 */
int lc_yaml_edit_stream(const char *name, const char *data, size_t len,
    lc_ydoc_fn fn, void *arg, struct lc_yout *out);

/*
 * Every document of a stream at once, for an expression that sees them
 * all (yq's eval-all). data must outlive s.
 */
struct lc_ystream {
	const char *data;
	size_t len;
	struct lc_ydoc *docs;	/* in order; docs[i].index is i */
	size_t *lens;		/* each document's length as read */
	size_t ndocs, cap;
};

/* Parse data (the contents of file name) into s, as lc_yaml_edit_stream. */
int lc_yaml_edit_stream_load(struct lc_ystream *s, const char *name,
    const char *data, size_t len);
/* out receives the stream with the edits of every document (data's
 * bytes elsewhere); a document's own edited text moves into out. */
void lc_yaml_edit_stream_out(struct lc_ystream *s, struct lc_yout *out);
void lc_yaml_edit_stream_release(struct lc_ystream *s);

/* The node for index i. */
#define LC_YN(doc, i) (&(doc)->nodes[(i)])

/* A scalar's decoded value (borrowed; length in *len). */
const char *lc_yaml_edit_node_value(const struct lc_ydoc *doc, uint32_t n,
    size_t *len);

/* Whether scalar n reads as null (empty, ~, null). */
int lc_yaml_edit_node_is_null(const struct lc_ydoc *doc, uint32_t n);

/* The resolved kind of scalar n: LC_YL_NULL, _BOOL, _NUM or _STR. */
enum lc_ylit_kind lc_yaml_edit_node_kind(const struct lc_ydoc *doc, uint32_t n);

/*
 * Look key up in mapping map. Returns the value node, or 0. When the key
 * comes from a merge (<<: *x), *merged is set to 1.
 */
uint32_t lc_yaml_edit_map_get(const struct lc_ydoc *doc, uint32_t map,
    const char *key, size_t keylen, int *merged);

/* The key node of value node v in its mapping, or 0. */
uint32_t lc_yaml_edit_node_key(const struct lc_ydoc *doc, uint32_t v);

/*
 * Edits. Each records a splice; lc_yaml_edit_commit() applies them all, checks
 * that the result parses as one document, and rebuilds the tree. They
 * return 0 or an LC_E* code with the message set.
 */
int lc_yaml_edit_set(struct lc_ydoc *doc, uint32_t n, const struct lc_ylit *v);
/* Create keys[0].keys[1]... (nkeys >= 1) under n, a mapping or a null. */
int lc_yaml_edit_create(struct lc_ydoc *doc, uint32_t n,
    const struct lc_ylit *keys, size_t nkeys, const struct lc_ylit *v);
/* Append the items of v (a SEQ) or v itself to sequence n. */
int lc_yaml_edit_append(struct lc_ydoc *doc, uint32_t n,
    const struct lc_ylit *v);
/* Remove n (a mapping value with its key, or a sequence item). */
int lc_yaml_edit_delete(struct lc_ydoc *doc, uint32_t n);
int lc_yaml_edit_commit(struct lc_ydoc *doc);

/*
 * Append node n to out for printing: scalars as their value, collections
 * as their YAML text with the indentation of their first line removed.
 * A newline follows.
 */
void lc_yaml_edit_print(const struct lc_ydoc *doc, uint32_t n,
    struct lc_buf *out);

/* The line and column (1-based) of byte off of the document, for messages. */
void lc_yaml_edit_where(const struct lc_ydoc *doc, size_t off, long *line,
    long *col);

/*
 * Format a scalar for a place whose old style was style (0: none) into
 * out: plain when it reads back as the same value, else quoted (the old
 * quote style when it fits). flow: inside a flow collection. indent: the
 * column for block scalar lines.
 */
void lc_yaml_edit_format_scalar(struct lc_buf *out, const struct lc_ylit *v,
    int style, int flow, int indent, const char *eol);

/* Write v as a YAML document body (block style, 2-space indent, "\n"). */
void lc_yaml_edit_emit(struct lc_buf *out, const struct lc_ylit *v);

/*
 * The offset of the first byte of s that is not part of well-formed
 * UTF-8 (overlong forms, surrogates and code points past U+10FFFF
 * included), or n when all of s is.
 */
size_t lc_yaml_edit_utf8_check(const char *s, size_t n);

/* The kind a plain scalar's text resolves to. */
enum lc_ylit_kind lc_yaml_edit_resolve(const char *s, size_t n);

#endif
