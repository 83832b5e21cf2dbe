"""Searchable lists instead of typed codes: the enterprise search answers only with enterprises the
user may see (an institution's search is an audited, consent-bound read); the forms that took a
USCC or a region code carry the search hooks and still work without JavaScript."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from kechuang.accounts.choices import OrganizationKind as K
from kechuang.core.models import AuditEntry
from kechuang.enterprises.services import consent_grant
from kechuang.enterprises.tests.factories import regulator

from .factories import enterprise, institution

pytestmark = pytest.mark.django_db
URL = "/marketplace/lookup/enterprises/"


def _client(u):
    c = Client()
    c.force_login(u)
    return c


def _labels(resp):
    return [r["label"] for r in resp.json()["results"]]


def test_the_search_answers_within_the_users_scope():
    e1, eu1 = enterprise(1, "370102")
    e2, _eu2 = enterprise(2, "370112")
    e3, _eu3 = enterprise(3, "370202")  # Qingdao
    city = regulator("city", "370100")
    district = regulator("lixia", "370102")

    assert _labels(_client(city).get(URL, {"q": "测试科技"})) == [f"{e1.name}（{e1.uscc}）", f"{e2.name}（{e2.uscc}）"]
    assert _labels(_client(district).get(URL, {"q": "测试科技"})) == [f"{e1.name}（{e1.uscc}）"]
    assert _labels(_client(city).get(URL, {"q": e2.uscc[:12].lower()})) == [f"{e2.name}（{e2.uscc}）"]
    assert _labels(_client(eu1).get(URL, {"q": "测试科技"})) == [f"{e1.name}（{e1.uscc}）"]
    assert _client(city).get(URL, {"q": ""}).json() == {"results": []}
    assert e3.uscc not in _client(city).get(URL, {"q": "3702"}).content.decode()


def test_an_institution_finds_only_enterprises_that_consented_and_each_read_is_audited():
    bank, bu = institution(K.BANK, "银行甲")
    e1, eu1 = enterprise(1)
    enterprise(2)
    c = _client(bu)
    assert _labels(c.get(URL, {"q": "测试科技"})) == []
    consent_grant(enterprise=e1, organization=bank, purpose="loan_application",
                  valid_until=timezone.now() + timedelta(days=30), actor=eu1)
    before = AuditEntry.objects.filter(action="read").count()

    assert _labels(c.get(URL, {"q": "测试科技"})) == [f"{e1.name}（{e1.uscc}）"]

    read = AuditEntry.objects.filter(action="read").exclude(pk__in=[]).order_by("-pk").first()
    assert AuditEntry.objects.filter(action="read").count() == before + 1
    assert (read.object_id, read.context["what"]) == (str(e1.pk), "search")


def test_anonymous_is_sent_to_login():
    resp = Client().get(URL, {"q": "测试"})
    assert resp.status_code == 302 and "/accounts/login/" in resp["Location"]


def test_forms_carry_the_search_hooks_and_districts_are_chosen_by_name():
    _reg_org, reg = institution(K.REGULATOR, "金融局")
    c = _client(reg)

    first_loan = c.get("/marketplace/pools/first-loan/new/").content.decode()
    assert f'data-kc-search="enterprise" data-kc-url="{URL}"' in first_loan
    roadshow = c.get("/marketplace/roadshows/new/").content.decode()
    assert '<select name="region_code" class="form-select form-select-sm" data-kc-search="select"' in roadshow
    assert '<option value="370102">历下区</option>' in roadshow
    assert '<input type="text" name="region_code"' not in roadshow
    assert "/static/kechuang/autocomplete.js" in roadshow


def test_the_metrics_page_picks_a_region_by_name_within_the_users_scope():
    city = _client(regulator("city", "370100")).get("/marketplace/metrics/").content.decode()
    district = _client(regulator("lixia", "370102")).get("/marketplace/metrics/?region=370102").content.decode()

    assert '<option value="370100" selected>济南市（全市）</option>' in city and '<option value="370112">历城区</option>' in city
    assert '<option value="370200">' not in city  # Qingdao is not the city regulator's
    assert '<option value="370102" selected>历下区</option>' in district and '<option value="370112">' not in district
    assert 'name="region" value=' not in city  # no code to type any more
