"""Live indicators this app computes from platform data, each ``fn(*, region_code, start, end)
-> (numerator, denominator | None)``, declared on ``TargetsConfig.live_metrics``. They read other
apps' models only (never write); ``region_code`` 370100 covers its districts 3701xx."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from kechuang.accounts.models import within_region
from kechuang.enterprises.models import Consent, Enterprise
from kechuang.evaluation.choices import ResultStatus, Standard
from kechuang.evaluation.models import EvaluationResult, TierPlacement
from kechuang.evaluation.selectors import latest_run_covering
from kechuang.ingest.models import ImportRun


def _aware(day: dt.date, *, end: bool = False) -> dt.datetime:
    moment = dt.datetime.combine(day + dt.timedelta(days=1) if end else day, dt.time.min)
    return timezone.make_aware(moment)


def enterprises_on_platform(*, region_code: str, start: dt.date, end: dt.date):
    """Enterprises registered on the platform by the end of the period (a stock; no denominator)."""
    n = Enterprise.objects.market_entities().filter(within_region(region_code), created_at__lt=_aware(end, end=True)).count()
    return Decimal(n), None


def enterprises_new(*, region_code: str, start: dt.date, end: dt.date):
    """Enterprises that joined the platform within the period."""
    n = Enterprise.objects.market_entities().filter(within_region(region_code), created_at__gte=_aware(start),
                                  created_at__lt=_aware(end, end=True)).count()
    return Decimal(n), None


def _tier_share(tier_min: int):
    def metric(*, region_code: str, start: dt.date, end: dt.date):
        run = latest_run_covering(region_code, end)
        if run is None:
            return Decimal(0), Decimal(0)
        qs = TierPlacement.objects.filter(within_region(region_code), run=run)
        return Decimal(qs.filter(tier_rank__gte=tier_min).count()), Decimal(qs.count())
    metric.__doc__ = f"Enterprises at tier rank ≥ {tier_min} in the latest finished evaluation run covering the region, of all placed."
    return metric


tier_ladder_any = _tier_share(1)
tier_srdi_or_above = _tier_share(2)
tier_little_giant = _tier_share(3)


def tier_srdi_or_above_objective(*, region_code: str, start: dt.date, end: dt.date):
    """Enterprises meeting every objective condition of 专精特新中小企业 or “小巨人” in the latest finished
    run covering the region (``met``, or ``manual_review``: only a person's item left, such as market
    position), of all placed. The tier share counts ``met`` only, which these standards give after
    that review, so on the engine's verdict alone it stays 0; this is what the data can show."""
    run = latest_run_covering(region_code, end)
    if run is None:
        return Decimal(0), Decimal(0)
    placed = TierPlacement.objects.filter(within_region(region_code), run=run)
    n = (EvaluationResult.objects.filter(run=run, enterprise_id__in=placed.values("enterprise_id"),
                                         standard__in=(Standard.SRDI_SME, Standard.LITTLE_GIANT),
                                         status__in=(ResultStatus.MET, ResultStatus.MANUAL_REVIEW))
         .values("enterprise_id").distinct().count())
    return Decimal(n), Decimal(placed.count())


def consents_granted(*, region_code: str, start: dt.date, end: dt.date):
    """Consents granted within the period by enterprises of the region, of which still active at
    the period's end is the numerator; the denominator is all granted (an active-consent rate)."""
    qs = Consent.objects.filter(within_region(region_code, "enterprise__region_code"),
                                valid_from__gte=_aware(start), valid_from__lt=_aware(end, end=True))
    return Decimal(qs.active(_aware(end, end=True)).count()), Decimal(qs.count())


def imports_applied(*, region_code: str, start: dt.date, end: dt.date):
    """Import runs applied within the period (platform-wide: imports have no region), of all runs."""
    qs = ImportRun.objects.filter(created_at__gte=_aware(start), created_at__lt=_aware(end, end=True))
    return Decimal(qs.filter(status="applied").count()), Decimal(qs.count())
