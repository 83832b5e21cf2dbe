"""End to end: fit, JSON artefact, batch and one-row scoring, reasons, calibration, monitoring."""

from __future__ import annotations

import math
import time

import numpy as np
import orjson
import polars as pl
import pytest

from kechuang.engine.scorecard import (
    BinningProcess,
    ErrorCode,
    Scorecard,
    ScorecardError,
    ScorecardModel,
    monitor,
)

REASONS = {
    "rd_share_change": {"low": "近两年研发人员占比下降", "default": "研发人员占比变化不利"},
    "debt_ratio": {"high": "资产负债率偏高", "missing": "缺少资产负债率数据"},
}


def _enterprises(n: int = 8000, seed: int = 7):
    rng = np.random.default_rng(seed)
    rd = rng.normal(0.0, 0.05, size=n)  # change in R&D staff share; a fall is risky
    debt = rng.uniform(0.1, 0.95, size=n)  # debt ratio; high is risky
    tier = rng.choice(["科技型中小企业", "专精特新", "小巨人", "高新技术企业"], size=n)
    noise = rng.normal(size=n)
    logit = (
        -2.0
        - 18.0 * rd
        + 3.0 * (debt - 0.5)
        + np.select(
            [tier == "小巨人", tier == "专精特新", tier == "高新技术企业"], [-1.0, -0.5, -0.3], 0.0
        )
    )
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.int8)
    debt[rng.random(n) < 0.04] = np.nan
    X = pl.DataFrame({"rd_share_change": rd, "debt_ratio": debt, "tier": tier, "noise": noise})
    return X, y


@pytest.fixture(scope="module")
def fitted():
    X, y = _enterprises()
    return X, y, Scorecard(reason_texts=REASONS).fit(X, y)


def test_fit_selects_informative_features_and_reports(fitted):
    X, y, sc = fitted
    assert set(sc.selected_features_) == {"rd_share_change", "debt_ratio", "tier"}
    assert sc.selection_["noise"] == "low_iv"
    rep = sc.report_
    assert rep["schema"] == "kechuang.scorecard.report"
    assert rep["sample"] == {
        "n_rows": 8000,
        "n_events": int(y.sum()),
        "default_rate": float(y.mean()),
    }
    pd = sc.predict_proba(X)[:, 1]
    assert rep["metrics"]["auc"] > 0.75
    assert rep["metrics"]["gini"] == pytest.approx(2 * rep["metrics"]["auc"] - 1, abs=1e-15)
    assert sum(r["count"] for r in rep["calibration_by_grade"]) == 8000
    assert sum(r["count"] for r in rep["calibration_by_decile"]) == 8000
    # the logistic fit is unbiased on the development sample: mean PD = default rate
    assert pd.mean() == pytest.approx(y.mean(), abs=1e-6)
    debt = next(f for f in rep["features"] if f["feature"] == "debt_ratio")
    assert sum(b["count"] for b in debt["bins"]) == 8000
    assert debt["bins"][-1]["label"] == "missing"
    orjson.dumps(rep)  # plain JSON


def test_points_add_up_to_the_score_and_match_pd(fitted):
    X, _, sc = fitted
    out = sc.score(X, points=True, reasons=0)
    pts = out.select([f"points_{f}" for f in sc.model_.features]).to_numpy().sum(axis=1)
    np.testing.assert_allclose(pts, out["score"].to_numpy(), rtol=0, atol=1e-9)
    # score = offset − factor·logit, so PD follows from the score alone
    s = sc.model_.scaling
    logit = s.logit_from_score(out["score"].to_numpy())
    np.testing.assert_allclose(
        1 / (1 + np.exp(-logit)), out["pd"].to_numpy(), rtol=1e-12, atol=1e-15
    )


def test_points_rise_with_woe_for_every_kept_feature(fitted):
    _, _, sc = fitted
    assert all(c < 0 for c in sc.model_.coefficients)


def test_json_round_trip_scores_identically(fitted):
    X, _, sc = fitted
    text = sc.model_.to_json()
    again = ScorecardModel.from_json(text)
    assert again.to_json() == text
    assert again.score(X, points=True).equals(sc.model_.score(X, points=True))
    assert orjson.loads(text)["schema_version"] == 1


