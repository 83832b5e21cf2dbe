"""Reading the report template (XLSX): one sheet per licence type, Chinese headers; every row
becomes a dict with ``sheet``, ``row`` (the spreadsheet's row number), the head fields and the
figures, values as typed in the cell (the engine checks them). Nothing is dropped: blank rows are
skipped only when every cell is empty, an unknown sheet or header is itself reported."""

from __future__ import annotations

import io
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import load_workbook

from kechuang.engine.supervision.rules import RuleSet

MAX_ROWS = 5000


def head_columns() -> list[tuple[str, str]]:
    return [("licence_no", _("许可证编号")), ("licence_type", _("机构类型")), ("frequency", _("报告频度")),
            ("period_end", _("报告期末"))]


class FileError(ValueError):
    pass


def read_workbook(data: bytes, rules: RuleSet) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``(rows, errors)``: the rows of every sheet named after a licence type, and the structural
    errors (an unknown sheet, an unknown or missing column) with sheet, row and field."""
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable file is one error
        raise FileError(str(exc)[:200]) from None
    by_label = {t.label: t for t in rules.types.values()}
    rows: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    for ws in wb.worksheets:
        if ws.title in ("说明", "Notes"):
            continue
        trules = by_label.get(ws.title) or rules.types.get(ws.title)
        it = ws.iter_rows(values_only=True)
        header = next(it, None)
        if trules is None:
            if header is not None or ws.max_row:
                errors.append({"sheet": ws.title, "row": 1, "field": "licence_type", "code": "unknown_type",
                               "params": {"value": ws.title, "allowed": "、".join(by_label)}})
            continue
        if header is None:
            continue
        names = {label: key for key, label in head_columns()} | {label: key for key, label in trules.fields}
        names |= {key: key for key in names.values()}
        keys = []
        for col, title in enumerate(header, start=1):
            title = str(title or "").strip()
            key = names.get(title)
            if title and key is None:
                errors.append({"sheet": ws.title, "row": 1, "field": title[:40], "code": "unknown_column",
                               "params": {"column": col}})
            keys.append(key)
        missing = [label for key, label in head_columns() + list(trules.fields) if key not in keys]
        for label in missing:
            errors.append({"sheet": ws.title, "row": 1, "field": label, "code": "missing_column", "params": {}})
        for n, values in enumerate(it, start=2):
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            row = {"sheet": ws.title, "row": n}
            for key, v in zip(keys, values, strict=False):
                if key:
                    row[key] = v.isoformat() if hasattr(v, "isoformat") else v
            row.setdefault("licence_type", ws.title)
            rows.append(row)
            if len(rows) > MAX_ROWS:
                raise FileError(_("文件超过 %(n)s 行，请分批导入。") % {"n": MAX_ROWS})
    return rows, errors
