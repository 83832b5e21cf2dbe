"""The talent valuation model (人才价值评估) as versioned data, checked on load.

A model is a JSON document (``data/*.json``): four groups on the 才/彩/采/财 structure (才 ability,
彩 honours and recognition, 采 output, 财 economic contribution), each with a weight; indicators in
each group, each reading one *known* person fact (:data:`FACTS`) and scoring it 0–100 either by
``levels`` (a categorical fact) or by half-open numeric ``bands`` ``[min, max)``; and the ``value``
section that turns the 0–100 score into a value RANGE in yuan (piecewise-linear anchors, a spread
that widens with the share of missing facts). Every weight is marked provisional: the 四CAI model
of 济南高新区 is closed, so nothing here is an official number.

:func:`load_model` refuses, with every problem found (each a coded :class:`Problem`): group weights
not summing to 1, indicator weights not summing to 1 within a group, an indicator on an unknown fact
or of an unknown group, levels that do not match the fact's vocabulary, overlapping or unordered
bands, anchors not increasing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).parent / "data"
TOLERANCE = 1e-6

#: The person facts a model may read: name → (kind, vocabulary for categorical facts, label).
FACTS: dict[str, tuple[str, tuple[str, ...], str]] = {
    "degree": ("level", ("none", "college", "bachelor", "master", "phd"), "最高学历"),
    "institution_tier": ("level", ("other", "key", "top"), "毕业院校层次"),
    "title_level": ("level", ("none", "junior", "intermediate", "deputy_senior", "senior"), "专业技术职称"),
    "honour_level": ("level", ("none", "city", "provincial", "national"), "人才工程与荣誉层级"),
    "honour_count": ("number", (), "人才工程与荣誉数"),
    "invention_count": ("number", (), "发明专利（发明人）"),
    "other_ip_count": ("number", (), "其他知识产权"),
    "project_level": ("level", ("none", "city", "provincial", "national"), "承担项目最高层级"),
    "project_lead_count": ("number", (), "主持项目数"),
    "insurance_years": ("number", (), "社保连续缴纳年限"),
    "tenure_years": ("number", (), "在现单位工作年限"),
    "annual_salary": ("number", (), "年薪"),
    "insurance_base": ("number", (), "社保缴费基数（月）"),
    "equity_share": ("number", (), "持股比例（%）"),
    "attributable_revenue": ("number", (), "可归属营业收入"),
}


@dataclass(frozen=True)
class Problem:
    """One reason a model or a person's facts are refused: a code, where, and why."""

    code: str
    where: str
    reason: str

    def __str__(self) -> str:
        return f"[{self.code}] {self.where}: {self.reason}"


class TalentModelError(ValueError):
    """The model does not load; ``problems`` lists every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


@dataclass(frozen=True)
class Band:
    min: float
    max: float | None
    score: float

    def holds(self, x: float) -> bool:
        return x >= self.min and (self.max is None or x < self.max)


@dataclass(frozen=True)
class Indicator:
    id: str
    group: str
    label: str
    fact: str
    weight: float
    levels: dict[str, float] = field(default_factory=dict)
    bands: tuple[Band, ...] = ()
    unit: str = ""
    label_en: str = ""

    def score(self, value: Any) -> float | None:
        """The 0–100 score of ``value`` (``None`` when the fact is unknown)."""
        if value is None:
            return None
        if self.levels:
            return self.levels.get(str(value))
        x = float(value)
        for b in self.bands:
            if b.holds(x):
                return b.score
        return self.bands[0].score if x < self.bands[0].min else None


@dataclass(frozen=True)
class Group:
    id: str
    label: str
    weight: float
    label_en: str = ""


@dataclass(frozen=True)
class TalentModel:
    code: str
    version: str
    name: str
    weights_status: str
    source: str
    groups: tuple[Group, ...]
    indicators: tuple[Indicator, ...]
    anchors: tuple[tuple[float, float], ...]
    spread: float
    missing_spread: float
    round_to: float
    lift_at: float
    drag_below: float
    raw: dict[str, Any]

    def group(self, gid: str) -> Group:
        return next(g for g in self.groups if g.id == gid)

    def effective_weight(self, ind: Indicator) -> float:
        """The indicator's share of the whole 0–100 score (group weight × weight in the group)."""
        return self.group(ind.group).weight * ind.weight

    def to_json(self) -> str:
        return json.dumps(self.raw, ensure_ascii=False, sort_keys=True)


