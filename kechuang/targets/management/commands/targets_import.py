"""Load plans, indicator values and tasks (CSV or XLSX, Chinese headers), or the bundled real
plans; write a blank import template.

    kechuang targets_import --reference
    kechuang targets_import --plans plans.xlsx --indicators 指标.xlsx --tasks 任务.csv
    kechuang targets_import --template indicators --out 指标导入模板.xlsx
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kechuang.targets.exports import template_xlsx
from kechuang.targets.loading import ImportFileError, parse_rows
from kechuang.targets.services import reference_import, targets_import


class Command(BaseCommand):
    help = "导入规划、指标数值与任务（CSV/XLSX，中文表头）；或导入内置的真实规划；或生成导入模板。"

    def add_arguments(self, parser):
        parser.add_argument("--reference", action="store_true", help="导入 kechuang/targets/data 中的真实规划")
        for kind in ("plans", "concepts", "indicators", "tasks"):
            parser.add_argument(f"--{kind}", type=Path)
        parser.add_argument("--template", choices=["plans", "concepts", "indicators", "tasks"])
        parser.add_argument("--out", type=Path)
        parser.add_argument("--actor", default="command:targets_import")

    def handle(self, *args, **opts):
        if opts["template"]:
            out = opts["out"] or Path(f"targets-{opts['template']}-template.xlsx")
            out.write_bytes(template_xlsx(opts["template"]))
            self.stdout.write(f"模板已写入 {out}")
            return
        try:
            if opts["reference"]:
                result = reference_import(actor=opts["actor"])
            else:
                parsed = {}
                for kind in ("plans", "concepts", "indicators", "tasks"):
                    if opts[kind]:
                        parsed[kind] = parse_rows(opts[kind].read_bytes(), opts[kind].name, kind)
                if not parsed:
                    raise CommandError("请指定 --reference 或至少一个文件（--plans/--indicators/--tasks/--concepts）")
                result = targets_import(**parsed, actor=opts["actor"],
                                        file_name=",".join(opts[k].name for k in parsed))
        except ImportFileError as exc:
            for e in exc.errors:
                self.stderr.write(str(e))
            raise CommandError(f"导入未执行：{len(exc.errors)} 处错误，未写入任何数据") from exc
        self.stdout.write(" ".join(f"{k}={v}" for k, v in sorted(result.items())))
