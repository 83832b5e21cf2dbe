"""Live metrics of the points app for the targets cockpit: ``fn(*, region_code, start, end) ->
(numerator, denominator | None)``, read from the latest succeeded run finished in the period whose
region covers ``region_code`` (the region's own run, its city's or its province's)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Avg
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kechuang.accounts.models import within_region

from .choices import RunStatus
from .models import PointsResult, PointsRun


def _covering(region_code: str) -> list[str]:
    return list(dict.fromkeys([region_code, region_code[:4] + "00", region_code[:2] + "0000"]))


def _results(region_code: str, start: dt.date, end: dt.date):
    tz = timezone.get_current_timezone()
    a = dt.datetime.combine(start, dt.time(), tzinfo=tz)
    b = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    run = (PointsRun.objects.filter(status=RunStatus.SUCCEEDED, finished_at__gte=a, finished_at__lt=b,
                                    region_code__in=_covering(region_code))
           .order_by("-finished_at", "-pk").first())
    if run is None:
        return None, PointsResult.objects.none()
    return run, PointsResult.objects.filter(run=run).filter(within_region(region_code))


def points_enterprises_scored(*, region_code: str, start: dt.date, end: dt.date):
    _run, qs = _results(region_code, start, end)
    return Decimal(qs.count()), None


def points_mean(*, region_code: str, start: dt.date, end: dt.date):
    _run, qs = _results(region_code, start, end)
    mean = qs.aggregate(m=Avg("points"))["m"]
    return (Decimal(f"{mean:.2f}") if mean is not None else Decimal(0)), None


def points_band_a_share(*, region_code: str, start: dt.date, end: dt.date):
    """Share of the region's scored enterprises in the top band."""
    _run, qs = _results(region_code, start, end)
    return Decimal(qs.filter(band="A").count()), Decimal(qs.count())


#: What the cockpit shows for each metric (``PointsConfig.live_metric_info``): code → (label, kind, definition).
INFO = {
    "points_enterprises_scored": (_("创新积分覆盖企业数"), "count", _("期内最近一次已完成的积分批次中本区域的企业数。")),
    "points_mean": (_("平均创新积分"), "auto", _("期内最近一次已完成的积分批次中本区域企业的平均积分。")),
    "points_band_a_share": (_("创新积分A档企业占比"), "rate",
                            _("期内最近一次积分批次中本区域处于A档的企业数 ÷ 本区域参评企业数。")),
}
