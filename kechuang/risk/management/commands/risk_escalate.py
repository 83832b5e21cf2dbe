"""``kechuang risk_escalate``: mark open cases past their deadline escalated (run from cron)."""

from django.core.management.base import BaseCommand

from kechuang.risk.services import cases_escalate


class Command(BaseCommand):
    help = "Escalate open risk cases (一企一策) past their deadline; each escalation is audited."

    def handle(self, *args, **options):
        n = cases_escalate(actor="command:risk_escalate")
        self.stdout.write(f"escalated {n} case(s)")
