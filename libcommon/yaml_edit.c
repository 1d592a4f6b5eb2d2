/* yaml_edit.c: YAML edits that change only the bytes of the edited values. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "error.h"
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

/*
 * Everything before nx is ASCII. The scan is bounded so that a backward
 * move never rescans a long ASCII run: stepping one character at a byte
 * that is ASCII after all is still right.
 */
static void
conv_next_high(struct conv *c)
{
	size_t end = c->len - c->bi > 65536 ? c->bi + 65536 : c->len;

	for (c->nx = c->bi; c->nx < end && !(c->p[c->nx] & 0x80); c->nx++)
		;
}

static void
conv_init(struct conv *c, const char *p, size_t len)
{
	c->p = (const unsigned char *)p;
	c->len = len;
	c->bom = len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
	c->ci = 0;
	c->bi = c->bom;
	conv_next_high(c);
}

static size_t
conv_byte(struct conv *c, size_t idx)
{
	size_t d;

	while (c->ci < idx && c->bi < c->len) {
		d = idx - c->ci;
		if (c->bi + d <= c->nx) {
			c->bi += d;
			c->ci = idx;
			break;
		}
		/* ASCII up to nx, then one multi-byte character. */
		c->ci += c->nx - c->bi;
		c->bi = c->nx;
		if (c->bi >= c->len)
			break;
		c->bi++;
		while (c->bi < c->len && (c->p[c->bi] & 0xc0) == 0x80)
			c->bi++;
		c->ci++;
		conv_next_high(c);
	}
	if (c->ci > idx) {
		while (c->ci > idx && c->bi > c->bom) {
			c->bi--;
			while (c->bi > c->bom && (c->p[c->bi] & 0xc0) == 0x80)
				c->bi--;
			c->ci--;
		}
		conv_next_high(c);
	}
	return c->bi;
}

/* Parsing: events to a node tree. */

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

static uint32_t
newnode(struct lc_ydoc *doc)
{
	if (doc->nnodes == doc->cap) {
		doc->cap = doc->cap ? doc->cap * 2 : 256;
		doc->nodes = lc_xrealloc(doc->nodes,
		    doc->cap * sizeof(*doc->nodes));
	}
	memset(&doc->nodes[doc->nnodes], 0, sizeof(doc->nodes[0]));
	doc->nodes[doc->nnodes].val = LC_YNOVAL;
	return doc->nnodes++;
}

static uint32_t
arena_add(struct lc_ydoc *doc, const void *p, size_t n)
{
	uint32_t off = (uint32_t)doc->arena.len;

	lc_buf_add(&doc->arena, p, n);
	return off;
}

static int
anchor_char(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z') || c == '_' || c == '-';
}

static int
blank_or_break(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * Past the one "&anchor" or "!tag" at p. An anchor name ends where libyaml
 * ends it, at the first byte outside [0-9A-Za-z_-]; a tag runs to a blank.
 */
static uint32_t
prop_end(const char *t, uint32_t p, uint32_t end)
{
	if (t[p++] == '&')
		while (p < end && anchor_char((unsigned char)t[p]))
			p++;
	else
		while (p < end && !blank_or_break((unsigned char)t[p]))
			p++;
	return p;
}

/* Skip the properties at p and the blanks after each. */
static uint32_t
skip_props(const char *t, uint32_t p, uint32_t end)
{
	while (p < end && (t[p] == '&' || t[p] == '!')) {
		p = prop_end(t, p, end);
		while (p < end && blank_or_break((unsigned char)t[p]))
			p++;
	}
	return p;
}

static size_t
line_start(const char *t, size_t p)
{
	while (p > 0 && t[p - 1] != '\n')
		p--;
	return p;
}

/*
 * A block scalar's end mark lies at the start of the next line, past any
 * indentation libyaml ate and past trailing blank lines. Pull it back to
 * just after the scalar's last content line.
 */
static uint32_t
trim_block_end(const char *t, uint32_t vstart, uint32_t e)
{
	size_t ls = line_start(t, e), p, hdr;

	for (p = ls; p < e && t[p] == ' '; p++)
		;
	if (p == e)
		e = (uint32_t)ls;
	for (hdr = vstart; hdr < e && t[hdr] != '\n'; hdr++)
		;
	/* e is now after a newline (or at EOF); drop whitespace-only lines. */
	while (e > hdr + 1 && t[e - 1] == '\n') {
		p = line_start(t, e - 1);
		if (p <= hdr)
			break;
		ls = p;
		while (p < e - 1 && (t[p] == ' ' || t[p] == '\t' ||
		    t[p] == '\r'))
			p++;
		if (p != e - 1)
			break;
		e = (uint32_t)ls;
	}
	return e;
}

static void
link_node(struct parse *ps, uint32_t n)
{
	struct lc_ydoc *doc = ps->doc;
	uint32_t par;

	if (ps->depth == 0) {
		doc->root = n;
		return;
	}
	par = ps->stack[ps->depth - 1];
	doc->nodes[n].parent = par;
	doc->nodes[n].prev = doc->nodes[par].last;
	doc->nodes[n].isval = doc->nodes[par].type == LC_YMAP &&
	    doc->nodes[par].nkids % 2 == 1;
	if (doc->nodes[par].last)
		doc->nodes[doc->nodes[par].last].next = n;
	else
		doc->nodes[par].first = n;
	doc->nodes[par].last = n;
	doc->nodes[par].nkids++;
}

/*
 * Anchors by name: ps->anchored is an open-addressing table of node
 * indexes (0: free), capanchored slots (a power of two), nanchored used.
 * A linear search per alias made 50,000 anchors and aliases quadratic.
 */
static size_t
anchor_hash(const char *name, size_t n)
{
	size_t h = 2166136261u, i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)name[i]) * 16777619u;
	return h;
}

