"""Choices of the points app, with the badge colours the pages use."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ModelScope(models.TextChoices):
    NATIONAL = "national", _("全国核心指标")
    LOCAL = "local", _("地方模型")


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("计算中")
    SUCCEEDED = "succeeded", _("已完成")
    FAILED = "failed", _("失败（未写入结果）")


PENDING_STATUSES = (RunStatus.QUEUED, RunStatus.RUNNING)
RUN_STATUS_COLORS = {RunStatus.QUEUED: "secondary", RunStatus.RUNNING: "info",
                     RunStatus.SUCCEEDED: "success", RunStatus.FAILED: "danger"}

#: Badge colour per band id of the bundled models (A best … D).
BAND_COLORS = {"A": "success", "B": "info", "C": "warning", "D": "secondary"}
