"""``kechuang demo``: load the synthetic demo region (合成演示数据) and its demo logins. Messages in
the command's language (``kechuang --lang``)."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from kechuang.core.progress import TerminalProgress
from kechuang.demo.services import DEMO_PASSWORD, demo_load


class Command(BaseCommand):
    @property
    def help(self):
        return _("载入合成演示企业（明确标注，并非真实企业）和演示账号。")

    def add_arguments(self, parser):
        parser.add_argument("--n", type=int, default=2000, help=_("合成企业的数量"))
        parser.add_argument("--seed", type=int, default=20221, help=_("随机种子（同一种子生成同样的数据）"))

    def handle(self, *args, **options):
        progress = TerminalProgress(_("合成演示数据"))
        result = demo_load(n=options["n"], seed=options["seed"], progress=progress)
        progress.finish()
        self.stdout.write(self.style.SUCCESS(
            _("演示数据：已载入 %(valid)s 家合成企业（%(quarantined)s 条记录被隔离），来自 %(file)s") % {
                "valid": result["rows_valid"], "quarantined": result["rows_quarantined"], "file": result["file"]}))
        print_logins(self.stdout, result["users"])


def print_logins(out, users) -> None:
    if not users:
        return
    out.write(_("演示账号（密码均为 %(password)s）：") % {"password": DEMO_PASSWORD})
    for u in users:
        org = u.organization or _("演示企业（合成数据中的第一家企业）")
        out.write(f"  {u.username:<10} {org} · {u.role}")
