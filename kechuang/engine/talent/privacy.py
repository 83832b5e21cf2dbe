"""Personal-data minimisation helpers (pure Python, no Django): a masked name (张*明), a masked ID
number (3701**********123X) and a salted hash of the ID number, the only forms stored or shown."""

from __future__ import annotations

import hashlib
import hmac
import re

ID_RE = re.compile(r"^\d{17}[\dX]$")


def mask_name(name: str) -> str:
    """张三 → 张*, 张小明 → 张*明, 欧阳小明 → 欧**明; a Latin name keeps its first letter."""
    name = (name or "").strip()
    if len(name) <= 1:
        return "*" if name else ""
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def normalise_id(number: str) -> str:
    return (number or "").strip().upper()


def valid_id(number: str) -> bool:
    """An 18-character resident ID number with a correct GB 11643 check digit."""
    n = normalise_id(number)
    if not ID_RE.match(n):
        return False
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    check = "10X98765432"[sum(int(a) * w for a, w in zip(n[:17], weights, strict=True)) % 11]
    return n[17] == check


def mask_id(number: str) -> str:
    n = normalise_id(number)
    return n[:4] + "*" * (len(n) - 8) + n[-4:] if len(n) > 8 else "*" * len(n)


def id_hash(number: str, salt: str) -> str:
    """HMAC-SHA256 of the normalised number with the platform's salt (finds duplicates without
    keeping the number)."""
    return hmac.new(salt.encode(), normalise_id(number).encode(), hashlib.sha256).hexdigest()


def with_check_digit(first17: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return first17 + "10X98765432"[sum(int(a) * w for a, w in zip(first17, weights, strict=True)) % 11]
