#!/bin/bash
# metric-gate.sh: metric-gate against a real Prometheus (tests/lib/prom.sh:
# the series of tests/lib/prom-series.py backfilled with promtool) at fixed
# --at instants, one Prometheus per scenario; and against tests/lib/prom-stub.py
# for what a real one does not do on demand (hang, 401, HTML, counting).
# The checks are the article's rule, ">1% error rate increase or >20%
# latency increase should trigger immediate rollback": two checks, four
# queries.
. "$(dirname "$0")/../lib/cli.sh"
. "$TOP/tests/lib/prom.sh"

# Until the command is built (the parts of issue 16 merge separately).
if [ ! -x "$BIN/metric-gate" ]; then
	echo "1..0 # SKIP bin/metric-gate is not built"
	exit 0
fi

plan 35

# The issue's queries (prom.sh): the 5xx share and p95 over a 5m rate().
CHECKS=(--check error-rate --query "$(prom_err canary 5m)"
    --baseline-query "$(prom_err baseline 5m)" --max-increase 0.01
    --check latency --query "$(prom_p95 canary 5m)"
    --baseline-query "$(prom_p95 baseline 5m)" --max-ratio 1.2)
AT_ISO=$(date -u -d "@$PROM_AT" +%Y-%m-%dT%H:%M:%SZ)
# The rule at PROM_AT; --timeout keeps a hang from stalling the suite.
RULE=(--timeout 60s --at "$PROM_AT" "${CHECKS[@]}")

# start SCENARIO: bail out when the bed cannot be set up.
start() {
	prom_start "$1" || {
		echo "Bail out! prometheus ($1) did not start"
		exit 1
	}
}



# want_good NOTE NOTE, want_errors VERDICT NOTE NOTE: the table of the
# rule's two checks for the good and the errors canary, with these notes
# (and the error-rate check's verdict).
want_good() {
	printf '%s\n' "CHECK       SERIES  CANARY  BASELINE  LIMIT       VERDICT  NOTE" \
	    "error-rate  -       0.014   0.01      diff<=0.01  pass     $1" \
	    "latency     -       0.22    0.2       ratio<=1.2  pass     $2" >"$T/want"
	expect_out "$T/want"
}
want_errors() {
	printf '%s\n' "CHECK       SERIES  CANARY  BASELINE  LIMIT       VERDICT  NOTE" \
	    "error-rate  -       0.033   0.01      diff<=0.01  $1     $2" \
	    "latency     -       0.2     0.2       ratio<=1.2  pass     $3" >"$T/want"
	expect_out "$T/want"
}


# ---- good: +0.4 points of errors, +10% p95 -------------------------------
start good

begin "good canary passes the rule: exit 0, the table, nothing on stderr"
run metric-gate --prometheus "$PROM_URL" "${RULE[@]}"
expect_rc 0
want_good "+0.004" "x1.1"
expect_no_err
end

begin "good, PROMETHEUS_URL and -o json: one line, the agreed fields"
# JSON numbers keep every digit Prometheus sent (the table rounds to 6);
# its arithmetic on these series is exact to ~1e-16, the same every run.
run env PROMETHEUS_URL="$PROM_URL" metric-gate -o json "${RULE[@]}"
expect_rc 0
want <<EOF
{"verdict":"pass","at":"$AT_ISO","checks":[{"name":"error-rate","verdict":"pass","condition":"max-increase","limit":0.01,"rows":[{"series":"{}","canary":0.013999999999999999,"baseline":0.01,"verdict":"pass","evaluations":1,"breached":0,"nodata":0,"p":null,"note":"+0.004"}]},{"name":"latency","verdict":"pass","condition":"max-ratio","limit":1.2,"rows":[{"series":"{}","canary":0.22000000000000003,"baseline":0.1999999999999999,"verdict":"pass","evaluations":1,"breached":0,"nodata":0,"p":null,"note":"x1.1"}]}]}
EOF
end

begin "good, --window 10m --step 1m: 11 points each, medians, none breached"
run metric-gate --prometheus "$PROM_URL" --window 10m --step 1m "${RULE[@]}"
expect_rc 0
want_good "0/11 breached" "0/11 breached"
expect_no_err
end

