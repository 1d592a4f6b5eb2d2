#!/bin/bash
# verbose.sh: -v means one thing in every command: log everything, debug
# lines included; -vv is the same; a CI's debug re-run (RUNNER_DEBUG=1,
# CI_DEBUG_TRACE=true) turns it on. Debug lines are made by the planted test
# plugin through imgtag, so nothing touches the network.
. "$(dirname "$0")/../lib/cli.sh"

plan 6

PL=$TOP/obj/test-plugins
REF=planted.test/demo/app:v1
export HOME=$_t_root/home
unset DOCKER_CONFIG REGISTRY_AUTH_FILE XDG_RUNTIME_DIR XDG_CONFIG_HOME XDG_CACHE_HOME
mkdir -p "$HOME"

# planted: GITOPS_PLUGIN_PATH with only the planted plugin, in a safe dir.
planted() {
	mkdir -p "$T/p"
	chmod 0755 "$T/p"
	cp "$PL/planted.so" "$T/p/"
	chmod 0755 "$T/p/planted.so"
	export GITOPS_PLUGIN_PATH=$T/p GITOPS_TEST_MARKER=$T/marker
}

# expect_debug: stderr has the loader's debug line.
expect_debug() {
	grep -qxF "imgtag: debug: plugin planted from $T/p/planted.so" "$T/err" ||
	    fail "no debug line: $(head -c 300 "$T/err")"
}

begin "imgtag -v logs debug lines"
planted
run imgtag -v "$REF"
expect_rc 3
expect_debug
end

begin "imgtag -vv logs the same as -v"
planted
run imgtag -v "$REF"
cp err err.v
run imgtag -vv "$REF"
expect_rc 3
diff -u err.v err >/dev/null || fail "-vv differs from -v: $(diff err.v err | head -c 300)"
end

begin "without -v, no debug line"
planted
run imgtag "$REF"
expect_rc 3
grep -q 'debug:' err && fail "a debug line without -v: $(head -c 300 err)"
end

begin "RUNNER_DEBUG=1 turns on -v: debug lines"
planted
run env RUNNER_DEBUG=1 imgtag "$REF"
expect_rc 3
expect_debug
end

begin "CI_DEBUG_TRACE=true turns on -v: debug lines"
planted
run env CI_DEBUG_TRACE=true imgtag "$REF"
expect_rc 3
expect_debug
end

begin "ymlset -v and -vv log the same"
printf 'a: 1\n' >k.yaml
run ymlset -v -i '.a = 2' k.yaml
expect_rc 0
cp err err.v
printf 'a: 1\n' >k.yaml
run ymlset -vv -i '.a = 2' k.yaml
expect_rc 0
diff -u err.v err >/dev/null || fail "-vv differs from -v: $(diff err.v err | head -c 300)"
grep -qxF "ymlset: edited 'k.yaml'" err || fail "no info line: $(cat err)"
end
