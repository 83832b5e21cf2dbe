"""Services of the points app: runs store every result exactly as the engine's one-enterprise path
scores it; movements between runs; bad models, viewers and other regions refused with nothing
written; the marketplace reads the points as a feature."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kechuang.accounts.choices import Role
from kechuang.core.models import AuditEntry
from kechuang.engine.matching import load_eligibility
from kechuang.engine.points import PointsScorer, rank_within, record_facts
from kechuang.engine.points.model import DATA_DIR
from kechuang.enterprises.selectors import merged_facts
from kechuang.enterprises.tests.factories import regulator
from kechuang.marketplace.selectors import enterprise_features
from kechuang.points import metrics
from kechuang.points.adapter import end_of_day
from kechuang.points.error_codes import PointsErrorCode as E
from kechuang.points.models import PointsModel, PointsResult, PointsRun
from kechuang.points.selectors import engine_model
from kechuang.points.services import points_model_register, points_run_execute

from .factories import AS_OF, models, synthetic_region

pytestmark = pytest.mark.django_db


def _codes(exc: ValidationError) -> list[str]:
    return [e.code for errors in exc.error_dict.values() for e in errors]


def test_a_run_stores_what_the_one_enterprise_path_gives_for_every_enterprise():
    # given 240 synthetic enterprises and the national model
    ents = synthetic_region()
    national = models()["national"]
    admin = regulator("city-admin")
    # when the city is scored
    run = points_run_execute(region_code="370100", as_of=AS_OF, actor=admin, model=national)
    # then every enterprise has a result, equal to the one-enterprise path against the stored 对照库
    results = {r.enterprise_id: r for r in PointsResult.objects.filter(run=run)}
    assert (run.status, run.enterprises_total, len(results)) == ("succeeded", len(ents), len(ents))
    scorer = PointsScorer.from_reference(engine_model(national), run.reference)
    merged = merged_facts([e.pk for e in ents], at=end_of_day(AS_OF))
    peers: dict[tuple, list[float]] = {}
    for r in results.values():
        peers.setdefault((r.stage, r.region_code), []).append(float(r.points))
    differ = []
    for e in ents:
        one = scorer.score_one(record_facts(merged[e.pk].record, AS_OF))
        r = results[e.pk]
        stored = (float(r.points), r.stage, r.band, r.lifts, r.drags, r.next_band.get("band"), r.rank)
        expected = (one["points"], one["stage"], one["band"], one["lifts"], one["drags"], one["next"]["band"],
                    rank_within(one["points"], peers[(one["stage"], e.region_code)]))
        if stored != expected:
            differ.append((e.pk, stored, expected))
    assert differ == []
    assert run.band_counts == {b: sum(1 for r in results.values() if r.band == b) for b in run.band_counts}
    assert sum(run.band_counts.values()) == len(ents)
    entry = AuditEntry.objects.filter(object_type="points.pointsrun", object_id=str(run.pk)).get()
    assert (entry.action, entry.after["status"]) == ("update", "succeeded")


def test_movements_compare_each_enterprise_with_its_previous_result_of_the_model_family():
    ents = synthetic_region()
    national = models()["national"]
    admin = regulator("city-admin")
    district = points_run_execute(region_code="370102", as_of=AS_OF, actor=admin, model=national)
    city = points_run_execute(region_code="370100", as_of=AS_OF, actor=admin, model=national)
    first = {r.enterprise_id: r.points for r in PointsResult.objects.filter(run=district)}
    assert city.previous_id == district.pk
    rows = list(PointsResult.objects.filter(run=city).order_by("enterprise_id"))
    in_district = [r for r in rows if r.region_code == "370102"]
    assert len(in_district) == len(first) == sum(1 for e in ents if e.region_code == "370102")
    assert [(r.previous_points, r.movement) for r in in_district] == [
        (first[r.enterprise_id], r.points - first[r.enterprise_id]) for r in in_district]
    assert {(r.previous_points, r.movement) for r in rows if r.region_code != "370102"} == {(None, None)}


def test_a_model_whose_weights_do_not_sum_is_refused_and_nothing_is_written():
    text = (DATA_DIR / "national-2024.toml").read_text(encoding="utf-8").replace(
        'weights = { startup = 0.15, growth = 0.15, mature = 0.18 }', 'weights = { startup = 0.25, growth = 0.15, mature = 0.18 }', 1)
    admin = regulator("city-admin")
    audit_before = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as err:
        points_model_register(text=text, fmt="toml", actor=admin)
    assert _codes(err.value) == [E.BAD_MODEL]
    assert err.value.messages == ["模型不能载入：indicators of group tech: weights for stage startup sum to 1.1, not 1"]
    assert (PointsModel.objects.count(), AuditEntry.objects.count()) == (0, audit_before)


def test_a_version_is_registered_once():
    models()
    text = (DATA_DIR / "national-2024.toml").read_text(encoding="utf-8")
    with pytest.raises(ValidationError) as err:
        points_model_register(text=text, fmt="toml", actor=regulator("city-admin"))
    assert _codes(err.value) == [E.DUPLICATE_VERSION]
    assert PointsModel.objects.filter(code="national").count() == 1


def test_a_district_registers_only_its_own_local_model():
    text = (DATA_DIR / "local-licheng.toml").read_text(encoding="utf-8")
    with pytest.raises(ValidationError) as err:
        points_model_register(text=text, fmt="toml", actor=regulator("lixia", region="370102"))
    assert _codes(err.value) == [E.BAD_REGION]
    assert PointsModel.objects.count() == 0
    row = points_model_register(text=text, fmt="toml", actor=regulator("licheng", region="370112"))
    assert (row.scope, row.region_code, row.provisional_weights) == ("local", "370112", 18)
    entry = AuditEntry.objects.filter(object_type="points.pointsmodel", object_id=str(row.pk)).get()
    assert (entry.action, entry.after["version"], entry.after["scope"]) == ("create", "licheng-2026.1", "local")


def test_a_viewer_or_another_district_scores_nothing():
    synthetic_region(60)
    national = models()["national"]
    viewer = regulator("viewer", role=Role.VIEWER)
    with pytest.raises(PermissionDenied):
        points_run_execute(region_code="370100", as_of=AS_OF, actor=viewer, model=national)
    with pytest.raises(ValidationError) as err:
        points_run_execute(region_code="370100", as_of=AS_OF, actor=regulator("lixia", region="370102"), model=national)
    assert _codes(err.value) == [E.BAD_REGION]
    assert (PointsRun.objects.count(), PointsResult.objects.count()) == (0, 0)


def test_the_district_local_model_is_the_default_there():
    synthetic_region(120)
    ms = models()
    admin = regulator("city-admin")
    assert points_run_execute(region_code="370112", as_of=AS_OF, actor=admin).model_id == ms["licheng"].pk
    assert points_run_execute(region_code="370102", as_of=AS_OF, actor=admin).model_id == ms["national"].pk


def test_the_marketplace_reads_the_latest_points_as_a_feature():
    ents = synthetic_region(60)
    national = models()["national"]
    run = points_run_execute(region_code="370100", as_of=AS_OF, actor=regulator("city-admin"), model=national)
    e = ents[0]
    pts = PointsResult.objects.get(run=run, enterprise=e).points
    assert enterprise_features(e)["innovation_points"] == float(pts)
    elig = load_eligibility([{"id": "p", "kind": "condition", "title": "创新积分不低于40分",
                              "feature": "innovation_points", "op": ">=", "value": 40}])
    assert [c.feature for c in elig.conditions()] == ["innovation_points"]


def test_live_metrics_read_the_latest_run_covering_the_region():
    ents = synthetic_region(80)
    run = points_run_execute(region_code="370100", as_of=AS_OF, actor=regulator("city-admin"), model=models()["national"])
    today = timezone.localdate()
    in_district = PointsResult.objects.filter(run=run, region_code="370102")
    n = sum(1 for e in ents if e.region_code == "370102")
    assert metrics.points_enterprises_scored(region_code="370102", start=today, end=today) == (n, None)
    assert metrics.points_band_a_share(region_code="370102", start=today, end=today) == (
        in_district.filter(band="A").count(), n)
    assert metrics.points_enterprises_scored(region_code="370102", start=AS_OF, end=AS_OF) == (0, None)
