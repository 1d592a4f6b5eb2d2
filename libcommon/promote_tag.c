/* promote_tag.c: --strategy tag: move registry tags, no git. */
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "imgref.h"
#include "log.h"
#include "plugin.h"
#include "promote_int.h"
#include "registry.h"

/*
 * --strategy tag: for each REPO, point tag -t at the manifest tag -f names
 * (resolved to its digest first, so a moving source cannot race us), by
 * writing the same bytes under the new tag. SRC=DST moves between two
 * repositories of one registry (the blobs are mounted). No git.
 */
int
lc_promote_tag_run(struct lc_promote *st, const struct lc_promote_opts *o)
{
	struct lc_registry *r = NULL;
	struct lc_registry_opts ro;
	struct lc_reg_desc src, dst, put;
	struct lc_imgref ref, to;
	struct lc_promote_change *c;
	char nm[NAME_MAX_], dn[NAME_MAX_], arg[2 * NAME_MAX_], *eq;
	int i, rc = 0, changed = 0;

	for (i = 0; rc == 0 && i < o->nimages; i++) {
		if ((rc = fit(arg, sizeof(arg), "the repository", "%s",
		    o->images[i])) != 0)
			break;
		if ((eq = strchr(arg, '=')) != NULL)
			*eq++ = '\0';
		if ((rc = lc_imgref_parse(&ref, arg, 0)) != 0 ||
		    (rc = lc_imgref_parse(&to, eq ? eq : arg, 0)) != 0)
			break;
		if (ref.tag[0] || ref.digest[0] || to.tag[0] || to.digest[0]) {
			rc = lc_error_set(LC_EUSAGE, "'%s': give the repository; "
			    "the tags are the environments", o->images[i]);
			break;
		}
		if (strcmp(ref.registry, to.registry) != 0) {
			rc = lc_error_set(LC_EUSAGE, "'%s': both repositories must "
			    "be in one registry (moving layers between registries "
			    "is not done)", o->images[i]);
			break;
		}
		ro = o->ro;
		if (lc_imgref_loopback(ref.registry) && !o->reg_https)
			ro.plain_http = 1;
		if ((rc = lc_plugin_open(&r, ref.registry, &ro)) != 0)
			break;
		c = lc_promote_new_change(st);
		/* imgref holds at most 255 + 255 bytes: these fit. */
		snprintf(nm, sizeof(nm), "%s/%s", ref.registry, ref.repo);
		snprintf(dn, sizeof(dn), "%s/%s", to.registry, to.repo);
		memcpy(c->name, nm, sizeof(c->name));
		memcpy(c->file, dn, sizeof(dn));
		if ((rc = lc_registry_resolve(r, ref.repo, o->from, &src)) != 0)
			goto next;
		snprintf(c->tag, sizeof(c->tag), "%s", o->from);
		snprintf(c->digest, sizeof(c->digest), "%s", src.digest);
		memset(&dst, 0, sizeof(dst));
		rc = lc_registry_resolve(r, to.repo, o->to, &dst);
		if (rc == LC_ENOTFOUND) {
			lc_error_clear();
			rc = 0;
		} else if (rc != 0)
			goto next;
		if ((rc = fit(c->prev, sizeof(c->prev), "the image", "%s:%s%s%s",
		    dn, o->to, dst.digest[0] ? "@" : "", dst.digest)) != 0 ||
		    (rc = fit(c->next, sizeof(c->next), "the image", "%s:%s@%s",
		    dn, o->to, src.digest)) != 0)
			goto next;
		c->differs = strcmp(dst.digest, src.digest) != 0;
		if (!c->differs || o->check || o->dry_run)
			goto next;
		rc = lc_registry_copy(r, ref.repo, src.digest, to.repo, o->to,
		    &put);
next:
		lc_registry_close(r);
		r = NULL;
	}
	for (i = 0; i < st->nc; i++)
		changed |= st->c[i].differs;
	if (rc != 0)
		return rc;
	if (!changed)
		lc_log_note("already promoted: every %s tag is where %s is",
		    o->to, o->from);
	if (o->dry_run || o->check || changed)
		(void)lc_promote_result(st, NULL, changed && !o->check &&
		    !o->dry_run);
	return o->check && changed ? LC_ENO : 0;
}
