"""Live metrics (exact values on a small scripted history) and the demo step (idempotent, synthetic)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.utils import timezone
from django.utils.module_loading import import_string

from kechuang.accounts.choices import OrganizationKind as K
from kechuang.core.progress import NullProgress
from kechuang.marketplace import metrics as m
from kechuang.marketplace import services as s
from kechuang.marketplace.models import Demand, FinancingRequest, Product

from .factories import enterprise, institution, loan_product

pytestmark = pytest.mark.django_db


def test_metrics_on_a_scripted_history():
    bank, bu = institution(K.BANK, "银行甲")
    ent, eu = enterprise(1)
    ent2, eu2 = enterprise(2, region="370112")
    p = loan_product(bank, bu)
    d1 = s.demand_post(enterprise=ent, kind="debt", amount="1000000", term_months=12, purpose="rd", actor=eu)
    d2 = s.demand_post(enterprise=ent2, kind="debt", amount="500000", term_months=12, purpose="rd", actor=eu2)
    s.demand_post(enterprise=ent2, kind="debt", amount="90000000", term_months=12, purpose="rd", actor=eu2)  # fits nothing
    r1 = s.demand_grab(demand=d1, product=p, actor=bu)
    r1 = s.request_review(request=r1, actor=bu)
    r1 = s.request_decide(request=r1, approve=True, amount="800000", actor=bu)
    r1 = s.request_contract(request=r1, actor=bu)
    s.request_disburse(request=r1, actor=bu)
    r2 = s.demand_grab(demand=d2, product=p, actor=bu)
    r2 = s.request_review(request=r2, actor=bu)
    s.request_decide(request=r2, approve=False, reason="资料不全", actor=bu)
    today = timezone.localdate()
    kw = dict(region_code="370100", start=today - timedelta(days=1), end=today)
    assert m.demands_posted(**kw) == (Decimal(3), None)
    assert m.demands_matched(**kw) == (Decimal(1), None)
    assert m.credit_granted_amount(**kw) == (Decimal("800000.00"), None)
    assert m.enterprises_on_platform(**kw) == (Decimal(2), None)
    assert m.pickup_rate(**kw) == (Decimal(2), Decimal(3))
    assert m.approval_rate(**kw) == (Decimal(1), Decimal(2))
    assert m.reasonable_demand_satisfaction(**kw) == (Decimal(1), Decimal(2))
    # district 370112 only: one demand that fits, one that does not
    assert m.demands_posted(region_code="370112", start=kw["start"], end=today) == (Decimal(2), None)
    # a period before anything happened
    assert m.demands_posted(region_code="370100", start=today - timedelta(days=30), end=today - timedelta(days=2)) == (
        Decimal(0), None)
    rows = {r["key"]: r for r in m.breakdown(by="district", **kw)}
    assert rows["370102"]["disbursed_amount"] == Decimal("800000.00") and rows["370112"]["approval_rate"] == 0.0
    assert [r["key"] for r in m.breakdown(by="institution", **kw)] == ["银行甲"]


def test_live_metrics_declared_for_targets_resolve_and_have_the_contract():
    cfg = apps.get_app_config("marketplace")
    for code in ("roadshows_held", "credit_granted_amount", "demands_matched", "pickup_rate", "advisor_visits"):
        fn = import_string(cfg.live_metrics[code])
        num, den = fn(region_code="370100", start=timezone.localdate(), end=timezone.localdate())
        assert isinstance(num, Decimal) and (den is None or isinstance(den, Decimal))


def test_demo_step_is_synthetic_and_idempotent():
    from kechuang.demo.services import demo_load
    out = demo_load(n=120)
    step = out["steps"]["kechuang.marketplace.demo.demo_marketplace"]
    assert step["products"] == 8 and step["demands"] == 40
    counts = (Product.objects.count(), Demand.objects.count(), FinancingRequest.objects.count())
    assert Product.objects.filter(is_synthetic=False).count() == 0
    assert Demand.objects.exclude(is_synthetic=True).filter(roadshow__isnull=True).count() == 0
    assert FinancingRequest.objects.filter(state="disbursed").exists()
    again = import_string("kechuang.marketplace.demo.demo_marketplace")(progress=NullProgress())
    assert again == {"skipped": "already loaded"}
    assert (Product.objects.count(), Demand.objects.count(), FinancingRequest.objects.count()) == counts
