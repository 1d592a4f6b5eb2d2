#!/usr/bin/env python3
"""tokenserver.py: a Docker-registry token server for loopback tests.

    tokenserver.py --port-file F --key K.pem --cert C.pem --issuer I
                   [--users u:p,...] [--tls CERT KEY] [--ttl S]

Answers GET /token?service=&scope=...: HTTP Basic credentials (401 when
wrong; none = anonymous, pull only), an RS256 JWT signed with the openssl
CLI (the standard library has no RSA) and naming its key by its libtrust key ID (kid). Every
request is logged to F.log as one JSON line (what the client sent), so
tests can count token fetches. Standard library only.
"""
import argparse, base64, hashlib, json, os, ssl, subprocess, sys, time, uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit, parse_qs

import stubutil


def b64(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def reply(self, code, obj):
        data = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        o = self.server.o
        u = urlsplit(self.path)
        q = parse_qs(u.query)
        user = ""
        auth = self.headers.get("Authorization", "")
        with open(o.port_file + ".log", "a") as f:
            f.write(json.dumps({"path": u.path, "query": q,
                                "basic": auth.startswith("Basic ")}) + "\n")
        if auth.startswith("Basic "):
            up = base64.b64decode(auth[6:]).decode()
            name, _, pw = up.partition(":")
            if self.server.users.get(name) != pw:
                return self.reply(401, {"details": "bad credentials"})
            user = name
        access = []
        for s in q.get("scope", []):
            typ, rest = s.split(":", 1)
            name, _, acts = rest.rpartition(":")
            acts = acts.split(",")
            if not user:
                acts = [a for a in acts if a == "pull"]
            access.append({"type": typ, "name": name, "actions": acts})
        now = int(time.time())
        head = {"typ": "JWT", "alg": "RS256", "kid": self.server.kid}
        claims = {"iss": o.issuer, "sub": user,
                  "aud": q.get("service", [""])[0], "exp": now + o.ttl,
                  "nbf": now - 10, "iat": now, "jti": str(uuid.uuid4()),
                  "access": access}
        signing = (b64(json.dumps(head).encode()) + "." +
                   b64(json.dumps(claims).encode())).encode()
        sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", o.key],
                             input=signing, capture_output=True,
                             check=True).stdout
        tok = signing.decode() + "." + b64(sig)
        self.reply(200, {"token": tok, "access_token": tok,
                         "expires_in": o.ttl,
                         "issued_at": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                    time.gmtime(now))})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--issuer", required=True)
    ap.add_argument("--users", default="ci:s3cret")
    ap.add_argument("--tls", nargs=2)
    ap.add_argument("--ttl", type=int, default=300)
    o = ap.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
    srv.daemon_threads = True
    srv.o = o
    srv.users = dict(u.split(":", 1) for u in o.users.split(","))
    der = subprocess.run(["openssl", "x509", "-in", o.cert, "-outform", "DER"],
                         capture_output=True, check=True).stdout
    srv.x5c = base64.b64encode(der).decode()
    # The registry finds the key by its libtrust ID: the SHA-256 of the
    # DER public key, 30 bytes of it in base32, 12 groups of 4 with ':'.
    pub = subprocess.run(["openssl", "x509", "-in", o.cert, "-pubkey",
                          "-noout"], capture_output=True, check=True).stdout
    spki = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "DER"],
                          input=pub, capture_output=True, check=True).stdout
    k = base64.b32encode(hashlib.sha256(spki).digest()[:30]).decode()
    srv.kid = ":".join(k[i:i + 4] for i in range(0, 48, 4))
    if o.tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(o.tls[0], o.tls[1])
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    stubutil.publish_port(srv, o.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()
