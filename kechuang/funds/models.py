"""Models of the policy funds (issue 13; see docs/funds.md): programme versions with their rule
data, a budget ledger per programme and year, claims with their workflow, events and payments."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kechuang.core.formatting import bilingual
from kechuang.enterprises.choices import CertificateKind

from . import choices as c
from .querysets import (BudgetQuerySet, ClaimEventQuerySet, ClaimQuerySet, PaymentQuerySet, ProgrammeQuerySet,
                        RepaymentQuerySet)

MONEY = {"max_digits": 16, "decimal_places": 2}


class Programme(models.Model):
    """One version of a programme: its rule data as loaded and checked by ``kechuang.engine.funds``
    (``rules``), and the columns pages and filters read. A new version is a new row; claims keep
    the version they were computed under."""

    code = models.CharField(_("项目代码"), max_length=64)
    version = models.PositiveIntegerField(_("版本"))
    title = models.CharField(_("项目名称"), max_length=200)
    title_en = models.CharField(_("英文名称"), max_length=200, blank=True)
    document = models.CharField(_("政策文件"), max_length=300)
    issuer = models.CharField(_("发文/主管部门"), max_length=200)
    source = models.CharField(_("出处"), max_length=300)
    region_code = models.CharField(_("区划代码"), max_length=6)
    claimant = models.CharField(_("申领主体"), max_length=12, choices=c.Claimant.choices)
    basis = models.CharField(_("兑现依据"), max_length=16, choices=c.Basis.choices)
    mode = models.CharField(_("兑现方式"), max_length=12, choices=c.Mode.choices)
    period_from = models.DateField(_("执行期起"))
    period_to = models.DateField(_("执行期止"))
    claim_deadline = models.DateField(_("申领截止日"))
    formula = models.CharField(_("计算公式"), max_length=300)
    exclusive_group = models.CharField(_("互斥组（就高不重复）"), max_length=64)
    confidence = models.CharField(_("参数依据"), max_length=1, choices=c.Confidence.choices)
    rules = models.JSONField(_("规则数据"))
    is_active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        ordering = ["code", "-version"]
        verbose_name = _("政策资金项目")
        verbose_name_plural = _("政策资金项目")
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="programme_code_version_unique",
                                               violation_error_message=_("该项目版本已存在。"))]

    def __str__(self) -> str:
        return f"{self.title}（v{self.version}）"

    @property
    def title_shown(self) -> str:
        """The title in the page's language: the English one on an English page when the rule
        data has it, else the Chinese title (marked as Chinese there)."""
        return bilingual({"title": self.title, "title_en": self.title_en}, "title")

    @property
    def key(self) -> str:
        return f"{self.code}@{self.version}"


class Budget(models.Model):
    """A programme's budget for one year: ``committed`` (approved claims) never exceeds ``amount``
    — an approval is a conditional UPDATE and the database checks it again — and ``paid`` never
    exceeds ``committed``. A clawback gives both back."""

    programme = models.ForeignKey("funds.Programme", verbose_name=_("项目"), on_delete=models.PROTECT,
                                  related_name="budgets")
    year = models.PositiveSmallIntegerField(_("年度"))
    amount = models.DecimalField(_("预算（元）"), **MONEY)
    committed = models.DecimalField(_("已核准（元）"), default=0, **MONEY)
    paid = models.DecimalField(_("已拨付（元）"), default=0, **MONEY)

    objects = BudgetQuerySet.as_manager()

    class Meta:
        ordering = ["programme_id", "year"]
        verbose_name = _("项目预算")
        verbose_name_plural = _("项目预算")
        constraints = [
            models.UniqueConstraint(fields=["programme", "year"], name="budget_programme_year_unique",
                                    violation_error_message=_("该项目该年度已有预算。")),
            models.CheckConstraint(name="budget_never_overspent",
                                   condition=Q(committed__gte=0, committed__lte=F("amount")),
                                   violation_error_message=_("核准金额不能超过预算。")),
            models.CheckConstraint(name="budget_paid_within_committed",
                                   condition=Q(paid__gte=0, paid__lte=F("committed")),
                                   violation_error_message=_("拨付金额不能超过核准金额。")),
        ]

    def __str__(self) -> str:
        return f"{self.programme_id} {self.year}"

    @property
    def remaining(self):
        return self.amount - self.committed


class Claim(models.Model):
    """A claim for money under a programme: on one subject (a loan's interest for a year, a booked
    loss, a first loan, a certificate) of one enterprise, by the enterprise or an institution.
    ``evidence`` keeps the facts and reasons the amount was computed from. While live, a subject is
    claimed once per programme and year (a partial unique constraint); across programmes of one
    exclusive group the services check it under a lock (就高不重复)."""

    programme = models.ForeignKey("funds.Programme", verbose_name=_("项目"), on_delete=models.PROTECT,
                                  related_name="claims")
    year = models.PositiveSmallIntegerField(_("年度"))
    subject = models.CharField(_("兑现事项"), max_length=120)
    exclusive_group = models.CharField(_("互斥组"), max_length=64)
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT,
                                   related_name="fund_claims")
    claimant_org = models.ForeignKey("accounts.Organization", verbose_name=_("申领机构"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="fund_claims")
    loan = models.ForeignKey("marketplace.FinancingRequest", verbose_name=_("贷款"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="fund_claims")
    leg = models.ForeignKey("marketplace.Leg", verbose_name=_("担保环节"), null=True, blank=True,
                            on_delete=models.PROTECT, related_name="fund_claims")
    region_code = models.CharField(_("区划代码"), max_length=6, blank=True)
    origin = models.CharField(_("来源"), max_length=12, choices=c.Origin.choices)
    state = models.CharField(_("状态"), max_length=12, choices=c.ClaimState.choices, default=c.ClaimState.SUBMITTED)
    amount = models.DecimalField(_("金额（元）"), **MONEY)
    evidence = models.JSONField(_("依据"), default=dict)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("提交人"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("初审人"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("核准人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    reviewed_at = models.DateTimeField(_("初审时间"), null=True, blank=True)
    decided_at = models.DateTimeField(_("核准时间"), null=True, blank=True)
    paid_at = models.DateTimeField(_("拨付时间"), null=True, blank=True)
    reason = models.CharField(_("意见"), max_length=500, blank=True)
    is_synthetic = models.BooleanField(_("合成演示数据"), default=False)

    objects = ClaimQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("资金申领")
        verbose_name_plural = _("资金申领")
        constraints = [
            models.UniqueConstraint(fields=["programme", "year", "subject"], condition=Q(state__in=c.LIVE_STATES),
                                    name="claim_one_live_per_subject",
                                    violation_error_message=_("该事项在本项目本年度已申领。")),
            models.CheckConstraint(name="claim_amount_positive", condition=Q(amount__gt=0),
                                   violation_error_message=_("申领金额必须大于零。")),
        ]
        indexes = [models.Index(fields=["state", "programme"], name="claim_state_programme_idx"),
                   models.Index(fields=["subject", "exclusive_group"], name="claim_subject_group_idx"),
                   models.Index(fields=["region_code"], name="claim_region_idx")]

    def __str__(self) -> str:
        return _("申领#%(pk)s %(state)s") % {"pk": self.pk, "state": self.get_state_display()}

    def subject_display(self) -> str:
        """The subject in words (``loan:12`` → 贷款（融资申请#12）)."""
        kind, _sep, rest = self.subject.partition(":")
        if kind == "loan":
            return _("贷款（融资申请#%(n)s）") % {"n": rest}
        if kind == "first_loan":
            return _("首笔贷款（融资申请#%(n)s）") % {"n": rest}
        if kind == "loss":
            return _("担保代偿损失（担保环节#%(n)s）") % {"n": rest}
        _ent, _sep2, tail = rest.partition(":")
        cert, _sep3, since = tail.partition(":")
        return _("资质证书（%(k)s，%(d)s起）") % {"k": dict(CertificateKind.choices).get(cert, cert), "d": since}


class ClaimEvent(models.Model):
    """The claim's business event ledger: one row per transition, who made it and why."""

    claim = models.ForeignKey("funds.Claim", verbose_name=_("资金申领"), on_delete=models.CASCADE,
                              related_name="events")
    at = models.DateTimeField(_("时间"), default=timezone.now)
    from_state = models.CharField(_("原状态"), max_length=12, blank=True)
    to_state = models.CharField(_("新状态"), max_length=12)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    actor_label = models.CharField(_("操作方"), max_length=200, blank=True)
    note = models.CharField(_("说明"), max_length=500, blank=True)

    objects = ClaimEventQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("申领事件")
        verbose_name_plural = _("申领事件")

    def __str__(self) -> str:
        return f"{self.claim_id}: {self.from_state} → {self.to_state}"


class Payment(models.Model):
    """Money moved for a claim: a payment, or a clawback recovering it (amounts are positive)."""

    claim = models.ForeignKey("funds.Claim", verbose_name=_("资金申领"), on_delete=models.PROTECT,
                              related_name="payments")
    kind = models.CharField(_("类型"), max_length=10, choices=c.PaymentKind.choices)
    amount = models.DecimalField(_("金额（元）"), **MONEY)
    reference = models.CharField(_("凭证号"), max_length=100, blank=True)
    at = models.DateTimeField(_("时间"), default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("经办人"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")

    objects = PaymentQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("拨付记录")
        verbose_name_plural = _("拨付记录")
        constraints = [
            models.CheckConstraint(name="payment_amount_positive", condition=Q(amount__gt=0),
                                   violation_error_message=_("金额必须大于零。")),
            models.UniqueConstraint(fields=["claim", "kind"], name="payment_one_per_kind",
                                    violation_error_message=_("该申领已有此类拨付记录。")),
        ]

    def __str__(self) -> str:
        return f"{self.claim_id} {self.kind} {self.amount}"


class Repayment(models.Model):
    """What the lending bank reports a borrower actually paid on a loan on one date: principal
    repaid and interest paid (贷款还本付息记录). Interest subsidies are computed from these when a
    loan has them in the year (“银行报送的实付利息”), from the contract otherwise. Recorded only by
    the loan's bank through ``funds.repayments``; interest far above the contract's is refused
    unless the bank explains it, and then kept ``flagged`` with the reason for the reviewers."""

    loan = models.ForeignKey("marketplace.FinancingRequest", verbose_name=_("贷款"), on_delete=models.PROTECT,
                             related_name="repayments")
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT,
                                   related_name="loan_repayments")
    lender = models.ForeignKey("accounts.Organization", verbose_name=_("贷款银行"), on_delete=models.PROTECT,
                               related_name="loan_repayments")
    region_code = models.CharField(_("区划代码"), max_length=6, blank=True)
    paid_on = models.DateField(_("还款日期"))
    principal_repaid = models.DecimalField(_("归还本金（元）"), default=0, **MONEY)
    interest_paid = models.DecimalField(_("支付利息（元）"), default=0, **MONEY)
    contract_interest = models.DecimalField(_("合同约定利息上限参考（元）"), null=True, blank=True, **MONEY)
    flagged = models.BooleanField(_("利息明显高于合同约定"), default=False)
    flag_reason = models.CharField(_("标记原因"), max_length=500, blank=True)
    source = models.CharField(_("来源"), max_length=8, choices=c.RepaymentSource.choices)
    note = models.CharField(_("备注"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    is_synthetic = models.BooleanField(_("合成演示数据"), default=False)

    objects = RepaymentQuerySet.as_manager()

    class Meta:
        ordering = ["loan_id", "paid_on", "id"]
        verbose_name = _("还本付息记录")
        verbose_name_plural = _("还本付息记录")
        constraints = [
            models.UniqueConstraint(fields=["loan", "paid_on", "principal_repaid", "interest_paid"],
                                    name="repayment_no_duplicate",
                                    violation_error_message=_("该笔贷款同日同金额的还款记录已存在。")),
            models.CheckConstraint(name="repayment_amounts_valid",
                                   condition=Q(principal_repaid__gte=0, interest_paid__gte=0)
                                   & (Q(principal_repaid__gt=0) | Q(interest_paid__gt=0)),
                                   violation_error_message=_("还款金额不能为负，且本金与利息不能同时为零。")),
        ]
        indexes = [models.Index(fields=["loan", "paid_on"], name="repayment_loan_date_idx")]

    def __str__(self) -> str:
        return f"{self.loan_id} {self.paid_on} {self.principal_repaid}/{self.interest_paid}"
