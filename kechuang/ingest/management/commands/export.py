"""``kechuang export``: write enterprise facts in the import formats (JSON Lines, CSV, XLSX)."""

from datetime import datetime, time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_date

from kechuang.core.choices import AuditAction
from kechuang.core.progress import TerminalProgress
from kechuang.core.services import audit_record
from kechuang.engine.facts.schema import SECTIONS
from kechuang.enterprises.models import Enterprise
from kechuang.ingest.choices import FileFormat
from kechuang.ingest.exports import iter_records, write_records


class Command(BaseCommand):
    help = "Export enterprise facts (企业数据导出), merged across sources, now or as known on a date."

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, required=True)
        parser.add_argument("--format", choices=FileFormat.values, help="default: from the file name")
        parser.add_argument("--section", default="profile", choices=list(SECTIONS), help="CSV only")
        parser.add_argument("--region", default="", help="administrative code prefix, e.g. 370112")
        parser.add_argument("--as-of", default="", help="YYYY-MM-DD: what the platform knew at the end of that day")

    def handle(self, *args, **options):
        path: Path = options["output"]
        fmt = options["format"] or path.suffix.lstrip(".").lower()
        if fmt not in FileFormat.values:
            raise CommandError(f"unknown format {fmt!r}: use --format jsonl, csv or xlsx")
        at = None
        if options["as_of"]:
            day = parse_date(options["as_of"])
            if day is None:
                raise CommandError("--as-of must be YYYY-MM-DD")
            at = timezone.make_aware(datetime.combine(day, time.max))
        qs = Enterprise.objects.all()
        if options["region"]:
            qs = qs.filter(region_code__startswith=options["region"])
        progress = TerminalProgress(f"导出 {path.name}")
        with path.open("wb") as fh:
            write_records(iter_records(qs, at=at, progress=progress), fmt=fmt,
                          section=options["section"], stream=fh)
        progress.finish()
        audit_record(actor="command:export", action=AuditAction.EXPORT, object_type="enterprises.enterprise",
                     object_repr=str(path), context={"format": fmt, "region": options["region"],
                                                     "as_of": options["as_of"], "section": options["section"]})
        self.stdout.write(self.style.SUCCESS(f"wrote {path} ({path.stat().st_size:,} bytes)"))
