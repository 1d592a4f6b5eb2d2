/* acd_test.c: Argo CD requests, answers, sync bodies and the done-rule. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jv.h>

#include "acd.h"
#include "acd_wait_int.h"
#include "acd_sync.h"
#include "acd_wait.h"
#include "buf.h"
#include "error.h"
#include "http.h"
#include "log.h"
#include "tap.h"

static const struct {
	const char *url, *key, *val, *want;
} queries[] = {
	{ "http://h/x", "k", "v", "http://h/x?k=v" },
	{ "http://h/x?a=1", "k", "a b/c&d", "http://h/x?a=1&k=a%20b%2Fc%26d" },
	{ "http://h/x", "k", NULL, "http://h/x" },
	{ "http://h/x", "k", "", "http://h/x" },
};

static void
test_query(void)
{
	struct lc_buf u = LC_BUF_INIT;
	size_t i;

	for (i = 0; i < sizeof(queries) / sizeof(queries[0]); i++) {
		u.len = 0;
		lc_buf_adds(&u, queries[i].url);
		lc_acd_query(&u, queries[i].key, queries[i].val);
		is_str(u.data, queries[i].want, "query %s=%s", queries[i].key,
		    queries[i].val ? queries[i].val : "(null)");
	}
	lc_buf_release(&u);
}

/* A client that never connects: plain HTTP, a token, no config file. */
static struct lc_acd *
client(struct lc_acd_conf *c, const char *root, const char *project)
{
	struct lc_acd *acd = NULL;

	memset(c, 0, sizeof(*c));
	c->server = "argocd.example:8080";
	c->plaintext = 1;
	c->token = "t0ken-for-tests";
	c->root_path = root;
	if (project)
		c->projects[c->nprojects++] = project;
	if (lc_acd_open(&acd, c, 0) != 0)
		printf("# lc_acd_open: %s\n", lc_error_msg());
	return acd;
}

static const struct {
	const char *root, *project, *name, *ns, *suffix, *want;
} urls[] = {
	{ NULL, NULL, "web", NULL, NULL,
	    "http://argocd.example:8080/api/v1/applications/web" },
	{ NULL, "team-a", "web", "apps", "operation",
	    "http://argocd.example:8080/api/v1/applications/web/operation"
	    "?appNamespace=apps&project=team-a" },
	{ "/argocd/", NULL, "a b", "apps", "managed-resources",
	    "http://argocd.example:8080/argocd/api/v1/applications/a%20b/"
	    "managed-resources?appNamespace=apps" },
	{ "argocd", "p", "web", NULL, NULL,
	    "http://argocd.example:8080/argocd/api/v1/applications/web"
	    "?project=p" },
};

static void
test_urls(void)
{
	struct lc_acd_conf c;
	struct lc_acd *acd;
	struct lc_acd_app a;
	struct lc_buf u = LC_BUF_INIT;
	size_t i;

	for (i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
		acd = client(&c, urls[i].root, urls[i].project);
		a.name = (char *)urls[i].name;
		a.ns = (char *)urls[i].ns;
		u.len = 0;
		lc_buf_adds(&u, "");
		if (acd)
			lc_acd_app_url(&u, acd, &a, urls[i].suffix);
		is_str(u.data, urls[i].want, "URL of %s%s%s", urls[i].name,
		    urls[i].suffix ? "/" : "", urls[i].suffix ?
		    urls[i].suffix : "");
		lc_acd_close(acd);
	}
	lc_buf_release(&u);
}

static const struct {
	long status;
	const char *ctype, *body;
	int get_app, rc;
	const char *msg;
} errors[] = {
	{ 401, "application/json", "{\"message\":\"token is expired\"}", 1,
	    LC_EAUTH, "application 'x': token is expired (401): log in again, "
	    "or check the token (--auth-token-file, ARGOCD_AUTH_TOKEN)" },
	{ 403, "application/json", "{\"error\":\"permission denied\","
	    "\"message\":\"permission denied\"}", 1, LC_ENOTFOUND,
	    "application 'x': permission denied (403): the application does "
	    "not exist, or the token may not see it (Argo CD answers both "
	    "alike; --project tells them apart)" },
	{ 403, "application/json", "{\"message\":\"permission denied\"}", 0,
	    LC_EAUTH, "application 'x': permission denied (403)" },
	{ 404, "application/json; charset=utf-8",
	    "{\"message\":\"app not found\"}", 1, LC_ENOTFOUND,
	    "application 'x': app not found (404)" },
	{ 400, "application/json", "{\"message\":\"another operation is "
	    "already in progress\"}", 0, LC_ECONFLICT,
	    "application 'x': another operation is already in progress" },
	{ 400, "application/json", "{\"error\":\"bad sync\"}", 0, LC_ERROR,
	    "application 'x': bad sync (400)" },
	{ 503, "text/plain", "upstream down\nsecond line", 0, LC_EUNAVAIL,
	    "application 'x': upstream down (503)" },
	{ 500, "", "", 0, LC_EUNAVAIL,
	    "application 'x': unexpected answer (500)" },
	{ 308, "text/html", "<a>moved</a>", 0, LC_ERROR,
	    "application 'x': the server redirects to HTTPS: drop --plaintext" },
};

