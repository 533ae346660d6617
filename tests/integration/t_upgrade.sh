#!/usr/bin/env bash
# Upgrade rehearsal (docs/operations.md section 8): the schema and data of the
# previous release, upgraded by this tree's `chisoctl db migrate`.
#
# The previous release (its tag, else its commit, both in tests/data/previous-
# release) is built from `git archive` into a cache outside the source tree,
# keyed by its commit, so that only the first run pays for the build.  Its
# chisoctl makes the schema; its chisod and agents push figures, a refused row,
# a correction (history) and a publication, and leave one agent with a backlog.
# Then this tree's chisoctl migrates, and what the analyst reads (figures,
# history, publications, refusals, the published report) must be the same to
# the byte; this tree's chisod and agents push more, the old backlog among it.
# Counts sent / stored / refused / lost / duplicated, and `rollup verify`.
# Last, a migration that fails half-way rolls back whole, naming file, line
# and statement.  Skips (77) when the source is no git checkout with that
# commit (a tarball build).
set -euo pipefail
: "${CHISO_SOURCE_DIR:?run through ctest (CHISO_SOURCE_DIR unset)}"
SRC=$CHISO_SOURCE_DIR
# a checkout owned by another user than the one running the tests is still ours to read
g() { git -c safe.directory='*' -C "$SRC" "$@"; }
if ! g rev-parse --git-dir >/dev/null 2>&1; then
	echo "skip: $SRC is not a git checkout: the previous release cannot be built"
	exit 77
fi
# "TAG COMMIT" of the previous release, in one place
read -r TAG RELEASE < <(grep -v '^#' "$SRC/tests/data/previous-release") || true
[ -n "${RELEASE:-}" ] || { echo "FAIL: no 'TAG COMMIT' line in tests/data/previous-release" >&2; exit 1; }
FROM="tests/data/previous-release"
if tagged=$(g rev-parse -q --verify "$TAG^{commit}" 2>/dev/null); then
	[ "$tagged" = "$RELEASE" ] || echo "note: tag $TAG is $tagged, not $RELEASE: the tag wins"
	RELEASE=$tagged FROM="tag $TAG"
fi
if ! g cat-file -e "$RELEASE^{commit}" 2>/dev/null; then
	echo "skip: the previous release ($RELEASE, from $FROM) is not in this checkout"
	exit 77
fi

. "$(dirname "$0")/lib.sh"
START=$SECONDS
NEW_BIN=$CHISO_BIN NEW_SRC=$CHISO_SOURCE_DIR
unset CHISO_SQL_DIR CHISO_DATA_DIR

# Builds the release's three programs once into the cache; OLD is its directory
# (src/ stays: the build finds sql/ and data/ there through share/chiso).
build_release() {
	local root=/var/cache/chiso-test t0=$SECONDS
	if ! { mkdir -p "$root" && [ -w "$root" ]; } 2>/dev/null; then
		root=${CHISO_TEST_BIN:?}/release-cache
		mkdir -p "$root"
	fi
	OLD=$root/release-$RELEASE
	# the normal and the ASan runs may start together: one builds, the other waits
	exec 9>"$OLD.lock"
	flock -w 900 9 || fail "the cache $OLD stayed locked for 15 minutes"
	# a cached build whose libraries went away (an upgraded libzmq) is built again
	local rc=0
	"$OLD/build/bin/chisoctl" >/dev/null 2>&1 || rc=$?
	if [ -f "$OLD/complete" ] && [ "$rc" -lt 126 ]; then
		say "previous release ${RELEASE:0:12} ($FROM): cached in $OLD"
	else
		say "building the previous release ${RELEASE:0:12} ($FROM) into $OLD (once)"
		rm -rf "$OLD"
		mkdir -p "$OLD/src"
		g archive "$RELEASE" | tar -x -C "$OLD/src"
		# its own flags: neither the sanitizer nor the tests of this build
		if ! env -u CFLAGS -u LDFLAGS cmake -S "$OLD/src" -B "$OLD/build" \
			-DCMAKE_BUILD_TYPE=RelWithDebInfo -DCHISO_TESTS=OFF -DCHISO_SANITIZE=OFF \
			>"$OLD/build.log" 2>&1 ||
			! cmake --build "$OLD/build" -j2 --target chisod chisoctl chiso-agent \
				>>"$OLD/build.log" 2>&1; then
			tail -n 20 "$OLD/build.log"
			fail "the previous release does not build (log: $OLD/build.log)"
		fi
		touch "$OLD/complete"
		echo "built in $((SECONDS - t0)) s"
	fi
	exec 9>&-
}

