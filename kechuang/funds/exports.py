"""Files the app writes: the claims workbook (XLSX via openpyxl) for finance departments. Every row
goes through ``safe_row`` (enterprise and institution names are text others typed)."""

from __future__ import annotations

import io
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font

from kechuang.engine.facts.writers import safe_row

HEADERS = ["申领编号", "项目", "版本", "年度", "兑现事项", "企业", "统一社会信用代码", "申领机构", "来源", "状态",
           "金额（元）", "计算公式", "提交时间", "核准时间", "拨付时间", "意见"]
BUDGET_HEADERS = ["项目", "年度", "预算（元）", "已核准（元）", "已拨付（元）", "剩余（元）"]


def claims_workbook(claims, budgets, *, title: str) -> bytes:
    """A sheet of claims (one row each, amounts as numbers) and a sheet of the budgets."""
    wb = Workbook()
    ws = wb.active
    ws.title = "资金申领"
    ws.append(safe_row([title], ws))
    ws["A1"].font = Font(bold=True)
    ws.append(safe_row(HEADERS, ws))
    for cl in claims:
        ws.append(safe_row([
            cl.pk, cl.programme.title, cl.programme.version, cl.year, cl.subject, cl.enterprise.name, cl.enterprise.uscc,
            cl.claimant_org.name if cl.claimant_org else "", cl.get_origin_display(), cl.get_state_display(),
            _n(cl.amount), cl.evidence.get("formula", ""), _t(cl.submitted_at), _t(cl.decided_at), _t(cl.paid_at),
            cl.reason], ws))
    sheet = wb.create_sheet("预算执行")
    sheet.append(safe_row(BUDGET_HEADERS, sheet))
    for b in budgets:
        sheet.append(safe_row([b.programme.title, b.year, _n(b.amount), _n(b.committed), _n(b.paid),
                               _n(b.amount - b.committed)], sheet))
    for s in wb.worksheets:
        s.column_dimensions["B"].width = 30
        s.column_dimensions["F"].width = 30
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _n(v):
    return float(v) if isinstance(v, Decimal) else v


def _t(v):
    return v.strftime("%Y-%m-%d %H:%M") if v else ""


def repayment_template_xlsx() -> bytes:
    """The blank workbook a bank fills to import repayment records: the Chinese headers (required
    ones bold) and one SYNTHETIC example row to overwrite."""
    from .loading import COLUMNS, REQUIRED

    wb = Workbook()
    ws = wb.active
    ws.title = "还本付息记录"
    ws.append(safe_row([aliases[0] for aliases in COLUMNS.values()], ws))
    for i, name in enumerate(COLUMNS, start=1):
        if name in REQUIRED:
            ws.cell(row=1, column=i).font = Font(bold=True)
        ws.column_dimensions[chr(64 + i)].width = 22
    ws.append(safe_row(["12", "2026-03-21", 100000, 4350.68, "", "示例行（合成），导入前请删除"], ws))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
