"""Tasks and supervision: reports by the responsible unit only, overdue / at-risk flags, unit
scorecards, an indicator gap spawning a tracked action; and live metrics present or absent."""

import datetime as dt
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError

from kechuang.accounts.choices import OrganizationKind
from kechuang.core.models import AuditEntry
from kechuang.enterprises.tests.factories import organization, regulator, user
from kechuang.targets.error_codes import TargetsError
from kechuang.targets.models import Indicator, Task, TaskReport, Unit
from kechuang.targets.selectors import live_metric, task_flag_of, tasks_for, unit_scorecards
from kechuang.targets.services import action_create_from_gap, task_report_create, unit_link

from .factories import small_plan

pytestmark = pytest.mark.django_db

TASKS = ("地区,规划,任务编号,任务名称,重点,责任单位,完成时限,牵头单位\n"
         "济南市,测试规划,T1,设立科创基金,★,市金融局;市科技局,2022年年底前,市金融局\n"
         "济南市,测试规划,T2,建设服务平台,,市科技局,2026年年底前,市科技局\n"
         "济南市,测试规划,T3,开展路演,,市金融局,2030年,市金融局\n")
TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def plan_with_tasks():
    small_plan(tasks=TASKS)
    org = organization(OrganizationKind.REGULATOR, "济南市地方金融监督管理局")
    unit_link(unit=Unit.objects.get(name="市金融局"), organization=org, actor="test")
    return org


def test_the_lead_unit_reports_progress_and_the_task_follows(plan_with_tasks):
    officer = user("fin-officer", plan_with_tasks)
    t1 = Task.objects.get(code="T1")
    report = task_report_create(task=t1, status="in_progress", percent=60, text="基金已完成备案", actor=officer)
    t1.refresh_from_db()
    assert (t1.status, t1.percent, report.unit.name) == ("in_progress", 60, "市金融局")
    assert AuditEntry.objects.filter(object_type="targets.taskreport", object_id=str(report.pk)).count() == 1


def test_another_unit_may_not_report_and_nothing_changes(plan_with_tasks):
    stranger = regulator("other")
    t2 = Task.objects.get(code="T2")  # 市科技局 only
    with pytest.raises(ValidationError) as exc:
        task_report_create(task=t2, status="done", percent=100, text="x", actor=stranger)
    assert exc.value.code == TargetsError.FORBIDDEN
    t2.refresh_from_db()
    assert (t2.status, t2.percent, TaskReport.objects.count()) == ("not_started", 0, 0)


def test_overdue_and_at_risk_flags_and_scorecards(plan_with_tasks):
    Task.objects.filter(code="T2").update(deadline=dt.date(2026, 12, 10), percent=20)
    flags = {t.code: task_flag_of(t, TODAY) for t in Task.objects.all()}
    assert flags == {"T1": "overdue", "T2": "at_risk", "T3": ""}
    cards = {c["unit"].name: c for c in unit_scorecards(TODAY)}
    assert (cards["市金融局"]["total"], cards["市金融局"]["overdue"], cards["市金融局"]["key"]) == (2, 1, 1)
    assert (cards["市科技局"]["total"], cards["市科技局"]["overdue"], cards["市科技局"]["at_risk"]) == (2, 1, 1)


def test_a_unit_user_outside_the_regulator_sees_only_its_tasks(plan_with_tasks):
    org = organization(OrganizationKind.SERVICE_AGENCY, "科技局服务中心")
    unit_link(unit=Unit.objects.get(name="市科技局"), organization=org, actor="test")
    assert sorted(tasks_for(user("sci", org)).values_list("code", flat=True)) == ["T1", "T2"]
    assert sorted(tasks_for(user("fin-officer", plan_with_tasks)).values_list("code", flat=True)) == ["T1", "T2", "T3"]


