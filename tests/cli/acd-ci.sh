#!/bin/bash
# acd-ci.sh: what acd-sync, acd-wait and acd-rollback leave for CI (GitHub
# Actions outputs, step summary and workflow commands, GitLab dotenv),
# against the Argo CD API simulator (tests/argocd-sim.py) on loopback.
. "$(dirname "$0")/lib.sh"

plan 4

. "$TOP/tests/acd-lib.sh"

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

done_testing