def test_refit_is_deterministic(fitted):
    X, y, sc = fitted
    assert Scorecard(reason_texts=REASONS).fit(X, y).model_.to_json() == sc.model_.to_json()


def test_schema_version_mismatch_is_rejected(fitted):
    d = orjson.loads(fitted[2].model_.to_json())
    d["schema_version"] = 99
    with pytest.raises(ScorecardError) as err:
        ScorecardModel.from_dict(d)
    assert err.value.code is ErrorCode.SCHEMA_VERSION


def test_one_row_scoring_equals_batch_scoring(fitted):
    X, _, sc = fitted
    model = sc.model_
    batch = model.score(X.head(200), points=True, reasons=3)
    for i, row in enumerate(X.head(200).iter_rows(named=True)):
        one = model.score_one(row)
        b = batch.row(i, named=True)
        assert one["pd"] == pytest.approx(b["pd"], rel=1e-12)
        assert one["score"] == pytest.approx(b["score"], rel=1e-12)
        assert one["grade"] == b["grade"]
        assert [r["code"] for r in one["reasons"]] == [
            b[f"reason_{k}"] for k in (1, 2, 3) if b[f"reason_{k}"]
        ]


def test_reason_codes_use_the_supplied_chinese_texts(fitted):
    X, _, sc = fitted
    model = sc.model_
    worst = {"rd_share_change": -0.3, "debt_ratio": 0.95, "tier": "科技型中小企业", "noise": 0.0}
    out = model.score_one(worst)
    codes = [r["code"] for r in out["reasons"]]
    texts = [r["text"] for r in out["reasons"]]
    assert codes[0] in ("rd_share_change.low", "debt_ratio.high")
    assert set(codes) == {"rd_share_change.low", "debt_ratio.high", "tier.category"}
    assert "近两年研发人员占比下降" in texts and "资产负债率偏高" in texts
    assert (
        out["reasons"][0]["points_lost"]
        >= out["reasons"][1]["points_lost"]
        >= out["reasons"][2]["points_lost"]
    )
    missing = model.score_one({**worst, "debt_ratio": None})
    assert "缺少资产负债率数据" in [r["text"] for r in missing["reasons"]] or all(
        r["code"] != "debt_ratio.missing" for r in missing["reasons"]
    )
    best = {f.name: None for f in model.binnings}  # fill each feature with a value in its best bin
    for fb, pts in zip(model.binnings, model._points, strict=True):
        k = int(np.argmax(np.where(np.asarray(fb.count) > 0, pts, -np.inf)))
        best[fb.name] = (
            fb.categories[k][0]
            if fb.kind == "categorical"
            else (fb.splits[k] if k < len(fb.splits) else fb.splits[-1] + 1.0)
        )
    assert model.score_one(best)["reasons"] == []


def test_calibration_to_a_target_default_rate(fitted):
    X, y, _ = fitted
    sc = Scorecard(target_default_rate=0.03).fit(X, y)
    assert sc.predict_proba(X)[:, 1].mean() == pytest.approx(0.03, abs=1e-9)
    base = Scorecard().fit(X, y)
    # only the level moves: ranks (AUC) are unchanged
    assert sc.report_["metrics"]["auc"] == pytest.approx(base.report_["metrics"]["auc"], abs=1e-12)
    assert sc.model_.intercept_shift < 0


def test_scaling_parameters_are_applied(fitted):
    X, y, _ = fitted
    a = Scorecard(base_score=600, base_odds=50, pdo=20).fit(X, y).score(X.head(5), reasons=0)
    b = Scorecard(base_score=700, base_odds=50, pdo=40).fit(X, y).score(X.head(5), reasons=0)
    np.testing.assert_allclose(
        b["score"].to_numpy() - 700, 2 * (a["score"].to_numpy() - 600), atol=1e-9
    )


