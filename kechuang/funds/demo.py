"""The funds' demo step: the built-in programmes; the demo loans' disbursements dated back over the
past year (the marketplace demo disburses "today", which would give days of interest); SYNTHETIC
monthly repayment records reported by the demo bank for every other disbursed loan, so claims show
both the bank-reported interest and the contract estimate (one record with penalty interest,
explained and flagged); a SYNTHETIC default on one guaranteed demo loan; claims proposed from the
demo marketplace's facts (免申即享) and taken through the workflow by the demo officers, so every
funds page has items on the demo region. Idempotent: a second run changes nothing. Claims and
records are flagged ``is_synthetic``."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_DOWN, Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from kechuang.marketplace import choices as mc
from kechuang.marketplace import services as ms
from kechuang.marketplace.models import FinancingRequest, Leg
from kechuang.engine.funds import add_months

from . import services as s
from . import choices as c
from .models import Claim, Programme
from .services_repayments import repayment_record


def demo_funds(*, progress) -> dict:
    if Claim.objects.filter(is_synthetic=True).exists():
        return {"skipped": "already loaded"}
    User = get_user_model()
    users = {u.username: u for u in User.objects.filter(username__in=["regulator", "officer", "guarantor"])}
    if len(users) < 3:
        return {"skipped": "demo users missing"}
    s.programmes_sync(actor="command:demo")
    today = timezone.localdate()
    _own_loans(users_bank())
    loans = _backdate_disbursements(today)
    records = _demo_repayments(loans, users_bank(), today)
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
    return {"programmes": Programme.objects.count(), "claims": len(proposed), "loss_booked": leg is not None,
            "loans_backdated": len(loans), "repayments": records}


def users_bank():
    return get_user_model().objects.filter(username="bank").first()


def _own_loans(bank) -> int:
    """Two SYNTHETIC disbursed loans of the demo enterprise login (the marketplace demo may leave
    it without one), so its 可享政策 shows a loan on reported interest and one on the estimate.
    Skipped quietly when no demo product fits."""
    from django.core.exceptions import ValidationError

    from kechuang.marketplace.models import Product

    ent_user = get_user_model().objects.filter(username="enterprise").select_related("organization").first()
    ent = getattr(getattr(ent_user, "organization", None), "enterprise", None)
    if bank is None or ent is None:
        return 0
    product = (Product.objects.filter(institution=bank.organization, kind=mc.ProductKind.LOAN, is_synthetic=True,
                                      needs_guarantee=False).order_by("amount_min", "pk").first())
    if product is None:
        return 0
    made = 0
    for _k in range(2):
        try:
            d = ms.demand_post(enterprise=ent, kind="debt", amount=product.amount_min, purpose="rd",
                               term_months=max(product.term_min_months, 12), actor=ent_user, is_synthetic=True,
                               purpose_note="合成演示需求（synthetic）")
            r = ms.request_apply(demand=d, product=product, actor=ent_user)
            r = ms.request_pick_up(request=r, actor=bank)
            r = ms.request_review(request=r, actor=bank)
            r = ms.request_decide(request=r, approve=True, amount=product.amount_min, rate=product.rate, actor=bank)
            r = ms.request_contract(request=r, actor=bank)
            ms.request_disburse(request=r, actor=bank)
            FinancingRequest.objects.filter(pk=r.pk).update(is_synthetic=True)
            made += 1
        except ValidationError:
            break
    return made


def _backdate_disbursements(today: dt.date) -> list[FinancingRequest]:
    """Date the demo's disbursed loans (disbursed "today" by the marketplace demo) back over the
    past ~13 months, spread so most still run in the current year: a funds dashboard with a
    year's interest, not a day's. Only loans disbursed today and flagged synthetic are moved."""
    loans = list(FinancingRequest.objects.filter(state=mc.RequestState.DISBURSED, is_synthetic=True,
                                                 product__kind=mc.ProductKind.LOAN, disbursed_at__date=today)
                 .select_related("demand", "product").order_by("pk"))
    for i, r in enumerate(loans):
        days = 40 + (i * 47) % 360
        r.disbursed_at = r.disbursed_at - dt.timedelta(days=days)
        FinancingRequest.objects.filter(pk=r.pk).update(disbursed_at=r.disbursed_at)
    return loans


def _demo_repayments(loans: list[FinancingRequest], bank, today: dt.date) -> int:
    """SYNTHETIC monthly interest (and principal at maturity) for every other loan, recorded by the
    loan's bank through the audited service; one penalty-interest record explained and flagged."""
    n, flagged = 0, False
    for i, r in enumerate(loans):
        if i % 2 or bank is None or r.institution_id != bank.organization_id:
            continue
        start = timezone.localdate(r.disbursed_at)
        principal = r.approved_amount or r.demand.amount
        rate = Decimal(str(r.approved_rate or r.product.rate or 0))
        maturity = add_months(start, r.demand.term_months or 12)
        prev, k = start, 1
        while True:
            day = min(add_months(start, k), maturity)
            if day > today:
                break
            share = Decimal("0.97") + Decimal(k % 4) / 100  # SYNTHETIC: a little below the contract
            interest = (principal * rate * (day - prev).days / 365 * share).quantize(Decimal("0.01"), ROUND_DOWN)
            repaid = principal if day == maturity else Decimal(0)
            repayment_record(actor=bank, loan_id=r.pk, paid_on=day, principal_repaid=repaid, interest_paid=interest,
                             note="合成演示数据（synthetic）", source=c.RepaymentSource.DEMO, today=today,
                             is_synthetic=True)
            n += 1
            if day == maturity:
                break
            prev, k = day, k + 1
        if not flagged and start < prev < today:
            due = principal * rate * (today - start).days / 365
            repayment_record(actor=bank, loan_id=r.pk, paid_on=today, interest_paid=(due * Decimal("0.8")).quantize(
                Decimal("0.01"), ROUND_DOWN), explanation="含逾期罚息与复利（演示）", note="合成演示数据（synthetic）",
                source=c.RepaymentSource.DEMO, today=today, is_synthetic=True)
            n, flagged = n + 1, True
    return n
