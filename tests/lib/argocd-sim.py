#!/usr/bin/env python3
"""argocd-sim: an Argo CD API server simulator for the acd-* tests.

Follows the project's Argo CD API notes (REST + SSE, errors, operation
lifecycle, done-rule timestamps) and checks every request against
tests/data/argocd/swagger.json. Standard library only.

    argocd-sim.py --port-file F [--scenario S.json] [--tls CERT KEY]
                  [--swagger swagger.json] [--template app.json]

The scenario (JSON) holds "apps": [{name, ...}] (see add_app), "users",
"config". Tests steer it at run time through /_sim/ (no auth): see do_sim.
"""
import argparse, base64, copy, hashlib, hmac, heapq, json, os, re, socket
import ssl, sys, threading, time, uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit, parse_qs

import stubutil

LOCK = threading.Condition()
SECRET = os.urandom(32)
NS = "argocd"
STATE = {
    "apps": {},          # name -> {"obj": Application, "b": behaviour}
    "rv": 1000,          # resourceVersion counter (one per write, global)
    "subs": [],          # open watch streams
    "requests": [],      # log of every API request
    "violations": [],    # schema mismatches
    "users": {"admin": "password"},
    "revoked": set(),
    "config": {
        "keepalive_ms": 15000,
        "drop_stream_after": 0,   # close a stream after N events (each time)
        "drop_streams": 0,        # ... for this many streams, then keep them
        # A line that never ends: after its first events, each of the next
        # long_line_streams streams sends "data: " and long_line_bytes of
        # 'x' (generated, never held), no newline, then nothing at all.
        "long_line_bytes": 0,
        "long_line_streams": 0,
        "fail": [],               # [{"status", "count", "path", "method"}]
        "delay": [],              # [{"ms", "count", "path", "method"}]
        "content_types": ["application/json"],
        "settled_log": [],
    },
    "settled": {},       # name -> wall time the app became settled
    "long_lines": 0,     # long lines sent whole or cut by the client
}
SWAGGER = {}
TEMPLATE = {}


def now_ts():
    # "fixed_time": every timestamp the same second (ties on purpose).
    return STATE["config"].get("fixed_time") or time.strftime(
        "%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def b64(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def make_token(sub, exp_in=None, project=None):
    iat = int(time.time())
    claims = {"iss": "argocd", "sub": sub, "iat": iat, "nbf": iat,
              "jti": str(uuid.uuid4())}
    if exp_in is not None:
        claims["exp"] = iat + int(exp_in)
    head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = b64(json.dumps(claims).encode())
    sig = b64(hmac.new(SECRET, (head + "." + body).encode(),
                       hashlib.sha256).digest())
    return head + "." + body + "." + sig


def check_token(hdr, cookie):
    """Returns (subject, None) or (None, (status, code, message))."""
    tok = None
    if hdr and hdr.startswith("Bearer "):
        tok = hdr[7:].strip()
    elif cookie:
        m = re.search(r"argocd\.token=([^;]+)", cookie)
        tok = m.group(1) if m else None
    if not tok or tok.count(".") != 2:
        return None, (401, 16, "no session information")
    head, body, sig = tok.split(".")
    want = b64(hmac.new(SECRET, (head + "." + body).encode(),
                        hashlib.sha256).digest())
    if not hmac.compare_digest(want, sig):
        return None, (401, 16, "invalid session: token signature is invalid")
    pad = "=" * (-len(body) % 4)
    claims = json.loads(base64.urlsafe_b64decode(body + pad))
    if "exp" in claims and claims["exp"] <= time.time():
        return None, (401, 16, "invalid session: token has invalid claims: "
                      "token is expired")
    if claims.get("jti") in STATE["revoked"]:
        return None, (401, 16, "invalid session: token is revoked, please "
                      "re-login")
    return claims["sub"], None


def sub_project(sub):
    """A project token (proj:P:R) may only see project P."""
    if sub and sub.startswith("proj:"):
        return sub.split(":")[1]
    return None


def caller_name(sub):
    for suf in (":login", ":apiKey"):
        if sub.endswith(suf):
            return sub[: -len(suf)]
    return sub


# ---------------------------------------------------------------- apps

def new_rv():
    STATE["rv"] += 1
    return str(STATE["rv"])


def add_app(spec):
    """spec: name, namespace, project, labels, sync, health, revision,
    res_name (the name of every resource; default the template's),
    repo_url (spec.source.repoURL), git_revision (what a sync deploys;
    default revision), automated,
    history (entries), reconciled (bool: reconciledAt set), b (behaviour:
    pickup_ms, run_ms, phase, message, failed (resources), reconcile_ms,
    health_after [[status, ms, message]...], auto_after_ms, refresh_ms,
    retries, retry_ms, deleting, takeover (see takeover)), managed (the
    resources: "realistic" or a list, see managed_model)."""
    a = copy.deepcopy(TEMPLATE)
    md = a["metadata"]
    md["name"] = spec["name"]
    md["namespace"] = spec.get("namespace", NS)
    md["labels"] = spec.get("labels", {})
    md["annotations"] = {}
    md.pop("ownerReferences", None)
    md["uid"] = str(uuid.uuid4())
    a["spec"]["project"] = spec.get("project", "default")
    a["spec"]["source"]["targetRevision"] = spec.get("target", "main")
    if "repo_url" in spec:
        a["spec"]["source"]["repoURL"] = spec["repo_url"]
    sp = a["spec"].setdefault("syncPolicy", {})
    sp.pop("retry", None)
    if spec.get("automated"):
        sp["automated"] = {"prune": True, "selfHeal": True}
    else:
        sp.pop("automated", None)
    rev = spec.get("revision", "1" * 40)
    st = a["status"]
    st["sync"] = {"status": spec.get("sync", "Synced"), "revision": rev,
                  "comparedTo": st.get("sync", {}).get("comparedTo", {})}
    st["health"] = {"status": spec.get("health", "Healthy")}
    if spec.get("health_message"):
        st["health"]["message"] = spec["health_message"]
    st.pop("operationState", None)
    a.pop("operation", None)
    n = spec.get("history", 2)
    st["history"] = [{"id": i, "revision": ("%x" % (i + 10)) * 20,
                      "deployStartedAt": now_ts(), "deployedAt": now_ts(),
                      "source": a["spec"]["source"]} for i in range(n)]
    if n:
        st["history"][-1]["revision"] = rev
    if spec.get("reconciled", True):
        # The last periodic reconcile, ago seconds back (default 2 min).
        ago = spec.get("reconciled_ago", 120)
        st["reconciledAt"] = now_ts() if STATE["config"].get(
            "fixed_time") else time.strftime(
                "%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - ago))
    else:
        st.pop("reconciledAt", None)
    st["conditions"] = spec.get("conditions", [])
    if not st["conditions"]:
        st.pop("conditions")
    res = st.get("resources", [])[:3]
    for r in res:
        r["status"] = st["sync"]["status"]
        resource_health(r, spec.get("health", "Healthy"), "")
        if spec.get("res_name"):
            r["name"] = spec["res_name"]
    st["resources"] = res
    if spec.get("deleting"):
        md["deletionTimestamp"] = now_ts()
    md["resourceVersion"] = new_rv()
    b = {"pickup_ms": 20, "run_ms": 60, "phase": "Succeeded", "message": "",
         "failed": [], "reconcile_ms": 60,
         "health_after": [["Healthy", 0, ""]], "auto_after_ms": None,
         "refresh_ms": 30, "retries": 0, "retry_ms": 60,
         "git_revision": spec.get("git_revision", rev)}
    b.update(spec.get("b", {}))
    rec = {"obj": a, "b": b, "timers": 0}
    rec["managed"] = managed_model(a, spec.get("managed"))
    if spec.get("managed") == "realistic":
        a["spec"]["ignoreDifferences"] = [{
            "group": "apps", "kind": "Deployment",
            "jsonPointers": ["/spec/replicas"]}]
    STATE["apps"][spec["name"]] = rec
    publish("ADDED", a)


# ---------------------------------------------------------------- resources
# Each app's managed resources: {group, kind, namespace, name, live,
# target, hook}, live/target a manifest or None (to create / to prune).
# managed-resources serves them as Argo CD does, with ignoreDifferences
# applied to the normalized and predicted states.

def deployment(name, ns, image, replicas, labels):
    sel = {"app.kubernetes.io/name": name}
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "namespace": ns,
                         "labels": dict(labels)},
            "spec": {"replicas": replicas, "selector": {"matchLabels": sel},
                     "template": {"metadata": {"labels": dict(sel)},
                                  "spec": {"containers": [{
                                      "name": "app", "image": image,
                                      "args": ["--listen=:8080",
                                               "--log-level=info"],
                                      "ports": [{"containerPort": 8080}]}]}}}}


