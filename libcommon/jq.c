/* jq.c: libjq, loaded only when an expression needs it, on lc_ylit values. */
#include <dlfcn.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jq.h>

/*
 * <jv.h> defines a static jv_is_valid() that calls jv_get_kind(). We never
 * call it, but unoptimised builds keep it, and libjq is not linked (it is
 * dlopen()ed): a weak reference lets such builds link.
 */
#pragma weak jv_get_kind

#include "error.h"
#include "jq.h"

/*
 * libjq's functions, found with dlsym. jq_start() consumes its input and
 * every jv function consumes its jv arguments but jv_copy's; values we
 * keep are jv_copy()'d first.
 */
static struct {
	void *lib;
	jq_state *(*init)(void);
	void (*set_error_cb)(jq_state *, jq_msg_cb, void *);
	int (*compile)(jq_state *, const char *);
	void (*start)(jq_state *, jv, int);
	jv (*next)(jq_state *);
	void (*teardown)(jq_state **);
	jv_kind (*get_kind)(jv);
	jv (*copy)(jv);
	void (*free)(jv);
	jv (*invalid_get_msg)(jv);
	jv (*null)(void);
	jv (*true_)(void);
	jv (*false_)(void);
	jv (*number)(double);
	double (*number_value)(jv);
	jv (*string_sized)(const char *, int);
	const char *(*string_value)(jv);
	int (*string_length_bytes)(jv);
	jv (*array)(void);
	jv (*array_append)(jv, jv);
	int (*array_length)(jv);
	jv (*array_get)(jv, int);
	jv (*object)(void);
	jv (*object_set)(jv, jv, jv);
	int (*object_iter)(jv);
	int (*object_iter_next)(jv, int);
	int (*object_iter_valid)(jv, int);
	jv (*object_iter_key)(jv, int);
	jv (*object_iter_value)(jv, int);
	jv (*dump_string)(jv, int);
} J;

struct lc_jq {
	jq_state *st;
	struct lc_buf err;	/* jq's first message */
};

static int
load(void)
{
	static const struct {
		const char *name;
		size_t off;
	} syms[] = {
#define S(f, n) { n, offsetof(__typeof__(J), f) }
		S(init, "jq_init"), S(set_error_cb, "jq_set_error_cb"),
		S(compile, "jq_compile"), S(start, "jq_start"),
		S(next, "jq_next"), S(teardown, "jq_teardown"),
		S(get_kind, "jv_get_kind"), S(copy, "jv_copy"),
		S(free, "jv_free"), S(invalid_get_msg, "jv_invalid_get_msg"),
		S(null, "jv_null"), S(true_, "jv_true"), S(false_, "jv_false"),
		S(number, "jv_number"), S(number_value, "jv_number_value"),
		S(string_sized, "jv_string_sized"),
		S(string_value, "jv_string_value"),
		S(string_length_bytes, "jv_string_length_bytes"),
		S(array, "jv_array"), S(array_append, "jv_array_append"),
		S(array_length, "jv_array_length"), S(array_get, "jv_array_get"),
		S(object, "jv_object"), S(object_set, "jv_object_set"),
		S(object_iter, "jv_object_iter"),
		S(object_iter_next, "jv_object_iter_next"),
		S(object_iter_valid, "jv_object_iter_valid"),
		S(object_iter_key, "jv_object_iter_key"),
		S(object_iter_value, "jv_object_iter_value"),
		S(dump_string, "jv_dump_string"),
#undef S
	};
	size_t i;
	void *f;

	if (J.lib != NULL)
		return 0;
	if ((J.lib = dlopen("libjq.so.1", RTLD_NOW | RTLD_LOCAL)) == NULL)
		return lc_error_set(LC_ERROR, "this expression needs libjq, "
		    "which cannot be loaded (%s); install libjq1", dlerror());
	for (i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		if ((f = dlsym(J.lib, syms[i].name)) == NULL) {
			dlclose(J.lib);
			J.lib = NULL;
			return lc_error_set(LC_ERROR, "libjq lacks '%s'",
			    syms[i].name);
		}
		memcpy((char *)&J + syms[i].off, &f, sizeof(f));
	}
	return 0;
}

