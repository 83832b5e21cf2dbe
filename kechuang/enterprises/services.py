"""Writes of the theme database: sources and batches, summaries, consent, and audited reads."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kechuang.accounts.access import is_writer
from kechuang.accounts.choices import OrganizationKind
from kechuang.core.choices import AuditAction
from kechuang.core.services import audit_record, model_snapshot
from kechuang.engine.facts.validate import explode, validate_record

from .choices import ImportMode, SourceKind
from .error_codes import EnterpriseErrorCode as E
from .loading import SUMMARY_FIELDS, FactLoader
from .models import Consent, DataSource, Enterprise, SourceBatch
from .selectors import active_consent, merged_facts
from .summary import summarize


def data_source_ensure(*, code: str, name: str, kind: str, department: str = "") -> DataSource:
    """The source with ``code``, created on first use (feeds are configured by their code)."""
    source, _created = DataSource.objects.get_or_create(
        code=code, defaults={"name": name, "kind": kind, "department": department})
    return source


def source_batch_create(*, source: DataSource, actor, file_name: str = "", file_sha256: str = "",
                        file_format: str = "", mode: str = ImportMode.UPSERT,
                        recorded_at: datetime | None = None) -> SourceBatch:
    return SourceBatch.objects.create(
        source=source, actor=actor if hasattr(actor, "pk") else None,
        actor_label=actor.get_username() if hasattr(actor, "get_username") else str(actor or "system"),
        file_name=file_name[:255], file_sha256=file_sha256, file_format=file_format, mode=mode,
        recorded_at=recorded_at or timezone.now())


def enterprise_summaries_refresh(enterprise_ids: Iterable[int], *, today: date | None = None,
                                 chunk: int = 2000) -> int:
    """Recompute the list columns of existing enterprises from their merged current facts."""
    today = today or timezone.localdate()
    ids = sorted(enterprise_ids)
    now = timezone.now()
    for start in range(0, len(ids), chunk):
        merged = merged_facts(ids[start:start + chunk])
        updates = []
        for eid, facts in merged.items():
            ent = Enterprise(pk=eid, updated_at=now)
            for name, value in summarize(facts.record, today=today).items():
                setattr(ent, name, value)
            updates.append(ent)
        Enterprise.objects.bulk_update(updates, [*SUMMARY_FIELDS, "updated_at"], batch_size=500)
    return len(ids)


# --- consent ----------------------------------------------------------------------------------


def _can_manage_consent(actor, enterprise: Enterprise) -> bool:
    if actor.is_superuser:
        return True
    org = actor.organization
    return (org is not None and org.kind == OrganizationKind.ENTERPRISE
            and org.enterprise_id == enterprise.pk and is_writer(actor))


def consent_grant(*, enterprise: Enterprise, organization, purpose: str, valid_until: datetime,
                  actor, valid_from: datetime | None = None, note: str = "") -> Consent:
    """The enterprise authorises ``organization`` to read its profile for ``purpose`` until
    ``valid_until``."""
    if not _can_manage_consent(actor, enterprise):
        raise PermissionDenied(_("只有企业本身可以授权。"))
    valid_from = valid_from or timezone.now()
    if valid_until <= valid_from or valid_until <= timezone.now():
        raise ValidationError({"valid_until": ValidationError(
            _("到期时间必须晚于生效时间和当前时间。"), code=E.CONSENT_PERIOD)})
    if organization.kind in (OrganizationKind.ENTERPRISE, OrganizationKind.REGULATOR):
        raise ValidationError({"organization": ValidationError(
            _("只能授权金融机构或服务机构。"), code=E.CONSENT_ORGANIZATION)})
    with transaction.atomic():
        consent = Consent.objects.create(enterprise=enterprise, organization=organization,
                                         purpose=purpose, valid_from=valid_from,
                                         valid_until=valid_until, granted_by=actor, note=note)
        audit_record(actor=actor, action=AuditAction.GRANT, instance=consent,
                     after=model_snapshot(consent), purpose=purpose)
    return consent


def consent_revoke(*, consent: Consent, actor) -> Consent:
    """End a consent now; reads under it stop immediately."""
    with transaction.atomic():
        consent = Consent.objects.select_for_update().get(pk=consent.pk)
        if not _can_manage_consent(actor, consent.enterprise):
            raise PermissionDenied(_("只有企业本身可以撤销授权。"))
        if consent.revoked_at is not None:
            raise ValidationError(_("该授权已撤销。"), code=E.CONSENT_REVOKED)
        before = model_snapshot(consent)
        consent.revoked_at, consent.revoked_by = timezone.now(), actor
        consent.save(update_fields=["revoked_at", "revoked_by"])
        audit_record(actor=actor, action=AuditAction.REVOKE, instance=consent, before=before,
                     after=model_snapshot(consent))
    return consent


# --- audited reads ----------------------------------------------------------------------------


def enterprise_profile_read(*, enterprise: Enterprise, user, what: str = "profile",
                            action: str = AuditAction.READ) -> Consent | None:
    """Record that ``user`` read (or exported) ``enterprise``'s ``what`` and return the consent
    it relied on. Institutions must hold an active consent; their every read is logged with it.
    Callers have already checked :meth:`EnterpriseQuerySet.restrict`; this re-checks the consent
    at the moment of the read."""
    org = getattr(user, "organization", None)
    if user.is_superuser or org is None or not org.is_financial:
        return None
    consent = active_consent(enterprise=enterprise, organization=org)
    if consent is None:
        raise PermissionDenied(_("贵机构没有该企业的有效授权。"))
    audit_record(actor=user, action=action, instance=enterprise, purpose=consent.get_purpose_display(),
                 context={"what": what, "consent_id": consent.pk})
    return consent


def enterprise_list_read(*, enterprises, user, what: str = "list") -> int:
    """Record that ``user`` read rows of ``enterprises`` in a list, a search or a bulk read, the
    way :func:`enterprise_profile_read` records a detail read: for an institution one entry per
    enterprise, with the consent it relied on, in one transaction. Returns the entries written
    (none for regulators, enterprises and superusers, whose reads are not consent-bound)."""
    org = getattr(user, "organization", None)
    if user.is_superuser or org is None or not org.is_financial:
        return 0
    rows = list(enterprises)
    if not rows:
        return 0
    consents = {c.enterprise_id: c for c in Consent.objects.active().filter(
        organization=org, enterprise_id__in=[e.pk for e in rows]).order_by("granted_at")}
    missing = [e for e in rows if e.pk not in consents]
    if missing:
        raise PermissionDenied(_("贵机构没有该企业的有效授权。"))
    with transaction.atomic():
        for enterprise in rows:
            consent = consents[enterprise.pk]
            audit_record(actor=user, action=AuditAction.READ, instance=enterprise,
                         purpose=consent.get_purpose_display(),
                         context={"what": what, "consent_id": consent.pk})
    return len(rows)


# --- facts written by platform services ---------------------------------------------------------


def _jsonable_item(item: dict) -> dict:
    out = {}
    for k, v in item.items():
        if v is None:
            continue
        out[k] = v.isoformat() if isinstance(v, (date, datetime)) else v  # amounts stay Decimal
    return out


def platform_facts_write(*, enterprise: Enterprise, sections: dict[str, list[dict]], source_code: str,
                         source_name: str, reference: str, actor, today: date | None = None) -> SourceBatch:
    """Write facts a platform service establishes (a signed IP deal, a registered pledge) into the
    theme database as an ordinary source batch: the same validation and loader as an import (mode
    upsert: only the items named change), the source ``source_code`` and a batch whose file name is
    ``reference`` (``"技术交易#12"``), so each fact's provenance names the record that caused it.

    Invalid facts raise a ``ValidationError`` (code ``facts_invalid``) naming the field; nothing is
    written. Call inside the caller's transaction so the facts and its own rows commit together."""
    today = today or timezone.localdate()
    record = {"uscc": enterprise.uscc, **{name: [_jsonable_item(i) for i in items] for name, items in sections.items()}}
    result = validate_record(record, today=today, partial=True)
    if result.errors:
        raise ValidationError("; ".join(f"{e.path}: {e.message}" for e in result.errors), code="facts_invalid")
    source = data_source_ensure(code=source_code, name=source_name, kind=SourceKind.PERSON,
                                department="Kechuang platform")
    batch = source_batch_create(source=source, actor=actor, file_name=reference, file_format="service",
                                mode=ImportMode.UPSERT)
    with FactLoader(batch=batch, mode=ImportMode.UPSERT) as loader:
        loader.stage(enterprise.uscc, explode(result.record), None)
        stats = loader.apply()
    enterprise_summaries_refresh(stats.changed_enterprise_ids or [enterprise.pk], today=today)
    # the person's name, not the login, is what provenance shows
    label = (getattr(actor, "display_name", "") or batch.actor_label)[:150]
    SourceBatch.objects.filter(pk=batch.pk).update(
        actor_label=label, status="applied", rows_total=1, rows_valid=1, facts_inserted=stats.facts_inserted,
        facts_superseded=stats.facts_superseded, facts_unchanged=stats.facts_unchanged)
    audit_record(actor=actor, action=AuditAction.IMPORT, instance=batch,
                 after={"reference": reference, "sections": sorted(sections), "facts_inserted": stats.facts_inserted,
                        "facts_superseded": stats.facts_superseded}, region_code=enterprise.region_code)
    return batch
