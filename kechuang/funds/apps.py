from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundsConfig(AppConfig):
    name = "kechuang.funds"
    label = "funds"
    verbose_name = _("政策资金")
    demo_steps = ("kechuang.funds.demo.demo_funds",)
    #: Metrics the targets app may track: ``fn(*, region_code, start, end) -> (numerator, denominator | None)``.
    live_metrics = {code: f"kechuang.funds.metrics.{code}" for code in (
        "funds_paid_amount", "funds_claims_paid", "funds_enterprises_reached", "funds_budget_used")}
    live_metric_info = "kechuang.funds.metrics.META"
    nav_template = "funds/_nav.html"