/* The slot of name: the node holding it, or the free slot to take. */
static uint32_t *
anchor_slot(struct parse *ps, const char *name, size_t n)
{
	struct lc_ydoc *doc = ps->doc;
	struct lc_ynode *a;
	size_t i, mask = ps->capanchored - 1;

	for (i = anchor_hash(name, n) & mask; ps->anchored[i];
	    i = (i + 1) & mask) {
		a = &doc->nodes[ps->anchored[i]];
		if (a->alen == n &&
		    memcmp(doc->arena.data + a->anchor, name, n) == 0)
			break;
	}
	return &ps->anchored[i];
}

static uint32_t
find_anchor(struct parse *ps, const char *name)
{
	if (ps->nanchored == 0)
		return 0;
	return *anchor_slot(ps, name, strlen(name));
}

static void
set_anchor(struct parse *ps, uint32_t n, const yaml_char_t *anchor)
{
	struct lc_ydoc *doc = ps->doc;
	uint32_t *old, *slot;
	size_t len, i, oldcap;

	if (anchor == NULL)
		return;
	len = strlen((const char *)anchor);
	doc->nodes[n].anchor = arena_add(doc, anchor, len);
	doc->nodes[n].alen = (uint32_t)len;
	if (2 * (ps->nanchored + 1) > ps->capanchored) {
		old = ps->anchored;
		oldcap = ps->capanchored;
		ps->capanchored = oldcap ? oldcap * 2 : 16;
		ps->anchored = lc_xmalloc(ps->capanchored *
		    sizeof(*ps->anchored));
		memset(ps->anchored, 0, ps->capanchored *
		    sizeof(*ps->anchored));
		for (i = 0; i < oldcap; i++)
			if (old[i]) {
				struct lc_ynode *a = &doc->nodes[old[i]];

				*anchor_slot(ps, doc->arena.data + a->anchor,
				    a->alen) = old[i];
			}
		free(old);
	}
	/* A name anchored again names the later node from here on. */
	slot = anchor_slot(ps, (const char *)anchor, len);
	if (*slot == 0)
		ps->nanchored++;
	*slot = n;
}

/* Forget the anchors of the last document. */
static void
anchors_reset(struct parse *ps)
{
	if (ps->nanchored > 0)
		memset(ps->anchored, 0, ps->capanchored *
		    sizeof(*ps->anchored));
	ps->nanchored = 0;
}

static uint32_t
rel(struct parse *ps, yaml_mark_t m)
{
	return (uint32_t)(conv_byte(ps->conv, m.index) - ps->base);
}

