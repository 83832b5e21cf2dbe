"""The demo tells a coherent story: every demo login's workbench has real (synthetic) items, the
marketplace's enterprises are spread over the districts, and the 金融辅导员 has escalated requests.
Before: every marketplace enterprise sat in 历下区 and the advisor's escalated list was empty."""

from collections import Counter
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from kechuang.core.models import AuditEntry
from kechuang.demo.services import demo_load
from kechuang.evaluation.models import EvaluationResult, EvaluationRun, TierPlacement
from kechuang.marketplace.models import Demand, FinancingRequest
from kechuang.targets.selectors import live_metric, live_metric_registry
from kechuang.workbench import selectors as wb

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    return demo_load(n=240)


def _bench(username: str) -> tuple[str, dict]:
    user = get_user_model().objects.get(username=username)
    role = wb.role_of(user)
    return role, wb.workbench(user, role)


def test_the_marketplace_enterprises_are_spread_and_the_advisor_has_escalated_requests(demo):
    districts = Counter(Demand.objects.filter(is_synthetic=True).values_list("enterprise__region_code", flat=True))
    assert len(districts) >= 8, districts
    assert max(districts.values()) <= 6, districts
    assert demo["steps"]["kechuang.marketplace.demo.demo_escalations"] == {"escalated": 3}
    role, bench = _bench("agency")
    assert role == "advisor"
    assert len(bench["escalated"]) == 3
    assert all(row["clock"].overdue for row in bench["escalated"])
    escalated = FinancingRequest.objects.filter(escalated_to__username="agency")
    assert AuditEntry.objects.filter(object_type="marketplace.financingrequest",
                                     object_id__in=[str(pk) for pk in escalated.values_list("pk", flat=True)],
                                     context__demo="synthetic request dated back").count() == 3


#: (login, workbench role, lists that must not be empty)
BENCHES = [
    ("regulator", "regulator", ["late"]),
    ("lixia", "district", ["late"]),
    ("bank", "bank", ["queue", "held", "legs", "decisions"]),
    ("guarantor", "guarantor", ["legs"]),
    ("insurer", "insurer", ["legs"]),
    ("investor", "investor", ["queue", "roadshows", "followups"]),
    ("agency", "advisor", ["assignments", "escalated", "requests"]),
    ("enterprise", "enterprise", ["demands", "consents"]),
]


def test_every_demo_workbench_has_real_items(demo):
    assert {u for u, _r, _l in BENCHES} | {"officer", "kejiju", "admin"} == {login.username for login in demo["users"]}
    problems = {}
    for username, role, lists in BENCHES:
        got_role, bench = _bench(username)
        empty = [name for name in lists if not bench[name]]
        if role in ("regulator", "district"):
            figures = {f["code"]: f["value"] for f in bench["figures"]}
            empty += [code for code in ("enterprises", "open_demands", "active_requests") if not figures[code]]
            empty += [p["code"] for p in bench["pools"] if p["code"] != "roadshows" and not p["value"]]
        if got_role != role or empty:
            problems[username] = (got_role, empty)
    assert problems == {}


def test_the_cockpit_shows_the_srdi_candidates_the_engine_can_vouch_for(demo):
    """专精特新 / 小巨人 give ``met`` only after a person's review, so the confirmed share is 0 on the
    demo; the objective share counts the enterprises meeting every objective condition."""
    today = timezone.localdate()
    registry = live_metric_registry()
    assert "tiers.srdi_or_above_objective_share" in registry
    confirmed = live_metric("tiers.srdi_or_above_share", region_code="370100", start=today, end=today)
    objective = live_metric("tiers.srdi_or_above_objective_share", region_code="370100", start=today, end=today)
    run = EvaluationRun.objects.get()
    srdi = EvaluationResult.objects.filter(run=run, standard__in=["srdi-sme", "little-giant"],
                                           status__in=["met", "manual_review"])
    assert confirmed[0] == 0
    assert objective == (Decimal(srdi.values("enterprise_id").distinct().count()),
                         Decimal(TierPlacement.objects.filter(run=run).count()))
    assert objective[0] > 0