static void
test_errors(void)
{
	struct lc_http_resp r = LC_HTTP_RESP_INIT;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(errors) / sizeof(errors[0]); i++) {
		r.status = errors[i].status;
		snprintf(r.ctype, sizeof(r.ctype), "%s", errors[i].ctype);
		r.body.len = 0;
		lc_buf_adds(&r.body, errors[i].body);
		rc = lc_acd_api_error(&r, "application 'x'", errors[i].get_app);
		ok(rc == errors[i].rc, "HTTP %ld%s: code %d", errors[i].status,
		    errors[i].get_app ? " (GET app)" : "", rc);
		is_str(lc_error_msg(), errors[i].msg, "HTTP %ld: message",
		    errors[i].status);
		lc_error_clear();
	}
	lc_http_resp_release(&r);
}

/* An app with syncOptions of its own and two resources. */
static const char sync_app[] = "{\"spec\":{\"syncPolicy\":{\"syncOptions\":"
    "[\"CreateNamespace=true\",\"Validate=false\"]}},\"status\":"
    "{\"resources\":[{\"group\":\"\",\"kind\":\"Service\",\"namespace\":"
    "\"ns\",\"name\":\"web\"},{\"group\":\"apps\",\"kind\":\"Deployment\","
    "\"namespace\":\"ns\",\"name\":\"web\"}]}}";

#define OP_INFO "\"infos\":[{\"name\":\"acd-op-id\",\"value\":\"ID\"}"

static const struct {
	const char *name;
	struct lc_acd_sync s;
	int rc;
	const char *want;	/* sorted JSON, or the message */
} bodies[] = {
	{ "no options", { .revision = NULL }, 0, "{" OP_INFO "]}" },
	{ "revision, prune, dry run", { .revision = "abc", .prune = 1,
	    .dry_run = 1 }, 0, "{\"dryRun\":true," OP_INFO "],\"prune\":true,"
	    "\"revision\":\"abc\"}" },
	{ "force", { .force = 1 }, 0,
	    "{" OP_INFO "],\"strategy\":{\"hook\":{\"force\":true}}}" },
	{ "strategy apply", { .strategy = "apply" }, 0,
	    "{" OP_INFO "],\"strategy\":{\"apply\":{\"force\":false}}}" },
	{ "sync options on top of the app's", { .server_side = 1,
	    .sync_opts = (const char *[]){ "Validate=true" },
	    .nsync_opts = 1 }, 0, "{" OP_INFO "],\"syncOptions\":{\"items\":"
	    "[\"CreateNamespace=true\",\"ServerSideApply=true\","
	    "\"Validate=true\"]}}" },
	{ "a resource by glob", { .resources = { "apps:Deployment:*" },
	    .nresources = 1 }, 0, "{" OP_INFO "],\"resources\":[{\"group\":"
	    "\"apps\",\"kind\":\"Deployment\",\"name\":\"web\",\"namespace\":"
	    "\"ns\"}]}" },
	{ "all but one resource", { .resources = { "!apps:*:*" },
	    .nresources = 1 }, 0, "{" OP_INFO "],\"resources\":[{\"group\":"
	    "\"\",\"kind\":\"Service\",\"name\":\"web\",\"namespace\":"
	    "\"ns\"}]}" },
	{ "a resource that is not there", { .resources = { ":Nothing:x" },
	    .nresources = 1 }, LC_ENOTFOUND,
	    "no resource matches --resource :Nothing:x" },
	{ "retry strategy", { .retry_set = 1, .retry_limit = 3,
	    .retry_factor = 2, .retry_duration = "5s", .retry_max = "3m" }, 0,
	    "{" OP_INFO "],\"retryStrategy\":{\"backoff\":{\"duration\":\"5s\","
	    "\"factor\":2,\"maxDuration\":\"3m\"},\"limit\":3}}" },
	{ "infos", { .infos = { "team=a=b" }, .ninfos = 1 }, 0,
	    "{" OP_INFO ",{\"name\":\"team\",\"value\":\"a=b\"}]}" },
};

