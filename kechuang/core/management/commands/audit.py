"""``kechuang audit verify|seal|keygen``: check the tamper-evident audit log, seal what is queued,
create the checkpoint signing key."""

from django.core.management.base import BaseCommand, CommandError

from kechuang.core.selectors import audit_verify
from kechuang.core.services import audit_seal_pending
from kechuang.core.signing import SigningKeyError, public_key_path, signing_key_generate


class Command(BaseCommand):
    help = "Verify (审计日志校验), seal (封存) the audit log, or generate its checkpoint signing key."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "seal", "keygen"])
        parser.add_argument("--checkpoints", action="append", default=[], metavar="FILE",
                            help="verify: also check against this copy of the published checkpoints (repeatable)")
        parser.add_argument("--seal", action="store_true",
                            help="verify: seal queued entries first (needs the private key; verify alone "
                                 "needs only the public key and reports queued entries as not sealed yet)")

    def handle(self, *args, **options):
        try:
            if options["action"] == "keygen":
                path = signing_key_generate()
                self.stdout.write(self.style.SUCCESS(f"signing key written to {path} (0600); "
                                                     f"public key {public_key_path()}"))
                return
            if options["action"] == "seal" or options["seal"]:
                sealed = audit_seal_pending()
                if options["action"] == "seal":
                    self.stdout.write(self.style.SUCCESS(f"sealed {sealed} entries"))
                    return
        except SigningKeyError as exc:
            raise CommandError(str(exc)) from exc
        report = audit_verify(extra_checkpoint_files=options["checkpoints"])
        for problem in report.problems[:100]:
            self.stderr.write(problem)
        if not report.ok:
            raise CommandError(f"audit log broken: {len(report.problems)} problem(s) in {report.checked} sealed entries")
        self.stdout.write(self.style.SUCCESS(
            f"audit log intact: {report.checked} sealed entries, tree head {report.tree_size} {report.root_hash}, "
            f"{report.checkpoints} signed checkpoints checked, {report.unsealed} entries not sealed yet"))
