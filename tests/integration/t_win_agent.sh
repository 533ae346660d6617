#!/usr/bin/env bash
# The Windows agent under wine (issue 19): chiso-agent.exe, cross-built in
# build-win, talks CURVE to the real chisod on loopback, with its data in a
# folder whose name has Vietnamese letters (every path of the outbox then goes
# through the wide API: the narrow one would turn them into code page 1252).
#
#   1. It submits the Sơn Nham seed figures and `run` delivers them: the
#      ratios in PostgreSQL are the seed's (tests/data/seed_expected.csv).
#   2. A backlog of 10 000 values: the wine process is killed with SIGKILL,
#      and its wineserver with it, in the middle of the delivery; a new `run`
#      delivers the rest.  Prints sent / acked / stored / lost / duplicated
#      (faultlib.sh) and asserts 0 lost and 0 duplicated.
#   3. Prints the agent's peak memory under wine (VmHWM of the wine process
#      that runs chiso-agent.exe).
#
# Wine runs headless in a prefix of the test's own (so that `wineserver -k`
# stops only this test's programs), a copy by hard links of a prefix kept
# outside the tree and made once (about 30 s on a busy machine).
#
# Environment: CHISO_WIN_AGENT, the agent to run (default: build-win's
# chiso-agent.exe, set by ctest); "native" runs the Linux agent instead,
# which checks the test itself.  CHISO_WINE_TEMPLATE, the kept prefix.
# Skipped (77) without wine or without the Windows agent.
: "${CHISO_SOURCE_DIR:?run through ctest (CHISO_SOURCE_DIR unset)}"
WIN_AGENT=${CHISO_WIN_AGENT:-$CHISO_SOURCE_DIR/build-win/bin/chiso-agent.exe}
if [ "$WIN_AGENT" != native ]; then
	if ! command -v wine >/dev/null || ! command -v wineserver >/dev/null; then
		echo "skipped: wine is not installed (scripts/bootstrap installs it)"
		exit 77
	fi
	if [ ! -f "$WIN_AGENT" ]; then
		echo "skipped: no $WIN_AGENT (scripts/windows builds it)"
		exit 77
	fi
fi
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/faultlib.sh"
. "$(dirname "$0")/winelib.sh"

T0=$(date +%s.%N)
wine_setup "$WIN_AGENT"

# The agent's data folder (make_agent's AGENT_DATA): Vietnamese letters and a
# space in its name.
AGENT_DATA='dữ liệu ơ'

# lib.sh's agent and agent_bg, through AGENT_CMD (faultlib.sh's counts use them too).
agent() {
	local name=$1
	shift
	"${AGENT_CMD[@]}" -f "$(win_path "$T/agents/$name/agent.conf")" "$@"
}
agent_bg() {
	local name=$1
	shift
	"${AGENT_CMD[@]}" -f "$(win_path "$T/agents/$name/agent.conf")" "$@" &
	BG_PID=$!
	BG_PIDS+=("$BG_PID")
	wine_watch "$BG_PID" "$1"
}

# agent_fg NAME ARGS...: a command in the foreground, its memory watched.
agent_fg() {
	local rc=0
	agent_bg "$@"
	wait "$BG_PID" || rc=$?
	BG_PIDS=()
	return "$rc"
}

setup_database
# Commits of a few batches each, as in the fault suite: the kill then lands
# between commits, not after one commit of everything.
sed -i 's/commit_max_rows = [0-9]*;/commit_max_rows = 2000;/' "$CONF"
start_chisod

say "Sơn Nham's seed figures from $AGENT_DATA, through ${AGENT_CMD[*]##*/}"
make_agent xa-21298 21298
# A file name with Vietnamese letters too, as the officer's would be: it comes
# through the command line (wide on Windows, the ANSI one has no "ơ").
seed="$T/Sơn Nham 2024.csv"
cp "$CHISO_SOURCE_DIR/data/seeds/sonnham_2024.csv" "$seed"
agent_fg xa-21298 submit "$(win_path "$seed")"
agent_fg xa-21298 run --until-empty --timeout 60
sent=$(($(grep -c . "$seed") - 1))
stored=$(sql "SELECT count(*) FROM observation")
rejected=$(sql "SELECT count(*) FROM rejection")
printf 'seed figures: sent=%d stored=%d rejected=%d\n' "$sent" "$stored" "$rejected"
assert_eq "every seed row stored or rejected" "$sent" $((stored + rejected))
# The state the agent keeps beside its outbox, in the Vietnamese-named folder.
outbox=$T/agents/xa-21298/$AGENT_DATA/outbox
assert_eq "acked rows in agent.state" "$sent" "$(sed -n 's/^acked_rows=//p' "$outbox/agent.state")"
[ -s "$outbox/catalog.json" ] || fail "no catalog.json in $outbox"
assert_eq "refused rows beside the file" "$((rejected + 1))" "$(grep -c . "$seed.rejected.csv")"

