"""The honest backtest of the warning rules on the synthetic region (合成数据, not real defaults).

The synthetic generator draws each enterprise's 12-month default from its documented latent PD
(:mod:`kechuang.synthetic.risk`), monotone in the horizon, so the **month of default** is the first
horizon ``h`` (1–12) at which :func:`kechuang.synthetic.generate_outcomes` says ``defaulted``. The
warnings are computed on ``as_of`` from the records as generated on ``as_of`` (nothing after it),
then compared with the defaults of the following ``horizon`` months:

* per level L (blue, yellow, orange, red) the enterprises warned **at L or above**: how many,
  precision (share that defaulted), recall (share of all defaults warned) and lead time (months
  from the warning to the default, mean and median, over the defaults caught);
* the same for the single-signal baseline in the same run: warn when a loan is or has been
  overdue, nothing else.

The rule defaults were looked at only on the **development** region (:data:`DEV_SEED`); the figures
a page reports are those of the **hold-out** region (:data:`HOLDOUT_SEED`, the demo region's seed),
never used to choose a threshold. Both are returned so the gap shows.
"""

from __future__ import annotations

import datetime as dt
import statistics
from typing import Any

import numpy as np

from kechuang.synthetic import generate, generate_outcomes
from kechuang.synthetic.generator import DEFAULT_AS_OF, DEFAULT_SEED

from .rules import LEVEL_RANK, LEVELS, RuleSet
from .signals import records_to_frames, warnings_batch

DEV_SEED = 7
HOLDOUT_SEED = DEFAULT_SEED


def default_months(n: int, *, seed: int, as_of: dt.date, horizon: int = 12) -> list[int | None]:
    """The month (1…``horizon``) each synthetic enterprise defaults in after ``as_of``, else ``None``."""
    months: list[int | None] = [None] * n
    for h in range(1, horizon + 1):
        for j, row in enumerate(generate_outcomes(n, seed=seed, as_of=as_of, horizon_months=h)):
            if months[j] is None and row["defaulted"]:
                months[j] = h
    return months


def _score(flagged: np.ndarray, months: np.ndarray) -> dict[str, Any]:
    defaulted = months > 0
    hits = flagged & defaulted
    n_flag, n_hit, n_def = int(flagged.sum()), int(hits.sum()), int(defaulted.sum())
    leads = months[hits].tolist()
    return {"flagged": n_flag, "hits": n_hit,
            "precision": None if n_flag == 0 else round(n_hit / n_flag, 4),
            "recall": None if n_def == 0 else round(n_hit / n_def, 4),
            "lead_mean": None if not leads else round(sum(leads) / len(leads), 2),
            "lead_median": None if not leads else float(statistics.median(leads))}


def evaluate(levels: np.ndarray, baseline: np.ndarray, months: list[int | None]) -> dict[str, Any]:
    """Per-level scores of ``levels`` (0–4, "at this level or above") and of the ``baseline``
    (booleans), against ``months`` (month of default or ``None``)."""
    m = np.array([x or 0 for x in months], dtype=np.int64)
    n_def = int((m > 0).sum())
    rows = [{"level": LEVELS[r], **_score(levels >= r, m)} for r in range(1, len(LEVELS))]
    return {"enterprises": len(m), "defaults": n_def,
            "base_rate": None if len(m) == 0 else round(n_def / len(m), 4),
            "levels": rows, "baseline": {"level": "overdue_only", **_score(baseline, m)}}


def backtest_region(rules: RuleSet, *, n: int, seed: int, as_of: dt.date = DEFAULT_AS_OF,
                    horizon: int = 12) -> dict[str, Any]:
    """Warnings on ``as_of`` for ``n`` synthetic enterprises of ``seed`` against their defaults."""
    records = list(generate(n, seed=seed, as_of=as_of))
    ents, items = records_to_frames(records, as_of)
    results, _evidence = warnings_batch(ents, items, as_of, rules)
    levels = results["level"].to_numpy().astype(np.int64)
    baseline = ((results["overdue_now"] > 0) | (results["overdue_history"] > 0)).to_numpy()
    out = evaluate(levels, baseline, default_months(n, seed=seed, as_of=as_of, horizon=horizon))
    return {"seed": seed, "as_of": as_of.isoformat(), "horizon_months": horizon, "synthetic": True, **out}


def backtest(rules: RuleSet, *, n: int = 20_000, as_of: dt.date = DEFAULT_AS_OF,
             horizon: int = 12) -> dict[str, Any]:
    """The hold-out report (what pages show) and the development one beside it."""
    return {"rules_version": rules.version, "synthetic": True,
            "holdout": backtest_region(rules, n=n, seed=HOLDOUT_SEED, as_of=as_of, horizon=horizon),
            "development": backtest_region(rules, n=n, seed=DEV_SEED, as_of=as_of, horizon=horizon)}


__all__ = ["DEV_SEED", "HOLDOUT_SEED", "LEVEL_RANK", "backtest", "backtest_region", "default_months", "evaluate"]
