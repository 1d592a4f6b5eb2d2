#!/bin/bash
# ci-action.sh: action.yml run step by step as a GitHub runner runs it, the
# GitLab template's before_script as a GitLab runner runs it, then the
# commands they installed, from PATH; our ymlset reads both files and every
# YAML example of docs/ci.md.
. "$(dirname "$0")/../lib/cli.sh"

ACTION=$TOP/action.yml
TEMPLATE=$TOP/ci/gitlab/gitops-utils.yml
DOC=$TOP/docs/ci.md
VERSION=$(sed -n 's/^VERSION = //p' "$TOP/config.mk")
# The steps see the caller's PATH without our bin/ (tests/lib/cli.sh put it first),
# and nothing of the make that runs the suite (make check SANITIZE=1 would
# otherwise reach the build through MAKEFLAGS).
SYSPATH=${PATH#"$BIN:"}
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES
UPSTREAM=file://$_t_root/org/gitops-utils

# checkout DIR: this tree as GitHub hands it to an action: the tracked
# files (and new ones not ignored), no .git, nothing built.
checkout() {
	mkdir "$1"
	git -C "$TOP" ls-files -z --cached --others --exclude-standard |
	    while IFS= read -r -d '' f; do
		[ -e "$TOP/$f" ] && printf '%s\0' "$f"
	    done | tar -C "$TOP" --null -T - -cf - | tar -C "$1" -xf -
}

# stub_checkout DIR: the stand-in of upstream() as an action's checkout,
# for the tests whose action stops before building its own copy or does
# not build it (the ref input).
stub_checkout() {
	upstream
	mkdir "$1"
	(cd "$_t_root/stub" && git archive HEAD) | tar -C "$1" -xf -
}

# upstream: a bare repository, $UPSTREAM, for the ref inputs to fetch (no
# network), whose branch stub (commit $STUB_SHA) is a stand-in for
# gitops-utils that builds in no time: its make install puts scripts that
# print "NAME (gitops-utils) 0.0.0-stub". The real build is tested once,
# from the action's own copy. Made once.
upstream() {
	[ -d "$_t_root/org/gitops-utils" ] && return 0
	mkdir -p "$_t_root/stub/scripts"
	cat >"$_t_root/stub/Makefile" <<'EOF'
PREFIX = /usr/local
all:
	@echo "stub: make all"
install:
	mkdir -p $(PREFIX)/bin
	for c in acd-diff acd-rollback acd-sync acd-wait gitpush-retry imgtag metric-gate promote ymlset; do \
	    cp stub.sh $(PREFIX)/bin/$$c && chmod 755 $(PREFIX)/bin/$$c || exit 1; \
	done
EOF
	printf '#!/bin/sh\necho "${0##*/} (gitops-utils) 0.0.0-stub"\n' >"$_t_root/stub/stub.sh"
	printf '#!/bin/sh\necho "stub: install-deps $*" >&2\n' >"$_t_root/stub/scripts/install-deps"
	chmod 755 "$_t_root/stub/scripts/install-deps"
	mkdir -p "$_t_root/org"
	(cd "$_t_root/stub" && git init -q -b stub && git add -A &&
	    git -c user.name=t -c user.email=t@example.com commit -q -m stub &&
	    git clone -q --bare . "$_t_root/org/gitops-utils") >"$_t_root/up.log" 2>&1 ||
	    fail "cannot make the upstream: $(head -c 300 "$_t_root/up.log")"
	STUB_SHA=$(git -C "$_t_root/org/gitops-utils" rev-parse stub)
}

# Expressions the steps may use, as a runner sets them; anything else
# fails the test, so the emulation cannot drift from the action silently.
declare -A GH
SERVER_URL=https://github.invalid
ACTION_REPOSITORY=

# subst STRING: $S is STRING with its ${{ expr }} replaced from GH.
subst() {
	local s=$1 k
	S=
	while [[ $s =~ ^(.*)\$\{\{\ *([^ }]+)\ *\}\}(.*)$ ]]; do
		k=${BASH_REMATCH[2]}
		if [[ ! -v GH[$k] ]]; then
			fail "unsupported expression \${{ $k }} in action.yml"
			return 1
		fi
		S=${GH[$k]}${BASH_REMATCH[3]}$S
		s=${BASH_REMATCH[1]}
	done
	S=$s$S
}

