/* ymlset: edit or query YAML with yq expressions, changing only the edited bytes. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "cli.h"
#include "error.h"
#include "fileio.h"
#include "log.h"
#include "parse.h"
#include "yaml_edit.h"
#include "yaml_expr.h"
#include "yaml_out.h"

enum {
	OPT_ARG = 256, OPT_EXPRESSION, OPT_FROM_FILE, OPT_NO_CREATE,
	OPT_MERGE_SPEC
};

static const struct option longopts[] = {
	{ "arg", required_argument, NULL, OPT_ARG },
	{ "exit-status", no_argument, NULL, 'e' },
	{ "expression", required_argument, NULL, OPT_EXPRESSION },
	{ "from-file", required_argument, NULL, OPT_FROM_FILE },
	{ "help", no_argument, NULL, 'h' },
	{ "in-place", no_argument, NULL, 'i' },
	{ "indent", required_argument, NULL, 'I' },
	{ "inplace", no_argument, NULL, 'i' },
	{ "input-format", required_argument, NULL, 'p' },
	{ "no-colors", no_argument, NULL, 'M' },
	{ "no-create", no_argument, NULL, OPT_NO_CREATE },
	{ "no-doc", no_argument, NULL, 'N' },
	{ "nul-output", no_argument, NULL, '0' },
	{ "null-input", no_argument, NULL, 'n' },
	{ "output-format", required_argument, NULL, 'o' },
	{ "prettyPrint", no_argument, NULL, 'P' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "unwrapScalar", optional_argument, NULL, 'r' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "version", no_argument, NULL, 'V' },
	{ "yaml-fix-merge-anchor-to-spec", no_argument, NULL, OPT_MERGE_SPEC },
	{ NULL, 0, NULL, 0 }
};

/* yq's flags that ymlset refuses by name (it reads and writes YAML only). */
static const struct {
	char s;
	const char *l;
} yq_unsupported[] = {
	{ 'C', "colors" }, { 'c', "yaml-compact-seq-indent" },
	{ 'f', "front-matter" }, { 's', "split-exp" },
	{ 0, "csv-auto-parse" }, { 0, "csv-separator" },
	{ 0, "debug-node-info" }, { 0, "header-preprocess" },
	{ 0, "ini-preserve-quotes" }, { 0, "lua-globals" },
	{ 0, "lua-prefix" }, { 0, "lua-suffix" }, { 0, "lua-unquoted" },
	{ 0, "properties-array-brackets" }, { 0, "properties-separator" },
	{ 0, "security-disable-env-ops" }, { 0, "security-disable-file-ops" },
	{ 0, "security-enable-system-operator" },
	{ 0, "shell-key-separator" }, { 0, "split-exp-file" },
	{ 0, "string-interpolation" }, { 0, "tojson" },
	{ 0, "tsv-auto-parse" }, { 0, "xml-attribute-prefix" },
	{ 0, "xml-content-name" }, { 0, "xml-directive-name" },
	{ 0, "xml-keep-namespace" }, { 0, "xml-proc-inst-prefix" },
	{ 0, "xml-raw-token" }, { 0, "xml-skip-directives" },
	{ 0, "xml-skip-proc-inst" }, { 0, "xml-strict-mode" },
};

/* yq's format names: ours, then those ymlset does not write or read. */
static const struct {
	const char *name;
	int fmt;
} formats[] = {
	{ "auto", LC_YOUT_YAML }, { "a", LC_YOUT_YAML },
	{ "yaml", LC_YOUT_YAML }, { "y", LC_YOUT_YAML },
	{ "json", LC_YOUT_JSON }, { "j", LC_YOUT_JSON },
	{ "props", LC_YOUT_PROPS }, { "p", LC_YOUT_PROPS },
	{ "kyaml", -1 }, { "ky", -1 }, { "csv", -1 }, { "c", -1 },
	{ "tsv", -1 }, { "t", -1 }, { "xml", -1 }, { "x", -1 },
	{ "base64", -1 }, { "uri", -1 }, { "toml", -1 }, { "hcl", -1 },
	{ "h", -1 }, { "shell", -1 }, { "s", -1 }, { "lua", -1 },
	{ "l", -1 }, { "ini", -1 }, { "i", -1 },
};

/* One printed result: text in results, or a whole document by index. */
struct piece {
	int whole;
	int doc;
	size_t off, len;
};

