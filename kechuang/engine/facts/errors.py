"""Errors of the facts library: per-field problems (:class:`FieldError`, with a stable
:class:`Code`) and whole-file problems (:class:`FactsFileError` and its subclasses)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum


class Code(StrEnum):
    """Stable machine codes of :class:`FieldError`; the API returns them and tests assert them."""

    REQUIRED = "required"          # a required field is absent or empty
    TYPE = "type"                  # wrong type: text in a number field, a bool as a number, NaN
    ENUM = "enum"                  # not one of the choices
    NEGATIVE = "negative"          # a negative headcount or amount
    RANGE = "range"                # outside minimum..maximum (ratios 0..1, digital_level 1..4)
    FORMAT = "format"              # a string that does not match its pattern (region_code …)
    USCC = "uscc"                  # the unified social credit code is malformed
    DUPLICATE = "duplicate"        # a second item with the same identity (year, number …)
    FUTURE_DATE = "future_date"    # an event dated after the evaluation day
    INCONSISTENT = "inconsistent"  # fields contradict each other
    UNKNOWN_FIELD = "unknown_field"  # a field the standard does not have (never dropped silently)
    JSON = "json"                  # a JSON Lines line that is not a JSON object
    ENCODING = "encoding"          # bytes that cannot be decoded in the file's encoding
    UNKNOWN_SHEET = "unknown_sheet"  # a workbook sheet that names no section
    UNKNOWN_COLUMN = "unknown_column"  # a sheet header that names no field of its section
    FORMULA_CELL = "formula_cell"  # an Excel cell holding a formula (its value is not read)


@dataclass(slots=True)
class FieldError:
    """One problem with one value. ``path`` locates it in the record (``years[1].employees``,
    ``ip[0].type``, ``uscc``; ``""`` for the record itself); readers fill ``row`` and ``sheet``
    (``None`` for JSON Lines and CSV) so a user can find the cell."""

    path: str
    field: str
    code: Code
    message: str
    message_en: str
    value: str | None = None
    row: int | None = None
    sheet: str | None = None

    def to_dict(self) -> dict:
        out = asdict(self)
        out["code"] = str(self.code)
        return out


def short_repr(value: object, limit: int = 60) -> str:
    """A short printable form of a bad value for messages (``'abc'``, ``-5``, ``2031-01-01``)."""
    text = value.isoformat() if hasattr(value, "isoformat") else repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class FactsFileError(Exception):
    """A file the readers cannot read at all (empty, undecodable, headers that name nothing)."""

    code = "file"

    def __init__(self, message: str, message_en: str) -> None:
        super().__init__(message_en)
        self.message = message
        self.message_en = message_en


class EmptyFileError(FactsFileError):
    code = "empty_file"


class HeaderError(FactsFileError):
    """The header row is missing, names no section, or has columns the section does not have."""

    code = "header"


class EncodingError(FactsFileError):
    code = "encoding"
