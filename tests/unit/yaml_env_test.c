/* yaml_env_test.c: envsubst's forms and flags, against yq v4.53.6's answers. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "tap.h"
#include "yaml_env.h"

/*
 * The environment of every case: X=1, E= (set, empty), W=world; the rest
 * unset. Answers were recorded with yq-go v4.53.6 (`.s | envsubst(F)` on
 * {s: IN}) except where a comment says ours differs on purpose (yaml_env.h).
 * An expected rc other than 0 leaves the output unchecked.
 */
static const struct {
	const char *flags;	/* "" for plain envsubst */
	const char *in, *want;
	int rc;
} cases[] = {
	{ "", "hello ${W}", "hello world", 0 },
	{ "", "hello $W!", "hello world!", 0 },
	{ "", "$X$X", "11", 0 },
	{ "", "$X-y $X.y ${X}1", "1-y 1.y 11", 0 },
	{ "", "[$NOPE] [${NOPE}]", "[] []", 0 },
	{ "", "$X1 $1 $0", "  ", 0 },
	{ "", "${NOPE:-d} ${NOPE-e} ${NOPE=f} ${NOPE:=g}", "d e f g", 0 },
	{ "", "${E:-d}|${E-d}|${E:=d}|${E=d}", "d||d|", 0 },
	{ "", "${X:-d}|${X-d}", "1|1", 0 },
	{ "", "${X+a}|${X:+a}|${E+a}|${E:+a}|${NOPE+a}|${NOPE:+a}",
	    "a|a|a|a||", 0 },
	{ "", "${X:+}|${NOPE:-}|${X-}", "1||1", 0 },
	{ "", "${NOPE:-a b-c:d}", "a b-c:d", 0 },
	{ "", "${NOPE:-a}b}", "ab}", 0 },
	{ "", "${NOPE:-{}", "{", 0 },
	{ "", "${NOPE:-$X}z", "1z", 0 },
	{ "", "${NOPE:-a\\}b}", "a\\b}", 0 },
	{ "", "${NOPE:-\"q\"}", "\"q\"", 0 },
	{ "", "$$X $$$X $$ $", "$X $1 $ $", 0 },
	{ "", "a$ $ X ${} ${{ github.sha }}", "a$ $ X ${} ${{ github.sha }}",
	    0 },
	{ "", "$_ ${_} ${_:-d} $__", "$_ ${_} ${_:-d} ", 0 },
	{ "", "line1\n$X\nline3\n", "line1\n1\nline3\n", 0 },
	{ "", "${1:-d}", "d", 0 },
	/* Ours on purpose: yq gives "}", "a$X" and "$X" (its lexer). */
	{ "", "${NOPE:-${X}}", "1", 0 },
	{ "", "${NOPE:-a$X}", "a1", 0 },
	{ "", "${NOPE:-${NOPE2:-${NOPE3:-deep}}}", "deep", 0 },
	{ "", "${X:-${NOPE}x}", "1", 0 },
	{ "", "${NOPE:-$X$X}", "11", 0 },
	/* Ours on purpose: yq reads $Xé as the variable Xé. */
	{ "", "$Xé", "1é", 0 },
	{ "", "${X", NULL, LC_EDATA },
	{ "", "${", NULL, LC_EDATA },
	{ "", "${NOPE:-a\nb}", NULL, LC_EDATA },
	{ "", "${NOPE:-abc", NULL, LC_EDATA },
	{ "", "${X:}", NULL, LC_EDATA },
	/* Ours on purpose: yq ignores what follows the name ("1"). */
	{ "", "${X:?required}", NULL, LC_EDATA },
	{ "", "${X%1}", NULL, LC_EDATA },
	{ "", "${X:1:2}", NULL, LC_EDATA },
	{ "", "${X!}", NULL, LC_EDATA },
	{ "nu", "${X} $X", "1 1", 0 },
	{ "nu", "$NOPE", NULL, LC_EUSAGE },
	{ "nu", "[${NOPE}]", NULL, LC_EUSAGE },
	{ "nu", "${NOPE:-d}", "d", 0 },
	{ "nu", "${NOPE:-$NOPE2}", NULL, LC_EUSAGE },
	{ "nu", "${NOPE-$NOPE2}", NULL, LC_EUSAGE },
	{ "nu", "${NOPE+$NOPE2}|${NOPE:+a}", "|", 0 },
	{ "nu", "${X+$NOPE2}", NULL, LC_EUSAGE },
	{ "nu", "${E}", "", 0 },
	{ "nu", "${NOPE:-$X}", "1", 0 },
	{ "nu", "${NOPE:-}", NULL, LC_EUSAGE },
	{ "ne", "$E", NULL, LC_EUSAGE },
	{ "ne", "${E}", NULL, LC_EUSAGE },
	{ "ne", "${NOPE}|${NOPE:-}|${NOPE-}", "||", 0 },
	{ "ne", "${E-d}", NULL, LC_EUSAGE },
	{ "ne", "${E:-d}", "d", 0 },
	{ "ne", "${E:-$E}", NULL, LC_EUSAGE },
	{ "ne", "${X+$E}", NULL, LC_EUSAGE },
	{ "ne", "[${X}]", "[1]", 0 },
	{ "nu, ne", "$NOPE", NULL, LC_EUSAGE },
	{ "nu ne", "${E}", NULL, LC_EUSAGE },
	{ "ne,ne", "$X", "1", 0 },
	{ " nu", "$X", "1", 0 },
	{ "ff", "${NOPE} ${NOPE2}", " ", 0 },
	{ "nu,ff", "${NOPE} ${NOPE2}", NULL, LC_EUSAGE },
	{ "ne,nu,ff", "${E} ${NOPE}", NULL, LC_EUSAGE },
};

