/* promote_raw.c: --raw: the image: fields of plain manifests, collected and rewritten. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "buf.h"
#include "error.h"
#include "git.h"
#include "imgref.h"
#include "promote_int.h"
#include "yaml_edit.h"
#include "yaml_out.h"

struct raw_ctx {
	struct lc_promote *st;
	const struct lc_promote_opts *o;
	const char *file;
	int edit;		/* 0: collect into st->g; 1: rewrite */
	int edits;
};

/* The repository part of an image: field ("" when it is not one). */
static int
raw_ref(const char *v, size_t n, struct lc_imgref *r, char *repo, size_t rn)
{
	char buf[REF_MAX];

	/* Longer than any reference imgref takes: not an image. */
	if (n >= sizeof(buf))
		return -1;
	snprintf(buf, sizeof(buf), "%.*s", (int)n, v);
	if (lc_imgref_parse(r, buf, 1) != 0) {
		lc_error_clear();
		return -1;
	}
	snprintf(repo, rn, "%.*s", (int)(strcspn(buf, "@") -
	    (r->tag[0] ? strlen(r->tag) + 1 : 0)), buf);
	return 0;
}

static int
raw_doc(struct lc_ydoc *d, void *arg)
{
	struct raw_ctx *c = arg;
	struct lc_promote *st = c->st;
	struct lc_imgref r;
	char repo[REF_MAX], val[REF_MAX];
	const char *v, *k;
	size_t vn, kn;
	uint32_t i, key;
	int g, rc;

	for (i = 1; i < d->nnodes; i++) {
		if (LC_YN(d, i)->type != LC_YSCALAR || (key = lc_yaml_edit_node_key(d,
		    i)) == 0 || key == i)
			continue;
		k = lc_yaml_edit_node_value(d, key, &kn);
		if (kn != 5 || strncmp(k, "image", 5) != 0)
			continue;
		v = lc_yaml_edit_node_value(d, i, &vn);
		if (raw_ref(v, vn, &r, repo, sizeof(repo)) != 0)
			continue;
		if (!c->edit) {
			/* Few: the images of a set of manifests, not apps. */
			for (g = 0; g < st->ng && strcmp(st->g[g].name, repo); g++)
				;
			if (g < st->ng) {
				if (strcmp(st->g[g].tag, r.tag) ||
				    strcmp(st->g[g].digest, r.digest))
					return lc_error_set(LC_ERROR, "%s: %s has two "
					    "versions in the source (%s and %s)",
					    c->file, repo, st->g[g].tag, r.tag);
				continue;
			}
			if (!lc_promote_wanted(c->o, repo))
				continue;
			GROW(st->g, st->ng, st->cg);
			memset(&st->g[st->ng], 0, sizeof(st->g[0]));
			st->g[st->ng].seq = st->ng;
			if ((rc = fit(st->g[st->ng].name, sizeof(st->g[0].name),
			    "the image", "%s", repo)) != 0)
				return rc;
			memcpy(st->g[st->ng].tag, r.tag, strlen(r.tag) + 1);
			memcpy(st->g[st->ng].digest, r.digest, strlen(r.digest) +
			    1);
			st->ng++;
			continue;
		}
		for (g = 0; g < st->ng && strcmp(st->g[g].name, repo); g++)
			;
		if (g == st->ng)
			continue;
		{
			const char *dg = st->g[g].digest[0] ? st->g[g].digest :
			    lc_promote_pinned(st, repo);
			struct lc_promote_change *ch = lc_promote_new_change(st);
			struct lc_ylit lit;

			memcpy(ch->name, st->g[g].name, sizeof(ch->name));
			if ((rc = fit(ch->file, sizeof(ch->file), "the path",
			    "%s", c->file)) != 0)
				return rc;
			memcpy(ch->tag, st->g[g].tag, sizeof(ch->tag));
			memcpy(ch->digest, dg, strlen(dg) + 1);
			snprintf(ch->prev, sizeof(ch->prev), "%.*s", (int)vn, v);
			if ((rc = fit(val, sizeof(val), "the image", "%s%s%s%s%s",
			    repo, st->g[g].tag[0] ? ":" : "", st->g[g].tag, *dg ?
			    "@" : "", dg)) != 0)
				return rc;
			memcpy(ch->next, val, sizeof(ch->next));
			ch->differs = strcmp(ch->prev, ch->next) != 0;
			if (!ch->differs)
				continue;
			memset(&lit, 0, sizeof(lit));
			lit.kind = LC_YL_STR;
			lit.s = val;
			lit.n = strlen(val);
			if ((rc = lc_yaml_edit_set(d, i, &lit)) != 0)
				return rc;
			c->edits++;
		}
	}
	if (c->edit && c->edits) {
		c->edits = 0;
		return lc_yaml_edit_commit(d);
	}
	return 0;
}

