#!/usr/bin/env bash
# The man pages (man/) render cleanly and say what the programs do.
#
# Each page is rendered with `man -l` (MANWIDTH=80): the output must not be
# empty and must hold the NAME line; `man --warnings` and `groff -ww` must not
# warn.  Then the pages are checked against the built programs, so that a key,
# a command or an option added to the code and not to its page fails here:
#   - every key printed by `chisod --defaults` has an entry (a .TP tag
#     "section.key") in chisod.conf.5, and every entry there is a real key;
#     the same for `chiso-agent --defaults` and chiso-agent.conf.5;
#   - every command of `chisoctl --help` ("db init", "collector revoke", ...)
#     and every one of its options has an entry in chisoctl.1;
#   - every option (and command) of `chisod --help` and `chiso-agent --help`
#     has an entry in chisod.8 and chiso-agent.8.
#
# Environment (set by ctest): CHISO_SOURCE_DIR (the repo), CHISO_BIN (programs).
# Needs man-db and groff-base.
set -euo pipefail
: "${CHISO_SOURCE_DIR:?run through ctest (CHISO_SOURCE_DIR unset)}"
: "${CHISO_BIN:?run through ctest (CHISO_BIN unset)}"

MAN=$CHISO_SOURCE_DIR/man
PAGES=(chisod.8 chiso-agent.8 chisoctl.1 chisod.conf.5 chiso-agent.conf.5)

for tool in man groff; do
	if ! command -v "$tool" >/dev/null; then
		echo "t_manpages: FAIL: '$tool' is not installed (apt-get install man-db groff-base)" >&2
		exit 1
	fi
done

T=$(mktemp -d /tmp/chiso-manpages.XXXXXX)
trap 'rm -rf "$T"' EXIT
export LC_ALL=C.UTF-8 MANWIDTH=80
unset MANPAGER PAGER MANOPT MAN_KEEP_FORMATTING

failures=0
fail() {
	echo "t_manpages: FAIL: $*" >&2
	failures=$((failures + 1))
}

