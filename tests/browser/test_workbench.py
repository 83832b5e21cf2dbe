"""Each role logs in, reads its workbench and completes its main task through the pages only:
the bank opens a queued demand and the enterprise, grabs it and starts the review; the guarantor
finds and confirms its leg; the enterprise sees its next step and posts a demand; the regulator
opens an overdue task; the 金融辅导员 records a visit; the investor follows up a roadshow."""

import datetime as dt

import pytest
from django.utils import timezone

from kechuang.accounts.choices import OrganizationKind as K
from kechuang.enterprises.services import consent_grant
from kechuang.marketplace import choices as mc
from kechuang.marketplace import services as ms
from kechuang.marketplace.models import AdvisorVisit, Demand, FinancingRequest, Leg
from kechuang.marketplace.tests.factories import HNTE_OR_TSME, enterprise, institution, loan_product
from kechuang.targets.models import Task
from kechuang.targets.tests.factories import small_plan

from .conftest import login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _workbench(page, live_server, username, role):
    login(page, live_server, username)
    assert page.url == f"{live_server.url}/"
    page.wait_for_selector(f"#workbench[data-role='{role}']")


def test_bank_opens_a_queued_demand_and_the_enterprise_then_grabs_and_reviews(page, live_server):
    bank, bu = institution(K.BANK, "银行甲")
    loan_product(bank, bu)
    ent, eu = enterprise(1)
    d = ms.demand_post(enterprise=ent, kind="debt", amount="1000000", term_months=12, purpose="rd", actor=eu)
    consent_grant(enterprise=ent, organization=bank, purpose="credit_assessment",
                  valid_until=timezone.now() + dt.timedelta(days=30), actor=eu)

    _workbench(page, live_server, bu.username, "bank")
    row = page.locator(f"#q-{d.pk}")
    row.locator(f"a[href='/marketplace/demands/{d.pk}/']").click()
    page.wait_for_url(f"{live_server.url}/marketplace/demands/{d.pk}/")
    page.go_back()
    page.locator(f"#q-{d.pk} a.profile-link").click()
    page.wait_for_url(f"{live_server.url}/enterprises/{ent.pk}/")
    assert ent.name in page.locator("h1").inner_text()
    page.click("#nav-workbench")
    page.click(f"#q-{d.pk} .grab-btn")
    page.wait_for_selector(f"#q-{d.pk} .grab-ok")  # the grab result replaces the row
    req = FinancingRequest.objects.get()
    page.locator(f"#q-{d.pk} a[href='/marketplace/requests/{req.pk}/']").click()
    page.click("text=开始审查")
    page.wait_for_selector("[data-state='under_review']")
    assert FinancingRequest.objects.get().state == mc.RequestState.UNDER_REVIEW
    page.wait_for_selector("#profile-link")  # the request links the enterprise it is about
    shot(page, "workbench-bank-review")
    page.click("#nav-workbench")
    assert page.locator(f"#held .held-row a[href='/marketplace/requests/{req.pk}/']").count() == 1
    assert page.locator("[data-code='to_decide'] .fs-4").inner_text() == "1"


def test_guarantor_finds_and_confirms_its_leg(page, live_server):
    bank, bu = institution(K.BANK, "银行甲")
    guar, gu = institution(K.GUARANTOR, "担保甲")
    p = loan_product(bank, bu, needs_guarantee=True)
    ent, eu = enterprise(1)
    d = ms.demand_post(enterprise=ent, kind="debt", amount="1000000", term_months=12, purpose="rd", actor=eu)
    r = ms.request_apply(demand=d, product=p, actor=eu)
    r = ms.request_review(request=ms.request_pick_up(request=r, actor=bu), actor=bu)
    r = ms.request_decide(request=r, approve=True, amount="1000000", actor=bu)
    leg = ms.leg_add(request=r, kind=mc.LegKind.GUARANTEE, provider=guar, actor=bu)

    _workbench(page, live_server, gu.username, "guarantor")
    assert page.locator("[data-code='legs_pending'] .fs-4").inner_text() == "1"
    page.locator("#legs .leg-row[data-state='pending'] a").click()
    page.wait_for_url(f"{live_server.url}/marketplace/requests/{r.pk}/")
    page.locator(".leg-row[data-state='pending'] button", has_text="确认").click()
    page.wait_for_selector(".leg-row[data-state='approved']")
    assert Leg.objects.get(pk=leg.pk).state == mc.LegState.APPROVED
    page.click("#nav-workbench")
    assert page.locator("[data-code='legs_pending'] .fs-4").inner_text() == "0"


