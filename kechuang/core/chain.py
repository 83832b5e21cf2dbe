"""The audit log's proof structure, shared by the sealer (services) and the verifier (selectors).

Sealed entries are the leaves of an RFC 6962 Merkle tree in the order the single sealer gave them
(their *position*, gapless from 1). A checkpoint is a signed tree head: the tree size and the root
hash. Leaf and node hashes carry RFC 6962's domain-separation prefixes (0x00 leaf, 0x01 node), so a
leaf can never be passed off as an inner node.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime
from typing import Any

EMPTY_ROOT = hashlib.sha256(b"").hexdigest()
CHECKPOINT_VERSION = "kechuang-audit-checkpoint/v1"


def entry_canonical(*, seq: int, at: datetime, actor_id: int | None, actor_label: str,
                    organization_id: int | None, region_code: str, action: str, object_type: str,
                    object_id: str, object_repr: str, before: Any, after: Any, purpose: str,
                    context: Any) -> bytes:
    """The canonical JSON of an entry's content: every column, the actor's id and organisation
    included (a changed actor id changes the leaf)."""
    payload = {
        "seq": seq, "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_id": actor_id, "actor": actor_label, "organization": organization_id,
        "region": region_code, "action": action, "object_type": object_type,
        "object_id": object_id, "object_repr": object_repr, "before": before, "after": after,
        "purpose": purpose, "context": context,
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def leaf_hash(canonical: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + canonical).digest()


def entry_leaf(row: dict) -> bytes:
    """The Merkle leaf of an entry, from its row (``values()`` of :data:`LEAF_FIELDS`)."""
    return leaf_hash(entry_canonical(
        seq=row["seq"], at=row["at"], actor_id=row["actor_id"], actor_label=row["actor_label"],
        organization_id=row["organization_id"], region_code=row["region_code"], action=row["action"],
        object_type=row["object_type"], object_id=row["object_id"], object_repr=row["object_repr"],
        before=row["before"], after=row["after"], purpose=row["purpose"], context=row["context"]))


LEAF_FIELDS = ("seq", "at", "actor_id", "actor_label", "organization_id", "region_code", "action",
               "object_type", "object_id", "object_repr", "before", "after", "purpose", "context")


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


class MerkleFrontier:
    """An append-only RFC 6962 tree kept as its frontier: the roots of the perfect subtrees that
    make up the leaves so far (largest first), like the bits of a binary counter. Appending is
    amortised O(1); the root of the current size is O(log n). So a verifier that streams every
    leaf once and asks for the root at each checkpoint stays linear."""

    def __init__(self, size: int = 0, nodes: list[bytes] | None = None):
        self.size = size
        self.nodes = list(nodes or [])  # perfect-subtree roots, left to right, sizes = bits of size

    def append(self, leaf: bytes) -> None:
        self.nodes.append(leaf)
        self.size += 1
        n = self.size
        while n % 2 == 0:  # merge equal-sized subtrees, as a carry
            right = self.nodes.pop()
            left = self.nodes.pop()
            self.nodes.append(node_hash(left, right))
            n //= 2

    def root(self) -> str:
        if not self.nodes:
            return EMPTY_ROOT
        acc = self.nodes[-1]
        for node in reversed(self.nodes[:-1]):
            acc = node_hash(node, acc)
        return acc.hex()

    def to_json(self) -> list[str]:
        return [n.hex() for n in self.nodes]

    @classmethod
    def from_json(cls, size: int, nodes: list[str]) -> MerkleFrontier:
        return cls(size, [bytes.fromhex(n) for n in nodes])


def merkle_root(leaves: list[bytes]) -> str:
    """RFC 6962 MTH by its recursive definition (for tests and cross-checks)."""
    if not leaves:
        return EMPTY_ROOT
    if len(leaves) == 1:
        return leaves[0].hex()
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return node_hash(bytes.fromhex(merkle_root(leaves[:k])), bytes.fromhex(merkle_root(leaves[k:]))).hex()


def checkpoint_message(*, tree_size: int, root_hash: str, signed_at: datetime) -> bytes:
    """What a checkpoint's signature covers (a signed tree head)."""
    stamp = signed_at.astimezone(UTC).isoformat(timespec="microseconds")
    return f"{CHECKPOINT_VERSION}\n{tree_size}\n{root_hash}\n{stamp}\n".encode()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"))
