"""Product eligibility in the qualification engine's rule language.

An eligibility is a list of clauses, exactly the shape of a standard's ``eligibility`` in
``kechuang.engine.qualification`` (``{id, kind, title, feature, op, value}``, kinds ``condition``,
``all_of``, ``any_of``), read into the engine's own :class:`~kechuang.engine.qualification.rules.Clause`
and evaluated with its ``compare`` (one demand) and its Polars comparison (a batch), with its
status precedence: all_of = worst of unmet > unknown > met, any_of = best of met > unknown > unmet.
Only the feature catalogue is the marketplace's (:mod:`.features`). ``confidence`` is optional
here: a product's terms are the institution's own, not a reading of a policy text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from kechuang.engine.qualification.batch import _cmp as condition_expr
from kechuang.engine.qualification.errors import RuleError
from kechuang.engine.qualification.nodes import MET, UNKNOWN, UNMET, compare
from kechuang.engine.qualification.rules import OPS, Clause
from kechuang.synthetic.tables import CITY_CODE, DISTRICTS

from .features import MATCH_FEATURES

KINDS = ("condition", "all_of", "any_of")
_KEYS = {"id", "kind", "title", "title_en", "source", "confidence", "note", "feature", "op", "value", "clauses"}


@dataclass(frozen=True)
class Eligibility:
    """A product's eligibility: the root ``all_of`` over its clauses (empty = everyone)."""

    root: Clause
    raw: tuple[dict[str, Any], ...]

    def conditions(self) -> list[Clause]:
        return [c for c in self.root.walk() if c.kind == "condition"]


def load_eligibility(raw: list[dict[str, Any]] | None, where: str = "eligibility") -> Eligibility:
    """Check and load an eligibility; raises one :class:`RuleError` listing every problem."""
    problems: list[str] = []
    ids: set[str] = set()

    def clause(node: Any, path: str) -> Clause | None:
        if not isinstance(node, dict):
            problems.append(f"{path}: a clause must be an object")
            return None
        cid = node.get("id")
        if not isinstance(cid, str) or not cid:
            problems.append(f"{path}: missing clause id")
            cid = path
        elif cid in ids:
            problems.append(f"{cid}: duplicate clause id")
        ids.add(cid)
        extra = set(node) - _KEYS
        if extra:
            problems.append(f"{cid}: unknown field(s) {', '.join(sorted(extra))}")
        kind = node.get("kind")
        if kind not in KINDS:
            problems.append(f"{cid}: unknown kind {kind!r} (allowed: {', '.join(KINDS)})")
            return None
        if not node.get("title"):
            problems.append(f"{cid}: missing title")
        kw = {k: node.get(k, "") for k in ("title", "title_en", "source", "confidence", "note")}
        if kind != "condition":
            items = node.get("clauses")
            if not isinstance(items, list) or not items:
                problems.append(f"{cid}: a group needs a non-empty list of clauses")
                return Clause(cid, kind, **kw)
            kids = [clause(it, f"{cid}[{i}]") for i, it in enumerate(items)]
            return Clause(cid, kind, children=tuple(k for k in kids if k is not None), **kw)
        feature, op, value = node.get("feature"), node.get("op"), node.get("value")
        feat = MATCH_FEATURES.get(feature)
        if feat is None:
            problems.append(f"{cid}: unknown feature {feature!r} (known: {', '.join(MATCH_FEATURES)})")
        if op not in OPS:
            problems.append(f"{cid}: unknown operator {op!r} (known: {', '.join(OPS)})")
        elif op in ("is_true", "is_false"):
            if feat is not None and feat.dtype != "bool":
                problems.append(f"{cid}: operator {op} needs a yes/no feature; {feature} is a {feat.dtype}")
        elif op in ("in", "not_in"):
            if not isinstance(value, list) or not value:
                problems.append(f"{cid}: operator {op} needs a non-empty list value")
        else:
            if feat is not None and feat.dtype == "bool":
                problems.append(f"{cid}: feature {feature} is yes/no; use is_true or is_false")
            elif feat is not None and feat.dtype == "number" and not _is_num(value):
                problems.append(f"{cid}: operator {op} needs a numeric value (got {value!r})")
            elif feat is not None and feat.dtype == "string" and op not in ("==", "!="):
                problems.append(f"{cid}: feature {feature} is text; use ==, !=, in or not_in")
        return Clause(cid, "condition", feature=feature, op=op,
                      value=tuple(value) if isinstance(value, list) else value, **kw)

    items = raw or []
    if not isinstance(items, list):
        raise RuleError(where, ["eligibility must be a list of clauses"])
    kids = [clause(it, f"{where}[{i}]") for i, it in enumerate(items)]
    if problems:
        raise RuleError(where, problems)
    root = Clause(where, "all_of", title="准入条件", title_en="eligibility",
                  children=tuple(k for k in kids if k is not None))
    return Eligibility(root=root, raw=tuple(items))


