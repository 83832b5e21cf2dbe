"""Writes of the enterprise's feedback on the marketplace: the satisfaction rating it gives a
request once the request closed. Split from ``services`` (which keeps the request workflow) so
neither module grows past the house limit; same rules: one transaction, its own audit entry."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kechuang.accounts.access import CHANGE
from kechuang.core.choices import AuditAction
from kechuang.core.services import audit_record, model_snapshot

from . import choices as c
from .error_codes import MarketplaceErrorCode as E
from .models import FinancingRequest, RequestRating
from .services_checks import _enterprise_actor

MAX_COMMENT = 500


def _err(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def request_rate(*, request: FinancingRequest, stars, actor, comment: str = "") -> RequestRating:
    """The enterprise that owns ``request`` rates it 1–5 stars, once, after it closed."""
    try:
        n = int(str(stars).strip())
    except (TypeError, ValueError):
        n = None
    if n is None or not 1 <= n <= 5 or isinstance(stars, bool):
        raise _err("stars", _("请选择 1 至 5 星（收到 %(v)s）。") % {"v": stars if stars not in (None, "") else "空"},
                   E.STARS)
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise _err("comment", _("评价最多 %(n)s 字（收到 %(m)s 字）。") % {"n": MAX_COMMENT, "m": len(comment)}, E.STARS)
    with transaction.atomic():
        req = (FinancingRequest.objects.restrict(actor, CHANGE).select_for_update(of=("self",))
               .select_related("demand__enterprise").filter(pk=request.pk).first())
        if req is None or not _enterprise_actor(actor, req.demand.enterprise):
            raise PermissionDenied(_("只有提出该申请的企业可以评价。"))
        if req.state not in c.RATEABLE_STATES:
            raise _err("stars", _("申请当前为“%(s)s”，结束（已放款、已拒绝或已撤回）后才能评价。")
                       % {"s": req.get_state_display()}, E.NOT_CLOSED)
        try:
            with transaction.atomic():
                rating = RequestRating.objects.create(request=req, stars=n, comment=comment, rated_by=actor)
        except IntegrityError:  # the unique (request): a second rating, even a concurrent one
            raise _err("stars", _("该申请已评价过，评价只能提交一次。"), E.ALREADY_RATED) from None
        audit_record(actor=actor, action=AuditAction.CREATE, instance=rating, after=model_snapshot(rating),
                     region_code=req.demand.region_code or "")
    return rating
