"""Choices of the rating app, with the badge colours the pages use."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ModelStatus(models.TextChoices):
    CANDIDATE = "candidate", _("候选")
    CHAMPION = "champion", _("冠军（在用）")
    CHALLENGER = "challenger", _("挑战者")
    RETIRED = "retired", _("已退役")


MODEL_STATUS_COLORS = {ModelStatus.CANDIDATE: "secondary", ModelStatus.CHAMPION: "success",
                       ModelStatus.CHALLENGER: "info", ModelStatus.RETIRED: "light"}


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("评级中")
    SUCCEEDED = "succeeded", _("已完成")
    FAILED = "failed", _("失败（未写入结果）")


RUN_STATUS_COLORS = {RunStatus.QUEUED: "secondary", RunStatus.RUNNING: "info",
                     RunStatus.SUCCEEDED: "success", RunStatus.FAILED: "danger"}
FINISHED_RUN_STATUSES = frozenset({RunStatus.SUCCEEDED, RunStatus.FAILED})

#: Badge colour per master-scale grade (investment grade green … C red).
GRADE_COLORS = {"AAA": "success", "AA": "success", "A": "success", "BBB": "info", "BB": "info",
                "B": "warning", "CCC": "warning", "CC": "danger", "C": "danger"}
