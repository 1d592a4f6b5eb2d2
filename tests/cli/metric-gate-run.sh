#!/bin/bash
# metric-gate-run.sh: metric-gate's schedule against its --timeout, the stop
# at the first failed check (--interval/--count), the CI outputs written
# each on its own with the verdict deciding the exit, and the messages of
# the option rules around them (issue 16's review).
. "$(dirname "$0")/../lib/cli.sh"
. "$TOP/tests/lib/prom.sh"
unset PROMETHEUS_URL PROMETHEUS_TOKEN

if [ ! -x "$BIN/metric-gate" ]; then
	echo "1..0 # SKIP bin/metric-gate is not built"
	exit 0
fi

plan 21

U=http://127.0.0.1:9/		# never reached: every case is refused first
C=(--prometheus $U --check err --query up --max 1)

# rule MSG ARGS...: metric-gate ARGS exits 2 at once, stdout empty, the
# first line of stderr "metric-gate: MSG", the usage after it.
rule() { usage_rule metric-gate "$@"; }


# ---- a schedule that cannot end before --timeout: exit 2 at once ----------
rule "--interval 6m --count 3 takes 12m, not less than --timeout 10m: raise --timeout or shorten the schedule" \
    "${C[@]}" --interval 6m --count 3
rule "--interval 2s --count 3 takes 4s, not less than --timeout 4s: raise --timeout or shorten the schedule" \
    "${C[@]}" --interval 2s --count 3 --timeout 4s
rule "--initial-delay 1m30s --interval 1m --count 5 takes 5m30s, not less than --timeout 1m30s: raise --timeout or shorten the schedule" \
    "${C[@]}" --initial-delay 90 --interval 1m --count 5 --timeout 90s
rule "--template: metric success-rate's schedule (initialDelay 1m30s, interval 1m, count 5) takes 5m30s, not less than --timeout 5m: raise --timeout or shorten the schedule" \
    --prometheus $U --timeout 5m --arg service-name=x \
    --template "$FIXTURES/analysis/success-rate-count.yaml"
cat >"$_t_root/insecure.yaml" <<'YAML'
apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata:
  name: t
spec:
  metrics:
  - name: tls-off
    successCondition: result[0] < 1
    provider:
      prometheus:
        address: https://127.0.0.1:1
        insecure: true
        query: up
YAML
rule "metric tls-off sets insecure: true: TLS is verified unless you pass --insecure" \
    --timeout 5s --template "$_t_root/insecure.yaml"

# ---- the messages ----------------------------------------------------------
rule "--check err: give only one condition: --max, --min, --max-increase or --max-ratio" \
    "${C[@]}" --min 0
rule "--failure-limit needs --interval/--count or --window" \
    "${C[@]}" --failure-limit 2
rule "--inconclusive-limit needs --interval/--count or --window" \
    "${C[@]}" --count 1 --inconclusive-limit 1
rule "--username needs --password-file" "${C[@]}" --username admin
rule "--password-file needs --username" "${C[@]}" --password-file pw


begin "a hung endpoint, --timeout 2: 'timed out after 2s', exit 124"
prom_stub hang
run metric-gate --prometheus "$STUB_URL" --timeout 2 --at "$PROM_AT" \
    --check err --query up --max 1
expect_rc 124
expect_no_out
[ "$(cat "$T/err")" = "metric-gate: timed out after 2s (--timeout)" ] ||
    fail "stderr: $(cat "$T/err")"
prom_stub_stop
end

# ---- the backfilled bed: the article's rule at fixed instants ---------------
CHECKS=(--check error-rate --query "$(prom_err canary 5m)"
    --baseline-query "$(prom_err baseline 5m)" --max-increase 0.01
    --check latency --query "$(prom_p95 canary 5m)"
    --baseline-query "$(prom_p95 baseline 5m)" --max-ratio 1.2)
RULE=(--timeout 60s --at "$PROM_AT" "${CHECKS[@]}")
ERRORS_TABLE="CHECK       SERIES  CANARY  BASELINE  LIMIT       VERDICT  NOTE
error-rate  -       0.033   0.01      diff<=0.01  fail     +0.023
latency     -       0.2     0.2       ratio<=1.2  pass     x1"

prom_start errors || {
	echo "Bail out! prometheus (errors) did not start"
	exit 1
}

begin "errors, --interval/--count from a past --at: stops at the first failure, the other check stopped early"
run metric-gate --prometheus "$PROM_URL" --interval 10m --count 3 \
    --timeout 60s --at "$((PROM_AT - 1200))" "${CHECKS[@]}"
