#!/usr/bin/env python3
"""registry-stub.py: what docker-registry 2.8 cannot show, on loopback.

    registry-stub.py --port-file F

/v2/paged/tags/list answers three pages of tags joined by Link headers (a
relative one, then an absolute one, then none); /v2/busy/manifests/* answers
429 with Retry-After: 1 twice, then the manifest; /v2/limited/* always
429 with Docker Hub's rate-limit headers; /v2/stored/* wants Basic auth
(u:p) and redirects its config blob to /storage/, which refuses any
Authorization header (as presigned storage URLs do); every manifest request
must carry the four manifest media types in Accept (400 otherwise).
/v2/bad/KNOB/manifests/* answers 200 with something that is not the
manifest asked for (HEAD without Docker-Content-Digest, so that a client
reads the bytes): notjson (cut short), huge (10 MB of valid JSON),
wrongdigest (Docker-Content-Digest of other bytes), digest (any digest
asked for gets MANIFEST), mediatype (Content-Type application/json; HEAD
with a digest), noconfig (an image manifest without config).
/v2/longpw/* wants Basic auth with user u and a 5,000-character password
("p" * 5000); /v2/bigtoken/* wants a bearer token of 10,000 characters,
which /token hands out. /v2/badtags/tags/list lists "ok" and "v1\nv2"
(not a tag); /v2/longlink/tags/list links its second page with a
3,000-character page token (400 when it comes back cut short).
/v2/loop/tags/list links every page to /v2/loop/tags/list?n=1&last=v1
(itself, from the second page on), each with a new tag; /v2/loop2/tags/list
links last=a to last=b and back; /v2/many/tags/list answers 11 pages of
100,000 new tags each (1,100,000 in all), each linked to the next. Every
request is logged to F.log as one JSON
line. Standard library only.
"""
import argparse, base64, hashlib, json, os, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit, parse_qs

import stubutil

TYPES = ["application/vnd.oci.image.manifest.v1+json",
         "application/vnd.oci.image.index.v1+json",
         "application/vnd.docker.distribution.manifest.v2+json",
         "application/vnd.docker.distribution.manifest.list.v2+json"]
PAGES = [["b1", "a2", "c3"], ["v1.0.0", "v1.10.0", "v1.9.0"], ["z", "y"]]
MANIFEST = json.dumps({"schemaVersion": 2, "mediaType": TYPES[0],
                       "config": {"mediaType":
                                  "application/vnd.oci.image.config.v1+json",
                                  "digest": "sha256:" + "0" * 64, "size": 2},
                       "layers": []}).encode()
BUSY = [0]
# /v2/stored: behind Basic auth (user u, password p); its blobs answer 307
# to /storage/<digest>, which refuses any Authorization header (400), the
# way a presigned object-storage URL does.
CONFIG = json.dumps({"architecture": "arm64", "os": "linux",
                     "variant": "v8", "rootfs": {"type": "layers",
                                                 "diff_ids": []}}).encode()
CONFIG_D = "sha256:" + hashlib.sha256(CONFIG).hexdigest()
STORED = json.dumps({"schemaVersion": 2, "mediaType": TYPES[0],
                     "config": {"mediaType":
                                "application/vnd.oci.image.config.v1+json",
                                "digest": CONFIG_D, "size": len(CONFIG)},
                     "layers": []}).encode()
BASIC = "Basic " + base64.b64encode(b"u:p").decode()

LONGPW = "Basic " + base64.b64encode(b"u:" + b"p" * 5000).decode()
BIGTOKEN = "t" * 10000
PAGETOKEN = "k" * 3000


def sha(b):
    return "sha256:" + hashlib.sha256(b).hexdigest()


# /v2/bad/KNOB/manifests/*: (Content-Type, body, Docker-Content-Digest or
# None, whether HEAD carries it too).
HUGE = json.dumps({"schemaVersion": 2, "mediaType": TYPES[0],
                   "junk": ["x" * 1000] * 10240}).encode()
NOTJSON = MANIFEST[:40]
NOCONFIG = json.dumps({"schemaVersion": 2, "mediaType": TYPES[0],
                       "layers": []}).encode()
