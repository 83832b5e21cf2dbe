"""IP valuations for pledge, the pledge registry and each IP-pledge product's pledge rate (issue 12)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import choices as c
from .querysets import PledgeItemQuerySet, PledgeQuerySet, PledgeRateQuerySet, ValuationQuerySet

AMOUNT = {"max_digits": 20, "decimal_places": 2}


class IPValuation(models.Model):
    """One IP item's valuation as of a day with a model version: a range (low / mid / high, yuan)
    with its reasons, never a single number. The latest per item is the one pledges use."""

    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT,
                                   related_name="ip_valuations")
    ip_key = models.CharField(_("专利号/登记号"), max_length=64)
    ip_title = models.CharField(_("名称"), max_length=200, blank=True)
    ip_type = models.CharField(_("知识产权类型"), max_length=30)
    model_id = models.CharField(_("评估模型"), max_length=40)
    as_of = models.DateField(_("估值基准日"))
    status = models.CharField(_("状态"), max_length=10, choices=c.ValuationStatus.choices)
    value_low = models.DecimalField(_("估值下限"), null=True, blank=True, **AMOUNT)
    value_mid = models.DecimalField(_("估值中值"), null=True, blank=True, **AMOUNT)
    value_high = models.DecimalField(_("估值上限"), null=True, blank=True, **AMOUNT)
    quality_low = models.DecimalField(_("质量得分下限"), max_digits=6, decimal_places=2)
    quality_high = models.DecimalField(_("质量得分上限"), max_digits=6, decimal_places=2)
    remaining_years = models.DecimalField(_("剩余保护期（年）"), max_digits=8, decimal_places=4, null=True, blank=True)
    detail = models.JSONField(_("评估明细"), default=dict, help_text=_("指标得分、未知事实与理由"))
    expert = models.JSONField(_("专家输入"), default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("估值人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("估值时间"), auto_now_add=True)

    objects = ValuationQuerySet.as_manager()

    class Meta:
        verbose_name = _("知识产权估值")
        verbose_name_plural = _("知识产权估值")
        ordering = ["enterprise", "ip_key", "-created_at", "-pk"]
        indexes = [models.Index(fields=["enterprise", "ip_key", "-created_at"], name="ip_valuation_item_idx")]
        constraints = [models.CheckConstraint(
            condition=models.Q(value_low__isnull=True) | (models.Q(value_low__lte=models.F("value_mid"))
                                                         & models.Q(value_mid__lte=models.F("value_high"))),
            name="ip_valuation_range_ordered", violation_error_message=_("估值须满足 下限 ≤ 中值 ≤ 上限。"))]

    def __str__(self) -> str:
        return f"{self.ip_key} @ {self.as_of}"

    @property
    def reasons(self) -> list[dict]:
        return self.detail.get("reasons", [])


class Pledge(models.Model):
    """A registered pledge (质押登记) of one or more IP items of an enterprise to an institution."""

    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("出质企业"), on_delete=models.PROTECT,
                                   related_name="ip_pledges")
    pledgee = models.ForeignKey("accounts.Organization", verbose_name=_("质权人"), on_delete=models.PROTECT,
                                related_name="ip_pledges_held")
    product = models.ForeignKey("marketplace.Product", verbose_name=_("贷款产品"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="ip_pledges")
    registration_number = models.CharField(_("质押登记号"), max_length=64, blank=True)
    amount = models.DecimalField(_("登记金额"), **AMOUNT)
    registered_on = models.DateField(_("登记日期"))
    expires_on = models.DateField(_("到期日期"))
    status = models.CharField(_("状态"), max_length=10, choices=c.PledgeStatus.choices, default=c.PledgeStatus.ACTIVE)
    released_on = models.DateField(_("解除日期"), null=True, blank=True)
    release_note = models.CharField(_("解除说明"), max_length=200, blank=True)
    region_code = models.CharField(_("行政区划"), max_length=6, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = PledgeQuerySet.as_manager()

    class Meta:
        verbose_name = _("知识产权质押")
        verbose_name_plural = _("知识产权质押")
        ordering = ["-registered_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="ip_pledge_amount_positive",
                                   violation_error_message=_("登记金额须大于零。")),
            models.CheckConstraint(condition=models.Q(expires_on__gt=models.F("registered_on")),
                                   name="ip_pledge_dates_ordered",
                                   violation_error_message=_("到期日期须晚于登记日期。")),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} → {self.pledgee_id}: {self.amount}"


class PledgeItem(models.Model):
    """One IP item of a pledge and the part of the registered amount secured on it (split in
    proportion to the items' remaining values when registered)."""

    pledge = models.ForeignKey(Pledge, verbose_name=_("质押"), on_delete=models.PROTECT, related_name="items")
    ip_key = models.CharField(_("专利号/登记号"), max_length=64)
    valuation = models.ForeignKey(IPValuation, verbose_name=_("所用估值"), on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("分摊金额"), **AMOUNT)

    objects = PledgeItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("质押知识产权")
        verbose_name_plural = _("质押知识产权")
        ordering = ["pledge", "ip_key"]
        constraints = [models.UniqueConstraint(fields=["pledge", "ip_key"], name="ip_pledge_item_once",
                                               violation_error_message=_("同一质押中知识产权不能重复。"))]

    def __str__(self) -> str:
        return f"{self.pledge_id}: {self.ip_key}"


class PledgeRate(models.Model):
    """The pledge rate (质押率) of an IP-pledge loan product: loan limit = valuation (low or mid) ×
    rate − the enterprise's active pledges on those items."""

    product = models.OneToOneField("marketplace.Product", verbose_name=_("贷款产品"), on_delete=models.CASCADE,
                                   related_name="pledge_rate")
    rate = models.DecimalField(_("质押率"), max_digits=5, decimal_places=4)
    basis = models.CharField(_("估值基准"), max_length=4, choices=c.ValueBasis.choices, default=c.ValueBasis.LOW)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = PledgeRateQuerySet.as_manager()

    class Meta:
        verbose_name = _("质押率")
        verbose_name_plural = _("质押率")
        ordering = ["product"]
        constraints = [models.CheckConstraint(condition=models.Q(rate__gt=0) & models.Q(rate__lte=1),
                                              name="ip_pledge_rate_range",
                                              violation_error_message=_("质押率须在 0 到 100% 之间。"))]

    def __str__(self) -> str:
        return f"{self.product_id}: {self.rate}"
