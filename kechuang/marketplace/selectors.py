"""Reads of the marketplace: what the platform knows about an enterprise (for pre-filling and
matching), institutions' records, catalogues, queues and the rows a user may see."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Any

import polars as pl
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import Count, Q, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone

from kechuang.accounts.access import VIEW, WRITER_ROLES, organization_of, region_q, region_scope
from kechuang.accounts.choices import OrganizationKind
from kechuang.core.formatting import english
from kechuang.engine.matching import Product as EngineProduct
from kechuang.engine.matching import BOOL_FEATURES, MATCH_FEATURES, load_eligibility, match_demand, rank_batch
from kechuang.engine.matching.calendar import working_days_between
from kechuang.engine.matching.rules import reason_en
from kechuang.engine.scorecard import DEFAULT_MASTER_SCALE
from kechuang.enterprises.models import Enterprise
from kechuang.enterprises.selectors import facts_as_of

from . import choices as c
from .models import AdvisorAssignment, Demand, FinancingRequest, FirstLoanCandidate, Product, WhitelistEntry

GRADE_RANK = {g: i + 1 for i, (g, _pd) in enumerate(DEFAULT_MASTER_SCALE)}
FEATURE_COLUMNS = ("region_code", "region_city", "region_province", "industry_code", "industry_section", "size",
                   "employees", "operating_revenue", "rd_ratio", "ip_class1_count", "ip_total_count",
                   "adverse_count", "years_registered", "grade", "grade_rank", "tier_rank", "hnte", "srdi_sme",
                   "little_giant", "tsme", "gazelle", "first_loan", "innovation_points",
                   "talent_value_low")


def _size(employees: int | None) -> str | None:
    """A simplified size class by headcount (micro < 20 ≤ small < 300 ≤ medium < 1000 ≤ large)."""
    if employees is None:
        return None
    return "micro" if employees < 20 else "small" if employees < 300 else "medium" if employees < 1000 else "large"


def _num(v: Any) -> Any:
    return float(v) if isinstance(v, Decimal) else v


def latest_grade(enterprise: Enterprise) -> str | None:
    """The enterprise's latest rating grade (rating app), or None when not rated."""
    try:
        RatingResult = apps.get_model("rating", "RatingResult")
    except LookupError:
        return None
    row = RatingResult.objects.filter(enterprise=enterprise).order_by("-run_id").values_list("grade", flat=True).first()
    return row


def latest_innovation_points(enterprise: Enterprise) -> float | None:
    """The enterprise's points in its latest innovation-points run (points app), or None."""
    try:
        PointsResult = apps.get_model("points", "PointsResult")
    except LookupError:
        return None
    pts = (PointsResult.objects.filter(enterprise=enterprise, run__status="succeeded")
           .order_by("-run__as_of", "-run_id").values_list("points", flat=True).first())
    return None if pts is None else float(pts)


def latest_talent_value_low(enterprise: Enterprise) -> float | None:
    """The low end of the enterprise's talent team value (talent app: its consented people's
    latest valuations summed), or None when nobody is valued."""
    try:
        apps.get_app_config("talent")
    except LookupError:
        return None
    from kechuang.talent.selectors import latest_team_value_low
    return latest_team_value_low(enterprise.pk)


def latest_tier(enterprise: Enterprise) -> dict[str, Any]:
    try:
        TierPlacement = apps.get_model("evaluation", "TierPlacement")
    except LookupError:
        return {}
    p = TierPlacement.objects.filter(enterprise=enterprise).order_by("-run__created_at", "-run_id").first()
    if p is None:
        return {}
    return {"tier": p.tier, "tier_rank": p.tier_rank, "flags": p.flags, "run_id": p.run_id}


def enterprise_features(enterprise: Enterprise, at: datetime | None = None) -> dict[str, Any]:
    """What the platform knows about ``enterprise`` in the matching features (零填报): the merged
    facts, the summary columns, the latest rating grade and tier placement. Unknown stays None."""
    facts = facts_as_of(enterprise, at).record
    kinds = set(enterprise.certificate_kinds)
    region = enterprise.region_code or ""
    loans = facts.get("loans")
    first_loan = None if loans is None else not any(
        (item.get("lender") or "") != "" or item.get("kind") for item in loans)
    reg = enterprise.registered_on
    grade = latest_grade(enterprise)
    tier = latest_tier(enterprise)
    return {
        "region_code": region or None,
        "region_city": region[:4] + "00" if len(region) == 6 else None,
        "region_province": region[:2] + "0000" if len(region) == 6 else None,
        "industry_code": enterprise.industry_code or None,
        "industry_section": (enterprise.industry_code or "")[:1] or None,
        "size": _size(enterprise.employees),
        "employees": enterprise.employees,
        "operating_revenue": _num(enterprise.operating_revenue),
        "rd_ratio": _num(enterprise.rd_ratio),
        "ip_class1_count": enterprise.ip_class1_count,
        "ip_total_count": enterprise.ip_total_count,
        "adverse_count": enterprise.adverse_count,
        "years_registered": round((timezone.localdate() - reg).days / 365.25, 2) if reg else None,
        "grade": grade,
        "grade_rank": GRADE_RANK.get(grade) if grade else None,
        "tier_rank": tier.get("tier_rank"),
        "hnte": "hnte" in kinds,
        "srdi_sme": "srdi_sme" in kinds,
        "little_giant": "little_giant" in kinds,
        "tsme": bool(kinds & {"tsme", "innovative_sme", "tech_innovation_sme"}),
        "gazelle": "gazelle" in kinds,
        "first_loan": first_loan,
        "innovation_points": latest_innovation_points(enterprise),
        "talent_value_low": latest_talent_value_low(enterprise),
        "tier": tier.get("tier"),
        "as_of": timezone.now().isoformat(),
    }


