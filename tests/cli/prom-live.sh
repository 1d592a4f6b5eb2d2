#!/bin/bash
# prom-live.sh: the live Prometheus test bed of metric-gate --interval/--count
# (tests/lib/prom.sh prom_start_live, tests/lib/prom-exporter.py): prometheus
# scrapes the loopback exporter every second and, at whatever instant it is
# asked, gives exactly the numbers of prom-series.py's table, scenario by
# scenario as the canary is switched. Only ratios of counters that advance
# in a fixed proportion are compared, so scrape timing cannot change them;
# values to 9 decimal places (float noise is ~1e-15).
. "$(dirname "$0")/../lib/cli.sh"
. "$TOP/tests/lib/prom.sh"

plan 9

ERR_DIFF="($(prom_err canary)) - ($(prom_err baseline))"
P95_RATIO="($(prom_p95 canary)) / ($(prom_p95 baseline))"

expect_now() {
	prom_expect prom_query_now "$@"
}

# canary ERR P95 ERR_DIFF P95_RATIO: the canary's four numbers now.
canary() {
	expect_now "$(prom_err canary)" "$1"
	expect_now "$(prom_p95 canary)" "$2"
	expect_now "$ERR_DIFF" "$3"
	expect_now "$P95_RATIO" "$4"
}

begin "prom_start_live: prometheus on loopback scrapes the exporter"
prom_start_live || {
	echo "Bail out! the live bed did not start"
	exit 1
}
case $PROM_URL in http://127.0.0.1:[0-9]*) ;; *) fail "PROM_URL=$PROM_URL" ;; esac
case $PROM_EXPORTER_URL in
http://127.0.0.1:[0-9]*) ;;
*) fail "PROM_EXPORTER_URL=$PROM_EXPORTER_URL" ;;
esac
[ "$PROM_URL" != http://127.0.0.1:9090 ] || fail "port 9090 is the system's"
expect_now 'up{job="live"}' 1
expect_now 'scrape_samples_scraped{job="live"}' 19
end

begin "each scrape advances the counters by one step of the table"
prom_wait_samples 3
# from the same scrape: baseline requests = 2000 x its number
expect_now 'sum(http_requests_total{track="baseline"}) / scalar(exporter_scrapes_total)' 2000
expect_now 'sum(http_request_duration_seconds_count{track="canary"}) / scalar(exporter_scrapes_total)' 1000
expect_now 'sum(http_request_duration_seconds_sum{track="baseline"}) / scalar(exporter_scrapes_total)' 130
end

begin "good: baseline 1% and p95 0.2 s; canary +0.004, p95 x1.1"
expect_now "$(prom_err baseline)" 0.01
expect_now "$(prom_p95 baseline)" 0.2
canary 0.014 0.22 0.004 1.1
# rate() over a range holding no switch: the same ratio
expect_now "$(prom_err canary 1m)" 0.014
end

begin "errors: the canary restarts at the switch, +0.023"
prom_live_scenario errors
canary 0.033 0.2 0.023 1
# its counters restarted: 1000 requests per scrape since PROM_LIVE_SINCE
expect_now "sum(http_requests_total{track=\"canary\"}) / 1000 - scalar(exporter_scrapes_total)" $((1 - PROM_LIVE_SINCE))
[ "$PROM_LIVE_SINCE" -ge 3 ] || fail "first scrape of errors: $PROM_LIVE_SINCE"
end

begin "latency: p95 x1.35, error rate as the baseline's"
prom_live_scenario latency
canary 0.01 0.27 0 1.35
expect_now "$(prom_p95 baseline)" 0.2
end

begin "missing: no canary series (stale at once), the baseline's as usual"
prom_live_scenario missing
canary '' '' '' ''
expect_now "$(prom_err baseline)" 0.01
end

begin "good again: the canary comes back with fresh counters"
prom_live_scenario good
canary 0.014 0.22 0.004 1.1
end

begin "the exporter's control: /state, and an unknown scenario is refused"
curl -sS --max-time 30 "$PROM_EXPORTER_URL/state" >"$T/state" 2>&1 || fail "GET /state: $(cat "$T/state")"
python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
sys.exit(0 if s["scenario"] == "good" and s["since"] == int(sys.argv[2])
         and s["scrapes"] >= s["since"] else 1)' "$T/state" "$PROM_LIVE_SINCE" ||
	fail "state: $(cat "$T/state")"
code=$(curl -s -o "$T/out" -w '%{http_code}' --max-time 30 \
    --data-binary bogus "$PROM_EXPORTER_URL/scenario")
[ "$code" = 400 ] || fail "scenario bogus: HTTP $code"
expect_out_text 'scenario: good|errors|latency|missing'
end

begin "prom_stop: prometheus and the exporter are gone, the directory removed"
pid=$PROM_PID epid=$PROM_EXPORTER_PID dir=$_prom_dir url=$PROM_URL eurl=$PROM_EXPORTER_URL
prom_stop
[ ! -e "/proc/$pid" ] || fail "prometheus $pid still runs"
[ ! -e "/proc/$epid" ] || fail "prom-exporter.py $epid still runs"
[ ! -e "$dir" ] || fail "$dir is still there"
[ -z "$PROM_EXPORTER_PID$PROM_EXPORTER_URL" ] || fail "exporter variables still set"
! curl -s -o /dev/null --max-time 5 "$url/-/ready" || fail "$url still answers"
! curl -s -o /dev/null --max-time 5 "$eurl/state" || fail "$eurl still answers"
end

done_testing
