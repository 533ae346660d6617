# Harness for the benchmarks (sourced after tests/integration/lib.sh, which
# gives each benchmark a throwaway embedded PostgreSQL, chisod on a loopback
# port of its own, and the cleanup; nothing is mocked).
#
# Environment (set by bench/run): CHISO_LOAD (the chiso-load program),
# BENCH_QUICK (1: small sizes), BENCH_FIGURES (file the figures are appended
# to as "name = value" lines; bench/run turns them into the results table).

: "${CHISO_LOAD:?run through bench/run (CHISO_LOAD unset)}"
BENCH_QUICK=${BENCH_QUICK:-0}
BENCH_FIGURES=${BENCH_FIGURES:-/dev/null}
BENCH_DIR=$CHISO_SOURCE_DIR/bench

# figure NAME VALUE: prints it and records it for the results table.
figure() {
	printf 'figure: %s = %s\n' "$1" "$2"
	printf '%s = %s\n' "$1" "$2" >>"$BENCH_FIGURES"
}

# size QUICK FULL: the value for this mode.
size() {
	if [ "$BENCH_QUICK" = 1 ]; then echo "$1"; else echo "$2"; fi
}

# Seconds since $1 (date +%s.%N), three decimals.
secs_since() {
	awk -v t0="$1" -v t1="$(date +%s.%N)" 'BEGIN { printf "%.3f", t1 - t0 }'
}

# ratio A B: A / B with two decimals ("n/a" when B is 0).
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0) print "n/a"; else printf "%.2f", a / b }'
}

