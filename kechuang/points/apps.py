from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PointsConfig(AppConfig):
    name = "kechuang.points"
    label = "points"
    verbose_name = _("创新积分")
    demo_steps: tuple[str, ...] = ("kechuang.points.demo.demo_points",)
    nav_template = "points/_nav.html"
    #: Metrics the targets app may track: ``fn(*, region_code, start, end) -> (numerator, denominator | None)``.
    live_metrics = {code: f"kechuang.points.metrics.{code}" for code in (
        "points_enterprises_scored", "points_mean", "points_band_a_share")}
    live_metric_info = "kechuang.points.metrics.INFO"
    job_handlers = {"points.run": "kechuang.points.jobs.points_run_job"}
