"""Indicator formulas: arithmetic over facts, compiled twice (Polars and plain Python).

A formula is a short expression such as ``rd_expense / operating_revenue`` or
``operating_revenue / operating_revenue_prev - 1``: fact names, numbers, ``+ - * /``, unary minus,
parentheses and ``min(a, b)`` / ``max(a, b)``. Nothing else parses (no attribute, call or name
outside the fact catalogue), so a model file cannot run code. Unknown facts are refused on load.

Both compiled forms give the same float for the same facts: an unknown operand gives unknown, and
a division by zero gives unknown (a ratio with no denominator is not known, not infinite).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import polars as pl

from .facts import FACTS_BY_NAME

_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}
_FUNCS = ("min", "max")


class FormulaError(ValueError):
    """A formula that does not parse or names something unknown."""


@dataclass(frozen=True)
class Formula:
    text: str
    facts: tuple[str, ...]
    expr: pl.Expr
    func: Callable[[Mapping[str, float | None]], float | None]


def _py_div(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def _py_bin(op):
    def f(a, b):
        if a is None or b is None:
            return None
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        return a * b
    return f


def _py_minmax(name):
    def f(a, b):
        if a is None or b is None:
            return None
        return (a if a <= b else b) if name == "min" else (a if a >= b else b)
    return f


def compile_formula(text: str, known: Mapping[str, object] = FACTS_BY_NAME) -> Formula:
    """Parse and compile ``text``; raises :class:`FormulaError` naming the problem."""
    if not isinstance(text, str) or not text.strip():
        raise FormulaError("empty formula")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise FormulaError(f"cannot parse {text!r}: {exc.msg}") from None
    names: list[str] = []

    def build(node) -> tuple[pl.Expr, Callable]:
        if isinstance(node, ast.Expression):
            return build(node.body)
        if isinstance(node, ast.Name):
            if node.id not in known:
                raise FormulaError(f"unknown fact {node.id!r}")
            names.append(node.id)
            name = node.id
            return pl.col(name).cast(pl.Float64), (lambda f: f.get(name))
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float) and not isinstance(node.value, bool):
            v = float(node.value)
            return pl.lit(v, dtype=pl.Float64), (lambda f: v)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            e, g = build(node.operand)
            return -e, (lambda f: None if (x := g(f)) is None else -x)
        if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            op = _BINOPS[type(node.op)]
            (le, lg), (re, rg) = build(node.left), build(node.right)
            if op == "/":
                pf = _py_div
                expr = pl.when(re != 0).then(le / re).otherwise(None)
            else:
                pf = _py_bin(op)
                expr = le + re if op == "+" else (le - re if op == "-" else le * re)
            return expr, (lambda f: pf(lg(f), rg(f)))
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _FUNCS
                and len(node.args) == 2 and not node.keywords):
            (ae, ag), (be, bg) = build(node.args[0]), build(node.args[1])
            name = node.func.id
            pf = _py_minmax(name)
            pick = (ae <= be) if name == "min" else (ae >= be)
            expr = (pl.when(ae.is_null() | be.is_null()).then(pl.lit(None, dtype=pl.Float64))
                    .when(pick).then(ae).otherwise(be))
            return expr, (lambda f: pf(ag(f), bg(f)))
        raise FormulaError(f"not allowed in a formula: {ast.unparse(node) if hasattr(ast, 'unparse') else node!r}")

    expr, func = build(tree)
    return Formula(text=text.strip(), facts=tuple(dict.fromkeys(names)), expr=expr, func=func)
