#!/bin/bash
# prom-testbed.sh: the Prometheus test bed of metric-gate (tests/lib/prom.sh,
# tests/lib/prom-series.py) gives, at PROM_AT, exactly the numbers the
# metric-gate tests rely on: for each scenario, the canary's 5xx rate minus
# the baseline's and the ratio of their p95 latencies, as the article's rule
# (">1% error rate increase or >20% latency increase") queries them. Values
# are compared rounded to 9 decimal places (float noise is ~1e-15).
. "$(dirname "$0")/../lib/cli.sh"
. "$TOP/tests/lib/prom.sh"

plan 15

# err T, p95 T: the issue's queries for track T.
err() {
	printf 'sum(rate(http_requests_total{track="%s",code="500"}[5m])) / sum(rate(http_requests_total{track="%s"}[5m]))' "$1" "$1"
}
p95() {
	printf 'histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{track="%s"}[5m])))' "$1"
}
ERR_DIFF="($(err canary)) - ($(err baseline))"
P95_RATIO="($(p95 canary)) / ($(p95 baseline))"

# expect_value PROMQL WANT: the query has one value, WANT to 9 decimals.
expect_value() {
	local got
	got=$(prom_query "$1" 2>"$T/err") || {
		fail "query failed: $(head -c 300 "$T/err")"
		return
	}
	python3 -c '
import sys
got, want = sys.argv[1].split("\n") if sys.argv[1] else [], float(sys.argv[2])
sys.exit(0 if len(got) == 1 and round(float(got[0]) - want, 9) == 0 else 1)' \
	    "$got" "$2" || fail "$1: got '$got', want $2"
}

# expect_empty PROMQL: the query succeeds with an empty result.
expect_empty() {
	local got
	got=$(prom_query "$1" 2>"$T/err") || {
		fail "query failed: $(head -c 300 "$T/err")"
		return
	}
	[ -z "$got" ] || fail "$1: got '$got', want an empty result"
}

# start SCENARIO: bail out when the bed cannot be set up.
start() {
	prom_start "$1" || {
		echo "Bail out! prometheus ($1) did not start"
		exit 1
	}
}

# scenario NAME ERR_DIFF P95_RATIO CANARY_ERR CANARY_P95
scenario() {
	begin "$1: prometheus starts on the backfilled series"
	start "$1"
	case $PROM_URL in http://127.0.0.1:[0-9]*) ;; *) fail "PROM_URL=$PROM_URL" ;; esac
	[ "$PROM_URL" != http://127.0.0.1:9090 ] || fail "port 9090 is the system's"
	expect_value "$(err baseline)" 0.01
	expect_value "$(p95 baseline)" 0.2
	end
	begin "$1: canary 5xx rate $4, p95 $5"
	expect_value "$(err canary)" "$4"
	expect_value "$(p95 canary)" "$5"
	end
	begin "$1: error-rate difference is $2"
	expect_value "$ERR_DIFF" "$2"
	end
	begin "$1: p95 ratio is $3"
	expect_value "$P95_RATIO" "$3"
	end
	prom_stop
}

scenario good 0.004 1.1 0.014 0.22
scenario errors 0.023 1 0.033 0.2
scenario latency 0 1.35 0.01 0.27

begin "missing: no canary series, the baseline's as usual"
start missing
expect_value "$(err baseline)" 0.01
expect_value "$(p95 baseline)" 0.2
expect_empty "$(err canary)"
expect_empty "$(p95 canary)"
expect_empty "$ERR_DIFF"
expect_empty "$P95_RATIO"
end

begin "bad PromQL is refused (status error, bad_data)"
if prom_query 'sum(rate(' >/dev/null 2>"$T/err"; then
	fail "bad PromQL was accepted"
fi
expect_err bad_data
end

begin "prom_stop: the server is gone, its directory removed"
pid=$PROM_PID dir=$_prom_dir url=$PROM_URL
prom_stop
[ ! -e "/proc/$pid" ] || fail "prometheus $pid still runs"
[ ! -e "$dir" ] || fail "$dir is still there"
! curl -s -o /dev/null --max-time 5 "$url/-/ready" || fail "$url still answers"
end

done_testing
