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

# The issue's queries: 5xx share and p95 of rate()s over 5m.
ERR_DIFF="($(prom_err canary 5m)) - ($(prom_err baseline 5m))"
P95_RATIO="($(prom_p95 canary 5m)) / ($(prom_p95 baseline 5m))"

# expect_value PROMQL WANT: at PROM_AT, one value, WANT to 9 decimals.
expect_value() {
	prom_expect prom_query "$1" "$2"
}

# expect_empty PROMQL: the query succeeds with an empty result.
expect_empty() {
	prom_expect prom_query "$1" ''
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
	expect_value "$(prom_err baseline 5m)" 0.01
	expect_value "$(prom_p95 baseline 5m)" 0.2
	end
	begin "$1: canary 5xx rate $4, p95 $5"
	expect_value "$(prom_err canary 5m)" "$4"
	expect_value "$(prom_p95 canary 5m)" "$5"
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
expect_value "$(prom_err baseline 5m)" 0.01
expect_value "$(prom_p95 baseline 5m)" 0.2
expect_empty "$(prom_err canary 5m)"
expect_empty "$(prom_p95 canary 5m)"
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
