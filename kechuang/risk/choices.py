"""Choices of the risk app, with the badge colours the pages use."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    """Warning levels (the engine's ``LEVELS``); ``none`` only on a cleared warning's row."""
    NONE = "none", _("无预警")
    BLUE = "blue", _("蓝色预警")
    YELLOW = "yellow", _("黄色预警")
    ORANGE = "orange", _("橙色预警")
    RED = "red", _("红色预警")


LEVEL_RANKS = {Level.NONE: 0, Level.BLUE: 1, Level.YELLOW: 2, Level.ORANGE: 3, Level.RED: 4}
LEVEL_BY_RANK = {v: k for k, v in LEVEL_RANKS.items()}
LEVEL_COLORS = {Level.NONE: "light", Level.BLUE: "primary", Level.YELLOW: "warning", Level.ORANGE: "orange",
                Level.RED: "danger"}
WARNING_LEVELS = (Level.BLUE, Level.YELLOW, Level.ORANGE, Level.RED)


class Change(models.TextChoices):
    """How a warning moved against the previous run of the same region."""
    NEW = "new", _("新增")
    ESCALATED = "escalated", _("升级")
    UNCHANGED = "unchanged", _("持续")
    EASED = "eased", _("降级")
    CLEARED = "cleared", _("解除")


CHANGE_COLORS = {Change.NEW: "danger", Change.ESCALATED: "warning", Change.UNCHANGED: "secondary",
                 Change.EASED: "info", Change.CLEARED: "success"}


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("计算中")
    SUCCEEDED = "succeeded", _("已完成")
    FAILED = "failed", _("失败（未写入结果）")


RUN_STATUS_COLORS = {RunStatus.QUEUED: "secondary", RunStatus.RUNNING: "info",
                     RunStatus.SUCCEEDED: "success", RunStatus.FAILED: "danger"}


class ResponseAction(models.TextChoices):
    """What a bank, guarantor or insurer did about a warning on its exposure."""
    MONITOR = "monitor", _("加强贷后监测")
    VISIT = "visit", _("走访核实")
    REDUCE = "reduce", _("压降授信/暂停新增")
    RESCHEDULE = "reschedule", _("调整还款安排")
    NO_ACTION = "no_action", _("核实后无需处置")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("处置中")
    ESCALATED = "escalated", _("已逾期升级")
    CLOSED = "closed", _("已办结")


CASE_STATUS_COLORS = {CaseStatus.OPEN: "info", CaseStatus.ESCALATED: "danger", CaseStatus.CLOSED: "success"}
OPEN_CASE_STATUSES = (CaseStatus.OPEN, CaseStatus.ESCALATED)


class Outcome(models.TextChoices):
    RESOLVED = "resolved", _("风险化解")
    BRIDGE_LOAN = "bridge_loan", _("应急转贷")
    RESTRUCTURED = "restructured", _("债务重组")
    WRITTEN_OFF = "written_off", _("核销")


#: Outcomes that count as a hazard cleared (风险隐患化解) in the live metric.
CLEARED_OUTCOMES = (Outcome.RESOLVED, Outcome.BRIDGE_LOAN, Outcome.RESTRUCTURED)


class ActionKind(models.TextChoices):
    ACTION = "action", _("处置措施")
    CONTACT = "contact", _("联系沟通")
    NOTE = "note", _("情况记录")
    ESCALATION = "escalation", _("逾期升级")
    OUTCOME = "outcome", _("办结")


class Party(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业")
    BANK = "bank", _("银行")
    GUARANTOR = "guarantor", _("担保机构")
    INSURER = "insurer", _("保险机构")
    REGULATOR = "regulator", _("监管部门")
    OTHER = "other", _("其他")


#: Notes the platform writes on case actions itself, stored in Chinese and shown in the page's language.
SYSTEM_NOTES = {"立案": _("立案")}
