"""Reads of the policy funds: the platform facts the engine pays on (loans, booked losses,
certificates, the enterprises' features), the claims owed, what an enterprise could claim and
lacks (可享政策), and budget figures."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal
from typing import Any

import polars as pl
from django.db.models import Count, Min, Q, Sum
from django.utils import timezone

from kechuang.engine.funds import (CERTS_SCHEMA, LOANS_SCHEMA, LOSSES_SCHEMA, Programme as EngineProgramme, claim_for,
                                   claims_batch, load_programme, propose, simulate)
from kechuang.core.formatting import english
from kechuang.engine.matching.rules import describe, evaluate, reason_en
from kechuang.engine.qualification.nodes import MET, UNKNOWN
from kechuang.enterprises.models import CertificateFact, Enterprise
from kechuang.marketplace import choices as mc
from kechuang.marketplace.models import FinancingRequest, FirstLoanCandidate, Leg, LossBooking
from kechuang.marketplace.selectors import FEATURE_COLUMNS, enterprise_features

from . import choices as c
from .models import Budget, Claim, Programme, Repayment

_ENGINE_CACHE: dict[tuple[int, int], EngineProgramme] = {}


def engine_programme(programme: Programme) -> EngineProgramme:
    """The checked engine programme of a stored version (its rules were checked when stored)."""
    key = (programme.pk, programme.version)
    if key not in _ENGINE_CACHE:
        _ENGINE_CACHE[key] = load_programme(programme.rules)
    return _ENGINE_CACHE[key]


def active_programmes():
    return Programme.objects.filter(is_active=True)


def _day(value: dt.datetime | None) -> dt.date | None:
    return timezone.localdate(value) if value is not None else None


# ---------------------------------------------------------------------------------------------
# Platform facts in the engine's schemas


def recorded_interest(loan_ids, year: int, as_of: dt.date | None = None) -> dict[int, dict[str, Any]]:
    """Per loan, the interest its bank recorded as paid in ``year`` (repayment records dated from
    1 January to 31 December or ``as_of``): ``{"interest": float, "ids": [...], "flagged": [...]}``.
    Only records with interest count: a loan whose bank reported principal only keeps the
    contract estimate."""
    hi = min(dt.date(year, 12, 31), as_of) if as_of else dt.date(year, 12, 31)
    qs = Repayment.objects.filter(paid_on__range=(dt.date(year, 1, 1), hi), interest_paid__gt=0)
    if loan_ids is not None:
        qs = qs.filter(loan_id__in=list(loan_ids))
    out: dict[int, dict[str, Any]] = {}
    for loan_id, pk, interest, flagged in qs.order_by("loan_id", "paid_on", "pk").values_list(
            "loan_id", "pk", "interest_paid", "flagged"):
        one = out.setdefault(loan_id, {"interest": Decimal(0), "ids": [], "flagged": []})
        one["interest"] += interest
        one["ids"].append(pk)
        if flagged:
            one["flagged"].append(pk)
    for one in out.values():
        one["interest"] = float(one["interest"])
    return out


def loan_rows(*, loan_ids=None, enterprise_ids=None, lender_id=None, year: int | None = None,
              as_of: dt.date | None = None) -> list[dict[str, Any]]:
    """Disbursed loans on the platform (``LOANS_SCHEMA`` rows). A loan's guarantor is its
    guarantee leg's provider; it defaulted when a loss was booked on that leg; it is a first loan
    when it is the enterprise's earliest disbursed loan and the disbursement graduated the
    enterprise from the 首贷培植 pool. With ``year``, ``interest_recorded`` is the interest its bank
    recorded as paid in the year up to ``as_of`` (:func:`recorded_interest`), ``None`` without
    records: the engine then estimates it from the contract."""
    qs = (FinancingRequest.objects.filter(state=mc.RequestState.DISBURSED, product__kind=mc.ProductKind.LOAN)
          .select_related("demand", "product"))
    if loan_ids is not None:
        qs = qs.filter(pk__in=list(loan_ids))
    if enterprise_ids is not None:
        qs = qs.filter(demand__enterprise_id__in=list(enterprise_ids))
    if lender_id is not None:
        qs = qs.filter(institution_id=lender_id)
    loans = list(qs)
    ids = [r.pk for r in loans]
    guarantors = dict(Leg.objects.filter(request_id__in=ids, kind=mc.LegKind.GUARANTEE,
                                         state__in=(mc.LegState.APPROVED, mc.LegState.DEFAULTED))
                      .values_list("request_id", "provider_id"))
    defaults = dict(LossBooking.objects.filter(leg__request_id__in=ids).values("leg__request_id")
                    .annotate(at=Min("booked_at")).values_list("leg__request_id", "at"))
    ents = {r.demand.enterprise_id for r in loans}
    graduated = set(FirstLoanCandidate.objects.filter(enterprise_id__in=ents, status=mc.PoolStatus.GRADUATED)
                    .values_list("enterprise_id", flat=True))
    earliest = dict(FinancingRequest.objects.filter(state=mc.RequestState.DISBURSED, demand__enterprise_id__in=ents)
                    .values("demand__enterprise_id").annotate(first=Min("disbursed_at"))
                    .values_list("demand__enterprise_id", "first"))
    recorded = recorded_interest(ids, year, as_of) if year is not None else {}
    out = []
    for r in loans:
        ent = r.demand.enterprise_id
        out.append({
            "loan_id": r.pk, "enterprise_id": ent, "lender_id": r.institution_id, "guarantor_id": guarantors.get(r.pk),
            "category": r.product.category,
            "principal": float(r.approved_amount if r.approved_amount is not None else r.demand.amount),
            "rate": float(r.approved_rate if r.approved_rate is not None else (r.product.rate or 0)),
            "disbursed_on": _day(r.disbursed_at), "term_months": r.demand.term_months or r.product.term_max_months or 12,
            "defaulted_on": _day(defaults.get(r.pk)),
            "first_loan": ent in graduated and earliest.get(ent) == r.disbursed_at,
            "interest_recorded": recorded[r.pk]["interest"] if r.pk in recorded else None,
        })
    return out


def loss_rows(*, leg_ids=None, enterprise_ids=None, org_id=None) -> list[dict[str, Any]]:
    """Booked loss shares of defaulted guaranteed loans (``LOSSES_SCHEMA`` rows); ``org_id``: of
    loans that organisation lent or guaranteed."""
    qs = LossBooking.objects.select_related("leg__request__demand")
    if org_id is not None:
        qs = qs.filter(Q(leg__request__institution_id=org_id) | Q(leg__provider_id=org_id))
    if leg_ids is not None:
        qs = qs.filter(leg_id__in=list(leg_ids))
    if enterprise_ids is not None:
        qs = qs.filter(leg__request__demand__enterprise_id__in=list(enterprise_ids))
    rows = list(qs)
    totals = {t["leg_id"]: t["s"] for t in LossBooking.objects.filter(leg_id__in={b.leg_id for b in rows})
              .values("leg_id").annotate(s=Sum("amount"))}
    out = []
    for b in rows:
        req = b.leg.request
        out.append({"leg_id": b.leg_id, "loan_id": req.pk, "enterprise_id": req.demand.enterprise_id,
                    "lender_id": req.institution_id, "guarantor_id": b.leg.provider_id, "party": b.party,
                    "amount": float(b.amount), "loss_total": float(totals[b.leg_id]),
                    "principal": float(req.approved_amount or req.demand.amount), "booked_on": _day(b.booked_at)})
    return out


def cert_rows(*, enterprise_ids=None) -> list[dict[str, Any]]:
    """Current certificates with a start date (``CERTS_SCHEMA`` rows)."""
    qs = CertificateFact.objects.filter(superseded_at__isnull=True, valid_from__isnull=False, kind__isnull=False)
    if enterprise_ids is not None:
        qs = qs.filter(enterprise_id__in=list(enterprise_ids))
    return [{"enterprise_id": e, "kind": k, "valid_from": v}
            for e, k, v in qs.values_list("enterprise_id", "kind", "valid_from").distinct()]


def features_of(enterprise_ids) -> dict[int, dict[str, Any]]:
    """The matching features of each enterprise (what the platform knows, unknown stays None)."""
    return {e.pk: {**enterprise_features(e), "enterprise_id": e.pk}
            for e in Enterprise.objects.filter(pk__in=list(enterprise_ids))}


def _frame(rows: list[dict[str, Any]], schema) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)


def _features_frame(feats: dict[int, dict[str, Any]]) -> pl.DataFrame:
    cols = ("enterprise_id", *FEATURE_COLUMNS, "tier")
    schema = {k: (pl.Int64 if k == "enterprise_id" else pl.Boolean if k in (
        "hnte", "srdi_sme", "little_giant", "tsme", "gazelle", "first_loan")
        else pl.String if k in ("region_code", "region_city", "region_province", "industry_code", "industry_section",
                                "size", "grade", "tier") else pl.Float64) for k in cols}
    rows = [{k: f.get(k) for k in cols} for f in feats.values()]
    return pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)


def taken_subjects(programmes: list[Programme]) -> pl.DataFrame:
    """Subjects held by live claims in the programmes' exclusive groups (left out of new proposals)."""
    groups = {engine_programme(p).exclusive_group for p in programmes}
    rows = list(Claim.objects.filter(state__in=c.LIVE_STATES, exclusive_group__in=groups)
                .values_list("subject", "exclusive_group").distinct())
    return pl.DataFrame(rows, schema={"subject": pl.String, "exclusive_group": pl.String}, orient="row")


