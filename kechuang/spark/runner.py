"""Running the engine's partition functions on Apache Spark (PySpark, ``mapInArrow``).

    from kechuang.spark.runner import spark_session, run_job
    from kechuang.spark import EvaluateJob
    spark = spark_session("local[2]")
    summary = run_job(spark, EvaluateJob(as_of), "facts.parquet", "out/")

reads facts Parquet stamped with the data standard's version (refused otherwise, before any task
starts: :func:`~kechuang.spark.standard.check_facts_parquet`), maps the job over the partitions
with ``mapInArrow`` and writes ``out/output=result/`` and ``out/output=reject/`` in one pass.
``row`` in both is the enterprise's row in its input file, the same number the single-process
``evaluate_parquet`` gives it.

Two readers (``reader=``):

- ``"arrow"`` (default): Spark distributes the files' *row groups* (a small DataFrame of ``file,
  row_group, first_row``) and each task reads its row groups with Arrow in the Python worker
  (:func:`~kechuang.spark.partitions.map_row_groups`). The facts never pass through the JVM: Spark's
  conversion of the nested ``List(Struct)`` columns (annual facts, IP, certificates …) to Arrow
  costs several times the engine's own work (docs/benchmarks.md, Spark). The files must be
  readable by every executor at the same path (a shared file system or object storage mount).
- ``"spark"``: ``spark.read.parquet`` with ``_metadata.row_index`` as ``row``, then ``mapInArrow``
  over Spark's own partitions (any Spark data source works this way; slower on nested facts).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.pandas.types import from_arrow_schema


from .partitions import REJECT, RESULT, Job, map_batches, map_keys, map_row_groups
from .standard import LAYOUT, LAYOUT_SCHEMAS, check_facts_parquet


def spark_session(master: str = "local[2]", *, app: str = "kechuang", batch_rows: int = 50_000,
                  driver_memory: str = "2g", extra: dict[str, str] | None = None) -> SparkSession:
    """A session whose Python workers run this interpreter (so they import the same engine).
    ``batch_rows``: rows per Arrow batch handed to a job — the engine's batch path has a fixed cost
    of ≈ 0.2 s a call (planning every standard's expressions), so batches of tens of thousands."""
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    builder = (SparkSession.builder.master(master).appName(app)
               .config("spark.pyspark.python", sys.executable)
               .config("spark.ui.enabled", "false")
               .config("spark.driver.memory", driver_memory)
               .config("spark.sql.execution.arrow.maxRecordsPerBatch", str(batch_rows))
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.sql.sources.partitionOverwriteMode", "static"))
    for k, v in (extra or {}).items():
        builder = builder.config(k, v)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def read_facts(spark: SparkSession, src: str | Path, layout: bytes = LAYOUT) -> DataFrame:
    """The columns of ``layout`` and ``row`` (the row in its file) of a checked Parquet file."""
    files = check_facts_parquet(src, layout)
    df = spark.read.parquet(*[str(f) for f in files])
    return df.select(*[F.col(c) for c in LAYOUT_SCHEMAS[layout]], F.col("_metadata.row_index").alias("row"))


def row_groups(spark: SparkSession, src: str | Path, partitions: int | None = None,
               layout: bytes = LAYOUT) -> tuple[DataFrame, int]:
    """A DataFrame of the checked files' row groups (``file, row_group, first_row``) in
    ``partitions`` slices (default: one per row group, at most 4 × the default parallelism), and
    the number of enterprises in them."""
    rows, n = [], 0
    for f in check_facts_parquet(src, layout):
        meta = pq.ParquetFile(f).metadata
        first = 0
        for g in range(meta.num_row_groups):
            rows.append((str(f.resolve()), g, first))
            first += meta.row_group(g).num_rows
        n += first
    slices = partitions or min(len(rows), 4 * spark.sparkContext.defaultParallelism)
    rdd = spark.sparkContext.parallelize(rows, max(1, min(slices, len(rows))))
    return spark.createDataFrame(rdd, "file string, row_group int, first_row long"), n


def duplicate_rows(groups: DataFrame, job: Job) -> dict[str, set[int]]:
    """Rows whose key (the job's ``key_columns``) already appeared on an earlier row, in any
    partition or file: a shuffle of the keys only (each row group read for its key columns), the
    first occurrence (by file, then row) kept. Returns ``{file: {row, …}}`` of the later ones."""
    from pyspark.sql.window import Window

    keys = groups.mapInArrow(partial(map_keys, job), "file string, row long, key string")
    first = Window.partitionBy("key").orderBy("file", "row")
    later = keys.withColumn("n", F.row_number().over(first)).filter(F.col("n") > 1).select("file", "row")
    out: dict[str, set[int]] = {}
    for r in later.toLocalIterator():
        out.setdefault(r["file"], set()).add(r["row"])
    return out


def map_job(df: DataFrame, job: Job) -> DataFrame:
    """``df`` (facts and ``row``) mapped through ``job``: results and rejects, ``output`` telling
    them apart."""
    return df.mapInArrow(partial(map_batches, job), from_arrow_schema(job.schema()))


@dataclass(frozen=True)
class Summary:
    """What a run read and wrote: ``enterprises`` in = enterprises with results + ``rejects``."""

    enterprises: int
    result_rows: int
    enterprises_with_results: int
    rejects: int
    partitions: int
    output: str


def run_job(spark: SparkSession, job: Job, src: str | Path, out: str | Path, *,
            partitions: int | None = None, reader: str = "arrow", check_duplicates: bool = True) -> Summary:
    """Read ``src``, map ``job`` over it, write ``out/output=result`` and ``out/output=reject``.
    With the Arrow reader a row repeating an earlier row's key (the same enterprise, or IP item) is
    a ``duplicate_uscc`` reject unless ``check_duplicates`` is off (the benchmark's input repeats
    its records on purpose); Spark's own reader does not check."""
    if reader == "arrow":
        groups, n_in = row_groups(spark, src, partitions, job.layout)
        job.duplicates = duplicate_rows(groups, job) if check_duplicates else None
        mapped = groups.mapInArrow(partial(map_row_groups, job), from_arrow_schema(job.schema()))
        n_parts = groups.rdd.getNumPartitions()
    elif reader == "spark":
        df = read_facts(spark, src, job.layout)
        if partitions:
            df = df.repartition(partitions)
        n_parts = df.rdd.getNumPartitions()
        mapped = map_job(df, job)
        n_in = None
    else:
        raise ValueError(f"reader must be 'arrow' or 'spark', got {reader!r}")
    mapped.write.mode("overwrite").partitionBy("output").parquet(str(out))
    if n_in is None:
        n_in = df.count()
    res = read_output(out, RESULT, ["row"])
    rej = read_output(out, REJECT, ["row"])
    return Summary(n_in, res.num_rows, len(set(res.column("row").to_pylist())), rej.num_rows,
                   n_parts, str(out))


def read_output(out: str | Path, kind: str, columns: list[str] | None = None):
    """One part (``result`` or ``reject``) of a run's output as an Arrow table (empty if none)."""
    part = Path(out) / f"output={kind}"
    files = sorted(part.glob("*.parquet")) if part.exists() else []
    if not files:
        return pa.table({c: pa.array([], pa.int64()) for c in (columns or ["row"])})
    return ds.dataset([str(f) for f in files], format="parquet").to_table(columns=columns)
