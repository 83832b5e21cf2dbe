"""IP valuation models as versioned data: the model, the loader with its checks, the registry.

A model (TOML, JSON or a dict; see ``models/ip-pledge-2023.toml``) follows the structure of
GB/T 42748-2023《专利评估指引》: three first-level indicators (legal, technical, economic value) with
scenario weights, indicators scored from facts of the ``ip[]`` section (bands) or by experts (score
ranges), and the income approach's assumptions. The loader checks everything before a model is
used and raises one :class:`ModelError` listing every problem.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from kechuang.engine.ruledoc import read_rule_doc
from .errors import ModelError, UnknownModelError

SCHEMA_VERSION = 1
DIMENSIONS = ("legal", "technical", "economic")
#: The fact formulas an indicator may name, each over one ``ip[]`` item (see ``value.py``):
#: fact → (Chinese name, English name, the item fields it reads).
FACTS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "remaining_years": ("剩余保护期（年）", "remaining term (years)", ("expires_on", "filed_on", "type")),
    "claims": ("权利要求数", "number of claims", ("claims",)),
    "citations": ("被引用次数", "forward citations", ("citations",)),
    "family_size": ("同族专利数", "patent family size", ("family_size",)),
    "litigations": ("涉诉及无效案件数", "litigation and invalidation cases", ("litigations",)),
    "licences": ("许可次数", "licences granted", ("licences",)),
    "attributable_revenue": ("专利产品年收入（元）", "annual revenue from the patent (yuan)", ("attributable_revenue",)),
    "class_i": ("Ⅰ类知识产权", "class I IP", ("type",)),
    "industrializable": ("应用于主营业务", "in use in the main business", ("industrializable",)),
}
SOURCES = ("GB/T 42748-2023", "provisional")
_TOP = {"schema", "id", "family", "title_zh", "title_en", "document", "effective_from", "scenario", "terms",
        "dimensions", "indicators", "income", "notes"}
_DIM = {"id", "title_zh", "title_en", "weight", "source"}
_IND = {"id", "dimension", "title_zh", "title_en", "kind", "fact", "weight", "bands", "range", "source", "note"}
_INCOME = {"share_low", "share_high", "growth", "discount", "life_cap", "source", "note_zh", "note_en"}
_TOL = 1e-9


@dataclass(frozen=True)
class Dimension:
    id: str
    title_zh: str
    title_en: str
    weight: float
    source: str


@dataclass(frozen=True)
class Indicator:
    """A scored indicator: from a fact through ``bands`` ((from, score), ascending), or an expert's
    score ``range`` (the default before anyone judges it)."""
    id: str
    dimension: str
    title_zh: str
    title_en: str
    kind: str
    weight: float
    source: str
    fact: str | None = None
    bands: tuple[tuple[float, float], ...] = ()
    range: tuple[float, float] = (0.0, 100.0)

    @property
    def score_bounds(self) -> tuple[float, float]:
        """The lowest and highest score the indicator can give (an unknown fact's range)."""
        if self.kind == "expert":
            return self.range
        scores = [s for _, s in self.bands]
        return (min(scores), max(scores))

    def score(self, value: float) -> float:
        out = self.bands[0][1]
        for start, points in self.bands:
            if value >= start:
                out = points
        return out


@dataclass(frozen=True)
class Income:
    """The income approach's assumptions: low / mid / high triples for growth, discount, life cap."""
    share_low: float
    share_high: float
    growth: tuple[float, float, float]
    discount: tuple[float, float, float]
    life_cap: tuple[float, float, float]
    source: str
    note_zh: str
    note_en: str


@dataclass(frozen=True)
class ValuationModel:
    schema: int
    id: str
    family: str
    title_zh: str
    title_en: str
    document: str
    effective_from: str
    scenario: str
    terms: dict[str, int]
    dimensions: tuple[Dimension, ...]
    indicators: tuple[Indicator, ...]
    income: Income

    def indicators_of(self, dimension: str) -> tuple[Indicator, ...]:
        return tuple(i for i in self.indicators if i.dimension == dimension)

    def to_dict(self) -> dict[str, Any]:
        """The model as plain JSON (stored beside each valuation, so a result names its weights)."""
        return {
            "schema": self.schema, "id": self.id, "family": self.family, "scenario": self.scenario,
            "document": self.document, "terms": dict(self.terms),
            "dimensions": [{"id": d.id, "weight": d.weight, "source": d.source} for d in self.dimensions],
            "indicators": [{"id": i.id, "dimension": i.dimension, "kind": i.kind, "fact": i.fact,
                            "weight": i.weight, "source": i.source, "bands": [list(b) for b in i.bands],
                            "range": list(i.range)} for i in self.indicators],
            "income": {"share_low": self.income.share_low, "share_high": self.income.share_high,
                       "growth": list(self.income.growth), "discount": list(self.income.discount),
                       "life_cap": list(self.income.life_cap), "source": self.income.source},
        }


def _num(v) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _triple(raw: dict, key: str, problems: list[str], lo: float, hi: float) -> tuple[float, float, float]:
    v = raw.get(key)
    if not (isinstance(v, list) and len(v) == 3 and all(_num(x) and lo <= x <= hi for x in v)):
        problems.append(f"income.{key}: needs three numbers (low, mid, high) between {lo} and {hi}, got {v!r}")
        return (0.0, 0.0, 0.0)
    return tuple(float(x) for x in v)


def _load_dimensions(data: dict, problems: list[str]) -> tuple[Dimension, ...]:
    dims = []
    for n, raw in enumerate(data.get("dimensions") or []):
        where = f"dimensions[{n}]"
        if unknown := set(raw) - _DIM:
            problems.append(f"{where}: unknown keys {sorted(unknown)}")
        if raw.get("id") not in DIMENSIONS:
            problems.append(f"{where}.id: must be one of {DIMENSIONS}, got {raw.get('id')!r}")
        if not (_num(raw.get("weight")) and 0 <= raw["weight"] <= 1):
            problems.append(f"{where}.weight: must be a number in [0, 1], got {raw.get('weight')!r}")
        if raw.get("source") not in SOURCES:
            problems.append(f"{where}.source: must be one of {SOURCES}, got {raw.get('source')!r}")
        dims.append(Dimension(str(raw.get("id")), str(raw.get("title_zh", "")), str(raw.get("title_en", "")),
                              float(raw["weight"]) if _num(raw.get("weight")) else 0.0, str(raw.get("source"))))
    if sorted(d.id for d in dims) != sorted(DIMENSIONS):
        problems.append(f"dimensions: need exactly one of each of {DIMENSIONS}, got {[d.id for d in dims]}")
    elif abs(sum(d.weight for d in dims) - 1) > _TOL:
        problems.append(f"dimensions: weights sum to {sum(d.weight for d in dims):g}, not 1")
    return tuple(dims)


def _load_indicator(n: int, raw: dict, problems: list[str]) -> Indicator:
    where = f"indicators[{n}] ({raw.get('id', '?')})"
    if unknown := set(raw) - _IND:
        problems.append(f"{where}: unknown keys {sorted(unknown)}")
    kind = raw.get("kind")
    if kind not in ("fact", "expert"):
        problems.append(f"{where}.kind: must be 'fact' or 'expert', got {kind!r}")
    if raw.get("dimension") not in DIMENSIONS:
        problems.append(f"{where}.dimension: must be one of {DIMENSIONS}, got {raw.get('dimension')!r}")
    if not (_num(raw.get("weight")) and 0 <= raw["weight"] <= 1):
        problems.append(f"{where}.weight: must be a number in [0, 1], got {raw.get('weight')!r}")
    if raw.get("source") not in SOURCES:
        problems.append(f"{where}.source: must be one of {SOURCES}, got {raw.get('source')!r}")
    bands: tuple = ()
    rng = (0.0, 100.0)
    if kind == "fact":
        if raw.get("fact") not in FACTS:
            problems.append(f"{where}.fact: unknown fact {raw.get('fact')!r}; known: {sorted(FACTS)}")
        raw_bands = raw.get("bands")
        if not (isinstance(raw_bands, list) and raw_bands and all(
                isinstance(b, list) and len(b) == 2 and all(_num(x) for x in b) for b in raw_bands)):
            problems.append(f"{where}.bands: needs a list of [from, score] pairs, got {raw_bands!r}")
        else:
            bands = tuple((float(a), float(b)) for a, b in raw_bands)
            if any(b[0] >= c[0] for b, c in zip(bands, bands[1:], strict=False)):
                problems.append(f"{where}.bands: 'from' values must strictly ascend")
            if any(not 0 <= s <= 100 for _, s in bands):
                problems.append(f"{where}.bands: scores must be within 0–100")
    elif kind == "expert":
        r = raw.get("range")
        if not (isinstance(r, list) and len(r) == 2 and all(_num(x) for x in r) and 0 <= r[0] <= r[1] <= 100):
            problems.append(f"{where}.range: needs [low, high] with 0 <= low <= high <= 100, got {r!r}")
        else:
            rng = (float(r[0]), float(r[1]))
    return Indicator(
        id=str(raw.get("id")), dimension=str(raw.get("dimension")), title_zh=str(raw.get("title_zh", "")),
        title_en=str(raw.get("title_en", "")), kind=str(kind), source=str(raw.get("source")),
        weight=float(raw["weight"]) if _num(raw.get("weight")) else 0.0,
        fact=raw.get("fact") if kind == "fact" else None, bands=bands, range=rng)


def _load_income(raw: Any, problems: list[str]) -> Income:
    if not isinstance(raw, dict):
        problems.append("income: missing table")
        raw = {}
    if unknown := set(raw) - _INCOME:
        problems.append(f"income: unknown keys {sorted(unknown)}")
    lo, hi = raw.get("share_low"), raw.get("share_high")
    if not (_num(lo) and _num(hi) and 0 <= lo <= hi <= 1):
        problems.append(f"income.share_low/share_high: need 0 <= share_low <= share_high <= 1, got {lo!r}, {hi!r}")
        lo = hi = 0.0
    growth = _triple(raw, "growth", problems, -0.5, 0.5)
    discount = _triple(raw, "discount", problems, 0.0, 1.0)
    life = _triple(raw, "life_cap", problems, 0.0, 50.0)
    for k, (g, d) in enumerate(zip(growth, discount, strict=True)):
        if discount != (0.0, 0.0, 0.0) and d <= g:
            problems.append(f"income: discount rate {d:g} must exceed growth {g:g} (case {('low', 'mid', 'high')[k]})")
    if raw.get("source") not in SOURCES:
        problems.append(f"income.source: must be one of {SOURCES}, got {raw.get('source')!r}")
    return Income(float(lo), float(hi), growth, discount, life, str(raw.get("source")),
                  str(raw.get("note_zh", "")), str(raw.get("note_en", "")))


def load_model(source: str | Path | dict) -> ValuationModel:
    """Read and check a model (a path to TOML/JSON, or a dict); raise :class:`ModelError` with every problem."""
    data, name = read_rule_doc(source, ModelError)
    problems: list[str] = []
    if data.get("schema") != SCHEMA_VERSION:
        problems.append(f"schema: this engine reads schema {SCHEMA_VERSION}, got {data.get('schema')!r}")
    if unknown := set(data) - _TOP:
        problems.append(f"unknown top-level keys {sorted(unknown)}")
    for key in ("id", "family", "title_zh", "document", "effective_from", "scenario"):
        if not isinstance(data.get(key), str) or not data[key]:
            problems.append(f"{key}: required text")
    terms = data.get("terms")
    if not (isinstance(terms, dict) and terms and all(
            isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in terms.values())):
        problems.append(f"terms: needs whole statutory terms in years per IP type, got {terms!r}")
        terms = {}
    dims = _load_dimensions(data, problems)
    inds = tuple(_load_indicator(n, raw, problems) for n, raw in enumerate(data.get("indicators") or []))
    ids = [i.id for i in inds]
    if dupes := sorted({i for i in ids if ids.count(i) > 1}):
        problems.append(f"indicators: duplicate ids {dupes}")
    for d in DIMENSIONS:
        group = [i for i in inds if i.dimension == d]
        if not group:
            problems.append(f"indicators: dimension {d!r} has no indicator")
        elif abs(sum(i.weight for i in group) - 1) > _TOL:
            problems.append(f"indicators: weights of dimension {d!r} sum to {sum(i.weight for i in group):g}, not 1")
    if "remaining_years" not in {i.fact for i in inds}:
        problems.append("indicators: the remaining term (fact remaining_years) must be scored")
    income = _load_income(data.get("income"), problems)
    if problems:
        raise ModelError(name if name != "<dict>" else str(data.get("id", name)), problems)
    return ValuationModel(SCHEMA_VERSION, data["id"], data["family"], data["title_zh"], data.get("title_en", ""),
                          data["document"], data["effective_from"], data["scenario"],
                          {k: int(v) for k, v in terms.items()}, dims, inds, income)


@cache
def bundled_models() -> dict[str, ValuationModel]:
    """Every model shipped under ``models/``, by id."""
    out = {}
    for entry in resources.files(__package__).joinpath("models").iterdir():
        if entry.name.endswith(".toml"):
            with resources.as_file(entry) as path:
                m = load_model(path)
            out[m.id] = m
    return out


def get_model(model_id: str = "ip-pledge-2023") -> ValuationModel:
    """A bundled model by id, or by family (the latest version)."""
    models = bundled_models()
    if model_id in models:
        return models[model_id]
    family = sorted((m for m in models.values() if m.family == model_id), key=lambda m: m.effective_from)
    if family:
        return family[-1]
    raise UnknownModelError(f"no IP valuation model {model_id!r}; known: {sorted(models)}")
