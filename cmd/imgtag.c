/* imgtag: check, resolve, retag and list container images in a registry. */
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jv.h>

#include "jvutil.h"
#include "buf.h"
#include "ci.h"
#include "cli.h"
#include "error.h"
#include "imgref.h"
#include "log.h"
#include "plugin.h"
#include "registry.h"
#include "semver.h"

enum { OPT_COPY = 256, OPT_LIST, OPT_SEMVER, OPT_LATEST, OPT_USERNAME,
	OPT_PASSWORD_STDIN, OPT_INSECURE, OPT_PLAIN_HTTP, OPT_CA_FILE,
	OPT_NO_CACHE, OPT_HTTPS };

static const struct option longopts[] = {
	{ "ca-file", required_argument, NULL, OPT_CA_FILE },
	{ "copy", no_argument, NULL, OPT_COPY },
	{ "help", no_argument, NULL, 'h' },
	{ "https", no_argument, NULL, OPT_HTTPS },
	{ "insecure", no_argument, NULL, OPT_INSECURE },
	{ "latest", no_argument, NULL, OPT_LATEST },
	{ "list", no_argument, NULL, OPT_LIST },
	{ "no-token-cache", no_argument, NULL, OPT_NO_CACHE },
	{ "output", required_argument, NULL, 'o' },
	{ "password-stdin", no_argument, NULL, OPT_PASSWORD_STDIN },
	{ "plain-http", no_argument, NULL, OPT_PLAIN_HTTP },
	{ "quiet", no_argument, NULL, 'q' },
	{ "semver", required_argument, NULL, OPT_SEMVER },
	{ "username", required_argument, NULL, OPT_USERNAME },
	{ "verbose", no_argument, NULL, 'v' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static _Noreturn void
usage(int status)
{
	FILE *fp = status == LC_EXIT_OK ? stdout : stderr;

	fprintf(fp, "usage: %s [-hqVv] [-o format] [--ca-file file] [--https] "
	    "[--insecure] [--no-token-cache] [--password-stdin] [--plain-http] "
	    "[--username name] ref\n"
	    "       %s [options] --copy src dst\n"
	    "       %s [options] --list [--latest] [--semver range] repo\n",
	    lc_log_progname, lc_log_progname, lc_log_progname);
	if (status == LC_EXIT_OK)
		fputs("\n"
		    "  REF                   print the digest of REF (exit 4 when "
		    "it is missing)\n"
		    "  --copy SRC DST        tag SRC's manifest as DST without "
		    "pulling layers\n"
		    "                        (another repository: blobs are "
		    "mounted)\n"
		    "  --list REPO           print the tags; --semver RANGE keeps "
		    "matching\n"
		    "                        versions, --latest the newest one\n"
		    "  -o, --output FMT      text or json\n"
		    "      --username NAME   with --password-stdin: credentials\n"
		    "      --plain-http      http:// (loopback registries are by "
		    "default)\n"
		    "      --https           https:// for a loopback registry too\n"
		    "      --insecure        do not verify TLS certificates\n"
		    "      --ca-file FILE    trust the CAs in FILE\n"
		    "      --no-token-cache  do not keep bearer tokens between "
		    "runs\n"
		    "  -q, --quiet, -v, --verbose, -h, --help, -V, --version\n",
		    fp);
	exit(status);
}

/* ---- commands --------------------------------------------------------- */

struct opts {
	struct lc_registry_opts ro;
	int json, copy, list, latest;
	const char *semver;
	int password_stdin, https;
};

static int
open_for(const struct lc_imgref *ref, const struct opts *o,
    struct lc_registry **r)
{
	struct lc_registry_opts ro = o->ro;

	if (lc_imgref_loopback(ref->registry) && !o->https)
		ro.plain_http = 1;
	return lc_plugin_open(r, ref->registry, &ro);
}

static void
print_desc(const struct opts *o, const char *name, const struct lc_reg_desc *d)
{
	jv j;

	if (!o->json) {
		printf("%s\n", d->digest);
		return;
	}
	j = jv_object();
	j = jv_object_set(j, jv_string("ref"), jv_string(name));
	j = jv_object_set(j, jv_string("digest"), jv_string(d->digest));
	j = jv_object_set(j, jv_string("mediaType"), jv_string(d->media_type));
	j = jv_object_set(j, jv_string("size"), jv_number((double)d->size));
	j = jv_dump_string(j, JV_PRINT_SORTED);
	printf("%s\n", jv_string_value(j));
	jv_free(j);
}

static int
resolve_cmd(const struct opts *o, const char *arg)
{
	struct lc_imgref ref;
	struct lc_registry *r = NULL;
	struct lc_reg_desc d;
	char name[700], *bytes = NULL;
	size_t len;
	int rc;

	if ((rc = lc_imgref_parse(&ref, arg, 1)) != 0 ||
	    (rc = open_for(&ref, o, &r)) != 0)
		return rc;
	lc_imgref_format(&ref, name, sizeof(name));
	memset(&d, 0, sizeof(d));
	rc = lc_registry_resolve(r, ref.repo, ref.digest[0] ? ref.digest :
	    ref.tag, &d);
	if (rc == 0 && o->json && lc_registry_is_index(d.media_type) &&
	    (rc = lc_registry_get(r, ref.repo, d.digest, &bytes, &len, &d))
	    == 0) {
		jv m = jv_parse_sized(bytes, (int)len), l, e, out;
		int i, n;

		out = jv_object();
		out = jv_object_set(out, jv_string("ref"), jv_string(name));
		out = jv_object_set(out, jv_string("digest"),
		    jv_string(d.digest));
		out = jv_object_set(out, jv_string("mediaType"),
		    jv_string(d.media_type));
		out = jv_object_set(out, jv_string("size"),
		    jv_number((double)d.size));
		l = lc_jvutil_get(m, "manifests");
		n = jv_get_kind(l) == JV_KIND_ARRAY ? jv_array_length(jv_copy(l))
		    : 0;
		e = jv_array();
		for (i = 0; i < n; i++) {
			jv c = jv_array_get(jv_copy(l), i), pl;

			pl = jv_object_set(jv_object(), jv_string("digest"),
			    jv_string(lc_jvutil_str(c, "digest")));
			pl = jv_object_set(pl, jv_string("os"), jv_string(
			    lc_jvutil_str(c, "platform.os")));
			pl = jv_object_set(pl, jv_string("architecture"),
			    jv_string(lc_jvutil_str(c,
			    "platform.architecture")));
			if (*lc_jvutil_str(c, "platform.variant"))
				pl = jv_object_set(pl, jv_string("variant"),
				    jv_string(lc_jvutil_str(c, "platform.variant")));
			e = jv_array_append(e, pl);
			jv_free(c);
		}
		out = jv_object_set(out, jv_string("platforms"), e);
		jv_free(l);
		jv_free(m);
		out = jv_dump_string(out, JV_PRINT_SORTED);
		printf("%s\n", jv_string_value(out));
		jv_free(out);
		free(bytes);
	} else if (rc == 0)
		print_desc(o, name, &d);
	lc_registry_close(r);
	return rc;
}

static int
copy_cmd(const struct opts *o, const char *sarg, const char *darg)
{
	struct lc_imgref s, d;
	struct lc_registry *r = NULL;
	struct lc_reg_desc pd;
	char sname[700], dname[700];
	int rc;

	if ((rc = lc_imgref_parse(&s, sarg, 1)) != 0 ||
	    (rc = lc_imgref_parse(&d, darg, 0)) != 0)
		return rc;
	if (d.digest[0])
		return lc_error_set(LC_EUSAGE, "'%s': the destination is a tag, "
		    "not a digest", darg);
	if (!d.tag[0]) {
		if (!s.tag[0])
			return lc_error_set(LC_EUSAGE, "'%s': give the "
			    "destination a tag", darg);
		memcpy(d.tag, s.tag, sizeof(d.tag));
	}
	if (strcmp(s.registry, d.registry) != 0)
		return lc_error_set(LC_EUSAGE, "%s -> %s: copying between "
		    "registries needs the layers moved, which imgtag does not "
		    "do; copy within one registry", s.registry, d.registry);
	if ((rc = open_for(&s, o, &r)) != 0)
		return rc;
	lc_imgref_format(&s, sname, sizeof(sname));
	lc_imgref_format(&d, dname, sizeof(dname));
	if ((rc = lc_registry_copy(r, s.repo, s.digest[0] ? s.digest : s.tag,
	    d.repo, d.tag, &pd)) != 0)
		goto out;
	lc_log_info("%s -> %s", sname, dname);
	print_desc(o, dname, &pd);
out:
	lc_registry_close(r);
	return rc;
}

struct taglist {
	char **v;
	size_t n, cap;
};

static int
add_tag(void *arg, const char *tag)
{
	struct taglist *t = arg;

	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->v = lc_buf_xrealloc(t->v, t->cap * sizeof(*t->v));
	}
	t->v[t->n++] = lc_buf_xstrndup(tag, strlen(tag));
	return 0;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
by_semver(const void *a, const void *b)
{
	struct lc_semver x, y;
	int c;

	lc_semver_parse(*(char *const *)a, &x);
	lc_semver_parse(*(char *const *)b, &y);
	c = lc_semver_cmp(&x, &y);
	return c ? c : strcmp(*(char *const *)a, *(char *const *)b);
}

static int
list_cmd(const struct opts *o, const char *arg)
{
	struct lc_imgref ref;
	struct lc_registry *r = NULL;
	struct taglist t = { NULL, 0, 0 };
	struct lc_semver sv;
	size_t i, k = 0;
	int rc, versions = o->semver || o->latest;
	jv out;

	if ((rc = lc_imgref_parse(&ref, arg, 0)) != 0)
		return rc;
	if (ref.tag[0] || ref.digest[0])
		return lc_error_set(LC_EUSAGE, "'%s': --list takes a repository, "
		    "without a tag", arg);
	if (o->semver) {
		memset(&sv, 0, sizeof(sv));
		if (lc_semver_in(&sv, o->semver) < 0)
			return lc_error_set(LC_EUSAGE, "--semver '%s': not a "
			    "range (>=1.2.0 <2.0.0, ^1.2, ~1.2.3, 1.x)",
			    o->semver);
	}
	if ((rc = open_for(&ref, o, &r)) != 0)
		return rc;
	if ((rc = lc_registry_tags(r, ref.repo, add_tag, &t)) != 0)
		goto out;
	for (i = 0; i < t.n; i++) {
		if (versions && (lc_semver_parse(t.v[i], &sv) != 0 ||
		    (o->semver && lc_semver_in(&sv, o->semver) != 1))) {
			free(t.v[i]);
			continue;
		}
		t.v[k++] = t.v[i];
	}
	t.n = k;
	if (t.n)
		qsort(t.v, t.n, sizeof(*t.v), versions ? by_semver : by_name);
	if (versions && t.n == 0) {
		rc = lc_error_set(LC_ENO, "%s: no tag is a version%s%s",
		    arg, o->semver ? " in " : "", o->semver ? o->semver : "");
		goto out;
	}
	i = o->latest ? t.n - 1 : 0;
	if (o->json) {
		out = jv_array();
		for (; i < t.n; i++)
			out = jv_array_append(out, jv_string(t.v[i]));
		out = jv_dump_string(out, 0);
		printf("%s\n", jv_string_value(out));
		jv_free(out);
	} else
		for (; i < t.n; i++)
			printf("%s\n", t.v[i]);
out:
	for (i = 0; i < t.n; i++)
		free(t.v[i]);
	free(t.v);
	lc_registry_close(r);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct opts o;
	char *pw = NULL;
	size_t pwcap = 0;
	int ch, rc;

	lc_cli_init(argv[0]);
	memset(&o, 0, sizeof(o));
	o.ro.ca_flag = "--ca-file";
	while ((ch = getopt_long(argc, argv, "ho:qVv", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			usage(LC_EXIT_OK);
		case 'V':
			lc_cli_version();
			return lc_cli_exit(0);
		case 'o':
			if (strcmp(optarg, "json") == 0)
				o.json = 1;
			else if (strcmp(optarg, "text") != 0) {
				lc_error_set(LC_EUSAGE, "-o %s: text or json",
				    optarg);
				lc_cli_report_error();
				usage(LC_EXIT_USAGE);
			}
			break;
		case 'q':
			lc_log_set_level(LC_LOG_ERROR);
			break;
		case 'v':
			lc_log_set_level(LC_LOG_DEBUG);
			break;
		case OPT_COPY:
			o.copy = 1;
			break;
		case OPT_LIST:
			o.list = 1;
			break;
		case OPT_LATEST:
			o.latest = 1;
			break;
		case OPT_SEMVER:
			o.semver = optarg;
			break;
		case OPT_USERNAME:
			o.ro.username = optarg;
			break;
		case OPT_PASSWORD_STDIN:
			o.password_stdin = 1;
			break;
		case OPT_INSECURE:
			o.ro.insecure = 1;
			break;
		case OPT_PLAIN_HTTP:
			o.ro.plain_http = 1;
			break;
		case OPT_CA_FILE:
			o.ro.ca_file = optarg;
			break;
		case OPT_NO_CACHE:
			o.ro.no_token_cache = 1;
			break;
		case OPT_HTTPS:
			o.https = 1;
			break;
		default:
			usage(LC_EXIT_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (o.https && o.ro.plain_http)
		usage(LC_EXIT_USAGE);
	/* Loopback registries are plain HTTP unless --https. */
	o.ro.plain_hint = o.https ? "drop --https" : "use --plain-http";
	o.ro.tls_hint = o.ro.plain_http ? "drop --plain-http" : "use --https";
	if (o.copy + o.list > 1 || argc != (o.copy ? 2 : 1) ||
	    ((o.latest || o.semver) && !o.list) ||
	    (o.password_stdin && !o.ro.username))
		usage(LC_EXIT_USAGE);
	if (o.password_stdin) {
		/* The first line, as long as it is (tokens can be long). */
		if (getline(&pw, &pwcap, stdin) <= 0) {
			free(pw);
			return lc_cli_exit(lc_error_set(LC_EUSAGE, "--password-stdin: "
			    "nothing on standard input"));
		}
		pw[strcspn(pw, "\r\n")] = '\0';
		lc_log_add_secret(pw);
		o.ro.password = pw;
	}
	if (o.copy)
		rc = copy_cmd(&o, argv[0], argv[1]);
	else if (o.list)
		rc = list_cmd(&o, argv[0]);
	else
		rc = resolve_cmd(&o, argv[0]);
	if (pw) {
		memset(pw, 0, pwcap);
		free(pw);
	}
	return lc_cli_exit(rc);
}