/* The 1-based line and column (in characters) of byte off of buf. */
static void
where_in(const char *buf, size_t off, long *line, long *col)
{
	size_t i, ls = 0;

	*line = 1;
	for (i = 0; i < off; i++)
		if (buf[i] == '\n') {
			(*line)++;
			ls = i + 1;
		}
	*col = 1;
	if (ls == 0 && off >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		ls = 3;
	for (i = ls; i < off; i++)
		if (((unsigned char)buf[i] & 0xc0) != 0x80)
			(*col)++;
}

static int
reader_error(struct parse *ps, const char *name)
{
	yaml_parser_t *p = ps->parser;
	long line, col;

	where_in(ps->buf, p->problem_offset, &line, &col);
	/* A byte of bad UTF-8, or a character outside YAML's set. */
	if (p->problem_value != -1 && p->problem != NULL &&
	    strstr(p->problem, "octet") != NULL)
		lc_error_set(LC_EDATA, "'%s': %ld:%ld: %s (byte 0x%02x)", name,
		    line, col, p->problem, (unsigned)p->problem_value & 0xff);
	else if (p->problem_value != -1)
		lc_error_set(LC_EDATA, "'%s': %ld:%ld: %s (U+%04X)", name,
		    line, col, p->problem ? p->problem : "cannot read",
		    (unsigned)p->problem_value);
	else
		lc_error_set(LC_EDATA, "'%s': %ld:%ld: %s", name, line, col,
		    p->problem ? p->problem : "cannot read");
	lc_error_where(name, line, col);
	return LC_EDATA;
}

static int
parse_error(struct parse *ps, const char *name)
{
	yaml_parser_t *p = ps->parser;
	const char *problem = p->problem ? p->problem : "cannot parse";
	long line = (long)p->problem_mark.line + 1;
	long col = (long)p->problem_mark.column + 1;

	if (p->error == YAML_MEMORY_ERROR)
		return lc_error_set(LC_ENOMEM, "out of memory");
	if (p->error == YAML_READER_ERROR) {
		/*
		 * The reader (bad UTF-8, control characters) sets no mark,
		 * only the byte offset: every such error read "1:1".
		 */
		return reader_error(ps, name);
	}
	if (p->context != NULL && p->problem_mark.line == 0 &&
	    p->problem_mark.column == 0 && p->context_mark.line != 0) {
		line = (long)p->context_mark.line + 1;
		col = (long)p->context_mark.column + 1;
	}
	lc_error_set(LC_EDATA, "'%s': %ld:%ld: %s%s%s", name, line, col,
	    p->context ? p->context : "", p->context ? ": " : "", problem);
	lc_error_where(name, line, col);
	return LC_EDATA;
}

/* Build the tree of one document; the DOCUMENT-START event was consumed. */
static int
parse_nodes(struct parse *ps, yaml_event_t *docend, const char *name)
{
	struct lc_ydoc *doc = ps->doc;
	const char *t = ps->buf + ps->base;
	yaml_event_t ev;
	struct lc_ynode *nd;
	uint32_t n, s, e;
	size_t vlen;
	int type;

	for (;;) {
		if (!yaml_parser_parse(ps->parser, &ev))
			return parse_error(ps, name);
		type = ev.type;
		switch (type) {
		case YAML_DOCUMENT_END_EVENT:
			*docend = ev;
			return 0;
		case YAML_SCALAR_EVENT:
			n = newnode(doc);
			nd = &doc->nodes[n];
			nd->type = LC_YSCALAR;
			nd->style = (unsigned char)ev.data.scalar.style;
			nd->start = s = rel(ps, ev.start_mark);
			e = rel(ps, ev.end_mark);
			nd->vstart = ev.data.scalar.anchor || ev.data.scalar.tag ?
			    skip_props(t, s, e) : s;
			if (nd->style == LC_YLITERAL || nd->style == LC_YFOLDED) {
				e = trim_block_end(t, nd->vstart, e);
				/* The last token ends at the final newline. */
				ps->lastend = e > 0 && t[e - 1] == '\n' ?
				    e - 1 : e;
			} else if (e > ps->lastend || e > s)
				ps->lastend = e;
			nd->end = nd->cend = e;
			vlen = ev.data.scalar.length;
			if (nd->style != LC_YPLAIN || vlen != e - nd->vstart ||
			    memcmp(t + nd->vstart, ev.data.scalar.value, vlen)) {
				nd->val = arena_add(doc, ev.data.scalar.value,
				    vlen);
				nd->vlen = (uint32_t)vlen;
			}
			set_anchor(ps, n, ev.data.scalar.anchor);
			link_node(ps, n);
			break;
		case YAML_ALIAS_EVENT:
			n = newnode(doc);
			nd = &doc->nodes[n];
			nd->type = LC_YALIAS;
			nd->start = nd->vstart = rel(ps, ev.start_mark);
			nd->end = nd->cend = ps->lastend = rel(ps, ev.end_mark);
			nd->target = find_anchor(ps,
			    (const char *)ev.data.alias.anchor);
			link_node(ps, n);
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (ps->depth == sizeof(ps->stack) / sizeof(ps->stack[0])) {
				/* yaml_event_delete() zeroes the marks. */
				lc_error_set(LC_EDATA,
				    "'%s': %zu:%zu: nested more than %zu deep",
				    name, ev.start_mark.line + 1,
				    ev.start_mark.column + 1,
				    sizeof(ps->stack) / sizeof(ps->stack[0]));
				lc_error_where(name, (long)ev.start_mark.line + 1,
				    (long)ev.start_mark.column + 1);
				yaml_event_delete(&ev);
				return LC_EDATA;
			}
			n = newnode(doc);
			nd = &doc->nodes[n];
			if (type == YAML_SEQUENCE_START_EVENT) {
				nd->type = LC_YSEQ;
				nd->style = ev.data.sequence_start.style ==
				    YAML_FLOW_SEQUENCE_STYLE ? 2 : 1;
				set_anchor(ps, n, ev.data.sequence_start.anchor);
			} else {
				nd->type = LC_YMAP;
				nd->style = ev.data.mapping_start.style ==
				    YAML_FLOW_MAPPING_STYLE ? 2 : 1;
				set_anchor(ps, n, ev.data.mapping_start.anchor);
			}
			nd->start = s = rel(ps, ev.start_mark);
			nd->vstart = skip_props(t, s, (uint32_t)(ps->conv->len -
			    ps->base));
			link_node(ps, n);
			ps->stack[ps->depth++] = n;
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			n = ps->stack[--ps->depth];
			nd = &doc->nodes[n];
			if (nd->style == 2)
				ps->lastend = rel(ps, ev.end_mark);
			/* Block collections end where their last token does. */
			nd->end = nd->cend = ps->lastend;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
}

static void
doc_reset_tree(struct lc_ydoc *doc)
{
	doc->nnodes = 0;
	doc->root = 0;
	doc->arena.len = 0;
	doc->learned = 0;
	newnode(doc);	/* index 0 means "none" */
}

static void
doc_release(struct lc_ydoc *doc)
{
	size_t i;

	for (i = 0; i < doc->nedits; i++)
		free(doc->edits[i].text);
	free(doc->edits);
	free(doc->nodes);
	lc_buf_release(&doc->arena);
	lc_buf_release(&doc->own);
	memset(doc, 0, sizeof(*doc));
}

static const char *
detect_eol(const char *data, size_t len)
{
	const char *nl = memchr(data, '\n', len);

	return nl != NULL && nl > data && nl[-1] == '\r' ? "\r\n" : "\n";
}

/* A stream with no document (empty, or only comments) gets this one. */
static int
empty_doc(struct lc_ydoc *doc, const char *data, size_t len)
{
	uint32_t n;

	doc->base = len;
	doc->text = data + len;
	doc->len = 0;
	n = newnode(doc);
	doc->nodes[n].type = LC_YSCALAR;
	doc->nodes[n].style = LC_YPLAIN;
	doc->root = n;
	return 0;
}

static size_t
count_lines(const char *p, size_t n)
{
	size_t c = 0;
	const char *q;

	while (n > 0 && (q = memchr(p, '\n', n)) != NULL) {
		c++;
		n -= (size_t)(q + 1 - p);
		p = q + 1;
	}
	return c;
}

static void
out_add(struct lc_yout *out, const char *p, size_t n)
{
	struct iovec *last = out->n ? &out->iov[out->n - 1] : NULL;

	if (n == 0)
		return;
	if (last && (const char *)last->iov_base + last->iov_len == p) {
		last->iov_len += n;
		return;
	}
	if (out->n == out->cap) {
		out->cap = out->cap ? out->cap * 2 : 16;
		out->iov = lc_xrealloc(out->iov, out->cap * sizeof(*out->iov));
	}
	out->iov[out->n].iov_base = (void *)p;
	out->iov[out->n++].iov_len = n;
}

/* Hand document doc (from data + s, len n originally) to out. */
static void
out_doc(struct lc_yout *out, struct lc_ydoc *doc, const char *orig, size_t n)
{
	const char *text = orig;

	if (doc->changed) {
		out->owned = lc_xrealloc(out->owned, (out->nowned + 1) *
		    sizeof(*out->owned));
		n = doc->own.len;
		text = out->owned[out->nowned++] = lc_buf_detach(&doc->own);
		out->changed = 1;
	}
	if (out->ndocs == out->capdocs) {
		out->capdocs = out->capdocs ? out->capdocs * 2 : 8;
		out->docs = lc_xrealloc(out->docs,
		    out->capdocs * sizeof(*out->docs));
	}
	out->docs[out->ndocs].iov_base = (void *)text;
	out->docs[out->ndocs++].iov_len = n;
	out_add(out, text, n);
}

void
lc_yaml_edit_out_release(struct lc_yout *out)
{
	size_t i;

	for (i = 0; i < out->nowned; i++)
		free(out->owned[i]);
	free(out->owned);
	free(out->iov);
	free(out->docs);
	memset(out, 0, sizeof(*out));
}

void
lc_yaml_edit_out_join(const struct lc_yout *out, struct lc_buf *b)
{
	size_t i;

	for (i = 0; i < out->n; i++)
		lc_buf_add(b, out->iov[i].iov_base, out->iov[i].iov_len);
}

int
lc_yaml_edit_stream(const char *name, const char *data, size_t len,
    lc_ydoc_fn fn, void *arg, struct lc_yout *out)
{
	yaml_parser_t parser;
	yaml_event_t ev, docend;
	struct conv conv;
	struct parse ps;
	struct lc_ydoc doc;
	size_t prev = 0, s, ls, lines = 0, linepos = 0, end;
	int rc = 0, ndocs = 0, done = 0;

	if (len >= UINT32_MAX)
		return lc_error_set(LC_EDATA, "'%s': larger than 4 GiB", name);
	memset(&doc, 0, sizeof(doc));
	memset(&ps, 0, sizeof(ps));
	conv_init(&conv, data, len);
	if (!yaml_parser_initialize(&parser))
		return lc_error_set(LC_ENOMEM, "out of memory");
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
	ps.parser = &parser;
	ps.conv = &conv;
	ps.buf = data;
	while (!done && rc == 0) {
		if (!yaml_parser_parse(&parser, &ev)) {
			ps.doc = &doc;
			rc = parse_error(&ps, name);
			break;
		}
		switch (ev.type) {
		case YAML_DOCUMENT_START_EVENT:
			s = conv_byte(&conv, ev.start_mark.index);
			/* Start at the line start so indentation stays. */
			for (ls = s; ls > conv.bom && data[ls - 1] == ' '; ls--)
				;
			if (ls == conv.bom || data[ls - 1] == '\n' ||
			    data[ls - 1] == '\r')
				s = ls;
			if (s < prev)
				s = prev;
			memset(&doc, 0, sizeof(doc));
			doc_reset_tree(&doc);
			doc.name = name;
			doc.index = ndocs++;
			doc.eol = detect_eol(data, len);
			doc.base = ps.base = s;
			lines += count_lines(data + linepos, s - linepos);
			linepos = s;
			doc.line0 = lines;
			ps.doc = &doc;
			ps.depth = 0;
			ps.lastend = 0;
			anchors_reset(&ps);
			yaml_event_delete(&ev);
			if ((rc = parse_nodes(&ps, &docend, name)) != 0)
				break;
			end = conv_byte(&conv, docend.end_mark.index);
			yaml_event_delete(&docend);
			if (end < s)
				end = s;
			doc.text = data + s;
			doc.len = end - s;
			rc = fn(&doc, arg);
			if (rc == 0 && out != NULL) {
				out_add(out, data + prev, s - prev);
				out_doc(out, &doc, data + s, end - s);
			}
			prev = end;
			doc_release(&doc);
			continue;
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	if (rc == 0 && ndocs == 0) {
		memset(&doc, 0, sizeof(doc));
		doc_reset_tree(&doc);
		doc.name = name;
		doc.eol = detect_eol(data, len);
		doc.line0 = count_lines(data, len);
		empty_doc(&doc, data, len);
		rc = fn(&doc, arg);
		if (rc == 0 && out != NULL) {
			out_add(out, data, len);
			out_doc(out, &doc, data + len, 0);
			prev = len;
		}
		doc_release(&doc);
	}
	if (rc == 0 && out != NULL)
		out_add(out, data + prev, len - prev);
	if (rc != 0)
		doc_release(&doc);
	free(ps.anchored);
	yaml_parser_delete(&parser);
	return rc;
}

/* Reading the tree. */

const char *
lc_yaml_edit_node_value(const struct lc_ydoc *doc, uint32_t n, size_t *len)
{
	const struct lc_ynode *nd = &doc->nodes[n];

	if (nd->type == LC_YALIAS && nd->target)
		return lc_yaml_edit_node_value(doc, nd->target, len);
	if (nd->type != LC_YSCALAR) {
		*len = 0;
		return "";
	}
	if (nd->val != LC_YNOVAL) {
		*len = nd->vlen;
		return doc->arena.data + nd->val;
	}
	*len = nd->end - nd->vstart;
	return doc->text + nd->vstart;
}

enum lc_ylit_kind
lc_yaml_edit_node_kind(const struct lc_ydoc *doc, uint32_t n)
{
	const char *v;
	size_t len;

	if (doc->nodes[n].type == LC_YALIAS && doc->nodes[n].target)
		return lc_yaml_edit_node_kind(doc, doc->nodes[n].target);
	if (doc->nodes[n].type != LC_YSCALAR)
		return LC_YL_STR;
	if (doc->nodes[n].style != LC_YPLAIN)
		return LC_YL_STR;
	v = lc_yaml_edit_node_value(doc, n, &len);
	return lc_yaml_edit_resolve(v, len);
}

int
lc_yaml_edit_node_is_null(const struct lc_ydoc *doc, uint32_t n)
{
	return doc->nodes[n].type == LC_YSCALAR &&
	    lc_yaml_edit_node_kind(doc, n) == LC_YL_NULL;
}

static int
key_is(const struct lc_ydoc *doc, uint32_t k, const char *key, size_t n)
{
	const char *v;
	size_t len;

	if (doc->nodes[k].type != LC_YSCALAR)
		return 0;
	v = lc_yaml_edit_node_value(doc, k, &len);
	return len == n && memcmp(v, key, n) == 0;
}

static uint32_t
deref(const struct lc_ydoc *doc, uint32_t n)
{
	if (n && doc->nodes[n].type == LC_YALIAS)
		return doc->nodes[n].target;
	return n;
}

/* A set of node indexes (open addressing; 0 marks a free slot). */
struct nodeset {
	uint32_t *slot;
	size_t cap, n;
};

/* Add n (not 0) to s; returns 0 when it was there already. */
static int
nodeset_add(struct nodeset *s, uint32_t n)
{
	struct nodeset g;
	size_t i;

	if (2 * (s->n + 1) > s->cap) {
		g.cap = s->cap ? s->cap * 2 : 64;
		g.slot = calloc(g.cap, sizeof(*g.slot));
		if (g.slot == NULL)
			abort();
		g.n = 0;
		for (i = 0; i < s->cap; i++)
			if (s->slot[i])
				nodeset_add(&g, s->slot[i]);
		free(s->slot);
		*s = g;
	}
	for (i = (n * 2654435761u) & (s->cap - 1); s->slot[i];
	    i = (i + 1) & (s->cap - 1))
		if (s->slot[i] == n)
			return 0;
	s->slot[i] = n;
	s->n++;
	return 1;
}

static uint32_t
own_get(const struct lc_ydoc *doc, uint32_t map, const char *key,
    size_t keylen)
{
	uint32_t k, v;

	for (k = doc->nodes[map].first; k; k = doc->nodes[v].next) {
		v = doc->nodes[k].next;
		if (v == 0)
			break;
		if (key_is(doc, k, key, keylen))
			return v;
	}
	return 0;
}

static void
push_node(uint32_t **st, size_t *n, size_t *cap, uint32_t x)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 32;
		*st = lc_xrealloc(*st, *cap * sizeof(**st));
	}
	(*st)[(*n)++] = x;
}

/*
 * Look key up in map, then in the mappings it merges (<<: *x or a
 * sequence of them), earlier ones first, depth first. Each mapping is
 * searched once: merges of merges fan out like an alias bomb (nine *x in
 * each of ten levels are 10^9 paths), and a mapping seen before cannot
 * hold the key. So the work is linear in the merge graph, cycles too.
 */
static uint32_t
map_get(const struct lc_ydoc *doc, uint32_t map, const char *key,
    size_t keylen, int *merged)
{
	struct nodeset seen = { NULL, 0, 0 };
	uint32_t *st = NULL, k, v, m, x, r = 0, *items = NULL;
	size_t n = 0, cap = 0, nitems = 0, capitems = 0;

	if (map == 0 || doc->nodes[map].type != LC_YMAP)
		return 0;
	if ((r = own_get(doc, map, key, keylen)) != 0)
		return r;
	push_node(&st, &n, &cap, map);
	while (n > 0) {
		m = st[--n];
		if (!nodeset_add(&seen, m))
			continue;
		if (m != map && (r = own_get(doc, m, key, keylen)) != 0) {
			*merged = 1;
			break;
		}
		/* Its merge sources, pushed last first. */
		nitems = 0;
		for (k = doc->nodes[m].first; k; k = doc->nodes[v].next) {
			v = doc->nodes[k].next;
			if (v == 0)
				break;
			if (!key_is(doc, k, "<<", 2) ||
			    doc->nodes[k].style != LC_YPLAIN)
				continue;
			if ((v = deref(doc, v)) && doc->nodes[v].type == LC_YSEQ)
				for (x = doc->nodes[v].first; x;
				    x = doc->nodes[x].next)
					push_node(&items, &nitems, &capitems,
					    deref(doc, x));
			else
				push_node(&items, &nitems, &capitems, v);
			v = doc->nodes[k].next;
		}
		while (nitems > 0)
			if ((x = items[--nitems]) != 0 &&
			    doc->nodes[x].type == LC_YMAP)
				push_node(&st, &n, &cap, x);
	}
	free(items);
	free(st);
	free(seen.slot);
	return r;
}

uint32_t
lc_yaml_edit_map_get(const struct lc_ydoc *doc, uint32_t map, const char *key,
    size_t keylen, int *merged)
{
	*merged = 0;
	return map_get(doc, map, key, keylen, merged);
}

uint32_t
lc_yaml_edit_node_key(const struct lc_ydoc *doc, uint32_t v)
{
	/* O(1): a loop over the siblings made edits of wide maps quadratic. */
	return doc->nodes[v].isval ? doc->nodes[v].prev : 0;
}

void
lc_yaml_edit_where(const struct lc_ydoc *doc, size_t off, long *line, long *col)
{
	size_t ls = line_start(doc->text, off), i;
	long c = 1;

	*line = (long)(doc->line0 + count_lines(doc->text, ls)) + 1;
	for (i = ls; i < off; i++)
		if (((unsigned char)doc->text[i] & 0xc0) != 0x80)
			c++;
	*col = c;
}

/* Scalar typing and formatting. */

static int
all_of(const char *s, size_t n, const char *set)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strchr(set, s[i]) == NULL || s[i] == '\0')
			return 0;
	return n > 0;
}

static int
is_one_of(const char *s, size_t n, const char *const *words)
{
	for (; *words; words++)
		if (strlen(*words) == n && memcmp(*words, s, n) == 0)
			return 1;
	return 0;
}

/* [-+]? digits with '_' ... the body of YAML 1.1 and 1.2 numbers. */
static int
is_number(const char *s, size_t n)
{
	size_t i = 0, d;
	int dot = 0, digits = 0;

	if (n > 0 && (s[0] == '-' || s[0] == '+'))
		i++;
	if (i == n)
		return 0;
	if (n - i > 2 && s[i] == '0' && strchr("xXoObB", s[i + 1]) != NULL)
		return all_of(s + i + 2, n - i - 2,
		    "0123456789abcdefABCDEF_");
	if (n - i == 4 && (memcmp(s + i, ".inf", 4) == 0 ||
	    memcmp(s + i, ".Inf", 4) == 0 || memcmp(s + i, ".INF", 4) == 0))
		return 1;
	for (; i < n; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			digits++;
		else if (s[i] == '_' && digits)
			;
		else if (s[i] == '.' && !dot)
			dot = 1;
		else if (s[i] == ':' && digits && !dot) {
			/* YAML 1.1 base 60: 1:30, 190:20:30 */
			for (d = i + 1; d < n && s[d] >= '0' && s[d] <= '9'; d++)
				;
			if (d == i + 1 || d - i - 1 > 2)
				return 0;
			i = d - 1;
		} else if ((s[i] == 'e' || s[i] == 'E') && digits) {
			i++;
			if (i < n && (s[i] == '-' || s[i] == '+'))
				i++;
			return i < n && all_of(s + i, n - i, "0123456789");
		} else
			return 0;
	}
	return digits > 0;
}

static int
is_timestamp(const char *s, size_t n)
{
	size_t i = 0, d;

	for (d = 0; i < n && s[i] >= '0' && s[i] <= '9'; i++, d++)
		;
	if (d != 4 || i >= n || s[i] != '-')
		return 0;
	for (d = 0, i++; i < n && s[i] >= '0' && s[i] <= '9'; i++, d++)
		;
	if (d < 1 || d > 2 || i >= n || s[i] != '-')
		return 0;
	for (d = 0, i++; i < n && s[i] >= '0' && s[i] <= '9'; i++, d++)
		;
	return d >= 1 && d <= 2;
}

enum lc_ylit_kind
lc_yaml_edit_resolve(const char *s, size_t n)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL",
	    NULL };
	/* YAML 1.1 booleans too: Kubernetes reads with YAML 1.1 rules. */
	static const char *const bools[] = { "true", "True", "TRUE", "false",
	    "False", "FALSE", "yes", "Yes", "YES", "no", "No", "NO", "on",
	    "On", "ON", "off", "Off", "OFF", "y", "Y", "n", "N", NULL };
	static const char *const floats[] = { ".nan", ".NaN", ".NAN", NULL };

	if (is_one_of(s, n, nulls))
		return LC_YL_NULL;
	if (is_one_of(s, n, bools))
		return LC_YL_BOOL;
	if (is_one_of(s, n, floats) || is_number(s, n))
		return LC_YL_NUM;
	return LC_YL_STR;
}

