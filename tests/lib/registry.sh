# registry.sh: a loopback registry for tests and the demo (source it).
# Debian's docker-registry (CNCF distribution 2.8), with no auth, htpasswd
# basic auth or token auth (tests/lib/tokenserver.py), over HTTP or HTTPS with a
# throw-away CA; images are seeded with curl (no Docker daemon).
#   reg_start DIR anon|basic|token [tls]   sets REG (127.0.0.1:PORT), REG_URL,
#                                          REG_CA, REG_PIDS; returns 1 on failure
#   reg_seed REPO TAG [oci|docker|index|dockerlist]  push a tiny image or a
#                                          two-platform index; prints its digest
#   reg_stop                               stop what reg_start started
# REG_EXTRA_USERS="user:pass ..." adds accounts to a basic registry.
REG_USER=ci REG_PASS=s3cret
REG_PIDS=

_reg_wait_log() { # LOG: print the port the registry announces
	local end=$((SECONDS + ${WAIT_LIMIT:-60})) p
	while [ "$SECONDS" -lt "$end" ]; do
		p=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$1" 2>/dev/null | head -1)
		[ -n "$p" ] && { echo "$p"; return 0; }
		sleep 0.02
	done
	return 1
}

_reg_wait_file() {
	local end=$((SECONDS + ${WAIT_LIMIT:-60}))
	until [ -s "$1" ]; do
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.02
	done
}

reg_start() {
	local d=$1 mode=$2 tls=${3:-} scheme=http tlsconf="" auth="" tp
	REG_DIR=$d REG_MODE=$mode REG_CA= REG_TOKEN_URL=
	rm -rf "$d"
	mkdir -p "$d/data"
	if [ "$tls" = tls ]; then
		scheme=https
		openssl req -x509 -newkey rsa:2048 -nodes -days 2 \
		    -subj /CN=reg-test-ca -keyout "$d/ca.key" -out "$d/ca.pem" 2>/dev/null
		openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 \
		    -keyout "$d/srv.key" -out "$d/srv.csr" 2>/dev/null
		printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$d/ext"
		openssl x509 -req -in "$d/srv.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" \
		    -CAcreateserial -days 2 -extfile "$d/ext" -out "$d/srv.pem" 2>/dev/null
		REG_CA=$d/ca.pem
		tlsconf="  tls:
    certificate: $d/srv.pem
    key: $d/srv.key"
	fi
	case $mode in
	anon) ;;
	basic)
		htpasswd -Bbc "$d/htpasswd" "$REG_USER" "$REG_PASS" 2>/dev/null
		for u in ${REG_EXTRA_USERS:-}; do
			htpasswd -Bb "$d/htpasswd" "${u%%:*}" "${u#*:}" 2>/dev/null
		done
		auth="auth:
  htpasswd:
    realm: test
    path: $d/htpasswd" ;;
	token)
		openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=signer \
		    -keyout "$d/sign.key" -out "$d/sign.pem" 2>/dev/null
		python3 "$TOP/tests/lib/tokenserver.py" --port-file "$d/tport" \
		    --key "$d/sign.key" --cert "$d/sign.pem" --issuer test-issuer \
		    --users "$REG_USER:$REG_PASS" \
		    ${tls:+--tls "$d/srv.pem" "$d/srv.key"} >"$d/token.log" 2>&1 &
		REG_PIDS="$REG_PIDS $!"
		_reg_wait_file "$d/tport" || return 1
		tp=$(cat "$d/tport")
		REG_TOKEN_URL=$scheme://127.0.0.1:$tp/token
		auth="auth:
  token:
    realm: $REG_TOKEN_URL
    service: test-registry
    issuer: test-issuer
    rootcertbundle: $d/sign.pem" ;;
	esac
	cat >"$d/config.yml" <<EOF
version: 0.1
log:
  level: info
  accesslog:
    disabled: false
storage:
  filesystem:
    rootdirectory: $d/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:0
  secret: test-not-secret
$tlsconf
$auth
EOF
	docker-registry serve "$d/config.yml" >"$d/registry.log" 2>&1 &
	REG_PIDS="$REG_PIDS $!"
	REG=127.0.0.1:$(_reg_wait_log "$d/registry.log") || return 1
	REG_URL=$scheme://$REG
}

reg_stop() {
	[ -n "$REG_PIDS" ] && kill $REG_PIDS 2>/dev/null
	REG_PIDS=
}

_reg_curl() {
	curl -fsS ${REG_CA:+--cacert "$REG_CA"} "$@"
}

# _reg_auth SCOPE: curl arguments that authorise SCOPE.
_reg_auth() {
	case $REG_MODE in
	basic) printf '%s\n' -u "$REG_USER:$REG_PASS" ;;
	token) printf '%s\n' -H "Authorization: Bearer $(_reg_curl -u "$REG_USER:$REG_PASS" \
	    -G "$REG_TOKEN_URL" --data-urlencode service=test-registry \
	    --data-urlencode "scope=$1" | jq -r .token)" ;;
	esac
}

