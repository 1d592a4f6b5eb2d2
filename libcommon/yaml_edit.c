/* yaml_edit.c: YAML edits that change only the bytes of the edited values. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "error.h"
#include "yaml_edit.h"
#include "yaml_edit_int.h"

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

void
lc_yaml_edit_conv_init(struct conv *c, const char *p, size_t len)
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

static uint32_t
newnode(struct lc_ydoc *doc)
{
	if (doc->nnodes == doc->cap) {
		doc->cap = doc->cap ? doc->cap * 2 : 256;
		doc->nodes = lc_buf_xrealloc(doc->nodes,
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

/*
 * Past the one "&anchor" or "!tag" at p. An anchor name ends where libyaml
 * ends it, at the first byte outside [0-9A-Za-z_-]; a tag runs to a blank.
 */
uint32_t
lc_yaml_edit_prop_end(const char *t, uint32_t p, uint32_t end)
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
		p = lc_yaml_edit_prop_end(t, p, end);
		while (p < end && blank_or_break((unsigned char)t[p]))
			p++;
	}
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
		ps->anchored = lc_buf_xmalloc(ps->capanchored *
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
int
lc_yaml_edit_parse_nodes(struct parse *ps, yaml_event_t *docend,
    const char *name)
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
			    memcmp(t + nd->vstart, ev.data.scalar.value,
			    vlen)) {
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
				lc_error_where(name,
				    (long)ev.start_mark.line + 1,
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
				set_anchor(ps, n,
				    ev.data.sequence_start.anchor);
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

void
lc_yaml_edit_doc_reset_tree(struct lc_ydoc *doc)
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

size_t
lc_yaml_edit_count_lines(const char *p, size_t n)
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
		out->iov = lc_buf_xrealloc(out->iov,
		    out->cap * sizeof(*out->iov));
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
		out->owned = lc_buf_xrealloc(out->owned, (out->nowned + 1) *
		    sizeof(*out->owned));
		n = doc->own.len;
		text = out->owned[out->nowned++] = lc_buf_detach(&doc->own);
		out->changed = 1;
	}
	if (out->ndocs == out->capdocs) {
		out->capdocs = out->capdocs ? out->capdocs * 2 : 8;
		out->docs = lc_buf_xrealloc(out->docs,
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
	lc_yaml_edit_conv_init(&conv, data, len);
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
			lc_yaml_edit_doc_reset_tree(&doc);
			doc.name = name;
			doc.index = ndocs++;
			doc.eol = detect_eol(data, len);
			doc.base = ps.base = s;
			lines += lc_yaml_edit_count_lines(data + linepos,
			    s - linepos);
			linepos = s;
			doc.line0 = lines;
			ps.doc = &doc;
			ps.depth = 0;
			ps.lastend = 0;
			anchors_reset(&ps);
			yaml_event_delete(&ev);
			if ((rc = lc_yaml_edit_parse_nodes(&ps, &docend,
			    name)) != 0)
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
		lc_yaml_edit_doc_reset_tree(&doc);
		doc.name = name;
		doc.eol = detect_eol(data, len);
		doc.line0 = lc_yaml_edit_count_lines(data, len);
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

/* Keeping every document of a stream (yq's eval-all). */

static int
keep_doc(struct lc_ydoc *doc, void *arg)
{
	struct lc_ystream *s = arg;

	if (s->ndocs == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 4;
		s->docs = lc_buf_xrealloc(s->docs, s->cap * sizeof(*s->docs));
		s->lens = lc_buf_xrealloc(s->lens, s->cap * sizeof(*s->lens));
	}
	s->lens[s->ndocs] = doc->len;
	/* The stream releases what is left: nothing, once moved. */
	s->docs[s->ndocs++] = *doc;
	memset(doc, 0, sizeof(*doc));
	return 0;
}

int
lc_yaml_edit_stream_load(struct lc_ystream *s, const char *name,
    const char *data,
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
