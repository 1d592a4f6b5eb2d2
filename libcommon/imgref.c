/* imgref.c: container image references: [host[:port]/]path[:tag][@digest]. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "imgref.h"

int
lc_imgref_valid_tag(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > 128 || !(isalnum((unsigned char)s[0]) || s[0] == '_'))
		return 0;
	for (i = 1; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && strchr("._-", s[i]) == NULL)
			return 0;
	return 1;
}

/* A path component: [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)* */
static int
valid_component(const char *s, size_t n)
{
	size_t i = 0;

	if (n == 0)
		return 0;
	for (;;) {
		if (i >= n || !(islower((unsigned char)s[i]) ||
		    isdigit((unsigned char)s[i])))
			return 0;
		while (i < n && (islower((unsigned char)s[i]) ||
		    isdigit((unsigned char)s[i])))
			i++;
		if (i == n)
			return 1;
		if (s[i] == '.')
			i++;
		else if (s[i] == '_')
			i += i + 1 < n && s[i + 1] == '_' ? 2 : 1;
		else if (s[i] == '-')
			while (i < n && s[i] == '-')
				i++;
		else
			return 0;
	}
}

int
lc_imgref_loopback(const char *registry)
{
	return strncmp(registry, "localhost", 9) == 0 &&
	    (registry[9] == '\0' || registry[9] == ':') ? 1 :
	    strncmp(registry, "127.", 4) == 0 ? 1 :
	    strncmp(registry, "[::1]", 5) == 0;
}

int
lc_imgref_parse(struct lc_imgref *r, const char *s, int need_ref)
{
	const char *at, *slash, *p, *colon, *name;
	char path[256];
	size_t n, i, k;

	memset(r, 0, sizeof(*r));
	if ((at = strchr(s, '@')) != NULL) {
		if (strncmp(at + 1, "sha256:", 7) != 0 || strlen(at + 8) != 64)
			return lc_error_set(LC_EUSAGE, "'%s': the digest must be "
			    "sha256: and 64 hex digits", s);
		for (p = at + 8; *p; p++)
			if (!isdigit((unsigned char)*p) && (*p < 'a' || *p > 'f'))
				return lc_error_set(LC_EUSAGE, "'%s': the digest "
				    "must be lower-case hex", s);
		snprintf(r->digest, sizeof(r->digest), "%s", at + 1);
	}
	n = at ? (size_t)(at - s) : strlen(s);
	slash = memchr(s, '/', n);
	name = s;
	if (slash && (memchr(s, '.', (size_t)(slash - s)) ||
	    memchr(s, ':', (size_t)(slash - s)) || ((size_t)(slash - s) == 9 &&
	    strncmp(s, "localhost", 9) == 0))) {
		if ((size_t)(slash - s) >= sizeof(r->registry))
			return lc_error_set(LC_EUSAGE, "'%s': the registry name "
			    "is too long", s);
		memcpy(r->registry, s, (size_t)(slash - s));
		name = slash + 1;
		n -= (size_t)(name - s);
	} else
		snprintf(r->registry, sizeof(r->registry), "docker.io");
	if (strcmp(r->registry, "index.docker.io") == 0)
		snprintf(r->registry, sizeof(r->registry), "docker.io");
	/* A tag is after the last ':' that follows the last '/'. */
	slash = NULL;
	for (i = 0; i < n; i++)
		if (name[i] == '/')
			slash = name + i;
	colon = memchr(slash ? slash : name, ':', n - (size_t)((slash ? slash :
	    name) - name));
	k = colon ? (size_t)(colon - name) : n;
	if (colon) {
		if (n - k - 1 >= sizeof(r->tag))
			return lc_error_set(LC_EUSAGE, "'%s': the tag is longer "
			    "than 128 characters", s);
		memcpy(r->tag, colon + 1, n - k - 1);
		if (!lc_imgref_valid_tag(r->tag))
			return lc_error_set(LC_EUSAGE, "'%s': bad tag '%s' (letters, "
			    "digits, '_', '.', '-'; not first '.' or '-')", s,
			    r->tag);
	}
	if (k == 0)
		return lc_error_set(LC_EUSAGE, "'%s': no repository name", s);
	if (k >= sizeof(r->repo) - 8)
		return lc_error_set(LC_EUSAGE, "'%s': the name is longer than "
		    "255 characters", s);
	memcpy(path, name, k);
	path[k] = '\0';
	for (p = path; *p;) {
		i = strcspn(p, "/");
		if (!valid_component(p, i))
			return lc_error_set(LC_EUSAGE, "'%s': bad repository name "
			    "component '%.*s' (lower-case letters, digits, "
			    "separators '.', '_', '-')", s, (int)i, p);
		p += i;
		if (*p == '/')
			p++;
	}
	if (strcmp(r->registry, "docker.io") == 0 && strchr(path, '/') == NULL) {
		memcpy(r->repo, "library/", 8);
		memcpy(r->repo + 8, path, k + 1);
	} else
		memcpy(r->repo, path, k + 1);
	if (strlen(r->registry) + 1 + strlen(r->repo) > 255)
		return lc_error_set(LC_EUSAGE, "'%s': the name is longer than "
		    "255 characters", s);
	if (need_ref && !r->tag[0] && !r->digest[0])
		return lc_error_set(LC_EUSAGE, "'%s': give a tag (:TAG) or a "
		    "digest (@sha256:...)", s);
	return 0;
}

void
lc_imgref_format(const struct lc_imgref *r, char *out, unsigned long n)
{
	snprintf(out, n, "%s/%s%s%s%s%s", r->registry, r->repo,
	    r->tag[0] ? ":" : "", r->tag, r->digest[0] ? "@" : "", r->digest);
}
