"""Writes of the policy funds: one function per state change, each one transaction with its audit
entry and, for claims, a ``ClaimEvent``.

- Programmes: a version's rule data is checked by the engine before it is stored (a formula naming
  an unknown fact is refused, ``bad_rule``); budgets are created with it.
- Claims: proposed from platform facts (免申即享) or applied for, with the amount recomputed by the
  engine's per-claim path; duplicates are refused under a lock of the exclusive group's programmes
  (就高不重复 across programmes) and by a partial unique constraint (once per programme and year).
- Review: submitted → reviewed → approved / declined → paid, and paid → clawed back; the four-eyes
  rule: who proposed or submitted a claim does not review it, and neither approves it.
- Budget: an approval is a conditional UPDATE (``committed + amount <= amount``), so concurrent
  approvals never overspend; a database check constraint guards it again.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kechuang.accounts.access import CHANGE, covers_region, is_regulator, is_writer, own_enterprise_id
from kechuang.core.choices import AuditAction
from kechuang.core.services import actor_label_for, audit_record, model_snapshot
from kechuang.engine.funds import builtin_programmes, claim_for, load_programme, window
from kechuang.engine.qualification.errors import RuleError
from kechuang.enterprises.models import Enterprise

from . import choices as c
from .error_codes import FundsErrorCode as E
from .models import Budget, Claim, ClaimEvent, Payment, Programme
from .selectors import (claimed_total, claims_owed, engine_programme, features_of, live_claims_on, recorded_interest,
                        subject_of)

CENT = Decimal("0.01")


def _err(field: str | None, message: str, code: str) -> ValidationError:
    e = ValidationError(message, code=code)
    return ValidationError({field: e}) if field else e


def _money(v: float | Decimal) -> Decimal:
    return Decimal(str(v)).quantize(CENT, rounding=ROUND_DOWN)


def _user(actor):
    return actor if hasattr(actor, "pk") else None


def _officer(actor, programme: Programme) -> None:
    """A writer of a regulator covering the programme's region (or a superuser)."""
    if not (is_regulator(actor, CHANGE) and covers_region(actor, programme.region_code)):
        raise PermissionDenied(_("只有%(r)s的监管部门经办人员可以办理。") % {"r": programme.region_code})


# ---------------------------------------------------------------------------------------------
# Programmes


def programme_define(*, rules: dict[str, Any], actor) -> Programme:
    """Store a checked programme version and its yearly budgets."""
    try:
        p = load_programme(rules)
    except RuleError as exc:
        raise _err("rules", _("项目规则有误：%(p)s") % {"p": "；".join(exc.problems)}, E.BAD_RULE) from None
    if hasattr(actor, "pk") and not (is_regulator(actor, CHANGE) and covers_region(actor, p.region)):
        raise PermissionDenied(_("只有项目所在地区的监管部门可以发布政策资金项目。"))
    with transaction.atomic():
        try:
            with transaction.atomic():
                prog = Programme.objects.create(
                    code=p.id, version=p.version, title=p.title_zh, title_en=p.title_en, document=p.document,
                    issuer=p.issuer, source=p.source, region_code=p.region, claimant=p.claimant, basis=p.basis,
                    mode=p.mode, period_from=p.period_from, period_to=p.period_to, claim_deadline=p.claim_deadline,
                    formula=p.formula.text, exclusive_group=p.exclusive_group, confidence=p.confidence,
                    rules=p.to_json())
        except IntegrityError:
            raise _err("rules", _("项目 %(k)s 已存在，请提高版本号。") % {"k": p.key}, E.PROGRAMME_EXISTS) from None
        Budget.objects.bulk_create([Budget(programme=prog, year=y, amount=_money(a)) for y, a in sorted(p.budget.items())])
        Programme.objects.filter(code=p.id, version__lt=p.version).update(is_active=False)
        audit_record(actor=actor, action=AuditAction.CREATE, instance=prog, after=model_snapshot(prog),
                     context={"budget": {str(y): str(a) for y, a in p.budget.items()}})
    return prog


def programmes_sync(*, actor) -> list[Programme]:
    """Store the engine's built-in programme versions not stored yet (idempotent)."""
    have = set(Programme.objects.values_list("code", "version"))
    return [programme_define(rules=p.to_json(), actor=actor) for p in builtin_programmes()
            if (p.id, p.version) not in have]


# ---------------------------------------------------------------------------------------------
# Claims


