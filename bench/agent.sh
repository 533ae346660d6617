#!/usr/bin/env bash
# Benchmark 4 (docs/performance.md): the real chiso-agent drains a backlog.
#
# While chisod is down, one agent enrolled for the whole province queues
# VALUES values (every commune of Quảng Ngãi x 400 indicators x as many years
# as needed) with `chiso-agent submit`; then chisod starts and
# `chiso-agent run --until-empty` delivers them, under /usr/bin/time -v for
# the agent's peak RSS.  Baseline in the same run: the same rows by plain COPY
# into the same table.
#
# Run by bench/run; prints "figure:" lines and asserts counts, never speeds.
. "$CHISO_SOURCE_DIR/tests/integration/lib.sh"
. "$CHISO_SOURCE_DIR/bench/benchlib.sh"

VALUES=$(size 10000 1000000)
IND=400
TIMEOUT=$(size 300 1800)

setup_database
bench_catalog "$IND" '"commune"'
province=$(sql "SELECT code FROM unit WHERE depth = 0 ORDER BY code LIMIT 1")
make_agent drain "$province"
sql "SELECT code FROM unit WHERE tier = 'commune' ORDER BY code" >"$T/communes"
awk -v n="$VALUES" -v ni="$IND" -v w="${#IND}" '
	{ units[NR] = $1 }
	END {
		print "unit,indicator,period,value"
		for (y = 2000; k < n; y++)
			for (u = 1; u <= NR && k < n; u++)
				for (i = 1; i <= ni && k < n; i++) {
					printf "%s,f%0" w "d,%d,%d\n", units[u], i, y, (u * 1000003 + i * 7919 + y * 31) % 99991
					k++
				}
	}' "$T/communes" >"$T/backlog.csv"

say "4. agent: chisod is down; the agent queues $VALUES values"
t0=$(date +%s.%N)
agent drain submit "$T/backlog.csv"
submit_s=$(secs_since "$t0")
agent drain status | sed -n 's/^pending: */pending: /p'

say "4. chisod starts; chiso-agent run --until-empty drains the backlog"
start_chisod
t0=$(date +%s.%N)
/usr/bin/time -v -o "$T/time.txt" "$CHISO_BIN/chiso-agent" -f "$T/agents/drain/agent.conf" \
	run --until-empty --timeout "$TIMEOUT"
drain_s=$(secs_since "$t0")
assert_eq "observations stored" "$VALUES" "$(observations drain)"
pending=$(agent drain status | sed -n 's/^pending: *[0-9.]* batch[a-z]*, \([0-9.]*\) rows.*/\1/p' | tr -d .)
assert_eq "values still pending" 0 "${pending:-0}"
agent_rss=$(awk -F': ' '/Maximum resident set size/ { printf "%.1f", $2 / 1024 }' "$T/time.txt")
chisod_rss=$(rss_peak_mib "$CHISOD_PID")
stop_chisod

say "4. baseline: the same $VALUES rows by COPY into the same table"
copy_s=$(copy_baseline drain)
assert_eq "observations after COPY" "$VALUES" "$(observations drain)"
drain_rps=$(per_s "$VALUES" "$drain_s")
copy_rps=$(per_s "$VALUES" "$copy_s")
figure agent.values "$VALUES"
figure agent.submit_seconds "$submit_s"
figure agent.drain_seconds "$drain_s"
figure agent.drain_rows_per_s "$drain_rps"
figure agent.copy_rows_per_s "$copy_rps"
figure agent.drain_over_copy "$(ratio "$drain_rps" "$copy_rps")"
figure agent.peak_rss_mib "$agent_rss"
figure agent.chisod_peak_rss_mib "$chisod_rss"
