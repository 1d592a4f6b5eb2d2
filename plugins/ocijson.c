/*
 * ocijson.c: the JSON of registry answers: a strict validator, a walker over
 * validated text, and the check that an answer is a manifest. Plugins link
 * nothing, so oci.c includes this file; so does tests/fuzz/manifest_fuzz.c.
 */

/*
 * Manifests nest four deep; anything past this is not one (jq 1.6, which
 * the host parses them with again, stops at 256).
 */
#define JSON_MAXDEPTH	64
/*
 * The OCI distribution spec has registries accept manifests of at least
 * 4 MiB; a larger answer is not a manifest anyone can push anywhere.
 */
#define MANIFEST_MAX	((size_t)4 << 20)

static const char *const MANIFEST_TYPES[] = {
	"application/vnd.oci.image.manifest.v1+json",
	"application/vnd.docker.distribution.manifest.v2+json",
	"application/vnd.oci.image.index.v1+json",
	"application/vnd.docker.distribution.manifest.list.v2+json",
	NULL
};

/* ---- validation (RFC 8259, UTF-8) ------------------------------------ */

struct jsv {
	const char *e;
	const char *bad;	/* where it went wrong */
};

static const char *
js_ws(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

static const char *
js_bad(struct jsv *v, const char *p)
{
	v->bad = p;
	return NULL;
}

static int
is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

/* Length of the UTF-8 sequence at p (lead byte >= 0x80), 0 if malformed. */
static size_t
utf8_len(const unsigned char *p, const unsigned char *e)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		if (p[0] == 0xe0)
			lo = 0xa0;
		else if (p[0] == 0xed)
			hi = 0x9f;	/* no UTF-16 surrogates */
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		if (p[0] == 0xf0)
			lo = 0x90;
		else if (p[0] == 0xf4)
			hi = 0x8f;	/* nothing past U+10FFFF */
	} else
		return 0;
	if ((size_t)(e - p) < n || p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return n;
}

/* The code unit of the \uXXXX escape at p (at its 'u'), or -1. */
static long
js_u16(const char *p, const char *e)
{
	long u = 0;
	int i;

	if (e - p < 5)
		return -1;
	for (i = 1; i <= 4; i++) {
		if (!is_hex(p[i]))
			return -1;
		u = u * 16 + (p[i] <= '9' ? p[i] - '0' : (p[i] | 0x20) - 'a' +
		    10);
	}
	return u;
}

static const char *
js_string(struct jsv *v, const char *p)
{
	const char *e = v->e;
	size_t n;
	long u;

	for (p++; p < e;) {
		unsigned char c = (unsigned char)*p;

		if (c == '"')
			return p + 1;
		if (c < 0x20)
			return js_bad(v, p);
		if (c == '\\') {
			if (++p >= e)
				break;
			if (*p == 'u') {
				if ((u = js_u16(p, e)) < 0 || (u >= 0xdc00 &&
				    u <= 0xdfff))
					return js_bad(v, p);
				p += 5;
				/*
				 * A surrogate only in a pair (I-JSON): jq
				 * refuses a high one alone, and reads a
				 * low one alone as U+FFFD.
				 */
				if (u >= 0xd800 && u <= 0xdbff) {
					if (e - p < 2 || p[0] != '\\' ||
					    p[1] != 'u' || (u = js_u16(p + 1,
					    e)) < 0xdc00 || u > 0xdfff)
						return js_bad(v, p);
					p += 6;
				}
			} else if (*p != '\0' && strchr("\"\\/bfnrt", *p))
				p++;
			else
				return js_bad(v, p);
		} else if (c < 0x80)
			p++;
		else if ((n = utf8_len((const unsigned char *)p,
		    (const unsigned char *)e)) == 0)
			return js_bad(v, p);
		else
			p += n;
	}
	return js_bad(v, e);
}

static const char *
js_digits(const char *p, const char *e)
{
	while (p < e && *p >= '0' && *p <= '9')
		p++;
	return p;
}

static const char *
js_number(struct jsv *v, const char *p)
{
	const char *e = v->e, *q;

	if (p < e && *p == '-')
		p++;
	if (p < e && *p == '0')
		p++;
	else if (p < e && *p >= '1' && *p <= '9')
		p = js_digits(p, e);
	else
		return js_bad(v, p);
	if (p < e && *p == '.') {
		if ((q = js_digits(p + 1, e)) == p + 1)
			return js_bad(v, q);
		p = q;
	}
	if (p < e && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < e && (*p == '+' || *p == '-'))
			p++;
		if ((q = js_digits(p, e)) == p)
			return js_bad(v, q);
		p = q;
	}
	return p;
}

