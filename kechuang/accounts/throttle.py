"""Login throttling per account and per client address (OWASP ASVS V2.2.1).

Failures are counted in the default cache (locmem in tests, Redis in production) in a fixed
window: after ``ACCOUNT_LIMIT`` failures for one user name, or ``ADDRESS_LIMIT`` from one address,
further attempts are refused until the window ends, and the lock-out is written to the audit chain.
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.contrib.auth.backends import ModelBackend, UserModel
from django.core.exceptions import PermissionDenied
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
    """The failures counted in the current window of ``key`` and when that window began."""
    values = cache.get_many([f"{key}:n", f"{key}:t"])
    started = values.get(f"{key}:t", 0.0)
    if not started or time.time() - started >= WINDOW_SECONDS:
        return 0, 0.0
    return int(values.get(f"{key}:n", 0)), started


def _count(key: str) -> int:
    """Add one failure to ``key``'s window with the cache's atomic increment (Redis INCR; locmem
    under its lock), so concurrent failures from many workers are all counted. The window begins
    with the first failure (``add`` only writes a missing key) and ends with its expiry."""
    cache.add(f"{key}:t", time.time(), WINDOW_SECONDS)
    cache.add(f"{key}:n", 0, WINDOW_SECONDS)
    try:
        return cache.incr(f"{key}:n")
    except ValueError:  # the window expired between add and incr: this failure opens a new one
        cache.set(f"{key}:t", time.time(), WINDOW_SECONDS)
        if cache.add(f"{key}:n", 1, WINDOW_SECONDS):
            return 1
        return cache.incr(f"{key}:n")


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
        if _count(_key(kind, value)) == limit:
            newly.append(kind)
    return newly


def reset_account(username: str) -> None:
    key = _key("account", username)
    cache.delete_many([f"{key}:n", f"{key}:t"])


class ThrottledModelBackend(ModelBackend):
    """Django's model backend that first refuses any credential check for a locked account or
    address, so the login page, the admin login and the API's Basic authentication share one
    throttle."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is not None and locked_until(username or "", client_address(request)) is not None:
            raise PermissionDenied("login throttled")
        return super().authenticate(request, username=username, password=password, **kwargs)

    def get_user(self, user_id):
        """The session's user with its organisation in the same query: every permission check of
        the request (``organization_of``) reads it, so a request costs one query less."""
        try:
            user = UserModel._default_manager.select_related("organization").get(pk=user_id)
        except UserModel.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None


def on_login_failed(sender, credentials, request=None, **kwargs):
    """``user_login_failed`` receiver: count the failure; audit a lock-out when one begins."""
    if request is None:
        return
    from django.contrib.auth import get_user_model

    from kechuang.core.choices import AuditAction
    from kechuang.core.services import audit_record

    username = str(credentials.get(get_user_model().USERNAME_FIELD) or "")[:150]
    address = client_address(request)
    for kind in record_failure(username, address):
        audit_record(actor=None, action=AuditAction.LOGIN, object_type="accounts.lockout",
                     object_id=username if kind == "account" else address,
                     object_repr=f"login locked ({kind})",
                     context={"event": "lockout", "kind": kind, "username": username,
                              "address": address, "window_seconds": WINDOW_SECONDS})
