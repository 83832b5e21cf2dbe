"""The four pipelines compared by ``bench_scorecard.py``; each fits on a train frame and returns
PD for a test frame. Every pipeline gets all features and its library's default binning settings;
the logistic regression is scikit-learn's default (L2, C=1) for the three other libraries.

* ``kechuang`` — ``Scorecard()`` defaults (optimal binning, IV ≥ 0.02 and |corr| ≤ 0.7 selection,
  L2 Newton logistic regression, sign check).
* ``optbinning`` — ``BinningProcess`` (defaults) + ``LogisticRegression`` in a Pipeline.
* ``toad`` — ``Combiner(method="chi", min_samples=0.05, empty_separate=True)`` + ``WOETransformer``
  + ``LogisticRegression``.
* ``scorecardpy`` — ``woebin`` (defaults) + ``woebin_ply`` + ``LogisticRegression``.
"""

from __future__ import annotations

import contextlib
import io
import warnings

import numpy as np
import pandas as pd
import polars as pl
from scorecard_data import TARGET

from kechuang.engine.scorecard import Scorecard


def _split(df: pd.DataFrame):
    X = df.drop(columns=[TARGET])
    return X, df[TARGET].to_numpy()


def _to_polars(X: pd.DataFrame) -> pl.DataFrame:
    return pl.from_pandas(X)


def kechuang(train: pd.DataFrame, test: pd.DataFrame, cat_cols: list[str]) -> np.ndarray:
    X, y = _split(train)
    model = Scorecard().fit(_to_polars(X), y)
    return model.predict_proba(_to_polars(_split(test)[0]))[:, 1]


def optbinning(train: pd.DataFrame, test: pd.DataFrame, cat_cols: list[str]) -> np.ndarray:
    from optbinning import BinningProcess
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    X, y = _split(train)
    pipe = Pipeline(
        [
            (
                "binning",
                BinningProcess(variable_names=list(X.columns), categorical_variables=cat_cols),
            ),
            ("lr", LogisticRegression(max_iter=1000)),
        ]
    )
    pipe.fit(X, y)
    return pipe.predict_proba(_split(test)[0])[:, 1]


def toad(train: pd.DataFrame, test: pd.DataFrame, cat_cols: list[str]) -> np.ndarray:
    import toad as td
    from sklearn.linear_model import LogisticRegression

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        comb = td.transform.Combiner()
        comb.fit(train, y=TARGET, method="chi", min_samples=0.05, empty_separate=True)
        woe = td.transform.WOETransformer()
        tr = woe.fit_transform(comb.transform(train), train[TARGET], exclude=[TARGET])
        te = woe.transform(comb.transform(test))
    feats = [c for c in tr.columns if c != TARGET]
    lr = LogisticRegression(max_iter=1000).fit(tr[feats].astype(float), tr[TARGET])
    return lr.predict_proba(te[feats].astype(float).fillna(0.0))[:, 1]


def scorecardpy(train: pd.DataFrame, test: pd.DataFrame, cat_cols: list[str]) -> np.ndarray:
    import scorecardpy as sc
    from sklearn.linear_model import LogisticRegression

    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bins = sc.woebin(train, y=TARGET, no_cores=1, check_cate_num=False)
        tr = sc.woebin_ply(train, bins, no_cores=1)
        te = sc.woebin_ply(test, bins, no_cores=1)
    feats = [c for c in tr.columns if c.endswith("_woe")]
    lr = LogisticRegression(max_iter=1000).fit(tr[feats].astype(float), tr[TARGET])
    return lr.predict_proba(te[feats].astype(float).fillna(0.0))[:, 1]


CONTENDERS = {
    "kechuang": kechuang,
    "optbinning": optbinning,
    "toad": toad,
    "scorecardpy": scorecardpy,
}
