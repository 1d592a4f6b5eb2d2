#!/bin/bash
# ymlset.sh: command-level tests of ymlset: golden triplets, in-place edits, errors.
. "$(dirname "$0")/../lib/cli.sh"

F=$FIXTURES/ymlset
cases=$(cd "$F" && ls *.args | sed 's/\.args$//')
ncases=$(echo "$cases" | wc -l)
plan $((ncases + 32 + 8 * 3 + 5 + 18 + 16 + 7))

# Golden triplets: <case>.in.yaml, <case>.args (one argument a line), and
# <case>.out.yaml (exact stdout); .rc (exit status, default 0), .err (a
# phrase stderr must contain) and .env (NAME=VALUE lines) where present.
for c in $cases; do
	begin "golden $c"
	mapfile -t args <"$F/$c.args"
	envs=()
	[ -f "$F/$c.env" ] && mapfile -t envs <"$F/$c.env"
	cp "$F/$c.in.yaml" in.yaml
	run env "${envs[@]}" ymlset "${args[@]}" in.yaml
	want_rc=0
	[ -f "$F/$c.rc" ] && want_rc=$(cat "$F/$c.rc")
	expect_rc "$want_rc"
	[ -f "$F/$c.out.yaml" ] && expect_out "$F/$c.out.yaml"
	if [ -f "$F/$c.err" ]; then
		expect_err "$(cat "$F/$c.err")"
	elif [ "$want_rc" -eq 0 ]; then
		expect_no_err
	fi
	cmp -s in.yaml "$F/$c.in.yaml" || fail "the input file was modified"
	end
done

begin "stdin to stdout"
printf 'a: 1 # keep\n' >in.yaml
ymlset '.a = 2' <in.yaml >out 2>err
rc=$?
expect_rc 0
expect_out_text 'a: 2 # keep'
end

begin "-i edits each file on its own and keeps the mode"
printf 'tag: v1\n' >a.yaml
printf '# b\ntag: old\n' >b.yaml
chmod 640 a.yaml
run ymlset -i '.tag = "v2"' a.yaml b.yaml
expect_rc 0
expect_no_out
[ "$(cat a.yaml)" = "tag: v2" ] || fail "a.yaml: $(cat a.yaml)"
[ "$(cat b.yaml)" = "$(printf '# b\ntag: v2')" ] || fail "b.yaml: $(cat b.yaml)"
[ "$(stat -c %a a.yaml)" = 640 ] || fail "mode is $(stat -c %a a.yaml)"
[ -z "$(ls -A | grep '^\.')" ] || fail "temporary files left: $(ls -A)"
end

begin "-i through a symlink edits the target and keeps the link"
mkdir real
printf 'tag: v1\n' >real/k.yaml
ln -s real/k.yaml link.yaml
run ymlset -i '.tag = "v2"' link.yaml
expect_rc 0
[ -L link.yaml ] || fail "link.yaml is no longer a symlink"
[ "$(cat real/k.yaml)" = "tag: v2" ] || fail "target: $(cat real/k.yaml)"
end

begin "-i leaves an unchanged file alone (same inode)"
printf 'tag: v2\n' >k.yaml
ino=$(stat -c %i k.yaml)
run ymlset -i '.tag = "v2"' k.yaml
expect_rc 0
[ "$(stat -c %i k.yaml)" = "$ino" ] || fail "file was rewritten"
end

begin "-i with a query is refused and the file kept"
printf 'tag: v1\n' >k.yaml
run ymlset -i '.tag' k.yaml
expect_rc 2
expect_err "-i needs an expression that edits"
[ "$(cat k.yaml)" = "tag: v1" ] || fail "file changed"
end

begin "malformed YAML leaves the file untouched (exit 3, file:line:col)"
printf 'a: 1\nb: [x\nc: 2\n' >bad.yaml
cp bad.yaml orig.yaml
run ymlset -i '.a = 2' bad.yaml
expect_rc 3
expect_err "ymlset: 'bad.yaml': 3:2:"
cmp -s bad.yaml orig.yaml || fail "bad.yaml changed"
end

