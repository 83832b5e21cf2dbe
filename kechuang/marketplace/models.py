"""Models of the financing marketplace (issue 5; see docs/marketplace.md)."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import choices as c
from .querysets import (
    AdvisorAssignmentQuerySet,
    AdvisorVisitQuerySet,
    DemandQuerySet,
    FinancingRequestQuerySet,
    FirstLoanCandidateQuerySet,
    LegQuerySet,
    LossBookingQuerySet,
    ProductQuerySet,
    RequestEventQuerySet,
    RequestRatingQuerySet,
    RoadshowQuerySet,
    RoadshowRegistrationQuerySet,
    WhitelistEntryQuerySet,
)

MONEY = {"max_digits": 16, "decimal_places": 2}
RATE = {"max_digits": 7, "decimal_places": 5}
#: The largest amount the platform accepts for one demand or product (¥10 bn): anything above is
#: an input error (a misplaced unit), not a financing need.
MAX_AMOUNT = Decimal("10000000000")
MAX_TERM_MONTHS = 360


class Product(models.Model):
    """A financial product an institution publishes: a loan, guarantee or insurance product, or an
    investor's mandate. Eligibility is rule data in the qualification engine's language
    (``kechuang.engine.matching``); service levels are working days per step."""

    institution = models.ForeignKey("accounts.Organization", verbose_name=_("发布机构"),
                                    on_delete=models.PROTECT, related_name="products")
    kind = models.CharField(_("产品类型"), max_length=12, choices=c.ProductKind.choices)
    category = models.CharField(_("产品类别"), max_length=24, choices=c.ProductCategory.choices)
    name = models.CharField(_("产品名称"), max_length=100)
    description = models.TextField(_("产品说明"), blank=True)
    eligibility = models.JSONField(_("准入条件"), default=list, blank=True)
    amount_min = models.DecimalField(_("最低金额（元）"), **MONEY)
    amount_max = models.DecimalField(_("最高金额（元）"), **MONEY)
    term_min_months = models.PositiveSmallIntegerField(_("最短期限（月）"), null=True, blank=True)
    term_max_months = models.PositiveSmallIntegerField(_("最长期限（月）"), null=True, blank=True)
    rate = models.DecimalField(_("年化利率/费率"), null=True, blank=True, **RATE)
    fees = models.CharField(_("其他费用"), max_length=200, blank=True)
    stages = models.JSONField(_("投资阶段"), default=list, blank=True)
    needs_guarantee = models.BooleanField(_("需担保"), default=False)
    needs_insurance = models.BooleanField(_("需保险"), default=False)
    sla_pickup_days = models.PositiveSmallIntegerField(_("接单时限（工作日）"), default=2)
    sla_decision_days = models.PositiveSmallIntegerField(_("首次审批时限（工作日）"), default=3)
    sla_contract_days = models.PositiveSmallIntegerField(_("签约时限（工作日）"), default=5)
    sla_disburse_days = models.PositiveSmallIntegerField(_("放款时限（工作日）"), default=3)
    is_active = models.BooleanField(_("上架"), default=True)
    is_synthetic = models.BooleanField(_("合成演示数据"), default=False)
    created_at = models.DateTimeField(_("发布时间"), default=timezone.now)

    objects = ProductQuerySet.as_manager()

    class Meta:
        ordering = ["institution_id", "name"]
        verbose_name = _("金融产品")
        verbose_name_plural = _("金融产品")
        constraints = [
            models.CheckConstraint(name="product_amount_range",
                                   condition=Q(amount_min__gt=0) & Q(amount_max__gte=models.F("amount_min")),
                                   violation_error_message=_("金额范围无效。")),
            models.UniqueConstraint(fields=["institution", "name"], name="product_institution_name_unique",
                                    violation_error_message=_("本机构已有同名产品。")),
        ]

    def __str__(self) -> str:
        return self.name


class Demand(models.Model):
    """A financing demand an enterprise posts (or its 金融辅导员 on its behalf). ``prefill`` keeps
    what the platform knew and filled in (零填报), with the facts' as-of time."""

    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT,
                                   related_name="financing_demands")
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发布人"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("融资方式"), max_length=8, choices=c.DemandKind.choices)
    amount = models.DecimalField(_("融资金额（元）"), **MONEY)
    term_months = models.PositiveSmallIntegerField(_("期限（月）"), null=True, blank=True)
    purpose = models.CharField(_("资金用途"), max_length=20, choices=c.Purpose.choices)
    purpose_note = models.CharField(_("用途说明"), max_length=200, blank=True)
    collateral = models.CharField(_("担保方式"), max_length=12, choices=c.Collateral.choices,
                                  default=c.Collateral.NONE)
    equity_share = models.DecimalField(_("拟出让股权比例"), max_digits=5, decimal_places=4, null=True, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=c.DemandStatus.choices, default=c.DemandStatus.OPEN)
    region_code = models.CharField(_("区划代码"), max_length=6, blank=True)
    prefill = models.JSONField(_("平台预填信息"), default=dict, blank=True)
    roadshow = models.ForeignKey("marketplace.Roadshow", verbose_name=_("来源路演"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="demands")
    is_synthetic = models.BooleanField(_("合成演示数据"), default=False)
    created_at = models.DateTimeField(_("发布时间"), default=timezone.now)

    objects = DemandQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("融资需求")
        verbose_name_plural = _("融资需求")
        constraints = [
            models.CheckConstraint(name="demand_amount_positive", condition=Q(amount__gt=0),
                                   violation_error_message=_("融资金额必须大于零。")),
        ]
        indexes = [models.Index(fields=["status", "kind"], name="demand_status_kind_idx"),
                   models.Index(fields=["region_code"], name="demand_region_idx")]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.get_kind_display()} {self.amount}"


