"""The batch path: a vectorised evaluation of many enterprises on Polars, from the same rule data.

``evaluate_batch`` is a pure function of a batch (a Polars frame or an Arrow table in the schema of
:func:`~kechuang.engine.qualification.schema.records_to_frame`) and plain parameters, so a Spark job
can map it over partitions unchanged (``mapInArrow``). It returns one row per enterprise × standard
with the status, score, route and compact JSON clause details; :func:`batch_to_results` expands
rows into the data standard's result objects (with gaps) exactly as the one-enterprise path does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from .english import source_en
from .evaluate import as_date, default_registry
from .features import FEATURES, compute_row, feature_exprs
from .gaps import gaps_for
from .nodes import MANUAL, MET, STATUS, UNKNOWN, UNMET, NodeResult, assemble, threshold_of
from .rules import Clause, Registry, Standard
from .schema import SCHEMA, Context, conform, frame_to_records, record_to_row, sanitise_frame

OUTPUT_SCHEMA = {
    "row": pl.UInt32, "uscc": pl.String, "standard": pl.String, "version": pl.String, "as_of": pl.Date,
    "status": pl.String, "score": pl.Float64, "score_min": pl.Float64, "score_max": pl.Float64,
    "route": pl.String, "clauses": pl.String,
}
#: ``details="columns"``: the clause details as list columns instead of ``clauses`` (JSON). Position
#: ``i`` of each list is described by :func:`clause_catalog` (the standard's rule metadata: id, title,
#: threshold, source article …), so nothing constant is repeated per row.
COLUMNS_SCHEMA = {k: v for k, v in OUTPUT_SCHEMA.items() if k != "clauses"} | {
    "clause_status": pl.List(pl.UInt8), "clause_value": pl.List(pl.Float64),
    "clause_min": pl.List(pl.Float64), "clause_max": pl.List(pl.Float64),
}
DETAILS = ("json", "columns", "none")


def _has_value(c: Clause) -> bool:
    """Nodes that report a value of their own (a fact-derived feature, an expert's score, a manual
    decision); points nodes report their target's points, groups none."""
    return c.kind in ("condition", "score", "expert", "manual")


def _has_points(c: Clause) -> bool:
    return c.is_score or c.kind == "points"


def _bool_valued(c: Clause) -> bool:
    return c.kind == "manual" or (c.kind == "condition" and FEATURES[c.feature].dtype == "bool")


_LAYOUTS: dict[int, tuple[Standard, list[tuple[Clause, int | None, int | None]]]] = {}


def clause_layout(std: Standard) -> list[tuple[Clause, int | None, int | None]]:
    """``(clause, index in clause_value, index in clause_min/max)`` for each of ``std.nodes()``
    (its index in ``clause_status``); cached per standard object."""
    hit = _LAYOUTS.get(id(std))
    if hit is not None and hit[0] is std:
        return hit[1]
    out, vi, pi = [], 0, 0
    for c in std.nodes():
        v = p = None
        if _has_value(c):
            v, vi = vi, vi + 1
        if _has_points(c):
            p, pi = pi, pi + 1
        out.append((c, v, p))
    _LAYOUTS[id(std)] = (std, out)
    return out


