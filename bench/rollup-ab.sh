#!/usr/bin/env bash
# rollup-ab.sh: an A/B of the rollup SQL of two builds on one database, in the
# same run, alternating (A B, then B A, ...), so that both sides see the same
# machine.  Each round: for each side, that side's SQL is migrated in and
# chisod of that side takes a load of a year of new observations through the
# real ingest path (the rows/s of chiso-load: every commit refreshes its
# rollups); then, on the same data for both sides, `chisoctl rollup rebuild`
# is timed and one small rollup_refresh (the keys of 20 random reporting
# units, rolled back).  The last round checks each side with `chisoctl
# rollup verify`.
#
# usage: bench/rollup-ab.sh A_BUILD B_BUILD UNITS ROUNDS
#   A_BUILD, B_BUILD: build folders (with bin/ and bench/chiso-load); each one's
#   share/chiso points at its own source tree, whose sql/ it migrates.
# Prints one line per round and side; the medians are the caller's.
set -u
A=$(realpath "$1") B=$(realpath "$2") UNITS=$3 ROUNDS=$4
export CHISO_SOURCE_DIR=${CHISO_SOURCE_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
export CHISO_BIN=$A/bin CHISO_LOAD=$A/bench/chiso-load BENCH_QUICK=1
. "$CHISO_SOURCE_DIR/tests/integration/lib.sh"
. "$CHISO_SOURCE_DIR/bench/benchlib.sh"
ulimit -n "$(ulimit -Hn)"
ctl db init --dir "$T/var" >/dev/null
sed -i "s|tcp://127.0.0.1:7460|tcp://127.0.0.1:$PORT|" "$CONF"
ctl db migrate >/dev/null
ctl units import "$CHISO_SOURCE_DIR/data/units/vn_units_all.csv" >/dev/null
bench_catalog 100 '"commune", "district", "province"'
sql "SELECT code FROM unit ORDER BY code LIMIT $UNITS" >"$T/u"
enrol_many ab "$T/u"

# refresh_ms: one rollup_refresh of every key of 20 random communes, rolled back.
refresh_ms() {
	psql "$(conf_value database.owner_conninfo)" -X -q -v ON_ERROR_STOP=1 <<'EOF' 2>&1 |
SET search_path = chiso;
SELECT ingest_session();
SELECT setseed(0.5);
BEGIN;
INSERT INTO w_dirty SELECT o.unit_id, o.indicator_id, o.period_id FROM observation o
 WHERE o.unit_id IN (SELECT id FROM unit WHERE id IN (SELECT unit_id FROM observation)
		     ORDER BY random() LIMIT 20);
DO $$ DECLARE t timestamptz := clock_timestamp(); k int;
BEGIN k := rollup_refresh();
RAISE NOTICE 'refresh keys=% ms=%', k, round(extract(epoch FROM clock_timestamp() - t)::numeric * 1000, 1);
END $$;
ROLLBACK;
EOF
		sed -n 's/.*refresh keys=\([0-9]*\) ms=\([0-9.]*\).*/keys=\1 refresh_ms=\2/p'
}

# side_bin SIDE: the build of side A or B.
side_bin() { if [ "$1" = A ]; then echo "$A"; else echo "$B"; fi; }

year=2000
for r in $(seq "$ROUNDS"); do
	sides="A B"
	[ $((r % 2)) = 0 ] && sides="B A"
	for side in $sides; do # ingest: each side loads a year of its own
		CHISO_BIN=$(side_bin "$side")/bin
		ctl db migrate >/dev/null
		start_chisod
		load ab --indicators 100 --years 1 --year0 "$year" --deadline 900 >/dev/null
		stop_chisod
		year=$((year + 1))
		echo "round $r $side ingest $(grep -ho 'rows_per_s=[0-9]*' "$T/ab.out")"
	done
	for side in $sides; do # rebuild and refresh: both sides on the same data
		CHISO_BIN=$(side_bin "$side")/bin
		ctl db migrate >/dev/null
		t0=$(date +%s.%N)
		ctl rollup rebuild >/dev/null
		t=$(echo "$(date +%s.%N) - $t0" | bc)
		echo "round $r $side rebuild_s=$t $(refresh_ms)"
		if [ "$r" = "$ROUNDS" ]; then
			echo "verify $side: $(ctl rollup verify 2>&1 | tail -1)"
		fi
	done
done
echo "observations: $(sql 'SELECT count(*) FROM observation')"
