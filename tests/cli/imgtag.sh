#!/bin/bash
# imgtag.sh: imgtag and the oci plugin against Debian's docker-registry on
# loopback: anonymous, htpasswd basic auth and token auth, each over HTTP
# and HTTPS with a throw-away CA; and the plugin loader's refusals.
. "$(dirname "$0")/../lib/cli.sh"
. "$TOP/tests/lib/registry.sh"

plan 60

export GITOPS_PLUGIN_PATH=$TOP/lib/gitops-utils/plugins
export HOME=$_t_root/home
unset DOCKER_CONFIG REGISTRY_AUTH_FILE XDG_RUNTIME_DIR XDG_CONFIG_HOME XDG_CACHE_HOME
mkdir -p "$HOME"
trap 'reg_stop; [ "$_t_failed" -eq 0 ] && rm -rf "$_t_root"' EXIT

# with_pw CMD...: CMD with the test password on standard input.
with_pw() { echo "$REG_PASS" | "$@"; }
CREDS=(--username ci --password-stdin)

# start MODE [tls]: a registry with three images; bail out when it fails.
start() {
	reg_start "$_t_root/reg-$1${2:-}" "$1" "${2:-}" || {
		echo "Bail out! the $1 ${2:-} registry did not start: $(tail -c 300 "$_t_root/reg-$1${2:-}/registry.log")"
		exit 1
	}
	APP=$(reg_seed demo/app v1.2.0) && MULTI=$(reg_seed demo/multi v1 index) &&
	    DOCKER=$(reg_seed demo/docker v1 docker) || {
		echo "Bail out! seeding the $1 registry failed"
		exit 1
	}
}

# Every auth mode over HTTP and HTTPS: resolve, retag, copy across repositories.
for mode in anon basic token; do
	for tls in "" tls; do
		reg_stop
		start "$mode" "$tls"
		x=()
		[ -n "$tls" ] && x=(--https --ca-file "$REG_CA")
		c=()
		[ "$mode" != anon ] && c=("${CREDS[@]}")
		name="$mode over ${tls:+https}${tls:-http}"

		begin "$name: a tag resolves to the sha256 of the manifest bytes"
		run with_pw imgtag "${c[@]}" "${x[@]}" "$REG/demo/app:v1.2.0"
		expect_rc 0
		expect_out_text "$APP"
		[ "$APP" = "sha256:$(sha256sum "$REG_DIR/m-demo_app-oci.json" | cut -d' ' -f1)" ] ||
		    fail "the seed's digest is not the sha256 of its bytes"
		end

		begin "$name: a copy to another repository mounts the blobs, same digest"
		run with_pw imgtag "${c[@]}" "${x[@]}" --copy "$REG/demo/app:v1.2.0" "$REG/prod/app:v1.2.0"
		expect_rc 0
		expect_out_text "$APP"
		run with_pw imgtag "${c[@]}" "${x[@]}" "$REG/prod/app:v1.2.0"
		expect_out_text "$APP"
		end
	done
done

# The last registry of the loop is token over https.
begin "no --ca-file: SSL_CERT_FILE, CURL_CA_BUNDLE (first) or SSL_CERT_DIR names the CA"
run with_pw imgtag "${CREDS[@]}" --https "$REG/demo/app:v1.2.0"
expect_rc 6
expect_err "imgtag: https://$REG: TLS: SSL certificate problem: unable to get local issuer certificate; trust its CA with --ca-file or SSL_CERT_FILE (or, knowingly, --insecure)"
# A setting that names no readable bundle or directory is the user's: 2.
run with_pw env SSL_CERT_FILE="$T/none.pem" imgtag "${CREDS[@]}" --https "$REG/demo/app:v1.2.0"
expect_rc 2
expect_no_out
expect_err "imgtag: cannot read the CA bundle '$T/none.pem' (from SSL_CERT_FILE): No such file or directory"
run with_pw env CURL_CA_BUNDLE=/dev/null imgtag "${CREDS[@]}" --https "$REG/demo/app:v1.2.0"
expect_rc 2
expect_err "imgtag: the CA bundle '/dev/null' (from CURL_CA_BUNDLE) is not a file of PEM certificates"
echo 'not a certificate' >junk.pem
run with_pw env SSL_CERT_FILE="$T/junk.pem" imgtag "${CREDS[@]}" --https "$REG/demo/app:v1.2.0"
expect_rc 2
expect_err "imgtag: https://$REG: TLS: the CA bundle '$T/junk.pem' (from SSL_CERT_FILE) holds no certificate it can use (error setting certificate file: $T/junk.pem)"
for v in SSL_CERT_FILE CURL_CA_BUNDLE; do
	run with_pw env "$v=$REG_CA" imgtag "${CREDS[@]}" --https "$REG/demo/app:v1.2.0"
	expect_rc 0
	expect_out_text "$APP"
