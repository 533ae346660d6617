#!/usr/bin/env bash
# Bad input is refused with a message that names it, and peer text cannot forge
# log lines (docs/security.md, "Logs cannot be forged" and "Every input has a
# range"):
#   1. chisod -n refuses server.endpoint with a port outside 1..65535, naming the
#      key and file:line;
#   2. chisoctl keygen refuses a name that would write outside --dir, and writes
#      nothing;
#   3. a HELLO whose agent string holds "\n<3>forged" and terminal escapes leaves
#      one escaped line in chisod's log, no forged line and no ESC byte;
#   4. a year outside 2000..2100 is refused, as a period and as a date, by chisod
#      and by the agent's submit, with the range in the Vietnamese message; a
#      refused value is kept in the rejection as sent (1e+16, "264"), a missing
#      one is bad_row; 2024-02-31 and 31/02/2024 are bad_date;
#   5. a body of exactly max_body is taken through CURVE, one of max_body + 1 or
#      + 256 is answered ERROR bad_body naming the limit, a larger one dropped;
#   6. a wrong frame count, another version's tag (ERROR unsupported_version), a
#      first frame that is no tag and an unknown command are each answered and
#      logged as what they are.
. "$(dirname "$0")/lib.sh"

START=$(date +%s)
ATTACK="$CHISO_TEST_BIN/chiso-attack"

setup_database

say "1. chisod -n: endpoint ports outside 1..65535"
"$CHISO_BIN/chisod" -n -f "$CONF" 2>"$T/ok.err" || fail "chisod -n refused the test's own configuration: $(cat "$T/ok.err")"
refused=0 named=0
for port in 99999 65536 0 abc; do
	sed "s|tcp://127.0.0.1:$PORT|tcp://127.0.0.1:$port|" "$CONF" >"$T/port.conf"
	grep -q "tcp://127.0.0.1:$port\"" "$T/port.conf" || fail "could not set the port in the test configuration"
	rc=0
	"$CHISO_BIN/chisod" -n -f "$T/port.conf" 2>"$T/port.err" || rc=$?
	echo "port $port: exit $rc: $(head -n 1 "$T/port.err")"
	[ "$rc" -eq 0 ] || refused=$((refused + 1))
	# file:line, the key and the range
	! grep -Eq "port\.conf:[0-9]+: server\.endpoint: .*1\.\.65535" "$T/port.err" || named=$((named + 1))
done
check "endpoint ports refused by -n" 4 "$refused"
check "refusals naming file:line, server.endpoint and 1..65535" 4 "$named"

say "2. chisoctl keygen cannot write outside --dir"
mkdir -p "$T/k/a/b"
refused=0 reasons=0
for name in ../../x ../x a/../../x .hidden; do
	rc=0
	ctl keygen "$name" --dir "$T/k/a/b" >/dev/null 2>"$T/keygen.err" || rc=$?
	echo "keygen \"$name\": exit $rc: $(head -n 1 "$T/keygen.err")"
	[ "$rc" -eq 0 ] || refused=$((refused + 1))
	! grep -q "use 1 to 64 of a-z 0-9" "$T/keygen.err" || reasons=$((reasons + 1))
