"""Who reads which audit entries, on the page: a superuser all; a city regulator its city; a
district regulator its district plus its own organisation's; institutions and enterprises only
their own organisation's actions; nobody acts on the log."""

import pytest
from django.test import TestCase
from django.urls import reverse

from kechuang.accounts.choices import OrganizationKind, Role
from kechuang.core.models import AuditEntry, AuditSeal
from kechuang.core.services import audit_record, audit_seal
from kechuang.enterprises.models import Enterprise
from kechuang.enterprises.tests.factories import bank, load, organization, record, regulator, user

pytestmark = pytest.mark.django_db


@pytest.fixture
def log(django_user_model):
    load([record(1, "370102"), record(2, "370112")])
    lixia_ent, gaoxin_ent = Enterprise.objects.get(region_code="370102"), Enterprise.objects.get(region_code="370112")
    people = {
        "root": django_user_model.objects.create_superuser("root", password="pw-12345678"),
        "city": regulator("city", "370100"),
        "lixia": regulator("lixia", "370102", role=Role.VIEWER),
        "gaoxin": regulator("gaoxin", "370112"),
        "bank": bank("bank1"),
        "bank2": bank("bank2"),
        "ent": user("ent", organization(OrganizationKind.ENTERPRISE, "企业甲", "370102", enterprise=lixia_ent)),
    }
    ids = {
        # the object's region wins: a bank (org in 370100) reads a Lixia enterprise
        "bank_reads_lixia": audit_record(actor=people["bank"], action="read", instance=lixia_ent).object_id,
        "bank_reads_gaoxin": audit_record(actor=people["bank"], action="read", instance=gaoxin_ent).object_id,
        "bank2_writes": audit_record(actor=people["bank2"], action="update", object_type="x.y", object_id="b2",
                                     region_code="370112").object_id,
        # no object region: the actor organisation's (Lixia regulator's own action)
        "lixia_acts": audit_record(actor=people["lixia"], action="update", object_type="x.y", object_id="lx").object_id,
        "ent_acts": audit_record(actor=people["ent"], action="update", object_type="x.y", object_id="en").object_id,
        "system": audit_record(actor="command:import", action="import", object_type="x.y", object_id="sys").object_id,
    }
    return people, ids


def _seen(client, who):
    client.force_login(who)
    response = client.get(reverse("core:audit_list"))
    assert response.status_code == 200
    return {e.object_id for e in response.context["page"].object_list}


def test_entries_carry_the_region_they_concern(log):
    people, ids = log
    regions = dict(AuditEntry.objects.values_list("object_id", "region_code"))
    assert {k: regions[v] for k, v in ids.items()} == {
        "bank_reads_lixia": "370102", "bank_reads_gaoxin": "370112", "bank2_writes": "370112",
        "lixia_acts": "370102", "ent_acts": "370102", "system": ""}


@pytest.mark.parametrize("who, expected", [
    pytest.param("root", {"bank_reads_lixia", "bank_reads_gaoxin", "bank2_writes", "lixia_acts", "ent_acts", "system"},
                 id="superuser-all"),
    pytest.param("city", {"bank_reads_lixia", "bank_reads_gaoxin", "bank2_writes", "lixia_acts", "ent_acts"},
                 id="city-regulator-its-city"),
    pytest.param("lixia", {"bank_reads_lixia", "lixia_acts", "ent_acts"}, id="district-regulator-its-district"),
    pytest.param("gaoxin", {"bank_reads_gaoxin", "bank2_writes"}, id="other-district"),
    pytest.param("bank", {"bank_reads_lixia", "bank_reads_gaoxin"}, id="institution-own-actions"),
    pytest.param("bank2", {"bank2_writes"}, id="other-institution-own-actions"),
    pytest.param("ent", {"ent_acts"}, id="enterprise-own-actions"),
])
def test_audit_page_is_scoped_by_region_and_role(client, log, who, expected):
    people, ids = log
    assert _seen(client, people[who]) == {ids[k] for k in expected}


def test_a_user_without_organisation_is_refused(client, log, django_user_model):
    loner = django_user_model.objects.create_user("loner", password="pw-12345678")
    client.force_login(loner)
    assert client.get(reverse("core:audit_list")).status_code == 403
    client.logout()
    assert client.get(reverse("core:audit_list")).status_code == 302  # to the login page


def test_nobody_acts_on_the_log_from_the_page(client, log):
    people, _ids = log
    before = list(AuditEntry.objects.order_by("seq").values_list("seq", "purpose"))
    client.force_login(people["lixia"])  # a viewer
    assert client.post(reverse("core:audit_list"), {"purpose": "x"}).status_code == 405
    client.force_login(people["root"])
    assert client.post(reverse("core:audit_list"), {"purpose": "x"}).status_code == 405
    assert list(AuditEntry.objects.order_by("seq").values_list("seq", "purpose")) == before


def test_the_page_marks_unsealed_entries(client, log):
    people, ids = log
    client.force_login(people["ent"])
    assert client.get(reverse("core:audit_list")).content.decode().count("待封存") == 2  # the note and the entry
    with TestCase.captureOnCommitCallbacks(execute=True):
        audit_seal()
    page = client.get(reverse("core:audit_list")).content.decode()
    position = AuditSeal.objects.get(entry_seq=AuditEntry.objects.get(object_id=ids["ent_acts"]).seq).position
    assert (page.count("待封存"), f"@{position}" in page) == (1, True)
