#!/usr/bin/env bash
# End to end: two agents push the seed figures over CURVE to the real chisod,
# which commits them to a real PostgreSQL with their rollups.  Checks every
# ratio of both reports at the reporting unit and at the province against
# figures computed by hand (tests/data/seed_expected.csv), the rollups against
# a recomputation, a resent batch stored once, and refused rows kept with
# their reasons.
. "$(dirname "$0")/lib.sh"

setup_database
start_chisod
make_agent xa-21298 21298
make_agent huyen-536 536

say "submit and deliver the seed figures"
cp "$CHISO_SOURCE_DIR/data/seeds/sonnham_2024.csv" "$CHISO_SOURCE_DIR/data/seeds/lyson_2024S1.csv" "$T/"
agent xa-21298 submit "$T/sonnham_2024.csv"
agent huyen-536 submit "$T/lyson_2024S1.csv"
# Keep a copy of a queued batch to resend it after it was committed.
mkdir "$T/saved"
cp "$T"/agents/xa-21298/outbox/pending/*.batch "$T/saved/"
agent xa-21298 run --until-empty --timeout 60
agent huyen-536 run --until-empty --timeout 60

sent_sn=$(($(grep -c . "$T/sonnham_2024.csv") - 1))
sent_ls=$(($(grep -c . "$T/lyson_2024S1.csv") - 1))
stored=$(sql "SELECT count(*) FROM observation")
rejected=$(sql "SELECT count(*) FROM rejection")
printf 'figures: sent=%d stored=%d rejected=%d\n' $((sent_sn + sent_ls)) "$stored" "$rejected"
assert_eq "every sent row stored or rejected" $((sent_sn + sent_ls)) $((stored + rejected))

say "report rows against hand-computed figures"
for p in 2024 2024S1; do
	ctl report --period "$p" --unit 51 --format csv >"$T/report_$p.csv"
done
head -n 1 "$T/report_2024.csv" | grep -qx 'unit_code,unit_name,level,indicator_code,indicator_name,period,value,numerator,denominator,reporting_units,expected_units' ||
	fail "report header"
checked=0
while IFS=, read -r unit ind period value num den; do
	[ "$unit" = unit ] && continue
	# the reporting unit, and the first unit above it that has no other
	# contribution: the province for 2024S1 (only Lý Sơn reported a half-year);
	# for 2024 the district, since Lý Sơn's half-year also counts in the
	# province's year (checked below)
	above=51
	[ "$period" = 2024 ] && above=529
	for u in "$unit" "$above"; do
		row=$(awk -F, -v u="$u" -v i="$ind" '$1 == u && $4 == i { print $(NF-4) "," $(NF-3) "," $(NF-2) }' \
			"$T/report_$period.csv")
		assert_eq "$u $ind $period" "$value,$num,$den" "$row"
		checked=$((checked + 1))
	done
done <"$CHISO_SOURCE_DIR/tests/data/seed_expected.csv"
[ "$checked" -ge 20 ] || fail "only $checked ratio rows checked"

say "the figures the reports got wrong are right here"
assert_eq "51 online_payment_procedures_pct 2024" "60.87,14,23" \
	"$(awk -F, '$1 == "51" && $4 == "online_payment_procedures_pct" { print $(NF-4) "," $(NF-3) "," $(NF-2) }' "$T/report_2024.csv")"
for u in 536 51; do
	assert_eq "$u tax_code_standardization_pct 2024S1" "55.39,996,1798" \
		"$(awk -F, -v u=$u '$1 == u && $4 == "tax_code_standardization_pct" { print $(NF-4) "," $(NF-3) "," $(NF-2) }' "$T/report_2024S1.csv")"
done
assert_eq "Sơn Hà rolls Sơn Nham up" "5.28,264,5000" \
	"$(awk -F, '$1 == "529" && $4 == "internet_users_pct" { print $(NF-4) "," $(NF-3) "," $(NF-2) }' "$T/report_2024.csv")"

say "the province's year: Sơn Nham's year and Lý Sơn's first half (3 of 4 half-years)"
assert_eq "51 population 2024" "24080,,,2" \
	"$(awk -F, '$1 == "51" && $4 == "population" { print $(NF-4) "," $(NF-3) "," $(NF-2) "," $(NF-1) }' "$T/report_2024.csv")"
assert_eq "periods behind the province's 2024 population" "3/4" \
	"$(sql "SELECT periods_reported || '/' || periods_expected FROM v_rollup
		WHERE unit_code = '51' AND indicator_code = 'population' AND period = '2024'")"

say "the text report uses Vietnamese number formatting"
ctl report --period 2024 --unit 51 >"$T/report.txt"
grep -q '60,87% (14 / 23)' "$T/report.txt" || fail "text report: 60,87% (14 / 23)"
grep -q '1.463' "$T/report.txt" || fail "text report: 1.463"
grep -q 'Dân số: 24.080 người — 2/183 đơn vị báo cáo, 2 nộp muộn; số liệu 3/4 kỳ 6 tháng' \
	"$T/report.txt" || fail "text report: how many half-years stand behind the year"

say "the household conflict of Lý Sơn's report is refused, with its reason"
assert_eq "rejection reason" numerator_exceeds_denominator \
	"$(sql "SELECT reason FROM rejection WHERE indicator_code = 'households_with_digital_address'")"
grep -q 'numerator_exceeds_denominator' "$T/lyson_2024S1.csv.rejected.csv" ||
	fail "the agent wrote no rejected-rows file beside its input"

say "rollups equal a recomputation"
ctl rollup verify

say "a batch resent after it was committed is acked again and stored once"
obs_before=$(sql "SELECT count(*) FROM observation")
hist_before=$(sql "SELECT count(*) FROM observation_history")
cp "$T"/saved/*.batch "$T/agents/xa-21298/outbox/pending/"
agent xa-21298 run --until-empty --timeout 60
assert_eq "duplicate acks" 1 "$(sed -n 's/^duplicate_acks=//p' "$T/agents/xa-21298/outbox/agent.state")"
assert_eq "observations after resend" "$obs_before" "$(sql "SELECT count(*) FROM observation")"
assert_eq "history after resend" "$hist_before" "$(sql "SELECT count(*) FROM observation_history")"
assert_eq "batch rows for that key" 1 "$(sql "SELECT count(*) FROM batch b JOIN collector c ON c.id = b.collector_id WHERE c.name = 'xa-21298'")"

say "rows the province refuses are kept with their reasons"
cat >"$T/bad.csv" <<'CSV'
unit,indicator,period,value
536,population,2024,19080
21298,population,2031,5000
21298,internet_users,2024S2,6000
21298,population,2024S2,5000
CSV
agent xa-21298 submit "$T/bad.csv"
agent xa-21298 run --until-empty --timeout 60
assert_eq "out of scope kept" unit_out_of_scope \
	"$(sql "SELECT reason FROM rejection WHERE ref = 'bad.csv:2'")"
assert_eq "future period kept" future_period \
	"$(sql "SELECT reason FROM rejection WHERE ref = 'bad.csv:3'")"
assert_eq "numerator above denominator kept" numerator_exceeds_denominator \
	"$(sql "SELECT reason FROM rejection WHERE ref = 'bad.csv:4'")"
assert_eq "the good row of that batch stored" 5000 \
	"$(sql "SELECT o.value FROM observation o JOIN period p ON p.id = o.period_id JOIN indicator i ON i.id = o.indicator_id WHERE p.code = '2024S2' AND i.code = 'population'")"
assert_eq "rejected rows file lines" 4 "$(wc -l <"$T/bad.csv.rejected.csv")"

say "a file with errors is refused whole by the agent, naming file:line: column"
printf 'unit,indicator,period,value\n21298,population,2024,1.463\n21298,internet_users_pct,2024,5\n' >"$T/typo.csv"
if agent xa-21298 submit "$T/typo.csv" 2>"$T/typo.err"; then fail "typo.csv accepted"; fi
grep -q 'typo.csv:2: value: số không rõ nghĩa' "$T/typo.err" || fail "no file:line for 1.463: $(cat "$T/typo.err")"
grep -q 'typo.csv:3: indicator: Chỉ tiêu internet_users_pct là tỷ lệ' "$T/typo.err" || fail "no refusal of a typed ratio"

say "rollups still equal a recomputation"
ctl rollup verify
stop_chisod