static const char *
lookup(void *arg, const char *name, size_t n, size_t *len)
{
	static const char *env[] = { "X", "1", "E", "", "W", "world" };
	size_t i;

	(void)arg;
	for (i = 0; i < sizeof(env) / sizeof(env[0]); i += 2)
		if (strlen(env[i]) == n && memcmp(env[i], name, n) == 0) {
			*len = strlen(env[i + 1]);
			return env[i + 1];
		}
	return NULL;
}

/* One variable BIG of big_len bytes of 'v', for the limits. */
static size_t big_len;
static char *big;

static const char *
lookup_big(void *arg, const char *name, size_t n, size_t *len)
{
	if (n == 3 && memcmp(name, "BIG", 3) == 0) {
		*len = big_len;
		return big;
	}
	return lookup(arg, name, n, len);
}

static int
subst(struct lc_buf *out, const char *flags, const char *in, size_t max,
    lc_yenv_get get)
{
	unsigned f = 0;
	int rc;

	lc_buf_release(out);
	lc_buf_init(out);
	lc_buf_adds(out, "");
	if (*flags && (rc = lc_yaml_env_flags(flags, strlen(flags), &f)) != 0)
		return rc;
	return lc_yaml_env_subst(out, in, strlen(in), f, max, get, NULL);
}

