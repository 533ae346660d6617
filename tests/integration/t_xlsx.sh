#!/usr/bin/env bash
# The Excel round trip (issue 18): `chiso-agent template` writes the workbook of
# a commune, an independent writer (python3-openpyxl) fills it with the Sơn
# Nham seed figures as an officer would (finding each row by the code it
# shows), and LibreOffice headless saves it again (and a plain sheet as CSV in
# three dialects) where it is installed; the agent submits each, delivers to
# the real chisod, and every figure is in PostgreSQL with the value typed.  Also: a plain sheet with the CSV columns
# arrives, and a workbook with a bad value is refused naming sheet and cell.
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3 # Debian's python3-openpyxl is installed for Debian's python3
"$PY" -c 'import openpyxl' 2>/dev/null || {
	echo "skip: python3-openpyxl is not installed (scripts/bootstrap installs it)"
	exit 77
}

setup_database
start_chisod
make_agent xa-21298 21298

say "the catalogue and the unit come from the province"
# An empty outbox: run for a moment, long enough for WELCOME and CATALOG.
agent xa-21298 run --timeout 3 >/dev/null 2>&1 || true
check_that "catalogue cached" test -s "$T/agents/xa-21298/outbox/catalog.json"

say "template for the agent's unit"
agent xa-21298 template --period 2024 -o "$T/sn.xlsx" | tee "$T/template.out"
check_that "template says its unit" grep -q "unit 21298, period 2024" "$T/template.out"
# the tier came with the province's WELCOME (protocol version 2): a commune's template
check_that "template has the commune's indicators" grep -q "indicators of commune" "$T/template.out"

# fill.py TEMPLATE CSV OUT: types the CSV's figures into the template by the
# codes of column A, the way an officer finds a row, and saves OUT.
cat >"$T/fill.py" <<'PY'
import csv, sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
ws = wb["Báo cáo"]
assert ws.protection.sheet, "the sheet is protected"
rows = {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1)}
words = {"": None, "about": "khoảng", "at_least": "ít nhất", "at_most": "tối đa"}
for rec in csv.DictReader(open(sys.argv[2], encoding="utf-8")):
    r = rows[rec["indicator"]]
    assert ws.cell(r, 4).protection.locked is False, "input cells are unlocked"
    v = rec["value"]
    ws.cell(r, 4).value = int(v) if v.isdigit() else float(v)
    ws.cell(r, 5).value = words[rec.get("qualifier") or ""]
    ws.cell(r, 6).value = rec.get("note") or None
ratio = rows["online_payment_procedures_pct"]
assert str(ws.cell(ratio, 4).value).startswith("=IF("), "a ratio is a formula"
assert ws.cell(ratio, 4).number_format == "0.00%", ws.cell(ratio, 4).number_format
wb.save(sys.argv[3])
PY
"$PY" "$T/fill.py" "$T/sn.xlsx" "$CHISO_SOURCE_DIR/data/seeds/sonnham_2024.csv" "$T/sn_filled.xlsx"

say "submit the filled template and deliver it"
agent xa-21298 submit "$T/sn_filled.xlsx"
agent xa-21298 run --until-empty --timeout 60 >/dev/null 2>&1
sent=$(($(grep -c . "$CHISO_SOURCE_DIR/data/seeds/sonnham_2024.csv") - 1))
stored=$(sql "SELECT count(*) FROM observation o JOIN unit u ON u.id = o.unit_id WHERE u.code = '21298'")
rejected=$(sql "SELECT count(*) FROM rejection")
printf 'figures: sent=%d stored=%d rejected=%d\n' "$sent" "$stored" "$rejected"
assert_eq "every figure of the workbook stored or refused" "$sent" $((stored + rejected))
# The values as typed: each stored figure equals the CSV's.
sql "SELECT i.code || ',' || o.value::text || ',' || coalesce(o.qualifier, '')
	FROM observation o JOIN indicator i ON i.id = o.indicator_id ORDER BY 1" >"$T/db.txt"
awk -F, 'NR > 1 { print $2 "," $4 "," $5 }' "$CHISO_SOURCE_DIR/data/seeds/sonnham_2024.csv" |
	sort >"$T/want.txt"
missing=$(comm -13 "$T/want.txt" <(sort "$T/db.txt") | wc -l)
assert_eq "stored figures not in the workbook" 0 "$missing"
assert_eq "procedures_with_online_payment" "14" \
	"$(sql "SELECT o.value FROM observation o JOIN indicator i ON i.id = o.indicator_id
		WHERE i.code = 'procedures_with_online_payment'")"