static void
test_sync_bodies(struct lc_acd *acd)
{
	struct lc_acd_target t;
	jv b, s;
	size_t i;
	int rc;

	lc_acd_wait_target_init(&t);
	t.last = jv_parse(sync_app);
	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		rc = lc_acd_sync_body(&b, acd, &bodies[i].s, &t, 0, "ID");
		ok(rc == bodies[i].rc, "sync body, %s: code %d", bodies[i].name,
		    rc);
		if (rc != 0) {
			is_str(lc_error_msg(), bodies[i].want, "sync body, %s: "
			    "message", bodies[i].name);
			lc_error_clear();
			continue;
		}
		s = jv_dump_string(b, JV_PRINT_SORTED);
		is_str(jv_string_value(s), bodies[i].want, "sync body, %s",
		    bodies[i].name);
		jv_free(s);
	}
	jv_free(t.last);
}

static const struct {
	const char *kv;
	int rc;
	const char *msg;
} sync_opts[] = {
	{ "Validate=true", 0, NULL },
	{ "SomethingNew=x", 0, NULL },
	{ "Validate=False", LC_EUSAGE, "--sync-option 'Validate=False': "
	    "Validate takes true|false (Argo CD compares the text exactly)" },
	{ "Validate", LC_EUSAGE, "--sync-option 'Validate': write KEY=VALUE, "
	    "e.g. CreateNamespace=true" },
	{ "A=b c", LC_EUSAGE, "--sync-option 'A=b c': write KEY=VALUE, "
	    "e.g. CreateNamespace=true" },
};

static void
test_sync_options(void)
{
	struct lc_acd_sync s;
	size_t i;
	int rc;

	memset(&s, 0, sizeof(s));
	for (i = 0; i < sizeof(sync_opts) / sizeof(sync_opts[0]); i++) {
		rc = lc_acd_sync_add_option(&s, sync_opts[i].kv);
		ok(rc == sync_opts[i].rc, "--sync-option %s: code %d",
		    sync_opts[i].kv, rc);
		if (sync_opts[i].msg)
			is_str(lc_error_msg(), sync_opts[i].msg,
			    "--sync-option %s: message", sync_opts[i].kv);
		lc_error_clear();
	}
	ok(s.nsync_opts == 2, "the good ones are kept (%zu)", s.nsync_opts);
	ok(lc_acd_sync_known("Validate=x") && !lc_acd_sync_known("Nope=x"),
	    "known sync option keys");
	lc_acd_sync_release(&s);
}

/* Canned application states and what the done-rule makes of them. */
#define REC "\"reconciledAt\":\"2024-01-01T00:00:10Z\""
#define FIN(phase) "\"operationState\":{\"phase\":\"" phase "\"," \
    "\"message\":\"boom\",\"finishedAt\":\"2024-01-01T00:00:05Z\"}"

static const struct {
	const char *name;
	unsigned flags;
	const char *app;
	int done, rc;
	const char *why;
} states[] = {
	{ "Synced and Healthy", LC_ACD_W_SYNC | LC_ACD_W_HEALTH,
	    "{\"status\":{\"sync\":{\"status\":\"Synced\"},\"health\":"
	    "{\"status\":\"Healthy\"}," REC "}}", 1, 0, NULL },
	{ "an operation is pending", LC_ACD_W_SYNC,
	    "{\"operation\":{\"sync\":{}},\"status\":{\"sync\":{\"status\":"
	    "\"Synced\"}," REC "}}", 0, 0, NULL },
	{ "reconciled before the operation ended", LC_ACD_W_SYNC,
	    "{\"status\":{\"sync\":{\"status\":\"Synced\"},\"reconciledAt\":"
	    "\"2024-01-01T00:00:01Z\"," FIN("Succeeded") "}}", 0, 0, NULL },
	{ "the last operation failed", LC_ACD_W_SYNC | LC_ACD_W_OPERATION,
	    "{\"status\":{\"sync\":{\"status\":\"Synced\"}," REC ","
	    FIN("Failed") "}}", 1, LC_ENO,
	    "the last operation ended Failed: boom" },
	{ "a failed operation, not asked about", LC_ACD_W_SYNC,
	    "{\"status\":{\"sync\":{\"status\":\"Synced\"}," REC ","
	    FIN("Failed") "}}", 1, 0, NULL },
	{ "OutOfSync", LC_ACD_W_SYNC,
	    "{\"status\":{\"sync\":{\"status\":\"OutOfSync\"}," REC "}}", 0, 0,
	    NULL },
	{ "Degraded", LC_ACD_W_HEALTH,
	    "{\"status\":{\"health\":{\"status\":\"Degraded\",\"message\":"
	    "\"crash loop\"}," REC "}}", 1, LC_ENO,
	    "the application is Degraded: crash loop" },
	{ "Degraded accepted", LC_ACD_W_HEALTH | LC_ACD_W_DEGRADED,
	    "{\"status\":{\"health\":{\"status\":\"Degraded\"}," REC "}}", 1, 0,
	    NULL },
	{ "Suspended accepted", LC_ACD_W_HEALTH | LC_ACD_W_SUSPENDED,
	    "{\"status\":{\"health\":{\"status\":\"Suspended\"}," REC "}}", 1,
	    0, NULL },
	{ "Progressing", LC_ACD_W_HEALTH,
	    "{\"status\":{\"health\":{\"status\":\"Progressing\"}," REC "}}", 0,
	    0, NULL },
	{ "being deleted", LC_ACD_W_SYNC,
	    "{\"metadata\":{\"deletionTimestamp\":\"2024-01-01T00:00:00Z\"}}",
	    1, LC_ENOTFOUND, "the application is being deleted" },
	{ "idle: no operation", LC_ACD_W_IDLE,
	    "{\"status\":{\"sync\":{\"status\":\"OutOfSync\"}}}", 1, 0, NULL },
	{ "idle: an operation", LC_ACD_W_IDLE,
	    "{\"operation\":{},\"status\":{}}", 0, 0, NULL },
};

