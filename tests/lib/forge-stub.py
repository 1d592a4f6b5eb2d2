#!/usr/bin/env python3
"""forge-stub.py: a loopback stand-in for the pull-request APIs of GitHub,
GitLab and Gitea/Forgejo, for promote --pr.

    forge-stub.py --kind github|gitlab|gitea --port-file F --token T
                  --git-dir BARE --repo OWNER/NAME

It checks what a client sends the way the real service does (auth header
form, User-Agent on GitHub, URL-encoded project path on GitLab, required
body fields, the head branch existing in the bare repository BARE, the
expected head sha on merges) and answers with the real status codes and
bodies, including "already exists" (GitHub 422, GitLab and Gitea 409).
Every request (but GET /_state, the pull requests as the stub holds them, for
assertions, and POST /_status {sha, kind: status|check|pipeline, name,
state}, which records a CI result the way a CI system would) is logged to F.log as one JSON line: method, path (raw, with
the query), auth ("ok" or what was wrong), user_agent, accept, api_version,
body (parsed JSON).

Knobs, as files next to F: F.race makes the next lookup (the next N, when
it holds a number) miss the open pull request: what a concurrent run's
create between our lookup and our create looks like;
F.clean makes GitHub's auto-merge answer "clean status" (nothing to wait
for); F.ratelimit makes GitHub answer the next request(s) with its
secondary rate limit (403, Retry-After: 1); F.blocked makes GitLab's merge
answer 405 (a merge request that cannot be merged); F.answer, while it is
there, makes every request (logged first) answer the status code it holds
(500: a forge that is down); F.hang, while it is there (120 s at most),
makes every request wait without an answer: a forge that hangs. Standard
library only.
"""
import argparse, json, os, subprocess, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit, parse_qs, unquote

import stubutil

LOCK = threading.Lock()
PRS = []          # dicts: number, head, base, title, body, labels, draft, ...
STATUS = []       # dicts: sha, kind (status|check|pipeline), name, state
GITEA_LABELS = [{"id": 11, "name": "promotion", "color": "00aabb"},
                {"id": 12, "name": "staging", "color": "ddeeff"}]


def branch_sha(gitdir, name):
    r = subprocess.run(["git", "--git-dir", gitdir, "rev-parse", "--verify",
                        "-q", "refs/heads/" + name], capture_output=True,
                       text=True)
    return r.stdout.strip() if r.returncode == 0 else None