/* A file read whole: for -i, and for eval-all. */
struct input {
	const char *path;	/* NULL: stdin or -n */
	struct lc_buf text;
	struct lc_ystream st;	/* eval-all: its documents */
	struct lc_yout out;	/* the stream after the edits */
};

struct run {
	const struct lc_yexpr *expr;
	struct lc_yexpr_env *env;
	const struct lc_yaml_fmt *fmt;
	struct lc_buf results;
	struct piece *pieces;
	size_t npieces, cap;
	int ndocs, nwhole;
};

/* What is printed across files: documents are separated as yq does. */
struct printer {
	const struct lc_yaml_fmt *fmt;
	int seps;		/* "---" between the results of documents */
	int nodoc;		/* -N: no "---" at all, documents' own too */
	int printed;		/* something was printed */
};

static _Noreturn void
usage(int status)
{
	FILE *fp = status == LC_EXIT_OK ? stdout : stderr;

	fprintf(fp, "usage: %s [eval | eval-all] [-0ehijMNnPqrVv] "
	    "[-I indent] [-o format] [-p format]\n"
	    "       [--arg name value] [--from-file file] [--no-create] "
	    "expression [file ...]\n", lc_log_progname);
	if (status == LC_EXIT_OK)
		fputs("\n"
		    "  eval, e              each document on its own (the "
		    "default)\n"
		    "  eval-all, ea         the documents of all files in "
		    "one stream\n"
		    "  -i, --inplace        edit each file in place "
		    "(--in-place too)\n"
		    "  -n, --null-input     read no file: evaluate against "
		    "null\n"
		    "  -e, --exit-status    exit 1 when nothing matched (or the "
		    "result is null/false)\n"
		    "  -o, --output-format  yaml, json or props (y, j, p)\n"
		    "  -j                   the same as -o json\n"
		    "  -I, --indent N       spaces a level in JSON and "
		    "re-emitted YAML (2)\n"
		    "  -r, --unwrapScalar   print scalars raw (default for "
		    "yaml; -r=false)\n"
		    "  -P, --prettyPrint    re-emit collections in yq's "
		    "block style\n"
		    "  -N, --no-doc         no '---' between documents\n"
		    "  -0, --nul-output     end each result with NUL\n"
		    "  -p, --input-format   yaml or json (JSON is read as "
		    "YAML)\n"
		    "  -M, --no-colors      accepted; output is never "
		    "coloured\n"
		    "      --from-file F    read the expression from F\n"
		    "      --expression E   the expression (every argument "
		    "is a file)\n"
		    "      --arg NAME VAL   bind $NAME to the string VAL\n"
		    "      --no-create      a missing path is an error "
		    "(exit 4)\n"
		    "  -q, --quiet          only errors on stderr\n"
		    "  -v, --verbose        log everything (debug too)\n"
		    "  -h, --help           show this help\n"
		    "  -V, --version        show the version\n"
		    "\nexample: ymlset e -i '.images[0].newTag = \"v2\"' "
		    "overlays/dev/kustomization.yaml\n", fp);
	exit(status);
}

/* Refuse a flag yq has and ymlset does not, by its yq name. */
static _Noreturn void
bad_option(const char *arg, int opt)
{
	char name[64];
	size_t i, n;

	if (opt == 0 && arg != NULL && strncmp(arg, "--", 2) == 0) {
		n = strcspn(arg + 2, "=");
		for (i = 0; i < sizeof(yq_unsupported) /
		    sizeof(yq_unsupported[0]); i++)
			if (strlen(yq_unsupported[i].l) == n &&
			    strncmp(arg + 2, yq_unsupported[i].l, n) == 0)
				goto yq;
		lc_log_error("unknown option '%s'", arg);
		usage(LC_EXIT_USAGE);
	}
	for (i = 0; i < sizeof(yq_unsupported) / sizeof(yq_unsupported[0]);
	    i++)
		if (opt != 0 && yq_unsupported[i].s == opt)
			goto yq;
	lc_log_error("unknown option '-%c'", opt);
	usage(LC_EXIT_USAGE);
yq:
	if (yq_unsupported[i].s)
		snprintf(name, sizeof(name), "-%c/--%s", yq_unsupported[i].s,
		    yq_unsupported[i].l);
	else
		snprintf(name, sizeof(name), "--%s", yq_unsupported[i].l);
	lc_log_error("yq's %s is not supported: ymlset reads YAML and "
	    "writes YAML, JSON or properties, uncoloured (see ymlset(1))",
	    name);
	exit(LC_EXIT_USAGE);
}

