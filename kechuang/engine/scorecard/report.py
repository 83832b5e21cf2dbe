"""The development report: plain JSON with discrimination, calibration and every feature's bins.

``schema: kechuang.scorecard.report``, ``schema_version: 1``. Sections: ``sample`` (rows, events,
default rate), ``metrics`` (AUC, KS, Gini on the development sample), ``calibration_by_grade`` and
``calibration_by_decile`` (count, events, observed rate, mean PD), ``model`` (intercept, shift,
scaling), ``features`` (IV, status, trend, selection decision, coefficient and the bins with counts,
event rate, WoE, IV and — for kept features — points).
"""

from __future__ import annotations

import numpy as np

from .binning import BinningProcess
from .metrics import calibration_table, gini, ks_statistic, roc_auc
from .model import ScorecardModel

REPORT_SCHEMA = "kechuang.scorecard.report"
REPORT_SCHEMA_VERSION = 1


def development_report(
    *,
    model: ScorecardModel,
    binning: BinningProcess,
    selection: dict[str, str],
    y: np.ndarray,
    pd: np.ndarray,
    score: np.ndarray,
    grades: np.ndarray,
    params: dict,
) -> dict:
    deciles = np.minimum(
        (np.argsort(np.argsort(-pd, kind="stable"), kind="stable") * 10) // y.size, 9
    )
    kept = dict(
        zip(model.features, zip(model.coefficients, model._points, strict=True), strict=True)
    )
    features = []
    for name in binning.features_:
        fb = binning.binnings_[name]
        coef, points = kept.get(name, (None, None))
        bins = []
        for k, label in enumerate(fb.labels()):
            n = fb.count[k]
            bins.append(
                {
                    "bin": k,
                    "label": label,
                    "count": n,
                    "events": fb.event[k],
                    "event_rate": fb.event[k] / n if n else None,
                    "woe": fb.woe[k],
                    "iv": fb.iv_bins[k],
                    "points": float(points[k]) if points is not None else None,
                }
            )
        features.append(
            {
                "feature": name,
                "kind": fb.kind,
                "iv": fb.iv,
                "status": fb.status,
                "trend": fb.trend,
                "selection": selection.get(name),
                "coefficient": coef,
                "bins": bins,
            }
        )
    features.sort(key=lambda f: (-f["iv"], f["feature"]))
    auc = roc_auc(y, pd)
    return {
        "schema": REPORT_SCHEMA,
        "schema_version": REPORT_SCHEMA_VERSION,
        "sample": {
            "n_rows": int(y.size),
            "n_events": int(y.sum()),
            "default_rate": float(y.mean()),
        },
        "metrics": {"auc": auc, "ks": ks_statistic(y, pd), "gini": gini(y, pd)},
        "calibration_by_grade": calibration_table(
            y, pd, grades, [g for g, _ in model.master_scale]
        ),
        "calibration_by_decile": calibration_table(
            y, pd, deciles, [f"D{i + 1}" for i in range(10)]
        ),
        "model": {
            "features": model.features,
            "intercept": model.intercept,
            "intercept_shift": model.intercept_shift,
            "scaling": {
                "base_score": model.scaling.base_score,
                "base_odds": model.scaling.base_odds,
                "pdo": model.scaling.pdo,
            },
            "master_scale": [{"grade": g, "pd_upper": u} for g, u in model.master_scale],
        },
        "parameters": params,
        "features": features,
    }
