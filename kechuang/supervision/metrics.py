"""The supervision app's live metrics for the plans (``SupervisionConfig.live_metrics``):
``fn(*, region_code, start, end) -> (numerator, denominator | None)`` in ``Decimal``; the region is
read as a prefix (370100 → Jinan's districts).

- lfo_in_breach (地方金融组织超限占比): organisations licensed by ``end`` and not deregistered whose
  latest report with a period ending by ``end`` has a breach of a binding limit ÷ those organisations.
- lfo_overdue_rectifications (逾期未整改检查数): inspections requiring rectification whose deadline
  passed before ``end`` and that were not rectified by ``end``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import OuterRef, Q, Subquery

from kechuang.accounts.models import within_region

from . import choices as c
from .models import Inspection, PeriodicReport, RatioBreach, SupervisedOrg


def lfo_in_breach(*, region_code: str, start: dt.date, end: dt.date) -> tuple[Decimal, Decimal]:
    orgs = SupervisedOrg.objects.filter(within_region(region_code), licence_date__lte=end).exclude(
        status=c.OrgStatus.DEREGISTERED)
    latest = PeriodicReport.objects.filter(org=OuterRef("pk"), period_end__lte=end).order_by("-period_end", "-pk")
    with_latest = orgs.annotate(latest=Subquery(latest.values("pk")[:1])).exclude(latest=None)
    breached = RatioBreach.objects.filter(binding=True, report_id__in=with_latest.values("latest")).values("org_id")
    return Decimal(orgs.filter(pk__in=breached).count()), Decimal(orgs.count())


def lfo_overdue_rectifications(*, region_code: str, start: dt.date, end: dt.date) -> tuple[Decimal, None]:
    rows = Inspection.objects.filter(within_region(region_code, "org__region_code"), rectification_required=True,
                                     deadline__lt=end).filter(Q(closed_on__isnull=True) | Q(closed_on__gt=end))
    return Decimal(rows.count()), None
