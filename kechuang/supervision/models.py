"""Supervision of local financial organisations (地方金融组织): the organisations, their periodic
reports with the computed ratios and breaches, the file uploads (a rejected file's rows are kept
with every error), the on-site inspections and the composite ratings.

An organisation is linked to its platform account (``accounts.Organization``) where it has one (a
融资担保公司 already on the platform as a guarantor): its users then read and file for it alone.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kechuang.core.formatting import cn_date

from . import choices as c
from .querysets import (InspectionQuerySet, OrgRatingQuerySet, PeriodicReportQuerySet, RatioBreachQuerySet,
                        ReportUploadQuerySet, SupervisedOrgQuerySet)

MONEY = {"max_digits": 18, "decimal_places": 2}


class SupervisedOrg(models.Model):
    """One licensed local financial organisation."""

    name = models.CharField(_("机构名称"), max_length=200)
    licence_type = models.CharField(_("牌照类型"), max_length=16, choices=c.LicenceType.choices, db_index=True)
    licence_no = models.CharField(_("许可证编号"), max_length=60, unique=True)
    licence_date = models.DateField(_("许可日期"))
    registered_capital = models.DecimalField(_("注册资本（元）"), **MONEY)
    paid_in_capital = models.DecimalField(_("实缴资本（元）"), **MONEY)
    business_scope = models.TextField(_("经营范围"), blank=True)
    region_code = models.CharField(_("所在区县代码"), max_length=6, db_index=True)
    status = models.CharField(_("经营状态"), max_length=14, choices=c.OrgStatus.choices, default=c.OrgStatus.NORMAL)
    contact_name = models.CharField(_("联系人"), max_length=60, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    institution = models.OneToOneField("accounts.Organization", verbose_name=_("平台机构账户"), null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="supervised_org",
                                       help_text=_("已在平台注册的机构（如担保机构）填写；其用户可查看并报送本机构报表。"))
    is_synthetic = models.BooleanField(_("合成演示数据"), default=False)
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    objects = SupervisedOrgQuerySet.as_manager()

    class Meta:
        ordering = ["licence_type", "name"]
        verbose_name = _("地方金融组织")
        verbose_name_plural = _("地方金融组织")
        constraints = [
            models.CheckConstraint(condition=Q(registered_capital__gte=0) & Q(paid_in_capital__gte=0),
                                   name="supervisedorg_capital_not_negative",
                                   violation_error_message=_("注册资本和实缴资本不能为负数。")),
        ]

    def __str__(self) -> str:
        return self.name


class PeriodicReport(models.Model):
    """One monthly or quarterly report: the figures (yuan, as decimal strings), the indicators the
    engine computed and the rule version used."""

    org = models.ForeignKey("supervision.SupervisedOrg", verbose_name=_("机构"), on_delete=models.PROTECT,
                            related_name="reports")
    region_code = models.CharField(_("区县代码"), max_length=6, db_index=True)
    licence_type = models.CharField(_("牌照类型"), max_length=16, choices=c.LicenceType.choices)
    frequency = models.CharField(_("报告频度"), max_length=10, choices=c.Frequency.choices)
    period_end = models.DateField(_("报告期末"))
    figures = models.JSONField(_("报表数据（元）"), default=dict)
    values = models.JSONField(_("监管指标"), default=dict)
    breach_count = models.PositiveSmallIntegerField(_("超限项数"), default=0)
    rules_version = models.CharField(_("规则版本"), max_length=40)
    source = models.CharField(_("来源"), max_length=6, choices=c.Source.choices)
    upload = models.ForeignKey("supervision.ReportUpload", verbose_name=_("导入文件"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="reports")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("报送人"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    actor_label = models.CharField(_("报送人标识"), max_length=150)
    submitted_at = models.DateTimeField(_("报送时间"), default=timezone.now)
    is_synthetic = models.BooleanField(_("合成演示数据"), default=False)

    objects = PeriodicReportQuerySet.as_manager()

    class Meta:
        ordering = ["-period_end", "org"]
        verbose_name = _("定期报表")
        verbose_name_plural = _("定期报表")
        constraints = [
            models.UniqueConstraint(fields=["org", "frequency", "period_end"], name="periodicreport_one_per_period",
                                    violation_error_message=_("该机构该报告期的报表已报送。")),
        ]

    def __str__(self) -> str:
        return _("%(org)s %(period)s %(freq)s") % {"org": self.org, "period": cn_date(self.period_end),
                                                   "freq": c.Frequency(self.frequency).label}


class RatioBreach(models.Model):
    """A report's indicator beyond its limit: the rule (document, article, certainty), the value
    and the limit. ``binding`` is false for a supervisory monitoring threshold."""

    report = models.ForeignKey("supervision.PeriodicReport", verbose_name=_("报表"), on_delete=models.CASCADE,
                               related_name="breaches")
    org = models.ForeignKey("supervision.SupervisedOrg", verbose_name=_("机构"), on_delete=models.PROTECT,
                            related_name="+")
    region_code = models.CharField(_("区县代码"), max_length=6)
    period_end = models.DateField(_("报告期末"))
    code = models.CharField(_("指标代码"), max_length=40)
    label = models.CharField(_("指标"), max_length=200)
    value = models.DecimalField(_("指标值"), max_digits=24, decimal_places=6, null=True, blank=True)
    limit = models.DecimalField(_("监管限额"), max_digits=24, decimal_places=6)
    op = models.CharField(_("要求"), max_length=2)
    unit = models.CharField(_("单位"), max_length=6)
    binding = models.BooleanField(_("法定限额"), default=True)
    document = models.CharField(_("依据文件"), max_length=300)
    article = models.CharField(_("条款"), max_length=200, blank=True)
    certainty = models.CharField(_("核实程度"), max_length=12)

    objects = RatioBreachQuerySet.as_manager()

    class Meta:
        ordering = ["-period_end", "org", "code"]
        verbose_name = _("监管指标超限")
        verbose_name_plural = _("监管指标超限")
        indexes = [models.Index(fields=["region_code", "period_end"], name="ratiobreach_region_idx")]

    def __str__(self) -> str:
        return f"{self.org_id} {self.code} {self.period_end}"


class ReportUpload(models.Model):
    """One XLSX file of reports: accepted (all rows stored) or rejected (nothing stored; the rows
    are kept here with every error — sheet, row, field, reason — for the user to correct)."""

    file_name = models.CharField(_("文件名"), max_length=200)
    status = models.CharField(_("结果"), max_length=10, choices=c.UploadStatus.choices)
    rows = models.JSONField(_("文件数据（原样留存）"), default=list)
    errors = models.JSONField(_("错误清单"), default=list)
    n_rows = models.PositiveIntegerField(_("数据行数"), default=0)
    region_code = models.CharField(_("上传机构区划"), max_length=6, blank=True)
    uploader_org = models.ForeignKey("accounts.Organization", verbose_name=_("上传机构"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("上传人"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    actor_label = models.CharField(_("上传人标识"), max_length=150)
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    objects = ReportUploadQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name = _("报表导入记录")
        verbose_name_plural = _("报表导入记录")

    def __str__(self) -> str:
        return _("报表导入 #%(pk)s") % {"pk": self.pk}


class Inspection(models.Model):
    """An on-site inspection (现场检查) with its findings and the rectification it requires."""

    org = models.ForeignKey("supervision.SupervisedOrg", verbose_name=_("机构"), on_delete=models.PROTECT,
                            related_name="inspections")
    inspected_on = models.DateField(_("检查日期"))
    inspectors = models.CharField(_("检查人员"), max_length=200)
    findings = models.TextField(_("检查发现"))
    rectification_required = models.BooleanField(_("需整改"), default=False)
    deadline = models.DateField(_("整改期限"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=c.InspectionStatus.choices)
    closed_on = models.DateField(_("整改完成日期"), null=True, blank=True)
    note = models.CharField(_("整改情况说明"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    actor_label = models.CharField(_("登记人标识"), max_length=150)
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    is_synthetic = models.BooleanField(_("合成演示数据"), default=False)

    objects = InspectionQuerySet.as_manager()

    class Meta:
        ordering = ["-inspected_on", "-pk"]
        verbose_name = _("现场检查")
        verbose_name_plural = _("现场检查")
        constraints = [
            models.CheckConstraint(condition=Q(rectification_required=False) | Q(deadline__isnull=False),
                                   name="inspection_deadline_when_rectification",
                                   violation_error_message=_("需整改的检查必须填写整改期限。")),
        ]

    def __str__(self) -> str:
        return _("%(org)s %(day)s 现场检查") % {"org": self.org, "day": cn_date(self.inspected_on)}

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.status == c.InspectionStatus.RECTIFYING and self.deadline is not None and self.deadline < today


class OrgRating(models.Model):
    """The CAMEL+RR composite rating of an organisation as of a report period."""

    org = models.ForeignKey("supervision.SupervisedOrg", verbose_name=_("机构"), on_delete=models.CASCADE,
                            related_name="ratings")
    report = models.ForeignKey("supervision.PeriodicReport", verbose_name=_("依据报表"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    region_code = models.CharField(_("区县代码"), max_length=6)
    as_of = models.DateField(_("评级基准日"))
    score = models.DecimalField(_("综合得分"), max_digits=5, decimal_places=2)
    grade = models.CharField(_("评级"), max_length=1, choices=c.Grade.choices)
    components = models.JSONField(_("分项得分"), default=dict)
    weights = models.JSONField(_("权重"), default=dict)
    rules_version = models.CharField(_("规则版本"), max_length=40)
    computed_at = models.DateTimeField(_("计算时间"), default=timezone.now)

    objects = OrgRatingQuerySet.as_manager()

    class Meta:
        ordering = ["-computed_at", "-pk"]
        verbose_name = _("综合评级")
        verbose_name_plural = _("综合评级")

    def __str__(self) -> str:
        return f"{self.org_id} {self.grade} {self.as_of}"
