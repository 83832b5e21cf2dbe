from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkbenchConfig(AppConfig):
    """Each role's home page (工作台): its own work and deadlines, gathered from the other apps'
    selectors. No models of its own."""

    name = "kechuang.workbench"
    label = "workbench"
    verbose_name = _("工作台")
