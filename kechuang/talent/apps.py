from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TalentConfig(AppConfig):
    name = "kechuang.talent"
    label = "talent"
    verbose_name = _("人才有价")
    demo_steps: tuple[str, ...] = ("kechuang.talent.demo.demo_talent",)
    nav_template = "talent/_nav.html"
    #: Metrics the targets app may track: ``fn(*, region_code, start, end) -> (numerator, denominator | None)``.
    live_metrics = {code: f"kechuang.talent.metrics.{code}" for code in (
        "talent_people_valued", "talent_loan_amount")}
    live_metric_info = "kechuang.talent.metrics.INFO"
    job_handlers = {"talent.valuation_run": "kechuang.talent.jobs.valuation_run_job"}