# action_run RUNNER [INPUT=VALUE ...]: run action.yml's steps as a runner
# does: inputs from their defaults and the arguments, each step's env
# evaluated, its script run by `bash --noprofile --norc -eo pipefail`
# in RUNNER/work, with its own GITHUB_OUTPUT file, RUNNER/path as
# GITHUB_PATH (prepended to PATH for later steps), RUNNER/temp as
# RUNNER_TEMP; stdout and stderr to $T/out, $T/err; $rc the first failing
# step's status. Then GH[outputs.NAME] holds the action's outputs. The
# action is at $ACTION_PATH; github.server_url is $SERVER_URL, and
# github.action_repository $ACTION_REPOSITORY (which runners may leave
# empty in composite actions).
action_run() {
	local r=$1 i n k keys script path=$SYSPATH
	shift
	mkdir -p "$r/work" "$r/temp" "$r/out"
	: >"$r/path"
	GH=([github.action_path]=$ACTION_PATH [github.server_url]=$SERVER_URL
	    [github.action_repository]=$ACTION_REPOSITORY [runner.temp]=$r/temp)
	for k in $(ymlset '.inputs | keys | .[]' "$ACTION"); do
		GH[inputs.$k]=$(ymlset ".inputs[\"$k\"].default" "$ACTION")
	done
	for a in "$@"; do
		[[ -v GH[inputs.${a%%=*}] ]] || fail "no input '${a%%=*}' in action.yml"
		GH[inputs.${a%%=*}]=${a#*=}
	done
	: >"$T/out"
	: >"$T/err"
	rc=0
	n=$(ymlset '.runs.steps | length' "$ACTION")
	for ((i = 0; i < n; i++)); do
		keys=$(ymlset ".runs.steps[$i] | keys | sort | .[]" "$ACTION" | tr '\n' ' ')
		case $keys in
		"env id name run shell " | "env name run shell ") ;;
		*) fail "step $i has keys '$keys': the emulation knows env id name run shell" ;;
		esac
		[ "$(ymlset ".runs.steps[$i].shell" "$ACTION")" = bash ] ||
		    fail "step $i: shell is not bash"
		ymlset ".runs.steps[$i].run" "$ACTION" >"$r/step$i.sh"
		grep -q '\${{' "$r/step$i.sh" &&
		    fail "step $i pastes an expression into its script (script injection)"
		local -a envs=()
		for k in $(ymlset ".runs.steps[$i].env | keys | .[]" "$ACTION"); do
			subst "$(ymlset ".runs.steps[$i].env.$k" "$ACTION")" || return
			envs+=("$k=$S")
		done
		: >"$r/out/$i"
		(cd "$r/work" && env -u GITOPS_PLUGIN_PATH "${envs[@]}" \
		    PATH="$path" RUNNER_TEMP="$r/temp" GITHUB_WORKSPACE="$r/work" \
		    GITHUB_ACTION_PATH="$ACTION_PATH" GITHUB_OUTPUT="$r/out/$i" \
		    GITHUB_PATH="$r/path" GITHUB_ACTIONS=true CI=true \
		    bash --noprofile --norc -eo pipefail "$r/step$i.sh") \
		    >>"$T/out" 2>>"$T/err"
		rc=$?
		[ "$rc" -eq 0 ] || return 0
		local id
		id=$(ymlset ".runs.steps[$i].id" "$ACTION")
		while IFS= read -r line; do
			[[ $line == *=* ]] || { fail "step $i output line '$line'"; continue; }
			[ "$id" != null ] && GH[steps.$id.outputs.${line%%=*}]=${line#*=}
		done <"$r/out/$i"
		while IFS= read -r line; do
			path=$line:$path
		done <"$r/path"
	done
	for k in $(ymlset '.outputs | keys | .[]' "$ACTION"); do
		subst "$(ymlset ".outputs[\"$k\"].value" "$ACTION")" || return
		GH[outputs.$k]=$S
	done
}

