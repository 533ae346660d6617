#!/usr/bin/env bash
# Benchmarks 1 and 2 (docs/performance.md), on one throwaway cluster:
#
#  1. ingest: AGENTS collectors over CURVE (chiso-load) push their values
#     through chisod to durable commit, rollups maintained, acks received;
#     then, into the same table, the same rows by plain COPY and the first
#     NAIVE_MAX of them by one INSERT ... ON CONFLICT per transaction; and the
#     same rows by COPY into a table with only the primary key (keyed COPY).
#  2. latency: time from sending a batch to its ACK (sent after the commit that
#     also updated the province rollup) at 10 % and 50 % of the throughput
#     measured in 1, each with its own fresh communes so that every value is
#     new work.
#
# Run by bench/run; prints "figure:" lines and asserts counts, never speeds.
. "$CHISO_SOURCE_DIR/tests/integration/lib.sh"
. "$CHISO_SOURCE_DIR/bench/benchlib.sh"

# rows = AGENTS x IND x YEARS: 2 000 quick, 200 000 full.  Many units and few
# periods, as on a deadline day: every commune sends this year's figures,
# with a history of earlier years behind each series.  The history length
# matters: the outlier check reads a series' earlier periods for every new
# value (docs/performance.md).
IND=100
AGENTS=${BENCH_INGEST_AGENTS:-$(size 4 100)}
YEARS=${BENCH_INGEST_YEARS:-$(size 5 20)}
LAT_AGENTS=$(size 4 35)
LAT_SECONDS=$(size 3 15)      # target duration of each latency run
NAIVE_MAX=$(size 1000 30000)  # the naive baseline at ~4 000 rows/s: bounded
DEADLINE=$(size 120 600)

setup_database
bench_catalog "$IND" '"commune"'
mapfile -t communes < <(sql "SELECT code FROM unit WHERE tier = 'commune' ORDER BY code")
[ "${#communes[@]}" -ge $((AGENTS + 2 * LAT_AGENTS)) ] || fail "too few communes"
printf '%s\n' "${communes[@]:0:AGENTS}" >"$T/ing.units"
printf '%s\n' "${communes[@]:AGENTS:LAT_AGENTS}" >"$T/lta.units"
printf '%s\n' "${communes[@]:AGENTS+LAT_AGENTS:LAT_AGENTS}" >"$T/ltb.units"
for p in ing lta ltb; do enrol_many "$p" "$T/$p.units"; done
start_chisod

