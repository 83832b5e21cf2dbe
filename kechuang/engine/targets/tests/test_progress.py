"""Worked numbers for progress, growth, forecasts and status (plain Python, no Django)."""

import math

import pytest

from kechuang.engine.targets.progress import (LOWER, Status, assess, cagr, forecast, meets,
                                              progress_share, t90)


def test_cagr_of_a_ten_percent_series():
    assert cagr(100, 121, 2) == pytest.approx(0.10)
    assert cagr(0, 121, 2) is None


@pytest.mark.parametrize(("label", "value", "target", "qualifier", "direction", "expected"), [
    ("at-floor", 100, 100, "以上", "higher", True),
    ("below-floor", 99.9, 100, "不低于", "higher", False),
    ("breakthrough-needs-more", 100, 100, "突破", "higher", False),
    ("about-within-5pct", 12.4, 13, "左右", "higher", True),
    ("about-outside-5pct", 12.3, 13, "左右", "higher", False),
    ("lower-is-better", 1.14, 1.5, "", LOWER, True),
])
def test_meets_reads_the_qualifier(label, value, target, qualifier, direction, expected):
    assert meets(value, target, qualifier=qualifier, direction=direction) is expected, label


def test_progress_share_from_baseline():
    # baseline 776 (2017) → target 1250 (2022); 968.52 in 2020 is (968.52-776)/(1250-776) of the way
    assert progress_share(actual=968.52, target=1250, baseline=776) == pytest.approx(192.52 / 474)
    assert progress_share(actual=1.14, target=1.5, direction=LOWER) == pytest.approx(1.5 / 1.14)


def test_two_point_forecast_uses_cagr_with_a_half_to_one_and_a_half_rate_band():
    fc = forecast([(2018, 100.0), (2020, 121.0)], 2022)
    assert fc.method == "cagr-2pt"
    assert fc.value == pytest.approx(146.41)
    assert fc.low == pytest.approx(133.1)
    assert fc.high == pytest.approx(161.051)


def test_loglinear_forecast_on_an_exact_series_has_no_band():
    fc = forecast([(2018, 100.0), (2019, 110.0), (2020, 121.0)], 2021)
    assert fc.method == "loglinear"
    assert fc.value == pytest.approx(133.1)
    assert fc.high - fc.low == pytest.approx(0.0, abs=1e-9)


def test_loglinear_forecast_band_is_the_prediction_interval():
    pts = [(2016, 100.0), (2017, 112.0), (2018, 119.0), (2019, 135.0), (2020, 146.0)]
    fc = forecast(pts, 2022)
    xs = [p[0] for p in pts]
    ys = [math.log(p[1]) for p in pts]
    xbar, ybar = sum(xs) / 5, sum(ys) / 5
    sxx = sum((x - xbar) ** 2 for x in xs)  # 10
    b = sum((x - xbar) * (y - ybar) for x, y in zip(xs, ys, strict=True)) / sxx
    a = ybar - b * xbar
    s = math.sqrt(sum((y - a - b * x) ** 2 for x, y in zip(xs, ys, strict=True)) / 3)
    half = 1.638 * s * math.sqrt(1 + 1 / 5 + (2022 - 2018) ** 2 / 10)
    assert t90(3) == 1.638
    assert fc.value == pytest.approx(math.exp(a + b * 2022))
    assert fc.low == pytest.approx(math.exp(a + b * 2022 - half))
    assert fc.high == pytest.approx(math.exp(a + b * 2022 + half))
    assert fc.low < fc.value < fc.high


def test_jinan_2020_financial_value_added_target_was_missed():
    # 2018 plan: 1000 亿元 in 2020 (baseline 776 in 2017); 14th FYP: 968.52 in 2020
    a = assess(target=1000, target_year=2020, points=[(2020, 968.52)], baseline=(2017, 776), as_of_year=2021)
    assert a.status == Status.MISSED
    assert a.achieved_rate == pytest.approx((968.52 / 776) ** (1 / 3) - 1)


@pytest.mark.parametrize(("label", "target", "expected"), [
    ("band-above", 130, Status.ON_TRACK),
    ("band-straddles", 146, Status.AT_RISK),
    ("band-below", 170, Status.OFF_TRACK),
])
def test_status_from_the_forecast_band(label, target, expected):
    a = assess(target=target, target_year=2022, points=[(2018, 100.0), (2020, 121.0)], as_of_year=2020)
    assert a.status == expected, label
    assert a.required_rate == pytest.approx((target / 121) ** 0.5 - 1)


def test_target_year_passed_without_an_actual_is_no_data():
    a = assess(target=100, target_year=2020, points=[(2018, 90.0)], as_of_year=2022)
    assert a.status == Status.NO_DATA
