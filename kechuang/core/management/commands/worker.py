"""``kechuang worker``: run queued background jobs (imports, exports, evaluation runs) and seal the
audit log's committed entries on every tick."""

import logging
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from kechuang.core.services import audit_seal_pending, job_run_pending

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Run background jobs until stopped (or once with --once)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run what is queued, then exit")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls")

    def handle(self, *args, **options):
        while True:
            close_old_connections()
            ran = job_run_pending()
            if ran:
                self.stdout.write(f"ran {ran} job(s)")
            try:
                sealed = audit_seal_pending()
            except Exception as exc:  # jobs keep running; the failure is loud in the log every tick
                logger.exception("sealing the audit log failed")
                self.stderr.write(f"sealing the audit log failed: {exc}")
            else:
                if sealed:
                    self.stdout.write(f"sealed {sealed} audit entries")
            if options["once"]:
                return
            time.sleep(options["interval"])
