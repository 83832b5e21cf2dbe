"""The demo step: trains on the synthetic outcomes, promotes a champion, rates the region, once."""

from __future__ import annotations

import pytest

from kechuang.enterprises.models import SourceBatch
from kechuang.enterprises.tests.factories import load
from kechuang.rating.choices import ModelStatus
from kechuang.rating.jobs import demo_step
from kechuang.rating.models import DefaultOutcome, RatingModel, RatingResult, RatingRun
from kechuang.synthetic import generate

from .factories import AS_OF, RECORDED, SEED

pytestmark = pytest.mark.django_db


def test_given_no_demo_data_then_the_step_does_nothing():
    assert demo_step() == {"skipped": "no synthetic demo data"}
    assert not RatingModel.objects.exists()


def test_given_the_demo_region_then_a_synthetic_champion_rates_it_once():
    batch, _stats = load(list(generate(300, seed=SEED, as_of=AS_OF)), source_code="synthetic-demo",
                         recorded_at=RECORDED)
    SourceBatch.objects.filter(pk=batch.pk).update(
        file_name=f"jinan-300-{SEED}-{AS_OF.isoformat()}-synthetic.jsonl")
    out = demo_step()
    model = RatingModel.objects.get()
    assert model.status == ModelStatus.CHAMPION and model.is_synthetic and "合成数据" in model.note
    assert DefaultOutcome.objects.filter(is_synthetic=True).count() == 300
    run = RatingRun.objects.get()
    assert run.is_synthetic and run.status == "succeeded" and out["rated"] == 300
    assert RatingResult.objects.filter(run=run).count() == 300
    assert demo_step() == {"skipped": "already done"}
    assert RatingModel.objects.count() == 1 and RatingRun.objects.count() == 1