def clause_catalog(standards: list[str] | None = None, as_of: dt.date | str | None = None,
                   registry: Registry | None = None) -> pl.DataFrame:
    """The rule metadata that explains ``details="columns"`` output, one row per clause of each
    standard (``standards`` family/version ids resolved on ``as_of``; ``None`` = every version):
    ``version, position`` (index in ``clause_status``), ``value_index``, ``points_index``, ``id``,
    ``title`` and ``title_en``, ``kind``, ``feature``, ``op``, ``threshold`` (JSON: a condition's or pass mark's fixed
    threshold; a score clause's bands ``[[lo, hi, points], …]`` whose edges are the thresholds),
    ``max_points``, ``source`` (document number and article) and ``source_en`` (the same in English)."""
    reg = registry or default_registry()
    if standards is None and as_of is None:
        stds = list(reg)
    else:
        stds = reg.select(standards, as_date(as_of or dt.date.today()))
    rows = []
    for std in stds:
        for pos, (c, vi, pi) in enumerate(clause_layout(std)):
            if c.kind == "score":
                threshold = [[b.lo, b.hi, list(b.points) if b.points[0] != b.points[1] else b.points[0]]
                             for b in c.bands]
            else:
                threshold = threshold_of(c, NodeResult(MET))
            source = f"{std.document} {c.source}".strip() if c.source else std.document
            rows.append({"version": std.id, "position": pos, "value_index": vi, "points_index": pi,
                         "id": c.id, "title": c.title, "title_en": c.title_en, "kind": c.kind, "feature": c.feature, "op": c.op,
                         "threshold": orjson.dumps(threshold).decode(),
                         "max_points": float(c.max_points) if _has_points(c) and c.max_points is not None
                         else None,
                         "source": source, "source_en": source_en(source)})
    schema = {"version": pl.String, "position": pl.UInt16, "value_index": pl.UInt16, "points_index": pl.UInt16,
              "id": pl.String, "title": pl.String, "title_en": pl.String, "kind": pl.String, "feature": pl.String, "op": pl.String,
              "threshold": pl.String, "max_points": pl.Float64, "source": pl.String,
              "source_en": pl.String}
    return pl.DataFrame(rows, schema=schema)


def _c(node_id: str, part: str) -> str:
    return f"{node_id}|{part}"


def _cmp(v: pl.Expr, op: str, t: Any) -> pl.Expr:
    if op == "is_true":
        return v.cast(pl.Boolean)
    if op == "is_false":
        return ~v.cast(pl.Boolean)
    if op == "in":
        return v.is_in(list(t))
    if op == "not_in":
        return ~v.is_in(list(t))
    return {">=": v >= t, ">": v > t, "<=": v <= t, "<": v < t, "==": v == t, "!=": v != t}[op]


def _decided(a: pl.Expr, b: pl.Expr, otherwise: pl.Expr) -> pl.Expr:
    """MET/UNMET when a and b agree, else ``otherwise``."""
    return pl.when(a == b).then(pl.when(a).then(pl.lit(MET)).otherwise(pl.lit(UNMET))).otherwise(otherwise)


def _score_status(lo: pl.Expr, hi: pl.Expr, unknown: pl.Expr) -> pl.Expr:
    return (pl.when(lo == hi).then(pl.when(lo > 0).then(pl.lit(MET)).otherwise(pl.lit(UNMET)))
            .when(unknown).then(pl.lit(UNKNOWN)).otherwise(pl.lit(MANUAL)))


def _expert(node_id: str) -> pl.Expr:
    return pl.col("expert_scores").str.json_path_match(f'$["{node_id}"]')


def _band_idx(c: Clause, v: pl.Expr) -> pl.Expr:
    out = pl.lit(None, dtype=pl.Int32)
    for i in reversed(range(len(c.bands))):
        b = c.bands[i]
        cond = pl.lit(True)
        if b.lo is not None:
            cond = cond & ((v >= b.lo) if b.lo_incl else (v > b.lo))
        if b.hi is not None:
            cond = cond & ((v <= b.hi) if b.hi_incl else (v < b.hi))
        out = pl.when(cond).then(pl.lit(i, dtype=pl.Int32)).otherwise(out)
    return out


def _pts(c: Clause, idx: pl.Expr, which: int) -> pl.Expr:
    return idx.replace_strict({i: float(b.points[which]) for i, b in enumerate(c.bands)},
                              default=None, return_dtype=pl.Float64)


def can_manual(c: Clause) -> bool:
    """Whether a score node can be left open by expert ranges (so expert_scores may apply)."""
    if c.kind == "expert":
        return True
    if c.kind == "score":
        return any(b.points[0] != b.points[1] for b in c.bands)
    return any(can_manual(ch) for ch in c.children)


