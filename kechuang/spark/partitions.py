"""The work of one partition, as pure functions of Arrow batches (no Spark here).

A job (:class:`EvaluateJob`, :class:`RateJob`, :class:`WarnJob`) turns a Polars frame of enterprises
in the columnar facts form (plus ``row``, the enterprise's row in its input file) into result rows
with the same ``row``. :func:`run_batch` wraps it for ``mapInArrow``:

1. rows the standard cannot accept (:func:`find_rejects`: a missing or malformed USCC, no name, an
   annual fact without its year or a year given twice) become *reject* rows naming row, field,
   code and reason, before the engine sees them;
2. the engine runs on the rest of the batch; should it raise, the batch is run again one enterprise
   at a time and each enterprise that still raises becomes a reject (code ``engine_error``, the
   exception as reason) — a bad record never fails the job and is never dropped silently;
3. results and rejects leave in one batch of :meth:`Job.schema`, told apart by ``output``
   (``result`` / ``reject``), so the job writes both in one pass (``partitionBy("output")``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import datetime as dt
from collections.abc import Iterator, Sequence
from enum import StrEnum

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from kechuang.engine.facts.batch_checks import uscc_ok
from kechuang.engine.ipvalue import value_batch
from kechuang.engine.qualification import SCHEMA, evaluate_batch, frame_to_records
from kechuang.engine.qualification.batch import COLUMNS_SCHEMA, OUTPUT_SCHEMA
from kechuang.engine.rating import features_frame
from kechuang.engine.risk import RuleSet, records_to_frames, warnings_batch
from kechuang.engine.scorecard import ScorecardModel

from .standard import IP_ITEMS_SCHEMA, IP_LAYOUT, LAYOUT, spark_safe

RESULT, REJECT = "result", "reject"
REJECT_SCHEMA = {"reject_field": pl.String, "reject_code": pl.String, "reject_reason": pl.String}


class RejectCode(StrEnum):
    """Why a row was set aside (stable: tests assert them, the rejects output carries them)."""

    REQUIRED = "required"          # uscc or name missing, an annual fact without its year
    USCC = "uscc"                  # not a valid unified social credit code (GB 32100-2015)
    DUPLICATE = "duplicate"        # the same year given twice in the annual facts
    DUPLICATE_USCC = "duplicate_uscc"  # the enterprise (or IP item) already appeared on an earlier row
    NEGATIVE = "negative"          # an IP item's count or revenue below zero
    DATES = "dates"                # an IP item expiring before it was filed
    ENGINE = "engine_error"        # the engine raised on this enterprise alone


def find_rejects(frame: pl.DataFrame) -> pl.DataFrame:
    """One row per rejected enterprise of ``frame`` (which has ``row``): ``row``, ``uscc``,
    ``reject_field``, ``reject_code``, ``reject_reason`` (the first problem found)."""
    uscc = frame["uscc"]
    valid = pl.Series(uscc_ok(uscc.cast(pl.String).to_arrow()))
    years = pl.col("years").list.eval(pl.element().struct.field("year"))
    checks = frame.select(
        pl.col("row"), pl.col("uscc"),
        missing_uscc=pl.col("uscc").is_null() | (pl.col("uscc").str.strip_chars() == ""),
        bad_uscc=~valid,
        missing_name=pl.col("name").is_null() | (pl.col("name").str.strip_chars() == ""),
        year_null=years.list.eval(pl.element().is_null()).list.any().fill_null(False),
        year_dup=(years.list.n_unique() < years.list.len()).fill_null(False),
    )
    problems = [  # (flag, field, code, reason) in the order they are reported
        ("missing_uscc", "uscc", RejectCode.REQUIRED, "统一社会信用代码缺失 / the USCC is missing"),
        ("bad_uscc", "uscc", RejectCode.USCC, "统一社会信用代码格式或校验位错误 / the USCC is malformed"),
        ("missing_name", "name", RejectCode.REQUIRED, "企业名称缺失 / the name is missing"),
        ("year_null", "years[].year", RejectCode.REQUIRED, "年度数据缺少年份 / an annual fact has no year"),
        ("year_dup", "years[].year", RejectCode.DUPLICATE, "同一年度重复填报 / a year is given twice"),
    ]
    field = code = reason = pl.lit(None, dtype=pl.String)
    for flag, f, c, r in reversed(problems):
        hit = pl.col(flag)
        field = pl.when(hit).then(pl.lit(f)).otherwise(field)
        code = pl.when(hit).then(pl.lit(str(c))).otherwise(code)
        reason = pl.when(hit).then(pl.lit(r)).otherwise(reason)
    return (checks.with_columns(reject_field=field, reject_code=code, reject_reason=reason)
            .filter(pl.col("reject_code").is_not_null())
            .select("row", "uscc", *REJECT_SCHEMA))


class Job(ABC):
    """One engine as a partition function: ``run(frame) -> results`` with ``row`` carried over."""

    #: Columns of the result rows besides ``row``.
    result_schema: dict[str, pl.DataType]
    #: The input files' layout (:mod:`.standard`) and its columns.
    layout: bytes = LAYOUT
    input_schema: dict[str, pl.DataType] = SCHEMA
    #: What identifies an input row: an enterprise by its USCC (an IP item by holder and number).
    key_columns: tuple[str, ...] = ("uscc",)
    #: ``{file: {row, …}}``: rows whose key already appeared on an earlier row (the runner finds
    #: them across partitions before the map, :func:`~kechuang.spark.runner.duplicate_rows`).
    duplicates: dict[str, set[int]] | None = None

    def rejects(self, frame: pl.DataFrame) -> pl.DataFrame:
        """The rows of ``frame`` the standard cannot accept (row, uscc, field, code, reason)."""
        return find_rejects(frame)

    @abstractmethod
    def run(self, frame: pl.DataFrame) -> pl.DataFrame:
        """The engine's results for one partition's valid rows, ``row`` carried over."""

    def schema(self) -> pa.Schema:
        """The Arrow schema of every batch the job yields (Spark-safe types)."""
        cols = {"row": pl.Int64} | {k: v for k, v in self.result_schema.items() if k != "row"}
        cols |= {"uscc": pl.String} | REJECT_SCHEMA | {"output": pl.String}
        return spark_safe(pl.DataFrame(schema=cols).to_arrow().schema)


class EvaluateJob(Job):
    """The qualification evaluation: one row per enterprise × standard in force (as
    ``evaluate_batch``), ``row`` = the enterprise's row in the input file."""

    def __init__(self, as_of: dt.date, standards: Sequence[str] | None = None, details: str = "columns"):
        self.as_of, self.standards, self.details = as_of, list(standards) if standards else None, details
        self.result_schema = dict(COLUMNS_SCHEMA if details == "columns" else OUTPUT_SCHEMA)

    def run(self, frame: pl.DataFrame) -> pl.DataFrame:
        res = evaluate_batch(frame.drop("row"), self.as_of, self.standards, details=self.details)
        return res.with_columns(row=frame["row"].gather(res["row"]))


