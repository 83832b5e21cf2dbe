"""``kechuang serve``: the embedded platform in one command — migrate, load the demo region if the
database is empty, run a background job worker and serve on http://127.0.0.1:8000."""

import threading
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
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
    @property
    def help(self):
        return _("迁移数据库，空库时载入演示数据，启动后台作业并提供平台服务。")

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--no-demo", action="store_true", help=_("不载入合成演示数据"))
        parser.add_argument("--demo-size", type=int, default=2000, help=_("合成企业的数量"))

    def handle(self, *args, **options):
        call_command("migrate", interactive=False, verbosity=0)
        if not options["no_demo"] and not Enterprise.objects.exists():
            self.stdout.write(_("正在载入合成演示数据……"))
            result = demo_load(n=options["demo_size"])
            self.stdout.write("  " + _("已载入 %(n)s 家合成企业") % {"n": result["rows_valid"]})
        stop = threading.Event()
        threading.Thread(target=_worker_loop, args=(stop,), daemon=True, name="kechuang-worker").start()
        self.stdout.write(self.style.SUCCESS(_("科创金融服务平台已在 %(url)s 运行") % {"url": f"http://{options['addrport']}/"}))
        if demo_is_loaded():
            print_logins(self.stdout, list(DEMO_LOGINS))
            self.stdout.write("  admin      " + _("平台超级管理员（密码 %(password)s）") % {"password": DEMO_PASSWORD})
        try:
            call_command("runserver", options["addrport"], use_reloader=False, use_threading=True)
        finally:
            stop.set()
