"""Writes of the marketplace: one function per state change, each one transaction with its audit
entry (``kechuang.core.services.audit_record``) and, for requests, a ``RequestEvent``.

Concurrency: a grab is a conditional UPDATE of the demand (``status = open``); every request
transition locks its row (``select_for_update``) and checks the state inside the transaction; a
partial unique constraint allows one active request per demand, so two grabs never both win.

The checks every write shares are in ``services_checks``; the pools (首贷培植, 白名单, 金融辅导队)
and roadshows in ``services_pools``, re-exported here; the enterprise's rating of a closed request
in ``services_feedback``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kechuang.accounts.access import is_writer
from kechuang.accounts.choices import OrganizationKind
from kechuang.core.choices import AuditAction
from kechuang.core.services import actor_label_for, audit_record, model_snapshot
from kechuang.engine.matching import load_eligibility, match_one, serves
from kechuang.engine.matching.calendar import add_working_days
from kechuang.engine.qualification.errors import RuleError
from kechuang.enterprises.choices import ConsentPurpose
from kechuang.enterprises.models import Consent
from kechuang.enterprises.services import consent_grant

from . import choices as c
from .error_codes import MarketplaceErrorCode as E
from .models import (Demand, FinancingRequest, FirstLoanCandidate, Leg, LossBooking, Product, RequestEvent, Roadshow,
                     RoadshowRegistration)
from .selectors import advisor_of, demand_row, engine_products, enterprise_features, stale_requests
from .services_checks import (CENT, _advisor, _amount, _decimal, _enterprise_actor, _err, _is_staff,  # noqa: F401
                              _regulator_or_agency, _speaks_for, _term, _writer_of)
# The pools and roadshows live in their own module; re-exported so ``services.first_loan_add`` and
# the like keep working for every caller.
from .services_pools import (advisor_assign, advisor_visit_record, first_loan_add, first_loan_update,  # noqa: F401
                             roadshow_create, roadshow_mark_held, roadshow_register, whitelist_add)

CONSENT_DAYS = 180
CONSENT_PURPOSE = {c.ProductKind.LOAN: ConsentPurpose.LOAN_APPLICATION, c.ProductKind.GUARANTEE: ConsentPurpose.GUARANTEE,
                   c.ProductKind.INSURANCE: ConsentPurpose.INSURANCE, c.ProductKind.EQUITY: ConsentPurpose.INVESTMENT}


# ---------------------------------------------------------------------------------------------
# Products


def _product_terms(*, kind, category, amount_min, amount_max, term_min_months, term_max_months, rate, eligibility,
                   sla_pickup_days, sla_decision_days, sla_contract_days, sla_disburse_days) -> dict[str, Any]:
    """A product's checked terms (amounts, terms, rate, service levels, eligibility), else a coded error."""
    lo, hi = _amount(amount_min, "amount_min"), _amount(amount_max, "amount_max")
    if hi < lo:
        raise _err("amount_max", _("最高金额 %(hi)s 低于最低金额 %(lo)s。") % {"hi": hi, "lo": lo}, E.AMOUNT_RANGE)
    needs_term = kind != c.ProductKind.EQUITY
    tmin = _term(term_min_months, "term_min_months", needs_term)
    tmax = _term(term_max_months, "term_max_months", needs_term)
    if tmin is not None and tmax is not None and tmax < tmin:
        raise _err("term_max_months", _("最长期限短于最短期限。"), E.TERM_RANGE)
    if rate not in (None, ""):
        rate = _decimal(rate, "rate", E.RATE_RANGE)
        if not Decimal(0) <= rate <= Decimal("0.36"):
            raise _err("rate", _("年化利率/费率须在 0 至 36%% 之间（收到 %(v)s）。") % {"v": rate}, E.RATE_RANGE)
    else:
        rate = None
    if sla_decision_days is None:
        sla_decision_days = 3 if category == c.ProductCategory.CREDIT else 10
    for field, v in (("sla_pickup_days", sla_pickup_days), ("sla_decision_days", sla_decision_days),
                     ("sla_contract_days", sla_contract_days), ("sla_disburse_days", sla_disburse_days)):
        if not isinstance(v, int) or not 1 <= v <= 60:
            raise _err(field, _("时限须为 1 至 60 个工作日（收到 %(v)s）。") % {"v": v}, E.SLA)
    try:
        load_eligibility(eligibility or [], "eligibility")
    except RuleError as exc:
        raise _err("eligibility", _("准入条件有误：%(p)s") % {"p": "；".join(exc.problems)}, E.BAD_RULE) from None
    return {"amount_min": lo, "amount_max": hi, "term_min_months": tmin, "term_max_months": tmax, "rate": rate,
            "sla_pickup_days": sla_pickup_days, "sla_decision_days": sla_decision_days,
            "sla_contract_days": sla_contract_days, "sla_disburse_days": sla_disburse_days,
            "eligibility": eligibility or []}