# expect_installed BINDIR VERSION: BINDIR's commands run from PATH and
# its imgtag loads the oci plugin installed beside them.
expect_installed() {
	local p=$1/..
	p=$(cd "$p" && pwd)
	[ "$(PATH="$1:$SYSPATH" command -v ymlset)" = "$1/ymlset" ] ||
	    fail "ymlset on PATH is not $1/ymlset"
	run env -u GITOPS_PLUGIN_PATH PATH="$1:$SYSPATH" ymlset --version
	expect_rc 0
	expect_out_text "ymlset (gitops-utils) $2"
	# A registry nothing listens on: the plugins load, then exit 7.
	run env -u GITOPS_PLUGIN_PATH PATH="$1:$SYSPATH" imgtag -v --plain-http 127.0.0.1:1/x:y
	expect_rc 7
	grep -qxF "imgtag: debug: plugin oci from $p/lib/gitops-utils/plugins/oci.so" "$T/err" ||
	    fail "the oci plugin was not loaded from the install: $(head -c 300 "$T/err")"
}

plan 13

begin "action.yml: a composite action of bash steps with the documented inputs and outputs"
run ymlset '.runs.using' "$ACTION"
expect_rc 0
expect_out_text composite
run ymlset '.inputs | keys | sort | .[]' "$ACTION"
expect_out_text "$(printf 'method\nprefix\nref\nrepository')"
run ymlset '.outputs | keys | sort | .[]' "$ACTION"
expect_out_text "$(printf 'bin-dir\ninstall-dir\nversion')"
run ymlset '.runs.steps[].shell' "$ACTION"
expect_out_text "$(printf 'bash\nbash\nbash')"
run ymlset '.inputs.method.default' "$ACTION"
expect_out_text make
end

begin "the action builds its own copy (no .git), installs under RUNNER_TEMP and puts it on PATH"
checkout "$T/action"
ACTION_PATH=$T/action
action_run "$T/runner"
expect_rc 0
printf '%s\n' "$T/runner/temp/gitops-utils/bin" >want
cmp -s want runner/path || fail "GITHUB_PATH: $(cat runner/path)"
[ "${GH[outputs.install-dir]}" = "$T/runner/temp/gitops-utils" ] ||
    fail "install-dir: '${GH[outputs.install-dir]}'"
[ "${GH[outputs.bin-dir]}" = "$T/runner/temp/gitops-utils/bin" ] ||
    fail "bin-dir: '${GH[outputs.bin-dir]}'"
[ "${GH[outputs.version]}" = "$VERSION" ] || fail "version: '${GH[outputs.version]}'"
printf '%s\n' "install-dir=$T/runner/temp/gitops-utils" \
    "bin-dir=$T/runner/temp/gitops-utils/bin" "version=$VERSION" >want
cmp -s want runner/out/2 || fail "GITHUB_OUTPUT of the install step: $(cat runner/out/2)"
[ ! -e action/bin ] && [ ! -e action/obj ] || fail "the build wrote into the action's directory"
expect_installed "$T/runner/temp/gitops-utils/bin" "$VERSION"
# The GitLab test below restores it as a cache.
REAL_INSTALL=$T/runner/temp/gitops-utils
end

begin "input ref: that commit, fetched from input repository, into a relative prefix"
upstream
stub_checkout "$T/action"
ACTION_PATH=$T/action
action_run "$T/runner" ref="$STUB_SHA" repository="$UPSTREAM" prefix=tools
expect_rc 0
grep -qxF "gitops-utils: building $STUB_SHA ($STUB_SHA) from $UPSTREAM" out ||
    fail "no line naming the commit built: $(head -c 300 out)"
