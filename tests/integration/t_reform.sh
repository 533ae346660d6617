#!/usr/bin/env bash
# The July 2025 reform: two structures of Quảng Ngãi, rollups on the tree of
# their time, the rule for a period that straddles the change, the crosswalk
# and figures re-expressed on the new structure, refusals that name a retired
# unit's successor, and codes reused under new names never mixing.  Every
# expected figure is computed by hand in the comment above it.
. "$(dirname "$0")/lib.sh"

UNITS=$CHISO_SOURCE_DIR/data/units
setup_database
start_chisod
# Enrolled before the reform: the province, old xã Sơn Nham, old huyện Lý Sơn,
# and old xã Sơn Hạ (code 21292, which the new xã Sơn Hạ keeps).
make_agent tinh 51
make_agent xa-21298 21298
make_agent huyen-536 536
make_agent xa-21292-old 21292

N=0
# push AGENT CSV-BODY: one batch; waits for its ack.
push() {
	N=$((N + 1))
	printf 'unit,indicator,period,value\n%s\n' "$2" >"$T/b$N.csv"
	agent "$1" submit "$T/b$N.csv" >/dev/null
	agent "$1" run --until-empty --timeout 60 >"$T/b$N.log" 2>&1 ||
		fail "batch $N not delivered: $(cat "$T/b$N.log")"
}
# fig FILE UNIT INDICATOR: value,numerator,denominator,reporting,expected of a report CSV
fig() {
	awk -F, -v u="$2" -v i="$3" '$1 == u && $4 == i { print $7 "," $8 "," $9 "," $10 "," $11 }' "$1"
}
# rollup UNIT-VERSION-FROM CODE INDICATOR PERIOD: value reporting/expected
rollup() {
	sql "SELECT trim_scale(r.value) || ' ' || r.reporting_units || '/' || r.expected_units
	     FROM rollup r JOIN unit u ON u.id = r.unit_id JOIN indicator i ON i.id = r.indicator_id
	     JOIN period p ON p.id = r.period_id
	     WHERE u.valid_from = '$1' AND u.code = '$2' AND i.code = '$3' AND p.code = '$4'"
}
on_day() { # on_day DATE: "level:count" of the unit versions valid that day
	sql "SELECT string_agg(level || ':' || n, ' ' ORDER BY level) FROM (SELECT level, count(*) n
	     FROM unit WHERE valid_from <= '$1' AND '$1' < valid_to GROUP BY level) x"
}

say "2024 seed figures, sent before the reform"
cp "$CHISO_SOURCE_DIR/data/seeds/sonnham_2024.csv" "$CHISO_SOURCE_DIR/data/seeds/lyson_2024S1.csv" "$T/"
agent xa-21298 submit "$T/sonnham_2024.csv" >/dev/null
agent huyen-536 submit "$T/lyson_2024S1.csv" >/dev/null
agent xa-21298 run --until-empty --timeout 60
agent huyen-536 run --until-empty --timeout 60
# 2025S1 (administrative: 15/12/2024 - 14/06/2025) still belongs to the old tree.
push xa-21298 "21298,population,2025S1,5000
21298,internet_users,2025S1,300"

say "the 2025 structure: 96 communes directly under the province"
ctl units import "$UNITS/quang_ngai_units_2025.csv" --valid-from 2025-07-01 | tee "$T/import.out"
# Only old Quảng Ngãi is loaded (Kon Tum's old units are not): of the 96 new
# communes, 55 keep a code of old Quảng Ngãi (a new version: new parent, and
# for 42 of them a new name), 41 codes are new here (Kon Tum's and 21548 Lý
# Sơn); the other 128 old districts and communes are closed; the province is
# unchanged.  (Counted from the two CSV files.)
grep -q ': 97 units: 41 added, 55 changed, 128 closed, 1 unchanged' "$T/import.out" ||
	fail "import counts"
