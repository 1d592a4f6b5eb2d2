# acd-lib.sh: what tests/cli/acd-*.sh share (source after lib/cli.sh):
# the Argo CD API simulator on loopback, its control calls, a token.
SIM=$TOP/tests/lib/argocd-sim.py
OLD=1111111111111111111111111111111111111111
NEW=2222222222222222222222222222222222222222
pids=
trap 'kill $pids 2>/dev/null; [ "$_t_failed" -eq 0 ] && rm -rf "$_t_root"' EXIT
unset ARGOCD_OPTS ARGOCD_SERVER ARGOCD_AUTH_TOKEN ARGOCD_USERNAME \
    ARGOCD_PASSWORD ARGOCD_CONFIG_DIR XDG_CONFIG_HOME
export HOME=$_t_root/home
mkdir -p "$HOME"

# start_sim DIR [ARGS...]: run a simulator, its port in $DIR/port.
start_sim() {
	local d=$1
	shift
	mkdir -p "$d"
	: >"$d/log"
	python3 "$SIM" --port-file "$d/port" "$@" >"$d/log" 2>&1 &
	pids="$pids $!"
	wait_file "$d/port" "the simulator did not start: $(head -c 300 "$d/log")"
}

# simctl PORT PATH [JSON] [FIELD]: a control call; print FIELD of the answer.
simctl() {
	python3 - "$@" <<'PY'
import json, sys, urllib.request
port, path = sys.argv[1], sys.argv[2]
data = sys.argv[3].encode() if len(sys.argv) > 3 and sys.argv[3] else None
r = urllib.request.urlopen(urllib.request.Request(
    "http://127.0.0.1:%s/_sim/%s" % (port, path), data=data,
    method="POST" if data is not None else "GET"), timeout=20)
ans = json.load(r)
print(ans[sys.argv[4]] if len(sys.argv) > 4 else json.dumps(ans))
PY
}

# count PORT PATTERN: how many logged API requests match "METHOD path".
count() {
	simctl "$1" requests | python3 -c '
import json, re, sys
print(sum(1 for r in json.load(sys.stdin)
          if re.search(sys.argv[1], r["method"] + " " + r["path"])))' "$2"
}

start_sim "$_t_root/sim"
P=$(cat "$_t_root/sim/port")
TOKEN=$(simctl "$P" token '{"sub":"ci:apiKey"}' token)
export ARGOCD_SERVER=127.0.0.1:$P ARGOCD_AUTH_TOKEN=$TOKEN
export ARGOCD_OPTS=--plaintext
app() { simctl "$P" apps "$1" >/dev/null; }

# watched CMD...: start CMD in the background (stdout and stderr into
# $T/out and $T/err), its pid in $bg, and return once it has opened a watch.
watched() {
	local before i=0
	before=$(count "$P" "GET /api/v1/stream")
	"$@" >"$T/out" 2>"$T/err" &
	bg=$!
	until [ "$(count "$P" "GET /api/v1/stream")" -gt "$before" ]; do
		i=$((i + 1))
		[ $i -lt 400 ] || { fail "no watch was opened"; break; }
		sleep 0.05
	done
}

# held APP CMD...: run CMD (stdout, stderr, status as run does) while APP's
# operation is held by the simulator; release it once CMD has opened a
# watch, so the order of events never depends on the machine's speed.
held() {
	local a=$1
	shift
	watched "$@"
	simctl "$P" "apps/$a/release" '{}' >/dev/null
	wait $bg
	rc=$?
}


# maxrss FILE CMD...: run CMD (stdout, stderr, status as run does) and write
# the peak resident memory, in kB, of its largest process to FILE.
maxrss() {
	local f=$1
	shift
	python3 -c '
import resource, subprocess, sys
rc = subprocess.call(sys.argv[2:])
with open(sys.argv[1], "w") as f:
    f.write("%d\n" % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(rc)' "$f" "$@" >"$T/out" 2>"$T/err"
	rc=$?
}

# sanitized: the commands were built with make SANITIZE=1 (memory is
# then not theirs to measure).
sanitized() { [ "$(cat "$TOP/bin/.variant" 2>/dev/null)" = san ]; }

# wait_sim PORT PATH FIELD MIN: wait (at most 120 s) until FIELD of the
# control call PATH is at least MIN.
wait_sim() {
	local i=0
	until [ "$(simctl "$1" "$2" "" "$3")" -ge "$4" ]; do
		i=$((i + 1))
		[ $i -lt 600 ] || { fail "$2: $3 never reached $4"; return 1; }
		sleep 0.2
	done
}
