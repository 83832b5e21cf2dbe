"""Pages: the report, what-if through HTMX, the regulator's overview and its query-count baseline."""

import pytest
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.db import connection

from kechuang.enterprises.tests.factories import regulator
from kechuang.evaluation.models import TierPlacement

from .factories import AS_OF, finished_run, load_golden, region

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_report_lists_every_standard_with_clauses_articles_and_gaps():
    ent = load_golden("tsme-staff-below-10pct")
    c = login(regulator("city"))

    html = c.get(f"/evaluation/enterprises/{ent.pk}/?as_of=2026-11-22").content.decode()

    assert html.count('class="kc-card standard-card"') == 7
    assert 'id="std-tsme" data-standard="tsme" data-status="unmet"' in html
    assert "国科发政〔2017〕115号" in html
    assert "科技人员占职工总数比例从 9.0% 提高到 10.0%" in html


def test_what_if_over_htmx_rerenders_the_results_with_the_change():
    ent = load_golden("tsme-staff-below-10pct")
    c = login(regulator("city"))

    response = c.post(f"/evaluation/enterprises/{ent.pk}/?as_of=2026-11-22",
                      {"as_of": "2026-11-22", "tech_staff": "10"}, HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert 'id="std-tsme" data-standard="tsme" data-status="met"' in html
    assert 'class="what-if-change" data-standard="tsme"' in html


def test_what_if_rejects_negative_values_with_a_message():
    ent = load_golden("tsme-base")
    c = login(regulator("city"))

    html = c.post(f"/evaluation/enterprises/{ent.pk}/", {"as_of": "2026-11-22", "employees": "-5"},
                  HTTP_HX_REQUEST="true").content.decode()

    assert "职工总数 不能为负数。" in html


def _overview_queries(c) -> int:
    c.get("/evaluation/")  # warm: per-process caches (the synthetic-data banner) are not the page's
    with CaptureQueriesContext(connection) as ctx:
        response = c.get("/evaluation/")
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_regulator_overview_query_count_does_not_grow_with_the_region():
    reg = regulator("city")
    region(3)
    finished_run(actor=reg)
    finished_run(actor=reg)
    c = login(reg)
    small = _overview_queries(c)

    region(6, start=20)
    finished_run(actor=reg)
    large = _overview_queries(c)

    assert small == large == 9  # the session user comes with its organisation (one query)


def test_overview_shows_movements_between_the_latest_two_runs():
    reg = regulator("city")
    ent = load_golden("tsme-base")
    first = finished_run(actor=reg)
    second = finished_run(actor=reg)
    TierPlacement.objects.filter(run=first, enterprise=ent).update(tier="none", tier_rank=0)

    html = login(reg).get("/evaluation/").content.decode()

    assert f"评价批次 #{second.pk}" in html and f"与批次 #{first.pk}" in html
    assert html.count('class="moved-up"') == 1
    assert AS_OF.isoformat() in html


def test_what_if_without_htmx_returns_the_whole_styled_page_with_the_change():
    ent = load_golden("tsme-staff-below-10pct")
    c = login(regulator("city"))

    response = c.post(f"/evaluation/enterprises/{ent.pk}/?as_of=2026-11-22",
                      {"as_of": "2026-11-22", "tech_staff": "10"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html and "kechuang/kechuang.css" in html and 'id="what-if-form"' in html
    assert 'id="std-tsme" data-standard="tsme" data-status="met"' in html
    assert 'id="wi-tech_staff" name="tech_staff" inputmode="decimal" value="10"' in html