def service(name, ns, labels, app=None):
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": name, "namespace": ns,
                         "labels": dict(labels)},
            "spec": {"type": "ClusterIP",
                     "selector": {"app.kubernetes.io/name": app or name},
                     "ports": [{"port": 80, "targetPort": 8080}]}}


def configmap(name, ns, labels, data):
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": name, "namespace": ns,
                         "labels": dict(labels)},
            "data": dict(data)}


def as_live(m, extra=None):
    live = copy.deepcopy(m)
    live["metadata"]["uid"] = str(uuid.uuid5(uuid.NAMESPACE_URL, json.dumps(
        [m["kind"], m["metadata"]["name"]])))
    live["metadata"]["resourceVersion"] = "4711"
    if extra:
        merge_into(live, extra)
    return live


def res_entry(m, live, target, group=""):
    return {"group": group, "kind": m["kind"],
            "namespace": m["metadata"].get("namespace", ""),
            "name": m["metadata"]["name"], "live": live, "target": target}


def managed_model(a, spec):
    """The default: status.resources, live as in git; "realistic": a
    Deployment whose image differs (replicas ignored), a ConfigMap alike,
    a Service only in git, a ConfigMap only live; or a list of entries."""
    if isinstance(spec, list):
        return copy.deepcopy(spec)
    ns = a["spec"]["destination"].get("namespace", "default")
    name = "test-lla"
    lab = {"app.kubernetes.io/name": name}
    out = []
    if spec == "realistic":
        d_t = deployment(name, ns, "registry.example.com/myapp:v1.4.0", 3,
                         dict(lab, tier="web"))
        d_l = as_live(deployment(name, ns, "registry.example.com/myapp:v1.3.0",
                                 5, dict(lab, tier="web")),
                      {"metadata": {"generation": 7},
                       "status": {"availableReplicas": 5,
                                  "observedGeneration": 7, "replicas": 5}})
        out.append(res_entry(d_t, d_l, d_t, "apps"))
        cm = configmap(name + "-config", ns, dict(lab, tier="web"), {
            "LOG_LEVEL": "info",
            "app.conf": "listen 8080\nworkers 4\n# the 'x: y' below is text\n"
                        "x: y\n"})
        out.append(res_entry(cm, as_live(cm), cm))
        sv = service(name + "-canary", ns, dict(lab, tier="edge"), name)
        out.append(res_entry(sv, None, sv))
        old = configmap(name + "-old", ns, lab, {"LEGACY": "true",
                                                  "port": "8080"})
        out.append(res_entry(old, as_live(old), None))
        return out
    for r in a["status"].get("resources", []):
        if r["kind"] == "Deployment":
            m = deployment(r["name"], r.get("namespace", ns),
                           "registry.example.com/myapp:v1.3.0", 2,
                           dict(lab, tier="web"))
        else:
            m = service(r["name"], r.get("namespace", ns),
                        dict(lab, tier="edge"))
        out.append(res_entry(m, as_live(m), m, r.get("group", "")))
    return out


def merge_into(dst, src):
    for k, v in src.items():
        if isinstance(v, dict) and isinstance(dst.get(k), dict):
            merge_into(dst[k], v)
        else:
            dst[k] = copy.deepcopy(v)
    return dst


def drop_pointer(m, ptr):
    parts = [p.replace("~1", "/").replace("~0", "~")
             for p in ptr.split("/")[1:]]
    cur = m
    for p in parts[:-1]:
        if isinstance(cur, dict):
            cur = cur.get(p)
        elif isinstance(cur, list) and p.isdigit() and int(p) < len(cur):
            cur = cur[int(p)]
        else:
            return
    if isinstance(cur, dict):
        cur.pop(parts[-1], None)


def normalize(a, e, m):
    if m is None:
        return None
    m = copy.deepcopy(m)
    for ig in a["spec"].get("ignoreDifferences", []):
        if ig.get("kind") == e["kind"] and ig.get("group", "") == \
                e["group"] and ig.get("name", e["name"]) == e["name"]:
            for ptr in ig.get("jsonPointers", []):
                drop_pointer(m, ptr)
    return m


