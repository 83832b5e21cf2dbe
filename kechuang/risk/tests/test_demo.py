"""The demo step gives every risk page real items on the demo region, once."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from kechuang.demo.services import demo_load
from kechuang.marketplace.models import Leg
from kechuang.risk.demo import demo_risk
from kechuang.risk.models import BacktestReport, EnterpriseWarning, RiskCase, WarningResponse, WarningRun

pytestmark = pytest.mark.django_db


def test_demo_runs_twice_with_a_payout_between_then_stops():
    demo_load(n=80)
    first, second = WarningRun.objects.order_by("pk")
    assert (first.is_synthetic, second.is_synthetic, second.previous) == (True, True, first)
    # the guarantee paid out between the runs: its enterprise is red on the marketplace signal
    # (other demo steps may book a loss before the first run: the one between the runs is answered)
    eid = WarningResponse.objects.get().warning.enterprise_id
    leg = Leg.objects.get(state="defaulted", request__demand__enterprise_id=eid)
    w = EnterpriseWarning.objects.get(run=second, enterprise_id=eid)
    assert (w.level, w.levels["market_default"]) == ("red", "red")
    assert w.change in ("new", "escalated")
    assert [e["ident"] for e in w.evidence if e["signal"] == "market_default"] == [f"leg-{leg.pk}"]
    assert second.change_counts["new"] + second.change_counts["escalated"] == 1
    assert WarningResponse.objects.get().warning == w
    assert sorted(RiskCase.objects.values_list("status", flat=True)) == ["closed", "open", "open"]
    assert BacktestReport.objects.get().report["holdout"]["enterprises"] == 5000
    assert demo_risk() == {"skipped": "already done"}
    assert WarningRun.objects.count() == 2
    # the bank sees its portfolio with the warned enterprise and its exposure
    c = Client()
    c.force_login(get_user_model().objects.get(username="bank"))
    body = c.get(reverse("risk:portfolio")).content.decode()
    assert w.enterprise.name in body and "红色预警" in body