begin "one bad file: every file is reported, the first error is the status, -i writes none"
printf 'a: [\n' >bad.yaml
printf 'a: 1\n' >good.yaml
run ymlset -i '.a = 2' bad.yaml good.yaml missing.yaml
expect_rc 3
[ "$(cat good.yaml)" = "a: 1" ] || fail "good.yaml: $(cat good.yaml)"
expect_err "cannot open 'missing.yaml'"
expect_err "no file was changed"
end

begin "a missing file exits 4"
run ymlset '.a' nope.yaml
expect_rc 4
expect_err "ymlset: cannot open 'nope.yaml': No such file or directory"
end

begin "GitHub Actions gets an ::error annotation with file and line"
printf 'a: 1\nb: [x\nc: 2\n' >bad.yaml
run env GITHUB_ACTIONS=true ymlset '.a' bad.yaml
expect_rc 3
expect_err "::error file=bad.yaml,line=3,col=2,title=ymlset::'bad.yaml': 3:2:"
end

begin "-h prints usage on stdout and exits 0"
run ymlset -h
expect_rc 0
grep -q '^usage: ymlset \[eval | eval-all\] \[-0ehijMNnPqrVv\]' out || fail "no usage line: $(head -1 out)"
end

begin "-V prints the version"
run ymlset --version
expect_rc 0
grep -qE '^ymlset \(gitops-utils\) [0-9]+\.[0-9]+\.[0-9]+$' out || fail "$(cat out)"
end

begin "an unknown option is a usage error on stderr (exit 2)"
run ymlset --bogus '.a'
expect_rc 2
expect_err "usage: ymlset"
expect_no_out
end

begin "no expression is a usage error"
run ymlset
expect_rc 2
end

begin "--arg needs two words"
run ymlset '.a = $x' --arg x
expect_rc 2
end

begin "-e succeeds when an edit matched"
printf 'a: 1\n' >k.yaml
run ymlset -e '.a = 2' k.yaml
expect_rc 0
expect_out_text 'a: 2'
end

begin "the real kustomization.yaml: one line of diff (yq changes 24)"
cp "$TOP/tests/data/yaml/argo-cd/manifests/base/kustomization.yaml" k.yaml
cp k.yaml orig.yaml
run ymlset -i '.images[0].newTag = "v2"' k.yaml
expect_rc 0
n=$(diff orig.yaml k.yaml | grep -c '^[<>]')
[ "$n" -eq 2 ] || fail "diff has $n changed lines: $(diff orig.yaml k.yaml)"
grep -q 'newTag: v2' k.yaml || fail "no new tag"
end

# big: a YAML file of about 12 MB (300,000 lines).
big() {
	awk 'BEGIN { for (i = 0; i < 300000; i++)
	    printf "k%d: {image: registry.example.com/team/app-%d, tag: v1.%d}\n",
	    i, i, i }' >big.yaml
}

