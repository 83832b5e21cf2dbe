"""Reads of the core app: verifying the audit chain, job progress."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from django.core.cache import cache
from django.db.models import Q

from kechuang.accounts.models import within_region

from .chain import EMPTY_ROOT, LEAF_FIELDS, MerkleFrontier, checkpoint_message, entry_leaf, unb64
from .models import AuditCheckpoint, AuditEntry, AuditPending, AuditSeal, Job
from .progress import job_progress_key
from .signing import checkpoint_log_path, verify_key_load


@dataclass
class ChainReport:
    checked: int = 0  # sealed entries recomputed
    unsealed: int = 0  # committed entries still queued for the sealer (not a problem)
    checkpoints: int = 0  # signed checkpoints checked (database and published file)
    problems: list[str] = field(default_factory=list)
    tree_size: int = 0
    root_hash: str = EMPTY_ROOT

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class _Checkpoint:
    tree_size: int
    root_hash: str
    signed_at: datetime
    key_id: str
    signature: str
    source: str


def _published_checkpoints(report: ChainReport, path) -> list[_Checkpoint]:
    if path is None or not path.exists():
        if path is not None and path != checkpoint_log_path():
            report.problems.append(f"checkpoint copy {path} does not exist")
        return []
    found = []
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                d = json.loads(line)
                found.append(_Checkpoint(int(d["tree_size"]), d["root_hash"], datetime.fromisoformat(d["signed_at"]),
                                         d["key_id"], d["signature"], f"{path.name}:{lineno}"))
            except (ValueError, KeyError, TypeError):
                report.problems.append(f"published checkpoint {path.name}:{lineno} is unreadable")
    return found


def _checked_checkpoints(report: ChainReport, extra_files=()) -> dict[int, _Checkpoint]:
    """Every checkpoint from the database and the published file whose signature holds, by size.
    A bad signature, or two validly signed heads of one size with different roots, is a problem."""
    public = verify_key_load()
    candidates = [_Checkpoint(c.tree_size, c.root_hash, c.signed_at, c.key_id, c.signature, "database")
                  for c in AuditCheckpoint.objects.order_by("tree_size").iterator(2000)]
    for path in [checkpoint_log_path(), *map(Path, extra_files)]:
        candidates += _published_checkpoints(report, path)
    if candidates and public is None:
        report.problems.append("no public key to check the checkpoints' signatures with")
        return {}
    good: dict[int, _Checkpoint] = {}
    for cp in candidates:
        message = checkpoint_message(tree_size=cp.tree_size, root_hash=cp.root_hash, signed_at=cp.signed_at)
        try:
            public.verify(unb64(cp.signature), message)
        except (InvalidSignature, ValueError):
            report.problems.append(f"checkpoint of size {cp.tree_size} ({cp.source}) has an invalid signature: "
                                   "forged or altered")
            continue
        report.checkpoints += 1
        other = good.get(cp.tree_size)
        if other is not None and other.root_hash != cp.root_hash:
            report.problems.append(f"two signed checkpoints of size {cp.tree_size} disagree "
                                   f"({other.source}, {cp.source}): the history was rewritten")
        good.setdefault(cp.tree_size, cp)
    return good


def audit_verify(batch_size: int = 5000, extra_checkpoint_files=()) -> ChainReport:
    """Check the whole log in one pass: recompute every sealed entry's leaf (its content, actor id
    and organisation included), the gapless positions, the Merkle root at every signed checkpoint
    (from the database and the published file), that no checkpoint is larger than the log (a
    deleted tail) and that every entry is sealed or honestly queued. Linear in the log's size.
    ``extra_checkpoint_files``: copies of the published checkpoints kept elsewhere."""
    report = ChainReport()
    checkpoints = _checked_checkpoints(report, extra_checkpoint_files)
    sizes = sorted(checkpoints)
    next_cp = 0
    frontier = MerkleFrontier()
    last_pos = 0
    while True:
        seals = list(AuditSeal.objects.filter(position__gt=last_pos).order_by("position")
                     .values_list("position", "entry_seq", "leaf_hash")[:batch_size])
        if not seals:
            break
        rows = {r["seq"]: r for r in AuditEntry.objects.filter(seq__in=[s[1] for s in seals]).values(*LEAF_FIELDS)}
        for position, entry_seq, stored_leaf in seals:
            if position != last_pos + 1:
                report.problems.append(f"sealed position {last_pos + 1} is missing (next is {position})")
            row = rows.get(entry_seq)
            if row is None:
                report.problems.append(f"entry #{entry_seq} (sealed at position {position}) is missing: deleted")
                leaf = bytes.fromhex(stored_leaf)
            else:
                leaf = entry_leaf(row)
                if leaf.hex() != stored_leaf:
                    report.problems.append(f"entry #{entry_seq} (position {position}) was altered: its content, "
                                           "actor or organisation no longer matches its seal")
            frontier.append(leaf)
            last_pos = position
            report.checked += 1
            while next_cp < len(sizes) and sizes[next_cp] == frontier.size:
                cp = checkpoints[sizes[next_cp]]
                if cp.root_hash != frontier.root():
                    report.problems.append(
                        f"the log's first {cp.tree_size} entries do not match the checkpoint signed at "
                        f"{cp.signed_at:%Y-%m-%d %H:%M:%S} ({cp.source}): the history was rewritten")
                next_cp += 1
    report.tree_size, report.root_hash = frontier.size, frontier.root()
    if sizes and sizes[-1] > frontier.size:
        report.problems.append(f"a signed checkpoint covers {sizes[-1]} entries but the log has only "
                               f"{frontier.size} sealed: entries were removed from the tail")
    if frontier.size > (sizes[-1] if sizes else 0):
        report.problems.append(f"{frontier.size - (sizes[-1] if sizes else 0)} sealed entries are not covered by "
                               "any signed checkpoint: seals were added outside the sealer")
    _check_queue(report)
    return report


def _check_queue(report: ChainReport) -> None:
    """Entries neither sealed nor queued, and queued entries that are gone, are problems; entries
    queued and present are simply not sealed yet."""
    queued = AuditPending.objects.values("seq")
    sealed = AuditSeal.objects.values("entry_seq")
    report.unsealed = AuditEntry.objects.filter(seq__in=queued).count()
    stray = list(AuditEntry.objects.exclude(seq__in=sealed).exclude(seq__in=queued)
                 .order_by("seq").values_list("seq", flat=True)[:100])
    for seq in stray:
        report.problems.append(f"entry #{seq} is neither sealed nor queued for sealing: inserted outside audit_record")
    gone = list(AuditPending.objects.exclude(seq__in=AuditEntry.objects.values("seq"))
                .order_by("seq").values_list("seq", flat=True)[:100])
    for seq in gone:
        report.problems.append(f"entry #{seq} was queued for sealing and is missing: deleted before it was sealed")


def audit_entries_visible(user):
    """The audit entries ``user`` may read (page and API): a superuser all; a regulator the entries
    concerning its region (a city regulator its districts too) plus its own organisation's; any
    other organisation (institution, enterprise) only its own organisation's actions; nobody else
    anything. Entries concerning no region (system runs) are for superusers only."""
    if user is None or not user.is_authenticated:
        return AuditEntry.objects.none()
    if user.is_superuser:
        return AuditEntry.objects.all()
    org = getattr(user, "organization", None)
    if org is None:
        return AuditEntry.objects.none()
    if org.is_regulator:
        return AuditEntry.objects.filter(within_region(org.region_id) | Q(organization_id=org.pk))
    return AuditEntry.objects.filter(organization_id=org.pk)


def audit_seal_status(entries) -> dict[int, int]:
    """For a page of entries: ``{seq: position}`` of those sealed (the others are still queued)."""
    return dict(AuditSeal.objects.filter(entry_seq__in=[e.seq for e in entries]).values_list("entry_seq", "position"))


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
