/* promote_history.c: versions given by hand (--set) or read back from history (--rollback), and the source commit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "error.h"
#include "imgref.h"
#include "log.h"
#include "promote_int.h"

/* An image reference, or a bare tag, or @digest, into g's tag and digest. */
static int
given_ref(struct lc_promote_given *g, const char *ref)
{
	struct lc_imgref r;

	if (*ref == '@') {
		if (strlen(ref + 1) >= sizeof(g->digest))
			return -1;
		snprintf(g->digest, sizeof(g->digest), "%s", ref + 1);
		return strncmp(g->digest, "sha256:", 7) == 0 ? 0 : -1;
	}
	if (strpbrk(ref, "/:@") == NULL) {
		if (strlen(ref) >= sizeof(g->tag))
			return -1;
		snprintf(g->tag, sizeof(g->tag), "%s", ref);
		return lc_imgref_valid_tag(ref) ? 0 : -1;
	}
	if (lc_imgref_parse(&r, ref, 1) != 0) {
		lc_error_clear();
		return -1;
	}
	snprintf(g->tag, sizeof(g->tag), "%s", r.tag);
	snprintf(g->digest, sizeof(g->digest), "%s", r.digest);
	return 0;
}

/*
 * "[app/]name=ref" into a given version, appended;
 * lc_promote_settle_given() then keeps the later of two for one image. -1
 * when spec is not that (or a part is longer than its field).
 */
int
lc_promote_add_given(struct lc_promote *st, const char *spec, int raw)
{
	const char *eq = strchr(spec, '='), *slash;
	struct lc_promote_given *g;

	if (eq == NULL || eq == spec || strlen(eq + 1) >= REF_MAX)
		return -1;
	GROW(st->g, st->ng, st->cg);
	g = &st->g[st->ng];
	memset(g, 0, sizeof(*g));
	g->seq = st->ng;
	/* With --raw the name is the repository, slashes and all. */
	slash = raw ? NULL : memchr(spec, '/', (size_t)(eq - spec));
	if (slash) {
		if ((size_t)(slash - spec) >= sizeof(g->app))
			return -1;
		memcpy(g->app, spec, (size_t)(slash - spec));
		spec = slash + 1;
	}
	if ((size_t)(eq - spec) >= sizeof(g->name))
		return -1;
	memcpy(g->name, spec, (size_t)(eq - spec));
	if (given_ref(g, eq + 1) != 0)
		return -1;
	st->ng++;
	return 0;
}