int
main(void)
{
	struct lc_buf out = LC_BUF_INIT, deep = LC_BUF_INIT;
	const char *msg;
	unsigned f;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rc = subst(&out, cases[i].flags, cases[i].in, 1 << 20, lookup);
		if (cases[i].rc != 0) {
			ok(rc == cases[i].rc, "envsubst(%s) '%s' is refused "
			    "(%d, want %d)", cases[i].flags, cases[i].in, rc,
			    cases[i].rc);
			continue;
		}
		ok(rc == 0, "envsubst(%s) '%s' works", cases[i].flags,
		    cases[i].in);
		is_str(out.data, cases[i].want, "envsubst(%s) '%s'",
		    cases[i].flags, cases[i].in);
	}

	/* Messages name the variable and never print a value. */
	subst(&out, "ne", "${E}", 100, lookup);
	msg = lc_error_msg();
	ok(msg && strstr(msg, "'E' is set but empty"), "ne names 'E': %s",
	    msg ? msg : "");
	subst(&out, "nu", "a $NOPE $NOPE2 ${NOPE3} $X", 100, lookup);
	msg = lc_error_msg();
	ok(msg && strstr(msg, "'NOPE' is not set") &&
	    strstr(msg, "and 2 more"), "without ff every variable is "
	    "checked and counted: %s", msg ? msg : "");
	big_len = 100;
	big = malloc(big_len);
	memset(big, 'S', big_len);
	rc = subst(&out, "", "${BIG:?x}", 1000, lookup_big);
	msg = lc_error_msg();
	ok(rc == LC_EDATA && msg && strstr(msg, "'${BIG'") &&
	    !strstr(msg, "SSS"), "an unknown operator names the variable, "
	    "not its value: %s", msg ? msg : "");

	/* A huge value, and a result past the limit, are refused. */
	rc = subst(&out, "", "$BIG", 100, lookup_big);
	ok(rc == 0 && out.len == 100, "a value of exactly the limit fits");
	rc = subst(&out, "", "x$BIG", 100, lookup_big);
	msg = lc_error_msg();
	ok(rc == LC_ERROR && msg && strstr(msg, "longer than 100 bytes") &&
	    !strstr(msg, "SSS"), "one byte past the limit is refused: %s",
	    msg ? msg : "");
	free(big);
	big_len = (size_t)64 << 20;
	big = malloc(big_len);
	memset(big, 'v', big_len);
	rc = subst(&out, "", "$BIG$BIG$BIG", (size_t)100 << 20, lookup_big);
	ok(rc == LC_ERROR, "three 64 MiB values are more than 100 MiB");
	free(big);

	/* Nesting of defaults is bounded, and refused past the bound. */
	for (i = 0; i < LC_YENV_MAXNEST; i++)
		lc_buf_adds(&deep, "${NOPE:-");
	lc_buf_adds(&deep, "x");
	for (i = 0; i < LC_YENV_MAXNEST; i++)
		lc_buf_adds(&deep, "}");
	rc = subst(&out, "", deep.data, 1000, lookup);
	ok(rc == 0 && strcmp(out.data, "x") == 0, "%d nested defaults work",
	    LC_YENV_MAXNEST);
	lc_buf_release(&deep);
	lc_buf_init(&deep);
	for (i = 0; i < 100000; i++)
		lc_buf_adds(&deep, "${NOPE:-");
	rc = subst(&out, "", deep.data, 1000, lookup);
	msg = lc_error_msg();
	ok(rc == LC_ERROR && msg && strstr(msg, "nested more than"),
	    "100000 nested defaults are refused: %s", msg ? msg : "");
	lc_buf_release(&deep);

	/* A long name is cut in the message. */
	lc_buf_init(&deep);
	lc_buf_adds(&deep, "${");
	for (i = 0; i < 100000; i++)
		lc_buf_addc(&deep, 'N');
	rc = subst(&out, "", deep.data, 1000, lookup);
	msg = lc_error_msg();
	ok(rc == LC_EDATA && msg && strlen(msg) < 300, "an unclosed long "
	    "name gives a short message");
	lc_buf_release(&deep);

	/* Flags. */
	ok(lc_yaml_env_flags("nu,ne , ff", 10, &f) == 0 &&
	    f == (LC_YENV_NOUNSET | LC_YENV_NOEMPTY | LC_YENV_FAILFAST),
	    "flags in any spacing");
	ok(lc_yaml_env_flags("nu;ne", 5, &f) == LC_EUSAGE,
	    "';' is no separator");
	ok(lc_yaml_env_flags("x", 1, &f) == LC_EUSAGE, "unknown flag");
	ok(lc_yaml_env_flags(" , ", 3, &f) == LC_EUSAGE, "no flag at all");
	ok(lc_yaml_env_flags("nuu", 3, &f) == LC_EUSAGE, "no prefix matching");
	lc_buf_release(&out);
	return done_testing();
}