expect_rc 1
want <<'EOF'
CHECK       SERIES  CANARY  BASELINE  LIMIT       VERDICT  NOTE
error-rate  -       0.033   0.01      diff<=0.01  fail     1/1 breached
latency     -       0.2     0.2       ratio<=1.2  pass     0/1 breached, stopped early
EOF
expect_err_line "metric-gate: check error-rate failed: 1 of 1 evaluations breached diff<=0.01, more than the failure limit 0"
end

# tmpl FILE [DRYRUN]: a template of two metrics on schedules of their own
# against the errors canary: "errs" fails its first evaluation (0.033 >
# 0.02), "late" would come 5m after; DRYRUN names a metric for spec.dryRun.
tmpl() {
	cat >"$1" <<-EOF
	apiVersion: argoproj.io/v1alpha1
	kind: AnalysisTemplate
	metadata:
	  name: two
	spec:
	  metrics:
	  - name: errs
	    interval: 1m
	    count: 3
	    failureCondition: result[0] > 0.02
	    provider:
	      prometheus:
	        query: '$(prom_err canary 5m)'
	  - name: late
	    initialDelay: 5m
	    successCondition: result[0] < 0.5
	    provider:
	      prometheus:
	        query: '$(prom_err baseline 5m)'
	EOF
	[ -z "${2:-}" ] || printf '  dryRun:\n  - metricName: %s\n' "$2" >>"$1"
}

begin "errors, --template: a metric failed, the one not yet due is not evaluated and says so"
tmpl "$T/two.yaml"
run metric-gate --prometheus "$PROM_URL" --timeout 60s \
    --at "$((PROM_AT - 600))" --template "$T/two.yaml"
expect_rc 1
want <<'EOF'
CHECK  SERIES  CANARY  BASELINE  LIMIT             VERDICT       NOTE
errs   -       0.033   -         result[0] > 0.02  fail          1/1 breached
late   -       -       -         result[0] < 0.5   inconclusive  not evaluated, stopped early
EOF
expect_err_line "metric-gate: check late inconclusive: not evaluated, stopped early"
end

begin "errors, --template with errs in dryRun: it decides nothing, so nothing stops"
tmpl "$T/two.yaml" errs
run metric-gate --prometheus "$PROM_URL" --timeout 60s \
    --at "$((PROM_AT - 600))" --template "$T/two.yaml"
expect_rc 0
want <<'EOF'
CHECK  SERIES  CANARY  BASELINE  LIMIT             VERDICT  NOTE
errs   -       0.033   -         result[0] > 0.02  fail     1/1 breached (dry run)
late   -       0.01    -         result[0] < 0.5   pass     Successful
EOF
end

begin "errors, GITHUB_OUTPUT a directory: said, dotenv and summary still written, exit 1 (the verdict wins)"
mkdir "$T/gho"
run env TOOLKIT_CI=github GITHUB_OUTPUT="$T/gho" \
    GITHUB_STEP_SUMMARY="$T/sum" metric-gate --prometheus "$PROM_URL" \
    --dotenv "$T/env" "${RULE[@]}"
expect_rc 1
printf '%s\n' "$ERRORS_TABLE" >"$T/want"
expect_out "$T/want"
grep -q "^metric-gate: cannot write .*gho.*: Is a directory$" "$T/err" ||
    fail "stderr: $(cat "$T/err")"
printf 'METRIC_GATE_VERDICT=fail\nMETRIC_GATE_FAILED=error-rate\n' >"$T/env.want"
cmp -s "$T/env" "$T/env.want" || fail "dotenv: $(cat "$T/env" 2>&1)"
grep -qx '### metric-gate: fail' "$T/sum" || fail "summary: $(cat "$T/sum" 2>&1)"
end

begin "errors, the --dotenv file a directory: said, GITHUB_OUTPUT still written, exit 1"
mkdir "$T/env"
run env TOOLKIT_CI=github GITHUB_OUTPUT="$T/gho" metric-gate \
    --prometheus "$PROM_URL" --dotenv "$T/env" "${RULE[@]}"
expect_rc 1
grep -q "^metric-gate: cannot write .*env.*: Is a directory$" "$T/err" ||
    fail "stderr: $(cat "$T/err")"
grep -qx 'verdict=fail' "$T/gho" || fail "GITHUB_OUTPUT: $(cat "$T/gho" 2>&1)"
end

