"""Innovation points (企业创新积分): the scoring models, runs and results.

A :class:`PointsModel` is one version of a scoring model as the engine's plain data
(:mod:`kechuang.engine.points`, checked on load; never code). A :class:`PointsRun` scores a region
on a date with one model: the 对照库 (reference population) is the region's enterprises as the
theme database knew them at the end of that date, fitted once and kept on the run
(``reference``) so any result can be explained and re-scored. Each :class:`PointsResult` holds the
enterprise's points, stage, band, rank within its stage and district, the indicators that lift
and drag it, the smallest changes to the next band and its movement since the previous run.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kechuang.core.formatting import region_name

from . import choices as c
from .querysets import PointsModelQuerySet, PointsResultQuerySet, PointsRunQuerySet

POINTS = {"max_digits": 8, "decimal_places": 2}


class PointsModel(models.Model):
    """One version of an innovation-points model: the engine's TOML/JSON, its scope and source."""

    code = models.CharField(_("模型代码"), max_length=40, db_index=True)
    version = models.CharField(_("版本"), max_length=60)
    name = models.CharField(_("模型名称"), max_length=200)
    scope = models.CharField(_("适用范围"), max_length=10, choices=c.ModelScope.choices)
    region_code = models.CharField(_("地方模型区划"), max_length=6, blank=True)
    schema_version = models.PositiveSmallIntegerField(_("格式版本"))
    model_json = models.TextField(_("模型（JSON）"), help_text=_("积分引擎的版本化数据，载入时校验"))
    source = models.CharField(_("依据"), max_length=300, blank=True)
    provisional_weights = models.PositiveSmallIntegerField(_("暂定权重指标数"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    actor_label = models.CharField(_("登记人标识"), max_length=150)
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    objects = PointsModelQuerySet.as_manager()

    class Meta:
        ordering = ["code", "-created_at"]
        verbose_name = _("积分模型")
        verbose_name_plural = _("积分模型")
        constraints = [models.UniqueConstraint(fields=["version"], name="pointsmodel_version_unique",
                                               violation_error_message=_("该版本的积分模型已存在。"))]

    def __str__(self) -> str:
        return self.name

    @property
    def version_label(self) -> str:
        """The version without the model code it starts with (``national-2024.1`` → ``2024.1``)."""
        prefix = f"{self.code}-"
        return self.version[len(prefix):] if self.version.startswith(prefix) else self.version


class PointsRun(models.Model):
    """One scoring of a region on ``as_of`` with one model: the fitted reference, the counts by
    band and stage, and the previous run it is compared with."""

    model = models.ForeignKey("points.PointsModel", verbose_name=_("积分模型"), on_delete=models.PROTECT,
                              related_name="runs")
    as_of = models.DateField(_("积分基准日"))
    region_code = models.CharField(_("区划代码"), max_length=6)
    status = models.CharField(_("状态"), max_length=10, choices=c.RunStatus.choices, db_index=True,
                              default=c.RunStatus.QUEUED)
    job = models.OneToOneField("core.Job", verbose_name=_("后台任务"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="points_run")
    enterprises_total = models.PositiveIntegerField(_("企业数"), default=0)
    band_counts = models.JSONField(_("档位分布"), default=dict, blank=True)
    stage_counts = models.JSONField(_("阶段分布"), default=dict, blank=True)
    mean_points = models.DecimalField(_("平均积分"), **POINTS, null=True, blank=True)
    reference = models.JSONField(_("对照库参数"), default=dict, blank=True)
    previous = models.ForeignKey("self", verbose_name=_("上一批次"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    is_synthetic = models.BooleanField(_("合成演示"), default=False)
    error = models.TextField(_("错误"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发起人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    actor_label = models.CharField(_("发起人标识"), max_length=150)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    objects = PointsRunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("积分批次")
        verbose_name_plural = _("积分批次")
        indexes = [models.Index(fields=["region_code", "status", "-created_at"], name="pointsrun_latest_idx")]

    def __str__(self) -> str:
        return _("积分 #%(pk)s %(region)s @ %(as_of)s") % {"pk": self.pk, "region": region_name(self.region_code),
                                                          "as_of": self.as_of}


class PointsResult(models.Model):
    """One enterprise's points in a run (see the module doc)."""

    run = models.ForeignKey("points.PointsRun", verbose_name=_("积分批次"), on_delete=models.CASCADE,
                            related_name="results")
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT,
                                   related_name="+")
    region_code = models.CharField(_("区划代码"), max_length=6, blank=True)
    stage = models.CharField(_("发展阶段"), max_length=20)
    points = models.DecimalField(_("创新积分"), **POINTS)
    band = models.CharField(_("档位"), max_length=10)
    rank = models.PositiveIntegerField(_("阶段内区县排名"))
    peers = models.PositiveIntegerField(_("同阶段同区县企业数"))
    bonus = models.DecimalField(_("加分"), **POINTS, default=0)
    negative = models.DecimalField(_("扣分"), **POINTS, default=0)
    scores = models.JSONField(_("各指标得分"), default=dict)
    values = models.JSONField(_("各指标取值"), default=dict)
    lifts = models.JSONField(_("拉升指标"), default=list)
    drags = models.JSONField(_("拖累指标"), default=list)
    next_band = models.JSONField(_("进入下一档的最小变化"), default=dict)
    previous_points = models.DecimalField(_("上次积分"), **POINTS, null=True, blank=True)
    previous_band = models.CharField(_("上次档位"), max_length=10, blank=True)
    movement = models.DecimalField(_("积分变化"), **POINTS, null=True, blank=True)

    objects = PointsResultQuerySet.as_manager()

    class Meta:
        ordering = ["run", "-points", "enterprise"]
        verbose_name = _("积分结果")
        verbose_name_plural = _("积分结果")
        constraints = [models.UniqueConstraint(fields=["run", "enterprise"], name="pointsresult_one_per_run",
                                               violation_error_message=_("同一批次中每家企业只有一个积分。"))]
        indexes = [models.Index(fields=["enterprise", "run"], name="pointsresult_enterprise_idx"),
                   models.Index(fields=["run", "region_code", "stage"], name="pointsresult_group_idx")]

    def __str__(self) -> str:
        return f"{self.enterprise_id} @ run {self.run_id}: {self.points}"
