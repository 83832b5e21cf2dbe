"""The risk app's live metrics for the plans (the targets app reads them through
``RiskConfig.live_metrics``): ``fn(*, region_code, start, end) -> (numerator, denominator | None)``
in ``Decimal``; periods are whole days in Asia/Shanghai, both ends included; ``region_code`` is
read as a prefix (370100 → Jinan).

- risk_hazards_cleared (风险隐患化解率): cases closed in the period with a clearing outcome
  (resolved, 应急转贷, restructured — not written off) ÷ cases open at any time in the period.
- npl_ratio (不良率): approved amounts of the loans disbursed on the platform by ``end`` whose
  guarantee was paid out by ``end`` ÷ approved amounts of all loans disbursed on the platform by
  ``end`` (the marketplace is the platform's only loan book; the region is the demand's).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils import timezone

from kechuang.accounts.models import within_region
from kechuang.marketplace.choices import LegState, RequestState
from kechuang.marketplace.models import FinancingRequest, LossBooking

from . import choices as c
from .models import RiskCase


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    return (dt.datetime.combine(start, dt.time(), tzinfo=tz),
            dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=tz))


def risk_hazards_cleared(*, region_code: str, start: dt.date, end: dt.date) -> tuple[Decimal, Decimal]:
    lo, hi = _bounds(start, end)
    cases = RiskCase.objects.filter(within_region(region_code), opened_at__lt=hi).filter(
        Q(closed_at__isnull=True) | Q(closed_at__gte=lo))
    cleared = cases.filter(status=c.CaseStatus.CLOSED, outcome__in=c.CLEARED_OUTCOMES, closed_at__lt=hi)
    return Decimal(cleared.count()), Decimal(cases.count())


def npl_ratio(*, region_code: str, start: dt.date, end: dt.date) -> tuple[Decimal, Decimal]:
    _lo, hi = _bounds(start, end)
    loans = FinancingRequest.objects.filter(within_region(region_code, "demand__region_code"),
                                            state=RequestState.DISBURSED, disbursed_at__lt=hi)
    bad_ids = LossBooking.objects.filter(leg__state=LegState.DEFAULTED, booked_at__lt=hi).values("leg__request_id")
    total = loans.aggregate(s=Sum("approved_amount"))["s"] or Decimal(0)
    bad = loans.filter(pk__in=bad_ids).aggregate(s=Sum("approved_amount"))["s"] or Decimal(0)
    return Decimal(bad), Decimal(total)
