#!/bin/bash
# metric-gate.sh: the article's rule (">1% error rate increase or >20%
# latency increase should trigger immediate rollback": two checks, four
# queries) judged by metric-gate next to the curl + jq + awk script a
# careful team writes for it (an empty result, NaN and Inf are no data,
# not a pass; a refused query or an outage is an error, not a pass), on the
# same Prometheus test bed (tests/lib/prom.sh), in the same run.
#   bench/metric-gate.sh [ROUNDS]    ROUNDS of each, interleaved (default 20)
# Prints the median and p90 wall time of one evaluation of each, their
# ratio, the HTTP requests each makes (counted by a loopback proxy,
# tests/lib/prom-stub.py --mode proxy, in runs of their own, so the proxy
# costs the timed runs nothing), and whether both reach the same verdict
# on each scenario of the bed.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/install-deps" || exit 3
make -C "$top" -s all || exit 3
rounds=${1:-20}
# The test bed's helpers: a real prometheus on a free loopback port.
. "$top/tests/lib/cli.sh"
. "$top/tests/lib/prom.sh"
w=$_t_root
ppid_=
trap 'kill $ppid_ 2>/dev/null; prom_stop; rm -rf "$w"' EXIT
# No fail() report goes unseen: the bench stops at the first.
fail() { echo "bench: $*" >&2; exit 3; }

err() {
	printf 'sum(rate(http_requests_total{track="%s",code=~"5.."}[5m])) / sum(rate(http_requests_total{track="%s"}[5m]))' "$1" "$1"
}
p95() {
	printf 'histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{track="%s"}[5m])))' "$1"
}
export ERR_CANARY ERR_BASELINE P95_CANARY P95_BASELINE
ERR_CANARY=$(err canary) ERR_BASELINE=$(err baseline)
P95_CANARY=$(p95 canary) P95_BASELINE=$(p95 baseline)

# The careful script: each query once, by form POST as metric-gate does,
# the answer's status checked, one value or no data, the comparisons in
# awk (bc has no NaN). Exit 0 pass, 1 fail or inconclusive, 3 a refused
# query or a non-API answer, 7 Prometheus unreachable.
cat >"$w/seed-gate" <<'EOF'
#!/bin/bash
set -u
# q PROMQL: the single value of an instant query, or "nodata".
q() {
	local ans
	ans=$(curl -sS --max-time 30 --retry 5 --retry-connrefused \
	    "$PROM/api/v1/query" --data-urlencode "query=$1" \
	    --data-urlencode "time=$AT") || exit 7
	jq -er 'if .status != "success" then
	        error("prometheus refused the query: \(.errorType): \(.error)")
	    elif (.data.result | length) != 1 then "nodata"
	    else .data.result[0].value[1] end' <<<"$ans" || exit 3
}
# check NAME diff|ratio LIMIT CANARY BASELINE: 0 pass, 1 fail, 2 no data.
check() {
	local c b
	c=$(q "$4") || exit
	b=$(q "$5") || exit
	awk -v n="$1" -v c="$c" -v b="$b" -v k="$2" -v l="$3" '
	function nodata(x) { return x == "nodata" || x ~ /^[+-]?(Inf|NaN)$/ }
	BEGIN {
		if (nodata(c) || nodata(b)) { print n " inconclusive"; exit 2 }
		if (k == "diff") bad = c - b > l
		else if (b == 0) { if (c != 0) { print n " inconclusive"; exit 2 } }
		else bad = c / b > l
		print n " " (bad ? "fail" : "pass")
		exit bad
	}'
}
# A query error has exited already (3, 7); a failure or no data is 1.
e=0 l=0
check error-rate diff 0.01 "$ERR_CANARY" "$ERR_BASELINE" || e=$?
check latency ratio 1.2 "$P95_CANARY" "$P95_BASELINE" || l=$?
[ "$e" -eq 0 ] && [ "$l" -eq 0 ]
EOF
chmod +x "$w/seed-gate"

# mg URL: the rule as metric-gate.
mg() {
	"$top/bin/metric-gate" -q --prometheus "$1" --at "$PROM_AT" \
	    --check error-rate --query "$ERR_CANARY" --baseline-query "$ERR_BASELINE" --max-increase 0.01 \
	    --check latency --query "$P95_CANARY" --baseline-query "$P95_BASELINE" --max-ratio 1.2
}
seed() { PROM=$1 AT=$PROM_AT "$w/seed-gate"; }

echo "verdicts (exit status) on the test bed's scenarios:"
printf '  %-8s %12s %12s\n' scenario metric-gate curl+jq+awk
for s in good errors latency missing; do
	prom_start "$s" || exit 3
	mg "$PROM_URL" >/dev/null 2>&1; a=$?
	seed "$PROM_URL" >/dev/null 2>&1; b=$?
	printf '  %-8s %12s %12s%s\n' "$s" "$a" "$b" "$([ "$a" = "$b" ] || echo '  DIFFER')"
done

# Timed on the good canary: every query has to be asked, by both.
prom_start good || exit 3
for i in $(seq "$rounds"); do
	for who in mg seed; do
		s=$(date +%s%N)
		"$who" "$PROM_URL" >/dev/null 2>&1
		rc=$?
		e=$(date +%s%N)
		[ "$rc" -eq 0 ] || fail "$who exited $rc on the good canary"
		echo "$who $(( (e - s) / 1000 ))" >>"$w/times"
	done
done
# stat WHO: median and p90 in ms.
stat() {
	awk -v who="$1" '$1 == who { print $2 }' "$w/times" | sort -n | awk '
	{ v[NR] = $1 } END {
		p = int(NR * 0.9 + 0.999); if (p > NR) p = NR
		printf "%.1f %.1f\n", v[int((NR + 1) / 2)] / 1000, v[p] / 1000 }'
}
read -r mg_med mg_p90 < <(stat mg)
read -r seed_med seed_p90 < <(stat seed)
printf '\n%-36s %6s %8s %8s\n' "one evaluation of the rule (good)" runs "med ms" "p90 ms"
printf '%-36s %6s %8s %8s\n' "metric-gate" "$rounds" "$mg_med" "$mg_p90"
printf '%-36s %6s %8s %8s\n' "curl + jq + awk script" "$rounds" "$seed_med" "$seed_p90"
printf 'metric-gate is %sx faster (medians)\n' \
    "$(awk -v a="$seed_med" -v b="$mg_med" 'BEGIN { printf "%.1f", a / b }')"

# Requests, through the counting proxy.
python3 "$top/tests/lib/prom-stub.py" --port-file "$w/proxy" --mode proxy \
    --upstream "$PROM_URL" >"$w/proxy.out" 2>&1 &
ppid_=$!
wait_file "$w/proxy" "the counting proxy did not start"
purl=http://127.0.0.1:$(cat "$w/proxy")
# count CMD...: the requests CMD sends.
count() {
	: >"$w/proxy.log"
	"$@" >/dev/null 2>&1
	grep -c . "$w/proxy.log"
}
n_mg=$(count mg "$purl")
n_seed=$(count seed "$purl")
n_iv=$(count "$top/bin/metric-gate" -q --prometheus "$purl" --at "$((PROM_AT - 1200))" \
    --interval 10m --count 3 \
    --check error-rate --query "$ERR_CANARY" --baseline-query "$ERR_BASELINE" --max-increase 0.01 \
    --check latency --query "$P95_CANARY" --baseline-query "$P95_BASELINE" --max-ratio 1.2)
echo
echo "requests: $n_mg per evaluation (metric-gate; the script: $n_seed)"
echo "requests: $n_iv for --interval 10m --count 3 from a past --at (no waiting)"
