#!/bin/bash
# promote-pr.sh: promote --pr against a git daemon (or file://) remote and a
# loopback stand-in of each forge API (tests/lib/forge-stub.py), which checks the
# requests the way the real services do and logs them.
. "$(dirname "$0")/../lib/cli.sh"
. "$TOP/tests/lib/git-http.sh"

plan 20

# Under make check SANITIZE=1: libgit2 has no frame pointers, so only the
# slow unwinder shows the libgit2 functions tests/lib/lsan.supp names (its
# HTTP transport leaks when credentials are refused).
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0

. "$TOP/tests/lib/promote-lib.sh"

# repo DIR: DIR/org/gitops.git with overlays dev (v2) and staging (v1),
# cloned to DIR/w.
repo() {
	git init -q --bare -b main "$1/org/gitops.git"
	git clone -q "$1/org/gitops.git" "$1/w" 2>/dev/null
	mkdir -p "$1/w/overlays/dev" "$1/w/overlays/staging"
	kust v2 >"$1/w/overlays/dev/kustomization.yaml"
	kust v1 >"$1/w/overlays/staging/kustomization.yaml"
	(cd "$1/w" && git add . && git commit -qm init && git push -q origin main)
}

# daemon DIR: git daemon serving DIR on a free port; sets GITURL.
daemon() {
	local port
	port=$(free_port)
	git daemon --reuseaddr --listen=127.0.0.1 --port="$port" --base-path="$1" \
	    --export-all --enable=receive-pack "$1" >"$1/daemon.log" 2>&1 &
	PIDS="$PIDS $!"
	wait_port "$port" "git daemon" "$1/daemon.log"
	GITURL=git://127.0.0.1:$port/org/gitops.git
}

# stub KIND DIR: the forge stand-in for DIR/org/gitops.git; sets API (its
# base URL), LOG and STATE_URL.
stub() {
	python3 "$TOP/tests/lib/forge-stub.py" --kind "$1" --port-file "$2/fport" \
	    --token "$TOKEN" --git-dir "$2/org/gitops.git" --repo org/gitops \
	    >"$2/stub.out" 2>&1 &
	PIDS="$PIDS $!"
	wait_file "$2/fport" "the forge stub did not start"
	STUB=http://127.0.0.1:$(cat "$2/fport")
	LOG=$2/fport.log
	case $1 in
	github) API=$STUB ;;
	gitlab) API=$STUB/api/v4 ;;
	gitea) API=$STUB/api/v1 ;;
	esac
}

# requests: the logged requests, "METHOD PATH AUTH" a line; then empty the log.
requests() {
	jq -r '"\(.method) \(.path) \(.auth)"' "$LOG"
	: >"$LOG"
}

# field N [JQ-OPTION] JQ: a field of the Nth logged request's body.
field() {
	local n=$1
	shift
	sed -n "${n}p" "$LOG" | jq -c .body | jq -c "$@"
}

# state JQ: the stub's pull requests, filtered.
state() { curl -s "$STUB/_state" | jq -c "$1"; }

begin "GitHub: --pr pushes promote/staging/all and opens a pull request; main stays"
repo "$T"
R=$T
daemon "$R"
stub github "$R"
cd "$R/w" || exit 1
git remote set-url origin "$GITURL"
main0=$(git -C ../org/gitops.git rev-parse main)
GH_TOKEN=$TOKEN run promote --no-verify-image -f dev -t staging --pr --api-url "$API" --label promotion
expect_rc 0
expect_out_text "app r.example/team/app:v1 -> r.example/team/app:v2 dev -> staging
https://github.example/org/gitops/pull/1"
[ "$(git -C ../org/gitops.git rev-parse main)" = "$main0" ] || fail "main moved"
[ "$(git -C ../org/gitops.git rev-parse promote/staging/all~1)" = "$main0" ] ||
    fail "the work branch is not one commit on main"
[ "$(git -C ../org/gitops.git show promote/staging/all:overlays/staging/kustomization.yaml | sed -n 4p)" = "    newTag: v2" ] ||
    fail "the work branch lacks the edit"