def claims_owed(programmes: list[Programme], year: int, as_of: dt.date) -> pl.DataFrame:
    """The claims the platform facts give for ``year`` under ``programmes`` that nobody has claimed
    yet (``CLAIMS_SCHEMA``), computed by the engine's batch path."""
    loans, losses, certs = loan_rows(year=year, as_of=as_of), loss_rows(), cert_rows()
    ents = {r["enterprise_id"] for r in loans} | {r["enterprise_id"] for r in losses} | {r["enterprise_id"] for r in certs}
    feats = features_of(ents)
    return claims_batch([engine_programme(p) for p in programmes], year, as_of,
                        loans=_frame(loans, LOANS_SCHEMA), losses=_frame(losses, LOSSES_SCHEMA),
                        certs=_frame(certs, CERTS_SCHEMA), enterprises=_features_frame(feats),
                        taken=taken_subjects(programmes))


def subject_of(programme: Programme, *, year: int | None = None, as_of: dt.date | None = None, loan_id=None,
               leg_id=None, enterprise_id=None, kind=None, valid_from=None):
    """The one platform row a claim names, as ``(kind, row)``, or ``None`` when it is not on the
    platform (a loan's row with the interest its bank recorded in ``year``)."""
    basis = programme.basis
    if basis in (c.Basis.LOAN_INTEREST, c.Basis.FIRST_LOAN):
        rows = loan_rows(loan_ids=[loan_id], year=year, as_of=as_of) if loan_id else []
        return ("loan", rows[0]) if rows else None
    if basis == c.Basis.PRINCIPAL_LOSS:
        party = engine_programme(programme).loss_party
        rows = [r for r in loss_rows(leg_ids=[leg_id]) if r["party"] == party] if leg_id else []
        return ("loss", rows[0]) if rows else None
    rows = [r for r in cert_rows(enterprise_ids=[enterprise_id]) if r["kind"] == kind and str(r["valid_from"]) == str(valid_from)]
    return ("cert", rows[0]) if rows else None