done
mkdir certs && cp "$REG_CA" certs/ && openssl rehash certs
run with_pw env SSL_CERT_DIR="$T/certs" imgtag "${CREDS[@]}" --https "$REG/demo/app:v1.2.0"
expect_rc 0
expect_out_text "$APP"
# curl's order: CURL_CA_BUNDLE before SSL_CERT_FILE, --ca-file before both.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout other.key -out other.pem -days 2 -subj /CN=other-ca 2>/dev/null
run with_pw env CURL_CA_BUNDLE="$T/other.pem" SSL_CERT_FILE="$REG_CA" imgtag "${CREDS[@]}" --https "$REG/demo/app:v1.2.0"
expect_rc 6
expect_err "; the CAs of CURL_CA_BUNDLE '$T/other.pem' do not sign its certificate: name one that does (or, knowingly, use --insecure)"
run with_pw env CURL_CA_BUNDLE="$T/other.pem" imgtag "${CREDS[@]}" --https --ca-file "$REG_CA" "$REG/demo/app:v1.2.0"
expect_rc 0
end

# The rest on one registry per case.
reg_stop
start anon

begin "a missing tag exits 4"
run imgtag "$REG/demo/app:9.9.9"
expect_rc 4
expect_no_out
expect_err "imgtag: $REG/demo/app:9.9.9: no such manifest (no such tag or repository)"
end

begin "a digest reference resolves to itself"
run imgtag "$REG/demo/app@$APP"
expect_rc 0
expect_out_text "$APP"
end

begin "retag within a repository: the new tag has the same digest"
run imgtag --copy "$REG/demo/app:v1.2.0" "$REG/demo/app:staging"
expect_rc 0
expect_out_text "$APP"
run imgtag "$REG/demo/app:staging"
expect_out_text "$APP"
end

begin "an OCI index copies to another repository with every platform"
run imgtag --copy "$REG/demo/multi:v1" "$REG/prod/multi:v1"
expect_rc 0
expect_out_text "$MULTI"
run imgtag -o json "$REG/prod/multi:v1"
expect_rc 0
a=$(jq -r '.manifests[0].digest' "$REG_DIR/index-demo_multi.json")
b=$(jq -r '.manifests[1].digest' "$REG_DIR/index-demo_multi.json")
expect_out_text '{"digest":"'$MULTI'","mediaType":"application/vnd.oci.image.index.v1+json","platforms":[{"architecture":"amd64","digest":"'$a'","os":"linux"},{"architecture":"arm64","digest":"'$b'","os":"linux","variant":"v8"}],"ref":"'$REG'/prod/multi:v1","size":'$(stat -c %s "$REG_DIR/index-demo_multi.json")'}'
end

begin "a Docker manifest list copies to another repository whole"
DL=$(reg_seed demo/dlist v1 dockerlist)
run imgtag --copy "$REG/demo/dlist:v1" "$REG/prod/dlist:v1"
expect_rc 0
expect_out_text "$DL"
run imgtag -o json "$REG/prod/dlist:v1"
jq -e '.mediaType == "application/vnd.docker.distribution.manifest.list.v2+json" and (.platforms | length) == 2' "$T/out" >/dev/null ||
    fail "not the whole list: $(cat "$T/out")"
end

begin "a Docker schema 2 manifest keeps its media type"
run imgtag -o json "$REG/demo/docker:v1"
expect_rc 0
expect_out_text '{"digest":"'$DOCKER'","mediaType":"application/vnd.docker.distribution.manifest.v2+json","ref":"'$REG'/demo/docker:v1","size":'$(stat -c %s "$REG_DIR/m-demo_docker-docker.json")'}'
end

