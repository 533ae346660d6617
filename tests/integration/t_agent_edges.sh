#!/usr/bin/env bash
# The agent at its edges (issue 15; docs/reliability.md, "Disk full" and
# "Locks"), three sub-cases with the real chisod, agents and PostgreSQL:
#
#   args  bad arguments: `run --timeout abc` exits 2 at once naming --timeout;
#         no arguments prints the usage; a file of 20 000 bad rows prints at
#         most 25 lines and its reject file holds every row
#   disk  the input, its reject file and the outbox on a tmpfs filled up: rows
#         chisod refuses cannot be written, so run fails naming the full disk
#         and the path and the batch stays pending; with space again the reject
#         file is complete and pending/ empties
#   lock  a submit stopped (SIGSTOP) while it holds the outbox lock: status
#         answers, a second submit gives up after agent.lock_wait_ms
#         naming the PID, run delivers what was committed; SIGCONT and the
#         first submit completes
#
# Then: sent / acked / stored / refused / lost / duplicated over both agents,
# where a refused row counts as delivered only when it is in a reject file.
# T_CASES="args disk lock" (default) runs a subset; every command has a
# timeout so that a regression fails instead of hanging.  Needs root (mount).
F_INDICATORS=80 # x 25 years: 2 000 rows per agent
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/faultlib.sh"

if [ "$(id -u)" -ne 0 ]; then
	echo "skipped: mounting a small filesystem needs root"
	exit 77
fi
CASES=${T_CASES:-args disk lock}
START=$(date +%s.%N)
REFUSED=30 # rows of a01's file that chisod refuses (future periods)
has_case() { case " $CASES " in *" $1 "*) return 0 ;; esac; return 1; }
pending_batches() {
	ag 5 "$1" status 2>/dev/null |
		sed -n 's/^pending: *\([0-9]*\) batch.*/\1/p'
}
pending_rows() {
	ag 5 "$1" status 2>/dev/null |
		sed -n 's/^pending: *[0-9.]* batch[a-z]*, \([0-9.]*\) rows.*/\1/p' | tr -d .
}
# ag SECONDS NAME ARGS...: the agent NAME, killed after SECONDS.
ag() {
	local secs=$1 name=$2
	shift 2
	timeout "$secs" "$CHISO_BIN/chiso-agent" -f "$T/agents/$name/agent.conf" "$@"
}

fault_setup 2
sed -i 's/^\tbatch_rows = 500;/\tbatch_rows = 500;\n\twindow = 1;/' "$T/agents/a01/agent.conf"
# A short lock bound (an agent without the key, as before issue 15, gets none).
wait_key=
if "$CHISO_BIN/chiso-agent" --defaults | grep -q 'lock_wait_ms'; then
	wait_key='\n\tlock_wait_ms = 1500;'
fi
sed -i -e "s/^\tbatch_rows = 500;/\tbatch_rows = 10;$wait_key/" "$T/agents/a02/agent.conf"

if has_case args; then
	say "args: bad arguments and a large malformed file"
	t0=$(date +%s.%N)
	rc=0
	ag 30 a01 run --timeout abc 2>"$T/args.err" || rc=$?
	printf 'run --timeout abc: exit %d after %s s: %s\n' "$rc" "$(since "$t0")" "$(head -n 1 "$T/args.err")"
	check_that "run --timeout abc exits 2" [ "$rc" -eq 2 ]
	check_that "the message names --timeout" grep -q -- '--timeout' "$T/args.err"
	rc=0
	timeout 30 "$CHISO_BIN/chiso-agent" >/dev/null 2>"$T/noargs.err" || rc=$?
	printf 'no arguments: exit %d, %d lines\n' "$rc" "$(wc -l <"$T/noargs.err")"
	check_that "no arguments prints the usage" grep -q '^usage: chiso-agent' "$T/noargs.err"
	check_that "no arguments exits 2" [ "$rc" -eq 2 ]
	# 20 000 bad rows of three kinds and one good one.
	awk 'BEGIN {
		print "unit,indicator,period,value"
		for (i = 1; i <= 20000; i++)
			if (i % 3 == 0) printf "21298,f01,20%02d,abc\n", i % 25
			else if (i % 3 == 1) printf "x%d,f01,1900,5\n", i
			else printf "21298,f01,19x%d,5\n", i
		print "21298,f01,2000,5"
	}' >"$T/malformed.csv"
	rc=0
	ag 20 a01 submit "$T/malformed.csv" >/dev/null 2>"$T/malformed.err" || rc=$?
	lines=$(wc -l <"$T/malformed.err")
	rows=0
	[ -f "$T/malformed.csv.rejected.csv" ] && rows=$(($(wc -l <"$T/malformed.csv.rejected.csv") - 1))
	printf 'malformed file: exit %d, %d lines on stderr, %d rows in the reject file\n' "$rc" "$lines" "$rows"
	tail -n 2 "$T/malformed.err" | cut -c 1-200
	check_that "malformed file refused" [ "$rc" -ne 0 ]
	check_that "at most 25 lines on stderr" [ "$lines" -le 25 ]
	check_that "every bad row in the reject file" [ "$rows" -eq 20000 ]
	check_that "the summary says where" grep -q 'malformed.csv.rejected.csv' "$T/malformed.err"
	check_that "nothing queued" [ "$(pending_batches a01)" = 0 ]
