"""The audit log's hash chain: how one entry's hash is computed from its content and the
previous hash. Shared by the writer (services) and the verifier (selectors)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

GENESIS_HASH = "0" * 64


def entry_hash(*, prev_hash: str, seq: int, at: datetime, actor_label: str, organization_id: int | None,
               action: str, object_type: str, object_id: str, object_repr: str, before: Any,
               after: Any, purpose: str, context: Any) -> str:
    """SHA-256 over the previous hash and a canonical JSON of the entry's content."""
    payload = {
        "seq": seq, "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": actor_label, "organization": organization_id, "action": action,
        "object_type": object_type, "object_id": object_id, "object_repr": object_repr,
        "before": before, "after": after, "purpose": purpose, "context": context,
    }
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((prev_hash + canonical).encode("utf-8")).hexdigest()
