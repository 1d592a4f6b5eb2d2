/* acd_sync.c: start Argo CD syncs: the request, the resources, the retries. */
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "acd.h"
#include "acd_sync.h"
#include "acd_wait.h"
#include "buf.h"
#include "clock.h"
#include "error.h"
#include "jvutil.h"
#include "log.h"

/*
 * The sync options Argo CD knows, with the values it acts on: it compares
 * "Key=value" strings exactly, so "Validate=False" would be ignored.
 */
static const struct {
	const char *key, *values;	/* values: '|'-separated */
} known_opts[] = {
	{ "ApplyOutOfSyncOnly", "true|false" },
	{ "ClientSideApplyMigration", "true|false" },
	{ "CreateNamespace", "true|false" },
	{ "Delete", "true|false|confirm" },
	{ "FailOnSharedResource", "true|false" },
	{ "Force", "true|false" },
	{ "Prune", "true|false|confirm" },
	{ "PruneLast", "true|false" },
	{ "PrunePropagationPolicy", "foreground|background|orphan" },
	{ "Replace", "true|false" },
	{ "RespectIgnoreDifferences", "true|false" },
	{ "ServerSideApply", "true|false" },
	{ "SkipDryRunOnMissingResource", "true|false" },
	{ "Validate", "true|false" }
};

/* The index of KEY=... in known_opts, or -1. */
static int
known_index(const char *kv)
{
	size_t i, n = strcspn(kv, "=");

	for (i = 0; i < sizeof(known_opts) / sizeof(known_opts[0]); i++)
		if (strlen(known_opts[i].key) == n &&
		    strncmp(known_opts[i].key, kv, n) == 0)
			return (int)i;
	return -1;
}

/*
 * KEY=VALUE: a key of letters and digits, a value without blanks or
 * commas; for a known key, one of the values Argo CD acts on.
 */
