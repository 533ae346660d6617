# Wine for the integration tests (sourced after lib.sh): the Windows agent
# run headless under wine, in a prefix of the test's own, its memory watched.
#
# A fresh prefix costs 700 MB and from 6 s (idle machine) to 30 s (busy).  So
# one is made once, outside the tree (CHISO_WINE_TEMPLATE, by default in the
# user's cache, named after wine's version), and each test takes a copy by
# hard links (a tenth of a second): its own wineserver then, so that
# `wineserver -k` stops this test's programs and no other test's.  Wine
# changes none of the linked files in place: it saves the registry by writing
# a new file and renaming it, and the .reg files are real copies anyway.
#
# wine_setup EXE sets AGENT_CMD, the command that runs the agent; EXE
# "native" is the Linux agent (a check of the test itself, no wine at all).

WINE_NATIVE=0
WINE_WATCHERS=()
AGENT_CMD=()

# Makes the kept prefix if it is not there (in a temporary name first, so
# that a test that stops half-way or a second test at the same time never
# leaves or sees a half-made one).
wine_template() {
	local tpl=$1 tmp
	[ -f "$tpl/system.reg" ] && return 0
	mkdir -p "$(dirname "$tpl")"
	tmp=$(mktemp -d "$tpl.XXXXXX")
	say "a wine prefix for the tests in $tpl (once)"
	WINEPREFIX=$tmp wineboot -i >/dev/null 2>&1 || { rm -rf "$tmp"; fail "wineboot -i failed"; }
	WINEPREFIX=$tmp wineserver -w
	mv -T "$tmp" "$tpl" 2>/dev/null || rm -rf "$tmp"
	[ -f "$tpl/system.reg" ] || fail "no wine prefix in $tpl"
}

wine_setup() {
	trap wine_cleanup EXIT
	if [ "$1" = native ]; then
		WINE_NATIVE=1
		AGENT_CMD=("$CHISO_BIN/chiso-agent")
		return 0
	fi
	# Headless, quiet, and a UTF-8 locale (without it wine's file names lose
	# their Vietnamese letters even through the wide API).
	unset DISPLAY WAYLAND_DISPLAY
	export WINEDEBUG=-all LANG=C.UTF-8 LC_ALL=C.UTF-8 WINEDLLOVERRIDES='mscoree,mshtml='
	local version
	version=$(wine --version | tr -cs 'A-Za-z0-9.' -) # wine-8.0-Debian-8.0-repack-4-
	local tpl=${CHISO_WINE_TEMPLATE:-${XDG_CACHE_HOME:-$HOME/.cache}/chiso/${version%-}}
	wine_template "$tpl"
	export WINEPREFIX=$T/wine
	cp -al "$tpl" "$WINEPREFIX" 2>/dev/null || {
		rm -rf "$WINEPREFIX"
		cp -a "$tpl" "$WINEPREFIX"
	}
	local f
	for f in "$tpl"/*.reg; do
		cp --remove-destination "$f" "$WINEPREFIX/"
	done
	AGENT_CMD=(wine "$1")
	wine_start
}

# Starts the prefix's wineserver for good (each start of one costs seconds,
# and a server started by wine itself leaves three seconds after its last
# program), until wine_kill.
wine_start() {
	[ "$WINE_NATIVE" = 0 ] || return 0
	# (what it says when killed, a list of its objects, is no news)
	wineserver -p >>"$T/wineserver.log" 2>&1
}

# Kills every process of the test's prefix and its wineserver, and waits for the end.
wine_kill() {
	[ "$WINE_NATIVE" = 0 ] || return 0
	wineserver -k 2>/dev/null || true
	wineserver -w 2>/dev/null || true
}

# The EXIT trap: wine's processes first, then lib.sh's cleanup (which removes
# the prefix with the test's directory).
wine_cleanup() {
	local rc=$? p
	set +e
	for p in "${WINE_WATCHERS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${BG_PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
	[ -z "${WINEPREFIX:-}" ] || wine_kill
	(exit "$rc")
	cleanup
}

# win_path PATH: how the agent names a Linux path (Z: is the root under wine;
# forward slashes work with the wide API); make_agent's configurations too.
agent_path() { win_path "$1"; }
win_path() {
	if [ "$WINE_NATIVE" = 1 ]; then
		printf '%s' "$1"
	else
		printf 'Z:%s' "$1"
	fi
}

# wine_watch PID LABEL: samples the peak resident memory (VmHWM) of process
# PID into $T/mem/LABEL.PID while it runs.  Under wine the process is the wine
# loader first and becomes chiso-agent.exe (its name then) once the server
# has started it: only that part is the agent's.
wine_watch() {
	local pid=$1 label=$2
	mkdir -p "$T/mem"
	(
		peak=0
		while [ -d "/proc/$pid" ]; do
			comm=$(cat "/proc/$pid/comm" 2>/dev/null) || break
			if [ "$WINE_NATIVE" = 1 ] || [ "${comm%.exe}" != "$comm" ]; then
				kb=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$pid/status" 2>/dev/null)
				if [ -n "$kb" ] && [ "$kb" -gt "$peak" ]; then
					peak=$kb
					echo "$peak" >"$T/mem/$label.$pid"
				fi
			fi
			sleep 0.05
		done
	) &
	WINE_WATCHERS+=($!)
}

# Prints the largest peak of each command watched, in MiB.
wine_memory_report() {
	local p label kb
	for p in "${WINE_WATCHERS[@]}"; do wait "$p" 2>/dev/null || true; done
	WINE_WATCHERS=()
	for label in $(ls "$T/mem" 2>/dev/null | sed 's/\.[0-9]*$//' | sort -u); do
		kb=$(cat "$T/mem/$label".* | sort -n | tail -n 1)
		printf 'agent memory (%s): peak RSS %s MiB in %d run(s)\n' "$label" \
			"$(awk -v k="$kb" 'BEGIN { printf "%.1f", k / 1024 }')" \
			"$(ls "$T/mem/$label".* | wc -l)"
	done
}
