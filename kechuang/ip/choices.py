from django.db import models
from django.utils.translation import gettext_lazy as _


class ValuationStatus(models.TextChoices):
    VALUED = "valued", _("已估值")
    EXPIRED = "expired", _("已届满")
    UNKNOWN = "unknown", _("数据不足")


VALUATION_COLORS = {ValuationStatus.VALUED: "success", ValuationStatus.EXPIRED: "secondary",
                    ValuationStatus.UNKNOWN: "warning"}


class PledgeStatus(models.TextChoices):
    ACTIVE = "active", _("质押中")
    RELEASED = "released", _("已解除")


PLEDGE_COLORS = {PledgeStatus.ACTIVE: "primary", PledgeStatus.RELEASED: "secondary"}


class ValueBasis(models.TextChoices):
    """Which end of the valuation range a product lends against."""
    LOW = "low", _("估值下限")
    MID = "mid", _("估值中值")
