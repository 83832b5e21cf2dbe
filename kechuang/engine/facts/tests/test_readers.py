"""Readers: every row comes out (data or errors), in any encoding users produce, streaming."""

from __future__ import annotations

import io
import tracemalloc
from datetime import date
from decimal import Decimal

import openpyxl
import orjson
import pytest

from kechuang.engine.facts.errors import (
    Code,
    EmptyFileError,
    EncodingError,
    FactsFileError,
    HeaderError,
)
from kechuang.engine.facts.readers import group_rows, iter_csv, iter_jsonl, iter_xlsx
from kechuang.engine.facts.tests.factories import TODAY, USCC_A, USCC_B, make_record


def jsonl(*lines: str, encoding: str = "utf-8", bom: bool = False) -> io.BytesIO:
    data = "\n".join(lines).encode(encoding)
    return io.BytesIO((b"\xef\xbb\xbf" if bom else b"") + data)


LINE_A = orjson.dumps(make_record()).decode()


# ---------------------------------------------------------------------------------- JSON Lines


@pytest.mark.parametrize(("encoding", "bom"), [("utf-8", False), ("utf-8", True),
                                                ("gbk", False), ("gb18030", False)],
                         ids=["utf-8", "utf-8 with BOM", "GBK", "GB18030"])
def test_jsonl_encodings(encoding, bom):
    # given the same record saved in the encodings Windows users produce
    stream = jsonl(LINE_A, LINE_A.replace(USCC_A, USCC_B), encoding=encoding, bom=bom)
    # when read
    rows = list(iter_jsonl(stream))
    # then both lines come out intact, Chinese included
    assert [(r.row, r.errors) for r in rows] == [(1, []), (2, [])]
    assert [r.data["name"] for r in rows] == ["济南示例科技有限公司"] * 2
    assert rows[1].data["uscc"] == USCC_B


def test_jsonl_blank_lines_are_skipped_and_row_is_the_line_number():
    rows = list(iter_jsonl(jsonl("", LINE_A, "   ", "\r", LINE_A + "\r")))
    assert [(r.row, r.errors) for r in rows] == [(2, []), (5, [])]


@pytest.mark.parametrize(("line", "message"), [
    ('{"uscc": "x",', "第2行 不是合法的 JSON"),
    ("[1, 2]", "第2行 应为一个 JSON 对象（一个企业一行）"),
    ('"text"', "第2行 应为一个 JSON 对象（一个企业一行）"),
], ids=["truncated", "array", "string"])
def test_jsonl_bad_line_is_an_error_row_and_reading_goes_on(line, message):
    # given a bad line between two good ones
    rows = list(iter_jsonl(jsonl(LINE_A, line, LINE_A)))
    # then three rows: the middle one an error with code json
    assert [r.row for r in rows] == [1, 2, 3]
    (error,) = rows[1].errors
    assert (rows[1].data, error.code, error.row) == (None, Code.JSON, 2)
    assert error.message.startswith(message)
    assert rows[2].data["uscc"] == USCC_A


def test_jsonl_undecodable_line_is_an_encoding_error():
    stream = io.BytesIO(LINE_A.encode() + b'\n{"name": "\xff\xff"}\n' + LINE_A.encode())
    rows = list(iter_jsonl(stream))
    assert [(r.row, [e.code for e in r.errors]) for r in rows] == [
        (1, []), (2, [Code.ENCODING]), (3, [])]


@pytest.mark.parametrize(("content", "message"), [
    (b"", "文件为空"), (b"\n\n  \n", "文件只有空行，没有数据")], ids=["empty", "only blank lines"])
def test_jsonl_empty_file(content, message):
    with pytest.raises(EmptyFileError) as caught:
        list(iter_jsonl(io.BytesIO(content)))
    assert caught.value.message == message


def test_utf16_is_refused_with_advice():
    with pytest.raises(EncodingError) as caught:
        list(iter_jsonl(io.BytesIO(LINE_A.encode("utf-16"))))
    assert caught.value.message == "文件为 UTF-16 编码，请另存为“CSV UTF-8”或 UTF-8 文本后再导入"


def test_jsonl_from_a_path(tmp_path):
    path = tmp_path / "facts.jsonl"
    path.write_text(LINE_A + "\n", encoding="utf-8")
    (row,) = iter_jsonl(path)
    assert row.data["uscc"] == USCC_A


def test_jsonl_streams_200k_lines_in_bounded_memory(tmp_path):
    # given a 200,000-line file (about 23 MB)
    line = orjson.dumps({"uscc": USCC_A, "name": "济南示例科技有限公司" * 3,
                         "years": [{"year": 2025, "employees": 12}]}) + b"\n"
    path = tmp_path / "big.jsonl"
    path.write_bytes(line * 200_000)
    # when it is read row by row under tracemalloc
    tracemalloc.start()
    last = None
    for last in iter_jsonl(path):  # noqa: B007 - we only need the count and the last row
        pass
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # then every row came out and the peak stayed far below the file size
    assert (last.row, last.errors) == (200_000, [])
    assert peak < 1_000_000, peak


