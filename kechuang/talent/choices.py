"""Choices of the talent app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TalentConsentPurpose(models.TextChoices):
    """What a person's consent allows: purpose-bound, one purpose per consent."""
    VALUATION = "valuation", _("人才价值评估")
    TALENT_LOAN = "talent_loan", _("人才贷授信")


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("评估中")
    SUCCEEDED = "succeeded", _("已完成")
    FAILED = "failed", _("失败（未写入结果）")


PENDING_STATUSES = (RunStatus.QUEUED, RunStatus.RUNNING)
RUN_STATUS_COLORS = {RunStatus.QUEUED: "secondary", RunStatus.RUNNING: "info",
                     RunStatus.SUCCEEDED: "success", RunStatus.FAILED: "danger"}

#: Labels of the level facts' values (the model's vocabularies) for pages.
LEVEL_LABELS = {
    "degree": {"none": _("无学历记录"), "college": _("大专"), "bachelor": _("本科"), "master": _("硕士"), "phd": _("博士")},
    "institution_tier": {"other": _("其他院校"), "key": _("重点院校"), "top": _("“双一流”院校")},
    "title_level": {"none": _("无职称"), "junior": _("初级"), "intermediate": _("中级"), "deputy_senior": _("副高级"),
                    "senior": _("正高级")},
    "honour_level": {"none": _("无"), "city": _("市级"), "provincial": _("省级"), "national": _("国家级")},
    "project_level": {"none": _("无"), "city": _("市级"), "provincial": _("省级"), "national": _("国家级")},
}
