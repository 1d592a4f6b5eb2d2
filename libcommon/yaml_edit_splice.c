/* yaml_edit_splice.c: the edits (set, create, append, delete), their commit. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "error.h"
#include "yaml_edit.h"
#include "yaml_edit_int.h"

static int
col_of(const struct lc_ydoc *doc, size_t p)
{
	return (int)(p - line_start(doc->text, p));
}

static size_t
after_line_end(const struct lc_ydoc *doc, size_t p)
{
	const char *nl = p < doc->len ?
	    memchr(doc->text + p, '\n', doc->len - p) : NULL;

	return nl ? (size_t)(nl - doc->text) + 1 : doc->len;
}

/* Whether only blanks stand between the start of p's line and p. */
static int
first_on_line(const struct lc_ydoc *doc, size_t p)
{
	size_t ls = line_start(doc->text, p);

	while (ls < p && doc->text[ls] == ' ')
		ls++;
	return ls == p;
}

/* The '-' that introduces sequence item n. */
static size_t
dash_of(const struct lc_ydoc *doc, uint32_t n)
{
	size_t p = doc->nodes[n].start;

	while (p > 0 && doc->text[p - 1] != '-')
		p--;
	return p > 0 ? p - 1 : 0;
}

static int
in_flow(const struct lc_ydoc *doc, uint32_t n)
{
	uint32_t p = doc->nodes[n].parent;

	return p && doc->nodes[p].style == 2 && doc->nodes[p].type != LC_YSCALAR;
}

/* Learn the document's indentation step and sequence style. */
static void
learn_layout(struct lc_ydoc *doc)
{
	uint32_t i, p, k;
	int learned_step = 0, learned_seq = 0, d;

	if (doc->learned)
		return;
	doc->learned = 1;
	doc->step = 2;
	doc->indentless = 0;
	for (i = 1; i < doc->nnodes && !(learned_step && learned_seq); i++) {
		p = doc->nodes[i].parent;
		if (!p || doc->nodes[p].type != LC_YMAP ||
		    doc->nodes[p].style != 1 || doc->nodes[i].style != 1 ||
		    (k = lc_yaml_edit_node_key(doc, i)) == 0 ||
		    !first_on_line(doc, doc->nodes[i].vstart))
			continue;
		if (doc->nodes[i].type == LC_YMAP && !learned_step) {
			d = col_of(doc, doc->nodes[i].vstart) -
			    col_of(doc, doc->nodes[k].start);
			if (d > 0) {
				doc->step = d;
				learned_step = 1;
			}
		} else if (doc->nodes[i].type == LC_YSEQ && !learned_seq) {
			doc->indentless = col_of(doc, doc->nodes[i].vstart) ==
			    col_of(doc, doc->nodes[k].start);
			learned_seq = 1;
		}
	}
}

static void
add_edit(struct lc_ydoc *doc, size_t start, size_t end, struct lc_buf *text)
{
	struct lc_yedit *e;

	if (doc->nedits == doc->capedits) {
		doc->capedits = doc->capedits ? doc->capedits * 2 : 8;
		doc->edits = lc_buf_xrealloc(doc->edits,
		    doc->capedits * sizeof(*doc->edits));
	}
	e = &doc->edits[doc->nedits];
	e->start = (uint32_t)start;
	e->end = (uint32_t)end;
	e->len = text->len;
	e->text = lc_buf_detach(text);
	e->seq = (unsigned)doc->nedits++;
}

/* Insert lines (each ending in eol) at p, the start of a line or EOF. */
static void
insert_lines(struct lc_ydoc *doc, size_t p, struct lc_buf *lines)
{
	struct lc_buf t = LC_BUF_INIT;
	size_t el = strlen(doc->eol);

	if (p == doc->len && p > 0 && doc->text[p - 1] != '\n') {
		/* No final newline: keep it that way. */
		lc_buf_adds(&t, doc->eol);
		lc_buf_add(&t, lines->data, lines->len - el);
		lc_buf_release(lines);
		add_edit(doc, p, p, &t);
	} else
		add_edit(doc, p, p, lines);
}

