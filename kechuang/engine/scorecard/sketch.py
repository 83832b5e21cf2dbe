"""Mergeable per-feature statistics: the first, data-touching half of binning.

A :class:`NumericSketch` holds ``(key, count, event count)`` triples sorted by key:

* **exact mode** (while a feature has at most ``max_exact`` distinct values): the keys are the
  distinct values themselves;
* **sketch mode** (beyond that): each value is rounded *up* to the right end of a log-spaced bucket
  of relative width ``relative_error`` (the DDSketch grid: bucket ``i`` of positive values is
  ``(γ^(i-1), γ^i]`` with ``γ = 1 + relative_error``; negative values mirror it; zero is its own
  bucket). The key is the bucket's right end, so "``x <= key``" is exactly bucket membership.

Rounding is a fixed, elementwise function, and counts are integers, so adding batches in any order
and merging partitions in any order give *identical* sketches: a sketch switches to sketch mode
exactly when the union of its data has more than ``max_exact`` distinct values. That is what lets a
Spark job fit on partitions and get the same bins as a single-process fit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np


def _aggregate_sorted(keys: np.ndarray, n: np.ndarray, e: np.ndarray):
    """Sum counts of equal adjacent keys (``keys`` sorted)."""
    if keys.size == 0:
        return keys, n, e
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    return keys[starts], np.add.reduceat(n, starts), np.add.reduceat(e, starts)


def _combine(k1, n1, e1, k2, n2, e2):
    keys = np.concatenate([k1, k2])
    order = np.argsort(keys, kind="stable")
    return _aggregate_sorted(
        keys[order], np.concatenate([n1, n2])[order], np.concatenate([e1, e2])[order]
    )


def bucket_right_ends(values: np.ndarray, relative_error: float) -> np.ndarray:
    """Round each finite value up to the right end of its log-spaced bucket (see module doc).

    The float computation is corrected so that for every output ``r`` of input ``x``:
    ``x <= r`` and the previous grid point is ``< x`` — i.e. the grid computed by
    ``np.power(γ, i)`` is the exact bucket boundary, whatever rounding ``log`` did.
    """
    gamma = 1.0 + relative_error
    log_gamma = math.log(gamma)
    out = np.zeros_like(values, dtype=np.float64)
    pos = values > 0
    if pos.any():
        x = values[pos]
        i = np.ceil(np.log(x) / log_gamma)
        r = np.power(gamma, i)
        up = r < x
        i[up] += 1
        down = np.power(gamma, i - 1) >= x
        i[down] -= 1
        out[pos] = np.power(gamma, i)
    neg = values < 0
    if neg.any():
        x = -values[neg]
        # bucket [γ^j, γ^(j+1)) of |x|, i.e. (-γ^(j+1), -γ^j] of x; the right end is -γ^j
        j = np.floor(np.log(x) / log_gamma)
        up = np.power(gamma, j + 1) <= x
        j[up] += 1
        down = np.power(gamma, j) > x
        j[down] -= 1
        out[neg] = -np.power(gamma, j)
    return out


@dataclass
class NumericSketch:
    """Sorted ``(key, count, events)`` histogram of one numeric feature's finite values."""

    relative_error: float = 1e-3
    max_exact: int = 4096
    exact: bool = True
    keys: np.ndarray = field(default_factory=lambda: np.empty(0, np.float64))
    n: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    e: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))

    def add(self, values: np.ndarray, events: np.ndarray) -> NumericSketch:
        """Add finite values with their 0/1 events."""
        if values.size == 0:
            return self
        if not self.exact:
            values = bucket_right_ends(values, self.relative_error)
        keys, inverse = np.unique(values, return_inverse=True)
        n = np.bincount(inverse, minlength=keys.size).astype(np.int64)
        e = np.bincount(inverse, weights=events, minlength=keys.size).astype(np.int64)
        self._absorb(keys, n, e)
        return self

    def merge(self, other: NumericSketch) -> NumericSketch:
        if (self.relative_error, self.max_exact) != (other.relative_error, other.max_exact):
            raise ValueError("cannot merge sketches with different relative_error/max_exact")
        keys, n, e = other.keys, other.n, other.e
        if self.exact and not other.exact:
            self._to_sketch_mode()
        elif not self.exact and other.exact:
            keys, n, e = _aggregate_sorted(bucket_right_ends(keys, self.relative_error), n, e)
        self._absorb(keys, n, e)
        return self

    def _absorb(self, keys, n, e) -> None:
        if self.keys.size:
            keys, n, e = _combine(self.keys, self.n, self.e, keys, n, e)
        self.keys, self.n, self.e = keys, n, e
        if self.exact and self.keys.size > self.max_exact:
            self._to_sketch_mode()

    def _to_sketch_mode(self) -> None:
        self.exact = False
        # rounding is monotone, so rounded sorted keys stay sorted
        self.keys, self.n, self.e = _aggregate_sorted(
            bucket_right_ends(self.keys, self.relative_error), self.n, self.e
        )

    def to_dict(self) -> dict:
        return {
            "relative_error": self.relative_error,
            "max_exact": self.max_exact,
            "exact": self.exact,
            "keys": self.keys.tolist(),
            "n": self.n.tolist(),
            "e": self.e.tolist(),
        }

    @classmethod
    def from_dict(cls, d: dict) -> NumericSketch:
        return cls(
            relative_error=d["relative_error"],
            max_exact=d["max_exact"],
            exact=d["exact"],
            keys=np.asarray(d["keys"], np.float64),
            n=np.asarray(d["n"], np.int64),
            e=np.asarray(d["e"], np.int64),
        )


@dataclass
class CategoryCounts:
    """``category → (count, events)`` of one categorical feature (nulls excluded)."""

    counts: dict[str, list[int]] = field(default_factory=dict)

    def add_counts(self, categories: list[str], n: list[int], e: list[int]) -> CategoryCounts:
        for c, ni, ei in zip(categories, n, e, strict=True):
            slot = self.counts.setdefault(c, [0, 0])
            slot[0] += int(ni)
            slot[1] += int(ei)
        return self

    def merge(self, other: CategoryCounts) -> CategoryCounts:
        for c, (ni, ei) in other.counts.items():
            slot = self.counts.setdefault(c, [0, 0])
            slot[0] += ni
            slot[1] += ei
        return self

    def to_dict(self) -> dict:
        return {"counts": {c: list(v) for c, v in sorted(self.counts.items())}}

    @classmethod
    def from_dict(cls, d: dict) -> CategoryCounts:
        return cls(counts={c: list(v) for c, v in d["counts"].items()})
