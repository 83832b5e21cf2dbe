"""Training sets and scorecard settings of the rating, and comparing models on the same data.

Django-free: features (from :func:`.features.features_frame`) and outcomes (``uscc → 0/1``) in,
the design matrix, target and a configured :class:`~kechuang.engine.scorecard.Scorecard` out.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import polars as pl

from kechuang.engine.scorecard import (BinningProcess, Scorecard, ScorecardError, ScorecardModel,
                                       gini, ks_statistic, roc_auc)
from kechuang.engine.scorecard.errors import ErrorCode

from .features import CATEGORICAL, FEATURE_NAMES, reason_texts

#: Binning settings of the platform's rating (the library's defaults, categorical tax grade).
DEFAULT_BINNING: dict[str, Any] = {"categorical_features": sorted(CATEGORICAL), "max_n_bins": 6}
#: Default scorecard settings (see docs/scorecard.md for what each does).
DEFAULT_PARAMS: dict[str, Any] = {"min_iv": 0.02, "max_corr": 0.7, "l2": 3.0, "n_reasons": 3}


def holdout_mask(usccs: Sequence[str], share: float = 0.3) -> np.ndarray:
    """Deterministic hold-out: an enterprise is held out when the first 8 hex digits of the MD5 of
    its code, as a fraction of 2³², fall below ``share`` — the same enterprise is always on the
    same side, whatever else is in the sample."""
    return np.array([int(hashlib.md5(u.encode()).hexdigest()[:8], 16) / 2**32 < share for u in usccs],
                    dtype=bool)


def training_frame(features: pl.DataFrame, outcomes: Mapping[str, int | bool], *,
                   feature_names: Sequence[str] = FEATURE_NAMES) -> tuple[pl.DataFrame, np.ndarray]:
    """Join ``features`` (with ``uscc``) to ``outcomes`` by ``uscc``; enterprises without an
    outcome are left out. Returns ``(X, y)`` sorted by ``uscc`` with ``y`` as int8 0/1
    (1 = default); ``X`` keeps ``uscc`` as its last column only if it is in ``feature_names``."""
    if "uscc" not in features.columns:
        raise ScorecardError(ErrorCode.MISSING_COLUMN, "the features frame has no 'uscc' column")
    labels = pl.DataFrame({"uscc": list(outcomes.keys()),
                           "_y": [int(bool(v)) for v in outcomes.values()]},
                          schema={"uscc": pl.Utf8, "_y": pl.Int8})
    joined = features.join(labels, on="uscc", how="inner").sort("uscc")
    return joined.select(list(feature_names)), joined["_y"].to_numpy()


def build_scorecard(params: Mapping[str, Any] | None = None,
                    binning: Mapping[str, Any] | None = None) -> Scorecard:
    """A scorecard with the platform's settings, overridable, and the Chinese reason texts."""
    p = DEFAULT_PARAMS | dict(params or {})
    b = DEFAULT_BINNING | dict(binning or {})
    return Scorecard(BinningProcess(**b), reason_texts=reason_texts(), **p)


def evaluate_model(model: ScorecardModel, X: pl.DataFrame, y: np.ndarray) -> dict[str, Any]:
    """AUC, KS, Gini, mean PD and observed default rate of ``model`` on ``(X, y)``."""
    pd = model.predict_proba(X.select(model.features))[:, 1]
    return {"rows": int(y.size), "events": int(y.sum()), "auc": roc_auc(y, pd),
            "ks": ks_statistic(y, pd), "gini": gini(y, pd), "mean_pd": float(pd.mean()),
            "default_rate": float(y.mean()) if y.size else 0.0}


def fit_with_holdout(X: pl.DataFrame, y: np.ndarray, usccs: Sequence[str], *, share: float = 0.3,
                     params: Mapping[str, Any] | None = None, binning: Mapping[str, Any] | None = None):
    """Fit on the development part and measure on the deterministic hold-out. Returns the fitted
    scorecard and the hold-out metrics (``None`` when the hold-out lacks either class, e.g. on a
    tiny sample; the scorecard's own errors — one class, too few rows — propagate)."""
    held = holdout_mask(usccs, share)
    dev = ~held
    fitted = build_scorecard(params, binning).fit(X.filter(pl.Series(dev)), y[dev])
    yh = y[held]
    validation = None
    if yh.size and 0 < yh.sum() < yh.size:
        validation = evaluate_model(fitted.model_, X.filter(pl.Series(held)), yh)
    return fitted, validation


def compare_models(models: Mapping[str, ScorecardModel], X: pl.DataFrame,
                   y: np.ndarray) -> dict[str, dict[str, Any]]:
    """Each model's metrics on the *same* rows (champion / challenger)."""
    return {name: evaluate_model(m, X, y) for name, m in models.items()}
