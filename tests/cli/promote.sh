#!/bin/bash
# promote.sh: promote (dir strategy, kustomize overlays) against a bare git
# repository and the loopback docker-registry.
. "$(dirname "$0")/../lib/cli.sh"
. "$TOP/tests/lib/registry.sh"

plan 47

export GITOPS_PLUGIN_PATH=$TOP/lib/gitops-utils/plugins HOME=$_t_root/home
export GIT_AUTHOR_NAME=ci GIT_AUTHOR_EMAIL=ci@example.com
export GIT_COMMITTER_NAME=ci GIT_COMMITTER_EMAIL=ci@example.com
export GIT_CONFIG_NOSYSTEM=1
mkdir -p "$HOME"
trap 'reg_stop; [ "$_t_failed" -eq 0 ] && rm -rf "$_t_root"' EXIT

reg_start "$_t_root/reg" anon || { echo "Bail out! no registry"; exit 1; }
for t in app:v1.3.0 app:v1.4.0 worker:v1.9.0 worker:v2.0.0 api:v3.0.0 api:v3.1.0; do
	reg_seed "team/${t%%:*}" "${t#*:}" >/dev/null || { echo "Bail out! seeding"; exit 1; }
done

# overlay ENV TAG_APP TAG_WORKER: a kustomization with comments and quirks.
overlay() {
	cat <<EOF
# $1 overlay: keep every byte but the tags
resources:
  - ../../base   # shared

images:
  - name: app   # the web app
    newName: $REG/team/app
    newTag: $2     # set by CI
  - name: worker
    newName: $REG/team/worker
    newTag: '$3'
  - name: redis
    newTag: "7.2"
EOF
}

# repo DIR: a bare repository with dev and staging overlays, cloned to DIR/w.
repo() {
	git init -q --bare -b main "$1/srv.git"
	git clone -q "$1/srv.git" "$1/w" 2>/dev/null
	mkdir -p "$1/w/overlays/dev" "$1/w/overlays/staging"
	overlay dev v1.4.0 v2.0.0 >"$1/w/overlays/dev/kustomization.yaml"
	overlay staging v1.3.0 v1.9.0 >"$1/w/overlays/staging/kustomization.yaml"
	(cd "$1/w" && git add . && git commit -qm init && git push -q origin main)
}

begin "dev -> staging: one commit, only the tags change, trailers written"
repo "$T"
R=$T
cd "$R/w" || exit 1
run promote -f dev -t staging
expect_rc 0
expect_out_text "app $REG/team/app:v1.3.0 -> $REG/team/app:v1.4.0 dev -> staging
worker $REG/team/worker:v1.9.0 -> $REG/team/worker:v2.0.0 dev -> staging"
git -C ../srv.git diff main~1 main -U0 | grep '^[-+] ' >"$T/diff"
printf '%s\n' "-    newTag: v1.3.0     # set by CI" "-    newTag: 'v1.9.0'" \
    "+    newTag: v1.4.0     # set by CI" "+    newTag: 'v2.0.0'" | sort >"$T/want"
sort "$T/diff" | cmp -s - "$T/want" || fail "diff: $(cat "$T/diff")"
src=$(git rev-parse main~1)
git -C ../srv.git log -1 --format=%B main >"$T/msg"
cat >"$T/want" <<EOF
promote(staging): 2 images from dev

Promoted from dev (${src:0:7}) to staging:
- overlays/staging/kustomization.yaml
  app: $REG/team/app:v1.3.0 -> $REG/team/app:v1.4.0
  worker: $REG/team/worker:v1.9.0 -> $REG/team/worker:v2.0.0

Promote-From: dev
Promote-To: staging
Promote-Source-Commit: $src
Promote-Image: app=$REG/team/app:v1.4.0
Promote-Image: worker=$REG/team/worker:v2.0.0
Promote-Previous-Image: app=$REG/team/app:v1.3.0
Promote-Previous-Image: worker=$REG/team/worker:v1.9.0
Promote-Tool: promote/0.1.0

EOF
cmp -s "$T/msg" "$T/want" || fail "message: $(diff "$T/want" "$T/msg")"
[ "$(git rev-parse HEAD)" = "$(git -C ../srv.git rev-parse main)" ] || fail "local branch not at the pushed commit"
[ -z "$(git status --porcelain)" ] || fail "work tree not clean"
end

begin "a shallow clone (a CI checkout's default) is refused, exit 3, nothing pushed"
repo "$T"
git clone -q --depth 1 "file://$T/srv.git" "$T/s" 2>/dev/null
cd "$T/s" || exit 1
run promote --no-verify-image -f dev -t staging
expect_rc 3
expect_no_out
expect_err "promote: $T/s/ is a shallow clone, which libgit2 cannot push from: clone with full history (actions/checkout: fetch-depth: 0; GitLab: GIT_DEPTH: 0) or run 'git fetch --unshallow'"
[ "$(git -C ../srv.git rev-list --count main)" = 1 ] || fail "the server moved"
end

begin "a rerun is a no-op: exit 0, already promoted, no commit"
cd "$R/w" || exit 1
before=$(git -C ../srv.git rev-parse main)
run promote -f dev -t staging
expect_rc 0
expect_no_out
expect_err "promote: already promoted: staging runs what dev runs"
grep -q "warning" "$T/err" && fail "information shown as a warning: $(cat "$T/err")"
run promote -q -f dev -t staging
expect_rc 0
expect_no_err
[ "$(git -C ../srv.git rev-parse main)" = "$before" ] || fail "a commit was made"
end

begin "--check: 0 when nothing is pending"
cd "$R/w" || exit 1
run promote --check -f dev -t staging
expect_rc 0
end

begin "--check: 1 when a promotion is pending"
repo "$T"
R=$T
cd "$R/w" || exit 1
run promote --check -f dev -t staging
expect_rc 1
end