assert_eq "levels on 14/12/2024 (province, districts, communes)" "1:1 2:13 3:170" "$(on_day 2024-12-14)"
assert_eq "levels on 14/12/2025 (province, communes)" "1:1 2:96" "$(on_day 2025-12-14)"
assert_eq "tiers on 14/12/2025" "commune:96 province:1" \
	"$(sql "SELECT string_agg(tier || ':' || n, ' ' ORDER BY tier) FROM (SELECT tier, count(*) n
		FROM unit WHERE valid_from <= '2025-12-14' AND '2025-12-14' < valid_to GROUP BY tier) x")"
assert_eq "the province is one version in both trees" 1 "$(sql "SELECT count(*) FROM unit WHERE code = '51'")"
assert_eq "codes reused under another name" 42 \
	"$(sql "SELECT count(*) FROM unit n JOIN unit o ON o.code = n.code AND o.valid_to = n.valid_from
		WHERE n.valid_from = '2025-07-01' AND o.name <> n.name")"
assert_eq "21289 by date" "Thị trấn Di Lăng|Xã Sơn Hà" \
	"$(sql "SELECT string_agg(name, '|' ORDER BY valid_from) FROM unit WHERE code = '21289'")"
ctl units import "$UNITS/quang_ngai_units_2025.csv" --valid-from 2025-07-01 >"$T/again.out"
grep -q ': 97 units: 0 added, 0 changed, 0 closed, 97 unchanged' "$T/again.out" ||
	fail "re-import not a no-op: $(cat "$T/again.out")"

say "2024 rolls up on the 2024 tree: Sơn Nham -> Sơn Hà -> Quảng Ngãi"
ctl report --period 2024 --unit 51 --format csv >"$T/r2024.csv"
# Sơn Nham: 264 internet users of 5 000 people; its district and the province
# have nothing else for 2024 (Lý Sơn reported no internet_users).
# Expected reporters: Sơn Nham itself; Sơn Hà and its 14 communes; the province's
# 170 communes and 13 districts (ratios of commune and district figures).
assert_eq "21298 internet_users_pct 2024" "5.28,264,5000,1,1" "$(fig "$T/r2024.csv" 21298 internet_users_pct)"
assert_eq "529 internet_users_pct 2024" "5.28,264,5000,1,15" "$(fig "$T/r2024.csv" 529 internet_users_pct)"
assert_eq "51 internet_users_pct 2024" "5.28,264,5000,1,183" "$(fig "$T/r2024.csv" 51 internet_users_pct)"
assert_eq "529 is in the 2024 report at level 2" "2" \
	"$(awk -F, '$1 == "529" { print $3; exit }' "$T/r2024.csv")"
# Sơn Nham 5 000 + Lý Sơn 19 080 (its 2024S1, the latest half-year)
assert_eq "51 population 2024" "24080,,,2,183" "$(fig "$T/r2024.csv" 51 population)"
assert_eq "51 online_payment_procedures_pct 2024" "60.87,14,23" \
	"$(fig "$T/r2024.csv" 51 online_payment_procedures_pct | cut -d, -f1-3)"

say "2025S2 values roll up on the 2025 tree"
push tinh "21292,population,2025S2,15000
21292,internet_users,2025S2,6000
21289,population,2025S2,20000
21298,population,2025S2,5000
529,population,2025S2,1000"
# new xã Sơn Hạ 15 000 + new xã Sơn Hà 20 000; 96 communes expected, no district
assert_eq "51 population 2025S2" "35000 2/96" "$(rollup -infinity 51 population 2025S2)"
assert_eq "new xã Sơn Hạ population 2025S2" "15000 1/1" "$(rollup 2025-07-01 21292 population 2025S2)"
assert_eq "old xã Sơn Hạ has nothing of 2025S2" "" "$(rollup -infinity 21292 population 2025S2)"
assert_eq "no district in 2025S2" 0 \
	"$(sql "SELECT count(*) FROM rollup r JOIN unit u ON u.id = r.unit_id JOIN period p ON p.id = r.period_id
		WHERE p.code = '2025S2' AND u.tier = 'district'")"
