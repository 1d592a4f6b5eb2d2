/* roundtrip_test.c: set scalars across a YAML corpus (tests/data/yaml); only their bytes may change. */
#include <dirent.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#include "error.h"
#include "fileio.h"
#include "tap.h"
#include "yaml_edit.h"
#include "yaml_expr.h"

/*
 * For each corpus file, every value scalar (a sample of them in large
 * files) is set to a new value, half through lc_yaml_edit_set and half through
 * a path expression. The output must equal the input outside the value's
 * bytes, and libyaml must read the same events from it except for that one
 * scalar, which must carry the new value.
 */

static const char *const newvals[] = {
	"new-value", "1.10", "with: colon # hash", "ünï 🛑", "line1\nline2\n",
	"", "it's \"q\"", "true",
};

struct target {
	int doc;
	uint32_t node;
};

struct collect {
	struct target *t;
	size_t n, cap;
};

struct edit {
	struct target t;
	const char *val;
	int via_expr;
	size_t s, e;	/* file bytes replaced */
	int done;
	int same;	/* the node held the new value already */
	char why[256];
};

struct event {
	int type;
	char *val, *anchor;
};

struct events {
	struct event *v;
	size_t n, cap;
};

static int
value_scalar(const struct lc_ydoc *doc, uint32_t n)
{
	uint32_t p = doc->nodes[n].parent;

	if (doc->nodes[n].type != LC_YSCALAR)
		return 0;
	if (p == 0 || doc->nodes[p].type == LC_YSEQ)
		return 1;
	return lc_yaml_edit_node_key(doc, n) != 0;
}

static int
on_collect(struct lc_ydoc *doc, void *arg)
{
	struct collect *c = arg;
	uint32_t n;

	for (n = 1; n < doc->nnodes; n++) {
		if (!value_scalar(doc, n))
			continue;
		if (c->n == c->cap) {
			c->cap = c->cap ? c->cap * 2 : 256;
			c->t = realloc(c->t, c->cap * sizeof(*c->t));
		}
		c->t[c->n].doc = doc->index;
		c->t[c->n++].node = n;
	}
	return 0;
}

/* A path expression that names node n, or 0 when keys are not plain. */
static int
path_of(const struct lc_ydoc *doc, uint32_t n, struct lc_buf *b)
{
	uint32_t p = doc->nodes[n].parent, k, i;
	const unsigned char *v;
	size_t len, j;

	if (p == 0) {
		lc_buf_addc(b, '.');
		return 1;
	}
	if (!path_of(doc, p, b))
		return 0;
	if (doc->nodes[p].type == LC_YSEQ) {
		for (i = 0, k = doc->nodes[p].first; k != n;
		    k = doc->nodes[k].next)
			i++;
		lc_buf_printf(b, "[%u]", i);
		return 1;
	}
	k = lc_yaml_edit_node_key(doc, n);
	if (doc->nodes[k].type != LC_YSCALAR)
		return 0;
	v = (const unsigned char *)lc_yaml_edit_node_value(doc, k, &len);
	lc_buf_adds(b, "[\"");
	for (j = 0; j < len; j++) {
		if (v[j] == '"' || v[j] == '\\')
			lc_buf_printf(b, "\\%c", v[j]);
		else if (v[j] < 0x20)
			lc_buf_printf(b, "\\u%04x", v[j]);
		else
			lc_buf_addc(b, v[j]);
	}
	lc_buf_adds(b, "\"]");
	return 1;
}

