"""Consent in the browser: an enterprise authorises a bank, the bank can then open its profile,
the enterprise revokes, and the bank loses access at once."""

import pytest

from kechuang.accounts.choices import OrganizationKind, Role
from kechuang.core.models import AuditEntry
from kechuang.enterprises.models import Consent, Enterprise
from kechuang.enterprises.tests.factories import bank, load, organization, record, user, uscc

from .conftest import login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_enterprise_grants_then_revokes_a_banks_access(browser, live_server):
    load([record(1, "370102"), record(2, "370102")])
    me = Enterprise.objects.get(uscc=uscc(1, "370102"))
    user("owner", organization(OrganizationKind.ENTERPRISE, "企业1", enterprise=me), Role.ADMIN)
    b = bank()

    owner_page = browser.new_context(locale="zh-CN").new_page()
    login(owner_page, live_server, "owner")
    owner_page.goto(f"{live_server.url}/enterprises/consents/")
    owner_page.select_option("#organization", str(b.organization_id))
    owner_page.select_option("#purpose", "loan_application")
    owner_page.click("#grant-form button")
    owner_page.wait_for_selector("#consent-table >> text=有效")
    shot(owner_page, "consent-granted")

    bank_page = browser.new_context(locale="zh-CN").new_page()
    login(bank_page, live_server, "bank")
    bank_page.goto(f"{live_server.url}/enterprises/")  # login lands on the workbench
    assert bank_page.locator("#enterprise-list tbody tr").count() == 1
    assert bank_page.goto(f"{live_server.url}/enterprises/{me.pk}/").status == 200

    owner_page.click("#consent-table >> text=撤销")
    owner_page.wait_for_selector("#consent-table >> text=已撤销")

    assert bank_page.goto(f"{live_server.url}/enterprises/{me.pk}/").status == 404
    consent = Consent.objects.get()
    assert consent.revoked_at is not None
    # the bank's reads (the list it opened the profile from is audited too, issue 10) lie
    # between the grant and the revocation
    actions = list(AuditEntry.objects.order_by("seq").values_list("action", flat=True))
    assert actions[0] == "grant" and actions[-1] == "revoke" and set(actions[1:-1]) == {"read"}