_reg_put_blob() { # REPO FILE
	local loc sep auth=()
	mapfile -t auth < <(_reg_auth "repository:$1:pull,push")
	loc=$(_reg_curl -X POST "${auth[@]}" -D - -o /dev/null "$REG_URL/v2/$1/blobs/uploads/" |
	    tr -d '\r' | awk 'tolower($1) == "location:" { print $2 }')
	case $loc in /*) loc=$REG_URL$loc ;; esac
	case $loc in *\?*) sep='&' ;; *) sep='?' ;; esac
	_reg_curl -X PUT "${auth[@]}" -H "Content-Type: application/octet-stream" \
	    --data-binary @"$2" -o /dev/null "$loc${sep}digest=sha256:$(sha256sum "$2" | cut -d' ' -f1)"
}

_reg_put_manifest() { # REPO REF MEDIATYPE FILE
	local auth=()
	mapfile -t auth < <(_reg_auth "repository:$1:pull,push")
	_reg_curl -X PUT "${auth[@]}" -H "Content-Type: $3" --data-binary @"$4" \
	    -o /dev/null "$REG_URL/v2/$1/manifests/$2"
}

# _reg_image REPO PAYLOAD FORMAT: push config+layer+manifest by digest;
# leaves the manifest in $REG_DIR/m-PAYLOAD.json, prints its digest.
_reg_image() {
	local s=$REG_DIR/seed-$2 mt ct lt
	case $3 in
	docker) mt=application/vnd.docker.distribution.manifest.v2+json
		ct=application/vnd.docker.container.image.v1+json
		lt=application/vnd.docker.image.rootfs.diff.tar.gzip ;;
	*) mt=application/vnd.oci.image.manifest.v1+json
		ct=application/vnd.oci.image.config.v1+json
		lt=application/vnd.oci.image.layer.v1.tar+gzip ;;
	esac
	mkdir -p "$s/root"
	echo "payload $2" >"$s/root/hello.txt"
	tar --format=ustar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
	    -C "$s/root" -cf "$s/layer.tar" .
	gzip -n -c "$s/layer.tar" >"$s/layer.tgz"
	printf '{"architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
	    "$(sha256sum "$s/layer.tar" | cut -d' ' -f1)" >"$s/config.json"
	printf '{"schemaVersion":2,"mediaType":"%s","config":{"mediaType":"%s","digest":"sha256:%s","size":%d},"layers":[{"mediaType":"%s","digest":"sha256:%s","size":%d}]}' \
	    "$mt" "$ct" "$(sha256sum "$s/config.json" | cut -d' ' -f1)" "$(stat -c %s "$s/config.json")" \
	    "$lt" "$(sha256sum "$s/layer.tgz" | cut -d' ' -f1)" "$(stat -c %s "$s/layer.tgz")" >"$s/manifest.json"
	_reg_put_blob "$1" "$s/config.json" || return 1
	_reg_put_blob "$1" "$s/layer.tgz" || return 1
	local dig=sha256:$(sha256sum "$s/manifest.json" | cut -d' ' -f1)
	_reg_put_manifest "$1" "$dig" "$mt" "$s/manifest.json" || return 1
	cp "$s/manifest.json" "$REG_DIR/m-$2.json"
	echo "$dig"
}

reg_seed() { # REPO TAG [oci|docker|index]
	local fmt=${3:-oci} d1 d2 mt s n=${1//\//_}
	if [ "$fmt" != index ] && [ "$fmt" != dockerlist ]; then
		d1=$(_reg_image "$1" "$n-$fmt" "$fmt") || return 1
		mt=$(jq -r .mediaType "$REG_DIR/m-$n-$fmt.json")
		_reg_put_manifest "$1" "$2" "$mt" "$REG_DIR/m-$n-$fmt.json" || return 1
		echo "$d1"
		return
	fi
	# index: an OCI index; dockerlist: a Docker manifest list.
	local f=oci it=application/vnd.oci.image.index.v1+json
	local mt=application/vnd.oci.image.manifest.v1+json
	if [ "$fmt" = dockerlist ]; then
		f=docker it=application/vnd.docker.distribution.manifest.list.v2+json
		mt=application/vnd.docker.distribution.manifest.v2+json
	fi
	d1=$(_reg_image "$1" "$n-amd64" $f) || return 1
	d2=$(_reg_image "$1" "$n-arm64" $f) || return 1
	s=$REG_DIR/index-$n.json
	printf '{"schemaVersion":2,"mediaType":"%s","manifests":[{"mediaType":"%s","digest":"%s","size":%d,"platform":{"architecture":"amd64","os":"linux"}},{"mediaType":"%s","digest":"%s","size":%d,"platform":{"architecture":"arm64","os":"linux","variant":"v8"}}]}' \
	    "$it" "$mt" "$d1" "$(stat -c %s "$REG_DIR/m-$n-amd64.json")" "$mt" "$d2" "$(stat -c %s "$REG_DIR/m-$n-arm64.json")" >"$s"
	_reg_put_manifest "$1" "$2" "$it" "$s" || return 1
	echo "sha256:$(sha256sum "$s" | cut -d' ' -f1)"
}
