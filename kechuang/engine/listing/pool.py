"""The listing reserve pool (上市后备企业库) as tiers with rules as data.

A pool rule file (``rules/pool-*.toml``, schema 1) has tracks — the listing ladder 储备 → 培育 →
辅导/申报 → 上市 and the 专精特新专板 孵化层 → 规范层 → 培育层 — each with ordered tiers. A tier's
``entry`` clauses say who belongs in it (and so who is promoted into it); a track's ``stay`` clauses
are what every enterprise of the track must keep (an unmet ``stay`` takes it out: 有进有出). The
clauses are the qualification engine's (``condition`` / ``all_of`` / ``any_of``, read into its
:class:`~kechuang.engine.qualification.rules.Clause`, compared by its ``compare`` and its Polars
comparison, with its status precedence), over the pool feature catalogue :data:`POOL_FEATURES`.

Placement: the highest tier whose entry is **met** (unknown never places), unless ``stay`` is unmet.
Movements between two runs: entered, promoted, demoted, exited (:func:`movement`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import polars as pl

from kechuang.engine.ruledoc import read_rule_doc
from kechuang.engine.qualification import listing_registry
from kechuang.engine.qualification.batch import _cmp as condition_expr
from kechuang.engine.qualification.batch import evaluate_batch
from kechuang.engine.qualification.errors import RuleError
from kechuang.engine.qualification.features import feature_exprs
from kechuang.engine.qualification.nodes import MET, UNKNOWN, UNMET, compare
from kechuang.engine.qualification.rules import LISTING_FAMILIES, OPS, Clause
from kechuang.engine.qualification.schema import SCHEMA, Context, conform, sanitise_frame

SCHEMA_VERSION = 1

#: Input columns the board standards read (a reader may project on them: the batch path adds the
#: others as nulls), and those the pool features read besides.
READINESS_COLUMNS = ("uscc", "registered_on", "expected_market_value", "market_value_date", "years", "expert_scores")
POOL_COLUMNS = READINESS_COLUMNS + ("restricted_industry", "certificates", "incidents", "equity_financing")


@dataclass(frozen=True)
class PoolFeature:
    name: str
    dtype: str  # number | bool
    title_zh: str
    title_en: str


POOL_FEATURES: dict[str, PoolFeature] = {f.name: f for f in (
    PoolFeature("fiscal_years", "number", "经营年度数", "fiscal years"),
    PoolFeature("operating_revenue_y0", "number", "最近一年营业收入（元）", "operating revenue, last year (yuan)"),
    PoolFeature("listing_net_profit_y0", "number", "最近一年净利润（扣非前后孰低，元）", "net profit, last year (yuan)"),
    PoolFeature("rd_to_oprev", "number", "研发费用占营业收入比例", "R&D / operating revenue"),
    PoolFeature("equity_qualified_3y", "number", "近三年合格机构股权融资（元）", "qualified equity financing, last 3 years"),
    PoolFeature("hnte", "bool", "有效的高新技术企业证书", "valid HNTE certificate"),
    PoolFeature("srdi", "bool", "有效的专精特新中小企业称号", "valid SRDI SME title"),
    PoolFeature("tech_sme", "bool", "有效的科技型或创新型中小企业资格", "valid tech/innovative SME status"),
    PoolFeature("adverse_2y", "number", "近两年重大事故、失信或异常经营记录数", "serious incidents in the last 2 years"),
    PoolFeature("restricted_industry", "bool", "属于禁止、限制和淘汰类", "restricted industry"),
    PoolFeature("boards_met", "number", "符合上市标准的板块数", "boards whose listing standards are met"),
    PoolFeature("boards_open", "number", "未被排除的板块数（符合或待补数据）", "boards met or not yet decided"),
    PoolFeature("milestone_rank", "number", "已达里程碑（0无 1股改 2辅导备案 3申报 4过会 5注册 6上市）",
                "milestone reached (0 none … 6 listed)"),
)}

#: qualification features read for the pool (counts: their surely-counted lower bound).
_QUAL = {"fiscal_years": "fiscal_years", "operating_revenue_y0": "operating_revenue_y0",
         "listing_net_profit_y0": "listing_net_profit_y0", "rd_to_oprev": "rd_to_oprev",
         "equity_qualified_3y": "equity_qualified_3y", "hnte": "cert_hnte_valid",
         "srdi": "cert_srdi_sme_valid", "tech_sme": "cert_tier1_valid", "adverse_2y": "incidents_tsme_2y",
         "restricted_industry": "restricted_industry"}
_COUNTS_AS_BOOL = ("hnte", "srdi", "tech_sme")
_RANGED = ("equity_qualified_3y", "cert_hnte_valid", "cert_srdi_sme_valid", "cert_tier1_valid", "incidents_tsme_2y")


@dataclass(frozen=True)
class Tier:
    id: str
    rank: int
    title: str
    title_en: str
    entry: Clause


@dataclass(frozen=True)
class Track:
    id: str
    title: str
    title_en: str
    tiers: tuple[Tier, ...]  # lowest rank first
    stay: Clause | None

    def tier(self, tier_id: str) -> Tier:
        return next(t for t in self.tiers if t.id == tier_id)


@dataclass(frozen=True)
class PoolRules:
    id: str
    title: str
    source: str
    tracks: tuple[Track, ...]

    def track(self, track_id: str) -> Track:
        return next(t for t in self.tracks if t.id == track_id)

    def metadata(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "source": self.source,
                "tracks": {t.id: [x.id for x in t.tiers] for t in self.tracks}}


_CLAUSE_KEYS = {"id", "kind", "title", "title_en", "source", "confidence", "note", "feature", "op", "value", "clauses"}


def _clauses(items: Any, where: str, ids: set[str], problems: list[str]) -> Clause:
    def clause(node: Any, path: str) -> Clause | None:
        if not isinstance(node, dict):
            problems.append(f"{path}: a clause must be a table")
            return None
        cid = node.get("id") or path
        if cid in ids:
            problems.append(f"{cid}: duplicate clause id")
        ids.add(cid)
        extra = set(node) - _CLAUSE_KEYS
        if extra:
            problems.append(f"{cid}: unknown field(s) {', '.join(sorted(extra))}")
        kind = node.get("kind")
        kw = {k: node.get(k, "") for k in ("title", "title_en", "source", "confidence", "note")}
        if not node.get("title"):
            problems.append(f"{cid}: missing title")
        if kind in ("all_of", "any_of"):
            kids = [clause(x, f"{cid}[{i}]") for i, x in enumerate(node.get("clauses") or [])]
            if not kids:
                problems.append(f"{cid}: a group needs a non-empty list of clauses")
            return Clause(cid, kind, children=tuple(k for k in kids if k is not None), **kw)
        if kind != "condition":
            problems.append(f"{cid}: unknown kind {kind!r} (allowed: condition, all_of, any_of)")
            return None
        feature, op, value = node.get("feature"), node.get("op"), node.get("value")
        feat = POOL_FEATURES.get(feature)
        if feat is None:
            problems.append(f"{cid}: unknown feature {feature!r} (known: {', '.join(POOL_FEATURES)})")
        if op not in OPS or op in ("in", "not_in"):
            problems.append(f"{cid}: unknown operator {op!r}")
        elif feat is not None and (feat.dtype == "bool") != (op in ("is_true", "is_false")):
            problems.append(f"{cid}: operator {op} does not fit the {feat.dtype} feature {feature}")
        elif op not in ("is_true", "is_false") and (not isinstance(value, int | float) or isinstance(value, bool)):
            problems.append(f"{cid}: operator {op} needs a number (got {value!r})")
        return Clause(cid, "condition", feature=feature, op=op, value=value, **kw)

    if not isinstance(items, list) or not items:
        problems.append(f"{where}: needs a non-empty list of clauses")
        return Clause(where, "all_of")
    kids = [clause(x, f"{where}[{i}]") for i, x in enumerate(items)]
    return Clause(where, "all_of", title=where, children=tuple(k for k in kids if k is not None))


def load_pool_rules(source: str | Path | dict[str, Any] | None = None) -> PoolRules:
    """Load and check pool rules (a TOML file, a dict, or the built-in ``rules/pool-2026.toml``);
    raises one :class:`RuleError` listing every problem."""
    if source is None:
        with resources.as_file(resources.files(__package__) / "rules" / "pool-2026.toml") as p:
            return load_pool_rules(p)
    doc, where = read_rule_doc(source, RuleError)
    problems: list[str] = []
    if doc.get("schema") != SCHEMA_VERSION:
        problems.append(f"schema must be {SCHEMA_VERSION} (got {doc.get('schema')!r})")
    for key in ("id", "title_zh", "source"):
        if not doc.get(key):
            problems.append(f"missing {key}")
    ids: set[str] = set()
    tracks = []
    for ti, raw in enumerate(doc.get("tracks") or []):
        tid = raw.get("id") or f"tracks[{ti}]"
        tiers, ranks = [], set()
        for i, t in enumerate(raw.get("tiers") or []):
            rid, rank = t.get("id") or f"{tid}.tiers[{i}]", t.get("rank")
            if not isinstance(rank, int) or isinstance(rank, bool) or rank < 1:
                problems.append(f"{rid}: rank must be a positive integer")
                rank = 0
            elif rank in ranks:
                problems.append(f"{rid}: rank {rank} is used twice in track {tid}")
            ranks.add(rank)
            if not t.get("title"):
                problems.append(f"{rid}: missing title")
            tiers.append(Tier(rid, rank, t.get("title", ""), t.get("title_en", ""),
                              _clauses(t.get("entry"), f"{rid}.entry", ids, problems)))
        if not tiers:
            problems.append(f"{tid}: a track needs tiers")
        stay = _clauses(raw["stay"], f"{tid}.stay", ids, problems) if "stay" in raw else None
        tracks.append(Track(tid, raw.get("title", ""), raw.get("title_en", ""),
                            tuple(sorted(tiers, key=lambda t: t.rank)), stay))
    if not tracks:
        problems.append("no tracks")
    if problems:
        raise RuleError(where, problems)
    return PoolRules(doc["id"], doc["title_zh"], doc["source"], tuple(tracks))


# ---------------------------------------------------------------------------------------------
# Evaluation: one enterprise (Python) and a batch (Polars), the same status precedence


def clause_status(c: Clause, feats: dict[str, Any]) -> int:
    if c.kind == "condition":
        v = feats.get(c.feature)
        return UNKNOWN if v is None else (MET if compare(v, c.op, c.value) else UNMET)
    kids = [clause_status(ch, feats) for ch in c.children]
    if not kids:
        return MET
    return max(kids) if c.kind == "all_of" else min(kids)


def clause_expr(c: Clause) -> pl.Expr:
    if c.kind == "condition":
        col = pl.col(c.feature)
        hit = condition_expr(col, c.op, c.value)
        return (pl.when(col.is_null()).then(pl.lit(UNKNOWN, pl.Int8))
                .when(hit).then(pl.lit(MET, pl.Int8)).otherwise(pl.lit(UNMET, pl.Int8)))
    kids = [clause_expr(ch) for ch in c.children]
    if not kids:
        return pl.lit(MET, pl.Int8)
    return pl.max_horizontal(*kids) if c.kind == "all_of" else pl.min_horizontal(*kids)


def _failing(c: Clause, feats: dict[str, Any], unmet: list[str], unknown: list[str]) -> None:
    """The conditions that keep ``c`` from being met (a met group contributes nothing)."""
    st = clause_status(c, feats)
    if st == MET:
        return
    if c.kind == "condition":
        (unmet if st == UNMET else unknown).append(c.id)
        return
    for ch in c.children:
        _failing(ch, feats, unmet, unknown)


def place(rules: PoolRules, feats: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """One enterprise's placement per track: ``{track: {"tier", "rank", "stay", "unmet", "unknown"}}``
    (``tier`` None = not in the track; ``unmet`` / ``unknown`` the next tier's conditions not met)."""
    out = {}
    for track in rules.tracks:
        stay = MET if track.stay is None else clause_status(track.stay, feats)
        tier = None
        if stay != UNMET:
            for t in reversed(track.tiers):
                if clause_status(t.entry, feats) == MET:
                    tier = t
                    break
        nxt = next((t for t in track.tiers if tier is None or t.rank > tier.rank), None)
        unmet, unknown = [], []
        if nxt is not None:
            _failing(nxt.entry, feats, unmet, unknown)
        if track.stay is not None and stay == UNMET:
            unmet, unknown = [], []
            _failing(track.stay, feats, unmet, unknown)
        out[track.id] = {"tier": tier.id if tier else None, "rank": tier.rank if tier else 0,
                         "stay": stay == MET or stay == UNKNOWN, "next": nxt.id if nxt else None,
                         "unmet": unmet, "unknown": unknown}
    return out


def place_batch(rules: PoolRules, feats: pl.DataFrame) -> pl.DataFrame:
    """The same placement for a frame of pool features: columns ``<track>_tier`` (String, null when
    out) and ``<track>_rank`` (Int8, 0 when out), beside the input's ``row``."""
    cols = []
    for track in rules.tracks:
        stay_ok = pl.lit(True) if track.stay is None else clause_expr(track.stay) != UNMET
        tier = pl.lit(None, pl.String)
        rank = pl.lit(0, pl.Int8)
        for t in track.tiers:  # lowest first: a higher tier met overrides
            met = stay_ok & (clause_expr(t.entry) == MET)
            tier = pl.when(met).then(pl.lit(t.id)).otherwise(tier)
            rank = pl.when(met).then(pl.lit(t.rank, pl.Int8)).otherwise(rank)
        cols += [tier.alias(f"{track.id}_tier"), rank.alias(f"{track.id}_rank")]
    keep = [c for c in ("row", "uscc") if c in feats.columns]
    return feats.select(*keep, *cols)


def movement(before: int, after: int) -> str:
    """entered / promoted / demoted / exited / stayed / out, from the ranks (0 = out of the track)."""
    if before == after:
        return "stayed" if after else "out"
    if before == 0:
        return "entered"
    if after == 0:
        return "exited"
    return "promoted" if after > before else "demoted"


def pool_features(data: pl.DataFrame, as_of: dt.date, *, milestone_rank: list[int] | pl.Series | None = None,
                  boards: tuple[str, ...] = LISTING_FAMILIES) -> pl.DataFrame:
    """Pool features of a batch of enterprises (the qualification engine's input frame): the facts
    it derives, each board's listing-standard status (``board_<family>``: met / unmet / unknown /
    manual_review) and the milestone rank the caller knows (0 when not given)."""
    ctx = Context(as_of)
    frame = sanitise_frame(conform(data).select(list(SCHEMA)).with_row_index("row"), ctx)
    names = sorted(set(_QUAL.values()))
    q = frame.select(pl.col("row"), pl.col("uscc"), *feature_exprs(ctx, names))
    exprs = []
    for name, src in _QUAL.items():
        v = pl.col(src)
        if src in _RANGED:  # a count that may or may not include some items: unknown then
            v = pl.when(pl.col(src) == pl.col(f"{src}__hi")).then(pl.col(src))
        if name in _COUNTS_AS_BOOL:
            v = pl.when(v.is_null()).then(pl.when(pl.col(f"{src}__hi") < 1).then(pl.lit(False))).otherwise(v >= 1)
        exprs.append(v.alias(name))
    out = q.select(pl.col("row"), pl.col("uscc"), *exprs)
    res = evaluate_batch(data, as_of, list(boards), registry=listing_registry(), details="none")
    wide = res.select("row", "standard", "status").pivot(on="standard", index="row", values="status")
    wide = wide.rename({b: f"board_{b}" for b in boards if b in wide.columns})
    out = out.join(wide, on="row", how="left")
    board_cols = [pl.col(f"board_{b}") for b in boards]
    out = out.with_columns(
        pl.sum_horizontal([(c == "met").cast(pl.Int64) for c in board_cols]).alias("boards_met"),
        pl.sum_horizontal([(c != "unmet").cast(pl.Int64) for c in board_cols]).alias("boards_open"),
    )
    ranks = pl.Series("milestone_rank", list(milestone_rank) if milestone_rank is not None else [0] * out.height,
                      dtype=pl.Int64)
    return out.with_columns(ranks)
