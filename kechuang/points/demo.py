"""Demo data of the points app (run by ``kechuang demo``): the bundled models registered, the
national model scored for 历下区 (370102, the demo's district login) and then for the whole city —
so the district's enterprises show a *movement* (the same facts normalised against a larger
对照库) — 历城区's own local model scored for 370112, and a 创新积分贷 product in the bank's catalogue that asks for
innovation points. All of it on the synthetic demo enterprises (合成数据)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils import timezone

from kechuang.enterprises.models import Enterprise
from kechuang.marketplace.services import product_create

from .models import PointsModel, PointsRun
from .services import bundled_models_register, points_run_execute

DEMO_ACTOR = "demo:points"
DISTRICT, CITY, LOCAL = "370102", "370100", "370112"
PRODUCT_NAME = "创新积分贷（演示）"


def demo_points(*, progress=None) -> dict:
    if PointsRun.objects.filter(is_synthetic=True).exists():
        return {"skipped": "already done"}
    if not Enterprise.objects.filter(is_synthetic=True, region_code__startswith="3701").exists():
        return {"skipped": "no synthetic demo data"}
    bundled_models_register(actor=DEMO_ACTOR)
    national = PointsModel.objects.get(code="national")
    local = PointsModel.objects.get(code="licheng")
    today = timezone.localdate()
    runs = [points_run_execute(region_code=DISTRICT, as_of=today, actor=DEMO_ACTOR, model=national, is_synthetic=True),
            points_run_execute(region_code=CITY, as_of=today, actor=DEMO_ACTOR, model=national, is_synthetic=True),
            points_run_execute(region_code=LOCAL, as_of=today, actor=DEMO_ACTOR, model=local, is_synthetic=True)]
    bank = get_user_model().objects.filter(username="bank").select_related("organization").first()
    product = None
    if bank is not None and bank.organization is not None:
        product = product_create(
            institution=bank.organization, kind="loan", category="credit", name=PRODUCT_NAME,
            amount_min="100000", amount_max="3000000", term_min_months=6, term_max_months=24, rate="0.0355",
            eligibility=[{"id": "city", "kind": "condition", "title": "注册在济南市", "feature": "region_city",
                          "op": "==", "value": "370100"},
                         {"id": "points", "kind": "condition", "title": "创新积分不低于40分",
                          "feature": "innovation_points", "op": ">=", "value": 40}],
            actor=bank, is_synthetic=True, description="合成演示产品（synthetic）：按企业创新积分准入的信用贷")
    return {"runs": [r.pk for r in runs], "scored": [r.enterprises_total for r in runs],
            "product": product.pk if product else None}