begin "--list sorts; --semver and --latest pick versions numerically"
for t in v1.10.0 v1.9.3 v2.0.0-rc.1 v2.0.0 latest 1.2.10; do
	imgtag --copy "$REG/demo/app:v1.2.0" "$REG/demo/app:$t" >/dev/null || fail "seeding $t"
done
run imgtag --list "$REG/demo/app"
expect_rc 0
printf '%s\n' 1.2.10 latest staging v1.10.0 v1.2.0 v1.9.3 v2.0.0 v2.0.0-rc.1 >"$T/want"
expect_out "$T/want"
run imgtag --list --semver '^1.2' "$REG/demo/app"
printf '%s\n' v1.2.0 1.2.10 v1.9.3 v1.10.0 >"$T/want"
expect_out "$T/want"
run imgtag --list --latest "$REG/demo/app"
expect_out_text v2.0.0
run imgtag --list --latest --semver '>=1.9.0 <2' "$REG/demo/app"
expect_out_text v1.10.0
run imgtag --list --semver '>=3' "$REG/demo/app"
expect_rc 1
run imgtag --list --semver 'nonsense' "$REG/demo/app"
expect_rc 2
end

begin "--list of a repository that does not exist exits 4"
run imgtag --list "$REG/no/such"
expect_rc 4
end

begin "copying between registries is refused with a reason"
run imgtag --copy "$REG/demo/app:v1.2.0" "ghcr.io/org/app:v1"
expect_rc 2
expect_err "copying between registries needs the layers moved"
end

begin "a bad reference is a usage error that says what is wrong"
run imgtag "$REG/Demo/app:v1"
expect_rc 2
expect_err "bad repository name component 'Demo'"
run imgtag "$REG/demo/app"
expect_rc 2
expect_err "give a tag (:TAG) or a digest (@sha256:...)"
end

begin "a registry that is down exits 7"
port=$(free_port)
run imgtag "127.0.0.1:$port/demo/app:v1"
expect_rc 7
end

# Loader: refusals are warned about and the oci plugin takes over.
begin "the loader skips bad plugins, names them, and falls back to oci"
mkdir -p "$T/plugins"
cp "$TOP/obj/test-plugins/badabi.so" "$TOP/obj/test-plugins/noentry.so" "$T/plugins/"
cp "$TOP/obj/test-plugins/special.so" "$T/plugins/writable.so"
chmod 0757 "$T/plugins/writable.so"
run env GITOPS_PLUGIN_PATH="$T/plugins:$TOP/lib/gitops-utils/plugins" imgtag -v "$REG/demo/app:v1.2.0"
expect_rc 0
expect_out_text "$APP"
expect_err "$T/plugins/badabi.so: not loaded: plugin ABI 2.0, this build needs 1.x"
expect_err "$T/plugins/noentry.so: not loaded: no gitops_registry_plugin_v1 symbol"
expect_err "$T/plugins/writable.so: not loaded: writable by others (mode 0757)"
expect_err "$REG: through the oci plugin"
end

begin "a plugin whose match() takes the host is picked over oci"
mkdir -p "$T/plugins"
cp "$TOP/obj/test-plugins/special.so" "$T/plugins/"
run env GITOPS_PLUGIN_PATH="$T/plugins:$TOP/lib/gitops-utils/plugins" imgtag special.test/demo/app:v1
expect_rc 3
expect_err "imgtag: the special plugin answered"
end

begin "without the oci plugin there is a clear error"
run env GITOPS_PLUGIN_PATH="$T" imgtag "$REG/demo/app:v1.2.0"
expect_rc 3
expect_err "the 'oci' plugin is not in $T"
end

# Auth failures.
reg_stop
start basic

begin "basic auth: no credentials exits 6 and says how to give them"
run imgtag "$REG/demo/app:v1.2.0"
expect_rc 6
expect_err "wants a user name and password"
end

begin "basic auth: a wrong password exits 6"
run sh -c 'echo wrong | imgtag --username ci --password-stdin "$0"' "$REG/demo/app:v1.2.0"
expect_rc 6
end

