from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TargetsConfig(AppConfig):
    name = "kechuang.targets"
    label = "targets"
    verbose_name = _("目标任务督导")
    job_handlers: dict[str, str] = {}
    demo_steps: tuple[str, ...] = ()
    nav_template = "targets/_nav.html"