begin "good, --window --method mannwhitney: significantly worse, but within the limits"
run metric-gate --prometheus "$PROM_URL" --window 10m --step 1m \
    --method mannwhitney "${RULE[@]}"
expect_rc 0
# Flat series (linear counters): the canary's 11 points all above the
# baseline's, two groups of ties: U = 121, normal approximation with the
# tie and continuity corrections, z = 4.5447, p = 2.75e-06.
want_good "0/11 breached p=2.75e-06" "0/11 breached p=2.75e-06"
expect_no_err
end

begin "good, --interval 10m --count 3 from a past --at: no waiting, one request per query and evaluation"
prom_stub proxy --upstream "$PROM_URL"
# Waiting for the schedule would take 20 minutes: --timeout 60s would end it.
run metric-gate --prometheus "$STUB_URL" --interval 10m --count 3 \
    --timeout 60s --at "$((PROM_AT - 1200))" "${CHECKS[@]}"
expect_rc 0
want_good "0/3 breached" "0/3 breached"
n=$(grep -c '^POST /api/v1/query ' "$STUB_LOG")
[ "$n" -eq 12 ] || fail "$n query requests, want 12 (4 queries x 3): $(cat "$STUB_LOG")"
grep -v '^POST /api/v1/query ' "$STUB_LOG" | grep -q . &&
    fail "other requests: $(grep -v '^POST /api/v1/query ' "$STUB_LOG")"
prom_stub_stop
end

begin "bad PromQL: exit 3, Prometheus' own error text, no table"
run metric-gate --prometheus "$PROM_URL" --at "$PROM_AT" \
    --check broken --query 'sum(rate(' --max 1
expect_rc 3
expect_no_out
expect_err "metric-gate: Prometheus refused the query: bad_data: "
expect_err "unclosed left parenthesis"
end

begin "good, --template canary-rule.yaml (the rule as an AnalysisTemplate): Successful"
run metric-gate --prometheus "$PROM_URL" --at "$PROM_AT" --timeout 60s \
    --template "$FIXTURES/analysis/canary-rule.yaml"
expect_rc 0
want <<'EOF'
CHECK                SERIES  CANARY  BASELINE  LIMIT                                 VERDICT  NOTE
error-rate-increase  -       0.004   -         len(result) == 1 && result[0] > 0.01  pass     Successful
latency-ratio        -       1.1     -         len(result) == 1 and result[0] > 1.2  pass     Successful
EOF
expect_no_err
end

begin "good, --template nan-and-empty.yaml: the address from an --arg, scalar and vector results"
# The share of non-5xx requests of both tracks: 1 - (20 + 14) / 3000.
run env -u PROMETHEUS_URL metric-gate --at "$PROM_AT" --timeout 60s \
    --template "$FIXTURES/analysis/nan-and-empty.yaml" \
    --arg prometheus-address="$PROM_URL"
expect_rc 0
want <<'EOF'
CHECK             SERIES  CANARY    BASELINE  LIMIT                                  VERDICT  NOTE
nan-passes        -       0.988667  -         isNaN(result) || result >= 0.95        pass     Successful
nan-inconclusive  -       0.988667  -         result < 0.95                          pass     Successful
inf-fails         -       0.988667  -         isInf(result)                          pass     Successful
empty-passes      -       0.988667  -         len(result) == 0 || result[0] >= 0.95  pass     Successful
empty-fails       -       0.988667  -         len(result) > 0 && result[0] >= 0.95   pass     Successful
EOF
end

begin "good, --template success-rate-count.yaml (Argo's example, istio metrics absent here): result[0] of nothing is no data, inconclusive"
run metric-gate --prometheus "$PROM_URL" --at "$((PROM_AT - 600))" \
    --timeout 60s --template "$FIXTURES/analysis/success-rate-count.yaml" \
    --arg service-name=myapp-canary --insecure    # it sets insecure: true
