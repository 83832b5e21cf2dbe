"""Excel export of a rating run's results (what a regulator files or forwards), audited; every row
goes through ``safe_row`` so an enterprise name can never run as a formula."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook

from kechuang.core.choices import AuditAction
from kechuang.core.services import audit_record
from kechuang.engine.facts.writers import safe_row

from .models import RatingRun
from .selectors import feature_label, grade_distribution, results_for

HEADERS = ("统一社会信用代码", "企业名称", "区划代码", "等级", "违约概率", "评分", "主要原因1", "主要原因2",
           "主要原因3")


def run_results_xlsx(*, run: RatingRun, user) -> tuple[bytes, int]:
    """The run's results the user may see as an XLSX workbook (results, master scale, and the
    model's features), and the row count. The export is written to the audit log."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("评级结果"))
    if run.is_synthetic:
        ws.append(safe_row([_("合成数据（非真实企业、非真实违约），仅供演示")], ws))
    ws.append(safe_row([_(h) for h in HEADERS], ws))
    count = 0
    qs = results_for(user, run).order_by("-pd", "enterprise_id").values_list(
        "enterprise__uscc", "enterprise__name", "region_code", "grade", "pd", "score", "reasons")
    for uscc, name, region, grade, pd, score, reasons in qs.iterator(chunk_size=2000):
        texts = [r["text"] for r in reasons][:3]
        ws.append(safe_row([uscc, name, region, grade, float(pd), float(score), *texts, *[""] * (3 - len(texts))],
                           ws))
        count += 1
    scale = wb.create_sheet(_("主标尺"))
    scale.append(safe_row([_("等级"), _("违约概率（含）"), _("至（不含）"), _("企业数")], scale))
    for s in grade_distribution(run):
        scale.append(safe_row([s["grade"], s["pd_from"], s["pd_to"], s["count"]], scale))
    feats = wb.create_sheet(_("入模特征"))
    feats.append(safe_row([_("特征"), _("名称")], feats))
    for name in run.model.features:
        feats.append(safe_row([name, feature_label(name)], feats))
    out = io.BytesIO()
    wb.save(out)
    audit_record(actor=user, action=AuditAction.EXPORT, instance=run,
                 context={"format": "xlsx", "count": count})
    return out.getvalue(), count
