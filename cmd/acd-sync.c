/* acd-sync: trigger an Argo CD sync, then wait for that sync to finish. */
#include <fnmatch.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "argocd.h"
#include "ci.h"
#include "cli.h"
#include "clock.h"
#include "error.h"
#include "log.h"
#include "parse.h"

enum {
	OPT_REVISION = LC_ACD_OPT_LAST, OPT_PRUNE, OPT_DRY_RUN, OPT_FORCE,
	OPT_STRATEGY, OPT_RESOURCE, OPT_OUT_OF_SYNC, OPT_SERVER_SIDE,
	OPT_REPLACE, OPT_RETRY_LIMIT, OPT_RETRY_DURATION, OPT_RETRY_FACTOR,
	OPT_RETRY_MAX, OPT_HARD_REFRESH, OPT_ASYNC, OPT_INFO, OPT_SYNC_OPTION,
	OPT_LABEL
};

static const struct option longopts[] = {
	LC_ACD_LONGOPTS,
	{ "apply-out-of-sync-only", no_argument, NULL, OPT_OUT_OF_SYNC },
	{ "async", no_argument, NULL, OPT_ASYNC },
	{ "degraded-grace", required_argument, NULL, LC_ACD_OPT_GRACE },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "hard-refresh", no_argument, NULL, OPT_HARD_REFRESH },
	{ "health", no_argument, NULL, LC_ACD_OPT_HEALTH },
	{ "if-busy", required_argument, NULL, LC_ACD_OPT_IF_BUSY },
	{ "info", required_argument, NULL, OPT_INFO },
	{ "label", required_argument, NULL, OPT_LABEL },
	{ "poll-interval", required_argument, NULL, LC_ACD_OPT_POLL },
	{ "progress-interval", required_argument, NULL, LC_ACD_OPT_PROGRESS },
	{ "prune", no_argument, NULL, OPT_PRUNE },
	{ "replace", no_argument, NULL, OPT_REPLACE },
	{ "resource", required_argument, NULL, OPT_RESOURCE },
	{ "retry-backoff-duration", required_argument, NULL, OPT_RETRY_DURATION },
	{ "retry-backoff-factor", required_argument, NULL, OPT_RETRY_FACTOR },
	{ "retry-backoff-max-duration", required_argument, NULL, OPT_RETRY_MAX },
	{ "retry-limit", required_argument, NULL, OPT_RETRY_LIMIT },
	{ "revision", required_argument, NULL, OPT_REVISION },
	{ "server-side", no_argument, NULL, OPT_SERVER_SIDE },
	{ "strategy", required_argument, NULL, OPT_STRATEGY },
	{ "sync-option", required_argument, NULL, OPT_SYNC_OPTION },
	{ NULL, 0, NULL, 0 }
};

struct ctx {
	struct lc_acd_conf c;
	struct lc_acd_want w;
	const char *revision, *strategy;
	int prune, dry_run, force, async, hard_refresh;
	int out_of_sync, server_side, replace;
	long retry_limit, retry_factor;
	int retry_set;
	const char *retry_duration, *retry_max;
	const char *resources[64];
	size_t nresources;
	const char *infos[16];
	size_t ninfos;
	const char **sync_opts;		/* --sync-option, grown */
	size_t nsync_opts;
	const char **labels;		/* --label, grown */
	size_t nlabels;
	enum lc_acd_busy busy;
};

