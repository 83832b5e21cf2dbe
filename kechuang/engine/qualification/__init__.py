"""Qualification engine: evaluates enterprises against China's official sci-tech enterprise standards.

A library that never imports Django. Standards are versioned rule data (``rules/*.toml``); the same
rule data drives a one-enterprise Python path (:func:`evaluate_record`) and a vectorised Polars batch
path (:func:`evaluate_batch`).
"""

from .batch import batch_to_results, clause_catalog, evaluate_batch, evaluate_parquet
from .errors import RuleError, UnknownStandardError
from .evaluate import apply_changes, check_record, default_registry, evaluate_record, what_if
from .ladder import closeness, ladder
from .rules import LISTING_FAMILIES, Registry, Standard, builtin_registry, listing_registry, load_standard
from .schema import SCHEMA, frame_to_records, records_to_frame

__all__ = [
    "LISTING_FAMILIES", "SCHEMA", "Registry", "RuleError", "Standard", "UnknownStandardError", "apply_changes",
    "batch_to_results", "builtin_registry", "clause_catalog", "check_record", "closeness", "default_registry",
    "evaluate_batch", "evaluate_parquet", "evaluate_record", "frame_to_records", "ladder",
    "listing_registry", "load_standard", "records_to_frame", "what_if",
]