begin "--dry-run prints the diff and the message and writes nothing"
cd "$R/w" || exit 1
before=$(git -C ../srv.git rev-parse main)
run promote -n -f dev -t staging
expect_rc 0
grep -q '^-    newTag: v1.3.0     # set by CI$' "$T/out" || fail "no diff"
grep -q '^Promote-To: staging$' "$T/out" || fail "no message"
[ "$(git -C ../srv.git rev-parse main)" = "$before" ] || fail "something was pushed"
[ -z "$(git status --porcelain)" ] || fail "the work tree changed"
end

begin "--diff: the diff on a real run (git's own), then the image lines"
repo "$T"
cd "$T/w" || exit 1
run promote --diff -f dev -t staging app
expect_rc 0
{ git -C ../srv.git diff main~1 main; echo "app $REG/team/app:v1.3.0 -> $REG/team/app:v1.4.0 dev -> staging"; } >"$T/want"
expect_out "$T/want"
end

begin "-o json: the result object"
cd "$R/w" || exit 1
run promote -o json --no-verify-image -n -f dev -t staging
expect_rc 0
jq -e '.changed == true and .dry_run == true and .from == "dev" and .to == "staging" and (.images | length) == 2 and .images[0].new == "'$REG'/team/app:v1.4.0"' "$T/out" >/dev/null ||
    fail "json: $(cat "$T/out")"
end

begin "-o env, --dotenv, GITHUB_OUTPUT and the step summary"
cd "$R/w" || exit 1
run env TOOLKIT_CI=github GITHUB_OUTPUT="$T/gho" GITHUB_STEP_SUMMARY="$T/sum" promote -o env --dotenv "$T/env" -f dev -t staging
expect_rc 0
c=$(git -C ../srv.git rev-parse main)
expect_out_text "PROMOTE_CHANGED=true
PROMOTE_COMMIT=$c
PROMOTE_IMAGES_COUNT=2"
cmp -s "$T/out" "$T/env" || fail "dotenv differs"
grep -qx "commit=$c" "$T/gho" || fail "no commit= in GITHUB_OUTPUT"
sed -n 's/^images=//p' "$T/gho" | jq -r '.[] | "\(.name) \(.file) \(.previous) \(.new)"' >"$T/imgs"
printf '%s\n' "app overlays/staging/kustomization.yaml $REG/team/app:v1.3.0 $REG/team/app:v1.4.0" \
    "worker overlays/staging/kustomization.yaml $REG/team/worker:v1.9.0 $REG/team/worker:v2.0.0" |
    cmp -s - "$T/imgs" || fail "images= in GITHUB_OUTPUT: $(cat "$T/imgs")"
grep -qF "| - | app | \`$REG/team/app:v1.3.0\` | \`$REG/team/app:v1.4.0\` |" "$T/sum" || fail "summary: $(cat "$T/sum")"
end

begin "an image missing from the registry exits 4 and promotes nothing"
repo "$T"
R=$T
cd "$R/w" || exit 1
sed -i 's/newTag: v1.4.0 /newTag: v9.9.9 /' overlays/dev/kustomization.yaml
git commit -qam "dev: a tag that was never pushed" && git push -q origin main
before=$(git -C ../srv.git rev-parse main)
run promote -f dev -t staging
expect_rc 4
expect_err "$REG/team/app:v9.9.9 is not in the registry; nothing was promoted"
[ "$(git -C ../srv.git rev-parse main)" = "$before" ] || fail "something was pushed"
run promote --no-verify-image -f dev -t staging app
expect_rc 0
end

begin "IMAGE arguments narrow the promotion"
repo "$T"
R=$T
cd "$R/w" || exit 1
run promote -f dev -t staging worker
expect_rc 0
expect_out_text "worker $REG/team/worker:v1.9.0 -> $REG/team/worker:v2.0.0 dev -> staging"
grep -q 'newTag: v1.3.0' overlays/staging/kustomization.yaml || fail "app moved too"
end

begin "a missing overlay exits 4 and names it"
repo "$T"
R=$T
cd "$R/w" || exit 1
run promote -f dev -t production
expect_rc 4
expect_err "overlays/production: no kustomization.yaml there"
end

# Several apps: apps/{app}/overlays/{env}.
# apps DIR [APP...]: like repo, with apps/APP/overlays (default shop, cart).
apps() {
	local d=$1 names
	shift
	names=${*:-shop cart}
	set -- "$d"
	git init -q --bare -b main "$1/srv.git"
	git clone -q "$1/srv.git" "$1/w" 2>/dev/null
	for a in $names; do
		mkdir -p "$1/w/apps/$a/overlays/dev" "$1/w/apps/$a/overlays/staging"
		overlay dev v1.4.0 v2.0.0 >"$1/w/apps/$a/overlays/dev/kustomization.yaml"
		overlay staging v1.3.0 v1.9.0 >"$1/w/apps/$a/overlays/staging/kustomization.yaml"
	done
	(cd "$1/w" && git add . && git commit -qm init && git push -q origin main)
}

begin "--app: several apps in one commit"
apps "$T"
R=$T
cd "$R/w" || exit 1
run promote --path 'apps/{app}/overlays/{env}' --app '*' -f dev -t staging
expect_rc 0
[ "$(wc -l <"$T/out")" -eq 4 ] || fail "not four images: $(cat "$T/out")"
[ "$(git -C ../srv.git rev-list --count main)" -eq 2 ] || fail "not one commit"
git -C ../srv.git log -1 --format=%B main | grep -q '^Promote-Image: cart/app=' || fail "no app/ prefix in the trailer"
end

