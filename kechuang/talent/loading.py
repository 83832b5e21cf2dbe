"""Reading an enterprise's people workbook (人才信息导入) before anything is written: XLSX with the
template's Chinese headers (the summary field names accepted too). Levels are written as their
Chinese labels (博士, 正高级, 国家级 …), 人才称号 as programme names separated by 、 or commas.
Every problem names its sheet, row, field and reason; an unknown column, a formula cell or an
unreadable file is refused rather than skipped. Fully empty rows are skipped; every other row
becomes a person or an error."""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from kechuang.engine.talent import programmes
from kechuang.core.formatting import cell_text

from .choices import LEVEL_LABELS
from .error_codes import TalentErrorCode as E
from .forms import PROJECT_LEVELS, SUMMARY

SHEET = "人才信息"
#: field → the template's Chinese header (the label as written in Chinese, whatever the page's language).
HEADERS = {"full_name": "姓名", "id_number": "居民身份证号码", "degree": "最高学历", "institution_tier": "毕业院校层次",
           "title_level": "专业技术职称", "honours": "人才称号（可多项）", "ip_invention": "发明专利（件）",
           "ip_utility_model": "实用新型专利（件）", "ip_design": "外观设计专利（件）", "ip_software": "软件著作权（件）",
           "project_level": "承担科研项目最高级别", "project_count": "科研项目数", "project_lead_count": "其中主持项目数",
           "employment_start": "入职本单位日期", "insurance_months": "社保连续缴纳月数",
           "insurance_base": "社保缴费基数（元/月）", "annual_salary": "年薪（万元）", "equity_share": "持股比例（%）",
           "attributable_revenue": "个人贡献营收（万元）"}
REQUIRED = ("full_name", "id_number")
assert set(HEADERS) == set(SUMMARY) | set(REQUIRED)


@dataclass(frozen=True)
class RowError:
    sheet: str
    row: int
    field: str
    code: str
    message: str

    def __str__(self) -> str:
        return _("工作表“%(sheet)s”第 %(row)s 行 · %(field)s：%(message)s") % {
            "sheet": self.sheet, "row": self.row, "field": self.field, "message": self.message}

    def as_dict(self) -> dict:
        return {"sheet": self.sheet, "row": self.row, "field": self.field, "code": self.code, "message": self.message}


class ImportFileError(Exception):
    """The file or its rows have problems; nothing was written."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors[:20]))


def _vocab(kind: str) -> dict[str, str]:
    """Chinese label (and code) → code of a level vocabulary."""
    codes = PROJECT_LEVELS if kind == "project_level" else LEVEL_LABELS[kind]
    labels = LEVEL_LABELS["project_level"]
    out = {}
    for code in codes:
        zh = str(labels[code] if kind == "project_level" else LEVEL_LABELS[kind][code])
        out[zh], out[code] = code, code
    return out


def _value(field: str, text: str) -> Any:
    kind = SUMMARY[field][1]
    if kind in ("degree", "institution_tier", "title_level", "project_level"):
        vocab = _vocab(kind)
        if text not in vocab:
            raise ValueError(_("“%(v)s”不是可选值（可选：%(opts)s）") % {
                "v": text, "opts": "、".join(k for k in vocab if not k.isascii())})
        return vocab[text]
    if kind == "programmes":
        by_name = {p["name"]: code for code, p in programmes().items()} | {code: code for code in programmes()}
        out = []
        for name in (n.strip() for n in re.split(r"[、,，;；]", text)):
            if name and name not in by_name:
                raise ValueError(_("“%(v)s”不在人才称号参考目录中") % {"v": name})
            if name:
                out.append(by_name[name])
        return sorted(set(out))
    if kind == "date":
        try:
            return dt.date.fromisoformat(text[:10])
        except ValueError:
            raise ValueError(_("“%(v)s”不是日期（YYYY-MM-DD）") % {"v": text}) from None
    try:
        d = Decimal(text.replace(",", ""))
    except InvalidOperation:
        raise ValueError(_("“%(v)s”不是数字") % {"v": text}) from None
    if d < 0 or not d.is_finite():
        raise ValueError(_("不能为负数"))
    if kind == "int":
        if d != d.to_integral_value():
            raise ValueError(_("“%(v)s”不是整数") % {"v": text})
        return int(d)
    if field == "equity_share" and d > 100:
        raise ValueError(_("持股比例不能超过 100%"))
    return d


def read_people(content: bytes) -> list[tuple[int, dict[str, Any]]]:
    """``(row number as a person sees it, {field: value})`` for every non-empty data row of the
    first sheet, values parsed; raises :class:`ImportFileError` with every problem."""
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    try:
        wb = load_workbook(io.BytesIO(content), read_only=True)
        ws = wb.worksheets[0]
        sheet = ws.title
        table = [list(r) for r in ws.iter_rows()]
    except Exception as exc:  # a corrupt or non-XLSX file: report, never crash
        raise ImportFileError([RowError("", 0, _("文件"), E.BAD_FILE,
                                        _("无法读取 XLSX 文件：%(e)s") % {"e": str(exc)[:200]})]) from None
    if not table:
        raise ImportFileError([RowError(sheet, 0, _("文件"), E.BAD_FILE, _("文件是空的。"))])
    errors: list[RowError] = []
    header = [cell_text(getattr(c, "value", None)) for c in table[0]]
    by_alias = {h: f for f, h in HEADERS.items()} | {f: f for f in HEADERS}
    fields: list[str | None] = []
    for h in header:
        f = by_alias.get(h)
        if h and f is None:
            errors.append(RowError(sheet, 1, h, E.BAD_FILE, _("未知的列“%(h)s”（模板列：%(cols)s）")
                                   % {"h": h, "cols": "、".join(HEADERS.values())}))
        if f is not None and f in fields:
            errors.append(RowError(sheet, 1, h, E.BAD_FILE, _("列“%(h)s”重复。") % {"h": h}))
        fields.append(f if h else None)
    for f in REQUIRED:
        if f not in fields:
            errors.append(RowError(sheet, 1, HEADERS[f], E.BAD_FILE, _("缺少必填列“%(h)s”。") % {"h": HEADERS[f]}))
    rows = []
    for n, cells in enumerate(table[1:], start=2):
        data: dict[str, Any] = {}
        for i, cell in enumerate(cells):
            if getattr(cell, "data_type", None) == "f":
                errors.append(RowError(sheet, n, f"{get_column_letter(i + 1)}列", E.BAD_FILE,
                                       _("单元格含公式，请复制后“粘贴为数值”再导入")))
                continue
            text = cell_text(getattr(cell, "value", None))
            if not text:
                continue
            f = fields[i] if i < len(fields) else None
            if f is None:
                errors.append(RowError(sheet, n, f"{get_column_letter(i + 1)}列", E.BAD_FILE,
                                       _("该列没有表头，数据“%(v)s”无法识别。") % {"v": text[:40]}))
                continue
            if f in REQUIRED:
                data[f] = text
                continue
            try:
                data[f] = _value(f, text)
            except ValueError as exc:
                errors.append(RowError(sheet, n, HEADERS[f], E.BAD_FACTS, str(exc)))
        if not data:
            continue
        for f in REQUIRED:
            if not data.get(f):
                errors.append(RowError(sheet, n, HEADERS[f], E.BAD_FILE, _("必填项为空。")))
        rows.append((n, data))
    if errors:
        raise ImportFileError(errors)
    if not rows:
        raise ImportFileError([RowError(sheet, 0, _("文件"), E.BAD_FILE, _("文件中没有人才记录。"))])
    return rows
