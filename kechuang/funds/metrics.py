"""The funds' metrics, computed live from the rows (no stored aggregates); each is
``fn(*, region_code, start, end) -> (numerator, denominator | None)`` in ``Decimal`` as the targets
app reads them (``FundsConfig.live_metrics``). ``region_code`` is read as a prefix of the claim's
enterprise region; periods are whole days in Asia/Shanghai, both ends included.

- funds_paid_amount: yuan paid on claims in the period, less clawbacks in the period.
- funds_claims_paid: claims paid in the period.
- funds_enterprises_reached: distinct enterprises with a claim paid in the period.
- funds_budget_used: committed ÷ budget of the programmes of the region for the years the period
  touches.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kechuang.accounts.models import within_region

from . import choices as c
from .models import Budget, Claim, Payment


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    return (dt.datetime.combine(start, dt.time(), tzinfo=tz),
            dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=tz))


def _payments(region_code: str, start: dt.date, end: dt.date, kind: str):
    a, b = _bounds(start, end)
    return Payment.objects.filter(within_region(region_code, "claim__region_code"), kind=kind, at__gte=a, at__lt=b)


def funds_paid_amount(*, region_code: str, start: dt.date, end: dt.date):
    paid = _payments(region_code, start, end, c.PaymentKind.PAYMENT).aggregate(s=Sum("amount"))["s"] or Decimal(0)
    back = _payments(region_code, start, end, c.PaymentKind.CLAWBACK).aggregate(s=Sum("amount"))["s"] or Decimal(0)
    return paid - back, None


def funds_claims_paid(*, region_code: str, start: dt.date, end: dt.date):
    return Decimal(_payments(region_code, start, end, c.PaymentKind.PAYMENT).count()), None


def funds_enterprises_reached(*, region_code: str, start: dt.date, end: dt.date):
    a, b = _bounds(start, end)
    n = (Claim.objects.filter(within_region(region_code), paid_at__gte=a, paid_at__lt=b)
         .values("enterprise_id").distinct().count())
    return Decimal(n), None


def funds_budget_used(*, region_code: str, start: dt.date, end: dt.date):
    rows = Budget.objects.filter(within_region(region_code, "programme__region_code"),
                                 year__gte=start.year, year__lte=end.year).aggregate(a=Sum("amount"), c=Sum("committed"))
    return rows["c"] or Decimal(0), rows["a"] or Decimal(0)


METRICS = {
    "funds_paid_amount": (funds_paid_amount, _("政策资金拨付（元）"), "amount"),
    "funds_claims_paid": (funds_claims_paid, _("政策资金拨付（笔）"), "count"),
    "funds_enterprises_reached": (funds_enterprises_reached, _("政策资金惠及企业（家）"), "count"),
    "funds_budget_used": (funds_budget_used, _("政策资金预算使用率"), "rate"),
}


#: What the cockpit shows for each metric (``FundsConfig.live_metric_info``): code → (label, kind, definition).
META = {
    "funds_paid_amount": (_("政策资金拨付（元）"), "amount", _("本年拨付的政策资金减去本年追回的金额，按申领企业所属区划。")),
    "funds_claims_paid": (_("政策资金拨付笔数"), "count", _("本年拨付的资金申领笔数。")),
    "funds_enterprises_reached": (_("政策资金惠及企业"), "count", _("本年有申领获拨付的企业数（去重）。")),
    "funds_budget_used": (_("政策资金预算使用率"), "rate", _("本区划项目本年已核准金额 ÷ 本年预算。")),
}
