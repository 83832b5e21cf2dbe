"""``kechuang serve``: the embedded platform in one command — migrate, load the demo region if the
database is empty, run a background job worker and serve on http://127.0.0.1:8000."""

import threading
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from kechuang.core.services import audit_seal_pending, job_run_pending
from kechuang.demo.management.commands.demo import print_logins
from kechuang.demo.services import DEMO_LOGINS, DEMO_PASSWORD, demo_is_loaded, demo_load
from kechuang.enterprises.models import Enterprise


def _worker_loop(stop: threading.Event) -> None:
    while not stop.is_set():
        close_old_connections()
        try:
            job_run_pending()
            audit_seal_pending()  # chain and sign the audit entries committed since the last tick
        except Exception:  # keep serving; the failure is on the job row or in the log
            time.sleep(1)
        stop.wait(1.0)


class Command(BaseCommand):
    help = "Migrate, load demo data into an empty database, start a job worker and serve the platform."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--no-demo", action="store_true", help="do not load synthetic demo data")
        parser.add_argument("--demo-size", type=int, default=2000)

    def handle(self, *args, **options):
        call_command("migrate", interactive=False, verbosity=0)
        if not options["no_demo"] and not Enterprise.objects.exists():
            self.stdout.write("loading synthetic demo data (合成演示数据) …")
            result = demo_load(n=options["demo_size"])
            self.stdout.write(f"  {result['rows_valid']} synthetic enterprises loaded")
        stop = threading.Event()
        threading.Thread(target=_worker_loop, args=(stop,), daemon=True, name="kechuang-worker").start()
        self.stdout.write(self.style.SUCCESS(f"Kechuang is running at http://{options['addrport']}/"))
        if demo_is_loaded():
            print_logins(self.stdout, list(DEMO_LOGINS))
            self.stdout.write(f"  admin      platform superuser (password {DEMO_PASSWORD})")
        try:
            call_command("runserver", options["addrport"], use_reloader=False, use_threading=True)
        finally:
            stop.set()