cat >"$T/want" <<'EOF'
GET /repos/org/gitops/pulls?state=open&head=org%3Apromote%2Fstaging%2Fall&base=main ok
POST /repos/org/gitops/pulls ok
POST /repos/org/gitops/issues/1/labels ok
EOF
jq -r '"\(.accept) \(.api_version) \(.user_agent)"' "$LOG" | sort -u >"$T/hdrs"
[ "$(cat "$T/hdrs")" = "application/vnd.github+json 2022-11-28 gitops-utils/0.1.0" ] ||
    fail "headers: $(cat "$T/hdrs")"
[ "$(field 2 '[.title, .head, .base, .draft]')" = '["promote(staging): app v2 from dev","promote/staging/all","main",false]' ] ||
    fail "create body: $(field 2 .)"
field 2 -r .body | grep -qx "Promote-Image: app=r.example/team/app:v2" || fail "no trailers in the body"
[ "$(field 3 .)" = '{"labels":["promotion"]}' ] || fail "labels: $(field 3 .)"
requests >"$T/got"; cmp -s "$T/got" "$T/want" || fail "requests differ: $(cat "$T/got")"
end

begin "GitHub: a rerun pushes nothing and updates the same pull request"
cd "$R/w" || exit 1
tip=$(git -C ../org/gitops.git rev-parse promote/staging/all)
GH_TOKEN=$TOKEN run promote --no-verify-image -f dev -t staging --pr --api-url "$API" -o json
expect_rc 0
jq -c '[.changed, .commit, .pr]' "$T/out" >"$T/got"
printf '[true,"%s",{"number":1,"url":"https://github.example/org/gitops/pull/1","created":false}]\n' "$tip" |
    cmp -s - "$T/got" || fail "json: $(cat "$T/got")"
[ "$(git -C ../org/gitops.git rev-parse promote/staging/all)" = "$tip" ] || fail "pushed again"
cat >"$T/want" <<'EOF'
GET /repos/org/gitops/pulls?state=open&head=org%3Apromote%2Fstaging%2Fall&base=main ok
PATCH /repos/org/gitops/pulls/1 ok
EOF
requests >"$T/got"; cmp -s "$T/got" "$T/want" || fail "requests differ: $(cat "$T/got")"
[ "$(state length)" = 1 ] || fail "a second pull request"
end

begin "GitHub: a newer version replaces the work branch (forced, leased) and the title"
cd "$R/w" || exit 1
kust v3 >overlays/dev/kustomization.yaml
git commit -qam "dev: v3" && git push -q origin main
GH_TOKEN=$TOKEN run promote --no-verify-image -f dev -t staging --pr --api-url "$API"
expect_rc 0
[ "$(git -C ../org/gitops.git rev-parse promote/staging/all~1)" = "$(git -C ../org/gitops.git rev-parse main)" ] ||
    fail "the work branch is not on the new main"
[ "$(state '.[0].title')" = '"promote(staging): app v3 from dev"' ] || fail "title: $(state '.[0].title')"
[ "$(state length)" = 1 ] || fail "a second pull request"
end

begin "GitHub: 422 'already exists' after our lookup: the open one is found and updated"
cd "$R/w" || exit 1
: >"$LOG"
echo 1 >"$R/fport.race"
GH_TOKEN=$TOKEN run promote --no-verify-image -f dev -t staging --pr --api-url "$API" -o json
expect_rc 0
[ "$(jq -c .pr.created "$T/out")" = false ] || fail "reported as created"
cat >"$T/want" <<'EOF'
GET /repos/org/gitops/pulls?state=open&head=org%3Apromote%2Fstaging%2Fall&base=main ok
POST /repos/org/gitops/pulls ok
GET /repos/org/gitops/pulls?state=open&head=org%3Apromote%2Fstaging%2Fall&base=main ok
PATCH /repos/org/gitops/pulls/1 ok
EOF
requests >"$T/got"; cmp -s "$T/got" "$T/want" || fail "requests differ: $(cat "$T/got")"
[ "$(state length)" = 1 ] || fail "a second pull request"
end