def test_csv_streams_in_bounded_memory(tmp_path):
    path = tmp_path / "big.csv"
    row = f"{USCC_A},2025,120,\"52,000,000.35\",A级\r\n".encode("gbk")
    path.write_bytes("统一社会信用代码,年度,职工总数,营业收入,纳税信用等级\r\n".encode("gbk")
                     + row * 20_000)
    tracemalloc.start()
    last = None
    for last in iter_csv(path):  # noqa: B007
        pass
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert (last.row, last.errors, last.data["tax_credit_grade"]) == (20_001, [], "A")
    assert peak < 1_000_000, peak


# ---------------------------------------------------------------------------------- CSV


def csv_bytes(text: str, encoding: str = "utf-8-sig") -> io.BytesIO:
    return io.BytesIO(text.encode(encoding))


YEARS_CSV = ("统一社会信用代码,年度,职工总数,营业收入（元）,纳税信用等级\n"
             f"{USCC_A},2024,120,\"52,000,000.35\",A级\n"
             f"{USCC_A},2025,130,1234,B\n")


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gbk", "gb18030"],
                         ids=["BOM", "utf-8", "GBK", "GB18030"])
def test_csv_encodings_and_section_detection(encoding):
    rows = list(iter_csv(csv_bytes(YEARS_CSV, encoding)))
    assert [(r.row, r.section, r.errors) for r in rows] == [(2, "years", []), (3, "years", [])]
    assert rows[0].data == {"uscc": USCC_A, "year": 2024, "employees": 120,
                            "operating_revenue": Decimal("52000000.35"),
                            "tax_credit_grade": "A"}


def test_csv_english_headers_semicolons_and_blank_lines():
    text = f"uscc;year;employees\n\n{USCC_A};2025;7\n;;\n"
    rows = list(iter_csv(csv_bytes(text, "utf-8")))
    assert [(r.row, r.data) for r in rows] == [(3, {"uscc": USCC_A, "year": 2025,
                                                    "employees": 7})]


@pytest.mark.parametrize(("header", "cell", "expected"), [
    ("居民企业", "是", True), ("居民企业", "否", False), ("居民企业", "TRUE", True),
    ("居民企业", "0", False),
    ("成立日期", "2025-12-31", date(2025, 12, 31)), ("成立日期", "2025/1/5", date(2025, 1, 5)),
    ("成立日期", "2025年1月5日", date(2025, 1, 5)),
    ("研发机构级别", "省级", "provincial"), ("研发机构级别", "provincial", "provincial"),
    ("质量与品牌", "自主品牌、质量管理体系认证", ["own_brand", "quality_system_cert"]),
    ("质量与品牌", "own_brand; standard_drafting", ["own_brand", "standard_drafting"]),
    ("注册资本（元）", "1,234.5", Decimal("1234.5")), ("注册资本", "-0.5", Decimal("-0.5")),
    ("细分市场占有率", "12%", 0.12), ("细分市场占有率", "0.125", 0.125),
    ("细分市场全国排名", "1,200", 1200), ("从事细分市场年限", "6.5", 6.5),
    ("行政区划代码", " 370112 ", "370112"),
    ("专家评分", '{"hnte.tech_advance": 20}', {"hnte.tech_advance": 20}),
], ids=lambda v: str(v))
def test_csv_cell_conversion(header, cell, expected):
    quoted = cell.replace('"', '""')
    text = f"统一社会信用代码,{header}\n{USCC_A},\"{quoted}\"\n"
    (row,) = iter_csv(csv_bytes(text), section="profile")
    assert (row.errors, row.data[_field_of(header)]) == ([], expected)


def _field_of(header: str) -> str:
    from kechuang.engine.facts.schema import field_by_label
    return field_by_label(header, "profile").name


@pytest.mark.parametrize(("header", "cell", "label"), [
    ("职工总数", "120人", "职工总数 应为整数"),
    ("职工总数", "12.5", "职工总数 应为整数"),
    ("营业收入（元）", "约5000万", "营业收入 应为金额（元）"),
    ("年度", "二〇二五", "年度 应为年份"),
], ids=["unit in a headcount", "fractional headcount", "text amount", "year in words"])
def test_csv_unreadable_cell_is_a_type_error_not_an_exception(header, cell, label):
    text = f"统一社会信用代码,年度,{header}\n{USCC_A},2025,{cell}\n" if header != "年度" else \
        f"统一社会信用代码,年度\n{USCC_A},{cell}\n"
    (row,) = iter_csv(csv_bytes(text))
    (error,) = row.errors
    assert (error.code, error.row, error.sheet) == (Code.TYPE, 2, None)
    assert error.message == f"年度数据 第2行 {label}，不能是（'{cell}'）"