def institution_records(org_ids=None) -> dict[int, dict[str, float | None]]:
    """Each institution's record on the platform: share of its requests picked up, share approved
    of those decided, mean working days from submission to pick-up."""
    qs = FinancingRequest.objects.all()
    if org_ids is not None:
        qs = qs.filter(institution_id__in=list(org_ids))
    agg = qs.values("institution_id").annotate(
        n=Count("id"), picked=Count("id", filter=Q(picked_up_at__isnull=False)),
        decided=Count("id", filter=Q(state__in=[c.RequestState.APPROVED, c.RequestState.DECLINED,
                                                 c.RequestState.CONTRACTED, c.RequestState.DISBURSED])),
        approved=Count("id", filter=Q(state__in=[c.RequestState.APPROVED, c.RequestState.CONTRACTED,
                                                  c.RequestState.DISBURSED])))
    out = {r["institution_id"]: {"pickup_rate": r["picked"] / r["n"] if r["n"] else None,
                                 "approval_rate": r["approved"] / r["decided"] if r["decided"] else None,
                                 "pickup_days": None} for r in agg}
    times = qs.filter(picked_up_at__isnull=False).values_list("institution_id", "submitted_at", "picked_up_at")
    acc: dict[int, list[float]] = {}
    for org, a, b in times.iterator():
        acc.setdefault(org, []).append(working_days_between(a, b))
    for org, xs in acc.items():
        out[org]["pickup_days"] = sum(xs) / len(xs)
    return out


def engine_products(products, with_records: bool = True) -> list[EngineProduct]:
    """Products as the engine sees them; ``with_records`` adds each institution's record (for
    ranking; a fit check does not need it)."""
    products = list(products)
    records = institution_records({p.institution_id for p in products}) if with_records else {}
    out = []
    for p in products:
        rec = records.get(p.institution_id, {})
        out.append(EngineProduct(
            id=p.pk, kind=p.kind, amount_min=float(p.amount_min), amount_max=float(p.amount_max),
            term_min=p.term_min_months, term_max=p.term_max_months,
            rate=float(p.rate) if p.rate is not None else None,
            eligibility=load_eligibility(p.eligibility, f"product {p.pk}"), institution_id=p.institution_id,
            name=p.name, pickup_rate=rec.get("pickup_rate"), approval_rate=rec.get("approval_rate"),
            pickup_days=rec.get("pickup_days")))
    return out


def demand_row(demand: Demand) -> dict[str, Any]:
    row = {k: demand.prefill.get(k) for k in FEATURE_COLUMNS}
    row.update(id=demand.pk, kind=demand.kind, amount=float(demand.amount), term_months=demand.term_months)
    return row


def demand_matches(demand: Demand) -> dict[str, Any]:
    """Every active product ranked for ``demand`` with reasons, and why the others do not fit; the
    reasons in the active language (the engine writes Chinese and knows its English, ``reason_en``)."""
    products = {p.pk: p for p in Product.objects.filter(is_active=True).select_related("institution")}
    res = match_demand(demand_row(demand), engine_products(products.values()))
    en = english()
    for r in res["ranked"] + res["rejected"]:
        r["product"] = products[r["product_id"]]
        if en:
            labels = _clause_labels_en(r["product"].eligibility)
            r["reasons"] = [reason_en(_relabel(t, labels)) for t in r["reasons"]]
            r["fails"] = [reason_en(_relabel(t, labels)) for t in r["fails"]]
    return res


def _clause_labels_en(eligibility) -> dict[str, str]:
    """A product's clause titles (the institution's Chinese words) → the English name of the
    feature each clause asks about ("拥有Ⅰ类知识产权" → "Class I IP items"), for English reasons."""
    out: dict[str, str] = {}
    stack = list(eligibility or [])
    while stack:
        node = stack.pop()
        if not isinstance(node, dict):
            continue
        f = MATCH_FEATURES.get(node.get("feature"))
        if node.get("title") and f:
            out[str(node["title"])] = re.sub(r"\s*\([^)]*\)$", "", f.en)
        stack.extend(node.get("clauses") or [])
    return out


