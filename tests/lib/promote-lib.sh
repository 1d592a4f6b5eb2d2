# promote-lib.sh: what the promote --pr and hook tests share; source it
# after tests/lib/cli.sh. A clean git identity and home, no forge tokens
# or URLs from the caller, servers in $PIDS stopped at exit, and kust.
export HOME=$_t_root/home GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=ci GIT_AUTHOR_EMAIL=ci@example.com
export GIT_COMMITTER_NAME=ci GIT_COMMITTER_EMAIL=ci@example.com
unset GH_TOKEN GITHUB_TOKEN GITLAB_TOKEN GITEA_TOKEN FORGEJO_TOKEN \
    PROMOTE_TOKEN GITOPS_TOKEN GITHUB_SERVER_URL GITHUB_API_URL \
    GITHUB_GRAPHQL_URL CI_SERVER_URL CI_API_V4_URL
mkdir -p "$HOME"
PIDS=
trap 'for p in $PIDS; do kill "$p" 2>/dev/null; done; wait 2>/dev/null
    [ "$_t_failed" -eq 0 ] && rm -rf "$_t_root"' EXIT

TOKEN=ghp_s3cr3tT0ken

# kust TAG: a dev or staging overlay with one image.
kust() {
	printf 'images:\n  - name: app   # web\n    newName: r.example/team/app\n    newTag: %s\n' "$1"
}
