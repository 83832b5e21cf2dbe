"""Excel export of a points run (the results the user may see), audited; every row goes through
``safe_row`` so an enterprise name can never run as a formula."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook

from kechuang.accounts.access import VIEW
from kechuang.core.choices import AuditAction
from kechuang.core.services import audit_record
from kechuang.engine.facts.writers import safe_row

from .models import PointsResult, PointsRun
from .selectors import band_label, engine_model, indicator_label, stage_label

HEADERS = ("统一社会信用代码", "企业名称", "区划代码", "发展阶段", "创新积分", "档位", "阶段内区县排名",
           "同组企业数", "积分变化", "拉升指标", "拖累指标", "进入下一档还差")


def run_results_xlsx(*, run: PointsRun, user) -> tuple[bytes, int]:
    model = engine_model(run.model)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("创新积分"))
    if run.is_synthetic:
        ws.append(safe_row([_("合成数据（非真实企业），仅供演示")], ws))
    ws.append(safe_row([_(h) for h in HEADERS], ws))
    count = 0
    qs = (PointsResult.objects.restrict(user, VIEW).filter(run=run).order_by("-points", "enterprise_id")
          .values_list("enterprise__uscc", "enterprise__name", "region_code", "stage", "points", "band", "rank",
                       "peers", "movement", "lifts", "drags", "next_band"))
    for uscc, name, region, stage, points, band, rank, peers, movement, lifts, drags, nxt in qs.iterator(chunk_size=2000):
        ws.append(safe_row([uscc, name, region, stage_label(model, stage), float(points), band_label(model, band),
                            rank, peers, None if movement is None else float(movement),
                            "、".join(indicator_label(model, i) for i in lifts),
                            "、".join(indicator_label(model, i) for i in drags),
                            (nxt or {}).get("gap")], ws))
        count += 1
    w = wb.create_sheet(_("指标与权重"))
    w.append(safe_row([_("一级指标"), _("二级指标"), _("公式"), *[stage_label(model, s) for s in model.stage_ids],
                       _("权重状态"), _("依据")], w))
    for ind in model.indicators:
        group = next(g for g in model.groups if g.id == ind.group)
        w.append(safe_row([group.label, ind.label, ind.formula.text,
                           *[round(model.effective_weight(ind, s), 4) for s in model.stage_ids],
                           _("官方") if ind.weight_status == "official" else _("暂定"), ind.source], w))
    out = io.BytesIO()
    wb.save(out)
    audit_record(actor=user, action=AuditAction.EXPORT, instance=run, context={"format": "xlsx", "count": count})
    return out.getvalue(), count
