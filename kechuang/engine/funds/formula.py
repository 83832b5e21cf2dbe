"""The amount formula of a programme: a small arithmetic language over named facts.

``0.5 * interest_paid``, ``min(0.03 * tech_contract_amount, 1000000)``, ``100000``: numbers, fact
names, ``+ - * /``, unary minus, parentheses and ``min(…)`` / ``max(…)`` with two or more
arguments. Anything else (attributes, calls of other functions, comparisons, strings) is refused,
and so is a name that is not a known fact: the checks run when the programme is loaded, never
while claims are computed. One parsed formula gives a Python function (the per-claim path) and a
Polars expression (the batch path) that do the same float operations in the same order, so both
paths agree to the cent.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import polars as pl

_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}
_FUNCS = ("min", "max")


class FormulaError(ValueError):
    """A formula that does not parse or refers to something other than known facts."""


@dataclass(frozen=True)
class Formula:
    """A checked formula and the facts it reads."""

    text: str
    tree: ast.expr
    facts: tuple[str, ...]

    def __call__(self, facts: dict[str, Any]) -> float | None:
        """The value for one claim's facts; ``None`` when a fact it reads is unknown (``None``)."""
        try:
            return float(_eval(self.tree, facts))
        except _Missing:
            return None

    def expr(self) -> pl.Expr:
        """The same formula as a Polars expression over columns named after the facts."""
        return _expr(self.tree).cast(pl.Float64)


class _Missing(Exception):
    pass


def parse_formula(text: Any, known: Iterable[str]) -> Formula:
    """Parse and check ``text``; raises :class:`FormulaError` naming the first problem."""
    if isinstance(text, int | float) and not isinstance(text, bool):
        text = repr(text)
    if not isinstance(text, str) or not text.strip():
        raise FormulaError("the formula must be a non-empty text such as “0.5 * interest_paid”")
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except SyntaxError as exc:
        raise FormulaError(f"formula “{text}” does not parse: {exc.msg}") from None
    known = tuple(known)
    names: list[str] = []

    def check(node: ast.AST) -> None:
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, int | float):
                raise FormulaError(f"formula “{text}”: only numbers are allowed as constants (got {node.value!r})")
        elif isinstance(node, ast.Name):
            if node.id not in known:
                raise FormulaError(f"formula “{text}” refers to unknown fact “{node.id}” "
                                   f"(known facts for this basis: {', '.join(known) or 'none'})")
            if node.id not in names:
                names.append(node.id)
        elif isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            check(node.left)
            check(node.right)
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            check(node.operand)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _FUNCS:
            if node.keywords or len(node.args) < 2:
                raise FormulaError(f"formula “{text}”: {node.func.id}() needs two or more arguments")
            for a in node.args:
                check(a)
        else:
            raise FormulaError(f"formula “{text}”: “{ast.unparse(node)}” is not allowed "
                               "(numbers, facts, + - * /, min() and max() only)")

    check(tree)
    return Formula(text=text.strip(), tree=tree, facts=tuple(names))


def _eval(node: ast.expr, facts: dict[str, Any]) -> float:
    if isinstance(node, ast.Constant):
        return float(node.value)
    if isinstance(node, ast.Name):
        v = facts.get(node.id)
        if v is None:
            raise _Missing(node.id)
        return float(v)
    if isinstance(node, ast.BinOp):
        a, b = _eval(node.left, facts), _eval(node.right, facts)
        op = _BINOPS[type(node.op)]
        if op == "/":
            return a / b if b else 0.0
        return a + b if op == "+" else a - b if op == "-" else a * b
    if isinstance(node, ast.UnaryOp):
        return -_eval(node.operand, facts)
    assert isinstance(node, ast.Call)
    args = [_eval(a, facts) for a in node.args]
    return min(args) if node.func.id == "min" else max(args)


def _expr(node: ast.expr) -> pl.Expr:
    if isinstance(node, ast.Constant):
        return pl.lit(float(node.value), pl.Float64)
    if isinstance(node, ast.Name):
        return pl.col(node.id).cast(pl.Float64)
    if isinstance(node, ast.BinOp):
        a, b = _expr(node.left), _expr(node.right)
        op = _BINOPS[type(node.op)]
        if op == "/":
            return pl.when(b == 0).then(pl.lit(0.0)).otherwise(a / b)
        return a + b if op == "+" else a - b if op == "-" else a * b
    if isinstance(node, ast.UnaryOp):
        return -_expr(node.operand)
    assert isinstance(node, ast.Call)
    args = [_expr(a) for a in node.args]
    return pl.min_horizontal(args) if node.func.id == "min" else pl.max_horizontal(args)


Evaluator = Callable[[dict[str, Any]], float | None]
