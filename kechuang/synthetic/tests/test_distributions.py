"""Plausible distributions on the first 5,000 records of the default seed. The ranges are
stated in docs/demo-data.md; each is a few standard errors wide around the designed value."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest

from .conftest import AS_OF, SAMPLE

ISO = AS_OF.isoformat()
REF = AS_OF.year - 1


def _ref(rec: dict) -> dict | None:
    return next((y for y in rec["years"] if y["year"] == REF), None)


def _valid_share(sample, kind: str) -> float:
    held = sum(any(c["kind"] == kind and c["valid_from"] <= ISO <= c["valid_to"]
                   for c in r["certificates"]) for r in sample)
    return held / SAMPLE


def test_most_firms_have_ten_percent_tech_staff(sample):
    ratios = [y["tech_staff"] / y["employees"] for r in sample if (y := _ref(r))
              and y["employees"] and y["tech_staff"] is not None]
    share = np.mean(np.array(ratios) >= 0.1)
    assert 0.74 <= share <= 0.84


def test_some_firms_sit_exactly_on_the_ten_percent_line(sample):
    exact = sum(1 for r in sample if (y := _ref(r)) and y["employees"] and y["tech_staff"] is not None
                and y["tech_staff"] * 10 == y["employees"])
    assert 25 <= exact <= 90


def test_rd_intensity_and_ip_portfolio_are_correlated(sample):
    pairs = [(math.log(y["rd_expense"] / y["sales_revenue"]), math.log1p(len(r["ip"])))
             for r in sample if (y := _ref(r)) and y["rd_expense"] and y["sales_revenue"]]
    x, z = np.array(pairs).T
    assert np.corrcoef(x, z)[0, 1] >= 0.22


def test_size_is_heavy_tailed(sample):
    emp = np.array([y["employees"] for r in sample if (y := _ref(r)) and y["employees"] is not None])
    assert 15 <= np.median(emp) <= 30
    assert 0.002 <= np.mean(emp > 500) <= 0.015
    assert 0.20 <= np.mean(emp < 10) <= 0.33
    rev = np.array([y["operating_revenue"] for r in sample if (y := _ref(r)) and y["operating_revenue"]])
    assert np.percentile(rev, 99) / np.median(rev) >= 20


def test_ip_portfolios_are_mostly_small_with_a_long_tail(sample):
    counts = np.array([len(r["ip"]) for r in sample])
    assert 2.8 <= counts.mean() <= 4.2
    assert 0.30 <= np.mean(counts == 0) <= 0.45
    assert 0.015 <= np.mean(counts >= 20) <= 0.05
    assert counts.max() <= 60
    types = Counter(i["type"] for r in sample for i in r["ip"])
    assert types["software_copyright"] > types["utility_model"] > types["invention_patent"] > types["design"]


@pytest.mark.parametrize(("kind", "low", "high"), [
    ("hnte", 0.12, 0.18),
    ("tsme", 0.26, 0.35),
    ("srdi_sme", 0.035, 0.07),
    ("gazelle", 0.005, 0.016),
    ("little_giant", 0.0002, 0.004),
])
def test_certificate_shares(sample, kind, low, high):
    assert low <= _valid_share(sample, kind) <= high


def test_growth_has_gazelles_and_decliners(sample):
    growth = []
    for r in sample:
        ys = {y["year"]: y["operating_revenue"] for y in r["years"]}
        if ys.get(REF - 1) and ys.get(REF):
            growth.append(ys[REF] / ys[REF - 1] - 1)
    g = np.array(growth)
    assert 0.18 <= np.mean(g < 0) <= 0.32
    assert 0.25 <= np.mean(g >= 0.2) <= 0.45


def test_a_few_percent_of_annual_values_are_unknown(sample):
    values = [v for r in sample for y in r["years"] for k, v in y.items() if k != "year"]
    assert 0.02 <= sum(v is None for v in values) / len(values) <= 0.05


def test_lixia_and_licheng_hold_the_most_firms(sample):
    by_region = Counter(r["region_code"] for r in sample)
    assert [code for code, _ in by_region.most_common(2)] in (["370112", "370102"], ["370102", "370112"])
    assert 0.36 <= (by_region["370102"] + by_region["370112"]) / SAMPLE <= 0.46


def test_tax_grades_are_mostly_a_and_b(sample):
    grades = Counter(y["tax_credit_grade"] for r in sample for y in r["years"])
    total = sum(grades.values())
    assert 0.75 <= (grades["A"] + grades["B"]) / total <= 0.90
    assert 0.02 <= (grades["C"] + grades["D"]) / total <= 0.08
