#!/bin/bash
# gitpush.sh: N concurrent writers pushing to one branch, gitpush-retry beside
# the hand-written loop people use, over git:// (git daemon) and smart HTTP
# (git http-backend behind lighttpd), all on loopback. Prints, per row,
# landed/lost, push attempts per landed commit, and the push phase's wall
# time against the serial bound (N x one uncontended push).
#   bench/gitpush.sh [N ...]        default: 8 16 32
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/install-deps" || exit 3
make -C "$top" -s all || exit 3
export PATH=$top/bin:$PATH
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com
export GIT_CONFIG_NOSYSTEM=1 GIT_TERMINAL_PROMPT=0
sizes=${*:-8 16 32}
w=$(mktemp -d "${TMPDIR:-/tmp}/gitpush-bench.XXXXXX")
export HOME=$w
dpid= hpid=
trap 'kill $dpid $hpid 2>/dev/null; rm -rf "$w"' EXIT

freeport() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

waitport() {
	local i=0
	until (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 500 ] || { echo "bench: port $1 did not open" >&2; exit 3; }
		sleep 0.02
	done
}

now() { date +%s.%N; }

mkdir -p "$w/srv"
dport=$(freeport)
git daemon --reuseaddr --listen=127.0.0.1 --port="$dport" --base-path="$w/srv" \
    --export-all --enable=receive-pack --max-connections=256 "$w/srv" \
    >"$w/daemon.log" 2>&1 &
dpid=$!
hport=$(freeport)
printf 'bench:s3cret\nx-access-token:t0ken-bench\n' >"$w/users"
# The git CLI takes the URL's user:password; gitpush-retry the token.
export GITOPS_TOKEN=t0ken-bench
cat >"$w/lighttpd.conf" <<CONF
server.modules = ( "mod_access", "mod_alias", "mod_auth", "mod_authn_file", "mod_setenv", "mod_cgi" )
server.document-root = "$w/srv"
server.bind = "127.0.0.1"
server.port = $hport
server.max-connections = 1024
server.errorlog = "$w/lighttpd.err"
alias.url = ( "/git" => "$(git --exec-path)/git-http-backend" )
\$HTTP["url"] =~ "^/git" {
  cgi.assign = ( "" => "" )
  setenv.set-environment = ( "GIT_PROJECT_ROOT" => "$w/srv", "GIT_HTTP_EXPORT_ALL" => "1" )
  auth.backend = "plain"
  auth.backend.plain.userfile = "$w/users"
  auth.require = ( "" => ( "method" => "basic", "realm" => "git", "require" => "valid-user" ) )
}
CONF
lighttpd -D -f "$w/lighttpd.conf" >"$w/lighttpd.out" 2>&1 &
hpid=$!
waitport "$dport"
waitport "$hport"

url() {
	case $1 in
	git) echo "git://127.0.0.1:$dport/$2.git" ;;
	http) if [ "${3:-}" = cli ]; then
		echo "http://bench:s3cret@127.0.0.1:$hport/git/$2.git"
	else
		echo "http://127.0.0.1:$hport/git/$2.git"
	fi ;;
	esac
}

# fresh NAME: a bare repository with one commit.
fresh() {
	rm -rf "$w/srv/$1.git" "$w/seed"
	git init -q --bare -b main "$w/srv/$1.git"
	git clone -q "$w/srv/$1.git" "$w/seed" 2>/dev/null
	echo init >"$w/seed/README"
	git -C "$w/seed" add README
	git -C "$w/seed" commit -qm init
	git -C "$w/seed" push -q origin main 2>/dev/null
}

# writers TRANSPORT NAME N: N clones, each with its own committed file.
writers() {
	local i
	rm -rf "$w/c"
	mkdir -p "$w/c"
	for i in $(seq "$3"); do
		git clone -q "$(url "$1" "$2" cli)" "$w/c/$i" 2>/dev/null
		[ "$4" = tool ] && git -C "$w/c/$i" remote set-url origin "$(url "$1" "$2")"
		echo "$i" >"$w/c/$i/file$i"
		git -C "$w/c/$i" add "file$i"
		git -C "$w/c/$i" commit -qm "writer $i"
	done
}

# The loop people copy (with a 1 s sleep, as measured in the spec).
seed_loop() {
	local i
	for i in 1 2 3; do
		git pull -q --rebase origin main 2>/dev/null
		echo push >>attempts
		git push -q origin main 2>/dev/null && break
		sleep 1
	done
}

# one uncontended push, seconds: median of 5.
single() {
	local t i s e
	for i in 1 2 3 4 5; do
		fresh single
		rm -rf "$w/one"
		git clone -q "$(url "$1" single cli)" "$w/one" 2>/dev/null
		[ "$2" = tool ] && git -C "$w/one" remote set-url origin "$(url "$1" single)"
		echo x >"$w/one/x"
		s=$(now)
		if [ "$2" = tool ]; then
			(cd "$w/one" && gitpush-retry -q -m x x >/dev/null)
		else
			(cd "$w/one" && git add x && git commit -qm x &&
			    git pull -q --rebase origin main 2>/dev/null &&
			    git push -q origin main 2>/dev/null)
		fi
		e=$(now)
		echo "$e - $s" | bc -l
	done | sort -n | sed -n 3p
}

# run TRANSPORT N WHO: prints "landed lost attempts wall".
run() {
	local t=$1 n=$2 who=$3 i s e landed att
	fresh race
	writers "$t" race "$n" "$who"
	s=$(now)
	for i in $(seq "$n"); do
		(
			cd "$w/c/$i" || exit
			if [ "$who" = tool ]; then
				gitpush-retry -v ${GITPUSH_ARGS:-} >out 2>err
				echo $(( $(grep -c 'attempt [0-9]*:' err) + 1 )) >attempts_n
			else
				seed_loop
				wc -l <attempts >attempts_n
			fi
		) &
	done
	wait
	e=$(now)
	landed=$(git -C "$w/srv/race.git" log --format=%s main | grep -c '^writer ')
	att=$(cat "$w"/c/*/attempts_n | paste -sd+ | bc)
	printf '%s %s %s %s\n' "$landed" $((n - landed)) "$att" "$(echo "$e - $s" | bc -l)"
}

# Serial bounds: N x our uncontended push, and N x the git CLI's
# pull --rebase + push (the spec's definition).
printf '%-5s %3s  %-26s %7s %5s %9s %8s %9s %9s\n' transport N writer landed lost "att/land" "wall s" "/ser-own" "/ser-cli"
for t in git http; do
	one=$(single "$t" tool)
	cli=$(single "$t" cli)
	for n in $sizes; do
		for who in seed tool; do
			read -r landed lost att wall < <(run "$t" "$n" "$who")
			name=$([ "$who" = tool ] && echo gitpush-retry || echo "pull --rebase; push loop")
			printf '%-5s %3s  %-26s %7s %5s %9.2f %8.2f %9.2f %9.2f\n' \
			    "$t" "$n" "$name" "$landed" "$lost" \
			    "$(echo "$att / ($landed + ($landed == 0))" | bc -l)" \
			    "$wall" "$(echo "$wall / ($n * $one)" | bc -l)" \
			    "$(echo "$wall / ($n * $cli)" | bc -l)"
		done
	done
	printf '%-5s uncontended commit+push, median of 5: gitpush-retry %.3f s, git CLI %.3f s, ratio %.2f (target <= 1.2)\n' \
	    "$t" "$one" "$cli" "$(echo "$one / $cli" | bc -l)"
done
