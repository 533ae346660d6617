#!/usr/bin/env bash
# The national tier (issue 21 §3): two provinces, each with its own embedded
# PostgreSQL (wal_level = logical), its own chisod and its own agent, and one
# national database that subscribes to both (chisoctl national, sql/national/,
# docs/scaling.md §3).  Quảng Ngãi (51) and Kon Tum (62) report the population
# and internet users of every commune for 2024S1 through their chisod; the
# national database receives the values by logical replication and keeps its
# rollups with the same SQL.  Asserted: every rollup row of each province
# (value, reporting / expected / on-time units, periods) is the same row at
# the national database; the nation's totals are the sums of the two
# provinces' published figures; provincial corrections reach the nation's
# rollup; after the merger of 1 July 2025 the nation's 2025S2 is Quảng Ngãi's
# alone and 2024S1 on the new structure is the same as at Quảng Ngãi.
# Printed: the lag from a province's commit to the national rollup (five
# corrections: each, median and max).
. "$(dirname "$0")/lib.sh"

PGBIN=/usr/lib/postgresql/15/bin
[ -x "$PGBIN/postgres" ] || fail "PostgreSQL 15 server not installed"
UNITS=$CHISO_SOURCE_DIR/data/units
KT=$T/kt
NAT=$T/nat
mkdir -p "$KT" "$NAT"
# Kon Tum's chisod: the next port nobody listens on
KPORT=$((PORT + 1))
for _ in $(seq 20); do
	(exec 3<>"/dev/tcp/127.0.0.1/$KPORT") 2>/dev/null || break
	KPORT=$((KPORT + 1))
done
export PGOPTIONS="-c client_min_messages=warning"
# Kon Tum's chisod and the national cluster, stopped by the cleanup too.
# All three clusters at once: each stop waits for its shutdown checkpoint.
stop_all() {
	local c pids=()
	for c in "$T" "$KT" "$NAT"; do
		[ -f "$c/chiso.conf" ] || continue
		(CONF=$c/chiso.conf ctl db stop >/dev/null 2>&1 || true) &
		pids+=("$!")
	done
	wait "${pids[@]}"
}
trap 'rc=$?; stop_all; (exit $rc); cleanup' EXIT

# on DIR CMD...: CMD against the cluster whose chisoctl configuration is in DIR
# (Quảng Ngãi's is lib.sh's $T).
on() {
	local CONF=$1/chiso.conf
	shift
	"$@"
}
# super DIR: conninfo of the superuser of DIR's cluster.
super() { on "$1" ctl db conninfo --role superuser; }
# q DIR QUERY: as chiso_owner, search_path chiso.
q() { on "$1" sql "$2"; }
qs() { psql "$(super "$1")" -X -q -A -t -v ON_ERROR_STOP=1 -c "$2"; }

# logical DIR: wal_level = logical, then a restart.  The national side starts
# more replication workers, and sooner after one ends (200 ms, not 5 s: a
# test's first copies are a dozen small tables).
logical() {
	qs "$1" "ALTER SYSTEM SET wal_level = logical" >/dev/null
	qs "$1" "ALTER SYSTEM SET max_logical_replication_workers = 8" >/dev/null
	qs "$1" "ALTER SYSTEM SET max_sync_workers_per_subscription = 3" >/dev/null
	qs "$1" "ALTER SYSTEM SET wal_retrieve_retry_interval = '200ms'" >/dev/null
	on "$1" ctl db stop >/dev/null
	on "$1" ctl db start >/dev/null
}

say "province 51 (Quảng Ngãi), province 62 (Kon Tum) and the national database"
setup_database # 51 in $T: units, catalogue
(
	on "$KT" ctl db init --dir "$KT/var" >/dev/null
	sed -i "s|tcp://127.0.0.1:7460|tcp://127.0.0.1:$KPORT|" "$KT/chiso.conf"
	on "$KT" ctl db migrate >/dev/null
	# Kon Tum before the reform: the province, its districts and communes.
	awk -F, 'NR == 1 || $1 == "62" || $4 == "62" { print; if (NR > 1 && $4 == "62") d[$1] = 1; next }
		 $4 in d { print }' "$UNITS/vn_units_all.csv" >"$KT/units.csv"
	on "$KT" ctl units import "$KT/units.csv" >/dev/null
	on "$KT" ctl catalog load "$CHISO_SOURCE_DIR/config/catalog.conf" >/dev/null
) >"$KT/setup.log" 2>&1 &
KT_SETUP=$!
(
	on "$NAT" ctl db init --dir "$NAT/var" >/dev/null
	on "$NAT" ctl db migrate >/dev/null
	logical "$NAT"
) >"$NAT/setup.log" 2>&1 &
NAT_SETUP=$!
logical "$T" >/dev/null
wait "$KT_SETUP" || fail "Kon Tum's cluster: $(cat "$KT/setup.log")"
logical "$KT" >/dev/null
wait "$NAT_SETUP" || fail "the national cluster: $(cat "$NAT/setup.log")"
say "three clusters made, with wal_level = logical"
check "Kon Tum's units (province, districts, communes)" "1:1 2:10 3:102" \
	"$(q "$KT" "SELECT string_agg(level || ':' || n, ' ' ORDER BY level)
		   FROM (SELECT level, count(*) n FROM unit GROUP BY level) x")"

