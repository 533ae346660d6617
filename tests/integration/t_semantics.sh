#!/usr/bin/env bash
# Semantics of periods and aggregation, end to end through the real daemon:
# each aggregation type over time (sum, last, avg, max) and across units (sum,
# avg, min, max, none), both calendars (a date is assigned its period by the
# indicator's calendar), "how many of how many" for derived periods, zero
# versus not reported, qualifiers carried on, completeness and timeliness,
# validation (period type, numerator <= denominator across batches, sum rule,
# outlier), locking by hand and after a deadline, and history.  Every
# expectation below was computed by hand; the comment above each says how.
. "$(dirname "$0")/lib.sh"

setup_database
ctl catalog load "$CHISO_SOURCE_DIR/tests/data/semantics_catalog.conf" >/dev/null
start_chisod
make_agent tinh 51 # the province's own collector may write every unit

# Communes of huyện Sơn Hà (529), which has 14 communes in the 2024 structure.
A=21292 B=21295 C=21298 D=21301

# push NAME CSV-BODY: one batch through the agent; waits for its ack.
N=0
push() {
	N=$((N + 1))
	printf 'unit,indicator,period,date,value,qualifier\n%s\n' "$1" >"$T/b$N.csv"
	agent tinh submit "$T/b$N.csv" >/dev/null
	agent tinh run --until-empty --timeout 30 >"$T/b$N.log" 2>&1 ||
		fail "batch $N not delivered: $(cat "$T/b$N.log")"
}

# rollup UNIT INDICATOR PERIOD: value qualifier reporting/expected on_time periods
rollup() {
	sql "SELECT concat_ws(' ', trim_scale(r.value), coalesce(r.qualifier, '-'),
		r.reporting_units || '/' || r.expected_units, 'on_time=' || r.on_time_units,
		CASE WHEN r.periods_expected IS NOT NULL
		     THEN 'periods=' || r.periods_reported || '/' || r.periods_expected END)
	     FROM rollup r JOIN unit u ON u.id = r.unit_id JOIN indicator i ON i.id = r.indicator_id
	     JOIN period p ON p.id = r.period_id
	     WHERE u.code = '$1' AND i.code = '$2' AND p.code = '$3'"
}
rejected() { # rejected UNIT INDICATOR PERIOD: the reason of the latest rejection
	sql "SELECT reason FROM rejection WHERE unit_code = '$1' AND indicator_code = '$2'
	     AND period_code = '$3' ORDER BY id DESC LIMIT 1"
}

say "monthly values, a quarter reported directly, a zero, a qualifier"
push "$A,flow,202401,,10,
$A,flow,202402,,20,
$A,flow,202403,,30,
$A,flow,202404,,5,
$B,flow,202401,,1,
$B,flow,202403,,2,hơn
$C,flow,2024Q1,,100,
$A,stock,202401,,100,
$A,stock,202403,,110,
$A,stock,202405,,120,
$B,stock,202402,,50,
$C,stock,202401,,0,
$A,level_avg,202401,,2,
$A,level_avg,202402,,4,
$B,level_avg,202401,,9,
$A,level_max,202401,,7,
$A,level_max,202402,,3,
$B,level_max,202403,,8,
$A,level_min,2024Q1,,4,
$A,level_min,2024Q2,,6,
$B,level_min,2024Q1,,2,
$A,own_only,202401,,5,
529,own_only,202401,,7,
$A,daily_visits,20240615,,3,"