def _event(claim: Claim, from_state: str, actor, note: str = "") -> None:
    ClaimEvent.objects.create(claim=claim, from_state=from_state, to_state=claim.state, actor=_user(actor),
                              actor_label=actor_label_for(actor), note=note[:500])


def _lock_group(programme: Programme) -> None:
    """Serialise claim creation within an exclusive group: lock its programmes' rows."""
    list(Programme.objects.select_for_update().filter(exclusive_group=programme.exclusive_group).order_by("pk")
         .values_list("pk", flat=True))


def _check_duplicate(programme: Programme, year: int, subject: str) -> None:
    p = engine_programme(programme)
    other = live_claims_on(subject, programme.exclusive_group, year, p.one_time).select_related("programme").first()
    if other is not None:
        raise _err("subject", _("该事项已在“%(p)s”申领（申领#%(pk)s，%(y)s年度），同一事项就高不重复。")
                   % {"p": other.programme.title, "pk": other.pk, "y": other.year}, E.DUPLICATE)


def _budget(programme: Programme, year: int) -> Budget:
    b = Budget.objects.filter(programme=programme, year=year).first()
    if b is None:
        raise _err("year", _("“%(p)s”没有%(y)s年度预算。") % {"p": programme.title, "y": year}, E.NO_BUDGET)
    return b


def claims_propose(*, programme: Programme, year: int, actor, as_of: dt.date | None = None,
                   is_synthetic: bool = False) -> list[Claim]:
    """免申即享: compute from platform facts every claim owed under ``programme`` for ``year`` that
    nobody has claimed, and submit them with their evidence. The yearly cap per claimant counts
    the claimant's live claims. One audit entry for the run, one event per claim."""
    if hasattr(actor, "pk"):
        _officer(actor, programme)
    as_of = as_of or timezone.localdate()
    _budget(programme, year)
    p = engine_programme(programme)
    with transaction.atomic():
        _lock_group(programme)
        owed = claims_owed([programme], year, as_of)
        used: dict[int, Decimal] = {}
        org_claimant = p.claimant != "enterprise"
        regions = dict(Enterprise.objects.filter(pk__in=owed["enterprise_id"].to_list())
                       .values_list("pk", "region_code"))
        recorded = recorded_interest(owed.filter(owed["interest_basis"] == "recorded")["loan_id"].to_list(), year, as_of)
        claims = []
        for row in owed.iter_rows(named=True):
            amount = _money(row["amount"])
            if p.cap_per_claimant_year is not None:
                key = row["claimant_id"]
                if key not in used:
                    used[key] = claimed_total(programme, year, claimant_org_id=key if org_claimant else None,
                                              enterprise_id=None if org_claimant else key)
                amount = min(amount, max(_money(p.cap_per_claimant_year) - used[key], Decimal(0)))
                used[key] += amount
            if amount <= 0:
                continue
            claims.append(Claim(
                programme=programme, year=year, subject=row["subject"], exclusive_group=p.exclusive_group,
                enterprise_id=row["enterprise_id"], claimant_org_id=row["claimant_id"] if org_claimant else None,
                loan_id=row["loan_id"], leg_id=row["leg_id"], region_code=regions.get(row["enterprise_id"], ""),
                origin=c.Origin.FACTS, amount=amount, submitted_by=_user(actor), is_synthetic=is_synthetic,
                evidence=_evidence(row, as_of, formula=p.formula.text, records=recorded.get(row["loan_id"]))))
        Claim.objects.bulk_create(claims)
        ClaimEvent.objects.bulk_create([ClaimEvent(claim=cl, to_state=cl.state, actor=_user(actor),
                                                   actor_label=actor_label_for(actor), note=gettext_noop("平台依数据生成"))
                                        for cl in claims])
        audit_record(actor=actor, action=AuditAction.CREATE, instance=programme, object_repr=programme.title,
                     region_code=programme.region_code,
                     context={"proposed": len(claims), "year": year, "as_of": as_of.isoformat(),
                              "amount": str(sum((cl.amount for cl in claims), Decimal(0)))})
    return claims


