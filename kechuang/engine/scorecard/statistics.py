"""Mergeable binning statistics: ``add(batch)``, ``merge(other)``, ``finalize()``.

One :class:`BinningStatistics` per partition (a Spark task, a file, a chunk of a big table); merge
them in any order and ``finalize()`` fits the :class:`~.binning.BinningProcess` that created them.
The result equals a single-process ``fit`` on the concatenated data (integer counts, deterministic
rounding; see :mod:`.sketch`). ``to_dict``/``from_dict`` give a JSON-safe form to ship between
workers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from .data import (
    CATEGORICAL,
    NUMERIC,
    as_frame,
    as_target,
    category_values,
    column_kind,
    numeric_values,
    require_columns,
)
from .errors import ErrorCode, ScorecardError
from .sketch import CategoryCounts, NumericSketch

if TYPE_CHECKING:
    from .binning import BinningProcess


@dataclass
class FeatureStatistics:
    """Counts of one feature: finite values (sketch or categories), each special code, missing."""

    name: str
    kind: str
    special_codes: tuple
    sketch: NumericSketch | None = None
    categories: CategoryCounts | None = None
    missing: list[int] = field(default_factory=lambda: [0, 0])
    special: list[list[int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.special:
            self.special = [[0, 0] for _ in self.special_codes]

    def add(self, series: pl.Series, y: np.ndarray, inf_policy: str) -> None:
        if self.kind == NUMERIC:
            x = numeric_values(series)
            missing = np.isnan(x)
            inf = np.isinf(x)
            if inf.any():
                if inf_policy == "error":
                    raise ScorecardError(
                        ErrorCode.NON_FINITE,
                        f"feature {self.name!r} has {int(inf.sum())} infinite values "
                        "(pass inf_policy='missing' to bin them with the missing values)",
                    )
                missing |= inf
            rest = ~missing
            for i, code in enumerate(self.special_codes):
                hit = x == float(code)
                self.special[i][0] += int(hit.sum())
                self.special[i][1] += int(y[hit].sum())
                rest &= ~hit
            self.missing[0] += int(missing.sum())
            self.missing[1] += int(y[missing].sum())
            self.sketch.add(x[rest], y[rest])
        else:
            s = category_values(series)
            frame = pl.DataFrame({"c": s, "y": y})
            missing = frame.filter(pl.col("c").is_null())
            self.missing[0] += missing.height
            self.missing[1] += int(missing["y"].sum())
            frame = frame.filter(pl.col("c").is_not_null())
            for i, code in enumerate(self.special_codes):
                hit = frame.filter(pl.col("c") == str(code))
                self.special[i][0] += hit.height
                self.special[i][1] += int(hit["y"].sum())
                frame = frame.filter(pl.col("c") != str(code))
            agg = frame.group_by("c").agg(n=pl.len(), e=pl.col("y").cast(pl.Int64).sum())
            self.categories.add_counts(agg["c"].to_list(), agg["n"].to_list(), agg["e"].to_list())

    def merge(self, other: FeatureStatistics) -> None:
        if (self.kind, tuple(self.special_codes)) != (other.kind, tuple(other.special_codes)):
            raise ScorecardError(
                ErrorCode.INCOMPATIBLE_STATISTICS,
                f"feature {self.name!r}: cannot merge {self.kind} statistics with {other.kind}",
            )
        self.missing = [a + b for a, b in zip(self.missing, other.missing, strict=True)]
        self.special = [
            [a[0] + b[0], a[1] + b[1]] for a, b in zip(self.special, other.special, strict=True)
        ]
        if self.kind == NUMERIC:
            self.sketch.merge(other.sketch)
        else:
            self.categories.merge(other.categories)

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "kind": self.kind,
            "special_codes": list(self.special_codes),
            "missing": list(self.missing),
            "special": [list(s) for s in self.special],
            "sketch": self.sketch.to_dict() if self.sketch is not None else None,
            "categories": self.categories.to_dict() if self.categories is not None else None,
        }

    @classmethod
    def from_dict(cls, d: dict) -> FeatureStatistics:
        return cls(
            name=d["name"],
            kind=d["kind"],
            special_codes=tuple(d["special_codes"]),
            sketch=NumericSketch.from_dict(d["sketch"]) if d["sketch"] is not None else None,
            categories=CategoryCounts.from_dict(d["categories"])
            if d["categories"] is not None
            else None,
            missing=list(d["missing"]),
            special=[list(s) for s in d["special"]],
        )


class BinningStatistics:
    """The mergeable state of a :class:`~.binning.BinningProcess` fit (see module doc)."""

    def __init__(self, process: BinningProcess) -> None:
        self.process = process
        self.n_rows = 0
        self.n_events = 0
        self.features: dict[str, FeatureStatistics] = {}

    def _feature_names(self, frame: pl.DataFrame) -> list[str]:
        if self.features:
            return list(self.features)
        names = (
            list(self.process.features)
            if self.process.features is not None
            else list(frame.columns)
        )
        return names

    def add(self, X: object, y: object) -> BinningStatistics:
        """Count one batch (a Polars DataFrame / Arrow table and its 0/1 target)."""
        frame = as_frame(X)
        names = self._feature_names(frame)
        require_columns(frame, names)
        target = as_target(y, frame.height, require_both=False)
        p = self.process
        forced = set(p.categorical_features or ())
        specials = p.special_codes or {}
        for name in names:
            stats = self.features.get(name)
            if stats is None:
                kind = CATEGORICAL if name in forced else column_kind(frame[name].dtype, name)
                codes = tuple(specials.get(name, ()))
                stats = FeatureStatistics(
                    name=name,
                    kind=kind,
                    special_codes=codes,
                    sketch=NumericSketch(p.relative_error, p.max_exact)
                    if kind == NUMERIC
                    else None,
                    categories=CategoryCounts() if kind == CATEGORICAL else None,
                )
                self.features[name] = stats
            stats.add(frame[name], target, p.inf_policy)
        self.n_rows += frame.height
        self.n_events += int(target.sum())
        return self

    def merge(self, other: BinningStatistics) -> BinningStatistics:
        """Fold another partition's statistics into this one (in place; returns self)."""
        if not other.features:
            return self
        if self.features and list(self.features) != list(other.features):
            raise ScorecardError(
                ErrorCode.INCOMPATIBLE_STATISTICS,
                "statistics cover different features: "
                f"{sorted(set(self.features) ^ set(other.features))}",
            )
        if not self.features:
            for name, fs in other.features.items():
                self.features[name] = FeatureStatistics.from_dict(fs.to_dict())
        else:
            for name, fs in other.features.items():
                self.features[name].merge(fs)
        self.n_rows += other.n_rows
        self.n_events += other.n_events
        return self

    def finalize(self) -> BinningProcess:
        """Fit the owning process from these counts and return it."""
        return self.process._fit_statistics(self)

    def to_dict(self) -> dict:
        return {
            "n_rows": self.n_rows,
            "n_events": self.n_events,
            "features": [fs.to_dict() for fs in self.features.values()],
        }

    @classmethod
    def from_dict(cls, process: BinningProcess, d: dict) -> BinningStatistics:
        out = cls(process)
        out.n_rows = d["n_rows"]
        out.n_events = d["n_events"]
        for fd in d["features"]:
            out.features[fd["name"]] = FeatureStatistics.from_dict(fd)
        return out
