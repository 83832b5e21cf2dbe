"""Credit rating: the model registry, the outcomes models learn from, rating runs and results.

A :class:`RatingModel` is one version of the scorecard as the engine's plain JSON (never a
pickle), with its development report, training window and who trained and approved it; at most
one is the champion. A :class:`RatingRun` rates a region on a date with one model, as the theme
database knew it at the end of that date, and stores one :class:`RatingResult` per enterprise
(PD, grade, points per feature, reasons) plus the run's population-stability check.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import choices as c
from .querysets import DefaultOutcomeQuerySet, RatingModelQuerySet, RatingResultQuerySet, RatingRunQuerySet

PD = {"max_digits": 9, "decimal_places": 8}
SCORE = {"max_digits": 8, "decimal_places": 2}


#: The demo generator's note on the model it trains (``rating.jobs``), shown in the request's language
#: while unchanged.
DEMO_MODEL_NOTE = "演示模型：基于合成数据训练（非真实企业、非真实违约）"
_DEMO_MODEL_NOTE_LABEL = _("演示模型：基于合成数据训练（非真实企业、非真实违约）")


class RatingModel(models.Model):
    """One scorecard version in the registry: the engine's JSON, the report, who and when."""

    name = models.CharField(_("模型名称"), max_length=100, default="科技企业信用评级")
    version = models.PositiveIntegerField(_("版本"))
    status = models.CharField(_("状态"), max_length=12, choices=c.ModelStatus.choices,
                              default=c.ModelStatus.CANDIDATE, db_index=True)
    model_json = models.TextField(_("模型（JSON）"), help_text=_("评分卡引擎的版本化 JSON，不使用 pickle"))
    report = models.JSONField(_("开发报告"), default=dict, blank=True)
    features = models.JSONField(_("入模特征"), default=list, blank=True)
    train_as_of = models.DateField(_("特征基准日"), help_text=_("训练特征按该日日终已知的数据计算"))
    horizon_months = models.PositiveSmallIntegerField(_("违约观察期（月）"), default=12)
    region_code = models.CharField(_("训练样本区划"), max_length=6, blank=True)
    n_rows = models.PositiveIntegerField(_("样本数"), default=0)
    n_events = models.PositiveIntegerField(_("违约数"), default=0)
    auc = models.DecimalField(_("AUC"), max_digits=6, decimal_places=4, null=True, blank=True)
    ks = models.DecimalField(_("KS"), max_digits=6, decimal_places=4, null=True, blank=True)
    gini = models.DecimalField(_("Gini"), max_digits=6, decimal_places=4, null=True, blank=True)
    params = models.JSONField(_("训练参数"), default=dict, blank=True)
    is_synthetic = models.BooleanField(_("基于合成数据"), default=False)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    trained_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("训练人"), null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="+")
    trained_label = models.CharField(_("训练人标识"), max_length=150)
    trained_at = models.DateTimeField(_("训练时间"), default=timezone.now)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("批准人"), null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+")
    approved_label = models.CharField(_("批准人标识"), max_length=150, blank=True)
    approved_at = models.DateTimeField(_("批准时间"), null=True, blank=True)

    objects = RatingModelQuerySet.as_manager()

    class Meta:
        ordering = ["-version"]
        verbose_name = _("评级模型")
        verbose_name_plural = _("评级模型")
        constraints = [
            models.UniqueConstraint(fields=["version"], name="ratingmodel_version_unique",
                                    violation_error_message=_("模型版本号已存在。")),
            models.UniqueConstraint(fields=["status"], condition=Q(status=c.ModelStatus.CHAMPION),
                                    name="ratingmodel_one_champion",
                                    violation_error_message=_("同一时间只能有一个冠军模型。")),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    @property
    def display_note(self) -> str:
        return str(_DEMO_MODEL_NOTE_LABEL) if self.is_synthetic and self.note == DEMO_MODEL_NOTE else self.note


class DefaultOutcome(models.Model):
    """Whether an enterprise defaulted within ``horizon_months`` after ``as_of`` — the target a
    model learns. Loaded from a lender's file or, in the demo, from the synthetic generator
    (``is_synthetic``)."""

    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("企业"),
                                   on_delete=models.PROTECT, related_name="+")
    as_of = models.DateField(_("观察起点"))
    horizon_months = models.PositiveSmallIntegerField(_("观察期（月）"), default=12)
    defaulted = models.BooleanField(_("是否违约"))
    source = models.CharField(_("来源"), max_length=100)
    is_synthetic = models.BooleanField(_("合成数据"), default=False)

    objects = DefaultOutcomeQuerySet.as_manager()

    class Meta:
        ordering = ["as_of", "enterprise"]
        verbose_name = _("违约结果")
        verbose_name_plural = _("违约结果")
        constraints = [
            models.UniqueConstraint(fields=["as_of", "horizon_months", "enterprise"],
                                    name="defaultoutcome_one_per_window",
                                    violation_error_message=_("同一企业同一观察窗口只有一个结果。")),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} @ {self.as_of}+{self.horizon_months}m: {self.defaulted}"