def test_csv_unknown_enum_is_left_for_the_validator():
    (row,) = iter_csv(csv_bytes(f"统一社会信用代码,年度,纳税信用等级\n{USCC_A},2025,AA级\n"))
    assert (row.errors, row.data["tax_credit_grade"]) == ([], "AA级")


@pytest.mark.parametrize(("text", "section", "message"), [
    ("统一社会信用代码,年度,职工人数\n", None, "未知的列：职工人数（请使用模板中的列名）"),
    ("统一社会信用代码,年度,职工人数\n", "years", "未知的列：职工人数（年度数据表没有这些列）"),
    ("统一社会信用代码,年度,备注\n", "years", "未知的列：备注（年度数据表没有这些列）"),
    ("统一社会信用代码,年度,职工总数,employees\n", "years",
     "重复的列：employees"),
    ("统一社会信用代码,年度,证书类型\n", None, "这些列不属于同一张表，请按模板分表填写"),
    ("uscc,year\n", None, "无法判断这些列属于哪张表（可能是：年度数据、科技奖励、标准制定、"
                           "创客中国），请指定数据类型"),
    (",,\n1,2,3\n", None, "第1行应为列名（如 统一社会信用代码、年度 …），但为空"),
], ids=["unknown column", "unknown column in a given section", "column of another sheet", "one field twice", "columns of two sheets",
        "ambiguous",
        "no header"])
def test_csv_header_errors(text, section, message):
    with pytest.raises(HeaderError) as caught:
        list(iter_csv(csv_bytes(text), section=section))
    assert caught.value.message == message


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\r\n"], ids=["empty", "BOM only",
                                                                          "blank line"])
def test_csv_empty_file(content):
    with pytest.raises(EmptyFileError):
        list(iter_csv(io.BytesIO(content)))


def test_csv_multiline_cell_keeps_spreadsheet_row_numbers():
    text = (f"统一社会信用代码,企业名称\n{USCC_A},\"第一行\n第二行\"\n{USCC_B},乙公司\n")
    rows = list(iter_csv(csv_bytes(text)))
    assert [(r.row, r.data["name"]) for r in rows] == [(2, "第一行\n第二行"), (3, "乙公司")]


def test_csv_value_under_a_blank_header_is_reported():
    (row,) = iter_csv(csv_bytes(f"统一社会信用代码,年度,\n{USCC_A},2025,备注\n"))
    assert [(e.code, e.row) for e in row.errors] == [(Code.UNKNOWN_COLUMN, 2)]


# ---------------------------------------------------------------------------------- Excel


def workbook(sheets: dict[str, list[list]]) -> io.BytesIO:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


def test_xlsx_typed_cells_unknown_sheets_and_the_instructions_sheet():
    # given a workbook with typed cells, a 说明 sheet and a sheet nobody knows
    stream = workbook({
        "说明": [["这里是说明"], ["示例", USCC_B]],
        "企业基本信息": [["统一社会信用代码", "企业名称", "成立日期", "居民企业", "细分市场占有率"],
                   [USCC_A, "甲公司", date(2015, 6, 30), "是", 0.12]],
        "年度数据": [["统一社会信用代码", "年度", "职工总数", "营业收入（元）"],
                 [USCC_A, 2025, 120, 52000000.35], [None, None, None, None],
                 [USCC_A, 2024, "abc", 1]],
        "备注": [["随便写写"], ["第二行"]],
    })
    # when read
    rows = list(iter_xlsx(stream))
    # then the data rows come out typed, the blank row is skipped, the unknown sheet is one error
    assert [(r.sheet, r.row, r.section) for r in rows] == [
        ("企业基本信息", 2, "profile"), ("年度数据", 2, "years"), ("年度数据", 4, "years"),
        ("备注", 1, None)]
    assert rows[0].data == {"uscc": USCC_A, "name": "甲公司", "registered_on": date(2015, 6, 30),
                            "resident_enterprise": True, "market_share": 0.12}
    assert rows[1].data == {"uscc": USCC_A, "year": 2025, "employees": 120,
                            "operating_revenue": 52000000.35}
    assert [(e.code, e.path, e.sheet, e.row) for e in rows[2].errors] == [
        (Code.TYPE, "years.employees", "年度数据", 4)]
    (error,) = rows[3].errors
    assert (error.code, rows[3].data) == (Code.UNKNOWN_SHEET, None)
    assert error.message.startswith("工作表“备注”不是数据表")
    assert error.message.endswith("其中 2 行未导入")


