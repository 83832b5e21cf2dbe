"""Credit scorecard library: optimal binning, WoE/IV, logistic regression, points, grades, reasons.

Django-free (an import-linter contract checks it): Polars/Arrow batches in, Polars batches and plain
JSON out. Fitting statistics are mergeable (``add`` / ``merge`` / ``finalize``) so fitting and
scoring run on partitions; fitted models are versioned JSON (:class:`ScorecardModel`), never
pickles. See ``docs/scorecard.md``.
"""

from .binning import BinningProcess, FeatureBinning
from .errors import ErrorCode, ScorecardError
from .logistic import LogisticRegressionL2, NewtonTerms, fit_newton
from .metrics import calibration_table, gini, ks_statistic, psi, roc_auc, stability_status
from .model import SCHEMA, SCHEMA_VERSION, ScorecardModel
from .monitoring import MonitoringStatistics, monitor
from .optimal import merge_prebins, woe_iv
from .scaling import DEFAULT_MASTER_SCALE, PointsScaling, calibrate_intercept
from .scorecard import Scorecard
from .statistics import BinningStatistics

__all__ = [
    "DEFAULT_MASTER_SCALE",
    "SCHEMA",
    "SCHEMA_VERSION",
    "BinningProcess",
    "BinningStatistics",
    "ErrorCode",
    "FeatureBinning",
    "LogisticRegressionL2",
    "MonitoringStatistics",
    "NewtonTerms",
    "PointsScaling",
    "Scorecard",
    "ScorecardError",
    "ScorecardModel",
    "calibrate_intercept",
    "calibration_table",
    "fit_newton",
    "gini",
    "ks_statistic",
    "merge_prebins",
    "monitor",
    "psi",
    "roc_auc",
    "stability_status",
    "woe_iv",
]