# bench_catalog N LEVELS: N yearly counts f001..fN (summed across units, last
# over time) that units of LEVELS may report, e.g. '"commune"'.  The codes
# follow chiso-load's: f + the number zero-padded to the width of N.
bench_catalog() {
	local n=$1 levels=$2 f=$T/bench_catalog.conf i w=${#1}
	{
		echo 'version = "bench";'
		echo 'pillars = ( { code = "bench"; name_vi = "Đo hiệu năng"; name_en = "Benchmark"; } );'
		echo 'indicators = ('
		for i in $(seq 1 "$n"); do
			[ "$i" = 1 ] || echo ','
			printf '{ code = "f%0*d"; kind = "count"; pillar = "bench"; measure = "lượt";\n' "$w" "$i"
			printf '  name_vi = "Chỉ số đo %d"; name_en = "Benchmark figure %d";\n' "$i" "$i"
			printf '  levels = [%s]; period_types = ["yearly"];\n' "$levels"
			printf '  calendar = "statistical"; agg_time = "last"; }\n'
		done
		echo ');'
	} >"$f"
	ctl catalog load "$f" >/dev/null
}

# enrol_many PREFIX UNITS_FILE: a keypair per line of UNITS_FILE (unit codes),
# named PREFIX00001 ..., enrolled in one transaction through the product's own
# enrolment function (collector_add, what `chisoctl collector add` calls) so
# that 10 794 enrolments take seconds, not one process each.  Writes
# $T/PREFIX.agents ("NAME UNIT" lines for chiso-load); keys in $T/keys.
enrol_many() {
	local prefix=$1 units=$2 n
	n=$(grep -c . "$units")
	mkdir -p "$T/keys"
	"$CHISO_LOAD" keygen "$n" "$T/keys" "$prefix" >"$T/$prefix.pubs"
	paste -d ' ' <(cut -d ' ' -f 1 "$T/$prefix.pubs") "$units" >"$T/$prefix.agents"
	paste -d ' ' "$T/$prefix.pubs" "$units" |
		awk '{ printf "SELECT collector_add(%c%s%c, %c%s%c, %c%s%c);\n", 39, $1, 39, 39, $2, 39, 39, $3, 39 }' \
			>"$T/$prefix.sql"
	psql "$(conf_value database.owner_conninfo)" -X -q -v ON_ERROR_STOP=1 -1 \
		-c "SET search_path = chiso" -f "$T/$prefix.sql" >/dev/null
}

# load NAME ARGS...: chiso-load run against this chisod with the agents of
# enrol_many NAME; the "load:" line goes to $T/NAME.out.
load() {
	local name=$1
	shift
	"$CHISO_LOAD" run --endpoint "tcp://127.0.0.1:$PORT" --server-key "$T/var/keys/server.pub" \
		--keys "$T/keys" --agents "$T/$name.agents" "$@" | tee "$T/$name.out"
}

# load_field NAME KEY: a field of the "load:" line of run NAME.
load_field() {
	sed -n "s/^load: .*\b$2=\([^ ]*\).*/\1/p" "$T/$1.out"
}

# Peak and current resident memory of a process in MiB (VmHWM, VmRSS).
rss_peak_mib() { awk '/^VmHWM:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }
rss_now_mib() { awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }

# Established TCP connections to chisod's port.
connections() {
	ss -Htn state established "( sport = :$PORT )" | wc -l
}

# Observations stored (all are the benchmark's), or those of the collectors
# named PREFIX...
observations() {
	sql "SELECT count(*) FROM observation o JOIN batch b ON b.id = o.batch_id
	       JOIN collector c ON c.id = b.collector_id WHERE c.name LIKE '${1:-}%'"
}

# The rollups equal a recomputation (the product's own check).
verify_rollups() {
	ctl rollup verify >"$T/verify.txt" 2>&1 || {
		head -n 20 "$T/verify.txt"
		fail "rollup verify found differences"
	}
	tail -n 1 "$T/verify.txt"
}

# su_sql QUERY: as the embedded cluster's superuser (its password is in the
# throwaway cluster's credentials file, made by chisoctl db init).
su_sql() {
	local pw
	pw=$(sed -n 's/^superuser_password=//p' "$T/var/pg/credentials")
	PGPASSWORD=$pw psql "$(conf_value database.owner_conninfo | sed 's/ user=[^ ]*//; s/ password=[^ ]*//') user=postgres" \
		-X -q -A -t -v ON_ERROR_STOP=1 -c "$1"
}

# The profile of the ingest path: PostgreSQL's per-function timing
# (track_functions), on from profile_start, printed by profile_print as
# "profile:" lines, the functions that took the most time first.
profile_start() {
	su_sql "ALTER SYSTEM SET track_functions = 'all'" >/dev/null
	su_sql "SELECT pg_reload_conf()" >/dev/null
	su_sql "SELECT pg_stat_reset()" >/dev/null
}
profile_print() {
	sleep 0.6 # statistics reach the collector at most every 500 ms
	su_sql "SELECT format('profile: %s calls=%s total_ms=%s self_ms=%s', funcname, calls,
			      round(total_time), round(self_time))
		  FROM pg_stat_user_functions WHERE schemaname = 'chiso'
		 ORDER BY self_time DESC LIMIT ${1:-12}"
}

# per_s N SECONDS: N / SECONDS, rounded.
per_s() {
	awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / s }'
}

# copy_baseline PREFIX: the baseline "plain COPY of the same rows into the
# same table": dumps the observations the collectors PREFIX... stored through
# chisod to $T/rows.copy, deletes them, COPYs them back (bench/sql/) and
# prints the seconds the COPY took.  The caller checks the count.
copy_baseline() {
	local t0
	owner_psql -A -t -v prefix="$1" -o "$T/rows.copy" -f "$BENCH_DIR/sql/dump_rows.sql"
	owner_psql -v prefix="$1" -f "$BENCH_DIR/sql/delete_rows.sql"
	t0=$(date +%s.%N)
	owner_psql -f "$BENCH_DIR/sql/copy_baseline.sql" <"$T/rows.copy"
	secs_since "$t0"
}

owner_psql() { psql "$(conf_value database.owner_conninfo)" -X -q -v ON_ERROR_STOP=1 "$@"; }
