"""Choices of the talent app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TalentConsentPurpose(models.TextChoices):
    """What a person's consent allows: purpose-bound, one purpose per consent."""
    VALUATION = "valuation", _("人才价值评估")
    TALENT_LOAN = "talent_loan", _("人才贷授信")


class RunStatus(models.TextChoices):
    SUCCEEDED = "succeeded", _("已完成")
    FAILED = "failed", _("失败（未写入结果）")


RUN_STATUS_COLORS = {RunStatus.SUCCEEDED: "success", RunStatus.FAILED: "danger"}