BAD = {
    "notjson": (TYPES[0], NOTJSON, sha(NOTJSON), False),
    "huge": (TYPES[0], HUGE, sha(HUGE), False),
    "wrongdigest": (TYPES[0], MANIFEST, sha(b"other bytes"), False),
    "digest": (TYPES[0], MANIFEST, None, False),
    "mediatype": ("application/json", MANIFEST, sha(MANIFEST), True),
    "noconfig": (TYPES[0], NOCONFIG, sha(NOCONFIG), False),
}


class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def send(self, code, body=b"", headers=()):
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def handle_any(self):
        u = urlsplit(self.path)
        with open(self.server.log, "a") as f:
            f.write(json.dumps({"method": self.command, "path": u.path,
                                "query": u.query,
                                "accept": self.headers.get("Accept", "")})
                    + "\n")
        if u.path == "/v2/":
            return self.send(200, b"{}")
        if u.path.startswith("/v2/stored/"):
            if self.headers.get("Authorization") != BASIC:
                return self.send(401, b'{"errors":[{"code":"UNAUTHORIZED"}]}',
                                 [("WWW-Authenticate",
                                   'Basic realm="stub"'),
                                  ("Content-Type", "application/json")])
            if u.path.startswith("/v2/stored/manifests/"):
                d = "sha256:" + hashlib.sha256(STORED).hexdigest()
                return self.send(200, STORED, [("Content-Type", TYPES[0]),
                                               ("Docker-Content-Digest", d)])
            if u.path == "/v2/stored/blobs/" + CONFIG_D:
                return self.send(307, b"", [("Location",
                                             "/storage/" + CONFIG_D)])
        if u.path.startswith("/storage/"):
            if self.headers.get("Authorization"):
                return self.send(400, b"credentials sent to storage\n")
            if u.path == "/storage/" + CONFIG_D:
                return self.send(200, CONFIG, [("Content-Type",
                                                "application/octet-stream")])
        if u.path == "/v2/paged/tags/list":
            q = parse_qs(u.query)
            last = q.get("last", [""])[0]
            page = 0 if not last else 1 if last == "c3" else 2
            hdr = [("Content-Type", "application/json")]
            if page == 0:
                hdr.append(("Link", '</v2/paged/tags/list?n=3&last=c3>; '
                            'rel="next"'))
            elif page == 1:
                hdr.append(("Link", '<http://%s/v2/paged/tags/list?n=3&'
                            'last=v1.9.0>; rel="next"' %
                            self.headers["Host"]))
            body = json.dumps({"name": "paged", "tags": PAGES[page]})
            return self.send(200, body.encode(), hdr)
        mdig = [("Content-Type", TYPES[0]),
                ("Docker-Content-Digest", sha(MANIFEST))]
        if u.path.startswith("/v2/longpw/"):
            if self.headers.get("Authorization") != LONGPW:
                return self.send(401, b'{"errors":[{"code":"UNAUTHORIZED"}]}',
                                 [("WWW-Authenticate", 'Basic realm="stub"')])
            return self.send(200, MANIFEST, mdig)
        if u.path == "/token":
            return self.send(200, json.dumps({"token": BIGTOKEN,
                                              "expires_in": 300}).encode(),
                             [("Content-Type", "application/json")])
        if u.path.startswith("/v2/bigtoken/"):
            if self.headers.get("Authorization") != "Bearer " + BIGTOKEN:
                return self.send(401, b'{"errors":[{"code":"UNAUTHORIZED"}]}',
                                 [("WWW-Authenticate",
                                   'Bearer realm="http://%s/token",'
                                   'service="stub"' % self.headers["Host"])])
            return self.send(200, MANIFEST, mdig)
        if u.path == "/v2/badtags/tags/list":
            return self.send(200, json.dumps({"name": "badtags", "tags": [
                "ok", "v1\nv2"]}).encode(),
                [("Content-Type", "application/json")])
        if u.path in ("/v2/loop/tags/list", "/v2/loop2/tags/list",
                      "/v2/many/tags/list"):
            last = parse_qs(u.query).get("last", [""])[0]
            hdr = [("Content-Type", "application/json")]
            if u.path == "/v2/loop/tags/list":
                with self.server.lock:
                    self.server.loops += 1
                    tags = ["t%d" % self.server.loops]
                nxt = "n=1&last=v1"
            elif u.path == "/v2/loop2/tags/list":
                tags = [last or "start"]
                nxt = "n=1&last=" + ("a" if last == "b" else "b")
            else:
                page = int(last[1:]) // 100000 if last else 0
                tags = ["p%07d" % (page * 100000 + i + 1)
                        for i in range(100000)]
                nxt = "n=100000&last=" + tags[-1] if page < 10 else None
            if nxt:
                hdr.append(("Link", '<%s?%s>; rel="next"' % (u.path, nxt)))
            return self.send(200, json.dumps({"tags": tags}).encode(), hdr)
        if u.path == "/v2/longlink/tags/list":
            q = parse_qs(u.query)
            hdr = [("Content-Type", "application/json")]
            if "page" not in q:
                hdr.append(("Link", '</v2/longlink/tags/list?page=%s>; '
                            'rel="next"' % PAGETOKEN))
                return self.send(200, b'{"tags":["a"]}', hdr)
            if q["page"] != [PAGETOKEN]:
                return self.send(400, b'{"errors":[{"code":"PAGINATION_'
                                 b'NUMBER_INVALID"}]}', hdr)
            return self.send(200, b'{"tags":["b"]}', hdr)
        if u.path.startswith("/v2/endless/manifests/"):
            # A manifest answer that does not end: chunked 'x' until the
            # client hangs up (at most 64 MB, so the stub stops by itself).
            self.send_response(200)
            self.send_header("Content-Type", TYPES[0])
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            if self.command == "HEAD":
                return
            chunk = b"x" * 65536
            try:
                for _ in range(1024):
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            except OSError:
                pass
            self.close_connection = True
            return
        if u.path.startswith("/v2/bad/") and "/manifests/" in u.path:
            knob = u.path.split("/")[3]
            if knob in BAD:
                ct, body, dig, head = BAD[knob]
                hdr = [("Content-Type", ct)]
                if dig and (head or self.command != "HEAD"):
                    hdr.append(("Docker-Content-Digest", dig))
                return self.send(200, body, hdr)
        if u.path.startswith("/v2/limited/manifests/"):
            return self.send(429, b'{"errors":[{"code":"TOOMANYREQUESTS",'
                             b'"message":"pull rate limit"}]}',
                             [("Retry-After", "1"),
                              ("ratelimit-limit", "100;w=21600"),
                              ("ratelimit-remaining", "0;w=21600"),
                              ("Content-Type", "application/json")])
        if u.path.startswith("/v2/busy/manifests/"):
            acc = self.headers.get("Accept", "")
            if not all(t in acc for t in TYPES):
                return self.send(400, json.dumps({"errors": [{
                    "code": "MANIFEST_INVALID",
                    "message": "the four manifest types were not all "
                               "accepted"}]}).encode(),
                    [("Content-Type", "application/json")])
            if BUSY[0] < 2:
                BUSY[0] += 1
                return self.send(429, b'{"errors":[{"code":"TOOMANYREQUESTS",'
                                 b'"message":"slow down"}]}',
                                 [("Retry-After", "1"),
                                  ("Content-Type", "application/json")])
            d = "sha256:" + hashlib.sha256(MANIFEST).hexdigest()
            return self.send(200, MANIFEST, [("Content-Type", TYPES[0]),
                                             ("Docker-Content-Digest", d)])
        self.send(404, b"404 page not found\n",
                  [("Content-Type", "text/plain")])

    do_GET = do_HEAD = do_PUT = do_POST = handle_any


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    o = ap.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
    srv.daemon_threads = True
    srv.log = o.port_file + ".log"
    srv.lock = threading.Lock()
    srv.loops = 0
    stubutil.publish_port(srv, o.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()