def test_enterprise_sees_its_next_step_and_posts_a_demand(page, live_server):
    bank, bu = institution(K.BANK, "银行甲")
    loan_product(bank, bu)
    ent, eu = enterprise(1)

    _workbench(page, live_server, eu.username, "enterprise")
    step = page.locator("#next-steps .next-step").first
    assert step.get_attribute("data-code") == "post"
    step.locator("a").click()
    page.fill("#amount", "800000")
    page.click("#submit-demand")
    page.wait_for_selector("#matches")
    d = Demand.objects.get()
    page.click("#nav-workbench")
    step = page.locator("#next-steps .next-step").first
    assert step.get_attribute("data-code") == "apply"
    assert step.locator("a").get_attribute("href") == f"/marketplace/demands/{d.pk}/"
    assert page.locator("#demands .demand-row").count() == 1
    shot(page, "workbench-enterprise-next")


def test_regulator_opens_an_overdue_task_from_the_workbench(page, live_server):
    reg_org, reg = institution(K.REGULATOR, "金融局")
    small_plan(tasks="地区,规划,任务编号,任务名称,重点,责任单位,完成时限,牵头单位\n"
                     "济南市,测试规划,T1,设立科创基金,★,市金融局,2022年年底前,市金融局\n")
    task = Task.objects.get()

    _workbench(page, live_server, reg.username, "regulator")
    assert page.locator("[data-code='overdue_tasks'] .fs-4").inner_text() == "1"
    page.locator("#overdue-tasks .task-row a", has_text="设立科创基金").click()
    page.wait_for_url(f"{live_server.url}/targets/tasks/{task.pk}/")
    assert "设立科创基金" in page.locator("h1").inner_text()


def test_advisor_records_a_visit_from_the_workbench(page, live_server):
    agency, au = institution(K.SERVICE_AGENCY, "服务甲")
    ent, eu = enterprise(1)
    a = ms.advisor_assign(enterprise=ent, advisor=au, actor=au)

    _workbench(page, live_server, au.username, "advisor")
    row = page.locator(".assignment-row").first
    assert row.get_attribute("data-visit-due") == "1"
    row.locator("a.visit-link").click()
    page.fill("#id_visited_on", timezone.localdate().isoformat())
    page.fill("#id_note", "了解研发贷款需求")
    page.click("#submit-visit")
    page.wait_for_selector("text=走访已登记")
    assert AdvisorVisit.objects.get().assignment == a
    page.click("#nav-workbench")
    assert page.locator(".assignment-row").first.get_attribute("data-visit-due") == "0"


def test_investor_follows_up_a_roadshow_presenter(page, live_server):
    reg_org, reg = institution(K.REGULATOR, "金融局")
    inv, vu = institution(K.INVESTOR, "投资甲")
    ent, eu = enterprise(1)
    ms.product_create(institution=inv, kind="equity", category="venture", name="早期基金", amount_min="1000000",
                      amount_max="30000000", eligibility=HNTE_OR_TSME, actor=vu)
    show = ms.roadshow_create(title="科创路演第一期", region_code="370100",
                              held_on=timezone.localdate() - dt.timedelta(days=3), actor=reg)
    ms.roadshow_register(roadshow=show, enterprise=ent, actor=reg)
    ms.roadshow_register(roadshow=show, investor=inv, actor=vu)
    ms.roadshow_mark_held(roadshow=show, actor=reg)

    _workbench(page, live_server, vu.username, "investor")
    assert page.locator("[data-code='to_follow'] .fs-4").inner_text() == "1"
    page.locator("#roadshows a.follow-link").click()
    page.select_option("#id_registration", label=ent.name)
    page.select_option("#id_product", label="早期基金")
    page.fill("#id_amount", "5000000")
    page.click("#submit-follow-up")
    page.wait_for_selector("text=跟进已形成投资需求")
    r = FinancingRequest.objects.get()
    assert (r.institution, r.demand.enterprise, r.demand.roadshow) == (inv, ent, show)
    page.click("#nav-workbench")
    assert page.locator("[data-code='to_follow'] .fs-4").inner_text() == "0"
    assert page.locator(f"#followups a[href='/marketplace/requests/{r.pk}/']").count() == 1
