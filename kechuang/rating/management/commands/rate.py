"""``kechuang rate``: credit rating from the command line.

::

    kechuang rate --region 370100 --as-of 2026-11-22          # rate a region with the champion
    kechuang rate train --as-of 2026-11-22 [--horizon 12]      # train a candidate on recorded outcomes
    kechuang rate promote --model-version 3 --status champion        # champion / challenger / retired
    kechuang rate outcomes --csv outcomes.csv --as-of 2026-11-22   # load outcomes (uscc,defaulted)

Errors (a one-class target, too few rows, an unknown code in the outcomes file …) are printed in
plain words and nothing is written.
"""

from __future__ import annotations

import csv
import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from kechuang.core.progress import TerminalProgress
from kechuang.rating.models import RatingModel
from kechuang.rating.services import (default_outcomes_load, rating_model_promote, rating_model_train,
                                      rating_run_create, rating_run_execute)

ACTOR = "command:rate"


def _date(text: str | None) -> dt.date:
    if not text:
        return timezone.localdate()
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"--as-of: expected a date YYYY-MM-DD, got {text!r}") from exc


def _messages(exc: ValidationError) -> str:
    return "\n".join(exc.messages)


class Command(BaseCommand):
    help = "Credit rating (信用评级): rate a region, train or promote a model, load outcomes."

    def add_arguments(self, parser):
        parser.add_argument("action", nargs="?", default="run", choices=["run", "train", "promote", "outcomes"])
        parser.add_argument("--region", default="370100")
        parser.add_argument("--as-of")
        parser.add_argument("--horizon", type=int, default=12)
        parser.add_argument("--model-version", dest="model_version", type=int, help="model version (run: default the champion)")
        parser.add_argument("--status", choices=["champion", "challenger", "retired", "candidate"])
        parser.add_argument("--csv", help="outcomes file: uscc,defaulted (0/1), header row")
        parser.add_argument("--source", default="command line")

    def handle(self, *args, action: str, **opts):
        try:
            getattr(self, f"_{action}")(opts)
        except ValidationError as exc:
            raise CommandError(_messages(exc)) from exc
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc

    def _model(self, version):
        if version is None:
            return None
        model = RatingModel.objects.filter(version=version).first()
        if model is None:
            raise CommandError(f"no model version {version}")
        return model

    def _run(self, opts):
        run = rating_run_create(as_of=_date(opts["as_of"]), region_code=opts["region"], actor=ACTOR,
                                model=self._model(opts["model_version"]))
        run = rating_run_execute(run=run, actor=ACTOR, progress=TerminalProgress("评级"))
        if run.status != "succeeded":
            raise CommandError(f"rating run #{run.pk} failed: {run.error}")
        psi = run.monitoring.get("score_psi", {})
        self.stdout.write(f"run #{run.pk}: {run.enterprises_total} enterprises rated with model "
                          f"v{run.model.version}; grades {run.grade_counts}; score PSI "
                          f"{psi.get('psi', 0):.4f}{' — ALERT' if run.alert else ''}")

    def _train(self, opts):
        model = rating_model_train(as_of=_date(opts["as_of"]), horizon_months=opts["horizon"],
                                   region_code=opts["region"] if opts["region"] != "370100" else "",
                                   actor=ACTOR, progress=TerminalProgress("训练"))
        self.stdout.write(f"model v{model.version} (candidate): {model.n_rows} rows, {model.n_events} "
                          f"defaults, AUC {model.auc}, KS {model.ks}, features {', '.join(model.features)}")

    def _promote(self, opts):
        if opts["model_version"] is None or opts["status"] is None:
            raise CommandError("promote needs --model-version and --status")
        model = rating_model_promote(model=self._model(opts["model_version"]), status=opts["status"], actor=ACTOR)
        self.stdout.write(f"model v{model.version} is now {model.status}")

    def _outcomes(self, opts):
        if not opts["csv"]:
            raise CommandError("outcomes needs --csv FILE")
        with open(opts["csv"], encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            if not reader.fieldnames or not {"uscc", "defaulted"} <= set(reader.fieldnames):
                raise CommandError("the file needs the columns uscc and defaulted")
            rows = [(r["uscc"], r["defaulted"]) for r in reader]
        n = default_outcomes_load(rows=rows, as_of=_date(opts["as_of"]), horizon_months=opts["horizon"],
                                  source=opts["source"], actor=ACTOR)
        self.stdout.write(f"{n} outcomes recorded ({len(rows) - n} already known)")