def test_xlsx_unknown_column_rejects_that_sheet_and_says_how_many_rows():
    stream = workbook({"年度数据": [["统一社会信用代码", "年度", "备注"], [USCC_A, 2025, "x"],
                                [USCC_A, 2024, "y"]],
                       "企业基本信息": [["统一社会信用代码", "企业名称"], [USCC_A, "甲公司"]]})
    rows = list(iter_xlsx(stream))
    assert [(r.sheet, r.row, [e.code for e in r.errors]) for r in rows] == [
        ("年度数据", 1, [Code.UNKNOWN_COLUMN]), ("企业基本信息", 2, [])]
    assert rows[0].errors[0].message == (
        "工作表“年度数据”未知的列：备注（年度数据表没有这些列），其中 2 行未导入")


@pytest.mark.parametrize(("content", "error", "message"), [
    (b"", EmptyFileError, "文件为空"),
    (b"not a zip file", FactsFileError, "不是有效的 Excel（.xlsx）文件"),
], ids=["empty", "not xlsx"])
def test_xlsx_unreadable_files(tmp_path, content, error, message):
    path = tmp_path / "in.xlsx"
    path.write_bytes(content)
    with pytest.raises(error) as caught:
        list(iter_xlsx(path))
    assert (type(caught.value), caught.value.message) == (error, message)


# ---------------------------------------------------------------------------------- grouping


def test_group_rows_builds_records_and_locates_errors_to_their_row():
    # given a profile sheet and a years sheet where row 3 has a negative headcount
    stream = workbook({
        "企业基本信息": [["统一社会信用代码", "企业名称", "成立日期"],
                   [USCC_A, "甲公司", "2015-06-30"]],
        "年度数据": [["统一社会信用代码", "年度", "职工总数"], [USCC_A, 2024, 100],
                 [USCC_A, 2025, -5], [USCC_B, 2025, 9]],
    })
    # when grouped and validated
    groups = group_rows(iter_xlsx(stream))
    # then one record per enterprise, in order of appearance
    assert [(g.uscc, g.record) for g in groups] == [
        (USCC_A, {"uscc": USCC_A, "name": "甲公司", "registered_on": date(2015, 6, 30),
                  "years": [{"year": 2024, "employees": 100}, {"year": 2025, "employees": -5}]}),
        (USCC_B, {"uscc": USCC_B, "years": [{"year": 2025, "employees": 9}]}),
    ]
    # and the validation error names the sheet and row the user must fix
    result = groups[0].validate(today=TODAY)
    (error,) = result.errors
    assert (error.path, error.code, error.sheet, error.row) == (
        "years[1].employees", Code.NEGATIVE, "年度数据", 3)
    # and an enterprise with only annual facts is valid as a partial record
    assert groups[1].validate(today=TODAY, partial=True).ok is True
    assert [e.path for e in groups[1].validate(today=TODAY).errors] == ["name", "registered_on"]


def test_group_rows_keeps_reader_errors_and_orphans():
    text = (f"统一社会信用代码,年度,职工总数\n{USCC_A},2025,许多\n,2024,5\n")
    groups = group_rows(iter_csv(csv_bytes(text)))
    assert [(g.uscc, [(e.path, e.code, e.row) for e in g.errors]) for g in groups] == [
        (USCC_A, [("years[0].employees", Code.TYPE, 2)]),
        (None, [("uscc", Code.REQUIRED, 3)]),
    ]
    result = groups[0].validate(today=TODAY, partial=True)
    assert (result.ok, [e.code for e in result.errors]) == (False, [Code.TYPE])


def test_group_rows_second_profile_row_is_a_duplicate():
    text = f"统一社会信用代码,企业名称\n{USCC_A},甲公司\n{USCC_A},甲公司（重复）\n"
    (group,) = group_rows(iter_csv(csv_bytes(text)))
    assert group.record["name"] == "甲公司"
    assert [(e.code, e.row, e.message) for e in group.errors] == [
        (Code.DUPLICATE, 3, f"企业基本信息 第3行 统一社会信用代码 重复（{USCC_A}），与第2行是同一企业")]


def test_group_rows_merges_json_lines_of_one_enterprise():
    first = orjson.dumps({"uscc": USCC_A, "years": [{"year": 2024}]}).decode()
    second = orjson.dumps({"uscc": USCC_A, "years": [{"year": 2024}]}).decode()
    (group,) = group_rows(iter_jsonl(jsonl(first, second)))
    result = group.validate(today=TODAY, partial=True)
    (error,) = result.errors
    assert (error.path, error.code, error.row) == ("years[1].year", Code.DUPLICATE, 2)