def managed_items(a, rec):
    out = []
    for e in rec["managed"]:
        nl = normalize(a, e, e["live"])
        nt = normalize(a, e, e["target"])
        if nl is not None and nt is not None:
            pred = merge_into(copy.deepcopy(nl), nt)
        else:
            pred = nt
        d = {"group": e["group"], "kind": e["kind"],
             "namespace": e["namespace"], "name": e["name"],
             "targetState": json.dumps(e["target"]),
             "liveState": json.dumps(e["live"]),
             "normalizedLiveState": json.dumps(nl),
             "predictedLiveState": json.dumps(pred),
             "modified": nl != pred, "resourceVersion": "4711"}
        if not d["group"]:
            del d["group"]
        if e.get("hook"):
            continue    # the server leaves hooks out
        out.append(d)
    return out


def apply_managed(rec, so):
    """A successful sync: live becomes git for the synced resources."""
    only = so.get("resources")
    keep = []
    for e in rec["managed"]:
        if only and not any(r.get("kind") == e["kind"] and
                            r.get("name") == e["name"] and
                            r.get("group", "") == e["group"] and
                            r.get("namespace", "") == e["namespace"]
                            for r in only):
            keep.append(e)
            continue
        if e["target"] is None:
            if not so.get("prune"):
                keep.append(e)
            continue
        e["live"] = merge_into(e["live"] or as_live(e["target"]),
                               e["target"])
        keep.append(e)
    rec["managed"] = keep


def app_key(a):
    return a["metadata"]["name"]


def write(a, kind="MODIFIED"):
    a["metadata"]["resourceVersion"] = new_rv()
    publish(kind, a)


def settled(a):
    """The done-rule of spec section 10."""
    st = a["status"]
    if a.get("operation"):
        return False
    os_ = st.get("operationState")
    if not os_:
        return True
    if not os_.get("finishedAt"):
        return False
    if os_.get("operation", {}).get("sync", {}).get("dryRun"):
        return True
    r = st.get("reconciledAt")
    return bool(r) and r >= os_["finishedAt"]


def note_settled(a):
    name = app_key(a)
    st = a["status"]
    ok = settled(a) and st["health"].get("status") in ("Healthy", "Degraded")
    if ok and name not in STATE["settled"]:
        STATE["settled"][name] = time.time()
    elif not ok:
        STATE["settled"].pop(name, None)


# ---------------------------------------------------------------- controller

TIMERS = []
TSEQ = [0]


def later(ms, fn):
    TSEQ[0] += 1
    heapq.heappush(TIMERS, (time.monotonic() + ms / 1000.0, TSEQ[0], fn))
    LOCK.notify_all()


def controller():
    with LOCK:
        while True:
            if TIMERS and TIMERS[0][0] <= time.monotonic():
                _, _, fn = heapq.heappop(TIMERS)
                try:
                    fn()
                except Exception as e:  # a bug here must be visible
                    print("argocd-sim: controller: %r" % e, file=sys.stderr)
                continue
            wait = TIMERS[0][0] - time.monotonic() if TIMERS else None
            LOCK.wait(wait)


def start_operation(rec, op, rollback_rev=None):
    """The API side of Sync/Rollback: set operation, null operationState."""
    rec["rollback_rev"] = rollback_rev
    a = rec["obj"]
    a["operation"] = op
    a["status"].pop("operationState", None)
    write(a)
    gen = rec["gen"] = rec.get("gen", 0) + 1
    b = rec["b"]
    if b.get("hold"):
        return      # the controller waits for /_sim/apps/NAME/release
    later(b["pickup_ms"], lambda: op_pickup(rec, gen))


def op_pickup(rec, gen):
    a = rec["obj"]
    if rec.get("gen") != gen or not a.get("operation"):
        return
    # A rollback deploys its history entry's revision, not git's.
    rev = rec.get("rollback_rev") or rec["b"]["git_revision"]
    a["status"]["operationState"] = {
        "operation": copy.deepcopy(a["operation"]), "phase": "Running",
        "startedAt": now_ts(), "message": "one or more tasks are running",
        "syncResult": {"revision": rev, "resources": []}}
    rec["attempt"] = 0
    rec["ophealth"] = "Progressing"
    write(a)
    later(rec["b"]["run_ms"], lambda: op_finish(rec, gen))


def sync_results(rec, failed):
    a = rec["obj"]
    out = []
    only = a["status"]["operationState"]["operation"].get("sync", {}).get(
        "resources")
    for r in a["status"].get("resources", []):
        if only and not any(o.get("kind") == r["kind"] and
                            o.get("name") == r["name"] for o in only):
            continue    # a partial sync: only the resources it names
        out.append({"group": r.get("group", ""), "version": r["version"],
                    "kind": r["kind"], "namespace": r.get("namespace", ""),
                    "name": r["name"], "status": "Synced",
                    "message": "%s/%s configured" % (r["kind"].lower(),
                                                     r["name"]),
                    "syncPhase": "Sync"})
    for f in failed:
        d = {"group": f.get("group", ""), "version": f.get("version", "v1"),
             "kind": f["kind"], "namespace": f.get("namespace", "default"),
             "name": f["name"], "status": "SyncFailed",
             "message": f.get("message", "failed"), "syncPhase": "Sync"}
        if f.get("hook"):
            d["hookType"] = "PreSync"
            d["hookPhase"] = "Failed"
            d["status"] = "Synced"
            d["syncPhase"] = "PreSync"
        out.append(d)
    return out


