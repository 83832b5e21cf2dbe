"""Validate and normalise one enterprise record (its rows per section are in :mod:`.rows`).

``validate_record`` is on the import hot path (a million records in minutes), so the schema is
compiled once into one small checker function per field; the happy path is a dict lookup and a
call per value, and error messages are only built when something is wrong.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from .errors import Code, FieldError, short_repr
from .rows import assemble, content_hash, explode, json_value, to_jsonable
from .schema import (
    AMOUNT_LIMIT,
    CREATION_FIELDS,
    INTEGER_MAX,
    LIST_SECTIONS,
    MIN_YEAR,
    SECTIONS,
    TYPE_LABELS_EN,
    TYPE_LABELS_ZH,
    Field,
    Section,
)
from .uscc import MESSAGES as USCC_MESSAGES
from .uscc import uscc_error

__all__ = ["Result", "validate_record", "to_amount",
           # re-exported: the record's rows live in .rows
           "explode", "assemble", "to_jsonable", "content_hash", "json_value"]

_CENT = Decimal("0.01")
_ZERO = Decimal("0.00")


@dataclass(slots=True)
class Result:
    """The outcome of :func:`validate_record`. ``ok`` is false when there is any error (the record
    is rejected); warnings never reject. ``record`` is the normalised record (dates as
    :class:`~datetime.date`, amounts as :class:`~decimal.Decimal` with two places, unknown and empty
    values left out), best effort even when not ``ok``."""

    ok: bool
    record: dict | None
    errors: list[FieldError] = field(default_factory=list)
    warnings: list[FieldError] = field(default_factory=list)


class _Bad(ValueError):
    """Raised by a checker (and :func:`to_amount`); carries the code and, for ``uscc``, the
    reason."""

    def __init__(self, code: Code, detail: str | None = None) -> None:
        self.code = code
        self.detail = detail


# --------------------------------------------------------------------------------------------
# Amounts


def to_amount(value: object) -> Decimal:
    """An amount in yuan as a ``Decimal`` with exactly two places (half up).

    Floats go through their shortest decimal form (``Decimal(repr(x))``) so ``0.1 + 0.2`` gives
    ``0.30``, never binary noise. The common case (a float with at most two decimals below 10^11)
    takes a fast path that gives the same result: ``x * 100`` is then within 0.01 of an integer
    and that integer is the answer. Raises ``ValueError`` for bools, NaN, infinities and text."""
    t = type(value)
    if t is int:
        return _ZERO + value
    if t is float:
        y = value * 100
        if -1e13 < y < 1e13:
            k = round(y)
            if -0.01 < y - k < 0.01:
                return _CENT * k
        if not math.isfinite(value):
            raise _Bad(Code.TYPE)
        value = Decimal(repr(value))
    elif t is not Decimal or not value.is_finite():
        raise _Bad(Code.TYPE)
    try:
        d = value.quantize(_CENT, ROUND_HALF_UP)
    except InvalidOperation:
        raise _Bad(Code.RANGE) from None
    return d if d else _ZERO  # never -0.00


# --------------------------------------------------------------------------------------------
# One checker per field: value -> normalised value, or raise _Bad


def _check_string(f: Field) -> Callable:
    pattern = re.compile(f.pattern).fullmatch if f.pattern else None

    def check(v):
        if type(v) is not str:
            raise _Bad(Code.TYPE)
        if not v:
            raise _Bad(Code.REQUIRED)  # "" is "not known": the caller skips it
        if pattern is not None and pattern(v) is None:
            raise _Bad(Code.FORMAT)
        return v

    return check


def _check_uscc(v):
    reason = uscc_error(v)
    if reason is not None:
        raise _Bad(Code.TYPE if reason == "length" and type(v) is not str else Code.USCC, reason)
    return v


def _check_date(v):
    t = type(v)
    if t is str:
        if len(v) == 10 and v[4] == "-" and v[7] == "-":
            try:
                d = date.fromisoformat(v)
            except ValueError:
                raise _Bad(Code.TYPE) from None
        else:
            raise _Bad(Code.TYPE)
    elif t is date:
        d = v
    elif t is datetime and not (v.hour or v.minute or v.second or v.microsecond):
        d = v.date()
    else:
        raise _Bad(Code.TYPE)
    if d.year < MIN_YEAR:
        raise _Bad(Code.RANGE)
    return d


def _check_bool(v):
    if v is True or v is False:
        return v
    raise _Bad(Code.TYPE)


def _as_int(v) -> int:
    t = type(v)
    if t is int:
        return v
    if t is float and v.is_integer():
        return int(v)
    if t is Decimal and v.is_finite() and v == v.to_integral_value():
        return int(v)
    raise _Bad(Code.TYPE)


def _as_number(v):
    t = type(v)
    if t is int:
        return v
    if t is float:
        if math.isfinite(v):
            return v
        raise _Bad(Code.TYPE)
    if t is Decimal and v.is_finite():
        return int(v) if v == v.to_integral_value() else float(v)
    raise _Bad(Code.TYPE)


def _bounded(convert: Callable, f: Field) -> Callable:
    lo, hi = f.minimum, f.maximum
    if f.type == "integer" and hi is None:
        hi = INTEGER_MAX
    negative_ok = f.allow_negative or (lo is not None and lo < 0)
    if f.type == "ratio":
        lo, hi, negative_ok = 0, 1, True  # a ratio outside 0..1 is a range error, not "negative"
    if f.type == "year":
        lo, negative_ok = MIN_YEAR, True
    fast = int if convert is _as_int else (int, float)
    fast_lo = -1e300 if lo is None else lo  # finite bounds: inf and NaN take the slow path
    fast_hi = 1e300 if hi is None else hi

    def slow(v):
        n = convert(v)
        if n < 0 and not negative_ok:
            raise _Bad(Code.NEGATIVE)
        if (lo is not None and n < lo) or (hi is not None and n > hi):
            raise _Bad(Code.RANGE)
        return n

    if fast is int:
        def check(v):
            if type(v) is int and fast_lo <= v <= fast_hi:
                return v
            return slow(v)
    else:
        def check(v):
            if (type(v) is int or type(v) is float) and fast_lo <= v <= fast_hi:
                return v
            return slow(v)

    return check


def _check_amount(f: Field) -> Callable:
    negative_ok = f.allow_negative
    lo = -AMOUNT_LIMIT if negative_ok else 0

    def slow(v):
        d = to_amount(v)
        if d < 0 and not negative_ok:
            raise _Bad(Code.NEGATIVE)
        if not -AMOUNT_LIMIT < d < AMOUNT_LIMIT:
            raise _Bad(Code.RANGE)
        return d

    def check(v):
        # fast paths for the two shapes feeds send (see to_amount); everything else is slow(v)
        t = type(v)
        if t is int:
            if lo <= v < AMOUNT_LIMIT:
                return _ZERO + v
        elif t is float and 0 < v < 1e11:
            y = v * 100
            k = int(y + 0.5)  # y > 0: int() truncates, so this rounds to the nearest
            if -0.01 < y - k < 0.01:
                return _CENT * k
        return slow(v)

    return check


def _check_enum(f: Field) -> Callable:
    canonical = {c: c for c in f.choices}
    numeric = all(type(c) is int for c in f.choices)

    def check(v):
        if type(v) is bool or (numeric and type(v) is str) or (not numeric and type(v) is not str):
            raise _Bad(Code.ENUM if type(v) is str else Code.TYPE)
        try:
            return canonical[v]
        except (KeyError, TypeError):
            raise _Bad(Code.ENUM) from None

    return check


def _check_enum_list(f: Field) -> Callable:
    one = _check_enum(f)

    def check(v):
        if type(v) not in (list, tuple):
            raise _Bad(Code.TYPE)
        out = [one(x) for x in v]
        if len(set(out)) != len(out):
            raise _Bad(Code.DUPLICATE)
        return out

    return check


def _check_object(v):
    if type(v) is not dict:
        raise _Bad(Code.TYPE)
    for key, score in v.items():
        if type(key) is not str:
            raise _Bad(Code.TYPE)
        if score is not None:
            _as_number(score)
    return dict(v)


def _checker(f: Field) -> Callable:
    if f.name == "uscc":
        return _check_uscc
    t = f.type
    if t == "string":
        return _check_string(f)
    if t == "date":
        return _check_date
    if t == "bool":
        return _check_bool
    if t in ("integer", "year"):
        return _bounded(_as_int, f)
    if t in ("number", "ratio"):
        return _bounded(_as_number, f)
    if t == "amount":
        return _check_amount(f)
    if t == "enum":
        return _check_enum(f)
    if t == "enum_list":
        return _check_enum_list(f)
    return _check_object


_CHECKERS: dict[str, dict[str, Callable]] = {
    s.name: {f.name: _checker(f) for f in s.fields} for s in SECTIONS.values()
}
_PAST_DATES = {s.name: tuple(f.name for f in s.fields if f.past_only) for s in SECTIONS.values()}
_YEARS = {s.name: tuple(f.name for f in s.fields if f.type == "year") for s in SECTIONS.values()}
_REQUIRED = {s.name: s.required for s in SECTIONS.values()}


# --------------------------------------------------------------------------------------------
# Messages


def _value_text(value: object) -> str:
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return str(value)
    return short_repr(value)


def _describe(f: Field, code: Code, value: object, detail: str | None, today: date):
    """(message_zh, message_en) for one problem, without the location prefix."""
    v = _value_text(value)
    if code is Code.REQUIRED:
        return "为必填项，不能为空", "is required"
    if code is Code.TYPE:
        return (f"应为{TYPE_LABELS_ZH[f.type]}，不能是（{v}）",
                f"must be {TYPE_LABELS_EN[f.type]}, got {v}")
    if code is Code.ENUM:
        zh = "、".join(f"{f.label_of(c)}（{c}）" for c in f.choices)
        return (f"的值（{v}）不是可选值，应为：{zh}",
                f"{v} is not one of {', '.join(map(str, f.choices))}")
    if code is Code.NEGATIVE:
        return f"为负数（{v}）", f"is negative ({v})"
    if code is Code.RANGE:
        lo, hi = _bounds(f)
        return (f"超出范围 {lo}–{hi}（{v}）", f"is outside {lo}..{hi} ({v})")
    if code is Code.FORMAT:
        return (f"格式不正确（{v}）：{f.help_zh}", f"has the wrong format ({v})")
    if code is Code.USCC:
        zh, en = USCC_MESSAGES[detail or "check_digit"]
        return f"错误（{v}）：{zh}", f"is invalid ({v}): {en}"
    if code is Code.DUPLICATE:
        return f"重复（{v}）", f"is duplicated ({v})"
    if code is Code.FUTURE_DATE:
        return (f"晚于今天 {today.isoformat()}（{v}）", f"is after today {today.isoformat()} ({v})")
    raise AssertionError(code)


def _bounds(f: Field) -> tuple:
    if f.type == "ratio":
        return 0, 1
    if f.type == "year":
        return MIN_YEAR, "今年"
    if f.type in ("date",):
        return f"{MIN_YEAR}-01-01", "…"
    if f.type == "amount":
        return (-AMOUNT_LIMIT if f.allow_negative else 0), AMOUNT_LIMIT
    hi = f.maximum if f.maximum is not None else (INTEGER_MAX if f.type == "integer" else "…")
    return (f.minimum if f.minimum is not None else "…"), hi


class _Where:
    """Where a problem is: the record itself (``section is None``) or item ``index`` of a list
    section. The path prefix and the Chinese location are only built when a problem is found."""

    __slots__ = ("section", "index", "item")

    def __init__(self, section: Section | None, index: int = 0, item: dict | None = None) -> None:
        self.section, self.index, self.item = section, index, item

    @property
    def prefix(self) -> str:
        return "" if self.section is None else f"{self.section.name}[{self.index}]."

    @property
    def loc(self) -> str:
        sec = self.section
        if sec is None:
            return ""
        keys, item = sec.key_fields, self.item or {}
        if keys and all(k in item for k in keys):
            return f"{sec.label_zh}[{'|'.join(str(item[k]) for k in keys)}] "
        return f"{sec.label_zh}[第{self.index + 1}项] "


_TOP = _Where(None)


class _Collector:
    """Collects the problems of one record and renders them with their location."""

    __slots__ = ("errors", "warnings", "today")

    def __init__(self, today: date) -> None:
        self.errors: list[FieldError] = []
        self.warnings: list[FieldError] = []
        self.today = today

    def field(self, where: _Where, f: Field, code: Code, value: object,
              detail: str | None = None) -> None:
        zh, en = _describe(f, code, value, detail, self.today)
        prefix = where.prefix
        self.errors.append(FieldError(
            path=f"{prefix}{f.name}", field=f.name, code=code,
            message=f"{where.loc}{f.label_zh} {zh}", message_en=f"{prefix}{f.name} {en}",
            value=None if value is None else _value_text(value)))

    def unknown(self, where: _Where, name: object) -> None:
        prefix = where.prefix
        self.errors.append(FieldError(
            path=f"{prefix}{name}", field=str(name), code=Code.UNKNOWN_FIELD,
            message=f"{where.loc}未知字段“{name}”（数据标准中没有该字段）",
            message_en=f"{prefix}{name} is not a field of the standard", value=None))

    def custom(self, where: _Where, name: str, code: Code, zh: str, en: str,
               value: object = None, *, warning: bool = False) -> None:
        prefix = where.prefix
        error = FieldError(path=f"{prefix}{name}".rstrip("."), field=name, code=code,
                           message=f"{where.loc}{zh}", message_en=f"{prefix}{name} {en}".strip(),
                           value=None if value is None else _value_text(value))
        (self.warnings if warning else self.errors).append(error)


# --------------------------------------------------------------------------------------------
# The validator


def validate_record(obj: object, *, today: date, partial: bool = False) -> Result:
    """Check one interchange record and normalise it.

    ``today`` is the evaluation day: event dates after it are errors. With ``partial=True`` the
    top-level fields needed only to create an enterprise (``name``, ``registered_on``) may be
    absent: a feed may send only annual facts about an enterprise the platform already knows; the
    importer decides which applies. ``uscc`` is always required.
    """
    out = _Collector(today)
    if type(obj) is not dict:
        out.custom(_TOP, "", Code.TYPE, f"记录应为 JSON 对象，不能是（{short_repr(obj)}）",
                   f"a record must be a JSON object, got {short_repr(obj)}")
        return Result(False, None, out.errors, out.warnings)

    checkers = _CHECKERS["profile"]
    record: dict = {}
    for name, value in obj.items():
        check = checkers.get(name)
        if check is None:
            if name in _LIST_NAMES:
                if value is not None:
                    record[name] = _check_list(SECTIONS[name], value, out)
            else:
                out.unknown(_TOP, name)
            continue
        if value is None:
            continue
        try:
            record[name] = check(value)
        except _Bad as bad:
            if value != "":  # "" is "not known", like null
                out.field(_TOP, _PROFILE.by_name[name], bad.code, value, bad.detail)
    for name in _REQUIRED["profile"]:
        if name not in record and (obj.get(name) in (None, "")):
            if not (partial and name in CREATION_FIELDS):
                out.field(_TOP, _PROFILE.by_name[name], Code.REQUIRED, None)
    for name in _PAST_DATES["profile"]:
        d = record.get(name)
        if d is not None and d > today:
            out.field(_TOP, _PROFILE.by_name[name], Code.FUTURE_DATE, d)
    if "years" in record and "registered_on" in record:
        _cross_profile(record, out)
    return Result(not out.errors, record, out.errors, out.warnings)


_PROFILE = SECTIONS["profile"]
_LIST_NAMES = frozenset(LIST_SECTIONS)


def _check_list(sec: Section, items: object, out: _Collector) -> list:
    if type(items) is not list:
        out.custom(_TOP, sec.name, Code.TYPE,
                   f"{sec.label_zh} 应为列表，不能是（{short_repr(items)}）",
                   f"must be a list, got {short_repr(items)}")
        return []
    checkers = _CHECKERS[sec.name]
    by_name = sec.by_name
    required = _REQUIRED[sec.name]
    past = _PAST_DATES[sec.name]
    years = _YEARS[sec.name]
    keys = sec.key_fields
    single_key = keys[0] if keys and len(keys) == 1 else None
    cross = _CROSS.get(sec.name)
    today = out.today
    seen: dict = {}
    result = []
    for i, item in enumerate(items):
        if type(item) is not dict:
            out.custom(_Where(sec, i), "", Code.TYPE,
                       f"应为 JSON 对象，不能是（{short_repr(item)}）",
                       f"must be a JSON object, got {short_repr(item)}")
            continue
        norm: dict = {}
        bad: list | None = None
        for name, value in item.items():
            check = checkers.get(name)
            if check is None:
                if bad is None:
                    bad = []
                bad.append((name, None, None, None))
            elif value is not None:
                try:
                    norm[name] = check(value)
                except _Bad as b:
                    if value != "":
                        if bad is None:
                            bad = []
                        bad.append((name, b.code, value, b.detail))
        where = _Where(sec, i, norm)
        if bad is not None:
            for name, code, value, detail in bad:
                if code is None:
                    out.unknown(where, name)
                else:
                    out.field(where, by_name[name], code, value, detail)
        for name in required:
            if name not in norm and (bad is None or all(b[0] != name for b in bad)):
                out.field(where, by_name[name], Code.REQUIRED, None)
        for name in past:
            d = norm.get(name)
            if d is not None and d > today:
                out.field(where, by_name[name], Code.FUTURE_DATE, d)
        for name in years:
            y = norm.get(name)
            if y is not None and y > today.year:
                label = by_name[name].label_zh
                out.custom(where, name, Code.FUTURE_DATE, f"{label} 晚于今年 {today.year}（{y}）",
                           f"is after the current year {today.year} ({y})", y)
        if cross is not None:
            cross(norm, where, out)
        # identity within the enterprise: the key fields, else the whole content
        if single_key is not None and single_key in norm:
            identity = norm[single_key]
        elif keys and all(k in norm for k in keys):
            identity = tuple(norm[k] for k in keys)
        else:
            identity = ("#content", frozenset((k, _hashable(v)) for k, v in norm.items()))
        first = seen.setdefault(identity, i)
        if first != i:
            _duplicate(sec, norm, where, first, out, by_identity=type(identity) is not tuple
                       or identity[0] != "#content")
        result.append(norm)
    return result


def _duplicate(sec: Section, norm: dict, where: _Where, first: int, out: _Collector, *,
               by_identity: bool) -> None:
    if by_identity:
        name = sec.key_fields[0]
        value = norm[name]
        out.custom(where, name, Code.DUPLICATE,
                   f"{sec.by_name[name].label_zh} 重复（{_value_text(value)}），与第{first + 1}项相同",
                   f"{_value_text(value)} repeats item {first}", value)
    else:
        hint = "；请填写专利号/登记号以区分" if sec.name == "ip" else ""
        out.custom(where, "", Code.DUPLICATE, f"与第{first + 1}项完全相同{hint}",
                   f"is identical to item {first}")


def _hashable(v):
    if type(v) is list:
        return tuple(v)
    if type(v) is dict:
        return json.dumps(v, sort_keys=True, default=str)
    return v


# --------------------------------------------------------------------------------------------
# Cross-field checks (``inconsistent``)


def _greater(norm, where, out, part, whole, *, warning=False):
    """Report that ``part`` exceeds ``whole`` (the caller has compared them)."""
    a, b = norm[part], norm[whole]
    fields = where.section.by_name
    out.custom(where, part, Code.INCONSISTENT,
               f"{fields[part].label_zh}（{_value_text(a)}）大于{fields[whole].label_zh}"
               f"（{_value_text(b)}）",
               f"({a}) is greater than {whole} ({b})", a, warning=warning)


def _cross_years(norm: dict, where: _Where, out: _Collector) -> None:
    get = norm.get
    employees = get("employees")
    if employees is not None:
        for part, warning in _HEADCOUNTS:
            n = get(part)
            if n is not None and n > employees:
                _greater(norm, where, out, part, "employees", warning=warning)
    revenue = get("operating_revenue")
    rd = get("rd_expense")
    if revenue is not None:
        main = get("main_business_revenue")
        if main is not None and main > revenue:
            _greater(norm, where, out, "main_business_revenue", "operating_revenue",
                     warning=True)
        if rd is not None and rd > revenue > 0 and rd > 10 * revenue:
            out.custom(where, "rd_expense", Code.INCONSISTENT,
                       f"研发费用总额（{rd}）超过营业收入（{revenue}）的10倍，请检查金额单位是否为元",
                       f"({rd}) exceeds ten times operating_revenue ({revenue})", rd)
    if rd is not None:
        domestic = get("rd_expense_domestic")
        if domestic is not None and domestic > rd:
            _greater(norm, where, out, "rd_expense_domestic", "rd_expense", warning=True)
    sales = get("sales_revenue")
    if sales is not None and sales < 0:
        out.custom(where, "sales_revenue", Code.INCONSISTENT,
                   f"销售收入 为负数（{sales}）：销售收入 = 主营业务收入 + 其他业务收入，不能为负",
                   f"is negative ({sales})", sales)


#: Headcounts that cannot exceed 职工总数; social insurance may (it counts at year end): warning.
_HEADCOUNTS = (("tech_staff", False), ("rd_staff", False), ("social_insurance_headcount", True))


def _before(norm, where, out, earlier, later, *, warning=False):
    a, b = norm.get(earlier), norm.get(later)
    if a is not None and b is not None and b < a:
        fields = where.section.by_name
        out.custom(where, later, Code.INCONSISTENT,
                   f"{fields[later].label_zh}（{b.isoformat()}）早于{fields[earlier].label_zh}"
                   f"（{a.isoformat()}）",
                   f"({b.isoformat()}) is before {earlier} ({a.isoformat()})", b, warning=warning)


def _cross_ip(norm, where, out):
    if norm.get("pledged") is False and "pledged_on" in norm:
        out.custom(where, "pledged_on", Code.INCONSISTENT, "填写了质押日期，但是否已质押为“否”",
                   "is given but pledged is false", norm["pledged_on"], warning=True)


def _cross_certificates(norm, where, out):
    _before(norm, where, out, "valid_from", "valid_to")


def _cross_incidents(norm, where, out):
    _before(norm, where, out, "date", "removed_on")


def _cross_loans(norm, where, out):
    _before(norm, where, out, "start_on", "due_on")
    overdue, amount = norm.get("overdue_amount"), norm.get("amount")
    if overdue is not None and amount is not None and overdue > amount:
        out.custom(where, "overdue_amount", Code.INCONSISTENT,
                   f"逾期金额（{overdue}）大于贷款金额（{amount}）",
                   f"({overdue}) is greater than amount ({amount})", overdue, warning=True)


_CROSS = {"years": _cross_years, "ip": _cross_ip, "certificates": _cross_certificates,
          "incidents": _cross_incidents, "loans": _cross_loans}


def _cross_profile(record: dict, out: _Collector) -> None:
    registered = record["registered_on"]
    early = [y["year"] for y in record["years"] if y.get("year", registered.year) < registered.year]
    if early:
        out.custom(_TOP, "years", Code.INCONSISTENT,
                   f"年度数据 有成立日期（{registered.isoformat()}）之前的年度（{min(early)}）",
                   f"has a year ({min(early)}) before registered_on ({registered.isoformat()})",
                   min(early), warning=True)