/* By app, name, then the order given. */
static int
by_given(const void *a, const void *b)
{
	const struct lc_promote_given *x = a, *y = b;
	int c;

	if ((c = strcmp(x->app, y->app)) != 0 ||
	    (c = strcmp(x->name, y->name)) != 0)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* By app, then the order given. */
static int
by_app_seq(const void *a, const void *b)
{
	const struct lc_promote_given *x = a, *y = b;
	int c = strcmp(x->app, y->app);

	return c ? c : x->seq < y->seq ? -1 : x->seq > y->seq;
}

/*
 * Keep one version per image: given again (an older promotion, --steps),
 * the later word wins, in the place of the first. Then sort by app, so that
 * lc_promote_plan() takes each app's as one run. O(n log n): a rollback of
 * 1,000 apps reads 3,000 trailers.
 */
void
lc_promote_settle_given(struct lc_promote *st)
{
	int i, k = 0, first = 0;

	if (st->ng > 1)
		qsort(st->g, (size_t)st->ng, sizeof(st->g[0]), by_given);
	for (i = 0; i < st->ng; i++) {
		if (i == 0 || strcmp(st->g[i].app, st->g[i - 1].app) != 0 ||
		    strcmp(st->g[i].name, st->g[i - 1].name) != 0)
			first = st->g[i].seq;
		if (i + 1 < st->ng && strcmp(st->g[i].app, st->g[i + 1].app) ==
		    0 && strcmp(st->g[i].name, st->g[i + 1].name) == 0)
			continue;
		st->g[k] = st->g[i];
		st->g[k++].seq = first;
	}
	st->ng = k;
	if (st->ng > 1)
		qsort(st->g, (size_t)st->ng, sizeof(st->g[0]), by_app_seq);
}

/* The oldest promotion --rollback undoes. */
const char *
lc_promote_oldest_undone(const struct lc_promote *st)
{
	return st->nundone ? st->undone[st->nundone - 1] : "";
}

/* --rollback: the previous versions the last promotion into -t recorded. */
int
lc_promote_find_rollback(struct lc_promote *st, const struct lc_promote_opts *o,
    const git_oid *tip)
{
	git_revwalk *w = NULL;
	git_commit *c = NULL;
	git_message_trailer_array tr;
	git_oid id;
	size_t i;
	int n = 0, found = 0, is_to;

	if (git_revwalk_new(&w, st->repo) != 0)
		return lc_error_set(LC_ERROR, "cannot walk the history");
	git_revwalk_sorting(w, GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME);
	git_revwalk_push(w, tip);
	st->ng = st->nundone = 0;
	while (!found && git_revwalk_next(&id, w) == 0 && n++ < 10000) {
		if (git_commit_lookup(&c, st->repo, &id) != 0)
			continue;
		memset(&tr, 0, sizeof(tr));
		if (git_message_trailers(&tr, git_commit_message(c)) == 0) {
			for (is_to = 0, i = 0; i < tr.count; i++)
				is_to |= strcmp(tr.trailers[i].key, "Promote-To") ==
				    0 && strcmp(tr.trailers[i].value, o->to) == 0;
			if (is_to) {
				/* Older promotions' previous versions win. */
				found = ++st->nundone == o->steps;
				git_oid_tostr(st->undone[st->nundone - 1],
				    sizeof(st->undone[0]), &id);
				for (i = 0; i < tr.count; i++)
					if (strcmp(tr.trailers[i].key,
					    "Promote-Previous-Image") == 0 &&
					    lc_promote_add_given(st, tr.trailers[i].value, o->raw) != 0)
						lc_log_warn("%s: cannot read the "
						    "trailer '%s'", git_oid_tostr_s(
						    &id), tr.trailers[i].value);
			}
			git_message_trailer_array_free(&tr);
		}
		git_commit_free(c);
		c = NULL;
	}
	git_revwalk_free(w);
	lc_promote_settle_given(st);
	if (!found && st->nundone == 0)
		return lc_error_set(LC_ENOTFOUND, "no promotion into %s in the "
		    "history of the branch: nothing to roll back", o->to);
	if (!found)
		return lc_error_set(LC_ENOTFOUND, "--steps %d: the history of the "
		    "branch has %d promotion%s into %s", o->steps, st->nundone,
		    st->nundone == 1 ? "" : "s", o->to);
	if (st->ng == 0)
		return lc_error_set(LC_ENOTFOUND, "commit %.7s promoted into %s "
		    "but recorded no Promote-Previous-Image", lc_promote_oldest_undone(st),
		    o->to);
	return 0;
}

/* The last commit (from tip back) that changed path: what SRC runs. */
void
lc_promote_source_commit(struct lc_promote *st, const git_oid *tip,
    const char *path)
{
	git_revwalk *w = NULL;
	git_oid id, blob, prev;
	git_commit *c = NULL;
	git_tree *t = NULL;
	git_tree_entry *e = NULL;
	int have_prev = 0, n = 0;

	st->have_source = 0;
	if (git_revwalk_new(&w, st->repo) != 0)
		return;
	git_revwalk_sorting(w, GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME);
	git_revwalk_push(w, tip);
	while (git_revwalk_next(&id, w) == 0 && n++ < 5000) {
		memset(&blob, 0, sizeof(blob));
		if (git_commit_lookup(&c, st->repo, &id) == 0 &&
		    git_commit_tree(&t, c) == 0 &&
		    git_tree_entry_bypath(&e, t, path) == 0)
			git_oid_cpy(&blob, git_tree_entry_id(e));
		git_tree_entry_free(e);
		git_tree_free(t);
		git_commit_free(c);
		e = NULL;
		t = NULL;
		c = NULL;
		if (have_prev && !git_oid_equal(&blob, &prev))
			break;
		git_oid_cpy(&st->source_commit, &id);
		git_oid_tostr(st->source_hex, sizeof(st->source_hex), &id);
		st->have_source = 1;
		git_oid_cpy(&prev, &blob);
		have_prev = 1;
	}
	git_revwalk_free(w);
}
