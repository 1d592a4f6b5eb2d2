# cli.sh: TAP helpers for command-level tests; source it from tests/cli/<tool>.sh.
# Each test gets a fresh temp dir (kept and named on failure).
set -u
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=$TOP/bin
FIXTURES=$TOP/tests/data
export PATH="$BIN:$PATH" LC_ALL=C.UTF-8
# Nothing from the caller's CI may leak into what the tests expect.
unset GITHUB_ACTIONS GITLAB_CI CI TOOLKIT_CI NO_COLOR CLICOLOR_FORCE \
    FORCE_COLOR RUNNER_DEBUG CI_DEBUG_TRACE GITHUB_OUTPUT
# Nor the machine's CA settings: a test that wants one sets it.
unset CURL_CA_BUNDLE SSL_CERT_FILE SSL_CERT_DIR GIT_SSL_CAINFO GIT_SSL_CAPATH

_t_n=0
_t_failed=0
_t_root=$(mktemp -d "${TMPDIR:-/tmp}/gitops-utils-test.XXXXXX")
trap '[ "$_t_failed" -eq 0 ] && rm -rf "$_t_root"' EXIT

# plan N: print the TAP plan.
plan() { echo "1..$1"; }

# begin NAME: start a test; cd into its own directory.
begin() {
	# TEST_TIMES=1: when each test starts, to find the slow ones.
	[ -n "${TEST_TIMES:-}" ] && echo "# $(date +%s.%N) $1"
	_t_n=$((_t_n + 1))
	_t_name=$1
	T=$_t_root/$_t_n
	mkdir -p "$T"
	cd "$T" || exit 1
	_t_ok=1
}

# fail MSG: mark the current test failed (with a diagnostic).
fail() {
	_t_ok=0
	echo "# $_t_name: $*"
}

# end: print the TAP line of the current test.
end() {
	if [ "$_t_ok" -eq 1 ]; then
		echo "ok $_t_n - $_t_name"
	else
		_t_failed=1
		echo "not ok $_t_n - $_t_name (kept in $T)"
	fi
	cd "$_t_root" || exit 1
}

# run CMD...: run with stdout to $T/out, stderr to $T/err, status in $rc.
run() {
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
}

# expect_rc N: the last run exited N.
expect_rc() {
	[ "$rc" -eq "$1" ] || fail "exit status $rc, expected $1; stderr: $(head -c 300 "$T/err")"
}

# expect_out FILE: stdout equals FILE byte for byte.
expect_out() {
	cmp -s "$T/out" "$1" || fail "stdout differs: $(diff -u "$1" "$T/out" | head -20)"
}

# expect_out_text TEXT: stdout equals TEXT plus a newline.
expect_out_text() {
	printf '%s\n' "$1" >"$T/want"
	expect_out "$T/want"
}

# expect_no_out: stdout is empty.
expect_no_out() {
	[ ! -s "$T/out" ] || fail "unexpected stdout: $(head -c 300 "$T/out")"
}

# usage_rule CMD MSG ARGS...: one test that CMD ARGS is refused as a
# usage error: exit 2, nothing on stdout, "CMD: MSG" then CMD's usage
# line on stderr.
usage_rule() {
	local cmd=$1 msg=$2
	shift 2
	begin "refused: $msg"
	run "$cmd" "$@"
	expect_rc 2
	expect_no_out
	[ "$(head -n 1 "$T/err")" = "$cmd: $msg" ] ||
	    fail "stderr: $(head -n 1 "$T/err")"
	sed -n 2p "$T/err" | grep -q "^usage: $cmd " ||
	    fail "no usage line after the message"
	end
}

# want: stdout equals what comes on stdin.
want() { cat >"$T/want"; expect_out "$T/want"; }

# expect_err_line LINE: stderr has exactly this line.
expect_err_line() {
	grep -qxF -- "$1" "$T/err" || fail "stderr lacks the line '$1': $(head -c 400 "$T/err")"
}

# expect_err PHRASE: stderr contains PHRASE.
expect_err() {
	grep -qF -- "$1" "$T/err" || fail "stderr lacks '$1': $(head -c 300 "$T/err")"
}

# expect_no_err: stderr is empty.
expect_no_err() {
	[ ! -s "$T/err" ] || fail "unexpected stderr: $(head -c 300 "$T/err")"
}

# free_port: print a loopback TCP port that is free now.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# The servers the tests start are Python or git processes: on a loaded
# 2-core machine under ASan their start can take many seconds. The waits
# poll a condition and give up only after WAIT_LIMIT seconds (60).
WAIT_LIMIT=${WAIT_LIMIT:-60}

# wait_port PORT WHAT [LOG]: wait until 127.0.0.1:PORT accepts
# connections, at most WAIT_LIMIT seconds; fail otherwise, showing LOG.
wait_port() {
	_end=$((SECONDS + WAIT_LIMIT))
	until (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; do
		if [ "$SECONDS" -ge "$_end" ]; then
			fail "$2 did not start: $([ -n "${3:-}" ] && head -c 300 "$3")"
			return 1
		fi
		sleep 0.02
	done
}

# wait_file FILE WHAT: wait until FILE exists and is not empty, at most
# WAIT_LIMIT seconds; fail otherwise.
wait_file() {
	_end=$((SECONDS + WAIT_LIMIT))
	until [ -s "$1" ]; do
		if [ "$SECONDS" -ge "$_end" ]; then
			fail "$2"
			return 1
		fi
		sleep 0.02
	done
}

# gone PID: wait (at most WAIT_LIMIT seconds) until process PID has ended
# (a zombie no one reaps counts as ended); fail and kill it otherwise.
gone() {
	_end=$((SECONDS + WAIT_LIMIT))
	while [ -e "/proc/$1" ] &&
	    [ "$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)" != Z ]; do
		if [ "$SECONDS" -ge "$_end" ]; then
			fail "process $1 of the hook is still running"
			kill -9 "$1" 2>/dev/null
			return 1
		fi
		sleep 0.05
	done
}

done_testing() {
	[ "$_t_failed" -eq 0 ]
}