# The analyst's view of every kind of data, one line per kind: rows and checksum.
snapshot() {
	local q kind
	for kind in observation history publication rejection; do
		case $kind in
		observation) q="SELECT unit_code, indicator_code, period, value, qualifier, collector,
				       batch_seq, updated_at, note FROM v_observation" ;;
		history) q="SELECT unit_code, indicator_code, period, old_value, new_value, collector,
				   changed_at, applied, batch_seq, row_no, note FROM v_history" ;;
		publication) q="SELECT p.id, p.period, p.unit_code, p.version, p.published_at, p.nrows,
				       (SELECT count(*) FROM publication_row r WHERE r.publication_id = p.id),
				       (SELECT count(*) FROM publication_seal s WHERE s.publication_id = p.id)
				  FROM publication p" ;;
		rejection) q="SELECT collector, received_at, unit_code, indicator_code, period_code,
				     value_text, reason, message, batch_seq, row_no FROM v_rejection" ;;
		esac
		echo "$kind $(sql "SELECT count(*) || ' rows, md5 ' || md5(coalesce(string_agg(t::text,
			E'\n' ORDER BY t::text), '')) FROM ($q) t")"
	done
}

# Tables, columns, functions, indexes, constraints and triggers of schema chiso.
schema_sum() {
	sql "SELECT count(*) || ' objects, md5 ' || md5(string_agg(x, E'\n' ORDER BY x)) FROM (
		SELECT 'col ' || table_name || '.' || column_name || ' ' || data_type || ' '
		       || is_nullable || ' ' || coalesce(column_default, '')
		  FROM information_schema.columns WHERE table_schema = 'chiso'
		UNION ALL SELECT 'fn ' || oid::regprocedure::text || ' ' || md5(prosrc)
		  FROM pg_proc WHERE pronamespace = 'chiso'::regnamespace
		UNION ALL SELECT 'idx ' || indexdef FROM pg_indexes WHERE schemaname = 'chiso'
		UNION ALL SELECT 'con ' || conrelid::regclass::text || ' ' || pg_get_constraintdef(oid)
		  FROM pg_constraint WHERE connamespace = 'chiso'::regnamespace
		UNION ALL SELECT 'trg ' || tgrelid::regclass::text || ' ' || tgname
		  FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
		 WHERE c.relnamespace = 'chiso'::regnamespace AND NOT tgisinternal) s(x)"
}

# deliver NAME: the agent's outbox to chisod, 30 s at most.
deliver() {
	agent "$1" run --until-empty --timeout 30 >"$T/run-$1.log" 2>&1 ||
		fail "$1 did not deliver: $(tail -n 5 "$T/run-$1.log")"
}

# pending NAME: the rows still in the agent's outbox.
pending() {
	agent "$1" status | sed -n 's/^pending: *[0-9.]* batch[a-z]*, \([0-9.]*\) rows.*/\1/p' | tr -d .
}

build_release

