#!/bin/bash
# acd-diff.sh: acd-diff against the Argo CD API simulator
# (tests/lib/argocd-sim.py) on loopback.
. "$(dirname "$0")/../lib/cli.sh"

plan 18

. "$TOP/tests/lib/acd-lib.sh"

# simpost PATH FILE: a control call with FILE as its body (too long for
# an argument).
simpost() {
	python3 - "$P" "$1" "$2" <<'PY'
import sys, urllib.request
port, path, f = sys.argv[1:4]
urllib.request.urlopen(urllib.request.Request(
    "http://127.0.0.1:%s/_sim/%s" % (port, path), data=open(f, "rb").read(),
    method="POST"), timeout=60).read()
PY
}

begin "what a sync would change: a diff per resource, exit 1"
# A Deployment whose image differs (its replicas differ too, but
# ignoreDifferences hides them), a ConfigMap alike, a Service only in git,
# a ConfigMap only live.
app '{"name":"real","managed":"realistic"}'
run acd-diff real
expect_rc 1
cat >"$T/want" <<'OUT'
--- live/real/ConfigMap/test-lla/test-lla-old
+++ /dev/null
@@ -1,12 +0,0 @@
-apiVersion: v1
-data:
-  LEGACY: "true"
-  port: "8080"
-kind: ConfigMap
-metadata:
-  labels:
-    app.kubernetes.io/name: test-lla
-  name: test-lla-old
-  namespace: test-lla
-  resourceVersion: "4711"
-  uid: ee2dc235-8886-5440-b039-8f14d5b9c11f
--- /dev/null
+++ target/real/Service/test-lla/test-lla-canary
@@ -0,0 +1,15 @@
+apiVersion: v1
+kind: Service
+metadata:
+  labels:
+    app.kubernetes.io/name: test-lla
+    tier: edge
+  name: test-lla-canary
+  namespace: test-lla
+spec:
+  ports:
+  - port: 80
+    targetPort: 8080
+  selector:
+    app.kubernetes.io/name: test-lla
+  type: ClusterIP
--- live/real/apps/Deployment/test-lla/test-lla
+++ target/real/apps/Deployment/test-lla/test-lla
@@ -22,7 +22,7 @@
       - args:
         - --listen=:8080
         - --log-level=info
-        image: registry.example.com/myapp:v1.3.0
+        image: registry.example.com/myapp:v1.4.0
         name: app
         ports:
         - containerPort: 8080
OUT
expect_out "$T/want"
expect_no_err
end

begin "an app in sync: no output, exit 0"
app '{"name":"same"}'
run acd-diff same
expect_rc 0
expect_no_out
expect_no_err
end

begin "-o json: one object per changed resource"
run acd-diff -o json real
expect_rc 1
python3 - "$T/out" >"$T/got" <<'PY' || fail "not JSON lines: $(head -c 300 "$T/out")"
import json, sys
for line in open(sys.argv[1]):
    o = json.loads(line)
    img = (o["target"] or {}).get("spec", {}).get("template", {}).get(
        "spec", {}).get("containers", [{}])[0].get("image", "-")
    print(o["app"], o["group"] or "-", o["kind"], o["namespace"], o["name"],
          o["action"], o["live"] is None, o["target"] is None, img,
          o["diff"].splitlines()[0])
PY
cat >"$T/want" <<'OUT'
real - ConfigMap test-lla test-lla-old delete False True - --- live/real/ConfigMap/test-lla/test-lla-old
real - Service test-lla test-lla-canary create True False - --- /dev/null
real apps Deployment test-lla test-lla update False False registry.example.com/myapp:v1.4.0 --- live/real/apps/Deployment/test-lla/test-lla
OUT
cmp -s "$T/got" "$T/want" || fail "$(diff -u "$T/want" "$T/got")"
end

begin "after acd-sync --prune nothing would change"
run acd-sync --prune --timeout 60 real
expect_rc 0
run acd-diff real
expect_rc 0
expect_no_out
end

