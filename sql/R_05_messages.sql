-- R_05_messages: every message an officer reads about a refused or flagged
-- row, in one place.  The agent (chiso-agent submit), chisod and ingest() all
-- take their texts from the table below: a message is changed here and
-- nowhere else.  The C programs compile it in (cmake/message_gen.c turns this
-- file into a C table at build time); migrate loads it into the table
-- `message`, which ingest() reads through msg() and which the officer's form
-- and analysts may read too (chiso_reader).
--
-- One line per message, three fields separated by one tab: the code (the
-- reason code of docs/protocol.md for a refusal, a plain name for a part of
-- a message, such as the parse errors of lib/period.c and lib/num.c), its parameters in the order callers pass them (comma
-- separated), and the Vietnamese text, where {name} stands for a parameter.
-- A text holds no tab, no newline and no other braces; tests/unit/
-- test_message.c checks that, and that every code the C and SQL sources use
-- is here.
--
-- The table is created here, not in a numbered migration, because its rows
-- belong to the code of this version: they are written again whenever the
-- R_ files are applied.  After the table: msg(), and the helpers that write
-- numbers, names and lengths into messages (num_vi, ind_vi, unit_vi, msg_fit).
CREATE TABLE IF NOT EXISTS message (
	code text PRIMARY KEY,
	params text[] NOT NULL,
	text_vi text NOT NULL
);

