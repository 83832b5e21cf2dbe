"""Each role's workbench links to what it can use in the newer apps (IP pledges, listing, policy
funds, risk, innovation points), with real items on the demo: every card opens for that role
(never 403/404), and the figures are not empty where the demo has data."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.contrib.auth import get_user_model
from django.test import Client

from kechuang.core.triggers import audit_triggers_disable, audit_triggers_enable
from kechuang.demo.services import demo_load

#: demo login → the cards its workbench must show
EXPECTED = {
    "regulator": {"listing", "funds", "risk", "points", "ip"},
    "lixia": {"listing", "funds", "risk", "points", "ip"},
    "bank": {"risk", "ip"},
    "guarantor": {"risk"},
    "insurer": {"risk"},
    "agency": {"risk"},
    "enterprise": {"ip", "listing", "funds", "points"},
}
CARD = re.compile(r'<a class="[^"]*related-card[^"]*" href="([^"]+)" data-code="(\w+)">'
                  r'<div class="small text-muted">([^<]+)</div><div class="text-body">([^<]+)</div>')


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        demo_load(n=60)
        people = {name: get_user_model().objects.get(username=name) for name in EXPECTED}
    yield people
    with django_db_blocker.unblock():
        audit_triggers_disable(connection)  # the audit log is append-only: lifted for the flush only
        try:
            call_command("flush", interactive=False, verbosity=0)
        finally:
            audit_triggers_enable(connection)


def _cards(client) -> dict[str, tuple[str, str, str]]:
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    return {code: (url, label, value) for url, code, label, value in CARD.findall(html)}


@pytest.mark.django_db
@pytest.mark.parametrize("login", sorted(EXPECTED))
def test_each_workbench_links_the_newer_apps_its_role_can_use(demo, login):
    c = Client()
    c.force_login(demo[login])
    cards = _cards(c)
    assert set(cards) == EXPECTED[login], cards
    for code, (url, _label, _value) in cards.items():
        assert c.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").status_code == 200, (login, code, url)


@pytest.mark.django_db
def test_the_cards_show_real_items_on_the_demo(demo):
    """The demo fills these apps: the regulator sees a reserve pool, a points run and pledges; the
    enterprise its IP items and the policies it may claim."""
    reg = Client()
    reg.force_login(demo["regulator"])
    cards = _cards(reg)
    assert not cards["listing"][2].startswith("0 "), cards["listing"]
    assert cards["points"][2] != "尚无积分批次" and "/points/runs/" in cards["points"][0]
    assert not cards["ip"][2].startswith("0 "), cards["ip"]
    ent = Client()
    ent.force_login(demo["enterprise"])
    cards = _cards(ent)
    assert "共 0 项" not in cards["funds"][2], cards["funds"]
    assert cards["points"][2] != "尚无积分", cards["points"]
