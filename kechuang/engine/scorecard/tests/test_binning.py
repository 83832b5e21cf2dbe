"""Binning: mergeable statistics, determinism, special/missing bins and bad input."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from kechuang.engine.scorecard import BinningProcess, ErrorCode, ScorecardError
from kechuang.engine.scorecard.sketch import NumericSketch, bucket_right_ends


def _frame(n: int = 4000, seed: int = 11):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    income = rng.lognormal(10, 1, size=n)
    city = rng.choice(["济南", "青岛", "烟台", "潍坊", "临沂"], size=n)
    logit = -1.5 + 1.2 * x - 0.4 * (np.log(income) - 10) + np.where(city == "济南", -0.6, 0.3)
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.int8)
    x[rng.random(n) < 0.05] = np.nan
    income[:40] = -1.0  # a special code
    return pl.DataFrame({"x": x, "income": income, "city": city}), y


def test_bucket_right_ends_bracket_each_value():
    v = np.array([-123.456, -1.0, -1e-9, 0.0, 1e-9, 1.0, 2.5, 1e6, 123456.789])
    r = bucket_right_ends(v, 1e-3)
    g = 1.001
    assert (v <= r).all()
    pos, neg = v > 0, v < 0
    assert (v[pos] > r[pos] / g * (1 - 1e-12)).all()
    assert (v[neg] > r[neg] * g * (1 + 1e-12)).all()
    assert r[3] == 0.0


def test_sketch_partitions_merge_to_the_whole_sketch():
    rng = np.random.default_rng(1)
    v = rng.normal(size=5000) * 100
    e = (rng.random(5000) < 0.2).astype(np.int8)
    whole = NumericSketch(max_exact=1000).add(v, e)
    parts = [NumericSketch(max_exact=1000).add(v[i::4], e[i::4]) for i in range(4)]
    merged = parts[3].merge(parts[1]).merge(parts[0]).merge(parts[2])
    assert not whole.exact and not merged.exact
    np.testing.assert_array_equal(merged.keys, whole.keys)
    np.testing.assert_array_equal(merged.n, whole.n)
    np.testing.assert_array_equal(merged.e, whole.e)
    assert int(whole.n.sum()) == 5000


def test_fit_on_four_partitions_equals_fit_on_the_whole():
    X, y = _frame()
    process = BinningProcess(special_codes={"income": [-1.0]}, max_exact=500)
    whole = BinningProcess(**process.get_params()).fit(X, y).to_dict()
    stats = []
    for i in range(4):
        part = np.arange(i, X.height, 4)
        stats.append(process.new_statistics().add(X[part], y[part]))
    merged = stats[2].merge(stats[0]).merge(stats[3]).merge(stats[1]).finalize().to_dict()
    assert merged == whole


def test_statistics_round_trip_through_json_safe_dicts():
    X, y = _frame(800)
    process = BinningProcess()
    stats = process.new_statistics().add(X, y)
    again = type(stats).from_dict(process, stats.to_dict())
    assert again.to_dict() == stats.to_dict()


def test_same_data_same_bins_in_any_row_order():
    X, y = _frame()
    a = BinningProcess().fit(X, y).to_dict()
    perm = np.random.default_rng(0).permutation(X.height)
    b = BinningProcess().fit(X[perm], y[perm]).to_dict()
    assert a == b


def test_special_and_missing_get_their_own_bins():
    X, y = _frame()
    bp = BinningProcess(special_codes={"income": [-1.0]}).fit(X, y)
    inc = bp.binnings_["income"]
    assert inc.labels()[-2:] == ["special:-1.0", "missing"]
    assert inc.count[-2:] == [40, 0]
    assert bp.binnings_["x"].count[-1] == int(X["x"].is_nan().sum())
    idx = bp.bin_indices(
        pl.DataFrame({"x": [np.nan, 0.0], "income": [-1.0, None], "city": ["济南", None]})
    )
    assert idx["x"][0] == bp.binnings_["x"].missing_index
    assert idx["income"].tolist() == [inc.n_regular, inc.missing_index]
    assert idx["city"][1] == bp.binnings_["city"].missing_index


def test_categorical_bins_follow_event_rate_order():
    X, y = _frame()
    city = BinningProcess().fit(X, y).binnings_["city"]
    assert city.kind == "categorical"
    rates = [
        e / n
        for e, n in zip(city.event[: city.n_regular], city.count[: city.n_regular], strict=True)
    ]
    assert rates == sorted(rates)
    assert city.categories[0] == ["济南"]


def test_woe_matches_counts_and_is_monotone_for_an_ascending_trend():
    X, y = _frame()
    x = BinningProcess(monotonic_trend="ascending").fit(X, y).binnings_["x"]
    R = x.n_regular
    rates = np.array(x.event[:R]) / np.array(x.count[:R])
    assert (np.diff(rates) > 0).all()
    B, G = int(y.sum()), int(y.size - y.sum())
    e0, n0 = x.event[0], x.count[0]
    assert x.woe[0] == pytest.approx(np.log(((n0 - e0) / G) / (e0 / B)), abs=1e-12)


@pytest.mark.parametrize(
    "trend", ["ascending", "descending", "peak", "valley", "none", "auto", "auto_asc_desc"]
)
def test_every_trend_fits(trend):
    X, y = _frame(1500)
    fb = BinningProcess(monotonic_trend={"x": trend}).fit(X, y).binnings_["x"]
    assert fb.trend in ("ascending", "descending", "peak", "valley", "none")
    assert sum(fb.count) == 1500


def test_constant_and_all_missing_features_are_flagged_with_zero_iv():
    X, y = _frame(500)
    X = X.with_columns(const=pl.lit(7.0), empty=pl.lit(None, dtype=pl.Float64))
    bp = BinningProcess().fit(X, y)
    assert (bp.binnings_["const"].status, bp.binnings_["const"].iv) == ("constant", 0.0)
    assert (bp.binnings_["empty"].status, bp.binnings_["empty"].iv) == ("all_missing", 0.0)
    assert bp.binnings_["empty"].count == [0, 500]


def test_too_few_rows_for_the_requested_bins_falls_back_to_fewer_bins():
    # 10 rows, each bin needs half of them: at most 2 bins, whatever the data
    X = pl.DataFrame({"x": [float(i) for i in range(10)]})
    y = np.array([0, 0, 0, 0, 1, 0, 1, 1, 1, 1])
    fb = BinningProcess(min_bin_size=0.5, min_prebin_size=0.0).fit(X, y).binnings_["x"]
    assert fb.splits == [4.0]
    assert fb.count == [5, 5, 0]


def test_target_with_one_class_is_rejected():
    X, _ = _frame(100)
    with pytest.raises(ScorecardError) as err:
        BinningProcess().fit(X, np.zeros(100))
    assert err.value.code is ErrorCode.TARGET_ONE_CLASS


@pytest.mark.parametrize(
    ("y", "code"),
    [
        pytest.param([0, 1, float("nan")], ErrorCode.TARGET_MISSING, id="nan"),
        pytest.param([0, 1, 2], ErrorCode.TARGET_NOT_BINARY, id="three classes"),
        pytest.param([0, 1], ErrorCode.LENGTH_MISMATCH, id="short"),
    ],
)
def test_bad_targets(y, code):
    with pytest.raises(ScorecardError) as err:
        BinningProcess().fit(pl.DataFrame({"x": [1.0, 2.0, 3.0]}), np.array(y))
    assert err.value.code is code


def test_infinite_values_error_or_go_to_missing():
    X = pl.DataFrame({"x": [1.0, 2.0, float("inf"), 4.0] * 10})
    y = np.array([0, 1, 1, 0] * 10)
    with pytest.raises(ScorecardError) as err:
        BinningProcess().fit(X, y)
    assert err.value.code is ErrorCode.NON_FINITE
    fb = BinningProcess(inf_policy="missing").fit(X, y).binnings_["x"]
    assert fb.count[-1] == 10


def test_unseen_categories_score_as_missing_or_raise():
    X, y = _frame(600)
    bp = BinningProcess().fit(X, y)
    city = bp.binnings_["city"]
    idx = bp.bin_indices(X.head(1).with_columns(city=pl.lit("上海")))["city"]
    assert idx.tolist() == [city.missing_index]
    assert bp.woe_matrix(X.head(1).with_columns(city=pl.lit("上海")), ["city"])[0, 0] == 0.0
    strict = BinningProcess(unseen_category="error").fit(X, y)
    with pytest.raises(ScorecardError) as err:
        strict.transform(X.head(1).with_columns(city=pl.lit("上海")))
    assert err.value.code is ErrorCode.UNSEEN_CATEGORY


def test_unsupported_dtype_and_missing_column():
    with pytest.raises(ScorecardError) as err:
        BinningProcess().fit(
            pl.DataFrame({"d": [pl.Series([1]).cast(pl.Date)[0]] * 4}), np.array([0, 1, 0, 1])
        )
    assert err.value.code is ErrorCode.UNSUPPORTED_DTYPE
    with pytest.raises(ScorecardError) as err:
        BinningProcess(features=["nope"]).fit(pl.DataFrame({"x": [1.0, 2.0]}), np.array([0, 1]))
    assert err.value.code is ErrorCode.MISSING_COLUMN


def test_invalid_parameters_are_rejected_at_fit():
    with pytest.raises(ScorecardError) as err:
        BinningProcess(monotonic_trend="sideways").fit(
            pl.DataFrame({"x": [1.0, 2.0]}), np.array([0, 1])
        )
    assert err.value.code is ErrorCode.INVALID_PARAMETER


def test_transform_before_fit_is_an_error():
    with pytest.raises(ScorecardError) as err:
        BinningProcess().transform(pl.DataFrame({"x": [1.0]}))
    assert err.value.code is ErrorCode.NOT_FITTED
