/* promote_plan.c: the plan: each target's new bytes, from the tree of one commit (kustomize overlays here). */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "buf.h"
#include "error.h"
#include "git.h"
#include "promote_int.h"
#include "yaml_edit.h"
#include "yaml_out.h"

/* "overlays/{env}" with env and app put in, into out (refused if longer). */
int
lc_promote_expand(const char *tmpl, const char *env, const char *app, char *out,
    size_t n)
{
	struct lc_buf b = LC_BUF_INIT;
	const char *p = tmpl;
	int rc;

	while (*p) {
		if (strncmp(p, "{env}", 5) == 0 || strncmp(p, "{app}", 5) == 0) {
			lc_buf_adds(&b, p[1] == 'e' ? env : app ? app : "");
			p += 5;
		} else
			lc_buf_addc(&b, *p++);
	}
	rc = fit(out, n, "the path", "%s", b.data ? b.data : "");
	lc_buf_release(&b);
	return rc;
}

/* The blob at path in tree into b; LC_ENOTFOUND when there is none. */
int
lc_promote_read_path(git_repository *repo, git_tree *tree, const char *path,
    struct lc_buf *b)
{
	git_tree_entry *e = NULL;
	git_blob *blob = NULL;
	int rc;

	if ((rc = git_tree_entry_bypath(&e, tree, path)) != 0)
		return LC_ENOTFOUND;
	rc = git_blob_lookup(&blob, repo, git_tree_entry_id(e));
	git_tree_entry_free(e);
	if (rc != 0)
		return lc_git_error(rc, path);
	lc_buf_add(b, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob));
	git_blob_free(blob);
	return 0;
}

/* The kustomization file of dir in tree (kustomize's three names). */
static int
find_kustomization(git_repository *repo, git_tree *tree, const char *dir,
    char *path, size_t n, struct lc_buf *b)
{
	static const char *const names[] = { "kustomization.yaml",
	    "kustomization.yml", "Kustomization" };
	size_t i;

	for (i = 0; i < 3; i++) {
		if (fit(path, n, "the path", "%s/%s", dir, names[i]) != 0)
			return LC_EDATA;
		b->len = 0;
		if (lc_promote_read_path(repo, tree, path, b) == 0)
			return 0;
	}
	return lc_error_set(LC_ENOTFOUND, "%s: no kustomization.yaml there "
	    "(check --path and the environment names)", dir);
}

void
lc_promote_names_add(struct lc_promote_names *l, const char *s, size_t len)
{
	GROW(l->v, l->n, l->cap);
	l->v[l->n++] = lc_buf_xstrndup(s, len);
}

