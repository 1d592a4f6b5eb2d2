#!/bin/bash
# acd-ci.sh: what acd-sync, acd-wait and acd-rollback leave for CI (GitHub
# Actions outputs, step summary and workflow commands, GitLab dotenv),
# against the Argo CD API simulator (tests/lib/argocd-sim.py) on loopback.
. "$(dirname "$0")/../lib/cli.sh"

plan 12

. "$TOP/tests/lib/acd-lib.sh"

# masks FILE: how many ::add-mask:: lines FILE holds.
masks() { grep -c '^::add-mask::' "$1"; }

begin "a token from ARGOCD_AUTH_TOKEN is not announced with ::add-mask::"
app '{"name":"done"}'
run env GITHUB_ACTIONS=true acd-wait --timeout 10 done
expect_rc 0
expect_out_text "done Synced Healthy $OLD"
[ "$(masks "$T/err")" -eq 0 ] || fail "add-mask lines: $(cat "$T/err")"
printf '%s\n' "$TOKEN" >"$T/tok"
run env -u ARGOCD_AUTH_TOKEN GITHUB_ACTIONS=true acd-wait --timeout 10 \
    --auth-token-file "$T/tok" done
expect_rc 0
[ "$(masks "$T/err")" -eq 0 ] || fail "add-mask lines: $(cat "$T/err")"
end

begin "a login announces the session token once, and not the password"
printf 'password\n' >"$T/pw"
run env -u ARGOCD_AUTH_TOKEN GITHUB_ACTIONS=true acd-wait --timeout 10 \
    --username admin --password-file "$T/pw" done
expect_rc 0
expect_out_text "done Synced Healthy $OLD"
[ "$(masks "$T/err")" -eq 1 ] || fail "add-mask lines: $(cat "$T/err")"
grep -q '^::add-mask::ey[^.]*\.[^.]*\.' "$T/err" || fail "not the token: $(cat "$T/err")"
grep -q 'password' "$T/err" && fail "the password shows: $(cat "$T/err")"
run env -u ARGOCD_AUTH_TOKEN acd-wait --timeout 10 --username admin \
    --password-file "$T/pw" done
expect_rc 0
[ "$(masks "$T/err")" -eq 0 ] || fail "add-mask outside GitHub Actions"
end

