"""Writers produce what the readers accept: write → read → group → validate gives the records back."""

from __future__ import annotations

import io

import openpyxl
import orjson
import pytest

from kechuang.engine.facts.errors import Code
from kechuang.engine.facts.readers import group_rows, iter_csv, iter_jsonl, iter_xlsx
from kechuang.engine.facts.schema import SECTIONS
from kechuang.engine.facts.tests.factories import TODAY, USCC_A, USCC_B, full_record, make_record
from kechuang.engine.facts.validate import to_jsonable, validate_record
from kechuang.engine.facts.writers import (
    EXAMPLE_MARKER,
    csv_template,
    write_csv,
    write_jsonl,
    write_xlsx,
    xlsx_template,
)


@pytest.fixture
def records() -> list[dict]:
    return [validate_record(full_record(USCC_A), today=TODAY).record,
            validate_record(make_record(USCC_B), today=TODAY).record]


def regrouped(rows) -> list[dict]:
    results = [g.validate(today=TODAY) for g in group_rows(rows)]
    assert [(r.ok, r.errors) for r in results] == [(True, []), (True, [])]
    return [r.record for r in results]


def test_xlsx_round_trip(records):
    # given two normalised records, one using every section
    out = io.BytesIO()
    # when written to a workbook and read back
    write_xlsx(records, out)
    out.seek(0)
    # then grouping and validating gives the same records
    assert regrouped(iter_xlsx(out)) == records


def test_csv_round_trip_over_every_section(records):
    rows = []
    for section in SECTIONS:
        out = io.BytesIO()
        write_csv(records, section, out)
        out.seek(0)
        rows.extend(iter_csv(out))  # the section is detected from the headers
    assert regrouped(rows) == records


def test_xlsx_round_trip_from_json_ready_records(records):
    # the export pipeline passes to_jsonable() records (ISO strings, floats)
    out = io.BytesIO()
    write_xlsx([to_jsonable(r) for r in records], out)
    out.seek(0)
    assert regrouped(iter_xlsx(out)) == records


def test_jsonl_round_trip(records):
    out = io.BytesIO()
    assert write_jsonl(records, out) == 2
    out.seek(0)
    back = [validate_record(row.data, today=TODAY).record for row in iter_jsonl(out)]
    assert back == records
    first = orjson.loads(out.getvalue().splitlines()[0])
    assert first["registered_capital"] == 10000000
    assert first["years"][2]["net_profit"] == -1200000.75
    assert first["registered_on"] == "2015-06-30"


def test_csv_is_utf8_with_bom_and_chinese_cells(records):
    out = io.BytesIO()
    assert write_csv(records, "years", out) == 6
    text = out.getvalue()
    assert text.startswith(b"\xef\xbb\xbf\xe7\xbb\x9f")  # BOM, then 统
    lines = text.decode("utf-8-sig").splitlines()
    assert lines[0].split(",")[:4] == ["统一社会信用代码", "年度", "职工总数", "科技人员数"]
    assert lines[1].split(",")[0:2] == [USCC_A, "2023"]
    assert ",A级," in lines[1]


def test_csv_to_a_text_stream(records):
    out = io.StringIO(newline="")
    write_csv(records[:1], "certificates", out)
    assert out.getvalue().splitlines() == [
        "\ufeff统一社会信用代码,证书类型,有效期起,有效期至",
        f"{USCC_A},高新技术企业,2023-12-08,2026-12-07",
        f"{USCC_A},专精特新“小巨人”企业,2024-07-01,2027-06-30",
    ]


def test_xlsx_layout_for_people(records):
    out = io.BytesIO()
    write_xlsx(records, out)
    wb = openpyxl.load_workbook(io.BytesIO(out.getvalue()))
    assert wb.sheetnames == [s.label_zh for s in SECTIONS.values()]
    ws = wb["年度数据"]
    assert ws.freeze_panes == "A2"
    assert [c.value for c in ws[1]][:3] == ["统一社会信用代码", "年度", "职工总数"]
    assert ws["F1"].value == "营业收入（元）"
    assert ws["F1"].comment.text == "营业收入（operating_revenue）\n类型：金额（元）\n单位：元（不是万元），保留两位小数。"
    assert ws["B1"].comment.text.startswith("年度（year）\n类型：年份，必填")
    validations = {dv.formula1: str(dv.sqref) for dv in ws.data_validations.dataValidation}
    assert validations == {'"A级,B级,M级,C级,D级"': "S2:S1048576"}
    assert ws["S2"].value == "A级"
    assert ws["F4"].number_format == "#,##0.00"
    assert ws.column_dimensions["A"].width == 22
    profile = wb["企业基本信息"]
    assert profile["F2"].value == "是"  # 居民企业


def test_xlsx_template_has_no_data_and_examples_on_the_instructions_sheet():
    out = io.BytesIO()
    xlsx_template(out)
    out.seek(0)
    # the reader finds nothing to import
    assert list(iter_xlsx(io.BytesIO(out.getvalue()))) == []
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[0] == "说明"
    assert wb["年度数据"].max_row == 1
    rows = [[c.value for c in row] for row in wb["说明"].iter_rows()]
    header_at = next(i for i, r in enumerate(rows) if r[0] == "工作表")
    assert rows[header_at] == ["工作表", "列名", "字段名", "类型", "必填", "可选值", "说明", "示例"]
    by_field = {(r[0], r[2]): r for r in rows[header_at + 1:]}
    assert by_field[("年度数据", "tax_credit_grade")][5] == "A级、B级、M级、C级、D级"
    assert by_field[("年度数据", "year")][4] == "是"
    assert by_field[("知识产权", "type")][7] == "发明专利"
    assert len(by_field) == sum(len(s.fields) + s.is_list for s in SECTIONS.values())


def test_csv_template_example_row_cannot_be_imported_by_accident():
    out = io.BytesIO()
    csv_template("ip", out)
    out.seek(0)
    (row,) = iter_csv(out)
    assert row.data["uscc"] == EXAMPLE_MARKER
    (group,) = group_rows([row])
    result = group.validate(today=TODAY, partial=True)
    assert [(e.path, e.code, e.row) for e in result.errors] == [("uscc", Code.USCC, 2)]
    assert row.data["type"] == "invention_patent"
