#!/usr/bin/env bash
# bench/report.sh FIGURES COMMAND: the results table (markdown) of the figures
# the benchmarks wrote ("name = value" lines), each beside its baseline from
# the same run, with the machine and the command; bench/run calls it.
set -euo pipefail
figures=$1 command=$2
cd "$(dirname "$0")/.."

f() { sed -n "s/^$1 = //p" "$figures" | tail -n 1; }
{
	printf '# chiso benchmark figures\n\n'
	printf 'Command: `%s`; %s; %s, %s cores, %s MiB; %s.\n\n' "$command" \
		"$(date -u '+%Y-%m-%d %H:%M UTC')" "$(. /etc/os-release && echo "$PRETTY_NAME")" "$(nproc)" \
		"$(free -m | awk '/^Mem:/ { print $2 }')" "$(git rev-parse --short HEAD 2>/dev/null || echo '?')"
	printf '| figure | chiso | baseline (same run) | ratio | target |\n|---|---|---|---|---|\n'
	if [ -n "$(f ingest.rows)" ]; then
		printf '| 1. ingest, %s values from %s collectors, rows/s | %s | COPY %s | %s | >= 0.5 |\n' \
			"$(f ingest.rows)" "$(f ingest.collectors)" "$(f ingest.chiso_rows_per_s)" \
			"$(f ingest.copy_rows_per_s)" "$(f ingest.chiso_over_copy)"
		printf '| 1. ingest, rows/s | %s | keyed COPY (table with only the primary key) %s | %s | >= 0.3 |\n' \
			"$(f ingest.chiso_rows_per_s)" "$(f ingest.keyed_copy_rows_per_s)" \
			"$(f ingest.chiso_over_keyed_copy)"
		printf '| 1. ingest, rows/s | %s | naive upsert %s (%s rows) | %s | >= 30 |\n' \
			"$(f ingest.chiso_rows_per_s)" "$(f ingest.naive_rows_per_s)" "$(f ingest.naive_rows)" \
			"$(f ingest.chiso_over_naive)"
		for p in 10 50; do
			printf '| 2. latency at %s %% (%s values/s offered, %s achieved), p50 / p99 ms | %s / %s | | | %s |\n' \
				"$p" "$(f latency.p$p.rate_rows_per_s)" "$(f latency.p$p.achieved_rows_per_s)" \
				"$(f latency.p$p.p50_ms)" "$(f latency.p$p.p99_ms)" \
				"$([ "$p" = 50 ] && echo 'p99 <= 1000' || echo '')"
		done
		printf '| 1. per value stored: WAL bytes / disk bytes (docs/scaling.md) | %s / %s | | | |\n' \
			"$(f ingest.wal_bytes_per_value)" "$(f ingest.disk_bytes_per_value)"
	fi
	if [ -n "$(f country.units)" ]; then
		printf '| 3. country: collectors connected / connections held | %s / %s of %s | | | all |\n' \
			"$(f country.collectors_connected)" "$(f country.connections_held)" "$(f country.units)"
		printf '| 3. country: connect s / ingest s (%s values), rows/s | %s / %s, %s | | | |\n' \
			"$(f country.values)" "$(f country.connect_seconds)" "$(f country.ingest_seconds)" \
			"$(f country.ingest_rows_per_s)"
		printf '| 3. country: chisod RSS connected / peak, MiB | %s / %s | | | <= 256 |\n' \
			"$(f country.chisod_rss_connected_mib)" "$(f country.chisod_peak_rss_mib)"
		printf '| 3. country: rollup rebuild s (%s rows) | %s | plain GROUP BY ROLLUP %s s (%s rows) | %s | <= 1.5 |\n' \
			"$(f country.rebuild_rows)" "$(f country.rebuild_seconds)" "$(f country.plain_rollup_seconds)" \
			"$(f country.plain_rollup_rows)" "$(f country.rebuild_over_plain)"
		printf '| 3. country: rollup rebuild s | %s | INSERT of the plain GROUP BY ROLLUP into an empty table with the rollup indexes %s s (%s rows) | %s | <= 1.5 |\n' \
			"$(f country.rebuild_seconds)" "$(f country.fair_rollup_seconds)" \
			"$(f country.fair_rollup_rows)" "$(f country.rebuild_over_fair)"
		printf '| 3. country: enrolment, bulk s / one chisoctl each, ms | %s / %s | | | |\n' \
			"$(f country.enrol_bulk_seconds)" "$(f country.enrol_one_by_one_ms_each)"
	fi
	if [ -n "$(f agent.values)" ]; then
		printf '| 4. agent drain of %s values, rows/s | %s | COPY %s | %s | |\n' "$(f agent.values)" \
			"$(f agent.drain_rows_per_s)" "$(f agent.copy_rows_per_s)" "$(f agent.drain_over_copy)"
		printf '| 4. agent: submit s / drain s / peak RSS MiB (chisod peak MiB) | %s / %s / %s (%s) | | | |\n' \
			"$(f agent.submit_seconds)" "$(f agent.drain_seconds)" "$(f agent.peak_rss_mib)" \
			"$(f agent.chisod_peak_rss_mib)"
	fi
}
