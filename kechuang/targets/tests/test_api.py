"""The REST API: plan progress and the 2020 check, tasks with a report action, live metrics."""

import pytest
from rest_framework.test import APIClient

from kechuang.accounts.choices import OrganizationKind
from kechuang.enterprises.tests.factories import bank, organization, regulator, user
from kechuang.targets.models import Plan, Task, TaskReport, Unit
from kechuang.targets.services import unit_link

from .factories import reference

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def test_plan_check_api_lists_met_and_missed(api):
    reference()
    api.force_authenticate(regulator("city"))
    plan = Plan.objects.get(name="济南金融行动计划2018-2022")
    rows = api.get(f"/api/targets/plans/{plan.pk}/check/?year=2020").json()
    assert {r["indicator"]: r["met"] for r in rows}["金融业增加值"] is False
    assert sum(r["met"] is True for r in rows) == 4
    progress = api.get(f"/api/targets/plans/{plan.pk}/progress/?as_of=2020").json()
    gva = next(r for r in progress if r["concept"] == "金融业增加值")
    assert (gva["status"], gva["forecast"]["method"]) == ("off_track", "cagr-2pt")
    assert api.get(f"/api/targets/plans/{plan.pk}/progress/?as_of=abc").status_code == 400


def test_a_bank_cannot_read_plans(api):
    api.force_authenticate(bank("b"))
    assert api.get("/api/targets/plans/").status_code == 403


def test_task_report_through_the_api_by_the_unit_only(api):
    reference()
    org = organization(OrganizationKind.SERVICE_AGENCY, "服务中心")
    unit_link(unit=Unit.objects.get(name="市金融办"), organization=org, actor="test")
    task = Task.objects.get(plan__name="济南金融行动计划2018-2022", code="重点项目-1")
    other = Task.objects.exclude(units__name="市金融办").exclude(lead_units__name="市金融办").first()
    api.force_authenticate(user("svc", org))
    resp = api.post(f"/api/targets/tasks/{task.pk}/report/", {"status": "in_progress", "percent": 30, "text": "推进中"})
    assert resp.status_code == 201 and resp.json()["unit"] == "市金融办"
    assert api.post(f"/api/targets/tasks/{other.pk}/report/", {"status": "done", "percent": 100,
                                                               "text": "x"}).status_code == 404
    assert api.post(f"/api/targets/tasks/{task.pk}/report/", {"status": "done", "percent": 101,
                                                              "text": "x"}).status_code == 400
    assert TaskReport.objects.count() == 1


def test_live_metrics_api_lists_every_declared_code(api):
    api.force_authenticate(regulator("city"))
    rows = {r["code"]: r for r in api.get("/api/targets/live-metrics/?start=2026-01-01&end=2026-12-31").json()}
    assert rows["enterprises.on_platform"]["available"] is True
    assert rows["enterprises.on_platform"]["numerator"] == "0.000000"
    assert api.get("/api/targets/live-metrics/?region=110000").status_code == 403