def _relabel(text: str, labels: dict[str, str]) -> str:
    """A reason with the clause title it starts with ("符合：<title>（…") replaced by ``labels``."""
    head, sep, rest = text.partition("：")
    if not sep:
        return text
    for title, label in labels.items():
        if rest.startswith(title + "（") or rest.startswith(title + "——"):
            return f"{head}：{label}{rest[len(title):]}"
    return text


def _demand_frame(demands: list[Demand]) -> pl.DataFrame:
    rows = [demand_row(d) for d in demands]
    schema = {"id": pl.Int64, "kind": pl.String, "amount": pl.Float64, "term_months": pl.Int64,
              **{k: (pl.Boolean if k in BOOL_FEATURES
                     else pl.String if k in ("region_code", "region_city", "region_province", "industry_code",
                                             "industry_section", "size", "grade")
                     else pl.Float64) for k in FEATURE_COLUMNS}}
    return pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)


def open_demands():
    """Demands nobody holds (a re-routed demand is open again)."""
    return Demand.objects.filter(status=c.DemandStatus.OPEN)


def institution_queue(org, limit: int = 200) -> list[dict[str, Any]]:
    """The demands ``org`` may grab: open demands one of its active products fits, best first
    (an investor's queue is its deal flow by mandate)."""
    products = list(Product.objects.filter(institution=org, is_active=True))
    if not products:
        return []
    demands = list(open_demands().select_related("enterprise")[:5000])
    pairs = rank_batch(_demand_frame(demands), engine_products(products), top_k=1)
    by_id = {d.pk: d for d in demands}
    pmap = {p.pk: p for p in products}
    rows = [{"demand": by_id[r["demand_id"]], "product": pmap[r["product_id"]], "score": r["score"],
             "status": r["status"]} for r in pairs.iter_rows(named=True)]
    rows.sort(key=lambda r: (-r["score"], r["demand"].pk))
    return rows[:limit]


def advisor_candidates(user):
    """The people ``user`` may assign as 金融辅导员: active staff (officers and admins; a viewer
    records nothing) of active service agencies within ``user``'s scope — every agency for a
    superuser, the agencies registered in a regulator's region, a service agency's own staff — and
    nobody for anyone else. Ordered by agency, then name."""
    qs = get_user_model().objects.filter(
        is_active=True, role__in=WRITER_ROLES, organization__is_active=True,
        organization__kind=OrganizationKind.SERVICE_AGENCY).select_related("organization")
    org = organization_of(user)
    if region_scope(user) is not None:
        qs = qs.filter(region_q(user, "organization__region_id"))
    elif org is not None and org.kind == OrganizationKind.SERVICE_AGENCY:
        qs = qs.filter(organization=org)
    else:
        return qs.none()
    shown = Coalesce(NullIf("display_name", Value("")), "username")  # the name the list shows (User.__str__)
    return qs.order_by("organization__name", shown, "pk")


def advisor_of(enterprise: Enterprise):
    a = AdvisorAssignment.objects.filter(enterprise=enterprise, is_active=True).select_related("advisor").first()
    return a.advisor if a else None


def visible_demands(user):
    """Demands ``user`` may see (``Demand.objects.restrict``): an enterprise its own, an advisor its
    assigned enterprises', a regulator its region's, an institution the open ones plus those it has
    held, each annotated ``prefill_visible`` (an institution reads the pre-filled facts only under
    the enterprise's consent or an application to it)."""
    return Demand.objects.restrict(user, VIEW).with_prefill_access(user)


def visible_requests(user, action: str = VIEW):
    return FinancingRequest.objects.restrict(user, action)


def stale_requests(now=None):
    """Active requests past the due time of their current step and not yet escalated."""
    now = now or timezone.now()
    return FinancingRequest.objects.filter(state__in=c.ACTIVE_STATES, due_at__lt=now, escalated_at__isnull=True)



def postable_enterprise(user, enterprise_id) -> Enterprise | None:
    """The enterprise ``user`` may post a demand for: its own, or one it advises."""
    own = Enterprise.objects.restrict(user, "change").filter(pk=enterprise_id).first()
    if own is not None:
        return own
    return Enterprise.objects.filter(pk=enterprise_id, advisor_assignments__advisor=user,
                                     advisor_assignments__is_active=True).first()


def pool_scope(user, bank: bool = False) -> Q:
    """Pool rows ``user`` may see, as a filter on the pool's model (``FirstLoanCandidate``, or
    with ``bank`` ``WhitelistEntry``): its ``restrict`` rule."""
    model = WhitelistEntry if bank else FirstLoanCandidate
    return Q(pk__in=model.objects.restrict(user, VIEW).values("pk"))