begin "several apps: each one's diff, exit 1 when any would change"
app '[{"name":"sel-a","labels":{"diff":"x"},"managed":"realistic"},{"name":"sel-b","labels":{"diff":"x"}}]'
run acd-diff -l diff=x
expect_rc 1
grep '^--- \|^+++ ' "$T/out" | grep -v /dev/null | sed 's/ .*\/sel-/ sel-/' | sort -u >"$T/got"
printf '%s\n' "+++ sel-a/Service/test-lla/test-lla-canary" "+++ sel-a/apps/Deployment/test-lla/test-lla" "--- sel-a/ConfigMap/test-lla/test-lla-old" "--- sel-a/apps/Deployment/test-lla/test-lla" | sort >"$T/want"
cmp -s "$T/got" "$T/want" || fail "$(diff -u "$T/want" "$T/got")"
end

begin "the answer for the next job: \$GITHUB_OUTPUT and --dotenv"
: >"$T/gh"
GITHUB_OUTPUT=$T/gh run acd-diff --dotenv "$T/env" -l diff=x
expect_rc 1
printf 'changed=true\nresources=3\n' >"$T/want"
cmp -s "$T/gh" "$T/want" || fail "GITHUB_OUTPUT: $(cat "$T/gh")"
printf 'ACD_DIFF_CHANGED=true\nACD_DIFF_RESOURCES=3\n' >"$T/want"
cmp -s "$T/env" "$T/want" || fail "dotenv: $(cat "$T/env")"
: >"$T/gh"
GITHUB_OUTPUT=$T/gh run acd-diff --dotenv "$T/env2" same
expect_rc 0
printf 'changed=false\nresources=0\n' >"$T/want"
cmp -s "$T/gh" "$T/want" || fail "GITHUB_OUTPUT: $(cat "$T/gh")"
printf 'ACD_DIFF_CHANGED=false\nACD_DIFF_RESOURCES=0\n' >"$T/want"
cmp -s "$T/env2" "$T/want" || fail "dotenv: $(cat "$T/env2")"
# No answer, no output: an app that does not exist.
: >"$T/gh"
GITHUB_OUTPUT=$T/gh run acd-diff --dotenv "$T/env3" nosuchapp
expect_rc 4
[ ! -s "$T/gh" ] && [ ! -e "$T/env3" ] || fail "written without an answer"
end

begin "an app that does not exist: exit 4, the others still shown"
run acd-diff sel-a nope same
expect_rc 4
grep -q '^+++ target/sel-a/apps/Deployment/test-lla/test-lla$' "$T/out" || fail "sel-a not shown"
expect_err "acd-diff: managed resources of 'nope': permission denied (403): the application does not exist"
end

begin "a refused token exits 6; an unreachable server 7; the deadline 124"
run acd-diff --auth-token "a.b.c" same
expect_rc 6
expect_err "acd-diff: managed resources of 'same': invalid session: token signature is invalid (401)"
simctl "$P" config '{"fail":[{"status":503,"count":100,"path":"managed-resources"}]}' >/dev/null
run acd-diff --timeout 60 same
expect_rc 7
expect_err "answers 503 (unavailable)"
simctl "$P" config '{"fail":[],"delay":[{"ms":30000,"count":1,"path":"managed-resources"}]}' >/dev/null
run acd-diff --timeout 1 same
expect_rc 124
simctl "$P" config '{"delay":[]}' >/dev/null
end

begin "--refresh and --hard-refresh refresh first"
run acd-diff --hard-refresh same
expect_rc 0
simctl "$P" requests | python3 -c '
import json, sys
rs = [r for r in json.load(sys.stdin) if "/same" in r["path"]][-2:]
sys.exit(0 if rs[0]["query"].endswith("refresh=hard") and
         rs[1]["path"].endswith("/managed-resources") else 1)' || fail "no hard refresh before the diff"
run acd-diff --refresh same
expect_rc 0
end

