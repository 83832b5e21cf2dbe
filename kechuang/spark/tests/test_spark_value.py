"""``kechuang spark value``: the IP valuation over ``ip[]`` items on Spark local[2] gives the
single-process ``value_batch`` row for row; malformed items become rejects with row, field and code
(in = results + rejects); a file of the other layout is refused before any task (synthetic data)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

from kechuang.engine.ipvalue import get_model, value_batch
from kechuang.spark import FactsParquetError, FileCode, RejectCode, ValueJob, check_facts_parquet
from kechuang.spark.standard import IP_ITEMS_SCHEMA, IP_LAYOUT, LAYOUT, ip_items_frame, write_ip_items_parquet

from .conftest import AS_OF

N_ITEMS = 3000
TYPES = ["invention_patent", "utility_model", "design", "software_copyright", None]


def synthetic_items(records, n: int = N_ITEMS, seed: int = 16) -> pl.DataFrame:
    """``n`` SYNTHETIC ``ip[]`` items of the synthetic enterprises, about a fifth of each fact unknown."""
    rng = np.random.default_rng(seed)

    def maybe(values, p=0.2):
        return pl.Series(values).set(pl.Series(rng.random(n) < p), None)

    filed = np.datetime64(AS_OF) - rng.integers(0, 25 * 365, n).astype("timedelta64[D]")
    usccs = [r["uscc"] for r in records]
    return pl.DataFrame({
        "uscc": [usccs[i] for i in rng.integers(0, len(usccs), n)],
        "number": [f"ZL20{i:09d}" for i in range(n)],
        "type": rng.choice(np.array(TYPES, dtype=object), n).tolist(),
        "filed_on": maybe(filed, 0.05), "claims": maybe(rng.integers(1, 30, n).astype(float)),
        "citations": maybe(rng.poisson(2.0, n).astype(float)), "family_size": maybe(rng.integers(1, 8, n).astype(float)),
        "litigations": maybe(rng.poisson(0.2, n).astype(float)), "licences": maybe(rng.poisson(0.5, n).astype(float)),
        "attributable_revenue": maybe(np.round(rng.lognormal(14.0, 1.5, n), 2)),
        "industrializable": maybe(rng.random(n) < 0.6),
    }, schema_overrides={"type": pl.String})


@pytest.fixture(scope="module")
def items(records) -> pl.DataFrame:
    return synthetic_items(records)


def _write(frame, path) -> str:
    write_ip_items_parquet(frame, path, row_group_size=600)
    return str(path)


def _run(spark, job, src, out):
    from kechuang.spark.runner import read_output, run_job

    summary = run_job(spark, job, src, out)
    return summary, pl.from_arrow(read_output(out, "result")), pl.from_arrow(read_output(out, "reject"))


@pytest.mark.spark
def test_given_ip_items_when_valued_on_spark_then_same_rows_as_single_process(spark, items, tmp_path):
    src = _write(items, tmp_path / "ip.parquet")
    model = get_model()
    summary, res, rej = _run(spark, ValueJob(model, AS_OF), src, tmp_path / "out")
    single = value_batch(items.with_row_index("row").with_columns(pl.col("row").cast(pl.Int64)), model, AS_OF)
    assert summary.partitions > 1 and summary.enterprises == N_ITEMS and rej.height == 0
    assert res.height == N_ITEMS
    cols = ["row", "uscc", "number", "status", "value_low", "value_mid", "value_high", "quality_mid"]
    got = res.select(cols).sort("row")
    want = single.select(cols).sort("row")
    assert got.equals(want)
    assert set(got["status"]) == {"valued", "expired", "unknown"}  # every outcome occurs


@pytest.mark.spark
def test_given_malformed_items_when_valued_then_rejects_and_nothing_lost(spark, items, tmp_path):
    bad = items.head(400).with_row_index("i").with_columns(
        number=pl.when(pl.col("i") == 3).then(None).otherwise(pl.col("number")),
        uscc=pl.when(pl.col("i") == 5).then(pl.lit("91370100MA3C00000Y")).otherwise(pl.col("uscc")),
        claims=pl.when(pl.col("i") == 7).then(-2.0).otherwise(pl.col("claims")),
        expires_on=pl.when(pl.col("i") == 9).then(pl.col("filed_on") - pl.duration(days=1))
                     .otherwise(pl.lit(None, dtype=pl.Date)),
        filed_on=pl.when(pl.col("i") == 9).then(pl.lit(dt.date(2020, 1, 1))).otherwise(pl.col("filed_on")),
    ).drop("i")
    src = _write(bad, tmp_path / "bad.parquet")
    summary, res, rej = _run(spark, ValueJob(get_model(), AS_OF), src, tmp_path / "out")
    assert summary.enterprises == 400 == res.height + rej.height
    codes = {r["row"]: (r["reject_field"], r["reject_code"]) for r in rej.iter_rows(named=True)}
    assert codes == {3: ("number", RejectCode.REQUIRED), 5: ("uscc", RejectCode.USCC),
                     7: ("ip[]", RejectCode.NEGATIVE), 9: ("expires_on", RejectCode.DATES)}


def test_given_the_other_layout_when_checked_then_refused_with_its_code(items, facts_file, tmp_path):
    src = _write(items.head(10), tmp_path / "ip.parquet")
    assert check_facts_parquet(src, IP_LAYOUT)
    with pytest.raises(FactsParquetError) as exc:
        check_facts_parquet(src, LAYOUT)  # IP items given where enterprises are expected
    assert exc.value.code == FileCode.LAYOUT
    with pytest.raises(FactsParquetError) as exc:
        check_facts_parquet(facts_file, IP_LAYOUT)
    assert exc.value.code == FileCode.LAYOUT


def test_items_of_interchange_records_keep_their_holder():
    recs = [{"uscc": "A", "ip": [{"number": "ZL1", "type": "invention_patent", "claims": 3}, {"number": "ZL2"}]},
            {"uscc": "B", "ip": []}, {"uscc": "C"}]
    frame = ip_items_frame(recs)
    assert frame.schema == pl.Schema(IP_ITEMS_SCHEMA)
    assert frame.select("uscc", "number", "claims").rows() == [("A", "ZL1", 3.0), ("A", "ZL2", None)]


@pytest.mark.spark
def test_given_an_item_twice_when_valued_then_the_later_row_is_a_reject(spark, items, tmp_path):
    frame = pl.concat([items.head(700), items.slice(2, 1)])  # row 700 repeats row 2 (holder and number)
    src = _write(frame, tmp_path / "dup.parquet")
    summary, res, rej = _run(spark, ValueJob(get_model(), AS_OF), src, tmp_path / "out")
    assert rej.select("row", "reject_field", "reject_code").rows() == [(700, "number", "duplicate_uscc")]
    assert res.height == 700 and summary.enterprises == 701


@pytest.mark.spark
def test_given_a_fitted_reference_when_points_are_scored_on_spark_then_same_as_single_process(
        spark, records, facts, facts_file, tmp_path):
    from kechuang.engine.points import PointsScorer, bundled_models, facts_frame
    from kechuang.engine.qualification import frame_to_records
    from kechuang.spark import PointsJob

    model = bundled_models()["national"]
    # the same data as Spark reads: the columnar snapshot (which lacks a few of the points' facts —
    # talent, tax paid, penalties, overdue loans — so they count as unknown on both paths)
    point_facts = facts_frame(frame_to_records(facts.drop("row", strict=False)), AS_OF)
    scorer = PointsScorer(model).fit(point_facts)  # the 对照库, fitted on the whole population
    single = scorer.score(point_facts, keys=facts.select("uscc"))
    summary, res, rej = _run(spark, PointsJob(model, scorer.reference_json(), AS_OF), facts_file, tmp_path / "out")
    assert summary.partitions > 1 and rej.height == 0 and res.height == facts.height
    assert "rank" not in res.columns  # a population-wide figure, not a partition's
    got = res.sort("row").select("uscc", "points", "band", "next_gap", "stage")
    assert got.equals(single.select("uscc", "points", "band", "next_gap", "stage"))


def test_the_cli_builds_the_value_and_points_jobs_and_asks_for_what_they_need(tmp_path):
    import orjson

    from kechuang.engine.points import PointsScorer, bundled_models, facts_frame
    from kechuang.spark import PointsJob
    from kechuang.spark.cli import _parser, build_job

    common = ["--input", "x", "--output", "y", "--as-of", AS_OF.isoformat()]
    job = build_job(_parser().parse_args(["value", *common]))
    assert isinstance(job, ValueJob) and job.layout == IP_LAYOUT and job.model.id == get_model().id
    with pytest.raises(SystemExit):
        build_job(_parser().parse_args(["points", "--model", "national", *common]))
    ref = PointsScorer(bundled_models()["national"]).fit(facts_frame([], AS_OF)).reference_json()
    (tmp_path / "ref.json").write_bytes(orjson.dumps(ref))
    job = build_job(_parser().parse_args(["points", "--model", "national", "--reference", str(tmp_path / "ref.json"),
                                          *common]))
    assert isinstance(job, PointsJob) and job.layout == LAYOUT
