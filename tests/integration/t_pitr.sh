#!/usr/bin/env bash
# Point-in-time recovery rehearsal (docs/operations.md, section 7): WAL
# archiving (archive_command to a local directory) and a pg_basebackup taken
# the night before; a day's figures, the period closed and the report
# published; then an operator's mistake: the wrong period reopened, a
# "correction" delivered through an agent and the report published again.  The
# base backup is restored into a new cluster and recovered up to the moment
# the period_event table gives for the wrong reopen (recovery_target_time,
# recovery_target_inclusive = off).  The figures, the period's state and
# history and the publications must equal a snapshot taken before the mistake.
. "$(dirname "$0")/lib.sh"

PGBIN=/usr/lib/postgresql/15/bin
[ -x "$PGBIN/pg_basebackup" ] && [ -x "$PGBIN/pg_archivecleanup" ] || fail "no $PGBIN/pg_basebackup: install postgresql-15"
# PostgreSQL runs as postgres when we are root: its archive must be its own.
as_server() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
server_owns() { if [ "$(id -u)" -eq 0 ]; then chown -R postgres: "$@"; fi; }

setup_database
SUPER=$(ctl db conninfo --role superuser)
superuser_sql() { psql "$SUPER" -X -q -A -t -v ON_ERROR_STOP=1 -c "$1"; }
ARCHIVE=$T/wal-archive
mkdir -p "$ARCHIVE"
server_owns "$ARCHIVE"

say "WAL archiving on, then the night's base backup"
superuser_sql "ALTER SYSTEM SET archive_mode = on" >/dev/null
superuser_sql "ALTER SYSTEM SET archive_command = 'test ! -f $ARCHIVE/%f && cp %p $ARCHIVE/%f'" >/dev/null
ctl db stop >/dev/null
ctl db start >/dev/null
check "archive_mode" on "$(superuser_sql "SHOW archive_mode")"
# The superuser's conninfo as pg_basebackup's options (the embedded cluster's are not quoted).
field() { tr ' ' '\n' <<<"$SUPER" | sed -n "s/^$1=//p"; }
PGPASSWORD=$(field password) "$PGBIN/pg_basebackup" -h "$(field host)" -p "$(field port)" -U postgres \
	-D "$T/base" -Ft -z -c fast
ls "$T/base"
# The WAL before the base backup is no longer needed (the guide keeps two base
# backups and cleans up to the older one's .backup file).
BACKUP_FILE=
for _ in $(seq 100); do
	BACKUP_FILE=$(find "$ARCHIVE" -name '*.backup' -printf '%f\n' | head -n 1)
	[ -n "$BACKUP_FILE" ] && break
	sleep 0.1
done
[ -n "$BACKUP_FILE" ] || fail "no .backup file in the WAL archive after pg_basebackup"
before_cleanup=$(find "$ARCHIVE" -type f | wc -l)
as_server "$PGBIN/pg_archivecleanup" "$ARCHIVE" "$BACKUP_FILE"
printf 'WAL archive: %d files, %d after pg_archivecleanup %s\n' "$before_cleanup" \
	"$(find "$ARCHIVE" -type f | wc -l)" "$BACKUP_FILE"

say "the day's figures, period 2023 closed, the report published"
start_chisod
make_agent xa-21298 21298
# figures_of_2023 FILE NOTE REASON: the CSV on stdin saved as FILE and
# delivered through the agent, the 2023 report published with NOTE, and the
# period closed with REASON.
figures_of_2023() {
	cat >"$1"
	agent xa-21298 submit "$1" >/dev/null
	agent xa-21298 run --until-empty --timeout 30 >>"$T/run.log" 2>&1 || fail "$1 not delivered: $(cat "$T/run.log")"
	ctl report publish --period 2023 --unit 21298 --note "$2" >/dev/null
	ctl period close 2023 --reason "$3" >/dev/null
}
figures_of_2023 "$T/day.csv" "Số liệu năm 2023 đã chốt" "đã chốt số liệu năm 2023" <<'CSV'
unit,indicator,period,value
21298,population,2023,4950
21298,procedures_total,2023,105
21298,procedures_online,2023,90
21298,internet_users,2023,240
CSV

# snapshot FILE: what the mistake changes: the figures, the period's state and
# history, the publications.
snapshot() {
	{
		sql "SELECT unit_code, indicator_code, period, trim_scale(value) FROM v_observation
		      WHERE period = '2023' ORDER BY 1, 2"
		sql "SELECT code, closed_at, closed_by FROM period WHERE code = '2023'"
		sql "SELECT p.code, e.action, e.actor, e.reason, e.at FROM period_event e
		       JOIN period p ON p.id = e.period_id ORDER BY e.id"
		sql "SELECT period, unit_code, version, note, content_hash FROM publication ORDER BY 1, 2, 3"
		sql "SELECT count(*) FROM observation_history"
	} >"$1"
}
snapshot "$T/before.txt"
sent=$(($(grep -c . "$T/day.csv") - 1))
printf 'before the mistake: %d values stored of %d sent, %d publication(s), period 2023 closed\n' \
	"$(grep -c '|2023|' "$T/before.txt")" "$sent" "$(sql "SELECT count(*) FROM publication")"