def op_finish(rec, gen):
    a = rec["obj"]
    if rec.get("gen") != gen or not a.get("operation"):
        return
    b = rec["b"]
    os_ = a["status"]["operationState"]
    if os_["phase"] == "Terminating":
        os_["phase"] = "Failed"
        os_["message"] = "Operation terminated"
        os_["finishedAt"] = now_ts()
        a.pop("operation", None)
        write(a)
        rec["pending_reconcile"] = False
        later(b["reconcile_ms"], lambda: reconcile(rec, gen, False))
        return
    dry = os_["operation"].get("sync", {}).get("dryRun", False)
    if rec["attempt"] < b["retries"]:
        rec["attempt"] += 1
        os_["finishedAt"] = now_ts()
        os_["retryCount"] = rec["attempt"]
        os_["message"] = ("one or more objects failed to apply. Retrying "
                          "attempt #%d at %s." % (rec["attempt"],
                                                  time.strftime("%I:%M%p")))
        write(a)

        def retry():
            if rec.get("gen") != gen or not a.get("operation"):
                return
            os_.pop("finishedAt", None)
            os_["message"] = "Retrying operation. Attempt #%d" % (
                rec["attempt"] + 1)
            write(a)
            later(b["run_ms"], lambda: op_finish(rec, gen))
        later(b["retry_ms"], retry)
        return
    phase = b["phase_seq"].pop(0) if b.get("phase_seq") else b["phase"]
    failed = b["failed"]
    auto = os_["operation"].get("initiatedBy", {}).get("automated")
    to = b.get("takeover")
    if to and auto:
        # The auto-sync that took over fails on a hook.
        phase, failed = "Failed", to.get("failed", [])
    os_["syncResult"]["resources"] = sync_results(
        rec, failed if phase != "Succeeded" else [])
    if phase == "Succeeded":
        os_["message"] = b["message"] or "successfully synced (all tasks run)"
        if not dry:
            apply_managed(rec, os_["operation"].get("sync", {}))
        # History is written while the phase still says Running.
        if not dry and not os_["operation"]["sync"].get("resources"):
            h = a["status"].setdefault("history", [])
            h.append({"id": (h[-1]["id"] + 1) if h else 0,
                      "revision": os_["syncResult"]["revision"],
                      "deployStartedAt": os_["startedAt"],
                      "deployedAt": now_ts(),
                      "source": a["spec"]["source"],
                      "initiatedBy": os_["operation"].get("initiatedBy", {})})
            del h[:-10]
            write(a)
    else:
        os_["message"] = b["message"] or (
            "one or more synchronization tasks completed unsuccessfully, "
            "reason: " + "; ".join(f.get("message", "failed")
                                   for f in failed))
    os_["phase"] = phase
    if rec["attempt"]:
        os_["message"] += " (retried %d times)." % rec["attempt"]
    os_["finishedAt"] = now_ts()
    a.pop("operation", None)
    write(a)
    if to and not auto and phase == "Succeeded" and not dry:
        later(0, lambda: takeover(rec))
        return
    if to and auto:
        rec["settle"] = to.get("settle", {})
    if not dry:
        rec["pending_reconcile"] = phase == "Succeeded"
        later(b["reconcile_ms"], lambda: reconcile(rec, gen,
                                                   phase == "Succeeded"))
    if b["auto_after_ms"] is not None and not os_["operation"].get(
            "initiatedBy", {}).get("automated"):
        later(b["auto_after_ms"], lambda: auto_sync(rec))


def takeover(rec):
    """Issue 14, replayed: our sync has Succeeded, and before the reconcile
    after it an auto-sync (self-heal) replaces `operation` and nulls
    operationState; the reconcile then comes during it and shows OutOfSync.
    The auto-sync waits for /_sim/apps/NAME/release, fails on a hook
    (b.takeover.failed), and the reconcile after it settles the app as
    b.takeover.settle says ({sync, health, health_message})."""
    a = rec["obj"]
    b = rec["b"]
    rec.pop("pending_reconcile", None)
    b["hold"] = True
    start_operation(rec, {"sync": {"revision": b["git_revision"]},
                          "initiatedBy": {"automated": True}, "retry": {}})
    st = a["status"]
    st["sync"]["status"] = "OutOfSync"
    st["sync"]["revision"] = b["git_revision"]
    for r in st.get("resources", []):
        r["status"] = "OutOfSync"
    st["reconciledAt"] = now_ts()
    write(a)


def reconcile(rec, gen, synced):
    if "pending_reconcile" not in rec:
        return      # a refresh did it already
    del rec["pending_reconcile"]
    a = rec["obj"]
    b = rec["b"]
    st = a["status"]
    if synced:
        # Compared with git: after a rollback to another revision, the
        # app is OutOfSync with its target (as Argo CD shows it).
        st["sync"]["revision"] = b["git_revision"]
        st["sync"]["status"] = "Synced" if (rec.get("rollback_rev") or
                                            b["git_revision"]) == \
            b["git_revision"] else "OutOfSync"
    st["reconciledAt"] = now_ts()
    steps = b["health_after"] if synced else [[st["health"]["status"], 0,
                                               st["health"].get("message",
                                                                "")]]
    settle = rec.pop("settle", None)
    if settle is not None:
        st["sync"]["status"] = settle.get("sync", st["sync"]["status"])
        steps = [[settle.get("health", st["health"]["status"]), 0,
                  settle.get("health_message", "")]]
    set_health(a, steps[0])
    write(a)
    note_settled(a)
    t = 0
    for s in steps[1:]:
        t += s[1]
        later(t, lambda s=s: (set_health(a, s), write(a), note_settled(a)))


# What gitops-engine's health checks say of a workload mid-rollout.
ROLLOUT_MSG = ("Waiting for rollout to finish: 0 of 2 updated replicas are "
               "available...")
WORKLOADS = ("Deployment", "StatefulSet", "DaemonSet")


def resource_health(r, status, message):
    """A resource's health while the app's is status: mid-rollout the
    workloads are Progressing with gitops-engine's message, and a Service
    is already Healthy; a Degraded app has Degraded workloads only."""
    if status in ("Progressing", "Degraded") and r["kind"] not in WORKLOADS:
        status, message = "Healthy", ""
    elif status == "Progressing" and not message:
        message = ROLLOUT_MSG
    r["health"] = {"status": status}
    if message:
        r["health"]["message"] = message


def set_health(a, step):
    st = a["status"]
    st["health"] = {"status": step[0]}
    if len(step) > 2 and step[2]:
        st["health"]["message"] = step[2]
    for r in st.get("resources", []):
        resource_health(r, step[0], step[2] if len(step) > 2 else "")
        r["status"] = st["sync"]["status"]


def auto_sync(rec):
    a = rec["obj"]
    if a.get("operation"):
        return
    start_operation(rec, {"sync": {"revision": rec["b"]["git_revision"]},
                          "initiatedBy": {"automated": True},
                          "retry": {}})


# ---------------------------------------------------------------- watch

def parse_selector(sel):
    terms = []
    for part in re.findall(r"(?:[^,(]|\([^)]*\))+", sel or ""):
        part = part.strip()
        m = re.match(r"^(!?)([\w./-]+)$", part)
        if m:
            terms.append(("exists" if not m.group(1) else "!exists",
                          m.group(2), None))
            continue
        m = re.match(r"^([\w./-]+)\s*(==|=|!=)\s*([\w.-]*)$", part)
        if m:
            terms.append(("!=" if m.group(2) == "!=" else "=", m.group(1),
                          m.group(3)))
            continue
        m = re.match(r"^([\w./-]+)\s+(in|notin)\s*\(([^)]*)\)$", part)
        if m:
            terms.append((m.group(2), m.group(1),
                          [v.strip() for v in m.group(3).split(",")]))
            continue
        raise ValueError(part)
    return terms


