#!/bin/bash
# deb.sh: make deb builds the Debian package (once per run, into this
# test's temp dir, the work tree untouched), with the Debian layout, its
# library dependencies, plugins found when merely unpacked, and no lintian
# error.
. "$(dirname "$0")/../lib/cli.sh"

cmds=$(cd "$TOP/cmd" && ls *.c | sed 's/\.c$//')
plugins="acr dockerhub ecr gar ghcr oci"
version=$(sed -n 's/^VERSION = //p' "$TOP/config.mk")
arch=$(dpkg --print-architecture)
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null)
deb=gitops-utils_${version}_$arch.deb
plan 8

begin "debian/changelog's version is config.mk's VERSION"
run dpkg-parsechangelog -l "$TOP/debian/changelog" -S Version
expect_rc 0
expect_out_text "$version"
end

begin "make deb refuses a VERSION the changelog does not have, before building"
run make -s -C "$TOP" deb VERSION=9.9.9 DISTDIR="$T/dist" DEBBUILD="$T/build"
expect_rc 2
expect_err "make deb: debian/changelog is at version $version, config.mk's VERSION is 9.9.9: add a changelog entry (dch -v 9.9.9)"
[ ! -e "$T/build" ] && [ ! -e "$T/dist" ] || fail "make deb went on: $(ls "$T")"
end

begin "make deb leaves the package, its dbgsym, .buildinfo and .changes in DISTDIR"
DIST=$T/dist
# What git sees and what the parent directory holds must not change.
git -C "$TOP" status --porcelain >status.before 2>&1
# Only what dpkg-buildpackage would write there: other files come and go.
ls "$TOP/.." | grep -E '^gitops-utils(-dbgsym)?_' >parent.before
run make -s -C "$TOP" deb DISTDIR="$DIST" DEBBUILD="$T/build"
expect_rc 0
ls "$DIST" >list
printf '%s\n' "gitops-utils-dbgsym_${version}_$arch.deb" \
    "gitops-utils_${version}_$arch.buildinfo" \
    "gitops-utils_${version}_$arch.changes" "$deb" >want
cmp -s list want || fail "DISTDIR holds: $(diff -u want list)"
git -C "$TOP" status --porcelain >status.after 2>&1
cmp -s status.before status.after ||
    fail "the work tree changed: $(diff -u status.before status.after | head -20)"
ls "$TOP/.." | grep -E '^gitops-utils(-dbgsym)?_' >parent.after
cmp -s parent.before parent.after ||
    fail "the parent directory changed: $(diff -u parent.before parent.after | head)"
cp out "$_t_root/make-deb.out"
end

begin "the package holds exactly the commands, plugins, man pages, completions and docs"
run dpkg-deb -c "$DIST/$deb"
expect_rc 0
# Files only (directories follow from them), without the leading ".".
awk '$1 !~ /^d/ { sub(/^\./, "", $6); print $6 }' out | sort >files
{
	for c in $cmds; do
		echo "/usr/bin/$c"
		echo "/usr/share/man/man1/$c.1.gz"
		echo "/usr/share/bash-completion/completions/$c"
		echo "/usr/share/zsh/vendor-completions/_$c"
		echo "/usr/share/fish/vendor_completions.d/$c.fish"
	done
	for p in $plugins; do
		echo "/usr/lib/$multiarch/gitops-utils/plugins/$p.so"
	done
	echo /usr/share/man/man7/gitops-registry.7.gz
	echo /usr/share/doc/gitops-utils/changelog.gz
	echo /usr/share/doc/gitops-utils/copyright
} | sort >want
cmp -s files want || fail "contents differ: $(diff -u want files | head -30)"
end

begin "Depends names libgit2, libcurl, libyaml and libjq"
run dpkg-deb -f "$DIST/$deb" Depends
expect_rc 0
for l in libgit2 libcurl libyaml libjq; do
	grep -q "\\<$l" out || fail "Depends lacks $l: $(cat out)"
done
end

begin "an unpacked package finds its plugins in its multiarch directory"
run dpkg-deb -x "$DIST/$deb" "$T/x"
expect_rc 0
# A registry nothing listens on: the plugins load, then exit 7.
run env -u GITOPS_PLUGIN_PATH "$T/x/usr/bin/imgtag" -v --plain-http 127.0.0.1:1/x:y
expect_rc 7
grep -qxF "imgtag: debug: plugin oci from $T/x/usr/lib/$multiarch/gitops-utils/plugins/oci.so" "$T/err" ||
    fail "the oci plugin was not loaded from the unpacked package: $(head -c 300 "$T/err")"
end

begin "dpkg-buildflags' hardening reaches the commands and plugins, no sanitizer"
run dpkg-deb -x "$DIST/$deb" "$T/x"
expect_rc 0
# LDFLAGS' -z now, CPPFLAGS' _FORTIFY_SOURCE (the __*_chk calls).
for f in "$T"/x/usr/bin/* "$T"/x/usr/lib/*/gitops-utils/plugins/*.so; do
	readelf -d "$f" >dyn 2>&1
	grep -q 'BIND_NOW' dyn || fail "${f#"$T"/x} is not linked with -z now"
	# Not a `make check SANITIZE=1` leaking into the package build.
	! grep -q 'lib[a-z]*san' dyn || fail "${f#"$T"/x} is sanitized"
done
readelf --dyn-syms -W "$T/x/usr/bin/promote" >syms 2>&1
grep -q '__[a-z]*_chk' syms || fail "promote was built without _FORTIFY_SOURCE"
end

begin "lintian reports no error"
grep '^E:' "$_t_root/make-deb.out" >errors
[ ! -s errors ] || fail "lintian: $(cat errors)"
grep -q '^lintian: no errors, [0-9]* warnings, [0-9]* notes$' "$_t_root/make-deb.out" ||
    fail "no lintian summary: $(tail -5 "$_t_root/make-deb.out")"
end

done_testing
