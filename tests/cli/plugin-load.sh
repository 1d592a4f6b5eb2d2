#!/bin/bash
# plugin-load.sh: the registry plugin loader (gitops-registry(7)) never runs
# code from a place someone else could change. A planted plugin whose
# constructor creates $GITOPS_TEST_MARKER is put in every unsafe place; the
# marker must never appear, and the warning says which check failed and how
# to fix it. Driven through imgtag with a registry only the planted plugin
# claims, so nothing touches the network.
. "$(dirname "$0")/../lib/cli.sh"

plan 37

PL=$TOP/obj/test-plugins
REF=planted.test/demo/app:v1
export HOME=$_t_root/home GITOPS_TEST_MARKER
unset DOCKER_CONFIG REGISTRY_AUTH_FILE XDG_RUNTIME_DIR XDG_CONFIG_HOME XDG_CACHE_HOME
mkdir -p "$HOME"
NOBODY=$(id -u nobody 2>/dev/null || echo 65534)
ROOT=0
[ "$(id -u)" -eq 0 ] && ROOT=1

# skip REASON: report the current test as skipped.
skip() {
	echo "ok $_t_n - $_t_name # SKIP $1"
	cd "$_t_root" || exit 1
}

# load DIRS: imgtag -v on the planted registry with GITOPS_PLUGIN_PATH=DIRS.
load() {
	GITOPS_TEST_MARKER=$T/marker
	run env GITOPS_PLUGIN_PATH="$1" imgtag -v "$REF"
}

# expect_line LINE: stderr has LINE as a whole line.
expect_line() {
	grep -qxF -- "$1" "$T/err" || fail "stderr lacks the line '$1': $(head -c 600 "$T/err")"
}

# expect_refused DIRS LINE: nothing was loaded from DIRS, the planted code
# never ran, and the one warning is LINE.
expect_refused() {
	expect_rc 3
	expect_no_out
	[ ! -e "$T/marker" ] || fail "the planted constructor ran"
	expect_line "imgtag: warning: $2"
	expect_line "imgtag: no registry plugin for planted.test: the 'oci' plugin is not in $1 (install gitops-utils, or set GITOPS_PLUGIN_PATH)"
	[ "$(grep -c 'warning:' "$T/err")" -eq 1 ] || fail "more than one warning: $(cat "$T/err")"
}

# safe DIR: a directory only we may write, holding the planted plugin.
safe() {
	mkdir -p "$1"
	chmod 0755 "$1"
	cp "$PL/planted.so" "$1/"
	chmod 0755 "$1/planted.so"
}

begin "a safe directory: the plugin loads and its constructor runs"
safe "$T/p"
load "$T/p"
expect_rc 3
expect_line "imgtag: debug: plugin planted from $T/p/planted.so"
expect_line "imgtag: the planted plugin answered"
[ -e "$T/marker" ] || fail "the planted constructor did not run: the test cannot see it"
grep -q 'warning:' "$T/err" && fail "unexpected warning: $(cat "$T/err")"
end

begin "a directory writable by others is refused"
safe "$T/p"
chmod 0777 "$T/p"
load "$T/p"
expect_refused "$T/p" "$T/p: not loaded: directory $T/p is writable by its group and others (mode 0777); chmod go-w $T/p"
end

begin "a directory writable by others only is worded so"
safe "$T/p"
chmod 0757 "$T/p"
load "$T/p"
expect_refused "$T/p" "$T/p: not loaded: directory $T/p is writable by others (mode 0757); chmod o-w $T/p"
end

begin "a directory writable by its group is refused"
safe "$T/p"
chmod 0775 "$T/p"
load "$T/p"
expect_refused "$T/p" "$T/p: not loaded: directory $T/p is writable by its group (mode 0775); chmod g-w $T/p"
end

begin "a sticky directory writable by others is refused too"
safe "$T/p"
chmod 1777 "$T/p"
load "$T/p"
expect_refused "$T/p" "$T/p: not loaded: directory $T/p is writable by its group and others (mode 1777); chmod go-w $T/p"
end