say "sum over time, sum across units"
# A: 10+20+30 = 60 in Q1 (3 of 3 months); B: 1+2 = 3, a lower bound (2 of 3);
# C reported the quarter itself (3 of 3).  Sơn Hà: 60+3+100 = 163, at least.
# The province expects 171: its 170 communes and huyện Lý Sơn, a district
# without communes until 2025, which reports commune figures itself.
assert_eq "flow A 2024Q1" "60 - 1/1 on_time=0 periods=3/3" "$(rollup $A flow 2024Q1)"
assert_eq "flow B 2024Q1" "3 at_least 1/1 on_time=0 periods=2/3" "$(rollup $B flow 2024Q1)"
assert_eq "flow 529 2024Q1" "163 at_least 3/14 on_time=0 periods=8/9" "$(rollup 529 flow 2024Q1)"
assert_eq "flow 51 2024Q1" "163 at_least 3/171 on_time=0 periods=8/9" "$(rollup 51 flow 2024Q1)"
# A: Q1 60 + Q2 5 (April only) = 65, 4 of 6 months; B 3 (2 of 6); C 100 (3 of 6).
assert_eq "flow 529 2024S1" "168 at_least 3/14 on_time=0 periods=9/18" "$(rollup 529 flow 2024S1)"
assert_eq "flow A 2024" "65 - 1/1 on_time=0 periods=4/12" "$(rollup $A flow 2024)"

say "last over time (a stock), a reported zero counts as reporting"
# A: March 110 is the last month of Q1; B: February 50; C: 0 in January.
assert_eq "stock A 2024Q1" "110 - 1/1 on_time=0 periods=2/3" "$(rollup $A stock 2024Q1)"
assert_eq "stock 529 2024Q1" "160 - 3/14 on_time=0 periods=4/9" "$(rollup 529 stock 2024Q1)"
# S1: A's last is May (120), B 50, C 0: 170; the province's stock is the sum of
# each commune's latest figure, not the latest of the sums.
assert_eq "stock 529 2024S1" "170 - 3/14 on_time=0 periods=5/18" "$(rollup 529 stock 2024S1)"

say "avg and max over time and across units; min across units; none"
# avg: A (2+4)/2 = 3, B 9; Sơn Hà (3+9)/2 = 6.
assert_eq "level_avg 529 2024Q1" "6 - 2/14 on_time=0 periods=3/6" "$(rollup 529 level_avg 2024Q1)"
# max: A max(7,3) = 7, B 8; Sơn Hà 8.
assert_eq "level_max 529 2024Q1" "8 - 2/14 on_time=0 periods=3/6" "$(rollup 529 level_max 2024Q1)"
# min of quarterly values; A's year = avg(4, 6) = 5 (2 of 4 quarters), B's 2.
assert_eq "level_min 529 2024Q1" "2 - 2/14 on_time=0" "$(rollup 529 level_min 2024Q1)"
assert_eq "level_min A 2024" "5 - 1/1 on_time=0 periods=2/4" "$(rollup $A level_min 2024)"
assert_eq "level_min 529 2024" "2 - 2/14 on_time=0 periods=3/8" "$(rollup 529 level_min 2024)"
# none: the district's own figure only, never its communes'.
assert_eq "own_only 529 202401" "7 - 1/1 on_time=0" "$(rollup 529 own_only 202401)"
assert_eq "own_only A 202401" "5 - 1/1 on_time=0" "$(rollup $A own_only 202401)"
assert_eq "own_only rows at the province" "0" \
	"$(sql "SELECT count(*) FROM rollup r JOIN indicator i ON i.id = r.indicator_id
		JOIN unit u ON u.id = r.unit_id WHERE i.code = 'own_only' AND u.code = '51'")"
# daily values do not nest in months: nothing is derived from them.
assert_eq "daily_visits 529 20240615" "3 - 1/14 on_time=0" "$(rollup 529 daily_visits 20240615)"
assert_eq "values derived from daily ones" "0" \
	"$(sql "SELECT count(*) FROM observation_derived d JOIN indicator i ON i.id = d.indicator_id
		WHERE i.code = 'daily_visits'")"

