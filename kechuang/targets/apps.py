from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TargetsConfig(AppConfig):
    name = "kechuang.targets"
    label = "targets"
    verbose_name = _("目标任务督导")
    job_handlers: dict[str, str] = {}
    demo_steps: tuple[str, ...] = ("kechuang.targets.demo.load_reference_plans",)
    nav_template = "targets/_nav.html"
    #: Live indicators computed from platform data: ``fn(*, region_code, start, end) ->
    #: (numerator, denominator | None)``. Other apps declare theirs the same way.
    live_metrics = {
        "enterprises.on_platform": "kechuang.targets.metrics.enterprises_on_platform",
        "enterprises.new": "kechuang.targets.metrics.enterprises_new",
        "tiers.on_ladder_share": "kechuang.targets.metrics.tier_ladder_any",
        "tiers.srdi_or_above_share": "kechuang.targets.metrics.tier_srdi_or_above",
        "tiers.srdi_or_above_objective_share": "kechuang.targets.metrics.tier_srdi_or_above_objective",
        "tiers.little_giant_share": "kechuang.targets.metrics.tier_little_giant",
        "consents.active_share": "kechuang.targets.metrics.consents_granted",
        "imports.applied_share": "kechuang.targets.metrics.imports_applied",
    }