static void emit_value(struct lc_ydoc *, struct lc_buf *,
    const struct lc_ylit *, int, int);

static int
lit_empty(const struct lc_ylit *v)
{
	return (v->kind == LC_YL_SEQ || v->kind == LC_YL_MAP) && v->nkids == 0;
}

static int
lit_coll(const struct lc_ylit *v)
{
	return v->kind == LC_YL_SEQ || v->kind == LC_YL_MAP;
}

static void
emit_flow(struct lc_buf *out, const struct lc_ylit *v, const char *eol)
{
	size_t i;

	if (!lit_coll(v)) {
		lc_yaml_edit_format_scalar(out, v, 0, 1, 0, eol);
		return;
	}
	lc_buf_addc(out, v->kind == LC_YL_SEQ ? '[' : '{');
	for (i = 0; i < v->nkids; i++) {
		if (i > 0)
			lc_buf_adds(out, v->kind == LC_YL_MAP && i % 2 ?
			    ": " : ", ");
		emit_flow(out, &v->kids[i], eol);
	}
	lc_buf_addc(out, v->kind == LC_YL_SEQ ? ']' : '}');
}

/* "key: value" lines at indent; the first line's indentation is skipped
 * when inline is set (it follows "- "). Ends in eol. */
static void
emit_pair(struct lc_ydoc *doc, struct lc_buf *out, const struct lc_ylit *k,
    const struct lc_ylit *v, int indent, int inline_)
{
	if (!inline_)
		lc_yaml_edit_scalar_add_spaces(out, indent);
	if (lit_coll(k))
		emit_flow(out, k, doc->eol);
	else
		lc_yaml_edit_format_scalar(out, k, 0, 0, 0, doc->eol);
	lc_buf_addc(out, ':');
	emit_value(doc, out, v, indent, 0);
}

/* The pairs of non-empty mapping v at indent, the first one inline (after
 * "- ") when inline_ is set. Ends in eol. */
static void
emit_pairs(struct lc_ydoc *doc, struct lc_buf *out, const struct lc_ylit *v,
    int indent, int inline_)
{
	size_t j;

	for (j = 0; j + 1 < v->nkids; j += 2)
		emit_pair(doc, out, &v->kids[j], &v->kids[j + 1], indent,
		    inline_ && j == 0);
}

/* Sequence items "- x" with the dash at col; ends in eol. */
static void
emit_items(struct lc_ydoc *doc, struct lc_buf *out, const struct lc_ylit *v,
    size_t nv, int col, int style)
{
	size_t i;

	for (i = 0; i < nv; i++) {
		lc_yaml_edit_scalar_add_spaces(out, col);
		lc_buf_adds(out, "- ");
		if (v[i].kind == LC_YL_MAP && v[i].nkids > 0)
			emit_pairs(doc, out, &v[i], col + 2, 1);
		else if (lit_coll(&v[i])) {
			emit_flow(out, &v[i], doc->eol);
			lc_buf_adds(out, doc->eol);
		} else {
			lc_yaml_edit_format_scalar(out, &v[i], style, 0,
			    col + 2,
			    doc->eol);
			if (!(v[i].kind == LC_YL_STR && out->len > 0 &&
			    out->data[out->len - 1] == '\n'))
				lc_buf_adds(out, doc->eol);
		}
	}
}

/* The lines of non-empty collection v as a block at indent; ends in eol. */
static void
emit_block(struct lc_ydoc *doc, struct lc_buf *out, const struct lc_ylit *v,
    int indent)
{
	if (v->kind == LC_YL_MAP)
		emit_pairs(doc, out, v, indent, 0);
	else
		emit_items(doc, out, v->kids, v->nkids, indent, 0);
}

/*
 * The value after "key:" whose key sits at indent: " scalar" and eol, or
 * eol and nested block lines. style is the quote style to prefer.
 */