def product_create(*, institution, kind: str, category: str, name: str, amount_min, amount_max,
                   term_min_months=None, term_max_months=None, rate=None, eligibility=None, actor,
                   description: str = "", fees: str = "", stages=None, needs_guarantee: bool = False,
                   needs_insurance: bool = False, sla_pickup_days: int = 2, sla_decision_days: int | None = None,
                   sla_contract_days: int = 5, sla_disburse_days: int = 3, is_synthetic: bool = False) -> Product:
    """Publish a product (or an investor's mandate) in ``institution``'s catalogue."""
    _writer_of(actor, institution)
    if kind not in c.ProductKind.values:
        raise _err("kind", _("未知产品类型 %(v)s。") % {"v": kind}, E.WRONG_PUBLISHER)
    if institution.kind != c.PUBLISHER_KINDS[kind]:
        raise _err("kind", _("%(org)s不能发布%(kind)s。") % {"org": institution.get_kind_display(),
                                                          "kind": c.ProductKind(kind).label}, E.WRONG_PUBLISHER)
    terms = _product_terms(kind=kind, category=category, amount_min=amount_min, amount_max=amount_max,
                           term_min_months=term_min_months, term_max_months=term_max_months, rate=rate,
                           eligibility=eligibility, sla_pickup_days=sla_pickup_days,
                           sla_decision_days=sla_decision_days, sla_contract_days=sla_contract_days,
                           sla_disburse_days=sla_disburse_days)
    lo, hi, tmin, tmax, rate = (terms[k] for k in ("amount_min", "amount_max", "term_min_months",
                                                   "term_max_months", "rate"))
    sla_decision_days = terms["sla_decision_days"]
    with transaction.atomic():
        try:
            with transaction.atomic():
                product = Product.objects.create(
                    institution=institution, kind=kind, category=category, name=name, description=description,
                    eligibility=eligibility or [], amount_min=lo, amount_max=hi, term_min_months=tmin,
                    term_max_months=tmax, rate=rate, fees=fees, stages=stages or [], needs_guarantee=needs_guarantee,
                    needs_insurance=needs_insurance, sla_pickup_days=sla_pickup_days,
                    sla_decision_days=sla_decision_days, sla_contract_days=sla_contract_days,
                    sla_disburse_days=sla_disburse_days, is_synthetic=is_synthetic)
        except IntegrityError:  # the unique (institution, name): checked by the constraint, race-free
            raise _err("name", _("本机构已有名为“%(n)s”的产品。") % {"n": name}, "duplicate") from None
        audit_record(actor=actor, action=AuditAction.CREATE, instance=product, after=model_snapshot(product))
    return product


#: What the product page may change after publication (kind and institution never change).
PRODUCT_EDITABLE = ("name", "category", "description", "amount_min", "amount_max", "term_min_months",
                    "term_max_months", "rate", "eligibility", "sla_pickup_days", "needs_guarantee")