static _Noreturn void
usage(int status)
{
	FILE *fp = status == LC_EXIT_OK ? stdout : stderr;

	fprintf(fp, "usage: %s [-hqVv] [-l selector] [-N namespace] "
	    "[-o format] [--apply-out-of-sync-only] [--async] "
	    "[--degraded-grace duration] [--dotenv file] [--dry-run] "
	    "[--force] "
	    "[--hard-refresh] [--health] [--if-busy policy] "
	    "[--info key=value] [--label key=value] "
	    "[--poll-interval duration] [--progress-interval duration] "
	    "[--prune] "
	    "[--replace] [--resource group:kind:name] "
	    "[--retry-backoff-duration duration] [--retry-backoff-factor n] "
	    "[--retry-backoff-max-duration duration] [--retry-limit n] "
	    "[--revision revision] [--server-side] [--strategy name] "
	    "[--sync-option key=value] "
	    "[--timeout duration] [connection-options] [app ...]\n",
	    lc_log_progname);
	if (status == LC_EXIT_OK)
		fputs("\n"
		    "Sync every APP ([NAMESPACE/]NAME), or the apps -l selects, "
		    "and wait until\n"
		    "that sync has ended and the app was reconciled after it.\n"
		    "\n"
		    "      --revision REV        sync to REV (default: the app's "
		    "target)\n"
		    "      --prune, --dry-run, --force, --strategy apply|hook\n"
		    "      --resource G:K:[NS/]NAME  only these (repeatable; * "
		    "and !)\n"
		    "      --label K=V           only resources with this label "
		    "(repeatable)\n"
		    "      --sync-option K=V     add to the app's sync options "
		    "(repeatable)\n"
		    "      --apply-out-of-sync-only, --server-side, --replace\n"
		    "      --retry-limit N, --retry-backoff-duration D,\n"
		    "      --retry-backoff-factor N, --retry-backoff-max-duration "
		    "D\n"
		    "      --info K=V            tag the operation (repeatable)\n"
		    "      --hard-refresh        refresh (hard) before syncing\n"
		    "      --if-busy POLICY      another operation runs: wait "
		    "(default),\n"
		    "                            fail (exit 5) or terminate it\n"
		    "      --async               do not wait after the sync is "
		    "accepted\n"
		    "      --health              ... and wait until Healthy\n"
		    "      --degraded-grace D    fail after Degraded for D "
		    "(default 0)\n"
		    "      --timeout D           one deadline for all (default "
		    "10m; 0: none)\n"
		    "      --progress-interval D  a line per app still waited "
		    "for, every D\n"
		    "                            (default 30s; 0: none)\n"
		    "      --dotenv FILE         append ACD_* lines (GitLab "
		    "dotenv)\n"
		    "  -l, --selector SEL, -N, --app-namespace NS, -o, --output "
		    "text|json,\n"
		    "  -q, --quiet, -v, --verbose, -h, --help, -V, --version\n"
		    "\n"
		    "Connection options: as for acd-wait (see acd-wait -h).\n",
		    fp);
	exit(status);
}

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
known_opt(const char *kv)
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
	if ((k = known_opt(arg)) < 0)
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