static void
emit_value(struct lc_ydoc *doc, struct lc_buf *out, const struct lc_ylit *v,
    int indent, int style)
{
	if (lit_coll(v) && !lit_empty(v)) {
		lc_buf_adds(out, doc->eol);
		emit_block(doc, out, v, v->kind == LC_YL_SEQ &&
		    doc->indentless ? indent : indent + doc->step);
		return;
	}
	lc_buf_addc(out, ' ');
	if (lit_coll(v))
		lc_buf_adds(out, v->kind == LC_YL_MAP ? "{}" : "[]");
	else
		lc_yaml_edit_format_scalar(out, v, style, 0, indent + doc->step,
		    doc->eol);
	if (!(out->len > 0 && out->data[out->len - 1] == '\n'))
		lc_buf_adds(out, doc->eol);
}

void
lc_yaml_edit_emit(struct lc_buf *out, const struct lc_ylit *v)
{
	struct lc_ydoc d;

	memset(&d, 0, sizeof(d));
	d.eol = "\n";
	d.step = 2;
	if (lit_coll(v) && !lit_empty(v))
		emit_block(&d, out, v, 0);
	else if (lit_coll(v))
		lc_buf_adds(out, v->kind == LC_YL_MAP ? "{}\n" : "[]\n");
	else {
		lc_yaml_edit_format_scalar(out, v, 0, 0, 2, "\n");
		lc_buf_addc(out, '\n');
	}
}

/* Nested single-key mappings for keys[1..] ending in v, as a literal. */
static void
chain_lit(struct lc_ylit *store, const struct lc_ylit *keys, size_t nkeys,
    const struct lc_ylit *v)
{
	size_t i;

	/* store[2*i] is the map, store[2*i+1].. its key and value. */
	for (i = nkeys; i-- > 0;) {
		store[3 * i + 1] = keys[i];
		store[3 * i + 2] = i + 1 == nkeys ? *v : store[3 * (i + 1)];
		store[3 * i].kind = LC_YL_MAP;
		store[3 * i].kids = &store[3 * i + 1];
		store[3 * i].nkids = 2;
	}
}

/* The column where the key of value node n (or n itself) begins. */
static int
owner_col(const struct lc_ydoc *doc, uint32_t n)
{
	uint32_t k = lc_yaml_edit_node_key(doc, n), p = doc->nodes[n].parent;

	if (k)
		return col_of(doc, doc->nodes[k].start);
	if (p && doc->nodes[p].type == LC_YSEQ)
		return col_of(doc, dash_of(doc, n));
	return 0;
}

/* Bytes of node n that a replacement covers: [*s, *e). */
static void
node_span(const struct lc_ydoc *doc, uint32_t n, size_t *s, size_t *e)
{
	const struct lc_ynode *nd = &doc->nodes[n];

	*s = nd->type == LC_YALIAS ? nd->start : nd->vstart;
	*e = nd->type == LC_YSCALAR || nd->type == LC_YALIAS ||
	    nd->style == 2 ? nd->end : nd->cend;
}

/*
 * Just past the indicator that introduces value n of a block collection:
 * the ':' after its key, or its '-'. s when there is none.
 */
static size_t
after_indicator(const struct lc_ydoc *doc, uint32_t n, size_t s)
{
	uint32_t k = lc_yaml_edit_node_key(doc, n), p = doc->nodes[n].parent;
	size_t i;

	if (p && doc->nodes[p].type == LC_YSEQ && doc->nodes[p].style == 1)
		return dash_of(doc, n) + 1;
	if (!k)
		return s;
	for (i = doc->nodes[k].end; i < s && doc->text[i] != ':'; i++)
		;
	return i < s ? i + 1 : s;
}

/* Where a value of n could start: after its properties, if any, else
 * after its ':' or '-'. */