# many DIR APPS IMAGES: a bare repository with APPS apps (app0001...) whose
# dev overlay has IMAGES images (img001...) one version ahead of staging;
# written by one awk, not a shell loop (it runs in CI on 2 cores).
many() {
	git init -q --bare -b main "$1/srv.git"
	git clone -q "$1/srv.git" "$1/w" 2>/dev/null
	awk -v top="$1/w/apps" -v apps="$2" -v imgs="$3" 'BEGIN {
		for (a = 1; a <= apps; a++) {
			app = sprintf("app%04d", a)
			for (e = 0; e < 2; e++) {
				env = e ? "staging" : "dev"
				f = top "/" app "/overlays/" env "/kustomization.yaml"
				print top "/" app "/overlays/" env > (top ".dirs")
				body = "# " app ", " env "\nresources:\n  - ../../base\n\nimages:\n"
				for (i = 1; i <= imgs; i++)
					body = body sprintf("  - name: img%03d\n    newName: reg.example/%s/img%03d\n    newTag: v%d.%d.%d   # set by CI\n",
					    i, app, i, e ? 1 : 2, a, i)
				files[f] = body
			}
		}
		close(top ".dirs")
		system("mkdir -p \"" top "\" && xargs mkdir -p <\"" top ".dirs\" && rm \"" top ".dirs\"")
		for (f in files) {
			printf "%s", files[f] > f
			close(f)
		}
	}'
	(cd "$1/w" && git add . && git commit -qm init && git push -q origin main)
}

begin "1,000 apps of 3 images: all 3,000 promoted in one commit, none left behind"
many "$T" 1000 3
cd "$T/w" || exit 1
run promote -q --no-verify-image --path 'apps/{app}/overlays/{env}' --app '*' -f dev -t staging
expect_rc 0
expect_no_err
[ "$(wc -l <"$T/out")" -eq 3000 ] || fail "not 3000 image lines: $(wc -l <"$T/out")"
[ "$(git -C ../srv.git rev-list --count main)" -eq 2 ] || fail "not one commit"
n=$(git -C ../srv.git diff --name-only main~1 main | grep -c '^apps/app[0-9]*/overlays/staging/kustomization.yaml$')
[ "$n" -eq 1000 ] || fail "$n files changed, not 1000"
[ "$(git -C ../srv.git diff --name-only main~1 main | wc -l)" -eq 1000 ] || fail "other files changed"
for a in 1 500 1000; do
	app=$(printf app%04d "$a")
	printf '%s\n' "# $app, staging" "resources:" "  - ../../base" "" "images:" \
	    "  - name: img001" "    newName: reg.example/$app/img001" "    newTag: v2.$a.1   # set by CI" \
	    "  - name: img002" "    newName: reg.example/$app/img002" "    newTag: v2.$a.2   # set by CI" \
	    "  - name: img003" "    newName: reg.example/$app/img003" "    newTag: v2.$a.3   # set by CI" >"$T/want"
	git -C ../srv.git show "main:apps/$app/overlays/staging/kustomization.yaml" | cmp -s - "$T/want" ||
	    fail "$app: $(git -C ../srv.git show "main:apps/$app/overlays/staging/kustomization.yaml" | diff "$T/want" -)"
done
grep -qx 'app1000 img003 reg.example/app1000/img003:v1.1000.3 -> reg.example/app1000/img003:v2.1000.3 dev -> staging' "$T/out" ||
    fail "no line for app1000 img003"
[ "$(git -C ../srv.git log -1 --format=%B main | grep -c '^Promote-Image: app[0-9]*/img[0-9]*=')" -eq 3000 ] ||
    fail "not 3000 Promote-Image trailers"
run promote --check --no-verify-image --path 'apps/{app}/overlays/{env}' --app '*' -f dev -t staging
expect_rc 0
end

begin "one overlay with 500 images: all 500 promoted"
many "$T" 1 500
cd "$T/w" || exit 1
run promote -q --no-verify-image --path 'apps/{app}/overlays/{env}' --app app0001 -f dev -t staging
expect_rc 0
[ "$(wc -l <"$T/out")" -eq 500 ] || fail "not 500 image lines: $(wc -l <"$T/out")"
git -C ../srv.git diff -U0 main~1 main | grep -c '^+    newTag: v2\.1\.' >"$T/n"
[ "$(cat "$T/n")" -eq 500 ] || fail "$(cat "$T/n") tags changed, not 500"
git -C ../srv.git show main:apps/app0001/overlays/staging/kustomization.yaml >"$T/got"
for i in 1 250 500; do
	grep -qx "    newTag: v2.1.$i   # set by CI" "$T/got" || fail "img$i not promoted"
done
grep -q 'newTag: v1\.' "$T/got" && fail "left on the old tags: $(grep -c 'newTag: v1\.' "$T/got")"
[ "$(wc -l <"$T/got")" -eq 1505 ] || fail "the overlay has $(wc -l <"$T/got") lines, not 1505"
end

# tag_refused DIGITS: a dev tag of "v" and DIGITS digits is refused (exit
# 3) before anything is pushed: OCI allows 128 bytes, promote never cuts.
tag_refused() {
	many "$T" 2 1
	cd "$T/w" || exit 1
	sed -i "s/newTag: v2\.2\.1 /newTag: v$(printf "%0${1}d" 7) /" \
	    apps/app0002/overlays/dev/kustomization.yaml
	git commit -qam "dev: a tag longer than OCI allows" && git push -q origin main
	before=$(git -C ../srv.git rev-parse main)
	run promote --no-verify-image --path 'apps/{app}/overlays/{env}' --app '*' -f dev -t staging
	expect_rc 3
	expect_err "newTag 'v000000000000000000000000000000000000000...' is longer than 128 bytes; nothing was promoted"
	[ "$(git -C ../srv.git rev-parse main)" = "$before" ] || fail "something was pushed"
}

begin "a value longer than its field is refused (exit 3), never cut"
tag_refused 200
end

begin "a tag of 129 bytes, one more than OCI allows, is refused"
tag_refused 128
end

begin "two concurrent promotions of different apps both land"
apps "$T"
R=$T
cd "$R/w" || exit 1
git clone -q ../srv.git ../w2 2>/dev/null
promote --path 'apps/{app}/overlays/{env}' --app shop -f dev -t staging >"$T/o1" 2>"$T/e1" &
p1=$!
(cd ../w2 && promote --path 'apps/{app}/overlays/{env}' --app cart -f dev -t staging) >"$T/o2" 2>"$T/e2" &
p2=$!
wait $p1 || fail "shop: $(cat "$T/e1")"
wait $p2 || fail "cart: $(cat "$T/e2")"
git -C ../srv.git show main:apps/shop/overlays/staging/kustomization.yaml | grep -q 'newTag: v1.4.0' || fail "shop lost"
git -C ../srv.git show main:apps/cart/overlays/staging/kustomization.yaml | grep -q 'newTag: v1.4.0' || fail "cart lost"
end

