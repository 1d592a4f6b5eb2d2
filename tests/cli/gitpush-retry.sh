#!/bin/bash
# gitpush-retry.sh: commit and push against real repositories (file:// and git daemon).
. "$(dirname "$0")/../lib/cli.sh"
. "$TOP/tests/lib/git-http.sh"
plan 54

# Under make check SANITIZE=1: libgit2 has no frame pointers, so only the
# slow unwinder shows the libgit2 functions tests/lib/lsan.supp names.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0

export GIT_AUTHOR_NAME=Tester GIT_AUTHOR_EMAIL=tester@example.com
export GIT_COMMITTER_NAME=Tester GIT_COMMITTER_EMAIL=tester@example.com
export GIT_CONFIG_NOSYSTEM=1 HOME=$_t_root

# setup: a bare repository with one commit on main, and clones a and b.
setup() {
	git init -q --bare -b main srv.git
	git clone -q srv.git a 2>/dev/null
	printf 'line1\nline2\nline3\n' >a/f
	git -C a add f
	git -C a commit -qm init
	git -C a push -q origin main
	git clone -q srv.git b 2>/dev/null
}

# start_daemon: git daemon for $T on a free loopback port, in $port and
# $dpid; returns once it accepts connections (bounded wait).
start_daemon() {
	port=$(free_port)
	git daemon --reuseaddr --listen=127.0.0.1 --port="$port" --base-path="$T" \
	    --export-all --enable=receive-pack --max-connections=64 "$T" \
	    >daemon.log 2>&1 &
	dpid=$!
	wait_port "$port" "git daemon" "$T/daemon.log"
}

stop_daemon() {
	kill "$dpid" 2>/dev/null
	wait "$dpid" 2>/dev/null
}

# start_sshd: sshd on a free loopback port ($sport, $spid) with a fresh
# host key, accepting the keys in $T/authorized_keys.
start_sshd() {
	sport=$(free_port)
	ssh-keygen -q -t ed25519 -N '' -f "$T/host_key"
	mkdir -p /run/sshd
	cat >"$T/sshd_config" <<CONF
Port $sport
ListenAddress 127.0.0.1
HostKey $T/host_key
AuthorizedKeysFile $T/authorized_keys
PermitRootLogin yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PidFile $T/sshd.pid
CONF
	/usr/sbin/sshd -D -e -f "$T/sshd_config" 2>"$T/sshd.log" &
	spid=$!
	wait_port "$sport" sshd "$T/sshd.log"
}

stop_sshd() {
	kill "$spid" 2>/dev/null
	wait "$spid" 2>/dev/null
}

# known_host: trust the test sshd's host key (the only entry).
known_host() {
	mkdir -p "$HOME/.ssh"
	printf '[127.0.0.1]:%s %s\n' "$sport" "$(cut -d' ' -f1,2 "$T/host_key.pub")" \
	    >"$HOME/.ssh/known_hosts"
}

# tip: the server's main.
tip() { git -C "$T/srv.git" rev-parse main; }

begin "a change lands; stdout is the pushed commit; the clone follows"
setup
cd a && echo new >g && run gitpush-retry -m "add g" g && cd ..
expect_rc 0
[ "$(cat out)" = "$(tip)" ] || fail "stdout '$(cat out)' is not the tip $(tip)"
[ "$(git -C a rev-parse HEAD)" = "$(tip)" ] || fail "local HEAD is not the tip"
[ -z "$(git -C a status --porcelain)" ] || fail "work tree not clean: $(git -C a status --porcelain)"
end

begin "a shallow clone (a CI checkout's default) is refused, exit 3, before any commit"
setup
git -C a commit -q --allow-empty -m two && git -C a push -q origin main
git clone -q --depth 1 "file://$T/srv.git" s 2>/dev/null
before=$(git -C s rev-parse HEAD)
cd s && echo new >g && run gitpush-retry -m "add g" g && cd ..
expect_rc 3
expect_no_out
expect_err "gitpush-retry: $T/s/ is a shallow clone, which libgit2 cannot push from: clone with full history (actions/checkout: fetch-depth: 0; GitLab: GIT_DEPTH: 0) or run 'git fetch --unshallow'"
[ "$(git -C s rev-parse HEAD)" = "$before" ] || fail "a local commit was made"
[ "$(tip)" = "$before" ] || fail "the server moved"
end

