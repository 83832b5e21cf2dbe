"""Points scaling, PD calibration and the master scale.

**Points.** With ``factor = PDO / ln 2`` and ``offset = base_score − factor · ln(base_odds)``, a
row with default log-odds ``logit = β₀ + Σ βⱼ·WoEⱼ`` scores::

    score = offset − factor · logit          # = offset + factor · ln(good:bad odds)

so the score is ``base_score`` at good:bad odds of ``base_odds`` and rises by ``PDO`` each time the
odds double. Feature ``j`` in bin ``k`` earns ``(offset − factor·β₀)/m − factor·βⱼ·WoEⱼₖ`` points
(the intercept is shared equally among the ``m`` features), so the points add up to the score.

**Calibration.** ``calibrate_intercept`` shifts the intercept by the unique ``δ`` that makes the
mean PD over the development sample equal a target default rate (bisection, 200 halvings, so it is
deterministic). Rank order — AUC, KS — is unchanged; only the PD level and the scores move.

**Master scale.** Grades by PD, each ``[lower, upper)`` — see :data:`DEFAULT_MASTER_SCALE`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .errors import ErrorCode, ScorecardError

# grade, upper PD bound (exclusive); the last grade runs to PD = 1 inclusive
DEFAULT_MASTER_SCALE: tuple[tuple[str, float], ...] = (
    ("AAA", 0.0005),
    ("AA", 0.0010),
    ("A", 0.0025),
    ("BBB", 0.0075),
    ("BB", 0.0200),
    ("B", 0.0500),
    ("CCC", 0.1200),
    ("CC", 0.2500),
    ("C", 1.0),
)


@dataclass(frozen=True)
class PointsScaling:
    base_score: float = 600.0
    base_odds: float = 50.0
    pdo: float = 20.0

    def __post_init__(self) -> None:
        if not (self.base_odds > 0 and self.pdo > 0 and math.isfinite(self.base_score)):
            raise ScorecardError(
                ErrorCode.INVALID_PARAMETER,
                f"need base_odds > 0, pdo > 0 and a finite base_score; got {self}",
            )

    @property
    def factor(self) -> float:
        return self.pdo / math.log(2.0)

    @property
    def offset(self) -> float:
        return self.base_score - self.factor * math.log(self.base_odds)

    def score_from_logit(self, logit):
        return self.offset - self.factor * logit

    def logit_from_score(self, score):
        return (self.offset - score) / self.factor


def calibrate_intercept(logit: np.ndarray, target_rate: float) -> float:
    """The shift ``δ`` with ``mean(sigmoid(logit + δ)) == target_rate`` (to ~1e-12)."""
    if not (0.0 < target_rate < 1.0):
        raise ScorecardError(
            ErrorCode.INVALID_PARAMETER,
            f"target_default_rate must be in (0, 1), got {target_rate!r}",
        )
    lo, hi = -50.0, 50.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        mean = float(np.mean(0.5 * (1.0 + np.tanh(0.5 * (logit + mid)))))
        if mean < target_rate:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-13:
            break
    return 0.5 * (lo + hi)


def validate_master_scale(scale) -> tuple[tuple[str, float], ...]:
    out = tuple((str(g), float(u)) for g, u in scale)
    uppers = [u for _, u in out]
    if (
        not out
        or uppers[-1] != 1.0
        or any(b <= a for a, b in zip(uppers, uppers[1:], strict=False))
    ):
        raise ScorecardError(
            ErrorCode.INVALID_PARAMETER,
            "master scale must be (grade, upper PD) pairs with increasing bounds ending at 1.0",
        )
    if len({g for g, _ in out}) != len(out):
        raise ScorecardError(ErrorCode.INVALID_PARAMETER, "master scale grades must be unique")
    return out


def grade_index(pd: np.ndarray, uppers: np.ndarray) -> np.ndarray:
    """Index of the grade whose ``[lower, upper)`` holds each PD (PD = 1 → the last grade)."""
    return np.minimum(np.searchsorted(uppers, pd, side="right"), uppers.size - 1)
