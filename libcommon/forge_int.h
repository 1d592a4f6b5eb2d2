/* forge_int.h: what forge.c and its parts share, private to them. */
#ifndef LC_FORGE_INT_H
#define LC_FORGE_INT_H

#include <stddef.h>

#include <jv.h>

#include "forge.h"

struct lc_forge {
	enum lc_forge_kind kind;
	struct lc_http *http;
	char api[512];		/* no trailing slash */
	char graphql[600];	/* GitHub */
	char owner[256], repo[256];	/* GitHub, Gitea */
	char project[1800];	/* GitLab: group%2Fsub%2Fproject, escaped path */
	char slug[600];		/* owner/repo as written, for messages */
	char *token;
	char *auth;		/* the header carrying the token (any length) */
	long long deadline;
};

/* Whether s contains w, ignoring ASCII case. */
int lc_forge_icontains(const char *s, const char *w);
/* A request; *j gets the parsed JSON answer (jv_null() when none). */
int lc_forge_call(struct lc_forge *f, const char *method, const char *path,
    jv body, long *status, jv *j);
/* The forge's own words in an error answer. */
void lc_forge_reason(jv j, char *out, size_t n);
/* An answer that is not what we asked for, as an LC_E* code. */
int lc_forge_refused(struct lc_forge *f, const char *what, long status,
    jv j);

#endif
