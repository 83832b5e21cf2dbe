"""Reading and checking the import files (plans, indicators with their values, tasks) before
anything is written: CSV (UTF-8 or GBK) or XLSX, Chinese or English headers. Every problem is
reported with its row, field and reason; the service writes nothing unless the whole file is clean.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from .choices import VALUE_KIND_ALIASES, ValueKind
from .error_codes import TargetsError

#: field → accepted headers (first is the template's Chinese header).
PLAN_COLUMNS = {
    "plan": ("规划", "plan"), "title": ("文件标题", "title"), "region": ("地区", "region"),
    "region_code": ("区划代码", "region_code"), "issuing_body": ("印发机关", "issuing_body"),
    "document_number": ("文号", "document_number"), "period_start": ("规划期起", "period_start"),
    "period_end": ("规划期止", "period_end"), "base_year": ("基期年", "base_year"),
    "source_file": ("来源文件", "source_file"),
}
INDICATOR_COLUMNS = {
    "region": ("地区", "region"), "plan": ("规划", "plan"), "indicator": ("指标", "indicator"),
    "unit": ("单位", "unit"), "year": ("年份", "期间", "year"), "value": ("数值", "value"),
    "kind": ("类型", "kind"), "source_file": ("来源文件", "来源", "source_file"),
    "quote": ("原文摘录", "quote"), "qualifier": ("限定词", "qualifier"), "note": ("备注", "note"),
    "region_code": ("区划代码", "region_code"),
}
TASK_COLUMNS = {
    "region": ("地区", "region"), "plan": ("规划", "plan"), "task_id": ("任务编号", "task_id"),
    "title": ("任务名称", "title"), "text": ("任务内容", "text"), "key": ("重点", "key"),
    "responsible_units": ("责任单位", "responsible_units"), "deadline": ("完成时限", "deadline"),
    "source_file": ("来源文件", "source_file"), "lead_units": ("牵头单位", "lead_units"),
    "section": ("章节", "section"), "note": ("备注", "note"),
}
CONCEPT_COLUMNS = {"region": ("地区", "region"), "indicator": ("指标", "indicator"),
                   "concept": ("统一指标", "concept"), "direction": ("方向", "direction"),
                   "note": ("说明", "note")}
REQUIRED = {"plans": ("plan", "region", "period_start", "period_end"),
            "indicators": ("plan", "indicator", "year", "value", "kind"),
            "tasks": ("plan", "task_id", "title"),
            "concepts": ("region", "indicator", "concept")}
COLUMNS = {"plans": PLAN_COLUMNS, "indicators": INDICATOR_COLUMNS, "tasks": TASK_COLUMNS,
           "concepts": CONCEPT_COLUMNS}


@dataclass(frozen=True)
class RowError:
    row: int
    field: str
    code: str
    message: str

    def __str__(self) -> str:
        return _("第 %(row)s 行 · %(field)s：%(message)s") % {"row": self.row, "field": self.field,
                                                            "message": self.message}


class ImportFileError(Exception):
    """The file has problems; nothing was written. ``errors`` name row, field and reason."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors[:20]))


@dataclass
class Row:
    number: int  # the row number a person sees in the file (header = 1)
    data: dict[str, str] = field(default_factory=dict)


def read_table(content: bytes, file_name: str) -> list[list[str]]:
    """The file's rows as lists of strings (XLSX by extension or its zip signature)."""
    if file_name.lower().endswith(".xlsx") or content[:2] == b"PK":
        from openpyxl import load_workbook
        from openpyxl.utils import get_column_letter
        try:
            # formulas visible (not data_only): a formula's cached value is whatever Excel last
            # computed, or nothing when another program wrote the file, so it is reported, not read
            wb = load_workbook(io.BytesIO(content), read_only=True)
        except Exception as exc:  # a corrupt workbook: report, never crash
            raise ImportFileError([RowError(0, "file", TargetsError.BAD_FILE, _("无法读取 XLSX 文件：%(error)s") % {"error": exc})]) from exc
        ws = wb.worksheets[0]
        table, formulas = [], []
        for n, row in enumerate(ws.iter_rows(), start=1):
            values = []
            for i, cell in enumerate(row):
                v = getattr(cell, "value", None)
                if getattr(cell, "data_type", None) == "f":
                    text = v if isinstance(v, str) else "=" + str(getattr(v, "text", "") or "")
                    formulas.append(RowError(n, f"{get_column_letter(i + 1)}列", TargetsError.FORMULA_CELL,
                                             f"单元格含公式 {text[:60]}，请复制后“粘贴为数值”再导入"))
                values.append("" if v is None else _cell(v))
            table.append(values)
        if formulas:
            raise ImportFileError(formulas)
        return table
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportFileError([RowError(0, "file", TargetsError.BAD_FILE, _("文件编码无法识别（应为 UTF-8 或 GBK）"))])
    return [list(r) for r in csv.reader(io.StringIO(text))]