DELETE FROM message;
INSERT INTO message (code, params, text_vi)
SELECT f[1], coalesce(string_to_array(nullif(f[2], ''), ','), '{}'), f[3]
FROM regexp_split_to_table($messages$
wrong_field_count	want,got	cần {want} trường như dòng tiêu đề, nhưng có {got}
bad_unit	text	"{text}" không phải là mã đơn vị (chỉ gồm chữ số, theo danh mục chính thức: 21298 là Xã Sơn Nham)
bad_indicator	text	"{text}" không phải là mã chỉ tiêu (chữ thường không dấu, chữ số và dấu _, theo danh mục chỉ tiêu)
period_and_date		chỉ ghi kỳ báo cáo (period) hoặc ngày (date), không ghi cả hai
period_missing		chưa ghi kỳ báo cáo: hãy ghi kỳ, ví dụ 2024S1 (hoặc ghi ngày)
bad_qualifier	text	"{text}" không phải là cách ghi mức độ: dùng at_least (hơn), at_most (dưới) hoặc about (khoảng), hoặc để trống
note_too_long	bytes,max	ghi chú dài {bytes} byte, quá giới hạn {max} byte (khoảng 80 chữ có dấu): hãy viết ngắn lại
note_control	byte	ghi chú có ký tự điều khiển (xuống dòng, tab...) ở byte thứ {byte}: hãy viết ghi chú trên một dòng
duplicate_in_file	unit,indicator,period,line	{unit} {indicator} {period} đã có ở dòng {line}
catalog_version	version	phiên bản {version}
header_unknown_column	column	không có cột "{column}": các cột là unit, indicator, period (hoặc date), value, có thể thêm qualifier và note
header_column_twice	column	cột "{column}" xuất hiện hai lần
header_columns_missing		dòng tiêu đề phải có các cột unit, indicator, period (hoặc date) và value
file_empty		tệp rỗng, không có dòng tiêu đề
errors_more	more,total,kinds	... và {more} lỗi khác (tổng cộng {total} lỗi: {kinds})
errors_listed_at	path	; đủ danh sách ở {path}
errors_written	path	các dòng sai được ghi vào {path}
nothing_queued		không dòng nào của tệp này được đưa vào hàng đợi
errors_nothing_queued	errors	{errors} dòng sai, chưa dòng nào được đưa vào hàng đợi
errors_fix_or_partial	good	: hãy sửa rồi gửi lại (hoặc dùng --partial để đưa ngay {good} dòng đúng vào hàng đợi)
form_forbidden		Không được phép: hãy mở biểu mẫu bằng địa chỉ mà lệnh chiso-agent status in ra
form_bad_host	host	Địa chỉ "{host}" không phải là địa chỉ của biểu mẫu trên máy này
form_csrf		Phiên làm việc của trang đã hết hạn: hãy tải lại trang rồi lưu lại
form_bad_body	reason	Không đọc được số liệu gửi lên: {reason}
form_too_large	max	Số liệu gửi lên quá lớn (tối đa {max} byte)
form_not_found		Không có trang này
form_no_unit		Máy thu thập chưa kết nối được với tỉnh nên chưa biết mã đơn vị và danh mục chỉ tiêu: hãy kiểm tra kết nối mạng rồi tải lại trang
form_nothing		Chưa nhập số liệu nào để lưu
form_bad_field	field	Trường "{field}" không có trong biểu mẫu
form_saved	rows	Đã lưu {rows} số liệu vào hàng đợi, máy sẽ tự gửi lên tỉnh
state_waiting		chờ gửi
state_received		tỉnh đã nhận
state_refused		bị từ chối
state_missing		chưa nhập
form_who	unit,collector,catalog	Đơn vị {unit} · máy thu thập {collector} · danh mục {catalog}
form_missing	count	Còn {count} chỉ tiêu chưa nhập
form_complete		Đã nhập đủ các chỉ tiêu
form_required_empty		Chưa nhập: tỉnh cần số liệu của chỉ tiêu này trong kỳ báo cáo
form_ratio_half	other,ratio	Cần nhập cả {other} để tính tỷ lệ {ratio}
form_confirm_partial	count	Còn {count} ô chưa nhập (dòng chữ vàng dưới ô). Nếu chưa có số liệu, có thể lưu phần đã nhập và bổ sung sau
form_confirm_button		Vẫn lưu phần đã nhập
form_saving		Đang lưu…
form_note_placeholder		ghi chú (F2)
form_note_label	indicator	Ghi chú cho số liệu "{indicator}"
form_note_alone	indicator	Ghi chú của chỉ tiêu {indicator} được lưu cùng số liệu: hãy nhập số liệu, hoặc xóa ghi chú
collector_revoked	collector,time	Máy thu thập {collector} đã bị thu hồi quyền gửi số liệu lúc {time}
unknown_indicator	indicator	Không có chỉ tiêu mã "{indicator}" trong danh mục chỉ tiêu
computed_indicator	indicator,numerator,denominator	Chỉ tiêu {indicator} là tỷ lệ do hệ thống tự tính từ {numerator} và {denominator}: đề nghị gửi hai số liệu này
period_type_not_allowed	indicator,allowed,type,period,period_words	Chỉ tiêu {indicator} được báo cáo theo {allowed}, không báo cáo theo {type} (kỳ {period}: {period_words})
future_period	period,period_words,first_day	Kỳ {period} ({period_words}) bắt đầu từ ngày {first_day}, chưa đến kỳ báo cáo
unit_retired	unit,day,last_day,successors	Đơn vị {unit} không còn tồn tại vào ngày {day}: đơn vị này chỉ có hiệu lực đến hết ngày {last_day}{successors}
unit_not_yet	unit,day,first_day	Đơn vị {unit} chưa tồn tại vào ngày {day}: đơn vị này có hiệu lực từ ngày {first_day}
successors_then	units	; đơn vị kế thừa: {units}
successors_paren	units	 (đơn vị kế thừa: {units})
unknown_unit	unit	Không có đơn vị hành chính mã {unit}
scope_retired	scope,collector,until,successors	Đơn vị {scope} của máy thu thập {collector} đã hết hiệu lực từ ngày {until}{successors}: cần đăng ký máy thu thập cho đơn vị mới
unit_out_of_scope	unit,collector,scope	Đơn vị {unit} nằm ngoài phạm vi của máy thu thập {collector}, được đăng ký cho đơn vị {scope}
level_not_allowed	indicator,levels,unit,tier	Chỉ tiêu {indicator} do cấp {levels} báo cáo; đơn vị {unit} thuộc cấp {tier}
period_locked	period,period_words,closed	Kỳ {period} ({period_words}) đã khóa sổ ngày {closed}: đề nghị tỉnh mở lại kỳ này nếu cần gửi hoặc sửa số liệu
not_integer	indicator,measure,value	Chỉ tiêu {indicator} đếm số {measure} nên phải là số nguyên: {value} không phải là số nguyên
negative_value	indicator,value	Chỉ tiêu {indicator} không được có giá trị âm: {value}
out_of_bounds	indicator,range,value	Chỉ tiêu {indicator} phải có giá trị {range}: {value}
range_between	min,max	từ {min} đến {max}
range_at_most	max	không lớn hơn {max}
range_at_least	min	không nhỏ hơn {min}
numerator_exceeds_denominator	numerator,value,denominator,other,source,ratio	{numerator} = {value} lớn hơn {denominator} = {other} ({source}), nên tỷ lệ {ratio} sẽ vượt quá 100%
denominator_below_numerator	denominator,value,numerator,other,source,ratio	{denominator} = {value} nhỏ hơn {numerator} = {other} ({source}), nên tỷ lệ {ratio} sẽ vượt quá 100%
source_this_commit		gửi cùng lần này
source_stored		đã lưu trước đó
superseded_by_date	stored_date,date	Số liệu này đã có giá trị ngày {stored_date}, muộn hơn ngày {date} của dòng này; dòng này được lưu vào lịch sử nhưng không được áp dụng
superseded_by_batch		Máy thu thập này đã gửi một lô mới hơn cho số liệu này; dòng cũ hơn này không được áp dụng
key_reused	epoch,seq,time	Số hiệu lô {epoch}/{seq} đã dùng cho một lô khác nhận lúc {time}: lô này chưa được lưu, máy thu thập tự gửi lại với số hiệu mới
sum_mismatch	parts,sum,total_code,total,rule	{parts}, cộng lại là {sum}, nhưng {total_code} = {total} (quy tắc {rule}): số liệu đã được nhận, đề nghị kiểm tra lại
outlier	value,median,n,score	{value} khác xa mức thường thấy của đơn vị này là {median} (trung vị của {n} kỳ trước; chỉ số z hiệu chỉnh {score}): số liệu đã được nhận, đề nghị kiểm tra lại
score_infinite		vô hạn
type_daily		ngày
type_weekly		tuần
type_monthly		tháng
type_quarterly		quý
type_six_monthly		6 tháng
type_yearly		năm
or_list	rest,last	{rest} hoặc {last}
period_daily	day	ngày {day}
period_weekly	week,year	tuần {week} năm {year}
period_monthly	month,year	tháng {month} năm {year}
period_quarterly	quarter,year	quý {quarter} năm {year}
period_six_monthly	half,year	6 tháng {half} năm {year}
period_yearly	year	năm {year}
half_first		đầu
half_second		cuối
period_other	code	kỳ {code}
period_empty		chưa ghi kỳ báo cáo
period_unknown	text,reason	không nhận dạng được kỳ báo cáo "{text}": {reason}
period_invalid	text,reason	kỳ báo cáo không hợp lệ "{text}": {reason}
period_forms		hãy ghi theo dạng 2024, 2024S1, 2024Q2, 202406, 2024W10 hoặc 20240615
period_hint	period,period_words	hãy ghi {period} cho {period_words}
year_range	min,max	năm phải từ {min} đến {max}
week_range	max,year	tuần phải từ 1 đến {max}: năm {year} có {max} tuần theo ISO
quarter_range		quý phải từ Q1 đến Q4
half_range		kỳ 6 tháng phải là S1 hoặc S2
month_range		tháng phải từ 01 đến 12
day_range	max,month,year	ngày phải từ 01 đến {max} trong tháng {month} năm {year}
date_empty		chưa ghi ngày
date_unknown	text,reason	không nhận dạng được ngày "{text}": {reason}
date_invalid	text,reason	ngày không hợp lệ "{text}": {reason}
date_forms		hãy ghi theo dạng 2024-06-15 hoặc 15/06/2024
date_month_range		tháng phải từ 1 đến 12
date_day_range	max,month,year	ngày phải từ 1 đến {max} trong tháng {month} năm {year}
value_empty		chưa ghi giá trị
number_invalid	text,reason	số không hợp lệ "{text}": {reason}
number_ambiguous	text,reason	số không rõ nghĩa "{text}": {reason}
number_readings	thousands,words,comma,dot	ghi {thousands} nếu là {words}, hoặc {comma} / {dot} nếu là số thập phân
number_percent		tỷ lệ phần trăm do hệ thống tự tính: đề nghị gửi tử số và mẫu số
number_exponent		không nhận số viết dạng lũy thừa: hãy ghi đầy đủ các chữ số
number_hex		không nhận số hệ thập lục phân
number_two_signs		có nhiều hơn một dấu
number_sign_first		dấu + hoặc - phải đứng đầu
number_letter		số không được chứa chữ cái
number_char	char	ký tự không hợp lệ '{char}'
number_byte		ký tự không hợp lệ
number_separator		dấu phân cách đặt sai chỗ
number_sign_only		chỉ có dấu, không có chữ số
number_mixed_groups		nhóm chữ số sai: chỉ dùng một loại dấu phân cách hàng nghìn, sau đó nhiều nhất một dấu thập phân
number_group_size		nhóm chữ số sai: nhóm đầu có 1 đến 3 chữ số, mỗi nhóm sau đúng 3 chữ số
number_digits		quá nhiều chữ số: tối đa 15 chữ số có nghĩa
number_decimals		quá nhiều chữ số thập phân
number_decimals_max		quá nhiều chữ số thập phân: tối đa 15 chữ số sau dấu thập phân
number_not_finite		không phải là số hữu hạn
csv_column	letter	cột {letter}
csv_column_named	letter,name	cột {letter} ({name})
csv_too_many_fields	max	dòng có quá nhiều cột: tối đa {max} cột
csv_not_utf8	byte,char	tệp không phải là văn bản UTF-8 (byte 0x{byte} ở ký tự thứ {char} của dòng), thường do lưu bằng kiểu "CSV (Comma delimited)": hãy mở tệp bằng Excel, chọn Save As (Lưu thành) kiểu "CSV UTF-8 (Comma delimited)" rồi gửi lại
csv_bad_utf16	char	tệp UTF-16 có mã không phải là ký tự (nửa cặp thay thế đứng lẻ, hoặc byte lẻ ở cuối tệp) ở ký tự thứ {char} của dòng: hãy mở tệp bằng Excel và lưu lại
csv_nul		có byte NUL: đây không phải là tệp CSV dạng văn bản (hoặc là UTF-16 không có BOM); hãy mở tệp bằng Excel, chọn Save As (Lưu thành) kiểu "CSV UTF-8 (Comma delimited)" rồi gửi lại
csv_field_too_long	max	ô dài quá {max} byte
csv_text_after_quote		có chữ sau dấu ngoặc kép đóng ô: ô mở bằng dấu " phải đóng bằng dấu " ngay trước dấu phân cách hoặc cuối dòng, và dấu " trong ô phải viết thành ""
csv_quote_inside		có dấu " trong một ô không mở bằng dấu ": hãy đặt cả ô trong dấu ngoặc kép và viết dấu " trong ô thành ""
csv_unterminated	line	dấu ngoặc kép mở ô ở dòng {line} không được đóng đến hết tệp
csv_read_error	reason	không đọc được tệp: {reason}
csv_sep_unknown	char	dòng "sep=" chỉ định dấu phân cách "{char}", không dùng được: hãy ghi sep=, hoặc sep=; (hoặc bỏ dòng này)
header_value_without_name	column,text	{column} có giá trị "{text}" nhưng ô tiêu đề của cột này để trống: hãy ghi tên cột vào dòng tiêu đề, hoặc xóa giá trị này
inbox_queued	file,rows,first,last	Tệp {file}: đã đưa {rows} dòng vào hàng đợi (lô {first} đến {last}); máy sẽ tự gửi lên tỉnh khi có kết nối
inbox_nothing	file	Tệp {file}: không có dòng số liệu nào để gửi
inbox_already	file,first,last	Tệp {file}: nội dung này đã nằm trong hàng đợi (lô {first} đến {last}) và chưa gửi xong, nên không đưa vào lần nữa
inbox_refused	file,inbox	Tệp {file} chưa được gửi vì có các lỗi dưới đây: hãy sửa tệp rồi lưu lại vào thư mục {inbox}
xlsx_unreadable	reason	không đọc được tệp này như một bảng tính Excel (.xlsx): hãy mở bằng Excel hoặc LibreOffice và lưu lại dạng Excel Workbook (.xlsx) ({reason})
xlsx_part_missing	part	tệp Excel thiếu phần {part}: hãy mở bằng Excel hoặc LibreOffice và lưu lại
xlsx_part_damaged	part,reason	phần {part} của tệp Excel bị hỏng ({reason}): hãy mở bằng Excel hoặc LibreOffice và lưu lại
xlsx_part_too_large	part,max	phần {part} của tệp Excel khi giải nén lớn hơn {max} byte: tệp quá lớn hoặc bị hỏng, hãy chia thành nhiều tệp
xlsx_too_many_parts	count,max	tệp Excel có {count} phần, nhiều hơn {max}: tệp bị hỏng hoặc không phải là bảng tính số liệu
xlsx_too_many_strings	max	tệp Excel có hơn {max} chuỗi chữ: hãy chia thành nhiều tệp
xlsx_no_sheet		tệp Excel không có trang tính nào
xlsx_template_version	version,known	mẫu báo cáo phiên bản {version}, chương trình này đọc phiên bản {known}: hãy tạo mẫu mới bằng chiso-agent template
xlsx_template_damaged		trang tính ẩn "chiso" của mẫu báo cáo bị sửa hoặc thiếu (đơn vị, kỳ, trang tính, vị trí các chỉ tiêu): hãy tạo mẫu mới bằng chiso-agent template và nhập lại số liệu
xlsx_row_moved	expected,found	dòng này phải là chỉ tiêu {expected} nhưng ô mã chỉ tiêu ghi "{found}": đừng chèn, xóa hay di chuyển dòng trong mẫu báo cáo
xlsx_formula_no_value		ô có công thức nhưng chưa có giá trị tính sẵn: hãy mở tệp bằng Excel hoặc LibreOffice, để chương trình tính rồi lưu lại (hoặc ghi số thay cho công thức)
xlsx_cell_too_long	max	ô dài quá {max} byte
xlsx_too_many_columns	max	dòng có ô ghi ngoài {max} cột đầu: mỗi dòng chỉ có các cột unit, indicator, period, value, qualifier, note
xlsx_cell	sheet,cell,column	trang tính "{sheet}", ô {cell} (cột {column})
xlsx_row	sheet,row	trang tính "{sheet}", dòng {row}
tpl_sheet		Báo cáo
tpl_title	unit,period,period_words	Báo cáo chỉ tiêu chuyển đổi số: đơn vị {unit}, kỳ {period} ({period_words})
tpl_help		Nhập số liệu vào các ô nền vàng: cột Giá trị (số nguyên hoặc số thập phân, ví dụ 1.463 hay 89,52), có thể chọn Mức độ và ghi Ghi chú. Các tỷ lệ tự tính khi nhập tử số và mẫu số. Lưu tệp rồi gửi bằng lệnh chiso-agent submit.
tpl_col_code		Mã chỉ tiêu
tpl_col_name		Tên chỉ tiêu
tpl_col_measure		Đơn vị tính
tpl_col_value		Giá trị
tpl_col_qualifier		Mức độ
tpl_col_note		Ghi chú
tpl_ratio_note	numerator,denominator	Tự tính: {numerator} / {denominator}
tpl_input_title		Nhập số liệu
tpl_input_count	measure	Số nguyên không âm ({measure})
tpl_input_number	measure	Số, có thể có phần thập phân ({measure})
tpl_error_title		Giá trị không hợp lệ
tpl_error_count		Chỉ tiêu này là số nguyên không âm, trong giới hạn của danh mục chỉ tiêu
tpl_error_number		Giá trị phải là một số trong giới hạn của danh mục chỉ tiêu
tpl_error_share	numerator,denominator	{numerator} là một phần của {denominator}: không được lớn hơn {denominator}, và phải là số không âm
tpl_no_indicator	period,period_words	Danh mục chỉ tiêu không có chỉ tiêu nào báo cáo theo kỳ {period} ({period_words})
tpl_no_indicator_tier	tier,period,period_words	Danh mục chỉ tiêu không có chỉ tiêu nào cấp {tier} báo cáo theo kỳ {period} ({period_words})
tier_province		tỉnh
tier_district		huyện
tier_commune		xã
form_deadline	date	Hạn nộp: {date}
form_overdue		đã quá hạn
$messages$, E'\n') AS l(line)
CROSS JOIN LATERAL string_to_array(l.line, E'\t') AS x(f)
WHERE l.line <> '';

