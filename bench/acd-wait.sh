#!/bin/bash
# acd-wait.sh: how soon a waiter notices that an Argo CD application has
# settled, and how many HTTP requests it makes doing so: acd-wait next to the
# seed recipe's curl+jq loop (10 s poll) and the same loop polling every
# second, against the API simulator (tests/lib/argocd-sim.py) on loopback. Then
# 500 applications selected by a label, waited on by one acd-wait.
#   bench/acd-wait.sh [RUNS]     RUNS of acd-wait and of the 1 s loop
#                                (default 20); the 10 s loop runs RUNS/4.
# The delay is the waiter's exit time minus the moment the simulator made
# the application settled (operation over, reconciled at the new revision,
# Healthy). Every waiter checks the revision, so none passes on stale status.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/install-deps" || exit 3
make -C "$top" -s all || exit 3
export PATH=$top/bin:$PATH
runs=${1:-20}
w=$(mktemp -d "${TMPDIR:-/tmp}/acd-bench.XXXXXX")
spid=
trap 'kill $spid 2>/dev/null; rm -rf "$w"' EXIT

python3 "$top/tests/lib/argocd-sim.py" --port-file "$w/port" >"$w/sim.log" 2>&1 &
spid=$!
i=0
until [ -s "$w/port" ]; do
	i=$((i + 1))
	[ $i -lt 500 ] || { echo "bench: the simulator did not start" >&2; exit 3; }
	sleep 0.02
done
port=$(cat "$w/port")
base=http://127.0.0.1:$port

sim() {
	curl -s -X "${3:-POST}" "$base/_sim/$1" ${2:+-d "$2"}
}

TOKEN=$(sim token '{"sub":"bench:apiKey"}' | jq -r .token)
export ARGOCD_SERVER=127.0.0.1:$port ARGOCD_AUTH_TOKEN=$TOKEN
export ARGOCD_OPTS=--plaintext

# requests NAME: how many API requests named the app (path or name=).
requests() {
	sim requests "" GET | jq --arg a "$1" '[.[] | select((.path |
	    endswith("/" + $a)) or (.query | test("name=" + $a + "(&|$)")))] |
	    length'
}

# seed SECONDS APP REV: the curl+jq polling loop people write.
seed() {
	until curl -s -H "Authorization: Bearer $TOKEN" \
	    "$base/api/v1/applications/$2" | jq -e --arg r "$3" '
	    .operation == null and .status.sync.status == "Synced" and
	    .status.health.status == "Healthy" and
	    .status.sync.revision == $r' >/dev/null; do
		sleep "$1"
	done
}

# one WHO N: one measured wait; prints "delay_ms requests".
one() {
	local who=$1 n=$2 app rev before i=0
	app=$who-$n
	rev=$(printf '%040x' "$((n + 4096))")
	sim apps '{"name":"'"$app"'","git_revision":"'"$rev"'"}' >/dev/null
	rm -f "$w/exit"
	(
		case $who in
		acd) acd-wait -q --revision "$rev" --timeout 2m "$app" >/dev/null ;;
		poll1) seed 1 "$app" "$rev" ;;
		poll10) seed 10 "$app" "$rev" ;;
		esac
		date +%s.%N >"$w/exit"
	) &
	local pid=$!
	# Start the change once the waiter is looking, at a random point of
	# its poll period (a poll loop's delay depends on that phase).
	until [ "$(requests "$app")" -gt 0 ]; do
		i=$((i + 1))
		[ $i -lt 400 ] || { echo "bench: $who never asked" >&2; exit 3; }
		sleep 0.02
	done
	sleep "$(awk -v s="$RANDOM" -v p="$([ "$who" = poll10 ] && echo 10 || echo 1)" \
	    'BEGIN { printf "%.3f", s / 32768 * p }')"
	sim "apps/$app/autosync" '{}' >/dev/null
	wait $pid
	settled=$(sim settled "" GET | jq --arg a "$app" '.[$a]')
	printf '%.0f %s\n' "$(echo "($(cat "$w/exit") - $settled) * 1000" | bc -l)" \
	    "$(requests "$app")"
}

# stats: median, p95, max of column 1, and the mean of column 2.
stats() {
	sort -n | awk '{ d[NR] = $1; r += $2 } END {
	    p = int(NR * 0.95 + 0.999); if (p > NR) p = NR;
	    printf "%8d %8d %8d %10.1f\n", d[int((NR + 1) / 2)], d[p], d[NR], r / NR }'
}

printf '%-34s %5s %8s %8s %8s %10s\n' "waiter (one app)" runs "med ms" \
    "p95 ms" "max ms" requests
for who in acd poll1 poll10; do
	n=$runs
	[ "$who" = poll10 ] && n=$(( (runs + 3) / 4 ))
	case $who in
	acd) name="acd-wait (GET + SSE watch)" ;;
	poll1) name="curl+jq loop, 1 s poll" ;;
	poll10) name="curl+jq loop, 10 s poll (seed)" ;;
	esac
	printf '%-34s %5s ' "$name" "$n"
	for i in $(seq "$n"); do one "$who" "$i"; done | stats
done

# 500 applications by label, one acd-wait.
specs=$(for i in $(seq -w 1 500); do
	printf '{"name":"fleet-%s","labels":{"fleet":"yes"}},' "$i"
done)
sim apps "[${specs%,}]" >/dev/null
rev=$(printf '%040x' 999999)
before=$(sim requests "" GET | jq length)
rm -f "$w/exit"
(
	acd-wait -q -l fleet=yes --revision "$rev" --timeout 5m >"$w/fleet.out"
	echo $? >"$w/fleet.rc"
	date +%s.%N >"$w/exit"
) &
fpid=$!
i=0
until sim requests "" GET | jq -e '[.[] | select(.path == "/api/v1/stream/applications")] | length > 0' >/dev/null; do
	i=$((i + 1))
	[ $i -lt 1000 ] || { echo "bench: no watch for the fleet" >&2; exit 3; }
	sleep 0.05
done
s=$(date +%s.%N)
sim autosync '{"selector":"fleet=yes","git_revision":"'"$rev"'"}' >/dev/null
wait $fpid
last=$(sim settled "" GET | jq '[to_entries[] | select(.key | startswith("fleet-")) | .value] | max')
reqs=$(sim requests "" GET | jq --argjson b "$before" '.[$b:] | group_by(.path | startswith("/api/v1/stream")) |
    map({(if .[0].path | startswith("/api/v1/stream") then "streams" else "other" end): length}) | add')
printf '\n500 apps by label: exit status %s, %s apps done, delay after the last settled %.0f ms (all 500 settled %.1f s after the start), requests %s\n' \
    "$(cat "$w/fleet.rc")" "$(wc -l <"$w/fleet.out")" \
    "$(echo "($(cat "$w/exit") - $last) * 1000" | bc -l)" \
    "$(echo "$last - $s" | bc -l)" "$(echo "$reqs" | jq -c .)"