say "the mistake: 2023 reopened instead of 2024, a 'correction' delivered, the report published again"
ctl period reopen 2023 --reason "mở lại nhầm kỳ" >/dev/null
figures_of_2023 "$T/wrong.csv" "bản sửa (nhầm)" "đóng lại" <<'CSV'
unit,indicator,period,value
21298,population,2023,9999
21298,procedures_online,2023,12
CSV
snapshot "$T/after.txt"
differ() { ! cmp -s "$1" "$2"; }
check_that "the mistake changed the figures and the history" differ "$T/before.txt" "$T/after.txt"
stop_chisod

# The moment to go back to: the reopen as period_event records it (its
# transaction's start, before its commit); everything committed from then on
# is left out.
TARGET=$(sql "SELECT e.at FROM period_event e JOIN period p ON p.id = e.period_id
	       WHERE p.code = '2023' AND e.action = 'reopen' ORDER BY e.id DESC LIMIT 1")
printf 'recovery target: %s (the wrong reopen)\n' "$TARGET"
# What the restore will lose besides the mistake: the batches committed since.
sql "SELECT c.name, b.seq, b.rows_total FROM batch b JOIN collector c ON c.id = b.collector_id
      WHERE b.committed_at >= '$TARGET' ORDER BY 1, 2" >"$T/after_target.txt"
printf 'batches committed after the target: %s\n' "$(tr '\n' ' ' <"$T/after_target.txt")"
check "batches committed after the target (the wrong correction: collector|seq|rows)" "xa-21298|2|2" \
	"$(tr '\n' ' ' <"$T/after_target.txt" | sed 's/ $//')"
# The WAL of the mistake must be in the archive before the restore reads it.
SEGMENT=$(superuser_sql "SELECT pg_walfile_name(pg_switch_wal())")
for _ in $(seq 300); do
	[ -f "$ARCHIVE/$SEGMENT" ] && break
	sleep 0.1
done
[ -f "$ARCHIVE/$SEGMENT" ] || fail "$SEGMENT not archived after 30 s"
printf 'WAL archive: %d segments, the last %s\n' "$(find "$ARCHIVE" -type f | wc -l)" "$SEGMENT"

say "restore the base backup into a new cluster, recover to the target"
R=$T/restored
mkdir -p "$R/pg/data"
chmod 700 "$R/pg" "$R/pg/data"
tar -xzf "$T/base/base.tar.gz" -C "$R/pg/data"
tar -xzf "$T/base/pg_wal.tar.gz" -C "$R/pg/data/pg_wal"
# The embedded cluster keeps its passwords beside the data; the base backup has the same roles.
cp -p "$T/var/pg/credentials" "$R/pg/credentials"
cat >>"$R/pg/data/postgresql.auto.conf" <<CONF
restore_command = 'cp $ARCHIVE/%f %p'
recovery_target_time = '$TARGET'
recovery_target_inclusive = off
recovery_target_action = 'promote'
archive_mode = off
CONF
touch "$R/pg/data/recovery.signal"
server_owns "$R/pg"
sed -e "s|$T/var/pg/run|$R/pg/run|g" -e "s|\"$T/var\"|\"$R\"|" "$CONF" >"$T/restored.conf"
RCONF=$T/restored.conf
# Both clusters are stopped at the end, also when a check fails (set +e: under
# errexit `(exit $rc)` would end the trap there when the test failed).
trap 'rc=$?; "$CHISO_BIN/chisoctl" --config "$RCONF" db stop >/dev/null 2>&1; set +e; (exit $rc); cleanup' EXIT
"$CHISO_BIN/chisoctl" --config "$RCONF" db start >/dev/null
for _ in $(seq 300); do
	[ "$(CONF=$RCONF sql "SELECT pg_is_in_recovery()")" = f ] && break
	sleep 0.1
done
check "recovery ended (promoted)" f "$(CONF=$RCONF sql "SELECT pg_is_in_recovery()")"
grep -h 'recovery stopping\|last completed transaction' "$R/pg/log/postgresql.log" | sed 's/^.*LOG: */postgresql: /' || true

say "compare"
CONF=$RCONF snapshot "$T/restored.txt"
diff "$T/before.txt" "$T/restored.txt" && printf 'the restored database equals the snapshot before the mistake\n'
check_that "figures, period state and history, publications as before the mistake" cmp -s "$T/before.txt" "$T/restored.txt"
check "period 2023 closed in the restored database" t "$(CONF=$RCONF sql "SELECT closed_at IS NOT NULL FROM period WHERE code = '2023'")"
check "publications" 1 "$(CONF=$RCONF sql "SELECT count(*) FROM publication")"
stored=$(CONF=$RCONF sql "SELECT count(*) FROM v_observation WHERE period = '2023'")
printf 'figures: sent=%d (then %d by mistake) stored=%d lost=%d duplicated=%d\n' "$sent" \
	"$(($(grep -c . "$T/wrong.csv") - 1))" "$stored" "$((sent - stored))" \
	"$(CONF=$RCONF sql "SELECT count(*) - count(DISTINCT (unit_id, indicator_id, period_id)) FROM observation_history")"
check "stored" "$sent" "$stored"
"$CHISO_BIN/chisoctl" --config "$RCONF" rollup verify >"$T/verify.txt" 2>&1 || { cat "$T/verify.txt"; fail "rollup verify"; }
tail -n 1 "$T/verify.txt"
checks_done