begin "kill -9 during -i leaves the old file or the new one, and no temp file"
# Each round waits (bounded) until the write is under way: an fd of the
# process names an unlinked file (O_TMPFILE) or a temporary file exists.
# It then stops the process there: the directory must hold nothing new.
# Then kill -9: the file must be the old version or the new one, whole.
big
cp big.yaml orig.yaml
ymlset '.k7.tag = "v2"' big.yaml >new.yaml
shopt -s nullglob
caught=0
for i in 1 2 3 4 5; do
	ymlset -i '.k7.tag = "v2"' big.yaml &
	pid=$!
	j=0
	while [ $j -lt 20000 ] && kill -0 $pid 2>/dev/null; do
		tmp=(.big.yaml.*)
		if [ ${#tmp[@]} -gt 0 ] ||
		    ls -l /proc/$pid/fd 2>/dev/null | grep -q "$T/.*(deleted)"; then
			kill -STOP $pid 2>/dev/null && caught=$((caught + 1))
			entries=$(ls -A | tr '\n' ' ')
			[ "$entries" = "big.yaml new.yaml orig.yaml " ] ||
			    fail "round $i: stopped while writing, the directory holds: $entries"
			break
		fi
		j=$((j + 1))
	done
	kill -9 $pid 2>/dev/null
	wait $pid 2>/dev/null
	if ! cmp -s big.yaml orig.yaml && ! cmp -s big.yaml new.yaml; then
		fail "round $i: big.yaml is neither the old nor the new file"
		break
	fi
	entries=$(ls -A | tr '\n' ' ')
	[ "$entries" = "big.yaml new.yaml orig.yaml " ] ||
	    fail "round $i: after kill -9 the directory holds: $entries"
	cp orig.yaml big.yaml
done
shopt -u nullglob
echo "# stopped $caught of 5 runs while writing"
end

begin "-i killed in the middle of the write (file size limit) leaves no temp file"
# SIGXFSZ kills the process at the limit, inside write(2), as surely as a
# kill -9 there, with no timing involved.
big
cp big.yaml orig.yaml
# The shell of the $(...) reports the death, to /dev/null, not the TAP.
rc=$( (
	ulimit -c 0
	ulimit -f 4096
	exec ymlset -i '.k7.tag = "v2"' big.yaml
) >out 2>err; echo $?) 2>/dev/null
[ $rc -gt 128 ] || fail "exit status $rc, expected death by SIGXFSZ"
cmp -s big.yaml orig.yaml || fail "big.yaml changed"
entries=$(ls -A | tr '\n' ' ')
[ "$entries" = "big.yaml err orig.yaml out " ] || fail "the directory holds: $entries"
end

begin "-i removes temporary files that dead processes left, not live ones"
printf 'tag: v1\n' >k.yaml
dead=$(($(cat /proc/sys/kernel/pid_max) + 1))
touch ".k.yaml.tmp-$dead-0badf00d" ".k.yaml.tmp-$$-0badf00d" \
    ".other.yaml.tmp-$dead-0badf00d" ".k.yaml.keep"
run ymlset -i '.tag = "v2"' k.yaml
expect_rc 0
entries=$(ls -A | tr '\n' ' ')
[ "$entries" = ".k.yaml.keep .k.yaml.tmp-$$-0badf00d .other.yaml.tmp-$dead-0badf00d err k.yaml out " ] ||
    fail "the directory holds: $entries"
end

begin "-i keeps the set-user-ID, set-group-ID and sticky bits"
printf 'tag: v1\n' >k.yaml
chmod 6755 k.yaml
printf 'tag: v1\n' >s.yaml
chmod 1640 s.yaml
run ymlset -i '.tag = "v2"' k.yaml s.yaml
expect_rc 0
[ "$(stat -c %a k.yaml)" = 6755 ] || fail "k.yaml: mode is $(stat -c %a k.yaml)"
[ "$(stat -c %a s.yaml)" = 1640 ] || fail "s.yaml: mode is $(stat -c %a s.yaml)"
[ "$(cat k.yaml)" = "tag: v2" ] || fail "k.yaml: $(cat k.yaml)"
end

begin "-i as root keeps another user's owner, group and set-ID bits"
if [ "$(id -u)" -ne 0 ] || ! id nobody >/dev/null 2>&1; then
	echo "# skipped: needs root and a user nobody"
else
	printf 'tag: v1\n' >k.yaml
	chown nobody:"$(id -gn nobody)" k.yaml
	chmod 6750 k.yaml
	run ymlset -i '.tag = "v2"' k.yaml
	expect_rc 0
	[ "$(stat -c '%a %U %G' k.yaml)" = "6750 nobody $(id -gn nobody)" ] ||
	    fail "k.yaml: $(stat -c '%a %U %G' k.yaml)"
fi
end

begin "-i as an ordinary user keeps the set-ID bits (a write clears them)"
if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null ||
    ! id nobody >/dev/null 2>&1; then
	echo "# skipped: needs root, setpriv and a user nobody"
else
	g=$(id -gn nobody)
	mkdir d
	printf 'tag: v1\n' >d/k.yaml
	chown -R nobody:"$g" d
	chmod 6755 d/k.yaml
	# nobody must reach d/: open the temp dirs for the run only.
	chmod 711 "$_t_root" "$T"
	run setpriv --reuid=nobody --regid="$g" --clear-groups \
	    ymlset -i '.tag = "v2"' d/k.yaml
	chmod 700 "$_t_root" "$T"
	expect_rc 0
	[ "$(stat -c '%a %U %G' d/k.yaml)" = "6755 nobody $g" ] ||
	    fail "d/k.yaml: $(stat -c '%a %U %G' d/k.yaml)"
	[ "$(cat d/k.yaml)" = "tag: v2" ] || fail "d/k.yaml: $(cat d/k.yaml)"
fi
end

begin "bad UTF-8 in the file: the error is at its line and column"
printf 'a: 1\nb: \xc3\xa9t\xc3\xa9 x\xff\n' >bad.yaml
run ymlset '.a' bad.yaml
expect_rc 3
expect_no_out
printf '%s\n' "ymlset: 'bad.yaml': 2:9: invalid leading UTF-8 octet (byte 0xff)" >want.err
cmp -s err want.err || fail "stderr: $(cat err)"
end

begin "a control character in the file: the error is at its line and column"
printf 'a: 1\n\nb:\n  - x\x01\n' >bad.yaml
run env GITHUB_ACTIONS=true ymlset '.a' bad.yaml
expect_rc 3
expect_err "ymlset: 'bad.yaml': 4:6: control characters are not allowed (U+0001)"
expect_err "::error file=bad.yaml,line=4,col=6,"
end

begin "an edit through an alias names the anchored node's line and column"
printf 'base: &b\n  replicas: 1\nprod: *b\n' >k.yaml
run ymlset '.prod.replicas = 2' k.yaml
expect_rc 2
expect_err "ymlset: 'k.yaml': 2:13: '.base.replicas' is reached through an alias"
end

begin "'+=' on a mapping names its line and column"
printf 'a: 1\nm:\n  k: v\n' >k.yaml
run ymlset '.m += 1' k.yaml
expect_rc 2
expect_err "ymlset: 'k.yaml': 3:3: '+=' needs a sequence, a string or a number on its left"
end

begin "--arg with bytes that are not UTF-8 is a usage error (exit 2)"
printf 'tag: v1\n' >k.yaml
run ymlset -i --arg v "$(printf 'v\xff2')" '.tag = $v' k.yaml
expect_rc 2
expect_no_out
expect_err "ymlset: --arg v: the value is not UTF-8 (byte 0xff at offset 1); YAML files hold UTF-8 text"
[ "$(cat k.yaml)" = "tag: v1" ] || fail "k.yaml changed"
end

begin "strenv() with bytes that are not UTF-8 is a usage error (exit 2)"
printf 'tag: v1\n' >k.yaml
run env TAG="$(printf '\xed\xa0\x80')" ymlset '.tag = strenv(TAG)' k.yaml
expect_rc 2
expect_no_out
expect_err "ymlset: environment variable 'TAG' is not UTF-8 (byte 0xed at offset 0); YAML files hold UTF-8 text"
end

begin "env() of a value that is not YAML names the variable, never the value (exit 3)"
printf 'a: 1\n' >k.yaml
run env V='a: b: hunter2' ymlset '.a = env(V)' k.yaml
expect_rc 3
expect_no_out
expect_err "ymlset: 'env(V)': 1:5: mapping values are not allowed in this context"
grep -q hunter2 "$T/err" && fail "the value is on stderr"
end

begin "env() of an empty variable is a usage error (exit 2)"
printf 'a: 1\n' >k.yaml
run env V= ymlset '.a = env(V)' k.yaml
expect_rc 2
expect_err "ymlset: environment variable 'V' is empty; env() reads a YAML value (give it one, or use strenv(V) for a string)"
end

begin "envsubst(nu) names the unset variable (exit 2) and writes nothing"
printf 's: "${IMG}"\n' >k.yaml
run env -u IMG ymlset -i '.s |= envsubst(nu)' k.yaml
expect_rc 2
expect_err 'ymlset: envsubst(nu): variable '"'IMG'"' is not set (set it or give a default: ${IMG:-value})'
[ "$(cat k.yaml)" = 's: "${IMG}"' ] || fail "k.yaml changed"
end

begin "envsubst(ne) names the empty variable and prints no value"
printf 's: "${SECRET}/${E}"\n' >k.yaml
run env SECRET=hunter2 E= ymlset '.s | envsubst(ne)' k.yaml
expect_rc 2
expect_no_out
expect_err "ymlset: envsubst(ne): variable 'E' is set but empty"
grep -q hunter2 "$T/err" && fail "a value is on stderr"
end

begin "envsubst refuses an unterminated \${ (exit 3)"
printf 's: "a ${TAG"\n' >k.yaml
run ymlset '.s | envsubst' k.yaml
expect_rc 3
expect_err "ymlset: envsubst: '\${TAG' at byte 2 has no closing '}' on its line"
end

begin "envsubst refuses a result over 64 MiB (exit 3)"
i=0; s=
while [ $i -lt 700 ]; do s="$s\$X"; i=$((i + 1)); done
printf 's: "%s"\n' "$s" >k.yaml
run env X="$(head -c 100000 /dev/zero | tr '\0' x)" ymlset '.s | envsubst' k.yaml
expect_rc 3
expect_no_out
expect_err "ymlset: envsubst: the result would be longer than 67108864 bytes"
end

begin "envsubst refuses defaults nested past 64 (exit 3)"
i=0; s=
while [ $i -lt 70 ]; do s="$s\${A:-"; i=$((i + 1)); done
printf 's: "%s"\n' "$s" >k.yaml
run env -u A ymlset '.s | envsubst' k.yaml
expect_rc 3
expect_err "ymlset: envsubst: defaults nested more than 64 deep at byte 320"
end

begin "an expression key that is not UTF-8 is a usage error (exit 2)"
printf 'tag: v1\n' >k.yaml
run ymlset "$(printf '.t\xfe = 1')" k.yaml
expect_rc 2
expect_err "ymlset: 'k.yaml': 1:1: the value to write is not UTF-8 (byte 0xfe at offset 1); YAML files hold UTF-8 text"
end

begin "characters YAML cannot hold as they are get escapes"
printf 'tag: v1\n' >k.yaml
run ymlset --arg v "$(printf 'a\xc2\x80b\xef\xbf\xbe')" '.tag = $v' k.yaml
expect_rc 0
expect_out_text 'tag: "a\x80b\uFFFE"'
end

begin "-v says what was edited"
printf 'a: 1\n' >k.yaml
run ymlset -v -i '.a = 2' k.yaml
expect_rc 0
expect_err "ymlset: edited 'k.yaml'"
end

begin "NO_COLOR and a non-terminal stderr: no escape codes"
run env CLICOLOR_FORCE= NO_COLOR=1 ymlset '.a' nope.yaml
grep -q "$(printf '\033')" err && fail "escape codes in stderr"
run env CLICOLOR_FORCE=1 ymlset '.a' nope.yaml
grep -q "$(printf '\033')\[31m" err || fail "CLICOLOR_FORCE gave no colour"
end

# bomb L: an alias bomb of L levels, four aliases a level ("billion
# laughs"); .ii would expand to 4^L * 9 scalars.
bomb() {
	local k
	printf 'x: 1\nl0: &l0 [a, a, a, a, a, a, a, a, a]\n'
	for ((k = 1; k <= $1; k++)); do
		printf 'l%d: &l%d [*l%d, *l%d, *l%d, *l%d]\n' $k $k \
		    $((k - 1)) $((k - 1)) $((k - 1)) $((k - 1))
	done
	printf 'ii: &ii [*l%d, *l%d, *l%d, *l%d]\n' $(($1 - 1)) $(($1 - 1)) \
	    $(($1 - 1)) $(($1 - 1))
}

# Memory is bounded with ulimit -v, except under ASan (SANITIZE=1), which
# reserves terabytes of address space up front.
sanitized=0
grep -q __asan_init "$BIN/ymlset" && sanitized=1

# bounded CMD...: run with a 20 s timeout and, unsanitized, 100 MB.
bounded() {
	(
		[ "$sanitized" -eq 1 ] || ulimit -v 102400
		exec timeout 20 "$@"
	) >"$T/out" 2>"$T/err"
	rc=$?
}

# The documents have under 101 nodes, so the budget is the minimum, 10000
# alias-expanded nodes: a copy of .ii (flatten, reverse, an assignment)
# expands .ii alone, and passes the budget at its first alias (line 8 for
# five levels, where .ii itself holds more than 10000).
for L in 5 6 7 8 9 10 11 12; do
	for e in '.ii | flatten' '.ii | reverse' '.y = .ii'; do
		begin "alias bomb of $L levels: '$e' is refused (exit 3)"
		bomb $L >bomb.yaml
		bounded ymlset "$e" bomb.yaml
		expect_rc 3
		expect_no_out
		case "$e:$L" in
		*:5) at="8:25: alias *l4" ;;
		*) at="$((L + 3)):10: alias *l$((L - 1))" ;;
		esac
		printf '%s\n' "ymlset: 'bomb.yaml': $at takes the expansion of aliases past 10000 nodes (excessive aliasing); write the values out or nest fewer aliases" >want.err
		cmp -s err want.err || fail "stderr: $(cat err)"
		end
	done
