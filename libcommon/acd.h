/* acd.h: Argo CD REST client over http + libjq: discovery and calls. */
/*
 * The acd module (Argo CD) is libcommon/acd*.c, its symbols lc_acd_*: the
 * client here, waiting in acd_wait*.c (acd_wait.h), syncs in acd_sync.c,
 * rollbacks in acd_rollback.c, diffs in acd_diff*.c. The acd-* commands'
 * shared options and final report are cli_acd.c's (lc_cli_acd_*).
 */
#ifndef LC_ACD_H
#define LC_ACD_H

#include <jv.h>

#include "buf.h"
#include "http.h"
#include "jvutil.h"

/* Where the server and credentials come from (spec section 7). */
struct lc_acd_conf {
	const char *server;		/* host[:port], or a URL */
	const char *token;
	const char *token_file;
	int plaintext, insecure;
	const char *root_path;		/* --grpc-web-root-path: URL prefix */
	const char *ca_file, *client_crt, *client_key;
	const char *headers[32];
	size_t nheaders;
	const char *config;		/* --config FILE */
	const char *context;		/* --argocd-context NAME */
	const char *username, *password_file;
	const char *app_namespace;	/* -N */
	const char *projects[16];	/* --project, repeatable */
	size_t nprojects;
	const char *selector;		/* -l */
	long long timeout_ms;		/* --timeout; 0: none */
	int json;			/* -o json */
	const char *dotenv;		/* --dotenv FILE: ACD_* lines */
};


/* An application as the user named it: [NAMESPACE/]NAME. */
struct lc_acd_app {
	char *name;
	char *ns;		/* NULL: the server's own namespace */
};

void lc_acd_app_parse(struct lc_acd_app *a, const char *arg,
    const char *default_ns);
void lc_acd_app_free(struct lc_acd_app *a);

struct lc_acd;

/*
 * Resolve the server, TLS and token (flags, ARGOCD_OPTS, ARGOCD_SERVER /
 * ARGOCD_AUTH_TOKEN, then the argocd CLI's config file), log in when a
 * username and password are given instead of a token, and return a client.
 */
int lc_acd_open(struct lc_acd **out, const struct lc_acd_conf *c,
    long long deadline);
void lc_acd_close(struct lc_acd *acd);

/* The base URL (scheme://host[:port][/root]). */
const char *lc_acd_base(const struct lc_acd *acd);
/* The HTTP client (with the token) the calls go through. */
struct lc_http *lc_acd_http(struct lc_acd *acd);
/* Append "?key=value" or "&key=value" (escaped) to u; no-op for NULL/"". */
void lc_acd_query(struct lc_buf *u, const char *key, const char *val);
/*
 * Append the URL of application a to u: BASE/api/v1/applications/NAME,
 * then "/" and suffix unless it is NULL, then the appNamespace and (the
 * first --project) project queries.
 */
void lc_acd_app_url(struct lc_buf *u, const struct lc_acd *acd,
    const struct lc_acd_app *a, const char *suffix);
/*
 * The error of an API answer r (not 200) to what ("application 'x'"):
 * the server's message (JSON message or error, else the body's first
 * line) with LC_EAUTH for 401 and 403 (LC_ENOTFOUND for a 403 "permission
 * denied" when is_get_app: Argo CD answers a missing app so), LC_ENOTFOUND
 * for 404, LC_ECONFLICT for a 400 "another operation is already in
 * progress", LC_EUNAVAIL for 5xx, else LC_ERROR; the message is set.
 */
int lc_acd_api_error(const struct lc_http_resp *r, const char *what,
    int is_get_app);

/*
 * GET the application into *app. refresh is NULL, "normal" or "hard"
 * (then the call blocks until the controller has reconciled, bounded by
 * deadline through Grpc-Timeout and our own timeout).
 */
int lc_acd_get(struct lc_acd *acd, const struct lc_acd_app *a,
    const char *refresh, long long deadline, jv *app);
/* List applications (by selector and the conf's projects) into *items. */
int lc_acd_list(struct lc_acd *acd, const char *selector, const char *ns,
    long long deadline, jv *items);
/*
 * POST /api/v1/applications/NAME/ACTION (sync, rollback) with body (a
 * JSON object, consumed; appNamespace and project are added). *app gets
 * the answer when app is not NULL.
 */
int lc_acd_post(struct lc_acd *acd, const struct lc_acd_app *a,
    const char *action, jv body, long long deadline, jv *app);
/* DELETE .../operation: terminate the running operation. */
int lc_acd_terminate(struct lc_acd *acd, const struct lc_acd_app *a,
    long long deadline);

/*
 * GET /api/v1/applications/NAME/managed-resources: the app's resources as
 * the controller last compared them, *items an array of ResourceDiff
 * ({group, kind, namespace, name, liveState, targetState,
 * normalizedLiveState, predictedLiveState, hook, modified}; the states
 * are JSON text). Errors as for lc_acd_get.
 */
int lc_acd_managed(struct lc_acd *acd, const struct lc_acd_app *a,
    long long deadline, jv *items);

#endif
