#!/bin/bash
# layout.sh: the rules of the README's layout section, checked mechanically:
# only cli*.c print or exit in libcommon; no include or call cycle among its
# modules and the layers buf < error < log < ci < cli; each exported symbol
# lc_<module>_... is defined in libcommon/<module>*.c; commands include no
# git, YAML, HTTP or jq library. Known violations, each with the part that
# removes it, are listed in tests/data/layout-exceptions. Each check is
# then shown to catch a violation planted in a small tree of its own.
. "$(dirname "$0")/../lib/cli.sh"

EXCEPTIONS=$TOP/tests/data/layout-exceptions
CHECKS="print cycle layer prefix include"
plan 13

# violations TOP OBJDIR: one "check file detail" line per violation found in
# the tree at TOP, whose libcommon objects are in OBJDIR.
violations() {
	python3 - "$1" "$2" <<'EOF'
import os, re, subprocess, sys

top, objdir = sys.argv[1], sys.argv[2]
lib = os.path.join(top, "libcommon")
CORE = ["buf", "error", "log", "ci", "cli"]
out = set()

def read(p):
    with open(p, encoding="utf-8", errors="replace") as f:
        return f.read()

def code_only(text):
    """text without comments, string and character literals."""
    pat = re.compile(r'/\*.*?\*/|//[^\n]*|"(?:\\.|[^"\\\n])*"|'
                     r"'(?:\\.|[^'\\\n])*'", re.S)
    return pat.sub(lambda m: " " if m.group(0)[0] == "/" else '""', text)

files = sorted(f for f in os.listdir(lib) if f.endswith((".c", ".h")))
stems_c = sorted({f[:-2] for f in files if f.endswith(".c")})
heads = sorted({f[:-2] for f in files if f.endswith(".h") and
                not f.endswith("_int.h")})

def module(stem):
    """A file's module: the longest header stem H with stem H or H_*."""
    if stem.endswith("_int"):
        stem = stem[:-4]
    best = None
    for h in heads:
        if (stem == h or stem.startswith(h + "_")) and \
                (best is None or len(h) > len(best)):
            best = h
    return best or stem

# (a) only cli*.c print or exit
PRINT = [r"\bprintf\s*\(", r"\bvprintf\s*\(", r"\bputs\s*\(",
         r"\bputchar\s*\(", r"\bstdout\b", r"\bexit\s*\("]
for f in files:
    if not f.endswith(".c") or f.startswith("cli"):
        continue
    body = code_only(read(os.path.join(lib, f)))
    for p in PRINT:
        for m in re.finditer(p, body):
            out.add("print libcommon/%s %s" % (f, re.sub(r"\W", "", m.group(0))))

# (b) includes: file graph and module graph, and the core layers
inc = {}
for f in files:
    inc[f] = [h for h in re.findall(r'^[ \t]*#[ \t]*include[ \t]*"([^"/]+)"',
                                    read(os.path.join(lib, f)), re.M)
              if os.path.exists(os.path.join(lib, h))]

def cycles(graph):
    """Strongly connected components of more than one node (Tarjan)."""
    index, low, stack, on, res, n = {}, {}, [], set(), [], [0]
    def visit(v):
        index[v] = low[v] = n[0]; n[0] += 1
        stack.append(v); on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w); low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop(); on.discard(w); comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                res.append(sorted(comp))
    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return res

fgraph = {f: set(inc[f]) for f in files}
for c in cycles(fgraph):
    out.add("cycle files %s" % ",".join(c))
mgraph = {}
for f in files:
    a = module(f[:-2])
    for h in inc[f]:
        b = module(h[:-2])
        if a != b:
            mgraph.setdefault(a, set()).add(b)
for c in cycles(mgraph):
    out.add("cycle includes %s" % ",".join(c))