begin "YAML as rendered reads back as the same data"
cat >"$T/cm.json" <<'JSON'
{"apiVersion": "v1", "kind": "ConfigMap",
 "metadata": {"name": "odd", "namespace": "ns",
              "annotations": {"1": "one", "yes": "y", "a b": "c", "-x": "d", "k:": "e"}},
 "data": {"t": "true", "y": "yes", "Y": "Yes", "n": "NO", "v": "1.10", "h": "0x1F", "o": "0o17",
          "e": "", "sp": " lead", "tr": "trail ", "c": "a: b", "hash": "#x", "h2": "a #b",
          "dash": "- x", "d2": "-", "d3": "--flag=:8080", "ml": "multi\nline\n", "bl": "multi\n\nblank\n",
          "nn": "no-trailing\nnewline", "m2": "two\n\n", "lead": " x\ny\n", "tab": "tab\there",
          "ctl": "ctrl\u0001", "u": "\u00fcmlaut", "inf": ".inf", "ninf": "-.Inf", "nan": ".NaN",
          "tilde": "~", "null": "null", "at": "@at", "bt": "`x`", "q": "'q'", "dq": "\"dq\"",
          "pct": "%x", "star": "*x", "amp": "&x", "bang": "!x", "pipe": "|x", "gt": ">x",
          "br": "[x]", "cb": "{x}", "qm": "? x", "colon": ":x", "num": "12:30", "exp": "1e3",
          "neg": "-4", "dot": ".5", "ver": "v1.4.0", "url": "http://x.example/a?b=c#d",
          "cr": "a\r\nb\n"},
 "spec": {"n": 1.5, "i": -3, "b": false, "z": null, "empty": {}, "none": [],
          "lol": [[1, 2], [], [{"a": 1, "b": [3]}]], "objs": [{"x": {"y": [1]}, "w": "v"}]}}
JSON
python3 -c '
import json, sys
m = json.load(open(sys.argv[1]))
print(json.dumps([{"kind": "ConfigMap", "group": "", "namespace": "ns",
                   "name": "odd", "live": None, "target": m}]))' "$T/cm.json" >"$T/managed.json"
app '{"name":"odd"}'
simpost apps/odd/managed "$T/managed.json"
run acd-diff odd
expect_rc 1
sed -n '4,$s/^+//p' "$T/out" >"$T/cm.yaml"
ymlset e -o json -I0 . "$T/cm.yaml" >"$T/back.json" 2>"$T/yerr" || fail "ymlset cannot read it: $(cat "$T/yerr")"
python3 -c '
import json, sys
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
if a != b:
    for k in sorted(set(a["data"]) | set(b["data"])):
        if a["data"].get(k) != b["data"].get(k):
            print(k, repr(a["data"].get(k)), repr(b["data"].get(k)))
    sys.exit(1)' "$T/cm.json" "$T/back.json" >"$T/cmp" || fail "differs: $(head -c 400 "$T/cmp") $(head -c 300 "$T/back.json")"
end

begin "a 5,000-line manifest with one change: one small hunk"
python3 -c '
import json, sys
def cm(v):
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "big", "namespace": "ns"},
            "data": {"k%05d" % i: (v if i == 2500 else "value %d" % i)
                     for i in range(5000)}}
print(json.dumps([{"kind": "ConfigMap", "group": "", "namespace": "ns",
                   "name": "big", "live": cm("old"), "target": cm("new")}]))' >"$T/managed.json"
app '{"name":"big"}'
simpost apps/big/managed "$T/managed.json"
run acd-diff big
expect_rc 1
cat >"$T/want" <<'OUT'
--- live/big/ConfigMap/ns/big
+++ target/big/ConfigMap/ns/big
@@ -2500,7 +2500,7 @@
   k02497: value 2497
   k02498: value 2498
   k02499: value 2499
-  k02500: old
+  k02500: new
   k02501: value 2501
   k02502: value 2502
   k02503: value 2503
OUT
expect_out "$T/want"
end

begin "hundreds of resources: each change shown once"
python3 -c '
import json
out = []
for i in range(300):
    m = {"apiVersion": "v1", "kind": "ConfigMap",
         "metadata": {"name": "cm-%03d" % i, "namespace": "ns"},
         "data": {"k%03d" % j: "v" for j in range(200)}}
    t = json.loads(json.dumps(m))
    if i % 3 == 0:
        t["data"]["k100"] = "changed"
    out.append({"kind": "ConfigMap", "group": "", "namespace": "ns",
                "name": m["metadata"]["name"], "live": m, "target": t})
