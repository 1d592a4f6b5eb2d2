/* promote.c: a promotion's life: options in, the strategy run, results out. */
#include <stdlib.h>
#include <string.h>

#include <git2.h>
#include <jv.h>

#include "clock.h"
#include "error.h"
#include "git.h"
#include "promote_int.h"

/*
 * --chain: -f and -t must be neighbours in it (or, with --allow-skip,
 * in order). Not naming both is a usage error; the refusal is policy.
 */
static int
chain(const struct lc_promote_opts *o)
{
	char *buf, *tok, *save = NULL;
	int k = 0, fi = -1, ti = -1;

	if (o->chain == NULL || o->from == NULL)
		return 0;
	buf = lc_buf_xstrndup(o->chain, strlen(o->chain));
	for (tok = strtok_r(buf, ",", &save); tok;
	    tok = strtok_r(NULL, ",", &save), k++) {
		if (strcmp(tok, o->from) == 0)
			fi = k;
		if (strcmp(tok, o->to) == 0)
			ti = k;
	}
	free(buf);
	if (fi < 0 || ti < 0)
		return lc_error_set(LC_EUSAGE, "--chain %s does not name both %s "
		    "and %s", o->chain, o->from, o->to);
	if (ti != fi + 1 && !(o->allow_skip && ti > fi))
		return lc_error_set(LC_ENO, "--chain %s: %s -> %s %s; nothing "
		    "was promoted", o->chain, o->from, o->to, ti > fi ?
		    "skips an environment" : "goes backwards");
	return 0;
}

void
lc_promote_opts_init(struct lc_promote_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->ro.ca_flag = "--registry-ca-file";
	o->remote = "origin";
	o->verify = 1;
	o->deadline_ms = 120000;
	o->branch_tmpl = "deploy/{env}";
	o->steps = 1;
}

/* One of the checks of lc_promote_new on p (see lc_promote_check). */
static int
check(struct lc_promote *p, enum lc_promote_check what)
{
	const struct lc_promote_opts *o = p->o;
	int i, rc = 0;

	switch (what) {
	case LC_PROMOTE_CHECK_SET:
		for (i = 0; i < o->nsets; i++)
			if (lc_promote_add_given(p, o->sets[i], o->raw) != 0)
				return lc_error_set(LC_EUSAGE, "--set '%s': "
				    "write [APP/]IMAGE=REF (REF: a tag, "
				    "@sha256:..., or an image reference)",
				    o->sets[i]);
		lc_promote_settle_given(p);
		break;
	case LC_PROMOTE_CHECK_CHAIN:
		rc = chain(o);
		break;
	case LC_PROMOTE_CHECK_KEY:
		/* A --key that does not parse: misuse. */
		if (o->nkeys && lc_promote_compile_keys(p, p->o) != 0)
			rc = LC_EUSAGE;
		break;
	case LC_PROMOTE_CHECK_IMAGES:
		/* An empty image argument: misuse, the usage says it all. */
		for (i = 0; i < o->nimages; i++)
			if (*o->images[i] == '\0')
				rc = LC_EUSAGE;
		break;
	case LC_PROMOTE_CHECK_HEAD:
		/* A work branch too long: misuse. */
		if (lc_promote_head_name(o, p->head, sizeof(p->head)) != 0)
			rc = LC_EUSAGE;
		break;
	}
	return rc;
}

static struct lc_promote *
alloc(const struct lc_promote_opts *o)
{
	struct lc_promote *p = lc_buf_xmalloc(sizeof(*p));

	memset(p, 0, sizeof(*p));
	p->opts = *o;
	p->o = &p->opts;
	if (o->path == NULL)
		p->opts.path = o->nkeys ? "envs/{env}/values.yaml" :
		    "overlays/{env}";
	return p;
}

int
lc_promote_check(const struct lc_promote_opts *o, enum lc_promote_check what)
{
	struct lc_promote *p = alloc(o);
	int rc = check(p, what);

	lc_promote_free(p);
	return rc;
}

int
lc_promote_new(struct lc_promote **out, const struct lc_promote_opts *o,
    lc_promote_out_fn fn, void *arg)
{
	struct lc_promote *p = alloc(o);
	int rc = 0, what;

	p->out = fn;
	p->out_arg = arg;
	p->t0 = lc_clock_ms();
	*out = p;
	for (what = LC_PROMOTE_CHECK_SET; rc == 0 &&
	    what <= LC_PROMOTE_CHECK_HEAD; what++)
		rc = check(p, what);
	return rc;
}

