"""IP and technology trading (知识产权与技术交易, issue 12 point 3): listings of IP items by their
holders, deals from expression of interest to the registered technology contract, and the pledgee's
consent that lets a pledged item be listed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import choices as c
from .querysets import DealQuerySet, ListingQuerySet, PledgeeConsentQuerySet

AMOUNT = {"max_digits": 20, "decimal_places": 2}


class Listing(models.Model):
    """One IP item offered by its holder for transfer, licence or 作价入股. ``holder`` is the
    seller's record in the theme database (an enterprise, or a university's or institute's record
    under its USCC): the item must be among its IP facts."""

    seller = models.ForeignKey("accounts.Organization", verbose_name=_("出让方"), on_delete=models.PROTECT,
                               related_name="tech_listings")
    holder = models.ForeignKey("enterprises.Enterprise", verbose_name=_("权利人记录"), on_delete=models.PROTECT,
                               related_name="tech_listings")
    ip_key = models.CharField(_("专利号/登记号"), max_length=64)
    ip_title = models.CharField(_("名称"), max_length=200, blank=True)
    ip_type = models.CharField(_("知识产权类型"), max_length=30)
    kind = models.CharField(_("交易方式"), max_length=20, choices=c.DealKind.choices)
    asking_price = models.DecimalField(_("挂牌价格"), null=True, blank=True, help_text=_("不填为面议"), **AMOUNT)
    industry_code = models.CharField(_("行业代码"), max_length=5, blank=True)
    region_code = models.CharField(_("行政区划"), max_length=6, db_index=True)
    description = models.TextField(_("简介"), blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=c.ListingStatus.choices, default=c.ListingStatus.LISTED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("挂牌人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("挂牌时间"), auto_now_add=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    objects = ListingQuerySet.as_manager()

    class Meta:
        verbose_name = _("交易挂牌")
        verbose_name_plural = _("交易挂牌")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["holder", "ip_key", "kind"], condition=models.Q(status="listed"),
                                    name="trade_listing_once_per_kind",
                                    violation_error_message=_("该知识产权已以同一方式挂牌。")),
            models.CheckConstraint(condition=models.Q(asking_price__isnull=True) | models.Q(asking_price__gt=0),
                                   name="trade_listing_price_positive",
                                   violation_error_message=_("挂牌价格须大于零。")),
        ]

    def __str__(self) -> str:
        return f"{self.ip_key}（{self.get_kind_display()}）"


class Deal(models.Model):
    """A buyer's expression of interest in a listing and what follows: negotiation, the agreed price
    and terms, the signed contract (which updates both parties' IP facts) and its registration
    (技术合同登记). Moves only along :data:`choices.TRANSITIONS`."""

    listing = models.ForeignKey(Listing, verbose_name=_("挂牌"), on_delete=models.PROTECT, related_name="deals")
    seller = models.ForeignKey("accounts.Organization", verbose_name=_("出让方"), on_delete=models.PROTECT,
                               related_name="tech_deals_sold")
    holder = models.ForeignKey("enterprises.Enterprise", verbose_name=_("权利人记录"), on_delete=models.PROTECT,
                               related_name="tech_deals_sold")
    buyer = models.ForeignKey("accounts.Organization", verbose_name=_("受让方"), on_delete=models.PROTECT,
                              related_name="tech_deals_bought")
    buyer_holder = models.ForeignKey("enterprises.Enterprise", verbose_name=_("受让方记录"), on_delete=models.PROTECT,
                                     related_name="tech_deals_bought")
    ip_key = models.CharField(_("专利号/登记号"), max_length=64)
    kind = models.CharField(_("交易方式"), max_length=20, choices=c.DealKind.choices)
    state = models.CharField(_("状态"), max_length=12, choices=c.DealState.choices, default=c.DealState.INTEREST)
    message = models.TextField(_("意向说明"), blank=True)
    price = models.DecimalField(_("成交价格"), null=True, blank=True, **AMOUNT)
    terms = models.TextField(_("主要条款"), blank=True)
    payment_schedule = models.JSONField(_("付款计划"), default=list, blank=True)
    contract_date = models.DateField(_("合同签订日期"), null=True, blank=True)
    registration_number = models.CharField(_("技术合同登记号"), max_length=40, blank=True)
    region_code = models.CharField(_("行政区划"), max_length=6, db_index=True, help_text=_("出让方所在区划"))
    seller_batch = models.ForeignKey("enterprises.SourceBatch", verbose_name=_("出让方事实批次"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    buyer_batch = models.ForeignKey("enterprises.SourceBatch", verbose_name=_("受让方事实批次"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    withdrawn_reason = models.CharField(_("撤回原因"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("意向提交人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = DealQuerySet.as_manager()

    class Meta:
        verbose_name = _("技术交易")
        verbose_name_plural = _("技术交易")
        ordering = ["-updated_at", "-pk"]
        indexes = [models.Index(fields=["region_code", "contract_date"], name="trade_deal_region_date_idx")]
        constraints = [
            # The database's own guard behind the service's check: one binding exclusive deal per item.
            models.UniqueConstraint(fields=["holder", "ip_key"],
                                    condition=models.Q(kind__in=sorted(c.EXCLUSIVE_KINDS),
                                                       state__in=sorted(c.BINDING_STATES)),
                                    name="trade_deal_one_exclusive",
                                    violation_error_message=_("该知识产权已有独占性交易。")),
            models.CheckConstraint(condition=models.Q(price__isnull=True) | models.Q(price__gt=0),
                                   name="trade_deal_price_positive", violation_error_message=_("成交价格须大于零。")),
        ]

    def __str__(self) -> str:
        return f"{self.ip_key}：{self.seller} → {self.buyer}（{self.get_state_display()}）"

    @property
    def is_open(self) -> bool:
        return self.state in c.OPEN_STATES


class PledgeeConsent(models.Model):
    """A pledgee's consent that a pledged item be listed (民法典 第四百四十四条: pledged IP may be
    transferred or licensed only with the pledgee's consent)."""

    pledge = models.ForeignKey("ip.Pledge", verbose_name=_("质押"), on_delete=models.PROTECT, related_name="trade_consents")
    ip_key = models.CharField(_("专利号/登记号"), max_length=64)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("同意人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    granted_at = models.DateTimeField(_("同意时间"), auto_now_add=True)
    # once a deal on the item is signed: its price is due to the pledgee or lodged (民法典 第四百四十四条)
    deal = models.ForeignKey("trade.Deal", verbose_name=_("签约交易"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="pledgee_consents")
    proceeds = models.DecimalField(_("转让/许可价款"), null=True, blank=True, **AMOUNT)
    proceeds_status = models.CharField(_("价款处理"), max_length=10, choices=c.Proceeds.choices, blank=True)
    proceeds_on = models.DateField(_("清偿或提存日期"), null=True, blank=True)
    proceeds_note = models.CharField(_("清偿或提存说明"), max_length=200, blank=True)

    objects = PledgeeConsentQuerySet.as_manager()

    class Meta:
        verbose_name = _("质权人同意")
        verbose_name_plural = _("质权人同意")
        ordering = ["-granted_at"]
        constraints = [models.UniqueConstraint(fields=["pledge", "ip_key"], name="trade_pledgee_consent_once")]

    def __str__(self) -> str:
        return f"#{self.pledge_id}：{self.ip_key}"
