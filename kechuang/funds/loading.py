"""Reading a bank's repayment workbook (还本付息记录导入) before anything is written: XLSX with the
template's Chinese headers (English ones accepted). Every problem names its row, field and reason;
an unknown column, a formula cell or an unreadable file is refused rather than skipped. Fully
empty rows are not records and are not read; every other row becomes a record or an error."""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _
from kechuang.core.formatting import cell_text

from .error_codes import FundsErrorCode as E

#: field → accepted headers (the first is the template's header).
COLUMNS = {
    "loan_id": ("贷款编号（融资申请编号）", "贷款编号", "融资申请编号", "loan_id"),
    "paid_on": ("还款日期", "paid_on"),
    "principal_repaid": ("归还本金（元）", "归还本金", "principal_repaid"),
    "interest_paid": ("支付利息（元）", "支付利息", "interest_paid"),
    "explanation": ("超合同利息说明", "explanation"),
    "note": ("备注", "note"),
}
REQUIRED = ("loan_id", "paid_on")
FIELD_LABELS = {k: v[0] for k, v in COLUMNS.items()}


@dataclass(frozen=True)
class RowError:
    row: int
    field: str
    code: str
    message: str

    def __str__(self) -> str:
        return _("第 %(row)s 行 · %(field)s：%(message)s") % {"row": self.row, "field": self.field,
                                                            "message": self.message}

    def as_dict(self) -> dict:
        return {"row": self.row, "field": self.field, "code": self.code, "message": self.message}


class ImportFileError(Exception):
    """The file or its rows have problems; nothing was written."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors[:20]))


def read_repayments(content: bytes) -> list[tuple[int, dict[str, str]]]:
    """``(row number as a person sees it, {field: text})`` for every non-empty data row."""
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    try:
        wb = load_workbook(io.BytesIO(content), read_only=True)
        ws = wb.worksheets[0]
        table = [list(r) for r in ws.iter_rows()]
    except Exception as exc:  # a corrupt or non-XLSX file: report, never crash
        raise ImportFileError([RowError(0, _("文件"), E.BAD_FILE,
                                        _("无法读取 XLSX 文件：%(e)s") % {"e": str(exc)[:200]})]) from None
    if not table:
        raise ImportFileError([RowError(0, _("文件"), E.BAD_FILE, _("文件是空的。"))])
    errors: list[RowError] = []
    header = [cell_text(getattr(c, "value", None)) for c in table[0]]
    by_alias = {a.lower(): f for f, aliases in COLUMNS.items() for a in aliases}
    fields: list[str | None] = []
    for h in header:
        f = by_alias.get(h.lower())
        if h and f is None:
            errors.append(RowError(1, h, E.BAD_FILE, _("未知的列“%(h)s”（模板列：%(cols)s）")
                                   % {"h": h, "cols": "、".join(FIELD_LABELS.values())}))
        if f is not None and f in fields:
            errors.append(RowError(1, h, E.BAD_FILE, _("列“%(h)s”重复。") % {"h": h}))
        fields.append(f if h else None)
    for f in REQUIRED:
        if f not in fields:
            errors.append(RowError(1, FIELD_LABELS[f], E.BAD_FILE, _("缺少必填列“%(h)s”。") % {"h": FIELD_LABELS[f]}))
    rows = []
    for n, cells in enumerate(table[1:], start=2):
        data: dict[str, str] = {}
        for i, cell in enumerate(cells):
            v = getattr(cell, "value", None)
            if getattr(cell, "data_type", None) == "f":
                errors.append(RowError(n, f"{get_column_letter(i + 1)}列", E.BAD_FILE,
                                       _("单元格含公式，请复制后“粘贴为数值”再导入")))
                continue
            text = cell_text(v)
            if not text:
                continue
            f = fields[i] if i < len(fields) else None
            if f is None:
                errors.append(RowError(n, f"{get_column_letter(i + 1)}列", E.BAD_FILE,
                                       _("该列没有表头，数据“%(v)s”无法识别。") % {"v": text[:40]}))
                continue
            data[f] = text
        if data:
            rows.append((n, data))
    if errors:
        raise ImportFileError(errors)
    if not rows:
        raise ImportFileError([RowError(0, _("文件"), E.BAD_FILE, _("文件中没有还款记录。"))])
    return rows


_DATE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")


def parse_date(text) -> dt.date | None:
    """``2026-03-21``, ``2026/3/21``, ``2026年3月21日`` or a date; ``None`` when it is not one."""
    if isinstance(text, dt.datetime):
        return text.date()
    if isinstance(text, dt.date):
        return text
    m = _DATE.match(str(text or ""))
    if not m:
        return None
    try:
        return dt.date(*(int(x) for x in m.groups()))
    except ValueError:
        return None
