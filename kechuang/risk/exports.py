"""The XLSX export of a warning run: one row per warning the user may see, with the signals that
fired and the evidence, every cell written through ``safe_cell``."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook

from kechuang.core.formatting import region_name
from kechuang.core.choices import AuditAction
from kechuang.core.services import audit_record
from kechuang.engine.facts.writers import safe_row

from . import choices as c
from .models import WarningRun
from .present import signal_labels
from .selectors import warnings_for


def run_warnings_xlsx(*, run: WarningRun, user) -> bytes:
    """The run's warnings the user may see as an XLSX workbook; the export is audited."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("预警"))
    if run.is_synthetic:
        ws.append(safe_row([_("合成数据（非真实企业），仅供演示")], ws))
    labels = signal_labels(run.rules)
    ws.append(safe_row([_("统一社会信用代码"), _("企业名称"), _("区县"), _("行业代码"), _("预警等级"), _("上次等级"), _("变动"),
               _("触发信号"), _("证据"), _("日期晚于基准日的数据"), _("违约概率")], ws))
    n = 0
    for w in warnings_for(user, run).order_by("-level_rank", "enterprise__name").iterator(chunk_size=2000):
        fired = "；".join(f"{labels.get(k, k)}：{c.Level(v).label}" for k, v in w.levels.items() if v != "none")
        evidence = "；".join(f"{e.get('ident')} {e.get('date') or ''} {e.get('source') or ''}".strip()
                            for e in w.evidence)
        row = [w.enterprise.uscc, w.enterprise.name, region_name(w.region_code), w.industry_code,
               str(c.Level(w.level).label), str(c.Level(w.previous_level).label), str(c.Change(w.change).label),
               fired, evidence, len(w.future), None if w.pd is None else float(w.pd)]
        ws.append(safe_row(row, ws))
        n += 1
    ws2 = wb.create_sheet(_("说明"))
    ws2.append(safe_row([_("预警基准日"), run.as_of.isoformat()], ws2))
    ws2.append(safe_row([_("区划"), region_name(run.region_code)], ws2))
    ws2.append(safe_row([_("规则版本"), run.rules_version], ws2))
    audit_record(actor=user, action=AuditAction.EXPORT, instance=run, context={"rows": n})
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