begin "a directory owned by another user is refused"
if [ "$ROOT" -eq 1 ]; then
	safe "$T/p"
	chown "$NOBODY" "$T/p"
	load "$T/p"
	expect_refused "$T/p" "$T/p: not loaded: directory $T/p is owned by uid $NOBODY, not root or you; use a directory of your own"
	end
else
	skip "needs root to chown"
fi

begin "a safe directory under a parent writable by others is refused"
mkdir "$T/w"
safe "$T/w/p"
chmod 0777 "$T/w"
load "$T/w/p"
expect_refused "$T/w/p" "$T/w/p: not loaded: directory $T/w is writable by its group and others (mode 0777); chmod go-w $T/w"
end

begin "a safe directory under a group-writable parent is refused"
mkdir "$T/w"
safe "$T/w/p"
chmod 0770 "$T/w"
load "$T/w/p"
expect_refused "$T/w/p" "$T/w/p: not loaded: directory $T/w is writable by its group (mode 0770); chmod g-w $T/w"
end

begin "a safe directory under a parent owned by another user is refused"
if [ "$ROOT" -eq 1 ]; then
	mkdir "$T/w"
	safe "$T/w/p"
	chown "$NOBODY" "$T/w"
	load "$T/w/p"
	expect_refused "$T/w/p" "$T/w/p: not loaded: directory $T/w is owned by uid $NOBODY, not root or you; use a directory of your own"
	end
else
	skip "needs root to chown"
fi

begin "a safe directory under a sticky parent (like /tmp) loads"
mkdir "$T/s"
safe "$T/s/p"
chmod 1777 "$T/s"
load "$T/s/p"
expect_rc 3
expect_line "imgtag: debug: plugin planted from $T/s/p/planted.so"
[ -e "$T/marker" ] || fail "the plugin did not load"
end

begin "a path entry that links to an unsafe directory is refused by its target"
safe "$T/bad"
chmod 0777 "$T/bad"
ln -s bad "$T/link"
load "$T/link"
expect_refused "$T/link" "$T/link: not loaded: directory $T/bad is writable by its group and others (mode 0777); chmod go-w $T/bad"
end

# The path as given is checked too, before realpath() decides where it
# leads: someone who may change a link or a directory in it would choose
# which safe directory is loaded.
begin "a path through a directory of another user is refused even to a safe directory"
if [ "$ROOT" -eq 1 ]; then
	safe "$T/good"
	mkdir -p "$T/s/att"
	chmod 1777 "$T/s"
	chown "$NOBODY" "$T/s/att"
	ln -s "$T/good" "$T/s/att/link"
	chown -h "$NOBODY" "$T/s/att/link"
	load "$T/s/att/link"
	expect_refused "$T/s/att/link" "$T/s/att/link: not loaded: directory $T/s/att is owned by uid $NOBODY, not root or you; use a directory of your own"
	end
else
	skip "needs root to chown"
fi

begin "a link of another user in a sticky directory is refused even to a safe directory"
if [ "$ROOT" -eq 1 ]; then
	safe "$T/good"
	mkdir "$T/s"
	chmod 1777 "$T/s"
	ln -s "$T/good" "$T/s/link"
	chown -h "$NOBODY" "$T/s/link"
	load "$T/s/link"
	expect_refused "$T/s/link" "$T/s/link: not loaded: symbolic link $T/s/link is owned by uid $NOBODY, not root or you; give the real path"
	end
else
	skip "needs root to chown"
fi

begin "a link of ours whose target passes through another user's link is refused"
if [ "$ROOT" -eq 1 ]; then
	safe "$T/good"
	mkdir "$T/s" "$T/d"
	chmod 1777 "$T/s"
	ln -s "$T/good" "$T/s/flip"
	chown -h "$NOBODY" "$T/s/flip"
	ln -s ../s/flip "$T/d/link"
	load "$T/d/link"
	expect_refused "$T/d/link" "$T/d/link: not loaded: symbolic link $T/s/flip is owned by uid $NOBODY, not root or you; give the real path"
	end
else
	skip "needs root to chown"
fi