begin "credentials come from ~/.docker/config.json"
mkdir -p "$HOME/.docker"
printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$REG" "$(printf 'ci:s3cret' | base64)" >"$HOME/.docker/config.json"
run imgtag -o json "$REG/demo/app:v1.2.0"
expect_rc 0
rm -f "$HOME/.docker/config.json"
end

begin "credentials come from a docker credential helper"
mkdir -p "$T/bin" "$HOME/.docker"
printf '#!/bin/sh\nread server\n[ "$server" = "%s" ] || exit 1\necho "{\\"ServerURL\\":\\"$server\\",\\"Username\\":\\"ci\\",\\"Secret\\":\\"s3cret\\"}"\n' "$REG" >"$T/bin/docker-credential-fake"
chmod +x "$T/bin/docker-credential-fake"
printf '{"credHelpers":{"%s":"fake"}}\n' "$REG" >"$HOME/.docker/config.json"
run env PATH="$T/bin:$PATH" imgtag "$REG/demo/app:v1.2.0"
expect_rc 0
expect_out_text "$APP"
rm -f "$HOME/.docker/config.json"
end

reg_stop
start token

begin "token auth: a wrong password exits 6"
run sh -c 'echo wrong | imgtag --username ci --password-stdin "$0"' "$REG/demo/app:v1.2.0"
expect_rc 6
expect_err "the token server refused the credentials (401)"
end

begin "token auth: the token is cached (0600) and reused by the next run"
rm -rf "$HOME/.cache"
n0=$(wc -l <"$REG_DIR/tport.log")
with_pw imgtag "${CREDS[@]}" "$REG/demo/app:v1.2.0" >/dev/null
n1=$(wc -l <"$REG_DIR/tport.log")
run with_pw imgtag "${CREDS[@]}" "$REG/demo/app:v1.2.0"
expect_rc 0
expect_out_text "$APP"
n2=$(wc -l <"$REG_DIR/tport.log")
[ $((n1 - n0)) -eq 1 ] || fail "first run: $((n1 - n0)) token requests"
[ "$n2" -eq "$n1" ] || fail "second run asked the token server again"
[ "$(stat -c %a "$HOME"/.cache/gitops-utils/token-*)" = 600 ] || fail "cache file mode"
run with_pw imgtag "${CREDS[@]}" --no-token-cache "$REG/demo/app:v1.2.0"
[ "$(wc -l <"$REG_DIR/tport.log")" -eq $((n2 + 1)) ] || fail "--no-token-cache used the cache"
end

begin "the password never shows, even with -v"
run with_pw imgtag -v "${CREDS[@]}" --no-token-cache "$REG/demo/app:v1.2.0"
expect_rc 0
grep -q "$REG_PASS" "$T/err" "$T/out" && fail "the password leaked"
end

begin "GitHub Actions: the token server's token is masked once, the password is not announced"
run with_pw env GITHUB_ACTIONS=true imgtag "${CREDS[@]}" --no-token-cache "$REG/demo/app:v1.2.0"
expect_rc 0
[ "$(grep -c '^::add-mask::' "$T/err")" -eq 1 ] || fail "add-mask lines: $(cat "$T/err")"
grep -q "$REG_PASS" "$T/err" && fail "the password was announced"
end

reg_stop
start anon tls

begin "HTTPS without the CA exits 6"
run imgtag --https "$REG/demo/app:v1.2.0"
expect_rc 6
expect_err "TLS"
run imgtag --https --insecure "$REG/demo/app:v1.2.0"
expect_rc 0
expect_err "TLS certificates are not verified (--insecure)"
end

