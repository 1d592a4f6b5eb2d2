#!/bin/bash
# acd-sync.sh: acd-sync against the Argo CD API simulator
# (tests/lib/argocd-sim.py) on loopback.
. "$(dirname "$0")/../lib/cli.sh"

plan 40

. "$TOP/tests/lib/acd-lib.sh"
# Apps the tests below share with the acd-wait tests.
app '{"name":"done"}'

begin "acd-sync waits for the reconcile after the sync, not stale status"
app '{"name":"stale","git_revision":"'$NEW'","b":{"reconcile_ms":300}}'
run acd-sync --timeout 60 stale
expect_rc 0
expect_out_text "stale Synced Healthy $NEW"
expect_err "stale: sync=Synced health=Healthy operation=Succeeded"
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
grep -q '"syncOptions":{"items":\["CreateNamespace=true","ApplyOutOfSyncOnly=true","RespectIgnoreDifferences=false","Validate=true","ServerSideApply=true"\]}' "$T/err" || fail "no syncOptions"
grep -q '"retryStrategy":{"limit":2,"backoff":{"duration":"5s"}}' "$T/err" || fail "no retryStrategy"
grep -q '"resources":\[{"group":"apps","kind":"Deployment","name":"test-lla","namespace":"test-lla"}\]' "$T/err" || fail "no resources"
grep -q '{"name":"acd-op-id","value":"[0-9a-f-]\{36\}"},{"name":"who","value":"ci"}' "$T/err" || fail "no infos"
end

begin "--resource that matches nothing exits 4"
run acd-sync --resource apps:StatefulSet:nope --timeout 10 opts
expect_rc 4
expect_err "acd-sync: opts: no resource matches --resource apps:StatefulSet:nope"
end

begin "a --resource pattern longer than 255 bytes is matched whole"
# Before, each field was cut to 255 bytes: this one lost its "NOPE" and
# matched the Deployment test-lla.
long="test-lla$(printf '%*s' 247 '' | tr ' ' '*')NOPE"
run acd-sync --resource "apps:Deployment:$long" --timeout 10 opts
expect_rc 4
expect_out_text "opts Synced Healthy $OLD"
expect_err "opts: no resource matches --resource apps:Deployment:$long"
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

begin "the token never shows, even with -v"
run acd-sync -v --timeout 60 done
expect_rc 0
grep -qF "$TOKEN" "$T/out" "$T/err" && fail "the token leaked"
grep -q "GET http" "$T/err" || fail "no -v trace"
end

begin "GitHub Actions gets an ::error annotation per failed app"
run env TOOLKIT_CI=github acd-sync --timeout 60 bad
expect_rc 1
expect_err "::error title=acd-sync::bad: the sync ended Failed"
end

begin "usage errors exit 2"
run acd-sync --if-busy maybe x
expect_rc 2
expect_err "--if-busy maybe: wait, fail or terminate"
end

begin "every request matched the API schema"
run simctl "$P" violations
expect_out_text "[]"
end

# sim_until APP PYEXPR: wait (at most 60 s) until the Python expression
# PYEXPR holds of the simulator's Application a.
sim_until() {
	local i=0
	until simctl "$P" "apps/$1" | python3 -c '
import json, sys
a = json.load(sys.stdin)
sys.exit(0 if ('"$2"') else 1)'; do
		i=$((i + 1))
		[ $i -lt 300 ] || { fail "never: $2"; return 1; }
		sleep 0.2
	done
}

# takeover APP CMD...: run CMD (as run does) on APP, whose b.takeover has
# an auto-sync replace our sync once it has Succeeded (tests/lib/argocd-sim.py
# takeover): ours is released once CMD watches, the auto-sync once the
# reconcile during it (OutOfSync) is there; it then fails on a hook.
takeover() {
	local a=$1
	shift
	watched "$@"
	simctl "$P" "apps/$a/release" '{}' >/dev/null
	sim_until "$a" 'a.get("operation", {}).get("initiatedBy", {}).get("automated") and a["status"]["sync"]["status"] == "OutOfSync"'
	simctl "$P" "apps/$a/release" '{}' >/dev/null
	wait $bg
	rc=$?
}
HOOK='"failed":[{"kind":"Job","name":"smoke-test","message":"Job has reached the specified backoff limit","hook":true}]'

begin "an auto-sync that takes over after our sync is waited out: settled Synced and Healthy is 0"
# Before, acd-sync exited 0 at the reconcile during the auto-sync, with and
# without --health, printing OutOfSync.
app '{"name":"take","automated":true,"git_revision":"'$NEW'","b":{"hold":true,"takeover":{'"$HOOK"',"settle":{"sync":"Synced","health":"Healthy"}}}}'
takeover take acd-sync --timeout 60 take
expect_rc 0
expect_out_text "take Synced Healthy $NEW"
expect_err "take: sync=OutOfSync health=Healthy operation=Pending"
app '{"name":"takeh","automated":true,"git_revision":"'$NEW'","b":{"hold":true,"takeover":{'"$HOOK"',"settle":{"sync":"Synced","health":"Healthy"}}}}'
takeover takeh acd-sync --health --timeout 60 takeh
expect_rc 0
expect_out_text "takeh Synced Healthy $NEW"
end