/*
 * Exit 124 means the --deadline passed (a forge that hangs past it, say).
 * A single request that got no answer in its own time (a registry's 30 s,
 * or any request with --deadline 0) is a server that is unavailable: 7.
 */
static int
timeout_rc(int rc, const struct lc_promote_opts *o, long long t0)
{
	struct lc_buf m = LC_BUF_INIT;

	if (rc != LC_ETIMEOUT)
		return rc;
	lc_buf_adds(&m, lc_error_msg());
	if (o->deadline_ms && lc_clock_ms() - t0 >= o->deadline_ms)
		rc = m.len == 0 ? LC_ETIMEOUT : lc_error_set(LC_ETIMEOUT,
		    "%s (the --deadline passed)", m.data);
	else	/* --split has reported the message already */
		rc = m.len == 0 ? LC_EUNAVAIL : lc_error_set(LC_EUNAVAIL, "%s",
		    m.data);
	lc_buf_release(&m);
	return rc;
}

static int
open_state(struct lc_promote *st, const struct lc_promote_opts *o)
{
	int rc;

	if ((rc = lc_git_open(&st->repo, o->branch, &st->branch, o->remote,
	    &st->remote)) != 0)
		return rc;
	/*
	 * Keep trees of any size in libgit2's object cache (by default only
	 * those under 4 KB): the directory that holds 1,000 apps (36 KB) is
	 * then inflated once, not again for each app's path lookup, which
	 * made planning quadratic in the apps.
	 */
	git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, GIT_OBJECT_TREE,
	    (size_t)64 << 20);
	/* The CAs the environment names (no --ca-file for git here). */
	if ((rc = lc_git_ca(NULL, NULL, git_remote_url(st->remote), 0)) != 0)
		return rc;
	/* PROMOTE_TOKEN serves the forge's API and git alike. */
	if ((rc = lc_git_auth_init(&st->auth, git_remote_url(st->remote),
	    o->token_file, NULL, "PROMOTE_TOKEN")) != 0)
		return rc;
	return lc_git_idents(st->repo, o->author, &st->author, &st->committer);
}

int
lc_promote_open(struct lc_promote *p)
{
	if (p->o->strategy == LC_PROMOTE_TAG)
		return 0;	/* no git */
	return timeout_rc(open_state(p, p->o), p->o, p->t0);
}

int
lc_promote_run(struct lc_promote *p)
{
	const struct lc_promote_opts *o = p->o;
	int rc;

	if (o->strategy == LC_PROMOTE_TAG)
		rc = lc_promote_tag_run(p, o);
	else {
		/* A remote's hook that hangs is stopped at the deadline too. */
		lc_git_deadline(o->deadline_ms ? p->t0 + o->deadline_ms : 0);
		rc = o->strategy == LC_PROMOTE_BRANCH ?
		    lc_promote_branch_run(p, o) : o->split ?
		    lc_promote_split_run(p, o) : lc_promote_dir_run(p, o);
	}
	return timeout_rc(rc, o, p->t0);
}

void
lc_promote_free(struct lc_promote *p)
{
	int i;

	if (p == NULL)
		return;
	for (i = 0; i < p->nt; i++) {
		lc_buf_release(&p->t[i].before);
		lc_buf_release(&p->t[i].after);
	}
	free(p->t);
	free(p->c);
	free(p->g);
	free(p->pin);
	lc_promote_free_keys(p);
	lc_forge_close(p->forge);
	git_signature_free(p->author);
	git_signature_free(p->committer);
	git_remote_free(p->remote);
	lc_git_auth_release(&p->auth);
	git_repository_free(p->repo);
	free(p->branch);
	free(p);
}

/* A new change, zeroed, at the end of st->c. */
struct lc_promote_change *
lc_promote_new_change(struct lc_promote *st)
{
	GROW(st->c, st->nc, st->cc);
	memset(&st->c[st->nc], 0, sizeof(st->c[0]));
	return &st->c[st->nc++];
}

