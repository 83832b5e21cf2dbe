"""``kechuang demo``: load the synthetic demo region (合成演示数据) and its demo logins."""

from django.core.management.base import BaseCommand

from kechuang.core.progress import TerminalProgress
from kechuang.demo.services import DEMO_PASSWORD, demo_load


class Command(BaseCommand):
    help = "Load synthetic demo enterprises (clearly labelled, not real firms) and demo users."

    def add_arguments(self, parser):
        parser.add_argument("--n", type=int, default=2000, help="number of synthetic enterprises")
        parser.add_argument("--seed", type=int, default=20221)

    def handle(self, *args, **options):
        progress = TerminalProgress("合成演示数据")
        result = demo_load(n=options["n"], seed=options["seed"], progress=progress)
        progress.finish()
        self.stdout.write(self.style.SUCCESS(
            f"demo data: {result['rows_valid']} synthetic enterprises loaded "
            f"({result['rows_quarantined']} quarantined) from {result['file']}"))
        print_logins(self.stdout, result["users"])


def print_logins(out, users) -> None:
    if not users:
        return
    out.write(f"demo logins (password for all: {DEMO_PASSWORD}):")
    for u in users:
        org = u.organization or "演示企业（合成数据中的第一家企业）"
        out.write(f"  {u.username:<10} {org} · {u.role}")