def _evidence(row: dict[str, Any], as_of: dt.date, formula: str, reasons=None, declared=None,
              records: dict[str, Any] | None = None) -> dict[str, Any]:
    """What a claim was computed from. For interest: ``interest_basis`` says whether
    ``interest_paid`` is the interest the bank reported as paid (``recorded``, with the repayment
    record ids and those flagged as far above the contract) or the contract estimate."""
    facts = {k: row.get(k) for k in ("principal", "loan_rate", "interest_paid", "days_in_period", "principal_loss",
                                     "loss_total") if row.get(k) is not None}
    out = {"as_of": as_of.isoformat(), "formula": formula, "facts": facts,
           "formula_amount": row.get("formula_amount"), "reasons": reasons or [], "declared": declared or {}}
    if row.get("interest_basis"):
        out["interest_basis"] = row["interest_basis"]
        if row["interest_basis"] == "recorded" and records:
            out["repayment_ids"] = records["ids"]
            out["flagged_repayment_ids"] = records["flagged"]
    return out


def _may_claim(actor, p, row: dict[str, Any]) -> None:
    if getattr(actor, "is_superuser", False):
        return
    if p.claimant == "enterprise":
        ok = own_enterprise_id(actor) == row["enterprise_id"] and is_writer(actor)
    else:
        ok = is_writer(actor) and actor.organization_id == row.get("lender_id" if p.claimant == "lender" else "guarantor_id")
    if not ok:
        raise _err("subject", _("只有%(who)s可以申领该事项。") % {"who": c.Claimant(p.claimant).label}, E.NOT_CLAIMANT)


def claim_prefill(*, programme: Programme, year: int, as_of: dt.date | None = None, declared=None,
                  **subject) -> dict[str, Any]:
    """What the platform fills in for an application: the subject's facts, the eligibility and the
    amount the formula and caps allow (``claim_apply`` checks the same)."""
    as_of = as_of or timezone.localdate()
    found = subject_of(programme, year=year, as_of=as_of, **subject)
    if found is None:
        raise _err("subject", _("平台上没有该笔贷款、损失或资质记录，不能申领。"), E.NOT_ON_PLATFORM)
    kind, row = found
    p = engine_programme(programme)
    feats = features_of([row["enterprise_id"]]).get(row["enterprise_id"], {})
    one = claim_for(p, year, min(as_of, dt.date(year, 12, 31)), kind, row, feats, declared)
    if one is None:
        raise _err("subject", _("该事项不在本项目%(y)s年度的支持范围内（类别、期间或分担方不符）。") % {"y": year},
                   E.NOT_ON_PLATFORM)
    return {**one, "row": row}


def claim_apply(*, programme: Programme, year: int, actor, amount=None, declared=None,
                today: dt.date | None = None, **subject) -> Claim:
    """An enterprise's or institution's application, pre-filled and checked by the platform: the
    subject must be on the platform, the claim in time, the enterprise eligible, the amount within
    the formula and the caps, the subject not yet claimed (就高不重复), the budget not used up."""
    today = today or timezone.localdate()
    p = engine_programme(programme)
    if today > programme.claim_deadline or window(p, year, today) is None:
        raise _err("year", _("“%(p)s”%(y)s年度的申领已截止（截止日 %(d)s）或不在执行期内。")
                   % {"p": programme.title, "y": year, "d": programme.claim_deadline}, E.DEADLINE)
    if declared and set(declared) - set(p.declared_facts):
        raise _err("declared", _("本项目不接受申报数据：%(k)s") % {"k": "、".join(sorted(set(declared) - set(p.declared_facts)))},
                   E.BAD_VALUE)
    pre = claim_prefill(programme=programme, year=year, as_of=today, declared=declared, **subject)
    row = pre["row"]
    _may_claim(actor, p, row)
    if not pre["eligible"]:
        raise _err("subject", _("不符合本项目条件：%(r)s") % {"r": "；".join(x for x in pre["reasons"] if not x.startswith("符合"))},
                   E.NOT_ELIGIBLE)
    budget = _budget(programme, year)
    org_claimant = p.claimant != "enterprise"
    claimant_org_id = row["lender_id" if p.claimant == "lender" else "guarantor_id"] if org_claimant else None
    with transaction.atomic():
        _lock_group(programme)
        _check_duplicate(programme, year, pre["subject"])
        allowed = _money(pre["amount"])
        if p.cap_per_claimant_year is not None:
            used = claimed_total(programme, year, claimant_org_id=claimant_org_id, enterprise_id=row["enterprise_id"])
            allowed = min(allowed, max(_money(p.cap_per_claimant_year) - used, Decimal(0)))
        if amount not in (None, ""):
            try:
                want = Decimal(str(amount))
            except (InvalidOperation, ValueError):
                raise _err("amount", _("金额“%(v)s”不是数字。") % {"v": amount}, E.BAD_VALUE) from None
            if not want.is_finite() or want <= 0 or want != want.quantize(CENT):
                raise _err("amount", _("金额须大于零且最多两位小数（收到 %(v)s）。") % {"v": amount}, E.BAD_VALUE)
            if want > allowed:
                raise _err("amount", _("申领金额 %(w)s 元超过按公式与上限可享的 %(a)s 元。") % {"w": want, "a": allowed},
                           E.OVER_CAP)
            allowed = want
        if allowed <= 0:
            raise _err("amount", _("本年度可享额度已用完。"), E.OVER_CAP)
        budget.refresh_from_db()
        if allowed > budget.remaining:
            raise _err("amount", _("申领金额 %(w)s 元超过项目剩余预算 %(r)s 元。") % {"w": allowed, "r": budget.remaining},
                       E.BUDGET_EXCEEDED)
        ent = Enterprise.objects.only("region_code").get(pk=row["enterprise_id"])
        try:
            with transaction.atomic():
                claim = Claim.objects.create(
                    programme=programme, year=year, subject=pre["subject"], exclusive_group=p.exclusive_group,
                    enterprise_id=row["enterprise_id"], claimant_org_id=claimant_org_id, loan_id=pre["loan_id"],
                    leg_id=pre["leg_id"], region_code=ent.region_code or "", origin=c.Origin.APPLICATION,
                    amount=allowed, submitted_by=_user(actor),
                    evidence=_evidence(pre, today, p.formula.text, pre["reasons"], declared,
                                       records=recorded_interest([pre["loan_id"]], year, today).get(pre["loan_id"])
                                       if pre.get("interest_basis") == "recorded" else None))
        except IntegrityError:
            raise _err("subject", _("该事项在本项目本年度已申领。"), E.DUPLICATE) from None
        _event(claim, "", actor, _("申请"))
        audit_record(actor=actor, action=AuditAction.CREATE, instance=claim, after=model_snapshot(claim))
    return claim