static const char *
js_value(struct jsv *v, const char *p, int depth)
{
	const char *e = v->e;
	char close;

	p = js_ws(p, e);
	if (p >= e)
		return js_bad(v, p);
	switch (*p) {
	case '"':
		return js_string(v, p);
	case 't':
		return e - p >= 4 && memcmp(p, "true", 4) == 0 ? p + 4 :
		    js_bad(v, p);
	case 'f':
		return e - p >= 5 && memcmp(p, "false", 5) == 0 ? p + 5 :
		    js_bad(v, p);
	case 'n':
		return e - p >= 4 && memcmp(p, "null", 4) == 0 ? p + 4 :
		    js_bad(v, p);
	case '{':
	case '[':
		break;
	default:
		return js_number(v, p);
	}
	if (depth >= JSON_MAXDEPTH)
		return js_bad(v, p);
	close = *p == '{' ? '}' : ']';
	p = js_ws(p + 1, e);
	if (p < e && *p == close)
		return p + 1;
	for (;;) {
		if (close == '}') {
			if (p >= e || *p != '"')
				return js_bad(v, p);
			if ((p = js_string(v, p)) == NULL)
				return NULL;
			p = js_ws(p, e);
			if (p >= e || *p != ':')
				return js_bad(v, p);
			p++;
		}
		if ((p = js_value(v, p, depth + 1)) == NULL)
			return NULL;
		p = js_ws(p, e);
		if (p < e && *p == close)
			return p + 1;
		if (p >= e || *p != ',')
			return js_bad(v, p);
		p = js_ws(p + 1, e);
	}
}

/*
 * Whether p[0..n) is one JSON value with only white space around it:
 * 0, or -1 with *at the offset of the first byte that is wrong.
 */
static int
json_valid(const char *p, size_t n, size_t *at)
{
	struct jsv v = { p + n, NULL };
	const char *q;

	if ((q = js_value(&v, p, 0)) != NULL) {
		q = js_ws(q, p + n);
		if (q == p + n)
			return 0;
		v.bad = q;
	}
	if (at)
		*at = (size_t)(v.bad - p);
	return -1;
}

/* ---- reading validated JSON ------------------------------------------ */

/* The end of the string at p (its opening quote), or NULL. */
static const char *
skip_str(const char *p, const char *e)
{
	for (p++; p < e; p++) {
		if (*p == '\\')
			p++;
		else if (*p == '"')
			return p + 1;
	}
	return NULL;
}

/* The end of the value at p (strings, arrays and objects skipped whole). */
static const char *
skip_val(const char *p, const char *e)
{
	int depth = 0;

	p = js_ws(p, e);
	if (p < e && *p == '"')
		return skip_str(p, e);
	for (; p < e; p++) {
		if (*p == '"') {
			if ((p = skip_str(p, e)) == NULL)
				return NULL;
			p--;
		} else if (*p == '{' || *p == '[')
			depth++;
		else if (*p == '}' || *p == ']') {
			if (depth == 0)
				return p;
			if (--depth == 0)
				return p + 1;
		} else if (depth == 0 && (*p == ',' || *p == ' ' ||
		    *p == '\t' || *p == '\n' || *p == '\r'))
			return p;
	}
	return depth ? NULL : p;
}

/*
 * Decode the JSON string at p (its opening quote) into out[n]: 0, -1 when
 * p is no string, -2 when it does not fit (out holds what did). A \u
 * escape outside ASCII becomes '?': nothing we read is meant to hold one.
 */
