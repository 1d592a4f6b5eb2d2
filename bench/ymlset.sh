#!/bin/sh
# ymlset.sh: ymlset against its peers, in one run; prints medians and ratios.
#   (a) .images[0].newTag in a small kustomization.yaml: ymlset vs sed (the
#       floor: one process start and a one-line substitution), Debian's yq,
#       and the npm yaml package where node is present;
#   (b) one container image in a generated 4.5 MB, 15-document bundle: ymlset vs a
#       bare libyaml parse of the same file, with peak RSS;
#   (c) a multi-operator expression visiting every string of the bundle.
# With YQ=/path/to/yq (mikefarah/yq v4, the Go one) in the environment, yq-go
# runs as the peer in (a), (b) and (c); without it those rows are skipped.
# Timings come from hyperfine (-N: no shell in between); RSS from wait4.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/install-deps" --bench
make -C "$top" -s all
# The small file is a real one (tests/data/yaml, see its README); the
# bundle is generated, the same bytes every run (bench/gen-bundle.py).
small=$top/tests/data/yaml/argo-cd/manifests/base/kustomization.yaml
w=$(mktemp -d "${TMPDIR:-/tmp}/ymlset-bench.XXXXXX")
trap 'rm -rf "$w"' EXIT
big=$w/bundle.yaml
python3 "$top/bench/gen-bundle.py" "$big"
cc -O2 -o "$w/yamlparse" "$top/bench/yamlparse.c" $(pkg-config --cflags --libs yaml-0.1)
Y=$top/bin/ymlset
RUNS=${RUNS:-30}
# yq-go, the peer of issue 13: only from the environment.
G=${YQ:-}
if [ -n "$G" ]; then
	if ! "$G" --version 2>/dev/null | grep -q 'version v4\.'; then
		echo "YQ=$G is not mikefarah/yq v4 ($("$G" --version 2>&1 | head -1)); unset YQ or point it at yq v4" >&2
		exit 2
	fi
	echo "peer yq-go: $("$G" --version)"
else
	echo "peer yq-go: skipped (set YQ=/path/to/yq, mikefarah/yq v4, to compare)"
fi

# median NAME CMD...: hyperfine's median in ms, into $w/NAME.
median() {
	name=$1
	shift
	hyperfine -N -w 3 -r "$RUNS" --export-json "$w/$name.json" "$@" >/dev/null 2>&1
	python3 -c 'import json,sys; print("%.3f" % (json.load(open(sys.argv[1]))["results"][0]["median"] * 1000))' \
	    "$w/$name.json" >"$w/$name"
	cat "$w/$name"
}

# maxrss CMD...: peak resident set of CMD in KiB.
maxrss() {
	python3 -c 'import os,sys
pid = os.fork()
if pid == 0:
    fd = os.open(os.devnull, os.O_WRONLY); os.dup2(fd, 1)
    os.execv(sys.argv[1], sys.argv[1:])
_, status, ru = os.wait4(pid, 0)
print(ru.ru_maxrss)' "$@"
}

ratio() { python3 -c 'import sys; print("%.2f" % (float(sys.argv[1]) / float(sys.argv[2])))' "$1" "$2"; }

echo "(a) small kustomization.yaml ($(wc -c <"$small") bytes), set .images[0].newTag, median of $RUNS runs"
# Same work, same output: the first newTag line gets v2.
"$Y" '.images[0].newTag = "v2"' "$small" >"$w/y.out"
sed '0,/newTag: .*/s//newTag: v2/' "$small" >"$w/s.out"
cmp -s "$w/y.out" "$w/s.out" || echo "  note: sed and ymlset outputs differ"
ms_y=$(median ymlset "$Y '.images[0].newTag = \"v2\"' $small")
ms_s=$(median sed "sed '0,/newTag: .*/s//newTag: v2/' $small")
ms_q=$(median yq "yq -y '.images[0].newTag = \"v2\"' $small")
printf '  %-28s %9s ms\n' ymlset "$ms_y" sed "$ms_s" "yq (Debian, jq wrapper)" "$ms_q"
ms_g=
if [ -n "$G" ]; then
	ms_g=$(median yq-go "$G '.images[0].newTag = \"v2\"' $small")
	printf '  %-28s %9s ms\n' "yq-go" "$ms_g"
fi
if command -v node >/dev/null 2>&1; then
	if [ ! -d "$top/bench/node_modules/yaml" ]; then
		(cd "$top/bench" && npm install --no-save --silent yaml >/dev/null 2>&1) || true
	fi
	if [ -d "$top/bench/node_modules/yaml" ]; then
		ms_n=$(median node "node $top/bench/yaml-npm.js $small small")
		printf '  %-28s %9s ms\n' "node + npm yaml" "$ms_n"
	fi
