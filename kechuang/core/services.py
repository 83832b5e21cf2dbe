"""Writes of the core app: appending to the audit chain and running background jobs.

Every audited write in the platform calls :func:`audit_record` inside its own transaction, with the
actor passed explicitly, so commands and jobs are covered as well as requests.
"""

from __future__ import annotations

import json
import logging
import traceback
from dataclasses import dataclass
from datetime import UTC
from typing import Any

import psycopg
from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from .chain import EMPTY_ROOT, LEAF_FIELDS, MerkleFrontier, b64, checkpoint_message, entry_leaf
from .choices import AuditAction, JobStatus
from .extensions import app_job_handlers
from .models import AuditCheckpoint, AuditEntry, AuditPending, AuditSeal, Job
from .signing import checkpoint_log_path, key_id, signing_key_load
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


#: Relations followed (only when already loaded: never a query) to find the region an entry concerns.
_REGION_VIA = ("enterprise", "demand", "request", "organization", "institution", "region")


def region_of(instance: models.Model | None, depth: int = 2) -> str:
    """The region code ``instance`` concerns: its own ``region_code`` / ``region_id``, else that of
    an already-loaded enterprise, demand, request or organisation it points to."""
    if instance is None:
        return ""
    if instance._meta.label_lower == "accounts.region":
        return str(instance.pk)
    for attr in ("region_code", "region_id"):
        value = getattr(instance, attr, None)
        if isinstance(value, str) and value:
            return value
    if depth:
        cache = instance._state.fields_cache
        for name in _REGION_VIA:
            related = cache.get(name)
            if isinstance(related, models.Model):
                code = region_of(related, depth - 1)
                if code:
                    return code
    return ""


def _actor_region(user) -> str:
    if user is None or not getattr(user, "organization_id", None):
        return ""
    return getattr(user.organization, "region_id", "") or ""


#: The valid actions, computed once (``AuditAction.values`` builds a new list on every access).
_AUDIT_ACTIONS = frozenset(AuditAction.values)


def audit_record(*, actor, action: str, instance: models.Model | None = None,
                 object_type: str = "", object_id: str = "", object_repr: str = "",
                 before: Any = None, after: Any = None, purpose: str = "",
                 context: dict | None = None, region_code: str = "") -> AuditEntry:
    """Append one entry to the audit log. ``actor`` is a user, a label such as
    ``"command:import"`` for unattended runs, or ``None`` for the system itself.

    No lock and, on PostgreSQL, one prepared statement: ``seq`` comes from the database sequence
    and the same statement queues the entry for the sealer (:func:`audit_seal`), which chains it
    into the Merkle tree once it has committed. ``region_code`` (else the object's region, else the
    actor organisation's) scopes who reads it."""
    if action not in _AUDIT_ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    if instance is not None:
        object_type = object_type or instance._meta.label_lower
        object_id = object_id or str(instance.pk)
        object_repr = object_repr or str(instance)[:200]
    user = actor if hasattr(actor, "pk") else None
    region = region_code or region_of(instance) or _actor_region(user)
    # Each JSON value is serialised once: that text is what the database stores, and the entry
    # returned carries its parsed form (what reading the row back gives, and what is hashed).
    before_js, after_js, context_js = _json_text(before), _json_text(after), _json_text(context or {})
    entry = AuditEntry(at=timezone.now(), actor=user, actor_label=actor_label_for(actor),
                       organization_id=getattr(user, "organization_id", None), region_code=region,
                       action=action, object_type=object_type, object_id=object_id,
                       object_repr=object_repr[:200], before=_json_value(before_js),
                       after=_json_value(after_js), purpose=purpose[:200], context=_json_value(context_js))
    db = connections[DEFAULT_DB_ALIAS]  # one lookup of the thread's connection, not one per use
    if db.vendor == "postgresql":  # one statement: atomic on its own
        _insert_and_queue(db, entry, before_js, after_js, context_js)
    else:
        with transaction.atomic(savepoint=False):
            entry.save(force_insert=True)
            AuditPending.objects.create(seq=entry.seq)
    return entry


def _json_text(value: Any) -> str | None:
    """The stored JSON text of an entry's value: decimals and dates become strings."""
    return None if value is None else json.dumps(value, default=str, ensure_ascii=False)


def _json_value(text: str | None) -> Any:
    return None if text is None else json.loads(text)


_INSERT_AND_QUEUE = (
    "WITH e AS (INSERT INTO core_auditentry (at, actor_id, actor_label, organization_id, region_code, action, "
    "object_type, object_id, object_repr, before, after, purpose, context) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s::jsonb, %s::jsonb, %s, %s::jsonb) RETURNING seq) "
    "INSERT INTO core_auditpending (seq) SELECT seq FROM e RETURNING seq")


def _prepared_cursor(db):
    """A cursor on the request's connection that binds parameters on the server, so psycopg
    prepares a statement it has run a few times and PostgreSQL stops re-parsing and re-planning it.
    (Django's own cursors bind on the client: the ORM's SQL is not always preparable.) Wrapped
    like every Django cursor: query logging, ``execute_wrapper`` hooks and test query counts see it."""
    db.ensure_connection()
    return db._prepare_cursor(psycopg.Cursor(db.connection))