def _expert_stage(c: Clause) -> list[pl.Expr]:
    """Apply ``expert_scores[c.id]`` to an open score range (manual_review only)."""
    S, LO, HI = (_c(c.id, p) for p in ("s", "lo", "hi"))
    st, lo, hi = pl.col(S), pl.col(LO), pl.col(HI)
    x = _expert(c.id).cast(pl.Float64, strict=False)
    use = (st == MANUAL) & x.is_not_null() & x.is_not_nan() & (x >= lo) & (x <= hi)
    out = [pl.when(use).then(pl.when(x > 0).then(pl.lit(MET)).otherwise(pl.lit(UNMET))).otherwise(st).alias(S),
           pl.when(use).then(x).otherwise(lo).alias(LO), pl.when(use).then(x).otherwise(hi).alias(HI)]
    if c.kind == "expert":
        out.append(pl.when(use).then(x).alias(_c(c.id, "v")))
    return out


def _levels(root: Clause) -> list[list[Clause]]:
    """Nodes grouped by height (leaves first) so each level only reads columns already computed."""
    height: dict[str, int] = {}

    def h(c: Clause) -> int:
        height[c.id] = 0 if not c.children else 1 + max(h(ch) for ch in c.children)
        return height[c.id]

    h(root)
    levels: list[list[Clause]] = [[] for _ in range(max(height.values()) + 1)]
    for c in root.walk():
        levels[height[c.id]].append(c)
    return levels


def _node_stages(c: Clause) -> list[list[pl.Expr]]:
    """Columns ``id|s`` (status code), ``id|lo``/``id|hi`` (points) and ``id|v`` (value) of one node,
    in stages: each stage only reads columns of earlier stages (no repeated sub-expressions)."""
    S, LO, HI, V = (_c(c.id, p) for p in ("s", "lo", "hi", "v"))
    if c.kind == "condition":
        f = FEATURES[c.feature]
        v = pl.col(c.feature)
        vh = pl.col(f"{c.feature}__hi") if f.has_range else v
        a = _cmp(v, c.op, c.value)
        b = _cmp(vh, c.op, c.value) if f.has_range else a
        st = pl.when(v.is_null()).then(pl.lit(UNKNOWN)).otherwise(_decided(a, b, pl.lit(UNKNOWN)))
        return [[st.alias(S), v.alias(V)]]
    if c.kind == "score":
        f = FEATURES[c.feature]
        BI, BH = _c(c.id, "bi"), _c(c.id, "bh")
        v = pl.col(c.feature).cast(pl.Float64)
        s0 = [_band_idx(c, v).alias(BI)]
        if f.has_range:
            s0.append(_band_idx(c, pl.col(f"{c.feature}__hi").cast(pl.Float64)).alias(BH))
        else:
            BH = BI
        bi, bh = pl.col(BI), pl.col(BH)
        null = pl.col(c.feature).is_null()
        if BH == BI:
            lo, hi = _pts(c, bi, 0), _pts(c, bi, 1)
        else:
            lo = pl.min_horizontal(_pts(c, bi, 0), _pts(c, bh, 0))
            hi = pl.max_horizontal(_pts(c, bi, 1), _pts(c, bh, 1))
        s1 = [pl.when(null).then(pl.lit(0.0)).otherwise(lo).alias(LO),
              pl.when(null).then(pl.lit(float(c.max_points))).otherwise(hi).alias(HI),
              pl.col(c.feature).alias(V)]
        s2 = [pl.when(null).then(pl.lit(UNKNOWN)).otherwise(_score_status(pl.col(LO), pl.col(HI), bi != bh)).alias(S)]
        return [s0, s1, s2] + ([_expert_stage(c)] if can_manual(c) else [])
    if c.kind == "expert":
        s0 = [pl.lit(MANUAL).alias(S), pl.lit(float(c.min_points)).alias(LO),
              pl.lit(float(c.max_points)).alias(HI)]
        return [s0, _expert_stage(c)]
    if c.kind in ("score_sum", "score_max"):
        los = [pl.col(_c(ch.id, "lo")) for ch in c.children]
        his = [pl.col(_c(ch.id, "hi")) for ch in c.children]
        unk = pl.any_horizontal([pl.col(_c(ch.id, "s")) == UNKNOWN for ch in c.children])
        if c.kind == "score_sum":
            lo, hi = pl.sum_horizontal(los), pl.sum_horizontal(his)
            if c.capped:
                cap = float(c.max_points)
                lo, hi = pl.min_horizontal(lo, pl.lit(cap)), pl.min_horizontal(hi, pl.lit(cap))
        else:
            lo, hi = pl.max_horizontal(los), pl.max_horizontal(his)
        s0 = [lo.alias(LO), hi.alias(HI), unk.alias(_c(c.id, "unk"))]
        s1 = [_score_status(pl.col(LO), pl.col(HI), pl.col(_c(c.id, "unk"))).alias(S), pl.lit(None).alias(V)]
        return [s0, s1] + ([_expert_stage(c)] if c.kind == "score_max" and can_manual(c) else [])
    if c.kind == "points":
        tlo, thi, ts = (pl.col(_c(c.target, p)) for p in ("lo", "hi", "s"))
        otherwise = pl.when(ts == UNKNOWN).then(pl.lit(UNKNOWN)).otherwise(pl.lit(MANUAL))
        st = _decided(_cmp(tlo, c.op, c.value), _cmp(thi, c.op, c.value), otherwise)
        return [[st.alias(S), tlo.alias(LO), thi.alias(HI), pl.lit(None).alias(V)]]
    if c.kind == "manual":
        x = _expert(c.id)
        st = pl.when(x == "true").then(pl.lit(MET)).when(x == "false").then(pl.lit(UNMET)).otherwise(pl.lit(MANUAL))
        return [[st.alias(S), pl.when(x == "true").then(True).when(x == "false").then(False).alias(V)]]
    kids = [pl.col(_c(ch.id, "s")) for ch in c.children]
    if c.kind == "all_of":
        return [[pl.max_horizontal(kids).alias(S)]]
    # any_of: rank met 0 < unknown 1 < manual 2 < unmet 3 (swap codes 1 and 2), min, swap back
    swap = [k + (k == MANUAL).cast(pl.Int32) - (k == UNKNOWN).cast(pl.Int32) for k in kids]
    m = pl.min_horizontal(swap)
    return [[(m + (m == MANUAL).cast(pl.Int32) - (m == UNKNOWN).cast(pl.Int32)).alias(S)]]


