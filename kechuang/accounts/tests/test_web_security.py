"""Issue #10 point 4: DEBUG off, own error pages, server-side logout, login throttling, passwords,
security headers."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import include, path

from kechuang.accounts import throttle
from kechuang.core.models import AuditEntry


def _boom(request):
    raise RuntimeError("SECRET-INTERNAL-DETAIL")


def _deny(request):
    raise PermissionDenied("SECRET-DENY-DETAIL")


urlpatterns = [
    path("boom/", _boom),
    path("deny/", _deny),
    path("", include("kechuang.urls")),
]


def test_debug_is_off_by_default_and_a_secret_key_is_kept(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("KECHUANG_DEBUG", "KECHUANG_SECRET_KEY")}
    env.update(KECHUANG_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="kechuang.settings")
    code = ("import kechuang.settings as s; print(s.DEBUG, len(s.SECRET_KEY) > 40, "
            "s.SESSION_COOKIE_HTTPONLY, s.SESSION_ENGINE)")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True", "True", "django.contrib.sessions.backends.cached_db"]
    key_file = tmp_path / "secret_key"
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    first = key_file.read_text()
    subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True)
    assert key_file.read_text() == first  # kept, not regenerated
    env["KECHUANG_DEBUG"] = "1"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split()[0] == "True"


def _assert_no_leak(body: str):
    for leaked in ("Traceback", "SECRET-", "settings", "DATABASE", "/work/", "site-packages", "urlpatterns"):
        assert leaked not in body


@pytest.mark.django_db
def test_404_page_is_the_platforms_own(client):
    response = client.get("/no-such-page/")
    body = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in body and "Not found" in body
    _assert_no_leak(body)


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_500_and_403_pages_are_the_platforms_own(client, django_user_model):
    client.raise_request_exception = False
    response = client.get("/boom/")
    body = response.content.decode()
    assert response.status_code == 500
    assert "服务器内部错误" in body and "Server error" in body
    _assert_no_leak(body)
    response = client.get("/deny/")
    body = response.content.decode()
    assert response.status_code == 403
    assert "无权访问" in body and "Forbidden" in body
    _assert_no_leak(body)


@pytest.mark.django_db
def test_logout_ends_the_session_on_the_server(client, django_user_model):
    django_user_model.objects.create_user("clerk", password="Kc-very-long-pw-1", role="viewer")
    assert client.login(username="clerk", password="Kc-very-long-pw-1")
    key = client.session.session_key
    assert Session.objects.filter(session_key=key).count() == 1
    assert client.get("/accounts/logout/").status_code == 405  # GET does not log out
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert Session.objects.filter(session_key=key).count() == 0
    # Replaying the old cookie does not bring the session back.
    client.cookies["sessionid"] = key
    assert client.get("/enterprises/").status_code == 302


def _fail(client, username, address="10.0.0.1"):
    return client.post("/accounts/login/", {"username": username, "password": "wrong"},
                       REMOTE_ADDR=address)


@pytest.mark.django_db
def test_login_throttled_per_account(client, django_user_model):
    django_user_model.objects.create_user("clerk", password="Kc-very-long-pw-1", role="viewer")
    before = AuditEntry.objects.count()
    codes = [_fail(client, "clerk", f"10.0.0.{i}").status_code for i in range(1, 7)]
    assert codes == [200, 200, 200, 200, 429, 429]
    # Even the right password is refused while locked; from another address too.
    response = client.post("/accounts/login/", {"username": "clerk", "password": "Kc-very-long-pw-1"},
                           REMOTE_ADDR="10.0.0.99")
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
    assert int(response["Retry-After"]) > 800
    assert "_auth_user_id" not in client.session
    entries = AuditEntry.objects.order_by("seq")[before:]
    assert [(e.action, e.object_id, e.context["kind"]) for e in entries] == [("login", "clerk", "account")]
    # Another account is not affected.
    django_user_model.objects.create_user("other", password="Kc-very-long-pw-2", role="viewer")
    ok = client.post("/accounts/login/", {"username": "other", "password": "Kc-very-long-pw-2"},
                     REMOTE_ADDR="10.0.0.98")
    assert ok.status_code == 302


@pytest.mark.django_db
def test_login_throttled_per_address(client):
    codes = [_fail(client, f"user{i}", "10.9.9.9").status_code for i in range(throttle.ADDRESS_LIMIT + 1)]
    assert codes == [200] * (throttle.ADDRESS_LIMIT - 1) + [429, 429]
    assert _fail(client, "fresh", "10.9.9.10").status_code == 200


@pytest.mark.django_db
def test_password_validators_reject_similar_common_short_numeric(django_user_model):
    user = django_user_model(username="zhangwei2024", email="zhangwei@example.cn")
    for bad in ("zhangwei2024", "password123", "Ab1!x", "8461937205"):
        with pytest.raises(ValidationError):
            validate_password(bad, user)
    validate_password("Qiyun-Huaxia-7731", user)


@pytest.mark.django_db
def test_security_headers(client):
    response = client.get("/accounts/login/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_csp_header_on_pages_api_and_error_pages(client, django_user_model):
    client.raise_request_exception = False
    django_user_model.objects.create_user("clerk", password="Kc-very-long-pw-1", role="viewer")
    client.login(username="clerk", password="Kc-very-long-pw-1")
    nonces = set()
    for url, status in (("/enterprises/", 200), ("/api/enterprises/", 200), ("/no-such/", 404),
                        ("/boom/", 500), ("/accounts/login/", 200)):
        response = client.get(url)
        assert response.status_code == status, url
        policy = response["Content-Security-Policy"]
        assert "script-src 'self' 'nonce-" in policy and "frame-ancestors 'none'" in policy
        assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
        nonces.add(policy.split("'nonce-")[1].split("'")[0])
    assert len(nonces) == 5  # a fresh nonce per response


@pytest.mark.django_db
def test_inline_scripts_carry_the_nonce(client, django_user_model):
    django_user_model.objects.create_user("clerk", password="Kc-very-long-pw-1", role="viewer")
    client.login(username="clerk", password="Kc-very-long-pw-1")
    response = client.get("/enterprises/")
    nonce = response["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    body = response.content.decode()
    assert f'<script nonce="{nonce}">' in body
    assert "onclick=" not in body and "onchange=" not in body


@pytest.mark.django_db
def test_api_basic_auth_shares_the_account_throttle(client, django_user_model):
    import base64

    django_user_model.objects.create_user("clerk", password="Kc-very-long-pw-1", role="viewer")

    def basic(password):
        token = base64.b64encode(f"clerk:{password}".encode()).decode()
        return client.get("/api/enterprises/", HTTP_AUTHORIZATION=f"Basic {token}", REMOTE_ADDR="10.1.1.1")

    assert basic("Kc-very-long-pw-1").status_code == 200
    # DRF answers 403 for failed credentials (session authentication comes first).
    assert [basic("wrong").status_code for _ in range(throttle.ACCOUNT_LIMIT)] == [403] * 5
    assert basic("Kc-very-long-pw-1").status_code == 403  # locked: even the right password
    assert AuditEntry.objects.filter(object_type="accounts.lockout", object_id="clerk").count() == 1


def test_concurrent_failures_are_all_counted():
    """Many workers failing at once for one address: every failure counts (the counter is the
    cache's atomic increment, not a read followed by a write that loses concurrent updates)."""
    import threading

    from django.core.cache import cache

    cache.clear()
    threads, per_thread = 8, 40
    barrier = threading.Barrier(threads)
    old_interval = sys.getswitchinterval()

    def fail_many():
        barrier.wait()
        for _ in range(per_thread):
            throttle.record_failure("", "10.7.7.7")

    sys.setswitchinterval(1e-6)
    try:
        workers = [threading.Thread(target=fail_many) for _ in range(threads)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
    finally:
        sys.setswitchinterval(old_interval)
    count, started = throttle._state(throttle._key("address", "10.7.7.7"))
    assert count == threads * per_thread
    assert started > 0