done

begin "a bomb of merge keys: '.m.b' looks each mapping up once"
{
	printf 'l0: &l0 {x: 1}\n'
	for ((k = 1; k <= 12; k++)); do
		printf 'l%d: &l%d {<<: [*l%d, *l%d, *l%d, *l%d, *l%d, *l%d]}\n' \
		    $k $k $((k - 1)) $((k - 1)) $((k - 1)) $((k - 1)) \
		    $((k - 1)) $((k - 1))
	done
	printf 'm:\n  <<: *l12\n  y: 2\n'
} >merge.yaml
bounded ymlset '.m.b' merge.yaml
expect_rc 0
expect_out_text null
bounded ymlset '.m.x' merge.yaml
expect_rc 0
expect_out_text 1
end

begin "'..' ten times on a document 30 deep stops at the step bound (exit 2)"
# C(40, 10) values, ~850 million: the fuzzer's timeouts were of this kind.
printf 'r: %s\n' "$(printf '{a: %.0s' $(seq 30))x$(printf '}%.0s' $(seq 30))" >deep.yaml
bounded ymlset 'select(..|..|..|..|..|..|..|..|..|..)' deep.yaml
expect_rc 2
expect_no_out
expect_err "ymlset: the expression takes more than 1001024 steps on 'deep.yaml' (nested '..' or '|=' multiply); simplify it"
end