class RatingRun(models.Model):
    """One rating of a region on ``as_of`` with one model version, and its stability check
    (``monitoring``: PSI of the score and grades, CSI of each feature against the development
    sample; ``alert`` when any passes the threshold)."""

    model = models.ForeignKey("rating.RatingModel", verbose_name=_("模型"), on_delete=models.PROTECT,
                              related_name="runs")
    as_of = models.DateField(_("评级基准日"))
    region_code = models.CharField(_("区划代码"), max_length=6)
    status = models.CharField(_("状态"), max_length=10, choices=c.RunStatus.choices,
                              default=c.RunStatus.QUEUED, db_index=True)
    enterprises_total = models.PositiveIntegerField(_("企业数"), default=0)
    grade_counts = models.JSONField(_("等级分布"), default=dict, blank=True)
    mean_pd = models.DecimalField(_("平均违约概率"), **PD, null=True, blank=True)
    monitoring = models.JSONField(_("稳定性监测"), default=dict, blank=True)
    alert = models.BooleanField(_("稳定性预警"), default=False)
    is_synthetic = models.BooleanField(_("合成演示"), default=False)
    error = models.TextField(_("错误"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发起人"), null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="+")
    actor_label = models.CharField(_("发起人标识"), max_length=150)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    job = models.OneToOneField("core.Job", verbose_name=_("后台任务"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="rating_run")

    objects = RatingRunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("评级批次")
        verbose_name_plural = _("评级批次")
        indexes = [models.Index(fields=["region_code", "status", "-finished_at"],
                                name="ratingrun_latest_idx")]

    def __str__(self) -> str:
        return _("评级 #%(pk)s %(region)s @ %(as_of)s") % {"pk": self.pk, "region": self.region_code,
                                                           "as_of": self.as_of}


class RatingResult(models.Model):
    """One enterprise's rating in a run: PD, score, grade, points per feature, the feature values
    used and the top reasons (``[{code, text, points_lost}]``)."""

    run = models.ForeignKey("rating.RatingRun", verbose_name=_("评级批次"), on_delete=models.CASCADE,
                            related_name="results")
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("企业"),
                                   on_delete=models.PROTECT, related_name="+")
    region_code = models.CharField(_("区划代码"), max_length=6, blank=True)
    pd = models.DecimalField(_("违约概率"), **PD)
    score = models.DecimalField(_("评分"), **SCORE)
    grade = models.CharField(_("等级"), max_length=4)
    points = models.JSONField(_("各特征得分"), default=dict)
    values = models.JSONField(_("特征取值"), default=dict)
    reasons = models.JSONField(_("主要原因"), default=list)

    objects = RatingResultQuerySet.as_manager()

    class Meta:
        ordering = ["run", "-pd", "enterprise"]
        verbose_name = _("评级结果")
        verbose_name_plural = _("评级结果")
        constraints = [
            models.UniqueConstraint(fields=["run", "enterprise"], name="ratingresult_one_per_run",
                                    violation_error_message=_("同一批次中每家企业只有一个评级。")),
        ]
        indexes = [models.Index(fields=["run", "grade"], name="ratingresult_grade_idx"),
                   models.Index(fields=["enterprise", "run"], name="ratingresult_enterprise_idx")]

    def __str__(self) -> str:
        return f"{self.enterprise_id} @ run {self.run_id}: {self.grade}"
