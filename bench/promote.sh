#!/bin/bash
# promote.sh: promote N apps (a kustomization with 3 images each) from dev
# to staging in one call, next to a plain `git commit -a` + `git push` of
# the same changes (the floor), on a local bare repository on tmpfs, for 50,
# 250 and 1,000 apps (time must grow linearly with the apps); for 50 apps
# also next to the recipe people write (a yq + git loop over the same apps).
# Medians of RUNS, of the wall-clock time and of the CPU time (user + system,
# children included: what a busy CI runner does not blur); the yq recipe runs
# once, it takes tens of seconds.
#   bench/promote.sh [RUNS]      default 5
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/install-deps" --bench || exit 3
make -C "$top" -s all || exit 3
export PATH=$top/bin:$PATH
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com
export GIT_CONFIG_NOSYSTEM=1
runs=${1:-5}
base=/dev/shm
[ -d "$base" ] && [ -w "$base" ] || base=${TMPDIR:-/tmp}
w=$(mktemp -d "$base/promote-bench.XXXXXX")
export HOME=$w
trap 'cd /; rm -rf "$w"' EXIT

# template N: $w/tpl.git, a bare repository with N apps (app0001...), dev
# one version ahead of staging. The overlays are written by one awk.
template() {
	rm -rf "$w/tpl.git" "$w/seed"
	git init -q --bare -b main "$w/tpl.git"
	git clone -q "$w/tpl.git" "$w/seed" 2>/dev/null
	awk -v top="$w/seed/apps" -v apps="$1" 'BEGIN {
		for (i = 1; i <= apps; i++) {
			app = sprintf("app%04d", i)
			for (e = 0; e < 2; e++) {
				env = e ? "staging" : "dev"
				v = e ? 1 : 2
				d = top "/" app "/overlays/" env
				system("mkdir -p " d)
				f = d "/kustomization.yaml"
				printf "# %s, %s\nresources:\n  - ../../base   # shared manifests\n\nimages:\n", app, env > f
				printf "  - name: web\n    newName: registry.example.com/team/%s-web\n    newTag: v%d.0.%d     # set by CI\n", app, v, i > f
				printf "  - name: worker\n    newName: registry.example.com/team/%s-worker\n    newTag: \"v%d.1.%d\"\n", app, v, i > f
				printf "  - name: migrate\n    newName: registry.example.com/team/%s-migrate\n    newTag: '"'"'v%d.2.%d'"'"'\n", app, v, i > f
				close(f)
			}
		}
	}'
	(cd "$w/seed" && git add . && git commit -qm init && git push -q origin main)
}

# fresh: a copy of the template repository and a clone of it in $w/run.
fresh() {
	rm -rf "$w/srv.git" "$w/run"
	cp -r "$w/tpl.git" "$w/srv.git"
	git clone -q "$w/srv.git" "$w/run" 2>/dev/null
}

ms() { echo $(( ($2 - $1) / 1000000 )); }

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# timed CMD...: run CMD (its stdout to /dev/null); print "WALL_MS CPU_MS".
timed() {
	local TIMEFORMAT='%3R %3U %3S' t
	t=$({ time "$@" >/dev/null 2>&3; } 3>&2 2>&1) || echo "bench: $1 failed" >&2
	echo "$t" | tail -1 | awk '{ printf "%d %d\n", $1 * 1000, ($2 + $3) * 1000 }'
}

# medians: "WALL CPU" lines in, "WALL CPU" medians out.
medians() {
	local f
	f=$(mktemp "$w/m.XXXXXX")
	cat >"$f"
	echo "$(cut -d' ' -f1 "$f" | median) $(cut -d' ' -f2 "$f" | median)"
	rm -f "$f"
}

# The recipe: read each dev tag with yq, write it into staging with yq.
recipe() {
	local app i tag
	for app in apps/*; do
		for i in 0 1 2; do
			tag=$(yq -r ".images[$i].newTag" "$app/overlays/dev/kustomization.yaml")
			yq -y -i ".images[$i].newTag = \"$tag\"" "$app/overlays/staging/kustomization.yaml"
		done
	done
	git commit -qam "promote staging" && git push -q origin main
}

# The floor: the same edits made with sed beforehand; time commit + push.
floor_prep() {
	sed -i 's/newTag: v1\.0\./newTag: v2.0./; s/"v1\.1\./"v2.1./; s/'"'"'v1\.2\./'"'"'v2.2./' \
	    apps/*/overlays/staging/kustomization.yaml
}

# bench_promote N: "WALL CPU" median ms of promote over N apps.
bench_promote() {
	local i
	for i in $(seq "$runs"); do
		cd "$w" && fresh
		cd "$w/run" || exit 3
		timed promote -q --no-verify-image --path 'apps/{app}/overlays/{env}' \
		    --app '*' -f dev -t staging
		[ "$(git -C "$w/srv.git" diff --name-only main~1 main | grep -c kustomization.yaml)" -eq "$1" ] ||
		    echo "bench: promote did not change $1 files" >&2
	done | medians
}

commit_push() { git commit -qam "promote staging" && git push -q origin main; }

# bench_floor N: "WALL CPU" median ms of git commit -a + git push of the
# same change.
bench_floor() {
	local i
	for i in $(seq "$runs"); do
		cd "$w" && fresh
		cd "$w/run" || exit 3
		floor_prep
		timed commit_push
		[ "$(git -C "$w/srv.git" diff --name-only main~1 main | grep -c kustomization.yaml)" -eq "$1" ] ||
		    echo "bench: the floor did not change $1 files" >&2
	done | medians
}

printf 'promote N apps x 3 images, dev -> staging, on %s; medians of %s runs\n' \
    "$(df -P "$w" | awk 'NR == 2 { print $1 }')" "$runs"
printf '%6s %-19s %-19s %-11s %s\n' "" "promote ms" "commit -a + push ms" ratio "promote ms/app"
printf '%6s %9s %9s %9s %9s %5s %5s %7s %7s\n' apps wall cpu wall cpu wall cpu wall cpu
for n in 50 250 1000; do
	template "$n"
	set -- $(bench_promote "$n") $(bench_floor "$n")
	[ "$n" -eq 50 ] && p50=$1
	printf '%6d %9d %9d %9d %9d %5.2f %5.2f %7.2f %7.2f\n' "$n" "$1" "$2" "$3" "$4" \
	    "$(echo "$1 / $3" | bc -l)" "$(echo "$2 / $4" | bc -l)" \
	    "$(echo "$1 / $n" | bc -l)" "$(echo "$2 / $n" | bc -l)"
done
printf '(target: promote / commit+push <= 1.5; ms/app about flat: linear in apps)\n'
template 50
cd "$w" && fresh
cd "$w/run" || exit 3
s=$(date +%s%N)
recipe
e=$(date +%s%N)
r=$(ms "$s" "$e")
printf '%-44s %8s ms\n' "yq + git recipe, 50 apps (Debian's yq, one run)" "$r"
printf 'recipe / promote at 50 apps: %.1fx (target >= 20)\n' "$(echo "$r / $p50" | bc -l)"