/* -o and -p: yq's names; LC_EUSAGE with the message for the others. */
static int
parse_format(const char *s, int input, int *fmt)
{
	size_t i;

	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		if (strcmp(formats[i].name, s) != 0)
			continue;
		if (formats[i].fmt >= 0 && !(input &&
		    formats[i].fmt == LC_YOUT_PROPS)) {
			*fmt = formats[i].fmt;
			return 0;
		}
		return lc_error_set(LC_EUSAGE, "yq's %s format '%s' is not "
		    "supported: ymlset %s", input ? "input" : "output", s,
		    input ? "reads YAML (and JSON, which is YAML): use -p yaml "
		    "or -p json" : "writes yaml, json or props");
	}
	return lc_error_set(LC_EUSAGE, "unknown %s format '%s': use %s",
	    input ? "input" : "output", s, input ? "yaml or json" :
	    "yaml, json or props");
}

/* -r, -r=false, --unwrapScalar=false: Go's boolean spellings. */
static int
parse_bool(const char *s, int *b)
{
	static const char *const t[] = { "1", "t", "T", "true", "TRUE",
	    "True", NULL };
	static const char *const f[] = { "0", "f", "F", "false", "FALSE",
	    "False", NULL };
	int i;

	if (s == NULL) {
		*b = 1;
		return 0;
	}
	if (*s == '=')
		s++;
	for (i = 0; t[i]; i++)
		if (strcmp(s, t[i]) == 0) {
			*b = 1;
			return 0;
		}
	for (i = 0; f[i]; i++)
		if (strcmp(s, f[i]) == 0) {
			*b = 0;
			return 0;
		}
	return lc_error_set(LC_EUSAGE, "-r takes true or false (-r=false), "
	    "not '%s'", s);
}

static void
add_piece(struct run *r, int whole, int doc, size_t off, size_t len)
{
	if (r->npieces == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 8;
		r->pieces = lc_buf_xrealloc(r->pieces,
		    r->cap * sizeof(*r->pieces));
	}
	r->pieces[r->npieces].whole = whole;
	r->pieces[r->npieces].doc = doc;
	r->pieces[r->npieces].off = off;
	r->pieces[r->npieces].len = len;
	r->npieces++;
}

/* Whether a whole document is written by the renderer, not as its text. */
static int
rerender(const struct lc_yaml_fmt *f)
{
	return f->format != LC_YOUT_YAML || f->pretty;
}

static int
on_doc(struct lc_ydoc *doc, void *arg)
{
	struct run *r = arg;
	size_t before = r->results.len, i;
	int whole, rc;

	r->ndocs++;
	r->env->split_doc = 0;
	r->env->nends = 0;
	if ((rc = lc_yaml_expr_eval(r->expr, doc, r->env, &r->results,
	    &whole)) != 0)
		return rc;
	/* split_doc: each result is a document of its own ("---" between). */
	if (r->env->split_doc && !whole) {
		for (i = 0; i < r->env->nends; i++) {
			add_piece(r, 0, i == 0 ? doc->index : -1, before,
			    r->env->ends[i] - before);
			before = r->env->ends[i];
		}
		return 0;
	}
	if (whole && rerender(r->fmt)) {
		if ((rc = lc_yaml_out_node(&r->results, r->fmt, doc,
		    doc->root)) != 0)
			return rc;
		whole = 0;
	}
	if (r->results.len > before)
		add_piece(r, 0, doc->index, before, r->results.len - before);
	if (whole) {
		r->nwhole++;
		add_piece(r, 1, doc->index, (size_t)doc->index, 0);
	}
	return 0;
}

/* Write one whole document's text for a query, after "---" if needed. */
static void
put_text(struct printer *p, const char *t, size_t n)
{
	if (p->seps && p->printed && !(n >= 3 && memcmp(t, "---", 3) == 0))
		fputs("---\n", stdout);
	fwrite(t, 1, n, stdout);
	if (p->fmt->nul)
		fputc('\0', stdout);
	else if (n > 0 && t[n - 1] != '\n')
		fputc('\n', stdout);
	p->printed = 1;
}