expect_err "stub: install-deps --build"
[ "${GH[outputs.install-dir]}" = "$T/runner/work/tools" ] ||
    fail "install-dir: '${GH[outputs.install-dir]}'"
[ "${GH[outputs.bin-dir]}" = "$T/runner/work/tools/bin" ] ||
    fail "bin-dir: '${GH[outputs.bin-dir]}'"
[ "${GH[outputs.version]}" = 0.0.0-stub ] || fail "version: '${GH[outputs.version]}'"
printf '%s\n' "$T/runner/work/tools/bin" >want
cmp -s want runner/path || fail "GITHUB_PATH: $(cat runner/path)"
run env PATH="$T/runner/work/tools/bin:$SYSPATH" ymlset --version
expect_rc 0
expect_out_text "ymlset (gitops-utils) 0.0.0-stub"
end

begin "input ref: an abbreviated id, a branch; the repository from the runner's context or the action's path"
upstream
stub_checkout "$T/action"
ACTION_PATH=$T/action
# An abbreviated id cannot be fetched alone: the whole history is.
action_run "$T/r1" ref="${STUB_SHA:0:12}" repository="$UPSTREAM"
expect_rc 0
grep -qxF "gitops-utils: building ${STUB_SHA:0:12} ($STUB_SHA) from $UPSTREAM" out ||
    fail "abbreviated: $(head -c 300 out)"
[ "${GH[outputs.version]}" = 0.0.0-stub ] || fail "version: '${GH[outputs.version]}'"
SERVER_URL=file://$_t_root ACTION_REPOSITORY=org/gitops-utils
action_run "$T/r2" ref=stub
expect_rc 0
grep -qxF "gitops-utils: building stub ($STUB_SHA) from $UPSTREAM" out ||
    fail "github.action_repository: $(head -c 300 out)"
# Runners may leave github.action_repository empty in a composite action;
# they keep the actions they download under _actions/OWNER/REPO/REF.
ACTION_REPOSITORY=
mkdir -p _actions/org/gitops-utils
mv action _actions/org/gitops-utils/v1
ACTION_PATH=$T/_actions/org/gitops-utils/v1
action_run "$T/r3" ref=stub
expect_rc 0
grep -qxF "gitops-utils: building stub ($STUB_SHA) from $UPSTREAM" out ||
    fail "_actions path: $(head -c 300 out)"
SERVER_URL=https://github.invalid
end

begin "input ref without a repository the runner names: exit 2, an annotation, nothing built"
stub_checkout "$T/action"
ACTION_PATH=$T/action
action_run "$T/runner" ref=v0.1.0
expect_rc 2
expect_out_text "::error title=gitops-utils::input 'ref' needs input 'repository' (the git URL of gitops-utils): the runner did not say where this action came from"
[ ! -e runner/out/1 ] || fail "the build went on"
end

begin "a bad method or a prefix make cannot take: exit 2 and an annotation, nothing built"
stub_checkout "$T/action"
ACTION_PATH=$T/action
action_run "$T/runner" method=cmake
expect_rc 2
grep -qxF "::error title=gitops-utils::input 'method' is 'cmake': use make or deb" out ||
    fail "no annotation: $(head -c 300 out)"
action_run "$T/runner2" prefix="$T/my tools"
expect_rc 2
grep -qxF "::error title=gitops-utils::input 'prefix' is '$T/my tools': make install cannot take a space or a quote there; use letters, digits and -_./+@:=,~" out ||
    fail "no annotation: $(head -c 300 out)"
[ ! -s runner/path ] && [ ! -s runner/out/2 ] && [ ! -s runner2/path ] &&
    [ ! -s runner2/out/2 ] && [ ! -e "$T/my tools" ] ||
    fail "it installed something"
end

