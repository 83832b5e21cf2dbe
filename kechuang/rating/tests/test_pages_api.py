"""Pages, API and access of the rating app, the command and the demo step."""

from __future__ import annotations

import io
from datetime import timedelta

import openpyxl

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from kechuang.accounts.choices import OrganizationKind, Role
from kechuang.core.models import AuditEntry, Job
from kechuang.core.services import job_run_pending
from kechuang.enterprises.models import Consent, Enterprise
from kechuang.enterprises.tests.factories import bank, load, organization, regulator, user
from kechuang.rating.choices import ModelStatus
from kechuang.rating.models import RatingModel, RatingResult, RatingRun
from kechuang.rating.services import (default_outcomes_load, rating_model_train, rating_run_create,
                                      rating_run_execute)

from kechuang.engine.rating.training import holdout_mask
from kechuang.synthetic import generate

from .factories import AS_OF, RECORDED, champion_model, outcomes, synthetic_region

pytestmark = pytest.mark.django_db


@pytest.fixture
def rated():
    model, admin = champion_model(300)
    run = rating_run_execute(run=rating_run_create(as_of=AS_OF, region_code="370100", actor=admin), actor=admin)
    return model, admin, run


def _consent(enterprise, org):
    now = timezone.now()
    return Consent.objects.create(enterprise=enterprise, organization=org, purpose="credit_assessment",
                                  valid_from=now - timedelta(days=1), valid_until=now + timedelta(days=30))


def test_given_users_then_each_sees_only_the_ratings_it_may(client, rated):
    _model, _admin, run = rated
    ents = list(Enterprise.objects.order_by("pk"))
    own = ents[0]
    ent_user = user("ent", organization(OrganizationKind.ENTERPRISE, "企业A", enterprise=own), Role.ADMIN)
    lender = bank("lender")
    _consent(ents[1], lender.organization)
    lixia = regulator("lixia", region="370102")
    api = "/api/rating-results/"
    client.force_login(ent_user)
    body = client.get(api).json()
    assert [r["uscc"] for r in body["results"]] == [own.uscc]
    assert client.get(reverse("rating:ratingresult_card", args=[ents[2].pk])).status_code == 404
    page = client.get(reverse("rating:ratingresult_card", args=[own.pk]))
    assert page.status_code == 200
    result = RatingResult.objects.get(run=run, enterprise=own)
    assert result.grade in page.content.decode() and result.reasons[0]["text"] in page.content.decode()
    client.force_login(lender)
    assert [r["uscc"] for r in client.get(api).json()["results"]] == [ents[1].uscc]
    assert client.get(reverse("rating:ratingrun_list")).status_code == 403
    before = AuditEntry.objects.filter(action="read").count()
    assert client.get(reverse("rating:ratingresult_card", args=[ents[1].pk])).status_code == 200
    assert AuditEntry.objects.filter(action="read").count() == before + 1  # the bank's read is audited
    client.force_login(lixia)
    usccs = {r["uscc"] for r in client.get(api + "?limit=500").json()["results"]}
    assert usccs == set(Enterprise.objects.filter(region_code__startswith="370102").values_list("uscc", flat=True))
    assert usccs and all(u[2:8] == "370102" for u in usccs)


def test_given_a_champion_when_scoring_one_enterprise_online_then_pd_grade_and_reasons(client, rated):
    _model, admin, run = rated
    ent = Enterprise.objects.order_by("pk").first()
    client.force_login(admin)
    body = client.get(f"/api/enterprises/{ent.uscc}/rating/?as_of={AS_OF.isoformat()}").json()
    stored = RatingResult.objects.get(run=run, enterprise=ent)
    assert body["grade"] == stored.grade and body["pd"] == pytest.approx(float(stored.pd), abs=1e-8)
    assert body["is_synthetic"] is True and len(body["reasons"]) <= 3
    assert client.get(f"/api/enterprises/{ent.uscc}/rating/?as_of=2999-01-01").status_code == 400
    client.force_login(bank("nobody"))
    assert client.get(f"/api/enterprises/{ent.uscc}/rating/").status_code == 404


def test_given_a_regulator_then_run_pages_and_model_report_render(client, rated):
    model, admin, run = rated
    client.force_login(admin)
    assert client.get(reverse("rating:ratingrun_list")).status_code == 200
    detail = client.get(reverse("rating:ratingrun_detail", args=[run.pk])).content.decode()
    assert 'id="chart-grades"' in detail and 'id="master-scale"' in detail
    report = client.get(reverse("rating:ratingmodel_detail", args=[model.pk])).content.decode()
    assert f"AUC {model.report['validation']['auc']:.4f}" in report
    for feature in model.features[:3]:
        assert f'data-feature="{feature}"' in report
    runs = client.get("/api/rating-runs/").json()["results"]
    assert [r["id"] for r in runs] == [run.pk]
    mon = client.get("/api/rating-monitoring/").json()["results"]
    assert mon[0]["id"] == run.pk and "psi" in mon[0]["score_psi"]
    assert client.get("/api/rating-monitoring/?alert=true").json()["results"] == []


