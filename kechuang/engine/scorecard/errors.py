"""Error codes of the scorecard library.

Every rejection raises :class:`ScorecardError` with a stable :class:`ErrorCode`, so the Django
adapter can map it to a user-facing message and tests can assert the code, not the wording.
"""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    """Why an input or a parameter was rejected."""

    INVALID_PARAMETER = "invalid_parameter"
    NOT_A_FRAME = "not_a_frame"
    LENGTH_MISMATCH = "length_mismatch"
    MISSING_COLUMN = "missing_column"
    UNSUPPORTED_DTYPE = "unsupported_dtype"
    TARGET_MISSING = "target_missing"
    TARGET_NOT_BINARY = "target_not_binary"
    TARGET_ONE_CLASS = "target_one_class"
    TOO_FEW_ROWS = "too_few_rows"
    NON_FINITE = "non_finite"
    UNSEEN_CATEGORY = "unseen_category"
    NO_FEATURES_SELECTED = "no_features_selected"
    NOT_FITTED = "not_fitted"
    INCOMPATIBLE_STATISTICS = "incompatible_statistics"
    SCHEMA_VERSION = "schema_version"


class ScorecardError(ValueError):
    """A rejected input or parameter; ``code`` says which rule was broken."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(f"[{code.value}] {message}")
        self.code = code
        self.message = message
