#!/bin/bash
# promote-hooks.sh: promote to file:// and path remotes runs the remote's
# hooks, as git push does (git receive-pack), for the dir strategy and for
# --pr (the forced push with a lease).
. "$(dirname "$0")/../lib/cli.sh"

plan 10

. "$TOP/tests/lib/promote-lib.sh"

# repo URL: $T/org/gitops.git with overlays dev (v2) and staging (v1),
# cloned to $T/w, whose origin is then file://... or the plain path.
repo() {
	git init -q --bare -b main "$T/org/gitops.git"
	git clone -q "$T/org/gitops.git" "$T/w" 2>/dev/null
	mkdir -p "$T/w/overlays/dev" "$T/w/overlays/staging"
	kust v2 >"$T/w/overlays/dev/kustomization.yaml"
	kust v1 >"$T/w/overlays/staging/kustomization.yaml"
	(cd "$T/w" && git add . && git commit -qm init && git push -q origin main)
	if [ "$1" = file:// ]; then
		git -C "$T/w" remote set-url origin "file://$T/org/gitops.git"
	else
		git -C "$T/w" remote set-url origin "$T/org/gitops.git"
	fi
}

# promote_pr: promote dev -> staging --pr in $T/w against a GitHub
# stand-in (tests/lib/forge-stub.py) for $T/org/gitops.git.
promote_pr() {
	python3 "$TOP/tests/lib/forge-stub.py" --kind github --port-file "$T/fport" \
	    --token "$TOKEN" --git-dir "$T/org/gitops.git" --repo org/gitops \
	    >"$T/stub.out" 2>&1 &
	PIDS="$PIDS $!"
	wait_file "$T/fport" "the forge stub did not start"
	cd "$T/w" && GH_TOKEN=$TOKEN run promote --no-verify-image -f dev \
	    -t staging --pr --api-url "http://127.0.0.1:$(cat "$T/fport")"
	cd "$T" || exit 1
}

# hook NAME BODY: an executable hook in the bare repository.
hook() {
	printf '#!/bin/sh\n%s\n' "$2" >"$T/org/gitops.git/hooks/$1"
	chmod +x "$T/org/gitops.git/hooks/$1"
}

# tip [BRANCH]: the remote's main (or BRANCH).
tip() { git -C "$T/org/gitops.git" rev-parse "${1:-main}"; }

for url in file:// path; do
begin "a declining pre-receive hook on a $url remote: exit 3 with its message"
repo $url
hook pre-receive 'echo "policy: staging is frozen" >&2; exit 1'
before=$(tip)
cd w && run promote --no-verify-image -f dev -t staging && cd ..
expect_rc 3
expect_no_out
expect_err "promote: remote: policy: staging is frozen"
expect_err "push rejected: pre-receive hook declined"
[ "$(tip)" = "$before" ] || fail "the server moved"
[ "$(git -C w rev-parse main)" = "$before" ] || fail "the local branch moved"
end

begin "a declining update hook on a $url remote: exit 3 with its message"
repo $url
hook update 'echo "update: $1 needs a review"; exit 1'
before=$(tip)
cd w && run promote --no-verify-image -f dev -t staging && cd ..
expect_rc 3
expect_no_out
expect_err "promote: remote: update: refs/heads/main needs a review"
expect_err "push rejected: hook declined"
[ "$(tip)" = "$before" ] || fail "the server moved"
end

begin "post-receive on a $url remote has run when promote returns"
repo $url
# The marker is written after a pause: promote waits for the hook.
hook post-receive "read old new ref; sleep 0.2; echo \"\$ref \$new\" >'$T/marker'"
cd w && run promote --no-verify-image -f dev -t staging && cd ..
expect_rc 0
expect_out_text "app r.example/team/app:v1 -> r.example/team/app:v2 dev -> staging"
[ "$(cat marker 2>/dev/null)" = "refs/heads/main $(tip)" ] || fail "marker: '$(cat marker 2>/dev/null)'"
end
done

begin "a pre-receive hook that hangs is stopped at --deadline: exit 124, no process left"
repo file://
hook pre-receive "echo \$\$ >'$T/hookpid'; exec sleep 300"
before=$(tip)
cd w && run timeout -s KILL 60 promote --no-verify-image --deadline 2s \
    -f dev -t staging && cd ..
expect_rc 124
expect_no_out
printf '%s\n' "promote: push: git receive-pack '$T/org/gitops.git': still running at the deadline (a hook that hangs?); stopped it and its hooks (the --deadline passed)" >want.err
cmp -s want.err err || fail "stderr: $(head -c 300 err)"
[ "$(tip)" = "$before" ] || fail "the server moved"
[ "$(git -C w rev-parse main)" = "$before" ] || fail "the local branch moved"
[ -z "$(git -C w status --porcelain)" ] || fail "the work tree changed"
if [ -s hookpid ]; then gone "$(cat hookpid)"; else fail "the hook did not run"; fi
end

begin "a declining hook that prints 5 MB first: its last words are shown"
repo file://
hook pre-receive 'yes "the hook says a lot" | head -n 250000 >&2; echo "policy: DENIED" >&2; exit 1'
before=$(tip)
cd w && run promote --no-verify-image -f dev -t staging && cd ..
expect_rc 3
expect_no_out
expect_err "promote: remote: policy: DENIED"
expect_err "push rejected: pre-receive hook declined"
grep -Eqx 'promote: remote: \[[0-9]{7} bytes left out\]' err ||
    fail "no line says what was left out"
[ "$(wc -c <err)" -lt 200000 ] || fail "stderr has $(wc -c <err) bytes"
[ "$(tip)" = "$before" ] || fail "the server moved"
end

begin "--pr to a file:// remote: a declining pre-receive stops the work branch, no pull request"
repo file://
hook pre-receive 'while read old new ref; do echo "policy: no $ref" >&2; done; exit 1'
promote_pr
expect_rc 3
expect_no_out
expect_err "promote: remote: policy: no refs/heads/promote/staging/all"
git -C org/gitops.git rev-parse -q --verify promote/staging/all >/dev/null &&
    fail "the work branch is on the remote"
[ -f "$T/fport.log" ] && jq -r .method "$T/fport.log" | grep -qx POST &&
    fail "a pull request was opened"
end

begin "--pr to a file:// remote: post-receive has seen the work branch when promote returns"
repo file://
hook post-receive "read old new ref; sleep 0.2; echo \"\$ref\" >>'$T/pushed'"
promote_pr
expect_rc 0
[ "$(cat pushed 2>/dev/null)" = refs/heads/promote/staging/all ] || fail "post-receive saw '$(cat pushed 2>/dev/null)'"
end

done_testing