class RateJob(Job):
    """The rating's scoring with a fitted scorecard (its JSON): the rating features of each
    enterprise on ``as_of`` (``kechuang.engine.rating.features_frame``), then ``pd``, ``score``,
    ``grade`` and the reason codes."""

    def __init__(self, model: ScorecardModel, as_of: dt.date):
        self.model, self.as_of = model, as_of
        n = model.n_reasons
        self.result_schema = {"uscc": pl.String, "pd": pl.Float64, "score": pl.Float64, "grade": pl.String} | {
            f"reason_{i}": pl.String for i in range(1, n + 1)}

    def run(self, frame: pl.DataFrame) -> pl.DataFrame:
        feats = features_frame(frame_to_records(frame.drop("row")), self.as_of)
        scored = self.model.score(feats.select(self.model.features))
        return scored.with_columns(row=frame["row"], uscc=feats["uscc"]).select(
            "row", *self.result_schema)


class WarnJob(Job):
    """The early warning: every signal's value and level, the overall level (``warnings_batch``)."""

    def __init__(self, rules: RuleSet, as_of: dt.date):
        self.rules, self.as_of = rules, as_of
        ents, items = records_to_frames([], as_of)
        self.result_schema = dict(warnings_batch(ents, items, as_of, rules)[0].schema)

    def run(self, frame: pl.DataFrame) -> pl.DataFrame:
        ents, items = records_to_frames(frame_to_records(frame.drop("row")), self.as_of)
        results = warnings_batch(ents, items, self.as_of, self.rules)[0]
        return results.with_columns(row=frame["row"])


