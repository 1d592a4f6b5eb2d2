#!/bin/bash
# acd-wait.sh: acd-wait, and the connection and credential handling all three share, against the Argo CD API simulator
# (tests/lib/argocd-sim.py) on loopback.
. "$(dirname "$0")/../lib/cli.sh"

plan 38

. "$TOP/tests/lib/acd-lib.sh"

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

begin "an app Degraded from the start fails acd-wait --health at once"
app '{"name":"sick","health":"Degraded","health_message":"Caused by Deployment test-lla/test-lla"}'
run acd-wait --timeout 60 --health sick
expect_rc 1
expect_err "acd-wait: sick: the application is Degraded: Caused by Deployment test-lla/test-lla"
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

begin "usage errors exit 2"
run acd-wait
expect_rc 2
end

begin "a watch line that never ends: cut at 8 MB, then polls; memory stays bounded"
# 128 MB of 'x' and no newline, on every watch. The app gets there only
# once the first watch's line is over (read whole, or cut by acd-wait):
# only the polls can tell acd-wait.
app '{"name":"endless","sync":"OutOfSync"}'
before=$(simctl "$P" streams "" long_lines)
simctl "$P" config '{"long_line_bytes":134217728,"long_line_streams":1000}' >/dev/null
maxrss "$T/rss" timeout 150 acd-wait --timeout 120 --poll-interval 300ms endless &
w=$!
wait_sim "$P" streams long_lines $((before + 1))
simctl "$P" apps/endless/status '{"sync":"Synced"}' >/dev/null
wait $w
rc=$?
simctl "$P" config '{"long_line_bytes":0,"long_line_streams":0}' >/dev/null
expect_rc 0
expect_out_text "endless Synced Healthy $OLD"
expect_err "acd-wait: warning: the watch sent a line longer than 8 MB again: no more watching, polling every 300ms instead"
[ "$(count "$P" "GET /api/v1/stream")" -ge 2 ] || fail "no second watch"
echo "# peak memory: $(cat "$T/rss") kB"
if ! sanitized; then
	[ "$(cat "$T/rss")" -lt 65536 ] || fail "peak memory $(cat "$T/rss") kB"
fi
end

begin "--timeout 0 is no limit: a GET answered after 32 s still counts"
# Before, a request without a deadline got 30 s and ended the run with
# 124 "timed out after 0s".
app '{"name":"slowget"}'
simctl "$P" config '{"delay":[{"ms":32000,"count":1,"path":"^/api/v1/applications/slowget$","method":"GET"}]}' >/dev/null
run timeout 100 acd-wait --timeout 0 slowget
simctl "$P" config '{"delay":[]}' >/dev/null
expect_rc 0
expect_out_text "slowget Synced Healthy $OLD"
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

begin "HTTPS: with no --ca-file, SSL_CERT_FILE, CURL_CA_BUNDLE or SSL_CERT_DIR names the CA"
A=(acd-wait --server 127.0.0.1:$S --grpc-web-root-path /argocd $CC --auth-token "$tok" --timeout 10 tls)
run env ARGOCD_OPTS= SSL_CERT_FILE="$d/ca.pem" "${A[@]}"
expect_rc 0
expect_out_text "tls Synced Healthy $OLD"
run env ARGOCD_OPTS= CURL_CA_BUNDLE="$d/ca.pem" "${A[@]}"
expect_rc 0
mkdir "$d/certs" && cp "$d/ca.pem" "$d/certs/" && openssl rehash "$d/certs"
run env ARGOCD_OPTS= SSL_CERT_DIR="$d/certs" "${A[@]}"
expect_rc 0
# curl's order: CURL_CA_BUNDLE before SSL_CERT_FILE; --ca-file before both.
run env ARGOCD_OPTS= CURL_CA_BUNDLE="$d/cli.pem" SSL_CERT_FILE="$d/ca.pem" "${A[@]}"
expect_rc 6
expect_err "the CAs of CURL_CA_BUNDLE '$d/cli.pem' do not sign its certificate: name one that does (or, knowingly, use --insecure)"
# A setting that names no readable bundle or directory is the user's: 2.
run env ARGOCD_OPTS= SSL_CERT_FILE="$d/none.pem" "${A[@]}"
expect_rc 2
expect_no_out
expect_err "acd-wait: cannot read the CA bundle '$d/none.pem' (from SSL_CERT_FILE): No such file or directory"
run env ARGOCD_OPTS= CURL_CA_BUNDLE="$d/cli.pem" "${A[@]}" --ca-file "$d/ca.pem"
expect_rc 0
end

