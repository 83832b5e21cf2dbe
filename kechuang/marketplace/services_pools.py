"""Writes of the marketplace's pools and roadshows: the 首贷培植 list, the 白名单 with its 预授信
line, the 金融辅导队 (assignments and visits) and roadshows (creation, holding, registration).
Split from ``services`` (which keeps products, demands, requests and legs) so neither module grows
past the house limit; same rules: one function per state change, one transaction, its own audit
entry. ``services`` re-exports every function here."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kechuang.accounts.choices import OrganizationKind
from kechuang.core.choices import AuditAction
from kechuang.core.services import audit_record, model_snapshot

from . import choices as c
from .error_codes import MarketplaceErrorCode as E
from .models import AdvisorAssignment, AdvisorVisit, FirstLoanCandidate, Roadshow, RoadshowRegistration, WhitelistEntry
from .selectors import advisor_candidates
from .services_checks import _amount, _err, _is_staff, _regulator_or_agency, _speaks_for, _writer_of


# ---------------------------------------------------------------------------------------------
# Pools: 首贷培植, 白名单, 金融辅导队



def first_loan_add(*, enterprise, actor, plan: str = "", bank=None, is_synthetic: bool = False) -> FirstLoanCandidate:
    _regulator_or_agency(actor)
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = FirstLoanCandidate.objects.create(enterprise=enterprise, region_code=enterprise.region_code,
                                                        plan=plan, bank=bank, is_synthetic=is_synthetic)
        except IntegrityError:
            raise _err("enterprise", _("该企业已在首贷培植名单中。"), "duplicate") from None
        audit_record(actor=actor, action=AuditAction.CREATE, instance=row, after=model_snapshot(row))
    return row


def first_loan_update(*, candidate: FirstLoanCandidate, actor, plan: str, bank, status: str) -> FirstLoanCandidate:
    """Revise a candidate's 一企一策 plan, its bank or its status. "已获首贷" is set by the platform
    when a first loan is disbursed, never by hand; a person may move a candidate off the list
    (已移出) or back onto it."""
    _regulator_or_agency(actor)
    if status not in (c.PoolStatus.ACTIVE, c.PoolStatus.CLOSED):
        raise _err("status", _("“已获首贷”由平台在首笔贷款放款时自动标记，不能手工设置。"), "invalid")
    with transaction.atomic():
        row = FirstLoanCandidate.objects.select_for_update().get(pk=candidate.pk)
        if row.status == c.PoolStatus.GRADUATED:
            raise _err("status", _("该企业已获首贷，名单记录不再修改。"), "invalid_state")
        before = model_snapshot(row)
        row.plan, row.bank, row.status = plan, bank, status
        row.save(update_fields=["plan", "bank", "status"])
        audit_record(actor=actor, action=AuditAction.UPDATE, instance=row, before=before, after=model_snapshot(row))
    return row


def whitelist_add(*, enterprise, guarantor, bank, line_amount, valid_until: date, actor,
                  is_synthetic: bool = False) -> WhitelistEntry:
    """白名单 + 预授信: a line agreed between the guarantee group and a bank."""
    if not actor.is_superuser and actor.organization_id not in (guarantor.pk, bank.pk):
        _regulator_or_agency(actor)
    amt = _amount(line_amount, "line_amount")
    if valid_until <= timezone.localdate():
        raise _err("valid_until", _("有效期须晚于今天。"), "invalid")
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = WhitelistEntry.objects.create(enterprise=enterprise, guarantor=guarantor, bank=bank,
                                                    line_amount=amt, valid_until=valid_until, is_synthetic=is_synthetic)
        except IntegrityError:
            raise _err("enterprise", _("该企业在该银行已有有效预授信。"), "duplicate") from None
        audit_record(actor=actor, action=AuditAction.CREATE, instance=row, after=model_snapshot(row))
    return row


def advisor_assign(*, enterprise, advisor, actor, team: str = "", is_synthetic: bool = False) -> AdvisorAssignment:
    """Assign a 金融辅导员 (replacing the active one): staff of a service agency within the
    actor's scope (``selectors.advisor_candidates``), checked again here whatever the caller offered."""
    _regulator_or_agency(actor)
    with transaction.atomic():
        if not advisor_candidates(actor).filter(pk=getattr(advisor, "pk", None)).exists():
            raise _err("advisor", _("%(who)s 不能担任辅导员：只能指派您辖区内服务机构的在岗人员。") % {"who": advisor},
                       E.ADVISOR_NOT_ALLOWED)
        old = AdvisorAssignment.objects.select_for_update().filter(enterprise=enterprise, is_active=True).first()
        if old is not None:
            old.is_active = False
            old.save(update_fields=["is_active"])
        row = AdvisorAssignment.objects.create(enterprise=enterprise, advisor=advisor, team=team,
                                               is_synthetic=is_synthetic)
        audit_record(actor=actor, action=AuditAction.CREATE, instance=row, after=model_snapshot(row),
                     before=model_snapshot(old) if old else None)
    return row