class PointsJob(Job):
    """Innovation points with a fitted reference population (对照库): ``PointsScorer.from_reference``
    then ``score`` on each partition. The reference is fitted on the whole population beforehand
    (``PointsScorer.fit``, one machine: it reads only the indicator columns) and shipped as its JSON.
    Rank within stage needs the whole population too, so ``rank`` and ``peers`` are not written: a
    window over the results gives them."""

    def __init__(self, model, reference: dict, as_of: dt.date):
        from kechuang.engine.points import PointsScorer

        self.model, self.reference, self.as_of = model, reference, as_of
        self.scorer = PointsScorer.from_reference(model, reference)
        probe = self._score(pl.DataFrame(schema=SCHEMA).with_columns(row=pl.lit(0, pl.Int64)).head(0))
        self.result_schema = {k: v for k, v in probe.schema.items() if k != "row"}

    def _score(self, frame: pl.DataFrame) -> pl.DataFrame:
        from kechuang.engine.points import facts_frame

        facts = facts_frame(frame_to_records(frame.drop("row")), self.as_of)
        keys = frame.select("row", "uscc")
        return self.scorer.score(facts, keys=keys).drop("rank", "peers")

    def run(self, frame: pl.DataFrame) -> pl.DataFrame:
        return self._score(frame)


