"""The listing app's live metrics (read by the targets cockpit through ``ListingConfig.live_metrics``).

Each is ``fn(*, region_code, start, end) -> (numerator, denominator | None)``; ``region_code`` is a
GB/T 2260 code read as a prefix.

- listing.reserve_enterprises (上市后备企业数): enterprises of the region in the 储备, 培育 or
  辅导/申报 tier of the listing ladder in the latest pool run (of the region or one covering it)
  made on or before ``end``.
- listing.new_listed_companies (新增上市公司): enterprises of the region whose 上市 milestone falls in the
  period.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal


from kechuang.accounts.models import within_region

from . import choices as c
from .adapter import end_of_day
from .models import Milestone, PoolPlacement, PoolRun

def _covering_run(region_code: str, end: dt.date) -> PoolRun | None:
    prefixes = [region_code[:k].ljust(6, "0") for k in (2, 4, 6)]
    return (PoolRun.objects.filter(region_code__in=prefixes,
                                   created_at__lte=end_of_day(end))
            .order_by("-created_at", "-pk").first())


def listing_reserve_enterprises(*, region_code: str, start: dt.date, end: dt.date):
    run = _covering_run(region_code, end)
    if run is None:
        return Decimal(0), None
    n = (PoolPlacement.objects.filter(run=run, track=c.Track.LADDER, tier__in=c.RESERVE_TIERS)
         .filter(within_region(region_code)).count())
    return Decimal(n), None


def new_listed_companies(*, region_code: str, start: dt.date, end: dt.date):
    n = (Milestone.objects.filter(kind=c.MilestoneKind.LISTED, occurred_on__gte=start, occurred_on__lte=end)
         .filter(within_region(region_code, "enterprise__region_code")).count())
    return Decimal(n), None
