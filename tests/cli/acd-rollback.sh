#!/bin/bash
# acd-rollback.sh: acd-rollback against the Argo CD API simulator
# (tests/lib/argocd-sim.py) on loopback.
. "$(dirname "$0")/../lib/cli.sh"

plan 8

. "$TOP/tests/lib/acd-lib.sh"

BAD=3333333333333333333333333333333333333333

# deployed NAME: an app with two deployments, $NEW (id 0) then $BAD (id 1).
deployed() {
	app '{"name":"'$1'","git_revision":"'$NEW'","history":0}'
	acd-sync --timeout 60 "$1" >/dev/null 2>&1
	simctl "$P" apps/$1/status '{"git_revision":"'$BAD'"}' >/dev/null
	acd-sync --timeout 60 "$1" >/dev/null 2>&1
}

begin "acd-rollback goes back to the previous deployment and says so"
deployed rb
run acd-rollback --timeout 60 rb
expect_rc 0
# git still says $BAD (OutOfSync with it); $NEW is what runs now.
expect_out_text "rb OutOfSync Healthy $BAD $NEW"
[ "$(head -n 1 "$T/err")" = "acd-rollback: rb: rolling back to history id 0 (revision $NEW)" ] ||
    fail "stderr: $(cat "$T/err")"
run acd-rollback -q --timeout 60 rb 1
expect_rc 0
expect_out_text "rb Synced Healthy $BAD $BAD"
expect_no_err
end

begin "acd-rollback -o json carries the history id and the deployed revision"
deployed rbj
run acd-rollback -o json --timeout 60 rbj
expect_rc 0
python3 -c '
import json, sys
o = json.load(open(sys.argv[1]))
want = {"app": "rbj", "sync": "OutOfSync", "health": "Healthy",
        "revision": sys.argv[2], "history_id": 0,
        "deployed_revision": sys.argv[3], "result": "ok"}
got = {k: o.get(k) for k in want}
assert got == want, got
assert o["operation"]["phase"] == "Succeeded", o
' "$T/out" "$BAD" "$NEW" || fail "json: $(cat "$T/out")"
end

begin "a rollback that deployed nothing shows '-' for the deployed revision"
deployed rbdry
run acd-rollback --dry-run --timeout 60 rbdry
expect_rc 0
expect_out_text "rbdry Synced Healthy $BAD -"
simctl "$P" apps/rbdry/b '{"phase":"Failed","failed":[{"kind":"Job","name":"migrate","message":"BackoffLimitExceeded"}]}' >/dev/null
run acd-rollback -o json --timeout 60 rbdry
expect_rc 1
python3 -c '
import json, sys
o = json.load(open(sys.argv[1]))
assert o["deployed_revision"] is None and o["history_id"] == 0, o
assert o["result"] == "failed", o
' "$T/out" || fail "json: $(cat "$T/out")"
expect_err "acd-rollback: rbdry: rolling back to history id 0 (revision $NEW)"
end

begin "acd-rollback refuses an auto-sync app before asking"
app '{"name":"rbauto","automated":true}'
run acd-rollback --timeout 10 rbauto
expect_rc 3
expect_err "acd-rollback: rbauto: auto-sync is on, and Argo CD refuses to roll back such an app (auto-sync would undo it): undo the commit in git instead (promote -t ENV --rollback), or turn auto-sync off first"
[ "$(count "$P" "POST /api/v1/applications/rbauto/rollback")" -eq 0 ] || fail "asked anyway"
end

begin "acd-rollback with too little history exits 4"
app '{"name":"rbnew","history":1}'
run acd-rollback --timeout 10 rbnew
expect_rc 4
expect_err "acd-rollback: rbnew: 1 deployment in its history: nothing earlier to roll back to"
end

begin "acd-rollback to an id the history lacks exits 4 and lists the ids"
app '{"name":"rbids","history":3}'
run acd-rollback --timeout 10 rbids 7
expect_rc 4
expect_err "acd-rollback: rbids: no deployment with id 7 in its history (ids: 0, 1, 2)"
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