print(json.dumps(out))' >"$T/managed.json"
app '{"name":"many"}'
simpost apps/many/managed "$T/managed.json"
run acd-diff many
expect_rc 1
[ "$(grep -c '^@@ ' "$T/out")" -eq 100 ] || fail "not 100 hunks: $(grep -c '^@@ ' "$T/out")"
[ "$(grep -c '^+  k100: changed$' "$T/out")" -eq 100 ] || fail "not 100 changes"
end

begin "the idiom: sync only when something would change"
app '{"name":"idiom","managed":"realistic"}'
cat >"$T/step.sh" <<'SH'
if acd-diff idiom >changes.diff; then
	echo "nothing to sync"
else
	rc=$?
	[ "$rc" -eq 1 ] || exit "$rc"
	acd-sync --prune --timeout 60 idiom
fi
SH
run bash "$T/step.sh"
expect_rc 0
expect_out_text "idiom Synced Healthy $OLD"
run bash "$T/step.sh"
expect_rc 0
expect_out_text "nothing to sync"
end

begin "the man page's jq example: what would be deleted"
app '{"name":"jq-a","labels":{"team":"payments"},"managed":"realistic"}'
if command -v jq >/dev/null; then
	acd-diff -o json -l team=payments |
	    jq -r 'select(.action == "delete") | "\(.app) \(.kind)/\(.name)"' >"$T/out" 2>"$T/err"
	expect_out_text "jq-a ConfigMap/test-lla-old"
else
	echo "# jq is not installed: skipped"
fi
end

begin "usage errors exit 2"
run acd-diff
expect_rc 2
expect_err "acd-diff: name the apps to diff, or select them with -l"
run acd-diff -l a=b same
expect_rc 2
expect_err "give apps or -l, not both"
run acd-diff -o yaml same
expect_rc 2
end

begin "every request matched the API schema"
run simctl "$P" violations
expect_out_text "[]"
end

begin "a resource's name cannot forge lines of the diff"
python3 -c '
import json
m = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "data": {"a": "1"}}
print(json.dumps([{"kind": "ConfigMap", "group": "", "namespace": "ns",
                   "name": "x\n+++ b/evil\n@@ -0,0 +1 @@\n+owned\u001b[31m", "live": None, "target": m}]))' >"$T/managed.json"
app '{"name":"forge"}'
simpost apps/forge/managed "$T/managed.json"
run acd-diff forge
expect_rc 1
[ "$(grep -c '^+++ ' "$T/out")" -eq 1 ] || fail "forged header: $(cat "$T/out")"
grep -q '^+owned' "$T/out" && fail "forged line: $(cat "$T/out")"
grep -qF '+++ target/forge/ConfigMap/ns/x\n+++ b/evil\n@@ -0,0 +1 @@\n+owned\x1b[31m' "$T/out" ||
    fail "header: $(head -3 "$T/out")"
end

begin "100,000 lines that all change: done in bounded time, a diff that applies"
python3 -c '
import json, sys
def cm(v):
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "huge", "namespace": "ns"},
            "data": {"k%06d" % i: "%s %d" % (v, (i * 7919) % 100003) for i in range(100000)}}
print(json.dumps([{"kind": "ConfigMap", "group": "", "namespace": "ns",
                   "name": "huge", "live": cm("old"), "target": cm("new")}]))' >"$T/managed.json"
app '{"name":"huge"}'
simpost apps/huge/managed "$T/managed.json"
run timeout -s KILL 120 acd-diff --timeout 0 huge
expect_rc 1
[ "$(grep -c '^-  k' "$T/out")" -eq 100000 ] && [ "$(grep -c '^+  k' "$T/out")" -eq 100000 ] ||
    fail "$(grep -c '^-  k' "$T/out") deleted, $(grep -c '^+  k' "$T/out") inserted"
end

done_testing