def test_given_an_officer_when_training_from_the_page_then_refused_and_nothing_stored(client, rated):
    officer = regulator("officer", role=Role.OFFICER)
    client.force_login(officer)
    response = client.post(reverse("rating:ratingmodel_list"), {"as_of": AS_OF.isoformat(), "horizon_months": 12})
    assert response.status_code == 403
    assert RatingModel.objects.count() == 1


def test_given_one_class_outcomes_when_training_from_the_page_then_the_job_shows_the_error(client):
    ents = synthetic_region(40)
    default_outcomes_load(rows=[(e.uscc, 0) for e in ents], as_of=AS_OF, horizon_months=12, source="t", actor="t")
    admin = regulator("adm")
    client.force_login(admin)
    response = client.post(reverse("rating:ratingmodel_list"), {"as_of": AS_OF.isoformat(), "horizon_months": 12})
    job = Job.objects.get(kind="rating.train")
    assert response["Location"] == reverse("rating:training_detail", args=[job.pk])
    assert job_run_pending() == 1
    page = client.get(response["Location"]).content.decode()
    assert "训练失败（target_one_class）" in page and "只有一类结果" in page
    assert not RatingModel.objects.exists()


def test_given_outcomes_when_training_from_the_page_then_the_job_links_the_new_candidate(client):
    synthetic_region(200)
    outcomes(200)
    admin = regulator("adm")
    client.force_login(admin)
    response = client.post(reverse("rating:ratingmodel_list"), {"as_of": AS_OF.isoformat(), "horizon_months": 12,
                                                               "note": "季度重训"})
    job_run_pending()
    model = RatingModel.objects.get()
    assert model.status == ModelStatus.CANDIDATE and model.note == "季度重训" and model.trained_by == admin
    page = client.get(response["Location"]).content.decode()
    assert reverse("rating:ratingmodel_detail", args=[model.pk]) in page
    # another user cannot watch someone else's training job
    client.force_login(regulator("other"))
    assert client.get(response["Location"]).status_code == 404


def test_given_a_champion_when_the_page_promotes_a_challenger_then_statuses_change(client, rated):
    model, admin, _run = rated
    candidate = rating_model_train(as_of=AS_OF, actor=regulator("second-trainer"))  # four eyes
    client.force_login(admin)
    page = client.get(reverse("rating:ratingmodel_detail", args=[candidate.pk])).content.decode()
    assert 'id="comparison"' in page  # champion and candidate on the same hold-out rows
    held = int(holdout_mask(sorted(Enterprise.objects.values_list("uscc", flat=True))).sum())
    assert f"样本 {held} 家" in page.replace("\n", " ")
    client.post(reverse("rating:ratingmodel_detail", args=[candidate.pk]), {"status": "challenger"})
    candidate.refresh_from_db()
    assert candidate.status == ModelStatus.CHALLENGER


def test_rate_command_rates_a_region_and_reports_errors(capsys):
    with pytest.raises(CommandError, match="冠军模型"):
        call_command("rate", "--region", "370100", "--as-of", AS_OF.isoformat())
    champion_model(200)
    call_command("rate", "--region", "370100", "--as-of", AS_OF.isoformat())
    run = RatingRun.objects.get()
    assert run.status == "succeeded" and run.enterprises_total == 200
    with pytest.raises(CommandError, match="expected a date"):
        call_command("rate", "train", "--as-of", "22/11/2026")


def test_rate_command_loads_outcomes_and_names_bad_rows(tmp_path):
    ents = synthetic_region(3)
    path = tmp_path / "o.csv"
    path.write_text(f"uscc,defaulted\n{ents[0].uscc},1\n{ents[1].uscc},2\n", encoding="utf-8")
    with pytest.raises(CommandError, match="第 2 行"):
        call_command("rate", "outcomes", "--csv", str(path), "--as-of", AS_OF.isoformat())
    path.write_text(f"uscc,defaulted\n{ents[0].uscc},1\n{ents[1].uscc},0\n", encoding="utf-8")
    call_command("rate", "outcomes", "--csv", str(path), "--as-of", AS_OF.isoformat())
    assert outcomes(0) == 0  # nothing new from an empty list


