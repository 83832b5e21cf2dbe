"""Test data for the rating app: synthetic enterprises learned before the rating date, their
synthetic outcomes, a trained champion."""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone

from kechuang.enterprises.models import Enterprise
from kechuang.enterprises.tests.factories import load, regulator
from kechuang.rating.choices import ModelStatus
from kechuang.rating.services import default_outcomes_load, rating_model_promote, rating_model_train
from kechuang.synthetic import generate, generate_outcomes

AS_OF = date(2026, 11, 22)
RECORDED = timezone.make_aware(datetime(2026, 3, 1, 9, 0))
SEED = 20221


def synthetic_region(n: int = 400) -> list[Enterprise]:
    recs = list(generate(n, seed=SEED, as_of=AS_OF))
    load(recs, recorded_at=RECORDED)
    return list(Enterprise.objects.filter(uscc__in=[r["uscc"] for r in recs]).order_by("pk"))


def outcomes(n: int = 400, *, as_of: date = AS_OF, actor="test") -> int:
    rows = [(o["uscc"], int(o["defaulted"])) for o in generate_outcomes(n, seed=SEED, as_of=AS_OF)]
    return default_outcomes_load(rows=rows, as_of=as_of, horizon_months=12, source="test",
                                 actor=actor, is_synthetic=True)


def champion_model(n: int = 400):
    """A region of ``n`` synthetic enterprises, their outcomes and a champion trained by one
    administrator and promoted by another (four eyes)."""
    synthetic_region(n)
    outcomes(n)
    admin = regulator("model-admin")
    model = rating_model_train(as_of=AS_OF, actor=regulator("model-trainer"), is_synthetic=True)
    return rating_model_promote(model=model, status=ModelStatus.CHAMPION, actor=admin), admin
