#!/usr/bin/env bash
# Reports people read, end to end.  Two agents push the seed figures (and a
# few 2023 figures of Sơn Nham, so that a change against the previous period
# shows) over CURVE to the real chisod; chisoctl then writes the province's
# reports as Markdown and CSV, compared with files checked by hand against
# data/seeds/README.md (tests/data/report_*), and as HTML, rendered by headless
# Chromium: a screenshot that is not blank and a page text with the seed
# figures.  Then publishing: the province's 2024 report is frozen, a commune
# corrects a figure through its agent, and the published report stays
# byte-identical while the live one moves and --changes lists exactly what
# moved.  Also the grants (chisod's writer may publish, analysts may not, no
# one may edit a publication) and the progress line on a terminal.
#
# CHISO_REPORT_WRITE_EXPECTED=1 rewrites the expected files instead of
# comparing (then check them by hand before committing).
. "$(dirname "$0")/lib.sh"

DATA=$CHISO_SOURCE_DIR/tests/data

# expect_file NAME ACTUAL: compares with tests/data/NAME (or rewrites it).
expect_file() {
	if [ "${CHISO_REPORT_WRITE_EXPECTED:-}" = 1 ]; then
		cp "$2" "$DATA/$1"
		echo "wrote $DATA/$1"
		return
	fi
	diff -u "$DATA/$1" "$2" >"$T/diff.txt" || {
		head -n 60 "$T/diff.txt"
		fail "$1 differs from the expected report"
	}
	printf 'ok: %s as expected (%d lines)\n' "$1" "$(wc -l <"$2")"
}

# has FILE TEXT...: each text occurs in the file.
has() {
	local f=$1
	shift
	for s in "$@"; do
		grep -qF -- "$s" "$f" || fail "$(basename "$f"): no \"$s\""
	done
	printf 'ok: %s has %d expected texts\n' "$(basename "$f")" $#
}

setup_database
start_chisod
make_agent xa-21298 21298
make_agent huyen-536 536

say "the seed figures, and Sơn Nham's 2023 to compare with"
cp "$CHISO_SOURCE_DIR/data/seeds/sonnham_2024.csv" "$CHISO_SOURCE_DIR/data/seeds/lyson_2024S1.csv" "$T/"
cat >"$T/sonnham_2023.csv" <<'CSV'
unit,indicator,period,value
21298,population,2023,4950
21298,internet_users,2023,240
21298,procedures_online,2023,90
21298,procedures_total,2023,105
CSV
agent xa-21298 submit "$T/sonnham_2024.csv"
agent xa-21298 submit "$T/sonnham_2023.csv"
agent huyen-536 submit "$T/lyson_2024S1.csv"
agent xa-21298 run --until-empty --timeout 60
agent huyen-536 run --until-empty --timeout 60

say "Markdown and CSV against files checked by hand"
ctl report --period 2024 --unit 51 --format markdown >"$T/report_2024_51.md"
expect_file report_2024_51.md "$T/report_2024_51.md"
ctl report --period 2024S1 --unit 51 --format markdown --lang en --level 2 >"$T/report_2024S1_51_en.md"
expect_file report_2024S1_51_en.md "$T/report_2024S1_51_en.md"
ctl report --period 2024S1 --unit 51 --format csv --bom --output "$T/report_2024S1_51.csv"
assert_eq "CSV starts with a UTF-8 BOM" efbbbf "$(head -c 3 "$T/report_2024S1_51.csv" | od -An -tx1 | tr -d ' \n')"
tail -c +4 "$T/report_2024S1_51.csv" >"$T/report_2024S1_51.nobom.csv"
expect_file report_2024S1_51.csv "$T/report_2024S1_51.nobom.csv"
assert_eq "CSV columns unchanged" \
	unit_code,unit_name,level,indicator_code,indicator_name,period,value,numerator,denominator,reporting_units,expected_units \
	"$(head -n 1 "$T/report_2024S1_51.nobom.csv")"
# the month written with M, as DHIS2 exports do, is the same period as 202403
if ctl report --period 2024M03 --unit 51 --format markdown 2>"$T/m03.err"; then
	fail "a report for a month without figures"
fi
has "$T/m03.err" "no figures for unit 51 in period 202403"
if ctl report --period 2024H1 --unit 51 2>"$T/h1.err"; then fail "2024H1 accepted"; fi
has "$T/h1.err" "hãy ghi 2024S1"

say "HTML: one self-contained file"
ctl report --period 2024 --unit 51 --format html --output "$T/report.html" 2>"$T/html.err"
has "$T/report.html" "<title>BÁO CÁO Kết quả chuyển đổi số năm 2024 — tỉnh Quảng Ngãi</title>" \
	"@media print" "break-before:page" "<svg"