/* Whether text would read back as something other than a string. */
static int
plain_is_typed(const char *s, size_t n)
{
	return lc_yaml_edit_resolve(s, n) != LC_YL_STR || is_timestamp(s, n) ||
	    (n == 1 && s[0] == '=') || (n == 2 && memcmp(s, "<<", 2) == 0);
}

/*
 * Length of a character at s that YAML cannot hold as it is (a line
 * break, a C1 control, a BOM, U+FFFE or U+FFFF: outside YAML's printable
 * set), which a double-quoted scalar escapes; its code point in *cp.
 */
static size_t
special_cp(const unsigned char *s, size_t n, unsigned long *cp)
{
	if (n >= 2 && s[0] == 0xc2 && s[1] >= 0x80 && s[1] <= 0x9f) {
		*cp = s[1];
		return 2;
	}
	if (n >= 3 && s[0] == 0xe2 && s[1] == 0x80 &&
	    (s[2] == 0xa8 || s[2] == 0xa9)) {
		*cp = 0x2000 | (s[2] & 0x3f);
		return 3;
	}
	if (n >= 3 && s[0] == 0xef && ((s[1] == 0xbb && s[2] == 0xbf) ||
	    (s[1] == 0xbf && (s[2] == 0xbe || s[2] == 0xbf)))) {
		*cp = s[1] == 0xbb ? 0xfeff : 0xfffeu + (s[2] == 0xbf);
		return 3;
	}
	return 0;
}