begin "errors, stdout full: said, GITHUB_OUTPUT and dotenv still written, exit 1"
env TOOLKIT_CI=github GITHUB_OUTPUT="$T/gho" metric-gate \
    --prometheus "$PROM_URL" --dotenv "$T/env" "${RULE[@]}" >/dev/full \
    2>"$T/err"
rc=$?
expect_rc 1
expect_err_line "metric-gate: cannot write standard output: No space left on device"
grep -qx 'verdict=fail' "$T/gho" || fail "GITHUB_OUTPUT: $(cat "$T/gho" 2>&1)"
grep -qx 'METRIC_GATE_VERDICT=fail' "$T/env" || fail "dotenv: $(cat "$T/env" 2>&1)"
end

prom_start good || {
	echo "Bail out! prometheus (good) did not start"
	exit 1
}

begin "good, GITHUB_OUTPUT a directory: a pass that cannot be handed on is exit 3, dotenv still written"
mkdir "$T/gho"
run env TOOLKIT_CI=github GITHUB_OUTPUT="$T/gho" metric-gate \
    --prometheus "$PROM_URL" --dotenv "$T/env" "${RULE[@]}"
expect_rc 3
want <<'EOF'
CHECK       SERIES  CANARY  BASELINE  LIMIT       VERDICT  NOTE
error-rate  -       0.014   0.01      diff<=0.01  pass     +0.004
latency     -       0.22    0.2       ratio<=1.2  pass     x1.1
EOF
grep -q "^metric-gate: cannot write .*gho.*: Is a directory$" "$T/err" ||
    fail "stderr: $(cat "$T/err")"
printf 'METRIC_GATE_VERDICT=pass\nMETRIC_GATE_FAILED=\n' >"$T/env.want"
cmp -s "$T/env" "$T/env.want" || fail "dotenv: $(cat "$T/env" 2>&1)"
end

begin "good, GITHUB_OUTPUT written: exit 0 (the outputs' failure is no error when there is none)"
run env TOOLKIT_CI=github GITHUB_OUTPUT="$T/gho" metric-gate \
    --prometheus "$PROM_URL" --dotenv "$T/env" "${RULE[@]}"
expect_rc 0
expect_no_err
grep -qx 'verdict=pass' "$T/gho" || fail "GITHUB_OUTPUT: $(cat "$T/gho" 2>&1)"
end

# ---- live: the first evaluation fails latency, the schedule stops there -----
begin "live latency, --interval 1s --count 30: ends after the first evaluation"
prom_start_live latency || {
	echo "Bail out! the live bed did not start"
	exit 1
}
LIVE=(--check error-rate --query "$(prom_err canary)"
    --baseline-query "$(prom_err baseline)" --max-increase 0.01
    --check latency --query "$(prom_p95 canary)"
    --baseline-query "$(prom_p95 baseline)" --max-ratio 1.2)
# scrapes: the exporter's scrape count (GET /state).
scrapes() {
	curl -fsS --max-time 30 "$PROM_EXPORTER_URL/state" |
	    python3 -c 'import json, sys; print(json.load(sys.stdin)["scrapes"])'
}
before=$(scrapes)
run metric-gate --prometheus "$PROM_URL" --interval 1s --count 30 \
    --timeout 60s "${LIVE[@]}"
after=$(scrapes)
expect_rc 1
want <<'EOF'
CHECK       SERIES  CANARY  BASELINE  LIMIT       VERDICT  NOTE
error-rate  -       0.01    0.01      diff<=0.01  pass     0/1 breached, stopped early
latency     -       0.27    0.2       ratio<=1.2  fail     1/1 breached
EOF
expect_err_line "metric-gate: check latency failed: 1 of 1 evaluations breached ratio<=1.2, more than the failure limit 0"
# 30 evaluations a second apart would see ~30 scrapes; one sees a few.
[ -n "$before" ] && [ -n "$after" ] && [ $((after - before)) -le 5 ] ||
    fail "the exporter was scraped from $before to $after during the run"
end

begin "live latency, -o json: the rows' notes say stopped early"
run metric-gate --prometheus "$PROM_URL" --interval 1s --count 30 \
    --timeout 60s -o json "${LIVE[@]}"
expect_rc 1
python3 -c '
import json, sys
a = json.load(open(sys.argv[1]))
notes = [(c["name"], r["evaluations"], r["note"]) for c in a["checks"] for r in c["rows"]]
want = [("error-rate", 1, "0/1 breached, stopped early"), ("latency", 1, "1/1 breached")]
sys.exit(0 if a["verdict"] == "fail" and notes == want else "got %r" % (notes,))' "$T/out" ||
    fail "json: $(cat "$T/out")"
prom_stop
end

done_testing