begin "a stale tip is rebased on and both commits land"
setup
(cd b && echo b >h && git add h && git commit -qm "add h" && git push -q origin main)
cd a && echo a >g && run gitpush-retry -m "add g" g && cd ..
expect_rc 0
[ "$(git -C srv.git log --format=%s main | tr '\n' ,)" = "add g,add h,init," ] || fail "history: $(git -C srv.git log --format=%s main | tr '\n' ,)"
[ -f a/h ] || fail "the other writer's file is not in the work tree"
[ "$(git -C a rev-parse HEAD)" = "$(tip)" ] || fail "local HEAD is not the tip"
end

begin "nothing to push is success, and 1 with --exit-code"
setup
cd a && run gitpush-retry && cd ..
expect_rc 0
expect_no_out
expect_err "nothing to push"
cd a && run gitpush-retry --exit-code && cd ..
expect_rc 1
end

begin "a same-line conflict exits 5, keeps the local commit and pushes nothing"
setup
(cd b && sed -i 's/line2/B/' f && git commit -qam "b edits" && git push -q origin main)
before=$(tip)
cd a && sed -i 's/line2/A/' f && run gitpush-retry -m "a edits" f && cd ..
expect_rc 5
expect_err "conflict in: f"
[ "$(tip)" = "$before" ] || fail "the server moved"
[ "$(git -C a log -1 --format=%s)" = "a edits" ] || fail "the local commit is gone"
grep -q '^A$' a/f || fail "the work tree lost our edit"
end

begin "a conflict says why, then that the commit stays, then the -- COMMAND form"
setup
(cd b && sed -i 's/line2/B/' f && git commit -qam "b edits" && git push -q origin main)
cd a && sed -i 's/line2/A/' f && run gitpush-retry -m "a edits" f && cd ..
expect_rc 5
sed 's/commit [0-9a-f]* conflicts/commit X conflicts/' "$T/err" >err.x
cat >err.want <<'EOF'
gitpush-retry: commit X conflicts with the remote branch
gitpush-retry: conflict in: f
gitpush-retry: nothing was pushed; 'main' still has the local commit
gitpush-retry: warning: the commit stays on the local branch 'main'
gitpush-retry: hint: make the change with a command instead (gitpush-retry -m MSG -- COMMAND [ARG ...]): it runs again on the new tip after each lost race, so it does not conflict
EOF
diff -u err.want err.x >/dev/null || fail "stderr: $(diff -u err.want err.x)"
cd a && run gitpush-retry -q && cd ..
expect_rc 5
! grep -q "hint:\|warning:" "$T/err" || fail "-q shows: $(cat "$T/err")"
end

begin "the remote down: the cause with the attempt count, then the commit that stays"
setup
git -C a remote set-url origin "git://127.0.0.1:$(free_port)/srv.git"
cd a && echo x >g && run gitpush-retry --max-attempts 2 --backoff-base 10ms -m g g && cd ..
expect_rc 7
expect_no_out
[ "$(wc -l <"$T/err")" -eq 2 ] || fail "stderr: $(cat "$T/err")"
sed -n 1p "$T/err" | grep -q "^gitpush-retry: fetch: .*127\.0\.0\.1.* (after 2 attempts; nothing was pushed)$" ||
    fail "line 1: $(sed -n 1p "$T/err")"
[ "$(sed -n 2p "$T/err")" = "gitpush-retry: warning: the commit stays on the local branch 'main'" ] ||
    fail "line 2: $(sed -n 2p "$T/err")"
[ "$(git -C a log -1 --format=%s)" = g ] || fail "the local commit is gone"
end

begin "-- COMMAND re-applies the edit on the new tip: same line, both land"
setup
(cd b && sed -i 's/line2/B/' f && git commit -qam "b edits" && git push -q origin main)
cd a && run gitpush-retry -m "set line2" -- sed -i 's/^line2$\|^B$/C/' f && cd ..
expect_rc 0
[ "$(git -C srv.git show main:f | sed -n 2p)" = C ] || fail "line 2 is '$(git -C srv.git show main:f | sed -n 2p)'"
[ "$(git -C srv.git log --format=%s main | tr '\n' ,)" = "set line2,b edits,init," ] || fail "history: $(git -C srv.git log --format=%s main | tr '\n' ,)"
[ "$(cat out)" = "$(tip)" ] || fail "stdout is not the tip"
end

begin "-- COMMAND that changes nothing is success without a commit"
setup
cd a && run gitpush-retry -m x -- true && cd ..
expect_rc 0
expect_no_out
expect_err "changed nothing"
end

begin "-- COMMAND refuses a dirty work tree"
setup
cd a && echo dirt >>f && run gitpush-retry -m x -- true && cd ..
expect_rc 2
expect_err "the work tree has changes"
end