static size_t
before_value(const struct lc_ydoc *doc, uint32_t n, size_t s)
{
	const struct lc_ynode *nd = &doc->nodes[n];
	uint32_t p = nd->start, last = p;

	if (nd->start == nd->vstart)
		return after_indicator(doc, n, s);
	while (p < nd->vstart && (doc->text[p] == '&' || doc->text[p] == '!')) {
		last = p = lc_yaml_edit_prop_end(doc->text, p, nd->vstart);
		while (p < nd->vstart &&
		    blank_or_break((unsigned char)doc->text[p]))
			p++;
	}
	return last;
}

/* The indentation of the content lines of block scalar n. */
static int
block_indent(const struct lc_ydoc *doc, uint32_t n)
{
	const struct lc_ynode *nd = &doc->nodes[n];
	size_t p = nd->vstart, i;

	while (p < nd->end && doc->text[p] != '\n')
		p++;
	while (++p < nd->end) {
		for (i = p; i < nd->end && doc->text[i] == ' '; i++)
			;
		if (i < nd->end && doc->text[i] != '\n' && doc->text[i] != '\r')
			return (int)(i - p);
		p = i;
		while (p < nd->end && doc->text[p] != '\n')
			p++;
	}
	return owner_col(doc, n) + doc->step;
}

/*
 * libyaml places an empty value right after its ':' or '-', except where
 * no indicator precedes it (an explicit "? key" without ':', a flow
 * mapping key without ':'), where it takes the next token's place. Only
 * the first kind can be filled in.
 */
static int
empty_value_ok(const struct lc_ydoc *doc, size_t s, int flow)
{
	while (s > 0 && (doc->text[s - 1] == ' ' || doc->text[s - 1] == '\t'))
		s--;
	if (s == 0 || doc->len == 0)
		return 1;
	/* In a flow collection "-" is text, not an indicator: "{r, -}". */
	return strchr(flow ? ":" : ":-", doc->text[s - 1]) != NULL;
}

/* The first string of v (keys too) that is not UTF-8, or NULL. */
static const struct lc_ylit *
lit_not_utf8(const struct lc_ylit *v, size_t *at)
{
	const struct lc_ylit *r;
	size_t i;

	if (v->kind != LC_YL_SEQ && v->kind != LC_YL_MAP && v->s != NULL &&
	    (*at = lc_yaml_edit_utf8_check(v->s, v->n)) != v->n)
		return v;
	for (i = 0; i < v->nkids; i++)
		if ((r = lit_not_utf8(&v->kids[i], at)) != NULL)
			return r;
	return NULL;
}

/*
 * YAML is text: bytes that are not UTF-8 cannot be written (libyaml
 * would refuse the result). Refuse them as a usage error at node n.
 */
static int
check_utf8(const struct lc_ydoc *doc, uint32_t n, const struct lc_ylit *v,
    size_t nv)
{
	const struct lc_ylit *bad = NULL;
	long line, col;
	size_t i, at = 0;

	for (i = 0; i < nv && bad == NULL; i++)
		bad = lit_not_utf8(&v[i], &at);
	if (bad == NULL)
		return 0;
	lc_yaml_edit_where(doc, doc->nodes[n].vstart, &line, &col);
	lc_error_set(LC_EUSAGE, "'%s': %ld:%ld: the value to write is not "
	    "UTF-8 (byte 0x%02x at offset %zu); YAML files hold UTF-8 text",
	    doc->name, line, col, (unsigned char)bad->s[at], at);
	lc_error_where(doc->name, line, col);
	return LC_EUSAGE;
}