fi
echo "  ratio ymlset/sed: $(ratio "$ms_y" "$ms_s")   (target <= 1.3)"
echo "  ratio yq/ymlset:  $(ratio "$ms_q" "$ms_y")"
[ -n "${ms_n:-}" ] && echo "  ratio node/ymlset: $(ratio "$ms_n" "$ms_y")"
[ -n "$ms_g" ] && echo "  ratio yq-go/ymlset: $(ratio "$ms_g" "$ms_y")   (target >= 3)"

expr='select(.kind == "Deployment").spec.template.spec.containers[0].image = "example/op:v2"'
RUNS=$((RUNS / 3 + 1))
echo
echo "(b) bundle ($(wc -c <"$big") bytes, 15 documents), set one container image, median of $RUNS runs"
ms_y=$(median big-ymlset "$Y '$expr' $big")
ms_p=$(median big-parse "$w/yamlparse $big")
printf '  %-28s %9s ms\n' ymlset "$ms_y" "bare libyaml parse" "$ms_p"
ms_q=
if [ "${BENCH_SLOW:-1}" = 1 ]; then
	RUNS=3 ms_q=$(RUNS=3 median big-yq "yq -y '(select(.kind == \"Deployment\") | .spec.template.spec.containers[0].image) |= \"example/op:v2\"' $big")
	printf '  %-28s %9s ms (3 runs)\n' "yq (Debian, jq wrapper)" "$ms_q"
fi
ms_g=
if [ -n "$G" ]; then
	ms_g=$(median big-yq-go "$G '$expr' $big")
	printf '  %-28s %9s ms\n' "yq-go" "$ms_g"
fi
rss_y=$(maxrss "$Y" "$expr" "$big")
rss_p=$(maxrss "$w/yamlparse" "$big")
size_k=$(( $(wc -c <"$big") / 1024 ))
echo "  ratio ymlset/parse: $(ratio "$ms_y" "$ms_p")   (target <= 1.5)"
[ -n "${ms_q:-}" ] && echo "  ratio yq/ymlset:    $(ratio "$ms_q" "$ms_y")"
[ -n "$ms_g" ] && echo "  ratio yq-go/ymlset: $(ratio "$ms_g" "$ms_y")   (target >= 15)"
echo "  peak RSS: ymlset ${rss_y} KiB, bare parse ${rss_p} KiB, file ${size_k} KiB; ymlset/file: $(ratio "$rss_y" "$size_k")   (target <= 3)"
[ -n "$G" ] && echo "  peak RSS: yq-go $(maxrss "$G" "$expr" "$big") KiB"

# (c) Every string under the old registry moves to the new one: traversal,
# select, tag, test and sub in one expression. ymlset answers it or the row
# says unsupported (its stderr shown), and the run goes on.
expr='(.. | select(tag == "!!str" and test("^registry.old/"))) |= sub("^registry.old/"; "registry.new/")'
# The bundle's images move to registry.old/ first, so there is work to do.
old=$w/bundle-old.yaml
sed 's#image: quay\.io/#image: registry.old/#' "$big" >"$old"
echo
echo "(c) bundle with $(grep -c 'registry\.old/' "$old") registry.old/ images, $expr, median of $RUNS runs"
if "$Y" "$expr" "$old" >"$w/c.out" 2>"$w/c.err"; then
	ms_y=$(median multi-ymlset "$Y '$expr' $old")
	printf '  %-28s %9s ms\n' ymlset "$ms_y"
else
	st=$?
	ms_y=
	printf '  %-28s %9s    (exit %s: %s)\n' ymlset unsupported "$st" "$(head -c 120 "$w/c.err")"
fi
if [ -n "$G" ]; then
	ms_g=$(median multi-yq-go "$G '$expr' $old")
	printf '  %-28s %9s ms\n' "yq-go" "$ms_g"
	if [ -n "$ms_y" ]; then
		echo "  ratio yq-go/ymlset: $(ratio "$ms_g" "$ms_y")   (target >= 10)"
		# Same work: the two outputs hold the same data.
		"$G" "$expr" "$old" | "$G" -o json -I0 . >"$w/c.yq.json"
		"$G" -o json -I0 . "$w/c.out" >"$w/c.y.json"
		cmp -s "$w/c.yq.json" "$w/c.y.json" || echo "  note: ymlset's data differs from yq-go's"
	fi
fi