begin "a rerun after a lost reply does not push a duplicate"
setup
(cd b && echo b >h && git add h && git commit -qm "add h" && git push -q origin main)
cd a && echo a >g && git add g && git commit -qm "add g" && orig=$(git rev-parse HEAD) &&
    gitpush-retry >/dev/null 2>&1 && landed=$(git rev-parse HEAD) &&
    git reset -q --hard "$orig" && run gitpush-retry && cd ..
expect_rc 0
expect_no_out
expect_err "already on"
[ "$(tip)" = "$landed" ] || fail "the server got another commit"
[ "$(git -C srv.git log --format=%s main | grep -c 'add g')" = 1 ] || fail "duplicate commit"
end

begin "a declining pre-receive hook exits 3 with its message"
setup
printf '#!/bin/sh\necho "policy: no pushes today"\nexit 1\n' >srv.git/hooks/pre-receive
chmod +x srv.git/hooks/pre-receive
start_daemon
before=$(tip)
git clone -q "git://127.0.0.1:$port/srv.git" c 2>/dev/null
cd c && echo x >g && run gitpush-retry -m g g && cd ..
stop_daemon
expect_rc 3
expect_err "remote: policy: no pushes today"
[ "$(tip)" = "$before" ] || fail "the server moved"
end

# hook NAME BODY: install an executable hook in srv.git.
hook() {
	printf '#!/bin/sh\n%s\n' "$2" >"srv.git/hooks/$1"
	chmod +x "srv.git/hooks/$1"
}

# Local remotes: git receive-pack runs, as for git push (the remote's hooks
# are policy). Each over file://, file://localhost/ (percent-encoded, as
# libgit2 would also take it) and a plain path.
local_origin() {
	case $url in
	path) git -C a remote set-url origin "$T/srv.git" ;;
	file://localhost/) git -C a remote set-url origin \
	    "file://localhost$(printf '%s' "$T" | sed 's|/|%2F|g; s|%2F|/|')/srv.git" ;;
	*) git -C a remote set-url origin "file://$T/srv.git" ;;
	esac
}
for url in file:// file://localhost/ path; do
begin "a declining pre-receive hook on a $url remote: exit 3 with its message"
setup
hook pre-receive 'echo "policy: no pushes today" >&2; exit 1'
local_origin
before=$(tip)
cd a && echo x >g && run gitpush-retry -m g g && cd ..
expect_rc 3
expect_no_out
expect_err "gitpush-retry: remote: policy: no pushes today"
expect_err "push rejected: pre-receive hook declined"
[ "$(tip)" = "$before" ] || fail "the server moved"
[ "$(git -C a log -1 --format=%s)" = g ] || fail "the local commit is gone"
end

begin "a declining update hook on a $url remote: exit 3 with its message"
setup
hook update 'echo "update: $1 is frozen"; exit 1'
local_origin
before=$(tip)
cd a && echo x >g && run gitpush-retry -m g g && cd ..
expect_rc 3
expect_no_out
expect_err "gitpush-retry: remote: update: refs/heads/main is frozen"
expect_err "push rejected: hook declined"
[ "$(tip)" = "$before" ] || fail "the server moved"
[ "$(git -C a log -1 --format=%s)" = g ] || fail "the local commit is gone"
end

begin "post-receive on a $url remote has run when the push returns"
setup
# The marker is written last, after a pause: the push waits for the hook.
hook post-receive "read old new ref; sleep 0.2; echo \"\$ref \$new\" >'$T/marker'"
local_origin
cd a && echo x >g && run gitpush-retry -m g g && cd ..
expect_rc 0
expect_out_text "$(tip)"
[ "$(cat marker 2>/dev/null)" = "refs/heads/main $(tip)" ] || fail "marker: '$(cat marker 2>/dev/null)'"
end
done

begin "a pre-receive hook that hangs is stopped at --deadline: exit 124, no process left"
setup
hook pre-receive "echo \$\$ >'$T/hookpid'; exec sleep 300"
git -C a remote set-url origin "file://$T/srv.git"
before=$(tip)
cd a && echo x >g && run timeout -s KILL 60 gitpush-retry --deadline 2s -m g g && cd ..
expect_rc 124
expect_no_out
printf '%s\n' "gitpush-retry: the deadline passed while waiting (a push in flight may still land; a rerun will not duplicate it)" >want.err
cmp -s want.err err || fail "stderr: $(head -c 300 err)"
[ "$(tip)" = "$before" ] || fail "the server moved"
[ "$(git -C a log -1 --format=%s)" = g ] || fail "the local commit is gone"
if [ -s hookpid ]; then gone "$(cat hookpid)"; else fail "the hook did not run"; fi
end

