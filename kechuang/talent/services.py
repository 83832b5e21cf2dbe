"""Writes and audited reads of the talent app, each one transaction with its audit entry; a
failure stores nothing. No audit entry ever carries a full name or an ID number: entries name the
person by the masked name (``str(person)``) and snapshots leave the name and the ID hash out.

* :func:`person_register` / :func:`person_facts_update` — the employer enterprise records a team
  member (facts checked by the engine: unknown sections or fields, levels, programmes refused with
  the row and field);
* :func:`talent_consent_grant` / :func:`talent_consent_revoke` — the person's separate consent; the
  employer may record one only with the reference of the person's written authorisation; only the
  person (or a superuser) revokes, and from that moment no valuation, bank read or limit uses it;
* :func:`valuation_run_create` / :func:`valuation_run_compute` — a valuation run of the consented
  people of a region (regulator) or of one team (the enterprise itself), queued and computed by a
  background job (``talent.valuation_run``); people without an active consent are counted, not
  valued; a failed run keeps no valuation. :func:`valuation_run_execute` does both at once;
* :func:`person_valuation_read` — an organisation's read of one person's value, refused with
  ``no_consent`` unless it holds the person's active consent, audited with the consent id;
* :func:`talent_terms_set` — an institution makes its product a 人才贷.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kechuang.accounts.access import RUN, covers_region, is_regulator, is_writer, organization_of, own_enterprise_id
from kechuang.accounts.choices import OrganizationKind
from kechuang.accounts.models import Region, within_region
from kechuang.core.choices import AuditAction
from kechuang.core.progress import NullProgress, Progress
from kechuang.core.services import actor_label_for, audit_record, job_enqueue, model_snapshot
from kechuang.engine.talent import (FACTS_SCHEMA, bundled_model, check_facts, flat_facts, id_hash, load_model,
                                    mask_id, mask_name, row_result, valid_id, value_batch)

from .choices import RunStatus, TalentConsentPurpose
from .error_codes import TalentErrorCode as E
from .models import TalentConsent, TalentLoanTerms, TalentPerson, Valuation, ValuationRun

PERSON_FIELDS = ["enterprise", "region_code", "industry_code", "masked_name", "id_masked", "is_synthetic"]
CONSENT_FIELDS = ["person", "organization", "purpose", "valid_from", "valid_until", "evidence", "revoked_at"]
RUN_FIELDS = ["model_version", "as_of", "region_code", "enterprise", "status", "people_total",
              "skipped_without_consent", "value_low_total", "value_high_total", "is_synthetic"]


def _person(actor) -> bool:
    return hasattr(actor, "pk")


def _salt() -> str:
    return getattr(settings, "TALENT_ID_SALT", "") or settings.SECRET_KEY


def _facts_error(problems) -> ValidationError:
    return ValidationError({"facts": [ValidationError(_("人才事实第 %(where)s 项有误：%(reason)s") % {
        "where": p.where, "reason": p.reason}, code=E.BAD_FACTS) for p in problems]})


def _employer_writer(actor, enterprise) -> None:
    if not _person(actor) or actor.is_superuser:
        return
    if own_enterprise_id(actor) != enterprise.pk or not is_writer(actor):
        raise PermissionDenied(_("只有本企业的管理员或经办人员可以登记本企业人才。"))


def person_register(*, enterprise, full_name: str, id_number: str, facts: dict, actor, user=None,
                    is_synthetic: bool = False) -> TalentPerson:
    """Record a team member of ``enterprise`` (minimised: the ID number only hashed and masked)."""
    _employer_writer(actor, enterprise)
    errors = {}
    if not (full_name or "").strip():
        errors["full_name"] = ValidationError(_("请填写姓名。"), code=E.BAD_FACTS)
    if not valid_id(id_number):
        errors["id_number"] = ValidationError(_("证件号不是有效的18位居民身份证号码。"), code=E.BAD_ID)
    if errors:
        raise ValidationError(errors)
    problems = check_facts(facts)
    if problems:
        raise _facts_error(problems)
    digest = id_hash(id_number, _salt())
    with transaction.atomic():
        if TalentPerson.objects.filter(id_hash=digest).exists():
            raise ValidationError({"id_number": ValidationError(_("该证件号的人才已登记。"), code=E.DUPLICATE_PERSON)})
        person = TalentPerson.objects.create(
            enterprise=enterprise, region_code=enterprise.region_code or "", industry_code=enterprise.industry_code or "",
            full_name=full_name.strip(), masked_name=mask_name(full_name), id_hash=digest, id_masked=mask_id(id_number),
            facts=facts, user=user, is_synthetic=is_synthetic)
        audit_record(actor=actor, action=AuditAction.CREATE, instance=person,
                     after=model_snapshot(person, PERSON_FIELDS), region_code=person.region_code)
    return person


def people_import(*, enterprise, people: list[dict], actor, sheet: str = "", is_synthetic: bool = False
                  ) -> list[TalentPerson]:
    """Record many team members of ``enterprise`` at once, all or none: ``people`` are dicts with
    ``row``, ``full_name``, ``id_number`` and ``facts``. Every problem of every row is reported
    (``ValidationError`` whose messages name the sheet, row, field and reason) and then nothing is
    written; otherwise each person is created with its audit entry in one transaction."""
    _employer_writer(actor, enterprise)
    errors: list[tuple[int, ValidationError]] = []

    def refuse(row, field, reason, code):
        errors.append((row, ValidationError(_("工作表“%(sheet)s”第 %(row)s 行 · %(field)s：%(reason)s") % {
            "sheet": sheet, "row": row, "field": field, "reason": reason}, code=code)))

    seen: dict[str, int] = {}
    digests = {}
    for p in people:
        row = p["row"]
        if not (p.get("full_name") or "").strip():
            refuse(row, _("姓名"), _("请填写姓名。"), E.BAD_FACTS)
        if not valid_id(p.get("id_number") or ""):
            refuse(row, _("居民身份证号码"), _("证件号不是有效的18位居民身份证号码。"), E.BAD_ID)
        else:
            digest = id_hash(p["id_number"], _salt())
            if digest in seen:
                refuse(row, _("居民身份证号码"), _("与第 %(n)s 行的证件号重复。") % {"n": seen[digest]},
                       E.DUPLICATE_PERSON)
            seen.setdefault(digest, row)
            digests[row] = digest
        for problem in check_facts(p.get("facts") or {}):
            refuse(row, problem.where, problem.reason, E.BAD_FACTS)
    registered = set(TalentPerson.objects.filter(id_hash__in=list(digests.values())).values_list("id_hash", flat=True))
    for row, digest in digests.items():
        if digest in registered:
            refuse(row, _("居民身份证号码"), _("该证件号的人才已登记。"), E.DUPLICATE_PERSON)
    if errors:
        raise ValidationError([e for _row, e in sorted(errors, key=lambda x: x[0])])
    created = []
    with transaction.atomic():
        for p in people:
            person = TalentPerson.objects.create(
                enterprise=enterprise, region_code=enterprise.region_code or "",
                industry_code=enterprise.industry_code or "", full_name=p["full_name"].strip(),
                masked_name=mask_name(p["full_name"]), id_hash=digests[p["row"]], id_masked=mask_id(p["id_number"]),
                facts=p.get("facts") or {}, is_synthetic=is_synthetic)
            audit_record(actor=actor, action=AuditAction.CREATE, instance=person, context={"import_row": p["row"]},
                         after=model_snapshot(person, PERSON_FIELDS), region_code=person.region_code)
            created.append(person)
    return created


def person_facts_update(*, person: TalentPerson, facts: dict, actor) -> TalentPerson:
    """Replace ``person``'s facts (the person themself, or a writer of the employer enterprise);
    the facts are checked by the engine first and nothing changes on refusal."""
    if _person(actor) and person.user_id != actor.pk:
        _employer_writer(actor, person.enterprise)
    problems = check_facts(facts)
    if problems:
        raise _facts_error(problems)
    with transaction.atomic():
        before = sorted(person.facts)
        person.facts, person.updated_at = facts, timezone.now()
        person.save(update_fields=["facts", "updated_at"])
        audit_record(actor=actor, action=AuditAction.UPDATE, instance=person, region_code=person.region_code,
                     before={"sections": before}, after={"sections": sorted(facts)})
    return person


def talent_consent_grant(*, person: TalentPerson, organization, purpose: str, valid_until: dt.datetime, actor,
                         evidence: str = "", valid_from: dt.datetime | None = None) -> TalentConsent:
    """The person's consent to ``organization`` for ``purpose``. The person grants it; the employer
    may record it only with ``evidence`` (the written authorisation's reference)."""
    if _person(actor) and not actor.is_superuser and person.user_id != actor.pk:
        _employer_writer(actor, person.enterprise)
        if not evidence.strip():
            raise ValidationError({"evidence": ValidationError(
                _("由单位代为登记授权时须填写本人书面授权的编号。"), code=E.NO_CONSENT)})
    if purpose not in TalentConsentPurpose.values:
        raise ValidationError({"purpose": ValidationError(_("未知的授权用途。"), code=E.CONSENT_GRANTEE)})
    valid_from = valid_from or timezone.now()
    if valid_until <= valid_from or valid_until <= timezone.now():
        raise ValidationError({"valid_until": ValidationError(_("到期时间必须晚于生效时间和当前时间。"),
                                                              code=E.CONSENT_PERIOD)})
    if purpose == TalentConsentPurpose.TALENT_LOAN and not organization.is_financial:
        raise ValidationError({"organization": ValidationError(_("人才贷授信只能授权给金融机构。"),
                                                               code=E.CONSENT_GRANTEE)})
    if organization.kind == OrganizationKind.ENTERPRISE and organization.enterprise_id != person.enterprise_id:
        raise ValidationError({"organization": ValidationError(_("只能授权给本人现工作单位或金融、服务机构。"),
                                                               code=E.CONSENT_GRANTEE)})
    with transaction.atomic():
        consent = TalentConsent.objects.create(
            person=person, organization=organization, purpose=purpose, valid_from=valid_from, valid_until=valid_until,
            evidence=evidence.strip()[:200], granted_by=actor if _person(actor) else None,
            granted_label=actor_label_for(actor))
        audit_record(actor=actor, action=AuditAction.GRANT, instance=consent, purpose=consent.get_purpose_display(),
                     after=model_snapshot(consent, CONSENT_FIELDS), region_code=person.region_code)
    return consent


def talent_consent_revoke(*, consent: TalentConsent, actor) -> TalentConsent:
    """End a consent now: valuations, bank reads and 人才贷 limits stop using it at once."""
    with transaction.atomic():
        consent = TalentConsent.objects.select_for_update().select_related("person").get(pk=consent.pk)
        if _person(actor) and not actor.is_superuser and consent.person.user_id != actor.pk:
            raise PermissionDenied(_("只有本人可以撤销人才数据授权。"))
        if consent.revoked_at is not None:
            raise ValidationError(_("该授权已撤销。"), code=E.CONSENT_REVOKED)
        before = model_snapshot(consent, CONSENT_FIELDS)
        consent.revoked_at, consent.revoked_by = timezone.now(), actor if _person(actor) else None
        consent.save(update_fields=["revoked_at", "revoked_by"])
        audit_record(actor=actor, action=AuditAction.REVOKE, instance=consent, before=before,
                     after=model_snapshot(consent, CONSENT_FIELDS), region_code=consent.person.region_code)
    return consent


def _d(x: float) -> Decimal:
    return Decimal(f"{x:.2f}")


def _run_scope(region_code: str, enterprise, actor) -> None:
    if enterprise is not None:
        if _person(actor) and not actor.is_superuser and (own_enterprise_id(actor) != enterprise.pk or not is_writer(actor)):
            raise PermissionDenied(_("只有本企业的管理员或经办人员可以评估本企业团队。"))
        return
    if not Region.objects.filter(code=region_code).exists():
        raise ValidationError({"region_code": ValidationError(_("未知的区划代码 %(c)s。") % {"c": region_code},
                                                              code=E.BAD_REGION)})
    if _person(actor) and not actor.is_superuser:
        if not is_regulator(actor, RUN):
            raise PermissionDenied(_("只有监管部门的管理员或经办人员可以发起人才价值评估。"))
        if not covers_region(actor, region_code):
            raise ValidationError({"region_code": ValidationError(_("只能评估本辖区的人才。"), code=E.BAD_REGION)})


def _scope_people(region_code: str, enterprise):
    people = TalentPerson.objects.all()
    if enterprise is not None:
        return people.filter(enterprise=enterprise)
    return people.filter(within_region(region_code))


def valuation_run_create(*, actor, region_code: str = "", enterprise=None, as_of: dt.date | None = None,
                         is_synthetic: bool = False, enqueue: bool = False) -> ValuationRun:
    """Register a valuation run of ``region_code`` (or of ``enterprise``'s team), queued, with its
    audit entry; with ``enqueue`` a background job (``talent.valuation_run``) computes it with live
    progress. Refused at once (``no_people``) when nobody in scope holds an active consent."""
    _run_scope(region_code, enterprise, actor)
    as_of = as_of or timezone.localdate()
    if enterprise is not None:
        region_code = enterprise.region_code or ""
    if not _scope_people(region_code, enterprise).filter(
            pk__in=TalentConsent.objects.active().values("person_id")).exists():
        raise ValidationError({"region_code": ValidationError(
            _("范围内没有持有效授权的人才：未经本人授权不能评估。"), code=E.NO_PEOPLE)})
    model = bundled_model()
    with transaction.atomic():
        run = ValuationRun.objects.create(model_version=model.version, model_json=model.to_json(), as_of=as_of,
                                          region_code=region_code, enterprise=enterprise, status=RunStatus.QUEUED,
                                          is_synthetic=is_synthetic, created_by=actor if _person(actor) else None,
                                          actor_label=actor_label_for(actor))
        if enqueue:
            run.job = job_enqueue(kind="talent.valuation_run", params={"run_id": run.pk}, actor=actor)
            run.save(update_fields=["job"])
        audit_record(actor=actor, action=AuditAction.CREATE, instance=run, after=model_snapshot(run, RUN_FIELDS),
                     region_code=region_code)
    return run


def valuation_run_compute(*, run: ValuationRun, actor, progress: Progress | None = None) -> ValuationRun:
    """Value every person in the run's scope who holds an active talent consent now, with the
    run's model; people without one are only counted. One transaction with its audit entry: a
    failure marks the run ``failed`` with the error and keeps no valuation."""
    progress = progress or NullProgress()
    ValuationRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING)
    try:
        with transaction.atomic():
            run = ValuationRun.objects.select_for_update(of=("self",)).select_related("enterprise").get(pk=run.pk)
            _compute(run, progress)
            audit_record(actor=actor, action=AuditAction.UPDATE, instance=run, region_code=run.region_code,
                         before={"status": RunStatus.QUEUED}, after=model_snapshot(run, RUN_FIELDS))
    except Exception as exc:  # stored on the run for the page; none of the run's valuations is kept
        ValuationRun.objects.filter(pk=run.pk).update(status=RunStatus.FAILED, error=f"{type(exc).__name__}: {exc}")
        run.refresh_from_db()
        return run
    progress.finish(_("已评估 %(n)s 名已授权人才。") % {"n": run.people_total})
    return run