if grep -qiE '<script|src=|<link|@import|url\(|href="(https?:)?//' "$T/report.html"; then
	fail "the HTML report refers to something outside itself or runs a script"
fi
grep -q 'Đang' "$T/html.err" && fail "progress written although stderr is not a terminal"

say "HTML rendered by headless Chromium"
command -v chromium >/dev/null || fail "chromium is missing: run scripts/bootstrap"
chrome() {
	timeout 120 chromium --headless --no-sandbox --disable-gpu --no-first-run \
		--user-data-dir="$T/chromium" "$@" 2>>"$T/chromium.log"
}
chrome --screenshot="$T/report.png" --window-size=1280,4000 "file://$T/report.html" >/dev/null
[ -f "$T/report.png" ] || fail "no screenshot (see $T/chromium.log)"
assert_eq "screenshot is a PNG" 89504e47 "$(head -c 4 "$T/report.png" | od -An -tx1 | tr -d ' \n')"
assert_eq "screenshot size" "1280x4000" \
	"$(od -An -tu1 -j 16 -N 8 "$T/report.png" | awk '{ print $3 * 256 + $4 "x" $7 * 256 + $8 }')"
png_bytes=$(stat -c %s "$T/report.png")
printf 'screenshot: %d bytes\n' "$png_bytes"
# a blank 1280 x 4000 page compresses to a few kilobytes; tables and charts do not
[ "$png_bytes" -gt 100000 ] || fail "the screenshot looks blank ($png_bytes bytes)"
chrome --dump-dom "file://$T/report.html" >"$T/report.dom"
# Sơn Nham's procedures online (94 of 105, stated 89,52%), online payment (14 of
# 23: 60,87%, typed as 164%), its 1 463 dossiers, internet users (264 of 5 000)
# and its population against 2023 (+50); Lý Sơn's mobile subscriptions.
has "$T/report.dom" "Xã Sơn Nham" "89,52%" "94 / 105" "60,87%" "14 / 23" "1.463" \
	"264 / 5.000" "5,28%" "4.950" "+50" "+0,43 điểm %" "+3,81 điểm %" "94,44%" \
	"18.019 / 19.080" "Đơn vị chưa báo cáo (181)" "Huyện Sơn Hà" "1/15 (6,67%)"
grep -q "164%" "$T/report.dom" && fail "the typed 164% appears in the report"

say "progress on a terminal only"
script -q -e -c "$CHISO_BIN/chisoctl --config $CONF report --period 2024 --unit 51 --format html --output $T/tty.html" \
	/dev/null </dev/null >"$T/tty.out" 2>&1
has "$T/tty.out" "Đang lập báo cáo: 356 / 356 dòng (100%)"
cmp -s "$T/tty.html" "$T/report.html" || fail "the report written on a terminal differs"

say "publish the province's 2024 report"
ctl report publish --period 2024 --unit 51 --note "Số liệu đã chốt năm 2024" >"$T/publish.out"
cat "$T/publish.out"
has "$T/publish.out" "published 2024 for unit 51 (Tỉnh Quảng Ngãi) as version 1" "356 rows, 184 units"
ctl report published >"$T/published.out"
cat "$T/published.out"
has "$T/published.out" "Số liệu đã chốt năm 2024"
for f in markdown html csv text; do
	ctl report --period 2024 --unit 51 --published --format "$f" >"$T/pub1.$f"
done
has "$T/pub1.markdown" "- Công bố lúc " "(phiên bản 1, người công bố: " "Số liệu đã chốt năm 2024" "Mã kiểm tra (SHA-256)"
has "$T/pub1.html" "Công bố lúc " "89,52%"
# the published rows are the live rows of that moment
ctl report --period 2024 --unit 51 --format csv >"$T/live1.csv"
cmp -s "$T/pub1.csv" "$T/live1.csv" || fail "the published CSV differs from the live one at publishing"
sed -n '/^## Mức độ đầy đủ/,$p' "$T/pub1.markdown" >"$T/pub1.body"
sed -n '/^## Mức độ đầy đủ/,$p' "$T/report_2024_51.md" >"$T/live1.body"
cmp -s "$T/pub1.body" "$T/live1.body" || fail "the published Markdown body differs from the live one"

say "a commune corrects a figure through its agent"
printf 'unit,indicator,period,value,qualifier,note\n21298,procedures_online,2024,95,,đính chính: 95/105 thủ tục\n' >"$T/correction.csv"
agent xa-21298 submit "$T/correction.csv"
agent xa-21298 run --until-empty --timeout 60
assert_eq "corrected value stored" 95 \
	"$(sql "SELECT new_value FROM v_history WHERE unit_code = '21298' AND indicator_code = 'procedures_online' AND period = '2024' ORDER BY changed_at DESC LIMIT 1")"