def _cell(v) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def parse_rows(content: bytes, file_name: str, kind: str) -> list[Row]:
    """Map the header to fields, check the required columns and values; raise on any problem."""
    table = [r for r in read_table(content, file_name) if any(str(c).strip() for c in r)]
    if not table:
        raise ImportFileError([RowError(1, "file", TargetsError.BAD_FILE, _("文件为空"))])
    columns = COLUMNS[kind]
    header = [str(h).strip() for h in table[0]]
    index: dict[str, int] = {}
    for name, aliases in columns.items():
        for i, h in enumerate(header):
            if h in aliases:
                index[name] = i
                break
    errors = [RowError(1, columns[f][0], TargetsError.MISSING_COLUMN, _("缺少必需的列“%(column)s”") % {"column": columns[f][0]})
              for f in REQUIRED[kind] if f not in index]
    if errors:
        raise ImportFileError(errors)
    rows = []
    for n, raw in enumerate(table[1:], start=2):
        data = {f: (str(raw[i]).strip() if i < len(raw) else "") for f, i in index.items()}
        for f in REQUIRED[kind]:
            if not data.get(f):
                errors.append(RowError(n, columns[f][0], TargetsError.REQUIRED, _("“%(column)s”不能为空") % {"column": columns[f][0]}))
        rows.append(Row(n, data))
    if errors:
        raise ImportFileError(errors)
    return rows


_NUM = r"-?\d+(?:\.\d+)?"
_RANGE = re.compile(rf"^({_NUM})\s*[-—–~～至]\s*({_NUM})$")
_FRACTION = re.compile(r"^(\d+)/(\d+)$")
_YEAR = re.compile(r"(?<!\d)(19\d\d|20\d\d)(?!\d)")


@dataclass(frozen=True)
class ParsedValue:
    value: Decimal | None
    high: Decimal | None
    text: str


def parse_value(text: str) -> ParsedValue:
    """A number, a range (1—2 → low 1, high 2), a fraction (1/4), or text kept as written
    (入选, 大幅提升: qualitative, never computed)."""
    t = text.strip().replace(",", "").replace("，", "")
    try:
        return ParsedValue(Decimal(t), None, text)
    except InvalidOperation:
        pass
    if m := _RANGE.match(t):
        return ParsedValue(Decimal(m.group(1)), Decimal(m.group(2)), text)
    if m := _FRACTION.match(t):
        return ParsedValue((Decimal(m.group(1)) / Decimal(m.group(2))).quantize(Decimal("0.000001")), None, text)
    return ParsedValue(None, None, text)


def parse_year(text: str) -> int | None:
    """The year of a period written as a year (2020) or naming exactly one year (2022年年底前,
    建设期内(至2025)); ``None`` for ranges (2016-2020), 十三五, 每年, 5年左右."""
    years = _YEAR.findall(text)
    return int(years[0]) if len(years) == 1 else None


def parse_deadline(text: str, plan_end: int | None) -> dt.date | None:
    """The task's deadline: the end of the earliest year it names (2019年年底前 → 2019-12-31);
    计划期内 / 规划期内 → the end of the plan period. No deadline (``None``, shown as 无明确期限,
    never overdue) when the document gives none (a blank cell), a recurring one (每年) or one
    without a date (长期坚持, 持续推进)."""
    t = text.strip()
    if not t or "每年" in t:
        return None
    years = [int(y) for y in _YEAR.findall(t)]
    if years:
        return dt.date(min(years), 12, 31)
    if plan_end and ("计划期" in t or "规划期" in t):
        return dt.date(plan_end, 12, 31)
    return None


def parse_kind(text: str) -> str | None:
    t = text.strip()
    if t in ValueKind.values:
        return t
    return VALUE_KIND_ALIASES.get(t)


def parse_int(text: str) -> int | None:
    t = text.strip()
    return int(t) if t.isdigit() else None


def split_units(text: str) -> list[str]:
    return [u.strip()[:120] for u in re.split(r"[;；、，,]", text or "") if u.strip()]
