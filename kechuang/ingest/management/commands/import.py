"""``kechuang import FILE``: load enterprise facts from JSON Lines, CSV or XLSX."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from kechuang.core.progress import TerminalProgress
from kechuang.enterprises.choices import ImportMode, SourceKind
from kechuang.enterprises.models import DataSource
from kechuang.ingest.services import default_source, import_run_create, import_run_execute


class Command(BaseCommand):
    help = ("Import enterprise facts (企业数据导入). Valid records are loaded; invalid ones are "
            "quarantined with row, field and reason. Re-importing the same file changes nothing.")

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--source", default="", help="data source code (default: file-upload)")
        parser.add_argument("--mode", choices=ImportMode.values, default=ImportMode.UPSERT)
        parser.add_argument("--section", default="", help="section of a CSV file (detected from its header if omitted)")
        parser.add_argument("--actor", default="", help="username recorded as the actor (default: command:import)")
        parser.add_argument("--strict", action="store_true", help="exit with an error if any record was quarantined")
        parser.add_argument("--show", type=int, default=20, help="how many quarantined records to list")

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        actor = "command:import"
        if options["actor"]:
            actor = get_user_model().objects.filter(username=options["actor"]).first()
            if actor is None:
                raise CommandError(f"no such user: {options['actor']}")
        if options["source"]:
            source = DataSource.objects.filter(code=options["source"]).first()
            if source is None:
                raise CommandError(f"no such data source: {options['source']} "
                                   f"(known: {', '.join(DataSource.objects.values_list('code', flat=True))})")
        else:
            source = default_source(SourceKind.FILE)
        try:
            run = import_run_create(path=path.resolve(), file_name=path.name, source=source, actor=actor,
                                    mode=options["mode"], section=options["section"], store_copy=False)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        progress = TerminalProgress(f"导入 {path.name}")
        run = import_run_execute(run=run, actor=actor, progress=progress)
        progress.finish()
        if run.status == "rejected":
            raise CommandError(run.error)
        batch = run.batch
        self.stdout.write(self.style.SUCCESS(
            f"import #{run.pk}: {run.rows_total} records, {run.rows_valid} loaded, "
            f"{run.rows_quarantined} quarantined; {batch.enterprises_created} new enterprises, "
            f"{batch.facts_inserted} fact versions added, {batch.facts_superseded} superseded, "
            f"{batch.facts_unchanged} unchanged"))
        for q in run.quarantined_rows.all()[: options["show"]]:
            where = f"{q.sheet} " if q.sheet else ""
            for e in q.errors:
                self.stdout.write(f"  {where}row {q.row} [{e['field'] or '-'}] {e['code']}: {e['message']}")
        if run.rows_quarantined > options["show"]:
            self.stdout.write(f"  … and {run.rows_quarantined - options['show']} more quarantined records")
        if options["strict"] and run.rows_quarantined:
            raise CommandError(f"{run.rows_quarantined} record(s) quarantined")