static void
on_error(void *data, jv msg)
{
	struct lc_jq *jq = data;

	/* Keep the first message: later ones repeat its consequences. */
	if (jq->err.len == 0 && J.get_kind(msg) == JV_KIND_STRING)
		lc_buf_adds(&jq->err, J.string_value(msg));
	J.free(msg);
}

int
lc_jq_compile(struct lc_jq **out, const char *prog)
{
	struct lc_jq *jq;
	char *nl, *msg;
	int rc;

	*out = NULL;
	if ((rc = load()) != 0)
		return rc;
	jq = calloc(1, sizeof(*jq));
	if (jq == NULL || (jq->st = J.init()) == NULL) {
		free(jq);
		return lc_error_set(LC_ENOMEM, "out of memory");
	}
	J.set_error_cb(jq->st, on_error, jq);
	if (!J.compile(jq->st, prog)) {
		/* "jq: error: X at <top-level>, line 1:\n..." : keep X. */
		lc_buf_adds(&jq->err, "");
		if ((nl = strchr(jq->err.data, '\n')) != NULL)
			*nl = '\0';
		if ((nl = strstr(jq->err.data, " at <top-level>")) != NULL)
			*nl = '\0';
		msg = strncmp(jq->err.data, "jq: error: ", 11) == 0 ?
		    jq->err.data + 11 : jq->err.data;
		rc = lc_error_set(LC_EUSAGE, "bad expression (jq): %s",
		    *msg ? msg : "does not compile");
		lc_jq_free(jq);
		return rc;
	}
	*out = jq;
	return 0;
}

void
lc_jq_free(struct lc_jq *jq)
{
	if (jq == NULL)
		return;
	if (jq->st)
		J.teardown(&jq->st);
	lc_buf_release(&jq->err);
	free(jq);
}

static jv
to_jv(const struct lc_ylit *v)
{
	jv r;
	size_t i;

	switch (v->kind) {
	case LC_YL_NULL:
		return J.null();
	case LC_YL_BOOL:
		/* true, yes, y and on in their cases; the rest is false. */
		return v->n > 0 && (strchr("tTyY", v->s[0]) != NULL ||
		    (v->n == 2 && (v->s[1] == 'n' || v->s[1] == 'N'))) ?
		    J.true_() : J.false_();
	case LC_YL_NUM: {
		char small[64], *buf, *end;
		double d;
		size_t j, k;
		int bad;

		/* YAML allows 1_000; strtod does not. Long ones on the heap. */
		buf = v->n < sizeof(small) ? small : lc_buf_xmalloc(v->n + 1);
		for (j = k = 0; j < v->n; j++)
			if (v->s[j] != '_')
				buf[k++] = v->s[j];
		buf[k] = '\0';
		d = strtod(buf, &end);
		bad = *end != '\0';
		if (buf != small)
			free(buf);
		if (bad)
			return J.string_sized(v->s, (int)v->n);
		return J.number(d);
	}
	case LC_YL_STR:
		return J.string_sized(v->s, (int)v->n);
	case LC_YL_SEQ:
		r = J.array();
		for (i = 0; i < v->nkids; i++)
			r = J.array_append(r, to_jv(&v->kids[i]));
		return r;
	case LC_YL_MAP:
		r = J.object();
		for (i = 0; i + 1 < v->nkids; i += 2) {
			/* JSON keys are strings: 1: x becomes "1": x. */
			r = J.object_set(r, J.string_sized(v->kids[i].s,
			    (int)v->kids[i].n), to_jv(&v->kids[i + 1]));
		}
		return r;
	}
	return J.null();
}

static void *
keep(struct lc_jq_out *out, void *p)
{
	if (out->nmem == out->capmem) {
		out->capmem = out->capmem ? out->capmem * 2 : 16;
		out->mem = lc_buf_xrealloc(out->mem,
		    out->capmem * sizeof(*out->mem));
	}
	out->mem[out->nmem++] = p;
	return p;
}

static char *
text(struct lc_jq_out *out, const char *s, size_t n)
{
	return keep(out, lc_buf_xstrndup(s, n));
}

