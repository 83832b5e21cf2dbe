"""Excel export of a rating run's results (what a regulator files or forwards), audited."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook

from kechuang.core.choices import AuditAction
from kechuang.core.services import audit_record

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
        ws.append([_("合成数据（非真实企业、非真实违约），仅供演示")])
    ws.append([_(h) for h in HEADERS])
    count = 0
    qs = results_for(user, run).order_by("-pd", "enterprise_id").values_list(
        "enterprise__uscc", "enterprise__name", "region_code", "grade", "pd", "score", "reasons")
    for uscc, name, region, grade, pd, score, reasons in qs.iterator(chunk_size=2000):
        texts = [r["text"] for r in reasons][:3]
        ws.append([uscc, name, region, grade, float(pd), float(score), *texts, *[""] * (3 - len(texts))])
        count += 1
    scale = wb.create_sheet(_("主标尺"))
    scale.append([_("等级"), _("违约概率（含）"), _("至（不含）"), _("企业数")])
    for s in grade_distribution(run):
        scale.append([s["grade"], s["pd_from"], s["pd_to"], s["count"]])
    feats = wb.create_sheet(_("入模特征"))
    feats.append([_("特征"), _("名称")])
    for name in run.model.features:
        feats.append([name, feature_label(name)])
    out = io.BytesIO()
    wb.save(out)
    audit_record(actor=user, action=AuditAction.EXPORT, instance=run,
                 context={"format": "xlsx", "count": count})
    return out.getvalue(), count
