#!/usr/bin/env python3
"""prom-exporter.py: a tiny live exporter for the metric-gate tests.

    prom-exporter.py --port-file FILE [--scenario good|errors|latency|missing]

Listens on 127.0.0.1 (a port the kernel picks, written to FILE once it
listens) and serves the series of tests/lib/prom-series.py (same names,
labels and numbers) live, for a Prometheus that scrapes it:

  GET /metrics     one scrape: every counter advances by one step of
                   prom-series.py's table (baseline: 2000 requests, 20 of
                   them 5xx; the canary per scenario), then the text format.
                   So the values depend only on how many scrapes there were,
                   never on the clock. exporter_scrapes_total is the number
                   of this scrape (1 for the first).
  POST /scenario   body good|errors|latency|missing: the canary's increments
                   from the next scrape on. The canary restarts, as a new
                   canary release would: its counters start again from 0
                   (Prometheus sees a counter reset), or its series vanish
                   (missing). Answers the number of the first scrape of the
                   new scenario, then a newline. 400 for anything else.
  GET /state       {"scrapes": N, "scenario": "good", "since": FIRST}

Exact at any instant, whatever the scrape timing (all of a track's counters
advance in a fixed proportion since the canary's start):
  sum(http_requests_total{track="canary",code="500"})
    / sum(http_requests_total{track="canary"})        0.01 0.014 0.033 0.01
  histogram_quantile(0.95, sum by (le)
    (http_request_duration_seconds_bucket{track="T"}))  0.2 0.22 0.2 0.27
(baseline, then the canary in good, errors, latency). rate() and increase()
ratios are exact too over a range that holds no scenario switch.
"""
import argparse
import importlib.util
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import stubutil  # noqa: E402

_spec = importlib.util.spec_from_file_location(
    "prom_series", os.path.join(HERE, "prom-series.py"))
series = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(series)

LES = series.LES + ("+Inf",)


class Track:
    """One track's counters, advanced by its table row every scrape."""

    def __init__(self, row):
        total, errs, cum = row
        self.step_ok, self.step_err = total - errs, errs
        self.step_buckets = cum + (total, total)  # le=1 and +Inf hold all
        per = [cum[0]] + [cum[k] - cum[k - 1] for k in range(1, len(cum))]
        per.append(total - cum[-1])
        self.step_sum_ms = sum(int(m * 1000) * c
                               for m, c in zip(series.MID, per))
        self.steps = 0

    def lines(self, name):
        n = self.steps
        out = ['http_requests_total{track="%s",code="200"} %d'
               % (name, self.step_ok * n),
               'http_requests_total{track="%s",code="500"} %d'
               % (name, self.step_err * n)]
        hist = ['http_request_duration_seconds_bucket{track="%s",le="%s"} %d'
                % (name, le, c * n) for le, c in zip(LES, self.step_buckets)]
        s = self.step_sum_ms * n
        hist.append('http_request_duration_seconds_sum{track="%s"} %d.%03d'
                    % (name, s // 1000, s % 1000))
        hist.append('http_request_duration_seconds_count{track="%s"} %d'
                    % (name, self.step_buckets[-1] * n))
        return out, hist


class State:
    def __init__(self, scenario):
        self.lock = threading.Lock()
        self.scrapes = 0
        self.baseline = Track(series.BASELINE)
        self.set_scenario(scenario)

    def set_scenario(self, scenario):
        row = series.CANARY[scenario]
        self.scenario = scenario
        self.since = self.scrapes + 1
        self.canary = Track(row) if row is not None else None

    def scrape(self):
        with self.lock:
            self.scrapes += 1
            tracks = [("baseline", self.baseline)]
            if self.canary is not None:
                tracks.append(("canary", self.canary))
            req, hist = [], []
            for name, t in tracks:
                t.steps += 1
                r, h = t.lines(name)
                req += r
                hist += h
            text = [
                "# HELP exporter_scrapes_total Scrapes served so far.",
                "# TYPE exporter_scrapes_total counter",
                "exporter_scrapes_total %d" % self.scrapes,
                "# HELP http_requests_total Requests served, by track and "
                "status code.",
                "# TYPE http_requests_total counter",
            ] + req + [
                "# HELP http_request_duration_seconds Request duration, "
                "by track.",
                "# TYPE http_request_duration_seconds histogram",
            ] + hist
            return ("\n".join(text) + "\n").encode()


class H(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def send(self, code, body, ctype="text/plain; charset=utf-8"):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        st = self.server.state
        if self.path == "/metrics":
            return self.send(200, st.scrape(),
                             "text/plain; version=0.0.4; charset=utf-8")
        if self.path == "/state":
            with st.lock:
                body = json.dumps({"scrapes": st.scrapes,
                                   "scenario": st.scenario,
                                   "since": st.since})
            return self.send(200, (body + "\n").encode(), "application/json")
        self.send(404, b"404 page not found\n")

    def do_POST(self):
        st = self.server.state
        if self.path != "/scenario":
            return self.send(404, b"404 page not found\n")
        try:
            n = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            n = -1
        name = ""
        if 0 <= n <= 100:
            name = self.rfile.read(n).decode("ascii", "replace").strip()
        if name not in series.CANARY:
            return self.send(400, b"scenario: good|errors|latency|missing\n")
        with st.lock:
            st.set_scenario(name)
            since = st.since
        self.send(200, b"%d\n" % since)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--scenario", default="good", choices=sorted(series.CANARY))
    o = ap.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
    srv.daemon_threads = True
    srv.state = State(o.scenario)
    stubutil.publish_port(srv, o.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()
