"""``kechuang import_stale``: mark failed the imports whose process was killed (no heartbeat for
``KECHUANG_IMPORT_STALE_SECONDS``), so they can be resumed. The run pages and the API do the same
on every read; run this from cron where nobody may look for a while."""

from django.core.management.base import BaseCommand

from kechuang.ingest.services import import_runs_fail_stale


class Command(BaseCommand):
    help = "Mark killed import runs (stale heartbeat) as failed, ready to resume."

    def handle(self, *args, **options):
        failed = import_runs_fail_stale()
        self.stdout.write(f"marked {len(failed)} stale import run(s) failed"
                          + (f": {', '.join(map(str, failed))}" if failed else ""))
