"""Fixtures of the Spark tests: one local[2] SparkSession for the whole run, and synthetic facts.

Without PySpark or Java the Spark tests skip with a reason, which fails the run under
``KECHUANG_STRICT_SKIPS=1`` (CI installs both: scripts/_env.sh test)."""

from __future__ import annotations

import datetime as dt
import shutil

import polars as pl
import pytest

from kechuang.engine.qualification import records_to_frame
from kechuang.spark import write_facts_parquet
from kechuang.synthetic import generate

AS_OF = dt.date(2026, 11, 22)
N = 2000  # synthetic enterprises (合成数据)


@pytest.fixture(scope="session")
def spark():
    pytest.importorskip("pyspark", reason="needs PySpark: pip install -e '.[spark]'")
    if shutil.which("java") is None:
        pytest.skip("needs a Java runtime (Debian: openjdk-17-jre-headless)")
    from kechuang.spark.runner import spark_session

    # small splits and Arrow batches so the file runs as several partitions of several batches
    session = spark_session("local[2]", batch_rows=700, extra={
        "spark.sql.files.maxPartitionBytes": str(256 * 1024), "spark.sql.files.openCostInBytes": "0",
        "spark.sql.shuffle.partitions": "4", "spark.default.parallelism": "2"})
    yield session
    session.stop()


@pytest.fixture(scope="session")
def records() -> list[dict]:
    return list(generate(N, as_of=AS_OF))


@pytest.fixture(scope="session")
def facts(records) -> pl.DataFrame:
    return records_to_frame(records)


@pytest.fixture(scope="session")
def facts_file(facts, tmp_path_factory):
    path = tmp_path_factory.mktemp("facts") / "facts.parquet"
    write_facts_parquet(facts, path, row_group_size=400)
    return path