begin "an https:// server that speaks plain HTTP: exit 7 at once, with the fix"
run env ARGOCD_OPTS= acd-wait -v --timeout 60 done
expect_rc 7
expect_out_text "done - - -"
expect_err "acd-wait: done: https://127.0.0.1:$P speaks plain HTTP, not TLS (wrong version number); use --plaintext"
[ "$(grep -c "GET https://127.0.0.1:$P/" "$T/err")" -eq 1 ] || fail "retried: $(cat "$T/err")"
grep -q retrying "$T/err" && fail "retried: $(cat "$T/err")"
run env ARGOCD_OPTS= acd-wait --server "https://127.0.0.1:$P" --timeout 60 done
expect_rc 7
expect_err "acd-wait: done: https://127.0.0.1:$P speaks plain HTTP, not TLS (wrong version number); give the server as http://..."
end

begin "an http:// server that speaks TLS: exit 7 at once, with the fix"
d=$T/tls
mkdir -p "$d"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
    -keyout "$d/srv.key" -out "$d/srv.pem" 2>/dev/null
start_sim "$d" --tls "$d/srv.pem" "$d/srv.key"
S=$(cat "$d/port")
simctl "$S" apps '{"name":"tls"}' >/dev/null
stok=$(simctl "$S" token '{}' token)
# Argo CD redirects plain HTTP to https://, the same URL.
run env ARGOCD_OPTS= acd-wait -v --server "127.0.0.1:$S" --plaintext \
    --auth-token "$stok" --timeout 60 tls
expect_rc 7
expect_out_text "tls - - -"
expect_err "acd-wait: tls: http://127.0.0.1:$S speaks TLS, not plain HTTP (it answers 307, redirecting to https://); drop --plaintext (and from ARGOCD_OPTS)"
grep -q retrying "$T/err" && fail "retried: $(cat "$T/err")"
# Go's own TLS server (and so many proxies) answers 400.
simctl "$S" config '{"plain_on_tls":"go"}' >/dev/null
run env ARGOCD_OPTS= acd-wait --server "http://127.0.0.1:$S" \
    --auth-token "$stok" --timeout 60 tls
expect_rc 7
expect_err "acd-wait: tls: http://127.0.0.1:$S speaks TLS, not plain HTTP (it answers 400 \"Client sent an HTTP request to an HTTPS server\"); give the server as https://..."
# And over TLS it answers.
run env ARGOCD_OPTS= acd-wait --server "127.0.0.1:$S" --ca-file "$d/srv.pem" \
    --auth-token "$stok" --timeout 60 tls
expect_rc 0
expect_out_text "tls Synced Healthy $OLD"
end

# gha: GitHub Actions with its files in $T (gh-out, gh-sum).
gha() { env GITHUB_ACTIONS=true GITHUB_OUTPUT="$T/gh-out" GITHUB_STEP_SUMMARY="$T/gh-sum" "$@"; }

begin "acd-sync leaves outputs, a summary and dotenv lines, on failure too"
app '{"name":"ci-ok","git_revision":"'$NEW'"}'
app '{"name":"ci-bad","git_revision":"'$NEW'","b":{"phase":"Failed","failed":[{"kind":"Job","name":"migrate","message":"BackoffLimitExceeded"}]}}'
run gha acd-sync --dotenv "$T/env" --timeout 60 ci-ok ci-bad
expect_rc 1
why="the sync ended Failed: one or more synchronization tasks completed unsuccessfully, reason: BackoffLimitExceeded"
cat >"$T/want" <<EOF
apps=[{"health":"Healthy","name":"ci-ok","namespace":"argocd","phase":"Succeeded","reason":null,"result":"ok","revision":"$NEW","sync":"Synced"},{"health":"Healthy","name":"ci-bad","namespace":"argocd","phase":"Failed","reason":"$why","result":"failed","revision":"$OLD","sync":"Synced"}]
result=failed
EOF
cmp -s "$T/want" "$T/gh-out" || fail "GITHUB_OUTPUT: $(diff -u "$T/want" "$T/gh-out")"
cat >"$T/want" <<EOF
### acd-sync

| app | sync | health | revision | operation | result |
|---|---|---|---|---|---|
| ci-ok | Synced | Healthy | \`$NEW\` | Succeeded | ok |
| ci-bad | Synced | Healthy | \`$OLD\` | Failed | failed |

- **ci-bad**: $why

EOF
cmp -s "$T/want" "$T/gh-sum" || fail "GITHUB_STEP_SUMMARY: $(diff -u "$T/want" "$T/gh-sum")"
printf '%s\n' ACD_RESULT=failed ACD_APPS=ci-ok,ci-bad ACD_APPS_COUNT=2 \
    ACD_FAILED_COUNT=1 >"$T/want"
cmp -s "$T/want" "$T/env" || fail "dotenv: $(diff -u "$T/want" "$T/env")"
# The annotation carries the failed resource's message.
expect_err "::error title=acd-sync::ci-bad: $why%0A  Job default/migrate: SyncFailed: BackoffLimitExceeded"
end

begin "one app: revision and the ACD_* lines of that app; GitLab gets no summary"
run env GITLAB_CI=true GITHUB_STEP_SUMMARY="$T/gh-sum" GITHUB_OUTPUT="$T/gh-out" \
    acd-wait --dotenv "$T/env" --timeout 60 ci-ok
expect_rc 0
expect_out_text "ci-ok Synced Healthy $NEW"
[ -e "$T/gh-sum" ] && fail "a step summary outside GitHub Actions"
grep -q '::' "$T/err" && fail "workflow commands outside GitHub Actions: $(cat "$T/err")"
cat >"$T/want" <<EOF
apps=[{"health":"Healthy","name":"ci-ok","namespace":"argocd","phase":"Succeeded","reason":null,"result":"ok","revision":"$NEW","sync":"Synced"}]
result=ok
revision=$NEW
EOF
cmp -s "$T/want" "$T/gh-out" || fail "GITHUB_OUTPUT: $(diff -u "$T/want" "$T/gh-out")"
printf '%s\n' ACD_SYNC=Synced ACD_HEALTH=Healthy ACD_REVISION=$NEW \
    ACD_PHASE=Succeeded ACD_REASON= ACD_RESULT=ok ACD_APPS=ci-ok \
    ACD_APPS_COUNT=1 ACD_FAILED_COUNT=0 >"$T/want"
cmp -s "$T/want" "$T/env" || fail "dotenv: $(diff -u "$T/want" "$T/env")"
# Appended, as the runner's files are: a second run adds its lines.
run env GITLAB_CI=true acd-wait --dotenv "$T/env" --timeout 60 ci-ok
expect_rc 0
[ "$(grep -c '^ACD_RESULT=ok$' "$T/env")" -eq 2 ] || fail "not appended: $(cat "$T/env")"
end

begin "a degraded app's annotation names the resources and their messages"
app '{"name":"ci-deg","git_revision":"'$NEW'","b":{"health_after":[["Progressing",0,""],["Degraded",50,"Deployment \"web\" exceeded its progress deadline"]]}}'
run gha acd-sync --health --timeout 60 ci-deg
expect_rc 1
expect_out_text "ci-deg Synced Degraded $NEW"
m='Deployment "web" exceeded its progress deadline'
expect_err "::error title=acd-sync::ci-deg: the application is Degraded: $m%0A  Deployment test-lla/test-lla: Degraded: $m"
grep -q '^result=failed$' "$T/gh-out" || fail "GITHUB_OUTPUT: $(cat "$T/gh-out")"
end

begin "a server's message cannot start a log line of its own (no workflow command injection)"
app '{"name":"ci-inj","git_revision":"'$NEW'","b":{"health_after":[["Progressing",0,"oops\n::error file=x::injected\r\n::add-mask::Synced\u001b[2J"],["Degraded",50,"bad\n::warning::injected"]]}}'
run gha acd-sync --health --progress-interval 1s --timeout 60 ci-inj
expect_rc 1
if grep -n '^::\(warning\|add-mask\|error file=x\)' "$T/err"; then
	fail "a line of the server's text: $(cat "$T/err")"
fi
grep -q $'\033\[2J' "$T/err" && fail "an escape sequence reached the log"
expect_err 'acd-sync: ci-inj: the application is Degraded: bad\n::warning::injected'
end

begin "acd-rollback adds the revision it deployed"
app '{"name":"ci-rb","git_revision":"'$NEW'","history":0}'
acd-sync --timeout 60 ci-rb >/dev/null 2>&1
simctl "$P" apps/ci-rb/status '{"git_revision":"'$OLD'"}' >/dev/null
acd-sync --timeout 60 ci-rb >/dev/null 2>&1
run gha acd-rollback --dotenv "$T/env" --timeout 60 ci-rb
expect_rc 0
expect_out_text "ci-rb OutOfSync Healthy $OLD $NEW"
cat >"$T/want" <<EOF
apps=[{"deployed_revision":"$NEW","health":"Healthy","name":"ci-rb","namespace":"argocd","phase":"Succeeded","reason":null,"result":"ok","revision":"$OLD","sync":"OutOfSync"}]
result=ok
revision=$OLD
deployed-revision=$NEW
EOF
cmp -s "$T/want" "$T/gh-out" || fail "GITHUB_OUTPUT: $(diff -u "$T/want" "$T/gh-out")"
cat >"$T/want" <<EOF
### acd-rollback

| app | sync | health | revision | operation | result | deployed |
|---|---|---|---|---|---|---|
| ci-rb | OutOfSync | Healthy | \`$OLD\` | Succeeded | ok | \`$NEW\` |

EOF
cmp -s "$T/want" "$T/gh-sum" || fail "GITHUB_STEP_SUMMARY: $(diff -u "$T/want" "$T/gh-sum")"
printf '%s\n' ACD_SYNC=OutOfSync ACD_HEALTH=Healthy ACD_REVISION=$OLD \
    ACD_PHASE=Succeeded ACD_DEPLOYED_REVISION=$NEW ACD_REASON= ACD_RESULT=ok \
    ACD_APPS=ci-rb ACD_APPS_COUNT=1 ACD_FAILED_COUNT=0 >"$T/want"
cmp -s "$T/want" "$T/env" || fail "dotenv: $(diff -u "$T/want" "$T/env")"
end

begin "a --dotenv file that cannot be written is an error (exit 3)"
run acd-wait --dotenv "$T/no/such/dir/env" --timeout 60 ci-ok
expect_rc 3
expect_out_text "ci-ok Synced Healthy $NEW"
expect_err "acd-wait: cannot write '$T/no/such/dir/env' (--dotenv): No such file or directory"
end

begin "an acd-rollback refused before it starts still leaves its result"
app '{"name":"ci-auto","automated":true}'
run gha acd-rollback --dotenv "$T/env" --timeout 60 ci-auto
expect_rc 3
expect_out_text "ci-auto Synced Healthy $OLD -"
why="auto-sync is on, and Argo CD refuses to roll back such an app (auto-sync would undo it): undo the commit in git instead (promote -t ENV --rollback), or turn auto-sync off first"
expect_err "acd-rollback: ci-auto: $why"
cat >"$T/want" <<EOF
apps=[{"deployed_revision":null,"health":"Healthy","name":"ci-auto","namespace":"argocd","phase":null,"reason":"$why","result":"error","revision":"$OLD","sync":"Synced"}]
result=error
revision=$OLD
EOF
cmp -s "$T/want" "$T/gh-out" || fail "GITHUB_OUTPUT: $(diff -u "$T/want" "$T/gh-out")"
grep -q '^ACD_RESULT=error$' "$T/env" || fail "dotenv: $(cat "$T/env")"
end

begin "a server's text is redacted and bounded in the files for the next job"
long=$(printf 'x%.0s' $(seq 6000))
app '{"name":"ci-long","git_revision":"'$NEW'","b":{"health_after":[["Degraded",0,"token '"$TOKEN"' and '"$long"'"]]}}'
run gha acd-sync --health --dotenv "$T/env" --timeout 60 ci-long
expect_rc 1
for f in "$T/gh-out" "$T/gh-sum" "$T/env" "$T/err" "$T/out"; do
	grep -qF "$TOKEN" "$f" && fail "the token is in $f"
done
[ "$(wc -c <"$T/env")" -lt 5120 ] || fail "dotenv of $(wc -c <"$T/env") bytes (GitLab takes 5 KiB)"
grep -q '^ACD_REASON=the application is Degraded: token \*\*\* and x*\.\.\.$' "$T/env" ||
    fail "ACD_REASON: $(grep ACD_REASON "$T/env" | cut -c1-200)"
grep -q 'token \*\*\* and' "$T/gh-out" || fail "GITHUB_OUTPUT: $(cut -c1-300 "$T/gh-out")"
end

done_testing