int
lc_yaml_edit_set(struct lc_ydoc *doc, uint32_t n, const struct lc_ylit *v)
{
	const struct lc_ynode *nd = &doc->nodes[n];
	struct lc_buf t = LC_BUF_INIT, val = LC_BUF_INIT;
	size_t s, e;
	long line, col;
	int flow = in_flow(doc, n), block, indent;
	uint32_t p = nd->parent;

	if (check_utf8(doc, n, v, 1) != 0)
		return LC_EUSAGE;
	learn_layout(doc);
	node_span(doc, n, &s, &e);
	if (s == e && !empty_value_ok(doc, s, flow)) {
		lc_yaml_edit_where(doc, s, &line, &col);
		lc_error_set(LC_EUSAGE, "'%s': %ld:%ld: cannot set an "
		    "empty value that has no ':' or '-' before it", doc->name,
		    line, col);
		lc_error_where(doc->name, line, col);
		return LC_EUSAGE;
	}
	block = nd->type == LC_YSCALAR &&
	    (nd->style == LC_YLITERAL || nd->style == LC_YFOLDED);
	indent = block ? block_indent(doc, n) : owner_col(doc, n) + doc->step;
	if (lit_coll(v) && !lit_empty(v) && !flow) {
		/* A block collection: its lines replace the span. */
		if (p && doc->nodes[p].type == LC_YSEQ && v->kind == LC_YL_MAP)
			/* "- " then the first pair, the rest below it. */
			emit_pairs(doc, &t, v, col_of(doc, dash_of(doc, n)) + 2,
			    1);
		else if (p && doc->nodes[p].type == LC_YSEQ)
			emit_flow(&t, v, doc->eol);
		else if (p) {
			s = after_indicator(doc, n, s);
			emit_value(doc, &t, v, owner_col(doc, n), 0);
		} else
			emit_block(doc, &t, v, 0);
		/* The span ends before its line's end, except in an empty
		 * document, where the new text is all there is. */
		if (doc->len != 0 && t.len > 0 && t.data[t.len - 1] == '\n')
			t.len -= strlen(doc->eol);
	} else {
		if (lit_coll(v))
			emit_flow(&val, v, doc->eol);
		else
			lc_yaml_edit_format_scalar(&val, v,
			    nd->type == LC_YSCALAR ?
			    nd->style : 0, flow, indent, doc->eol);
		/*
		 * A value on the lines below its key or dash (a block
		 * collection, or a block scalar whose header stands there)
		 * moves up behind the ':' or '-' unless it stays a block
		 * scalar.
		 */
		if (p && doc->nodes[p].style == 1 &&
		    !(val.len > 0 && (val.data[0] == '|' || val.data[0] == '>'))
		    && before_value(doc, n, s) < line_start(doc->text, s)) {
			s = before_value(doc, n, s);
			lc_buf_addc(&t, ' ');
		} else if ((s == e || nd->start != nd->vstart) && s > 0 &&
		    strchr(" \t\r\n[{,", doc->text[s - 1]) == NULL)
			/* An empty value right after "key:", "-" or "?", or a
			 * value that would touch its "&anchor". */
			lc_buf_addc(&t, ' ');
		lc_buf_add(&t, val.data, val.len);
		lc_buf_release(&val);
		/* A block scalar's span ends after its last newline. */
		if (block && !(t.len > 0 && t.data[t.len - 1] == '\n') &&
		    e > 0 && doc->text[e - 1] == '\n')
			lc_buf_adds(&t, doc->eol);
		if (t.len > 0 && t.data[t.len - 1] == '\n' && e > 0 &&
		    doc->text[e - 1] != '\n')
			t.len -= strlen(doc->eol);
		if (s == e && s == 0 && doc->len == 0)
			lc_buf_adds(&t, doc->eol);
	}
	add_edit(doc, s, e, &t);
	return 0;
}

