"""``kechuang import FILE``: load enterprise facts from JSON Lines, CSV or XLSX. Messages in the
command's language (``kechuang --lang``); a quarantined record's reason in English when it has one."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kechuang.core.formatting import english
from kechuang.core.progress import TerminalProgress
from kechuang.enterprises.choices import ImportMode, SourceKind
from kechuang.enterprises.models import DataSource
from kechuang.ingest.services import default_source, import_run_create, import_run_execute


class Command(BaseCommand):
    @property
    def help(self):
        return _("导入企业数据（JSON Lines、CSV 或 XLSX）：有效记录入库，无效记录连同行号、字段和原因隔离；"
                 "重复导入同一文件不会改变任何数据。")

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--source", default="", help=_("数据来源代码（默认 file-upload）"))
        parser.add_argument("--mode", choices=ImportMode.values, default=ImportMode.UPSERT, help=_("导入方式"))
        parser.add_argument("--section", default="", help=_("CSV 文件的数据部分（省略时按表头识别）"))
        parser.add_argument("--actor", default="", help=_("记为操作人的用户名（默认 command:import）"))
        parser.add_argument("--strict", action="store_true", help=_("有记录被隔离时以错误退出"))
        parser.add_argument("--show", type=int, default=20, help=_("列出多少条被隔离的记录"))

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(_("文件不存在：%(path)s") % {"path": path})
        actor = "command:import"
        if options["actor"]:
            actor = get_user_model().objects.filter(username=options["actor"]).first()
            if actor is None:
                raise CommandError(_("用户不存在：%(name)s") % {"name": options["actor"]})
        if options["source"]:
            source = DataSource.objects.filter(code=options["source"]).first()
            if source is None:
                raise CommandError(_("数据来源不存在：%(code)s（已有：%(known)s）") % {
                    "code": options["source"], "known": ", ".join(DataSource.objects.values_list("code", flat=True))})
        else:
            source = default_source(SourceKind.FILE)
        try:
            run = import_run_create(path=path.resolve(), file_name=path.name, source=source, actor=actor,
                                    mode=options["mode"], section=options["section"], store_copy=False)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        progress = TerminalProgress(_("导入 %(file)s") % {"file": path.name})
        run = import_run_execute(run=run, actor=actor, progress=progress)
        progress.finish()
        if run.status == "rejected":
            raise CommandError(run.error)
        batch = run.batch
        self.stdout.write(self.style.SUCCESS(
            _("导入 #%(run)s：共 %(total)s 条记录，%(valid)s 条入库，%(quarantined)s 条隔离；新建企业 %(created)s 家，"
              "新增数据版本 %(inserted)s 个，替代 %(superseded)s 个，未变 %(unchanged)s 个") % {
                "run": run.pk, "total": run.rows_total, "valid": run.rows_valid, "quarantined": run.rows_quarantined,
                "created": batch.enterprises_created, "inserted": batch.facts_inserted,
                "superseded": batch.facts_superseded, "unchanged": batch.facts_unchanged}))
        for q in run.quarantined_rows.all()[: options["show"]]:
            where = f"{q.sheet} " if q.sheet else ""
            for e in q.errors:
                message = (e.get("message_en") or e["message"]) if english() else e["message"]
                self.stdout.write("  " + where + _("第 %(row)s 行") % {"row": q.row}
                                  + f" [{e['field'] or '-'}] {e['code']}: {message}")
        if run.rows_quarantined > options["show"]:
            self.stdout.write("  " + _("……另有 %(n)s 条被隔离的记录") % {"n": run.rows_quarantined - options["show"]})
        if options["strict"] and run.rows_quarantined:
            raise CommandError(_("%(n)s 条记录被隔离") % {"n": run.rows_quarantined})
