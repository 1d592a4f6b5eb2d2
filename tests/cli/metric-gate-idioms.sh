#!/bin/bash
# metric-gate-idioms.sh: the metric-gate examples of README.md, taken from
# it and run as written (sh), against the Prometheus test bed (its series
# ending now, so that queries at "now" see them), the Argo CD API simulator
# and a local git repository. Only the canary step's schedule is shortened
# (--initial-delay 2m --interval 1m --count 5 becomes --interval 1s
# --count 2): what is tested is the branching on the exit status.
. "$(dirname "$0")/../lib/cli.sh"

if [ ! -x "$BIN/metric-gate" ]; then
	echo "1..0 # SKIP bin/metric-gate is not built"
	exit 0
fi

plan 7

. "$TOP/tests/lib/prom.sh"
. "$TOP/tests/lib/acd-lib.sh"
trap 'kill $pids 2>/dev/null; prom_stop; [ "$_t_failed" -eq 0 ] && rm -rf "$_t_root"' EXIT

export GIT_AUTHOR_NAME=ci GIT_AUTHOR_EMAIL=ci@example.com
export GIT_COMMITTER_NAME=ci GIT_COMMITTER_EMAIL=ci@example.com
export GIT_CONFIG_NOSYSTEM=1
unset PROMETHEUS_URL PROMETHEUS_TOKEN

# block LEAD: README.md's first block indented by four spaces after the
# line holding LEAD (blank lines inside it kept), unindented.
block() {
	python3 - "$TOP/README.md" "$1" <<'PY'
import sys
lines = open(sys.argv[1]).read().split("\n")
i = next(k for k, l in enumerate(lines) if sys.argv[2] in l)
i = next(k for k in range(i, len(lines)) if lines[k].startswith("    "))
out = []
for l in lines[i:]:
    if l and not l.startswith("    "):
        break
    out.append(l[4:])
while out and not out[-1]:
    out.pop()
print("\n".join(out))
PY
}

# The rule's block: the exports, a blank line, then "$ metric-gate ..."
# (continued with backslashes) and what it prints: the lines on standard
# error ("metric-gate: ...") and the table on standard output.
RULE=$(block "The article's rule, *")
EXPORTS=$(printf '%s\n' "$RULE" | sed '/^$/,$d')
EXAMPLE=$(printf '%s\n' "$RULE" | sed '1,/^$/d')
CMD=$(printf '%s\n' "$EXAMPLE" | awk '
	NR == 1 { sub(/^\$ /, "") }
	{ print } !/\\$/ { exit }')
printf '%s\n' "$EXAMPLE" | awk 'f { print } !/\\$/ { f = 1 }' >"$_t_root/example.all"
grep -v '^metric-gate: ' "$_t_root/example.all" >"$_t_root/example.out"
grep '^metric-gate: ' "$_t_root/example.all" >"$_t_root/example.err"
GATE=$(block "As the gate of a promotion")
SYNC=$(block "Or right after the canary's sync")

begin "README: the rule's example, the idioms and what they need are found"
case $EXPORTS in *"export P95_BASELINE="*) ;; *) fail "exports: $EXPORTS" ;; esac
case $CMD in "metric-gate --check error-rate"*) ;; *) fail "command: $CMD" ;; esac
grep -q '^CHECK ' "$_t_root/example.out" || fail "no table: $(cat "$_t_root/example.all")"
[ -s "$_t_root/example.err" ] || fail "no stderr line: $(cat "$_t_root/example.all")"
case $GATE in "promote --gate 'metric-gate "*) ;; *) fail "gate: $GATE" ;; esac
case $SYNC in *"metric-gate --initial-delay 2m --interval 1m --count 5"*acd-rollback*) ;;
*) fail "sync idiom: $SYNC" ;;
esac
end

printf '%s\n' "$EXPORTS" >"$_t_root/exports.sh"
printf '. %s\n%s\n' "$_t_root/exports.sh" "$CMD" >"$_t_root/example.sh"
printf '. %s\n%s\n' "$_t_root/exports.sh" "$GATE" >"$_t_root/gate.sh"
printf '. %s\n%s\n' "$_t_root/exports.sh" \
    "$(printf '%s\n' "$SYNC" | sed 's/--initial-delay 2m --interval 1m --count 5/--interval 1s --count 2/')" \
    >"$_t_root/sync.sh"

