/* yaml_edit_node.c: reading a document tree: values, kinds, keys, merges. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "error.h"
#include "yaml_edit.h"
#include "yaml_edit_int.h"

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

uint32_t
lc_yaml_edit_node_deref(const struct lc_ydoc *doc, uint32_t n)
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
		g.slot = lc_buf_xmalloc(g.cap * sizeof(*g.slot));
		memset(g.slot, 0, g.cap * sizeof(*g.slot));
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
		*st = lc_buf_xrealloc(*st, *cap * sizeof(**st));
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
			if ((v = lc_yaml_edit_node_deref(doc,
			    v)) && doc->nodes[v].type == LC_YSEQ)
				for (x = doc->nodes[v].first; x;
				    x = doc->nodes[x].next)
					push_node(&items, &nitems, &capitems,
					    lc_yaml_edit_node_deref(doc, x));
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

	*line = (long)(doc->line0 +
	    lc_yaml_edit_count_lines(doc->text, ls)) + 1;
	for (i = ls; i < off; i++)
		if (((unsigned char)doc->text[i] & 0xc0) != 0x80)
			c++;
	*col = c;
}
