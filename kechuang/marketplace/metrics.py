"""The marketplace's metrics, computed live from the rows (no stored aggregates).

Each metric is ``fn(*, region_code, start, end) -> (numerator, denominator | None)`` in
``Decimal`` (the targets app reads them through ``MarketplaceConfig.live_metrics``); a rate is
numerator ÷ denominator. Periods are whole days in Asia/Shanghai, ``start`` and ``end`` included.
``region_code`` is a GB/T 2260 code read as a prefix (370000 → the province, 370100 → Jinan).

Definitions (see docs/marketplace.md):
- demands_posted: demands posted in the period.
- demands_matched (银企对接成交笔数): demands whose request was disbursed in the period.
- credit_granted_amount (银企对接成交规模): approved amounts of debt requests disbursed in the period.
- enterprises_on_platform (入驻企业家数): distinct enterprises with a demand posted up to ``end``.
- pickup_rate: demands posted in the period that an institution picked up (grab or assigned) ÷
  demands posted in the period.
- time_to_pickup_days / time_to_decision_days: working days, summed ÷ count (mean).
- approval_rate: requests approved ÷ requests decided in the period.
- reasonable_demand_satisfaction (合理化融资需求满足率): of the demands posted in the period that
  at least one active product fits and that the enterprise did not withdraw, the share financed.
- first_loan_rate: disbursed requests to first-time borrowers ÷ disbursed requests.
- satisfaction: mean satisfaction (1–5) enterprises gave in the period, at advisor visits and on
  their closed requests.
- request_rating_rate: requests closed in the period that their enterprise rated ÷ requests closed
  in the period.
- roadshows_held, advisor_visits: counts in the period.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kechuang.accounts.models import within_region
from kechuang.engine.matching import rank_batch
from kechuang.engine.matching.calendar import working_days_between

from . import choices as c
from .models import AdvisorVisit, Demand, FinancingRequest, Product, RequestRating, Roadshow
from .selectors import _demand_frame, engine_products

APPROVED = (c.RequestState.APPROVED, c.RequestState.CONTRACTED, c.RequestState.DISBURSED)
DECIDED_AT = Q(decided_at__isnull=False)


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    return (dt.datetime.combine(start, dt.time(), tzinfo=tz),
            dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=tz))


def _demands(region_code: str):
    return Demand.objects.filter(within_region(region_code))


def _requests(region_code: str):
    return FinancingRequest.objects.filter(within_region(region_code, "demand__region_code"))


def _d(n: Any) -> Decimal:
    return Decimal(n or 0)


def demands_posted(*, region_code: str, start: dt.date, end: dt.date):
    a, b = _bounds(start, end)
    return _d(_demands(region_code).filter(created_at__gte=a, created_at__lt=b).count()), None


def demands_matched(*, region_code: str, start: dt.date, end: dt.date):
    a, b = _bounds(start, end)
    n = _requests(region_code).filter(disbursed_at__gte=a, disbursed_at__lt=b).values("demand_id").distinct().count()
    return _d(n), None


def credit_granted_amount(*, region_code: str, start: dt.date, end: dt.date):
    a, b = _bounds(start, end)
    s = _requests(region_code).filter(disbursed_at__gte=a, disbursed_at__lt=b, demand__kind=c.DemandKind.DEBT) \
        .aggregate(s=Sum("approved_amount"))["s"]
    return _d(s), None


def enterprises_on_platform(*, region_code: str, start: dt.date, end: dt.date):
    _a, b = _bounds(start, end)
    return _d(_demands(region_code).filter(created_at__lt=b).values("enterprise_id").distinct().count()), None


def pickup_rate(*, region_code: str, start: dt.date, end: dt.date):
    a, b = _bounds(start, end)
    posted = _demands(region_code).filter(created_at__gte=a, created_at__lt=b)
    picked = posted.filter(requests__picked_up_at__isnull=False).distinct().count()
    return _d(picked), _d(posted.count())


def time_to_pickup_days(*, region_code: str, start: dt.date, end: dt.date):
    """Working days from a demand's posting to its first pick-up, for demands posted in the period."""
    a, b = _bounds(start, end)
    first: dict[int, tuple] = {}
    rows = _requests(region_code).filter(demand__created_at__gte=a, demand__created_at__lt=b,
                                         picked_up_at__isnull=False).values_list("demand_id", "demand__created_at",
                                                                                 "picked_up_at")
    for did, created, picked in rows:
        if did not in first or picked < first[did][1]:
            first[did] = (created, picked)
    total = sum(working_days_between(x, y) for x, y in first.values())
    return Decimal(str(round(total, 4))), _d(len(first))


