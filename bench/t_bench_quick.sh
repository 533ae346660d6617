#!/usr/bin/env bash
# integration.t_bench_quick: every benchmark at small sizes (bench/run
# --quick), so that the benchmarks keep working.  It asserts what each
# benchmark counted (values stored = values sent, collectors connected, rollups
# verified: the benchmark scripts assert those themselves) and that every
# figure was produced; never a speed.
set -euo pipefail
: "${CHISO_SOURCE_DIR:?run through ctest (CHISO_SOURCE_DIR unset)}"
: "${CHISO_BIN:?run through ctest (CHISO_BIN unset)}"
# Under AddressSanitizer a benchmark measures the sanitizer, and the code it
# drives (chisod, the agent, the SQL) is what the integration tests already
# run under it; the build without sanitizers runs this test.  Skipped (77)
# there, it leaves scripts/check minutes for the suites that need them.
if [ "${CHISO_SANITIZE:-OFF}" = ON ]; then
	echo "skipped under sanitizers: the benchmarks run in the normal build"
	exit 77
fi

out=$(mktemp -d /tmp/chiso-bench.XXXXXX)
trap 'rm -rf "$out"' EXIT
if ! CHISO_BUILD=$(dirname "$CHISO_BIN") BENCH_OUT=$out "$CHISO_SOURCE_DIR/bench/run" --quick; then
	for f in "$out"/*.log; do
		echo "--- last lines of $(basename "$f")"
		tail -n 40 "$f"
	done
	exit 1
fi

missing=0
for key in ingest.chiso_rows_per_s ingest.copy_rows_per_s ingest.naive_rows_per_s \
	ingest.chiso_over_copy ingest.chiso_over_naive ingest.wal_bytes_per_value ingest.disk_bytes_per_value \
	ingest.keyed_copy_rows_per_s ingest.chiso_over_keyed_copy \
	latency.p10.p99_ms latency.p50.p99_ms \
	agent.drain_rows_per_s agent.peak_rss_mib agent.copy_rows_per_s \
	country.collectors_connected country.connections_held country.chisod_peak_rss_mib \
	country.rebuild_seconds country.plain_rollup_seconds country.rebuild_over_plain \
	country.fair_rollup_seconds country.rebuild_over_fair; do
	v=$(sed -n "s/^$key = //p" "$out/figures.txt" | tail -n 1)
	if [ -z "$v" ] || [ "$v" = n/a ]; then
		echo "FAIL: no figure $key" >&2
		missing=$((missing + 1))
	fi
done
[ "$missing" -eq 0 ] || exit 1
grep -q '^| 1. ingest' "$out/results.md" || { echo "FAIL: no results table" >&2; exit 1; }
echo "ok: every benchmark ran and produced its figures"
