"""Test data of the points app: synthetic enterprises known before the scoring date, the bundled
models registered."""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone

from kechuang.enterprises.models import Enterprise
from kechuang.enterprises.tests.factories import load
from kechuang.points.models import PointsModel
from kechuang.points.services import bundled_models_register
from kechuang.synthetic import generate

AS_OF = date(2026, 11, 22)
RECORDED = timezone.make_aware(datetime(2026, 3, 1, 9, 0))
SEED = 31415


def synthetic_region(n: int = 240) -> list[Enterprise]:
    recs = list(generate(n, seed=SEED, as_of=AS_OF))
    load(recs, recorded_at=RECORDED)
    return list(Enterprise.objects.filter(uscc__in=[r["uscc"] for r in recs]).order_by("pk"))


def models(actor="test") -> dict[str, PointsModel]:
    bundled_models_register(actor=actor)
    return {m.code: m for m in PointsModel.objects.all()}