void
lc_promote_names_release(struct lc_promote_names *l)
{
	int i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/*
 * Apps: the directory names at the {app} position that match a --app glob,
 * appended to apps (all of them: there is no cap). Returns how many.
 */
int
lc_promote_list_apps(git_repository *repo, git_tree *tree,
    const struct lc_promote_opts *o, struct lc_promote_names *apps)
{
	char prefix[PATH_MAX_];
	const char *at = strstr(o->path, "{app}");
	git_tree_entry *e = NULL;
	git_tree *sub = NULL;
	size_t i, k;
	int n = 0, j;

	if (at == NULL)
		return lc_error_set(LC_EUSAGE, "--app needs {app} in --path "
		    "(for example apps/{app}/overlays/{env})");
	if (fit(prefix, sizeof(prefix), "--path", "%.*s", (int)(at - o->path),
	    o->path) != 0)
		return LC_EDATA;
	k = strlen(prefix);
	if (k && prefix[k - 1] == '/')
		prefix[--k] = '\0';
	if (k == 0)
		sub = tree;
	else if (git_tree_entry_bypath(&e, tree, prefix) != 0 ||
	    git_tree_lookup(&sub, repo, git_tree_entry_id(e)) != 0) {
		git_tree_entry_free(e);
		return lc_error_set(LC_ENOTFOUND, "%s: no such directory", prefix);
	}
	git_tree_entry_free(e);
	for (i = 0; i < git_tree_entrycount(sub); i++) {
		const git_tree_entry *te = git_tree_entry_byindex(sub, i);
		const char *name = git_tree_entry_name(te);

		if (git_tree_entry_type(te) != GIT_OBJECT_TREE)
			continue;
		for (j = 0; j < o->napps; j++)
			if (fnmatch(o->apps[j], name, 0) == 0) {
				if (strlen(name) >= APP_MAX) {
					n = lc_error_set(LC_EDATA, "app '%.40s...' "
					    "is longer than %d bytes", name,
					    APP_MAX - 1);
					goto out;
				}
				lc_promote_names_add(apps, name, strlen(name));
				n++;
				break;
			}
	}
out:
	if (sub != tree)
		git_tree_free(sub);
	if (n < 0)
		return n;
	if (n == 0)
		return lc_error_set(LC_ENOTFOUND, "no app under %s matches "
		    "--app", prefix[0] ? prefix : ".");
	return n;
}

struct lc_promote_img *
lc_promote_imgs_new(struct lc_promote_imgs *l)
{
	GROW(l->im, l->n, l->cap);
	memset(&l->im[l->n], 0, sizeof(l->im[0]));
	return &l->im[l->n++];
}

static int
scalar(struct lc_ydoc *d, uint32_t map, const char *key, char *out, size_t n,
    uint32_t *node)
{
	const char *s;
	size_t len;
	int merged;
	uint32_t v = lc_yaml_edit_map_get(d, map, key, strlen(key), &merged);

	out[0] = '\0';
	if (node)
		*node = 0;
	if (v == 0 || LC_YN(d, v)->type != LC_YSCALAR ||
	    lc_yaml_edit_node_is_null(d, v))
		return 0;
	s = lc_yaml_edit_node_value(d, v, &len);
	if (node)
		*node = v;
	return fit(out, n, key, "%.*s", (int)len, s);
}

/* The images: entries of the document, every one, into l. */
static int
images_of(struct lc_ydoc *d, struct lc_promote_imgs *l)
{
	struct lc_promote_img *im;
	uint32_t seq, it;
	int merged, rc;

	l->n = 0;
	if (d->root == 0 || LC_YN(d, d->root)->type != LC_YMAP)
		return 0;
	seq = lc_yaml_edit_map_get(d, d->root, "images", 6, &merged);
	if (seq == 0 || LC_YN(d, seq)->type != LC_YSEQ)
		return 0;
	for (it = LC_YN(d, seq)->first; it; it = LC_YN(d, it)->next) {
		if (LC_YN(d, it)->type != LC_YMAP)
			continue;
		im = lc_promote_imgs_new(l);
		if ((rc = scalar(d, it, "name", im->name, sizeof(im->name),
		    NULL)) != 0)
			return rc;
		if (!im->name[0]) {
			l->n--;
			continue;
		}
		if ((rc = scalar(d, it, "newName", im->new_name,
		    sizeof(im->new_name), &im->name_node)) != 0 ||
		    (rc = scalar(d, it, "newTag", im->tag, sizeof(im->tag),
		    &im->tag_node)) != 0 ||
		    (rc = scalar(d, it, "digest", im->digest, sizeof(im->digest),
		    &im->digest_node)) != 0)
			return rc;
		im->node = it;
	}
	return 0;
}

static int
read_src(struct lc_ydoc *d, void *arg)
{
	struct lc_promote_src *c = arg;

	return d->index == 0 ? images_of(d, &c->l) : 0;
}

int
lc_promote_wanted(const struct lc_promote_opts *o, const char *name)
{
	int i;

	if (o->nimages == 0)
		return 1;
	for (i = 0; i < o->nimages; i++)
		if (strcmp(o->images[i], name) == 0)
			return 1;
	return 0;
}

void
lc_promote_ref_text(const struct lc_promote_img *i, const char *tag,
    const char *digest, char *out, size_t n)
{
	snprintf(out, n, "%s%s%s%s%s", i->new_name[0] ? i->new_name : i->name,
	    tag[0] ? ":" : "", tag, digest[0] ? "@" : "", digest);
}

/* Set key of entry map to v (create it when absent), or delete it. */
static int
put(struct lc_ydoc *d, uint32_t map, uint32_t node, const char *key,
    const char *v)
{
	struct lc_ylit lit, k;

	memset(&lit, 0, sizeof(lit));
	lit.kind = LC_YL_STR;
	lit.s = v;
	lit.n = strlen(v);
	if (node && !*v)
		return lc_yaml_edit_delete(d, node);
	if (node)
		return lc_yaml_edit_set(d, node, &lit);
	if (!*v)
		return 0;
	memset(&k, 0, sizeof(k));
	k.kind = LC_YL_STR;
	k.s = key;
	k.n = strlen(key);
	return lc_yaml_edit_create(d, map, &k, 1, &lit);
}

/* The digest --pin-digest found for image name, or "". */
const char *
lc_promote_pinned(const struct lc_promote *st, const char *name)
{
	int i;

	for (i = 0; i < st->npin; i++)	/* few: one per image verified */
		if (strcmp(st->pin[i].name, name) == 0)
			return st->pin[i].digest;
	return "";
}

/* A new change: image s (digest dg) in the target file of c. */
int
lc_promote_dst_change(struct lc_promote_dst *c,
    const struct lc_promote_img *s, const char *dg,
    struct lc_promote_change **out)
{
	struct lc_promote_change *ch = lc_promote_new_change(c->st);

	*out = ch;
	memcpy(ch->app, c->app ? c->app : "", strlen(c->app ? c->app : "") +
	    1);
	memcpy(ch->name, s->name, sizeof(ch->name));
	memcpy(ch->tag, s->tag, sizeof(ch->tag));
	memcpy(ch->digest, dg, strlen(dg) + 1);
	return fit(ch->file, sizeof(ch->file), "the path", "%s", c->file);
}

/* Order of images by name, for bsearch. */
static int
by_name(const void *a, const void *b)
{
	return strcmp(((const struct lc_promote_img *)a)->name,
	    ((const struct lc_promote_img *)b)->name);
}

/* By name, then in the order of the document (the first one wins). */
static int
by_name_node(const void *a, const void *b)
{
	const struct lc_promote_img *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : x->node < y->node ? -1 : x->node > y->node;
}

static int
edit_dst(struct lc_ydoc *d, void *arg)
{
	struct lc_promote_dst *c = arg;
	struct lc_promote_imgs dl = { NULL, 0, 0 };
	struct lc_promote_img *dim, *hit;
	struct lc_promote_change *ch;
	int n, i, j, rc, edits = 0;

	if (d->index != 0)
		return 0;
	if ((rc = images_of(d, &dl)) != 0)
		goto out;
	dim = dl.im;
	n = dl.n;
	/* Sorted, so an overlay of many images is not searched per image. */
	if (n > 1)
		qsort(dim, (size_t)n, sizeof(dim[0]), by_name_node);
	for (i = 0; i < c->src->l.n; i++) {
		const struct lc_promote_img *s = &c->src->l.im[i];
		const char *dg = s->digest[0] ? s->digest : lc_promote_pinned(c->st,
		    s->name);

		if (!lc_promote_wanted(c->o, s->name) || (!s->tag[0] && !s->digest[0]))
			continue;
		/* The first entry of that name, as a linear search found. */
		hit = bsearch(s, dim, (size_t)n, sizeof(dim[0]), by_name);
		if (hit == NULL) {
			c->missing = 1;
			rc = lc_error_set(LC_ENOTFOUND, "%s: no images entry "
			    "named '%s' to promote into", c->file, s->name);
			goto out;
		}
		for (j = (int)(hit - dim); j > 0 && strcmp(dim[j - 1].name,
		    s->name) == 0; j--)
			;
		if ((rc = lc_promote_dst_change(c, s, dg, &ch)) != 0)
			goto out;
		/* The target keeps its own newName (per-env registries),
		 * unless --with-name. */
		lc_promote_ref_text(&dim[j], dim[j].tag, dim[j].digest, ch->prev,
		    sizeof(ch->prev));
		lc_promote_ref_text(c->o->with_name ? s : &dim[j], s->tag, dg, ch->next,
		    sizeof(ch->next));
		ch->differs = strcmp(ch->prev, ch->next) != 0;
		if (!ch->differs)
			continue;
		if (c->o->with_name && strcmp(dim[j].new_name, s->new_name) != 0 &&
		    (rc = put(d, dim[j].node, dim[j].name_node, "newName",
		    s->new_name)) != 0)
			goto out;
		if (strcmp(dim[j].tag, s->tag) != 0 && (rc = put(d, dim[j].node,
		    dim[j].tag_node, "newTag", s->tag)) != 0)
			goto out;
		if (strcmp(dim[j].digest, dg) != 0 && (rc = put(d,
		    dim[j].node, dim[j].digest_node, "digest", dg)) != 0)
			goto out;
		edits++;
	}
	rc = edits ? lc_yaml_edit_commit(d) : 0;
out:
	free(dl.im);
	return rc;
}

/* The first of st->g (sorted by app) for app, or st->ng. */
static int
first_given(const struct lc_promote *st, const char *app)
{
	int lo = 0, hi = st->ng, m;

	while (lo < hi) {
		m = lo + (hi - lo) / 2;
		if (strcmp(st->g[m].app, app) < 0)
			lo = m + 1;
		else
			hi = m;
	}
	return lo;
}

/* Compute every target's new bytes from the tree of commit tip. */
int
lc_promote_plan(struct lc_promote *st, const struct lc_promote_opts *o,
    const git_oid *tip)
{
	git_commit *c = NULL;
	git_tree *tree = NULL;
	char dir[PATH_MAX_];
	struct lc_promote_names apps = { NULL, 0, 0 };
	int *run = NULL;	/* --set/--rollback: app a's st->g from run[a] */
	struct lc_buf src = LC_BUF_INIT;
	struct lc_yout out = LC_YOUT_INIT;
	struct lc_promote_src sc;
	struct lc_promote_dst dc;
	struct lc_promote_target *t = NULL;
	int napps = 1, a, rc;

	memset(&sc, 0, sizeof(sc));
	/* Planned again on every attempt: drop the last attempt's bytes. */
	for (a = 0; a < st->nt; a++) {
		lc_buf_release(&st->t[a].before);
		lc_buf_release(&st->t[a].after);
	}
	st->nt = st->nc = 0;
	if ((rc = git_commit_lookup(&c, st->repo, tip)) != 0 ||
	    (rc = git_commit_tree(&tree, c)) != 0) {
		git_commit_free(c);
		return lc_git_error(rc, "the branch tip");
	}
	if (o->raw) {
		rc = lc_promote_raw_plan(st, o, tree);
		goto out;
	}
	if (o->napps && (napps = lc_promote_list_apps(st->repo, tree, o, &apps)) < 0) {
		rc = napps;
		goto out;
	}
	if (!o->from && !o->napps) {
		/*
		 * --set/--rollback: the apps the given versions name. st->g is
		 * sorted by app (settle_given), so each app is one run of it.
		 */
		int g;

		run = lc_buf_xmalloc(((size_t)st->ng + 1) * sizeof(*run));
		for (napps = 0, g = 0; g < st->ng; g++)
			if (g == 0 || strcmp(st->g[g - 1].app, st->g[g].app) != 0)
				run[napps++] = g;
		run[napps] = st->ng;
	}
	for (a = 0; a < napps; a++) {
		const char *app = o->napps ? apps.v[a] : run &&
		    st->g[run[a]].app[0] ? st->g[run[a]].app : NULL;

		GROW(st->t, st->nt, st->ct);
		t = &st->t[st->nt];
		memset(t, 0, sizeof(*t));
		memcpy(t->app, app ? app : "", strlen(app ? app : "") + 1);
		sc.l.n = 0;
		if (o->from && o->nkeys) {
			struct lc_promote_helm_src hs = { o, st, &sc, t->src };

			if ((rc = lc_promote_expand(o->path, o->from, app, t->src,
			    sizeof(t->src))) != 0)
				goto out;
			src.len = 0;
			if (lc_promote_read_path(st->repo, tree, t->src, &src) != 0) {
				rc = lc_error_set(LC_ENOTFOUND, "%s: no such file "
				    "(check --path)", t->src);
				goto out;
			}
			if ((rc = lc_yaml_edit_stream(t->src, src.data ? src.data : "",
			    src.len, lc_promote_helm_read, &hs, NULL)) != 0)
				goto out;
		} else if (o->from) {
			if ((rc = lc_promote_expand(o->path, o->from, app, dir,
			    sizeof(dir))) != 0)
				goto out;
			src.len = 0;
			if ((rc = find_kustomization(st->repo, tree, dir, t->src,
			    sizeof(t->src), &src)) != 0)
				goto out;
			if ((rc = lc_yaml_edit_stream(t->src, src.data ? src.data : "",
			    src.len, read_src, &sc, NULL)) != 0)
				goto out;
		} else {
			int g = run ? run[a] : first_given(st, app ? app : "");

			for (; g < st->ng && strcmp(st->g[g].app, app ? app : "")
			    == 0; g++) {
				struct lc_promote_img *im = lc_promote_imgs_new(&sc.l);

				memcpy(im->name, st->g[g].name, sizeof(im->name));
				memcpy(im->tag, st->g[g].tag, sizeof(im->tag));
				memcpy(im->digest, st->g[g].digest,
				    sizeof(im->digest));
			}
			if (sc.l.n == 0) {
				t = NULL;	/* --app matched one not given */
				continue;
			}
		}
		if (o->nkeys) {
			if ((rc = lc_promote_expand(o->path, o->to, app, t->dst,
			    sizeof(t->dst))) != 0)
				goto out;
			if (lc_promote_read_path(st->repo, tree, t->dst, &t->before) != 0) {
				rc = lc_error_set(LC_ENOTFOUND, "%s: no such file "
				    "(check --path)", t->dst);
				goto out;
			}
		} else {
			if ((rc = lc_promote_expand(o->path, o->to, app, dir,
			    sizeof(dir))) != 0)
				goto out;
			if ((rc = find_kustomization(st->repo, tree, dir, t->dst,
			    sizeof(t->dst), &t->before)) != 0)
				goto out;
		}
		if (sc.l.n == 0) {
			rc = lc_error_set(LC_ENOTFOUND, "%s: no images: entries "
			    "to promote (is the version set in base/?)", t->src);
			goto out;
		}
		memset(&dc, 0, sizeof(dc));
		dc.src = &sc;
		dc.o = o;
		dc.st = st;
		dc.app = app;
		dc.file = t->dst;
		lc_yaml_edit_out_release(&out);
		if ((rc = lc_yaml_edit_stream(t->dst, t->before.data ?
		    t->before.data : "", t->before.len, o->nkeys ? lc_promote_helm_edit :
		    edit_dst, &dc, &out)) != 0)
			goto out;
		lc_yaml_edit_out_join(&out, &t->after);
		t->changed = out.changed;
		st->nt++;
		t = NULL;
	}
	rc = 0;
out:
	if (t != NULL) {
		/* The one being planned when it failed: not counted in nt. */
		lc_buf_release(&t->before);
		lc_buf_release(&t->after);
	}
	free(sc.l.im);
	free(run);
	lc_promote_names_release(&apps);
	lc_yaml_edit_out_release(&out);
	lc_buf_release(&src);
	git_tree_free(tree);
	git_commit_free(c);
	return rc;
}
