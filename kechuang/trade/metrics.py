"""The trade app's live metrics (targets cockpit), counted from signed deals.

Each is ``fn(*, region_code, start, end) -> (numerator, denominator | None)`` in ``Decimal``; a deal
counts in the seller's district and in the period of its contract date, once signed (signed or
registered; a withdrawn deal never signed).
- tech_contract_turnover — 技术合同成交额 (the plans' indicator of that name, 济南科创金融改革试验区实施方案
  2022: 800 亿元): the deals' prices, yuan.
- ip_transactions — 知识产权交易（笔）: signed deals.
- ip_equity_amount — 知识产权作价入股金额: prices of 作价入股 deals, yuan.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Sum
from django.utils.translation import gettext_lazy as _

from kechuang.accounts.models import within_region

from . import choices as c
from .models import Deal


def _period(region_code: str, start: dt.date, end: dt.date):
    return Deal.objects.filter(within_region(region_code), state__in=c.CONCLUDED_STATES,
                               contract_date__gte=start, contract_date__lte=end)


def tech_contract_turnover(*, region_code: str, start: dt.date, end: dt.date):
    return (_period(region_code, start, end).aggregate(s=Sum("price"))["s"] or Decimal("0")), None


def ip_transactions(*, region_code: str, start: dt.date, end: dt.date):
    return Decimal(_period(region_code, start, end).aggregate(n=Count("pk"))["n"]), None


def ip_equity_amount(*, region_code: str, start: dt.date, end: dt.date):
    total = _period(region_code, start, end).filter(kind=c.DealKind.EQUITY).aggregate(s=Sum("price"))["s"]
    return (total or Decimal("0")), None


#: What the cockpit shows for each metric (``TradeConfig.live_metric_info``): code → (label, kind, definition).
INFO = {
    "tech_contract_turnover": (_("技术合同成交额"), "amount",
                               _("本年签订的知识产权与技术交易合同的成交价格合计（已签约或已登记），按出让方所在区划；"
                                 "对应规划指标“技术合同成交额”。")),
    "ip_transactions": (_("知识产权交易笔数"), "count", _("本年签订的知识产权与技术交易合同笔数（转让、许可、作价入股）。")),
    "ip_equity_amount": (_("知识产权作价入股金额"), "amount", _("本年签订的作价入股合同的作价金额合计。")),
}
