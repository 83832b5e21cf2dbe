"""Pages and API of risk monitoring: what each role sees, the forms and verbs calling one service,
bad input answered with the app's codes and nothing written."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from kechuang.core.models import AuditEntry, Job
from kechuang.core.services import job_run_pending
from kechuang.risk import services as s
from kechuang.risk.models import BacktestReport, CaseAction, EnterpriseWarning, RiskCase, WarningResponse, WarningRun

from .factories import risk_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    w = risk_world()
    run = s.warning_run_create(as_of=timezone.localdate(), region_code="370100", actor=w["city"])
    w["run"] = s.warning_run_execute(run=run, actor=w["city"])
    w["w1"] = EnterpriseWarning.objects.get(run=w["run"], enterprise=w["e1"])
    w["w3"] = EnterpriseWarning.objects.get(run=w["run"], enterprise=w["e3"])
    return w


def client(user):
    c = Client()
    c.force_login(user)
    return c


def test_regulator_pages_show_the_run_its_warnings_and_evidence(world):
    c = client(world["city"])
    body = c.get(reverse("risk:warningrun_detail", args=[world["run"].pk]) + "?level=red").content.decode()
    assert world["e3"].name in body and world["e1"].name not in body
    body = c.get(reverse("risk:warning_detail", args=[world["w1"].pk])).content.decode()
    assert "JN-2025-001" in body and "测试来源 test-feed" in body and "当前贷款逾期" in body
    body = c.get(reverse("risk:warningrun_concentration", args=[world["run"].pk])).content.decode()
    assert "银行甲" in body and "历下区" in body
    resp = c.get(reverse("risk:warningrun_export", args=[world["run"].pk]))
    rows = list(load_workbook(io.BytesIO(resp.content)).worksheets[0].values)
    assert [(r[0], r[4]) for r in rows[1:]] == [(world["e3"].uscc, "红色预警"), (world["e1"].uscc, "橙色预警")]
    assert AuditEntry.objects.filter(action="export", object_type="risk.warningrun").count() == 1


def test_district_sees_only_its_district(world):
    c = client(world["licheng"])
    assert c.get(reverse("risk:warningrun_detail", args=[world["run"].pk])).status_code == 404
    assert c.get(reverse("risk:warning_detail", args=[world["w1"].pk])).status_code == 404
    assert c.get(reverse("risk:warning_detail", args=[world["w3"].pk])).status_code == 200


def test_bank_portfolio_and_response_through_the_page(world):
    c = client(world["bank_u"])
    body = c.get(reverse("risk:portfolio")).content.decode()
    assert world["e1"].name in body and world["e3"].name not in body and "橙色预警" in body
    assert c.get(reverse("risk:warning_detail", args=[world["w3"].pk])).status_code == 404
    assert "80.00万元" in c.get(reverse("risk:warning_detail", args=[world["w1"].pk])).content.decode()
    resp = c.post(reverse("risk:warning_detail", args=[world["w1"].pk]), {"action": "reduce", "note": "暂停新增授信"})
    assert resp.status_code == 302
    r = WarningResponse.objects.get()
    assert (r.action, r.note, r.institution, r.exposure) == ("reduce", "暂停新增授信", world["bank"], world["amount"])
    # the read was audited on the exposure basis
    assert AuditEntry.objects.filter(action="read", object_type="enterprises.enterprise",
                                     object_id=str(world["e1"].pk), actor=world["bank_u"]).exists()


def test_case_through_the_pages(world):
    officer = world["shizhong"]
    c = client(officer)
    deadline = (timezone.localdate() + dt.timedelta(days=20)).isoformat()
    resp = c.post(reverse("risk:warning_detail", args=[world["w1"].pk]),
                  {"form": "case", "assignee": officer.pk, "deadline": deadline, "plan": "协调续贷"})
    case = RiskCase.objects.get()
    assert resp["Location"] == reverse("risk:riskcase_detail", args=[case.pk])
    c.post(reverse("risk:riskcase_detail", args=[case.pk]), {"kind": "action", "note": "约谈企业", "party": "enterprise"})
    c.post(reverse("risk:riskcase_detail", args=[case.pk]), {"form": "close", "outcome": "restructured"})
    case.refresh_from_db()
    assert (case.status, case.outcome) == ("closed", "restructured")
    assert list(CaseAction.objects.filter(case=case).values_list("kind", flat=True)) == ["note", "action", "outcome"]
    body = c.get(reverse("risk:riskcase_list")).content.decode()
    assert "债务重组" in body


def test_api_run_create_queues_a_job_and_viewers_change_nothing(world):
    c = client(world["city"])
    resp = c.post("/api/risk-runs/", {"as_of": timezone.localdate().isoformat(), "region_code": "370102"},
                  content_type="application/json")
    assert resp.status_code == 201
    run = WarningRun.objects.get(pk=resp.json()["id"])
    assert (run.status, run.job.kind) == ("queued", "risk.run")
    # the worker runs it: the district's run has the district's one warned enterprise
    assert job_run_pending() == 1
    run.refresh_from_db()
    assert (run.status, run.level_counts["orange"], run.enterprises_total) == ("succeeded", 1, 2)
    n_runs, n_jobs = WarningRun.objects.count(), Job.objects.count()
    resp = client(world["viewer"]).post("/api/risk-runs/", {"as_of": "2026-12-01", "region_code": "370100"},
                                        content_type="application/json")
    assert resp.status_code == 403
    resp = c.post("/api/risk-runs/", {"as_of": "2026-12-01", "region_code": "999999"}, content_type="application/json")
    assert (resp.status_code, resp.json()["errors"][0]["code"]) == (400, "bad_region")
    assert (WarningRun.objects.count(), Job.objects.count()) == (n_runs, n_jobs)


def test_a_queued_run_page_shows_its_progress_and_reloads_when_the_run_has_finished(world):
    c = client(world["city"])
    resp = c.post("/api/risk-runs/", {"as_of": timezone.localdate().isoformat(), "region_code": "370102"},
                  content_type="application/json")
    url = reverse("risk:warningrun_detail", args=[resp.json()["id"]])
    page = c.get(url).content.decode()
    assert 'class="kc-card mb-2 run-progress" data-status="queued"' in page and 'hx-trigger="every 1s"' in page
    poll = c.get(url, HTTP_HX_REQUEST="true")
    assert "HX-Refresh" not in poll and "<html" not in poll.content.decode()
    assert job_run_pending() == 1
    poll = c.get(url, HTTP_HX_REQUEST="true")
    assert poll["HX-Refresh"] == "true"
    page = c.get(url).content.decode()
    assert "run-progress" not in page and 'id="warning-list"' in page


def test_api_warnings_filter_respond_and_cases(world):
    c = client(world["city"])
    data = c.get(f"/api/risk-warnings/?run_id={world['run'].pk}&level=orange").json()
    rows = data["results"] if isinstance(data, dict) else data
    assert [r["uscc"] for r in rows] == [world["e1"].uscc]
    # the other bank has no exposure: it does not even see the warning
    assert client(world["bank2_u"]).post(f"/api/risk-warnings/{world['w1'].pk}/respond/", {"action": "visit"},
                                         content_type="application/json").status_code == 404
    resp = client(world["bank_u"]).post(f"/api/risk-warnings/{world['w1'].pk}/respond/",
                                        {"action": "monitor", "note": "按月监测"}, content_type="application/json")
    assert (resp.status_code, resp.json()["exposure"]) == (201, "800000.00")
    deadline = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    resp = c.post("/api/risk-cases/", {"warning": world["w3"].pk, "assignee": world["bank_u"].pk, "deadline": deadline},
                  content_type="application/json")
    assert (resp.status_code, resp.json()["errors"][0]["code"]) == (400, "bad_assignee")
    resp = c.post("/api/risk-cases/", {"warning": world["w3"].pk, "assignee": world["licheng"].pk,
                                       "deadline": deadline}, content_type="application/json")
    assert resp.status_code == 201
    pk = resp.json()["id"]
    resp = client(world["licheng"]).post(f"/api/risk-cases/{pk}/actions/", {"kind": "contact", "party": "bank",
                                                                          "note": "联系承贷行"},
                                         content_type="application/json")
    assert resp.status_code == 201
    resp = client(world["licheng"]).post(f"/api/risk-cases/{pk}/close/", {"outcome": "written_off"},
                                         content_type="application/json")
    assert (resp.status_code, resp.json()["status"], resp.json()["outcome"]) == (200, "closed", "written_off")
    resp = client(world["licheng"]).post(f"/api/risk-cases/{pk}/close/", {"outcome": "resolved"},
                                         content_type="application/json")
    assert (resp.status_code, resp.json()["errors"][0]["code"]) == (400, "case_closed")


def test_backtest_page_says_synthetic(world):
    BacktestReport.objects.create(rules_version="2026.1", enterprises=10, actor_label="t", report={
        "rules_version": "2026.1", "synthetic": True,
        **{k: {"as_of": "2026-11-22", "enterprises": 10, "defaults": 2, "base_rate": 0.2,
               "levels": [{"level": lv, "flagged": 3, "hits": 1, "precision": 0.3333, "recall": 0.5,
                           "lead_mean": 6.0, "lead_median": 6.0} for lv in ("blue", "yellow", "orange", "red")],
               "baseline": {"level": "overdue_only", "flagged": 2, "hits": 1, "precision": 0.5, "recall": 0.5,
                            "lead_mean": 4.0, "lead_median": 4.0}} for k in ("holdout", "development")}})
    body = client(world["city"]).get(reverse("risk:backtest")).content.decode()
    assert "合成数据" in body and "留出数据集" in body and "基准：仅逾期信号" in body
    assert client(world["bank_u"]).get(reverse("risk:backtest")).status_code in (302, 403)


def test_escalate_command_marks_overdue_cases(world):
    case = s.case_open(warning=world["w1"], assignee=world["shizhong"], deadline=timezone.localdate(),
                       actor=world["shizhong"])
    RiskCase.objects.filter(pk=case.pk).update(deadline=timezone.localdate() - dt.timedelta(days=1))
    out = io.StringIO()
    call_command("risk_escalate", stdout=out)
    case.refresh_from_db()
    assert (out.getvalue().strip(), case.status) == ("escalated 1 case(s)", "escalated")
    assert AuditEntry.objects.filter(object_type="risk.riskcase", object_id=str(case.pk), action="update",
                                     actor_label="command:risk_escalate").count() == 1
