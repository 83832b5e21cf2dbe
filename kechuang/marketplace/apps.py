from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketplaceConfig(AppConfig):
    name = "kechuang.marketplace"
    label = "marketplace"
    verbose_name = _("融资对接")
    job_handlers = {"marketplace.escalate": "kechuang.marketplace.jobs.escalate_stale"}
    demo_steps = ("kechuang.marketplace.demo.demo_marketplace", "kechuang.marketplace.demo.demo_workbench_items",
                  "kechuang.marketplace.demo.demo_escalations")
    #: Metrics the targets app may track: ``fn(*, region_code, start, end) -> (numerator, denominator | None)``.
    live_metrics = {code: f"kechuang.marketplace.metrics.{code}" for code in (
        "demands_posted", "demands_matched", "credit_granted_amount", "enterprises_on_platform", "pickup_rate",
        "time_to_pickup_days", "time_to_decision_days", "approval_rate", "reasonable_demand_satisfaction",
        "first_loan_rate", "satisfaction", "request_rating_rate", "roadshows_held", "advisor_visits")}
    nav_template = "marketplace/_nav.html"
