# prom.sh: a real Prometheus on loopback for the metric-gate tests (source
# after lib/cli.sh). The series are those of tests/lib/prom-series.py (its
# header has the numbers), backfilled into a temporary TSDB with promtool.
#
#   prom_start SCENARIO   good | errors | latency | missing: backfill, start
#                         prometheus on a free port, wait until it is ready;
#                         sets PROM_URL (http://127.0.0.1:PORT), PROM_AT (the
#                         series' end, Unix seconds: query there) and PROM_PID.
#                         Returns 1 (after fail) if it cannot.
#   prom_stop             stop it (by pid) and remove its directory (and
#                         the live exporter, if any).
#   prom_query PROMQL     an instant query at PROM_AT; prints the values of
#                         the result, one a line, as Prometheus wrote them
#                         (nothing for an empty result); returns 1 unless
#                         the status is "success".
#
# The live bed (metric-gate --interval/--count): tests/lib/prom-exporter.py
# serves the same series live, advancing every counter by one step of
# prom-series.py's table on each scrape (the header of prom-exporter.py has
# the numbers and the queries that are exact at any instant).
#
#   prom_start_live [SCENARIO]
#                         start the exporter (good by default), then
#                         prometheus on an empty TSDB scraping it every 1 s
#                         (job "live"), and wait until 2 scrapes are in;
#                         sets PROM_URL, PROM_PID, PROM_EXPORTER_URL and
#                         PROM_EXPORTER_PID. Returns 1 (after fail) if it
#                         cannot.
#   prom_wait_samples N   wait (at most WAIT_LIMIT seconds) until prometheus
#                         has the exporter's scrape number N (counting from
#                         1 at the exporter's start): N samples of every
#                         series when no scrape failed. Returns 1 (after
#                         fail) if it does not come.
#   prom_live_scenario SCENARIO
#                         switch the canary (good|errors|latency|missing;
#                         its counters restart from 0, as a new release's)
#                         and wait until prometheus has the first scrape of
#                         the new scenario; sets PROM_LIVE_SINCE to its
#                         number. From then on, queries at now see only it.
#   prom_query_now PROMQL like prom_query, at prometheus' now (the live bed).
#
# For either bed:
#   prom_err TRACK [RANGE]
#                         print the PromQL of TRACK's share of 5xx: of its
#                         counters as they stand (exact at any instant in
#                         the live bed), or of their rate() over RANGE (5m:
#                         the backfilled bed's query at PROM_AT).
#   prom_p95 TRACK [RANGE]
#                         likewise its p95 latency (histogram_quantile).
#   prom_expect QUERY PROMQL WANT
#                         in a test (begin/end of lib/cli.sh): QUERY
#                         (prom_query or prom_query_now) of PROMQL gives
#                         one value, WANT to 9 decimal places (float noise
#                         is ~1e-15), or nothing when WANT is empty; fail
#                         otherwise.
#
# A stand-in server (tests/lib/prom-stub.py: hung, 401, HTML, a counting
# proxy):
#   prom_stub MODE [ARGS...]
#                         start it on a free port; sets STUB_URL, STUB_PID
#                         and STUB_LOG (one line per request).
#   prom_stub_stop        stop it (by pid).
#
# A prometheus (or exporter, or stub) still running when the test script
# exits is stopped then.
# Never port 9090 nor the system's data dir: the Debian package's own
# service, if any, is not ours.
PROM_SERIES=$TOP/tests/lib/prom-series.py
PROM_EXPORTER=$TOP/tests/lib/prom-exporter.py
PROM_URL='' PROM_AT='' PROM_PID='' _prom_dir=''
PROM_EXPORTER_URL='' PROM_EXPORTER_PID='' PROM_LIVE_SINCE=''
STUB_URL='' STUB_PID='' STUB_LOG=''
trap 'prom_stub_stop; prom_stop; [ "$_t_failed" -eq 0 ] && rm -rf "$_t_root"' EXIT

prom_stub() {
	local pf=$_t_root/stub.$_t_n.port
	python3 "$TOP/tests/lib/prom-stub.py" --port-file "$pf" --mode "$@" \
	    >"$pf.out" 2>&1 &
	STUB_PID=$!
	wait_file "$pf" "prom-stub.py did not start" || return 1
	STUB_URL=http://127.0.0.1:$(cat "$pf")
	STUB_LOG=$pf.log
}

