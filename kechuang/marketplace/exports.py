"""Files the app writes: the metrics workbook (XLSX via openpyxl) for government users. Every row goes
through ``safe_row`` (names of institutions and products are text their owners typed)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from openpyxl import Workbook
from openpyxl.styles import Font

from kechuang.core import formatting
from kechuang.engine.facts.writers import safe_row

from . import metrics

#: Headers and sheet names, in the request's language when the workbook is written (``_()`` at use).
BREAKDOWN_HEADERS = [gettext_noop("维度"), gettext_noop("申请笔数"), gettext_noop("接单率"), gettext_noop("审批通过率"), gettext_noop("放款金额（元）"), gettext_noop("平均接单（工作日）"),
                     gettext_noop("平均审批（工作日）")]
TITLES = {"institution": gettext_noop("按机构"), "product": gettext_noop("按产品"), "district": gettext_noop("按区县")}


def metrics_workbook(*, region_code: str, start: dt.date, end: dt.date) -> bytes:
    """One sheet of the metrics (numerator, denominator, value) and one per breakdown; headers and
    sheet names in the active language (the request's)."""
    wb = Workbook()
    ws = wb.active
    ws.title = _("指标汇总")
    ws.append(safe_row([_("融资对接统计 %(region)s %(start)s 至 %(end)s（实时计算）") % {
        "region": formatting.region_name(region_code), "start": start.isoformat(), "end": end.isoformat()}], ws))
    ws["A1"].font = Font(bold=True)
    ws.append(safe_row([_("指标代码"), _("指标"), _("分子"), _("分母"), _("值")], ws))
    for m in metrics.summary(region_code=region_code, start=start, end=end):
        ws.append(safe_row([m["code"], m["label"], _n(m["numerator"]), _n(m["denominator"]), _n(m["value"])], ws))
    for by, title in TITLES.items():
        sheet = wb.create_sheet(_(title))
        sheet.append(safe_row([_(h) for h in BREAKDOWN_HEADERS], sheet))
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