# calls, from the objects: who uses a symbol another object defines
defs, undefs = {}, {}
for o in sorted(os.listdir(objdir)) if os.path.isdir(objdir) else []:
    if not o.endswith(".o"):
        continue
    stem = o[:-2]
    if not os.path.exists(os.path.join(lib, stem + ".c")):
        continue        # left by a build of a file since renamed or removed
    nm = subprocess.run(["nm", os.path.join(objdir, o)], capture_output=True,
                        text=True).stdout
    for line in nm.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "TDBRCGSVW":
            defs.setdefault(parts[2], stem)
        elif len(parts) == 2 and parts[0] == "U":
            undefs.setdefault(stem, set()).add(parts[1])
cgraph = {}
for stem, syms in undefs.items():
    for s in syms:
        if s in defs and module(defs[s]) != module(stem):
            cgraph.setdefault(module(stem), set()).add(module(defs[s]))
for c in cycles(cgraph):
    out.add("cycle calls %s" % ",".join(c))

for i, layer in enumerate(CORE):
    allowed = set(CORE[:i + 1]) | {"exitcode"}
    for f in (layer + ".c", layer + ".h"):
        for h in inc.get(f, []):
            if module(h[:-2]) not in allowed:
                out.add("layer libcommon/%s %s" % (f, h))
    for s in sorted(undefs.get(layer, ())):
        if s in defs and module(defs[s]) not in allowed:
            out.add("layer libcommon/%s.c %s" % (layer, s))
# Nothing but cli*.c calls the printing layer.
for stem, syms in undefs.items():
    if stem.startswith("cli"):
        continue
    for s in syms:
        if s in defs and defs[s].startswith("cli"):
            out.add("layer libcommon/%s.c %s" % (stem, s))

# (c) a symbol's prefix names its file: lc_<M>... is in libcommon/<M>*.c,
# M the longest file stem that the name after lc_ is or starts with + "_";
# and it names its module: a symbol of acd_wait_rev.c (module acd_wait,
# the longest header stem of the file) is lc_acd_wait_...
for s, stem in defs.items():
    if s.startswith("__") or "." in s:
        continue        # the compiler's and sanitizers' own (__odr_asan.x)
    rest = s[3:] if s.startswith("lc_") else None
    m = None
    for c in stems_c:
        if rest is not None and (rest == c or rest.startswith(c + "_")) \
                and (m is None or len(c) > len(m)):
            m = c
    mod = module(stem)
    if m is None or not (stem == m or stem.startswith(m + "_")) or \
            not (rest == mod or rest.startswith(mod + "_")):
        out.add("prefix libcommon/%s.c %s" % (stem, s))

# (d) commands talk to libcommon only
cmd = os.path.join(top, "cmd")
for f in sorted(os.listdir(cmd)):
    if f.endswith(".c"):
        for h in re.findall(r'^[ \t]*#[ \t]*include[ \t]*<((?:git2|yaml|jq|'
                            r'curl/[\w.]+)(?:\.h)?)>', read(os.path.join(cmd, f)),
                            re.M):
            out.add("include cmd/%s %s" % (f, h))

for line in sorted(out):
    print(line)
EOF
}

# known: the exceptions, "check file detail" without comments.
known() {
	sed 's/#.*//; s/[[:space:]]*$//' "$EXCEPTIONS" | grep -v '^$' | sort -u
}

objdir=$TOP/obj/$(cat "$TOP/bin/.variant" 2>/dev/null || echo std)/libcommon
begin "the tree: layout checks ran"
run violations "$TOP" "$objdir"
expect_rc 0
[ -d "$objdir" ] || fail "no objects in $objdir (build first)"
cp "$T/out" "$_t_root/found"
end

for check in $CHECKS; do
	begin "$check: no violation beyond tests/data/layout-exceptions"
	grep "^$check " "$_t_root/found" | sort -u >found
	known | grep "^$check " >known
	comm -23 found known >new
	[ -s new ] && fail "new violations: $(tr '\n' ';' <new)"
	# A fixed violation is good news: its exception line can go.
	comm -13 found known | sed 's/^/# no longer seen: /'
	end
done