def _compute(run: ValuationRun, progress: Progress) -> None:
    model = load_model(run.model_json)
    people = _scope_people(run.region_code, run.enterprise)
    total = people.count()
    consented = list(people.filter(pk__in=TalentConsent.objects.active().values("person_id"))
                     .order_by("pk").values("pk", "enterprise_id", "region_code", "industry_code", "facts"))
    if not consented:
        raise ValidationError(_("范围内没有持有效授权的人才：未经本人授权不能评估。"), code=E.NO_PEOPLE)
    progress.start(len(consented), _("评估 %(n)s 名已授权人才") % {"n": len(consented)})
    frame = pl.DataFrame([flat_facts(p["facts"], run.as_of) for p in consented], schema=FACTS_SCHEMA)
    out = value_batch(model, frame)
    rows = []
    for i, (p, row) in enumerate(zip(consented, out.iter_rows(named=True), strict=True), 1):
        r = row_result(model, row)
        rows.append(Valuation(run=run, person_id=p["pk"], enterprise_id=p["enterprise_id"],
                              region_code=p["region_code"], industry_code=p["industry_code"],
                              total=_d(r["total"]), missing=Decimal(f"{r['missing']:.4f}"),
                              value_low=_d(r["value_low"]), value_high=_d(r["value_high"]),
                              groups={k: round(v, 2) for k, v in r["groups"].items()},
                              scores=r["scores"], lifts=r["lifts"], drags=r["drags"]))
        if i % 500 == 0:
            progress.advance(500)
    progress.advance(len(rows) % 500)
    Valuation.objects.bulk_create(rows, batch_size=2000)
    run.status = RunStatus.SUCCEEDED
    run.people_total = len(rows)
    run.skipped_without_consent = total - len(rows)
    run.value_low_total = sum((v.value_low for v in rows), Decimal(0))
    run.value_high_total = sum((v.value_high for v in rows), Decimal(0))
    run.save()


