"""The facts Parquet stamp and the reject rules, without Spark."""

from __future__ import annotations

import polars as pl
import pyarrow.parquet as pq
import pytest

from kechuang.engine.facts import SCHEMA_VERSION
from kechuang.spark import (EvaluateJob, FactsParquetError, FileCode, RejectCode, check_facts_parquet,
                            find_rejects, run_batch, write_facts_parquet)
from kechuang.spark.standard import VERSION_KEY, readable

from .conftest import AS_OF


@pytest.mark.parametrize(("version", "ok"), [
    ("1.1", True), ("1.0", True), ("1", True), ("1.2", False), ("2.0", False), ("0.9", False), ("x", False),
], ids=["same", "older-minor", "major-only", "newer-minor", "newer-major", "older-major", "garbage"])
def test_readable_versions_extend_never_break(version, ok):
    assert readable(version, "1.1") is ok


def test_given_stamped_file_when_checked_then_accepted(facts, tmp_path):
    path = tmp_path / "f.parquet"
    write_facts_parquet(facts.head(10), path)
    assert check_facts_parquet(path) == [path]
    assert pq.read_schema(path).metadata[VERSION_KEY] == SCHEMA_VERSION.encode()


@pytest.mark.parametrize(("version", "code"), [("2.0", FileCode.VERSION), ("1.9", FileCode.VERSION)])
def test_given_other_version_when_checked_then_refused_with_code(facts, tmp_path, version, code):
    path = tmp_path / "f.parquet"
    write_facts_parquet(facts.head(10), path, version=version)
    with pytest.raises(FactsParquetError) as err:
        check_facts_parquet(path)
    assert err.value.code == code
    assert f"'{version}'" in str(err.value) and str(path) in str(err.value)


def test_given_unstamped_file_when_checked_then_refused(facts, tmp_path):
    path = tmp_path / "plain.parquet"
    facts.head(5).write_parquet(path)
    with pytest.raises(FactsParquetError) as err:
        check_facts_parquet(path)
    assert err.value.code == FileCode.NO_VERSION


def test_given_column_missing_or_retyped_when_checked_then_refused(facts, tmp_path):
    path = tmp_path / "f.parquet"
    write_facts_parquet(facts.head(5), path)
    table = pq.read_table(path)
    pq.write_table(table.drop_columns(["years"]).replace_schema_metadata(table.schema.metadata), path)
    with pytest.raises(FactsParquetError) as err:
        check_facts_parquet(path)
    assert err.value.code == FileCode.MISSING_COLUMN and "'years'" in str(err.value)
    retyped = pl.from_arrow(table).with_columns(pl.col("digital_level").cast(pl.String)).to_arrow()
    pq.write_table(retyped.replace_schema_metadata(table.schema.metadata), path)
    with pytest.raises(FactsParquetError) as err:
        check_facts_parquet(path)
    assert err.value.code == FileCode.COLUMN_TYPE and "'digital_level'" in str(err.value)


def spoil(facts: pl.DataFrame) -> pl.DataFrame:
    """Rows 1–5 broken in five ways (row 0 and 6+ intact)."""
    f = facts.head(8).with_row_index("row").with_columns(pl.col("row").cast(pl.Int64))
    uscc = f["uscc"].to_list()
    uscc[1], uscc[2] = None, uscc[2][:17] + ("0" if uscc[2][17] != "0" else "1")
    names = f["name"].to_list()
    names[3] = " "
    years = f["years"].to_list()
    years[4] = years[4] + [dict(years[4][0], year=None)]
    years[5] = years[5] + [years[5][0]]
    return f.with_columns(pl.Series("uscc", uscc), pl.Series("name", names),
                          pl.Series("years", years, dtype=f.schema["years"]))


def test_given_malformed_rows_when_checked_then_each_named_with_field_and_code(facts):
    rejects = find_rejects(spoil(facts))
    assert rejects.select("row", "reject_field", "reject_code").rows() == [
        (1, "uscc", RejectCode.REQUIRED), (2, "uscc", RejectCode.USCC), (3, "name", RejectCode.REQUIRED),
        (4, "years[].year", RejectCode.REQUIRED), (5, "years[].year", RejectCode.DUPLICATE)]
    assert all("/" in r for r in rejects["reject_reason"])  # Chinese / English


def test_given_malformed_rows_when_batch_runs_then_in_equals_results_plus_rejects(facts):
    out = pl.from_arrow(run_batch(EvaluateJob(AS_OF, details="none"), spoil(facts)))
    res, rej = out.filter(pl.col("output") == "result"), out.filter(pl.col("output") == "reject")
    assert sorted(rej["row"]) == [1, 2, 3, 4, 5]
    assert sorted(res["row"].unique()) == [0, 6, 7]
    assert res.height == 3 * res.n_unique("standard")


def test_given_engine_raises_on_one_enterprise_when_batch_runs_then_only_it_is_rejected(facts, monkeypatch):
    job = EvaluateJob(AS_OF, details="none")
    frame = facts.head(6).with_row_index("row").with_columns(pl.col("row").cast(pl.Int64))
    bad = frame["uscc"][4]
    real = EvaluateJob.run

    def run(self, f):
        if bad in f["uscc"].to_list():
            raise ZeroDivisionError("division by zero in a feature")
        return real(self, f)

    monkeypatch.setattr(EvaluateJob, "run", run)
    out = pl.from_arrow(run_batch(job, frame))
    rej = out.filter(pl.col("output") == "reject")
    assert rej.select("row", "uscc", "reject_code", "reject_reason").rows() == [
        (4, bad, "engine_error", "ZeroDivisionError: division by zero in a feature")]
    assert sorted(out.filter(pl.col("output") == "result")["row"].unique()) == [0, 1, 2, 3, 5]
