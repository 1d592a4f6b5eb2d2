#!/usr/bin/env python3
# yqcase.py: the yq reference corpus: parse tests/data/yq/cases/*.cases, record
# yq's answers into tests/data/yq/expected/*.json (tests/lib/yq-record), and run
# ymlset against the recordings as TAP (tests/cli/ymlset-yq.sh).
# Python 3 standard library only. The case format is in tests/data/yq/README.md.
import difflib
import hashlib
import json
import os
import resource
import shlex
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = os.path.join(HERE, "..", "data", "yq", "cases")
EXPECTED = os.path.join(HERE, "..", "data", "yq", "expected")
PENDING = os.path.join(HERE, "..", "data", "yq", "pending")
DIFFERENCES = os.path.join(HERE, "..", "data", "yq", "differences")
YQ_VERSION = "v4.53.6"
TIMEOUT = 60          # seconds one command may take, then it counts as failed
MAX_OUT = 1 << 20     # bytes of stdout kept from one command
FSIZE_LIMIT = 64 << 20  # bytes a command may write to one file
MAX_LINES = 10000     # lines in one case file block
# The environment each command sees: nothing of the caller's, so yq and
# ymlset read the same $ENV; the sanitizers' settings pass through.
BASE_ENV = {"PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8", "HOME": "/nonexistent"}
PASS_ENV = ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS", "MSAN_OPTIONS")


class CaseError(Exception):
    pass


def parse_file(path):
    """Return the cases of one .cases file as a list of dicts, in order."""
    group = os.path.basename(path)[:-len(".cases")]
    cases = []
    cur = None
    block = None            # ("expr", None) or ("in", filename)
    lines = []

    def close_block():
        nonlocal block, lines
        if block is None:
            return
        while lines and lines[-1].strip() == "":
            lines.pop()
        text = "".join(l + "\n" for l in lines)
        if block[0] == "expr":
            cur["expr"] = text.rstrip("\n")
        else:
            cur["inputs"].append([block[1], text])
        block = None
        lines = []

    with open(path, encoding="utf-8") as f:
        for lineno, raw in enumerate(f, 1):
            line = raw.rstrip("\n")
            where = "%s:%d" % (path, lineno)
            if block is not None and not line.startswith("%"):
                if len(lines) >= MAX_LINES:
                    raise CaseError("%s: block longer than %d lines" % (where, MAX_LINES))
                lines.append(line)
                continue
            if line.startswith("%%"):
                if block is None:
                    raise CaseError("%s: %%%% outside a block" % where)
                lines.append(line[1:])
                continue
            if not line.startswith("%"):
                if line.strip() == "" or line.startswith("#"):
                    continue
                raise CaseError("%s: text outside a block: %r" % (where, line))
            close_block()
            word, _, rest = line[1:].partition(" ")
            rest = rest.strip()
            if word == "case":
                if not rest or "/" in rest or " " in rest:
                    raise CaseError("%s: %%case needs one name without '/' or spaces" % where)
                if any(c["name"] == rest for c in cases):
                    raise CaseError("%s: case %s named twice" % (where, rest))
                cur = {"group": group, "name": rest, "id": group + "/" + rest,
                       "cmd": [], "flags": [], "env": [], "expr": None,
                       "inputs": [], "argv": None, "changed": None, "where": where}
                cases.append(cur)
                continue
            if cur is None:
                raise CaseError("%s: %%%s before the first %%case" % (where, word))
            if word == "expr":
                if rest:
                    cur["expr"] = rest
                else:
                    block = ("expr", None)
            elif word == "in":
                name = rest or "%s.yaml" % "abcdefgh"[min(len(cur["inputs"]), 7)]
                if name.startswith("/") or ".." in name.split("/"):
                    raise CaseError("%s: input path must stay in the case directory" % where)
                if any(n == name for n, _ in cur["inputs"]):
                    raise CaseError("%s: two inputs named %s" % (where, name))
                block = ("in", name)
            elif word in ("cmd", "flags", "argv"):
                cur[word] = shlex.split(rest)
            elif word == "env":
                k, eq, v = rest.partition("=")
                if not eq or not k:
                    raise CaseError("%s: %%env NAME=VALUE" % where)
                cur["env"].append([k, v])
            elif word == "changed-lines":
                if not rest.isdigit():
                    raise CaseError("%s: %%changed-lines N" % where)
                cur["changed"] = int(rest)
            elif word == "note":
                pass
            else:
                raise CaseError("%s: unknown directive %%%s" % (where, word))
        close_block()
    for c in cases:
        if c["expr"] is None:
            raise CaseError("%s: case %s has no %%expr" % (c["where"], c["name"]))
        words = (c["argv"] or []) + c["flags"]
        inplace = "-i" in words or "--inplace" in words
        if inplace and c["argv"] is None:
            raise CaseError("%s: an in-place case is written with %%argv" % c["where"])
        if c["changed"] is not None and not inplace:
            raise CaseError("%s: %%changed-lines is for in-place cases" % c["where"])
        key = json.dumps([c["cmd"], c["flags"], c["env"], c["expr"], c["inputs"], c["argv"]])
        c["key"] = hashlib.sha256(key.encode()).hexdigest()[:16]
    return cases


