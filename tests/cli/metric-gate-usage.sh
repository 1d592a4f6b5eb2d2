#!/bin/bash
# metric-gate-usage.sh: metric-gate's option rules, each refused with its
# one-line message and exit 2 before anything is asked of Prometheus;
# --help and --version. No server: none is needed to refuse.
. "$(dirname "$0")/../lib/cli.sh"
unset PROMETHEUS_URL PROMETHEUS_TOKEN

U=http://127.0.0.1:9/		# never reached: every case is refused first
C=(--check err --query up)	# a check's start

# rule MSG ARGS...: metric-gate ARGS exits 2, stdout empty, the first line
# of stderr "metric-gate: MSG", the usage after it.
rule() { usage_rule metric-gate "$@"; }

plan 53

begin "--help: the usage on stdout, exit 0"
run metric-gate --help
expect_rc 0
expect_no_err
head -n 1 "$T/out" | grep -q '^usage: metric-gate \[-hqVv\] ' ||
    fail "stdout: $(head -n 1 "$T/out")"
grep -q -- '--max-increase V' "$T/out" || fail "no option list"
end

begin "--version: name, package and version on stdout"
run metric-gate --version
expect_rc 0
expect_no_err
grep -qx 'metric-gate (gitops-utils) [0-9][0-9.]*' "$T/out" ||
    fail "stdout: $(cat "$T/out")"
end

begin "an unknown option: exit 2 with the usage"
run metric-gate --bogus
expect_rc 2
expect_no_out
grep -q '^usage: metric-gate ' "$T/err" || fail "stderr: $(cat "$T/err")"
end

# What a check is.
rule "give --check NAME --query PROMQL and a condition, or --template FILE" \
    --prometheus $U
rule "--query: give --check NAME first" --query up --max 1
rule "--baseline-query: give --check NAME first" --baseline-query up
rule "--max: give --check NAME first" --max 1
rule "--max-ratio: give --check NAME first" --max-ratio 1.2 --check a
rule "--check 'a b': a name of 1 to 63 letters, digits, '_', '.' and '-'" \
    --check 'a b' --query up --max 1
rule "--check '': a name of 1 to 63 letters, digits, '_', '.' and '-'" \
    --check '' --query up --max 1
rule "--check '$(printf 'x%.0s' $(seq 64))': a name of 1 to 63 letters, digits, '_', '.' and '-'" \
    --check "$(printf 'x%.0s' $(seq 64))" --query up --max 1
rule "--check err: given twice (names are unique)" \
    "${C[@]}" --max 1 --check err
rule "--max x: give a finite number" "${C[@]}" --max x
rule "--min NaN: give a finite number" "${C[@]}" --min NaN
rule "--max-increase inf: give a finite number" "${C[@]}" --max-increase inf
rule "--max 1e999: give a finite number" "${C[@]}" --max 1e999
rule "--max 0x10: give a finite number" "${C[@]}" --max 0x10
rule "--min 1,5: give a finite number" "${C[@]}" --min 1,5
rule "--max-ratio 0: give a ratio above 0" "${C[@]}" --baseline-query up \
    --max-ratio 0
rule "--check err: give --query PROMQL" --prometheus $U --check err --max 1
rule "--check err: one --query and at most one --baseline-query" \
    --prometheus $U "${C[@]}" --query up --max 1
rule "--check err: give one condition: --max, --min, --max-increase or --max-ratio" \
    --prometheus $U "${C[@]}"
rule "--check err: give only one condition: --max, --min, --max-increase or --max-ratio" \
    --prometheus $U "${C[@]}" --max 1 --min 0
rule "--check err: --max-increase compares with the baseline: give --baseline-query" \
    --prometheus $U "${C[@]}" --max-increase 0.01
rule "--check err: --max-ratio compares with the baseline: give --baseline-query" \
    --prometheus $U "${C[@]}" --max-ratio 1.2 --check b --query up --max 1
rule "--check err: --max judges the canary alone: drop --baseline-query" \
    --prometheus $U "${C[@]}" --baseline-query up --max 1
rule "no Prometheus: give --prometheus URL or set PROMETHEUS_URL" \
    "${C[@]}" --max 1
rule "no operands: a check is --check NAME --query PROMQL and a condition" \
    --prometheus $U "${C[@]}" --max 1 extra

# The schedule.
rule "--interval needs --count N" --prometheus $U "${C[@]}" --max 1 \
    --interval 1m
rule "--count needs --interval D" --prometheus $U "${C[@]}" --max 1 \
    --count 3
rule "--initial-delay goes with --interval and --count" --prometheus $U \
    "${C[@]}" --max 1 --initial-delay 1m
rule "--window excludes --interval, --count and --initial-delay" \
    --prometheus $U "${C[@]}" --max 1 --window 5m --interval 1m --count 2
rule "--step goes with --window" --prometheus $U "${C[@]}" --max 1 \
    --step 30s
rule "--window 24h --step 1s: 86401 points a series, more than 11000: give a larger --step or a shorter --window" \
    --prometheus $U "${C[@]}" --max 1 --window 24h --step 1s
rule "--window 48h --step 15s: 11521 points a series, more than 11000: give a larger --step or a shorter --window" \
    --prometheus $U "${C[@]}" --max 1 --window 48h
rule "--method mannwhitney needs --window" --prometheus $U "${C[@]}" \
    --max 1 --method mannwhitney
rule "--confidence goes with --method mannwhitney" --prometheus $U \
    "${C[@]}" --max 1 --window 5m --confidence 0.9
rule "--interval 0: give a duration above 0" "${C[@]}" --max 1 \
    --interval 0 --count 2
rule "--count 0: give a whole number from 1 to 1000000" --count 0
rule "--failure-limit -1: give a whole number from 0 to 1000000" \
    --failure-limit -1
rule "--confidence 0.4: give a number above 0.5 and below 1" \
    --confidence 0.4
rule "--method bayes: threshold or mannwhitney" --method bayes

# Values and the rest.
rule "--no-data maybe: inconclusive, pass or fail" --no-data maybe
rule "-o yaml: the formats are text and json" -o yaml
rule "--header 'nocolon': write it as 'Name: value'" --header nocolon
rule "--header: one line, 'Name: value'" --header "$(printf 'A: b\r\nC: d')"
rule "--at yesterday: give an RFC 3339 time (2026-12-06T21:30:00Z) or Unix seconds" \
    --at yesterday
rule "--at 2100-01-01T00:00:00Z: that is in the future; give a past instant or leave --at out" \
    --prometheus $U "${C[@]}" --max 1 --at 2100-01-01T00:00:00Z
rule "--arg 'x': write NAME=VALUE" --arg x
rule "--arg goes with --template" --prometheus $U "${C[@]}" --max 1 \
    --arg x=1
rule "--template excludes --check: the template's metrics are the checks" \
    --template t.yaml "${C[@]}" --max 1
rule "--template: its metrics have their own schedule and limits (drop --interval, --count, --initial-delay, --window, --step, --method, --confidence, --failure-limit and --inconclusive-limit)" \
    --template t.yaml --failure-limit 2
rule "--password-file needs --username" --prometheus $U "${C[@]}" \
    --max 1 --password-file pw

done_testing