def valuation_run_execute(*, actor, region_code: str = "", enterprise=None, as_of: dt.date | None = None,
                          is_synthetic: bool = False, progress: Progress | None = None) -> ValuationRun:
    """Register and compute a valuation run now, in this process (commands, the demo, tests);
    pages and the API queue it instead (:func:`valuation_run_create` with ``enqueue``). Raises
    when it fails."""
    run = valuation_run_create(actor=actor, region_code=region_code, enterprise=enterprise, as_of=as_of,
                               is_synthetic=is_synthetic)
    run = valuation_run_compute(run=run, actor=actor, progress=progress)
    if run.status != RunStatus.SUCCEEDED:
        raise RuntimeError(run.error)
    return run


def person_valuation_read(*, person: TalentPerson, user, what: str = "valuation") -> TalentConsent | None:
    """Record that ``user`` read ``person``'s value and return the consent it relied on. A
    financial institution (or any organisation other than the employer, the person, a regulator)
    must hold the person's ACTIVE consent, else ``no_consent``."""
    if user.is_superuser or person.user_id == user.pk:
        return None
    org = organization_of(user)
    if org is None:
        raise PermissionDenied(_("未登录机构账号。"))
    consent = (TalentConsent.objects.active().filter(person=person, organization=org)
               .order_by("-granted_at").first())
    if consent is None:
        if org.kind == OrganizationKind.REGULATOR or (org.kind == OrganizationKind.ENTERPRISE
                                                      and org.enterprise_id == person.enterprise_id):
            if not TalentConsent.objects.active().filter(person=person).exists():
                raise ValidationError(_("此人未授权（或已撤销授权），不能查看其人才价值。"), code=E.NO_CONSENT)
            return None
        raise ValidationError(_("贵机构没有此人的有效人才数据授权。"), code=E.NO_CONSENT)
    audit_record(actor=user, action=AuditAction.READ, instance=person, purpose=consent.get_purpose_display(),
                 context={"what": what, "consent_id": consent.pk}, region_code=person.region_code)
    return consent


