#!/usr/bin/env bash
# Frozen publications stay frozen, and a row's note reaches PostgreSQL.
#
# The seal: a report published by chisoctl accepts no new row, unit, pillar or
# seal entry, from chisod's writer role (no grant: it publishes through
# report_publish only) nor from the owner (the trigger), and when the
# owner disables the trigger and adds or changes a row, `report --published`
# and `report --changes` refuse with a non-zero status naming the rows that
# differ; an untouched publication prints as it did.  A publication without a
# seal is reported as such, and one frozen before migration 007 is sealed by
# the next migrate.  The note: a CSV with a note column goes through a real
# agent and chisod; each note is stored beside its value (observation and its
# history) or beside the refusal, a CSV without the column still works, and the
# agent refuses a note with a control character or over the limit, naming the
# file and line.  Figures are printed and asserted on.
. "$(dirname "$0")/lib.sh"

START=$SECONDS
setup_database
start_chisod
make_agent xa-21298 21298

say "notes through a real agent"
cat >"$T/notes.csv" <<'CSV'
unit,indicator,period,value,qualifier,note
21298,population,2023,4950,,"Số liệu ước tính, chờ tổng điều tra"
21298,internet_users,2023,240,at_least,theo báo cáo của nhà mạng
21298,procedures_total,2023,105,,
21292,procedures_total,2023,80,,xã bạn gửi nhờ
CSV
cat >"$T/old.csv" <<'CSV'
unit,indicator,period,value
21298,procedures_online,2023,90
CSV
agent xa-21298 submit "$T/notes.csv" >/dev/null
agent xa-21298 submit "$T/old.csv" >/dev/null
agent xa-21298 run --until-empty --timeout 30 >"$T/run.log" 2>&1 ||
	fail "notes not delivered: $(cat "$T/run.log")"
sent=5
stored=$(sql "SELECT count(*) FROM v_observation WHERE unit_code = '21298' AND period = '2023'")
refused=$(sql "SELECT count(*) FROM v_rejection WHERE period_code = '2023'")
noted=$(sql "SELECT count(*) FROM v_observation WHERE period = '2023' AND note IS NOT NULL")
echo "figures: sent $sent, stored $stored, refused $refused, stored with a note $noted"
assert_eq "every row accounted for" "$sent" "$((stored + refused))"
assert_eq "stored with a note" 2 "$noted"
assert_eq "the note beside the value" "4950|Số liệu ước tính, chờ tổng điều tra" \
	"$(sql "SELECT trim_scale(value), note FROM v_observation
		WHERE unit_code = '21298' AND indicator_code = 'population' AND period = '2023'")"
assert_eq "a bound keeps its note" "240|at_least|theo báo cáo của nhà mạng" \
	"$(sql "SELECT trim_scale(value), qualifier, note FROM v_observation
		WHERE unit_code = '21298' AND indicator_code = 'internet_users' AND period = '2023'")"
assert_eq "an empty note is no note, a CSV without the column still works" "t|t" \
	"$(sql "SELECT bool_and(note IS NULL), count(*) = 2 FROM v_observation WHERE unit_code = '21298'
		AND indicator_code IN ('procedures_total', 'procedures_online') AND period = '2023'")"
assert_eq "the note in the history" "theo báo cáo của nhà mạng" \
	"$(sql "SELECT note FROM v_history
		WHERE unit_code = '21298' AND indicator_code = 'internet_users' AND period = '2023'")"
assert_eq "the note beside a refusal" "unit_out_of_scope|xã bạn gửi nhờ" \
	"$(sql "SELECT reason, note FROM v_rejection WHERE unit_code = '21292' AND period_code = '2023'")"

# the agent refuses what chisod would, before sending, with file:line
printf 'unit,indicator,period,value,note\n21298,population,2022,4900,"hai\tcột"\n' >"$T/ctl.csv"
if agent xa-21298 submit "$T/ctl.csv" >/dev/null 2>"$T/ctl.err"; then
	fail "a note with a tab was accepted"
fi
grep -qF "ctl.csv:2: note: ghi chú có ký tự điều khiển" "$T/ctl.err" ||
	fail "no file:line message for a control character: $(cat "$T/ctl.err")"
long=$(printf 'ư%.0s' $(seq 121)) # 242 bytes
printf 'unit,indicator,period,value,note\n21298,population,2022,4900,%s\n' "$long" >"$T/long.csv"
if agent xa-21298 submit "$T/long.csv" >/dev/null 2>"$T/long.err"; then
	fail "a note over the limit was accepted"
