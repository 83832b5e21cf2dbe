from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketplaceConfig(AppConfig):
    name = "kechuang.marketplace"
    label = "marketplace"
    verbose_name = _("融资对接")
    job_handlers: dict[str, str] = {}
    demo_steps: tuple[str, ...] = ()
    nav_template = "marketplace/_nav.html"
