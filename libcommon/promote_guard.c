/* promote_guard.c: what refuses a promotion before anything is written: the registry, --platform, --semver, --allow-tags, --gate. */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <git2.h>
#include <jv.h>

#include "buf.h"
#include "error.h"
#include "imgref.h"
#include "jvutil.h"
#include "log.h"
#include "plugin.h"
#include "promote_int.h"
#include "registry.h"
#include "semver.h"

static int platforms(struct lc_registry *r, const struct lc_promote_opts *o,
    const char *repo, const struct lc_reg_desc *d,
    const struct lc_promote_change *c);

int
lc_promote_verify(const struct lc_promote *st, const struct lc_promote_opts *o)
{
	struct lc_registry *r = NULL;
	struct lc_reg_desc d;
	struct lc_imgref ref;
	struct lc_registry_opts ro;
	int i, rc;

	for (i = 0; i < st->nc; i++) {
		const struct lc_promote_change *c = &st->c[i];

		if (!c->differs)
			continue;
		if (lc_imgref_parse(&ref, c->next, 1) != 0) {
			if (o->nkeys) {
				/* Helm values without --repo-key: no repository. */
				lc_error_clear();
				lc_log_info("%s: %s: no --repo-key, not checked",
				    c->file, c->name);
				continue;
			}
			return lc_error_set(LC_ERROR, "%s: '%s' is not an image "
			    "reference", c->file, c->next);
		}
		if (strcmp(ref.registry, "docker.io") == 0 &&
		    strchr(c->next, '/') == NULL) {
			lc_log_info("%s: '%s' names no registry; not checked",
			    c->file, c->next);
			continue;
		}
		ro = o->ro;
		if (lc_imgref_loopback(ref.registry) && !o->reg_https)
			ro.plain_http = 1;
		if ((rc = lc_plugin_open(&r, ref.registry, &ro)) != 0)
			return rc;
		rc = lc_registry_resolve(r, ref.repo, ref.digest[0] ? ref.digest :
		    ref.tag, &d);
		if (rc == 0 && o->nplatforms)
			rc = platforms(r, o, ref.repo, &d, c);
		lc_registry_close(r);
		if (rc == LC_ENOTFOUND)
			return lc_error_set(rc, "%s: %s is not in the registry; "
			    "nothing was promoted", c->file, c->next);
		if (rc != 0)
			return rc;
		if (ref.digest[0] && strcmp(d.digest, ref.digest) != 0)
			return lc_error_set(LC_ERROR, "%s: %s resolves to %s",
			    c->file, c->next, d.digest);
		lc_log_info("%s: %s is in the registry (%s)", c->file, c->next,
		    d.digest);
		if (o->pin && !c->digest[0]) {
			struct lc_promote *w = (struct lc_promote *)st;

			GROW(w->pin, w->npin, w->cpin);
			memcpy(w->pin[w->npin].name, c->name,
			    sizeof(w->pin[0].name));
			if ((rc = fit(w->pin[w->npin].digest,
			    sizeof(w->pin[0].digest), "the digest", "%s",
			    d.digest)) != 0)
				return rc;
			w->npin++;
		}
	}
	return 0;
}

/* Whether "os/arch[/variant]" want is os, arch (and variant) of have. */
static int
platform_is(const char *want, const char *os, const char *arch,
    const char *variant)
{
	char w[128], *a, *v;

	/* --platform is at most 127 bytes (checked in main). */
	snprintf(w, sizeof(w), "%s", want);
	if ((a = strchr(w, '/')) == NULL)
		return 0;
	*a++ = '\0';
	if ((v = strchr(a, '/')) != NULL)
		*v++ = '\0';
	return strcmp(w, os) == 0 && strcmp(a, arch) == 0 && (v == NULL ||
	    strcmp(v, variant) == 0);
}

/*
 * --platform: the image written must run there: an index lists it, or a
 * single image's config says it.
 */
