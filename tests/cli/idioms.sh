#!/bin/bash
# idioms.sh: the pipeline idioms README.md, acd-sync(1), acd-rollback(1) and
# promote(1) show, taken from those files and run as written (sh), against
# the Argo CD API simulator and a local git repository.
. "$(dirname "$0")/../lib/cli.sh"

plan 13

. "$TOP/tests/lib/acd-lib.sh"

export GIT_AUTHOR_NAME=ci GIT_AUTHOR_EMAIL=ci@example.com
export GIT_COMMITTER_NAME=ci GIT_COMMITTER_EMAIL=ci@example.com
export GIT_CONFIG_NOSYSTEM=1
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0

# idiom FILE LEAD: the example after the first line holding LEAD: an mdoc
# .Bd -literal display (\e is a backslash) or a Markdown block indented by
# four spaces.
idiom() {
	python3 - "$1" "$2" <<'PY'
import sys
path, lead = sys.argv[1], sys.argv[2]
lines = open(path).read().split("\n")
i = next(k for k, l in enumerate(lines) if lead in l)
out = []
if path.endswith(".1"):
    i = next(k for k in range(i, len(lines)) if lines[k].startswith(".Bd -literal"))
    for l in lines[i + 1:]:
        if l == ".Ed":
            break
        out.append(l.replace("\\e", "\\"))
else:
    i = next(k for k in range(i, len(lines)) if lines[k].startswith("    "))
    for l in lines[i:]:
        if l and not l.startswith("    "):
            break
        out.append(l[4:])
    while out and not out[-1]:
        out.pop()
print("\n".join(out))
PY
}

# The idioms, each the same wherever it is shown.
SYNC=$(idiom "$TOP/README.md" "In a pipeline step, roll back only when")
AUTO=$(idiom "$TOP/README.md" "Argo CD refuses to roll back an application")
GATE=$(idiom "$TOP/README.md" "A gate that lets the promotion through")

begin "each idiom reads the same in README.md and the man pages"
[ "$(idiom "$TOP/man/acd-sync.1" "In a pipeline step, roll back only when")" = "$SYNC" ] ||
    fail "acd-sync.1 shows another sync idiom"
[ "$(idiom "$TOP/man/acd-rollback.1" "Roll back only when the new version is bad")" = "$SYNC" ] ||
    fail "acd-rollback.1 shows another sync idiom"
[ "$(idiom "$TOP/man/acd-rollback.1" "There, wait for the commit that was pushed")" = "$AUTO" ] ||
    fail "acd-rollback.1 shows another auto-sync idiom"
[ "$(idiom "$TOP/man/promote.1" "Then wait for staging (auto-sync)")" = "$AUTO" ] ||
    fail "promote.1 shows another auto-sync idiom"
[ "$(idiom "$TOP/man/promote.1" "Only when dev runs the commit being promoted")" = "$GATE" ] ||
    fail "promote.1 shows another gate"
case $SYNC in *acd-rollback*) ;; *) fail "no sync idiom found: $SYNC" ;; esac
case $GATE in *PROMOTE_SOURCE_COMMIT*) ;; *) fail "no gate found: $GATE" ;; esac
end

printf '%s\n' "$SYNC" >"$_t_root/sync.sh"
printf '%s\n' "$AUTO" >"$_t_root/auto.sh"
printf '%s\n' "$GATE" >"$_t_root/gate.sh"

# A shim that counts the rollbacks the idiom starts and makes the version
# rolled back to a good one (so that only the idiom can leave the step
# red), then runs the real one.
mkdir -p "$_t_root/shim"
cat >"$_t_root/heal.py" <<'EOF'
import sys, urllib.request
urllib.request.urlopen(urllib.request.Request(
    "http://127.0.0.1:%s/_sim/apps/myapp/b" % sys.argv[1], method="POST",
    data=b'{"health_after": [["Healthy", 0, ""]], "phase": "Succeeded", '
         b'"reconcile_ms": 60}'), timeout=20)
EOF
cat >"$_t_root/shim/acd-rollback" <<EOF
#!/bin/sh
echo "\$*" >>"\$ROLLBACKS"
python3 "$_t_root/heal.py" "$P"
exec "$BIN/acd-rollback" "\$@"
EOF
chmod +x "$_t_root/shim/acd-rollback"
PATH=$_t_root/shim:$PATH