expect_rc 1
want <<'EOF'
CHECK         SERIES  CANARY  BASELINE  LIMIT              VERDICT       NOTE
success-rate  -       -       -         result[0] >= 0.95  inconclusive  0/5 breached, 5 no data
EOF
expect_err_line "metric-gate: check success-rate inconclusive: 5 of 5 measurements inconclusive, more than the inconclusiveLimit 1"
end

begin "good, a template's result[0] follows Prometheus's order: sort_desc() puts the baseline's 133.3/s first, so result[0] < 100 fails"
cat >"$T/sortdesc.yaml" <<'YAML'
apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata:
  name: busiest
spec:
  metrics:
  - name: busiest-track
    successCondition: result[0] < 100
    provider:
      prometheus:
        query: 'sort_desc(label_replace(sum by (track) (rate(http_requests_total[5m])), "track", "zz-baseline", "track", "baseline"))'
YAML
run metric-gate --prometheus "$PROM_URL" --at "$PROM_AT" --timeout 60s \
    --template "$T/sortdesc.yaml"
expect_rc 1
expect_err_line "metric-gate: check busiest-track failed: the success condition 'result[0] < 100' does not hold (result[0] 133.333)"
end

# ---- errors: +2.3 points of errors, same p95 -------------------------------
start errors

begin "errors canary fails on the error rate: exit 1, the table, why on stderr"
run metric-gate --prometheus "$PROM_URL" "${RULE[@]}"
expect_rc 1
want_errors fail "+0.023" "x1"
expect_err_line "metric-gate: check error-rate failed: canary 0.033 - baseline 0.01 = 0.023 > 0.01"
[ "$(wc -l <"$T/err")" -eq 1 ] || fail "stderr: $(cat "$T/err")"
end

begin "errors, -q: the table stays, the note goes"
run metric-gate -q --prometheus "$PROM_URL" "${RULE[@]}"
expect_rc 1
[ "$(wc -l <"$T/out")" -eq 3 ] || fail "stdout: $(cat "$T/out")"
expect_no_err
end

begin "errors, -o json"
run metric-gate -o json --prometheus "$PROM_URL" "${RULE[@]}"
expect_rc 1
want <<EOF
{"verdict":"fail","at":"$AT_ISO","checks":[{"name":"error-rate","verdict":"fail","condition":"max-increase","limit":0.01,"rows":[{"series":"{}","canary":0.033,"baseline":0.01,"verdict":"fail","evaluations":1,"breached":1,"nodata":0,"p":null,"note":"+0.023"}]},{"name":"latency","verdict":"pass","condition":"max-ratio","limit":1.2,"rows":[{"series":"{}","canary":0.1999999999999999,"baseline":0.1999999999999999,"verdict":"pass","evaluations":1,"breached":0,"nodata":0,"p":null,"note":"x1"}]}]}
EOF
end

begin "errors on GitHub Actions: GITHUB_OUTPUT, ::error, dotenv"
run env TOOLKIT_CI=github GITHUB_OUTPUT="$T/gho" metric-gate \
    --prometheus "$PROM_URL" --dotenv "$T/env" "${RULE[@]}"
expect_rc 1
printf '%s\n' "verdict=fail" \
    'checks=[{"name":"error-rate","verdict":"fail","condition":"max-increase","limit":0.01,"rows":[{"series":"{}","canary":0.033,"baseline":0.01,"verdict":"fail","evaluations":1,"breached":1,"nodata":0,"p":null,"note":"+0.023"}]},{"name":"latency","verdict":"pass","condition":"max-ratio","limit":1.2,"rows":[{"series":"{}","canary":0.1999999999999999,"baseline":0.1999999999999999,"verdict":"pass","evaluations":1,"breached":0,"nodata":0,"p":null,"note":"x1"}]}]' \
    >"$T/gho.want"
cmp -s "$T/gho" "$T/gho.want" || fail "GITHUB_OUTPUT: $(diff -u "$T/gho.want" "$T/gho")"
printf 'METRIC_GATE_VERDICT=fail\nMETRIC_GATE_FAILED=error-rate\n' >"$T/env.want"
cmp -s "$T/env" "$T/env.want" || fail "dotenv: $(diff -u "$T/env.want" "$T/env")"
expect_err_line "::error title=metric-gate::check error-rate failed: canary 0.033 - baseline 0.01 = 0.023 > 0.01"
end

