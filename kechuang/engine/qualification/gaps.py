"""Gap analysis: for a standard not met, the smallest concrete changes that would meet it.

Each unmet condition is turned into a change of one fact (found by searching the fact's value with
the same feature definition the evaluation used, so the answer is exact for that definition):
"2 more tech staff", "R&D ratio from 3.4% to 4.0%, i.e. ¥1.2M more R&D", "one Class I IP". An
``any_of`` group asks for its cheapest alternative. A failing score asks for the cheapest band
upgrade(s) that reach the pass mark, each found by re-scoring. Missing facts are named.
"""

from __future__ import annotations

import functools
import math
from typing import Any

from .expr import Col, Count
from .features import FEATURES, fact_path
from .nodes import MANUAL, MET, UNKNOWN, UNMET, NodeResult, compare, score_node
from .rules import Clause, Standard
from .schema import LIST_FIELDS, Context, Issue, year_col

IMPOSSIBLE = 100.0  # cost of a change the enterprise cannot make by itself (age, limits, vetoes)


def money(x: float) -> tuple[str, str]:
    """¥ amounts: Chinese in 万元, English in K/M."""
    if abs(x) >= 1e4:
        zh = f"¥{x / 1e4:,.1f}万"
    else:
        zh = f"¥{x:,.0f}"
    if abs(x) >= 1e6:
        en = f"¥{x / 1e6:,.2f}M"
    elif abs(x) >= 1e3:
        en = f"¥{x / 1e3:,.1f}K"
    else:
        en = f"¥{x:,.0f}"
    return zh, en


def show(feature: str, v: Any, en: bool = False) -> str:
    f = FEATURES[feature]
    if v is None:
        return "?"
    if f.unit == "ratio":
        return f"{v * 100:.1f}%"
    if f.unit == "yuan":
        return money(v)[1 if en else 0]
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


def _fact_col(template: str) -> str | None:
    """``years[{y0}].rd_expense`` → ``rd_expense_y0``; a scalar fact → its own name."""
    if template.startswith("years[{y"):
        k = int(template[8])
        return year_col(template.split(".", 1)[1], k)
    if "[" in template or "." in template or template in LIST_FIELDS:
        return None
    return template


@functools.lru_cache(maxsize=1024)
def _fact_label(template: str) -> str:
    col = _fact_col(template) or template
    for name, f in FEATURES.items():
        if isinstance(f.node, Col) and f.node.fact == template:
            return f.title_zh
        if name == col:
            return f.title_zh
    base = template.split(".")[-1]
    return {"tech_staff": "科技人员", "rd_staff": "研发人员", "employees": "职工总数", "rd_expense": "研发费用",
            "total_liabilities": "负债总额", "main_business_revenue": "主营业务收入",
            "operating_revenue": "营业收入", "sales_revenue": "销售收入", "net_profit": "净利润",
            "high_tech_revenue": "高新技术产品（服务）收入", "rd_expense_domestic": "境内研发费用",
            "total_assets": "资产总额", "tech_conversions": "科技成果转化数"}.get(base, base)


def missing_facts(feature: str, row: dict[str, Any], ctx: Context) -> list[str]:
    """The facts a feature needs that the record does not give (fact paths with the real years)."""
    node = FEATURES[feature].node
    out: list[str] = []
    for t in node.facts:
        col = _fact_col(t)
        if col is not None:
            if row.get(col) is None:
                out.append(fact_path(t, ctx))
        elif "[]." in t:
            lst, attr = t.split("[].")
            items = row.get(lst)
            if items is not None and any(it.get(attr) is None for it in items):
                out.append(t)
        elif row.get(t) is None:
            out.append(t)
    return out or [fact_path(t, ctx) for t in node.facts[:1]]


def _gap(cid: str, zh: str, en: str, cost: float) -> dict[str, Any]:
    return {"clause": cid, "needed": f"{zh} / {en}", "_cost": cost}


def _solve(feature: str, op: str, t: float, row: dict[str, Any], ctx: Context) -> tuple[str, float, float] | None:
    """Search the smallest change of the feature's lever fact that satisfies ``feature op t``.

    Returns (fact template, current value, change) or ``None`` when no change of that fact helps."""
    f = FEATURES[feature]
    lv = f.lever
    col = _fact_col(lv.fact) if lv.fact else None
    if lv.kind not in ("amount", "ratio", "growth") or col is None:
        return None
    cur = row.get(col)
    if not isinstance(cur, int | float):
        return None
    up = op in (">=", ">")
    den_col = _fact_col(lv.den) if (lv.subset and lv.den) else None
    node = f.node

    def ok(x: float) -> bool:
        r = dict(row)
        r[col] = cur + x if up else cur - x
        if den_col is not None and r.get(den_col) is not None:
            r[den_col] = r[den_col] + x
        v = node.py(r, ctx)
        return v is not None and compare(v, op, t)

    if ok(0):
        return lv.fact, cur, 0.0
    hi = max(1.0, abs(cur))
    limit = cur if not up else math.inf  # cannot cut an amount below zero
    for _ in range(80):
        if hi > limit:
            hi = limit
            if not ok(hi):
                return None
            break
        if ok(hi):
            break
        hi *= 2
    else:
        return None
    lo = 0.0
    if lv.integer:
        lo_i, hi_i = 0, math.ceil(hi)
        while hi_i - lo_i > 1:
            mid = (lo_i + hi_i) // 2
            lo_i, hi_i = (lo_i, mid) if ok(mid) else (mid, hi_i)
        return lv.fact, cur, float(hi_i)
    for _ in range(100):
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if ok(mid) else (mid, hi)
        if hi - lo <= max(1.0, abs(cur) * 1e-9) * 0.5:
            break
    return lv.fact, cur, math.ceil(hi)