def product_update(*, product: Product, actor, **changes) -> Product:
    """Change a published product's terms (``PRODUCT_EDITABLE``), checked as on publication; the
    audit entry keeps the before and after of every field."""
    unknown = set(changes) - set(PRODUCT_EDITABLE)
    if unknown:
        raise _err(None, _("不能修改：%(f)s。") % {"f": "、".join(sorted(unknown))}, E.NOT_EDITABLE)
    _writer_of(actor, product.institution)
    with transaction.atomic():
        product = Product.objects.select_for_update().select_related("institution").get(pk=product.pk)
        merged = {f: changes.get(f, getattr(product, f)) for f in PRODUCT_EDITABLE}
        terms = _product_terms(kind=product.kind, category=merged["category"], amount_min=merged["amount_min"],
                               amount_max=merged["amount_max"], term_min_months=merged["term_min_months"],
                               term_max_months=merged["term_max_months"], rate=merged["rate"],
                               eligibility=merged["eligibility"], sla_pickup_days=merged["sla_pickup_days"],
                               sla_decision_days=product.sla_decision_days,
                               sla_contract_days=product.sla_contract_days,
                               sla_disburse_days=product.sla_disburse_days)
        if merged["category"] not in c.ProductCategory.values:
            raise _err("category", _("未知产品类别 %(v)s。") % {"v": merged["category"]}, E.BAD_VALUE)
        if not str(merged["name"] or "").strip():
            raise _err("name", _("请填写产品名称。"), E.BAD_VALUE)
        before = model_snapshot(product, list(PRODUCT_EDITABLE))
        for f in PRODUCT_EDITABLE:
            setattr(product, f, terms.get(f, merged[f]))
        product.name = str(product.name).strip()
        try:
            with transaction.atomic():
                product.save(update_fields=list(PRODUCT_EDITABLE))
        except IntegrityError:
            raise _err("name", _("本机构已有名为“%(n)s”的产品。") % {"n": product.name}, "duplicate") from None
        audit_record(actor=actor, action=AuditAction.UPDATE, instance=product, before=before,
                     after=model_snapshot(product, list(PRODUCT_EDITABLE)))
    return product


def product_set_active(*, product: Product, active: bool, actor) -> Product:
    _writer_of(actor, product.institution)
    with transaction.atomic():
        product = Product.objects.select_for_update().get(pk=product.pk)
        before = model_snapshot(product, ["is_active"])
        product.is_active = active
        product.save(update_fields=["is_active"])
        audit_record(actor=actor, action=AuditAction.UPDATE, instance=product, before=before,
                     after=model_snapshot(product, ["is_active"]))
    return product


# ---------------------------------------------------------------------------------------------
# Demands


def demand_post(*, enterprise, kind: str, amount, purpose: str, actor, term_months=None,
                collateral: str = c.Collateral.NONE, purpose_note: str = "", equity_share=None,
                roadshow: Roadshow | None = None, is_synthetic: bool = False, prefill: dict | None = None) -> Demand:
    """Post a financing demand for ``enterprise`` (the enterprise itself or its 金融辅导员). What
    the platform knows is pre-filled from the merged facts, the rating and the tier placement."""
    if roadshow is None:
        _speaks_for(actor, enterprise)
    if kind not in c.DemandKind.values:
        raise _err("kind", _("融资方式须为债权或股权。"), E.KIND_MISMATCH)
    amt = _amount(amount)
    term = _term(term_months, "term_months", kind == c.DemandKind.DEBT)
    if purpose not in c.Purpose.values:
        raise _err("purpose", _("未知资金用途 %(v)s。") % {"v": purpose}, "invalid")
    if collateral not in c.Collateral.values:
        raise _err("collateral", _("未知担保方式 %(v)s。") % {"v": collateral}, "invalid")
    share = None
    if equity_share not in (None, ""):
        share = _decimal(equity_share, "equity_share", "invalid")
        if not Decimal(0) < share < Decimal(1):
            raise _err("equity_share", _("拟出让股权比例须在 0 与 1 之间（不含）。"), "invalid")
    facts = prefill if prefill is not None else enterprise_features(enterprise)
    with transaction.atomic():
        demand = Demand.objects.create(
            enterprise=enterprise, posted_by=actor if hasattr(actor, "pk") else None, kind=kind, amount=amt,
            term_months=term, purpose=purpose, purpose_note=purpose_note, collateral=collateral,
            equity_share=share, region_code=enterprise.region_code, prefill=facts, roadshow=roadshow,
            is_synthetic=is_synthetic)
        audit_record(actor=actor, action=AuditAction.CREATE, instance=demand, after=model_snapshot(demand))
    return demand


# ---------------------------------------------------------------------------------------------
# Requests


def _fit(demand: Demand, product: Product) -> None:
    """Clear errors when ``product`` cannot serve ``demand``: kind, amount, term, eligibility."""
    if not product.is_active:
        raise _err("product", _("产品已下架。"), E.KIND_MISMATCH)
    if not serves(demand.kind, product.kind):
        raise _err("product", _("%(p)s不服务%(k)s需求。") % {"p": product.get_kind_display(),
                                                          "k": demand.get_kind_display()}, E.KIND_MISMATCH)
    if not product.amount_min <= demand.amount <= product.amount_max:
        raise _err("amount", _("需求金额 %(a)s 元不在产品额度 %(lo)s–%(hi)s 元内。") % {
            "a": demand.amount, "lo": product.amount_min, "hi": product.amount_max}, E.AMOUNT_RANGE)
    if (demand.term_months is not None and product.term_min_months is not None
            and not product.term_min_months <= demand.term_months <= product.term_max_months):
        raise _err("term_months", _("需求期限 %(t)s 个月不在产品期限 %(lo)s–%(hi)s 个月内。") % {
            "t": demand.term_months, "lo": product.term_min_months, "hi": product.term_max_months}, E.TERM_RANGE)
    r = match_one(demand_row(demand), engine_products([product], with_records=False)[0])
    if not r["fits"]:
        raise _err("product", _("不符合产品准入条件：%(why)s") % {"why": "；".join(r["fails"])}, E.NOT_ELIGIBLE)


