"""The rating pages in a real browser: a regulator rates the region with live progress and sees
the grade chart; an enterprise sees its own grade and reasons in plain Chinese."""

import pytest

from kechuang.accounts.choices import OrganizationKind, Role
from kechuang.core.services import job_run_pending
from kechuang.enterprises.models import Enterprise
from kechuang.enterprises.tests.factories import organization, regulator, user
from kechuang.rating.models import RatingResult, RatingRun
from kechuang.rating.services import rating_run_create, rating_run_execute
from kechuang.rating.tests.factories import champion_model

from .conftest import login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_regulator_rates_the_region_with_progress_and_sees_the_grade_chart(page, live_server):
    model, _admin = champion_model(200)
    regulator("city")
    login(page, live_server, "city")

    page.goto(f"{live_server.url}/rating/")
    page.fill("#as_of", "2026-11-22")
    page.click("#run-form button")
    page.wait_for_selector("#run-status[data-status='queued']")
    job_run_pending()
    page.wait_for_selector("#run-status[data-status='succeeded']", timeout=15_000)
    page.click("#results-link")
    page.wait_for_selector("body[data-charts-ready='1']")
    assert page.locator("#chart-grades canvas").count() == 1
    run = RatingRun.objects.get()
    counts = {row.get_attribute("data-grade"): int(row.locator("td").nth(3).inner_text())
              for row in page.locator("#master-scale tbody tr").all()}
    assert counts == run.grade_counts and sum(counts.values()) == 200
    shot(page, "rating-run")

    page.goto(f"{live_server.url}/rating/models/{model.pk}/")
    assert page.locator("#features tbody tr").count() == len(model.report["features"])
    shot(page, "rating-model-report")


def test_enterprise_sees_its_grade_and_reasons(page, live_server):
    _model, admin = champion_model(200)
    rating_run_execute(run=rating_run_create(as_of=_model.train_as_of, region_code="370100", actor=admin),
                       actor=admin)
    ent = Enterprise.objects.get(pk=RatingResult.objects.order_by("-pd").first().enterprise_id)
    user("ent", organization(OrganizationKind.ENTERPRISE, "企业甲", enterprise=ent), Role.ADMIN)
    login(page, live_server, "ent")

    page.click("text=我的信用评级")
    result = RatingResult.objects.get(enterprise=ent)
    assert page.locator("#grade").inner_text() == result.grade
    assert page.locator("#reasons .reason-text").all_inner_texts() == [r["text"] for r in result.reasons]
    shot(page, "rating-card")
