"""Files the app writes: the metrics workbook (XLSX via openpyxl) for government users. Every row goes
through ``safe_row`` (names of institutions and products are text their owners typed)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font

from kechuang.engine.facts.writers import safe_row

from . import metrics

BREAKDOWN_HEADERS = ["维度", "申请笔数", "接单率", "审批通过率", "放款金额（元）", "平均接单（工作日）", "平均审批（工作日）"]
TITLES = {"institution": "按机构", "product": "按产品", "district": "按区县"}


def metrics_workbook(*, region_code: str, start: dt.date, end: dt.date) -> bytes:
    """One sheet of the metrics (numerator, denominator, value) and one per breakdown."""
    wb = Workbook()
    ws = wb.active
    ws.title = "指标汇总"
    ws.append(safe_row([f"融资对接统计 区划 {region_code} {start.isoformat()} 至 {end.isoformat()}（实时计算）"], ws))
    ws["A1"].font = Font(bold=True)
    ws.append(safe_row(["指标代码", "指标", "分子", "分母", "值"], ws))
    for m in metrics.summary(region_code=region_code, start=start, end=end):
        ws.append(safe_row([m["code"], m["label"], _n(m["numerator"]), _n(m["denominator"]), _n(m["value"])], ws))
    for by, title in TITLES.items():
        sheet = wb.create_sheet(title)
        sheet.append(safe_row(BREAKDOWN_HEADERS, sheet))
        for r in metrics.breakdown(region_code=region_code, start=start, end=end, by=by):
            sheet.append(safe_row([r["key"], r["requests"], r["pickup_rate"], r["approval_rate"],
                                   _n(r["disbursed_amount"]), r["mean_pickup_days"], r["mean_decision_days"]], sheet))
    for sheet in wb.worksheets:
        sheet.column_dimensions["A"].width = 28
        sheet.column_dimensions["B"].width = 24
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _n(v):
    return float(v) if isinstance(v, Decimal) else v