begin "four concurrent promotions of different apps over git:// (git daemon) all land"
apps "$T" a1 a2 a3 a4
port=$(free_port)
git daemon --reuseaddr --listen=127.0.0.1 --port="$port" --base-path="$T" \
    --export-all --enable=receive-pack "$T" >"$T/daemon.log" 2>&1 &
dpid=$!
wait_port "$port" "git daemon" "$T/daemon.log"
pids=
for a in a1 a2 a3 a4; do
	git clone -q "git://127.0.0.1:$port/srv.git" "$T/c$a" 2>/dev/null
	(cd "$T/c$a" && promote -q --path 'apps/{app}/overlays/{env}' --app "$a" -f dev -t staging) \
	    >"$T/o$a" 2>"$T/e$a" &
	pids="$pids $!"
done
i=0
for p in $pids; do
	i=$((i + 1))
	wait "$p" || fail "a$i: $(cat "$T/ea$i")"
done
for a in a1 a2 a3 a4; do
	git -C "$T/srv.git" show main:apps/$a/overlays/staging/kustomization.yaml | grep -q 'newTag: v1.4.0' ||
	    fail "$a lost"
done
[ "$(git -C "$T/srv.git" rev-list --count main)" = 5 ] || fail "not one commit each"
kill "$dpid"
wait "$dpid" 2>/dev/null
end

begin "--semver and --allow-tags refuse with exit 1 before writing"
repo "$T"
R=$T
cd "$R/w" || exit 1
before=$(git -C ../srv.git rev-parse main)
run promote --semver '^2' -f dev -t staging
expect_rc 1
expect_err "app: tag 'v1.4.0' is not a version in ^2; nothing was promoted"
run promote --allow-tags 'v[0-9]+\.[0-9]+\.0-rc.*' -f dev -t staging
expect_rc 1
expect_err "does not match --allow-tags"
[ "$(git -C ../srv.git rev-parse main)" = "$before" ] || fail "something was pushed"
run promote --semver '>=1.0.0 <3' --allow-tags 'v[0-9.]+' -n -f dev -t staging
expect_rc 0
end

begin "a failing --gate exits 1 and shows its output; a passing one sees the plan"
cd "$R/w" || exit 1
run promote --gate 'echo "app-dev is Degraded" >&2; exit 3' -f dev -t staging
expect_rc 1
expect_err "app-dev is Degraded"
expect_err "gate 'echo \"app-dev is Degraded\" >&2; exit 3' failed (exit 3); nothing was promoted"
run promote --gate 'test "$PROMOTE_FROM $PROMOTE_TO" = "dev staging" && echo "$PROMOTE_IMAGES" | grep -q team/app:v1.4.0' -n -f dev -t staging
expect_rc 0
end

begin "--chain refuses skipping an environment"
cd "$R/w" || exit 1
run promote --chain dev,staging,production -f dev -t production
expect_rc 1
expect_err "skips an environment"
run promote --chain dev,staging,production -f dev -t qa
expect_rc 2
run promote --chain dev,staging,production --allow-skip -f staging -t dev
expect_rc 1
expect_err "goes backwards"
run promote --chain dev,staging,production --allow-skip -n -f dev -t production
expect_rc 4
expect_err "overlays/production"
end

begin "--platform: a single image's config and an index's list must name it"
repo "$T"
cd "$T/w" || exit 1
run promote -n --platform linux/arm64 -f dev -t staging app
expect_rc 1
expect_err "overlays/staging/kustomization.yaml: $REG/team/app:v1.4.0 has no linux/arm64 image (it has: linux/amd64); nothing was promoted"
run promote -n --platform linux/amd64 -f dev -t staging app
expect_rc 0
reg_seed team/app multi index >/dev/null || fail "seeding an index"
run promote -n --platform linux/arm64/v8 --platform linux/amd64 -t staging --set app=multi
expect_rc 0
run promote -n --platform linux/arm/v7 -t staging --set app=multi
expect_rc 1
expect_err "has no linux/arm/v7 image (it has: linux/amd64 linux/arm64/v8)"
# A registry behind Basic auth whose config blob redirects to storage
# that refuses credentials (tests/lib/registry-stub.py /v2/stored).
python3 "$TOP/tests/lib/registry-stub.py" --port-file "$T/sport" >"$T/sout" 2>&1 &
spid=$!
wait_file "$T/sport" "the registry stub did not start"
S=127.0.0.1:$(cat "$T/sport")
printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$S" "$(printf u:p | base64)" >"$T/auth.json"
sed -i "0,/newName: .*/s||newName: $S/stored|" overlays/staging/kustomization.yaml
git commit -qam "staging: app from the stub" && git push -q origin main
REGISTRY_AUTH_FILE=$T/auth.json run promote -n --platform linux/arm64/v8 -t staging --set app=v1
expect_rc 0
REGISTRY_AUTH_FILE=$T/auth.json run promote -n --platform linux/amd64 -t staging --set app=v1
expect_rc 1
expect_err "$S/stored:v1 has no linux/amd64 image (it has: linux/arm64/v8)"
kill "$spid"
wait "$spid" 2>/dev/null
run promote --platform linux --no-verify-image -f dev -t staging
expect_rc 2
run promote --platform linux/amd64 --no-verify-image -f dev -t staging
expect_rc 2
end

begin "--pin-digest writes the digest the registry has"
cd "$R/w" || exit 1
run promote --pin-digest -f dev -t staging app
expect_rc 0
d=$(imgtag "$REG/team/app:v1.4.0")
grep -q "^    digest: $d\$" overlays/staging/kustomization.yaml || fail "no digest: $(cat overlays/staging/kustomization.yaml)"
end