# gitlab_run DIR REF SCRIPT [VAR=VALUE ...]: the hidden job's
# before_script, then SCRIPT, in one bash as a GitLab runner runs a job's
# lines (set -eo pipefail), with CI_PROJECT_DIR=DIR/project,
# GITOPS_UTILS_REPOSITORY=$UPSTREAM, GITOPS_UTILS_REF=REF and the VARs;
# output to $T/out, $T/err, status in $rc.
gitlab_run() {
	local n i d=$1 ref=$2 script=$3
	shift 3
	mkdir -p "$d/project"
	{
		echo 'set -eo pipefail'
		n=$(ymlset '.[".gitops-utils"].before_script | length' "$TEMPLATE")
		for ((i = 0; i < n; i++)); do
			ymlset ".[\".gitops-utils\"].before_script[$i]" "$TEMPLATE"
		done
		printf '%s\n' "$script"
	} >"$d/job.sh"
	(cd "$d/project" && env -u GITOPS_PLUGIN_PATH -u CI_SERVER_URL -u CI_JOB_TOKEN \
	    PATH="$SYSPATH" CI_PROJECT_DIR="$d/project" GITLAB_CI=true CI=true \
	    GITOPS_UTILS_REPOSITORY="$UPSTREAM" GITOPS_UTILS_REF="$ref" \
	    GITOPS_UTILS_PREFIX= "$@" bash --noprofile --norc "$d/job.sh") >"$T/out" 2>"$T/err"
	rc=$?
}

begin "GitLab template: a hidden job with its variables, cache and before_script"
run ymlset 'keys | sort | .[]' "$TEMPLATE"
expect_out_text .gitops-utils
run ymlset '.[".gitops-utils"] | keys | sort | .[]' "$TEMPLATE"
expect_out_text "$(printf 'before_script\ncache\nvariables')"
run ymlset '.[".gitops-utils"].variables | keys | sort | .[]' "$TEMPLATE"
expect_out_text "$(printf 'GITOPS_UTILS_PREFIX\nGITOPS_UTILS_REF\nGITOPS_UTILS_REPOSITORY')"
run ymlset '.[".gitops-utils"].cache.paths[]' "$TEMPLATE"
expect_out_text .gitops-utils/
end

begin "GitLab template: builds the ref into the project, the job's script finds the commands, a restored cache is used"
upstream
gitlab_run "$T" stub 'command -v ymlset'
expect_rc 0
printf '%s\n' "gitops-utils: building $STUB_SHA from $UPSTREAM" \
    "ymlset (gitops-utils) 0.0.0-stub" "$T/project/.gitops-utils/bin/ymlset" >want
expect_out want
# The next pipeline's job, the cache restored into another directory.
mkdir -p again
mv project again/project
gitlab_run "$T/again" "$STUB_SHA" 'command -v ymlset'
expect_rc 0
printf '%s\n' "gitops-utils: $STUB_SHA, cached in $T/again/project/.gitops-utils" \
    "ymlset (gitops-utils) 0.0.0-stub" "$T/again/project/.gitops-utils/bin/ymlset" >want
expect_out want
# A real install restored as that cache: its imgtag finds its plugins there.
if [ -n "${REAL_INSTALL:-}" ]; then
	mkdir -p real/project
	cp -R "$REAL_INSTALL" real/project/.gitops-utils
	echo "$STUB_SHA" >real/project/.gitops-utils/.gitops-utils-commit
	gitlab_run "$T/real" stub 'imgtag -v --plain-http 127.0.0.1:1/x:y || echo "imgtag exit $?"'
	expect_rc 0
	printf '%s\n' "gitops-utils: $STUB_SHA, cached in $T/real/project/.gitops-utils" \
	    "ymlset (gitops-utils) $VERSION" "imgtag exit 7" >want
	expect_out want
	expect_err "imgtag: debug: plugin oci from $T/real/project/.gitops-utils/lib/gitops-utils/plugins/oci.so"
else
	fail "no real install from the action's test to restore"
