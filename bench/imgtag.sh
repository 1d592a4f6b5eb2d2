#!/bin/bash
# imgtag.sh: imgtag next to skopeo and a minimal libcurl client (the floor:
# exactly the necessary requests, bench/regfloor.c) on a loopback
# docker-registry, anonymous and with token auth, in one run. Prints median
# milliseconds, the ratios to the floor, and imgtag's HTTP requests per
# operation (from the registry's access log; token auth after a first run
# has cached the token).
#   bench/imgtag.sh [RUNS]      default 15
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/install-deps" --bench || exit 3
make -C "$top" -s all || exit 3
export PATH=$top/bin:$PATH GITOPS_PLUGIN_PATH=$top/lib/gitops-utils/plugins
runs=${1:-15}
w=$(mktemp -d "${TMPDIR:-/tmp}/imgtag-bench.XXXXXX")
export HOME=$w/home
mkdir -p "$HOME"
TOP=$top
. "$top/tests/lib/registry.sh"
trap 'reg_stop; rm -rf "$w"' EXIT
cc -O2 -o "$w/regfloor" "$top/bench/regfloor.c" -lcurl || exit 3

# median CMD...: median wall milliseconds of RUNS runs (output discarded).
median() {
	local i s e
	for i in $(seq "$runs"); do
		s=$(date +%s%N)
		"$@" >/dev/null 2>&1 </dev/null || echo "bench: failed: $*" >&2
		e=$(date +%s%N)
		echo $(((e - s) / 1000))
	done | sort -n | awk '{ v[NR] = $1 } END { printf "%.2f", v[int((NR + 1) / 2)] / 1000 }'
}

# requests CMD...: how many requests one run of CMD makes.
requests() {
	local a b
	a=$(grep -c 'HTTP/1.1" ' "$REG_DIR/registry.log")
	"$@" >/dev/null 2>&1 </dev/null
	b=$(grep -c 'HTTP/1.1" ' "$REG_DIR/registry.log")
	echo $((b - a))
}

pw() { echo "$REG_PASS" | imgtag --username ci --password-stdin "$@"; }

printf '%-7s %-22s %9s %9s %9s %9s %9s %5s\n' auth operation "imgtag" skopeo floor \
    "img/flr" "sko/flr" reqs
for mode in anon token; do
	reg_stop
	reg_start "$w/reg-$mode" "$mode" >/dev/null || { echo "bench: no registry" >&2; exit 3; }
	reg_seed demo/app v1 >/dev/null || exit 3
	base=http://$REG
	sko=(--tls-verify=false)
	skc=(--src-tls-verify=false --dest-tls-verify=false)
	img=(imgtag)
	unset TOKEN
	if [ "$mode" = token ]; then
		sko+=(--creds "$REG_USER:$REG_PASS")
		skc+=(--src-creds "$REG_USER:$REG_PASS" --dest-creds "$REG_USER:$REG_PASS")
		img=(pw)
		TOKEN=$(curl -fsS -u "$REG_USER:$REG_PASS" -G "$REG_TOKEN_URL" \
		    --data-urlencode service=test-registry \
		    --data-urlencode "scope=repository:demo/app:pull,push" \
		    --data-urlencode "scope=repository:prod/app:pull,push" | jq -r .token)
		export TOKEN
		# Warm the token cache, as any earlier run in a pipeline would.
		pw "$REG/demo/app:v1" >/dev/null
		pw --copy "$REG/demo/app:v1" "$REG/demo/app:w" >/dev/null
		pw --copy "$REG/demo/app:v1" "$REG/prod/app:w" >/dev/null
		pw --list "$REG/demo/app" >/dev/null
	fi
	row() { # name imgtag-cmd skopeo-cmd floor-cmd
		local n=$1 a b c r
		a=$(median "${img[@]}" $2)
		b=$(median $3)
		c=$(median $4)
		r=$(requests "${img[@]}" $2)
		printf '%-7s %-22s %9s %9s %9s %9.2f %9.2f %5s\n' "$mode" "$n" "$a" "$b" "$c" \
		    "$(echo "$a / $c" | bc -l)" "$(echo "$b / $c" | bc -l)" "$r"
	}
	row "resolve a tag" "$REG/demo/app:v1" \
	    "skopeo inspect ${sko[*]} docker://$REG/demo/app:v1" \
	    "$w/regfloor resolve $base/v2/demo/app/manifests/v1"
	row "retag, same repo" "--copy $REG/demo/app:v1 $REG/demo/app:v2" \
	    "skopeo copy ${skc[*]} docker://$REG/demo/app:v1 docker://$REG/demo/app:v2" \
	    "$w/regfloor retag $base demo/app v1 demo/app v2"
	row "copy, other repo" "--copy $REG/demo/app:v1 $REG/prod/app:v1" \
	    "skopeo copy ${skc[*]} docker://$REG/demo/app:v1 docker://$REG/prod/app:v1" \
	    "$w/regfloor retag $base demo/app v1 prod/app v1"
	row "list tags" "--list $REG/demo/app" \
	    "skopeo list-tags ${sko[*]} docker://$REG/demo/app" \
	    "$w/regfloor list $base/v2/demo/app/tags/list"
done
