"""Regulatory limits of local financial organisations as versioned plain data (TOML), checked on load.

A rule set lists, per licence type, the figures of its periodic report, the consistency checks
between them (subtotals that must add up) and its indicators (a ratio ``num / den`` or an amount
``num``), each limit with its source document, article and certainty, plus the weights of the
CAMEL+RR composite rating. Expressions are sums and differences of figures (``"a + b - c"``).
Every problem is reported with where it is and why; nothing is silently defaulted.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import resources
from typing import Any

SCHEMA_VERSION = 1
DEFAULT_RULES = "local_finance_2025.toml"
COMPONENTS: tuple[str, ...] = ("capital", "asset", "management", "earnings", "liquidity", "compliance")
UNITS = ("ratio", "times", "yuan")
OPS = ("=", "<=")


class RuleSetError(ValueError):
    """A rule set that cannot be used: ``problems`` lists ``(where, reason)``."""

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems
        super().__init__("; ".join(f"{where}: {reason}" for where, reason in problems))


def terms(expr: str) -> tuple[tuple[int, str], ...]:
    """``"a + b - c"`` → ``((1, "a"), (1, "b"), (-1, "c"))``."""
    out: list[tuple[int, str]] = []
    sign = 1
    expect_name = True
    for tok in str(expr).split():
        if expect_name:
            if tok in "+-":
                raise ValueError(f"unexpected {tok!r} in {expr!r}")
            out.append((sign, tok))
            expect_name = False
        else:
            if tok not in ("+", "-"):
                raise ValueError(f"expected + or - in {expr!r}, got {tok!r}")
            sign = 1 if tok == "+" else -1
            expect_name = True
    if expect_name:
        raise ValueError(f"incomplete expression {expr!r}")
    return tuple(out)


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str
    num: tuple[tuple[int, str], ...]
    den: tuple[tuple[int, str], ...] | None
    unit: str
    component: str
    max: float | None = None
    min: float | None = None
    binding: bool = True
    document: str = ""
    article: str = ""
    certainty: str = ""
    when: tuple[str, str, float] | None = None
    alt_max: float | None = None
    alt_when: tuple[str, str, float] | None = None
    alt_document: str = ""
    alt_article: str = ""
    alt_certainty: str = ""

    @property
    def is_limit(self) -> bool:
        return self.max is not None or self.min is not None


@dataclass(frozen=True)
class TypeRules:
    code: str
    label: str
    fields: tuple[tuple[str, str], ...]
    signed: frozenset[str]
    flags: frozenset[str]
    checks: tuple[tuple[str, str, str], ...]
    indicators: tuple[Indicator, ...]

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f for f, _label in self.fields)

    def label_of(self, name: str) -> str:
        return dict(self.fields).get(name, name)


@dataclass(frozen=True)
class RuleSet:
    version: str
    tolerance: Decimal
    types: dict[str, TypeRules]
    rating: dict[str, Any]
    raw: dict[str, Any] = field(repr=False, default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return self.raw


def _num(value, where, problems, allow_none=True):
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        problems.append((where, "must be a number"))
        return None
    return float(value)


def _cond(value, where, problems, names):
    if value is None:
        return None
    if not (isinstance(value, list) and len(value) == 3 and value[1] in (">=", "<=", "=")):
        problems.append((where, "must be [name, op, number] with op one of >=, <=, ="))
        return None
    if value[0] not in names:
        problems.append((where, f"unknown name {value[0]!r}"))
    n = _num(value[2], where, problems, allow_none=False)
    return (value[0], value[1], n if n is not None else 0.0)


def _expr(value, where, problems, fields):
    try:
        out = terms(value)
    except ValueError as exc:
        problems.append((where, str(exc)))
        return ()
    for _s, name in out:
        if name not in fields:
            problems.append((where, f"unknown figure {name!r}"))
    return out


def check_rules(data: dict[str, Any]) -> RuleSet:
    """A :class:`RuleSet` from parsed TOML/JSON, or :class:`RuleSetError` with every problem."""
    problems: list[tuple[str, str]] = []
    if not isinstance(data, dict):
        raise RuleSetError([("", "the rule set must be a table")])
    if data.get("schema") != SCHEMA_VERSION:
        problems.append(("schema", f"must be {SCHEMA_VERSION}"))
    version = data.get("version")
    if not isinstance(version, str) or not version.strip():
        problems.append(("version", "must be a non-empty string"))
    try:
        tolerance = Decimal(str(data.get("tolerance_yuan", "1")))
    except Exception:  # noqa: BLE001 - any malformed value is one problem
        problems.append(("tolerance_yuan", "must be a decimal string"))
        tolerance = Decimal(1)
    types: dict[str, TypeRules] = {}
    for code, t in (data.get("types") or {}).items():
        where = f"types.{code}"
        raw_fields = t.get("fields") or []
        fields = tuple((str(f[0]), str(f[1])) for f in raw_fields if isinstance(f, list) and len(f) == 2)
        if len(fields) != len(raw_fields) or not fields:
            problems.append((f"{where}.fields", "must be a non-empty list of [name, label]"))
        names = {f for f, _l in fields}
        checks = []
        for i, chk in enumerate(t.get("checks") or []):
            if not (isinstance(chk, list) and len(chk) == 3 and chk[1] in OPS):
                problems.append((f"{where}.checks[{i}]", "must be [expr, = or <=, expr]"))
                continue
            _expr(chk[0], f"{where}.checks[{i}]", problems, names)
            _expr(chk[2], f"{where}.checks[{i}]", problems, names)
            checks.append((chk[0], chk[1], chk[2]))
        inds = []
        codes = set()
        for i, ind in enumerate(t.get("indicators") or []):
            w = f"{where}.indicators[{i}]"
            icode = ind.get("code")
            if not isinstance(icode, str) or icode in codes:
                problems.append((f"{w}.code", "missing or repeated"))
            codes.add(icode)
            if ind.get("unit") not in UNITS:
                problems.append((f"{w}.unit", f"must be one of {', '.join(UNITS)}"))
            if ind.get("component") not in COMPONENTS:
                problems.append((f"{w}.component", f"must be one of {', '.join(COMPONENTS)}"))
            mx, mn = _num(ind.get("max"), f"{w}.max", problems), _num(ind.get("min"), f"{w}.min", problems)
            if (mx is not None or mn is not None) and not (ind.get("document") and ind.get("certainty")):
                problems.append((w, "a limit needs its document and certainty"))
            if ind.get("certainty") not in (None, "confirmed", "provisional"):
                problems.append((f"{w}.certainty", "must be confirmed or provisional"))
            inds.append(Indicator(
                code=str(icode), label=str(ind.get("label", icode)), num=_expr(ind.get("num", ""), f"{w}.num", problems, names),
                den=None if ind.get("den") is None else _expr(ind["den"], f"{w}.den", problems, names),
                unit=ind.get("unit", "ratio"), component=ind.get("component", "compliance"), max=mx, min=mn,
                binding=bool(ind.get("binding", True)), document=str(ind.get("document", "")),
                article=str(ind.get("article", "")), certainty=str(ind.get("certainty", "")),
                when=_cond(ind.get("when"), f"{w}.when", problems, names),
                alt_max=_num(ind.get("alt_max"), f"{w}.alt_max", problems),
                alt_when=_cond(ind.get("alt_when"), f"{w}.alt_when", problems,
                               {x.get("code") for x in t.get("indicators") or []}),
                alt_document=str(ind.get("alt_document", "")), alt_article=str(ind.get("alt_article", "")),
                alt_certainty=str(ind.get("alt_certainty", ""))))
        types[code] = TypeRules(code=code, label=str(t.get("label", code)), fields=fields,
                                signed=frozenset(t.get("signed") or ()), flags=frozenset(t.get("flags") or ()),
                                checks=tuple(checks), indicators=tuple(inds))
    if not types:
        problems.append(("types", "at least one licence type"))
    rating = data.get("rating") or {}
    weights = rating.get("weights") or {}
    if set(weights) != set(COMPONENTS):
        problems.append(("rating.weights", f"must weight exactly {', '.join(COMPONENTS)}"))
    elif abs(sum(float(v) for v in weights.values()) - 1.0) > 1e-9:
        problems.append(("rating.weights", "must sum to 1"))
    if not rating.get("grades"):
        problems.append(("rating.grades", "must list [min score, grade] bands"))
    if problems:
        raise RuleSetError(problems)
    return RuleSet(version=version, tolerance=tolerance, types=types, rating=rating, raw=data)


def load_rules(text: str | None = None) -> RuleSet:
    """The packaged rule set, or the one in ``text`` (TOML)."""
    if text is None:
        text = resources.files(__package__).joinpath("rules").joinpath(DEFAULT_RULES).read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RuleSetError([("", f"not valid TOML: {exc}")]) from None
    return check_rules(data)
