"""Supervised optimal binning of many features: :class:`BinningProcess` and :class:`FeatureBinning`.

Fitting is two steps: mergeable counts (:mod:`.statistics`), then, per feature, equal-frequency
prebins from those counts and the exact optimal merge of :mod:`.optimal`. Categorical features are
ordered by event rate (ties by category text) and merged the same way. Missing values and each
special code get bins of their own after the regular bins::

    bin index: 0 … R-1 regular | R … R+S-1 one per special code | R+S missing

Numeric bins are right-closed: bin ``i`` holds ``splits[i-1] < x <= splits[i]``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl

from .data import (
    CATEGORICAL,
    NUMERIC,
    as_frame,
    category_values,
    check_choice,
    check_fraction,
    numeric_values,
    require_columns,
)
from .errors import ErrorCode, ScorecardError
from .optimal import TRENDS, cart_prebins, ceil_share, merge_prebins, quantile_prebins, woe_iv
from .statistics import BinningStatistics, FeatureStatistics

AUTO_TRENDS = ("auto", "auto_asc_desc")


def _fmt(v: float) -> str:
    return format(v, ".6g")


@dataclass
class FeatureBinning:
    """The fitted bins of one feature: plain data, JSON round-trippable."""

    name: str
    kind: str
    trend: str
    status: str
    splits: list[float] = field(default_factory=list)
    categories: list[list[str]] = field(default_factory=list)
    special_codes: list = field(default_factory=list)
    count: list[int] = field(default_factory=list)
    event: list[int] = field(default_factory=list)
    woe: list[float] = field(default_factory=list)
    iv_bins: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._splits = np.asarray(self.splits, np.float64)
        self._woe = np.asarray(self.woe, np.float64)
        self._cat_index = {c: i for i, cats in enumerate(self.categories) for c in cats}
        self._special_float = [float(c) for c in self.special_codes] if self.kind == NUMERIC else []

    @property
    def n_regular(self) -> int:
        return len(self.splits) + 1 if self.kind == NUMERIC else max(len(self.categories), 1)

    @property
    def missing_index(self) -> int:
        return self.n_regular + len(self.special_codes)

    @property
    def n_bins(self) -> int:
        return self.missing_index + 1

    @property
    def iv(self) -> float:
        return float(sum(self.iv_bins))

    def labels(self) -> list[str]:
        if self.kind == NUMERIC:
            edges = [-np.inf, *self.splits, np.inf]
            regular = [
                f"({_fmt(lo)}, {_fmt(hi)}{']' if np.isfinite(hi) else ')'}"
                for lo, hi in zip(edges[:-1], edges[1:], strict=True)
            ]
        else:
            regular = [", ".join(c) for c in self.categories] or ["(none)"]
        return regular + [f"special:{c}" for c in self.special_codes] + ["missing"]

    def bin_index(self, series: pl.Series, *, inf_policy: str, unseen: str) -> np.ndarray:
        """Bin index of every row (see module doc for the layout)."""
        R = self.n_regular
        if self.kind == NUMERIC:
            x = numeric_values(series)
            idx = np.searchsorted(self._splits, x, side="left").astype(np.int32)
            nan = np.isnan(x)
            inf = np.isinf(x)
            if inf.any():
                if inf_policy == "error":
                    raise ScorecardError(
                        ErrorCode.NON_FINITE,
                        f"feature {self.name!r} has {int(inf.sum())} infinite values",
                    )
                nan |= inf
            for i, code in enumerate(self._special_float):
                idx[x == code] = R + i
            idx[nan] = self.missing_index
            return idx
        s = category_values(series)
        mapping = dict(self._cat_index)
        for i, code in enumerate(self.special_codes):
            mapping[str(code)] = R + i
        if unseen == "error":
            seen = s.is_in(list(mapping)) | s.is_null()
            if not seen.all():
                new = s.filter(~seen).unique().sort().head(5).to_list()
                raise ScorecardError(
                    ErrorCode.UNSEEN_CATEGORY,
                    f"feature {self.name!r} has categories unseen at fit: {new}",
                )
        idx = s.replace_strict(mapping, default=self.missing_index, return_dtype=pl.Int32)
        return idx.fill_null(self.missing_index).to_numpy()

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "kind": self.kind,
            "trend": self.trend,
            "status": self.status,
            "splits": list(self.splits),
            "categories": [list(c) for c in self.categories],
            "special_codes": list(self.special_codes),
            "labels": self.labels(),
            "count": list(self.count),
            "event": list(self.event),
            "woe": list(self.woe),
            "iv_bins": list(self.iv_bins),
            "iv": self.iv,
        }

    @classmethod
    def from_dict(cls, d: dict) -> FeatureBinning:
        return cls(
            name=d["name"],
            kind=d["kind"],
            trend=d["trend"],
            status=d["status"],
            splits=[float(v) for v in d["splits"]],
            categories=[list(c) for c in d["categories"]],
            special_codes=list(d["special_codes"]),
            count=[int(v) for v in d["count"]],
            event=[int(v) for v in d["event"]],
            woe=[float(v) for v in d["woe"]],
            iv_bins=[float(v) for v in d["iv_bins"]],
        )


class BinningProcess:
    """Optimal binning of many numeric and categorical features against a 0/1 target.

    Parameters
    ----------
    features : list of column names, or None for every column of ``X`` at fit.
    categorical_features : columns binned as categories even if numeric (others: by dtype;
        strings, booleans, Categorical and Enum are categorical).
    max_n_prebins : at most this many prebins are fed to the optimal merge (default 20).
    prebinning : ``"cart"`` (default): a best-first Gini tree over the sorted values (or the
        event-rate-sorted categories) with at least ``min_prebin_size`` of the rows per leaf,
        computed from the merged counts; ``"quantile"``: equal-frequency prebins.
    min_prebin_size : minimum share of all rows in a CART prebin (default 0.05).
    min_bin_size : minimum share of all rows in each regular bin (default 0.05).
    max_n_bins : maximum number of regular bins (None: no limit besides ``min_bin_size``).
    monotonic_trend : ``"auto"`` (default), ``"auto_asc_desc"``, ``"ascending"``, ``"descending"``,
        ``"peak"``, ``"valley"``, ``"none"``; or a dict ``{feature: trend}`` (others ``"auto"``).
        ``auto_asc_desc`` keeps the higher-IV of ascending and descending (ties: ascending);
        ``auto`` also tries peak and valley and keeps one only if it raises the IV by at least
        ``peak_valley_min_gain`` (relative; default 0.5). Categorical features are always merged
        ascending in event-rate order.
    min_event_rate_diff : minimum event-rate gap between adjacent regular bins (default 0).
    special_codes : ``{feature: [codes]}``; each code gets its own bin.
    relative_error, max_exact : sketch accuracy and the exact-mode limit (see :mod:`.sketch`).
    inf_policy : ``"error"`` (default: ±inf raise ``NON_FINITE``) or ``"missing"``.
    unseen_category : ``"missing"`` (default: a category unseen at fit is scored as the missing
        bin, whose WoE is 0 if it was empty at fit) or ``"error"`` (``UNSEEN_CATEGORY``).
    """

    def __init__(
        self,
        features: list[str] | None = None,
        *,
        categorical_features: list[str] | None = None,
        max_n_prebins: int = 20,
        prebinning: str = "cart",
        min_prebin_size: float = 0.05,
        min_bin_size: float = 0.05,
        max_n_bins: int | None = None,
        monotonic_trend: str | dict[str, str] = "auto",
        min_event_rate_diff: float = 0.0,
        peak_valley_min_gain: float = 0.5,
        special_codes: dict[str, list] | None = None,
        relative_error: float = 1e-3,
        max_exact: int = 4096,
        inf_policy: str = "error",
        unseen_category: str = "missing",
    ) -> None:
        self.features = features
        self.categorical_features = categorical_features
        self.max_n_prebins = max_n_prebins
        self.prebinning = prebinning
        self.min_prebin_size = min_prebin_size
        self.min_bin_size = min_bin_size
        self.max_n_bins = max_n_bins
        self.monotonic_trend = monotonic_trend
        self.min_event_rate_diff = min_event_rate_diff
        self.peak_valley_min_gain = peak_valley_min_gain
        self.special_codes = special_codes
        self.relative_error = relative_error
        self.max_exact = max_exact
        self.inf_policy = inf_policy
        self.unseen_category = unseen_category

    # -- parameters -----------------------------------------------------------------------------
    def get_params(self) -> dict:
        return {
            "features": self.features,
            "categorical_features": self.categorical_features,
            "max_n_prebins": self.max_n_prebins,
            "prebinning": self.prebinning,
            "min_prebin_size": self.min_prebin_size,
            "min_bin_size": self.min_bin_size,
            "max_n_bins": self.max_n_bins,
            "monotonic_trend": self.monotonic_trend,
            "min_event_rate_diff": self.min_event_rate_diff,
            "peak_valley_min_gain": self.peak_valley_min_gain,
            "special_codes": self.special_codes,
            "relative_error": self.relative_error,
            "max_exact": self.max_exact,
            "inf_policy": self.inf_policy,
            "unseen_category": self.unseen_category,
        }

    def _validate_params(self) -> None:
        def bad(msg: str) -> ScorecardError:
            return ScorecardError(ErrorCode.INVALID_PARAMETER, msg)

        if not isinstance(self.max_n_prebins, int) or self.max_n_prebins < 2:
            raise bad(f"max_n_prebins must be an integer >= 2, got {self.max_n_prebins!r}")
        check_fraction("min_bin_size", self.min_bin_size, high=0.5)
        check_fraction("min_prebin_size", self.min_prebin_size, high=0.5)
        check_choice("prebinning", self.prebinning, ("cart", "quantile"))
        if self.max_n_bins is not None and (
            not isinstance(self.max_n_bins, int) or self.max_n_bins < 1
        ):
            raise bad(f"max_n_bins must be None or an integer >= 1, got {self.max_n_bins!r}")
        trends = (
            self.monotonic_trend
            if isinstance(self.monotonic_trend, dict)
            else {"*": self.monotonic_trend}
        )
        for t in trends.values():
            check_choice("monotonic_trend", t, TRENDS + AUTO_TRENDS)
        check_fraction("min_event_rate_diff", self.min_event_rate_diff)
        if self.peak_valley_min_gain < 0:
            raise bad("peak_valley_min_gain must be >= 0")
        check_fraction("relative_error", self.relative_error, low=1e-6, high=0.5)
        if not isinstance(self.max_exact, int) or self.max_exact < 1:
            raise bad(f"max_exact must be a positive integer, got {self.max_exact!r}")
        check_choice("inf_policy", self.inf_policy, ("error", "missing"))
        check_choice("unseen_category", self.unseen_category, ("missing", "error"))

    # -- fitting --------------------------------------------------------------------------------
    def new_statistics(self) -> BinningStatistics:
        """Empty mergeable statistics for this process (``add`` / ``merge`` / ``finalize``)."""
        self._validate_params()
        return BinningStatistics(self)

    def fit(self, X: object, y: object) -> BinningProcess:
        return self.new_statistics().add(X, y).finalize()

    def _fit_statistics(self, stats: BinningStatistics) -> BinningProcess:
        self._validate_params()
        if stats.n_rows == 0:
            raise ScorecardError(ErrorCode.TOO_FEW_ROWS, "no rows to fit on")
        if stats.n_events in (0, stats.n_rows):
            raise ScorecardError(
                ErrorCode.TARGET_ONE_CLASS,
                f"target has a single class ({stats.n_events} events in {stats.n_rows} rows)",
            )
        self.binnings_ = {name: self._fit_feature(fs, stats) for name, fs in stats.features.items()}
        self.features_ = list(self.binnings_)
        self.n_rows_ = stats.n_rows
        self.n_events_ = stats.n_events
        return self

    def _trend_for(self, name: str) -> str:
        if isinstance(self.monotonic_trend, dict):
            return self.monotonic_trend.get(name, "auto")
        return self.monotonic_trend

    def _fit_feature(self, fs: FeatureStatistics, stats: BinningStatistics) -> FeatureBinning:
        total_e = stats.n_events
        total_g = stats.n_rows - stats.n_events
        min_n = max(ceil_share(self.min_bin_size, stats.n_rows), 1)
        if fs.kind == NUMERIC:
            keys, n, e = fs.sketch.keys, fs.sketch.n, fs.sketch.e
            trend_request = self._trend_for(fs.name)
        else:
            items = sorted(
                fs.categories.counts.items(), key=lambda kv: (kv[1][1] / kv[1][0], kv[0])
            )
            keys = [k for k, _ in items]
            n = np.asarray([v[0] for _, v in items], np.int64)
            e = np.asarray([v[1] for _, v in items], np.int64)
            trend_request = "ascending"
        if self.prebinning == "cart":
            min_pre = max(ceil_share(self.min_prebin_size, stats.n_rows), 1)
            prebins = cart_prebins(n, e, self.max_n_prebins, min_pre)
        else:
            prebins = quantile_prebins(n, self.max_n_prebins)
        pn = np.asarray([n[s : t + 1].sum() for s, t in prebins], np.int64)
        pe = np.asarray([e[s : t + 1].sum() for s, t in prebins], np.int64)
        merged = self._merge(pn, pe, total_e, total_g, min_n, trend_request)
        segments = merged.segments or ((0, -1),)
        reg_n, reg_e, splits, cats = [], [], [], []
        for s, t in merged.segments:
            k0, k1 = prebins[s][0], prebins[t][1]
            reg_n.append(int(n[k0 : k1 + 1].sum()))
            reg_e.append(int(e[k0 : k1 + 1].sum()))
            if fs.kind == NUMERIC:
                splits.append(float(keys[k1]))
            else:
                cats.append(sorted(keys[k0 : k1 + 1]))
        splits = splits[:-1]
        if not merged.segments:  # no finite values: one empty regular bin keeps the layout uniform
            reg_n, reg_e = [0], [0]
            cats = [] if fs.kind == CATEGORICAL else cats
        del segments
        counts = reg_n + [s[0] for s in fs.special] + [fs.missing[0]]
        events = reg_e + [s[1] for s in fs.special] + [fs.missing[1]]
        woe, iv = woe_iv(
            np.asarray(events), np.asarray(counts) - np.asarray(events), total_e, total_g
        )
        n_values = len(keys)
        if n_values == 0:
            status = "all_missing" if fs.missing[0] == stats.n_rows else "no_regular_values"
        elif n_values == 1:
            status = "constant"
        elif len(reg_n) == 1:
            status = "single_bin"
        else:
            status = "ok"
        return FeatureBinning(
            name=fs.name,
            kind=fs.kind,
            trend=merged.trend,
            status=status,
            splits=splits,
            categories=cats,
            special_codes=list(fs.special_codes),
            count=counts,
            event=events,
            woe=woe.tolist(),
            iv_bins=iv.tolist(),
        )

    def _merge(self, pn, pe, total_e, total_g, min_n, trend):
        kw = dict(
            total_events=total_e,
            total_nonevents=total_g,
            min_n=min_n,
            max_n_bins=self.max_n_bins,
            min_gap=self.min_event_rate_diff,
        )
        if trend not in AUTO_TRENDS:
            return merge_prebins(pn, pe, trend=trend, **kw)
        asc = merge_prebins(pn, pe, trend="ascending", **kw)
        desc = merge_prebins(pn, pe, trend="descending", **kw)
        best = asc if asc.iv >= desc.iv - 1e-12 else desc
        if trend == "auto":
            for shape in ("peak", "valley"):
                cand = merge_prebins(pn, pe, trend=shape, **kw)
                if cand.iv > best.iv * (1.0 + self.peak_valley_min_gain) + 1e-12:
                    best = cand
        return best

    # -- transforming ---------------------------------------------------------------------------
    def _check_fitted(self) -> None:
        if not hasattr(self, "binnings_"):
            raise ScorecardError(ErrorCode.NOT_FITTED, "BinningProcess is not fitted")

    def bin_indices(self, X: object, features: list[str] | None = None) -> dict[str, np.ndarray]:
        self._check_fitted()
        frame = as_frame(X)
        names = self.features_ if features is None else features
        require_columns(frame, names)
        return {
            n: self.binnings_[n].bin_index(
                frame[n], inf_policy=self.inf_policy, unseen=self.unseen_category
            )
            for n in names
        }

    def woe_matrix(self, X: object, features: list[str] | None = None) -> np.ndarray:
        """WoE of each row and feature as a float64 ``(n_rows, n_features)`` matrix."""
        names = self.features_ if features is None else features
        idx = self.bin_indices(X, names)
        frame_height = next(iter(idx.values())).shape[0] if idx else as_frame(X).height
        out = np.empty((frame_height, len(names)), np.float64)
        for j, n in enumerate(names):
            out[:, j] = self.binnings_[n]._woe[idx[n]]
        return out

    def transform(self, X: object, metric: str = "woe") -> pl.DataFrame:
        """Polars frame of per-feature WoE (``metric="woe"``) or bin index (``"bin"``)."""
        check_choice("metric", metric, ("woe", "bin"))
        idx = self.bin_indices(X)
        if metric == "bin":
            return pl.DataFrame({n: idx[n] for n in self.features_})
        return pl.DataFrame({n: self.binnings_[n]._woe[idx[n]] for n in self.features_})

    def summary(self) -> pl.DataFrame:
        """One row per feature: kind, trend, status, number of bins, IV (sorted by IV, then name)."""
        self._check_fitted()
        rows = [
            {
                "feature": b.name,
                "kind": b.kind,
                "trend": b.trend,
                "status": b.status,
                "n_bins": b.n_bins,
                "iv": b.iv,
            }
            for b in self.binnings_.values()
        ]
        return pl.DataFrame(rows).sort(["iv", "feature"], descending=[True, False])

    def to_dict(self) -> dict:
        self._check_fitted()
        return {
            "params": self.get_params(),
            "n_rows": self.n_rows_,
            "n_events": self.n_events_,
            "features": [b.to_dict() for b in self.binnings_.values()],
        }

    @classmethod
    def from_dict(cls, d: dict) -> BinningProcess:
        out = cls(**d["params"])
        out.binnings_ = {f["name"]: FeatureBinning.from_dict(f) for f in d["features"]}
        out.features_ = list(out.binnings_)
        out.n_rows_ = d["n_rows"]
        out.n_events_ = d["n_events"]
        return out
