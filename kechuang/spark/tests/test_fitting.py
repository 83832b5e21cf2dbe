"""Distributed scorecard fitting on Spark local[2] equals the single-process fit (synthetic data)."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from kechuang.engine.rating import features_frame, training_frame
from kechuang.engine.rating.training import DEFAULT_BINNING
from kechuang.engine.scorecard import BinningProcess, LogisticRegressionL2
from kechuang.synthetic import generate_outcomes

from .conftest import AS_OF, N

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def training(records):
    outcomes = {o["uscc"]: o["defaulted"] for o in generate_outcomes(N, as_of=AS_OF)}
    X, y = training_frame(features_frame(records, AS_OF), outcomes)
    return X, y


def test_given_partitions_when_binning_statistics_merged_then_same_bins_as_single_fit(spark, training):
    from kechuang.spark.fitting import fit_binning

    X, y = training
    df = spark.createDataFrame(X.with_columns(target=pl.Series(y)).to_arrow()).repartition(5)
    assert df.rdd.getNumPartitions() == 5
    single = BinningProcess(**DEFAULT_BINNING).fit(X, y)
    merged = fit_binning(df, BinningProcess(**DEFAULT_BINNING), X.columns, "target")
    assert merged.features_ == single.features_ and merged.n_rows_ == N
    for name in single.features_:
        a, b = merged.binnings_[name].to_dict(), single.binnings_[name].to_dict()
        assert (a["splits"], a["categories"], a["count"], a["event"]) == (
            b["splits"], b["categories"], b["count"], b["event"]), name
        np.testing.assert_allclose(a["woe"], b["woe"], rtol=0, atol=1e-12)
    assert sum(len(single.binnings_[n].splits) for n in single.features_) > 10  # real bins, not one each


def test_given_partitions_when_newton_terms_merged_then_same_coefficients_as_single_fit(spark, training):
    from kechuang.spark.fitting import fit_logistic

    X, y = training
    binning = BinningProcess(**DEFAULT_BINNING).fit(X, y)
    names = binning.features_[:8]
    W = binning.woe_matrix(X, names)
    single = LogisticRegressionL2(l2=3.0).fit(W, y.astype(np.float64))
    frame = pl.DataFrame(W, schema=names).with_columns(target=pl.Series(y))
    df = spark.createDataFrame(frame.to_arrow()).repartition(4)
    lr = fit_logistic(df, names, "target", l2=3.0)
    np.testing.assert_allclose(lr.coef_, single.coef_, rtol=1e-7, atol=1e-9)
    assert abs(lr.intercept_ - single.intercept_) < 1e-9
    assert np.abs(single.coef_).max() > 0.1  # a fit that learnt something
