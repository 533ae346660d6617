/* xlsx and template: workbooks built here with libzip (cells as Excel, LibreOffice and
 * openpyxl store them) read as CSV records, the refusals with the sheet and cell named,
 * the limits, and the template written, filled and submitted through the same checks. */
#include "testutil.h"

#include <sys/stat.h>
#include <zip.h>

#include "outbox.h"
#include "submit.h"
#include "template.h"
#include "xlsx.h"

#define WB                                                                                         \
	"<workbook xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/"               \
	"relationships\"><sheets><sheet name=\"Trang 1\" sheetId=\"1\" r:id=\"rId1\"/>"            \
	"</sheets></workbook>"
#define RELS                                                                                       \
	"<Relationships><Relationship Id=\"rId1\" Type=\"http://x/worksheet\" "                    \
	"Target=\"worksheets/sheet1.xml\"/><Relationship Id=\"rId9\" "                             \
	"Type=\"http://x/sharedStrings\" Target=\"/xl/sharedStrings.xml\"/></Relationships>"
#define SST                                                                                        \
	"<sst><si><t>unit</t></si><si><t>indicator</t></si><si><t>period</t></si>"                 \
	"<si><t>value</t></si><si><t>1.463</t></si><si><r><t>popu</t></r><r><t>lation</t></r>"     \
	"<rPh><t>x</t></rPh></si></sst>"
#define HEAD                                                                                       \
	"<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v></c>"            \
	"<c r=\"C1\" t=\"s\"><v>2</v></c><c r=\"D1\" t=\"s\"><v>3</v></c></row>"

/* A cell of inline text. */
#define IS(ref, text) "<c r=\"" ref "\" t=\"inlineStr\"><is><t>" text "</t></is></c>"

/* Builds an .xlsx at path: the parts named, each with its text (NULL ends the list). */
static void build(const char *path, const char *const *parts)
{
	int err;
	zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &err);
	assert_non_null(z);
	for (size_t i = 0; parts[i]; i += 2) {
		zip_source_t *s = zip_source_buffer(z, parts[i + 1], strlen(parts[i + 1]), 0);
		assert_non_null(s);
		assert_true(zip_file_add(z, parts[i], s, ZIP_FL_OVERWRITE) >= 0);
	}
	assert_int_equal(zip_close(z), 0);
}

/* A workbook of one sheet whose sheetData holds rows. */
static void build_sheet(const char *path, const char *rows)
{
	char sheet[8192];
	snprintf(sheet, sizeof sheet, "<worksheet><sheetData>%s</sheetData></worksheet>", rows);
	const char *parts[] = {"xl/workbook.xml",
			       WB,
			       "xl/_rels/workbook.xml.rels",
			       RELS,
			       "xl/sharedStrings.xml",
			       SST,
			       "xl/worksheets/sheet1.xml",
			       sheet,
			       NULL};
	build(path, parts);
}

static int read_all_max(const char *path, size_t part_max, char *out, size_t size);

/* Every record of path as "line:f1|f2;" and every error as "!error;", into out. */
static int read_all(const char *path, char *out, size_t size)
{
	return read_all_max(path, 0, out, size);
}

/* read_all with parts limited to part_max bytes. Every record of path as "line:f1|f2;" and every
 * error as "!error;", into out. */
static int read_all_max(const char *path, size_t part_max, char *out, size_t size)
{
	char err[2048];
	struct csv_record rec;
	int got;
	struct xlsx_reader *x = xlsx_open(path, NULL, 0, "in.xlsx", part_max, err, sizeof err);

	out[0] = '\0';
	if (!x) {
		snprintf(out, size, "!%s", err);
		return -1;
	}
	while ((got = xlsx_next(x, &rec)) != 0) {
		size_t n = strlen(out);
		if (got < 0) {
			snprintf(out + n, size - n, "!%s;", xlsx_error(x));
			continue;
		}
		n += (size_t)snprintf(out + n, size - n, "%ld:", rec.line);
		for (size_t i = 0; i < rec.nfields; i++)
			n += (size_t)snprintf(out + n, size - n, "%s%s", i ? "|" : "",
					      rec.fields[i]);
		snprintf(out + n, size - n, ";");
	}
	xlsx_destroy(&x);
	return 0;
}