static int
option(int ch, const char *arg, void *vctx)
{
	struct ctx *x = vctx;
	long long ms;
	int rc;

	if ((rc = lc_acd_option(&x->c, ch, arg)) != 0 ||
	    (rc = lc_acd_wait_option(&x->w, &x->busy, ch, arg)) != 0)
		return rc < 0 ? rc : 0;
	switch (ch) {
	case OPT_REVISION:
		x->revision = arg;
		break;
	case OPT_PRUNE:
		x->prune = 1;
		break;
	case OPT_DRY_RUN:
		x->dry_run = 1;
		break;
	case OPT_FORCE:
		x->force = 1;
		break;
	case OPT_STRATEGY:
		if (strcmp(arg, "apply") != 0 && strcmp(arg, "hook") != 0)
			return lc_error_set(LC_EUSAGE, "--strategy %s: apply or "
			    "hook", arg);
		x->strategy = arg;
		break;
	case OPT_RESOURCE:
		if (x->nresources == sizeof(x->resources) /
		    sizeof(x->resources[0]))
			return lc_error_set(LC_EUSAGE, "at most %zu --resource",
			    x->nresources);
		if (strchr(arg, ':') == NULL || strchr(strchr(arg, ':') + 1,
		    ':') == NULL)
			return lc_error_set(LC_EUSAGE, "--resource '%s': write "
			    "GROUP:KIND:NAME or GROUP:KIND:NAMESPACE/NAME", arg);
		x->resources[x->nresources++] = arg;
		break;
	case OPT_OUT_OF_SYNC:
		x->out_of_sync = 1;
		break;
	case OPT_SERVER_SIDE:
		x->server_side = 1;
		break;
	case OPT_REPLACE:
		x->replace = 1;
		break;
	case OPT_RETRY_LIMIT:
		x->retry_set = 1;
		return lc_parse_long(arg, -1, 1000000, &x->retry_limit);
	case OPT_RETRY_FACTOR:
		x->retry_set = 1;
		return lc_parse_long(arg, 1, 1000, &x->retry_factor);
	case OPT_RETRY_DURATION:
	case OPT_RETRY_MAX:
		if (lc_parse_duration_opt(ch == OPT_RETRY_DURATION ?
		    "--retry-backoff-duration" : "--retry-backoff-max-duration",
		    arg, &ms) != 0)
			return LC_EUSAGE;
		x->retry_set = 1;
		if (ch == OPT_RETRY_DURATION)
			x->retry_duration = arg;
		else
			x->retry_max = arg;
		break;
	case OPT_HARD_REFRESH:
		x->hard_refresh = 1;
		break;
	case OPT_ASYNC:
		x->async = 1;
		break;
	case OPT_SYNC_OPTION:
		if ((rc = check_sync_option(arg)) != 0)
			return rc;
		append(&x->sync_opts, &x->nsync_opts, arg);
		break;
	case OPT_LABEL:
		if (strchr(arg, '=') == NULL || *arg == '=' ||
		    arg[strcspn(arg, " \t\n")] != '\0')
			return lc_error_set(LC_EUSAGE, "--label '%s': write "
			    "KEY=VALUE (a label of the resources to sync)", arg);
		append(&x->labels, &x->nlabels, arg);
		break;
	case OPT_INFO:
		if (strchr(arg, '=') == NULL || *arg == '=')
			return lc_error_set(LC_EUSAGE, "--info '%s': write "
			    "KEY=VALUE", arg);
		if (x->ninfos == sizeof(x->infos) / sizeof(x->infos[0]))
			return lc_error_set(LC_EUSAGE, "at most %zu --info",
			    x->ninfos);
		x->infos[x->ninfos++] = arg;
		break;
	default:
		return LC_EUSAGE;
	}
	return 0;
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
pick_resources(const struct ctx *x, const struct lc_acd_target *t, jv *out)
{
	static const char *const keys[4] = { "group", "kind", "namespace",
	    "name" };
	char *(*pat)[4];
	jv l = lc_jvutil_get(t->last, "status.resources"), e;
	int i, n, inc, any_include = 0;
	size_t f, j;

	*out = jv_array();
	if (x->nresources == 0)
		return 0;	/* --label alone: pick_labelled picks */
	pat = lc_buf_xmalloc((x->nresources ? x->nresources : 1) *
	    sizeof(*pat));
	for (f = 0; f < x->nresources; f++) {
		any_include |= x->resources[f][0] != '!';
		split_resource(x->resources[f] + (x->resources[f][0] == '!'),
		    pat[f]);
	}
	n = jv_get_kind(l) == JV_KIND_ARRAY ? jv_array_length(jv_copy(l)) : 0;
	for (i = 0; i < n; i++) {
		e = jv_array_get(jv_copy(l), i);
		inc = !any_include;
		for (f = 0; f < x->nresources; f++) {
			for (j = 0; j < 4; j++)
				if (!field_match(pat[f][j], lc_jvutil_str(e,
				    keys[j])))
					break;
			if (j == 4)
				inc = x->resources[f][0] != '!';
		}
		if (inc) {
			*out = jv_array_append(*out, resource_key(e));
		}
		jv_free(e);
	}
	jv_free(l);
	for (f = 0; f < x->nresources; f++)
		for (j = 0; j < 4; j++)
			free(pat[f][j]);
	free(pat);
	if (jv_array_length(jv_copy(*out)) == 0) {
		jv_free(*out);
		*out = jv_invalid();
		/* lc_acd_explain puts the app's name in front. */
		return lc_error_set(LC_ENOTFOUND, "no resource matches "
		    "--resource %s", x->resources[0]);
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
has_labels(const struct ctx *x, const char *manifest)
{
	jv m = jv_parse(manifest), l, v;
	size_t i, k;
	int ok = jv_get_kind(m) == JV_KIND_OBJECT;

	l = ok ? lc_jvutil_get(m, "metadata.labels") : jv_null();
	for (i = 0; ok && i < x->nlabels; i++) {
		k = strcspn(x->labels[i], "=");
		v = jv_get_kind(l) == JV_KIND_OBJECT ? jv_object_get(
		    jv_copy(l), jv_string_sized(x->labels[i], (int)k)) :
		    jv_invalid();

		ok = jv_get_kind(v) == JV_KIND_STRING &&
		    strcmp(jv_string_value(v), x->labels[i] + k + 1) == 0;
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
pick_labelled(const struct ctx *x, struct lc_acd *acd,
    const struct lc_acd_target *t, long long deadline, jv *r)
{
	jv items, e, picked = jv_array();
	struct lc_buf want = LC_BUF_INIT;
	size_t i;
	int j, n, rc;

	if (x->nlabels == 0) {
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
		if (has_labels(x, lc_jvutil_str(e, "targetState")) &&
		    (x->nresources == 0 || in_list(*r, e))) {
			picked = jv_array_append(picked, resource_key(e));
		}
		jv_free(e);
	}
	jv_free(items);
	jv_free(*r);
	*r = picked;
	if (jv_array_length(jv_copy(picked)) > 0)
		return 0;
	for (i = 0; i < x->nlabels; i++)
		lc_buf_printf(&want, "%s%s", i ? "," : "", x->labels[i]);
	rc = lc_error_set(LC_ENOTFOUND, "no resource %shas the label%s %s",
	    x->nresources ? "that --resource picked " : "",
	    x->nlabels > 1 ? "s" : "", want.data);
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
sync_options(const struct ctx *x, const struct lc_acd_target *t)
{
	jv app = lc_jvutil_get(t->last, "spec.syncPolicy.syncOptions"), e;
	jv out = jv_array();
	const char **ours = NULL;
	size_t n = 0, i, k;
	int j, m, dup;

	if (x->out_of_sync)
		append(&ours, &n, "ApplyOutOfSyncOnly=true");
	if (x->server_side)
		append(&ours, &n, "ServerSideApply=true");
	if (x->replace)
		append(&ours, &n, "Replace=true");
	for (i = 0; i < x->nsync_opts; i++)
		append(&ours, &n, x->sync_opts[i]);
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

/* The sync request body, tagged with op_id. */
static int
sync_body(const struct ctx *x, struct lc_acd *acd,
    const struct lc_acd_target *t, long long deadline, const char *op_id,
    jv *out)
{
	jv b = jv_object(), infos, r, s;
	size_t i;
	int rc;

	if (x->revision)
		b = jv_object_set(b, jv_string("revision"),
		    jv_string(x->revision));
	if (x->prune)
		b = jv_object_set(b, jv_string("prune"), jv_true());
	if (x->dry_run)
		b = jv_object_set(b, jv_string("dryRun"), jv_true());
	if (x->force || x->strategy) {
		s = jv_object_set(jv_object(), jv_string("force"),
		    x->force ? jv_true() : jv_false());
		b = jv_object_set(b, jv_string("strategy"), jv_object_set(
		    jv_object(), jv_string(x->strategy ? x->strategy : "hook"),
		    s));
	}
	if (x->nresources || x->nlabels) {
		if ((rc = pick_resources(x, t, &r)) != 0 ||
		    (rc = pick_labelled(x, acd, t, deadline, &r)) != 0) {
			jv_free(b);
			return rc;
		}
		b = jv_object_set(b, jv_string("resources"), r);
	}
	if (x->out_of_sync || x->server_side || x->replace || x->nsync_opts)
		b = jv_object_set(b, jv_string("syncOptions"), jv_object_set(
		    jv_object(), jv_string("items"), sync_options(x, t)));
	if (x->retry_set) {
		r = jv_object_set(jv_object(), jv_string("limit"),
		    jv_number((double)x->retry_limit));
		s = jv_object();
		if (x->retry_duration)
			s = jv_object_set(s, jv_string("duration"),
			    jv_string(x->retry_duration));
		if (x->retry_factor)
			s = jv_object_set(s, jv_string("factor"),
			    jv_number((double)x->retry_factor));
		if (x->retry_max)
			s = jv_object_set(s, jv_string("maxDuration"),
			    jv_string(x->retry_max));
		r = jv_object_set(r, jv_string("backoff"), s);
		b = jv_object_set(b, jv_string("retryStrategy"), r);
	}
	infos = jv_array_append(jv_array(), jv_object_set(jv_object_set(
	    jv_object(), jv_string("name"), jv_string("acd-op-id")),
	    jv_string("value"), jv_string(op_id)));
	for (i = 0; i < x->ninfos; i++) {
		const char *eq = strchr(x->infos[i], '=');

		infos = jv_array_append(infos, jv_object_set(jv_object_set(
		    jv_object(), jv_string("name"), jv_string_sized(
		    x->infos[i], (int)(eq - x->infos[i]))), jv_string("value"),
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
main(int argc, char *argv[])
{
	static const char shortopts[] = LC_ACD_SHORTOPTS;
	struct ctx x;
	struct lc_acd *acd = NULL;
	struct lc_acd_target *t = NULL;
	char (*ids)[37] = NULL;
	long long deadline;
	size_t n = 0, i;
	jv body, ans;
	int rc, busy, round;

	lc_cli_init(argv[0]);
	memset(&x, 0, sizeof(x));
	x.c.timeout_ms = 600000;
	if (lc_acd_args(argc, argv, shortopts, longopts, option, option, &x,
	    usage) < 0)
		return LC_EXIT_USAGE;
	argc -= optind;
	argv += optind;
	lc_acd_need_apps(argc, &x.c, "sync", usage);
	for (i = 0; i < x.nsync_opts; i++)
		if (known_opt(x.sync_opts[i]) < 0)
			lc_log_warn("--sync-option '%s': not an option this "
			    "acd-sync knows; sent as given", x.sync_opts[i]);
	x.w.flags |= LC_ACD_W_OPERATION;
	x.w.selector = x.c.selector;
	deadline = x.c.timeout_ms ? lc_clock_ms() + x.c.timeout_ms : 0;
	if ((rc = lc_acd_open(&acd, &x.c, deadline)) != 0)
		return lc_cli_exit(rc);

	/* The apps, as they are now: existence, access, a running operation. */
	if ((rc = lc_acd_targets(acd, &x.c, argv, argc, deadline, &t, &n))
	    != 0)
		goto out;
	ids = lc_buf_xmalloc(n * sizeof(*ids));
	for (i = 0; i < n; i++) {
		if (jv_is_valid(t[i].last) && !x.hard_refresh)
			continue;
		if ((rc = lc_acd_get(acd, &t[i].app, x.hard_refresh ? "hard" :
		    NULL, deadline, &ans)) != 0) {
			if (rc != LC_ENOTFOUND && rc != LC_EAUTH &&
			    rc != LC_ETIMEOUT)
				goto out;
			fail_target(&t[i], rc);
			continue;
		}
		jv_free(t[i].last);
		t[i].last = ans;
	}

	/* Sync; when another operation is in the way, apply --if-busy. */
	for (round = 0;; round++) {
		if ((rc = lc_acd_when_idle(acd, t, n, x.busy, deadline)) != 0)
			goto report;
		busy = 0;
		for (i = 0; i < n; i++) {
			if (t[i].done || t[i].op_id)
				continue;
			lc_acd_op_id(ids[i]);
			if ((rc = sync_body(&x, acd, &t[i], deadline, ids[i],
			    &body)) != 0) {
				fail_target(&t[i], rc);
				continue;
			}
			rc = lc_acd_post(acd, &t[i].app, "sync", body, deadline,
			    &ans);
			if (rc == LC_ECONFLICT && x.busy != LC_ACD_BUSY_FAIL &&
			    round < 20) {
				/* Lost a race to another operation: again. */
				lc_error_clear();
				if (lc_acd_get(acd, &t[i].app, NULL, deadline,
				    &ans) == 0) {
					jv_free(t[i].last);
					t[i].last = ans;
				}
				busy = 1;
				continue;
			}
			if (rc != 0) {
				fail_target(&t[i], rc);
				continue;
			}
			t[i].op_id = ids[i];
			t[i].dry_run = x.dry_run;
			t[i].partial = x.nresources > 0 || x.nlabels > 0;
			jv_free(t[i].last);
			t[i].last = ans;
			lc_log_info("%s: sync accepted (acd-op-id %s)",
			    t[i].app.name, ids[i]);
		}
		if (!busy || (deadline && lc_clock_ms() >= deadline))
			break;
	}
	if (x.async) {
		rc = 0;
		for (i = 0; i < n; i++)
			if (t[i].rc != 0 && rc == 0)
				rc = t[i].rc;
		goto report;
	}
	rc = lc_acd_wait(acd, t, n, &x.w, deadline);
report:
	rc = lc_acd_finish(t, n, rc, x.c.json, x.c.timeout_ms,
	    "not every sync succeeded");
out:
	for (i = 0; t && i < n; i++)
		lc_acd_target_free(&t[i]);
	free(t);
	free(ids);
	free(x.sync_opts);
	free(x.labels);
	lc_acd_close(acd);
	return lc_cli_exit(rc);
}