begin "SIGTERM while a hook hangs: the hook is stopped too, nothing lands"
setup
hook pre-receive "echo \$\$ >'$T/hookpid'; exec sleep 300"
git -C a remote set-url origin "file://$T/srv.git"
before=$(tip)
cd a && echo x >g
gitpush-retry -m g g >../out 2>../err &
gp=$!
cd ..
wait_file hookpid "the hook did not run"
kill -TERM "$gp"
wait "$gp"
rc=$?
expect_rc 143
[ "$(tip)" = "$before" ] || fail "the server moved"
[ "$(git -C a log -1 --format=%s)" = g ] || fail "the local commit is gone"
[ -s hookpid ] && gone "$(cat hookpid)"
end

begin "a declining hook that prints 5 MB first: its last words are shown"
setup
hook pre-receive 'yes "the hook says a lot" | head -n 250000 >&2; echo "policy: DENIED" >&2; exit 1'
git -C a remote set-url origin "file://$T/srv.git"
before=$(tip)
cd a && echo x >g && run gitpush-retry -m g g && cd ..
expect_rc 3
expect_no_out
expect_err "gitpush-retry: remote: policy: DENIED"
grep -Eqx 'gitpush-retry: remote: \[[0-9]{7} bytes left out\]' err ||
    fail "no line says what was left out"
expect_err "push rejected: pre-receive hook declined"
[ "$(wc -c <err)" -lt 200000 ] || fail "stderr has $(wc -c <err) bytes"
[ "$(tip)" = "$before" ] || fail "the server moved"
end

begin "a local remote without git on PATH: exit 3, saying git is needed"
setup
hook pre-receive 'exit 1'
before=$(tip)
cd a && echo x >g && run env PATH="$BIN" gitpush-retry -m g g && cd ..
expect_rc 3
expect_err "git is not installed (not on PATH): local remotes are served by git's own upload-pack and receive-pack, which run the remote's hooks; install git"
[ "$(tip)" = "$before" ] || fail "the server moved"
end

begin "a local remote that is not a repository: exit 3 with git's words"
setup
git -C a remote set-url origin "$T/nothing-here.git"
cd a && echo x >g && run gitpush-retry -m g g && cd ..
expect_rc 3
expect_err "fetch: git upload-pack '$T/nothing-here.git': fatal: '$T/nothing-here.git' does not appear to be a git repository"
end

begin "a 600-character branch name is pushed whole, not cut"
setup
long=$(printf 'release/%.0s' $(seq 75))x
cd a && git checkout -q -b "$long" && echo x >g && run gitpush-retry -m g g && cd ..
expect_rc 0
expect_out_text "$(git -C srv.git rev-parse "refs/heads/$long")"
[ "$(git -C srv.git for-each-ref --format='%(refname)' refs/heads | grep -c release/)" = 1 ] ||
    fail "branches: $(git -C srv.git for-each-ref --format='%(refname)' refs/heads | cut -c1-80)"
end

begin "trailers and \$GITHUB_OUTPUT"
setup
cd a && echo x >g && run env GITHUB_OUTPUT="$T/gh.out" gitpush-retry -m g --trailer Ticket=OPS-1 g && cd ..
expect_rc 0
[ "$(git -C srv.git log -1 --format=%B main)" = "$(printf 'g\n\nTicket: OPS-1')" ] || fail "message: $(git -C srv.git log -1 --format=%B main)"
[ "$(cat gh.out)" = "$(printf 'sha=%s\npushed=true' "$(tip)")" ] || fail "GITHUB_OUTPUT: $(cat gh.out)"
end

begin "GitHub Actions adds provenance trailers"
setup
cd a && echo x >g && run env GITHUB_ACTIONS=true GITHUB_SERVER_URL=https://github.example GITHUB_REPOSITORY=org/app GITHUB_SHA=abc123 GITHUB_RUN_ID=42 GITHUB_RUN_ATTEMPT=2 gitpush-retry -m g g && cd ..
expect_rc 0
want=$(printf 'g\n\nSource-Repository: https://github.example/org/app\nSource-Commit: abc123\nSource-Run: https://github.example/org/app/actions/runs/42/attempts/2')
[ "$(git -C srv.git log -1 --format=%B main)" = "$want" ] || fail "message: $(git -C srv.git log -1 --format=%B main)"
end