def sel_match(terms, labels):
    for op, k, v in terms:
        if op == "exists" and k not in labels:
            return False
        if op == "!exists" and k in labels:
            return False
        if op == "=" and labels.get(k) != v:
            return False
        if op == "!=" and labels.get(k) == v:
            return False
        if op == "in" and labels.get(k) not in v:
            return False
        if op == "notin" and labels.get(k) in v:
            return False
    return True


class Filter:
    def __init__(self, q, sub):
        self.name = q.get("name", [""])[0]
        self.ns = q.get("appNamespace", [""])[0]
        self.sel = parse_selector(q.get("selector", [""])[0])
        pr = q.get("project") or q.get("projects") or []
        self.projects = [p for p in pr if p]
        self.rv = q.get("resourceVersion", [""])[0]
        self.only = sub_project(sub)

    def match(self, a):
        md = a["metadata"]
        if self.name and md["name"] != self.name:
            return False
        if (self.name or self.ns) and md["namespace"] != (self.ns or NS):
            return False
        if not sel_match(self.sel, md.get("labels", {})):
            return False
        proj = a["spec"]["project"] or "default"
        if self.projects and proj not in self.projects:
            return False
        if self.only and proj != self.only:
            return False
        return True


def publish(kind, a):
    data = None
    for s in STATE["subs"]:
        if not s["filter"].match(a):
            continue
        rv = s["filter"].rv
        if rv and int(a["metadata"]["resourceVersion"]) < int(rv):
            continue
        if data is None:
            data = json.dumps({"result": {"type": kind,
                                          "application": a}})
        body = json.dumps(a, sort_keys=True)
        if s["last"].get(app_key(a)) == body:
            continue
        s["last"][app_key(a)] = body
        s["queue"].append(data)
    LOCK.notify_all()


# ---------------------------------------------------------------- schema

def check_schema(method, path, q, body):
    """Returns a list of problems with the request against swagger.json."""
    if not SWAGGER:
        return []
    probs = []
    found = [(p, ops) for p, ops in SWAGGER["paths"].items()
             if re.match("^" + re.sub(r"\{[^}]+\}", "[^/]+", p) + "$", path)]
    if not found:
        return ["no such path in the schema: " + path]
    op = None
    for p, ops in found:
        op = op or ops.get(method.lower())
    if op is None:
        return ["%s is not allowed on %s" % (method, path)]
    params = op.get("parameters", [])
    qnames = {x["name"] for x in params if x["in"] == "query"}
    for k in q:
        if k not in qnames:
            probs.append("query parameter '%s' is not in the schema" % k)
    bp = [x for x in params if x["in"] == "body"]
    if bp and body is not None:
        probs += check_value(body, bp[0]["schema"], "body")
    elif body not in (None, b"", {}) and not bp:
        probs.append("a body where the schema has none")
    return probs


def resolve(schema):
    while "$ref" in schema:
        schema = SWAGGER["definitions"][schema["$ref"].split("/")[-1]]
    return schema


def check_value(v, schema, where):
    s = resolve(schema)
    t = s.get("type", "object" if "properties" in s else None)
    if t == "string":
        return [] if isinstance(v, str) else [where + " should be a string"]
    if t == "boolean":
        return [] if isinstance(v, bool) else [where + " should be a boolean"]
    if t == "integer":
        ok = isinstance(v, int) and not isinstance(v, bool)
        if not ok and s.get("format") == "int64" and isinstance(v, str):
            ok = v.lstrip("-").isdigit()
        return [] if ok else [where + " should be an integer"]
    if t == "array":
        if not isinstance(v, list):
            return [where + " should be an array"]
        out = []
        for i, x in enumerate(v):
            out += check_value(x, s["items"], "%s[%d]" % (where, i))
        return out
    if t == "object" and "properties" in s:
        if not isinstance(v, dict):
            return [where + " should be an object"]
        out = []
        for k, x in v.items():
            if k not in s["properties"]:
                # Go's inline embedding: the embedded struct's fields
                # sit at this level (hook: {"force": true}).
                emb = [p for p in s["properties"].values()
                       if k in resolve(p).get("properties", {})]
                if emb:
                    out += check_value(x, resolve(emb[0])["properties"][k],
                                       where + "." + k)
                    continue
                out.append("%s has no field '%s'" % (where, k))
            else:
                out += check_value(x, s["properties"][k], where + "." + k)
        return out
    return []


# ---------------------------------------------------------------- HTTP

