"""Vectorised checks, normalisation and canonical text of the batch path (:mod:`.batch`).

The checks here are a *proof of cleanliness*, not a second validator: a record passes when every
value is of the common, well-typed kind and every rule of :mod:`.validate` (types, ranges, enums,
patterns, dates, cross-field rules, duplicate items) holds without an error or a warning. Anything
else — including cases the validator would accept but that are unusual (a float in an integer
field, a non-ASCII digit in a region code, an integer beyond 2**53) — only marks the record
*not clean*, and the caller sends it through :func:`~.validate.validate_record`, which produces
the exact messages. So a rule missing here would be a defect (a record accepted that should not
be), but a rule that is stricter than the validator only costs speed.

Each field yields its output-typed values (see :func:`output_type`) and its canonical text for
:func:`~.rows.content_hash` (``\x1ename=value``, exactly as :mod:`.rows` writes it, with the
separator in front: see :data:`SEPARATOR`).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .rows import _canon
from .schema import AMOUNT_LIMIT, INTEGER_MAX, MIN_YEAR, SECTIONS, Field
from .uscc import ALPHABET
from .validate import to_amount

__all__ = ["output_type", "SectionColumns", "check_section", "uscc_ok", "json_text",
           "CROSS_SECTIONS"]

_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_EXACT = 2.0**53  # numbers at or beyond this are not exact in float64: leave them to the validator
_AMOUNT_CENTS = AMOUNT_LIMIT * 100
_FAST_AMOUNT = 1e10  # |yuan| below this: x * 100 is exact enough to find the cents (validate.py)
#: Each canonical piece starts with the separator of ``rows.content_hash``: joined with nothing
#: between them, the known pieces give the canonical text after its first character.
SEPARATOR = "\x1e"


def output_type(f: Field) -> pa.DataType:
    """The Arrow type of a field in the batch output.

    Dates are ``date32``; amounts ``decimal128(20, 2)`` (COPY … CSV writes them as ``1200.50``);
    integers, years and numeric choices ``int64``; numbers and ratios ``float64``; lists of choices
    and JSON objects JSON text as :class:`~kechuang.enterprises.loading.FactLoader` writes it
    (``json.dumps(value, ensure_ascii=False, sort_keys=True)``)."""
    t = f.type
    if t == "date":
        return pa.date32()
    if t == "amount":
        return pa.decimal128(20, 2)
    if t in ("integer", "year") or (t == "enum" and all(type(c) is int for c in f.choices)):
        return pa.int64()
    if t in ("number", "ratio"):
        return pa.float64()
    if t == "bool":
        return pa.bool_()
    return pa.string()


def json_text(value: object) -> str | None:
    """A list or object field as the loader stores it (JSON text)."""
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


@dataclass(slots=True)
class SectionColumns:
    """One section of a chunk after the checks.

    ``parent`` is the table row (record) of each item, ``item`` its position in the record's list;
    ``values`` the output-typed values per field, ``canon`` the ``\x1ename=value`` texts (null
    when not known), ``bad`` the items that keep their record off the fast path."""

    name: str
    parent: np.ndarray
    item: np.ndarray
    values: dict[str, pa.Array] = field(default_factory=dict)
    canon: list[list[pa.Array]] = field(default_factory=list)  # per field, its pieces
    bad: np.ndarray | None = None
    take: np.ndarray | None = None  # the items kept for hashing (records still clean)
    known: dict[str, np.ndarray] = field(default_factory=dict)  # is each value known (not null)
    numeric: dict[str, np.ndarray] = field(default_factory=dict)  # for the cross-field rules


def _valid(array: pa.Array) -> np.ndarray:
    if array.null_count == 0:
        return np.ones(len(array), dtype=bool)
    return array.is_valid().to_numpy(zero_copy_only=False)


def _bool(array: pa.Array) -> np.ndarray:
    """A boolean array as numpy, null as False."""
    return pc.fill_null(array, False).to_numpy(zero_copy_only=False)


def _blank_to_null(array: pa.Array) -> pa.Array:
    """``""`` means "not known", like null (the validator skips it)."""
    empty = pc.equal(pc.binary_length(array), 0)
    if not pc.any(empty).as_py():
        return array
    return pc.if_else(empty, pa.scalar(None, array.type), array)


def _fixed_width(array: pa.Array, width: int, filler: str) -> tuple[np.ndarray, np.ndarray]:
    """``(matrix, ok)``: the values of a string array as an (n, width) uint8 matrix, where
    ``ok`` marks the non-null values of exactly ``width`` bytes; the others read as ``filler``."""
    ok = _bool(pc.equal(pc.binary_length(array), width))
    filled = pc.if_else(pa.array(ok), array, filler) if not ok.all() else array
    n = len(filled)
    offsets = np.frombuffer(filled.buffers()[1], dtype=np.int32)[filled.offset:filled.offset + n + 1]
    data = np.frombuffer(filled.buffers()[2], dtype=np.uint8)
    start = int(offsets[0]) if n else 0
    return data[start:start + width * n].reshape(n, width), ok


# --------------------------------------------------------------------------------------------
# USCC: length, alphabet and check digit, on an (n, 18) byte matrix

_USCC_VALUE = np.full(256, -1, dtype=np.int64)
for _i, _ch in enumerate(ALPHABET):
    _USCC_VALUE[ord(_ch)] = _i
_USCC_WEIGHTS = np.array([pow(3, i, 31) for i in range(17)], dtype=np.int64)


def uscc_ok(array: pa.Array) -> np.ndarray:
    """Rows holding a valid code (GB 32100-2015); null and empty are not."""
    matrix, ok = _fixed_width(array, 18, "0" * 18)
    values = _USCC_VALUE[matrix]
    check = (31 - (values[:, :17] @ _USCC_WEIGHTS) % 31) % 31
    return ok & (values >= 0).all(axis=1) & (check == values[:, 17])


# --------------------------------------------------------------------------------------------
# One function per field type: (bad, value, canon, numeric)


def _by_value(array: pa.Array, decide, out_type: pa.DataType):
    """Decide each *distinct* value once: ``decide(value) -> (ok, canon, normalised)``.

    Most fields of a chunk have few distinct values (choices, years, headcounts, dates), so
    dictionary-encoding and a Python call per distinct value beat a chain of element-wise
    kernels. Returns ``(bad, values, canon)``."""
    encoded = pc.dictionary_encode(array)
    oks, texts, values = [], [], []
    for value in encoded.dictionary.to_pylist():
        ok, text, normalised = decide(value)
        oks.append(ok)
        texts.append(text if ok else None)
        values.append(normalised if ok else None)
    index = encoded.indices
    known = _valid(array)
    if oks:
        ok = np.array(oks, dtype=bool)[pc.fill_null(index, 0).to_numpy(zero_copy_only=False)]
    else:
        ok = np.zeros(len(array), dtype=bool)
    canon = pa.array(texts, pa.string()).take(index)
    return known & ~ok, pa.array(values, out_type).take(index), canon


def _string(f: Field, array: pa.Array, prefix: str, escape: bool):
    array = _blank_to_null(array)
    bad = None
    if f.pattern:
        regex = "^" + f.pattern.replace(r"\d", "[0-9]") + "$"
        bad = _valid(array) & ~_bool(pc.match_substring_regex(array, regex))
    return bad, array, _quoted(array, prefix, escape), None


def _quoted(array: pa.Array, prefix: str, escape: bool) -> pa.Array:
    """``name="text"`` with ``\\`` and ``"`` escaped (``rows._canon_str``). Without a backslash
    in the chunk, no string can hold either (JSON escapes both)."""
    if escape:
        array = pc.replace_substring(pc.replace_substring(array, "\\", "\\\\"), '"', '\\"')
    return pc.binary_join_element_wise(prefix + '"', array, '"', "")


def _enum(f: Field, array: pa.Array, prefix: str):
    choices = frozenset(f.choices)
    if all(type(c) is int for c in f.choices):
        def decide(v):
            return v in choices, f"{prefix}{int(v)}", int(v)

        bad, values, canon = _by_value(array, decide, pa.int64())
        return bad, values, canon, None

    def decide_text(v):
        return v in choices, prefix + _canon(v), v

    array = _blank_to_null(array)
    bad, _, canon = _by_value(array, decide_text, pa.string())
    return bad, array, canon, None


def _joined(prefix: str, text: pa.Array) -> pa.Array:
    return pc.binary_join_element_wise(prefix, text, "")


def _bool_field(f: Field, array: pa.Array, prefix: str):
    text = pc.if_else(array, prefix + "true", prefix + "false")
    return None, array, text, None


def _bounds(f: Field, today: date) -> tuple[float, float]:
    """The closed interval of accepted numbers (mirrors ``validate._bounded``)."""
    lo, hi = f.minimum, f.maximum
    if f.type == "integer" and hi is None:
        hi = INTEGER_MAX
    negative_ok = f.allow_negative or (lo is not None and lo < 0)
    if f.type == "ratio":
        lo, hi = 0, 1
    elif f.type == "year":
        lo, hi = MIN_YEAR, today.year  # a later year is a future_date error
    elif not negative_ok:
        lo = max(lo, 0) if lo is not None else 0
    return (-math.inf if lo is None else lo), (math.inf if hi is None else hi)


def _integer(f: Field, array: pa.Array, prefix: str, today: date):
    """Integers and years: read as float64, integral and within bounds (3.0 is 3)."""
    lo, hi = _bounds(f, today)

    def decide(v):
        ok = v.is_integer() and lo <= v <= hi and abs(v) < _EXACT
        return ok, f"{prefix}{int(v)}" if ok else None, int(v) if ok else None

    bad, values, canon = _by_value(array, decide, pa.int64())
    return bad, values, canon, array.to_numpy(zero_copy_only=False)


def _number(f: Field, array: pa.Array, prefix: str, today: date):
    """Numbers and ratios; the text is ``rows._canon_float`` (an integral value as an integer,
    which is also the text of a JSON integer)."""
    lo, hi = _bounds(f, today)

    def decide(v):
        ok = lo <= v <= hi and abs(v) < _EXACT
        return ok, prefix + (str(int(v)) if v.is_integer() else repr(v)), v

    bad, _, canon = _by_value(array, decide, pa.float64())
    return bad, array, canon, array.to_numpy(zero_copy_only=False)


def _amount(f: Field, array: pa.Array, prefix: str, today: date):
    v = array.to_numpy(zero_copy_only=False)
    known = ~np.isnan(v)
    with np.errstate(invalid="ignore"):
        y = v * 100
        k = np.floor(y + 0.5)
        fast = (np.abs(v) < _FAST_AMOUNT) & (np.abs(y - k) < 0.01)
        whole = (v == np.floor(v)) & (np.abs(v) < _EXACT)
    cents = np.zeros(len(v), dtype=np.int64)
    cents[fast] = k[fast].astype(np.int64)
    slow_whole = known & ~fast & whole
    cents[slow_whole] = v[slow_whole].astype(np.int64) * 100
    bad = np.zeros(len(v), dtype=bool)
    for i in np.flatnonzero(known & ~fast & ~whole).tolist():
        try:
            d = to_amount(float(v[i]))
        except ValueError:
            bad[i] = True
            continue
        if abs(d) >= AMOUNT_LIMIT:
            bad[i] = True
        else:
            cents[i] = int(d.scaleb(2))
    bad |= known & (np.abs(cents) >= _AMOUNT_CENTS)
    if not f.allow_negative:
        bad |= known & (cents < 0)
    cents[~known | bad] = 0
    return bad, _decimal_from_cents(cents, known), _amount_text(prefix, cents, known), cents


_CENTS_TEXT = pa.array([f".{i:02d}" for i in range(100)], pa.string())


def _amount_text(prefix: str, cents: np.ndarray, known: np.ndarray) -> pa.Array:
    """``\x1ename=1200.50``: the ``str`` of the two-place ``Decimal``."""
    magnitude = np.abs(cents)
    mask = None if known.all() else ~known
    whole = pc.cast(pa.array(magnitude // 100, mask=mask), pa.string())
    fraction = _CENTS_TEXT.take(pa.array(magnitude % 100))
    negative = cents < 0
    lead = pa.array([prefix, prefix + "-"], pa.string()).take(
        pa.array(negative.view(np.int8))) if negative.any() else prefix
    return pc.binary_join_element_wise(lead, whole, fraction, "")


def _decimal_from_cents(cents: np.ndarray, known: np.ndarray) -> pa.Array:
    n = len(cents)
    words = np.empty((n, 2), dtype=np.int64)
    words[:, 0] = cents
    words[:, 1] = cents >> 63  # sign extension to 128 bits
    validity = None if known.all() else pa.py_buffer(np.packbits(known, bitorder="little"))
    return pa.Array.from_buffers(pa.decimal128(20, 2), n, [validity, pa.py_buffer(words)],
                                 null_count=int(n - known.sum()))


def _date(f: Field, array: pa.Array, prefix: str, today: date):
    """ISO dates ``YYYY-MM-DD`` (what ``validate._check_date`` takes from text), not before
    :data:`~.schema.MIN_YEAR` and, for event dates, not after ``today``."""
    limit = today if f.past_only else date.max

    def decide(text):
        d = None
        if len(text) == 10 and text[4] == "-" and text[7] == "-" and text.isascii() \
                and text[:4].isdigit() and text[5:7].isdigit() and text[8:].isdigit():
            try:
                d = date.fromisoformat(text)
            except ValueError:
                pass
        ok = d is not None and d.year >= MIN_YEAR and d <= limit
        return ok, prefix + text, d.toordinal() - _EPOCH_ORDINAL if ok else None

    array = _blank_to_null(array)
    bad, days, canon = _by_value(array, decide, pa.int32())
    return bad, days.view(pa.date32()), canon, \
        pc.fill_null(days, 0).to_numpy(zero_copy_only=False).astype(np.int64)


def _enum_list(f: Field, array: pa.Array, prefix: str):
    """Lists of choices, decided once per distinct list (there are few)."""
    choices = frozenset(f.choices)
    joined = pc.binary_join(array, "\x1f")
    lengths = pc.fill_null(pc.list_value_length(array), -1)
    keys = pc.binary_join_element_wise(pc.cast(lengths, pa.string()), joined, "\x1e")
    encoded = pc.dictionary_encode(keys)
    texts, jsons, oks = [], [], []
    for key in encoded.dictionary.to_pylist():
        length, _, body = key.partition("\x1e")
        items = body.split("\x1f") if int(length) else []
        ok = len(items) == int(length) and set(items) <= choices and len(set(items)) == len(items)
        oks.append(ok)
        texts.append(prefix + _canon(items) if ok else None)
        jsons.append(json_text(items) if ok else None)
    index = encoded.indices
    known = _valid(array)
    ok = np.array(oks, dtype=bool)[pc.fill_null(index, 0).to_numpy(zero_copy_only=False)] \
        if len(oks) else np.zeros(len(array), dtype=bool)
    ok &= _valid(index)  # a null key: a null list, or a list holding null
    text = pc.take(pa.array(texts, pa.string()), index)
    value = pc.take(pa.array(jsons, pa.string()), index)
    return known & ~ok, value, text, None


def check_field(f: Field, array: pa.Array, today: date, *, escape: bool = True):
    """``(bad, value, canon, numeric)`` of one field over a section's items; ``bad`` is ``None``
    when no value can be bad, ``canon`` the canonical text (an array, or a list of pieces to run
    together), ``numeric`` a numpy view for the cross-field rules."""
    prefix = f"{SEPARATOR}{f.name}="
    t = f.type
    if t == "string":
        return _string(f, array, prefix, escape)
    if t == "enum":
        return _enum(f, array, prefix)
    if t == "bool":
        return _bool_field(f, array, prefix)
    if t in ("integer", "year"):
        return _integer(f, array, prefix, today)
    if t in ("number", "ratio"):
        return _number(f, array, prefix, today)
    if t == "amount":
        return _amount(f, array, prefix, today)
    if t == "date":
        return _date(f, array, prefix, today)
    if t == "enum_list":
        return _enum_list(f, array, prefix)
    raise ValueError(f"{f.name}: {t} fields are read from the line (see batch.SIDE_FIELDS)")


# --------------------------------------------------------------------------------------------
# Sections


def check_section(name: str, items: pa.StructArray | pa.Table, parent: np.ndarray,
                  item: np.ndarray, today: date, *, skip: tuple[str, ...] = (),
                  escape: bool = True) -> SectionColumns:
    """Check every field of a section's items and the section's cross-field rules."""
    sec = SECTIONS[name]
    out = SectionColumns(name, parent, item)
    n = len(parent)
    bad = np.zeros(n, dtype=bool)
    if isinstance(items, pa.StructArray) and items.null_count:
        bad |= ~_valid(items)  # an item that is null, not an object
    for f in sec.fields:
        if f.name in skip:
            continue
        array = items.field(f.name) if isinstance(items, pa.StructArray) else items.column(
            f.name).combine_chunks()
        field_bad, value, canon, numeric = check_field(f, array, today, escape=escape)
        if field_bad is not None:
            bad |= field_bad
        out.values[f.name] = value
        out.canon.append(canon if isinstance(canon, list) else [canon])
        out.known[f.name] = _valid(value)
        if numeric is not None:
            out.numeric[f.name] = numeric
        if f.required and name != "profile":
            bad |= ~out.known[f.name]
    cross = _CROSS.get(name)
    if cross is not None:
        bad |= cross(out)
    out.bad = bad
    return out


def _greater(out: SectionColumns, part: str, whole: str) -> np.ndarray:
    both = out.known[part] & out.known[whole]
    return both & (out.numeric[part] > out.numeric[whole])


def _cross_years(out: SectionColumns) -> np.ndarray:
    # validate._cross_years: headcounts above employees (errors, and a warning for social
    # insurance), main revenue above operating revenue, domestic R&D above R&D (warnings), R&D
    # above ten times revenue, negative sales (errors)
    bad = np.zeros(len(out.parent), dtype=bool)
    for part in ("tech_staff", "rd_staff", "social_insurance_headcount"):
        bad |= _greater(out, part, "employees")
    bad |= _greater(out, "main_business_revenue", "operating_revenue")
    bad |= _greater(out, "rd_expense_domestic", "rd_expense")
    rd, revenue = out.numeric["rd_expense"], out.numeric["operating_revenue"]
    both = out.known["rd_expense"] & out.known["operating_revenue"]
    bad |= both & (rd > revenue) & (revenue > 0) & (rd > 10 * revenue)
    bad |= out.known["sales_revenue"] & (out.numeric["sales_revenue"] < 0)
    return bad


def _cross_ip(out: SectionColumns) -> np.ndarray:
    pledged = out.values["pledged"]
    not_pledged = _valid(pledged) & ~_bool(pledged)
    return not_pledged & out.known["pledged_on"]


def _before(earlier: str, later: str):
    def rule(out: SectionColumns) -> np.ndarray:
        both = out.known[earlier] & out.known[later]
        return both & (out.numeric[later] < out.numeric[earlier])

    return rule


def _cross_loans(out: SectionColumns) -> np.ndarray:
    return _before("start_on", "due_on")(out) | _greater(out, "overdue_amount", "amount")


_CROSS = {"years": _cross_years, "ip": _cross_ip,
          "certificates": _before("valid_from", "valid_to"),
          "incidents": _before("date", "removed_on"), "loans": _cross_loans}
#: The sections with cross-field rules: must be those of ``validate._CROSS`` (a test checks it).
CROSS_SECTIONS = frozenset(_CROSS)