ctl report --period 2025S2 --unit 51 --format csv >"$T/r2025S2.csv"
assert_eq "21292 in the 2025S2 report" "Xã Sơn Hạ,2" \
	"$(awk -F, '$1 == "21292" { print $2 "," $3; exit }' "$T/r2025S2.csv")"
assert_eq "21289 in the 2025S2 report" "Xã Sơn Hà,2" \
	"$(awk -F, '$1 == "21289" { print $2 "," $3; exit }' "$T/r2025S2.csv")"
assert_eq "no 2024 unit in the 2025S2 report" "" \
	"$(awk -F, '$1 == "21298" || $1 == "529" || $3 == 3' "$T/r2025S2.csv")"
assert_eq "the 2024 report did not move" "24080,,,2,183" \
	"$(ctl report --period 2024 --unit 51 --format csv | awk -F, '$1 == "51" && $4 == "population" { print $7 "," $8 "," $9 "," $10 "," $11 }')"

say "a value for a unit that no longer exists is refused; the refusal names the successor"
assert_eq "21298 2025S2" unit_retired \
	"$(sql "SELECT reason FROM rejection WHERE unit_code = '21298' AND period_code = '2025S2'")"
sql "SELECT message FROM rejection WHERE unit_code = '21298' AND period_code = '2025S2'" >"$T/msg"
cat "$T/msg"
grep -q 'không còn tồn tại vào ngày 14/12/2025: đơn vị này chỉ có hiệu lực đến hết ngày 30/06/2025$' "$T/msg" ||
	fail "before the crosswalk there is no successor to name"

say "straddling period: the administrative year 2025 (15/12/2024 - 14/12/2025)"
# The year rolls up on the tree of its last day.  Sơn Nham's own year is
# derived from its 2025S1 (population is a stock: the latest half-year) and
# stays on Sơn Nham; the province adds only the units of the 2025 tree:
# 15 000 + 20 000, not 40 000.
assert_eq "old Sơn Nham population 2025 (its own)" "5000 1/0" "$(rollup -infinity 21298 population 2025)"
assert_eq "51 population 2025" "35000 2/96" "$(rollup -infinity 51 population 2025)"
assert_eq "old Sơn Hà has no 2025 row" "" "$(rollup -infinity 529 population 2025)"
ctl rollup verify

say "the crosswalk: strict checks, nothing imported on an error"
cat >"$T/syntax.csv" <<'CSV'
old_code,old_date,new_code,new_date,weight,source
21298,2025-06-30,21292,2025-07-01,1,ok
21298x,2025-06-30,21292,2025-07-01,1,
21295,30/06/2025,21292,2025-07-32,1,
21292,2025-06-30,21292,2025-07-01,1.5,
21301,2025-06-30,21289,2025-07-01,0.1234567,
CSV
if ctl units crosswalk import "$T/syntax.csv" 2>"$T/syntax.err"; then fail "syntax.csv accepted"; fi
cat "$T/syntax.err"
grep -q 'syntax.csv:3: old_code: not a unit code' "$T/syntax.err" || fail "line 3"
grep -q 'syntax.csv:4: new_date: ' "$T/syntax.err" || fail "line 4"
grep -q 'syntax.csv:5: weight: a weight must be more than 0 and at most 1' "$T/syntax.err" || fail "line 5"
grep -q 'syntax.csv:6: weight: a weight has at most 6 decimals' "$T/syntax.err" || fail "line 6"
cat >"$T/units.csv" <<'CSV'
old_code,old_date,new_code,new_date,weight
21298,2025-06-30,21292,2025-07-01,0.6
21298,2025-06-30,21289,2025-07-01,0.3
21295,2025-06-30,21292,2024-07-01,1
99999,2025-06-30,21292,2025-07-01,1
21301,2025-06-30,21289,2026-07-01,1
21301,2025-06-30,21289,2026-07-01,1
CSV
if ctl units crosswalk import "$T/units.csv" 2>"$T/units.err"; then fail "units.csv accepted"; fi
cat "$T/units.err"
grep -q 'units.csv:3: weight: the weights of 21298 (from line 2) add up to 0.9, not 1' "$T/units.err" || fail "sum"
grep -q 'units.csv:4: new_date: 21295 (Xã Sơn Thành, valid -infinity to 2025-06-30) does not end before 21292 (Xã Sơn Hạ, valid from -infinity)' "$T/units.err" || fail "old tree as new"
grep -q 'units.csv:5: old_code: no unit 99999 on 2025-06-30' "$T/units.err" || fail "unknown unit"
grep -q 'units.csv:7: new_code: 21301 -> 21289 is already given at line 6' "$T/units.err" || fail "pair twice"
assert_eq "nothing imported" 0 "$(sql "SELECT count(*) FROM unit_crosswalk")"

