"""Evaluation runs of the qualification engine and what they found.

An :class:`EvaluationRun` evaluates a scope (a region of the theme database, or a file) on one date
against a set of standards, and records the rule versions the engine used, so a later reader knows
exactly which text decided each result. Each enterprise gets one :class:`EvaluationResult` per
standard and one :class:`TierPlacement` (its rung on the ladder, flags and how close it is to the
next rung); comparing the placements of two runs shows the movements (分层动态管理).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import choices as c
from .querysets import EvaluationResultQuerySet, EvaluationRunQuerySet, TierPlacementQuerySet

SCORE = {"max_digits": 7, "decimal_places": 2, "null": True, "blank": True}


class EvaluationRun(models.Model):
    """One evaluation of a region (or a file) on ``as_of`` with the rule versions used."""

    as_of = models.DateField(_("评价基准日"))
    scope = models.CharField(_("范围"), max_length=10, choices=c.RunScope.choices, default=c.RunScope.REGION)
    region_code = models.CharField(_("区划代码"), max_length=6, blank=True,
                                   help_text=_("区域评价的区划（按 GB/T 2260 前缀包含下级区县）"))
    file_name = models.CharField(_("文件名"), max_length=255, blank=True)
    standards = models.JSONField(_("请求的标准"), default=list, blank=True,
                                 help_text=_("标准族或版本号；为空表示评价基准日有效的全部标准"))
    versions = models.JSONField(_("使用的规则版本"), default=dict, blank=True)
    rules = models.JSONField(_("规则元数据"), default=list, blank=True,
                             help_text=_("每个版本的文号、发文机关、生效日期与出处"))
    details = models.CharField(_("明细"), max_length=5, choices=c.RunDetails.choices,
                               default=c.RunDetails.JSON)
    status = models.CharField(_("状态"), max_length=10, choices=c.RunStatus.choices,
                              default=c.RunStatus.QUEUED, db_index=True)
    enterprises_total = models.PositiveIntegerField(_("企业数"), default=0)
    results_total = models.PositiveIntegerField(_("结果数"), default=0)
    records_rejected = models.PositiveIntegerField(_("无法评价的记录"), default=0)
    counts = models.JSONField(_("统计"), default=dict, blank=True,
                              help_text=_("按标准与结论、按梯度的数量"))
    error = models.TextField(_("错误"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发起人"), null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="+")
    actor_label = models.CharField(_("发起人标识"), max_length=150)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    job = models.OneToOneField("core.Job", verbose_name=_("后台任务"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="evaluation_run")

    objects = EvaluationRunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("评价批次")
        verbose_name_plural = _("评价批次")
        constraints = [
            models.CheckConstraint(
                name="evaluationrun_scope_named",
                condition=(Q(scope=c.RunScope.REGION) & ~Q(region_code=""))
                | (Q(scope=c.RunScope.FILE) & ~Q(file_name="")),
                violation_error_message=_("区域评价须指定区划，文件评价须指定文件名。")),
        ]
        indexes = [models.Index(fields=["scope", "region_code", "status", "-finished_at"],
                                name="evalrun_scope_latest_idx")]

    def __str__(self) -> str:
        where = self.region_code if self.scope == c.RunScope.REGION else self.file_name
        return _("评价 #%(pk)s %(where)s @ %(as_of)s") % {"pk": self.pk, "where": where, "as_of": self.as_of}


class EvaluationResult(models.Model):
    """One enterprise × one standard in a run, in the data standard's result format. ``clauses``
    is the engine's compact per-clause JSON (status code ``s``, value ``v``, points ``lo``/``hi``;
    empty when the run kept no detail); ``gaps`` the smallest changes that would meet it
    (computed for the enterprises close to qualifying)."""

    run = models.ForeignKey("evaluation.EvaluationRun", verbose_name=_("评价批次"),
                            on_delete=models.CASCADE, related_name="results")
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("企业"),
                                   on_delete=models.PROTECT, related_name="+")
    standard = models.CharField(_("标准"), max_length=20, choices=c.Standard.choices)
    version = models.CharField(_("版本"), max_length=30)
    status = models.CharField(_("结论"), max_length=15, choices=c.ResultStatus.choices)
    score = models.DecimalField(_("得分"), **SCORE)
    score_min = models.DecimalField(_("最低可能得分"), **SCORE)
    score_max = models.DecimalField(_("最高可能得分"), **SCORE)
    route = models.CharField(_("路径"), max_length=12, choices=c.Route.choices)
    clauses = models.JSONField(_("条款明细"), null=True, blank=True)
    gaps = models.JSONField(_("差距"), default=list, blank=True)

    objects = EvaluationResultQuerySet.as_manager()

    class Meta:
        ordering = ["run", "enterprise", "standard"]
        verbose_name = _("评价结果")
        verbose_name_plural = _("评价结果")
        constraints = [
            models.UniqueConstraint(fields=["run", "enterprise", "standard"],
                                    name="evaluationresult_one_per_standard",
                                    violation_error_message=_("同一批次中每家企业每项标准只有一个结果。")),
        ]
        indexes = [models.Index(fields=["run", "standard", "status"], name="evalresult_counts_idx"),
                   models.Index(fields=["enterprise", "run"], name="evalresult_enterprise_idx")]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.version}: {self.status}"

    @property
    def score_range(self) -> list | None:
        """``[min, max]`` when the data leaves the score open (data standard), else ``None``."""
        if self.score is not None or self.score_min is None:
            return None
        return [self.score_min, self.score_max]


class TierPlacement(models.Model):
    """An enterprise's rung on the ladder in a run, its flags (高企, 科创属性, 瞪羚) and how close
    it is to the next standard above its rung (``closeness``: failing and unknown clauses, points
    short)."""

    run = models.ForeignKey("evaluation.EvaluationRun", verbose_name=_("评价批次"),
                            on_delete=models.CASCADE, related_name="placements")
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("企业"),
                                   on_delete=models.PROTECT, related_name="+")
    region_code = models.CharField(_("区划代码"), max_length=6, blank=True)
    tier = models.CharField(_("梯度"), max_length=20, choices=c.Tier.choices, default=c.Tier.NONE)
    tier_rank = models.PositiveSmallIntegerField(_("梯度等级"), default=0)
    flags = models.JSONField(_("标识"), default=dict, blank=True)
    next_standard = models.CharField(_("下一目标标准"), max_length=20, blank=True,
                                     choices=c.Standard.choices)
    next_status = models.CharField(_("下一目标结论"), max_length=15, blank=True,
                                   choices=c.ResultStatus.choices)
    failing = models.PositiveSmallIntegerField(_("不符合条款数"), null=True, blank=True)
    unknown = models.PositiveSmallIntegerField(_("数据不足条款数"), null=True, blank=True)
    points_short = models.DecimalField(_("差分"), **SCORE)
    closeness = models.JSONField(_("接近程度"), default=dict, blank=True)

    objects = TierPlacementQuerySet.as_manager()

    class Meta:
        ordering = ["run", "-tier_rank", "enterprise"]
        verbose_name = _("梯度位置")
        verbose_name_plural = _("梯度位置")
        constraints = [
            models.UniqueConstraint(fields=["run", "enterprise"], name="tierplacement_one_per_run",
                                    violation_error_message=_("同一批次中每家企业只有一个梯度位置。")),
            models.CheckConstraint(name="tierplacement_rank_range", condition=Q(tier_rank__lte=3),
                                   violation_error_message=_("梯度等级为 0 至 3。")),
        ]
        indexes = [models.Index(fields=["run", "tier_rank", "region_code"], name="tier_counts_idx"),
                   models.Index(fields=["run", "failing", "unknown"], name="tier_close_idx"),
                   models.Index(fields=["enterprise", "run"], name="tier_enterprise_idx")]

    def __str__(self) -> str:
        return f"{self.enterprise_id} @ run {self.run_id}: {self.tier}"
