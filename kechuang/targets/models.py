"""Plans, their indicators with targets and actuals (each value keeping its source quote), the
flags raised on contradictory or suspicious values, tasks with responsible units, progress
reports, and the tracked actions an indicator gap spawns."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import choices as c
from .flag_messages import flag_message, flag_message_text
from .querysets import (
    IndicatorQuerySet,
    IndicatorValueQuerySet,
    PlanQuerySet,
    TaskQuerySet,
    TaskReportQuerySet,
    UnitQuerySet,
    ValueFlagQuerySet,
)

VALUE = {"max_digits": 24, "decimal_places": 6, "null": True, "blank": True}


class Plan(models.Model):
    """A plan document (规划/行动计划/实施方案) with its issuing body, number and period."""

    name = models.CharField(_("规划名称"), max_length=200, unique=True)
    title = models.CharField(_("文件标题"), max_length=300, blank=True)
    region_name = models.CharField(_("地区"), max_length=50)
    region_code = models.CharField(_("区划代码"), max_length=6, blank=True)
    issuing_body = models.CharField(_("印发机关"), max_length=200, blank=True)
    document_number = models.CharField(_("文号"), max_length=100, blank=True)
    period_start = models.PositiveSmallIntegerField(_("规划期起"), null=True, blank=True)
    period_end = models.PositiveSmallIntegerField(_("规划期止"), null=True, blank=True)
    base_year = models.PositiveSmallIntegerField(_("基期年"), null=True, blank=True)
    source_file = models.CharField(_("来源文件"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["region_code", "period_start", "name"]
        verbose_name = _("规划")
        verbose_name_plural = _("规划")

    def __str__(self) -> str:
        return self.name


class Indicator(models.Model):
    """An indicator of a plan. ``concept`` joins the same measure across plans of a region (the
    2018 plan's 本外币存款余额 is the 14th plan's 金融机构本外币存款余额); ``live_code`` names a
    platform-computed live metric instead of typed-in actuals."""

    plan = models.ForeignKey("targets.Plan", verbose_name=_("规划"), on_delete=models.CASCADE,
                             related_name="indicators")
    name = models.CharField(_("指标名称"), max_length=200)
    concept = models.CharField(_("统一指标"), max_length=200, db_index=True)
    unit = models.CharField(_("单位"), max_length=30, blank=True)
    direction = models.CharField(_("方向"), max_length=10, choices=c.Direction.choices,
                                 default=c.Direction.HIGHER)
    live_code = models.CharField(_("平台实时指标"), max_length=60, blank=True)

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "name"]
        verbose_name = _("指标")
        verbose_name_plural = _("指标")
        constraints = [models.UniqueConstraint(fields=["plan", "name"], name="indicator_unique_in_plan",
                                               violation_error_message=_("同一规划内指标名称不能重复。"))]

    def __str__(self) -> str:
        return f"{self.name}（{self.unit}）" if self.unit else self.name


class IndicatorValue(models.Model):
    """One value said about an indicator: a target, baseline, growth target or actual, for a year
    (or a period the text names, e.g. 十三五), a region, with the quote it came from and who
    entered it. Flagged values count for nothing until a person resolves the flag."""

    indicator = models.ForeignKey("targets.Indicator", verbose_name=_("指标"), on_delete=models.CASCADE,
                                  related_name="values")
    kind = models.CharField(_("类型"), max_length=15, choices=c.ValueKind.choices)
    year = models.PositiveSmallIntegerField(_("年份"), null=True, blank=True, db_index=True)
    period_label = models.CharField(_("期间（原文）"), max_length=60, blank=True)
    region_code = models.CharField(_("区划代码"), max_length=6, blank=True, db_index=True)
    value = models.DecimalField(_("数值"), **VALUE)
    value_high = models.DecimalField(_("区间上限"), **VALUE)
    value_text = models.CharField(_("数值（原文）"), max_length=60, blank=True)
    unit = models.CharField(_("单位（填报）"), max_length=30, blank=True)
    qualifier = models.CharField(_("限定词"), max_length=40, blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=c.ValueState.choices,
                             default=c.ValueState.ACCEPTED, db_index=True)
    quote = models.TextField(_("原文摘录"), blank=True)
    source_file = models.CharField(_("来源"), max_length=200, blank=True)
    note = models.TextField(_("备注"), blank=True)
    row_number = models.PositiveIntegerField(_("导入行号"), null=True, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("填报人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    entered_label = models.CharField(_("填报来源"), max_length=100, blank=True)
    entered_at = models.DateTimeField(_("填报时间"), auto_now_add=True)

    objects = IndicatorValueQuerySet.as_manager()

    class Meta:
        ordering = ["indicator", "kind", "year", "pk"]
        verbose_name = _("指标数值")
        verbose_name_plural = _("指标数值")
        indexes = [models.Index(fields=["indicator", "kind", "region_code", "year"], name="indval_ind_kind_region_year")]

    def __str__(self) -> str:
        return f"{self.indicator.name} {self.get_kind_display()} {self.period_label or self.year}: {self.value_text}"


class ValueFlag(models.Model):
    """A problem found in the values for a person to resolve: contradictory targets within a plan,
    an actual in the wrong unit, a period outside the plan. Never resolved by averaging."""

    indicator = models.ForeignKey("targets.Indicator", verbose_name=_("指标"), on_delete=models.CASCADE,
                                  related_name="flags")
    values = models.ManyToManyField("targets.IndicatorValue", verbose_name=_("涉及数值"), related_name="flags")
    kind = models.CharField(_("问题类型"), max_length=15, choices=c.FlagKind.choices)
    message = models.TextField(_("说明"))
    message_code = models.CharField(_("说明代码"), max_length=20, blank=True)
    message_params = models.JSONField(_("说明参数"), default=dict, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=c.FlagStatus.choices,
                              default=c.FlagStatus.OPEN, db_index=True)
    resolution = models.TextField(_("处理意见"), blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("处理人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("发现时间"), auto_now_add=True)

    objects = ValueFlagQuerySet.as_manager()

    class Meta:
        ordering = ["status", "-created_at", "pk"]
        verbose_name = _("待核定问题")
        verbose_name_plural = _("待核定问题")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.indicator.name}"

    @property
    def message_shown(self):
        """The message in the request's language, the plan's own wording marked as Chinese."""
        return flag_message(self.message_code, self.message_params, self.message)

    @property
    def message_text(self) -> str:
        """The message in the request's language as plain text."""
        return flag_message_text(self.message_code, self.message_params, self.message)


