#!/usr/bin/env bash
# The operator's morning: `chisoctl status` on known data answers in one
# screen (at most 24 lines of 100 columns) whether chisod is up, how far
# behind, who has not reported for each open period and what was refused in
# the last day; --all lists every unit, --json the same for machines; and
# chisod's metrics count the same units per open period, with the deadline,
# once a housekeeping pass (a SIGHUP starts one).
#
# One agent enrolled for the province sends staff_total for four communes of
# Sơn Hà for 2024S1 (so 2024 gets derived values) and for two of them for
# 2026S2, plus two rows that are refused; 2024 is then closed by hand.
. "$(dirname "$0")/lib.sh"

setup_database

metrics_listen
sed -i 's/status_interval_ms = [0-9]*;/status_interval_ms = 500;/' "$CONF"
start_chisod

# metrics FILE: the metrics page's body into FILE.
metrics() {
	timeout 10 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" &&
		printf "GET /metrics HTTP/1.0\r\n\r\n" >&3 && cat <&3' _ "$MPORT" |
		sed '1,/^\r$/d' >"$1"
}
metric() {
	awk -v s="$2" '$1 == s { print $2 }' "$1"
}

say "before any figure: no open period"
metrics "$T/m0"
check "no period sample yet" 0 "$(grep -c '^chiso_period_' "$T/m0" || true)"
ctl status >"$T/s0.txt" || fail "chisoctl status exited $? with chisod running"
cat "$T/s0.txt"
check_that "no open period" grep -q '^open periods: none expecting units$' "$T/s0.txt"
check_that "nothing refused" grep -q '^refused in the last 24 h: nothing$' "$T/s0.txt"

say "one agent sends four communes' 2024S1, two communes' 2026S2, two bad rows"
make_agent xa-51 51
{
	echo "unit,indicator,period,value"
	for u in 21289 21295 21298 21301; do echo "$u,staff_total,2024S1,20"; done
	for u in 21289 21298; do echo "$u,staff_total,2026S2,21"; done
	echo "99999,staff_total,2024S1,5"
	echo "21292,staff_total,2031S1,5"
} >"$T/values.csv"
agent xa-51 submit "$T/values.csv"
agent xa-51 run --until-empty --timeout 60
stored=$(sql "SELECT count(*) FROM observation")
refused=$(sql "SELECT count(*) FROM rejection")
echo "sent 8 rows: stored $stored, refused $refused"
assert_eq "rows stored" 6 "$stored"
assert_eq "rows refused" 2 "$refused"
ctl period close 2024 --reason "t_status" >/dev/null