def _due(start: datetime, days: int) -> datetime:
    return add_working_days(timezone.localtime(start), days)


def _event(request: FinancingRequest, frm: str, to: str, actor, note: str = "") -> RequestEvent:
    return request.events.create(from_state=frm, to_state=to, actor=actor if hasattr(actor, "pk") else None,
                                 actor_label=actor_label_for(actor), note=note[:500])


def _known_events(request: FinancingRequest, events: list[RequestEvent]) -> None:
    """Give a request just created its events as if prefetched (``request.events.all()`` then
    reads no row): the events are the ones this transaction wrote, so the answer needs no re-read."""
    qs = RequestEvent.objects.filter(request=request)
    qs._result_cache, qs._prefetch_done = list(events), True
    request._prefetched_objects_cache = {"events": qs}


def _consent(demand: Demand, product: Product, actor) -> Consent | None:
    """The enterprise's consent for the institution: an active one it holds, else granted now when
    the enterprise itself applies (an advisor cannot grant it on the enterprise's behalf)."""
    now = timezone.now()
    existing = Consent.objects.active().filter(enterprise=demand.enterprise, organization=product.institution).first()
    if existing is not None:
        return existing
    if actor.is_superuser or _enterprise_actor(actor, demand.enterprise):
        return consent_grant(enterprise=demand.enterprise, organization=product.institution,
                             purpose=CONSENT_PURPOSE[product.kind], valid_until=now + timedelta(days=CONSENT_DAYS),
                             actor=actor, note=gettext_noop("融资申请随附授权"))
    return None


def _claim(demand: Demand) -> None:
    """Take the demand off the open market: a conditional UPDATE, so one caller wins."""
    won = Demand.objects.filter(pk=demand.pk, status=c.DemandStatus.OPEN).update(status=c.DemandStatus.IN_PROGRESS)
    if not won:
        raise _err(None, _("该需求已由其他机构承办或已关闭。"), E.ALREADY_HELD)


def _open_request(*, demand, product, route, state, actor, handler=None, note="") -> FinancingRequest:
    now = timezone.now()
    consent = _consent(demand, product, actor) if route != c.Route.GRAB else Consent.objects.active().filter(
        enterprise_id=demand.enterprise_id, organization_id=product.institution_id).first()
    due = _due(now, product.sla_pickup_days if state == c.RequestState.SUBMITTED else product.sla_decision_days)
    try:
        # no savepoint of its own (two round trips): every caller holds a transaction it rolls
        # back on the error raised here, so the failed INSERT needs no partial rollback
        with transaction.atomic(savepoint=False):
            req = FinancingRequest.objects.create(
                demand=demand, product=product, institution=product.institution, consent=consent, route=route,
                state=state, handler=handler, submitted_at=now,
                picked_up_at=now if state == c.RequestState.PICKED_UP else None, due_at=due,
                is_synthetic=demand.is_synthetic)
    except IntegrityError:
        raise _err(None, _("该需求已由其他机构承办。"), E.ALREADY_HELD) from None
    _known_events(req, [_event(req, "", state, actor, note)])
    audit_record(actor=actor, action=AuditAction.CREATE, instance=req, after=model_snapshot(req),
                 context={"route": route})
    return req


def request_apply(*, demand: Demand, product: Product, actor) -> FinancingRequest:
    """The enterprise (or its advisor) sends its demand to one product's institution (指定申请);
    the request carries the enterprise's consent. Due: pick-up within the product's SLA."""
    _speaks_for(actor, demand.enterprise)
    _fit(demand, product)
    with transaction.atomic():
        _claim(demand)
        return _open_request(demand=demand, product=product, route=c.Route.ASSIGNED,
                             state=c.RequestState.SUBMITTED, actor=actor)


