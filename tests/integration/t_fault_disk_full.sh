#!/usr/bin/env bash
# Fault suite: the agent's outbox on a small filesystem that fills up.  A
# submit that does not fit fails with a clear error and queues nothing of its
# file; what was queued before is intact; once the agent delivers and space
# returns, the same file is accepted.  Needs root (mount); skipped otherwise.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/faultlib.sh"

if [ "$(id -u)" -ne 0 ]; then
	echo "skipped: mounting a small filesystem needs root"
	exit 77
fi
fault_setup 1
MNT=$T/small
mkdir -p "$MNT"
mount -t tmpfs -o size=256k,mode=0700 tmpfs "$MNT" || { echo "skipped: cannot mount tmpfs"; exit 77; }
# set +e: under errexit `(exit $rc)` would end the trap there when the test failed, and
# chisod and the agents would outlive it (holding ctest's output open until its timeout)
trap 'rc=$?; umount "$MNT" 2>/dev/null || true; set +e; (exit $rc); cleanup' EXIT
sed -i "s|outbox_dir = \".*\";|outbox_dir = \"$MNT/outbox\";|" "$T/agents/a01/agent.conf"

# The load in files of 1 000 rows, about 90 kB of records each: two fit.
f=$T/agents/a01/load.csv
tail -n +2 "$f" >"$T/rows"
split -l 1000 -a 3 -d "$T/rows" "$T/part."
parts=()
for p in "$T"/part.[0-9][0-9][0-9]; do
	{ head -n 1 "$f"; cat "$p"; } >"$p.csv"
	rm "$p"
	parts+=("$p.csv")
done

say "submitting ${#parts[@]} files into a 256 KiB filesystem"
queued=() refused=()
for p in "${parts[@]}"; do
	if agent a01 submit "$p" >"$T/out" 2>&1; then
		queued+=("$p")
	else
		refused+=("$p")
		if [ ${#refused[@]} -eq 1 ]; then
			echo "first refusal:"
			sed 's/^/  /' "$T/out"
		fi
		grep -q 'No space left on device' "$T/out" || fail "no clear error: $(cat "$T/out")"
		grep -q 'không dòng nào của tệp này được đưa vào hàng đợi' "$T/out" || fail "partial queue? $(cat "$T/out")"
	fi
done
printf 'files queued: %d, refused for lack of space: %d\n' "${#queued[@]}" "${#refused[@]}"
[ ${#refused[@]} -gt 0 ] || fail "the filesystem never filled up"
[ ${#queued[@]} -gt 0 ] || fail "nothing fitted at all"
[ -z "$(ls -A "$MNT/outbox/pending" | grep -v '\.batch$' || true)" ] ||
	fail "leftovers in pending/: $(ls "$MNT/outbox/pending" | grep -v '\.batch$')"
agent a01 status >"$T/status" || fail "status fails on a full outbox"
sed -n 's/^pending: */pending on the full filesystem: /p' "$T/status"
grep -q ' 0 corrupt records' "$T/status" || fail "corrupt records after the disk filled: $(cat "$T/status")"

say "delivering frees the space; the refused files go in"
start_chisod
agent a01 run --until-empty --timeout 300
for p in "${refused[@]}"; do
	until agent a01 submit "$p" >"$T/out" 2>&1; do
		grep -q 'No space left on device' "$T/out" || fail "resubmit: $(cat "$T/out")"
		agent a01 run --until-empty --timeout 300
	done
done
agent a01 run --until-empty --timeout 300
fault_counts 1 "$(fault_sent)"
stop_chisod
