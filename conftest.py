"""Test configuration shared by every app.

CI must not hide tests: a skip is allowed only with a reason that starts with one of
``ALLOWED_SKIP_PREFIXES`` (for example a PostgreSQL-only test on the SQLite smoke run); any other
skip fails the run when ``KECHUANG_STRICT_SKIPS=1`` (set by ``.ci/run``).
"""

from __future__ import annotations

import os

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import translation

from kechuang.core.triggers import audit_triggers_disable, audit_triggers_enable

ALLOWED_SKIP_PREFIXES = ("postgresql only:", "sqlite only:")
os.environ.setdefault("KECHUANG_CACHE", "locmem")  # before Django reads its settings


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Every test starts with an empty cache (cached profiles are keyed by database ids, which
    tests reuse). The engine's tests also run without Django (``-p no:django``): nothing to clear."""
    if settings.configured:
        cache.clear()
    yield


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the default language: a request in English (the test client runs the
    LocaleMiddleware in the test's thread) would otherwise leave English active, and the formatting
    rules read the active language."""
    if settings.configured:
        translation.activate(settings.LANGUAGE_CODE)
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("KECHUANG_STRICT_SKIPS") != "1" or not report.skipped:
        return
    reason = str(report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr)
    reason = reason.removeprefix("Skipped: ")
    if not reason.lower().startswith(ALLOWED_SKIP_PREFIXES):
        report.outcome = "failed"
        report.longrepr = f"skipped without an allowed reason ({reason!r}); see conftest.py"


@pytest.fixture(autouse=True)
def _audit_triggers_for_flush(request):
    """Transactional tests (live server, browser) end with Django flushing every table, which the
    audit log's append-only triggers rightly refuse. Around such tests only, the triggers are on
    while the test runs and off for the flush."""
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) or \
        "live_server" in request.fixturenames or "transactional_db" in request.fixturenames
    if not transactional:
        yield
        return
    request.getfixturevalue("transactional_db")
    audit_triggers_enable(connection)
    yield
    audit_triggers_disable(connection)