class FinancingRequest(models.Model):
    """A demand in the hands of one institution: the workflow's state, who holds it, and the due
    time of the current step. A demand has at most one active request (a partial unique
    constraint), so two grabs can never both win; a re-route closes one and opens the next."""

    demand = models.ForeignKey("marketplace.Demand", verbose_name=_("融资需求"), on_delete=models.PROTECT,
                               related_name="requests")
    product = models.ForeignKey("marketplace.Product", verbose_name=_("产品"), on_delete=models.PROTECT,
                                related_name="requests")
    institution = models.ForeignKey("accounts.Organization", verbose_name=_("承办机构"), on_delete=models.PROTECT,
                                    related_name="financing_requests")
    consent = models.ForeignKey("enterprises.Consent", verbose_name=_("数据授权"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    route = models.CharField(_("来源"), max_length=10, choices=c.Route.choices)
    state = models.CharField(_("状态"), max_length=14, choices=c.RequestState.choices,
                             default=c.RequestState.SUBMITTED)
    handler = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("经办人"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    picked_up_at = models.DateTimeField(_("接单时间"), null=True, blank=True)
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    contracted_at = models.DateTimeField(_("签约时间"), null=True, blank=True)
    disbursed_at = models.DateTimeField(_("放款时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    due_at = models.DateTimeField(_("本环节时限"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("升级时间"), null=True, blank=True)
    escalated_to = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("升级至（金融辅导员）"), null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="+")
    decision_reason = models.CharField(_("审批意见"), max_length=500, blank=True)
    approved_amount = models.DecimalField(_("批准金额（元）"), null=True, blank=True, **MONEY)
    approved_rate = models.DecimalField(_("批准利率"), null=True, blank=True, **RATE)
    is_synthetic = models.BooleanField(_("合成演示数据"), default=False)

    objects = FinancingRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("融资申请")
        verbose_name_plural = _("融资申请")
        constraints = [
            models.UniqueConstraint(fields=["demand"], condition=Q(state__in=c.ACTIVE_STATES),
                                    name="request_one_active_per_demand",
                                    violation_error_message=_("该需求已由其他机构承办。")),
        ]
        indexes = [models.Index(fields=["institution", "state"], name="request_inst_state_idx"),
                   models.Index(fields=["state", "due_at"], name="request_state_due_idx")]

    def __str__(self) -> str:
        return _("申请#%(pk)s %(state)s") % {"pk": self.pk, "state": self.get_state_display()}

    @property
    def is_active(self) -> bool:
        return self.state in c.ACTIVE_STATES


class RequestEvent(models.Model):
    """The request's business event ledger: one row per transition, who made it and why."""

    request = models.ForeignKey("marketplace.FinancingRequest", verbose_name=_("融资申请"),
                                on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("时间"), default=timezone.now)
    from_state = models.CharField(_("原状态"), max_length=14, blank=True)
    to_state = models.CharField(_("新状态"), max_length=14)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    actor_label = models.CharField(_("操作方"), max_length=200, blank=True)
    note = models.CharField(_("说明"), max_length=500, blank=True)

    objects = RequestEventQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("申请事件")
        verbose_name_plural = _("申请事件")

    def __str__(self) -> str:
        return f"{self.request_id}: {self.from_state} → {self.to_state}"


class RequestRating(models.Model):
    """The enterprise's satisfaction with a request once it closed (disbursed, declined or
    withdrawn): 1–5 stars and a comment, given once, by the enterprise itself."""

    request = models.ForeignKey("marketplace.FinancingRequest", verbose_name=_("融资申请"),
                                on_delete=models.PROTECT, related_name="ratings")
    stars = models.PositiveSmallIntegerField(_("满意度（1–5 星）"))
    comment = models.CharField(_("评价"), max_length=500, blank=True)
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("评价人"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    rated_at = models.DateTimeField(_("评价时间"), default=timezone.now)

    objects = RequestRatingQuerySet.as_manager()

    class Meta:
        ordering = ["-rated_at", "-id"]
        verbose_name = _("融资服务评价")
        verbose_name_plural = _("融资服务评价")
        constraints = [
            models.UniqueConstraint(fields=["request"], name="rating_one_per_request",
                                    violation_error_message=_("该申请已评价过。")),
            models.CheckConstraint(name="rating_stars_1_5", condition=Q(stars__gte=1, stars__lte=5),
                                   violation_error_message=_("满意度应为 1 至 5 星。")),
        ]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.stars}★"


class Leg(models.Model):
    """A guarantee or insurance leg of a loan request. A guarantee leg carries the loss split
    between the national, provincial and city guarantors and the bank (percent, summing to 100;
    Jinan uses 20:20:40:20)."""

    request = models.ForeignKey("marketplace.FinancingRequest", verbose_name=_("融资申请"),
                                on_delete=models.CASCADE, related_name="legs")
    kind = models.CharField(_("类型"), max_length=10, choices=c.LegKind.choices)
    provider = models.ForeignKey("accounts.Organization", verbose_name=_("担保/保险机构"),
                                 on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey("marketplace.Product", verbose_name=_("产品"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("状态"), max_length=10, choices=c.LegState.choices, default=c.LegState.PENDING)
    covered_amount = models.DecimalField(_("担保/保险金额（元）"), null=True, blank=True, **MONEY)
    share_national = models.DecimalField(_("国家担保基金分担（%）"), max_digits=5, decimal_places=2, default=Decimal(20))
    share_provincial = models.DecimalField(_("省级再担保分担（%）"), max_digits=5, decimal_places=2, default=Decimal(20))
    share_city = models.DecimalField(_("市级担保分担（%）"), max_digits=5, decimal_places=2, default=Decimal(40))
    share_bank = models.DecimalField(_("银行分担（%）"), max_digits=5, decimal_places=2, default=Decimal(20))
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    objects = LegQuerySet.as_manager()

    class Meta:
        ordering = ["request_id", "kind"]
        verbose_name = _("担保/保险环节")
        verbose_name_plural = _("担保/保险环节")
        constraints = [
            models.CheckConstraint(
                name="leg_shares_sum_100",
                condition=Q(share_national__gte=0, share_provincial__gte=0, share_city__gte=0, share_bank__gte=0)
                & Q(share_national__lte=100, share_provincial__lte=100, share_city__lte=100, share_bank__lte=100),
                violation_error_message=_("分担比例必须在0到100之间。")),
            models.CheckConstraint(
                name="leg_shares_total_100",
                condition=Exact(F("share_national") + F("share_provincial") + F("share_city") + F("share_bank"),
                                Decimal(100)),
                violation_error_message=_("四方分担比例合计必须为100。")),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    def shares(self) -> dict[str, Decimal]:
        return {c.RiskParty.NATIONAL: self.share_national, c.RiskParty.PROVINCIAL: self.share_provincial,
                c.RiskParty.CITY: self.share_city, c.RiskParty.BANK: self.share_bank}


class LossBooking(models.Model):
    """One party's share of a loss booked when a guaranteed loan defaults."""

    leg = models.ForeignKey("marketplace.Leg", verbose_name=_("担保环节"), on_delete=models.PROTECT,
                            related_name="losses")
    party = models.CharField(_("分担方"), max_length=10, choices=c.RiskParty.choices)
    share = models.DecimalField(_("分担比例（%）"), max_digits=5, decimal_places=2)
    amount = models.DecimalField(_("分担金额（元）"), **MONEY)
    booked_at = models.DateTimeField(_("入账时间"), default=timezone.now)

    objects = LossBookingQuerySet.as_manager()

    class Meta:
        ordering = ["leg_id", "party"]
        verbose_name = _("风险分担入账")
        verbose_name_plural = _("风险分担入账")
        constraints = [models.UniqueConstraint(fields=["leg", "party"], name="loss_leg_party_unique",
                                               violation_error_message=_("该笔损失已入账。"))]

    def __str__(self) -> str:
        return f"{self.leg_id} {self.party} {self.amount}"


class AdvisorAssignment(models.Model):
    """金融辅导队: an advisor (金融辅导员/金融管家) assigned to an enterprise."""

    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT,
                                   related_name="advisor_assignments")
    advisor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("金融辅导员"), on_delete=models.PROTECT,
                                related_name="advisor_assignments")
    team = models.CharField(_("辅导队"), max_length=100, blank=True)
    is_active = models.BooleanField(_("在岗"), default=True)
    assigned_at = models.DateTimeField(_("分配时间"), default=timezone.now)
    is_synthetic = models.BooleanField(_("合成演示数据"), default=False)

    objects = AdvisorAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["-assigned_at"]
        verbose_name = _("金融辅导分配")
        verbose_name_plural = _("金融辅导分配")
        constraints = [models.UniqueConstraint(fields=["enterprise"], condition=Q(is_active=True),
                                               name="advisor_one_active_per_enterprise",
                                               violation_error_message=_("该企业已有在岗金融辅导员。"))]

    def __str__(self) -> str:
        return f"{self.enterprise_id} ← {self.advisor_id}"


class AdvisorVisit(models.Model):
    """A visit (走访) of an advisor to an assigned enterprise, with the enterprise's satisfaction."""

    assignment = models.ForeignKey("marketplace.AdvisorAssignment", verbose_name=_("辅导分配"),
                                   on_delete=models.PROTECT, related_name="visits")
    visited_on = models.DateField(_("走访日期"))
    note = models.CharField(_("走访记录"), max_length=500, blank=True)
    satisfaction = models.PositiveSmallIntegerField(_("满意度（1-5）"), null=True, blank=True)

    objects = AdvisorVisitQuerySet.as_manager()

    class Meta:
        ordering = ["-visited_on", "-id"]
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")
        constraints = [models.CheckConstraint(name="visit_satisfaction_1_5",
                                              condition=Q(satisfaction__isnull=True) | Q(satisfaction__gte=1, satisfaction__lte=5),
                                              violation_error_message=_("满意度应为1至5。"))]

    def __str__(self) -> str:
        return f"{self.assignment_id} {self.visited_on}"


class FirstLoanCandidate(models.Model):
    """首贷培植名单: an enterprise without a bank loan, cultivated with a 一企一策 plan."""

    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT,
                                   related_name="+")
    region_code = models.CharField(_("区划代码"), max_length=6, blank=True)
    plan = models.TextField(_("一企一策方案"), blank=True)
    bank = models.ForeignKey("accounts.Organization", verbose_name=_("对接银行"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("状态"), max_length=10, choices=c.PoolStatus.choices, default=c.PoolStatus.ACTIVE)
    added_at = models.DateTimeField(_("入库时间"), default=timezone.now)
    graduated_at = models.DateTimeField(_("获首贷时间"), null=True, blank=True)
    is_synthetic = models.BooleanField(_("合成演示数据"), default=False)

    objects = FirstLoanCandidateQuerySet.as_manager()

    class Meta:
        ordering = ["-added_at"]
        verbose_name = _("首贷培植企业")
        verbose_name_plural = _("首贷培植名单")
        constraints = [models.UniqueConstraint(fields=["enterprise"], name="first_loan_enterprise_unique",
                                               violation_error_message=_("该企业已在首贷培植名单中。"))]

    def __str__(self) -> str:
        return str(self.enterprise_id)


class WhitelistEntry(models.Model):
    """白名单 with a 预授信 line agreed between the guarantee group and a bank."""

    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT,
                                   related_name="+")
    guarantor = models.ForeignKey("accounts.Organization", verbose_name=_("担保机构"), on_delete=models.PROTECT,
                                  related_name="+")
    bank = models.ForeignKey("accounts.Organization", verbose_name=_("银行"), on_delete=models.PROTECT,
                             related_name="+")
    line_amount = models.DecimalField(_("预授信额度（元）"), **MONEY)
    valid_until = models.DateField(_("有效期至"))
    is_active = models.BooleanField(_("有效"), default=True)
    added_at = models.DateTimeField(_("入库时间"), default=timezone.now)
    is_synthetic = models.BooleanField(_("合成演示数据"), default=False)

    objects = WhitelistEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-added_at"]
        verbose_name = _("白名单企业")
        verbose_name_plural = _("白名单")
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "bank"], condition=Q(is_active=True),
                                    name="whitelist_active_unique",
                                    violation_error_message=_("该企业在该银行已有有效预授信。")),
            models.CheckConstraint(name="whitelist_line_positive", condition=Q(line_amount__gt=0),
                                   violation_error_message=_("预授信额度必须大于零。")),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.line_amount}"


class Roadshow(models.Model):
    """A roadshow (路演) event with enterprises presenting to investors."""

    title = models.CharField(_("路演名称"), max_length=200)
    region_code = models.CharField(_("区划代码"), max_length=6)
    organizer = models.ForeignKey("accounts.Organization", verbose_name=_("主办机构"), on_delete=models.PROTECT,
                                  related_name="+")
    held_on = models.DateField(_("举办日期"))
    status = models.CharField(_("状态"), max_length=10, choices=c.RoadshowStatus.choices,
                              default=c.RoadshowStatus.PLANNED)
    is_synthetic = models.BooleanField(_("合成演示数据"), default=False)

    objects = RoadshowQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("路演")
        verbose_name_plural = _("路演")

    def __str__(self) -> str:
        return self.title


class RoadshowRegistration(models.Model):
    """An enterprise presenting, or an investor attending, a roadshow; an investor's follow-up
    with a presenting enterprise becomes an equity demand."""

    roadshow = models.ForeignKey("marketplace.Roadshow", verbose_name=_("路演"), on_delete=models.CASCADE,
                                 related_name="registrations")
    role = models.CharField(_("身份"), max_length=10, choices=c.RegistrationRole.choices)
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("企业"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    investor = models.ForeignKey("accounts.Organization", verbose_name=_("投资机构"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    registered_at = models.DateTimeField(_("报名时间"), default=timezone.now)

    objects = RoadshowRegistrationQuerySet.as_manager()

    class Meta:
        ordering = ["roadshow_id", "role", "id"]
        verbose_name = _("路演报名")
        verbose_name_plural = _("路演报名")
        constraints = [
            models.CheckConstraint(name="registration_one_party",
                                   condition=(Q(role="presenter", enterprise__isnull=False, investor__isnull=True)
                                              | Q(role="investor", investor__isnull=False, enterprise__isnull=True)),
                                   violation_error_message=_("路演企业须填企业，投资机构须填机构。")),
            models.UniqueConstraint(fields=["roadshow", "enterprise"], name="registration_enterprise_unique",
                                    violation_error_message=_("该企业已报名。")),
            models.UniqueConstraint(fields=["roadshow", "investor"], name="registration_investor_unique",
                                    violation_error_message=_("该机构已报名。")),
        ]

    def __str__(self) -> str:
        return f"{self.roadshow_id} {self.get_role_display()}"