int
lc_promote_emit(struct lc_promote *st, const struct lc_promote_event *ev)
{
	return st->out ? st->out(st, ev, st->out_arg) : 0;
}

int
lc_promote_result(struct lc_promote *st, const char *commit, int changed)
{
	struct lc_promote_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.what = LC_PROMOTE_RESULT;
	ev.commit = commit;
	ev.changed = changed;
	return lc_promote_emit(st, &ev);
}

const struct lc_promote_opts *
lc_promote_opts(const struct lc_promote *p)
{
	return p->o;
}

int
lc_promote_nchanges(const struct lc_promote *p)
{
	return p->nc;
}

const struct lc_promote_change *
lc_promote_change(const struct lc_promote *p, int i)
{
	return &p->c[i];
}

int
lc_promote_ntargets(const struct lc_promote *p)
{
	return p->nt;
}

/* The source commit (hex) of -f, or NULL when not known. */
static const char *
source_hex(const struct lc_promote *p)
{
	return p->have_source ? p->source_hex : NULL;
}

const struct lc_forge_pr *
lc_promote_pull_request(const struct lc_promote *p)
{
	return p->have_pr ? &p->pr : NULL;
}

void
lc_promote_signals(void)
{
	lc_git_local_signals();
}

jv
lc_promote_images_json(const struct lc_promote *p)
{
	const struct lc_promote_change *c;
	jv imgs = jv_array();
	int i;

	for (i = 0; i < p->nc; i++) {
		if (!(c = &p->c[i])->differs)
			continue;
		imgs = jv_array_append(imgs, jv_object_set(jv_object_set(
		    jv_object_set(jv_object_set(jv_object_set(jv_object(),
		    jv_string("app"), jv_string(c->app)),
		    jv_string("name"), jv_string(c->name)),
		    jv_string("file"), jv_string(c->file)),
		    jv_string("previous"), jv_string(c->prev)),
		    jv_string("new"), jv_string(c->next)));
	}
	return imgs;
}

jv
lc_promote_json(const struct lc_promote *p, const char *commit, int changed)
{
	static const char *const strategy[] = { "dir", "branch", "tag" };
	const struct lc_promote_opts *o = lc_promote_opts(p);
	const struct lc_forge_pr *pr = lc_promote_pull_request(p);
	const char *src = source_hex(p);
	jv j = jv_object();

	j = jv_object_set(j, jv_string("changed"), jv_bool(changed));
	j = jv_object_set(j, jv_string("dry_run"), jv_bool(o->dry_run));
	j = jv_object_set(j, jv_string("from"), o->from ? jv_string(o->from) :
	    jv_null());
	j = jv_object_set(j, jv_string("to"), jv_string(o->to));
	j = jv_object_set(j, jv_string("strategy"),
	    jv_string(strategy[o->strategy]));
	if (src)
		j = jv_object_set(j, jv_string("source_commit"),
		    jv_string(src));
	j = jv_object_set(j, jv_string("commit"), commit ? jv_string(commit) :
	    jv_null());
	j = jv_object_set(j, jv_string("pr"), pr == NULL ? jv_null() :
	    jv_object_set(jv_object_set(jv_object_set(jv_object(),
	    jv_string("number"), jv_number((double)pr->number)),
	    jv_string("url"), jv_string(pr->url)),
	    jv_string("created"), jv_bool(pr->created)));
	return jv_object_set(j, jv_string("images"), lc_promote_images_json(p));
}

/*
 * The retry loop of promote's strategies (250 ms to 2 s pauses until the
 * --deadline) around attempt; detail: what the last push was told.
 */
int
lc_promote_retry(const struct lc_promote_opts *o, lc_git_attempt_fn attempt,
    void *arg, const struct lc_buf *detail)
{
	struct lc_git_retry r;
	int rc;

	memset(&r, 0, sizeof(r));
	r.start_ms = lc_clock_ms();
	r.deadline_ms = o->deadline_ms;
	r.base_ms = 250;
	r.cap_ms = 2000;
	r.again = "again on the new tip";
	r.oc = LC_GIT_FAILED;
	if ((rc = lc_git_retry(&r, attempt, arg)) > 0)
		rc = lc_git_outcome_rc(r.oc, detail, "at the deadline; nothing "
		    "was promoted");
	return rc;
}