begin "an edit of a mapping with 100,000 keys takes linear time"
# Looking up a value's key walked all its siblings: 40,000 keys took 47 s.
awk 'BEGIN { for (i = 0; i < 100000; i++) printf "k%d: {tag: v%d}\n", i, i }' >wide.yaml
(exec timeout 120 ymlset '.k7.tag = "v2"' wide.yaml) >out 2>err
rc=$?
expect_rc 0
[ "$(sed -n 8p out)" = "k7: {tag: v2}" ] || fail "line 8: $(sed -n 8p out)"
end

begin "200,000 anchors and 200,000 aliases: each alias is found by a hash"
# A linear search per alias: 50,000 of each took 2.7 s, this 45 s.
awk 'BEGIN { for (i = 0; i < 200000; i++) printf "a%d: &a%d x%d\n", i, i, i
    for (i = 0; i < 200000; i++) printf "b%d: *a%d\n", i, i % 7 }' >anchors.yaml
(exec timeout 20 ymlset '.b8' anchors.yaml) >out 2>err
rc=$?
expect_rc 0
expect_out_text x1
end

begin "YAML nested 257 deep is refused at the place (exit 3); 256 is read"
printf 'a: %s%s\n' "$(printf '[%.0s' $(seq 256))" "$(printf ']%.0s' $(seq 256))" >deep.yaml
run env GITHUB_ACTIONS=true ymlset '.a' deep.yaml
expect_rc 3
expect_no_out
expect_err "ymlset: 'deep.yaml': 1:259: nested more than 256 deep"
expect_err "::error file=deep.yaml,line=1,col=259,"
printf 'a: %s%s\n' "$(printf '[%.0s' $(seq 255))" "$(printf ']%.0s' $(seq 255))" >deep.yaml
run ymlset '.a | length' deep.yaml
expect_rc 0
expect_out_text 1
end

