"""The feature language (expressions): small expression trees that compute one row in Python and compile to Polars.

Every node knows how to compute itself on one row (``py``, plain Python, three-valued with ``None``
for unknown) and how to compile itself to a Polars expression (``pl``). The catalogue of named
features built from these nodes is :mod:`.features`; the conventions on unknowns are in its
docstring.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import polars as pl

from .schema import Context, year_col

INF = float("inf")

# ---------------------------------------------------------------------------------------------
# Three-valued helpers (Python side). Polars' & and | already follow Kleene logic.


def _and(*vals: bool | None) -> bool | None:
    if any(v is False for v in vals):
        return False
    if any(v is None for v in vals):
        return None
    return True


def _or(*vals: bool | None) -> bool | None:
    if any(v is True for v in vals):
        return True
    if any(v is None for v in vals):
        return None
    return False


def _not(v: bool | None) -> bool | None:
    return None if v is None else not v


# ---------------------------------------------------------------------------------------------
# Row-level nodes


class Node(ABC):
    """A feature expression: ``py(row, ctx)`` on one row, ``pl(ctx)`` as a Polars expression."""

    facts: tuple[str, ...] = ()

    @abstractmethod
    def py(self, r: dict[str, Any], c: Context) -> Any:
        """The value on one row (the one-enterprise path)."""

    @abstractmethod
    def pl(self, c: Context) -> pl.Expr:
        """The same value as a Polars expression (the batch path)."""


@dataclass
class Col(Node):
    """A column of the row: a scalar fact, or an annual fact picked by :func:`year_col`."""

    name: str
    fact: str

    @property
    def facts(self) -> tuple[str, ...]:  # type: ignore[override]
        return (self.fact,)

    def py(self, r, c):
        return r.get(self.name)

    def pl(self, c):
        return pl.col(self.name)


def Y(field_name: str, k: int = 0) -> Col:
    """An annual fact ``k`` years before the reference year; its fact path names the year."""
    return Col(year_col(field_name, k), f"years[{{y{k}}}].{field_name}")


def Top(name: str) -> Col:
    return Col(name, name)


class _Compound(Node):
    parts: tuple[Node, ...] = ()

    @property
    def facts(self) -> tuple[str, ...]:  # type: ignore[override]
        out: list[str] = []
        for p in self.parts:
            out.extend(f for f in p.facts if f not in out)
        return tuple(out)


class Div(_Compound):
    """a / b; unknown when either is unknown or b is 0."""

    def __init__(self, a: Node, b: Node):
        self.parts = (a, b)

    def py(self, r, c):
        a, b = (p.py(r, c) for p in self.parts)
        if a is None or b is None or b == 0:
            return None
        return a / b

    def pl(self, c):
        a, b = (p.pl(c) for p in self.parts)
        return pl.when(b != 0).then(a / b)


class Sub(_Compound):
    def __init__(self, a: Node, b: Node):
        self.parts = (a, b)

    def py(self, r, c):
        a, b = (p.py(r, c) for p in self.parts)
        return None if a is None or b is None else a - b

    def pl(self, c):
        a, b = (p.pl(c) for p in self.parts)
        return a - b


class Sum(_Compound):
    """a + b + …, left to right (the same order on both paths); unknown if any part is."""

    def __init__(self, *parts: Node):
        self.parts = parts

    def py(self, r, c):
        vals = [p.py(r, c) for p in self.parts]
        if any(v is None for v in vals):
            return None
        total = vals[0]
        for v in vals[1:]:
            total = total + v
        return total

    def pl(self, c):
        exprs = [p.pl(c) for p in self.parts]
        total = exprs[0]
        for e in exprs[1:]:
            total = total + e
        return total


class Half(_Compound):
    def __init__(self, a: Node):
        self.parts = (a,)

    def py(self, r, c):
        a = self.parts[0].py(r, c)
        return None if a is None else a / 2

    def pl(self, c):
        return self.parts[0].pl(c) / 2


class Growth(_Compound):
    """cur / prev − 1; unknown when prev is not positive (a growth rate from zero is undefined)."""

    def __init__(self, cur: Node, prev: Node):
        self.parts = (cur, prev)

    def py(self, r, c):
        cur, prev = (p.py(r, c) for p in self.parts)
        if cur is None or prev is None or prev <= 0:
            return None
        return cur / prev - 1

    def pl(self, c):
        cur, prev = (p.pl(c) for p in self.parts)
        return pl.when(prev > 0).then(cur / prev - 1)


class AvgGrowth2(_Compound):
    """½ × (v1/v2 + v0/v1) − 1 over three years (v2 the earliest): 两年平均增长率."""

    def __init__(self, v0: Node, v1: Node, v2: Node):
        self.parts = (v0, v1, v2)

    def py(self, r, c):
        v0, v1, v2 = (p.py(r, c) for p in self.parts)
        if v0 is None or v1 is None or v2 is None or v1 <= 0 or v2 <= 0:
            return None
        return (v1 / v2 + v0 / v1) / 2 - 1

    def pl(self, c):
        v0, v1, v2 = (p.pl(c) for p in self.parts)
        return pl.when((v1 > 0) & (v2 > 0)).then((v1 / v2 + v0 / v1) / 2 - 1)


class Cagr2(_Compound):
    """(v0 / v2)^(1/2) − 1: compound growth over the two periods of a three-year window."""

    def __init__(self, v0: Node, v2: Node):
        self.parts = (v0, v2)

    def py(self, r, c):
        v0, v2 = (p.py(r, c) for p in self.parts)
        if v0 is None or v2 is None or v2 <= 0 or v0 < 0:
            return None
        return math.sqrt(v0 / v2) - 1

    def pl(self, c):
        v0, v2 = (p.pl(c) for p in self.parts)
        return pl.when((v2 > 0) & (v0 >= 0)).then((v0 / v2).sqrt() - 1)


class FiscalYears(Node):
    """Fiscal years the enterprise existed in, up to and including the reference year.

    ``full=False`` counts the registration year; ``full=True`` counts only complete years after it."""

    facts = ("registered_on",)

    def __init__(self, full: bool):
        self.full = full

    def py(self, r, c):
        reg = r.get("registered_on")
        if reg is None:
            return None
        return c.ref_year - reg.year + (0 if self.full else 1)

    def pl(self, c):
        return pl.lit(c.ref_year) - pl.col("registered_on").dt.year().cast(pl.Int64) + (0 if self.full else 1)


class DaysRegistered(Node):
    facts = ("registered_on",)

    def py(self, r, c):
        reg = r.get("registered_on")
        return None if reg is None else (c.as_of - reg).days

    def pl(self, c):
        return (pl.lit(c.as_of) - pl.col("registered_on")).dt.total_days()


_FY = FiscalYears(full=False)


class MarketValue(Node):
    """预计市值 as the listing standards read it: the expected market value when its date is known
    and no older than one year before ``as_of`` (a stale or undated estimate is unknown)."""

    facts = ("expected_market_value", "market_value_date")

    def py(self, r, c):
        v, d = r.get("expected_market_value"), r.get("market_value_date")
        if v is None or d is None or d <= c.years_before(1):
            return None
        return v

    def pl(self, c):
        return pl.when(pl.col("market_value_date") > c.years_before(1)).then(pl.col("expected_market_value"))


class Lowest(_Compound):
    """The lower of two values (扣除非经常性损益前后孰低); unknown when either is."""

    def __init__(self, *parts: Node):
        self.parts = parts

    def py(self, r, c):
        vals = [p.py(r, c) for p in self.parts]
        return None if any(v is None for v in vals) else min(vals)

    def pl(self, c):
        exprs = [p.pl(c) for p in self.parts]
        nulls = exprs[0].is_null()
        for e in exprs[1:]:
            nulls = nulls | e.is_null()
        return pl.when(~nulls).then(pl.min_horizontal(*exprs))


class WindowSum(_Compound):
    """Sum of an annual fact over the last ``n`` fiscal years, or over the years the enterprise
    existed when fewer (``actual=True``, the 高企 "实际经营期" rule); unknown if a needed year is."""

    def __init__(self, field_name: str, n: int, actual: bool = False, mean: bool = False):
        self.field_name, self.n, self.actual, self.mean = field_name, n, actual, mean
        self.parts = tuple(Y(field_name, k) for k in range(n)) + ((_FY,) if actual else ())

    def _years(self, r, c) -> int | None:
        if not self.actual:
            return self.n
        fy = _FY.py(r, c)
        return None if fy is None else max(1, min(self.n, fy))

    def py(self, r, c):
        m = self._years(r, c)
        if m is None:
            return None
        vals = [r.get(year_col(self.field_name, k)) for k in range(m)]
        if any(v is None for v in vals):
            return None
        total = vals[0]
        for v in vals[1:]:
            total = total + v
        return total / m if self.mean else total

    def pl(self, c):
        cols = [pl.col(year_col(self.field_name, k)) for k in range(self.n)]
        if not self.actual:
            total = cols[0]
            for e in cols[1:]:
                total = total + e
            return total / self.n if self.mean else total
        m = pl.max_horizontal(pl.lit(1), pl.min_horizontal(pl.lit(self.n), _FY.pl(c)))
        out = pl.lit(None, dtype=pl.Float64)
        for size in range(self.n, 0, -1):
            total = cols[0]
            for e in cols[1:size]:
                total = total + e
            out = pl.when(m == size).then(total / size if self.mean else total).otherwise(out)
        return out


class HnteGrowth(_Compound):
    """企业成长性 growth rate of the 高企 指引 with its edge rules (engine design note §2.2):

    three years or more: ½ × (v2/v1 + v3/v2) − 1 (v1 earliest); year-1 value 0 → last two years
    only (v3/v2 − 1); year-2 value 0 → 0. Two years: v3/v2 − 1. One year: 0."""

    def __init__(self, field_nodes: tuple[Node, Node, Node]):
        self.v1, self.v2, self.v3 = field_nodes  # earliest first
        self.parts = (self.v1, self.v2, self.v3, _FY)

    def py(self, r, c):
        fy = _FY.py(r, c)
        if fy is None:
            return None
        if fy <= 1:
            return 0.0
        v2, v3 = self.v2.py(r, c), self.v3.py(r, c)
        if v2 is None or v3 is None:
            return None
        if fy == 2:
            return 0.0 if v2 <= 0 else v3 / v2 - 1
        v1 = self.v1.py(r, c)
        if v1 is None:
            return None
        if v1 == 0:
            return 0.0 if v2 <= 0 else v3 / v2 - 1
        if v2 <= 0 or v1 < 0:
            return 0.0
        return (v2 / v1 + v3 / v2) / 2 - 1

    def pl(self, c):
        fy = _FY.pl(c)
        v1, v2, v3 = self.v1.pl(c), self.v2.pl(c), self.v3.pl(c)
        two = pl.when(v2 <= 0).then(pl.lit(0.0)).otherwise(v3 / v2 - 1)
        three = (
            pl.when(v1 == 0).then(two)
            .when((v2 <= 0) | (v1 < 0)).then(pl.lit(0.0))
            .otherwise((v2 / v1 + v3 / v2) / 2 - 1)
        )
        return (
            pl.when(fy.is_null()).then(None)
            .when(fy <= 1).then(pl.lit(0.0))
            .when(v2.is_null() | v3.is_null()).then(None)
            .when(fy == 2).then(two)
            .when(v1.is_null()).then(None)
            .otherwise(three)
        )


class Rank(_Compound):
    """A category mapped to an ordinal (unknown categories are unknown)."""

    def __init__(self, a: Node, mapping: dict[str, int]):
        self.parts, self.mapping = (a,), mapping

    def py(self, r, c):
        return self.mapping.get(self.parts[0].py(r, c))

    def pl(self, c):
        return self.parts[0].pl(c).replace_strict(self.mapping, default=None, return_dtype=pl.Int64)


class StartsWith(_Compound):
    def __init__(self, a: Node, prefix: str):
        self.parts, self.prefix = (a,), prefix

    def py(self, r, c):
        v = self.parts[0].py(r, c)
        return None if v is None else str(v).startswith(self.prefix)

    def pl(self, c):
        return self.parts[0].pl(c).str.starts_with(self.prefix)


class Contains(_Compound):
    """Whether a list of strings contains a value (unknown list → unknown)."""

    def __init__(self, a: Node, value: str):
        self.parts, self.value = (a,), value

    def py(self, r, c):
        v = self.parts[0].py(r, c)
        return None if v is None else self.value in v

    def pl(self, c):
        return self.parts[0].pl(c).list.contains(self.value)


class ListLen(_Compound):
    def __init__(self, a: Node):
        self.parts = (a,)

    def py(self, r, c):
        v = self.parts[0].py(r, c)
        return None if v is None else len(set(v))

    def pl(self, c):
        return self.parts[0].pl(c).list.unique().list.len().cast(pl.Int64)


# ---------------------------------------------------------------------------------------------
# Item predicates (over the items of a list) and list aggregates


class Pred:
    """A three-valued predicate over one list item: ``py(item, ctx)`` and ``pl(ctx)`` (on
    ``pl.element()``)."""

    fields: tuple[str, ...] = ()

    @abstractmethod
    def py(self, it: dict[str, Any], c: Context) -> bool | None:
        """True, False or None (unknown) for one item."""

    @abstractmethod
    def pl(self, c: Context) -> pl.Expr:
        """The same predicate on ``pl.element()``."""

    def __and__(self, other: Pred) -> Pred:
        return And(self, other)


def _f(name: str) -> pl.Expr:
    return pl.element().struct.field(name)


@dataclass
class In(Pred):
    name: str
    values: tuple[Any, ...]

    @property
    def fields(self):  # type: ignore[override]
        return (self.name,)

    def py(self, it, c):
        v = it.get(self.name)
        return None if v is None else v in self.values

    def pl(self, c):
        return _f(self.name).is_in(list(self.values))


@dataclass
class Is(Pred):
    """A boolean item attribute is true (``want=True``) or false."""

    name: str
    want: bool = True

    @property
    def fields(self):  # type: ignore[override]
        return (self.name,)

    def py(self, it, c):
        v = it.get(self.name)
        return None if v is None else v is self.want

    def pl(self, c):
        e = _f(self.name)
        return e if self.want else ~e


@dataclass
class Cmp(Pred):
    """item[name] op bound, where bound is a function of the context (a date or a year)."""

    name: str
    op: str
    bound: Callable[[Context], Any]

    @property
    def fields(self):  # type: ignore[override]
        return (self.name,)

    def py(self, it, c):
        v = it.get(self.name)
        if v is None:
            return None
        b = self.bound(c)
        return {"<=": v <= b, "<": v < b, ">=": v >= b, ">": v > b}[self.op]

    def pl(self, c):
        e, b = _f(self.name), pl.lit(self.bound(c))
        return {"<=": e <= b, "<": e < b, ">=": e >= b, ">": e > b}[self.op]


class Held(Pred):
    """The enterprise holds the item on ``as_of`` (schema 1.3): not transferred away by then and not
    held as a plain licensee. Both facts are optional and their absence means held — never unknown,
    so records without them count as before. An exclusive licensee counts (高企认定 accepts 独占许可)."""

    fields = ("transferred_out_on", "held_as")

    def py(self, it, c):
        out = it.get("transferred_out_on")
        return not ((out is not None and out <= c.as_of) or it.get("held_as") == "licensee")

    def pl(self, c):
        gone = (_f("transferred_out_on") <= pl.lit(c.as_of)).fill_null(False)
        licensee = (_f("held_as") == "licensee").fill_null(False)
        return ~(gone | licensee)


class And(Pred):
    def __init__(self, *preds: Pred):
        self.preds = preds
        self.fields = tuple(dict.fromkeys(f for p in preds for f in p.fields))

    def py(self, it, c):
        return _and(*(p.py(it, c) for p in self.preds))

    def pl(self, c):
        out = self.preds[0].pl(c)
        for p in self.preds[1:]:
            out = out & p.pl(c)
        return out


class Or(Pred):
    def __init__(self, *preds: Pred):
        self.preds = preds
        self.fields = tuple(dict.fromkeys(f for p in preds for f in p.fields))

    def py(self, it, c):
        return _or(*(p.py(it, c) for p in self.preds))

    def pl(self, c):
        out = self.preds[0].pl(c)
        for p in self.preds[1:]:
            out = out | p.pl(c)
        return out


class Not(Pred):
    def __init__(self, pred: Pred):
        self.pred, self.fields = pred, pred.fields

    def py(self, it, c):
        return _not(self.pred.py(it, c))

    def pl(self, c):
        return ~self.pred.pl(c)


class Count(Node):
    """Number of items of a list satisfying a predicate (lower bound; ``hi`` the upper bound)."""

    def __init__(self, list_name: str, pred: Pred):
        self.list_name, self.pred = list_name, pred
        self.facts = (list_name, *(f"{list_name}[].{f}" for f in pred.fields))

    def py_range(self, r, c) -> tuple[int | None, int | None]:
        items = r.get(self.list_name)
        if items is None:
            return None, None
        vals = [self.pred.py(it, c) for it in items]
        return sum(v is True for v in vals), sum(v is not False for v in vals)

    def py(self, r, c):
        return self.py_range(r, c)[0]

    def pl_range(self, c) -> tuple[pl.Expr, pl.Expr]:
        p = self.pred.pl(c)
        col = pl.col(self.list_name)
        lo = col.list.eval(p.fill_null(False).cast(pl.Int64)).list.sum()
        hi = col.list.eval(p.fill_null(True).cast(pl.Int64)).list.sum()
        return lo, hi

    def pl(self, c):
        return self.pl_range(c)[0]


class AmountSum(Node):
    """Sum of an item amount over the items satisfying a predicate (lower and upper bound; an
    unknown amount of an item that may count makes the upper bound infinite)."""

    def __init__(self, list_name: str, amount: str, pred: Pred):
        self.list_name, self.amount, self.pred = list_name, amount, pred
        self.facts = (list_name, f"{list_name}[].{amount}", *(f"{list_name}[].{f}" for f in pred.fields))

    def py_range(self, r, c):
        items = r.get(self.list_name)
        if items is None:
            return None, None
        lo = hi = 0.0
        for it in items:
            v, a = self.pred.py(it, c), it.get(self.amount)
            if v is True and a is not None:
                lo += a
            if v is not False:
                hi += INF if a is None else a
        return lo, hi

    def py(self, r, c):
        return self.py_range(r, c)[0]

    def pl_range(self, c):
        p, a = self.pred.pl(c), _f(self.amount).cast(pl.Float64)
        col = pl.col(self.list_name)
        lo = col.list.eval(pl.when(p.fill_null(False)).then(a.fill_null(0.0)).otherwise(0.0)).list.sum()
        hi = col.list.eval(pl.when(p.fill_null(True)).then(a.fill_null(INF)).otherwise(0.0)).list.sum()
        return lo, hi

    def pl(self, c):
        return self.pl_range(c)[0]
