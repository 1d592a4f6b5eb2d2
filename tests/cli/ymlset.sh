#!/bin/bash
# ymlset.sh: command-level tests of ymlset: golden triplets, in-place edits, errors.
. "$(dirname "$0")/lib.sh"

F=$FIXTURES/ymlset
cases=$(cd "$F" && ls *.args | sed 's/\.args$//')
ncases=$(echo "$cases" | wc -l)
plan $((ncases + 19 + 8 * 3 + 2))

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

begin "one bad file does not stop the others; the first error is the status"
printf 'a: [\n' >bad.yaml
printf 'a: 1\n' >good.yaml
run ymlset -i '.a = 2' bad.yaml good.yaml missing.yaml
expect_rc 3
[ "$(cat good.yaml)" = "a: 2" ] || fail "good.yaml: $(cat good.yaml)"
expect_err "cannot open 'missing.yaml'"
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
grep -q '^usage: ymlset \[-ehiqVv\]' out || fail "no usage line: $(head -1 out)"
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
cp "$SHARED/corpus/yaml/argo-cd/manifests/base/kustomization.yaml" k.yaml
cp k.yaml orig.yaml
run ymlset -i '.images[0].newTag = "v2"' k.yaml
expect_rc 0
n=$(diff orig.yaml k.yaml | grep -c '^[<>]')
[ "$n" -eq 2 ] || fail "diff has $n changed lines: $(diff orig.yaml k.yaml)"
grep -q 'newTag: v2' k.yaml || fail "no new tag"
end

begin "kill -9 during -i leaves the old file or the new one, never a mix"
# A 4.5 MB file makes the write window wide. Each round waits (bounded)
# until the temporary file exists, i.e. the write is under way, then kills;
# the file must then be the old version or the new one, whole.
cp "$SHARED/corpus/yaml/large/prometheus-operator-bundle-reassembled.yaml" big.yaml
cp big.yaml orig.yaml
ymlset 'select(.kind == "Deployment").spec.replicas = 7' big.yaml >new.yaml
shopt -s nullglob
killed=0
for i in 1 2 3 4 5; do
	ymlset -i 'select(.kind == "Deployment").spec.replicas = 7' big.yaml &
	pid=$!
	j=0
	while kill -0 $pid 2>/dev/null && [ $j -lt 200000 ]; do
		tmp=(.big.yaml.*)
		[ ${#tmp[@]} -gt 0 ] && break
		j=$((j + 1))
	done
	kill -9 $pid 2>/dev/null && killed=$((killed + 1))
	wait $pid 2>/dev/null
	if ! cmp -s big.yaml orig.yaml && ! cmp -s big.yaml new.yaml; then
		fail "round $i: big.yaml is neither the old nor the new file"
		break
	fi
	cp orig.yaml big.yaml
	rm -f .big.yaml.*
done
shopt -u nullglob
echo "# killed $killed of 5 runs while writing"
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
# alias-expanded nodes. libjq sees the whole document: the expansion
# passes 10000 at the third *l4 of line 7 whatever the depth. A native
# copy of .ii expands only .ii.
for L in 5 6 7 8 9 10 11 12; do
	for e in '.ii | map(length)' '.x | tostring' '.y = .ii'; do
		begin "alias bomb of $L levels: '$e' is refused (exit 3)"
		bomb $L >bomb.yaml
		bounded ymlset "$e" bomb.yaml
		expect_rc 3
		expect_no_out
		case "$e:$L" in
		'.y = .ii:5') at="8:25: alias *l4" ;;
		'.y = .ii:'*) at="$((L + 3)):10: alias *l$((L - 1))" ;;
		*) at="7:20: alias *l4" ;;
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

done_testing