def claimed_total(programme: Programme, year: int, *, enterprise_id=None, claimant_org_id=None) -> Decimal:
    """What one claimant holds in live claims of a programme and year (the yearly cap's use)."""
    qs = Claim.objects.filter(programme=programme, year=year, state__in=c.LIVE_STATES)
    qs = qs.filter(claimant_org_id=claimant_org_id) if claimant_org_id else qs.filter(
        enterprise_id=enterprise_id, claimant_org__isnull=True)
    return qs.aggregate(s=Sum("amount"))["s"] or Decimal(0)


def live_claims_on(subject: str, group: str, year: int, one_time: bool):
    qs = Claim.objects.filter(subject=subject, exclusive_group=group, state__in=c.LIVE_STATES)
    return qs if one_time else qs.filter(year=year)


# ---------------------------------------------------------------------------------------------
# 可享政策: what an enterprise would get and what it lacks


def enterprise_entitlements(enterprise: Enterprise, year: int, as_of: dt.date | None = None) -> list[dict[str, Any]]:
    """For each active programme an enterprise may claim under: whether it is eligible (met /
    to verify / not met, with each condition), what its platform loans, losses and certificates
    would get now, and the conditions it lacks."""
    as_of = as_of or timezone.localdate()
    feats = {**enterprise_features(enterprise), "enterprise_id": enterprise.pk}
    loans, losses, certs = (loan_rows(enterprise_ids=[enterprise.pk], year=year, as_of=as_of), loss_rows(enterprise_ids=[enterprise.pk]),
                            cert_rows(enterprise_ids=[enterprise.pk]))
    out = []
    for prog in active_programmes():
        p = engine_programme(prog)
        status, conds = evaluate(p.eligibility, feats)
        amount, subjects, recorded, estimated = 0.0, 0, 0, 0
        for kind, rows in (("loan", loans), ("loss", losses), ("cert", certs)):
            for row in rows:
                one = claim_for(p, year, as_of, kind, row, feats)
                if one is not None:
                    subjects += 1
                    amount += one["amount"]
                    recorded += one["interest_basis"] == "recorded"
                    estimated += one["interest_basis"] == "estimated"
        if p.cap_per_claimant_year is not None and p.claimant == "enterprise":
            amount = min(amount, p.cap_per_claimant_year)
        if english():  # the programme's own clause titles in English (its rule data has both)
            lines = [(st, reason_en(describe(replace(cl, title=cl.title_en), st, v))) for cl, st, v in conds]
        else:
            lines = [(st, describe(cl, st, v)) for cl, st, v in conds]
        out.append({"programme": prog, "status": status, "eligible": status == MET, "to_verify": status == UNKNOWN,
                    "subjects": subjects, "amount": Decimal(str(round(amount, 2))),
                    "interest_recorded": recorded, "interest_estimated": estimated,
                    "met": [text for st, text in lines if st == MET],
                    "lacks": [text for st, text in lines if st != MET]})
    out.sort(key=lambda r: (not r["eligible"], -r["amount"], r["programme"].code))
    return out


