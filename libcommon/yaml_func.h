/* yaml_func.h: yq v4's value functions and operators on lc_ylit values. */
#ifndef LC_YAML_FUNC_H
#define LC_YAML_FUNC_H

#include <stddef.h>

#include "yaml_edit.h"

/*
 * Pure functions: each takes lc_ylit values (yaml_edit.h) and makes new
 * ones, with the meaning yq v4.53.6 gives them. Nothing here knows about
 * documents, paths or expressions; the evaluator (yaml_expr_*.c) calls these
 * with the values it has and owns everything they return.
 *
 * Memory: every value returned is allocated with mem->alloc(mem->arg, n),
 * which must return memory aligned for any type, or NULL (then the
 * function returns LC_ENOMEM). Nothing is freed here: the caller's arena
 * owns it all, results and scratch alike. Results may share parts of the
 * inputs (kids arrays, strings), so inputs must live as long as results.
 *
 * Numbers: an LC_YL_NUM is an int when its text is one in yq's reading
 * ([-+]digits, 0x hex, 0o octal, in int64 range), else a float. Ints add,
 * subtract and multiply as Go's int64 (wrapping), keeping the left
 * operand's 0x form; anything with a float is a float printed as Go's
 * strconv 'g' shortest form (1.5 + 1 = 2.5, 1.0 + 1 = 2, 1e20 + 0 = 1e+20,
 * +Inf, NaN). yq tags a float result !!float even when it prints "2"; a
 * value here has no tag, so a JSON writer sees "2".
 *
 * Errors: 0, or a negative LC_E* code with the message set (error.h):
 *   LC_EDATA   a value of the wrong kind ("cannot trim !!int, ..."), in
 *              yq's words without its path
 *   LC_EUSAGE  a bad argument: a regular expression that does not parse
 *              as Go's RE2 syntax, unknown regex flags, a negative repeat
 *   LC_ERROR   a limit: nesting deeper than LC_YFN_MAXDEPTH, a string
 *              longer than LC_YFN_MAXSTR, a regex that backtracks too much
 *   LC_ENOMEM  mem->alloc returned NULL
 * Nothing aborts or prints.
 */

/* Nesting deeper than this is refused (the functions recurse). */
#define LC_YFN_MAXDEPTH	1000
/* A string result longer than this is refused ("x" * 1e12). */
#define LC_YFN_MAXSTR	((size_t)64 << 20)

struct lc_yfn_mem {
	void *(*alloc)(void *arg, size_t n);
	void *arg;
};

/*
 * Whether name (namelen bytes) with nargs arguments is a function
 * lc_yaml_func_call knows: 1 yes, 0 no such name, -1 the name exists with
 * another number of arguments (the message says how many it takes).
 */
int lc_yaml_func_known(const char *name, size_t namelen, size_t nargs);

/*
 * Apply function name to input with args (already evaluated, one value
 * each). The results, usually one, are (*out)[0..*nout): *out points to
 * *nout values side by side (from mem, or parts of the input); min, max
 * and first of an empty sequence give none, match with "g" any number.
 *
 * Strings: upcase downcase (Unicode simple case mapping) ascii_upcase
 * ascii_downcase trim ltrim rtrim to_string tostring to_number
 * split(sep) join(sep) test(re[; flags]) match(re[; flags]) capture(re
 * [; flags]) sub(re; repl[; flags]). Collections: length keys has(k)
 * sort unique reverse flatten[(depth)] to_entries from_entries
 * contains(v) add first min max. sort_keys(f) takes a path, so it is the
 * evaluator's: it calls lc_yaml_func_sort_keys on what f gives.
 *
 * Not in yq v4.53.6, kept for jq's users: ascii_upcase ascii_downcase
 * ltrim rtrim add (nulls skipped) first (no argument); yq has first(cond),
 * the evaluator's. Deliberately unlike yq: from_entries with a key twice
 * keeps the last (yq writes the key twice); min, max and < compare 0x10
 * as 16 where yq fails to parse it as a float; sub's third argument takes
 * "g" (sub is global anyway; yq mishandles a third argument).
 *
 * Regular expressions are Go's RE2 syntax, run by PCRE2 with Go's meaning
 * of $, \s and empty matches; what RE2 refuses (look-around,
 * back-references, possessive and atomic groups, verbs) is refused with
 * Go's message (PCRE2's words for the other syntax errors). PCRE2
 * backtracks where Go runs in linear time, so a pattern that backtracks
 * past the limits is LC_ERROR here. Flags: "g" (all matches); yq refuses
 * others, and so do we.
 */
int lc_yaml_func_call(const char *name, size_t namelen,
    const struct lc_ylit *input, const struct lc_ylit *args, size_t nargs,
    struct lc_yfn_mem *mem, const struct lc_ylit **out, size_t *nout);

/* yq's a + b: numbers add, strings and scalars concatenate, sequences
 * concatenate (a scalar or map on the right is appended), maps merge one
 * level (b's keys win, in a's order, new ones after), null + x = x. */
int lc_yaml_func_add(struct lc_yfn_mem *mem, const struct lc_ylit *a,
    const struct lc_ylit *b, const struct lc_ylit **out);

