"""Live metrics of the talent app for the targets cockpit: ``fn(*, region_code, start, end) ->
(numerator, denominator | None)``.

* ``talent_people_valued`` — distinct people of the region valued in the period who still hold an
  active consent;
* ``talent_loan_amount`` — the 人才贷 amount: disbursed (or contracted) financing requests in the
  period on products carrying 人才贷 terms, for enterprises of the region (yuan)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.apps import apps
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kechuang.accounts.models import within_region

from .models import Valuation


def _window(start: dt.date, end: dt.date):
    tz = timezone.get_current_timezone()
    return (dt.datetime.combine(start, dt.time(), tzinfo=tz),
            dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=tz))


def talent_people_valued(*, region_code: str, start: dt.date, end: dt.date):
    a, b = _window(start, end)
    qs = (Valuation.objects.consented().filter(run__created_at__gte=a, run__created_at__lt=b)
          .filter(within_region(region_code)))
    return Decimal(qs.values("person_id").distinct().count()), None


def talent_loan_amount(*, region_code: str, start: dt.date, end: dt.date):
    FinancingRequest = apps.get_model("marketplace", "FinancingRequest")
    a, b = _window(start, end)
    qs = FinancingRequest.objects.filter(product__talent_terms__isnull=False, state__in=["contracted", "disbursed"],
                                         submitted_at__gte=a, submitted_at__lt=b).filter(
        within_region(region_code, "demand__enterprise__region_code"))
    total = qs.aggregate(s=Sum("approved_amount"))["s"]
    return Decimal(total or 0), None


#: What the cockpit shows for each metric (``TalentConfig.live_metric_info``): code → (label, kind, definition).
INFO = {
    "talent_people_valued": (_("人才价值评估人数"), "count",
                             _("期内完成价值评估且仍持有效授权的本区域人才人数（去重）。")),
    "talent_loan_amount": (_("人才贷金额"), "amount",
                           _("期内本区域企业在设有人才贷额度规则的产品上已签约或已放款的批准金额。")),
}
