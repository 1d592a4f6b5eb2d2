#!/bin/bash
# acd.sh: acd-sync, acd-wait and acd-rollback against the Argo CD API
# simulator (tests/argocd-sim.py) on loopback, plain HTTP and HTTPS.
. "$(dirname "$0")/lib.sh"

plan 49

SIM=$TOP/tests/argocd-sim.py
export SHARED
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

# held APP CMD...: run CMD (stdout, stderr, status as run does) while APP's
# operation is held by the simulator; release it once CMD has opened a
# watch, so the order of events never depends on the machine's speed.
held() {
	local a=$1 before i=0
	shift
	before=$(count "$P" "GET /api/v1/stream")
	"$@" >"$T/out" 2>"$T/err" &
	local w=$!
	until [ "$(count "$P" "GET /api/v1/stream")" -gt "$before" ]; do
		i=$((i + 1))
		[ $i -lt 400 ] || { fail "no watch was opened"; break; }
		sleep 0.05
	done
	simctl "$P" "apps/$a/release" '{}' >/dev/null
	wait $w
	rc=$?
}

begin "acd-sync waits for the reconcile after the sync, not stale status"
app '{"name":"stale","git_revision":"'$NEW'","b":{"reconcile_ms":300}}'
run acd-sync --timeout 60 stale
expect_rc 0
expect_out_text "stale Synced Healthy $NEW"
expect_err "stale: sync=Synced health=Healthy operation=Succeeded"
end

begin "acd-wait on an app that is already there returns at once, one GET"
app '{"name":"done"}'
before=$(count "$P" .)
run acd-wait --timeout 60 done
expect_rc 0
expect_out_text "done Synced Healthy $OLD"
[ $(($(count "$P" .) - before)) -eq 1 ] || fail "expected one request"
end

begin "acd-wait --revision waits until that revision is reconciled"
app '{"name":"rev","git_revision":"'$NEW'"}'
acd-wait --timeout 60 --revision 2222222 rev >"$T/wout" 2>"$T/werr" &
w=$!
wait_file "$T/werr" "acd-wait did not start"
simctl "$P" apps/rev/autosync '{}' >/dev/null
wait $w
rc=$?
expect_rc 0
[ "$(cat "$T/wout")" = "rev Synced Healthy $NEW" ] || fail "stdout: $(cat "$T/wout")"
end

begin "acd-wait --revision on stale status times out with 124"
app '{"name":"rev2","git_revision":"'$NEW'"}'
run acd-wait --timeout 1 --revision 2222222 rev2
expect_rc 124
expect_out_text "rev2 Synced Healthy $OLD"
expect_err "acd-wait: timed out after 1s"
expect_err "rev2: not there when the time ran out (sync=Synced health=Healthy operation=-)"
end

begin "a failed sync exits 1 and names the failed hook"
app '{"name":"bad","b":{"phase":"Failed","failed":[{"kind":"Job","name":"db-migrate","message":"Job has reached the specified backoff limit","hook":true}]}}'
run acd-sync --timeout 60 bad
expect_rc 1
expect_out_text "bad Synced Healthy $OLD"
expect_err "acd-sync: bad: the sync ended Failed: one or more synchronization tasks completed unsuccessfully, reason: Job has reached the specified backoff limit"
expect_err "acd-sync: bad:   Job default/db-migrate: Failed: Job has reached the specified backoff limit"
end

begin "Degraded after a sync fails acd-sync --health with the resources"
app '{"name":"deg","git_revision":"'$NEW'","b":{"health_after":[["Progressing",0,""],["Degraded",50,"Deployment rollout stalled"]]}}'
run acd-sync --timeout 60 --health deg
expect_rc 1
expect_out_text "deg Synced Degraded $NEW"
expect_err "acd-sync: deg: the application is Degraded: Deployment rollout stalled"
expect_err "acd-sync: deg:   Deployment test-lla/test-lla: Degraded: Deployment rollout stalled"
end

begin "--degraded-grace lets a rollout recover from Degraded"
app '{"name":"flap","git_revision":"'$NEW'","b":{"health_after":[["Progressing",0,""],["Degraded",50,"crash"],["Healthy",100,""]]}}'
run acd-sync --timeout 60 --health --degraded-grace 60s flap
expect_rc 0
expect_out_text "flap Synced Healthy $NEW"
expect_err "flap: sync=Synced health=Degraded operation=Succeeded"
end