say "dates are assigned their period by the indicator's calendar (Decree 09 for administrative)"
push "$A,adm_flow,,2024-01-14,1,
$B,adm_flow,,2024-01-15,2,
$C,adm_flow,,2023-12-15,4,
$D,adm_flow,,2024-12-15,8,
$A,flow,,2024-06-30,1000,"
# 14 January closes administrative January; the 15th opens February; 15
# December 2023 is already administrative year 2024; 15 December 2024 is 2025.
assert_eq "adm_flow 529 202401" "5 - 2/14 on_time=0" "$(rollup 529 adm_flow 202401)"
assert_eq "adm_flow 529 202402" "2 - 1/14 on_time=0" "$(rollup 529 adm_flow 202402)"
assert_eq "adm_flow 529 2024" "7 - 3/14 on_time=0 periods=3/36" "$(rollup 529 adm_flow 2024)"
assert_eq "adm_flow 529 2025" "8 - 1/14 on_time=0 periods=1/12" "$(rollup 529 adm_flow 2025)"
assert_eq "adm year 2024 first day" "2023-12-15" "$(sql "SELECT adm_first FROM period WHERE code = '2024'")"
# the statistical calendar puts 30 June in June: A's S1 flow grows by 1000.
assert_eq "flow 529 2024S1 after a June date" "1168 at_least 3/14 on_time=0 periods=10/18" \
	"$(rollup 529 flow 2024S1)"

say "validation: period type, numerator <= denominator across batches, sum rule, outlier"
printf 'unit,indicator,period,value\n%s,flow,20240615,1\n' $A >"$T/daily.csv"
agent tinh submit "$T/daily.csv" 2>"$T/daily.log" && fail "the agent queued a daily value of a monthly indicator"
grep -q "daily.csv:2: period: Chỉ tiêu flow được báo cáo theo tháng, quý, 6 tháng hoặc năm, không báo cáo theo ngày (kỳ 20240615: ngày 15/06/2024)" "$T/daily.log" ||
	fail "the agent's refusal does not name the line and field: $(cat "$T/daily.log")"
echo "ok: the agent refuses a daily value of a monthly indicator at daily.csv:2"
# the daemon refuses it too, for an agent that has not fetched the catalogue yet
rm -f "$T/agents/tinh/outbox/catalog.json"
push "$A,flow,20240615,,1,
$A,whole,202401,,10,"
assert_eq "a daily value of a monthly indicator" period_type_not_allowed "$(rejected $A flow 20240615)"
# the same rule, the same text (sql/R_05_messages.sql) as the agent's above
msg=$(sql "SELECT message FROM rejection WHERE unit_code = '$A' AND indicator_code = 'flow'
	   AND period_code = '20240615' ORDER BY id DESC LIMIT 1")
case "$msg" in
*flow*"được báo cáo theo tháng, quý, 6 tháng hoặc năm, không báo cáo theo ngày (kỳ 20240615: ngày 15/06/2024)") ;;
*) fail "chisod's message differs from the agent's: $msg" ;;
esac
push "$A,part_a,202401,,12,"
assert_eq "numerator above a denominator sent earlier" numerator_exceeds_denominator \
	"$(rejected $A part_a 202401)"
push "$A,part_a,202401,,3,
$A,part_b,202401,,4,"
assert_eq "sum rule: 3 + 4 <> 10 is flagged, not refused" "sum_mismatch|2|2" \
	"$(sql "SELECT code, count(*), count(DISTINCT indicator_id) FROM flag
		WHERE code = 'sum_mismatch' GROUP BY code")"
grep -q "sum_mismatch" "$T/b$N.log" || fail "the sender was not told of the sum rule"
assert_eq "ratio from the moved parts" "30 - 1/1 on_time=0" "$(rollup $A part_a_pct 202401)"
push "$B,visits,202401,,10,
$B,visits,202402,,11,
$B,visits,202403,,9,
$B,visits,202404,,10,"
push "$B,visits,202405,,12,"
push "$B,visits,202406,,500,"
# B's visits 10, 11, 9, 10, 12: median 10, MAD 1; 12 scores 1.3, 500 scores
# 330.5.  A's flow by June date (1000) had 10, 20, 30, 5 before it: median 15,
# MAD 7.5, score 88.6.
assert_eq "outliers flagged" "flow 202406 88,6;visits 202406 330,5" \
	"$(sql "SELECT string_agg(i.code || ' ' || p.code || ' '
			|| substring(f.message FROM 'chỉ số z hiệu chỉnh ([0-9,]+)'), ';' ORDER BY i.code)
		FROM flag f JOIN period p ON p.id = f.period_id JOIN indicator i ON i.id = f.indicator_id
		WHERE f.code = 'outlier'")"