static int
str_val(const char *p, const char *e, char *out, size_t n)
{
	size_t k = 0;
	int rc = 0;
	unsigned u;

	if (p >= e || *p != '"' || n == 0)
		return -1;
	for (p++; p < e && *p != '"'; p++) {
		char c = *p;

		if (c == '\\' && p + 1 < e) {
			c = *++p;
			if (c == 'n')
				c = '\n';
			else if (c == 't')
				c = '\t';
			else if (c == 'r')
				c = '\r';
			else if (c == 'b')
				c = '\b';
			else if (c == 'f')
				c = '\f';
			else if (c == 'u' && e - p >= 5 && is_hex(p[1]) &&
			    is_hex(p[2]) && is_hex(p[3]) && is_hex(p[4]) &&
			    sscanf(p + 1, "%4x", &u) == 1) {
				p += 4;
				c = u < 0x80 ? (char)u : '?';
			}
		}
		if (k + 1 < n)
			out[k++] = c;
		else
			rc = -2;
	}
	out[k] = '\0';
	return p < e ? rc : -1;
}

/* The bytes str_val needs for the string at p (an upper bound). */
static size_t
str_size(const char *p, const char *e)
{
	const char *q = skip_str(p, e);

	return q ? (size_t)(q - p) : 1;
}

typedef int (*member_fn)(void *arg, int depth, const char *key,
    const char *v, const char *e);

/*
 * Call fn for every member of every object in [p, e) (p at '{' or '['),
 * depth 0 for the outermost; fn returns nonzero to stop. [p, e) must have
 * passed json_valid, which also bounds the recursion.
 */
static int
walk(const char *p, const char *e, int depth, member_fn fn, void *arg)
{
	char key[128];
	const char *q;
	int r;

	p = js_ws(p, e);
	if (p >= e || depth > JSON_MAXDEPTH)
		return 0;
	if (*p == '[') {
		for (p = js_ws(p + 1, e); p < e && *p != ']';) {
			if (*p == '{' || *p == '[')
				if ((r = walk(p, e, depth + 1, fn, arg)) != 0)
					return r;
			if ((q = skip_val(p, e)) == NULL)
				return 0;
			p = js_ws(q, e);
			if (p < e && *p == ',')
				p = js_ws(p + 1, e);
		}
		return 0;
	}
	if (*p != '{')
		return 0;
	for (p = js_ws(p + 1, e); p < e && *p == '"';) {
		/* A key too long for key[] is none that we look for. */
		if (str_val(p, e, key, sizeof(key)) != 0)
			key[0] = '\0';
		if ((q = skip_str(p, e)) == NULL)
			return 0;
		p = js_ws(q, e);
		if (p >= e || *p != ':')
			return 0;
		p = js_ws(p + 1, e);
		if (key[0] && (r = fn(arg, depth, key, p, e)) != 0)
			return r;
		if (*p == '{' || *p == '[')
			if ((r = walk(p, e, depth + 1, fn, arg)) != 0)
				return r;
		if ((q = skip_val(p, e)) == NULL)
			return 0;
		p = js_ws(q, e);
		if (p < e && *p == ',')
			p = js_ws(p + 1, e);
	}
	return 0;
}

struct find {
	const char *key;
	int depth;		/* -1: any */
	const char *at;
};

static int
find_cb(void *arg, int depth, const char *key, const char *v, const char *e)
{
	struct find *f = arg;

	(void)e;
	if ((f->depth >= 0 && depth != f->depth) || strcmp(key, f->key) != 0)
		return 0;
	f->at = v;
	return 1;
}

/*
 * Where the value of key is in the JSON body (depth 0: a member of the
 * top level; -1: anywhere), or NULL when it is absent or body is not JSON.
 */
static const char *
jfind(const char *body, size_t len, const char *key, int depth)
{
	struct find f = { key, depth, NULL };

	if (json_valid(body, len, NULL) != 0)
		return NULL;
	walk(body, body + len, 0, find_cb, &f);
	return f.at;
}

/*
 * The value of key (see jfind) as text into out[n]: a string decoded, a
 * number as written. 0; -1 when absent or not JSON; -2 when it does not
 * fit (out is then "").
 */
static int
jget(const char *body, size_t len, const char *key, int depth, char *out,
    size_t n)
{
	const char *v = jfind(body, len, key, depth), *q, *e = body + len;
	size_t k;
	int rc;

	out[0] = '\0';
	if (v == NULL)
		return -1;
	if (*v == '"')
		rc = str_val(v, e, out, n);
	else {
		q = skip_val(v, e);
		if ((k = q ? (size_t)(q - v) : 0) >= n)
			rc = -2;
		else {
			memcpy(out, v, k);
			out[k] = '\0';
			rc = 0;
		}
	}
	if (rc == -2)
		out[0] = '\0';
	return rc;
}