# The entries of a page: the line after each .TP or .TQ, with the font and
# spacing escapes removed ("\-\-dir" -> "--dir"), one per line.
entries() {
	awk '/^\.(TP|TQ)([ \t]|$)/ { tag = 1; next } tag { print; tag = 0 }' "$1" |
		sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\f(..//g' -e 's/\\&//g' \
			-e 's/\\|//g' -e 's/\\(dq/"/g' -e 's/^\.[BIR][BIR]* //' -e 's/"//g'
}

# 0 if a line of entries holds word (a key, a command, an option) as a whole.
has_entry() {
	local file=$1 word=$2 re
	re=$(printf '%s' "$word" | sed 's/[.[\*^$]/\\&/g')
	grep -Eq "(^|[^A-Za-z0-9_.-])${re}([^A-Za-z0-9_-]|$)" "$file"
}

# ---- rendering ---------------------------------------------------------------

rendered=0
for page in "${PAGES[@]}"; do
	src=$MAN/$page
	if [ ! -f "$src" ]; then
		fail "$page: missing (expected $src)"
		continue
	fi
	name=${page%.*}
	section=${page##*.}
	title=$(printf '%s' "$name" | tr '[:lower:]' '[:upper:]')
	if ! grep -Eq "^\.TH \"?$(printf '%s' "$title" | sed 's/[.]/\\\\?&/; s/-/\\\\?-/g')\"? $section " "$src"; then
		fail "$page: its .TH line does not name $title in section $section"
	fi
	out=$T/$page.txt
	if ! man --warnings -l "$src" >"$out" 2>"$T/$page.man.err"; then
		fail "$page: man -l failed: $(cat "$T/$page.man.err")"
		continue
	fi
	if [ ! -s "$out" ]; then
		fail "$page: man -l rendered nothing"
		continue
	fi
	if [ -s "$T/$page.man.err" ]; then
		fail "$page: man --warnings:"$'\n'"$(cat "$T/$page.man.err")"
	fi
	# -k: the pages are UTF-8 (Vietnamese names and examples).
	if ! groff -k -Tutf8 -man -ww -z "$src" >"$T/$page.groff.err" 2>&1 ||
		[ -s "$T/$page.groff.err" ]; then
		fail "$page: groff -ww:"$'\n'"$(cat "$T/$page.groff.err")"
	fi
	if ! grep -q '^NAME' "$out"; then
		fail "$page: the rendered page has no NAME section"
	elif ! grep -Eq "^ +$(printf '%s' "$name" | sed 's/[.]/\\./g') +- " "$out"; then
		fail "$page: the NAME line does not read \"$name - ...\""
	fi
	rendered=$((rendered + 1))
done

# ---- configuration keys ------------------------------------------------------

# "section.key" for every key of a --defaults output.
defaults_keys() {
	awk '/^[a-z_]+: \{$/ { sec = $1; sub(/:$/, "", sec); next }
	     /^\};/ { sec = ""; next }
	     /^[ \t]*[a-z_]+ = / { print (sec == "" ? "" : sec ".") $1 }' "$1"
}

keys_checked=0
check_keys() {
	local prog=$1 page=$2 n=0 key
	if ! "$CHISO_BIN/$prog" --defaults >"$T/$prog.defaults" 2>"$T/$prog.defaults.err"; then
		fail "$prog --defaults failed: $(cat "$T/$prog.defaults.err")"
		return
	fi
	defaults_keys "$T/$prog.defaults" >"$T/$prog.keys"
	if [ ! -s "$T/$prog.keys" ]; then
		fail "$prog --defaults printed no keys"
		return
	fi
	[ -f "$MAN/$page" ] || return 0
	entries "$MAN/$page" >"$T/$page.entries"
	while read -r key; do
		n=$((n + 1))
		if ! has_entry "$T/$page.entries" "$key"; then
			fail "$page does not document $key (printed by $prog --defaults): add a .TP entry for it"
		fi
	done <"$T/$prog.keys"
	# The other way round: an entry that looks like a key must be one.
	while read -r entry; do
		if ! grep -qxF "$entry" "$T/$prog.keys"; then
			fail "$page documents $entry, which $prog --defaults does not print"
		fi
	done < <(grep -E '^[a-z_]+\.[a-z_]+$' "$T/$page.entries" || true)
	keys_checked=$((keys_checked + n))
	echo "t_manpages: $page: $n keys of $prog --defaults checked"
}
check_keys chisod chisod.conf.5
check_keys chiso-agent chiso-agent.conf.5

# ---- chisoctl commands -------------------------------------------------------

"$CHISO_BIN/chisoctl" --help >"$T/chisoctl.help"
# The command lines of the usage: two spaces, then the syntax, then (after two
# or more spaces) a description.  "collector add ID ... | revoke ID | list"
# gives "collector add", "collector revoke", "collector list";
# "db start|stop|status" gives "db start", "db stop", "db status".
# Optional parts ("[--format text|csv]") go first: their "|" is not a command's.
sed -n 's/^  \([a-z]\)/\1/p' "$T/chisoctl.help" | sed -e 's/   *.*$//' -e 's/\[[^]]*\]//g' \
	>"$T/chisoctl.syntax"
commands=()
while read -r line; do
	group=${line%% *}
	IFS='|' read -r -a alts <<<"$line"
	for i in "${!alts[@]}"; do
		read -r -a words <<<"${alts[$i]}"
		[ ${#words[@]} -gt 0 ] || continue
		if [ "$i" -eq 0 ]; then
			# "db init [--dir DIR]": a lower-case second word is a subcommand
			if [ ${#words[@]} -gt 1 ] && [[ ${words[1]} =~ ^[a-z]+$ ]]; then
				commands+=("${words[0]} ${words[1]}")
			else
				commands+=("${words[0]}")
			fi
		else
			commands+=("$group ${words[0]}")
		fi
	done
done <"$T/chisoctl.syntax"
if [ ${#commands[@]} -lt 10 ]; then
	fail "could not read the commands of chisoctl --help (found: ${commands[*]:-none})"
fi
ctl_options=$(grep -oE -- '--[a-z][a-z-]*' "$T/chisoctl.help" | sort -u)
commands_checked=0
if [ -f "$MAN/chisoctl.1" ]; then
	entries "$MAN/chisoctl.1" >"$T/chisoctl.entries"
	for cmd in "${commands[@]}"; do
		commands_checked=$((commands_checked + 1))
		if ! has_entry "$T/chisoctl.entries" "$cmd"; then
			fail "chisoctl.1 has no entry for \"chisoctl $cmd\" (in chisoctl --help)"
		fi
	done
	for opt in $ctl_options; do
		commands_checked=$((commands_checked + 1))
		if ! has_entry "$T/chisoctl.entries" "$opt"; then
			fail "chisoctl.1 has no entry mentioning the option $opt (in chisoctl --help)"
		fi
	done
	echo "t_manpages: chisoctl.1: ${#commands[@]} commands and $(echo "$ctl_options" | wc -w) options of chisoctl --help checked"
fi

# ---- chisod and chiso-agent options ------------------------------------------

# Options of a usage text: "-f", "--defaults"; "[-nv]" gives -n and -v.
help_options() {
	grep -oE -- '(^|[][ ,|(])--?[a-zA-Z][a-zA-Z-]*' "$1" | sed 's/^[][ ,|(]//' |
		while read -r opt; do
			if [[ $opt =~ ^-[a-zA-Z]{2,}$ ]]; then
				for ((i = 1; i < ${#opt}; i++)); do printf -- '-%s\n' "${opt:$i:1}"; done
			else
				printf '%s\n' "$opt"
			fi
		done | sort -u
}

options_checked=0
check_options() {
	local prog=$1 page=$2 n=0 opt cmd
	"$CHISO_BIN/$prog" --help >"$T/$prog.help"
	[ -f "$MAN/$page" ] || return 0
	entries "$MAN/$page" >"$T/$page.entries"
	for opt in $(help_options "$T/$prog.help"); do
		n=$((n + 1))
		if ! has_entry "$T/$page.entries" "$opt"; then
			fail "$page has no entry for the option $opt (in $prog --help)"
		fi
	done
	# Commands: "usage: chiso-agent [-f FILE] submit ...".
	while read -r cmd; do
		n=$((n + 1))
		if ! has_entry "$T/$page.entries" "$cmd"; then
			fail "$page has no entry for the command $cmd (in $prog --help)"
		fi
	done < <(sed -nE "s/^(usage:)? +$prog( \[-f FILE\])? ([a-z]+)( .*)?$/\3/p" "$T/$prog.help" | sort -u)
	if [ "$n" -lt 5 ]; then
		fail "could not read the options of $prog --help (found $n)"
	fi
	options_checked=$((options_checked + n))
	echo "t_manpages: $page: $n options and commands of $prog --help checked"
}
check_options chisod chisod.8
check_options chiso-agent chiso-agent.8

if [ "$failures" -ne 0 ]; then
	echo "t_manpages: $failures failure(s)" >&2
	exit 1
fi
echo "t_manpages: OK: $rendered pages rendered without warnings; $keys_checked configuration keys," \
	"$commands_checked chisoctl commands and options, $options_checked chisod and chiso-agent options checked"
