"""Rating services: features as of a date, training with its errors, promotion, runs."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kechuang.accounts.choices import Role
from kechuang.core.models import AuditEntry
from kechuang.enterprises.models import Enterprise
from kechuang.enterprises.tests.factories import bank, load, record, regulator
from kechuang.engine.rating import features_frame
from kechuang.engine.rating.training import holdout_mask
from kechuang.rating.adapter import records_as_of
from kechuang.rating.choices import ModelStatus, RunStatus
from kechuang.rating.error_codes import RatingErrorCode as E
from kechuang.rating.models import DefaultOutcome, RatingModel, RatingResult, RatingRun
from kechuang.rating.selectors import enterprise_features, score_enterprise
from kechuang.rating.services import (default_outcomes_load, rating_model_promote, rating_model_train,
                                      rating_run_create, rating_run_execute)

from .factories import AS_OF, RECORDED, champion_model, outcomes, synthetic_region

pytestmark = pytest.mark.django_db


def test_given_a_fact_recorded_after_the_rating_date_then_the_features_on_that_date_do_not_change():
    load([record(1)], recorded_at=RECORDED)
    ent = Enterprise.objects.get()
    before = enterprise_features(ent, AS_OF)
    # the next day a feed reports heavy debt and a court judgment for the same enterprise
    later = timezone.make_aware(datetime(2026, 11, 23, 10, 0))
    changed = record(1)
    changed["years"][-1] = changed["years"][-1] | {"total_liabilities": 50_000_000, "tax_credit_grade": "D"}
    changed["judgments"] = [{"case_number": "（2026）鲁0102民初1号", "decided_on": "2026-11-01",
                             "role": "defendant", "kind": "civil", "amount": 10000}]
    load([changed], recorded_at=later)
    assert enterprise_features(ent, AS_OF) == before
    after = enterprise_features(ent, AS_OF + timedelta(days=1))
    assert after["leverage"] == pytest.approx(50 / 52)
    assert after["tax_credit_grade"] == "D" and before["tax_credit_grade"] == "B"
    assert after["judgments_3y"] == 1.0 and before["judgments_3y"] is None


def test_given_outcomes_when_trained_then_a_candidate_with_its_report_is_registered_and_audited():
    synthetic_region(400)
    assert outcomes(400) == 400
    admin = regulator("trainer")
    model = rating_model_train(as_of=AS_OF, actor=admin, is_synthetic=True)
    assert model.status == ModelStatus.CANDIDATE and model.version == 1
    rows = list(DefaultOutcome.objects.order_by("enterprise__uscc").values_list("enterprise__uscc", "defaulted"))
    held = holdout_mask([u for u, _d in rows])
    assert 80 < held.sum() < 160  # about 30 % held out, by code
    assert model.n_rows == 400 - held.sum()
    assert model.n_events == sum(d for (_u, d), h in zip(rows, held, strict=True) if not h)
    validation = model.report["validation"]
    assert validation["rows"] == held.sum()
    assert validation["events"] == sum(d for (_u, d), h in zip(rows, held, strict=True) if h)
    # (on 400 firms with ~16 defaults the hold-out AUC is noise; the engine's test checks it on 3,000)
    assert {f["feature"] for f in model.report["features"] if f["selection"] == "kept"} == set(model.features)
    assert 0.6 < float(model.auc) < 1.0
    assert model.trained_by == admin
    entry = AuditEntry.objects.get(object_type="rating.ratingmodel", object_id=str(model.pk))
    assert entry.after["version"] == 1


@pytest.mark.parametrize("label,defaulted,code", [
    ("one class", lambda i: 0, "target_one_class"),
])
def test_given_a_one_class_target_when_training_then_a_clear_error_and_nothing_stored(label, defaulted, code):
    ents = synthetic_region(60)
    default_outcomes_load(rows=[(e.uscc, defaulted(i)) for i, e in enumerate(ents)], as_of=AS_OF,
                          horizon_months=12, source="t", actor="test")
    with pytest.raises(ValidationError) as err:
        rating_model_train(as_of=AS_OF, actor="test")
    assert err.value.error_list[0].code == E.TRAINING_FAILED
    assert code in err.value.messages[0] and "只有一类结果" in err.value.messages[0]
    assert not RatingModel.objects.exists()


def test_given_too_few_rows_when_training_then_too_few_rows_is_named():
    ents = synthetic_region(12)
    default_outcomes_load(rows=[(e.uscc, i % 2) for i, e in enumerate(ents)], as_of=AS_OF,
                          horizon_months=12, source="t", actor="test")
    with pytest.raises(ValidationError) as err:
        rating_model_train(as_of=AS_OF, actor="test")
    assert "too_few_rows" in err.value.messages[0] and "样本太少" in err.value.messages[0]
    assert not RatingModel.objects.exists()


def test_given_no_outcomes_when_training_then_no_outcomes_error():
    synthetic_region(5)
    with pytest.raises(ValidationError) as err:
        rating_model_train(as_of=AS_OF, actor="test")
    assert err.value.error_dict["as_of"][0].code == E.NO_OUTCOMES


def test_given_bad_outcome_rows_then_each_is_named_and_nothing_written():
    ents = synthetic_region(3)
    rows = [(ents[0].uscc, 1), ("91370102MA99999999", 0), (ents[1].uscc, "yes"), (ents[0].uscc, 0)]
    with pytest.raises(ValidationError) as err:
        default_outcomes_load(rows=rows, as_of=AS_OF, horizon_months=12, source="t", actor="test")
    messages = err.value.messages
    assert [m.split("：")[0] for m in messages] == ["第 2 行", "第 3 行", "第 4 行"]
    assert not DefaultOutcome.objects.exists()


def test_given_a_bank_or_an_officer_when_promoting_then_denied_and_nothing_changes():
    model, _admin = champion_model(300)
    candidate = rating_model_train(as_of=AS_OF, actor="test")
    for user in (bank("b1"), regulator("off", role=Role.OFFICER)):
        with pytest.raises(PermissionDenied):
            rating_model_promote(model=candidate, status=ModelStatus.CHAMPION, actor=user)
    candidate.refresh_from_db()
    model.refresh_from_db()
    assert candidate.status == ModelStatus.CANDIDATE and model.status == ModelStatus.CHAMPION


def test_given_a_new_champion_then_the_old_one_retires_and_the_approver_is_recorded():
    model, admin = champion_model(300)
    candidate = rating_model_train(as_of=AS_OF, actor=regulator("second-trainer"))  # four eyes
    rating_model_promote(model=candidate, status=ModelStatus.CHAMPION, actor=admin)
    model.refresh_from_db()
    candidate.refresh_from_db()
    assert model.status == ModelStatus.RETIRED
    assert candidate.status == ModelStatus.CHAMPION and candidate.approved_by == admin
    with pytest.raises(ValidationError):
        rating_model_promote(model=model, status=ModelStatus.CHAMPION, actor=admin)


def test_given_a_champion_when_a_region_is_rated_then_every_enterprise_has_a_stored_result():
    model, admin = champion_model(400)
    run = rating_run_create(as_of=AS_OF, region_code="370100", actor=admin)
    run = rating_run_execute(run=run, actor=admin)
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert run.enterprises_total == 400 == RatingResult.objects.filter(run=run).count()
    assert sum(run.grade_counts.values()) == 400
    assert set(run.grade_counts) == {"AAA", "AA", "A", "BBB", "BB", "B", "CCC", "CC", "C"}
    assert "score_psi" in run.monitoring and run.alert is False  # same population as development
    result = RatingResult.objects.filter(run=run).order_by("-pd").first()
    assert set(result.points) == set(model.features)
    assert result.reasons and all(r["text"] and r["points_lost"] > 0 for r in result.reasons)
    # the stored result equals online scoring of the same enterprise on the same date
    online = score_enterprise(enterprise=result.enterprise, as_of=AS_OF)
    assert online["grade"] == result.grade
    assert float(result.pd) == pytest.approx(online["pd"], abs=1e-8)
    assert [r["code"] for r in online["reasons"]] == [r["code"] for r in result.reasons]


def test_given_no_champion_when_creating_a_run_then_no_champion_error():
    with pytest.raises(ValidationError) as err:
        rating_run_create(as_of=AS_OF, region_code="370100", actor="test")
    assert err.value.error_dict["model"][0].code == E.NO_CHAMPION
    assert not RatingRun.objects.exists()


def test_given_a_future_date_then_refused():
    admin = regulator("r")
    with pytest.raises(ValidationError):
        rating_run_create(as_of=timezone.localdate() + timedelta(days=1), region_code="370100", actor=admin)


def test_features_from_database_values_equal_those_from_json_values():
    ents = synthetic_region(80)
    ids = [e.pk for e in ents]
    raw = [r for part in records_as_of(ids, as_of=AS_OF) for _eid, r in part]
    js = [r for part in records_as_of(ids, as_of=AS_OF, jsonable=True) for _eid, r in part]
    assert len(raw) == 80
    assert features_frame(raw, AS_OF).equals(features_frame(js, AS_OF))