/* ---- the manifest check ---------------------------------------------- */

/* Whether s is a digest: algorithm ":" encoded (OCI image spec grammar). */
static int
digest_ok(const char *s)
{
	const char *p = s;

	for (;;) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')))
			return 0;
		while ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))
			p++;
		if (*p == ':')
			break;
		if (*p == '\0' || strchr("+._-", *p) == NULL)
			return 0;
		p++;
	}
	if (*++p == '\0')
		return 0;
	for (; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("=_-", *p)))
			return 0;
	/* sha256, the one the registries use, has a fixed form. */
	return strncmp(s, "sha256:", 7) != 0 || (strlen(s) == 71 &&
	    strspn(s + 7, "0123456789abcdef") == 64);
}

/* Whether ref names a manifest by digest (tags have no ':'). */
static int
ref_is_digest(const char *ref)
{
	return strchr(ref, ':') != NULL;
}

/* The manifest type named by s (case aside), or NULL. */
static const char *
manifest_type(const char *s)
{
	int i;

	for (i = 0; MANIFEST_TYPES[i]; i++)
		if (strcasecmp(s, MANIFEST_TYPES[i]) == 0)
			return MANIFEST_TYPES[i];
	return NULL;
}

static int
is_index_type(const char *mt)
{
	return mt == MANIFEST_TYPES[2] || mt == MANIFEST_TYPES[3];
}

/* Call fn for each member of the object at p (validated JSON). */
static int
members(const char *p, const char *e,
    int (*fn)(void *arg, const char *key, const char *v, const char *e),
    void *arg)
{
	char key[32];
	const char *q;
	int r;

	for (p = js_ws(p + 1, e); p < e && *p == '"';) {
		if (str_val(p, e, key, sizeof(key)) != 0)
			key[0] = '\0';
		if ((q = skip_str(p, e)) == NULL)
			return 0;
		p = js_ws(js_ws(q, e) + 1, e);
		if (key[0] && (r = fn(arg, key, p, e)) != 0)
			return r;
		if ((q = skip_val(p, e)) == NULL)
			return 0;
		p = js_ws(q, e);
		if (p < e && *p == ',')
			p = js_ws(p + 1, e);
	}
	return 0;
}

/* The members of a manifest (or descriptor) that the check reads. */
enum { M_SCHEMA, M_TYPE, M_CONFIG, M_LAYERS, M_MANIFESTS, M_DIGEST, M_N };
static const char *const M_KEYS[M_N] = { "schemaVersion", "mediaType",
	"config", "layers", "manifests", "digest" };

struct mfields {
	const char *v[M_N];
	const char *dup;	/* a key that is there twice */
};

static int
fields_cb(void *arg, const char *key, const char *v, const char *e)
{
	struct mfields *f = arg;
	int i;

	(void)e;
	for (i = 0; i < M_N; i++)
		if (strcmp(key, M_KEYS[i]) == 0) {
			/*
			 * jq keeps the last of twice the same key and we would
			 * read the first: such a manifest means two things.
			 */
			if (f->v[i] && f->dup == NULL)
				f->dup = M_KEYS[i];
			f->v[i] = v;
		}
	return 0;
}

/* Whether the value at v is an object with a digest that digest_ok. */
static int
descriptor_ok(const char *v, const char *e)
{
	struct mfields f;
	char d[160];

	if (*v != '{')
		return 0;
	memset(&f, 0, sizeof(f));
	members(v, e, fields_cb, &f);
	return f.dup == NULL && f.v[M_DIGEST] && str_val(f.v[M_DIGEST], e, d,
	    sizeof(d)) == 0 && digest_ok(d);
}

/* Whether the value at v is an array of descriptors (the 1-based bad one). */
static size_t
descriptors_bad(const char *v, const char *e)
{
	const char *q;
	size_t i = 1;

	for (v = js_ws(v + 1, e); v < e && *v != ']'; i++) {
		if (!descriptor_ok(v, e))
			return i;
		if ((q = skip_val(v, e)) == NULL)
			return i;
		v = js_ws(q, e);
		if (v < e && *v == ',')
			v = js_ws(v + 1, e);
	}
	return 0;
}