begin "an app Degraded from the start fails acd-wait --health at once"
app '{"name":"sick","health":"Degraded","health_message":"Caused by Deployment test-lla/test-lla"}'
run acd-wait --timeout 60 --health sick
expect_rc 1
expect_err "acd-wait: sick: the application is Degraded: Caused by Deployment test-lla/test-lla"
end

begin "our operation's verdict stands when auto-sync replaces it"
app '{"name":"auto","b":{"hold":true,"phase_seq":["Failed","Succeeded"],"auto_after_ms":0,"message":"boom"}}'
held auto acd-sync --timeout 60 auto
expect_rc 1
expect_err "acd-sync: auto: the sync ended Failed: boom"
end

begin "a watch that drops mid-wait is reconnected"
# Each of the next three watches ends after one event; the operation is
# held until they have all been used up, then released.
simctl "$P" config '{"drop_stream_after":1,"drop_streams":3}' >/dev/null
app '{"name":"drop","git_revision":"'$NEW'","b":{"hold":true}}'
before=$(count "$P" "GET /api/v1/stream")
acd-sync --timeout 60 drop >"$T/out" 2>"$T/err" &
w=$!
i=0
until [ $(($(count "$P" "GET /api/v1/stream") - before)) -ge 4 ]; do
	i=$((i + 1))
	[ $i -lt 200 ] || { fail "no reconnects"; break; }
	sleep 0.05
done
simctl "$P" apps/drop/release '{}' >/dev/null
wait $w
rc=$?
expect_rc 0
expect_out_text "drop Synced Healthy $NEW"
simctl "$P" config '{"drop_streams":0}' >/dev/null
end

begin "503 bursts are retried"
app '{"name":"flaky"}'
simctl "$P" config '{"fail":[{"status":503,"count":2,"path":"^/api/v1/applications/flaky$","method":"GET"}]}' >/dev/null
run acd-wait --timeout 60 flaky
expect_rc 0
expect_out_text "flaky Synced Healthy $OLD"
end

begin "a server that stays unavailable exits 7 within the deadline"
simctl "$P" config '{"fail":[{"status":503,"count":1000,"path":"^/api/v1/applications/flaky$","method":"GET"}]}' >/dev/null
run acd-wait --timeout 3 flaky
expect_rc 7
expect_err "answers 503 (unavailable)"
simctl "$P" config '{"fail":[]}' >/dev/null
end

begin "connection refused exits 7"
run acd-wait --server 127.0.0.1:$(free_port) --timeout 2 flaky
expect_rc 7
end

begin "an expired token exits 6 and says so"
tok=$(simctl "$P" token '{"sub":"ci:apiKey","exp_in":-10}' token)
run acd-wait --auth-token "$tok" --timeout 10 done
expect_rc 6
expect_err "invalid session: token has invalid claims: token is expired (401)"
end

begin "a revoked token exits 6"
tok=$(simctl "$P" token '{"sub":"old:apiKey"}' token)
simctl "$P" revoke '{"token":"'$tok'"}' >/dev/null
run acd-wait --auth-token "$tok" --timeout 10 done
expect_rc 6
expect_err "invalid session: token is revoked, please re-login"
end

begin "no token at all exits 6"
run env -u ARGOCD_AUTH_TOKEN acd-wait --timeout 10 done
expect_rc 6
expect_err "no session information"
end

begin "a missing app exits 4 and says both possibilities"
run acd-wait --timeout 10 nosuch
expect_rc 4
expect_err "application 'nosuch': permission denied (403): the application does not exist, or the token may not see it"
end

begin "with --project a missing app is a plain 404"
run acd-wait --project default --timeout 10 nosuch
expect_rc 4
expect_err "applications.argoproj.io \"nosuch\" not found (404)"
end

begin "a project token does not see another project's app: exit 4"
tok=$(simctl "$P" token '{"sub":"proj:other:ci"}' token)
run acd-wait --auth-token "$tok" --timeout 10 done
expect_rc 4
expect_err "permission denied (403)"
end

begin "on a terminal the progress is a table redrawn in place"
app '{"name":"tty","git_revision":"'$NEW'"}'
run script -qec "env TERM=xterm acd-sync --timeout 60 tty" /dev/null
expect_rc 0
grep -q "$(printf '\033\\[2K')tty .*sync=Synced health=Healthy operation=Succeeded  done" "$T/out" || fail "no live table: $(head -c 300 "$T/out" | od -c | head -5)"
grep -q "$(printf '\033\\[1A')" "$T/out" || fail "no redraw"
end