# sync_idiom: run the sync idiom in $T; rollbacks started are in $T/rb.
sync_idiom() {
	: >"$T/rb"
	ROLLBACKS=$T/rb run sh "$_t_root/sync.sh"
}
rollbacks() { wc -l <"$T/rb"; }

begin "sync idiom: a healthy sync is 0, nothing rolled back"
app '{"name":"myapp","git_revision":"'$NEW'"}'
sync_idiom
expect_rc 0
expect_out_text "myapp Synced Healthy $NEW"
[ "$(rollbacks)" -eq 0 ] || fail "rolled back"
end

begin "sync idiom: Degraded after the sync rolls back and the step stays red (1)"
app '{"name":"myapp","git_revision":"'$NEW'","b":{"health_after":[["Degraded",0,"rollout stalled"]]}}'
before=$(count "$P" "POST /api/v1/applications/myapp/rollback")
sync_idiom
expect_rc 1
[ "$(rollbacks)" -eq 1 ] || fail "rollbacks: $(rollbacks)"
[ "$(count "$P" "POST /api/v1/applications/myapp/rollback")" -eq $((before + 1)) ] ||
    fail "no rollback request"
expect_err "acd-sync: myapp: the application is Degraded: rollout stalled"
[ "$(tail -1 "$T/out")" = "myapp OutOfSync Healthy $NEW $OLD" ] ||
    fail "the rollback did not end Healthy at $OLD: $(cat "$T/out")"
end

begin "sync idiom: a sync that fails rolls back; exit 1 even when the rollback succeeds"
app '{"name":"myapp","git_revision":"'$NEW'","b":{"phase_seq":["Failed","Succeeded"],"message":"hook failed"}}'
sync_idiom
expect_rc 1
[ "$(rollbacks)" -eq 1 ] || fail "rollbacks: $(rollbacks)"
expect_err "acd-sync: myapp: the sync ended Failed: hook failed"
tail -1 "$T/out" | grep -q "^myapp OutOfSync Healthy $NEW [0-9a-f]*$" ||
    fail "the rollback did not end Healthy: $(cat "$T/out")"
end

begin "sync idiom: not healthy in time (124) rolls back, the step stays red"
app '{"name":"myapp","git_revision":"'$NEW'","b":{"reconcile_ms":600000}}'
ARGOCD_OPTS="--plaintext --timeout 2s" sync_idiom
expect_rc 124
[ "$(rollbacks)" -eq 1 ] || fail "rollbacks: $(rollbacks)"
end

begin "sync idiom: credentials refused (6): no rollback"
app '{"name":"myapp","git_revision":"'$NEW'"}'
ARGOCD_AUTH_TOKEN=not-a-token sync_idiom
expect_rc 6
[ "$(rollbacks)" -eq 0 ] || fail "rolled back after exit 6"
end

begin "sync idiom: Argo CD unreachable (7): no rollback"
ARGOCD_SERVER=127.0.0.1:$(free_port) sync_idiom
expect_rc 7
[ "$(rollbacks)" -eq 0 ] || fail "rolled back after exit 7"
end

begin "sync idiom: another operation running (5, --if-busy fail): no rollback"
app '{"name":"myapp","b":{"run_ms":600000}}'
simctl "$P" apps/myapp/autosync '{}' >/dev/null
ARGOCD_OPTS="--plaintext --if-busy fail" sync_idiom
expect_rc 5
[ "$(rollbacks)" -eq 0 ] || fail "rolled back after exit 5"
end

# gitops: in $T, srv.git and its clone w: dev and staging overlays at v1,
# then dev at v2 ($S, the commit to promote), then an unrelated commit
# ($U) that moves the branch on; $I is the first commit.
gitops() {
	git init -q --bare -b main srv.git
	git clone -q srv.git w 2>/dev/null
	mkdir -p w/overlays/dev w/overlays/staging
	for e in dev staging; do
		printf 'images:\n  - name: app\n    newTag: v1\n' >"w/overlays/$e/kustomization.yaml"
	done
	git -C w add . && git -C w commit -qm init
	I=$(git -C w rev-parse HEAD)
	sed -i 's/v1/v2/' w/overlays/dev/kustomization.yaml
	git -C w commit -qam "dev: app v2"
	S=$(git -C w rev-parse HEAD)
	echo notes >w/README
	git -C w add README && git -C w commit -qm notes
	U=$(git -C w rev-parse HEAD)
	git -C w push -q origin main
}

