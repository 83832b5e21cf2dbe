"""Writers for JSON Lines, CSV and Excel, and the blank templates government users fill in.

Spreadsheets use the Chinese headers of :mod:`.schema` (amounts marked ``（元）``), Chinese labels
for choices and 是/否 for yes/no, so what the readers accept is exactly what the writers produce.
CSV is UTF-8 with a BOM so Excel shows the Chinese correctly.

Templates: the workbook's data sheets are empty (headers only, with help comments and drop-down
lists); the example values live on the first sheet, 说明, which the reader skips, so an example
can never be imported by accident. A CSV template has one example row whose 统一社会信用代码 cell
reads ``示例（导入前请删除）``: if it is imported anyway it fails validation.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

import orjson
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from .cells import format_excel, format_text
from .readers import INSTRUCTIONS_SHEET
from .schema import (
    SCHEMA_VERSION,
    SECTIONS,
    TYPE_LABELS_ZH,
    USCC,
    Field,
    columns,
)
from .validate import json_value, to_jsonable

__all__ = ["write_jsonl", "write_csv", "write_xlsx", "xlsx_template", "csv_template",
           "EXAMPLE_MARKER", "FORMULA_TRIGGERS", "is_formula_like", "safe_cell", "safe_row"]

EXAMPLE_MARKER = "示例（导入前请删除）"
_MAX_ROW = 1_048_576
_HEADER_FONT = Font(bold=True)
_REQUIRED_FILL = PatternFill("solid", fgColor="FFF2CC")
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_FORMATS = {"date": "yyyy-mm-dd", "amount": "#,##0.00", "ratio": "0.00%"}


# --------------------------------------------------------------------------------------------
# Spreadsheet safety (OWASP "CSV injection"): text a spreadsheet would run as a formula


#: The first characters that make Excel, LibreOffice or WPS read a text cell as a formula (or, for
#: tab and carriage return, hide one behind whitespace).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value: object) -> bool:
    """Whether ``value`` is text a spreadsheet would evaluate: it starts with ``=``, ``+``, ``-``,
    ``@``, a tab or a carriage return. Numbers never are (a negative amount stays a number)."""
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def safe_cell(value: object, sheet=None) -> object:
    """The one way every export writes a cell, so no exported text runs as a formula.

    Without ``sheet`` (CSV): formula-like text gets a leading single quote (``'=HYPERLINK(…)``),
    which spreadsheets show as text; anything else is returned unchanged. With an openpyxl
    ``sheet`` (XLSX): formula-like text becomes a string cell (``data_type`` ``'s'``, never
    ``'f'``) with Excel's quote prefix, so editing the cell does not turn it into a formula
    either; other values (numbers, dates, plain text, cells) are returned unchanged for
    ``append``. Pass only text through the CSV form: a number formatted as ``"-5"`` is not
    text and needs no quote, so callers escape the typed value's text, not the number's."""
    if not is_formula_like(value):
        return value
    if sheet is None:
        return "'" + value
    cell = Cell(sheet, row=1, column=1)
    cell._value = value  # assigning .value would mark a leading "=" as a formula
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def safe_row(values: Iterable, sheet=None) -> list:
    """:func:`safe_cell` over a row (for ``csv.writer.writerow`` or ``Worksheet.append``)."""
    return [safe_cell(v, sheet) for v in values]


def _rows(record: dict, section: str) -> list[dict]:
    """The rows a record has in a section: itself for the profile, else its items (with uscc)."""
    if section == "profile":
        return [record]
    uscc = record.get("uscc")
    return [{"uscc": uscc, **item} for item in record.get(section) or ()]


# --------------------------------------------------------------------------------------------
# JSON Lines


def write_jsonl(records: Iterable[dict], stream) -> int:
    """One JSON object per line (schema order, nulls left out); returns the number written.
    ``stream`` may be binary or text."""
    binary = not isinstance(stream, io.TextIOBase)
    count = 0
    for record in records:
        line = orjson.dumps(to_jsonable(record)) + b"\n"
        stream.write(line if binary else line.decode())
        count += 1
    return count


# --------------------------------------------------------------------------------------------
# CSV


class _Text:
    """A text view of a binary or text stream, left open for the caller."""

    def __init__(self, stream) -> None:
        self.stream = stream
        self.wrapper = None
        if not isinstance(stream, io.TextIOBase):
            self.wrapper = io.TextIOWrapper(stream, encoding="utf-8", newline="")

    def __enter__(self):
        return self.wrapper or self.stream

    def __exit__(self, *exc) -> None:
        if self.wrapper is not None:
            self.wrapper.flush()
            self.wrapper.detach()


def write_csv(records: Iterable[dict], section: str, stream, *, bom: bool = True) -> int:
    """One section as CSV with Chinese headers (UTF-8 with BOM); returns the rows written.
    For a list section every row starts with 统一社会信用代码. Open a text stream with
    ``newline=""``."""
    fields = columns(section)
    count = 0
    with _Text(stream) as text:
        if bom:
            text.write("\ufeff")
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow(safe_row(f.header_zh for f in fields))
        for record in records:
            for row in _rows(record, section):
                writer.writerow([_csv_text(f, row.get(f.name)) for f in fields])
                count += 1
    return count


def _csv_text(f: Field, value: object) -> str:
    """A value as CSV text through :func:`safe_cell`: numbers stay plain (``-5``), formula-like
    text gets its quote."""
    text = format_text(f, value)
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return text
    return safe_cell(text)


def csv_template(section: str, stream) -> None:
    """The headers of one section plus one example row marked 示例（导入前请删除）."""
    fields = columns(section)
    with _Text(stream) as text:
        text.write("\ufeff")
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow(safe_row(f.header_zh for f in fields))
        writer.writerow([EXAMPLE_MARKER if f is USCC else _csv_text(f, _example(f))
                         for f in fields])


def _example(f: Field):
    value = f.example
    if f.type == "enum_list" and value is not None:
        return list(value)
    return value


# --------------------------------------------------------------------------------------------
# Excel


def write_xlsx(records: Iterable[dict], stream, *, sections: Sequence[str] | None = None) -> None:
    """A workbook with one sheet per section (Chinese sheet names and headers, help comments,
    drop-down lists for choices and 是/否, frozen header row). ``records`` is read once per
    sheet, so a generator is first turned into a list."""
    records = records if isinstance(records, Sequence) else list(records)
    _workbook(records, stream, sections=sections, instructions=False)


def xlsx_template(stream) -> None:
    """The empty workbook to fill in: every section sheet, and a first sheet 说明 with the
    instructions and one example value per column (never read as data)."""
    _workbook([], stream, sections=None, instructions=True)


def _workbook(records: Sequence[dict], stream, *, sections, instructions: bool) -> None:
    wb = Workbook(write_only=True)
    if instructions:
        _instructions_sheet(wb)
    for name in sections or SECTIONS:
        _section_sheet(wb, name, records)
    wb.save(stream)


def _display_width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _section_sheet(wb: Workbook, section: str, records: Sequence[dict]) -> None:
    sec = SECTIONS[section]
    fields = columns(section)
    ws = wb.create_sheet(sec.label_zh)
    ws.freeze_panes = "A2"
    for i, f in enumerate(fields, 1):
        letter = get_column_letter(i)
        width = max(_display_width(f.header_zh) + 2, 12 if f.type == "date" else 10)
        if f is USCC or f.type in ("string", "enum_list", "object"):
            width = max(width, 22)
        ws.column_dimensions[letter].width = min(width, 40)
        choices = _dropdown(f)
        if choices is not None:
            dv = DataValidation(type="list", formula1=choices, allow_blank=True,
                                showErrorMessage=True, errorTitle=f.label_zh,
                                error=f"请从下拉列表中选择{f.label_zh}")
            dv.add(f"{letter}2:{letter}{_MAX_ROW}")
            ws.data_validations.append(dv)
    header = []
    for f in fields:
        cell = WriteOnlyCell(ws, value=f.header_zh)
        cell.font = _HEADER_FONT
        cell.fill = _REQUIRED_FILL if f.required else _HEADER_FILL
        cell.comment = Comment(_help(f), "科创平台", width=320, height=160)
        header.append(cell)
    ws.append(header)
    formats = [_FORMATS.get(f.type) for f in fields]
    for record in records:
        for row in _rows(record, section):
            cells = []
            for f, fmt in zip(fields, formats, strict=True):
                value = format_excel(f, json_value(row.get(f.name)) if f.type == "object"
                                     else row.get(f.name))
                if fmt is not None and value is not None and not isinstance(value, str):
                    cell = WriteOnlyCell(ws, value=value)
                    cell.number_format = fmt
                    value = cell
                cells.append(safe_cell(value, ws))
            ws.append(cells)


def _dropdown(f: Field) -> str | None:
    if f.type == "bool":
        return '"是,否"'
    if f.type != "enum":
        return None
    formula = '"' + ",".join(f.label_of(c) for c in f.choices) + '"'
    return formula if len(formula) <= 257 else None  # Excel's limit for an inline list


def _help(f: Field) -> str:
    lines = [f"{f.label_zh}（{f.name}）", f"类型：{TYPE_LABELS_ZH[f.type]}" +
             ("，必填" if f.required else "")]
    if f.choices:
        lines.append("可选：" + "、".join(f.label_of(c) for c in f.choices))
    if f.help_zh:
        lines.append(f.help_zh)
    return "\n".join(lines)


def _instructions_sheet(wb: Workbook) -> None:
    ws = wb.create_sheet(INSTRUCTIONS_SHEET)
    for letter, width in zip("ABCDEFGH", (16, 26, 24, 12, 8, 40, 50, 26), strict=True):
        ws.column_dimensions[letter].width = width
    title = WriteOnlyCell(ws, value=f"企业数据导入模板（数据标准 v{SCHEMA_VERSION}）")
    title.font = Font(bold=True, size=14)
    ws.append([title])
    for line in (
        "1. 每张工作表对应一类数据，请不要修改工作表名称和第1行列名；本“说明”表不会被导入。",
        "2. 除“企业基本信息”外，每行都要填写统一社会信用代码，用于关联企业。",
        "3. 金额单位为元（不是万元）；比例填 0.12 或 12%；日期填 2025-12-31 或 2025/12/31。",
        "4. 不知道的数据请留空（留空表示未知，不表示 0 或“否”）。",
        "5. 新建企业时“企业名称”“成立日期”必填；只补充年度等数据时可以只填其他工作表。",
        "6. 下表“示例”列只是填写示例，不会被导入。",
    ):
        ws.append([line])
    ws.append([])
    head = []
    for text in ("工作表", "列名", "字段名", "类型", "必填", "可选值", "说明", "示例"):
        cell = WriteOnlyCell(ws, value=text)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        head.append(cell)
    ws.append(head)
    wrap = Alignment(wrap_text=True, vertical="top")
    for sec in SECTIONS.values():
        for f in columns(sec.name):
            example = format_text(f, _example(f)) if f.example is not None else ""
            values = [sec.label_zh, f.header_zh, f.name, TYPE_LABELS_ZH[f.type],
                      "是" if f.required else "",
                      "、".join(f.label_of(c) for c in f.choices), f.help_zh, example]
            row = []
            for value in values:
                cell = safe_cell(value, ws)
                if not isinstance(cell, Cell):
                    cell = WriteOnlyCell(ws, value=value)
                cell.alignment = wrap
                row.append(cell)
            ws.append(row)