say "the previous release makes the schema and takes data"
CHISO_BIN=$OLD/build/bin CHISO_SOURCE_DIR=$OLD/src
setup_database
start_chisod
B=$(sql "SELECT code FROM unit WHERE tier = 'commune' AND code <> '21298' ORDER BY code LIMIT 1")
make_agent xa-21298 21298
make_agent xa-b "$B"
cat >"$T/old.csv" <<'CSV'
unit,indicator,period,value
21298,population,2022,4900
21298,population,2023,4950
21298,internet_users,2023,240
21298,procedures_total,2023,105
21298,procedures_online,2023,90
21292,procedures_total,2023,80
CSV
printf 'unit,indicator,period,value\n21298,population,2023,4980\n' >"$T/correction.csv"
cat >"$T/backlog.csv" <<CSV
unit,indicator,period,value
$B,population,2023,3100
$B,internet_users,2023,150
$B,procedures_total,2023,70
CSV
agent xa-21298 submit "$T/old.csv" >/dev/null
agent xa-21298 submit "$T/correction.csv" >/dev/null
deliver xa-21298
ctl report publish --period 2023 --unit 51 >/dev/null
ctl report --period 2023 --unit 51 --published --format csv >"$T/published-old.csv"
# queued under the old version, delivered to the new daemon
agent xa-b submit "$T/backlog.csv" >/dev/null
assert_eq "the old agent's backlog" 3 "$(pending xa-b)"
snapshot | tee "$T/before.txt"
stop_chisod

say "this tree's chisoctl db migrate"
CHISO_BIN=$NEW_BIN CHISO_SOURCE_DIR=$NEW_SRC
ctl db migrate 2>&1 | tee "$T/migrate.log"
numbered=$(find "$NEW_SRC/sql" -maxdepth 1 -name '[0-9][0-9][0-9]_*.sql' | wc -l)
check "numbered migrations recorded" "$numbered" "$(sql "SELECT count(*) FROM schema_migration")"
"$CHISO_BIN/chisod" -f "$CONF" -n >"$T/chisod-n.log" 2>&1 ||
	fail "the new chisod refuses the configuration: $(cat "$T/chisod-n.log")"
echo "ok: the new chisod -n takes the previous release's configuration"
snapshot | tee "$T/after.txt"
while read -r kind before; do
	check "$kind after the migration" "$before" "$(grep "^$kind " "$T/after.txt" | cut -d' ' -f2-)"
done <"$T/before.txt"
ctl report --period 2023 --unit 51 --published --format csv >"$T/published-new.csv" ||
	fail "the new chisoctl refuses the old publication"
check_that "the old publication prints the same with the new chisoctl" \
	cmp -s "$T/published-old.csv" "$T/published-new.csv"

say "this tree's chisod and agents push more"
start_chisod
deliver xa-b
cat >"$T/new.csv" <<'CSV'
unit,indicator,period,value
21298,population,2024,5010
21298,procedures_total,2024,110
21298,procedures_online,2023,95
21292,procedures_total,2024,85
CSV
agent xa-21298 submit "$T/new.csv" >/dev/null
deliver xa-21298
stop_chisod

# every row sent once; the final value of each (unit, indicator, period)
sent=14 sent_valid=12 sent_refused=2
cat >"$T/expected.txt" <<EXP
21298|internet_users|2023|240
21298|population|2022|4900
21298|population|2023|4980
21298|population|2024|5010
21298|procedures_online|2023|95
21298|procedures_total|2023|105
21298|procedures_total|2024|110
$B|internet_users|2023|150
$B|population|2023|3100
$B|procedures_total|2023|70
EXP
sort -o "$T/expected.txt" "$T/expected.txt"
sql "SELECT unit_code, indicator_code, period, trim_scale(value) FROM v_observation" |
	sort >"$T/stored.txt"
stored=$(wc -l <"$T/stored.txt")
lost=$(comm -23 "$T/expected.txt" "$T/stored.txt" | wc -l)
unexpected=$(comm -13 "$T/expected.txt" "$T/stored.txt" | wc -l)
refused=$(sql "SELECT count(*) FROM v_rejection")
committed=$(sql "SELECT sum(rows_total) FROM batch")
history=$(sql "SELECT count(*) FROM v_history")
pending=$(($(pending xa-21298) + $(pending xa-b)))
duplicated=$((committed - sent + history - sent_valid))
echo "figures: sent $sent, pending $pending, stored $stored (history $history), refused $refused," \
	"lost $lost, duplicated $duplicated, unexpected $unexpected"
