from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IPConfig(AppConfig):
    name = "kechuang.ip"
    label = "ip"
    verbose_name = _("知识产权质押")
    demo_steps = ("kechuang.ip.demo.demo_ip",)
    #: Metrics the targets app may track: ``fn(*, region_code, start, end) -> (numerator, denominator | None)``.
    live_metrics = {code: f"kechuang.ip.metrics.{code}" for code in ("ip_pledge_financing_amount", "ip_pledges_registered")}
    nav_template = "ip/_nav.html"
