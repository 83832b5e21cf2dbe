"""Pages: the enterprise's IP with ranges and reasons, the bank's registration form, the regulator's
pledges by district, release."""

import datetime as dt

import pytest
from django.test import Client

from kechuang.enterprises.tests.factories import regulator
from kechuang.ip import services as s
from kechuang.ip.models import IPValuation, Pledge

from .factories import AS_OF, P1, bank_with_consent, ip_enterprise

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    ent, ent_user = ip_enterprise()
    bank_org, bank_user = bank_with_consent(ent)
    reg = regulator()
    s.valuation_run(enterprise=ent, actor=reg, as_of=AS_OF)
    pledge = s.pledge_register(enterprise=ent, pledgee=bank_org, ip_keys=[P1], amount="100000", registered_on=AS_OF,
                               expires_on=AS_OF + dt.timedelta(days=365), actor=bank_user)
    return {"ent": ent, "ent_user": ent_user, "bank": bank_org, "bank_user": bank_user, "reg": reg, "pledge": pledge}


def _get(user, url):
    c = Client()
    c.force_login(user)
    return c.get(url, follow=True)


def test_enterprise_sees_its_ip_with_range_reasons_and_pledge(world):
    r = _get(world["ent_user"], "/ip/")
    html = r.content.decode()
    assert r.status_code == 200
    v = IPValuation.objects.get(ip_key=P1)
    assert f"{v.value_low / 10000:,.2f}万元" in html or f"{v.value_low:,.2f}" in html
    assert v.reasons[0]["zh"] in html
    assert "保护期已届满，不能作为质押物（估值为零）" in html
    assert "无法估值，缺少：专利产品年收入（元）" in html
    assert "银行甲" in html
    assert "True" not in html and "None" not in html


def test_regulator_sees_pledges_by_district(world):
    html = _get(world["reg"], "/ip/pledges/").content.decode()
    assert 'id="pledges-by-district"' in html
    assert "历下区" in html


def test_bank_registration_form_refuses_over_value_beside_the_field(world):
    c = Client()
    c.force_login(world["bank_user"])
    r = c.post(f"/ip/enterprises/{world['ent'].pk}/pledge/", {
        "ip_keys": [P1], "amount": "999999999", "registered_on": AS_OF.isoformat(),
        "expires_on": (AS_OF + dt.timedelta(days=30)).isoformat()})
    assert r.status_code == 200
    assert "超过所选知识产权的剩余价值" in r.content.decode()
    assert Pledge.objects.count() == 1


def test_bank_releases_from_the_page(world):
    c = Client()
    c.force_login(world["bank_user"])
    r = c.post(f"/ip/pledges/{world['pledge'].pk}/release/", {"note": "已结清"})
    assert r.status_code == 302
    world["pledge"].refresh_from_db()
    assert world["pledge"].status == "released"


def test_expert_ranges_from_the_page_narrow_the_range_and_persist(world):
    c = Client()
    c.force_login(world["reg"])
    before = IPValuation.objects.filter(ip_key=P1).order_by("-pk").first()
    r = c.post(f"/ip/enterprises/{world['ent'].pk}/value/", {"item": P1, "advancement_low": "70", "advancement_high": "70",
                                                             "market_outlook_low": "60", "market_outlook_high": "70"})
    assert r.status_code == 302
    after = IPValuation.objects.filter(ip_key=P1).order_by("-pk").first()
    assert after.expert == {"advancement": [70.0, 70.0], "market_outlook": [60.0, 70.0]}
    assert after.value_high - after.value_low < before.value_high - before.value_low
    c.post(f"/ip/enterprises/{world['ent'].pk}/value/")  # a plain re-run keeps the expert's ranges
    assert IPValuation.objects.filter(ip_key=P1).order_by("-pk").first().expert == after.expert