begin "an auto-sync that takes over and fails on a hook, leaving the app OutOfSync: exit 1, and why"
app '{"name":"takeo","automated":true,"git_revision":"'$NEW'","b":{"hold":true,"takeover":{'"$HOOK"',"settle":{"sync":"OutOfSync","health":"Healthy"}}}}'
takeover takeo acd-sync --timeout 60 takeo
expect_rc 1
expect_out_text "takeo OutOfSync Healthy $NEW"
expect_err "acd-sync: takeo: the sync succeeded, but a later operation (initiated by auto-sync) ended Failed: one or more synchronization tasks completed unsuccessfully, reason: Job has reached the specified backoff limit; the application is OutOfSync"
expect_err "acd-sync: takeo:   Job default/smoke-test: Failed: Job has reached the specified backoff limit"
end

begin "acd-sync --health: an auto-sync that takes over, fails, and the app settles Degraded: exit 1, and why"
app '{"name":"taked","automated":true,"git_revision":"'$NEW'","b":{"hold":true,"takeover":{'"$HOOK"',"settle":{"sync":"Synced","health":"Degraded","health_message":"Deployment \"web\" exceeded its progress deadline"}}}}'
takeover taked acd-sync --health --timeout 60 taked
expect_rc 1
expect_out_text "taked Synced Degraded $NEW"
expect_err "acd-sync: taked: the application is Degraded: Deployment \"web\" exceeded its progress deadline (our sync succeeded, but a later operation (initiated by auto-sync) ended Failed: one or more synchronization tasks completed unsuccessfully, reason: Job has reached the specified backoff limit)"
end

begin "acd-sync --progress-interval: a heartbeat line while the rollout goes on"
app '{"name":"beat","git_revision":"'$NEW'","b":{"health_after":[["Progressing",0,""]]}}'
BEAT='^acd-sync: beat: waiting [0-9]+s/(5m|4m59s): sync=Synced health=Progressing operation=Succeeded; Deployment/test-lla: Waiting for rollout to finish: 0 of 2 updated replicas are available\.\.\.$'
acd-sync --health --progress-interval 1s --timeout 5m beat >"$T/out" 2>"$T/err" &
w=$!
i=0
until grep -Eq "$BEAT" "$T/err" 2>/dev/null || ! kill -0 $w 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 600 ] || { fail "no heartbeat line: $(cat "$T/err")"; break; }
	sleep 0.1
done
simctl "$P" apps/beat/status '{"health":"Healthy"}' >/dev/null
wait $w
rc=$?
expect_rc 0
expect_out_text "beat Synced Healthy $NEW"
end

begin "the auto-sync that took over ends in the second of the last reconcile: a refresh tells them apart"
# Every timestamp in one second: reconciledAt equals the auto-sync's
# finishedAt already when it ends, so only a refresh shows the reconcile
# after it (Synced); judged without one, the app looked OutOfSync.
simctl "$P" config '{"fixed_time":"2026-01-02T03:04:05Z"}' >/dev/null
app '{"name":"taket","automated":true,"git_revision":"'$NEW'","b":{"hold":true,"takeover":{'"$HOOK"',"settle":{"sync":"Synced","health":"Healthy"}}}}'
takeover taket acd-sync --timeout 60 taket
simctl "$P" config '{"fixed_time":""}' >/dev/null
expect_rc 0
expect_out_text "taket Synced Healthy $NEW"
[ "$(count "$P" "GET /api/v1/applications/taket")" -ge 2 ] || fail "no refresh"
end

begin "the deadline passes while the auto-sync that took over still runs: 124 says it is pending"
app '{"name":"takep","automated":true,"git_revision":"'$NEW'","b":{"hold":true,"takeover":{'"$HOOK"',"settle":{"sync":"Synced","health":"Healthy"}}}}'
held takep acd-sync --timeout 8 takep
expect_rc 124
expect_err "acd-sync: takep: not there when the time ran out (sync=OutOfSync health=Healthy operation=Pending; another operation, initiated by auto-sync, is pending)"
end

# syncops APP: the syncOptions of APP's last operation, one a line.
syncops() {
	simctl "$P" "apps/$1" | python3 -c '
import json, sys
a = json.load(sys.stdin)
for o in a["status"]["operationState"]["operation"]["sync"].get("syncOptions", []):
    print(o)'
}
# syncres APP: the resources APP's last operation named, one a line.
syncres() {
	simctl "$P" "apps/$1" | python3 -c '
import json, sys
a = json.load(sys.stdin)
for r in a["status"]["operationState"]["operation"]["sync"].get("resources", []):
    print("%s:%s:%s/%s" % (r["group"], r["kind"], r["namespace"], r["name"]))'
}