begin "a path with a '..' through an unsafe directory is refused"
safe "$T/good"
mkdir -p "$T/w/x"
chmod 0777 "$T/w"
load "$T/w/x/../../good"
expect_refused "$T/w/x/../../good" "$T/w/x/../../good: not loaded: it has a '..' component; give the real path"
end

begin "a path with a '..' to a missing directory is refused aloud"
mkdir -p "$T/w/x"
chmod 0777 "$T/w"
run env GITOPS_PLUGIN_PATH="$T/w/x/../../none" imgtag "$REF"
expect_refused "$T/w/x/../../none" "$T/w/x/../../none: not loaded: it has a '..' component; give the real path"
end

begin "a link of ours in a safe directory to a safe directory loads"
safe "$T/p"
mkdir "$T/d"
ln -s ../p "$T/d/link"
load "$T/d/link"
expect_rc 3
expect_line "imgtag: debug: plugin planted from $T/d/link/planted.so"
[ -e "$T/marker" ] || fail "the plugin did not load"
grep -q 'warning:' "$T/err" && fail "unexpected warning: $(cat "$T/err")"
end

begin "a relative entry is taken against the current directory and loads"
safe "$T/p"
load p
expect_rc 3
expect_line "imgtag: debug: plugin planted from p/planted.so"
[ -e "$T/marker" ] || fail "the plugin did not load"
end

begin "a relative entry under an unsafe current directory is refused"
mkdir "$T/w"
safe "$T/w/p"
chmod 0777 "$T/w"
cd "$T/w" || exit 1
load p
expect_refused p "p: not loaded: directory $T/w is writable by its group and others (mode 0777); chmod go-w $T/w"
end

begin "a symbolic link to a plugin elsewhere is refused"
mkdir "$T/p" "$T/elsewhere"
safe "$T/elsewhere"
ln -s "$T/elsewhere/planted.so" "$T/p/planted.so"
load "$T/p"
expect_refused "$T/p" "$T/p/planted.so: not loaded: it is a symbolic link; plugins are not loaded through links, copy the file there instead"
end

begin "a plugin file owned by another user is refused"
if [ "$ROOT" -eq 1 ]; then
	safe "$T/p"
	chown "$NOBODY" "$T/p/planted.so"
	load "$T/p"
	expect_refused "$T/p" "$T/p/planted.so: not loaded: owned by uid $NOBODY, not root or you; install plugins of your own"
	end
else
	skip "needs root to chown"
fi

begin "a plugin file writable by its group and others is worded so"
safe "$T/p"
chmod 0777 "$T/p/planted.so"
load "$T/p"
expect_refused "$T/p" "$T/p/planted.so: not loaded: writable by its group and others (mode 0777); chmod go-w $T/p/planted.so"
end

begin "a plugin file writable by its group is worded so"
safe "$T/p"
chmod 0775 "$T/p/planted.so"
load "$T/p"
expect_refused "$T/p" "$T/p/planted.so: not loaded: writable by its group (mode 0775); chmod g-w $T/p/planted.so"
end

begin "a shared object without the entry symbol never runs"
mkdir -p "$T/p"
cp "$PL/planted_noentry.so" "$T/p/"
load "$T/p"
expect_refused "$T/p" "$T/p/planted_noentry.so: not loaded: no gitops_registry_plugin_v1 symbol (not a registry plugin, or built for another ABI major)"
end

begin "a file that is not ELF is refused"
mkdir -p "$T/p"
printf 'not a plugin\n' >"$T/p/text.so"
load "$T/p"
expect_refused "$T/p" "$T/p/text.so: not loaded: not an ELF shared object"
end

begin "a directory named .so is refused as not a regular file"
mkdir -p "$T/p/dir.so"
load "$T/p"
expect_refused "$T/p" "$T/p/dir.so: not loaded: not a regular file"
end

