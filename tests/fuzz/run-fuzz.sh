#!/usr/bin/env bash
# Runs one libFuzzer target for a bounded time over a copy of its seed corpus
# and prints executions and crashes; fails if it crashed, leaked or timed out.
# usage: run-fuzz.sh TARGET SEED_CORPUS WORK_DIR SECONDS
set -u
target=$1 seeds=$2 work=$3 seconds=$4
rm -rf "$work" && mkdir -p "$work/corpus" "$work/artifacts"
cp -r "$seeds"/. "$work/corpus/" 2>/dev/null || true
log="$work/fuzz.log"
export LSAN_OPTIONS="suppressions=$(cd "$(dirname "$0")/.." && pwd)/lsan.supp:${LSAN_OPTIONS:-}"
"$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
	-print_final_stats=1 -artifact_prefix="$work/artifacts/" "$work/corpus" >"$log" 2>&1
rc=$?
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
crashes=$(find "$work/artifacts" -type f | wc -l)
printf 'fuzz %s: executions=%s crashes=%s seconds=%s exit=%s\n' \
	"$(basename "$target")" "${execs:-0}" "$crashes" "$seconds" "$rc"
if [ "$rc" -ne 0 ] || [ "$crashes" -ne 0 ]; then
	tail -n 40 "$log"
	exit 1
fi