class Unit(models.Model):
    """A responsible unit named by the plans (市金融办, 人行济南分行营管部 …), linked to the
    platform organisation that reports for it once one is registered."""

    name = models.CharField(_("单位名称"), max_length=120, unique=True)
    organization = models.ForeignKey("accounts.Organization", verbose_name=_("平台机构"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("责任单位")
        verbose_name_plural = _("责任单位")

    def __str__(self) -> str:
        return self.name


class Task(models.Model):
    """A task of a plan with its lead and supporting units, deadline, ★ mark and current status
    (the latest progress report's)."""

    plan = models.ForeignKey("targets.Plan", verbose_name=_("规划"), on_delete=models.CASCADE,
                             related_name="tasks")
    code = models.CharField(_("任务编号"), max_length=80)
    title = models.CharField(_("任务名称"), max_length=300)
    text = models.TextField(_("任务内容"), blank=True)
    section = models.CharField(_("章节"), max_length=200, blank=True)
    is_key = models.BooleanField(_("重点（★）"), default=False, db_index=True)
    lead_units = models.ManyToManyField("targets.Unit", verbose_name=_("牵头单位"), related_name="led_tasks",
                                        blank=True)
    units = models.ManyToManyField("targets.Unit", verbose_name=_("责任单位"), related_name="tasks", blank=True)
    deadline_text = models.CharField(_("完成时限（原文）"), max_length=100, blank=True)
    deadline = models.DateField(_("完成时限"), null=True, blank=True, db_index=True)
    status = models.CharField(_("状态"), max_length=15, choices=c.TaskStatus.choices,
                              default=c.TaskStatus.NOT_STARTED, db_index=True)
    percent = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    last_report_at = models.DateTimeField(_("最近报告"), null=True, blank=True)
    indicator = models.ForeignKey("targets.Indicator", verbose_name=_("来源指标缺口"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="actions",
                                  help_text=_("由指标缺口生成的跟踪行动填写。"))
    source_file = models.CharField(_("来源"), max_length=200, blank=True)
    note = models.TextField(_("备注"), blank=True)

    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "pk"]
        verbose_name = _("任务")
        verbose_name_plural = _("任务")
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="task_unique_code_in_plan",
                                               violation_error_message=_("同一规划内任务编号不能重复。")),
                       models.CheckConstraint(name="task_percent_range", condition=models.Q(percent__lte=100),
                                              violation_error_message=_("进度应在 0 至 100 之间。"))]

    def __str__(self) -> str:
        return f"{'★' if self.is_key else ''}{self.title}"


class TaskReport(models.Model):
    """A progress report on a task by (a person of) a responsible unit."""

    task = models.ForeignKey("targets.Task", verbose_name=_("任务"), on_delete=models.CASCADE,
                             related_name="reports")
    unit = models.ForeignKey("targets.Unit", verbose_name=_("报告单位"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="reports")
    status = models.CharField(_("状态"), max_length=15, choices=c.TaskStatus.choices)
    percent = models.PositiveSmallIntegerField(_("进度（%）"))
    text = models.TextField(_("进展情况"))
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("报告人"), null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    reported_at = models.DateTimeField(_("报告时间"), auto_now_add=True)

    objects = TaskReportQuerySet.as_manager()

    class Meta:
        ordering = ["task", "-reported_at", "-pk"]
        verbose_name = _("进展报告")
        verbose_name_plural = _("进展报告")

    def __str__(self) -> str:
        return f"{self.task.code} {self.percent}%"