done
find "$T/k" -type f | sed 's/^/written: /'
check "keygen names refused" 4 "$refused"
check "refusals giving the rule" 4 "$reasons"
check "files written by refused keygens" 0 "$(find "$T/k" -type f | wc -l)"
ctl keygen ok-1 --dir "$T/k/a/b" >/dev/null
check "files written by a valid keygen, all inside --dir" 2 "$(find "$T/k" -type f -path "$T/k/a/b/*" | wc -l)"

start_chisod
make_agent attacker 21301

say "3. a forged line in a HELLO's agent string"
"$ATTACK" "tcp://127.0.0.1:$PORT" "$T/var/keys/server.pub" log-forge "$T/agents/attacker/attacker.key" \
	>"$T/forge.out"
cat "$T/forge.out"
hello=0
for _ in $(seq 600); do
	hello=$(grep -c 'hello from chiso-agent 0.1' "$T/chisod.log" || true)
	[ "$hello" -ge 1 ] && break
	sleep 0.1
done
check "hello lines logged" 1 "$hello"
grep -A1 'hello from chiso-agent 0.1' "$T/chisod.log" | cat -v
check "log lines starting with the forged text" 0 "$(grep -c '^<3>forged' "$T/chisod.log" || true)"
check "log lines holding an ESC byte" 0 "$(grep -c $'\x1b' "$T/chisod.log" || true)"
check "log lines holding a C1 CSI (UTF-8 c2 9b)" 0 "$(grep -c $'\xc2\x9b' "$T/chisod.log" || true)"
check "the escaped agent string in the log" 1 \
	"$(grep -cF 'hello from chiso-agent 0.1\n<3>forged: database wiped\x1b[31m\xc2\x9b2J' "$T/chisod.log" || true)"

say "4. years outside 2000..2100"
eval "$(grep '^attack=' "$T/forge.out" | tr ' ' '\n' | sed 's/^/f_/')"
echo "rows sent $f_rows_sent, acks $f_acks, rejected $f_rows_rejected"
check "rows of year 1900, of bad values and of bad dates rejected by chisod" 7 "$f_rows_rejected"
check "rejections naming the range" 2 "$(grep -c '^rejected: bad_\(period\|date\): .*năm phải từ 2000 đến 2100' "$T/forge.out" || true)"
stored=$(sql "SELECT count(*) FROM observation o JOIN batch b ON b.id = o.batch_id
	JOIN collector c ON c.id = b.collector_id WHERE c.name = 'attacker'")
check "rows of year 1900 stored" 0 "$stored"
# A refused value is kept as sent; a missing one is the row's fault (issue 17).
check "the rejections' reasons and values as sent" \
	'1:bad_period 1:bad_date 1e+16:bad_value "264":bad_value -:bad_row 1:bad_date 1:bad_date' \
	"$(sql "SELECT string_agg(coalesce(r.value_text, '-') || ':' || r.reason, ' '
		ORDER BY r.row_no) FROM rejection r JOIN batch b ON b.id = r.batch_id
		JOIN collector c ON c.id = b.collector_id
		WHERE c.name = 'attacker' AND b.epoch = 424242 AND b.seq = 30")"
check "an impossible date, with the valid days" 1 \
	"$(grep -c '^rejected: bad_date: .*"2024-02-31".*từ 1 đến 29' "$T/forge.out" || true)"
check "a date not written YYYY-MM-DD" 1 \
	"$(grep -cF 'rejected: bad_date: row 6: field "date": expected "YYYY-MM-DD", got "31/02/2024"' "$T/forge.out" || true)"
check "the rule named in the bad_value message" 1 \
	"$(grep -c '^rejected: bad_value: .*1e+16 is refused: a value has at most 15 significant digits' "$T/forge.out" || true)"
printf 'unit,indicator,period,value\n21301,population,1900,5\n21301,population,2101,5\n21301,population,2024,5\n' \
	>"$T/years.csv"
rc=0
agent attacker submit "$T/years.csv" >"$T/submit.out" 2>&1 || rc=$?
cat "$T/submit.out"
check "submitted rows refused by the agent with the range" 2 \
	"$(grep -c 'năm phải từ 2000 đến 2100' "$T/submit.out" || true)"

say "5. bodies at and past max_body (4 MiB): CURVE's own bytes do not count against it"
"$ATTACK" "tcp://127.0.0.1:$PORT" "$T/var/keys/server.pub" limits "$T/agents/attacker/attacker.key" \
	>"$T/limits.out"
cat "$T/limits.out"
answer() { sed -n "/^sent: .*(max_body + $1)\$/,/^done: max_body + $1\$/p" "$T/limits.out" | grep '^answer:' || true; }
check "a body of exactly max_body" "answer: ACK - " "$(answer 0)"
check "a body of max_body + 1" "answer: ERROR bad_body body too large: 4194305 bytes, limit 4194304" "$(answer 1)"
check "a body of max_body + 256" "answer: ERROR bad_body body too large: 4194560 bytes, limit 4194304" "$(answer 256)"
check "a body of max_body + 257: dropped unanswered" "" "$(answer 257)"
check "a frame well past the socket's limit: dropped unanswered" "" "$(answer 2000)"

say "6. framing faults: each answered and logged as what it is"
"$ATTACK" "tcp://127.0.0.1:$PORT" "$T/var/keys/server.pub" framing "$T/agents/attacker/attacker.key" \
	>"$T/framing.out"
cat "$T/framing.out"
after() { grep -A1 "^sent: $1\$" "$T/framing.out" | sed -n 2p; }
check "two frames" "answer: ERROR bad_frames a message is 3 frames: \"CHISO/1\", a command, a JSON body" "$(after 'two frames')"
check "another version" "answer: ERROR unsupported_version this server speaks CHISO/1 and CHISO/2; your message was tagged CHISO/3" \
	"$(after 'version 3')"
check "no tag" "answer: ERROR bad_frames a message is 3 frames: \"CHISO/1\", a command, a JSON body" "$(after 'not a tag')"
check "unknown command" "answer: ERROR unknown_command commands are HELLO, BATCH, PING and CATALOG" \
	"$(after 'unknown command')"
for line in 'message of 2 frames refused (a message is 3 frames: tag, command, body)' \
	'message refused: this server speaks CHISO/1 and CHISO/2; your message was tagged CHISO/3' \
	'message with tag "HELLO" refused (the first frame must be "CHISO/1")' \
	'message with unknown command "DELETE" refused'; do
	check "logged: $line" 1 "$(grep -cF "collector attacker: $line" "$T/chisod.log" || true)"
done
check "log lines blaming a missing tag" 0 "$(grep -c 'without the CHISO/1 tag' "$T/chisod.log" || true)"

stop_chisod
echo "t_bad_input: $(($(date +%s) - START)) s"
checks_done
