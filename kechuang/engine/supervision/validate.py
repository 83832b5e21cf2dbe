"""Validation of periodic reports (月报/季报) of local financial organisations before anything is
stored: every problem with its sheet, row, field and a code (the app words the message).

A file is all-or-nothing: :func:`validate_reports` returns the clean records and every error; the
caller writes the records only when there is no error (and keeps the rejected rows otherwise).
Codes: ``missing``, ``not_number``, ``negative``, ``not_flag``, ``unknown_type``, ``type_mismatch``,
``unknown_org``, ``bad_frequency``, ``bad_period``, ``future_period``, ``duplicate_in_file``,
``already_reported``, ``subtotal``.
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from .rules import RuleSet, TypeRules, terms

FREQUENCIES = ("monthly", "quarterly")
#: What people type in the template's 报告频度 column.
FREQUENCY_WORDS = {"monthly": "monthly", "quarterly": "quarterly", "月报": "monthly", "季报": "quarterly",
                   "月": "monthly", "季": "quarterly"}
HEAD_FIELDS = ("licence_no", "licence_type", "frequency", "period_end")
#: Amounts from 10^16 yuan up are refused as not a plausible number (and would not fit the store).
MAX_AMOUNT = Decimal("1e16")


def _err(row: dict, field: str, code: str, **params) -> dict[str, Any]:
    return {"sheet": row.get("sheet", ""), "row": row.get("row"), "field": field, "code": code, "params": params}


def parse_amount(value: Any) -> Decimal | None:
    """A yuan amount from a cell: ``None`` for empty; raises ``ValueError`` when not a number."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError("boolean")
    try:
        out = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        raise ValueError(str(value)) from None
    if not out.is_finite() or abs(out) >= MAX_AMOUNT:
        raise ValueError(str(value))
    return out.quantize(Decimal("0.01"))


def parse_period(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        return None


def period_ok(frequency: str, day: dt.date) -> bool:
    """A month end, and for a quarterly report a quarter end."""
    if day.day != calendar.monthrange(day.year, day.month)[1]:
        return False
    return frequency == "monthly" or day.month in (3, 6, 9, 12)


def _value(expr: str, figures: dict[str, Decimal]) -> Decimal:
    return sum((sign * figures.get(name, Decimal(0)) for sign, name in terms(expr)), Decimal(0))


def check_figures(row: dict, trules: TypeRules, tolerance: Decimal) -> tuple[dict[str, Decimal], list[dict]]:
    """The typed figures of one row and the errors of its values and subtotals."""
    errors: list[dict] = []
    figures: dict[str, Decimal] = {}
    for name in trules.field_names:
        try:
            amount = parse_amount(row.get(name))
        except ValueError:
            errors.append(_err(row, name, "not_number", value=str(row.get(name))[:40]))
            continue
        if amount is None:
            errors.append(_err(row, name, "missing"))
            continue
        if name in trules.flags and amount not in (0, 1):
            errors.append(_err(row, name, "not_flag", value=str(amount)))
            continue
        if amount < 0 and name not in trules.signed:
            errors.append(_err(row, name, "negative", value=str(amount)))
            continue
        figures[name] = amount
    if errors:
        return figures, errors
    for lhs, op, rhs in trules.checks:
        a, b = _value(lhs, figures), _value(rhs, figures)
        bad = abs(a - b) > tolerance if op == "=" else a - b > tolerance
        if bad:
            errors.append(_err(row, terms(lhs)[0][1], "subtotal", lhs=lhs, op=op, rhs=rhs,
                               lhs_value=str(a), rhs_value=str(b),
                               lhs_label=" ".join(trules.label_of(t) if t not in "+-" else t for t in lhs.split()),
                               rhs_label=" ".join(trules.label_of(t) if t not in "+-" else t for t in rhs.split())))
    return figures, errors


def validate_reports(rows: list[dict[str, Any]], rules: RuleSet, *, today: dt.date,
                     orgs: dict[str, str], existing: set[tuple[str, str, dt.date]]
                     ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Check ``rows`` (each with ``sheet``, ``row``, the head fields and the figures) against the
    registered organisations ``orgs`` (licence number → licence type) and the periods already
    stored ``existing`` ((licence number, frequency, period end)). Returns ``(records, errors)``."""
    records: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    seen: dict[tuple[str, str, dt.date], Any] = {}
    for row in rows:
        row_errors: list[dict] = []
        licence_no = str(row.get("licence_no") or "").strip()
        ltype = str(row.get("licence_type") or "").strip()
        trules = rules.types.get(ltype) or next((t for t in rules.types.values() if t.label == ltype), None)
        if not licence_no:
            row_errors.append(_err(row, "licence_no", "missing"))
        if trules is None:
            row_errors.append(_err(row, "licence_type", "unknown_type", value=ltype[:40],
                                   allowed="、".join(t.label for t in rules.types.values())))
        elif licence_no:
            registered = orgs.get(licence_no)
            if registered is None:
                row_errors.append(_err(row, "licence_no", "unknown_org", value=licence_no[:40]))
            elif registered != trules.code:
                row_errors.append(_err(row, "licence_type", "type_mismatch", value=trules.label,
                                       registered=rules.types[registered].label if registered in rules.types else registered))
        freq = FREQUENCY_WORDS.get(str(row.get("frequency") or "").strip())
        if freq is None:
            row_errors.append(_err(row, "frequency", "bad_frequency", value=str(row.get("frequency") or "")[:20]))
        period = parse_period(row.get("period_end"))
        if period is None:
            row_errors.append(_err(row, "period_end", "bad_period", value=str(row.get("period_end") or "")[:20]))
        elif freq is not None and not period_ok(freq, period):
            row_errors.append(_err(row, "period_end", "bad_period", value=period.isoformat()))
        elif period > today:
            row_errors.append(_err(row, "period_end", "future_period", value=period.isoformat(), today=today.isoformat()))
        figures: dict[str, Decimal] = {}
        if trules is not None:
            figures, fig_errors = check_figures(row, trules, rules.tolerance)
            row_errors += fig_errors
        if licence_no and freq and period:
            key = (licence_no, freq, period)
            if key in seen:
                row_errors.append(_err(row, "period_end", "duplicate_in_file", value=period.isoformat(), first=seen[key]))
            elif key in existing:
                row_errors.append(_err(row, "period_end", "already_reported", value=period.isoformat()))
            else:
                seen[key] = row.get("row")
        if row_errors:
            errors += row_errors
            continue
        records.append({"sheet": row.get("sheet", ""), "row": row.get("row"), "licence_no": licence_no,
                        "licence_type": trules.code, "frequency": freq, "period_end": period, "figures": figures})
    return records, errors
