"""The fitted scorecard as a plain, versioned JSON artefact — and everything that scores with it.

:class:`ScorecardModel` needs nothing but its JSON: bins, WoE, coefficients, points, master scale
and reason texts. It scores a Polars batch vectorised (:meth:`ScorecardModel.score`) or one row
through precomputed Python lookups (:meth:`ScorecardModel.score_one`, tens of microseconds).

**Reason codes.** For each feature the *best* bin is the one with the most points among bins that
held rows at fit. A row's shortfall on a feature is ``best points − its points``; the reasons are the
features with the largest positive shortfalls (ties: feature order). The direction of a numeric
regular bin is ``low`` when it lies left of the best bin and ``high`` right of it; special and
missing bins are ``special`` and ``missing``; categorical regular bins are ``category``. The text is
``reason_texts[feature][direction]``, else ``reason_texts[feature]["default"]``, else
``"{feature}处于不利区间（{bin label}）"``; the code is ``"{feature}.{direction}"``.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Mapping

import numpy as np
import orjson
import polars as pl

from .binning import FeatureBinning
from .data import NUMERIC, as_frame, require_columns
from .errors import ErrorCode, ScorecardError
from .scaling import PointsScaling, grade_index, validate_master_scale

SCHEMA = "kechuang.scorecard"
SCHEMA_VERSION = 1
DIRECTIONS = ("low", "high", "special", "missing", "category", "default")


def _direction(fb: FeatureBinning, k: int, best: int) -> str:
    R = fb.n_regular
    if k == fb.missing_index:
        return "missing"
    if k >= R:
        return "special"
    if fb.kind != NUMERIC:
        return "category"
    if best >= R:
        return "default"
    return "low" if k < best else "high"


class ScorecardModel:
    """A fitted scorecard (see module doc). Build it with :class:`~.scorecard.Scorecard` or
    :meth:`from_json`; it is immutable in use."""

    def __init__(
        self,
        *,
        binnings: list[FeatureBinning],
        coefficients: list[float],
        intercept: float,
        intercept_shift: float = 0.0,
        scaling: PointsScaling,
        master_scale,
        reason_texts: Mapping[str, Mapping[str, str]] | None = None,
        n_reasons: int = 3,
        inf_policy: str = "error",
        unseen_category: str = "missing",
        score_bins: Mapping | None = None,
        grade_counts: list[int] | None = None,
        metadata: Mapping | None = None,
    ) -> None:
        if len(binnings) != len(coefficients) or not binnings:
            raise ScorecardError(
                ErrorCode.INVALID_PARAMETER, "one coefficient per feature, at least one"
            )
        self.binnings = list(binnings)
        self.features = [b.name for b in self.binnings]
        self.coefficients = [float(c) for c in coefficients]
        self.intercept = float(intercept)
        self.intercept_shift = float(intercept_shift)
        self.scaling = scaling
        self.master_scale = validate_master_scale(master_scale)
        self.reason_texts = {f: dict(t) for f, t in (reason_texts or {}).items()}
        self.n_reasons = int(n_reasons)
        self.inf_policy = inf_policy
        self.unseen_category = unseen_category
        self.score_bins = dict(score_bins) if score_bins else None
        self.grade_counts = list(grade_counts) if grade_counts else None
        self.metadata = dict(metadata or {})
        self._precompute()

    # -- lookup tables --------------------------------------------------------------------------
    def _precompute(self) -> None:
        m = len(self.binnings)
        factor = self.scaling.factor
        share = (self.scaling.offset - factor * self.intercept) / m
        self._grades = [g for g, _ in self.master_scale]
        self._uppers = np.asarray([u for _, u in self.master_scale])
        self._contrib, self._points, self._best, self._codes, self._texts = [], [], [], [], []
        self._one = []
        for fb, beta in zip(self.binnings, self.coefficients, strict=True):
            contrib = beta * np.asarray(fb.woe, np.float64)
            points = share - factor * contrib
            held = np.asarray(fb.count) > 0
            masked = np.where(held, points, -np.inf) if held.any() else points
            best = int(np.argmax(masked))
            labels = fb.labels()
            texts = self.reason_texts.get(fb.name, {})
            codes, words = [], []
            for k in range(fb.n_bins):
                d = _direction(fb, k, best)
                codes.append(f"{fb.name}.{d}")
                words.append(
                    texts.get(d) or texts.get("default") or f"{fb.name}处于不利区间（{labels[k]}）"
                )
            self._contrib.append(contrib)
            self._points.append(points)
            self._best.append(float(points[best]))
            self._codes.append(np.asarray(codes, dtype=object))
            self._texts.append(np.asarray(words, dtype=object))
            special = {}
            for i, c in enumerate(fb.special_codes):
                special[float(c) if fb.kind == NUMERIC else str(c)] = fb.n_regular + i
            self._one.append(
                (
                    fb.name,
                    fb.kind == NUMERIC,
                    list(fb.splits),
                    fb._cat_index,
                    special,
                    fb.missing_index,
                    contrib.tolist(),
                    points.tolist(),
                    float(points[best]),
                    codes,
                    words,
                )
            )

    # -- batch scoring --------------------------------------------------------------------------
    def bin_indices(self, X: object) -> list[np.ndarray]:
        frame = as_frame(X)
        require_columns(frame, self.features)
        return [
            fb.bin_index(frame[fb.name], inf_policy=self.inf_policy, unseen=self.unseen_category)
            for fb in self.binnings
        ]

    def _logit(self, idx: list[np.ndarray]) -> np.ndarray:
        n = idx[0].shape[0]
        logit = np.full(n, self.intercept)
        for c, i in zip(self._contrib, idx, strict=True):
            logit += c[i]
        return logit

    def predict_proba(self, X: object) -> np.ndarray:
        """``(n, 2)`` array of [P(non-default), PD]."""
        pd = 0.5 * (1.0 + np.tanh(0.5 * self._logit(self.bin_indices(X))))
        return np.column_stack([1.0 - pd, pd])

    def score(self, X: object, *, reasons: int | None = None, points: bool = False) -> pl.DataFrame:
        """Score a batch: ``pd``, ``score``, ``grade``; ``points_<feature>`` if ``points``;
        ``reason_<i>`` codes and ``reason_text_<i>`` texts for ``i = 1 … reasons`` (default
        ``n_reasons``; 0 for none; null where a row loses no points on further features)."""
        idx = self.bin_indices(X)
        logit = self._logit(idx)
        pd = 0.5 * (1.0 + np.tanh(0.5 * logit))
        cols: dict[str, object] = {
            "pd": pd,
            "score": self.scaling.score_from_logit(logit),
            "grade": pl.Series("grade", self._grades, dtype=pl.Utf8).gather(
                grade_index(pd, self._uppers)
            ),
        }
        n_r = self.n_reasons if reasons is None else int(reasons)
        if points or n_r:
            pts = np.column_stack([p[i] for p, i in zip(self._points, idx, strict=True)])
            if points:
                for j, f in enumerate(self.features):
                    cols[f"points_{f}"] = pts[:, j]
            if n_r:
                cols.update(self._reasons(pts, idx, min(n_r, len(self.features))))
        return pl.DataFrame(cols)

    def _reasons(self, pts: np.ndarray, idx: list[np.ndarray], k: int) -> dict:
        lost = np.asarray(self._best)[None, :] - pts
        if k == 1:
            order = np.argmax(lost, axis=1)[:, None]
        else:
            order = np.argsort(-lost, axis=1, kind="stable")[:, :k]
        bins = np.column_stack(idx)
        flat_codes, flat_texts = self._flat_reason_tables
        null_id = len(flat_codes) - 1
        out = {}
        for r in range(k):
            j = order[:, r]
            b = np.take_along_axis(bins, j[:, None], axis=1)[:, 0]
            ids = self._reason_offsets[j] + b
            ids = np.where(np.take_along_axis(lost, j[:, None], axis=1)[:, 0] > 1e-9, ids, null_id)
            out[f"reason_{r + 1}"] = flat_codes.gather(ids)
            out[f"reason_text_{r + 1}"] = flat_texts.gather(ids).alias(f"reason_text_{r + 1}")
            out[f"reason_{r + 1}"] = out[f"reason_{r + 1}"].alias(f"reason_{r + 1}")
        return out

    @property
    def _flat_reason_tables(self) -> tuple[pl.Series, pl.Series]:
        cached = self.__dict__.get("_flat_cache")
        if cached is None:
            codes = [c for table in self._codes for c in table] + [None]
            texts = [t for table in self._texts for t in table] + [None]
            sizes = [len(t) for t in self._codes]
            self._reason_offsets = np.r_[0, np.cumsum(sizes)[:-1]].astype(np.int64)
            cached = (
                pl.Series("code", codes, dtype=pl.Utf8),
                pl.Series("text", texts, dtype=pl.Utf8),
            )
            self.__dict__["_flat_cache"] = cached
        return cached

    # -- one row --------------------------------------------------------------------------------
    def score_one(self, row: Mapping[str, object], *, reasons: int | None = None) -> dict:
        """Score one row given as ``{feature: value}`` (None/NaN = missing), without Polars."""
        logit = self.intercept
        lost = []
        pts = {}
        for j, (
            name,
            numeric,
            splits,
            cats,
            special,
            miss,
            contrib,
            points,
            best,
            codes,
            words,
        ) in enumerate(self._one):
            if name not in row:
                raise ScorecardError(ErrorCode.MISSING_COLUMN, f"row has no value for {name!r}")
            v = row[name]
            if v is None:
                k = miss
            elif numeric:
                v = float(v)
                if v != v:
                    k = miss
                elif math.isinf(v):
                    if self.inf_policy == "error":
                        raise ScorecardError(ErrorCode.NON_FINITE, f"feature {name!r} is infinite")
                    k = miss
                else:
                    k = special.get(v)
                    if k is None:
                        k = bisect.bisect_left(splits, v)
            else:
                key = str(v).lower() if isinstance(v, bool) else str(v)
                k = special.get(key)
                if k is None:
                    k = cats.get(key)
                    if k is None:
                        if self.unseen_category == "error":
                            raise ScorecardError(
                                ErrorCode.UNSEEN_CATEGORY,
                                f"feature {name!r}: unseen category {key!r}",
                            )
                        k = miss
            logit += contrib[k]
            pts[name] = points[k]
            gap = best - points[k]
            if gap > 1e-9:
                lost.append((-gap, j, codes[k], words[k]))
        pd = 0.5 * (1.0 + math.tanh(0.5 * logit))
        g = bisect.bisect_right(self._uppers_list, pd)
        n_r = self.n_reasons if reasons is None else int(reasons)
        lost.sort()
        return {
            "pd": pd,
            "score": self.scaling.offset - self.scaling.factor * logit,
            "grade": self._grades[min(g, len(self._grades) - 1)],
            "points": pts,
            "reasons": [{"code": c, "text": t, "points_lost": -neg} for neg, _, c, t in lost[:n_r]],
        }

    @property
    def best_points(self) -> dict[str, float]:
        """Each feature's best attainable points (reasons are measured against them)."""
        return dict(zip(self.features, self._best, strict=True))

    @property
    def _uppers_list(self) -> list[float]:
        return self.__dict__.setdefault("_uppers_cache", self._uppers.tolist())

    # -- the artefact ---------------------------------------------------------------------------
    def points_table(self) -> pl.DataFrame:
        """One row per feature and bin: label, count, events, WoE, points."""
        rows = []
        for fb, pts in zip(self.binnings, self._points, strict=True):
            for k, label in enumerate(fb.labels()):
                rows.append(
                    {
                        "feature": fb.name,
                        "bin": k,
                        "label": label,
                        "count": fb.count[k],
                        "events": fb.event[k],
                        "woe": fb.woe[k],
                        "points": float(pts[k]),
                    }
                )
        return pl.DataFrame(rows)

    def to_dict(self) -> dict:
        features = []
        for fb, beta, pts in zip(self.binnings, self.coefficients, self._points, strict=True):
            d = fb.to_dict()
            d["coefficient"] = beta
            d["points"] = pts.tolist()
            features.append(d)
        return {
            "schema": SCHEMA,
            "schema_version": SCHEMA_VERSION,
            "intercept": self.intercept,
            "intercept_shift": self.intercept_shift,
            "scaling": {
                "base_score": self.scaling.base_score,
                "base_odds": self.scaling.base_odds,
                "pdo": self.scaling.pdo,
            },
            "master_scale": [{"grade": g, "pd_upper": u} for g, u in self.master_scale],
            "n_reasons": self.n_reasons,
            "inf_policy": self.inf_policy,
            "unseen_category": self.unseen_category,
            "reason_texts": self.reason_texts,
            "score_bins": self.score_bins,
            "grade_counts": self.grade_counts,
            "metadata": self.metadata,
            "features": features,
        }

    def to_json(self) -> str:
        return orjson.dumps(self.to_dict(), option=orjson.OPT_INDENT_2).decode()

    @classmethod
    def from_dict(cls, d: Mapping) -> ScorecardModel:
        if d.get("schema") != SCHEMA or d.get("schema_version") != SCHEMA_VERSION:
            raise ScorecardError(
                ErrorCode.SCHEMA_VERSION,
                f"expected {SCHEMA} v{SCHEMA_VERSION}, got {d.get('schema')} v{d.get('schema_version')}",
            )
        return cls(
            binnings=[FeatureBinning.from_dict(f) for f in d["features"]],
            coefficients=[f["coefficient"] for f in d["features"]],
            intercept=d["intercept"],
            intercept_shift=d["intercept_shift"],
            scaling=PointsScaling(**d["scaling"]),
            master_scale=[(r["grade"], r["pd_upper"]) for r in d["master_scale"]],
            reason_texts=d["reason_texts"],
            n_reasons=d["n_reasons"],
            inf_policy=d["inf_policy"],
            unseen_category=d["unseen_category"],
            score_bins=d["score_bins"],
            grade_counts=d["grade_counts"],
            metadata=d["metadata"],
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> ScorecardModel:
        return cls.from_dict(orjson.loads(text))