fi
grep -qF "long.csv:2: note: ghi chú dài 242 byte, quá giới hạn 240 byte" "$T/long.err" ||
	fail "no file:line message for a long note: $(cat "$T/long.err")"
echo "ok: the agent refuses a control character and a note over the limit, with file:line"

say "two publications"
# sealed in Vietnam's time zone, verified below in UTC: the seal does not
# depend on the session's TimeZone
PGTZ=Asia/Ho_Chi_Minh ctl report publish --period 2023 --unit 51 >/dev/null
PGTZ=Asia/Ho_Chi_Minh ctl report publish --period 2023 --unit 21298 >/dev/null
P=$(sql "SELECT id FROM publication WHERE period = '2023' AND unit_code = '51'")
Q=$(sql "SELECT id FROM publication WHERE period = '2023' AND unit_code = '21298'")
for id in "$P" "$Q"; do
	unit=$(sql "SELECT unit_code FROM publication WHERE id = $id")
	ctl report --period 2023 --unit "$unit" --published --format csv >"$T/pub$id.csv"
done

say "no one adds to a frozen publication"
# a copy of an existing part under a new ord: the INSERT itself is valid.  The
# writer has no INSERT grant at all (it publishes through report_publish
# only); the owner, whose grants allow it, meets the trigger.
added=0
for t in publication_row publication_unit publication_pillar; do
	q="INSERT INTO chiso.$t SELECT (jsonb_populate_record(x,
		jsonb_build_object('ord', x.ord + ORD))).* FROM chiso.$t x
		WHERE x.publication_id = $P AND x.ord = 1"
	if sql_as conninfo "${q/ORD/1000}" 2>"$T/ins.err"; then
		added=$((added + 1))
		echo "the writer added to $t"
	else
		grep -qF "permission denied for table $t" "$T/ins.err" || fail "$t: $(cat "$T/ins.err")"
	fi
	if sql "${q/ORD/2000}" 2>"$T/ins.err"; then
		added=$((added + 1))
		echo "the owner added to $t"
	else
		grep -qF "published reports are frozen (INSERT on $t)" "$T/ins.err" ||
			fail "$t: $(cat "$T/ins.err")"
	fi
done
q="INSERT INTO chiso.publication_seal VALUES ($P, 'row', 9999, 'x', 'x')"
if sql_as conninfo "$q" 2>"$T/seal.err"; then
	added=$((added + 1))
	echo "the writer added to publication_seal"
else
	grep -qF "permission denied for table publication_seal" "$T/seal.err" ||
		fail "publication_seal: $(cat "$T/seal.err")"
fi
if sql "$q" 2>"$T/seal.err"; then
	added=$((added + 1))
	echo "the owner added to publication_seal"
fi
assert_eq "rows added to a frozen publication (writer and owner, 4 tables)" 0 "$added"
grep -qF "a publication is sealed once" "$T/seal.err" || fail "seal: $(cat "$T/seal.err")"
if sql "UPDATE publication_seal SET digest = 'x' WHERE publication_id = $P" 2>"$T/upd.err"; then
	fail "the owner changed a seal with the triggers enabled"
fi
grep -qF "published reports are frozen (UPDATE on publication_seal)" "$T/upd.err" ||
	fail "seal update: $(cat "$T/upd.err")"
assert_eq "the writer still publishes" 1 \
	"$(sql_as conninfo "SELECT version FROM chiso.report_publish('2023', '529', 'chisod (test)', '')")"

nrows=$(sql "SELECT count(*) FROM publication_row WHERE publication_id = $P")
nseal=$(sql "SELECT count(*) FROM publication_seal WHERE publication_id = $P")
npart=$(sql "SELECT 1 + (SELECT count(*) FROM publication_row WHERE publication_id = $P)
	+ (SELECT count(*) FROM publication_unit WHERE publication_id = $P)
	+ (SELECT count(*) FROM publication_pillar WHERE publication_id = $P)")
echo "figures: publication $P has $nrows rows, $npart parts, $nseal seal entries"
assert_eq "one seal entry per part" "$npart" "$nseal"

say "untouched publications print as before"
for id in "$P" "$Q"; do
	unit=$(sql "SELECT unit_code FROM publication WHERE id = $id")
	PGTZ=UTC ctl report --period 2023 --unit "$unit" --published --format csv \
		>"$T/again$id.csv" || fail "publication $id refused in UTC"
	cmp "$T/pub$id.csv" "$T/again$id.csv" || fail "publication $id prints differently"
done
echo "ok: both publications print byte-identical, in UTC too"
# publication_verify hashes a publication's whole content: looking one
# publication up verifies that one, not every publication there is
assert_eq "publications verified to look one up, of $(sql "SELECT count(*) FROM publication")" 1 \
	"$(sql "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
		SELECT content_ok FROM v_publication WHERE id = $P" |
		sed -n 's/.*Function Scan on publication_verify.*loops=\([0-9]*\).*/\1/p')"