def _transition(claim: Claim, allowed_from: tuple[str, ...], to: str, actor, *, note: str = "", check=None,
                **fields) -> Claim:
    with transaction.atomic():
        locked = Claim.objects.select_for_update().select_related("programme").get(pk=claim.pk)
        if locked.state not in allowed_from:
            raise _err("state", _("申领当前为“%(s)s”，不能办理此操作。") % {"s": locked.get_state_display()},
                       E.BAD_TRANSITION)
        if check is not None:
            check(locked)
        before = model_snapshot(locked)
        frm = locked.state
        locked.state = to
        for k, v in fields.items():
            setattr(locked, k, v)
        locked.save(update_fields=["state", *fields])
        _event(locked, frm, actor, note)
        audit_record(actor=actor, action=AuditAction.UPDATE, instance=locked, before=before,
                     after=model_snapshot(locked), context={"note": note} if note else None)
    claim.__dict__.update({k: getattr(locked, k) for k in ("state", "reviewed_by_id", "decided_by_id", "reviewed_at",
                                                           "decided_at", "paid_at", "reason")})
    return locked


def _four_eyes(actor, *others) -> None:
    if getattr(actor, "pk", None) is not None and actor.pk in {o for o in others if o is not None}:
        raise _err(None, _("同一人不能既提交或初审又核准同一申领（四眼原则）。"), E.FOUR_EYES)


def claim_review(*, claim: Claim, actor, note: str = "") -> Claim:
    """First review (初审): by an officer other than the one who proposed or submitted the claim."""
    _officer(actor, claim.programme)
    _four_eyes(actor, claim.submitted_by_id)
    return _transition(claim, (c.ClaimState.SUBMITTED,), c.ClaimState.REVIEWED, actor, note=note.strip(),
                       reviewed_by=_user(actor), reviewed_at=timezone.now())