begin "errors, a failing dryRun metric on GitHub Actions: exit 0, a warning, no ::error, the note says dry run"
cat >"$T/dry.yaml" <<YAML
apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata:
  name: dry
spec:
  metrics:
  - name: m
    failureCondition: result[0] > 0.01
    provider:
      prometheus:
        query: '$(prom_err canary 5m)'
  dryRun:
  - metricName: m
YAML
run env TOOLKIT_CI=github metric-gate --prometheus "$PROM_URL" \
    --at "$PROM_AT" --timeout 60s --template "$T/dry.yaml"
expect_rc 0
want <<'EOF'
CHECK  SERIES  CANARY  BASELINE  LIMIT             VERDICT  NOTE
m      -       0.033   -         result[0] > 0.01  fail     Failed (dry run)
EOF
expect_err_line "metric-gate: warning: check m failed (dryRun: not counted): the failure condition 'result[0] > 0.01' holds (result[0] 0.033)"
! grep -q '::error' "$T/err" || fail "an ::error annotation: $(cat "$T/err")"
end

begin "errors, --window on GitHub Actions: the step summary has the table and a sparkline per row"
run env TOOLKIT_CI=github GITHUB_STEP_SUMMARY="$T/sum" metric-gate \
    --prometheus "$PROM_URL" --window 10m --step 1m "${RULE[@]}"
expect_rc 1
want_errors fail "11/11 breached" "0/11 breached"
# A flat series is all U+2584.
cat >"$T/sum.want" <<'EOF'
### metric-gate: fail

| check | series | canary | baseline | limit | verdict | note |
|---|---|---|---|---|---|---|
| error-rate | - | 0.033 | 0.01 | diff&lt;=0.01 | fail | 11/11 breached |
| latency | - | 0.2 | 0.2 | ratio&lt;=1.2 | pass | 0/11 breached |

error-rate ▄▄▄▄▄▄▄▄▄▄▄
latency ▄▄▄▄▄▄▄▄▄▄▄

EOF
cmp -s "$T/sum" "$T/sum.want" || fail "step summary: $(diff -u "$T/sum.want" "$T/sum")"
end

begin "errors, --window --method mannwhitney: significantly worse and beyond the limit"
run metric-gate --prometheus "$PROM_URL" --window 10m --step 1m \
    --method mannwhitney "${RULE[@]}"
expect_rc 1
want_errors fail "11/11 breached p=2.75e-06" "0/11 breached p=1"
end

begin "errors, --interval/--count in the past: a failed check stops the schedule"
run metric-gate --prometheus "$PROM_URL" --interval 10m --count 3 \
    --timeout 60s --at "$((PROM_AT - 1200))" "${CHECKS[@]}"
expect_rc 1
want_errors fail "1/1 breached" "0/1 breached, stopped early"
end

begin "errors, --failure-limit 3: three breaches of three are allowed"
run metric-gate --prometheus "$PROM_URL" --interval 10m --count 3 \
    --failure-limit 3 --timeout 60s --at "$((PROM_AT - 1200))" "${CHECKS[@]}"
expect_rc 0
want_errors pass "3/3 breached" "0/3 breached"
end

begin "errors, --template canary-rule.yaml: the failure condition holds"
run metric-gate --prometheus "$PROM_URL" --at "$PROM_AT" --timeout 60s \
    --template "$FIXTURES/analysis/canary-rule.yaml"
expect_rc 1
want <<'EOF'
CHECK                SERIES  CANARY  BASELINE  LIMIT                                 VERDICT  NOTE
error-rate-increase  -       0.023   -         len(result) == 1 && result[0] > 0.01  fail     Failed
latency-ratio        -       1       -         len(result) == 1 and result[0] > 1.2  pass     Successful
EOF
expect_err_line "metric-gate: check error-rate-increase failed: the failure condition 'len(result) == 1 && result[0] > 0.01' holds (result[0] 0.023)"
end

# ---- latency: same errors, +35% p95 ----------------------------------------
start latency