static void test_cells(void **state)
{
	static const struct {
		const char *name, *rows, *want;
	} cases[] = {
	    {"numbers as Excel stores them",
	     HEAD "<row r=\"2\"><c r=\"A2\"><v>21298</v></c><c r=\"B2\" t=\"s\"><v>5</v></c>"
		  "<c r=\"C2\"><v>2024</v></c><c r=\"D2\"><v>1463</v></c></row>"
		  "<row r=\"3\"><c r=\"D3\"><v>0.89519999999999999</v></c></row>"
		  "<row r=\"4\"><c r=\"D4\"><v>1.5E-7</v></c></row>",
	     "1:unit|indicator|period|value;2:21298|population|2024|1463;3:|||0,8952;"
	     "4:|||0,00000015;"},
	    {"text as typed: a Vietnamese 1.463 stays text",
	     HEAD "<row r=\"2\"><c r=\"D2\" t=\"s\"><v>4</v></c></row>"
		  "<row r=\"3\"><c r=\"D3\" t=\"inlineStr\"><is><t>89,52</t></is></c></row>",
	     "1:unit|indicator|period|value;2:|||1.463;3:|||89,52;"},
	    {"formulas give their cached value",
	     HEAD "<row r=\"2\"><c r=\"D2\"><f>14+0</f><v>14</v></c></row>"
		  "<row r=\"3\"><c r=\"D3\" t=\"str\"><f>\"2024\"&amp;\"S1\"</f><v>2024S1</v></c>"
		  "</row>",
	     "1:unit|indicator|period|value;2:|||14;3:|||2024S1;"},
	    {"blank rows and empty cells",
	     HEAD "<row r=\"2\"/><row r=\"4\"><c r=\"B4\" t=\"s\"/><c r=\"C4\"/></row>"
		  "<row r=\"6\"><c r=\"B6\" t=\"inlineStr\"><is><t>x</t></is></c></row>",
	     "1:unit|indicator|period|value;6:|x||;"},
	    {"cells without references, prefixed names",
	     "<x:row><x:c t=\"s\"><x:v>0</x:v></x:c><x:c t=\"s\"><x:v>3</x:v></x:c></x:row>"
	     "<x:row><x:c><x:v>7</x:v></x:c><x:c><x:v>8</x:v></x:c></x:row>",
	     "1:unit|value;2:7|8;"},
	    {"a formula without its value", HEAD "<row r=\"2\"><c r=\"D2\"><f>A1+1</f></c></row>",
	     "1:unit|indicator|period|value;!in.xlsx: trang tính \"Trang 1\", ô D2 (cột value): ô "
	     "có công thức nhưng chưa có giá trị tính sẵn"},
	    {"a cell beyond the columns",
	     HEAD "<row r=\"2\"><c r=\"ZZ2\"><v>1</v></c></row><row r=\"3\"><c><v>5</v></c></row>",
	     "1:unit|indicator|period|value;!in.xlsx: trang tính \"Trang 1\", dòng 2: dòng có ô "
	     "ghi ngoài 64 cột đầu"},
	    {"a sheet cut short after a good row",
	     HEAD "<row r=\"2\"><c r=\"A2\"><v>1</v></c></row><row r=\"3\"><c r=",
	     "1:unit|indicator|period|value;2:1|||;!in.xlsx: phần xl/worksheets/sheet1.xml của "
	     "tệp Excel bị hỏng (1: "},
	    {"a shared string that is not there",
	     HEAD "<row r=\"2\"><c r=\"A2\" t=\"s\"><v>99</v></c></row>",
	     "!in.xlsx: trang tính \"Trang 1\", dòng 2: phần xl/worksheets/sheet1.xml"},
	};
	char *dir = test_tmpdir(), path[256], out[4096];
	(void)state;
	snprintf(path, sizeof path, "%s/in.xlsx", dir);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		build_sheet(path, cases[i].rows);
		read_all(path, out, sizeof out);
		if (cases[i].want[0] == '!' || strchr(cases[i].want, '!'))
			CHECK_HAS(cases[i].name, cases[i].want, out);
		else
			CHECK_STR(cases[i].name, cases[i].want, out);
	}
	test_rm_rf(dir);
}