say "re-expressed before the crosswalk: the units left out are named"
if ctl report --period 2024 --unit 51 --on-structure 2025-07-01 >/dev/null 2>"$T/re0.err"; then
	fail "figures re-expressed without a crosswalk"
fi
grep -q '2 unit(s) with figures have no crosswalk row (chisoctl units crosswalk import): 21298 Xã Sơn Nham, 536 Huyện Lý Sơn' \
	"$T/re0.err" || fail "no note of the units left out: $(cat "$T/re0.err")"
# With only Sơn Hạ's merge, Lý Sơn is left out, and the report says so.
printf 'old_code,old_date,new_code,new_date,weight\n21298,2025-06-30,21292,2025-07-01,1\n' >"$T/part.csv"
ctl units crosswalk import "$T/part.csv"
ctl report --period 2024 --unit 51 --on-structure 2025-07-01 >"$T/re1.txt"
grep -q '^1 đơn vị có số liệu chưa có trong bảng chuyển đổi, không được tính: 536 Huyện Lý Sơn$' \
	"$T/re1.txt" || fail "no note of the unit left out: $(head -5 "$T/re1.txt")"

say "the crosswalk of Resolution 1677/NQ-UBTVQH15"
# Each row against the clause it quotes and the two unit files, before the
# database checks them.
python3 "$CHISO_SOURCE_DIR/scripts/crosswalk-check" >"$T/xcheck.out" ||
	fail "scripts/crosswalk-check: the crosswalk does not match its clauses"
tail -n 3 "$T/xcheck.out"
ctl units crosswalk import "$UNITS/crosswalk_quang_ngai_2025.csv"
ctl units crosswalk import "$UNITS/crosswalk_quang_ngai_2025.csv" >"$T/x.out"
# 170 rows: the 169 old communes of Quảng Ngãi that a clause moves whole, and
# huyện Lý Sơn (a district without communes) -> đặc khu Lý Sơn.
grep -q ': 170 crosswalk rows imported' "$T/x.out" || fail "re-import: $(cat "$T/x.out")"
assert_eq "crosswalk rows after two imports (the partial file's row replaced)" 170 "$(sql "SELECT count(*) FROM unit_crosswalk")"
# Every old commune of Quảng Ngãi (valid on 30/06/2025) has rows whose weights
# add up to 1, except xã Trà Bùi: clauses 30 and 31 split it between xã Cà Đam
# and xã Tây Trà Bồng without publishing the shares (data/units/README.md).
old_communes="FROM unit u JOIN unit_closure c ON c.unit_id = u.id JOIN unit p ON p.id = c.ancestor_id
	WHERE p.code = '51' AND u.tier = 'commune' AND u.valid_from <= '2025-06-30' AND '2025-06-30' < u.valid_to"
assert_eq "old communes of Quảng Ngãi" 170 "$(sql "SELECT count(*) $old_communes")"
assert_eq "old communes without a crosswalk row (the partial splits)" "21142 Xã Trà Bùi" \
	"$(sql "SELECT string_agg(u.code || ' ' || u.name, ', ' ORDER BY u.code) $old_communes
		AND NOT EXISTS (SELECT 1 FROM unit_crosswalk x WHERE x.old_unit_id = u.id)")"
