"""Metrics, logistic regression, scaling and the master scale on hand-computed cases."""

from __future__ import annotations

import math

import numpy as np
import pytest

from kechuang.engine.scorecard import (
    DEFAULT_MASTER_SCALE,
    LogisticRegressionL2,
    NewtonTerms,
    PointsScaling,
    calibrate_intercept,
    calibration_table,
    gini,
    ks_statistic,
    psi,
    roc_auc,
    stability_status,
)
from kechuang.engine.scorecard.scaling import grade_index


def test_auc_ks_gini_tiny_example():
    y = np.array([0, 0, 1, 1])
    s = np.array([0.1, 0.4, 0.35, 0.8])
    assert roc_auc(y, s) == 0.75
    assert gini(y, s) == 0.5
    assert ks_statistic(y, s) == 0.5


def test_auc_counts_ties_as_half_and_ks_waits_for_tie_groups():
    y = np.array([0, 1, 0, 1])
    s = np.array([0.5, 0.5, 0.2, 0.9])
    assert roc_auc(y, s) == 0.875
    # thresholds: ≤0.2 → (0, .5); ≤0.5 → (.5, 1); the tie is never split
    assert ks_statistic(y, s) == 0.5


def test_auc_needs_both_classes():
    with pytest.raises(ValueError, match="both classes"):
        roc_auc(np.array([1, 1]), np.array([0.1, 0.2]))


def test_psi_exact_and_statuses():
    value = psi([50, 50], [25, 75])
    assert value == pytest.approx(
        (0.25 - 0.5) * math.log(0.5) + (0.75 - 0.5) * math.log(1.5), abs=1e-15
    )
    assert psi([10, 20, 30], [10, 20, 30]) == 0.0
    assert [stability_status(v) for v in (0.0999, 0.1, 0.2499, 0.25)] == [
        "stable",
        "watch",
        "watch",
        "alert",
    ]


def test_calibration_table_rows():
    rows = calibration_table([1, 0, 0, 1], [0.8, 0.2, 0.4, 0.6], [0, 0, 1, 1], ["low", "high"])
    assert rows == [
        {"group": "low", "count": 2, "events": 1, "observed_rate": 0.5, "mean_pd": 0.5},
        {"group": "high", "count": 2, "events": 1, "observed_rate": 0.5, "mean_pd": 0.5},
    ]


def test_logistic_regression_unpenalised_recovers_the_log_odds_ratio():
    # x=0: 20 of 100 default; x=1: 50 of 100 default → β0 = ln(0.25), β1 = ln 4
    x = np.r_[np.zeros(100), np.ones(100)][:, None]
    y = np.r_[np.ones(20), np.zeros(80), np.ones(50), np.zeros(50)]
    lr = LogisticRegressionL2(l2=0.0).fit(x, y)
    assert lr.intercept_ == pytest.approx(math.log(0.25), abs=1e-9)
    assert lr.coef_[0] == pytest.approx(math.log(4.0), abs=1e-9)


def test_logistic_regression_l2_shrinks_and_stationarity_holds():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(500, 3))
    y = (rng.random(500) < 1 / (1 + np.exp(-(X @ [1.0, -0.5, 0.0])))).astype(float)
    lr = LogisticRegressionL2(l2=10.0).fit(X, y)
    p = lr.predict_proba(X)[:, 1]
    # gradient of the penalised loss is zero at the optimum
    assert np.abs(X.T @ (p - y) + 10.0 * lr.coef_).max() < 1e-7
    assert abs((p - y).sum()) < 1e-7
    assert abs(lr.coef_[0]) < abs(LogisticRegressionL2(l2=0.0).fit(X, y).coef_[0])


def test_newton_terms_merge_equals_whole():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(400, 2))
    y = (rng.random(400) < 0.3).astype(float)
    beta = np.array([0.1, -0.2, 0.3])
    whole = NewtonTerms.empty(beta).add(X, y)
    parts = (
        NewtonTerms.empty(beta)
        .add(X[:150], y[:150])
        .merge(NewtonTerms.empty(beta).add(X[150:], y[150:]))
    )
    np.testing.assert_allclose(parts.grad, whole.grad, rtol=1e-12)
    np.testing.assert_allclose(parts.hess, whole.hess, rtol=1e-12)
    assert parts.nll == pytest.approx(whole.nll, rel=1e-12)
    assert parts.n == 400


def test_points_scaling_anchor_and_pdo():
    s = PointsScaling(base_score=600, base_odds=50, pdo=20)
    # good:bad odds 50 → PD logit ln(1/50)
    assert s.score_from_logit(-math.log(50)) == pytest.approx(600.0, abs=1e-12)
    assert s.score_from_logit(-math.log(100)) == pytest.approx(620.0, abs=1e-12)
    assert s.logit_from_score(600.0) == pytest.approx(-math.log(50), abs=1e-12)


def test_calibrate_intercept_hits_the_target_mean():
    logit = np.log(np.array([0.01, 0.1, 0.3]) / (1 - np.array([0.01, 0.1, 0.3])))
    shift = calibrate_intercept(logit, 0.05)
    assert np.mean(1 / (1 + np.exp(-(logit + shift)))) == pytest.approx(0.05, abs=1e-12)


@pytest.mark.parametrize(
    ("pd", "grade"),
    [
        pytest.param(0.0, "AAA", id="zero"),
        pytest.param(0.00049, "AAA", id="below the AAA bound"),
        pytest.param(0.0005, "AA", id="bounds are exclusive"),
        pytest.param(0.0199, "BB", id="BB"),
        pytest.param(0.05, "CCC", id="5% is CCC"),
        pytest.param(1.0, "C", id="certain default"),
    ],
)
def test_master_scale_grades(pd, grade):
    uppers = np.array([u for _, u in DEFAULT_MASTER_SCALE])
    assert DEFAULT_MASTER_SCALE[int(grade_index(np.array([pd]), uppers)[0])][0] == grade