def err_body(code, msg):
    return {"error": msg, "code": code, "message": msg}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "argocd-sim"

    def log_message(self, fmt, *args):
        pass

    def send(self, status, obj=None, text=None, ctype="application/json"):
        if text is not None:
            data = text.encode()
            ctype = "text/plain; charset=utf-8"
        else:
            data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def fail(self, status, code, msg):
        self.send(status, err_body(code, msg))

    def do_GET(self):
        self.route("GET")

    def do_POST(self):
        self.route("POST")

    def do_DELETE(self):
        self.route("DELETE")

    def do_PUT(self):
        self.route("PUT")

    def do_PATCH(self):
        self.route("PATCH")

    def route(self, method):
        if self.server.tls and not isinstance(
                self.connection, ssl.SSLSocket) and \
                not self.path.startswith("/_sim/"):
            return self.plain_on_tls()
        u = urlsplit(self.path)
        path, q = u.path, parse_qs(u.query, keep_blank_values=True)
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        if path.startswith("/_sim/"):
            return self.do_sim(method, path, q, raw)
        root = self.server.rootpath
        if root:
            if not path.startswith(root + "/"):
                return self.send(404, text="Not Found\n")
            path = path[len(root):]
        pause = 0
        with LOCK:
            for d in STATE["config"]["delay"]:
                if d.get("count", 0) > 0 and re.search(d.get("path", ""),
                                                       path) and \
                        d.get("method", method) == method:
                    d["count"] -= 1
                    pause = d.get("ms", 0) / 1000.0
        if pause:
            # A slow server: the answer comes pause seconds late.
            time.sleep(pause)
        with LOCK:
            STATE["requests"].append({
                "method": method, "path": path, "query": u.query,
                "accept": self.headers.get("Accept", ""),
                "auth": bool(self.headers.get("Authorization")),
                "headers": {k.lower(): v for k, v in self.headers.items()
                            if k.lower().startswith("x-")}})
            for f in STATE["config"]["fail"]:
                if f.get("count", 0) > 0 and re.search(f.get("path", ""),
                                                       path) and \
                        f.get("method", method) == method:
                    f["count"] -= 1
                    st = f.get("status", 503)
                    return self.send(st, err_body(14, "simulated %d" % st)
                                     if st != 429 else
                                     err_body(8, "too many requests"))
        if method != "GET":
            ct = self.headers.get("Content-Type", "")
            cts = STATE["config"]["content_types"]
            if cts and ct.lower() not in cts:
                return self.send(415, text="Invalid content type\n")
        body = None
        if raw:
            try:
                body = json.loads(raw)
            except ValueError as e:
                return self.fail(400, 3, "invalid character: %s" % e)
        probs = check_schema(method, path, q, body)
        if probs:
            with LOCK:
                STATE["violations"].append({"method": method, "path": path,
                                            "problems": probs})
            return self.fail(400, 3, "simulator: request does not match "
                             "the schema: " + "; ".join(probs))
        if path == "/api/version" and method == "GET":
            return self.send(200, {"Version": "v3.6.0+sim"})
        if path == "/api/v1/settings" and method == "GET":
            return self.send(200, {"url": "https://argocd.example.com"})
        if path == "/api/v1/session" and method == "POST":
            return self.login(body or {})
        sub, e = check_token(self.headers.get("Authorization"),
                             self.headers.get("Cookie"))
        if e:
            return self.fail(*e)
        m = re.match(r"^/api/v1/applications/([^/]+)(/sync|/rollback|"
                     r"/operation|/managed-resources)?$", path)
        if path == "/api/v1/applications" and method == "GET":
            return self.list(q, sub)
        if path == "/api/v1/stream/applications" and method == "GET":
            return self.stream(q, sub)
        if m and not m.group(2) and method == "GET":
            return self.get(m.group(1), q, sub)
        if m and m.group(2) == "/sync" and method == "POST":
            return self.sync(m.group(1), body or {}, sub)
        if m and m.group(2) == "/rollback" and method == "POST":
            return self.rollback(m.group(1), body or {}, sub)
        if m and m.group(2) == "/operation" and method == "DELETE":
            return self.terminate(m.group(1), q, sub)
        if m and m.group(2) == "/managed-resources" and method == "GET":
            return self.managed(m.group(1), q, sub)
        return self.send(405, text="Method Not Allowed\n")

    def plain_on_tls(self):
        """Plain HTTP on the TLS port (but /_sim/, which takes both): Argo
        CD redirects to https (config plain_on_tls "redirect"), Go's TLS
        server answers 400 ("go")."""
        if STATE["config"].get("plain_on_tls", "redirect") == "go":
            self.close_connection = True
            return self.send(400, text="Client sent an HTTP request to an "
                             "HTTPS server.\n")
        self.send_response(307)
        self.send_header("Location", "https://%s%s" % (
            self.headers.get("Host", ""), self.path))
        self.send_header("Content-Length", "0")
        self.end_headers()

    def login(self, body):
        u, p = body.get("username", ""), body.get("password", "")
        if not u and not p:
            return self.fail(401, 16, "no credentials supplied")
        if STATE["users"].get(u) != p or not p:
            return self.fail(401, 16, "Invalid username or password")
        return self.send(200, {"token": make_token(u + ":login", 86400)})

    def lookup(self, name, ns, project, sub):
        """The app record, or sends the error and returns None."""
        rec = STATE["apps"].get(name)
        only = sub_project(sub)
        a = rec["obj"] if rec else None
        if a and ns and a["metadata"]["namespace"] != ns:
            a = rec = None
        proj = a["spec"]["project"] if a else None
        if project:
            if only and project != only:
                self.fail(403, 7, "permission denied")
                return None
            if a is None or proj != project:
                self.fail(404, 5, 'applications.argoproj.io "%s" not found'
                          % name)
                return None
            return rec
        if a is None or (only and proj != only):
            self.fail(403, 7, "permission denied")
            return None
        return rec

    def get(self, name, q, sub):
        ns = q.get("appNamespace", [""])[0]
        prj = q.get("project", []) + q.get("projects", [])
        if len(prj) > 1:
            return self.fail(400, 3, "multiple projects specified - the get "
                             "endpoint accepts either zero or one project")
        with LOCK:
            rec = self.lookup(name, ns, prj[0] if prj else "", sub)
            if rec is None:
                return
            a = rec["obj"]
            if "refresh" not in q:
                return self.send(200, a)
            kind = "hard" if q["refresh"][0] == "hard" else "normal"
            a["metadata"]["annotations"]["argocd.argoproj.io/refresh"] = kind
            write(a)
            rv = int(a["metadata"]["resourceVersion"])
            gen = rec.get("gen", 0)

            def done():
                a["metadata"]["annotations"].pop(
                    "argocd.argoproj.io/refresh", None)
                if "pending_reconcile" in rec:
                    # A refresh is a reconcile: the one after the sync.
                    return reconcile(rec, gen, rec["pending_reconcile"])
                a["status"]["reconciledAt"] = now_ts()
                if rec.get("gen", 0) == gen and not a.get("operation") and \
                        rec["b"].get("refresh_syncs"):
                    a["status"]["sync"]["status"] = "OutOfSync"
                write(a)
            ms = rec["b"]["refresh_ms"]
            if ms is not None:
                later(ms, done)
            while int(a["metadata"]["resourceVersion"]) <= rv or \
                    "argocd.argoproj.io/refresh" in a["metadata"][
                        "annotations"]:
                LOCK.wait(1)
                if self.client_gone():
                    return
            return self.send(200, a)

    def managed(self, name, q, sub):
        with LOCK:
            rec = self.lookup(name, q.get("appNamespace", [""])[0],
                              q.get("project", [""])[0], sub)
            if rec is None:
                return
            items = managed_items(rec["obj"], rec)
        return self.send(200, {"items": items} if items else {})

    def client_gone(self):
        try:
            self.connection.setblocking(False)
            try:
                return self.connection.recv(1, socket.MSG_PEEK) == b""
            except (BlockingIOError, ssl.SSLWantReadError):
                return False
            finally:
                self.connection.setblocking(True)
        except OSError:
            return True

    def list(self, q, sub):
        try:
            f = Filter(q, sub)
        except ValueError as e:
            return self.fail(500, 2, "error parsing the selector: %s" % e)
        f.rv = ""
        with LOCK:
            items = [r["obj"] for _, r in sorted(STATE["apps"].items())
                     if f.match(r["obj"])]
            body = json.dumps({"metadata": {"resourceVersion":
                                            str(STATE["rv"])},
                               "items": items})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())

    def stream(self, q, sub):
        try:
            f = Filter(q, sub)
        except ValueError as e:
            return self.fail(500, 2, "error parsing the selector: %s" % e)
        sse = self.headers.get("Accept", "") == "text/event-stream"
        s = {"filter": f, "queue": [], "last": {}}
        with LOCK:
            cfg = STATE["config"]
            drop = 0
            if cfg["drop_streams"] > 0:
                cfg["drop_streams"] -= 1
                drop = cfg["drop_stream_after"]
            long_line = 0
            if cfg["long_line_streams"] > 0 and sse:
                cfg["long_line_streams"] -= 1
                long_line = cfg["long_line_bytes"]
            if f.name or not f.rv:
                for _, r in sorted(STATE["apps"].items()):
                    if f.match(r["obj"]):
                        body = json.dumps(r["obj"], sort_keys=True)
                        s["last"][app_key(r["obj"])] = body
                        s["queue"].append(json.dumps({"result": {
                            "type": "ADDED", "application": r["obj"]}}))
            STATE["subs"].append(s)
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream" if sse
                             else "application/json")
            self.send_header("Transfer-Encoding", "chunked")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.end_headers()
            sent = 0
            ka = cfg["keepalive_ms"] / 1000.0
            nextka = time.monotonic() + ka
            while True:
                with LOCK:
                    while not s["queue"] and time.monotonic() < nextka:
                        LOCK.wait(min(0.5, nextka - time.monotonic()))
                        if self.client_gone():
                            return
                    batch, s["queue"] = s["queue"], []
                if not batch:
                    self.chunk(b":\n" if sse else b"")
                    nextka = time.monotonic() + ka
                    if long_line:
                        return self.endless_line(long_line)
                    continue
                for d in batch:
                    self.chunk(("data: %s \n\n\n" % d).encode() if sse
                               else (d + "\n").encode())
                    sent += 1
                    if drop and sent >= drop:
                        # Close after drop events: a proxy cutting it.
                        self.wfile.write(b"0\r\n\r\n")
                        self.close_connection = True
                        return
                if long_line:
                    return self.endless_line(long_line)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError,
                OSError):
            return
        finally:
            with LOCK:
                STATE["subs"].remove(s)

    def endless_line(self, n):
        """n bytes of one line, then silence until the client leaves."""
        block = b"x" * 65536
        try:
            self.chunk(b"data: ")
            while n > 0:
                self.chunk(block[:n])
                n -= len(block)
        finally:
            with LOCK:
                STATE["long_lines"] += 1
        while not self.client_gone():
            time.sleep(0.2)
        self.close_connection = True

    def chunk(self, data):
        if not data:
            return
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def busy_or_bad(self, rec, sub, action):
        a = rec["obj"]
        if a["metadata"].get("deletionTimestamp"):
            return (400, 9, "application is deleting")
        only = sub_project(sub)
        role = STATE.get("rbac", {}).get(sub)
        if role is not None and action not in role:
            return (403, 7, "permission denied: applications, %s, %s/%s, "
                    "sub: %s, iat: %s" % (action, a["spec"]["project"],
                                          app_key(a), sub, now_ts()))
        if a.get("operation"):
            return (400, 9, "another operation is already in progress")
        return None

    def sync(self, name, body, sub):
        with LOCK:
            rec = self.lookup(name, body.get("appNamespace", ""),
                              body.get("project", ""), sub)
            if rec is None:
                return
            e = self.busy_or_bad(rec, sub, "sync")
            if e:
                return self.fail(*e)
            a = rec["obj"]
            rev = body.get("revision", "")
            auto = a["spec"].get("syncPolicy", {}).get("automated")
            if rev and auto and not body.get("dryRun") and \
                    rev != a["spec"]["source"]["targetRevision"]:
                return self.fail(400, 9, "Cannot sync to %s: auto-sync "
                                 "currently set to %s" % (
                                     rev, a["spec"]["source"][
                                         "targetRevision"]))
            so = {"revision": rev or rec["b"]["git_revision"]}
            for k in ("prune", "dryRun", "resources", "manifests"):
                if body.get(k):
                    so[k] = body[k]
            if body.get("strategy"):
                so["syncStrategy"] = body["strategy"]
            if body.get("syncOptions"):
                so["syncOptions"] = body["syncOptions"].get("items", [])
            op = {"sync": so,
                  "initiatedBy": {"username": caller_name(sub)},
                  "info": body.get("infos", []),
                  "retry": body.get("retryStrategy", {})}
            if not op["info"]:
                del op["info"]
            start_operation(rec, op)
            return self.send(200, a)

    def rollback(self, name, body, sub):
        with LOCK:
            rec = self.lookup(name, body.get("appNamespace", ""),
                              body.get("project", ""), sub)
            if rec is None:
                return
            a = rec["obj"]
            if a["spec"].get("syncPolicy", {}).get("automated"):
                return self.fail(400, 9, "rollback cannot be initiated when "
                                 "auto-sync is enabled")
            e = self.busy_or_bad(rec, sub, "sync")
            if e:
                return self.fail(*e)
            hid = body.get("id", 0)
            hid = int(hid) if isinstance(hid, (int, str)) else 0
            ent = [h for h in a["status"].get("history", [])
                   if h["id"] == hid]
            if not ent:
                return self.fail(400, 3, "application %s/%s does not have "
                                 "deployment with id %d" % (
                                     a["metadata"]["namespace"], name, hid))
            so = {"revision": ent[0]["revision"],
                  "source": ent[0]["source"],
                  "syncStrategy": {"apply": {}}}
            if body.get("dryRun"):
                so["dryRun"] = True
            if body.get("prune"):
                so["prune"] = True
            start_operation(rec, {"sync": so, "initiatedBy": {
                "username": caller_name(sub)}}, ent[0]["revision"])
            return self.send(200, a)

    def terminate(self, name, q, sub):
        with LOCK:
            rec = self.lookup(name, q.get("appNamespace", [""])[0],
                              q.get("project", [""])[0], sub)
            if rec is None:
                return
            a = rec["obj"]
            os_ = a["status"].get("operationState")
            if not a.get("operation") or not os_:
                return self.fail(400, 3, "Unable to terminate operation. No "
                                 "operation is in progress")
            os_["phase"] = "Terminating"
            write(a)
            gen = rec["gen"]
            later(rec["b"]["pickup_ms"], lambda: op_finish(rec, gen))
            return self.send(200, {})

    # ------------------------------------------------------------ control
    def do_sim(self, method, path, q, raw):
        body = json.loads(raw) if raw else {}
        with LOCK:
            if path == "/_sim/apps" and method == "POST":
                for spec in body if isinstance(body, list) else [body]:
                    add_app(spec)
                return self.send(200, {})
            m = re.match(r"^/_sim/apps/([^/]+)(/\w+)?$", path)
            if m and m.group(1) not in STATE["apps"]:
                return self.send(404, {"error": "no such app"})
            if m and m.group(2) == "/managed" and method == "POST":
                # Replace the resources: a list, or "realistic".
                rec = STATE["apps"][m.group(1)]
                rec["managed"] = managed_model(rec["obj"], body)
                return self.send(200, {})
            if m and m.group(2) == "/managed" and method == "GET":
                return self.send(200, STATE["apps"][m.group(1)]["managed"])
            if m and m.group(2) == "/b" and method == "POST":
                STATE["apps"][m.group(1)]["b"].update(body)
                return self.send(200, {})
            if m and m.group(2) == "/status" and method == "POST":
                # A reconcile that sets sync/health/revision/conditions.
                rec = STATE["apps"][m.group(1)]
                a = rec["obj"]
                st = a["status"]
                if "sync" in body:
                    st["sync"]["status"] = body["sync"]
                if "revision" in body:
                    st["sync"]["revision"] = body["revision"]
                if "revisions" in body:     # multi-source
                    st["sync"]["revisions"] = body["revisions"]
                if "git_revision" in body:
                    rec["b"]["git_revision"] = body["git_revision"]
                if "health" in body:
                    set_health(a, [body["health"], 0,
                                   body.get("health_message", "")])
                if "conditions" in body:
                    st["conditions"] = body["conditions"]
                if body.get("reconcile", True):
                    st["reconciledAt"] = now_ts()
                write(a)
                note_settled(a)
                return self.send(200, {})
            if m and m.group(2) == "/release" and method == "POST":
                rec = STATE["apps"][m.group(1)]
                rec["b"]["hold"] = False
                gen = rec.get("gen", 0)
                later(rec["b"]["pickup_ms"], lambda: op_pickup(rec, gen))
                return self.send(200, {})
            if m and m.group(2) == "/autosync" and method == "POST":
                auto_sync(STATE["apps"][m.group(1)])
                return self.send(200, {})
            if m and m.group(2) == "/delete" and method == "POST":
                rec = STATE["apps"].pop(m.group(1))
                write(rec["obj"], "DELETED")
                return self.send(200, {})
            if m and not m.group(2) and method == "GET":
                return self.send(200, STATE["apps"][m.group(1)]["obj"])
            if path == "/_sim/autosync" and method == "POST":
                # An operation on every app the selector matches (bench).
                terms = parse_selector(body.get("selector", ""))
                n = 0
                for rec in STATE["apps"].values():
                    if sel_match(terms, rec["obj"]["metadata"].get(
                            "labels", {})):
                        if "git_revision" in body:
                            rec["b"]["git_revision"] = body["git_revision"]
                        auto_sync(rec)
                        n += 1
                return self.send(200, {"started": n})
            if path == "/_sim/config" and method == "POST":
                STATE["config"].update(body)
                return self.send(200, {})
            if path == "/_sim/token" and method == "POST":
                tok = make_token(body.get("sub", "admin:apiKey"),
                                 body.get("exp_in"))
                if "rbac" in body:
                    STATE.setdefault("rbac", {})[body.get(
                        "sub", "admin:apiKey")] = body["rbac"]
                return self.send(200, {"token": tok})
            if path == "/_sim/revoke" and method == "POST":
                pad = body["token"].split(".")[1]
                pad += "=" * (-len(pad) % 4)
                STATE["revoked"].add(json.loads(
                    base64.urlsafe_b64decode(pad))["jti"])
                return self.send(200, {})
            if path == "/_sim/requests" and method == "GET":
                return self.send(200, STATE["requests"])
            if path == "/_sim/violations" and method == "GET":
                return self.send(200, STATE["violations"])
            if path == "/_sim/settled" and method == "GET":
                return self.send(200, STATE["settled"])
            if path == "/_sim/streams" and method == "GET":
                return self.send(200, {"open": len(STATE["subs"]),
                                       "long_lines": STATE["long_lines"]})
        return self.send(404, {"error": "unknown control path"})


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 512
    tls = None      # with --tls: the context; plain HTTP is answered too

    def get_request(self):
        sock, addr = self.socket.accept()
        if self.tls is None:
            return sock, addr
        # A TLS ClientHello starts with 0x16; anything else is plain HTTP.
        sock.settimeout(10)
        first = sock.recv(1, socket.MSG_PEEK)
        sock.settimeout(None)
        if first != b"\x16":
            return sock, addr
        return self.tls.wrap_socket(sock, server_side=True), addr