class ValueJob(Job):
    """The IP valuation (``kechuang.engine.ipvalue.value_batch``) of ``ip[]`` items, one row each
    (the ``ip-items`` layout): status, the value range and the quality scores, ``row`` carried over."""

    layout = IP_LAYOUT
    input_schema = IP_ITEMS_SCHEMA
    key_columns = ("uscc", "number")
    OUTPUT = {"uscc": pl.String, "number": pl.String, "status": pl.String, "remaining_years": pl.Float64,
              "quality_low": pl.Float64, "quality_mid": pl.Float64, "quality_high": pl.Float64,
              "value_low": pl.Float64, "value_mid": pl.Float64, "value_high": pl.Float64,
              "unknown_facts": pl.List(pl.String)}

    def __init__(self, model, as_of: dt.date):
        self.model, self.as_of = model, as_of
        self.result_schema = dict(self.OUTPUT)

    def run(self, frame: pl.DataFrame) -> pl.DataFrame:
        out = value_batch(frame, self.model, self.as_of)
        return out.select("row", *self.OUTPUT)

    def rejects(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Items without a holder's valid USCC or a number, with a negative count or revenue, or
        an expiry before filing: the first problem of each."""
        valid = pl.Series(uscc_ok(frame["uscc"].cast(pl.String).to_arrow()))
        blank = lambda c: pl.col(c).is_null() | (pl.col(c).str.strip_chars() == "")  # noqa: E731
        negative = pl.any_horizontal([pl.col(c) < 0 for c in ("claims", "citations", "family_size", "litigations",
                                                              "licences", "attributable_revenue")]).fill_null(False)
        problems = [
            (blank("uscc"), "uscc", RejectCode.REQUIRED, "权利人统一社会信用代码缺失 / the holder's USCC is missing"),
            (~pl.lit(valid), "uscc", RejectCode.USCC, "统一社会信用代码格式或校验位错误 / the USCC is malformed"),
            (blank("number"), "number", RejectCode.REQUIRED, "专利号/登记号缺失 / the item's number is missing"),
            (negative, "ip[]", RejectCode.NEGATIVE, "数量或收入为负 / a count or the revenue is negative"),
            ((pl.col("expires_on") < pl.col("filed_on")).fill_null(False), "expires_on", RejectCode.DATES,
             "到期日早于申请日 / expires before it was filed"),
        ]
        field = code = reason = pl.lit(None, dtype=pl.String)
        for hit, f, c, r in reversed(problems):
            field = pl.when(hit).then(pl.lit(f)).otherwise(field)
            code = pl.when(hit).then(pl.lit(str(c))).otherwise(code)
            reason = pl.when(hit).then(pl.lit(r)).otherwise(reason)
        return (frame.with_columns(reject_field=field, reject_code=code, reject_reason=reason)
                .filter(pl.col("reject_code").is_not_null()).select("row", "uscc", *REJECT_SCHEMA))


def _engine_errors(job: Job, frame: pl.DataFrame) -> tuple[list[pl.DataFrame], list[dict]]:
    """Run ``job`` one enterprise at a time; what still raises becomes a reject."""
    parts, errors = [], []
    for i in range(frame.height):
        one = frame.slice(i, 1)
        try:
            parts.append(job.run(one))
        except Exception as exc:  # noqa: BLE001 - any engine failure is this row's reject reason
            errors.append({"row": one["row"][0], "uscc": one["uscc"][0], "reject_field": "",
                           "reject_code": str(RejectCode.ENGINE),
                           "reject_reason": f"{type(exc).__name__}: {exc}"[:500]})
    return parts, errors


def _duplicate_rejects(frame: pl.DataFrame, rows: set[int], already: pl.DataFrame, field: str) -> pl.DataFrame:
    dup = frame.filter(pl.col("row").is_in(sorted(rows)) & ~pl.col("row").is_in(already["row"].implode()))
    return dup.select("row", "uscc").with_columns(
        reject_field=pl.lit(field), reject_code=pl.lit(str(RejectCode.DUPLICATE_USCC)),
        reject_reason=pl.lit("与前面的行重复（同一企业或同一知识产权）/ repeats an earlier row's enterprise or item"))


def run_batch(job: Job, frame: pl.DataFrame, duplicate_rows: set[int] | None = None) -> pa.Table:
    """Results and rejects of one batch (``frame``: the facts columns and ``row``); rows in
    ``duplicate_rows`` repeat an earlier row's key and are rejects."""
    schema = job.schema()
    frame = _conform(frame, job.input_schema)
    rejects = job.rejects(frame)
    if duplicate_rows:
        dups = _duplicate_rejects(frame, duplicate_rows, rejects, job.key_columns[-1])
        if dups.height:
            rejects = pl.concat([rejects, dups.select(rejects.columns)], how="vertical_relaxed")
    good = frame.filter(~pl.col("row").is_in(rejects["row"].implode())) if rejects.height else frame
    try:
        parts = [job.run(good)]
    except Exception:  # noqa: BLE001 - isolate the enterprise that makes the engine raise
        parts, errors = _engine_errors(job, good)
        if errors:
            rejects = pl.concat([rejects, pl.DataFrame(errors, schema=rejects.schema)])
    pieces = [p.with_columns(output=pl.lit(RESULT)) for p in parts if p.height]
    if rejects.height:
        pieces.append(rejects.with_columns(output=pl.lit(REJECT)))
    if not pieces:
        return schema.empty_table()
    out = pl.concat(pieces, how="diagonal_relaxed")
    out = out.with_columns([pl.lit(None).alias(n) for n in schema.names if n not in out.columns])
    return _cast(out.select(schema.names).to_arrow(), schema)


def _conform(frame: pl.DataFrame, schema=SCHEMA) -> pl.DataFrame:
    wrong = [pl.col(c).cast(t) for c, t in schema.items() if c in frame.columns and frame.schema[c] != t]
    return frame.with_columns(wrong) if wrong else frame


def _cast(table: pa.Table, schema: pa.Schema) -> pa.Table:
    return pa.Table.from_arrays([table.column(i).cast(f.type) for i, f in enumerate(schema)], schema=schema)


def map_row_groups(job: Job, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """The ``mapInArrow`` function over row-group descriptors (``file``, ``row_group``,
    ``first_row``): each task reads its row groups of the facts Parquet with Arrow, in the Python
    worker, and yields their results and rejects (``row`` = ``first_row`` + position)."""
    columns = list(job.input_schema)
    for batch in batches:
        for file, group, first in zip(*(batch.column(i).to_pylist() for i in range(3)), strict=True):
            table = pq.ParquetFile(file).read_row_group(group, columns=columns)
            frame = pl.from_arrow(table).with_columns(
                row=pl.int_range(first, first + table.num_rows, dtype=pl.Int64))
            dups = (job.duplicates or {}).get(file)
            yield from run_batch(job, frame, dups).to_batches()


def map_keys(job: Job, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """The ``mapInArrow`` function of the duplicate pass: each row group's ``file``, ``row`` and
    key (the job's key columns joined), reading only those columns."""
    for batch in batches:
        for file, group, first in zip(*(batch.column(i).to_pylist() for i in range(3)), strict=True):
            table = pq.ParquetFile(file).read_row_group(group, columns=list(job.key_columns))
            frame = pl.from_arrow(table)
            key = pl.concat_str([pl.col(c).cast(pl.String) for c in job.key_columns], separator="|")
            out = frame.select(pl.lit(file).alias("file"),
                               pl.int_range(first, first + table.num_rows, dtype=pl.Int64).alias("row"),
                               key.alias("key")).filter(pl.col("key").is_not_null())
            yield from out.to_arrow().to_batches()


def map_batches(job: Job, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """The ``mapInArrow`` function: each incoming batch → its results and rejects."""
    for batch in batches:
        if batch.num_rows:
            yield from run_batch(job, pl.from_arrow(batch)).to_batches()
