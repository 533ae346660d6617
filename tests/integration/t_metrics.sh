#!/usr/bin/env bash
# Prometheus metrics: chisod with metrics.listen on a free loopback port serves
# its live counters over HTTP/1.0 (libmicrohttpd).  A real agent sends a few values; the
# counters fetched with bash's /dev/tcp must match what was sent and what the
# database holds.  Bad requests get 400, 404 or 405, a flood of idle
# connections does not lock the endpoint, and chisod stays alive and exits
# cleanly (under AddressSanitizer: without leaks).
. "$(dirname "$0")/lib.sh"

setup_database

say "a configured metrics.listen that is not tcp:// stops the start"
sed 's|listen = "";|listen = "ipc:///tmp/chiso-metrics";|' "$CONF" >"$T/bad.conf"
if "$CHISO_BIN/chisod" -f "$T/bad.conf" 2>"$T/bad.log"; then fail "chisod started with ipc://"; fi
grep -q 'metrics.listen: ipc:///tmp/chiso-metrics is not a tcp:// address' "$T/bad.log" ||
	fail "no clear error: $(cat "$T/bad.log")"

metrics_listen
start_chisod
grep -q "metrics: Prometheus text on tcp://127.0.0.1:$MPORT" "$T/chisod.log" ||
	fail "chisod did not say where the metrics are"

# http BYTES: sends BYTES to the metrics port and prints the whole answer (the
# server closes the connection after it).
http() {
	timeout 10 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" && printf "%s" "$2" >&3 && cat <&3' \
		_ "$MPORT" "$1"
}

# scrape FILE: GET /metrics into FILE (the body), checking the status and headers.
scrape() {
	http $'GET /metrics HTTP/1.0\r\nHost: localhost\r\n\r\n' >"$1.raw"
	head -n 1 "$1.raw" | grep -q $'^HTTP/1.0 200 OK\r$' || fail "status: $(head -n 1 "$1.raw")"
	grep -q $'^Content-Type: text/plain; version=0.0.4; charset=utf-8\r$' "$1.raw" ||
		fail "no Prometheus content type"
	sed '1,/^\r$/d' "$1.raw" >"$1"
	local length
	length=$(sed -n $'s/^Content-Length: \\([0-9]*\\)\r$/\\1/p' "$1.raw")
	assert_eq "Content-Length" "$(wc -c <"$1")" "$length"
}

# metric FILE SAMPLE: the value of one sample ("chiso_db_up", "x{l=\"v\"}").
metric() {
	awk -v s="$2" '$1 == s { print $2 }' "$1"
}

say "before any agent"
scrape "$T/m0"
assert_eq "db up" 1 "$(metric "$T/m0" chiso_db_up)"
assert_eq "rows accepted" 0 "$(metric "$T/m0" chiso_rows_accepted_total)"
assert_eq "build info" 1 "$(awk '$1 ~ /^chiso_build_info\{version="/ { print $2 }' "$T/m0")"

say "an agent sends three good rows and one from the future"
make_agent xa-21298 21298
cat >"$T/values.csv" <<'CSV'
unit,indicator,period,value
21298,population,2024,5000
21298,internet_users,2024,264
21298,staff_total,2024,9
21298,population,2031,5000
CSV
agent xa-21298 submit "$T/values.csv"
agent xa-21298 run --until-empty --timeout 60
stored=$(sql "SELECT count(*) FROM observation")
assert_eq "rows stored" 3 "$stored"

scrape "$T/m1"
assert_eq "rows received" 4 "$(metric "$T/m1" chiso_rows_received_total)"
assert_eq "rows accepted = rows stored" "$stored" "$(metric "$T/m1" chiso_rows_accepted_total)"
assert_eq "rows rejected" 1 "$(metric "$T/m1" chiso_rows_rejected_total)"
assert_eq "rejections by reason" 1 "$(metric "$T/m1" 'chiso_rejections_total{reason="future_period"}')"
assert_eq "batches committed" 1 "$(metric "$T/m1" chiso_batches_committed_total)"
assert_eq "batches received" 1 "$(metric "$T/m1" chiso_batches_received_total)"
assert_eq "pending rows" 0 "$(metric "$T/m1" chiso_pending_rows)"
assert_eq "collectors enrolled" 1 "$(metric "$T/m1" chiso_collectors_enrolled)"
assert_eq "collector's rows" 4 "$(metric "$T/m1" 'chiso_collector_rows_total{collector="xa-21298"}')"
assert_eq "collector's refused rows" 1 \
	"$(metric "$T/m1" 'chiso_collector_rejected_rows_total{collector="xa-21298"}')"
assert_eq "collector connected" 1 "$(metric "$T/m1" 'chiso_collector_connected{collector="xa-21298"}')"
# as the agent reported it in its HELLO, before the batch went
assert_eq "collector's backlog" 1 \
	"$(metric "$T/m1" 'chiso_collector_backlog_batches{collector="xa-21298"}')"
