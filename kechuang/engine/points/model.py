"""Innovation-points models as versioned plain data (TOML or JSON), checked on load.

A model (``schema = 1``) holds:

* ``stages``: the life-cycle stages (初创期 / 成长期 / 稳定期), each decided by ``when``, a list of
  boxes ``{fact = {min = a, below = b}}`` (``min`` inclusive, ``below`` exclusive, either may be
  left out); an enterprise is in the stage one of whose boxes holds all its facts. Boxes of two
  stages must not overlap (refused on load); ``fallback_stage`` takes an enterprise no box holds
  (e.g. registration date unknown);
* ``groups``: the first-level indicators (技术创新, 成长经营, 辅助) with a weight per stage — they
  sum to 1 in each stage;
* ``indicators``: the second-level indicators, each with its group, its ``formula`` over the
  facts (:mod:`.facts`), its ``direction`` (``higher`` or ``lower`` is better), a weight per stage
  (they sum to 1 within each group and stage), ``weight_status`` (``official`` where the
  published table gives the weight, else ``provisional``) and its ``source``;
* ``normalisation``: ``percentile`` or ``minmax`` against the reference population (对照库),
  ``within`` the stage or the whole population, ``knots`` kept for the percentile grid and
  ``missing_score`` for an indicator nobody knows (零填报: the lowest, 0);
* ``bonus`` and ``negative`` items (local pilots' 加分项 / 负面清单): a condition ``formula op
  value`` and the points it adds or takes, the bonus capped by ``bonus_cap``;
* ``bands``: the bands points fall in (``min`` points each, one band at 0).

:func:`load_model` returns a :class:`PointsModel` or raises one :class:`PointsModelError`
listing every problem with where it is (``indicators[3] rd_ratio: …``).
"""

from __future__ import annotations

import json
import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .facts import FACTS_BY_NAME
from .formula import Formula, FormulaError, compile_formula

SCHEMA_VERSION = 1
DATA_DIR = Path(__file__).with_name("data")
DIRECTIONS = ("higher", "lower")
METHODS = ("percentile", "minmax")
WITHIN = ("stage", "all")
WEIGHT_STATUSES = ("official", "provisional")
OPS = (">=", ">", "<=", "<", "==", "!=")
TOLERANCE = 1e-6


class PointsModelError(ValueError):
    """A model that cannot be loaded; ``problems`` lists each with its place."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass(frozen=True)
class Stage:
    id: str
    label: str
    label_en: str
    boxes: tuple[dict[str, tuple[float, float]], ...]


@dataclass(frozen=True)
class Group:
    id: str
    label: str
    label_en: str
    weights: dict[str, float]


@dataclass(frozen=True)
class Indicator:
    id: str
    group: str
    label: str
    label_en: str
    formula: Formula
    direction: str
    weights: dict[str, float]
    weight_status: str
    source: str
    unit: str = ""


@dataclass(frozen=True)
class Item:
    """A bonus or negative item: ``formula op value`` gives ``points``."""
    id: str
    label: str
    label_en: str
    formula: Formula
    op: str
    value: float
    points: float
    source: str = ""


@dataclass(frozen=True)
class Band:
    id: str
    label: str
    label_en: str
    min: float


@dataclass(frozen=True)
class PointsModel:
    code: str
    version: str
    name: str
    name_en: str
    scope: str  # "national" or "local"
    region_code: str
    source: str
    scale: float
    stages: tuple[Stage, ...]
    fallback_stage: str
    groups: tuple[Group, ...]
    indicators: tuple[Indicator, ...]
    method: str
    within: str
    knots: int
    missing_score: float
    min_reference: int
    bonus: tuple[Item, ...]
    negative: tuple[Item, ...]
    bonus_cap: float
    bands: tuple[Band, ...]  # ascending by min
    raw: dict[str, Any] = field(repr=False, compare=False, default_factory=dict)

    @property
    def stage_ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.stages)

    def group_weight(self, group: str, stage: str) -> float:
        return next(g.weights[stage] for g in self.groups if g.id == group)

    def effective_weight(self, ind: Indicator, stage: str) -> float:
        """Points an indicator's score of 100 is worth in ``stage`` (scale × group × own weight / 100)."""
        return self.scale * self.group_weight(ind.group, stage) * ind.weights[stage] / 100.0

    def to_json(self) -> str:
        return json.dumps(self.raw, ensure_ascii=False, sort_keys=True)