begin "sync denied by RBAC exits 6"
tok=$(simctl "$P" token '{"sub":"viewer:apiKey","rbac":["get"]}' token)
app '{"name":"rbac"}'
run acd-sync --auth-token "$tok" --timeout 10 rbac
expect_rc 6
expect_err "permission denied: applications, sync, default/rbac"
end

begin "--if-busy fail exits 5 when an operation runs"
app '{"name":"busy","b":{"run_ms":600000}}'
simctl "$P" apps/busy/autosync '{}' >/dev/null
run acd-sync --if-busy fail --timeout 10 busy
expect_rc 5
expect_err "acd-sync: busy: another operation is already in progress"
end

begin "--if-busy terminate stops the running operation, then syncs"
simctl "$P" apps/busy/b '{"run_ms":50}' >/dev/null
run acd-sync --if-busy terminate --timeout 60 busy
expect_rc 0
expect_out_text "busy Synced Healthy $OLD"
[ "$(count "$P" "DELETE /api/v1/applications/busy/operation")" -eq 1 ] || fail "no terminate"
end

begin "by default a busy app is waited for, then synced"
simctl "$P" apps/busy/b '{"hold":true}' >/dev/null
simctl "$P" apps/busy/autosync '{}' >/dev/null
held busy acd-sync --timeout 60 busy
expect_rc 0
expect_err "busy: another operation is already in progress"
expect_err "waiting for it to end"
end

begin "a slow reconcile past the deadline exits 124"
app '{"name":"slow","git_revision":"'$NEW'","b":{"reconcile_ms":600000}}'
run acd-sync --timeout 1 slow
expect_rc 124
expect_out_text "slow Synced Healthy $OLD"
expect_err "acd-sync: timed out after 1s"
end

begin "a reconcile in the same second as the end is confirmed by a refresh"
simctl "$P" config '{"fixed_time":"2026-01-01T00:00:00Z"}' >/dev/null
app '{"name":"tie","git_revision":"'$NEW'","reconciled_ago":0,"b":{"reconcile_ms":600000,"refresh_ms":20}}'
run acd-sync --timeout 60 tie
expect_rc 0
expect_out_text "tie Synced Healthy $NEW"
[ "$(count "$P" "GET /api/v1/applications/tie$")" -ge 1 ] || fail "no refresh"
simctl "$P" config '{"fixed_time":""}' >/dev/null
end

begin "operation retries (Running with finishedAt) are not the end"
app '{"name":"retry","git_revision":"'$NEW'","b":{"retries":2,"retry_ms":50}}'
run acd-sync --timeout 60 retry
expect_rc 0
expect_out_text "retry Synced Healthy $NEW"
end

begin "a dry run needs no reconcile"
app '{"name":"dry","git_revision":"'$NEW'","b":{"reconcile_ms":600000}}'
run acd-sync --dry-run --timeout 60 dry
expect_rc 0
expect_out_text "dry Synced Healthy $OLD"
end

begin "acd-sync --async exits once the sync is accepted"
app '{"name":"async","b":{"pickup_ms":600000}}'
run acd-sync --async --timeout 60 async
expect_rc 0
expect_out_text "async Synced Healthy $OLD"
end

begin "the sync request carries the options and our tag"
app '{"name":"opts","b":{"run_ms":20}}'
run acd-sync -v --prune --force --revision main --server-side --retry-limit 2 --retry-backoff-duration 5s --info who=ci --resource apps:Deployment:test-lla --timeout 60 opts
expect_rc 0
grep -q '"prune":true' "$T/err" || fail "no prune in the body"
grep -q '"strategy":{"hook":{"force":true}}' "$T/err" || fail "no strategy"
grep -q '"syncOptions":{"items":\["ServerSideApply=true"\]}' "$T/err" || fail "no syncOptions"
grep -q '"retryStrategy":{"limit":2,"backoff":{"duration":"5s"}}' "$T/err" || fail "no retryStrategy"
grep -q '"resources":\[{"group":"apps","kind":"Deployment","name":"test-lla","namespace":"test-lla"}\]' "$T/err" || fail "no resources"
grep -q '{"name":"acd-op-id","value":"[0-9a-f-]\{36\}"},{"name":"who","value":"ci"}' "$T/err" || fail "no infos"
end

begin "--resource that matches nothing exits 4"
run acd-sync --resource apps:StatefulSet:nope --timeout 10 opts
expect_rc 4
expect_err "opts: no resource matches --resource apps:StatefulSet:nope"
end