def budget_rows(user, year: int | None = None):
    qs = Budget.objects.restrict(user, "view").select_related("programme").filter(programme__is_active=True)
    return qs.filter(year=year) if year else qs


def claim_queue(user, states=c.OPEN_STATES):
    """The claims a regulator may act on next, oldest first (the reviewer's queue)."""
    return (Claim.objects.restrict(user, "change").filter(state__in=states)
            .select_related("programme", "enterprise", "claimant_org").order_by("submitted_at", "id"))


def dashboard(user, year: int) -> dict[str, Any]:
    """Budget used per programme, claims by state and the risk pool's leverage: loans covered per
    yuan of compensation paid (guaranteed loans on the platform ÷ compensation paid)."""
    budgets = list(budget_rows(user, year))
    claims = Claim.objects.restrict(user, "view").filter(year=year)
    by_state = {r["state"]: (r["n"], r["s"]) for r in claims.values("state").annotate(
        n=Count("id"), s=Sum("amount"))}
    comp = claims.filter(programme__basis=c.Basis.PRINCIPAL_LOSS, state=c.ClaimState.PAID).aggregate(
        s=Sum("amount"))["s"] or Decimal(0)
    guaranteed = Leg.objects.filter(kind=mc.LegKind.GUARANTEE).values("request_id")
    covered = (FinancingRequest.objects.filter(state=mc.RequestState.DISBURSED, pk__in=guaranteed,
                                               disbursed_at__year=year)
               .aggregate(s=Sum("approved_amount"))["s"] or Decimal(0))
    return {"budgets": budgets, "by_state": by_state, "compensation_paid": comp, "loans_covered": covered,
            "leverage": (covered / comp).quantize(Decimal("0.1")) if comp else None,
            "total_budget": sum((b.amount for b in budgets), Decimal(0)),
            "total_committed": sum((b.committed for b in budgets), Decimal(0)),
            "total_paid": sum((b.paid for b in budgets), Decimal(0))}