def load_cases(only=None):
    groups = []
    for fn in sorted(os.listdir(CASES)):
        if fn.endswith(".cases"):
            cs = parse_file(os.path.join(CASES, fn))
            if only:
                cs = [c for c in cs if any(o == c["group"] or o == c["id"] for o in only)]
            if cs:
                groups.append((fn[:-len(".cases")], cs))
    return groups


def argv_of(case, prog):
    """The command line and whether it edits in place (compare files then)."""
    files = [name for name, _ in case["inputs"]]
    if case["argv"] is not None:
        out = []
        for w in case["argv"]:
            if w == "EXPR":
                out.append(case["expr"])
            elif w == "FILES":
                out.extend(files)
            else:
                out.append(w)
        inplace = "-i" in out or "--inplace" in out
        return [prog] + out, inplace
    return [prog] + case["cmd"] + ["-o", "json", "-I0"] + case["flags"] + \
        [case["expr"]] + files, False


def run_case(case, prog):
    """Run one case in a fresh directory; return its observed result."""
    d = tempfile.mkdtemp(prefix="yqcase.")
    try:
        for name, text in case["inputs"]:
            p = os.path.join(d, name)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, "w", encoding="utf-8") as f:
                f.write(text)
        env = dict(BASE_ENV)
        for k in PASS_ENV:
            if k in os.environ:
                env[k] = os.environ[k]
        env.update(dict(case["env"]))
        argv, inplace = argv_of(case, prog)
        res = execute(argv, d, env)
        if inplace:
            res["after"] = {}
            res["text"] = {}
            for name, _ in case["inputs"]:
                with open(os.path.join(d, name), encoding="utf-8", errors="replace") as f:
                    res["text"][name] = f.read(MAX_OUT)
                r = execute([prog, "-o", "json", "-I0", ".", name], d, env)
                res["after"][name] = r["out"] if r["rc"] == 0 else ["<unreadable: exit %d>" % r["rc"]]
        return res
    finally:
        shutil.rmtree(d, ignore_errors=True)


def limit_output():
    # A runaway command stops at the size limit (SIGXFSZ), not at a full disk.
    resource.setrlimit(resource.RLIMIT_FSIZE, (FSIZE_LIMIT, FSIZE_LIMIT))


def execute(argv, cwd, env):
    """Run argv; its stdout and stderr go to files, of which MAX_OUT is read."""
    with tempfile.TemporaryFile() as fo, tempfile.TemporaryFile() as fe:
        try:
            p = subprocess.run(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                               stdout=fo, stderr=fe, timeout=TIMEOUT,
                               preexec_fn=limit_output)
            rc = p.returncode
        except subprocess.TimeoutExpired:
            return {"rc": -1, "out": [], "err": "timed out after %d s" % TIMEOUT}
        except OSError as e:
            return {"rc": -1, "out": [], "err": "cannot run %s: %s" % (argv[0], e.strerror)}
        fo.seek(0)
        fe.seek(0)
        out = fo.read(MAX_OUT).decode("utf-8", "replace")
        err = fe.read(MAX_OUT).decode("utf-8", "replace").strip().split("\n")[0][:300]
    return {"rc": rc, "out": out.split("\n")[:-1] if out else [], "err": err}


def outcome(case, rec):
    """ok (exit 0), no (-e and the answer is false, null or nothing) or error.

    yq exits 1 for both an error and a no under -e (saying "no matches
    found" for the latter); ymlset exits 1 only for the no."""
    if rec["rc"] == 0:
        return "ok"
    words = case["flags"] + (case["argv"] or [])
    if rec["rc"] == 1 and ("-e" in words or "--exit-status" in words) and \
            (rec["err"] == "" or rec["err"] == "Error: no matches found" or rec.get("who") != "yq"):
        return "no"
    return "error"