/* Print a whole document (its text after the edits). */
static void
put_doc(struct printer *p, const struct iovec *doc)
{
	const char *t = doc->iov_base;
	size_t n = doc->iov_len;

	/* -N: the document's own "---" goes too, as in yq. */
	if (p->nodoc && n >= 3 && memcmp(t, "---", 3) == 0 &&
	    (n == 3 || strchr(" \t\r\n", t[3]) != NULL)) {
		for (t += 3, n -= 3; n > 0 && (*t == ' ' || *t == '\t');
		    t++, n--)
			;
		/* A comment after it stays, on its own line. */
		if (n > 0 && *t == '\r')
			t++, n--;
		if (n > 0 && *t == '\n')
			t++, n--;
	}
	/* -0 ends a document with NUL where its newline was. */
	if (p->fmt->nul && n > 0 && t[n - 1] == '\n')
		n--;
	put_text(p, t, n);
}

/* The stream of one file as it is, comments between documents too. */
static void
put_stream(struct printer *p, const struct lc_yout *out)
{
	const char *t;
	size_t i, n;

	for (i = 0; i < out->n; i++) {
		t = out->iov[i].iov_base;
		n = out->iov[i].iov_len;
		if (i == 0 && p->seps && p->printed && !(n >= 3 &&
		    memcmp(t, "---", 3) == 0))
			fputs("---\n", stdout);
		fwrite(t, 1, n, stdout);
		p->printed |= n > 0;
	}
}

/* Print the results of a query: values, and whole documents as YAML. */
static void
print_results(struct printer *p, struct run *r, const struct lc_yout *out)
{
	const struct piece *pc;
	size_t i;
	int last = -1;

	for (i = 0; i < r->npieces; i++) {
		pc = &r->pieces[i];
		if (pc->whole) {
			put_doc(p, &out->docs[pc->off]);
			last = pc->doc;
			continue;
		}
		/* doc -1: split_doc's next document. */
		if (p->seps && p->printed && (pc->doc != last || pc->doc < 0))
			fputs("---\n", stdout);
		fwrite(r->results.data + pc->off, 1, pc->len, stdout);
		p->printed = 1;
		last = pc->doc;
	}
}

/*
 * Evaluate over one file (NULL: stdin; text: -n's empty input). With -i
 * an edited file's text and new stream move to keep, unwritten.
 */
static int
do_file(struct printer *p, const char *path, const char *text,
    const struct lc_yexpr *expr, struct lc_yexpr_env *env,
    struct input *keep)
{
	int inplace = keep != NULL;
	struct lc_buf in = LC_BUF_INIT;
	struct lc_yout out = LC_YOUT_INIT;
	struct run r;
	const char *name = text ? "<null input>" : path ? path : "<stdin>";
	int rc, whole;

	memset(&r, 0, sizeof(r));
	r.expr = expr;
	r.env = env;
	r.fmt = p->fmt;
	if (text != NULL)
		lc_buf_adds(&in, text);
	else if ((rc = lc_fileio_read(&in, path)) != 0)
		goto done;
	rc = lc_yaml_edit_stream(name, in.data ? in.data : "", in.len, on_doc,
	    &r, &out);
	if (rc != 0)
		goto done;
	/* Every document gave itself back: the result is the file. */
	whole = r.nwhole == r.ndocs && r.npieces == (size_t)r.ndocs;
	if (inplace) {
		if (!whole) {
			rc = lc_error_set(LC_EUSAGE, "with -i the expression "
			    "must return the document; '%s' was left as it "
			    "was", name);
			goto done;
		}
		if (out.changed) {
			/* Written by main once every file is done. */
			keep->text = in;
			keep->out = out;
			memset(&in, 0, sizeof(in));
			memset(&out, 0, sizeof(out));
		} else
			lc_log_info("'%s' unchanged", name);
	} else if (whole && !p->fmt->nul && !p->nodoc)
		put_stream(p, &out);
	else
		print_results(p, &r, &out);
done:
	lc_yaml_edit_out_release(&out);
	lc_buf_release(&in);
	lc_buf_release(&r.results);
	free(r.pieces);
	return rc;
}

/* Write the edited files of ins, in order; each is replaced atomically. */
static int
write_files(struct input *ins, size_t n)
{
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		if (!ins[i].out.changed)
			continue;
		if ((rc = lc_fileio_replace(ins[i].path, ins[i].out.iov,
		    (int)ins[i].out.n)) != 0)
			return rc;
		lc_log_info("edited '%s'", ins[i].path);
	}
	return 0;
}