begin "latency canary fails on latency"
run metric-gate --prometheus "$PROM_URL" "${RULE[@]}"
expect_rc 1
want <<'EOF'
CHECK       SERIES  CANARY  BASELINE  LIMIT       VERDICT  NOTE
error-rate  -       0.01    0.01      diff<=0.01  pass     +0
latency     -       0.27    0.2       ratio<=1.2  fail     x1.35
EOF
expect_err_line "metric-gate: check latency failed: canary 0.27 / baseline 0.2 = 1.35 > 1.2"
end

# ---- missing: no canary series at all --------------------------------------
start missing

begin "missing canary series: inconclusive, exit 1, never a pass"
run metric-gate --prometheus "$PROM_URL" "${RULE[@]}"
expect_rc 1
want <<'EOF'
CHECK       SERIES  CANARY  BASELINE  LIMIT       VERDICT       NOTE
error-rate  -       -       0.01      diff<=0.01  inconclusive  no data
latency     -       -       0.2       ratio<=1.2  inconclusive  no data
EOF
expect_err_line "metric-gate: check error-rate inconclusive: no data"
expect_err_line "metric-gate: check latency inconclusive: no data"
end

begin "missing, --template canary-rule.yaml: neither condition holds, inconclusive"
run metric-gate --prometheus "$PROM_URL" --at "$PROM_AT" --timeout 60s \
    --template "$FIXTURES/analysis/canary-rule.yaml"
expect_rc 1
want <<'EOF'
CHECK                SERIES  CANARY  BASELINE  LIMIT                                 VERDICT       NOTE
error-rate-increase  -       -       -         len(result) == 1 && result[0] > 0.01  inconclusive  neither condition holds
latency-ratio        -       -       -         len(result) == 1 and result[0] > 1.2  inconclusive  neither condition holds
EOF
end

begin "missing, --template with --no-data fail: no data fails"
run metric-gate --prometheus "$PROM_URL" --at "$PROM_AT" --timeout 60s \
    --no-data fail --template "$FIXTURES/analysis/canary-rule.yaml"
expect_rc 1
want <<'EOF'
CHECK                SERIES  CANARY  BASELINE  LIMIT                                 VERDICT  NOTE
error-rate-increase  -       -       -         len(result) == 1 && result[0] > 0.01  fail     neither condition holds
latency-ratio        -       -       -         len(result) == 1 and result[0] > 1.2  fail     neither condition holds
EOF
end

begin "missing, --no-data pass: no data counts as a pass"
run metric-gate --prometheus "$PROM_URL" --no-data pass -o json "${RULE[@]}"
expect_rc 0
python3 -c '
import json, sys
o = json.load(open(sys.argv[1]))
assert o["verdict"] == "pass", o
assert [r["nodata"] for c in o["checks"] for r in c["rows"]] == [1, 1], o
assert [r["canary"] for c in o["checks"] for r in c["rows"]] == [None, None], o
' "$T/out" 2>"$T/py" || fail "json: $(cat "$T/py") $(cat "$T/out")"
end

begin "missing, --no-data fail: no data counts as a breach"
run metric-gate --prometheus "$PROM_URL" --no-data fail "${RULE[@]}"
expect_rc 1
expect_err "check error-rate failed"
end

begin "Prometheus stopped: exit 7 after the retries, no table"
url=$PROM_URL
prom_stop
run metric-gate --prometheus "$url" "${RULE[@]}"
expect_rc 7
expect_no_out
expect_err "metric-gate: "
[ "$(wc -l <"$T/err")" -eq 1 ] || fail "stderr: $(cat "$T/err")"
end

# ---- live: prometheus scrapes tests/lib/prom-exporter.py every second ----
begin "live, --interval 1s --count 3 from now: three evaluations as the samples come in"
prom_start_live || {
	echo "Bail out! the live bed did not start"
	exit 1
}
# The counters as they stand: their ratios are exact at any instant.
LIVE=(--check error-rate --query "$(prom_err canary)"
    --baseline-query "$(prom_err baseline)" --max-increase 0.01
    --check latency --query "$(prom_p95 canary)"
    --baseline-query "$(prom_p95 baseline)" --max-ratio 1.2)