-- The text of code with its parameters put in, in the order of the table's
-- params; NULL arguments read as empty.  An unknown code or a wrong count of
-- arguments is a programming error: it fails the statement, which the tests
-- would see.  One pass over the text, so that an argument holding "{x}" is
-- never substituted again.  Like lib/message.c message_format.
CREATE FUNCTION msg(p_code text, VARIADIC p_args text[] DEFAULT '{}') RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
	m message;
	t text;
BEGIN
	SELECT * INTO m FROM message WHERE code = p_code;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'msg: no message %', p_code;
	END IF;
	IF coalesce(cardinality(p_args), 0) <> cardinality(m.params) THEN
		RAISE EXCEPTION 'msg: % takes % arguments, not %', p_code, cardinality(m.params),
			coalesce(cardinality(p_args), 0);
	END IF;
	-- Split at the braces: odd pieces are text, even ones parameter names.
	SELECT string_agg(CASE WHEN x.o % 2 = 1 THEN x.part
			       ELSE coalesce(p_args[array_position(m.params, x.part)], '') END,
			  '' ORDER BY x.o)
	INTO t
	FROM regexp_split_to_table(m.text_vi, '[{}]') WITH ORDINALITY AS x(part, o);
	RETURN coalesce(t, '');
END;
$$;

