#!/bin/bash
# promote.sh: promote 50 apps (a kustomization with 3 images each) from dev
# to staging in one call, next to the recipe people write (a yq + git loop
# over the same apps) and to a plain `git commit -a` + `git push` of the same
# changes (the floor), on a local bare repository on tmpfs. Medians of RUNS
# (the yq recipe runs once: it takes tens of seconds).
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

# The template: a bare repository with 50 apps, dev ahead of staging.
git init -q --bare -b main "$w/tpl.git"
git clone -q "$w/tpl.git" "$w/seed" 2>/dev/null
for i in $(seq -w 1 50); do
	for env in dev staging; do
		d=$w/seed/apps/app$i/overlays/$env
		mkdir -p "$d"
		v=$([ $env = dev ] && echo 2 || echo 1)
		cat >"$d/kustomization.yaml" <<EOF
# app$i, $env
resources:
  - ../../base   # shared manifests

images:
  - name: web
    newName: registry.example.com/team/app$i-web
    newTag: v$v.0.$i     # set by CI
  - name: worker
    newName: registry.example.com/team/app$i-worker
    newTag: "v$v.1.$i"
  - name: migrate
    newName: registry.example.com/team/app$i-migrate
    newTag: 'v$v.2.$i'
EOF
	done
done
(cd "$w/seed" && git add . && git commit -qm init && git push -q origin main)

# fresh: a copy of the template repository and a clone of it in $w/run.
fresh() {
	rm -rf "$w/srv.git" "$w/run"
	cp -r "$w/tpl.git" "$w/srv.git"
	git clone -q "$w/srv.git" "$w/run" 2>/dev/null
}

ms() { echo $(( ($2 - $1) / 1000000 )); }

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

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
	local app
	for app in apps/*; do
		sed -i 's/newTag: v1\.0\./newTag: v2.0./; s/"v1\.1\./"v2.1./; s/'"'"'v1\.2\./'"'"'v2.2./' \
		    "$app/overlays/staging/kustomization.yaml"
	done
}

for i in $(seq "$runs"); do
	cd "$w" && fresh
	cd "$w/run" || exit 3
	s=$(date +%s%N)
	promote -q --no-verify-image --path 'apps/{app}/overlays/{env}' --app '*' \
	    -f dev -t staging >/dev/null || echo "bench: promote failed" >&2
	e=$(date +%s%N)
	ms "$s" "$e"
	[ "$(git -C "$w/srv.git" diff --name-only main~1 main | grep -c kustomization.yaml)" -eq 50 ] ||
	    echo "bench: promote did not change 50 files" >&2
done | median >"$w/p"
for i in $(seq "$runs"); do
	cd "$w" && fresh
	cd "$w/run" || exit 3
	floor_prep
	s=$(date +%s%N)
	git commit -qam "promote staging" && git push -q origin main
	e=$(date +%s%N)
	ms "$s" "$e"
done | median >"$w/f"
cd "$w" && fresh
cd "$w/run" || exit 3
s=$(date +%s%N)
recipe
e=$(date +%s%N)
r=$(ms "$s" "$e")
p=$(cat "$w/p")
f=$(cat "$w/f")
printf '50 apps x 3 images, dev -> staging, on %s\n' "$(df -P "$w" | awk 'NR == 2 { print $1 }')"
printf '%-44s %8s ms\n' "promote (one call, one commit, push)" "$p" \
    "git commit -a + git push of the same change" "$f" \
    "yq + git recipe (Debian's yq, one run)" "$r"
printf 'recipe / promote: %.1fx (target >= 20); promote / commit+push: %.2f (target <= 1.5)\n' \
    "$(echo "$r / $p" | bc -l)" "$(echo "$p / $f" | bc -l)"
