"""A pledged item transferred with its pledgee's consent: the price is due to the pledgee — repaid
early or lodged (民法典 第四百四十四条第二款). Signing records it on the consent; the pledgee, and
only the pledgee, records how it was settled, on the pledge's page; bad input writes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from kechuang.core.models import AuditEntry
from kechuang.enterprises.tests.factories import regulator
from kechuang.ip import services as ip_services
from kechuang.trade import choices as c
from kechuang.trade import services
from kechuang.trade.error_codes import TradeErrorCode as E
from kechuang.trade.models import PledgeeConsent

from .factories import AS_OF, P1, bank_with_consent, ip_enterprise, party

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed():
    ent, seller_user = ip_enterprise()
    buyer, buyer_user = party(2)
    bank, bank_user = bank_with_consent(ent)
    ip_services.valuation_run(enterprise=ent, actor=regulator(), as_of=AS_OF)
    pledge = ip_services.pledge_register(enterprise=ent, pledgee=bank, ip_keys=[P1], amount="100000",
                                         registered_on=AS_OF, expires_on=AS_OF + dt.timedelta(days=365),
                                         actor=bank_user)
    consent = services.pledgee_consent_grant(pledge=pledge, ip_key=P1, actor=bank_user)
    assert consent.proceeds_status == ""  # nothing is due before a deal is signed
    listing = services.listing_create(seller=seller_user.organization, ip_key=P1, kind=c.DealKind.TRANSFER,
                                      actor=seller_user)
    deal = services.interest_express(listing=listing, buyer=buyer, actor=buyer_user)
    services.deal_negotiate(deal=deal, actor=seller_user)
    services.deal_agree(deal=deal, price="1500000", terms="", actor=seller_user)
    services.deal_sign(deal=deal, contract_date=AS_OF, actor=seller_user, today=AS_OF)
    consent.refresh_from_db()
    return {"consent": consent, "deal": deal, "pledge": pledge, "bank_user": bank_user, "seller_user": seller_user}


def _code(exc) -> list[str]:
    return [e.code for errs in exc.value.error_dict.values() for e in errs]


def test_signing_makes_the_price_due_to_the_pledgee(signed):
    k = signed["consent"]
    assert (k.deal_id, k.proceeds, k.proceeds_status) == (signed["deal"].pk, Decimal("1500000.00"), c.Proceeds.DUE)
    entry = AuditEntry.objects.filter(object_type="trade.pledgeeconsent", object_id=str(k.pk)).latest("pk")
    assert entry.after["proceeds_status"] == "due" and entry.before["proceeds_status"] == ""


def test_the_pledgee_records_the_settlement_and_others_cannot(signed):
    k, today = signed["consent"], AS_OF + dt.timedelta(days=3)
    with pytest.raises(PermissionDenied):
        services.pledge_proceeds_settle(consent=k, status=c.Proceeds.REPAID, settled_on=today,
                                        actor=signed["seller_user"], today=today)
    for status, on, code in [("paid", today, E.PROCEEDS), (c.Proceeds.REPAID, None, E.PROCEEDS_DATE),
                             (c.Proceeds.REPAID, AS_OF - dt.timedelta(days=1), E.PROCEEDS_DATE),
                             (c.Proceeds.REPAID, today + dt.timedelta(days=1), E.PROCEEDS_DATE)]:
        with pytest.raises(ValidationError) as exc:
            services.pledge_proceeds_settle(consent=k, status=status, settled_on=on, actor=signed["bank_user"],
                                            today=today)
        assert _code(exc) == [code]
    k.refresh_from_db()
    assert (k.proceeds_status, k.proceeds_on) == (c.Proceeds.DUE, None)
    services.pledge_proceeds_settle(consent=k, status=c.Proceeds.LODGED, settled_on=today, note="公证提存",
                                    actor=signed["bank_user"], today=today)
    k.refresh_from_db()
    assert (k.proceeds_status, k.proceeds_on, k.proceeds_note) == (c.Proceeds.LODGED, today, "公证提存")
    with pytest.raises(ValidationError) as exc:  # settled once
        services.pledge_proceeds_settle(consent=k, status=c.Proceeds.REPAID, settled_on=today,
                                        actor=signed["bank_user"], today=today)
    assert _code(exc) == [E.PROCEEDS]


def test_the_pledge_page_shows_the_due_price_and_takes_the_settlement(signed):
    cl = Client()
    cl.force_login(signed["bank_user"])
    url = f"/ip/pledges/{signed['pledge'].pk}/"
    page = cl.get(url).content.decode()
    assert 'id="pledge-consents"' in page and "150.00万元" in page and "价款待提前清偿或提存" in page
    assert "proceeds-form" in page
    k = signed["consent"]
    r = cl.post(f"/trade/pledge-consents/{k.pk}/proceeds/", {"status": "repaid", "settled_on": AS_OF.isoformat()})
    assert r.status_code == 302
    k.refresh_from_db()
    assert k.proceeds_status == c.Proceeds.REPAID
    assert "已向质权人提前清偿" in cl.get(url).content.decode()
    cl.force_login(signed["seller_user"])  # the pledgor sees it, without the form
    page = cl.get(url).content.decode()
    assert "已向质权人提前清偿" in page and "proceeds-form" not in page
    assert PledgeeConsent.objects.get(pk=k.pk).proceeds_on == AS_OF
