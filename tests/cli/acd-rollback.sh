#!/bin/bash
# acd-rollback.sh: acd-rollback against the Argo CD API simulator
# (tests/argocd-sim.py) on loopback.
. "$(dirname "$0")/lib.sh"

plan 5

. "$TOP/tests/acd-lib.sh"

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

begin "usage errors exit 2"
run acd-rollback a b c
expect_rc 2
run acd-rollback -l team=shop shop
expect_rc 2
expect_err "-l: a rollback names one application"
run env ARGOCD_OPTS='--bogus-flag x' acd-rollback -V
expect_rc 0
end

begin "every request matched the API schema"
run simctl "$P" violations
expect_out_text "[]"
end

done_testing
