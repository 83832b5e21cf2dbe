"""``kechuang evaluate_import``: store a region's evaluation computed on Spark as a run.

    kechuang spark evaluate --input facts.parquet --output out/ --as-of 2026-11-22 --details json
    kechuang evaluate_import --results out/ --region 370100 --as-of 2026-11-22 [--actor USER]

reads the job's ``output=result`` Parquet (``--details json`` or ``none``), registers a run of the
region with the standard versions the file holds, and stores the region's results and tier
placements in one transaction with its audit entries (``evaluation_run_import``). Rows of
enterprises outside the region, and the region's enterprises the file has no row for, are counted
and printed, never stored silently. The job's rejects (``output=reject``) are printed too.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from kechuang.evaluation.choices import RunDetails
from kechuang.evaluation.services import evaluation_run_create, evaluation_run_import


def _parquet(folder: Path) -> pl.DataFrame | None:
    files = sorted(folder.glob("*.parquet")) if folder.is_dir() else []
    return pl.concat([pl.read_parquet(f) for f in files], how="vertical_relaxed") if files else None


class Command(BaseCommand):
    help = "Store a qualification evaluation computed on Spark (kechuang spark evaluate) as a region run."

    def add_arguments(self, parser):
        parser.add_argument("--results", type=Path, required=True, help="the Spark job's output directory")
        parser.add_argument("--region", required=True, help="region code (GB/T 2260) of the run")
        parser.add_argument("--as-of", required=True, help="the evaluation date the job used, YYYY-MM-DD")
        parser.add_argument("--actor", default="", help="username recorded as the actor (default: command:evaluate_import)")

    def handle(self, *args, **options):
        try:
            as_of = dt.date.fromisoformat(options["as_of"])
        except ValueError as exc:
            raise CommandError(f"--as-of: expected a date YYYY-MM-DD, got {options['as_of']!r}") from exc
        actor = "command:evaluate_import"
        if options["actor"]:
            actor = get_user_model().objects.filter(username=options["actor"]).first()
            if actor is None:
                raise CommandError(f"no such user: {options['actor']}")
        out: Path = options["results"]
        results = _parquet(out / "output=result")
        if results is None:
            raise CommandError(f"no results under {out / 'output=result'} (is it a kechuang spark output?)")
        if "as_of" in results.columns and results["as_of"].n_unique() == 1 and results["as_of"][0] != as_of:
            raise CommandError(f"the results are as of {results['as_of'][0]}, not {as_of}")
        details = RunDetails.JSON if "clauses" in results.columns and results["clauses"].is_not_null().any() \
            else RunDetails.NONE
        try:
            run = evaluation_run_create(as_of=as_of, actor=actor, region_code=options["region"],
                                        standards=sorted(results["version"].unique().to_list()), details=details)
            run = evaluation_run_import(run=run, results=results, actor=actor)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        imp = run.counts["import"]
        self.stdout.write(self.style.SUCCESS(
            f"evaluation #{run.pk}: {run.enterprises_total} enterprises, {run.results_total} results imported, "
            f"as of {run.as_of}; {imp['outside_region']} enterprises in the file are outside {run.region_code}, "
            f"{imp['without_results']} of the region have no result in it"))
        rejects = _parquet(out / "output=reject")
        if rejects is not None:
            self.stdout.write(f"{rejects.height} records were rejected by the job:")
            for r in rejects.sort("row").head(20).iter_rows(named=True):
                self.stdout.write(f"  row {r['row']} {r['uscc']}: {r['reject_field']} {r['reject_code']} {r['reject_reason']}")