prom_stub_stop() {
	[ -n "$STUB_PID" ] || return 0
	kill "$STUB_PID" 2>/dev/null
	wait "$STUB_PID" 2>/dev/null
	STUB_PID=
}

# PROM_AT: a multiple of 300 s at least 5 minutes before now, so the whole
# hour of series is in the past and in a block the server loads. Fixed for
# the script's run: every scenario has the same end.
PROM_AT=$(( $(date +%s) / 300 * 300 - 300 ))

prom_start() {
	prom_stop
	_prom_dir=$(mktemp -d "$_t_root/prom.XXXXXX")
	python3 "$PROM_SERIES" "$1" "$PROM_AT" >"$_prom_dir/series.om" || {
		fail "prom-series.py $1 failed"
		return 1
	}
	promtool tsdb create-blocks-from openmetrics "$_prom_dir/series.om" \
	    "$_prom_dir/data" >"$_prom_dir/promtool.log" 2>&1 || {
		fail "promtool: $(tail -c 300 "$_prom_dir/promtool.log")"
		return 1
	}
	printf 'global:\n  scrape_interval: 15s\n' >"$_prom_dir/prometheus.yml"
	_prom_run
}

# _prom_run: start prometheus with $_prom_dir/prometheus.yml and its data
# dir on a free port; wait until it is ready.
_prom_run() {
	local port
	# A free port can be taken between free_port and the bind: try again.
	for _ in 1 2 3; do
		port=$(free_port)
		prometheus --config.file="$_prom_dir/prometheus.yml" \
		    --storage.tsdb.path="$_prom_dir/data" \
		    --storage.tsdb.retention.time=3650d \
		    --web.listen-address="127.0.0.1:$port" \
		    >"$_prom_dir/prometheus.log" 2>&1 &
		PROM_PID=$!
		PROM_URL=http://127.0.0.1:$port
		_prom_wait_ready && return 0
		prom_kill
		grep -q 'address already in use' "$_prom_dir/prometheus.log" || break
	done
	fail "prometheus did not start: $(tail -c 400 "$_prom_dir/prometheus.log")"
	return 1
}

# _prom_wait_ready: until /-/ready answers 200 (at most WAIT_LIMIT
# seconds), or the server has exited.
_prom_wait_ready() {
	local end=$((SECONDS + WAIT_LIMIT))
	until curl -fsS -o /dev/null --max-time 5 "$PROM_URL/-/ready" 2>/dev/null; do
		kill -0 "$PROM_PID" 2>/dev/null || return 1
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.1
	done
}

# prom_kill: stop the server (TERM, then KILL after WAIT_LIMIT seconds).
prom_kill() {
	_prom_kill_pid "$PROM_PID"
	PROM_PID=
}

_prom_kill_exporter() {
	_prom_kill_pid "$PROM_EXPORTER_PID"
	PROM_EXPORTER_PID='' PROM_EXPORTER_URL=''
}

