"""Credit rating of tech enterprises: the features a tech-finance rating needs, computed from
interchange records as of a rating date (no look-ahead), and the training set that joins them
with outcomes. Django-free; the scoring core is :mod:`kechuang.engine.scorecard`. See
``docs/rating.md``."""

from .features import (CATEGORICAL, FEATURE_NAMES, FEATURES, FEATURES_BY_NAME, GROUPS, GROUPS_EN,
                       REASONS_EN, SCHEMA, Feature, features_frame, reason_text, reason_texts,
                       record_features)
from .training import DEFAULT_BINNING, build_scorecard, training_frame

__all__ = ["CATEGORICAL", "DEFAULT_BINNING", "FEATURES", "FEATURES_BY_NAME", "FEATURE_NAMES",
           "GROUPS", "GROUPS_EN", "REASONS_EN", "SCHEMA", "Feature", "build_scorecard", "features_frame",
           "reason_text", "reason_texts", "record_features", "training_frame"]