/* Dates as Excel stores them, serial days under a date format, arrive as dates. */
static void test_dates(void **state)
{
	static const char rels[] =
	    "<Relationships><Relationship Id=\"rId1\" Type=\"http://x/worksheet\" "
	    "Target=\"worksheets/sheet1.xml\"/><Relationship Id=\"rId2\" Type=\"http://x/styles\" "
	    "Target=\"styles.xml\"/></Relationships>";
	static const char styles[] =
	    "<styleSheet><numFmts><numFmt numFmtId=\"164\" formatCode=\"dd/mm/yyyy\"/>"
	    "<numFmt numFmtId=\"165\" formatCode=\"&quot;ngày&quot; 0\"/>"
	    "<numFmt numFmtId=\"166\" formatCode=\"[$-42A]d mmmm yyyy\"/></numFmts>"
	    "<cellStyleXfs><xf numFmtId=\"14\"/></cellStyleXfs>"
	    "<cellXfs><xf numFmtId=\"0\"/><xf numFmtId=\"14\"/><xf numFmtId=\"164\"/>"
	    "<xf numFmtId=\"4\"/><xf numFmtId=\"165\"/><xf "
	    "numFmtId=\"166\"/></cellXfs></styleSheet>";
	static const char sheet[] =
	    "<worksheet><sheetData><row r=\"1\"><c t=\"inlineStr\"><is><t>date</t></is></c></row>"
	    "<row r=\"2\"><c s=\"1\"><v>45458</v></c><c s=\"2\"><v>45458.75</v></c>"
	    "<c s=\"3\"><v>1463</v></c><c s=\"0\"><v>45458</v></c><c s=\"4\"><v>12</v></c>"
	    "<c s=\"5\"><v>61</v></c><c s=\"2\"><v>60</v></c><c s=\"9\"><v>7</v></c></row>"
	    "</sheetData></worksheet>";
	const char *parts[] = {"xl/workbook.xml",
			       WB,
			       "xl/_rels/workbook.xml.rels",
			       rels,
			       "xl/styles.xml",
			       styles,
			       "xl/worksheets/sheet1.xml",
			       sheet,
			       NULL};
	char *dir = test_tmpdir(), path[256], out[4096];
	(void)state;
	snprintf(path, sizeof path, "%s/in.xlsx", dir);
	build(path, parts);
	read_all(path, out, sizeof out);
	/* built-in and custom date formats; a number format; no format; a quoted "ngày" is
	 * text, not a day; day 61 is 1 March 1900; day 60 (Excel's 29/02/1900) stays a
	 * number; a format index the styles do not have is no date */
	CHECK_STR("dates", "1:date;2:2024-06-15|2024-06-15|1463|45458|12|1900-03-01|60|7;", out);
	/* the same serials in a workbook of the 1904 date system */
	parts[1] = "<workbook xmlns:r=\"r\"><workbookPr date1904=\"1\"/><sheets><sheet "
		   "name=\"T\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>";
	build(path, parts);
	read_all(path, out, sizeof out);
	CHECK_STR("1904", "1:date;2:2028-06-16|2028-06-16|1463|45458|12|1904-03-02|1904-03-01|7;",
		  out);
	test_rm_rf(dir);
}

