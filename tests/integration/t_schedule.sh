#!/usr/bin/env bash
# chisod publishes on a schedule (publish.schedule): an entry whose date has
# passed is published once figures exist, exactly once across restarts; an
# entry in the future is not; a bad entry stops `chisod -n` with its place.
. "$(dirname "$0")/lib.sh"

setup_database
sed -i 's|^\([[:space:]]*schedule = \)"";|\1"2024 51 2020-01-01, 2024S1 51 2999-12-31";|' "$CONF"
grep -q '2024 51 2020-01-01' "$CONF" || fail "cannot set publish.schedule in $CONF"

say "a bad entry is refused by chisod -n"
sed 's|2999-12-31|2999-02-30|' "$CONF" >"$T/bad.conf"
if "$CHISO_BIN/chisod" -n -f "$T/bad.conf" 2>"$T/err"; then fail "chisod -n accepted 2999-02-30"; fi
cat "$T/err"
grep -q 'publish.schedule: entry 2: not a date: "2999-02-30"' "$T/err" || fail "unclear error"

say "due, but no figures yet: nothing published, said once"
start_chisod
make_agent xa-21298 21298
cp "$CHISO_SOURCE_DIR/data/seeds/sonnham_2024.csv" "$T/"
agent xa-21298 submit "$T/sonnham_2024.csv" >/dev/null
agent xa-21298 run --until-empty --timeout 60 >/dev/null 2>&1
grep -q 'cannot publish 2024 for unit 51 yet' "$T/chisod.log" || fail "no word about the empty report"
stop_chisod

scheduled() {
	sql "SELECT count(*) FROM publication WHERE note = 'lịch công bố 2020-01-01 (chisod, publish.schedule)'"
}
say "after a restart the figures exist: published once, and once only"
for round in 1 2 3; do
	start_chisod
	for _ in $(seq 100); do
		[ "$(scheduled)" -ge 1 ] && break
		sleep 0.1
	done
	stop_chisod
	printf 'start %d: %s scheduled publication(s) of 2024 for unit 51\n' "$round" "$(scheduled)"
done
assert_eq "scheduled publications of 2024 for unit 51" 1 "$(scheduled)"
assert_eq "publications of 2024S1 (due 2999-12-31)" 0 \
	"$(sql "SELECT count(*) FROM publication WHERE note LIKE 'lịch công bố 2999%'")"
grep 'published the report of 2024 for unit 51' "$T/chisod.log"
ctl report published --period 2024 --unit 51 | tee "$T/published"
grep -q chisod "$T/published" || fail "report published does not show chisod as the publisher"
ctl report --period 2024 --unit 51 --published --format csv >"$T/frozen.csv"
[ -s "$T/frozen.csv" ] || fail "the scheduled publication cannot be read back"