begin "GitHub: --auto-merge=squash through GraphQL; a clean pull request is merged at its head"
cd "$R/w" || exit 1
GH_TOKEN=$TOKEN run promote --no-verify-image -f dev -t staging --pr --api-url "$API" --auto-merge=squash
expect_rc 0
[ "$(field 3 .variables)" = '{"id":"PR_kwDO0001","m":"SQUASH"}' ] || fail "graphql: $(field 3 .)"
[ "$(state '.[0].auto')" = '"SQUASH"' ] || fail "auto-merge not enabled"
: >"$LOG"
touch "$R/fport.clean"
GH_TOKEN=$TOKEN run promote --no-verify-image -f dev -t staging --pr --api-url "$API" --auto-merge=squash
expect_rc 0
tip=$(git -C ../org/gitops.git rev-parse promote/staging/all)
[ "$(field 4 -c .)" = "{\"merge_method\":\"squash\",\"sha\":\"$tip\"}" ] || fail "merge: $(field 4 .)"
cat >"$T/want" <<'EOF'
GET /repos/org/gitops/pulls?state=open&head=org%3Apromote%2Fstaging%2Fall&base=main ok
PATCH /repos/org/gitops/pulls/1 ok
POST /graphql ok
PUT /repos/org/gitops/pulls/1/merge ok
EOF
requests >"$T/got"; cmp -s "$T/got" "$T/want" || fail "requests differ: $(cat "$T/got")"
[ "$(state '.[0].merged')" = '"squash"' ] || fail "not merged"
rm -f "$R/fport.clean"
end

begin "GitHub's secondary rate limit (403 with Retry-After) is waited out; a lasting one exits 7"
cd "$R/w" || exit 1
: >"$LOG"
echo 2 >"$R/fport.ratelimit"
GH_TOKEN=$TOKEN run promote --no-verify-image -f dev -t staging --pr --api-url "$API"
expect_rc 0
expect_out_text "app r.example/team/app:v1 -> r.example/team/app:v3 dev -> staging
https://github.example/org/gitops/pull/2"
cat >"$T/want" <<'EOF'
GET /repos/org/gitops/pulls?state=open&head=org%3Apromote%2Fstaging%2Fall&base=main ok
GET /repos/org/gitops/pulls?state=open&head=org%3Apromote%2Fstaging%2Fall&base=main ok
GET /repos/org/gitops/pulls?state=open&head=org%3Apromote%2Fstaging%2Fall&base=main ok
POST /repos/org/gitops/pulls ok
EOF
requests >"$T/got"; cmp -s "$T/got" "$T/want" || fail "requests differ: $(cat "$T/got")"
echo 9 >"$R/fport.ratelimit"
GH_TOKEN=$TOKEN run promote --no-verify-image -f dev -t staging --pr --api-url "$API" --deadline 2s
expect_rc 7
expect_err "answers 403 (too many requests)"
rm -f "$R/fport.ratelimit"
end