static size_t
special_at(const unsigned char *s, size_t n)
{
	unsigned long cp;

	return special_cp(s, n, &cp);
}

size_t
lc_yaml_edit_utf8_check(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned long c;
	size_t i = 0, k, j;

	while (i < n) {
		if (u[i] < 0x80) {
			i++;
			continue;
		}
		if (u[i] >= 0xc2 && u[i] <= 0xdf)
			k = 1, c = u[i] & 0x1f;
		else if (u[i] >= 0xe0 && u[i] <= 0xef)
			k = 2, c = u[i] & 0x0f;
		else if (u[i] >= 0xf0 && u[i] <= 0xf4)
			k = 3, c = u[i] & 0x07;
		else
			return i;
		if (n - i <= k)
			return i;
		for (j = 1; j <= k; j++) {
			if ((u[i + j] & 0xc0) != 0x80)
				return i;
			c = c << 6 | (u[i + j] & 0x3f);
		}
		/* Overlong forms, surrogates, past U+10FFFF. */
		if ((k == 2 && c < 0x800) || (k == 3 && c < 0x10000) ||
		    (c >= 0xd800 && c < 0xe000) || c > 0x10ffff)
			return i;
		i += k + 1;
	}
	return n;
}

static int
plain_ok(const char *s, size_t n, int flow)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i;

	if (n == 0 || plain_is_typed(s, n))
		return 0;
	if (strchr(",[]{}#&*!|>'\"%@`", s[0]) != NULL)
		return 0;
	if (strchr("-?:", s[0]) != NULL &&
	    (n == 1 || s[1] == ' ' || (flow && strchr(",[]{}", s[1]))))
		return 0;
	if (s[0] == ' ' || s[n - 1] == ' ' || s[n - 1] == ':')
		return 0;
	if (n >= 3 && (memcmp(s, "---", 3) == 0 || memcmp(s, "...", 3) == 0))
		return 0;
	for (i = 0; i < n; i++) {
		if (u[i] < 0x20 || u[i] == 0x7f || special_at(u + i, n - i))
			return 0;
		if (s[i] == ':' && i + 1 < n && (s[i + 1] == ' ' ||
		    (flow && strchr(",[]{}", s[i + 1]))))
			return 0;
		if (s[i] == '#' && s[i - 1] == ' ')
			return 0;
		if (flow && strchr(",[]{}", s[i]) != NULL)
			return 0;
	}
	return 1;
}