def propose(cid: str, feature: str, op: str, t: Any, row: dict[str, Any], feats: dict[str, Any],
            ctx: Context, title: str) -> dict[str, Any]:
    """One gap entry making ``feature op t`` true."""
    f = FEATURES[feature]
    v = feats.get(feature)
    if op in ("is_true", "is_false", "in", "not_in"):
        return _gap(cid, f"需满足：{title}", f"required: {f.title_en}", IMPOSSIBLE / 2)
    if f.dtype == "count" and op in (">=", ">"):
        k = int(t - v + (1 if op == ">" else 0))
        return _gap(cid, f"再取得 {k} 项{f.title_zh}", f"{k} more: {f.title_en}", k * f.lever.weight)
    if f.dtype == "count" and op in ("==", "<=", "<"):
        return _gap(cid, f"不得有：{f.title_zh}（当前 {v} 项）", f"must have none: {f.title_en} (now {v})", IMPOSSIBLE)
    if f.lever.kind == "amount" and f.lever.fact and _fact_col(f.lever.fact) is None and v is not None and op in (">=", ">"):
        mz, me = money(t - v)
        return _gap(cid, f"{f.title_zh}再增加 {mz}（当前 {show(feature, v)}）",
                    f"{f.title_en}: {me} more (now {show(feature, v, True)})", 1 + (t - v) / max(abs(t), 1.0))
    solved = _solve(feature, op, t, row, ctx) if op in (">=", ">", "<=", "<") else None
    if solved is None:
        return _gap(cid, f"{f.title_zh}需{op}{show(feature, t)}（当前 {show(feature, v)}）",
                    f"{f.title_en} must be {op} {show(feature, t, True)} (now {show(feature, v, True)})", IMPOSSIBLE)
    fact, cur, delta = solved
    label = _fact_label(fact)
    path = fact_path(fact, ctx)
    more = op in (">=", ">")
    verb_zh, verb_en = ("增加", "more") if more else ("减少", "less")
    if f.lever.integer and f.lever.subset:
        zh = f"再增加 {delta:g} 名{label}"
        en = f"{delta:g} more {_en(path)}"
    elif f.lever.integer:
        zh, en = f"{label}{verb_zh} {delta:g}", f"{delta:g} {verb_en} {_en(path)}"
    else:
        mz, me = money(delta)
        zh, en = f"{label}{verb_zh} {mz}（{path}）", f"{me} {verb_en} {_en(path)} ({path})"
    if f.unit == "ratio" or f.lever.kind == "growth" or feature != _fact_col(fact):
        zh = f"{f.title_zh}从 {show(feature, v)} 提高到 {show(feature, t)}，即{zh}" if more else \
            f"{f.title_zh}从 {show(feature, v)} 降到 {show(feature, t)}，即{zh}"
        en = f"{f.title_en} from {show(feature, v, True)} to {show(feature, t, True)}, i.e. {en}"
    return _gap(cid, zh, en, 1 + delta / max(abs(cur), 1.0))


_EN = {"rd_expense": "R&D", "tech_staff": "tech staff", "rd_staff": "R&D staff", "employees": "employees",
       "total_liabilities": "liabilities", "main_business_revenue": "main-business revenue",
       "operating_revenue": "operating revenue", "sales_revenue": "sales revenue", "net_profit": "net profit",
       "high_tech_revenue": "high-tech income", "rd_expense_domestic": "domestic R&D",
       "total_assets": "total assets", "tech_conversions": "tech conversions"}


def _en(path: str) -> str:
    base = path.split(".")[-1]
    return _EN.get(base, base.replace("_", " "))


def _unknown(cid: str, feature: str, row, ctx, issues: list[Issue]) -> dict[str, Any]:
    facts = missing_facts(feature, row, ctx)
    msgs = [i for i in issues if i.fact in facts]
    zh = "缺少事实：" + "、".join(facts)
    en = "missing fact(s): " + ", ".join(facts)
    if msgs:
        zh += "（" + "；".join(i.message_zh for i in msgs) + "）"
        en += " (" + "; ".join(i.message_en for i in msgs) + ")"
    return _gap(cid, zh, en, 1.0)