def datum(line):
    """One output line as data: JSON if it parses (key order kept), else text."""
    try:
        return ("json", norm(json.loads(line, object_pairs_hook=lambda kv: ("map", kv))))
    except (ValueError, RecursionError):
        return ("text", line)


def norm(v):
    # Types kept apart (true is not 1); 1 and 1.0 are one number.
    if isinstance(v, tuple):
        return ("map", tuple((k, norm(x)) for k, x in v[1]))
    if isinstance(v, list):
        return ("seq", tuple(norm(x) for x in v))
    if isinstance(v, bool):
        return ("bool", v)
    if isinstance(v, (int, float)):
        return ("num", float(v) if isinstance(v, float) or abs(v) < 2**53 else v)
    return (type(v).__name__, v)


def frame_works(prog):
    """Whether prog takes the command line the cases are written in.

    A refusal counts only from a program that could have answered: if
    `eval -o json -I0` is itself a usage error, every error case would
    pass for the wrong reason."""
    probe = {"inputs": [["a.yaml", "a: 1\n"]], "env": [], "argv": ["eval", "-o", "json", "-I0", "EXPR", "FILES"],
             "expr": ".", "cmd": [], "flags": []}
    r = run_case(probe, prog)
    return r["rc"] == 0 and [datum(l) for l in r["out"]] == [datum('{"a":1}')]


def compare(case, want, got, frame=True):
    """None if got matches want, else a one-line reason."""
    wo, go = outcome(case, want), outcome(case, got)
    if wo == "error":
        if got["rc"] in (0, 1) or got["rc"] < 0:
            return "yq refuses this (exit %d: %s); ymlset exited %d" % (
                want["rc"], want["err"], got["rc"])
        if not frame:
            return "yq refuses this; ymlset refuses `eval -o json -I0` itself (%s)" % got["err"]
        return None
    if wo != go:
        return "exit %d, expected %s (yq exit %d); stderr: %s" % (
            got["rc"], "0" if wo == "ok" else "1", want["rc"], got["err"])
    if case["argv"] is not None and "-o" not in case["argv"]:
        if got["out"] != want["out"]:
            return "stdout %r, expected %r" % (got["out"][:5], want["out"][:5])
    elif [datum(l) for l in got["out"]] != [datum(l) for l in want["out"]]:
        return "stdout %s, expected %s" % (show(got["out"]), show(want["out"]))
    for name, lines in want.get("after", {}).items():
        g = got.get("after", {}).get(name, [])
        if [datum(l) for l in g] != [datum(l) for l in lines]:
            return "%s afterwards %s, expected %s" % (name, show(g), show(lines))
    if case["changed"] is not None:
        for name, text in case["inputs"]:
            n = changed_lines(text, got.get("text", {}).get(name, ""))
            if n != case["changed"]:
                return "%s: the edit replaced or deleted %d lines of the input, not %d" % (
                    name, n, case["changed"])
    return None


def changed_lines(old, new):
    """How many lines of old are not kept verbatim in new."""
    a, b = old.splitlines(True), new.splitlines(True)
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return sum(i2 - i1 for op, i1, i2, _, _ in sm.get_opcodes() if op in ("replace", "delete"))


def show(lines):
    s = " | ".join(lines)
    return repr(s if len(s) < 200 else s[:200] + "...")