# The window is the last outlier_window months (5 by default, 12 for
# visits_long in the catalogue).  D sent 500 in each of January to May 2023,
# then 10, 11, 9, 10, 12 (June to October), then 500 in November.  The five
# months before November are 10, 11, 9, 10, 12: median 10, MAD 1, z 330.5,
# flagged.  Over the whole history (or 12 months: the same ten values) the
# median is 256 and the MAD 245.5, z 0.7: not flagged.  So the old 500s no
# longer count for visits, and do for visits_long.  (June's 10 after five
# 500s is flagged too, in both: only November is asserted.)
for ind in visits visits_long; do
	push "$D,$ind,202301,,500,
$D,$ind,202302,,500,
$D,$ind,202303,,500,
$D,$ind,202304,,500,
$D,$ind,202305,,500,
$D,$ind,202306,,10,
$D,$ind,202307,,11,
$D,$ind,202308,,9,
$D,$ind,202309,,10,
$D,$ind,202310,,12,"
	push "$D,$ind,202311,,500,"
done
assert_eq "only the last 5 months count: D's 500 in November 2023 is an outlier" \
	"visits 202311 330,5 (trung vị của 5 kỳ trước" \
	"$(sql "SELECT string_agg(i.code || ' ' || p.code || ' '
			|| substring(f.message FROM 'chỉ số z hiệu chỉnh ([0-9,]+)')
			|| ' (' || substring(f.message FROM 'trung vị của [0-9]+ kỳ trước'), ';' ORDER BY i.code)
		FROM flag f JOIN period p ON p.id = f.period_id JOIN indicator i ON i.id = f.indicator_id
		JOIN unit u ON u.id = f.unit_id
		WHERE f.code = 'outlier' AND u.code = '$D' AND p.code = '202311'")"
assert_eq "outlier_window from the catalogue" "visits 5;visits_long 12" \
	"$(sql "SELECT string_agg(code || ' ' || outlier_window, ';' ORDER BY code) FROM indicator
		WHERE code LIKE 'visits%'")"

say "messages for officers: Vietnamese numbers and periods, short enough for an ACK"
assert_eq "num_vi" "1.463;89,52;-0,5;1.000.000;0" \
	"$(sql "SELECT num_vi(1463) || ';' || num_vi(89.520) || ';' || num_vi(-0.5) || ';'
		|| num_vi(1000000) || ';' || num_vi(0)")"
# period_words_vi reads the period table, where chisod put each period with
# the dates lib/period.c computed: a weekly period is added as chisod would.
sql "INSERT INTO period (code, type, stat_first, stat_last, adm_first, adm_last)
     VALUES ('2024W10', 'weekly', '2024-03-04', '2024-03-10', '2024-03-04', '2024-03-10')
     ON CONFLICT (code) DO NOTHING" >/dev/null
assert_eq "period_words_vi" "năm 2024;6 tháng đầu năm 2024;quý II năm 2024;tháng 6 năm 2024;tuần 10 năm 2024;ngày 15/06/2024;kỳ 2099Q9" \
	"$(sql "SELECT string_agg(period_words_vi(c), ';' ORDER BY o)
		FROM unnest(ARRAY['2024', '2024S1', '2024Q2', '202406', '2024W10', '20240615',
				  '2099Q9'])
		WITH ORDINALITY AS x(c, o)")"
assert_eq "msg_fit keeps the names when they fit" '"Dân số" (population) 21292 (Xã Sơn Hạ)' \
	"$(sql "SELECT msg_fit(ind_vi('Dân số', 'population') || ' ' || unit_vi('21292', 'Xã Sơn Hạ'))")"
assert_eq "msg_fit drops them when they do not" "population 21292 $(printf 'x%.0s' $(seq 220))" \
	"$(sql "SELECT msg_fit(ind_vi('Dân số', 'population') || ' ' || unit_vi('21292', 'Xã Sơn Hạ')
		|| ' ' || repeat('x', 220))")"