say "LibreOffice saves the filled template again"
# lo FORMAT OUTDIR FILE: LibreOffice headless converts FILE as "Save as" would.
lo() {
	HOME=$T/lo timeout 120 soffice --headless --convert-to "$1" --outdir "$2" "$3" >/dev/null 2>&1
}
if command -v soffice >/dev/null 2>&1; then
	mkdir -p "$T/lo"
	lo xlsx "$T/lo" "$T/sn_filled.xlsx"
	check_that "LibreOffice wrote the workbook" test -s "$T/lo/sn_filled.xlsx"
	agent xa-21298 submit --again "$T/lo/sn_filled.xlsx"
	agent xa-21298 run --until-empty --timeout 60 >/dev/null 2>&1
	# The copy is a batch of its own: every figure read from LibreOffice's
	# file, each the value already stored (none changed).
	assert_eq "LibreOffice's copy: figures sent, accepted, changed" "$sent,$stored,0" \
		"$(sql "SELECT rows_total || ',' || rows_accepted || ',' || rows_changed
			FROM batch ORDER BY id DESC LIMIT 1")"
else
	echo "skip: soffice is not installed"
fi

say "a plain sheet with the CSV columns"
"$PY" - "$T/plain.xlsx" <<'PY'
import sys, openpyxl
wb = openpyxl.Workbook()
ws = wb.active
ws.append(["unit", "indicator", "period", "value", "qualifier", "note"])
ws.append([21298, "population", "2025", 5100, None, None])
ws.append([])
ws.append(["21298", "households", 2025, "1452", "khoảng", "gõ dạng chữ"])
wb.save(sys.argv[1])
PY
agent xa-21298 submit "$T/plain.xlsx"
agent xa-21298 run --until-empty --timeout 60 >/dev/null 2>&1
assert_eq "plain sheet values" "households=1452 about,population=5100 " \
	"$(sql "SELECT string_agg(i.code || '=' || o.value || ' ' || coalesce(o.qualifier, ''), ','
		ORDER BY i.code) FROM observation o JOIN indicator i ON i.id = o.indicator_id
		JOIN period p ON p.id = o.period_id WHERE p.code = '2025'")"

say "LibreOffice saves the plain sheet as CSV: comma, semicolon, Unicode text"
# Each dialect carries its own population, so each stored value proves that
# file was read; the qualifier and the note keep their Vietnamese letters.
if command -v soffice >/dev/null 2>&1; then
	mkdir -p "$T/lo/csv"
	n=5100
	for d in comma:44,34,76 semicolon:59,34,76 unicode:9,34,65535; do
		name=${d%%:*} n=$((n + 1))
		"$PY" - "$T/lo/$name.xlsx" "$n" <<'PY'
import sys, openpyxl
wb = openpyxl.Workbook()
ws = wb.active
ws.append(["unit", "indicator", "period", "value", "qualifier", "note"])
ws.append([21298, "population", "2025", int(sys.argv[2]), None, None])
ws.append([])
ws.append(["21298", "households", 2025, "1452", "khoảng", "gõ dạng chữ"])
wb.save(sys.argv[1])
PY
		lo "csv:Text - txt - csv (StarCalc):${d#*:}" "$T/lo/csv" "$T/lo/$name.xlsx"
		printf '%s: %s\n' "$name" "$(file -b "$T/lo/csv/$name.csv")"
		agent xa-21298 submit "$T/lo/csv/$name.csv"
		agent xa-21298 run --until-empty --timeout 60 >/dev/null 2>&1
		assert_eq "LibreOffice CSV ($name): population, households" "$n,1452 about gõ dạng chữ" \
			"$(sql "SELECT string_agg(o.value || coalesce(' ' || o.qualifier, '')
				|| coalesce(' ' || o.note, ''), ',' ORDER BY i.code DESC)
				FROM observation o JOIN indicator i ON i.id = o.indicator_id
				JOIN period p ON p.id = o.period_id WHERE p.code = '2025'")"
	done
else
	echo "skip: soffice is not installed"
fi

say "a bad value is refused with its sheet and cell"
cat >"$T/bad.py" <<'PY'
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
ws = wb["Báo cáo"]
rows = {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1)}
ws.cell(rows["population"], 4).value = 5000
ws.cell(rows["households"], 4).value = "mười"
print(rows["households"])
wb.save(sys.argv[2])
PY
row=$("$PY" "$T/bad.py" "$T/sn.xlsx" "$T/bad.xlsx")
if agent xa-21298 submit "$T/bad.xlsx" 2>"$T/bad.err"; then
	fail "a workbook with a bad value was queued"
fi
cat "$T/bad.err"
check_that "the refusal names sheet, cell and column" \
	grep -q "bad.xlsx: trang tính \"Báo cáo\", ô D$row (cột Giá trị): số không hợp lệ \"mười\"" "$T/bad.err"
check_that "the reject file lists it" test -s "$T/bad.xlsx.rejected.csv"
checks_done
