#!/usr/bin/env python3
"""prom-stub.py: a misbehaving (or counting) Prometheus for the metric-gate tests.

    prom-stub.py --port-file F --mode MODE [--upstream URL] [--token T]

Listens on 127.0.0.1, a free port, written to F when ready. Every request
is logged, one line each, to F.log: "METHOD PATH auth=ok|bad|none"
(auth=ok when the Authorization header is "Bearer T"; the header itself is
never written), so a test can count requests and check what was sent
without the secret in any file but its own.

MODE:
  hang    read the request and never answer (until the test kills us)
  401     answer 401, with the body Prometheus' own auth proxies send
  html    answer 200 with an HTML page (a login page, a wrong URL)
  proxy   forward to --upstream (a real Prometheus) and relay its answer:
          a loopback proxy that counts the requests; with --token, a
          request without "Bearer T" gets 401 instead
"""
import argparse
import http.server
import sys
import threading
import time
import urllib.error
import urllib.request

sys.path.insert(0, __import__("os").path.dirname(__file__))
import stubutil  # noqa: E402


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def auth(self):
        got = self.headers.get("Authorization")
        if got is None:
            return "none"
        return "ok" if got == "Bearer %s" % (self.server.a.token or "") else "bad"

    def record(self, auth):
        with self.server.lock:
            with open(self.server.a.port_file + ".log", "a") as f:
                f.write("%s %s auth=%s\n" % (self.command, self.path, auth))

    def answer(self, code, ctype, body):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def handle_any(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n > 0 else b""
        auth = self.auth()
        self.record(auth)
        mode = self.server.a.mode
        if mode == "hang":
            # Keep the connection open and silent; the client's deadline
            # ends it (or the test kills us).
            while True:
                time.sleep(3600)
        if mode == "401" or (mode == "proxy" and self.server.a.token and auth != "ok"):
            self.answer(401, "text/plain; charset=utf-8", b"Unauthorized\n")
            return
        if mode == "html":
            self.answer(200, "text/html; charset=utf-8",
                        b"<!DOCTYPE html>\n<html><head><title>Sign in</title></head>"
                        b"<body><form>Sign in to continue</form></body></html>\n")
            return
        req = urllib.request.Request(self.server.a.upstream + self.path,
                                     data=body if self.command == "POST" else None,
                                     method=self.command)
        ct = self.headers.get("Content-Type")
        if ct:
            req.add_header("Content-Type", ct)
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                code, ctype, data = r.status, r.headers.get("Content-Type"), r.read()
        except urllib.error.HTTPError as e:
            code, ctype, data = e.code, e.headers.get("Content-Type"), e.read()
        except OSError as e:
            self.answer(502, "text/plain", ("upstream: %s\n" % e).encode())
            return
        self.answer(code, ctype or "application/json", data)

    do_GET = do_POST = handle_any


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--mode", required=True, choices=("hang", "401", "html", "proxy"))
    ap.add_argument("--upstream")
    ap.add_argument("--token")
    a = ap.parse_args()
    if a.mode == "proxy" and not a.upstream:
        sys.exit("prom-stub.py: --mode proxy needs --upstream")
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    srv.a = a
    srv.lock = threading.Lock()
    open(a.port_file + ".log", "w").close()
    stubutil.publish_port(srv, a.port_file)
    srv.serve_forever()


main()