def advisor_visit_record(*, assignment: AdvisorAssignment, visited_on: date, actor, note: str = "",
                         satisfaction: int | None = None) -> AdvisorVisit:
    if not actor.is_superuser and actor.pk != assignment.advisor_id:
        raise PermissionDenied(_("只有负责的金融辅导员可以登记走访。"))
    if satisfaction is not None and (not isinstance(satisfaction, int) or not 1 <= satisfaction <= 5):
        raise _err("satisfaction", _("满意度须为 1 至 5 的整数（收到 %(v)s）。") % {"v": satisfaction}, E.SATISFACTION)
    if visited_on > timezone.localdate():
        raise _err("visited_on", _("走访日期不能晚于今天。"), "invalid")
    with transaction.atomic():
        row = AdvisorVisit.objects.create(assignment=assignment, visited_on=visited_on, note=note,
                                          satisfaction=satisfaction)
        audit_record(actor=actor, action=AuditAction.CREATE, instance=row, after=model_snapshot(row))
    return row


# ---------------------------------------------------------------------------------------------
# Roadshows


def roadshow_create(*, title: str, region_code: str, held_on: date, actor, organizer=None,
                    is_synthetic: bool = False) -> Roadshow:
    _regulator_or_agency(actor)
    organizer = organizer or actor.organization
    if organizer is None:  # a platform administrator belongs to no organisation
        raise _err("organizer", _("路演须有主办机构：平台管理员没有所属机构，请用监管部门或服务机构的账号创建。"),
                   E.ORGANIZER_REQUIRED)
    with transaction.atomic():
        row = Roadshow.objects.create(title=title, region_code=region_code, held_on=held_on,
                                      organizer=organizer, is_synthetic=is_synthetic)
        audit_record(actor=actor, action=AuditAction.CREATE, instance=row, after=model_snapshot(row))
    return row


def roadshow_mark_held(*, roadshow: Roadshow, actor) -> Roadshow:
    _regulator_or_agency(actor)
    with transaction.atomic():
        row = Roadshow.objects.select_for_update().get(pk=roadshow.pk)
        if row.status != c.RoadshowStatus.PLANNED:
            raise _err("status", _("路演状态为“%(s)s”。") % {"s": row.get_status_display()}, E.BAD_TRANSITION)
        before = model_snapshot(row)
        row.status = c.RoadshowStatus.HELD
        row.save(update_fields=["status"])
        audit_record(actor=actor, action=AuditAction.UPDATE, instance=row, before=before, after=model_snapshot(row))
    return row


def roadshow_register(*, roadshow: Roadshow, actor, enterprise=None, investor=None) -> RoadshowRegistration:
    if enterprise is not None:
        if not _is_staff(actor):
            _speaks_for(actor, enterprise)
        role = c.RegistrationRole.PRESENTER
    else:
        if investor is None or investor.kind != OrganizationKind.INVESTOR:
            raise _err("investor", _("只有投资机构可以以投资方身份报名。"), E.WRONG_PUBLISHER)
        if not _is_staff(actor):
            _writer_of(actor, investor)
        role = c.RegistrationRole.INVESTOR
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = RoadshowRegistration.objects.create(roadshow=roadshow, role=role, enterprise=enterprise,
                                                          investor=investor)
        except IntegrityError:
            raise _err(None, _("已报名该路演。"), "duplicate") from None
        audit_record(actor=actor, action=AuditAction.CREATE, instance=row, after=model_snapshot(row))
    return row