begin "plain HTTP to a registry that speaks TLS exits 7 at once, naming the fix"
# Loopback registries are plain HTTP by default; this one is not.
run imgtag -v "$REG/demo/app:v1.2.0"
expect_rc 7
expect_no_out
expect_err "imgtag: http://$REG speaks TLS, not plain HTTP (it answers a bare HTTP/1.0 400, as Go's TLS servers do); use --https"
[ "$(grep -c " http://$REG/" "$T/err")" -eq 1 ] || fail "retried: $(cat "$T/err")"
run imgtag --plain-http "$REG/demo/app:v1.2.0"
expect_rc 7
expect_err "imgtag: http://$REG speaks TLS, not plain HTTP (it answers a bare HTTP/1.0 400, as Go's TLS servers do); drop --plain-http"
end

begin "tag pages are followed through relative and absolute Link headers"
reg_stop
ST=$_t_root/stub
mkdir -p "$ST"
python3 "$TOP/tests/lib/registry-stub.py" --port-file "$ST/port" >"$ST/out" 2>&1 &
REG_PIDS="$REG_PIDS $!"
wait_file "$ST/port" "the stub did not start"
S=127.0.0.1:$(cat "$ST/port")
run imgtag --list "$S/paged"
expect_rc 0
printf '%s\n' a2 b1 c3 v1.0.0 v1.10.0 v1.9.0 y z >"$T/want"
expect_out "$T/want"
[ "$(grep -c tags/list "$ST/port.log")" -eq 3 ] || fail "not three pages"
end

begin "HTTPS to a registry that speaks plain HTTP exits 7 at once, naming the fix"
run imgtag -v --https "$S/paged:v1"
expect_rc 7
expect_no_out
expect_err "imgtag: https://$S speaks plain HTTP, not TLS (wrong version number); drop --https"
[ "$(grep -c " https://$S/" "$T/err")" -eq 1 ] || fail "retried: $(cat "$T/err")"
end

begin "a registry that stays at 429 exits 7 and shows its rate limits"
run imgtag "$S/limited:v1"
expect_rc 7
expect_err "ratelimit-remaining: 0;w=21600"
end

begin "429 with Retry-After is waited out; the four manifest types are sent"
run imgtag "$S/busy:v1"
expect_rc 0
[ "$(grep '"HEAD"' "$ST/port.log" | grep -c /v2/busy/)" -eq 3 ] || fail "expected 2 refusals and a success"
end

# expect_err_is LINE: stderr is LINE and nothing else.
expect_err_is() {
	printf '%s\n' "$1" >"$T/want-err"
	cmp -s "$T/err" "$T/want-err" || fail "stderr differs: $(diff -u "$T/want-err" "$T/err" | head -5)"
}

# What the stub's /v2/bad/* answer, and what their bytes hash to.
MD=sha256:14e1dcf76f231da66b333dcd5b2a465ff11e814c9379ee7c5287a3c306e2f4ae
OTHER=sha256:a3ead5eedad5df82318c51685dbc1c147a36d1ff8584fc82de6b08d0bf63a795
ZEROS=sha256:$(printf '1%.0s' $(seq 64))

begin "a 200 whose body is not JSON is no manifest: exit 3, no digest"
run imgtag "$S/bad/notjson:v1"
expect_rc 3
expect_no_out
expect_err_is "imgtag: $S/bad/notjson:v1: the manifest is not JSON (byte 40)"
run imgtag --copy "$S/bad/notjson:v1" "$S/bad/notjson:v2"
expect_rc 3
expect_err_is "imgtag: $S/bad/notjson:v1: the manifest is not JSON (byte 40)"
grep -q '"PUT"' "$ST/port.log" && fail "a copy wrote what is not a manifest"
end

begin "10 MB of valid JSON is refused as larger than a manifest can be"
run imgtag "$S/bad/huge:v1"
expect_rc 3
expect_no_out
expect_err_is "imgtag: $S/bad/huge:v1: the manifest is 10281049 bytes, more than the 4 MiB a registry has to accept; refusing it"
end

begin "an answer that never ends stops at 16 MB (not read into memory whole)"
run imgtag "$S/endless:v1"
expect_rc 3
expect_no_out
expect_err_is "imgtag: http://$S: the answer is larger than 16 MB"
end

begin "a Docker-Content-Digest other than the bytes' sha256 exits 3"
run imgtag "$S/bad/wrongdigest:v1"
expect_rc 3
expect_no_out
expect_err_is "imgtag: $S/bad/wrongdigest:v1: the registry names digest $OTHER but the manifest's bytes hash to $MD"
end

begin "bytes that do not hash to the digest asked for exit 3"
run imgtag "$S/bad/digest@$ZEROS"
expect_rc 3
expect_no_out
expect_err_is "imgtag: $S/bad/digest@$ZEROS: the manifest's bytes hash to $MD, not to the digest asked for"
run imgtag "$S/bad/digest@$MD"
expect_rc 0
expect_out_text "$MD"
end

begin "a Content-Type that is no manifest type exits 3 (HEAD and GET)"
run imgtag "$S/bad/mediatype:v1"
expect_rc 3
expect_no_out
expect_err_is "imgtag: $S/bad/mediatype:v1: Content-Type 'application/json' is not a manifest type (OCI or Docker image manifest or index)"
run imgtag --copy "$S/bad/mediatype:v1" "$S/bad/mediatype:v2"
expect_rc 3
expect_err_is "imgtag: $S/bad/mediatype:v1: Content-Type 'application/json' is not a manifest type (OCI or Docker image manifest or index)"
end

begin "an image manifest without config exits 3"
run imgtag "$S/bad/noconfig:v1"
expect_rc 3
expect_no_out
expect_err_is "imgtag: $S/bad/noconfig:v1: the manifest has no 'config' with a valid digest"
end

begin "a 5,000-character password and a 10,000-character token go whole"
run sh -c 'printf "%05000d\n" 0 | tr 0 p | imgtag --username u --password-stdin "$0"' "$S/longpw:v1"
expect_rc 0
expect_out_text "$MD"
run imgtag --no-token-cache "$S/bigtoken:v1"
expect_rc 0
expect_out_text "$MD"
end

begin "a listed name that is not a tag is refused, not printed"
run imgtag --list "$S/badtags"
expect_rc 3
expect_no_out
expect_err_is "imgtag: tags of $S/badtags: the registry lists 'v1\x0av2', which is not a tag"
end

begin "a 3,000-character page token in Link is followed whole"
run imgtag --list "$S/longlink"
expect_rc 0
printf '%s\n' a b >"$T/want"
expect_out "$T/want"
end

# timeout: before the fix each of these paged on for minutes.
begin "a Link that points back to its own page is refused, not followed"
run timeout 20 imgtag --list "$S/loop"
expect_rc 3
expect_no_out
expect_err_is "imgtag: tags of $S/loop: the registry's pagination does not advance (its next page, http://$S/v2/loop/tags/list?n=1&last=v1, was read already)"
[ "$(grep -c /v2/loop/tags/list "$ST/port.log")" -eq 2 ] || fail "not two pages: $(grep -c /v2/loop/ "$ST/port.log")"
end

begin "Links that go back to an earlier page are refused"
run timeout 20 imgtag --list "$S/loop2"
expect_rc 3
expect_no_out
expect_err_is "imgtag: tags of $S/loop2: the registry's pagination does not advance (its next page, http://$S/v2/loop2/tags/list?n=1&last=b, was read already)"
end

begin "more than 1,000,000 tags are refused, not cut"
run timeout 120 imgtag --list "$S/many"
expect_rc 3
expect_no_out
expect_err_is "imgtag: tags of $S/many: more than 1000000 tags; refused rather than listing a part"
end

# The cloud plugins, against a TLS stand-in for their hosts (reached with
# GITOPS_CONNECT_TO) in front of a basic-auth registry with their accounts.
reg_stop
REG_EXTRA_USERS="x-access-token:ghp_test oauth2accesstoken:ya29.test hubuser:dckr_test AWS:ecr-pass 00000000-0000-0000-0000-000000000000:acr-refresh" start basic
for r in org/app proj/repo/app library/alpine team/app; do
	reg_seed "$r" v1 >/dev/null || echo "Bail out! seeding $r"
done
CLOUD=$(reg_seed team/app v1)
CD=$_t_root/cloud
mkdir -p "$CD"
hosts="ghcr.io europe-docker.pkg.dev registry-1.docker.io 123456789012.dkr.ecr.us-east-1.amazonaws.com myreg.azurecr.io"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=cloud-ca \
    -keyout "$CD/ca.key" -out "$CD/ca.pem" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj /CN=cloud -keyout "$CD/srv.key" \
    -out "$CD/srv.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1%s\n' "$(printf ',DNS:%s' $hosts)" >"$CD/ext"
openssl x509 -req -in "$CD/srv.csr" -CA "$CD/ca.pem" -CAkey "$CD/ca.key" \
    -CAcreateserial -days 2 -extfile "$CD/ext" -out "$CD/srv.pem" 2>/dev/null
STUB_AWS_KEY=AKIATEST STUB_AWS_SECRET=aws-secret STUB_ECR_PASSWORD=ecr-pass \
    STUB_AZURE_CLIENT_ID=cid STUB_AZURE_CLIENT_SECRET=csecret \
    STUB_ACR_REFRESH=acr-refresh python3 "$TOP/tests/lib/cloud-stub.py" \
    --port-file "$CD/port" --tls "$CD/srv.pem" "$CD/srv.key" \
    --upstream "$REG_URL" >"$CD/out" 2>&1 &
REG_PIDS="$REG_PIDS $!"
wait_file "$CD/port" "the cloud stand-in did not start"
CP=$(cat "$CD/port")
export GITOPS_CONNECT_TO=$(for h in $hosts; do printf '%s:443:127.0.0.1:%s,' "$h" "$CP"; done)
# imgtag through the stand-in, trusting its CA.
C=(imgtag -v --ca-file "$CD/ca.pem")

begin "ghcr: GITHUB_TOKEN is the password"
run env GITHUB_TOKEN=ghp_test "${C[@]}" ghcr.io/org/app:v1
expect_rc 0
expect_out_text "$(reg_seed org/app v1)"
expect_err "ghcr.io: through the ghcr plugin"
run env -u GITHUB_TOKEN -u GH_TOKEN "${C[@]}" ghcr.io/org/app:v1
expect_rc 6
end

begin "gar: an access token from the environment or a command"
run env GOOGLE_OAUTH_ACCESS_TOKEN=ya29.test "${C[@]}" europe-docker.pkg.dev/proj/repo/app:v1
expect_rc 0
expect_err "through the gar plugin"
run env GITOPS_GAR_TOKEN_COMMAND="printf ya29.test" "${C[@]}" europe-docker.pkg.dev/proj/repo/app:v1
expect_rc 0
end

begin "dockerhub: library/ names, the API host, DOCKERHUB_TOKEN"
run env DOCKERHUB_USERNAME=hubuser DOCKERHUB_TOKEN=dckr_test "${C[@]}" alpine:v1
expect_rc 0
expect_err "docker.io: through the dockerhub plugin"
grep -q '"path": "/v2/library/alpine/manifests/v1", "host": "registry-1.docker.io' "$CD/port.log" ||
    fail "not registry-1.docker.io/v2/library/alpine"
end

begin "ecr: GetAuthorizationToken signed with SigV4, checked by the stand-in"
run env AWS_ACCESS_KEY_ID=AKIATEST AWS_SECRET_ACCESS_KEY=aws-secret \
    AWS_ENDPOINT_URL_ECR=https://127.0.0.1:$CP "${C[@]}" 123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app:v1
expect_rc 0
expect_out_text "$CLOUD"
grep '"kind": "ecr"' "$CD/port.log" | tail -1 | grep -q '"ok": true' || fail "the signature was not accepted"
run env AWS_ACCESS_KEY_ID=AKIATEST AWS_SECRET_ACCESS_KEY=wrong \
    AWS_ENDPOINT_URL_ECR=https://127.0.0.1:$CP "${C[@]}" 123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app:v1
expect_rc 6
expect_err "ECR GetAuthorizationToken answered 403"
grep '"kind": "ecr"' "$CD/port.log" | tail -1 | grep -q '"why": "signature mismatch"' || fail "a wrong secret passed"
end

begin "acr: Azure AD client credentials, then the registry's token exchange"
run env AZURE_TENANT_ID=tenant AZURE_CLIENT_ID=cid AZURE_CLIENT_SECRET=csecret \
    AZURE_AUTHORITY_HOST=https://127.0.0.1:$CP "${C[@]}" myreg.azurecr.io/team/app:v1
expect_rc 0
expect_out_text "$CLOUD"
grep '"kind": "acr"' "$CD/port.log" | tail -1 | grep -q '"ok": true' || fail "no exchange"
grep -q "csecret" "$T/err" && fail "the client secret leaked"
end
unset GITOPS_CONNECT_TO

begin "usage errors exit 2"
run imgtag
expect_rc 2
run imgtag --copy a
expect_rc 2
run imgtag --latest x/y:z
expect_rc 2
end

done_testing
