"""Flat rows per section and back: what the importer stages into tables, with stable identities.

:func:`explode` turns a normalised record into one row per item (every field of the section, a
``key`` and a ``content_hash``); :func:`assemble` is its inverse and gives a JSON-ready record.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from decimal import Decimal

from .schema import LIST_SECTIONS, SECTIONS

__all__ = ["explode", "assemble", "content_hash", "json_value", "to_jsonable"]

_LIST_NAMES = frozenset(LIST_SECTIONS)



def _canon_str(v: str) -> str:
    return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _canon_float(v: float) -> str:
    return str(int(v)) if v.is_integer() else repr(v)


def _canon_list(v) -> str:
    return "[" + ",".join(sorted(_canon(x) for x in v)) + "]"


def _canon_dict(v: dict) -> str:
    return json.dumps(v, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


_CANON = {
    str: _canon_str, bool: {True: "true", False: "false"}.__getitem__, int: str,
    Decimal: str, float: _canon_float, date: date.isoformat, list: _canon_list,
    tuple: _canon_list, dict: _canon_dict,
}


def _canon(v) -> str:
    """The canonical text of one value (see :func:`content_hash`)."""
    return _CANON.get(type(v), repr)(v)


def content_hash(section: str, row: dict) -> str:
    """32-hex md5 of the canonical form of a normalised row's values: ``name=value`` for every
    known, non-null field in schema order, joined by U+001E; strings quoted, amounts as their
    two-place ``Decimal`` text (``1200.50``), floats by ``repr`` (integral ones as integers),
    dates ISO, lists sorted. A field added to the schema later does not change the hash of rows
    that do not use it, and the text depends only on the values, so the hash is the same on every
    run, machine and Python version."""
    return _digest(_PREFIXES[section], [row.get(name) for name in _FIELD_NAMES[section]])


def _digest(prefixes: tuple[str, ...], values) -> str:
    """md5 of the canonical text; ``values`` are aligned with the section's fields."""
    canon = _CANON
    text = "\x1e".join([p + canon.get(type(v), repr)(v) for p, v in zip(prefixes, values, strict=True)
                        if v is not None])
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


_FIELD_NAMES = {s.name: tuple(f.name for f in s.fields) for s in SECTIONS.values()}
_PREFIXES = {s.name: tuple(f"{f.name}=" for f in s.fields) for s in SECTIONS.values()}
_KEYS = {s.name: s.key_fields for s in SECTIONS.values()}


def explode(record: dict) -> dict[str, list[dict]]:
    """A normalised record as flat rows per section: ``{"profile": [row], "years": [...], ...}``.

    Each row has every field of its section (``None`` when not known) plus ``key`` (the item's
    identity within the enterprise: its key fields joined by ``|``, ``""`` for the profile, the
    content hash when the section has no key fields or a key field is missing) and
    ``content_hash``. Only the list sections present in the record appear, so an absent list
    ("not sent") stays distinct from an empty one ("known to be none")."""
    out: dict[str, list[dict]] = {}
    for name, names in _FIELD_NAMES.items():
        if name == "profile":
            items = ({n: v for n, v in record.items() if n not in _LIST_NAMES},)
        else:
            items = record.get(name)
            if items is None:
                continue
        keys = _KEYS[name]
        prefixes = _PREFIXES[name]
        rows = []
        for item in items:
            row = dict.fromkeys(names)  # schema order; update() keeps it
            row.update(item)
            if len(row) != len(names):
                raise ValueError(f"{name}: unknown fields {sorted(set(row) - set(names))}")
            digest = _digest(prefixes, row.values())  # fromkeys() fixed the order
            if keys is None:
                key = digest
            elif not keys:
                key = ""
            elif len(keys) == 1:
                k = row[keys[0]]
                key = digest if k is None else str(k)
            elif all(row[k] is not None for k in keys):
                key = "|".join(str(row[k]) for k in keys)
            else:
                key = digest
            row["key"] = key
            row["content_hash"] = digest
            rows.append(row)
        out[name] = rows
    return out


def json_value(v):
    """A value as JSON would carry it: ``Decimal`` → int when integral else float, ``date`` → ISO
    string, tuples → lists."""
    t = type(v)
    if t is Decimal:
        return int(v) if v == v.to_integral_value() else float(v)
    if t is date or t is datetime:
        return v.isoformat()
    if t in (list, tuple):
        return [json_value(x) for x in v]
    if t is dict:
        return {k: json_value(x) for k, x in v.items()}
    return v


def assemble(sections: dict[str, list[dict]]) -> dict:
    """The inverse of :func:`explode`: a JSON-ready record (``None`` values and the ``key`` /
    ``content_hash`` columns left out)."""
    record: dict = {}
    profile = sections.get("profile") or [{}]
    for name in _FIELD_NAMES["profile"]:
        v = profile[0].get(name)
        if v is not None:
            record[name] = json_value(v)
    for name in LIST_SECTIONS:
        rows = sections.get(name)
        if rows is None:
            continue
        names = _FIELD_NAMES[name]
        record[name] = [{n: json_value(row[n]) for n in names if row.get(n) is not None}
                        for row in rows]
    return record


def to_jsonable(record: dict) -> dict:
    """A normalised record as a JSON-ready dict (schema order, ``None`` left out)."""
    out = {n: json_value(record[n]) for n in _FIELD_NAMES["profile"]
           if record.get(n) is not None}
    for name in LIST_SECTIONS:
        items = record.get(name)
        if items is not None:
            names = _FIELD_NAMES[name]
            out[name] = [{n: json_value(item[n]) for n in names if item.get(n) is not None}
                         for item in items]
    return out
