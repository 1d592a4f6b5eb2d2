/* promote_helm.c: Helm values files: read and set the --key paths of each image. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "promote_int.h"
#include "yaml_edit.h"
#include "yaml_expr.h"

/* Evaluate the query e on d into out (one line of text, "" for null). */
static int
query(const struct lc_yexpr *e, struct lc_ydoc *d, char *out, size_t n)
{
	struct lc_yexpr_env env;
	struct lc_buf b = LC_BUF_INIT;
	int whole = 0, rc;

	memset(&env, 0, sizeof(env));
	out[0] = '\0';
	if ((rc = lc_yaml_expr_eval(e, d, &env, &b, &whole)) == 0 && b.data &&
	    !env.last_falsy) {
		b.data[strcspn(b.data, "\n")] = '\0';
		rc = fit(out, n, "the value", "%s", b.data);
	}
	lc_buf_release(&b);
	return rc;
}

static int
assign(const struct lc_yexpr *e, struct lc_ydoc *d, const char *v)
{
	struct lc_yexpr_var var = { "v", v };
	struct lc_yexpr_env env;
	struct lc_buf b = LC_BUF_INIT;
	int whole = 0, rc;

	memset(&env, 0, sizeof(env));
	env.vars = &var;
	env.nvars = 1;
	env.no_create = 1;
	rc = lc_yaml_expr_eval(e, d, &env, &b, &whole);
	lc_buf_release(&b);
	return rc;
}

int
lc_promote_helm_read(struct lc_ydoc *d, void *arg)
{
	struct lc_promote_helm_src *h = arg;
	const struct lc_promote_opts *o = h->o;
	struct lc_promote_img *im;
	int i, rc;

	if (d->index != 0)
		return 0;
	for (i = 0; i < o->nkeys; i++) {
		im = lc_promote_imgs_new(&h->sc->l);
		if ((rc = fit(im->name, sizeof(im->name), "--key", "%s",
		    o->keys[i])) != 0)
			return rc;
		if ((rc = query(h->st->q_key[i], d, im->tag, sizeof(im->tag))) != 0)
			return rc;
		if (i < o->ndigest_keys && (rc = query(h->st->q_digest[i], d,
		    im->digest, sizeof(im->digest))) != 0)
			return rc;
		if (!im->tag[0] && !im->digest[0])
			return lc_error_set(LC_ENOTFOUND, "%s: %s has no value",
			    h->file, o->keys[i]);
	}
	return 0;
}

int
lc_promote_helm_edit(struct lc_ydoc *d, void *arg)
{
	struct lc_promote_dst *c = arg;
	const struct lc_promote_opts *o = c->o;
	char tag[TAG_MAX], digest[DIGEST_MAX], repo[NAME_MAX_];
	struct lc_promote_change *ch;
	struct lc_promote_img cur;
	int i, k, rc;

	if (d->index != 0)
		return 0;
	for (i = 0; i < c->src->l.n; i++) {
		const struct lc_promote_img *s = &c->src->l.im[i];
		const char *dg = s->digest[0] ? s->digest : lc_promote_pinned(c->st,
		    s->name);

		if (!lc_promote_wanted(o, s->name))
			continue;
		for (k = 0; k < o->nkeys && strcmp(o->keys[k], s->name); k++)
			;
		if (k == o->nkeys)
			return lc_error_set(LC_EUSAGE, "'%s' is not one of the "
			    "--key paths", s->name);
		if ((rc = query(c->st->q_key[k], d, tag, sizeof(tag))) != 0)
			return rc;
		digest[0] = repo[0] = '\0';
		if (k < o->ndigest_keys && (rc = query(c->st->q_digest[k], d, digest,
		    sizeof(digest))) != 0)
			return rc;
		if (k < o->nrepo_keys && (rc = query(c->st->q_repo[k], d, repo,
		    sizeof(repo))) != 0)
			return rc;
		if ((rc = lc_promote_dst_change(c, s, dg, &ch)) != 0)
			return rc;
		memset(&cur, 0, sizeof(cur));
		memcpy(cur.name, repo[0] ? repo : s->name, sizeof(cur.name));
		lc_promote_ref_text(&cur, tag, digest, ch->prev, sizeof(ch->prev));
		lc_promote_ref_text(&cur, s->tag, k < o->ndigest_keys ? dg : "", ch->next,
		    sizeof(ch->next));
		ch->differs = strcmp(ch->prev, ch->next) != 0;
		if (!ch->differs)
			continue;
		if (strcmp(tag, s->tag) != 0 && s->tag[0] &&
		    (rc = assign(c->st->s_key[k], d, s->tag)) != 0)
			return rc;
		if (k < o->ndigest_keys && strcmp(digest, dg) != 0 && *dg &&
		    (rc = assign(c->st->s_digest[k], d, dg)) != 0)
			return rc;
	}
	return 0;
}

/* n expression pointers, NULL. */
static struct lc_yexpr **
exprs(size_t n)
{
	struct lc_yexpr **v = lc_buf_xmalloc(n * sizeof(*v));

	memset(v, 0, n * sizeof(*v));
	return v;
}

/* Compile the --key expressions: queries, and "(PATH) = $v" edits. */
int
lc_promote_compile_keys(struct lc_promote *st, const struct lc_promote_opts *o)
{
	struct lc_yexpr_var var = { "v", "" };
	struct lc_buf b = LC_BUF_INIT;
	size_t n = (size_t)o->nkeys + 1;
	int i, rc = 0;

	if (o->ndigest_keys > o->nkeys || o->nrepo_keys > o->nkeys)
		return lc_error_set(LC_EUSAGE, "give a --key for each "
		    "--digest-key and --repo-key");
	st->q_key = exprs(n);
	st->s_key = exprs(n);
	st->q_digest = exprs(n);
	st->s_digest = exprs(n);
	st->q_repo = exprs(n);
	for (i = 0; rc == 0 && i < o->nkeys; i++) {
		rc = lc_yaml_expr_parse(&st->q_key[i], o->keys[i], NULL, 0);
		b.len = 0;
		lc_buf_printf(&b, "(%s) = $v", o->keys[i]);
		if (rc == 0)
			rc = lc_yaml_expr_parse(&st->s_key[i], b.data, &var, 1);
		if (rc == 0 && i < o->ndigest_keys) {
			rc = lc_yaml_expr_parse(&st->q_digest[i], o->digest_keys[i],
			    NULL, 0);
			b.len = 0;
			lc_buf_printf(&b, "(%s) = $v", o->digest_keys[i]);
			if (rc == 0)
				rc = lc_yaml_expr_parse(&st->s_digest[i], b.data,
				    &var, 1);
		}
		if (rc == 0 && i < o->nrepo_keys)
			rc = lc_yaml_expr_parse(&st->q_repo[i], o->repo_keys[i],
			    NULL, 0);
	}
	lc_buf_release(&b);
	return rc;
}

/* Free what lc_promote_compile_keys made. */
void
lc_promote_free_keys(struct lc_promote *st)
{
	int i;

	for (i = 0; st->q_key && i < st->o->nkeys; i++) {
		lc_yaml_expr_free(st->q_key[i]);
		lc_yaml_expr_free(st->s_key[i]);
		lc_yaml_expr_free(st->q_digest[i]);
		lc_yaml_expr_free(st->s_digest[i]);
		lc_yaml_expr_free(st->q_repo[i]);
	}
	free(st->q_key);
	free(st->s_key);
	free(st->q_digest);
	free(st->s_digest);
	free(st->q_repo);
}
