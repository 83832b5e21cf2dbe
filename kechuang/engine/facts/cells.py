"""Cell values ⇄ typed values, for the spreadsheets government users fill in by hand.

:func:`parse_cell` turns a CSV string or an Excel cell (already typed: numbers, datetimes, bools)
into the value the validator expects; :func:`format_text` and :func:`format_excel` go the other
way. Parsing is lenient where people are (``是``/``否``, ``2025/12/31``, ``1,234.5``, ``12%``,
Chinese labels for choices) and strict where it matters: a value it cannot read is a
:class:`CellError`, never a guess and never a silently empty cell.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

import orjson

from .schema import Field

#: Separators accepted between the choices of a multiple-choice cell.
LIST_SEPARATORS = re.compile(r"\s*[、,，;；]\s*")
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_NUMBER = re.compile(r"[+-]?(\d+|\d{1,3}(,\d{3})+)(\.\d+)?")
_TRUE = frozenset({"是", "true", "1", "y", "yes", "√"})
_FALSE = frozenset({"否", "false", "0", "n", "no", "×"})
_EXCEL_EPOCH = date(1899, 12, 30)


class CellError(ValueError):
    """A cell that cannot be read as its column's type (reported as ``type``)."""


def parse_cell(f: Field, value: object) -> object:
    """The typed value of one cell; ``None`` for an empty cell ("not known").

    Enum cells that match neither a value nor a Chinese label are returned as given, so the
    validator reports them as ``enum`` with the list of choices."""
    if value is None:
        return None
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return None
    return _PARSERS[f.type](f, value)


def _string(f: Field, v):
    if isinstance(v, bool):
        raise CellError
    if isinstance(v, float) and v.is_integer():
        return str(int(v))  # a code typed into a number-formatted cell (370112.0)
    if isinstance(v, (int, float)):
        return str(v)
    if isinstance(v, (date, datetime)):
        raise CellError
    return str(v)


def _date(f: Field, v):
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    if isinstance(v, str):
        m = _DATE.fullmatch(v)
        if m is None:
            raise CellError
        try:
            return date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            raise CellError from None
    if isinstance(v, (int, float)) and not isinstance(v, bool) and 1 <= v < 2958466:
        # an Excel serial day in a cell that lost its date format
        if float(v).is_integer():
            return _EXCEL_EPOCH + timedelta(days=int(v))
    raise CellError


def _bool(f: Field, v):
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)) and v in (0, 1):
        return bool(v)
    if isinstance(v, str):
        low = v.lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
    raise CellError


def _decimal(v) -> Decimal:
    """A decimal from a number cell or text with optional thousands separators (``1,234.5``)."""
    if isinstance(v, str):
        text = v.replace(" ", "").replace("\u00a0", "")
        if not _NUMBER.fullmatch(text):
            raise CellError
        return Decimal(text.replace(",", ""))
    if isinstance(v, bool) or not isinstance(v, (int, float, Decimal)):
        raise CellError
    try:
        return Decimal(repr(v)) if isinstance(v, float) else Decimal(v)
    except InvalidOperation:
        raise CellError from None


def _integer(f: Field, v):
    if isinstance(v, int) and not isinstance(v, bool):
        return v
    d = _decimal(v)
    if not d.is_finite() or d != d.to_integral_value():
        raise CellError
    return int(d)


def _amount(f: Field, v):
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return v  # the validator turns it into a two-place Decimal
    return _decimal(v)


def _number(f: Field, v):
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return v
    d = _decimal(v)
    if not d.is_finite():
        raise CellError
    return int(d) if d == d.to_integral_value() else float(d)


def _ratio(f: Field, v):
    if isinstance(v, str) and v.endswith(("%", "％")):
        d = _decimal(v[:-1].strip()) / 100
        return int(d) if d == d.to_integral_value() else float(d)
    return _number(f, v)


def _enum(f: Field, v):
    if isinstance(v, str):
        choice = _choice_index(f).get(v)
        return v if choice is None else choice
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def _enum_list(f: Field, v):
    if not isinstance(v, str):
        return [_enum(f, v)]
    return [_enum(f, part) for part in LIST_SEPARATORS.split(v) if part]


def _object(f: Field, v):
    if isinstance(v, dict):
        return v
    if not isinstance(v, str):
        raise CellError
    try:
        return orjson.loads(v)
    except orjson.JSONDecodeError:
        raise CellError from None


_PARSERS = {
    "string": _string, "date": _date, "bool": _bool, "integer": _integer, "year": _integer,
    "amount": _amount, "number": _number, "ratio": _ratio, "enum": _enum, "enum_list": _enum_list,
    "object": _object,
}

_CHOICES: dict[tuple[str, str], dict[str, object]] = {}


def _choice_index(f: Field) -> dict[str, object]:
    """Text → choice: the value itself (``"50"`` for 50), its Chinese label, case-insensitively."""
    key = (f.name, f.label_zh)
    index = _CHOICES.get(key)
    if index is None:
        index = {}
        for c in f.choices:
            for text in (str(c), f.label_of(c)):
                index[text] = c
                index[text.lower()] = c
        _CHOICES[key] = index
    return index


# --------------------------------------------------------------------------------------------
# Writing


def _plain_number(v) -> object:
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else v
    return v


def format_text(f: Field, value: object) -> str:
    """A value as CSV text: Chinese labels for choices, 是/否, ISO dates, plain numbers."""
    if value is None:
        return ""
    t = f.type
    if t == "bool":
        return "是" if value else "否"
    if t == "enum":
        return f.label_of(value)
    if t == "enum_list":
        return "、".join(f.label_of(v) for v in value)
    if t == "object":
        return orjson.dumps(value).decode()
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(_plain_number(value))


def format_excel(f: Field, value: object) -> object:
    """A value as an Excel cell: dates and numbers stay typed, choices become their labels."""
    if value is None:
        return None
    t = f.type
    if t in ("bool", "enum", "enum_list", "object"):
        return format_text(f, value)
    if t == "date" and isinstance(value, str):
        return date.fromisoformat(value)
    return _plain_number(value)