begin "--set pins a version by hand, with Promote-Reason"
repo "$T"
R=$T
cd "$R/w" || exit 1
run promote -t staging --set app=v1.4.0
expect_rc 0
expect_out_text "app $REG/team/app:v1.3.0 -> $REG/team/app:v1.4.0 set -> staging"
git -C ../srv.git log -1 --format=%B main | grep -qx 'Promote-Reason: manual' || fail "no reason trailer"
run promote -t staging --set app=v1.4.0
expect_rc 0
expect_no_out
[ "$(cat "$T/err")" = "promote: already there: staging has these versions" ] || fail "stderr: $(cat "$T/err")"
run promote -t staging --set app=v9.9.9
expect_rc 4
run promote -t staging --set 'app=Bad Tag'
expect_rc 2
end

begin "--rollback restores the previous versions and records the commit it undoes"
repo "$T"
R=$T
cd "$R/w" || exit 1
promote -q -f dev -t staging >/dev/null || fail "promote"
p=$(git rev-parse HEAD)
run promote -t staging --rollback
expect_rc 0
expect_out_text "app $REG/team/app:v1.4.0 -> $REG/team/app:v1.3.0 rollback -> staging
worker $REG/team/worker:v2.0.0 -> $REG/team/worker:v1.9.0 rollback -> staging"
git -C ../srv.git log -1 --format=%B main | grep -qx "Promote-Rollback-Of: $p" || fail "no Promote-Rollback-Of"
git -C ../srv.git diff "$p~1" main --quiet -- overlays/staging || fail "staging is not back to before the promotion"
end

begin "--rollback --steps 2: back to before the last two promotions, each image as it was"
repo "$T"
cd "$T/w" || exit 1
start=$(git rev-parse HEAD)
promote -q -f dev -t staging app >/dev/null || fail "promote app"
p1=$(git rev-parse HEAD)
promote -q -f dev -t staging worker >/dev/null || fail "promote worker"
p2=$(git rev-parse HEAD)
run promote -t staging --rollback --steps 2
expect_rc 0
expect_out_text "worker $REG/team/worker:v2.0.0 -> $REG/team/worker:v1.9.0 rollback -> staging
app $REG/team/app:v1.4.0 -> $REG/team/app:v1.3.0 rollback -> staging"
git -C ../srv.git diff "$start" main --quiet -- overlays/staging || fail "staging is not back to the start"
[ "$(git -C ../srv.git log -1 --format=%s main)" = "promote(staging): rollback of 2 promotions, to before ${p1:0:7}" ] ||
    fail "subject: $(git -C ../srv.git log -1 --format=%s main)"
[ "$(git -C ../srv.git log -1 --format='%(trailers:key=Promote-Rollback-Of,valueonly)' main | tr -s '\n' ' ')" = "$p2 $p1 " ] ||
    fail "Promote-Rollback-Of: $(git -C ../srv.git log -1 --format='%(trailers:key=Promote-Rollback-Of,valueonly)' main)"
run promote -t staging --rollback --steps 9
expect_rc 4
expect_err "--steps 9: the history of the branch has 3 promotions into staging"
run promote -f dev -t staging --steps 2
expect_rc 2
end

begin "--rollback with no promotion in the history exits 4"
repo "$T"
R=$T
cd "$R/w" || exit 1
run promote -t staging --rollback
expect_rc 4
expect_err "no promotion into staging in the history"
end

begin "Helm values: --key and --repo-key, only the tag's bytes change"
git init -q --bare -b main "$T/srv.git"
git clone -q "$T/srv.git" "$T/w" 2>/dev/null
R=$T
cd "$R/w" || exit 1
mkdir -p envs/dev envs/staging
printf '# dev values\nimage:\n  repository: %s/team/app  # the app\n  tag: "v1.4.0"\nreplicas: 2\n' "$REG" >envs/dev/values.yaml
printf '# staging values\nimage:\n  repository: %s/team/app  # the app\n  tag: "v1.3.0"   # keep\nreplicas: 4\n' "$REG" >envs/staging/values.yaml
git add . && git commit -qm init && git push -q origin main
run promote --key .image.tag --repo-key .image.repository -f dev -t staging
expect_rc 0
expect_out_text ".image.tag $REG/team/app:v1.3.0 -> $REG/team/app:v1.4.0 dev -> staging"
[ "$(git -C ../srv.git diff main~1 main -U0 | grep -c '^[-+] ')" -eq 2 ] || fail "more than the tag changed"
grep -qx '  tag: "v1.4.0"   # keep' envs/staging/values.yaml || fail "quoting or comment lost"
end

begin "Helm values: a tag missing from the registry exits 4"
cd "$R/w" || exit 1
sed -i 's/"v1.4.0"/"v7.7.7"/' envs/dev/values.yaml
git commit -qam "dev: v7.7.7" && git push -q origin main
run promote --key .image.tag --repo-key .image.repository -f dev -t staging
expect_rc 4
run promote --key .image.nope -f dev -t staging
expect_rc 4
expect_err "envs/dev/values.yaml: .image.nope has no value"
end

begin "--strategy tag: the env tag moves in the registry, no git"
reg_seed team/tagged dev >/dev/null
run promote --strategy tag -f dev -t staging "$REG/team/tagged"
expect_rc 0
d=$(imgtag "$REG/team/tagged:dev")
expect_out_text "$REG/team/tagged $REG/team/tagged:staging -> $REG/team/tagged:staging@$d dev -> staging"
[ "$(imgtag "$REG/team/tagged:staging")" = "$d" ] || fail "staging is not dev's digest"
run promote --strategy tag -f dev -t staging "$REG/team/tagged"
expect_rc 0
expect_no_out
expect_err "promote: already promoted"
run promote --check --strategy tag -f dev -t prod "$REG/team/tagged"
expect_rc 1
run promote --strategy tag -f nope -t staging "$REG/team/tagged"
expect_rc 4
run promote --strategy tag -f dev -t staging "$REG/team/tagged:v1"
expect_rc 2
end