begin "changes without -m are a usage error"
setup
cd a && echo x >g && run gitpush-retry g && cd ..
expect_rc 2
expect_err "give a message with -m"
cd a && run gitpush-retry --author nobody -m x g && cd ..
expect_rc 2
expect_err "invalid author 'nobody' (use 'Name <email>')"
end

begin "outside a repository: exit 4"
run gitpush-retry -m x
expect_rc 4
expect_err "not in a git repository"
end

begin "8 writers at once over git://: all land, none lost"
setup
start_daemon
pids=
for w in 1 2 3 4 5 6 7 8; do
	git clone -q "git://127.0.0.1:$port/srv.git" "w$w" 2>/dev/null
	echo "$w" >"w$w/file$w"
done
for w in 1 2 3 4 5 6 7 8; do
	(cd "w$w" && gitpush-retry -m "writer $w" "file$w" >out 2>err; echo $? >rc) &
	pids="$pids $!"
done
wait $pids
stop_daemon
for w in 1 2 3 4 5 6 7 8; do
	[ "$(cat "w$w/rc")" = 0 ] || fail "writer $w exited $(cat "w$w/rc"): $(head -c 300 "w$w/err")"
	git -C srv.git merge-base --is-ancestor "$(cat "w$w/out")" main 2>/dev/null ||
	    fail "writer $w's commit is not on main"
done
[ "$(git -C srv.git log --format=%s main | grep -c '^writer ')" = 8 ] || fail "$(git -C srv.git log --format=%s main | grep -c '^writer ') of 8 writers landed"
end

begin "8 writers at once over file://: all land (our compare-and-swap)"
setup
pids=
for w in 1 2 3 4 5 6 7 8; do
	git clone -q "file://$T/srv.git" "w$w" 2>/dev/null
	echo "$w" >"w$w/file$w"
done
for w in 1 2 3 4 5 6 7 8; do
	(cd "w$w" && gitpush-retry -m "writer $w" "file$w" >out 2>err; echo $? >rc) &
	pids="$pids $!"
done
wait $pids
for w in 1 2 3 4 5 6 7 8; do
	[ "$(cat "w$w/rc")" = 0 ] || fail "writer $w exited $(cat "w$w/rc"): $(head -c 300 "w$w/err")"
	git -C srv.git merge-base --is-ancestor "$(cat "w$w/out")" main 2>/dev/null ||
	    fail "writer $w's commit is not on main"
done
[ "$(git -C srv.git log --format=%s main | grep -c '^writer ')" = 8 ] || fail "$(git -C srv.git log --format=%s main | grep -c '^writer ') of 8 writers landed"
end

begin "smart HTTP with a token from GITOPS_TOKEN"
setup
start_http
git -C a remote set-url origin "http://127.0.0.1:$hport/git/srv.git"
cd a && echo x >g && run env GITOPS_TOKEN=s3cr3t-t0ken gitpush-retry -vv -m g g && cd ..
expect_rc 0
[ "$(cat out)" = "$(tip)" ] || fail "stdout is not the tip"
grep -q s3cr3t-t0ken err && fail "the token is on stderr"
end

begin "smart HTTP with --token-file and with credentials in the URL"
cd "$_t_root/$((_t_n - 1))"
T=$PWD
printf 's3cr3t-t0ken\n' >tok
cd a && echo y >h && run gitpush-retry --token-file ../tok -m h h && cd ..
expect_rc 0
git -C a remote set-url origin "http://x-access-token:s3cr3t-t0ken@127.0.0.1:$hport/git/srv.git"
cd a && echo z >i && run gitpush-retry -m i i && cd ..
expect_rc 0
[ "$(git -C srv.git log --format=%s main | tr '\n' ,)" = "i,h,g,init," ] || fail "history: $(git -C srv.git log --format=%s main | tr '\n' ,)"
end

begin "a wrong token is one refusal and exit 6, without the token in the message"
cd "$_t_root/$((_t_n - 2))"
T=$PWD
git -C a remote set-url origin "http://127.0.0.1:$hport/git/srv.git"
cd a && echo w >j && run env GITOPS_TOKEN=wrong-t0ken-123 gitpush-retry -vv -m j j && cd ..
expect_rc 6
expect_err "refused the credentials (GITOPS_TOKEN)"
grep -q wrong-t0ken-123 err && fail "the token is on stderr"
end

