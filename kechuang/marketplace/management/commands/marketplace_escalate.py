from django.core.management.base import BaseCommand

from kechuang.marketplace.services import requests_escalate


class Command(BaseCommand):
    help = ("Escalate every financing request past its step's due time (working days) to the enterprise's "
            "金融辅导员 (run it from cron, or queue the job kind marketplace.escalate).")

    def handle(self, *args, **options):
        n = requests_escalate(actor="command:marketplace_escalate")
        self.stdout.write(f"escalated {n} request(s)")