staging_tag() { git -C "$T/srv.git" show main:overlays/staging/kustomization.yaml | sed -n 's/.*newTag: //p'; }

begin "gate idiom: dev Synced and Healthy at an old commit: refused (1), nothing promoted"
gitops
app '{"name":"myapp-dev","revision":"'$I'"}'
cd w && ARGOCD_OPTS="--plaintext --timeout 5s" run sh "$_t_root/gate.sh" && cd ..
expect_rc 1
expect_err "failed (exit 124); nothing was promoted"
expect_err "revision ${I:0:7} is not ${S:0:7} or a later commit"
[ "$(staging_tag)" = v1 ] || fail "staging moved"
end

begin "gate idiom: dev Healthy but OutOfSync at a later commit: refused (1)"
gitops
app '{"name":"myapp-dev","revision":"'$U'","sync":"OutOfSync"}'
cd w && ARGOCD_OPTS="--plaintext --timeout 5s" run sh "$_t_root/gate.sh" && cd ..
expect_rc 1
expect_err "failed (exit 124); nothing was promoted"
[ "$(staging_tag)" = v1 ] || fail "staging moved"
end

begin "gate idiom: dev Synced and Healthy at a later commit than the source: promoted"
gitops
app '{"name":"myapp-dev","revision":"'$U'"}'
cd w && ARGOCD_OPTS="--plaintext --timeout 60s" run sh "$_t_root/gate.sh" && cd ..
expect_rc 0
expect_out_text "app app:v1 -> app:v2 dev -> staging"
[ "$(staging_tag)" = v2 ] || fail "staging is $(staging_tag)"
end

# auto_idiom STATUS: run the auto-sync idiom in $T/w; once the promotion is
# pushed, the simulator's myapp-staging reconciles it with STATUS (JSON).
auto_idiom() {
	local before i=0
	before=$(git -C "$T/srv.git" rev-parse main)
	(cd "$T/w" && ARGOCD_OPTS="--plaintext --timeout 60s" sh "$_t_root/auto.sh") >"$T/out" 2>"$T/err" &
	local w=$!
	until [ "$(git -C "$T/srv.git" rev-parse main)" != "$before" ]; do
		i=$((i + 1))
		[ $i -lt 1200 ] || { fail "nothing was promoted"; break; }
		sleep 0.05
	done
	p=$(git -C "$T/srv.git" rev-parse main)
	simctl "$P" apps/myapp-staging/status "$(printf "$1" "$p")" >/dev/null
	wait $w
	rc=$?
}

begin "auto-sync idiom: the promotion Degraded is undone in git, the step stays red"
gitops
app '{"name":"myapp-staging","automated":true,"revision":"'$U'"}'
auto_idiom '{"revision":"%s","health":"Degraded","health_message":"rollout stalled"}'
expect_rc 1
expect_err "acd-wait: myapp-staging: the application is Degraded: rollout stalled"
git -C srv.git log -1 --format=%B main | grep -qx "Promote-Rollback-Of: $p" || fail "no rollback commit: $(git -C srv.git log -1 --format=%B main)"
[ "$(staging_tag)" = v1 ] || fail "staging is $(staging_tag)"
run acd-rollback myapp-staging
expect_rc 3
expect_err "acd-rollback: myapp-staging: auto-sync is on, and Argo CD refuses to roll back such an app"
end

begin "auto-sync idiom: the promotion Healthy at its commit is 0, nothing undone"
gitops
app '{"name":"myapp-staging","automated":true,"revision":"'$U'"}'
auto_idiom '{"revision":"%s","health":"Healthy"}'
expect_rc 0
[ "$(git -C srv.git rev-parse main)" = "$p" ] || fail "something after the promotion"
[ "$(staging_tag)" = v2 ] || fail "staging is $(staging_tag)"
end
