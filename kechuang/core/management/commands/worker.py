"""``kechuang worker``: run queued background jobs (imports, exports, evaluation runs) and seal the
audit log's committed entries on every tick. Messages in the command's language (``kechuang --lang``)."""

import logging
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils.translation import gettext as _

from kechuang.core.services import audit_seal_pending, job_run_pending

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    @property
    def help(self):
        return _("运行后台作业（导入、导出、评价批次等），直到被停止（--once：运行一次后退出）；每次轮询时封存审计日志。")

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help=_("运行已排队的作业后退出"))
        parser.add_argument("--interval", type=float, default=1.0, help=_("两次轮询之间的秒数"))

    def handle(self, *args, **options):
        while True:
            close_old_connections()
            ran = job_run_pending()
            if ran:
                self.stdout.write(_("已运行 %(n)s 个作业") % {"n": ran})
            try:
                sealed = audit_seal_pending()
            except Exception as exc:  # jobs keep running; the failure is loud in the log every tick
                logger.exception("sealing the audit log failed")
                self.stderr.write(_("审计日志封存失败：%(error)s") % {"error": exc})
            else:
                if sealed:
                    self.stdout.write(_("已封存 %(n)s 条审计日志") % {"n": sealed})
            if options["once"]:
                return
            time.sleep(options["interval"])