static int
single_ok(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i;

	for (i = 0; i < n; i++)
		if ((u[i] < 0x20 && u[i] != '\t') || u[i] == 0x7f ||
		    special_at(u + i, n - i))
			return 0;
	/* Leading or trailing blanks of a quoted line fold away. */
	return !(n > 0 && (s[0] == '\t' || s[n - 1] == '\t'));
}

/* Whether s can be a block scalar whose lines we indent ourselves. */
static int
block_ok(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i;
	int bol = 1;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		if ((u[i] < 0x20 && u[i] != '\n' && u[i] != '\t') ||
		    u[i] == 0x7f || special_at(u + i, n - i))
			return 0;
		/* Leading blanks would need an indentation indicator. */
		if (bol && (s[i] == ' ' || s[i] == '\t'))
			return 0;
		bol = s[i] == '\n';
	}
	return 1;
}

static void
add_spaces(struct lc_buf *out, int n)
{
	while (n-- > 0)
		lc_buf_addc(out, ' ');
}

static void
format_double(struct lc_buf *out, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned long cp;
	size_t i, k;

	lc_buf_addc(out, '"');
	for (i = 0; i < n; i++) {
		if ((k = special_cp(u + i, n - i, &cp)) != 0) {
			if (cp == 0x85 || cp == 0x2028 || cp == 0x2029)
				lc_buf_adds(out, cp == 0x85 ? "\\N" :
				    cp == 0x2028 ? "\\L" : "\\P");
			else if (cp < 0x100)
				lc_buf_printf(out, "\\x%02lx", cp);
			else
				lc_buf_printf(out, "\\u%04lX", cp);
			i += k - 1;
			continue;
		}
		switch (s[i]) {
		case '"':
			lc_buf_adds(out, "\\\"");
			break;
		case '\\':
			lc_buf_adds(out, "\\\\");
			break;
		case '\n':
			lc_buf_adds(out, "\\n");
			break;
		case '\t':
			lc_buf_adds(out, "\\t");
			break;
		case '\r':
			lc_buf_adds(out, "\\r");
			break;
		default:
			if (u[i] < 0x20 || u[i] == 0x7f)
				lc_buf_printf(out, "\\x%02x", u[i]);
			else
				lc_buf_addc(out, s[i]);
		}
	}
	lc_buf_addc(out, '"');
}

