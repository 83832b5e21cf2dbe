"""Population stability (PSI) of the score and per-feature drift (CSI) on new data.

:class:`MonitoringStatistics` counts new rows into the model's development bins — score deciles
stored in the model, grades, and each feature's bins — with ``add(batch)`` / ``merge(other)`` so it
runs on partitions; ``finalize()`` compares them with the development counts stored in the model:
``stable`` below 0.1, ``watch`` from 0.1, ``alert`` from 0.25 (see :mod:`.metrics`). The report's
``alert`` is true when the score PSI or any feature's CSI reaches the alert threshold.
"""

from __future__ import annotations

import numpy as np

from .errors import ErrorCode, ScorecardError
from .metrics import PSI_ALERT, PSI_WATCH, psi, stability_status
from .model import ScorecardModel
from .scaling import grade_index


class MonitoringStatistics:
    def __init__(
        self, model: ScorecardModel, *, watch: float = PSI_WATCH, alert: float = PSI_ALERT
    ) -> None:
        if model.score_bins is None or model.grade_counts is None:
            raise ScorecardError(
                ErrorCode.INVALID_PARAMETER, "model carries no development distribution"
            )
        self.model = model
        self.watch = watch
        self.alert = alert
        self.n_rows = 0
        self._edges = np.asarray(model.score_bins["edges"], np.float64)
        self.score_counts = np.zeros(self._edges.size + 1, np.int64)
        self.grade_counts = np.zeros(len(model.master_scale), np.int64)
        self.feature_counts = [np.zeros(fb.n_bins, np.int64) for fb in model.binnings]

    def add(self, X: object) -> MonitoringStatistics:
        m = self.model
        idx = m.bin_indices(X)
        logit = m._logit(idx)
        pd = 0.5 * (1.0 + np.tanh(0.5 * logit))
        score = m.scaling.score_from_logit(logit)
        self.score_counts += np.bincount(
            np.searchsorted(self._edges, score, side="left"), minlength=self.score_counts.size
        )
        self.grade_counts += np.bincount(
            grade_index(pd, m._uppers), minlength=self.grade_counts.size
        )
        for counts, i in zip(self.feature_counts, idx, strict=True):
            counts += np.bincount(i, minlength=counts.size)
        self.n_rows += logit.size
        return self

    def merge(self, other: MonitoringStatistics) -> MonitoringStatistics:
        self.score_counts += other.score_counts
        self.grade_counts += other.grade_counts
        for a, b in zip(self.feature_counts, other.feature_counts, strict=True):
            a += b
        self.n_rows += other.n_rows
        return self

    def _entry(self, expected, actual) -> dict:
        value = psi(expected, actual)
        status = stability_status(value, self.watch, self.alert)
        return {"psi": value, "status": status, "alert": status == "alert"}

    def finalize(self) -> dict:
        if self.n_rows == 0:
            raise ScorecardError(ErrorCode.TOO_FEW_ROWS, "no rows to monitor")
        m = self.model
        score = self._entry(m.score_bins["counts"], self.score_counts)
        grade = self._entry(m.grade_counts, self.grade_counts)
        features = []
        for fb, counts in zip(m.binnings, self.feature_counts, strict=True):
            e = self._entry(fb.count, counts)
            features.append(
                {
                    "feature": fb.name,
                    "csi": e["psi"],
                    "status": e["status"],
                    "alert": e["alert"],
                    "expected": list(fb.count),
                    "actual": counts.tolist(),
                }
            )
        return {
            "n_rows": self.n_rows,
            "thresholds": {"watch": self.watch, "alert": self.alert},
            "score_psi": score,
            "grade_psi": grade,
            "features": features,
            "alert": score["alert"] or any(f["alert"] for f in features),
        }


def monitor(model: ScorecardModel, X: object, **kwargs) -> dict:
    """PSI/CSI report of ``X`` against the model's development sample (one process)."""
    return MonitoringStatistics(model, **kwargs).add(X).finalize()
