"""Risk monitoring: warning runs and the warnings they store, institutions' responses, cases
(一企一策) with their actions, and the stored backtests.

A :class:`WarningRun` computes every enterprise's signals in a region on a date with one version
of the rules (kept in the run as JSON), as the theme database knew it at the end of that date,
and stores one :class:`EnterpriseWarning` per enterprise at blue or above, plus one ``cleared``
row for each enterprise warned in the previous run of the region and not any more.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kechuang.core.formatting import cn_date, region_name

from . import choices as c
from .querysets import (BacktestReportQuerySet, CaseActionQuerySet, EnterpriseWarningQuerySet, RiskCaseQuerySet,
                        WarningResponseQuerySet, WarningRunQuerySet)

PD = {"max_digits": 9, "decimal_places": 8}


class WarningRun(models.Model):
    """One warning computation of a region on ``as_of`` with one rule version."""

    as_of = models.DateField(_("预警基准日"))
    region_code = models.CharField(_("区划代码"), max_length=6)
    rules_version = models.CharField(_("规则版本"), max_length=40)
    rules = models.JSONField(_("规则（JSON）"), default=dict)
    previous = models.ForeignKey("self", verbose_name=_("上一批次"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    rating_runs = models.JSONField(_("引用的评级批次"), default=list, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=c.RunStatus.choices, default=c.RunStatus.QUEUED,
                              db_index=True)
    enterprises_total = models.PositiveIntegerField(_("监测企业数"), default=0)
    level_counts = models.JSONField(_("等级分布"), default=dict, blank=True)
    change_counts = models.JSONField(_("变动情况"), default=dict, blank=True)
    future_items = models.PositiveIntegerField(_("日期晚于基准日的数据项"), default=0)
    is_synthetic = models.BooleanField(_("合成演示"), default=False)
    error = models.TextField(_("错误"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发起人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    actor_label = models.CharField(_("发起人标识"), max_length=150)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    job = models.OneToOneField("core.Job", verbose_name=_("后台任务"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="risk_run")

    objects = WarningRunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("预警批次")
        verbose_name_plural = _("预警批次")
        indexes = [models.Index(fields=["region_code", "status", "-as_of"], name="warningrun_latest_idx")]

    def __str__(self) -> str:
        return _("预警批次 #%(pk)s %(region)s %(as_of)s") % {"pk": self.pk, "region": region_name(self.region_code),
                                                            "as_of": cn_date(self.as_of)}


class EnterpriseWarning(models.Model):
    """One enterprise's warning in a run: level, its move against the previous run, each signal's
    value and level (``values``, ``levels``), the evidence (facts with their sources) and the
    facts dated after the run date that were flagged and not used (``future``)."""

    run = models.ForeignKey("risk.WarningRun", verbose_name=_("预警批次"), on_delete=models.CASCADE,
                            related_name="warnings")
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT,
                                   related_name="+")
    region_code = models.CharField(_("区划代码"), max_length=6, blank=True)
    industry_code = models.CharField(_("行业代码"), max_length=5, blank=True)
    tier = models.CharField(_("梯度"), max_length=20, blank=True)
    level = models.CharField(_("预警等级"), max_length=8, choices=c.Level.choices)
    level_rank = models.PositiveSmallIntegerField(_("等级序号"), default=0)
    previous_level = models.CharField(_("上次等级"), max_length=8, choices=c.Level.choices, default=c.Level.NONE)
    change = models.CharField(_("变动"), max_length=10, choices=c.Change.choices)
    values = models.JSONField(_("信号取值"), default=dict)
    levels = models.JSONField(_("信号等级"), default=dict)
    evidence = models.JSONField(_("证据"), default=list)
    future = models.JSONField(_("晚于基准日的数据（已标记、未使用）"), default=list, blank=True)
    pd = models.DecimalField(_("违约概率"), **PD, null=True, blank=True)
    pd_prev = models.DecimalField(_("上次评级违约概率"), **PD, null=True, blank=True)

    objects = EnterpriseWarningQuerySet.as_manager()

    class Meta:
        ordering = ["run", "-level_rank", "enterprise"]
        verbose_name = _("企业预警")
        verbose_name_plural = _("企业预警")
        constraints = [
            models.UniqueConstraint(fields=["run", "enterprise"], name="enterprisewarning_one_per_run",
                                    violation_error_message=_("同一批次中每家企业只有一条预警。")),
        ]
        indexes = [models.Index(fields=["run", "level_rank"], name="warning_run_level_idx"),
                   models.Index(fields=["enterprise", "run"], name="warning_enterprise_idx")]

    def __str__(self) -> str:
        return _("预警 #%(pk)s（%(level)s）") % {"pk": self.pk, "level": c.Level(self.level).label}


class WarningResponse(models.Model):
    """What a bank, guarantor or insurer did about a warning on an enterprise it is exposed to."""

    warning = models.ForeignKey("risk.EnterpriseWarning", verbose_name=_("预警"), on_delete=models.CASCADE,
                                related_name="responses")
    institution = models.ForeignKey("accounts.Organization", verbose_name=_("机构"), on_delete=models.PROTECT,
                                    related_name="+")
    action = models.CharField(_("处置措施"), max_length=12, choices=c.ResponseAction.choices)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    exposure = models.DecimalField(_("风险敞口（元）"), max_digits=16, decimal_places=2, default=0)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("经办人"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    actor_label = models.CharField(_("经办人标识"), max_length=150)
    at = models.DateTimeField(_("时间"), default=timezone.now)

    objects = WarningResponseQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("机构处置反馈")
        verbose_name_plural = _("机构处置反馈")

    def __str__(self) -> str:
        return _("预警 #%(w)s 的处置反馈：%(a)s") % {"w": self.warning_id, "a": c.ResponseAction(self.action).label}


class RiskCase(models.Model):
    """A case (一企一策) opened from a warning and assigned to a 金融辅导员 or a district officer."""

    warning = models.ForeignKey("risk.EnterpriseWarning", verbose_name=_("来源预警"), on_delete=models.PROTECT,
                                related_name="cases")
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT,
                                   related_name="+")
    region_code = models.CharField(_("区划代码"), max_length=6, blank=True)
    level = models.CharField(_("立案时预警等级"), max_length=8, choices=c.Level.choices)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("责任人"), on_delete=models.PROTECT,
                                 related_name="+")
    plan = models.TextField(_("一企一策方案"), blank=True)
    deadline = models.DateField(_("办结期限"))
    status = models.CharField(_("状态"), max_length=10, choices=c.CaseStatus.choices, default=c.CaseStatus.OPEN,
                              db_index=True)
    outcome = models.CharField(_("办结结果"), max_length=14, choices=c.Outcome.choices, blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("立案人"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(_("立案时间"), default=timezone.now)
    escalated_at = models.DateTimeField(_("升级时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    is_synthetic = models.BooleanField(_("合成演示数据"), default=False)

    objects = RiskCaseQuerySet.as_manager()

    class Meta:
        ordering = ["deadline", "-pk"]
        verbose_name = _("风险处置案件")
        verbose_name_plural = _("风险处置案件")
        constraints = [
            models.UniqueConstraint(fields=["enterprise"], condition=~Q(status=c.CaseStatus.CLOSED),
                                    name="riskcase_one_open_per_enterprise",
                                    violation_error_message=_("该企业已有处置中的案件。")),
            models.CheckConstraint(condition=Q(status=c.CaseStatus.CLOSED) | Q(outcome=""),
                                   name="riskcase_outcome_only_when_closed",
                                   violation_error_message=_("只有办结的案件才有办结结果。")),
        ]

    def __str__(self) -> str:
        return _("案件 #%(pk)s") % {"pk": self.pk}


class CaseAction(models.Model):
    """One step of a case: a measure, a contact with the enterprise or a bank, a note, the
    escalation, the outcome."""

    case = models.ForeignKey("risk.RiskCase", verbose_name=_("案件"), on_delete=models.CASCADE,
                             related_name="actions")
    kind = models.CharField(_("类型"), max_length=10, choices=c.ActionKind.choices)
    party = models.CharField(_("联系对象"), max_length=10, choices=c.Party.choices, blank=True)
    contact = models.CharField(_("联系人"), max_length=100, blank=True)
    note = models.CharField(_("内容"), max_length=500)
    due_on = models.DateField(_("完成期限"), null=True, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    actor_label = models.CharField(_("操作人标识"), max_length=150)
    at = models.DateTimeField(_("时间"), default=timezone.now)

    objects = CaseActionQuerySet.as_manager()

    class Meta:
        ordering = ["case", "at", "pk"]
        verbose_name = _("案件处置记录")
        verbose_name_plural = _("案件处置记录")

    def __str__(self) -> str:
        return _("案件 #%(c)s 的%(k)s") % {"c": self.case_id, "k": c.ActionKind(self.kind).label}


class BacktestReport(models.Model):
    """A backtest of a rule version on the synthetic region (hold-out and development figures)."""

    rules_version = models.CharField(_("规则版本"), max_length=40)
    enterprises = models.PositiveIntegerField(_("企业数"))
    report = models.JSONField(_("回测结果"), default=dict)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发起人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    actor_label = models.CharField(_("发起人标识"), max_length=150)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    objects = BacktestReportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("预警回测")
        verbose_name_plural = _("预警回测")

    def __str__(self) -> str:
        return _("预警规则回测 %(v)s") % {"v": self.rules_version}
