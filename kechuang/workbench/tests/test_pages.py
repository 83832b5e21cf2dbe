"""The workbench: ``/`` lands each role on its own work; the menu offers only what the role can
open; the cross-links go where a user expects and respect consent."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from kechuang.accounts.choices import OrganizationKind as K
from kechuang.enterprises.tests.factories import organization, user
from kechuang.marketplace import choices as mc
from kechuang.marketplace import services as ms
from kechuang.marketplace.models import Leg
from kechuang.marketplace.tests.factories import enterprise, institution, loan_product
from kechuang.targets.models import Task, Unit
from kechuang.targets.services import unit_link
from kechuang.targets.tests.factories import small_plan
from kechuang.workbench.selectors import clock, role_of

pytestmark = pytest.mark.django_db

TASKS = ("地区,规划,任务编号,任务名称,重点,责任单位,完成时限,牵头单位\n"
         "济南市,测试规划,T1,设立科创基金,★,市金融局;市科技局,2022年年底前,市金融局\n"
         "济南市,测试规划,T3,开展路演,,市金融局,2030年,市金融局\n")
NAV_LINK = re.compile(r'class="(?:nav-link|dropdown-item)"[^>]*href="([^"#]+)"|href="([^"#]+)"[^>]*class="(?:nav-link|dropdown-item)"')


def login(u):
    c = Client()
    c.force_login(u)
    return c


def nav_links(html: str) -> list[str]:
    nav = html[html.index("<nav"):html.index("</nav>")]
    return sorted({a or b for a, b in NAV_LINK.findall(nav)} - {"/api/docs/"})


@pytest.fixture
def world():
    bank, bu = institution(K.BANK, "银行甲")
    guar, gu = institution(K.GUARANTOR, "担保甲")
    ins, iu = institution(K.INSURER, "保险甲")
    inv, vu = institution(K.INVESTOR, "投资甲")
    agency, au = institution(K.SERVICE_AGENCY, "服务甲")
    reg_org, reg = institution(K.REGULATOR, "金融局")
    district = user("district", organization(K.REGULATOR, "历下区金融办", region="370102"))
    ent, eu = enterprise(1)
    other, ou = enterprise(2)
    product = loan_product(bank, bu, needs_guarantee=True)
    return dict(bank=bank, bu=bu, guar=guar, gu=gu, ins=ins, iu=iu, inv=inv, vu=vu, agency=agency, au=au,
                reg_org=reg_org, reg=reg, district=district, ent=ent, eu=eu, other=other, ou=ou, product=product)


def test_anonymous_home_goes_to_login():
    resp = Client().get("/")
    assert resp.status_code == 302 and resp.url == "/accounts/login/?next=/"


def test_login_lands_on_the_workbench(world):
    c = Client()
    resp = c.post("/accounts/login/", {"username": "u-银行甲", "password": "pw-12345678"})
    assert resp.status_code == 302 and resp.url == "/"


@pytest.mark.parametrize(("who", "role"), [
    ("reg", "regulator"), ("district", "district"), ("bu", "bank"), ("gu", "guarantor"), ("iu", "insurer"),
    ("vu", "investor"), ("au", "advisor"), ("eu", "enterprise")])
def test_each_role_gets_its_workbench_and_every_menu_entry_opens(world, who, role):
    c = login(world[who])
    resp = c.get("/")
    html = resp.content.decode()
    assert resp.status_code == 200
    assert f'data-role="{role}"' in html
    links = nav_links(html)
    assert "/" in links
    for url in links:
        assert c.get(url).status_code in (200, 302), url  # never 403/404 from the menu


def test_role_of_superuser_and_orgless_user(world):
    from django.contrib.auth import get_user_model
    admin = get_user_model().objects.create_superuser("root", password="pw-12345678")
    loner = user("loner", None)
    assert (role_of(admin), role_of(loner)) == ("regulator", "none")
    resp = login(loner).get("/")
    assert resp.status_code == 200 and 'data-role="none"' in resp.content.decode()


def test_my_tasks_only_for_responsible_units(world):
    small_plan(tasks=TASKS)
    assert "/targets/tasks/" not in nav_links(login(world["bu"]).get("/").content.decode())
    assert login(world["bu"]).get("/targets/tasks/").status_code == 403  # why the entry must not show
    unit_link(unit=Unit.objects.get(name="市金融局"), organization=world["bank"], actor="test")
    assert "/targets/tasks/" in nav_links(login(world["bu"]).get("/").content.decode())


def test_enterprise_menu_has_its_profile_not_the_search(world):
    links = nav_links(login(world["eu"]).get("/").content.decode())
    assert f"/enterprises/{world['ent'].pk}/" in links
    assert "/enterprises/" not in links


def test_regulator_sees_overdue_tasks_of_its_region_not_a_district(world):
    small_plan(tasks=TASKS)
    t1 = Task.objects.get(code="T1")
    html = login(world["reg"]).get("/").content.decode()
    assert f'href="/targets/tasks/{t1.pk}/"' in html
    assert 'data-code="overdue_tasks"' in html
    figure = re.search(r'href="([^"]+)" data-code="overdue_tasks">\s*<div[^>]*>[^<]*</div>\s*<div[^>]*>(\d+)<', html)
    assert figure.groups() == ("/targets/tasks/?flag=overdue", "1")
    district_html = login(world["district"]).get("/").content.decode()
    assert f'href="/targets/tasks/{t1.pk}/"' not in district_html  # a city plan is not the district's


def _held_request(world, *, state):
    d = ms.demand_post(enterprise=world["ent"], kind="debt", amount="1000000", term_months=12, purpose="rd",
                       actor=world["eu"])
    r = ms.request_apply(demand=d, product=world["product"], actor=world["eu"])  # carries consent
    if state == "approved":
        r = ms.request_pick_up(request=r, actor=world["bu"])
        r = ms.request_review(request=r, actor=world["bu"])
        r = ms.request_decide(request=r, approve=True, amount="1000000", actor=world["bu"])
    return r


def test_bank_workbench_shows_held_request_with_clock_and_profile_link(world):
    r = _held_request(world, state="submitted")
    html = login(world["bu"]).get("/").content.decode()
    row = re.search(r'<tr class="held-row">.*?</tr>', html, re.S).group(0)
    assert f'/marketplace/requests/{r.pk}/' in row
    assert f'/enterprises/{world["ent"].pk}/' in row  # the application carried consent
    assert 'class="badge text-bg-success sla-clock" data-overdue="0"' in row
    assert 'data-code="to_pick_up"' in html and re.search(r'data-code="to_pick_up">.*?fs-4 text-body">1<', html, re.S)


def test_queue_links_the_profile_only_under_consent(world):
    d1 = ms.demand_post(enterprise=world["ent"], kind="debt", amount="1000000", term_months=12, purpose="rd",
                        actor=world["eu"])
    d2 = ms.demand_post(enterprise=world["other"], kind="debt", amount="1000000", term_months=12, purpose="rd",
                        actor=world["ou"])
    from django.utils import timezone

    from kechuang.enterprises.services import consent_grant
    consent_grant(enterprise=world["ent"], organization=world["bank"], purpose="credit_assessment",
                  valid_until=timezone.now() + dt.timedelta(days=30), actor=world["eu"])
    for url in ("/", "/marketplace/"):
        html = login(world["bu"]).get(url).content.decode()
        q1 = re.search(rf'<tr id="q-{d1.pk}">.*?</tr>', html, re.S).group(0)
        q2 = re.search(rf'<tr id="q-{d2.pk}">.*?</tr>', html, re.S).group(0)
        assert f'href="/enterprises/{world["ent"].pk}/"' in q1, url
        assert "/enterprises/" not in q2, url


def test_guarantor_finds_its_pending_leg_and_request_page_links(world):
    r = _held_request(world, state="approved")
    leg = ms.leg_add(request=r, kind=mc.LegKind.GUARANTEE, provider=world["guar"], actor=world["bu"])
    html = login(world["gu"]).get("/").content.decode()
    row = re.search(r'<tr class="leg-row" data-state="pending">.*?</tr>', html, re.S).group(0)
    assert f'href="/marketplace/requests/{r.pk}/"' in row and "去确认" in row
    assert re.search(r'data-code="legs_pending">.*?fs-4 text-body">1<', html, re.S)
    # The bank's request page links the enterprise, its rating and its evaluation (consent held) …
    page = login(world["bu"]).get(f"/marketplace/requests/{r.pk}/").content.decode()
    e = world["ent"].pk
    for href in (f"/enterprises/{e}/", f"/rating/enterprises/{e}/", f"/evaluation/enterprises/{e}/"):
        assert f'href="{href}"' in page
    # … the guarantor holds no consent: no link that would answer 404.
    page = login(world["gu"]).get(f"/marketplace/requests/{r.pk}/").content.decode()
    assert 'id="profile-link"' not in page
    assert Leg.objects.get().pk == leg.pk


def test_profile_links_its_requests_and_legs(world):
    r = _held_request(world, state="approved")
    ms.leg_add(request=r, kind=mc.LegKind.GUARANTEE, provider=world["guar"], actor=world["bu"])
    html = login(world["bu"]).get(f"/enterprises/{world['ent'].pk}/").content.decode()
    links = re.search(r'<div class="kc-card small py-2 kc-noprint" id="enterprise-links">.*?</div>', html, re.S).group(0)
    assert links.count(f'href="/marketplace/requests/{r.pk}/"') == 2  # the request and its leg
    assert "担保甲" in links
    # The other bank sees neither (nor the profile at all).
    other_bank, obu = institution(K.BANK, "银行乙")
    assert login(obu).get(f"/enterprises/{world['ent'].pk}/").status_code == 404


def test_enterprise_workbench_next_steps(world):
    html = login(world["eu"]).get("/").content.decode()
    assert re.findall(r'data-code="(\w+)"><a href="([^"]+)"', html)[:1] == [("post", "/marketplace/demands/new/")]
    d = ms.demand_post(enterprise=world["ent"], kind="debt", amount="1000000", term_months=12, purpose="rd",
                       actor=world["eu"])
    html = login(world["eu"]).get("/").content.decode()
    steps = re.findall(r'class="next-step" data-code="(\w+)"><a href="([^"]+)"', html)
    assert steps[0] == ("apply", f"/marketplace/demands/{d.pk}/")
    assert ("post", "/marketplace/demands/new/") not in steps


def test_advisor_sees_visit_due_first(world):
    a1 = ms.advisor_assign(enterprise=world["ent"], advisor=world["au"], actor=world["au"])
    a2 = ms.advisor_assign(enterprise=world["other"], advisor=world["au"], actor=world["au"])
    from django.utils import timezone
    ms.advisor_visit_record(assignment=a1, visited_on=timezone.localdate(), actor=world["au"], note="走访")
    html = login(world["au"]).get("/").content.decode()
    rows = re.findall(r'<tr class="assignment-row" data-visit-due="(\d)">.*?/pools/advisors/(\d+)/visit/', html, re.S)
    assert rows == [("1", str(a2.pk)), ("0", str(a1.pk))]


def test_cockpit_figures_link_to_their_lists(world):
    small_plan(tasks=TASKS)
    html = login(world["reg"]).get("/targets/cockpit/").content.decode()
    assert re.search(r'id="overdue-count" href="/targets/tasks/\?flag=overdue">1<', html)
    assert 'id="flags-count" href="/targets/flags/"' in html


SH = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(("due", "now", "expected"), [
    ("2026-12-07 09:00", "2026-12-04 09:00", (False, 1.0, "剩余 1.0 个工作日")),   # Fri → Mon: one working day
    ("2026-12-03 09:00", "2026-12-04 21:00", (True, 1.5, "已超时 1.5 个工作日")),
    (None, "2026-12-04 09:00", (False, None, "—")),
], ids=["over-a-weekend", "overdue", "no-due-time"])
def test_clock(due, now, expected):
    parse = lambda s: dt.datetime.fromisoformat(s).replace(tzinfo=SH)  # noqa: E731
    c = clock(parse(due) if due else None, parse(now))
    assert (c.overdue, c.working_days, c.label) == expected


def test_gaps_count_a_group_and_its_clause_once_and_read_as_words():
    from types import SimpleNamespace

    from kechuang.workbench.selectors import gap_leaves, gap_titles
    p = SimpleNamespace(closeness={"version": "srdi-sme-2026",
                                   "failing_clauses": ["srdi26.3", "srdi26.3.revenue", "srdi26.5"]}, failing=3)
    assert gap_leaves(p) == ["srdi26.3.revenue", "srdi26.5"]
    assert gap_titles(p) == ["上年度营业收入 ≥ 1500万元", "截至上年末资产负债率不高于80%"]


def test_bank_sees_the_legs_on_its_requests_and_the_guarantor_only_its_own(world):
    r = _held_request(world, state="approved")
    ms.leg_add(request=r, kind=mc.LegKind.GUARANTEE, provider=world["guar"], actor=world["bu"])
    ms.leg_add(request=r, kind=mc.LegKind.INSURANCE, provider=world["ins"], actor=world["bu"])
    bank_html = login(world["bu"]).get("/").content.decode()
    rows = re.findall(r'<tr class="leg-row" data-state="(\w+)">.*?<td class="small">([^<]+)</td>', bank_html, re.S)
    assert sorted(rows) == [("pending", "保险 · 保险甲"), ("pending", "担保 · 担保甲")]
    guar_html = login(world["gu"]).get("/").content.decode()
    assert guar_html.count('class="leg-row"') == 1


def _queries(client, url="/"):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    client.get(url)  # warm caches (synthetic notice, sessions)
    with CaptureQueriesContext(connection) as q:
        assert client.get(url).status_code == 200
    return len(q.captured_queries)


def test_workbench_queries_do_not_grow_with_rows(world):
    _held_request(world, state="approved")
    bank_c, ent_c = login(world["bu"]), login(world["eu"])
    before = (_queries(bank_c), _queries(ent_c))
    for _i in range(3):
        _held_request(world, state="approved")
    assert (_queries(bank_c), _queries(ent_c)) == before
