"""``kechuang export``: write enterprise facts in the import formats (JSON Lines, CSV, XLSX)."""

from datetime import datetime, time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
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
    @property
    def help(self):
        return _("导出企业数据（各来源合并后的当前数据，或某日平台所知的数据）。")

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, required=True, help=_("输出文件"))
        parser.add_argument("--format", choices=FileFormat.values, help=_("默认按文件扩展名"))
        parser.add_argument("--section", default="profile", choices=list(SECTIONS), help=_("仅用于 CSV"))
        parser.add_argument("--region", default="", help=_("行政区划代码前缀，如 370112"))
        parser.add_argument("--as-of", default="", help=_("YYYY-MM-DD：平台在当天结束时所知的数据"))

    def handle(self, *args, **options):
        path: Path = options["output"]
        fmt = options["format"] or path.suffix.lstrip(".").lower()
        if fmt not in FileFormat.values:
            raise CommandError(_("未知格式 %(format)r：请用 --format jsonl、csv 或 xlsx") % {"format": fmt})
        at = None
        if options["as_of"]:
            day = parse_date(options["as_of"])
            if day is None:
                raise CommandError(_("--as-of 应为 YYYY-MM-DD"))
            at = timezone.make_aware(datetime.combine(day, time.max))
        qs = Enterprise.objects.all()
        if options["region"]:
            qs = qs.filter(region_code__startswith=options["region"])
        progress = TerminalProgress(_("导出 %(file)s") % {"file": path.name})
        with path.open("wb") as fh:
            write_records(iter_records(qs, at=at, progress=progress), fmt=fmt,
                          section=options["section"], stream=fh)
        progress.finish()
        audit_record(actor="command:export", action=AuditAction.EXPORT, object_type="enterprises.enterprise",
                     object_repr=str(path), context={"format": fmt, "region": options["region"],
                                                     "as_of": options["as_of"], "section": options["section"]})
        self.stdout.write(self.style.SUCCESS(_("已写入 %(path)s（%(size)s 字节）") % {"path": path, "size": f"{path.stat().st_size:,}"}))
