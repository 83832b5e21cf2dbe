"""The seeds' real test: the 2018 action plan's targets for 2020 against the 2020 actuals the
14th Five-Year plan reports; and progress of a plan through the engine."""

from decimal import Decimal

import pytest

from kechuang.targets.models import Plan
from kechuang.targets.selectors import plan_progress, target_year_check

from .factories import reference, small_plan

pytestmark = pytest.mark.django_db


def test_which_2020_targets_jinan_met_and_which_it_missed():
    reference()
    rows = target_year_check(Plan.objects.get(name="济南金融行动计划2018-2022"), 2020)
    met = sorted(r.target.indicator.name for r in rows if r.met is True)
    missed = sorted(r.target.indicator.name for r in rows if r.met is False)
    assert met == sorted(["本外币存款余额", "本外币贷款余额", "年保费收入", "境内外上市公司数量"])
    assert missed == sorted(["金融业增加值", "金融业增加值占比", "金融业税收", "法人金融机构数", "私募基金管理人",
                             "私募基金管理规模"])
    gva = next(r for r in rows if r.target.indicator.name == "金融业增加值")
    assert (gva.target.value, gva.actual) == (Decimal("1000"), 968.52)
    assert gva.actual_source.indicator.plan.name == "济南十四五金融业发展规划"
    assert gva.actual_source.quote == "2020年，全市完成金融业增加值968.52亿元"
    no_actual = {r.target.indicator.name for r in rows if r.met is None}
    assert "保险深度" in no_actual and "金融业税收占比" in no_actual


def test_2022_targets_seen_from_2020_are_forecast_from_baseline_and_2020_actual():
    reference()
    rows = {p.indicator.concept: p for p in plan_progress(Plan.objects.get(name="济南金融行动计划2018-2022"),
                                                          as_of_year=2020)}
    gva = rows["金融业增加值"]
    assert gva.target.year == 2022 and gva.target.value == Decimal("1250")
    a = gva.assessment
    # 776 (2017) → 968.52 (2020): CAGR 7.66 %; needed 13.6 % a year to reach 1250 by 2022
    assert a.achieved_rate == pytest.approx((968.52 / 776) ** (1 / 3) - 1)
    assert a.required_rate == pytest.approx((1250 / 968.52) ** 0.5 - 1)
    assert a.forecast.method == "cagr-2pt"
    assert a.forecast.high < 1250
    assert a.status == "off_track"
    assert rows["本外币存款余额"].assessment.status == "at_risk"


def test_lower_is_better_indicator_through_the_import():
    small_plan(indicators="地区,规划,指标,单位,年份,数值,类型\n济南市,测试规划,不良贷款率,%,2025,1.5,目标\n"
               "济南市,测试规划,不良贷款率,%,2021,1.14,实际\n济南市,测试规划,不良贷款率,%,2025,1.2,实际\n")
    [p] = plan_progress(Plan.objects.get(name="测试规划"), as_of_year=2026)
    assert p.indicator.direction == "lower"
    assert p.assessment.status == "met"
