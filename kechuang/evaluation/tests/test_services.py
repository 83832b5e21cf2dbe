"""Runs: what they store, no look-ahead, bad input, failures, the job, the ladder."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kechuang.core.models import AuditEntry
from kechuang.core.services import job_run_pending
from kechuang.engine.facts.uscc import make_uscc
from kechuang.engine.qualification import evaluate_record, ladder
from kechuang.enterprises.models import Enterprise
from kechuang.enterprises.tests.factories import load, record, regulator
from kechuang.evaluation import services
from kechuang.evaluation.error_codes import EvaluationErrorCode as E
from kechuang.evaluation.models import EvaluationResult, EvaluationRun, TierPlacement
from kechuang.evaluation.selectors import enterprise_record
from kechuang.evaluation.services import evaluation_run_create, evaluation_run_execute

from .factories import AS_OF, RECORDED, finished_run, load_golden, region

pytestmark = pytest.mark.django_db

FAMILIES = {"gazelle-sd": "gazelle-sd-2020", "hnte": "hnte-2016", "innovative-sme": "innovative-sme-2022",
            "little-giant": "little-giant-2026", "srdi-sme": "srdi-sme-2026",
            "star-market": "star-market-2024", "tsme": "tsme-2017"}


def test_region_run_stores_every_result_placement_versions_and_one_audit_entry():
    ents = region(3, "370102") + region(1, "370112", start=10)
    region(1, "370203", start=20)  # Qingdao: outside the run's region
    # a university in the region (registration authority 1): it holds IP in the theme database but is
    # no enterprise to evaluate
    load([record(30, "370102", uscc=make_uscc("370102", "000000030", authority="1", kind="2"), name="示范大学")])
    reg = regulator("city")

    run = finished_run(actor=reg)

    assert run.status == "succeeded"
    assert run.versions == FAMILIES
    assert [r["id"] for r in run.rules] == sorted(FAMILIES.values())
    assert (run.enterprises_total, run.results_total) == (4, 28)
    assert set(EvaluationResult.objects.filter(run=run).values_list("enterprise_id", flat=True)) == {e.pk for e in ents}
    assert TierPlacement.objects.filter(run=run).count() == 4
    assert sum(run.counts["tiers"].values()) == 4
    entries = AuditEntry.objects.filter(object_type="evaluation.evaluationrun", object_id=str(run.pk))
    assert sorted(entries.values_list("action", flat=True)) == ["create", "update"]


def test_stored_results_and_placements_agree_with_the_one_enterprise_path():
    ent = load_golden("tsme-base")
    run = finished_run()

    record_ = enterprise_record(enterprise=ent, as_of=AS_OF)
    live = evaluate_record(record_, AS_OF)
    stored = {r.standard: r for r in EvaluationResult.objects.filter(run=run, enterprise=ent)}
    for res in live:
        got = stored[res["standard"]]
        assert (got.version, got.status, got.route) == (res["version"], res["status"], res["route"])
        assert (float(got.score) if got.score is not None else None) == res["score"]
    expected = ladder(live)
    placement = TierPlacement.objects.get(run=run, enterprise=ent)
    assert (placement.tier, placement.tier_rank, placement.flags) == (expected["tier"], 1, expected["flags"])
    assert (placement.next_standard, placement.failing, placement.unknown) == (
        expected["next"]["standard"], expected["next"]["failing"], expected["next"]["unknown"])
    assert stored["tsme"].status == "met" and float(stored["tsme"].score) == 100


def test_a_run_uses_only_what_was_known_at_the_end_of_its_day():
    old = record(1)
    load([old], recorded_at=RECORDED)
    new = record(1)
    new["years"][2]["tech_staff"] = 5
    load([new], recorded_at=timezone.make_aware(timezone.datetime(2026, 9, 1, 12, 0)))
    ent = Enterprise.objects.get(uscc=old["uscc"])

    assert enterprise_record(enterprise=ent, as_of=date(2026, 8, 31))["years"][2]["tech_staff"] == 30
    assert enterprise_record(enterprise=ent, as_of=date(2026, 9, 1))["years"][2]["tech_staff"] == 5


@pytest.mark.parametrize(("kwargs", "field", "code"), [
    pytest.param({"as_of": timezone.localdate() + timedelta(days=1)}, "as_of", E.FUTURE_DATE, id="future-date"),
    pytest.param({"standards": ["tsme", "no-such-standard"]}, "standard", E.UNKNOWN_STANDARD, id="unknown-standard"),
    pytest.param({"region_code": "999999"}, "region_code", E.BAD_REGION, id="unknown-region"),
    pytest.param({"region_code": "370200"}, "region_code", E.BAD_REGION, id="outside-own-region"),
])
def test_bad_run_requests_are_refused_with_their_code_and_nothing_is_created(kwargs, field, code):
    reg = regulator("city")
    args = {"as_of": AS_OF, "region_code": "370100", "actor": reg} | kwargs

    with pytest.raises(ValidationError) as exc:
        evaluation_run_create(**args)

    assert exc.value.error_dict[field][0].code == code
    assert EvaluationRun.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_a_failed_run_stores_nothing_and_says_why(monkeypatch):
    region(2)
    reg = regulator("city")
    run = evaluation_run_create(as_of=AS_OF, actor=reg, region_code="370100")

    def boom(*args, **kwargs):
        raise RuntimeError("engine exploded")

    monkeypatch.setattr(services, "evaluate_batch", boom)
    run = evaluation_run_execute(run=run, actor=reg)

    assert (run.status, run.error) == ("failed", "engine exploded")
    assert EvaluationResult.objects.count() == 0 and TierPlacement.objects.count() == 0


def test_run_in_chunks_gives_the_same_results_as_one_batch():
    region(5)
    reg = regulator("city")
    one = finished_run(actor=reg)
    run = evaluation_run_create(as_of=AS_OF, actor=reg, region_code="370100")
    chunked = evaluation_run_execute(run=run, actor=reg, chunk_size=2)

    def rows(r):
        return sorted(EvaluationResult.objects.filter(run=r).values_list("enterprise_id", "standard", "status", "score"))

    assert rows(chunked) == rows(one)


def test_run_now_queues_a_job_that_a_worker_executes():
    region(2)
    reg = regulator("city")

    run = evaluation_run_create(as_of=AS_OF, actor=reg, region_code="370102", enqueue=True)
    assert run.job.kind == "evaluation.run"
    assert job_run_pending() == 1

    run.refresh_from_db()
    assert (run.status, run.enterprises_total, run.job.status) == ("succeeded", 2, "succeeded")


def test_stored_json_columns_come_back_as_objects_equal_to_the_engine_output(monkeypatch):
    # the rows are written as text (COPY on PostgreSQL): JSON must not come back double-encoded
    monkeypatch.setattr(services, "CLOSE_FOR_GAPS", 50)  # store this enterprise's gaps
    ent = load_golden("tsme-staff-below-10pct")
    run = finished_run(standards=["tsme"])

    record_ = enterprise_record(enterprise=ent, as_of=AS_OF)
    live = {r["standard"]: r for r in evaluate_record(record_, AS_OF, ["tsme"])}
    tsme = EvaluationResult.objects.get(run=run, enterprise=ent, standard="tsme")
    assert isinstance(tsme.clauses, dict) and set(tsme.clauses) == {c["id"] for c in live["tsme"]["clauses"]}
    statuses = {c["id"]: ("met", "manual_review", "unknown", "unmet")[v["s"]] for c, v in
                ((c, tsme.clauses[c["id"]]) for c in live["tsme"]["clauses"])}
    assert statuses == {c["id"]: c["status"] for c in live["tsme"]["clauses"]}
    placement = TierPlacement.objects.get(run=run, enterprise=ent)
    assert isinstance(placement.flags, dict) and isinstance(placement.closeness, dict)
    stored_gaps = [r.gaps for r in EvaluationResult.objects.filter(run=run, enterprise=ent)]
    assert all(isinstance(g, list) for g in stored_gaps)
    assert placement.next_standard == "tsme"
    nxt = EvaluationResult.objects.get(run=run, enterprise=ent, standard=placement.next_standard)
    assert nxt.gaps == live[placement.next_standard]["gaps"] != []
