"""The risk app's demo step: warnings for the demo region (SYNTHETIC data), a guarantee paid out on
the platform between two runs (so the second shows what changed), an institution's response,
cases (one open, one closed) and the backtest. Idempotent: a second run changes nothing."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from kechuang.marketplace.choices import LegKind, LegState, RequestState
from kechuang.marketplace.models import Leg
from kechuang.marketplace.services import leg_default_book

from . import choices as c
from .models import EnterpriseWarning, WarningRun
from .selectors import assignee_candidates
from .services import (backtest_run, case_action_add, case_close, case_open, warning_respond, warning_run_create,
                       warning_run_execute)

DEMO_ACTOR = "demo:risk"
DEMO_REGION = "370100"
DEMO_BACKTEST_N = 5000


def _run(today):
    run = warning_run_create(as_of=today, region_code=DEMO_REGION, actor=DEMO_ACTOR, is_synthetic=True)
    return warning_run_execute(run=run, actor=DEMO_ACTOR)


def demo_risk(*, progress=None) -> dict:
    if WarningRun.objects.filter(is_synthetic=True).exists():
        return {"skipped": "already done"}
    users = {u.username: u for u in get_user_model().objects.filter(
        username__in=["bank", "guarantor", "officer", "agency"]).select_related("organization")}
    today = timezone.localdate()
    first = _run(today)
    if first.enterprises_total == 0:
        return {"skipped": "no demo enterprises"}
    # a guarantee paid out on the platform (synthetic): the second run shows it as a red warning
    leg = (Leg.objects.filter(kind=LegKind.GUARANTEE, state=LegState.APPROVED,
                              request__state=RequestState.DISBURSED, request__is_synthetic=True)
           .select_related("request").order_by("pk").first())
    if leg is not None and "guarantor" in users:
        loss = (leg.covered_amount or leg.request.approved_amount) / 2
        leg_default_book(leg=leg, loss=loss.quantize(Decimal("0.01")), actor=users["guarantor"])
    second = _run(today)
    out = {"runs": [first.pk, second.pk], "levels": second.level_counts, "changes": second.change_counts}
    warned = EnterpriseWarning.objects.filter(run=second, level_rank__gt=0).select_related("enterprise")
    if leg is not None and "bank" in users:
        w = warned.filter(enterprise_id=leg.request.demand.enterprise_id).first()
        if w is not None:
            warning_respond(warning=w, action=c.ResponseAction.VISIT, actor=users["bank"],
                            note="已上门核实经营情况，担保代偿后协商还款安排（演示）")
    officer = users.get("officer")
    cases = []
    if officer is not None:
        for w in warned.order_by("-level_rank", "enterprise__name")[:3]:
            candidates = assignee_candidates(w)
            assignee = next((u for u in candidates if u.username == "agency"), officer if officer in candidates else None)
            if assignee is None:
                continue
            case = case_open(warning=w, assignee=assignee, deadline=today + timedelta(days=30), actor=officer,
                             plan="约谈企业负责人，梳理债务；协调承贷银行续贷或应急转贷（演示）", is_synthetic=True)
            case_action_add(case=case, kind=c.ActionKind.CONTACT, party=c.Party.ENTERPRISE, contact="企业财务负责人",
                            note="电话了解资金缺口与还款计划（演示）", actor=assignee,
                            due_on=today + timedelta(days=7))
            cases.append(case)
        if cases:
            case_close(case=cases[-1], outcome=c.Outcome.BRIDGE_LOAN, note="应急转贷资金到位，逾期已结清（演示）",
                       actor=officer)
    out["cases"] = [x.pk for x in cases]
    out["backtest"] = backtest_run(actor=DEMO_ACTOR, n=DEMO_BACKTEST_N).pk
    return out