static void
format_single(struct lc_buf *out, const char *s, size_t n)
{
	size_t i;

	lc_buf_addc(out, '\'');
	for (i = 0; i < n; i++) {
		if (s[i] == '\'')
			lc_buf_addc(out, '\'');
		lc_buf_addc(out, s[i]);
	}
	lc_buf_addc(out, '\'');
}

/* "|" or ">" block with chomping from the trailing newlines; ends in eol. */
static void
format_block(struct lc_buf *out, const char *s, size_t n, int folded,
    int indent, const char *eol)
{
	size_t body = n, trail, i, ls;

	while (body > 0 && s[body - 1] == '\n')
		body--;
	trail = n - body;
	lc_buf_addc(out, folded ? '>' : '|');
	if (trail == 0)
		lc_buf_addc(out, '-');
	else if (trail > 1)
		lc_buf_addc(out, '+');
	lc_buf_adds(out, eol);
	for (i = ls = 0; i <= body; i++) {
		if (i < body && s[i] != '\n')
			continue;
		if (i > ls) {
			add_spaces(out, indent);
			lc_buf_add(out, s + ls, i - ls);
		}
		lc_buf_adds(out, eol);
		/* Folded: a single newline between lines would fold to a space. */
		if (folded && i < body && i > ls && i + 1 < body &&
		    s[i + 1] != '\n')
			lc_buf_adds(out, eol);
		ls = i + 1;
	}
	for (i = 1; i < trail; i++)
		lc_buf_adds(out, eol);
}

