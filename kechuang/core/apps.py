from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "kechuang.core"
    label = "core"
    verbose_name = _("平台基础")

    def ready(self):
        from kechuang.core import openapi  # noqa: F401  (registers the schema extension)
