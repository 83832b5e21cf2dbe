from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RiskConfig(AppConfig):
    name = "kechuang.risk"
    label = "risk"
    verbose_name = _("风险监测预警")
    job_handlers: dict[str, str] = {"risk.run": "kechuang.risk.jobs.run_warnings_job",
                                   "risk.escalate": "kechuang.risk.jobs.escalate_cases_job"}
    demo_steps: tuple[str, ...] = ("kechuang.risk.demo.demo_risk",)
    nav_template = "risk/_nav.html"
    #: Metrics the targets app may track: ``fn(*, region_code, start, end) -> (numerator, denominator | None)``.
    live_metrics = {code: f"kechuang.risk.metrics.{code}" for code in ("risk_hazards_cleared", "npl_ratio")}