# yq_case NAME RC EXPECTED-STDOUT INPUT ARGS...: ymlset ARGS in.yaml (INPUT
# written to in.yaml) exits RC and prints EXPECTED-STDOUT exactly; with
# RC != 0, the stderr phrase in $want_err (if set) is checked.
yq_case() {
	local name=$1 want=$2 out=$3 input=$4
	shift 4
	begin "$name"
	printf '%s' "$input" >in.yaml
	run ymlset "$@" in.yaml
	expect_rc "$want"
	printf '%s' "$out" >want
	expect_out want
	if [ "$want" -ne 0 ] && [ -n "$want_err" ]; then
		expect_err "$want_err"
	fi
	end
	want_err=
}
want_err=

# Issue 13: assigning through a missing key or index creates the path as
# yq does (these were silent no-ops), in the file's own style.
K='apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
- ../../base
images:
- name: myapp
  newTag: v1
'
yq_case "missing key then index: creates a one-item list" 0 "$K"'image:
- newTag: v9
' "$K" '.image[0].newTag = "v9"'
yq_case "an index past the end pads with nulls" 0 "$K"'- null
- null
- null
- null
- newTag: x
' "$K" '.images[5].newTag = "x"'
yq_case "an index one past the end appends" 0 "$K"'- name: other
' "$K" '.images[1].name = "other"'
yq_case "a new list of maps at the root" 0 "$K"'b:
- c: x
' "$K" '.b[0].c = "x"'
I='a:
    b: 1
    list:
        - x: 1