run metric-gate --prometheus "$PROM_URL" --interval 1s --count 3 \
    --timeout 60s "${LIVE[@]}"
expect_rc 0
want_good "0/3 breached" "0/3 breached"
expect_no_err
end

begin "live, the canary switched to errors: the first evaluation fails it"
prom_live_scenario errors
run metric-gate --prometheus "$PROM_URL" --interval 1s --count 3 \
    --timeout 60s "${LIVE[@]}"
expect_rc 1
want_errors fail "1/1 breached" "0/1 breached, stopped early"
expect_err_line "metric-gate: check error-rate failed: 1 of 1 evaluations breached diff<=0.01, more than the failure limit 0"
end

begin "live, the canary gone: every evaluation without data, inconclusive"
prom_live_scenario missing
run metric-gate --prometheus "$PROM_URL" --interval 1s --count 3 \
    --timeout 60s "${LIVE[@]}"
expect_rc 1
want <<'EOF'
CHECK       SERIES  CANARY  BASELINE  LIMIT       VERDICT       NOTE
error-rate  -       -       0.01      diff<=0.01  inconclusive  0/3 breached, 3 no data
latency     -       -       0.2       ratio<=1.2  inconclusive  0/3 breached, 3 no data
EOF
expect_err_line "metric-gate: check error-rate inconclusive: 3 of 3 evaluations without data, more than the inconclusive limit 0"
prom_stop
end

# ---- stubs -------------------------------------------------------------------
begin "a hung endpoint: exit 124 at --timeout 2s"
prom_stub hang
run metric-gate --prometheus "$STUB_URL" --timeout 2s --at "$PROM_AT" "${CHECKS[@]}"
expect_rc 124
expect_no_out
expect_err "metric-gate: "
prom_stub_stop
end

begin "a hung endpoint without --timeout: the I/O timeout is exit 7, not 124"
prom_stub hang
cat >"$T/slow.yaml" <<'YAML'
apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata:
  name: slow
spec:
  metrics:
  - name: up
    successCondition: result[0] >= 1
    provider:
      prometheus:
        timeout: 1
        query: up
YAML
run metric-gate --prometheus "$STUB_URL" --timeout 0 --template "$T/slow.yaml"
expect_rc 7
expect_no_out
expect_err "metric-gate: Prometheus did not answer within 1 s"
prom_stub_stop
end

begin "401: exit 6, and the token is sent but never shown (-v included)"
prom_stub 401 --token s3cr3t-t0ken
printf 's3cr3t-t0ken\n' >"$T/token"
run metric-gate -v --prometheus "$STUB_URL" --token-file "$T/token" \
    --at "$PROM_AT" "${CHECKS[@]}"
expect_rc 6
expect_no_out
expect_err "metric-gate: Prometheus refused the credentials (HTTP 401); check --token-file/PROMETHEUS_TOKEN"
grep -q 's3cr3t' "$T/out" "$T/err" && fail "the token was shown: $(grep s3cr3t "$T/err")"
grep -q 'auth=ok' "$STUB_LOG" || fail "the token was not sent: $(cat "$STUB_LOG")"
[ "$(grep -c . "$STUB_LOG")" -eq 1 ] || fail "a 401 is retried: $(cat "$STUB_LOG")"
end

begin "401 with PROMETHEUS_TOKEN: exit 6, the token never shown"
run env PROMETHEUS_TOKEN=s3cr3t-t0ken metric-gate -v --prometheus "$STUB_URL" \
    --at "$PROM_AT" "${CHECKS[@]}"
expect_rc 6
grep -q 's3cr3t' "$T/out" "$T/err" && fail "the token was shown: $(grep s3cr3t "$T/err")"
prom_stub_stop
end

begin "an HTML page instead of the API's JSON: exit 3, said so"
prom_stub html
run metric-gate --prometheus "$STUB_URL" --at "$PROM_AT" "${CHECKS[@]}"
expect_rc 3
expect_no_out
expect_err "metric-gate: "
[ "$(wc -l <"$T/err")" -eq 1 ] || fail "stderr: $(cat "$T/err")"
prom_stub_stop
end

done_testing