def test_monitoring_flags_a_shifted_population(fitted):
    X, _, sc = fitted
    same = monitor(sc.model_, X)
    assert same["score_psi"]["psi"] == pytest.approx(0.0, abs=1e-12)
    assert same["alert"] is False
    shifted = X.with_columns(debt_ratio=pl.col("debt_ratio") * 0.3 + 0.65)
    rep = monitor(sc.model_, shifted)
    debt = next(f for f in rep["features"] if f["feature"] == "debt_ratio")
    assert debt["status"] == "alert" and debt["csi"] > 0.25
    assert rep["alert"] is True
    tier = next(f for f in rep["features"] if f["feature"] == "tier")
    assert tier["status"] == "stable"


def test_monitoring_merges_partitions(fitted):
    X, _, sc = fitted
    from kechuang.engine.scorecard import MonitoringStatistics

    whole = MonitoringStatistics(sc.model_).add(X).finalize()
    parts = (
        MonitoringStatistics(sc.model_)
        .add(X[:1000])
        .merge(MonitoringStatistics(sc.model_).add(X[1000:]))
    )
    assert parts.finalize() == whole


def test_one_row_latency_p95_under_one_millisecond(fitted):
    X, _, sc = fitted
    rows = X.head(2000).to_dicts()
    for r in rows[:100]:
        sc.model_.score_one(r)
    lat = []
    for r in rows:
        t0 = time.perf_counter()
        sc.model_.score_one(r)
        lat.append(time.perf_counter() - t0)
    assert np.percentile(lat, 95) < 1e-3


@pytest.mark.parametrize(
    ("make", "code"),
    [
        pytest.param(
            lambda X, y: (X, np.zeros_like(y)), ErrorCode.TARGET_ONE_CLASS, id="one class"
        ),
        pytest.param(lambda X, y: (X.head(20), y[:20]), ErrorCode.TOO_FEW_ROWS, id="too few rows"),
        pytest.param(
            lambda X, y: (X.select("noise"), y),
            ErrorCode.NO_FEATURES_SELECTED,
            id="nothing informative",
        ),
        pytest.param(lambda X, y: ("not a frame", y), ErrorCode.NOT_A_FRAME, id="not a frame"),
    ],
)
def test_scorecard_bad_input(fitted, make, code):
    X, y, _ = fitted
    Xb, yb = make(X, y)
    if code is ErrorCode.TOO_FEW_ROWS:
        yb = np.array([0, 1] * 10)
    with pytest.raises(ScorecardError) as err:
        Scorecard().fit(Xb, yb)
    assert err.value.code is code


def test_constant_and_all_missing_features_are_dropped_with_their_status(fitted):
    X, y, _ = fitted
    sc = Scorecard().fit(X.with_columns(const=pl.lit(1.0), empty=pl.lit(None, dtype=pl.Float64)), y)
    assert sc.selection_["const"] == "constant"
    assert sc.selection_["empty"] == "all_missing"


def test_scoring_nan_inf_and_unseen_categories(fitted):
    X, _, sc = fitted
    model = sc.model_
    row = {"rd_share_change": float("nan"), "debt_ratio": 0.5, "tier": "独角兽", "noise": 0.0}
    out = model.score_one(row)  # NaN → missing bin; unseen tier → missing bin (empty at fit: WoE 0)
    frame = model.score(pl.DataFrame([row]), reasons=0)
    assert out["pd"] == pytest.approx(frame["pd"][0], rel=1e-12)
    tier = next(b for b in model.binnings if b.name == "tier")
    assert tier.count[-1] == 0 and tier.woe[-1] == 0.0
    with pytest.raises(ScorecardError) as err:
        model.score_one({**row, "debt_ratio": math.inf})
    assert err.value.code is ErrorCode.NON_FINITE
    with pytest.raises(ScorecardError) as err:
        model.score(pl.DataFrame([{**row, "debt_ratio": math.inf}]))
    assert err.value.code is ErrorCode.NON_FINITE
    strict = Scorecard(binning=BinningProcess(unseen_category="error")).fit(*fitted[:2]).model_
    with pytest.raises(ScorecardError) as err:
        strict.score_one(row)
    assert err.value.code is ErrorCode.UNSEEN_CATEGORY


def test_arrow_tables_are_accepted(fitted):
    X, y, sc = fitted
    np.testing.assert_array_equal(sc.predict_proba(X.to_arrow()), sc.predict_proba(X))