begin "many apps by selector: one stream, one line each"
specs=$(for i in $(seq -w 1 12); do printf '{"name":"fleet-%s","labels":{"team":"a"},"git_revision":"%s"},' "$i" "$NEW"; done)
app "[${specs%,}]"
before=$(count "$P" "GET /api/v1/stream")
run acd-sync -l team=a --timeout 60
expect_rc 0
for i in $(seq -w 1 12); do echo "fleet-$i Synced Healthy $NEW"; done >"$T/want"
expect_out "$T/want"
[ $(($(count "$P" "GET /api/v1/stream") - before)) -eq 1 ] || fail "not one stream"
end

begin "--header is sent; --hard-refresh refreshes before the sync"
app '{"name":"hdr"}'
run acd-sync -H 'X-Trace: t-123' --hard-refresh --timeout 60 hdr
expect_rc 0
simctl "$P" requests | python3 -c '
import json, sys
rs = [r for r in json.load(sys.stdin) if r["path"].endswith("/hdr")]
sys.exit(0 if rs and all(r["headers"].get("x-trace") == "t-123" for r in rs)
         and rs[0]["query"] == "refresh=hard" else 1)' || fail "no header or no hard refresh first"
end

begin "--degraded and --suspended accept those health states"
app '{"name":"susp","health":"Suspended"}'
run acd-wait --health --suspended --timeout 10 susp
expect_rc 0
expect_out_text "susp Synced Suspended $OLD"
run acd-wait --degraded --timeout 10 sick
expect_rc 0
run acd-wait --sync --timeout 10 sick
expect_rc 0
end

begin "acd-wait -l with no match exits 4"
run acd-wait -l team=nobody --timeout 10
expect_rc 4
expect_err "no application matches the selector 'team=nobody'"
end

begin "-o json prints one object per app"
run acd-wait -o json --timeout 10 done
expect_rc 0
expect_out_text '{"app":"done","health":"Healthy","namespace":"argocd","operation":null,"result":"ok","revision":"'$OLD'","sync":"Synced"}'
end

begin "--until runs jq on the Application"
run acd-wait --until '.metadata.name == "done"' --timeout 10 done
expect_rc 0
run acd-wait --until '.metadata.name == "other"' --timeout 1 done
expect_rc 124
run acd-wait --until '.[' --timeout 1 done
expect_rc 2
end

begin "acd-rollback goes back to the previous deployment"
app '{"name":"rb","git_revision":"'$NEW'","history":0}'
acd-sync --timeout 60 rb >/dev/null 2>&1
simctl "$P" apps/rb/status '{"git_revision":"3333333333333333333333333333333333333333"}' >/dev/null
acd-sync --timeout 60 rb >/dev/null 2>&1
run acd-rollback --timeout 60 rb
expect_rc 0
expect_out_text "rb Synced Healthy $NEW"
end

begin "acd-rollback refuses an auto-sync app before asking"
app '{"name":"rbauto","automated":true}'
run acd-rollback --timeout 10 rbauto
expect_rc 3
expect_err "'rbauto' has auto-sync on"
[ "$(count "$P" "POST /api/v1/applications/rbauto/rollback")" -eq 0 ] || fail "asked anyway"
end

begin "acd-rollback with too little history exits 4"
app '{"name":"rbnew","history":1}'
run acd-rollback --timeout 10 rbnew
expect_rc 4
expect_err "'rbnew' has 1 deployment in its history: nothing earlier to roll back to"
end

begin "the token never shows, even with -v"
run acd-sync -v --timeout 60 done
expect_rc 0
grep -qF "$TOKEN" "$T/out" "$T/err" && fail "the token leaked"
grep -q "GET http" "$T/err" || fail "no -v trace"
end

begin "the server and token come from the argocd CLI's config"
mkdir -p "$T/cfg"
cat >"$T/cfg/config" <<EOF
current-context: sim
contexts:
- name: sim
  server: 127.0.0.1:$P
  user: sim
servers:
- server: 127.0.0.1:$P
  plain-text: true
users:
- name: sim
  auth-token: $TOKEN
EOF
chmod 600 "$T/cfg/config"
run env -u ARGOCD_SERVER -u ARGOCD_AUTH_TOKEN -u ARGOCD_OPTS ARGOCD_CONFIG_DIR="$T/cfg" acd-wait --timeout 10 done
expect_rc 0
expect_out_text "done Synced Healthy $OLD"
chmod 644 "$T/cfg/config"
run env -u ARGOCD_SERVER -u ARGOCD_AUTH_TOKEN -u ARGOCD_OPTS ARGOCD_CONFIG_DIR="$T/cfg" acd-wait --timeout 10 done
expect_rc 3
expect_err "config file has incorrect permission flags 0644"
end