# A shim that records the rollbacks the idiom starts, then runs the real one.
mkdir -p "$_t_root/shim"
cat >"$_t_root/shim/acd-rollback" <<EOF
#!/bin/sh
echo "\$*" >>"\$ROLLBACKS"
exec "$BIN/acd-rollback" "\$@"
EOF
chmod +x "$_t_root/shim/acd-rollback"
PATH=$_t_root/shim:$PATH

# bed SCENARIO: the backfilled bed with its series ending at the last
# multiple of 15 s: a 5m rate() now sees 20 or 21 samples of every series
# alike, so the ratios are those of prom-series.py for minutes to come.
bed() {
	PROM_AT=$(($(date +%s) / 15 * 15))
	prom_start "$1" || {
		echo "Bail out! prometheus ($1) did not start"
		exit 1
	}
	export PROMETHEUS_URL=$PROM_URL
}
bed errors

begin "README: the rule's example prints what README shows (the errors canary)"
run sh "$_t_root/example.sh"
expect_rc 1
expect_out "$_t_root/example.out"
cmp -s "$T/err" "$_t_root/example.err" || fail "stderr: $(diff -u "$_t_root/example.err" "$T/err")"
end

# sync_idiom: run the sync idiom in $T; the rollbacks it started in $T/rb.
sync_idiom() {
	: >"$T/rb"
	ROLLBACKS=$T/rb run sh "$_t_root/sync.sh"
}
rollbacks() { wc -l <"$T/rb"; }

begin "sync idiom: a canary worse than the baseline is rolled back, the step stays red (1)"
app '{"name":"myapp-canary","git_revision":"'$NEW'"}'
sync_idiom
expect_rc 1
[ "$(rollbacks)" -eq 1 ] || fail "rollbacks: $(rollbacks)"
expect_err "metric-gate: check error-rate failed"
[ "$(tail -1 "$T/out")" = "myapp-canary OutOfSync Healthy $NEW $OLD" ] ||
    fail "the rollback did not end at $OLD: $(cat "$T/out")"
end

begin "sync idiom: Prometheus unreachable (7) says nothing of the canary: no rollback"
app '{"name":"myapp-canary","git_revision":"'$NEW'"}'
PROMETHEUS_URL=http://127.0.0.1:$(free_port) sync_idiom
expect_rc 7
[ "$(rollbacks)" -eq 0 ] || fail "rolled back after exit 7"
end

# gitops: in $T, srv.git and its clone w: canary at v2, production at v1.
gitops() {
	git init -q --bare -b main srv.git
	git clone -q srv.git w 2>/dev/null
	mkdir -p w/overlays/canary w/overlays/production
	printf 'images:\n  - name: app\n    newTag: v2\n' >w/overlays/canary/kustomization.yaml
	printf 'images:\n  - name: app\n    newTag: v1\n' >w/overlays/production/kustomization.yaml
	git -C w add . && git -C w commit -qm init && git -C w push -q origin main
}
production_tag() { git -C "$T/srv.git" show main:overlays/production/kustomization.yaml | sed -n 's/.*newTag: //p'; }

begin "gate idiom: the errors canary is refused (1), nothing promoted"
gitops
cd w && run sh "$_t_root/gate.sh" && cd ..
expect_rc 1
expect_err "metric-gate: check error-rate failed"
[ "$(production_tag)" = v1 ] || fail "production moved"
end

bed good

begin "gate idiom: the good canary lets the promotion through"
gitops
cd w && run sh "$_t_root/gate.sh" && cd ..
expect_rc 0
expect_out_text "app app:v1 -> app:v2 canary -> production"
[ "$(production_tag)" = v2 ] || fail "production is $(production_tag)"
end

begin "sync idiom: the good canary passes, nothing rolled back"
app '{"name":"myapp-canary","git_revision":"'$NEW'"}'
sync_idiom
expect_rc 0
[ "$(rollbacks)" -eq 0 ] || fail "rolled back"
grep -q '^error-rate  -       0.014   0.01 ' "$T/out" || fail "stdout: $(cat "$T/out")"
end

done_testing
