#!/bin/bash
# acd-revision.sh: acd-wait --revision SHA accepts that commit or a later one,
# decided in a real git repository (--repo-dir, or the one of the current
# directory), against the Argo CD API simulator on loopback.
. "$(dirname "$0")/../lib/cli.sh"

plan 19

. "$TOP/tests/lib/acd-lib.sh"

export GIT_AUTHOR_NAME=Tester GIT_AUTHOR_EMAIL=tester@example.com
export GIT_COMMITTER_NAME=Tester GIT_COMMITTER_EMAIL=tester@example.com
export GIT_CONFIG_NOSYSTEM=1
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0

# gitops: in $T, a bare srv.git and a clone w: c1 <- c2 <- c3 on main and
# x on a branch from c1 (in w and srv.git); c4 after c3 only in srv.git.
gitops() {
	git init -q --bare -b main srv.git
	git clone -q srv.git w 2>/dev/null
	for i in 1 2 3; do
		echo "$i" >w/f
		git -C w add f
		git -C w commit -qm "c$i"
		eval "c$i=\$(git -C w rev-parse HEAD)"
	done
	git -C w push -q origin main
	git -C w checkout -qb side "$c1"
	echo x >w/g
	git -C w add g
	git -C w commit -qm x
	x=$(git -C w rev-parse HEAD)
	git -C w push -q origin side
	git -C w checkout -q main
	git clone -q srv.git o 2>/dev/null
	echo 4 >o/f
	git -C o commit -qam c4
	c4=$(git -C o rev-parse HEAD)
	git -C o push -q origin main
}

# started CMD...: run CMD in the background (as run does, status in $rc at
# the end); returns once it has opened its watch. Then "finish" waits.
started() { watched "$@"; }
finish() { wait "$bg"; rc=$?; }

begin "the exact commit: done at once, no repository needed"
gitops
app '{"name":"r1","revision":"'$c3'"}'
run acd-wait --timeout 60 --revision "$c3" r1
expect_rc 0
expect_out_text "r1 Synced Healthy $c3"
run acd-wait --timeout 60 --revision "${c3:0:7}" r1
expect_rc 0
expect_out_text "r1 Synced Healthy $c3"
end

begin "a later commit, in the repository of the current directory: done at once"
gitops
app '{"name":"r2","revision":"'$c3'"}'
cd w && run acd-wait -v --timeout 60 --revision "$c1" r2 && cd ..
expect_rc 0
expect_out_text "r2 Synced Healthy $c3"
expect_err "acd-wait: revision ${c3:0:7} is a later commit than ${c1:0:7} in $T/w"
run acd-wait --timeout 60 --revision "${c2:0:8}" --repo-dir w/ r2
expect_rc 0
expect_out_text "r2 Synced Healthy $c3"
end

begin "not a later commit (another branch): waiting, 124 at the deadline says why"
gitops
app '{"name":"r3","revision":"'$x'"}'
run acd-wait --timeout 4 --revision "$c2" --repo-dir w r3
expect_rc 124
expect_out_text "r3 Synced Healthy $x"
expect_err "acd-wait: r3: not there when the time ran out (sync=Synced health=Healthy operation=-): revision ${x:0:7} is not ${c2:0:7} or a later commit in $T/w"
end

begin "waiting on another branch's commit ends when a later one is synced; each revision decided once"
gitops
app '{"name":"r4","revision":"'$x'"}'
started acd-wait -v --timeout 60 --revision "$c2" --repo-dir w r4
simctl "$P" apps/r4/status '{"health":"Progressing"}' >/dev/null
simctl "$P" apps/r4/status '{"health":"Healthy"}' >/dev/null
simctl "$P" apps/r4/status '{"revision":"'$c3'"}' >/dev/null
finish
expect_rc 0
expect_out_text "r4 Synced Healthy $c3"
[ "$(grep -c "revision ${x:0:7} is not ${c2:0:7} or a later commit" "$T/err")" -eq 1 ] ||
    fail "decided more than once: $(cat "$T/err")"
[ "$(grep -c "revision ${c3:0:7} is a later commit than ${c2:0:7}" "$T/err")" -eq 1 ] ||
    fail "stderr: $(cat "$T/err")"
end