assert_eq "old communes whose weights add up to 1" 169 \
	"$(sql "SELECT count(*) $old_communes
		AND (SELECT sum(weight) FROM unit_crosswalk x WHERE x.old_unit_id = u.id) = 1")"
# The 56 new units that carry a code of old Quảng Ngãi (55 reused, 21548 new)
# are all reached; Kon Tum's 40 are not (its old units are not loaded).
assert_eq "new units reached by the crosswalk" 56 \
	"$(sql "SELECT count(DISTINCT new_unit_id) FROM unit_crosswalk")"
assert_eq "v_crosswalk for the reader" "Xã Sơn Nham -> Xã Sơn Hạ" \
	"$(sql_as reader_conninfo "SELECT old_name || ' -> ' || new_name FROM chiso.v_crosswalk WHERE old_code = '21298'")"

say "the refusal now names the successor"
push tinh "21298,internet_users,2025S2,300
21548,population,2024S1,19080"
assert_eq "a unit of the new structure for 2024S1" \
	"unit_retired: Đơn vị 21548 (Đặc khu Lý Sơn) chưa tồn tại vào ngày 14/06/2024: đơn vị này có hiệu lực từ ngày 01/07/2025" \
	"$(sql "SELECT reason || ': ' || message FROM rejection WHERE unit_code = '21548'")"
assert_eq "successor in the message" 1 \
	"$(sql "SELECT count(*) FROM rejection WHERE unit_code = '21298' AND indicator_code = 'internet_users'
		AND period_code = '2025S2' AND reason = 'unit_retired'
		AND message LIKE '%; đơn vị kế thừa: 21292 (Xã Sơn Hạ)'")"

say "collectors of retired units"
# Old Sơn Nham's collector may still correct its own periods (late 2024
# figures), but not write the new structure: its unit is gone.
push xa-21298 "21298,households,2024,1440
21292,population,2025S2,1"
assert_eq "late 2024 value of a retired unit accepted" 1440 \
	"$(sql "SELECT trim_scale(value) FROM v_observation WHERE unit_code = '21298' AND indicator_code = 'households' AND period = '2024'")"
push xa-21292-old "21292,population,2025S2,1"
sql "SELECT reason || ': ' || message FROM rejection WHERE ref LIKE 'b$N.csv:%'" | tee "$T/scope.msg"
grep -q 'unit_out_of_scope: Đơn vị 21292 (Xã Sơn Hạ) của máy thu thập xa-21292-old đã hết hiệu lực từ ngày 01/07/2025 (đơn vị kế thừa: 21292 (Xã Sơn Hạ)): cần đăng ký máy thu thập cho đơn vị mới' \
	"$T/scope.msg" || fail "the old Sơn Hạ collector writes the new Sơn Hạ"
ctl collector list >"$T/collectors.txt"
grep -E '^xa-21298 +21298 .* retired' "$T/collectors.txt" || fail "collector list: $(cat "$T/collectors.txt")"
grep -E '^tinh +51 .* active' "$T/collectors.txt" || fail "the province's collector"

say "2024 re-expressed on the structure of 01/07/2025"
ctl report --period 2024 --unit 51 --on-structure 2025-07-01 --format csv >"$T/re.csv"
head -n 1 "$T/re.csv" | grep -q ',reexpressed_on$' || fail "csv header"
# Sơn Nham's figures under xã Sơn Hạ (weight 1); expected: the 3 old communes
# behind it (Sơn Hạ, Sơn Thành, Sơn Nham), 1 of which reported.
assert_eq "21292 internet_users_pct 2024 re-expressed" "5.28,264,5000,1,3" "$(fig "$T/re.csv" 21292 internet_users_pct)"
assert_eq "21292 population 2024 re-expressed" "5000,,,1,3" "$(fig "$T/re.csv" 21292 population)"
assert_eq "21292's name on the new structure" "Xã Sơn Hạ,2,2025-07-01" \
	"$(awk -F, '$1 == "21292" { print $2 "," $3 "," $NF; exit }' "$T/re.csv")"
