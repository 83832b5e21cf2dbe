"""The engine on Spark local[2] gives the single-process results row for row (synthetic data)."""

from __future__ import annotations

import subprocess
import sys

import polars as pl
import pytest

from kechuang.engine.qualification import evaluate_parquet, frame_to_records
from kechuang.engine.rating import features_frame, training_frame
from kechuang.engine.rating.training import build_scorecard
from kechuang.engine.risk import load_rules, records_to_frames, warnings_batch
from kechuang.spark import EvaluateJob, FactsParquetError, FileCode, RateJob, WarnJob, write_facts_parquet
from kechuang.synthetic import generate_outcomes

from .conftest import AS_OF, N
from .test_standard import spoil

pytestmark = pytest.mark.spark


def _run(spark, job, src, out, reader="arrow"):
    from kechuang.spark.runner import read_output, run_job

    summary = run_job(spark, job, src, out, reader=reader)
    res = pl.from_arrow(read_output(out, "result"))
    rej = pl.from_arrow(read_output(out, "reject"))
    return summary, res, rej


@pytest.mark.parametrize(("details", "reader"), [("columns", "arrow"), ("json", "spark")],
                         ids=["columns-arrow-reader", "json-spark-reader"])
def test_given_facts_when_evaluated_on_spark_then_same_rows_as_single_process(spark, facts_file, tmp_path, details,
                                                                              reader):
    summary, res, rej = _run(spark, EvaluateJob(AS_OF, details=details), facts_file, tmp_path / "out", reader)
    single = pl.concat(list(evaluate_parquet(facts_file, AS_OF, details=details, batch_size=N)))
    assert summary.partitions > 1 and summary.enterprises == N and rej.height == 0
    assert summary.result_rows == single.height == res.height
    cols = single.columns
    got = res.select(cols).sort("row", "standard")
    want = single.with_columns(pl.col("row").cast(pl.Int64)).sort("row", "standard")
    if details == "columns":
        got = got.with_columns(pl.col("clause_status").cast(pl.List(pl.UInt8)))
    assert got.equals(want)


def test_given_facts_when_warned_on_spark_then_same_levels_as_single_process(spark, facts, facts_file, tmp_path):
    rules = load_rules()
    summary, res, rej = _run(spark, WarnJob(rules, AS_OF), facts_file, tmp_path / "out")
    ents, items = records_to_frames(frame_to_records(facts), AS_OF)
    single = warnings_batch(ents, items, AS_OF, rules)[0].with_row_index("row")
    assert rej.height == 0 and summary.enterprises_with_results == N
    assert single["level"].n_unique() > 1  # the synthetic population has several warning levels
    got = res.select(single.columns).sort("row")
    assert got.equals(single.with_columns(pl.col("row").cast(pl.Int64)))


def test_given_scorecard_when_rated_on_spark_then_same_scores_as_single_process(spark, records, facts, facts_file,
                                                                                 tmp_path):
    frame = features_frame(records, AS_OF)
    outcomes = {o["uscc"]: o["defaulted"] for o in generate_outcomes(N, as_of=AS_OF)}
    model = build_scorecard().fit(*training_frame(frame, outcomes)).model_
    summary, res, rej = _run(spark, RateJob(model, AS_OF), facts_file, tmp_path / "out")
    single = model.score(features_frame(frame_to_records(facts), AS_OF).select(model.features))
    assert rej.height == 0 and res.height == N
    got = res.sort("row")
    assert got["grade"].to_list() == single["grade"].to_list()
    assert got["reason_1"].to_list() == single["reason_1"].to_list()
    assert (got["score"] - single["score"]).abs().max() < 1e-9
    assert (got["pd"] - single["pd"]).abs().max() < 1e-12


@pytest.mark.parametrize("reader", ["arrow", "spark"])
def test_given_malformed_records_when_run_on_spark_then_rejects_and_nothing_lost(spark, facts, tmp_path, reader):
    bad = spoil(facts).drop("row")
    # rows 501–505 are the broken ones; the spoiled eight are enterprises 0–7, so the rest starts at 8
    # (else their intact rows would repeat an earlier USCC, itself a reject)
    frame = pl.concat([facts.slice(8, 500), bad, facts.slice(508, 492)])
    src = tmp_path / "bad.parquet"
    write_facts_parquet(frame, src, row_group_size=100)
    summary, res, rej = _run(spark, EvaluateJob(AS_OF, details="none"), src, tmp_path / "out", reader)
    assert summary.enterprises == 1000
    assert sorted(rej["row"]) == [501, 502, 503, 504, 505]
    assert rej.sort("row")["reject_code"].to_list() == ["required", "uscc", "required", "required", "duplicate"]
    assert summary.enterprises_with_results + summary.rejects == summary.enterprises
    assert set(res["row"].unique()).isdisjoint(rej["row"])


def test_given_newer_schema_version_when_run_on_spark_then_refused_before_any_task(spark, facts, tmp_path):
    from kechuang.spark.runner import run_job

    src = tmp_path / "v2.parquet"
    write_facts_parquet(facts.head(10), src, version="2.0")
    with pytest.raises(FactsParquetError) as err:
        run_job(spark, EvaluateJob(AS_OF), src, tmp_path / "out")
    assert err.value.code == FileCode.VERSION
    assert not (tmp_path / "out").exists()


def test_given_newer_schema_version_when_cli_runs_then_exit_2_coded_message_and_no_django(facts, tmp_path):
    src = tmp_path / "v2.parquet"
    write_facts_parquet(facts.head(10), src, version="1.7")
    script = ("import sys; from kechuang.cli import main; rc = main(sys.argv[1:]); "
              "print('django loaded' if 'django' in sys.modules else 'no django'); sys.exit(rc)")
    proc = subprocess.run([sys.executable, "-c", script, "spark", "evaluate", "--input", str(src),
                           "--output", str(tmp_path / "o"), "--as-of", AS_OF.isoformat()],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "[schema_version]" in proc.stderr and "'1.7'" in proc.stderr
    assert proc.stdout.strip() == "no django"


def test_given_an_enterprise_twice_in_other_partitions_when_run_then_the_later_rows_are_rejects(spark, facts, tmp_path):
    # rows 900–909 repeat rows 0–9 (another row group, so another task): a province's files often overlap
    frame = pl.concat([facts.head(900), facts.head(10)])
    src = tmp_path / "dup.parquet"
    write_facts_parquet(frame, src, row_group_size=100)
    summary, res, rej = _run(spark, EvaluateJob(AS_OF, details="none"), src, tmp_path / "out")
    assert summary.partitions > 1 and summary.enterprises == 910
    assert sorted(rej["row"]) == list(range(900, 910))
    assert set(rej["reject_code"]) == {"duplicate_uscc"} and set(rej["reject_field"]) == {"uscc"}
    assert set(rej["uscc"]) == set(facts.head(10)["uscc"])
    assert summary.enterprises_with_results + summary.rejects == summary.enterprises  # nothing lost
    assert set(res["row"].unique()) == set(range(900))