static int
on_edit(struct lc_ydoc *doc, void *arg)
{
	struct edit *ed = arg;
	struct lc_ylit v;
	struct lc_buf expr = LC_BUF_INIT, val = LC_BUF_INIT, out = LC_BUF_INIT;
	struct lc_yexpr *e;
	struct lc_yexpr_env env;
	const struct lc_ynode *nd;
	size_t i;
	int rc, whole;

	if (doc->index != ed->t.doc)
		return 0;
	nd = &doc->nodes[ed->t.node];
	lc_yaml_edit_node_value(doc, ed->t.node, &i);
	ed->same = i == strlen(ed->val) && memcmp(lc_yaml_edit_node_value(doc,
	    ed->t.node, &i), ed->val, i) == 0 &&
	    lc_yaml_edit_node_kind(doc, ed->t.node) == LC_YL_STR;
	ed->s = doc->base + nd->vstart;
	ed->e = doc->base + nd->end;
	memset(&v, 0, sizeof(v));
	v.kind = LC_YL_STR;
	v.s = ed->val;
	v.n = strlen(ed->val);
	if (ed->via_expr && path_of(doc, ed->t.node, &expr)) {
		for (i = 0; ed->val[i]; i++)
			if (ed->val[i] == '\n')
				lc_buf_adds(&val, "\\n");
			else if (ed->val[i] == '"' || ed->val[i] == '\\')
				lc_buf_printf(&val, "\\%c", ed->val[i]);
			else
				lc_buf_addc(&val, ed->val[i]);
		lc_buf_printf(&expr, " = \"%s\"", val.data ? val.data : "");
		memset(&env, 0, sizeof(env));
		if ((rc = lc_yaml_expr_parse(&e, expr.data, NULL, 0)) == 0) {
			rc = lc_yaml_expr_eval(e, doc, &env, &out, &whole);
			lc_yaml_expr_free(e);
		}
		if (rc == 0 && env.matched != 1)
			rc = lc_error_set(LC_ERROR, "matched %ld", env.matched);
		if (rc != 0)
			snprintf(ed->why, sizeof(ed->why), "expr %.60s: %s",
			    expr.data, lc_error_msg());
	} else {
		if ((rc = lc_yaml_edit_set(doc, ed->t.node, &v)) == 0)
			rc = lc_yaml_edit_commit(doc);
		if (rc != 0)
			snprintf(ed->why, sizeof(ed->why), "set: %s",
			    lc_error_msg());
	}
	lc_buf_release(&expr);
	lc_buf_release(&val);
	lc_buf_release(&out);
	ed->done = rc == 0;
	return rc;
}

static void
events_add(struct events *ev, const yaml_event_t *e)
{
	struct event *x;

	if (ev->n == ev->cap) {
		ev->cap = ev->cap ? ev->cap * 2 : 1024;
		ev->v = realloc(ev->v, ev->cap * sizeof(*ev->v));
	}
	x = &ev->v[ev->n++];
	x->type = e->type;
	x->val = x->anchor = NULL;
	if (e->type == YAML_SCALAR_EVENT) {
		x->val = strndup((const char *)e->data.scalar.value,
		    e->data.scalar.length);
		if (e->data.scalar.anchor)
			x->anchor = strdup((const char *)e->data.scalar.anchor);
	} else if (e->type == YAML_ALIAS_EVENT)
		x->anchor = strdup((const char *)e->data.alias.anchor);
}

static void
events_free(struct events *ev)
{
	size_t i;

	for (i = 0; i < ev->n; i++) {
		free(ev->v[i].val);
		free(ev->v[i].anchor);
	}
	free(ev->v);
	memset(ev, 0, sizeof(*ev));
}

static int
read_events(const char *p, size_t n, struct events *ev)
{
	yaml_parser_t parser;
	yaml_event_t e;
	int done = 0, rc = 0;

	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, (const unsigned char *)p, n);
	while (!done) {
		if (!yaml_parser_parse(&parser, &e)) {
			rc = -1;
			break;
		}
		events_add(ev, &e);
		done = e.type == YAML_STREAM_END_EVENT;
		/* A plain scalar's type is part of what must not change. */
		if (e.type == YAML_SCALAR_EVENT &&
		    e.data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
		    lc_yaml_edit_resolve((const char *)e.data.scalar.value,
		    e.data.scalar.length) != LC_YL_STR)
			ev->v[ev->n - 1].type = 100;
		yaml_event_delete(&e);
	}
	yaml_parser_delete(&parser);
	return rc;
}

static int
same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

/* One edit of one file: "" when it holds, else what went wrong. */
static const char *
check(const char *name, const struct lc_buf *in, const struct events *orig,
    struct edit *ed)
{
	static char why[512];
	struct lc_yout pieces = LC_YOUT_INIT;
	struct lc_buf out = LC_BUF_INIT;
	struct events got = { NULL, 0, 0 };
	size_t i, diffs = 0, at = 0, tail;