begin "--strategy tag SRC=DST: into another repository of the registry, an index with its platforms"
d=$(reg_seed team/app-dev rc index)
run promote --strategy tag -f rc -t prod "$REG/team/app-dev=$REG/team/app"
expect_rc 0
expect_out_text "$REG/team/app-dev $REG/team/app:prod -> $REG/team/app:prod@$d rc -> prod"
[ "$(imgtag "$REG/team/app:prod")" = "$d" ] || fail "prod is not rc's digest"
imgtag -o json "$REG/team/app:prod" | jq -r '.platforms[] | "\(.os)/\(.architecture) \(.digest)"' >"$T/pl"
[ "$(cut -d' ' -f1 "$T/pl" | tr '\n' ' ')" = "linux/amd64 linux/arm64 " ] || fail "platforms: $(cat "$T/pl")"
for p in $(cut -d' ' -f2 "$T/pl"); do
	[ "$(imgtag "$REG/team/app@$p")" = "$p" ] || fail "$p is not in team/app"
done
run promote --strategy tag -f rc -t prod "$REG/team/app-dev=$REG/team/app"
expect_rc 0
expect_err "promote: already promoted"
run promote --strategy tag -f rc -t prod "$REG/team/app-dev=other.example/team/app"
expect_rc 2
expect_err "both repositories must be in one registry"
end

begin "--raw: image: fields of plain manifests, only the values change"
git init -q --bare -b main "$T/srv.git"
git clone -q "$T/srv.git" "$T/w" 2>/dev/null
R=$T
cd "$R/w" || exit 1
mkdir -p envs/dev envs/staging
manifest() { # APP_TAG WORKER_TAG
	printf -- '---\napiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: %s/team/app:%s   # web\n        - name: worker\n          image: "%s/team/worker:%s"\n        - name: sidecar\n          image: busybox:1.36\n---\nkind: Service\n' \
	    "$REG" "$1" "$REG" "$2"
}
manifest v1.4.0 v2.0.0 >envs/dev/deploy.yaml
manifest v1.3.0 v1.9.0 >envs/staging/deploy.yaml
git add . && git commit -qm init && git push -q origin main
run promote --raw --path 'envs/{env}' -f dev -t staging
expect_rc 0
expect_out_text "$REG/team/app $REG/team/app:v1.3.0 -> $REG/team/app:v1.4.0 dev -> staging
$REG/team/worker $REG/team/worker:v1.9.0 -> $REG/team/worker:v2.0.0 dev -> staging"
manifest v1.4.0 v2.0.0 | cmp -s - envs/staging/deploy.yaml || fail "staging: $(cat envs/staging/deploy.yaml)"
end

begin "--raw with --set and --rollback: by repository, back to the previous versions"
cd "$R/w" || exit 1
run promote --raw --path 'envs/{env}' -t staging --set "$REG/team/app=v1.3.0"
expect_rc 0
expect_out_text "$REG/team/app $REG/team/app:v1.4.0 -> $REG/team/app:v1.3.0 set -> staging"
manifest v1.3.0 v2.0.0 | cmp -s - envs/staging/deploy.yaml || fail "staging: $(cat envs/staging/deploy.yaml)"
run promote --raw --path 'envs/{env}' -t staging --rollback
expect_rc 0
expect_out_text "$REG/team/app $REG/team/app:v1.3.0 -> $REG/team/app:v1.4.0 rollback -> staging"
manifest v1.4.0 v2.0.0 | cmp -s - envs/staging/deploy.yaml || fail "staging: $(cat envs/staging/deploy.yaml)"
git -C ../srv.git log -1 --format=%B main | grep -q '^Promote-Rollback-Of: ' || fail "no Promote-Rollback-Of"
end

begin "--strategy branch: deploy/dev merged into deploy/staging with trailers"
git init -q --bare -b main "$T/srv.git"
git clone -q "$T/srv.git" "$T/w" 2>/dev/null
R=$T
cd "$R/w" || exit 1
echo base >app.yaml && echo keep >staging-only.yaml
git add . && git commit -qm base && git push -q origin main main:deploy/dev main:deploy/staging
git checkout -q -b deploy/dev origin/deploy/dev
echo v2 >app.yaml && git commit -qam "dev: v2" && git push -q origin deploy/dev
git checkout -q main
run promote --check --strategy branch -f dev -t staging
expect_rc 1
run promote --strategy branch -f dev -t staging
expect_rc 0
[ "$(git -C ../srv.git show deploy/staging:app.yaml)" = v2 ] || fail "not merged"
git -C ../srv.git log -1 --format=%B deploy/staging | grep -qx "Promote-Source-Commit: $(git -C ../srv.git rev-parse deploy/dev)" ||
    fail "no Promote-Source-Commit"
[ "$(git -C ../srv.git log -1 --format=%p deploy/staging | wc -w)" -eq 2 ] || fail "not a merge commit"
run promote --strategy branch -f dev -t staging
expect_rc 0
expect_err "promote: already promoted"
end

begin "--env-branch names the environment branches"
cd "$R/w" || exit 1
git fetch -q origin
git push -q origin origin/deploy/dev:refs/heads/env/dev main:refs/heads/env/qa
run promote --strategy branch --env-branch 'env/{env}' -f dev -t qa
expect_rc 0
[ "$(git -C ../srv.git show env/qa:app.yaml)" = v2 ] || fail "env/qa not merged"
run promote --strategy branch --env-branch 'env/x' -f dev -t qa
expect_rc 2
end

begin "--strategy branch --cherry-pick: one change of deploy/dev, its author kept, -x line and trailers"
git init -q --bare -b main "$T/srv.git"
git clone -q "$T/srv.git" "$T/w" 2>/dev/null
cd "$T/w" || exit 1
echo v1 >app.yaml && echo a >flags.yaml && git add . && git commit -qm base &&
    git push -q origin main main:deploy/dev main:deploy/staging