c: "str"
'
yq_case "creation follows indented lists and 4-space steps" 0 'a:
    b: 1
    list:
        - x: 1
        - null
        - "y": 3
c: "str"
d:
    - 1
' "$I" '.a.list[2].y = 3 | .d[0] = 1'
yq_case "an index in a flow sequence pads in flow style" 0 'items: [a, b, null, c]
' 'items: [a, b]
' '.items[3] = "c"'
yq_case "an index under a null value makes the list" 0 'a:
  - null
  - b: 5
' 'a:
' '.a[1].b = 5'
yq_case "an index on a mapping is a key, as in yq" 0 'a: {b: 1, 0: 1}
' 'a: {b: 1}
' '.a[0] = 1'
want_err="ymlset: no '.images[3].newTag' in 'in.yaml' (and --no-create was given)"
yq_case "--no-create: a missing index is exit 4 naming the path" 4 "" "$K" \
    --no-create '.images[3].newTag = "x"'
want_err="ymlset: no '.image[0].newTag' in 'in.yaml'"
yq_case "--no-create: a missing key then index is exit 4" 4 "" "$K" \
    --no-create '.image[0].newTag = "v9"'
want_err="creating '.images[20000]' would add 19999 null items (more than 10000)"
yq_case "padding is bounded" 2 "" "$K" '.images[20000] = 1'
want_err="'.images' is a sequence: it has no key 'x'"
yq_case "a key of a sequence cannot be assigned" 2 "" "$K" '.images.x = 1'
want_err="cannot add key 'd' to a scalar"
yq_case "a key under a scalar cannot be assigned" 2 "" "$K" '.kind.d = 1'

# Reads of missing paths give null, as yq's do.
yq_case "read: a missing index is null" 0 'null
null
null
' "$K" '.images[3].newTag, .images[3], .nope[0]'
yq_case "read: negative indexes count from the end" 0 'myapp
' "$K" '.images[-1].name'
want_err="ymlset: 'in.yaml': index -2 is out of range: '.images' has 1 item"
yq_case "read: a negative index before the start is an error" 2 "" "$K" \
    '.images[-2]'