fi

start_chisod
SENT=0

if has_case disk; then
	say "disk: refused rows on a full disk"
	MNT=$T/full
	mkdir -p "$MNT"
	mount -t tmpfs -o size=1m,mode=0755 tmpfs "$MNT" || { echo "skipped: cannot mount tmpfs"; exit 77; }
	umount_cleanup() {
		local rc=$?
		umount "$MNT" 2>/dev/null || true
		set +e
		(exit "$rc")
		cleanup
	}
	trap umount_cleanup EXIT
	sed -i "s|outbox_dir = \".*\";|outbox_dir = \"$MNT/outbox\";|" "$T/agents/a01/agent.conf"
	unit=$(sed -n '2s/,.*//p' "$T/agents/a01/load.csv")
	# The refused rows first: with agent.window = 1 nothing is acknowledged
	# (and no space freed) before their batch's answer.
	{
		head -n 1 "$T/agents/a01/load.csv"
		for y in $(seq 2041 $((2040 + REFUSED))); do echo "$unit,f01,$y,1"; done
		tail -n +2 "$T/agents/a01/load.csv"
	} >"$MNT/a01.csv"
	ag 20 a01 submit "$MNT/a01.csv" >/dev/null 2>&1 || fail "submit on the small filesystem"
	SENT=$((SENT + $(grep -c . "$MNT/a01.csv") - 1))
	cat /dev/zero >"$MNT/filler" 2>/dev/null || true
	printf 'filesystem: %s\n' "$(df -k "$MNT" | awk 'NR == 2 { print $2 " kB, " $4 " kB free" }')"
	rc=0
	t0=$(date +%s.%N)
	ag 30 a01 run --until-empty --timeout 15 2>"$T/disk.err" || rc=$?
	rows=0
	[ -f "$MNT/a01.csv.rejected.csv" ] && rows=$(($(wc -l <"$MNT/a01.csv.rejected.csv") - 1))
	printf 'full disk: run exit %d after %s s, %s batches pending, %d rows in the reject file (-1: empty file)\n' \
		"$rc" "$(since "$t0")" "$(pending_batches a01)" "$rows"
	grep 'ổ đĩa' "$T/disk.err" | head -n 1 | cut -c 1-300 || true
	check_that "run fails on the full disk" [ "$rc" -ne 0 ]
	check_that "the message says the disk is full" grep -q 'ổ đĩa đã đầy' "$T/disk.err"
	check_that "the message names the reject file" grep -q "$MNT/a01.csv.rejected.csv" "$T/disk.err"
	check_that "the batch with refused rows is still pending" [ "$(pending_batches a01)" -ge 1 ]
	# none, or only its header (-1: an empty file, the refused rows gone)
	check_that "no empty or partial reject file" [ "$rows" -eq 0 ]
	rm -f "$MNT/filler"
	rc=0
	ag 30 a01 run --until-empty --timeout 20 2>/dev/null || rc=$?
	rows=0
	[ -f "$MNT/a01.csv.rejected.csv" ] && rows=$(($(wc -l <"$MNT/a01.csv.rejected.csv") - 1))
	printf 'space again: run exit %d, %s batches pending, %d rows in the reject file\n' \
		"$rc" "$(pending_batches a01)" "$rows"
	check_that "run delivers once there is space" [ "$rc" -eq 0 ]
	check_that "the reject file is complete" [ "$rows" -eq "$REFUSED" ]
	check_that "pending/ is empty" [ "$(pending_batches a01)" = 0 ]
fi