check "pending in the outboxes" 0 "$pending"
check "lost" 0 "$lost"
check "duplicated" 0 "$duplicated"
check "unexpected" 0 "$unexpected"
check "refused" "$sent_refused" "$refused"
check "publications" 1 "$(sql "SELECT count(*) FROM publication")"
if ctl rollup verify >"$T/verify.txt" 2>&1; then
	echo "ok: $(tail -n 1 "$T/verify.txt")"
else
	head -n 20 "$T/verify.txt"
	check_failed "rollup verify found differences"
fi

say "a migration that fails half-way rolls back whole"
mkdir "$T/sql"
cp -L "$NEW_SRC"/sql/*.sql "$T/sql/"
last=$(find "$T/sql" -maxdepth 1 -name '[0-9][0-9][0-9]_*.sql' -printf '%f\n' | sort | tail -n 1)
good=$(printf '%03d' $((10#${last:0:3} + 1)))_upgrade_good.sql
bad=$(printf '%03d' $((10#${last:0:3} + 2)))_upgrade_broken.sql
echo "CREATE TABLE upgrade_probe (id int PRIMARY KEY);" >"$T/sql/$good"
printf -- '-- a step that fails on its third line\nALTER TABLE upgrade_probe ADD COLUMN note text;\nCREATE TABL upgrade_broken (id int);\n' >"$T/sql/$bad"
# and a changed repeatable file: the run would re-apply them all after the steps
echo "-- changed" >>"$T/sql/R_90_grants.sql"
schema_before=$(schema_sum)
steps="SELECT count(*) || ' steps, md5 ' || md5(string_agg(version || ' ' || name || ' '
	|| checksum, ',' ORDER BY version)) FROM schema_migration"
steps_before=$(sql "$steps")
if CHISO_SQL_DIR=$T/sql ctl db migrate >"$T/broken.log" 2>&1; then
	fail "a migration with a syntax error succeeded"
fi
cat "$T/broken.log"
check_that "the error names the file and line" grep -qF "$bad:3: syntax error" "$T/broken.log"
check_that "the error quotes the statement" \
	grep -qF 'statement `CREATE TABL upgrade_broken (id int);`' "$T/broken.log"
check_that "the error says the run rolled back whole" grep -qF "rolled back whole" "$T/broken.log"
check "schema after the failed migration" "$schema_before" "$(schema_sum)"
check "migrations recorded after the failed migration" "$steps_before" "$(sql "$steps")"
check "the table of the undone step $good" none \
	"$(sql "SELECT coalesce(to_regclass('chiso.upgrade_probe')::text, 'none')")"
# an error without a position (a data step): the statement is found by counting
printf -- '-- a data step that fails in its third statement\nUPDATE upgrade_probe SET id = id;\nDO $$ BEGIN PERFORM 1; END $$;\nUPDATE observation\n   SET value = value / 0;\n' >"$T/sql/$bad"
if CHISO_SQL_DIR=$T/sql ctl db migrate >"$T/broken.log" 2>&1; then
	fail "a migration dividing by zero succeeded"
fi
cat "$T/broken.log"
check_that "a data step's error names file, line and statement" grep -qF \
	"$bad:4: division by zero; statement \`UPDATE observation\`; rolled back whole" "$T/broken.log"
check "schema after the second failed migration" "$schema_before" "$(schema_sum)"
check "migrations recorded after the second failed migration" "$steps_before" "$(sql "$steps")"

say "the fixed migration applies, and the data stay"
# today's tree has no migration after the previous release's: this is where a
# numbered step and the repeatable files run over the old data
snapshot >"$T/before-fix.txt"
rm "$T/sql/$bad"
CHISO_SQL_DIR=$T/sql ctl db migrate 2>&1 | tee "$T/fixed.log"
check_that "the step and the repeatable files applied" grep -qx "2 migrations applied" "$T/fixed.log"
check "the data after a real migration" "$(cat "$T/before-fix.txt")" "$(snapshot)"
check "a second run" "database schema is up to date" \
	"$(CHISO_SQL_DIR=$T/sql ctl db migrate 2>/dev/null)"
checks_done
echo "t_upgrade: $((SECONDS - START)) s"
