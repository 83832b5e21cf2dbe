"""Choices of the listing app. Codes match the engine's (``kechuang.engine.listing``)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class MilestoneKind(models.TextChoices):
    JOINT_STOCK = "joint_stock", _("股改")
    TUTORING = "tutoring", _("辅导备案")
    APPLICATION = "application", _("申报")
    APPROVAL = "approval", _("过会")
    REGISTRATION = "registration", _("注册")
    LISTED = "listed", _("上市")


class Board(models.TextChoices):
    STAR = "star", _("科创板")
    CHINEXT = "chinext", _("创业板")
    BSE = "bse", _("北交所")
    MAIN = "main", _("主板")
    HKEX = "hkex", _("港交所")
    OTHER = "other", _("其他")


class Track(models.TextChoices):
    LADDER = "ladder", _("上市后备梯队")
    SRDI_BOARD = "srdi_board", _("专精特新专板")


class PoolTier(models.TextChoices):
    RESERVE = "reserve", _("储备")
    CULTIVATE = "cultivate", _("培育")
    FILING = "filing", _("辅导/申报")
    LISTED = "listed", _("上市")
    INCUBATION = "incubation", _("孵化层")
    STANDARDISED = "standardised", _("规范层")
    CULTIVATION = "cultivation", _("培育层")
    OUT = "", _("未入库")


TRACK_TIERS = {Track.LADDER: (PoolTier.RESERVE, PoolTier.CULTIVATE, PoolTier.FILING, PoolTier.LISTED),
               Track.SRDI_BOARD: (PoolTier.INCUBATION, PoolTier.STANDARDISED, PoolTier.CULTIVATION)}
#: The tiers counted as 上市后备企业 (in the pool, not listed yet).
RESERVE_TIERS = (PoolTier.RESERVE, PoolTier.CULTIVATE, PoolTier.FILING)


class Movement(models.TextChoices):
    ENTERED = "entered", _("新入库")
    PROMOTED = "promoted", _("晋级")
    DEMOTED = "demoted", _("降级")
    EXITED = "exited", _("出库")
    STAYED = "stayed", _("保持")


MOVEMENT_COLORS = {"entered": "primary", "promoted": "success", "demoted": "warning", "exited": "danger",
                   "stayed": "secondary"}
MOVED = (Movement.ENTERED, Movement.PROMOTED, Movement.DEMOTED, Movement.EXITED)


class BoardStatus(models.TextChoices):
    MET = "met", _("符合")
    MANUAL_REVIEW = "manual_review", _("待人工审核")
    UNKNOWN = "unknown", _("待补数据")
    UNMET = "unmet", _("不符合")


STATUS_COLORS = {"met": "success", "manual_review": "info", "unknown": "warning", "unmet": "secondary"}


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("分层中")
    SUCCEEDED = "succeeded", _("已完成")
    FAILED = "failed", _("失败（未写入结果）")


RUN_STATUS_COLORS = {RunStatus.QUEUED: "secondary", RunStatus.RUNNING: "info",
                     RunStatus.SUCCEEDED: "success", RunStatus.FAILED: "danger"}
FINISHED_RUN_STATUSES = frozenset({RunStatus.SUCCEEDED, RunStatus.FAILED})