# Hostile ELF: truncated anywhere, or with headers pointing out of the file.
begin "truncated and corrupt ELF files are refused before any code runs"
mkdir -p "$T/p"
size=$(stat -c %s "$PL/planted.so")
for n in 4 16 52 63 64 65 200 1000 4096 $((size / 2)) $((size - 64)) $((size - 1)); do
	rm -f "$T/p/"*.so "$T/marker"
	head -c "$n" "$PL/planted.so" >"$T/p/cut$n.so"
	load "$T/p"
	[ "$rc" -eq 3 ] || fail "cut at $n: exit status $rc: $(head -c 300 "$T/err")"
	[ ! -e "$T/marker" ] || fail "cut at $n: the planted constructor ran"
	grep -q "^imgtag: warning: $T/p/cut$n.so: not loaded: " "$T/err" ||
	    fail "cut at $n: no refusal: $(head -c 300 "$T/err")"
done
rm -f "$T/p/"*.so
# Each patch: offset, little-endian value, byte count (ELF64 header fields;
# section header fields of .dynsym found with python below).
python3 - "$PL/planted.so" "$T/p" <<'PY' || fail "could not write the corrupt files"
import struct, sys
src, out = sys.argv[1], sys.argv[2]
b = open(src, 'rb').read()
shoff, = struct.unpack_from('<Q', b, 0x28)
shentsize, shnum = struct.unpack_from('<HH', b, 0x3a)
dynsym = next(shoff + i * shentsize for i in range(shnum)
    if struct.unpack_from('<I', b, shoff + i * shentsize + 4)[0] == 11)
patches = {
    'shoff-huge': [(0x28, '<Q', 2**63 - 1)],
    'shoff-wrap': [(0x28, '<Q', 2**64 - 64)],
    'shnum-max': [(0x3c, '<H', 0xffff)],
    'shnum-ext': [(0x3c, '<H', 0), (shoff + 0x20, '<Q', 2**64 - 1)],
    'shentsize-0': [(0x3a, '<H', 0)],
    'shentsize-1': [(0x3a, '<H', 1)],
    'dynsym-off': [(dynsym + 0x18, '<Q', 2**64 - 8)],
    'dynsym-size': [(dynsym + 0x20, '<Q', 2**62)],
    'dynsym-ent0': [(dynsym + 0x38, '<Q', 0)],
    'dynsym-link': [(dynsym + 0x28, '<I', 0xffffffff)],
    'class': [(4, '<B', 7)],
}
for name, ps in patches.items():
    c = bytearray(b)
    for off, fmt, v in ps:
        struct.pack_into(fmt, c, off, v)
    open('%s/%s.so' % (out, name), 'wb').write(c)
PY
load "$T/p"
expect_rc 3
[ ! -e "$T/marker" ] || fail "a corrupt copy ran its constructor"
[ "$(grep -c "^imgtag: warning: $T/p/.*: not loaded: " "$T/err")" -eq 11 ] ||
    fail "not every corrupt file was refused: $(cat "$T/err")"
end

begin "more than 32 plugins all load (no silent cap)"
mkdir -p "$T/p"
for i in $(seq -w 1 40); do
	cp "$PL/special.so" "$T/p/s$i.so"
done
safe "$T/p"
load "$T/p"
expect_rc 3
expect_line "imgtag: debug: plugin special from $T/p/s40.so"
expect_line "imgtag: debug: plugin planted from $T/p/planted.so"
[ -e "$T/marker" ] || fail "the 41st plugin did not load"
end

begin "without /proc nothing is loaded, with a clear message"
# Sanitized builds cannot run without /proc: they read their options and
# stop threads through it (make check SANITIZE=1 skips this test).
if [ "$(cat "$TOP/bin/.variant" 2>/dev/null)" = san ]; then
	skip "a sanitized build needs /proc itself"
elif [ "$ROOT" -eq 1 ] && unshare -m true 2>/dev/null; then
	safe "$T/p"
	GITOPS_TEST_MARKER=$T/marker
	run env GITOPS_PLUGIN_PATH="$T/p" unshare -m sh -c 'umount -l /proc && exec imgtag -v "$0"' "$REF"
	# The descriptor's number is the kernel's choice.
	sed -i 's|/proc/self/fd/[0-9]* does not|/proc/self/fd/N does not|' "$T/err"
	expect_refused "$T/p" "$T/p/planted.so: not loaded: /proc/self/fd/N does not name the checked file (is /proc mounted?); plugins are loaded only through /proc/self/fd"
	end