	why[0] = '\0';
	if (lc_yaml_edit_stream(name, in->data, in->len, on_edit, ed, &pieces) != 0 ||
	    !ed->done) {
		snprintf(why, sizeof(why), "edit failed: %s", ed->why[0] ?
		    ed->why : lc_error_msg());
		goto done;
	}
	lc_yaml_edit_out_join(&pieces, &out);
	tail = in->len - ed->e;
	if (out.len < ed->s + tail || memcmp(out.data, in->data, ed->s) != 0 ||
	    memcmp(out.data + out.len - tail, in->data + ed->e, tail) != 0) {
		snprintf(why, sizeof(why), "bytes outside [%zu, %zu) changed",
		    ed->s, ed->e);
		goto done;
	}
	if (read_events(out.data, out.len, &got) != 0) {
		snprintf(why, sizeof(why), "the output does not parse");
		goto done;
	}
	if (got.n != orig->n) {
		snprintf(why, sizeof(why), "%zu events, not %zu", got.n,
		    orig->n);
		goto done;
	}
	for (i = 0; i < got.n; i++)
		if (got.v[i].type != orig->v[i].type ||
		    !same(got.v[i].val, orig->v[i].val) ||
		    !same(got.v[i].anchor, orig->v[i].anchor)) {
			diffs++;
			at = i;
		}
	if (diffs == 0 && ed->same)
		goto done;	/* the value was already there */
	if (diffs != 1 || got.v[at].type != YAML_SCALAR_EVENT ||
	    !same(got.v[at].val, ed->val) ||
	    !same(got.v[at].anchor, orig->v[at].anchor))
		snprintf(why, sizeof(why), "%zu events differ (last at %zu: "
		    "'%.40s')", diffs, at, got.v[at].val ? got.v[at].val : "");
done:
	events_free(&got);
	lc_buf_release(&out);
	lc_yaml_edit_out_release(&pieces);
	return why;
}

static void
test_file(const char *path, const char *name)
{
	struct lc_buf in = LC_BUF_INIT;
	struct collect c = { NULL, 0, 0 };
	struct events orig = { NULL, 0, 0 };
	struct edit ed;
	const char *why = "";
	size_t i, step, max, tried = 0;

	if (lc_fileio_read(&in, path) != 0 ||
	    lc_yaml_edit_stream(name, in.data, in.len, on_collect, &c, NULL) != 0 || read_events(in.data, in.len, &orig) != 0) {
		ok(0, "%s: read and parse", name);
		goto done;
	}
	/* Every scalar of small files; an even sample of large ones. */
	max = in.len > 1000000 ? 100 : in.len > 65536 ? 400 : c.n;
	step = c.n > max ? c.n / max : 1;
	for (i = 0; i < c.n && why[0] == '\0'; i += step, tried++) {
		memset(&ed, 0, sizeof(ed));
		ed.t = c.t[i];
		ed.val = newvals[tried % (sizeof(newvals) / sizeof(newvals[0]))];
		ed.via_expr = tried % 2;
		why = check(name, &in, &orig, &ed);
	}
	if (why[0] != '\0')
		ok(0, "%s: scalar %zu of %zu (doc %d node %u, '%s', via %s): %s",
		    name, i - step, c.n, ed.t.doc, ed.t.node, ed.val,
		    ed.via_expr ? "expression" : "set", why);
	else
		ok(tried > 0 || c.n == 0, "%s: %zu of %zu scalars set, only their "
		    "bytes changed", name, tried, c.n);
done:
	free(c.t);
	events_free(&orig);
	lc_buf_release(&in);
}

static int files;

static void
walk(const char *dir, const char *rel)
{
	struct dirent **ents;
	struct stat st;
	char path[4096], name[4096];
	int n, i;
	size_t len;

	if ((n = scandir(dir, &ents, NULL, alphasort)) < 0)
		return;
	for (i = 0; i < n; i++) {
		if (ents[i]->d_name[0] == '.') {
			free(ents[i]);
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, ents[i]->d_name);
		snprintf(name, sizeof(name), "%s%s%s", rel, *rel ? "/" : "",
		    ents[i]->d_name);
		len = strlen(name);
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
			walk(path, name);
		else if ((len > 5 && strcmp(name + len - 5, ".yaml") == 0) ||
		    (len > 4 && strcmp(name + len - 4, ".yml") == 0)) {
			test_file(path, name);
			files++;
		}
		free(ents[i]);
	}
	free(ents);
}

int
main(int argc, char *argv[])
{
	const char *corpus = argc > 1 ? argv[1] : getenv("YAML_CORPUS");
	struct stat st;

	/*
	 * The files in the tree (make check runs from the top); pass a
	 * directory or set YAML_CORPUS to check a larger corpus by hand.
	 */
	if (corpus == NULL)
		corpus = "tests/data/yaml";
	if (stat(corpus, &st) != 0 || !S_ISDIR(st.st_mode)) {
		ok(0, "no YAML files at '%s' (run from the top of the tree)",
		    corpus);
		return done_testing();
	}
	walk(corpus, "");
	ok(files > 0, "%d files under '%s'", files, corpus);
	return done_testing();
}
