# prom.sh: a real Prometheus on loopback for the metric-gate tests (source
# after lib/cli.sh). The series are those of tests/lib/prom-series.py (its
# header has the numbers), backfilled into a temporary TSDB with promtool.
#
#   prom_start SCENARIO   good | errors | latency | missing: backfill, start
#                         prometheus on a free port, wait until it is ready;
#                         sets PROM_URL (http://127.0.0.1:PORT), PROM_AT (the
#                         series' end, Unix seconds: query there) and PROM_PID.
#                         Returns 1 (after fail) if it cannot.
#   prom_stop             stop it (by pid) and remove its directory.
#   prom_query PROMQL     an instant query at PROM_AT; prints the values of
#                         the result, one a line, as Prometheus wrote them
#                         (nothing for an empty result); returns 1 unless
#                         the status is "success".
#
# A prometheus still running when the test script exits is stopped then.
# Never port 9090 nor the system's data dir: the Debian package's own
# service, if any, is not ours.
PROM_SERIES=$TOP/tests/lib/prom-series.py
PROM_URL='' PROM_AT='' PROM_PID='' _prom_dir=''
trap 'prom_stop; [ "$_t_failed" -eq 0 ] && rm -rf "$_t_root"' EXIT

# PROM_AT: a multiple of 300 s at least 5 minutes before now, so the whole
# hour of series is in the past and in a block the server loads. Fixed for
# the script's run: every scenario has the same end.
PROM_AT=$(( $(date +%s) / 300 * 300 - 300 ))

prom_start() {
	local port
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
	[ -n "$PROM_PID" ] || return 0
	kill "$PROM_PID" 2>/dev/null
	local end=$((SECONDS + WAIT_LIMIT))
	while kill -0 "$PROM_PID" 2>/dev/null && [ "$SECONDS" -lt "$end" ]; do
		sleep 0.05
	done
	kill -9 "$PROM_PID" 2>/dev/null
	wait "$PROM_PID" 2>/dev/null
	PROM_PID=
}

prom_stop() {
	prom_kill
	[ -z "$_prom_dir" ] || rm -rf "$_prom_dir"
	_prom_dir='' PROM_URL=''
}

prom_query() {
	curl -sS --max-time 30 "$PROM_URL/api/v1/query" \
	    --data-urlencode "query=$1" --data-urlencode "time=$PROM_AT" |
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