def _apply(lf: pl.LazyFrame, root: Clause) -> pl.LazyFrame:
    for level in _levels(root):
        stages = [_node_stages(c) for c in level]
        for i in range(max(len(st) for st in stages)):
            exprs = [e for st in stages if i < len(st) for e in st[i]]
            lf = lf.with_columns(exprs)
    return lf


def _evaluate_standard(feats: pl.DataFrame, std: Standard, ctx: Context, details: str) -> pl.LazyFrame:
    lf = feats.lazy()
    if std.score is not None:
        lf = _apply(lf, std.score)
    lf = _apply(lf, std.root)
    root_s = pl.col(_c(std.root.id, "s"))
    status = pl.lit(pl.Series(STATUS)).get(root_s.cast(pl.Int64))
    direct = f"{std.id}.direct"
    has_direct = any(c.id == direct for c in std.root.walk())
    route = (pl.when(pl.col(_c(direct, "s")) == MET).then(pl.lit("direct")).otherwise(pl.lit(std.route_kind))
             if has_direct else pl.lit(std.route_kind))
    if std.score is not None:
        lo, hi = pl.col(_c(std.score.id, "lo")), pl.col(_c(std.score.id, "hi"))
        score_cols = [pl.when(lo == hi).then(lo).alias("score"), lo.alias("score_min"), hi.alias("score_max")]
    else:
        score_cols = [pl.lit(None, dtype=pl.Float64).alias(n) for n in ("score", "score_min", "score_max")]
    out = [pl.col("row"), pl.col("uscc"), pl.lit(std.family).alias("standard"), pl.lit(std.id).alias("version"),
           pl.lit(ctx.as_of).alias("as_of"), status.alias("status"), *score_cols, route.alias("route")]
    if details == "json":
        fields = []
        for c in std.nodes():
            parts = [pl.col(_c(c.id, "s")).alias("s")]
            if c.kind not in ("all_of", "any_of"):
                parts.append(pl.col(_c(c.id, "v")).alias("v"))
            if c.is_score or c.kind == "points":
                parts += [pl.col(_c(c.id, "lo")).alias("lo"), pl.col(_c(c.id, "hi")).alias("hi")]
            fields.append(pl.struct(parts).alias(c.id))
        out.append(pl.struct(fields).struct.json_encode().alias("clauses"))
    elif details == "columns":
        layout = clause_layout(std)

        def as_list(exprs: list[pl.Expr], dtype: pl.DataType, name: str) -> pl.Expr:
            # concat_arr (fixed width per standard) then a list: ~30x faster than concat_list
            if not exprs:
                return pl.lit([], dtype=pl.List(dtype)).alias(name)
            return pl.concat_arr([e.cast(dtype) for e in exprs]).arr.to_list().alias(name)

        out += [
            as_list([pl.col(_c(c.id, "s")) for c, _v, _p in layout], pl.UInt8, "clause_status"),
            as_list([pl.col(_c(c.id, "v")) for c, v, _p in layout if v is not None], pl.Float64, "clause_value"),
            as_list([pl.col(_c(c.id, "lo")) for c, _v, p in layout if p is not None], pl.Float64, "clause_min"),
            as_list([pl.col(_c(c.id, "hi")) for c, _v, p in layout if p is not None], pl.Float64, "clause_max"),
        ]
    else:
        out.append(pl.lit(None, dtype=pl.String).alias("clauses"))
    return lf.select(out)


