#!/usr/bin/env bash
# CSV files as Excel and LibreOffice save them reach PostgreSQL with the values
# the officer typed (issue 18, section 2; lib/csv.h):
#   1. Excel's "Unicode Text": UTF-16 LE with a byte-order mark, tab-separated,
#      CRLF, a note holding a comma and a quoted cell;
#   2. a file with an Excel "sep=;" first line, blank and ";;;" rows, trailing
#      empty columns, Vietnamese grouped thousands and decimal commas;
#   3. Excel's plain "CSV (Comma delimited)" in Windows-1258 is refused in
#      Vietnamese, naming file:line and the column, and nothing is queued.
#   4. the drop folder (agent.inbox_dir): while `run` runs, a good file saved
#      there is queued and moved to done/, a bad one to refused/, each with
#      its note; the good one's values arrive, an Excel lock file stays.
# The bytes are made by iconv, not by the reader under test.
. "$(dirname "$0")/lib.sh"

START=$(date +%s)
setup_database
start_chisod
make_agent xa 21298

say "1. Excel \"Unicode Text\" (UTF-16 LE, tab)"
{
	printf '\xff\xfe'
	printf 'unit\tindicator\tperiod\tvalue\tnote\r\n21298\tpopulation\t2024\t5012\tdân số, ước\r\n21298\tcoverage_4g_pct\t2024\t89,52\t"thôn ""Gò Da"""\r\n' |
		iconv -f UTF-8 -t UTF-16LE
} >"$T/unicode.txt"
agent xa submit "$T/unicode.txt" 2>"$T/unicode.err" || fail "UTF-16 file refused: $(cat "$T/unicode.err")"

say "2. sep=; line, blank rows, trailing empty columns, 1.463 and 1.440,0"
printf 'sep=;\r\nunit;indicator;period;value;;\r\n;;;;;\r\n\r\n21298;households;2024;1.463;;\r\n21298;households;2023;"1.440,0";;\r\n;;;;;\r\n' >"$T/sep.csv"
agent xa submit "$T/sep.csv" 2>"$T/sep.err" || fail "sep= file refused: $(cat "$T/sep.err")"

say "3. Windows-1258 \"CSV (Comma delimited)\" refused"
printf 'unit,indicator,period,value,note\r\n21298,population,2023,5000,Xã Sơn Nham\r\n' |
	iconv -f UTF-8 -t CP1258 >"$T/ansi.csv"
rc=0
agent xa submit "$T/ansi.csv" 2>"$T/ansi.err" || rc=$?
head -n 1 "$T/ansi.err"
check "Windows-1258 file refused" 1 "$rc"
check_that "the refusal names file:line and column E (note), in Vietnamese" \
	grep -q "ansi.csv:2: cột E (note): tệp không phải là văn bản UTF-8" "$T/ansi.err"

agent xa run --until-empty --timeout 30 >/dev/null 2>"$T/run.err" || fail "run: $(tail -n 3 "$T/run.err")"
stored=$(sql "SELECT string_agg(i.code || ' ' || p.code || ' ' || o.value::text
			       || coalesce(' [' || nullif(o.note, '') || ']', ''), '; '
			       ORDER BY i.code, p.code)
		FROM observation o JOIN unit u ON u.id = o.unit_id
		JOIN indicator i ON i.id = o.indicator_id JOIN period p ON p.id = o.period_id
		WHERE u.code = '21298'")
echo "stored: $stored"
check "values stored from both files, none from the refused one" \
	"coverage_4g_pct 2024 89.52 [thôn \"Gò Da\"]; households 2023 1440; households 2024 1463; population 2024 5012 [dân số, ước]" \
	"$stored"
say "4. the drop folder"
INBOX=$T/agents/xa/inbox
sed -i "s|^\toutbox_dir = .*|&\n\tinbox_dir = \"$INBOX\";|" "$T/agents/xa/agent.conf"
agent_bg xa run
for _ in $(seq 100); do [ -d "$INBOX/done" ] && break; sleep 0.1; done
printf '\xef\xbb\xbfunit;indicator;period;value\r\n21298;population;2025;5.104\r\n' >"$INBOX/bao-cao.csv"
printf 'unit,indicator,period,value\n21298,households,2025,nhiều\n' >"$INBOX/sai.csv"
printf 'lock' >"$INBOX/~\$bao-cao.xlsx"
for _ in $(seq 300); do
	[ "$(find "$INBOX/done" "$INBOX/refused" -name '*.note.txt' | wc -l)" -eq 2 ] && break
	sleep 0.1
done
ls -R "$INBOX"
check "the good file moved to done/" 1 "$(find "$INBOX/done" -name '*-bao-cao.csv' | wc -l)"
check "the bad file moved to refused/" 1 "$(find "$INBOX/refused" -name '*-sai.csv' | wc -l)"
check "the inbox keeps only the lock file" "~\$bao-cao.xlsx" "$(find "$INBOX" -maxdepth 1 -type f -printf '%f\n')"
cat "$INBOX"/done/*.note.txt "$INBOX"/refused/*.note.txt
check_that "the done note says what was queued" grep -q "Tệp bao-cao.csv: đã đưa 1 dòng vào hàng đợi" "$INBOX"/done/*-bao-cao.csv.note.txt
check_that "the refused note names line, column and rule" grep -q "sai.csv:2: value: số không hợp lệ \"nhiều\"" "$INBOX"/refused/*-sai.csv.note.txt
check_that "the refused note points at the reject file in refused/" \
	grep -q "refused/[0-9-]*-sai.csv.rejected.csv" "$INBOX"/refused/*-sai.csv.note.txt
for _ in $(seq 200); do
	[ "$(sql "SELECT o.value FROM observation o JOIN indicator i ON i.id = o.indicator_id
		   JOIN period p ON p.id = o.period_id WHERE i.code = 'population' AND p.code = '2025'")" = 5104 ] && break
	sleep 0.1
done
check "the dropped value stored" 5104 "$(sql "SELECT o.value FROM observation o JOIN indicator i ON i.id = o.indicator_id
	JOIN period p ON p.id = o.period_id WHERE i.code = 'population' AND p.code = '2025'")"
kill -TERM "$BG_PID"
wait "$BG_PID" || true
BG_PIDS=()

stop_chisod
printf 'run time: %s s\n' "$(($(date +%s) - START))"
checks_done