int
lc_yaml_edit_create(struct lc_ydoc *doc, uint32_t n, const struct lc_ylit *keys,
    size_t nkeys, const struct lc_ylit *v)
{
	const struct lc_ynode *nd = &doc->nodes[n];
	struct lc_ylit *chain;
	struct lc_buf t = LC_BUF_INIT;
	size_t p;
	long line, col;

	assert(nkeys > 0);
	if (check_utf8(doc, n, keys, nkeys) != 0 ||
	    check_utf8(doc, n, v, 1) != 0)
		return LC_EUSAGE;
	learn_layout(doc);
	chain = lc_buf_xmalloc(3 * nkeys * sizeof(*chain));
	memset(chain, 0, 3 * nkeys * sizeof(*chain));
	chain_lit(chain, keys, nkeys, v);
	if (nd->type == LC_YMAP && nd->style == 1 && nd->nkids > 0) {
		emit_pair(doc, &t, &chain[1], &chain[2],
		    col_of(doc, doc->nodes[nd->first].start), 0);
		insert_lines(doc, after_line_end(doc, nd->cend), &t);
	} else if (nd->type == LC_YMAP && nd->style == 2) {
		if (nd->nkids > 0) {
			lc_buf_adds(&t, ", ");
			p = doc->nodes[nd->last].end;
		} else
			p = nd->end - 1;
		emit_flow(&t, &chain[1], doc->eol);
		lc_buf_adds(&t, ": ");
		emit_flow(&t, &chain[2], doc->eol);
		add_edit(doc, p, p, &t);
	} else if (nd->type == LC_YSCALAR && lc_yaml_edit_node_is_null(doc,
	    n)) {
		lc_yaml_edit_set(doc, n, &chain[0]);
	} else {
		free(chain);
		lc_yaml_edit_where(doc, nd->vstart, &line, &col);
		lc_error_set(LC_EUSAGE, "'%s': %ld:%ld: cannot add key "
		    "'%.*s' to a %s", doc->name, line, col, (int)keys[0].n,
		    keys[0].s, nd->type == LC_YSEQ ? "sequence" :
		    nd->type == LC_YSCALAR ? "scalar" : "mapping");
		lc_error_where(doc->name, line, col);
		return LC_EUSAGE;
	}
	free(chain);
	return 0;
}

int
lc_yaml_edit_append(struct lc_ydoc *doc, uint32_t n, const struct lc_ylit *v)
{
	const struct lc_ynode *nd = &doc->nodes[n];
	const struct lc_ylit *items = v->kind == LC_YL_SEQ ? v->kids : v;
	size_t nitems = v->kind == LC_YL_SEQ ? v->nkids : 1, i, p;
	struct lc_buf t = LC_BUF_INIT;
	struct lc_ylit seq;
	uint32_t last, prev;
	long line, col;
	int style;

	if (check_utf8(doc, n, v, 1) != 0)
		return LC_EUSAGE;
	learn_layout(doc);
	if (nitems == 0)
		return 0;
	if (nd->type == LC_YSEQ && nd->nkids > 0) {
		last = nd->last;
		style = doc->nodes[last].type == LC_YSCALAR &&
		    doc->nodes[last].style <= LC_YDOUBLE ?
		    doc->nodes[last].style : 0;
		if (nd->style == 1) {
			emit_items(doc, &t, items, nitems,
			    col_of(doc, dash_of(doc, last)), style);
			insert_lines(doc, after_line_end(doc, nd->cend), &t);
			return 0;
		}
		/* Flow: copy the separator the items already use. */
		for (prev = nd->first; prev && doc->nodes[prev].next != last;
		    prev = doc->nodes[prev].next)
			;
		for (i = 0; i < nitems; i++) {
			if (prev)
				lc_buf_add(&t, doc->text + doc->nodes[prev].end,
				    doc->nodes[last].start -
				    doc->nodes[prev].end);
			else
				lc_buf_adds(&t, ", ");
			if (lit_coll(&items[i]))
				emit_flow(&t, &items[i], doc->eol);
			else
				lc_yaml_edit_format_scalar(&t, &items[i], style,
				    1,
				    0, doc->eol);
		}
		p = doc->nodes[last].end;
		add_edit(doc, p, p, &t);
		return 0;
	}
	if (nd->type == LC_YSEQ) {
		/* [] : put the items between the brackets. */
		for (i = 0; i < nitems; i++) {
			if (i > 0)
				lc_buf_adds(&t, ", ");
			emit_flow(&t, &items[i], doc->eol);
		}
		p = nd->end - 1;
		add_edit(doc, p, p, &t);
		return 0;
	}
	if (nd->type == LC_YSCALAR && lc_yaml_edit_node_is_null(doc, n)) {
		seq.kind = LC_YL_SEQ;
		seq.kids = items;
		seq.nkids = nitems;
		return lc_yaml_edit_set(doc, n, &seq);
	}
	lc_yaml_edit_where(doc, nd->vstart, &line, &col);
	lc_error_set(LC_EUSAGE, "'%s': %ld:%ld: cannot append to a %s",
	    doc->name, line, col, nd->type == LC_YMAP ? "mapping" : "scalar");
	lc_error_where(doc->name, line, col);
	return LC_EUSAGE;
}

