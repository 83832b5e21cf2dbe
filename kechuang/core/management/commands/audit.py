"""``kechuang audit verify|seal|keygen``: check the tamper-evident audit log, seal what is queued,
create the checkpoint signing key. Messages in the command's language (``kechuang --lang``)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kechuang.core.selectors import audit_verify
from kechuang.core.services import audit_seal_pending
from kechuang.core.signing import SigningKeyError, public_key_path, signing_key_generate


class Command(BaseCommand):
    @property
    def help(self):
        return _("校验（verify）、封存（seal）审计日志，或生成其检查点签名密钥（keygen）。")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "seal", "keygen"])
        parser.add_argument("--checkpoints", action="append", default=[], metavar="FILE",
                            help=_("verify：同时对照这份已发布检查点的副本校验（可重复）"))
        parser.add_argument("--seal", action="store_true",
                            help=_("verify：先封存已排队的条目（需要私钥；仅校验只需公钥，已排队的条目报告为尚未封存）"))

    def handle(self, *args, **options):
        try:
            if options["action"] == "keygen":
                path = signing_key_generate()
                self.stdout.write(self.style.SUCCESS(_("签名密钥已写入 %(path)s（权限 0600）；公钥 %(public)s") % {
                    "path": path, "public": public_key_path()}))
                return
            if options["action"] == "seal" or options["seal"]:
                sealed = audit_seal_pending()
                if options["action"] == "seal":
                    self.stdout.write(self.style.SUCCESS(_("已封存 %(n)s 条") % {"n": sealed}))
                    return
        except SigningKeyError as exc:
            raise CommandError(str(exc)) from exc
        report = audit_verify(extra_checkpoint_files=options["checkpoints"])
        for problem in report.problems[:100]:
            self.stderr.write(problem)
        if not report.ok:
            raise CommandError(_("审计日志已被破坏：%(checked)s 条已封存条目中有 %(n)s 个问题") % {
                "n": len(report.problems), "checked": report.checked})
        self.stdout.write(self.style.SUCCESS(
            _("审计日志完好：%(checked)s 条已封存条目，树头 %(size)s %(root)s，已核对 %(checkpoints)s 个签名检查点，"
              "%(unsealed)s 条尚未封存") % {
                "checked": report.checked, "size": report.tree_size, "root": report.root_hash,
                "checkpoints": report.checkpoints, "unsealed": report.unsealed}))