begin "in CI: the API from GITHUB_SERVER_URL/GITHUB_API_URL (pr-url, pr-number outputs) or CI_SERVER_URL/CI_API_V4_URL"
repo "$T"
daemon "$T"
stub github "$T"
cd "$T/w" || exit 1
git remote set-url origin "$GITURL"
host=${GITURL#git://}
host=${host%%/*}
: >"$T/gh-out"
TOOLKIT_CI=github GITHUB_OUTPUT=$T/gh-out GITHUB_SERVER_URL=https://$host GITHUB_STEP_SUMMARY=$T/sum \
    GITHUB_API_URL=$API GITHUB_TOKEN=$TOKEN run promote --no-verify-image -f dev -t staging --pr
expect_rc 0
grep -qx 'Pull request \[#1\](https://github.example/org/gitops/pull/1) opened.' "$T/sum" || fail "summary: $(cat "$T/sum")"
grep -qx 'pr-url=https://github.example/org/gitops/pull/1' "$T/gh-out" || fail "outputs: $(cat "$T/gh-out")"
grep -qx 'pr-number=1' "$T/gh-out" || fail "no pr-number"
[ "$(requests | wc -l)" = 2 ] || fail "not GET + POST"
# The same on GitLab CI: CI_SERVER_URL and CI_API_V4_URL.
mkdir -p "$T/gl" && ln -s "$T/org" "$T/gl/org"
stub gitlab "$T/gl"
CI_SERVER_URL=https://$host CI_API_V4_URL=$API GITLAB_TOKEN=$TOKEN \
    run promote --no-verify-image -f dev -t staging --pr --head-branch 'promote/{to}/gl'
expect_rc 0
[ "$(jq -r '"\(.method) \(.path)"' "$LOG" | tail -1)" = "POST /api/v4/projects/org%2Fgitops/merge_requests" ] ||
    fail "GitLab CI: $(cat "$LOG")"
# Another host, no CI variables: GitLab's and Gitea's version endpoints are
# asked on the remote's host, which is no forge.
GITHUB_TOKEN=$TOKEN run promote --no-verify-image -f dev -t staging --pr
expect_rc 2
expect_err "cannot tell which forge serves $host: give --provider github|gitlab|gitea (and --api-url)"
end

begin "smart HTTP remote: PROMOTE_TOKEN serves git (basic auth) and the API; it never shows"
repo "$T"
TOKEN=s3cr3t-t0ken stub github "$T"
start_http "" org
PIDS="$PIDS $hpid"
cd "$T/w" || exit 1
git remote set-url origin "http://127.0.0.1:$hport/org/gitops.git"
PROMOTE_TOKEN=s3cr3t-t0ken run promote -v --no-verify-image -f dev -t staging --pr --api-url "$API"
expect_rc 0
git -C ../org/gitops.git rev-parse -q --verify promote/staging/all >/dev/null || fail "not pushed"
[ "$(jq -r .auth "$LOG" | sort -u)" = ok ] || fail "API auth: $(jq -r .auth "$LOG" | sort -u)"
grep -q s3cr3t-t0ken "$T/err" "$T/out" && fail "the token shows"
PROMOTE_TOKEN=wrong run promote --no-verify-image -f dev -t staging --pr --api-url "$API"
expect_rc 6
end

begin "HTTPS remote with a private CA: GIT_SSL_CAINFO or SSL_CERT_FILE trusts it"
repo "$T"
make_ca
start_http tls org
PIDS="$PIDS $hpid"
cd "$T/w" || exit 1
git remote set-url origin "https://localhost:$hport/org/gitops.git"
PROMOTE_TOKEN=s3cr3t-t0ken run promote --no-verify-image -f dev -t staging
expect_rc 6
expect_err "(for a private CA use GIT_SSL_CAINFO)"
PROMOTE_TOKEN=s3cr3t-t0ken SSL_CERT_FILE=$T/ca.crt run promote --no-verify-image -f dev -t staging
expect_rc 0
[ "$(git -C ../org/gitops.git show main:overlays/staging/kustomization.yaml | grep newTag)" = "    newTag: v2" ] ||
    fail "staging not promoted"
git clone -q ../org/gitops.git ../w2 && kust v3 >../w2/overlays/dev/kustomization.yaml &&
    git -C ../w2 commit -qam v3 && git -C ../w2 push -q origin main || fail "v3 not pushed"
PROMOTE_TOKEN=s3cr3t-t0ken GIT_SSL_CAINFO=$T/ca.crt run promote --no-verify-image -f dev -t staging
expect_rc 0
[ "$(git -C ../org/gitops.git show main:overlays/staging/kustomization.yaml | grep newTag)" = "    newTag: v3" ] ||
    fail "staging not promoted to v3"
stop_http
end

begin "GitLab: merge request with labels; 409 'already exists' -> found and updated; auto-merge at the head sha"
repo "$T"
stub gitlab "$T"
cd "$T/w" || exit 1
GITLAB_TOKEN=$TOKEN run promote --no-verify-image -f dev -t staging --pr --provider gitlab --api-url "$API" \
    --label promotion --label env::staging --title "Promote app to staging"
expect_rc 0
expect_out_text "app r.example/team/app:v1 -> r.example/team/app:v2 dev -> staging
https://gitlab.example/org/gitops/-/merge_requests/1"
[ "$(field 2 '[.source_branch, .target_branch, .title, .labels, .remove_source_branch]')" = \
    '["promote/staging/all","main","Promote app to staging","promotion,env::staging",true]' ] ||
    fail "create body: $(field 2 .)"
: >"$LOG"
echo 1 >"$T/fport.race"
GITLAB_TOKEN=$TOKEN run promote --no-verify-image -f dev -t staging --pr --provider gitlab --api-url "$API" \
    --label promotion --auto-merge=squash
expect_rc 0
tip=$(git -C ../org/gitops.git rev-parse promote/staging/all)
[ "$(field 5 -c .)" = "{\"sha\":\"$tip\",\"merge_when_pipeline_succeeds\":true,\"squash\":true}" ] ||
    fail "merge: $(field 5 .)"
[ "$(field 4 -c '[.add_labels, .title]')" = '["promotion","promote(staging): app v2 from dev"]' ] ||
    fail "update: $(field 4 .)"
cat >"$T/want" <<'EOF'
GET /api/v4/projects/org%2Fgitops/merge_requests?state=opened&source_branch=promote%2Fstaging%2Fall&target_branch=main ok
POST /api/v4/projects/org%2Fgitops/merge_requests ok
GET /api/v4/projects/org%2Fgitops/merge_requests?state=opened&source_branch=promote%2Fstaging%2Fall&target_branch=main ok
PUT /api/v4/projects/org%2Fgitops/merge_requests/1 ok
PUT /api/v4/projects/org%2Fgitops/merge_requests/1/merge ok
EOF
requests >"$T/got"; cmp -s "$T/got" "$T/want" || fail "requests differ: $(cat "$T/got")"
[ "$(state '[length, .[0].auto]')" = '[1,"squash"]' ] || fail "state: $(state .)"
touch "$T/fport.blocked"
GITLAB_TOKEN=$TOKEN run promote --no-verify-image -f dev -t staging --pr --provider gitlab --api-url "$API" \
    --auto-merge
expect_rc 5
expect_out_text "app r.example/team/app:v1 -> r.example/team/app:v2 dev -> staging
https://gitlab.example/org/gitops/-/merge_requests/1"
expect_err "enable auto-merge: GitLab will not merge it (405): 405 Method Not Allowed"
end

begin "Gitea: labels by id; 409 'already exists' -> found and updated; auto-merge Do=merge"
repo "$T"
stub gitea "$T"
cd "$T/w" || exit 1
GITEA_TOKEN=$TOKEN run promote --no-verify-image -f dev -t staging --pr --provider gitea --api-url "$API" \
    --label promotion --label missing
expect_rc 0
expect_err "org/gitops has no label 'missing': not added"
[ "$(field 4 '[.head, .base, .labels]')" = '["promote/staging/all","main",[11]]' ] || fail "create: $(field 4 .)"
: >"$LOG"
echo 2 >"$T/fport.race"
FORGEJO_TOKEN=$TOKEN run promote --no-verify-image -f dev -t staging --pr --provider forgejo --api-url "$API" \
    --auto-merge
expect_rc 0
tip=$(git -C ../org/gitops.git rev-parse promote/staging/all)
cat >"$T/want" <<'EOF'
GET /api/v1/repos/org/gitops/pulls/main/promote%2Fstaging%2Fall ok
GET /api/v1/repos/org/gitops/pulls?state=open&limit=50&page=1 ok
POST /api/v1/repos/org/gitops/pulls ok
GET /api/v1/repos/org/gitops/pulls/main/promote%2Fstaging%2Fall ok
PATCH /api/v1/repos/org/gitops/pulls/1 ok
POST /api/v1/repos/org/gitops/pulls/1/merge ok
EOF
[ "$(field 6 -c .)" = "{\"Do\":\"merge\",\"head_commit_id\":\"$tip\",\"merge_when_checks_succeed\":true,\"delete_branch_after_merge\":true}" ] ||
    fail "merge: $(field 6 .)"
requests >"$T/got"; cmp -s "$T/got" "$T/want" || fail "requests differ: $(cat "$T/got")"
[ "$(state '[length, .[0].auto]')" = '[1,"merge"]' ] || fail "state: $(state .)"
end

begin "tokens: none exits 6 naming the variables; a refused one exits 6 and never shows"
repo "$T"
stub github "$T"
cd "$T/w" || exit 1
run promote --no-verify-image -f dev -t staging --pr --api-url "$API"
expect_rc 6
expect_err "no token for the GitHub API: set PROMOTE_TOKEN or GH_TOKEN or GITHUB_TOKEN, or give --token-file"
printf 'wr0ng-t0ken\n' >"$T/tok"
run promote -v --no-verify-image -f dev -t staging --pr --api-url "$API" --token-file "$T/tok"
expect_rc 6
expect_err "GitHub refused the token (401: Bad credentials): it is wrong or expired"
grep -q wr0ng "$T/err" && fail "the token shows on stderr"
[ "$(jq -r .auth "$LOG" | sort -u)" = wrong ] || fail "the token was not sent"
PROMOTE_TOKEN=$TOKEN GH_TOKEN=nope run promote --no-verify-image -f dev -t staging --pr --api-url "$API"
expect_rc 0
end

begin "--pr asks the forge before it pushes: 401 (6), 500 (7), a hang past --deadline (124, also --require-status) push nothing"
repo "$T"
stub github "$T"
cd "$T/w" || exit 1
main0=$(git -C ../org/gitops.git rev-parse main)
# nopush WHAT: the remote has no work branch, main did not move.
nopush() {
	git -C ../org/gitops.git rev-parse --verify -q refs/heads/promote/staging/all >/dev/null &&
	    fail "$1: the work branch was pushed"
	[ "$(git -C ../org/gitops.git rev-parse main)" = "$main0" ] || fail "$1: main moved"
}
GH_TOKEN=wr0ng-t0ken run promote --no-verify-image -f dev -t staging --pr --api-url "$API"
expect_rc 6
expect_no_out
expect_err "find the pull request: GitHub refused the token (401: Bad credentials): it is wrong or expired"
nopush 401
echo 500 >"$T/fport.answer"
GH_TOKEN=$TOKEN run promote --no-verify-image -f dev -t staging --pr --api-url "$API"
expect_rc 7
expect_no_out
expect_err "find the pull request: GitHub answered 500"
nopush 500
rm "$T/fport.answer"
: >"$T/fport.hang"
GH_TOKEN=$TOKEN run timeout 60 promote --deadline 2s --no-verify-image -f dev -t staging --pr --api-url "$API"
rm "$T/fport.hang"
expect_rc 124
expect_no_out
expect_err "$STUB: no answer in time"
expect_err "(the --deadline passed)"
nopush hang
cat >"$T/want" <<'EOF'
GET /repos/org/gitops/pulls?state=open&head=org%3Apromote%2Fstaging%2Fall&base=main wrong
GET /repos/org/gitops/pulls?state=open&head=org%3Apromote%2Fstaging%2Fall&base=main ok
GET /repos/org/gitops/pulls?state=open&head=org%3Apromote%2Fstaging%2Fall&base=main ok
EOF
requests >"$T/got"; cmp -s "$T/got" "$T/want" || fail "requests differ: $(cat "$T/got")"
: >"$T/fport.hang"
GH_TOKEN=$TOKEN run timeout 60 promote --deadline 2s --require-status --no-verify-image -f dev -t staging \
    --api-url "$API"
rm "$T/fport.hang"
expect_rc 124
expect_err "(the --deadline passed)"
nopush "--require-status hang"
: >"$LOG"
GH_TOKEN=$TOKEN run promote --no-verify-image -f dev -t staging --pr --api-url "$API"
expect_rc 0
expect_out_text "app r.example/team/app:v1 -> r.example/team/app:v2 dev -> staging
https://github.example/org/gitops/pull/1"
end

begin "--strategy branch --pr: the merge commit goes to promote/staging/all, base deploy/staging"
git init -q --bare -b main "$T/org/gitops.git"
git clone -q "$T/org/gitops.git" "$T/w" 2>/dev/null
stub github "$T"
cd "$T/w" || exit 1
echo base >app.yaml && git add . && git commit -qm base && git push -q origin main main:deploy/dev main:deploy/staging
git checkout -q -b deploy/dev origin/deploy/dev
echo v2 >app.yaml && git commit -qam "dev: v2" && git push -q origin deploy/dev
git checkout -q main
st0=$(git -C ../org/gitops.git rev-parse deploy/staging)
GH_TOKEN=$TOKEN run promote --strategy branch -f dev -t staging --pr --api-url "$API"
expect_rc 0
tip=$(git -C ../org/gitops.git rev-parse promote/staging/all)
printf 'deploy/staging %.7s -> %.7s (deploy/dev %.7s) dev -> staging\nhttps://github.example/org/gitops/pull/1\n' \
    "$st0" "$tip" "$(git -C ../org/gitops.git rev-parse deploy/dev)" >"$T/want"
expect_out "$T/want"
[ "$(git -C ../org/gitops.git rev-parse deploy/staging)" = "$st0" ] || fail "deploy/staging moved"
[ "$(git -C ../org/gitops.git show promote/staging/all:app.yaml)" = v2 ] || fail "not merged"
[ "$(field 2 '[.head, .base]')" = '["promote/staging/all","deploy/staging"]' ] || fail "create: $(field 2 .)"
end

begin "--pr --dry-run: the diff and the message; nothing pushed, no API call"
repo "$T"
stub github "$T"
cd "$T/w" || exit 1
GH_TOKEN=$TOKEN run promote -v --no-verify-image -n -f dev -t staging --pr --api-url "$API"
expect_rc 0
expect_err "dry run: would push promote/staging/all and open or update its pull request into main"
grep -qx '+    newTag: v2' "$T/out" || fail "no diff"
[ -z "$(git -C ../org/gitops.git branch --list 'promote/*')" ] || fail "a branch was pushed"
[ ! -s "$LOG" ] || fail "the API was called"
end

begin "--head-branch, --app: the work branch name"
repo "$T"
stub github "$T"
cd "$T/w" || exit 1
mkdir -p apps/shop/overlays/dev apps/shop/overlays/staging
kust v5 >apps/shop/overlays/dev/kustomization.yaml
kust v4 >apps/shop/overlays/staging/kustomization.yaml
git add . && git commit -qm shop && git push -q origin main
GH_TOKEN=$TOKEN run promote --no-verify-image -f dev -t staging --path 'apps/{app}/overlays/{env}' --app shop --pr --api-url "$API"
expect_rc 0
git -C ../org/gitops.git rev-parse -q --verify promote/staging/shop >/dev/null || fail "no promote/staging/shop"
GH_TOKEN=$TOKEN run promote --no-verify-image -f dev -t staging --pr --api-url "$API" --head-branch 'release/{from}-to-{to}'
expect_rc 0
git -C ../org/gitops.git rev-parse -q --verify release/dev-to-staging >/dev/null || fail "no release/dev-to-staging"
end

begin "--split --pr: one work branch and pull request per app; a failing app does not stop the others"
repo "$T"
stub github "$T"
cd "$T/w" || exit 1
for a in cart shop web; do
	mkdir -p apps/$a/overlays/dev apps/$a/overlays/staging
	kust v2 >apps/$a/overlays/dev/kustomization.yaml
	kust v1 >apps/$a/overlays/staging/kustomization.yaml
done
rm apps/web/overlays/staging/kustomization.yaml
git add -A && git commit -qm apps && git push -q origin main
GH_TOKEN=$TOKEN run promote --no-verify-image -f dev -t staging --path 'apps/{app}/overlays/{env}' --app '*' --split --pr --api-url "$API"
expect_rc 4
expect_out_text "cart app r.example/team/app:v1 -> r.example/team/app:v2 dev -> staging
https://github.example/org/gitops/pull/1
shop app r.example/team/app:v1 -> r.example/team/app:v2 dev -> staging
https://github.example/org/gitops/pull/2"
expect_err "web: "
[ "$(state '[.[] | [.number, .head, .base]]')" = '[[1,"promote/staging/cart","main"],[2,"promote/staging/shop","main"]]' ] ||
    fail "pull requests: $(state .)"
[ "$(git -C ../org/gitops.git show promote/staging/shop:apps/cart/overlays/staging/kustomization.yaml | sed -n 4p)" = "    newTag: v1" ] ||
    fail "shop's branch changed cart"
end

# report SHA KIND NAME STATE: what a CI system would tell the forge.
report() {
	curl -s -d "{\"sha\":\"$1\",\"kind\":\"$2\",\"name\":\"$3\",\"state\":\"$4\"}" "$STUB/_status" >/dev/null
}

begin "--require-status: GitHub statuses and check runs of the source commit, all green or one named"
repo "$T"
stub github "$T"
cd "$T/w" || exit 1
src=$(git rev-parse HEAD)
main0=$(git -C ../org/gitops.git rev-parse main)
export GH_TOKEN=$TOKEN
run promote --no-verify-image -f dev -t staging --require-status --provider github --api-url "$API"
expect_rc 1
expect_err "--require-status: ${src:0:12} has no status, check or pipeline on GitHub; nothing was promoted"
report "$src" status ci/build success
report "$src" check e2e in_progress
run promote --no-verify-image -f dev -t staging --require-status --api-url "$API"
expect_rc 1
expect_err "--require-status: ${src:0:12} is not green on GitHub: e2e in_progress; nothing was promoted"
report "$src" check lint completed/failure
run promote --no-verify-image -f dev -t staging --require-status --api-url "$API"
expect_rc 1
expect_err "is not green on GitHub: e2e in_progress, lint failure; nothing"
[ "$(git -C ../org/gitops.git rev-parse main)" = "$main0" ] || fail "something was pushed"
run promote --no-verify-image -f dev -t staging --require-status=ci/build --api-url "$API"
expect_rc 0
[ "$(git -C ../org/gitops.git rev-parse main~1)" = "$main0" ] || fail "not promoted"
printf '%s\n' "GET /repos/org/gitops/commits/$src/status ok" \
    "GET /repos/org/gitops/commits/$src/check-runs?per_page=100 ok" >"$T/want"
tail -2 "$LOG" | jq -r '"\(.method) \(.path) \(.auth)"' | cmp -s - "$T/want" || fail "requests differ"
unset GH_TOKEN
end

begin "--require-status: GitLab's newest pipeline, Gitea's statuses"
repo "$T"
stub gitlab "$T"
cd "$T/w" || exit 1
src=$(git rev-parse HEAD)
report "$src" pipeline x success
report "$src" pipeline x failed
GITLAB_TOKEN=$TOKEN run promote --no-verify-image -f dev -t staging --require-status --api-url "$API"
expect_rc 1
expect_err "is not green on GitLab: pipeline failed"
report "$src" pipeline x success
GITLAB_TOKEN=$TOKEN run promote --no-verify-image -f dev -t staging --require-status --api-url "$API"
expect_rc 0
repo "$T/2"
stub gitea "$T/2"
cd "$T/2/w" || exit 1
src=$(git rev-parse HEAD)
report "$src" status ci/woodpecker failure
GITEA_TOKEN=$TOKEN run promote --no-verify-image -f dev -t staging --require-status --api-url "$API"
expect_rc 1
expect_err "is not green on Gitea: ci/woodpecker failure"
end

begin "usage: PR options without --pr, --pr with --check or tag, a bad --auto-merge, a local remote without --api-url"
repo "$T"
cd "$T/w" || exit 1
run promote -f dev -t staging --label x
expect_rc 2
run promote -f dev -t staging --pr --check
expect_rc 2
run promote -f dev -t staging --pr --auto-merge=fast
expect_rc 2
run promote -f dev -t staging --pr --strategy tag r.example/app
expect_rc 2
GH_TOKEN=$TOKEN run promote --no-verify-image -f dev -t staging --pr
expect_rc 2
expect_err "the remote is on this machine: name the forge with --provider and --api-url"
end

done_testing
