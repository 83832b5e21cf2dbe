"""Access: restrict(user, "view") for every read; institutions read under consent, audited."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from kechuang.core.models import AuditEntry
from kechuang.enterprises.choices import ConsentPurpose
from kechuang.enterprises.models import Consent
from kechuang.enterprises.tests.factories import bank, regulator

from .factories import GOLDEN_USCC, load_golden

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_bank_without_consent_gets_404_everywhere_and_nothing_is_logged():
    ent = load_golden("tsme-base")
    b = bank()
    before = AuditEntry.objects.count()
    c = login(b)

    assert c.get(f"/evaluation/enterprises/{ent.pk}/").status_code == 404
    assert c.post(f"/evaluation/enterprises/{ent.pk}/", {"employees": "10"}).status_code == 404
    assert c.get(f"/api/enterprises/{GOLDEN_USCC}/evaluation/").status_code == 404
    assert c.post(f"/api/enterprises/{GOLDEN_USCC}/evaluation/what-if/", {"changes": {}},
                  content_type="application/json").status_code == 404
    assert c.get("/evaluation/").status_code == 403
    assert AuditEntry.objects.count() == before


def test_bank_with_consent_reads_the_report_and_the_read_is_logged_with_the_consent():
    ent = load_golden("tsme-base")
    b = bank()
    consent = Consent.objects.create(enterprise=ent, organization=b.organization,
                                     purpose=ConsentPurpose.LOAN_APPLICATION,
                                     valid_until=timezone.now() + timedelta(days=30))
    c = login(b)

    response = c.get(f"/evaluation/enterprises/{ent.pk}/?as_of=2026-11-22")
    api = c.get(f"/api/enterprises/{GOLDEN_USCC}/evaluation/", {"as_of": "2026-11-22"})

    assert response.status_code == 200 and api.status_code == 200
    entries = list(AuditEntry.objects.filter(action="read").order_by("seq"))
    assert [(e.actor_label, e.object_id, e.context["consent_id"], e.context["what"]) for e in entries] == [
        ("bank", str(ent.pk), consent.pk, "evaluation as of 2026-11-22"),
        ("bank", str(ent.pk), consent.pk, "api evaluation as of 2026-11-22")]


def test_regulator_of_another_region_gets_404():
    ent = load_golden("tsme-base")
    other = regulator("qingdao", region="370200")

    assert login(other).get(f"/evaluation/enterprises/{ent.pk}/").status_code == 404
