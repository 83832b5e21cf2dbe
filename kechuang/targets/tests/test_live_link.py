"""Plan indicators and the platform: a target without a year counts for the plan's last year
(marked presumed), and an indicator linked to a live metric shows the platform's figure this year to
date in the indicator's unit, beside the reported actuals and outside the assessment."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kechuang.core.models import AuditEntry
from kechuang.enterprises.tests.factories import load, record, regulator
from kechuang.targets import selectors
from kechuang.targets.models import Indicator, Plan
from kechuang.targets.selectors import plan_progress
from kechuang.targets.services import indicator_live_link

from .factories import small_plan

pytestmark = pytest.mark.django_db

UNDATED = ("地区,规划,指标,单位,年份,数值,类型\n济南市,测试规划,技术合同成交额,亿元,5年左右,800,目标\n"
           "济南市,测试规划,平台企业,家,2025,3,目标\n")


def _rows():
    return {p.indicator.name: p for p in plan_progress(Plan.objects.get(name="测试规划"), as_of_year=2024)}


def test_a_target_without_a_year_counts_for_the_plans_last_year_and_says_so():
    small_plan(indicators=UNDATED)
    rows = _rows()
    assert (rows["技术合同成交额"].target_year, rows["技术合同成交额"].presumed) == (2025, True)
    assert rows["技术合同成交额"].target.year is None and rows["技术合同成交额"].assessment.status == "no_data"
    assert (rows["平台企业"].target_year, rows["平台企业"].presumed) == (2025, False)


def test_a_linked_indicator_shows_the_platform_figure_in_its_unit(monkeypatch):
    small_plan(indicators=UNDATED)
    reg = regulator("city")
    amount = Indicator.objects.get(name="技术合同成交额")
    count = Indicator.objects.get(name="平台企业")
    indicator_live_link(indicator=amount, live_code="tech_contract_turnover", actor=reg)
    indicator_live_link(indicator=count, live_code="enterprises.on_platform", actor=reg)
    load([record(1, "370102"), record(2, "370112")])
    calls = []

    def fake_turnover(code, **kw):
        calls.append((code, kw["region_code"]))
        return real(code, **kw) if code != "tech_contract_turnover" else (Decimal("720000000"), None)

    real = selectors.live_metric
    monkeypatch.setattr(selectors, "live_metric", fake_turnover)
    year = timezone.localdate().year
    rows = {p.indicator.name: p for p in plan_progress(Plan.objects.get(name="测试规划"), as_of_year=year)}
    assert rows["技术合同成交额"].live["value"] == pytest.approx(7.2)  # 7.2亿元 from 720,000,000 yuan
    assert rows["平台企业"].live["value"] == 2  # a count stays a count
    assert ("tech_contract_turnover", "370100") in calls
    # the platform's figure is shown, not assessed: still no reported actual
    assert rows["技术合同成交额"].assessment.latest_value is None


def test_linking_is_audited_and_an_unknown_metric_is_refused_with_its_code():
    small_plan(indicators=UNDATED)
    reg = regulator("city")
    ind = Indicator.objects.get(name="技术合同成交额")
    with pytest.raises(ValidationError) as exc:
        indicator_live_link(indicator=ind, live_code="no_such_metric", actor=reg)
    assert exc.value.error_dict["live_code"][0].code == "unknown_metric"
    ind.refresh_from_db()
    assert ind.live_code == ""
    indicator_live_link(indicator=ind, live_code="tech_contract_turnover", actor=reg)
    entry = AuditEntry.objects.filter(object_type="targets.indicator", object_id=str(ind.pk)).latest("pk")
    assert (entry.before, entry.after) == ({"live_code": ""}, {"live_code": "tech_contract_turnover"})


def test_the_plan_page_links_an_indicator_and_shows_the_presumed_year(client):
    small_plan(indicators=UNDATED)
    plan = Plan.objects.get(name="测试规划")
    ind = Indicator.objects.get(name="技术合同成交额")
    client.force_login(regulator("city"))
    page = client.get(f"/targets/plans/{plan.pk}/").content.decode()
    assert "按规划期末推定" in page and 'value="tech_contract_turnover"' in page
    r = client.post(f"/targets/indicators/{ind.pk}/live/", {"live_code": "tech_contract_turnover"})
    assert r.status_code == 302
    ind.refresh_from_db()
    assert ind.live_code == "tech_contract_turnover"
    assert "平台内" in client.get(f"/targets/plans/{plan.pk}/").content.decode()
    client.force_login(regulator("viewer", role="viewer"))
    assert client.post(f"/targets/indicators/{ind.pk}/live/", {"live_code": ""}).status_code == 404  # not writable
    ind.refresh_from_db()
    assert ind.live_code == "tech_contract_turnover"