fi
end

begin "GitLab template: a repository on this GitLab is read with CI_JOB_TOKEN, given to git by a credential helper, and no other server gets it"
upstream
. "$TOP/tests/lib/git-http.sh"
mkdir -p gl
git clone -q --bare "$_t_root/org/gitops-utils" gl/gitops-utils.git
start_http "" gl
printf 'gitlab-ci-token:j0b-t0ken-4711\n' >users
url=http://127.0.0.1:$hport/gl/gitops-utils.git
gitlab_run "$T" stub 'command -v ymlset' GITOPS_UTILS_REPOSITORY="$url" \
    CI_SERVER_URL="http://127.0.0.1:$hport" CI_JOB_TOKEN=j0b-t0ken-4711
expect_rc 0
printf '%s\n' "gitops-utils: building $STUB_SHA from $url" \
    "ymlset (gitops-utils) 0.0.0-stub" "$T/project/.gitops-utils/bin/ymlset" >want
expect_out want
grep -q j0b-t0ken-4711 job.sh out err && fail "the token is in the job's script or output"
# Another server (this one, named otherwise) never gets the job's token.
rm -rf project
gitlab_run "$T" stub 'command -v ymlset' GITOPS_UTILS_REPOSITORY="$url" \
    CI_SERVER_URL="http://localhost:$hport" CI_JOB_TOKEN=j0b-t0ken-4711
[ "$rc" -ne 0 ] || fail "the job token went to another server"
[ ! -e project/.gitops-utils ] || fail "it built"
# Nor one this GitLab redirects to.
rport=$(free_port)
python3 - "$rport" "http://localhost:$hport" <<'PY' >redirect.log 2>&1 &
import http.server, sys
class R(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(301)
        self.send_header("Location", sys.argv[2] + self.path)
        self.end_headers()
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), R).serve_forever()
PY
rpid=$!
wait_port "$rport" "the redirecting server" redirect.log
rm -rf project
gitlab_run "$T" stub 'command -v ymlset' \
    GITOPS_UTILS_REPOSITORY="http://127.0.0.1:$rport/gl/gitops-utils.git" \
    CI_SERVER_URL="http://127.0.0.1:$rport" CI_JOB_TOKEN=j0b-t0ken-4711
kill "$rpid"
wait "$rpid" 2>/dev/null
[ "$rc" -ne 0 ] || fail "the job token followed a redirect to another server"
[ ! -e project/.gitops-utils ] || fail "it built"
stop_http
end

begin "a ref or repository that git would take for an option is refused, by the action and the template"
upstream
action_run "$T/runner" ref=--upload-pack=touch\ $T/pwned
expect_rc 2
grep -qxF "::error title=gitops-utils::inputs 'ref' and 'repository' may not start with '-'" out ||
    fail "action: $(head -c 300 out)"
gitlab_run "$T" "--upload-pack=touch $T/pwned" 'command -v ymlset'
[ "$rc" -eq 2 ] || fail "template: exit $rc"
expect_err "gitops-utils: GITOPS_UTILS_REF and GITOPS_UTILS_REPOSITORY may not start with '-'"
[ ! -e pwned ] || fail "git ran the option"
# A refused input is shown escaped: it cannot start a workflow command.
action_run "$T/runner" prefix=$'x\n::warning::injected'
expect_rc 2
grep -q '^::warning::injected' out && fail "the input started a workflow command"
grep -qF "::error title=gitops-utils::input 'prefix' is '$T/runner/work/x%0A::warning::injected'" out ||
    fail "action: $(head -c 300 out)"
end

begin "a password in the repository URL is used, and shown as *** by the action and the template"
upstream
. "$TOP/tests/lib/git-http.sh"
mkdir -p gl
git clone -q --bare "$_t_root/org/gitops-utils" gl/gitops-utils.git
start_http "" gl
url=http://x-access-token:s3cr3t-t0ken@127.0.0.1:$hport/gl/gitops-utils.git
shown=http://***@127.0.0.1:$hport/gl/gitops-utils.git
stub_checkout "$T/action"
ACTION_PATH=$T/action
action_run "$T/runner" ref=stub repository="$url"
expect_rc 0
grep -qxF "gitops-utils: building stub ($STUB_SHA) from $shown" out ||
    fail "action: $(head -c 300 out)"
