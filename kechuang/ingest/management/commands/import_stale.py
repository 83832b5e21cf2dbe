"""``kechuang import_stale``: mark failed the imports whose process was killed (no heartbeat for
``KECHUANG_IMPORT_STALE_SECONDS``), so they can be resumed. The run pages and the API do the same
on every read; run this from cron where nobody may look for a while."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from kechuang.ingest.services import import_runs_fail_stale


class Command(BaseCommand):
    @property
    def help(self):
        return _("把已被终止（心跳过期）的导入标记为失败，以便续传。")

    def handle(self, *args, **options):
        failed = import_runs_fail_stale()
        self.stdout.write(_("已将 %(n)s 个过期导入标记为失败") % {"n": len(failed)}
                          + (_("：%(ids)s") % {"ids": ", ".join(map(str, failed))} if failed else ""))