def demand_grab(*, demand: Demand, product: Product, actor, status_just_read: bool = False) -> FinancingRequest:
    """An institution grabs (抢单) an open demand one of its products fits; exactly one concurrent
    grab wins, the others get ``already_held`` and change nothing.

    One transaction: the conditional UPDATE … RETURNING takes the demand and returns it as it now
    stands (under the row lock), the fit is checked on that row — not on the caller's copy, which
    may be stale — and a misfit rolls the claim back; then the request, its event and its audit
    entry. Most losers arrive after the demand is taken: they are answered by one indexed read,
    without opening a transaction or waiting on the winner's row lock. A caller that has just read
    the demand for this grab (the API) says so with ``status_just_read``: that read's status is the
    early answer, and the UPDATE stays the only guard of who wins. Only ``demand.pk`` and
    ``demand.status`` are read before the claim, so the caller may load just those."""
    _writer_of(actor, product.institution)
    if status_just_read:
        still_open = demand.status == c.DemandStatus.OPEN
    else:
        still_open = Demand.objects.filter(pk=demand.pk, status=c.DemandStatus.OPEN).exists()
    if not still_open:  # the cheap early answer
        raise _err(None, _("该需求已由其他机构承办或已关闭。"), E.ALREADY_HELD)
    with transaction.atomic():
        _claim_returning(demand)
        _fit(demand, product)
        return _open_request(demand=demand, product=product, route=c.Route.GRAB, state=c.RequestState.PICKED_UP,
                             actor=actor, handler=actor if hasattr(actor, "pk") else None, note=gettext_noop("抢单"))


_CLAIM_RETURNING = (f"UPDATE {Demand._meta.db_table} SET status = %s WHERE id = %s AND status = %s "
                    f"RETURNING *")


def _claim_returning(demand: Demand) -> None:
    """The grab's guard: take the demand off the open market if it is still open (one caller wins)
    and refresh ``demand`` from the row the UPDATE returned (relations the caller loaded stay)."""
    taken = list(Demand.objects.raw(_CLAIM_RETURNING, [c.DemandStatus.IN_PROGRESS, demand.pk, c.DemandStatus.OPEN]))
    if not taken:
        raise _err(None, _("该需求已由其他机构承办或已关闭。"), E.ALREADY_HELD)
    for field in Demand._meta.concrete_fields:
        setattr(demand, field.attname, getattr(taken[0], field.attname))


def _transition(request: FinancingRequest, to: str, actor, *, by: str = "holder", note: str = "",
                then: Callable[[FinancingRequest], None] | None = None, **fields) -> FinancingRequest:
    """Move the request to ``to`` under a row lock; ``then`` runs the follow-up writes (the demand,
    the pools) in the same transaction, so a failure leaves nothing half done."""
    with transaction.atomic():
        req = FinancingRequest.objects.select_for_update().select_related("demand", "product", "institution").get(
            pk=request.pk)
        if by == "holder":
            if not actor.is_superuser and (actor.organization_id != req.institution_id
                                           or not is_writer(actor)):
                raise PermissionDenied(_("只有承办机构%(org)s可以办理此申请。") % {"org": req.institution.name})
        else:
            _speaks_for(actor, req.demand.enterprise)
        if to not in c.TRANSITIONS.get(req.state, ()):
            raise _err("state", _("申请当前为“%(s)s”，不能变为“%(t)s”。") % {
                "s": req.get_state_display(), "t": c.RequestState(to).label}, E.BAD_TRANSITION)
        before = model_snapshot(req)
        frm = req.state
        req.state = to
        for k, v in fields.items():
            setattr(req, k, v)
        req.save()
        _event(req, frm, to, actor, note)
        audit_record(actor=actor, action=AuditAction.UPDATE, instance=req, before=before, after=model_snapshot(req),
                     context={"transition": f"{frm}->{to}"})
        if then is not None:
            then(req)
        return req


def _follow_up(rows, actor, context: dict, **fields) -> None:
    """Update each locked row of ``rows`` with ``fields``, one audit entry per row."""
    for row in rows.select_for_update().order_by("pk"):
        before = model_snapshot(row)
        for k, v in fields.items():
            setattr(row, k, v)
        row.save(update_fields=list(fields))
        audit_record(actor=actor, action=AuditAction.UPDATE, instance=row, before=before,
                     after=model_snapshot(row), context=context)