def claim_decide(*, claim: Claim, approve: bool, actor, reason: str = "") -> Claim:
    """Approve (committing the budget, never beyond it) or decline with a reason; by an officer who
    neither submitted nor reviewed the claim."""
    _officer(actor, claim.programme)
    _four_eyes(actor, claim.submitted_by_id, claim.reviewed_by_id)
    reason = (reason or "").strip()
    if not approve:
        if not reason:
            raise _err("reason", _("不予支持须填写理由。"), E.REASON_REQUIRED)
        return _transition(claim, (c.ClaimState.REVIEWED,), c.ClaimState.DECLINED, actor, note=reason,
                           decided_by=_user(actor), decided_at=timezone.now(), reason=reason)

    def commit(locked: Claim) -> None:
        _four_eyes(actor, locked.submitted_by_id, locked.reviewed_by_id)
        budget = _budget(locked.programme, locked.year)
        n = Budget.objects.filter(pk=budget.pk, committed__lte=F("amount") - locked.amount).update(
            committed=F("committed") + locked.amount)
        if n != 1:
            budget.refresh_from_db()
            raise _err("amount", _("核准 %(a)s 元将超出“%(p)s”%(y)s年度剩余预算 %(r)s 元。")
                       % {"a": locked.amount, "p": locked.programme.title, "y": locked.year, "r": budget.remaining},
                       E.BUDGET_EXCEEDED)

    return _transition(claim, (c.ClaimState.REVIEWED,), c.ClaimState.APPROVED, actor, note=reason, check=commit,
                       decided_by=_user(actor), decided_at=timezone.now(), reason=reason)


def claim_pay(*, claim: Claim, actor, reference: str = "") -> Claim:
    """Record the payment of an approved claim (拨付)."""
    _officer(actor, claim.programme)

    def pay(locked: Claim) -> None:
        Payment.objects.create(claim=locked, kind=c.PaymentKind.PAYMENT, amount=locked.amount,
                               reference=reference.strip()[:100], actor=_user(actor))
        Budget.objects.filter(programme=locked.programme, year=locked.year).update(paid=F("paid") + locked.amount)

    return _transition(claim, (c.ClaimState.APPROVED,), c.ClaimState.PAID, actor, note=reference.strip(), check=pay,
                       paid_at=timezone.now())


def claim_clawback(*, claim: Claim, actor, reason: str) -> Claim:
    """Recover a paid claim whose condition later failed: the payment is reversed in the ledger and
    the budget gets the amount back."""
    _officer(actor, claim.programme)
    reason = (reason or "").strip()
    if not reason:
        raise _err("reason", _("追回须填写理由。"), E.REASON_REQUIRED)

    def recover(locked: Claim) -> None:
        Payment.objects.create(claim=locked, kind=c.PaymentKind.CLAWBACK, amount=locked.amount, reference=reason[:100],
                               actor=_user(actor))
        Budget.objects.filter(programme=locked.programme, year=locked.year).update(
            paid=F("paid") - locked.amount, committed=F("committed") - locked.amount)

    return _transition(claim, (c.ClaimState.PAID,), c.ClaimState.CLAWED_BACK, actor, note=reason, check=recover,
                       reason=reason)


def claims_recheck(*, programme: Programme, year: int, actor, as_of: dt.date | None = None) -> list[Claim]:
    """Re-evaluate the programme's paid claims on today's facts; claw back those whose subject is
    gone from the platform or whose enterprise no longer meets the conditions."""
    _officer(actor, programme)
    as_of = as_of or timezone.localdate()
    p = engine_programme(programme)
    out = []
    for claim in Claim.objects.filter(programme=programme, year=year, state=c.ClaimState.PAID):
        found = subject_of(programme, year=year, as_of=as_of, **_subject_args(claim))
        reason = ""
        if found is None:
            reason = _("平台上已无该笔贷款、损失或资质记录")
        else:
            kind, row = found
            feats = features_of([claim.enterprise_id]).get(claim.enterprise_id, {})
            one = claim_for(p, year, min(as_of, dt.date(year, 12, 31)), kind, row, feats, claim.evidence.get("declared"))
            if one is not None and not one["eligible"]:
                reason = _("条件已不满足：%(r)s") % {"r": "；".join(x for x in one["reasons"] if not x.startswith("符合"))}
        if reason:
            out.append(claim_clawback(claim=claim, actor=actor, reason=reason))
    return out


def _subject_args(claim: Claim) -> dict[str, Any]:
    if claim.leg_id:
        return {"leg_id": claim.leg_id}
    if claim.loan_id:
        return {"loan_id": claim.loan_id}
    _cert, ent, kind, valid_from = claim.subject.split(":", 3)
    return {"enterprise_id": int(ent), "kind": kind, "valid_from": valid_from}


def claims_export_record(*, actor, count: int, filters: dict[str, Any]) -> None:
    """Audit an export of claims (enterprise data leaving the platform)."""
    audit_record(actor=actor, action=AuditAction.EXPORT, object_type="funds.claim", object_repr=_("资金申领导出"),
                 context={"rows": count, "filters": filters})
