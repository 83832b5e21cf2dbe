"""The early-warning engine (issue 14): signals of an enterprise as of a date with their evidence,
warning levels from versioned TOML rules, and the honest backtest. Django-free."""

from .rules import LEVEL_RANK, LEVELS, SIGNAL_NAMES, RuleSet, RuleSetError, check_rules, load_rules
from .signals import (ENTERPRISE_SCHEMA, FUTURE, ITEM_SCHEMA, batch_rows, records_to_frames, warning_one,
                      warnings_batch)

__all__ = ["ENTERPRISE_SCHEMA", "FUTURE", "ITEM_SCHEMA", "LEVELS", "LEVEL_RANK", "SIGNAL_NAMES", "RuleSet",
           "RuleSetError", "batch_rows", "check_rules", "load_rules", "records_to_frames", "warning_one",
           "warnings_batch"]
