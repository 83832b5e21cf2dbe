"""The evaluation pages in a real browser: the report's live what-if, and the regulator's charts."""

import pytest

from kechuang.core.services import job_run_pending
from kechuang.enterprises.tests.factories import regulator
from kechuang.evaluation.models import EvaluationRun
from kechuang.evaluation.tests.factories import finished_run, load_golden, region

from .conftest import login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_regulator_edits_what_if_facts_and_sees_the_status_change(page, live_server):
    ent = load_golden("tsme-staff-below-10pct")
    regulator("city")
    login(page, live_server, "city")

    page.goto(f"{live_server.url}/enterprises/{ent.pk}/")
    page.click("#evaluation-link")
    page.wait_for_selector("#std-tsme")
    page.goto(f"{live_server.url}/evaluation/enterprises/{ent.pk}/?as_of=2026-11-22")
    assert page.get_attribute("#std-tsme", "data-status") == "unmet"
    assert "科技人员占职工总数比例从 9.0% 提高到 10.0%" in page.locator("#std-tsme").inner_text()

    page.fill("#wi-tech_staff", "10")  # HTMX re-evaluates as the person types
    page.wait_for_selector("#evaluation-body[data-mode='what-if'] #std-tsme[data-status='met']", timeout=10_000)
    assert "不符合 → 符合" in page.locator("#what-if-notice").inner_text()
    shot(page, "evaluation-what-if")


def test_regulator_page_renders_its_charts_and_runs_now_with_progress(page, live_server):
    reg = regulator("city")
    region(3, "370102")
    region(2, "370112", start=10)
    finished_run(actor=reg)
    login(page, live_server, "city")

    page.goto(f"{live_server.url}/evaluation/")
    page.wait_for_selector("body[data-charts-ready='1']")
    for chart in ("#chart-standards", "#chart-tiers", "#chart-districts"):
        assert page.locator(f"{chart} canvas").count() == 1
    assert page.locator("#close-list tbody tr").count() == 5
    shot(page, "evaluation-overview")

    page.goto(f"{live_server.url}/evaluation/runs/")
    page.click("#run-form button")
    page.wait_for_selector("#run-status[data-status='queued']")
    job_run_pending()
    page.wait_for_selector("#run-status[data-status='succeeded']", timeout=10_000)
    assert "企业数\n5" in page.locator("#run-counts").inner_text()
    assert EvaluationRun.objects.filter(status="succeeded").count() == 2


def test_after_the_demo_step_the_regulator_sees_the_demo_region_evaluated(page, live_server, tmp_path):
    from kechuang.enterprises.choices import SourceKind
    from kechuang.evaluation.jobs import DEMO_REGION, demo_step
    from kechuang.ingest.services import default_source, import_run_create, import_run_execute
    from kechuang.synthetic import write_jsonl

    regulator("city", region=DEMO_REGION)  # also (re)creates the region rows a flushed database lacks
    path = tmp_path / "jinan-synthetic.jsonl"
    write_jsonl(path, 40)
    imp = import_run_create(path=path, file_name=path.name, source=default_source(SourceKind.SYNTHETIC),
                            actor="test", store_copy=False)
    import_run_execute(run=imp, actor="test")
    out = demo_step()
    login(page, live_server, "city")

    page.goto(f"{live_server.url}/evaluation/")
    page.wait_for_selector("body[data-charts-ready='1']")
    assert f"#{out['run']}" in page.locator("#run-info").inner_text()
    assert page.locator("#chart-tiers canvas").count() == 1
    assert page.locator("#counts-table tbody tr").count() >= 5
    shot(page, "evaluation-demo-overview")