# until_err FILE PATTERN PID: wait (at most 60 s) until FILE has a line
# matching the extended regex PATTERN, or process PID has ended.
until_err() {
	local i=0
	until grep -Eq "$2" "$1" 2>/dev/null || ! kill -0 "$3" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 600 ] || { fail "no line like '$2'"; return 1; }
		sleep 0.1
	done
}
ROLLOUT='Deployment/test-lla: Waiting for rollout to finish: 0 of 2 updated replicas are available\.\.\.'

begin "a heartbeat line per interval while waiting: elapsed/deadline, state, the resource's message"
app '{"name":"roll","health":"Progressing"}'
acd-wait --health --progress-interval 1s --timeout 2m roll >"$T/out" 2>"$T/err" &
w=$!
until_err "$T/err" "waiting" $w
simctl "$P" apps/roll/status '{"health":"Healthy"}' >/dev/null
wait $w
rc=$?
expect_rc 0
expect_out_text "roll Synced Healthy $OLD"
grep -Eq "^acd-wait: roll: waiting [0-9]+s/(2m|1m59s): sync=Synced health=Progressing operation=-; $ROLLOUT\$" "$T/err" ||
    fail "no heartbeat line: $(cat "$T/err")"
end

begin "the heartbeat: without a deadline only the elapsed time; none with -q or --progress-interval 0"
app '{"name":"roll2","health":"Progressing"}'
acd-wait --health --progress-interval 1s --timeout 0 roll2 >"$T/out" 2>"$T/err" &
w=$!
until_err "$T/err" "waiting" $w
simctl "$P" apps/roll2/status '{"health":"Healthy"}' >/dev/null
wait $w
rc=$?
expect_rc 0
grep -Eq "^acd-wait: roll2: waiting [0-9]+s: sync=Synced health=Progressing operation=-; $ROLLOUT\$" "$T/err" ||
    fail "no heartbeat line: $(cat "$T/err")"
simctl "$P" apps/roll2/status '{"health":"Progressing"}' >/dev/null
run acd-wait -q --health --progress-interval 1s --timeout 3 roll2
expect_rc 124
grep -q "waiting" "$T/err" && fail "-q, yet: $(cat "$T/err")"
run env ARGOCD_OPTS="--plaintext --progress-interval 1s" acd-wait --health --progress-interval 0 --timeout 3 roll2
expect_rc 124
grep -q "waiting" "$T/err" && fail "--progress-interval 0, yet: $(cat "$T/err")"
run acd-wait --health --progress-interval 1ms roll2
expect_rc 2
expect_err "acd-wait: --progress-interval: 0 (none) or at least 1s"
run acd-wait --health --progress-interval 0.5 roll2
expect_rc 2
expect_err "acd-wait: --progress-interval: invalid duration '0.5' (use e.g. 90, 90s, 5m, 1h30m)"
end

begin "on a terminal the table shows the elapsed and the remaining time"
run script -qec "env TERM=xterm acd-wait --health --timeout 3 roll2" /dev/null
expect_rc 124
grep -q "roll2 .*sync=Synced health=Progressing operation=-  [0-9]s, [0-9]s left" "$T/out" ||
    fail "no clock: $(head -c 600 "$T/out" | od -c | head -12)"
end

begin "--resource judges those resources, not the app"
app '{"name":"res","health":"Progressing"}'
run acd-wait --health --resource :Service:test-lla --timeout 60 res
expect_rc 0
expect_out_text "res Synced Progressing $OLD"
run acd-wait --health --resource apps:Deployment:test-lla/test-lla --timeout 2 res
expect_rc 124
expect_out_text "res Synced Progressing $OLD"
# Globs, and "!" excludes: every resource but the apps group's.
run acd-wait --health --resource '*:*:*' --resource '!apps:*:*' --timeout 60 res
expect_rc 0
end