say "the published report has not moved; the live one has"
for f in markdown html csv text; do
	ctl report --period 2024 --unit 51 --published --format "$f" >"$T/pub2.$f"
	cmp "$T/pub1.$f" "$T/pub2.$f" || fail "published $f changed after a correction"
done
echo "ok: published markdown, html, csv and text byte-identical after the correction"
ctl report --period 2024 --unit 51 --format markdown >"$T/live2.md"
cmp -s "$T/report_2024_51.md" "$T/live2.md" && fail "the live report did not change"
has "$T/live2.md" "| Xã Sơn Nham (21298) | 90,48% | 95 / 105 |"
has "$T/pub2.markdown" "| Xã Sơn Nham (21298) | 89,52% | 94 / 105 |"

say "--changes lists exactly that correction and what it moved"
ctl report --period 2024 --unit 51 --changes --format csv >"$T/changes.csv"
cat "$T/changes.csv"
assert_eq "changes" "$(printf '%s\n' \
	'51,procedures_online,94,95' \
	'51,procedures_online_pct,89.52,90.48' \
	'529,procedures_online,94,95' \
	'529,procedures_online_pct,89.52,90.48' \
	'21298,procedures_online,94,95' \
	'21298,procedures_online_pct,89.52,90.48')" \
	"$(awk -F, 'NR > 1 { print $1 "," $3 "," $5 "," $8 }' "$T/changes.csv")"
ctl report --period 2024 --unit 51 --changes >"$T/changes.txt"
has "$T/changes.txt" "Xã Sơn Nham (21298): 89,52% (94 / 105) → 90,48% (95 / 105)"
ctl report --period 2024S1 --unit 51 --changes 2>"$T/nopub.err" && fail "changes of a report never published"
has "$T/nopub.err" "was never published"

say "publishing again makes version 2 and keeps version 1"
ctl report publish --period 2024 --unit 51 >/dev/null
ctl report published --period 2024 --unit 51 >"$T/published2.out"
cat "$T/published2.out"
assert_eq "versions listed" 2 "$(grep -c '^2024 ' "$T/published2.out")"
ctl report --period 2024 --unit 51 --published --version 1 --format markdown >"$T/pub1again.markdown"
cmp "$T/pub1.markdown" "$T/pub1again.markdown" || fail "version 1 changed after version 2"
ctl report --period 2024 --unit 51 --published --format markdown >"$T/pub2v.markdown"
has "$T/pub2v.markdown" "(phiên bản 2, " "| Xã Sơn Nham (21298) | 90,48% | 95 / 105 |"
ctl report --period 2024 --unit 51 --changes >"$T/nochanges.txt"
has "$T/nochanges.txt" "Không có số liệu nào thay đổi."
assert_eq "two versions of different figures, two hashes" 2 \
	"$(sql "SELECT count(DISTINCT content_hash) FROM v_publication WHERE period = '2024' AND unit_code = '51'")"

say "grants: chisod's writer publishes, analysts read, no one edits a publication"
assert_eq "writer publishes" 1 \
	"$(sql_as conninfo "SELECT version FROM chiso.report_publish('2024S1', '51', 'chisod (test)', '')")"
if sql_as reader_conninfo "SELECT version FROM chiso.report_publish('2024S1', '51', 'x', '')" 2>"$T/reader.err"; then
	fail "chiso_reader published a report"
fi
has "$T/reader.err" "permission denied"
assert_eq "reader sees the publications, intact" "3|3" \
	"$(sql_as reader_conninfo "SELECT count(*), count(*) FILTER (WHERE content_ok) FROM chiso.v_publication")"
assert_eq "reader compares with the live figures" 0 \
	"$(sql_as reader_conninfo "SELECT count(*) FROM chiso.report_changes('2024S1', '51', 1)")"
if sql "UPDATE publication_row SET value = 1 WHERE publication_id = 1" 2>"$T/frozen.err"; then
	fail "a published row was updated"
fi
has "$T/frozen.err" "published reports are frozen"
if sql "DELETE FROM publication WHERE id = 1" 2>"$T/frozen2.err"; then fail "a publication was deleted"; fi
if sql "TRUNCATE publication_unit CASCADE" 2>"$T/frozen3.err"; then fail "publications were truncated"; fi
# every one of the 183 expected units lacks some figure: Sơn Nham and Lý Sơn do not
# report all 140 indicators either
assert_eq "analysts can read v_missing" 183 \
	"$(sql_as reader_conninfo "SET search_path = chiso; SELECT count(DISTINCT unit_code) FROM v_missing WHERE period = '2024'")"

say "rollups still equal a recomputation"
ctl rollup verify
stop_chisod