static int
check_sync_option(const char *arg)
{
	const char *eq = strchr(arg, '='), *v, *p;
	size_t n;
	int k;

	n = strspn(arg, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789");
	if (eq == NULL || n == 0 || arg + n != eq || eq[1] == '\0' ||
	    eq[1 + strcspn(eq + 1, " \t\n,=")] != '\0')
		return lc_error_set(LC_EUSAGE, "--sync-option '%s': write "
		    "KEY=VALUE, e.g. CreateNamespace=true", arg);
	if ((k = known_index(arg)) < 0)
		return 0;
	for (p = known_opts[k].values; *p; p += n + (p[n] == '|')) {
		n = strcspn(p, "|");
		v = eq + 1;
		if (strlen(v) == n && strncmp(v, p, n) == 0)
			return 0;
	}
	return lc_error_set(LC_EUSAGE, "--sync-option '%s': %s takes %s "
	    "(Argo CD compares the text exactly)", arg, known_opts[k].key,
	    known_opts[k].values);
}

/* Append s to the grown array *v of *n entries. */
static void
append(const char ***v, size_t *n, const char *s)
{
	*v = lc_buf_xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = s;
}


/* Split "GROUP:KIND:[NS/]NAME" into f[4] (heap text, freed by the caller). */
static void
split_resource(const char *spec, char *f[4])
{
	const char *c1 = strchr(spec, ':'), *c2 = strchr(c1 + 1, ':');
	const char *slash = strchr(c2 + 1, '/');

	f[0] = lc_buf_xstrndup(spec, (size_t)(c1 - spec));
	f[1] = lc_buf_xstrndup(c1 + 1, (size_t)(c2 - c1 - 1));
	if (slash) {
		f[2] = lc_buf_xstrndup(c2 + 1, (size_t)(slash - c2 - 1));
		f[3] = lc_buf_xstrndup(slash + 1, strlen(slash + 1));
	} else {
		f[2] = lc_buf_xstrndup("*", 1);
		f[3] = lc_buf_xstrndup(c2 + 1, strlen(c2 + 1));
	}
}

/* A blank field matches only blank (the core group is ""). */
static int
field_match(const char *pat, const char *v)
{
	return fnmatch(pat, v, 0) == 0;
}

/* A resource of a sync request: group, kind, name, namespace of e. */
static jv
resource_key(jv e)
{
	jv o = jv_object();

	o = jv_object_set(o, jv_string("group"), jv_string(lc_jvutil_str(e,
	    "group")));
	o = jv_object_set(o, jv_string("kind"), jv_string(lc_jvutil_str(e,
	    "kind")));
	o = jv_object_set(o, jv_string("name"), jv_string(lc_jvutil_str(e,
	    "name")));
	return jv_object_set(o, jv_string("namespace"),
	    jv_string(lc_jvutil_str(e,
	    "namespace")));
}

/*
 * The resources to sync: --resource filters matched against the app's
 * status.resources, as the argocd CLI does it on the client.
 */
static int
pick_resources(const struct lc_acd_sync *s, const struct lc_acd_target *t,
    jv *out)
{
	static const char *const keys[4] = { "group", "kind", "namespace",
	    "name" };
	char *(*pat)[4];
	jv l = lc_jvutil_get(t->last, "status.resources"), e;
	int i, n, inc, any_include = 0;
	size_t f, j;

	*out = jv_array();
	if (s->nresources == 0)
		return 0;	/* --label alone: pick_labelled picks */
	pat = lc_buf_xmalloc((s->nresources ? s->nresources : 1) *
	    sizeof(*pat));
	for (f = 0; f < s->nresources; f++) {
		any_include |= s->resources[f][0] != '!';
		split_resource(s->resources[f] + (s->resources[f][0] == '!'),
		    pat[f]);
	}
	n = jv_get_kind(l) == JV_KIND_ARRAY ? jv_array_length(jv_copy(l)) : 0;
	for (i = 0; i < n; i++) {
		e = jv_array_get(jv_copy(l), i);
		inc = !any_include;
		for (f = 0; f < s->nresources; f++) {
			for (j = 0; j < 4; j++)
				if (!field_match(pat[f][j], lc_jvutil_str(e,
				    keys[j])))
					break;
			if (j == 4)
				inc = s->resources[f][0] != '!';
		}
		if (inc) {
			*out = jv_array_append(*out, resource_key(e));
		}
		jv_free(e);
	}
	jv_free(l);
	for (f = 0; f < s->nresources; f++)
		for (j = 0; j < 4; j++)
			free(pat[f][j]);
	free(pat);
	if (jv_array_length(jv_copy(*out)) == 0) {
		jv_free(*out);
		*out = jv_invalid();
		/* The explanation (cli_acd.c) puts the app's name in front. */
		return lc_error_set(LC_ENOTFOUND, "no resource matches "
		    "--resource %s", s->resources[0]);
	}
	return 0;
}

/* Whether ResourceDiff item e is in the list r of {group,kind,...}. */
static int
in_list(jv r, jv e)
{
	static const char *const keys[4] = { "group", "kind", "namespace",
	    "name" };
	int i, n = jv_array_length(jv_copy(r)), j, same;
	jv o;

	for (i = 0; i < n; i++) {
		o = jv_array_get(jv_copy(r), i);
		for (same = 1, j = 0; j < 4 && same; j++)
			same = strcmp(lc_jvutil_str(o, keys[j]),
			    lc_jvutil_str(e,
			    keys[j])) == 0;
		jv_free(o);
		if (same)
			return 1;
	}
	return 0;
}

/* Whether every --label KEY=VALUE is a label of the JSON manifest text. */
static int
has_labels(const struct lc_acd_sync *s, const char *manifest)
{
	jv m = jv_parse(manifest), l, v;
	size_t i, k;
	int ok = jv_get_kind(m) == JV_KIND_OBJECT;

	l = ok ? lc_jvutil_get(m, "metadata.labels") : jv_null();
	for (i = 0; ok && i < s->nlabels; i++) {
		k = strcspn(s->labels[i], "=");
		v = jv_get_kind(l) == JV_KIND_OBJECT ? jv_object_get(
		    jv_copy(l), jv_string_sized(s->labels[i], (int)k)) :
		    jv_invalid();

		ok = jv_get_kind(v) == JV_KIND_STRING &&
		    strcmp(jv_string_value(v), s->labels[i] + k + 1) == 0;
		jv_free(v);
	}
	jv_free(l);
	jv_free(m);
	return ok;
}

/*
 * --label: the resources whose manifest in git (the target state of the
 * app's managed resources, as argocd app sync --label reads the
 * manifests) carries every label given; with --resource too, only those
 * of *r (from pick_resources) that do. *r is replaced.
 */
static int
pick_labelled(const struct lc_acd_sync *s, struct lc_acd *acd,
    const struct lc_acd_target *t, long long deadline, jv *r)
{
	jv items, e, picked = jv_array();
	struct lc_buf want = LC_BUF_INIT;
	size_t i;
	int j, n, rc;

	if (s->nlabels == 0) {
		jv_free(picked);
		return 0;
	}
	if ((rc = lc_acd_managed(acd, &t->app, deadline, &items)) != 0) {
		jv_free(picked);
		jv_free(*r);
		*r = jv_invalid();
		return rc;
	}
	n = jv_array_length(jv_copy(items));
	for (j = 0; j < n; j++) {
		e = jv_array_get(jv_copy(items), j);
		if (has_labels(s, lc_jvutil_str(e, "targetState")) &&
		    (s->nresources == 0 || in_list(*r, e))) {
			picked = jv_array_append(picked, resource_key(e));
		}
		jv_free(e);
	}
	jv_free(items);
	jv_free(*r);
	*r = picked;
	if (jv_array_length(jv_copy(picked)) > 0)
		return 0;
	for (i = 0; i < s->nlabels; i++)
		lc_buf_printf(&want, "%s%s", i ? "," : "", s->labels[i]);
	rc = lc_error_set(LC_ENOTFOUND, "no resource %shas the label%s %s",
	    s->nresources ? "that --resource picked " : "",
	    s->nlabels > 1 ? "s" : "", want.data);
	lc_buf_release(&want);
	jv_free(*r);
	*r = jv_invalid();
	return rc;
}

/*
 * The syncOptions items: the app's own (spec.syncPolicy.syncOptions),
 * with ours added, a key given here replacing the app's value. Argo CD
 * uses the request's list instead of the app's, not on top of it, so
 * sending only ours would drop e.g. the app's ServerSideApply=true.
 */
static jv
sync_options(const struct lc_acd_sync *s, const struct lc_acd_target *t)
{
	jv app = lc_jvutil_get(t->last, "spec.syncPolicy.syncOptions"), e;
	jv out = jv_array();
	const char **ours = NULL;
	size_t n = 0, i, k;
	int j, m, dup;

	if (s->out_of_sync)
		append(&ours, &n, "ApplyOutOfSyncOnly=true");
	if (s->server_side)
		append(&ours, &n, "ServerSideApply=true");
	if (s->replace)
		append(&ours, &n, "Replace=true");
	for (i = 0; i < s->nsync_opts; i++)
		append(&ours, &n, s->sync_opts[i]);
	m = jv_get_kind(app) == JV_KIND_ARRAY ? jv_array_length(jv_copy(app))
	    : 0;
	for (j = 0; j < m; j++) {
		e = jv_array_get(jv_copy(app), j);
		dup = jv_get_kind(e) != JV_KIND_STRING;
		for (i = 0; i < n && !dup; i++) {
			k = strcspn(ours[i], "=");
			dup = strncmp(jv_string_value(e), ours[i], k) == 0 &&
			    jv_string_value(e)[k] == '=';
		}
		if (dup)
			jv_free(e);
		else
			out = jv_array_append(out, e);
	}
	for (i = 0; i < n; i++) {
		/* The last of a key given twice wins. */
		k = strcspn(ours[i], "=");
		for (dup = 0, j = (int)i + 1; j < (int)n && !dup; j++)
			dup = strncmp(ours[j], ours[i], k + 1) == 0;
		if (!dup)
			out = jv_array_append(out, jv_string(ours[i]));
	}
	free(ours);
	jv_free(app);
	return out;
}

int
lc_acd_sync_body(jv *out, struct lc_acd *acd, const struct lc_acd_sync *s,
    const struct lc_acd_target *t, long long deadline, const char *op_id)
{
	jv b = jv_object(), infos, r, o;
	size_t i;
	int rc;

	if (s->revision)
		b = jv_object_set(b, jv_string("revision"),
		    jv_string(s->revision));
	if (s->prune)
		b = jv_object_set(b, jv_string("prune"), jv_true());
	if (s->dry_run)
		b = jv_object_set(b, jv_string("dryRun"), jv_true());
	if (s->force || s->strategy) {
		o = jv_object_set(jv_object(), jv_string("force"),
		    s->force ? jv_true() : jv_false());
		b = jv_object_set(b, jv_string("strategy"), jv_object_set(
		    jv_object(), jv_string(s->strategy ? s->strategy : "hook"),
		    o));
	}
	if (s->nresources || s->nlabels) {
		if ((rc = pick_resources(s, t, &r)) != 0 ||
		    (rc = pick_labelled(s, acd, t, deadline, &r)) != 0) {
			jv_free(b);
			return rc;
		}
		b = jv_object_set(b, jv_string("resources"), r);
	}
	if (s->out_of_sync || s->server_side || s->replace || s->nsync_opts)
		b = jv_object_set(b, jv_string("syncOptions"), jv_object_set(
		    jv_object(), jv_string("items"), sync_options(s, t)));
	if (s->retry_set) {
		r = jv_object_set(jv_object(), jv_string("limit"),
		    jv_number((double)s->retry_limit));
		o = jv_object();
		if (s->retry_duration)
			o = jv_object_set(o, jv_string("duration"),
			    jv_string(s->retry_duration));
		if (s->retry_factor)
			o = jv_object_set(o, jv_string("factor"),
			    jv_number((double)s->retry_factor));
		if (s->retry_max)
			o = jv_object_set(o, jv_string("maxDuration"),
			    jv_string(s->retry_max));
		r = jv_object_set(r, jv_string("backoff"), o);
		b = jv_object_set(b, jv_string("retryStrategy"), r);
	}
	infos = jv_array_append(jv_array(), jv_object_set(jv_object_set(
	    jv_object(), jv_string("name"), jv_string("acd-op-id")),
	    jv_string("value"), jv_string(op_id)));
	for (i = 0; i < s->ninfos; i++) {
		const char *eq = strchr(s->infos[i], '=');

		infos = jv_array_append(infos, jv_object_set(jv_object_set(
		    jv_object(), jv_string("name"), jv_string_sized(
		    s->infos[i], (int)(eq - s->infos[i]))), jv_string("value"),
		    jv_string(eq + 1)));
	}
	b = jv_object_set(b, jv_string("infos"), infos);
	*out = b;
	return 0;
}

static void
fail_target(struct lc_acd_target *t, int rc)
{
	const char *m = lc_error_msg();

	t->done = 1;
	t->rc = rc;
	free(t->why);
	t->why = lc_buf_xstrndup(m ? m : "failed", strlen(m ? m : "failed"));
	lc_error_clear();
}


int
lc_acd_sync_known(const char *kv)
{
	return known_index(kv) >= 0;
}

int
lc_acd_sync_add_resource(struct lc_acd_sync *s, const char *spec)
{
	if (s->nresources == sizeof(s->resources) / sizeof(s->resources[0]))
		return lc_error_set(LC_EUSAGE, "at most %zu --resource",
		    s->nresources);
	if (strchr(spec, ':') == NULL || strchr(strchr(spec, ':') + 1,
	    ':') == NULL)
		return lc_error_set(LC_EUSAGE, "--resource '%s': write "
		    "GROUP:KIND:NAME or GROUP:KIND:NAMESPACE/NAME", spec);
	s->resources[s->nresources++] = spec;
	return 0;
}

int
lc_acd_sync_add_info(struct lc_acd_sync *s, const char *kv)
{
	if (strchr(kv, '=') == NULL || *kv == '=')
		return lc_error_set(LC_EUSAGE, "--info '%s': write "
		    "KEY=VALUE", kv);
	if (s->ninfos == sizeof(s->infos) / sizeof(s->infos[0]))
		return lc_error_set(LC_EUSAGE, "at most %zu --info",
		    s->ninfos);
	s->infos[s->ninfos++] = kv;
	return 0;
}

int
lc_acd_sync_add_option(struct lc_acd_sync *s, const char *kv)
{
	int rc;

	if ((rc = check_sync_option(kv)) != 0)
		return rc;
	append(&s->sync_opts, &s->nsync_opts, kv);
	return 0;
}

int
lc_acd_sync_add_label(struct lc_acd_sync *s, const char *kv)
{
	if (strchr(kv, '=') == NULL || *kv == '=' ||
	    kv[strcspn(kv, " \t\n")] != '\0')
		return lc_error_set(LC_EUSAGE, "--label '%s': write "
		    "KEY=VALUE (a label of the resources to sync)", kv);
	append(&s->labels, &s->nlabels, kv);
	return 0;
}

void
lc_acd_sync_release(struct lc_acd_sync *s)
{
	free(s->sync_opts);
	free(s->labels);
	free(s->ids);
	s->sync_opts = s->labels = NULL;
	s->ids = NULL;
	s->nsync_opts = s->nlabels = 0;
}

int
lc_acd_sync_refresh(struct lc_acd *acd, const struct lc_acd_sync *s,
    struct lc_acd_target *t, size_t n, long long deadline)
{
	size_t i;
	jv ans;
	int rc;

	for (i = 0; i < n; i++) {
		if (jv_is_valid(t[i].last) && !s->hard_refresh)
			continue;
		if ((rc = lc_acd_get(acd, &t[i].app, s->hard_refresh ? "hard" :
		    NULL, deadline, &ans)) != 0) {
			if (rc != LC_ENOTFOUND && rc != LC_EAUTH &&
			    rc != LC_ETIMEOUT)
				return rc;
			fail_target(&t[i], rc);
			continue;
		}
		jv_free(t[i].last);
		t[i].last = ans;
	}
	return 0;
}

int
lc_acd_sync_start(struct lc_acd *acd, struct lc_acd_sync *s,
    struct lc_acd_target *t, size_t n, enum lc_acd_busy busy,
    long long deadline)
{
	size_t i;
	jv body, ans;
	int rc, raced, round;

	free(s->ids);
	s->ids = lc_buf_xmalloc((n ? n : 1) * sizeof(*s->ids));
	for (round = 0;; round++) {
		if ((rc = lc_acd_wait_when_idle(acd, t, n, busy, deadline)) != 0)
			return rc;
		raced = 0;
		for (i = 0; i < n; i++) {
			if (t[i].done || t[i].op_id)
				continue;
			lc_acd_wait_op_id(s->ids[i]);
			if ((rc = lc_acd_sync_body(&body, acd, s, &t[i],
			    deadline, s->ids[i])) != 0) {
				fail_target(&t[i], rc);
				continue;
			}
			rc = lc_acd_post(acd, &t[i].app, "sync", body, deadline,
			    &ans);
			if (rc == LC_ECONFLICT && busy != LC_ACD_BUSY_FAIL &&
			    round < 20) {
				/* Lost a race to another operation: again. */
				lc_error_clear();
				if (lc_acd_get(acd, &t[i].app, NULL, deadline,
				    &ans) == 0) {
					jv_free(t[i].last);
					t[i].last = ans;
				}
				raced = 1;
				continue;
			}
			if (rc != 0) {
				fail_target(&t[i], rc);
				continue;
			}
			t[i].op_id = s->ids[i];
			t[i].dry_run = s->dry_run;
			t[i].partial = s->nresources > 0 || s->nlabels > 0;
			jv_free(t[i].last);
			t[i].last = ans;
			lc_log_info("%s: sync accepted (acd-op-id %s)",
			    t[i].app.name, s->ids[i]);
		}
		if (!raced || (deadline && lc_clock_ms() >= deadline))
			break;
	}
	return 0;
}
