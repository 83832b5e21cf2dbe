"""Choices of the points app, with the badge colours the pages use."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ModelScope(models.TextChoices):
    NATIONAL = "national", _("全国核心指标")
    LOCAL = "local", _("地方模型")


class RunStatus(models.TextChoices):
    SUCCEEDED = "succeeded", _("已完成")
    FAILED = "failed", _("失败（未写入结果）")


RUN_STATUS_COLORS = {RunStatus.SUCCEEDED: "success", RunStatus.FAILED: "danger"}

#: Badge colour per band id of the bundled models (A best … D).
BAND_COLORS = {"A": "success", "B": "info", "C": "warning", "D": "secondary"}