/* yq's a - b: numbers, and sequences less every item equal to one of b's
 * (deep equality); null - x = x. */
int lc_yaml_func_sub(struct lc_yfn_mem *mem, const struct lc_ylit *a,
    const struct lc_ylit *b, const struct lc_ylit **out);

/* Merge flags of yq's *: *+ *d *? *n *c, combinable (*+?). */
#define LC_YFN_MAPPEND	0x01	/* '+': sequences are concatenated */
#define LC_YFN_MDEEP	0x02	/* 'd': sequences merge item by item */
#define LC_YFN_MEXIST	0x04	/* '?': only keys a already has */
#define LC_YFN_MNEW	0x08	/* 'n': only keys a does not have */
#define LC_YFN_MCLOBBER	0x10	/* 'c': custom tags; values carry none */

/* Parse the flag characters after '*' (n bytes); LC_EUSAGE on others. */
int lc_yaml_func_merge_flags(const char *s, size_t n, unsigned *flags);

/*
 * yq's a * b: maps deep-merge (b wins on scalars; sequences are replaced,
 * or concatenated with MAPPEND, or merged by index with MDEEP), sequences
 * likewise, null * collection = the collection, numbers multiply, a string
 * times an int repeats it (either side). The merge is yq's walk of b,
 * parents first, applying each node at its path in a, with its quirks:
 * MAPPEND with MDEEP appends and then merges b's items into a's old ones
 * ([1, 2] *+d [3] is [3, 2, 3]); MNEW writes only where a's value is null
 * or missing (appends too); MEXIST creates no key, but does create an
 * index past the end; where the kinds differ a map or (MDEEP) sequence of
 * b turns a's value into an empty one of its kind first, unless MNEW
 * keeps it (then b's indexes become keys "0".. of a map, nothing is
 * written into a scalar, and a key into a sequence is LC_EDATA).
 */
int lc_yaml_func_mul(struct lc_yfn_mem *mem, const struct lc_ylit *a,
    const struct lc_ylit *b, unsigned flags, const struct lc_ylit **out);

/* yq's ==: scalars by their text (1 == 1.0 is false, "1" == 1 true), null
 * only equals null, collections never equal anything (yq 4.53.6). */
int lc_yaml_func_equal(const struct lc_ylit *a, const struct lc_ylit *b);

/* Structural equality (unique, -, contains use it); scalars by text.
 * Values nested deeper than LC_YFN_MAXDEPTH compare unequal (the
 * functions above refuse them first). */
int lc_yaml_func_deep_equal(const struct lc_ylit *a, const struct lc_ylit *b);

/*
 * yq's < <= > >= : op is one of "<", "<=", ">", ">=". Ints as ints, any
 * float as floats, strings bytewise, null is false against anything but
 * null with <=/>=; collections and bools are LC_EDATA. *res gets 0 or 1.
 * (Date-time strings, which yq compares as times, compare as strings.)
 */
int lc_yaml_func_compare(const struct lc_ylit *a, const struct lc_ylit *b,
    const char *op, int *res);

/*
 * sort's order: null < false < true < the rest, where two numbers compare
 * as numbers and anything else by text (a collection's text is empty, so
 * collections come first). Returns <0, 0 or >0.
 */
int lc_yaml_func_sort_cmp(const struct lc_ylit *a, const struct lc_ylit *b);

/*
 * The cores of the higher-order functions: the evaluator computes keys[i]
 * for item i (the first value f gives, or null) and these order them.
 * sort_by: order[0..n) gets the item indexes in a stable sort by keys
 * (lc_yaml_func_sort_cmp). unique_by: keep[0..*nkeep) gets the index of the
 * first item of each distinct key, in order. group_by: group[i] gets the
 * group of item i, groups numbered from 0 by first appearance (yq keeps
 * that order and the items' order in each), *ngroups their count. Keys
 * are the same when their text is (2 and "2" are one key, as in yq);
 * collections are the same for unique_by when deeply equal, and for
 * group_by always (yq groups by a node's text, empty for collections).
 * The arrays are the caller's, n long. LC_ENOMEM, or LC_ERROR for keys
 * nested deeper than LC_YFN_MAXDEPTH.
 */
int lc_yaml_func_sort_order(struct lc_yfn_mem *mem, const struct lc_ylit *keys,
    size_t n, size_t *order);
int lc_yaml_func_unique_keep(struct lc_yfn_mem *mem, const struct lc_ylit *keys,
    size_t n, size_t *keep, size_t *nkeep);
int lc_yaml_func_group(struct lc_yfn_mem *mem, const struct lc_ylit *keys,
    size_t n, size_t *group, size_t *ngroups);

/* sort_keys: the map v with its keys sorted by text (stable), and every
 * map inside too when recursive (sort_keys(..)); other values as they are. */
int lc_yaml_func_sort_keys(struct lc_yfn_mem *mem, const struct lc_ylit *v,
    int recursive, const struct lc_ylit **out);

/* yq's name of v's type for messages: "!!int", "!!map", ... */
const char *lc_yaml_func_tag(const struct lc_ylit *v);

/* Free the compiled regular expressions kept between calls. */
void lc_yaml_func_cleanup(void);

#endif