def request_pick_up(*, request: FinancingRequest, actor) -> FinancingRequest:
    now = timezone.now()
    return _transition(request, c.RequestState.PICKED_UP, actor, picked_up_at=now,
                       handler=actor if hasattr(actor, "pk") else None,
                       due_at=_due(now, request.product.sla_decision_days), escalated_at=None, escalated_to=None)


def request_review(*, request: FinancingRequest, actor) -> FinancingRequest:
    return _transition(request, c.RequestState.UNDER_REVIEW, actor)


def request_decide(*, request: FinancingRequest, approve: bool, actor, reason: str = "",
                   amount=None, rate=None) -> FinancingRequest:
    """Approve (amount, rate) or decline with a reason; the first decision's SLA is the product's."""
    now = timezone.now()
    if not approve:
        if not (reason or "").strip():
            raise _err("reason", _("拒绝须说明理由。"), E.REASON_REQUIRED)
        def reopen(req: FinancingRequest) -> None:
            _follow_up(Demand.objects.filter(pk=req.demand_id, status=c.DemandStatus.IN_PROGRESS), actor,
                       {"declined_request": req.pk}, status=c.DemandStatus.OPEN)
        return _transition(request, c.RequestState.DECLINED, actor, note=reason, decided_at=now, closed_at=now,
                           decision_reason=reason.strip(), due_at=None, then=reopen)
    amt = _amount(amount if amount not in (None, "") else request.demand.amount, "amount")
    if amt > request.product.amount_max:
        raise _err("amount", _("批准金额超过产品最高额度 %(hi)s 元。") % {"hi": request.product.amount_max}, E.AMOUNT_RANGE)
    r = None
    if rate not in (None, ""):
        r = _decimal(rate, "rate", E.RATE_RANGE)
        if not Decimal(0) <= r <= Decimal("0.36"):
            raise _err("rate", _("利率须在 0 至 36% 之间。"), E.RATE_RANGE)
    return _transition(request, c.RequestState.APPROVED, actor, note=reason, decided_at=now, approved_amount=amt,
                       approved_rate=r, decision_reason=reason.strip(),
                       due_at=_due(now, request.product.sla_contract_days))


def request_contract(*, request: FinancingRequest, actor) -> FinancingRequest:
    """Sign: every leg approved, and the legs the product requires present."""
    missing = [label for needed, kind, label in (
        (request.product.needs_guarantee, c.LegKind.GUARANTEE, _("担保")),
        (request.product.needs_insurance, c.LegKind.INSURANCE, _("保险"))) if needed and not request.legs.filter(kind=kind).exists()]
    if missing:
        raise _err(None, _("该产品需要%(l)s环节，尚未添加。") % {"l": "、".join(missing)}, E.LEGS_PENDING)
    pending = request.legs.exclude(state=c.LegState.APPROVED)
    if pending.exists():
        raise _err(None, _("担保/保险环节尚未确认：%(l)s。") % {"l": "、".join(
            f"{leg.get_kind_display()}（{leg.provider.name}）" for leg in pending)}, E.LEGS_PENDING)
    now = timezone.now()
    return _transition(request, c.RequestState.CONTRACTED, actor, contracted_at=now,
                       due_at=_due(now, request.product.sla_disburse_days))


def request_disburse(*, request: FinancingRequest, actor) -> FinancingRequest:
    """Disburse; in the same transaction the demand is financed and the enterprise graduates from
    the 首贷培植 pool, each write audited."""
    now = timezone.now()

    def financed(req: FinancingRequest) -> None:
        context = {"disbursed_request": req.pk}
        _follow_up(Demand.objects.filter(pk=req.demand_id), actor, context, status=c.DemandStatus.FINANCED)
        _follow_up(FirstLoanCandidate.objects.filter(enterprise_id=req.demand.enterprise_id,
                                                     status=c.PoolStatus.ACTIVE),
                   actor, context, status=c.PoolStatus.GRADUATED, graduated_at=now)
    return _transition(request, c.RequestState.DISBURSED, actor, disbursed_at=now, closed_at=now, due_at=None,
                       then=financed)