static void
release_inputs(struct input *ins, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		lc_yaml_edit_out_release(&ins[i].out);
		lc_yaml_edit_stream_release(&ins[i].st);
		lc_buf_release(&ins[i].text);
	}
	free(ins);
}

/*
 * eval-all: the documents of every file (stdin without files, one empty
 * document with -n) in one stream, the expression evaluated once. Every
 * file is read and parsed first, so a bad file stops it before anything
 * is evaluated, printed or written; with -i each document goes back to
 * its own file, once all is evaluated.
 */
static int
eval_all(struct printer *p, char **paths, int npaths, int nullin,
    const struct lc_yexpr *expr, struct lc_yexpr_env *env, int inplace)
{
	struct input *ins;
	struct lc_ydoc **docs = NULL;
	struct lc_yexpr_res *res = NULL;
	struct lc_buf results = LC_BUF_INIT, rendered = LC_BUF_INIT;
	const char *name;
	size_t n = npaths > 0 ? (size_t)npaths : 1, ndocs = 0, nres = 0, i, j;
	size_t last = (size_t)-1;
	int *files = NULL, rc = 0, stream;

	ins = lc_buf_xmalloc(n * sizeof(*ins));
	memset(ins, 0, n * sizeof(*ins));
	for (i = 0; i < n && rc == 0; i++) {
		if (npaths > 0 && strcmp(paths[i], "-") != 0)
			ins[i].path = paths[i];
		name = nullin ? "<null input>" : ins[i].path ? ins[i].path :
		    "<stdin>";
		if (!nullin && (rc = lc_fileio_read(&ins[i].text,
		    ins[i].path)) != 0)
			break;
		rc = lc_yaml_edit_stream_load(&ins[i].st, name,
		    ins[i].text.data ? ins[i].text.data : "", ins[i].text.len);
		ndocs += ins[i].st.ndocs;
	}
	if (rc != 0)
		goto done;
	docs = lc_buf_xmalloc((ndocs + 1) * sizeof(*docs));
	files = lc_buf_xmalloc((ndocs + 1) * sizeof(*files));
	for (i = ndocs = 0; i < n; i++)
		for (j = 0; j < ins[i].st.ndocs; j++) {
			/* A file with no document adds none, as in yq. */
			if (ins[i].st.ndocs == 1 && ins[i].st.docs[0].len == 0 &&
			    !nullin)
				break;
			files[ndocs] = (int)i;
			docs[ndocs++] = &ins[i].st.docs[j];
		}
	env->split_doc = 0;
	if ((rc = lc_yaml_expr_eval_all(expr, docs, files, ndocs, env, &results,
	    &res, &nres)) != 0)
		goto done;
	for (i = 0; i < n; i++)
		lc_yaml_edit_stream_out(&ins[i].st, &ins[i].out);
	/* Every document once, in order: the files as they are. */
	stream = nres == ndocs;
	for (i = 0; i < nres && stream; i++)
		stream = res[i].whole && res[i].doc == i;
	if (inplace) {
		for (i = 0; i < nres; i++)
			if (!res[i].whole) {
				rc = lc_error_set(LC_EUSAGE, "with -i the "
				    "expression must return the documents; no "
				    "file was changed");
				goto done;
			}
		rc = write_files(ins, n);
	} else if (stream && !p->fmt->nul && !p->nodoc && !rerender(p->fmt)) {
		for (i = 0; i < n; i++)
			put_stream(p, &ins[i].out);
	} else
		for (i = 0; i < nres; i++) {
			j = res[i].doc;
			if (res[i].whole && rerender(p->fmt)) {
				/* -o json, -P: the document rendered. */
				rendered.len = 0;
				if ((rc = lc_yaml_out_node(&rendered, p->fmt,
				    docs[j], docs[j]->root)) != 0)
					goto done;
				if (p->seps && p->printed)
					fputs("---\n", stdout);
				fwrite(rendered.data, 1, rendered.len, stdout);
				p->printed = 1;
			} else if (res[i].whole)
				put_doc(p, &ins[files[j]].out.docs[docs[j]->
				    index]);
			else {
				/* "---" where the document changes, as yq. */
				if (p->seps && p->printed && (j != last ||
				    env->split_doc))
					fputs("---\n", stdout);
				fwrite(results.data + res[i].off, 1,
				    res[i].len, stdout);
				p->printed = 1;
			}
			last = j;
		}
done:
	free(res);
	free(files);
	free(docs);
	lc_buf_release(&results);
	lc_buf_release(&rendered);
	release_inputs(ins, n);
	return rc;
}

