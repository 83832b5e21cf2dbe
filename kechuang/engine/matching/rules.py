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

import re
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


# --- the reasons in English ------------------------------------------------------------------
# The engine cannot use Django's catalogue, so the second language of its reasons is data here:
# each sentence the matcher writes (``describe`` above, the amount, term, price and record lines of
# ``match.match_one``) has one pattern, and ``reason_en`` rewrites a Chinese reason into English,
# values included (是/否, size classes, districts, 万元). The Django layer picks the language.

_SIZE_EN = {"微型": "micro", "小型": "small", "中型": "medium", "大型": "large"}
_REGION_EN = {"济南市": "Jinan", **{d.name_zh: d.name_en for d in DISTRICTS}}
_WORD_EN = {"是": "yes", "否": "no", "—": "—", "属于": "in", "不属于": "not in", "为": "is", "不为": "is not"}
_WAN_TEXT = re.compile(r"^(?P<n>[\d,]+)万元$")
_YUAN_TEXT = re.compile(r"^(?P<n>[\d,]+)元$")


def yuan_en(text: str) -> str:
    """An amount as ``_yuan`` writes it (``1,000万元``, ``500元``) in English (``CNY 10.00 m``)."""
    m = _WAN_TEXT.match(text)
    if m:
        return f"CNY {float(m['n'].replace(',', '')) / 100:,.2f} m"
    m = _YUAN_TEXT.match(text)
    if m:
        return f"CNY {m['n']}"
    return text


def shown_en(text: str) -> str:
    """A value as :func:`shown` wrote it, in English (lists joined by 、 become comma lists)."""
    parts = text.split("、")
    return ", ".join(_WORD_EN.get(p) or _SIZE_EN.get(p) or _REGION_EN.get(p) or p for p in parts)


def _label_en(label: str) -> str:
    """A condition's label: a feature's Chinese name by its English one; a product's own clause
    title (the institution's words, user data) as written."""
    for f in MATCH_FEATURES.values():
        if f.zh == label:
            return f.en
    return label


def _want_en(text: str) -> str:
    for zh in ("不属于", "属于", "不为", "为"):
        if text.startswith(zh + " "):
            return f"{_WORD_EN[zh]} {shown_en(text[len(zh) + 1:])}"
    return shown_en(text)


_REASONS: tuple[tuple[re.Pattern[str], Any], ...] = tuple((re.compile(p), f) for p, f in (
    (r"^产品类型不符：股权需求对应投资机构，债权需求对应贷款、担保、保险产品$",
     lambda m: "Product type does not fit: equity demands go to investors, debt demands to loan, "
               "guarantee and insurance products"),
    (r"^金额 (?P<a>\S+) 不在产品额度 (?P<lo>\S+)–(?P<hi>\S+) 内$",
     lambda m: f"Amount {yuan_en(m['a'])} outside the product's range {yuan_en(m['lo'])}–{yuan_en(m['hi'])}"),
    (r"^金额 (?P<a>\S+) 在产品额度 (?P<lo>\S+)–(?P<hi>\S+) 内$",
     lambda m: f"Amount {yuan_en(m['a'])} within the product's range {yuan_en(m['lo'])}–{yuan_en(m['hi'])}"),
    (r"^期限 (?P<t>\d+) 个月不在产品期限 (?P<lo>\d+)–(?P<hi>\d+) 个月内$",
     lambda m: f"Term of {m['t']} months outside the product's {m['lo']}–{m['hi']} months"),
    (r"^期限 (?P<t>\d+) 个月在产品期限 (?P<lo>\d+)–(?P<hi>\d+) 个月内$",
     lambda m: f"Term of {m['t']} months within the product's {m['lo']}–{m['hi']} months"),
    (r"^符合：(?P<label>.+)（(?P<v>[^（）]*)）$",
     lambda m: f"Meets: {_label_en(m['label'])} ({shown_en(m['v'])})"),
    (r"^待核实：(?P<label>.+)——平台暂无 (?P<f>.+) 数据$",
     lambda m: f"To verify: {_label_en(m['label'])} — the platform has no {_label_en(m['f'])} data"),
    (r"^不符合：(?P<label>.+)（要求 (?P<want>.*)，实际 (?P<v>[^（）]*)）$",
     lambda m: f"Does not meet: {_label_en(m['label'])} (required {_want_en(m['want'])}, actual {shown_en(m['v'])})"),
    (r"^不符合准入条件$", lambda m: "Does not meet the product's eligibility"),
    (r"^年化费率 (?P<r>[\d.]+)%$", lambda m: f"Annual rate {m['r']}%"),
    (r"^机构平台记录：接单率 (?P<p>\d+)%，平均 (?P<d>[\d.]+) 个工作日接单，获批率 (?P<a>\d+)%$",
     lambda m: f"Institution's record on the platform: picks up {m['p']}% of requests in "
               f"{m['d']} working days on average, approves {m['a']}%"),
    (r"^机构在平台上暂无办理记录（按中性值计）$",
     lambda m: "No record of the institution on the platform yet (counted as neutral)"),
))


def reason_en(text: str) -> str:
    """A matching reason in English; a text no pattern knows is returned as given (and a test keeps
    every sentence the matcher writes known)."""
    for pattern, english in _REASONS:
        m = pattern.match(text)
        if m:
            return english(m)
    return text
