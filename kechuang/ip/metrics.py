"""The IP app's live metrics (targets cockpit), computed from the pledge registry.

Each is ``fn(*, region_code, start, end) -> (numerator, denominator | None)`` in ``Decimal``.
- ip_pledge_financing_amount (知识产权质押融资额): registered amounts of pledges registered in the
  period (released ones included: the financing happened), yuan.
- ip_pledges_registered: pledges registered in the period (count).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Sum
from django.utils.translation import gettext_lazy as _

from kechuang.accounts.models import within_region

from .models import Pledge


def _period(region_code: str, start: dt.date, end: dt.date):
    return Pledge.objects.filter(within_region(region_code), registered_on__gte=start, registered_on__lte=end)


def ip_pledge_financing_amount(*, region_code: str, start: dt.date, end: dt.date):
    total = _period(region_code, start, end).aggregate(s=Sum("amount"))["s"]
    return (total or Decimal("0")), None


def ip_pledges_registered(*, region_code: str, start: dt.date, end: dt.date):
    return Decimal(_period(region_code, start, end).aggregate(n=Count("pk"))["n"]), None


#: code → (function, label, kind), like ``marketplace.metrics.METRICS``.
METRICS = {
    "ip_pledge_financing_amount": (ip_pledge_financing_amount, _("知识产权质押融资额（元）"), "amount"),
    "ip_pledges_registered": (ip_pledges_registered, _("知识产权质押登记（笔）"), "count"),
}
