"""Reads of the supervision app, all through ``restrict(user, VIEW)``: the regulator's overview
(organisations by type and district, latest breaches, per-ratio trends against the limit, ratings,
inspections) and one organisation's record."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from django.db.models import Count, Max, OuterRef, Subquery
from django.utils import timezone

from kechuang.accounts.access import VIEW
from kechuang.core.formatting import region_name
from kechuang.engine.supervision.rules import load_rules

from . import choices as c
from .models import Inspection, OrgRating, PeriodicReport, RatioBreach, ReportUpload, SupervisedOrg

_RULES = None


def rule_set():
    global _RULES
    if _RULES is None:
        _RULES = load_rules()
    return _RULES


def field_labels() -> dict[str, str]:
    """Every figure's Chinese label (for error lists), with the head columns."""
    labels = {"licence_no": "许可证编号", "licence_type": "机构类型", "frequency": "报告频度", "period_end": "报告期末",
              "rows": "报表"}
    for t in rule_set().types.values():
        labels.update(dict(t.fields))
    return labels


def orgs_for(user):
    return SupervisedOrg.objects.restrict(user, VIEW)


def latest_ratings(user) -> dict[int, OrgRating]:
    latest = OrgRating.objects.filter(org=OuterRef("org")).order_by("-computed_at", "-pk").values("pk")[:1]
    rows = OrgRating.objects.restrict(user, VIEW).filter(pk=Subquery(latest))
    return {r.org_id: r for r in rows}


def latest_reports(user) -> dict[int, PeriodicReport]:
    latest = PeriodicReport.objects.filter(org=OuterRef("org")).order_by("-period_end", "-pk").values("pk")[:1]
    rows = PeriodicReport.objects.restrict(user, VIEW).filter(pk=Subquery(latest))
    return {r.org_id: r for r in rows}


def overview(user, *, licence_type: str = "", region_code: str = "") -> dict[str, Any]:
    """The supervisory page's data."""
    orgs = orgs_for(user)
    by_type = {r["licence_type"]: r["n"] for r in orgs.values("licence_type").annotate(n=Count("pk"))}
    by_district = Counter(orgs.values_list("region_code", flat=True))
    if licence_type in c.LicenceType.values:
        orgs = orgs.filter(licence_type=licence_type)
    if region_code:
        orgs = orgs.filter(region_code=region_code)
    reports = latest_reports(user)
    ratings = latest_ratings(user)
    today = timezone.localdate()
    overdue = Counter(Inspection.objects.restrict(user, VIEW).filter(
        status=c.InspectionStatus.RECTIFYING, deadline__lt=today).values_list("org_id", flat=True))
    rows = []
    for o in orgs.order_by("licence_type", "name"):
        rep = reports.get(o.pk)
        rows.append({"org": o, "report": rep, "rating": ratings.get(o.pk), "overdue": overdue.get(o.pk, 0),
                     "breaches": rep.breach_count if rep else 0})
    in_breach = [r for r in rows if r["breaches"]]
    return {"rows": rows, "in_breach": len(in_breach),
            "by_type": [(c.LicenceType(k).label, by_type.get(k, 0), k) for k in c.LicenceType.values],
            "by_district": sorted(((region_name(k), n) for k, n in by_district.items()), key=lambda x: -x[1]),
            "overdue_total": sum(overdue.values()),
            "grades": Counter(r["rating"].grade for r in rows if r["rating"])}


def recent_breaches(user, limit: int = 50):
    return RatioBreach.objects.restrict(user, VIEW).select_related("org").order_by("-period_end", "org__name")[:limit]


def breach_trend(user) -> dict[str, Any]:
    """Breaches per report period, stacked by licence type (ECharts series)."""
    rows = (RatioBreach.objects.restrict(user, VIEW).values("period_end", "org__licence_type")
            .annotate(n=Count("pk")).order_by("period_end"))
    periods = sorted({r["period_end"] for r in rows})
    series: dict[str, list[int]] = defaultdict(lambda: [0] * len(periods))
    for r in rows:
        series[r["org__licence_type"]][periods.index(r["period_end"])] += r["n"]
    return {"periods": [p.isoformat() for p in periods],
            "series": [{"name": str(c.LicenceType(k).label), "data": v} for k, v in series.items()]}


def ratio_trends(user, licence_type: str) -> list[dict[str, Any]]:
    """For each limit indicator of ``licence_type``: per period the mean and the highest value of
    the reports the user sees, and the limit (one ECharts chart each)."""
    trules = rule_set().types.get(licence_type)
    if trules is None:
        return []
    reports = (PeriodicReport.objects.restrict(user, VIEW).filter(licence_type=licence_type)
               .order_by("period_end").values_list("period_end", "values"))
    by_period: dict[Any, list[dict]] = defaultdict(list)
    for day, values in reports:
        by_period[day].append(values or {})
    periods = sorted(by_period)
    out = []
    for ind in trules.indicators:
        if not ind.is_limit or ind.unit == "yuan":
            continue
        means, highs = [], []
        for p in periods:
            vals = [v[ind.code] for v in by_period[p] if v.get(ind.code) is not None]
            means.append(round(sum(vals) / len(vals), 4) if vals else None)
            highs.append(round(max(vals) if ind.max is not None else min(vals), 4) if vals else None)
        out.append({"code": ind.code, "label": ind.label, "unit": ind.unit,
                    "limit": ind.max if ind.max is not None else ind.min, "is_max": ind.max is not None,
                    "periods": [p.isoformat() for p in periods], "mean": means, "extreme": highs,
                    "document": ind.document, "article": ind.article, "certainty": ind.certainty})
    return out


def org_detail(user, org: SupervisedOrg) -> dict[str, Any]:
    reports = list(PeriodicReport.objects.restrict(user, VIEW).filter(org=org).select_related("submitted_by")
                   .order_by("-period_end")[:24])
    trules = rule_set().types[org.licence_type]
    latest = reports[0] if reports else None
    indicators = []
    if latest is not None:
        breached = {b.code: b for b in latest.breaches.all()}
        for ind in trules.indicators:
            indicators.append({"ind": ind, "value": latest.values.get(ind.code), "breach": breached.get(ind.code)})
    rating = OrgRating.objects.restrict(user, VIEW).filter(org=org).order_by("-computed_at", "-pk").first()
    history = list(OrgRating.objects.restrict(user, VIEW).filter(org=org).values("as_of").annotate(
        score=Max("score")).order_by("as_of"))
    return {"reports": reports, "latest": latest, "indicators": indicators, "rating": rating,
            "figures": [(label, latest.figures.get(name)) for name, label in trules.fields] if latest else [],
            "breaches": RatioBreach.objects.restrict(user, VIEW).filter(org=org).order_by("-period_end", "code")[:100],
            "inspections": Inspection.objects.restrict(user, VIEW).filter(org=org).order_by("-inspected_on"),
            "rating_history": {"as_of": [h["as_of"].isoformat() for h in history],
                               "score": [float(h["score"]) for h in history]},
            "trules": trules}


def uploads_for(user):
    return ReportUpload.objects.restrict(user, VIEW)