static void test_refusals(void **state)
{
	static const char *const no_rels[] = {"xl/workbook.xml", WB, NULL};
	static const char *const doctype[] = {
	    "xl/workbook.xml", "<!DOCTYPE w [<!ENTITY a \"aaaa\">]><workbook>&a;</workbook>", NULL};
	static const char *const no_sheet[] = {"xl/workbook.xml", "<workbook/>",
					       "xl/_rels/workbook.xml.rels", "<Relationships/>",
					       NULL};
	/* a template whose hidden sheet "chiso" was deleted: the title, then the column headers */
	static const char *const no_map[] = {
	    "xl/workbook.xml",
	    WB,
	    "xl/_rels/workbook.xml.rels",
	    RELS,
	    "xl/sharedStrings.xml",
	    SST,
	    "xl/worksheets/sheet1.xml",
	    "<worksheet><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>Báo cáo chỉ "
	    "tiêu</t></is></c></row><row r=\"4\">" IS("A4", "Mã chỉ tiêu") IS("B4", "Tên chỉ tiêu")
		IS("C4", "Đơn vị tính") IS("D4", "Giá trị") IS("E4", "Mức độ")
		    IS("F4", "Ghi chú") "</row></sheetData></worksheet>",
	    NULL};
	static const struct {
		const char *name;
		const char *const *parts;
		const char *err;
	} cases[] = {
	    {"no relationships", no_rels, "thiếu phần xl/_rels/workbook.xml.rels"},
	    {"a document type", doctype, "phần xl/workbook.xml của tệp Excel bị hỏng (DOCTYPE)"},
	    {"no sheet", no_sheet, "không có trang tính nào"},
	    {"template without its map", no_map,
	     "in.xlsx: trang tính ẩn \"chiso\" của mẫu báo cáo bị sửa hoặc thiếu"},
	};
	char *dir = test_tmpdir(), path[256], out[4096];
	(void)state;
	snprintf(path, sizeof path, "%s/in.xlsx", dir);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		build(path, (const char *const *)cases[i].parts);
		CHECK_INT(cases[i].name, -1, read_all(path, out, sizeof out));
		CHECK_HAS(cases[i].name, cases[i].err, out);
	}
	/* not a ZIP archive at all */
	test_write(path, "PK\3\4 not really", 16);
	CHECK_INT("not a zip", -1, read_all(path, out, sizeof out));
	CHECK_HAS("not a zip", "in.xlsx: không đọc được tệp này như một bảng tính Excel", out);
	test_rm_rf(dir);
}

/* Zip bombs: too many members, and a part that inflates beyond XLSX_PART_MAX. */
static void test_limits(void **state)
{
	char *dir = test_tmpdir(), path[256], out[4096], name[64];
	int err;
	(void)state;
	snprintf(path, sizeof path, "%s/in.xlsx", dir);
	zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &err);
	for (int i = 0; i <= XLSX_ENTRIES_MAX; i++) {
		snprintf(name, sizeof name, "p%d", i);
		zip_file_add(z, name, zip_source_buffer(z, "", 0, 0), 0);
	}
	assert_int_equal(zip_close(z), 0);
	CHECK_INT("entries", -1, read_all(path, out, sizeof out));
	CHECK_HAS("entries", "tệp Excel có 1001 phần, nhiều hơn 1000", out);

	size_t big = XLSX_PART_MAX + 1024;
	char *spaces = malloc(big);
	assert_non_null(spaces);
	memset(spaces, ' ', big);
	memcpy(spaces, "<workbook>", 10);
	z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &err);
	zip_file_add(z, "xl/workbook.xml", zip_source_buffer(z, spaces, big, 0), 0);
	assert_int_equal(zip_close(z), 0);
	free(spaces);
	struct stat st;
	stat(path, &st);
	assert_true(st.st_size < 1024 * 1024); /* a small file that inflates to 64 MiB */
	CHECK_INT("bomb", -1, read_all(path, out, sizeof out));
	CHECK_HAS("bomb", "phần xl/workbook.xml của tệp Excel khi giải nén lớn hơn 67108864 byte",
		  out);
	test_rm_rf(dir);
}

/* 1 if the template of a period of type t has a row for ind: an input, or a ratio both of
 * whose parts are inputs. */
static int has_row(const struct catalog *cat, enum period_type t, const struct indicator *ind)
{
	if (ind->kind != IND_RATIO)
		return (ind->period_types & (1u << t)) != 0;
	const struct indicator *num = catalog_find(cat, ind->numerator),
			       *den = catalog_find(cat, ind->denominator);
	return has_row(cat, t, num) && has_row(cat, t, den);
}

/* The sheet row (1-based) of code in a template of a period of type t: catalogue order
 * from row 5. */
static long input_row(const struct catalog *cat, enum period_type t, const char *code)
{
	long row = 5;
	for (size_t i = 0; i < cat->nindicators; i++) {
		const struct indicator *ind = &cat->indicators[i];
		if (!has_row(cat, t, ind))
			continue;
		if (strcmp(ind->code, code) == 0)
			return row;
		row++;
	}
	return -1;
}