def time_to_decision_days(*, region_code: str, start: dt.date, end: dt.date):
    a, b = _bounds(start, end)
    rows = _requests(region_code).filter(decided_at__gte=a, decided_at__lt=b, picked_up_at__isnull=False) \
        .values_list("picked_up_at", "decided_at")
    xs = [working_days_between(x, y) for x, y in rows]
    return Decimal(str(round(sum(xs), 4))), _d(len(xs))


def approval_rate(*, region_code: str, start: dt.date, end: dt.date):
    a, b = _bounds(start, end)
    decided = _requests(region_code).filter(decided_at__gte=a, decided_at__lt=b)
    agg = decided.aggregate(n=Count("id"), ok=Count("id", filter=Q(state__in=APPROVED) | Q(approved_amount__isnull=False)))
    return _d(agg["ok"]), _d(agg["n"])


def reasonable_demand_satisfaction(*, region_code: str, start: dt.date, end: dt.date):
    a, b = _bounds(start, end)
    demands = list(_demands(region_code).filter(created_at__gte=a, created_at__lt=b)
                   .exclude(status=c.DemandStatus.CLOSED))
    if not demands:
        return Decimal(0), Decimal(0)
    products = engine_products(Product.objects.filter(is_active=True))
    fitting = set(rank_batch(_demand_frame(demands), products, top_k=1)["demand_id"].to_list()) if products else set()
    financed = sum(1 for d in demands if d.pk in fitting and d.status == c.DemandStatus.FINANCED)
    return _d(financed), _d(len(fitting))


def first_loan_rate(*, region_code: str, start: dt.date, end: dt.date):
    a, b = _bounds(start, end)
    rows = list(_requests(region_code).filter(disbursed_at__gte=a, disbursed_at__lt=b,
                                              demand__kind=c.DemandKind.DEBT).values_list("demand__prefill", flat=True))
    return _d(sum(1 for p in rows if (p or {}).get("first_loan") is True)), _d(len(rows))


def satisfaction(*, region_code: str, start: dt.date, end: dt.date):
    """A mean, not a rate: the sum of the 1–5 scores enterprises gave in the period — at advisor
    visits and on their closed financing requests (``RequestRating``) — ÷ the number of those same
    scores (one population: scores given by the region's enterprises). The cockpit shows it as a
    number of 5 (4.52), never as a percentage."""
    visits = AdvisorVisit.objects.filter(within_region(region_code, "assignment__enterprise__region_code"),
                                         visited_on__gte=start, visited_on__lte=end, satisfaction__isnull=False) \
        .aggregate(s=Sum("satisfaction"), n=Count("id"))
    a, b = _bounds(start, end)
    rated = RequestRating.objects.filter(within_region(region_code, "request__demand__region_code"),
                                         rated_at__gte=a, rated_at__lt=b).aggregate(s=Sum("stars"), n=Count("id"))
    return _d((visits["s"] or 0) + (rated["s"] or 0)), _d(visits["n"] + rated["n"])


def request_rating_rate(*, region_code: str, start: dt.date, end: dt.date):
    """Requests closed in the period (disbursed, declined, withdrawn) that their enterprise has rated
    ÷ requests closed in the period: numerator and denominator are the same requests, so it stays
    within 0–100 % whenever the rating was given."""
    a, b = _bounds(start, end)
    closed = _requests(region_code).filter(state__in=c.RATEABLE_STATES, closed_at__gte=a, closed_at__lt=b)
    agg = closed.aggregate(n=Count("id"), rated=Count("id", filter=Q(ratings__isnull=False), distinct=True))
    return _d(agg["rated"]), _d(agg["n"])


def roadshows_held(*, region_code: str, start: dt.date, end: dt.date):
    n = Roadshow.objects.filter(within_region(region_code), status=c.RoadshowStatus.HELD,
                                held_on__gte=start, held_on__lte=end).count()
    return _d(n), None