/* Fill l from v, which this consumes. */
static void
from_jv(struct lc_jq_out *out, struct lc_ylit *l, jv v)
{
	struct lc_ylit *kids;
	jv d;
	int i, n, it;
	char num[64];

	memset(l, 0, sizeof(*l));
	switch (J.get_kind(v)) {
	case JV_KIND_NULL:
		l->kind = LC_YL_NULL;
		l->s = "null";
		l->n = 4;
		break;
	case JV_KIND_TRUE:
	case JV_KIND_FALSE:
		l->kind = LC_YL_BOOL;
		l->s = J.get_kind(v) == JV_KIND_TRUE ? "true" : "false";
		l->n = strlen(l->s);
		break;
	case JV_KIND_NUMBER:
		l->kind = LC_YL_NUM;
		/* jq's own text: 3 stays 3, not 3.0000000000000000. */
		d = J.dump_string(J.copy(v), 0);
		snprintf(num, sizeof(num), "%s", J.string_value(d));
		J.free(d);
		l->s = text(out, num, strlen(num));
		l->n = strlen(num);
		break;
	case JV_KIND_STRING:
		l->kind = LC_YL_STR;
		l->n = (size_t)J.string_length_bytes(J.copy(v));
		l->s = text(out, J.string_value(v), l->n);
		break;
	case JV_KIND_ARRAY:
		l->kind = LC_YL_SEQ;
		n = J.array_length(J.copy(v));
		kids = keep(out,
		    lc_buf_xmalloc(((size_t)n + 1) * sizeof(*kids)));
		for (i = 0; i < n; i++)
			from_jv(out, &kids[i], J.array_get(J.copy(v), i));
		l->kids = kids;
		l->nkids = (size_t)n;
		break;
	case JV_KIND_OBJECT:
		l->kind = LC_YL_MAP;
		n = 0;
		for (it = J.object_iter(v); J.object_iter_valid(v, it);
		    it = J.object_iter_next(v, it))
			n++;
		kids = keep(out, lc_buf_xmalloc(((size_t)n * 2 + 1) *
		    sizeof(*kids)));
		i = 0;
		for (it = J.object_iter(v); J.object_iter_valid(v, it);
		    it = J.object_iter_next(v, it)) {
			from_jv(out, &kids[i++], J.object_iter_key(v, it));
			from_jv(out, &kids[i++], J.object_iter_value(v, it));
		}
		l->kids = kids;
		l->nkids = (size_t)n * 2;
		break;
	default:
		l->kind = LC_YL_NULL;
		break;
	}
	J.free(v);
}

int
lc_jq_run(struct lc_jq *jq, const struct lc_ylit *input, struct lc_jq_out *out)
{
	struct lc_ylit *l;
	jv r, msg;
	int rc = 0;

	jq->err.len = 0;
	J.start(jq->st, to_jv(input), 0);
	while (J.get_kind(r = J.next(jq->st)) != JV_KIND_INVALID) {
		l = keep(out, lc_buf_xmalloc(sizeof(*l)));
		from_jv(out, l, r);
		if (out->n == out->cap) {
			out->cap = out->cap ? out->cap * 2 : 8;
			out->v = lc_buf_xrealloc(out->v, out->cap * sizeof(*out->v));
		}
		out->v[out->n++] = l;
	}
	msg = J.invalid_get_msg(r);
	if (J.get_kind(msg) == JV_KIND_STRING)
		rc = lc_error_set(LC_ERROR, "jq: %s", J.string_value(msg));
	else if (J.get_kind(msg) != JV_KIND_NULL) {
		jv d = J.dump_string(J.copy(msg), 0);

		rc = lc_error_set(LC_ERROR, "jq: %s", J.string_value(d));
		J.free(d);
	}
	J.free(msg);
	return rc;
}

void
lc_jq_out_release(struct lc_jq_out *out)
{
	size_t i;

	for (i = 0; i < out->nmem; i++)
		free(out->mem[i]);
	free(out->mem);
	free(out->v);
	memset(out, 0, sizeof(*out));
}
