"""Excel export of the valuations a user may see (latest, still consented), audited. Names are
always masked and no ID number appears, whoever exports: a workbook travels further than a page."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from kechuang.accounts.access import VIEW
from kechuang.core.choices import AuditAction
from kechuang.core.services import audit_record
from kechuang.engine.facts.writers import safe_row

from .models import Valuation
from .selectors import latest

HEADERS = ("姓名（脱敏）", "企业", "区划代码", "行业代码", "综合得分", "价值下限（元）", "价值上限（元）", "缺失事实占比",
           "才", "彩", "采", "财", "评估基准日", "模型版本")


def valuations_xlsx(*, user) -> tuple[bytes, int]:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("人才价值"))
    qs = latest(Valuation.objects.restrict(user, VIEW)).select_related("person", "enterprise", "run").order_by(
        "enterprise_id", "-value_low", "pk")
    rows = list(qs[:50000])
    if any(v.person.is_synthetic for v in rows):
        ws.append(safe_row([_("合成数据（非真实人员），仅供演示")], ws))
    ws.append(safe_row([_("权重为暂定值（四CAI模型未公开）；价值为区间，非单一数值。")], ws))
    ws.append(safe_row([_(h) for h in HEADERS], ws))
    for v in rows:
        g = v.groups
        ws.append(safe_row([v.person.masked_name, v.enterprise.name, v.region_code, v.industry_code, float(v.total),
                            float(v.value_low), float(v.value_high), float(v.missing), g.get("cai_ability"),
                            g.get("cai_honour"), g.get("cai_output"), g.get("cai_economic"),
                            v.run.as_of.isoformat(), v.run.model_version], ws))
    out = io.BytesIO()
    wb.save(out)
    audit_record(actor=user, action=AuditAction.EXPORT, object_type="talent.valuation", object_repr=_("人才价值导出"),
                 context={"format": "xlsx", "count": len(rows)})
    return out.getvalue(), len(rows)


def people_template_xlsx() -> bytes:
    """The blank workbook an enterprise fills to import its people: the Chinese headers (required
    ones bold) and one SYNTHETIC example row (a made-up name and ID number) to overwrite."""
    from openpyxl.utils import get_column_letter

    from .loading import HEADERS, REQUIRED, SHEET

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append(safe_row(list(HEADERS.values()), ws))
    for i, name in enumerate(HEADERS, start=1):
        if name in REQUIRED:
            ws.cell(row=1, column=i).font = Font(bold=True)
        ws.column_dimensions[get_column_letter(i)].width = 18
    example = {"full_name": "示例（合成）", "id_number": "370102199001019997", "degree": "硕士",
               "institution_tier": "重点院校", "title_level": "中级", "honours": "", "ip_invention": 2,
               "ip_utility_model": 1, "ip_design": 0, "ip_software": 1, "project_level": "省级", "project_count": 2,
               "project_lead_count": 1, "employment_start": "2019-07-01", "insurance_months": 60,
               "insurance_base": 9000, "annual_salary": 30, "equity_share": 0.5, "attributable_revenue": 200}
    ws.append(safe_row([example[k] for k in HEADERS], ws))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