# Lý Sơn district -> đặc khu Lý Sơn.  Behind the province on the new
# structure stand the 170 old units of the crosswalk file (169 communes and Lý
# Sơn, a district without communes): expected counts only what the crosswalk
# maps, so xã Trà Bùi (a partial split, no row) is not expected.
assert_eq "21548 population 2024 re-expressed" "19080,,,1,1" "$(fig "$T/re.csv" 21548 population)"
assert_eq "51 population 2024 re-expressed" "24080,,,2,170" "$(fig "$T/re.csv" 51 population)"
assert_eq "51 online_payment_procedures_pct re-expressed" "60.87,14,23" \
	"$(fig "$T/re.csv" 51 online_payment_procedures_pct | cut -d, -f1-3)"
assert_eq "no old unit in the re-expressed report" "" \
	"$(awk -F, '$1 == "21298" || $1 == "529" || $1 == "536"' "$T/re.csv")"
ctl report --period 2024 --unit 51 --on-structure 2025-07-01 >"$T/re.txt"
head -n 12 "$T/re.txt"
grep -q 'Số liệu quy đổi theo địa giới từ 01/07/2025' "$T/re.txt" || fail "text: no mark"
grep -q '5,28% (264 / 5.000)' "$T/re.txt" || fail "text: 5,28% (264 / 5.000)"
ctl report --period 2024 --unit 51 --on-structure 2025-07-01 --format markdown >"$T/re.md"
grep -q 'Số liệu quy đổi theo địa giới từ 01/07/2025' "$T/re.md" || fail "markdown: no mark"
ctl report --period 2024 --unit 51 --on-structure 2025-07-01 --format html >"$T/re.html"
grep -q '<p class="reexpressed"><strong>Số liệu quy đổi theo địa giới từ 01/07/2025' "$T/re.html" || fail "html: no mark"
ctl report --period 2024 --unit 51 --on-structure 2025-07-01 --lang en >"$T/re_en.txt"
grep -q 'Figures re-expressed on the units in force from 2025-07-01' "$T/re_en.txt" || fail "english: no mark"
if ctl report publish --period 2024 --unit 51 --on-structure 2025-07-01 2>/dev/null; then
	fail "a re-expressed report was published"
fi

say "a split moves counts by the weight and recomputes ratios"
# A made-up split of Sơn Nham, 60% to xã Sơn Hạ and 40% to xã Sơn Hà:
# 264 x 0.6 = 158.4 of 5 000 x 0.6 = 3 000 -> 5.28%; 105.6 of 2 000 for Sơn Hà.
printf 'old_code,old_date,new_code,new_date,weight\n21298,2025-06-30,21292,2025-07-01,0.6\n21298,2025-06-30,21289,2025-07-01,"0,4"\n' >"$T/split.csv"
ctl units crosswalk import "$T/split.csv"
ctl report --period 2024 --unit 51 --on-structure 2025-07-01 --format csv >"$T/split.out"
assert_eq "21292 internet_users_pct, 60%" "5.28,158.4,3000" "$(fig "$T/split.out" 21292 internet_users_pct | cut -d, -f1-3)"
assert_eq "21289 internet_users_pct, 40%" "5.28,105.6,2000" "$(fig "$T/split.out" 21289 internet_users_pct | cut -d, -f1-3)"
assert_eq "21289 population, 40%" "2000" "$(fig "$T/split.out" 21289 population | cut -d, -f1)"
assert_eq "the province's total does not move" "24080" "$(fig "$T/split.out" 51 population | cut -d, -f1)"
ctl units crosswalk import "$UNITS/crosswalk_quang_ngai_2025.csv" >/dev/null

say "the straddling year re-expressed equals the year on its own tree"
ctl report --period 2025 --unit 51 --on-structure 2025-07-01 --format csv >"$T/re2025.csv"
assert_eq "51 population 2025 re-expressed" "35000" "$(fig "$T/re2025.csv" 51 population | cut -d, -f1)"
assert_eq "21292 population 2025 re-expressed" "15000" "$(fig "$T/re2025.csv" 21292 population | cut -d, -f1)"

ctl rollup verify
stop_chisod
