"""The trade app's demo step: SYNTHETIC listings and deals so every trade page has items (run after
the IP app's step; idempotent — a second run changes nothing).

A university (示范大学（演示，合成）) is added to the theme database through the ordinary import
pipeline under the source 技术交易演示数据（合成） with two synthetic patents, and gets an organisation
and a login (``university``). Sellers are the demo enterprise login's enterprise, the university and
a few demo enterprises given organisations here; every step is the ordinary audited service call, so
the signed deals write both parties' IP facts like real ones. Listing descriptions start with 演示."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from kechuang.accounts.choices import OrganizationKind, Role
from kechuang.accounts.models import Organization
from kechuang.engine.facts.uscc import make_uscc
from kechuang.enterprises.choices import SourceKind
from kechuang.enterprises.demo import demo_enterprises
from kechuang.enterprises.models import Enterprise
from kechuang.enterprises.services import data_source_ensure
from kechuang.ingest.services import import_run_create, import_run_execute
from kechuang.ip.models import Pledge

from . import choices as c
from . import services
from .models import Listing
from .services import _unconsented_pledges

DEMO_PREFIX = "演示"
UNIVERSITY_USCC = make_uscc("370102", "000000001", authority="1", kind="2")


def _university(today: dt.date) -> Enterprise:
    found = Enterprise.objects.filter(uscc=UNIVERSITY_USCC).first()
    if found is not None:
        return found
    record = {"uscc": UNIVERSITY_USCC, "name": "示范大学（演示，合成）", "registered_on": "1958-09-01", "region_code": "370102",
              "ip": [{"number": f"ZL20{20 + k}1{k:07d}.{k}", "title": title, "type": "invention_patent",
                      "granted_on": f"{2021 + k}-04-01", "filed_on": f"{2019 + k}-03-01", "claims": 9 + k,
                      "acquisition": "self_developed"}
                     for k, title in enumerate(["一种高效钙钛矿电池制备方法（合成样本）", "一种工业视觉缺陷检测方法（合成样本）",
                                                "一种可降解医用高分子材料（合成样本）"])]}
    data_dir = Path(settings.VAR_DIR) / "demo"
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / f"trade-university-{today.isoformat()}-synthetic.jsonl"
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    source = data_source_ensure(code="trade-demo", name="技术交易演示数据（合成）", kind=SourceKind.SYNTHETIC,
                                department="Kechuang demo generator")
    run = import_run_create(path=path, file_name=path.name, source=source, actor="command:demo", store_copy=False)
    import_run_execute(run=run, actor="command:demo")
    return Enterprise.objects.get(uscc=UNIVERSITY_USCC)


def _org_with_user(name: str, kind: str, enterprise: Enterprise, username: str):
    User = get_user_model()
    org = Organization.objects.filter(enterprise=enterprise).first()
    if org is None:
        org = Organization.objects.create(name=name, kind=kind, region_id="370100", enterprise=enterprise)
    user = User.objects.filter(organization=org, role__in=[Role.ADMIN, Role.OFFICER]).first()
    if user is None:
        user = User.objects.create_user(username, password="kechuang-demo", organization=org, role=Role.OFFICER,
                                        display_name=name[:50])
    return org, user


def _list(seller, user, kind, price, bank_user=None):
    """List the seller's first item not listed yet (a pledged one after the pledgee's consent)."""
    from kechuang.ip.selectors import ip_items

    taken = set(Listing.objects.filter(holder=seller.enterprise).values_list("ip_key", flat=True))
    items = [i for i in ip_items(seller.enterprise) if i["number"] not in taken]
    if not items:
        return None
    key = items[0]["number"]
    for pledge_id in _unconsented_pledges(seller.enterprise, key):
        if bank_user is None:
            return None
        services.pledgee_consent_grant(pledge=Pledge.objects.get(pk=pledge_id), ip_key=key, actor=bank_user,
                                       note="演示：质权人同意挂牌")
    return services.listing_create(seller=seller, ip_key=key, kind=kind, actor=user, asking_price=price,
                                   description=f"{DEMO_PREFIX}：合成挂牌，非真实交易。")


def demo_trade(*, progress=None) -> dict:
    if Listing.objects.filter(description__startswith=DEMO_PREFIX).exists():
        return {"skipped": "already loaded"}
    User = get_user_model()
    ent_user = User.objects.filter(username="enterprise").select_related("organization").first()
    bank_user = User.objects.filter(username="bank").first()
    enterprises = demo_enterprises(80)[:30]
    if ent_user is None or ent_user.organization is None or len(enterprises) < 8:
        return {"skipped": "no demo enterprises or organisations"}
    today = timezone.localdate()
    own = ent_user.organization
    uni, uni_user = _org_with_user("示范大学（演示）", OrganizationKind.UNIVERSITY, _university(today), "university")
    others = [_org_with_user(f"{e.name}（演示交易账号）", OrganizationKind.ENTERPRISE, e, f"trade-{e.pk}")
              for e in enterprises[1:6]]
    listings = [
        _list(uni, uni_user, c.DealKind.TRANSFER, Decimal("1800000")),
        _list(uni, uni_user, c.DealKind.EQUITY, Decimal("5000000")),
        _list(uni, uni_user, c.DealKind.LICENCE, None),
        _list(own, ent_user, c.DealKind.LICENCE, Decimal("600000"), bank_user=bank_user),
        _list(own, ent_user, c.DealKind.EXCLUSIVE_LICENCE, Decimal("1200000"), bank_user=bank_user),
    ]
    for (org, user), kind, price in zip(others[:3], [c.DealKind.TRANSFER, c.DealKind.LICENCE, c.DealKind.EQUITY],
                                        [Decimal("900000"), Decimal("300000"), Decimal("2500000")], strict=True):
        listings.append(_list(org, user, kind, price, bank_user=bank_user))
    deals = 0

    def run(listing, buyer, buyer_user, *, upto: str, price=None, days_ago=30, reg=""):
        nonlocal deals
        if listing is None:
            return
        seller_user = User.objects.filter(organization=listing.seller, role__in=[Role.ADMIN, Role.OFFICER]).first()
        deal = services.interest_express(listing=listing, buyer=buyer, actor=buyer_user, message="演示：有意受让/获得许可。")
        deals += 1
        order = ["negotiating", "agreed", "signed", "registered", "withdrawn"]
        if upto == "interest":
            return
        if upto == "withdrawn":
            services.deal_withdraw(deal=deal, actor=buyer_user, reason="演示：预算调整")
            return
        services.deal_negotiate(deal=deal, actor=seller_user)
        if order.index(upto) >= 1:
            services.deal_agree(deal=deal, price=price or listing.asking_price or Decimal("500000"),
                                terms="演示条款：一次性付清，含技术指导六个月。", actor=seller_user)
        if order.index(upto) >= 2:
            services.deal_sign(deal=deal, contract_date=today - dt.timedelta(days=days_ago), actor=seller_user)
        if order.index(upto) >= 3:
            services.deal_register(deal=deal, registration_number=reg, actor=seller_user)

    if others:
        b0, u0 = others[0]
        run(listings[0], b0, u0, upto="registered", days_ago=120, reg=f"{DEMO_PREFIX}{today.year}0001")
        run(listings[3], b0, u0, upto="signed", days_ago=45)
        run(listings[1], own, ent_user, upto="signed", days_ago=20, price=Decimal("4800000"))
    if len(others) > 1:
        b1, u1 = others[1]
        run(listings[2], b1, u1, upto="agreed", price=Decimal("200000"))
        run(listings[4], b1, u1, upto="negotiating")
        run(listings[5], own, ent_user, upto="interest")
    if len(others) > 2:
        b2, u2 = others[2]
        run(listings[6], own, ent_user, upto="registered", days_ago=75, reg=f"{DEMO_PREFIX}{today.year}0002")
        run(listings[7], b2 if listings[7] and listings[7].seller != b2 else others[0][0],
            u2 if listings[7] and listings[7].seller != b2 else others[0][1], upto="withdrawn")
    return {"listings": sum(1 for x in listings if x), "deals": deals}