def advisor_visits(*, region_code: str, start: dt.date, end: dt.date):
    n = AdvisorVisit.objects.filter(within_region(region_code, "assignment__enterprise__region_code"),
                                    visited_on__gte=start, visited_on__lte=end).count()
    return _d(n), None


METRICS = {
    "demands_posted": (demands_posted, _("发布融资需求（笔）"), "count"),
    "demands_matched": (demands_matched, _("银企对接成交（笔）"), "count"),
    "credit_granted_amount": (credit_granted_amount, _("银企对接成交规模（元）"), "amount"),
    "enterprises_on_platform": (enterprises_on_platform, _("入驻企业家数"), "count"),
    "pickup_rate": (pickup_rate, _("需求接单率"), "rate"),
    "time_to_pickup_days": (time_to_pickup_days, _("平均接单时间（工作日）"), "mean"),
    "time_to_decision_days": (time_to_decision_days, _("平均审批时间（工作日）"), "mean"),
    "approval_rate": (approval_rate, _("审批通过率"), "rate"),
    "reasonable_demand_satisfaction": (reasonable_demand_satisfaction, _("合理化融资需求满足率"), "rate"),
    "first_loan_rate": (first_loan_rate, _("首贷率"), "rate"),
    "satisfaction": (satisfaction, _("企业满意度（1-5）"), "mean"),
    "request_rating_rate": (request_rating_rate, _("结束申请的企业评价率"), "rate"),
    "roadshows_held": (roadshows_held, _("举办路演（场）"), "count"),
    "advisor_visits": (advisor_visits, _("金融辅导走访（次）"), "count"),
}


def summary(*, region_code: str, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """Every metric with its value (rate/mean computed, None when the denominator is 0)."""
    out = []
    for code, (fn, label, kind) in METRICS.items():
        num, den = fn(region_code=region_code, start=start, end=end)
        value = num if den is None else (num / den if den else None)
        out.append({"code": code, "label": str(label), "kind": kind, "numerator": num, "denominator": den,
                    "value": value.quantize(Decimal("0.0001")) if isinstance(value, Decimal) and kind != "amount"
                    else value})
    return out


def breakdown(*, region_code: str, start: dt.date, end: dt.date, by: str) -> list[dict[str, Any]]:
    """Request metrics per institution, product or district (区县) for requests submitted in the period."""
    if by not in ("institution", "product", "district"):
        raise ValueError(f"unknown breakdown {by!r}")
    a, b = _bounds(start, end)
    rows = _requests(region_code).filter(submitted_at__gte=a, submitted_at__lt=b).values_list(
        "institution__name", "product__name", "demand__region_code", "state", "submitted_at", "picked_up_at",
        "decided_at", "approved_amount", "disbursed_at")
    acc: dict[str, dict[str, Any]] = defaultdict(lambda: {"requests": 0, "picked": 0, "decided": 0, "approved": 0,
                                                          "disbursed_amount": Decimal(0), "pickup_days": [],
                                                          "decision_days": []})
    for inst, prod, region, state, sub, picked, decided, amount, disbursed in rows:
        key = {"institution": inst, "product": prod, "district": region}[by]
        g = acc[key]
        g["requests"] += 1
        if picked:
            g["picked"] += 1
            g["pickup_days"].append(working_days_between(sub, picked))
        if decided:
            g["decided"] += 1
            g["approved"] += state in APPROVED
            if picked:
                g["decision_days"].append(working_days_between(picked, decided))
        if disbursed and amount is not None:
            g["disbursed_amount"] += amount
    out = []
    for key, g in sorted(acc.items(), key=lambda kv: -kv[1]["requests"]):
        out.append({"key": key, "requests": g["requests"],
                    "pickup_rate": round(g["picked"] / g["requests"], 4) if g["requests"] else None,
                    "approval_rate": round(g["approved"] / g["decided"], 4) if g["decided"] else None,
                    "disbursed_amount": g["disbursed_amount"],
                    "mean_pickup_days": round(sum(g["pickup_days"]) / len(g["pickup_days"]), 2) if g["pickup_days"] else None,
                    "mean_decision_days": round(sum(g["decision_days"]) / len(g["decision_days"]), 2) if g["decision_days"] else None})
    return out