/*
 * Whether body[0..n) is a manifest: at most MANIFEST_MAX bytes, a JSON
 * object with schemaVersion 2, a media type we asked for (ct, the answer's
 * Content-Type without parameters, else the body's mediaType; the two
 * agree when both are there) and the members that type needs (config and
 * layers, or manifests, with valid digests). 0 with *mt the type (static),
 * or -1 with what is wrong in why.
 */
static int
manifest_check(const char *body, size_t n, const char *ct, const char **mt,
    char *why, size_t whyn)
{
	struct mfields f;
	const char *e = body + n, *p, *t = NULL;
	char bmt[128];
	size_t at, i;

	*mt = NULL;
	if (n > MANIFEST_MAX) {
		snprintf(why, whyn, "the manifest is %zu bytes, more than the "
		    "%zu MiB a registry has to accept; refusing it", n,
		    MANIFEST_MAX >> 20);
		return -1;
	}
	if (ct && *ct && (t = manifest_type(ct)) == NULL) {
		snprintf(why, whyn, "Content-Type '%.100s' is not a manifest "
		    "type (OCI or Docker image manifest or index)", ct);
		return -1;
	}
	if (json_valid(body, n, &at) != 0) {
		snprintf(why, whyn, "the manifest is not JSON (byte %zu)", at);
		return -1;
	}
	p = js_ws(body, e);
	if (*p != '{') {
		snprintf(why, whyn, "the manifest is not a JSON object");
		return -1;
	}
	memset(&f, 0, sizeof(f));
	members(p, e, fields_cb, &f);
	if (f.dup) {
		snprintf(why, whyn, "the manifest has '%s' twice", f.dup);
		return -1;
	}
	if (f.v[M_SCHEMA] == NULL || skip_val(f.v[M_SCHEMA], e) !=
	    f.v[M_SCHEMA] + 1 || *f.v[M_SCHEMA] != '2') {
		snprintf(why, whyn, "the manifest's schemaVersion is not 2");
		return -1;
	}
	bmt[0] = '\0';
	if (f.v[M_TYPE] && (str_val(f.v[M_TYPE], e, bmt, sizeof(bmt)) != 0 ||
	    manifest_type(bmt) == NULL)) {
		snprintf(why, whyn, "the manifest's mediaType '%.100s' is not "
		    "a manifest type", bmt);
		return -1;
	}
	if (t && bmt[0] && manifest_type(bmt) != t) {
		snprintf(why, whyn, "Content-Type %s but the manifest says %s",
		    t, bmt);
		return -1;
	}
	if (t == NULL && (t = bmt[0] ? manifest_type(bmt) : NULL) == NULL) {
		snprintf(why, whyn, "the manifest has no media type (no "
		    "Content-Type, no mediaType)");
		return -1;
	}
	if (is_index_type(t)) {
		if (f.v[M_MANIFESTS] == NULL || *f.v[M_MANIFESTS] != '[') {
			snprintf(why, whyn, "the index has no 'manifests' "
			    "array");
			return -1;
		}
		if ((i = descriptors_bad(f.v[M_MANIFESTS], e)) != 0) {
			snprintf(why, whyn, "the index's manifests[%zu] has no "
			    "valid digest", i - 1);
			return -1;
		}
	} else {
		if (f.v[M_CONFIG] == NULL || !descriptor_ok(f.v[M_CONFIG], e)) {
			snprintf(why, whyn, "the manifest has no 'config' "
			    "with a valid digest");
			return -1;
		}
		if (f.v[M_LAYERS] == NULL || *f.v[M_LAYERS] != '[') {
			snprintf(why, whyn, "the manifest has no 'layers' "
			    "array");
			return -1;
		}
		if ((i = descriptors_bad(f.v[M_LAYERS], e)) != 0) {
			snprintf(why, whyn, "the manifest's layers[%zu] has no "
			    "valid digest", i - 1);
			return -1;
		}
	}
	*mt = t;
	return 0;
}

/* Whether s is "sha256:" and 64 lower-case hex digits. */
static int
sha256_form(const char *s)
{
	return strncmp(s, "sha256:", 7) == 0 && strlen(s) == 71 &&
	    strspn(s + 7, "0123456789abcdef") == 64;
}

/* Whether s is a tag: [A-Za-z0-9_][A-Za-z0-9._-]{0,127}. */
static int
tag_ok(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= 128 && s[0] != '.' && s[0] != '-' &&
	    strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789_.-") == n;
}