-- A number written the Vietnamese way for the messages officers read: dots
-- group thousands, a comma marks decimals, trailing zeros dropped (1.463;
-- 89,52; -0,5), like lib/num.c num_format_vi.
CREATE FUNCTION num_vi(v numeric) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN v < 0 THEN '-' ELSE '' END
	       || regexp_replace(trunc(abs(v))::text, '([0-9])(?=([0-9]{3})+$)', '\1.', 'g')
	       || coalesce(',' || nullif(split_part(trim_scale(abs(v))::text, '.', 2), ''), '');
$$;

-- A message goes back to the agent in the ACK, where it may take at most 240
-- bytes (docs/protocol.md; BATCH_MESSAGE_MAX): Vietnamese takes two or three
-- bytes a letter and the catalogue's names are long.  The names in a message
-- are therefore marked as droppable, between chr(1) and chr(2) (msg_drop,
-- ind_vi, unit_vi), and msg_fit keeps them only when the whole message fits;
-- otherwise the codes alone remain.  The rejection table keeps the same text
-- as the ACK; what is still too long is cut at a character boundary by chisod
-- (lib/batch.c batch_string).
CREATE FUNCTION msg_drop(p text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT chr(1) || p || chr(2);
$$;

-- An indicator in a message: "Dân số" (population), or population alone.
CREATE FUNCTION ind_vi(p_name text, p_code text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT msg_drop('"' || p_name || '" (') || p_code || msg_drop(')');
$$;

-- A unit in a message: 21292 (Xã Sơn Hạ), or 21292 alone.
CREATE FUNCTION unit_vi(p_code text, p_name text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT p_code || msg_drop(' (' || p_name || ')');
$$;

CREATE FUNCTION msg_fit(m text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN octet_length(translate(m, chr(1) || chr(2), '')) <= 240
		    THEN translate(m, chr(1) || chr(2), '')
		    ELSE regexp_replace(m, chr(1) || '[^' || chr(2) || ']*' || chr(2), '', 'g') END;
$$;
