"""Input checks shared by the estimators: frames, targets and column kinds.

The library takes Polars DataFrames (Arrow tables and dicts of columns are converted); the target
is a 0/1 vector where 1 means default ("bad", the event).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import polars as pl
import pyarrow as pa

from .errors import ErrorCode, ScorecardError

NUMERIC = "numeric"
CATEGORICAL = "categorical"


def as_frame(X: object) -> pl.DataFrame:
    """Return ``X`` as a Polars DataFrame (accepts Polars, Arrow tables/batches and dicts)."""
    if isinstance(X, pl.DataFrame):
        return X
    if isinstance(X, pa.Table | pa.RecordBatch):
        return pl.from_arrow(X)  # type: ignore[return-value]
    if isinstance(X, Mapping):
        return pl.DataFrame(dict(X))
    raise ScorecardError(
        ErrorCode.NOT_A_FRAME,
        f"expected a polars DataFrame, a pyarrow Table or a dict of columns, got {type(X).__name__}",
    )


def as_target(y: object, n_rows: int, *, require_both: bool = True) -> np.ndarray:
    """Validate a 0/1 target and return it as ``int8``.

    Booleans are accepted (True = event). Nulls, NaN and values other than 0/1 are errors; a target
    with a single class is an error when ``require_both`` (a model cannot be fitted on it).
    """
    if isinstance(y, pl.Series):
        if y.null_count():
            raise ScorecardError(
                ErrorCode.TARGET_MISSING, f"target has {y.null_count()} null values"
            )
        arr = y.to_numpy()
    elif isinstance(y, pa.Array | pa.ChunkedArray):
        return as_target(pl.Series(y), n_rows, require_both=require_both)
    else:
        arr = np.asarray(y)
    if arr.ndim != 1:
        raise ScorecardError(
            ErrorCode.TARGET_NOT_BINARY, f"target must be 1-D, got shape {arr.shape}"
        )
    if arr.shape[0] != n_rows:
        raise ScorecardError(
            ErrorCode.LENGTH_MISMATCH, f"target has {arr.shape[0]} rows, features have {n_rows}"
        )
    if arr.dtype == bool:
        out = arr.astype(np.int8)
    else:
        if arr.dtype.kind not in "iuf":
            raise ScorecardError(
                ErrorCode.TARGET_NOT_BINARY,
                f"target must be numeric 0/1 or boolean, got {arr.dtype}",
            )
        if arr.dtype.kind == "f" and np.isnan(arr).any():
            raise ScorecardError(ErrorCode.TARGET_MISSING, "target has NaN values")
        bad = ~np.isin(arr, (0, 1))
        if bad.any():
            raise ScorecardError(
                ErrorCode.TARGET_NOT_BINARY,
                f"target must be 0/1; found {np.unique(arr[bad])[:5].tolist()}",
            )
        out = arr.astype(np.int8)
    if require_both and n_rows:
        n_event = int(out.sum())
        if n_event == 0 or n_event == n_rows:
            raise ScorecardError(
                ErrorCode.TARGET_ONE_CLASS,
                f"target has a single class ({n_event} events in {n_rows} rows); both are needed",
            )
    return out


def column_kind(dtype: pl.DataType, name: str) -> str:
    """Numeric or categorical, from the Polars dtype."""
    if dtype.is_numeric():
        return NUMERIC
    if dtype in (pl.Utf8, pl.Categorical, pl.Boolean) or isinstance(dtype, pl.Enum):
        return CATEGORICAL
    if dtype == pl.Null:
        return NUMERIC  # an all-null column: binned as numeric, everything lands in the missing bin
    raise ScorecardError(
        ErrorCode.UNSUPPORTED_DTYPE, f"feature {name!r} has unsupported dtype {dtype}"
    )


def require_columns(frame: pl.DataFrame, names: Iterable[str]) -> None:
    missing = [n for n in names if n not in frame.columns]
    if missing:
        raise ScorecardError(ErrorCode.MISSING_COLUMN, f"columns not in the frame: {missing}")


def numeric_values(series: pl.Series) -> np.ndarray:
    """Float64 values with null → NaN (zero-copy when the column is already a null-free f64)."""
    if series.dtype == pl.Float64 and series.null_count() == 0:
        return series.to_numpy()
    return series.cast(pl.Float64).fill_null(float("nan")).to_numpy()


def category_values(series: pl.Series) -> pl.Series:
    """Categories as strings; null stays null."""
    if series.dtype == pl.Utf8:
        return series
    if series.dtype == pl.Boolean:
        return series.cast(pl.Utf8).str.to_lowercase()
    return series.cast(pl.Utf8)


def check_fraction(name: str, value: float, *, low: float = 0.0, high: float = 1.0) -> float:
    if not isinstance(value, int | float) or not (low <= float(value) <= high):
        raise ScorecardError(
            ErrorCode.INVALID_PARAMETER,
            f"{name} must be a number in [{low}, {high}], got {value!r}",
        )
    return float(value)


def check_choice(name: str, value: object, choices: Sequence[object]) -> None:
    if value not in choices:
        raise ScorecardError(
            ErrorCode.INVALID_PARAMETER, f"{name} must be one of {list(choices)}, got {value!r}"
        )