/* The member name of the workbook at path, as text, into buf (size bytes). */
static void read_member(const char *path, const char *name, char *buf, size_t size)
{
	int zerr;
	zip_t *z = zip_open(path, ZIP_RDONLY, &zerr);
	assert_non_null(z);
	zip_file_t *zf = zip_fopen(z, name, 0);
	assert_non_null(zf);
	zip_int64_t n = zip_fread(zf, buf, size - 1);
	zip_fclose(zf);
	zip_discard(z);
	buf[n > 0 ? n : 0] = '\0';
}

/* Types into cell ref of the template's first sheet, as Excel would store it: the blank
 * cell <c r=".." s=".."/> gets attrs and the value inside. */
static void fill(const char *path, const char *ref, const char *attrs, const char *xml_value)
{
	static char xml[1 << 20], out[1 << 20];
	char open[32];
	int err;
	zip_t *z = zip_open(path, 0, &err);
	assert_non_null(z);
	zip_file_t *f = zip_fopen(z, "xl/worksheets/sheet1.xml", 0);
	assert_non_null(f);
	zip_int64_t n = zip_fread(f, xml, sizeof xml - 1);
	zip_fclose(f);
	assert_true(n > 0);
	xml[n] = '\0';
	snprintf(open, sizeof open, "<c r=\"%s\"", ref);
	char *at = strstr(xml, open);
	assert_non_null(at);
	char *end = strstr(at, "/>");
	assert_non_null(end);
	snprintf(out, sizeof out, "%.*s%s>%s</c>%s", (int)(end - xml), xml, attrs, xml_value,
		 end + 2);
	zip_source_t *s = zip_source_buffer(z, strdup(out), strlen(out), 1);
	assert_true(zip_file_add(z, "xl/worksheets/sheet1.xml", s, ZIP_FL_OVERWRITE) >= 0);
	assert_int_equal(zip_close(z), 0);
}

static int submit_quiet(const char *dir, const char *path, struct submit_result *res, char *errs,
			size_t size)
{
	char odir[512], err[512], *said;
	struct plat_memout *mem = NULL;
	size_t said_len = 0;
	snprintf(odir, sizeof odir, "%s/outbox", dir);
	struct outbox *ob = outbox_open(odir, 0, OUTBOX_LOCK_WAIT_MS, err, sizeof err);
	assert_non_null(ob);
	FILE *out = plat_memout_open(&mem);
	assert_non_null(out);
	struct submit_opts o = {.batch_rows = 100, .again = true, .command = true, .out = out};
	int rc = submit_file(ob, path, test_cat(), &o, res);
	said = plat_memout_close(&mem, &said_len);
	assert_non_null(said);
	snprintf(errs, size, "%s", said);
	free(said);
	outbox_close(&ob);
	return rc;
}

