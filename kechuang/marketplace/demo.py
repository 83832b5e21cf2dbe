"""The marketplace's demo step: SYNTHETIC products, demands, requests, pools and roadshows for the
demo organisations (run after the demo enterprises are loaded; idempotent — a second run changes
nothing). Every row is flagged ``is_synthetic`` and named （演示）/ synthetic."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from kechuang.core.choices import AuditAction
from kechuang.core.services import audit_record, model_snapshot
from kechuang.engine.matching import evaluate, load_eligibility
from kechuang.enterprises.demo import demo_enterprises

from . import choices as c
from . import services as s
from .models import AdvisorAssignment, FinancingRequest, Product
from .selectors import enterprise_features

TITLES = [{"id": "titles", "kind": "any_of", "title": "科技企业资质（任一）", "clauses": [
    {"id": "hnte", "kind": "condition", "title": "高新技术企业", "feature": "hnte", "op": "is_true"},
    {"id": "srdi", "kind": "condition", "title": "专精特新中小企业", "feature": "srdi_sme", "op": "is_true"},
    {"id": "tsme", "kind": "condition", "title": "科技型中小企业", "feature": "tsme", "op": "is_true"}]}]
JINAN = {"id": "jinan", "kind": "condition", "title": "注册在济南市", "feature": "region_city", "op": "in",
         "value": ["370100"]}
CLEAN = {"id": "clean", "kind": "condition", "title": "无不良记录", "feature": "adverse_count", "op": "==", "value": 0}


def _products(users) -> dict[str, Product]:
    bank, guar, ins, inv = (users[k] for k in ("bank", "guarantor", "insurer", "investor"))
    spec = [
        (bank, "loan", "credit", "科创信用贷（演示）", "100000", "3000000", 3, 12, "0.0365", [JINAN, *TITLES, CLEAN], {}),
        (bank, "loan", "ip_pledge", "知识产权质押贷（演示）", "500000", "10000000", 6, 36, "0.0395",
         [JINAN, {"id": "ip", "kind": "condition", "title": "拥有Ⅰ类知识产权", "feature": "ip_class1_count", "op": ">=",
                  "value": 1}], {"needs_guarantee": True}),
        (bank, "loan", "first_loan", "首贷通（演示）", "100000", "2000000", 6, 24, "0.0345",
         [JINAN, {"id": "size", "kind": "condition", "title": "小微企业", "feature": "size", "op": "in",
                  "value": ["micro", "small"]}], {}),
        (bank, "loan", "srdi", "专精特新贷（演示）", "1000000", "20000000", 12, 36, "0.0380",
         [{"id": "srdi", "kind": "any_of", "title": "专精特新或小巨人", "clauses": [
             {"id": "s1", "kind": "condition", "title": "专精特新中小企业", "feature": "srdi_sme", "op": "is_true"},
             {"id": "s2", "kind": "condition", "title": "专精特新“小巨人”", "feature": "little_giant", "op": "is_true"}]}],
         {}),
        (guar, "guarantee", "financing_guarantee", "科技担保（演示）", "100000", "10000000", 3, 36, "0.0100",
         [JINAN, CLEAN], {}),
        (ins, "insurance", "loan_insurance", "贷款保证保险（演示）", "100000", "5000000", 3, 24, "0.0150", [JINAN], {}),
        (ins, "insurance", "patent_enforcement", "专利执行险（演示）", "100000", "2000000", 12, 36, "0.0200",
         [{"id": "ip", "kind": "condition", "title": "拥有知识产权", "feature": "ip_total_count", "op": ">=", "value": 1}], {}),
        (inv, "equity", "venture", "科创早期基金投资意向（演示）", "2000000", "30000000", None, None, None, TITLES,
         {"stages": ["early", "growth"]}),
    ]
    out = {}
    for user, kind, cat, name, lo, hi, tmin, tmax, rate, elig, extra in spec:
        out[name] = s.product_create(institution=user.organization, kind=kind, category=cat, name=name,
                                     amount_min=lo, amount_max=hi, term_min_months=tmin, term_max_months=tmax,
                                     rate=rate, eligibility=elig, actor=user, is_synthetic=True,
                                     description="合成演示产品（synthetic）", **extra)
    return out


def demo_marketplace(*, progress) -> dict:
    """Synthetic marketplace activity for the demo logins (bank, guarantor, insurer, investor,
    agency, enterprise, regulator)."""
    if Product.objects.filter(is_synthetic=True).exists():
        return {"skipped": "already loaded"}
    User = get_user_model()
    users = {u.username: u for u in User.objects.filter(
        username__in=["bank", "guarantor", "insurer", "investor", "agency", "enterprise", "regulator", "officer"])
        .select_related("organization")}
    if len(users) < 8:
        return {"skipped": "demo users missing"}
    rng = random.Random(20221)
    ents = demo_enterprises(80)  # spread over the districts: each district regulator sees activity
    if not ents:
        return {"skipped": "no demo enterprises"}
    agency, officer, bank = users["agency"], users["officer"], users["bank"]
    with transaction.atomic():
        products = _products(users)
        loans = [p for p in products.values() if p.kind == "loan"]
        for e in ents[:40]:
            s.advisor_assign(enterprise=e, advisor=agency, actor=agency, team="金融辅导一队（演示）", is_synthetic=True)
        own = users["enterprise"].organization.enterprise
        demands = []
        for i, e in enumerate(ents[:40]):
            actor = users["enterprise"] if e.pk == own.pk else agency
            equity = i % 7 == 3
            amount = Decimal(rng.choice([300000, 500000, 800000, 1000000, 2000000, 5000000]))
            demands.append(s.demand_post(
                enterprise=e, kind="equity" if equity else "debt", amount=amount * (5 if equity else 1),
                term_months=None if equity else rng.choice([6, 12, 24]), purpose=rng.choice(c.Purpose.values),
                collateral=rng.choice(c.Collateral.values), purpose_note="合成演示需求（synthetic）",
                actor=actor, is_synthetic=True, prefill=enterprise_features(e)))
        held = 0
        for i, d in enumerate(demands):
            if d.kind == "equity" or i % 5 == 4:
                continue  # left open: the queue has something to grab
            fitting = [p for p in loans if _fits(d, p)]
            if not fitting:
                continue
            p = fitting[0]
            r = s.demand_grab(demand=d, product=p, actor=bank)
            held += 1
            if i % 3 == 0:
                continue
            r = s.request_review(request=r, actor=bank)
            if i % 6 == 1:
                s.request_decide(request=r, approve=False, reason="经营现金流不足以覆盖还款（演示）", actor=bank)
                continue
            r = s.request_decide(request=r, approve=True, amount=d.amount, rate=p.rate, actor=bank)
            if p.needs_guarantee:
                leg = s.leg_add(request=r, kind="guarantee", provider=users["guarantor"].organization, actor=bank)
                s.leg_decide(leg=leg, approve=True, actor=users["guarantor"])
            r = s.request_contract(request=r, actor=bank)
            s.request_disburse(request=r, actor=bank)
        for e in ents[40:55]:
            s.first_loan_add(enterprise=e, plan="一企一策：梳理知识产权，对接首贷通产品（演示）", bank=bank.organization,
                             actor=officer, is_synthetic=True)
        for e in ents[55:65]:
            s.whitelist_add(enterprise=e, guarantor=users["guarantor"].organization, bank=bank.organization,
                            line_amount=Decimal(rng.choice([1000000, 3000000, 5000000])),
                            valid_until=timezone.localdate() + timedelta(days=365), actor=users["guarantor"],
                            is_synthetic=True)
        for a in list(agency.advisor_assignments.filter(is_active=True))[:25]:
            s.advisor_visit_record(assignment=a, visited_on=timezone.localdate() - timedelta(days=rng.randint(0, 60)),
                                   note="走访了解融资需求（演示）", satisfaction=rng.choice([3, 4, 4, 5, 5]), actor=agency)
        shows = []
        for k in range(3):
            show = s.roadshow_create(title=f"科创企业路演第{k + 1}期（演示）", region_code="370100",
                                     held_on=timezone.localdate() - timedelta(days=30 * (2 - k)), actor=officer,
                                     is_synthetic=True)
            for e in ents[65 + 4 * k:69 + 4 * k]:
                s.roadshow_register(roadshow=show, enterprise=e, actor=officer)
            s.roadshow_register(roadshow=show, investor=users["investor"].organization, actor=users["investor"])
            if k < 2:
                s.roadshow_mark_held(roadshow=show, actor=officer)
            shows.append(show)
        mandate = products["科创早期基金投资意向（演示）"]
        followups = 0
        for reg in shows[0].registrations.filter(role="presenter")[:2]:
            try:
                s.roadshow_follow_up(registration=reg, product=mandate, amount="5000000", actor=users["investor"],
                                     note="路演后跟进（演示）")
                followups += 1
            except ValidationError:  # an enterprise the mandate does not fit is simply not followed up
                continue
    return {"products": len(products), "demands": len(demands), "held": held, "roadshows": len(shows),
            "followups": followups}


def _fits(demand, product) -> bool:
    return (product.amount_min <= demand.amount <= product.amount_max
            and product.term_min_months <= (demand.term_months or 0) <= product.term_max_months
            and _eligible(demand, product))


def _eligible(demand, product) -> bool:
    st, _conds = evaluate(load_eligibility(product.eligibility), demand.prefill)
    return st != 3


def demo_workbench_items(*, progress) -> dict:
    """Give the guarantor's and insurer's workbenches something to decide (synthetic): one request
    the demo bank approved with a pending guarantee leg and a pending insurance leg, and one request
    under review (a decision due). Idempotent: skipped once a synthetic pending leg exists."""
    from .models import Leg

    if Leg.objects.filter(state=c.LegState.PENDING, request__is_synthetic=True).exists():
        return {"skipped": "already loaded"}
    User = get_user_model()
    users = {u.username: u for u in User.objects.filter(username__in=["bank", "guarantor", "insurer"])
             .select_related("organization")}
    if len(users) < 3:
        return {"skipped": "demo users missing"}
    bank = users["bank"]
    picked = list(FinancingRequest.objects.filter(is_synthetic=True, institution=bank.organization,
                                                  state=c.RequestState.PICKED_UP).order_by("pk")[:2])
    if len(picked) < 2:
        return {"skipped": "no picked-up demo requests"}
    with transaction.atomic():
        first, second = picked
        r = s.request_review(request=first, actor=bank)
        r = s.request_decide(request=r, approve=True, amount=r.demand.amount, rate=r.product.rate, actor=bank,
                             reason="批准，待担保与保险确认（演示）")
        s.leg_add(request=r, kind=c.LegKind.GUARANTEE, provider=users["guarantor"].organization, actor=bank)
        s.leg_add(request=r, kind=c.LegKind.INSURANCE, provider=users["insurer"].organization, actor=bank)
        s.request_review(request=second, actor=bank)
    return {"pending_legs": 2, "under_review": 1}


def demo_escalations(*, progress) -> dict:
    """Give the 金融辅导员's escalated list something real (synthetic): the three latest active demo
    requests of enterprises the demo agency advises are dated back as if their current step had
    started three to seven days earlier, so its time limit has passed; then the escalation service
    (the ``marketplace.escalate`` job's) sends them to the advisor. Each back-dating is in the audit
    log, marked as demo data. Idempotent: skipped once a synthetic request is escalated."""
    if FinancingRequest.objects.filter(is_synthetic=True, escalated_at__isnull=False).exists():
        return {"skipped": "already loaded"}
    agency = get_user_model().objects.filter(username="agency").first()
    if agency is None:
        return {"skipped": "demo users missing"}
    advised = AdvisorAssignment.objects.filter(advisor=agency, is_active=True).values("enterprise_id")
    late = list(FinancingRequest.objects.filter(
        is_synthetic=True, state__in=(c.RequestState.PICKED_UP, c.RequestState.UNDER_REVIEW),
        demand__enterprise_id__in=advised, legs__isnull=True).order_by("-pk")[:3])
    if not late:
        return {"skipped": "no active demo requests of advised enterprises"}
    now = timezone.now()
    fields = ["submitted_at", "due_at"]
    with transaction.atomic():
        for k, r in enumerate(late):
            before = model_snapshot(r, fields)
            shift = timedelta(days=3 + 2 * k) + (r.due_at - now if r.due_at and r.due_at > now else timedelta(0))
            r.submitted_at -= shift
            r.due_at = now - timedelta(days=3 + 2 * k)
            r.save(update_fields=fields)
            audit_record(actor="command:demo", action=AuditAction.UPDATE, instance=r, before=before,
                         after=model_snapshot(r, fields), context={"demo": "synthetic request dated back"})
        escalated = s.requests_escalate(actor="command:demo")
    return {"escalated": escalated}