grep -q s3cr3t-t0ken out err && fail "the action shows the password"
gitlab_run "$T" stub : GITOPS_UTILS_REPOSITORY="$url"
expect_rc 0
printf '%s\n' "gitops-utils: building $STUB_SHA from $shown" \
    "ymlset (gitops-utils) 0.0.0-stub" >want
expect_out want
grep -q s3cr3t-t0ken out err && fail "the template shows the password"
stop_http
end

begin "GitLab template: no GITOPS_UTILS_REPOSITORY is exit 2 with the fix"
{
	echo 'set -eo pipefail'
	ymlset '.[".gitops-utils"].before_script[0]' "$TEMPLATE"
} >job.sh
run env GITOPS_UTILS_REPOSITORY= CI_PROJECT_DIR="$T" PATH="$SYSPATH" \
    bash --noprofile --norc job.sh
expect_rc 2
expect_no_out
expect_err "gitops-utils: set GITOPS_UTILS_REPOSITORY to the git URL of gitops-utils (see ci/gitlab/gitops-utils.yml)"
end

begin "docs/ci.md: every yaml example parses, uses the action and the template, and only options our commands have"
awk -v dir="$T" '
	/^```yaml$/ { n++; f = dir "/block" n ".yaml"; inb = 1; next }
	/^```$/ && inb { inb = 0; close(f); next }
	inb { print > f }
' "$DOC"
n=0
for f in block*.yaml; do
	[ -e "$f" ] || break
	n=$((n + 1))
	ymlset . "$f" >/dev/null 2>"$f.err" || fail "$f: $(cat "$f.err")"
done
[ "$n" -ge 2 ] || fail "only $n yaml blocks"
grep -q 'uses: .*gitops-utils@' block*.yaml || fail "no workflow uses the action"
grep -q 'extends: .gitops-utils' block*.yaml || fail "no job extends .gitops-utils"
# Each long option after one of our commands is one that command has
# (its -h lists them all; acd-sync and acd-rollback share acd-wait's
# connection options).
cmds=$(cd "$TOP/cmd" && ls *.c | sed 's/\.c$//')
for c in $cmds; do
	"$BIN/$c" -h >"help.$c"
done
cat help.acd-wait >>help.acd-sync
cat help.acd-wait >>help.acd-rollback
cat help.acd-wait >>help.acd-diff
sed -e ':a' -e '/\\$/N; s/\\\n//; ta' block*.yaml >joined
checked=0
while read -r -a words; do
	cur= outer=
	for w in "${words[@]}"; do
		case $w in
		*"|"* | *";"* | *"&&"* | *")"*) cur= ;;
		esac
		q=
		case $w in
		\'* | \"*) q=1 ;;
		esac
		w=${w#\'}
		w=${w#\"}
		w=${w#\$(}
		if [[ " "$cmds" " == *[[:space:]]"$w"[[:space:]]* ]]; then
			# A command quoted as another's argument (--gate 'acd-wait ...').
			[ -n "$q" ] && outer=$cur
			cur=$w
		elif [ -n "$cur" ] && [[ $w =~ ^(--[a-z][a-z-]*) ]]; then
			checked=$((checked + 1))
			grep -q -- "${BASH_REMATCH[1]}\b" "help.$cur" ||
			    fail "docs/ci.md: $cur has no option ${BASH_REMATCH[1]}"
		fi
		case $w in
		*\' | *\") [ -n "$outer" ] && cur=$outer outer= ;;
		esac
	done
done <joined
[ "$checked" -ge 20 ] || fail "only $checked options checked"
end

done_testing