else
	skip "needs root and unshare -m"
fi

# What the host hands a plugin is never cut (no fixed buffers on the way).
# long: a directory path of over 1,250 bytes (five 250-byte components).
long=$_t_root/long
for i in 1 2 3 4 5; do
	long=$long/$(printf '%0250d' 0)
done
mkdir -p "$long"
secret=$(printf '%03000d' 0)END1

begin "a secret of 3,004 bytes in an auth file reaches the plugin whole"
safe "$T/p"
mkdir "$T/docker"
printf '{"auths":{"https://planted.test/v1/":{"auth":"%s"}}}\n' \
    "$(printf 'ci:%s' "$secret" | base64 -w0)" >"$T/docker/config.json"
GITOPS_TEST_MARKER=$T/marker
run env GITOPS_PLUGIN_PATH="$T/p" DOCKER_CONFIG="$T/docker" GITOPS_TEST_CREDS=1 imgtag "$REF"
expect_rc 3
expect_line "imgtag: the planted plugin answered: user ci, secret of 3004 bytes ending END1"
end

begin "an auth file under a path of over 1,250 bytes is read"
safe "$T/p"
printf '{"auths":{"planted.test":{"auth":"%s"}}}\n' \
    "$(printf 'ci:pass1234' | base64 -w0)" >"$long/config.json"
GITOPS_TEST_MARKER=$T/marker
run env GITOPS_PLUGIN_PATH="$T/p" DOCKER_CONFIG="$long" GITOPS_TEST_CREDS=1 imgtag "$REF"
expect_rc 3
expect_line "imgtag: the planted plugin answered: user ci, secret of 8 bytes ending 1234"
end

begin "a cache directory under a path of over 1,250 bytes is used whole"
safe "$T/p"
GITOPS_TEST_MARKER=$T/marker
run env GITOPS_PLUGIN_PATH="$T/p" XDG_CACHE_HOME="$long" GITOPS_TEST_CACHE=1 imgtag "$REF"
expect_rc 3
expect_line "imgtag: the planted plugin answered: cache directory of $((${#long} + 13)) bytes ending 0000000/gitops-utils"
end

# The host checks what any plugin hands back (tests/lib/plugins/liar.c): a
# plugin that skips the checks cannot make imgtag exit 0 on no manifest.
liar() {
	mkdir -p "$T/l"
	chmod 0755 "$T/l"
	cp "$PL/liar.so" "$T/l/"
	chmod 0755 "$T/l/liar.so"
	run env GITOPS_PLUGIN_PATH="$T/l" imgtag "$@"
}
good=sha256:bafebd36189ad3688b7b3915ea55d461e0bfcfbdde11e54b0a123999fb6be50f

begin "a plugin's honest answer is printed"
liar liar.test/good:v1
expect_rc 0
expect_out_text "$good"
expect_no_err
end

begin "a plugin's answer that is no manifest is refused by the host"
liar liar.test/type:v1
expect_rc 3
expect_no_out
expect_line 'imgtag: liar.test/type:v1: not a manifest (media type "text/html")'
end

begin "a plugin's answer without a sha256 digest is refused by the host"
liar liar.test/digest:v1
expect_rc 3
expect_no_out
expect_line 'imgtag: liar.test/digest:v1: the liar plugin gave no sha256 digest ("md5:0123"); it or the registry is broken'
end

begin "a plugin's answer for another digest is refused by the host"
liar "liar.test/good@sha256:$(printf '%064d' 0)"
expect_rc 3
expect_no_out
expect_line "imgtag: liar.test/good@sha256:$(printf '%064d' 0): the registry answered with $good"
end

begin "manifest bytes that are not the digest a plugin gives are refused"
liar --copy liar.test/bytes:v1 liar.test/bytes:v2
expect_rc 3
expect_no_out
expect_line "imgtag: liar.test/bytes:v1: the manifest's bytes are sha256:d6b7646f6ede911358f954a0ccae376703f1c0e8854a9953a4a77a968b600b80, not the $good given for them"
end
