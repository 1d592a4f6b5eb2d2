#!/bin/bash
# acd-ci.sh: what acd-sync, acd-wait and acd-rollback leave for CI (GitHub
# Actions outputs, step summary and workflow commands, GitLab dotenv),
# against the Argo CD API simulator (tests/argocd-sim.py) on loopback.
. "$(dirname "$0")/lib.sh"

plan 2

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

done_testing