begin "--sync-option is added to the app's own sync options, a key given replacing the app's"
# The app has CreateNamespace, ApplyOutOfSyncOnly, RespectIgnoreDifferences,
# ServerSideApply and Validate=true (Argo CD would use only the request's).
app '{"name":"so"}'
run acd-sync --sync-option PruneLast=true --sync-option Validate=false --sync-option PrunePropagationPolicy=orphan --sync-option FutureOption=on --timeout 60 so
expect_rc 0
expect_out_text "so Synced Healthy $OLD"
expect_err "acd-sync: warning: --sync-option 'FutureOption=on': not an option this acd-sync knows; sent as given"
syncops so >"$T/out"
printf '%s\n' CreateNamespace=true ApplyOutOfSyncOnly=true RespectIgnoreDifferences=false ServerSideApply=true PruneLast=true Validate=false PrunePropagationPolicy=orphan FutureOption=on >"$T/want"
expect_out "$T/want"
end

begin "--replace keeps the app's own sync options (Argo CD replaces the list)"
# Before, the request carried Replace=true alone: the operation ran
# without the app's ServerSideApply=true and CreateNamespace=true.
run acd-sync --replace --timeout 60 so
expect_rc 0
syncops so >"$T/out"
printf '%s\n' CreateNamespace=true ApplyOutOfSyncOnly=true RespectIgnoreDifferences=false ServerSideApply=true Validate=true Replace=true >"$T/want"
expect_out "$T/want"
end

begin "a malformed --sync-option or --label exits 2 before any request"
before=$(count "$P" .)
for bad in "--sync-option CreateNamespace" "--sync-option =true" "--sync-option Create-Namespace=true" "--sync-option Validate=False" "--sync-option PruneLast=" "--label tier" "--label =web"; do
	run acd-sync $bad --timeout 10 so
	expect_rc 2
	expect_no_out
done
run acd-sync --sync-option Validate=False --timeout 10 so
expect_err "acd-sync: --sync-option 'Validate=False': Validate takes true|false (Argo CD compares the text exactly)"
run acd-sync --sync-option CreateNamespace --timeout 10 so
expect_err "acd-sync: --sync-option 'CreateNamespace': write KEY=VALUE, e.g. CreateNamespace=true"
run acd-sync --label tier --timeout 10 so
expect_err "acd-sync: --label 'tier': write KEY=VALUE (a label of the resources to sync)"
[ "$(count "$P" .)" -eq "$before" ] || fail "requests were sent"
end

begin "--label syncs only the resources whose manifest has the label"
app '{"name":"lab"}'
run acd-sync --label tier=web --label app.kubernetes.io/name=test-lla --timeout 60 lab
expect_rc 0
expect_out_text "lab Synced Healthy $OLD"
syncres lab >"$T/out"
expect_out_text "apps:Deployment:test-lla/test-lla"
[ "$(count "$P" "GET /api/v1/applications/lab/managed-resources")" -eq 1 ] || fail "not one managed-resources request"
end

begin "--label that no resource has exits 4 and syncs nothing"
before=$(count "$P" "POST /api/v1/applications/lab/sync")
run acd-sync --label tier=db --timeout 10 lab
expect_rc 4
expect_err "acd-sync: lab: no resource has the label tier=db"
[ "$(count "$P" "POST /api/v1/applications/lab/sync")" -eq "$before" ] || fail "a sync was sent"
end

begin "--label with --resource: a resource must match both"
run acd-sync --label tier=web --resource :Service:test-lla --timeout 10 lab
expect_rc 4
expect_err "acd-sync: lab: no resource that --resource picked has the label tier=web"
run acd-sync --label tier=edge --resource '*:*:*' --timeout 60 lab
expect_rc 0
syncres lab >"$T/out"
expect_out_text ":Service:test-lla/test-lla"
end

begin "--sync-option and --label take any number (no fixed array)"
args=()
for i in $(seq 1 70); do args+=(--label tier=web --sync-option "Opt$i=x"); done
run acd-sync -q "${args[@]}" --timeout 60 lab
expect_rc 0
expect_no_err
[ "$(syncops lab | grep -c '^Opt[0-9]*=x$')" -eq 70 ] || fail "not 70 options: $(syncops lab | tail -3)"
syncres lab >"$T/out"
expect_out_text "apps:Deployment:test-lla/test-lla"
end

begin "every request matched the API schema (sync options, labels)"
run simctl "$P" violations
expect_out_text "[]"
end


begin "the deadline passes while another operation still runs: exit 5, nothing synced (not the 124 a rollback answers)"
app '{"name":"busyto","b":{"hold":true}}'
simctl "$P" apps/busyto/autosync '{}' >/dev/null
run acd-sync --timeout 3 busyto
expect_rc 5
expect_err "acd-sync: busyto: another operation was still running when the time ran out; nothing was started"
[ "$(count "$P" "POST /api/v1/applications/busyto/sync")" -eq 0 ] || fail "a sync was sent"
simctl "$P" apps/busyto/release '{}' >/dev/null
end

done_testing