def main():
    global SWAGGER, TEMPLATE
    here = os.path.dirname(os.path.abspath(__file__))
    data = os.path.join(here, "..", "data", "argocd")
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--scenario")
    ap.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    ap.add_argument("--rootpath", default="")
    ap.add_argument("--client-ca", help="require client certificates")
    ap.add_argument("--swagger", default=os.path.join(data, "swagger.json"))
    ap.add_argument("--template", default=os.path.join(
        data, "application-synced-realistic.json"))
    o = ap.parse_args()
    with open(o.swagger) as f:
        SWAGGER = json.load(f)
    with open(o.template) as f:
        TEMPLATE = json.load(f)
    TEMPLATE.pop("operation", None)
    if o.scenario:
        with open(o.scenario) as f:
            sc = json.load(f)
        STATE["config"].update(sc.get("config", {}))
        STATE["users"].update(sc.get("users", {}))
        with LOCK:
            for spec in sc.get("apps", []):
                add_app(spec)
    srv = Server(("127.0.0.1", o.port), Handler)
    srv.rootpath = o.rootpath.rstrip("/")
    if o.tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(o.tls[0], o.tls[1])
        ctx.set_alpn_protocols(["http/1.1"])
        if o.client_ca:
            ctx.verify_mode = ssl.CERT_REQUIRED
            ctx.load_verify_locations(o.client_ca)
        srv.tls = ctx
    threading.Thread(target=controller, daemon=True).start()
    stubutil.publish_port(srv, o.port_file)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