rows=$((AGENTS * IND * YEARS))
say "1. ingest: $AGENTS collectors x $IND indicators x $YEARS years = $rows values through chisod"
# BENCH_PROFILE=1: PostgreSQL times every function of the ingest path (it
# costs a little, so the figures of such a run are not the ones to quote).
if [ "${BENCH_PROFILE:-0}" = 1 ]; then profile_start; fi
# WAL and disk per value (docs/scaling.md, where one machine ends): the WAL the load
# wrote, and what its tables and indexes hold after it.
wal0=$(sql "SELECT pg_current_wal_lsn()")
load ing --indicators "$IND" --years "$YEARS" --deadline "$DEADLINE" >/dev/null
wal_bytes=$(sql "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '$wal0')::bigint")
disk_bytes=$(sql "SELECT sum(pg_total_relation_size(t))::bigint
		    FROM unnest(ARRAY['observation', 'observation_history', 'rollup', 'batch']::regclass[]) t")
grep '^load:' "$T/ing.out"
if [ "${BENCH_PROFILE:-0}" = 1 ]; then profile_print 15; fi
assert_eq "values acknowledged" "$rows" "$(load_field ing rows_acked)"
assert_eq "values rejected" 0 "$(load_field ing rejected)"
assert_eq "observations stored" "$rows" "$(observations)"
verify_rollups
chiso_rps=$(load_field ing rows_per_s)

for run in lta:0.10 ltb:0.50; do
	name=${run%%:*} share=${run#*:}
	rate=$(awk -v r="$chiso_rps" -v s="$share" 'BEGIN { printf "%d", r * s }')
	# enough years to last LAT_SECONDS at this rate, at most 25 (2000 .. 2024: a period must
	# be a past year from 2000 on)
	years=$(awk -v r="$rate" -v s="$LAT_SECONDS" -v a="$LAT_AGENTS" -v i="$IND" \
		'BEGIN { y = int(r * s / (a * i)) + 1; print (y > 25 ? 25 : y) }')
	say "2. latency at ${share} of the maximum: $rate values/s, $LAT_AGENTS collectors x $IND x $years"
	load "$name" --indicators "$IND" --years "$years" --rate "$rate" --batch-rows 100 \
		--deadline "$DEADLINE" >/dev/null
	grep '^load:' "$T/$name.out"
	assert_eq "values acknowledged ($name)" $((LAT_AGENTS * IND * years)) "$(load_field "$name" rows_acked)"
	pct=$(awk -v s="$share" 'BEGIN { printf "%d", s * 100 }')
	figure "latency.p${pct}.rate_rows_per_s" "$rate"
	figure "latency.p${pct}.achieved_rows_per_s" "$(load_field "$name" rows_per_s)"
	figure "latency.p${pct}.p50_ms" "$(load_field "$name" lat_p50_ms)"
	figure "latency.p${pct}.p99_ms" "$(load_field "$name" lat_p99_ms)"
done
verify_rollups
stop_chisod

say "1. baselines into the same table: the same $rows rows by COPY, $NAIVE_MAX by one upsert per transaction"
owner_psql -A -t -v prefix=ing -v n="$NAIVE_MAX" -o "$T/naive.sql" -f "$BENCH_DIR/sql/naive_generate.sql"
naive_rows=$(grep -c . "$T/naive.sql")
copy_s=$(copy_baseline ing)
assert_eq "rows dumped" "$rows" "$(grep -c . "$T/rows.copy")"
assert_eq "observations after COPY" "$rows" "$(observations ing)"
# The keyed COPY: the same rows into a table with only the primary key.
owner_psql -f "$BENCH_DIR/sql/copy_keyed_table.sql"
t0=$(date +%s.%N)
owner_psql -f "$BENCH_DIR/sql/copy_keyed.sql" <"$T/rows.copy"
keyed_s=$(secs_since "$t0")
assert_eq "rows in the keyed table" "$rows" "$(owner_psql -A -t -c 'SELECT count(*) FROM public.bench_keyed')"
owner_psql -c 'DROP TABLE public.bench_keyed'

owner_psql -v prefix=ing -f "$BENCH_DIR/sql/delete_rows.sql"
t0=$(date +%s.%N)
owner_psql -f "$T/naive.sql" >/dev/null
naive_s=$(secs_since "$t0")
assert_eq "observations after the naive upserts" "$naive_rows" "$(observations ing)"

copy_rps=$(per_s "$rows" "$copy_s")
keyed_rps=$(per_s "$rows" "$keyed_s")
naive_rps=$(per_s "$naive_rows" "$naive_s")
figure ingest.rows "$rows"
figure ingest.collectors "$AGENTS"
figure ingest.chiso_seconds "$(load_field ing seconds)"
figure ingest.chiso_rows_per_s "$chiso_rps"
figure ingest.chiso_batch_p50_ms "$(load_field ing lat_p50_ms)"
figure ingest.copy_seconds "$copy_s"
figure ingest.copy_rows_per_s "$copy_rps"
figure ingest.keyed_copy_seconds "$keyed_s"
figure ingest.keyed_copy_rows_per_s "$keyed_rps"
figure ingest.naive_rows "$naive_rows"
figure ingest.naive_seconds "$naive_s"
figure ingest.naive_rows_per_s "$naive_rps"
figure ingest.chiso_over_copy "$(ratio "$chiso_rps" "$copy_rps")"
figure ingest.chiso_over_naive "$(ratio "$chiso_rps" "$naive_rps")"
figure ingest.chiso_over_keyed_copy "$(ratio "$chiso_rps" "$keyed_rps")"
figure ingest.wal_bytes_per_value $((wal_bytes / rows))
figure ingest.disk_bytes_per_value $((disk_bytes / rows))
