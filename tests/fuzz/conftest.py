"""Print the fuzz run's counts in pytest's summary, so ``.ci/run`` shows them."""

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import override_settings


@pytest.fixture
def keep_test_connection():
    """The WSGI handler closes the database connection after each request, which would end the
    test's transaction: detach it the way Django's test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def settings_fast_hashing():
    """Basic auth checks the password on every request: a fast hasher keeps the run bounded."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


def pytest_terminal_summary(terminalreporter):
    from .test_fuzz_api import RESULTS
    if not RESULTS:
        return
    r = RESULTS
    terminalreporter.write_sep("=", "API fuzz run (schemathesis over docs/openapi.yaml)")
    terminalreporter.write_line(
        f"operations {r['operations']} × logins {r['logins']}: {r.get('cases', 0)} cases, "
        f"{r.get('server_errors', 0)} responses 5xx, {r.get('schema_violations', 0)} schema violations, "
        f"{r.get('unvalidated', 0)} database errors caught only by the last-resort mapping "
        f"({r['seconds']:.0f} s)")