/* The sibling before x in its parent, or 0. */
static uint32_t
prev_sibling(const struct lc_ydoc *doc, uint32_t x)
{
	return doc->nodes[x].prev;
}

int
lc_yaml_edit_delete(struct lc_ydoc *doc, uint32_t n)
{
	const struct lc_ynode *nd = &doc->nodes[n];
	uint32_t p = nd->parent, k = 0, prev, next;
	struct lc_buf t = LC_BUF_INIT;
	struct lc_ylit empty;
	size_t s, e;

	if (p == 0)
		return lc_error_set(LC_EUSAGE,
		    "cannot delete the document root");
	if (doc->nodes[p].type == LC_YMAP) {
		k = lc_yaml_edit_node_key(doc, n);
		if (k == 0)
			return lc_error_set(LC_EUSAGE, "cannot delete a key");
	}
	if ((doc->nodes[p].type == LC_YMAP && doc->nodes[p].nkids == 2) ||
	    (doc->nodes[p].type == LC_YSEQ && doc->nodes[p].nkids == 1)) {
		/* The last entry: leave an empty collection of the same kind. */
		memset(&empty, 0, sizeof(empty));
		empty.kind = doc->nodes[p].type == LC_YMAP ? LC_YL_MAP : LC_YL_SEQ;
		return lc_yaml_edit_set(doc, p, &empty);
	}
	s = k ? doc->nodes[k].start : doc->nodes[n].start;
	if (!k && doc->nodes[p].style == 1)
		s = dash_of(doc, n);
	next = nd->next;
	if (doc->nodes[p].style == 2) {
		/* Flow: take the separator after, or before for the last. */
		if (next)
			e = doc->nodes[next].start;
		else {
			prev = prev_sibling(doc, k ? k : n);
			s = doc->nodes[prev].end;
			e = nd->end;
		}
	} else if (first_on_line(doc, s)) {
		s = line_start(doc->text, s);
		e = after_line_end(doc, nd->type == LC_YSCALAR &&
		    (nd->style == LC_YLITERAL || nd->style == LC_YFOLDED) &&
		    nd->end > 0 ? nd->end - 1 : nd->cend);
	} else {
		/* "- key: v" : the next entry moves up behind the dash. */
		if (!next)
			return lc_error_set(LC_ERROR,
			    "cannot delete this entry without breaking its line");
		e = k ? doc->nodes[next].start : dash_of(doc, next);
	}
	add_edit(doc, s, e, &t);
	return 0;
}

