"""``kechuang audit verify``: recompute the audit hash chain and report any break."""

from django.core.management.base import BaseCommand, CommandError

from kechuang.core.selectors import audit_verify


class Command(BaseCommand):
    help = "Verify the tamper-evident audit log (审计日志校验)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args, **options):
        report = audit_verify()
        if report.ok:
            self.stdout.write(self.style.SUCCESS(
                f"audit chain intact: {report.checked} entries, head #{report.last_seq} {report.last_hash}"))
            return
        for problem in report.problems[:100]:
            self.stderr.write(problem)
        raise CommandError(f"audit chain broken: {len(report.problems)} problem(s) in {report.checked} entries")
