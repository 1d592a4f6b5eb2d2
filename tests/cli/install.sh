#!/bin/bash
# install.sh: make install and uninstall honour DESTDIR, PREFIX and MANPREFIX.
. "$(dirname "$0")/../lib/cli.sh"

cmds=$(cd "$TOP/cmd" && ls *.c | sed 's/\.c$//')
plan 6

begin "install puts binaries, plugins, man pages and completions in place"
run make -s -C "$TOP" install DESTDIR="$T/root" PREFIX=/opt/gu MANPREFIX=/opt/man
expect_rc 0
for c in $cmds; do
	for f in opt/gu/bin/$c opt/man/man1/$c.1 \
	    opt/gu/share/bash-completion/completions/$c \
	    opt/gu/share/zsh/site-functions/_$c \
	    opt/gu/share/fish/vendor_completions.d/$c.fish; do
		[ -f "root/$f" ] || fail "missing $f"
	done
	[ -x "root/opt/gu/bin/$c" ] || fail "$c is not executable"
done
[ -f root/opt/man/man7/gitops-registry.7 ] || fail "missing gitops-registry.7"
[ "$(stat -c %a root/opt/gu/lib/gitops-utils/plugins/oci.so)" = 755 ] ||
    fail "the oci plugin is missing or not mode 755"
end

begin "an install moved elsewhere finds its plugins beside its bin/"
run make -s -C "$TOP" install DESTDIR="$T/stage" PREFIX=/opt/gu MANPREFIX=/opt/man
expect_rc 0
mv "$T/stage" "$T/moved"
# A registry nothing listens on: the plugins load, then exit 7.
run env -u GITOPS_PLUGIN_PATH "$T/moved/opt/gu/bin/imgtag" -v --plain-http 127.0.0.1:1/x:y
expect_rc 7
grep -qxF "imgtag: debug: plugin oci from $T/moved/opt/gu/lib/gitops-utils/plugins/oci.so" "$T/err" ||
    fail "the oci plugin was not loaded from beside bin/: $(head -c 300 "$T/err")"
end

begin "make install PREFIX=dir, no DESTDIR, after a plain make: its imgtag finds its plugins"
# bin/ was built for the default PREFIX (/usr/local): nothing is rebuilt.
run make -s -C "$TOP" install PREFIX="$T/p"
expect_rc 0
run env -u GITOPS_PLUGIN_PATH "$T/p/bin/imgtag" -v --plain-http 127.0.0.1:1/x:y
expect_rc 7
grep -qxF "imgtag: debug: plugin oci from $T/p/lib/gitops-utils/plugins/oci.so" "$T/err" ||
    fail "the oci plugin was not loaded from PREFIX: $(head -c 300 "$T/err")"
run make -s -C "$TOP" uninstall PREFIX="$T/p"
expect_rc 0
left=$(find p -type f)
[ -z "$left" ] || fail "left behind: $left"
end

begin "a ':' in the prefix: the plugins beside bin/ still, none from the current directory"
run make -s -C "$TOP" install PREFIX="$T/p:x"
expect_rc 0
mkdir -p cwd/x/lib/gitops-utils/plugins
cp "$TOP/lib/gitops-utils/plugins/oci.so" cwd/x/lib/gitops-utils/plugins/evil.so
cd cwd || exit 1
run env -u GITOPS_PLUGIN_PATH "$T/p:x/bin/imgtag" -v --plain-http 127.0.0.1:1/x:y
cd .. || exit 1
expect_rc 7
grep -qxF "imgtag: debug: plugin oci from $T/p:x/lib/gitops-utils/plugins/oci.so" "$T/err" ||
    fail "the oci plugin was not loaded from PREFIX: $(head -c 300 "$T/err")"
grep -q evil "$T/err" && fail "a plugin from the current directory was loaded"
make -s -C "$TOP" uninstall PREFIX="$T/p:x"
end

begin "a blank in DESTDIR or PREFIX is refused (exit 2) and nothing is written"
run make -s -C "$TOP" install PREFIX="$T/with space"
expect_rc 2
expect_err "make install: DESTDIR and PREFIX (and each install directory) may not contain blanks"
run make -s -C "$TOP" install DESTDIR="$T/d d" PREFIX=/usr
expect_rc 2
[ "$(ls "$T")" = "$(printf 'err\nout')" ] || fail "written: $(ls "$T")"
[ -z "$(git -C "$TOP" status --porcelain --ignored -- space d 2>/dev/null)" ] || fail "written in the source tree"
end

begin "uninstall removes them all"
run make -s -C "$TOP" install DESTDIR="$T/root" PREFIX=/opt/gu MANPREFIX=/opt/man
run make -s -C "$TOP" uninstall DESTDIR="$T/root" PREFIX=/opt/gu MANPREFIX=/opt/man
expect_rc 0
left=$(find root -type f)
[ -z "$left" ] || fail "left behind: $left"
[ -d root/opt/gu/lib/gitops-utils ] && fail "lib/gitops-utils is left behind"
end

done_testing
