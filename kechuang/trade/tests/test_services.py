"""The trade services: the state machine from listing to registration, the facts both parties gain
with the deal as provenance, the live metrics, and every refusal (coded, nothing written)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kechuang.accounts.choices import OrganizationKind as K
from kechuang.core.models import AuditEntry
from kechuang.enterprises.models import IPFact, SourceBatch
from kechuang.enterprises.tests.factories import load, record, regulator
from kechuang.ip import services as ip_services
from kechuang.ip.selectors import ip_items
from kechuang.trade import choices as c
from kechuang.trade import metrics, services
from kechuang.trade.error_codes import TradeErrorCode as E
from kechuang.trade.models import Deal, Listing

from .factories import AS_OF, P1, P2, P3, bank_with_consent, ip_enterprise, party

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    ent, ent_user = ip_enterprise()  # holds P1, P2 (expired), P3; region 370102
    seller = ent_user.organization
    buyer, buyer_user = party(2)
    uni, uni_user = party(3, K.UNIVERSITY, region="370102")
    return {"ent": ent, "seller": seller, "seller_user": ent_user, "buyer": buyer, "buyer_user": buyer_user,
            "uni": uni, "uni_user": uni_user}


def _code(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [e.code for errs in exc.error_dict.values() for e in errs]
    return [e.code for e in exc.error_list]


def _to_agreed(w, kind=c.DealKind.TRANSFER, key=P1, price="1500000", buyer=None, buyer_user=None, listing=None):
    listing = listing or services.listing_create(seller=w["seller"], ip_key=key, kind=kind, actor=w["seller_user"],
                                                 asking_price=price)
    deal = services.interest_express(listing=listing, buyer=buyer or w["buyer"], actor=buyer_user or w["buyer_user"],
                                     message="意向")
    services.deal_negotiate(deal=deal, actor=w["seller_user"])
    return services.deal_agree(deal=deal, price=price, terms="一次性付清", actor=w["seller_user"],
                               payment_schedule=[{"due_on": "2026-12-31", "amount": str(Decimal(price) * 2 / 3)}])


def test_transfer_from_listing_to_registration_moves_the_item_with_provenance(world):
    w = world
    deal = _to_agreed(w)
    assert (deal.state, deal.price, deal.payment_schedule) == (
        c.DealState.AGREED, Decimal("1500000.00"), [{"due_on": "2026-12-31", "amount": "1000000.00"}])
    deal = services.deal_sign(deal=deal, contract_date=AS_OF, actor=w["buyer_user"])
    assert deal.state == c.DealState.SIGNED and Listing.objects.get(pk=deal.listing_id).status == c.ListingStatus.CLOSED
    # the seller no longer holds P1 (marked transferred out on the contract date) …
    assert P1 not in {i["number"] for i in ip_items(w["ent"])}
    seller_item = next(i for i in ip_items(w["ent"], all_items=True) if i["number"] == P1)
    assert seller_item["transferred_out_on"] == AS_OF
    # … the buyer does, acquired by transfer, and both facts name the deal's batch
    buyer_item = next(i for i in ip_items(w["buyer"].enterprise) if i["number"] == P1)
    assert (buyer_item["acquisition"], buyer_item["acquired_on"], buyer_item["title"]) == ("transferred", AS_OF, "一种数据加密方法")
    assert "attributable_revenue" not in buyer_item  # the seller's revenue from the item is not the buyer's
    for ent, batch in ((w["ent"], deal.seller_batch_id), (w["buyer"].enterprise, deal.buyer_batch_id)):
        fact = IPFact.objects.get(enterprise=ent, key=P1, superseded_at__isnull=True, source__code="ip-trade")
        assert fact.batch_id == batch and SourceBatch.objects.get(pk=batch).file_name == f"技术交易#{deal.pk}"
    deal = services.deal_register(deal=deal, registration_number="2026370102000123", actor=w["seller_user"])
    assert deal.state == c.DealState.REGISTERED
    steps = AuditEntry.objects.filter(object_type="trade.deal", object_id=str(deal.pk)).count()
    assert steps == 5  # interest, negotiate, agree, sign, register
    # the sold item can no longer be listed by the seller
    with pytest.raises(ValidationError) as exc:
        services.listing_create(seller=w["seller"], ip_key=P1, kind=c.DealKind.LICENCE, actor=w["seller_user"])
    assert _code(exc.value) == [E.NOT_HELD]


def test_licence_counts_on_the_seller_and_gives_the_buyer_a_licence_not_the_item(world):
    w = world
    deal = _to_agreed(w, kind=c.DealKind.LICENCE, price="300000")
    services.deal_sign(deal=deal, contract_date=AS_OF, actor=w["seller_user"])
    seller_item = next(i for i in ip_items(w["ent"]) if i["number"] == P1)
    assert seller_item["licences"] == 2  # the factory's 1 + this one
    assert P1 not in {i["number"] for i in ip_items(w["buyer"].enterprise)}  # a licensee does not own it
    buyer_item = next(i for i in ip_items(w["buyer"].enterprise, all_items=True) if i["number"] == P1)
    assert buyer_item["held_as"] == "licensee"
    assert Listing.objects.get(pk=deal.listing_id).status == c.ListingStatus.LISTED  # a licence can be granted again


def test_live_metrics_count_signed_deals_by_district_and_period(world):
    w = world
    d1 = _to_agreed(w, kind=c.DealKind.LICENCE, price="300000")
    services.deal_sign(deal=d1, contract_date=AS_OF, actor=w["seller_user"])
    load([record(3, "370102", ip=[{"number": "ZL202110000009.9", "title": "高校专利", "type": "invention_patent",
                                   "filed_on": "2021-01-01", "granted_on": "2023-01-01"}])])
    uni_listing = services.listing_create(seller=w["uni"], ip_key="ZL202110000009.9", kind=c.DealKind.EQUITY,
                                          actor=w["uni_user"], asking_price="2000000")
    d2 = services.interest_express(listing=uni_listing, buyer=w["buyer"], actor=w["buyer_user"])
    with pytest.raises(PermissionDenied):  # only the university's writer takes the seller's steps
        services.deal_negotiate(deal=d2, actor=w["seller_user"])
    services.deal_negotiate(deal=d2, actor=w["uni_user"])
    services.deal_agree(deal=d2, price="2000000", terms="", actor=w["uni_user"])
    services.deal_sign(deal=d2, contract_date=dt.date(2025, 6, 30), actor=w["uni_user"], today=AS_OF)
    unsigned = _to_agreed(w, kind=c.DealKind.LICENCE, key=P3, price="999")  # agreed, never signed: not counted
    assert unsigned.state == c.DealState.AGREED
    year = {"start": dt.date(2026, 1, 1), "end": dt.date(2026, 12, 31)}
    assert metrics.tech_contract_turnover(region_code="370102", **year) == (Decimal("300000.00"), None)
    assert metrics.ip_transactions(region_code="370100", **year) == (Decimal("1"), None)
    assert metrics.tech_contract_turnover(region_code="370103", **year) == (Decimal("0"), None)  # the buyer's district
    last = {"start": dt.date(2025, 1, 1), "end": dt.date(2025, 12, 31)}
    assert metrics.ip_equity_amount(region_code="370100", **last) == (Decimal("2000000.00"), None)
    assert metrics.tech_contract_turnover(region_code="370100", **last) == (Decimal("2000000.00"), None)
    # the university now holds no more than it did: the item went to the buyer as owner
    assert "ZL202110000009.9" in {i["number"] for i in ip_items(w["buyer"].enterprise)}


@pytest.mark.parametrize(("key", "price", "code"), [
    ("ZL209990000000.0", "100", E.NOT_HELD),  # a deal for IP the seller does not hold
    (P2, "100", E.EXPIRED),  # an expired patent
    (P1, "0", E.PRICE), (P1, "-5", E.PRICE), (P1, "abc", E.PRICE),
])
def test_listing_refusals_write_nothing(world, key, price, code):
    with pytest.raises(ValidationError) as exc:
        services.listing_create(seller=world["seller"], ip_key=key, kind=c.DealKind.TRANSFER,
                                actor=world["seller_user"], asking_price=price)
    assert _code(exc.value) == [code]
    assert Listing.objects.count() == 0 and not AuditEntry.objects.filter(object_type="trade.listing").exists()


def test_a_pledged_item_is_listed_only_with_the_pledgees_consent(world):
    w = world
    bank, bank_user = bank_with_consent(w["ent"])
    ip_services.valuation_run(enterprise=w["ent"], actor=regulator(), as_of=AS_OF)
    pledge = ip_services.pledge_register(enterprise=w["ent"], pledgee=bank, ip_keys=[P1], amount="100000",
                                         registered_on=AS_OF, expires_on=AS_OF + dt.timedelta(days=365), actor=bank_user)
    with pytest.raises(ValidationError) as exc:
        services.listing_create(seller=w["seller"], ip_key=P1, kind=c.DealKind.TRANSFER, actor=w["seller_user"])
    assert _code(exc.value) == [E.PLEDGED] and Listing.objects.count() == 0
    with pytest.raises(PermissionDenied):  # the pledgor cannot consent for the pledgee
        services.pledgee_consent_grant(pledge=pledge, ip_key=P1, actor=w["seller_user"])
    services.pledgee_consent_grant(pledge=pledge, ip_key=P1, actor=bank_user, note="同意")
    assert services.listing_create(seller=w["seller"], ip_key=P1, kind=c.DealKind.TRANSFER, actor=w["seller_user"]).pk


def test_agreeing_a_price_not_above_zero_is_refused_and_the_deal_stays(world):
    w = world
    listing = services.listing_create(seller=w["seller"], ip_key=P1, kind=c.DealKind.TRANSFER, actor=w["seller_user"])
    deal = services.interest_express(listing=listing, buyer=w["buyer"], actor=w["buyer_user"])
    services.deal_negotiate(deal=deal, actor=w["seller_user"])
    for bad in ("0", "-1", "NaN"):
        with pytest.raises(ValidationError) as exc:
            services.deal_agree(deal=deal, price=bad, terms="", actor=w["seller_user"])
        assert _code(exc.value) == [E.PRICE]
    deal.refresh_from_db()
    assert (deal.state, deal.price) == (c.DealState.NEGOTIATING, None)


def test_steps_out_of_order_are_refused_and_change_nothing(world):
    w = world
    listing = services.listing_create(seller=w["seller"], ip_key=P1, kind=c.DealKind.TRANSFER, actor=w["seller_user"])
    deal = services.interest_express(listing=listing, buyer=w["buyer"], actor=w["buyer_user"])
    for step in (lambda: services.deal_sign(deal=deal, contract_date=AS_OF, actor=w["seller_user"]),
                 lambda: services.deal_register(deal=deal, registration_number="X1", actor=w["seller_user"]),
                 lambda: services.deal_agree(deal=deal, price="10", terms="", actor=w["seller_user"])):
        with pytest.raises(ValidationError) as exc:
            step()
        assert _code(exc.value) == [E.OUT_OF_ORDER]
    services.deal_withdraw(deal=deal, actor=w["buyer_user"], reason="不需要了")
    with pytest.raises(ValidationError) as exc:
        services.deal_negotiate(deal=deal, actor=w["seller_user"])
    assert _code(exc.value) == [E.OUT_OF_ORDER]
    deal.refresh_from_db()
    assert deal.state == c.DealState.WITHDRAWN and not IPFact.objects.filter(source__code="ip-trade").exists()
    with pytest.raises(PermissionDenied):  # the buyer cannot take the seller's step
        services.deal_negotiate(deal=services.interest_express(listing=listing, buyer=w["buyer"], actor=w["buyer_user"]),
                                actor=w["buyer_user"])


def test_a_second_deal_on_an_exclusive_transfer_is_refused(world):
    w = world
    first = _to_agreed(w)
    other, other_user = party(4)
    second = services.interest_express(listing=first.listing, buyer=other, actor=other_user)
    services.deal_negotiate(deal=second, actor=w["seller_user"])
    with pytest.raises(ValidationError) as exc:
        services.deal_agree(deal=second, price="2000000", terms="", actor=w["seller_user"])
    assert _code(exc.value) == [E.DUPLICATE_EXCLUSIVE]
    second.refresh_from_db()
    assert (second.state, second.price) == (c.DealState.NEGOTIATING, None)
    # a licence listed beside it cannot be agreed either while the transfer binds the item
    lic = services.listing_create(seller=w["seller"], ip_key=P1, kind=c.DealKind.LICENCE, actor=w["seller_user"])
    with pytest.raises(ValidationError) as exc:
        _to_agreed(w, listing=lic, buyer=other, buyer_user=other_user, price="10000")
    assert _code(exc.value) == [E.DUPLICATE_EXCLUSIVE]
    # signing the transfer withdraws the other open deals on the item
    services.deal_sign(deal=first, contract_date=AS_OF, actor=w["seller_user"])
    second.refresh_from_db()
    assert second.state == c.DealState.WITHDRAWN


def test_signing_when_the_seller_no_longer_holds_the_item_is_refused(world):
    w = world
    deal = _to_agreed(w)
    # a feed reports the item transferred away meanwhile
    item = next(i for i in ip_items(w["ent"]) if i["number"] == P1)
    load([{"uscc": w["ent"].uscc, "ip": [{**{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in item.items()},
                                          "transferred_out_on": "2026-10-01"}]}], source_code="cnipa-feed")
    with pytest.raises(ValidationError) as exc:
        services.deal_sign(deal=deal, contract_date=AS_OF, actor=w["seller_user"])
    assert _code(exc.value) == [E.NOT_HELD]
    deal.refresh_from_db()
    assert deal.state == c.DealState.AGREED and deal.seller_batch_id is None
    assert not IPFact.objects.filter(source__code="ip-trade").exists()


def test_buyers_need_a_theme_database_record_and_cannot_buy_their_own(world):
    w = world
    from kechuang.enterprises.tests.factories import organization, user
    bank = organization(K.BANK, "银行乙")
    listing = services.listing_create(seller=w["seller"], ip_key=P1, kind=c.DealKind.TRANSFER, actor=w["seller_user"])
    with pytest.raises(PermissionDenied):  # a bank holds no IP to receive it
        services.interest_express(listing=listing, buyer=bank, actor=user("bank-u", bank))
    recordless = organization(K.RESEARCH_INSTITUTE, "研究院（无主题库记录）")
    with pytest.raises(ValidationError) as exc:
        services.interest_express(listing=listing, buyer=recordless, actor=user("inst-u", recordless))
    assert _code(exc.value) == [E.BUYER]
    with pytest.raises(ValidationError) as exc:
        services.interest_express(listing=listing, buyer=w["seller"], actor=w["seller_user"])
    assert _code(exc.value) == [E.OWN_LISTING]
    services.interest_express(listing=listing, buyer=w["buyer"], actor=w["buyer_user"])
    with pytest.raises(ValidationError) as exc:
        services.interest_express(listing=listing, buyer=w["buyer"], actor=w["buyer_user"])
    assert _code(exc.value) == [E.DUPLICATE_INTEREST]
    assert Deal.objects.count() == 1


def test_reads_go_through_restrict(world):
    w = world
    deal = _to_agreed(w)
    outsider, outsider_user = party(5)
    assert Deal.objects.restrict(outsider_user).filter(pk=deal.pk).count() == 0
    assert Deal.objects.restrict(w["buyer_user"]).filter(pk=deal.pk).count() == 1
    assert Deal.objects.restrict(regulator("reg-city")).filter(pk=deal.pk).count() == 1
    assert Deal.objects.restrict(regulator("reg-other", region="370103")).filter(pk=deal.pk).count() == 0
    # a listed item is on the market for everyone signed in; a withdrawn one only for its seller
    listing = services.listing_create(seller=w["seller"], ip_key=P3, kind=c.DealKind.LICENCE, actor=w["seller_user"])
    assert Listing.objects.restrict(outsider_user).filter(pk=listing.pk).exists()
    services.listing_withdraw(listing=listing, actor=w["seller_user"])
    assert not Listing.objects.restrict(outsider_user).filter(pk=listing.pk).exists()
    assert Listing.objects.restrict(w["seller_user"]).filter(pk=listing.pk).exists()