def _score_gap(std: Standard, node: Clause, res: dict[str, NodeResult], row, feats, ctx, experts,
               issues) -> list[dict[str, Any]]:
    target = res[node.target]
    need_lo = node.value + (1 if node.op == ">" else 0)
    out: list[dict[str, Any]] = []
    tnode = next(c for c in std.score.walk() if c.id == node.target)
    leaves = [c for c in tnode.walk() if c.kind == "score"]
    for c in leaves:
        if res[c.id].status == UNKNOWN:
            out.append(_unknown(c.id, c.feature, row, ctx, issues))
    if target.hi < need_lo:
        pass  # even the best expert opinion cannot reach the mark: data must change
    elif target.lo >= need_lo or out:
        if not out and target.lo < need_lo:
            out.append(_gap(node.id, "需专家评审", "needs expert review", 1.0))
        return out
    current = dict(feats)
    lo_now = target.lo
    chosen: list[dict[str, Any]] = []
    # A proposal depends only on the leaf, the band edge and the leaf's current value (the facts
    # searched are the record's), so it is computed once across the rounds.
    proposals: dict[tuple[str, str, Any, Any], dict[str, Any]] = {}
    for _ in range(6):
        cands = []
        r: dict[str, NodeResult] = {}
        score_node(tnode, current, experts, r)
        for c in leaves:
            if r[c.id].status == UNKNOWN or current.get(c.feature) is None:
                continue
            cur_band = r[c.id].lo
            for b in c.bands:
                if b.points[0] <= cur_band:
                    continue
                edge = b.lo if c.better == "higher" else b.hi
                op = (">=" if b.lo_incl else ">") if c.better == "higher" else ("<=" if b.hi_incl else "<")
                if edge is None:
                    continue
                trial = dict(current)
                trial[c.feature] = edge if op in (">=", "<=") else edge + (1e-9 if op == ">" else -1e-9)
                trial.pop(f"{c.feature}__hi", None)
                gain = score_node(tnode, trial, experts, reuse=r, changed=c.feature).lo - lo_now
                if gain <= 0:
                    continue
                key = (c.id, op, edge, current.get(c.feature))
                if key not in proposals:
                    proposals[key] = propose(c.id, c.feature, op, edge, row, current, ctx, c.title)
                g = dict(proposals[key])
                cands.append((g["_cost"], -gain, gain, g, trial, c))
        if not cands:
            break
        enough = [x for x in cands if lo_now + x[2] >= need_lo]
        pick = min(enough, key=lambda x: (x[0], x[1])) if enough else min(cands, key=lambda x: (x[0] / x[2], x[1]))
        cost, _, gain, g, trial, c = pick
        g["needed"] = g["needed"].replace(" / ", f"（{c.title} +{gain:g}分） / ", 1) + f" (+{gain:g} points)"
        chosen.append(g)
        current, lo_now = trial, lo_now + gain
        if lo_now >= need_lo:
            return out + chosen
    return out + chosen + [_gap(node.id, f"得分仍差 {need_lo - lo_now:g} 分", f"still {need_lo - lo_now:g} points short", IMPOSSIBLE)]


def gaps_for(std: Standard, res: dict[str, NodeResult], row: dict[str, Any], feats: dict[str, Any],
             ctx: Context, issues: list[Issue]) -> list[dict[str, str]]:
    """The gap list of one result (empty when met)."""
    if res[std.root.id].status == MET:
        return []
    experts = row.get("expert_scores") or {}

    def need(c: Clause) -> list[dict[str, Any]]:
        r = res[c.id]
        if r.status == MET:
            return []
        if c.kind == "condition":
            if r.status == UNKNOWN:
                return [_unknown(c.id, c.feature, row, ctx, issues)]
            return [propose(c.id, c.feature, c.op, c.value, row, feats, ctx, c.title)]
        if c.kind == "manual":
            return [_gap(c.id, f"需人工审核：{c.title}", f"needs a reviewer's judgement: {c.title_en or c.title}", 5.0)]
        if c.kind == "points":
            if r.status == MANUAL:
                experts_left = _expert_nodes(std, c.target, res)
                return [_gap(c.id, "需专家评分：" + "、".join(n.title for n in experts_left),
                             "needs expert scores: " + ", ".join(n.title_en or n.title for n in experts_left), 5.0)]
            return _score_gap(std, c, res, row, feats, ctx, experts, issues)
        kids = [need(ch) for ch in c.children if res[ch.id].status != MET]
        if c.kind == "all_of":
            return [g for k in kids for g in k]
        kids = [k for k in kids if k]
        if not kids:
            return []
        return min(kids, key=lambda k: sum(g["_cost"] for g in k))

    out = need(std.root)
    seen, clean = set(), []
    for g in out:
        key = (g["clause"], g["needed"])
        if key not in seen:
            seen.add(key)
            clean.append({"clause": g["clause"], "needed": g["needed"]})
    return clean


def _expert_nodes(std: Standard, target: str, res: dict[str, NodeResult]) -> list[Clause]:
    tnode = next(c for c in std.score.walk() if c.id == target)
    return [c for c in tnode.walk() if c.kind in ("expert", "score") and res[c.id].status == MANUAL]


__all__ = ["gaps_for", "propose", "missing_facts", "money", "UNMET", "Count"]