class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def send(self, code, obj=None, headers=()):
        body = b"" if obj is None else json.dumps(obj).encode()
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    # -- helpers --------------------------------------------------------------
    def auth(self):
        s, t = self.server.a, self.server.a.token
        h = self.headers.get("Authorization", "")
        if s.kind == "github":
            return "ok" if h in ("Bearer " + t, "token " + t) else \
                "missing" if not h else "wrong"
        if s.kind == "gitlab":
            p = self.headers.get("PRIVATE-TOKEN")
            if p is not None:
                return "ok" if p == t else "wrong"
            return "ok" if h == "Bearer " + t else \
                "missing" if not h else "wrong"
        return "ok" if h in ("token " + t, "Bearer " + t) else \
            "missing" if not h else "wrong"

    def race(self):
        return self.knob("race")

    def knob(self, name):
        """Whether the knob file F.name is there; it holds how many more
        requests it applies to (1 when empty), and goes at 0."""
        f = self.server.a.port_file + "." + name
        if not os.path.exists(f):
            return False
        with open(f) as fp:
            n = int(fp.read().strip() or "1") - 1
        if n <= 0:
            os.unlink(f)
        else:
            with open(f, "w") as fp:
                fp.write(str(n))
        return True

    def view(self, pr):
        a = self.server.a
        o, n = a.repo.split("/")
        sha = branch_sha(a.git_dir, pr["head"]) or ""
        if a.kind == "gitlab":
            return {"id": 1000 + pr["number"], "iid": pr["number"],
                    "project_id": 7, "title": pr["title"],
                    "description": pr["body"], "state": "opened",
                    "source_branch": pr["head"],
                    "target_branch": pr["base"], "labels": pr["labels"],
                    "draft": pr["title"].startswith("Draft:"),
                    "sha": sha, "detailed_merge_status": "mergeable",
                    "merge_when_pipeline_succeeds": pr["auto"],
                    "web_url": "https://gitlab.example/%s/-/merge_requests/%d"
                    % (a.repo, pr["number"])}
        base = "https://github.example" if a.kind == "github" else \
            "https://gitea.example"
        v = {"number": pr["number"], "state": "open", "title": pr["title"],
             "body": pr["body"],
             "html_url": "%s/%s/pull/%d" % (base, a.repo, pr["number"]),
             "url": "http://api/repos/%s/pulls/%d" % (a.repo, pr["number"]),
             "head": {"ref": pr["head"], "sha": sha, "label":
                      "%s:%s" % (o, pr["head"])},
             "base": {"ref": pr["base"]}, "mergeable": None,
             "labels": [{"name": l} if isinstance(l, str) else
                        {"id": l} for l in pr["labels"]]}
        if a.kind == "github":
            v["node_id"] = "PR_kwDO%04d" % pr["number"]
            v["draft"] = pr["draft"]
        return v

    def open_pr(self, head, base):
        for p in PRS:
            if p["head"] == head and p["base"] == base and p["open"]:
                return p
        return None

    def new_pr(self, head, base, title, body, labels, draft):
        p = {"number": len(PRS) + 1, "head": head, "base": base,
             "title": title, "body": body, "labels": labels, "draft": draft,
             "open": True, "auto": False, "merged": False}
        PRS.append(p)
        return p

    # -- dispatch -------------------------------------------------------------
    def handle_any(self):
        a = self.server.a
        u = urlsplit(self.path)
        if u.path == "/_state":     # for the tests, not logged
            with LOCK:
                return self.send(200, PRS)
        if u.path == "/_status":    # a test reports CI results
            n = int(self.headers.get("Content-Length") or 0)
            with LOCK:
                STATUS.append(json.loads(self.rfile.read(n)))
            return self.send(201, None)
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = "<not json>"
        auth = self.auth()
        with open(a.port_file + ".log", "a") as f:
            f.write(json.dumps({
                "method": self.command, "path": self.path, "auth": auth,
                "user_agent": self.headers.get("User-Agent", ""),
                "accept": self.headers.get("Accept", ""),
                "api_version": self.headers.get("X-GitHub-Api-Version", ""),
                "content_type": self.headers.get("Content-Type", ""),
                "body": body}) + "\n")
        if body == "<not json>":
            return self.send(400, {"message": "Problems parsing JSON"})
        if os.path.exists(a.port_file + ".hang"):
            end = time.monotonic() + 120
            while os.path.exists(a.port_file + ".hang") and \
                    time.monotonic() < end:
                time.sleep(0.05)
            self.close_connection = True
            return
        try:
            with open(a.port_file + ".answer") as fp:
                code = int(fp.read().strip())
            return self.send(code, {"message": "Internal Server Error"
                                    if code == 500 else "stub: %d" % code})
        except FileNotFoundError:
            pass
        with LOCK:
            getattr(self, a.kind)(u, parse_qs(u.query), body, auth)

    do_GET = do_POST = do_PUT = do_PATCH = handle_any

    # -- GitHub -----------------------------------------------------------------
    def github(self, u, q, body, auth):
        a = self.server.a
        if self.knob("ratelimit"):
            return self.send(403, {
                "message": "You have exceeded a secondary rate limit. "
                "Please wait a few minutes before you try again.",
                "documentation_url": "https://docs.github.com/rest"},
                [("Retry-After", "1"), ("X-RateLimit-Remaining", "4999")])
        if not self.headers.get("User-Agent"):
            return self.send(403, {"message": "Request forbidden by "
                                   "administrative rules. Please make sure "
                                   "your request has a User-Agent header"})
        if auth != "ok":
            return self.send(401, {"message": "Bad credentials",
                                   "documentation_url":
                                   "https://docs.github.com/rest"})
        o, r = a.repo.split("/")
        pre = "/repos/%s/%s/" % (o, r)
        parts = u.path.split("/")
        if u.path == "/graphql" and self.command == "POST":
            v = (body or {}).get("variables", {})
            if "enablePullRequestAutoMerge" not in body.get("query", ""):
                return self.send(200, {"errors": [{"message": "unknown"}]})
            p = next((p for p in PRS if "PR_kwDO%04d" % p["number"] ==
                      v.get("id")), None)
            if p is None:
                return self.send(200, {"data": None, "errors": [{
                    "type": "NOT_FOUND", "message": "Could not resolve to a "
                    "node with the global id of '%s'" % v.get("id")}]})
            if v.get("m") not in ("MERGE", "SQUASH", "REBASE"):
                return self.send(200, {"errors": [{"message": "Variable $m "
                                       "of type PullRequestMergeMethod! was "
                                       "provided invalid value"}]})
            if os.path.exists(a.port_file + ".clean"):
                return self.send(200, {"data": {
                    "enablePullRequestAutoMerge": None}, "errors": [{
                    "type": "UNPROCESSABLE", "path":
                    ["enablePullRequestAutoMerge"], "message":
                    "Pull request Pull request is in clean status"}]})
            p["auto"] = v["m"]
            return self.send(200, {"data": {"enablePullRequestAutoMerge": {
                "pullRequest": {"number": p["number"]}}}})
        if not u.path.startswith(pre):
            return self.send(404, {"message": "Not Found"})
        rest = u.path[len(pre):].split("/")
        if len(rest) == 3 and rest[0] == "commits" and self.command == "GET":
            sha = rest[1]
            if rest[2] == "status":
                ss = [{"context": x["name"], "state": x["state"]}
                      for x in STATUS if x["sha"] == sha and
                      x["kind"] == "status"]
                comb = "pending" if not ss or any(
                    x["state"] == "pending" for x in ss) else "failure" \
                    if any(x["state"] != "success" for x in ss) \
                    else "success"
                return self.send(200, {"state": comb, "sha": sha,
                                       "total_count": len(ss),
                                       "statuses": ss})
            if rest[2] == "check-runs":
                cs = [{"name": x["name"], "status": x["state"].split("/")[0],
                       "conclusion": (x["state"].split("/") + [None])[1]}
                      for x in STATUS if x["sha"] == sha and
                      x["kind"] == "check"]
                return self.send(200, {"total_count": len(cs),
                                       "check_runs": cs})
        if rest == ["pulls"] and self.command == "GET":
            head = q.get("head", [""])[0]
            if ":" not in head:
                return self.send(200, [])   # GitHub ignores a bare branch
            hb = head.split(":", 1)[1]
            base = q.get("base", [""])[0]
            if self.race():
                return self.send(200, [])
            return self.send(200, [self.view(p) for p in PRS
                                   if p["open"] and p["head"] == hb and
                                   (not base or p["base"] == base)])
        if rest == ["pulls"] and self.command == "POST":
            b = body or {}
            for k in ("title", "head", "base"):
                if not isinstance(b.get(k), str) or not b[k]:
                    return self.send(422, {"message": "Invalid request.\n\n"
                                           "\"%s\" wasn't supplied." % k})
            if branch_sha(a.git_dir, b["head"]) is None:
                return self.send(422, {"message": "Validation Failed",
                                       "errors": [{"resource": "PullRequest",
                                                   "field": "head",
                                                   "code": "invalid"}]})
            if self.open_pr(b["head"], b["base"]):
                return self.send(422, {
                    "message": "Validation Failed", "errors": [{
                        "resource": "PullRequest", "code": "custom",
                        "message": "A pull request already exists for "
                        "%s:%s." % (o, b["head"])}],
                    "documentation_url": "https://docs.github.com/rest/"
                    "pulls/pulls#create-a-pull-request", "status": "422"})
            p = self.new_pr(b["head"], b["base"], b["title"],
                            b.get("body") or "", [], bool(b.get("draft")))
            return self.send(201, self.view(p))
        if len(rest) == 2 and rest[0] == "pulls" and self.command == "PATCH":
            p = next((p for p in PRS if str(p["number"]) == rest[1]), None)
            if p is None:
                return self.send(404, {"message": "Not Found"})
            for k in ("title", "body"):
                if k in (body or {}):
                    p[k] = body[k]
            return self.send(200, self.view(p))
        if len(rest) == 3 and rest[0] == "issues" and rest[2] == "labels" \
                and self.command == "POST":
            p = next((p for p in PRS if str(p["number"]) == rest[1]), None)
            if p is None:
                return self.send(404, {"message": "Not Found"})
            for l in (body or {}).get("labels", []):
                if l not in p["labels"]:
                    p["labels"].append(l)
            return self.send(200, [{"name": l} for l in p["labels"]])
        if len(rest) == 3 and rest[0] == "pulls" and rest[2] == "merge" \
                and self.command == "PUT":
            p = next((p for p in PRS if str(p["number"]) == rest[1]), None)
            if p is None:
                return self.send(404, {"message": "Not Found"})
            if (body or {}).get("sha") != branch_sha(a.git_dir, p["head"]):
                return self.send(409, {"message": "Head branch was modified."
                                       " Review and try the merge again."})
            p["merged"], p["open"] = (body or {}).get("merge_method",
                                                      "merge"), False
            return self.send(200, {"sha": "0" * 40, "merged": True,
                                   "message": "Pull Request successfully "
                                   "merged"})
        return self.send(404, {"message": "Not Found"})

    # -- GitLab -----------------------------------------------------------------
    def gitlab(self, u, q, body, auth):
        a = self.server.a
        if u.path == "/api/v4/version":
            if auth != "ok":
                return self.send(401, {"message": "401 Unauthorized"})
            return self.send(200, {"version": "16.11.0", "revision": "x"})
        if auth != "ok":
            return self.send(401, {"message": "401 Unauthorized"})
        # The project id is the URL-encoded path: org%2Fgitops.
        pre = "/api/v4/projects/%s/" % a.repo.replace("/", "%2F")
        if not u.path.startswith(pre):
            return self.send(404, {"message": "404 Project Not Found"})
        rest = u.path[len(pre):].split("/")
        if rest == ["pipelines"] and self.command == "GET":
            sha = q.get("sha", [""])[0]
            ps = [x for x in STATUS if x["sha"] == sha and
                  x["kind"] == "pipeline"]
            return self.send(200, [{"id": 100 + i, "sha": sha,
                                    "status": x["state"]} for i, x in
                                   reversed(list(enumerate(ps)))])
        if len(rest) == 4 and rest[:2] == ["repository", "commits"] and \
                rest[3] == "statuses" and self.command == "GET":
            return self.send(200, [{"name": x["name"], "status": x["state"]}
                                   for x in STATUS if x["sha"] == rest[2]
                                   and x["kind"] == "status"])
        if rest == ["merge_requests"] and self.command == "GET":
            if q.get("state", [""])[0] != "opened":
                return self.send(200, [])
            if self.race():
                return self.send(200, [])
            return self.send(200, [self.view(p) for p in PRS if p["open"]
                                   and p["head"] == q.get("source_branch",
                                                          [""])[0]
                                   and p["base"] == q.get("target_branch",
                                                          [""])[0]])
        if rest == ["merge_requests"] and self.command == "POST":
            b = body or {}
            miss = [k for k in ("source_branch", "target_branch", "title")
                    if not b.get(k)]
            if miss:
                return self.send(400, {"error": "%s is missing" %
                                       ", ".join(miss)})
            if branch_sha(a.git_dir, b["source_branch"]) is None:
                return self.send(422, {"message": ["Source branch does not "
                                                   "exist"]})
            old = self.open_pr(b["source_branch"], b["target_branch"])
            if old:
                return self.send(409, {"message": [
                    "Another open merge request already exists for this "
                    "source branch: !%d" % old["number"]]})
            p = self.new_pr(b["source_branch"], b["target_branch"],
                            b["title"], b.get("description") or "",
                            [l for l in (b.get("labels") or "").split(",")
                             if l], False)
            return self.send(201, self.view(p))
        if len(rest) >= 2 and rest[0] == "merge_requests":
            p = next((p for p in PRS if str(p["number"]) == rest[1]), None)
            if p is None:
                return self.send(404, {"message": "404 Not found"})
            if len(rest) == 2 and self.command == "PUT":
                b = body or {}
                if "title" in b:
                    p["title"] = b["title"]
                if "description" in b:
                    p["body"] = b["description"]
                for l in (b.get("add_labels") or "").split(","):
                    if l and l not in p["labels"]:
                        p["labels"].append(l)
                return self.send(200, self.view(p))
            if rest[2:] == ["merge"] and self.command == "PUT":
                b = body or {}
                if self.knob("blocked"):
                    return self.send(405, {"message": "405 Method Not "
                                           "Allowed"})
                sha = branch_sha(a.git_dir, p["head"])
                if b.get("sha") and b["sha"] != sha:
                    return self.send(409, {"message": "SHA does not match "
                                           "HEAD of source branch: %s" % sha})
                if b.get("merge_when_pipeline_succeeds") is not True:
                    return self.send(405, {"message": "405 Method Not "
                                           "Allowed"})
                p["auto"] = "squash" if b.get("squash") else "merge"
                return self.send(200, self.view(p))
        return self.send(404, {"message": "404 Not found"})

    # -- Gitea / Forgejo ------------------------------------------------------
    def gitea(self, u, q, body, auth):
        a = self.server.a
        if u.path == "/api/v1/version":
            return self.send(200, {"version": "1.21.11"})
        if auth != "ok":
            return self.send(401, {"message": "token is required",
                                   "url": "https://gitea.example/api/swagger"})
        pre = "/api/v1/repos/%s/" % a.repo
        if not u.path.startswith(pre):
            return self.send(404, {"message": "The target couldn't be "
                                   "found.", "errors": []})
        rest = [unquote(x) for x in u.path[len(pre):].split("/")]
        if len(rest) == 3 and rest[0] == "commits" and rest[2] == "status":
            ss = [{"context": x["name"], "status": x["state"]}
                  for x in STATUS if x["sha"] == rest[1] and
                  x["kind"] == "status"]
            comb = "" if not ss else "success" if all(
                x["status"] == "success" for x in ss) else "failure"
            return self.send(200, {"state": comb, "sha": rest[1],
                                   "total_count": len(ss), "statuses": ss})
        if rest == ["labels"] and self.command == "GET":
            return self.send(200, GITEA_LABELS)
        if len(rest) == 3 and rest[0] == "pulls" and self.command == "GET":
            p = None if self.race() else self.open_pr(rest[2], rest[1])
            if p is None:
                return self.send(404, {"message": "The target couldn't be "
                                       "found.", "errors": []})
            return self.send(200, self.view(p))
        if rest == ["pulls"] and self.command == "GET":
            st = q.get("state", ["open"])[0]
            lim, page = int(q.get("limit", ["30"])[0]), \
                int(q.get("page", ["1"])[0])
            ps = [] if self.race() else \
                [p for p in PRS if st != "open" or p["open"]]
            return self.send(200, [self.view(p) for p in
                                   ps[(page - 1) * lim:page * lim]])
        if rest == ["pulls"] and self.command == "POST":
            b = body or {}
            for k in ("head", "base", "title"):
                if not b.get(k):
                    return self.send(422, {"message": "[%s]: Required" %
                                           k.capitalize()})
            if branch_sha(a.git_dir, b["head"]) is None:
                return self.send(404, {"message": "The target couldn't be "
                                       "found.", "errors": []})
            old = self.open_pr(b["head"], b["base"])
            if old:
                return self.send(409, {
                    "message": "pull request already exists for these "
                    "targets [id: %d, issue_id: %d, head_repo_id: 1, "
                    "base_repo_id: 1, head_branch: %s, base_branch: %s]"
                    % (old["number"], old["number"], old["head"],
                       old["base"]),
                    "url": "https://gitea.example/api/swagger"})
            ids = b.get("labels") or []
            if any(not isinstance(i, int) for i in ids):
                return self.send(422, {"message": "labels: ids, not names"})
            p = self.new_pr(b["head"], b["base"], b["title"],
                            b.get("body") or "", ids, False)
            return self.send(201, self.view(p))
        if len(rest) >= 2 and rest[0] == "pulls":
            p = next((p for p in PRS if str(p["number"]) == rest[1]), None)
            if p is None:
                return self.send(404, {"message": "The target couldn't be "
                                       "found.", "errors": []})
            if len(rest) == 2 and self.command == "PATCH":
                b = body or {}
                for k in ("title", "body"):
                    if k in b:
                        p[k] = b[k]
                for i in b.get("labels") or []:
                    if i not in p["labels"]:
                        p["labels"].append(i)
                return self.send(201, self.view(p))
            if rest[2:] == ["merge"] and self.command == "POST":
                b = body or {}
                if b.get("Do") not in ("merge", "rebase", "rebase-merge",
                                       "squash", "fast-forward-only"):
                    return self.send(422, {"message": "[Do]: Required"})
                if b.get("head_commit_id") != branch_sha(a.git_dir,
                                                         p["head"]):
                    return self.send(409, {"message": "head out of date"})
                if p["auto"]:
                    return self.send(409, {"message": "pull request is "
                                           "already scheduled to auto merge "
                                           "when checks succeed"})
                p["auto"] = b["Do"]
                return self.send(201, None)
        return self.send(404, {"message": "The target couldn't be found.",
                               "errors": []})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kind", required=True,
                    choices=["github", "gitlab", "gitea"])
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--token", required=True)
    ap.add_argument("--git-dir", required=True)
    ap.add_argument("--repo", required=True)
    a = ap.parse_args()
    s = ThreadingHTTPServer(("127.0.0.1", 0), H)
    s.a = a
    stubutil.publish_port(s, a.port_file)
    s.serve_forever()


if __name__ == "__main__":
    main()