def request_reroute(*, request: FinancingRequest, actor, to_product: Product | None = None,
                    reason: str = "") -> FinancingRequest | None:
    """No lender lock-in: the enterprise or its advisor takes the demand back from the holder and
    either sends it to another product or re-opens it for grabs. Returns the new request, if any."""
    if to_product is not None and to_product.institution_id == request.institution_id:
        raise _err("to_product", _("请选择其他机构的产品。"), E.BAD_TRANSITION)
    if to_product is not None:
        _fit(request.demand, to_product)
    with transaction.atomic():
        old = _transition(request, c.RequestState.REROUTED, actor, by="enterprise", note=reason or gettext_noop("转派"),
                          closed_at=timezone.now(), due_at=None)
        if to_product is None:
            Demand.objects.filter(pk=old.demand_id).update(status=c.DemandStatus.OPEN)
            return None
        return _open_request(demand=old.demand, product=to_product, route=c.Route.REROUTED,
                             state=c.RequestState.SUBMITTED, actor=actor, note=reason)


def request_withdraw(*, request: FinancingRequest, actor, reason: str = "") -> FinancingRequest:
    with transaction.atomic():
        req = _transition(request, c.RequestState.WITHDRAWN, actor, by="enterprise", note=reason,
                          closed_at=timezone.now(), due_at=None)
        Demand.objects.filter(pk=req.demand_id).update(status=c.DemandStatus.CLOSED)
    return req


def request_consent(*, request: FinancingRequest, actor) -> Consent:
    """The enterprise lets the institution that grabbed its demand read its profile."""
    if not (actor.is_superuser or _enterprise_actor(actor, request.demand.enterprise)):
        raise PermissionDenied(_("只有企业本身可以授权。"))
    with transaction.atomic():
        req = FinancingRequest.objects.select_for_update().get(pk=request.pk)
        consent = _consent(req.demand, req.product, actor)
        before = model_snapshot(req, ["consent"])
        req.consent = consent
        req.save(update_fields=["consent"])
        audit_record(actor=actor, action=AuditAction.UPDATE, instance=req, before=before,
                     after=model_snapshot(req, ["consent"]))
    return consent


def requests_escalate(*, actor, now: datetime | None = None) -> int:
    """Every active request past its step's due time goes to the enterprise's 金融辅导员 (or, with
    none assigned, is marked escalated for the regulator's list); each escalation is audited."""
    n = 0
    for req in stale_requests(now).select_related("demand__enterprise"):
        with transaction.atomic():
            locked = FinancingRequest.objects.select_for_update().get(pk=req.pk)
            if locked.escalated_at is not None or locked.state not in c.ACTIVE_STATES:
                continue
            before = model_snapshot(locked, ["escalated_at", "escalated_to"])
            locked.escalated_at = timezone.now()
            locked.escalated_to = advisor_of(req.demand.enterprise)
            locked.save(update_fields=["escalated_at", "escalated_to"])
            _event(locked, locked.state, locked.state, actor,
                   _("超过时限，已升级至金融辅导员%(a)s") % {"a": locked.escalated_to or "（未分配）"})
            audit_record(actor=actor, action=AuditAction.UPDATE, instance=locked, before=before,
                         after=model_snapshot(locked, ["escalated_at", "escalated_to"]), context={"escalation": True})
            n += 1
    return n


# ---------------------------------------------------------------------------------------------
# Guarantee and insurance legs, risk sharing


def leg_add(*, request: FinancingRequest, kind: str, provider, actor, product: Product | None = None,
            covered_amount=None, shares: dict[str, Any] | None = None) -> Leg:
    """The holding bank adds a guarantee or insurance leg (the product may require one)."""
    _writer_of(actor, request.institution)
    want = OrganizationKind.GUARANTOR if kind == c.LegKind.GUARANTEE else OrganizationKind.INSURER
    if provider.kind != want:
        raise _err("provider", _("%(k)s环节须由%(w)s承办。") % {"k": c.LegKind(kind).label,
                                                            "w": OrganizationKind(want).label}, E.WRONG_PUBLISHER)
    s = {p: _decimal(v, "shares", E.SHARES) for p, v in (shares or {}).items()} if shares else None
    if s is not None:
        if set(s) != set(c.RiskParty.values) or sum(s.values()) != Decimal(100) or any(v < 0 for v in s.values()):
            raise _err("shares", _("四方分担比例须为国家、省、市、银行四项，非负且合计100（收到 %(s)s）。") % {"s": shares},
                       E.SHARES)
    cov = _amount(covered_amount, "covered_amount") if covered_amount not in (None, "") else request.demand.amount
    with transaction.atomic():
        leg = Leg(request=request, kind=kind, provider=provider, product=product, covered_amount=cov)
        if s is not None:
            leg.share_national, leg.share_provincial = s["national"], s["provincial"]
            leg.share_city, leg.share_bank = s["city"], s["bank"]
        leg.save()
        audit_record(actor=actor, action=AuditAction.CREATE, instance=leg, after=model_snapshot(leg))
    return leg


