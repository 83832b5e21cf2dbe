"""Writes made in the admin are audited like any other, and never log a password hash."""

import pytest

from kechuang.accounts.models import Organization
from kechuang.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("root", password="pw-12345678")
    client.force_login(user)
    return client


def test_creating_an_organisation_in_the_admin_is_audited(admin_client):
    response = admin_client.post("/admin/accounts/organization/add/", {
        "name": "示范银行", "kind": "bank", "region": "370100", "is_active": "on"})

    assert response.status_code == 302
    org = Organization.objects.get(name="示范银行")
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor_label, entry.object_id, entry.before) == ("create", "root", str(org.pk), None)
    assert entry.after["kind"] == "bank"


def test_changing_a_user_in_the_admin_logs_before_and_after_without_the_password(admin_client, django_user_model):
    user = django_user_model.objects.create_user("clerk", password="pw-12345678", role="viewer")
    response = admin_client.post(f"/admin/accounts/user/{user.pk}/change/", {
        "username": "clerk", "role": "officer", "is_active": "on", "date_joined_0": "2026-11-01",
        "date_joined_1": "10:00:00", "display_name": "王五"})

    assert response.status_code == 302, response.content[:500]
    entry = AuditEntry.objects.get()
    assert (entry.before["role"], entry.after["role"]) == ("viewer", "officer")
    assert "password" not in entry.before and "password" not in entry.after