git checkout -q -b deploy/dev origin/deploy/dev
echo v2 >app.yaml && git commit -qam "dev: app v2"
echo b >flags.yaml && GIT_AUTHOR_NAME=alice GIT_AUTHOR_EMAIL=alice@example.com git commit -qam "flags: b"
git push -q origin deploy/dev
pick=$(git rev-parse HEAD)
git checkout -q main
st0=$(git -C ../srv.git rev-parse deploy/staging)
run promote --strategy branch -f dev -t staging --cherry-pick "${pick:0:9}"
expect_rc 0
n=$(git -C ../srv.git rev-parse deploy/staging)
expect_out_text "deploy/staging ${st0:0:7} -> ${n:0:7} (deploy/dev ${pick:0:7}) dev -> staging"
[ "$(git -C ../srv.git show deploy/staging:flags.yaml)" = b ] || fail "the change is not there"
[ "$(git -C ../srv.git show deploy/staging:app.yaml)" = v1 ] || fail "more than the change came along"
[ "$(git -C ../srv.git log -1 --format='%an %P' deploy/staging)" = "alice $st0" ] || fail "author or parents"
git -C ../srv.git log -1 --format=%B deploy/staging >"$T/msg"
cat >"$T/want" <<EOF
promote(staging): flags: b

Cherry-picked ${pick:0:7} from deploy/dev into deploy/staging.
(cherry picked from commit $pick)

Promote-From: dev
Promote-To: staging
Promote-Source-Commit: $pick
Promote-Tool: promote/0.1.0

EOF
cmp -s "$T/msg" "$T/want" || fail "message: $(diff "$T/want" "$T/msg")"
run promote --strategy branch -f dev -t staging --cherry-pick "$pick"
expect_rc 0
expect_err "promote: already promoted: deploy/staging has the change of ${pick:0:7}"
run promote --strategy branch -f dev -t staging --cherry-pick "$st0"
expect_rc 0
expect_err "promote: already promoted: deploy/staging has ${st0:0:7}"
run promote --strategy branch -f dev -t staging --cherry-pick "$n"
expect_rc 4
expect_err "is not on deploy/dev; nothing was promoted"
run promote -f dev -t staging --cherry-pick "$pick"
expect_rc 2
end

begin "--strategy branch: a conflict exits 5 and names the file"
cd "$R/w" || exit 1
git checkout -q -b st origin/deploy/staging
echo staging-fix >app.yaml && git commit -qam "staging: hotfix" && git push -q origin st:deploy/staging
git checkout -q deploy/dev && echo v3 >app.yaml && git commit -qam "dev: v3" && git push -q origin deploy/dev
git checkout -q main
before=$(git -C ../srv.git rev-parse deploy/staging)
run promote --strategy branch -f dev -t staging
expect_rc 5
expect_err "  app.yaml"
[ "$(git -C ../srv.git rev-parse deploy/staging)" = "$before" ] || fail "something was pushed"
end

begin "--strategy branch: -o json, --dotenv, GITHUB_OUTPUT and the step summary as with the dir strategy"
git init -q --bare -b main "$T/srv.git"
git clone -q "$T/srv.git" "$T/w" 2>/dev/null
cd "$T/w" || exit 1
echo base >app.yaml && git add . && git commit -qm base && git push -q origin main main:deploy/dev main:deploy/staging
git checkout -q -b deploy/dev origin/deploy/dev
echo v2 >app.yaml && git commit -qam "dev: v2" && git push -q origin deploy/dev
git checkout -q main
s=$(git -C ../srv.git rev-parse deploy/dev)
b=$(git -C ../srv.git rev-parse deploy/staging)
run env TOOLKIT_CI=github GITHUB_OUTPUT="$T/gho" GITHUB_STEP_SUMMARY="$T/sum" promote --strategy branch -o json --dotenv "$T/env" -f dev -t staging
expect_rc 0
c=$(git -C ../srv.git rev-parse deploy/staging)
expect_out_text '{"changed":true,"dry_run":false,"from":"dev","to":"staging","strategy":"branch","source_commit":"'"$s"'","commit":"'"$c"'","pr":null,"images":[]}'
printf 'PROMOTE_CHANGED=true\nPROMOTE_COMMIT=%s\nPROMOTE_IMAGES_COUNT=0\n' "$c" | cmp -s - "$T/env" || fail "dotenv: $(cat "$T/env")"
printf 'changed=true\ncommit=%s\nimages=[]\n' "$c" | cmp -s - "$T/gho" || fail "GITHUB_OUTPUT: $(cat "$T/gho")"
printf '### promote dev -> staging\n\n`deploy/staging` `%s` -> `%s` (from `deploy/dev` `%s`)\n\nCommit `%s`\n\n' \
    "${b:0:7}" "${c:0:7}" "${s:0:7}" "$c" | cmp -s - "$T/sum" || fail "GITHUB_STEP_SUMMARY: $(cat "$T/sum")"
end

begin "a --dotenv file or GITHUB_OUTPUT that cannot be written is an error (exit 3), as in acd-*"
repo "$T"
cd "$T/w" || exit 1
run promote --dotenv "$T/no/such/dir/env" -f dev -t staging app
expect_rc 3
expect_out_text "app $REG/team/app:v1.3.0 -> $REG/team/app:v1.4.0 dev -> staging"
expect_err "promote: cannot write '$T/no/such/dir/env' (--dotenv): No such file or directory"
run env TOOLKIT_CI=github GITHUB_OUTPUT="$T/no/such/dir/gho" promote -f dev -t staging worker
expect_rc 3
expect_err "promote: cannot write '$T/no/such/dir/gho' (\$GITHUB_OUTPUT): No such file or directory"
end

begin "a local commit not on the remote stays on the local branch; the promotion is pushed"
repo "$T"
cd "$T/w" || exit 1
echo notes >NOTES && git add NOTES && git commit -qm "local: not pushed yet"
mine=$(git rev-parse HEAD)
run promote -f dev -t staging
expect_rc 0
expect_err "the local branch 'main' has commits that are not on the remote, so it stays where it is"
[ "$(git rev-parse HEAD)" = "$mine" ] || fail "the local commit was dropped from main"
[ "$(git -C ../srv.git show main:overlays/staging/kustomization.yaml | grep -c 'v1.4.0')" = 1 ] || fail "not promoted"
git -C ../srv.git cat-file -e main:NOTES 2>/dev/null && fail "the local commit was pushed"
[ -z "$(git status --porcelain)" ] || fail "the work tree changed: $(git status --porcelain)"
end

