"""The demo step: the real plans of ``data/`` (public documents, not synthetic) loaded through the
app's own import, and two of their indicators linked to the platform's live metrics of the same
measure, as a regulator would link them. Running it again changes nothing."""

from __future__ import annotations

from .models import Indicator
from .selectors import live_metric_registry
from .services import indicator_live_link, reference_import

#: Indicator name in the plans → the live metric of the same measure.
DEMO_LINKS = {"技术合同成交额": "tech_contract_turnover", "纳入上市后备资源库企业": "listing.reserve_enterprises"}


def load_reference_plans(*, progress=None) -> dict:
    out = reference_import(actor="demo:targets")
    registry = live_metric_registry()
    for name, code in DEMO_LINKS.items():
        if code not in registry:
            continue
        for ind in Indicator.objects.filter(name=name).exclude(live_code=code):
            indicator_live_link(indicator=ind, live_code=code, actor="demo:targets")
    return out