def evaluate_batch(data: pl.DataFrame | pa.Table | pa.RecordBatch, as_of: dt.date | str,
                   standards: list[str] | None = None, registry: Registry | None = None,
                   details: str = "json", arrow: bool = False) -> pl.DataFrame | pa.Table:
    """Evaluate a batch of enterprises against ``standards`` (family or version ids; ``None`` = every
    family's version in force on ``as_of``).

    Returns one row per enterprise × standard (blocks per standard, ``row`` = the enterprise's position
    in the batch) with ``status``, ``score`` (exact score or null), ``score_min``/``score_max``,
    ``route`` and the clause details:

    - ``details="columns"`` (the fast form): list columns ``clause_status`` (UInt8 status code per
      clause of ``std.nodes()`` — 0 met, 1 manual_review, 2 unknown, 3 unmet), ``clause_value``
      (Float64 value of each clause that has one; booleans as 0/1) and ``clause_min``/``clause_max``
      (points of each score or pass-mark clause); :func:`clause_catalog` says which clause each
      position is, with its title, threshold and source article (rule metadata, not repeated per row);
    - ``details="json"``: ``clauses``, compact JSON per clause (``s`` status code, value ``v``, points
      ``lo``/``hi``), about 4× slower to produce;
    - ``details="none"``: ``clauses`` null.

    With ``arrow=True`` the result is an Arrow table."""
    if details not in DETAILS:
        raise ValueError(f"details must be one of {', '.join(DETAILS)}")
    ctx = Context(as_date(as_of))
    stds = (registry or default_registry()).select(standards, ctx.as_of)
    frame = conform(data).select(list(SCHEMA))
    frame = sanitise_frame(frame.with_row_index("row"), ctx)
    names = sorted({f for s in stds for f in s.features()})
    feats = frame.select(pl.col("row"), pl.col("uscc"), pl.col("expert_scores"), *feature_exprs(ctx, names))
    parts = pl.collect_all([_evaluate_standard(feats, s, ctx, details) for s in stds])
    empty = COLUMNS_SCHEMA if details == "columns" else OUTPUT_SCHEMA
    out = pl.concat(parts, how="vertical") if parts else pl.DataFrame(schema=empty)
    return out.to_arrow() if arrow else out


