"""Distributed fitting of a scorecard's statistics on Spark, with the engine's own merge.

- :func:`fit_binning`: every partition counts its rows into a
  :class:`~kechuang.engine.scorecard.BinningStatistics` (``add``), ships it as JSON, the driver
  ``merge``\\ s them and ``finalize``\\ s the :class:`~kechuang.engine.scorecard.BinningProcess` —
  the same bins as ``BinningProcess.fit`` on all the rows at once.
- :func:`fit_logistic`: each Newton iteration of
  :func:`~kechuang.engine.scorecard.fit_newton` is one Spark aggregate of
  :class:`~kechuang.engine.scorecard.NewtonTerms` (gradient, Hessian, log-likelihood per
  partition, merged on the driver) — the same coefficients as ``LogisticRegressionL2.fit``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
import orjson
import polars as pl
import pyarrow as pa
from pyspark.sql import DataFrame

from kechuang.engine.scorecard import (BinningProcess, BinningStatistics, LogisticRegressionL2,
                                       NewtonTerms, fit_newton)


def _binning_partition(process: BinningProcess, features: list[str], target: str,
                       batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    stats = process.new_statistics()
    for b in batches:
        if b.num_rows:
            frame = pl.from_arrow(b)
            stats.add(frame.select(features), frame[target].to_numpy())
    yield pa.RecordBatch.from_pydict({"stats": [orjson.dumps(stats.to_dict()).decode()]})


def binning_statistics(df: DataFrame, process: BinningProcess, features: Sequence[str],
                       target: str) -> BinningStatistics:
    """The merged binning statistics of every partition of ``df``."""
    feats = list(features)

    def part(batches):
        return _binning_partition(process, feats, target, batches)

    rows = df.select(*feats, target).mapInArrow(part, "stats string").collect()
    merged = process.new_statistics()
    for r in rows:
        merged.merge(BinningStatistics.from_dict(process, orjson.loads(r.stats)))
    return merged


def fit_binning(df: DataFrame, process: BinningProcess, features: Sequence[str], target: str) -> BinningProcess:
    """Fit ``process`` from per-partition statistics (see module doc)."""
    return binning_statistics(df, process, features, target).finalize()


def _terms_partition(beta: np.ndarray, columns: list[str], target: str,
                     batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    terms = NewtonTerms.empty(beta.copy())
    for b in batches:
        if b.num_rows:
            frame = pl.from_arrow(b)
            X = frame.select(columns).to_numpy().astype(np.float64)
            terms.add(X, frame[target].cast(pl.Float64).to_numpy())
    yield pa.RecordBatch.from_pydict({"terms": [orjson.dumps(
        {"grad": terms.grad.tolist(), "hess": terms.hess.tolist(), "nll": terms.nll, "n": terms.n}).decode()]})


def newton_terms(df: DataFrame, beta: np.ndarray, columns: Sequence[str], target: str) -> NewtonTerms:
    """Σ gradient, Hessian and log-likelihood at ``beta`` over every partition of ``df``."""
    cols = list(columns)

    def part(batches):
        return _terms_partition(beta, cols, target, batches)

    total = NewtonTerms.empty(beta.copy())
    for r in df.mapInArrow(part, "terms string").collect():
        d = orjson.loads(r.terms)
        total.merge(NewtonTerms(beta=beta.copy(), grad=np.asarray(d["grad"]), hess=np.asarray(d["hess"]),
                                nll=d["nll"], n=d["n"]))
    return total


def fit_logistic(df: DataFrame, columns: Sequence[str], target: str, *, l2: float = 3.0,
                 max_iter: int = 100, tol: float = 1e-9) -> LogisticRegressionL2:
    """L2 logistic regression of ``target`` on ``columns`` (e.g. WoE), one aggregate per Newton
    step; ``df`` is cached for the iterations. Returns a fitted ``LogisticRegressionL2``."""
    data = df.select(*columns, target).cache()
    try:
        beta, n_iter = fit_newton(lambda b: newton_terms(data, b, columns, target), len(columns),
                                  l2=l2, max_iter=max_iter, tol=tol)
    finally:
        data.unpersist()
    lr = LogisticRegressionL2(l2=l2, max_iter=max_iter, tol=tol)
    lr.intercept_, lr.coef_, lr.n_iter_ = float(beta[0]), beta[1:].copy(), n_iter
    return lr
