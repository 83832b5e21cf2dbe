"""The checks every write of the marketplace shares: coded errors on a field, amounts and terms
parsed from user input, and who may act (the organisation's writers, the enterprise itself or its
金融辅导员, the regulator's and service agencies' staff). Split from ``services`` so the request
workflow (``services``) and the pools and roadshows (``services_pools``) both use them without
either module growing past the house limit."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from kechuang.accounts.access import is_writer
from kechuang.accounts.choices import OrganizationKind

from .error_codes import MarketplaceErrorCode as E
from .models import MAX_AMOUNT, MAX_TERM_MONTHS, AdvisorAssignment

CENT = Decimal("0.01")


def _err(field: str | None, message: str, code: str) -> ValidationError:
    e = ValidationError(message, code=code)
    return ValidationError({field: e}) if field else e


def _decimal(value: Any, field: str, code: str) -> Decimal:
    """A finite decimal from user input, else a coded error on ``field`` (``Decimal("x")`` raises
    ``InvalidOperation``, and a NaN makes every later comparison raise)."""
    try:
        d = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        d = None
    if d is None or not d.is_finite():
        raise _err(field, _("“%(v)s”不是有效的数字。") % {"v": str(value)[:40]}, code)
    return d


def _amount(value: Any, field: str = "amount") -> Decimal:
    try:
        d = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        raise _err(field, _("金额“%(v)s”不是数字。") % {"v": value}, E.AMOUNT_RANGE) from None
    if not d.is_finite() or d <= 0:
        raise _err(field, _("金额必须大于零（收到 %(v)s）。") % {"v": value}, E.AMOUNT_RANGE)
    if d > MAX_AMOUNT:
        raise _err(field, _("金额 %(v)s 元超过平台上限 100 亿元，请检查单位。") % {"v": value}, E.AMOUNT_RANGE)
    if d != d.quantize(CENT):
        raise _err(field, _("金额最多保留两位小数（收到 %(v)s）。") % {"v": value}, E.AMOUNT_RANGE)
    return d.quantize(CENT)


def _term(value: Any, field: str, required: bool) -> int | None:
    if value in (None, ""):
        if required:
            raise _err(field, _("债权融资须填写期限（月）。"), E.TERM_RANGE)
        return None
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise _err(field, _("期限“%(v)s”不是整数月数。") % {"v": value}, E.TERM_RANGE) from None
    if n != value and str(n) != str(value):
        raise _err(field, _("期限“%(v)s”不是整数月数。") % {"v": value}, E.TERM_RANGE)
    if not 1 <= n <= MAX_TERM_MONTHS:
        raise _err(field, _("期限必须在 1 至 %(max)s 个月之间（收到 %(v)s）。") % {"max": MAX_TERM_MONTHS, "v": value},
                   E.TERM_RANGE)
    return n


def _writer_of(actor, org) -> None:
    if actor.is_superuser:
        return
    if actor.organization_id != org.pk or not is_writer(actor):
        raise PermissionDenied(_("只有%(org)s的经办人员可以办理。") % {"org": org.name})


def _enterprise_actor(actor, enterprise) -> bool:
    org = actor.organization
    return (org is not None and org.kind == OrganizationKind.ENTERPRISE and org.enterprise_id == enterprise.pk
            and is_writer(actor))


def _advisor(actor, enterprise) -> bool:
    return AdvisorAssignment.objects.filter(enterprise=enterprise, advisor=actor, is_active=True).exists()


def _speaks_for(actor, enterprise) -> None:
    if not (actor.is_superuser or _enterprise_actor(actor, enterprise) or _advisor(actor, enterprise)):
        raise PermissionDenied(_("只有企业本身或其金融辅导员可以办理。"))


def _regulator_or_agency(actor) -> None:
    org = actor.organization
    if not actor.is_superuser and (org is None or org.kind not in (OrganizationKind.REGULATOR,
                                                                    OrganizationKind.SERVICE_AGENCY)
                                   or not is_writer(actor)):
        raise PermissionDenied(_("只有监管部门或服务机构的经办人员可以管理名单。"))



def _is_staff(actor) -> bool:
    org = actor.organization
    return actor.is_superuser or (org is not None and org.kind in (OrganizationKind.REGULATOR,
                                                                    OrganizationKind.SERVICE_AGENCY))