say "Sơn Nham's ratios, at the commune and at the district, against the seed"
ctl report --period 2024 --unit 51 --format csv >"$T/report.csv"
checked=0
while IFS=, read -r unit ind period value num den; do
	[ "$unit" = 21298 ] || continue
	for u in 21298 529; do
		assert_eq "$u $ind $period" "$value,$num,$den" \
			"$(awk -F, -v u="$u" -v i="$ind" '$1 == u && $4 == i { print $(NF-4) "," $(NF-3) "," $(NF-2) }' "$T/report.csv")"
		checked=$((checked + 1))
	done
done <"$CHISO_SOURCE_DIR/tests/data/seed_expected.csv"
[ "$checked" -ge 30 ] || fail "only $checked ratio rows checked"
ctl rollup verify | tail -n 1

say "a backlog of $((F_INDICATORS * F_YEARS)) values, the wine process killed during its delivery"
# The fault catalogue (it retires the seed's indicators: chisod reads it at start).
stop_chisod
fault_catalog
start_chisod
unit=$(sql "SELECT code FROM unit WHERE tier = 'commune' ORDER BY code LIMIT 1")
make_agent a01 "$unit"
AGENTS=(a01)
backlog_stored() {
	sql "SELECT coalesce(sum(b.rows_total), 0) FROM batch b
	       JOIN collector c ON c.id = b.collector_id WHERE c.name = 'a01'"
}
# Small batches and a small window: many round trips, so that the kill lands
# with batches in flight, some committed and some not.
sed -i 's/resend_timeout_ms = 3000;/resend_timeout_ms = 3000;\n\tbatch_rows = 100;\n\twindow = 4;\n\theartbeat_ms = 1000;/' \
	"$T/agents/a01/agent.conf"
fault_csv 1 "$unit" "$T/agents/a01/load.csv"
sent=$(fault_sent)
agent_fg a01 submit "$(win_path "$T/agents/a01/load.csv")" >/dev/null
t0=$(date +%s.%N)
agent_bg a01 run --until-empty --timeout 90 >>"$T/agents/a01/run.log" 2>&1
pid=$BG_PID
# Killed once a random share (a tenth to a half) of the backlog is committed.
kill_at=$((sent / 10 + RANDOM % (sent * 4 / 10)))
deadline=$(($(date +%s) + 60))
while :; do
	stored=$(backlog_stored)
	[ "$stored" -lt "$sent" ] || fail "the backlog was delivered before the kill"
	[ "$stored" -lt "$kill_at" ] || break
	kill -0 "$pid" 2>/dev/null || fail "the agent exited before the kill"
	[ "$(date +%s)" -lt "$deadline" ] || fail "only $stored rows committed after 60 s"
	sleep 0.05
done
kill -9 "$pid"
wine_kill
wait "$pid" 2>/dev/null || true
BG_PIDS=()
wine_start
printf 'killed at %d of %d rows committed, %s s into the delivery\n' \
	"$(backlog_stored)" "$sent" "$(since "$t0")"
pending=$(agent a01 status | sed -n 's/^pending: *\([0-9.]*\) batch.*/\1/p' | tr -d .)
printf 'batches still pending after the kill: %s\n' "$pending"
[ "${pending:-0}" -gt 0 ] || fail "nothing left to deliver after the kill"

say "a new run delivers the rest"
t1=$(date +%s.%N)
agent_fg a01 run --until-empty --timeout 90 >>"$T/agents/a01/run.log" 2>&1 ||
	{ tail -n 20 "$T/agents/a01/run.log"; fail "the second run failed"; }
printf 'rest delivered in %s s\n' "$(since "$t1")"
# (the rollups of the seed were checked above: checking those of the backlog
# would take a minute and is the fault suite's job)
F_VERIFY=0 fault_counts 1 "$sent"

wine_memory_report
stop_chisod
printf 'whole test: %s s\n' "$(since "$T0")"