# What the status must say, counted independently of period_progress(): the
# units a commune-and-district indicator expects on each period's structure
# date, and the units with a value stored.
expected=$(sql "SELECT count(*) FROM unit WHERE tier IN ('commune', 'district')
	AND valid_from <= date '2024-06-30' AND date '2024-06-30' < valid_to")
expected26=$(sql "SELECT count(*) FROM unit WHERE tier IN ('commune', 'district')
	AND valid_from <= date '2026-12-31' AND date '2026-12-31' < valid_to")
open=$(sql "SELECT string_agg(code, ' ' ORDER BY code) FROM period
	WHERE closed_at IS NULL AND stat_first <= current_date")
echo "expected units: 2024S1 $expected, 2026S2 $expected26; open periods $open"
# 2026 is derived from 2026S2, 2024 is closed, 2031S1 (refused) has not begun
assert_eq "open periods" "2024S1 2026 2026S2" "$open"
over=$((($(date +%s) - $(date -d 2024-07-05 +%s)) / 86400))
left=$((($(date -d 2027-01-05 +%s) - $(date -d "$(date +%F)" +%s)) / 86400))

say "the screen"
# chisod records its counters every ingest.status_interval_ms: wait for a record with the commit.
for _ in $(seq 100); do
	[ "$(ctl status --json 2>/dev/null | jq -r .commits)" -ge 1 ] && break
	sleep 0.2
done
rc=0
ctl status >"$T/s1.txt" || rc=$?
cat "$T/s1.txt"
check "exit status (chisod up)" 0 "$rc"
lines=$(wc -l <"$T/s1.txt")
width=$(python3 -c 'import sys; print(max(len(l.rstrip("\n")) for l in open(sys.argv[1], encoding="utf-8")))' "$T/s1.txt")
echo "screen: $lines lines, $width columns at most"
check_that "one screen: at most 24 lines" [ "$lines" -le 24 ]
check_that "at most 100 columns" [ "$width" -le 100 ]
check_that "chisod up" grep -qE '^chisod [^ ]+: up, status recorded [0-9]+ s ago; database up$' "$T/s1.txt"
check_that "last commit" grep -qE '^last commit:  [0-9-]+ [0-9:]+, [0-9]+ s ago; 0 rows waiting for a commit$' "$T/s1.txt"
check_that "collectors" grep -qE '^collectors:   1 connected of 1 enrolled, [0-9.]+ rows queued at them \(last heard\); [0-9.]+ values/s$' "$T/s1.txt"
check_that "replication" grep -q '^replication:  primary, no standby streaming$' "$T/s1.txt"
check "open periods" "open periods: 3 (units reported / expected, deadline)" \
	"$(grep '^open periods:' "$T/s1.txt")"
check "2024S1 line" "$(printf '  %-10s %7s / %-7s %s' 2024S1 4 "$expected" "due 2024-07-05, $over days overdue")" \
	"$(grep '^  2024S1 ' "$T/s1.txt")"
check "2026S2 line" "$(printf '  %-10s %7s / %-7s %s' 2026S2 2 "$expected26" "due 2027-01-05, in $left days")" \
	"$(grep '^  2026S2 ' "$T/s1.txt")"
check "2024 (closed) not listed" 0 "$(grep -c '^  2024 ' "$T/s1.txt" || true)"
# the first units that have sent nothing, then how many more
names=$(grep -m1 '^    not reported: ' "$T/s1.txt")
shown=$(sed 's/^ *not reported: //; s/ … và .*//' <<<"$names" | tr ',' '\n' | grep -c .)
more=$(sed -n 's/.* … và \([0-9.]*\) đơn vị khác$/\1/p' <<<"$names" | tr -d .)
echo "2024S1: $shown units named, $more more"
check "named + more = missing" $((expected - 4)) $((shown + more))
first=$(sql "SELECT u.name FROM unit u WHERE u.tier = 'commune'
	AND NOT EXISTS (SELECT 1 FROM observation o WHERE o.unit_id = u.id)
	ORDER BY u.code LIMIT 1")
check_that "the first commune that has not reported is named first" \
	grep -q "^    not reported: $first, " "$T/s1.txt"
check_that "refused in the last day" grep -q '^refused in the last 24 h: 2 rows$' "$T/s1.txt"
check "refused by reason" "$(sql "SELECT reason FROM rejection GROUP BY reason ORDER BY reason" | tr '\n' ' ')" \
	"$(sed -n '/^refused in/,$p' "$T/s1.txt" | awk 'NR > 1 { print $1 }' | sort | tr '\n' ' ')"

say "--all lists every unit; --json says the same"
ctl status --all >"$T/all.txt"
check "--all: every unit of 2024S1 that has not reported" $((expected - 4)) \
	"$(sed -n '/^  2024S1 /,/^  2026 /p' "$T/all.txt" | grep -cE '^      [0-9]+ ')"
check_that "--all names Sơn Hạ with its district" grep -q '^      21292  Xã Sơn Hạ (Huyện Sơn Hà)$' "$T/all.txt"
check_that "--all: the collector table" grep -q '^xa-51 ' "$T/all.txt"
sed -n '/^commits:/,$p' "$T/all.txt"
ctl status --json >"$T/s.json"
check "json: stale" false "$(jq -r .stale "$T/s.json")"
check "json: open periods" 3 "$(jq -r .open_periods "$T/s.json")"
check "json: 2024S1 reported / expected" "4/$expected" \
	"$(jq -r '.periods[] | select(.period == "2024S1") | "\(.reported)/\(.expected)"' "$T/s.json")"
check "json: 2024S1 not reported" $((expected - 4)) \
	"$(jq -r '.periods[] | select(.period == "2024S1") | .not_reported | length' "$T/s.json")"
check "json: refused" 2 "$(jq -r '[.refused_24h[]] | add' "$T/s.json")"
check "unknown argument" 2 "$(ctl status --bogus >/dev/null 2>&1 || echo $?)"

say "a monitoring role that is a member of chiso_reader sees the same (docs/operations.md, Zabbix)"
sql "GRANT SELECT ON daemon_status TO chiso_reader"
sed "s|owner_conninfo = \".*\";|owner_conninfo = \"$(conf_value database.reader_conninfo)\";|" "$CONF" >"$T/monitor.conf"
rc=0
"$CHISO_BIN/chisoctl" --config "$T/monitor.conf" status >"$T/s_reader.txt" 2>"$T/s_reader.err" || rc=$?
check "as chiso_reader: exit status" 0 "$rc"
check "as chiso_reader: the same periods" "$(sed -n '/^open periods/,$p' "$T/s1.txt")" \
	"$(sed -n '/^open periods/,$p' "$T/s_reader.txt")"

say "in read-only transactions, as on a hot standby: the same screen"
rc=0
PGOPTIONS="-c default_transaction_read_only=on" ctl status >"$T/s_ro.txt" 2>"$T/s_ro.err" || rc=$?
check "read-only: exit status" 0 "$rc"
check "read-only: the same periods" "$(sed -n '/^open periods/,$p' "$T/s1.txt")" \
	"$(sed -n '/^open periods/,$p' "$T/s_ro.txt")"

say "the metrics count the same units after a housekeeping pass"
kill -HUP "$CHISOD_PID"
for _ in $(seq 100); do
	metrics "$T/m1"
	[ -n "$(metric "$T/m1" 'chiso_period_units_missing{period="2024S1"}')" ] && break
	sleep 0.1
done
grep '^chiso_period_' "$T/m1"
check "missing 2024S1" $((expected - 4)) "$(metric "$T/m1" 'chiso_period_units_missing{period="2024S1"}')"
check "expected 2024S1" "$expected" "$(metric "$T/m1" 'chiso_period_units_expected{period="2024S1"}')"
check "missing 2026S2" $((expected26 - 2)) "$(metric "$T/m1" 'chiso_period_units_missing{period="2026S2"}')"
check "missing 2026" $((expected26 - 2)) "$(metric "$T/m1" 'chiso_period_units_missing{period="2026"}')"
check "deadline 2024S1" "$(date -d 2024-07-06 +%s)" \
	"$(metric "$T/m1" 'chiso_period_deadline_timestamp_seconds{period="2024S1"}')"
check "closed 2024 not counted" "" "$(metric "$T/m1" 'chiso_period_units_missing{period="2024"}')"
promtool check metrics <"$T/m1" >"$T/promtool.out" 2>&1 || true
check "promtool check metrics" "" "$(cat "$T/promtool.out")"

say "chisod stopped: the screen says so and exits 1"
stop_chisod
# an hour old, and with a database error longer than the screen is wide
sql "UPDATE daemon_status SET updated_at = now() - interval '1 hour',
	doc = doc || jsonb_build_object('db', 'down', 'db_error', repeat('không kết nối được; ', 12))"
rc=0
ctl status >"$T/s2.txt" || rc=$?
head -n 1 "$T/s2.txt"
check "exit status (stale)" 1 "$rc"
check_that "STALE said" grep -q '^chisod [^ ]*: STALE (is chisod running?), status recorded 3600 s ago; database down: không' "$T/s2.txt"
check "a long error cut at 100 columns" "100 …" \
	"$(head -n 1 "$T/s2.txt" | python3 -c 'import sys; l = sys.stdin.read().rstrip("\n"); print(len(l), l[-1])')"
checks_done
