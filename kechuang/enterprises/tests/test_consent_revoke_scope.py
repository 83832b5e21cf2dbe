"""Issue 10: revoking a consent goes through ``Consent.objects.restrict(user, "change")`` on the
page and the API alike — only the enterprise itself reaches it; the holder and the regulator (who
read it) and anyone else are told 404 and nothing changes."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from kechuang.accounts.choices import OrganizationKind as K
from kechuang.enterprises.models import Consent
from kechuang.enterprises.services import consent_grant

from .factories import load, organization, record, regulator, user

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    load([record(1, "370102"), record(2, "370102")])
    from kechuang.enterprises.models import Enterprise

    e1, e2 = Enterprise.objects.order_by("pk")[:2]
    owner = user("owner", organization(K.ENTERPRISE, "企业一", enterprise=e1), role="admin")
    other = user("other-ent", organization(K.ENTERPRISE, "企业二", enterprise=e2), role="admin")
    bank_org = organization(K.BANK, "银行甲")
    holder = user("holder", bank_org)
    consent = consent_grant(enterprise=e1, organization=bank_org, purpose="credit_assessment",
                            valid_until=timezone.now() + timedelta(days=30), actor=owner)
    return dict(owner=owner, other=other, holder=holder, consent=consent,
                city=regulator("city", "370100", role="officer"))


def signed_in(u):
    c = Client()
    c.force_login(u)
    return c


@pytest.mark.parametrize("who", ["other", "holder", "city"])
def test_only_the_enterprise_reaches_its_consent_to_revoke_it(w, who):
    url = f"/enterprises/consents/{w['consent'].pk}/revoke/"
    assert signed_in(w[who]).post(url).status_code == 404
    assert signed_in(w[who]).post(f"/api/consents/{w['consent'].pk}/revoke/").status_code == 404
    assert Consent.objects.get(pk=w["consent"].pk).revoked_at is None


def test_the_holder_and_the_regulator_still_read_it(w):
    for who in ("holder", "city", "owner"):
        assert signed_in(w[who]).get(f"/api/consents/{w['consent'].pk}/").status_code == 200


def test_the_enterprise_revokes_its_own(w):
    r = signed_in(w["owner"]).post(f"/enterprises/consents/{w['consent'].pk}/revoke/")
    assert r.status_code == 302
    assert Consent.objects.get(pk=w["consent"].pk).revoked_by == w["owner"]


def test_restrict_change_is_the_enterprise_own_only(w):
    assert list(Consent.objects.restrict(w["owner"], "change")) == [w["consent"]]
    for who in ("other", "holder", "city"):
        assert list(Consent.objects.restrict(w[who], "change")) == []
    assert list(Consent.objects.restrict(w["holder"], "view")) == [w["consent"]]