begin "ARGOCD_USERNAME and ARGOCD_PASSWORD log in"
run env -u ARGOCD_AUTH_TOKEN ARGOCD_USERNAME=admin ARGOCD_PASSWORD=password acd-wait --timeout 10 done
expect_rc 0
run env -u ARGOCD_AUTH_TOKEN ARGOCD_USERNAME=admin ARGOCD_PASSWORD=wrong acd-wait --timeout 10 done
expect_rc 6
expect_err "login: Invalid username or password (401)"
end

begin "no server anywhere is a usage error"
run env -u ARGOCD_SERVER -u ARGOCD_OPTS acd-wait --timeout 10 done
expect_rc 2
expect_err "Argo CD server address unspecified"
end

begin "ARGOCD_OPTS gives defaults that flags override; unknown ones are skipped"
run env ARGOCD_OPTS="--server 127.0.0.1:1 --plaintext --grpc-web --loglevel debug" acd-wait --server 127.0.0.1:$P --timeout 10 done
expect_rc 0
run env ARGOCD_OPTS="--plaintext stray" acd-wait --timeout 10 done
expect_rc 2
expect_err "ARGOCD_OPTS invalid at 'stray'"
end

begin "GitHub Actions gets an ::error annotation per failed app"
run env TOOLKIT_CI=github acd-sync --timeout 60 bad
expect_rc 1
expect_err "::error title=acd-sync::bad: the sync ended Failed"
end

begin "usage errors exit 2"
run acd-wait
expect_rc 2
run acd-sync --if-busy maybe x
expect_rc 2
expect_err "--if-busy maybe: wait, fail or terminate"
run acd-rollback a b c
expect_rc 2
end

begin "every request matched the API schema"
run simctl "$P" violations
expect_out_text "[]"
end

# HTTPS with a throw-away CA, and a root path.
begin "HTTPS: the CA is verified, --ca-file trusts it, --insecure skips it"
d=$_t_root/tls
mkdir -p "$d"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=acd-test-ca \
    -keyout "$d/ca.key" -out "$d/ca.pem" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout "$d/srv.key" \
    -out "$d/srv.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\n' >"$d/ext"
openssl x509 -req -in "$d/srv.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" \
    -CAcreateserial -days 2 -extfile "$d/ext" -out "$d/srv.pem" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj /CN=acd-client -keyout "$d/cli.key" \
    -out "$d/cli.csr" 2>/dev/null
openssl x509 -req -in "$d/cli.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" \
    -CAcreateserial -days 2 -out "$d/cli.pem" 2>/dev/null
start_sim "$d" --tls "$d/srv.pem" "$d/srv.key" --rootpath /argocd \
    --client-ca "$d/ca.pem"
S=$(cat "$d/port")
tok=$(python3 - "$S" "$d/ca.pem" "$d/cli.pem" "$d/cli.key" <<'PY'
import json, ssl, sys, urllib.request
ctx = ssl.create_default_context(cafile=sys.argv[2])
ctx.load_cert_chain(sys.argv[3], sys.argv[4])
r = urllib.request.urlopen(urllib.request.Request(
    "https://127.0.0.1:%s/_sim/apps" % sys.argv[1], data=b'{"name":"tls"}',
    method="POST"), context=ctx, timeout=20)
r = urllib.request.urlopen(urllib.request.Request(
    "https://127.0.0.1:%s/_sim/token" % sys.argv[1], data=b'{}',
    method="POST"), context=ctx, timeout=20)
print(json.load(r)["token"])
PY
)
CC="--client-crt $d/cli.pem --client-crt-key $d/cli.key"
run env ARGOCD_OPTS= acd-wait --server 127.0.0.1:$S --grpc-web-root-path /argocd $CC --auth-token "$tok" --timeout 10 tls
expect_rc 6
expect_err "TLS"
run env ARGOCD_OPTS= acd-wait --server 127.0.0.1:$S --grpc-web-root-path /argocd $CC --ca-file "$d/ca.pem" --auth-token "$tok" --timeout 10 tls
expect_rc 0
expect_out_text "tls Synced Healthy $OLD"
run env ARGOCD_OPTS= acd-wait --server 127.0.0.1:$S --grpc-web-root-path /argocd $CC --insecure --auth-token "$tok" --timeout 10 tls
expect_rc 0
expect_err "TLS certificates are not verified (--insecure)"
end

done_testing
