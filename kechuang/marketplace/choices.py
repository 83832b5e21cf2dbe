from django.db import models
from django.utils.translation import gettext_lazy as _


class ProductKind(models.TextChoices):
    LOAN = "loan", _("贷款产品")
    GUARANTEE = "guarantee", _("担保产品")
    INSURANCE = "insurance", _("保险产品")
    EQUITY = "equity", _("投资意向（股权）")


#: Which organisation kind may publish which product kind.
PUBLISHER_KINDS = {ProductKind.LOAN: "bank", ProductKind.GUARANTEE: "guarantor",
                   ProductKind.INSURANCE: "insurer", ProductKind.EQUITY: "investor"}


class ProductCategory(models.TextChoices):
    CREDIT = "credit", _("信用贷")
    IP_PLEDGE = "ip_pledge", _("知识产权质押贷")
    TALENT = "talent", _("人才贷")
    TECH_TRANSFER = "tech_transfer", _("科技成果转化贷")
    SRDI = "srdi", _("专精特新贷")
    FIRST_LOAN = "first_loan", _("首贷")
    SECURED = "secured", _("抵押/担保贷款")
    FINANCING_GUARANTEE = "financing_guarantee", _("融资担保")
    PATENT_ENFORCEMENT = "patent_enforcement", _("专利执行险")
    RD_LOSS = "rd_loss", _("研发费用损失险")
    LOAN_INSURANCE = "loan_insurance", _("贷款保证保险")
    VENTURE = "venture", _("创业投资")
    GROWTH = "growth", _("成长期投资")


class Stage(models.TextChoices):
    SEED = "seed", _("种子期")
    EARLY = "early", _("初创期")
    GROWTH = "growth", _("成长期")
    MATURE = "mature", _("成熟期")


class DemandKind(models.TextChoices):
    DEBT = "debt", _("债权融资")
    EQUITY = "equity", _("股权融资")


class Purpose(models.TextChoices):
    WORKING_CAPITAL = "working_capital", _("流动资金")
    RD = "rd", _("研发投入")
    EQUIPMENT = "equipment", _("设备购置")
    EXPANSION = "expansion", _("扩大生产")
    TECH_TRANSFER = "tech_transfer", _("成果转化")
    OTHER = "other", _("其他")


class Collateral(models.TextChoices):
    NONE = "none", _("无（信用）")
    IP = "ip", _("知识产权质押")
    PROPERTY = "property", _("房产抵押")
    EQUIPMENT = "equipment", _("设备抵押")
    RECEIVABLES = "receivables", _("应收账款质押")
    GUARANTEE = "guarantee", _("第三方担保")


class DemandStatus(models.TextChoices):
    OPEN = "open", _("待对接")
    IN_PROGRESS = "in_progress", _("对接中")
    FINANCED = "financed", _("已融资")
    CLOSED = "closed", _("已关闭")


class RequestState(models.TextChoices):
    SUBMITTED = "submitted", _("已提交")
    PICKED_UP = "picked_up", _("已接单")
    UNDER_REVIEW = "under_review", _("审查中")
    APPROVED = "approved", _("已批准")
    DECLINED = "declined", _("已拒绝")
    CONTRACTED = "contracted", _("已签约")
    DISBURSED = "disbursed", _("已放款")
    REROUTED = "rerouted", _("已转派")
    WITHDRAWN = "withdrawn", _("已撤回")


#: A demand has at most one request in these states (a database constraint): whoever holds it.
ACTIVE_STATES = (RequestState.SUBMITTED, RequestState.PICKED_UP, RequestState.UNDER_REVIEW,
                 RequestState.APPROVED, RequestState.CONTRACTED)
#: Closed for the enterprise: the financing happened, was refused, or it gave up; it may then rate
#: the service once. (A re-routed request is not: the demand continues with another institution.)
RATEABLE_STATES = (RequestState.DISBURSED, RequestState.DECLINED, RequestState.WITHDRAWN)
#: The workflow: from → allowed next states (re-route and withdraw from any active state but
#: contracted).
TRANSITIONS = {
    RequestState.SUBMITTED: (RequestState.PICKED_UP, RequestState.REROUTED, RequestState.WITHDRAWN),
    RequestState.PICKED_UP: (RequestState.UNDER_REVIEW, RequestState.REROUTED, RequestState.WITHDRAWN),
    RequestState.UNDER_REVIEW: (RequestState.APPROVED, RequestState.DECLINED, RequestState.REROUTED,
                                RequestState.WITHDRAWN),
    RequestState.APPROVED: (RequestState.CONTRACTED, RequestState.WITHDRAWN),
    RequestState.CONTRACTED: (RequestState.DISBURSED,),
}
STATE_COLORS = {
    RequestState.SUBMITTED: "secondary", RequestState.PICKED_UP: "info", RequestState.UNDER_REVIEW: "primary",
    RequestState.APPROVED: "success", RequestState.DECLINED: "danger", RequestState.CONTRACTED: "success",
    RequestState.DISBURSED: "success", RequestState.REROUTED: "warning", RequestState.WITHDRAWN: "dark",
}


class Route(models.TextChoices):
    GRAB = "grab", _("抢单")
    ASSIGNED = "assigned", _("指定申请")
    REROUTED = "rerouted", _("转派")


class LegKind(models.TextChoices):
    GUARANTEE = "guarantee", _("担保")
    INSURANCE = "insurance", _("保险")


class LegState(models.TextChoices):
    PENDING = "pending", _("待确认")
    APPROVED = "approved", _("已承保/已担保")
    DECLINED = "declined", _("已拒绝")
    DEFAULTED = "defaulted", _("已代偿/已理赔")


class RiskParty(models.TextChoices):
    NATIONAL = "national", _("国家融资担保基金")
    PROVINCIAL = "provincial", _("省级再担保")
    CITY = "city", _("市级担保机构")
    BANK = "bank", _("银行")


class PoolStatus(models.TextChoices):
    ACTIVE = "active", _("培植中")
    GRADUATED = "graduated", _("已获首贷")
    CLOSED = "closed", _("已移出")


class RoadshowStatus(models.TextChoices):
    PLANNED = "planned", _("筹备中")
    HELD = "held", _("已举办")
    CANCELLED = "cancelled", _("已取消")


class RegistrationRole(models.TextChoices):
    PRESENTER = "presenter", _("路演企业")
    INVESTOR = "investor", _("投资机构")


#: Notes the platform itself writes on a request's history, stored in Chinese (the msgid) and shown
#: in the request's language by ``present.note_of``.
SYSTEM_NOTES = {"抢单": _("抢单"), "融资申请随附授权": _("融资申请随附授权"), "转派": _("转派")}