[ "$(metric "$T/m1" chiso_commits_total)" -ge 1 ] || fail "no commit counted"
[ "$(metric "$T/m1" chiso_last_commit_time_seconds)" -ge "$(($(date +%s) - 120))" ] ||
	fail "last commit time: $(metric "$T/m1" chiso_last_commit_time_seconds)"
[ "$(metric "$T/m1" 'chiso_handshakes_total{result="accepted"}')" -ge 1 ] ||
	fail "no accepted handshake counted"
grep -q '^# TYPE chiso_rows_accepted_total counter$' "$T/m1" || fail "no TYPE line"
# Prometheus' own linter (names, types, units, HELP): no complaint at all
promtool check metrics <"$T/m1" >"$T/promtool.out" 2>&1 || true
[ ! -s "$T/promtool.out" ] || fail "promtool check metrics: $(cat "$T/promtool.out")"
echo "ok: promtool check metrics: no complaint on $(grep -c '^# TYPE' "$T/m1") metrics"

say "bad requests are answered and closed"
status() {
	http "$1" | head -n 1 | tr -d '\r'
}
assert_eq "GET /" "HTTP/1.0 200 OK" "$(status $'GET / HTTP/1.1\r\nHost: x\r\n\r\n')"
assert_eq "unknown path" "HTTP/1.0 404 Not Found" "$(status $'GET /nope HTTP/1.0\r\n\r\n')"
assert_eq "POST" "HTTP/1.0 405 Method Not Allowed" "$(status $'POST /metrics HTTP/1.0\r\n\r\n')"
# Malformed requests are refused by libmicrohttpd itself, in its own words:
# only the class of the answer is ours to check.  A request larger than a
# connection's memory is refused and closed with bytes still unread, so the
# kernel may reset the connection before the answer is read: then the check
# is that the connection ended at once rather than waiting for more.
refused() {
	local got t0=$SECONDS
	got=$(status "$2" 2>/dev/null || true)
	if [ -z "$got" ] && [ "${3-}" = reset-ok ] && [ $((SECONDS - t0)) -lt 5 ]; then
		echo "ok: $1 = connection reset"
		return
	fi
	[[ $got =~ ^HTTP/1\.[01]\ 4[0-9][0-9]\  ]] || fail "$1: expected a 4xx answer, got [$got]"
	echo "ok: $1 = $got"
}
refused "garbage" $'hello there\r\n\r\n'
refused "5000 bytes without an end" "$(head -c 5000 /dev/zero | tr '\0' A)" reset-ok
# A connection that says nothing and leaves.
(exec 3<>"/dev/tcp/127.0.0.1/$MPORT") || fail "cannot connect"

say "forty idle connections do not lock the endpoint"
idle=()
for _ in $(seq 40); do
	exec {fd}<>"/dev/tcp/127.0.0.1/$MPORT"
	idle+=("$fd")
done
assert_eq "GET with 40 idle connections open" "HTTP/1.0 200 OK" \
	"$(status $'GET /metrics HTTP/1.0\r\n\r\n')"
for fd in "${idle[@]}"; do exec {fd}>&-; done

say "chisod is alive and its counters did not move"
kill -0 "$CHISOD_PID" || fail "chisod died"
scrape "$T/m2"
assert_eq "rows accepted after the bad requests" "$stored" \
	"$(metric "$T/m2" chiso_rows_accepted_total)"
assert_eq "bad messages" 0 "$(metric "$T/m2" chiso_bad_messages_total)"

say "chisoctl status: a fresh record, exit status 0"
rc=0
ctl status --json >"$T/status.json" || rc=$?
[ "$rc" -eq 0 ] || { cat "$T/status.json"; fail "chisoctl status --json exited $rc"; }
grep -q '"stale": false' "$T/status.json" || fail "status record: $(grep -E 'age_s|stale' "$T/status.json")"
grep -q '"db": "up"' "$T/status.json" || fail "status record: database not up"
ctl status >"$T/status.txt" || fail "chisoctl status exited with an error"
! grep -q STALE "$T/status.txt" || fail "$(head -n 1 "$T/status.txt")"

say "a reload applies what it can and names what needs a restart"
sed -i -e 's/heartbeat_ms = [0-9]*;/heartbeat_ms = 12000;/' \
	-e 's/commit_max_rows = [0-9]*;/commit_max_rows = 3000;/' "$CONF"
before=$(grep -c 'configuration reloaded' "$T/chisod.log" || true)
kill -HUP "$CHISOD_PID"
for _ in $(seq 100); do
	[ "$(grep -c 'configuration reloaded' "$T/chisod.log" || true)" -gt "$before" ] && break
	sleep 0.05
done
assert_eq "reloads logged" $((before + 1)) "$(grep -c 'configuration reloaded' "$T/chisod.log")"
grep -q 'reload: server.heartbeat_ms changed in .*next restart' "$T/chisod.log" ||
	fail "no warning names server.heartbeat_ms"
assert_eq "keys named as needing a restart" 1 "$(grep -c 'reload: .* changed in' "$T/chisod.log")"
kill -0 "$CHISOD_PID" || fail "chisod died on reload"
stop_chisod
