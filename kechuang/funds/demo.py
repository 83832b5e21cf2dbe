"""The funds' demo step: the built-in programmes, a SYNTHETIC default on one guaranteed demo loan,
claims proposed from the demo marketplace's facts (免申即享) and taken through the workflow by the
demo officers, so every funds page has items on the demo region. Idempotent: a second run changes
nothing. Claims are flagged ``is_synthetic``."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from kechuang.marketplace import choices as mc
from kechuang.marketplace import services as ms
from kechuang.marketplace.models import Leg

from . import services as s
from .models import Claim, Programme


def demo_funds(*, progress) -> dict:
    if Claim.objects.filter(is_synthetic=True).exists():
        return {"skipped": "already loaded"}
    User = get_user_model()
    users = {u.username: u for u in User.objects.filter(username__in=["regulator", "officer", "guarantor"])}
    if len(users) < 3:
        return {"skipped": "demo users missing"}
    s.programmes_sync(actor="command:demo")
    # A synthetic default: the guarantor books a loss on one guaranteed demo loan (30% of it).
    leg = (Leg.objects.filter(kind=mc.LegKind.GUARANTEE, state=mc.LegState.APPROVED,
                              request__state=mc.RequestState.DISBURSED, provider=users["guarantor"].organization)
           .select_related("request").order_by("pk").first())
    if leg is not None:
        loss = (leg.request.approved_amount * Decimal("0.3")).quantize(Decimal("0.01"))
        ms.leg_default_book(leg=leg, loss=loss, actor=users["guarantor"])
    year = timezone.localdate().year
    proposed = []
    for prog in Programme.objects.filter(is_active=True).order_by("code"):
        if prog.budgets.filter(year=year).exists():
            proposed += s.claims_propose(programme=prog, year=year, actor="command:demo", is_synthetic=True)
    officer, regulator = users["officer"], users["regulator"]
    # The workflow: the loss compensation paid (the dashboard's leverage), then of the interest
    # claims some paid, one declined, some approved or reviewed, the rest waiting in the queue.
    proposed.sort(key=lambda cl: (cl.programme.basis != "principal_loss", cl.pk))
    for i, claim in enumerate(proposed):
        if i % 4 == 3:
            continue
        s.claim_review(claim=claim, actor=officer, note="材料与平台数据一致（演示）")
        if i % 4 == 2:
            continue
        if i == 5:
            s.claim_decide(claim=claim, approve=False, actor=regulator, reason="贷款用途不属于支持范围（演示）")
            continue
        s.claim_decide(claim=claim, approve=True, actor=regulator)
        if i % 4 == 0:
            s.claim_pay(claim=claim, actor=officer, reference=f"演示拨付-{year}-{claim.pk:04d}")
    return {"programmes": Programme.objects.count(), "claims": len(proposed), "loss_booked": leg is not None}