static void test_template(void **state)
{
	const struct catalog *cat = test_cat();
	char *dir = test_tmpdir(), path[256], out[8192], err[1024], ref[16];
	struct submit_result res;
	(void)state;
	snprintf(path, sizeof path, "%s/t.xlsx", dir);
	CHECK_INT("write", 0, template_write(path, cat, "21298", 0, "2024", err, sizeof err));
	read_all(path, out, sizeof out);
	CHECK_STR("empty template", "4:unit|indicator|period|value|qualifier|note;", out);

	/* what an officer types: a count, a Vietnamese text number, a wrong value */
	long pop = input_row(cat, PERIOD_YEARLY, "procedures_with_online_payment");
	long den = input_row(cat, PERIOD_YEARLY, "procedures_with_fees");
	long pct = input_row(cat, PERIOD_YEARLY, "online_payment_procedures_pct");
	assert_true(pop > 0 && den > 0 && pct > 0);
	/* the ratio's row divides the two input cells, shown as a percentage */
	static char xml[1 << 20];
	read_member(path, "xl/worksheets/sheet1.xml", xml, sizeof xml);
	char formula[128];
	snprintf(formula, sizeof formula, "<c r=\"D%ld\"", pct);
	char *cell = strstr(xml, formula);
	snprintf(formula, sizeof formula, "D%ld/D%ld,", pop, den);
	assert_non_null(cell);
	CHECK_HAS("ratio formula", formula, cell);
	/* a share's numerator may not be typed above its denominator */
	snprintf(formula, sizeof formula, "OR(NOT(ISNUMBER(D%ld)),D%ld&lt;=D%ld))</formula1>", den,
		 pop, den);
	CHECK_HAS("share validation", formula, xml);
	snprintf(ref, sizeof ref, "D%ld", pop);
	fill(path, ref, "", "<v>14</v>");
	snprintf(ref, sizeof ref, "D%ld", den);
	fill(path, ref, " t=\"inlineStr\"", "<is><t>23</t></is>");
	read_all(path, out, sizeof out);
	char want[512];
	snprintf(want, sizeof want,
		 "4:unit|indicator|period|value|qualifier|note;"
		 "%ld:21298|%s|2024|%s||;%ld:21298|%s|2024|%s||;",
		 pop < den ? pop : den,
		 pop < den ? "procedures_with_online_payment" : "procedures_with_fees",
		 pop < den ? "14" : "23", pop < den ? den : pop,
		 pop < den ? "procedures_with_fees" : "procedures_with_online_payment",
		 pop < den ? "23" : "14");
	CHECK_STR("filled", want, out);
	CHECK_INT("submit", 0, submit_quiet(dir, path, &res, out, sizeof out));
	CHECK_INT("rows queued", 2, res.rows);

	snprintf(ref, sizeof ref, "E%ld", pop);
	fill(path, ref, " t=\"inlineStr\"", "<is><t>nhiều</t></is>");
	CHECK_INT("bad qualifier", -1, submit_quiet(dir, path, &res, out, sizeof out));
	snprintf(want, sizeof want,
		 "t.xlsx: trang tính \"Báo cáo\", ô E%ld (cột Mức độ): \"nhiều\"", pop);
	CHECK_HAS("bad qualifier", want, out);
	test_rm_rf(dir);
}

/* The template of a unit holds the indicators of its tier, and the ratios of two of them. */
static void test_template_tier(void **state)
{
	static const struct {
		unsigned tier;
		const char *code;
		bool present;
	} cases[] = {
	    {0, "id_card_applications", true}, /* tier not known: every indicator */
	    {TIER_DISTRICT, "id_card_applications", true},
	    {TIER_COMMUNE, "id_card_applications", false}, /* levels = ["district"] */
	    {TIER_COMMUNE, "procedures_with_fees", true},
	    {TIER_COMMUNE, "online_payment_procedures_pct", true}, /* a ratio of commune parts */
	};
	char *dir = test_tmpdir(), path[256], err[1024];
	static char strings[1 << 20];
	(void)state;
	snprintf(path, sizeof path, "%s/t.xlsx", dir);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		CHECK_INT(cases[i].code, 0,
			  template_write(path, test_cat(), "21298", cases[i].tier, "2024", err,
					 sizeof err));
		read_member(path, "xl/sharedStrings.xml", strings, sizeof strings);
		char cell[128];
		snprintf(cell, sizeof cell, ">%s<", cases[i].code);
		if ((strstr(strings, cell) != NULL) != cases[i].present)
			fail_msg("tier %u: %s %s", cases[i].tier, cases[i].code,
				 cases[i].present ? "missing" : "written");
	}
	/* no indicator of the catalogue is reported by a province itself */
	CHECK_INT("province", -1,
		  template_write(path, test_cat(), "51", TIER_PROVINCE, "2024", err, sizeof err));
	CHECK_STR(
	    "province",
	    "Danh mục chỉ tiêu không có chỉ tiêu nào cấp tỉnh báo cáo theo kỳ 2024 (năm 2024)",
	    err);
	test_rm_rf(dir);
}

static void test_default_period(void **state)
{
	char buf[PERIOD_ID_MAX];
	(void)state;
	template_default_period(test_cat(), date_from_ymd(2025, 3, 9), buf, sizeof buf);
	/* most indicators of the shipped catalogue are reported six-monthly first */
	CHECK_STR("default", "2025S1", buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cells),	   cmocka_unit_test(test_dates),
	    cmocka_unit_test(test_refusals),	   cmocka_unit_test(test_limits),
	    cmocka_unit_test(test_template),	   cmocka_unit_test(test_template_tier),
	    cmocka_unit_test(test_default_period),
	};
	return cmocka_run_group_tests(tests, test_catalog_setup, test_catalog_teardown);
}
