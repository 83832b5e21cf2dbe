"""Row-level access through ``Enterprise.objects.restrict`` and consent."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kechuang.accounts.choices import OrganizationKind, Role
from kechuang.accounts.models import within_region
from kechuang.core.models import AuditEntry
from kechuang.enterprises.choices import ConsentPurpose
from kechuang.enterprises.error_codes import EnterpriseErrorCode
from kechuang.enterprises.models import Consent, Enterprise
from kechuang.enterprises.services import consent_grant, consent_revoke, enterprise_profile_read

from .factories import bank, load, organization, record, regulator, user, uscc

pytestmark = pytest.mark.django_db


@pytest.fixture
def region():
    load([record(1, "370102"), record(2, "370102"), record(3, "370112")])
    return {e.uscc: e for e in Enterprise.objects.all()}


def test_city_regulator_sees_its_whole_city_and_district_regulator_only_its_district(region):
    city = regulator("city", "370100")
    lixia = regulator("lixia", "370102", role=Role.VIEWER)

    assert Enterprise.objects.restrict(city).count() == 3
    assert set(Enterprise.objects.restrict(lixia).values_list("uscc", flat=True)) == {uscc(1), uscc(2)}
    assert Enterprise.objects.restrict(lixia, "change").count() == 0  # viewers never change


def test_bank_sees_only_enterprises_with_active_consent(region):
    b = bank()
    owner = user("owner", organization(OrganizationKind.ENTERPRISE, enterprise=region[uscc(1)]), Role.ADMIN)
    assert Enterprise.objects.restrict(b).count() == 0

    consent = consent_grant(enterprise=region[uscc(1)], organization=b.organization,
                            purpose=ConsentPurpose.CREDIT_ASSESSMENT,
                            valid_until=timezone.now() + timedelta(days=30), actor=owner)
    assert list(Enterprise.objects.restrict(b).values_list("uscc", flat=True)) == [uscc(1)]
    assert Enterprise.objects.restrict(b, "change").count() == 0

    consent_revoke(consent=consent, actor=owner)
    assert Enterprise.objects.restrict(b).count() == 0
    assert list(AuditEntry.objects.order_by("seq").values_list("action", flat=True)) == ["grant", "revoke"]


def test_expired_consent_gives_no_access(region):
    b = bank()
    Consent.objects.create(enterprise=region[uscc(1)], organization=b.organization,
                           purpose=ConsentPurpose.LOAN_APPLICATION,
                           valid_from=timezone.now() - timedelta(days=60),
                           valid_until=timezone.now() - timedelta(days=1))
    assert Enterprise.objects.restrict(b).count() == 0


def test_enterprise_sees_itself_only(region):
    me = user("me", organization(OrganizationKind.ENTERPRISE, enterprise=region[uscc(3, "370112")]))
    assert list(Enterprise.objects.restrict(me).values_list("uscc", flat=True)) == [uscc(3, "370112")]


def test_only_the_enterprise_can_grant_and_nothing_changes_when_denied(region):
    b = bank()
    with pytest.raises(PermissionDenied):
        consent_grant(enterprise=region[uscc(1)], organization=b.organization,
                      purpose=ConsentPurpose.CREDIT_ASSESSMENT,
                      valid_until=timezone.now() + timedelta(days=30), actor=b)
    assert (Consent.objects.count(), AuditEntry.objects.count()) == (0, 0)


def test_consent_period_must_be_in_the_future(region):
    owner = user("owner", organization(OrganizationKind.ENTERPRISE, enterprise=region[uscc(1)]), Role.ADMIN)
    with pytest.raises(ValidationError) as err:
        consent_grant(enterprise=region[uscc(1)], organization=bank().organization,
                      purpose=ConsentPurpose.CREDIT_ASSESSMENT,
                      valid_until=timezone.now() - timedelta(days=1), actor=owner)
    assert err.value.error_dict["valid_until"][0].code == EnterpriseErrorCode.CONSENT_PERIOD
    assert Consent.objects.count() == 0


def test_institution_reads_are_audited_with_the_consent_used(region):
    b = bank()
    consent = Consent.objects.create(enterprise=region[uscc(2)], organization=b.organization,
                                     purpose=ConsentPurpose.LOAN_APPLICATION,
                                     valid_until=timezone.now() + timedelta(days=5))

    used = enterprise_profile_read(enterprise=region[uscc(2)], user=b)

    entry = AuditEntry.objects.get()
    assert used == consent
    assert (entry.action, entry.actor_label, entry.organization_id, entry.object_id) == (
        "read", "bank", b.organization_id, str(region[uscc(2)].pk))
    assert entry.context == {"what": "profile", "consent_id": consent.pk}
    assert entry.purpose == "贷款申请"


def test_institution_read_without_consent_is_refused_and_not_logged_as_read(region):
    with pytest.raises(PermissionDenied):
        enterprise_profile_read(enterprise=region[uscc(1)], user=bank())
    assert AuditEntry.objects.count() == 0


@pytest.mark.parametrize("code, inside, outside", [
    pytest.param("370000", ["370102", "371700"], ["380100", "360100"], id="province"),
    pytest.param("370100", ["370102", "370126"], ["370200", "370099"], id="city"),
    pytest.param("370112", ["370112"], ["370113", "370111"], id="district"),
])
def test_within_region_is_the_prefix_range(code, inside, outside):
    load([record(i, r) for i, r in enumerate([*inside, *outside], start=50)])
    found = set(Enterprise.objects.filter(within_region(code)).values_list("region_code", flat=True))
    assert found == set(inside)


def test_the_profile_page_links_to_the_evaluation_report_and_the_rating_card(region, client):
    from django.urls import reverse

    e = region[uscc(1)]
    client.force_login(regulator("city", "370100"))

    html = client.get(reverse("enterprises:enterprise_detail", args=[e.pk])).content.decode()

    assert f'href="{reverse("evaluation:evaluationresult_report", args=[e.pk])}"' in html
    assert f'href="{reverse("rating:ratingresult_card", args=[e.pk])}"' in html