static void
test_done_rule(void)
{
	struct lc_acd_want w;
	struct lc_acd_target t;
	struct waiter wt;
	size_t i;

	for (i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
		memset(&w, 0, sizeof(w));
		w.flags = states[i].flags;
		memset(&wt, 0, sizeof(wt));
		lc_acd_wait_target_init(&t);
		t.app.name = "web";
		t.last = jv_parse(states[i].app);
		wt.w = &w;
		wt.t = &t;
		wt.n = 1;
		wt.pending = 1;
		lc_acd_wait_judge(&wt, &t, 1000);
		ok(t.done == states[i].done && t.rc == states[i].rc,
		    "done-rule, %s: done %d, code %d", states[i].name, t.done,
		    t.rc);
		if (states[i].why)
			is_str(t.why, states[i].why, "done-rule, %s: why",
			    states[i].name);
		t.app.name = NULL;
		lc_acd_wait_target_free(&t);
	}
}

static const struct {
	const char *want, *app;
	int match;
	const char *why;
} revisions[] = {
	{ "abcdef12", "{\"status\":{\"sync\":{\"revision\":"
	    "\"abcdef1234567890abcdef1234567890abcdef12\"}}}", 1, NULL },
	{ "ABCDEF12", "{\"status\":{\"sync\":{\"revision\":"
	    "\"abcdef1234567890abcdef1234567890abcdef12\"}}}", 1, NULL },
	{ "1.2.3", "{\"status\":{\"sync\":{\"revision\":\"1.2.3\"}}}", 1,
	    NULL },
	{ "1.3", "{\"status\":{\"sync\":{\"revision\":\"1.2.3\"}}}", 0,
	    "revision 1.2.3 is not 1.3" },
	{ "abcd12", "{\"status\":{\"sync\":{\"revisions\":[\"1.0.0\","
	    "\"abcd1234\"]}}}", 1, NULL },
	{ "1234abcd", "{\"status\":{\"sync\":{\"revision\":"
	    "\"abcdef1234567890abcdef1234567890abcdef12\"}}}", 0,
	    "revision abcdef1 is not 1234abcd (no git repository here to tell "
	    "a later commit by: give --repo-dir)" },
};

static void
test_revisions(void)
{
	struct lc_acd_want w;
	struct lc_acd_target t;
	struct waiter wt;
	size_t i;
	jv app;
	int r;

	/* Outside any repository: only exact and prefix matches. */
	if (chdir("/") != 0)
		return;
	for (i = 0; i < sizeof(revisions) / sizeof(revisions[0]); i++) {
		memset(&w, 0, sizeof(w));
		w.revision = revisions[i].want;
		memset(&wt, 0, sizeof(wt));
		wt.w = &w;
		lc_acd_wait_target_init(&t);
		app = jv_parse(revisions[i].app);
		r = lc_acd_wait_revision(&wt, &t, app);
		ok(r == revisions[i].match, "revision %s: match %d",
		    revisions[i].want, r);
		if (revisions[i].why)
			is_str(t.rev_why, revisions[i].why, "revision %s: why",
			    revisions[i].want);
		jv_free(app);
		lc_acd_wait_target_free(&t);
		lc_acd_wait_revs_free(wt.revs);
	}
}

int
main(void)
{
	struct lc_acd_conf c;
	struct lc_acd *acd;

	setenv("ARGOCD_CONFIG_DIR", "/nonexistent/acd_test", 1);
	unsetenv("ARGOCD_SERVER");
	unsetenv("ARGOCD_AUTH_TOKEN");
	unsetenv("ARGOCD_USERNAME");
	unsetenv("ARGOCD_PASSWORD");
	lc_log_set_level(LC_LOG_ERROR);
	test_query();
	test_urls();
	test_errors();
	acd = client(&c, NULL, NULL);
	test_sync_bodies(acd);
	lc_acd_close(acd);
	test_sync_options();
	test_done_rule();
	test_revisions();
	return done_testing();
}