begin "--with-name also copies newName; only those two lines change"
repo "$T"
cd "$T/w" || exit 1
sed -i "0,/newName: .*/s||newName: mirror.example/team/app  # old mirror|" overlays/staging/kustomization.yaml
git commit -qam "staging: from the mirror" && git push -q origin main
run promote --with-name -f dev -t staging app
expect_rc 0
expect_out_text "app mirror.example/team/app:v1.3.0 -> $REG/team/app:v1.4.0 dev -> staging"
git -C ../srv.git diff main~1 main -U0 | grep '^[-+] ' >"$T/diff"
printf '%s\n' "-    newName: mirror.example/team/app  # old mirror" "-    newTag: v1.3.0     # set by CI" \
    "+    newName: $REG/team/app  # old mirror" "+    newTag: v1.4.0     # set by CI" | sort >"$T/want"
sort "$T/diff" | cmp -s - "$T/want" || fail "diff: $(cat "$T/diff")"
run promote --with-name --key .image.tag -f dev -t staging
expect_rc 2
end

begin "-S signs the commit the way git commit -S does (ssh key); git verify-commit accepts it"
repo "$T"
cd "$T/w" || exit 1
ssh-keygen -q -t ed25519 -N '' -C ci@example.com -f "$T/key"
git config gpg.format ssh
git config user.signingkey "$T/missing-key"
before=$(git -C ../srv.git rev-parse main)
run promote -S -f dev -t staging app
expect_rc 3
expect_err "signing the commit: ssh-keygen failed (exit 255)"
[ "$(git -C ../srv.git rev-parse main)" = "$before" ] || fail "an unsigned commit was pushed"
git config user.signingkey "$T/key"
run promote -S -f dev -t staging app
expect_rc 0
printf 'ci@example.com %s\n' "$(cat "$T/key.pub")" >"$T/allowed"
git -C ../srv.git -c gpg.ssh.allowedSignersFile="$T/allowed" verify-commit main 2>"$T/v" ||
    fail "verify-commit: $(cat "$T/v")"
grep -q 'Good "git" signature for ci@example.com' "$T/v" || fail "verify-commit: $(cat "$T/v")"
end

begin "--no-push commits on the local branch, from its tip; the remote stays"
repo "$T"
cd "$T/w" || exit 1
echo notes >NOTES && git add NOTES && git commit -qm "local: notes"
mine=$(git rev-parse HEAD)
before=$(git -C ../srv.git rev-parse main)
run promote --no-push -f dev -t staging app
expect_rc 0
expect_out_text "app $REG/team/app:v1.3.0 -> $REG/team/app:v1.4.0 dev -> staging"
[ "$(git rev-parse HEAD~1)" = "$mine" ] || fail "not on the local tip"
[ "$(git -C ../srv.git rev-parse main)" = "$before" ] || fail "pushed"
grep -q 'newTag: v1.4.0' overlays/staging/kustomization.yaml || fail "the work tree did not follow"
[ -z "$(git status --porcelain)" ] || fail "the work tree is dirty: $(git status --porcelain)"
run promote --no-push --pr -f dev -t staging
expect_rc 2
end

begin "each repeatable option refuses one more than its list holds, naming the limit"
many() { local opt=$1 val=$2 n=$3 i; for ((i = 0; i < n; i++)); do printf '%s\n%s\n' "$opt" "$val"; done; }
refuse() {
	local n=$1 want=$2; shift 2
	mapfile -t args < <(many "$@" "$n")
	run promote "${args[@]}" -f dev -t staging
	expect_rc 2
	expect_err "promote: $want: at most $((n - 1)) of them"
}
refuse 33 "--app (a glob matches any number)" --app 'a*'
refuse 17 --trailer --trailer K=V
refuse 17 --label --label l
refuse 9 --platform --platform linux/amd64
refuse 17 --key --key .image.tag
refuse 17 --digest-key --digest-key .image.digest
refuse 17 --repo-key --repo-key .image.repository
mapfile -t args < <(many --set app=v1 33)
run promote "${args[@]}" -t staging
expect_rc 2
expect_err "promote: --set: at most 32 of them"
end

begin "of two mistakes the first checked is named, and a --chain refusal stays exit 1"
# first_err RC LINE ARGS...: promote ARGS exits RC, its first stderr line LINE.
first_err() {
	local rc=$1 line=$2
	shift 2
	run promote "$@"
	expect_rc "$rc"
	[ "$(head -n 1 "$T/err")" = "$line" ] || fail "promote $*: $(head -n 1 "$T/err")"
}
first_err 1 "promote: --chain dev,staging: dev -> dev goes backwards; nothing was promoted" \
    -f dev -t dev --chain dev,staging
first_err 1 "promote: --chain dev,staging,prod: dev -> prod skips an environment; nothing was promoted" \
    -f dev -t prod --chain dev,staging,prod --cherry-pick x
first_err 2 "promote: --set 'bad': write [APP/]IMAGE=REF (REF: a tag, @sha256:..., or an image reference)" \
    -t staging --set bad --split
first_err 2 "promote: bad expression at column 1: unknown function 'a' (ymlset(1) lists yq's operators it knows)" \
    -f dev -t staging --key 'a[' --strategy branch
first_err 2 "promote: give -f SRC -t DST, or -t DST with --set or --rollback" -t staging ''
first_err 2 "promote: --chain a,b does not name both dev and staging" -f dev -t staging --chain a,b --steps 3
end

begin "usage errors exit 2"
run promote -f dev
expect_rc 2
run promote -f dev -t dev
expect_rc 2
run promote -f dev -t staging --rollback
expect_rc 2
run promote --semver 'x y' -f dev -t staging
expect_rc 2
run promote $(printf -- '--gate true %.0s' $(seq 17)) -f dev -t staging
expect_rc 2
expect_err "promote: --gate: at most 16 of them"
repo "$T"
cd "$T/w" || exit 1
run promote --author nobody -f dev -t staging
expect_rc 2
expect_err "invalid author 'nobody' (use 'Name <email>')"
end

done_testing