say "publications on the provinces, subscriptions at the national database"
on "$T" ctl national publish 51 >"$T/pub51.out"
on "$KT" ctl national publish 62 >"$T/pub62.out"
on "$NAT" ctl national setup >/dev/null
cat "$T/pub51.out" "$T/pub62.out"
check "51 offers its units, no values yet" \
	"national: publication chiso_national offers 184 unit versions and 0 values as origin 51" \
	"$(head -n 1 "$T/pub51.out")"
for p in "$T:51" "$KT:62"; do
	dir=${p%:*} code=${p#*:}
	qs "$dir" "CREATE ROLE chiso_national LOGIN REPLICATION PASSWORD 'nat-$code'" >/dev/null
	# the grants it gives when the role exists
	on "$dir" ctl national publish "$code" >/dev/null
	# the province's socket, port and database, as the replication role
	ci=$(super "$dir" | sed -e 's/dbname=[^ ]*/dbname=chiso/' -e 's/user=[^ ]*/user=chiso_national/' \
		-e "s/password=[^ ]*/password=nat-$code/")
	psql "$(super "$NAT" | sed 's/dbname=[^ ]*/dbname=chiso/')" -X -q -v ON_ERROR_STOP=1 \
		-c "CREATE SUBSCRIPTION chiso_$code CONNECTION '$ci' PUBLICATION chiso_national" >/dev/null
done

# Quảng Ngãi's chisod is lib.sh's; Kon Tum's runs beside it on its own port.
start_chisod
"$CHISO_BIN/chisod" -f "$KT/chiso.conf" 2>>"$KT/chisod.log" &
BG_PIDS+=("$!")
for _ in $(seq 400); do grep -q 'ready:' "$KT/chisod.log" 2>/dev/null && break; sleep 0.05; done
grep -q 'ready:' "$KT/chisod.log" || fail "Kon Tum's chisod not ready"
make_agent qng 51
T=$KT CONF=$KT/chiso.conf PORT=$KPORT make_agent ktm 62

# values PROVINCE-DIR: a CSV of every commune's population and internet users
# for 2024S1 (figures from the code, so that each commune differs).
values() {
	echo unit,indicator,period,value
	q "$1" "SELECT code || ',population,2024S1,' || (1000 + code::int % 977) || E'\n'
		    || code || ',internet_users,2024S1,' || (300 + code::int % 311)
		FROM unit WHERE tier = 'commune' ORDER BY code"
}
values "$T" >"$T/qng.csv"
values "$KT" >"$T/ktm.csv"
agent qng submit "$T/qng.csv" >/dev/null
T=$KT agent ktm submit "$T/ktm.csv" >/dev/null
agent qng run --until-empty --timeout 60 >"$T/qng.log" 2>&1 || fail "51 not delivered: $(cat "$T/qng.log")"
T=$KT agent ktm run --until-empty --timeout 60 >"$T/ktm.log" 2>&1 || fail "62 not delivered: $(cat "$T/ktm.log")"
sent=$(($(wc -l <"$T/qng.csv") + $(wc -l <"$T/ktm.csv") - 2))
stored51=$(q "$T" "SELECT count(*) FROM observation")
stored62=$(q "$KT" "SELECT count(*) FROM observation")

# rollups DIR [WHERE]: every rollup row by natural keys, sorted.
rollups() {
	q "$1" "SELECT u.code, u.valid_from, i.code, p.code, trim_scale(r.value), trim_scale(r.numerator),
		       trim_scale(r.denominator), r.qualifier, r.reporting_units, r.expected_units,
		       r.on_time_units, r.periods_reported, r.periods_expected
		FROM rollup r JOIN unit u ON u.id = r.unit_id JOIN indicator i ON i.id = r.indicator_id
		JOIN period p ON p.id = r.period_id ${2:-} ORDER BY 1, 2, 3, 4"
}
# until_national WHAT SECONDS: until the national rollups of the provinces are theirs.
until_national() {
	local i
	rollups "$T" >"$T/r51"
	rollups "$KT" >"$T/r62"
	sort "$T/r51" "$T/r62" >"$T/rprov"
	for i in $(seq $((10 * $2))); do
		rollups "$NAT" "WHERE u.code <> '00'" | sort >"$T/rnat"
		cmp -s "$T/rprov" "$T/rnat" && return 0
		sleep 0.1
	done
	diff "$T/rprov" "$T/rnat" | head -n 20
	fail "$1: the national rollups differ from the provinces' after $2 s"
}
until_national "first copy and the pushed values" 60
nat_obs=$(q "$NAT" "SELECT count(*) FROM observation")
say "sent $sent values; stored 51: $stored51, 62: $stored62; national: $nat_obs"
check "national observations = the provinces'" "$((stored51 + stored62))" "$nat_obs"
check "sent = stored" "$sent" "$((stored51 + stored62))"
check "rollup rows of the provinces, the same at the national database" \
	"$(wc -l <"$T/rprov")" "$(wc -l <"$T/rnat")"
check "pending keys at the national database" 0 "$(q "$NAT" "SELECT count(*) FROM national.pending")"

say "the nation's figures = the sum of the provinces' published figures"
on "$T" ctl report publish --period 2024S1 --unit 51 >/dev/null
on "$KT" ctl report publish --period 2024S1 --unit 62 >/dev/null
# published DIR UNIT INDICATOR: value reporting/expected on-time of the publication
published() {
	q "$1" "SELECT trim_scale(r.value) || ' ' || r.reporting_units || '/' || r.expected_units
		       || ' ' || r.on_time_units
		FROM publication_row r JOIN publication p ON p.id = r.publication_id
		WHERE p.unit_code = '$2' AND r.unit_code = '$2' AND r.indicator_code = '$3'"
}
nation() {
	q "$NAT" "SELECT trim_scale(r.value) || ' ' || r.reporting_units || '/' || r.expected_units
		       || ' ' || r.on_time_units
		FROM rollup r JOIN unit u ON u.id = r.unit_id JOIN indicator i ON i.id = r.indicator_id
		JOIN period p ON p.id = r.period_id
		WHERE u.code = '00' AND i.code = '$1' AND p.code = '$2'"
}
# sum of "v r/e o" strings
add() { awk '{ split($2, a, "/"); v += $1; r += a[1]; e += a[2]; o += $3 } END { print v " " r "/" e " " o }'; }
for ind in population internet_users; do
	p51=$(published "$T" 51 "$ind")
	p62=$(published "$KT" 62 "$ind")
	say "$ind 2024S1: 51 published $p51; 62 published $p62; nation $(nation "$ind" 2024S1)"
	check "nation's $ind = 51 + 62" "$(printf '%s\n%s\n' "$p51" "$p62" | add)" "$(nation "$ind" 2024S1)"
done
# chisoctl report at the national database, for the nation (unit 00)
on "$NAT" ctl report --period 2024S1 --unit 00 --format csv >"$T/nation.csv"
check "chisoctl report --unit 00: population" "$(nation population 2024S1 | cut -d' ' -f1)" \
	"$(awk -F, '$1 == "00" && $4 == "population" { print $7 }' "$T/nation.csv")"
pct=$(q "$NAT" "SELECT round(r.value, 4) FROM rollup r JOIN unit u ON u.id = r.unit_id
		JOIN indicator i ON i.id = r.indicator_id JOIN period p ON p.id = r.period_id
		WHERE u.code = '00' AND i.code = 'internet_users_pct' AND p.code = '2024S1'")
check "nation's internet_users_pct = its sums' ratio" \
	"$(q "$NAT" "SELECT round($(nation internet_users 2024S1 | cut -d' ' -f1) * 100.0
			       / $(nation population 2024S1 | cut -d' ' -f1), 4)")" "$pct"
on "$NAT" ctl rollup verify >"$T/verify.out" 2>&1 || true
say "$(tail -n 1 "$T/verify.out")"
check "national rollup verify (maintained = rebuild = direct): differences" 0 \
	"$(sed -n 's/.*: \([0-9]*\) difference.*/\1/p' "$T/verify.out")"

say "corrections at the provinces reach the nation: lag from provincial commit to national rollup"
lags=()
for k in 1 2 3 4 5; do
	if [ $((k % 2)) -eq 1 ]; then dir=$T name=qng unit=$(sed -n 2p "$T/qng.csv" | cut -d, -f1)
	else dir=$KT name=ktm unit=$(sed -n 2p "$T/ktm.csv" | cut -d, -f1); fi
	v=$((50000 + k))
	printf 'unit,indicator,period,value\n%s,population,2024S1,%s\n' "$unit" "$v" >"$T/fix$k.csv"
	T=$dir agent "$name" submit "$T/fix$k.csv" >/dev/null
	T=$dir agent "$name" run --until-empty --timeout 60 >"$T/fix$k.log" 2>&1 ||
		fail "correction $k not delivered: $(cat "$T/fix$k.log")"
	for _ in $(seq 300); do
		[ "$(q "$NAT" "SELECT o.value FROM observation o JOIN unit u ON u.id = o.unit_id
			JOIN indicator i ON i.id = o.indicator_id
			WHERE u.code = '$unit' AND i.code = 'population'")" = "$v" ] && break
		sleep 0.05
	done
	# the province's commit (its transaction's time) to the national settle that applied it
	lag=$(q "$NAT" "SELECT round(extract(epoch FROM l.at - o.updated_at)::numeric, 3)
		FROM observation o JOIN unit u ON u.id = o.unit_id JOIN indicator i ON i.id = o.indicator_id
		JOIN batch b ON b.id = o.batch_id
		JOIN national.settle_log l ON l.origin_commit = o.updated_at
		WHERE u.code = '$unit' AND i.code = 'population' ORDER BY l.id DESC LIMIT 1")
	[ -n "$lag" ] || fail "correction $k ($unit = $v) did not reach the national database in 15 s"
	lags+=("$lag")
done
until_national "after the corrections" 30
say "lag (s) of 5 corrections: ${lags[*]}; $(printf '%s\n' "${lags[@]}" | sort -n |
	awk '{ a[NR] = $1 } END { printf "median %s, max %s", a[int((NR + 1) / 2)], a[NR] }')"
check "nation's population after the corrections = 51 + 62" \
	"$(printf '%s\n%s\n' "$(rollups "$T" "WHERE u.code = '51' AND i.code = 'population' AND p.code = '2024S1'" |
		awk -F'|' '{ print $5 " " $9 "/" $10 " " $11 }')" \
		"$(rollups "$KT" "WHERE u.code = '62' AND i.code = 'population' AND p.code = '2024S1'" |
		awk -F'|' '{ print $5 " " $9 "/" $10 " " $11 }')" | add)" "$(nation population 2024S1)"
say "1 July 2025: Kon Tum merges into Quảng Ngãi, which reports for both under code 51"
# Quảng Ngãi's new structure (96 communes, Kon Tum's among them) and its
# crosswalk; Kon Tum's database ends its tree on the day (docs/scaling.md §3:
# chisoctl has no command for that yet).
on "$T" ctl units import "$UNITS/quang_ngai_units_2025.csv" --valid-from 2025-07-01 >/dev/null
on "$T" ctl units crosswalk import "$UNITS/crosswalk_quang_ngai_2025.csv" >/dev/null
q "$KT" "UPDATE unit SET valid_to = '2025-07-01' WHERE valid_to = 'infinity';
	 SELECT unit_closure_rebuild(); SELECT rollup_rebuild();" >/dev/null
q "$T" "SELECT code || ',population,2025S2,' || (2000 + code::int % 977)
	FROM unit WHERE tier = 'commune' AND valid_from = '2025-07-01' ORDER BY code" |
	sed '1i unit,indicator,period,value' >"$T/qng2025.csv"
agent qng submit "$T/qng2025.csv" >/dev/null
agent qng run --until-empty --timeout 60 >"$T/qng2025.log" 2>&1 ||
	fail "51's 2025S2 not delivered: $(cat "$T/qng2025.log")"
until_national "after the reform" 60
on "$T" ctl report publish --period 2025S2 --unit 51 >/dev/null
p51=$(published "$T" 51 population | tail -n 1)
say "population 2025S2: 51 published $p51; nation $(nation population 2025S2)"
check "nation's population 2025S2 = 51's alone (96 communes expected, none of old Kon Tum)" \
	"$p51" "$(nation population 2025S2)"
check "the nation's 2024S1 did not move (two provinces, 295 expected)" "295" \
	"$(nation population 2024S1 | sed 's/.*\/\([0-9]*\) .*/\1/')"
# A series across the reform: 2024S1 re-expressed on the structure of
# 1 July 2025 through the crosswalk, the same at the national database as at
# Quảng Ngãi (its communes of before; Kon Tum's part of Resolution 1677 is not
# in data/units, so Kon Tum's 2024 figures are not carried).
on "$T" ctl report --period 2024S1 --unit 51 --on-structure 2025-07-01 --format csv >"$T/on51.csv"
on "$NAT" ctl report --period 2024S1 --unit 51 --on-structure 2025-07-01 --format csv >"$T/onnat.csv"
# 51 and the 55 new communes made of old Quảng Ngãi's (54 and đặc khu Lý Sơn)
check "2024S1 on the 2025 structure: rows at 51" 56 "$(awk -F, '$4 == "population"' "$T/on51.csv" | wc -l)"
check "2024S1 on the 2025 structure: national = 51's" "" "$(diff "$T/on51.csv" "$T/onnat.csv")"
checks_done
