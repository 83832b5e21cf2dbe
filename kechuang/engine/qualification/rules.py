"""Standards as versioned rule data: the model, the loader with its checks, and the registry.

A standard version is a TOML (or JSON, or dict) document with metadata and clauses. The loader
checks everything it can before a rule is ever evaluated and raises one :class:`RuleError` listing
every problem: unknown keys, kinds, features and operators; bands that overlap or leave gaps; points
above the declared maximum; duplicate ids; numbers tagged ``U`` (unverified, never encoded).

Clause kinds
- ``condition``: ``feature op value`` (ops ``>= > <= < == != in not_in is_true is_false``).
- ``all_of`` / ``any_of``: groups of clauses.
- ``score``: a banded indicator: ``bands = [{min, max, min_inclusive, max_inclusive, points}]``;
  ``points`` is a number or an ``[lo, hi]`` range an expert picks from (with ``expert_scores``).
- ``score_sum`` / ``score_max``: sum (capped at ``max_points`` when ``capped = true``) or best of
  their children.
- ``expert``: points from ``min_points`` to ``max_points`` given by experts.
- ``manual``: a yes/no requirement no data decides (``expert_scores[id]`` true/false when judged).
- ``points``: ``target op value`` on the points of a score node (a pass mark, a group minimum).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from kechuang.engine.ruledoc import read_rule_doc
from .errors import RuleError, UnknownStandardError
from .features import FEATURES

SCHEMA_VERSION = 1
OPS = (">=", ">", "<=", "<", "==", "!=", "in", "not_in", "is_true", "is_false")
CONFIDENCE = ("V", "S", "M")
KINDS = ("condition", "all_of", "any_of", "score", "score_sum", "score_max", "expert", "manual", "points")
_COMMON = {"id", "kind", "title", "title_en", "source", "confidence", "note"}
_KEYS = {
    "condition": {"feature", "op", "value"},
    "all_of": {"clauses"},
    "any_of": {"clauses"},
    "score": {"feature", "bands", "max_points"},
    "score_sum": {"clauses", "max_points", "capped"},
    "score_max": {"clauses", "max_points"},
    "expert": {"min_points", "max_points"},
    "manual": set(),
    "points": {"target", "op", "value"},
}
_BAND_KEYS = {"min", "max", "min_inclusive", "max_inclusive", "points", "label", "confidence"}
_TOP_KEYS = {"schema", "id", "family", "title_zh", "title_en", "document", "issuer", "effective_from",
             "effective_to", "source", "band_convention", "notes", "eligibility", "score",
             "score_conditions", "direct"}
_SCORE_KEYS = {"id", "title", "title_en", "source", "confidence", "note", "clauses", "max_points",
               "pass_op", "pass_value"}
SCORE_KINDS = ("score", "score_sum", "score_max", "expert")
STATUS_KINDS = ("condition", "all_of", "any_of", "manual", "points")


@dataclass(frozen=True)
class Band:
    lo: float | None
    hi: float | None
    lo_incl: bool
    hi_incl: bool
    points: tuple[float, float]
    label: str = ""

    def contains(self, v: float) -> bool:
        if self.lo is not None and (v < self.lo or (v == self.lo and not self.lo_incl)):
            return False
        if self.hi is not None and (v > self.hi or (v == self.hi and not self.hi_incl)):
            return False
        return True

    def describe(self) -> str:
        lo = "" if self.lo is None else f"{'[' if self.lo_incl else '('}{self.lo:g}"
        hi = "" if self.hi is None else f"{self.hi:g}{']' if self.hi_incl else ')'}"
        return f"{lo or '(-∞'}, {hi or '∞)'}"


@dataclass(frozen=True)
class Clause:
    id: str
    kind: str
    title: str = ""
    title_en: str = ""
    source: str = ""
    confidence: str = ""
    note: str = ""
    feature: str | None = None
    op: str | None = None
    value: Any = None
    bands: tuple[Band, ...] = ()
    max_points: float | None = None
    min_points: float | None = None
    capped: bool = False
    target: str | None = None
    children: tuple[Clause, ...] = ()
    #: for ``score``: "higher" when more of the feature earns more points, else "lower"
    better: str = "higher"

    def walk(self):
        yield self
        for ch in self.children:
            yield from ch.walk()

    @property
    def is_score(self) -> bool:
        return self.kind in SCORE_KINDS


@dataclass(frozen=True)
class Standard:
    id: str
    family: str
    title_zh: str
    title_en: str
    document: str
    issuer: str
    effective_from: dt.date
    effective_to: dt.date | None
    source: str
    notes: str
    eligibility: tuple[Clause, ...]
    score: Clause | None
    pass_op: str | None
    pass_value: float | None
    score_conditions: tuple[Clause, ...]
    direct: tuple[Clause, ...]
    #: the status tree: all_of(eligibility + [score path or direct])
    root: Clause = field(repr=False, default=None)  # type: ignore[assignment]
    raw: dict[str, Any] = field(repr=False, default_factory=dict, compare=False)

    def in_force(self, on: dt.date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)

    @property
    def route_kind(self) -> str:
        return "score" if self.score is not None else "conditions"

    def nodes(self) -> tuple[Clause, ...]:
        """Every reported clause, in report order (status tree without its root, then the score tree).
        Computed once per standard (the trees are immutable); every result and batch row reads it."""
        cached = self.__dict__.get("_nodes")
        if cached is None:
            out = [c for c in self.root.walk() if c.id != self.id]
            if self.score is not None:
                out += list(self.score.walk())
            cached = self.__dict__["_nodes"] = tuple(out)
        return cached

    def features(self) -> list[str]:
        cached = self.__dict__.get("_features")
        if cached is None:
            cached = self.__dict__["_features"] = tuple(sorted({c.feature for c in self.nodes() if c.feature}))
        return list(cached)

    def metadata(self) -> dict[str, Any]:
        return {"id": self.id, "family": self.family, "title_zh": self.title_zh, "title_en": self.title_en,
                "document": self.document, "issuer": self.issuer,
                "effective_from": self.effective_from.isoformat(),
                "effective_to": self.effective_to.isoformat() if self.effective_to else None,
                "source": self.source}


# ---------------------------------------------------------------------------------------------
# Loading and checking


class _Checker:
    def __init__(self, doc_id: str, convention: str):
        self.problems: list[str] = []
        self.ids: set[str] = set()
        self.doc_id = doc_id
        self.lo_incl_default = convention != "(lo,hi]"

    def err(self, where: str, msg: str) -> None:
        self.problems.append(f"{where}: {msg}")

    def clause(self, raw: Any, where: str, allowed_kinds: tuple[str, ...]) -> Clause | None:
        if not isinstance(raw, dict):
            self.err(where, "a clause must be a table")
            return None
        cid = raw.get("id")
        if not isinstance(cid, str) or not cid:
            self.err(where, "missing clause id")
            cid = f"<{where}>"
        elif cid in self.ids:
            self.err(cid, "duplicate clause id")
        self.ids.add(cid)
        kind = raw.get("kind")
        if kind not in KINDS:
            self.err(cid, f"unknown kind {kind!r} (known: {', '.join(KINDS)})")
            return None
        if kind not in allowed_kinds:
            self.err(cid, f"kind {kind!r} is not allowed here (allowed: {', '.join(allowed_kinds)})")
        extra = set(raw) - _COMMON - _KEYS[kind]
        if extra:
            self.err(cid, f"unknown field(s) {', '.join(sorted(extra))} for kind {kind!r}")
        conf = raw.get("confidence")
        if conf == "U":
            self.err(cid, "a number tagged U (unverified) must not be encoded; make it an expert or manual item")
        elif kind not in ("all_of", "any_of", "score_sum", "score_max") and conf not in CONFIDENCE:
            self.err(cid, f"confidence must be one of {', '.join(CONFIDENCE)} (got {conf!r})")
        if not raw.get("title"):
            self.err(cid, "missing title")
        feature = raw.get("feature")
        if kind in ("condition", "score"):
            if feature not in FEATURES:
                self.err(cid, f"unknown feature {feature!r}")
        kw: dict[str, Any] = {k: raw.get(k, "") for k in ("title", "title_en", "source", "note")}
        kw["confidence"] = conf or ""
        if kind == "condition":
            self._condition(raw, cid)
            return Clause(cid, kind, feature=feature, op=raw.get("op"), value=raw.get("value"), **kw)
        if kind == "points":
            op = raw.get("op")
            if op not in (">=", ">", "<=", "<"):
                self.err(cid, f"unknown operator {op!r} for a points condition")
            if not _is_num(raw.get("value")):
                self.err(cid, "a points condition needs a numeric value")
            return Clause(cid, kind, target=raw.get("target"), op=op, value=raw.get("value"), **kw)
        if kind in ("all_of", "any_of"):
            children = self._children(raw, cid, STATUS_KINDS)
            return Clause(cid, kind, children=children, **kw)
        if kind in ("score_sum", "score_max"):
            children = self._children(raw, cid, SCORE_KINDS)
            mp = raw.get("max_points")
            if not _is_num(mp):
                self.err(cid, "missing max_points")
                mp = 0
            maxes = [c.max_points or 0 for c in children]
            total = (sum(maxes) if kind == "score_sum" else max(maxes, default=0))
            if total > mp and not (kind == "score_sum" and raw.get("capped")):
                self.err(cid, f"children can score {total:g} points, above the maximum {mp:g} (set capped = true if the text caps it)")
            return Clause(cid, kind, children=children, max_points=mp, capped=bool(raw.get("capped")), **kw)
        if kind == "expert":
            lo, hi = raw.get("min_points", 0), raw.get("max_points")
            if not (_is_num(lo) and _is_num(hi)) or lo < 0 or hi < lo:
                self.err(cid, f"expert points must satisfy 0 <= min_points <= max_points (got {lo!r}, {hi!r})")
                lo, hi = 0, 0
            return Clause(cid, kind, min_points=lo, max_points=hi, **kw)
        if kind == "score":
            bands, better, mp = self._bands(raw, cid, feature)
            return Clause(cid, kind, feature=feature, bands=bands, max_points=mp, better=better, **kw)
        return Clause(cid, kind, **kw)  # manual

    def _children(self, raw, cid, allowed) -> tuple[Clause, ...]:
        items = raw.get("clauses")
        if not isinstance(items, list) or not items:
            self.err(cid, "a group needs a non-empty list of clauses")
            return ()
        out = [self.clause(it, f"{cid}[{i}]", allowed) for i, it in enumerate(items)]
        return tuple(c for c in out if c is not None)

    def _condition(self, raw, cid) -> None:
        op, value, feature = raw.get("op"), raw.get("value"), raw.get("feature")
        if op not in OPS:
            self.err(cid, f"unknown operator {op!r} (known: {', '.join(OPS)})")
            return
        dtype = FEATURES[feature].dtype if feature in FEATURES else None
        if op in ("is_true", "is_false"):
            if "value" in raw:
                self.err(cid, f"operator {op} takes no value")
            if dtype not in (None, "bool"):
                self.err(cid, f"operator {op} needs a yes/no feature; {feature} is a {dtype}")
        elif op in ("in", "not_in"):
            if not isinstance(value, list) or not value:
                self.err(cid, f"operator {op} needs a non-empty list value")
        else:
            if not _is_num(value):
                self.err(cid, f"operator {op} needs a numeric value (got {value!r})")
            if dtype == "bool":
                self.err(cid, f"feature {feature} is yes/no; use is_true or is_false")

    def _bands(self, raw, cid, feature) -> tuple[tuple[Band, ...], str, float]:
        mp = raw.get("max_points")
        if not _is_num(mp):
            self.err(cid, "missing max_points")
            mp = 0
        items = raw.get("bands")
        if not isinstance(items, list) or not items:
            self.err(cid, "a score clause needs bands")
            return (), "higher", mp
        bands: list[Band] = []
        for i, b in enumerate(items):
            where = f"{cid} band {i + 1}"
            if not isinstance(b, dict):
                self.err(where, "a band must be a table")
                continue
            extra = set(b) - _BAND_KEYS
            if extra:
                self.err(where, f"unknown field(s) {', '.join(sorted(extra))}")
            if b.get("confidence") == "U":
                self.err(where, "a number tagged U (unverified) must not be encoded")
            lo, hi = b.get("min"), b.get("max")
            if (lo is not None and not _is_num(lo)) or (hi is not None and not _is_num(hi)):
                self.err(where, "min and max must be numbers")
                continue
            pts = b.get("points")
            if _is_num(pts):
                pr = (pts, pts)
            elif isinstance(pts, list) and len(pts) == 2 and all(_is_num(p) for p in pts) and pts[0] <= pts[1]:
                pr = (pts[0], pts[1])
            else:
                self.err(where, f"points must be a number or [lo, hi] with lo <= hi (got {pts!r})")
                continue
            if pr[0] < 0:
                self.err(where, "points must not be negative")
            if pr[1] > mp:
                self.err(where, f"points {pr[1]:g} exceed the maximum {mp:g}")
            band = Band(lo, hi, b.get("min_inclusive", self.lo_incl_default),
                        b.get("max_inclusive", not self.lo_incl_default), pr, b.get("label", ""))
            if lo is not None and hi is not None and (lo > hi or (lo == hi and not (band.lo_incl and band.hi_incl))):
                self.err(where, f"empty interval {band.describe()}")
            bands.append(band)
        bands.sort(key=lambda b: (float("-inf") if b.lo is None else b.lo, not b.lo_incl))
        dom = FEATURES[feature].domain_min if feature in FEATURES else None
        if FEATURES.get(feature) is not None and FEATURES[feature].dtype == "bool":
            dom = 0
        if bands:
            first = bands[0]
            if first.lo is not None and not (dom is not None and (first.lo < dom or (first.lo == dom and first.lo_incl))):
                self.err(cid, f"bands leave a gap below {first.lo:g} (feature domain starts at {dom if dom is not None else '-∞'})")
            if bands[-1].hi is not None:
                self.err(cid, f"bands leave a gap above {bands[-1].hi:g}")
        for a, b in zip(bands, bands[1:], strict=False):
            if a.hi is None or b.lo is None or a.hi > b.lo or (a.hi == b.lo and a.hi_incl and b.lo_incl):
                self.err(cid, f"bands {a.describe()} and {b.describe()} overlap")
            elif a.hi < b.lo or (a.hi == b.lo and not a.hi_incl and not b.lo_incl):
                self.err(cid, f"bands {a.describe()} and {b.describe()} leave a gap")
        if bands and max(b.points[1] for b in bands) < mp:
            self.err(cid, f"no band reaches the maximum {mp:g} points")
        better = "higher"
        if len(bands) >= 2 and bands[0].points[1] > bands[-1].points[1]:
            better = "lower"
        return tuple(bands), better, mp


def _is_num(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _date(v: Any) -> dt.date | None:
    if v is None or v == "":
        return None
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    return dt.date.fromisoformat(str(v))


def load_standard(source: str | Path | dict[str, Any]) -> Standard:
    """Load and check one standard version from a TOML/JSON file or a dict.

    Raises :class:`RuleError` listing every problem found."""
    doc, where = read_rule_doc(source, RuleError)
    problems: list[str] = []
    extra = set(doc) - _TOP_KEYS
    if extra:
        problems.append(f"unknown top-level field(s) {', '.join(sorted(extra))}")
    if doc.get("schema") != SCHEMA_VERSION:
        problems.append(f"schema must be {SCHEMA_VERSION} (got {doc.get('schema')!r})")
    for key in ("id", "family", "title_zh", "document", "issuer", "effective_from", "source"):
        if not doc.get(key):
            problems.append(f"missing {key}")
    convention = doc.get("band_convention", "[lo,hi)")
    if convention not in ("[lo,hi)", "(lo,hi]"):
        problems.append(f"band_convention must be '[lo,hi)' or '(lo,hi]' (got {convention!r})")
    try:
        eff_from, eff_to = _date(doc.get("effective_from")), _date(doc.get("effective_to"))
        if eff_from and eff_to and eff_to < eff_from:
            problems.append("effective_to is before effective_from")
    except ValueError as exc:
        problems.append(f"bad date: {exc}")
        eff_from, eff_to = None, None
    sid = str(doc.get("id", where))
    ck = _Checker(sid, convention)
    ck.ids.add(sid)

    def clauses(key: str, kinds: tuple[str, ...]) -> tuple[Clause, ...]:
        items = doc.get(key, [])
        if not isinstance(items, list):
            ck.err(key, "must be a list of clauses")
            return ()
        out = [ck.clause(it, f"{key}[{i}]", kinds) for i, it in enumerate(items)]
        return tuple(c for c in out if c is not None)

    eligibility = clauses("eligibility", STATUS_KINDS)
    score = None
    pass_op = pass_value = None
    raw_score = doc.get("score")
    if raw_score is not None:
        if not isinstance(raw_score, dict):
            ck.err("score", "must be a table")
        else:
            extra = set(raw_score) - _SCORE_KEYS
            if extra:
                ck.err("score", f"unknown field(s) {', '.join(sorted(extra))}")
            pass_op, pass_value = raw_score.get("pass_op"), raw_score.get("pass_value")
            if pass_op not in (">=", ">") or not _is_num(pass_value):
                ck.err("score", "needs pass_op ('>=' or '>') and a numeric pass_value")
            if raw_score.get("confidence") not in CONFIDENCE:
                ck.err("score", f"confidence must be one of {', '.join(CONFIDENCE)}")
            score = ck.clause({**{k: v for k, v in raw_score.items() if k not in ("pass_op", "pass_value")},
                               "kind": "score_sum"}, "score", ("score_sum",))
            if score is not None and _is_num(pass_value) and score.max_points is not None and pass_value > score.max_points:
                ck.err("score", f"pass_value {pass_value} is above the maximum {score.max_points}")
    score_conditions = clauses("score_conditions", ("points",))
    direct = clauses("direct", STATUS_KINDS)
    if score_conditions and score is None:
        ck.err("score_conditions", "score conditions need a score")
    score_ids = {c.id: c for c in score.walk()} if score is not None else {}
    for c in [*eligibility, *score_conditions, *direct]:
        for n in c.walk():
            if n.kind == "points" and n.target not in score_ids:
                ck.err(n.id, f"target {n.target!r} is not a score clause of this standard")
    if not eligibility and score is None and not direct:
        ck.err(sid, "a standard needs at least one clause")
    problems += ck.problems
    if problems:
        raise RuleError(where, problems)
    root = _build_root(sid, doc, eligibility, score, pass_op, pass_value, score_conditions, direct)
    return Standard(
        id=sid, family=doc["family"], title_zh=doc["title_zh"], title_en=doc.get("title_en", ""),
        document=doc["document"], issuer=doc["issuer"], effective_from=eff_from, effective_to=eff_to,
        source=doc["source"], notes=doc.get("notes", ""), eligibility=eligibility, score=score,
        pass_op=pass_op, pass_value=pass_value, score_conditions=score_conditions, direct=direct,
        root=root, raw=doc,
    )


def _build_root(sid, doc, eligibility, score, pass_op, pass_value, score_conditions, direct) -> Clause:
    path: list[Clause] = []
    if score is not None:
        raw_score = doc["score"]
        pass_node = Clause(f"{sid}.pass", "points", title=f"综合得分{'≥' if pass_op == '>=' else '>'}{pass_value:g}",
                           title_en=f"total score {pass_op} {pass_value:g}", source=raw_score.get("source", ""),
                           confidence=raw_score.get("confidence", ""), target=score.id, op=pass_op, value=pass_value)
        score_path = (Clause(f"{sid}.score_path", "all_of", title="评分路径", title_en="scoring route",
                             children=(pass_node, *score_conditions)) if score_conditions else pass_node)
        path.append(score_path)
    if direct:
        direct_node = Clause(f"{sid}.direct", "any_of", title="直通条件（任一）", title_en="direct routes (any one)",
                             children=direct)
        if path:
            path = [Clause(f"{sid}.route", "any_of", title="评分达标或符合直通条件",
                           title_en="scoring route or a direct route", children=(path[0], direct_node))]
        else:
            path = [direct_node]
    return Clause(sid, "all_of", title=doc.get("title_zh", ""), title_en=doc.get("title_en", ""),
                  children=(*eligibility, *path))


# ---------------------------------------------------------------------------------------------
# The registry


class Registry:
    """The standards known to the engine: the built-in ones plus any local standards added."""

    def __init__(self, standards: list[Standard] | None = None):
        self._by_id: dict[str, Standard] = {}
        for s in standards or ():
            self.add(s)

    def add(self, standard: Standard) -> Registry:
        if standard.id in self._by_id:
            raise RuleError(standard.id, ["a standard with this id is already loaded"])
        self._by_id[standard.id] = standard
        return self

    def __iter__(self):
        return iter(sorted(self._by_id.values(), key=lambda s: (s.family, s.effective_from)))

    def get(self, standard_id: str) -> Standard:
        return self._by_id[standard_id]

    def families(self) -> list[str]:
        return sorted({s.family for s in self._by_id.values()})

    def resolve(self, spec: str, as_of: dt.date) -> Standard:
        """A version id forces that version; a family id gives the version in force on ``as_of``."""
        if spec in self._by_id:
            return self._by_id[spec]
        versions = [s for s in self._by_id.values() if s.family == spec]
        if not versions:
            raise UnknownStandardError(f"unknown standard or family {spec!r}")
        live = [s for s in versions if s.in_force(as_of)]
        if not live:
            raise UnknownStandardError(f"no version of {spec!r} is in force on {as_of}")
        return max(live, key=lambda s: s.effective_from)

    def in_force(self, as_of: dt.date) -> list[Standard]:
        out = []
        for fam in self.families():
            try:
                out.append(self.resolve(fam, as_of))
            except UnknownStandardError:
                continue
        return out

    def select(self, specs: list[str] | tuple[str, ...] | None, as_of: dt.date) -> list[Standard]:
        """``None`` → every family's version in force; else each spec resolved."""
        if not specs:
            return self.in_force(as_of)
        return [self.resolve(s, as_of) for s in specs]


@lru_cache(maxsize=1)
def _builtin() -> tuple[Standard, ...]:
    folder = resources.files(__package__) / "rules"
    out = []
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".toml"):
            with resources.as_file(entry) as p:
                out.append(load_standard(p))
    return tuple(out)


def builtin_registry() -> Registry:
    """A fresh registry holding the built-in standards (add local ones to it)."""
    return Registry(list(_builtin()))


#: Families of the exchanges' listing standards (``rules/listing/``).
LISTING_FAMILIES = ("star-listing", "chinext-listing", "bse-listing")


@lru_cache(maxsize=1)
def _listing() -> tuple[Standard, ...]:
    folder = resources.files(__package__) / "rules" / "listing"
    out = []
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".toml"):
            with resources.as_file(entry) as p:
                out.append(load_standard(p))
    return tuple(out)


def listing_registry() -> Registry:
    """A fresh registry holding the exchanges' listing standards (科创板 2.1.2, 创业板 2.1.2, 北交所
    2.1.3). Kept apart from :func:`builtin_registry` so that "every standard in force" keeps meaning
    the qualification titles the ladder and region runs use; pass it as ``registry=``."""
    return Registry(list(_listing()))