begin "no credentials for a server that wants them: exit 6 with what to set"
cd "$_t_root/$((_t_n - 3))"
T=$PWD
cd a && run env -u GITOPS_TOKEN -u GITHUB_TOKEN -u GH_TOKEN -u GITLAB_TOKEN gitpush-retry -m j j && cd ..
expect_rc 6
expect_err "set GITOPS_TOKEN"
end

begin "a wrong password in the URL is redacted"
cd "$_t_root/$((_t_n - 4))"
T=$PWD
git -C a remote set-url origin "http://x-access-token:bad-pass-456@127.0.0.1:$hport/git/srv.git"
cd a && run gitpush-retry -vv -m j j && cd ..
stop_http
expect_rc 6
expect_err "refused the credentials (from the remote URL)"
grep -q bad-pass-456 err && fail "the password is on stderr"
end

begin "HTTPS with a private CA given by --ca-file"
setup
make_ca
start_http tls
git -C a remote set-url origin "https://localhost:$hport/git/srv.git"
cd a && echo x >g && run env GITOPS_TOKEN=s3cr3t-t0ken gitpush-retry --ca-file ../ca.crt -m g g && cd ..
expect_rc 0
[ "$(cat out)" = "$(tip)" ] || fail "stdout is not the tip"
end

begin "HTTPS with an unknown CA is refused (exit 6) and says how to trust it"
cd "$_t_root/$((_t_n - 1))"
T=$PWD
before=$(tip)
cd a && echo y >h && run env GITOPS_TOKEN=s3cr3t-t0ken GIT_SSL_CAINFO= gitpush-retry -m h h && cd ..
expect_rc 6
expect_err "gitpush-retry: fetch: the SSL certificate is invalid: 0x08 - The certificate is not correctly signed by the trusted CA (for a private CA use --ca-file or GIT_SSL_CAINFO)"
[ "$(tip)" = "$before" ] || fail "the server moved"
end

begin "HTTPS --insecure accepts it, with a warning"
cd "$_t_root/$((_t_n - 2))"
T=$PWD
cd a && run env GITOPS_TOKEN=s3cr3t-t0ken gitpush-retry --insecure && cd ..
stop_http
expect_rc 0
expect_err "TLS certificates are not verified (--insecure)"
[ "$(cat out)" = "$(tip)" ] || fail "stdout is not the tip"
end

# libgit2 1.5's mbedTLS matches no IP address in a certificate; git_tls.c
# checks the certificate again for an IP host, completely.
begin "HTTPS at 127.0.0.1 and at localhost with the CA from GIT_SSL_CAINFO"
setup
make_ca
start_http tls
git -C a remote set-url origin "https://127.0.0.1:$hport/git/srv.git"
cd a && echo x >g && run env GITOPS_TOKEN=s3cr3t-t0ken GIT_SSL_CAINFO="$T/ca.crt" gitpush-retry -m g g && cd ..
expect_rc 0
expect_out_text "$(tip)"
git -C a remote set-url origin "https://localhost:$hport/git/srv.git"
cd a && echo y >h && run env GITOPS_TOKEN=s3cr3t-t0ken GIT_SSL_CAINFO="$T/ca.crt" gitpush-retry -m h h && cd ..
stop_http
expect_rc 0
expect_out_text "$(tip)"
end

begin "no --ca-file: GIT_SSL_CAINFO, CURL_CA_BUNDLE, SSL_CERT_FILE, GIT_SSL_CAPATH or SSL_CERT_DIR names the CA"
setup
make_ca
start_http tls
mkdir certs && cp ca.crt certs/ && openssl rehash certs
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout other.key -out other.pem -days 2 -subj /CN=other-ca 2>/dev/null
git -C a remote set-url origin "https://localhost:$hport/git/srv.git"
n=0
for v in GIT_SSL_CAINFO=$T/ca.crt CURL_CA_BUNDLE=$T/ca.crt SSL_CERT_FILE=$T/ca.crt \
    GIT_SSL_CAPATH=$T/certs SSL_CERT_DIR=$T/certs \
    "GIT_SSL_CAINFO=$T/ca.crt SSL_CERT_FILE=$T/other.pem"; do
	n=$((n + 1))
	cd a && echo $n >f$n && run env GITOPS_TOKEN=s3cr3t-t0ken $v gitpush-retry -m f$n f$n && cd ..
	expect_rc 0
	expect_out_text "$(tip)"