def _insert_and_queue(db, entry: AuditEntry, before_js: str | None, after_js: str | None,
                      context_js: str | None) -> None:
    """On PostgreSQL the entry and its queue row in one prepared statement (one round trip, no
    ORM save): the audited write's whole cost in the hot path of every service."""
    with _prepared_cursor(db) as cur:
        cur.execute(_INSERT_AND_QUEUE, [
            entry.at, entry.actor_id, entry.actor_label, entry.organization_id, entry.region_code, entry.action,
            entry.object_type, entry.object_id, entry.object_repr, before_js, after_js, entry.purpose,
            context_js])
        entry.seq = cur.fetchone()[0]
    entry._state.adding, entry._state.db = False, db.alias


# --- the sealer -------------------------------------------------------------------------------

#: PostgreSQL advisory-lock key held by the one sealer at a time (ASCII "KCAUDIT").
SEALER_LOCK_KEY = 0x4B43415544495400


@dataclass
class SealResult:
    sealed: int = 0
    tree_size: int = 0
    root_hash: str = EMPTY_ROOT
    busy: bool = False  # another sealer held the lock


def _frontier_resume() -> MerkleFrontier:
    """The tree as the last checkpoint left it; rebuilt from the seals if they disagree (which
    only a crash between two statements of one transaction could cause: never, in practice)."""
    last = AuditCheckpoint.objects.order_by("-tree_size").first()
    sealed = AuditSeal.objects.aggregate(m=models.Max("position"))["m"] or 0  # an index lookup, not a count
    if last is not None and last.tree_size == sealed:
        return MerkleFrontier.from_json(last.tree_size, last.frontier)
    frontier = MerkleFrontier()
    for leaf in AuditSeal.objects.order_by("position").values_list("leaf_hash", flat=True).iterator(2000):
        frontier.append(bytes.fromhex(leaf))
    return frontier


def _publish(checkpoint: dict) -> None:
    path = checkpoint_log_path()
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(checkpoint, sort_keys=True) + "\n")


def audit_seal(*, batch_size: int = 5000) -> SealResult:
    """Seal one batch of committed entries: give each the next gapless position, in ``seq`` order,
    append its leaf to the Merkle tree, sign the new tree head and publish it.

    Safe by construction against out-of-order commits and burned numbers: the sealer takes what the
    queue shows *committed* (an entry still in flight is invisible and will be sealed by a later
    run at a later position), so it never chains past an entry that may still commit, and a number
    no transaction committed is never expected. One sealer at a time (advisory lock on PostgreSQL;
    SQLite has a single writer)."""
    key = signing_key_load()
    result = SealResult()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("SELECT pg_try_advisory_xact_lock(%s)", [SEALER_LOCK_KEY])
                if not cur.fetchone()[0]:
                    result.busy = True
                    return result
        queued = list(AuditPending.objects.order_by("seq").values_list("seq", flat=True)[:batch_size])
        if not queued:
            return result
        rows = list(AuditEntry.objects.filter(seq__in=queued).order_by("seq").values(*LEAF_FIELDS))
        frontier = _frontier_resume()
        seals = []
        for row in rows:
            leaf = entry_leaf(row)
            frontier.append(leaf)
            seals.append(AuditSeal(position=frontier.size, entry_seq=row["seq"], leaf_hash=leaf.hex()))
        AuditSeal.objects.bulk_create(seals)
        sealed_seqs = [row["seq"] for row in rows]
        AuditPending.objects.filter(seq__in=sealed_seqs).delete()
        if not seals:  # queued rows whose entries are gone: left in the queue for verify to report
            return result
        signed_at = timezone.now()
        root = frontier.root()
        signature = key.sign(checkpoint_message(tree_size=frontier.size, root_hash=root, signed_at=signed_at))
        kid = key_id(key.public_key())
        AuditCheckpoint.objects.create(tree_size=frontier.size, root_hash=root, signed_at=signed_at,
                                       key_id=kid, signature=b64(signature), frontier=frontier.to_json())
        published = {"tree_size": frontier.size, "root_hash": root, "key_id": kid, "signature": b64(signature),
                     "signed_at": signed_at.astimezone(UTC).isoformat(timespec="microseconds")}
        transaction.on_commit(lambda: _publish(published))
        result.sealed, result.tree_size, result.root_hash = len(seals), frontier.size, root
    return result


def audit_seal_pending(*, batch_size: int = 5000) -> int:
    """Seal until the queue is empty (what the worker loop and ``kechuang audit seal`` run);
    returns how many entries were sealed."""
    total = 0
    while True:
        result = audit_seal(batch_size=batch_size)
        total += result.sealed
        if result.busy or result.sealed < batch_size:
            return total


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


__all__ = ["audit_record", "audit_seal", "audit_seal_pending", "job_enqueue", "job_claim_next", "job_run", "job_run_pending",
           "model_snapshot", "to_jsonable", "NullProgress"]