static int
platforms(struct lc_registry *r, const struct lc_promote_opts *o,
    const char *repo, const struct lc_reg_desc *d,
    const struct lc_promote_change *c)
{
	struct lc_reg_desc md;
	struct lc_buf have = LC_BUF_INIT;
	char *bytes = NULL, *cfg = NULL;
	size_t len, clen;
	jv m = jv_null(), l, e, conf = jv_null();
	int rc, i, k, n, hit;
	const char *os, *arch, *var;

	if ((rc = lc_registry_get(r, repo, d->digest, &bytes, &len, &md)) != 0)
		return rc;
	m = jv_parse_sized(bytes, (int)len);
	if (lc_registry_is_index(md.media_type)) {
		l = lc_jvutil_get(m, "manifests");
		n = jv_get_kind(l) == JV_KIND_ARRAY ? jv_array_length(jv_copy(l))
		    : 0;
		for (i = 0; i < n; i++) {
			e = jv_array_get(jv_copy(l), i);
			os = lc_jvutil_str(e, "platform.os");
			arch = lc_jvutil_str(e, "platform.architecture");
			var = lc_jvutil_str(e, "platform.variant");
			/* Attestations list as unknown/unknown: not a platform. */
			if (*os && strcmp(os, "unknown") != 0)
				lc_buf_printf(&have, "%s%s/%s%s%s", have.len ? " " :
				    "", os, arch, *var ? "/" : "", var);
			jv_free(e);
		}
		jv_free(l);
	} else if ((rc = lc_registry_get_blob(r, repo, lc_jvutil_str(m,
	    "config.digest"), &cfg, &clen)) == 0) {
		conf = jv_parse_sized(cfg, (int)clen);
		var = lc_jvutil_str(conf, "variant");
		lc_buf_printf(&have, "%s/%s%s%s", lc_jvutil_str(conf, "os"),
		    lc_jvutil_str(conf, "architecture"), *var ? "/" : "", var);
	} else
		goto out;
	for (k = 0; rc == 0 && k < o->nplatforms; k++) {
		char *list, *tok, *save = NULL;

		/* A copy to cut up: an index may list many platforms. */
		list = lc_buf_xstrndup(have.data ? have.data : "", have.len);
		for (hit = 0, tok = strtok_r(list, " ", &save); tok && !hit;
		    tok = strtok_r(NULL, " ", &save)) {
			char *t = tok, *a, *v;

			a = strchr(t, '/');
			if (a == NULL)
				continue;
			*a++ = '\0';
			v = strchr(a, '/');
			if (v)
				*v++ = '\0';
			hit = platform_is(o->platforms[k], t, a, v ? v : "");
		}
		free(list);
		if (!hit)
			rc = lc_error_set(LC_ENO, "%s: %s has no %s image (it has: "
			    "%s); nothing was promoted", c->file, c->next,
			    o->platforms[k], have.data && *have.data ? have.data :
			    "none named");
	}
out:
	jv_free(conf);
	jv_free(m);
	free(cfg);
	free(bytes);
	lc_buf_release(&have);
	return rc;
}

/* --semver, --allow-tags and --gate: any refusal exits 1 before writing. */
int
lc_promote_guards(const struct lc_promote *st, const struct lc_promote_opts *o)
{
	struct lc_semver v;
	struct lc_buf list = LC_BUF_INIT, re = LC_BUF_INIT;
	regex_t rx;
	int i, rc = 0, st_;
	pid_t pid;
	char src[GIT_OID_HEXSZ + 1] = "";

	if (o->allow_tags) {
		lc_buf_printf(&re, "^(%s)$", o->allow_tags);
		if (regcomp(&rx, re.data, REG_EXTENDED | REG_NOSUB) != 0) {
			lc_buf_release(&re);
			return lc_error_set(LC_EUSAGE, "--allow-tags '%s': not an "
			    "extended regular expression", o->allow_tags);
		}
	}
	for (i = 0; rc == 0 && i < st->nc; i++) {
		const struct lc_promote_change *c = &st->c[i];

		if (!c->differs)
			continue;
		if (o->semver && (lc_semver_parse(c->tag, &v) != 0 ||
		    lc_semver_in(&v, o->semver) != 1))
			rc = lc_error_set(LC_ENO, "%s: tag '%s' is not a version "
			    "in %s; nothing was promoted", c->name, c->tag,
			    o->semver);
		else if (o->allow_tags && regexec(&rx, c->tag, 0, NULL, 0) != 0)
			rc = lc_error_set(LC_ENO, "%s: tag '%s' does not match "
			    "--allow-tags %s; nothing was promoted", c->name,
			    c->tag, o->allow_tags);
		lc_buf_printf(&list, "%s\n", c->next);
	}
	if (o->allow_tags)
		regfree(&rx);
	lc_buf_release(&re);
	if (st->have_source)
		git_oid_tostr(src, sizeof(src), &st->source_commit);
	for (i = 0; rc == 0 && i < o->ngates; i++) {
		fflush(NULL);	/* nothing buffered is written twice */
		if ((pid = fork()) == 0) {
			setenv("PROMOTE_FROM", o->from ? o->from : "", 1);
			setenv("PROMOTE_TO", o->to, 1);
			setenv("PROMOTE_IMAGES", list.data ? list.data : "", 1);
			setenv("PROMOTE_SOURCE_COMMIT", src, 1);
			/* The gate's output is a message, not our data. */
			dup2(2, 1);
			execl("/bin/sh", "sh", "-c", o->gates[i], (char *)NULL);
			_exit(127);
		}
		if (pid < 0 || waitpid(pid, &st_, 0) < 0)
			rc = lc_error_errno(LC_ERROR, "--gate");
		else if (!WIFEXITED(st_) || WEXITSTATUS(st_) != 0)
			rc = lc_error_set(LC_ENO, "gate '%s' failed (%s %d); "
			    "nothing was promoted", o->gates[i], WIFEXITED(st_) ?
			    "exit" : "signal", WIFEXITED(st_) ? WEXITSTATUS(st_) :
			    WTERMSIG(st_));
	}
	lc_buf_release(&list);
	return rc;
}
