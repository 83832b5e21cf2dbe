"""The REST API: one enterprise evaluated live against the engine's golden cases, what-if, runs."""

import datetime as dt
import json

import pytest
from rest_framework.test import APIClient

from kechuang.core.models import AuditEntry, Job
from kechuang.enterprises.tests.factories import bank, regulator
from kechuang.evaluation.error_codes import EvaluationErrorCode as E
from kechuang.evaluation.models import EvaluationRun

from .factories import GOLDEN_USCC, finished_run, golden, load_golden, region

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    c = APIClient()
    c.force_authenticate(user)
    return c


@pytest.mark.parametrize("name", ["tsme-base", "tsme-staff-below-10pct", "tsme-missing-employees",
                                  "hnte-met-77", "isme-base", "star-2024-six-patents"])
def test_one_enterprise_result_equals_the_engine_golden_case(name):
    case = golden(name)
    load_golden(name)
    reg = regulator("city")

    response = client_for(reg).get(f"/api/enterprises/{GOLDEN_USCC}/evaluation/",
                                   {"as_of": case["as_of"], "standard": case["standard"]})

    assert response.status_code == 200
    [result] = response.json()["results"]
    assert result == case["result"] | {"uscc": GOLDEN_USCC}


def test_all_standards_give_the_ladder_and_name_the_missing_fact():
    load_golden("tsme-missing-employees")
    reg = regulator("city")

    body = client_for(reg).get(f"/api/enterprises/{GOLDEN_USCC}/evaluation/", {"as_of": "2026-11-22"}).json()

    assert {r["standard"]: r["status"] for r in body["results"]}["tsme"] == "unknown"
    tsme = next(r for r in body["results"] if r["standard"] == "tsme")
    assert tsme["gaps"][0]["needed"].startswith("缺少事实：years[2025].employees")
    assert body["ladder"]["tier"] == "tech-innovative-sme"  # innovative-sme is still met
    assert len(body["results"]) == 7


def test_a_bad_date_is_400_naming_the_field():
    load_golden("tsme-base")
    response = client_for(regulator("city")).get(f"/api/enterprises/{GOLDEN_USCC}/evaluation/",
                                                 {"as_of": "2026-13-01"})

    assert response.status_code == 400
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [("as_of", "invalid")]


def test_an_unknown_standard_is_400_unknown_standard():
    load_golden("tsme-base")
    response = client_for(regulator("city")).get(f"/api/enterprises/{GOLDEN_USCC}/evaluation/",
                                                 {"standard": "nonsense"})

    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "standard", "code": E.UNKNOWN_STANDARD,
                                          "message": "unknown standard or family 'nonsense'"}]


def test_what_if_shows_the_status_change_and_saves_nothing():
    load_golden("tsme-staff-below-10pct")
    reg = regulator("city")
    audit_before = AuditEntry.objects.count()

    response = client_for(reg).post(
        f"/api/enterprises/{GOLDEN_USCC}/evaluation/what-if/",
        {"as_of": "2026-11-22", "standards": ["tsme"], "changes": {"years[2025].tech_staff": 10}}, format="json")

    assert response.status_code == 200
    assert response.json()["changed"] == [{"standard": "tsme", "version": "tsme-2017", "before": "unmet",
                                           "after": "met", "score_before": 80, "score_after": 84}]
    assert AuditEntry.objects.count() == audit_before  # a regulator's read is not an institution's