struct walk_ctx {
	struct lc_promote_names files;
	const char *dir;
};

static int
collect_yaml(const char *root, const git_tree_entry *e, void *arg)
{
	struct walk_ctx *w = arg;
	struct lc_buf b = LC_BUF_INIT;
	const char *name = git_tree_entry_name(e);
	size_t n = strlen(name);

	if (git_tree_entry_type(e) != GIT_OBJECT_BLOB)
		return 0;
	if ((n > 5 && strcmp(name + n - 5, ".yaml") == 0) || (n > 4 &&
	    strcmp(name + n - 4, ".yml") == 0)) {
		lc_buf_printf(&b, "%s/%s%s", w->dir, root, name);
		lc_promote_names_add(&w->files, b.data, b.len);
		lc_buf_release(&b);
	}
	return 0;
}

/* Every YAML file under dir of tree (recursively, sorted). */
static int
yaml_files(git_repository *repo, git_tree *tree, const char *dir,
    struct walk_ctx *w)
{
	git_tree_entry *e = NULL;
	git_tree *sub = NULL;
	int rc;

	lc_promote_names_release(&w->files);
	w->dir = dir;
	if (git_tree_entry_bypath(&e, tree, dir) != 0 ||
	    git_tree_lookup(&sub, repo, git_tree_entry_id(e)) != 0) {
		git_tree_entry_free(e);
		return lc_error_set(LC_ENOTFOUND, "%s: no such directory", dir);
	}
	git_tree_entry_free(e);
	rc = git_tree_walk(sub, GIT_TREEWALK_PRE, collect_yaml, w);
	git_tree_free(sub);
	return rc == 0 ? 0 : lc_git_error(rc, dir);
}

/* --raw: image: fields of every YAML file under the env directories. */
int
lc_promote_raw_plan(struct lc_promote *st, const struct lc_promote_opts *o,
    git_tree *tree)
{
	struct walk_ctx w;
	struct lc_buf b = LC_BUF_INIT;
	struct lc_yout out = LC_YOUT_INIT;
	struct raw_ctx c;
	char dir[PATH_MAX_];
	int i, rc;

	memset(&c, 0, sizeof(c));
	memset(&w, 0, sizeof(w));
	c.st = st;
	c.o = o;
	if (o->from) {
		st->ng = 0;
		if ((rc = lc_promote_expand(o->path, o->from, NULL, dir, sizeof(dir))) != 0 ||
		    (rc = yaml_files(st->repo, tree, dir, &w)) != 0)
			goto out;
		for (i = 0; i < w.files.n; i++) {
			b.len = 0;
			c.file = w.files.v[i];
			if ((rc = lc_promote_read_path(st->repo, tree, c.file, &b)) != 0 ||
			    (rc = lc_yaml_edit_stream(c.file, b.data ? b.data : "",
			    b.len, raw_doc, &c, NULL)) != 0)
				goto out;
		}
		if (st->ng == 0) {
			rc = lc_error_set(LC_ENOTFOUND, "%s: no image: fields%s",
			    dir, o->nimages ? " of the images named" : "");
			goto out;
		}
	}
	if ((rc = lc_promote_expand(o->path, o->to, NULL, dir, sizeof(dir))) != 0 ||
	    (rc = yaml_files(st->repo, tree, dir, &w)) != 0)
		goto out;
	c.edit = 1;
	for (i = 0; i < w.files.n; i++) {
		struct lc_promote_target *t;

		GROW(st->t, st->nt, st->ct);
		t = &st->t[st->nt];
		memset(t, 0, sizeof(*t));
		if ((rc = fit(t->dst, sizeof(t->dst), "the path", "%s",
		    w.files.v[i])) != 0)
			goto out;
		c.file = t->dst;
		if ((rc = lc_promote_read_path(st->repo, tree, t->dst, &t->before)) != 0)
			goto out;
		lc_yaml_edit_out_release(&out);
		if ((rc = lc_yaml_edit_stream(t->dst, t->before.data ? t->before.data :
		    "", t->before.len, raw_doc, &c, &out)) != 0)
			goto out;
		lc_yaml_edit_out_join(&out, &t->after);
		t->changed = out.changed;
		st->nt++;
	}
	rc = 0;
out:
	lc_promote_names_release(&w.files);
	lc_yaml_edit_out_release(&out);
	lc_buf_release(&b);
	return rc;
}
