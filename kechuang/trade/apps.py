from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TradeConfig(AppConfig):
    name = "kechuang.trade"
    label = "trade"
    verbose_name = _("知识产权与技术交易")
    demo_steps = ("kechuang.trade.demo.demo_trade",)
    #: Metrics the targets app may track: ``fn(*, region_code, start, end) -> (numerator, denominator | None)``.
    live_metrics = {code: f"kechuang.trade.metrics.{code}" for code in (
        "tech_contract_turnover", "ip_transactions", "ip_equity_amount")}
    live_metric_info = "kechuang.trade.metrics.INFO"
    nav_template = "trade/_nav.html"
