# git-http.sh: smart HTTP git (git http-backend behind lighttpd) for tests;
# source it after tests/lib/cli.sh.

# make_ca [SAN]: in $T, a throw-away CA (ca.crt, ca.key) and a server
# certificate signed by it (server.pem: certificate and key) whose
# subjectAltName is SAN (default: DNS:localhost,IP:127.0.0.1).
make_ca() {
	local san=${1:-DNS:localhost,IP:127.0.0.1}
	[ -f "$T/ca.crt" ] ||
	    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$T/ca.key" -out "$T/ca.crt" -days 2 -subj /CN=test-ca 2>/dev/null
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$T/srv.key" -out "$T/srv.csr" -subj /CN=localhost 2>/dev/null
	printf 'subjectAltName=%s\n' "$san" >"$T/san.ext"
	openssl x509 -req -in "$T/srv.csr" -CA "$T/ca.crt" -CAkey "$T/ca.key" \
	    -CAcreateserial -out "$T/srv.crt" -days 2 -extfile "$T/san.ext" 2>/dev/null
	cat "$T/srv.crt" "$T/srv.key" >"$T/server.pem"
}

# start_http [tls [PREFIX]]: git http-backend behind lighttpd with basic
# auth (user x-access-token, password s3cr3t-t0ken) on a free loopback
# port, in $hport and $hpid, serving $T/NAME.git at /git/NAME.git, or with
# PREFIX $T/PREFIX/NAME.git at /PREFIX/NAME.git; returns once it accepts
# connections. tls (non-empty) serves $T/server.pem over HTTPS.
start_http() {
	local tls=${1:-} prefix=${2:-git} root=$T
	[ "$prefix" = git ] || root=$T/$prefix
	hport=$(free_port)
	printf 'x-access-token:s3cr3t-t0ken\n' >"$T/users"
	cat >"$T/lighttpd.conf" <<CONF
server.modules = ( "mod_access", "mod_alias", "mod_auth", "mod_authn_file", "mod_setenv", "mod_cgi" )
server.document-root = "$T"
server.bind = "127.0.0.1"
server.port = $hport
server.errorlog = "$T/lighttpd.err"
alias.url = ( "/$prefix" => "$(git --exec-path)/git-http-backend" )
\$HTTP["url"] =~ "^/$prefix" {
  cgi.assign = ( "" => "" )
  setenv.set-environment = ( "GIT_PROJECT_ROOT" => "$root", "GIT_HTTP_EXPORT_ALL" => "1" )
  auth.backend = "plain"
  auth.backend.plain.userfile = "$T/users"
  auth.require = ( "" => ( "method" => "basic", "realm" => "git", "require" => "valid-user" ) )
}
CONF
	if [ -n "$tls" ]; then
		cat >>"$T/lighttpd.conf" <<CONF
server.modules += ( "mod_openssl" )
ssl.engine = "enable"
ssl.pemfile = "$T/server.pem"
CONF
	fi
	lighttpd -D -f "$T/lighttpd.conf" >"$T/lighttpd.out" 2>&1 &
	hpid=$!
	wait_port "$hport" lighttpd "$T/lighttpd.out"
}

stop_http() {
	kill "$hpid" 2>/dev/null
	wait "$hpid" 2>/dev/null
}