# _prom_kill_pid PID: TERM, then KILL after WAIT_LIMIT seconds; reap it.
_prom_kill_pid() {
	[ -n "$1" ] || return 0
	kill "$1" 2>/dev/null
	local end=$((SECONDS + WAIT_LIMIT))
	while kill -0 "$1" 2>/dev/null && [ "$SECONDS" -lt "$end" ]; do
		sleep 0.05
	done
	kill -9 "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

prom_stop() {
	prom_kill
	_prom_kill_exporter
	[ -z "$_prom_dir" ] || rm -rf "$_prom_dir"
	_prom_dir='' PROM_URL=''
}

prom_query() {
	_prom_instant "$1" --data-urlencode "time=$PROM_AT"
}

prom_query_now() {
	_prom_instant "$1"
}

# _prom_instant PROMQL [CURL-ARGS...]: the instant query, its values printed.
_prom_instant() {
	local q=$1
	shift
	curl -sS --max-time 30 "$PROM_URL/api/v1/query" \
	    --data-urlencode "query=$q" "$@" |
	    python3 -c '
import json, sys
text = sys.stdin.read()
try:
    a = json.loads(text)
except ValueError:
    sys.exit("prometheus answered: %r" % text[:300])
if a.get("status") != "success":
    sys.exit("prometheus: %s: %s" % (a.get("errorType"), a.get("error")))
r = a["data"]["result"]
if a["data"]["resultType"] == "scalar":
    r = [{"value": r}]
for s in r:
    print(s["value"][1])'
}

prom_start_live() {
	local end
	prom_stop
	_prom_dir=$(mktemp -d "$_t_root/prom.XXXXXX")
	python3 "$PROM_EXPORTER" --port-file "$_prom_dir/exporter.port" \
	    --scenario "${1:-good}" >"$_prom_dir/exporter.log" 2>&1 &
	PROM_EXPORTER_PID=$!
	end=$((SECONDS + WAIT_LIMIT))
	until [ -s "$_prom_dir/exporter.port" ]; do
		if ! kill -0 "$PROM_EXPORTER_PID" 2>/dev/null ||
		    [ "$SECONDS" -ge "$end" ]; then
			fail "prom-exporter.py did not start: $(tail -c 300 "$_prom_dir/exporter.log")"
			return 1
		fi
		sleep 0.05
	done
	PROM_EXPORTER_URL=http://127.0.0.1:$(cat "$_prom_dir/exporter.port")
	# scrape_timeout may not exceed the interval; a scrape that misses it
	# is only a gap (the values count scrapes served, not time).
	cat >"$_prom_dir/prometheus.yml" <<-EOF
	global:
	  scrape_interval: 1s
	  scrape_timeout: 1s
	scrape_configs:
	  - job_name: live
	    static_configs:
	      - targets: ['${PROM_EXPORTER_URL#http://}']
	EOF
	_prom_run && prom_wait_samples 2
}

prom_wait_samples() {
	local end=$((SECONDS + WAIT_LIMIT)) got
	while :; do
		got=$(prom_query_now 'max(exporter_scrapes_total)' 2>/dev/null)
		[ -n "$got" ] && [ "${got%%.*}" -ge "$1" ] 2>/dev/null && return 0
		if [ "$SECONDS" -ge "$end" ]; then
			fail "prometheus has not scraped the exporter $1 times (at ${got:-none}) in ${WAIT_LIMIT}s"
			return 1
		fi
		sleep 0.1
	done
}

prom_live_scenario() {
	PROM_LIVE_SINCE=$(curl -fsS --max-time 30 --data-binary "$1" \
	    "$PROM_EXPORTER_URL/scenario" 2>&1) || {
		fail "prom-exporter.py refused scenario '$1': $PROM_LIVE_SINCE"
		return 1
	}
	prom_wait_samples "$PROM_LIVE_SINCE"
}

prom_err() {
	if [ -n "${2:-}" ]; then
		printf 'sum(rate(http_requests_total{track="%s",code="500"}[%s])) / sum(rate(http_requests_total{track="%s"}[%s]))' "$1" "$2" "$1" "$2"
	else
		printf 'sum(http_requests_total{track="%s",code="500"}) / sum(http_requests_total{track="%s"})' "$1" "$1"
	fi
}

prom_p95() {
	if [ -n "${2:-}" ]; then
		printf 'histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{track="%s"}[%s])))' "$1" "$2"
	else
		printf 'histogram_quantile(0.95, sum by (le) (http_request_duration_seconds_bucket{track="%s"}))' "$1"
	fi
}

prom_expect() {
	local got
	got=$("$1" "$2" 2>"$T/err") || {
		fail "query failed: $(head -c 300 "$T/err")"
		return
	}
	if [ -z "$3" ]; then
		[ -z "$got" ] || fail "$2: got '$got', want an empty result"
		return
	fi
	# one decimal number (not NaN, not two lines), within 5e-10 of WANT
	case $got in
	*[!0-9.e+-]* | '') fail "$2: got '$got', want $3" ;;
	*) awk -v g="$got" -v w="$3" 'BEGIN { d = g - w; exit !(d < 5e-10 && d > -5e-10) }' ||
		fail "$2: got '$got', want $3" ;;
	esac
}