def _label(node: dict, key: str = "label") -> tuple[str, str]:
    return str(node.get(key) or ""), str(node.get(f"{key}_en") or node.get(key) or "")


def _interval(spec: Any) -> tuple[float, float] | None:
    if not isinstance(spec, dict) or set(spec) - {"min", "below"}:
        return None
    lo, hi = spec.get("min", -math.inf), spec.get("below", math.inf)
    if not all(isinstance(x, int | float) and not isinstance(x, bool) for x in (lo, hi)) or lo >= hi:
        return None
    return float(lo), float(hi)


def _overlap(a: dict[str, tuple[float, float]], b: dict[str, tuple[float, float]]) -> bool:
    for fact in set(a) | set(b):
        lo1, hi1 = a.get(fact, (-math.inf, math.inf))
        lo2, hi2 = b.get(fact, (-math.inf, math.inf))
        if max(lo1, lo2) >= min(hi1, hi2):
            return False
    return True


def _box_text(box: dict[str, tuple[float, float]]) -> str:
    return ", ".join(f"{lo:g} ≤ {f} < {hi:g}" for f, (lo, hi) in sorted(box.items())) or "everything"


def load_model(source: str | Path | dict[str, Any], *, fmt: str | None = None) -> PointsModel:
    """Load a model from a path, a TOML/JSON text (``fmt`` "toml" or "json") or a parsed dict."""
    if isinstance(source, Path):
        fmt = fmt or ("json" if source.suffix == ".json" else "toml")
        source = source.read_text(encoding="utf-8")
    if isinstance(source, str):
        try:
            doc = json.loads(source) if fmt == "json" else tomllib.loads(source)
        except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
            raise PointsModelError([f"cannot parse the model ({fmt or 'toml'}): {exc}"]) from None
    else:
        doc = source
    if not isinstance(doc, dict):
        raise PointsModelError(["the model must be a table/object"])
    return _check(doc)


