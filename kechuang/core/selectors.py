"""Reads of the core app: verifying the audit chain, job progress."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.cache import cache

from .models import AuditChainHead, AuditEntry, Job
from .progress import job_progress_key
from .chain import GENESIS_HASH, entry_hash


@dataclass
class ChainReport:
    checked: int = 0
    problems: list[str] = field(default_factory=list)
    last_seq: int = 0
    last_hash: str = GENESIS_HASH

    @property
    def ok(self) -> bool:
        return not self.problems


def audit_verify(batch_size: int = 5000) -> ChainReport:
    """Recompute the whole chain: every entry's hash, its link to the previous entry, numbering
    without gaps, and the chain head against the last entry (a truncated tail shows there)."""
    report = ChainReport()
    prev_hash, expected_seq = GENESIS_HASH, 1
    qs = AuditEntry.objects.order_by("seq").values_list(
        "seq", "at", "actor_label", "organization_id", "action", "object_type", "object_id",
        "object_repr", "before", "after", "purpose", "context", "prev_hash", "hash")
    last = 0
    while True:
        rows = list(qs.filter(seq__gt=last)[:batch_size])
        if not rows:
            break
        for (seq, at, actor_label, org_id, action, otype, oid, orepr, before, after, purpose,
             context, stored_prev, stored_hash) in rows:
            if seq != expected_seq:
                report.problems.append(f"entry #{expected_seq} is missing (next entry is #{seq})")
            if stored_prev != prev_hash:
                report.problems.append(f"entry #{seq} does not link to the entry before it")
            digest = entry_hash(prev_hash=stored_prev, seq=seq, at=at, actor_label=actor_label,
                                organization_id=org_id, action=action, object_type=otype,
                                object_id=oid, object_repr=orepr, before=before, after=after,
                                purpose=purpose, context=context)
            if digest != stored_hash:
                report.problems.append(f"entry #{seq} was altered (its hash does not match its content)")
            prev_hash, expected_seq = stored_hash, seq + 1
            report.checked += 1
            last = seq
    report.last_seq, report.last_hash = last, prev_hash
    head = AuditChainHead.objects.filter(id=1).first()
    if head is not None and (head.last_seq != last or head.last_hash != prev_hash):
        report.problems.append(
            f"the chain head says #{head.last_seq} but the log ends at #{last}: entries were removed")
    return report


def job_progress(job: Job) -> dict:
    """Live progress of a job: from the cache while it runs, from the row once it has finished."""
    live = cache.get(job_progress_key(job.pk)) if job.finished_at is None else None
    if live:
        done, total, message = live["done"], live["total"], live["message"]
    else:
        done, total, message = job.progress_done, job.progress_total, job.message
    percent = round(100 * done / total) if total else (100 if job.finished_at else 0)
    return {"id": job.pk, "kind": job.kind, "status": job.status, "done": done, "total": total,
            "percent": min(percent, 100), "message": message, "result": job.result,
            "error": job.error.split("\n\n")[0] if job.error else ""}
