"""Results computed on Spark (the partition function of ``kechuang spark evaluate``) come back as a
run, stored as the platform's own region run stores them."""

from io import StringIO

import polars as pl
import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from kechuang.core.models import AuditEntry
from kechuang.engine.qualification import records_to_frame
from kechuang.enterprises.models import Enterprise
from kechuang.enterprises.tests.factories import regulator
from kechuang.evaluation.error_codes import EvaluationErrorCode as E
from kechuang.evaluation.models import EvaluationResult, EvaluationRun, TierPlacement
from kechuang.evaluation.selectors import enterprise_record
from kechuang.evaluation.services import evaluation_run_create, evaluation_run_import
from kechuang.spark import EvaluateJob, run_batch

from .factories import AS_OF, finished_run, region

pytestmark = pytest.mark.django_db


def spark_results(details: str = "json") -> pl.DataFrame:
    """Every enterprise of the database through the Spark job's partition function."""
    records = [enterprise_record(enterprise=e, as_of=AS_OF) for e in Enterprise.objects.order_by("pk")]
    frame = records_to_frame(records).with_row_index("row").with_columns(pl.col("row").cast(pl.Int64))
    out = pl.from_arrow(run_batch(EvaluateJob(AS_OF, details=details), frame))
    return out.filter(pl.col("output") == "result")


def stored(run: EvaluationRun):
    results = sorted(EvaluationResult.objects.filter(run=run).values_list(
        "enterprise_id", "standard", "version", "status", "score", "score_min", "score_max", "route", "clauses"))
    places = sorted(TierPlacement.objects.filter(run=run).values_list(
        "enterprise_id", "region_code", "tier", "tier_rank", "flags", "next_standard", "next_status"))
    return results, places


def test_given_spark_results_when_imported_then_stored_as_the_platform_run_stores_them():
    region(3, "370102")
    region(1, "370112", start=10)
    region(1, "370203", start=20)  # Qingdao: in the file, outside the run's region
    reg = regulator("city")
    platform = finished_run(actor=reg)
    results = spark_results()
    assert results["uscc"].n_unique() == 5

    run = evaluation_run_create(as_of=AS_OF, actor=reg, region_code="370100",
                                standards=sorted(results["version"].unique().to_list()))
    run = evaluation_run_import(run=run, results=results, actor=reg)

    assert run.status == "succeeded" and run.versions == platform.versions
    assert (run.enterprises_total, run.results_total) == (4, 28)
    assert run.counts["import"] == {"outside_region": 1, "without_results": 0}
    assert run.counts["tiers"] == platform.counts["tiers"]
    assert stored(run) == stored(platform)
    entries = AuditEntry.objects.filter(object_type="evaluation.evaluationrun", object_id=str(run.pk))
    assert sorted(entries.values_list("action", flat=True)) == ["create", "update"]


def test_given_results_of_another_version_when_imported_then_refused_and_nothing_stored():
    region(2, "370102")
    reg = regulator("city")
    results = spark_results(details="none")
    run = evaluation_run_create(as_of=AS_OF, actor=reg, region_code="370100", standards=["tsme"])

    with pytest.raises(ValidationError) as err:
        evaluation_run_import(run=run, results=results, actor=reg)

    assert err.value.code == E.BAD_RESULTS
    assert not EvaluationResult.objects.filter(run=run).exists()
    assert not TierPlacement.objects.filter(run=run).exists()
    assert EvaluationRun.objects.get(pk=run.pk).status == "queued"


def test_given_results_without_a_column_when_imported_then_refused():
    region(1, "370102")
    reg = regulator("city")
    run = evaluation_run_create(as_of=AS_OF, actor=reg, region_code="370100")
    with pytest.raises(ValidationError) as err:
        evaluation_run_import(run=run, results=spark_results().drop("route"), actor=reg)
    assert err.value.code == E.BAD_RESULTS and "route" in err.value.messages[0]


def test_given_an_enterprise_twice_in_the_results_when_imported_then_refused_naming_it():
    ents = region(2, "370102")
    reg = regulator("city")
    results = spark_results()
    run = evaluation_run_create(as_of=AS_OF, actor=reg, region_code="370100",
                                standards=sorted(results["version"].unique().to_list()))
    with pytest.raises(ValidationError) as err:
        evaluation_run_import(run=run, results=pl.concat([results, results.head(1)]), actor=reg)
    assert err.value.code == E.BAD_RESULTS
    assert ents[0].uscc in err.value.messages[0] and "1 家" in err.value.messages[0]
    assert not EvaluationResult.objects.filter(run=run).exists()


def test_given_a_spark_output_directory_when_the_command_imports_it_then_a_run_and_the_counts_are_reported(tmp_path):
    region(2, "370102")
    region(1, "370203", start=20)
    regulator("city")
    results = spark_results()
    (tmp_path / "output=result").mkdir()
    results.drop("output").write_parquet(tmp_path / "output=result" / "part-00000.parquet")
    out = StringIO()

    call_command("evaluate_import", "--results", str(tmp_path), "--region", "370100",
                 "--as-of", AS_OF.isoformat(), "--actor", "city", stdout=out)

    run = EvaluationRun.objects.get(file_name="", region_code="370100")
    assert (run.enterprises_total, run.results_total) == (2, 14)
    assert "2 enterprises, 14 results imported" in out.getvalue()
    assert "1 enterprises in the file are outside 370100" in out.getvalue()