begin "the example of acd-wait(1): --resource apps:Deployment:web --resource :Service:*"
app '{"name":"myapp-dev","res_name":"web"}'
run acd-wait --resource apps:Deployment:web --resource :Service:* myapp-dev
expect_rc 0
expect_out_text "myapp-dev Synced Healthy $OLD"
end

begin "--resource naming no resource of the settled app exits 4"
run acd-wait --resource apps:Deployment:test-lla --resource apps:Deployment:nosuch --timeout 60 res
expect_rc 4
expect_out_text "res Synced Progressing $OLD"
expect_err "acd-wait: res: no resource of the application matches --resource apps:Deployment:nosuch"
end

begin "--resource: a Degraded one fails --health with its message; a wrong pattern is a usage error"
app '{"name":"resdeg"}'
simctl "$P" apps/resdeg/status '{"health":"Degraded","health_message":"Back-off pulling image \"web:v9\""}' >/dev/null
run acd-wait --health --resource apps:Deployment:test-lla --timeout 60 resdeg
expect_rc 1
expect_err "acd-wait: resdeg: Deployment/test-lla is Degraded: Back-off pulling image \"web:v9\""
run acd-wait --resource Deployment:web res
expect_rc 2
expect_err "acd-wait: --resource 'Deployment:web': write GROUP:KIND:NAME or GROUP:KIND:NAMESPACE/NAME (the core group is empty: ':Service:web')"
end

begin "--resource grows: 300 of them"
args=()
for i in $(seq 300); do args+=(--resource ":Service:test-lla"); done
run acd-wait --health "${args[@]}" --timeout 60 res
expect_rc 0
end

begin "the heartbeat says what it waits for when the state does not: a revision, another operation"
app '{"name":"hbrev","revision":"'$OLD'"}'
run acd-wait --revision $NEW --progress-interval 1s --timeout 5 hbrev
expect_rc 124
grep -Eq "^acd-wait: hbrev: waiting [0-9]+s/5s: sync=Synced health=Healthy operation=-; revision 1111111 is not 2222222 \(no git repository here to tell a later commit by: give --repo-dir\)\$" "$T/err" ||
    fail "no heartbeat with the reason: $(cat "$T/err")"
app '{"name":"hbop","b":{"hold":true}}'
simctl "$P" apps/hbop/autosync '{}' >/dev/null
run acd-wait --progress-interval 1s --timeout 5 hbop
expect_rc 124
grep -Eq "^acd-wait: hbop: waiting [0-9]+s/5s: sync=Synced health=Healthy operation=Pending; an operation initiated by auto-sync is pending\$" "$T/err" ||
    fail "no heartbeat with the reason: $(cat "$T/err")"
simctl "$P" apps/hbop/release '{}' >/dev/null
end

begin "the result line is one line whatever the server's fields hold"
app '{"name":"oddrev","revision":"abc\n::error::fake"}'
run acd-wait --timeout 30 oddrev
expect_rc 0
expect_out_text 'oddrev Synced Healthy abc\n::error::fake'
end

begin "the live table on a terminal masks secrets, as every log line does"
app '{"name":"hidden-app-name"}'
printf 'hidden-app-name\n' >"$T/pw"
chmod 600 "$T/pw"
# A terminal for stderr only: script(1) gives the command a pty.
TOOLKIT_CI=none TERM=xterm script -qec "acd-wait --timeout 60 \
    --password-file '$T/pw' hidden-app-name >'$T/out'" "$T/tty" >/dev/null
rc=$?
expect_rc 0
expect_out_text "hidden-app-name Synced Healthy $OLD"
# The table's lines only (script adds a header and a footer).
grep -a $'\033' "$T/tty" | cat -v >"$T/table"
printf '%s\n' \
    '^[[2K***                sync=Synced health=Healthy operation=-  done^M' \
    '^[[1A^[[2K***                sync=Synced health=Healthy operation=-  done^M' \
    >"$T/want"
diff -u "$T/want" "$T/table" >"$T/diff" || fail "the table: $(cat "$T/diff")"
end

done_testing