def test_run_job_through_the_worker(rated):
    _model, admin, _run = rated
    run = rating_run_create(as_of=AS_OF, region_code="370102", actor=admin, enqueue=True)
    assert job_run_pending() == 1
    run.refresh_from_db()
    assert run.status == "succeeded" and run.job.status == "succeeded"
    assert run.enterprises_total == Enterprise.objects.filter(region_code__startswith="370102").count()


def test_given_a_run_when_exported_then_the_workbook_has_every_visible_result_and_is_audited(client, rated):
    _model, admin, run = rated
    client.force_login(admin)
    response = client.get(reverse("rating:ratingrun_export", args=[run.pk]))
    assert response.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    rows = list(wb["评级结果"].iter_rows(values_only=True))
    assert rows[0][0].startswith("合成数据") and rows[1][0] == "统一社会信用代码"
    assert len(rows) - 2 == 300
    top = RatingResult.objects.filter(run=run).order_by("-pd", "enterprise_id").first()
    assert rows[2][0] == top.enterprise.uscc and rows[2][3] == top.grade
    assert AuditEntry.objects.filter(action="export", object_type="rating.ratingrun", object_id=str(run.pk)).count() == 1
    client.force_login(bank("b2"))
    assert client.get(reverse("rating:ratingrun_export", args=[run.pk])).status_code == 403


def test_given_a_shifted_population_when_rated_then_the_stability_alert_fires(client):
    model, admin = champion_model(300)
    # another district whose firms all became highly leveraged and tax-delinquent
    shifted = []
    for rec in generate(150, seed=99, as_of=AS_OF, region="370112"):
        for y in rec["years"]:
            if y.get("total_assets"):
                y["total_liabilities"] = round(y["total_assets"] * 1.3, 2)
            y["tax_credit_grade"] = "D"
        shifted.append(rec)
    load(shifted, recorded_at=RECORDED)
    run = rating_run_execute(run=rating_run_create(as_of=AS_OF, region_code="370112", actor=admin), actor=admin)
    assert run.status == "succeeded" and run.alert is True
    drifted = {f["feature"] for f in run.monitoring["features"] if f["status"] == "alert"}
    assert drifted & {"leverage", "tax_credit_grade"}
    client.force_login(admin)
    alerts = client.get("/api/rating-monitoring/?alert=true").json()["results"]
    assert [a["id"] for a in alerts] == [run.pk]
    page = client.get(reverse("rating:ratingrun_detail", args=[run.pk])).content.decode()
    assert "预警：分布漂移超过阈值" in page
    for f in run.monitoring["features"]:
        assert f"{f['csi']:.4f}" in page


@pytest.mark.parametrize("url", ["/api/rating-results/?limit={n}", "/rating/runs/{run}/?page={p}"])
def test_query_count_does_not_grow_with_the_rows_shown(client, rated, url):
    _model, admin, run = rated
    client.force_login(admin)
    client.get(url.format(n=1, run=run.pk, p=3))  # warm the per-process caches (synthetic notice …)
    counts = []
    for n, p in ((5, 1), (100, 2)):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url.format(n=n, run=run.pk, p=p))
        assert response.status_code == 200
        if url.startswith("/api/"):
            assert len(response.json()["results"]) == n
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_promotion_through_the_api_is_for_administrators_and_audited(client, rated):
    model, admin, _run = rated
    candidate = rating_model_train(as_of=AS_OF, actor=regulator("second-trainer"))  # four eyes
    url = f"/api/rating-models/{candidate.pk}/promote/"
    client.force_login(regulator("off2", role=Role.OFFICER))
    assert client.post(url, {"status": "champion"}, content_type="application/json").status_code == 403
    candidate.refresh_from_db()
    assert candidate.status == ModelStatus.CANDIDATE
    client.force_login(admin)
    assert client.post(url, {"status": "bogus"}, content_type="application/json").status_code == 400
    response = client.post(url, {"status": "champion"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "champion"
    model.refresh_from_db()
    assert model.status == ModelStatus.RETIRED
    assert response.json()["approved_label"] == admin.username
    entries = AuditEntry.objects.filter(object_type="rating.ratingmodel", object_id=str(candidate.pk),
                                        action="update")
    assert entries.get().after["status"] == "champion"
    # a retired model cannot come back
    back = client.post(f"/api/rating-models/{model.pk}/promote/", {"status": "champion"}, content_type="application/json")
    assert back.status_code == 400 and back.json()["errors"] == [
        {"field": "status", "code": "bad_status", "message": "已退役的模型不能再启用，请重新训练。"}]