void
lc_yaml_edit_format_scalar(struct lc_buf *out, const struct lc_ylit *v, int style,
    int flow, int indent, const char *eol)
{
	switch (v->kind) {
	case LC_YL_NULL:
		lc_buf_adds(out, "null");
		return;
	case LC_YL_BOOL:
	case LC_YL_NUM:
		lc_buf_add(out, v->s, v->n);
		return;
	case LC_YL_STR:
		break;
	default:
		assert(!"collection passed to lc_yaml_edit_format_scalar");
		return;
	}
	if ((style == LC_YLITERAL || style == LC_YFOLDED) && !flow &&
	    block_ok(v->s, v->n) && (style == LC_YLITERAL ||
	    memchr(v->s, '\t', v->n) == NULL)) {
		format_block(out, v->s, v->n, style == LC_YFOLDED, indent, eol);
		return;
	}
	if (style == LC_YSINGLE && single_ok(v->s, v->n))
		format_single(out, v->s, v->n);
	else if (style != LC_YDOUBLE && style != LC_YSINGLE &&
	    plain_ok(v->s, v->n, flow))
		lc_buf_add(out, v->s, v->n);
	else
		format_double(out, v->s, v->n);
}

/* Layout helpers for edits. */

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
		doc->edits = lc_xrealloc(doc->edits,
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
		add_spaces(out, indent);
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
		add_spaces(out, col);
		lc_buf_adds(out, "- ");
		if (v[i].kind == LC_YL_MAP && v[i].nkids > 0)
			emit_pairs(doc, out, &v[i], col + 2, 1);
		else if (lit_coll(&v[i])) {
			emit_flow(out, &v[i], doc->eol);
			lc_buf_adds(out, doc->eol);
		} else {
			lc_yaml_edit_format_scalar(out, &v[i], style, 0, col + 2,
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
		last = p = prop_end(doc->text, p, nd->vstart);
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
			lc_yaml_edit_format_scalar(&val, v, nd->type == LC_YSCALAR ?
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
	chain = lc_xmalloc(3 * nkeys * sizeof(*chain));
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
	} else if (nd->type == LC_YSCALAR && lc_yaml_edit_node_is_null(doc, n)) {
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
				lc_yaml_edit_format_scalar(&t, &items[i], style, 1,
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
		return lc_error_set(LC_EUSAGE, "cannot delete the document root");
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
	conv_init(&conv, nt.data, nt.len);
	if (!yaml_parser_initialize(&parser)) {
		rc = lc_error_set(LC_ENOMEM, "out of memory");
		goto done;
	}
	yaml_parser_set_input_string(&parser, (unsigned char *)nt.data, nt.len);
	doc_reset_tree(doc);
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
			if ((rc = parse_nodes(&ps, &docend, doc->name)) != 0)
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

	n = deref(doc, n);
	nd = &doc->nodes[n];
	if (n == 0 || (nd->type == LC_YSCALAR && lc_yaml_edit_node_is_null(doc, n) &&
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

/* Keeping every document of a stream (yq's eval-all). */

static int
keep_doc(struct lc_ydoc *doc, void *arg)
{
	struct lc_ystream *s = arg;

	if (s->ndocs == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 4;
		s->docs = lc_xrealloc(s->docs, s->cap * sizeof(*s->docs));
		s->lens = lc_xrealloc(s->lens, s->cap * sizeof(*s->lens));
	}
	s->lens[s->ndocs] = doc->len;
	/* The stream releases what is left: nothing, once moved. */
	s->docs[s->ndocs++] = *doc;
	memset(doc, 0, sizeof(*doc));
	return 0;
}

int
lc_yaml_edit_stream_load(struct lc_ystream *s, const char *name, const char *data,
    size_t len)
{
	int rc;

	memset(s, 0, sizeof(*s));
	s->data = data;
	s->len = len;
	if ((rc = lc_yaml_edit_stream(name, data, len, keep_doc, s, NULL)) != 0)
		lc_yaml_edit_stream_release(s);
	return rc;
}

void
lc_yaml_edit_stream_out(struct lc_ystream *s, struct lc_yout *out)
{
	struct lc_ydoc *doc;
	size_t i, prev = 0;

	for (i = 0; i < s->ndocs; i++) {
		doc = &s->docs[i];
		out_add(out, s->data + prev, doc->base - prev);
		out_doc(out, doc, s->data + doc->base, s->lens[i]);
		prev = doc->base + s->lens[i];
	}
	out_add(out, s->data + prev, s->len - prev);
}

void
lc_yaml_edit_stream_release(struct lc_ystream *s)
{
	size_t i;

	for (i = 0; i < s->ndocs; i++)
		doc_release(&s->docs[i]);
	free(s->docs);
	free(s->lens);
	memset(s, 0, sizeof(*s));
}
