"""The listing reserve pool (上市后备企业库): pool runs and the placements they store, and each
enterprise's listing milestones with the intermediaries."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kechuang.core.formatting import region_name

from . import choices as c
from .querysets import MilestoneQuerySet, PoolPlacementQuerySet, PoolRunQuerySet


class PoolRun(models.Model):
    """One placement of every enterprise of a region in the pool's tiers, with the rule versions
    used and the run it was compared with (movements)."""

    region_code = models.CharField(_("区划"), max_length=6)
    as_of = models.DateField(_("基准日"))
    rules_version = models.CharField(_("分层规则版本"), max_length=60)
    rules = models.JSONField(_("分层规则"), default=dict)
    boards = models.JSONField(_("上市标准版本"), default=dict)
    enterprises_total = models.PositiveIntegerField(_("企业数"), default=0)
    counts = models.JSONField(_("各层企业数"), default=dict)
    status = models.CharField(_("状态"), max_length=10, choices=c.RunStatus.choices, default=c.RunStatus.QUEUED)
    error = models.TextField(_("错误"), blank=True)
    job = models.OneToOneField("core.Job", verbose_name=_("后台任务"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="listing_pool_run")
    previous = models.ForeignKey("self", verbose_name=_("比较批次"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发起人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    actor_label = models.CharField(_("发起方"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = PoolRunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("入库分层批次")
        verbose_name_plural = _("入库分层批次")
        indexes = [models.Index(fields=["region_code", "-created_at"], name="listing_run_region_idx")]

    def __str__(self) -> str:
        return _("入库分层 #%(pk)s %(region)s %(as_of)s") % {"pk": self.pk, "region": region_name(self.region_code),
                                                          "as_of": self.as_of}


class PoolPlacement(models.Model):
    """Where one enterprise stands in one track after a run, and how it moved since the previous
    run. Enterprises outside a track in both runs get no row."""

    run = models.ForeignKey(PoolRun, verbose_name=_("批次"), on_delete=models.CASCADE, related_name="placements")
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT,
                                   related_name="+")
    region_code = models.CharField(_("区划"), max_length=6)
    track = models.CharField(_("序列"), max_length=20, choices=c.Track.choices)
    tier = models.CharField(_("层级"), max_length=20, choices=c.PoolTier.choices, blank=True)
    rank = models.PositiveSmallIntegerField(_("层级序号"), default=0)
    previous_tier = models.CharField(_("上次层级"), max_length=20, choices=c.PoolTier.choices, blank=True)
    previous_rank = models.PositiveSmallIntegerField(_("上次层级序号"), default=0)
    movement = models.CharField(_("变动"), max_length=10, choices=c.Movement.choices)
    boards = models.JSONField(_("各板块上市标准"), default=dict)
    unmet = models.JSONField(_("未满足的条件"), default=list)
    unknown = models.JSONField(_("待补数据的条件"), default=list)

    objects = PoolPlacementQuerySet.as_manager()

    class Meta:
        ordering = ["run", "track", "-rank", "enterprise"]
        verbose_name = _("入库分层")
        verbose_name_plural = _("入库分层")
        constraints = [models.UniqueConstraint(fields=["run", "enterprise", "track"], name="listing_placement_one",
                                               violation_error_message=_("同一批次中每家企业在每个序列只有一个层级。"))]
        indexes = [models.Index(fields=["enterprise", "run"], name="listing_placement_ent_idx")]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.get_track_display()} {self.get_tier_display()} {self.get_movement_display()}"


class Milestone(models.Model):
    """A listing milestone an enterprise reached (股改 … 上市), its date and the intermediaries."""

    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT,
                                   related_name="+")
    kind = models.CharField(_("里程碑"), max_length=20, choices=c.MilestoneKind.choices)
    occurred_on = models.DateField(_("日期"))
    board = models.CharField(_("拟上市板块"), max_length=10, choices=c.Board.choices, blank=True)
    sponsor = models.CharField(_("券商（保荐机构）"), max_length=200, blank=True)
    law_firm = models.CharField(_("律师事务所"), max_length=200, blank=True)
    accounting_firm = models.CharField(_("会计师事务所"), max_length=200, blank=True)
    note = models.TextField(_("备注"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = MilestoneQuerySet.as_manager()

    class Meta:
        ordering = ["enterprise", "occurred_on", "pk"]
        verbose_name = _("上市里程碑")
        verbose_name_plural = _("上市里程碑")
        constraints = [models.UniqueConstraint(fields=["enterprise", "kind"], name="listing_milestone_once",
                                               violation_error_message=_("每个里程碑只能登记一次。"))]

    def __str__(self) -> str:
        return f"{self.enterprise.name} {self.get_kind_display()} {self.occurred_on}"
