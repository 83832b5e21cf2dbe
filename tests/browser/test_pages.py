"""The pages as a person uses them, in a real browser: list and filters, the profile with its
charts and as-of view, the import with live progress and the quarantine, consent-bound access."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from kechuang.core.models import AuditEntry
from kechuang.core.services import job_run_pending
from kechuang.enterprises.choices import ConsentPurpose
from kechuang.enterprises.models import Consent, Enterprise
from kechuang.enterprises.tests.factories import bank, load, record, regulator, uscc

from .conftest import login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def region():
    load([record(i, "370102") for i in range(1, 4)] + [record(i, "370112") for i in range(4, 6)])


def test_regulator_filters_the_list_and_opens_a_profile(page, live_server, region):
    regulator("city")
    login(page, live_server, "city")
    page.goto(f"{live_server.url}/enterprises/")  # login lands on the workbench

    assert page.locator("#enterprise-list tbody tr").count() == 5
    page.select_option("#id_region_code", "370112")
    page.wait_for_function("() => document.querySelectorAll('#enterprise-list tbody tr').length === 2")
    assert "region_code=370112" in page.url  # the filter is in the address, shareable
    shot(page, "enterprise-list")

    page.click("text=济南测试科技有限公司4")
    page.wait_for_selector("body[data-charts-ready='1']")
    assert page.locator("#year-facts thead th").all_inner_texts() == ["", "2023", "2024", "2025"]
    assert page.locator("#chart-finance canvas").count() == 1
    assert "测试来源 test-feed" in page.locator("#profile-facts").inner_text()
    shot(page, "enterprise-profile")


def test_profile_as_of_a_past_date_shows_what_was_known_then(page, live_server, region):
    regulator("city")
    e = Enterprise.objects.get(uscc=uscc(1, "370102"))
    login(page, live_server, "city")
    page.goto(f"{live_server.url}/enterprises/")  # login lands on the workbench

    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    page.goto(f"{live_server.url}/enterprises/{e.pk}/?as_of={yesterday}")

    assert page.locator("#as-of-notice").is_visible()
    assert page.locator("#year-facts").count() == 0  # nothing was known yesterday


def test_import_shows_progress_and_quarantine(page, live_server, tmp_path):
    regulator("officer")
    bad = record(2)
    bad["years"][0]["employees"] = -3
    path = tmp_path / "feed.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in [record(1), bad]), encoding="utf-8")
    login(page, live_server, "officer")

    page.goto(f"{live_server.url}/ingest/")
    page.set_input_files("#file", str(path))
    page.click("#upload-form button")
    page.wait_for_selector("#import-status[data-status='queued']")
    job_run_pending()  # the worker (``kechuang worker`` / ``serve``) would pick it up
    page.wait_for_selector("#import-status[data-status='applied']", timeout=10_000)

    counts = page.locator("#import-counts").inner_text()
    assert "记录总数\n2" in counts and "隔离\n1" in counts
    assert "职工总数" in page.locator("#quarantine-table").inner_text()
    shot(page, "import-quarantine")

    page.click("#quarantine-table .quarantine-json")  # the JSON editor (the field-by-field form has its own test)
    page.fill("#row-data", json.dumps(record(2), ensure_ascii=False))
    page.click("button[value=resubmit]")
    page.wait_for_url(f"{live_server.url}/ingest/*/")
    assert Enterprise.objects.count() == 2


def test_bank_sees_only_consented_enterprises_and_its_read_is_logged(page, live_server, region):
    b = bank()
    target = Enterprise.objects.get(uscc=uscc(4, "370112"))
    Consent.objects.create(enterprise=target, organization=b.organization,
                           purpose=ConsentPurpose.LOAN_APPLICATION,
                           valid_until=timezone.now() + timedelta(days=30))
    login(page, live_server, "bank")
    page.goto(f"{live_server.url}/enterprises/")  # login lands on the workbench

    assert page.locator("#enterprise-list tbody tr").count() == 1
    page.click("text=济南测试科技有限公司4")
    assert "本次查阅依据企业授权" in page.locator("main").inner_text()
    # the list read and the profile read are both audited (issue 10), each naming the bank and the one enterprise
    reads = set(AuditEntry.objects.filter(action="read").values_list("actor_label", "object_id"))
    assert reads == {("bank", str(target.pk))}
    response = page.goto(f"{live_server.url}/enterprises/{Enterprise.objects.get(uscc=uscc(1, '370102')).pk}/")
    assert response.status == 404
