"""Node-by-node evaluation of a standard on one enterprise's features, and result formatting.

Plain Python over the rule data: the straightforward reference the vectorised batch path is checked
(and benchmarked) against. Status codes: 0 met, 1 manual_review, 2 unknown, 3 unmet.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from .rules import Clause, Standard
from .schema import Context

MET, MANUAL, UNKNOWN, UNMET = 0, 1, 2, 3
STATUS = ("met", "manual_review", "unknown", "unmet")
#: any_of prefers met, then unknown (could still be met), then manual_review, then unmet.
ANY_RANK = (0, 2, 1, 3)


@dataclass
class NodeResult:
    status: int
    value: Any = None
    lo: float | None = None
    hi: float | None = None


def compare(v: Any, op: str, t: Any) -> bool:
    if op == "is_true":
        return v is True or v == 1
    if op == "is_false":
        return v is False or v == 0
    if op == "in":
        return v in t
    if op == "not_in":
        return v not in t
    return {">=": v >= t, ">": v > t, "<=": v <= t, "<": v < t, "==": v == t, "!=": v != t}[op]


def band_index(c: Clause, v: Any) -> int:
    v = float(v)
    for i, b in enumerate(c.bands):
        if b.contains(v):
            return i
    raise AssertionError(f"{c.id}: value {v} in no band (the loader guarantees full coverage)")


def expert_number(experts: dict[str, Any], cid: str) -> float | None:
    x = experts.get(cid)
    if isinstance(x, bool) or not isinstance(x, int | float) or math.isnan(x):
        return None
    return x


def _decided(lo, hi) -> bool:
    return lo == hi


def _score_status(lo, hi, children_unknown: bool) -> int:
    if lo == hi:
        return MET if lo > 0 else UNMET
    return UNKNOWN if children_unknown else MANUAL


_SUBTREE_FEATURES: dict[int, tuple[Clause, frozenset[str]]] = {}


def subtree_features(c: Clause) -> frozenset[str]:
    """The features the score nodes under ``c`` read (cached per node object)."""
    hit = _SUBTREE_FEATURES.get(id(c))
    if hit is not None and hit[0] is c:
        return hit[1]
    out = frozenset(n.feature for n in c.walk() if n.kind == "score")
    _SUBTREE_FEATURES[id(c)] = (c, out)
    return out


def score_node(c: Clause, feats: dict[str, Any], experts: dict[str, Any],
               res: dict[str, NodeResult] | None = None, reuse: dict[str, NodeResult] | None = None,
               changed: str | None = None) -> NodeResult:
    """Score ``c`` (a node of a standard's score tree) and its children on one enterprise's
    features, recording each node's result in ``res`` when given. Gap analysis re-scores only the
    subtree it changes with this: with ``reuse`` (results on the unchanged features) and ``changed``
    (the one feature that differs), subtrees that do not read ``changed`` are taken from ``reuse``."""
    if reuse is not None and changed not in subtree_features(c):
        r = reuse[c.id]
        if res is not None:
            res[c.id] = r
        return r
    if c.kind == "score":
        v = feats.get(c.feature)
        if v is None:
            r = NodeResult(UNKNOWN, None, 0, c.max_points)
        else:
            vh = feats.get(f"{c.feature}__hi", v)
            b1, b2 = c.bands[band_index(c, v)], c.bands[band_index(c, vh)]
            lo, hi = min(b1.points[0], b2.points[0]), max(b1.points[1], b2.points[1])
            r = NodeResult(_score_status(lo, hi, b1 is not b2), v, lo, hi)
    elif c.kind == "expert":
        r = NodeResult(MANUAL, None, c.min_points, c.max_points)
    else:
        kids = [score_node(ch, feats, experts, res, reuse, changed) for ch in c.children]
        unk = any(k.status == UNKNOWN for k in kids)
        if c.kind == "score_sum":
            lo, hi = sum(k.lo for k in kids), sum(k.hi for k in kids)
            if c.capped:
                lo, hi = min(lo, c.max_points), min(hi, c.max_points)
        else:
            lo, hi = max(k.lo for k in kids), max(k.hi for k in kids)
        r = NodeResult(_score_status(lo, hi, unk), None, lo, hi)
    if c.kind in ("score", "expert", "score_max") and r.status == MANUAL:
        x = expert_number(experts, c.id)
        if x is not None and r.lo <= x <= r.hi:
            r = NodeResult(MET if x > 0 else UNMET, x if c.kind == "expert" else r.value, x, x)
    if res is not None:
        res[c.id] = r
    return r


def eval_nodes(std: Standard, feats: dict[str, Any], experts: dict[str, Any]) -> dict[str, NodeResult]:
    """Evaluate every node of a standard on one enterprise's features."""
    res: dict[str, NodeResult] = {}

    def status(c: Clause) -> NodeResult:
        if c.kind == "condition":
            v = feats.get(c.feature)
            if v is None:
                r = NodeResult(UNKNOWN, None)
            else:
                vh = feats.get(f"{c.feature}__hi", v)
                a, b = compare(v, c.op, c.value), compare(vh, c.op, c.value)
                r = NodeResult((MET if a else UNMET) if a == b else UNKNOWN, v)
        elif c.kind == "points":
            t = res[c.target]
            a, b = compare(t.lo, c.op, c.value), compare(t.hi, c.op, c.value)
            st = (MET if a else UNMET) if a == b else (UNKNOWN if t.status == UNKNOWN else MANUAL)
            r = NodeResult(st, None, t.lo, t.hi)
        elif c.kind == "manual":
            x = experts.get(c.id)
            r = NodeResult(MANUAL if not isinstance(x, bool) else (MET if x else UNMET), x if isinstance(x, bool) else None)
        else:
            kids = [status(ch) for ch in c.children]
            if c.kind == "all_of":
                st = max(k.status for k in kids)
            else:
                st = min((k.status for k in kids), key=lambda s: ANY_RANK[s])
            r = NodeResult(st)
        res[c.id] = r
        return r

    if std.score is not None:
        score_node(std.score, feats, experts, res)
    status(std.root)
    return res


# ---------------------------------------------------------------------------------------------
# Formatting


def clean_number(x: Any) -> Any:
    """Integral floats as ints (so both paths print 20, not 20.0); everything else unchanged."""
    if isinstance(x, float) and x.is_integer() and abs(x) < 1e15:
        return int(x)
    return x


def _points_out(r: NodeResult) -> Any:
    if r.lo is None:
        return None
    if r.lo == r.hi:
        return clean_number(r.lo)
    return [clean_number(r.lo), clean_number(r.hi)]


def threshold_of(c: Clause, r: NodeResult) -> Any:
    if c.kind == "condition":
        if c.op == "is_true":
            return True
        if c.op == "is_false":
            return False
        return c.value
    if c.kind == "points":
        return c.value
    if c.kind == "score" and r.value is not None and r.status != UNKNOWN:
        b = c.bands[band_index(c, r.value)]
        edge = b.lo if c.better == "higher" else b.hi
        return clean_number(float(edge)) if edge is not None else None
    return None


def clause_out(std: Standard, c: Clause, r: NodeResult) -> dict[str, Any]:
    value = r.value
    if c.kind == "points":
        value = _points_out(r)
    elif isinstance(value, float):
        value = clean_number(value)
    return {
        "id": c.id, "title": c.title, "status": STATUS[r.status], "value": value,
        "threshold": threshold_of(c, r),
        "points": _points_out(r) if c.is_score else None,
        "source": f"{std.document} {c.source}".strip() if c.source else std.document,
    }


def assemble(std: Standard, ctx: Context, uscc: Any, res: dict[str, NodeResult],
             gaps: list[dict[str, str]]) -> dict[str, Any]:
    root = res[std.root.id]
    score = score_range = None
    if std.score is not None:
        s = res[std.score.id]
        if s.lo == s.hi:
            score = clean_number(s.lo)
        else:
            score_range = [clean_number(s.lo), clean_number(s.hi)]
    direct = res.get(f"{std.id}.direct")
    route = "direct" if direct is not None and direct.status == MET else std.route_kind
    return {
        "uscc": uscc, "standard": std.family, "version": std.id, "as_of": ctx.as_of.isoformat(),
        "status": STATUS[root.status], "score": score, "score_range": score_range, "route": route,
        "clauses": [clause_out(std, c, res[c.id]) for c in std.nodes()],
        "gaps": gaps,
    }