def cmd_record(yq):
    v = subprocess.run([yq, "--version"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    text = v.stdout.decode("utf-8", "replace").strip()
    if not text.endswith(YQ_VERSION):
        sys.exit("record: %s says %r; the expectations are yq %s's: set YQ to that binary" %
                 (yq, text, YQ_VERSION))
    os.makedirs(EXPECTED, exist_ok=True)
    n = 0
    for group, cases in load_cases():
        rec = {}
        for c in cases:
            r = run_case(c, yq)
            r.pop("text", None)   # yq's layout: not an expectation
            r["key"] = c["key"]
            r["who"] = "yq"
            rec[c["name"]] = r
            n += 1
        with open(os.path.join(EXPECTED, group + ".json"), "w", encoding="utf-8") as f:
            f.write("{\n")
            items = list(rec.items())
            for i, (name, r) in enumerate(items):
                f.write("%s: %s%s\n" % (json.dumps(name), json.dumps(r, ensure_ascii=False),
                                         "," if i + 1 < len(items) else ""))
            f.write("}\n")
    for fn in os.listdir(EXPECTED):
        if fn.endswith(".json") and not os.path.exists(os.path.join(CASES, fn[:-5] + ".cases")):
            os.unlink(os.path.join(EXPECTED, fn))
    print("recorded %d cases with %s" % (n, text))


def read_list(path):
    """group/name lines of path (text after the name is kept as a reason)."""
    out = {}
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.split("#", 1)[0].strip()
                if line:
                    name, _, why = line.partition(" ")
                    out[name] = why.strip()
    return out


def cmd_run(prog, only, write_pending):
    groups = load_cases(only)
    pending = read_list(PENDING)
    differs = read_list(DIFFERENCES)
    known = {c["id"] for _, cs in groups for c in cs}
    stale = [] if only else sorted(
        [("pending", p) for p in pending if p not in known] +
        [("differences", p) for p in differs if p not in known or not differs[p]])
    total = sum(len(cs) for _, cs in groups)
    print("1..%d" % (total + len(stale)))
    n = 0
    failing = []
    summary = []
    verbose = os.environ.get("YQCASE_VERBOSE") == "1"
    frame = frame_works(prog)
    if not frame:
        print("# %s does not take `eval -o json -I0 . FILE` yet: error cases cannot pass" % prog)
    for group, cases in groups:
        try:
            with open(os.path.join(EXPECTED, group + ".json"), encoding="utf-8") as f:
                expected = json.load(f)
        except (OSError, ValueError):
            expected = {}
        counts = {"pass": 0, "pending": 0, "fail": 0, "todo-pass": 0, "differs": 0}
        for c in cases:
            n += 1
            if differs.get(c["id"]):
                counts["differs"] += 1
                print("ok %d - %s # SKIP differs from yq on purpose: %s" % (n, c["id"], differs[c["id"]]))
                continue
            want = expected.get(c["name"])
            if want is None or want.get("key") != c["key"]:
                why = "no recording of this case as written: run YQ=/path/to/yq tests/lib/yq-record"
            else:
                why = compare(c, want, run_case(c, prog), frame)
            if why:
                failing.append(c["id"])
            if c["id"] in pending:
                if why:
                    counts["pending"] += 1
                    print("not ok %d - %s # TODO pending" % (n, c["id"]))
                    if verbose:
                        print("#   %s" % why)
                else:
                    counts["todo-pass"] += 1
                    print("ok %d - %s # TODO passes now: take it out of tests/data/yq/pending" % (n, c["id"]))
            elif why:
                counts["fail"] += 1
                print("not ok %d - %s" % (n, c["id"]))
                print("#   %s (%s)" % (why, c["where"]))
            else:
                counts["pass"] += 1
                print("ok %d - %s" % (n, c["id"]))
            sys.stdout.flush()
        summary.append((group, counts))
    for which, name in stale:
        n += 1
        print("not ok %d - tests/data/yq/%s: %s %s" % (n, which, name,
              "is no case" if name not in known else "needs a reason after the name"))
    print("# yq corpus: group              pass pending   fail differs")
    tot = [0, 0, 0, 0]
    for group, k in summary:
        row = [k["pass"] + k["todo-pass"], k["pending"], k["fail"], k["differs"]]
        print("#   %-24s %6d %7d %6d %7d%s" % tuple([group] + row + [
              "  (%d pending pass now)" % k["todo-pass"] if k["todo-pass"] else ""]))
        tot = [a + b for a, b in zip(tot, row)]
    print("#   %-24s %6d %7d %6d %7d" % tuple(["total"] + tot))
    if write_pending:
        with open(write_pending, "w", encoding="utf-8") as f:
            f.write("# Cases of tests/data/yq/cases that ymlset does not pass yet (generated by\n"
                    "# tests/lib/yqcase.py run --write-pending); the runner marks them TODO.\n")
            for i in failing:
                f.write(i + "\n")
    return 0


def program(p):
    """An absolute path to p (the cases run in their own directories)."""
    if "/" not in p:
        p = shutil.which(p) or p
    return os.path.abspath(p)


def main(argv):
    if len(argv) >= 2 and argv[0] == "record":
        cmd_record(program(argv[1]))
        return 0
    if len(argv) >= 2 and argv[0] == "run":
        prog, rest, wp = program(argv[1]), argv[2:], None
        if len(rest) >= 2 and rest[0] == "--write-pending":
            wp, rest = rest[1], rest[2:]
        return cmd_run(prog, rest, wp)
    if argv and argv[0] == "list":
        for _, cs in load_cases(argv[1:]):
            for c in cs:
                print(c["id"], shlex.join(argv_of(c, "ymlset")[0]))
        return 0
    sys.stderr.write("usage: yqcase.py record YQ | run PROG [--write-pending FILE] [GROUP|CASE...] | list [GROUP...]\n")
    return 2


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except CaseError as e:
        sys.exit("yqcase.py: %s" % e)