begin "a revision the clone does not have yet: fetched from origin once, then decided"
gitops
app '{"name":"r5","revision":"'$c4'"}'
git -C w cat-file -e "$c4" 2>/dev/null && fail "the clone has c4 already"
cd w && run acd-wait -v --timeout 60 --revision "$c1" r5 && cd ..
expect_rc 0
expect_out_text "r5 Synced Healthy $c4"
expect_err "acd-wait: $T/w: fetched origin"
expect_err "revision ${c4:0:7} is a later commit than ${c1:0:7}"
git -C w cat-file -e "$c4" || fail "c4 was not fetched"
end

begin "a revision no fetch brings: not a match, and the deadline says so"
gitops
app '{"name":"r6","revision":"'$NEW'"}'
cd w && run acd-wait --timeout 4 --revision "$c1" r6 && cd ..
expect_rc 124
expect_out_text "r6 Synced Healthy $NEW"
expect_err "r6: not there when the time ran out (sync=Synced health=Healthy operation=-): revision ${NEW:0:12} is not known in $T/w (fetched origin)"
end

begin "the fetch goes to the remote of the app's repoURL, not origin"
gitops
git init -q --bare -b main other.git
git -C w remote set-url origin "$T/other.git"
git -C w remote add gitops "$T/srv.git"
app '{"name":"r7","revision":"'$c4'","repo_url":"file://'"$T"'/srv.git/"}'
run acd-wait -v --timeout 60 --revision "$c1" --repo-dir w r7
expect_rc 0
expect_out_text "r7 Synced Healthy $c4"
expect_err "acd-wait: $T/w: fetched gitops"
end

begin "multi-source: one of status.sync.revisions later is enough"
gitops
app '{"name":"r8","revision":"'$c1'"}'
simctl "$P" apps/r8/status '{"revision":"","revisions":["1.2.3","'$c3'"]}' >/dev/null
run acd-wait --timeout 60 --revision "$c2" --repo-dir w r8
expect_rc 0
simctl "$P" apps/r8/status '{"revisions":["1.2.3","'$x'"]}' >/dev/null
run acd-wait --timeout 4 --revision "$c2" --repo-dir w r8
expect_rc 124
expect_err "revision 1.2.3 is not ${c2:0:7}; revision ${x:0:7} is not ${c2:0:7} or a later commit in $T/w"
end

begin "no repository here: exact or prefix only, and the deadline says how to get more"
gitops
app '{"name":"r9","revision":"'$c3'"}'
run acd-wait --timeout 4 --revision "$c1" r9
expect_rc 124
expect_err "revision ${c3:0:7} is not ${c1:0:7} (no git repository here to tell a later commit by: give --repo-dir)"
end

begin "the repository here lacks the commit: exact only, no fetch"
gitops
app '{"name":"r10","revision":"'$c3'"}'
cd w && run acd-wait --timeout 4 --revision "$c4" r10 && cd ..
expect_rc 124
expect_err "revision ${c3:0:7} is not ${c4:0:7} ($T/w does not have $c4: give --repo-dir)"
git -C w cat-file -e "$c4" 2>/dev/null && fail "fetched without --repo-dir"
end

begin "--repo-dir has the commit only after a fetch: fetched, then decided"
gitops
app '{"name":"r11","revision":"'$c4'"}'
git -C o commit -q --allow-empty -m c5
c5=$(git -C o rev-parse HEAD)
git -C o push -q origin main
simctl "$P" apps/r11/status '{"revision":"'$c5'"}' >/dev/null
run acd-wait --timeout 60 --revision "$c4" --repo-dir w r11
expect_rc 0
expect_out_text "r11 Synced Healthy $c5"
end

begin "--repo-dir that is no repository: exit 2 before any request"
before=$(count "$P" .)
mkdir plain
run acd-wait --timeout 60 --revision abcdef1 --repo-dir plain r1
expect_rc 2
expect_no_out
expect_err "acd-wait: --repo-dir 'plain': not a git repository (nor in one)"
[ "$(count "$P" .)" -eq "$before" ] || fail "a request was sent"
end

begin "--repo-dir of a shallow clone: exit 2, saying how to get the history"
gitops
git clone -q --depth 1 "file://$T/srv.git" shallow 2>/dev/null
before=$(count "$P" .)
run acd-wait --timeout 60 --revision "$c1" --repo-dir shallow r1
expect_rc 2
expect_err "acd-wait: --repo-dir 'shallow' is a shallow clone, where a later commit cannot be told"
expect_err "git fetch --unshallow"
[ "$(count "$P" .)" -eq "$before" ] || fail "a request was sent"
end