def _check(doc: dict[str, Any]) -> PointsModel:  # noqa: C901 - one pass that lists every problem
    p: list[str] = []
    if doc.get("schema") != SCHEMA_VERSION:
        raise PointsModelError([f"schema: expected {SCHEMA_VERSION}, got {doc.get('schema')!r}"])
    for key in ("code", "version", "name"):
        if not isinstance(doc.get(key), str) or not doc.get(key):
            p.append(f"{key}: missing")
    scope = doc.get("scope", "national")
    if scope not in ("national", "local"):
        p.append(f"scope: {scope!r} is not national or local")
    region = str(doc.get("region_code") or "")
    if scope == "local" and not (len(region) == 6 and region.isdigit()):
        p.append("region_code: a local model needs its 6-digit region code")
    scale = doc.get("scale", 100)
    if not isinstance(scale, int | float) or scale <= 0:
        p.append(f"scale: {scale!r} must be a positive number")
        scale = 100

    # stages
    stages: list[Stage] = []
    for i, s in enumerate(doc.get("stages") or []):
        sid = s.get("id") if isinstance(s, dict) else None
        where = f"stages[{i}] {sid or ''}".strip()
        if not isinstance(sid, str) or not sid:
            p.append(f"{where}: missing id")
            continue
        boxes = []
        for j, box in enumerate(s.get("when") or []):
            parsed = {}
            for fact, spec in (box.items() if isinstance(box, dict) else []):
                if fact not in FACTS_BY_NAME:
                    p.append(f"{where} when[{j}]: unknown fact {fact!r}")
                    continue
                iv = _interval(spec)
                if iv is None:
                    p.append(f"{where} when[{j}] {fact}: expected {{min = a, below = b}} with a < b")
                    continue
                parsed[fact] = iv
            boxes.append(parsed)
        if not boxes:
            p.append(f"{where}: no rule (when) decides this stage")
        stages.append(Stage(sid, *_label(s), tuple(boxes)))
    ids = [s.id for s in stages]
    if len(ids) != len(set(ids)):
        p.append("stages: duplicate stage id")
    if not stages:
        p.append("stages: at least one stage")
    for a in range(len(stages)):
        for b in range(a + 1, len(stages)):
            for ba in stages[a].boxes:
                for bb in stages[b].boxes:
                    if _overlap(ba, bb):
                        p.append(f"stages: rules of {stages[a].id} ({_box_text(ba)}) and {stages[b].id} "
                                 f"({_box_text(bb)}) overlap: an enterprise would be in both")
    fallback = doc.get("fallback_stage", ids[0] if ids else "")
    if fallback not in ids:
        p.append(f"fallback_stage: {fallback!r} is not a stage")

    def weights(node: dict, where: str) -> dict[str, float]:
        w = node.get("weights")
        if not isinstance(w, dict):
            p.append(f"{where}: weights missing (one per stage: {', '.join(ids)})")
            return {s: 0.0 for s in ids}
        out = {}
        for s in ids:
            v = w.get(s)
            if not isinstance(v, int | float) or isinstance(v, bool) or v < 0:
                p.append(f"{where}: weight for stage {s} missing or negative")
                v = 0.0
            out[s] = float(v)
        for extra in set(w) - set(ids):
            p.append(f"{where}: weight for unknown stage {extra!r}")
        return out

    groups = []
    for i, g in enumerate(doc.get("groups") or []):
        gid = g.get("id") if isinstance(g, dict) else None
        if not isinstance(gid, str) or not gid:
            p.append(f"groups[{i}]: missing id")
            continue
        groups.append(Group(gid, *_label(g), weights(g, f"groups[{i}] {gid}")))
    gids = {g.id for g in groups}
    for s in ids:
        total = sum(g.weights[s] for g in groups)
        if abs(total - 1.0) > TOLERANCE:
            p.append(f"groups: weights for stage {s} sum to {total:g}, not 1")

    indicators = []
    group_sums: list[tuple[str, dict[str, float]]] = []  # every indicator's weights, even one refused
    for i, ind in enumerate(doc.get("indicators") or []):
        iid = ind.get("id") if isinstance(ind, dict) else None
        where = f"indicators[{i}] {iid or ''}".strip()
        if not isinstance(iid, str) or not iid:
            p.append(f"{where}: missing id")
            continue
        if ind.get("group") not in gids:
            p.append(f"{where}: unknown group {ind.get('group')!r}")
        ind_weights = weights(ind, where)
        group_sums.append((str(ind.get("group")), ind_weights))
        try:
            formula = compile_formula(ind.get("formula"))
        except FormulaError as exc:
            p.append(f"{where}: formula {ind.get('formula')!r}: {exc}")
            continue
        direction = ind.get("direction", "higher")
        if direction not in DIRECTIONS:
            p.append(f"{where}: direction {direction!r} (allowed: higher, lower)")
        status = ind.get("weight_status", "provisional")
        if status not in WEIGHT_STATUSES:
            p.append(f"{where}: weight_status {status!r} (allowed: official, provisional)")
        if not ind.get("source"):
            p.append(f"{where}: source missing (where the indicator and its weight come from)")
        indicators.append(Indicator(iid, str(ind.get("group")), *_label(ind), formula, direction,
                                    ind_weights, status, str(ind.get("source") or ""),
                                    str(ind.get("unit") or "")))
    iids = [x.id for x in indicators]
    if len(iids) != len(set(iids)):
        p.append("indicators: duplicate indicator id")
    for g in groups:
        members = [w for gid, w in group_sums if gid == g.id]
        if not members:
            p.append(f"groups {g.id}: no indicator")
            continue
        for s in ids:
            total = sum(w[s] for w in members)
            if abs(total - 1.0) > TOLERANCE:
                p.append(f"indicators of group {g.id}: weights for stage {s} sum to {total:g}, not 1")

    norm = doc.get("normalisation") or {}
    method, within = norm.get("method", "percentile"), norm.get("within", "stage")
    if method not in METHODS:
        p.append(f"normalisation.method {method!r} (allowed: percentile, minmax)")
    if within not in WITHIN:
        p.append(f"normalisation.within {within!r} (allowed: stage, all)")
    knots = norm.get("knots", 101)
    if not isinstance(knots, int) or not 3 <= knots <= 10001:
        p.append("normalisation.knots: an integer from 3 to 10001")
        knots = 101
    missing_score = norm.get("missing_score", 0)
    if not isinstance(missing_score, int | float) or not 0 <= missing_score <= 100:
        p.append("normalisation.missing_score: from 0 to 100")
        missing_score = 0
    min_reference = norm.get("min_reference", 30)

    def items(key: str) -> list[Item]:
        out = []
        for i, it in enumerate(doc.get(key) or []):
            iid = it.get("id") if isinstance(it, dict) else None
            where = f"{key}[{i}] {iid or ''}".strip()
            if not isinstance(iid, str) or not iid:
                p.append(f"{where}: missing id")
                continue
            try:
                formula = compile_formula(it.get("formula"))
            except FormulaError as exc:
                p.append(f"{where}: formula {it.get('formula')!r}: {exc}")
                continue
            if it.get("op") not in OPS:
                p.append(f"{where}: op {it.get('op')!r} (allowed: {' '.join(OPS)})")
            value, points = it.get("value"), it.get("points")
            if not isinstance(value, int | float) or isinstance(value, bool):
                p.append(f"{where}: value must be a number")
                value = 0
            if not isinstance(points, int | float) or points <= 0:
                p.append(f"{where}: points must be a positive number")
                points = 0
            out.append(Item(iid, *_label(it), formula, str(it.get("op")), float(value), float(points),
                            str(it.get("source") or "")))
        return out

    bonus, negative = items("bonus"), items("negative")
    item_ids = [x.id for x in bonus + negative]
    if len(item_ids) != len(set(item_ids)) or set(item_ids) & set(iids):
        p.append("bonus/negative: duplicate id")
    bonus_cap = doc.get("bonus_cap", sum(b.points for b in bonus))

    bands = []
    for i, b in enumerate(doc.get("bands") or []):
        if not isinstance(b, dict) or not b.get("id") or not isinstance(b.get("min"), int | float):
            p.append(f"bands[{i}]: needs id and min")
            continue
        bands.append(Band(str(b["id"]), *_label(b), float(b["min"])))
    bands.sort(key=lambda b: b.min)
    if not bands or bands[0].min != 0:
        p.append("bands: one band must start at 0")
    if len({b.min for b in bands}) != len(bands):
        p.append("bands: two bands start at the same points")
    if p:
        raise PointsModelError(p)
    return PointsModel(
        code=doc["code"], version=doc["version"], name=doc["name"], name_en=str(doc.get("name_en") or doc["name"]),
        scope=scope, region_code=region, source=str(doc.get("source") or ""), scale=float(scale),
        stages=tuple(stages), fallback_stage=fallback, groups=tuple(groups), indicators=tuple(indicators),
        method=method, within=within, knots=knots, missing_score=float(missing_score),
        min_reference=int(min_reference), bonus=tuple(bonus), negative=tuple(negative),
        bonus_cap=float(bonus_cap), bands=tuple(bands), raw=doc)


def bundled_models() -> dict[str, PointsModel]:
    """The models shipped with the engine (``data/*.toml``), by ``code``."""
    out = {}
    for path in sorted(DATA_DIR.glob("*.toml")):
        m = load_model(path)
        out[m.code] = m
    return out