def _num(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _bands(where: str, raw: Any, problems: list[Problem]) -> tuple[Band, ...]:
    if not isinstance(raw, list) or not raw:
        problems.append(Problem("bad_bands", where, "bands must be a non-empty list"))
        return ()
    out = []
    for i, b in enumerate(raw):
        if not isinstance(b, dict) or not _num(b.get("min")) or not _num(b.get("score")) or (
                b.get("max") is not None and not _num(b.get("max"))):
            problems.append(Problem("bad_bands", f"{where}.bands[{i}]", "each band needs numeric min, score (max optional)"))
            return ()
        if b.get("max") is not None and b["max"] <= b["min"]:
            problems.append(Problem("bad_bands", f"{where}.bands[{i}]", f"max {b['max']} is not above min {b['min']}"))
        if not 0 <= b["score"] <= 100:
            problems.append(Problem("bad_score", f"{where}.bands[{i}]", "score must lie in 0–100"))
        out.append(Band(float(b["min"]), None if b.get("max") is None else float(b["max"]), float(b["score"])))
    ordered = sorted(out, key=lambda b: b.min)
    for a, b in zip(ordered, ordered[1:], strict=False):
        if a.max is None or a.max > b.min:
            problems.append(Problem("overlapping_bands", where,
                                    f"band [{a.min}, {a.max if a.max is not None else '∞'}) overlaps band starting at {b.min}"))
    return tuple(ordered)


def model_from_dict(raw: dict[str, Any]) -> TalentModel:
    """Check ``raw`` and build the model; raises :class:`TalentModelError` with every problem."""
    p: list[Problem] = []
    if not isinstance(raw, dict):
        raise TalentModelError([Problem("bad_model", "$", "the model must be an object")])
    if raw.get("schema") != 1:
        p.append(Problem("bad_schema", "schema", "only schema 1 is known"))
    for key in ("code", "version", "name"):
        if not isinstance(raw.get(key), str) or not raw.get(key):
            p.append(Problem("missing_field", key, "required text"))
    if raw.get("weights_status") not in ("provisional", "official"):
        p.append(Problem("bad_status", "weights_status", "must be provisional or official"))
    groups = []
    for i, g in enumerate(raw.get("groups") or []):
        if not isinstance(g, dict) or not isinstance(g.get("id"), str) or not _num(g.get("weight")):
            p.append(Problem("bad_group", f"groups[{i}]", "needs id and numeric weight"))
            continue
        groups.append(Group(g["id"], str(g.get("label") or g["id"]), float(g["weight"]), str(g.get("label_en") or "")))
    if not groups:
        p.append(Problem("bad_group", "groups", "at least one group"))
    elif abs(sum(g.weight for g in groups) - 1) > TOLERANCE:
        p.append(Problem("weights_not_summing", "groups",
                         f"group weights sum to {sum(g.weight for g in groups):.4f}, not 1"))
    gids = {g.id for g in groups}
    inds: list[Indicator] = []
    seen: set[str] = set()
    for i, d in enumerate(raw.get("indicators") or []):
        where = f"indicators[{i}]"
        if not isinstance(d, dict) or not isinstance(d.get("id"), str):
            p.append(Problem("bad_indicator", where, "needs an id"))
            continue
        where = f"indicators.{d['id']}"
        if d["id"] in seen:
            p.append(Problem("duplicate_indicator", where, "id used twice"))
        seen.add(d["id"])
        if d.get("group") not in gids:
            p.append(Problem("unknown_group", where, f"group {d.get('group')!r} is not declared"))
        fact = d.get("fact")
        if fact not in FACTS:
            p.append(Problem("unknown_fact", where, f"fact {fact!r} is not a known person fact"))
            continue
        if not _num(d.get("weight")) or d["weight"] < 0:
            p.append(Problem("bad_weight", where, "weight must be a non-negative number"))
            continue
        kind, vocab, _label = FACTS[fact]
        levels: dict[str, float] = {}
        bands: tuple[Band, ...] = ()
        if kind == "level":
            lv = d.get("levels")
            if not isinstance(lv, dict) or set(lv) != set(vocab):
                p.append(Problem("bad_levels", where, f"levels must score exactly {', '.join(vocab)}"))
                continue
            if any(not _num(v) or not 0 <= v <= 100 for v in lv.values()):
                p.append(Problem("bad_score", where, "level scores must lie in 0–100"))
            levels = {k: float(v) for k, v in lv.items() if _num(v)}
        else:
            bands = _bands(where, d.get("bands"), p)
            if not bands:
                continue
        inds.append(Indicator(d["id"], d["group"], str(d.get("label") or d["id"]), fact, float(d["weight"]),
                              levels, bands, str(d.get("unit") or ""), str(d.get("label_en") or "")))
    for g in groups:
        mine = [x for x in inds if x.group == g.id]
        if not mine:
            p.append(Problem("empty_group", f"groups.{g.id}", "no indicator"))
        elif abs(sum(x.weight for x in mine) - 1) > TOLERANCE:
            p.append(Problem("weights_not_summing", f"groups.{g.id}",
                             f"indicator weights sum to {sum(x.weight for x in mine):.4f}, not 1"))
    value = raw.get("value") or {}
    anchors = value.get("anchors") or []
    ok = (isinstance(anchors, list) and len(anchors) >= 2
          and all(isinstance(a, list) and len(a) == 2 and all(_num(x) for x in a) for a in anchors))
    if not ok:
        p.append(Problem("bad_anchors", "value.anchors", "at least two [score, yuan] pairs"))
        anchors = []
    else:
        if anchors[0][0] != 0 or anchors[-1][0] != 100:
            p.append(Problem("bad_anchors", "value.anchors", "anchors must run from score 0 to score 100"))
        for a, b in zip(anchors, anchors[1:], strict=False):
            if b[0] <= a[0] or b[1] < a[1]:
                p.append(Problem("bad_anchors", "value.anchors", f"anchor {b} does not follow {a} upwards"))
    for key in ("spread", "missing_spread"):
        if not _num(value.get(key)) or not 0 <= value[key] < 1:
            p.append(Problem("bad_spread", f"value.{key}", "a share in [0, 1)"))
    if p:
        raise TalentModelError(p)
    return TalentModel(
        code=raw["code"], version=raw["version"], name=raw["name"], weights_status=raw["weights_status"],
        source=str(raw.get("source") or ""), groups=tuple(groups), indicators=tuple(inds),
        anchors=tuple((float(a), float(b)) for a, b in anchors), spread=float(value["spread"]),
        missing_spread=float(value["missing_spread"]), round_to=float(value.get("round_to") or 1000),
        lift_at=float(raw.get("lift_at", 70)), drag_below=float(raw.get("drag_below", 40)), raw=raw)


def load_model(text: str) -> TalentModel:
    """Load a model from its JSON text."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TalentModelError([Problem("bad_json", f"line {exc.lineno}", exc.msg)]) from None
    return model_from_dict(raw)


def bundled_model() -> TalentModel:
    """The model shipped with the engine (provisional weights)."""
    return load_model((DATA_DIR / "cai4-2026.json").read_text(encoding="utf-8"))


def programmes() -> dict[str, dict[str, str]]:
    """The reference list of honours and talent programmes: code → {name, level}."""
    raw = json.loads((DATA_DIR / "programmes.json").read_text(encoding="utf-8"))
    return {p["code"]: {"name": p["name"], "level": p["level"]} for p in raw["programmes"]}