done
# GIT_SSL_CAINFO first, then as curl: CURL_CA_BUNDLE, SSL_CERT_FILE.
before=$(tip)
cd a && echo y >y && run env GITOPS_TOKEN=s3cr3t-t0ken GIT_SSL_CAINFO="$T/other.pem" SSL_CERT_FILE="$T/ca.crt" gitpush-retry -m y y && cd ..
expect_rc 6
cd a && run env GITOPS_TOKEN=s3cr3t-t0ken SSL_CERT_FILE="$T/nonexistent.pem" gitpush-retry && cd ..
expect_rc 2
expect_err "gitpush-retry: cannot read the CA bundle '$T/nonexistent.pem' (from SSL_CERT_FILE): No such file or directory"
cd a && run env GITOPS_TOKEN=s3cr3t-t0ken SSL_CERT_DIR=/dev/null gitpush-retry && cd ..
expect_rc 2
expect_err "gitpush-retry: the CA directory '/dev/null' (from SSL_CERT_DIR) is not a directory"
echo 'not a certificate' >junk.pem
cd a && run env GITOPS_TOKEN=s3cr3t-t0ken GIT_SSL_CAINFO="$T/junk.pem" gitpush-retry && cd ..
expect_rc 2
expect_err "gitpush-retry: cannot load the CA bundle '$T/junk.pem' (from GIT_SSL_CAINFO) or directory '/etc/ssl/certs': failed to load CA certificates"
[ "$(tip)" = "$before" ] || fail "the server moved"
# --insecure, or a remote that is not https: the CA settings do not matter.
cd a && run env GITOPS_TOKEN=s3cr3t-t0ken SSL_CERT_FILE="$T/nonexistent.pem" gitpush-retry --insecure && cd ..
expect_rc 0
expect_out_text "$(tip)"
stop_http
git -C a remote set-url origin "$T/srv.git"
cd a && echo z >z && run env SSL_CERT_FILE="$T/nonexistent.pem" SSL_CERT_DIR=/dev/null gitpush-retry -m z z && cd ..
expect_rc 0
expect_out_text "$(tip)"
end

# ip_refused SAN [CA]: a certificate with subjectAltName SAN at
# https://127.0.0.1 is refused: exit 6, the server unchanged.
ip_refused() {
	setup
	make_ca "$1"
	start_http tls
	git -C a remote set-url origin "https://127.0.0.1:$hport/git/srv.git"
	before=$(tip)
	cd a && echo x >g && run env GITOPS_TOKEN=s3cr3t-t0ken GIT_SSL_CAINFO="${2-$T/ca.crt}" gitpush-retry -m g g && cd ..
	stop_http
	expect_rc 6
	expect_no_out
	expect_err "(at an IP address the certificate must name it in subjectAltName and be signed by a CA you trust, without intermediates; else use a host name the certificate names, and --ca-file or GIT_SSL_CAINFO for a private CA)"
	[ "$(tip)" = "$before" ] || fail "the server moved"
}

begin "HTTPS at 127.0.0.1, a certificate naming only DNS:localhost: exit 6, use the host name"
ip_refused DNS:localhost
expect_err "gitpush-retry: fetch: the SSL certificate is invalid: 0x04 - The certificate Common Name (CN) does not match with the expected CN"
end

begin "HTTPS at 127.0.0.1, a certificate for IP:127.0.0.2: exit 6"
ip_refused DNS:localhost,IP:127.0.0.2
end

# mbedTLS compares the address as a string with DNS names and the CN: a
# certificate "for" DNS:127.0.0.1 passed its check (and curl refuses it).
begin "HTTPS at 127.0.0.1, the address only as a DNS name: exit 6"
ip_refused DNS:127.0.0.1
expect_err "gitpush-retry: fetch: the certificate does not name the address in an iPAddress subjectAltName"
end

begin "HTTPS at 127.0.0.1, the address named but the CA unknown: exit 6"
ip_refused DNS:localhost,IP:127.0.0.1 ""
end

begin "SSH with --ssh-key and a known host key"
setup
ssh-keygen -q -t ed25519 -N '' -f "$T/id_test"
cp "$T/id_test.pub" "$T/authorized_keys"
start_sshd
known_host
git -C a remote set-url origin "ssh://root@127.0.0.1:$sport$T/srv.git"
cd a && echo x >g && run gitpush-retry --ssh-key "$T/id_test" -m g g && cd ..
expect_rc 0
[ "$(cat out)" = "$(tip)" ] || fail "stdout is not the tip: $(cat err)"
end