def test_what_if_bad_path_is_400_bad_change():
    load_golden("tsme-base")
    response = client_for(regulator("city")).post(
        f"/api/enterprises/{GOLDEN_USCC}/evaluation/what-if/",
        {"changes": {"years[x].employees": 1}}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == E.BAD_CHANGE


def test_create_run_queues_a_job_and_results_filter_by_status():
    region(3)
    reg = regulator("city")
    c = client_for(reg)

    response = c.post("/api/evaluation-runs/", {"region_code": "370100", "as_of": "2026-11-22",
                                                "standards": ["tsme"]}, format="json")

    assert response.status_code == 202
    run = EvaluationRun.objects.get(pk=response.json()["id"])
    assert Job.objects.get(pk=run.job_id).kind == "evaluation.run"
    done = finished_run(actor=reg, standards=["tsme"])
    # the factory's records do not say whether the sector is restricted, nor the sales revenue
    unknown = c.get(f"/api/evaluation-runs/{done.pk}/results/", {"status": "unknown"}).json()
    assert unknown["count"] == 3 and {r["standard"] for r in unknown["results"]} == {"tsme"}
    assert c.get(f"/api/evaluation-runs/{done.pk}/results/", {"status": "met"}).json()["count"] == 0


def test_runs_are_for_the_regulator_only():
    b = bank()
    assert client_for(b).get("/api/evaluation-runs/").status_code == 403
    assert client_for(b).post("/api/evaluation-runs/", {"region_code": "370100", "as_of": "2026-11-22"},
                              format="json").status_code == 403
    assert EvaluationRun.objects.count() == 0


def test_another_regions_regulator_cannot_run_ours():
    other = regulator("qingdao", region="370200")
    response = client_for(other).post("/api/evaluation-runs/", {"region_code": "370100", "as_of": "2026-11-22"},
                                      format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == E.BAD_REGION


def test_the_fast_payload_equals_the_documented_serializer():
    from kechuang.enterprises.models import Enterprise
    from kechuang.evaluation.api.serializers import EnterpriseEvaluationSerializer, evaluation_payload
    from kechuang.evaluation.selectors import enterprise_evaluation

    load_golden("tsme-missing-employees")
    payload = enterprise_evaluation(enterprise=Enterprise.objects.get(uscc=GOLDEN_USCC),
                                    as_of=dt.date(2026, 11, 22))

    fast = evaluation_payload(payload)
    slow = EnterpriseEvaluationSerializer(payload).data
    assert fast == json.loads(json.dumps(slow))
    assert any(r["gaps"] for r in fast["results"])


def test_gaps_none_skips_the_gap_search_and_a_bad_value_is_400():
    load_golden("tsme-missing-employees")
    c = client_for(regulator("city"))
    url = f"/api/enterprises/{GOLDEN_USCC}/evaluation/"

    with_gaps = c.get(url, {"as_of": "2026-11-22"}).json()
    without = c.get(url, {"as_of": "2026-11-22", "gaps": "none"}).json()

    assert any(r["gaps"] for r in with_gaps["results"])
    assert all(r["gaps"] == [] for r in without["results"])
    assert [r["status"] for r in without["results"]] == [r["status"] for r in with_gaps["results"]]
    bad = c.get(url, {"gaps": "some"})
    assert bad.status_code == 400 and "gaps" in str(bad.json())


def test_batch_of_posted_records_gives_the_engine_results_in_order():
    from kechuang.engine.qualification import evaluate_record
    from kechuang.enterprises.tests.factories import bank

    cases = [golden("tsme-base"), golden("tsme-staff-below-10pct")]
    records = [c["record"] for c in cases]

    response = client_for(bank()).post("/api/evaluation-runs/evaluate/",
                                       {"as_of": "2026-11-22", "standards": ["tsme", "hnte"], "records": records},
                                       format="json")

    assert response.status_code == 200
    body = response.json()
    expected = [r for rec in records for r in evaluate_record(rec, "2026-11-22", ["tsme", "hnte"])]
    assert body["results"] == json.loads(json.dumps(expected))
    assert [r["status"] for r in body["results"] if r["standard"] == "tsme"] == ["met", "unmet"]


def test_batch_with_a_bad_record_names_it_and_evaluates_nothing():
    good = golden("tsme-base")["record"]
    bad_date = dict(good, registered_on="2020-02-31")

    response = client_for(regulator("city")).post(
        "/api/evaluation-runs/evaluate/", {"records": [good, {"name": "no code"}, bad_date, 7]}, format="json")

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert {e["code"] for e in errors} == {E.BAD_RECORD}
    text = " ".join(e["message"] for e in errors)
    assert "records[1].uscc" in text and "records[2]" in text and "records[3]" in text
    assert "records[0]" not in text


def test_batch_is_limited_and_needs_a_signed_in_user():
    from kechuang.evaluation.selectors import MAX_BATCH_RECORDS

    assert APIClient().post("/api/evaluation-runs/evaluate/", {"records": []}, format="json").status_code in (401, 403)
    too_many = [{"uscc": "x"}] * (MAX_BATCH_RECORDS + 1)
    response = client_for(regulator("city")).post("/api/evaluation-runs/evaluate/", {"records": too_many},
                                                  format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == E.TOO_MANY_RECORDS
