"""Default outcomes: the rate, the ordering by latent risk, and signal a model can learn."""

from __future__ import annotations

import math

import numpy as np
import pytest

from kechuang.synthetic import generate_outcomes, risk

from .conftest import SAMPLE

N = 20_000


def _auc(score: np.ndarray, label: np.ndarray) -> float:
    order = np.argsort(score, kind="stable")
    ranks = np.empty(len(score))
    ranks[order] = np.arange(1, len(score) + 1)
    pos = label.sum()
    return float((ranks[label].sum() - pos * (pos + 1) / 2) / (pos * (len(label) - pos)))


def _outcomes(n: int = N, **kw) -> tuple[np.ndarray, np.ndarray]:
    rows = list(generate_outcomes(n, **kw))
    return (np.array([r["latent_pd"] for r in rows]), np.array([r["defaulted"] for r in rows]))


@pytest.fixture(scope="module")
def outcomes() -> tuple[np.ndarray, np.ndarray]:
    return _outcomes()


def test_default_rate_is_between_three_and_five_percent(outcomes):
    pd, defaulted = outcomes
    assert 0.03 <= defaulted.mean() <= 0.05
    assert 0.03 <= pd.mean() <= 0.05


def test_the_riskiest_decile_defaults_at_least_twenty_times_as_often_as_the_safest(outcomes):
    pd, defaulted = outcomes
    order = np.argsort(pd)
    top, bottom = defaulted[order[-N // 10:]].mean(), defaulted[order[:N // 10]].mean()
    assert top >= 0.12
    assert top >= 20 * max(bottom, 1 / (N // 10))


def test_latent_pd_ranks_well_but_not_perfectly(outcomes):
    pd, defaulted = outcomes
    assert 0.76 <= _auc(pd, defaulted) <= 0.88


def test_a_model_on_the_published_facts_beats_chance_but_not_the_latent_pd(sample, outcomes):
    # Given the records and outcomes of the same 5,000 firms
    pd, defaulted = outcomes[0][:SAMPLE], outcomes[1][:SAMPLE]
    score = []
    for rec in sample:
        ref = next((y for y in rec["years"] if y["year"] == 2025), None) or {}
        assets, debt = ref.get("total_assets"), ref.get("total_liabilities")
        lev = debt / assets if assets and debt is not None else 0.5
        rev, profit = ref.get("operating_revenue"), ref.get("net_profit")
        margin = profit / rev if rev and profit is not None else 0.0
        bad_tax = ref.get("tax_credit_grade") in ("C", "D")
        overdue = max((loan["max_overdue_days"] for loan in rec["loans"]), default=0) > 0
        age = 2026.9 - int(rec["registered_on"][:4])
        # When: an analyst scores them with the published model's observable part
        score.append(risk.B_LEVERAGE * lev + risk.B_MARGIN * max(margin, -1.0)
                     + risk.B_SIZE * math.log(max(ref.get("employees") or 1, 1))
                     + risk.B_AGE * math.log1p(age) + 1.0 * bad_tax + 1.0 * overdue)
    # Then it ranks defaults clearly better than chance, and worse than the hidden PD
    auc = _auc(np.array(score), defaulted)
    assert 0.68 <= auc <= _auc(pd, defaulted)


def test_a_longer_horizon_only_adds_defaults(outcomes):
    _, six = _outcomes(5000, horizon_months=6)
    twelve = outcomes[1][:5000]
    _, twenty_four = _outcomes(5000, horizon_months=24)
    assert np.all(twelve[six]) and np.all(twenty_four[twelve])
    assert six.sum() < twelve.sum() < twenty_four.sum()