assert_eq "no refusal message longer than an ACK takes" 0 \
	"$(sql "SELECT count(*) FROM rejection WHERE octet_length(message) > 240")"
assert_eq "the outlier is stored all the same" 500 \
	"$(sql "SELECT trim_scale(value) FROM v_observation WHERE indicator_code = 'visits'
		AND period = '202406'")"

say "completeness: who has not reported"
# 14 communes of Sơn Hà are expected for flow 2024Q1; A, B and C have values.
assert_eq "missing flow 2024Q1 in Sơn Hà" 11 \
	"$(sql "SELECT count(*) FROM v_missing WHERE indicator_code = 'flow' AND period = '2024Q1'
		AND parent_code = '529'")"
assert_eq "A is not missing" 0 \
	"$(sql "SELECT count(*) FROM v_missing WHERE indicator_code = 'flow' AND period = '2024Q1'
		AND unit_code = '$A'")"

say "timeliness: a value for the running month is on time"
month=$(date +%Y%m)
push "$A,flow,$month,,1,"
assert_eq "flow 529 $month" "1 - 1/14 on_time=1" "$(rollup 529 flow "$month")"

say "locking: by hand, then after the deadline"
ctl period close 2024Q3 --reason "báo cáo quý 3 đã chốt" >/dev/null
push "$A,flow,202408,,5,"
assert_eq "a month of a closed quarter" period_locked "$(rejected $A flow 202408)"
ctl period reopen 2024Q3 >/dev/null
push "$A,flow,202408,,5,"
assert_eq "accepted after reopening" "5 - 1/14 on_time=0 periods=1/3" "$(rollup 529 flow 2024Q3)"
assert_eq "who closed and reopened" "close,reopen" \
	"$(sql "SELECT string_agg(e.action, ',' ORDER BY e.id) FROM period_event e
		JOIN period p ON p.id = e.period_id WHERE p.code = '2024Q3'")"
stop_chisod
sed -i 's/^\(\s*\)auto_close = false;/\1auto_close = true;/; s/^\(\s*\)monthly = 5;/\1monthly = 0;/' "$CONF"
if ctl period reopen 202405 2>/dev/null; then fail "reopening a period that is not closed succeeded"; fi
ctl period close 202405 >/dev/null && ctl period reopen 202405 >/dev/null
start_chisod
for _ in $(seq 50); do
	[ "$(sql "SELECT count(*) FROM period WHERE code = '202401' AND closed_at IS NOT NULL")" = 1 ] && break
	sleep 0.1
done
assert_eq "months past their deadline closed by chisod" "chisod (deadline)" \
	"$(sql "SELECT closed_by FROM period WHERE code = '202401'")"
assert_eq "a month reopened by hand stays open" "" \
	"$(sql "SELECT closed_at FROM period WHERE code = '202405'")"
assert_eq "the running month stays open" "" \
	"$(sql "SELECT closed_at FROM period WHERE code = '$month'")"
push "$B,flow,202402,,7,"
assert_eq "a value for a closed month" period_locked "$(rejected $B flow 202402)"

say "history: every change, who and when"
push "$A,flow,$month,,2,"
assert_eq "history of A flow $month" "new>1;1>2" \
	"$(sql "SELECT string_agg(coalesce(trim_scale(old_value)::text, 'new') || '>'
			|| trim_scale(new_value), ';' ORDER BY changed_at)
		FROM v_history WHERE unit_code = '$A' AND indicator_code = 'flow' AND period = '$month'")"
assert_eq "the collector is named" tinh \
	"$(sql "SELECT DISTINCT collector FROM v_history WHERE unit_code = '$A' AND period = '$month'")"

say "rollups against a rebuild and a plain aggregation"
ctl rollup verify >"$T/verify.txt" || { cat "$T/verify.txt"; fail "rollup verify found differences"; }
tail -n 1 "$T/verify.txt"
stop_chisod
