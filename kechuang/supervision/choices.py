"""Choices of the supervision app (licence types are the engine rule set's types)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LicenceType(models.TextChoices):
    """Kinds of local financial organisation (地方金融组织); codes match the engine's rule types."""
    MICROLENDER = "microlender", _("小额贷款公司")
    GUARANTOR = "guarantor", _("融资担保公司")
    PAWN = "pawn", _("典当行")
    LEASING = "leasing", _("融资租赁公司")
    FACTORING = "factoring", _("商业保理公司")
    AMC = "amc", _("地方资产管理公司")
    EQUITY_MARKET = "equity_market", _("区域性股权市场")


class OrgStatus(models.TextChoices):
    NORMAL = "normal", _("正常")
    RECTIFYING = "rectifying", _("整改")
    SUSPENDED = "suspended", _("停业")
    DEREGISTERED = "deregistered", _("注销")


STATUS_COLORS = {OrgStatus.NORMAL: "success", OrgStatus.RECTIFYING: "warning", OrgStatus.SUSPENDED: "danger",
                 OrgStatus.DEREGISTERED: "secondary"}


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("月报")
    QUARTERLY = "quarterly", _("季报")


class Source(models.TextChoices):
    XLSX = "xlsx", _("Excel 导入")
    API = "api", _("接口报送")
    DEMO = "demo", _("演示数据")


class UploadStatus(models.TextChoices):
    ACCEPTED = "accepted", _("已入库")
    REJECTED = "rejected", _("已拒收（数据留存待更正）")


UPLOAD_COLORS = {UploadStatus.ACCEPTED: "success", UploadStatus.REJECTED: "danger"}


class InspectionStatus(models.TextChoices):
    RECTIFYING = "rectifying", _("整改中")
    RECTIFIED = "rectified", _("已整改")
    CLOSED = "closed", _("已结案（无需整改）")


INSPECTION_COLORS = {InspectionStatus.RECTIFYING: "warning", InspectionStatus.RECTIFIED: "success",
                     InspectionStatus.CLOSED: "secondary"}


class Grade(models.TextChoices):
    G1 = "1", _("1级（良好）")
    G2 = "2", _("2级（较好）")
    G3 = "3", _("3级（关注）")
    G4 = "4", _("4级（较差）")
    G5 = "5", _("5级（高风险）")


GRADE_COLORS = {"1": "success", "2": "primary", "3": "warning", "4": "orange", "5": "danger"}

COMPONENT_LABELS = {"capital": _("资本（C）"), "asset": _("资产质量（A）"), "management": _("管理（M）"),
                    "earnings": _("盈利（E）"), "liquidity": _("流动性（L）"), "compliance": _("风险与合规（RR）")}
