/* yaml_env.h: yq's envsubst: $NAME and ${NAME...} in a string, from a lookup. */
#ifndef LC_YAML_ENV_H
#define LC_YAML_ENV_H

#include <stddef.h>

#include "buf.h"

/*
 * The forms are those yq v4.53.6 substitutes (through a8m/envsubst), with
 * the meaning it gives them:
 *
 *	$NAME  ${NAME}    the value; unset is empty
 *	${NAME-word}      word if NAME is unset    (${NAME=word} alike)
 *	${NAME:-word}     word if NAME is unset or empty    (${NAME:=word})
 *	${NAME+word}      word if NAME is set, even empty (${NAME:+word} alike)
 *	$$                a literal $
 *
 * NAME is ASCII letters, digits and '_' ("$1" is the variable 1), except a
 * lone "_": "$_" and "${_}" are kept as text, as yq keeps them. A '$' not
 * starting one of these (before a blank, at the end, "${}", "${{ x }}") is
 * text. A word is text with the same forms inside, nested up to
 * LC_YENV_MAXNEST; an empty word means ${NAME}. Nothing is assigned by
 * "=". A "${NAME" must close with '}' on its line.
 *
 * Deliberately unlike yq (whose lexer gets these wrong): a nested
 * ${NAME:-${OTHER}} gives OTHER's value (yq leaves a stray '}'), "${A:-x$B}"
 * substitutes B (yq keeps "$B"), and any other operator after the name
 * (${NAME:?msg}, ${NAME%x}, ${NAME:1}, ${#NAME}) is refused instead of
 * ignored; non-ASCII letters end a name (yq reads "$Xé" as the variable Xé).
 */

#define LC_YENV_NOUNSET		0x01	/* nu: an unset variable is an error */
#define LC_YENV_NOEMPTY		0x02	/* ne: a set but empty one is too */
#define LC_YENV_FAILFAST	0x04	/* ff: stop at the first such error */

/* ${A:-${B:-...}} nested deeper than this is refused. */
#define LC_YENV_MAXNEST		64

/*
 * The value of variable name (n bytes, not NUL-terminated) and its length
 * in *len, or NULL when it is unset. The value must live until
 * lc_yaml_env_subst returns.
 */
typedef const char *(*lc_yenv_get)(void *arg, const char *name, size_t n,
    size_t *len);

/*
 * Parse envsubst's flags (s, n bytes, e.g. "nu, ff"): the words nu, ne
 * and ff in any order, separated by blanks or commas, at least one. Sets
 * *flags (LC_YENV_*). LC_EUSAGE for anything else.
 */
int lc_yaml_env_flags(const char *s, size_t n, unsigned *flags);

/*
 * Append s (n bytes) with its variables substituted to out, looking them
 * up with get(arg, ...). A result longer than max bytes is refused.
 *
 * Errors, with the message set; what was appended to out is then partial:
 *   LC_EUSAGE  with nu, a variable is unset; with ne, one is empty (the
 *              message names the variable, never a value; without ff
 *              every variable is checked and the message counts the rest)
 *   LC_EDATA   "${NAME" without its '}', or an operator not listed above
 *   LC_ERROR   the result is over max bytes, or words nest too deep
 */
int lc_yaml_env_subst(struct lc_buf *out, const char *s, size_t n,
    unsigned flags, size_t max, lc_yenv_get get, void *arg);

#endif
