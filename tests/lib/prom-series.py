#!/usr/bin/env python3
"""prom-series.py: deterministic OpenMetrics series for the metric-gate tests.

    prom-series.py SCENARIO END    (END: Unix seconds; writes to stdout)

The hour before END (END - 3600 .. END inclusive), one sample every 15 s
(241 samples per series), for promtool tsdb create-blocks-from openmetrics.
END should be a multiple of 15 so that a 5m rate() at END sees exactly
21 samples over 300 s (no extrapolation; all counters are linear, so any
rate() window gives the same numbers).

Series, per track ("baseline", "canary"):
  http_requests_total{track,code="200"|"500"}          counter
  http_request_duration_seconds_bucket{track,le}       histogram, buckets
      le = 0.1, 0.3, 0.5, 1, +Inf (and _sum, _count; _count equals the
      track's requests)

Requests every 15 s: baseline 2000 (133.3/s), canary 1000 (66.7/s): the
canary gets less traffic, so only rates normalised by traffic compare.

Per 15 s:             total  5xx  err.rate  le=0.1 le=0.3 le=0.5   p95
  baseline             2000   20   1.0 %     1800   2000   2000  0.200 s
  canary, good         1000   14   1.4 %      890    990   1000  0.220 s
  canary, errors       1000   33   3.3 %      900   1000   1000  0.200 s
  canary, latency      1000   10   1.0 %      865    965   1000  0.270 s
  canary, missing      (no canary series at all; the baseline as above)

p95 is histogram_quantile's linear interpolation in the (0.1, 0.3] bucket:
0.1 + 0.2 * (0.95 * total - count(le=0.1)) / count(0.1 < d <= 0.3).

So at END, with
  err(T) = sum(rate(http_requests_total{track="T",code="500"}[5m]))
         / sum(rate(http_requests_total{track="T"}[5m]))
  p95(T) = histogram_quantile(0.95, sum by (le)
           (rate(http_request_duration_seconds_bucket{track="T"}[5m])))
the scenarios give:
  good     err(canary) - err(baseline) = 0.004   p95(canary) / p95(baseline) = 1.10
  errors                               = 0.023                               = 1.00
  latency                              = 0.000                               = 1.35
  missing  both empty (no canary series)
against the article's rule (fail above +0.01 error rate or a ratio of 1.2):
good passes, errors fails on error rate, latency fails on latency, missing
is inconclusive.
"""
import sys

STEP = 15
SPAN = 3600

# track -> (requests per step, 5xx per step, cumulative counts for le 0.1, 0.3, 0.5)
BASELINE = (2000, 20, (1800, 2000, 2000))
CANARY = {
    "good": (1000, 14, (890, 990, 1000)),
    "errors": (1000, 33, (900, 1000, 1000)),
    "latency": (1000, 10, (865, 965, 1000)),
    "missing": None,
}
LES = ("0.1", "0.3", "0.5", "1")
# Per-request duration credited to each bucket for _sum (its midpoint).
MID = (0.05, 0.2, 0.4, 0.75)


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in CANARY:
        sys.exit("usage: prom-series.py good|errors|latency|missing END")
    end = int(sys.argv[2])
    tracks = [("baseline", BASELINE)]
    if CANARY[sys.argv[1]] is not None:
        tracks.append(("canary", CANARY[sys.argv[1]]))
    steps = range(SPAN // STEP + 1)
    t0 = end - SPAN
    out = []
    w = out.append

    w("# HELP http_requests Requests served, by track and status code.")
    w("# TYPE http_requests counter")
    for track, (total, errs, _) in tracks:
        for code, n in (("200", total - errs), ("500", errs)):
            for i in steps:
                w('http_requests_total{track="%s",code="%s"} %d %d'
                  % (track, code, n * i, t0 + i * STEP))

    w("# HELP http_request_duration_seconds Request duration, by track.")
    w("# TYPE http_request_duration_seconds histogram")
    for track, (total, _, cum) in tracks:
        cum = cum + (total,)  # le=1 holds the rest; nothing above 1 s
        per = [cum[0]] + [cum[k] - cum[k - 1] for k in range(1, len(cum))]
        # Sum in milliseconds per step, an integer, so the text is exact.
        sum_ms = sum(int(m * 1000) * c for m, c in zip(MID, per))
        for i in steps:
            ts = t0 + i * STEP
            for le, c in zip(LES, cum):
                w('http_request_duration_seconds_bucket{track="%s",le="%s"} %d %d'
                  % (track, le, c * i, ts))
            w('http_request_duration_seconds_bucket{track="%s",le="+Inf"} %d %d'
              % (track, total * i, ts))
            w('http_request_duration_seconds_count{track="%s"} %d %d'
              % (track, total * i, ts))
            w('http_request_duration_seconds_sum{track="%s"} %d.%03d %d'
              % (track, sum_ms * i // 1000, sum_ms * i % 1000, ts))
    w("# EOF")
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