static int
cmp_edit(const void *a, const void *b)
{
	const struct lc_yedit *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Edits place lines by LF; a CR that ends a line alone would mislead them. */
static int
has_lone_cr(const char *t, size_t n)
{
	const char *p = t, *cr;

	while ((cr = memchr(p, '\r', n - (size_t)(p - t))) != NULL) {
		if ((size_t)(cr - t) + 1 >= n || cr[1] != '\n')
			return 1;
		p = cr + 1;
	}
	return 0;
}

int
lc_yaml_edit_commit(struct lc_ydoc *doc)
{
	struct lc_buf nt = LC_BUF_INIT;
	yaml_parser_t parser;
	yaml_event_t ev, docend;
	struct conv conv;
	struct parse ps;
	size_t i, pos = 0;
	int rc = 0, ok, extra;

	if (doc->nedits == 0)
		return 0;
	if (has_lone_cr(doc->text, doc->len)) {
		rc = lc_error_set(LC_EDATA, "'%s' has line breaks that are a "
		    "lone CR (old Mac style); convert them to LF or CRLF to "
		    "edit it", doc->name);
		goto done;
	}
	qsort(doc->edits, doc->nedits, sizeof(*doc->edits), cmp_edit);
	for (i = 0; i < doc->nedits; i++) {
		if (doc->edits[i].start < pos) {
			rc = lc_error_set(LC_EUSAGE,
			    "two edits overlap in document %d; split the "
			    "expression with '|'", doc->index);
			goto done;
		}
		lc_buf_add(&nt, doc->text + pos, doc->edits[i].start - pos);
		lc_buf_add(&nt, doc->edits[i].text, doc->edits[i].len);
		pos = doc->edits[i].end;
	}
	lc_buf_add(&nt, doc->text + pos, doc->len - pos);

	/* Re-read the result: an edit must never produce broken YAML. */
	memset(&ps, 0, sizeof(ps));
	lc_yaml_edit_conv_init(&conv, nt.data, nt.len);
	if (!yaml_parser_initialize(&parser)) {
		rc = lc_error_set(LC_ENOMEM, "out of memory");
		goto done;
	}
	yaml_parser_set_input_string(&parser, (unsigned char *)nt.data, nt.len);
	lc_yaml_edit_doc_reset_tree(doc);
	ps.doc = doc;
	ps.parser = &parser;
	ps.conv = &conv;
	ps.buf = nt.data;
	ok = 0;
	extra = 0;
	while ((rc = yaml_parser_parse(&parser, &ev) ? 0 : LC_EDATA) == 0) {
		if (ev.type == YAML_DOCUMENT_START_EVENT) {
			yaml_event_delete(&ev);
			if (ok) {
				extra = 1;
				break;
			}
			if ((rc = lc_yaml_edit_parse_nodes(&ps, &docend,
			    doc->name)) != 0)
				break;
			yaml_event_delete(&docend);
			ok = 1;
			continue;
		}
		if (ev.type == YAML_STREAM_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		yaml_event_delete(&ev);
	}
	free(ps.anchored);
	yaml_parser_delete(&parser);
	if (rc != 0 || !ok || extra) {
		rc = lc_error_set(LC_ERROR, "internal error: the edit of '%s' "
		    "would not be valid YAML; nothing was written (please "
		    "report this with the input)", doc->name);
		goto done;
	}
	for (i = 0; i < doc->nedits; i++)
		free(doc->edits[i].text);
	doc->nedits = 0;
	if (nt.len != doc->len || memcmp(nt.data, doc->text, nt.len) != 0)
		doc->changed = 1;
	lc_buf_release(&doc->own);
	doc->own = nt;
	doc->text = doc->own.data;
	doc->len = doc->own.len;
	return 0;
done:
	lc_buf_release(&nt);
	for (i = 0; i < doc->nedits; i++)
		free(doc->edits[i].text);
	doc->nedits = 0;
	return rc;
}

void
lc_yaml_edit_print(const struct lc_ydoc *doc, uint32_t n, struct lc_buf *out)
{
	const struct lc_ynode *nd;
	const char *v;
	size_t len, i, s, e;
	int col, skip;

	n = lc_yaml_edit_node_deref(doc, n);
	nd = &doc->nodes[n];
	if (n == 0 || (nd->type == LC_YSCALAR && lc_yaml_edit_node_is_null(doc,
	    n) &&
	    nd->style == LC_YPLAIN)) {
		lc_buf_adds(out, "null\n");
		return;
	}
	if (nd->type == LC_YSCALAR) {
		v = lc_yaml_edit_node_value(doc, n, &len);
		lc_buf_add(out, v, len);
		lc_buf_addc(out, '\n');
		return;
	}
	node_span(doc, n, &s, &e);
	col = col_of(doc, s);
	for (i = s; i < e; i++) {
		lc_buf_addc(out, doc->text[i]);
		if (doc->text[i] == '\n')
			for (skip = 0; skip < col && i + 1 < e &&
			    doc->text[i + 1] == ' '; skip++)
				i++;
	}
	lc_buf_addc(out, '\n');
}
