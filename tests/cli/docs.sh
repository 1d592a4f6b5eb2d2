#!/bin/bash
# docs.sh: each command's usage, long options and exit codes agree with its
# man page and completions, and those parse.
. "$(dirname "$0")/../lib/cli.sh"

cmds=$(cd "$TOP/cmd" && ls *.c | sed 's/\.c$//')
plan $(($(echo "$cmds" | wc -l) * 7))

codes=$(sed -n 's/^#define LC_EXIT_[A-Z]*[[:space:]]*\([0-9]*\).*/\1/p' \
    "$TOP/libcommon/exitcode.h")

for c in $cmds; do
	man=$TOP/man/$c.1
	longs=$(sed -n '/longopts\[\] = {/,/^};/s/^[[:space:]]*{ "\([a-z-]*\)".*/\1/p' \
	    "$TOP/cmd/$c.c")
	# The acd-* commands share options through a macro in cli_acd.h.
	if grep -q LC_CLI_ACD_LONGOPTS "$TOP/cmd/$c.c"; then
		longs="$longs $(sed -n '/define LC_CLI_ACD_LONGOPTS/,/^$/s/^[[:space:]]*{ "\([a-z-]*\)".*/\1/p' \
		    "$TOP/libcommon/cli_acd.h")"
	fi

	begin "$c: man page passes mandoc -Tlint"
	run mandoc -Tlint -Wwarning "$man"
	expect_rc 0
	end

	begin "$c: usage line equals the man page SYNOPSIS"
	run "$BIN/$c" -h
	# The usage lines up to the first blank one, joined.
	usage=$(sed '/^$/,$d' out | sed 's/^usage: //; s/^ *//' | tr '\n' ' ' |
	    sed 's/ $//')
	synopsis=$(mandoc -Tutf8 -Owidth=400 "$man" | col -b |
	    sed -n "/^SYNOPSIS/,/^DESCRIPTION/p" | grep -v "^SYNOPSIS\\|^DESCRIPTION" |
	    tr -s " \\t\\n" " " | sed "s/^ //; s/ $//")
	[ "$usage" = "$synopsis" ] || fail "usage '$usage' != SYNOPSIS '$synopsis'"
	end

	begin "$c: every long option is in the man page"
	MANWIDTH=200 mandoc -Tutf8 "$man" | col -b >rendered
	for o in $longs; do
		grep -q -- "--$o\b" rendered || fail "--$o missing"
	done
	end

	for sh in bash zsh fish; do
		case $sh in
		bash) f=$TOP/completions/bash/$c; check="bash -n" ;;
		zsh) f=$TOP/completions/zsh/_$c; check="zsh -n" ;;
		fish) f=$TOP/completions/fish/$c.fish; check="fish -n" ;;
		esac
		begin "$c: $sh completion parses and knows every long option"
		run $check "$f"
		expect_rc 0
		for o in $longs; do
			case $sh in
			fish) grep -q -- "-l $o\b" "$f" || fail "--$o missing" ;;
			*) grep -q -- "--$o\b" "$f" || fail "--$o missing" ;;
			esac
		done
		end
	done

	begin "$c: EXIT STATUS lists every code of exitcode.h"
	section=$(sed -n '/^\.Sh EXIT STATUS/,/^\.Sh /p' "$man")
	for n in $codes; do
		echo "$section" | grep -q "^\.It $n\$" || fail "exit code $n missing"
	done
	end
done

done_testing
