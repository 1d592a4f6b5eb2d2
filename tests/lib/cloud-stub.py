#!/usr/bin/env python3
"""cloud-stub.py: loopback stand-ins for the cloud registries' auth exchanges.

    cloud-stub.py --port-file F --tls CERT KEY --upstream http://127.0.0.1:P

- ECR: POST / with X-Amz-Target ...GetAuthorizationToken: the AWS Signature
  V4 is checked against STUB_AWS_KEY/STUB_AWS_SECRET (403 when wrong), and
  the answer carries base64("AWS:" + STUB_ECR_PASSWORD).
- Azure AD: POST /TENANT/oauth2/v2.0/token (client credentials checked
  against STUB_AZURE_CLIENT_ID/SECRET) answers access_token "aad-token".
- ACR: POST /oauth2/exchange of access_token "aad-token" answers
  refresh_token STUB_ACR_REFRESH.
- Everything under /v2/ is passed to the upstream registry, so one TLS
  endpoint can stand for ghcr.io, *.dkr.ecr.*, *.azurecr.io and the rest
  (clients reach it with GITOPS_CONNECT_TO).
Each request is logged to F.log as one JSON line. Standard library only.
"""
import argparse, base64, hashlib, hmac, http.client, json, os, ssl
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit, parse_qs

import stubutil

ENV = os.environ.get


def sigv4_ok(h, body):
    """Check an AWS4-HMAC-SHA256 Authorization of a POST to /."""
    auth = h.headers.get("Authorization", "")
    if not auth.startswith("AWS4-HMAC-SHA256 "):
        return "no AWS4-HMAC-SHA256 Authorization"
    parts = dict(p.strip().split("=", 1) for p in auth[17:].split(","))
    key, date, region, service, term = parts["Credential"].split("/")
    if key != ENV("STUB_AWS_KEY") or service != "ecr" or term != \
            "aws4_request":
        return "wrong credential scope %s" % parts["Credential"]
    signed = parts["SignedHeaders"].split(";")
    canon_h = "".join("%s:%s\n" % (n, " ".join(h.headers.get(n, "").split()))
                      for n in signed)
    creq = "\n".join(["POST", "/", "", canon_h, ";".join(signed),
                      hashlib.sha256(body).hexdigest()])
    amzdate = h.headers.get("X-Amz-Date", "")
    sts = "\n".join(["AWS4-HMAC-SHA256", amzdate,
                     "/".join([date, region, service, term]),
                     hashlib.sha256(creq.encode()).hexdigest()])
    k = ("AWS4" + ENV("STUB_AWS_SECRET", "")).encode()
    for part in (date, region, service, term):
        k = hmac.new(k, part.encode(), hashlib.sha256).digest()
    want = hmac.new(k, sts.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(want, parts["Signature"]):
        return "signature mismatch"
    if "host" not in signed or "x-amz-date" not in signed:
        return "host and x-amz-date must be signed"
    return None


class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def reply(self, code, obj, headers=()):
        data = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def note(self, **kw):
        kw.update(method=self.command, path=urlsplit(self.path).path,
                  host=self.headers.get("Host", ""))
        with open(self.server.log, "a") as f:
            f.write(json.dumps(kw) + "\n")

    def proxy(self, body):
        up = urlsplit(self.server.upstream)
        c = http.client.HTTPConnection(up.hostname, up.port, timeout=30)
        hdr = {k: v for k, v in self.headers.items()
               if k.lower() in ("authorization", "accept", "content-type")}
        c.request(self.command, self.path, body=body, headers=hdr)
        r = c.getresponse()
        data = r.read()
        self.send_response(r.status)
        for k, v in r.getheaders():
            if k.lower() in ("content-type", "docker-content-digest",
                             "www-authenticate", "location", "link"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def any(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        path = urlsplit(self.path).path
        if path.startswith("/v2/"):
            self.note(kind="registry")
            return self.proxy(body)
        if self.headers.get("X-Amz-Target", "").endswith(
                "GetAuthorizationToken"):
            err = sigv4_ok(self, body)
            self.note(kind="ecr", ok=err is None, why=err,
                      target=self.headers.get("X-Amz-Target"),
                      ctype=self.headers.get("Content-Type"))
            if err:
                return self.reply(403, {"__type":
                                        "InvalidSignatureException",
                                        "message": err})
            tok = base64.b64encode(("AWS:" + ENV("STUB_ECR_PASSWORD", ""))
                                   .encode()).decode()
            return self.reply(200, {"authorizationData": [{
                "authorizationToken": tok, "expiresAt": 1e10,
                "proxyEndpoint": "https://ecr.example"}]})
        form = parse_qs(body.decode())
        if path.endswith("/oauth2/v2.0/token"):
            ok = (form.get("client_id", [""])[0] == ENV("STUB_AZURE_CLIENT_ID")
                  and form.get("client_secret", [""])[0] ==
                  ENV("STUB_AZURE_CLIENT_SECRET") and
                  form.get("grant_type", [""])[0] == "client_credentials")
            self.note(kind="aad", ok=ok)
            if not ok:
                return self.reply(401, {"error": "invalid_client"})
            return self.reply(200, {"access_token": "aad-token",
                                    "expires_in": 3599})
        if path == "/oauth2/exchange":
            ok = (form.get("access_token", [""])[0] == "aad-token" and
                  form.get("grant_type", [""])[0] == "access_token" and
                  form.get("service", [""])[0] ==
                  self.headers.get("Host", "").split(":")[0])
            self.note(kind="acr", ok=ok)
            if not ok:
                return self.reply(401, {"error": "bad exchange"})
            return self.reply(200, {"refresh_token":
                                    ENV("STUB_ACR_REFRESH", "")})
        self.note(kind="unknown")
        self.reply(404, {"error": "unknown path"})

    do_GET = do_HEAD = do_PUT = do_POST = do_DELETE = any


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--tls", nargs=2, required=True)
    ap.add_argument("--upstream", required=True)
    o = ap.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
    srv.daemon_threads = True
    srv.log = o.port_file + ".log"
    srv.upstream = o.upstream
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(*o.tls)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    stubutil.publish_port(srv, o.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()
