/* ymlset: edit or query YAML with yq expressions, changing only the edited bytes. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "error.h"
#include "fileio.h"
#include "log.h"
#include "yaml_edit.h"
#include "yaml_expr.h"

static const struct option longopts[] = {
	{ "arg", required_argument, NULL, 'a' },
	{ "exit-status", no_argument, NULL, 'e' },
	{ "help", no_argument, NULL, 'h' },
	{ "in-place", no_argument, NULL, 'i' },
	{ "no-create", no_argument, NULL, 'C' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

/* One printed result: text in results, or a whole document by index. */
struct piece {
	int whole;
	size_t off, len;
};

struct run {
	const struct lc_yexpr *expr;
	struct lc_yexpr_env *env;
	struct lc_buf results;
	struct piece *pieces;
	size_t npieces, cap;
	int ndocs, nwhole;
};

static _Noreturn void
usage(int status)
{
	FILE *fp = status == LC_EXIT_OK ? stdout : stderr;

	fprintf(fp, "usage: %s [-ehiqVv] [--arg name value] [--no-create] "
	    "expression [file ...]\n", lc_progname);
	if (status == LC_EXIT_OK)
		fputs("\n"
		    "  -i, --in-place       edit each file in place\n"
		    "  -e, --exit-status    exit 1 when nothing matched (or the "
		    "result is null/false)\n"
		    "      --arg NAME VAL   bind $NAME to the string VAL\n"
		    "      --no-create      a missing path is an error (exit 4)\n"
		    "  -q, --quiet          only errors on stderr\n"
		    "  -v, --verbose        say what was edited\n"
		    "  -h, --help           show this help\n"
		    "  -V, --version        show the version\n"
		    "\nexample: ymlset -i '.images[0].newTag = \"v2\"' "
		    "overlays/dev/kustomization.yaml\n", fp);
	exit(status);
}

static void
add_piece(struct run *r, int whole, size_t off, size_t len)
{
	if (r->npieces == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 8;
		r->pieces = lc_xrealloc(r->pieces, r->cap * sizeof(*r->pieces));
	}
	r->pieces[r->npieces].whole = whole;
	r->pieces[r->npieces].off = off;
	r->pieces[r->npieces].len = len;
	r->npieces++;
}

static int
on_doc(struct lc_ydoc *doc, void *arg)
{
	struct run *r = arg;
	size_t before = r->results.len;
	int whole, rc;

	r->ndocs++;
	if ((rc = lc_yexpr_eval(r->expr, doc, r->env, &r->results, &whole)) != 0)
		return rc;
	if (r->results.len > before)
		add_piece(r, 0, before, r->results.len - before);
	if (whole) {
		r->nwhole++;
		add_piece(r, 1, (size_t)doc->index, 0);
	}
	return 0;
}

/* Print the results of a query: values, and whole documents as YAML. */
static void
print_results(struct run *r, const struct lc_yout *out)
{
	const struct piece *p;
	const char *t;
	size_t i, n;
	int printed = 0;

	for (i = 0; i < r->npieces; i++) {
		p = &r->pieces[i];
		if (!p->whole) {
			fwrite(r->results.data + p->off, 1, p->len, stdout);
			continue;
		}
		t = out->docs[p->off].iov_base;
		n = out->docs[p->off].iov_len;
		if (printed++ && !(n >= 3 && memcmp(t, "---", 3) == 0))
			fputs("---\n", stdout);
		fwrite(t, 1, n, stdout);
		if (n > 0 && t[n - 1] != '\n')
			fputc('\n', stdout);
	}
}

static int
do_file(const char *path, const struct lc_yexpr *expr,
    struct lc_yexpr_env *env, int inplace)
{
	struct lc_buf in = LC_BUF_INIT;
	struct lc_yout out = LC_YOUT_INIT;
	struct run r;
	const char *name = path ? path : "<stdin>";
	size_t i;
	int rc, whole;

	memset(&r, 0, sizeof(r));
	r.expr = expr;
	r.env = env;
	if ((rc = lc_file_read(&in, path)) != 0)
		goto done;
	rc = lc_yaml_stream(name, in.data ? in.data : "", in.len, on_doc, &r,
	    &out);
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
			rc = lc_file_replace(path, out.iov, (int)out.n);
			if (rc == 0)
				lc_log_info("edited '%s'", name);
		} else
			lc_log_info("'%s' unchanged", name);
	} else if (whole) {
		for (i = 0; i < out.n; i++)
			fwrite(out.iov[i].iov_base, 1, out.iov[i].iov_len,
			    stdout);
	} else
		print_results(&r, &out);
done:
	lc_yout_release(&out);
	lc_buf_release(&in);
	lc_buf_release(&r.results);
	free(r.pieces);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct lc_yexpr *expr = NULL;
	struct lc_yexpr_env env;
	struct lc_yexpr_var *vars = NULL;
	size_t nvars = 0;
	int ch, inplace = 0, exitstatus = 0, rc = 0, frc, i, verbosity = 0;

	lc_cli_init(argv[0]);
	memset(&env, 0, sizeof(env));
	while ((ch = getopt_long(argc, argv, "ehiqVv", longopts, NULL)) != -1) {
		switch (ch) {
		case 'a':
			/* --arg takes two words, like jq's. */
			if (optind >= argc) {
				lc_log_error("--arg needs a name and a value");
				usage(LC_EXIT_USAGE);
			}
			vars = lc_xrealloc(vars, (nvars + 1) * sizeof(*vars));
			vars[nvars].name = optarg;
			vars[nvars++].value = argv[optind++];
			break;
		case 'C':
			env.no_create = 1;
			break;
		case 'e':
			exitstatus = 1;
			break;
		case 'h':
			usage(LC_EXIT_OK);
		case 'i':
			inplace = 1;
			break;
		case 'q':
			verbosity = -1;
			break;
		case 'V':
			lc_cli_version();
			return lc_exit(0);
		case 'v':
			verbosity++;
			break;
		default:
			usage(LC_EXIT_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage(LC_EXIT_USAGE);
	if (verbosity < 0)
		lc_log_set_level(LC_LOG_ERROR);
	else if (verbosity > 0)
		lc_log_set_level(verbosity > 1 ? LC_LOG_DEBUG : LC_LOG_INFO);
	env.vars = vars;
	env.nvars = nvars;

	if ((rc = lc_yexpr_parse(&expr, argv[0], vars, nvars)) != 0)
		goto done;
	if (inplace && argc < 2) {
		rc = lc_error_set(LC_EUSAGE, "-i needs at least one file");
		goto done;
	}
	if (inplace && !lc_yexpr_edits(expr)) {
		rc = lc_error_set(LC_EUSAGE, "-i needs an expression that "
		    "edits (=, |=, +=, del)");
		goto done;
	}
	if (argc == 1)
		rc = do_file(NULL, expr, &env, 0);
	for (i = 1; i < argc; i++) {
		/* Each file on its own: report, go on, exit with the first. */
		frc = do_file(strcmp(argv[i], "-") == 0 ? NULL : argv[i], expr,
		    &env, inplace);
		if (frc != 0) {
			lc_error_report();
			if (rc == 0)
				rc = frc;
		}
	}
	if (rc == 0 && exitstatus) {
		if (lc_yexpr_edits(expr) ? env.matched == 0 :
		    env.nresults == 0 || env.last_falsy)
			rc = LC_ENO;
	}
done:
	lc_yexpr_free(expr);
	free(vars);
	return lc_exit(rc);
}