if has_case lock; then
	say "lock: a submit stopped while it holds the outbox lock"
	f=$T/agents/a02/load.csv
	head -n 101 "$f" >"$T/small.csv"
	{ head -n 1 "$f"; tail -n +102 "$f"; } >"$T/big.csv"
	{ head -n 1 "$f"; echo "$(sed -n '2s/,.*//p' "$f"),f01,2025,7"; } >"$T/other.csv"
	ag 20 a02 submit "$T/small.csv" >/dev/null 2>&1 || fail "submit small.csv"
	lockfile=$T/agents/a02/outbox/lock
	ino=$(stat -c %i "$lockfile")
	"$CHISO_BIN/chiso-agent" -f "$T/agents/a02/agent.conf" submit "$T/big.csv" >"$T/big.out" 2>&1 &
	BIG=$!
	BG_PIDS+=("$BIG")
	# Stop it once it holds the lock (it does while it queues, a few seconds).
	holds() { grep -q "FLOCK .* $1 [0-9a-f]*:[0-9a-f]*:$ino " /proc/locks; }
	caught=0
	for _ in $(seq 2000); do
		if holds "$BIG"; then
			kill -STOP "$BIG"
			if holds "$BIG"; then
				caught=1
				break
			fi
			kill -CONT "$BIG" # it let go just before the stop: try again
		fi
		kill -0 "$BIG" 2>/dev/null || break
		sleep 0.005
	done
	[ "$caught" -eq 1 ] || fail "could not stop the submit while it held the lock"
	echo "submit $BIG stopped holding the outbox lock"
	t0=$(date +%s.%N)
	rc=0
	# The holder never lets go: a status that waited for the lock would be killed by
	# the timeout (exit 124), however generous; the time is a figure, not a check.
	ag 60 a02 status >"$T/status.out" 2>&1 || rc=$?
	took=$(since "$t0")
	printf 'status: exit %d in %s s\n' "$rc" "$took"
	check_that "status answers while the lock is held" [ "$rc" -eq 0 ]
	t0=$(date +%s.%N)
	rc=0
	ag 60 a02 submit "$T/other.csv" >/dev/null 2>"$T/other.err" || rc=$?
	took=$(since "$t0")
	printf 'second submit: exit %d in %s s: %s\n' "$rc" "$took" "$(grep -v '^note:' "$T/other.err" | head -n 1 | cut -c 1-300)"
	# Exit 1 is its own refusal after agent.lock_wait_ms; waiting for ever would be 124.
	check_that "the second submit gives up" [ "$rc" -eq 1 ]
	check_that "its message names the PID" grep -q "$BIG" "$T/other.err"
	stored0=$(fault_stored)
	rc=0
	ag 30 a02 run --until-empty --timeout 20 2>/dev/null || rc=$?
	printf 'run while the submit is stopped: exit %d, rows committed %d -> %d\n' "$rc" "$stored0" "$(fault_stored)"
	check_that "run delivers while the submit is stopped" [ "$rc" -eq 0 ]
	check_that "run delivered small.csv" [ "$(fault_stored)" -ge $((stored0 + 100)) ]
	kill -CONT "$BIG"
	rc=0
	for _ in $(seq 600); do kill -0 "$BIG" 2>/dev/null || break; sleep 0.05; done
	wait "$BIG" || rc=$?
	BG_PIDS=()
	printf 'stopped submit after SIGCONT: exit %d: %s\n' "$rc" "$(grep queued "$T/big.out" || true)"
	check_that "the stopped submit completes" [ "$rc" -eq 0 ]
	ag 60 a02 run --until-empty --timeout 40 2>/dev/null || fail "run a02"
	SENT=$((SENT + 2000))
fi

if has_case disk && has_case lock; then
	say "figures"
	obs="SELECT u.code AS unit, i.code AS ind, p.code AS period, o.value
	       FROM observation o JOIN unit u ON u.id = o.unit_id
	       JOIN indicator i ON i.id = o.indicator_id JOIN period p ON p.id = o.period_id
	      WHERE i.code ~ '^f[0-9]+\$'"
	stored=$(sql "SELECT count(*) FROM ($obs) s")
	missing=$(sql "SELECT count(*) FROM ($(fault_expected_sql 2)) e
		     LEFT JOIN ($obs) s USING (unit, ind, period) WHERE s.value IS DISTINCT FROM e.value")
	refused=$(($(wc -l <"$MNT/a01.csv.rejected.csv") - 1))
	pending=0
	for a in a01 a02; do pending=$((pending + $(pending_rows "$a"))); done
	accepted=$(sql "SELECT coalesce(sum(b.rows_accepted), 0) FROM batch b
			  JOIN collector c ON c.id = b.collector_id WHERE c.name ~ '^a[0-9]+\$'")
	history=$(sql "SELECT count(*) FROM observation_history h
			 JOIN indicator i ON i.id = h.indicator_id WHERE i.code ~ '^f[0-9]+\$'")
	# A refused row is delivered when it is in the reject file, not before.
	lost=$((missing + REFUSED - refused))
	duplicated=$((accepted - stored + history - stored))
	printf 'figures: sent=%d acked=%d stored=%d refused_in_file=%d lost=%d duplicated=%d\n' \
		"$SENT" "$((SENT - pending))" "$stored" "$refused" "$lost" "$duplicated"
	check_that "lost 0" [ "$lost" -eq 0 ]
	check_that "duplicated 0" [ "$duplicated" -eq 0 ]
	check_that "stored + refused = sent" [ $((stored + refused)) -eq "$SENT" ]
	check_that "acked = sent" [ "$pending" -eq 0 ]
fi
stop_chisod
printf 'run time: %s s\n' "$(since "$START")"
checks_done
