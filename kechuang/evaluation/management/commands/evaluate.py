"""``kechuang evaluate``: qualification evaluation of a file or of a region of the database.

File mode::

    kechuang evaluate --input FILE.jsonl --as-of 2026-11-22 [--standard tsme ...] --output OUT.jsonl

writes one JSON object per enterprise and standard in the data standard's result format; records
that cannot be evaluated are reported with their row and reason (never dropped silently), and the
problems the engine finds in a record's facts are listed as warnings (those facts count as missing,
so the clauses needing them are ``unknown``).

Database mode::

    kechuang evaluate --region 370100 --as-of 2026-11-22 [--standard ...]

evaluates every enterprise of the region as known at the end of that day and stores the run.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import orjson
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from kechuang.core.progress import TerminalProgress
from kechuang.engine.facts import readers
from kechuang.engine.qualification import (batch_to_results, check_record, evaluate_batch,
                                           records_to_frame)
from kechuang.evaluation.choices import RunDetails
from kechuang.evaluation.services import (DEFAULT_CHUNK, evaluation_file_run_record,
                                          evaluation_run_create, evaluation_run_execute)

FILE_CHUNK = 5000


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"--as-of: expected a date YYYY-MM-DD, got {text!r}") from exc


def _structural_problem(data) -> str | None:
    """Why a JSON value cannot be evaluated at all (the engine reports everything else)."""
    if not isinstance(data, dict):
        return "not a JSON object / 不是 JSON 对象"
    if not isinstance(data.get("uscc"), str) or not data["uscc"].strip():
        return "uscc missing / 缺少统一社会信用代码"
    if data.get("years") is not None and not isinstance(data["years"], list):
        return "years is not a list / years 不是列表"
    return None


def _frame(pending: list[tuple[int, dict]], rejected: list[tuple[int, str]]):
    """The engine's input frame of the pending records. When one of them cannot be converted (a
    date that does not parse, a list that is not a list), each is tried alone and the bad ones are
    rejected with their row and reason."""
    try:
        return records_to_frame([rec for _row, rec in pending])
    except (ValueError, TypeError, AttributeError):
        good = []
        for row, rec in pending:
            try:
                records_to_frame([rec])
            except (ValueError, TypeError, AttributeError) as exc:
                rejected.append((row, str(exc).replace("record 0 ", "record ")))
            else:
                good.append((row, rec))
        pending[:] = good
        return records_to_frame([rec for _row, rec in pending])


class Command(BaseCommand):
    help = ("Evaluate enterprises against the sci-tech enterprise standards (资质评价): a JSON Lines "
            "file to a JSON Lines file, or a region of the database (stored as a run).")

    def add_arguments(self, parser):
        parser.add_argument("--input", type=Path, help="JSON Lines file of enterprise records")
        parser.add_argument("--output", type=Path, help="JSON Lines file for the results")
        parser.add_argument("--region", default="", help="region code (GB/T 2260): evaluate the database")
        parser.add_argument("--as-of", required=True, help="evaluation date YYYY-MM-DD")
        parser.add_argument("--standard", action="append", default=[],
                            help="standard family or version id (repeatable; default: all in force)")
        parser.add_argument("--details", choices=RunDetails.values, default=RunDetails.JSON,
                            help="region runs: keep the clause detail of every result (json) or not")
        parser.add_argument("--no-gaps", action="store_true",
                            help="file mode: leave gaps out (much faster on large files)")
        parser.add_argument("--chunk", type=int, default=DEFAULT_CHUNK, help="enterprises per engine batch (≤ 200000)")
        parser.add_argument("--actor", default="", help="username recorded as the actor (default: command:evaluate)")
        parser.add_argument("--show", type=int, default=20, help="how many rejected records and warnings to list")

    def handle(self, *args, **options):
        as_of = _date(options["as_of"])
        actor = "command:evaluate"
        if options["actor"]:
            actor = get_user_model().objects.filter(username=options["actor"]).first()
            if actor is None:
                raise CommandError(f"no such user: {options['actor']}")
        if bool(options["input"]) == bool(options["region"]):
            raise CommandError("give either --input FILE --output FILE, or --region CODE")
        if options["input"]:
            if not options["output"]:
                raise CommandError("--input needs --output")
            return self._file(options, as_of, actor)
        return self._region(options, as_of, actor)

    def _create(self, **kwargs):
        try:
            return evaluation_run_create(**kwargs)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc

    def _region(self, options, as_of, actor):
        run = self._create(as_of=as_of, actor=actor, region_code=options["region"],
                           standards=options["standard"], details=options["details"])
        progress = TerminalProgress(f"评价 {options['region']}")
        run = evaluation_run_execute(run=run, actor=actor, progress=progress, chunk_size=options["chunk"])
        if run.status != "succeeded":
            raise CommandError(f"evaluation #{run.pk} failed: {run.error}")
        self.stdout.write(self.style.SUCCESS(
            f"evaluation #{run.pk}: {run.enterprises_total} enterprises, {run.results_total} results, "
            f"as of {run.as_of}; versions: {', '.join(sorted(run.versions.values()))}"))
        for tier, n in sorted(run.counts.get("tiers", {}).items()):
            self.stdout.write(f"  tier {tier}: {n}")

    def _file(self, options, as_of, actor):
        path: Path = options["input"]
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        run = self._create(as_of=as_of, actor=actor, file_name=path.name, standards=options["standard"])
        versions = list(run.versions.values())
        with path.open("rb") as fh:
            total = sum(1 for line in fh if line.strip())
        progress = TerminalProgress(f"评价 {path.name}")
        progress.start(total, f"评价 {path.name}")
        rejected: list[tuple[int, str]] = []
        warnings: list[tuple[int, str, str]] = []
        counts: Counter = Counter()
        n_results = 0
        pending: list[tuple[int, dict]] = []

        def flush(out) -> None:
            nonlocal n_results
            if not pending:
                return
            n = len(pending)
            frame = _frame(pending, rejected)
            records = [rec for _row, rec in pending]
            rows = evaluate_batch(frame, as_of, versions, details="json")
            results = batch_to_results(rows, None if options["no_gaps"] else records)
            for res in results:
                counts[(res["standard"], res["status"])] += 1
                out.write(orjson.dumps(res) + b"\n")
            n_results += len(results)
            progress.advance(n)
            pending.clear()

        with options["output"].open("wb") as out:
            for raw in readers.iter_jsonl(path):
                problem = ("; ".join(f"{e.path or '-'}: {e.message}" for e in raw.errors)
                           if raw.errors or raw.data is None else _structural_problem(raw.data))
                if problem:
                    rejected.append((raw.row, problem))
                    progress.advance(1)
                    continue
                try:
                    issues = check_record(raw.data, as_of)
                except (ValueError, TypeError, AttributeError) as exc:
                    rejected.append((raw.row, str(exc)))
                    progress.advance(1)
                    continue
                warnings.extend((raw.row, i["fact"], i["message_zh"]) for i in issues)
                pending.append((raw.row, raw.data))
                if len(pending) >= FILE_CHUNK:
                    flush(out)
            flush(out)
        progress.finish()
        n_ok = total - len(rejected)
        evaluation_file_run_record(run=run, actor=actor, enterprises_total=n_ok, results_total=n_results,
                                   records_rejected=len(rejected), counts=counts)
        self.stdout.write(self.style.SUCCESS(
            f"evaluation #{run.pk}: {n_ok + len(rejected)} records, {n_ok} evaluated, "
            f"{len(rejected)} rejected; {n_results} results written to {options['output']}; "
            f"versions: {', '.join(sorted(versions))}"))
        rejected.sort()
        bad_rows = {row for row, _reason in rejected}
        warnings = [w for w in warnings if w[0] not in bad_rows]
        for row, reason in rejected[: options["show"]]:
            self.stdout.write(f"  row {row} rejected: {reason}")
        if len(rejected) > options["show"]:
            self.stdout.write(f"  … and {len(rejected) - options['show']} more rejected records")
        for row, fact, message in warnings[: options["show"]]:
            self.stdout.write(f"  row {row} warning [{fact}]: {message}")
        if len(warnings) > options["show"]:
            self.stdout.write(f"  … and {len(warnings) - options['show']} more warnings")
