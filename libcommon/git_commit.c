/* git_commit.c: identities and commits, signed or not. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "git.h"
#include "git_int.h"
#include "log.h"
#include "run.h"

int
lc_git_idents(git_repository *repo, const char *author, git_signature **a,
    git_signature **c)
{
	int rc;

	if ((rc = author ? lc_git_parse_ident(author, a) :
	    lc_git_ident(repo, "AUTHOR", a)) != 0)
		return rc;
	/* No committer configured: the author commits. */
	if (lc_git_ident(repo, "COMMITTER", c) != 0) {
		lc_error_clear();
		if (git_signature_dup(c, *a) != 0)
			return lc_git_error(-1, "committer");
	}
	return 0;
}

/* "Name <email>" */
int
lc_git_parse_ident(const char *s, git_signature **out)
{
	const char *lt = strchr(s, '<'), *gt = lt ? strchr(lt, '>') : NULL;
	char *name, *email;
	size_t n;
	int rc;

	if (lt == NULL || gt == NULL || lt == s)
		return lc_error_set(LC_EUSAGE, "invalid author '%s' (use "
		    "'Name <email>')", s);
	for (n = (size_t)(lt - s); n > 0 && s[n - 1] == ' '; n--)
		;
	name = lc_buf_xstrndup(s, n);
	email = lc_buf_xstrndup(lt + 1, (size_t)(gt - lt - 1));
	rc = git_signature_now(out, name, email);
	free(name);
	free(email);
	return rc == 0 ? 0 : lc_git_error(rc, "author");
}

/* From the environment (GIT_<WHO>_NAME/EMAIL), else git config. */
int
lc_git_ident(git_repository *repo, const char *who, git_signature **out)
{
	char n[32], e[32];
	const char *name, *email;
	int rc;

	snprintf(n, sizeof(n), "GIT_%s_NAME", who);
	snprintf(e, sizeof(e), "GIT_%s_EMAIL", who);
	name = getenv(n);
	email = getenv(e);
	if (name && *name && email && *email)
		rc = git_signature_now(out, name, email);
	else
		rc = git_signature_default(out, repo);
	if (rc != 0)
		return lc_error_set(LC_EUSAGE, "no identity to commit with: set "
		    "--author, GIT_%s_NAME and GIT_%s_EMAIL, or git config "
		    "user.name and user.email", who, who);
	return 0;
}

/* The string config value name, or dflt. */
static const char *
config_str(git_config *cfg, const char *name, const char *dflt,
    git_buf *b)
{
	return git_config_get_string_buf(b, cfg, name) == 0 ? b->ptr : dflt;
}

int
lc_git_commit(git_repository *repo, git_oid *out,
    const git_signature *author, const git_signature *committer,
    const char *msg, const git_tree *tree, size_t n,
    const git_commit **parents, int sign)
{
	git_buf body = { NULL, 0, 0 }, fmt = { NULL, 0, 0 };
	git_buf prog = { NULL, 0, 0 }, key = { NULL, 0, 0 };
	git_buf prog2 = { NULL, 0, 0 };
	struct lc_buf sig = LC_BUF_INIT, err = LC_BUF_INIT;
	git_config *cfg = NULL;
	const char *f, *pr, *k;
	char *argv[10];
	int rc, i = 0;

	if (!sign) {
		rc = git_commit_create(out, repo, NULL, author, committer, NULL,
		    msg, tree, n, parents);
		return rc == 0 ? 0 : lc_git_error(rc, "commit");
	}
	if ((rc = git_commit_create_buffer(&body, repo, author, committer,
	    NULL, msg, tree, n, parents)) != 0 ||
	    (rc = git_repository_config_snapshot(&cfg, repo)) != 0) {
		rc = lc_git_error(rc, "commit");
		goto out;
	}
	f = config_str(cfg, "gpg.format", "openpgp", &fmt);
	k = config_str(cfg, "user.signingkey", "", &key);
	if (strcmp(f, "ssh") == 0) {
		pr = config_str(cfg, "gpg.ssh.program", "ssh-keygen", &prog);
		if (*k == '\0') {
			rc = lc_error_set(LC_EUSAGE, "signing with ssh needs "
			    "user.signingkey (the key file)");
			goto out;
		}
		argv[i++] = (char *)pr;
		argv[i++] = "-Y";
		argv[i++] = "sign";
		argv[i++] = "-n";
		argv[i++] = "git";
		argv[i++] = "-f";
		argv[i++] = (char *)k;
	} else if (strcmp(f, "openpgp") == 0 || strcmp(f, "x509") == 0) {
		pr = f[0] == 'x' ? config_str(cfg, "gpg.x509.program", "gpgsm",
		    &prog) : config_str(cfg, "gpg.openpgp.program",
		    config_str(cfg, "gpg.program", "gpg", &prog2), &prog);
		argv[i++] = (char *)pr;
		argv[i++] = "--status-fd=2";
		argv[i++] = *k ? "-bsau" : "-bsa";
		if (*k)
			argv[i++] = (char *)k;
	} else {
		rc = lc_error_set(LC_EUSAGE, "gpg.format '%s': openpgp, x509 or "
		    "ssh", f);
		goto out;
	}
	argv[i] = NULL;
	if ((rc = lc_run(argv, body.ptr, body.size, &sig, &err, 0)) != 0) {
		char *why = lc_buf_xstrndup(lc_error_msg(),
		    strlen(lc_error_msg()));

		lc_log_lines(argv[0], &err);
		rc = lc_error_set(LC_ERROR, "signing the commit: %s", why);
		free(why);
		goto out;
	}
	if (sig.len == 0) {
		rc = lc_error_set(LC_ERROR, "signing the commit: %s wrote no "
		    "signature", argv[0]);
		goto out;
	}
	if ((rc = git_commit_create_with_signature(out, repo, body.ptr,
	    sig.data, NULL)) != 0)
		rc = lc_git_error(rc, "commit");
out:
	git_buf_dispose(&body);
	git_buf_dispose(&fmt);
	git_buf_dispose(&prog);
	git_buf_dispose(&prog2);
	git_buf_dispose(&key);
	git_config_free(cfg);
	lc_buf_release(&sig);
	lc_buf_release(&err);
	return rc;
}