def talent_terms_set(*, product, advance_rate, cap, actor, basis: str = "team") -> TalentLoanTerms:
    """Make ``product`` a 人才贷 (or change its terms): limit = min(cap, product maximum, rate × value low)."""
    if _person(actor) and not actor.is_superuser:
        if organization_of(actor) != product.institution or not is_writer(actor):
            raise PermissionDenied(_("只有发布机构可以设定人才贷额度规则。"))
    rate, cap = Decimal(str(advance_rate)), Decimal(str(cap))
    if not Decimal(0) < rate <= Decimal(1):
        raise ValidationError({"advance_rate": ValidationError(_("价值折算率须在 0 到 100% 之间。"), code=E.BAD_TERMS)})
    if cap <= 0:
        raise ValidationError({"cap": ValidationError(_("额度上限须大于零。"), code=E.BAD_TERMS)})
    if basis not in ("team", "person"):
        raise ValidationError({"basis": ValidationError(_("额度依据只能是团队价值或个人价值。"), code=E.BAD_TERMS)})
    with transaction.atomic():
        terms, _created = TalentLoanTerms.objects.update_or_create(
            product=product, defaults={"advance_rate": rate, "cap": cap, "basis": basis})
        audit_record(actor=actor, action=AuditAction.UPDATE, instance=terms,
                     after={"product": product.pk, "advance_rate": str(rate), "cap": str(cap), "basis": basis})
    return terms