# plant: a tree of the five layers (with objects) that passes, for the
# planting tests to break one rule each.
plant() {
	mkdir -p "$T/p/libcommon" "$T/p/cmd" "$T/p/obj"
	cd "$T/p/libcommon" || return
	printf '#include "buf.h"\nint lc_buf_x(void) { return 0; }\n' >buf.c
	printf '#include "buf.h"\n#include "error.h"\nint lc_error_x(void) { return lc_buf_x(); }\n' >error.c
	printf '#include "error.h"\n#include "log.h"\nint lc_log_x(void) { return lc_error_x(); }\n' >log.c
	printf '#include "ci.h"\n#include "log.h"\nint lc_ci_x(void) { return lc_log_x(); }\n' >ci.c
	printf '#include <stdio.h>\n#include "ci.h"\n#include "cli.h"\nint lc_cli_x(void) { puts("x"); return lc_ci_x(); }\n' >cli.c
	for m in buf error log ci cli; do
		printf 'int lc_%s_x(void);\n' "$m" >$m.h
	done
	printf '/* x.c: x. */\n#include "error.h"\n#include "x.h"\nint lc_x_y(void) { return lc_error_x(); }\n' >x.c
	printf 'int lc_x_y(void);\n' >x.h
	printf '#include <stdio.h>\n#include "cli.h"\nint main(void) { return lc_cli_x(); }\n' >../cmd/t.c
	cd "$T" || return
}

# compile: the planted tree's objects.
compile() {
	local c
	rm -f "$T/p/obj/"*.o
	for c in "$T/p/libcommon/"*.c; do
		cc -c -iquote "$T/p/libcommon" -o "$T/p/obj/$(basename "${c%.c}").o" "$c" ||
		    fail "cannot compile $c"
	done
}

# expect_planted LINE: the checks find LINE in the planted tree, and
# nothing they did not find before the planting.
expect_planted() {
	compile
	violations "$T/p" "$T/p/obj" >found
	[ "$(cat found)" = "$1" ] || fail "found '$(tr '\n' ';' <found)', expected '$1'"
}

begin "planted: a clean tree of five layers passes"
plant
compile
run violations "$T/p" "$T/p/obj"
expect_rc 0
[ -s out ] && fail "violations in the clean tree: $(tr '\n' ';' <out)"
end

# plant_one WHAT: break one rule in the planted tree.
plant_one() {
	local lib=p/libcommon
	case $1 in
	printf) printf '#include <stdio.h>\nvoid lc_x_say(void) { printf("x\\n"); /* printf( */ }\n' >>$lib/x.c ;;
	exit) printf '#include <stdio.h>\n#include <stdlib.h>\n#include <unistd.h>\nvoid lc_x_end(void) { fflush(stdout); _exit(3); exit(1); }\n' >>$lib/x.c ;;
	include-up) sed -i '1i #include "ci.h"' $lib/error.c ;;
	call-up) printf 'int lc_cli_x(void);\nint lc_log_y(void) { return lc_cli_x(); }\n' >>$lib/log.c ;;
	misnamed) printf 'int lc_buf_z(void) { return 1; }\nint lc_xx(void) { return 2; }\n' >>$lib/x.c ;;
	cmd-includes) sed -i '1i #include <git2.h>\n#include <curl/curl.h>' p/cmd/t.c ;;
	esac
}

# planted NAME WHAT EXPECTED: after plant_one WHAT, the checks find EXPECTED.
planted() {
	begin "planted: $1"
	plant
	plant_one "$2"
	expect_planted "$3"
	end
}

planted "printf in a library module is found" printf \
    "print libcommon/x.c printf"
planted "exit( and stdout in a library module are found, _exit is not" \
    exit "print libcommon/x.c exit
print libcommon/x.c stdout"
planted "a lower layer including a higher one is a cycle and a layer breach" \
    include-up "cycle includes ci,error,log
layer libcommon/error.c ci.h"
planted "a lower layer calling a higher one (declared by hand) is found" \
    call-up "cycle calls ci,cli,log
layer libcommon/log.c lc_cli_x"
planted "a symbol whose prefix names another file is found" misnamed \
    "prefix libcommon/x.c lc_buf_z
prefix libcommon/x.c lc_xx"
planted "a command including a library's header is found" cmd-includes \
    "include cmd/t.c curl/curl.h
include cmd/t.c git2.h"