begin "a shallow clone here: exact or prefix only, and the deadline says why"
gitops
git clone -q --depth 1 "file://$T/srv.git" shallow 2>/dev/null
app '{"name":"r14","revision":"'$c4'"}'
cd shallow && run acd-wait --timeout 4 --revision "$c4" r14 && cd ..
expect_rc 0
cd shallow && run acd-wait --timeout 4 --revision "$c3" r14 && cd ..
expect_rc 124
expect_err "($T/shallow is a shallow clone, where a later commit cannot be told"
expect_err "acd-wait: warning: --revision: $T/shallow is a shallow clone, where a later commit cannot be told: fetch with full history (git fetch --unshallow) or give --repo-dir; only ${c3:0:12} itself counts"
end

begin "--repo-dir without --revision is a usage error"
git init -q g
run acd-wait --repo-dir g r1
expect_rc 2
expect_err "acd-wait: --repo-dir is for --revision"
end

begin "a revision that is no commit id (a chart version): exact or prefix, as before"
app '{"name":"helm","revision":"1.2.3"}'
run acd-wait --timeout 60 --revision 1.2.3 helm
expect_rc 0
expect_out_text "helm Synced Healthy 1.2.3"
run acd-wait --timeout 4 --revision 1.2.4 helm
expect_rc 124
expect_err "helm: not there when the time ran out (sync=Synced health=Healthy operation=-): revision 1.2.3 is not 1.2.4"
end


begin "a fetch that fails is a warning, said once; the wait goes on to the deadline"
gitops
git -C w remote set-url origin "$T/gone.git"
app '{"name":"r17","revision":"'$c4'"}'
started acd-wait --timeout 5 --revision "$c1" --repo-dir w r17
simctl "$P" apps/r17/status '{"health":"Progressing"}' >/dev/null
simctl "$P" apps/r17/status '{"health":"Healthy"}' >/dev/null
finish
expect_rc 124
[ "$(grep -c "warning: revision ${c4:0:12} is not known in $T/w (fetching origin failed: " "$T/err")" -eq 1 ] ||
    fail "stderr: $(cat "$T/err")"
expect_err "r17: not there when the time ran out (sync=Synced health=Healthy operation=-): revision ${c4:0:12} is not known in $T/w (fetching origin failed: "
end

begin "a fetch that failed is tried again after a while: the remote back, the wait ends well"
gitops
git -C w remote set-url origin "$T/gone.git"
app '{"name":"r18","revision":"'$c4'"}'
started acd-wait --timeout 120 --revision "$c1" --repo-dir w r18
i=0
until grep -q "fetching origin failed" "$T/err"; do
	i=$((i + 1))
	[ $i -lt 600 ] || { fail "no failed fetch: $(cat "$T/err")"; break; }
	sleep 0.1
done
git -C w remote set-url origin "$T/srv.git"
# Each change of the app has it judged again, the fetch retried once due.
i=0
while kill -0 "$bg" 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 120 ] || { fail "still waiting: $(cat "$T/err")"; kill "$bg"; break; }
	simctl "$P" apps/r18/status '{"health":"Progressing"}' >/dev/null
	simctl "$P" apps/r18/status '{"health":"Healthy"}' >/dev/null
	sleep 0.5
done
finish
expect_rc 0
expect_out_text "r18 Synced Healthy $c4"
[ "$(grep -c "warning: revision ${c4:0:12} is not known" "$T/err")" -eq 1 ] ||
    fail "warned more than once: $(cat "$T/err")"
end

begin "a fetch from a server that never answers ends at the deadline (124), not never"
gitops
python3 -c '
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(8)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
held = []
while True:
    c, _ = s.accept()
    held.append(c)
' "$T/hole.port" &
pids="$pids $!"
wait_file "$T/hole.port" "the listener did not start"
git -C w remote set-url origin "http://127.0.0.1:$(cat "$T/hole.port")/x.git"
app '{"name":"r19","revision":"'$c4'"}'
run timeout -s KILL 60 acd-wait --timeout 4 --revision "$c1" --repo-dir w r19
expect_rc 124
expect_err "r19: not there when the time ran out"
end
