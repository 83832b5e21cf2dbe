"""The targets pages in a real browser: the cockpit's charts and export links, the 2020 check,
a unit reporting progress on its task, a contradiction resolved by a person."""

import pytest

from kechuang.accounts.choices import OrganizationKind
from kechuang.enterprises.tests.factories import organization, regulator, user
from kechuang.targets.models import Plan, Task, Unit, ValueFlag
from kechuang.targets.services import unit_link
from kechuang.targets.tests.factories import reference

from .conftest import login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_regulator_sees_the_cockpit_charts_and_the_2020_check(page, live_server):
    reference()
    regulator("city")
    login(page, live_server, "city")

    page.goto(f"{live_server.url}/targets/cockpit/?as_of=2020")
    page.wait_for_selector("body[data-charts-ready='1']")
    for chart in ("#chart-status", "#chart-progress", "#chart-trends"):
        assert page.locator(f"{chart} canvas").count() == 1, chart
    assert page.locator("#progress-table tbody tr[data-status='off_track']").count() >= 1
    assert page.locator("#metric-table tr[data-code='enterprises.on_platform'][data-available='1']").count() == 1
    assert page.get_attribute("#export-xlsx", "href").endswith("format=xlsx")
    shot(page, "targets-cockpit")

    plan = Plan.objects.get(name="济南金融行动计划2018-2022")
    page.goto(f"{live_server.url}/targets/plans/{plan.pk}/check/2020/")
    assert page.locator("#check-table tr[data-met='met']").count() == 4
    assert page.locator("#check-table tr[data-met='missed']").count() == 6
    shot(page, "targets-2020-check")


def test_a_responsible_unit_reports_progress_and_a_contradiction_is_resolved(page, live_server):
    reference()
    org = organization(OrganizationKind.REGULATOR, "济南市地方金融监督管理局")
    unit_link(unit=Unit.objects.get(name="市金融办"), organization=org, actor="test")
    user("fin", org, role="officer")
    task = Task.objects.get(plan__name="济南金融行动计划2018-2022", code="重点项目-1")
    login(page, live_server, "fin")

    page.goto(f"{live_server.url}/targets/tasks/{task.pk}/")
    page.select_option("#report-form select[name=status]", "done")
    page.fill("#report-form input[name=percent]", "100")
    page.fill("#report-form textarea[name=text]", "民营银行已获批筹并开业")
    page.click("#report-form button")
    page.wait_for_selector("#task-status[data-status='done']")
    assert "民营银行已获批筹并开业" in page.locator("#report-table").inner_text()
    shot(page, "targets-task-report")

    flag = ValueFlag.objects.get(kind="contradiction")
    keep = flag.values.get(value_text="13.7")
    page.goto(f"{live_server.url}/targets/flags/")
    page.check(f"#keep-{keep.pk}")
    page.fill(f"#flag-{flag.pk} textarea[name=resolution]", "以测算表为准")
    page.click(f"#flag-{flag.pk} button")
    page.wait_for_selector("#no-flags")
    assert ValueFlag.objects.get(pk=flag.pk).status == "resolved"
