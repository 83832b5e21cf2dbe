"""Writes of the banks' repayment records (还本付息记录): what a borrower actually paid on a loan, as
its lending bank reports it. Interest subsidies use the recorded interest when a loan has records
in the year (see ``selectors.recorded_interest``).

Only the loan's bank records (its writers; the loan must be one it may change through
``restrict(user, "change")`` and lent by its organisation). Each record is checked, and refused
with a coded error naming the field, when:

- the loan is not on the platform (``not_on_platform``) or not disbursed (``not_disbursed``);
- the actor is not the lending bank (``not_lender``);
- the date is before the disbursement or in the future (``bad_date``);
- an amount is negative, not a number, has more than two decimals, or both are zero (``bad_value``);
- the same loan, date and amounts are already recorded, or twice in one file (``duplicate``);
- the principal repaid in total would exceed the loan's principal (``over_principal``);
- the interest paid in total up to the date exceeds the contract's (principal × rate × days since
  disbursement ÷ 365) by more than ``choices.INTEREST_FLAG_FACTOR`` (``interest_above_contract``) —
  unless the bank gives an explanation (penalty interest, a rate change), in which case the record
  is kept ``flagged`` with the reason, and the claim evidence names it for the reviewers.

An import is all-or-nothing: every row is checked (against the records already stored and the
earlier rows of the file), every problem reported as row, field and reason, and nothing is written
unless all rows are clean. One audit entry per record written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kechuang.accounts.access import CHANGE, is_writer
from kechuang.core.choices import AuditAction
from kechuang.core.services import audit_record, model_snapshot
from kechuang.marketplace import choices as mc
from kechuang.marketplace.models import FinancingRequest

from . import choices as c
from .error_codes import FundsErrorCode as E
from .loading import FIELD_LABELS, ImportFileError, RowError, parse_date
from .models import Repayment

CENT = Decimal("0.01")


@dataclass
class _Problem(Exception):
    field: str
    code: str
    message: str


def _user(actor):
    return actor if hasattr(actor, "pk") else None


def _money(field: str, value) -> Decimal:
    if value in (None, ""):
        return Decimal(0)
    try:
        d = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        raise _Problem(field, E.BAD_VALUE, _("“%(v)s”不是金额。") % {"v": value}) from None
    if not d.is_finite():
        raise _Problem(field, E.BAD_VALUE, _("“%(v)s”不是金额。") % {"v": value})
    if d < 0:
        raise _Problem(field, E.BAD_VALUE, _("金额不能为负（收到 %(v)s）。") % {"v": value})
    if d != d.quantize(CENT):
        raise _Problem(field, E.BAD_VALUE, _("金额最多两位小数（收到 %(v)s）。") % {"v": value})
    if d >= Decimal("1e14"):
        raise _Problem(field, E.BAD_VALUE, _("金额过大（收到 %(v)s）。") % {"v": value})
    return d


def _loan(actor, loan_id) -> FinancingRequest:
    try:
        pk = int(str(loan_id).strip())
    except (TypeError, ValueError):
        raise _Problem("loan_id", E.BAD_VALUE, _("贷款编号“%(v)s”不是数字。") % {"v": loan_id}) from None
    qs = FinancingRequest.objects.select_related("demand", "product", "institution")
    if hasattr(actor, "pk"):
        loan = qs.restrict(actor, CHANGE).filter(pk=pk).first()
        if loan is None:
            raise _Problem("loan_id", E.NOT_ON_PLATFORM,
                           _("平台上没有编号为 %(n)s 的本行贷款。") % {"n": pk})
        if not is_writer(actor) or (not actor.is_superuser and loan.institution_id != actor.organization_id):
            raise _Problem("loan_id", E.NOT_LENDER, _("只有放款银行可以登记该笔贷款的还本付息记录。"))
    else:
        loan = qs.filter(pk=pk).first()
        if loan is None:
            raise _Problem("loan_id", E.NOT_ON_PLATFORM, _("平台上没有编号为 %(n)s 的贷款。") % {"n": pk})
    if loan.state != mc.RequestState.DISBURSED or loan.product.kind != mc.ProductKind.LOAN or not loan.disbursed_at:
        raise _Problem("loan_id", E.NOT_DISBURSED,
                       _("融资申请 #%(n)s 不是已放款的贷款（当前：%(s)s），不能登记还款。")
                       % {"n": pk, "s": loan.get_state_display()})
    return loan


def _principal(loan: FinancingRequest) -> Decimal:
    return loan.approved_amount if loan.approved_amount is not None else loan.demand.amount


def _rate(loan: FinancingRequest) -> Decimal:
    return loan.approved_rate if loan.approved_rate is not None else (loan.product.rate or Decimal(0))


def contract_interest(loan: FinancingRequest, until: dt.date, *, exact: bool = False) -> Decimal:
    """The contract's interest from disbursement to ``until`` on the full principal (an upper bound
    of what was due: repayments only lower the balance), to the cent unless ``exact``."""
    days = max((until - timezone.localdate(loan.disbursed_at)).days, 1)
    due = _principal(loan) * Decimal(str(_rate(loan))) * days / Decimal(365)
    return due if exact else due.quantize(CENT)


def _check(actor, data: dict[str, Any], today: dt.date, pending: list[dict[str, Any]]) -> dict[str, Any]:
    """One record checked against the stored ones and ``pending`` (earlier rows of the same
    import); the cleaned record, or a ``_Problem``."""
    if actor is None:
        raise _Problem("loan_id", E.NOT_LENDER, _("只有放款银行可以登记还本付息记录。"))
    if data.get("loan_id") in (None, ""):
        raise _Problem("loan_id", E.BAD_VALUE, _("必填。"))
    loan = _loan(actor, data["loan_id"])
    paid_on = parse_date(data.get("paid_on"))
    if paid_on is None:
        raise _Problem("paid_on", E.BAD_VALUE, _("“%(v)s”不是日期（如 2026-03-21）。") % {"v": data.get("paid_on") or ""})
    disbursed = timezone.localdate(loan.disbursed_at)
    if paid_on < disbursed:
        raise _Problem("paid_on", E.BAD_DATE, _("还款日期 %(d)s 早于放款日 %(s)s。") % {"d": paid_on, "s": disbursed})
    if paid_on > today:
        raise _Problem("paid_on", E.BAD_DATE, _("还款日期 %(d)s 晚于今天（%(t)s）。") % {"d": paid_on, "t": today})
    principal = _money("principal_repaid", data.get("principal_repaid"))
    interest = _money("interest_paid", data.get("interest_paid"))
    if principal == 0 and interest == 0:
        raise _Problem("interest_paid", E.BAD_VALUE, _("归还本金与支付利息不能同时为零。"))
    same = [p for p in pending if p["loan"].pk == loan.pk]
    key = (paid_on, principal, interest)
    stored = Repayment.objects.filter(loan=loan, paid_on=paid_on, principal_repaid=principal,
                                      interest_paid=interest).first()
    if stored is not None or any((p["paid_on"], p["principal_repaid"], p["interest_paid"]) == key for p in same):
        raise _Problem("paid_on", E.DUPLICATE,
                       _("贷款 #%(n)s 在 %(d)s 已有同样金额的还款记录%(rec)s。")
                       % {"n": loan.pk, "d": paid_on, "rec": f"（#{stored.pk}）" if stored else _("（本文件前面的行）")})
    repaid = (Repayment.objects.filter(loan=loan).aggregate(s=Sum("principal_repaid"))["s"] or Decimal(0)) + sum(
        (p["principal_repaid"] for p in same), Decimal(0))
    if repaid + principal > _principal(loan):
        raise _Problem("principal_repaid", E.OVER_PRINCIPAL,
                       _("累计归还本金 %(t)s 元将超过贷款本金 %(p)s 元。") % {"t": repaid + principal, "p": _principal(loan)})
    paid_before = (Repayment.objects.filter(loan=loan, paid_on__lte=paid_on).aggregate(s=Sum("interest_paid"))["s"]
                   or Decimal(0)) + sum((p["interest_paid"] for p in same if p["paid_on"] <= paid_on), Decimal(0))
    due = contract_interest(loan, paid_on)
    limit = contract_interest(loan, paid_on, exact=True) * Decimal(str(c.INTEREST_FLAG_FACTOR))
    explanation = str(data.get("explanation") or "").strip()
    flagged, reason = False, ""
    if interest > 0 and paid_before + interest > limit:
        reason = (_("截至 %(d)s 累计利息 %(t)s 元，超过合同约定利息 %(due)s 元（本金 × 利率 × 天数 ÷ 365）的 %(f)s 倍")
                  % {"d": paid_on, "t": paid_before + interest, "due": due, "f": c.INTEREST_FLAG_FACTOR})
        if not explanation:
            raise _Problem("interest_paid", E.INTEREST_ABOVE_CONTRACT,
                           reason + _("。如为罚息、利率调整等，请填写“超合同利息说明”后再登记。"))
        flagged, reason = True, (reason + _("；银行说明：%(e)s") % {"e": explanation})[:500]
    return {"loan": loan, "paid_on": paid_on, "principal_repaid": principal, "interest_paid": interest,
            "contract_interest": due, "flagged": flagged, "flag_reason": reason,
            "note": str(data.get("note") or "").strip()[:300]}


def _write(clean: list[dict[str, Any]], actor, source: str, is_synthetic: bool, context: dict) -> list[Repayment]:
    out = []
    for r in clean:
        loan = r.pop("loan")
        try:
            with transaction.atomic():
                rep = Repayment.objects.create(loan=loan, enterprise_id=loan.demand.enterprise_id,
                                               lender_id=loan.institution_id, region_code=loan.demand.region_code or "",
                                               source=source, recorded_by=_user(actor), is_synthetic=is_synthetic, **r)
        except IntegrityError:  # a concurrent identical record
            raise _Problem("paid_on", E.DUPLICATE, _("该笔贷款同日同金额的还款记录已存在。")) from None
        audit_record(actor=actor, action=AuditAction.CREATE, instance=rep, after=model_snapshot(rep),
                     region_code=rep.region_code, context=context or None)
        out.append(rep)
    return out


def repayment_record(*, actor, loan_id, paid_on, principal_repaid=None, interest_paid=None, explanation: str = "",
                     note: str = "", source: str = c.RepaymentSource.FORM, today: dt.date | None = None,
                     is_synthetic: bool = False) -> Repayment:
    """Record one repayment of a loan by its bank (form or API). Raises ``ValidationError`` with a
    coded error on the field at fault; nothing is written then."""
    today = today or timezone.localdate()
    data = {"loan_id": loan_id, "paid_on": paid_on, "principal_repaid": principal_repaid,
            "interest_paid": interest_paid, "explanation": explanation, "note": note}
    try:
        with transaction.atomic():
            clean = _check(actor, data, today, [])
            return _write([clean], actor, source, is_synthetic, {})[0]
    except _Problem as p:
        raise ValidationError({p.field: ValidationError(p.message, code=p.code)}) from None


def repayments_import(*, actor, rows: list[tuple[int, dict[str, Any]]], source: str = c.RepaymentSource.XLSX,
                      file_name: str = "", today: dt.date | None = None, is_synthetic: bool = False) -> list[Repayment]:
    """Record a file's (or an API batch's) rows, all or nothing: ``rows`` are ``(row number,
    {field: value})``. Raises ``ImportFileError`` listing every row's problem (row, field, code,
    reason); nothing is written then."""
    today = today or timezone.localdate()
    errors: list[RowError] = []
    clean: list[dict[str, Any]] = []
    for n, data in rows:
        try:
            clean.append(_check(actor, data, today, clean))
        except _Problem as p:
            errors.append(RowError(n, FIELD_LABELS.get(p.field, p.field), p.code, p.message))
    if errors:
        raise ImportFileError(errors)
    try:
        with transaction.atomic():
            return _write(clean, actor, source, is_synthetic, {"file": file_name, "rows": len(clean)})
    except _Problem as p:
        raise ImportFileError([RowError(0, FIELD_LABELS.get(p.field, p.field), p.code, p.message)]) from None