say "the owner disables the trigger: detected and refused"
# (one psql -c is one transaction: the deferred foreign key would still be pending at ENABLE)
sql "ALTER TABLE publication_row DISABLE TRIGGER USER"
sql "SET CONSTRAINTS ALL IMMEDIATE;
	INSERT INTO publication_row SELECT (jsonb_populate_record(x,
		jsonb_build_object('ord', 1000, 'indicator_code', 'forged'))).*
	FROM publication_row x WHERE x.publication_id = $P AND x.ord = 1;
	UPDATE publication_row SET value = value + 1 WHERE publication_id = $P
		AND unit_code = '21298' AND indicator_code = 'internet_users'" >/dev/null
sql "ALTER TABLE publication_row ENABLE TRIGGER USER"
ord=$(sql "SELECT ord FROM publication_row WHERE publication_id = $P
	AND unit_code = '21298' AND indicator_code = 'internet_users'")
rc=0
ctl report --period 2023 --unit 51 --published --format csv >"$T/forged.csv" 2>"$T/forged.err" || rc=$?
cat "$T/forged.err"
echo "figures: report --published exit status $rc, $(wc -c <"$T/forged.csv") bytes printed"
[ "$rc" -ne 0 ] || fail "a changed publication printed with exit status 0"
assert_eq "bytes printed of a changed publication" 0 "$(wc -c <"$T/forged.csv")"
for s in "version 1 of the report for unit 51 in period 2023" "does not match its seal" \
	"2 difference(s)" "row $ord (unit 21298, indicator internet_users) changed" \
	"row 1000 (unit" "indicator forged) added"; do
	grep -qF -- "$s" "$T/forged.err" || fail "the refusal does not say \"$s\""
done
if ctl report --period 2023 --unit 51 --changes >/dev/null 2>"$T/changes.err"; then
	fail "--changes compared against a changed publication"
fi
grep -qF "does not match its seal" "$T/changes.err" || fail "--changes: $(cat "$T/changes.err")"
ctl report published --period 2023 >"$T/list.out"
assert_eq "listed as broken" 1 "$(grep -c 'does not match its seal' "$T/list.out")"
ctl report --period 2023 --unit 21298 --published --format csv >"$T/again$Q.csv"
cmp "$T/pub$Q.csv" "$T/again$Q.csv" || fail "the untouched publication changed"
echo "ok: the untouched publication still prints"

say "a missing seal, and a publication older than the seal"
sql "ALTER TABLE publication_seal DISABLE TRIGGER USER"
sql "DELETE FROM publication_seal WHERE publication_id = $Q" >/dev/null
sql "ALTER TABLE publication_seal ENABLE TRIGGER USER"
if ctl report --period 2023 --unit 21298 --published >/dev/null 2>"$T/noseal.err"; then
	fail "a publication without a seal printed"
fi
grep -qF "the seal of the publication missing" "$T/noseal.err" || fail "$(cat "$T/noseal.err")"
# the R_ files applied again (as by any migrate that changes one of them): the
# backfill of R_50_admin runs and must leave a later publication unsealed
sql "DELETE FROM schema_repeatable" >/dev/null
ctl db migrate >/dev/null
if ctl report --period 2023 --unit 21298 --published >/dev/null 2>/dev/null; then
	fail "a migrate rewrote the seal of a publication made after migration 007"
fi
# as if migration 007 had come after the publication: the R_ files, applied
# again, seal it from its rows as they stand
sql "UPDATE schema_migration SET applied_at = now() WHERE version = 7;
	DELETE FROM schema_repeatable" >/dev/null
ctl db migrate >/dev/null
ctl report --period 2023 --unit 21298 --published --format csv >"$T/again$Q.csv"
cmp "$T/pub$Q.csv" "$T/again$Q.csv" || fail "the sealed publication prints differently"
echo "ok: a publication older than migration 007 is sealed by the migrate and prints"
if ctl report --period 2023 --unit 51 --published >/dev/null 2>&1; then
	fail "the migrate resealed the changed publication"
fi

stop_chisod
echo "run time: $((SECONDS - START)) s"