begin "SSH through ssh-agent"
cd "$_t_root/$((_t_n - 1))"
T=$PWD
eval "$(ssh-agent -s)" >/dev/null
ssh-add -q "$T/id_test" 2>/dev/null
cd a && echo y >h && run gitpush-retry -m h h && cd ..
ssh-agent -k >/dev/null 2>&1
unset SSH_AUTH_SOCK SSH_AGENT_PID
expect_rc 0
[ "$(cat out)" = "$(tip)" ] || fail "stdout is not the tip"
end

begin "SSH to an unknown host key is refused (exit 6), never skipped"
cd "$_t_root/$((_t_n - 2))"
T=$PWD
: >"$HOME/.ssh/known_hosts"
before=$(tip)
cd a && echo z >i && run gitpush-retry --ssh-key "$T/id_test" -m i i && cd ..
expect_rc 6
expect_err "known_hosts"
[ "$(tip)" = "$before" ] || fail "the server moved"
end

begin "an RSA key refused by OpenSSH says why"
cd "$_t_root/$((_t_n - 3))"
T=$PWD
known_host
ssh-keygen -q -t rsa -b 2048 -N '' -f "$T/id_rsa_test"
cat "$T/id_rsa_test.pub" >>"$T/authorized_keys"
cd a && run gitpush-retry --ssh-key "$T/id_rsa_test" && cd ..
stop_sshd
expect_rc 6
expect_err "use an ed25519 or ECDSA key"
end

begin "a server killed mid-push: retried as transient, exit 7 when it stays down"
setup
# The hook says it runs, then waits (bounded) so the push is in flight.
printf '#!/bin/sh\ntouch "%s/in-hook"\ni=0\nwhile [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done\n' "$T" \
    >srv.git/hooks/pre-receive
chmod +x srv.git/hooks/pre-receive
port=$(free_port)
# Its own process group, so the kill takes receive-pack and the hook too.
# Started from a subshell, so this shell reports no "Killed" job later.
(setsid git daemon --reuseaddr --listen=127.0.0.1 --port="$port" --base-path="$T" \
    --export-all --enable=receive-pack "$T" >daemon.log 2>&1 &
    echo $! >"$T/daemon.pid")
dpid=$(cat "$T/daemon.pid")
wait_port "$port" "git daemon"
before=$(tip)
git clone -q "git://127.0.0.1:$port/srv.git" c 2>/dev/null
# Bounded by attempts, not time: a slow machine must not turn 7 into 124.
(cd c && echo x >g && gitpush-retry --max-attempts 3 -m g g >"$T/out" 2>"$T/err"; echo $? >"$T/rc") &
cpid=$!
i=0
until [ -f in-hook ]; do
	i=$((i + 1))
	[ $i -lt 1000 ] || { fail "the push never reached the hook"; break; }
	sleep 0.02
done
kill -9 -- "-$dpid" 2>/dev/null
wait "$cpid"
rc=$(cat rc)
expect_rc 7
expect_err "127.0.0.1"
[ "$(tip)" = "$before" ] || fail "the server moved"
[ "$(git -C c log -1 --format=%s)" = g ] || fail "the local commit is gone"
end

begin "an HTTP server answering 503 is transient: retried, then exit 7"
setup
python3 -c '
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(503); self.send_header("Content-Length", "0"); self.end_headers()
    do_POST = do_GET
    def log_message(self, *a): pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
open(sys.argv[1], "w").write(str(s.server_address[1]))
s.serve_forever()
' "$T/h503.port" &
hpid=$!
wait_file h503.port "the 503 server did not start"
git -C a remote set-url origin "http://127.0.0.1:$(cat h503.port)/srv.git"
cd a && echo x >g && run gitpush-retry -v --max-attempts 3 -m g g && cd ..
kill "$hpid" 2>/dev/null
wait "$hpid" 2>/dev/null
expect_rc 7
expect_err "503"
expect_err "retrying in"
end

begin "a server that accepts and never answers is bounded by --deadline (124)"
setup
# A listener that accepts connections and never says a word.
python3 -c '
import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
held = []
while True:
    held.append(s.accept()[0])
' "$T/silent.port" &
spid=$!
wait_file silent.port "the silent server did not start"
git -C a remote set-url origin "git://127.0.0.1:$(cat silent.port)/srv.git"
# timeout(1) only guards the suite; it would kill with 137, not exit 124.
cd a && echo x >g && run timeout -s KILL 60 gitpush-retry --deadline 2s -m g g && cd ..
kill "$spid" 2>/dev/null
wait "$spid" 2>/dev/null
expect_rc 124
expect_err "the deadline passed while waiting"
[ "$(git -C a log -1 --format=%s)" = g ] || fail "the local commit is gone"
end

done_testing