yq_case "read: a key under a scalar is nothing, as in yq" 0 "" "$K" '.kind.x'
yq_case "-e: a missing index is exit 1" 1 'null
' "$K" -e '.images[3]'

# Issue 13: yq's operators natively, with yq's meaning (outputs as yq-go
# 4.53 gives them; where libjq answered before, its answers differed).
D='name: app
replicas: 2
image:
  repository: registry.old/app
  tag: v1
items:
- name: a
  v: 1
- name: b
  v: 2
'
yq_case "',' is looser than '|', as in yq" 0 '1
12
' "$D" '1, 2 | . + 10'
yq_case "'and' and 'or' bind alike, to the right, as in yq" 0 'false
true
' "$D" '(false and true or true), (true or false and false)'
yq_case "'//' gives the right side for null, false or missing" 0 'dflt
2
x
1
' "$D" '(.missing // "dflt"), (.replicas // "dflt"), (false // "x"), (.items[0].v // 5)'
yq_case "'+' and '-' on numbers and strings; they group to the right" 0 '3
-1
v1-rc
-4
' "$D" '(.replicas + 1), (.replicas - 3), (.image.tag + "-rc"), (2 - .items[0].v + 5)'
yq_case "'+' joins sequences and merges mappings one level deep" 0 '3
3
v2
' "$D" '(.items + [{"name": "c"}] | length), (.image + {"tag": "v2", "pull": "x"} | keys | length), (.image + {"tag": "v2"} | .tag)'
yq_case "'<' '<=' '>' '>=' on numbers and strings" 0 'b
a
true
true
false
' "$D" '(.items[] | select(.v >= 2) | .name), (.items[] | select(.v < 2) | .name), (.replicas > 1 and .replicas <= 2), ("b" > "a"), ("a" >= "b")'
yq_case "'as \$x' binds for the rest of the pipe; string interpolation" 0 'registry.old/app:v1
' "$D" '.image.repository as $r | "\($r):\(.image.tag)"'
yq_case "slices of sequences and strings, negative too" 0 'b
1
registry
' "$D" '(.items[1:] | .[0].name), (.items[-1:] | length), .image.repository[0:8]'
yq_case "has, keys, length" 0 'true
false
true
false
tag
2
' "$D" '(.image | has("tag"), has("nope")), (.items | has(1), has(2)), (.image | keys | .[1]), (.items | length)'
yq_case "key, path, parent, kind, tag, line, column" 0 'tag
items
1
seq
map
!!str
!!int
10
6
' "$D" '(.image.tag | key), (.items[1].v | path | .[0]), (.items[1].v | path | .[1]), (.items[1] | parent | kind), (.image | kind), (.image.tag | tag), (.replicas | tag), (.items[1].v | line), (.items[1].v | column)'
yq_case "'?' drops the error of a key of a sequence" 0 'null
' "$D" '(.items.name? // null)'
yq_case "'...' has the keys, '..' not" 0 '23
13
' "$D" '([...] | length), ([..] | length)'
yq_case "with(path; update) edits below path" 0 'name: app
replicas: 2
image:
  repository: registry.old/app
  tag: v3
  pull: Always
items:
- name: a
  v: 1
- name: b
  v: 2
' "$D" 'with(.image; .tag = "v3" | .pull = "Always")'
yq_case "'-=' and del of several paths" 0 'replicas: 1
image:
  repository: registry.old/app
  tag: v1
items:
- name: b
  v: 2
' "$D" '.replicas -= 1 | del(.name, .items[0])'
yq_case "two assignments joined by ',' print the document once" 0 'name: app
replicas: 3
image:
  repository: registry.old/app
  tag: v2
items:
- name: a
  v: 1
- name: b
  v: 2
' "$D" '.replicas = 3, .image.tag = "v2"'

yq_case "keys in document order, as yq (libjq sorted them); '.[]' of a made value" 0 'dog
cat
2
' 'dog: woof
cat: meow
' '(keys | .[]), ([1, 2] | .[1])'

done_testing