def test_an_indicator_gap_spawns_a_tracked_action(plan_with_tasks):
    small_plan(indicators="地区,规划,指标,单位,年份,数值,类型\n济南市,测试规划,科创贷款,亿元,2025,500,目标\n")
    ind = Indicator.objects.get(name="科创贷款")
    unit = Unit.objects.get(name="市金融局")
    task = action_create_from_gap(indicator=ind, title="开展科创贷款专项行动", deadline=dt.date(2025, 6, 30),
                                  lead_unit=unit, text="", actor="test")
    assert task.indicator == ind and task.plan == ind.plan
    cards = {c["unit"].name: c for c in unit_scorecards(TODAY)}
    assert cards["市金融局"]["actions"] == 1


def fake_roadshows(*, region_code, start, end):
    return Decimal(12), None


def test_live_metric_absent_then_declared_by_another_app(monkeypatch):
    day = dt.date(2026, 1, 1)
    config = apps.get_app_config("marketplace")
    monkeypatch.setattr(config, "live_metrics", {}, raising=False)
    assert live_metric("roadshows_held", region_code="370100", start=day, end=day) is None
    monkeypatch.setattr(config, "live_metrics",
                        {"roadshows_held": "kechuang.targets.tests.test_tasks.fake_roadshows"}, raising=False)
    assert live_metric("roadshows_held", region_code="370100", start=day, end=day) == (Decimal(12), None)


def test_platform_live_metric_counts_enterprises_by_district():
    from kechuang.evaluation.tests.factories import region
    region(3, "370102")
    region(2, "370112", start=10)
    day = dt.date(2026, 12, 31)
    assert live_metric("enterprises.on_platform", region_code="370100", start=day, end=day) == (Decimal(5), None)
    assert live_metric("enterprises.on_platform", region_code="370112", start=day, end=day) == (Decimal(2), None)


UNDATED = ("地区,规划,任务编号,任务名称,重点,责任单位,完成时限,牵头单位\n"
           "济南市,测试规划,U1,完善工作机制,,市金融局,,市金融局\n"
           "济南市,测试规划,U2,常态化开展对接,,市金融局,每年,市金融局\n"
           "济南市,测试规划,U3,计划期内完成,,市金融局,计划期内,市金融局\n")


def test_a_task_without_a_deadline_is_marked_as_such_not_overdue(client):
    """A blank 完成时限 used to become the plan's end (2025-12-31), so the task was overdue in 2026."""
    small_plan(tasks=UNDATED)
    u1, u2, u3 = (Task.objects.get(code=x) for x in ("U1", "U2", "U3"))
    assert (u1.deadline, u2.deadline, u3.deadline) == (None, None, dt.date(2025, 12, 31))
    assert [task_flag_of(t, TODAY) for t in (u1, u2, u3)] == ["no_deadline", "no_deadline", "overdue"]
    reg = regulator("city")
    assert list(tasks_for(reg, flag="overdue", today=TODAY).values_list("code", flat=True)) == ["U3"]
    assert sorted(tasks_for(reg, flag="no_deadline", today=TODAY).values_list("code", flat=True)) == ["U1", "U2"]
    card = {c["unit"].name: c for c in unit_scorecards(TODAY)}["市金融局"]
    assert (card["total"], card["overdue"], card["at_risk"], card["no_deadline"]) == (3, 1, 0, 2)
    client.force_login(reg)
    html = client.get("/targets/tasks/").content.decode()
    assert html.count('data-flag="no_deadline"') == 2 * 2  # the row and its 无明确期限 badge, twice
    assert "无明确期限" in client.get(f"/targets/tasks/{u1.pk}/").content.decode()
    assert 'data-col="no_deadline"><a' in client.get("/targets/scorecards/").content.decode()


def test_a_blocked_task_without_a_deadline_is_at_risk_in_every_view():
    small_plan(tasks=UNDATED)
    Task.objects.filter(code="U1").update(status="blocked")
    u1 = Task.objects.get(code="U1")
    assert task_flag_of(u1, TODAY) == "at_risk"
    assert "U1" in tasks_for(regulator("city"), flag="at_risk", today=TODAY).values_list("code", flat=True)