def claimable_subjects(programme: Programme, user, year: int, as_of: dt.date) -> list[dict[str, Any]]:
    """The platform subjects ``user``'s organisation could claim under ``programme`` (its own
    loans, or the loans it lent, the losses it booked), each pre-filled by the per-claim path:
    the facts, whether the enterprise is eligible, the amount before the yearly cap."""
    p = engine_programme(programme)
    org = getattr(user, "organization", None)
    if org is None:
        return []
    if p.claimant == "enterprise":
        if not org.enterprise_id:
            return []
        ents = [org.enterprise_id]
        rows = ([("loan", r) for r in loan_rows(enterprise_ids=ents, year=year, as_of=as_of)] if p.basis in ("loan_interest", "first_loan")
                else [("cert", r) for r in cert_rows(enterprise_ids=ents)] if p.basis == "certificate" else [])
    elif p.basis == "principal_loss":
        rows = [("loss", r) for r in loss_rows(org_id=org.pk)]
    elif p.basis in ("loan_interest", "first_loan") and p.claimant == "lender":
        rows = [("loan", r) for r in loan_rows(lender_id=org.pk, year=year, as_of=as_of)]
    else:
        rows = []
    feats = features_of({r["enterprise_id"] for _k, r in rows})
    names = dict(Enterprise.objects.filter(pk__in={r["enterprise_id"] for _k, r in rows}).values_list("pk", "name"))
    out = []
    for kind, row in rows:
        one = claim_for(p, year, min(as_of, dt.date(year, 12, 31)), kind, row, feats.get(row["enterprise_id"], {}))
        if one is None:
            continue
        taken = live_claims_on(one["subject"], p.exclusive_group, year, p.one_time).exists()
        words = reason_en if english() else str
        out.append({"kind": kind, "row": row, "enterprise": names.get(row["enterprise_id"], ""),
                    "amount": Decimal(str(one["amount"])), "eligible": one["eligible"], "taken": taken,
                    "reasons": [words(x) for x in one["reasons"]], "facts": one})
    return out


def simulate_change(programme: Programme, changes: dict[str, Any], year: int, as_of: dt.date) -> dict[str, Any]:
    """Policy simulation on the platform's population: the programme with ``changes`` (formula,
    caps) against the current one, cost and reach by district and tier (engine ``simulate``).
    Raises ``RuleError`` when the changed rule does not check."""
    current = engine_programme(programme)
    proposed = propose(current, changes)
    loans, losses, certs = loan_rows(year=year, as_of=as_of), loss_rows(), cert_rows()
    ents = {r["enterprise_id"] for r in loans} | {r["enterprise_id"] for r in losses} | {r["enterprise_id"] for r in certs}
    others = [engine_programme(p) for p in active_programmes().exclude(pk=programme.pk)]
    return simulate(current, proposed, others, year, as_of, loans=_frame(loans, LOANS_SCHEMA),
                    losses=_frame(losses, LOSSES_SCHEMA), certs=_frame(certs, CERTS_SCHEMA),
                    enterprises=_features_frame(features_of(ents)))
