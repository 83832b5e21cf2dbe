"""Writes of the core app: appending to the audit chain and running background jobs.

Every audited write in the platform calls :func:`audit_record` inside its own transaction, with the
actor passed explicitly, so commands and jobs are covered as well as requests.
"""

from __future__ import annotations

import json
import logging
import traceback
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from .chain import GENESIS_HASH, entry_hash
from .choices import AuditAction, JobStatus
from .extensions import app_job_handlers
from .models import AuditChainHead, AuditEntry, Job
from .progress import JobProgress, NullProgress, Progress

logger = logging.getLogger(__name__)

def job_handlers() -> dict[str, str]:
    """Background job kinds and the function that runs each (``fn(job, progress) -> dict``), as
    the apps declare them on their ``AppConfig.job_handlers`` (see :mod:`kechuang.core.extensions`)."""
    return app_job_handlers()


def to_jsonable(value: Any) -> Any:
    """The JSON form an audit entry stores (and hashes): decimals and dates become strings."""
    return json.loads(json.dumps(value, default=str, ensure_ascii=False))


def model_snapshot(instance: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The concrete field values of ``instance`` as JSON, for an entry's before/after."""
    data = {}
    for field in instance._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        data[field.attname] = field.value_from_object(instance)
    return to_jsonable(data)


def actor_label_for(actor) -> str:
    if actor is None:
        return "system"
    if isinstance(actor, str):
        return actor
    return actor.get_username()


def audit_record(*, actor, action: str, instance: models.Model | None = None,
                 object_type: str = "", object_id: str = "", object_repr: str = "",
                 before: Any = None, after: Any = None, purpose: str = "",
                 context: dict | None = None) -> AuditEntry:
    """Append one entry to the audit chain. ``actor`` is a user, a label such as
    ``"command:import"`` for unattended runs, or ``None`` for the system itself."""
    if action not in AuditAction.values:
        raise ValueError(f"unknown audit action {action!r}")
    if instance is not None:
        object_type = object_type or instance._meta.label_lower
        object_id = object_id or str(instance.pk)
        object_repr = object_repr or str(instance)[:200]
    user = actor if hasattr(actor, "pk") else None
    organization_id = getattr(user, "organization_id", None)
    label = actor_label_for(actor)
    before_j, after_j, context_j = to_jsonable(before), to_jsonable(after), to_jsonable(context or {})
    with transaction.atomic():
        head, _created = AuditChainHead.objects.select_for_update().get_or_create(
            id=1, defaults={"last_seq": 0, "last_hash": GENESIS_HASH})
        seq = head.last_seq + 1
        at = timezone.now()
        digest = entry_hash(prev_hash=head.last_hash, seq=seq, at=at, actor_label=label,
                            organization_id=organization_id, action=action,
                            object_type=object_type, object_id=object_id,
                            object_repr=object_repr[:200], before=before_j, after=after_j,
                            purpose=purpose, context=context_j)
        entry = AuditEntry(seq=seq, at=at, actor=user, actor_label=label,
                           organization_id=organization_id, action=action, object_type=object_type,
                           object_id=object_id, object_repr=object_repr[:200], before=before_j,
                           after=after_j, purpose=purpose[:200], context=context_j,
                           prev_hash=head.last_hash, hash=digest)
        entry.save(force_insert=True)
        AuditChainHead.objects.filter(id=1).update(last_seq=seq, last_hash=digest)
    return entry


# --- jobs -------------------------------------------------------------------------------------


def job_enqueue(*, kind: str, params: dict, actor) -> Job:
    """Queue a background job; a worker (``kechuang worker``, or the one ``kechuang serve`` starts)
    picks it up."""
    if kind not in job_handlers():
        raise ValueError(f"unknown job kind {kind!r}")
    job = Job.objects.create(kind=kind, params=params, created_by=actor if hasattr(actor, "pk") else None)
    return job


def job_claim_next() -> Job | None:
    """Atomically take the oldest queued job, or ``None``. Safe with several workers: on PostgreSQL
    rows locked by another worker are skipped; the status update is conditional everywhere."""
    with transaction.atomic():
        qs = Job.objects.filter(status=JobStatus.QUEUED).order_by("created_at", "pk")
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True)
        job = qs.first()
        if job is None:
            return None
        taken = Job.objects.filter(pk=job.pk, status=JobStatus.QUEUED).update(
            status=JobStatus.RUNNING, started_at=timezone.now())
        if not taken:
            return None
    job.refresh_from_db()
    return job


def job_run(job: Job, progress: Progress | None = None) -> Job:
    """Run a claimed job to completion, recording its result or its error. The handler runs its
    own transactions; a failure leaves nothing half-applied because each handler is atomic."""
    handler = import_string(job_handlers()[job.kind])
    progress = progress or JobProgress(job.pk)
    try:
        result = handler(job, progress)
    except Exception as exc:  # the worker must survive any handler failure and report it
        logger.exception("job %s failed", job.pk)
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED, finished_at=timezone.now(), error=f"{exc}\n\n{traceback.format_exc()}"[:20000])
    else:
        done = getattr(progress, "done", 0)
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.SUCCEEDED, finished_at=timezone.now(), result=to_jsonable(result or {}),
            progress_done=done, progress_total=getattr(progress, "total", None))
    job.refresh_from_db()
    return job


def job_run_pending(limit: int | None = None) -> int:
    """Run queued jobs until none is left (or ``limit``); returns how many ran."""
    ran = 0
    while limit is None or ran < limit:
        job = job_claim_next()
        if job is None:
            break
        job_run(job)
        ran += 1
    return ran


__all__ = ["audit_record", "job_enqueue", "job_claim_next", "job_run", "job_run_pending",
           "model_snapshot", "to_jsonable", "NullProgress"]
