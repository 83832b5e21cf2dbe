"""Login throttling per account and per client address (OWASP ASVS V2.2.1).

Failures are counted in the default cache (locmem in tests, Redis in production) in a fixed
window: after ``ACCOUNT_LIMIT`` failures for one user name, or ``ADDRESS_LIMIT`` from one address,
further attempts are refused until the window ends, and the lock-out is written to the audit chain.
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache

ACCOUNT_LIMIT = getattr(settings, "KECHUANG_LOGIN_ACCOUNT_LIMIT", 5)
ADDRESS_LIMIT = getattr(settings, "KECHUANG_LOGIN_ADDRESS_LIMIT", 20)
WINDOW_SECONDS = getattr(settings, "KECHUANG_LOGIN_WINDOW", 15 * 60)


def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
    return f"login-fail:{kind}:{digest}"


def client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _state(key: str) -> tuple[int, float]:
    count, started = cache.get(key, (0, 0.0))
    if started and time.time() - started >= WINDOW_SECONDS:
        return 0, 0.0
    return count, started


def locked_until(username: str, address: str) -> float | None:
    """The epoch second when the tighter lock ends, or None when the attempt may go ahead."""
    ends = []
    for kind, value, limit in (("account", username, ACCOUNT_LIMIT), ("address", address, ADDRESS_LIMIT)):
        if kind == "account" and not value:
            continue
        count, started = _state(_key(kind, value))
        if count >= limit:
            ends.append(started + WINDOW_SECONDS)
    return max(ends) if ends else None


def record_failure(username: str, address: str) -> list[str]:
    """Count one failure; return the kinds ("account", "address") that have just become locked."""
    newly = []
    for kind, value, limit in (("account", username, ACCOUNT_LIMIT), ("address", address, ADDRESS_LIMIT)):
        if kind == "account" and not value:
            continue
        key = _key(kind, value)
        count, started = _state(key)
        count, started = count + 1, started or time.time()
        cache.set(key, (count, started), WINDOW_SECONDS + 5)
        if count == limit:
            newly.append(kind)
    return newly


def reset_account(username: str) -> None:
    cache.delete(_key("account", username))
