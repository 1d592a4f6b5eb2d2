/* imgref.h: container image references: [host[:port]/]path[:tag][@digest]. */
#ifndef LC_IMGREF_H
#define LC_IMGREF_H

struct lc_imgref {
	char registry[256];	/* as written, or "docker.io" */
	char repo[256];		/* path; Docker Hub one-component names get library/ */
	char tag[129];		/* "" when only a digest was given */
	char digest[80];	/* sha256:<64 hex>, or "" */
};

/*
 * Parse s. The first component is a registry when it has '.' or ':' or is
 * "localhost"; otherwise the name is Docker Hub's. With need_ref, a tag or
 * digest is required; without, a bare name gets no tag ("" in tag).
 * Returns 0, or LC_EUSAGE with a message that says what is wrong where.
 */
int lc_imgref_parse(struct lc_imgref *r, const char *s, int need_ref);

/* "registry/repo[:tag][@digest]" into out (at least 700 bytes). */
void lc_imgref_format(const struct lc_imgref *r, char *out, unsigned long n);

/* Whether a registry is plain HTTP by default (loopback names only). */
int lc_imgref_loopback(const char *registry);

/* Whether s is a valid tag ([A-Za-z0-9_][A-Za-z0-9._-]{0,127}). */
int lc_imgref_valid_tag(const char *s);

#endif