static int
is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int
main(int argc, char *argv[])
{
	struct lc_yexpr *expr = NULL;
	struct lc_yexpr_env env;
	struct lc_yexpr_var *vars = NULL;
	struct lc_yaml_fmt fmt;
	struct printer pr;
	struct lc_buf exprfile = LC_BUF_INIT;
	const char *src = NULL, *fromfile = NULL;
	size_t nvars = 0;
	long n;
	int ch, inplace = 0, exitstatus = 0, rc = 0, frc, i;
	int nullin = 0, unwrap = -1, nodoc = 0, infmt, all = 0;
	struct input *ins = NULL;

	lc_cli_init(argv[0]);
	memset(&env, 0, sizeof(env));
	memset(&fmt, 0, sizeof(fmt));
	fmt.indent = 2;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":0ehI:ijMNno:Pp:qr::Vv",
	    longopts, NULL)) != -1) {
		/* yq (pflag) takes -o=json as -o json. */
		if (optarg != NULL && optarg[0] == '=' && (ch == 'I' ||
		    ch == 'o' || ch == 'p'))
			optarg++;
		switch (ch) {
		case '0':
			fmt.nul = 1;
			break;
		case OPT_ARG:
			/* --arg takes two words, like jq's. */
			if (optind >= argc) {
				lc_log_error("--arg needs a name and a value");
				usage(LC_EXIT_USAGE);
			}
			vars = lc_buf_xrealloc(vars,
			    (nvars + 1) * sizeof(*vars));
			vars[nvars].name = optarg;
			vars[nvars++].value = argv[optind++];
			break;
		case OPT_EXPRESSION:
			src = optarg;
			break;
		case OPT_FROM_FILE:
			fromfile = optarg;
			break;
		case OPT_MERGE_SPEC:
			/* What ymlset always does. */
			break;
		case OPT_NO_CREATE:
			env.no_create = 1;
			break;
		case 'e':
			exitstatus = 1;
			break;
		case 'h':
			usage(LC_EXIT_OK);
		case 'I':
			if (lc_parse_long(optarg, 0, 16, &n) != 0) {
				lc_log_error("-I takes a number of spaces from "
				    "0 to 16, not '%s'", optarg);
				usage(LC_EXIT_USAGE);
			}
			fmt.indent = (int)n;
			break;
		case 'i':
			inplace = 1;
			break;
		case 'j':
			fmt.format = LC_YOUT_JSON;
			break;
		case 'M':
			/* Output is never coloured: nothing to turn off. */
			break;
		case 'N':
			nodoc = 1;
			break;
		case 'n':
			nullin = 1;
			break;
		case 'o':
			if (parse_format(optarg, 0, &fmt.format) != 0) {
				lc_cli_report_error();
				exit(LC_EXIT_USAGE);
			}
			break;
		case 'P':
			fmt.pretty = 1;
			break;
		case 'p':
			if (parse_format(optarg, 1, &infmt) != 0) {
				lc_cli_report_error();
				exit(LC_EXIT_USAGE);
			}
			break;
		case 'q':
			lc_log_set_level(LC_LOG_ERROR);
			break;
		case 'r':
			if (parse_bool(optarg, &unwrap) != 0) {
				lc_cli_report_error();
				exit(LC_EXIT_USAGE);
			}
			break;
		case 'V':
			lc_cli_version();
			return lc_cli_exit(0);
		case 'v':
			lc_log_set_level(LC_LOG_DEBUG);
			break;
		case ':':
			lc_log_error("'%s' needs a value", argv[optind - 1]);
			usage(LC_EXIT_USAGE);
		default:
			bad_option(argv[optind - 1], optopt);
		}
	}
	argc -= optind;
	argv += optind;
	/* yq's subcommands: the expression always follows them. */
	if (argc > 0 && (strcmp(argv[0], "eval") == 0 ||
	    strcmp(argv[0], "e") == 0 || strcmp(argv[0], "eval-all") == 0 ||
	    strcmp(argv[0], "ea") == 0)) {
		all = strcmp(argv[0], "eval-all") == 0 ||
		    strcmp(argv[0], "ea") == 0;
		argc--;
		argv++;
	}
	if (fromfile != NULL) {
		if ((rc = lc_fileio_read(&exprfile, fromfile)) != 0)
			goto done;
		src = exprfile.data ? exprfile.data : "";
	} else if (src == NULL) {
		if (argc < 1) {
			if (!nullin)
				lc_log_error("no expression");
			usage(LC_EXIT_USAGE);
		}
		/* As yq: "ymlset file.yaml ..." prints the files. */
		if (!nullin && is_file(argv[0]))
			src = ".";
		else {
			src = argv[0];
			argc--;
			argv++;
		}
	}
	/* yq unwraps scalars by default for YAML and props, not JSON. */
	fmt.unwrap = unwrap >= 0 ? unwrap : fmt.format != LC_YOUT_JSON;
	env.vars = vars;
	env.nvars = nvars;
	env.want_ends = 1;
	if (fmt.format != LC_YOUT_YAML || fmt.indent != 2 || !fmt.unwrap ||
	    fmt.pretty || fmt.nul)
		env.fmt = &fmt;
	memset(&pr, 0, sizeof(pr));
	pr.fmt = &fmt;
	pr.seps = fmt.format == LC_YOUT_YAML && !nodoc && !fmt.nul;
	pr.nodoc = nodoc;

	if (nullin && argc > 0) {
		rc = lc_error_set(LC_EUSAGE, "-n reads no file: drop '%s' or "
		    "-n", argv[0]);
		goto done;
	}
	if (inplace && (nullin || argc < 1)) {
		rc = lc_error_set(LC_EUSAGE, "-i needs at least one file");
		goto done;
	}
	for (i = 0; inplace && i < argc; i++) {
		struct stat st;

		if (strcmp(argv[i], "-") == 0) {
			rc = lc_error_set(LC_EUSAGE, "-i cannot write back "
			    "standard input ('-'): name the file");
			goto done;
		}
		/* Before reading: a FIFO would block, a device be replaced. */
		if (stat(argv[i], &st) == 0 && !S_ISREG(st.st_mode)) {
			rc = lc_error_set(LC_EUSAGE, "-i edits regular files; "
			    "'%s' is not one (read it without -i)", argv[i]);
			goto done;
		}
	}
	if (inplace && (fmt.format != LC_YOUT_YAML || fmt.pretty)) {
		rc = lc_error_set(LC_EUSAGE, "-i writes the file back as YAML "
		    "with only the edited bytes changed: drop -o/-j/-P");
		goto done;
	}
	if ((rc = lc_yaml_expr_parse(&expr, src, vars, nvars)) != 0)
		goto done;
	if (inplace && !lc_yaml_expr_edits(expr)) {
		rc = lc_error_set(LC_EUSAGE, "-i needs an expression that "
		    "edits (=, |=, +=, del)");
		goto done;
	}
	if (all)
		rc = eval_all(&pr, argv, argc, nullin, expr, &env, inplace);
	else if (nullin)
		rc = do_file(&pr, NULL, "", expr, &env, NULL);
	else if (argc == 0)
		rc = do_file(&pr, NULL, NULL, expr, &env, NULL);
	if (inplace && !all) {
		ins = lc_buf_xmalloc((size_t)argc * sizeof(*ins));
		memset(ins, 0, (size_t)argc * sizeof(*ins));
	}
	for (i = 0; i < argc && !all; i++) {
		/*
		 * Each file on its own: report, go on, exit with the first.
		 * -i writes nothing unless every file parsed and evaluated.
		 */
		env.file_index = i;
		frc = do_file(&pr, strcmp(argv[i], "-") == 0 ? NULL : argv[i],
		    NULL, expr, &env, ins ? &ins[i] : NULL);
		if (ins != NULL)
			ins[i].path = argv[i];
		if (frc != 0) {
			lc_cli_report_error();
			if (rc == 0)
				rc = frc;
		}
	}
	if (ins != NULL) {
		if (rc == 0)
			rc = write_files(ins, (size_t)argc);
		else
			lc_log_error("no file was changed");
		release_inputs(ins, (size_t)argc);
	}
	if (rc == 0 && exitstatus) {
		if (lc_yaml_expr_edits(expr) ? env.matched == 0 :
		    env.nresults == 0 || env.last_falsy)
			rc = LC_ENO;
	}
done:
	lc_yaml_expr_free(expr);
	free(env.ends);
	lc_buf_release(&exprfile);
	free(vars);
	return lc_cli_exit(rc);
}