def _is_num(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def evaluate(elig: Eligibility, feats: dict[str, Any]) -> tuple[int, list[tuple[Clause, int, Any]]]:
    """Status of one enterprise (MET / UNKNOWN / UNMET) and each condition's (clause, status, value)."""
    out: list[tuple[Clause, int, Any]] = []

    def status(c: Clause) -> int:
        if c.kind == "condition":
            v = feats.get(c.feature)
            st = UNKNOWN if v is None else (MET if compare(v, c.op, c.value) else UNMET)
            out.append((c, st, v))
            return st
        kids = [status(ch) for ch in c.children]
        if not kids:
            return MET
        # codes 0 met < 2 unknown < 3 unmet: all_of takes the worst, any_of the best (ANY_RANK)
        return max(kids) if c.kind == "all_of" else min(kids)

    return status(elig.root), out


def status_expr(elig: Eligibility) -> pl.Expr:
    """The same status as a Polars expression over a demand frame (Int8)."""

    def node(c: Clause) -> pl.Expr:
        if c.kind == "condition":
            col = pl.col(c.feature)
            value = list(c.value) if isinstance(c.value, tuple) else c.value
            hit = condition_expr(col, c.op, value)
            return (pl.when(col.is_null()).then(pl.lit(UNKNOWN, pl.Int8))
                    .when(hit).then(pl.lit(MET, pl.Int8)).otherwise(pl.lit(UNMET, pl.Int8)))
        if not c.children:
            return pl.lit(MET, pl.Int8)
        kids = [node(ch) for ch in c.children]
        return pl.max_horizontal(kids) if c.kind == "all_of" else pl.min_horizontal(kids)

    return node(elig.root).cast(pl.Int8)


#: Enterprise size classes and region codes as a reason shows them (the page's words, not codes).
_SIZE_ZH = {"micro": "微型", "small": "小型", "medium": "中型", "large": "大型"}
_REGION_ZH = {CITY_CODE: "济南市", **{d.code: d.name_zh for d in DISTRICTS}}
_OP_ZH = {"in": "属于", "not_in": "不属于", "==": "为", "!=": "不为"}


def shown(v: Any) -> str:
    """A feature value in a reason: booleans as 是/否, size classes and region codes by name."""
    if v is None:
        return "—"
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, list | tuple):
        return "、".join(shown(x) for x in v)
    text = str(v)
    return _SIZE_ZH.get(text) or _REGION_ZH.get(text) or text


def describe(c: Clause, st: int, v: Any) -> str:
    """One line on a condition's outcome, Chinese first."""
    f = MATCH_FEATURES.get(c.feature)
    label = c.title or (f.zh if f else c.feature)
    want = {"is_true": "是", "is_false": "否"}.get(c.op, f"{_OP_ZH.get(c.op, c.op)} {shown(c.value)}")
    v = shown(v)
    if st == MET:
        return f"符合：{label}（{v}）"
    if st == UNKNOWN:
        return f"待核实：{label}——平台暂无 {f.zh if f else c.feature} 数据"
    return f"不符合：{label}（要求 {want}，实际 {v}）"