def leg_decide(*, leg: Leg, approve: bool, actor) -> Leg:
    _writer_of(actor, leg.provider)
    with transaction.atomic():
        leg = Leg.objects.select_for_update().get(pk=leg.pk)
        if leg.state != c.LegState.PENDING:
            raise _err("state", _("该环节已处理（%(s)s）。") % {"s": leg.get_state_display()}, E.BAD_TRANSITION)
        before = model_snapshot(leg)
        leg.state = c.LegState.APPROVED if approve else c.LegState.DECLINED
        leg.save(update_fields=["state"])
        audit_record(actor=actor, action=AuditAction.UPDATE, instance=leg, before=before, after=model_snapshot(leg))
    return leg


def split_loss(loss: Decimal, shares: dict[str, Decimal]) -> dict[str, Decimal]:
    """Split ``loss`` by percentage shares to the cent, exactly: each party's share rounded down,
    the remaining cents to the largest shares first (ties in party order). Sums to ``loss``."""
    raw = {p: loss * s / Decimal(100) for p, s in shares.items()}
    out = {p: v.quantize(CENT, rounding=ROUND_DOWN) for p, v in raw.items()}
    left = int((loss - sum(out.values())) / CENT)
    order = sorted(shares, key=lambda p: (-(raw[p] - out[p]), -shares[p], list(shares).index(p)))
    for p in order[:left]:
        out[p] += CENT
    return out


def leg_default_book(*, leg: Leg, loss, actor) -> list[LossBooking]:
    """On default, book each party's share of ``loss`` (Decimal, exact to the cent)."""
    if not (actor.is_superuser or actor.organization_id in (leg.provider_id, leg.request.institution_id)):
        raise PermissionDenied(_("只有担保机构或承办银行可以登记代偿。"))
    amount = _amount(loss, "loss")
    if leg.kind != c.LegKind.GUARANTEE:
        raise _err("leg", _("只有担保环节分担损失。"), E.LOSS)
    if leg.covered_amount is not None and amount > leg.covered_amount:
        raise _err("loss", _("损失 %(l)s 元超过担保金额 %(c)s 元。") % {"l": amount, "c": leg.covered_amount}, E.LOSS)
    with transaction.atomic():
        locked = Leg.objects.select_for_update().get(pk=leg.pk)
        if locked.state != c.LegState.APPROVED:
            raise _err("state", _("该担保环节状态为“%(s)s”，不能登记代偿。") % {"s": locked.get_state_display()},
                       E.BAD_TRANSITION)
        before = model_snapshot(locked)
        parts = split_loss(amount, locked.shares())
        rows = LossBooking.objects.bulk_create([LossBooking(leg=locked, party=p, share=locked.shares()[p], amount=v)
                                                for p, v in parts.items()])
        locked.state = c.LegState.DEFAULTED
        locked.save(update_fields=["state"])
        audit_record(actor=actor, action=AuditAction.UPDATE, instance=locked, before=before,
                     after=model_snapshot(locked), context={"loss": str(amount), "split": {p: str(v) for p, v in parts.items()}})
    return rows


# ---------------------------------------------------------------------------------------------
# Roadshow follow-up: a demand of the presenting enterprise, grabbed by the investor


def roadshow_follow_up(*, registration: RoadshowRegistration, product: Product, amount, actor,
                       note: str = "") -> FinancingRequest:
    """An investor follows up a presenting enterprise: the follow-up becomes an equity demand of
    that enterprise, held by the investor (its mandate must fit)."""
    if registration.role != c.RegistrationRole.PRESENTER:
        raise _err("registration", _("只能跟进路演企业。"), "invalid")
    if product.kind != c.ProductKind.EQUITY:
        raise _err("product", _("须选择投资意向（股权）产品。"), E.KIND_MISMATCH)
    _writer_of(actor, product.institution)
    with transaction.atomic():
        demand = demand_post(enterprise=registration.enterprise, kind=c.DemandKind.EQUITY, amount=amount,
                             purpose=c.Purpose.EXPANSION, purpose_note=note or _("路演跟进"), actor=actor,
                             roadshow=registration.roadshow, is_synthetic=registration.roadshow.is_synthetic)
        return demand_grab(demand=demand, product=product, actor=actor)
