from django.db import models
from django.utils.translation import gettext_lazy as _


class Claimant(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业")
    LENDER = "lender", _("贷款银行")
    GUARANTOR = "guarantor", _("担保机构")


class Basis(models.TextChoices):
    LOAN_INTEREST = "loan_interest", _("贷款利息")
    PRINCIPAL_LOSS = "principal_loss", _("本金损失")
    FIRST_LOAN = "first_loan", _("首笔贷款")
    CERTIFICATE = "certificate", _("资质认定")


class Mode(models.TextChoices):
    AUTOMATIC = "automatic", _("免申即享")
    APPLICATION = "application", _("依申请")


class Confidence(models.TextChoices):
    V = "V", _("参数见原文")
    S = "S", _("参数见其他文件")
    M = "M", _("示例参数（原文未定）")


class Origin(models.TextChoices):
    FACTS = "facts", _("平台依数据生成（免申即享）")
    APPLICATION = "application", _("申请")


class ClaimState(models.TextChoices):
    SUBMITTED = "submitted", _("已提交")
    REVIEWED = "reviewed", _("已初审")
    APPROVED = "approved", _("已核准")
    DECLINED = "declined", _("不予支持")
    PAID = "paid", _("已拨付")
    CLAWED_BACK = "clawed_back", _("已追回")


#: A claim in one of these states holds its subject: the same loan, loss or certificate cannot be
#: claimed again in the programme (or its exclusive group) while it is.
LIVE_STATES = (ClaimState.SUBMITTED, ClaimState.REVIEWED, ClaimState.APPROVED, ClaimState.PAID)
OPEN_STATES = (ClaimState.SUBMITTED, ClaimState.REVIEWED, ClaimState.APPROVED)
STATE_COLORS = {ClaimState.SUBMITTED: "secondary", ClaimState.REVIEWED: "info", ClaimState.APPROVED: "primary",
                ClaimState.DECLINED: "warning", ClaimState.PAID: "success", ClaimState.CLAWED_BACK: "danger"}


class PaymentKind(models.TextChoices):
    PAYMENT = "payment", _("拨付")
    CLAWBACK = "clawback", _("追回")


#: The engine's facts as a page names them.
FACT_LABELS = {"principal": _("贷款本金（元）"), "loan_rate": _("贷款利率"), "interest_paid": _("年度内利息（元）"),
               "days_in_period": _("计息天数"), "principal_loss": _("本方分担的本金损失（元）"),
               "loss_total": _("该笔贷款损失合计（元）")}
MONEY_FACTS = ("principal", "interest_paid", "principal_loss", "loss_total")


#: Notes the platform writes on claim events itself, stored in Chinese and shown in the page's language.
SYSTEM_NOTES = {"平台依数据生成": _("平台依数据生成")}


class RepaymentSource(models.TextChoices):
    FORM = "form", _("页面登记")
    XLSX = "xlsx", _("表格导入")
    API = "api", _("接口报送")
    DEMO = "demo", _("演示数据")


#: A bank's recorded interest is flagged when the interest it reported on a loan up to a date
#: exceeds the contract's (principal × rate × days since disbursement ÷ 365) by this factor.
INTEREST_FLAG_FACTOR = 1.5
