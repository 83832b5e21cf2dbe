"""Scoring enterprises with an innovation-points model: points, stage, band, ranks, reasons and
the smallest changes that reach the next band.

The estimator contract (see ``STYLE.md``): :class:`PointsScorer` stores the model; :meth:`fit`
learns the reference population (对照库) — the percentile grid (``knots`` quantiles) or the
min–max of every indicator, per stage or over all, and each stage's mean indicator scores;
:meth:`score` scores a batch of facts (the vectorised path: Polars for the formulas and stage
rules, NumPy over the indicator matrix) and :meth:`score_one` one enterprise's facts (plain Python
formulas and loops). Both do the same floating-point operations in the same order, so they give
identical results (tested). The fitted reference is plain JSON (:meth:`reference_json`), stored
with a run and reloaded by :meth:`from_reference`.

Points: each indicator's value is normalised to a score 0–100 against the reference (an unknown
value takes ``missing_score``; ``lower`` indicators are reversed); the points are
``Σ scale × group weight × indicator weight × score / 100`` over the enterprise's stage's weights,
plus the bonus items met (capped), minus the negative items met, never below 0, rounded to 0.01.

Reasons: an indicator *lifts* an enterprise when its weighted score is above its stage's mean in
the reference, and *drags* it when below (the three largest each way). The next band: for each
indicator with room, the score rise that alone closes the gap (gap ÷ its weight) and the value
that gives it; the three smallest, plus the first bonus item (or negative item removed) that
alone would do.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import numpy as np
import polars as pl

from .model import Item, PointsModel

REASONS = 3
#: Indicators a multi-indicator plan to the next band lists at most.
PLAN = 5
REFERENCE_SCHEMA = 1


def _cond_expr(item: Item) -> pl.Expr:
    e, v = item.formula.expr, item.value
    cond = {">=": e >= v, ">": e > v, "<=": e <= v, "<": e < v, "==": e == v, "!=": e != v}[item.op]
    return cond.fill_null(False)


def _cond_py(item: Item, facts: Mapping[str, Any]) -> bool:
    x = item.formula.func(facts)
    if x is None:
        return False
    v = item.value
    return {">=": x >= v, ">": x > v, "<=": x <= v, "<": x < v, "==": x == v, "!=": x != v}[item.op]


def _names(names: list[str | None], index: np.ndarray) -> pl.Series:
    """``names[index]`` as a Utf8 series (``None`` entries become null), without Python objects."""
    return pl.Series(names, dtype=pl.Utf8).gather(pl.Series(index.astype(np.int64)))


def _facts_py(facts: Mapping[str, Any]) -> dict[str, float | None]:
    return {k: (None if v is None else float(v)) for k, v in facts.items()}


class PointsScorer:
    """Scores with one :class:`~.model.PointsModel` against a fitted reference population."""

    def __init__(self, model: PointsModel):
        self.model = model

    # --- the parts every path shares ------------------------------------------------------------

    @property
    def indicators(self):
        return self.model.indicators

    def _weights(self) -> np.ndarray:
        """(stages × indicators) effective weights: the points a score of 100 is worth."""
        m = self.model
        return np.array([[m.effective_weight(ind, s.id) for ind in m.indicators] for s in m.stages],
                        dtype=np.float64)

    def _stage_expr(self) -> pl.Expr:
        m = self.model
        expr = None
        for s in m.stages:
            for box in s.boxes:
                cond = pl.lit(True)
                for fact, (lo, hi) in box.items():
                    col = pl.col(fact).cast(pl.Float64)
                    if np.isfinite(lo):
                        cond = cond & (col >= lo)
                    if np.isfinite(hi):
                        cond = cond & (col < hi)
                cond = cond.fill_null(False)
                expr = (pl.when(cond) if expr is None else expr.when(cond)).then(pl.lit(s.id))
        return expr.otherwise(pl.lit(m.fallback_stage)) if expr is not None else pl.lit(m.fallback_stage)

    def _stage_py(self, facts: Mapping[str, float | None]) -> str:
        for s in self.model.stages:
            for box in s.boxes:
                ok = True
                for fact, (lo, hi) in box.items():
                    x = facts.get(fact)
                    if x is None or not (x >= lo) or not (x < hi):
                        ok = False
                        break
                if ok:
                    return s.id
        return self.model.fallback_stage

    def _prepare(self, facts: pl.DataFrame) -> pl.DataFrame:
        missing = [c for ind in self.indicators for c in ind.formula.facts if c not in facts.columns]
        missing += [c for s in self.model.stages for b in s.boxes for c in b if c not in facts.columns]
        if missing:
            facts = facts.with_columns([pl.lit(None, dtype=pl.Float64).alias(c) for c in dict.fromkeys(missing)])
        items = self.model.bonus + self.model.negative
        for it in items:
            for c in it.formula.facts:
                if c not in facts.columns:
                    facts = facts.with_columns(pl.lit(None, dtype=pl.Float64).alias(c))
        return facts.select(
            self._stage_expr().alias("stage"),
            *[ind.formula.expr.alias(f"value_{ind.id}") for ind in self.indicators],
            *[_cond_expr(it).alias(f"item_{it.id}") for it in items],
        )

    # --- normalisation -----------------------------------------------------------------------------

    def _normalise(self, x: np.ndarray, ref: dict, lower: bool) -> np.ndarray:
        if self.model.method == "percentile":
            if not ref["xs"]:
                s = np.full(x.shape, 50.0)
            else:
                s = np.interp(x, ref["xs_"], ref["ps_"], left=0.0, right=100.0)
        else:
            lo, hi = ref["lo"], ref["hi"]
            if hi is None or lo is None:
                s = np.full(x.shape, 50.0)
            elif hi > lo:
                s = np.clip((x - lo) / (hi - lo), 0.0, 1.0) * 100.0
            else:
                s = np.where(x >= lo, 50.0, 0.0)
        if lower:
            s = 100.0 - s
        return np.where(np.isnan(x), self.model.missing_score, s)

    def _inverse(self, target: np.ndarray, ref: dict, lower: bool) -> np.ndarray:
        """The indicator value that gives ``target`` (the score), the least change towards it."""
        t = 100.0 - target if lower else target
        if self.model.method == "percentile":
            if not ref["xs"]:
                return np.full(t.shape, np.nan)
            return np.interp(t, ref["ps_"], ref["xs_"])
        lo, hi = ref["lo"], ref["hi"]
        if lo is None or hi is None:
            return np.full(t.shape, np.nan)
        return lo + (t / 100.0) * (hi - lo)

    def _fit_ref(self, col: np.ndarray) -> dict:
        vals = col[~np.isnan(col)]
        if self.model.method == "percentile":
            if vals.size == 0:
                return {"xs": [], "ps": []}
            k = self.model.knots
            q = np.quantile(vals, np.linspace(0.0, 1.0, k))
            xs, first, counts = np.unique(q, return_index=True, return_counts=True)
            ps = (first + (first + counts - 1)) / 2.0 / (k - 1) * 100.0
            return {"xs": xs.tolist(), "ps": ps.tolist()}
        if vals.size == 0:
            return {"lo": None, "hi": None}
        return {"lo": float(vals.min()), "hi": float(vals.max())}

    # --- fit ------------------------------------------------------------------------------------------

    def fit(self, facts: pl.DataFrame) -> PointsScorer:
        """Learn the reference population from a facts frame (:data:`~.facts.FACTS_SCHEMA` columns)."""
        m = self.model
        prep = self._prepare(facts)
        X = prep.select([f"value_{i.id}" for i in m.indicators]).to_numpy().astype(np.float64)
        stage_no = self._stage_numbers(prep)
        refs: dict[str, dict[str, dict]] = {"all": {i.id: self._fit_ref(X[:, j]) for j, i in enumerate(m.indicators)}}
        stage_ref, counts = {}, {}
        for no, s in enumerate(m.stages):
            mask = stage_no == no
            counts[s.id] = int(mask.sum())
            if m.within == "stage" and counts[s.id] >= m.min_reference:
                refs[s.id] = {i.id: self._fit_ref(X[mask, j]) for j, i in enumerate(m.indicators)}
                stage_ref[s.id] = s.id
            else:
                stage_ref[s.id] = "all"
        self._set_reference({"schema": REFERENCE_SCHEMA, "model": m.version, "refs": refs,
                             "stage_ref": stage_ref, "counts": counts, "n": int(X.shape[0])})
        # each stage's mean indicator scores in the reference (the "typical" enterprise of the stage)
        S = self._scores(X, stage_no)
        overall = S.mean(axis=0) if S.shape[0] else np.full(len(m.indicators), 50.0)
        means = {}
        for no, s in enumerate(m.stages):
            mask = stage_no == no
            means[s.id] = (S[mask].mean(axis=0) if mask.any() else overall).tolist()
        self.reference_["means"] = means
        self._means = np.array([means[s.id] for s in m.stages], dtype=np.float64)
        return self

    def _set_reference(self, ref: dict) -> None:
        for key_refs in ref["refs"].values():
            for r in key_refs.values():
                if "xs" in r:
                    r["xs_"] = np.asarray(r["xs"], dtype=np.float64)
                    r["ps_"] = np.asarray(r["ps"], dtype=np.float64)
        self.reference_ = ref
        self._E = self._weights()
        self._stage_index = {s.id: n for n, s in enumerate(self.model.stages)}
        self._bands = np.array([b.min for b in self.model.bands], dtype=np.float64)
        # whether the reference knows any value of an indicator in a stage (else no value can be aimed at)
        self._has_ref = np.array([[bool(r.get("xs") or r.get("lo") is not None)
                                   for r in (self._ref(s.id, i.id) for i in self.model.indicators)]
                                  for s in self.model.stages], dtype=bool)
        self._plan_order = [sorted((j for j in range(len(self.model.indicators)) if self._E[no, j] > 0
                                    and self._has_ref[no, j]), key=lambda j, no=no: (-self._E[no, j], j))
                            for no in range(len(self.model.stages))]

    def reference_json(self) -> dict:
        """The fitted reference as plain JSON (no arrays)."""
        out = {k: v for k, v in self.reference_.items() if k != "refs"}
        out["refs"] = {key: {ind: {k: v for k, v in r.items() if not k.endswith("_")} for ind, r in refs.items()}
                       for key, refs in self.reference_["refs"].items()}
        return json.loads(json.dumps(out))

    @classmethod
    def from_reference(cls, model: PointsModel, reference: dict) -> PointsScorer:
        if reference.get("schema") != REFERENCE_SCHEMA or reference.get("model") != model.version:
            raise ValueError(f"the reference is for {reference.get('model')!r} (schema "
                             f"{reference.get('schema')!r}), not {model.version!r}")
        self = cls(model)
        self._set_reference(json.loads(json.dumps(reference)))
        self._means = np.array([reference["means"][s.id] for s in model.stages], dtype=np.float64)
        return self

    def _ref(self, stage: str, ind_id: str) -> dict:
        return self.reference_["refs"][self.reference_["stage_ref"][stage]][ind_id]

    def _stage_numbers(self, prep: pl.DataFrame) -> np.ndarray:
        """Each row's stage as its index in the model (integer comparisons are cheap; strings are not)."""
        return (prep["stage"].cast(pl.Enum(list(self.model.stage_ids))).to_physical()
                .to_numpy().astype(np.int64))

    def _scores(self, X: np.ndarray, stage_no: np.ndarray) -> np.ndarray:
        S = np.empty_like(X)
        for no, s in enumerate(self.model.stages):
            idx = np.flatnonzero(stage_no == no)
            if idx.size == 0:
                continue
            Xs = X[idx].T  # one gather per stage, then contiguous columns
            S[idx] = np.stack([self._normalise(Xs[j], self._ref(s.id, ind.id), ind.direction == "lower")
                               for j, ind in enumerate(self.indicators)], axis=1)
        return S

    # --- batch ----------------------------------------------------------------------------------------

    def score(self, facts: pl.DataFrame, *, keys: pl.DataFrame | None = None,
              rank_by: str | None = None) -> pl.DataFrame:
        """Score a batch. ``keys`` (same height: ids, region code …) are kept in front;
        ``rank_by`` names a column of ``keys`` (the district) to rank within with the stage."""
        m, k = self.model, len(self.model.indicators)
        prep = self._prepare(facts)
        n = prep.height
        X = prep.select([f"value_{i.id}" for i in m.indicators]).to_numpy().astype(np.float64).reshape(n, k)
        stage_no = self._stage_numbers(prep)
        S = self._scores(X, stage_no) if n else np.empty((0, k))
        E = self._E[stage_no]
        base = np.zeros(n)
        for j in range(k):
            base = base + E[:, j] * S[:, j]
        bonus = np.zeros(n)
        for it in m.bonus:
            bonus = bonus + np.where(prep[f"item_{it.id}"].to_numpy(), it.points, 0.0)
        bonus = np.minimum(bonus, m.bonus_cap)
        negative = np.zeros(n)
        for it in m.negative:
            negative = negative + np.where(prep[f"item_{it.id}"].to_numpy(), it.points, 0.0)
        points = np.round(np.maximum(base + bonus - negative, 0.0), 2)
        band_no = np.searchsorted(self._bands, points, side="right") - 1

        # reasons: weighted score against the stage's reference mean
        D = E * (S - self._means[stage_no])
        lift_order = np.argsort(-D, axis=1, kind="stable")[:, :REASONS]
        drag_order = np.argsort(D, axis=1, kind="stable")[:, :REASONS]
        ids = [i.id for i in m.indicators] + [None]
        cols: dict[str, Any] = {}
        rows = np.arange(n)
        none = np.full(n, k, dtype=np.int64)
        for r in range(REASONS):
            if r >= k:
                cols[f"lift_{r + 1}"] = cols[f"drag_{r + 1}"] = _names(ids, none)
                continue
            lj, dj = lift_order[:, r], drag_order[:, r]
            cols[f"lift_{r + 1}"] = _names(ids, np.where(D[rows, lj] > 0, lj, k))
            cols[f"drag_{r + 1}"] = _names(ids, np.where(D[rows, dj] < 0, dj, k))

        # the next band
        top = band_no >= len(m.bands) - 1
        next_min = np.where(top, np.nan, self._bands[np.minimum(band_no + 1, len(m.bands) - 1)])
        gap = next_min - points
        with np.errstate(divide="ignore", invalid="ignore"):
            dS = gap[:, None] / E
        feasible = (E > 0) & self._has_ref[stage_no] & (S + dS <= 100.0) & ~top[:, None]
        dS = np.where(feasible, dS, np.inf)
        order = np.argsort(dS, axis=1, kind="stable")[:, :REASONS]
        for r in range(REASONS):
            if r >= k:
                cols[f"next_{r + 1}"], cols[f"next_{r + 1}_to"] = _names(ids, none), np.full(n, np.nan)
                continue
            j = order[:, r]
            ok = np.isfinite(dS[rows, j])
            to = np.full(n, np.nan)
            key = np.where(ok, stage_no * k + j, -1)
            for u in np.unique(key[key >= 0]):
                sel = np.flatnonzero(key == u)
                s, jj = m.stages[u // k], int(u % k)
                ind = self.indicators[jj]
                to[sel] = self._inverse(S[sel, jj] + dS[sel, jj], self._ref(s.id, ind.id), ind.direction == "lower")
            cols[f"next_{r + 1}"] = _names(ids, np.where(ok, j, k))
            cols[f"next_{r + 1}_to"] = to
        # no single indicator closes the gap: the least total score rise over several (raise the
        # heaviest indicators of the stage first — optimal, as in a fractional knapsack)
        need_plan = ~top & ~np.isfinite(dS[rows, order[:, 0]]) if k else np.zeros(n, dtype=bool)
        plan_ids = np.full((n, PLAN), k, dtype=np.int64)
        plan_to = np.full((n, PLAN), np.nan)
        short = np.zeros(n, dtype=bool)
        for no, s in enumerate(m.stages):
            sel = np.flatnonzero(need_plan & (stage_no == no))
            js = self._plan_order[no]
            if sel.size == 0 or not js:
                short[sel] = True
                continue
            e = self._E[no][js]
            room = e * (100.0 - S[np.ix_(sel, js)])
            cum = np.cumsum(room, axis=1)
            g = gap[sel]
            prev = np.zeros(sel.size)
            slot = np.zeros(sel.size, dtype=np.int64)
            open_ = np.ones(sel.size, dtype=bool)
            for r, j in enumerate(js):
                reach = cum[:, r] >= g
                take = open_ & (room[:, r] > 0) & (slot < PLAN)
                target = np.where(reach, S[sel, j] + (g - prev) / e[r], 100.0)
                ind = m.indicators[j]
                to = self._inverse(target, self._ref(s.id, ind.id), ind.direction == "lower")
                plan_ids[sel[take], slot[take]] = j
                plan_to[sel[take], slot[take]] = to[take]
                slot = slot + take
                open_ = open_ & ~reach
                prev = cum[:, r]
            short[sel] = open_
        for r in range(PLAN):
            cols[f"plan_{r + 1}"] = _names(ids, plan_ids[:, r])
            cols[f"plan_{r + 1}_to"] = plan_to[:, r]
        cols["plan_short"] = need_plan & short
        # one bonus item gained (within the cap) or one negative item removed that alone reaches it
        items = [it.id for it in m.bonus + m.negative]
        item = np.full(n, len(items), dtype=np.int64)
        for no in reversed(range(len(m.bonus), len(items))):
            it = m.negative[no - len(m.bonus)]
            held = prep[f"item_{it.id}"].to_numpy()
            after = np.round(np.maximum(base + bonus - (negative - it.points), 0.0), 2)
            item = np.where(held & ~top & (after >= next_min), no, item)
        for no in reversed(range(len(m.bonus))):
            it = m.bonus[no]
            held = prep[f"item_{it.id}"].to_numpy()
            after = np.round(np.maximum(base + np.minimum(bonus + it.points, m.bonus_cap) - negative, 0.0), 2)
            item = np.where(~held & ~top & (after >= next_min), no, item)

        band_ids = [b.id for b in m.bands] + [None]
        out = pl.DataFrame({
            "stage": prep["stage"],
            "points": points, "base": base, "bonus": bonus, "negative": negative,
            "band": _names(band_ids, band_no),
            "next_band": _names(band_ids, np.where(top, len(m.bands), band_no + 1)),
            "next_gap": np.round(gap, 2),
            **cols, "next_item": _names(items + [None], item),
            **{f"score_{ind.id}": S[:, j] for j, ind in enumerate(m.indicators)},
        })
        out = pl.concat([out, prep.select([f"value_{i.id}" for i in m.indicators])], how="horizontal")
        if keys is not None:
            out = pl.concat([keys, out], how="horizontal")
        part = ["stage"] + ([rank_by] if rank_by else [])
        return out.with_columns(
            pl.col("points").rank("min", descending=True).over(part).cast(pl.Int64).alias("rank"),
            pl.len().over(part).cast(pl.Int64).alias("peers"),
        )

    # --- one enterprise -----------------------------------------------------------------------------

    def score_one(self, facts: Mapping[str, Any]) -> dict[str, Any]:
        """One enterprise's result (the batch row's fields, without the rank: see :func:`rank_within`)."""
        m, k = self.model, len(self.model.indicators)
        f = _facts_py(facts)
        stage = self._stage_py(f)
        no = self._stage_index[stage]
        E, M = self._E[no], self._means[no]
        values = [ind.formula.func(f) for ind in m.indicators]
        scores = []
        for ind, x in zip(m.indicators, values, strict=True):
            arr = np.array([np.nan if x is None else x], dtype=np.float64)
            scores.append(self._normalise(arr, self._ref(stage, ind.id), ind.direction == "lower")[0])
        base = 0.0
        for j in range(k):
            base = base + E[j] * scores[j]
        held = {it.id: _cond_py(it, f) for it in m.bonus + m.negative}
        bonus = 0.0
        for it in m.bonus:
            bonus = bonus + (it.points if held[it.id] else 0.0)
        bonus = min(bonus, m.bonus_cap)
        negative = 0.0
        for it in m.negative:
            negative = negative + (it.points if held[it.id] else 0.0)
        points = float(np.round(max(base + bonus - negative, 0.0), 2))
        band_no = int(np.searchsorted(self._bands, points, side="right") - 1)
        d = [E[j] * (scores[j] - M[j]) for j in range(k)]
        lifts = [m.indicators[j].id for j in sorted(range(k), key=lambda j: (-d[j], j))[:REASONS] if d[j] > 0]
        drags = [m.indicators[j].id for j in sorted(range(k), key=lambda j: (d[j], j))[:REASONS] if d[j] < 0]
        nxt: dict[str, Any] = {"band": None, "gap": None, "changes": [], "item": None, "plan": [], "short": False}
        if band_no < len(m.bands) - 1:
            next_min = self._bands[band_no + 1]
            gap = next_min - points
            cand = []
            for j in range(k):
                if E[j] > 0 and self._has_ref[no, j]:
                    ds = gap / E[j]
                    if scores[j] + ds <= 100.0:
                        cand.append((ds, j))
            cand.sort()
            changes = []
            for ds, j in cand[:REASONS]:
                ind = m.indicators[j]
                to = self._inverse(np.array([scores[j] + ds]), self._ref(stage, ind.id), ind.direction == "lower")[0]
                changes.append({"indicator": ind.id, "to": float(to)})
            plan, short = [], False
            if not changes:
                cum, short = 0.0, True
                for j in self._plan_order[no]:
                    room = E[j] * (100.0 - scores[j])
                    prev, cum = cum, cum + room
                    reach = cum >= gap
                    if room > 0 and len(plan) < PLAN:
                        target = scores[j] + (gap - prev) / E[j] if reach else 100.0
                        ind = m.indicators[j]
                        to = self._inverse(np.array([target]), self._ref(stage, ind.id), ind.direction == "lower")[0]
                        plan.append({"indicator": ind.id, "to": float(to)})
                    if reach:
                        short = False
                        break
            item = None
            for it in m.bonus:
                if not held[it.id] and np.round(max(base + min(bonus + it.points, m.bonus_cap) - negative, 0.0), 2) >= next_min:
                    item = it.id
                    break
            if item is None:
                for it in m.negative:
                    if held[it.id] and np.round(max(base + bonus - (negative - it.points), 0.0), 2) >= next_min:
                        item = it.id
                        break
            nxt = {"band": m.bands[band_no + 1].id, "gap": float(np.round(gap, 2)), "changes": changes, "item": item,
                   "plan": plan, "short": short}
        return {"stage": stage, "points": points, "band": m.bands[band_no].id,
                "base": float(base), "bonus": float(bonus), "negative": float(negative),
                "scores": {ind.id: float(s) for ind, s in zip(m.indicators, scores, strict=True)},
                "values": {ind.id: v for ind, v in zip(m.indicators, values, strict=True)},
                "lifts": lifts, "drags": drags, "next": nxt}


def row_result(model: PointsModel, row: Mapping[str, Any]) -> dict[str, Any]:
    """A batch row (:meth:`PointsScorer.score` ``.iter_rows(named=True)``) in :meth:`score_one`'s shape."""
    changes = [{"indicator": row[f"next_{r}"], "to": row[f"next_{r}_to"]}
               for r in range(1, REASONS + 1) if row[f"next_{r}"] is not None]
    nb = row["next_band"]
    plan = [{"indicator": row[f"plan_{r}"], "to": row[f"plan_{r}_to"]}
            for r in range(1, PLAN + 1) if row[f"plan_{r}"] is not None]
    return {"stage": row["stage"], "points": row["points"], "band": row["band"],
            "base": row["base"], "bonus": row["bonus"], "negative": row["negative"],
            "scores": {i.id: row[f"score_{i.id}"] for i in model.indicators},
            "values": {i.id: row[f"value_{i.id}"] for i in model.indicators},
            "lifts": [row[f"lift_{r}"] for r in range(1, REASONS + 1) if row[f"lift_{r}"] is not None],
            "drags": [row[f"drag_{r}"] for r in range(1, REASONS + 1) if row[f"drag_{r}"] is not None],
            "next": {"band": nb, "gap": row["next_gap"] if nb is not None else None,
                     "changes": changes if nb is not None else [], "item": row["next_item"],
                     "plan": plan if nb is not None else [], "short": bool(row["plan_short"])}}


def rank_within(points: float, peers: list[float]) -> int:
    """The competition rank ("1224") of ``points`` among ``peers`` (its stage and district, itself
    included): one more than the number of peers with more points."""
    return 1 + sum(1 for p in peers if p > points)
