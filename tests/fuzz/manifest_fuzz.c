/*
 * manifest_fuzz.c: libFuzzer target for what the registry plugins read from
 * a registry: manifests and indexes, tag lists, token answers, challenges,
 * Link and Location headers, through the oci plugin with a fake host.
 *
 * Input: a first line "OP REF" (OP: get, resolve, tags or blob; REF a tag,
 * a digest, or "=" for the sha256 of the last answer's body), then the
 * registry's answers, one after another, separated by "\n~~~\n"; each is
 * "STATUS\nName: value\n...\n\nBODY". Past the last answer the host's HTTP
 * fails as a dropped connection would.
 *
 * Checked besides memory safety: whatever the plugin accepts as a manifest
 * is one (the check passes again on the bytes handed out, they hash to the
 * digest returned, and a digest asked for is that digest); whatever the
 * validator accepts, jq (which the host parses manifests with) accepts
 * too and reads the same config, layers and manifests; every tag handed on
 * is a valid tag.
 */
#define OCI_EMBED
#include "../../plugins/oci.c"

#include <jv.h>

#include "jvutil.h"

static const char SEP[] = "\n~~~\n";
static const char *next_p, *end_p;

/* The answer at [p, e) into resp (as the host would give it). */
static void
parse_answer(const char *p, const char *e, struct lc_reg_http_resp *resp)
{
	const char *nl, *hend, *body;
	size_t hn = 0;
	int name;
	char *h;

	memset(resp, 0, sizeof(*resp));
	for (; p < e && *p >= '0' && *p <= '9'; p++)
		resp->status = (resp->status * 10 + (*p - '0')) % 1000;
	nl = memchr(p, '\n', (size_t)(e - p));
	p = nl ? nl + 1 : e;
	/* Headers up to the blank line. */
	for (hend = p; hend < e; hend = nl + 1) {
		if (*hend == '\n' || (nl = memchr(hend, '\n', (size_t)(e -
		    hend))) == NULL)
			break;
	}
	body = hend < e && *hend == '\n' ? hend + 1 : hend;
	h = malloc((size_t)(hend - p) + 1);
	for (name = 1; p < hend; p++) {
		char c = *p;

		/* The host lower-cases names and keeps no NUL or CR. */
		if (c == '\0' || c == '\r')
			continue;
		if (name && c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		if (c == ':')
			name = 0;
		else if (c == '\n')
			name = 1;
		h[hn++] = c;
	}
	h[hn] = '\0';
	resp->headers = h;
	resp->body_len = (size_t)(e - body);
	resp->body = malloc(resp->body_len + 1);
	memcpy(resp->body, body, resp->body_len);
	resp->body[resp->body_len] = '\0';
}

static const char *
answer_end(const char *p, const char *e)
{
	const char *q;

	for (q = p; q + sizeof(SEP) - 1 <= e; q++)
		if (memcmp(q, SEP, sizeof(SEP) - 1) == 0)
			return q;
	return e;
}

static int
f_http(const struct lc_reg_http_req *q, struct lc_reg_http_resp *resp,
    char *err, size_t errlen)
{
	const char *e;

	memset(resp, 0, sizeof(*resp));
	if (q->url == NULL || q->method == NULL)
		abort();
	if (next_p == NULL || next_p > end_p) {
		snprintf(err, errlen, "connection refused");
		return LC_REG_UNAVAIL;
	}
	e = answer_end(next_p, end_p);
	parse_answer(next_p, e, resp);
	next_p = e + sizeof(SEP) - 1;
	return LC_REG_OK;
}

static void
f_http_free(struct lc_reg_http_resp *r)
{
	free(r->body);
	free(r->headers);
	memset(r, 0, sizeof(*r));
}

static void
f_log(enum lc_reg_log level, const char *msg)
{
	(void)level;
	(void)msg;
}

static void
f_secret(const char *s)
{
	(void)s;
}

static const char *
f_env(const char *name)
{
	(void)name;
	return NULL;
}

static int
f_run(const char *const argv[], const char *input, char **out)
{
	(void)argv;
	(void)input;
	*out = NULL;
	return -1;
}

static const struct lc_reg_host host = {
	LC_REG_ABI_MAJOR, LC_REG_ABI_MINOR, sizeof(struct lc_reg_host),
	f_log, f_secret, f_env, f_http, f_http_free, f_run, malloc, free,
	NULL, NULL
};

/* What the validator and the check accept, jq reads the same way. */
static void
same_in_jq(const char *body, size_t len, const char *ct)
{
	const char *mt, *v, *e = body + len;
	char why[300], d[200];
	jv m, l;
	int n;

	if (json_valid(body, len, NULL) != 0)
		return;
	m = jv_parse_sized(body, (int)len);
	if (!jv_is_valid(m))
		abort();	/* we take what jq refuses */
	if (manifest_check(body, len, ct, &mt, why, sizeof(why)) != 0) {
		jv_free(m);
		return;
	}
	if (jv_get_kind(m) != JV_KIND_OBJECT)
		abort();
	if (is_index_type(mt)) {
		l = lc_jvutil_get(m, "manifests");
		if (jv_get_kind(l) != JV_KIND_ARRAY)
			abort();
		for (n = 0; n < jv_array_length(jv_copy(l)); n++) {
			jv c = jv_array_get(jv_copy(l), n);

			if (!digest_ok(lc_jvutil_str(c, "digest")))
				abort();
			jv_free(c);
		}
		jv_free(l);
	} else {
		v = jfind(body, len, "config", 0);
		if (v == NULL)
			abort();
		if (str_val(jfind(v, (size_t)(skip_val(v, e) - v), "digest", 0),
		    e, d, sizeof(d)) != 0 || strcmp(d, lc_jvutil_str(m,
		    "config.digest")) != 0)
			abort();
		l = lc_jvutil_get(m, "layers");
		if (jv_get_kind(l) != JV_KIND_ARRAY)
			abort();
		for (n = 0; n < jv_array_length(jv_copy(l)); n++) {
			jv c = jv_array_get(jv_copy(l), n);

			if (!digest_ok(lc_jvutil_str(c, "digest")))
				abort();
			jv_free(c);
		}
		jv_free(l);
	}
	jv_free(m);
}

static int
on_tag(void *arg, const char *tag)
{
	(void)arg;
	if (!tag_ok(tag))
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *e = p + size, *nl, *a, *ae;
	struct lc_reg_conf conf;
	struct lc_reg_http_resp last;
	struct lc_reg_desc d;
	struct inst *in;
	char op[16], ref[160], err[256], ct[128], why[300], got[80], *bytes;
	const char *mt;
	size_t len;
	int rc;

	if ((nl = memchr(p, '\n', size)) == NULL || nl - p >= 150)
		return 0;
	op[0] = ref[0] = '\0';
	{
		char line[160];

		memcpy(line, p, (size_t)(nl - p));
		line[nl - p] = '\0';
		if (sscanf(line, "%15s %159s", op, ref) < 1)
			return 0;
	}
	/* Every answer on its own: the check and jq agree. */
	memset(&last, 0, sizeof(last));
	for (a = nl + 1; a <= e; a = ae + sizeof(SEP) - 1) {
		ae = answer_end(a, e);
		f_http_free(&last);
		parse_answer(a, ae, &last);
		content_type(&last, ct, sizeof(ct));
		same_in_jq(last.body, last.body_len, ct);
		same_in_jq(last.body, last.body_len, NULL);
	}
	if (strcmp(ref, "=") == 0)
		lc_sha256_digest(last.body, last.body_len, ref);
	f_http_free(&last);
	if (ref[0] == '\0')
		snprintf(ref, sizeof(ref), "latest");

	memset(&conf, 0, sizeof(conf));
	conf.size = sizeof(conf);
	conf.registry = "127.0.0.1:5000";
	conf.plain_http = 1;
	conf.no_token_cache = 1;
	if ((in = oci_new(&host, &conf, NULL, err, sizeof(err))) == NULL)
		abort();
	next_p = nl + 1;
	end_p = e;
	memset(&d, 0, sizeof(d));
	if (strcmp(op, "get") == 0) {
		rc = oci_get_manifest(in, "demo/app", ref, &bytes, &len, &d);
		if (rc == LC_REG_OK) {
			lc_sha256_digest(bytes, len, got);
			if (strcmp(got, d.digest) != 0 || (ref_is_digest(ref) &&
			    strcmp(ref, d.digest) != 0) ||
			    manifest_check(bytes, len, d.media_type, &mt, why,
			    sizeof(why)) != 0 || (long long)len != d.size)
				abort();
			free(bytes);
		}
	} else if (strcmp(op, "resolve") == 0) {
		rc = oci_resolve(in, "demo/app", ref, &d);
		if (rc == LC_REG_OK && (!sha256_form(d.digest) ||
		    manifest_type(d.media_type) == NULL || d.size <= 0 ||
		    (size_t)d.size > MANIFEST_MAX || (ref_is_digest(ref) &&
		    strcmp(ref, d.digest) != 0)))
			abort();
	} else if (strcmp(op, "tags") == 0)
		rc = oci_list_tags(in, "demo/app", on_tag, NULL);
	else if (strcmp(op, "blob") == 0) {
		rc = oci_get_blob(in, "demo/app", ref, &bytes, &len);
		if (rc == LC_REG_OK) {
			lc_sha256_digest(bytes, len, got);
			if (strcmp(got, ref) != 0)
				abort();
			free(bytes);
		}
	} else
		rc = LC_REG_OK;
	/* FUZZ_SHOW=1: what a seed does (for writing seeds). */
	if (getenv("FUZZ_SHOW"))
		fprintf(stderr, "%s %s: %d %s\n", op, ref, rc, rc ?
		    oci_error(in) : d.digest);
	if (rc != LC_REG_OK && oci_error(in)[0] == '\0')
		abort();	/* every failure says why */
	oci_close(in);
	return 0;
}
