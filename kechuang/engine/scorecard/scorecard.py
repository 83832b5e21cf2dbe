"""The scorecard estimator: binning → WoE → selection → logistic regression → points → grades.

``Scorecard(...).fit(X, y)`` leaves the fitted artefact in ``model_`` (a
:class:`~.model.ScorecardModel`, JSON round-trippable) and the development report in ``report_``
(plain JSON, see :mod:`.report`). Scoring delegates to ``model_``.

With ``enforce_sign`` (default) a feature whose coefficient comes out positive — i.e. whose higher
WoE (safer bin) would *raise* the PD, usually through collinearity — is dropped (reason
``wrong_sign``, lowest IV first) and the regression refitted, so every kept feature's points rise
with its WoE.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import polars as pl

from .binning import BinningProcess
from .data import as_frame, as_target, check_fraction
from .errors import ErrorCode, ScorecardError
from .logistic import LogisticRegressionL2
from .model import ScorecardModel
from .report import development_report
from .scaling import DEFAULT_MASTER_SCALE, PointsScaling, calibrate_intercept, grade_index
from .selection import select_features


class Scorecard:
    """Credit scorecard estimator (sklearn contract: parameters in ``__init__``, ``fit`` returns
    self, fitted state ends in ``_``).

    Parameters
    ----------
    binning : a :class:`BinningProcess` whose parameters are used (it is not mutated); default
        ``BinningProcess()``.
    min_iv, max_corr, max_features : selection (see :mod:`.selection`); defaults 0.02, 0.7, None.
    l2 : L2 penalty of the logistic regression (absolute, not scaled by rows; default 3.0).
    enforce_sign : drop features with a wrong-signed coefficient and refit (default True).
    base_score, base_odds, pdo : points scaling (default 600 points at 50:1 good:bad, 20 PDO).
    target_default_rate : if set, shift the intercept so the mean development PD equals it.
    master_scale : ``[(grade, PD upper bound), …]``; default :data:`DEFAULT_MASTER_SCALE`.
    reason_texts : ``{feature: {direction | "default": text}}`` (see :mod:`.model`).
    n_reasons : reason codes per row (default 3).
    min_rows : fewer rows than this is an error ``TOO_FEW_ROWS`` (default 30).
    """

    def __init__(
        self,
        binning: BinningProcess | None = None,
        *,
        min_iv: float = 0.02,
        max_corr: float = 0.7,
        max_features: int | None = None,
        l2: float = 3.0,
        enforce_sign: bool = True,
        base_score: float = 600.0,
        base_odds: float = 50.0,
        pdo: float = 20.0,
        target_default_rate: float | None = None,
        master_scale=DEFAULT_MASTER_SCALE,
        reason_texts: Mapping[str, Mapping[str, str]] | None = None,
        n_reasons: int = 3,
        min_rows: int = 30,
    ) -> None:
        self.binning = binning
        self.min_iv = min_iv
        self.max_corr = max_corr
        self.max_features = max_features
        self.l2 = l2
        self.enforce_sign = enforce_sign
        self.base_score = base_score
        self.base_odds = base_odds
        self.pdo = pdo
        self.target_default_rate = target_default_rate
        self.master_scale = master_scale
        self.reason_texts = reason_texts
        self.n_reasons = n_reasons
        self.min_rows = min_rows

    def _validate(self) -> PointsScaling:
        check_fraction("min_iv", self.min_iv, high=float("inf"))
        check_fraction("max_corr", self.max_corr)
        if self.max_features is not None and (
            not isinstance(self.max_features, int) or self.max_features < 1
        ):
            raise ScorecardError(ErrorCode.INVALID_PARAMETER, "max_features must be None or >= 1")
        if not isinstance(self.n_reasons, int) or self.n_reasons < 0:
            raise ScorecardError(ErrorCode.INVALID_PARAMETER, "n_reasons must be an integer >= 0")
        return PointsScaling(float(self.base_score), float(self.base_odds), float(self.pdo))

    def fit(self, X: object, y: object) -> Scorecard:
        scaling = self._validate()
        frame = as_frame(X)
        target = as_target(y, frame.height)
        if frame.height < self.min_rows:
            raise ScorecardError(
                ErrorCode.TOO_FEW_ROWS, f"{frame.height} rows; at least {self.min_rows} are needed"
            )
        params = self.binning.get_params() if self.binning is not None else {}
        binning = BinningProcess(**params).fit(frame, target)
        names = binning.features_
        woe = binning.woe_matrix(frame, names)
        bins = [binning.binnings_[n] for n in names]
        kept, log = select_features(
            names,
            [b.iv for b in bins],
            [b.status for b in bins],
            woe,
            min_iv=self.min_iv,
            max_corr=self.max_corr,
            max_features=self.max_features,
        )
        col = {n: j for j, n in enumerate(names)}
        yf = target.astype(np.float64)
        while True:
            if not kept:
                raise ScorecardError(
                    ErrorCode.NO_FEATURES_SELECTED,
                    f"no feature passed selection: {dict(sorted(log.items()))}",
                )
            W = woe[:, [col[n] for n in kept]]
            lr = LogisticRegressionL2(l2=self.l2).fit(W, yf)
            wrong = [n for n, c in zip(kept, lr.coef_, strict=True) if c > 0]
            if not (self.enforce_sign and wrong):
                break
            drop = wrong[-1]  # kept is in IV order: the lowest-IV offender goes first
            log[drop] = "wrong_sign"
            kept = [n for n in kept if n != drop]
        logit = lr.decision_function(W)
        shift = 0.0
        if self.target_default_rate is not None:
            shift = calibrate_intercept(logit, float(self.target_default_rate))
            logit = logit + shift
        pd = 0.5 * (1.0 + np.tanh(0.5 * logit))
        score = scaling.score_from_logit(logit)
        edges = np.unique(np.quantile(score, np.linspace(0.1, 0.9, 9), method="inverted_cdf"))
        score_counts = np.bincount(
            np.searchsorted(edges, score, side="left"), minlength=edges.size + 1
        )
        provisional = ScorecardModel(
            binnings=[binning.binnings_[n] for n in kept],
            coefficients=lr.coef_.tolist(),
            intercept=lr.intercept_ + shift,
            intercept_shift=shift,
            scaling=scaling,
            master_scale=self.master_scale,
            reason_texts=self.reason_texts,
            n_reasons=self.n_reasons,
            inf_policy=binning.inf_policy,
            unseen_category=binning.unseen_category,
            score_bins={"edges": edges.tolist(), "counts": score_counts.tolist()},
            grade_counts=None,
            metadata={
                "n_rows": frame.height,
                "n_events": int(target.sum()),
                "selection": log,
                "n_iter": lr.n_iter_,
            },
        )
        grades = grade_index(pd, provisional._uppers)
        provisional.grade_counts = np.bincount(
            grades, minlength=len(provisional.master_scale)
        ).tolist()
        self.binning_ = binning
        self.selected_features_ = kept
        self.selection_ = log
        self.coef_ = lr.coef_.copy()
        self.intercept_ = lr.intercept_ + shift
        self.model_ = provisional
        self.report_ = development_report(
            model=provisional,
            binning=binning,
            selection=log,
            y=target,
            pd=pd,
            score=score,
            grades=grades,
            params=self.get_params(),
        )
        return self

    def get_params(self) -> dict:
        return {
            "binning": self.binning.get_params() if self.binning is not None else None,
            "min_iv": self.min_iv,
            "max_corr": self.max_corr,
            "max_features": self.max_features,
            "l2": self.l2,
            "enforce_sign": self.enforce_sign,
            "base_score": self.base_score,
            "base_odds": self.base_odds,
            "pdo": self.pdo,
            "target_default_rate": self.target_default_rate,
            "n_reasons": self.n_reasons,
            "min_rows": self.min_rows,
        }

    def _check_fitted(self) -> ScorecardModel:
        if not hasattr(self, "model_"):
            raise ScorecardError(ErrorCode.NOT_FITTED, "Scorecard is not fitted")
        return self.model_

    def predict_proba(self, X: object) -> np.ndarray:
        return self._check_fitted().predict_proba(X)

    def predict(self, X: object, threshold: float = 0.5) -> np.ndarray:
        return (self.predict_proba(X)[:, 1] >= threshold).astype(np.int8)

    def score(self, X: object, **kwargs) -> pl.DataFrame:
        return self._check_fitted().score(as_frame(X), **kwargs)