def evaluate_parquet(path: str | Path, as_of: dt.date | str, standards: list[str] | None = None,
                     out: str | Path | None = None, batch_size: int = 250_000, details: str = "json",
                     registry: Registry | None = None) -> Iterator[pl.DataFrame] | int:
    """Evaluate a Parquet file of enterprises in slices of ``batch_size`` rows. With ``out``, write
    the results to Parquet and return the number of result rows; otherwise yield result frames."""
    src = pl.scan_parquet(path)
    n = src.select(pl.len()).collect().item()

    def gen() -> Iterator[pl.DataFrame]:
        for start in range(0, n, batch_size):
            chunk = src.slice(start, batch_size).collect()
            res = evaluate_batch(chunk, as_of, standards, registry, details)
            yield res.with_columns((pl.col("row") + start).alias("row"))

    if out is None:
        return gen()
    writer = None
    total = 0
    for res in gen():
        tbl = res.to_arrow()
        if writer is None:
            writer = pq.ParquetWriter(str(out), tbl.schema)
        writer.write_table(tbl)
        total += tbl.num_rows
    if writer is not None:
        writer.close()
    return total


# ---------------------------------------------------------------------------------------------
# Expanding batch rows into the data standard's results


def batch_row_nodes(std: Standard, clauses: str | dict[str, Any]) -> dict[str, NodeResult]:
    """A batch row's per-clause results: from the compact JSON (``clauses``), or from a row (dict)
    with ``clause_status``/``clause_value``/``clause_min``/``clause_max`` (``details="columns"``)."""
    if isinstance(clauses, dict):
        return _columns_nodes(std, clauses)
    raw = orjson.loads(clauses)
    out = {}
    for c in std.nodes():
        d = raw[c.id]
        out[c.id] = NodeResult(d["s"], d.get("v"), d.get("lo"), d.get("hi"))
    return out


def _columns_nodes(std: Standard, row: dict[str, Any]) -> dict[str, NodeResult]:
    st, vals, los, his = row["clause_status"], row["clause_value"], row["clause_min"], row["clause_max"]
    out = {}
    for pos, (c, vi, pi) in enumerate(clause_layout(std)):
        v = vals[vi] if vi is not None else None
        if v is not None and _bool_valued(c):
            v = bool(v)
        lo = los[pi] if pi is not None else None
        hi = his[pi] if pi is not None else None
        out[c.id] = NodeResult(st[pos], v, lo, hi)
    return out


def has_details(row: dict[str, Any]) -> bool:
    """Whether a batch row carries clause details (JSON or columns)."""
    return bool(row.get("clauses")) or row.get("clause_status") is not None


def row_details(row: dict[str, Any]) -> str | dict[str, Any]:
    """What :func:`batch_row_nodes` reads from a batch row: its JSON or the row itself."""
    return row["clauses"] if row.get("clauses") else row


def batch_to_results(results: pl.DataFrame, records: list[dict[str, Any]] | pl.DataFrame | None = None,
                     registry: Registry | None = None) -> list[dict[str, Any]]:
    """Batch rows → result objects in the data standard's format. Pass the batch input (records or
    the input frame) to get ``gaps`` too (computed on the one-enterprise path from the same facts)."""
    reg = registry or default_registry()
    if isinstance(records, pl.DataFrame):
        records = frame_to_records(records)
    cache: dict[tuple[int, str], tuple[dict, list, dict]] = {}
    out = []
    for r in results.iter_rows(named=True):
        std = reg.get(r["version"])
        ctx = Context(r["as_of"])
        res = batch_row_nodes(std, row_details(r))
        res[std.root.id] = NodeResult(STATUS.index(r["status"]))
        gaps: list[dict[str, str]] = []
        if records is not None and r["status"] != "met":
            key = (r["row"], ctx.as_of.isoformat())
            if key not in cache:
                row, issues = record_to_row(records[r["row"]], ctx)
                cache[key] = (row, issues, {})
            row, issues, feats = cache[key]
            missing = [f for f in std.features() if f not in feats]
            feats.update(compute_row(row, ctx, missing))
            gaps = gaps_for(std, res, row, feats, ctx, issues)
        out.append(assemble(std, ctx, r["uscc"], res, gaps))
    return out
